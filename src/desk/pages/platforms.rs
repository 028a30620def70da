//! `/platforms`: the platforms table — filters, facets, chosen columns, sort and page in the
//! URL; every matching row as CSV or an Excel workbook.

use super::*;

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
pub(super) const DEFAULT_COLUMNS: [&str; 7] = [
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
pub(super) fn cell(p: &Platform, key: &str) -> Cell {
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
pub(in crate::desk) fn url_encode(s: &str) -> String {
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
pub(super) fn facet_group(
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
pub(super) fn platforms_csv(rows: &[&Platform]) -> Response {
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
pub(super) fn platforms_xlsx(rows: &[&Platform]) -> Response {
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
