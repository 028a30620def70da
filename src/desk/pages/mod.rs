//! The desk's pages: one struct per page, rendered as HTML by a compile-time template that
//! escapes every value, and as JSON by serde from the same struct (`?format=json`), so the
//! twin cannot drift from the page. Tables download as CSV of every matching row
//! (`?format=csv`, UTF-8 with BOM, cells neutralised for Excel). Filters, sort and page live in
//! the URL, so every view can be bookmarked. One file per page (overview, platforms, platform,
//! payouts, progress, lender); here what they share: money as the page shows it, the format
//! asked for, the layout, and the stylesheet.

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

mod lender;
mod overview;
mod payouts;
mod platform;
mod platforms;
mod progress;

pub use lender::*;
pub use overview::*;
pub use payouts::*;
pub use platform::*;
pub use platforms::*;
pub use progress::*;

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
