//! `winddown exposure`: claims, lenders and districts beside the platforms.

use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::cli::job::Job;
use crate::error::Result;
use crate::input::Validated;
use crate::output::folder::manifest::Pseudonymizer;
use crate::output::tables::exports::{self, LenderNames};
use crate::output::Staging;
use crate::rules::Analysis;

pub fn exposure(args: ExposureArgs, log: &Log) -> Result<()> {
    let mut job = Job::start(&args.input, &args.output, log)?;
    job.staging.partition_by(args.partition.layout());
    let analysis = job.analyse()?;
    console::print_class_summary(&analysis.platforms, log);
    console::print_exposure_summary(&analysis, log);
    job.write_validation(&analysis)?;
    write_exposure(&job.staging, &job.validated, &analysis, None)?;
    let record = job.record("exposure")?;
    job.finish(record, log)
}

/// platforms, claims, lenders and districts.
pub fn write_exposure(
    staging: &Staging,
    validated: &Validated,
    analysis: &Analysis,
    pseudonyms: Option<&Pseudonymizer>,
) -> Result<()> {
    let names = LenderNames::new(&validated.data.lenders, pseudonyms);
    exports::platforms(staging, analysis)?;
    exports::claims(staging, &validated.data, analysis, &names)?;
    exports::lenders(staging, &validated.data, &analysis.lenders, &names)?;
    exports::districts(staging, analysis)
}
