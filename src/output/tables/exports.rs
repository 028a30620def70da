//! The Parquet exports of docs/outputs.md, one function per file: platforms, claims, lenders,
//! districts, plan, plan_stages, payouts, payout_rounds. Money Decimal(18,2) yuan, dates Date,
//! ratios Float64; rows sorted by their keys in byte order (nulls first); big files written a
//! row group at a time, so memory holds one slice of lender ids, never the whole column.

use crate::domain::code::{ByCode, Code, LenderCode, PlatformCode};
use crate::domain::money::Fen;
use std::borrow::Cow;

use rayon::prelude::*;

use crate::domain::exports as shared;
use crate::error::Result;
use crate::input::data::{InputData, Lenders};
use crate::output::tables::column::{self, Column, Rows};
use crate::output::tables::parquet::{ReasonItem, StepItem};
use crate::output::Staging;
use crate::payout::rounds::{Payouts, ReturnedTransfer};
use crate::rules::exposure::LenderExposure;
use crate::rules::metrics::ratio;
use crate::rules::plan::{Entry, Plan};
use crate::rules::Analysis;

/// How lenders are named in the exports: their ids, or keyed pseudonyms (`--pseudonymize`),
/// and the order they sort in under those names.
pub struct LenderNames<'a> {
    lenders: &'a Lenders,
    pseudonyms: Option<ByCode<LenderCode, String>>,
    rank: Cow<'a, ByCode<LenderCode, u32>>,
}

impl<'a> LenderNames<'a> {
    pub fn new(
        lenders: &'a Lenders,
        pseudonyms: Option<&crate::output::folder::manifest::Pseudonymizer>,
    ) -> LenderNames<'a> {
        match pseudonyms {
            None => LenderNames {
                lenders,
                pseudonyms: None,
                rank: Cow::Borrowed(&lenders.rank),
            },
            Some(p) => {
                let names: ByCode<LenderCode, String> = (0..lenders.len())
                    .into_par_iter()
                    .map(|c| p.pseudonym(lenders.ids.get(LenderCode::at(c))))
                    .collect::<Vec<String>>()
                    .into();
                let mut order: Vec<LenderCode> = names.codes().collect();
                order.par_sort_unstable_by(|a, b| names[*a].as_bytes().cmp(names[*b].as_bytes()));
                let mut rank = ByCode::filled(order.len(), 0u32);
                for (r, c) in order.iter().enumerate() {
                    rank[*c] = r as u32;
                }
                LenderNames {
                    lenders,
                    pseudonyms: Some(names),
                    rank: Cow::Owned(rank),
                }
            }
        }
    }

    pub fn name(&self, code: LenderCode) -> &str {
        match &self.pseudonyms {
            Some(p) => &p[code],
            None => self.lenders.ids.get(code),
        }
    }

    pub fn rank(&self, code: LenderCode) -> u32 {
        self.rank[code]
    }

    pub fn pseudonymized(&self) -> bool {
        self.pseudonyms.is_some()
    }
}

/// platforms.parquet: one row per platform (sorted by platform_id), every §3 metric, the class
/// and its reasons, and the §4 roll-ups.
pub fn platforms(staging: &Staging, a: &Analysis) -> Result<()> {
    use crate::domain::exports::platforms as f;
    let p = &a.platforms;
    let m = |i: usize| &p[i].metrics;
    let c = |i: usize| &p[i].class;
    let x = |i: usize| &p[i].exposure;
    let share = |num: Fen, den: Fen| Some(ratio(num, den));
    let mut columns = vec![
        Column::text(&shared::PLATFORM_ID, move |i| {
            Some(m(i).platform_id.as_str())
        }),
        Column::text(&shared::NAME, move |i| Some(m(i).name.as_str())),
        Column::text(&shared::DISTRICT, move |i| Some(m(i).district.as_str())),
        Column::text(&shared::CLASS, move |i| Some(c(i).class.code())),
        Column::text(&shared::CLASS_ZH, move |i| Some(c(i).class.zh())),
        Column::text(&shared::SUBCLASS, move |i| c(i).subclass.map(|s| s.code())),
        Column::text(&f::SUBCLASS_ZH, move |i| c(i).subclass.map(|s| s.zh())),
        Column::bool(&f::REFER_TO_ILLEGAL_FUNDRAISING_UNIT, move |i| {
            Some(c(i).refer_to_illegal_fundraising_unit)
        }),
        Column::money(&shared::LENDER_OUTSTANDING, move |i| {
            Some(m(i).lender_outstanding)
        }),
        Column::int(&shared::LENDERS_CURRENT, move |i| {
            Some(m(i).lenders_current)
        }),
        Column::int(&f::LENDERS_TOTAL, move |i| Some(m(i).lenders_total)),
        Column::money(&f::LOAN_OUTSTANDING, move |i| Some(m(i).loan_outstanding)),
        Column::int(&f::BORROWERS_CURRENT, move |i| Some(m(i).borrowers_current)),
        Column::money(&f::OVERDUE_AMOUNT, move |i| Some(m(i).overdue_amount)),
        Column::money(&f::OVERDUE_90_AMOUNT, move |i| Some(m(i).overdue_90_amount)),
        Column::ratio(&f::OVERDUE_90_RATIO, move |i| {
            share(m(i).overdue_90_amount, m(i).loan_outstanding)
        }),
        Column::ratio(&f::TOP1_BORROWER_SHARE, move |i| {
            share(m(i).top1_borrower_amount, m(i).loan_outstanding)
        }),
        Column::ratio(&f::TOP10_BORROWER_SHARE, move |i| {
            share(m(i).top10_borrower_amount, m(i).loan_outstanding)
        }),
        Column::ratio(&f::RELATED_PARTY_SHARE, move |i| {
            share(m(i).related_party_amount, m(i).loan_outstanding)
        }),
        Column::money(&f::FUNDING_GAP, move |i| Some(m(i).funding_gap())),
        Column::ratio(&f::FUNDING_GAP_RATIO, move |i| {
            share(m(i).funding_gap(), m(i).lender_outstanding)
        }),
        Column::date(&f::LAST_NEW_LOAN_ON, move |i| m(i).last_new_loan_on),
        Column::int(&f::MONTHS_SINCE_NEW_LOAN, move |i| {
            m(i).months_since_new_loan.map(i64::from)
        }),
        Column::ratio(&f::BORROWER_CAP_BREACH_SHARE, move |i| {
            share(m(i).cap_breach_amount, m(i).loan_outstanding)
        }),
        Column::ratio(&f::MATURITY_MISMATCH_SHARE, move |i| {
            share(m(i).mismatch_amount, m(i).linked_amount)
        }),
        Column::money(&f::EXPECTED_RECOVERY, move |i| Some(m(i).expected_recovery)),
        Column::money(&f::TOTAL_CLAIM, move |i| Some(x(i).total_claim)),
        Column::money(&f::POOL_CLAIM, move |i| Some(x(i).pool_claim)),
        // None without claims: no ratio of nothing.
        Column::ratio(&f::EXPECTED_PAYOUT_RATIO, move |i| {
            (x(i).total_claim != Fen::ZERO).then(|| ratio(m(i).expected_recovery, x(i).total_claim))
        }),
        Column::int(&f::CLAIM_LENDERS, move |i| Some(x(i).claim_lenders)),
    ];
    for (b, (lenders, claim)) in f::BAND_COLUMNS.iter().enumerate() {
        columns.push(Column::int(lenders, move |i| Some(x(i).bands[b].0)));
        columns.push(Column::money(claim, move |i| Some(x(i).bands[b].1)));
    }
    columns.extend([
        Column::ratio(&f::TOP1_LENDER_SHARE, move |i| {
            share(x(i).top1_lender_claim, x(i).total_claim)
        }),
        Column::ratio(&f::TOP10_LENDER_SHARE, move |i| {
            share(x(i).top10_lender_claim, x(i).total_claim)
        }),
        Column::ratio(&f::CLAIM_HHI, move |i| Some(x(i).claim_hhi)),
        Column::money(&f::CLAIM_MEDIAN, move |i| x(i).claim_median),
        Column::int(&f::NET_WINNERS, move |i| Some(x(i).net_winners)),
        Column::money(&f::NET_WINNER_TOTAL, move |i| Some(x(i).net_winner_total)),
        Column::reasons(&f::REASONS, move |i| {
            c(i).reasons
                .iter()
                .map(|r| ReasonItem {
                    rule: r.rule,
                    value: r.value,
                    threshold: r.threshold,
                    fired: r.fired,
                })
                .collect()
        }),
        Column::text(&f::REASON_ZH, move |i| Some(c(i).reason_zh.as_str())),
        Column::text(&f::REASON_EN, move |i| Some(c(i).reason_en.as_str())),
    ]);
    column::write(staging, &f::EXPORT, &columns, Rows::InOrder(p.len()))
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
        let range = pos.ranges[code].clone();
        order[range].sort_unstable_by_key(|&i| names.rank(pos.lender[i]));
    }
    Some(order)
}

/// claims.parquet: every lender × platform position with its claim.
pub fn claims(
    staging: &Staging,
    data: &InputData,
    a: &Analysis,
    names: &LenderNames,
) -> Result<()> {
    use crate::domain::exports::claims as f;
    let pos = &data.positions;
    let cl = &a.claims;
    let platform = |i: usize| pos.platform(i);
    let columns = [
        Column::text(&shared::PLATFORM_ID, move |i| {
            Some(data.platforms.ids[platform(i)].as_str())
        }),
        Column::text(&shared::LENDER_ID, move |i| Some(names.name(pos.lender[i]))),
        Column::money(&f::INVESTED, move |i| Some(pos.sums.get(i).invested)),
        Column::money(&f::PRINCIPAL_RETURNED, move |i| {
            Some(pos.sums.get(i).principal_returned)
        }),
        Column::money(&f::RETURNS_RECEIVED, move |i| {
            Some(pos.sums.get(i).returns_received)
        }),
        Column::money(&f::OUTSTANDING, move |i| {
            Some(pos.sums.get(i).outstanding())
        }),
        Column::text(&f::BASIS, move |i| Some(cl.basis[platform(i)].code())),
        Column::money(&shared::CLAIM, move |i| Some(cl.claim(pos, i))),
        Column::money(&f::NET_WINNER_AMOUNT, move |i| Some(cl.net_winner(pos, i))),
        Column::text(&shared::STATUS, move |i| Some(cl.status(data, i).code())),
        Column::text(&shared::CLASS, move |i| Some(cl.class[platform(i)].code())),
        Column::text(&shared::CLASS_ZH, move |i| Some(cl.class[platform(i)].zh())),
    ];
    let order = by_platform_then_lender(data, names);
    column::write_split(
        staging,
        &f::EXPORT,
        &columns,
        Rows::of(pos.len(), order.as_deref()),
        Some(platform_district(data, move |i| pos.platform(i))),
    )
}

/// Under `--partition-by district`: a row's platform's district (属地).
fn platform_district<'a>(
    data: &'a InputData,
    platform: impl Fn(usize) -> PlatformCode + 'a,
) -> column::Split<'a> {
    column::Split {
        key: "district",
        of: Box::new(move |i| {
            data.platforms
                .districts
                .get(platform(i))
                .map(String::as_str)
        }),
    }
}

/// lenders.parquet: lenders with a position, sorted by lender_id.
pub fn lenders(
    staging: &Staging,
    data: &InputData,
    x: &LenderExposure,
    names: &LenderNames,
) -> Result<()> {
    use crate::domain::exports::lenders as f;
    // In the order of the names written: the ids', or the pseudonyms' (a copy, sorted).
    let sorted: Vec<LenderCode>;
    let codes: &[LenderCode] = if names.pseudonymized() {
        let mut by_pseudonym = x.codes.clone();
        by_pseudonym.par_sort_unstable_by_key(|c| names.rank(*c));
        sorted = by_pseudonym;
        &sorted
    } else {
        &x.codes
    };
    let r = |i: usize| codes[i];
    let columns = [
        Column::text(&shared::LENDER_ID, move |i| Some(names.name(r(i)))),
        Column::text(&f::DISTRICT, move |i| data.lenders.district(r(i))),
        Column::int(&f::PLATFORMS, move |i| Some(i64::from(x.platforms[r(i)]))),
        Column::int(&f::FAILED_PLATFORMS, move |i| {
            Some(i64::from(x.failed_platforms[r(i)]))
        }),
        Column::money(&f::TOTAL_CLAIM, move |i| Some(x.total_claim[r(i)].get())),
    ];
    // Under `--partition-by district`: the lender's own district.
    let split = column::Split {
        key: f::DISTRICT.name,
        of: Box::new(move |i| data.lenders.district(r(i))),
    };
    column::write_split(
        staging,
        &f::EXPORT,
        &columns,
        Rows::InOrder(codes.len()),
        Some(split),
    )
}

/// districts.parquet: lenders and claims per district × class.
pub fn districts(staging: &Staging, a: &Analysis) -> Result<()> {
    use crate::domain::exports::districts as f;
    let d = &a.districts;
    let columns = [
        Column::text(&f::DISTRICT, |i| d[i].district.as_deref()),
        Column::text(&shared::CLASS, |i| Some(d[i].class.code())),
        Column::text(&shared::CLASS_ZH, |i| Some(d[i].class.zh())),
        Column::int(&f::LENDERS, |i| Some(d[i].lenders)),
        Column::money(&f::CLAIMS, |i| Some(d[i].claims)),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::InOrder(d.len()))
}

/// plan.parquet, sorted by platform_id.
pub fn plan(staging: &Staging, plan: &Plan) -> Result<()> {
    use crate::domain::exports::plan as f;
    let mut entries: Vec<&Entry> = plan.entries.iter().collect();
    entries.sort_by(|a, b| {
        a.input
            .platform_id
            .as_bytes()
            .cmp(b.input.platform_id.as_bytes())
    });
    let e = |i: usize| entries[i];
    let columns = [
        Column::text(&shared::PLATFORM_ID, move |i| {
            Some(e(i).input.platform_id.as_str())
        }),
        Column::text(&shared::NAME, move |i| Some(e(i).input.name.as_str())),
        Column::text(&shared::DISTRICT, move |i| {
            Some(e(i).input.district.as_str())
        }),
        Column::text(&shared::CLASS, move |i| Some(e(i).input.class.code())),
        Column::text(&shared::CLASS_ZH, move |i| Some(e(i).input.class.zh())),
        Column::text(&shared::SUBCLASS, move |i| {
            e(i).input.subclass.map(|s| s.code())
        }),
        Column::text(&f::ACTION, move |i| Some(e(i).action)),
        Column::text(&f::ACTION_ZH, move |i| Some(e(i).action_zh)),
        Column::text_list(&f::RESPONSIBLE_UNITS, move |i| {
            e(i).responsible_units.as_slice()
        }),
        Column::int(&shared::STAGE, move |i| Some(i64::from(e(i).stage))),
        Column::date(&f::START_ON, move |i| Some(e(i).start_on)),
        Column::date(&f::COMPLETE_BY, move |i| Some(e(i).complete_by)),
        Column::int(&f::ORDER_RANK, move |i| Some(e(i).order_rank)),
        Column::money(&shared::LENDER_OUTSTANDING, move |i| {
            Some(e(i).input.lender_outstanding)
        }),
        Column::int(&shared::LENDERS_CURRENT, move |i| {
            Some(e(i).input.lenders_current)
        }),
        Column::steps(&f::STEPS, move |i| {
            e(i).steps
                .iter()
                .map(|s| StepItem {
                    step: s.step,
                    step_zh: s.step_zh,
                    due_on: s.due_on,
                })
                .collect()
        }),
        // Null without a deadline; with one, whether the platform cannot finish by it.
        Column::bool(&f::AT_RISK, move |i| {
            plan.deadline.map(|_| e(i).at_risk.is_some())
        }),
        Column::text(&f::AT_RISK_REASON, move |i| {
            e(i).at_risk.as_ref().map(|r| r.reason.as_str())
        }),
        Column::text(&f::AT_RISK_REASON_ZH, move |i| {
            e(i).at_risk.as_ref().map(|r| r.reason_zh.as_str())
        }),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::InOrder(entries.len()))
}

/// plan_stages.parquet: stage 0 is the start, then each stage end.
pub fn plan_stages(staging: &Staging, plan: &Plan) -> Result<()> {
    use crate::domain::exports::plan_stages as f;
    let s = |i: usize| &plan.stages[i];
    // Stage 0 (the start) has no capacity.
    let after_start = |i: usize, v: Option<i64>| (s(i).stage > 0).then_some(v).flatten();
    let (capacity, configured) = (&plan.capacity, &plan.configured);
    let target_names: Vec<Vec<String>> = plan
        .stages
        .iter()
        .map(|x| x.targets.iter().map(|t| t.0.clone()).collect())
        .collect();
    let target_names = &target_names;
    let columns = [
        Column::int(&shared::STAGE, move |i| Some(i64::from(s(i).stage))),
        Column::date(&f::ENDS_ON, move |i| Some(s(i).ends_on)),
        Column::int(&f::PLATFORMS, move |i| Some(s(i).platforms)),
        Column::int(&f::LENDERS, move |i| Some(s(i).lenders)),
        Column::money(&f::OUTSTANDING, move |i| Some(s(i).outstanding)),
        Column::int(&f::PLATFORMS_REMAINING, move |i| {
            Some(s(i).platforms_remaining)
        }),
        Column::money(&f::OUTSTANDING_REMAINING, move |i| {
            Some(s(i).outstanding_remaining)
        }),
        Column::int(&f::LENDERS_REMAINING, move |i| Some(s(i).lenders_remaining)),
        Column::ratio(&f::PLATFORMS_REMAINING_PCT, move |i| {
            Some(s(i).platforms_remaining_pct)
        }),
        Column::ratio(&f::OUTSTANDING_REMAINING_PCT, move |i| {
            Some(s(i).outstanding_remaining_pct)
        }),
        Column::ratio(&f::LENDERS_REMAINING_PCT, move |i| {
            Some(s(i).lenders_remaining_pct)
        }),
        Column::text_list(&f::TARGETS, move |i| target_names[i].as_slice()),
        Column::bool(&f::TARGETS_MET, move |i| {
            (!s(i).targets.is_empty()).then(|| s(i).targets.iter().all(|t| t.1))
        }),
        Column::date(&f::DEADLINE, move |_| plan.deadline),
        Column::int(&f::CAPACITY_PLATFORMS, move |i| {
            after_start(i, capacity.platforms)
        }),
        Column::int(&f::CAPACITY_LENDERS, move |i| {
            after_start(i, capacity.lenders)
        }),
        Column::money(&f::CAPACITY_OUTSTANDING, move |i| {
            after_start(i, capacity.outstanding)
        }),
        Column::int(&f::CONFIGURED_PLATFORMS, move |i| {
            after_start(i, configured.platforms)
        }),
        Column::int(&f::CONFIGURED_LENDERS, move |i| {
            after_start(i, configured.lenders)
        }),
        Column::money(&f::CONFIGURED_OUTSTANDING, move |i| {
            after_start(i, configured.outstanding)
        }),
    ];
    column::write(
        staging,
        &f::EXPORT,
        &columns,
        Rows::InOrder(plan.stages.len()),
    )
}

/// payouts.parquet and payout_rounds.parquet (and returned_transfers.parquet when transfers
/// came back).
pub fn payouts(
    staging: &Staging,
    data: &InputData,
    p: &Payouts,
    names: &LenderNames,
) -> Result<()> {
    use crate::domain::exports::payouts as f;
    let r = &p.rows;
    // Rows come grouped by (platform, round) in key order; under pseudonyms each group is
    // re-sorted by the lenders' new names.
    let mut order: Option<Vec<usize>> = None;
    if names.pseudonymized() {
        let order = order.insert((0..r.len()).collect::<Vec<usize>>());
        let mut start = 0;
        while start < order.len() {
            let key = (r.platform(start), r.round(start));
            let mut end = start;
            while end < order.len() && (r.platform(end), r.round(end)) == key {
                end += 1;
            }
            order[start..end].sort_unstable_by_key(|&i| names.rank(r.lender[i]));
            start = end;
        }
    }
    let cumulative = |i: usize| r.before(i) + r.given(i);
    let columns = [
        Column::text(&shared::PLATFORM_ID, move |i| {
            Some(data.platforms.ids[r.platform(i)].as_str())
        }),
        Column::int(&shared::ROUND, move |i| Some(r.round(i))),
        Column::text(&shared::LENDER_ID, move |i| Some(names.name(r.lender[i]))),
        Column::text(&shared::STATUS, move |i| {
            Some(if r.returns(i).returned > Fen::ZERO {
                "returned"
            } else {
                r.status[i].code()
            })
        }),
        Column::money(&shared::CLAIM, move |i| Some(r.claim(i))),
        Column::money(&f::BEFORE, move |i| Some(r.before(i))),
        Column::money(&f::PAID, move |i| Some(r.paid(i))),
        Column::money(&f::RESERVED, move |i| Some(r.reserved(i))),
        Column::money(&f::CARRIED, move |i| Some(r.carried(i))),
        Column::money(&f::CUMULATIVE, move |i| Some(cumulative(i))),
        Column::money(&f::REMAINING, move |i| Some(r.claim(i) - cumulative(i))),
        Column::ratio(&f::CUMULATIVE_RATIO, move |i| {
            Some(cumulative(i).get() as f64 / r.claim(i).get() as f64)
        }),
        // Added with the returns table: after the columns readers had before.
        Column::money(&f::RETURNED, move |i| Some(r.returns(i).returned)),
        Column::money(&f::REISSUED, move |i| Some(r.returns(i).reissued)),
        Column::money(&f::RETURNED_TOTAL, move |i| Some(r.returns(i).total)),
    ];
    column::write_split(
        staging,
        &f::EXPORT,
        &columns,
        Rows::of(r.len(), order.as_deref()),
        Some(platform_district(data, move |i| r.platform(i))),
    )?;
    payout_rounds(staging, data, p)?;
    if !p.returned.is_empty() {
        returned_transfers(staging, data, &p.returned, names)?;
    }
    Ok(())
}

/// payout_rounds.parquet: per platform and round, the pool and where it went.
fn payout_rounds(staging: &Staging, data: &InputData, p: &Payouts) -> Result<()> {
    use crate::domain::exports::payout_rounds as f;
    let x = |i: usize| &p.rounds[i];
    let columns = [
        Column::text(&shared::PLATFORM_ID, move |i| {
            Some(data.platforms.ids[x(i).platform].as_str())
        }),
        Column::int(&shared::ROUND, move |i| Some(x(i).round)),
        Column::money(&f::POOL, move |i| Some(x(i).pool)),
        Column::money(&f::PAID, move |i| Some(x(i).paid)),
        Column::money(&f::RESERVED, move |i| Some(x(i).reserved)),
        Column::money(&f::CARRIED, move |i| Some(x(i).carried)),
        Column::money(&f::SURPLUS, move |i| Some(x(i).surplus)),
        Column::int(&f::LENDERS, move |i| Some(x(i).lenders)),
        Column::int(&f::LENDERS_PAID, move |i| Some(x(i).lenders_paid)),
        Column::ratio(&f::LEVEL, move |i| x(i).level),
        Column::money(&f::RETURNED, move |i| Some(x(i).returned)),
        Column::money(&f::REISSUED, move |i| Some(x(i).reissued)),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::InOrder(p.rounds.len()))
}

/// returned_transfers.parquet: per platform, round and lender with returns, what came back and
/// what became of it — held (and why) or sent again now.
fn returned_transfers(
    staging: &Staging,
    data: &InputData,
    returned: &[ReturnedTransfer],
    names: &LenderNames,
) -> Result<()> {
    use crate::domain::exports::returned_transfers as f;
    let mut rows: Vec<&ReturnedTransfer> = returned.iter().collect();
    let platform = |code: PlatformCode| data.platforms.ids[code].as_str();
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
    let t = |i: usize| rows[i];
    let columns = [
        Column::text(&shared::PLATFORM_ID, move |i| Some(platform(t(i).platform))),
        Column::int(&shared::ROUND, move |i| Some(t(i).round)),
        Column::text(&shared::LENDER_ID, move |i| Some(names.name(t(i).lender))),
        Column::money(&f::RETURNED_TOTAL, move |i| Some(t(i).total)),
        Column::money(&f::BOOKED_NOW, move |i| Some(t(i).booked_now)),
        Column::money(&f::HELD, move |i| Some(t(i).held)),
        Column::money(&f::REISSUED, move |i| Some(t(i).reissued)),
        Column::date(&f::LAST_RETURNED_ON, move |i| Some(t(i).last_returned_on)),
        Column::text(&f::DISPOSITION, move |i| Some(t(i).disposition().0)),
        Column::text(&f::REASON, move |i| Some(t(i).disposition().1)),
        Column::text(&f::REASON_ZH, move |i| Some(t(i).disposition().2)),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::InOrder(rows.len()))
}
