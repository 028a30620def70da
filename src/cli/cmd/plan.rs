//! `winddown plan`: the staged exit plan (plan.parquet, plan_stages.parquet, plan.md).

use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::cli::job::Job;
use crate::error::Result;
use crate::output::tables::exports;
use crate::output::{self, Staging};
use crate::rules::{self, Analysis};

pub fn plan(args: PlanArgs, log: &Log) -> Result<()> {
    let mut job = Job::start(&args.input, &args.output, log)?;
    args.stages.apply(&mut job.config)?;
    let as_of = job.validated.report.as_of;
    rules::check_plan_dates(&job.config, as_of)?;
    let analysis = job.analyse()?;
    console::print_class_summary(&analysis.platforms, log);
    let plan = rules::make_plan(&analysis, &job.config, as_of)?;
    console::print_plan_summary(&plan, log);
    job.write_validation(&analysis)?;
    exports::platforms(&job.staging, &analysis)?;
    write_plan(&job.staging, &analysis, &plan)?;
    let record = job.record("plan")?;
    job.finish(record, log)
}

/// plan.parquet, plan_stages.parquet and plan.md.
pub fn write_plan(staging: &Staging, analysis: &Analysis, plan: &rules::plan::Plan) -> Result<()> {
    exports::plan(staging, plan)?;
    exports::plan_stages(staging, plan)?;
    staging.write(
        "plan.md",
        output::documents::plan_doc::plan_markdown(analysis, plan).as_bytes(),
    )
}
