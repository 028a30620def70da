//! `winddown vote`: whether the lenders would approve a scheme.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::cli::job::Job;
use crate::error::{Error, Result};
use crate::output;
use crate::output::tables::exports::LenderNames;

/// A fraction option of `vote`, exactly.
pub fn fraction(flag: &str, text: &str) -> Result<crate::payout::vote::Frac> {
    crate::payout::vote::Frac::parse(text)
        .ok_or_else(|| Error::Usage(format!("{flag}: {text:?} is not a non-negative decimal")))
}

pub fn vote(args: VoteArgs, log: &Log) -> Result<()> {
    use crate::payout::vote::{self, Alternative, Frac};
    let percents = args
        .schedule
        .iter()
        .map(|p| fraction("--schedule", p))
        .collect::<Result<Vec<Frac>>>()?;
    let schedule = vote::schedule_of_percents(&percents)
        .map_err(|why| Error::Usage(format!("--schedule: {why}")))?;
    let mut turnout = [Frac::ONE; 6];
    if !args.turnout.is_empty() {
        if args.turnout.len() != 6 {
            return Err(Error::Usage(
                "--turnout: six shares, one per claim-size band".into(),
            ));
        }
        for (t, text) in turnout.iter_mut().zip(&args.turnout) {
            *t = fraction("--turnout", text)?;
            if t.compare(Frac::ONE) == std::cmp::Ordering::Greater {
                return Err(Error::Usage("--turnout: shares are at most 1".into()));
            }
        }
    }
    let probability = fraction("--delivery-probability", &args.delivery_probability)?;
    if probability.compare(Frac::ONE) == std::cmp::Ordering::Greater {
        return Err(Error::Usage("--delivery-probability: at most 1".into()));
    }
    let scheme = vote::Scheme {
        rule: args.scheme,
        schedule,
        discount: fraction("--discount", &args.discount)?,
        delivery_probability: probability,
        alternative: match args.alternative.trim() {
            "liquidation" => Alternative::Liquidation,
            other => Alternative::Ratio(fraction("--alternative", other)?),
        },
        budget_ratio: args
            .budget_ratio
            .as_deref()
            .map(|b| fraction("--budget-ratio", b))
            .transpose()?,
        turnout,
        ties_vote_yes: !args.ties_vote_no,
    };
    let job = Job::start(&args.input, &args.output, log)?;
    let analysis = job.analyse()?;
    log.step("表决 vote");
    let data = &job.validated.data;
    let vote::Votes { outcomes, skipped } = vote::every_platform(data, &analysis, &scheme)?;
    let votes: Vec<output::tables::division::PlatformVote> = outcomes
        .iter()
        .map(
            |(platform, outcome)| output::tables::division::PlatformVote {
                platform: *platform,
                outcome,
            },
        )
        .collect();
    let names = LenderNames::new(&data.lenders, None);
    job.write_validation(&analysis)?;
    output::tables::division::write_vote(
        &job.staging,
        data,
        &args.scheme.name(),
        &votes,
        &skipped,
        &names,
    )?;
    log.record(|doc| {
        doc.votes = Some(
            votes
                .iter()
                .flat_map(|v| {
                    v.outcome
                        .verdicts
                        .iter()
                        .map(move |d| crate::output::console::VoteLine {
                            platform_id: data.platforms.ids[v.platform].clone(),
                            scheme: args.scheme.name(),
                            voting_rule: d.rule.to_string(),
                            passed: d.passed,
                            voters: d.voters,
                            yes_voters: d.yes_voters,
                            count_margin: d.count_margin,
                            amount_margin: d.amount_margin / 100.0,
                            extra_payment: d.extra_payment.map(crate::domain::money::format_fen),
                        })
                })
                .collect(),
        );
    });
    let passed = votes
        .iter()
        .filter(|v| v.outcome.verdicts[0].passed)
        .count();
    log.info(&format!(
        "表决 vote: 方案 scheme {} 在 {passed} / {} 个平台按深圳规则通过 passes the Shenzhen rule on {passed} of {} platforms",
        args.scheme.name(),
        votes.len(),
        votes.len()
    ));
    if !skipped.is_empty() {
        let shown: Vec<String> = skipped
            .iter()
            .take(10)
            .map(|(c, why)| format!("{} ({why})", data.platforms.ids[*c]))
            .collect();
        log.info(&format!(
            "未表决 not voted: {} 个平台无人可表决 platform{} where nobody can vote: {}{} (listed in vote.md)",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            shown.join(", "),
            if skipped.len() > shown.len() { ", …" } else { "" }
        ));
    }
    let mut record = job.record("vote")?;
    if let Some(s) = record.settings.as_mut() {
        s.payout_rule = Some(args.scheme.name());
    }
    job.finish(record, log)
}
