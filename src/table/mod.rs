//! The polars wall: with `input::parquet` (the input tables' Parquet columns turned into typed
//! cells) and `generate::sink`, the only place that touches polars. Parquet files a slice of
//! row groups at a time ([`batches`]), whole-file reads of ledgers and earlier runs' exports as
//! plain columns, frames for the generator's Parquet files ([`frame`]), and the CSV copies of
//! the exports. It depends on nothing of the pipeline but errors and the domain's types.

pub mod batches;
pub mod frame;

use std::path::Path;

use polars::prelude::*;

use crate::error::{Error, PolarsContext, Result};

/// Read a whole Parquet file. A damaged file is an [`Error::BadFile`] naming it, even if a
/// decoder deep inside polars panics instead of returning an error.
pub fn read_parquet_file(path: &Path) -> Result<DataFrame> {
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

/// A Decimal money column read back as fen, exactly (any scale, whole fen only).
pub fn decimal_fen(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<i64>> {
    let bad = |m: String| Error::bad_file(path, m);
    let c = df
        .column(name)
        .map_err(|_| bad(format!("no column {name}")))?;
    let DataType::Decimal(_, scale) = c.dtype() else {
        return Err(bad(format!("column {name} is not Decimal money")));
    };
    let scale = *scale as u32;
    let phys = c
        .as_materialized_series()
        .decimal()
        .map_err(|e| bad(e.to_string()))?
        .physical()
        .clone();
    phys.iter()
        .map(|v| {
            crate::domain::money::decimal_to_fen(v.unwrap_or(0), scale)
                .ok_or_else(|| bad(format!("column {name}: not whole fen")))
        })
        .collect()
}

/// Text columns of a whole Parquet file (null as "").
pub fn text_column(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<String>> {
    Ok(df
        .column(name)
        .map_err(|_| Error::bad_file(path, format!("no column {name}")))?
        .str()
        .map_err(|_| Error::bad_file(path, format!("column {name} is not text")))?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect())
}

/// An integer column of a whole Parquet file; a null or a non-integer type is an error.
pub fn integer_column(df: &DataFrame, name: &str, path: &Path) -> Result<Vec<i64>> {
    let bad = || Error::bad_file(path, format!("column {name} is not an integer column"));
    let c = df
        .column(name)
        .map_err(|_| Error::bad_file(path, format!("no column {name}")))?;
    if !c.dtype().is_integer() {
        return Err(bad());
    }
    let c = c.strict_cast(&DataType::Int64).map_err(|_| bad())?;
    c.i64()
        .map_err(|_| bad())?
        .iter()
        .map(|v| v.ok_or_else(bad))
        .collect()
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

/// A Date column of a whole Parquet file (null as day 0 is never wanted: nulls are errors).
pub fn date_column(
    df: &DataFrame,
    name: &str,
    path: &Path,
) -> Result<Vec<crate::domain::date::Date>> {
    let bad = || Error::bad_file(path, format!("no date column {name}"));
    opt_date_column(df, name, path)?
        .into_iter()
        .map(|v| v.ok_or_else(bad))
        .collect()
}

/// A Date column whose nulls are allowed.
pub fn opt_date_column(
    df: &DataFrame,
    name: &str,
    path: &Path,
) -> Result<Vec<Option<crate::domain::date::Date>>> {
    let bad = || Error::bad_file(path, format!("no date column {name}"));
    let c = df.column(name).map_err(|_| bad())?;
    if c.dtype() != &DataType::Date {
        return Err(bad());
    }
    let c = c.cast(&DataType::Int32).map_err(|_| bad())?;
    Ok(c.i32()
        .map_err(|_| bad())?
        .iter()
        .map(|v| v.map(crate::domain::date::Date))
        .collect())
}

/// Whether a whole Parquet file has a column.
pub fn has_column(df: &DataFrame, name: &str) -> bool {
    df.column(name).is_ok()
}
