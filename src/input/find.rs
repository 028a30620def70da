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
    /// A folder of parts of one format (Spark, DuckDB's `PARTITION_BY`, polars, a bank's
    /// system), read one after the other in the byte order of their paths.
    Parts(Vec<TableFile>),
}

/// A part's place in its table's folder: the name rejects show
/// (`investments/province=广东/part-0.csv`) and the hive-style `key=value` partitions of its
/// path (`__HIVE_DEFAULT_PARTITION__` is no value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartOf {
    pub shown: String,
    pub partition: Vec<(String, Option<String>)>,
}

/// The input file of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFile {
    pub table: Table,
    pub path: PathBuf,
    pub format: SourceFormat,
    /// Set for a part of a table given as a folder.
    pub part: Option<PartOf>,
}

impl TableFile {
    /// The file name as shown in rejects.csv and validation.json; a sheet as `book.xlsx!sheet`.
    pub fn file_name(&self) -> String {
        if let Some(part) = &self.part {
            return part.shown.clone();
        }
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match &self.format {
            SourceFormat::Xlsx { sheet } => format!("{name}!{sheet}"),
            SourceFormat::Parts(_) => format!("{name}/"),
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

/// Find the platform tables' files in `dir` (see [`find_of`]).
pub fn find_tables(dir: &Path) -> Result<BTreeMap<Table, TableFile>> {
    find_of(dir, &Table::PLATFORM_TABLES)
}

/// Find every table of `tables` in `dir`: `T.csv`, `T.parquet`, `T.xlsx` (its sheet `T`, else its
/// first sheet), or a sheet named `T` in another workbook of the folder. Missing required
/// tables, and a table given twice, are errors.
pub fn find_of(dir: &Path, tables: &[Table]) -> Result<BTreeMap<Table, TableFile>> {
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
    let booked_table = |path: &Path| {
        Table::PLATFORM_TABLES
            .iter()
            .chain(&Table::CASE_TABLES)
            .copied()
            .find(|t| own_book(*t, path))
    };
    let mut found = BTreeMap::new();
    for &table in tables {
        let mut candidates = Vec::new();
        let csv = dir.join(format!("{}.csv", table.name()));
        if csv.is_file() {
            candidates.push(TableFile {
                table,
                path: csv,
                format: SourceFormat::Csv,
                part: None,
            });
        }
        let parquet = dir.join(format!("{}.parquet", table.name()));
        if parquet.is_file() {
            candidates.push(TableFile {
                table,
                path: parquet,
                format: SourceFormat::Parquet,
                part: None,
            });
        }
        let folder = dir.join(table.name());
        if folder.is_dir() {
            candidates.push(TableFile {
                table,
                format: SourceFormat::Parts(parts(table, &folder)?),
                path: folder,
                part: None,
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
                    part: None,
                });
            }
        }
        match candidates.len() {
            0 if table.required() => {
                return Err(Error::bad_file(
                    dir,
                    format!(
                        "required table {0} is missing ({0}.csv, {0}.parquet, {0}.xlsx, a sheet {0} in a workbook, or a folder {0}/ of parts)",
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

/// The parts of a table given as a folder: every `.csv` or `.parquet` file under it (not
/// hidden or `_`-prefixed files such as Spark's `_SUCCESS` and `.crc`), all of one format, in
/// the byte order of their paths, each with the partitions of its path.
fn parts(table: Table, folder: &Path) -> Result<Vec<TableFile>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            if path.is_dir() {
                walk(&path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(folder, &mut files)?;
    let format_of = |p: &Path| match p.extension().map(|e| e.to_string_lossy().to_lowercase()) {
        Some(e) if e == "csv" => Some(SourceFormat::Csv),
        Some(e) if e == "parquet" => Some(SourceFormat::Parquet),
        _ => None,
    };
    files.retain(|p| format_of(p).is_some());
    files.sort_by(|a, b| {
        a.as_os_str()
            .as_encoded_bytes()
            .cmp(b.as_os_str().as_encoded_bytes())
    });
    let Some(first) = files.first() else {
        return Err(Error::bad_file(
            folder,
            format!(
                "the folder of table {} has no .csv or .parquet part",
                table.name()
            ),
        ));
    };
    let format = format_of(first);
    if let Some(other) = files.iter().find(|p| format_of(p) != format) {
        return Err(Error::bad_file(
            other,
            format!(
                "the parts of table {} mix CSV and Parquet ({} and {}); keep one format",
                table.name(),
                crate::domain::text::terminal_safe(&first.display().to_string()),
                crate::domain::text::terminal_safe(&other.display().to_string())
            ),
        ));
    }
    let base = folder.parent().unwrap_or(folder);
    Ok(files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(base).unwrap_or(&path);
            let shown = rel.to_string_lossy().into_owned();
            let partition = rel
                .parent()
                .into_iter()
                .flat_map(|p| p.components())
                .filter_map(|c| {
                    let c = c.as_os_str().to_string_lossy();
                    let (key, value) = c.split_once('=')?;
                    Some((
                        crate::domain::hive::percent_decode(key),
                        crate::domain::hive::decode(value),
                    ))
                })
                .collect();
            TableFile {
                table,
                format: format_of(&path).unwrap_or(SourceFormat::Csv),
                path,
                part: Some(PartOf { shown, partition }),
            }
        })
        .collect())
}

/// The partitions of a part that name a contract column: (column, value, whether the file
/// has the column itself — then each row's value must be the partition's). Partition keys
/// that name no column join the unknown columns.
pub fn partition_columns(
    file: &TableFile,
    mapping: &[Option<usize>],
    config: &Config,
    unknown: &mut Vec<String>,
) -> Vec<(usize, Option<String>, bool)> {
    let Some(part) = &file.part else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in &part.partition {
        let key = key.trim();
        match partition_target(file.table, key, config) {
            Some(j) => out.push((j, value.clone(), mapping[j].is_some())),
            None => {
                if !unknown.iter().any(|u| u == key) {
                    unknown.push(key.to_string());
                }
            }
        }
    }
    out
}

/// The contract column a partition key names, as a header would (the config's `[columns]`,
/// else the column's own name in any case).
fn partition_target(table: Table, key: &str, config: &Config) -> Option<usize> {
    let key = key.trim();
    let target = config.columns.get(key).map(String::as_str).or_else(|| {
        table
            .columns()
            .iter()
            .map(|c| c.name)
            .find(|n| n.eq_ignore_ascii_case(key))
    });
    target.and_then(|t| table.column_index(t))
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
    // A part's partitions give their columns too.
    let from_path: Vec<usize> = file
        .part
        .iter()
        .flat_map(|p| &p.partition)
        .filter_map(|(key, _)| partition_target(table, key, config))
        .collect();
    let missing: Vec<&str> = table
        .columns()
        .iter()
        .zip(&mapping)
        .enumerate()
        .filter(|(j, (c, m))| c.required && m.is_none() && !from_path.contains(j))
        .map(|(_, (c, _))| c.name)
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
