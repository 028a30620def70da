//! SQL over a run folder's own tables, for analysts (`winddown query`, the desk's /query):
//! polars SQL over the folder's Parquet exports, each registered under its file's name
//! (`platforms`, `claims`, `payouts`, …). Read-only and bounded:
//!
//! - the query is parsed first (the parser polars SQL uses) and must be one `SELECT` (with
//!   `WITH`, joins, subqueries) whose tables are the run's own tables or the query's own
//!   `WITH` names — no table function (`read_parquet('…')`, `read_csv`), no path, no other
//!   statement (`COPY`, `CREATE`, `SET`, …);
//! - at most `max_rows` rows come back (the answer says when there were more);
//! - a query that runs past its time is answered with an error (the desk runs each query as
//!   a `winddown query` child process under a memory ceiling, killed at its time);
//! - it runs on polars' streaming engine, a batch at a time, so that an aggregate over the
//!   national claims holds little more than its groups (measured: 2.5 s, 0.6 GB for a GROUP BY
//!   over 100M claims, against 16 s and 7.5 GB in memory).
//!
//! Values come back as text, exactly: money as the Decimal's digits (`1234.56`), dates as
//! `2019-06-30`, lists as polars prints them.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Duration;

use polars::prelude::*;
use polars::sql::SQLContext;
use sqlparser::ast::{Query, SetExpr, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

use crate::error::{Error, Result};

/// The tables a query may name: (name, file or partitioned folder), those of
/// `domain::exports` present in `dir`.
pub fn tables(dir: &Path) -> Vec<(String, PathBuf)> {
    crate::domain::exports::ALL
        .iter()
        .filter_map(|e| {
            let name = e.file.trim_end_matches(".parquet");
            let file = dir.join(e.file);
            let folder = dir.join(name);
            if file.is_file() {
                Some((name.to_string(), file))
            } else if folder.is_dir() {
                Some((name.to_string(), folder))
            } else {
                None
            }
        })
        .collect()
}

/// A query's answer: its columns, its rows as text (None for null), and whether rows were
/// left out beyond the limit.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub truncated: bool,
}

/// Why a query is not run: what it asked for that the query page does not allow.
fn refuse(why: impl std::fmt::Display) -> Error {
    Error::Usage(format!("query: {why}"))
}

/// The query is one read-only SELECT over `allowed` tables (and its own WITH names).
pub fn check(sql: &str, allowed: &[&str]) -> Result<()> {
    let statements =
        Parser::parse_sql(&GenericDialect {}, sql).map_err(|e| refuse(format!("not SQL: {e}")))?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return Err(refuse("one SELECT only (no other statement, no several)"));
    };
    let mut guard = Guard {
        allowed: allowed.iter().map(|t| t.to_ascii_lowercase()).collect(),
    };
    if let ControlFlow::Break(why) = query.visit(&mut guard) {
        return Err(refuse(why));
    }
    Ok(())
}

/// Walks a query: every table it reads is an allowed one.
struct Guard {
    /// The run's tables and the query's WITH names, lower case.
    allowed: BTreeSet<String>,
}

impl Visitor for Guard {
    type Break = String;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.allowed
                    .insert(cte.alias.name.value.to_ascii_lowercase());
            }
        }
        // Anything but a plain SELECT (INSERT … in a query, a VALUES list is harmless but
        // not needed; TABLE x is a table read) is refused.
        match query.body.as_ref() {
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
                ControlFlow::Break("a query that writes".into())
            }
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<String> {
        match factor {
            TableFactor::Table { name, args, .. } => {
                if args.is_some() {
                    return ControlFlow::Break(format!(
                        "{name}(…) is a table function: only the run's own tables can be read"
                    ));
                }
                let single = match name.0.as_slice() {
                    [part] => part.as_ident().map(|i| i.value.to_ascii_lowercase()),
                    _ => None,
                };
                match single {
                    Some(t) if self.allowed.contains(&t) => ControlFlow::Continue(()),
                    _ => ControlFlow::Break(format!(
                        "no table {name} here; the run's tables are {}",
                        self.allowed.iter().cloned().collect::<Vec<_>>().join(", ")
                    )),
                }
            }
            TableFactor::Derived { .. } | TableFactor::NestedJoin { .. } => {
                ControlFlow::Continue(())
            }
            other => ControlFlow::Break(format!(
                "{other} is not a table of the run: only the run's own tables can be read"
            )),
        }
    }
}

/// Run `sql` over `tables` (checked first): at most `max_rows` rows, within `limit` (past it
/// the answer is an error and the computation is left to finish on its thread: the process is
/// expected to end soon after, as `winddown query` does; the desk runs it as a child process).
pub fn run(
    sql: &str,
    tables: &[(String, PathBuf)],
    max_rows: usize,
    limit: Duration,
) -> Result<Answer> {
    let names: Vec<&str> = tables.iter().map(|(n, _)| n.as_str()).collect();
    check(sql, &names)?;
    let mut context = SQLContext::new();
    for (name, path) in tables {
        let path = path
            .to_str()
            .ok_or_else(|| Error::Usage(format!("{}: the path is not UTF-8", path.display())))?;
        // A partitioned folder (`--partition-by`) is scanned whole, its KEY=VALUE folders read as
        // a column (polars' hive partitioning, on by default for one folder).
        let frame = LazyFrame::scan_parquet(PlRefPath::new(path), ScanArgsParquet::default())
            .map_err(|e| Error::bad_file(path, one_line(&e.to_string())))?;
        context.register(name, frame);
    }
    let sql = sql.to_string();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("winddown-query".into())
        .spawn(move || {
            let answer = crate::error::contained(|| {
                let plan = context.execute(&sql)?.limit(max_rows as IdxSize + 1);
                // The streaming engine first: a national GROUP BY over the claims runs in a
                // twelfth of the memory (0.6 against 7.5 GB) and faster; a query it cannot run
                // goes to the in-memory engine.
                match crate::error::contained(|| {
                    plan.clone().collect_with_engine(Engine::Streaming)
                }) {
                    Some(Ok(result)) => Ok(result.unwrap_single()),
                    _ => plan.collect(),
                }
            });
            let _ = send.send(answer);
        })
        .map_err(|e| Error::Internal(format!("starting a query: {e}")))?;
    let frame = match receive.recv_timeout(limit) {
        Ok(Some(Ok(frame))) => frame,
        Ok(Some(Err(e))) => return Err(refuse(one_line(&e.to_string()))),
        Ok(None) => return Err(refuse("the query engine failed on this query")),
        Err(_) => {
            return Err(refuse(format!(
                "the query took longer than {} s; narrow it (a WHERE, a LIMIT)",
                limit.as_secs()
            )))
        }
    };
    answer(&frame, max_rows)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A frame as text cells, at most `max_rows` rows.
fn answer(frame: &DataFrame, max_rows: usize) -> Result<Answer> {
    let truncated = frame.height() > max_rows;
    let shown = frame.height().min(max_rows);
    let mut columns = Vec::new();
    let mut cells: Vec<Vec<Option<String>>> = Vec::new();
    for column in frame.columns() {
        columns.push(column.name().to_string());
        let series = column.as_materialized_series().slice(0, shown);
        let text = match series.cast(&DataType::String) {
            Ok(s) if !matches!(series.dtype(), DataType::List(_) | DataType::Struct(_)) => s
                .str()
                .map(|t| t.iter().map(|v| v.map(str::to_string)).collect::<Vec<_>>())
                .ok(),
            _ => None,
        };
        cells.push(match text {
            Some(t) => t,
            None => (0..shown)
                .map(|i| match series.get(i) {
                    Ok(AnyValue::Null) | Err(_) => None,
                    Ok(v) => Some(nested_text(v)),
                })
                .collect(),
        });
    }
    let rows = (0..shown)
        .map(|i| cells.iter().map(|c| c[i].clone()).collect())
        .collect();
    Ok(Answer {
        columns,
        rows,
        truncated,
    })
}

/// A list or struct value in full (polars' own display shortens long lists with "…"): lists as
/// `[a, b]`, structs as `{name: value, …}`, text inside them quoted as JSON strings.
fn nested_text(v: AnyValue) -> String {
    match v.into_static() {
        AnyValue::List(items) => {
            let inner: Vec<String> = items.iter().map(|x| inner_text(x)).collect();
            format!("[{}]", inner.join(", "))
        }
        AnyValue::StructOwned(pair) => {
            let (values, fields) = *pair;
            let inner: Vec<String> = fields
                .iter()
                .zip(values)
                .map(|(f, x)| format!("{}: {}", f.name(), inner_text(x)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        // The shortest text that reads back as the same float (polars' display rounds).
        AnyValue::Float64(f) => format!("{f}"),
        AnyValue::Float32(f) => format!("{f}"),
        other => other.to_string(),
    }
}

/// A value inside a list or struct.
fn inner_text(v: AnyValue) -> String {
    match v {
        AnyValue::Null => "null".to_string(),
        AnyValue::String(s) => serde_json::Value::from(s).to_string(),
        AnyValue::StringOwned(s) => serde_json::Value::from(s.as_str()).to_string(),
        other => nested_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn only_one_select_over_the_runs_own_tables_is_allowed() {
        let tables = ["platforms", "claims"];
        // Allowed: joins, subqueries, WITH names, any case.
        for ok in [
            "SELECT class, count(*) FROM platforms GROUP BY class",
            "select p.name, c.claim from PLATFORMS p join claims c on p.platform_id = c.platform_id",
            "WITH big AS (SELECT * FROM claims WHERE claim > 100) SELECT count(*) FROM big",
            "SELECT * FROM (SELECT platform_id FROM platforms) t",
        ] {
            assert!(check(ok, &tables).is_ok(), "{ok}");
        }
        // Refused: files, other tables, other statements, several statements.
        for bad in [
            "SELECT * FROM read_parquet('/etc/passwd')",
            "SELECT * FROM read_csv('../other/claims.csv')",
            "SELECT * FROM lenders",
            "SELECT * FROM other.platforms",
            "SELECT * FROM '/tmp/x.parquet'",
            "COPY platforms TO '/tmp/x.csv'",
            "CREATE TABLE x AS SELECT * FROM platforms",
            "SELECT 1; SELECT 2",
            "DROP TABLE platforms",
            "not sql at all",
        ] {
            assert!(check(bad, &tables).is_err(), "{bad}");
        }
    }
}
