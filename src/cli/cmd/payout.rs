//! `winddown payout`: the payout rounds on the ledger, the bank files and notices.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::cli::job::{hash_inputs, load, record, with_payout};
use crate::cli::pay::{
    announce_payment, check_payout_shape, compute_payouts, payout_outputs, read_ledger,
    write_notices,
};
use crate::error::Result;
use crate::output;
use crate::output::tables::exports::{self, LenderNames};
use crate::rules;

pub fn payout(args: PayoutArgs, log: &Log) -> Result<()> {
    let (mut staging, mut transfers) = payout_outputs(
        &args.input,
        &args.payout,
        &args.output.out,
        args.output.force,
    )?;
    staging.partition_by(args.partition.layout());
    hash_inputs(&args.input);
    let (config, mut validated) = load(&args.input, transfers.any(), log)?;
    check_payout_shape(&args.payout, &transfers, &validated.data)?;
    let ledger = read_ledger(&args.payout, &mut validated, log)?;
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    let payouts = compute_payouts(
        &args.payout,
        ledger.as_ref(),
        &config,
        &validated,
        &analysis,
        &mut transfers,
        None,
        log,
    )?;
    transfers.say(&payouts, log);
    output::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    exports::payouts(
        &staging,
        &validated.data,
        &payouts,
        &LenderNames::new(&validated.data.lenders, None),
    )?;
    write_notices(
        &staging,
        &analysis,
        &payouts,
        &args.payout,
        &config,
        &validated,
    )?;
    output::finish_with_batches(
        staging,
        with_payout(
            record("payout", &args.input, &config, &validated)?,
            &args.payout,
            &config,
        ),
        transfers.issue(),
    )?;
    announce_payment(&args.payout, log);
    log.wrote(&args.output.out);
    Ok(())
}
