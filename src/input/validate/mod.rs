//! The validator: every row of every table accepted or rejected, never fixed (docs/inputs.md), and
//! what the accepted rows add up to kept as it goes.
//!
//! A row is rejected for the first rule it breaks, in this order: required cells and cell types
//! (in column order), ranges, `duplicate_id`, parents (platform, lender, loan),
//! `loan_platform_mismatch`, `after_as_of`. Keys register as they are seen, accepted or not,
//! so a later row repeating one is a duplicate even when the first was rejected; parents are
//! looked up among accepted rows only, in the order platforms, loans, lenders, investments,
//! recoveries, returns. Nothing of an accepted row is kept as a row: loans add into
//! per-platform totals and per-borrower sums, investments into per (platform, lender)
//! positions and per-platform totals, lenders into compact columns. So memory follows the
//! number of lenders and positions, not the number of input rows. The large id tables are
//! filled and probed a batch at a time, in table order ([`keys`], [`crate::input::probes`]).

use std::collections::BTreeMap;

use crate::config::{ClassifyRules, RecoveryRates};
use crate::domain::code::{ByCode, Code, DistrictCode, LenderCode, PlatformCode};
use crate::domain::date::Date;
use crate::domain::schema::{CellType, Table};
use crate::input::cells::{self, BorrowerType};
use crate::input::data::{
    Found, InputData, InvestmentTotals, LenderIndex, LoanTotals, Personal, Recovery, Return,
    ReturnAccount,
};
use crate::input::ids::{Fp, FpMap};
use crate::input::probes::Probes;
use crate::input::repeats::Repeated;
use crate::input::report::{Reason, RejectRow, TableReport};
use crate::input::set_aside::{SetAside, Spool, SET_ASIDE_FROM};
use crate::input::source::{Batch, Cell, Column};
use borrowers::Borrowers;
use keys::{Key, Keys};
use positions::PositionTables;

/// A parsed cell.
#[derive(Debug, Clone)]
pub enum Val<'a> {
    Null,
    Text(&'a str),
    Money(i64),
    Date(Date),
    Bool(bool),
    Int(i64),
    Borrower(BorrowerType),
    Flags(String),
}

impl Val<'_> {
    pub fn money(&self) -> Option<i64> {
        match self {
            Val::Money(v) => Some(*v),
            _ => None,
        }
    }
    pub fn date(&self) -> Option<Date> {
        match self {
            Val::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn int(&self) -> Option<i64> {
        match self {
            Val::Int(v) => Some(*v),
            _ => None,
        }
    }
    pub fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn bool_or(&self, default: bool) -> bool {
        match self {
            Val::Bool(b) => *b,
            _ => default,
        }
    }
}

/// The failure of one rule: the contract column it concerns (or [`EXTRA`], [`SHORT`]) and
/// the reason.
pub type Broken = (usize, Reason);

/// A cell beyond the header's columns (`extra_field`).
pub const EXTRA: usize = usize::MAX;
/// A lenders record that ends before the header does.
const SHORT: usize = usize::MAX - 1;

/// What the checks of a row found, for its acceptance (no id is looked up twice).
#[derive(Debug, Clone, Copy, Default)]
struct Resolved {
    /// The row (its index in the batch) when it registered a new key ([`Keys`]): accepted,
    /// it gives the key its value.
    key_row: Option<usize>,
    platform: PlatformCode,
    lender: LenderCode,
    loan: Option<LoanRef>,
}

/// A loan as investments see it: its platform and maturity, kept in the loan id table itself
/// (one memory access per lookup). A registered but rejected loan has no platform.
#[derive(Debug, Clone, Copy)]
struct LoanRef {
    platform: Option<PlatformCode>,
    /// Days since 1970, or `NO_DATE` (8 bytes rather than an `Option`'s 12: the table holds
    /// one per loan).
    matures_on: i32,
}

const NO_DATE: i32 = i32::MIN;

impl LoanRef {
    fn matures_on(self) -> Option<Date> {
        (self.matures_on != NO_DATE).then_some(Date(self.matures_on))
    }
}

impl Default for LoanRef {
    fn default() -> LoanRef {
        LoanRef {
            platform: None,
            matures_on: NO_DATE,
        }
    }
}

/// The state that crosses tables: which keys exist, which were accepted, and what the
/// accepted rows add up to.
pub struct Validator {
    as_of: Option<Date>,
    pub latest_date: Option<Date>,
    rates: RecoveryRates,
    individual_cap: i64,
    enterprise_cap: i64,
    keep_personal: bool,
    /// Each id seen: its code once its row is accepted, `None` while (or if) rejected.
    platform_ids: FpMap<Option<PlatformCode>>,
    loan_ids: FpMap<LoanRef>,
    lender_ids: FpMap<Option<LenderCode>>,
    /// The keys of the batch being validated, registered in table order.
    platform_keys: Keys<Option<PlatformCode>>,
    loan_keys: Keys<LoanRef>,
    lender_keys: Keys<Option<LenderCode>>,
    /// How the investment rows that repeat an earlier row's id are told: a set filled as they
    /// are read, or a first pass's findings set before ([`crate::input::repeats`]).
    pub repeats: Repeated,
    /// The id lookups of the investments batch being validated, made in table order.
    probes: Probes<LoanRef, Option<LenderCode>>,
    /// The loans' borrowers, gathered by platform in TMPDIR until the loans are done.
    borrowers: Borrowers,
    /// The lenders' ids written aside to TMPDIR as they are read, once those held take
    /// `lender_ids_aside_from` bytes ([`Spool`]).
    lender_spool: Option<Spool>,
    /// The temporary folder could not take them: told when the lenders are finished.
    lender_spool_failed: Option<crate::error::Error>,
    lender_ids_aside_from: usize,
    /// Σ per (platform, lender) as the investments are read, within a memory budget.
    positions: PositionTables,
    district_codes: std::collections::HashMap<String, DistrictCode>,
    pub data: InputData,
    /// Σ |amount| of every money column of the accepted rows: if a column's total fits i64
    /// fen, no sum kept from it can overflow.
    pub money_totals: BTreeMap<(Table, &'static str), i128>,
    /// The same Σ |amount| of the batch being read, by column (added to `money_totals` when
    /// the batch is done: a map entry per cell was a tenth of the investments' validation).
    batch_money: Vec<i128>,
    /// A table whose accepted rows would need more codes than there are: its rows from there
    /// on are not kept, and the read stops with `DataProblem::TooManyRows`.
    pub full: Option<Table>,
    pub rejects: Vec<RejectRow>,
    pub invalid_id_numbers: u64,
    pub invalid_bank_accounts: u64,
}

impl Validator {
    pub fn new(
        as_of: Option<Date>,
        classify: &ClassifyRules,
        rates: RecoveryRates,
        keep_personal: bool,
    ) -> Validator {
        Validator::with_caps(
            as_of,
            rates,
            [
                classify.individual_borrower_cap.get(),
                classify.enterprise_borrower_cap.get(),
            ],
            keep_personal,
        )
    }

    /// An empty validator: `caps` are the individual and enterprise borrower caps in fen.
    fn with_caps(
        as_of: Option<Date>,
        rates: RecoveryRates,
        [individual_cap, enterprise_cap]: [i64; 2],
        keep_personal: bool,
    ) -> Validator {
        Validator {
            as_of,
            latest_date: None,
            rates,
            individual_cap,
            enterprise_cap,
            keep_personal,
            platform_ids: FpMap::with_expected(1 << 10),
            loan_ids: FpMap::with_expected(1 << 10),
            lender_ids: FpMap::with_expected(1 << 10),
            platform_keys: Keys::default(),
            loan_keys: Keys::default(),
            lender_keys: Keys::default(),
            repeats: Repeated::default(),
            probes: Probes::default(),
            borrowers: Borrowers::from_env(),
            lender_spool: None,
            lender_spool_failed: None,
            lender_ids_aside_from: crate::memory::size_from_env(
                "WINDDOWN_LENDER_IDS_ASIDE_FROM",
                SET_ASIDE_FROM,
            ),
            positions: PositionTables::from_env(),
            district_codes: Default::default(),
            data: InputData {
                personal: keep_personal.then(Personal::default),
                ..InputData::default()
            },
            money_totals: BTreeMap::new(),
            batch_money: Vec::new(),
            full: None,
            rejects: Vec::new(),
            invalid_id_numbers: 0,
            invalid_bank_accounts: 0,
        }
    }

    /// A validator of the lenders table alone, to read it on a thread beside other work (the
    /// loans, or the investments' first pass): a lender row names no platform, loan or
    /// investment. It takes the lenders' state — their id table, the districts met, what is
    /// kept of them — which [`Validator::merge_lenders`] gives back.
    pub fn lenders_apart(&mut self) -> Validator {
        let empty = Validator::with_caps(
            self.as_of,
            self.rates,
            [self.individual_cap, self.enterprise_cap],
            self.keep_personal,
        );
        Validator {
            lender_ids: std::mem::replace(&mut self.lender_ids, FpMap::with_expected(1)),
            district_codes: std::mem::take(&mut self.district_codes),
            lender_spool: self.lender_spool.take(),
            lender_spool_failed: self.lender_spool_failed.take(),
            data: InputData {
                lenders: std::mem::take(&mut self.data.lenders),
                personal: self.data.personal.take(),
                ..InputData::default()
            },
            full: self.full,
            ..empty
        }
    }

    /// Take back what [`Validator::lenders_apart`] lent, with what its table added: the
    /// lenders' rejects after the loans' (the order the tables are read in), the counts and
    /// totals added, the later date, the first table found full.
    pub fn merge_lenders(&mut self, apart: Validator) {
        self.lender_ids = apart.lender_ids;
        self.district_codes = apart.district_codes;
        self.lender_spool = apart.lender_spool;
        self.lender_spool_failed = apart.lender_spool_failed;
        self.data.lenders = apart.data.lenders;
        self.data.personal = apart.data.personal;
        self.latest_date = self.latest_date.max(apart.latest_date);
        for (column, total) in apart.money_totals {
            *self.money_totals.entry(column).or_default() += total;
        }
        self.full = self.full.or(apart.full);
        self.rejects.extend(apart.rejects);
        self.invalid_id_numbers += apart.invalid_id_numbers;
        self.invalid_bank_accounts += apart.invalid_bank_accounts;
    }

    /// Whether lenders' names and id numbers are kept.
    pub fn keeps_personal(&self) -> bool {
        self.keep_personal
    }

    /// Make room in the id tables for about `rows` more rows of `table` before reading them
    /// (a table in parts calls it once per part).
    pub fn expect_rows(&mut self, table: Table, rows: usize) {
        match table {
            Table::Loans => {
                self.loan_ids.reserve(rows);
            }
            Table::Lenders => self.lender_ids.reserve(rows),
            Table::Investments => {
                if let Repeated::Set(ids) = &mut self.repeats {
                    ids.reserve(rows)
                }
            }
            // The case tables are input::cases' (never read into this validator).
            _ => {}
        }
    }

    /// Validate one batch of `table`.
    pub fn batch(&mut self, table: Table, file: &str, batch: &Batch, report: &mut TableReport) {
        let coded = match table {
            Table::Platforms => Some(self.data.platforms.len()),
            Table::Lenders => Some(self.lenders_read()),
            _ => None,
        };
        if coded.is_some_and(|kept| !crate::domain::code::room_for(kept, batch.len())) {
            self.full.get_or_insert(table);
        }
        if self.full.is_some() {
            return;
        }
        let spec = table.columns();
        self.batch_money.clear();
        self.batch_money.resize(spec.len(), 0);
        match table {
            Table::Platforms => self
                .platform_keys
                .register(batch, P_ID, &mut self.platform_ids),
            Table::Loans => self.loan_keys.register(batch, LN_ID, &mut self.loan_ids),
            Table::Lenders => self
                .lender_keys
                .register(batch, LD_ID, &mut self.lender_ids),
            _ => {}
        }
        if table == Table::Investments {
            self.investments(file, batch, report);
        } else if table == Table::Loans {
            self.loans(file, batch, report);
        } else {
            let mut vals: Vec<Val> = Vec::with_capacity(spec.len());
            for i in 0..batch.len() {
                self.row(table, file, batch, i, report, &mut vals);
            }
        }
        match table {
            Table::Platforms => self.platform_keys.write(&mut self.platform_ids),
            Table::Loans => self.loan_keys.write(&mut self.loan_ids),
            Table::Lenders => self.lender_keys.write(&mut self.lender_ids),
            _ => {}
        }
        for (c, total) in self.batch_money.iter().enumerate() {
            if *total != 0 {
                *self.money_totals.entry((table, spec[c].name)).or_default() += total;
            }
        }
    }

    /// Check and keep a batch of loans, their cells parsed a chunk ahead on helper threads
    /// ([`crate::input::ahead`]: a row's parse depends on its cells alone); the keys
    /// registered before, in table order ([`Keys`]), the borrowers here, in row order
    /// ([`Borrowers`]). (The
    /// lenders, read beside the loans, keep the cores busy on their own: parsed ahead too, they
    /// took longer.)
    fn loans<'a>(&mut self, file: &str, batch: &'a Batch, report: &mut TableReport) {
        let table = Table::Loans;
        let prepare =
            |rows: std::ops::Range<usize>, p: &mut ParsedRows<'a>| p.parse(table, batch, rows);
        crate::input::ahead::chunks(batch.len(), prepare, |rows, p| {
            for (k, i) in rows.enumerate() {
                let (parsed, vals) = p.row(k);
                let checked = self.check_parsed(table, batch, i, parsed, vals);
                report.count(self.keep(table, file, batch, i, checked, vals));
            }
        });
    }

    /// Check row `i` of the batch; keep it or its reject.
    fn row<'a>(
        &mut self,
        table: Table,
        file: &str,
        batch: &'a Batch,
        i: usize,
        report: &mut TableReport,
        vals: &mut Vec<Val<'a>>,
    ) {
        vals.clear();
        let checked = self.check_row(table, batch, i, vals);
        report.count(self.keep(table, file, batch, i, checked, vals));
    }

    /// Keep row `i` of the batch as `checked` found it: its cells `vals` added up, or its
    /// reject (whose reason is returned).
    fn keep(
        &mut self,
        table: Table,
        file: &str,
        batch: &Batch,
        i: usize,
        checked: Result<Resolved, Broken>,
        vals: &[Val],
    ) -> Result<(), Reason> {
        match checked {
            Ok(resolved) => {
                self.accept(table, vals, resolved, file, batch.lines[i]);
                Ok(())
            }
            Err((col, reason)) => {
                self.rejects
                    .push(reject_row(table, file, batch, i, (col, reason)));
                Err(reason)
            }
        }
    }
}

/// The reject of row `i` of `batch`, broken at `col` for `reason`: its file, line, column and
/// the value quoted back (never a personal cell's, nor any cell of a lenders record whose
/// fields do not line up with the header — a name or phone number may be in any of them).
pub fn reject_row(
    table: Table,
    file: &str,
    batch: &Batch,
    i: usize,
    (col, reason): Broken,
) -> RejectRow {
    let spec = table.columns();
    let (column, raw) = if col == EXTRA {
        let (pos, text) = batch.extra_field(i).unwrap_or((0, String::new()));
        (format!("#{pos}"), Some(text))
    } else if col == SHORT {
        (batch.short_of(i).unwrap_or_default().to_string(), None)
    } else {
        let c = &spec[col];
        (
            c.name.to_string(),
            if c.personal {
                None
            } else if let Some(fault) = batch.fault(i, col) {
                Some(fault.shown.clone())
            } else {
                batch.columns[col].raw(i)
            },
        )
    };
    let shifted = table == Table::Lenders && batch.misaligned(i);
    RejectRow {
        table,
        file: file.to_string(),
        line: batch.lines[i],
        column,
        value: match (reason, raw) {
            _ if shifted => String::new(),
            (Reason::MissingValue, _) | (_, None) => String::new(),
            (_, Some(text)) => text.chars().take(200).collect(),
        },
        reason,
    }
}

impl crate::input::source::RowSink for Validator {
    fn keeps_personal(&self) -> bool {
        Validator::keeps_personal(self)
    }
    fn expect_rows(&mut self, table: Table, rows: usize) {
        Validator::expect_rows(self, table, rows)
    }
    /// The investments' batches are prepared a chunk ahead on helpers ([`investments`]),
    /// which each batch begins and ends idle: a text reader hands them over in
    /// [`crate::input::ahead::BATCH_ROWS`].
    fn batch_rows(&self, table: Table) -> Option<usize> {
        (table == Table::Investments).then_some(crate::input::ahead::BATCH_ROWS)
    }
    fn batch(&mut self, table: Table, file: &str, batch: &Batch, report: &mut TableReport) {
        Validator::batch(self, table, file, batch, report)
    }
    fn wants_more(&self) -> bool {
        !self.repeats.broken()
    }
}

mod accept;
mod borrowers;
mod checks;
mod investments;
mod keys;
mod positions;

pub use investments::BeforeInvestments;

pub use checks::parse_cells;
use checks::ParsedRows;

pub use accept::expected_recovery;

// Column positions, derived from the contract's column lists (domain/schema.rs); a name that is
// not a column of its table gives usize::MAX, which a test catches.
const P_ID: usize = Table::Platforms.position("platform_id");
const LD_ID: usize = Table::Lenders.position("lender_id");
const LD_NAME: usize = Table::Lenders.position("name");
const LD_ID_NUMBER: usize = Table::Lenders.position("id_number");
const LD_PHONE: usize = Table::Lenders.position("phone");
const LD_DISTRICT: usize = Table::Lenders.position("district");
const LD_REGISTERED: usize = Table::Lenders.position("registered");
const LD_EXCLUDED: usize = Table::Lenders.position("excluded");
const LD_BANK_ACCOUNT: usize = Table::Lenders.position("bank_account");
const LD_BANK_NAME: usize = Table::Lenders.position("bank_name");
const LD_ACCOUNT_NAME: usize = Table::Lenders.position("account_name");
const IV_ID: usize = Table::Investments.position("investment_id");
const IV_PLATFORM: usize = Table::Investments.position("platform_id");
const IV_LENDER: usize = Table::Investments.position("lender_id");
const IV_LOAN: usize = Table::Investments.position("loan_id");
const IV_INVESTED: usize = Table::Investments.position("invested_on");
const IV_AMOUNT: usize = Table::Investments.position("amount");
const IV_PRINCIPAL_RETURNED: usize = Table::Investments.position("principal_returned");
const IV_RETURNS: usize = Table::Investments.position("returns_received");
const IV_MATURES: usize = Table::Investments.position("matures_on");
const LN_ID: usize = Table::Loans.position("loan_id");
const LN_PLATFORM: usize = Table::Loans.position("platform_id");
const LN_BORROWER: usize = Table::Loans.position("borrower_id");
const LN_BORROWER_TYPE: usize = Table::Loans.position("borrower_type");
const LN_RELATED: usize = Table::Loans.position("related_party");
const LN_ORIGINATED: usize = Table::Loans.position("originated_on");
const LN_PRINCIPAL: usize = Table::Loans.position("principal");
const LN_OUTSTANDING: usize = Table::Loans.position("outstanding_principal");
const LN_MATURES: usize = Table::Loans.position("matures_on");
const LN_DPD: usize = Table::Loans.position("days_past_due");
const LN_COLLATERAL: usize = Table::Loans.position("collateral_value");
const RC_PLATFORM: usize = Table::Recoveries.position("platform_id");
const RC_ROUND: usize = Table::Recoveries.position("round");
const RC_AMOUNT: usize = Table::Recoveries.position("amount");
const RC_RECEIVED: usize = Table::Recoveries.position("received_on");
const RT_PLATFORM: usize = Table::Returns.position("platform_id");
const RT_ROUND: usize = Table::Returns.position("round");
const RT_LENDER: usize = Table::Returns.position("lender_id");
const RT_AMOUNT: usize = Table::Returns.position("amount");
const RT_RETURNED_ON: usize = Table::Returns.position("returned_on");
const RT_BANK_ACCOUNT: usize = Table::Returns.position("bank_account");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_positions_match_the_schema() {
        // Derived at compile time; a name the table lacks would be usize::MAX.
        assert_eq!(Table::Lenders.position("no_such_column"), usize::MAX);
        let pos = |t: Table, n: &str| t.column_index(n).unwrap();
        assert_eq!(pos(Table::Platforms, "platform_id"), P_ID);
        for (n, p) in [
            ("lender_id", LD_ID),
            ("name", LD_NAME),
            ("id_number", LD_ID_NUMBER),
            ("phone", LD_PHONE),
            ("district", LD_DISTRICT),
            ("registered", LD_REGISTERED),
            ("excluded", LD_EXCLUDED),
            ("bank_account", LD_BANK_ACCOUNT),
            ("bank_name", LD_BANK_NAME),
            ("account_name", LD_ACCOUNT_NAME),
        ] {
            assert_eq!(pos(Table::Lenders, n), p, "{n}");
        }
        for (n, p) in [
            ("investment_id", IV_ID),
            ("platform_id", IV_PLATFORM),
            ("lender_id", IV_LENDER),
            ("loan_id", IV_LOAN),
            ("invested_on", IV_INVESTED),
            ("amount", IV_AMOUNT),
            ("principal_returned", IV_PRINCIPAL_RETURNED),
            ("returns_received", IV_RETURNS),
            ("matures_on", IV_MATURES),
        ] {
            assert_eq!(pos(Table::Investments, n), p, "{n}");
        }
        for (n, p) in [
            ("loan_id", LN_ID),
            ("platform_id", LN_PLATFORM),
            ("borrower_id", LN_BORROWER),
            ("borrower_type", LN_BORROWER_TYPE),
            ("related_party", LN_RELATED),
            ("originated_on", LN_ORIGINATED),
            ("principal", LN_PRINCIPAL),
            ("outstanding_principal", LN_OUTSTANDING),
            ("matures_on", LN_MATURES),
            ("days_past_due", LN_DPD),
            ("collateral_value", LN_COLLATERAL),
        ] {
            assert_eq!(pos(Table::Loans, n), p, "{n}");
        }
        for (n, p) in [
            ("platform_id", RC_PLATFORM),
            ("round", RC_ROUND),
            ("amount", RC_AMOUNT),
            ("received_on", RC_RECEIVED),
        ] {
            assert_eq!(pos(Table::Recoveries, n), p, "{n}");
        }
        for (n, p) in [
            ("platform_id", RT_PLATFORM),
            ("round", RT_ROUND),
            ("lender_id", RT_LENDER),
            ("amount", RT_AMOUNT),
            ("returned_on", RT_RETURNED_ON),
            ("bank_account", RT_BANK_ACCOUNT),
        ] {
            assert_eq!(pos(Table::Returns, n), p, "{n}");
        }
    }

    #[test]
    fn expected_recovery_is_exact_and_half_even() {
        let rates = crate::config::Config::default().recovery;
        // 0.95 × 1.01 fen = 0.9595 → 1 fen; 0.95 × 10 fen = 9.5 → 10 (even), 0.95 × 30 = 28.5 → 28.
        assert_eq!(expected_recovery(101, 0, 0, &rates), 96);
        assert_eq!(expected_recovery(10, 0, 0, &rates), 10);
        assert_eq!(expected_recovery(30, 0, 0, &rates), 28);
        // Collateral can lift it to the outstanding, never above.
        assert_eq!(expected_recovery(1_000, 100_000, 200, &rates), 1_000);
        // 181 days: 10 %; 5 fen of collateral at 50 % adds 2.5.
        assert_eq!(expected_recovery(1_000, 5, 181, &rates), 102);
        assert_eq!(expected_recovery(i64::MAX, i64::MAX, 0, &rates), i64::MAX);
    }
}
