//! `winddown-sql`: the SQL engine behind `winddown query` and the desk's query page, a program
//! of its own so that polars is built only for those who want SQL.
//!
//! ```text
//! winddown-sql --table NAME=PATH [--table NAME=PATH …] [--max-rows N] [--timeout SECONDS] -- SQL
//! ```
//!
//! Each `--table` is a Parquet file or a hive-partitioned folder of them, registered under
//! NAME. The SQL is checked first ([`check`]: one read-only SELECT over the named tables and
//! its own WITH names), then run on polars' streaming engine ([`engine`]). The answer is one
//! JSON document on stdout — `{"columns": […], "rows": [[text or null, …], …], "truncated":
//! bool}`, every value as exact text — and exit 0. A refused or failed query: one line
//! beginning `query:` on stderr, nothing on stdout, exit 2. The caller (winddown) sets the
//! memory ceiling and kills the process if it outlives its time.

mod check;
mod engine;

use std::path::PathBuf;
use std::time::Duration;

/// What the command line asked for.
struct Ask {
    tables: Vec<(String, PathBuf)>,
    max_rows: usize,
    timeout: Duration,
    sql: String,
}

fn main() {
    // A panic inside polars is the query's failure, reported as one line (engine.rs catches
    // it); the default hook would print a backtrace note over it.
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = ask(std::env::args_os().skip(1).collect()).and_then(|ask| {
        let names: Vec<&str> = ask.tables.iter().map(|(n, _)| n.as_str()).collect();
        check::check(&ask.sql, &names)?;
        engine::run(&ask.sql, &ask.tables, ask.max_rows, ask.timeout)
    });
    match outcome.and_then(|answer| {
        serde_json::to_string(&answer).map_err(|e| format!("writing the answer: {e}"))
    }) {
        Ok(json) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{json}").and_then(|()| out.flush()).is_err() {
                std::process::exit(3);
            }
            // The query's thread may still run past a timeout: do not wait for it.
            std::process::exit(0);
        }
        Err(why) => {
            eprintln!("query: {}", one_line(&why));
            std::process::exit(2);
        }
    }
}

/// The arguments, or what is wrong with them.
fn ask(args: Vec<std::ffi::OsString>) -> Result<Ask, String> {
    let mut tables = Vec::new();
    let mut max_rows = 1_000usize;
    let mut timeout = Duration::from_secs(60);
    let mut args = args.into_iter();
    let text = |v: Option<std::ffi::OsString>, what: &str| -> Result<String, String> {
        v.ok_or_else(|| format!("{what} needs a value"))?
            .into_string()
            .map_err(|_| format!("{what}: not UTF-8"))
    };
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--table") => {
                let value = text(args.next(), "--table")?;
                let (name, path) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--table {value}: NAME=PATH"))?;
                tables.push((name.to_string(), PathBuf::from(path)));
            }
            Some("--max-rows") => {
                max_rows = text(args.next(), "--max-rows")?
                    .parse::<usize>()
                    .map_err(|e| format!("--max-rows: {e}"))?
                    .max(1);
            }
            Some("--timeout") => {
                let seconds = text(args.next(), "--timeout")?
                    .parse::<u64>()
                    .map_err(|e| format!("--timeout: {e}"))?;
                timeout = Duration::from_secs(seconds.max(1));
            }
            Some("--") => {
                let sql = text(args.next(), "the SQL")?;
                if args.next().is_some() {
                    return Err("one SQL text only".into());
                }
                return Ok(Ask {
                    tables,
                    max_rows,
                    timeout,
                    sql,
                });
            }
            _ => {
                return Err(format!(
                    "usage: winddown-sql --table NAME=PATH … [--max-rows N] [--timeout S] -- SQL \
                     (not {})",
                    arg.to_string_lossy()
                ))
            }
        }
    }
    Err("no SQL: winddown-sql --table NAME=PATH … -- SQL".into())
}

/// Polars' and the parser's messages span lines; the caller shows one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
