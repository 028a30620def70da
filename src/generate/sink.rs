//! Where generated rows go: CSV text or Parquet row groups, written chunk by chunk so that a
//! table of any size needs memory for only a few chunks at a time.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::domain::date::Date;
use crate::domain::money;
use crate::error::{Error, Result};
use crate::table::frame::{FrameBuilder, Value};

/// Output format of the generated tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
}

/// The type of a generated column (the Parquet schema): the frame builder's kinds.
pub use crate::table::frame::Kind as ColType;

/// One generated cell.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(Option<&'a str>),
    Money(Option<i64>),
    Date(Option<Date>),
    Bool(Option<bool>),
    Int(Option<i64>),
}

impl<'a> Cell<'a> {
    fn value(self) -> Value<'a> {
        match self {
            Cell::Text(v) => Value::text(v),
            Cell::Money(v) | Cell::Int(v) => v.map_or(Value::Null, Value::Int),
            Cell::Date(v) => Value::date(v),
            Cell::Bool(v) => v.map_or(Value::Null, Value::Bool),
        }
    }
}

/// A chunk of rows under construction, in the table's output format.
pub enum Chunk {
    Csv(Vec<u8>),
    /// The rows as columns, and how many.
    Columns(FrameBuilder, usize),
}

impl Chunk {
    pub fn new(format: Format, schema: &[(&str, ColType)]) -> Chunk {
        match format {
            Format::Csv => Chunk::Csv(Vec::with_capacity(1 << 16)),
            Format::Parquet => Chunk::Columns(FrameBuilder::new(schema), 0),
        }
    }

    pub fn row(&mut self, cells: &[Cell]) {
        match self {
            Chunk::Csv(buf) => {
                for (i, cell) in cells.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    match cell {
                        Cell::Text(Some(s)) => write_csv_text(buf, s),
                        Cell::Money(Some(f)) => {
                            buf.extend_from_slice(money::format_fen(*f).as_bytes())
                        }
                        Cell::Date(Some(d)) => buf.extend_from_slice(d.to_string().as_bytes()),
                        Cell::Bool(Some(b)) => {
                            buf.extend_from_slice(if *b { b"true" } else { b"false" })
                        }
                        Cell::Int(Some(n)) => buf.extend_from_slice(n.to_string().as_bytes()),
                        _ => {}
                    }
                }
                buf.push(b'\n');
            }
            Chunk::Columns(frame, rows) => {
                *rows += 1;
                let values: Vec<Value> = cells.iter().map(|c| c.value()).collect();
                frame.row(&values);
            }
        }
    }
}

fn write_csv_text(buf: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) || s != s.trim() {
        buf.push(b'"');
        buf.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        buf.push(b'"');
    } else {
        buf.extend_from_slice(s.as_bytes());
    }
}

/// A table file being written.
pub enum TableWriter {
    Csv(BufWriter<File>, std::path::PathBuf),
    Parquet(Box<parquet::arrow::ArrowWriter<File>>, std::path::PathBuf),
}

impl TableWriter {
    pub fn create(path: &Path, format: Format, schema: &[(&str, ColType)]) -> Result<TableWriter> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        match format {
            Format::Csv => {
                let mut w = BufWriter::with_capacity(1 << 20, file);
                let header: Vec<&str> = schema.iter().map(|(n, _)| *n).collect();
                writeln!(w, "{}", header.join(",")).map_err(|e| Error::io(path, e))?;
                Ok(TableWriter::Csv(w, path.to_path_buf()))
            }
            Format::Parquet => {
                use parquet::basic::{Compression, ZstdLevel};
                let properties = parquet::file::properties::WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::default()))
                    .build();
                let writer = parquet::arrow::ArrowWriter::try_new(
                    file,
                    crate::table::frame::schema(schema),
                    Some(properties),
                )
                .map_err(|e| Error::Internal(format!("starting {}: {e}", path.display())))?;
                Ok(TableWriter::Parquet(Box::new(writer), path.to_path_buf()))
            }
        }
    }

    pub fn write(&mut self, chunk: Chunk) -> Result<()> {
        match (self, chunk) {
            (TableWriter::Csv(w, path), Chunk::Csv(buf)) => {
                w.write_all(&buf).map_err(|e| Error::io(path.as_path(), e))
            }
            (TableWriter::Parquet(w, path), Chunk::Columns(frame, rows)) => {
                if rows == 0 {
                    return Ok(());
                }
                w.write(&frame.finish()?)
                    .map_err(|e| parquet_error(path, e))
            }
            _ => Err(Error::Internal(
                "chunk format does not match its writer".into(),
            )),
        }
    }

    pub fn finish(self) -> Result<()> {
        match self {
            TableWriter::Csv(mut w, path) => w.flush().map_err(|e| Error::io(&path, e)),
            TableWriter::Parquet(w, path) => {
                w.close().map(|_| ()).map_err(|e| parquet_error(&path, e))
            }
        }
    }
}

/// A failed Parquet write: the disk's error where it was one.
fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => Error::io(path, *io),
                Err(other) => Error::Internal(format!("writing {}: {other}", path.display())),
            }
        }
        other => Error::Internal(format!("writing {}: {other}", path.display())),
    }
}
