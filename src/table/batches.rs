//! A Parquet file read a slice of row groups at a time, as polars frames of the columns asked
//! for: the input tables' Parquet files (converted to typed cells by `input::parquet`) and the
//! exports copied to CSV. A damaged file is an error naming it, even where a decoder deep
//! inside polars panics.

use polars::prelude::*;

use crate::error::{Error, Result};

/// Rows per Parquet batch (whole row groups are read; a batch holds at least one). Small
/// enough that a batch's column buffers come from the heap and are reused, not mapped and
/// zeroed afresh (measured: 7 % of validation time went to the kernel zeroing pages).
pub const PARQUET_BATCH_ROWS: usize = 1 << 18;

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
            .ok_or_else(|| bad("cannot read as Parquet: the file is damaged".into()))?
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
            .ok_or_else(|| bad("cannot read as Parquet: the file is damaged".into()))?
            .map_err(|e| {
                bad(format!(
                    "cannot read as Parquet: {}",
                    one_line(&e.to_string())
                ))
            })?;
        Ok(Some((start, df)))
    }
}
