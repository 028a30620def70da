//! `winddown query RUN_OUT "SQL"`: SQL over a run folder's own tables on the terminal — an
//! aligned table (control characters escaped), CSV for Excel (formulas neutralised) or JSON —
//! answered by the SQL engine `winddown-sql` in a child process, as the desk's /query is
//! (`table::query`).

use std::time::Duration;

use crate::cli::args::{QueryArgs, QueryFormat};
use crate::cli::console::{pad, pad_left};
use crate::domain::text::{excel_safe, terminal_safe};
use crate::error::{Error, Result};
use crate::table::query;

pub fn query(args: QueryArgs) -> Result<()> {
    let tables = query::tables(&args.run);
    if !args.run.join("manifest.json").is_file() || tables.is_empty() {
        return Err(Error::Usage(format!(
            "{}: not an output folder of winddown with Parquet exports (run, case, …)",
            crate::domain::text::terminal_safe(&args.run.display().to_string())
        )));
    }
    let answer = query::run(
        &query::engine(),
        &args.sql,
        &tables,
        query::Limits {
            rows: args.max_rows.max(1),
            time: Duration::from_secs(args.timeout.max(1)),
            memory: None,
        },
    )?;
    let bytes = match args.format {
        QueryFormat::Json => {
            let mut json = serde_json::to_vec_pretty(&answer)
                .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
            json.push(b'\n');
            json
        }
        QueryFormat::Csv => csv(&answer)?,
        QueryFormat::Table => aligned(&answer).into_bytes(),
    };
    crate::cli::to_stdout(&bytes)
}

fn csv(answer: &query::Answer) -> Result<Vec<u8>> {
    let err = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    w.write_record(answer.columns.iter().map(|c| excel_safe(c).into_owned()))
        .map_err(err)?;
    for row in &answer.rows {
        w.write_record(
            row.iter()
                .map(|v| excel_safe(v.as_deref().unwrap_or("")).into_owned()),
        )
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

/// Columns padded to their widest cell (by display width); numbers to the right.
fn aligned(answer: &query::Answer) -> String {
    let cell = |v: &Option<String>| match v {
        Some(s) => terminal_safe(s).into_owned(),
        None => "∅".to_string(),
    };
    let header: Vec<String> = answer
        .columns
        .iter()
        .map(|c| terminal_safe(c).into_owned())
        .collect();
    let rows: Vec<Vec<String>> = answer
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    let width = |j: usize| {
        std::iter::once(&header[j])
            .chain(rows.iter().map(|r| &r[j]))
            .map(|s| unicode_width::UnicodeWidthStr::width(s.as_str()))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let numeric: Vec<bool> = (0..header.len())
        .map(|j| {
            rows.iter()
                .all(|r| r[j] == "∅" || r[j].parse::<f64>().is_ok() || r[j].parse::<i128>().is_ok())
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(j, c)| {
                if numeric[j] {
                    pad_left(c, widths[j])
                } else {
                    pad(c, widths[j])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = String::new();
    out.push_str(&line(&header));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out.push_str(&format!(
        "({} 行 rows{})\n",
        rows.len(),
        if answer.truncated {
            "; more left out: --max-rows, or narrow the query"
        } else {
            ""
        }
    ));
    out
}
