//! Find: the input folder's table files, each table's header mapped onto the contract
//! columns, and the checks that tell a text table from anything else before it is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::domain::schema::Table;
use crate::error::{Error, Result};

/// How CSV bytes are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (BOM or not) when the start of the file is valid UTF-8, else GB18030.
    #[default]
    Auto,
    Utf8,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
}

/// Options for reading input files.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub encoding: Encoding,
    pub accept_float_money: bool,
}

/// How a table's file is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Parquet,
    /// A sheet of an Excel workbook.
    Xlsx {
        sheet: String,
    },
}

/// The input file of one table.
#[derive(Debug, Clone)]
pub struct TableFile {
    pub table: Table,
    pub path: PathBuf,
    pub format: SourceFormat,
}

impl TableFile {
    /// The file name as shown in rejects.csv and validation.json; a sheet as `book.xlsx!sheet`.
    pub fn file_name(&self) -> String {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match &self.format {
            SourceFormat::Xlsx { sheet } => format!("{name}!{sheet}"),
            _ => name,
        }
    }
}

/// The workbooks of a folder (not Excel's `~$` lock files), in name order.
fn workbooks(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut books = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_file() && name.to_ascii_lowercase().ends_with(".xlsx") && !name.starts_with("~$")
        {
            books.push(path);
        }
    }
    books.sort();
    Ok(books)
}

/// Find every table's file in `dir`: `T.csv`, `T.parquet`, `T.xlsx` (its sheet `T`, else its
/// first sheet), or a sheet named `T` in another workbook of the folder. Missing required
/// tables, and a table given twice, are errors.
pub fn find_tables(dir: &Path) -> Result<BTreeMap<Table, TableFile>> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{}: not a folder of input tables",
            dir.display()
        )));
    }
    let books = workbooks(dir)?;
    let mut sheets: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for book in &books {
        sheets.push((book.clone(), sheet_names(book)?));
    }
    let own_book = |table: Table, path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .is_some_and(|n| n == format!("{}.xlsx", table.name()))
    };
    let booked_table = |path: &Path| Table::ALL.into_iter().find(|t| own_book(*t, path));
    let mut found = BTreeMap::new();
    for table in Table::ALL {
        let mut candidates = Vec::new();
        let csv = dir.join(format!("{}.csv", table.name()));
        if csv.is_file() {
            candidates.push(TableFile {
                table,
                path: csv,
                format: SourceFormat::Csv,
            });
        }
        let parquet = dir.join(format!("{}.parquet", table.name()));
        if parquet.is_file() {
            candidates.push(TableFile {
                table,
                path: parquet,
                format: SourceFormat::Parquet,
            });
        }
        for (book, names) in &sheets {
            // A sheet is named like the table whatever its case and surrounding spaces; two
            // such sheets in one workbook are the table given twice.
            let mut like = names
                .iter()
                .filter(|n| n.trim().eq_ignore_ascii_case(table.name()));
            let named = like.next();
            if let Some(other) = like.next() {
                return Err(Error::bad_file(
                    book,
                    format!(
                        "sheets \"{}\" and \"{}\" both give table {}; keep one",
                        crate::domain::text::terminal_safe(
                            named.map(String::as_str).unwrap_or_default()
                        ),
                        crate::domain::text::terminal_safe(other),
                        table.name()
                    ),
                ));
            }
            let sheet = if own_book(table, book) {
                named.or(names.first())
            } else if booked_table(book).is_none() {
                named
            } else {
                None
            };
            if let Some(sheet) = sheet {
                candidates.push(TableFile {
                    table,
                    path: book.clone(),
                    format: SourceFormat::Xlsx {
                        sheet: sheet.clone(),
                    },
                });
            }
        }
        match candidates.len() {
            0 if table.required() => {
                return Err(Error::bad_file(
                    dir,
                    format!(
                        "required table {0} is missing ({0}.csv, {0}.parquet, {0}.xlsx or a sheet {0} in a workbook)",
                        table.name()
                    ),
                ))
            }
            0 => {}
            1 => {
                found.insert(table, candidates.remove(0));
            }
            _ => {
                let names: Vec<String> = candidates.iter().map(TableFile::file_name).collect();
                return Err(Error::bad_file(
                    dir,
                    format!(
                        "table {} is given twice ({}); keep one",
                        table.name(),
                        names.join(" and ")
                    ),
                ));
            }
        }
    }
    Ok(found)
}

/// The sheet names of a workbook (to find tables by sheet name). A panic inside calamine on a
/// damaged file is an error naming it.
fn sheet_names(path: &Path) -> Result<Vec<String>> {
    use calamine::Reader;
    let opened = crate::error::contained(|| calamine::open_workbook::<calamine::Xlsx<_>, _>(path))
        .ok_or_else(|| {
            Error::bad_file(
                path,
                "cannot read as an Excel workbook: the file is damaged",
            )
        })?;
    let book =
        opened.map_err(|e| Error::bad_file(path, format!("not an Excel workbook (.xlsx): {e}")))?;
    Ok(book.sheet_names())
}

/// Map header cells to contract columns. Returns, per contract column, the index of the file
/// column holding it, and the unknown headers.
pub fn map_headers(
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

/// Bytes sniffed from the start of a CSV file (encoding, binary data).
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Binary garbage: NUL bytes or many control characters near the start.
pub fn looks_binary(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    sample.contains(&0) || controls * 20 > sample.len()
}

/// Is this prefix valid UTF-8, allowing a multi-byte sequence cut at its end?
pub fn starts_as_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_sniffing_allows_a_cut_sequence() {
        let s = "平台".as_bytes();
        assert!(starts_as_utf8(&s[..5]));
        let (gbk, _, _) = encoding_rs::GBK.encode("平台编号");
        assert!(!starts_as_utf8(&gbk));
    }
}
