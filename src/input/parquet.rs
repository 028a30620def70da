//! Parquet inputs, read with arrow-rs a slice of rows at a time (`table::batches`): each column
//! handed to the validator in the representation its contract type needs, keeping its Parquet
//! type where it has one.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Decimal256Type, Decimal32Type, Decimal64Type,
    Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};

use crate::config::Config;
use crate::domain::date::Date;
use crate::domain::money::format_decimal;
use crate::domain::schema::CellType;
use crate::error::{Error, Result};
use crate::input::find::{self, ReadOptions, TableFile};
use crate::input::report::TableReport;
use crate::input::source::{self, Column, Strings};
use crate::progress::{Progress, Unit};

const DAY_SECONDS: i64 = 86_400;

/// The values of an integer column as i64; `None` when one is beyond i64 (a UInt64).
fn integers(array: &dyn Array) -> Option<Vec<Option<i64>>> {
    macro_rules! ints {
        ($t:ty) => {
            Some(
                array
                    .as_primitive::<$t>()
                    .iter()
                    .map(|v| v.map(i64::from))
                    .collect(),
            )
        };
    }
    match array.data_type() {
        DataType::Int8 => ints!(Int8Type),
        DataType::Int16 => ints!(Int16Type),
        DataType::Int32 => ints!(Int32Type),
        DataType::Int64 => ints!(Int64Type),
        DataType::UInt8 => ints!(UInt8Type),
        DataType::UInt16 => ints!(UInt16Type),
        DataType::UInt32 => ints!(UInt32Type),
        DataType::UInt64 => array
            .as_primitive::<UInt64Type>()
            .iter()
            .map(|v| v.map(i64::try_from).transpose().ok())
            .collect(),
        _ => None,
    }
}

/// The mantissas of a decimal column as i128 and its scale; `None` for a value beyond i128 or
/// a negative scale.
fn decimals(array: &dyn Array) -> Option<(Vec<Option<i128>>, u32)> {
    let scale = |s: i8| u32::try_from(s).ok();
    match array.data_type() {
        DataType::Decimal32(_, s) => Some((
            array
                .as_primitive::<Decimal32Type>()
                .iter()
                .map(|v| v.map(i128::from))
                .collect(),
            scale(*s)?,
        )),
        DataType::Decimal64(_, s) => Some((
            array
                .as_primitive::<Decimal64Type>()
                .iter()
                .map(|v| v.map(i128::from))
                .collect(),
            scale(*s)?,
        )),
        DataType::Decimal128(_, s) => Some((
            array.as_primitive::<Decimal128Type>().iter().collect(),
            scale(*s)?,
        )),
        DataType::Decimal256(_, s) => Some((
            array
                .as_primitive::<Decimal256Type>()
                .iter()
                .map(|v| match v {
                    None => Some(None),
                    Some(v) => v.to_i128().map(Some),
                })
                .collect::<Option<Vec<_>>>()?,
            scale(*s)?,
        )),
        _ => None,
    }
}

/// A naive timestamp (seconds and nanoseconds of the second since 1970) as text:
/// `2019-01-15 09:30:00`, with the fraction of the second where it has one.
fn timestamp_text(seconds: i64, nanos: u32) -> String {
    let day = Date(seconds.div_euclid(DAY_SECONDS) as i32);
    let s = seconds.rem_euclid(DAY_SECONDS);
    let mut text = format!("{day} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        text.push('.');
        text.push_str(frac.trim_end_matches('0'));
    }
    text
}

/// An instant: seconds since 1970 and nanoseconds of the second.
type Instant = (i64, u32);

/// The instants of a timestamp or Date64 column, and whether it has a time zone.
fn instants(array: &dyn Array) -> Option<(Vec<Option<Instant>>, bool)> {
    fn split(v: i64, per_second: i64) -> Instant {
        (
            v.div_euclid(per_second),
            (v.rem_euclid(per_second) * (1_000_000_000 / per_second)) as u32,
        )
    }
    macro_rules! at {
        ($t:ty, $per:expr) => {
            array
                .as_primitive::<$t>()
                .iter()
                .map(|v| v.map(|v| split(v, $per)))
                .collect()
        };
    }
    let (values, zoned) = match array.data_type() {
        DataType::Timestamp(unit, tz) => (
            match unit {
                TimeUnit::Second => at!(TimestampSecondType, 1),
                TimeUnit::Millisecond => at!(TimestampMillisecondType, 1_000),
                TimeUnit::Microsecond => at!(TimestampMicrosecondType, 1_000_000),
                TimeUnit::Nanosecond => at!(TimestampNanosecondType, 1_000_000_000),
            },
            tz.is_some(),
        ),
        DataType::Date64 => (at!(Date64Type, 1_000), false),
        _ => return None,
    };
    Some((values, zoned))
}

/// Every value of a column that is no text as the text a CSV would hold; `None` for a type
/// that is not a table cell.
fn as_text(array: &dyn Array) -> Option<Vec<Option<String>>> {
    let n = array.len();
    if let Some(ints) = integers(array) {
        return Some(ints.into_iter().map(|v| v.map(|v| v.to_string())).collect());
    }
    if let DataType::UInt64 = array.data_type() {
        return Some(
            array
                .as_primitive::<UInt64Type>()
                .iter()
                .map(|v| v.map(|v| v.to_string()))
                .collect(),
        );
    }
    if let Some((mantissas, scale)) = decimals(array) {
        return Some(
            mantissas
                .into_iter()
                .map(|v| v.map(|v| format_decimal(v, scale)))
                .collect(),
        );
    }
    if let Some((instants, zoned)) = instants(array) {
        let zone = if zoned { " UTC" } else { "" };
        return Some(
            instants
                .into_iter()
                .map(|v| v.map(|(s, ns)| format!("{}{zone}", timestamp_text(s, ns))))
                .collect(),
        );
    }
    match array.data_type() {
        DataType::Null => Some(vec![None; n]),
        DataType::Boolean => Some(
            array
                .as_boolean()
                .iter()
                .map(|v| v.map(|b| b.to_string()))
                .collect(),
        ),
        DataType::Date32 => Some(
            array
                .as_primitive::<Date32Type>()
                .iter()
                .map(|v| v.map(|d| Date(d).to_string()))
                .collect(),
        ),
        DataType::Utf8 => Some(owned(array.as_string::<i32>().iter())),
        DataType::LargeUtf8 => Some(owned(array.as_string::<i64>().iter())),
        DataType::Utf8View => Some(owned(array.as_string_view().iter())),
        DataType::Binary => utf8(array.as_binary::<i32>().iter()),
        DataType::LargeBinary => utf8(array.as_binary::<i64>().iter()),
        DataType::BinaryView => utf8(array.as_binary_view().iter()),
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            let values = as_text(dictionary.values().as_ref())?;
            let keys = dictionary.normalized_keys();
            Some(
                (0..n)
                    .map(|i| {
                        if array.is_null(i) {
                            None
                        } else {
                            values.get(keys[i]).cloned().flatten()
                        }
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

fn owned<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Vec<Option<String>> {
    values.map(|v| v.map(str::to_string)).collect()
}

/// Binary cells as text when every one is UTF-8 (writers that do not mark strings as such).
fn utf8<'a>(values: impl Iterator<Item = Option<&'a [u8]>>) -> Option<Vec<Option<String>>> {
    values
        .map(|v| match v {
            None => Some(None),
            Some(b) => std::str::from_utf8(b).ok().map(|s| Some(s.to_string())),
        })
        .collect()
}

/// A Parquet column as the column a contract type needs. `Err` for a type that cannot be read
/// as this column at all (the file is refused).
pub fn parquet_column<'a>(
    array: &'a dyn Array,
    ty: CellType,
    accept_float_money: bool,
) -> std::result::Result<Column<'a>, String> {
    let dtype = array.data_type();
    let not_a_cell = || format!("type {dtype} is not a table cell");
    let text = || as_text(array).map(Column::Owned).ok_or_else(not_a_cell);
    match dtype {
        DataType::Utf8 => Ok(Column::Strings(Strings::Utf8(array.as_string::<i32>()))),
        DataType::LargeUtf8 => Ok(Column::Strings(Strings::Large(array.as_string::<i64>()))),
        DataType::Utf8View => Ok(Column::Strings(Strings::View(array.as_string_view()))),
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let floats: Vec<Option<f64>> = match dtype {
                DataType::Float16 => array
                    .as_primitive::<Float16Type>()
                    .iter()
                    .map(|v| v.map(|v| v.to_f64()))
                    .collect(),
                DataType::Float32 => array
                    .as_primitive::<Float32Type>()
                    .iter()
                    .map(|v| v.map(f64::from))
                    .collect(),
                _ => array.as_primitive::<Float64Type>().iter().collect(),
            };
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
        DataType::Decimal128(_, scale) if ty == CellType::Money && *scale >= 0 => Ok(
            Column::Decimal128(array.as_primitive::<Decimal128Type>(), *scale as u32),
        ),
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..)
            if ty == CellType::Money =>
        {
            match decimals(array) {
                Some((mantissas, scale)) => Ok(Column::Decimal(mantissas, scale)),
                None => text(),
            }
        }
        // Integers that fit i64 are numbers for money and integer columns; a UInt64 beyond
        // i64 is text, so that the one cell is rejected, not the file.
        DataType::Int64 if matches!(ty, CellType::Money | CellType::Integer) => {
            Ok(Column::Int64(array.as_primitive::<Int64Type>()))
        }
        d if d.is_integer() && matches!(ty, CellType::Money | CellType::Integer) => {
            match integers(array) {
                Some(v) => Ok(Column::Int(v)),
                None => text(),
            }
        }
        DataType::Date32 if ty == CellType::Date => {
            Ok(Column::Date32(array.as_primitive::<Date32Type>()))
        }
        // A timestamp without a time zone at midnight is that day (pandas writes dates so);
        // one with a time of day is text and rejected as a date, as in Excel.
        DataType::Timestamp(_, None) | DataType::Date64 if ty == CellType::Date => {
            let Some((instants, _)) = instants(array) else {
                return text();
            };
            let day = |(s, ns): Instant| {
                (s.rem_euclid(DAY_SECONDS) == 0 && ns == 0)
                    .then_some(s.div_euclid(DAY_SECONDS) as i32)
            };
            if instants.iter().flatten().all(|v| day(*v).is_some()) {
                Ok(Column::Date(
                    instants.into_iter().map(|v| v.and_then(day)).collect(),
                ))
            } else {
                Ok(Column::Owned(
                    instants
                        .into_iter()
                        .map(|v| {
                            v.map(|(s, ns)| match day((s, ns)) {
                                Some(d) => Date(d).to_string(),
                                None => timestamp_text(s, ns),
                            })
                        })
                        .collect(),
                ))
            }
        }
        DataType::Boolean if ty == CellType::Bool => {
            Ok(Column::Bool(array.as_boolean().iter().collect()))
        }
        _ => text(),
    }
}

/// What the sink wants of a table's columns, asked before the reading thread opens its files.
struct Wants {
    /// Each contract column: wanted at all.
    reads: Vec<bool>,
    /// Personal columns wanted (a payment file needs them).
    personal: bool,
}

/// What a Parquet file is read with, once its footer is read: its columns' names, those
/// wanted (contract column, file column), its partitions, the columns the contract does not
/// know, and its rows (in all, and to make room for).
struct Opened {
    names: Vec<String>,
    wanted: Vec<(usize, usize)>,
    partitions: Vec<(usize, Option<String>, bool)>,
    unknown_columns: Vec<String>,
    rows: usize,
    rows_to_expect: usize,
}

/// Open a Parquet file: its footer read, its columns mapped to the contract's and those wanted
/// selected.
fn open(
    file: &TableFile,
    config: &Config,
    wants: &Wants,
) -> Result<(crate::table::batches::ParquetBatches, Opened)> {
    let (mut batches, names) = crate::table::batches::ParquetBatches::open(&file.path)?;
    batches.strings_as_views();
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
            (!c.personal || c.always_read || wants.personal) && wants.reads[*j]
        })
        .collect();
    batches.select(wanted.iter().map(|(_, h)| names[*h].clone()).collect());
    let opened = Opened {
        names,
        wanted,
        partitions,
        unknown_columns,
        rows: batches.rows(),
        rows_to_expect: batches.rows_to_expect(),
    };
    Ok((batches, opened))
}

/// What the reading thread hands the validator, in order.
enum Next {
    /// File `k` opened: what its batches are read with.
    File(usize, Box<Opened>),
    /// A batch of the file opened last, and its first row.
    Batch(usize, RecordBatch),
}

/// Validate Parquet files one after the other, as one table (a file, or a folder's parts in
/// order), handing each file's report to `done` when its rows are read. The files are opened
/// and their batches decoded on a second thread while the validator checks the batch before —
/// across files too, so that a folder of small parts is not read one part at a time.
pub fn read_parquet(
    v: &mut dyn source::RowSink,
    files: &[TableFile],
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
    mut done: impl FnMut(TableReport),
) -> Result<()> {
    let Some(first) = files.first() else {
        return Ok(());
    };
    let wants = Wants {
        reads: (0..first.table.columns().len())
            .map(|j| v.reads(first.table, j))
            .collect(),
        personal: v.keeps_personal(),
    };
    std::thread::scope(|scope| -> Result<()> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Result<Next>>(1);
        let wants = &wants;
        let reader = scope.spawn(move || {
            for (k, file) in files.iter().enumerate() {
                let (mut batches, opened) = match open(file, config, wants) {
                    Ok(opened) => opened,
                    Err(e) => {
                        let _ = send.send(Err(e));
                        return;
                    }
                };
                if send.send(Ok(Next::File(k, Box::new(opened)))).is_err() {
                    return;
                }
                loop {
                    let next = match batches.next_batch() {
                        Ok(Some((start, batch))) => Ok(Next::Batch(start, batch)),
                        Ok(None) => break,
                        Err(e) => Err(e),
                    };
                    let failed = next.is_err();
                    if send.send(next).is_err() || failed {
                        return;
                    }
                }
            }
        });
        let checked = (|| -> Result<()> {
            let mut current: Option<(usize, Box<Opened>, TableReport)> = None;
            for next in receive.iter() {
                match next? {
                    Next::File(k, mut opened) => {
                        if let Some((_, _, report)) = current.take() {
                            done(report);
                        }
                        let file = &files[k];
                        v.expect_rows(file.table, opened.rows_to_expect);
                        let report = TableReport {
                            file: file.file_name(),
                            encoding: "parquet",
                            unknown_columns: std::mem::take(&mut opened.unknown_columns),
                            ..TableReport::default()
                        };
                        progress.begin(
                            &format!("校验 validate {}", file.file_name()),
                            Some(opened.rows as u64),
                            Unit::Rows,
                        );
                        current = Some((k, opened, report));
                    }
                    Next::Batch(start, batch) => {
                        let Some((k, opened, report)) = current.as_mut() else {
                            return Err(Error::Internal("a Parquet batch before its file".into()));
                        };
                        let read = Read {
                            names: &opened.names,
                            wanted: &opened.wanted,
                            partitions: &opened.partitions,
                            options,
                        };
                        check_parquet_batch(v, &files[*k], &read, report, start, &batch)?;
                        progress.advance(batch.num_rows() as u64);
                        if !v.wants_more() {
                            break;
                        }
                    }
                }
            }
            if let Some((_, _, report)) = current.take() {
                done(report);
            }
            Ok(())
        })();
        // On an error or an early stop the receiver is dropped here, so the reader stops at
        // its next send.
        drop(receive);
        reader
            .join()
            .map_err(|_| Error::Internal("the Parquet reader thread panicked".into()))?;
        checked
    })
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
    batch: &RecordBatch,
) -> Result<()> {
    let path = &file.path;
    let spec = file.table.columns();
    let mut columns: Vec<source::Column> =
        (0..spec.len()).map(|_| source::Column::Absent).collect();
    let Read {
        names,
        wanted,
        partitions,
        options,
    } = read;
    for (k, (j, h)) in wanted.iter().enumerate() {
        let column = parquet_column(
            batch.column(k).as_ref(),
            spec[*j].ty,
            options.accept_float_money,
        )
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
    let rows = batch.num_rows();
    let lines: Vec<u64> = (start as u64 + 1..=(start + rows) as u64).collect();
    let faults = source::apply_partitions(&mut columns, partitions, rows);
    let cells = source::Batch {
        lines: &lines,
        columns,
        csv: None,
        faults: &faults,
    };
    v.batch(file.table, &file.file_name(), &cells, report);
    Ok(())
}

#[cfg(test)]
mod tests {
    use arrow_array::{Date64Array, TimestampSecondArray, UInt64Array};

    use super::*;

    #[test]
    fn cells_of_other_types_read_as_a_csv_would_hold_them() {
        assert_eq!(timestamp_text(0, 0), "1970-01-01 00:00:00");
        assert_eq!(timestamp_text(-1, 500_000_000), "1969-12-31 23:59:59.5");
        // A UInt64 beyond i64 is text in an integer column: that cell is rejected, not the file.
        let big = UInt64Array::from(vec![Some(1), None, Some(u64::MAX)]);
        match parquet_column(&big, CellType::Integer, false) {
            Ok(Column::Owned(v)) => {
                assert_eq!(v, [Some("1".to_string()), None, Some(u64::MAX.to_string())])
            }
            _ => panic!("not text"),
        }
    }

    #[test]
    fn midnight_is_a_date_and_a_time_of_day_is_not() {
        let at = TimestampSecondArray::from(vec![Some(86_400), None]);
        assert!(matches!(
            parquet_column(&at, CellType::Date, false),
            Ok(Column::Date(v)) if v == [Some(1), None]
        ));
        let at = TimestampSecondArray::from(vec![86_400, 86_400 + 1]);
        assert!(matches!(
            parquet_column(&at, CellType::Date, false),
            Ok(Column::Owned(v)) if v == [Some("1970-01-02".into()), Some("1970-01-02 00:00:01".into())]
        ));
        // A time zone: the instant's day depends on it, so it is text (and rejected).
        let zoned = TimestampSecondArray::from(vec![86_400]).with_timezone("+08:00");
        assert!(matches!(
            parquet_column(&zoned, CellType::Date, false),
            Ok(Column::Owned(v)) if v == [Some("1970-01-02 00:00:00 UTC".into())]
        ));
        let ms = Date64Array::from(vec![86_400_000]);
        assert!(matches!(
            parquet_column(&ms, CellType::Date, false),
            Ok(Column::Date(v)) if v == [Some(1)]
        ));
    }
}
