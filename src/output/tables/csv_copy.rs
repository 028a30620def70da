//! `--csv`: a CSV copy of every Parquet export, UTF-8 with a BOM so that Excel shows the
//! Chinese, money as yuan text. Nested columns (reasons, steps, units, targets) stay in the
//! Parquet only; their one-line forms (reason_zh, reason_en) are in the CSV.

use crate::error::{Error, Result};
use crate::output::Staging;

/// Write `<name>.csv` beside every `<name>.parquet` of the staging folder.
pub fn csv_copies(staging: &Staging) -> Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(staging.dir())
        .map_err(|e| Error::io(staging.dir(), e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    names.sort();
    for name in names {
        let csv_name = name.replace(".parquet", ".csv");
        let rows = crate::table::parquet_to_csv(&staging.path(&name), &staging.path(&csv_name))?;
        staging.record_rows(&csv_name, rows);
    }
    Ok(())
}
