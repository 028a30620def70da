//! The JSON files' shapes — summary.json, validation.json, manifest.json — as typed structs.
//! Their JSON Schemas (docs/schema/, `output::schemas`) are generated from these structs, and a
//! test keeps the committed schemas equal to them, so a field cannot change without its schema changing too.
//! Money is exact decimal text in yuan (`"1234.56"`), never a JSON number.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::input::Report;

/// Yuan as exact decimal text, two decimals (`"-1.50"`).
pub type Yuan = String;

/// summary.json: the run's figures by class, district and claim band, the 三降 curve and the
/// payouts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// The as-of date (YYYY-MM-DD).
    pub as_of: Option<String>,
    pub rows: RowCounts,
    /// Platforms classified.
    pub platforms: u64,
    /// One entry per class, in the order failed, high_risk, zombie, small, normal.
    pub by_class: Vec<ClassFigures>,
    /// One entry per platform district, in byte order.
    pub by_district: Vec<DistrictFigures>,
    /// Claim size bands (lower bound included), over lender × platform rows with claim > 0.
    pub claim_bands: Vec<BandFigures>,
    /// The plan's stages, stage 0 being the start.
    pub plan: Vec<StageFigures>,
    /// The plan's deadline, when it has one: capacity needed and platforms at risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DeadlineFigures>,
    pub payouts: PayoutTotals,
    /// Per platform with payouts: paid and reserved over every round against its total claim.
    pub payout_ratio: Vec<PlatformPayoutRatio>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RowCounts {
    /// Input rows read, all tables.
    pub read: u64,
    /// Input rows rejected, all tables.
    pub rejected: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassFigures {
    /// failed, high_risk, zombie, small or normal.
    pub class: String,
    /// 已出险, 高风险, 僵尸类, 规模较小 or 正常.
    pub class_zh: String,
    pub platforms: u64,
    pub lender_outstanding: Yuan,
    pub loan_outstanding: Yuan,
    pub lenders_current: i64,
    pub total_claim: Yuan,
    pub expected_recovery: Yuan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictFigures {
    pub district: String,
    pub platforms: u64,
    pub lender_outstanding: Yuan,
    pub lenders_current: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandFigures {
    /// band_0_1w, band_1w_5w, band_5w_10w, band_10w_50w, band_50w_100w or band_100w_up.
    pub band: String,
    pub lenders: i64,
    pub claim: Yuan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageFigures {
    pub stage: u32,
    /// YYYY-MM-DD.
    pub ends_on: String,
    pub platforms_remaining: i64,
    pub outstanding_remaining: Yuan,
    pub lenders_remaining: i64,
    /// Percent of the start.
    pub platforms_remaining_pct: f64,
    pub outstanding_remaining_pct: f64,
    pub lenders_remaining_pct: f64,
    pub targets: Vec<TargetMet>,
}

/// The plan against its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineFigures {
    /// YYYY-MM-DD.
    pub deadline: String,
    /// The capacity per stage of the config and command line.
    pub configured: CapacityFigures,
    /// The least capacity per stage that meets the deadline (the plan was filled under it).
    pub required: CapacityFigures,
    /// Platforms that finish by the deadline.
    pub on_time: u64,
    /// Platforms that cannot finish by it whatever the capacity, in plan order.
    pub at_risk: Vec<AtRiskPlatform>,
}

/// Limits per stage; null is no limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityFigures {
    pub platforms: Option<i64>,
    pub lenders: Option<i64>,
    pub outstanding: Option<Yuan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AtRiskPlatform {
    pub platform_id: String,
    pub name: String,
    pub class: String,
    /// Its completion if started on the as-of date (YYYY-MM-DD).
    pub earliest: String,
    pub reason: String,
    pub reason_zh: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetMet {
    /// The config's target, as written there.
    pub target: String,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutTotals {
    /// Platform rounds computed.
    pub rounds: u64,
    pub pool: Yuan,
    pub paid: Yuan,
    pub reserved: Yuan,
    pub carried: Yuan,
    /// Sent, returned by the bank, held for the lenders (the returns table).
    pub returned: Yuan,
    /// Returned amounts sent again in this run.
    pub reissued: Yuan,
    pub surplus: Yuan,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformPayoutRatio {
    pub platform_id: String,
    pub total_claim: Yuan,
    /// Paid, reserved, and returned and held for the lenders.
    pub paid_and_reserved: Yuan,
    /// paid_and_reserved / total_claim; null when the total claim is 0.
    pub ratio: Option<f64>,
}

/// validation.json: what became of every input row, table by table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// The as-of date (YYYY-MM-DD); null when no row is dated.
    pub as_of: Option<String>,
    /// `given` (--as-of) or `latest_date_in_data`.
    pub as_of_source: String,
    /// By table name: platforms, loans, lenders, investments, recoveries, returns.
    pub tables: BTreeMap<String, TableFigures>,
    /// Rows accepted with a warning, by warning (`invalid_id_number`).
    pub warnings: BTreeMap<String, u64>,
    /// Claims outstanding against investments outstanding, per platform (commands that
    /// compute claims).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<Reconciliation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableFigures {
    pub file: String,
    /// utf-8, gb18030 or parquet.
    pub encoding: String,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Rejected rows by reason code (docs/inputs.md).
    pub reasons: BTreeMap<String, u64>,
    /// Columns of the file that are not in the contract (ignored).
    pub unknown_columns: Vec<String>,
    /// Parquet float money rounded to the fen (--accept-float-money).
    pub float_money_rounded: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reconciliation {
    pub platforms_checked: u64,
    /// Always 0: a mismatch stops the command as an internal error.
    pub mismatches: u64,
    pub outstanding_total: Yuan,
}

/// The options a command ran with, after the command line's overrides of the config: with
/// the config text, what `report --from` reuses to show the same figures as the run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The as-of date, and whether it was given or taken from the data.
    pub as_of: Option<String>,
    pub as_of_source: Option<String>,
    pub encoding: String,
    pub strict: bool,
    pub accept_float_money: bool,
    /// The plan's stages and months per stage.
    pub stages: u32,
    pub stage_months: u32,
    /// The plan's deadline (YYYY-MM-DD), from `--deadline` or `[plan] deadline`.
    #[serde(default)]
    pub deadline: Option<String>,
    /// The payout rule: `pro` or `small-first:T` (T in yuan).
    pub payout_rule: Option<String>,
    /// Yuan.
    pub small_first: Option<String>,
    pub min_payment: Option<String>,
    pub ledger: Option<String>,
    pub pay_all_rounds: bool,
    pub pseudonymize: bool,
    pub csv: bool,
    /// `run --xlsx`: winddown.xlsx was written.
    #[serde(default)]
    pub xlsx: bool,
}

/// manifest.json: the record that closes every output folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `winddown`.
    pub tool: String,
    pub version: String,
    /// The command that wrote the folder (run, validate, payout, …).
    pub command: String,
    pub as_of: Option<String>,
    /// The input files read, with their hashes.
    pub inputs: Vec<InputFile>,
    /// Every other file of the folder, by name.
    pub files: Vec<OutputFile>,
    /// The config file's text, when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_sha256: Option<String>,
    /// The effective options after the command line's overrides (what `report --from` reuses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// SHA-256 of `settings` as compact JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings_sha256: Option<String>,
    /// The bank payment file that went with the folder (never its contents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_file: Option<PaymentFileRecord>,
    /// The bank batches and control files of `--payments` (never their contents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_batches: Vec<PaymentFileRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputFile {
    pub table: String,
    /// The file's path inside the input folder: its name, or for a part of a table given as a
    /// folder the table's folder and the part (`investments/platform_id=P01/part-0.csv`).
    pub file: Option<String>,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputFile {
    pub file: String,
    /// Rows of a table file; null for documents.
    pub rows: Option<u64>,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentFileRecord {
    /// The file's name (not its folder).
    pub file: String,
    pub rows: u64,
    pub total: Yuan,
    pub sha256: String,
}

impl Validation {
    /// validation.json, without the claims reconciliation (added by the commands that
    /// compute claims).
    pub fn of(report: &Report) -> Validation {
        let r = report;
        Validation {
            as_of: r.as_of.map(|d| d.to_string()),
            as_of_source: r.as_of_source.name().to_string(),
            tables: r
                .tables
                .iter()
                .map(|(table, t)| {
                    (
                        table.name().to_string(),
                        TableFigures {
                            file: t.file.clone(),
                            encoding: t.encoding.to_string(),
                            read: t.read,
                            accepted: t.accepted,
                            rejected: t.rejected,
                            reasons: t.reasons.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                            unknown_columns: t.unknown_columns.clone(),
                            float_money_rounded: t.float_money_rounded,
                        },
                    )
                })
                .collect(),
            warnings: r
                .warnings
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            reconciliation: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_refused() {
        let text = r#"{"read": 1, "rejected": 0, "extra": 1}"#;
        assert!(serde_json::from_str::<RowCounts>(text).is_err());
        let ok: RowCounts = serde_json::from_str(r#"{"read": 1, "rejected": 0}"#).unwrap();
        assert_eq!(ok.read, 1);
    }
}
