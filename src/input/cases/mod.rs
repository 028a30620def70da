//! The case tables (docs/inputs.md, "Case tables"): cases, participants, cash_flows and,
//! optionally, case_assets and other_claims, read in any of the platform tables' formats (CSV,
//! Parquet, a workbook's sheets, a folder of parts) and checked row by row like them — every
//! row accepted or rejected with its file, line, column and reason ([`check`]).
//!
//! Out: [`CaseData`] — the accepted rows, with codes instead of ids for their parents (a
//! participant's case, a cash flow's person, a claim's asset), in file order. Guarantees: for
//! every table rows read = accepted + rejected; nothing kept refers to a rejected or missing
//! parent; an account belongs to one person of its case; a realised asset has its value and
//! date, an unrealised one neither.

mod check;

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::Config;
use crate::domain::case::{AssetKind, AssetStatus, CaseStatus, ClaimKind, Flow, Role};
use crate::domain::code::{AssetCode, ByCode, CaseCode, PersonCode};
use crate::domain::date::Date;
use crate::domain::schema::Table;
use crate::error::{DataProblem, Result};
use crate::input::report::{AsOfSource, RejectRow, Report};
use crate::input::{find, Options};
use crate::progress::Progress;

pub use check::CaseValidator;

/// A case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: String,
    pub name: String,
    /// The platforms the case concerns, as given (`;`-separated in the cell).
    pub platform_ids: Vec<String>,
    pub district: String,
    pub unit: String,
    pub opened_on: Date,
    pub judged_on: Option<Date>,
    pub status: CaseStatus,
    pub status_on: Date,
}

/// A person of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub case: CaseCode,
    pub id: String,
    pub role: Role,
    pub registered_on: Option<Date>,
    /// Dead, with an heir: paid to the heir from `heir_accepted_on`.
    pub heir: bool,
    pub heir_accepted_on: Option<Date>,
    /// The number of distinct accounts among the person's accepted cash flows.
    pub accounts: u32,
    /// The id is a valid resident id number (personal data: it reaches no output unless
    /// pseudonymised).
    pub id_is_id_number: bool,
}

impl Person {
    /// Paid (not held in escrow) on `date`: registered by then, and, where the person has
    /// died, the heir's proof accepted by then.
    pub fn payable_on(&self, date: Date) -> bool {
        self.registered_on.is_some_and(|d| d <= date)
            && (!self.heir || self.heir_accepted_on.is_some_and(|d| d <= date))
    }
}

/// A cash flow of a person (their accounts merged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowRow {
    pub person: PersonCode,
    pub flow: Flow,
    /// Fen, > 0.
    pub amount: i64,
    pub on: Date,
}

/// An asset of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub case: CaseCode,
    pub id: String,
    pub kind: AssetKind,
    /// The defendant's lawful, untainted property (docs/cases.md, "The order of claimants").
    pub lawful: bool,
    pub book_value: Option<i64>,
    pub status: AssetStatus,
    /// Both set exactly when the status is realised.
    pub realised_value: Option<i64>,
    pub realised_on: Option<Date>,
}

impl Asset {
    /// What the asset was realised for, if it was by `date`.
    pub fn realised_by(&self, date: Date) -> Option<i64> {
        match (self.status, self.realised_on) {
            (AssetStatus::Realised, Some(on)) if on <= date => self.realised_value,
            _ => None,
        }
    }
}

/// A claimant other than the participants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherClaim {
    pub case: CaseCode,
    pub id: String,
    pub kind: ClaimKind,
    /// Fen, > 0.
    pub amount: i64,
    /// The asset a secured claim is secured on, for secured claims only.
    pub asset: Option<AssetCode>,
}

/// A person's personal data, for the payment file only (the payee's: the heir's where
/// there is one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payee {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    /// Digits only; empty when missing or invalid.
    pub bank_account: String,
    pub bank_name: String,
}

/// Everything kept of the accepted case rows.
#[derive(Debug, Clone, Default)]
pub struct CaseData {
    pub cases: ByCode<CaseCode, Case>,
    pub people: ByCode<PersonCode, Person>,
    pub flows: Vec<FlowRow>,
    pub assets: ByCode<AssetCode, Asset>,
    pub claims: Vec<OtherClaim>,
    /// When personal data was asked for.
    pub payees: Option<ByCode<PersonCode, Payee>>,
}

/// What validating the case tables produces.
pub struct CaseValidated {
    pub data: CaseData,
    pub report: Report,
    pub rejects: Vec<RejectRow>,
}

/// Validate the case tables of the folder `dir`.
pub fn validate_cases(
    dir: &Path,
    config: &Config,
    options: &Options,
    progress: &dyn Progress,
) -> Result<CaseValidated> {
    let files = find::find_of(dir, &Table::CASE_TABLES)?;
    let mut v = CaseValidator::new(options.as_of, options.personal);
    let mut tables = BTreeMap::new();
    for table in Table::CASE_TABLES {
        if let Some(file) = files.get(&table) {
            let report = super::read_table(&mut v, file, config, &options.read, progress)?;
            tables.insert(table, report);
        }
    }
    // Every sum the cases form (a person's figures, a case's losses, a waterfall) is bounded
    // by this total: kept within a quarter of i64, none can overflow.
    if let Some(table) = v.full {
        return Err(DataProblem::TooManyRows {
            table: table.name().to_string(),
        }
        .into());
    }
    if v.money_total() > i128::from(i64::MAX / 4) {
        return Err(DataProblem::CaseSumBeyondFen.into());
    }
    let (data, latest, rejects) = v.finish();
    let report = Report {
        as_of: options.as_of.or(latest),
        as_of_source: if options.as_of.is_some() {
            AsOfSource::Given
        } else {
            AsOfSource::LatestDate
        },
        tables,
        warnings: BTreeMap::new(),
    };
    Ok(CaseValidated {
        data,
        report,
        rejects,
    })
}
