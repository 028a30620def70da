//! Validate: every row of every input table is accepted or rejected, never fixed.
//!
//! In: the table files found by [`crate::load`]. Out: the accepted rows as typed polars
//! DataFrames ([`InputData`]: money Int64 fen, dates Date, defaults applied), one reject row
//! per rejected record (the first rule it breaks, in the order of DESIGN §2), warnings for
//! invalid id numbers, and the counts of validation.json. Guarantees: for every table,
//! rows read = accepted + rejected; nothing downstream refers to a rejected or missing parent.

use std::collections::BTreeMap;

use polars::prelude::DataFrame;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::cells::{self, BorrowerType};
use crate::config::Config;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::frame::{FrameBuilder, Kind, Value};
use crate::load::{self, ReadOptions, TableFile};
use crate::money;
use crate::schema::{CellType, Table};

/// Why a row was rejected (or, for `InvalidIdNumber`, warned about).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    MissingValue,
    BadMoney,
    BadDate,
    BadBool,
    BadInteger,
    BadEnum,
    UnknownRedFlag,
    OutOfRange,
    DuplicateId,
    UnknownParent,
    ParentRejected,
    LoanPlatformMismatch,
    AfterAsOf,
    /// A non-empty cell beyond the header's columns (a departure from DESIGN §2, which has no
    /// code for a misaligned record; see README).
    ExtraField,
    /// A warning, not a reject: the lender is kept.
    InvalidIdNumber,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::MissingValue => "missing_value",
            Reason::BadMoney => "bad_money",
            Reason::BadDate => "bad_date",
            Reason::BadBool => "bad_bool",
            Reason::BadInteger => "bad_integer",
            Reason::BadEnum => "bad_enum",
            Reason::UnknownRedFlag => "unknown_red_flag",
            Reason::OutOfRange => "out_of_range",
            Reason::DuplicateId => "duplicate_id",
            Reason::UnknownParent => "unknown_parent",
            Reason::ParentRejected => "parent_rejected",
            Reason::LoanPlatformMismatch => "loan_platform_mismatch",
            Reason::AfterAsOf => "after_as_of",
            Reason::ExtraField => "extra_field",
            Reason::InvalidIdNumber => "invalid_id_number",
        }
    }

    fn for_type(ty: CellType) -> Reason {
        match ty {
            CellType::Text => Reason::MissingValue, // text never fails to parse
            CellType::Money => Reason::BadMoney,
            CellType::Date => Reason::BadDate,
            CellType::Bool => Reason::BadBool,
            CellType::Integer => Reason::BadInteger,
            CellType::BorrowerType => Reason::BadEnum,
            CellType::RedFlags => Reason::UnknownRedFlag,
        }
    }
}

/// One row of rejects.csv.
#[derive(Debug, Clone)]
pub struct RejectRow {
    pub table: Table,
    pub file: String,
    pub line: u64,
    pub column: String,
    /// Raw cell text, cut to 200 characters; empty for personal data.
    pub value: String,
    pub reason: Reason,
}

/// Counts for one table (validation.json).
#[derive(Debug, Clone, Default)]
pub struct TableReport {
    pub file: String,
    pub encoding: &'static str,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub reasons: BTreeMap<&'static str, u64>,
    pub unknown_columns: Vec<String>,
    pub float_money_rounded: u64,
}

/// How the as-of date was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOfSource {
    Given,
    LatestDate,
}

/// What validation.json says.
#[derive(Debug, Clone)]
pub struct Report {
    pub as_of: Option<Date>,
    pub as_of_source: AsOfSource,
    pub tables: BTreeMap<Table, TableReport>,
    pub warnings: BTreeMap<&'static str, u64>,
}

impl Report {
    pub fn total_rejected(&self) -> u64 {
        self.tables.values().map(|t| t.rejected).sum()
    }

    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut tables = serde_json::Map::new();
        for (table, r) in &self.tables {
            tables.insert(
                table.name().to_string(),
                json!({
                    "file": r.file,
                    "encoding": r.encoding,
                    "read": r.read,
                    "accepted": r.accepted,
                    "rejected": r.rejected,
                    "reasons": r.reasons,
                    "unknown_columns": r.unknown_columns,
                    "float_money_rounded": r.float_money_rounded,
                }),
            );
        }
        json!({
            "as_of": self.as_of.map(|d| d.to_string()),
            "as_of_source": match self.as_of_source {
                AsOfSource::Given => "given",
                AsOfSource::LatestDate => "latest_date_in_data",
            },
            "tables": tables,
            "warnings": self.warnings,
        })
    }
}

/// The accepted rows of every table as DataFrames.
///
/// Column names are the contract's; money columns hold Int64 **fen**. Personal data of
/// lenders lives only in `lender_personal` (for the bank payment file), never in `lenders`.
pub struct InputData {
    pub platforms: DataFrame,
    pub lenders: DataFrame,
    pub lender_personal: DataFrame,
    pub investments: DataFrame,
    pub loans: DataFrame,
    pub recoveries: DataFrame,
}

/// Everything validation produces.
pub struct Validated {
    pub data: InputData,
    pub report: Report,
    pub rejects: Vec<RejectRow>,
}

/// Options of a validation run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub read: ReadOptions,
    /// Rows dated after it are rejected (`after_as_of`); without it, as-of is the latest date.
    pub as_of: Option<Date>,
}

/// Validate the input folder `dir`.
pub fn validate(dir: &std::path::Path, config: &Config, options: &Options) -> Result<Validated> {
    let files = load::find_tables(dir)?;
    let mut v = Validator::new(options.as_of);
    let mut frames: BTreeMap<Table, DataFrame> = BTreeMap::new();
    let mut lender_personal = None;
    for table in Table::ALL {
        let file = files.get(&table);
        let (frame, personal) = v.table(table, file, config, &options.read)?;
        frames.insert(table, frame);
        if let Some(p) = personal {
            lender_personal = Some(p);
        }
    }
    for ((table, column), total) in &v.money_totals {
        if *total > i128::from(i64::MAX) {
            return Err(Error::Usage(format!(
                "{}.{column}: the accepted amounts add up to more than 92,233,720,368,547,758.07 yuan, \
                 beyond 64-bit fen; amounts this large are not credible input",
                table.name()
            )));
        }
    }
    let as_of = options.as_of.or(v.latest_date);
    let report = Report {
        as_of,
        as_of_source: if options.as_of.is_some() {
            AsOfSource::Given
        } else {
            AsOfSource::LatestDate
        },
        tables: v.reports,
        warnings: BTreeMap::from([("invalid_id_number", v.invalid_id_numbers)]),
    };
    let mut take = |t: Table| {
        frames
            .remove(&t)
            .ok_or_else(|| Error::Internal(format!("no frame for {}", t.name())))
    };
    let data = InputData {
        platforms: take(Table::Platforms)?,
        lenders: take(Table::Lenders)?,
        investments: take(Table::Investments)?,
        loans: take(Table::Loans)?,
        recoveries: take(Table::Recoveries)?,
        lender_personal: lender_personal
            .ok_or_else(|| Error::Internal("no personal-data frame for lenders".into()))?,
    };
    Ok(Validated {
        data,
        report,
        rejects: v.rejects,
    })
}

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

/// The state that crosses tables: which keys exist, which were accepted.
struct Validator {
    as_of: Option<Date>,
    latest_date: Option<Date>,
    /// platform_id → Some(index among accepted platforms) or None (rejected).
    platforms: FxHashMap<Box<str>, Option<u32>>,
    /// loan_id → Some(platform index) or None (rejected).
    loans: FxHashMap<Box<str>, Option<u32>>,
    /// lender_id → accepted?
    lenders: FxHashMap<Box<str>, bool>,
    investments: FxHashSet<Box<str>>,
    accepted_platforms: u32,
    /// Σ |amount| of every money column of the accepted rows: if a table's total fits i64 fen,
    /// no group sum downstream can overflow.
    money_totals: BTreeMap<(Table, &'static str), i128>,
    reports: BTreeMap<Table, TableReport>,
    rejects: Vec<RejectRow>,
    invalid_id_numbers: u64,
}

/// The failure of one rule: the contract column it concerns (or [`EXTRA`], [`SHORT`]) and
/// the reason.
type Broken = (usize, Reason);

/// A cell beyond the header's columns (`extra_field`).
const EXTRA: usize = usize::MAX;
/// A lenders record that ends before the header does.
const SHORT: usize = usize::MAX - 1;

impl Validator {
    fn new(as_of: Option<Date>) -> Validator {
        Validator {
            as_of,
            latest_date: None,
            platforms: FxHashMap::default(),
            loans: FxHashMap::default(),
            lenders: FxHashMap::default(),
            investments: FxHashSet::default(),
            accepted_platforms: 0,
            money_totals: BTreeMap::new(),
            reports: BTreeMap::new(),
            rejects: Vec::new(),
            invalid_id_numbers: 0,
        }
    }

    /// Validate one table (absent: an empty one) and build its frame.
    fn table(
        &mut self,
        table: Table,
        file: Option<&TableFile>,
        config: &Config,
        read: &ReadOptions,
    ) -> Result<(DataFrame, Option<DataFrame>)> {
        let spec = table.columns();
        let schema: Vec<(&'static str, Kind)> = spec
            .iter()
            .filter(|c| !c.personal)
            .map(|c| {
                let kind = match c.ty {
                    CellType::Text | CellType::BorrowerType | CellType::RedFlags => Kind::Text,
                    CellType::Money | CellType::Integer => Kind::Int,
                    CellType::Date => Kind::Date,
                    CellType::Bool => Kind::Bool,
                };
                (c.name, kind)
            })
            .collect();
        let mut frame = FrameBuilder::new(&schema);
        let mut personal = (table == Table::Lenders).then(|| {
            FrameBuilder::new(&[
                ("lender_id", Kind::Text),
                ("name", Kind::Text),
                ("id_number", Kind::Text),
                ("phone", Kind::Text),
            ])
        });
        let Some(file) = file else {
            return Ok((
                frame.finish()?,
                personal.map(FrameBuilder::finish).transpose()?,
            ));
        };
        let file_name = file.file_name();
        let mut report = TableReport {
            file: file_name.clone(),
            ..TableReport::default()
        };
        let info = load::read_table(file, config, read, &mut |row| {
            report.read += 1;
            let mut vals: Vec<Val> = Vec::with_capacity(spec.len());
            let outcome = self.check_row(table, &row, &mut vals);
            match outcome {
                Ok(()) => {
                    report.accepted += 1;
                    self.accept(
                        table,
                        &vals,
                        &mut frame,
                        personal.as_mut(),
                        &file_name,
                        row.line,
                    );
                }
                Err((col, reason)) => {
                    report.rejected += 1;
                    *report.reasons.entry(reason.code()).or_default() += 1;
                    let (column, raw) = if col == EXTRA {
                        let (pos, text) = row.extra_field.unwrap_or((0, ""));
                        (format!("#{pos}"), Some(text))
                    } else if col == SHORT {
                        (row.short_of.unwrap_or_default().to_string(), None)
                    } else {
                        let c = &spec[col];
                        (
                            c.name.to_string(),
                            if c.personal { None } else { row.cells[col] },
                        )
                    };
                    // A lenders record whose fields do not line up with the header may hold a
                    // name or phone number in any cell: none of it is quoted back.
                    let shifted = table == Table::Lenders && row.misaligned;
                    self.rejects.push(RejectRow {
                        table,
                        file: file_name.clone(),
                        line: row.line,
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
            Ok(())
        })?;
        report.encoding = info.encoding;
        report.unknown_columns = info.unknown_columns;
        report.float_money_rounded = info.float_money_rounded;
        self.reports.insert(table, report);
        Ok((
            frame.finish()?,
            personal.map(FrameBuilder::finish).transpose()?,
        ))
    }

    /// Parse and check one row; on success `vals` holds its typed cells.
    fn check_row<'a>(
        &mut self,
        table: Table,
        row: &load::RawRow<'a>,
        vals: &mut Vec<Val<'a>>,
    ) -> Result<(), Broken> {
        // Every row that has a key registers it, accepted or not: a later row repeating it is
        // a duplicate even when this one is rejected (DESIGN §2).
        let key_col = match table {
            Table::Recoveries => None,
            _ => Some(0),
        };
        let key = key_col.and_then(|k| row.cells[k].and_then(cells::clean));
        let seen = key.is_some_and(|k| self.register_key(table, k));
        // A misaligned record (cells beyond the header) is refused before its cells are read.
        if row.extra_field.is_some() {
            return Err((EXTRA, Reason::ExtraField));
        }
        // A lenders record with fewer fields than the header may have shifted a phone number
        // into `district`: it is refused too, at the first column it does not reach.
        if table == Table::Lenders && row.short_of.is_some() {
            return Err((SHORT, Reason::MissingValue));
        }
        // 1. Required cells and cell types, in column order.
        for (i, c) in table.columns().iter().enumerate() {
            let cell = row.cells[i].and_then(cells::clean);
            let val = match cell {
                None if c.required => return Err((i, Reason::MissingValue)),
                None => Val::Null,
                Some(text) => parse_cell(c.ty, text).ok_or((i, Reason::for_type(c.ty)))?,
            };
            vals.push(val);
        }
        // 2. Ranges, 3. duplicate keys, 4. parents, 5. loan platform, 6. after as-of.
        match table {
            Table::Platforms | Table::Lenders if seen => Err((0, Reason::DuplicateId)),
            Table::Platforms | Table::Lenders => Ok(()),
            Table::Loans => self.check_loan(vals, seen),
            Table::Investments => self.check_investment(vals, seen),
            Table::Recoveries => self.check_recovery(vals),
        }
    }

    /// Register a key as seen (not yet accepted); true if it had been seen before.
    fn register_key(&mut self, table: Table, key: &str) -> bool {
        match table {
            Table::Platforms => register(&mut self.platforms, key, None),
            Table::Loans => register(&mut self.loans, key, None),
            Table::Lenders => register(&mut self.lenders, key, false),
            Table::Investments => !self.investments.insert(key.into()),
            Table::Recoveries => false,
        }
    }

    fn check_loan(&mut self, vals: &[Val], seen: bool) -> Result<(), Broken> {
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
        self.platform_parent(vals[LN_PLATFORM].text().unwrap_or_default(), LN_PLATFORM)?;
        self.after_as_of(vals[LN_ORIGINATED].date(), LN_ORIGINATED)
    }

    fn check_investment(&mut self, vals: &[Val], seen: bool) -> Result<(), Broken> {
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
        match self.lenders.get(vals[IV_LENDER].text().unwrap_or_default()) {
            None => return Err((IV_LENDER, Reason::UnknownParent)),
            Some(false) => return Err((IV_LENDER, Reason::ParentRejected)),
            Some(true) => {}
        }
        if let Some(loan) = vals[IV_LOAN].text() {
            match self.loans.get(loan) {
                None => return Err((IV_LOAN, Reason::UnknownParent)),
                Some(None) => return Err((IV_LOAN, Reason::ParentRejected)),
                Some(Some(p)) if *p != platform => {
                    return Err((IV_LOAN, Reason::LoanPlatformMismatch))
                }
                Some(Some(_)) => {}
            }
        }
        self.after_as_of(vals[IV_INVESTED].date(), IV_INVESTED)
    }

    fn check_recovery(&mut self, vals: &[Val]) -> Result<(), Broken> {
        if vals[RC_ROUND].int().is_some_and(|r| r < 1) {
            return Err((RC_ROUND, Reason::OutOfRange));
        }
        if vals[RC_AMOUNT].money().is_some_and(|a| a < 0) {
            return Err((RC_AMOUNT, Reason::OutOfRange));
        }
        self.platform_parent(vals[RC_PLATFORM].text().unwrap_or_default(), RC_PLATFORM)?;
        self.after_as_of(vals[RC_RECEIVED].date(), RC_RECEIVED)
    }

    /// The accepted platform's index, or the reason it cannot be a parent.
    fn platform_parent(&self, id: &str, col: usize) -> Result<u32, Broken> {
        match self.platforms.get(id) {
            None => Err((col, Reason::UnknownParent)),
            Some(None) => Err((col, Reason::ParentRejected)),
            Some(Some(i)) => Ok(*i),
        }
    }

    fn after_as_of(&self, date: Option<Date>, col: usize) -> Result<(), Broken> {
        match (self.as_of, date) {
            (Some(as_of), Some(d)) if d > as_of => Err((col, Reason::AfterAsOf)),
            _ => Ok(()),
        }
    }

    /// Record an accepted row: mark its key accepted, track the latest date, build its frame row.
    fn accept(
        &mut self,
        table: Table,
        vals: &[Val],
        frame: &mut FrameBuilder,
        personal: Option<&mut FrameBuilder>,
        file_name: &str,
        line: u64,
    ) {
        let date_col = match table {
            Table::Platforms => {
                let id = vals[P_ID].text().unwrap_or_default();
                self.platforms
                    .insert(id.into(), Some(self.accepted_platforms));
                self.accepted_platforms += 1;
                None
            }
            Table::Loans => {
                let platform = vals[LN_PLATFORM]
                    .text()
                    .and_then(|p| self.platforms.get(p).copied().flatten());
                self.loans
                    .insert(vals[LN_ID].text().unwrap_or_default().into(), platform);
                Some(LN_ORIGINATED)
            }
            Table::Lenders => {
                self.lenders
                    .insert(vals[LD_ID].text().unwrap_or_default().into(), true);
                None
            }
            Table::Investments => Some(IV_INVESTED),
            Table::Recoveries => Some(RC_RECEIVED),
        };
        if let Some(d) = date_col.and_then(|c| vals[c].date()) {
            self.latest_date = self.latest_date.max(Some(d));
        }
        let spec = table.columns();
        let mut out = 0;
        for (i, c) in spec.iter().enumerate() {
            if let (CellType::Money, Some(v)) = (c.ty, vals[i].money()) {
                *self.money_totals.entry((table, c.name)).or_default() += i128::from(v).abs();
            }
            if c.personal {
                continue;
            }
            // The defaults of DESIGN §2 are applied here: money and integers 0, bools per column.
            let value = match (c.ty, &vals[i]) {
                (CellType::Money | CellType::Integer, v) => {
                    Value::Int(v.money().or(v.int()).unwrap_or(0))
                }
                (CellType::Date, v) => Value::date(v.date()),
                (CellType::Bool, v) => Value::Bool(v.bool_or(bool_default(c.name))),
                (CellType::BorrowerType, Val::Borrower(t)) => Value::Text(t.code()),
                (CellType::RedFlags, Val::Flags(f)) if !f.is_empty() => Value::Text(f),
                (CellType::Text, Val::Text(s)) => Value::Text(s),
                _ => Value::Null,
            };
            frame.push(out, value);
            out += 1;
        }
        if let Some(p) = personal {
            let text = |i: usize| vals[i].text();
            p.row(&[LD_ID, LD_NAME, LD_ID_NUMBER, LD_PHONE].map(|i| Value::text(text(i))));
            if let Some(id) = text(LD_ID_NUMBER) {
                if !cells::valid_id_number(id) {
                    self.invalid_id_numbers += 1;
                    self.rejects.push(RejectRow {
                        table,
                        file: file_name.to_string(),
                        line,
                        column: "id_number".into(),
                        value: String::new(),
                        reason: Reason::InvalidIdNumber,
                    });
                }
            }
        }
    }
}

/// Insert `key` with `value` if new; true if the key was already there.
fn register<V>(map: &mut FxHashMap<Box<str>, V>, key: &str, value: V) -> bool {
    if map.contains_key(key) {
        return true;
    }
    map.insert(key.into(), value);
    false
}

fn parse_cell(ty: CellType, text: &str) -> Option<Val<'_>> {
    Some(match ty {
        CellType::Text => Val::Text(text),
        CellType::Money => Val::Money(money::parse_fen(text)?),
        CellType::Date => Val::Date(Date::parse(text)?),
        CellType::Bool => Val::Bool(cells::parse_bool(text)?),
        CellType::Integer => Val::Int(cells::parse_integer(text)?),
        CellType::BorrowerType => Val::Borrower(BorrowerType::parse(text)?),
        CellType::RedFlags => Val::Flags(cells::parse_red_flags(text).ok()?),
    })
}

/// Defaults of the optional bool columns (DESIGN §2).
fn bool_default(column: &str) -> bool {
    matches!(column, "cooperating" | "reporting" | "registered")
}

// Column positions in contract order (schema.rs).
const P_ID: usize = 0;
const LD_ID: usize = 0;
const LD_NAME: usize = 1;
const LD_ID_NUMBER: usize = 2;
const LD_PHONE: usize = 3;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_positions_match_the_schema() {
        let pos = |t: Table, n: &str| t.column_index(n).unwrap();
        assert_eq!(pos(Table::Platforms, "platform_id"), P_ID);
        assert_eq!(pos(Table::Lenders, "lender_id"), LD_ID);
        assert_eq!(pos(Table::Lenders, "name"), LD_NAME);
        assert_eq!(pos(Table::Lenders, "id_number"), LD_ID_NUMBER);
        assert_eq!(pos(Table::Lenders, "phone"), LD_PHONE);
        assert_eq!(pos(Table::Investments, "investment_id"), IV_ID);
        assert_eq!(pos(Table::Investments, "platform_id"), IV_PLATFORM);
        assert_eq!(pos(Table::Investments, "lender_id"), IV_LENDER);
        assert_eq!(pos(Table::Investments, "loan_id"), IV_LOAN);
        assert_eq!(pos(Table::Investments, "invested_on"), IV_INVESTED);
        assert_eq!(pos(Table::Investments, "amount"), IV_AMOUNT);
        assert_eq!(
            pos(Table::Investments, "principal_returned"),
            IV_PRINCIPAL_RETURNED
        );
        assert_eq!(pos(Table::Investments, "returns_received"), IV_RETURNS);
        assert_eq!(pos(Table::Investments, "matures_on"), IV_MATURES);
        assert_eq!(pos(Table::Loans, "loan_id"), LN_ID);
        assert_eq!(pos(Table::Loans, "platform_id"), LN_PLATFORM);
        assert_eq!(pos(Table::Loans, "originated_on"), LN_ORIGINATED);
        assert_eq!(pos(Table::Loans, "principal"), LN_PRINCIPAL);
        assert_eq!(pos(Table::Loans, "outstanding_principal"), LN_OUTSTANDING);
        assert_eq!(pos(Table::Loans, "matures_on"), LN_MATURES);
        assert_eq!(pos(Table::Loans, "days_past_due"), LN_DPD);
        assert_eq!(pos(Table::Loans, "collateral_value"), LN_COLLATERAL);
        assert_eq!(pos(Table::Recoveries, "platform_id"), RC_PLATFORM);
        assert_eq!(pos(Table::Recoveries, "round"), RC_ROUND);
        assert_eq!(pos(Table::Recoveries, "amount"), RC_AMOUNT);
        assert_eq!(pos(Table::Recoveries, "received_on"), RC_RECEIVED);
    }
}
