//! Rules: what the clean-up decides from the validated data — the platform metrics
//! ([`metrics`]), the five classes ([`classify`]), each lender's claim and the exposure tables
//! ([`exposure`]), and the staged exit plan ([`plan`]). Pure domain code over the compact data of
//! [`crate::input::data`]; no polars.

pub mod classify;
pub mod exposure;
pub mod metrics;
pub mod plan;

use rayon::prelude::*;

use crate::config::Config;
use crate::domain::code::{ByCode, PlatformCode};
use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::error::{DataProblem, Error, Result};
use crate::input::data::InputData;
use classify::{Class, Classification};
use exposure::{Claims, DistrictRow, LenderExposure, PlatformExposure};
use metrics::PlatformMetrics;

/// One platform: its metrics, its class and its exposure roll-up.
#[derive(Debug, Clone)]
pub struct PlatformRow {
    pub metrics: PlatformMetrics,
    pub class: Classification,
    pub exposure: PlatformExposure,
}

/// A class's totals over its platforms: the figures of summary.json, the report and the
/// workbook.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassTotals {
    pub platforms: u64,
    /// Fen.
    pub lender_outstanding: i128,
    pub loan_outstanding: i128,
    pub lenders_current: i64,
    pub total_claim: i128,
    pub expected_recovery: i128,
}

impl ClassTotals {
    /// The totals of the platforms of `class`.
    pub fn of(platforms: &[PlatformRow], class: crate::rules::classify::Class) -> ClassTotals {
        platforms
            .iter()
            .filter(|p| p.class.class == class)
            .fold(ClassTotals::default(), |t, p| {
                t.plus(&ClassTotals {
                    platforms: 1,
                    lender_outstanding: p.metrics.lender_outstanding.into(),
                    loan_outstanding: p.metrics.loan_outstanding.into(),
                    lenders_current: p.metrics.lenders_current,
                    total_claim: p.exposure.total_claim.into(),
                    expected_recovery: p.metrics.expected_recovery.into(),
                })
            })
    }

    pub fn plus(&self, o: &ClassTotals) -> ClassTotals {
        ClassTotals {
            platforms: self.platforms + o.platforms,
            lender_outstanding: self.lender_outstanding + o.lender_outstanding,
            loan_outstanding: self.loan_outstanding + o.loan_outstanding,
            lenders_current: self.lenders_current + o.lenders_current,
            total_claim: self.total_claim + o.total_claim,
            expected_recovery: self.expected_recovery + o.expected_recovery,
        }
    }
}

/// Everything the rules derive from the data, before plans and payouts.
pub struct Analysis {
    /// Sorted by platform_id.
    pub platforms: Vec<PlatformRow>,
    /// One per position of the data.
    pub claims: Claims,
    pub lenders: LenderExposure,
    pub districts: Vec<DistrictRow>,
    /// The claims-vs-investments reconciliation for validation.json.
    pub reconciliation: exposure::Reconciled,
}

/// Classify every platform and compute the claims and exposure.
pub fn analyse(data: &InputData, config: &Config, as_of: Option<Date>) -> Result<Analysis> {
    let metrics = metrics::platform_metrics(data, as_of);
    let classified: Vec<(PlatformMetrics, Classification)> = metrics
        .into_par_iter()
        .map(|m| {
            let c = classify::classify(&m, &config.classify);
            (m, c)
        })
        .collect();
    let mut classes = ByCode::filled(data.platforms.len(), Class::Normal);
    for (m, c) in &classified {
        classes[m.code] = c.class;
    }
    let claims = exposure::claims(data, &classes, config);
    let platforms: Vec<PlatformRow> = classified
        .into_par_iter()
        .map(|(m, c)| {
            let x = exposure::rollup(data, &claims, m.code);
            PlatformRow {
                metrics: m,
                class: c,
                exposure: x,
            }
        })
        .collect();
    let outstanding: Vec<(PlatformCode, Fen)> = platforms
        .iter()
        .map(|p| (p.metrics.code, p.exposure.outstanding))
        .collect();
    let reconciliation = exposure::reconcile(data, &outstanding)?;
    // The lender side of the metrics is read from the same positions as the claims: they
    // must agree with the claims' roll-up too.
    if let Some(p) = platforms
        .iter()
        .find(|p| p.metrics.lender_outstanding != p.exposure.outstanding)
    {
        return Err(Error::Internal(format!(
            "platform {}: lender outstanding differs between metrics and claims",
            p.metrics.platform_id
        )));
    }
    let lenders = exposure::lenders(data, &claims);
    let districts = exposure::districts(data, &claims);
    Ok(Analysis {
        platforms,
        claims,
        lenders,
        districts,
        reconciliation,
    })
}

/// The plan's dates against the data's, checked right after the data are read (before any
/// work): a deadline must come after the as-of date.
pub fn check_plan_dates(config: &Config, as_of: Option<Date>) -> Result<()> {
    match (config.plan.deadline, as_of) {
        (Some(deadline), Some(as_of)) if deadline <= as_of => Err(Error::Usage(format!(
            "the deadline {deadline} is not after the as-of date {as_of}"
        ))),
        _ => Ok(()),
    }
}

/// The staged exit plan of the analysed platforms.
pub fn make_plan(analysis: &Analysis, config: &Config, as_of: Option<Date>) -> Result<plan::Plan> {
    let Some(as_of) = as_of else {
        if analysis.platforms.is_empty() {
            // Nothing to plan and no date to plan from: an empty plan.
            let capacity = plan::Capacity::of(&config.plan);
            return Ok(plan::Plan {
                entries: Vec::new(),
                stages: Vec::new(),
                configured: capacity,
                capacity,
                deadline: config.plan.deadline,
            });
        }
        return Err(DataProblem::NoAsOf.into());
    };
    let inputs = analysis
        .platforms
        .iter()
        .map(|p| plan::PlatformInput {
            platform_id: p.metrics.platform_id.clone(),
            name: p.metrics.name.clone(),
            district: p.metrics.district.clone(),
            class: p.class.class,
            subclass: p.class.subclass,
            lender_outstanding: p.metrics.lender_outstanding,
            lenders_current: p.metrics.lenders_current,
            last_loan_maturity: p.metrics.last_loan_maturity,
        })
        .collect();
    check_plan_dates(config, Some(as_of))?;
    Ok(plan::plan(inputs, &config.plan, as_of))
}
