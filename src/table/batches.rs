//! A Parquet file read a slice of rows at a time with arrow-rs, as record batches of the
//! columns asked for: the input tables' Parquet files (turned into typed cells by
//! `input::parquet`) and the exports copied to CSV. A damaged file is an error naming it, even
//! where a decoder deep inside the Parquet crate panics.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;

use crate::error::{Error, Result};

/// Rows per batch. Small enough that a batch's column buffers come from the heap and are
/// reused, not mapped and zeroed afresh (measured: 7 % of validation time went to the kernel
/// zeroing pages when whole files were decoded at once).
pub const PARQUET_BATCH_ROWS: usize = 1 << 18;

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn damaged(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::bad_file(
        path,
        format!("cannot read as Parquet: {}", one_line(&e.to_string())),
    )
}

/// The rows of a Parquet file, [`PARQUET_BATCH_ROWS`] at a time, as record batches of the
/// columns asked for ([`ParquetBatches::select`]), in the order asked for.
pub struct ParquetBatches {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    /// The file's columns asked for, by position in its schema, in the order asked for.
    columns: Vec<usize>,
    reader: Option<ParquetRecordBatchReader>,
    /// The first row of the next batch.
    next_row: usize,
}

impl ParquetBatches {
    /// Open a file and read its footer: the reader and the names of its top-level columns.
    pub fn open(path: &Path) -> Result<(ParquetBatches, Vec<String>)> {
        let file =
            File::open(path).map_err(|e| Error::bad_file(path, format!("cannot open: {e}")))?;
        let metadata =
            crate::error::contained(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()))
                .ok_or_else(|| damaged(path, "the file is damaged"))?
                .map_err(|e| damaged(path, e))?;
        let names = metadata
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Ok((
            ParquetBatches {
                path: path.to_path_buf(),
                metadata,
                columns: Vec::new(),
                reader: None,
                next_row: 0,
            },
            names,
        ))
    }

    /// The file's schema (every column).
    pub fn schema(&self) -> SchemaRef {
        self.metadata.schema().clone()
    }

    /// Decode the file's string columns as views (`Utf8View`): an id of 12 bytes or fewer is
    /// held in its 16-byte view, with no copy of its bytes into a buffer of the batch's own.
    /// Unchanged when the crate cannot read the file so.
    pub fn strings_as_views(&mut self) {
        use arrow_schema::{DataType, Field, Schema};
        let schema = self.metadata.schema();
        let fields: Vec<Field> = (schema.fields().iter())
            .map(|f| match f.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 => {
                    f.as_ref().clone().with_data_type(DataType::Utf8View)
                }
                _ => f.as_ref().clone(),
            })
            .collect();
        let views =
            std::sync::Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        let options = ArrowReaderOptions::new().with_schema(views);
        // Contained like the footer's reading: a damaged file's schema is the crate's to judge.
        let metadata = self.metadata.metadata().clone();
        if let Some(Ok(metadata)) =
            crate::error::contained(|| ArrowReaderMetadata::try_new(metadata, options))
        {
            self.metadata = metadata;
            self.reader = None;
        }
    }

    /// Read only these columns (by name, in this order; a name the file lacks is skipped).
    pub fn select(&mut self, columns: Vec<String>) {
        let schema = self.metadata.schema();
        self.columns = columns
            .iter()
            .filter_map(|n| schema.index_of(n).ok())
            .collect();
        self.reader = None;
    }

    /// Rows in the file.
    pub fn rows(&self) -> usize {
        usize::try_from(self.metadata.metadata().file_metadata().num_rows()).unwrap_or(0)
    }

    /// The rows to make room for before reading: the footer's count, but never more than its
    /// row groups add up to nor than the file has bytes — a damaged or hostile footer may claim
    /// billions of rows in a few bytes, and room made for them would take the machine's memory
    /// before a row was read (rows beyond it, of a column encoded in runs, are made room for
    /// as they come).
    pub fn rows_to_expect(&self) -> usize {
        let meta = self.metadata.metadata();
        let groups = meta
            .row_groups()
            .iter()
            .map(|g| usize::try_from(g.num_rows()).unwrap_or(0))
            .fold(0, usize::saturating_add);
        let bytes = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        self.rows()
            .min(groups)
            .min(usize::try_from(bytes).unwrap_or(usize::MAX))
    }

    fn start(&self) -> Result<ParquetRecordBatchReader> {
        let file = File::open(&self.path)
            .map_err(|e| Error::bad_file(&self.path, format!("cannot open: {e}")))?;
        let mut roots = self.columns.clone();
        roots.sort_unstable();
        roots.dedup();
        let builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone());
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        builder
            .with_projection(mask)
            .with_batch_size(PARQUET_BATCH_ROWS)
            .build()
            .map_err(|e| damaged(&self.path, e))
    }

    /// The next batch: (first row, the columns asked for in their order), or None at the end.
    pub fn next_batch(&mut self) -> Result<Option<(usize, RecordBatch)>> {
        if self.reader.is_none() {
            self.reader = Some(self.start()?);
        }
        let path = &self.path;
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        let next = crate::error::contained(|| reader.next())
            .ok_or_else(|| damaged(path, "the file is damaged"))?;
        let Some(batch) = next.transpose().map_err(|e| damaged(path, e))? else {
            return Ok(None);
        };
        // The reader gives the projected columns in the file's order; put them in the order
        // asked for.
        let schema = batch.schema();
        let order: Vec<usize> = self
            .columns
            .iter()
            .filter_map(|&c| schema.index_of(self.metadata.schema().field(c).name()).ok())
            .collect();
        let batch = batch.project(&order).map_err(|e| damaged(path, e))?;
        let start = self.next_row;
        self.next_row += batch.num_rows();
        Ok(Some((start, batch)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::{
        types::Int32Type, ArrayRef, DictionaryArray, Int64Array, LargeStringArray, StringArray,
    };
    use arrow_schema::DataType;
    use std::sync::Arc;

    #[test]
    fn string_columns_read_as_views_hold_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let long = "一个超过十二个字节的标识符";
        let columns: Vec<(&str, ArrayRef)> = vec![
            (
                "id",
                Arc::new(StringArray::from(vec![Some("L1"), None, Some(long)])),
            ),
            (
                "large",
                Arc::new(LargeStringArray::from(vec![
                    Some(long),
                    Some(""),
                    Some("x"),
                ])),
            ),
            (
                "coded",
                Arc::new(DictionaryArray::<Int32Type>::from_iter([
                    Some("a"),
                    Some("b"),
                    Some("a"),
                ])),
            ),
            ("n", Arc::new(Int64Array::from(vec![1, 2, 3]))),
        ];
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(
            File::create(&path).unwrap(),
            batch.schema(),
            None,
        )
        .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();

        let (mut b, names) = ParquetBatches::open(&path).unwrap();
        b.strings_as_views();
        b.select(names);
        let (_, read) = b.next_batch().unwrap().unwrap();
        let types: Vec<DataType> = (read.columns().iter())
            .map(|c| c.data_type().clone())
            .collect();
        assert_eq!(
            types,
            [
                DataType::Utf8View,
                DataType::Utf8View,
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                DataType::Int64,
            ]
        );
        let text = |c: usize| -> Vec<Option<String>> {
            (read.column(c).as_string_view().iter())
                .map(|v| v.map(str::to_string))
                .collect()
        };
        assert_eq!(text(0), [Some("L1".into()), None, Some(long.into())]);
        assert_eq!(
            text(1),
            [Some(long.into()), Some(String::new()), Some("x".into())]
        );
        assert!(b.next_batch().unwrap().is_none());
    }
}
