//! plan.md: the plan document a regulator prints — the 三降 projection, then one page per
//! platform (一企一策) in plan order.

use crate::domain::money::format_fen as fen;
use crate::rules::plan::Plan;
use crate::rules::{Analysis, PlatformRow};

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
    let _ = writeln!(md, "# 一企一策 分阶段退出计划 / Staged exit plan\n");
    let _ = writeln!(
        md,
        "数据截至 As of {as_of}。平台 {} 家。\n",
        plan.entries.len()
    );
    let _ = writeln!(md, "## 三降 projection 预计压降\n");
    let _ = writeln!(md, "| 阶段 stage | 截至 ends on | 平台 platforms | 余额 outstanding (元) | 在贷出借人 lenders | 目标 targets |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for s in &plan.stages {
        let _ = writeln!(
            md,
            "| {} | {} | {} ({:.1}%) | {} ({:.1}%) | {} ({:.1}%) | {} |",
            s.stage,
            s.ends_on,
            s.platforms_remaining,
            s.platforms_remaining_pct,
            fen(s.outstanding_remaining),
            s.outstanding_remaining_pct,
            s.lenders_remaining,
            s.lenders_remaining_pct,
            s.targets
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    for e in &plan.entries {
        let _ = writeln!(md, "\n<div style=\"page-break-after: always\"></div>\n");
        let p = &e.input;
        let _ = writeln!(
            md,
            "## {}. {} {}（{}）\n",
            e.order_rank, p.platform_id, p.name, p.district
        );
        if let Some(PlatformRow {
            metrics: m,
            class: c,
            exposure: x,
        }) = by_id.get(p.platform_id.as_str())
        {
            let sub = c
                .subclass
                .map(|s| format!(" / {} {}", s.zh(), s.code()))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "- 类别 Class: **{} {}**{sub}",
                c.class.zh(),
                c.class.code()
            );
            let _ = writeln!(md, "- 理由 Reason: {}", c.reason_zh);
            let _ = writeln!(md, "- Reason: {}", c.reason_en);
            if c.refer_to_illegal_fundraising_unit {
                let _ = writeln!(md, "- 未正常报数：移送处非机制 / not reporting: referred to the illegal-fundraising unit");
            }
            let _ = writeln!(
                md,
                "- 出借余额 lender outstanding: {} 元；在贷出借人 current lenders: {}；借款余额 loan outstanding: {} 元",
                fen(m.lender_outstanding),
                m.lenders_current,
                fen(m.loan_outstanding)
            );
            let _ = writeln!(
                md,
                "- 债权总额 total claim: {} 元；预计回收 expected recovery: {} 元",
                fen(x.total_claim),
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
                        r.value.map_or("null".to_string(), |v| format!("{v:.4}"))
                    )
                })
                .collect();
            if !fired.is_empty() {
                let _ = writeln!(md, "- 触发规则 rules fired: {}", fired.join("; "));
            }
        }
        let _ = writeln!(md, "- 处置方式 Action: **{}** ({})", e.action_zh, e.action);
        let _ = writeln!(
            md,
            "- 责任单位 Responsible units: {}",
            e.responsible_units.join("、")
        );
        let _ = writeln!(
            md,
            "- 阶段 Stage {}: {} 起，预计 {} 前完成 / starts {}, complete by {}\n",
            e.stage, e.start_on, e.complete_by, e.start_on, e.complete_by
        );
        let _ = writeln!(md, "| 步骤 step | 截止 due |");
        let _ = writeln!(md, "|---|---|");
        for s in &e.steps {
            let _ = writeln!(md, "| {} {} | {} |", s.step_zh, s.step, s.due_on);
        }
    }
    md
}
