//! The regulator-editable TOML config, read in two steps: serde reads [`RawConfig`] with
//! `deny_unknown_fields` (a mistyped key is an error that names it), then `resolve.rs` checks
//! it, section by section, and produces the resolved [`Config`] the stages use. The raw struct goes no further.

use std::collections::BTreeMap;
use std::path::Path;

mod defaults;
mod raw;
mod resolve;

use crate::domain::calendar::Calendar;
use crate::domain::date::Date;
pub use crate::domain::fraction::Ratio;
use crate::domain::money::Fen;
use crate::error::{Error, Result};
pub use defaults::{defaults_toml, DEFAULTS_TOML};
pub use raw::*;
use resolve::Problems;

/// The most stages a plan may have, and the longest a month count in the config may be (50
/// years): beyond them a value is a typing mistake, not a plan.
pub const MAX_STAGES: u32 = 1200;
pub const MAX_MONTHS: i64 = 600;

/// What a 三降 target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Platforms,
    Outstanding,
    Lenders,
}

impl Measure {
    pub fn code(self) -> &'static str {
        match self {
            Measure::Platforms => "platforms",
            Measure::Outstanding => "outstanding",
            Measure::Lenders => "lenders",
        }
    }
}

/// A reduction target: `measure` at the end of `stage` at most (1 − reduction) × the start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub measure: Measure,
    pub stage: u32,
    pub reduction: Ratio,
}

/// The exit plan's settings, resolved.
#[derive(Debug, Clone)]
pub struct PlanRules {
    pub stages: u32,
    pub stage_months: u32,
    pub max_platforms: Option<i64>,
    pub max_current_lenders: Option<i64>,
    pub max_outstanding: Option<Fen>,
    /// Per class in the order of [`crate::domain::class::Class::ALL`].
    pub units: [Vec<String>; 5],
    pub targets: Vec<Target>,
    /// The campaign's deadline: every platform that can finish by it does (docs/rules.md).
    pub deadline: Option<Date>,
    /// Working days for the steps: the official calendar plus `[calendar]`.
    pub calendar: Calendar,
}

/// How a lender's claim on a platform is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// 合同口径: Σ amount − Σ principal_returned.
    OutstandingPrincipal,
    /// 本金折抵: returns already received are offset against the principal still owed.
    NetOfReturns,
}

impl Basis {
    pub fn code(self) -> &'static str {
        match self {
            Basis::OutstandingPrincipal => "outstanding_principal",
            Basis::NetOfReturns => "net_of_returns",
        }
    }
}

/// Classification thresholds (docs/rules.md), resolved.
#[derive(Debug, Clone)]
pub struct ClassifyRules {
    pub zombie_months: i64,
    /// Small means strictly below.
    pub small_max_outstanding: Fen,
    pub small_max_current_lenders: Option<i64>,
    pub overdue_90_ratio: Ratio,
    pub funding_gap_ratio: Ratio,
    pub related_party_share: Ratio,
    pub top10_borrower_share: Ratio,
    pub borrower_cap_breach_share: Ratio,
    pub maturity_mismatch_share: Ratio,
    /// A borrower strictly above breaches.
    pub individual_borrower_cap: Fen,
    pub enterprise_borrower_cap: Fen,
}

/// Recovery rates in ten-thousandths (at most 4 decimals, docs/rules.md).
#[derive(Debug, Clone, Copy)]
pub struct RecoveryRates {
    /// Days past due 0, 1–30, 31–90, 91–180, > 180.
    pub buckets: [i64; 5],
    pub collateral: i64,
}

/// The resolved config.
#[derive(Debug, Clone)]
pub struct Config {
    /// Header text (trimmed) → contract column name.
    pub columns: BTreeMap<String, String>,
    pub classify: ClassifyRules,
    pub recovery: RecoveryRates,
    /// Claim basis per class, in the order of [`crate::domain::class::Class::ALL`].
    pub basis: [Basis; 5],
    pub plan: PlanRules,
    /// `[recovery] rule`: how payout rounds divide their pools unless the command line says.
    pub payout_rule: crate::domain::division::Division,
    /// `[statement] sms`: the SMS text per lender of `statement --all`.
    pub statement_sms: String,
    /// `[payments]`: the bank batches.
    pub payments: Payments,
    /// `[cases]`: illegal-fundraising cases.
    pub cases: CaseRules,
}

/// `[cases]`, resolved (docs/cases.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRules {
    /// Whether participants come before other civil creditors on the defendant's lawful
    /// property.
    pub lawful_property: crate::domain::case::LawfulProperty,
    /// A payment of at least this goes as a deposit certificate, below by transfer.
    pub deposit_certificate_from: Fen,
}

/// `[payments]`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payments {
    pub batch_rows: usize,
    /// GB18030 (what a Chinese bank portal's CSV import often expects) instead of UTF-8 with BOM.
    pub gb18030: bool,
    /// The batch file's columns in the bank template's order, each with its header.
    pub columns: Vec<(BatchField, String)>,
}

/// A column a bank's batch-transfer template may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchField {
    Seq,
    Account,
    Name,
    Bank,
    Amount,
    Purpose,
    IdNumber,
    Phone,
    LenderId,
}

impl BatchField {
    /// Every field: its key in `[payments] columns` and its default header.
    pub const ALL: [(BatchField, &'static str, &'static str); 9] = [
        (BatchField::Seq, "seq", "序号"),
        (BatchField::Account, "account", "收款人账号"),
        (BatchField::Name, "name", "收款人户名"),
        (BatchField::Bank, "bank", "开户行"),
        (BatchField::Amount, "amount", "金额(元)"),
        (BatchField::Purpose, "purpose", "用途"),
        (BatchField::IdNumber, "id_number", "证件号码"),
        (BatchField::Phone, "phone", "手机号码"),
        (BatchField::LenderId, "lender_id", "出借人编号"),
    ];

    /// The default layout: 序号, 收款人账号, 收款人户名, 开户行, 金额(元), 用途.
    pub fn default_columns() -> Vec<(BatchField, String)> {
        BatchField::ALL[..6]
            .iter()
            .map(|(f, _, h)| (*f, h.to_string()))
            .collect()
    }
}

/// The placeholders of `[statement] sms`.
pub const SMS_FIELDS: [&str; 7] = [
    "name",
    "platforms",
    "claim",
    "paid",
    "reserved",
    "remaining",
    "returned",
];

impl Config {
    pub fn basis_for(&self, class: crate::domain::class::Class) -> Basis {
        self.basis[class.index()]
    }
}

impl Config {
    /// Read and resolve a config file; `None` gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("config {}: cannot read: {e}", path.display())))?;
        Config::from_toml(&text)
            .map_err(|e| Error::Config(format!("config {}: {e}", path.display())))
    }

    /// Parse and resolve config text. The error is one line listing every problem, each with
    /// the line and column of its key and the key's name.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| position(text, s.start))
                .map(|(l, c)| format!("line {l}, column {c}: "))
                .unwrap_or_default();
            one_line(&format!("{at}{}", e.message().trim().replace('\n', " ")))
        })?;
        let problems = Problems::default();
        let config = resolve::resolve(raw, &problems);
        let found = problems.0.into_inner();
        if found.is_empty() {
            return Ok(config);
        }
        let described: Vec<String> = found
            .into_iter()
            .map(
                |(section, key, message)| match locate(text, &section, &key) {
                    Some((l, c)) => format!("line {l}, column {c}: {section} {key}: {message}"),
                    None => format!("{section} {key}: {message}"),
                },
            )
            .collect();
        Err(one_line(&described.join("; ")))
    }
}

/// A message on one line: control characters a key or value brought in (a TOML `"\n"` escape)
/// are shown escaped.
fn one_line(message: &str) -> String {
    message
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where `key` is set under `section` (`[classify]`, `[[plan.targets]]`, …): its line and
/// column, for the error message.
fn locate(text: &str, section: &str, key: &str) -> Option<(usize, usize)> {
    let mut inside = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = trimmed.split('#').next().map(str::trim) == Some(section);
        } else if inside {
            let name = trimmed.split('=').next().map(str::trim);
            if trimmed.contains('=') && name == Some(key) {
                let indent = line.len() - line.trim_start().len();
                return Some(position(text, offset + indent));
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_defaults_read_back_as_the_defaults() {
        let text = defaults_toml();
        assert!(text.contains("#   2020-01-24..2020-02-02"));
        let printed = Config::from_toml(&text).unwrap();
        let default = Config::default();
        assert_eq!(format!("{printed:?}"), format!("{default:?}"));
        assert_eq!(default.classify.small_max_outstanding, Fen(10_000_000_000));
        assert_eq!(default.classify.overdue_90_ratio, Ratio { num: 1, den: 10 });
        assert_eq!(
            default.recovery.buckets,
            [9_500, 8_000, 5_000, 2_500, 1_000]
        );
    }

    #[test]
    fn the_sms_knows_returned_amounts_and_batches_their_layout() {
        let c = Config::from_toml("[statement]\nsms = \"{name} {returned}\"\n").unwrap();
        assert_eq!(c.statement_sms, "{name} {returned}");
        assert!(Config::from_toml("[statement]\nsms = \"{refund}\"\n").is_err());
        let c = Config::from_toml(
            "[payments]\ncolumns = [\"account\", \"amount\"]\nheaders = [\"账号\", \"金额\"]\n",
        )
        .unwrap();
        assert_eq!(
            c.payments.columns,
            [
                (BatchField::Account, "账号".to_string()),
                (BatchField::Amount, "金额".to_string())
            ]
        );
        let c =
            Config::from_toml("[payments]\ncolumns = [\"amount\", \"lender_id\", \"account\"]\n")
                .unwrap();
        let headers: Vec<&str> = c.payments.columns.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(headers, ["金额(元)", "出借人编号", "收款人账号"]);
    }

    #[test]
    fn thresholds_are_exact_and_validated() {
        let c = Config::from_toml("[classify]\noverdue_90_ratio = 0.1\n").unwrap();
        assert_eq!(c.classify.overdue_90_ratio, Ratio { num: 1, den: 10 });
        let e = Config::from_toml("[classify]\noverdue_90_ratoi = 0.1\n").unwrap_err();
        assert!(e.contains("overdue_90_ratoi"), "{e}");
        let e = Config::from_toml("[recovery]\nrate_current = 0.12345\n").unwrap_err();
        assert!(e.contains("rate_current"), "{e}");
        let e = Config::from_toml("[classify]\nsmall_max_outstanding = \"1.005\"\n").unwrap_err();
        assert!(e.contains("small_max_outstanding"), "{e}");
    }

    #[test]
    fn an_error_stays_on_one_line_whatever_the_keys_hold() {
        // Found by the config fuzzer: a mapped column name with a TOML "\n" escape.
        let e = Config::from_toml("[columns]\n\"a\\nb\" = \"repaym\\nt\"\n").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains("repaym\\nt"), "{e}");
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_line_and_key() {
        let text = "[classify]\noverdue_90_ratio = \"x\"\nzombie_months = -1\n\n[recovery]\n  rate_current = 1.5\n[claims]\nfailed = \"gross\"\n";
        let e = Config::from_toml(text).unwrap_err();
        assert!(
            e.contains(
                "line 2, column 1: [classify] overdue_90_ratio: \"x\" is not a decimal number"
            ),
            "{e}"
        );
        assert!(
            e.contains("line 3, column 1: [classify] zombie_months"),
            "{e}"
        );
        assert!(
            e.contains("line 6, column 3: [recovery] rate_current"),
            "{e}"
        );
        assert!(e.contains("line 8, column 1: [claims] failed"), "{e}");
        assert_eq!(e.matches("; ").count(), 3, "{e}");
        assert!(!e.contains('\n'));
        // A syntax error: TOML stops at the first; its position is named.
        let e = Config::from_toml("[plan]\nstages = 4\n[classify\n").unwrap_err();
        assert!(e.starts_with("line 3, column"), "{e}");
        let e = Config::from_toml("[classify]\n\noverdue_90_ratoi = 0.1\n").unwrap_err();
        assert!(
            e.starts_with("line 3, column 1:") && e.contains("overdue_90_ratoi"),
            "{e}"
        );
    }

    #[test]
    fn columns_map_headers_to_contract_names() {
        let c = Config::from_toml("[columns]\n\"平台编号\" = \"platform_id\"\n").unwrap();
        assert_eq!(
            c.columns.get("平台编号").map(String::as_str),
            Some("platform_id")
        );
    }

    #[test]
    fn unknown_keys_and_targets_are_named() {
        let e = Config::from_toml("[colums]\na = \"platform_id\"\n").unwrap_err();
        assert!(e.contains("colums"), "{e}");
        let e = Config::from_toml("[columns]\na = \"platfrom_id\"\n").unwrap_err();
        assert!(e.contains("platfrom_id"), "{e}");
    }
}
