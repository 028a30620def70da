//! Find: the input folder's table files, each table's header mapped onto the contract
//! columns, and the checks that tell a text table from anything else before it is read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::input::schema::Table;

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
