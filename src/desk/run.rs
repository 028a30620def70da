//! A run folder as the desk reads it, once at start: summary.json, the platforms with their
//! class, plan and at-risk flag (platforms.parquet and plan.parquet: one row per platform, a
//! few thousand at national scale), and the payout rounds (payout_rounds.parquet: one row per
//! platform and round, read as the ledger reads them). Lenders are never loaded: a lender's page reads only the row groups of
//! claims.parquet and payouts.parquet whose bloom filter may hold the id.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::output::folder::records::Summary;
use crate::table::export_file::ExportFile;

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
    /// Every classification rule: its value against its threshold, and whether it fired.
    pub reasons: Vec<crate::table::export_file::ReasonRead>,
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
    use crate::domain::exports::{platforms as f, CLASS, CLASS_ZH, DISTRICT, NAME, PLATFORM_ID};
    use crate::domain::exports::{LENDERS_CURRENT, LENDER_OUTSTANDING, SUBCLASS};
    let mut fields = vec![
        &PLATFORM_ID,
        &NAME,
        &DISTRICT,
        &CLASS,
        &CLASS_ZH,
        &SUBCLASS,
        &f::REASON_ZH,
        &f::REASON_EN,
        &f::REASONS,
        &LENDER_OUTSTANDING,
        &f::LOAN_OUTSTANDING,
        &f::EXPECTED_RECOVERY,
        &f::TOTAL_CLAIM,
        &LENDERS_CURRENT,
        &f::CLAIM_LENDERS,
    ];
    for (lenders, claim) in &f::BAND_COLUMNS {
        fields.extend([lenders, claim]);
    }
    let t = ExportFile::read(path, &fields)?;
    let (ids, names, districts) = (t.text(&PLATFORM_ID)?, t.text(&NAME)?, t.text(&DISTRICT)?);
    let (class, class_zh, subclass) = (t.text(&CLASS)?, t.text(&CLASS_ZH)?, t.text(&SUBCLASS)?);
    let (reason_zh, reason_en) = (t.text(&f::REASON_ZH)?, t.text(&f::REASON_EN)?);
    let mut reasons = t.reasons(&f::REASONS)?.into_iter();
    let (outstanding, loans, recovery, claim) = (
        t.money(&LENDER_OUTSTANDING)?,
        t.money(&f::LOAN_OUTSTANDING)?,
        t.money(&f::EXPECTED_RECOVERY)?,
        t.money(&f::TOTAL_CLAIM)?,
    );
    let (current, claim_lenders) = (t.int(&LENDERS_CURRENT)?, t.int(&f::CLAIM_LENDERS)?);
    let mut bands = Vec::new();
    for (band, (lenders, claim)) in crate::rules::exposure::BANDS.iter().zip(&f::BAND_COLUMNS) {
        bands.push((band.name, t.int(lenders)?, t.money(claim)?));
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
                reasons: reasons.next().unwrap_or_default(),
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

/// plan.parquet by platform id.
fn plan(path: &Path) -> Result<BTreeMap<String, PlanLine>> {
    use crate::domain::exports::{plan as f, PLATFORM_ID, STAGE};
    let t = ExportFile::read(
        path,
        &[
            &PLATFORM_ID,
            &STAGE,
            &f::ACTION_ZH,
            &f::START_ON,
            &f::COMPLETE_BY,
            &f::AT_RISK,
            &f::AT_RISK_REASON_ZH,
            &f::STEPS,
            &f::RESPONSIBLE_UNITS,
        ],
    )?;
    let (ids, stage, action) = (
        t.text(&PLATFORM_ID)?,
        t.int(&STAGE)?,
        t.text(&f::ACTION_ZH)?,
    );
    let (start, complete) = (t.opt_date(&f::START_ON)?, t.opt_date(&f::COMPLETE_BY)?);
    let (risk, risk_why) = (t.opt_bool(&f::AT_RISK)?, t.text(&f::AT_RISK_REASON_ZH)?);
    let (steps, units) = (t.steps(&f::STEPS)?, t.text_list(&f::RESPONSIBLE_UNITS)?);
    let date = |d: Option<crate::domain::date::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let mut out = BTreeMap::new();
    for (i, (steps, units)) in steps.into_iter().zip(units).enumerate() {
        out.insert(
            ids[i].clone(),
            PlanLine {
                stage: stage[i],
                action_zh: action[i].clone(),
                start_on: date(start[i]),
                complete_by: date(complete[i]),
                at_risk: risk[i] == Some(true),
                at_risk_reason_zh: risk_why[i].clone(),
                steps: steps
                    .into_iter()
                    .map(|(code, zh, due)| (zh, code, due.to_string()))
                    .collect(),
                units,
            },
        );
    }
    Ok(out)
}

fn returned(path: &Path) -> Result<Vec<Returned>> {
    use crate::domain::exports::{returned_transfers as f, LENDER_ID, PLATFORM_ID, ROUND};
    let t = ExportFile::read(
        path,
        &[
            &PLATFORM_ID,
            &ROUND,
            &LENDER_ID,
            &f::RETURNED_TOTAL,
            &f::HELD,
            &f::REISSUED,
            &f::DISPOSITION,
            &f::REASON_ZH,
        ],
    )?;
    let (ids, lenders, round) = (t.text(&PLATFORM_ID)?, t.text(&LENDER_ID)?, t.int(&ROUND)?);
    let (disposition, why) = (t.text(&f::DISPOSITION)?, t.text(&f::REASON_ZH)?);
    let (total, held, reissued) = (
        t.money(&f::RETURNED_TOTAL)?,
        t.money(&f::HELD)?,
        t.money(&f::REISSUED)?,
    );
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
