//! Parquet inputs, read by polars a slice of row groups at a time (one of the few places that
//! touch polars): each column handed to the validator in the representation its contract type
//! needs, keeping its Parquet type where it has one.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::input::schema::CellType;
use crate::input::source::Column;

/// Rows per Parquet batch (whole row groups are read; a batch holds at least one). Small
/// enough that a batch's column buffers come from the heap and are reused, not mapped and
/// zeroed afresh (measured: 7 % of validation time went to the kernel zeroing pages).
pub const PARQUET_BATCH_ROWS: usize = 1 << 18;

/// A Parquet column of polars type `dtype` as the column a contract type needs. `Err` for a
/// type that cannot be read as this column at all (the file is refused).
pub fn parquet_column<'a>(
    series: &'a Series,
    ty: CellType,
    accept_float_money: bool,
) -> std::result::Result<Column<'a>, String> {
    let dtype = series.dtype();
    let as_owned = |s: &Series| -> std::result::Result<Column<'a>, String> {
        let text = s
            .strict_cast(&DataType::String)
            .map_err(|e| one_line(&e.to_string()))?;
        let text = text.str().map_err(|e| one_line(&e.to_string()))?;
        Ok(Column::Owned(
            text.iter().map(|v| v.map(str::to_string)).collect(),
        ))
    };
    let ints = |s: &Series| -> std::result::Result<Vec<Option<i64>>, String> {
        let c = s
            .strict_cast(&DataType::Int64)
            .map_err(|e| one_line(&e.to_string()))?;
        Ok(c.i64()
            .map_err(|e| one_line(&e.to_string()))?
            .iter()
            .collect())
    };
    match dtype {
        DataType::String => {
            let ca = series.str().map_err(|e| one_line(&e.to_string()))?;
            Ok(Column::Text(ca.iter().collect()))
        }
        d if d.is_float() => {
            let floats: Vec<Option<f64>> = series
                .cast(&DataType::Float64)
                .map_err(|e| one_line(&e.to_string()))?
                .f64()
                .map_err(|e| one_line(&e.to_string()))?
                .iter()
                .collect();
            match ty {
                CellType::Money if !accept_float_money => Err(format!(
                    "money stored as {dtype} (floating point); store it as Decimal, integer yuan \
                     or text, or pass --accept-float-money to round each value to the fen"
                )),
                CellType::Money => Ok(Column::Float(floats)),
                // A whole float (pandas writes nullable integers so) is its integer.
                _ => Ok(Column::Owned(
                    floats
                        .into_iter()
                        .map(|v| {
                            v.map(|v| {
                                if v.fract() == 0.0 && v.abs() < 9.0e15 {
                                    format!("{}", v as i64)
                                } else {
                                    format!("{v}")
                                }
                            })
                        })
                        .collect(),
                )),
            }
        }
        DataType::Decimal(_, scale) if ty == CellType::Money => {
            let ca = series.decimal().map_err(|e| one_line(&e.to_string()))?;
            Ok(Column::Decimal(
                ca.physical().iter().collect(),
                *scale as u32,
            ))
        }
        // Integers that fit i64 are numbers for money and integer columns; a UInt64 beyond
        // i64 is text, so that the one cell is rejected, not the file.
        d if d.is_integer() && matches!(ty, CellType::Money | CellType::Integer) => {
            match ints(series) {
                Ok(v) => Ok(Column::Int(v)),
                Err(_) => as_owned(series),
            }
        }
        DataType::Date if ty == CellType::Date => {
            let ca = series.date().map_err(|e| one_line(&e.to_string()))?;
            Ok(Column::Date(ca.physical().iter().collect()))
        }
        DataType::Boolean if ty == CellType::Bool => {
            let ca = series.bool().map_err(|e| one_line(&e.to_string()))?;
            Ok(Column::Bool(ca.iter().collect()))
        }
        d if d.is_integer()
            || d.is_bool()
            || d.is_decimal()
            || matches!(d, DataType::Date | DataType::Datetime(_, _)) =>
        {
            as_owned(series)
        }
        other => Err(format!("type {other} is not a table cell")),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The rows of a Parquet file, `PARQUET_BATCH_ROWS` at a time, as polars frames of the
/// columns asked for. A damaged file is an error naming it (even where a decoder deep in
/// polars panics).
pub struct ParquetBatches {
    path: std::path::PathBuf,
    metadata: std::sync::Arc<polars::io::parquet::read::FileMetadata>,
    columns: Vec<String>,
    /// (first row, rows) of each batch still to read.
    slices: std::collections::VecDeque<(usize, usize)>,
}

impl ParquetBatches {
    pub fn open(path: &std::path::Path) -> Result<(ParquetBatches, Vec<String>)> {
        let bad = |m: String| Error::bad_file(path, m);
        let file = std::fs::File::open(path).map_err(|e| bad(format!("cannot open: {e}")))?;
        let mut reader = ParquetReader::new(file);
        let meta = crate::error::contained(|| reader.get_metadata().cloned())
            .map_err(|_| bad("cannot read as Parquet: the file is damaged".into()))?
            .map_err(|e| {
                bad(format!(
                    "cannot read as Parquet: {}",
                    one_line(&e.to_string())
                ))
            })?;
        let schema = reader.schema().map_err(|e| {
            bad(format!(
                "cannot read as Parquet: {}",
                one_line(&e.to_string())
            ))
        })?;
        let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        // Batches of whole row groups, about PARQUET_BATCH_ROWS rows each.
        let mut slices = std::collections::VecDeque::new();
        let (mut start, mut len) = (0usize, 0usize);
        for rg in &meta.row_groups {
            len += rg.num_rows();
            if len >= PARQUET_BATCH_ROWS {
                slices.push_back((start, len));
                start += len;
                len = 0;
            }
        }
        if len > 0 {
            slices.push_back((start, len));
        }
        Ok((
            ParquetBatches {
                path: path.to_path_buf(),
                metadata: meta,
                columns: Vec::new(),
                slices,
            },
            names,
        ))
    }

    /// Read only these columns (by file name).
    pub fn select(&mut self, columns: Vec<String>) {
        self.columns = columns;
    }

    /// Rows in the file.
    pub fn rows(&self) -> usize {
        self.metadata.num_rows
    }

    /// The next batch: (first row, frame), or None at the end.
    pub fn next_batch(&mut self) -> Result<Option<(usize, DataFrame)>> {
        let Some((start, len)) = self.slices.pop_front() else {
            return Ok(None);
        };
        let path = &self.path;
        let bad = |m: String| Error::bad_file(path, m);
        let file = std::fs::File::open(path).map_err(|e| bad(format!("cannot open: {e}")))?;
        let mut reader = ParquetReader::new(file)
            .with_columns(Some(self.columns.clone()))
            .with_slice(Some((start, len)));
        reader.set_metadata(self.metadata.clone());
        let df = crate::error::contained(|| reader.finish())
            .map_err(|_| bad("cannot read as Parquet: the file is damaged".into()))?
            .map_err(|e| {
                bad(format!(
                    "cannot read as Parquet: {}",
                    one_line(&e.to_string())
                ))
            })?;
        Ok(Some((start, df)))
    }
}
