//! Plan: the staged exit plan (一企一策) and its 三降 projection (docs/rules.md).
//!
//! In: each platform's class, size and loan run-off date; the plan settings. Out: per platform
//! its action, responsible units, order rank ("easy to hard, small to large"), stage, start and
//! expected completion, and the dated steps of its action; per stage end the platforms,
//! outstanding and current lenders still remaining, and the targets met or missed.
//! Guarantees: every platform appears exactly once; no stage exceeds a capacity unless one
//! platform alone does, and then that platform has the stage to itself. Pure domain code.

use crate::config::{Measure, PlanRules};
use crate::domain::calendar::Calendar;
use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::rules::classify::{Class, Subclass};

/// What the plan needs to know of a platform.
#[derive(Debug, Clone)]
pub struct PlatformInput {
    pub platform_id: String,
    pub name: String,
    pub district: String,
    pub class: Class,
    pub subclass: Option<Subclass>,
    pub lender_outstanding: Fen,
    pub lenders_current: i64,
    pub last_loan_maturity: Option<Date>,
}

/// One dated step of a platform's action.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub step: &'static str,
    pub step_zh: &'static str,
    pub due_on: Date,
}

/// A platform's plan.
#[derive(Debug, Clone)]
pub struct Entry {
    pub input: PlatformInput,
    pub action: &'static str,
    pub action_zh: &'static str,
    pub responsible_units: Vec<String>,
    /// 1-based position in the "easy to hard, small to large" order.
    pub order_rank: i64,
    /// 1-based; may exceed the planned number of stages when capacity runs out.
    pub stage: u32,
    pub start_on: Date,
    /// A working day.
    pub complete_by: Date,
    pub steps: Vec<Step>,
    /// With a deadline: set when the platform cannot finish by it whatever the capacity.
    pub at_risk: Option<AtRisk>,
}

/// Why a platform cannot finish by the deadline even if it started on the as-of date.
#[derive(Debug, Clone, PartialEq)]
pub struct AtRisk {
    /// Its completion when started on the as-of date.
    pub earliest: Date,
    pub reason: String,
    pub reason_zh: String,
}

/// The 三降 state at the end of a stage (stage 0: the start).
#[derive(Debug, Clone)]
pub struct StageRow {
    pub stage: u32,
    pub ends_on: Date,
    /// Platforms, current lenders and outstanding assigned to this stage.
    pub platforms: i64,
    pub lenders: i64,
    pub outstanding: Fen,
    pub platforms_remaining: i64,
    pub outstanding_remaining: Fen,
    pub lenders_remaining: i64,
    pub platforms_remaining_pct: f64,
    pub outstanding_remaining_pct: f64,
    pub lenders_remaining_pct: f64,
    /// Targets for this stage: (description, met).
    pub targets: Vec<(String, bool)>,
}

/// A capacity per stage; `None` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capacity {
    pub platforms: Option<i64>,
    pub lenders: Option<i64>,
    /// Fen: the search for a capacity treats the three measures alike, as integers.
    pub outstanding: Option<i64>,
}

impl Capacity {
    pub fn of(rules: &PlanRules) -> Capacity {
        Capacity {
            platforms: rules.max_platforms,
            lenders: rules.max_current_lenders,
            outstanding: rules.max_outstanding.map(Fen::get),
        }
    }

    fn exceeded_by(&self, n: i64, lenders: i64, outstanding: i128) -> bool {
        self.platforms.is_some_and(|m| n > m)
            || self.lenders.is_some_and(|m| lenders > m)
            || self
                .outstanding
                .is_some_and(|m| outstanding > i128::from(m))
    }
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// In order_rank order.
    pub entries: Vec<Entry>,
    pub stages: Vec<StageRow>,
    /// The capacity per stage of the config (and command line).
    pub configured: Capacity,
    /// The capacity the stages were filled under: the configured one, or with a deadline the
    /// smallest that meets it.
    pub capacity: Capacity,
    pub deadline: Option<Date>,
}

/// One limit of the capacity per stage, configured and as the plan used it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacityRow {
    /// 平台数, 在贷出借人, 出借余额.
    pub label_zh: &'static str,
    /// platforms, current lenders, outstanding.
    pub label: &'static str,
    pub configured: Option<i64>,
    pub used: Option<i64>,
    /// The limit is money (fen).
    pub money: bool,
}

impl Plan {
    /// The three limits, configured and used, in the documents' order.
    pub fn capacity_rows(&self) -> [CapacityRow; 3] {
        let row = |(label_zh, label), configured, used, money| CapacityRow {
            label_zh,
            label,
            configured,
            used,
            money,
        };
        [
            row(
                ("平台数", "platforms"),
                self.configured.platforms,
                self.capacity.platforms,
                false,
            ),
            row(
                ("在贷出借人", "current lenders"),
                self.configured.lenders,
                self.capacity.lenders,
                false,
            ),
            row(
                ("出借余额", "outstanding"),
                self.configured.outstanding,
                self.capacity.outstanding,
                true,
            ),
        ]
    }

    /// Per stage, the platforms whose exit is complete by its end and was not by the stage
    /// before (the fall of the remaining count; 0 for stage 0). Not the platforms *starting*
    /// in a stage (`StageRow::platforms`): an exit takes months, so the two differ.
    pub fn completions(&self) -> Vec<i64> {
        let mut before: Option<i64> = None;
        self.stages
            .iter()
            .map(|s| {
                let done = before.map_or(0, |b| b - s.platforms_remaining);
                before = Some(s.platforms_remaining);
                done
            })
            .collect()
    }

    /// The platforms that cannot finish by the deadline, in order.
    pub fn at_risk(&self) -> impl Iterator<Item = (&Entry, &AtRisk)> {
        self.entries
            .iter()
            .filter_map(|e| e.at_risk.as_ref().map(|r| (e, r)))
    }
}

/// Class rank for the order: zombie < small < normal < high_risk < failed.
pub fn class_rank(c: Class) -> u8 {
    match c {
        Class::Zombie => 0,
        Class::Small => 1,
        Class::Normal => 2,
        Class::HighRisk => 3,
        Class::Failed => 4,
    }
}

/// Action per class (and subclass of failed).
pub fn action(class: Class, subclass: Option<Subclass>) -> (&'static str, &'static str) {
    match (class, subclass) {
        (Class::Failed, Some(Subclass::Filed)) => ("criminal_disposal", "立案处置·追赃挽损"),
        (Class::Failed, _) => ("orderly_disposal", "平稳有序处置"),
        (Class::Zombie, _) => ("deregister", "全面清退·限期注销"),
        (Class::Small, _) => ("risk_free_exit", "无风险退出"),
        (Class::HighRisk, _) => ("stable_exit", "平稳退出"),
        (Class::Normal, _) => ("benign_exit_or_conversion", "引导良性退出/转型"),
    }
}

/// The end of stage `k` (stage 0 ends on the as-of date): the last day of the month
/// `k × stage_months` months after the as-of date's.
pub fn stage_end(as_of: Date, k: u32, stage_months: u32) -> Date {
    if k == 0 {
        as_of
    } else {
        as_of.add_months((k * stage_months) as i32).month_end()
    }
}

/// Build the plan from `as_of`.
pub fn plan(platforms: Vec<PlatformInput>, rules: &PlanRules, as_of: Date) -> Plan {
    let mut inputs = platforms;
    inputs.sort_by(|a, b| {
        (
            class_rank(a.class),
            a.lender_outstanding,
            a.lenders_current,
            a.platform_id.as_bytes(),
        )
            .cmp(&(
                class_rank(b.class),
                b.lender_outstanding,
                b.lenders_current,
                b.platform_id.as_bytes(),
            ))
    });
    let configured = Capacity::of(rules);
    let start = |stage: u32| stage_end(as_of, stage - 1, rules.stage_months);
    let finish = |p: &PlatformInput, stage: u32| completion(p, start(stage), rules).0;
    let at_risk: Vec<Option<AtRisk>> = inputs
        .iter()
        .map(|p| {
            let deadline = rules.deadline?;
            let (earliest, why) = completion(p, as_of, rules);
            (earliest > deadline).then(|| at_risk(p, earliest, why, deadline))
        })
        .collect();
    let capacity = match rules.deadline {
        None => configured,
        Some(deadline) => {
            let meets = |cap: &Capacity| {
                let stages = assign_stages(&inputs, cap);
                inputs
                    .iter()
                    .zip(&stages)
                    .zip(&at_risk)
                    .all(|((p, &s), risk)| risk.is_some() || finish(p, s) <= deadline)
            };
            required_capacity(&inputs, &configured, meets)
        }
    };
    let stages = assign_stages(&inputs, &capacity);
    let entries: Vec<Entry> = inputs
        .into_iter()
        .zip(stages)
        .zip(at_risk)
        .enumerate()
        .map(|(i, ((p, stage), at_risk))| {
            let start_on = start(stage);
            let complete_by = completion(&p, start_on, rules).0;
            let (action, action_zh) = action(p.class, p.subclass);
            let mut units = rules.units[p.class.index()].clone();
            if !p.district.is_empty() {
                units.push(format!("{}人民政府", p.district));
            }
            let steps = steps(p.class, start_on, complete_by, &rules.calendar);
            Entry {
                input: p,
                action,
                action_zh,
                responsible_units: units,
                order_rank: i as i64 + 1,
                stage,
                start_on,
                complete_by,
                steps,
                at_risk,
            }
        })
        .collect();
    let stages = projection(&entries, rules, as_of);
    Plan {
        entries,
        stages,
        configured,
        capacity,
        deadline: rules.deadline,
    }
}

/// Stage numbers in order: stages fill under the capacity; a platform that alone exceeds it
/// has a stage to itself; stages are consecutive from 1.
fn assign_stages(inputs: &[PlatformInput], cap: &Capacity) -> Vec<u32> {
    let mut out = Vec::with_capacity(inputs.len());
    let mut stage = 0u32;
    let (mut n, mut lenders, mut outstanding) = (0i64, 0i64, 0i128);
    for p in inputs {
        let o = p.lender_outstanding.wide();
        let alone_too_big = cap.exceeded_by(1, p.lenders_current, o);
        if n == 0
            || alone_too_big
            || cap.exceeded_by(n + 1, lenders + p.lenders_current, outstanding + o)
        {
            stage += 1;
            (n, lenders, outstanding) = (0, 0, 0);
        }
        (n, lenders, outstanding) = (n + 1, lenders + p.lenders_current, outstanding + o);
        out.push(stage);
        if alone_too_big {
            // It has the stage to itself; the next platform starts a new one.
            (n, lenders, outstanding) = (0, 0, 0);
        }
    }
    out
}

/// The smallest capacity that `meets` the deadline: the configured one when it does; else
/// each configured limit raised, by bisection, to the least value that meets the deadline with
/// the other limits lifted, and all of them raised together (doubling) should their combination
/// still fall short. Filling in order is monotone in each limit, so the bisection is exact.
fn required_capacity(
    inputs: &[PlatformInput],
    configured: &Capacity,
    meets: impl Fn(&Capacity) -> bool,
) -> Capacity {
    if meets(configured) {
        return *configured;
    }
    let total_platforms = inputs.len() as i64;
    let total_lenders: i64 = inputs.iter().map(|p| p.lenders_current).sum();
    let total_outstanding: i64 = inputs.iter().map(|p| p.lender_outstanding.get()).sum();
    // The least value in [low, high] for which `ok` holds (it holds at `high`).
    let least = |low: i64, high: i64, ok: &dyn Fn(i64) -> bool| {
        let (mut lo, mut hi) = (low, high.max(low));
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if ok(mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        hi
    };
    let meets = &meets;
    // Meets the deadline with only this limit, at `v`.
    let only = |set: fn(&mut Capacity, i64)| {
        move |v: i64| {
            let mut c = Capacity::default();
            set(&mut c, v);
            meets(&c)
        }
    };
    let mut cap = *configured;
    if let Some(m) = configured.platforms {
        cap.platforms = Some(least(
            m,
            total_platforms,
            &only(|c, v| c.platforms = Some(v)),
        ));
    }
    if let Some(m) = configured.lenders {
        cap.lenders = Some(least(m, total_lenders, &only(|c, v| c.lenders = Some(v))));
    }
    if let Some(m) = configured.outstanding {
        let ok = only(|c, v| c.outstanding = Some(v));
        cap.outstanding = Some(least(m, total_outstanding, &ok));
    }
    while !meets(&cap) {
        let grow = |v: Option<i64>, total: i64| v.map(|v| v.saturating_mul(2).min(total.max(1)));
        let next = Capacity {
            platforms: grow(cap.platforms, total_platforms),
            lenders: grow(cap.lenders, total_lenders),
            outstanding: grow(cap.outstanding, total_outstanding),
        };
        if next == cap {
            // Every limit at its total: one stage holds everything.
            return Capacity::default();
        }
        cap = next;
    }
    cap
}

/// What bounds a platform's completion.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bound {
    /// Zombie: deregistration in 3 months.
    Deregistration,
    /// The exit steps need at least 3 months.
    Minimum,
    /// Its last loan matures then.
    LoansMature(Date),
    /// The Shenzhen guide: 12 months (≤ 1亿 or small) or 24 (> 1亿).
    Guide(u32),
}

/// Expected completion, on a working day: zombie 3 months; small ≤ 12 months; others ≤ 12
/// months when outstanding ≤ 1亿, else ≤ 24 (Shenzhen guide), or sooner when the loans run off
/// sooner (but never less than the 3 months the exit steps need).
fn completion(p: &PlatformInput, start: Date, rules: &PlanRules) -> (Date, Bound) {
    const YI: i64 = 100_000_000 * 100;
    let on = |d: Date| rules.calendar.on_or_after(d);
    let cap = match p.class {
        Class::Zombie => return (on(start.add_months(3)), Bound::Deregistration),
        Class::Small => 12,
        _ if p.lender_outstanding.get() <= YI => 12,
        _ => 24,
    };
    let latest = start.add_months(cap);
    let earliest = start.add_months(3);
    match p.last_loan_maturity {
        Some(m) if m < latest && m < earliest => (on(earliest), Bound::Minimum),
        Some(m) if m < latest => (on(m), Bound::LoansMature(m)),
        _ => (on(latest), Bound::Guide(cap as u32)),
    }
}

fn at_risk(p: &PlatformInput, earliest: Date, bound: Bound, deadline: Date) -> AtRisk {
    let (why, why_zh) = match bound {
        Bound::Deregistration => (
            "deregistration takes 3 months".to_string(),
            "限期注销需 3 个月".to_string(),
        ),
        Bound::Minimum => (
            "the exit steps take at least 3 months".to_string(),
            "退出步骤至少需 3 个月".to_string(),
        ),
        Bound::LoansMature(m) => (
            format!("its last loan matures on {m}"),
            format!("末笔借款于 {m} 到期"),
        ),
        Bound::Guide(months) => {
            let what = match (p.class, months) {
                (Class::Failed, _) => ("asset realisation and payouts take", "资产处置与兑付"),
                _ => ("an orderly exit takes", "平稳退出"),
            };
            let size = if months == 24 {
                ("outstanding above 100 million yuan", "出借余额超过 1 亿元")
            } else {
                (
                    "outstanding up to 100 million yuan",
                    "出借余额不超过 1 亿元",
                )
            };
            let loans = if p.last_loan_maturity.is_some() {
                ("; its loans run longer", "，且借款期限更长")
            } else {
                ("", "")
            };
            (
                format!("{} {months} months ({}){}", what.0, size.0, loans.0),
                format!("{}，{}需 {months} 个月{}", size.1, what.1, loans.1),
            )
        }
    };
    AtRisk {
        earliest,
        reason: format!(
            "{why}: started on the as-of date it finishes on {earliest} at the earliest, after the deadline {deadline}"
        ),
        reason_zh: format!("{why_zh}：即使立即启动，最早于 {earliest} 完成，晚于期限 {deadline}"),
    }
}

/// The dated steps of a class's action, each on a working day, none after completion.
fn steps(class: Class, start: Date, complete: Date, calendar: &Calendar) -> Vec<Step> {
    let s = |step, step_zh, due_on: Date| Step {
        step,
        step_zh,
        due_on: calendar.on_or_after(due_on).min(complete),
    };
    match class {
        Class::Zombie => vec![
            s("publish_list", "公布僵尸平台名单", start),
            s(
                "deregistration_deadline",
                "限期办理注销",
                start.add_months(2),
            ),
            s("site_closure", "关闭网站与应用", complete),
        ],
        Class::Failed => {
            let realise = complete.add_months(-3).max(start.add_months(3));
            vec![
                s("account_controls", "账户管控（冻结资金账户）", start),
                s("claim_registration", "债权申报登记", start.add_months(1)),
                s("audit", "专项审计", start.add_months(3)),
                s("asset_realisation", "资产处置变现", realise),
                s("payout_rounds", "分批清退兑付", complete),
            ]
        }
        Class::Small | Class::HighRisk | Class::Normal => {
            // Shenzhen benign-exit guide: notice in 10 working days, assets verified in 20
            // days, exit plan in 15 days, lender vote, payouts, closure 30 days after the last.
            let notice = calendar.add_working_days(start, 10);
            let verified = notice.add_days(20);
            let exit_plan = verified.add_days(15);
            let vote = exit_plan.add_days(15);
            let last_payout = complete.add_days(-30).max(vote);
            vec![
                s("stop_new_lending", "停止新增业务", start),
                s("notice", "公告出借人并报告监管部门", notice),
                s("asset_verification", "资产核查", verified),
                s("exit_plan", "制定退出方案", exit_plan),
                s("lender_vote", "出借人表决", vote),
                s("payouts", "兑付出借人", last_payout),
                s("closure", "关闭平台（末次兑付后30日）", complete),
            ]
        }
    }
}

/// Remaining platforms, outstanding and lenders at each stage end, outstanding running off
/// linearly from a platform's start to its completion.
fn projection(entries: &[Entry], rules: &PlanRules, as_of: Date) -> Vec<StageRow> {
    // With a deadline, the stages run at least to the one that ends on or after it.
    let to_deadline = rules.deadline.map_or(0, |d| {
        (1..=1200)
            .find(|&k| stage_end(as_of, k, rules.stage_months) >= d)
            .unwrap_or(1200)
    });
    let last_stage = entries
        .iter()
        .map(|e| e.stage)
        .max()
        .unwrap_or(0)
        .max(rules.stages)
        .max(to_deadline);
    let start_platforms = entries.len() as i64;
    let start_outstanding: i128 = entries
        .iter()
        .map(|e| e.input.lender_outstanding.wide())
        .sum();
    let start_lenders: i64 = entries.iter().map(|e| e.input.lenders_current).sum();
    let pct = |v: i128, base: i128| {
        if base == 0 {
            0.0
        } else {
            v as f64 * 100.0 / base as f64
        }
    };
    let mut rows = Vec::new();
    for stage in 0..=last_stage {
        let ends_on = stage_end(as_of, stage, rules.stage_months);
        let mut remaining = (0i64, 0i128, 0i64);
        for e in entries {
            if e.complete_by > ends_on {
                remaining.0 += 1;
                remaining.2 += e.input.lenders_current;
                remaining.1 += run_off(e, ends_on);
            }
        }
        let members: Vec<&Entry> = entries.iter().filter(|e| e.stage == stage).collect();
        let outstanding_remaining = Fen(i64::try_from(remaining.1).unwrap_or(i64::MAX));
        let mut row = StageRow {
            stage,
            ends_on,
            platforms: members.len() as i64,
            lenders: members.iter().map(|e| e.input.lenders_current).sum(),
            outstanding: members.iter().map(|e| e.input.lender_outstanding).sum(),
            platforms_remaining: remaining.0,
            outstanding_remaining,
            lenders_remaining: remaining.2,
            platforms_remaining_pct: pct(remaining.0.into(), start_platforms.into()),
            outstanding_remaining_pct: pct(remaining.1, start_outstanding),
            lenders_remaining_pct: pct(remaining.2.into(), start_lenders.into()),
            targets: Vec::new(),
        };
        for t in rules.targets.iter().filter(|t| t.stage == stage) {
            let (now, base) = match t.measure {
                Measure::Platforms => (i128::from(remaining.0), i128::from(start_platforms)),
                Measure::Outstanding => (remaining.1, start_outstanding),
                Measure::Lenders => (i128::from(remaining.2), i128::from(start_lenders)),
            };
            // Met when now ≤ base × (1 − r), exactly: now/base ≤ (den − num)/den.
            let met = base == 0
                || crate::domain::fraction::cmp_fractions(
                    now,
                    base,
                    t.reduction.den - t.reduction.num,
                    t.reduction.den,
                ) != std::cmp::Ordering::Greater;
            let want = t.reduction.as_f64() * 100.0;
            row.targets.push((
                format!(
                    "{} −{}% by stage {}: {}",
                    t.measure.code(),
                    trim_pct(want),
                    t.stage,
                    if met { "met" } else { "missed" }
                ),
                met,
            ));
        }
        rows.push(row);
    }
    rows
}

/// Outstanding left of a platform at `date` (fen), linear from start to completion,
/// rounded half-even.
fn run_off(e: &Entry, date: Date) -> i128 {
    let total = e.input.lender_outstanding.wide();
    if date <= e.start_on {
        return total;
    }
    if date >= e.complete_by {
        return 0;
    }
    let left = i128::from(e.complete_by.0 - date.0);
    let span = i128::from(e.complete_by.0 - e.start_on.0);
    let num = total * left;
    let (q, r) = (num.div_euclid(span), num.rem_euclid(span));
    q + i128::from(2 * r > span || (2 * r == span && q % 2 == 1))
}

fn trim_pct(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn p(id: &str, class: Class, outstanding_yuan: i64, lenders: i64) -> PlatformInput {
        PlatformInput {
            platform_id: id.into(),
            name: id.into(),
            district: "鄂城区".into(),
            class,
            subclass: (class == Class::Failed).then_some(Subclass::Voluntary),
            lender_outstanding: Fen(outstanding_yuan * 100),
            lenders_current: lenders,
            last_loan_maturity: None,
        }
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn order_is_easy_to_hard_then_small_to_large() {
        let rules = Config::default().plan;
        let plan = plan(
            vec![
                p("F1", Class::Failed, 10, 1),
                p("N1", Class::Normal, 5, 1),
                p("S2", Class::Small, 20, 1),
                p("S1", Class::Small, 20, 0),
                p("Z1", Class::Zombie, 999, 9),
                p("H1", Class::HighRisk, 1, 1),
                p("S0", Class::Small, 10, 5),
            ],
            &rules,
            d("2019-06-30"),
        );
        let ids: Vec<&str> = plan
            .entries
            .iter()
            .map(|e| e.input.platform_id.as_str())
            .collect();
        assert_eq!(ids, ["Z1", "S0", "S1", "S2", "N1", "H1", "F1"]);
        assert_eq!(
            plan.entries
                .iter()
                .map(|e| e.order_rank)
                .collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7]
        );
    }

    #[test]
    fn capacities_fill_stages_and_a_giant_gets_its_own() {
        let mut rules = Config::default().plan;
        rules.max_platforms = Some(2);
        rules.max_current_lenders = Some(100);
        let plan = plan(
            vec![
                p("Z1", Class::Zombie, 1, 10),
                p("Z2", Class::Zombie, 2, 10),
                p("Z3", Class::Zombie, 3, 10),
                p("S1", Class::Small, 1, 500), // alone above 100 lenders
                p("S2", Class::Small, 2, 60),
                p("S3", Class::Small, 3, 60),
            ],
            &rules,
            d("2019-06-30"),
        );
        let stages: Vec<(&str, u32)> = plan
            .entries
            .iter()
            .map(|e| (e.input.platform_id.as_str(), e.stage))
            .collect();
        assert_eq!(
            stages,
            [
                ("Z1", 1),
                ("Z2", 1),
                ("Z3", 2),
                ("S1", 3),
                ("S2", 4),
                ("S3", 5)
            ]
        );
        // Stage 3 starts where stage 2 ends: on the month end two quarters on (not the 30th).
        assert_eq!(plan.entries[3].start_on, d("2019-12-31"));
        // Every platform once; stage totals add up.
        let total: i64 = plan.stages.iter().map(|s| s.platforms).sum();
        assert_eq!(total, 6);
    }

    #[test]
    fn completion_and_steps() {
        let rules = Config::default().plan;
        let mut big = p("H", Class::HighRisk, 200_000_000, 10);
        big.last_loan_maturity = Some(d("2020-06-30"));
        let mut small_book = p("N", Class::Normal, 50_000_000, 10);
        small_book.last_loan_maturity = Some(d("2019-07-15"));
        let plan = plan(
            vec![big, small_book, p("Z", Class::Zombie, 1, 1)],
            &rules,
            d("2019-06-30"),
        );
        let by = |id: &str| {
            plan.entries
                .iter()
                .find(|e| e.input.platform_id == id)
                .unwrap()
        };
        assert_eq!(by("Z").complete_by, d("2019-09-30"));
        // > 1亿: up to 24 months, but its loans run off by 2020-06-30.
        assert_eq!(by("H").complete_by, d("2020-06-30"));
        // Loans already nearly run off: never less than 3 months.
        assert_eq!(by("N").complete_by, d("2019-09-30"));
        let steps = &by("N").steps;
        assert_eq!(steps[0].step, "stop_new_lending");
        assert_eq!(steps[1].due_on, d("2019-07-12")); // 10 working days after Sun 30 Jun 2019
        assert_eq!(steps[2].due_on, d("2019-08-01"));
        assert_eq!(steps[6].due_on, d("2019-09-30"));
        assert!(steps.windows(2).all(|w| w[0].due_on <= w[1].due_on));
    }

    fn with_maturity(mut p: PlatformInput, m: &str) -> PlatformInput {
        p.last_loan_maturity = Some(d(m));
        p
    }

    #[test]
    fn stage_ends_fall_on_month_ends() {
        let as_of = d("2019-06-30");
        let ends: Vec<Date> = (0..5).map(|k| stage_end(as_of, k, 3)).collect();
        assert_eq!(
            ends,
            [
                "2019-06-30",
                "2019-09-30",
                "2019-12-31",
                "2020-03-31",
                "2020-06-30"
            ]
            .map(d)
        );
        // From mid-month: the first stage runs to the month end three months on.
        assert_eq!(stage_end(d("2019-06-15"), 1, 3), d("2019-09-30"));
        assert_eq!(stage_end(d("2019-11-30"), 1, 3), d("2020-02-29"));
    }

    #[test]
    fn a_deadline_raises_the_capacity_to_the_least_that_meets_it() {
        // Deadline 2020-06-30 from 2019-06-30 in quarters: stage k starts on the end of stage
        // k − 1, so a zombie (3 months) or a small platform whose loans have matured (the
        // 3-month minimum) must start by 2020-03-31, i.e. be in stage 1–4. Eight of them, in
        // order, fill four stages at 2 a stage; at 1 a stage the fifth would finish 2020-09-30.
        let mut rules = Config::default().plan;
        rules.max_platforms = Some(1);
        rules.deadline = Some(d("2020-06-30"));
        let mut inputs: Vec<PlatformInput> = (1..=6)
            .map(|i| p(&format!("Z{i}"), Class::Zombie, i, 1))
            .collect();
        inputs.push(with_maturity(p("S1", Class::Small, 10, 1), "2019-12-31"));
        inputs.push(with_maturity(p("S2", Class::Small, 20, 1), "2019-12-31"));
        // Failed, above 1亿, no loans: 24 months from the as-of date, whatever the capacity.
        inputs.push(p("F1", Class::Failed, 200_000_000, 1));
        let plan = plan(inputs, &rules, d("2019-06-30"));
        assert_eq!(plan.configured.platforms, Some(1));
        assert_eq!(plan.capacity.platforms, Some(2));
        let stage_of = |id: &str| {
            let e = plan
                .entries
                .iter()
                .find(|e| e.input.platform_id == id)
                .unwrap();
            (e.stage, e.complete_by)
        };
        assert_eq!(stage_of("Z1"), (1, d("2019-09-30")));
        assert_eq!(stage_of("S2"), (4, d("2020-06-30")));
        assert_eq!(stage_of("F1").0, 5);
        let risky: Vec<_> = plan.at_risk().collect();
        assert_eq!(risky.len(), 1);
        let (e, r) = risky[0];
        assert_eq!(e.input.platform_id, "F1");
        assert_eq!(r.earliest, d("2021-06-30"));
        assert!(r.reason.contains("24 months"), "{}", r.reason);
        assert!(
            r.reason_zh.contains("晚于期限 2020-06-30"),
            "{}",
            r.reason_zh
        );
        // Every other platform finishes by the deadline; stages run to the one holding F1.
        assert!(plan
            .entries
            .iter()
            .filter(|e| e.at_risk.is_none())
            .all(|e| e.complete_by <= d("2020-06-30")));
        assert_eq!(plan.stages.len(), 6);
        // A capacity the deadline does not need is kept as configured.
        rules.max_platforms = Some(3);
        let relaxed = super::plan(
            plan.entries.iter().map(|e| e.input.clone()).collect(),
            &rules,
            d("2019-06-30"),
        );
        assert_eq!(relaxed.capacity.platforms, Some(3));
        // Without a deadline nothing is at risk and the capacity is the configured one.
        rules.deadline = None;
        rules.max_platforms = Some(1);
        let free = super::plan(
            plan.entries.iter().map(|e| e.input.clone()).collect(),
            &rules,
            d("2019-06-30"),
        );
        assert_eq!(free.capacity, free.configured);
        assert_eq!(free.at_risk().count(), 0);
        assert_eq!(free.entries.iter().map(|e| e.stage).max(), Some(9));
    }

    #[test]
    fn steps_fall_on_working_days_of_the_official_calendar() {
        // Starting Monday 30 September 2019, before the National Day week: the notice is due
        // 10 working days on, counting Saturday 12 October (worked) and skipping 1–7 October.
        let rules = Config::default().plan;
        let plan = plan(
            vec![p("N", Class::Normal, 1_000, 1), p("Z", Class::Zombie, 1, 1)],
            &rules,
            d("2019-09-30"),
        );
        let n = plan
            .entries
            .iter()
            .find(|e| e.input.platform_id == "N")
            .unwrap();
        assert_eq!(n.steps[1].step, "notice");
        assert_eq!(n.steps[1].due_on, d("2019-10-18"));
        // Zombie: deregistration deadline 2 months on, 30 November 2019, a Saturday → Monday.
        let z = plan
            .entries
            .iter()
            .find(|e| e.input.platform_id == "Z")
            .unwrap();
        assert_eq!(z.steps[1].due_on, d("2019-12-02"));
        for e in &plan.entries {
            assert!(rules.calendar.is_working_day(e.complete_by));
            for s in &e.steps {
                assert!(
                    rules.calendar.is_working_day(s.due_on),
                    "{} {}",
                    s.step,
                    s.due_on
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn a_deadline_plan_keeps_the_order_meets_the_deadline_and_needs_its_capacity(
            sizes in proptest::collection::vec((0u8..5, 1i64..300_000_000, 0i64..500, 0i32..900), 1..40),
            configured in 1i64..6,
            months in 4i32..30,
        ) {
            let as_of = d("2019-06-30");
            let deadline = as_of.add_months(months);
            let inputs: Vec<PlatformInput> = sizes
                .iter()
                .enumerate()
                .map(|(i, &(c, o, l, m))| {
                    let mut x = p(&format!("P{i:03}"), Class::ALL[c as usize], o, l);
                    x.last_loan_maturity = (m % 3 != 0).then(|| as_of.add_days(m));
                    x
                })
                .collect();
            let mut rules = Config::default().plan;
            rules.max_platforms = Some(configured);
            rules.deadline = Some(deadline);
            let planned = plan(inputs.clone(), &rules, as_of);
            // Order: stages never go backwards along the order.
            proptest::prop_assert!(planned.entries.windows(2).all(|w| w[0].stage <= w[1].stage));
            // Everything not at risk finishes by the deadline.
            for e in &planned.entries {
                proptest::prop_assert!(e.at_risk.is_some() || e.complete_by <= deadline);
            }
            // The capacity is needed: one less (when above the configured) misses the deadline.
            let cap = planned.capacity.platforms.unwrap();
            proptest::prop_assert!(cap >= configured);
            if cap > configured {
                rules.max_platforms = Some(cap - 1);
                rules.deadline = None;
                let tighter = plan(inputs, &rules, as_of);
                let missed = tighter.entries.iter().zip(&planned.entries).any(|(t, e)| {
                    e.at_risk.is_none() && t.complete_by > deadline
                });
                proptest::prop_assert!(missed);
            }
        }
    }

    #[test]
    fn projection_runs_off_linearly_and_checks_targets() {
        let mut rules = Config::default().plan;
        rules.targets = Config::from_toml("[[plan.targets]]\nmeasure = \"lenders\"\nstage = 1\nreduction = \"0.5\"\n[[plan.targets]]\nmeasure = \"platforms\"\nstage = 1\nreduction = \"0.6\"\n")
            .unwrap()
            .plan
            .targets;
        let plan = plan(
            vec![
                p("Z", Class::Zombie, 1_000, 10),
                p("S", Class::Small, 3_000, 30),
            ],
            &rules,
            d("2019-06-30"),
        );
        let s0 = &plan.stages[0];
        assert_eq!(
            (
                s0.platforms_remaining,
                s0.outstanding_remaining,
                s0.lenders_remaining
            ),
            (2, Fen(400_000), 40)
        );
        let s1 = &plan.stages[1];
        assert_eq!(s1.ends_on, d("2019-09-30"));
        // Z done (3 months); S runs 2019-06-30 → 2020-06-30 (366 days), 274 days left:
        // 300000 × 274 / 366 = 224590.16… fen.
        assert_eq!((s1.platforms_remaining, s1.lenders_remaining), (1, 30));
        assert_eq!(s1.outstanding_remaining, Fen(224_590));
        // Lenders 30 of 40 = −25 %: the −50 % target is missed; platforms −50 % < −60 %: missed.
        assert_eq!(
            s1.targets.iter().map(|t| t.1).collect::<Vec<_>>(),
            [false, false]
        );
        assert!(s1.targets[0].0.starts_with("lenders −50% by stage 1"));
        assert_eq!(plan.stages.len(), 5); // stages 0..=4
    }
}
