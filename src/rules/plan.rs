//! Plan: the staged exit plan (一企一策) and its 三降 projection (docs/rules.md).
//!
//! In: each platform's class, size and loan run-off date; the plan settings. Out: per platform
//! its action, responsible units, order rank ("easy to hard, small to large"), stage, start and
//! expected completion, and the dated steps of its action; per stage end the platforms,
//! outstanding and current lenders still remaining, and the targets met or missed.
//! Guarantees: every platform appears exactly once; no stage exceeds a capacity unless one
//! platform alone does, and then that platform has the stage to itself. Pure domain code.

use crate::config::{Measure, PlanRules};
use crate::domain::date::Date;
use crate::rules::classify::{Class, Subclass};

/// What the plan needs to know of a platform.
#[derive(Debug, Clone)]
pub struct PlatformInput {
    pub platform_id: String,
    pub name: String,
    pub district: String,
    pub class: Class,
    pub subclass: Option<Subclass>,
    /// Fen.
    pub lender_outstanding: i64,
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
    pub complete_by: Date,
    pub steps: Vec<Step>,
}

/// The 三降 state at the end of a stage (stage 0: the start).
#[derive(Debug, Clone)]
pub struct StageRow {
    pub stage: u32,
    pub ends_on: Date,
    /// Platforms, current lenders and outstanding assigned to this stage.
    pub platforms: i64,
    pub lenders: i64,
    pub outstanding: i64,
    pub platforms_remaining: i64,
    /// Fen.
    pub outstanding_remaining: i64,
    pub lenders_remaining: i64,
    pub platforms_remaining_pct: f64,
    pub outstanding_remaining_pct: f64,
    pub lenders_remaining_pct: f64,
    /// Targets for this stage: (description, met).
    pub targets: Vec<(String, bool)>,
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// In order_rank order.
    pub entries: Vec<Entry>,
    pub stages: Vec<StageRow>,
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
    // Fill stages in order under the capacities.
    let mut stage = 1u32;
    let (mut n, mut lenders, mut outstanding) = (0i64, 0i64, 0i128);
    let exceeds = |n: i64, l: i64, o: i128| {
        rules.max_platforms.is_some_and(|m| n > m)
            || rules.max_current_lenders.is_some_and(|m| l > m)
            || rules.max_outstanding.is_some_and(|m| o > i128::from(m))
    };
    let mut entries = Vec::with_capacity(inputs.len());
    for (i, p) in inputs.into_iter().enumerate() {
        let (n2, l2, o2) = (
            n + 1,
            lenders + p.lenders_current,
            outstanding + i128::from(p.lender_outstanding),
        );
        if n > 0 && exceeds(n2, l2, o2) {
            stage += 1;
            (n, lenders, outstanding) = (1, p.lenders_current, i128::from(p.lender_outstanding));
        } else {
            (n, lenders, outstanding) = (n2, l2, o2);
        }
        let alone_too_big = exceeds(1, p.lenders_current, i128::from(p.lender_outstanding));
        let start_on = as_of.add_months(((stage - 1) * rules.stage_months) as i32);
        let complete_by = completion(&p, start_on);
        let (action, action_zh) = action(p.class, p.subclass);
        let mut units = rules.units[p.class.index()].clone();
        if !p.district.is_empty() {
            units.push(format!("{}人民政府", p.district));
        }
        let steps = steps(p.class, start_on, complete_by);
        entries.push(Entry {
            input: p,
            action,
            action_zh,
            responsible_units: units,
            order_rank: i as i64 + 1,
            stage,
            start_on,
            complete_by,
            steps,
        });
        if alone_too_big {
            // It has the stage to itself; the next platform starts a new one.
            stage += 1;
            (n, lenders, outstanding) = (0, 0, 0);
        }
    }
    // A platform that alone exceeded a capacity may have left an empty stage number behind;
    // renumber so that stages are consecutive.
    let mut used: Vec<u32> = entries.iter().map(|e| e.stage).collect();
    used.dedup();
    for e in &mut entries {
        let s = used.iter().position(|u| *u == e.stage).unwrap_or(0) as u32 + 1;
        if s != e.stage {
            e.stage = s;
            e.start_on = as_of.add_months(((s - 1) * rules.stage_months) as i32);
            e.complete_by = completion(&e.input, e.start_on);
            e.steps = steps(e.input.class, e.start_on, e.complete_by);
        }
    }
    let stages = projection(&entries, rules, as_of);
    Plan { entries, stages }
}

/// Expected completion: zombie 3 months; small ≤ 12 months; others ≤ 12 months when
/// outstanding ≤ 1亿, else ≤ 24 (Shenzhen guide), or sooner when the loans run off sooner
/// (but never less than the 3 months the exit steps need).
fn completion(p: &PlatformInput, start: Date) -> Date {
    const YI: i64 = 100_000_000 * 100;
    let cap = match p.class {
        Class::Zombie => return start.add_months(3),
        Class::Small => 12,
        _ if p.lender_outstanding <= YI => 12,
        _ => 24,
    };
    let latest = start.add_months(cap);
    let earliest = start.add_months(3);
    match p.last_loan_maturity {
        Some(m) if m < latest => m.max(earliest),
        _ => latest,
    }
}

/// The dated steps of a class's action, none after completion.
fn steps(class: Class, start: Date, complete: Date) -> Vec<Step> {
    let s = |step, step_zh, due_on: Date| Step {
        step,
        step_zh,
        due_on: due_on.min(complete),
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
            let notice = start.add_working_days(10);
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
    let last_stage = entries
        .iter()
        .map(|e| e.stage)
        .max()
        .unwrap_or(0)
        .max(rules.stages);
    let start_platforms = entries.len() as i64;
    let start_outstanding: i128 = entries
        .iter()
        .map(|e| i128::from(e.input.lender_outstanding))
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
        let ends_on = as_of.add_months((stage * rules.stage_months) as i32);
        let mut remaining = (0i64, 0i128, 0i64);
        for e in entries {
            if e.complete_by > ends_on {
                remaining.0 += 1;
                remaining.2 += e.input.lenders_current;
                remaining.1 += run_off(e, ends_on);
            }
        }
        let members: Vec<&Entry> = entries.iter().filter(|e| e.stage == stage).collect();
        let outstanding_remaining = i64::try_from(remaining.1).unwrap_or(i64::MAX);
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
    let total = i128::from(e.input.lender_outstanding);
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
            lender_outstanding: outstanding_yuan * 100,
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
        assert_eq!(plan.entries[3].start_on, d("2019-12-30")); // stage 3: two quarters on
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
            (2, 400_000, 40)
        );
        let s1 = &plan.stages[1];
        assert_eq!(s1.ends_on, d("2019-09-30"));
        // Z done (3 months); S runs 2019-06-30 → 2020-06-30 (366 days), 274 days left:
        // 300000 × 274 / 366 = 224590.16… fen.
        assert_eq!((s1.platforms_remaining, s1.lenders_remaining), (1, 30));
        assert_eq!(s1.outstanding_remaining, 224_590);
        // Lenders 30 of 40 = −25 %: the −50 % target is missed; platforms −50 % < −60 %: missed.
        assert_eq!(
            s1.targets.iter().map(|t| t.1).collect::<Vec<_>>(),
            [false, false]
        );
        assert!(s1.targets[0].0.starts_with("lenders −50% by stage 1"));
        assert_eq!(plan.stages.len(), 5); // stages 0..=4
    }
}
