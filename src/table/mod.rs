//! Columnar files. The polars wall: with `input::parquet` (the input tables' Parquet columns
//! turned into typed cells) and `generate::sink`, the only place that touches polars — input
//! Parquet files a slice of row groups at a time ([`batches`]), frames for the generator's
//! Parquet files ([`frame`]), and the CSV copies of the exports. Beside it, the exports of
//! earlier runs read back by their contract's fields with arrow-rs, the stack that writes them
//! ([`export_file`]). It depends on nothing of the pipeline but errors and the domain.

pub mod batches;
pub mod export_file;
pub mod frame;
pub mod query;

use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, PolarsContext, Result};

/// Read a whole Parquet file. A damaged file is an [`Error::BadFile`] naming it, even if a
/// decoder deep inside polars panics instead of returning an error.
fn read_parquet_file(path: &Path) -> Result<DataFrame> {
    let f = std::fs::File::open(path)
        .map_err(|e| Error::bad_file(path, format!("cannot open: {e}")))?;
    crate::error::contained(|| ParquetReader::new(f).finish())
        .ok_or_else(|| Error::bad_file(path, "cannot read as Parquet: the file is damaged"))?
        .map_err(|e| {
            let one_line = e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            Error::bad_file(path, format!("cannot read as Parquet: {one_line}"))
        })
}

/// Copy a Parquet export to CSV (UTF-8 with BOM, flat columns only), a slice of row groups at
/// a time; returns the rows written.
pub fn parquet_to_csv(parquet: &Path, csv: &Path) -> Result<u64> {
    let (mut batches, names) = batches::ParquetBatches::open(parquet)?;
    let schema = {
        let f = std::fs::File::open(parquet).map_err(|e| Error::io(parquet, e))?;
        ParquetReader::new(f)
            .schema()
            .context("reading an export's schema")?
    };
    let nested = |n: &str| {
        schema.get(n).is_some_and(|f| {
            matches!(
                f.dtype(),
                ArrowDataType::List(_) | ArrowDataType::LargeList(_) | ArrowDataType::Struct(_)
            )
        })
    };
    let flat: Vec<String> = names.into_iter().filter(|n| !nested(n)).collect();
    batches.select(flat.clone());
    let mut out = std::fs::File::create(csv).map_err(|e| Error::io(csv, e))?;
    let mut rows = 0u64;
    let mut first = true;
    while let Some((_, mut df)) = batches.next_batch()? {
        rows += df.height() as u64;
        excel_safe_text(&mut df)?;
        CsvWriter::new(&mut out)
            .include_bom(first)
            .include_header(first)
            .finish(&mut df)
            .context("writing a CSV copy")?;
        first = false;
    }
    if first {
        // No rows: the header alone.
        let mut empty = read_parquet_file(parquet)?
            .select(flat)
            .context("flattening an export")?;
        CsvWriter::new(&mut out)
            .include_bom(true)
            .finish(&mut empty)
            .context("writing a CSV copy")?;
    }
    Ok(rows)
}

/// The text columns of a frame made safe for Excel: a cell that would read as a formula gets a
/// leading `'` ([`crate::domain::text::excel_safe`]). Columns without such a cell are left as
/// they are.
fn excel_safe_text(df: &mut DataFrame) -> Result<()> {
    use crate::domain::text::{excel_safe, formula_like};
    let names: Vec<PlSmallStr> = df.get_column_names_owned();
    for name in names {
        let Ok(text) = df.column(&name).and_then(|c| c.str().cloned()) else {
            continue;
        };
        if !text.iter().flatten().any(formula_like) {
            continue;
        }
        let safe: StringChunked = text
            .iter()
            .map(|v| v.map(|s| excel_safe(s).into_owned()))
            .collect();
        df.with_column(safe.with_name(name).into_column())
            .context("making a CSV copy safe for Excel")?;
    }
    Ok(())
}
