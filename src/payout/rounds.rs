//! Payout rounds: every round in the recoveries, per platform in ascending order, each on the
//! rounds before it — the ledger's rounds (already paid) as they were, the others computed by
//! [`super::allocate`] (docs/payouts.md). Platforms run in parallel.
//!
//! Then the bank's returned transfers (the returns table) are booked on the round they came
//! from ([`super::returns`]). The rows themselves are [`super::rows`].
//!
//! In: the claims (lender codes in byte order of their ids, per platform), the recoveries'
//! pools, the returns, and the ledger if any (already checked against the recoveries). Out:
//! columns — one row per lender in each round, and one per platform and round — sorted by
//! (platform id, round, lender id); and what became of each lender's returns per round.

use crate::domain::money::Fen;
use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::domain::code::{ByCode, LenderCode, PlatformCode};
use crate::error::{Error, Result};
use crate::input::data::{InputData, Return};
use crate::payout::allocate::{self, Lender, Rule};
use crate::payout::ledger::Ledger;
use crate::payout::returns::{self, book_returns, returned_per_lender, returns_by_platform};
use crate::rules::exposure::{Claims, Status};

pub use crate::payout::returns::ReturnedTransfer;
use crate::payout::rows::RowShare;
pub use crate::payout::rows::{PayoutRows, RoundRow, RowReturns, Transfer, TransferKind};

/// The payout stage's result.
#[derive(Debug, Default, Clone)]
pub struct Payouts {
    pub rows: PayoutRows,
    pub rounds: Vec<RoundRow>,
    /// Per (platform, round, lender) with returns, in platform, round and lender code order.
    pub returned: Vec<ReturnedTransfer>,
}

impl Payouts {
    /// The bank transfers of this run, in row order, each with its amount: the rows paid > 0
    /// in a round computed now (a round taken from the ledger was paid before), and the
    /// returned amounts re-issued now, in the round they belong to. The payment file and the
    /// bank batches both send exactly these.
    pub fn transfers(&self) -> Vec<Transfer> {
        let computed = self.computed_rounds();
        let r = &self.rows;
        (0..r.len())
            .filter_map(|i| {
                if computed.contains(&(r.platform(i), r.round(i))) {
                    (r.paid(i) > Fen::ZERO).then_some(Transfer {
                        row: i,
                        amount: r.paid(i),
                        kind: TransferKind::Payout,
                    })
                } else {
                    let again = r.returns(i).reissued;
                    (again > Fen::ZERO).then_some(Transfer {
                        row: i,
                        amount: again,
                        kind: TransferKind::Reissue,
                    })
                }
            })
            .collect()
    }

    /// The (platform code, round) computed in this run.
    pub fn computed_rounds(&self) -> std::collections::HashSet<(PlatformCode, i64)> {
        self.rounds
            .iter()
            .filter(|r| r.computed)
            .map(|r| (r.platform, r.round))
            .collect()
    }

    /// The first round computed in this run that the returns table says was paid already
    /// (platform code, round): its transfers cannot be sent again from this run.
    pub fn returns_on_computed_round(&self) -> Option<(PlatformCode, i64)> {
        self.rounds
            .iter()
            .find(|r| r.computed && r.returned + r.reissued > Fen::ZERO)
            .map(|r| (r.platform, r.round))
    }
}

/// The first platform (in id order) with more than one round in the recoveries, and those
/// rounds: without a ledger, a command would compute and pay them all at once.
pub fn several_rounds(data: &InputData) -> Option<(String, String)> {
    let pools = pools(data);
    data.platforms
        .by_id()
        .into_iter()
        .filter_map(|c| pools.get(&c).map(|r| (c, r)))
        .find(|(_, r)| r.len() > 1)
        .map(|(c, r)| {
            let list: Vec<String> = r.iter().map(|(n, _)| n.to_string()).collect();
            (data.platforms.ids[c].clone(), list.join(", "))
        })
}

/// Per platform code, (round, pool) ascending: Σ of the accepted recoveries rows.
pub fn pools(data: &InputData) -> BTreeMap<PlatformCode, Vec<(i64, Fen)>> {
    let mut by: BTreeMap<PlatformCode, BTreeMap<i64, Fen>> = BTreeMap::new();
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
    lender: LenderCode,
    claim: Fen,
    status: Status,
    /// Gross invested and withdrawn (for the rising-tide rule).
    invested: Fen,
    withdrawn: Fen,
}

/// Compute the rounds. `sending`: the command writes a payment file or batches, so a held
/// return whose lender's account has changed is re-issued now (without them it stays held: a
/// re-issue that no file carries would never reach the bank). `who` names a lender in
/// messages (a pseudonym under --pseudonymize).
pub fn payouts(
    data: &InputData,
    claims: &Claims,
    ledger: Option<&Ledger>,
    rule: Rule,
    sending: bool,
    who: &(dyn Fn(&str) -> String + Sync),
    progress: &dyn crate::progress::Progress,
) -> Result<Payouts> {
    let pools = pools(data);
    if let Some(l) = ledger {
        l.check_against(data, &pools)?;
    }
    // The members of each platform with a pool: claim > 0, eligible or reserved, in lender id
    // byte order (the positions are in that order already).
    let members = |code: PlatformCode| -> Vec<Member> {
        data.positions.ranges[code]
            .clone()
            .filter(|&i| claims.in_pool(data, code, i))
            .map(|i| {
                let sums = data.positions.sums.get(i);
                Member {
                    lender: data.positions.lender[i],
                    claim: claims.claim_on(code, &data.positions, i),
                    status: claims.status(data, i),
                    invested: sums.invested,
                    withdrawn: Fen(sums
                        .principal_returned
                        .saturating_add(sums.returns_received)
                        .get()),
                }
            })
            .collect()
    };
    // The ledger's rows must still fit today's claims, on every platform.
    if let Some(l) = ledger {
        l.check_claims(data, claims, who)?;
    }
    let order: Vec<PlatformCode> = data
        .platforms
        .by_id()
        .into_iter()
        .filter(|c| pools.contains_key(c))
        .collect();
    let returns = returns_by_platform(data, &pools, who)?;
    let rank = &data.lenders.rank;
    progress.begin(
        "兑付 payouts",
        Some(order.len() as u64),
        crate::progress::Unit::Platforms,
    );
    // The platforms a slice at a time, each slice's in parallel, then appended to the columns
    // in order and freed: every platform's rows held at once beside the columns they are
    // copied into held them twice (5 GB at national scale). The columns grow by doubling, but
    // the room not yet written is never touched, so it costs no memory; the first error in
    // platform order is the one returned, as when all were computed first.
    let mut out = Payouts::default();
    for slice in order.chunks(PLATFORMS_AT_ONCE) {
        let results: Vec<Result<PlatformPayouts>> = slice
            .par_iter()
            .map(|&code| {
                let rounds = &pools[&code];
                let books = Books {
                    ledger,
                    returns: returns.get(&code).map(Vec::as_slice).unwrap_or(&[]),
                    data,
                    sending,
                    who,
                };
                let r = platform_rounds(code, rounds, &members(code), &books, rule, rank);
                progress.advance(1);
                r
            })
            .collect();
        for r in results {
            let (rows, rounds, returned) = r?;
            out.rows.append(rows);
            out.rounds.extend(rounds);
            out.returned.extend(returned);
        }
        // The slice's rows, freed on the threads that computed them, are handed back rather
        // than kept resident beside the growing columns (0.5 GB at national scale).
        crate::memory::give_back();
    }
    out.rows.shrink_to_fit();
    progress.end(out.rows.len() as u64);
    Ok(out)
}

/// Platforms whose rounds are computed together before their rows are appended: enough to
/// keep two cores busy whatever the platforms' sizes, few enough that their rows are a small
/// part of the whole.
const PLATFORMS_AT_ONCE: usize = 64;

/// What a platform's rounds are computed on besides its members: the ledger's rounds, the
/// platform's returned transfers, and how to name things in messages.
struct Books<'a> {
    ledger: Option<&'a Ledger>,
    returns: &'a [&'a Return],
    data: &'a InputData,
    /// Whether held returns can be re-issued (a payment file or batches carry them).
    sending: bool,
    who: &'a (dyn Fn(&str) -> String + Sync),
}

/// One platform's payout rows, round rows and returned transfers.
type PlatformPayouts = (PayoutRows, Vec<RoundRow>, Vec<ReturnedTransfer>);

/// Every round of one platform, ascending, each with the returned transfers booked on it and
/// re-issued where the lender's account has changed.
fn platform_rounds(
    code: PlatformCode,
    rounds: &[(i64, Fen)],
    members: &[Member],
    books: &Books<'_>,
    rule: Rule,
    rank: &ByCode<LenderCode, u32>,
) -> Result<PlatformPayouts> {
    let mut rows = PayoutRows::default();
    let mut round_rows = Vec::with_capacity(rounds.len());
    let mut transfers = Vec::new();
    let returned = returned_per_lender(books.returns);
    // before: Σ paid + reserved + returned of each member over the rounds so far (a returned
    // transfer is still the lender's: held for them), by member index.
    let mut before: Vec<Fen> = vec![Fen::ZERO; members.len()];
    // A ledger row's member: members are in lender id order (their rank), like the rows.
    let member_of = |lender: LenderCode| {
        let key = *rank.get(lender)?;
        members.binary_search_by_key(&key, |m| rank[m.lender]).ok()
    };
    for &(round, pool) in rounds {
        let start = rows.len();
        let ledger_round = books.ledger.and_then(|l| l.round(code, round));
        let from_ledger = ledger_round.is_some();
        if let Some((paid, old)) = ledger_round {
            for &k in old {
                let lender = paid.lender[k].ok_or_else(|| {
                    Error::Internal(format!(
                        "ledger round {round} of platform code {} pays a lender not in the data",
                        code.get()
                    ))
                })?;
                rows.push(
                    code,
                    round,
                    lender,
                    paid.status[k],
                    paid.claim[k],
                    paid.before[k],
                    RowShare {
                        paid: paid.paid[k],
                        reserved: paid.reserved[k],
                        carried: paid.carried[k],
                        returned: paid.returned[k],
                        returned_total: paid.returned_total[k],
                    },
                );
            }
            let r = paid.round_line(code, round).ok_or_else(|| {
                Error::Internal(format!(
                    "ledger round {round} has no line for platform code {}",
                    code.get()
                ))
            })?;
            // The round as it was written; not recomputed (level null).
            round_rows.push(RoundRow {
                platform: code,
                round,
                pool: r.pool,
                paid: r.paid,
                reserved: r.reserved,
                carried: r.carried,
                returned: r.returned,
                reissued: Fen::ZERO,
                surplus: r.surplus,
                lenders: r.lenders,
                lenders_paid: r.lenders_paid,
                level: None,
                computed: false,
            });
        } else {
            let lenders: Vec<Lender> = members
                .iter()
                .zip(&before)
                .map(|(m, &before)| Lender {
                    key: rank[m.lender],
                    claim: m.claim,
                    reserved: m.status == Status::Reserved,
                    before,
                    invested: m.invested,
                    withdrawn: m.withdrawn,
                })
                .collect();
            let result = allocate::allocate(pool, &lenders, rule)?;
            for ((m, l), share) in members.iter().zip(&lenders).zip(&result.shares) {
                rows.push(
                    code,
                    round,
                    m.lender,
                    m.status,
                    m.claim,
                    l.before,
                    (*share).into(),
                );
            }
            round_rows.push(RoundRow {
                platform: code,
                round,
                pool,
                paid: result.paid,
                reserved: result.reserved,
                carried: result.carried,
                returned: Fen::ZERO,
                reissued: Fen::ZERO,
                surplus: result.surplus,
                lenders: members.len() as i64,
                lenders_paid: result.lenders_paid,
                level: result.level,
                computed: true,
            });
        }
        let end = rows.len();
        if let Some(line) = round_rows.last_mut() {
            let context = returns::Books {
                data: books.data,
                sending: books.sending,
                who: books.who,
            };
            book_returns(
                &mut rows,
                start..end,
                line,
                &returned,
                &context,
                &mut transfers,
            )?;
        }
        for k in start..end {
            // A computed round's rows are the members in order; a ledger's are looked up.
            let j = if from_ledger {
                member_of(rows.lender[k])
            } else {
                Some(k - start)
            };
            if let Some(b) = j.and_then(|j| before.get_mut(j)) {
                *b = b.saturating_add(rows.given(k));
            }
        }
    }
    // Until they are gathered, the rows of every platform are held at once: without the slack.
    rows.shrink_to_fit();
    Ok((rows, round_rows, transfers))
}
