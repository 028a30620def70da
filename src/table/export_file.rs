//! An export an earlier run wrote, read back with arrow-rs (the stack that writes it) by its
//! contract's fields ([`crate::domain::exports`]): the ledger of `payout --ledger`, statements,
//! the bulletin and the desk ask for `payouts::PAID`, never for a string, and get the column in
//! its type — money as fen, exactly — or an error naming the file. Only the fields asked for
//! are decoded; a lender's rows can be read from just the row groups whose bloom filter may
//! hold the lender ([`ExportFile::read_lender`]).
//!
//! A field the file lacks is not an error when reading (folders written by earlier versions
//! lack later columns: ask [`ExportFile::has`]); asking for its values is.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, Date32Array, Decimal128Array, Float64Array,
    RecordBatch, StructArray,
};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{
    ArrowPredicateFn, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowFilter,
};
use parquet::arrow::ProjectionMask;
use parquet::file::metadata::PageIndexPolicy;
use parquet::file::properties::ReaderProperties;
use parquet::file::reader::FileReader;
use parquet::file::serialized_reader::{ReadOptionsBuilder, SerializedFileReader};

use crate::domain::date::Date;
use crate::domain::exports::{Field, Kind, LENDER_ID, PLATFORM_ID};
use crate::error::{Error, Result};

/// The columns asked for of an export, and the rows asked for (all, one lender's, one
/// platform's).
pub struct ExportFile {
    path: PathBuf,
    /// The fields asked for that the file has (reading another is a bug of ours).
    present: Vec<&'static str>,
    /// The fields asked for.
    asked: Vec<&'static str>,
    /// The decoded batches (only the rows asked for).
    batches: Vec<RecordBatch>,
}

impl ExportFile {
    /// Every row of `fields` (those the file has). A file written under `--partition-by`
    /// (`claims.parquet` as the folder `claims/KEY=VALUE/part-*.parquet`) is read part by part
    /// in path order, the partition's column taken from the folder's name when asked for.
    pub fn read(path: &Path, fields: &[&'static Field]) -> Result<ExportFile> {
        if let Some(parts) = parts(path)? {
            return ExportFile::merged(path, fields, parts, |p| ExportFile::read(p, fields));
        }
        ExportFile::decoded(path, fields, None, None)
    }

    /// Whether an earlier run wrote this export: the file, or its partitioned folder.
    pub fn exists(path: &Path) -> bool {
        path.is_file() || (!path.exists() && path.with_extension("").is_dir())
    }

    /// The parts of a partitioned export read one by one and put together.
    fn merged(
        path: &Path,
        fields: &[&'static Field],
        parts: Vec<Part>,
        read: impl Fn(&Path) -> Result<ExportFile>,
    ) -> Result<ExportFile> {
        let asked: Vec<&'static str> = fields.iter().map(|f| f.name).collect();
        let mut present: Vec<&'static str> = Vec::new();
        let mut batches = Vec::new();
        let no_parts = parts.is_empty();
        for (key, value, file) in parts {
            let part = read(&file)?;
            let from_path = asked
                .iter()
                .copied()
                .find(|a| *a == key && !part.present.contains(a));
            for p in part.present.iter().chain(from_path.iter()) {
                if !present.contains(p) {
                    present.push(p);
                }
            }
            for b in part.batches {
                batches.push(match from_path {
                    Some(name) => with_constant(&file, b, name, value.as_deref())?,
                    None => b,
                });
            }
        }
        if no_parts {
            // An empty table: every field asked for, no row.
            present = asked.clone();
        }
        Ok(ExportFile {
            path: path.to_path_buf(),
            present: asked
                .iter()
                .copied()
                .filter(|a| present.contains(a))
                .collect(),
            asked,
            batches,
        })
    }

    /// The rows whose `lender_id` is `lender`: only the row groups whose bloom filter may hold
    /// the lender are read (all of them where a file has no filter), the lender test runs on
    /// `lender_id` alone, and the other columns are decoded only for the pages that hold a
    /// matching row (the page index tells where they are).
    pub fn read_lender(path: &Path, fields: &[&'static Field], lender: &str) -> Result<ExportFile> {
        if let Some(parts) = parts(path)? {
            return ExportFile::merged(path, fields, parts, |p| {
                ExportFile::read_lender(p, fields, lender)
            });
        }
        let groups = groups_that_may_hold(path, lender)?;
        ExportFile::decoded(path, fields, Some(groups), Some((&LENDER_ID, lender)))
    }

    /// The rows whose `platform_id` is `platform`, in a file sorted by it (claims, payouts):
    /// only the row groups whose statistics may hold it are read, and within them the pages
    /// that do.
    pub fn read_platform(
        path: &Path,
        fields: &[&'static Field],
        platform: &str,
    ) -> Result<ExportFile> {
        if let Some(parts) = parts(path)? {
            return ExportFile::merged(path, fields, parts, |p| {
                ExportFile::read_platform(p, fields, platform)
            });
        }
        let groups = groups_in_range(path, &PLATFORM_ID, platform)?;
        ExportFile::decoded(path, fields, Some(groups), Some((&PLATFORM_ID, platform)))
    }

    fn decoded(
        path: &Path,
        fields: &[&'static Field],
        groups: Option<Vec<usize>>,
        only: Option<(&Field, &str)>,
    ) -> Result<ExportFile> {
        let (present, batches) = decode(path, fields, groups, only)?;
        Ok(ExportFile {
            path: path.to_path_buf(),
            present,
            asked: fields.iter().map(|f| f.name).collect(),
            batches: batches.into_iter().filter(|b| b.num_rows() > 0).collect(),
        })
    }

    /// Rows read.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// Whether the file has `field` (one of those asked for).
    pub fn has(&self, field: &Field) -> bool {
        self.present.contains(&field.name)
    }

    /// A text column (null as ""), whether written as Utf8, LargeUtf8 or a string view.
    pub fn text<'s>(&'s self, field: &'s Field) -> Result<Vec<String>> {
        self.values(field, Kind::Text, |a| {
            let at = texts(a)?;
            Some(Box::new(move |i| Ok(at(i).unwrap_or_default().to_string())))
        })
    }

    /// A money column as fen, exactly (a Decimal of any scale holding whole fen); a null is
    /// an error.
    pub fn money<'s>(&'s self, field: &'s Field) -> Result<Vec<i64>> {
        let path = &self.path;
        self.values(field, Kind::Money, |a| {
            let d = a.as_any().downcast_ref::<Decimal128Array>()?;
            let scale = u32::try_from(d.scale()).ok()?;
            Some(Box::new(move |i| {
                if d.is_null(i) {
                    return Err(bad(path, format!("{} is empty in a row", field.name)));
                }
                crate::domain::money::decimal_to_fen(d.value(i), scale).ok_or_else(|| {
                    bad(path, format!("{} is not a whole number of fen", field.name))
                })
            }))
        })
    }

    /// A money column as [`Fen`](crate::domain::money::Fen), every row given.
    pub fn fen<'s>(&'s self, field: &'s Field) -> Result<Vec<crate::domain::money::Fen>> {
        // Same layout: the vector is reused, not copied.
        Ok(self
            .money(field)?
            .into_iter()
            .map(crate::domain::money::Fen)
            .collect())
    }

    /// A money column whose nulls are allowed (none: not applicable).
    pub fn opt_money<'s>(&'s self, field: &'s Field) -> Result<Vec<Option<i64>>> {
        let path = &self.path;
        self.values(field, Kind::Money, |a| {
            let d = a.as_any().downcast_ref::<Decimal128Array>()?;
            let scale = u32::try_from(d.scale()).ok()?;
            Some(Box::new(move |i| {
                if d.is_null(i) {
                    return Ok(None);
                }
                crate::domain::money::decimal_to_fen(d.value(i), scale)
                    .map(Some)
                    .ok_or_else(|| {
                        bad(path, format!("{} is not a whole number of fen", field.name))
                    })
            }))
        })
    }

    /// A float column (a share, a ratio) whose nulls are allowed.
    pub fn opt_ratio<'s>(&'s self, field: &'s Field) -> Result<Vec<Option<f64>>> {
        self.values(field, Kind::Ratio, |a| {
            let f = a.as_any().downcast_ref::<Float64Array>()?;
            Some(Box::new(move |i| Ok((!f.is_null(i)).then(|| f.value(i)))))
        })
    }

    /// An integer column (any integer width); a null is an error.
    pub fn int<'s>(&'s self, field: &'s Field) -> Result<Vec<i64>> {
        let path = &self.path;
        self.values(field, Kind::Int, |a| {
            let at = ints(a)?;
            Some(Box::new(move |i| {
                at(i).ok_or_else(|| bad(path, format!("{} is empty in a row", field.name)))
            }))
        })
    }

    /// A date column whose nulls are allowed.
    pub fn opt_date<'s>(&'s self, field: &'s Field) -> Result<Vec<Option<Date>>> {
        self.values(field, Kind::Date, |a| {
            let d = a.as_any().downcast_ref::<Date32Array>()?;
            Some(Box::new(move |i| {
                Ok((!d.is_null(i)).then(|| Date(d.value(i))))
            }))
        })
    }

    /// A date column; a null is an error.
    pub fn date(&self, field: &Field) -> Result<Vec<Date>> {
        self.opt_date(field)?
            .into_iter()
            .map(|d| d.ok_or_else(|| bad(&self.path, format!("{} is empty in a row", field.name))))
            .collect()
    }

    /// A boolean column whose nulls are allowed.
    pub fn opt_bool<'s>(&'s self, field: &'s Field) -> Result<Vec<Option<bool>>> {
        self.values(field, Kind::Bool, |a| {
            let b = a.as_any().downcast_ref::<BooleanArray>()?;
            Some(Box::new(move |i| Ok((!b.is_null(i)).then(|| b.value(i)))))
        })
    }

    /// A list-of-text column (null as an empty list).
    pub fn text_list<'s>(&'s self, field: &'s Field) -> Result<Vec<Vec<String>>> {
        let path = &self.path;
        self.values(field, Kind::TextList, |a| {
            let at = lists(a)?;
            Some(Box::new(move |i| {
                let Some(items) = at(i) else {
                    return Ok(Vec::new());
                };
                let text = texts(items.as_ref())
                    .ok_or_else(|| bad(path, format!("{} is not a list of text", field.name)))?;
                Ok((0..items.len())
                    .map(|k| text(k).unwrap_or_default().to_string())
                    .collect())
            }))
        })
    }

    /// The plan's steps: (step, step_zh, due_on) per row (null as none).
    pub fn steps<'s>(&'s self, field: &'s Field) -> Result<Vec<Vec<(String, String, Date)>>> {
        self.struct_lists(field, Kind::Steps, |s, wrong| {
            let part = |n: &str| s.column_by_name(n).ok_or_else(wrong);
            let step = texts(part("step")?.as_ref()).ok_or_else(wrong)?;
            let step_zh = texts(part("step_zh")?.as_ref()).ok_or_else(wrong)?;
            let due_on = part("due_on")?;
            let due_on = due_on
                .as_any()
                .downcast_ref::<Date32Array>()
                .ok_or_else(wrong)?;
            (0..s.len())
                .map(|k| {
                    if due_on.is_null(k) {
                        return Err(wrong());
                    }
                    Ok((
                        step(k).unwrap_or_default().to_string(),
                        step_zh(k).unwrap_or_default().to_string(),
                        Date(due_on.value(k)),
                    ))
                })
                .collect()
        })
    }

    /// The classification's reasons: (rule, value, threshold, fired) per row (null as none).
    pub fn reasons<'s>(&'s self, field: &'s Field) -> Result<Vec<Vec<ReasonRead>>> {
        self.struct_lists(field, Kind::Reasons, |s, wrong| {
            let part = |n: &str| s.column_by_name(n).ok_or_else(wrong);
            let rule = texts(part("rule")?.as_ref()).ok_or_else(wrong)?;
            let float = |n: &str| -> Result<Float64Array> {
                part(n)?
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .cloned()
                    .ok_or_else(wrong)
            };
            let (value, threshold) = (float("value")?, float("threshold")?);
            let fired = part("fired")?
                .as_any()
                .downcast_ref::<BooleanArray>()
                .cloned()
                .ok_or_else(wrong)?;
            Ok((0..s.len())
                .map(|k| ReasonRead {
                    rule: rule(k).unwrap_or_default().to_string(),
                    value: value.is_valid(k).then(|| value.value(k)),
                    threshold: threshold.is_valid(k).then(|| threshold.value(k)),
                    fired: fired.is_valid(k) && fired.value(k),
                })
                .collect())
        })
    }

    /// A list-of-struct column, each row's structs read by `items` (null as none); `items` is
    /// given the error for a struct that is not this column's.
    fn struct_lists<'s, T>(
        &'s self,
        field: &'s Field,
        kind: Kind,
        items: impl Fn(&StructArray, &dyn Fn() -> Error) -> Result<Vec<T>> + Copy + 's,
    ) -> Result<Vec<Vec<T>>> {
        let path = &self.path;
        let wrong = move || bad(path, format!("{} is not a list of its structs", field.name));
        self.values(field, kind, move |a| {
            let at = lists(a)?;
            Some(Box::new(move |i| {
                let Some(list) = at(i) else {
                    return Ok(Vec::new());
                };
                let s = list
                    .as_any()
                    .downcast_ref::<StructArray>()
                    .ok_or_else(wrong)?;
                items(s, &wrong)
            }))
        })
    }

    /// Every kept row's value of `field`: `view` turns a batch's column into a reader of its
    /// rows, or `None` when the column has a type it cannot read (the file is not this
    /// export). A field asked for as another type than its contract's is a bug of ours.
    fn values<'s, T>(
        &'s self,
        field: &Field,
        kind: Kind,
        view: impl Fn(&'s dyn Array) -> Option<Row<'s, T>>,
    ) -> Result<Vec<T>> {
        if field.kind != kind {
            return Err(Error::Internal(format!(
                "{} is {:?}, read as {kind:?}",
                field.name, field.kind
            )));
        }
        if !self.asked.contains(&field.name) {
            return Err(Error::Internal(format!(
                "{} was not asked for when {} was read",
                field.name,
                self.path.display()
            )));
        }
        let mut out = Vec::with_capacity(self.rows());
        for b in &self.batches {
            let column = b
                .column_by_name(field.name)
                .ok_or_else(|| bad(&self.path, format!("no column {}", field.name)))?;
            let at = view(column.as_ref()).ok_or_else(|| {
                bad(
                    &self.path,
                    format!("column {} is {}", field.name, column.data_type()),
                )
            })?;
            for i in 0..b.num_rows() {
                out.push(at(i)?);
            }
        }
        Ok(out)
    }
}

/// One classification rule of a platform as platforms.parquet's `reasons` holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReasonRead {
    pub rule: String,
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub fired: bool,
}

/// A reader of one batch column's rows.
type Row<'b, T> = Box<dyn Fn(usize) -> Result<T> + 'b>;

/// The rows of a text column (Utf8, LargeUtf8 or a string view), null as `None`.
fn texts<'a>(a: &'a dyn Array) -> Option<Box<dyn Fn(usize) -> Option<&'a str> + 'a>> {
    match a.data_type() {
        DataType::Utf8 => {
            let t = a.as_string::<i32>();
            Some(Box::new(move |i| t.is_valid(i).then(|| t.value(i))))
        }
        DataType::LargeUtf8 => {
            let t = a.as_string::<i64>();
            Some(Box::new(move |i| t.is_valid(i).then(|| t.value(i))))
        }
        DataType::Utf8View => {
            let t = a.as_string_view();
            Some(Box::new(move |i| t.is_valid(i).then(|| t.value(i))))
        }
        _ => None,
    }
}

/// The rows of an integer column of any width, null as `None`; an unsigned value beyond i64
/// as `None` too (no count comes near it).
fn ints(a: &dyn Array) -> Option<Box<dyn Fn(usize) -> Option<i64> + '_>> {
    fn of<T: ArrowPrimitiveType>(a: &dyn Array) -> Box<dyn Fn(usize) -> Option<i64> + '_>
    where
        T::Native: TryInto<i64>,
    {
        let p = a.as_primitive::<T>();
        Box::new(move |i| {
            if p.is_valid(i) {
                p.value(i).try_into().ok()
            } else {
                None
            }
        })
    }
    Some(match a.data_type() {
        DataType::Int64 => of::<Int64Type>(a),
        DataType::Int32 => of::<Int32Type>(a),
        DataType::Int16 => of::<Int16Type>(a),
        DataType::Int8 => of::<Int8Type>(a),
        DataType::UInt64 => of::<UInt64Type>(a),
        DataType::UInt32 => of::<UInt32Type>(a),
        DataType::UInt16 => of::<UInt16Type>(a),
        DataType::UInt8 => of::<UInt8Type>(a),
        _ => return None,
    })
}

/// The rows of a list column (List or LargeList), null as `None`.
fn lists(a: &dyn Array) -> Option<Box<dyn Fn(usize) -> Option<ArrayRef> + '_>> {
    match a.data_type() {
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            Some(Box::new(move |i| l.is_valid(i).then(|| l.value(i))))
        }
        DataType::LargeList(_) => {
            let l = a.as_list::<i64>();
            Some(Box::new(move |i| l.is_valid(i).then(|| l.value(i))))
        }
        _ => None,
    }
}

fn bad(path: &Path, m: impl std::fmt::Display) -> Error {
    Error::bad_file(path, format!("cannot read as winddown's export: {m}"))
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| Error::bad_file(path, format!("cannot open: {e}")))
}

/// The fields of `fields` the file has, and the record batches of those, of `groups` or all
/// row groups, and only the rows of `lender` when one is given. A damaged file is an error naming it, even
/// where a decoder panics.
/// One part of a partitioned export: its partition key, the key's value, the file.
type Part = (String, Option<String>, PathBuf);

/// The parts of a partitioned export, `(key, value, file)` in path order, when `path` (its
/// single-file name) is absent and the folder of its stem is there; None otherwise.
fn parts(path: &Path) -> Result<Option<Vec<Part>>> {
    let folder = path.with_extension("");
    if path.exists() || !folder.is_dir() {
        return Ok(None);
    }
    let mut out = Vec::new();
    let mut keys = std::fs::read_dir(&folder)
        .map_err(|e| Error::io(&folder, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect::<Vec<_>>();
    keys.sort();
    for dir in keys {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some((key, value)) = name.split_once('=') else {
            return Err(bad(&dir, "not a KEY=VALUE partition folder"));
        };
        let mut files = std::fs::read_dir(&dir)
            .map_err(|e| Error::io(&dir, e))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
            .collect::<Vec<_>>();
        files.sort();
        let value = crate::domain::hive::decode(value);
        out.extend(
            files
                .into_iter()
                .map(|f| (crate::domain::hive::percent_decode(key), value.clone(), f)),
        );
    }
    Ok(Some(out))
}

/// `batch` with a column `name` holding `value` in every row (a partition's, from its folder).
fn with_constant(
    file: &Path,
    batch: RecordBatch,
    name: &str,
    value: Option<&str>,
) -> Result<RecordBatch> {
    let mut fields: Vec<arrow_schema::FieldRef> = batch.schema().fields().iter().cloned().collect();
    fields.push(std::sync::Arc::new(arrow_schema::Field::new(
        name,
        DataType::Utf8,
        true,
    )));
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns.push(std::sync::Arc::new(arrow_array::StringArray::from(vec![
        value;
        batch.num_rows()
    ])));
    RecordBatch::try_new(
        std::sync::Arc::new(arrow_schema::Schema::new(fields)),
        columns,
    )
    .map_err(|e| bad(file, e))
}

fn decode(
    path: &Path,
    fields: &[&'static Field],
    groups: Option<Vec<usize>>,
    only: Option<(&Field, &str)>,
) -> Result<(Vec<&'static str>, Vec<RecordBatch>)> {
    let file = open(path)?;
    crate::error::contained(|| -> Result<(Vec<&'static str>, Vec<RecordBatch>)> {
        // The page index lets a row filter skip the pages that hold no selected row.
        let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional);
        let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)
            .map_err(|e| bad(path, e))?;
        let schema = builder.schema().clone();
        let present: Vec<&'static str> = fields
            .iter()
            .map(|f| f.name)
            .filter(|n| schema.index_of(n).is_ok())
            .collect();
        let mut roots: Vec<usize> = present
            .iter()
            .filter_map(|n| schema.index_of(n).ok())
            .collect();
        roots.sort_unstable();
        roots.dedup();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let mut builder = builder.with_projection(mask);
        if let Some(groups) = groups {
            builder = builder.with_row_groups(groups);
        }
        if let Some((key, value)) = only {
            let column = schema
                .index_of(key.name)
                .map_err(|_| bad(path, format!("no {} column", key.name)))?;
            let mask = ProjectionMask::roots(builder.parquet_schema(), [column]);
            let value = value.to_string();
            let name = key.name;
            let test = ArrowPredicateFn::new(mask, move |batch: RecordBatch| {
                let ids = texts(batch.column(0).as_ref()).ok_or_else(|| {
                    arrow_schema::ArrowError::SchemaError(format!("{name} is not text"))
                })?;
                Ok((0..batch.num_rows())
                    .map(|i| Some(ids(i) == Some(value.as_str())))
                    .collect::<BooleanArray>())
            });
            builder = builder.with_row_filter(RowFilter::new(vec![Box::new(test)]));
        }
        let batches = builder
            .build()
            .map_err(|e| bad(path, e))?
            .map(|b| b.map_err(|e| bad(path, e)))
            .collect::<Result<Vec<_>>>()?;
        Ok((present, batches))
    })
    .ok_or_else(|| bad(path, "the file is damaged"))?
}

/// Row groups whose min/max statistics of text column `key` may hold `value` (all where a
/// row group has none).
fn groups_in_range(path: &Path, key: &Field, value: &str) -> Result<Vec<usize>> {
    let reader = SerializedFileReader::new(open(path)?).map_err(|e| bad(path, e))?;
    let meta = reader.metadata();
    let schema = meta.file_metadata().schema_descr_ptr();
    let column = (0..schema.num_columns())
        .find(|i| schema.column(*i).name() == key.name)
        .ok_or_else(|| bad(path, format!("no {} column", key.name)))?;
    Ok((0..meta.num_row_groups())
        .filter(|&g| {
            let stats = meta.row_group(g).column(column).statistics();
            match stats.and_then(|s| Some((s.min_bytes_opt()?, s.max_bytes_opt()?))) {
                Some((min, max)) => min <= value.as_bytes() && value.as_bytes() <= max,
                None => true,
            }
        })
        .collect())
}

/// Row groups whose `lender_id` bloom filter may hold `lender` (all where there is none).
fn groups_that_may_hold(path: &Path, lender: &str) -> Result<Vec<usize>> {
    let options = ReadOptionsBuilder::new()
        .with_reader_properties(
            ReaderProperties::builder()
                .set_read_bloom_filter(true)
                .build(),
        )
        .build();
    let reader =
        SerializedFileReader::new_with_options(open(path)?, options).map_err(|e| bad(path, e))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let lender_col = (0..schema.num_columns())
        .find(|i| schema.column(*i).name() == LENDER_ID.name)
        .ok_or_else(|| bad(path, "no lender_id column"))?;
    let mut groups = Vec::new();
    for g in 0..reader.num_row_groups() {
        let rg = reader.get_row_group(g).map_err(|e| bad(path, e))?;
        if rg
            .get_column_bloom_filter(lender_col)
            .is_none_or(|f| f.check(lender))
        {
            groups.push(g);
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int32Array, LargeStringArray};
    use arrow_schema::{Field as ArrowField, Schema};
    use parquet::arrow::ArrowWriter;

    use super::*;
    use crate::domain::exports::{payouts, PLATFORM_ID, ROUND};

    /// A payouts-like file as another tool might write it: large strings, 32-bit rounds, money
    /// at scale 4.
    fn edited(dir: &Path, paid: &[i128]) -> PathBuf {
        let schema = Arc::new(Schema::new(vec![
            ArrowField::new("platform_id", DataType::LargeUtf8, true),
            ArrowField::new("round", DataType::Int32, true),
            ArrowField::new("paid", DataType::Decimal128(20, 4), true),
        ]));
        let n = paid.len();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(LargeStringArray::from(vec![Some("P1"); n])),
                Arc::new(Int32Array::from(vec![Some(2); n])),
                Arc::new(
                    Decimal128Array::from(paid.to_vec())
                        .with_precision_and_scale(20, 4)
                        .unwrap(),
                ),
            ],
        )
        .unwrap();
        let path = dir.join(format!("edited-{n}.parquet"));
        let mut w = ArrowWriter::try_new(File::create(&path).unwrap(), schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        path
    }

    #[test]
    fn columns_written_by_other_tools_are_read_in_their_contract_type() {
        let dir = std::env::temp_dir().join(format!("winddown-export-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // 12.3400 yuan is 1,234 fen exactly; 0.0100 is 1 fen.
        let path = edited(&dir, &[123_400, 100]);
        let t = ExportFile::read(&path, &[&PLATFORM_ID, &ROUND, &payouts::PAID]).unwrap();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.text(&PLATFORM_ID).unwrap(), ["P1", "P1"]);
        assert_eq!(t.int(&ROUND).unwrap(), [2, 2]);
        assert_eq!(t.money(&payouts::PAID).unwrap(), [1234, 1]);
        // A column asked for that the file lacks: not there, and the file's fault when read.
        let t = ExportFile::read(
            &path,
            &[&PLATFORM_ID, &ROUND, &payouts::PAID, &payouts::RESERVED],
        )
        .unwrap();
        assert!(!t.has(&payouts::RESERVED));
        assert!(matches!(
            t.money(&payouts::RESERVED),
            Err(Error::BadFile { .. })
        ));
        // A column not asked for is a bug of ours, never a silent zero.
        assert!(!t.has(&payouts::CARRIED));
        assert!(matches!(
            t.money(&payouts::CARRIED),
            Err(Error::Internal(_))
        ));
        // A field read as another type than its contract's is a bug, not the file's fault.
        assert!(matches!(t.text(&payouts::PAID), Err(Error::Internal(_))));
        // Half a fen is not money winddown wrote.
        let half = edited(&dir, &[50]);
        let t = ExportFile::read(&half, &[&payouts::PAID]).unwrap();
        assert!(matches!(
            t.money(&payouts::PAID),
            Err(Error::BadFile { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
