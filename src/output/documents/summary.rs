//! summary.json (counts and money by class and district, claim bands, the 三降 curve, payouts,
//! payout ratio per platform) and report.html from the same figures.

use crate::domain::class::Class;
use crate::domain::code::PlatformCode;
use crate::domain::money::format_fen_wide as yuan;
use crate::error::Result;
use crate::input::Validated;
use crate::output::folder::records::{
    AtRiskPlatform, BandFigures, CapacityFigures, ClassFigures, DeadlineFigures, DistrictFigures,
    PayoutTotals, PlatformPayoutRatio, RowCounts, StageFigures, Summary, TargetMet,
};
use crate::output::Staging;
use crate::payout::rounds::Payouts;
use crate::rules::exposure::BANDS;
use crate::rules::plan::Plan;
use crate::rules::Analysis;

/// Per platform with payouts: (platform, total claim, paid + reserved over every round, ratio).
pub fn payout_ratios(
    analysis: &Analysis,
    payouts: &Payouts,
) -> Vec<(String, i64, i64, Option<f64>)> {
    let mut given: std::collections::BTreeMap<PlatformCode, i64> =
        std::collections::BTreeMap::new();
    let r = &payouts.rows;
    // The rows come platform by platform: each run summed on its own, and the map touched once
    // a run rather than once a row (4.8 million lookups in the province's payouts). What is
    // given is never negative, so the sums saturate as a row-by-row sum would.
    let mut add = |platform, sum: i64| {
        let g = given.entry(platform).or_default();
        *g = g.saturating_add(sum);
    };
    let mut run: Option<(PlatformCode, i64)> = None;
    for i in 0..r.len() {
        let platform = r.platform(i);
        // A returned transfer is held for the lender, like a reserve.
        let g = r.given(i).get();
        match &mut run {
            Some((p, sum)) if *p == platform => *sum = sum.saturating_add(g),
            _ => {
                if let Some((p, sum)) = run.replace((platform, g)) {
                    add(p, sum);
                }
            }
        }
    }
    if let Some((p, sum)) = run {
        add(p, sum);
    }
    analysis
        .platforms
        .iter()
        .filter_map(|p| {
            let g = *given.get(&p.metrics.code)?;
            let total = p.exposure.total_claim.get();
            Some((
                p.metrics.platform_id.clone(),
                total,
                g,
                (total > 0).then(|| g as f64 / total as f64),
            ))
        })
        .collect()
}

/// The five classes' figures, in the work plan's order.
pub fn class_figures(analysis: &Analysis) -> Vec<ClassFigures> {
    Class::WORK_PLAN
        .into_iter()
        .map(|class| {
            let t = crate::rules::ClassTotals::of(&analysis.platforms, class);
            ClassFigures {
                class: class.code().to_string(),
                class_zh: class.zh().to_string(),
                platforms: t.platforms,
                lender_outstanding: yuan(t.lender_outstanding),
                loan_outstanding: yuan(t.loan_outstanding),
                lenders_current: t.lenders_current,
                total_claim: yuan(t.total_claim),
                expected_recovery: yuan(t.expected_recovery),
            }
        })
        .collect()
}

/// The plan's stages, stage 0 being the start.
pub fn stage_figures(plan: &Plan) -> Vec<StageFigures> {
    plan.stages
        .iter()
        .map(|s| StageFigures {
            stage: s.stage,
            ends_on: s.ends_on.to_string(),
            platforms_remaining: s.platforms_remaining,
            outstanding_remaining: yuan(s.outstanding_remaining.into()),
            lenders_remaining: s.lenders_remaining,
            platforms_remaining_pct: s.platforms_remaining_pct,
            outstanding_remaining_pct: s.outstanding_remaining_pct,
            lenders_remaining_pct: s.lenders_remaining_pct,
            targets: s
                .targets
                .iter()
                .map(|t| TargetMet {
                    target: t.0.clone(),
                    met: t.1,
                })
                .collect(),
        })
        .collect()
}

/// The plan against its deadline, when it has one.
pub fn deadline_figures(plan: &Plan) -> Option<DeadlineFigures> {
    plan.deadline.map(|d| {
        let capacity = |c: &crate::rules::plan::Capacity| CapacityFigures {
            platforms: c.platforms,
            lenders: c.lenders,
            outstanding: c.outstanding.map(|o| yuan(o.into())),
        };
        DeadlineFigures {
            deadline: d.to_string(),
            configured: capacity(&plan.configured),
            required: capacity(&plan.capacity),
            on_time: plan.entries.iter().filter(|e| e.at_risk.is_none()).count() as u64,
            at_risk: plan
                .at_risk()
                .map(|(e, r)| AtRiskPlatform {
                    platform_id: e.input.platform_id.clone(),
                    name: e.input.name.clone(),
                    class: e.input.class.code().to_string(),
                    earliest: r.earliest.to_string(),
                    reason: r.reason.clone(),
                    reason_zh: r.reason_zh.clone(),
                })
                .collect(),
        }
    })
}

/// The payout rounds added up: every round on the ledger, or (`computed_only`) only the rounds
/// computed in this run.
pub fn payout_totals(payouts: &Payouts, computed_only: bool) -> PayoutTotals {
    let rounds: Vec<&crate::payout::rounds::RoundRow> = payouts
        .rounds
        .iter()
        .filter(|r| r.computed || !computed_only)
        .collect();
    let rsum = |f: fn(&crate::payout::rounds::RoundRow) -> i64| {
        yuan(rounds.iter().map(|r| i128::from(f(r))).sum::<i128>())
    };
    PayoutTotals {
        rounds: rounds.len() as u64,
        pool: rsum(|r| r.pool.get()),
        paid: rsum(|r| r.paid.get()),
        reserved: rsum(|r| r.reserved.get()),
        carried: rsum(|r| r.carried.get()),
        returned: rsum(|r| r.returned.get()),
        reissued: rsum(|r| r.reissued.get()),
        surplus: rsum(|r| r.surplus.get()),
    }
}

/// summary.json.
pub fn summary_json(
    validated: &Validated,
    analysis: &Analysis,
    plan: &Plan,
    payouts: &Payouts,
) -> Summary {
    let by_class = class_figures(analysis);
    let mut districts: std::collections::BTreeMap<&str, (u64, i128, i64)> =
        std::collections::BTreeMap::new();
    for p in &analysis.platforms {
        let d = districts.entry(p.metrics.district.as_str()).or_default();
        d.0 += 1;
        d.1 += i128::from(p.metrics.lender_outstanding);
        d.2 += p.metrics.lenders_current;
    }
    let mut claim_bands = Vec::new();
    for (i, band) in BANDS.iter().enumerate() {
        let lenders: i64 = analysis
            .platforms
            .iter()
            .map(|r| r.exposure.bands[i].0)
            .sum();
        let claim: i128 = analysis
            .platforms
            .iter()
            .map(|r| i128::from(r.exposure.bands[i].1))
            .sum();
        claim_bands.push(BandFigures {
            band: band.name.to_string(),
            lenders,
            claim: yuan(claim),
        });
    }
    Summary {
        as_of: validated.report.as_of.map(|d| d.to_string()),
        rows: RowCounts {
            read: validated.report.tables.values().map(|t| t.read).sum(),
            rejected: validated.report.total_rejected(),
        },
        platforms: analysis.platforms.len() as u64,
        by_class,
        by_district: districts
            .iter()
            .map(|(d, (n, o, l))| DistrictFigures {
                district: d.to_string(),
                platforms: *n,
                lender_outstanding: yuan(*o),
                lenders_current: *l,
            })
            .collect(),
        claim_bands,
        plan: stage_figures(plan),
        deadline: deadline_figures(plan),
        payouts: payout_totals(payouts, false),
        payout_ratio: payout_ratios(analysis, payouts)
            .into_iter()
            .map(|(p, claim, given, ratio)| PlatformPayoutRatio {
                platform_id: p,
                total_claim: yuan(claim.into()),
                paid_and_reserved: yuan(given.into()),
                ratio,
            })
            .collect(),
    }
}

/// summary.json and report.html.
pub fn write_summary_and_report(
    staging: &Staging,
    validated: &Validated,
    analysis: &Analysis,
    plan: &Plan,
    payouts: &Payouts,
) -> Result<()> {
    let summary = summary_json(validated, analysis, plan, payouts);
    staging.write("summary.json", &crate::output::json_bytes(&summary)?)?;
    let input = crate::output::documents::report::ReportInput {
        as_of: validated.report.as_of,
        rows_read: validated.report.tables.values().map(|t| t.read).sum(),
        rows_rejected: validated.report.total_rejected(),
        platforms: &analysis.platforms,
        plan,
        districts: analysis
            .districts
            .iter()
            .map(|d| {
                (
                    d.district.clone(),
                    d.class.code().to_string(),
                    d.lenders,
                    d.claims,
                )
            })
            .collect(),
        payout_ratios: payout_ratios(analysis, payouts),
    };
    staging.write(
        "report.html",
        crate::output::documents::report::html(&input)?.as_bytes(),
    )
}
