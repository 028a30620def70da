//! A run folder as the desk reads it, once at start: summary.json, the platforms with their
//! class, plan and at-risk flag (platforms.parquet and plan.parquet: one row per platform, a
//! few thousand at national scale), and the payout rounds (payout_rounds.parquet: one row per
//! platform and round, read as the ledger reads them). Lenders are never loaded: a lender's page reads only the row groups of
//! claims.parquet and payouts.parquet whose bloom filter may hold the id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::folder::records::Summary;
use crate::table;

/// One platform: what the platforms table and a platform's page show.
#[derive(Debug, Clone, Serialize)]
pub struct Platform {
    pub platform_id: String,
    pub name: String,
    pub district: String,
    pub class: String,
    pub class_zh: String,
    pub subclass: String,
    pub reason_zh: String,
    pub reason_en: String,
    /// Fen.
    pub lender_outstanding: i64,
    pub lenders_current: i64,
    pub loan_outstanding: i64,
    pub expected_recovery: i64,
    pub total_claim: i64,
    pub claim_lenders: i64,
    pub stage: i64,
    pub action_zh: String,
    pub start_on: String,
    pub complete_by: String,
    pub at_risk: bool,
    pub at_risk_reason_zh: String,
    /// (step in Chinese, step code, due date).
    pub steps: Vec<(String, String, String)>,
    pub responsible_units: Vec<String>,
    /// Lenders by claim band: (band, lenders, claim in fen), smallest band first.
    pub bands: Vec<(String, i64, i64)>,
}

/// One payout round of one platform, as payout_rounds.parquet has it (the ledger's reader).
pub use crate::payout::ledger::LedgerRound as Round;

/// What became of one lender's returned transfers of one round (returned_transfers.parquet).
#[derive(Debug, Clone, Serialize)]
pub struct Returned {
    pub platform_id: String,
    pub round: i64,
    pub lender_id: String,
    /// Fen.
    pub returned_total: i64,
    pub held: i64,
    pub reissued: i64,
    pub disposition: String,
    pub reason_zh: String,
}

/// What the desk holds of a run folder.
pub struct Run {
    pub dir: PathBuf,
    pub summary: Summary,
    /// In platform id byte order.
    pub platforms: Vec<Platform>,
    pub rounds: Vec<Round>,
    /// Returned transfers, when the run had a returns table.
    pub returned: Vec<Returned>,
}

impl Run {
    /// Read a `winddown run` output folder.
    pub fn load(dir: &Path) -> Result<Run> {
        let need = |name: &str| -> Result<PathBuf> {
            let p = dir.join(name);
            if p.is_file() {
                Ok(p)
            } else {
                Err(Error::Usage(format!(
                    "{}: no {name}; the desk reads the output folder of `winddown run`",
                    dir.display()
                )))
            }
        };
        let summary_path = need("summary.json")?;
        let text =
            std::fs::read_to_string(&summary_path).map_err(|e| Error::io(&summary_path, e))?;
        let summary: Summary = serde_json::from_str(&text).map_err(|e| {
            Error::bad_file(&summary_path, format!("not a summary of this version: {e}"))
        })?;
        let platforms = platforms(&need("platforms.parquet")?, &need("plan.parquet")?)?;
        let rounds = match dir.join("payout_rounds.parquet") {
            p if p.is_file() => crate::payout::ledger::read_rounds(&p)?,
            _ => Vec::new(),
        };
        let returned = match dir.join("returned_transfers.parquet") {
            p if p.is_file() => returned(&p)?,
            _ => Vec::new(),
        };
        Ok(Run {
            dir: dir.to_path_buf(),
            summary,
            platforms,
            rounds,
            returned,
        })
    }

    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms
            .binary_search_by(|p| p.platform_id.as_bytes().cmp(id.as_bytes()))
            .ok()
            .map(|i| &self.platforms[i])
    }
}

fn platforms(path: &Path, plan_path: &Path) -> Result<Vec<Platform>> {
    let df = table::read_parquet_file(path)?;
    let text = |c: &str| table::text_column(&df, c, path);
    let fen = |c: &str| table::decimal_fen(&df, c, path);
    let int = |c: &str| table::integer_column(&df, c, path);
    let (ids, names, districts) = (text("platform_id")?, text("name")?, text("district")?);
    let (class, class_zh, subclass) = (text("class")?, text("class_zh")?, text("subclass")?);
    let (reason_zh, reason_en) = (text("reason_zh")?, text("reason_en")?);
    let (outstanding, loans, recovery, claim) = (
        fen("lender_outstanding")?,
        fen("loan_outstanding")?,
        fen("expected_recovery")?,
        fen("total_claim")?,
    );
    let (current, claim_lenders) = (int("lenders_current")?, int("claim_lenders")?);
    let mut bands = Vec::new();
    for b in crate::rules::exposure::BANDS {
        bands.push((b.name, int(b.lenders)?, fen(b.claim)?));
    }
    let plan = plan(plan_path)?;
    let mut out: Vec<Platform> = (0..ids.len())
        .map(|i| {
            let p = plan.get(&ids[i]);
            Platform {
                platform_id: ids[i].clone(),
                name: names[i].clone(),
                district: districts[i].clone(),
                class: class[i].clone(),
                class_zh: class_zh[i].clone(),
                subclass: subclass[i].clone(),
                reason_zh: reason_zh[i].clone(),
                reason_en: reason_en[i].clone(),
                lender_outstanding: outstanding[i],
                lenders_current: current[i],
                loan_outstanding: loans[i],
                expected_recovery: recovery[i],
                total_claim: claim[i],
                claim_lenders: claim_lenders[i],
                stage: p.map_or(0, |p| p.stage),
                action_zh: p.map(|p| p.action_zh.clone()).unwrap_or_default(),
                start_on: p.map(|p| p.start_on.clone()).unwrap_or_default(),
                complete_by: p.map(|p| p.complete_by.clone()).unwrap_or_default(),
                at_risk: p.is_some_and(|p| p.at_risk),
                at_risk_reason_zh: p.map(|p| p.at_risk_reason_zh.clone()).unwrap_or_default(),
                steps: p.map(|p| p.steps.clone()).unwrap_or_default(),
                responsible_units: p.map(|p| p.units.clone()).unwrap_or_default(),
                bands: bands
                    .iter()
                    .map(|(name, lenders, claim)| (name.to_string(), lenders[i], claim[i]))
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.platform_id.as_bytes().cmp(b.platform_id.as_bytes()));
    Ok(out)
}

/// A platform's line of plan.parquet.
struct PlanLine {
    stage: i64,
    action_zh: String,
    start_on: String,
    complete_by: String,
    at_risk: bool,
    at_risk_reason_zh: String,
    steps: Vec<(String, String, String)>,
    units: Vec<String>,
}

/// plan.parquet by platform id, read with arrow-rs (its steps are a list of structs).
fn plan(path: &Path) -> Result<BTreeMap<String, PlanLine>> {
    use arrow_array::{
        Array, BooleanArray, Date32Array, Int64Array, ListArray, StringArray, StructArray,
    };
    let bad = |m: String| Error::bad_file(path, format!("not a plan of this version: {m}"));
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| bad(e.to_string()))?;
    let date = |a: &Date32Array, i: usize| {
        if a.is_null(i) {
            String::new()
        } else {
            crate::domain::date::Date(a.value(i)).to_string()
        }
    };
    let mut out = BTreeMap::new();
    for batch in reader {
        let batch = batch.map_err(|e| bad(e.to_string()))?;
        let col = |name: &str| {
            batch
                .column_by_name(name)
                .cloned()
                .ok_or_else(|| bad(format!("no column {name}")))
        };
        macro_rules! typed {
            ($name:expr, $ty:ty) => {
                col($name)?
                    .as_any()
                    .downcast_ref::<$ty>()
                    .cloned()
                    .ok_or_else(|| bad(format!("column {} has another type", $name)))?
            };
        }
        let ids = typed!("platform_id", StringArray);
        let stage = typed!("stage", Int64Array);
        let action = typed!("action_zh", StringArray);
        let start = typed!("start_on", Date32Array);
        let complete = typed!("complete_by", Date32Array);
        let risk = typed!("at_risk", BooleanArray);
        let risk_why = typed!("at_risk_reason_zh", StringArray);
        let steps = typed!("steps", ListArray);
        let units = typed!("responsible_units", ListArray);
        for i in 0..batch.num_rows() {
            let mut lines = Vec::new();
            if !steps.is_null(i) {
                let items = steps.value(i);
                let s = items
                    .as_any()
                    .downcast_ref::<StructArray>()
                    .ok_or_else(|| bad("steps are not structs".into()))?;
                let field = |n: &str| s.column_by_name(n).cloned();
                let (code, zh, due) = (field("step"), field("step_zh"), field("due_on"));
                let (Some(code), Some(zh), Some(due)) = (code, zh, due) else {
                    return Err(bad("steps without step, step_zh, due_on".into()));
                };
                let code = code.as_any().downcast_ref::<StringArray>().cloned();
                let zh = zh.as_any().downcast_ref::<StringArray>().cloned();
                let due = due.as_any().downcast_ref::<Date32Array>().cloned();
                let (Some(code), Some(zh), Some(due)) = (code, zh, due) else {
                    return Err(bad("steps of another type".into()));
                };
                for k in 0..s.len() {
                    lines.push((
                        zh.value(k).to_string(),
                        code.value(k).to_string(),
                        date(&due, k),
                    ));
                }
            }
            let mut unit_names = Vec::new();
            if !units.is_null(i) {
                let list = units.value(i);
                let names = list
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .ok_or_else(|| bad("responsible units are not text".into()))?;
                unit_names.extend((0..names.len()).map(|k| names.value(k).to_string()));
            }
            out.insert(
                ids.value(i).to_string(),
                PlanLine {
                    stage: stage.value(i),
                    action_zh: action.value(i).to_string(),
                    start_on: date(&start, i),
                    complete_by: date(&complete, i),
                    at_risk: !risk.is_null(i) && risk.value(i),
                    at_risk_reason_zh: if risk_why.is_null(i) {
                        String::new()
                    } else {
                        risk_why.value(i).to_string()
                    },
                    steps: lines,
                    units: unit_names,
                },
            );
        }
    }
    Ok(out)
}

fn returned(path: &Path) -> Result<Vec<Returned>> {
    let df = table::read_parquet_file(path)?;
    let text = |c: &str| table::text_column(&df, c, path);
    let fen = |c: &str| table::decimal_fen(&df, c, path);
    let (ids, lenders, disposition, why) = (
        text("platform_id")?,
        text("lender_id")?,
        text("disposition")?,
        text("reason_zh")?,
    );
    let round = table::integer_column(&df, "round", path)?;
    let (total, held, reissued) = (fen("returned_total")?, fen("held")?, fen("reissued")?);
    Ok((0..ids.len())
        .map(|i| Returned {
            platform_id: ids[i].clone(),
            round: round[i],
            lender_id: lenders[i].clone(),
            returned_total: total[i],
            held: held[i],
            reissued: reissued[i],
            disposition: disposition[i].clone(),
            reason_zh: why[i].clone(),
        })
        .collect())
}
