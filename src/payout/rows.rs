//! The payout stage's rows as columns: payouts.parquet's rows ([`PayoutRows`], returned amounts
//! kept sparse), payout_rounds.parquet's lines ([`RoundRow`]), and the bank transfers a command
//! sends ([`Transfer`]).

use crate::domain::code::{LenderCode, PlatformCode};
use crate::domain::money::Fen;
use crate::payout::allocate;
use crate::rules::exposure::Status;

/// payouts.parquet as columns.
#[derive(Debug, Default, Clone)]
pub struct PayoutRows {
    pub platform: Vec<PlatformCode>,
    pub round: Vec<i64>,
    pub lender: Vec<LenderCode>,
    pub status: Vec<Status>,
    pub claim: Vec<Fen>,
    pub before: Vec<Fen>,
    pub paid: Vec<Fen>,
    pub reserved: Vec<Fen>,
    pub carried: Vec<Fen>,
    /// The rows with returned transfers, by row ascending: sparse, since almost no row has any
    /// (three dense columns would cost 1.2 GB at national scale).
    returns: Vec<(usize, RowReturns)>,
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
        self.platform.len()
    }

    pub fn is_empty(&self) -> bool {
        self.platform.is_empty()
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
        self.platform.push(platform);
        self.round.push(round);
        self.lender.push(lender);
        self.status.push(status);
        self.claim.push(claim);
        self.before.push(before);
        self.paid.push(share.paid);
        self.reserved.push(share.reserved);
        self.carried.push(share.carried);
        if share.returned != Fen::ZERO || share.returned_total != Fen::ZERO {
            self.returns.push((
                self.platform.len() - 1,
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
        self.paid[i]
            .saturating_add(self.reserved[i])
            .saturating_add(self.returns(i).returned)
    }

    pub(crate) fn shrink_to_fit(&mut self) {
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

    pub(crate) fn append(&mut self, other: PayoutRows) {
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
