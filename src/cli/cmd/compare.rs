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
    let names = LenderNames::new(&data.lenders, None);
    job.write_validation(&analysis)?;
    output::tables::division::write_compare(&job.staging, data, &summaries, &awards, &names)?;
    let rule_names: Vec<String> = args.rules.iter().map(|r| r.name()).collect();
    job.staging.write(
        "compare.html",
        output::tables::division::compare_html(&rule_names, &awards)?.as_bytes(),
    )?;
    show(&rule_names, &awards, log);
    let mut record = job.record("compare")?;
    if let Some(s) = record.settings.as_mut() {
        s.payout_rule = Some(rule_names.join(","));
    }
    job.finish(record, log)
}

/// The payout ratio by claim size under each rule: a table on the console, or the results.
fn show(rules: &[String], awards: &[crate::payout::compare::LenderAward], log: &Log) {
    use crate::cli::console::{pad, pad_left, Paint};
    use crate::output::tables::division::{ratio_by_band, BAND_LABELS};
    use crate::present::number::share;
    let ratios = ratio_by_band(rules, awards);
    log.record(|doc| {
        doc.rules = Some(
            rules
                .iter()
                .zip(&ratios)
                .map(|(rule, row)| crate::output::console::RuleLine {
                    rule: rule.clone(),
                    ratio_by_band: crate::rules::exposure::BANDS
                        .iter()
                        .zip(row)
                        .map(|(b, r)| crate::output::console::BandRatio {
                            band: b.name.to_string(),
                            ratio: *r,
                        })
                        .collect(),
                })
                .collect(),
        );
    });
    if !log.tables() {
        return;
    }
    let head: String = std::iter::once(pad(&crate::present::lang::bi("规则", "rule"), 22))
        .chain(BAND_LABELS.iter().map(|b| pad_left(b, 10)))
        .collect();
    log.painted(&[(&head, Paint::Strong)]);
    for (rule, row) in rules.iter().zip(&ratios) {
        let line: String = std::iter::once(pad(rule, 22))
            .chain(row.iter().map(|r| pad_left(&share(*r, 1), 10)))
            .collect();
        log.info(&line);
    }
}
