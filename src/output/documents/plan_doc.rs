//! plan.md: the plan document a regulator prints — the 三降 projection, then one page per
//! platform (一企一策) in plan order.

use crate::domain::text::markdown_cell as md_text;
use crate::rules::plan::Plan;
use crate::rules::{Analysis, PlatformRow};

use crate::present::lang::{bi, short, slash, Lang};
use crate::present::number::{count, count_u, fen, percent};
use crate::present::rule;

fn lang() -> Lang {
    Lang::current()
}

/// The plan document a regulator prints: the 三降 projection, then one page per platform
/// (一企一策) in plan order.
pub fn plan_markdown(analysis: &Analysis, plan: &Plan) -> String {
    use std::fmt::Write;
    let by_id: std::collections::HashMap<&str, &PlatformRow> = analysis
        .platforms
        .iter()
        .map(|r| (r.metrics.platform_id.as_str(), r))
        .collect();
    let mut md = String::new();
    let as_of = plan
        .stages
        .first()
        .map(|s| s.ends_on.to_string())
        .unwrap_or_default();
    let _ = writeln!(
        md,
        "# {}\n",
        slash("一企一策 分阶段退出计划", "Staged exit plan")
    );
    let _ = writeln!(
        md,
        "{} {as_of}; {} {}\n",
        bi("数据截至", "As of"),
        bi("平台", "platforms"),
        count_u(plan.entries.len())
    );
    let _ = writeln!(md, "## {}\n", bi("三降 预计压降", "Projection"));
    let _ = writeln!(md, "{}\n", bi("开始：本阶段开始退出的平台；完成：本阶段末已完成退出的平台（退出需数月，二者不同）。", "Starts: platforms whose exit begins in the stage; completions: platforms whose exit is complete by its end (an exit takes months, so the two differ)."));
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} | {} ({}) | {} | {} |",
        bi("阶段", "stage"),
        bi("截至", "ends on"),
        bi("开始", "starts"),
        bi("完成", "completions"),
        bi("剩余平台", "platforms remaining"),
        bi("剩余余额", "outstanding"),
        short("元", "yuan"),
        bi("剩余在贷出借人", "lenders"),
        bi("目标", "targets")
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for (s, completions) in plan.stages.iter().zip(plan.completions()) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} ({}) | {} ({}) | {} ({}) | {} |",
            s.stage,
            s.ends_on,
            count(s.platforms),
            count(completions),
            count(s.platforms_remaining),
            percent(s.platforms_remaining_pct, 1),
            fen(s.outstanding_remaining),
            percent(s.outstanding_remaining_pct, 1),
            count(s.lenders_remaining),
            percent(s.lenders_remaining_pct, 1),
            s.targets
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    md.push_str(&deadline_markdown(plan));
    for e in &plan.entries {
        let _ = writeln!(md, "\n<div style=\"page-break-after: always\"></div>\n");
        let p = &e.input;
        let _ = writeln!(
            md,
            "## {}. {} {}（{}）\n",
            e.order_rank,
            md_text(&p.platform_id),
            md_text(&p.name),
            md_text(&p.district)
        );
        if let Some(PlatformRow {
            metrics: m,
            class: c,
            exposure: x,
        }) = by_id.get(p.platform_id.as_str())
        {
            let sub = c
                .subclass
                .map(|s| format!(" / {}", bi(s.zh(), s.code())))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "- {}: **{}**{sub}",
                bi("类别", "Class"),
                bi(c.class.zh(), c.class.code())
            );
            if lang() != Lang::En {
                let _ = writeln!(md, "- 理由: {}", c.reason_zh);
            }
            if lang() != Lang::Zh {
                let _ = writeln!(md, "- Reason: {}", c.reason_en);
            }
            if c.refer_to_illegal_fundraising_unit {
                let _ = writeln!(
                    md,
                    "- {}",
                    slash(
                        "未正常报数：移送处非机制",
                        "not reporting: referred to the illegal-fundraising unit"
                    )
                );
            }
            let y = short("元", "yuan");
            let _ = writeln!(
                md,
                "- {}: {} {y}; {}: {}; {}: {} {y}",
                bi("出借余额", "lender outstanding"),
                fen(m.lender_outstanding),
                bi("在贷出借人", "current lenders"),
                count(m.lenders_current),
                bi("借款余额", "loan outstanding"),
                fen(m.loan_outstanding)
            );
            let _ = writeln!(
                md,
                "- {}: {} {y}; {}: {} {y}",
                bi("债权总额", "total claim"),
                fen(x.total_claim),
                bi("预计回收", "expected recovery"),
                fen(m.expected_recovery)
            );
            let fired: Vec<String> = c
                .reasons
                .iter()
                .filter(|r| r.fired)
                .map(|r| {
                    format!(
                        "{} = {}",
                        r.rule,
                        r.value.map_or("—".to_string(), |v| rule::value(r.rule, v))
                    )
                })
                .collect();
            if !fired.is_empty() {
                let _ = writeln!(
                    md,
                    "- {}: {}",
                    bi("触发规则", "rules fired"),
                    fired.join("; ")
                );
            }
        }
        let _ = writeln!(
            md,
            "- {}: **{}**",
            bi("处置方式", "Action"),
            bi(e.action_zh, e.action)
        );
        let _ = writeln!(
            md,
            "- {}: {}",
            bi("责任单位", "Responsible units"),
            e.responsible_units
                .iter()
                .map(|u| md_text(u))
                .collect::<Vec<_>>()
                .join("、")
        );
        let _ = writeln!(
            md,
            "- {} {}: {}\n",
            bi("阶段", "Stage"),
            e.stage,
            slash(
                &format!("{} 起，预计 {} 前完成", e.start_on, e.complete_by),
                &format!("starts {}, complete by {}", e.start_on, e.complete_by)
            )
        );
        if let Some(r) = &e.at_risk {
            let _ = writeln!(
                md,
                "- **{}**: {}\n",
                bi("无法按期完成", "At risk"),
                slash(&r.reason_zh, &r.reason)
            );
        }
        let _ = writeln!(md, "| {} | {} |", bi("步骤", "step"), bi("截止", "due"));
        let _ = writeln!(md, "|---|---|");
        for s in &e.steps {
            let _ = writeln!(md, "| {} | {} |", bi(s.step_zh, s.step), s.due_on);
        }
    }
    md
}

/// A limit as people write it: the number, or 不限 (no limit).
fn limit(v: Option<i64>, money: bool) -> String {
    match v {
        None => bi("不限", "no limit"),
        Some(v) if money => format!("{} {}", fen(v), short("元", "yuan")),
        Some(v) => count(v),
    }
}

/// The deadline section of plan.md: the capacity needed against the configured one, and the
/// platforms that cannot finish by it, by name, with the reason. Empty without a deadline.
pub fn deadline_markdown(plan: &Plan) -> String {
    use std::fmt::Write;
    let Some(deadline) = plan.deadline else {
        return String::new();
    };
    let mut md = String::new();
    let _ = writeln!(md, "\n## {} {deadline}\n", bi("完成期限", "Deadline"));
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} |",
        bi("每阶段容量", "capacity per stage"),
        bi("配置", "configured"),
        bi("按期所需", "needed for the deadline"),
        bi("差额", "gap")
    );
    let _ = writeln!(md, "|---|---|---|---|");
    for r in plan.capacity_rows() {
        let what = bi(r.label_zh, r.label);
        let (configured, needed, money) = (r.configured, r.used, r.money);
        let gap = match (configured, needed) {
            (Some(c), Some(n)) if money => format!("+{} {}", fen(n - c), short("元", "yuan")),
            (Some(c), Some(n)) => format!("+{}", count(n - c)),
            (Some(_), None) => bi("取消上限", "lift the limit"),
            (None, _) => "—".to_string(),
        };
        let _ = writeln!(
            md,
            "| {what} | {} | {} | {gap} |",
            limit(configured, money),
            limit(needed, money)
        );
    }
    let on_time = plan.entries.iter().filter(|e| e.at_risk.is_none());
    let last = on_time.clone().map(|e| e.complete_by).max();
    let n = count_u(on_time.clone().count());
    let _ = writeln!(
        md,
        "\n{}\n",
        slash(
            &format!(
                "能按期完成的 {n} 家平台全部排入 {deadline} 前完成{}。",
                last.map(|d| format!("（最后一家 {d}）"))
                    .unwrap_or_default()
            ),
            &format!(
                "The {n} platforms that can finish by the deadline all do{}.",
                last.map(|d| format!(" (the last on {d})"))
                    .unwrap_or_default()
            )
        )
    );
    let risky: Vec<_> = plan.at_risk().collect();
    if risky.is_empty() {
        let _ = writeln!(
            md,
            "{}",
            slash(
                "无论容量多大都无法按期完成的平台：无。",
                "None cannot finish by the deadline."
            )
        );
        return md;
    }
    let _ = writeln!(
        md,
        "### {} ({})\n\n{}:\n",
        bi("无法按期完成的平台", "At risk"),
        count_u(risky.len()),
        slash(
            "无论每阶段容量多大都无法在期限前完成",
            "cannot finish by the deadline whatever the capacity"
        )
    );
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} |",
        bi("平台", "platform"),
        bi("名称", "name"),
        bi("类别", "class"),
        bi("最早完成", "earliest"),
        bi("原因", "reason")
    );
    let _ = writeln!(md, "|---|---|---|---|---|");
    for (e, r) in risky {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            md_text(&e.input.platform_id),
            md_text(&e.input.name),
            bi(e.input.class.zh(), e.input.class.code()),
            r.earliest,
            match lang() {
                Lang::En => r.reason.as_str(),
                _ => r.reason_zh.as_str(),
            }
        );
    }
    md
}
