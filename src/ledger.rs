//! The ledger: the payout rounds already paid, as an earlier run wrote them (its
//! payouts.parquet and the payout_rounds.parquet beside it).
//!
//! A ledger is read whole and checked on its own before it is trusted: every row's round is in
//! the rounds file, no (platform, round, lender) twice, no negative amount, and each round's
//! rows add up to its paid / reserved / carried, with pool = paid + reserved + carried +
//! surplus. [`check_against`] then checks it against today's recoveries: a round already paid
//! must still have the pool it was paid from, and a round not yet paid may not be numbered
//! below a paid one — cash that arrives late is booked as a new round. Anything else is
//! refused with exit 2 and a message that says what to do; money already sent is never
//! recomputed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::money::format_fen;
use crate::pipeline::PayoutRow;

/// One round of the ledger, from payout_rounds.parquet (money in fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRound {
    pub platform_id: String,
    pub round: i64,
    pub pool: i64,
    pub paid: i64,
    pub reserved: i64,
    pub carried: i64,
    pub surplus: i64,
    pub lenders: i64,
    pub lenders_paid: i64,
}

/// The rounds already paid.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// payouts.parquet, as given.
    pub path: PathBuf,
    pub rows: Vec<PayoutRow>,
    /// Sorted by (platform, round).
    pub rounds: Vec<LedgerRound>,
}

impl Ledger {
    /// The highest paid round of each platform.
    pub fn last_rounds(&self) -> BTreeMap<&str, i64> {
        let mut last = BTreeMap::new();
        for r in &self.rounds {
            let e = last.entry(r.platform_id.as_str()).or_insert(r.round);
            *e = (*e).max(r.round);
        }
        last
    }
}

/// Read a ledger: `path` is an earlier output's payouts.parquet or the folder holding it.
pub fn read(path: &Path) -> Result<Ledger> {
    let payouts = if path.is_dir() {
        path.join("payouts.parquet")
    } else {
        path.to_path_buf()
    };
    if !payouts.is_file() {
        return Err(Error::bad_file(
            &payouts,
            "no such ledger (an earlier run's payouts.parquet)",
        ));
    }
    let rows = read_rows(&payouts)?;
    let rounds_path = payouts.with_file_name("payout_rounds.parquet");
    if !rounds_path.is_file() {
        return Err(Error::bad_file(
            &payouts,
            "a ledger needs the payout_rounds.parquet written beside it",
        ));
    }
    let rounds = read_rounds(&rounds_path)?;
    check_itself(&payouts, &rows, &rounds)?;
    Ok(Ledger {
        path: payouts,
        rows,
        rounds,
    })
}

fn read_rows(path: &Path) -> Result<Vec<PayoutRow>> {
    let bad = |m: String| Error::bad_file(path, m);
    let df = crate::frame::read_parquet_file(path)?;
    let text = |name: &str| -> Result<Vec<String>> {
        Ok(df
            .column(name)
            .map_err(|_| bad(format!("not a payouts ledger: no column {name}")))?
            .str()
            .map_err(|_| bad(format!("column {name} is not text")))?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect())
    };
    let rounds = integers(&df, "round", path)?;
    let money = |name: &str| crate::frame::decimal_fen(&df, name, path);
    let (platforms, lenders, status) = (text("platform_id")?, text("lender_id")?, text("status")?);
    let (claim, before, paid, reserved, carried) = (
        money("claim")?,
        money("before")?,
        money("paid")?,
        money("reserved")?,
        money("carried")?,
    );
    Ok((0..df.height())
        .map(|i| PayoutRow {
            platform_id: platforms[i].clone(),
            round: rounds[i],
            lender_id: lenders[i].clone(),
            status: if status[i] == "reserved" {
                "reserved"
            } else {
                "eligible"
            },
            claim: claim[i],
            before: before[i],
            paid: paid[i],
            reserved: reserved[i],
            carried: carried[i],
        })
        .collect())
}

fn integers(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<i64>> {
    let bad = || Error::bad_file(path, format!("column {name} is not an integer column"));
    let c = df
        .column(name)
        .map_err(|_| Error::bad_file(path, format!("not a ledger: no column {name}")))?;
    if !c.dtype().is_integer() {
        return Err(bad());
    }
    let c = c.strict_cast(&DataType::Int64).map_err(|_| bad())?;
    c.i64()
        .map_err(|_| bad())?
        .iter()
        .map(|v| v.ok_or_else(bad))
        .collect()
}

fn read_rounds(path: &Path) -> Result<Vec<LedgerRound>> {
    let df = crate::frame::read_parquet_file(path)?;
    let ids: Vec<String> = df
        .column("platform_id")
        .and_then(|c| c.str().cloned())
        .map_err(|_| Error::bad_file(path, "not payout rounds: no text column platform_id"))?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let round = integers(&df, "round", path)?;
    let lenders = integers(&df, "lenders", path)?;
    let lenders_paid = integers(&df, "lenders_paid", path)?;
    let money = |name: &str| crate::frame::decimal_fen(&df, name, path);
    let (pool, paid, reserved, carried, surplus) = (
        money("pool")?,
        money("paid")?,
        money("reserved")?,
        money("carried")?,
        money("surplus")?,
    );
    let mut rounds: Vec<LedgerRound> = (0..df.height())
        .map(|i| LedgerRound {
            platform_id: ids[i].clone(),
            round: round[i],
            pool: pool[i],
            paid: paid[i],
            reserved: reserved[i],
            carried: carried[i],
            surplus: surplus[i],
            lenders: lenders[i],
            lenders_paid: lenders_paid[i],
        })
        .collect();
    rounds.sort_by(|a, b| {
        (a.platform_id.as_bytes(), a.round).cmp(&(b.platform_id.as_bytes(), b.round))
    });
    Ok(rounds)
}

/// The ledger agrees with itself: rows belong to rounds and add up to them.
fn check_itself(path: &Path, rows: &[PayoutRow], rounds: &[LedgerRound]) -> Result<()> {
    let bad = |m: String| Error::bad_file(path, format!("not a consistent ledger: {m}"));
    let mut seen_rounds = BTreeSet::new();
    for r in rounds {
        if !seen_rounds.insert((r.platform_id.as_str(), r.round)) {
            return Err(bad(format!(
                "round {} of platform {} appears twice in payout_rounds.parquet",
                r.round, r.platform_id
            )));
        }
        let parts = [r.pool, r.paid, r.reserved, r.carried, r.surplus];
        let sum = i128::from(r.paid)
            + i128::from(r.reserved)
            + i128::from(r.carried)
            + i128::from(r.surplus);
        if parts.iter().any(|v| *v < 0) || sum != i128::from(r.pool) {
            return Err(bad(format!(
                "round {} of platform {}: paid + reserved + carried + surplus ≠ pool",
                r.round, r.platform_id
            )));
        }
    }
    let mut sums: BTreeMap<(&str, i64), (i128, i128, i128, i64)> = BTreeMap::new();
    let mut keys: HashSet<(&str, i64, &str)> = HashSet::with_capacity(rows.len());
    for row in rows {
        if row.paid < 0 || row.reserved < 0 || row.carried < 0 || row.claim <= 0 {
            return Err(bad(format!(
                "a row of round {} of platform {} has a negative amount",
                row.round, row.platform_id
            )));
        }
        if !keys.insert((row.platform_id.as_str(), row.round, row.lender_id.as_str())) {
            return Err(bad(format!(
                "a lender appears twice in round {} of platform {}",
                row.round, row.platform_id
            )));
        }
        let e = sums
            .entry((row.platform_id.as_str(), row.round))
            .or_default();
        e.0 += i128::from(row.paid);
        e.1 += i128::from(row.reserved);
        e.2 += i128::from(row.carried);
        e.3 += 1;
    }
    for r in rounds {
        let (paid, reserved, carried, n) = sums
            .remove(&(r.platform_id.as_str(), r.round))
            .unwrap_or_default();
        if (paid, reserved, carried, n)
            != (
                i128::from(r.paid),
                i128::from(r.reserved),
                i128::from(r.carried),
                r.lenders,
            )
        {
            return Err(bad(format!(
                "the rows of round {} of platform {} do not add up to payout_rounds.parquet",
                r.round, r.platform_id
            )));
        }
    }
    if let Some(((platform, round), _)) = sums.into_iter().next() {
        return Err(bad(format!(
            "round {round} of platform {platform} has rows but no line in payout_rounds.parquet"
        )));
    }
    Ok(())
}

/// The ledger against today's recoveries (`pools`: per platform, (round, pool) ascending).
/// A paid round must keep its pool; an unpaid round must come after every paid one.
pub fn check_against(ledger: &Ledger, pools: &BTreeMap<String, Vec<(i64, i64)>>) -> Result<()> {
    let shown = ledger.path.display();
    for r in &ledger.rounds {
        let now = pools
            .get(&r.platform_id)
            .and_then(|rounds| rounds.iter().find(|(n, _)| *n == r.round))
            .map(|(_, pool)| *pool);
        match now {
            None => {
                return Err(Error::Usage(format!(
                    "ledger {shown}: round {} of platform {} was paid from a pool of {} yuan, but the \
                     recoveries no longer list that round; keep every paid round in recoveries as it was",
                    r.round,
                    r.platform_id,
                    format_fen(r.pool)
                )))
            }
            Some(pool) if pool != r.pool => {
                return Err(Error::Usage(format!(
                    "ledger {shown}: round {} of platform {} was paid from a pool of {} yuan, but the \
                     recoveries now give {} yuan for it; a round already paid cannot change: restore \
                     its recoveries and book the difference as a new round",
                    r.round,
                    r.platform_id,
                    format_fen(r.pool),
                    format_fen(pool)
                )))
            }
            Some(_) => {}
        }
    }
    let last = ledger.last_rounds();
    for (platform, rounds) in pools {
        let Some(&paid_up_to) = last.get(platform.as_str()) else {
            continue;
        };
        let paid: BTreeSet<i64> = ledger
            .rounds
            .iter()
            .filter(|r| &r.platform_id == platform)
            .map(|r| r.round)
            .collect();
        if let Some((late, _)) = rounds
            .iter()
            .find(|(n, _)| !paid.contains(n) && *n < paid_up_to)
        {
            return Err(Error::Usage(format!(
                "ledger {shown}: platform {platform} has round {late} in the recoveries, not paid, \
                 below round {paid_up_to} that was paid already; book cash that arrives late as a \
                 new round, numbered {} or higher",
                paid_up_to + 1
            )));
        }
    }
    Ok(())
}
