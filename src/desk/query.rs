//! The analyst's query page (`/query`): a form with one SELECT over the run's own tables (each
//! table listed with its columns from the exports' contract), the answer as a table — or all of
//! it as CSV (Excel-safe) or JSON. The SQL engine `winddown-sql` checks the query (the run's
//! tables only, no table functions, no paths, no other statement) and runs it, in a child
//! process with a ceiling on its memory ([`QUERY_MEMORY`]) that is killed at its time
//! limit, so that no query can take the desk's memory or outlive its limit; one query runs at
//! a time (a second gets 503). Where the engine is not built, the page says how to build it
//! (503).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::pages::answer;
use super::Desk;
use crate::table::query as engine;

/// Rows shown on the page; a download carries up to [`DOWNLOAD_ROWS`].
const PAGE_ROWS: usize = 1_000;
const DOWNLOAD_ROWS: usize = 100_000;
/// A query that runs longer is answered with an error.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// The longest SQL text accepted.
const MAX_SQL: usize = 10_000;
/// The query process's ceiling on its data (heap and anonymous maps; the Parquet files it
/// maps are not counted): beyond it an allocation fails and the query is answered with an
/// error.
pub const QUERY_MEMORY: u64 = 2 << 30;

/// `?sql=…&format=json|csv`.
#[derive(Debug, Default, Deserialize)]
pub struct QueryParams {
    pub sql: Option<String>,
    pub format: Option<String>,
}

/// A table the query may name, with its columns.
#[derive(Serialize)]
pub struct TableLine {
    pub name: String,
    pub columns: String,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>查询 Query <small>SQL, 只读 read-only</small></h1>
<form method="get" action="/query"><textarea name="sql" rows="6" cols="100" placeholder="SELECT class_zh, count(*) FROM platforms GROUP BY class_zh">{{ sql }}</textarea><br><button type="submit">运行 run</button>{% if !sql.is_empty() %} <a class="dl" href="/query?format=csv&amp;sql={{ sql|urlencode_strict }}">CSV</a> <a class="dl" href="/query?format=xlsx&amp;sql={{ sql|urlencode_strict }}">Excel</a> <a class="dl" href="/query?format=json&amp;sql={{ sql|urlencode_strict }}">JSON</a>{% endif %}</form>
{% if !error.is_empty() %}<p class="note"><strong>{{ error }}</strong></p>{% endif %}
{% if let Some(a) = answer %}<p>{{ a.rows.len() }} 行 rows{% if a.truncated %}（仅显示前 {{ a.rows.len() }} 行 first rows only: download the CSV, or narrow the query）{% endif %}</p>
<table><tr>{% for c in a.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in a.rows %}<tr>{% for v in r %}<td>{% if let Some(v) = v %}{{ v }}{% else %}<span class="null">∅</span>{% endif %}</td>{% endfor %}</tr>
{% endfor %}</table>{% endif %}
<h2>表 Tables</h2>
<table><tr><th>表 table</th><th>列 columns (说明见 docs/columns.md)</th></tr>
{% for t in tables %}<tr><td><code>{{ t.name }}</code></td><td>{{ t.columns }}</td></tr>
{% endfor %}</table>"#
)]
pub struct QueryPage {
    pub sql: String,
    pub error: String,
    pub answer: Option<engine::Answer>,
    pub tables: Vec<TableLine>,
}

pub async fn query(State(desk): State<Arc<Desk>>, Query(q): Query<QueryParams>) -> Response {
    let sql = q.sql.unwrap_or_default().trim().to_string();
    let format = q.format;
    let files = engine::tables(&desk.run.dir);
    let tables = files
        .iter()
        .filter_map(|(name, _)| {
            let export = crate::domain::exports::ALL
                .iter()
                .find(|e| e.file.trim_end_matches(".parquet") == name)?;
            Some(TableLine {
                name: name.clone(),
                columns: export
                    .columns
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        })
        .collect();
    let mut page = QueryPage {
        sql: sql.clone(),
        error: String::new(),
        answer: None,
        tables,
    };
    if sql.is_empty() {
        return answer(&page, "查询 Query", format.as_deref());
    }
    if sql.len() > MAX_SQL {
        page.error = format!("query: longer than {MAX_SQL} bytes");
        let mut r = answer(&page, "查询 Query", format.as_deref());
        *r.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return r;
    }
    let download = matches!(format.as_deref(), Some("csv" | "xlsx" | "json"));
    let rows = if download { DOWNLOAD_ROWS } else { PAGE_ROWS };
    if !engine::engine_is_built(&desk.sql_engine) {
        page.error = engine::how_to_build();
        let mut r = answer(&page, "查询 Query", format.as_deref());
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        return r;
    }
    // One query at a time: a second one meanwhile is told to wait.
    if desk
        .query_running
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "another query is running; try again when it has finished",
        )
            .into_response();
    }
    let running = desk.clone();
    let result = tokio::task::spawn_blocking(move || {
        let answer =
            engine::run(&running.sql_engine, &sql, &files, limits(rows)).map_err(|e| e.one_line());
        running.query_running.store(false, Ordering::Release);
        answer
    })
    .await;
    match result {
        Ok(Ok(a)) if matches!(format.as_deref(), Some("csv" | "xlsx")) => {
            use super::download::{respond, Table, Value};
            let table = Table {
                stem: "query",
                sheet: "查询 query",
                headers: a.columns.clone(),
                // Every value as the exact text the engine gave (money's digits, dates).
                rows: a
                    .rows
                    .iter()
                    .map(|r| {
                        r.iter()
                            .map(|v| v.clone().map_or(Value::Empty, Value::Text))
                            .collect()
                    })
                    .collect(),
            };
            respond(&table, format.as_deref()).unwrap_or_else(|| {
                (StatusCode::INTERNAL_SERVER_ERROR, "no such download").into_response()
            })
        }
        Ok(Ok(a)) => {
            page.answer = Some(a);
            answer(&page, "查询 Query", format.as_deref())
        }
        Ok(Err(e)) => {
            page.error = e;
            let mut r = answer(&page, "查询 Query", format.as_deref());
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the query failed").into_response(),
    }
}

/// A query of the page: `rows` at most, [`TIME_LIMIT`], [`QUERY_MEMORY`].
fn limits(rows: usize) -> engine::Limits {
    engine::Limits {
        rows,
        time: TIME_LIMIT,
        memory: Some(QUERY_MEMORY),
    }
}
