//! Payout rounds: every round in the recoveries, per platform in ascending order, each on the
//! rounds before it — the ledger's rounds (already paid) as they were, the others computed by
//! [`super::allocate`] (docs/payouts.md). Platforms run in parallel.
//!
//! In: the claims (lender codes in byte order of their ids, per platform), the recoveries'
//! pools, and the ledger if any (already checked against the recoveries). Out: columns — one
//! row per lender in each round, and one per platform and round — sorted by (platform id,
//! round, lender id).

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::input::data::InputData;
use crate::payout::allocate::{self, Lender, Rule};
use crate::payout::ledger::Ledger;
use crate::rules::exposure::{Claims, Status};

/// payouts.parquet as columns (money in fen).
#[derive(Debug, Default, Clone)]
pub struct PayoutRows {
    pub platform: Vec<u32>,
    pub round: Vec<i64>,
    pub lender: Vec<u32>,
    pub status: Vec<Status>,
    pub claim: Vec<i64>,
    pub before: Vec<i64>,
    pub paid: Vec<i64>,
    pub reserved: Vec<i64>,
    pub carried: Vec<i64>,
}

impl PayoutRows {
    pub fn len(&self) -> usize {
        self.platform.len()
    }

    pub fn is_empty(&self) -> bool {
        self.platform.is_empty()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        platform: u32,
        round: i64,
        lender: u32,
        status: Status,
        claim: i64,
        before: i64,
        share: allocate::Share,
    ) {
        self.platform.push(platform);
        self.round.push(round);
        self.lender.push(lender);
        self.status.push(status);
        self.claim.push(claim);
        self.before.push(before);
        self.paid.push(share.paid);
        self.reserved.push(share.reserved);
        self.carried.push(share.carried);
    }

    /// Room for exactly `n` more rows in every column.
    fn reserve_exact(&mut self, n: usize) {
        self.platform.reserve_exact(n);
        self.round.reserve_exact(n);
        self.lender.reserve_exact(n);
        self.status.reserve_exact(n);
        self.claim.reserve_exact(n);
        self.before.reserve_exact(n);
        self.paid.reserve_exact(n);
        self.reserved.reserve_exact(n);
        self.carried.reserve_exact(n);
    }

    fn shrink_to_fit(&mut self) {
        self.platform.shrink_to_fit();
        self.round.shrink_to_fit();
        self.lender.shrink_to_fit();
        self.status.shrink_to_fit();
        self.claim.shrink_to_fit();
        self.before.shrink_to_fit();
        self.paid.shrink_to_fit();
        self.reserved.shrink_to_fit();
        self.carried.shrink_to_fit();
    }

    fn append(&mut self, other: PayoutRows) {
        self.platform.extend(other.platform);
        self.round.extend(other.round);
        self.lender.extend(other.lender);
        self.status.extend(other.status);
        self.claim.extend(other.claim);
        self.before.extend(other.before);
        self.paid.extend(other.paid);
        self.reserved.extend(other.reserved);
        self.carried.extend(other.carried);
    }
}

/// One payout_rounds.parquet row.
#[derive(Debug, Clone)]
pub struct RoundRow {
    pub platform: u32,
    pub round: i64,
    pub pool: i64,
    pub paid: i64,
    pub reserved: i64,
    pub carried: i64,
    pub surplus: i64,
    pub lenders: i64,
    pub lenders_paid: i64,
    /// Null for rounds taken from a ledger (not recomputed) and under small first when the
    /// tranches are not covered.
    pub level: Option<f64>,
    /// Computed in this run (false: copied from the ledger).
    pub computed: bool,
}

/// The payout stage's result.
#[derive(Debug, Default, Clone)]
pub struct Payouts {
    pub rows: PayoutRows,
    pub rounds: Vec<RoundRow>,
}

impl Payouts {
    /// The rows that are bank transfers now: paid > 0 in a round computed in this run (a round
    /// taken from the ledger was paid before), in row order. The payment file and the bank
    /// batches both send exactly these.
    pub fn transfers(&self) -> Vec<usize> {
        let computed: std::collections::HashSet<(u32, i64)> = self
            .rounds
            .iter()
            .filter(|r| r.computed)
            .map(|r| (r.platform, r.round))
            .collect();
        let r = &self.rows;
        (0..r.len())
            .filter(|&i| r.paid[i] > 0 && computed.contains(&(r.platform[i], r.round[i])))
            .collect()
    }

    /// The first platform with more than one round computed in this run, and those rounds.
    pub fn several_rounds(&self, data: &InputData) -> Option<(String, String)> {
        let mut by_platform: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for r in self.rounds.iter().filter(|r| r.computed) {
            by_platform
                .entry(&data.platforms.ids[r.platform as usize])
                .or_default()
                .push(r.round);
        }
        by_platform
            .into_iter()
            .find(|(_, r)| r.len() > 1)
            .map(|(p, r)| {
                let list: Vec<String> = r.iter().map(i64::to_string).collect();
                (p.to_string(), list.join(", "))
            })
    }
}

/// Per platform code, (round, pool) ascending: Σ of the accepted recoveries rows.
pub fn pools(data: &InputData) -> BTreeMap<u32, Vec<(i64, i64)>> {
    let mut by: BTreeMap<u32, BTreeMap<i64, i64>> = BTreeMap::new();
    for r in &data.recoveries {
        let pool = by
            .entry(r.platform)
            .or_default()
            .entry(r.round)
            .or_default();
        // Bounded: the recoveries' amounts add up within i64 (checked by validation).
        *pool = pool.saturating_add(r.amount);
    }
    by.into_iter()
        .map(|(p, rounds)| (p, rounds.into_iter().collect()))
        .collect()
}

/// A lender who can be in a round: position index, lender code, claim, reserved.
#[derive(Debug, Clone, Copy)]
struct Member {
    lender: u32,
    claim: i64,
    status: Status,
    /// Gross invested and withdrawn (for the rising-tide rule).
    invested: i64,
    withdrawn: i64,
}

/// Compute the rounds. `who` names a lender in messages (a pseudonym under --pseudonymize).
pub fn payouts(
    data: &InputData,
    claims: &Claims,
    ledger: Option<&Ledger>,
    rule: Rule,
    who: &(dyn Fn(&str) -> String + Sync),
    progress: &dyn crate::progress::Progress,
) -> Result<Payouts> {
    let pools = pools(data);
    if let Some(l) = ledger {
        l.check_against(data, &pools)?;
    }
    // The members of each platform with a pool: claim > 0, eligible or reserved, in lender id
    // byte order (the positions are in that order already).
    let members = |code: u32| -> Vec<Member> {
        data.positions.ranges[code as usize]
            .clone()
            .filter(|&i| claims.claim[i] > 0 && claims.status[i] != Status::Excluded)
            .map(|i| {
                let sums = data.positions.sums[i];
                Member {
                    lender: data.positions.lender[i],
                    claim: claims.claim[i],
                    status: claims.status[i],
                    invested: sums.invested,
                    withdrawn: sums
                        .principal_returned
                        .saturating_add(sums.returns_received),
                }
            })
            .collect()
    };
    // The ledger's rows must still fit today's claims, on every platform.
    if let Some(l) = ledger {
        l.check_claims(data, claims, who)?;
    }
    let order: Vec<u32> = data
        .platforms
        .by_id()
        .into_iter()
        .filter(|c| pools.contains_key(c))
        .collect();
    let rank = &data.lenders.rank;
    progress.begin(
        "兑付 payouts",
        Some(order.len() as u64),
        crate::progress::Unit::Platforms,
    );
    let results: Vec<Result<(PayoutRows, Vec<RoundRow>)>> = order
        .par_iter()
        .map(|&code| {
            let rounds = &pools[&code];
            let r = platform_rounds(code, rounds, &members(code), ledger, rule, rank);
            progress.advance(1);
            r
        })
        .collect();
    // Gathered into columns reserved once at their final size, each platform's rows freed as
    // they are copied: growing by doubling would hold up to three copies of 50 million rows.
    let mut parts = Vec::with_capacity(results.len());
    for r in results {
        parts.push(r?);
    }
    let mut out = Payouts::default();
    out.rows
        .reserve_exact(parts.iter().map(|(rows, _)| rows.len()).sum());
    for (rows, rounds) in parts {
        out.rows.append(rows);
        out.rounds.extend(rounds);
    }
    progress.end(out.rows.len() as u64);
    Ok(out)
}

/// Every round of one platform, ascending.
fn platform_rounds(
    code: u32,
    rounds: &[(i64, i64)],
    members: &[Member],
    ledger: Option<&Ledger>,
    rule: Rule,
    rank: &[u32],
) -> Result<(PayoutRows, Vec<RoundRow>)> {
    let mut rows = PayoutRows::default();
    let mut round_rows = Vec::with_capacity(rounds.len());
    // before: Σ paid + reserved of each lender over the rounds so far.
    let mut before: HashMap<u32, i64> = HashMap::new();
    for &(round, pool) in rounds {
        if let Some((paid, old)) = ledger.and_then(|l| l.round(code, round)) {
            for &k in old {
                let add = paid.paid[k].saturating_add(paid.reserved[k]);
                let b = before.entry(paid.lender[k]).or_default();
                *b = b.saturating_add(add);
                rows.push(
                    code,
                    round,
                    paid.lender[k],
                    paid.status[k],
                    paid.claim[k],
                    paid.before[k],
                    allocate::Share {
                        paid: paid.paid[k],
                        reserved: paid.reserved[k],
                        carried: paid.carried[k],
                    },
                );
            }
            let r = paid.round_row(code, round).ok_or_else(|| {
                Error::Internal(format!(
                    "ledger round {round} has no line for platform code {code}"
                ))
            })?;
            round_rows.push(r);
            continue;
        }
        let lenders: Vec<Lender> = members
            .iter()
            .map(|m| Lender {
                key: rank[m.lender as usize],
                claim: m.claim,
                reserved: m.status == Status::Reserved,
                before: before.get(&m.lender).copied().unwrap_or(0),
                invested: m.invested,
                withdrawn: m.withdrawn,
            })
            .collect();
        let result = allocate::allocate(pool, &lenders, rule)?;
        for ((m, l), share) in members.iter().zip(&lenders).zip(&result.shares) {
            rows.push(code, round, m.lender, m.status, m.claim, l.before, *share);
        }
        for (m, share) in members.iter().zip(&result.shares) {
            let b = before.entry(m.lender).or_default();
            *b = b.saturating_add(share.paid + share.reserved);
        }
        round_rows.push(RoundRow {
            platform: code,
            round,
            pool,
            paid: result.paid,
            reserved: result.reserved,
            carried: result.carried,
            surplus: result.surplus,
            lenders: members.len() as i64,
            lenders_paid: result.lenders_paid,
            level: result.level,
            computed: true,
        });
    }
    // Until they are gathered, the rows of every platform are held at once: without the slack.
    rows.shrink_to_fit();
    Ok((rows, round_rows))
}
