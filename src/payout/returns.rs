//! Returned transfers (退汇, docs/payouts.md): the bank's list of transfers that came back, booked
//! on the round they came from — paid → returned, held for the lender (still in `before`) — and
//! sent again in a command that writes a payment file or batches where the lender's account
//! has changed since. Whatever the order of the rows, a lender's returns of a round add up and
//! decide the same; nothing is booked twice (`returned_total` records what a ledger booked).

use crate::domain::money::Fen;
use std::collections::{BTreeMap, HashMap};

use crate::domain::code::{LenderCode, PlatformCode};
use crate::domain::date::Date;
use crate::error::{Error, Result, ReturnsProblem};
use crate::input::data::{InputData, Return, ReturnAccount};
use crate::payout::rows::{PayoutRows, RoundRow};

/// What booking a platform's returns needs besides its rows: the data, whether this command
/// sends money (a re-issue exists only then), and how to name a lender in messages.
pub struct Books<'a> {
    pub data: &'a InputData,
    pub sending: bool,
    pub who: &'a (dyn Fn(&str) -> String + Sync),
}

/// What became of one lender's returned transfers of one round (returned_transfers.parquet).
#[derive(Debug, Clone)]
pub struct ReturnedTransfer {
    pub platform: PlatformCode,
    pub round: i64,
    pub lender: LenderCode,
    /// Σ of the returns table for it.
    pub total: Fen,
    /// Booked in this run (the rest was booked by the ledger's runs).
    pub booked_now: Fen,
    /// Held for the lender after this run.
    pub held: Fen,
    /// Sent again in this run.
    pub reissued: Fen,
    /// The latest return's date, and the lender's account against it.
    pub last_returned_on: Date,
    pub account: ReturnAccount,
}

impl ReturnedTransfer {
    /// What became of it — `reissued` (now), `held`, or `settled` (re-issued before) — and
    /// why: a reason code and its Chinese.
    pub fn disposition(&self) -> (&'static str, &'static str, &'static str) {
        let (what, (code, zh)) = if self.reissued > Fen::ZERO {
            ("reissued", self.account.reason())
        } else if self.held > Fen::ZERO {
            ("held", self.account.reason())
        } else {
            ("settled", ("reissued_before", "已于此前重新支付"))
        };
        (what, code, zh)
    }
}

/// The accepted returns rows per platform code, each naming a round the recoveries have.
pub(crate) fn returns_by_platform<'a>(
    data: &'a InputData,
    pools: &BTreeMap<PlatformCode, Vec<(i64, Fen)>>,
    who: &(dyn Fn(&str) -> String + Sync),
) -> Result<BTreeMap<PlatformCode, Vec<&'a Return>>> {
    let mut by: BTreeMap<PlatformCode, Vec<&Return>> = BTreeMap::new();
    for r in &data.returns {
        let known = pools
            .get(&r.platform)
            .is_some_and(|rounds| rounds.iter().any(|(n, _)| *n == r.round));
        if !known {
            return Err(Error::from(ReturnsProblem::NoSuchRound {
                row: r.row(),
                platform: data.platforms.ids[r.platform].to_string(),
                round: r.round,
                lender: who(data.lenders.ids.get(r.lender)),
            }));
        }
        by.entry(r.platform).or_default().push(r);
    }
    Ok(by)
}

/// One lender's returns in one round: Σ amount, the latest date, and the lender's account
/// against the account(s) returned on that date — whatever order the rows come in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Returned<'a> {
    total: Fen,
    last_on: Date,
    account: ReturnAccount,
    /// The first of the rows in the file, to name in messages.
    first: &'a Return,
}

pub(crate) fn returned_per_lender<'a>(
    returns: &[&'a Return],
) -> BTreeMap<(i64, LenderCode), Returned<'a>> {
    let mut by: BTreeMap<(i64, LenderCode), Returned<'a>> = BTreeMap::new();
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

/// Book the returns of one round (`range`: its rows, `line`: its payout_rounds row): what the
/// returns table lists beyond what the ledger booked moves from paid to returned; then every
/// returned amount still held goes out again when the lender's account has changed since it
/// came back. Σ paid + reserved + carried + returned + surplus = pool stays as it was.
pub(crate) fn book_returns(
    rows: &mut PayoutRows,
    range: std::ops::Range<usize>,
    line: &mut RoundRow,
    returned: &BTreeMap<(i64, LenderCode), Returned<'_>>,
    books: &Books<'_>,
    out: &mut Vec<ReturnedTransfer>,
) -> Result<()> {
    let round = line.round;
    let platform = || books.data.platforms.ids[line.platform].as_str();
    let lender_id = |l: LenderCode| (books.who)(books.data.lenders.ids.get(l));
    let mut touched = false;
    let this_round = returned.range((round, LenderCode::MIN)..=(round, LenderCode::MAX));
    let mut at: Option<HashMap<LenderCode, usize>> = None;
    for (&(_, lender), back) in this_round {
        let at = at.get_or_insert_with(|| range.clone().map(|k| (rows.lender[k], k)).collect());
        let r = back.first;
        let Some(&k) = at.get(&lender) else {
            return Err(Error::from(ReturnsProblem::NotPaid {
                row: r.row(),
                platform: platform().to_string(),
                round,
                lender: lender_id(lender),
            }));
        };
        let booked = rows.returns(k);
        let new = back.total - booked.total;
        if new < Fen::ZERO {
            return Err(Error::from(ReturnsProblem::FewerThanBooked {
                row: r.row(),
                platform: platform().to_string(),
                round,
                lender: lender_id(lender),
                listed: back.total.get(),
                booked: booked.total.get(),
            }));
        }
        if new > rows.paid(k) {
            return Err(Error::from(ReturnsProblem::MoreThanPaid {
                row: r.row(),
                platform: platform().to_string(),
                round,
                lender: lender_id(lender),
                paid: rows.paid(k).get(),
                new: new.get(),
            }));
        }
        rows.set_paid(k, rows.paid(k) - new);
        line.paid -= new;
        line.returned += new;
        let mut again = Fen::ZERO;
        let held = {
            let x = rows.returns_mut(k);
            x.returned += new;
            x.total = back.total;
            if back.account == ReturnAccount::Changed && x.returned > Fen::ZERO && books.sending {
                again = x.returned;
                x.returned = Fen::ZERO;
                x.reissued = again;
            }
            x.returned
        };
        if again.is_positive() {
            rows.set_paid(k, rows.paid(k) + again);
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
    if let Some(k) = range.clone().find(|&k| {
        rows.returns(k).total > Fen::ZERO && !returned.contains_key(&(round, rows.lender[k]))
    }) {
        return Err(Error::from(ReturnsProblem::BookedReturnMissing {
            platform: platform().to_string(),
            round,
            lender: lender_id(rows.lender[k]),
            booked: rows.returns(k).total.get(),
        }));
    }
    if touched {
        line.lenders_paid = range.filter(|&k| rows.paid(k) > Fen::ZERO).count() as i64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money;

    fn ret(line: u64, amount: i64, on: i32, account: ReturnAccount) -> Return {
        Return {
            platform: PlatformCode::new(0),
            round: 1,
            lender: LenderCode::new(7),
            amount: money::Fen(amount),
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
            let r = by[&(1, LenderCode::new(7))];
            seen.push((r.total, r.last_on, r.account, r.first.line));
        }
        // 180 fen; the latest day (20) has one return whose account is unknown: held, for
        // that reason, whichever row comes first.
        assert!(
            seen.iter().all(|s| *s == (Fen(180), Date(20), NotGiven, 2)),
            "{seen:?}"
        );
        // Sent again only when every return of the latest day says the account changed.
        assert_eq!(holding(Changed, Changed), Changed);
        assert_eq!(holding(Changed, Unchanged), Unchanged);
        assert_eq!(holding(NoneNow, NotGiven), NoneNow);
        assert_eq!(holding(NotGiven, NoneNow), NoneNow);
    }
}
