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
use crate::payout::rounds::Payouts;
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
    let mut analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    log.step("计划 plan");
    let plan = rules::make_plan(&analysis, &config, validated.report.as_of)?;
    // Two lines of work, one per core. On one, claims.parquet, the largest file. On the other,
    // lenders.parquet, its columns then freed (nothing else needs them, and the payouts' rows
    // are not held beside them: 1 GB at national scale); the payouts, which check everything
    // that can refuse the command (the ledger against the claims, the register) before the
    // summaries are printed; then the other files. The staging folder is removed if the
    // command is refused.
    let names = LenderNames::new(&validated.data.lenders, pseudonyms.as_ref());
    let exposure = analysis.lenders.take_columns();
    let lenders_payouts_and_the_rest = || -> Result<Payouts> {
        log.step("出借人表 lenders.parquet");
        exports::lenders(&staging, &validated.data, &exposure, &names)?;
        drop(exposure);
        crate::memory::give_back();
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
        exports::payouts(&staging, &validated.data, &payouts, &names)?;
        output::write_validation(
            &staging,
            &validated,
            Some(&analysis.reconciliation),
            pseudonyms.as_ref(),
        )?;
        exports::platforms(&staging, &analysis)?;
        exports::districts(&staging, &analysis)?;
        write_plan(&staging, &analysis, &plan)?;
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
        )?;
        Ok(payouts)
    };
    let (claims, payouts) = rayon::join(
        || exports::claims(&staging, &validated.data, &analysis, &names),
        || {
            let done = lenders_payouts_and_the_rest();
            if done.is_err() {
                // The claims file stops at its next row group rather than run to its end.
                staging.abandon();
            }
            done
        },
    );
    // A refusal first: it says what to fix.
    let payouts = payouts?;
    claims?;
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
