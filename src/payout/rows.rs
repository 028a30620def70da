//! The payout stage's rows as columns: payouts.parquet's rows ([`PayoutRows`], returned amounts
//! kept sparse), payout_rounds.parquet's lines ([`RoundRow`]), and the bank transfers a command
//! sends ([`Transfer`]).

use crate::domain::code::{LenderCode, PlatformCode};
use crate::domain::money::Fen;
use crate::domain::narrow::Triples;
use crate::domain::sparse::Sparse;
use crate::payout::allocate;
use crate::rules::exposure::Status;

/// payouts.parquet as columns. The rows come grouped by (platform, round), so each row names
/// its group by index; reserved and carried, zero on nearly every row, are kept sparse; claim,
/// before and paid as 32-bit fen where they fit ([`Triples`]). A row costs some 22 bytes (57
/// with every column dense and whole: 1.8 GB more at national scale).
#[derive(Debug, Default, Clone)]
pub struct PayoutRows {
    /// Each row's index in `groups`.
    group: Vec<u32>,
    /// The (platform, round) of each run of rows, in row order.
    groups: Vec<(PlatformCode, i64)>,
    pub lender: Vec<LenderCode>,
    pub status: Vec<Status>,
    /// Each row's claim, paid before this run's rounds, and paid now.
    amounts: Triples,
    held: Sparse<Held>,
    /// The rows with returned transfers, by row ascending: sparse, since almost no row has any
    /// (three dense columns would cost 1.2 GB at national scale).
    returns: Vec<(usize, RowReturns)>,
}

/// A row's reserved and carried amounts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Held {
    reserved: Fen,
    carried: Fen,
}

/// A payouts row's returned transfers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RowReturns {
    /// Sent, came back (the returns table), and held for the lender: not re-issued yet.
    pub returned: Fen,
    /// Σ the returns of the row's transfers so far, re-issued or not (what the returns table
    /// lists for it).
    pub total: Fen,
    /// Re-issued now: held returns sent again in this run, to the lender's new account.
    pub reissued: Fen,
}

impl PayoutRows {
    pub fn len(&self) -> usize {
        self.group.len()
    }

    pub fn is_empty(&self) -> bool {
        self.group.is_empty()
    }

    /// Row `i`'s platform.
    #[inline]
    pub fn platform(&self, i: usize) -> PlatformCode {
        self.groups[self.group[i] as usize].0
    }

    /// Row `i`'s round.
    #[inline]
    pub fn round(&self, i: usize) -> i64 {
        self.groups[self.group[i] as usize].1
    }

    /// Row `i`'s claim.
    #[inline]
    pub fn claim(&self, i: usize) -> Fen {
        self.amounts.get(i)[0]
    }

    /// What row `i`'s lender was paid on its platform before the row's round.
    #[inline]
    pub fn before(&self, i: usize) -> Fen {
        self.amounts.get(i)[1]
    }

    /// Row `i`'s amount paid (sent, not returned).
    #[inline]
    pub fn paid(&self, i: usize) -> Fen {
        self.amounts.get(i)[2]
    }

    /// Change row `i`'s amount paid (a transfer returned, or sent again).
    pub(crate) fn set_paid(&mut self, i: usize, paid: Fen) {
        let [claim, before, _] = self.amounts.get(i);
        self.amounts.set(i, [claim, before, paid]);
    }

    /// Row `i`'s amount reserved (提存) for the lender.
    #[inline]
    pub fn reserved(&self, i: usize) -> Fen {
        self.held.get(i).reserved
    }

    /// Row `i`'s amount carried to the next round.
    #[inline]
    pub fn carried(&self, i: usize) -> Fen {
        self.held.get(i).carried
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        platform: PlatformCode,
        round: i64,
        lender: LenderCode,
        status: Status,
        claim: Fen,
        before: Fen,
        share: RowShare,
    ) {
        if self.groups.last() != Some(&(platform, round)) {
            self.groups.push((platform, round));
        }
        // Groups are fewer than rows, and a column of 2^32 rows would not fit in memory.
        self.group.push((self.groups.len() - 1) as u32);
        self.lender.push(lender);
        self.status.push(status);
        self.amounts.push([claim, before, share.paid]);
        self.held.push(Held {
            reserved: share.reserved,
            carried: share.carried,
        });
        if share.returned != Fen::ZERO || share.returned_total != Fen::ZERO {
            self.returns.push((
                self.len() - 1,
                RowReturns {
                    returned: share.returned,
                    total: share.returned_total,
                    reissued: Fen::ZERO,
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
    pub(crate) fn returns_mut(&mut self, i: usize) -> &mut RowReturns {
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
    pub fn given(&self, i: usize) -> Fen {
        self.paid(i)
            .saturating_add(self.reserved(i))
            .saturating_add(self.returns(i).returned)
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.group.shrink_to_fit();
        self.groups.shrink_to_fit();
        self.lender.shrink_to_fit();
        self.status.shrink_to_fit();
        self.amounts.shrink_to_fit();
        self.held.shrink_to_fit();
    }

    pub(crate) fn append(&mut self, other: PayoutRows) {
        let base = self.len();
        self.returns
            .extend(other.returns.into_iter().map(|(k, r)| (base + k, r)));
        let groups = self.groups.len() as u32;
        self.group.extend(other.group.iter().map(|g| g + groups));
        self.groups.extend(other.groups);
        self.lender.extend(other.lender);
        self.status.extend(other.status);
        self.amounts.append(other.amounts);
        self.held.append(&other.held);
    }
}

/// What a row holds of the round's pool.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowShare {
    pub(crate) paid: Fen,
    pub(crate) reserved: Fen,
    pub(crate) carried: Fen,
    pub(crate) returned: Fen,
    pub(crate) returned_total: Fen,
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
    pub platform: PlatformCode,
    pub round: i64,
    pub pool: Fen,
    pub paid: Fen,
    pub reserved: Fen,
    pub carried: Fen,
    /// Σ returned: sent, came back, held.
    pub returned: Fen,
    /// Σ re-issued in this run.
    pub reissued: Fen,
    pub surplus: Fen,
    pub lenders: i64,
    pub lenders_paid: i64,
    /// Null for rounds taken from a ledger (not recomputed) and under small first when the
    /// tranches are not covered.
    pub level: Option<f64>,
    /// Computed in this run (false: copied from the ledger).
    pub computed: bool,
}

/// A bank transfer of this run: payouts row `row`, its amount, and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub row: usize,
    pub amount: Fen,
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

#[cfg(test)]
mod tests {
    use super::{PayoutRows, RowShare};
    use crate::domain::code::{LenderCode, PlatformCode};
    use crate::domain::money::Fen;
    use crate::rules::exposure::Status;

    /// Rows of one platform and its rounds: (round, lender, paid, reserved, carried).
    fn platform_rows(platform: u32, rows: &[(i64, u32, i64, i64, i64)]) -> PayoutRows {
        let mut out = PayoutRows::default();
        for &(round, lender, paid, reserved, carried) in rows {
            out.push(
                PlatformCode::new(platform),
                round,
                LenderCode::new(lender),
                Status::Eligible,
                Fen(1_000),
                Fen(0),
                RowShare {
                    paid: Fen(paid),
                    reserved: Fen(reserved),
                    carried: Fen(carried),
                    ..RowShare::default()
                },
            );
        }
        out
    }

    #[test]
    fn rows_gathered_from_platforms_read_back_their_platform_round_and_amounts() {
        let mut all = platform_rows(
            7,
            &[(1, 0, 300, 0, 0), (1, 1, 0, 250, 0), (2, 0, 100, 0, 5)],
        );
        all.append(platform_rows(3, &[(1, 2, 0, 0, 0)]));
        // Appended at a row that is not a multiple of 64.
        all.append(platform_rows(
            9,
            &(0..70)
                .map(|k| (4, k, 10, i64::from(k % 7 == 0), 0))
                .collect::<Vec<_>>(),
        ));
        assert_eq!(all.len(), 74);
        let key = |i: usize| (all.platform(i).get(), all.round(i), all.lender[i].get());
        assert_eq!(
            [key(0), key(1), key(2), key(3)],
            [(7, 1, 0), (7, 1, 1), (7, 2, 0), (3, 1, 2)]
        );
        assert_eq!(key(4), (9, 4, 0));
        assert_eq!(key(73), (9, 4, 69));
        let amounts = |i: usize| {
            (
                all.paid(i).get(),
                all.reserved(i).get(),
                all.carried(i).get(),
            )
        };
        assert_eq!(
            [amounts(0), amounts(1), amounts(2), amounts(3)],
            [(300, 0, 0), (0, 250, 0), (100, 0, 5), (0, 0, 0)]
        );
        // Lender 63 of the last platform (row 67) is reserved 1 fen; 64 (row 68) is not.
        assert_eq!((amounts(67), amounts(68)), ((10, 1, 0), (10, 0, 0)));
        // What a row gives: paid + reserved (+ returned).
        assert_eq!(all.given(1), Fen(250));
        assert_eq!(all.given(2), Fen(100));
    }
}
