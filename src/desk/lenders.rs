//! A platform's lenders (`/platforms/{id}/lenders`): ids (or the run's pseudonyms) with their
//! claim and standing, by claim band, 100 a page — never names. Read on demand from
//! claims.parquet, which is sorted by platform: only the row groups whose statistics may hold
//! the platform, and the pages within them, are decoded. Downloads as CSV and .xlsx.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::download::{headers, respond, Table, Value};
use super::pages::{answer, money, Money};
use super::Desk;
use crate::rules::exposure::BANDS;
use crate::table::export_file::ExportFile;

const PAGE_ROWS: usize = 100;

/// `?band=band_1w_5w&page=2&format=json|csv|xlsx`.
#[derive(Debug, Default, Deserialize)]
pub struct LendersQuery {
    pub band: Option<String>,
    pub page: Option<usize>,
    pub format: Option<String>,
}

#[derive(Serialize)]
pub struct LenderLine {
    pub lender_id: String,
    pub claim: Money,
    pub status: String,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1><a href="/platforms/{{ platform_id|urlencode_strict }}">{{ platform_id }}</a> 出借人 Lenders <small>{{ total }} {% if let Some(b) = band %}· {{ b }}{% endif %}</small></h1>
<p>按债权规模 by claim size: <a href="/platforms/{{ platform_id|urlencode_strict }}/lenders">全部 all</a>{% for b in bands %} · <a href="/platforms/{{ platform_id|urlencode_strict }}/lenders?band={{ b }}">{{ b }}</a>{% endfor %}</p>
<p class="downloads">下载全部 {{ total }} 行 all rows: <a href="{{ csv_url }}">CSV</a> · <a href="{{ xlsx_url }}">Excel (.xlsx)</a></p>
<table><tr><th>出借人 lender</th><th>债权 claim (元)</th><th>状态 status</th></tr>
{% for l in rows %}<tr><td><a href="/lenders/{{ l.lender_id|urlencode_strict }}">{{ l.lender_id }}</a></td><td class="n">{{ l.claim.exact }}</td><td>{{ l.status }}</td></tr>
{% endfor %}</table>
<p class="pages">第 {{ page }} / {{ pages }} 页 page{% if let Some(u) = prev_url %} · <a href="{{ u }}" rel="prev">上一页 previous</a>{% endif %}{% if let Some(u) = next_url %} · <a href="{{ u }}" rel="next">下一页 next</a>{% endif %}</p>"#
)]
pub struct LendersPage {
    pub platform_id: String,
    pub band: Option<String>,
    pub bands: Vec<&'static str>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub rows: Vec<LenderLine>,
    pub csv_url: String,
    pub xlsx_url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

pub async fn platform_lenders(
    State(desk): State<Arc<Desk>>,
    Path(id): Path<String>,
    Query(q): Query<LendersQuery>,
) -> Response {
    if desk.run.platform(&id).is_none() {
        return (StatusCode::NOT_FOUND, "没有此平台 no such platform").into_response();
    }
    // The band's claim range in fen: [lower, next band's lower).
    let band = q.band.filter(|b| !b.is_empty());
    let range = match &band {
        None => Some((i64::MIN, i64::MAX)),
        Some(b) => BANDS.iter().position(|x| x.name == b).map(|i| {
            let upper = BANDS.get(i + 1).map_or(i64::MAX, |n| n.lower);
            (BANDS[i].lower, upper)
        }),
    };
    let Some((lower, upper)) = range else {
        return (StatusCode::BAD_REQUEST, "no such claim band").into_response();
    };
    let path = desk.run.dir.join("claims.parquet");
    let platform = id.clone();
    let read = tokio::task::spawn_blocking(move || -> crate::error::Result<_> {
        use crate::domain::exports::{CLAIM, LENDER_ID, STATUS};
        let t = ExportFile::read_platform(&path, &[&LENDER_ID, &CLAIM, &STATUS], &platform)?;
        Ok((t.text(&LENDER_ID)?, t.money(&CLAIM)?, t.text(&STATUS)?))
    })
    .await;
    let (ids, claims, status) = match read {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return (StatusCode::INTERNAL_SERVER_ERROR, e.one_line()).into_response(),
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "lookup failed").into_response(),
    };
    // Lenders with a claim in the band (claims.parquet holds every position, claim 0 too).
    let keep: Vec<usize> = (0..ids.len())
        .filter(|&i| claims[i] > 0 && claims[i] >= lower && claims[i] < upper)
        .collect();
    let table = Table {
        stem: "platform_lenders",
        sheet: "出借人 lenders",
        headers: headers(&["出借人编号 lender_id", "债权(元) claim", "状态 status"]),
        rows: keep
            .iter()
            .map(|&i| {
                vec![
                    Value::Text(ids[i].clone()),
                    Value::Money(claims[i]),
                    Value::Text(status[i].clone()),
                ]
            })
            .collect(),
    };
    if let Some(r) = respond(&table, q.format.as_deref()) {
        return r;
    }
    let total = keep.len();
    let pages = total.div_ceil(PAGE_ROWS).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let base = {
        let mut u = format!("/platforms/{}/lenders?", super::pages::url_encode(&id));
        if let Some(b) = &band {
            u.push_str(&format!("band={}&", super::pages::url_encode(b)));
        }
        u
    };
    let view = LendersPage {
        platform_id: id.clone(),
        bands: BANDS.iter().map(|b| b.name).collect(),
        total,
        page,
        pages,
        rows: keep
            .iter()
            .skip((page - 1) * PAGE_ROWS)
            .take(PAGE_ROWS)
            .map(|&i| LenderLine {
                lender_id: ids[i].clone(),
                claim: money(claims[i]),
                status: status[i].clone(),
            })
            .collect(),
        csv_url: format!("{base}format=csv"),
        xlsx_url: format!("{base}format=xlsx"),
        prev_url: (page > 1).then(|| format!("{base}page={}", page - 1)),
        next_url: (page < pages).then(|| format!("{base}page={}", page + 1)),
        band,
    };
    answer(&view, &format!("{id} 出借人 Lenders"), q.format.as_deref())
}
