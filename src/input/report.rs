//! What validation reports: the reason codes, one rejects.csv row per rejected record, and the
//! counts of validation.json (rows read = accepted + rejected, per table).

use std::collections::BTreeMap;

use crate::domain::date::Date;
use crate::domain::schema::{CellType, Table};

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
    /// A non-empty cell beyond the header's columns (a departure from docs/inputs.md, which has no
    /// code for a misaligned record; see README).
    ExtraField,
    /// An Excel number cell whose value is not exactly what the column needs: an id or a
    /// count beyond 2^53 (where a binary double no longer holds every whole number), a
    /// fraction in an id or integer column.
    InexactNumber,
    /// An Excel formula cell saved without its result (a workbook written by a script):
    /// its value is unknown, never taken as empty.
    FormulaWithoutValue,
    /// An Excel error cell (`#DIV/0!`, `#N/A`, `#REF!` …).
    FormulaError,
    /// A part of a table given as a folder whose path says `column=value` while the row has
    /// another value in that column.
    PartitionMismatch,
    /// Cells of one row, or a row and an earlier one, that contradict each other (a case
    /// table's account given to two persons, a value realised on an asset not marked
    /// realised, an heir's date without an heir).
    Inconsistent,
    /// A warning, not a reject: the lender is kept.
    InvalidIdNumber,
    /// A warning, not a reject: the lender is kept, without an account to pay into.
    InvalidBankAccount,
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
            Reason::InexactNumber => "inexact_number",
            Reason::FormulaWithoutValue => "formula_without_value",
            Reason::FormulaError => "formula_error",
            Reason::PartitionMismatch => "partition_mismatch",
            Reason::Inconsistent => "inconsistent",
            Reason::InvalidIdNumber => "invalid_id_number",
            Reason::InvalidBankAccount => "invalid_bank_account",
        }
    }

    pub fn for_type(ty: CellType) -> Reason {
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

impl TableReport {
    /// Count one row read: accepted, or rejected for `reason`.
    pub fn count(&mut self, row: Result<(), Reason>) {
        self.read += 1;
        match row {
            Ok(()) => self.accepted += 1,
            Err(reason) => {
                self.rejected += 1;
                *self.reasons.entry(reason.code()).or_default() += 1;
            }
        }
    }

    /// Add a part's counts to its table's (a table given as a folder of parts).
    pub fn add(&mut self, part: TableReport) {
        if self.encoding.is_empty() || self.encoding == part.encoding {
            self.encoding = part.encoding;
        } else {
            self.encoding = "mixed";
        }
        self.read += part.read;
        self.accepted += part.accepted;
        self.rejected += part.rejected;
        for (reason, n) in part.reasons {
            *self.reasons.entry(reason).or_default() += n;
        }
        for c in part.unknown_columns {
            if !self.unknown_columns.contains(&c) {
                self.unknown_columns.push(c);
            }
        }
        self.float_money_rounded += part.float_money_rounded;
    }
}

/// How the as-of date was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOfSource {
    Given,
    LatestDate,
}

impl AsOfSource {
    /// As the JSON records write it: `given` (--as-of) or `latest_date_in_data`.
    pub fn name(self) -> &'static str {
        match self {
            AsOfSource::Given => "given",
            AsOfSource::LatestDate => "latest_date_in_data",
        }
    }
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
}
