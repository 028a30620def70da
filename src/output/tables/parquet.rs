//! The Parquet exports, written with arrow-rs so that each file describes itself: every field
//! carries its description in Chinese and English and its unit (field metadata, and the same as
//! JSON in the file's key-value metadata `winddown.columns` for readers that ignore Arrow's),
//! the sort order is declared (`sorting_columns`), statistics go down to the page (page
//! indexes), and `lender_id` gets a bloom filter where a file has one — so a reader looking for
//! one lender in the national claims file reads only the row groups that can hold it. That
//! column is written plain, without a dictionary: nearly every value in it is another lender's,
//! and a dictionary was built (every value hashed) only to be given up a megabyte into each row
//! group. Amounts and ratios are written plain for the same reason: on the province's claims,
//! payouts and lenders, interning them was most of the writer's dictionary work (3.5 % of the
//! run's samples; docs/performance.md) and saved nothing once compressed (the files came out
//! within 3 %, smaller or larger).
//!
//! Arrays are built straight from the engine's columns (a `Vec` becomes an Arrow buffer without
//! a copy); big files are written a slice of rows at a time. The writer is deterministic: the
//! same columns give the same bytes.

use crate::output::folder::digest::Hashing;
use crate::write_behind::WriteBehind;
use std::fs::File;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array, ListArray,
    RecordBatch, StringArray, StructArray,
};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::domain::date::Date;
use crate::domain::exports::{Export, Kind};
use crate::error::{DataProblem, Error, Result};
use crate::output::Staging;

/// Rows per row group (and per slice handed to the writer).
pub const ROW_GROUP: usize = 1 << 20;

/// Rows per row group: [`ROW_GROUP`], or `WINDDOWN_ROW_GROUP_ROWS` (at least 1,000) to show
/// row-group pruning on small data (the lookup notebook does).
pub fn row_group_rows() -> usize {
    std::env::var("WINDDOWN_ROW_GROUP_ROWS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(ROW_GROUP, |n| n.max(1_000))
}

/// The Arrow type of an export column of type `kind`.
fn data_type(kind: Kind) -> DataType {
    match kind {
        Kind::Text => DataType::Utf8,
        Kind::Money => DataType::Decimal128(18, 2),
        Kind::Int => DataType::Int64,
        Kind::Ratio => DataType::Float64,
        Kind::Bool => DataType::Boolean,
        Kind::Date => DataType::Date32,
        Kind::TextList => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        Kind::Reasons => list_of(reason_fields()),
        Kind::Steps => list_of(step_fields()),
    }
}

fn list_of(fields: Fields) -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Struct(fields), true)))
}

fn reason_fields() -> Fields {
    Fields::from(vec![
        Field::new("rule", DataType::Utf8, true),
        Field::new("value", DataType::Float64, true),
        Field::new("threshold", DataType::Float64, true),
        Field::new("fired", DataType::Boolean, true),
    ])
}

fn step_fields() -> Fields {
    Fields::from(vec![
        Field::new("step", DataType::Utf8, true),
        Field::new("step_zh", DataType::Utf8, true),
        Field::new("due_on", DataType::Date32, true),
    ])
}

/// An export being written (through [`super::column::write`], which checks its columns).
pub struct Writer {
    file: String,
    /// Where it is written, for an error of the file system.
    path: std::path::PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<Hashing<WriteBehind>>,
    rows: u64,
    /// The staging folder's: set when the command is refused ([`Staging::abandon`]).
    abandoned: Arc<std::sync::atomic::AtomicBool>,
}

impl Writer {
    /// Open `export`'s file in the staging folder, its fields described from the contract.
    pub fn create(staging: &Staging, export: &'static Export) -> Result<Writer> {
        Writer::create_at(staging, export, export.file.to_string(), None)
    }

    /// Open `file` (a path inside the staging folder, its folders created) for `export`'s
    /// rows, without the column `omit` (a partition's, which the folder's name carries).
    pub fn create_at(
        staging: &Staging,
        export: &'static Export,
        file: String,
        omit: Option<&str>,
    ) -> Result<Writer> {
        let sorted_by: Vec<&str> = export
            .sorted_by
            .iter()
            .copied()
            .filter(|s| Some(*s) != omit)
            .collect();
        let fields: Vec<Field> = export
            .columns
            .iter()
            .filter(|f| Some(f.name) != omit)
            .map(|f| {
                Field::new(f.name, data_type(f.kind), true).with_metadata(
                    std::collections::HashMap::from([
                        ("description".to_string(), f.en.to_string()),
                        ("description_zh".to_string(), f.zh.to_string()),
                        ("unit".to_string(), f.unit.to_string()),
                    ]),
                )
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let sorting: Vec<SortingColumn> = sorted_by
            .iter()
            .filter_map(|s| schema.index_of(s).ok())
            .map(|i| SortingColumn {
                column_idx: leaf_index(&schema, i) as i32,
                descending: false,
                nulls_first: true,
            })
            .collect();
        let described: Vec<serde_json::Value> = schema
            .fields()
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name(),
                    "description": f.metadata()["description"],
                    "description_zh": f.metadata()["description_zh"],
                    "unit": f.metadata()["unit"],
                })
            })
            .collect();
        let mut props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_max_row_group_row_count(Some(row_group_rows()))
            .set_sorting_columns(Some(sorting))
            .set_key_value_metadata(Some(vec![
                KeyValue::new(
                    "winddown.columns".to_string(),
                    serde_json::Value::Array(described).to_string(),
                ),
                KeyValue::new("winddown.sorted_by".to_string(), sorted_by.join(",")),
            ]));
        for f in export.columns.iter().filter(|f| Some(f.name) != omit) {
            if matches!(f.kind, Kind::Money | Kind::Ratio) {
                props = props.set_column_dictionary_enabled(ColumnPath::from(f.name), false);
            }
        }
        if schema.index_of("lender_id").is_ok() {
            props = props
                .set_column_bloom_filter_enabled(ColumnPath::from("lender_id"), true)
                .set_column_bloom_filter_fpp(ColumnPath::from("lender_id"), 0.01)
                .set_column_dictionary_enabled(ColumnPath::from("lender_id"), false);
        }
        let path = staging.path(&file);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, e))?;
        }
        let out = File::create(&path).map_err(|e| Error::io(&path, e))?;
        let writer = ArrowWriter::try_new(
            Hashing::new(WriteBehind::new(out)),
            schema.clone(),
            Some(props.build()),
        )
        .map_err(|e| writing_error(&path, "opening", &file, e))?;
        Ok(Writer {
            file,
            path,
            schema,
            writer,
            rows: 0,
            abandoned: staging.abandoned(),
        })
    }

    /// Write a slice of rows: one array per column, in schema order.
    pub fn write(&mut self, columns: Vec<ArrayRef>) -> Result<()> {
        if self.abandoned.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Error::Internal(format!(
                "{}: not finished, the command was refused",
                self.file
            )));
        }
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| Error::Internal(format!("assembling {}: {e}", self.file)))?;
        self.rows += batch.num_rows() as u64;
        self.writer
            .write(&batch)
            .map_err(|e| writing_error(&self.path, "writing", &self.file, e))
    }

    /// Close the file and record its rows for the manifest.
    pub fn finish(self, staging: &Staging) -> Result<()> {
        let (file, path) = (self.file, self.path);
        // The footer written (as close() would), and the file's sha256 taken on the way.
        let (out, sha256) = self
            .writer
            .into_inner()
            .map_err(|e| writing_error(&path, "closing", &file, e))?
            .finish();
        out.finish();
        staging.record_rows(&file, self.rows);
        staging.record_hash(&file, sha256);
        Ok(())
    }
}

/// A Parquet writer's error: the file system's own (a full disk, a device gone) as what it is,
/// with the file's path (exit 3, "reading or writing a file"); anything else a broken
/// invariant of ours.
fn writing_error(path: &std::path::Path, doing: &str, file: &str, e: ParquetError) -> Error {
    match e {
        ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => Error::io(path, *io),
            Err(inner) => Error::Internal(format!("{doing} {file}: {inner}")),
        },
        e => Error::Internal(format!("{doing} {file}: {e}")),
    }
}

/// The Parquet leaf index of top-level field `i` (nested fields have several leaves).
fn leaf_index(schema: &Schema, i: usize) -> usize {
    fn leaves(t: &DataType) -> usize {
        match t {
            DataType::List(f) | DataType::LargeList(f) => leaves(f.data_type()),
            DataType::Struct(fs) => fs.iter().map(|f| leaves(f.data_type())).sum(),
            _ => 1,
        }
    }
    schema.fields()[..i]
        .iter()
        .map(|f| leaves(f.data_type()))
        .sum()
}

// ---------------------------------------------------------------- arrays

pub fn text<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<StringArray>())
}

pub fn ints(values: impl IntoIterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<Int64Array>())
}

pub fn ratios(values: impl IntoIterator<Item = Option<f64>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<Float64Array>())
}

pub fn bools(values: impl IntoIterator<Item = Option<bool>>) -> ArrayRef {
    Arc::new(values.into_iter().collect::<BooleanArray>())
}

pub fn dates(values: impl IntoIterator<Item = Option<Date>>) -> ArrayRef {
    Arc::new(
        values
            .into_iter()
            .map(|d| d.map(|d| d.0))
            .collect::<Date32Array>(),
    )
}

/// Fen as Decimal(18,2) yuan. An amount of 10¹⁶ yuan or more does not fit: an error naming
/// the column (no input that validation accepts comes near it).
pub fn money(column: &str, values: impl IntoIterator<Item = Option<i64>>) -> Result<ArrayRef> {
    const LIMIT: u64 = 1_000_000_000_000_000_000;
    let values = values.into_iter();
    // The mantissas and which are null, built straight into the array's buffers (no null
    // buffer when none is: most money columns).
    let mut out: Vec<i128> = Vec::with_capacity(values.size_hint().0);
    let mut nulls = NullBufferBuilder::new(out.capacity());
    for v in values {
        if v.is_some_and(|v| v.unsigned_abs() >= LIMIT) {
            return Err(Error::from(DataProblem::BeyondDecimal {
                column: column.to_string(),
            }));
        }
        nulls.append(v.is_some());
        out.push(v.map_or(0, i128::from));
    }
    let array = Decimal128Array::new(out.into(), nulls.finish())
        .with_precision_and_scale(18, 2)
        .map_err(|e| Error::Internal(format!("{column}: {e}")))?;
    Ok(Arc::new(array))
}

/// A list of text per row.
pub fn text_lists<'a>(rows: impl IntoIterator<Item = &'a [String]>) -> ArrayRef {
    let mut lengths = Vec::new();
    let mut flat: Vec<&str> = Vec::new();
    for r in rows {
        lengths.push(r.len());
        flat.extend(r.iter().map(String::as_str));
    }
    let values: ArrayRef = Arc::new(StringArray::from(flat));
    Arc::new(ListArray::new(
        Arc::new(Field::new("item", DataType::Utf8, true)),
        OffsetBuffer::from_lengths(lengths),
        values,
        None,
    ))
}

/// One struct of a `reasons` list.
pub struct ReasonItem {
    pub rule: &'static str,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub fired: bool,
}

pub fn reason_lists(rows: &[Vec<ReasonItem>]) -> ArrayRef {
    let flat: Vec<&ReasonItem> = rows.iter().flatten().collect();
    let fields = reason_fields();
    let arrays: Vec<ArrayRef> = vec![
        text(flat.iter().map(|r| Some(r.rule))),
        ratios(flat.iter().map(|r| r.value)),
        ratios(flat.iter().map(|r| r.threshold)),
        bools(flat.iter().map(|r| Some(r.fired))),
    ];
    let structs: ArrayRef = Arc::new(StructArray::new(fields.clone(), arrays, None));
    Arc::new(ListArray::new(
        Arc::new(Field::new("item", DataType::Struct(fields), true)),
        OffsetBuffer::from_lengths(rows.iter().map(Vec::len)),
        structs,
        None,
    ))
}

/// One struct of a `steps` list.
pub struct StepItem {
    pub step: &'static str,
    pub step_zh: &'static str,
    pub due_on: Date,
}

pub fn step_lists(rows: &[Vec<StepItem>]) -> ArrayRef {
    let flat: Vec<&StepItem> = rows.iter().flatten().collect();
    let fields = step_fields();
    let arrays: Vec<ArrayRef> = vec![
        text(flat.iter().map(|s| Some(s.step))),
        text(flat.iter().map(|s| Some(s.step_zh))),
        dates(flat.iter().map(|s| Some(s.due_on))),
    ];
    let structs: ArrayRef = Arc::new(StructArray::new(fields.clone(), arrays, None));
    Arc::new(ListArray::new(
        Arc::new(Field::new("item", DataType::Struct(fields), true)),
        OffsetBuffer::from_lengths(rows.iter().map(Vec::len)),
        structs,
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_decimal_yuan_with_its_nulls_and_refused_beyond_18_digits() {
        use arrow_array::Array;
        let a = money("paid", [Some(12_345), None, Some(-1), Some(0)]).unwrap();
        let a = a.as_any().downcast_ref::<Decimal128Array>().unwrap();
        assert_eq!(a.data_type(), &DataType::Decimal128(18, 2));
        assert_eq!(a.value_as_string(0), "123.45");
        assert!(a.is_null(1));
        assert_eq!(a.value_as_string(2), "-0.01");
        assert_eq!(a.value_as_string(3), "0.00");
        // No null buffer when every value is there.
        let full = money("paid", [Some(1), Some(2)]).unwrap();
        assert!(full.nulls().is_none());
        // 10^16 yuan less a fen fits; 10^16 does not, of either sign.
        let limit = 1_000_000_000_000_000_000i64;
        assert!(money("paid", [Some(limit - 1), Some(-(limit - 1))]).is_ok());
        for beyond in [limit, -limit] {
            let e = money("paid", [Some(1), Some(beyond)]).unwrap_err();
            assert!(e.to_string().contains("paid"), "{e}");
        }
    }

    #[test]
    fn a_full_disk_is_an_error_of_the_file_not_a_bug() {
        let path = std::path::Path::new("out/payouts.parquet");
        let full = ParquetError::External(Box::new(std::io::Error::from(
            std::io::ErrorKind::StorageFull,
        )));
        let e = writing_error(path, "writing", "payouts.parquet", full);
        assert!(
            matches!(&e, Error::Io { path: p, source } if p == path && source.kind() == std::io::ErrorKind::StorageFull)
        );
        assert_eq!(e.cause(), "reading or writing a file");
        let other = ParquetError::General("no such column".into());
        let e = writing_error(path, "writing", "payouts.parquet", other);
        assert!(
            matches!(&e, Error::Internal(m) if m == "writing payouts.parquet: Parquet error: no such column")
        );
    }

    /// What the Parquet writer makes of a write the disk refuses: `/dev/full` refuses every
    /// write with ENOSPC, as a full disk does.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_writer_reports_a_refused_write_as_the_file_systems_error() {
        // Every Linux has it: a machine without it fails here rather than passing unchecked.
        let out = File::options().write(true).open("/dev/full").unwrap();
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
        let rows: Vec<i64> = (0..200_000).collect();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(arrow_array::Int64Array::from(rows))],
        )
        .unwrap();
        let mut writer = ArrowWriter::try_new(out, schema, None).unwrap();
        let failed = writer
            .write(&batch)
            .and_then(|()| writer.close().map(|_| ()));
        let e = writing_error(
            std::path::Path::new("/dev/full"),
            "writing",
            "x.parquet",
            failed.unwrap_err(),
        );
        assert!(matches!(e, Error::Io { .. }), "{e:?}");
    }
}
