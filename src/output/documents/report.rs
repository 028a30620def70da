//! Report: report.html, one self-contained file (no network, no scripts), labels in Chinese
//! first with English, charts as inline SVG: the class table and charts, outstanding and
//! lenders by class, districts (属地) by affected lenders and claims, claim size bands, the 三降
//! projection over the stage ends' dates, payout ratio per platform, and each platform's
//! 一企一策 page reachable from its row. Rendered by a compile-time template that escapes
//! every value; figures formatted by `crate::present`.

use askama::Template;

use crate::domain::class::Class;
use crate::error::Result;
use crate::output::documents::chart::{self, Bar, Markup, Scale, Series};
use crate::present::lang::{bi, short, Lang};
use crate::present::number::{count, count_u, fen, percent, share, wan, yuan};
use crate::present::palette;
use crate::present::rule;
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

/// The payout chart shows at most this many platforms (the lowest ratios).
const PAYOUT_BARS: usize = 40;

/// A district's line: its name, lenders, claims in yuan.
type DistrictRow = (String, String, String);
/// A claim band's line: its name, rows, claims in yuan.
type BandRow = (&'static str, String, String);

/// The districts the charts show (the table lists all).
const DISTRICT_BARS: usize = 12;

struct ClassRow {
    zh: &'static str,
    code: &'static str,
    color: String,
    platforms: String,
    outstanding: String,
    lenders: String,
    claim: String,
    recovery: String,
}

struct StageLine {
    stage: u32,
    ends_on: String,
    starts: String,
    completions: String,
    platforms: String,
    outstanding: String,
    lenders: String,
    targets: String,
}

struct Capacity {
    what: String,
    configured: String,
    needed: String,
}

struct AtRiskRow {
    id: String,
    name: String,
    class_zh: &'static str,
    class: &'static str,
    earliest: String,
    reason_zh: String,
    reason: String,
}

struct Deadline {
    date: String,
    capacity: Vec<Capacity>,
    at_risk: Vec<AtRiskRow>,
}

struct PayoutRow {
    id: String,
    claim: String,
    granted: String,
    ratio: String,
}

struct PlatformLine {
    id: String,
    name: String,
    district: String,
    class_zh: &'static str,
    class: &'static str,
    color: String,
    outstanding: String,
    lenders: String,
    stage: String,
    reason_zh: String,
    reason_en: String,
}

struct RuleLine {
    zh: &'static str,
    rule: &'static str,
    value: String,
    threshold: String,
    fired: bool,
}

struct Step {
    zh: &'static str,
    code: &'static str,
    due: String,
}

struct PlanPart {
    action_zh: String,
    action: String,
    responsible: String,
    stage: u32,
    start: String,
    complete: String,
    steps: Vec<Step>,
}

struct Page {
    id: String,
    name: String,
    district: String,
    class_zh: &'static str,
    class: &'static str,
    reason_zh: String,
    reason_en: String,
    outstanding: String,
    loan_outstanding: String,
    lenders: String,
    claim: String,
    recovery: String,
    expected_ratio: String,
    rules: Vec<RuleLine>,
    plan: Option<PlanPart>,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r##"<!DOCTYPE html>
<html lang="{{ lang.html() }}"><head><meta charset="utf-8"><title>{{ title }}</title><style>
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 24px auto; max-width: 1100px; color: rgb(34,34,34); padding: 0 16px; }
h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 2px solid rgb(192,57,43); padding-bottom: 4px; margin-top: 36px; }
table { border-collapse: collapse; margin: 10px 0; font-size: 13px; max-width: 100%; }
th, td { border: 1px solid rgb(204,204,204); padding: 4px 8px; text-align: right; vertical-align: top; font-variant-numeric: tabular-nums; }
th { background: rgb(243,243,243); } td.t, th.t { text-align: left; } td.nw, th.nw { white-space: nowrap; } td.why { min-width: 16em; }
.sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: baseline; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; } .charts svg { max-width: 100%; height: auto; border: 1px solid rgb(238,238,238); }
.wrap { overflow-x: auto; } .note { color: rgb(102,102,102); font-size: 12px; }
section.platform { border-top: 1px dashed rgb(153,153,153); margin-top: 28px; page-break-before: always; }
@page { size: A4; margin: 20mm 14mm 16mm 14mm;
  @top-center { content: "{{ running_head }}"; font-size: 9pt; color: rgb(85,85,85); }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: rgb(85,85,85); } }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
  .charts svg { max-width: 100%; border: none; }
  .wrap { overflow: visible; }
  .keep { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, .charts svg { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 9pt; }
  a { color: inherit; text-decoration: none; }
}
</style></head><body id="top">
<h1>{% if lang != Lang::En %}网贷机构风险处置报告{% endif %}{% if lang == Lang::Both %}<br>{% endif %}{% if lang != Lang::Zh %}<small>P2P lending wind-down report</small>{% endif %}</h1>
<p>{{ self.t("数据截至", "as of") }} <b>{{ as_of }}</b>；{{ self.t("平台", "platforms") }} <b>{{ platforms }}</b>；{{ self.t("读入", "rows read") }} {{ rows_read }}，{{ self.t("拒收", "rejected") }} {{ rows_rejected }}（rejects.csv）。</p>

<div class="keep"><h2>{{ self.t("分类", "Classes") }}</h2>
<div class="wrap"><table><tr><th class="t">{{ self.t("类别", "class") }}</th><th>{{ self.t("平台", "platforms") }}</th><th>{{ self.t("出借余额", "outstanding") }} ({{ self.unit("万元", "10k yuan") }})</th><th>{{ self.t("在贷出借人", "current lenders") }}</th><th>{{ self.t("债权", "total claim") }} ({{ self.unit("万元", "10k yuan") }})</th><th>{{ self.t("预计回收", "expected recovery") }} ({{ self.unit("万元", "10k yuan") }})</th></tr>
{% for c in classes %}<tr><td class="t nw"><span class="sw" style="background:{{ c.color }}"></span>{{ self.t(c.zh, c.code) }}</td><td>{{ c.platforms }}</td><td>{{ c.outstanding }}</td><td>{{ c.lenders }}</td><td>{{ c.claim }}</td><td>{{ c.recovery }}</td></tr>
{% endfor %}</table></div></div>
<div class="charts">{% for c in class_charts %}{{ c|safe }}{% endfor %}</div>

<div class="keep"><h2>{{ self.t("属地", "Lenders by district") }}</h2><p class="note">{{ district_note }}</p>
<div class="charts">{% for c in district_charts %}{{ c|safe }}{% endfor %}</div></div>
<div class="wrap"><table><tr><th class="t">{{ self.t("属地", "district") }}</th><th>{{ self.t("涉及出借人", "lenders") }}</th><th>{{ self.t("债权", "claims") }} ({{ self.unit("元", "yuan") }})</th></tr>
{% for d in districts %}<tr><td class="t">{{ d.0 }}</td><td>{{ d.1 }}</td><td>{{ d.2 }}</td></tr>
{% endfor %}</table></div>

<div class="keep"><h2>{{ self.t("债权规模分布", "Claim size bands") }}</h2><div class="wrap"><table><tr><th class="t">{{ self.t("区间", "band") }}</th><th>{{ self.t("出借人", "lender rows") }}</th><th>{{ self.t("债权", "claim") }} ({{ self.unit("元", "yuan") }})</th></tr>
{% for b in bands %}<tr><td class="t">{{ b.0 }}</td><td>{{ b.1 }}</td><td>{{ b.2 }}</td></tr>
{% endfor %}</table></div>
<div class="charts">{{ band_chart|safe }}</div></div>

<div class="keep"><h2>{{ self.t("三降", "Projection") }}</h2><div class="charts">{{ curve|safe }}</div></div>
<p class="note">{{ self.t("开始：该阶段开始退出的平台；完成：到该阶段末已完成退出的平台（退出需数月，二者不同）。", "Starts: platforms whose exit begins in the stage; completions: those complete by its end (an exit takes months).") }}</p>
<div class="wrap"><table><tr><th>{{ self.t("阶段", "stage") }}</th><th>{{ self.t("截至", "ends on") }}</th><th>{{ self.t("开始", "starts") }}</th><th>{{ self.t("完成", "completions") }}</th><th>{{ self.t("剩余平台", "platforms") }}</th><th>{{ self.t("剩余余额", "outstanding") }} ({{ self.unit("元", "yuan") }})</th><th>{{ self.t("剩余出借人", "lenders") }}</th><th class="t">{{ self.t("目标", "targets") }}</th></tr>
{% for s in stages %}<tr><td>{{ s.stage }}</td><td class="nw">{{ s.ends_on }}</td><td>{{ s.starts }}</td><td>{{ s.completions }}</td><td>{{ s.platforms }}</td><td>{{ s.outstanding }}</td><td>{{ s.lenders }}</td><td class="t">{{ s.targets }}</td></tr>
{% endfor %}</table></div>
{% if let Some(d) = deadline %}<div class="keep"><h2>{{ self.t("完成期限", "Deadline") }} {{ d.date }}</h2><div class="wrap"><table><tr><th class="t">{{ self.t("每阶段容量", "capacity per stage") }}</th><th>{{ self.t("配置", "configured") }}</th><th>{{ self.t("按期所需", "needed") }}</th></tr>
{% for c in d.capacity %}<tr><td class="t">{{ c.what }}</td><td>{{ c.configured }}</td><td>{{ c.needed }}</td></tr>
{% endfor %}</table></div></div>
{% if d.at_risk.is_empty() %}<p>{{ self.t("全部平台均可按期完成。", "Every platform finishes by the deadline.") }}</p>
{% else %}<p>{{ self.t("无论容量多大都无法按期完成的平台", "Platforms that cannot finish by the deadline whatever the capacity") }}: {{ d.at_risk.len() }}</p><div class="wrap"><table><tr><th class="t">{{ self.t("平台", "platform") }}</th><th class="t">{{ self.t("名称", "name") }}</th><th class="t">{{ self.t("类别", "class") }}</th><th>{{ self.t("最早完成", "earliest") }}</th><th class="t">{{ self.t("原因", "reason") }}</th></tr>
{% for r in d.at_risk %}<tr><td class="t nw"><a href="#p-{{ r.id }}">{{ r.id }}</a></td><td class="t nw">{{ r.name }}</td><td class="t nw">{{ self.t(r.class_zh, r.class) }}</td><td class="nw">{{ r.earliest }}</td><td class="t why">{{ self.t(r.reason_zh, r.reason) }}</td></tr>
{% endfor %}</table></div>{% endif %}{% endif %}

<div class="keep"><h2>{{ self.t("兑付比例", "Payout ratio per platform") }}</h2>
{% if payouts.is_empty() %}<p>{{ self.t("无兑付轮次（无回收款）。", "No payout rounds (no recoveries).") }}</p></div>
{% else %}<div class="charts">{{ payout_chart|safe }}</div></div>
<div class="wrap"><table><tr><th class="t">{{ self.t("平台", "platform") }}</th><th>{{ self.t("债权", "claim") }} ({{ self.unit("元", "yuan") }})</th><th>{{ self.t("已兑付及提存", "paid + reserved") }} ({{ self.unit("元", "yuan") }})</th><th>{{ self.t("比例", "ratio") }}</th></tr>
{% for p in payouts %}<tr><td class="t"><a href="#p-{{ p.id }}">{{ p.id }}</a></td><td>{{ p.claim }}</td><td>{{ p.granted }}</td><td>{{ p.ratio }}</td></tr>
{% endfor %}</table></div>{% endif %}

<h2>{{ self.t("平台一览", "Platforms") }}</h2><div class="wrap"><table><tr><th class="t">{{ self.t("平台", "platform") }}</th><th class="t">{{ self.t("名称", "name") }}</th><th class="t">{{ self.t("属地", "district") }}</th><th class="t">{{ self.t("类别", "class") }}</th><th>{{ self.t("出借余额", "outstanding") }} ({{ self.unit("元", "yuan") }})</th><th>{{ self.t("在贷出借人", "lenders") }}</th><th>{{ self.t("阶段", "stage") }}</th><th class="t">{{ self.t("理由", "reason") }}</th></tr>
{% for p in platform_rows %}<tr><td class="t nw"><a href="#p-{{ p.id }}">{{ p.id }}</a></td><td class="t nw">{{ p.name }}</td><td class="t nw">{{ p.district }}</td><td class="t nw"><span class="sw" style="background:{{ p.color }}"></span>{{ self.t(p.class_zh, p.class) }}</td><td class="nw">{{ p.outstanding }}</td><td>{{ p.lenders }}</td><td>{{ p.stage }}</td><td class="t why">{{ self.t(p.reason_zh, p.reason_en) }}</td></tr>
{% endfor %}</table></div>

<h2>{{ self.t("一企一策", "Per-platform plans") }}</h2>
{% for p in pages %}<section class="platform" id="p-{{ p.id }}">
<h3>{{ p.id }} {{ p.name }}（{{ p.district }}）— {{ self.t(p.class_zh, p.class) }}</h3>
<p>{% if lang != Lang::En %}{{ p.reason_zh }}{% endif %}{% if lang == Lang::Both %}<br>{% endif %}{% if lang != Lang::Zh %}{{ p.reason_en }}{% endif %}</p>
<table><tr><th class="t">{{ self.t("出借余额", "lender outstanding") }} ({{ self.unit("元", "yuan") }})</th><td>{{ p.outstanding }}</td><th class="t">{{ self.t("借款余额", "loan outstanding") }} ({{ self.unit("元", "yuan") }})</th><td>{{ p.loan_outstanding }}</td></tr><tr><th class="t">{{ self.t("在贷出借人", "current lenders") }}</th><td>{{ p.lenders }}</td><th class="t">{{ self.t("债权", "total claim") }} ({{ self.unit("元", "yuan") }})</th><td>{{ p.claim }}</td></tr><tr><th class="t">{{ self.t("预计回收", "expected recovery") }} ({{ self.unit("元", "yuan") }})</th><td>{{ p.recovery }}</td><th class="t">{{ self.t("预计兑付率", "expected payout ratio") }}</th><td>{{ p.expected_ratio }}</td></tr></table>
<table><tr><th class="t">{{ self.t("规则", "rule") }}</th><th>{{ self.t("值", "value") }}</th><th>{{ self.t("阈值", "threshold") }}</th><th>{{ self.t("触发", "fired") }}</th></tr>
{% for r in p.rules %}<tr><td class="t">{% if lang != Lang::En %}{{ r.zh }} {% endif %}<span class="note">{{ r.rule }}</span></td><td>{{ r.value }}</td><td>{{ r.threshold }}</td><td>{% if r.fired %}<b>{{ self.t("是", "yes") }}</b>{% else %}{{ self.t("否", "no") }}{% endif %}</td></tr>
{% endfor %}</table>
{% if let Some(e) = p.plan %}<p>{{ self.t("处置方式", "action") }}: <b>{{ self.t(e.action_zh, e.action) }}</b>；{{ self.t("责任单位", "responsible") }}: {{ e.responsible }}；{{ self.t("阶段", "stage") }} {{ e.stage }}：{{ e.start }} → {{ e.complete }}</p><table><tr><th class="t">{{ self.t("步骤", "step") }}</th><th>{{ self.t("截止", "due") }}</th></tr>
{% for s in e.steps %}<tr><td class="t">{{ self.t(s.zh, s.code) }}</td><td>{{ s.due }}</td></tr>
{% endfor %}</table>{% endif %}
<p><a href="#top">↑</a></p></section>
{% endfor %}</body></html>
"##
)]
struct Report {
    lang: Lang,
    running_head: String,
    title: &'static str,
    as_of: String,
    platforms: String,
    rows_read: String,
    rows_rejected: String,
    classes: Vec<ClassRow>,
    class_charts: Vec<Markup>,
    district_note: String,
    district_charts: Vec<Markup>,
    /// (district, lenders, claims)
    districts: Vec<DistrictRow>,
    /// (band, lender rows, claims)
    bands: Vec<BandRow>,
    band_chart: Markup,
    curve: Markup,
    stages: Vec<StageLine>,
    deadline: Option<Deadline>,
    payouts: Vec<PayoutRow>,
    payout_chart: Markup,
    platform_rows: Vec<PlatformLine>,
    pages: Vec<Page>,
}

impl Report {
    /// A label in the report's language.
    fn t(&self, zh: &str, en: &str) -> String {
        self.lang.pick(zh, en)
    }

    /// A unit in the report's language: the Chinese unless English alone.
    fn unit<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.short(zh, en)
    }
}

/// Fen as 万元 for a chart's bar.
fn wan_f(fen: i128) -> f64 {
    fen as f64 / 1_000_000.0
}

/// The whole report.
pub fn html(r: &ReportInput) -> Result<String> {
    let as_of = r.as_of.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let (classes, class_charts) = classes(r)?;
    let (districts, district_charts) = districts(r)?;
    let (bands, band_chart) = bands(r)?;
    let (stages, curve) = stages(r.plan)?;
    let (payouts, payout_chart) = payouts(r)?;
    let (platform_rows, pages) = platforms(r);
    let lang = crate::present::Lang::current();
    let report = Report {
        lang,
        running_head: running_head(lang, &as_of),
        title: TITLE,
        as_of,
        platforms: count_u(r.platforms.len()),
        rows_read: count_u(r.rows_read),
        rows_rejected: count_u(r.rows_rejected),
        classes,
        class_charts,
        district_note: bi(
            &format!("出借人所在地，按涉及出借人数与债权（一个出借人可涉及多类平台）；图为出借人最多的 {DISTRICT_BARS} 个属地。"),
            &format!("Where lenders live: lenders affected and claims (a lender may count under several classes); the charts show the {DISTRICT_BARS} districts with the most lenders."),
        ),
        district_charts,
        districts,
        bands,
        band_chart,
        curve,
        stages,
        deadline: deadline(r.plan),
        payouts,
        payout_chart,
        platform_rows,
        pages,
    };
    Ok(Markup::of(&report)?.to_string())
}

/// The classes in work-plan order — platforms, outstanding, lenders, claims, expected
/// recovery — and their three charts.
fn classes(r: &ReportInput) -> Result<(Vec<ClassRow>, Vec<Markup>)> {
    let totals: Vec<(Class, crate::rules::ClassTotals)> = Class::WORK_PLAN
        .into_iter()
        .map(|c| (c, crate::rules::ClassTotals::of(r.platforms, c)))
        .collect();
    let classes = totals
        .iter()
        .map(|(c, t)| ClassRow {
            zh: c.zh(),
            code: c.code(),
            color: palette::class(*c).css(),
            platforms: count_u(t.platforms),
            outstanding: wan(t.lender_outstanding),
            lenders: count(t.lenders_current),
            claim: wan(t.total_claim),
            recovery: wan(t.expected_recovery),
        })
        .collect();
    let class_bars = |f: &dyn Fn(&crate::rules::ClassTotals) -> f64| -> Vec<Bar> {
        totals
            .iter()
            .map(|(c, t)| Bar {
                label: crate::present::lang::short(c.zh(), c.code()).to_string(),
                value: f(t),
                color: palette::class(*c),
            })
            .collect()
    };
    let class_charts = vec![
        chart::bars(
            &bi("平台数", "platforms by class"),
            &bi("平台", "platforms"),
            &class_bars(&|t| t.platforms as f64),
            Scale::Count,
        )?,
        chart::bars(
            &bi("出借余额（万元）", "outstanding by class (10k yuan)"),
            short("万元", "10k yuan"),
            &class_bars(&|t| wan_f(t.lender_outstanding)),
            Scale::Amount,
        )?,
        chart::bars(
            &bi("在贷出借人", "current lenders by class"),
            &bi("人", "lenders"),
            &class_bars(&|t| t.lenders_current as f64),
            Scale::Count,
        )?,
    ];
    Ok((classes, class_charts))
}

/// The lenders' districts, the most lenders first: the table of all and the charts of the
/// first [`DISTRICT_BARS`].
fn districts(r: &ReportInput) -> Result<(Vec<DistrictRow>, Vec<Markup>)> {
    let mut by_district: std::collections::BTreeMap<String, (i64, i128)> =
        std::collections::BTreeMap::new();
    for (d, _, l, c) in &r.districts {
        let e = by_district
            .entry(
                d.clone()
                    .unwrap_or_else(|| format!("（{}）", bi("未知", "unknown"))),
            )
            .or_default();
        e.0 += l;
        e.1 += i128::from(*c);
    }
    let mut districts: Vec<(String, (i64, i128))> = by_district.into_iter().collect();
    districts.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let top = &districts[..districts.len().min(DISTRICT_BARS)];
    let district_bars = |f: &dyn Fn(&(i64, i128)) -> f64, color| -> Vec<Bar> {
        top.iter()
            .map(|(d, v)| Bar {
                label: d.clone(),
                value: f(v),
                color,
            })
            .collect()
    };
    let district_charts = vec![
        chart::bars(
            &bi("属地涉及出借人", "lenders by district"),
            &bi("人", "lenders"),
            &district_bars(&|v| v.0 as f64, palette::BAR),
            Scale::Count,
        )?,
        chart::bars(
            &bi("属地债权（万元）", "claims by district (10k yuan)"),
            short("万元", "10k yuan"),
            &district_bars(&|v| wan_f(v.1), palette::series(1)),
            Scale::Amount,
        )?,
    ];
    let rows = districts
        .iter()
        .map(|(d, (l, c))| (d.clone(), count(*l), yuan(*c)))
        .collect();
    Ok((rows, district_charts))
}

/// Claims by size (lender × platform): rows and claims per band, and the chart.
fn bands(r: &ReportInput) -> Result<(Vec<BandRow>, Markup)> {
    let band_names = ["<1万", "1–5万", "5–10万", "10–50万", "50–100万", "≥100万"];
    let band_sums: Vec<(i64, i128)> = (0..band_names.len())
        .map(|i| {
            r.platforms.iter().fold((0, 0), |(l, c), p| {
                (
                    l + p.exposure.bands[i].0,
                    c + i128::from(p.exposure.bands[i].1),
                )
            })
        })
        .collect();
    let band_chart = chart::bars(
        &bi("债权规模", "claims by size (lender × platform)"),
        &bi("人次", "rows"),
        &band_names
            .iter()
            .zip(&band_sums)
            .map(|(n, (l, _))| Bar {
                label: n.to_string(),
                value: *l as f64,
                color: palette::BAR,
            })
            .collect::<Vec<_>>(),
        Scale::Count,
    )?;
    let rows = band_names
        .iter()
        .zip(&band_sums)
        .map(|(n, (l, c))| (*n, count(*l), yuan(*c)))
        .collect();
    Ok((rows, band_chart))
}

/// The plan's stages with what remains after each, and the 三降 curve over their end dates.
fn stages(plan: &Plan) -> Result<(Vec<StageLine>, Markup)> {
    // 三降 over the stage ends' dates.
    let dates: Vec<String> = plan.stages.iter().map(|s| s.ends_on.to_string()).collect();
    type Measure = fn(&crate::rules::plan::StageRow) -> f64;
    let measures: [(String, Measure); 3] = [
        (bi("平台", "platforms"), |s| s.platforms_remaining_pct),
        (bi("余额", "outstanding"), |s| s.outstanding_remaining_pct),
        (bi("出借人", "lenders"), |s| s.lenders_remaining_pct),
    ];
    let curve = chart::lines(
        &bi(
            "三降 预计压降曲线",
            "projected reduction (% of start remaining)",
        ),
        &bi("% 剩余", "% remaining"),
        &dates,
        &measures
            .iter()
            .zip(palette::MEASURES)
            .map(|((name, f), color)| Series {
                name: name.to_string(),
                color,
                values: plan.stages.iter().map(|s| Some(f(s))).collect(),
            })
            .collect::<Vec<_>>(),
        Scale::Percent,
    )?;
    let stages = plan
        .stages
        .iter()
        .zip(plan.completions())
        .map(|(s, done)| StageLine {
            stage: s.stage,
            ends_on: s.ends_on.to_string(),
            starts: count(s.platforms),
            completions: count(done),
            platforms: format!(
                "{} ({})",
                count(s.platforms_remaining),
                percent(s.platforms_remaining_pct, 1)
            ),
            outstanding: format!(
                "{} ({})",
                fen(s.outstanding_remaining),
                percent(s.outstanding_remaining_pct, 1)
            ),
            lenders: format!(
                "{} ({})",
                count(s.lenders_remaining),
                percent(s.lenders_remaining_pct, 1)
            ),
            targets: s
                .targets
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    Ok((stages, curve))
}

/// Payouts: the table in platform order; the chart the same order, of at most
/// [`PAYOUT_BARS`] platforms (the lowest ratios when there are more).
fn payouts(r: &ReportInput) -> Result<(Vec<PayoutRow>, Markup)> {
    let mut ratios: Vec<&(String, i64, i64, Option<f64>)> = r.payout_ratios.iter().collect();
    ratios.sort_by(|a, b| a.0.cmp(&b.0));
    let mut shown = ratios.clone();
    if shown.len() > PAYOUT_BARS {
        shown.sort_by(|a, b| {
            a.3.unwrap_or(0.0)
                .total_cmp(&b.3.unwrap_or(0.0))
                .then(a.0.cmp(&b.0))
        });
        shown.truncate(PAYOUT_BARS);
        shown.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let payout_title = if ratios.len() > PAYOUT_BARS {
        bi(
            "累计兑付比例最低的 40 家",
            "the 40 lowest payout ratios (%), by platform",
        )
    } else {
        bi("累计兑付比例", "paid + reserved / claim (%), by platform")
    };
    let payout_chart = chart::bars(
        &payout_title,
        "%",
        &shown
            .iter()
            .map(|p| Bar {
                label: p.0.clone(),
                value: p.3.unwrap_or(0.0) * 100.0,
                color: palette::series(2),
            })
            .collect::<Vec<_>>(),
        Scale::Percent,
    )?;
    let payouts = ratios
        .iter()
        .map(|(p, c, g, ratio)| PayoutRow {
            id: p.clone(),
            claim: fen(*c),
            granted: fen(*g),
            ratio: share(*ratio, 2),
        })
        .collect();
    Ok((payouts, payout_chart))
}

/// Every platform's line in the table, and its page.
fn platforms(r: &ReportInput) -> (Vec<PlatformLine>, Vec<Page>) {
    let stage_of: std::collections::HashMap<&str, &crate::rules::plan::Entry> = r
        .plan
        .entries
        .iter()
        .map(|e| (e.input.platform_id.as_str(), e))
        .collect();
    let platform_rows = r
        .platforms
        .iter()
        .map(|p| PlatformLine {
            id: p.metrics.platform_id.clone(),
            name: p.metrics.name.clone(),
            district: p.metrics.district.clone(),
            class_zh: p.class.class.zh(),
            class: p.class.class.code(),
            color: palette::class(p.class.class).css(),
            outstanding: fen(p.metrics.lender_outstanding),
            lenders: count(p.metrics.lenders_current),
            stage: stage_of
                .get(p.metrics.platform_id.as_str())
                .map_or(String::new(), |e| e.stage.to_string()),
            reason_zh: p.class.reason_zh.clone(),
            reason_en: p.class.reason_en.clone(),
        })
        .collect();
    let pages = r
        .platforms
        .iter()
        .map(|p| page(p, stage_of.get(p.metrics.platform_id.as_str()).copied()))
        .collect();
    (platform_rows, pages)
}

/// The line at the top of every printed page, in the language asked for.
fn running_head(lang: Lang, as_of: &str) -> String {
    match lang {
        Lang::Zh => format!("网贷机构风险处置报告 · 数据截至 {as_of}"),
        Lang::En => format!("P2P wind-down report, as of {as_of}"),
        Lang::Both => {
            format!("网贷机构风险处置报告 · 数据截至 {as_of} · P2P wind-down report, as of {as_of}")
        }
    }
}

/// A platform's 一企一策 page.
fn page(p: &PlatformRow, entry: Option<&crate::rules::plan::Entry>) -> Page {
    let (m, c, x) = (&p.metrics, &p.class, &p.exposure);
    let written =
        |rule: &str, v: Option<f64>| v.map_or("—".to_string(), |v| rule::value(rule, v));
    Page {
        id: m.platform_id.clone(),
        name: m.name.clone(),
        district: m.district.clone(),
        class_zh: c.class.zh(),
        class: c.class.code(),
        reason_zh: c.reason_zh.clone(),
        reason_en: c.reason_en.clone(),
        outstanding: fen(m.lender_outstanding),
        loan_outstanding: fen(m.loan_outstanding),
        lenders: count(m.lenders_current),
        claim: fen(x.total_claim),
        recovery: fen(m.expected_recovery),
        expected_ratio: share(
            (x.total_claim.is_positive())
                .then(|| m.expected_recovery.get() as f64 / x.total_claim.get() as f64),
            1,
        ),
        rules: c
            .reasons
            .iter()
            .map(|r| RuleLine {
                zh: rule::zh(r.rule),
                rule: r.rule,
                value: written(r.rule, r.value),
                threshold: written(r.rule, r.threshold),
                fired: r.fired,
            })
            .collect(),
        plan: entry.map(|e| PlanPart {
            action_zh: e.action_zh.to_string(),
            action: e.action.to_string(),
            responsible: e.responsible_units.join("、"),
            stage: e.stage,
            start: e.start_on.to_string(),
            complete: e.complete_by.to_string(),
            steps: e
                .steps
                .iter()
                .map(|s| Step {
                    zh: s.step_zh,
                    code: s.step,
                    due: s.due_on.to_string(),
                })
                .collect(),
        }),
    }
}

/// The deadline: capacity needed against configured, and the platforms at risk by name.
fn deadline(plan: &Plan) -> Option<Deadline> {
    let date = plan.deadline?;
    let limit = |v: Option<i64>, money: bool| match v {
        None => "不限 no limit".to_string(),
        Some(v) if money => fen(v),
        Some(v) => count(v),
    };
    Some(Deadline {
        date: date.to_string(),
        capacity: plan
            .capacity_rows()
            .into_iter()
            .map(|r| Capacity {
                what: bi(r.label_zh, r.label),
                configured: limit(r.configured, r.money),
                needed: limit(r.used, r.money),
            })
            .collect(),
        at_risk: plan
            .at_risk()
            .map(|(e, r)| AtRiskRow {
                id: e.input.platform_id.clone(),
                name: e.input.name.clone(),
                class_zh: e.input.class.zh(),
                class: e.input.class.code(),
                earliest: r.earliest.to_string(),
                reason_zh: r.reason_zh.clone(),
                reason: r.reason.clone(),
            })
            .collect(),
    })
}
