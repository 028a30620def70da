//! Payout rounds: every round in the recoveries, per platform in ascending order, each on the
//! rounds before it — the ledger's rounds (already paid) as they were, the others computed by
//! [`super::allocate`] (docs/payouts.md). Platforms run in parallel.
//!
//! Then the bank's returned transfers (the returns table) are booked on the round they came
//! from: paid → returned (held for the lender, still in `before`), and sent again in this run
//! where the lender's account has changed since (docs/payouts.md, "Returned transfers").
//!
//! In: the claims (lender codes in byte order of their ids, per platform), the recoveries'
//! pools, the returns, and the ledger if any (already checked against the recoveries). Out:
//! columns — one row per lender in each round, and one per platform and round — sorted by
//! (platform id, round, lender id); and what became of each lender's returns per round.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;

use crate::domain::date::Date;
use crate::domain::money::format_fen;
use crate::error::{Error, Result};
use crate::input::data::{InputData, Return, ReturnAccount};
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
    /// The rows with returned transfers, by row ascending: sparse, since almost no row has any
    /// (three dense columns would cost 1.2 GB at national scale).
    returns: Vec<(usize, RowReturns)>,
}

/// A payouts row's returned transfers (fen).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RowReturns {
    /// Sent, came back (the returns table), and held for the lender: not re-issued yet.
    pub returned: i64,
    /// Σ the returns of the row's transfers so far, re-issued or not (what the returns table
    /// lists for it).
    pub total: i64,
    /// Re-issued now: held returns sent again in this run, to the lender's new account.
    pub reissued: i64,
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
        share: RowShare,
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
        if share.returned != 0 || share.returned_total != 0 {
            self.returns.push((
                self.platform.len() - 1,
                RowReturns {
                    returned: share.returned,
                    total: share.returned_total,
                    reissued: 0,
                },
            ));
        }
    }

    /// Row `i`'s returned transfers (all 0 for almost every row).
    pub fn returns(&self, i: usize) -> RowReturns {
        if self.returns.is_empty() {
            return RowReturns::default();
        }
        match self.returns.binary_search_by_key(&i, |(k, _)| *k) {
            Ok(j) => self.returns[j].1,
            Err(_) => RowReturns::default(),
        }
    }

    /// Row `i`'s returned transfers, to change.
    fn returns_mut(&mut self, i: usize) -> &mut RowReturns {
        let j = match self.returns.binary_search_by_key(&i, |(k, _)| *k) {
            Ok(j) => j,
            Err(j) => {
                self.returns.insert(j, (i, RowReturns::default()));
                j
            }
        };
        &mut self.returns[j].1
    }

    /// Row `i`'s paid + reserved + returned: what the row gives the lender.
    pub fn given(&self, i: usize) -> i64 {
        self.paid[i]
            .saturating_add(self.reserved[i])
            .saturating_add(self.returns(i).returned)
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
        let base = self.len();
        self.returns
            .extend(other.returns.into_iter().map(|(k, r)| (base + k, r)));
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

/// What a row holds of the round's pool.
#[derive(Debug, Clone, Copy, Default)]
struct RowShare {
    paid: i64,
    reserved: i64,
    carried: i64,
    returned: i64,
    returned_total: i64,
}

impl From<allocate::Share> for RowShare {
    fn from(s: allocate::Share) -> RowShare {
        RowShare {
            paid: s.paid,
            reserved: s.reserved,
            carried: s.carried,
            ..RowShare::default()
        }
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
    /// Σ returned: sent, came back, held.
    pub returned: i64,
    /// Σ re-issued in this run.
    pub reissued: i64,
    pub surplus: i64,
    pub lenders: i64,
    pub lenders_paid: i64,
    /// Null for rounds taken from a ledger (not recomputed) and under small first when the
    /// tranches are not covered.
    pub level: Option<f64>,
    /// Computed in this run (false: copied from the ledger).
    pub computed: bool,
}

/// A bank transfer of this run: payouts row `row`, `amount` fen, and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub row: usize,
    pub amount: i64,
    pub kind: TransferKind,
}

/// What a transfer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferKind {
    /// The lender's payout in a round computed now.
    Payout,
    /// A returned amount sent again (its round was paid before).
    Reissue,
    /// A payout of an earlier round that no batch could carry then (no valid account,
    /// `withheld` in the register), sent now.
    CatchUp,
}

impl TransferKind {
    pub fn code(self) -> &'static str {
        match self {
            TransferKind::Payout => "payout",
            TransferKind::Reissue => "reissue",
            TransferKind::CatchUp => "catch_up",
        }
    }

    pub fn parse(s: &str) -> Option<TransferKind> {
        match s {
            "payout" => Some(TransferKind::Payout),
            "reissue" => Some(TransferKind::Reissue),
            "catch_up" => Some(TransferKind::CatchUp),
            _ => None,
        }
    }

    /// How the purpose line (用途) and the exceptions list say it.
    pub fn zh_en(self) -> (&'static str, &'static str) {
        match self {
            TransferKind::Payout => ("兑付", "payout"),
            TransferKind::Reissue => ("退汇重发", "re-issue"),
            TransferKind::CatchUp => ("补发", "catch-up"),
        }
    }
}

/// What became of one lender's returned transfers of one round (returned_transfers.parquet).
#[derive(Debug, Clone)]
pub struct ReturnedTransfer {
    pub platform: u32,
    pub round: i64,
    pub lender: u32,
    /// Σ of the returns table for it.
    pub total: i64,
    /// Booked in this run (the rest was booked by the ledger's runs).
    pub booked_now: i64,
    /// Held for the lender after this run.
    pub held: i64,
    /// Sent again in this run.
    pub reissued: i64,
    /// The latest return's date, and the lender's account against it.
    pub last_returned_on: Date,
    pub account: ReturnAccount,
}

impl ReturnedTransfer {
    /// What became of it — `reissued` (now), `held`, or `settled` (re-issued before) — and
    /// why: a reason code and its Chinese.
    pub fn disposition(&self) -> (&'static str, &'static str, &'static str) {
        let (what, (code, zh)) = if self.reissued > 0 {
            ("reissued", self.account.reason())
        } else if self.held > 0 {
            ("held", self.account.reason())
        } else {
            ("settled", ("reissued_before", "已于此前重新支付"))
        };
        (what, code, zh)
    }
}

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
                if computed.contains(&(r.platform[i], r.round[i])) {
                    (r.paid[i] > 0).then_some(Transfer {
                        row: i,
                        amount: r.paid[i],
                        kind: TransferKind::Payout,
                    })
                } else {
                    let again = r.returns(i).reissued;
                    (again > 0).then_some(Transfer {
                        row: i,
                        amount: again,
                        kind: TransferKind::Reissue,
                    })
                }
            })
            .collect()
    }

    /// The (platform code, round) computed in this run.
    pub fn computed_rounds(&self) -> std::collections::HashSet<(u32, i64)> {
        self.rounds
            .iter()
            .filter(|r| r.computed)
            .map(|r| (r.platform, r.round))
            .collect()
    }

    /// The first round computed in this run that the returns table says was paid already
    /// (platform code, round): its transfers cannot be sent again from this run.
    pub fn returns_on_computed_round(&self) -> Option<(u32, i64)> {
        self.rounds
            .iter()
            .find(|r| r.computed && r.returned + r.reissued > 0)
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
            (data.platforms.ids[c as usize].clone(), list.join(", "))
        })
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
    let returns = returns_by_platform(data, &pools, who)?;
    let rank = &data.lenders.rank;
    progress.begin(
        "兑付 payouts",
        Some(order.len() as u64),
        crate::progress::Unit::Platforms,
    );
    let results: Vec<Result<PlatformPayouts>> = order
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
    // Gathered into columns reserved once at their final size, each platform's rows freed as
    // they are copied: growing by doubling would hold up to three copies of 50 million rows.
    let mut parts = Vec::with_capacity(results.len());
    for r in results {
        parts.push(r?);
    }
    let mut out = Payouts::default();
    out.rows
        .reserve_exact(parts.iter().map(|(rows, ..)| rows.len()).sum());
    for (rows, rounds, returned) in parts {
        out.rows.append(rows);
        out.rounds.extend(rounds);
        out.returned.extend(returned);
    }
    progress.end(out.rows.len() as u64);
    Ok(out)
}

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

/// The accepted returns rows per platform code, each naming a round the recoveries have.
fn returns_by_platform<'a>(
    data: &'a InputData,
    pools: &BTreeMap<u32, Vec<(i64, i64)>>,
    who: &(dyn Fn(&str) -> String + Sync),
) -> Result<BTreeMap<u32, Vec<&'a Return>>> {
    let mut by: BTreeMap<u32, Vec<&Return>> = BTreeMap::new();
    for r in &data.returns {
        let known = pools
            .get(&r.platform)
            .is_some_and(|rounds| rounds.iter().any(|(n, _)| *n == r.round));
        if !known {
            return Err(Error::Returns(format!(
                "{} line {}: a transfer to lender {} in round {} of platform {} came back, but \
                 the recoveries have no such round: nothing was paid in it",
                r.file,
                r.line,
                who(data.lenders.ids.get(r.lender)),
                r.round,
                data.platforms.ids[r.platform as usize]
            )));
        }
        by.entry(r.platform).or_default().push(r);
    }
    Ok(by)
}

/// One lender's returns in one round: Σ amount, the latest date, and the lender's account
/// against the account(s) returned on that date — whatever order the rows come in.
#[derive(Debug, Clone, Copy)]
struct Returned<'a> {
    total: i64,
    last_on: Date,
    account: ReturnAccount,
    /// The first of the rows in the file, to name in messages.
    first: &'a Return,
}

fn returned_per_lender<'a>(returns: &[&'a Return]) -> BTreeMap<(i64, u32), Returned<'a>> {
    let mut by: BTreeMap<(i64, u32), Returned<'a>> = BTreeMap::new();
    for &r in returns {
        by.entry((r.round, r.lender))
            .and_modify(|e| {
                e.total = e.total.saturating_add(r.amount);
                if (r.file.as_str(), r.line) < (e.first.file.as_str(), e.first.line) {
                    e.first = r;
                }
                if r.returned_on > e.last_on {
                    e.last_on = r.returned_on;
                    e.account = r.account;
                } else if r.returned_on == e.last_on {
                    e.account = holding(e.account, r.account);
                }
            })
            .or_insert(Returned {
                total: r.amount,
                last_on: r.returned_on,
                account: r.account,
                first: r,
            });
    }
    by
}

/// Two returns of the same day: sent again only if both say the account has changed since;
/// else the reason to hold, the same whichever comes first.
fn holding(a: ReturnAccount, b: ReturnAccount) -> ReturnAccount {
    let rank = |x: ReturnAccount| match x {
        ReturnAccount::NoneNow => 0,
        ReturnAccount::Unchanged => 1,
        ReturnAccount::NotGiven => 2,
        ReturnAccount::ChangedNotSent => 3,
        ReturnAccount::Changed => 4,
    };
    if rank(a) <= rank(b) {
        a
    } else {
        b
    }
}

/// One platform's payout rows, round rows and returned transfers.
type PlatformPayouts = (PayoutRows, Vec<RoundRow>, Vec<ReturnedTransfer>);

/// Every round of one platform, ascending, each with the returned transfers booked on it and
/// re-issued where the lender's account has changed.
fn platform_rounds(
    code: u32,
    rounds: &[(i64, i64)],
    members: &[Member],
    books: &Books<'_>,
    rule: Rule,
    rank: &[u32],
) -> Result<PlatformPayouts> {
    let mut rows = PayoutRows::default();
    let mut round_rows = Vec::with_capacity(rounds.len());
    let mut transfers = Vec::new();
    let returned = returned_per_lender(books.returns);
    // before: Σ paid + reserved + returned of each member over the rounds so far (a returned
    // transfer is still the lender's: held for them), by member index.
    let mut before: Vec<i64> = vec![0; members.len()];
    // A ledger row's member: members are in lender id order (their rank), like the rows.
    let member_of = |lender: u32| {
        let key = *rank.get(lender as usize)?;
        members
            .binary_search_by_key(&key, |m| rank[m.lender as usize])
            .ok()
    };
    for &(round, pool) in rounds {
        let start = rows.len();
        let ledger_round = books.ledger.and_then(|l| l.round(code, round));
        let from_ledger = ledger_round.is_some();
        if let Some((paid, old)) = ledger_round {
            for &k in old {
                rows.push(
                    code,
                    round,
                    paid.lender[k],
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
                    "ledger round {round} has no line for platform code {code}"
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
                reissued: 0,
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
                    key: rank[m.lender as usize],
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
                returned: 0,
                reissued: 0,
                surplus: result.surplus,
                lenders: members.len() as i64,
                lenders_paid: result.lenders_paid,
                level: result.level,
                computed: true,
            });
        }
        let end = rows.len();
        if let Some(line) = round_rows.last_mut() {
            book_returns(
                &mut rows,
                start..end,
                line,
                &returned,
                books,
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

/// Book the returns of one round (`range`: its rows, `line`: its payout_rounds row): what the
/// returns table lists beyond what the ledger booked moves from paid to returned; then every
/// returned amount still held goes out again when the lender's account has changed since it
/// came back. Σ paid + reserved + carried + returned + surplus = pool stays as it was.
fn book_returns(
    rows: &mut PayoutRows,
    range: std::ops::Range<usize>,
    line: &mut RoundRow,
    returned: &BTreeMap<(i64, u32), Returned<'_>>,
    books: &Books<'_>,
    out: &mut Vec<ReturnedTransfer>,
) -> Result<()> {
    let round = line.round;
    let platform = || books.data.platforms.ids[line.platform as usize].as_str();
    let lender_id = |l: u32| (books.who)(books.data.lenders.ids.get(l));
    let mut touched = false;
    let this_round = returned.range((round, 0)..=(round, u32::MAX));
    let mut at: Option<HashMap<u32, usize>> = None;
    for (&(_, lender), back) in this_round {
        let at = at.get_or_insert_with(|| range.clone().map(|k| (rows.lender[k], k)).collect());
        let r = back.first;
        let Some(&k) = at.get(&lender) else {
            return Err(Error::Returns(format!(
                "{} line {}: a transfer to lender {} in round {round} of platform {} came back, \
                 but that lender was paid nothing in that round; correct the returns table",
                r.file,
                r.line,
                lender_id(lender),
                platform()
            )));
        };
        let booked = rows.returns(k);
        let new = back.total - booked.total;
        if new < 0 {
            return Err(Error::Returns(format!(
                "{} line {}: the returns table lists {} yuan of lender {}'s transfers in round \
                 {round} of platform {} as returned, but the ledger has booked {} yuan returned \
                 already; keep every return in the table (it is the bank's whole list)",
                r.file,
                r.line,
                format_fen(back.total),
                lender_id(lender),
                platform(),
                format_fen(booked.total)
            )));
        }
        if new > rows.paid[k] {
            let sent = if rows.paid[k] == 0 {
                "was paid nothing".to_string()
            } else {
                format!("was paid {} yuan", format_fen(rows.paid[k]))
            };
            return Err(Error::Returns(format!(
                "{} line {}: lender {} {sent} in round {round} of platform {} (after the returns \
                 booked before), but the returns not yet booked add up to {} yuan; correct the \
                 returns table",
                r.file,
                r.line,
                lender_id(lender),
                platform(),
                format_fen(new)
            )));
        }
        rows.paid[k] -= new;
        line.paid -= new;
        line.returned += new;
        let mut again = 0;
        let held = {
            let x = rows.returns_mut(k);
            x.returned += new;
            x.total = back.total;
            if back.account == ReturnAccount::Changed && x.returned > 0 && books.sending {
                again = x.returned;
                x.returned = 0;
                x.reissued = again;
            }
            x.returned
        };
        if again > 0 {
            rows.paid[k] += again;
            line.returned -= again;
            line.paid += again;
            line.reissued += again;
        }
        out.push(ReturnedTransfer {
            platform: line.platform,
            round,
            lender,
            total: back.total,
            booked_now: new,
            held,
            reissued: again,
            last_returned_on: back.last_on,
            account: match back.account {
                ReturnAccount::Changed if !books.sending => ReturnAccount::ChangedNotSent,
                a => a,
            },
        });
        touched = true;
    }
    // A return the ledger booked must still be in the table (the bank's whole list).
    if let Some(k) = range
        .clone()
        .find(|&k| rows.returns(k).total > 0 && !returned.contains_key(&(round, rows.lender[k])))
    {
        return Err(Error::Returns(format!(
            "the ledger has booked {} yuan of lender {}'s transfers in round {round} of platform \
             {} as returned, but the returns table lists none of them; keep every return in the \
             table (it is the bank's whole list)",
            format_fen(rows.returns(k).total),
            lender_id(rows.lender[k]),
            platform()
        )));
    }
    if touched {
        line.lenders_paid = range.filter(|&k| rows.paid[k] > 0).count() as i64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ret(line: u64, amount: i64, on: i32, account: ReturnAccount) -> Return {
        Return {
            platform: 0,
            round: 1,
            lender: 7,
            amount,
            returned_on: Date(on),
            account,
            file: "returns.csv".into(),
            line,
        }
    }

    #[test]
    fn a_lenders_returns_add_up_and_decide_the_same_in_any_order() {
        use ReturnAccount::*;
        let rows = [
            ret(2, 100, 10, Changed),
            ret(3, 50, 20, Changed),
            ret(4, 25, 20, NotGiven),
            ret(5, 5, 15, Unchanged),
        ];
        let mut refs: Vec<&Return> = rows.iter().collect();
        let mut seen = Vec::new();
        for _ in 0..4 {
            refs.rotate_left(1);
            let by = returned_per_lender(&refs);
            let r = by[&(1, 7)];
            seen.push((r.total, r.last_on, r.account, r.first.line));
        }
        // 180 fen; the latest day (20) has one return whose account is unknown: held, for
        // that reason, whichever row comes first.
        assert!(
            seen.iter().all(|s| *s == (180, Date(20), NotGiven, 2)),
            "{seen:?}"
        );
        // Sent again only when every return of the latest day says the account changed.
        assert_eq!(holding(Changed, Changed), Changed);
        assert_eq!(holding(Changed, Unchanged), Unchanged);
        assert_eq!(holding(NoneNow, NotGiven), NoneNow);
        assert_eq!(holding(NotGiven, NoneNow), NoneNow);
    }
}
