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
//! probed a batch at a time where that pays ([`crate::input::probes`]).

use std::collections::BTreeMap;

use crate::config::{ClassifyRules, RecoveryRates};
use crate::domain::date::Date;
use crate::domain::schema::{CellType, Table};
use crate::input::cells::{self, BorrowerType};
use crate::input::data::{
    InputData, InvestmentTotals, LoanTotals, Personal, Position, PositionTable, Positions,
    Recovery, Return, ReturnAccount,
};
use crate::input::ids::{Fp, FpMap, FpSet};
use crate::input::probes::Probes;
use crate::input::report::{Reason, RejectRow, TableReport};
use crate::input::source::{Batch, Cell, Column};

/// How many rows ahead the id table slots are prefetched: enough reads in flight to hide the
/// memory latency, few enough that the lines are still cached when the row comes.
const PREFETCH_AHEAD: usize = 16;

/// Registered but not accepted (a rejected row's key).
const REJECTED: u32 = u32::MAX;

/// A parsed cell.
#[derive(Debug, Clone)]
enum Val<'a> {
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
    fn money(&self) -> Option<i64> {
        match self {
            Val::Money(v) => Some(*v),
            _ => None,
        }
    }
    fn date(&self) -> Option<Date> {
        match self {
            Val::Date(d) => Some(*d),
            _ => None,
        }
    }
    fn int(&self) -> Option<i64> {
        match self {
            Val::Int(v) => Some(*v),
            _ => None,
        }
    }
    fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }
    fn bool_or(&self, default: bool) -> bool {
        match self {
            Val::Bool(b) => *b,
            _ => default,
        }
    }
}

/// The failure of one rule: the contract column it concerns (or [`EXTRA`], [`SHORT`]) and
/// the reason.
type Broken = (usize, Reason);

/// A cell beyond the header's columns (`extra_field`).
const EXTRA: usize = usize::MAX;
/// A lenders record that ends before the header does.
const SHORT: usize = usize::MAX - 1;

/// What the checks of a row found, for its acceptance (no id is looked up twice).
#[derive(Debug, Clone, Copy, Default)]
struct Resolved {
    /// Where the row's new key went in its id table.
    key_slot: Option<usize>,
    platform: u32,
    lender: u32,
    loan: Option<LoanRef>,
}

/// A loan as investments see it: its platform and maturity, kept in the loan id table itself
/// (one memory access per lookup). A registered but rejected loan has platform `REJECTED`.
#[derive(Debug, Clone, Copy)]
struct LoanRef {
    platform: u32,
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
            platform: REJECTED,
            matures_on: NO_DATE,
        }
    }
}

/// One borrower on one platform, while the loans are read.
#[derive(Debug, Clone, Copy)]
struct Borrower {
    platform: u32,
    outstanding: i64,
    enterprise: bool,
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
    platform_ids: FpMap<u32>,
    loan_ids: FpMap<LoanRef>,
    lender_ids: FpMap<u32>,
    investment_ids: FpSet,
    /// The id lookups of the investments batch being validated, made in table order.
    probes: Probes<LoanRef>,
    borrower_ids: FpMap<u32>,
    borrowers: Vec<Borrower>,
    positions: Vec<PositionTable>,
    district_codes: std::collections::HashMap<String, u32>,
    pub data: InputData,
    /// Σ |amount| of every money column of the accepted rows: if a column's total fits i64
    /// fen, no sum kept from it can overflow.
    pub money_totals: BTreeMap<(Table, &'static str), i128>,
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
        Validator {
            as_of,
            latest_date: None,
            rates,
            individual_cap: classify.individual_borrower_cap,
            enterprise_cap: classify.enterprise_borrower_cap,
            keep_personal,
            platform_ids: FpMap::with_expected(1 << 10),
            loan_ids: FpMap::with_expected(1 << 10),
            lender_ids: FpMap::with_expected(1 << 10),
            investment_ids: FpSet::with_expected(1 << 10),
            probes: Probes::default(),
            borrower_ids: FpMap::with_expected(1 << 10),
            borrowers: Vec::new(),
            positions: Vec::new(),
            district_codes: Default::default(),
            data: InputData {
                personal: keep_personal.then(Personal::default),
                ..InputData::default()
            },
            money_totals: BTreeMap::new(),
            rejects: Vec::new(),
            invalid_id_numbers: 0,
            invalid_bank_accounts: 0,
        }
    }

    /// Whether lenders' names and id numbers are kept.
    pub fn keeps_personal(&self) -> bool {
        self.keep_personal
    }

    /// Size the id tables for a table of about `rows` rows before reading it.
    pub fn expect_rows(&mut self, table: Table, rows: usize) {
        match table {
            Table::Loans => {
                self.loan_ids = FpMap::with_expected(rows);
                self.borrower_ids = FpMap::with_expected(rows);
            }
            Table::Lenders => self.lender_ids = FpMap::with_expected(rows),
            Table::Investments => self.investment_ids = FpSet::with_expected(rows),
            Table::Platforms | Table::Recoveries | Table::Returns => {}
        }
    }

    /// Validate one batch of `table`.
    pub fn batch(&mut self, table: Table, file: &str, batch: &Batch, report: &mut TableReport) {
        let spec = table.columns();
        let mut vals: Vec<Val> = Vec::with_capacity(spec.len());
        if table == Table::Investments {
            self.probes.fill(
                batch,
                (IV_ID, IV_LENDER, IV_LOAN),
                &mut self.investment_ids,
                &self.lender_ids,
                &self.loan_ids,
            );
        }
        for i in 0..PREFETCH_AHEAD.min(batch.len()) {
            self.prefetch(table, batch, i);
        }
        for i in 0..batch.len() {
            if i + PREFETCH_AHEAD < batch.len() {
                self.prefetch(table, batch, i + PREFETCH_AHEAD);
            }
            report.read += 1;
            vals.clear();
            match self.check_row(table, batch, i, &mut vals) {
                Ok(resolved) => {
                    report.accepted += 1;
                    self.accept(table, &vals, resolved, file, batch.lines[i]);
                }
                Err((col, reason)) => {
                    report.rejected += 1;
                    *report.reasons.entry(reason.code()).or_default() += 1;
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
                    // A lenders record whose fields do not line up with the header may hold a
                    // name or phone number in any cell: none of it is quoted back.
                    let shifted = table == Table::Lenders && batch.misaligned(i);
                    self.rejects.push(RejectRow {
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
                    });
                }
            }
        }
    }

    /// Start loading the id table slots row `i` will look up (the tables of lenders, loans and
    /// investments are larger than the caches: each lookup is a memory read).
    fn prefetch(&self, table: Table, batch: &Batch, i: usize) {
        let fp = |c: usize| match batch.columns[c].text(i) {
            Cell::Ok(s) => Some(Fp::of(s.as_bytes())),
            _ => None,
        };
        match table {
            // Looked up already, in table order (`Probes`).
            Table::Investments => {}
            Table::Loans => {
                if let Some(f) = fp(LN_ID) {
                    self.loan_ids.prefetch(f);
                }
            }
            Table::Lenders => {
                if let Some(f) = fp(LD_ID) {
                    self.lender_ids.prefetch(f);
                }
            }
            Table::Platforms | Table::Recoveries | Table::Returns => {}
        }
    }

    /// Parse and check row `i`; on success `vals` holds its typed cells.
    fn check_row<'a>(
        &mut self,
        table: Table,
        batch: &'a Batch,
        i: usize,
        vals: &mut Vec<Val<'a>>,
    ) -> Result<Resolved, Broken> {
        let columns = &batch.columns;
        // Every row that has a key registers it, accepted or not.
        let (seen, key_slot) = match table {
            Table::Recoveries | Table::Returns => (false, None),
            Table::Investments => (self.probes.seen[i], None),
            _ => match columns[0].text(i) {
                Cell::Ok(key) => self.register_key(table, key),
                _ => (false, None),
            },
        };
        let mut resolved = Resolved {
            key_slot,
            ..Resolved::default()
        };
        // A misaligned record (cells beyond the header) is refused before its cells are read.
        if batch.extra_field(i).is_some() {
            return Err((EXTRA, Reason::ExtraField));
        }
        // A lenders record with fewer fields than the header may have shifted a phone number
        // into `district`: it is refused too, at the first column it does not reach.
        if table == Table::Lenders && batch.short_of(i).is_some() {
            return Err((SHORT, Reason::MissingValue));
        }
        // 1. Required cells and cell types, in column order.
        for (c, (spec, column)) in table.columns().iter().zip(columns).enumerate() {
            if let Some(fault) = batch.fault(i, c) {
                return Err((c, fault.reason));
            }
            let val = match parse(spec.ty, column, i) {
                Cell::Missing if spec.required => return Err((c, Reason::MissingValue)),
                Cell::Missing => Val::Null,
                Cell::Bad => return Err((c, Reason::for_type(spec.ty))),
                Cell::Ok(v) => v,
            };
            vals.push(val);
        }
        // 2. Ranges, 3. duplicate keys, 4. parents, 5. loan platform, 6. after as-of.
        match table {
            Table::Platforms | Table::Lenders if seen => Err((0, Reason::DuplicateId)),
            Table::Platforms | Table::Lenders => Ok(()),
            Table::Loans => self.check_loan(vals, seen, &mut resolved),
            Table::Investments => self.check_investment(vals, i, seen, &mut resolved),
            Table::Recoveries => self.check_recovery(vals, &mut resolved),
            Table::Returns => self.check_return(vals, &mut resolved),
        }?;
        Ok(resolved)
    }

    /// Register a key as seen (not yet accepted): whether it had been seen before, and where
    /// a new one went in its table (its code is written there if the row is accepted).
    fn register_key(&mut self, table: Table, key: &str) -> (bool, Option<usize>) {
        let fp = Fp::of(key.as_bytes());
        let new = |r: Result<usize, u32>| match r {
            Ok(slot) => (false, Some(slot)),
            Err(_) => (true, None),
        };
        match table {
            Table::Platforms => new(self.platform_ids.insert_new(fp, REJECTED)),
            Table::Loans => match self.loan_ids.insert_new(fp, LoanRef::default()) {
                Ok(slot) => (false, Some(slot)),
                Err(_) => (true, None),
            },
            Table::Lenders => new(self.lender_ids.insert_new(fp, REJECTED)),
            Table::Investments => (!self.investment_ids.insert(fp), None),
            Table::Recoveries | Table::Returns => (false, None),
        }
    }

    fn check_loan(&self, vals: &[Val], seen: bool, r: &mut Resolved) -> Result<(), Broken> {
        let principal = vals[LN_PRINCIPAL].money().unwrap_or(0);
        let outstanding = vals[LN_OUTSTANDING].money().unwrap_or(0);
        if principal <= 0 {
            return Err((LN_PRINCIPAL, Reason::OutOfRange));
        }
        if outstanding < 0 || outstanding > principal {
            return Err((LN_OUTSTANDING, Reason::OutOfRange));
        }
        if let (Some(m), Some(o)) = (vals[LN_MATURES].date(), vals[LN_ORIGINATED].date()) {
            if m < o {
                return Err((LN_MATURES, Reason::OutOfRange));
            }
        }
        if vals[LN_DPD].int().is_some_and(|d| d < 0) {
            return Err((LN_DPD, Reason::OutOfRange));
        }
        if vals[LN_COLLATERAL].money().is_some_and(|c| c < 0) {
            return Err((LN_COLLATERAL, Reason::OutOfRange));
        }
        if seen {
            return Err((LN_ID, Reason::DuplicateId));
        }
        r.platform =
            self.platform_parent(vals[LN_PLATFORM].text().unwrap_or_default(), LN_PLATFORM)?;
        self.after_as_of(vals[LN_ORIGINATED].date(), LN_ORIGINATED)
    }

    /// Row `i` of the batch: its lender and loan were looked up beforehand (`self.probes`).
    fn check_investment(
        &self,
        vals: &[Val],
        i: usize,
        seen: bool,
        r: &mut Resolved,
    ) -> Result<(), Broken> {
        let amount = vals[IV_AMOUNT].money().unwrap_or(0);
        if amount <= 0 {
            return Err((IV_AMOUNT, Reason::OutOfRange));
        }
        if let Some(pr) = vals[IV_PRINCIPAL_RETURNED].money() {
            if pr < 0 || pr > amount {
                return Err((IV_PRINCIPAL_RETURNED, Reason::OutOfRange));
            }
        }
        if vals[IV_RETURNS].money().is_some_and(|r| r < 0) {
            return Err((IV_RETURNS, Reason::OutOfRange));
        }
        if let (Some(m), Some(i)) = (vals[IV_MATURES].date(), vals[IV_INVESTED].date()) {
            if m < i {
                return Err((IV_MATURES, Reason::OutOfRange));
            }
        }
        if seen {
            return Err((IV_ID, Reason::DuplicateId));
        }
        let platform =
            self.platform_parent(vals[IV_PLATFORM].text().unwrap_or_default(), IV_PLATFORM)?;
        r.platform = platform;
        r.lender = match self.probes.lender[i] {
            None => return Err((IV_LENDER, Reason::UnknownParent)),
            Some(REJECTED) => return Err((IV_LENDER, Reason::ParentRejected)),
            Some(code) => code,
        };
        if vals[IV_LOAN].text().is_some() {
            match self.probes.loan[i] {
                None => return Err((IV_LOAN, Reason::UnknownParent)),
                Some(l) if l.platform == REJECTED => return Err((IV_LOAN, Reason::ParentRejected)),
                Some(loan) => {
                    if loan.platform != platform {
                        return Err((IV_LOAN, Reason::LoanPlatformMismatch));
                    }
                    r.loan = Some(loan);
                }
            }
        }
        self.after_as_of(vals[IV_INVESTED].date(), IV_INVESTED)
    }

    fn check_recovery(&self, vals: &[Val], r: &mut Resolved) -> Result<(), Broken> {
        if vals[RC_ROUND].int().is_some_and(|r| r < 1) {
            return Err((RC_ROUND, Reason::OutOfRange));
        }
        if vals[RC_AMOUNT].money().is_some_and(|a| a < 0) {
            return Err((RC_AMOUNT, Reason::OutOfRange));
        }
        r.platform =
            self.platform_parent(vals[RC_PLATFORM].text().unwrap_or_default(), RC_PLATFORM)?;
        self.after_as_of(vals[RC_RECEIVED].date(), RC_RECEIVED)
    }

    /// A returned transfer: a positive amount of a round ≥ 1, to an accepted lender of an
    /// accepted platform. Whether that lender was paid as much in that round is checked against
    /// the payouts (docs/payouts.md). Not held to as-of: transfers come back after the payout.
    fn check_return(&self, vals: &[Val], r: &mut Resolved) -> Result<(), Broken> {
        if vals[RT_ROUND].int().is_some_and(|r| r < 1) {
            return Err((RT_ROUND, Reason::OutOfRange));
        }
        if vals[RT_AMOUNT].money().is_some_and(|a| a <= 0) {
            return Err((RT_AMOUNT, Reason::OutOfRange));
        }
        r.platform =
            self.platform_parent(vals[RT_PLATFORM].text().unwrap_or_default(), RT_PLATFORM)?;
        // After the investments the lender ids live in the data (for ledgers and returns).
        let lender = vals[RT_LENDER].text().unwrap_or_default();
        r.lender = match self.data.lender_index.get(Fp::of(lender.as_bytes())) {
            None => return Err((RT_LENDER, Reason::UnknownParent)),
            Some(REJECTED) => return Err((RT_LENDER, Reason::ParentRejected)),
            Some(code) => code,
        };
        Ok(())
    }

    /// The accepted platform's code, or the reason it cannot be a parent.
    fn platform_parent(&self, id: &str, col: usize) -> Result<u32, Broken> {
        match self.platform_ids.get(Fp::of(id.as_bytes())) {
            None => Err((col, Reason::UnknownParent)),
            Some(REJECTED) => Err((col, Reason::ParentRejected)),
            Some(code) => Ok(code),
        }
    }

    fn after_as_of(&self, date: Option<Date>, col: usize) -> Result<(), Broken> {
        match (self.as_of, date) {
            (Some(as_of), Some(d)) if d > as_of => Err((col, Reason::AfterAsOf)),
            _ => Ok(()),
        }
    }

    /// Record an accepted row: mark its key accepted, track the latest date, add it up.
    fn accept(&mut self, table: Table, vals: &[Val], r: Resolved, file: &str, line: u64) {
        for (c, spec) in table.columns().iter().enumerate() {
            if let (CellType::Money, Some(v)) = (spec.ty, vals[c].money()) {
                *self.money_totals.entry((table, spec.name)).or_default() += i128::from(v).abs();
            }
        }
        let dated = match table {
            Table::Platforms => {
                self.accept_platform(vals, r);
                None
            }
            Table::Loans => {
                self.accept_loan(vals, r);
                vals[LN_ORIGINATED].date()
            }
            Table::Lenders => {
                self.accept_lender(vals, r, file, line);
                None
            }
            Table::Investments => {
                self.accept_investment(vals, r);
                vals[IV_INVESTED].date()
            }
            Table::Recoveries => {
                self.accept_recovery(vals, r);
                vals[RC_RECEIVED].date()
            }
            // Returns happen after the payouts: they do not move as-of.
            Table::Returns => {
                self.accept_return(vals, r, file, line);
                None
            }
        };
        if let Some(d) = dated {
            self.latest_date = self.latest_date.max(Some(d));
        }
    }

    fn accept_platform(&mut self, vals: &[Val], r: Resolved) {
        let p = &mut self.data.platforms;
        let code = p.ids.len() as u32;
        let id = vals[P_ID].text().unwrap_or_default();
        if let Some(slot) = r.key_slot {
            self.platform_ids.set_at(slot, code);
        }
        p.ids.push(id.to_string());
        p.names.push(vals[1].text().unwrap_or_default().to_string());
        p.districts
            .push(vals[2].text().unwrap_or_default().to_string());
        // The defaults of docs/inputs.md: cooperating and reporting true, the rest false.
        p.case_filed.push(vals[3].bool_or(false));
        p.controller_missing.push(vals[4].bool_or(false));
        p.repayment_suspended.push(vals[5].bool_or(false));
        p.cooperating.push(vals[6].bool_or(true));
        p.reporting.push(vals[7].bool_or(true));
        p.red_flags.push(match &vals[8] {
            Val::Flags(f) if !f.is_empty() => f.split(';').map(str::to_string).collect(),
            _ => Vec::new(),
        });
        self.data.loans.push(LoanTotals::default());
        self.data.investments.push(InvestmentTotals::default());
        self.positions.push(PositionTable::default());
    }

    fn accept_loan(&mut self, vals: &[Val], r: Resolved) {
        let platform = r.platform;
        if let Some(at) = r.key_slot {
            self.loan_ids.set_at(
                at,
                LoanRef {
                    platform,
                    matures_on: vals[LN_MATURES].date().map_or(NO_DATE, |d| d.0),
                },
            );
        }

        let outstanding = vals[LN_OUTSTANDING].money().unwrap_or(0);
        let dpd = vals[LN_DPD].int().unwrap_or(0);
        let collateral = vals[LN_COLLATERAL].money().unwrap_or(0);
        let t = &mut self.data.loans[platform as usize];
        t.loan_outstanding = t.loan_outstanding.saturating_add(outstanding);
        if dpd > 0 {
            t.overdue_amount = t.overdue_amount.saturating_add(outstanding);
        }
        if dpd > 90 {
            t.overdue_90_amount = t.overdue_90_amount.saturating_add(outstanding);
        }
        if vals[LN_RELATED].bool_or(false) {
            t.related_party_amount = t.related_party_amount.saturating_add(outstanding);
        }
        let recovery = expected_recovery(outstanding, collateral, dpd, &self.rates);
        t.expected_recovery = t.expected_recovery.saturating_add(recovery);
        t.last_new_loan_on = t.last_new_loan_on.max(vals[LN_ORIGINATED].date());
        if outstanding > 0 {
            t.last_loan_maturity = t.last_loan_maturity.max(vals[LN_MATURES].date());
        }

        // The borrower on this platform: a borrower with any enterprise loan is one.
        let borrower = vals[LN_BORROWER].text().unwrap_or_default();
        let enterprise = matches!(
            vals[LN_BORROWER_TYPE],
            Val::Borrower(BorrowerType::Enterprise)
        );
        let key = Fp::pair(platform, borrower.as_bytes());
        let next = self.borrowers.len() as u32;
        match self.borrower_ids.insert_new(key, next) {
            Ok(_) => self.borrowers.push(Borrower {
                platform,
                outstanding,
                enterprise,
            }),
            Err(b) => {
                let b = &mut self.borrowers[b as usize];
                b.outstanding = b.outstanding.saturating_add(outstanding);
                b.enterprise |= enterprise;
            }
        }
    }

    /// After the loans table: each platform's borrower figures (current borrowers, the largest
    /// one and ten, those above their cap), then the borrower table is freed.
    pub fn finish_loans(&mut self) {
        let n = self.data.loans.len();
        let mut top: Vec<std::collections::BinaryHeap<std::cmp::Reverse<i64>>> =
            vec![Default::default(); n];
        for b in std::mem::take(&mut self.borrowers) {
            let t = &mut self.data.loans[b.platform as usize];
            if b.outstanding > 0 {
                t.borrowers_current += 1;
            }
            t.top1_borrower_amount = t.top1_borrower_amount.max(b.outstanding);
            let cap = if b.enterprise {
                self.enterprise_cap
            } else {
                self.individual_cap
            };
            if b.outstanding > cap {
                t.cap_breach_amount = t.cap_breach_amount.saturating_add(b.outstanding);
            }
            let heap = &mut top[b.platform as usize];
            heap.push(std::cmp::Reverse(b.outstanding));
            if heap.len() > 10 {
                heap.pop();
            }
        }
        for (t, heap) in self.data.loans.iter_mut().zip(top) {
            t.top10_borrower_amount = heap
                .into_iter()
                .fold(0i64, |a, std::cmp::Reverse(v)| a.saturating_add(v));
        }
        self.borrower_ids = FpMap::with_expected(0);
    }

    fn accept_lender(&mut self, vals: &[Val], r: Resolved, file: &str, line: u64) {
        let l = &mut self.data.lenders;
        let id = vals[LD_ID].text().unwrap_or_default();
        let code = l.ids.push(id);
        if let Some(slot) = r.key_slot {
            self.lender_ids.set_at(slot, code);
        }
        let district = match vals[LD_DISTRICT].text() {
            None => u32::MAX,
            Some(d) => match self.district_codes.get(d) {
                Some(c) => *c,
                None => {
                    let c = l.district_names.len() as u32;
                    l.district_names.push(d.to_string());
                    self.district_codes.insert(d.to_string(), c);
                    c
                }
            },
        };
        l.district.push(district);
        l.registered.push(vals[LD_REGISTERED].bool_or(true));
        l.excluded.push(vals[LD_EXCLUDED].bool_or(false));
        if let Some(p) = &mut self.data.personal {
            p.names.push(vals[LD_NAME].text().unwrap_or_default());
            p.id_numbers
                .push(vals[LD_ID_NUMBER].text().unwrap_or_default());
            p.phones.push(vals[LD_PHONE].text().unwrap_or_default());
            if vals[LD_BANK_ACCOUNT].text().is_some() {
                p.accounts_given += 1;
            }
            let account = vals[LD_BANK_ACCOUNT].text().map(cells::bank_account);
            p.bank_accounts
                .push(account.flatten().as_deref().unwrap_or_default());
            p.bank_names
                .push(vals[LD_BANK_NAME].text().unwrap_or_default());
            p.account_names
                .push(vals[LD_ACCOUNT_NAME].text().unwrap_or_default());
        }
        if let Some(a) = vals[LD_BANK_ACCOUNT].text() {
            if cells::bank_account(a).is_none() {
                self.invalid_bank_accounts += 1;
                self.rejects.push(RejectRow {
                    table: Table::Lenders,
                    file: file.to_string(),
                    line,
                    column: "bank_account".into(),
                    value: String::new(),
                    reason: Reason::InvalidBankAccount,
                });
            }
        }
        if let Some(id) = vals[LD_ID_NUMBER].text() {
            if !cells::valid_id_number(id) {
                self.invalid_id_numbers += 1;
                self.rejects.push(RejectRow {
                    table: Table::Lenders,
                    file: file.to_string(),
                    line,
                    column: "id_number".into(),
                    value: String::new(),
                    reason: Reason::InvalidIdNumber,
                });
            }
        }
    }

    /// After the lenders table: the byte order of their ids, which every output follows.
    pub fn finish_lenders(&mut self) {
        let (order, rank) = self.data.lenders.ids.byte_order();
        self.data.lenders.order = order;
        self.data.lenders.rank = rank;
    }

    fn accept_investment(&mut self, vals: &[Val], r: Resolved) {
        let (platform, lender) = (r.platform, r.lender);
        let amount = vals[IV_AMOUNT].money().unwrap_or(0);
        let returned = vals[IV_PRINCIPAL_RETURNED].money().unwrap_or(0);
        let returns = vals[IV_RETURNS].money().unwrap_or(0);
        self.positions[platform as usize].add(lender, amount, returned, returns);
        let outstanding = amount - returned;
        let t = &mut self.data.investments[platform as usize];
        t.outstanding = t.outstanding.saturating_add(outstanding);
        // Maturity mismatch: linked to a loan, both maturities known.
        if let (Some(mine), Some(theirs)) = (
            vals[IV_MATURES].date(),
            r.loan.and_then(LoanRef::matures_on),
        ) {
            t.linked_amount = t.linked_amount.saturating_add(outstanding);
            if mine < theirs {
                t.mismatch_amount = t.mismatch_amount.saturating_add(outstanding);
            }
        }
    }

    /// After the investments table: the positions sorted by (platform id, lender id), and the
    /// loan and investment id tables freed; the lender ids' table goes with the data (ledgers
    /// are read against it).
    pub fn finish_investments(&mut self) {
        use rayon::prelude::*;
        self.data.lender_index = std::mem::take(&mut self.lender_ids);
        self.investment_ids = FpSet::with_expected(0);
        self.loan_ids = FpMap::with_expected(0);
        let rank = &self.data.lenders.rank;
        // Platforms in id order, each with its rows' place in the columns; the columns are
        // made at their final size and cut into one disjoint piece per platform, so that the
        // platforms are sorted in parallel, each table freed as it is drained.
        let order = self.data.platforms.by_id();
        let mut tables: Vec<Option<PositionTable>> = std::mem::take(&mut self.positions)
            .into_iter()
            .map(Some)
            .collect();
        let total: usize = tables.iter().flatten().map(PositionTable::len).sum();
        let mut out = Positions {
            ranges: vec![0..0; tables.len()],
            platform: vec![0; total],
            lender: vec![0; total],
            sums: vec![Position::default(); total],
        };
        let mut jobs = Vec::with_capacity(order.len());
        let (mut platform, mut lender, mut sums) = (
            out.platform.as_mut_slice(),
            out.lender.as_mut_slice(),
            out.sums.as_mut_slice(),
        );
        let mut start = 0;
        for code in order {
            let Some(table) = tables[code as usize].take() else {
                continue;
            };
            let n = table.len();
            out.ranges[code as usize] = start..start + n;
            start += n;
            let (p, rest_p) = platform.split_at_mut(n);
            let (l, rest_l) = lender.split_at_mut(n);
            let (s, rest_s) = sums.split_at_mut(n);
            (platform, lender, sums) = (rest_p, rest_l, rest_s);
            jobs.push((code, table, p, l, s));
        }
        jobs.into_par_iter()
            .for_each(|(code, mut table, platform, lender, sums)| {
                let rows = table.drain();
                // By the lender's rank, looked up once per row rather than per comparison.
                let mut keyed: Vec<(u32, u32)> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, (l, _))| (rank[*l as usize], i as u32))
                    .collect();
                keyed.sort_unstable();
                for (k, (_, i)) in keyed.into_iter().enumerate() {
                    let (l, s) = rows[i as usize];
                    platform[k] = code;
                    lender[k] = l;
                    sums[k] = s;
                }
            });
        self.data.positions = out;
        // The threads' freed buffers stay in their malloc arenas, resident: hand them back
        // (measured: 0.6 GB of the national run's peak).
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free memory to the system.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    fn accept_recovery(&mut self, vals: &[Val], r: Resolved) {
        self.data.recoveries.push(Recovery {
            platform: r.platform,
            round: vals[RC_ROUND].int().unwrap_or(0),
            amount: vals[RC_AMOUNT].money().unwrap_or(0),
        });
    }

    fn accept_return(&mut self, vals: &[Val], r: Resolved, file: &str, line: u64) {
        // The account the bank returned the transfer from, against the lender's account now
        // (kept whenever there is a returns table); neither is kept beyond this comparison.
        let returned_from = vals[RT_BANK_ACCOUNT].text().and_then(cells::bank_account);
        let now = self
            .data
            .personal
            .as_ref()
            .map(|p| p.bank_accounts.get(r.lender))
            .unwrap_or_default();
        let account = match returned_from {
            _ if now.is_empty() => ReturnAccount::NoneNow,
            None => ReturnAccount::NotGiven,
            Some(from) if from == now => ReturnAccount::Unchanged,
            Some(_) => ReturnAccount::Changed,
        };
        self.data.returns.push(Return {
            platform: r.platform,
            round: vals[RT_ROUND].int().unwrap_or(0),
            lender: r.lender,
            amount: vals[RT_AMOUNT].money().unwrap_or(0),
            returned_on: vals[RT_RETURNED_ON].date().unwrap_or(Date(0)),
            account,
            file: file.to_string(),
            line,
        });
    }
}

/// A cell parsed by its contract type.
fn parse<'a>(ty: CellType, column: &'a Column, i: usize) -> Cell<Val<'a>> {
    let map = |c: Cell<Val<'a>>| c;
    match ty {
        CellType::Text => match column.text(i) {
            Cell::Ok(s) => Cell::Ok(Val::Text(s)),
            Cell::Missing => Cell::Missing,
            Cell::Bad => Cell::Bad,
        },
        CellType::Money => lift(column.money(i), Val::Money),
        CellType::Date => lift(column.date(i), Val::Date),
        CellType::Bool => lift(column.boolean(i), Val::Bool),
        CellType::Integer => lift(column.integer(i), Val::Int),
        CellType::BorrowerType => map(match column.text(i) {
            Cell::Ok(s) => BorrowerType::parse(s).map_or(Cell::Bad, |b| Cell::Ok(Val::Borrower(b))),
            Cell::Missing => Cell::Missing,
            Cell::Bad => Cell::Bad,
        }),
        CellType::RedFlags => match column.text(i) {
            Cell::Ok(s) => cells::parse_red_flags(s).map_or(Cell::Bad, |f| Cell::Ok(Val::Flags(f))),
            Cell::Missing => Cell::Missing,
            Cell::Bad => Cell::Bad,
        },
    }
}

fn lift<'a, T>(c: Cell<T>, f: impl FnOnce(T) -> Val<'a>) -> Cell<Val<'a>> {
    match c {
        Cell::Ok(v) => Cell::Ok(f(v)),
        Cell::Missing => Cell::Missing,
        Cell::Bad => Cell::Bad,
    }
}

/// Expected recovery of one loan, fen (docs/rules.md): min(o, o·r + c·cr), each product exact in
/// ten-thousandths of a fen, rounded half-even.
pub fn expected_recovery(
    outstanding: i64,
    collateral: i64,
    dpd: i64,
    rates: &RecoveryRates,
) -> i64 {
    const U: i128 = 10_000;
    let bucket = match dpd {
        d if d <= 0 => 0,
        1..=30 => 1,
        31..=90 => 2,
        91..=180 => 3,
        _ => 4,
    };
    let o = i128::from(outstanding);
    let exact = o * i128::from(rates.buckets[bucket])
        + i128::from(collateral) * i128::from(rates.collateral);
    if exact >= o * U {
        return outstanding;
    }
    let (q, r) = (exact.div_euclid(U), exact.rem_euclid(U));
    let rounded = q + i128::from(2 * r > U || (2 * r == U && q % 2 == 1));
    i64::try_from(rounded).unwrap_or(outstanding)
}

// Column positions in contract order (schema.rs); a test checks them against the schema.
const P_ID: usize = 0;
const LD_ID: usize = 0;
const LD_NAME: usize = 1;
const LD_ID_NUMBER: usize = 2;
const LD_PHONE: usize = 3;
const LD_DISTRICT: usize = 4;
const LD_REGISTERED: usize = 5;
const LD_EXCLUDED: usize = 6;
const LD_BANK_ACCOUNT: usize = 7;
const LD_BANK_NAME: usize = 8;
const LD_ACCOUNT_NAME: usize = 9;
const IV_ID: usize = 0;
const IV_PLATFORM: usize = 1;
const IV_LENDER: usize = 2;
const IV_LOAN: usize = 3;
const IV_INVESTED: usize = 4;
const IV_AMOUNT: usize = 5;
const IV_PRINCIPAL_RETURNED: usize = 6;
const IV_RETURNS: usize = 7;
const IV_MATURES: usize = 8;
const LN_ID: usize = 0;
const LN_PLATFORM: usize = 1;
const LN_BORROWER: usize = 2;
const LN_BORROWER_TYPE: usize = 3;
const LN_RELATED: usize = 4;
const LN_ORIGINATED: usize = 5;
const LN_PRINCIPAL: usize = 6;
const LN_OUTSTANDING: usize = 7;
const LN_MATURES: usize = 8;
const LN_DPD: usize = 9;
const LN_COLLATERAL: usize = 10;
const RC_PLATFORM: usize = 0;
const RC_ROUND: usize = 1;
const RC_AMOUNT: usize = 2;
const RC_RECEIVED: usize = 3;
const RT_PLATFORM: usize = 0;
const RT_ROUND: usize = 1;
const RT_LENDER: usize = 2;
const RT_AMOUNT: usize = 3;
const RT_RETURNED_ON: usize = 4;
const RT_BANK_ACCOUNT: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_positions_match_the_schema() {
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
