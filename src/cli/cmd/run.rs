//! `winddown run`: every stage, every output.

use crate::cli::args::*;
use crate::cli::cmd::plan::write_plan;
use crate::cli::console::{self, Log};
use crate::cli::job::{hash_inputs, load, record, with_payout};
use crate::cli::pay::{
    announce_payment, check_payout_shape, compute_payouts, payout_outputs, read_ledger,
    write_notices,
};
use crate::error::Result;
use crate::output;
use crate::output::folder::manifest::Pseudonymizer;
use crate::output::tables::exports::{self, LenderNames};
use crate::rules;

pub fn run(args: RunArgs, log: &Log) -> Result<()> {
    let pseudonyms = args
        .pseudonymize
        .then(Pseudonymizer::from_env)
        .transpose()?;
    let (mut staging, mut transfers) = payout_outputs(
        &args.input,
        &args.payout,
        &args.output.out,
        args.output.force,
    )?;
    staging.partition_by(args.partition.layout());
    hash_inputs(&args.input);
    let (mut config, mut validated) = load(&args.input, transfers.any(), log)?;
    args.stages.apply(&mut config)?;
    rules::check_plan_dates(&config, validated.report.as_of)?;
    check_payout_shape(&args.payout, &transfers, &validated.data)?;
    let ledger = read_ledger(&args.payout, &mut validated, log)?;
    log.step("分类与敞口 classify + exposure");
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    log.step("计划 plan");
    let plan = rules::make_plan(&analysis, &config, validated.report.as_of)?;
    // Everything that can refuse the command (the ledger against the claims, the register)
    // is checked before the summaries are printed.
    let payouts = compute_payouts(
        &args.payout,
        ledger.as_ref(),
        &config,
        &validated,
        &analysis,
        &mut transfers,
        pseudonyms.as_ref(),
        log,
    )?;
    console::print_class_summary(&analysis.platforms, log);
    console::print_exposure_summary(&analysis, log);
    console::print_plan_summary(&plan, log);
    transfers.say(&payouts, log);
    log.step("导出 exports");
    let names = LenderNames::new(&validated.data, pseudonyms.as_ref());
    // The claims file, the largest, is written on one core while the rest are on the other.
    let (claims, rest) = rayon::join(
        || exports::claims(&staging, &validated.data, &analysis, &names),
        || -> Result<()> {
            output::write_validation(
                &staging,
                &validated,
                Some(&analysis.reconciliation),
                pseudonyms.as_ref(),
            )?;
            exports::platforms(&staging, &analysis)?;
            exports::lenders(&staging, &validated.data, &analysis, &names)?;
            exports::districts(&staging, &analysis)?;
            write_plan(&staging, &analysis, &plan)?;
            exports::payouts(&staging, &validated.data, &payouts, &names)?;
            write_notices(
                &staging,
                &analysis,
                &payouts,
                &args.payout,
                &config,
                &validated,
            )?;
            output::documents::summary::write_summary_and_report(
                &staging, &validated, &analysis, &plan, &payouts,
            )
        },
    );
    claims.and(rest)?;
    if args.csv {
        output::tables::csv_copy::csv_copies(&staging)?;
    }
    if args.xlsx {
        let book = output::documents::workbook::workbook(
            &analysis,
            &plan,
            &payouts,
            &validated.rejects,
            pseudonyms.as_ref(),
            validated.report.as_of,
        )?;
        staging.write("winddown.xlsx", &book)?;
    }
    log.step("清单 manifest");
    let mut record = with_payout(
        record("run", &args.input, &config, &validated)?,
        &args.payout,
        &config,
    );
    if let Some(s) = record.settings.as_mut() {
        s.pseudonymize = args.pseudonymize;
        s.csv = args.csv;
        s.xlsx = args.xlsx;
    }
    output::finish_with_batches(staging, record, transfers.issue())?;
    announce_payment(&args.payout, log);
    log.wrote(&args.output.out);
    Ok(())
}
