//! `winddown report`: report.html, summary.json and plan.md (optionally the PDF).

use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::cli::job::{hash_inputs, inputs_of, load, record, record_rule};
use crate::config::Config;
use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::error::{Error, Result};
use crate::output::folder::records::Settings;
use crate::output::{self, Staging};
use crate::payout::rounds;
use crate::rules;
use std::path::Path;

pub fn report(args: ReportArgs, log: &Log) -> Result<()> {
    let ReportArgs {
        plan: mut plan_args,
        from,
        small_first,
        rule,
        min_payment,
        pdf,
    } = args;
    let chromium = pdf
        .then(output::documents::pdf::find_chromium)
        .transpose()?;
    // With --from, the options the run recorded, unless given again here.
    let recorded = from.as_deref().map(read_recorded).transpose()?;
    let mut recorded_rule = None;
    let mut recorded_minimum = None;
    if let Some((settings, _)) = &recorded {
        recorded_rule = settings
            .payout_rule
            .as_deref()
            .map(crate::payout::allocate::Division::parse)
            .transpose()
            .map_err(Error::Usage)?;
        recorded_minimum = settings
            .min_payment
            .as_deref()
            .and_then(crate::domain::money::parse_fen);
        if plan_args.input.as_of.is_none() && settings.as_of_source.as_deref() == Some("given") {
            plan_args.input.as_of = settings.as_of.as_deref().and_then(Date::parse);
        }
        plan_args.stages.stages = plan_args.stages.stages.or(Some(settings.stages));
        plan_args.stages.stage_months = plan_args
            .stages
            .stage_months
            .or(Some(settings.stage_months));
        plan_args.stages.deadline = plan_args
            .stages
            .deadline
            .or(settings.deadline.as_deref().and_then(Date::parse));
    }
    let staging = Staging::create(
        &plan_args.output.out,
        &inputs_of(&plan_args.input, None),
        plan_args.output.force,
    )?;
    hash_inputs(&plan_args.input);
    let (mut config, validated) = load(&plan_args.input, false, log)?;
    if let (Some((_, text)), None) = (&recorded, &plan_args.input.config) {
        config = Config::from_toml(text)
            .map_err(|e| Error::Config(format!("the config recorded in --from: {e}")))?;
    }
    plan_args.stages.apply(&mut config)?;
    rules::check_plan_dates(&config, validated.report.as_of)?;
    let rule = crate::payout::allocate::Rule {
        division: small_first
            .map(crate::payout::allocate::Division::SmallFirst)
            .or(rule)
            .or(recorded_rule)
            .unwrap_or(config.payout_rule),
        min_payment: min_payment.or(recorded_minimum).map(Fen),
    };
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    let plan = rules::make_plan(&analysis, &config, validated.report.as_of)?;
    let payouts = rounds::payouts(
        &validated.data,
        &analysis.claims,
        None,
        rule,
        false,
        &|id: &str| id.to_string(),
        log,
    )?;
    // The figures the report shows, on the console too (or as the results, under --format).
    console::print_class_summary(&analysis.platforms, log);
    console::print_exposure_summary(&analysis, log);
    console::print_plan_summary(&plan, log);
    console::print_payout_summary(&payouts, log);
    output::documents::summary::write_summary_and_report(
        &staging, &validated, &analysis, &plan, &payouts,
    )?;
    staging.write(
        "plan.md",
        output::documents::plan_doc::plan_markdown(&analysis, &plan).as_bytes(),
    )?;
    if let Some(chromium) = &chromium {
        log.step("打印 print report.pdf");
        let bytes = output::documents::pdf::print(
            chromium,
            &staging.path("report.html"),
            output::documents::report::TITLE,
        )?;
        staging.write("report.pdf", &bytes)?;
    }
    let mut record = record("report", &plan_args.input, &config, &validated)?;
    record_rule(&mut record, &rule);
    if let (Some((_, text)), None) = (&recorded, &plan_args.input.config) {
        record.config_text = Some(text.clone());
    }
    output::finish(staging, record)?;
    log.wrote(&plan_args.output.out);
    Ok(())
}

/// The settings and config text an earlier run recorded in its manifest.
pub fn read_recorded(dir: &Path) -> Result<(Settings, String)> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::bad_file(&path, format!("cannot read: {e}")))?;
    let manifest: output::folder::records::Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::bad_file(&path, format!("not a manifest of this version: {e}")))?;
    let settings = manifest.settings.ok_or_else(|| {
        Error::bad_file(&path, "no settings recorded (not a run of this version)")
    })?;
    let config = manifest
        .config
        .ok_or_else(|| Error::bad_file(&path, "no config recorded"))?;
    Ok((settings, config))
}
