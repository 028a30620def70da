//! Load: find the input tables in a folder and read each one, CSV or Parquet, as rows of raw
//! text cells in contract column order, each with the physical line (CSV) or 1-based row
//! (Parquet) where it starts.
//!
//! CSV is read with rust-csv (whose record positions know about quoted newlines) and decoded
//! as UTF-8, with or without BOM, or GB18030/GBK (detected, or set by `--encoding`). Parquet
//! is read with polars and every column turned into the same text the CSV would hold, except
//! that money columns follow DESIGN §2: integer = whole yuan, Decimal = exact if whole fen,
//! float only with `--accept-float-money`.
//!
//! A file that is not a table at all (missing required column, not CSV or Parquet, a bad
//! encoding, NUL bytes, truncated Parquet) is an [`Error::BadFile`] naming it; row-level
//! problems are the validator's.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::money;
use crate::schema::{CellType, Table};

pub mod csv;

/// How CSV bytes are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Encoding {
    /// UTF-8 (BOM or not) when the start of the file is valid UTF-8, else GB18030.
    #[default]
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    #[value(alias = "gbk", alias = "gb2312")]
    Gb18030,
}

/// Options for reading input files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub encoding: Encoding,
    pub accept_float_money: bool,
}

/// The input file of one table.
#[derive(Debug, Clone)]
pub struct TableFile {
    pub table: Table,
    pub path: PathBuf,
    pub parquet: bool,
}

impl TableFile {
    /// The file name as shown in rejects.csv and validation.json.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Find every table's file in `dir`. Missing required tables, and a table given both as CSV
/// and as Parquet, are errors.
pub fn find_tables(dir: &Path) -> Result<BTreeMap<Table, TableFile>> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a folder of input tables",
            dir.display()
        )));
    }
    let mut found = BTreeMap::new();
    for table in Table::ALL {
        let csv = dir.join(format!("{}.csv", table.name()));
        let parquet = dir.join(format!("{}.parquet", table.name()));
        let file = match (csv.is_file(), parquet.is_file()) {
            (true, true) => {
                return Err(Error::bad_file(
                    dir,
                    format!(
                        "table {} is given twice ({0}.csv and {0}.parquet); keep one",
                        table.name()
                    ),
                ))
            }
            (true, false) => TableFile {
                table,
                path: csv,
                parquet: false,
            },
            (false, true) => TableFile {
                table,
                path: parquet,
                parquet: true,
            },
            (false, false) if table.required() => {
                return Err(Error::bad_file(
                    dir,
                    format!(
                        "required table {0} is missing ({0}.csv or {0}.parquet)",
                        table.name()
                    ),
                ))
            }
            (false, false) => continue,
        };
        found.insert(table, file);
    }
    Ok(found)
}

/// What the reader learned about a file besides its rows.
#[derive(Debug, Clone, Default)]
pub struct FileInfo {
    /// Headers that map to no contract column: kept out of the computation, reported once.
    pub unknown_columns: Vec<String>,
    /// The encoding actually used (CSV) or "parquet".
    pub encoding: &'static str,
    /// Float money values rounded to the fen (Parquet with `--accept-float-money`).
    pub float_money_rounded: u64,
}

/// One row as the validator sees it: raw cell text by contract column (None = absent).
pub struct RawRow<'a> {
    /// 1-based physical line where the record starts (CSV, header = 1) or 1-based row (Parquet).
    pub line: u64,
    pub cells: &'a [Option<&'a str>],
    /// Non-empty cells beyond the header's columns: the 1-based position of the first one.
    pub extra_field: Option<(usize, &'a str)>,
    /// The record has more or fewer fields than the header: its cells may have shifted
    /// (a comma inside an unquoted name), so no cell of it may be quoted back in rejects.
    pub misaligned: bool,
    /// For a record with fewer fields than the header: the first column it does not reach
    /// (its contract name, or the header text of an unknown column).
    pub short_of: Option<&'a str>,
}

/// Read a table file and call `each` for every record, in file order.
pub fn read_table(
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    each: &mut dyn FnMut(RawRow<'_>) -> Result<()>,
) -> Result<FileInfo> {
    if file.parquet {
        read_parquet(file, config, options, each)
    } else {
        read_csv(file, config, options, each)
    }
}

/// Map header cells to contract columns. Returns, per contract column, the index of the file
/// column holding it, and the unknown headers.
fn map_headers(
    file: &TableFile,
    headers: &[String],
    config: &Config,
) -> Result<(Vec<Option<usize>>, Vec<String>)> {
    let table = file.table;
    let mut mapping: Vec<Option<usize>> = vec![None; table.columns().len()];
    let mut unknown = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        let clean = header.trim().trim_start_matches('\u{feff}').trim();
        let target = config.columns.get(clean).map(String::as_str).or_else(|| {
            table
                .columns()
                .iter()
                .map(|c| c.name)
                .find(|n| n.eq_ignore_ascii_case(clean))
        });
        match target.and_then(|t| table.column_index(t)) {
            Some(j) => {
                if let Some(prev) = mapping[j] {
                    return Err(Error::bad_file(
                        &file.path,
                        format!(
                            "columns {} and {} both give {}",
                            quote_header(&headers[prev], prev),
                            quote_header(header, i),
                            table.columns()[j].name
                        ),
                    ));
                }
                mapping[j] = Some(i);
            }
            None => unknown.push(if clean.is_empty() {
                format!("(unnamed column {})", i + 1)
            } else {
                clean.to_string()
            }),
        }
    }
    let missing: Vec<&str> = table
        .columns()
        .iter()
        .zip(&mapping)
        .filter(|(c, m)| c.required && m.is_none())
        .map(|(c, _)| c.name)
        .collect();
    if !missing.is_empty() {
        return Err(Error::bad_file(
            &file.path,
            format!(
                "missing required column{} {} (map other headers in the config's [columns])",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(", ")
            ),
        ));
    }
    Ok((mapping, unknown))
}

fn quote_header(header: &str, index: usize) -> String {
    let h: String = header.trim().chars().take(60).collect();
    format!("\"{h}\" (column {})", index + 1)
}

// ---------------------------------------------------------------- CSV

const SNIFF_BYTES: usize = 64 * 1024;

fn read_csv(
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    each: &mut dyn FnMut(RawRow<'_>) -> Result<()>,
) -> Result<FileInfo> {
    let path = &file.path;
    let mut f = File::open(path).map_err(|e| Error::bad_file(path, format!("cannot open: {e}")))?;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut f)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::bad_file(path, format!("cannot read: {e}")))?;
    if head.is_empty() {
        return Err(Error::bad_file(path, "empty file: no header row"));
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Err(Error::bad_file(
            path,
            "UTF-16 text is not supported; save it as UTF-8 or GBK CSV",
        ));
    }
    if looks_binary(&head) {
        return Err(Error::bad_file(path, "not a CSV text file (binary data)"));
    }
    let has_bom = head.starts_with(&[0xef, 0xbb, 0xbf]);
    let utf8 = match options.encoding {
        Encoding::Utf8 => true,
        Encoding::Gb18030 => has_bom,
        Encoding::Auto => has_bom || starts_as_utf8(&head),
    };
    let rest = BufReader::with_capacity(1 << 20, f);
    let body_offset = if has_bom { 3 } else { 0 };
    let bytes = std::io::Cursor::new(head[body_offset..].to_vec()).chain(rest);
    if utf8 {
        let info = parse_csv(file, config, bytes, true, each)?;
        Ok(FileInfo {
            encoding: "utf-8",
            ..info
        })
    } else {
        let info = parse_csv(file, config, csv::Decoded::gb18030(bytes), false, each)?;
        Ok(FileInfo {
            encoding: "gb18030",
            ..info
        })
    }
}

/// Binary garbage: NUL bytes or many control characters near the start.
fn looks_binary(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    sample.contains(&0) || controls * 20 > sample.len()
}

/// Is this prefix valid UTF-8, allowing a multi-byte sequence cut at its end?
fn starts_as_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

fn parse_csv<R: Read>(
    file: &TableFile,
    config: &Config,
    reader: R,
    check_utf8: bool,
    each: &mut dyn FnMut(RawRow<'_>) -> Result<()>,
) -> Result<FileInfo> {
    let path = &file.path;
    let mut rdr = csv::Reader::new(reader);
    let mut record = csv::Record::default();
    let csv_err = |e: csv::CsvError| match e {
        csv::CsvError::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            Error::bad_file(path, "unknown encoding: neither UTF-8 nor GB18030/GBK text")
        }
        e => Error::bad_file(path, e.to_string()),
    };
    if !rdr.read(&mut record).map_err(csv_err)? {
        return Err(Error::bad_file(path, "empty file: no header row"));
    }
    let header_line = record.line;
    let mut headers = Vec::with_capacity(record.len());
    for field in record.iter() {
        headers.push(field_text(path, header_line, field, check_utf8)?.to_string());
    }
    let (mapping, unknown_columns) = map_headers(file, &headers, config)?;
    let width = headers.len();
    let spec = file.table.columns();
    // Each header position by the name a reject would give it.
    let position_names: Vec<String> = (0..width)
        .map(|i| match mapping.iter().position(|m| *m == Some(i)) {
            Some(j) => spec[j].name.to_string(),
            None => headers[i].trim().to_string(),
        })
        .collect();
    // The cells of one record borrow it; the vector's allocation is reused between records.
    let mut spare: Vec<Option<&'static str>> = Vec::with_capacity(spec.len());
    loop {
        if !rdr.read(&mut record).map_err(csv_err)? {
            break;
        }
        let line = record.line;
        // A whitespace-only line is a blank line, not a record.
        if record.len() == 1 && record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let mut cells = recycle(std::mem::take(&mut spare));
        for m in &mapping {
            cells.push(match m.and_then(|i| record.get(i)) {
                Some(field) => Some(field_text(path, line, field, check_utf8)?),
                None => None,
            });
        }
        let mut extra_field = None;
        for i in width..record.len() {
            let text = field_text(path, line, record.get(i).unwrap_or_default(), check_utf8)?;
            if !text.trim().is_empty() {
                extra_field = Some((i + 1, text));
                break;
            }
        }
        let row = RawRow {
            line,
            cells: &cells,
            extra_field,
            misaligned: record.len() != width,
            short_of: position_names.get(record.len()).map(String::as_str),
        };
        each(row)?;
        spare = recycle(cells);
    }
    Ok(FileInfo {
        unknown_columns,
        ..FileInfo::default()
    })
}

/// An emptied vector of cells, its allocation kept for the next record (whatever it borrows).
fn recycle<'a>(mut v: Vec<Option<&str>>) -> Vec<Option<&'a str>> {
    v.clear();
    v.into_iter().map(|_| None).collect()
}

fn field_text<'a>(path: &Path, line: u64, field: &'a [u8], check_utf8: bool) -> Result<&'a str> {
    if check_utf8 {
        std::str::from_utf8(field).map_err(|_| {
            Error::bad_file(
                path,
                format!("line {line}: invalid UTF-8 (for GBK/GB18030 files pass --encoding gbk)"),
            )
        })
    } else {
        // Already decoded from GB18030 into UTF-8.
        std::str::from_utf8(field)
            .map_err(|_| Error::Internal(format!("{}: decoded text is not UTF-8", path.display())))
    }
}

// ---------------------------------------------------------------- Parquet

fn read_parquet(
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    each: &mut dyn FnMut(RawRow<'_>) -> Result<()>,
) -> Result<FileInfo> {
    let path = &file.path;
    let bad = |m: String| Error::bad_file(path, m);
    let frame = crate::frame::read_parquet_file(path)?;

    let headers: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let (mapping, unknown_columns) = map_headers(file, &headers, config)?;
    let spec = file.table.columns();
    let mut float_money_rounded = 0u64;
    let mut texts: Vec<Option<StringChunked>> = Vec::with_capacity(spec.len());
    for (c, m) in spec.iter().zip(&mapping) {
        let Some(i) = m else {
            texts.push(None);
            continue;
        };
        let column = frame.columns()[*i].as_materialized_series().clone();
        let text = column_as_text(&column, c.ty, options, &mut float_money_rounded)
            .map_err(|m| bad(format!("column {}: {m}", headers[*i])))?;
        texts.push(Some(text.rechunk().into_owned()));
    }
    let mut cells: Vec<Option<&str>> = Vec::with_capacity(spec.len());
    let iters: Vec<Option<Box<dyn Iterator<Item = Option<&str>> + '_>>> = texts
        .iter()
        .map(|t| {
            t.as_ref()
                .map(|ca| Box::new(ca.iter()) as Box<dyn Iterator<Item = Option<&str>>>)
        })
        .collect();
    let mut iters = iters;
    for row in 0..frame.height() {
        cells.clear();
        for it in iters.iter_mut() {
            cells.push(it.as_mut().and_then(|it| it.next().flatten()));
        }
        each(RawRow {
            line: row as u64 + 1,
            cells: &cells,
            extra_field: None,
            misaligned: false,
            short_of: None,
        })?;
    }
    Ok(FileInfo {
        unknown_columns,
        encoding: "parquet",
        float_money_rounded,
    })
}

/// Turn a Parquet column into the text a CSV cell would hold.
fn column_as_text(
    column: &Series,
    ty: CellType,
    options: &ReadOptions,
    float_money_rounded: &mut u64,
) -> std::result::Result<StringChunked, String> {
    let dtype = column.dtype().clone();
    let name = column.name().clone();
    if dtype.is_float() {
        let floats = column
            .cast(&DataType::Float64)
            .map_err(|e| one_line(&e.to_string()))?;
        let floats = floats.f64().map_err(|e| one_line(&e.to_string()))?;
        return match ty {
            CellType::Money if !options.accept_float_money => Err(format!(
                "money stored as {dtype} (floating point); store it as Decimal, integer yuan or \
                 text, or pass --accept-float-money to round each value to the fen"
            )),
            CellType::Money => Ok(floats
                .iter()
                .map(|v| {
                    v.map(|v| match money::float_yuan_to_fen(v) {
                        Some(fen) => {
                            *float_money_rounded += 1;
                            money::format_fen(fen)
                        }
                        None => format!("{v}"),
                    })
                })
                .collect::<StringChunked>()
                .with_name(name)),
            // A whole float (pandas writes nullable integers so) is its integer.
            _ => Ok(floats
                .iter()
                .map(|v| {
                    v.map(|v| {
                        if v.fract() == 0.0 && v.abs() < 9.0e15 {
                            format!("{}", v as i64)
                        } else {
                            format!("{v}")
                        }
                    })
                })
                .collect::<StringChunked>()
                .with_name(name)),
        };
    }
    let supported = dtype.is_integer()
        || dtype.is_bool()
        || matches!(
            dtype,
            DataType::String | DataType::Date | DataType::Datetime(_, _)
        )
        || dtype.is_decimal();
    if !supported {
        return Err(format!("type {dtype} is not a table cell"));
    }
    let text = column
        .strict_cast(&DataType::String)
        .map_err(|e| one_line(&e.to_string()))?;
    let text = text.str().map_err(|e| one_line(&e.to_string()))?.clone();
    if dtype.is_decimal() && ty == CellType::Money {
        // Decimal text carries its full scale ("1.230"); zeros past the fen are not a reject.
        return Ok(text
            .iter()
            .map(|v| v.map(trim_fraction_zeros))
            .collect::<StringChunked>()
            .with_name(name));
    }
    Ok(text)
}

/// "1.230" → "1.23", "5.000" → "5.00", "1.234" unchanged (it is not whole fen).
fn trim_fraction_zeros(text: &str) -> String {
    match text.split_once('.') {
        Some((int, frac)) if frac.len() > 2 => {
            let trimmed = frac.trim_end_matches('0');
            let keep = if trimmed.len() <= 2 {
                &frac[..2]
            } else {
                trimmed
            };
            format!("{int}.{keep}")
        }
        _ => text.to_string(),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_keeps_only_whole_fen() {
        assert_eq!(trim_fraction_zeros("1.230"), "1.23");
        assert_eq!(trim_fraction_zeros("5.000"), "5.00");
        assert_eq!(trim_fraction_zeros("1.234"), "1.234");
        assert_eq!(trim_fraction_zeros("7"), "7");
        assert_eq!(trim_fraction_zeros("-0.1000"), "-0.10");
    }

    #[test]
    fn utf8_sniffing_allows_a_cut_sequence() {
        let s = "平台".as_bytes();
        assert!(starts_as_utf8(&s[..5]));
        let (gbk, _, _) = encoding_rs::GBK.encode("平台编号");
        assert!(!starts_as_utf8(&gbk));
    }
}
