//! `winddown compare`: the division rules side by side.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::cli::job::Job;
use crate::error::Result;
use crate::output;
use crate::output::tables::exports::LenderNames;

pub fn compare(args: CompareArgs, log: &Log) -> Result<()> {
    let job = Job::start(&args.input, &args.output, log)?;
    let analysis = job.analyse()?;
    log.step("比较 compare rules");
    let data = &job.validated.data;
    let (summaries, awards) = crate::payout::compare::compare(data, &analysis.claims, &args.rules)?;
    let names = LenderNames::new(data, None);
    job.write_validation(&analysis)?;
    output::tables::division::write_compare(&job.staging, data, &summaries, &awards, &names)?;
    let rule_names: Vec<String> = args.rules.iter().map(|r| r.name()).collect();
    job.staging.write(
        "compare.html",
        output::tables::division::compare_html(&rule_names, &awards)?.as_bytes(),
    )?;
    let mut record = job.record("compare")?;
    if let Some(s) = record.settings.as_mut() {
        s.payout_rule = Some(rule_names.join(","));
    }
    job.finish(record, log)
}
