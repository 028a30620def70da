//! `winddown classify`: platforms.parquet with every metric, class and reason.

use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::cli::job::Job;
use crate::error::Result;
use crate::output::tables::exports;

pub fn classify(args: ClassifyArgs, log: &Log) -> Result<()> {
    let job = Job::start(&args.input, &args.output, log)?;
    let analysis = job.analyse()?;
    console::print_class_summary(&analysis.platforms, log);
    job.write_validation(&analysis)?;
    exports::platforms(&job.staging, &analysis)?;
    let record = job.record("classify")?;
    job.finish(record, log)
}
