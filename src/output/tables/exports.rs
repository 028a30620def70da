//! The Parquet exports of docs/outputs.md, one function per file: platforms, claims, lenders,
//! districts, plan, plan_stages, payouts, payout_rounds. Money Decimal(18,2) yuan, dates Date,
//! ratios Float64; rows sorted by their keys in byte order (nulls first); big files written a
//! row group at a time, so memory holds one slice of lender ids, never the whole column.

use std::borrow::Cow;

use rayon::prelude::*;

use crate::error::Result;
use crate::input::data::InputData;
use crate::output::tables::parquet::{self, Export, Kind, ReasonItem, StepItem};
use crate::output::Staging;
use crate::payout::rounds::{Payouts, ReturnedTransfer};
use crate::rules::exposure::{LenderRow, BANDS};
use crate::rules::metrics::ratio;
use crate::rules::plan::{Entry, Plan};
use crate::rules::Analysis;

/// How lenders are named in the exports: their ids, or keyed pseudonyms (`--pseudonymize`),
/// and the order they sort in under those names.
pub struct LenderNames<'a> {
    data: &'a InputData,
    pseudonyms: Option<Vec<String>>,
    rank: Cow<'a, [u32]>,
}

impl<'a> LenderNames<'a> {
    pub fn new(
        data: &'a InputData,
        pseudonyms: Option<&crate::output::folder::manifest::Pseudonymizer>,
    ) -> LenderNames<'a> {
        let lenders = &data.lenders;
        match pseudonyms {
            None => LenderNames {
                data,
                pseudonyms: None,
                rank: Cow::Borrowed(&lenders.rank),
            },
            Some(p) => {
                let names: Vec<String> = (0..lenders.len() as u32)
                    .into_par_iter()
                    .map(|c| p.pseudonym(lenders.ids.get(c)))
                    .collect();
                let mut order: Vec<u32> = (0..names.len() as u32).collect();
                order.par_sort_unstable_by(|a, b| {
                    names[*a as usize]
                        .as_bytes()
                        .cmp(names[*b as usize].as_bytes())
                });
                let mut rank = vec![0u32; order.len()];
                for (r, c) in order.iter().enumerate() {
                    rank[*c as usize] = r as u32;
                }
                LenderNames {
                    data,
                    pseudonyms: Some(names),
                    rank: Cow::Owned(rank),
                }
            }
        }
    }

    pub fn name(&self, code: u32) -> &str {
        match &self.pseudonyms {
            Some(p) => &p[code as usize],
            None => self.data.lenders.ids.get(code),
        }
    }

    pub fn rank(&self, code: u32) -> u32 {
        self.rank[code as usize]
    }

    pub fn pseudonymized(&self) -> bool {
        self.pseudonyms.is_some()
    }
}

/// platforms.parquet: one row per platform (sorted by platform_id), every §3 metric, the class
/// and its reasons, and the §4 roll-ups.
pub fn platforms(staging: &Staging, a: &Analysis) -> Result<()> {
    let mut schema: Vec<(&'static str, Kind)> = vec![
        ("platform_id", Kind::Text),
        ("name", Kind::Text),
        ("district", Kind::Text),
        ("class", Kind::Text),
        ("class_zh", Kind::Text),
        ("subclass", Kind::Text),
        ("subclass_zh", Kind::Text),
        ("refer_to_illegal_fundraising_unit", Kind::Bool),
        ("lender_outstanding", Kind::Money),
        ("lenders_current", Kind::Int),
        ("lenders_total", Kind::Int),
        ("loan_outstanding", Kind::Money),
        ("borrowers_current", Kind::Int),
        ("overdue_amount", Kind::Money),
        ("overdue_90_amount", Kind::Money),
        ("overdue_90_ratio", Kind::Ratio),
        ("top1_borrower_share", Kind::Ratio),
        ("top10_borrower_share", Kind::Ratio),
        ("related_party_share", Kind::Ratio),
        ("funding_gap", Kind::Money),
        ("funding_gap_ratio", Kind::Ratio),
        ("last_new_loan_on", Kind::Date),
        ("months_since_new_loan", Kind::Int),
        ("borrower_cap_breach_share", Kind::Ratio),
        ("maturity_mismatch_share", Kind::Ratio),
        ("expected_recovery", Kind::Money),
        ("total_claim", Kind::Money),
        ("pool_claim", Kind::Money),
        ("expected_payout_ratio", Kind::Ratio),
        ("claim_lenders", Kind::Int),
    ];
    for band in BANDS {
        schema.push((band.lenders, Kind::Int));
        schema.push((band.claim, Kind::Money));
    }
    schema.extend([
        ("top1_lender_share", Kind::Ratio),
        ("top10_lender_share", Kind::Ratio),
        ("claim_hhi", Kind::Ratio),
        ("claim_median", Kind::Money),
        ("net_winners", Kind::Int),
        ("net_winner_total", Kind::Money),
        ("reasons", Kind::Reasons),
        ("reason_zh", Kind::Text),
        ("reason_en", Kind::Text),
    ]);
    let p = &a.platforms;
    let m = || p.iter().map(|r| &r.metrics);
    let c = || p.iter().map(|r| &r.class);
    let x = || p.iter().map(|r| &r.exposure);
    let mut columns = vec![
        parquet::text(m().map(|m| Some(m.platform_id.as_str()))),
        parquet::text(m().map(|m| Some(m.name.as_str()))),
        parquet::text(m().map(|m| Some(m.district.as_str()))),
        parquet::text(c().map(|c| Some(c.class.code()))),
        parquet::text(c().map(|c| Some(c.class.zh()))),
        parquet::text(c().map(|c| c.subclass.map(|s| s.code()))),
        parquet::text(c().map(|c| c.subclass.map(|s| s.zh()))),
        parquet::bools(c().map(|c| Some(c.refer_to_illegal_fundraising_unit))),
        parquet::money(
            "lender_outstanding",
            m().map(|m| Some(m.lender_outstanding)),
        )?,
        parquet::ints(m().map(|m| Some(m.lenders_current))),
        parquet::ints(m().map(|m| Some(m.lenders_total))),
        parquet::money("loan_outstanding", m().map(|m| Some(m.loan_outstanding)))?,
        parquet::ints(m().map(|m| Some(m.borrowers_current))),
        parquet::money("overdue_amount", m().map(|m| Some(m.overdue_amount)))?,
        parquet::money("overdue_90_amount", m().map(|m| Some(m.overdue_90_amount)))?,
        parquet::ratios(m().map(|m| Some(ratio(m.overdue_90_amount, m.loan_outstanding)))),
        parquet::ratios(m().map(|m| Some(ratio(m.top1_borrower_amount, m.loan_outstanding)))),
        parquet::ratios(m().map(|m| Some(ratio(m.top10_borrower_amount, m.loan_outstanding)))),
        parquet::ratios(m().map(|m| Some(ratio(m.related_party_amount, m.loan_outstanding)))),
        parquet::money("funding_gap", m().map(|m| Some(m.funding_gap())))?,
        parquet::ratios(m().map(|m| Some(ratio(m.funding_gap(), m.lender_outstanding)))),
        parquet::dates(m().map(|m| m.last_new_loan_on)),
        parquet::ints(m().map(|m| m.months_since_new_loan.map(i64::from))),
        parquet::ratios(m().map(|m| Some(ratio(m.cap_breach_amount, m.loan_outstanding)))),
        parquet::ratios(m().map(|m| Some(ratio(m.mismatch_amount, m.linked_amount)))),
        parquet::money("expected_recovery", m().map(|m| Some(m.expected_recovery)))?,
        parquet::money("total_claim", x().map(|x| Some(x.total_claim)))?,
        parquet::money("pool_claim", x().map(|x| Some(x.pool_claim)))?,
        parquet::ratios(p.iter().map(|r| {
            (r.exposure.total_claim != 0)
                .then(|| ratio(r.metrics.expected_recovery, r.exposure.total_claim))
        })),
        parquet::ints(x().map(|x| Some(x.claim_lenders))),
    ];
    for (i, band) in BANDS.iter().enumerate() {
        columns.push(parquet::ints(x().map(|x| Some(x.bands[i].0))));
        columns.push(parquet::money(band.claim, x().map(|x| Some(x.bands[i].1)))?);
    }
    let reasons: Vec<Vec<ReasonItem>> = c()
        .map(|c| {
            c.reasons
                .iter()
                .map(|r| ReasonItem {
                    rule: r.rule,
                    value: r.value,
                    threshold: r.threshold,
                    fired: r.fired,
                })
                .collect()
        })
        .collect();
    columns.extend([
        parquet::ratios(x().map(|x| Some(ratio(x.top1_lender_claim, x.total_claim)))),
        parquet::ratios(x().map(|x| Some(ratio(x.top10_lender_claim, x.total_claim)))),
        parquet::ratios(x().map(|x| Some(x.claim_hhi))),
        parquet::money("claim_median", x().map(|x| x.claim_median))?,
        parquet::ints(x().map(|x| Some(x.net_winners))),
        parquet::money("net_winner_total", x().map(|x| Some(x.net_winner_total)))?,
        parquet::reason_lists(&reasons),
        parquet::text(c().map(|c| Some(c.reason_zh.as_str()))),
        parquet::text(c().map(|c| Some(c.reason_en.as_str()))),
    ]);
    let mut out = Export::create(staging, "platforms.parquet", &schema, &["platform_id"])?;
    out.write(columns)?;
    out.finish(staging)
}

/// The rows of a table sorted by (platform id, lender name) under `names`: the positions'
/// own order, or re-sorted within each platform when lenders are pseudonymised.
/// `None`: the positions' own order already is.
fn by_platform_then_lender(data: &InputData, names: &LenderNames) -> Option<Vec<usize>> {
    if !names.pseudonymized() {
        return None;
    }
    let pos = &data.positions;
    let mut order: Vec<usize> = (0..pos.len()).collect();
    for code in data.platforms.by_id() {
        let range = pos.ranges[code as usize].clone();
        order[range].sort_unstable_by_key(|&i| names.rank(pos.lender[i]));
    }
    Some(order)
}

/// Row indices in output order, a row group at a time: `0..n`, or a permutation of it when
/// one was needed (never materialising the identity: 100 million rows nationally).
fn in_slices(
    n: usize,
    permutation: Option<&[usize]>,
    mut each: impl FnMut(&[usize]) -> Result<()>,
) -> Result<()> {
    let size = parquet::row_group_rows();
    match permutation {
        Some(p) => {
            for slice in p.chunks(size) {
                each(slice)?;
            }
        }
        None => {
            let mut slice = Vec::with_capacity(size.min(n));
            let mut start = 0;
            while start < n {
                slice.clear();
                slice.extend(start..(start + size).min(n));
                each(&slice)?;
                start += size;
            }
        }
    }
    Ok(())
}

/// claims.parquet: every lender × platform position with its claim.
pub fn claims(
    staging: &Staging,
    data: &InputData,
    a: &Analysis,
    names: &LenderNames,
) -> Result<()> {
    let schema = [
        ("platform_id", Kind::Text),
        ("lender_id", Kind::Text),
        ("invested", Kind::Money),
        ("principal_returned", Kind::Money),
        ("returns_received", Kind::Money),
        ("outstanding", Kind::Money),
        ("basis", Kind::Text),
        ("claim", Kind::Money),
        ("net_winner_amount", Kind::Money),
        ("status", Kind::Text),
        ("class", Kind::Text),
        ("class_zh", Kind::Text),
    ];
    let mut out = Export::create(
        staging,
        "claims.parquet",
        &schema,
        &["platform_id", "lender_id"],
    )?;
    let pos = &data.positions;
    let cl = &a.claims;
    let order = by_platform_then_lender(data, names);
    in_slices(pos.len(), order.as_deref(), |slice| {
        let platform = |i: &usize| pos.platform[*i] as usize;
        out.write(vec![
            parquet::text(
                slice
                    .iter()
                    .map(|i| Some(data.platforms.ids[platform(i)].as_str())),
            ),
            parquet::text(slice.iter().map(|i| Some(names.name(pos.lender[*i])))),
            parquet::money(
                "invested",
                slice.iter().map(|i| Some(pos.sums[*i].invested)),
            )?,
            parquet::money(
                "principal_returned",
                slice.iter().map(|i| Some(pos.sums[*i].principal_returned)),
            )?,
            parquet::money(
                "returns_received",
                slice.iter().map(|i| Some(pos.sums[*i].returns_received)),
            )?,
            parquet::money(
                "outstanding",
                slice.iter().map(|i| Some(pos.sums[*i].outstanding())),
            )?,
            parquet::text(slice.iter().map(|i| Some(cl.basis[platform(i)].code()))),
            parquet::money("claim", slice.iter().map(|i| Some(cl.claim[*i])))?,
            parquet::money(
                "net_winner_amount",
                slice.iter().map(|i| Some(cl.net_winner[*i])),
            )?,
            parquet::text(slice.iter().map(|i| Some(cl.status[*i].code()))),
            parquet::text(slice.iter().map(|i| Some(cl.class[platform(i)].code()))),
            parquet::text(slice.iter().map(|i| Some(cl.class[platform(i)].zh()))),
        ])
    })?;
    out.finish(staging)
}

/// lenders.parquet: lenders with a position, sorted by lender_id.
pub fn lenders(
    staging: &Staging,
    data: &InputData,
    a: &Analysis,
    names: &LenderNames,
) -> Result<()> {
    let schema = [
        ("lender_id", Kind::Text),
        ("district", Kind::Text),
        ("platforms", Kind::Int),
        ("failed_platforms", Kind::Int),
        ("total_claim", Kind::Money),
    ];
    let mut rows: Vec<&LenderRow> = a.lenders.iter().collect();
    if names.pseudonymized() {
        rows.par_sort_unstable_by_key(|r| names.rank(r.code));
    }
    let mut out = Export::create(staging, "lenders.parquet", &schema, &["lender_id"])?;
    for slice in rows.chunks(parquet::row_group_rows()) {
        out.write(vec![
            parquet::text(slice.iter().map(|r| Some(names.name(r.code)))),
            parquet::text(slice.iter().map(|r| data.lenders.district(r.code))),
            parquet::ints(slice.iter().map(|r| Some(r.platforms))),
            parquet::ints(slice.iter().map(|r| Some(r.failed_platforms))),
            parquet::money("total_claim", slice.iter().map(|r| Some(r.total_claim)))?,
        ])?;
    }
    out.finish(staging)
}

/// districts.parquet: lenders and claims per district × class.
pub fn districts(staging: &Staging, a: &Analysis) -> Result<()> {
    let schema = [
        ("district", Kind::Text),
        ("class", Kind::Text),
        ("class_zh", Kind::Text),
        ("lenders", Kind::Int),
        ("claims", Kind::Money),
    ];
    let d = &a.districts;
    let mut out = Export::create(
        staging,
        "districts.parquet",
        &schema,
        &["district", "class"],
    )?;
    out.write(vec![
        parquet::text(d.iter().map(|r| r.district.as_deref())),
        parquet::text(d.iter().map(|r| Some(r.class.code()))),
        parquet::text(d.iter().map(|r| Some(r.class.zh()))),
        parquet::ints(d.iter().map(|r| Some(r.lenders))),
        parquet::money("claims", d.iter().map(|r| Some(r.claims)))?,
    ])?;
    out.finish(staging)
}

/// plan.parquet, sorted by platform_id.
pub fn plan(staging: &Staging, plan: &Plan) -> Result<()> {
    let schema = [
        ("platform_id", Kind::Text),
        ("name", Kind::Text),
        ("district", Kind::Text),
        ("class", Kind::Text),
        ("class_zh", Kind::Text),
        ("subclass", Kind::Text),
        ("action", Kind::Text),
        ("action_zh", Kind::Text),
        ("responsible_units", Kind::TextList),
        ("stage", Kind::Int),
        ("start_on", Kind::Date),
        ("complete_by", Kind::Date),
        ("order_rank", Kind::Int),
        ("lender_outstanding", Kind::Money),
        ("lenders_current", Kind::Int),
        ("steps", Kind::Steps),
        ("at_risk", Kind::Bool),
        ("at_risk_reason", Kind::Text),
        ("at_risk_reason_zh", Kind::Text),
    ];
    let mut entries: Vec<&Entry> = plan.entries.iter().collect();
    entries.sort_by(|a, b| {
        a.input
            .platform_id
            .as_bytes()
            .cmp(b.input.platform_id.as_bytes())
    });
    let e = || entries.iter();
    let steps: Vec<Vec<StepItem>> = e()
        .map(|x| {
            x.steps
                .iter()
                .map(|s| StepItem {
                    step: s.step,
                    step_zh: s.step_zh,
                    due_on: s.due_on,
                })
                .collect()
        })
        .collect();
    let mut out = Export::create(staging, "plan.parquet", &schema, &["platform_id"])?;
    out.write(vec![
        parquet::text(e().map(|x| Some(x.input.platform_id.as_str()))),
        parquet::text(e().map(|x| Some(x.input.name.as_str()))),
        parquet::text(e().map(|x| Some(x.input.district.as_str()))),
        parquet::text(e().map(|x| Some(x.input.class.code()))),
        parquet::text(e().map(|x| Some(x.input.class.zh()))),
        parquet::text(e().map(|x| x.input.subclass.map(|s| s.code()))),
        parquet::text(e().map(|x| Some(x.action))),
        parquet::text(e().map(|x| Some(x.action_zh))),
        parquet::text_lists(e().map(|x| x.responsible_units.as_slice())),
        parquet::ints(e().map(|x| Some(i64::from(x.stage)))),
        parquet::dates(e().map(|x| Some(x.start_on))),
        parquet::dates(e().map(|x| Some(x.complete_by))),
        parquet::ints(e().map(|x| Some(x.order_rank))),
        parquet::money(
            "lender_outstanding",
            e().map(|x| Some(x.input.lender_outstanding)),
        )?,
        parquet::ints(e().map(|x| Some(x.input.lenders_current))),
        parquet::step_lists(&steps),
        // Null without a deadline; with one, whether the platform cannot finish by it.
        parquet::bools(e().map(|x| plan.deadline.map(|_| x.at_risk.is_some()))),
        parquet::text(e().map(|x| x.at_risk.as_ref().map(|r| r.reason.as_str()))),
        parquet::text(e().map(|x| x.at_risk.as_ref().map(|r| r.reason_zh.as_str()))),
    ])?;
    out.finish(staging)
}

/// plan_stages.parquet: stage 0 is the start, then each stage end.
pub fn plan_stages(staging: &Staging, plan: &Plan) -> Result<()> {
    let schema = [
        ("stage", Kind::Int),
        ("ends_on", Kind::Date),
        ("platforms", Kind::Int),
        ("lenders", Kind::Int),
        ("outstanding", Kind::Money),
        ("platforms_remaining", Kind::Int),
        ("outstanding_remaining", Kind::Money),
        ("lenders_remaining", Kind::Int),
        ("platforms_remaining_pct", Kind::Ratio),
        ("outstanding_remaining_pct", Kind::Ratio),
        ("lenders_remaining_pct", Kind::Ratio),
        ("targets", Kind::TextList),
        ("targets_met", Kind::Bool),
        ("deadline", Kind::Date),
        ("capacity_platforms", Kind::Int),
        ("capacity_lenders", Kind::Int),
        ("capacity_outstanding", Kind::Money),
        ("configured_platforms", Kind::Int),
        ("configured_lenders", Kind::Int),
        ("configured_outstanding", Kind::Money),
    ];
    let s = || plan.stages.iter();
    let targets: Vec<Vec<String>> = s()
        .map(|x| x.targets.iter().map(|t| t.0.clone()).collect())
        .collect();
    let mut out = Export::create(staging, "plan_stages.parquet", &schema, &["stage"])?;
    out.write(vec![
        parquet::ints(s().map(|x| Some(i64::from(x.stage)))),
        parquet::dates(s().map(|x| Some(x.ends_on))),
        parquet::ints(s().map(|x| Some(x.platforms))),
        parquet::ints(s().map(|x| Some(x.lenders))),
        parquet::money("outstanding", s().map(|x| Some(x.outstanding)))?,
        parquet::ints(s().map(|x| Some(x.platforms_remaining))),
        parquet::money(
            "outstanding_remaining",
            s().map(|x| Some(x.outstanding_remaining)),
        )?,
        parquet::ints(s().map(|x| Some(x.lenders_remaining))),
        parquet::ratios(s().map(|x| Some(x.platforms_remaining_pct))),
        parquet::ratios(s().map(|x| Some(x.outstanding_remaining_pct))),
        parquet::ratios(s().map(|x| Some(x.lenders_remaining_pct))),
        parquet::text_lists(targets.iter().map(Vec::as_slice)),
        parquet::bools(s().map(|x| (!x.targets.is_empty()).then(|| x.targets.iter().all(|t| t.1)))),
        parquet::dates(s().map(|_| plan.deadline)),
        // Stage 0 (the start) has no capacity.
        parquet::ints(s().map(|x| (x.stage > 0).then_some(plan.capacity.platforms).flatten())),
        parquet::ints(s().map(|x| (x.stage > 0).then_some(plan.capacity.lenders).flatten())),
        parquet::money(
            "capacity_outstanding",
            s().map(|x| (x.stage > 0).then_some(plan.capacity.outstanding).flatten()),
        )?,
        parquet::ints(s().map(|x| (x.stage > 0).then_some(plan.configured.platforms).flatten())),
        parquet::ints(s().map(|x| (x.stage > 0).then_some(plan.configured.lenders).flatten())),
        parquet::money(
            "configured_outstanding",
            s().map(|x| {
                (x.stage > 0)
                    .then_some(plan.configured.outstanding)
                    .flatten()
            }),
        )?,
    ])?;
    out.finish(staging)
}

/// payouts.parquet and payout_rounds.parquet.
pub fn payouts(
    staging: &Staging,
    data: &InputData,
    p: &Payouts,
    names: &LenderNames,
) -> Result<()> {
    let schema = [
        ("platform_id", Kind::Text),
        ("round", Kind::Int),
        ("lender_id", Kind::Text),
        ("status", Kind::Text),
        ("claim", Kind::Money),
        ("before", Kind::Money),
        ("paid", Kind::Money),
        ("reserved", Kind::Money),
        ("carried", Kind::Money),
        ("cumulative", Kind::Money),
        ("remaining", Kind::Money),
        ("cumulative_ratio", Kind::Ratio),
        // Added with the returns table: after the columns readers had before.
        ("returned", Kind::Money),
        ("reissued", Kind::Money),
        ("returned_total", Kind::Money),
    ];
    let r = &p.rows;
    // Rows come grouped by (platform, round) in key order; under pseudonyms each group is
    // re-sorted by the lenders' new names.
    let mut order: Option<Vec<usize>> = None;
    if names.pseudonymized() {
        let order = order.insert((0..r.len()).collect::<Vec<usize>>());
        let mut start = 0;
        while start < order.len() {
            let key = (r.platform[start], r.round[start]);
            let mut end = start;
            while end < order.len() && (r.platform[end], r.round[end]) == key {
                end += 1;
            }
            order[start..end].sort_unstable_by_key(|&i| names.rank(r.lender[i]));
            start = end;
        }
    }
    let mut out = Export::create(
        staging,
        "payouts.parquet",
        &schema,
        &["platform_id", "round", "lender_id"],
    )?;
    in_slices(r.len(), order.as_deref(), |slice| {
        let cumulative = |i: &usize| r.before[*i] + r.given(*i);
        let status = |i: &usize| {
            if r.returns(*i).returned > 0 {
                "returned"
            } else {
                r.status[*i].code()
            }
        };
        out.write(vec![
            parquet::text(
                slice
                    .iter()
                    .map(|i| Some(data.platforms.ids[r.platform[*i] as usize].as_str())),
            ),
            parquet::ints(slice.iter().map(|i| Some(r.round[*i]))),
            parquet::text(slice.iter().map(|i| Some(names.name(r.lender[*i])))),
            parquet::text(slice.iter().map(|i| Some(status(i)))),
            parquet::money("claim", slice.iter().map(|i| Some(r.claim[*i])))?,
            parquet::money("before", slice.iter().map(|i| Some(r.before[*i])))?,
            parquet::money("paid", slice.iter().map(|i| Some(r.paid[*i])))?,
            parquet::money("reserved", slice.iter().map(|i| Some(r.reserved[*i])))?,
            parquet::money("carried", slice.iter().map(|i| Some(r.carried[*i])))?,
            parquet::money("cumulative", slice.iter().map(|i| Some(cumulative(i))))?,
            parquet::money(
                "remaining",
                slice.iter().map(|i| Some(r.claim[*i] - cumulative(i))),
            )?,
            parquet::ratios(
                slice
                    .iter()
                    .map(|i| Some(cumulative(i) as f64 / r.claim[*i] as f64)),
            ),
            parquet::money(
                "returned",
                slice.iter().map(|i| Some(r.returns(*i).returned)),
            )?,
            parquet::money(
                "reissued",
                slice.iter().map(|i| Some(r.returns(*i).reissued)),
            )?,
            parquet::money(
                "returned_total",
                slice.iter().map(|i| Some(r.returns(*i).total)),
            )?,
        ])
    })?;
    out.finish(staging)?;

    let schema = [
        ("platform_id", Kind::Text),
        ("round", Kind::Int),
        ("pool", Kind::Money),
        ("paid", Kind::Money),
        ("reserved", Kind::Money),
        ("carried", Kind::Money),
        ("surplus", Kind::Money),
        ("lenders", Kind::Int),
        ("lenders_paid", Kind::Int),
        ("level", Kind::Ratio),
        ("returned", Kind::Money),
        ("reissued", Kind::Money),
    ];
    let rounds = &p.rounds;
    let x = || rounds.iter();
    let mut out = Export::create(
        staging,
        "payout_rounds.parquet",
        &schema,
        &["platform_id", "round"],
    )?;
    out.write(vec![
        parquet::text(x().map(|r| Some(data.platforms.ids[r.platform as usize].as_str()))),
        parquet::ints(x().map(|r| Some(r.round))),
        parquet::money("pool", x().map(|r| Some(r.pool)))?,
        parquet::money("paid", x().map(|r| Some(r.paid)))?,
        parquet::money("reserved", x().map(|r| Some(r.reserved)))?,
        parquet::money("carried", x().map(|r| Some(r.carried)))?,
        parquet::money("surplus", x().map(|r| Some(r.surplus)))?,
        parquet::ints(x().map(|r| Some(r.lenders))),
        parquet::ints(x().map(|r| Some(r.lenders_paid))),
        parquet::ratios(x().map(|r| r.level)),
        parquet::money("returned", x().map(|r| Some(r.returned)))?,
        parquet::money("reissued", x().map(|r| Some(r.reissued)))?,
    ])?;
    out.finish(staging)?;
    if !p.returned.is_empty() {
        returned_transfers(staging, data, &p.returned, names)?;
    }
    Ok(())
}

/// returned_transfers.parquet: per platform, round and lender with returns, what came back and
/// what became of it — held (and why) or sent again now.
fn returned_transfers(
    staging: &Staging,
    data: &InputData,
    returned: &[ReturnedTransfer],
    names: &LenderNames,
) -> Result<()> {
    let schema = [
        ("platform_id", Kind::Text),
        ("round", Kind::Int),
        ("lender_id", Kind::Text),
        ("returned_total", Kind::Money),
        ("booked_now", Kind::Money),
        ("held", Kind::Money),
        ("reissued", Kind::Money),
        ("last_returned_on", Kind::Date),
        ("disposition", Kind::Text),
        ("reason", Kind::Text),
        ("reason_zh", Kind::Text),
    ];
    let mut rows: Vec<&ReturnedTransfer> = returned.iter().collect();
    let platform = |code: u32| data.platforms.ids[code as usize].as_str();
    rows.sort_by(|a, b| {
        (
            platform(a.platform).as_bytes(),
            a.round,
            names.rank(a.lender),
        )
            .cmp(&(
                platform(b.platform).as_bytes(),
                b.round,
                names.rank(b.lender),
            ))
    });
    let mut out = Export::create(
        staging,
        "returned_transfers.parquet",
        &schema,
        &["platform_id", "round", "lender_id"],
    )?;
    let x = || rows.iter();
    out.write(vec![
        parquet::text(x().map(|t| Some(platform(t.platform)))),
        parquet::ints(x().map(|t| Some(t.round))),
        parquet::text(x().map(|t| Some(names.name(t.lender)))),
        parquet::money("returned_total", x().map(|t| Some(t.total)))?,
        parquet::money("booked_now", x().map(|t| Some(t.booked_now)))?,
        parquet::money("held", x().map(|t| Some(t.held)))?,
        parquet::money("reissued", x().map(|t| Some(t.reissued)))?,
        parquet::dates(x().map(|t| Some(t.last_returned_on))),
        parquet::text(x().map(|t| Some(t.disposition().0))),
        parquet::text(x().map(|t| Some(t.disposition().1))),
        parquet::text(x().map(|t| Some(t.disposition().2))),
    ])?;
    out.finish(staging)
}
