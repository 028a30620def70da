//! The ledger of a case's earlier rounds, read back from the folder of the last `winddown case`
//! run (`--ledger`): its case_rounds.parquet and case_payouts.parquet hold every round so far.
//! Read by their contracts' fields, and checked before anything is paid on them: each round's
//! lines add up to the round (paid, released, held), a line belongs to a round, a person has
//! one line per round, and per round paid + held + surplus = amount.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::cases::settle::{Ledger, PayoutRow, RoundRow};
use crate::domain::exports::{
    case_payouts as pf, case_rounds as rf, CASE_ID, CASE_ROUND, PERSON_ID,
};
use crate::domain::text::terminal_safe;
use crate::error::{Error, Result};
use crate::table::export_file::ExportFile;

/// Read and check the ledger in the folder `dir`.
pub fn read(dir: &Path) -> Result<Ledger> {
    let rounds_path = dir.join(rf::EXPORT.file);
    let payouts_path = dir.join(pf::EXPORT.file);
    for p in [&rounds_path, &payouts_path] {
        if !p.is_file() {
            return Err(Error::Usage(format!(
                "--ledger {}: no {} (the folder of an earlier `winddown case` run holds it)",
                terminal_safe(&dir.display().to_string()),
                p.file_name().unwrap_or_default().to_string_lossy()
            )));
        }
    }
    let t = ExportFile::read(
        &rounds_path,
        rf::EXPORT.columns.iter().collect::<Vec<_>>().as_slice(),
    )?;
    let (case, round, on) = (
        t.text(&CASE_ID)?,
        t.int(&CASE_ROUND)?,
        t.date(&rf::ROUND_ON)?,
    );
    let m = |f| t.money(f);
    let (recovered, share, before, amount, losses) = (
        m(&rf::RECOVERED)?,
        m(&rf::PARTICIPANTS_SHARE)?,
        m(&rf::DISTRIBUTED_BEFORE)?,
        m(&rf::AMOUNT)?,
        m(&rf::LOSSES_CONFIRMED)?,
    );
    let (claimants, ratio) = (t.int(&rf::CLAIMANTS)?, t.opt_ratio(&rf::RATIO)?);
    let (paid, released, held, escrow, surplus, wf_surplus) = (
        m(&rf::PAID)?,
        m(&rf::RELEASED)?,
        m(&rf::HELD)?,
        m(&rf::ESCROW_OUTSTANDING)?,
        m(&rf::SURPLUS)?,
        m(&rf::WATERFALL_SURPLUS)?,
    );
    let bad = |path: &Path, why: String| Error::bad_file(path, format!("not a case ledger: {why}"));
    let mut rounds = Vec::with_capacity(t.rows());
    for i in 0..t.rows() {
        let round = u32::try_from(round[i])
            .ok()
            .filter(|r| *r >= 1)
            .ok_or_else(|| bad(&rounds_path, format!("round {}", round[i])))?;
        rounds.push(RoundRow {
            case_id: case[i].clone(),
            round,
            round_on: on[i],
            recovered: recovered[i],
            participants_share: share[i],
            distributed_before: before[i],
            amount: amount[i],
            losses_confirmed: losses[i],
            claimants: claimants[i],
            ratio: ratio[i],
            paid: paid[i],
            released: released[i],
            held: held[i],
            escrow_outstanding: escrow[i],
            surplus: surplus[i],
            waterfall_surplus: wf_surplus[i],
        });
    }
    let t = ExportFile::read(
        &payouts_path,
        pf::EXPORT.columns.iter().collect::<Vec<_>>().as_slice(),
    )?;
    let (case, round, person) = (t.text(&CASE_ID)?, t.int(&CASE_ROUND)?, t.text(&PERSON_ID)?);
    let m = |f| t.money(f);
    let (loss, paid_before, held_before, paid, released, held) = (
        m(&pf::LOSS)?,
        m(&pf::PAID_BEFORE)?,
        m(&pf::HELD_BEFORE)?,
        m(&pf::PAID)?,
        m(&pf::RELEASED)?,
        m(&pf::HELD)?,
    );
    let (channel, payee) = (t.text(&pf::CHANNEL)?, t.text(&pf::PAYEE)?);
    let mut payouts = Vec::with_capacity(t.rows());
    for i in 0..t.rows() {
        payouts.push(PayoutRow {
            case_id: case[i].clone(),
            round: u32::try_from(round[i]).unwrap_or(0),
            person_id: person[i].clone(),
            loss: loss[i],
            paid_before: paid_before[i],
            held_before: held_before[i],
            paid: paid[i],
            released: released[i],
            held: held[i],
            channel: channel[i].clone(),
            payee: payee[i].clone(),
        });
    }
    check(&rounds, &payouts).map_err(|why| bad(&payouts_path, why))?;
    Ok(Ledger { rounds, payouts })
}

/// The ledger's own arithmetic; `Err` says the first thing that does not add up.
pub fn check(rounds: &[RoundRow], payouts: &[PayoutRow]) -> std::result::Result<(), String> {
    let mut sums: BTreeMap<(&str, u32), [i64; 3]> = BTreeMap::new();
    for r in rounds {
        if sums.insert((r.case_id.as_str(), r.round), [0; 3]).is_some() {
            return Err(format!(
                "case {} has round {} twice",
                terminal_safe(&r.case_id),
                r.round
            ));
        }
        let parts = i128::from(r.paid) + i128::from(r.held) + i128::from(r.surplus);
        if parts != i128::from(r.amount)
            || [r.paid, r.held, r.released, r.amount]
                .iter()
                .any(|v| *v < 0)
        {
            return Err(format!(
                "case {} round {}: paid + held + surplus is not the amount",
                terminal_safe(&r.case_id),
                r.round
            ));
        }
    }
    let mut seen = BTreeSet::new();
    let mut escrow: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for p in payouts {
        let Some(s) = sums.get_mut(&(p.case_id.as_str(), p.round)) else {
            return Err(format!(
                "a payout of case {} round {} that has no round",
                terminal_safe(&p.case_id),
                p.round
            ));
        };
        if !seen.insert((p.case_id.as_str(), p.round, p.person_id.as_str())) {
            return Err(format!(
                "person {} twice in case {} round {}",
                terminal_safe(&p.person_id),
                terminal_safe(&p.case_id),
                p.round
            ));
        }
        if [p.paid, p.released, p.held, p.loss].iter().any(|v| *v < 0) {
            return Err(format!(
                "a negative amount for person {}",
                terminal_safe(&p.person_id)
            ));
        }
        s[0] += p.paid;
        s[1] += p.released;
        s[2] += p.held;
        let e = escrow
            .entry((p.case_id.as_str(), p.person_id.as_str()))
            .or_default();
        *e += p.held - p.released;
        if *e < 0 {
            return Err(format!(
                "person {} released more escrow than was held",
                terminal_safe(&p.person_id)
            ));
        }
    }
    for r in rounds {
        let s = sums[&(r.case_id.as_str(), r.round)];
        if s != [r.paid, r.released, r.held] {
            return Err(format!(
                "case {} round {}: its payouts do not add up to the round",
                terminal_safe(&r.case_id),
                r.round
            ));
        }
    }
    Ok(())
}
