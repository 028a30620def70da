//! The desk's pages: one struct per page, rendered as HTML by a compile-time template that
//! escapes every value, and as JSON by serde from the same struct (`?format=json`), so the
//! twin cannot drift from the page. Tables download as CSV of every matching row
//! (`?format=csv`, UTF-8 with BOM, cells neutralised for Excel). Filters, sort and page live in
//! the URL, so every view can be bookmarked.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::run::{Platform, Round};
use super::Desk;
use crate::domain::money::{grouped, wan_yi};
use crate::domain::text::excel_safe;

/// Rows per page of the platforms table.
const PAGE_ROWS: usize = 50;

/// An amount as the desk shows it: 万元/亿元, the exact yuan on hover.
#[derive(Debug, Clone, Serialize)]
pub struct Money {
    pub fen: i64,
    pub short: String,
    pub exact: String,
}

pub(super) fn money(fen: i64) -> Money {
    // Below 1万元 the 万元 figure would round a real amount to "0万元": the yuan instead.
    let short = if fen.unsigned_abs() < 1_000_000 && fen != 0 {
        format!("{}元", grouped(i128::from(fen)))
    } else {
        wan_yi(i128::from(fen))
    };
    Money {
        fen,
        short,
        exact: grouped(i128::from(fen)),
    }
}

/// `?format=json|csv|xlsx` (and, on the payouts page, `table=rounds|returned|batches`).
#[derive(Debug, Default, Deserialize)]
pub struct Format {
    pub format: Option<String>,
    pub table: Option<String>,
}

/// The page as HTML, or its JSON twin.
pub(super) fn answer<T: Template + Serialize>(
    page: &T,
    title: &str,
    format: Option<&str>,
) -> Response {
    if format == Some("json") {
        return match serde_json::to_string_pretty(page) {
            Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        };
    }
    let body = match page.render() {
        Ok(b) => b,
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    };
    match (Layout { title, body: &body }).render() {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · winddown</title><link rel="stylesheet" href="/assets/desk.css"></head>
<body><header><nav><a href="/">总览 Overview</a> <a href="/platforms">平台 Platforms</a> <a href="/payouts">兑付 Payouts</a> <a href="/progress">进展 Progress</a> <a href="/compare">规则比较 Compare</a> <a href="/vote">表决 Vote</a> <a href="/query">查询 Query</a> <a href="/lenders">出借人 Lender</a></nav></header>
<main>{{ body|safe }}</main>
<footer>winddown · 只读 read-only</footer></body></html>"#
)]
struct Layout<'a> {
    title: &'a str,
    /// Rendered by the page's own template, which escaped every value.
    body: &'a str,
}

// ---------------------------------------------------------------- overview

#[derive(Serialize)]
pub struct ClassLine {
    pub class: String,
    pub class_zh: String,
    pub platforms: u64,
    pub lender_outstanding: String,
    pub lenders_current: i64,
    /// The bar of the chart: the class's outstanding against the largest class's, in pixels
    /// of [`BAR`].
    pub bar: u32,
    /// The class's colour (`crate::present::palette`).
    pub color: String,
}

/// The width of a full bar in the overview's charts (inline SVG, no script).
const BAR: u32 = 240;

/// `part` of `whole` as a bar of at most [`BAR`] pixels (a part above zero shows at least 1).
fn bar(part: i128, whole: i128) -> u32 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    ((part * i128::from(BAR) / whole) as u32).clamp(1, BAR)
}

#[derive(Serialize)]
pub struct StageLine {
    pub stage: u32,
    pub ends_on: String,
    pub platforms_remaining: i64,
    pub outstanding_remaining: String,
    pub lenders_remaining: i64,
    /// Bars of what remains against the start: platforms, outstanding, lenders.
    pub bars: (u32, u32, u32),
    /// The config's 三降 targets due at this stage, and whether each is met.
    pub targets: Vec<(String, bool)>,
}

#[derive(Serialize)]
pub struct AtRisk {
    pub platform_id: String,
    pub name: String,
    pub reason_zh: String,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>网贷机构风险处置 总览 <small>Overview · 数据截至 as of {{ as_of }}</small></h1>
<h2>分类 Classes</h2>
<table><tr><th>类别 class</th><th>平台 platforms</th><th>出借余额 outstanding (元)</th><th>在贷出借人 lenders</th><th>出借余额 outstanding</th></tr>
{% for c in classes %}<tr><td><a href="/platforms?class={{ c.class }}">{{ c.class_zh }} {{ c.class }}</a></td><td class="n">{{ c.platforms }}</td><td class="n">{{ c.lender_outstanding }}</td><td class="n">{{ c.lenders_current }}</td><td><svg class="bar" width="240" height="12" role="img" aria-label="{{ c.lender_outstanding }}"><rect width="{{ c.bar }}" height="12" fill="{{ c.color }}"/></svg></td></tr>
{% endfor %}</table>
<h2>三降 by stage</h2>
<table><tr><th>阶段 stage</th><th>截至 ends on</th><th>剩余平台 platforms</th><th>剩余余额 outstanding (元)</th><th>剩余出借人 lenders</th><th>相对起点 against the start: 平台 · 余额 · 出借人</th><th>目标 targets</th></tr>
{% for s in stages %}<tr><td class="n">{{ s.stage }}</td><td>{{ s.ends_on }}</td><td class="n">{{ s.platforms_remaining }}</td><td class="n">{{ s.outstanding_remaining }}</td><td class="n">{{ s.lenders_remaining }}</td><td><svg class="bar" width="240" height="24" role="img" aria-label="remaining against the start"><rect y="0" width="{{ s.bars.0 }}" height="7" fill="{{ measures.0 }}"/><rect y="8" width="{{ s.bars.1 }}" height="7" fill="{{ measures.1 }}"/><rect y="16" width="{{ s.bars.2 }}" height="7" fill="{{ measures.2 }}"/></svg></td><td>{% for t in s.targets %}{% if t.1 %}达成 met{% else %}<strong>未达成 missed</strong>{% endif %}: {{ t.0 }}<br>{% endfor %}</td></tr>
{% endfor %}</table>
{% if let Some(d) = deadline %}<h2>期限 Deadline {{ d }}</h2>
{% if at_risk.is_empty() %}<p>所有平台均可按期完成 every platform can finish by it.</p>{% else %}<p>无法按期完成 cannot finish by it ({{ at_risk.len() }}):</p>
<ul>{% for r in at_risk %}<li><a href="/platforms/{{ r.platform_id|urlencode_strict }}">{{ r.platform_id }} {{ r.name }}</a>: {{ r.reason_zh }}</li>{% endfor %}</ul>{% endif %}{% endif %}"#
)]
pub struct Overview {
    pub as_of: String,
    pub classes: Vec<ClassLine>,
    pub stages: Vec<StageLine>,
    pub deadline: Option<String>,
    pub at_risk: Vec<AtRisk>,
    /// The colours of the 三降 measures' bars (platforms, outstanding, lenders).
    #[serde(skip)]
    pub measures: (String, String, String),
}

pub async fn overview(State(desk): State<Arc<Desk>>, Query(f): Query<Format>) -> Response {
    let s = &desk.run.summary;
    let fen = |y: &str| crate::domain::money::parse_fen(y).unwrap_or(0);
    let mut by_class: Vec<_> = s.by_class.iter().collect();
    by_class.sort_by_key(|c| crate::domain::class::Class::shown_rank(&c.class));
    let largest = by_class
        .iter()
        .map(|c| i128::from(fen(&c.lender_outstanding)))
        .max()
        .unwrap_or(0);
    let start = s.plan.first();
    let start = (
        start.map_or(0, |st| i128::from(st.platforms_remaining)),
        start.map_or(0, |st| i128::from(fen(&st.outstanding_remaining))),
        start.map_or(0, |st| i128::from(st.lenders_remaining)),
    );
    let [m0, m1, m2] = crate::present::palette::MEASURES.map(|c| c.css());
    let page = Overview {
        measures: (m0, m1, m2),
        as_of: s.as_of.clone().unwrap_or_default(),
        classes: by_class
            .into_iter()
            .map(|c| ClassLine {
                class: c.class.clone(),
                class_zh: c.class_zh.clone(),
                platforms: c.platforms,
                lender_outstanding: grouped(i128::from(fen(&c.lender_outstanding))),
                lenders_current: c.lenders_current,
                bar: bar(i128::from(fen(&c.lender_outstanding)), largest),
                color: crate::present::Class::of_code(&c.class)
                    .map_or(crate::present::palette::BAR, crate::present::palette::class)
                    .css(),
            })
            .collect(),
        stages: s
            .plan
            .iter()
            .map(|st| StageLine {
                stage: st.stage,
                ends_on: st.ends_on.clone(),
                platforms_remaining: st.platforms_remaining,
                outstanding_remaining: grouped(i128::from(fen(&st.outstanding_remaining))),
                lenders_remaining: st.lenders_remaining,
                targets: st
                    .targets
                    .iter()
                    .map(|t| (t.target.clone(), t.met))
                    .collect(),
                bars: (
                    bar(i128::from(st.platforms_remaining), start.0),
                    bar(i128::from(fen(&st.outstanding_remaining)), start.1),
                    bar(i128::from(st.lenders_remaining), start.2),
                ),
            })
            .collect(),
        deadline: s.deadline.as_ref().map(|d| d.deadline.clone()),
        at_risk: desk
            .run
            .platforms
            .iter()
            .filter(|p| p.at_risk)
            .map(|p| AtRisk {
                platform_id: p.platform_id.clone(),
                name: p.name.clone(),
                reason_zh: p.at_risk_reason_zh.clone(),
            })
            .collect(),
    };
    answer(&page, "总览 Overview", f.format.as_deref())
}

// ---------------------------------------------------------------- platforms

/// The platforms table's filters, sort and page, all in the URL.
#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub struct Filters {
    pub class: Option<String>,
    /// How a failed platform failed (filed, hostile, voluntary).
    pub subclass: Option<String>,
    pub district: Option<String>,
    /// The plan's action (its Chinese name, as the facet shows it).
    pub action: Option<String>,
    pub stage: Option<i64>,
    /// `yes`: only the platforms that cannot finish by the deadline.
    pub at_risk: Option<String>,
    /// Part of the id or the name.
    pub q: Option<String>,
    /// `outstanding` (largest first, the default), `lenders`, `id`, `stage`.
    pub sort: Option<String>,
    pub page: Option<usize>,
    pub format: Option<String>,
    /// The columns shown (`col=` repeated in the URL, keys of [`CHOOSABLE`]); none given: the
    /// default set.
    #[serde(skip_deserializing)]
    pub cols: Vec<String>,
}

/// The platforms table's columns a reader may choose, in the order they are shown: (key in
/// the URL, header).
pub const CHOOSABLE: [(&str, &str); 15] = [
    ("name", "名称 name"),
    ("district", "属地 district"),
    ("class", "类别 class"),
    ("subclass", "细类 subclass"),
    ("lender_outstanding", "出借余额 outstanding"),
    ("lenders_current", "在贷出借人 lenders"),
    ("loan_outstanding", "借款余额 loans"),
    ("expected_recovery", "预计可回收 expected recovery"),
    ("total_claim", "债权合计 claims"),
    ("claim_lenders", "债权人数 claimants"),
    ("stage", "阶段 stage"),
    ("action", "处置 action"),
    ("start_on", "开始 start"),
    ("complete_by", "完成期限 complete by"),
    ("at_risk_reason", "无法按期原因 at-risk reason"),
];

/// The columns shown when the URL names none.
const DEFAULT_COLUMNS: [&str; 7] = [
    "name",
    "district",
    "class",
    "lender_outstanding",
    "lenders_current",
    "stage",
    "action",
];

/// One cell of the platforms table as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub text: String,
    /// The exact amount on hover, for money.
    pub title: String,
    pub numeric: bool,
}

/// Platform `p`'s cell in column `key` of [`CHOOSABLE`].
fn cell(p: &Platform, key: &str) -> Cell {
    let text = |t: &str| Cell {
        text: t.to_string(),
        title: String::new(),
        numeric: false,
    };
    let amount = |fen: i64| {
        let m = money(fen);
        Cell {
            text: m.short,
            title: format!("{} 元", m.exact),
            numeric: true,
        }
    };
    let count = |n: i64| Cell {
        text: n.to_string(),
        title: String::new(),
        numeric: true,
    };
    match key {
        "name" => text(&p.name),
        "district" => text(&p.district),
        "class" => text(&p.class_zh),
        "subclass" => text(&p.subclass),
        "lender_outstanding" => amount(p.lender_outstanding),
        "lenders_current" => count(p.lenders_current),
        "loan_outstanding" => amount(p.loan_outstanding),
        "expected_recovery" => amount(p.expected_recovery),
        "total_claim" => amount(p.total_claim),
        "claim_lenders" => count(p.claim_lenders),
        "stage" => count(p.stage),
        "action" => text(&p.action_zh),
        "start_on" => text(&p.start_on),
        "complete_by" => text(&p.complete_by),
        "at_risk_reason" => text(&p.at_risk_reason_zh),
        _ => text(""),
    }
}

impl Filters {
    /// The columns to show: those the URL names (in [`CHOOSABLE`]'s order), else the default.
    fn columns(&self) -> Vec<&'static str> {
        let chosen: Vec<&'static str> = CHOOSABLE
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| self.cols.iter().any(|c| c == k))
            .collect();
        if chosen.is_empty() {
            DEFAULT_COLUMNS.to_vec()
        } else {
            chosen
        }
    }

    fn keeps(&self, p: &Platform, skip: &str) -> bool {
        fn set(o: &Option<String>) -> Option<&str> {
            o.as_deref().filter(|s| !s.is_empty())
        }
        (skip == "class" || set(&self.class).is_none_or(|c| p.class == c))
            && (skip == "subclass" || set(&self.subclass).is_none_or(|c| p.subclass == c))
            && (skip == "district" || set(&self.district).is_none_or(|d| p.district == d))
            && (skip == "action" || set(&self.action).is_none_or(|a| p.action_zh == a))
            && (skip == "stage" || self.stage.is_none_or(|s| p.stage == s))
            && (skip == "at_risk" || set(&self.at_risk) != Some("yes") || p.at_risk)
            && set(&self.q).is_none_or(|q| p.platform_id.contains(q) || p.name.contains(q))
    }

    /// This view's URL with one filter changed (and the page back to the first).
    fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut f = self.clone();
        let v = value.map(str::to_string);
        match key {
            "class" => f.class = v,
            "subclass" => f.subclass = v,
            "district" => f.district = v,
            "action" => f.action = v,
            "stage" => f.stage = v.and_then(|s| s.parse().ok()),
            "at_risk" => f.at_risk = v,
            "sort" => f.sort = v,
            _ => {}
        }
        f.page = None;
        f.format = None;
        f.url()
    }

    fn url(&self) -> String {
        let mut parts: Vec<(&str, String)> = Vec::new();
        let mut push = |k, v: &Option<String>| {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                parts.push((k, v.clone()));
            }
        };
        push("class", &self.class);
        push("subclass", &self.subclass);
        push("district", &self.district);
        push("action", &self.action);
        push("stage", &self.stage.map(|s| s.to_string()));
        push("at_risk", &self.at_risk);
        push("q", &self.q);
        push("sort", &self.sort);
        push("page", &self.page.filter(|p| *p > 1).map(|p| p.to_string()));
        push("format", &self.format);
        for c in &self.cols {
            parts.push(("col", c.clone()));
        }
        let query: Vec<String> = parts
            .into_iter()
            .map(|(k, v)| format!("{k}={}", url_encode(&v)))
            .collect();
        if query.is_empty() {
            "/platforms".into()
        } else {
            format!("/platforms?{}", query.join("&"))
        }
    }
}

/// Percent-encoding of a query value (everything but unreserved bytes).
pub(super) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Serialize)]
pub struct Facet {
    pub value: String,
    pub label: String,
    pub count: usize,
    pub selected: bool,
    pub url: String,
}

/// A facet with its title.
#[derive(Serialize)]
pub struct FacetGroup {
    pub key: &'static str,
    pub title: &'static str,
    pub facets: Vec<Facet>,
}

/// The facet `key` over the platforms the other filters keep: each value of `value_of` (none:
/// left out) with its count, in `order`'s order; a selected value's link unselects it.
fn facet_group(
    all: &[Platform],
    filters: &Filters,
    key: &'static str,
    title: &'static str,
    value_of: impl Fn(&Platform) -> Option<String>,
    selected: Option<String>,
) -> FacetGroup {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for p in all.iter().filter(|p| filters.keeps(p, key)) {
        if let Some(v) = value_of(p) {
            *counts.entry(v).or_default() += 1;
        }
    }
    let facets = counts
        .into_iter()
        .map(|(value, count)| {
            let on = selected.as_deref() == Some(value.as_str());
            Facet {
                url: filters.with(key, (!on).then_some(value.as_str())),
                label: match key {
                    "stage" => format!("第 {value} 阶段 stage {value}"),
                    "at_risk" => "无法按期完成 at risk".to_string(),
                    _ => value.clone(),
                },
                value,
                count,
                selected: on,
            }
        })
        .collect();
    FacetGroup { key, title, facets }
}

#[derive(Serialize)]
pub struct PlatformLine {
    pub platform_id: String,
    pub name: String,
    pub district: String,
    pub class: String,
    pub class_zh: String,
    pub lender_outstanding: Money,
    pub lenders_current: i64,
    pub stage: i64,
    pub at_risk: bool,
    pub action_zh: String,
    /// The chosen columns' cells (the page; the JSON twin has the fields above).
    #[serde(skip)]
    pub cells: Vec<Cell>,
}

/// A column of the chooser: its key, header, whether it is shown, and its sort link (if any).
#[derive(Serialize)]
pub struct ColumnChoice {
    pub key: &'static str,
    pub header: &'static str,
    pub shown: bool,
    #[serde(skip)]
    pub sort_url: Option<String>,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>平台 Platforms <small>{{ total }} 家 matching</small></h1>
<form method="get" action="/platforms" class="filters">
<input type="search" name="q" value="{{ filters.q.as_deref().unwrap_or("") }}" placeholder="编号或名称 id or name">
{% if let Some(c) = filters.class %}<input type="hidden" name="class" value="{{ c }}">{% endif %}
{% if let Some(d) = filters.district %}<input type="hidden" name="district" value="{{ d }}">{% endif %}
{% if let Some(v) = filters.subclass %}<input type="hidden" name="subclass" value="{{ v }}">{% endif %}{% if let Some(v) = filters.action %}<input type="hidden" name="action" value="{{ v }}">{% endif %}{% if let Some(v) = filters.stage %}<input type="hidden" name="stage" value="{{ v }}">{% endif %}
{% for c in filters.cols %}<input type="hidden" name="col" value="{{ c }}">{% endfor %}
<label><input type="checkbox" name="at_risk" value="yes"{% if filters.at_risk.as_deref() == Some("yes") %} checked{% endif %}> 无法按期完成 at risk</label>
<button type="submit">筛选 filter</button> <a href="/platforms">清除 clear</a>
</form>
<div class="facets"><div><h3>类别 class</h3><ul>{% for f in class_facets %}<li><a href="{{ f.url }}"{% if f.selected %} class="on"{% endif %}>{{ f.label }}</a> <span class="n">{{ f.count }}</span></li>{% endfor %}</ul></div>
<div><h3>属地 district</h3><ul>{% for f in district_facets %}<li><a href="{{ f.url }}"{% if f.selected %} class="on"{% endif %}>{{ f.label }}</a> <span class="n">{{ f.count }}</span></li>{% endfor %}</ul></div>
{% for g in more_facets %}{% if !g.facets.is_empty() %}<div><h3>{{ g.title }}</h3><ul>{% for f in g.facets %}<li><a href="{{ f.url }}"{% if f.selected %} class="on"{% endif %}>{{ f.label }}</a> <span class="n">{{ f.count }}</span></li>{% endfor %}</ul></div>{% endif %}{% endfor %}</div>
<p class="downloads">下载全部 {{ total }} 行 all rows: <a href="{{ csv_url }}">CSV</a> · <a href="{{ xlsx_url }}">Excel (.xlsx)</a> · <a href="{{ json_url }}">JSON</a></p>
<details class="columns"><summary>列 columns</summary><form method="get" action="/platforms">
{% if let Some(q) = filters.q %}<input type="hidden" name="q" value="{{ q }}">{% endif %}{% if let Some(c) = filters.class %}<input type="hidden" name="class" value="{{ c }}">{% endif %}{% if let Some(d) = filters.district %}<input type="hidden" name="district" value="{{ d }}">{% endif %}{% if let Some(s) = filters.sort %}<input type="hidden" name="sort" value="{{ s }}">{% endif %}{% if let Some(v) = filters.subclass %}<input type="hidden" name="subclass" value="{{ v }}">{% endif %}{% if let Some(v) = filters.action %}<input type="hidden" name="action" value="{{ v }}">{% endif %}{% if let Some(v) = filters.stage %}<input type="hidden" name="stage" value="{{ v }}">{% endif %}{% if filters.at_risk.as_deref() == Some("yes") %}<input type="hidden" name="at_risk" value="yes">{% endif %}
{% for c in choices %}<label><input type="checkbox" name="col" value="{{ c.key }}"{% if c.shown %} checked{% endif %}> {{ c.header }}</label> {% endfor %}<button type="submit">显示 show</button></form></details>
<table><tr><th><a href="{{ sort_id }}">编号 id</a></th>{% for c in choices %}{% if c.shown %}<th>{% if let Some(u) = c.sort_url %}<a href="{{ u }}">{{ c.header }}</a>{% else %}{{ c.header }}{% endif %}</th>{% endif %}{% endfor %}</tr>
{% for p in rows %}<tr{% if p.at_risk %} class="risk"{% endif %}><td><a href="/platforms/{{ p.platform_id|urlencode_strict }}">{{ p.platform_id }}</a></td>{% for c in p.cells %}<td{% if c.numeric %} class="n"{% endif %}>{% if c.title.is_empty() %}{{ c.text }}{% else %}<span title="{{ c.title }}">{{ c.text }}</span>{% endif %}</td>{% endfor %}</tr>
{% endfor %}</table>
<p class="pages">第 {{ page }} / {{ pages }} 页 page{% if let Some(u) = prev_url %} · <a href="{{ u }}" rel="prev">上一页 previous</a>{% endif %}{% if let Some(u) = next_url %} · <a href="{{ u }}" rel="next">下一页 next</a>{% endif %}</p>"#
)]
pub struct Platforms {
    pub filters: Filters,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub rows: Vec<PlatformLine>,
    pub class_facets: Vec<Facet>,
    pub district_facets: Vec<Facet>,
    /// Subclass, stage, action and at risk, each with counts over the other filters.
    pub more_facets: Vec<FacetGroup>,
    pub csv_url: String,
    pub xlsx_url: String,
    pub json_url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub sort_id: String,
    /// Every choosable column, shown or not (the chooser and the table's header).
    pub choices: Vec<ColumnChoice>,
}

pub async fn platforms(
    State(desk): State<Arc<Desk>>,
    Query(mut filters): Query<Filters>,
    RawQuery(raw): RawQuery,
) -> Response {
    // `col=` repeats, which the form decoder does not gather: read from the raw query.
    filters.cols = raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.strip_prefix("col="))
        .filter(|c| CHOOSABLE.iter().any(|(k, _)| k == c))
        .map(str::to_string)
        .collect();
    let all = &desk.run.platforms;
    let shown = filters.columns();
    if !filters.cols.is_empty() {
        // In the chooser's order, once each: one URL per view.
        filters.cols = shown.iter().map(|c| c.to_string()).collect();
    }
    let mut rows: Vec<&Platform> = all.iter().filter(|p| filters.keeps(p, "")).collect();
    match filters.sort.as_deref() {
        Some("id") => {}
        Some("lenders") => rows.sort_by_key(|p| std::cmp::Reverse(p.lenders_current)),
        Some("stage") => rows.sort_by_key(|p| p.stage),
        _ => rows.sort_by_key(|p| std::cmp::Reverse(p.lender_outstanding)),
    }
    match filters.format.as_deref() {
        Some("csv") => return platforms_csv(&rows),
        Some("xlsx") => return platforms_xlsx(&rows),
        _ => {}
    }
    // Facets: counts over the rows the other filters keep, classes in the work plan's order.
    let mut by_class: BTreeMap<usize, (String, String, usize)> = BTreeMap::new();
    for p in all.iter().filter(|p| filters.keeps(p, "class")) {
        let rank = crate::domain::class::Class::shown_rank(&p.class);
        let e = by_class
            .entry(rank)
            .or_insert((p.class.clone(), p.class_zh.clone(), 0));
        e.2 += 1;
    }
    let class_facets = by_class
        .into_values()
        .map(|(code, zh, count)| {
            let selected = filters.class.as_deref() == Some(code.as_str());
            Facet {
                url: filters.with("class", (!selected).then_some(code.as_str())),
                label: format!("{zh} {code}"),
                value: code,
                count,
                selected,
            }
        })
        .collect();
    let mut by_district: BTreeMap<&str, usize> = BTreeMap::new();
    for p in all.iter().filter(|p| filters.keeps(p, "district")) {
        *by_district.entry(p.district.as_str()).or_default() += 1;
    }
    let district_facets = by_district
        .into_iter()
        .map(|(d, count)| {
            let selected = filters.district.as_deref() == Some(d);
            Facet {
                url: filters.with("district", (!selected).then_some(d)),
                label: d.to_string(),
                value: d.to_string(),
                count,
                selected,
            }
        })
        .collect();
    let more_facets = vec![
        facet_group(
            all,
            &filters,
            "subclass",
            "已出险细类 subclass",
            |p| (!p.subclass.is_empty()).then(|| p.subclass.clone()),
            filters.subclass.clone(),
        ),
        facet_group(
            all,
            &filters,
            "stage",
            "阶段 stage",
            |p| Some(p.stage.to_string()),
            filters.stage.map(|s| s.to_string()),
        ),
        facet_group(
            all,
            &filters,
            "action",
            "处置 action",
            |p| (!p.action_zh.is_empty()).then(|| p.action_zh.clone()),
            filters.action.clone(),
        ),
        facet_group(
            all,
            &filters,
            "at_risk",
            "期限 deadline",
            |p| p.at_risk.then(|| "yes".to_string()),
            filters.at_risk.clone(),
        ),
    ];
    let total = rows.len();
    let pages = total.div_ceil(PAGE_ROWS).max(1);
    let page = filters.page.unwrap_or(1).clamp(1, pages);
    let at = |n: usize| {
        let mut f = filters.clone();
        f.page = Some(n);
        f.format = None;
        f.url()
    };
    let with_format = |fmt: &str| {
        let mut f = filters.clone();
        f.page = None;
        f.format = Some(fmt.into());
        f.url()
    };
    let view = Platforms {
        total,
        page,
        pages,
        rows: rows
            .iter()
            .skip((page - 1) * PAGE_ROWS)
            .take(PAGE_ROWS)
            .map(|p| PlatformLine {
                platform_id: p.platform_id.clone(),
                name: p.name.clone(),
                district: p.district.clone(),
                class: p.class.clone(),
                class_zh: p.class_zh.clone(),
                lender_outstanding: money(p.lender_outstanding),
                lenders_current: p.lenders_current,
                stage: p.stage,
                at_risk: p.at_risk,
                action_zh: p.action_zh.clone(),
                cells: shown.iter().map(|k| cell(p, k)).collect(),
            })
            .collect(),
        class_facets,
        district_facets,
        more_facets,
        csv_url: with_format("csv"),
        xlsx_url: with_format("xlsx"),
        json_url: with_format("json"),
        prev_url: (page > 1).then(|| at(page - 1)),
        next_url: (page < pages).then(|| at(page + 1)),
        sort_id: filters.with("sort", Some("id")),
        choices: CHOOSABLE
            .iter()
            .map(|(key, header)| ColumnChoice {
                key,
                header,
                shown: shown.contains(key),
                sort_url: match *key {
                    "lender_outstanding" => Some(filters.with("sort", None)),
                    "lenders_current" => Some(filters.with("sort", Some("lenders"))),
                    "stage" => Some(filters.with("sort", Some("stage"))),
                    _ => None,
                },
            })
            .collect(),
        filters: Filters {
            format: None,
            ..filters.clone()
        },
    };
    answer(&view, "平台 Platforms", filters.format.as_deref())
}

/// Every matching platform as CSV for Excel: UTF-8 with BOM, text neutralised.
fn platforms_csv(rows: &[&Platform]) -> Response {
    let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    let mut ok = w
        .write_record([
            "platform_id",
            "name",
            "district",
            "class",
            "class_zh",
            "lender_outstanding",
            "lenders_current",
            "stage",
            "at_risk",
            "action_zh",
        ])
        .is_ok();
    for p in rows {
        ok &= w
            .write_record([
                excel_safe(&p.platform_id).as_ref(),
                &excel_safe(&p.name),
                &excel_safe(&p.district),
                &p.class,
                &p.class_zh,
                &crate::domain::money::format_fen(p.lender_outstanding),
                &p.lenders_current.to_string(),
                &p.stage.to_string(),
                if p.at_risk { "true" } else { "false" },
                &excel_safe(&p.action_zh),
            ])
            .is_ok();
    }
    match (ok, w.into_inner()) {
        (true, Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"platforms.csv\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "writing CSV failed").into_response(),
    }
}

/// Every matching platform as an Excel workbook: text cells for text (never a formula),
/// outstanding as a number to the fen, the header frozen, an autofilter.
fn platforms_xlsx(rows: &[&Platform]) -> Response {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
        wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let ws = wb.add_worksheet();
        ws.set_name("平台 platforms")?;
        let money = Format::new().set_num_format("#,##0.00");
        let headers = [
            "平台编号 platform_id",
            "名称 name",
            "属地 district",
            "类别 class",
            "出借余额(元) outstanding",
            "在贷出借人 lenders",
            "阶段 stage",
            "无法按期完成 at risk",
            "处置 action",
        ];
        for (c, h) in headers.iter().enumerate() {
            ws.write_string(0, c as u16, *h)?;
        }
        for (r, p) in rows.iter().enumerate() {
            let row = r as u32 + 1;
            ws.write_string(row, 0, &p.platform_id)?;
            ws.write_string(row, 1, &p.name)?;
            ws.write_string(row, 2, &p.district)?;
            ws.write_string(row, 3, &p.class_zh)?;
            // The nearest double of the exact amount, shown to the fen.
            ws.write_number_with_format(row, 4, p.lender_outstanding as f64 / 100.0, &money)?;
            ws.write_number(row, 5, p.lenders_current as f64)?;
            ws.write_number(row, 6, p.stage as f64)?;
            ws.write_string(row, 7, if p.at_risk { "是" } else { "" })?;
            ws.write_string(row, 8, &p.action_zh)?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, rows.len() as u32, headers.len() as u16 - 1)?;
        ws.set_column_width(1, 18)?;
        ws.set_column_width(4, 18)?;
        ws.set_column_width(8, 22)?;
        wb.save_to_buffer()
    };
    match build() {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"platforms.xlsx\"",
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

// ---------------------------------------------------------------- one platform

#[derive(Serialize)]
pub struct RoundLine {
    pub round: i64,
    /// The ratio of the claims the round reached, as a percentage ("—" when not recorded).
    pub level: String,
    pub returned: Money,
    pub pool: Money,
    pub paid: Money,
    pub reserved: Money,
    pub carried: Money,
    pub surplus: Money,
    pub lenders: i64,
    pub lenders_paid: i64,
}

fn round_line(r: &Round) -> RoundLine {
    RoundLine {
        round: r.round,
        level: r.level.map_or_else(
            || "—".to_string(),
            |l| crate::present::number::share(Some(l), 2),
        ),
        returned: money(r.returned),
        pool: money(r.pool),
        paid: money(r.paid),
        reserved: money(r.reserved),
        carried: money(r.carried),
        surplus: money(r.surplus),
        lenders: r.lenders,
        lenders_paid: r.lenders_paid,
    }
}

#[derive(Serialize)]
pub struct BandLine {
    pub band: String,
    pub label: String,
    pub lenders: i64,
    pub claim: Money,
}

/// A claim band as people say it: 1万–5万.
fn band_label(band: &str) -> String {
    match band {
        "band_0_1w" => "1万以下 below 10k".into(),
        "band_1w_5w" => "1万–5万".into(),
        "band_5w_10w" => "5万–10万".into(),
        "band_10w_50w" => "10万–50万".into(),
        "band_50w_100w" => "50万–100万".into(),
        "band_100w_up" => "100万以上 1m and more".into(),
        other => other.into(),
    }
}

/// One classification rule on a platform's page.
#[derive(Serialize)]
pub struct RuleLine {
    pub rule: String,
    pub label: &'static str,
    pub value: String,
    pub threshold: String,
    pub fired: bool,
}

/// A rule's value or threshold as the page shows it: as every document writes it.
fn rule_number(rule: &str, v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| crate::present::rule::value(rule, v))
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>{{ p.platform_id }} {{ p.name }} <small>{{ p.district }}</small></h1>
<p class="class">{{ p.class_zh }} {{ p.class }}{% if !p.subclass.is_empty() %} / {{ p.subclass }}{% endif %}{% if p.at_risk %} · <strong>无法按期完成 at risk</strong>{% endif %}</p>
<p>{{ p.reason_zh }}<br><span class="en">{{ p.reason_en }}</span></p>
{% if !rules.is_empty() %}<h2>分类依据 Every rule against its threshold</h2>
<table><tr><th>规则 rule</th><th>数值 value</th><th>阈值 threshold</th><th>触发 fired</th></tr>
{% for r in rules %}<tr{% if r.fired %} class="risk"{% endif %}><td>{{ r.label }} <span class="en">{{ r.rule }}</span></td><td class="n">{{ r.value }}</td><td class="n">{{ r.threshold }}</td><td>{% if r.fired %}<strong>是 yes</strong>{% else %}否 no{% endif %}</td></tr>
{% endfor %}</table>{% endif %}
<table class="kv"><tr><th>出借余额 lender outstanding</th><td><span title="{{ outstanding.exact }} 元">{{ outstanding.short }}</span></td></tr>
<tr><th>在贷出借人 current lenders</th><td>{{ p.lenders_current }}</td></tr>
<tr><th>借款余额 loan outstanding</th><td><span title="{{ loans.exact }} 元">{{ loans.short }}</span></td></tr>
<tr><th>预计回收 expected recovery</th><td><span title="{{ recovery.exact }} 元">{{ recovery.short }}</span></td></tr>
<tr><th>债权总额 total claim</th><td><span title="{{ claim.exact }} 元">{{ claim.short }}</span> ({{ p.claim_lenders }} 名出借人 lenders)</td></tr></table>
<h2>出借人按债权规模 Lenders by claim size</h2>
<table><tr><th>规模 band</th><th>出借人 lenders</th><th>债权 claims (元)</th></tr>
{% for b in bands %}<tr><td>{{ b.label }}</td><td class="n">{% if b.lenders > 0 %}<a href="/platforms/{{ p.platform_id|urlencode_strict }}/lenders?band={{ b.band }}">{{ b.lenders }}</a>{% else %}0{% endif %}</td><td class="n">{{ b.claim.exact }}</td></tr>
{% endfor %}</table>
<h2>一企一策 The plan</h2>
<p>{{ p.action_zh }} · 阶段 stage {{ p.stage }}: {{ p.start_on }} → {{ p.complete_by }}{% if p.at_risk %}<br><strong>{{ p.at_risk_reason_zh }}</strong>{% endif %}</p>
<p>责任单位 responsible units: {% for u in p.responsible_units %}{% if !loop.first %}、{% endif %}{{ u }}{% endfor %}</p>
<ol class="steps">{% for s in p.steps %}<li><time>{{ s.2 }}</time> {{ s.0 }} <span class="en">{{ s.1 }}</span></li>{% endfor %}</ol>
<h2>兑付轮次 Payout rounds</h2>
{% if rounds.is_empty() %}<p>尚无兑付 no payout round yet.</p>{% else %}<table><tr><th>轮次 round</th><th>兑付比例 ratio</th><th>可分配 pool</th><th>兑付 paid</th><th>提存 reserved</th><th>结转 carried</th><th>退汇 returned</th><th>结余 surplus</th><th>出借人 lenders (paid)</th></tr>
{% for r in rounds %}<tr><td class="n">{{ r.round }}</td><td class="n">{{ r.level }}</td><td class="n" title="{{ r.pool.exact }} 元">{{ r.pool.short }}</td><td class="n" title="{{ r.paid.exact }} 元">{{ r.paid.short }}</td><td class="n" title="{{ r.reserved.exact }} 元">{{ r.reserved.short }}</td><td class="n" title="{{ r.carried.exact }} 元">{{ r.carried.short }}</td><td class="n" title="{{ r.returned.exact }} 元">{{ r.returned.short }}</td><td class="n" title="{{ r.surplus.exact }} 元">{{ r.surplus.short }}</td><td class="n">{{ r.lenders }} ({{ r.lenders_paid }})</td></tr>
{% endfor %}</table>{% endif %}"#
)]
pub struct PlatformPage {
    pub p: Platform,
    /// The classification's rules as the page shows them (`p.reasons` has the numbers).
    pub rules: Vec<RuleLine>,
    pub bands: Vec<BandLine>,
    pub outstanding: Money,
    pub loans: Money,
    pub recovery: Money,
    pub claim: Money,
    pub rounds: Vec<RoundLine>,
}

pub async fn platform(
    State(desk): State<Arc<Desk>>,
    Path(id): Path<String>,
    Query(f): Query<Format>,
) -> Response {
    let Some(p) = desk.run.platform(&id) else {
        return not_found().await;
    };
    let page = PlatformPage {
        rules: p
            .reasons
            .iter()
            .map(|r| RuleLine {
                label: crate::present::rule::zh(&r.rule),
                value: rule_number(&r.rule, r.value),
                threshold: rule_number(&r.rule, r.threshold),
                fired: r.fired,
                rule: r.rule.clone(),
            })
            .collect(),
        bands: p
            .bands
            .iter()
            .map(|(band, lenders, claim)| BandLine {
                label: band_label(band),
                band: band.clone(),
                lenders: *lenders,
                claim: money(*claim),
            })
            .collect(),
        outstanding: money(p.lender_outstanding),
        loans: money(p.loan_outstanding),
        recovery: money(p.expected_recovery),
        claim: money(p.total_claim),
        rounds: desk
            .run
            .rounds
            .iter()
            .filter(|r| r.platform_id == p.platform_id)
            .map(round_line)
            .collect(),
        p: p.clone(),
    };
    answer(
        &page,
        &format!("{} {}", p.platform_id, p.name),
        f.format.as_deref(),
    )
}

// ---------------------------------------------------------------- payouts

#[derive(Serialize)]
pub struct PlatformRounds {
    pub platform_id: String,
    pub rounds: Vec<RoundLine>,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>兑付 Payouts <small>{{ rounds }} 轮 rounds, {{ platforms.len() }} 个平台 platforms</small></h1>
<p class="downloads">下载 download: 兑付轮次 rounds <a href="/payouts?format=csv">CSV</a> · <a href="/payouts?format=xlsx">Excel</a>{% if !returned.is_empty() %} · 退汇 returned <a href="/payouts?format=csv&amp;table=returned">CSV</a> · <a href="/payouts?format=xlsx&amp;table=returned">Excel</a>{% endif %}{% if !batches.is_empty() %} · 银行批次 batches <a href="/payouts?format=csv&amp;table=batches">CSV</a> · <a href="/payouts?format=xlsx&amp;table=batches">Excel</a>{% endif %}</p>
<p>可分配 pool <span title="{{ pool.exact }} 元">{{ pool.short }}</span> · 兑付 paid <span title="{{ paid.exact }} 元">{{ paid.short }}</span> · 提存 reserved <span title="{{ reserved.exact }} 元">{{ reserved.short }}</span></p>
<table><tr><th>平台 platform</th><th>轮次 round</th><th>可分配 pool</th><th>兑付 paid</th><th>提存 reserved</th><th>结转 carried</th><th>结余 surplus</th><th>出借人 lenders (paid)</th></tr>
{% for p in platforms %}{% for r in p.rounds %}<tr><td><a href="/platforms/{{ p.platform_id|urlencode_strict }}">{{ p.platform_id }}</a></td><td class="n">{{ r.round }}</td><td class="n" title="{{ r.pool.exact }} 元">{{ r.pool.short }}</td><td class="n" title="{{ r.paid.exact }} 元">{{ r.paid.short }}</td><td class="n" title="{{ r.reserved.exact }} 元">{{ r.reserved.short }}</td><td class="n" title="{{ r.carried.exact }} 元">{{ r.carried.short }}</td><td class="n" title="{{ r.surplus.exact }} 元">{{ r.surplus.short }}</td><td class="n">{{ r.lenders }} ({{ r.lenders_paid }})</td></tr>
{% endfor %}{% endfor %}</table>
{% if !returned.is_empty() %}<h2>退汇 Returned transfers <small>{{ returned.len() }}</small></h2>
<table><tr><th>平台 platform</th><th>轮次 round</th><th>出借人 lender</th><th>退汇合计 returned</th><th>保管中 held</th><th>本次重发 re-issued</th><th>处理 disposition</th><th>依据 reason</th></tr>
{% for r in returned %}<tr><td><a href="/platforms/{{ r.platform_id|urlencode_strict }}">{{ r.platform_id }}</a></td><td class="n">{{ r.round }}</td><td><a href="/lenders/{{ r.lender_id|urlencode_strict }}">{{ r.lender_id }}</a></td><td class="n">{{ r.returned_total.exact }}</td><td class="n">{{ r.held.exact }}</td><td class="n">{{ r.reissued.exact }}</td><td>{{ r.disposition }}</td><td>{{ r.reason_zh }}</td></tr>
{% endfor %}</table>{% endif %}
{% if !batches.is_empty() %}<h2>银行批次 Bank batches <small>{{ batches.len() }} 轮 rounds</small></h2>
<p>每轮控制文件的合计与本轮兑付核对 Each round's control file against the round's paid amount.</p>
<table><tr><th>平台 platform</th><th>轮次 round</th><th>批次 batches</th><th>笔数 transfers</th><th>金额合计 total</th><th>缺账号 without account</th><th>需人工核对 to check</th><th>与兑付核对 against paid</th><th>控制文件 control file</th></tr>
{% for b in batches %}<tr><td><a href="/platforms/{{ b.platform_id|urlencode_strict }}">{{ b.platform_id }}</a></td><td class="n">{{ b.round }}</td><td class="n" title="{% for l in b.banks %}{{ l }}&#10;{% endfor %}">{{ b.batches }}</td><td class="n">{{ b.transfers }}</td><td class="n">{{ b.total.exact }}</td><td class="n">{% if b.without_account > 0 %}<strong>{{ b.without_account }}</strong>{% else %}0{% endif %}</td><td class="n">{{ b.to_check }}</td><td>{% match b.against_paid %}{% when Some(true) %}相符 agrees{% when Some(false) %}<strong>不符 differs: {{ b.paid.exact }}</strong>{% when None %}本次运行无此轮 not a round of this run{% endmatch %}</td><td>{{ b.file }}</td></tr>
{% endfor %}</table>{% endif %}"#
)]
pub struct Payouts {
    pub rounds: usize,
    pub pool: Money,
    pub paid: Money,
    pub reserved: Money,
    pub platforms: Vec<PlatformRounds>,
    pub returned: Vec<ReturnedLine>,
    /// The bank batches' control totals, when the desk was given the payments folder.
    pub batches: Vec<BatchRound>,
}

/// One round's bank batches, checked against the round.
#[derive(Serialize)]
pub struct BatchRound {
    pub platform_id: String,
    pub round: i64,
    pub file: String,
    pub batches: usize,
    /// "bank: transfers, total" per batch file.
    pub banks: Vec<String>,
    pub transfers: u64,
    pub total: Money,
    pub without_account: u64,
    pub to_check: usize,
    /// The round's paid amount in payout_rounds.parquet (or what it re-issued).
    pub paid: Money,
    /// Whether the control total is the round's paid (or re-issued) amount; None when the
    /// served run has no such round.
    pub against_paid: Option<bool>,
}

#[derive(Serialize)]
pub struct ReturnedLine {
    pub platform_id: String,
    pub round: i64,
    pub lender_id: String,
    pub returned_total: Money,
    pub held: Money,
    pub reissued: Money,
    pub disposition: String,
    pub reason_zh: String,
}

/// The payouts page's tables as downloads: the rounds (the default), the returned transfers,
/// the bank batches' control totals.
fn payout_table(desk: &Desk, which: Option<&str>) -> super::download::Table {
    use super::download::{Table, Value};
    let text = |s: &str| Value::Text(s.to_string());
    match which {
        Some("returned") => Table {
            stem: "returned_transfers",
            sheet: "退汇 returned",
            headers: super::download::headers(&[
                "平台 platform_id",
                "轮次 round",
                "出借人 lender_id",
                "退汇合计(元) returned_total",
                "保管中(元) held",
                "本次重发(元) reissued",
                "处理 disposition",
                "依据 reason",
            ]),
            rows: desk
                .run
                .returned
                .iter()
                .map(|r| {
                    vec![
                        text(&r.platform_id),
                        Value::Int(r.round),
                        text(&r.lender_id),
                        Value::Money(r.returned_total),
                        Value::Money(r.held),
                        Value::Money(r.reissued),
                        text(&r.disposition),
                        text(&r.reason_zh),
                    ]
                })
                .collect(),
        },
        Some("batches") => Table {
            stem: "batch_controls",
            sheet: "银行批次 batches",
            headers: super::download::headers(&[
                "平台 platform_id",
                "轮次 round",
                "控制文件 control file",
                "批次 batches",
                "笔数 transfers",
                "金额合计(元) total",
                "缺账号 without account",
                "需人工核对 to check",
            ]),
            rows: desk
                .batches
                .iter()
                .map(|c| {
                    vec![
                        text(&c.platform_id),
                        Value::Int(c.round),
                        text(&c.file),
                        Value::Int(c.batches.len() as i64),
                        Value::Int(c.transfers as i64),
                        Value::Money(c.total),
                        Value::Int(c.without_account as i64),
                        Value::Int(c.to_check as i64),
                    ]
                })
                .collect(),
        },
        _ => Table {
            stem: "payout_rounds",
            sheet: "兑付轮次 rounds",
            headers: super::download::headers(&[
                "平台 platform_id",
                "轮次 round",
                "可分配(元) pool",
                "兑付(元) paid",
                "提存(元) reserved",
                "结转(元) carried",
                "退汇(元) returned",
                "结余(元) surplus",
                "出借人 lenders",
                "获兑付 lenders_paid",
            ]),
            rows: desk
                .run
                .rounds
                .iter()
                .map(|r| {
                    vec![
                        text(&r.platform_id),
                        Value::Int(r.round),
                        Value::Money(r.pool),
                        Value::Money(r.paid),
                        Value::Money(r.reserved),
                        Value::Money(r.carried),
                        Value::Money(r.returned),
                        Value::Money(r.surplus),
                        Value::Int(r.lenders),
                        Value::Int(r.lenders_paid),
                    ]
                })
                .collect(),
        },
    }
}

pub async fn payouts(State(desk): State<Arc<Desk>>, Query(f): Query<Format>) -> Response {
    if let Some(r) = super::download::respond(
        &payout_table(&desk, f.table.as_deref()),
        f.format.as_deref(),
    ) {
        return r;
    }
    let rounds = &desk.run.rounds;
    let mut platforms: Vec<PlatformRounds> = Vec::new();
    for r in rounds {
        match platforms.last_mut() {
            Some(p) if p.platform_id == r.platform_id => p.rounds.push(round_line(r)),
            _ => platforms.push(PlatformRounds {
                platform_id: r.platform_id.clone(),
                rounds: vec![round_line(r)],
            }),
        }
    }
    let sum = |f: fn(&Round) -> i64| money(rounds.iter().map(f).sum());
    let page = Payouts {
        rounds: rounds.len(),
        pool: sum(|r| r.pool),
        paid: sum(|r| r.paid),
        reserved: sum(|r| r.reserved),
        platforms,
        returned: desk
            .run
            .returned
            .iter()
            .map(|r| ReturnedLine {
                platform_id: r.platform_id.clone(),
                round: r.round,
                lender_id: r.lender_id.clone(),
                returned_total: money(r.returned_total),
                held: money(r.held),
                reissued: money(r.reissued),
                disposition: r.disposition.clone(),
                reason_zh: r.reason_zh.clone(),
            })
            .collect(),
        batches: desk
            .batches
            .iter()
            .map(|c| {
                let round = rounds
                    .iter()
                    .find(|r| r.platform_id == c.platform_id && r.round == c.round);
                BatchRound {
                    platform_id: c.platform_id.clone(),
                    round: c.round,
                    file: c.file.clone(),
                    batches: c.batches.len(),
                    banks: c
                        .batches
                        .iter()
                        .map(|b| {
                            format!(
                                "{}: {} 笔, {} 元",
                                b.bank,
                                b.transfers,
                                grouped(i128::from(b.total))
                            )
                        })
                        .collect(),
                    transfers: c.transfers,
                    total: money(c.total),
                    without_account: c.without_account,
                    to_check: c.to_check,
                    paid: money(round.map_or(0, |r| r.paid)),
                    against_paid: round.map(|r| c.total == r.paid || c.total == r.reissued),
                }
            })
            .collect(),
    };
    answer(&page, "兑付 Payouts", f.format.as_deref())
}

// ---------------------------------------------------------------- progress between two runs

#[derive(Serialize)]
pub struct ChangeLine {
    pub key: String,
    pub platforms: (i64, i64),
    pub outstanding: (String, String),
    pub lenders: (i64, i64),
}

/// One 三降 measure now against the earlier plan's projection for this date.
#[derive(Serialize)]
pub struct PlanStanding {
    pub measure: &'static str,
    pub planned: String,
    pub actual: String,
    pub standing_en: &'static str,
    pub standing_zh: &'static str,
}

/// A line of the progress tables: then → now.
fn change_line(
    key: String,
    (o, n): &(
        crate::output::documents::bulletin::Totals,
        crate::output::documents::bulletin::Totals,
    ),
) -> ChangeLine {
    ChangeLine {
        key,
        platforms: (o.platforms, n.platforms),
        outstanding: (
            grouped(i128::from(o.outstanding)),
            grouped(i128::from(n.outstanding)),
        ),
        lenders: (o.lenders, n.lenders),
    }
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>进展 Progress <small>{{ old_as_of }} → {{ new_as_of }}</small></h1>
{% if !available %}<p>只有一个运行结果 one run only: start the desk with two run folders (<code>winddown serve EARLIER LATER</code>) to compare them.</p>{% else %}
<h2>按类别 By class</h2>
<table><tr><th>类别 class</th><th>平台 platforms then → now</th><th>余额 outstanding (元) then → now</th><th>在贷出借人 lenders then → now</th></tr>
{% for c in by_class %}<tr><td>{{ c.key }}</td><td class="n">{{ c.platforms.0 }} → {{ c.platforms.1 }}</td><td class="n">{{ c.outstanding.0 }} → {{ c.outstanding.1 }}</td><td class="n">{{ c.lenders.0 }} → {{ c.lenders.1 }}</td></tr>
{% endfor %}{% if let Some(t) = total %}<tr class="total"><th>{{ t.key }}</th><td class="n">{{ t.platforms.0 }} → {{ t.platforms.1 }}</td><td class="n">{{ t.outstanding.0 }} → {{ t.outstanding.1 }}</td><td class="n">{{ t.lenders.0 }} → {{ t.lenders.1 }}</td></tr>{% endif %}</table>
{% if !against_plan.is_empty() %}<h2>对照计划 Against the earlier run's plan <small>{{ new_as_of }}{% if let Some(d) = deadline %}; 期限 deadline {{ d }}{% endif %}</small></h2>
<table><tr><th>指标 measure</th><th>计划 planned</th><th>实际 actual</th><th>进度 standing</th></tr>
{% for a in against_plan %}<tr><td>{{ a.measure }}</td><td class="n">{{ a.planned }}</td><td class="n">{{ a.actual }}</td><td>{% if a.standing_en == "behind" %}<strong>{{ a.standing_zh }} {{ a.standing_en }}</strong>{% else %}{{ a.standing_zh }} {{ a.standing_en }}{% endif %}</td></tr>
{% endfor %}</table>{% endif %}
<h2>按属地 By district</h2>
<table><tr><th>属地 district</th><th>平台 platforms then → now</th><th>余额 outstanding (元) then → now</th><th>在贷出借人 lenders then → now</th></tr>
{% for c in by_district %}<tr><td>{{ c.key }}</td><td class="n">{{ c.platforms.0 }} → {{ c.platforms.1 }}</td><td class="n">{{ c.outstanding.0 }} → {{ c.outstanding.1 }}</td><td class="n">{{ c.lenders.0 }} → {{ c.lenders.1 }}</td></tr>
{% endfor %}</table>
<h2>变动 Changes</h2>
<p>已退出 exited ({{ exited.len() }}): {% for p in exited %}<a href="/platforms/{{ p|urlencode_strict }}">{{ p }}</a> {% endfor %}</p>
<p>新纳入 new ({{ appeared.len() }}): {% for p in appeared %}<a href="/platforms/{{ p|urlencode_strict }}">{{ p }}</a> {% endfor %}</p>
<p>类别变化 changed class ({{ changed.len() }}):</p><ul>{% for c in changed %}<li><a href="/platforms/{{ c.0|urlencode_strict }}">{{ c.0 }}</a>: {{ c.1 }} → {{ c.2 }}</li>{% endfor %}</ul>{% endif %}"#
)]
pub struct Progress {
    pub available: bool,
    pub old_as_of: String,
    pub new_as_of: String,
    pub by_class: Vec<ChangeLine>,
    pub total: Option<ChangeLine>,
    pub by_district: Vec<ChangeLine>,
    /// The remaining platforms, outstanding and lenders now against what the earlier run's
    /// plan projected for this date (none when it had no plan).
    pub against_plan: Vec<PlanStanding>,
    pub deadline: Option<String>,
    pub exited: Vec<String>,
    pub appeared: Vec<String>,
    pub changed: Vec<(String, String, String)>,
}

pub async fn progress(State(desk): State<Arc<Desk>>, Query(f): Query<Format>) -> Response {
    let page = match &desk.progress {
        None => Progress {
            available: false,
            old_as_of: String::new(),
            new_as_of: desk.run.summary.as_of.clone().unwrap_or_default(),
            by_class: Vec::new(),
            total: None,
            by_district: Vec::new(),
            against_plan: Vec::new(),
            deadline: None,
            exited: Vec::new(),
            appeared: Vec::new(),
            changed: Vec::new(),
        },
        Some(b) => {
            let mut by_class: Vec<(&String, &(crate::output::documents::bulletin::Totals, _))> =
                b.by_class.iter().collect();
            by_class.sort_by_key(|(code, _)| crate::domain::class::Class::shown_rank(code));
            let now = &b.total.1;
            let against_plan = match &b.projected {
                None => Vec::new(),
                Some(p) => {
                    use crate::output::documents::bulletin::standing;
                    let line = |measure, planned: i64, actual: i64, money: bool| {
                        let (en, zh) = standing(planned, actual);
                        let show = |v: i64| {
                            if money {
                                grouped(i128::from(v))
                            } else {
                                v.to_string()
                            }
                        };
                        PlanStanding {
                            measure,
                            planned: show(planned),
                            actual: show(actual),
                            standing_en: en,
                            standing_zh: zh,
                        }
                    };
                    vec![
                        line(
                            "剩余平台 platforms remaining",
                            p.platforms,
                            now.platforms,
                            false,
                        ),
                        line(
                            "剩余余额 outstanding remaining (元)",
                            p.outstanding,
                            now.outstanding,
                            true,
                        ),
                        line(
                            "剩余出借人 lenders remaining",
                            p.lenders,
                            now.lenders,
                            false,
                        ),
                    ]
                }
            };
            Progress {
                available: true,
                old_as_of: b.old_as_of.to_string(),
                new_as_of: b.new_as_of.to_string(),
                by_class: by_class
                    .into_iter()
                    .map(|(code, totals)| {
                        let key = crate::domain::class::Class::of_code(code)
                            .map_or(code.clone(), |c| format!("{} {code}", c.zh()));
                        change_line(key, totals)
                    })
                    .collect(),
                total: Some(change_line("合计 total".to_string(), &b.total)),
                by_district: b
                    .by_district
                    .iter()
                    .map(|(d, totals)| change_line(d.clone(), totals))
                    .collect(),
                against_plan,
                deadline: b.deadline.map(|d| d.to_string()),
                exited: b.exited.clone(),
                appeared: b.appeared.clone(),
                changed: b.changed.clone(),
            }
        }
    };
    answer(&page, "进展 Progress", f.format.as_deref())
}

// ---------------------------------------------------------------- a lender (the help line)

#[derive(Debug, Default, Deserialize)]
pub struct LenderQuery {
    pub id: Option<String>,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>出借人查询 Lender lookup</h1>
<form method="get" action="/lenders"><input type="search" name="id" value="{{ id }}" placeholder="出借人编号 lender id" autofocus> <button type="submit">查询 look up</button></form>
{% if !message.is_empty() %}<p class="note">{{ message }}</p>{% endif %}"#
)]
pub struct LenderForm {
    pub id: String,
    pub message: String,
}

pub async fn lender_form(Query(q): Query<LenderQuery>) -> Response {
    if let Some(id) = q.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        return axum::response::Redirect::to(&format!("/lenders/{}", url_encode(id)))
            .into_response();
    }
    answer(
        &LenderForm {
            id: String::new(),
            message: String::new(),
        },
        "出借人 Lender",
        None,
    )
}

#[derive(Serialize)]
pub struct LenderClaim {
    pub platform_id: String,
    pub name: String,
    pub class_zh: String,
    pub basis_zh: String,
    pub invested: Money,
    pub claim: Money,
    pub paid: Money,
    pub reserved: Money,
    pub returned: Money,
    pub remaining: Money,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>出借人 Lender {{ lender_id }} <small>债权确认及兑付明细 claims and payouts</small></h1>
<p><a href="/lenders">另查一位 look up another</a></p>
{% if let Some(p) = person %}<table class="person"><tr><th>姓名 name</th><td>{{ p.name }}</td><th>电话 phone</th><td>{{ p.phone }}</td></tr><tr><th>证件号 id number</th><td>{{ p.id_number }}</td><th>收款账号 account</th><td>{{ p.bank_account }} {{ p.bank }}</td></tr></table>{% endif %}
<table><tr><th>平台 platform</th><th>类别 class</th><th>口径 basis</th><th>出借本金 invested</th><th>债权 claim</th><th>已兑付 paid</th><th>提存 reserved</th><th>退汇待重发 returned</th><th>尚欠 still owed</th></tr>
{% for c in claims %}<tr><td><a href="/platforms/{{ c.platform_id|urlencode_strict }}">{{ c.platform_id }} {{ c.name }}</a></td><td>{{ c.class_zh }}</td><td>{{ c.basis_zh }}</td><td class="n">{{ c.invested.exact }}</td><td class="n">{{ c.claim.exact }}</td><td class="n">{{ c.paid.exact }}</td><td class="n">{{ c.reserved.exact }}</td><td class="n">{{ c.returned.exact }}</td><td class="n">{{ c.remaining.exact }}</td></tr>
{% endfor %}</table>
<p>合计 total: 债权 claim {{ total_claim.exact }} 元 · 已兑付 paid {{ total_paid.exact }} 元 · 尚欠 still owed {{ total_remaining.exact }} 元</p>"#
)]
pub struct LenderPage {
    pub lender_id: String,
    /// Who the lender is: only when the desk was started with `--personal` (then in the JSON
    /// twin too); without it there is no such field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<super::personal::Person>,
    pub claims: Vec<LenderClaim>,
    pub total_claim: Money,
    pub total_paid: Money,
    pub total_remaining: Money,
}

pub async fn lender(
    State(desk): State<Arc<Desk>>,
    Path(id): Path<String>,
    Query(f): Query<Format>,
) -> Response {
    // Reads only the row groups of claims.parquet and payouts.parquet whose bloom filter may
    // hold the id: a blocking read, off the async workers.
    let dir = desk.run.dir.clone();
    let lookup = id.clone();
    let found = tokio::task::spawn_blocking(move || {
        crate::output::documents::statement::statement(&dir, &lookup)
    })
    .await;
    let statement = match found {
        Ok(Ok(Some(s))) => s,
        Ok(Ok(None)) => {
            let page = LenderForm {
                id: id.clone(),
                message: format!(
                    "没有出借人 {id} 的债权 no lender with this id has a claim in this run"
                ),
            };
            let mut r = answer(&page, "出借人 Lender", f.format.as_deref());
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        }
        Ok(Err(e)) => return (StatusCode::INTERNAL_SERVER_ERROR, e.one_line()).into_response(),
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "lookup failed").into_response(),
    };
    let mut claims = Vec::new();
    let (mut total_claim, mut total_paid, mut total_remaining) = (0i64, 0i64, 0i64);
    for c in &statement.claims {
        let rounds: Vec<_> = statement
            .rounds
            .iter()
            .filter(|r| r.platform_id == c.platform_id)
            .collect();
        let paid: i64 = rounds.iter().map(|r| r.paid).sum();
        let reserved: i64 = rounds.iter().map(|r| r.reserved).sum();
        let returned: i64 = rounds.iter().map(|r| r.returned).sum();
        let remaining = rounds.last().map_or(c.claim, |r| r.remaining);
        total_claim += c.claim;
        total_paid += paid;
        total_remaining += remaining;
        claims.push(LenderClaim {
            platform_id: c.platform_id.clone(),
            name: desk
                .run
                .platform(&c.platform_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            class_zh: c.class_zh.clone(),
            basis_zh: if c.basis == "net_of_returns" {
                "本金折抵".into()
            } else {
                "合同口径".into()
            },
            invested: money(c.invested),
            claim: money(c.claim),
            paid: money(paid),
            reserved: money(reserved),
            returned: money(returned),
            remaining: money(remaining),
        });
    }
    let page = LenderPage {
        person: desk
            .people
            .as_ref()
            .and_then(|p| p.person(&statement.lender_id)),
        lender_id: statement.lender_id.clone(),
        claims,
        total_claim: money(total_claim),
        total_paid: money(total_paid),
        total_remaining: money(total_remaining),
    };
    answer(&page, &format!("出借人 {id}"), f.format.as_deref())
}

// ---------------------------------------------------------------- assets, 404

/// The desk's only stylesheet, embedded in the binary (no CDN: it works offline). Chinese
/// first, numbers right-aligned, a print stylesheet.
pub const STYLE: &str = r#"body{font-family:"Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:0;color:#222}
header{background:#1f3a5f;padding:.6em 1em}header a{color:#fff;margin-right:1.2em;text-decoration:none}
main{padding:1em 1.5em}h1 small{font-weight:normal;color:#666;font-size:60%}
table{border-collapse:collapse;margin:.5em 0}th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.risk td{background:#fff3f0}
.facets{display:flex;gap:2em}.facets ul{list-style:none;padding:0;margin:0}.facets a.on{font-weight:bold}
.facets .n{color:#666}.en{color:#666}.note{color:#a33}footer{color:#888;padding:1em 1.5em;font-size:80%}
.steps time{display:inline-block;width:7em;color:#555}
@media print{header,form,.facets,.downloads,.pages,footer{display:none}main{padding:0}}
"#;

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "没有这个页面 no such page\n").into_response()
}

#[cfg(test)]
mod bar_tests {
    use super::{bar, BAR};

    #[test]
    fn a_bar_is_its_share_of_the_full_width_and_never_hides_a_nonzero_part() {
        assert_eq!(bar(0, 100), 0);
        assert_eq!(bar(100, 100), BAR);
        assert_eq!(bar(50, 100), BAR / 2);
        // 1 of 10,000: rounds to 0 pixels, shown as 1.
        assert_eq!(bar(1, 10_000), 1);
        // Nothing to compare with, or more than the whole (never wider than the chart).
        assert_eq!(bar(5, 0), 0);
        assert_eq!(bar(300, 100), BAR);
    }
}
