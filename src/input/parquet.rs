//! Parquet inputs, read by polars a slice of row groups at a time (one of the few places that
//! touch polars): each column handed to the validator in the representation its contract type
//! needs, keeping its Parquet type where it has one.

use polars::prelude::*;

use crate::config::Config;
use crate::domain::schema::CellType;
use crate::error::{Error, Result};
use crate::input::find::{self, ReadOptions, TableFile};
use crate::input::report::TableReport;
use crate::input::source::{self, Column};
use crate::progress::{Progress, Unit};

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

/// Validate a Parquet table file.
pub fn read_parquet(
    v: &mut dyn source::RowSink,
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<TableReport> {
    let path = &file.path;
    let (mut batches, names) = crate::table::batches::ParquetBatches::open(path)?;
    let (mapping, mut unknown_columns) = find::map_headers(file, &names, config)?;
    let partitions = find::partition_columns(file, &mapping, config, &mut unknown_columns);
    let spec = file.table.columns();
    // Read the mapped columns only; personal ones only when a payment file needs them, but for
    // those the rules need anyway (`always_read`: an id number's check digit, an heir).
    let wanted: Vec<(usize, usize)> = mapping
        .iter()
        .enumerate()
        .filter_map(|(j, m)| m.map(|h| (j, h)))
        .filter(|(j, _)| {
            let c = &spec[*j];
            !c.personal || c.always_read || v.keeps_personal()
        })
        .collect();
    batches.select(wanted.iter().map(|(_, h)| names[*h].clone()).collect());
    v.expect_rows(file.table, batches.rows());
    let mut report = TableReport {
        file: file.file_name(),
        encoding: "parquet",
        unknown_columns,
        ..TableReport::default()
    };
    let name = file.file_name();
    progress.begin(
        &format!("校验 validate {name}"),
        Some(batches.rows() as u64),
        Unit::Rows,
    );
    // Batches are decoded on a second thread while the validator checks the one before.
    std::thread::scope(|scope| -> Result<()> {
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        let reader = scope.spawn(move || loop {
            let next = batches.next_batch();
            let end = !matches!(next, Ok(Some(_)));
            if send.send(next).is_err() || end {
                break;
            }
        });
        let checked = (|| -> Result<()> {
            for next in receive.iter() {
                let Some((start, df)) = next? else { break };
                let read = Read {
                    names: &names,
                    wanted: &wanted,
                    partitions: &partitions,
                    options,
                };
                check_parquet_batch(v, file, &read, &mut report, start, &df)?;
                progress.advance(df.height() as u64);
            }
            Ok(())
        })();
        // On an error the receiver is dropped here, so the reader stops at its next send.
        drop(receive);
        reader
            .join()
            .map_err(|_| Error::Internal("the Parquet reader thread panicked".into()))?;
        checked
    })?;
    Ok(report)
}

/// What a Parquet file's batches are read with: its column names, the (contract column, file
/// column) pairs read, the partitions of its path, the read options.
struct Read<'a> {
    names: &'a [String],
    wanted: &'a [(usize, usize)],
    partitions: &'a [(usize, Option<String>, bool)],
    options: &'a ReadOptions,
}

/// Validate one decoded batch of a Parquet file, whose first row is row `start`.
fn check_parquet_batch(
    v: &mut dyn source::RowSink,
    file: &TableFile,
    read: &Read,
    report: &mut TableReport,
    start: usize,
    df: &DataFrame,
) -> Result<()> {
    let path = &file.path;
    let spec = file.table.columns();
    let frame_columns = df.columns();
    let mut columns: Vec<source::Column> =
        (0..spec.len()).map(|_| source::Column::Absent).collect();
    let Read {
        names,
        wanted,
        partitions,
        options,
    } = read;
    for (k, (j, h)) in wanted.iter().enumerate() {
        let series = frame_columns[k].as_materialized_series();
        let column = parquet_column(series, spec[*j].ty, options.accept_float_money)
            .map_err(|m| Error::bad_file(path, format!("column {}: {m}", names[*h])))?;
        if let (CellType::Money, source::Column::Float(values)) = (spec[*j].ty, &column) {
            report.float_money_rounded += values
                .iter()
                .flatten()
                .filter(|f| crate::domain::money::float_yuan_to_fen(**f).is_some())
                .count() as u64;
        }
        columns[*j] = column;
    }
    let lines: Vec<u64> = (start as u64 + 1..=(start + df.height()) as u64).collect();
    let faults = source::apply_partitions(&mut columns, partitions, df.height());
    let batch = source::Batch {
        lines: &lines,
        columns,
        csv: None,
        faults: &faults,
    };
    v.batch(file.table, &file.file_name(), &batch, report);
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
