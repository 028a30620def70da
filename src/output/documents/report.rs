//! Report: report.html, one self-contained file (no network, no scripts), labels in Chinese
//! first with English, charts as inline SVG drawn by plotters: the class table and chart,
//! outstanding and lenders by class, districts (属地) by affected lenders and claims, claim size
//! bands, the 三降 projection curve, payout ratio per platform, and each platform's 一企一策
//! page reachable from its row.

use std::fmt::Write;

use plotters::prelude::*;

use crate::domain::class::Class;
use crate::error::{Error, Result};
use crate::rules::plan::Plan;
use crate::rules::PlatformRow;

/// Everything the report shows (money in fen).
pub struct ReportInput<'a> {
    pub as_of: Option<crate::domain::date::Date>,
    pub rows_read: u64,
    pub rows_rejected: u64,
    pub platforms: &'a [PlatformRow],
    pub plan: &'a Plan,
    /// (district or None, class, lenders, claims fen) from districts.parquet.
    pub districts: Vec<(Option<String>, String, i64, i64)>,
    /// (platform, total claim, paid + reserved, ratio) per platform with payouts.
    pub payout_ratios: Vec<(String, i64, i64, Option<f64>)>,
}

/// The report's `<title>`: also the title a printed report.pdf must carry.
pub const TITLE: &str = "网贷机构风险处置报告 / P2P wind-down report";

/// Text made safe for HTML, in text and in attributes quoted either way.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

use crate::domain::count::grouped as count;
use crate::domain::money::grouped as yuan;

fn wan(fen: i128) -> f64 {
    fen as f64 / 1_000_000.0
}

fn chart_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Internal(format!("drawing a chart: {e:?}"))
}

const COLORS: [RGBColor; 6] = [
    RGBColor(200, 55, 45),
    RGBColor(120, 120, 120),
    RGBColor(70, 130, 180),
    RGBColor(230, 145, 30),
    RGBColor(60, 150, 90),
    RGBColor(130, 90, 170),
];

/// A rule's name as the regulators' documents write it.
pub fn rule_zh(rule: &str) -> &'static str {
    match rule {
        "case_filed" => "已立案",
        "not_reporting" => "未正常报数",
        "controller_missing" => "实控人失联",
        "repayment_suspended" => "暂停兑付",
        "months_since_new_loan" => "距最近新增借款月数",
        "lender_outstanding" => "出借余额",
        "lenders_current" => "在贷出借人数",
        "red_flags" => "违规红线",
        "overdue_90_ratio" => "逾期90天以上占比",
        "funding_gap_ratio" => "资金缺口占比",
        "related_party_share" => "关联方借款占比",
        "top10_borrower_share" => "前十大借款人占比",
        "borrower_cap_breach_share" => "超限额借款占比",
        "maturity_mismatch_share" => "期限错配占比",
        _ => "",
    }
}

/// A rule's value or threshold as people write it: 是/否 for flags, 6个月, 1亿元 or
/// 3,500万元 for money, counts as integers, ratios as percentages (10%, 2.5%).
pub fn as_written(rule: &str, v: f64) -> String {
    match rule {
        "case_filed" | "controller_missing" | "repayment_suspended" | "not_reporting" => {
            (if v >= 1.0 { "是" } else { "否" }).to_string()
        }
        "months_since_new_loan" => format!("{v:.0}个月"),
        "lenders_current" | "red_flags" => format!("{v:.0}"),
        // Yuan, as a display figure.
        "lender_outstanding" => crate::domain::money::wan_yi((v * 100.0).round() as i128),
        _ => {
            let pct = format!("{:.2}", v * 100.0);
            let pct = pct.trim_end_matches('0').trim_end_matches('.');
            format!("{pct}%")
        }
    }
}

/// A vertical bar chart as an SVG string.
fn bars(
    title: &str,
    labels: &[String],
    values: &[f64],
    y_desc: &str,
    colors: &[RGBColor],
    counts: bool,
) -> Result<String> {
    let mut svg = String::new();
    {
        let width = (160 + 70 * labels.len() as u32).clamp(520, 900);
        let root = SVGBackend::with_string(&mut svg, (width, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let max = values.iter().cloned().fold(0.0, f64::max).max(1e-9) * 1.12;
        let n = labels.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 17))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d((0..n).into_segmented(), 0f64..max)
            .map_err(chart_err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_desc(y_desc)
            // Counts are whole: no tick at 2.5 platforms.
            .y_label_formatter(&|v| {
                if counts && v.fract().abs() > 1e-9 {
                    String::new()
                } else if counts {
                    format!("{v:.0}")
                } else {
                    format!("{v}")
                }
            })
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(chart_err)?;
        for (i, v) in values.iter().enumerate() {
            let color = colors
                .get(i % colors.len().max(1))
                .copied()
                .unwrap_or(COLORS[2]);
            chart
                .draw_series(
                    Histogram::vertical(&chart)
                        .style(color.filled())
                        .margin(10)
                        .data(std::iter::once((i, *v))),
                )
                .map_err(chart_err)?;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// The 三降 curve: % remaining per stage end.
fn curve(plan: &Plan) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let last = plan.stages.last().map_or(1, |s| s.stage.max(1));
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "三降 预计压降曲线 / projected reduction (% of start)",
                ("sans-serif", 17),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0u32..last, 0f64..105f64)
            .map_err(chart_err)?;
        chart
            .configure_mesh()
            .x_desc("阶段 stage")
            .y_desc("% 剩余 remaining")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(chart_err)?;
        // (legend, colour, the share of the start remaining at a stage's end)
        type Measure = fn(&crate::rules::plan::StageRow) -> f64;
        let series: [(&str, RGBColor, Measure); 3] = [
            ("平台 platforms", COLORS[0], |s| s.platforms_remaining_pct),
            ("余额 outstanding", COLORS[2], |s| {
                s.outstanding_remaining_pct
            }),
            ("出借人 lenders", COLORS[4], |s| s.lenders_remaining_pct),
        ];
        for (name, color, f) in series {
            chart
                .draw_series(LineSeries::new(
                    plan.stages.iter().map(|s| (s.stage, f(s))),
                    color.stroke_width(3),
                ))
                .map_err(chart_err)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(chart_err)?;
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

const STYLE: &str = r#"
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 2px solid #c8372d; padding-bottom: 4px; margin-top: 36px; }
table { border-collapse: collapse; margin: 10px 0; font-size: 13px; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: #f3f3f3; } td.t, th.t { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts svg { max-width: 100%; height: auto; border: 1px solid #eee; }
.wrap { overflow-x: auto; } .note { color: #666; font-size: 12px; }
section.platform { border-top: 1px dashed #999; margin-top: 28px; page-break-before: always; }
@page { size: A4; margin: 20mm 14mm 16mm 14mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; } }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
  .charts svg { max-width: 100%; border: none; }
  .wrap { overflow: visible; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; }
  tr, .charts svg { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 9pt; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole report.
pub fn html(r: &ReportInput) -> Result<String> {
    let mut h = String::new();
    let as_of = r.as_of.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{TITLE}</title><style>{STYLE}\n@page {{ @top-center {{ content: \"网贷机构风险处置报告 · 数据截至 {as_of} · P2P wind-down report, as of {as_of}\"; font-size: 9pt; color: #555; }} }}</style></head><body>\n"
    );
    let _ = writeln!(
        h,
        "<h1>网贷机构风险处置报告<br><small>P2P lending wind-down report</small></h1>"
    );
    let _ = writeln!(
        h,
        "<p>数据截至 as of <b>{as_of}</b>；平台 platforms <b>{}</b>；读入 rows read {}，拒收 rejected {}（见 rejects.csv）。</p>",
        r.platforms.len(),
        r.rows_read,
        r.rows_rejected
    );

    // Classes.
    let _ = writeln!(h, "<h2>分类 Classes</h2><div class=\"wrap\"><table><tr><th class=\"t\">类别 class</th><th>平台 platforms</th><th>出借余额 outstanding</th><th>在贷出借人 current lenders</th><th>债权 total claim</th><th>预计回收 expected recovery</th></tr>");
    let mut class_labels = Vec::new();
    let (mut counts, mut outstanding, mut lenders) = (Vec::new(), Vec::new(), Vec::new());
    for class in Class::WORK_PLAN {
        let t = crate::rules::ClassTotals::of(r.platforms, class);
        let _ = writeln!(
            h,
            "<tr><td class=\"t\">{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            class.zh(),
            class.code(),
            count(t.platforms as i64),
            crate::domain::money::wan_yi(t.lender_outstanding),
            count(t.lenders_current),
            crate::domain::money::wan_yi(t.total_claim),
            crate::domain::money::wan_yi(t.expected_recovery)
        );
        class_labels.push(class.zh().to_string());
        counts.push(t.platforms as f64);
        outstanding.push(wan(t.lender_outstanding));
        lenders.push(t.lenders_current as f64);
    }
    let _ = writeln!(h, "</table></div><div class=\"charts\">");
    h.push_str(&bars(
        "平台数 platforms by class",
        &class_labels,
        &counts,
        "平台 platforms",
        &COLORS,
        true,
    )?);
    h.push_str(&bars(
        "出借余额 outstanding by class (万元)",
        &class_labels,
        &outstanding,
        "万元 10k yuan",
        &COLORS,
        false,
    )?);
    h.push_str(&bars(
        "在贷出借人 current lenders by class",
        &class_labels,
        &lenders,
        "人 lenders",
        &COLORS,
        true,
    )?);
    let _ = writeln!(h, "</div>");

    // Districts of the lenders.
    let mut by_district: std::collections::BTreeMap<String, (i64, i128)> =
        std::collections::BTreeMap::new();
    for (d, _, l, c) in &r.districts {
        let e = by_district
            .entry(d.clone().unwrap_or_else(|| "（未知 unknown）".into()))
            .or_default();
        e.0 += l;
        e.1 += i128::from(*c);
    }
    let _ = writeln!(h, "<h2>属地 Lenders by district</h2><p class=\"note\">出借人所在地，按涉及出借人数与债权（一个出借人可涉及多类平台）。Where lenders live: lenders affected and claims (a lender may count under several classes).</p><div class=\"wrap\"><table><tr><th class=\"t\">属地 district</th><th>涉及出借人 lenders</th><th>债权 claims (元)</th></tr>");
    let mut districts: Vec<(&String, &(i64, i128))> = by_district.iter().collect();
    districts.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    for (d, (l, c)) in &districts {
        let _ = writeln!(
            h,
            "<tr><td class=\"t\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(d),
            count(*l),
            yuan(*c)
        );
    }
    let _ = writeln!(h, "</table></div><div class=\"charts\">");
    let dl: Vec<String> = districts.iter().take(12).map(|d| d.0.clone()).collect();
    h.push_str(&bars(
        "属地涉及出借人 lenders by district",
        &dl,
        &districts
            .iter()
            .take(12)
            .map(|d| d.1 .0 as f64)
            .collect::<Vec<_>>(),
        "人 lenders",
        &[COLORS[2]],
        true,
    )?);
    h.push_str(&bars(
        "属地债权 claims by district (万元)",
        &dl,
        &districts
            .iter()
            .take(12)
            .map(|d| wan(d.1 .1))
            .collect::<Vec<_>>(),
        "万元",
        &[COLORS[3]],
        false,
    )?);
    let _ = writeln!(h, "</div>");

    // Claim bands.
    let band_names = ["<1万", "1–5万", "5–10万", "10–50万", "50–100万", "≥100万"];
    let _ = writeln!(h, "<h2>债权规模分布 Claim size bands</h2><div class=\"wrap\"><table><tr><th class=\"t\">区间 band</th><th>出借人 lender rows</th><th>债权 claim (元)</th></tr>");
    let mut band_lenders = Vec::new();
    for (i, name) in band_names.iter().enumerate() {
        let l: i64 = r.platforms.iter().map(|p| p.exposure.bands[i].0).sum();
        let c: i128 = r
            .platforms
            .iter()
            .map(|p| i128::from(p.exposure.bands[i].1))
            .sum();
        let _ = writeln!(
            h,
            "<tr><td class=\"t\">{name}</td><td>{}</td><td>{}</td></tr>",
            count(l),
            yuan(c)
        );
        band_lenders.push(l as f64);
    }
    let _ = writeln!(h, "</table></div><div class=\"charts\">");
    h.push_str(&bars(
        "债权规模 claims by size (lender × platform)",
        &band_names.map(String::from),
        &band_lenders,
        "人次 rows",
        &[COLORS[5]],
        true,
    )?);
    let _ = writeln!(h, "</div>");

    // 三降.
    let _ = writeln!(h, "<h2>三降 Projection</h2><div class=\"charts\">{}</div><div class=\"wrap\"><table><tr><th>阶段 stage</th><th>截至 ends on</th><th>平台 platforms</th><th>余额 outstanding (元)</th><th>出借人 lenders</th><th class=\"t\">目标 targets</th></tr>", curve(r.plan)?);
    for s in &r.plan.stages {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{} ({:.1}%)</td><td>{} ({:.1}%)</td><td>{} ({:.1}%)</td><td class=\"t\">{}</td></tr>",
            s.stage,
            s.ends_on,
            count(s.platforms_remaining),
            s.platforms_remaining_pct,
            yuan(s.outstanding_remaining.into()),
            s.outstanding_remaining_pct,
            count(s.lenders_remaining),
            s.lenders_remaining_pct,
            esc(&s.targets.iter().map(|t| t.0.as_str()).collect::<Vec<_>>().join("; "))
        );
    }
    let _ = writeln!(h, "</table></div>");
    deadline_section(&mut h, r.plan);

    // Payouts.
    let _ = writeln!(h, "<h2>兑付比例 Payout ratio per platform</h2>");
    if r.payout_ratios.is_empty() {
        let _ = writeln!(h, "<p>无兑付轮次 no payout rounds (no recoveries).</p>");
    } else {
        // A readable chart: at most 40 bars, the lowest ratios (the platforms most behind).
        let mut shown: Vec<&(String, i64, i64, Option<f64>)> = r.payout_ratios.iter().collect();
        shown.sort_by(|a, b| {
            a.3.unwrap_or(0.0)
                .total_cmp(&b.3.unwrap_or(0.0))
                .then(a.0.cmp(&b.0))
        });
        shown.truncate(40);
        let labels: Vec<String> = shown.iter().map(|p| p.0.clone()).collect();
        let ratios: Vec<f64> = shown.iter().map(|p| p.3.unwrap_or(0.0) * 100.0).collect();
        let title = if r.payout_ratios.len() > 40 {
            "累计兑付比例最低的 40 家 the 40 lowest payout ratios (%)"
        } else {
            "累计兑付比例 paid + reserved / claim (%)"
        };
        let _ = writeln!(
            h,
            "<div class=\"charts\">{}</div>",
            bars(title, &labels, &ratios, "%", &[COLORS[4]], false)?
        );
        let _ = writeln!(h, "<div class=\"wrap\"><table><tr><th class=\"t\">平台 platform</th><th>债权 claim (元)</th><th>已兑付及提存 paid + reserved (元)</th><th>比例 ratio</th></tr>");
        for (p, c, g, ratio) in &r.payout_ratios {
            let _ = writeln!(
                h,
                "<tr><td class=\"t\"><a href=\"#p-{0}\">{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td></tr>",
                esc(p),
                yuan((*c).into()),
                yuan((*g).into()),
                ratio.map_or("—".into(), |x| format!("{:.2}%", x * 100.0))
            );
        }
        let _ = writeln!(h, "</table></div>");
    }

    // Platforms, each linking to its page.
    let _ = writeln!(h, "<h2>平台一览 Platforms</h2><div class=\"wrap\"><table><tr><th class=\"t\">平台 platform</th><th class=\"t\">名称 name</th><th class=\"t\">属地 district</th><th class=\"t\">类别 class</th><th>出借余额 outstanding (元)</th><th>在贷出借人 lenders</th><th>阶段 stage</th><th class=\"t\">理由 reason</th></tr>");
    let stage_of: std::collections::HashMap<&str, &crate::rules::plan::Entry> = r
        .plan
        .entries
        .iter()
        .map(|e| (e.input.platform_id.as_str(), e))
        .collect();
    for PlatformRow {
        metrics: m,
        class: c,
        ..
    } in r.platforms
    {
        let _ = writeln!(
            h,
            "<tr><td class=\"t\"><a href=\"#p-{0}\">{0}</a></td><td class=\"t\">{1}</td><td class=\"t\">{2}</td><td class=\"t\">{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td class=\"t\">{7}</td></tr>",
            esc(&m.platform_id),
            esc(&m.name),
            esc(&m.district),
            c.class.zh(),
            yuan(m.lender_outstanding.into()),
            count(m.lenders_current),
            stage_of.get(m.platform_id.as_str()).map_or(String::new(), |e| e.stage.to_string()),
            esc(&c.reason_zh)
        );
    }
    let _ = writeln!(h, "</table></div>");

    // 一企一策 pages.
    let _ = writeln!(h, "<h2>一企一策 Per-platform plans</h2>");
    for PlatformRow {
        metrics: m,
        class: c,
        exposure: x,
    } in r.platforms
    {
        let _ = writeln!(
            h,
            "<section class=\"platform\" id=\"p-{}\">",
            esc(&m.platform_id)
        );
        let _ = writeln!(
            h,
            "<h3>{} {}（{}）— {} {}</h3>",
            esc(&m.platform_id),
            esc(&m.name),
            esc(&m.district),
            c.class.zh(),
            c.class.code()
        );
        let _ = writeln!(h, "<p>{}<br>{}</p>", esc(&c.reason_zh), esc(&c.reason_en));
        let _ = writeln!(
            h,
            "<table><tr><th class=\"t\">出借余额 lender outstanding</th><td>{}</td><th class=\"t\">借款余额 loan outstanding</th><td>{}</td></tr><tr><th class=\"t\">在贷出借人 current lenders</th><td>{}</td><th class=\"t\">债权 total claim</th><td>{}</td></tr><tr><th class=\"t\">预计回收 expected recovery</th><td>{}</td><th class=\"t\">预计兑付率 expected payout ratio</th><td>{}</td></tr></table>",
            yuan(m.lender_outstanding.into()),
            yuan(m.loan_outstanding.into()),
            count(m.lenders_current),
            yuan(x.total_claim.into()),
            yuan(m.expected_recovery.into()),
            if x.total_claim > 0 { format!("{:.1}%", m.expected_recovery as f64 * 100.0 / x.total_claim as f64) } else { "—".into() }
        );
        let _ = writeln!(h, "<table><tr><th class=\"t\">规则 rule</th><th>值 value</th><th>阈值 threshold</th><th>触发 fired</th></tr>");
        for rule in &c.reasons {
            let f = |v: Option<f64>| v.map_or("—".to_string(), |v| as_written(rule.rule, v));
            let _ = writeln!(
                h,
                "<tr><td class=\"t\">{} <span class=\"note\">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                rule_zh(rule.rule),
                rule.rule,
                f(rule.value),
                f(rule.threshold),
                if rule.fired { "是 yes" } else { "否 no" }
            );
        }
        let _ = writeln!(h, "</table>");
        if let Some(e) = stage_of.get(m.platform_id.as_str()) {
            let _ = writeln!(
                h,
                "<p>处置方式 action: <b>{}</b> ({})；责任单位 responsible: {}；阶段 stage {}：{} → {}</p><table><tr><th class=\"t\">步骤 step</th><th>截止 due</th></tr>",
                e.action_zh,
                e.action,
                esc(&e.responsible_units.join("、")),
                e.stage,
                e.start_on,
                e.complete_by
            );
            for s in &e.steps {
                let _ = writeln!(
                    h,
                    "<tr><td class=\"t\">{} {}</td><td>{}</td></tr>",
                    s.step_zh, s.step, s.due_on
                );
            }
            let _ = writeln!(h, "</table>");
        }
        let _ = writeln!(h, "<p><a href=\"#top\">↑</a></p></section>");
    }
    let _ = writeln!(h, "</body></html>");
    Ok(h)
}

/// The deadline: capacity needed against configured, and the platforms at risk by name.
fn deadline_section(h: &mut String, plan: &Plan) {
    use std::fmt::Write;
    let Some(deadline) = plan.deadline else {
        return;
    };
    let limit = |v: Option<i64>, money: bool| match v {
        None => "不限 no limit".to_string(),
        Some(v) if money => yuan(v.into()),
        Some(v) => v.to_string(),
    };
    let _ = writeln!(
        h,
        "<h2>完成期限 Deadline {deadline}</h2><div class=\"wrap\"><table><tr><th>每阶段容量 capacity per stage</th><th>配置 configured</th><th>按期所需 needed</th></tr>"
    );
    for r in plan.capacity_rows() {
        let (what, c, n, money) = (r.label, r.configured, r.used, r.money);
        let _ = writeln!(
            h,
            "<tr><td>{what}</td><td>{}</td><td>{}</td></tr>",
            limit(c, money),
            limit(n, money)
        );
    }
    let _ = writeln!(h, "</table></div>");
    let risky: Vec<_> = plan.at_risk().collect();
    if risky.is_empty() {
        let _ = writeln!(
            h,
            "<p>全部平台均可按期完成。/ Every platform finishes by the deadline.</p>"
        );
        return;
    }
    let _ = writeln!(
        h,
        "<p>无论容量多大都无法按期完成的平台 {} 家 / {} platform(s) cannot finish by the deadline whatever the capacity:</p><div class=\"wrap\"><table><tr><th>平台 platform</th><th>名称 name</th><th>类别 class</th><th>最早完成 earliest</th><th class=\"t\">原因 reason</th></tr>",
        risky.len(),
        risky.len()
    );
    for (e, r) in risky {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"t\">{}</td></tr>",
            esc(&e.input.platform_id),
            esc(&e.input.name),
            e.input.class.zh(),
            r.earliest,
            esc(&r.reason_zh)
        );
    }
    let _ = writeln!(h, "</table></div>");
}
