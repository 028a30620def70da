//! What validation keeps of the input: compact columns with integer codes, and the totals the
//! rules need, accumulated row by row as rows are accepted — never the raw tables.
//!
//! Codes: a platform's code is its position among the accepted platforms (file order), a
//! lender's among the accepted lenders; `rank` gives each code's position in the byte order of
//! its id, the order every output is sorted in. Money is [`Fen`]; the validator refuses inputs
//! whose money columns add up beyond i64 fen (so no sum kept here can overflow; adds saturate
//! only on inputs that are refused anyway).

use crate::domain::code::{ByCode, DistrictCode, LenderCode, PlatformCode};
use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::domain::narrow::Triples;
pub use crate::domain::narrow::WIDE;
use crate::input::ids::{Fp, FpMap, Strings};
use crate::paged::{Paged, Plain};

/// The accepted platforms, by code.
#[derive(Debug, Default, Clone)]
pub struct Platforms {
    pub ids: ByCode<PlatformCode, String>,
    pub names: ByCode<PlatformCode, String>,
    pub districts: ByCode<PlatformCode, String>,
    pub case_filed: ByCode<PlatformCode, bool>,
    pub controller_missing: ByCode<PlatformCode, bool>,
    pub repayment_suspended: ByCode<PlatformCode, bool>,
    pub cooperating: ByCode<PlatformCode, bool>,
    pub reporting: ByCode<PlatformCode, bool>,
    /// Normalised codes in contract order.
    pub red_flags: ByCode<PlatformCode, Vec<String>>,
}

impl Platforms {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Codes in the byte order of their ids.
    pub fn by_id(&self) -> Vec<PlatformCode> {
        let mut order: Vec<PlatformCode> = self.ids.codes().collect();
        order.sort_by(|a, b| self.ids[*a].as_bytes().cmp(self.ids[*b].as_bytes()));
        order
    }
}

/// The accepted lenders, by code. Personal data is kept apart ([`Personal`]), and only when
/// a payment file asks for it.
#[derive(Debug, Default, Clone)]
pub struct Lenders {
    pub ids: Strings,
    /// Each lender's district, when given.
    pub district: ByCode<LenderCode, Option<DistrictCode>>,
    pub district_names: ByCode<DistrictCode, String>,
    pub registered: ByCode<LenderCode, bool>,
    pub excluded: ByCode<LenderCode, bool>,
    /// Each code's position in the byte order of the ids (filled after the lenders table).
    pub rank: ByCode<LenderCode, u32>,
}

impl Lenders {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn district(&self, code: LenderCode) -> Option<&str> {
        self.district[code].map(|d| self.district_names[d].as_str())
    }
}

/// Names and id numbers of the accepted lenders, by code: for the payment file only.
#[derive(Debug, Default, Clone)]
pub struct Personal {
    pub names: Strings,
    pub id_numbers: Strings,
    /// For the lenders' SMS texts (`statement --all`).
    pub phones: Strings,
    /// For the bank batches (`--payments`): digits only, empty when missing or invalid.
    pub bank_accounts: Strings,
    pub bank_names: Strings,
    /// 户名 when it differs from the name.
    pub account_names: Strings,
    /// Lenders rows with a bank_account cell, valid or not (none: no column to pay from).
    pub accounts_given: u64,
}

/// What the accepted loans of one platform add up to (docs/rules.md).
#[derive(Debug, Default, Clone)]
pub struct LoanTotals {
    pub loan_outstanding: Fen,
    pub overdue_amount: Fen,
    pub overdue_90_amount: Fen,
    pub related_party_amount: Fen,
    pub expected_recovery: Fen,
    pub last_new_loan_on: Option<Date>,
    /// Latest maturity among loans with outstanding > 0 (when the book runs off).
    pub last_loan_maturity: Option<Date>,
    /// From the borrowers (per borrower_id on the platform), after the loans table.
    pub borrowers_current: i64,
    pub top1_borrower_amount: Fen,
    pub top10_borrower_amount: Fen,
    pub cap_breach_amount: Fen,
}

/// What the accepted investments of one platform add up to besides the claims.
#[derive(Debug, Default, Clone)]
pub struct InvestmentTotals {
    /// Σ (amount − principal_returned), summed apart from the claims for the reconciliation.
    pub outstanding: Fen,
    /// Outstanding of investments linked to a loan, both maturities known.
    pub linked_amount: Fen,
    /// … of which the investment matures strictly before its loan.
    pub mismatch_amount: Fen,
}

/// Σ of one lender's positions on one platform.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub invested: Fen,
    pub principal_returned: Fen,
    pub returns_received: Fen,
}

impl Position {
    pub fn outstanding(&self) -> Fen {
        self.invested.saturating_sub(self.principal_returned)
    }
}

/// The positions' sums, 12 bytes a row ([`Triples`]: each sum as 32 bits of fen where all
/// three fit, the rare rows beyond kept whole apart). Half the 24 bytes of three `Fen` — 1.2 GB
/// of a national run's 100 million positions, held from the investments to the last export.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PositionSums(Triples<Paged<[u32; 3]>>);

impl PositionSums {
    /// The narrow slot of `sums`, when each is 0 to `u32::MAX - 1` fen.
    #[inline]
    pub fn slot(sums: &Position) -> Option<[u32; 3]> {
        Triples::slot(amounts(sums))
    }

    /// The column of `narrow` slots and, for the rows whose slot is [`WIDE`], their `wide`
    /// sums (in any order).
    ///
    /// # Panics
    /// When the rows marked wide are not exactly the rows of `wide`.
    pub fn from_parts(narrow: Vec<[u32; 3]>, wide: Vec<(usize, Position)>) -> PositionSums {
        let wide = wide
            .into_iter()
            .map(|(row, s)| (row, amounts(&s)))
            .collect();
        PositionSums(Triples::from_parts(narrow, wide).keep_narrow(Paged::held))
    }

    /// The column of `sums`, row by row.
    pub fn of(sums: &[Position]) -> PositionSums {
        PositionSums(Triples::of(sums.iter().map(amounts)).keep_narrow(Paged::held))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Row `i`'s sums.
    ///
    /// # Panics
    /// When `i` is not a row, as a slice's index would.
    #[inline]
    pub fn get(&self, i: usize) -> Position {
        let [invested, principal_returned, returns_received] = self.0.get(i);
        Position {
            invested,
            principal_returned,
            returns_received,
        }
    }

    /// The sums of rows `rows`.
    pub fn range(&self, rows: std::ops::Range<usize>) -> impl Iterator<Item = Position> + '_ {
        rows.map(|i| self.get(i))
    }

    /// Rows kept whole.
    pub fn wide_rows(&self) -> usize {
        self.0.wide_rows()
    }

    /// The narrow sums written to a file of `folder` and mapped back ([`Paged::page_out`]).
    pub fn page_out(&mut self, folder: &std::path::Path) -> std::io::Result<()> {
        self.0.narrow_mut().page_out(folder)
    }

    /// The bytes the narrow sums hold in memory (none once mapped).
    pub fn held_bytes(&self) -> usize {
        self.0.narrow().held_bytes()
    }
}

/// A position's sums in [`Triples`]' order.
#[inline]
fn amounts(s: &Position) -> [Fen; 3] {
    [s.invested, s.principal_returned, s.returns_received]
}

// SAFETY: a code is a `u32` (`repr(transparent)` over `NonZeroU32`): no padding, and the bytes
// of a code this process wrote read back as that code.
unsafe impl Plain for LenderCode {}

/// Every lender × platform position, sorted by (platform id, lender id) in byte order: the
/// rows of claims.parquet before the claim basis is applied. A row's platform is found from
/// the platforms' ranges ([`Positions::platform`]) rather than kept per row (0.4 GB at
/// national scale).
#[derive(Debug, Default, Clone)]
pub struct Positions {
    pub lender: Paged<LenderCode>,
    pub sums: PositionSums,
    /// Per platform: the range of its rows.
    pub ranges: ByCode<PlatformCode, std::ops::Range<usize>>,
    /// The platforms with rows, in row order, each with the end of its range.
    ends: Vec<(usize, PlatformCode)>,
    /// Per block of `1 << BLOCK_BITS` rows: the first of `ends` whose range reaches into it.
    blocks: Vec<u32>,
}

/// Rows per block of [`Positions::blocks`]: a lookup starts at its block's first platform and
/// steps over the platforms that end within the block (none, for most rows).
const BLOCK_BITS: u32 = 10;

impl Positions {
    /// The positions of the columns `lender` and `sums`, platform by platform as `ranges` say
    /// (each range where the previous one ends, in some order of the platforms).
    pub fn new(
        lender: Vec<LenderCode>,
        sums: PositionSums,
        ranges: ByCode<PlatformCode, std::ops::Range<usize>>,
    ) -> Positions {
        let mut ends: Vec<(usize, PlatformCode)> = ranges
            .codes()
            .filter(|c| !ranges[*c].is_empty())
            .map(|c| (ranges[c].end, c))
            .collect();
        ends.sort_unstable();
        let len = lender.len();
        let mut blocks = Vec::with_capacity((len >> BLOCK_BITS) + 1);
        let mut k = 0;
        for first in (0..len).step_by(1 << BLOCK_BITS) {
            while ends[k].0 <= first {
                k += 1;
            }
            // Platforms number fewer than 2^32 (their codes are u32).
            blocks.push(k as u32);
        }
        Positions {
            lender: Paged::held(lender),
            sums,
            ranges,
            ends,
            blocks,
        }
    }

    pub fn len(&self) -> usize {
        self.lender.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lender.is_empty()
    }

    /// The lenders and sums written to files of `folder` and mapped back ([`Paged`]): read as
    /// before, their pages then the page cache's. On an error the column that failed stays
    /// held (the run stops with it: `PositionTables::into_positions`).
    pub fn page_out(&mut self, folder: &std::path::Path) -> std::io::Result<()> {
        self.lender.page_out(folder)?;
        self.sums.page_out(folder)
    }

    /// The bytes the lenders and sums hold in memory (none once mapped).
    pub fn held_bytes(&self) -> usize {
        self.lender.held_bytes() + self.sums.held_bytes()
    }

    /// Row `i`'s platform.
    ///
    /// # Panics
    /// When `i` is not a row, as a slice's index would.
    #[inline]
    pub fn platform(&self, i: usize) -> PlatformCode {
        let mut k = self.blocks[i >> BLOCK_BITS] as usize;
        while self.ends[k].0 <= i {
            k += 1;
        }
        self.ends[k].1
    }
}

/// One accepted recoveries row.
#[derive(Debug, Clone)]
pub struct Recovery {
    pub platform: PlatformCode,
    pub round: i64,
    pub amount: Fen,
}

/// The lender's account now against the account a returned transfer was sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnAccount {
    /// The lender has a valid account now, other than the one returned: send it again.
    Changed,
    /// The lender's account now is the one the bank returned.
    Unchanged,
    /// The returns row gives no account to compare with.
    NotGiven,
    /// The lender has no valid account now.
    NoneNow,
    /// Changed, but the command wrote no payment file or batches to send it with.
    ChangedNotSent,
}

impl ReturnAccount {
    /// Why a returned amount is held (or `changed` when it is sent again): code, Chinese.
    pub fn reason(self) -> (&'static str, &'static str) {
        match self {
            ReturnAccount::Changed => ("account_changed", "收款账户已更新，重新支付"),
            ReturnAccount::Unchanged => ("account_unchanged", "收款账户未更新，暂予保管"),
            ReturnAccount::NotGiven => {
                ("no_account_on_return", "退汇记录未载明原收款账户，暂予保管")
            }
            ReturnAccount::NoneNow => ("no_valid_account", "出借人暂无有效收款账户，暂予保管"),
            ReturnAccount::ChangedNotSent => (
                "not_sent",
                "收款账户已更新，待随付款文件或批量代付文件重新支付",
            ),
        }
    }
}

/// One accepted returns row: a transfer the bank sent back.
#[derive(Debug, Clone)]
pub struct Return {
    pub platform: PlatformCode,
    pub round: i64,
    pub lender: LenderCode,
    pub amount: Fen,
    pub returned_on: Date,
    /// The lender's account now against the one the bank returned the transfer from.
    pub account: ReturnAccount,
    /// Where the row is, for messages.
    pub file: String,
    pub line: u64,
}

impl Return {
    /// Where the row is, as an error names it.
    pub fn row(&self) -> crate::error::ReturnRow {
        crate::error::ReturnRow {
            file: self.file.clone(),
            line: self.line,
        }
    }
}

/// Everything validation keeps.
#[derive(Default)]
pub struct InputData {
    pub platforms: Platforms,
    pub lenders: Lenders,
    pub personal: Option<Personal>,
    pub loans: ByCode<PlatformCode, LoanTotals>,
    pub investments: ByCode<PlatformCode, InvestmentTotals>,
    pub positions: Positions,
    pub recoveries: Vec<Recovery>,
    /// The returns table's accepted rows, in file order.
    pub returns: Vec<Return>,
    /// The lenders by id, for reading ledgers, returns and statements.
    pub lender_index: LenderIndex,
}

impl InputData {
    /// Free the lender ids' table once no ledger or statement needs to find a lender by id.
    pub fn forget_lender_index(&mut self) {
        self.lender_index = LenderIndex::default();
    }
}

/// What an id names in a table that has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<K> {
    Accepted(K),
    /// The table has the id on a rejected row.
    Rejected,
    /// The table does not have the id.
    Unknown,
}

impl<K> Found<K> {
    pub fn accepted(self) -> Option<K> {
        match self {
            Found::Accepted(k) => Some(k),
            _ => None,
        }
    }
}

impl<K> Found<K> {
    /// What an id table's entry says: no entry, an entry without a code (its row was
    /// rejected), or the accepted row's code.
    pub fn of(entry: Option<Option<K>>) -> Found<K> {
        match entry {
            None => Found::Unknown,
            Some(None) => Found::Rejected,
            Some(Some(code)) => Found::Accepted(code),
        }
    }
}

/// The lenders table's ids by fingerprint: each accepted lender's code, no code for the ids of
/// rejected rows.
#[derive(Default)]
pub struct LenderIndex(pub FpMap<Option<LenderCode>>);

impl LenderIndex {
    pub fn find(&self, id: &str) -> Found<LenderCode> {
        Found::of(self.0.get(Fp::of(id.as_bytes())))
    }
}

/// Per-platform open-addressing table lender code → position sums, while the investments are
/// read: 28 bytes a slot, grown by a quarter when 7/8 full, so 70–88 % of the slots are in
/// use (36 bytes a position on average; 43 when grown by half at 80 %: 0.6 GB more at national
/// scale). The keys are probed apart from the sums, sixteen to a cache line, so the fuller
/// table costs little time.
#[derive(Debug, Clone)]
pub struct PositionTable {
    keys: Vec<u32>,
    sums: Vec<Position>,
    len: usize,
}

const NONE: u32 = u32::MAX;

/// A slot of a [`PositionTable`]: the key and the three sums.
pub const POSITION_SLOT_BYTES: usize = std::mem::size_of::<u32>() + std::mem::size_of::<Position>();

impl Default for PositionTable {
    fn default() -> PositionTable {
        PositionTable {
            keys: vec![NONE; 8],
            sums: vec![Position::default(); 8],
            len: 0,
        }
    }
}

impl PositionTable {
    /// The slot `lender`'s search starts at.
    #[inline]
    fn home(&self, lender: u32) -> usize {
        let h = u64::from(lender).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((u128::from(h) * self.keys.len() as u128) >> 64) as usize
    }

    #[inline]
    fn slot(&self, lender: u32) -> usize {
        let n = self.keys.len();
        let mut i = self.home(lender);
        loop {
            let k = self.keys[i];
            if k == lender || k == NONE {
                return i;
            }
            i += 1;
            if i == n {
                i = 0;
            }
        }
    }

    /// Start loading the slots `lender`'s position is looked for in first (a hint: see
    /// [`crate::memory::prefetch`]).
    #[inline]
    pub fn prefetch(&self, lender: LenderCode) {
        let i = self.home(lender.get());
        crate::memory::prefetch(&self.keys, i);
        crate::memory::prefetch(&self.sums, i);
    }

    /// Add one investment of `lender`.
    pub fn add(&mut self, lender: LenderCode, invested: i64, returned: i64, returns: i64) {
        let lender = lender.get();
        let mut i = self.slot(lender);
        if self.keys[i] == NONE {
            if (self.len + 1) * 8 > self.keys.len() * 7 {
                self.grow();
                i = self.slot(lender);
            }
            self.keys[i] = lender;
            self.len += 1;
        }
        let s = &mut self.sums[i];
        s.invested = s.invested.saturating_add(Fen(invested));
        s.principal_returned = s.principal_returned.saturating_add(Fen(returned));
        s.returns_received = s.returns_received.saturating_add(Fen(returns));
    }

    /// A quarter more slots, every position moved to its place in them. A slot's home is
    /// monotonic in the key's hash whatever the table's size, so the old slots read in order
    /// mostly fill the new ones in order too: an index loop, each position copied once (a
    /// zip of the two vectors' iterators moved every 24-byte sum through the stack, and the
    /// profile put half of [`PositionTable::add`]'s samples there, this growth inlined in it).
    fn grow(&mut self) {
        let n = self.keys.len() * 5 / 4 + 8;
        let keys = std::mem::replace(&mut self.keys, vec![NONE; n]);
        let sums = std::mem::replace(&mut self.sums, vec![Position::default(); n]);
        for (j, &k) in keys.iter().enumerate() {
            if k != NONE {
                let i = self.slot(k);
                self.keys[i] = k;
                self.sums[i] = sums[j];
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes its slots take, used or not.
    pub fn slot_bytes(&self) -> usize {
        self.keys.len() * POSITION_SLOT_BYTES
    }

    /// The positions, in slot order (each lender once).
    pub fn entries(&self) -> impl Iterator<Item = (LenderCode, Position)> + '_ {
        self.keys
            .iter()
            .zip(&self.sums)
            .filter(|(k, _)| **k != NONE)
            .map(|(k, s)| (LenderCode::new(*k), *s))
    }

    /// The positions, emptying the table.
    pub fn drain(&mut self) -> Vec<(LenderCode, Position)> {
        let keys = std::mem::take(&mut self.keys);
        let sums = std::mem::take(&mut self.sums);
        self.len = 0;
        keys.into_iter()
            .zip(sums)
            .filter(|(k, _)| *k != NONE)
            .map(|(k, s)| (LenderCode::new(k), s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions of platforms laid out as `ranges` (by code), each row's lender its index.
    fn laid_out(ranges: &[std::ops::Range<usize>]) -> Positions {
        let total = ranges.iter().map(|r| r.end).max().unwrap_or(0);
        Positions::new(
            (0..total as u32).map(LenderCode::new).collect(),
            PositionSums::of(&vec![Position::default(); total]),
            ranges.iter().cloned().collect(),
        )
    }

    #[test]
    fn a_rows_platform_is_found_from_the_ranges_across_blocks() {
        // Codes 0..5 in the row order 2, 0 (empty), 3, 1, 4; blocks of 1024 rows.
        let p = laid_out(&[3..3, 1500..1501, 0..3, 3..1500, 1501..3000]);
        let at = |i: usize| p.platform(i).get();
        assert_eq!([at(0), at(2), at(3), at(1023), at(1024)], [2, 2, 3, 3, 3]);
        assert_eq!(
            [at(1499), at(1500), at(1501), at(2047), at(2048), at(2999)],
            [3, 1, 4, 4, 4, 4]
        );
        // Every row agrees with the range it is in.
        for i in 0..p.len() {
            assert!(p.ranges[p.platform(i)].contains(&i), "row {i}");
        }
    }

    #[test]
    #[should_panic]
    fn a_row_past_the_last_has_no_platform() {
        laid_out(&[0..5, 5..5]).platform(5);
    }

    #[test]
    fn no_positions_no_blocks() {
        let p = laid_out(&[0..0, 0..0]);
        assert!(p.is_empty());
    }

    #[test]
    fn sums_are_narrow_up_to_one_fen_below_u32_max_and_whole_beyond() {
        let p = |a: i64, b: i64, c: i64| Position {
            invested: Fen(a),
            principal_returned: Fen(b),
            returns_received: Fen(c),
        };
        let max = i64::from(u32::MAX);
        // Below, at and above the last narrow value, in each of the three sums.
        let rows = [
            p(0, 0, 0),
            p(max - 1, max - 1, max - 1),
            p(max, 0, 0),
            p(1, max, 1),
            p(1, 1, max + 1),
            p(i64::MAX, 0, 0),
            p(-1, 0, 0),
            p(42, 7, 3),
        ];
        assert_eq!(PositionSums::slot(&rows[1]), Some([u32::MAX - 1; 3]));
        assert_eq!(PositionSums::slot(&rows[2]), None);
        let column = PositionSums::of(&rows);
        assert_eq!(column.len(), rows.len());
        assert_eq!(column.wide_rows(), 5);
        for (i, want) in rows.iter().enumerate() {
            assert_eq!(column.get(i), *want, "row {i}");
        }
        assert_eq!(column.range(6..8).collect::<Vec<_>>(), rows[6..8]);
        // The same column from parts whose wide rows come in any order.
        let narrow: Vec<[u32; 3]> = rows
            .iter()
            .map(|r| PositionSums::slot(r).unwrap_or(WIDE))
            .collect();
        let mut wide: Vec<(usize, Position)> =
            [6, 2, 5, 3, 4].iter().map(|&i| (i, rows[i])).collect();
        assert_eq!(
            PositionSums::from_parts(narrow.clone(), wide.clone()),
            column
        );
        // A whole row not marked wide is a defect of the caller.
        wide[0].0 = 7;
        let made = std::panic::catch_unwind(|| PositionSums::from_parts(narrow, wide));
        assert!(made.is_err());
    }

    #[test]
    fn position_tables_sum_per_lender_across_growth() {
        let mut t = PositionTable::default();
        for round in 0..3 {
            for l in 0..1_000u32 {
                t.add(LenderCode::new(l * 7), 100 + i64::from(round), 10, 1);
            }
        }
        assert_eq!(t.len(), 1_000);
        let mut all = t.drain();
        all.sort_by_key(|(l, _)| *l);
        assert_eq!(all.len(), 1_000);
        // Every lender's sums survive the table's growths (the first 8 slots grow ~30 times).
        for (i, (l, p)) in all.iter().enumerate() {
            assert_eq!(l.get(), i as u32 * 7);
            assert_eq!(
                (p.invested, p.principal_returned, p.returns_received),
                (Fen(303), Fen(30), Fen(3))
            );
        }
        assert_eq!(
            all[3],
            (
                LenderCode::new(21),
                Position {
                    invested: Fen(303),
                    principal_returned: Fen(30),
                    returns_received: Fen(3)
                }
            )
        );
        assert!(t.is_empty());
    }
}
