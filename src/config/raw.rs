//! The config file as written: serde structs with `deny_unknown_fields`, so that a mistyped
//! key is an error naming it. They go no further than [`super::Config::resolve`].

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// File header → contract column name, for every table (e.g. `"平台编号" = "platform_id"`).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub classify: RawClassify,
    #[serde(default)]
    pub recovery: RawRecovery,
    #[serde(default)]
    pub claims: RawClaims,
    #[serde(default)]
    pub plan: RawPlan,
    #[serde(default)]
    pub calendar: RawCalendar,
    #[serde(default)]
    pub statement: RawStatement,
    #[serde(default)]
    pub payments: RawPayments,
    #[serde(default)]
    pub cases: RawCases,
}

/// `[cases]`: illegal-fundraising cases (`winddown case`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCases {
    /// `participants_first` or `pro_rata`.
    pub lawful_property: Option<String>,
    /// Yuan: payments at or above it go as a deposit certificate.
    pub deposit_certificate_from: Option<Num>,
}

/// `[payments]`: the bank batches of `--payments DIR`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPayments {
    /// Transfers per batch file at most.
    pub batch_rows: Option<i64>,
    /// `utf-8-bom` or `gb18030`.
    pub encoding: Option<String>,
    /// The batch file's fields in order (`seq`, `account`, `name`, `bank`, `amount`, …).
    pub columns: Option<Vec<String>>,
    /// Their headers, one per column.
    pub headers: Option<Vec<String>>,
}

/// `[statement]`: the lenders' statements (`statement --all`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStatement {
    /// The SMS text per lender, with {name} {platforms} {claim} {paid} {reserved} {remaining}
    /// {returned}.
    pub sms: Option<String>,
}

/// `[calendar]`: holidays and make-up working days added to the built-in official calendar.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    /// `"YYYY-MM-DD"` or `"YYYY-MM-DD..YYYY-MM-DD"` (inclusive).
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Weekend days worked (调休), or holidays cancelled: `"YYYY-MM-DD"`.
    #[serde(default)]
    pub workdays: Vec<String>,
}

/// `[plan]`: the staged exit plan (docs/rules.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    pub stages: Option<u32>,
    /// `"YYYY-MM-DD"`: the campaign's deadline; the plan's capacity is raised to meet it.
    pub deadline: Option<String>,
    pub stage_months: Option<u32>,
    pub max_platforms: Option<i64>,
    pub max_current_lenders: Option<i64>,
    pub max_outstanding: Option<Num>,
    #[serde(default)]
    pub units: RawUnits,
    #[serde(default)]
    pub targets: Vec<RawTarget>,
}

/// `[plan.units]`: responsible units per class (the platform's district is added).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnits {
    pub failed: Option<Vec<String>>,
    pub zombie: Option<Vec<String>>,
    pub small: Option<Vec<String>>,
    pub high_risk: Option<Vec<String>>,
    pub normal: Option<Vec<String>>,
}

/// `[[plan.targets]]`: e.g. lenders down 50 % by the end of stage 2.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub measure: String,
    pub stage: u32,
    pub reduction: Num,
}

/// `[claims]`: the claim basis per class (docs/rules.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClaims {
    pub failed: Option<String>,
    pub zombie: Option<String>,
    pub small: Option<String>,
    pub high_risk: Option<String>,
    pub normal: Option<String>,
}

/// A number as written: TOML integer, float (read back through its shortest decimal text,
/// so `0.1` is exactly 1/10) or string (`"0.10"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

/// `[classify]`: thresholds of docs/rules.md.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClassify {
    pub zombie_months: Option<i64>,
    pub small_max_outstanding: Option<Num>,
    pub small_max_current_lenders: Option<i64>,
    pub overdue_90_ratio: Option<Num>,
    pub funding_gap_ratio: Option<Num>,
    pub related_party_share: Option<Num>,
    pub top10_borrower_share: Option<Num>,
    pub borrower_cap_breach_share: Option<Num>,
    pub maturity_mismatch_share: Option<Num>,
    pub individual_borrower_cap: Option<Num>,
    pub enterprise_borrower_cap: Option<Num>,
}

/// `[recovery]`: recovery rates by days past due, and the collateral rate.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecovery {
    pub rate_current: Option<Num>,
    pub rate_1_30: Option<Num>,
    pub rate_31_90: Option<Num>,
    pub rate_91_180: Option<Num>,
    pub rate_over_180: Option<Num>,
    pub collateral_rate: Option<Num>,
    pub rule: Option<String>,
}

impl Num {
    pub(crate) fn to_decimal(&self) -> std::result::Result<Decimal, String> {
        let text = match self {
            Num::Int(i) => i.to_string(),
            Num::Float(f) if f.is_finite() => format!("{f}"),
            Num::Float(_) => return Err("not a finite number".to_string()),
            Num::Text(t) => t.trim().to_string(),
        };
        text.parse::<Decimal>()
            .map_err(|_| format!("{text:?} is not a decimal number"))
    }
}
