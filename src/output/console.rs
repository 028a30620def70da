//! What a command prints as data under `--format json` or `--format csv` (docs/outputs.md,
//! "Results a script can read"): one JSON document on stdout per command, versioned
//! (`format`, `version`) and described by docs/schema/console.schema.json, generated from
//! these structs; or, as CSV, the table the console shows. Messages stay on stderr.
//!
//! Money is exact yuan text as in summary.json; names and ids as the data gave them (JSON and
//! CSV escape them; the CSV's cells are made inert for spreadsheets).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::output::folder::records::{
    ClassFigures, DeadlineFigures, PayoutTotals, StageFigures, Yuan,
};

/// What this document is: the value of its `format` field.
pub const FORMAT: &str = "winddown-console";

/// The layout's version: raised when a field is removed, renamed or changes meaning (a new
/// field does not raise it).
pub const VERSION: u32 = 1;

/// A command's results on stdout (`--format json`). Each section is present when the command
/// computed it, absent otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct Console {
    /// Always "winddown-console".
    pub format: String,
    /// The layout's version (1).
    pub version: u32,
    /// The command: validate, classify, exposure, plan, payout, run, report, statement, vote,
    /// compare, progress, case or case progress.
    pub command: String,
    /// The data's as-of date (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Every input table read: rows read, accepted and rejected, by reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<TableLine>>,
    /// The first rejected rows (at most 100) in file and line order, as a compiler lists
    /// errors; rejects.csv has every one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<Vec<RejectLine>>,
    /// Rejected rows in all (the length of rejects.csv without the kept warnings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_total: Option<u64>,
    /// The five classes in the work plan's order (已出险, 高风险, 僵尸类, 规模较小, 正常).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<ClassFigures>>,
    /// Claims and the most exposed lenders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure: Option<ExposureFigures>,
    /// The plan's stages, stage 0 the start, with the platforms starting and completing in each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stages: Option<Vec<StageLine>>,
    /// The plan against its deadline: capacity and the platforms at risk by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DeadlineFigures>,
    /// The payout rounds computed by this command, added up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payouts: Option<PayoutTotals>,
    /// A lender's statement (`statement --lender`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementDoc>,
    /// The predicted vote, per platform and voting rule (`vote`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Vec<VoteLine>>,
    /// The division rules compared: the payout ratio by claim size band (`compare`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules: Option<Vec<RuleLine>>,
    /// The bulletin between two runs (`progress`), as progress.json holds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<serde_json::Value>,
    /// Illegal-fundraising cases (`case`): the participants by standing (code → people).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standings: Option<BTreeMap<String, i64>>,
    /// The clearance rounds computed by `case`, per case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_rounds: Option<Vec<CaseRoundLine>>,
    /// The docket of old cases for the year (`case`, `case progress`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub docket: Option<DocketFigures>,
    /// The output folder written, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrote: Option<String>,
}

/// One input table's counts.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TableLine {
    pub table: String,
    /// The file (or folder of parts) it was read from.
    pub file: String,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Rejected rows by reason code (docs/inputs.md).
    pub reasons: BTreeMap<String, u64>,
}

/// One rejected row: where, what, why.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RejectLine {
    pub file: String,
    /// The line in a CSV (the header is line 1), the row in a sheet or Parquet file.
    pub line: u64,
    pub column: String,
    /// The reason code (docs/inputs.md).
    pub reason: String,
    /// The cell's text, cut to 40 characters; absent for personal data and lender ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Claims and exposure.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExposureFigures {
    /// Lender × platform rows.
    pub claim_rows: u64,
    pub lenders: u64,
    pub total_claim: Yuan,
    /// Lenders who received more than they lent (their claim is zero).
    pub net_winners: i64,
    /// Lenders with positions on two or more failed platforms (the most exposed).
    pub lenders_on_several_failed: u64,
}

/// One stage of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StageLine {
    #[serde(flatten)]
    pub figures: StageFigures,
    /// Platforms whose exit begins in this stage.
    pub starts: i64,
    /// Platforms whose exit is complete by its end and was not by the stage before.
    pub completions: i64,
}

/// A lender's statement: the claim on every platform and every round.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatementDoc {
    pub lender_id: String,
    pub claims: Vec<StatementClaim>,
    pub rounds: Vec<StatementRound>,
    /// Σ claims.
    pub total_claim: Yuan,
    /// Σ paid over every round.
    pub paid: Yuan,
    /// Still owed: the claims less everything paid, reserved or held for the lender.
    pub remaining: Yuan,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatementClaim {
    pub platform_id: String,
    pub platform_name: String,
    pub class_zh: String,
    pub invested: Yuan,
    pub principal_returned: Yuan,
    pub returns_received: Yuan,
    /// net_of_returns (本金折抵) or outstanding_principal.
    pub basis: String,
    pub claim: Yuan,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StatementRound {
    pub platform_id: String,
    pub round: i64,
    pub status: String,
    pub paid: Yuan,
    pub reserved: Yuan,
    pub carried: Yuan,
    /// Sent, returned by the bank, held for the lender.
    pub returned: Yuan,
    pub cumulative: Yuan,
    pub remaining: Yuan,
}

/// One platform under one voting rule.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VoteLine {
    pub platform_id: String,
    pub scheme: String,
    /// shenzhen, ebl_art64, ebl_art84 or ebl_art97.
    pub voting_rule: String,
    pub passed: bool,
    /// Expected voters (an expectation under a turnout model, so it may be fractional).
    pub voters: f64,
    pub yes_voters: f64,
    /// Yes voters less the number needed to pass.
    pub count_margin: f64,
    /// Yuan (an expectation).
    pub amount_margin: f64,
    /// The least extra payment that would carry the vote, if any would.
    pub extra_payment: Option<Yuan>,
}

/// One division rule: the payout ratio per claim size band, all platforms together.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RuleLine {
    pub rule: String,
    /// Σ awards / Σ claims per band, smallest band first (band_0_1w … band_100w_up).
    pub ratio_by_band: Vec<BandRatio>,
}

/// One claim size band's payout ratio.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct BandRatio {
    /// band_0_1w, band_1w_5w, band_5w_10w, band_10w_50w, band_50w_100w or band_100w_up.
    pub band: String,
    /// Null where no claim falls in the band.
    pub ratio: Option<f64>,
}

/// One case's clearance round.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CaseRoundLine {
    pub case_id: String,
    pub round: i64,
    /// Distributed in this round.
    pub amount: Yuan,
    pub paid: Yuan,
    /// Escrow released to those who registered since.
    pub released: Yuan,
    /// Held in escrow for those not yet registered.
    pub held: Yuan,
    /// The uniform ratio reached (paid and held over the confirmed losses).
    pub ratio: Option<f64>,
}

/// The docket of old cases for one year.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DocketFigures {
    pub year: i32,
    /// Old cases at the start of the year.
    pub stock: i64,
    /// Of them, closed or with their assets disposed.
    pub done: i64,
    pub target_met: bool,
    /// Cases judged before 2018 and not closed.
    pub judged_before_2018_open: i64,
}

impl Console {
    pub fn new(command: &str) -> Console {
        Console {
            format: FORMAT.to_string(),
            version: VERSION,
            command: command.to_string(),
            ..Console::default()
        }
    }

    /// The document as CSV: the table the console shows for this command (validate: tables;
    /// classify, exposure, run, report: classes; plan: stages; payout: the totals; statement:
    /// its claims; vote: votes; compare: rules; progress: by class).
    pub fn csv(&self) -> Vec<u8> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        if let Some(s) = &self.statement {
            rows.push(
                [
                    "lender_id",
                    "platform_id",
                    "platform_name",
                    "class_zh",
                    "invested",
                    "principal_returned",
                    "returns_received",
                    "basis",
                    "claim",
                ]
                .map(String::from)
                .to_vec(),
            );
            for c in &s.claims {
                rows.push(vec![
                    s.lender_id.clone(),
                    c.platform_id.clone(),
                    c.platform_name.clone(),
                    c.class_zh.clone(),
                    c.invested.clone(),
                    c.principal_returned.clone(),
                    c.returns_received.clone(),
                    c.basis.clone(),
                    c.claim.clone(),
                ]);
            }
        } else if let Some(v) = &self.votes {
            rows.push(
                [
                    "platform_id",
                    "scheme",
                    "voting_rule",
                    "passed",
                    "voters",
                    "yes_voters",
                    "count_margin",
                    "amount_margin",
                    "extra_payment",
                ]
                .map(String::from)
                .to_vec(),
            );
            for l in v {
                rows.push(vec![
                    l.platform_id.clone(),
                    l.scheme.clone(),
                    l.voting_rule.clone(),
                    l.passed.to_string(),
                    l.voters.to_string(),
                    l.yes_voters.to_string(),
                    l.count_margin.to_string(),
                    format!("{:.2}", l.amount_margin),
                    l.extra_payment.clone().unwrap_or_default(),
                ]);
            }
        } else if let Some(r) = &self.rules {
            let mut head = vec!["rule".to_string()];
            if let Some(first) = r.first() {
                head.extend(first.ratio_by_band.iter().map(|b| b.band.clone()));
            }
            rows.push(head);
            for l in r {
                let mut row = vec![l.rule.clone()];
                row.extend(
                    l.ratio_by_band
                        .iter()
                        .map(|b| b.ratio.map_or(String::new(), |x| format!("{x:.6}"))),
                );
                rows.push(row);
            }
        } else if let Some(s) = &self.stages {
            rows.push(
                [
                    "stage",
                    "ends_on",
                    "starts",
                    "completions",
                    "platforms_remaining",
                    "outstanding_remaining",
                    "lenders_remaining",
                ]
                .map(String::from)
                .to_vec(),
            );
            for l in s {
                rows.push(vec![
                    l.figures.stage.to_string(),
                    l.figures.ends_on.clone(),
                    l.starts.to_string(),
                    l.completions.to_string(),
                    l.figures.platforms_remaining.to_string(),
                    l.figures.outstanding_remaining.clone(),
                    l.figures.lenders_remaining.to_string(),
                ]);
            }
        } else if let Some(c) = &self.classes {
            rows.push(
                [
                    "class",
                    "class_zh",
                    "platforms",
                    "lender_outstanding",
                    "lenders_current",
                    "total_claim",
                    "expected_recovery",
                ]
                .map(String::from)
                .to_vec(),
            );
            for l in c {
                rows.push(vec![
                    l.class.clone(),
                    l.class_zh.clone(),
                    l.platforms.to_string(),
                    l.lender_outstanding.clone(),
                    l.lenders_current.to_string(),
                    l.total_claim.clone(),
                    l.expected_recovery.clone(),
                ]);
            }
        } else if let Some(p) = &self.payouts {
            rows.push(
                [
                    "rounds", "pool", "paid", "reserved", "carried", "returned", "reissued",
                    "surplus",
                ]
                .map(String::from)
                .to_vec(),
            );
            rows.push(vec![
                p.rounds.to_string(),
                p.pool.clone(),
                p.paid.clone(),
                p.reserved.clone(),
                p.carried.clone(),
                p.returned.clone(),
                p.reissued.clone(),
                p.surplus.clone(),
            ]);
        } else if let Some(t) = &self.tables {
            rows.push(
                ["table", "file", "read", "accepted", "rejected"]
                    .map(String::from)
                    .to_vec(),
            );
            for l in t {
                rows.push(vec![
                    l.table.clone(),
                    l.file.clone(),
                    l.read.to_string(),
                    l.accepted.to_string(),
                    l.rejected.to_string(),
                ]);
            }
        } else if let Some(p) = &self.progress {
            rows.push(
                [
                    "class",
                    "platforms_then",
                    "platforms_now",
                    "outstanding_then",
                    "outstanding_now",
                    "lenders_then",
                    "lenders_now",
                ]
                .map(String::from)
                .to_vec(),
            );
            for g in p["by_class"].as_array().into_iter().flatten() {
                let cell = |v: &serde_json::Value| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                rows.push(vec![
                    cell(&g["key"]),
                    cell(&g["then"]["platforms"]),
                    cell(&g["now"]["platforms"]),
                    cell(&g["then"]["outstanding"]),
                    cell(&g["now"]["outstanding"]),
                    cell(&g["then"]["lenders"]),
                    cell(&g["now"]["lenders"]),
                ]);
            }
        }
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for row in rows {
            // Writing to memory cannot fail.
            let _ = w.write_record(
                row.iter()
                    .map(|c| crate::domain::text::excel_safe(c).into_owned()),
            );
        }
        w.into_inner().unwrap_or_default()
    }
}
