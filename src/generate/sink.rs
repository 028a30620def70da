//! Where generated rows go: CSV text or Parquet row groups, written chunk by chunk so that a
//! table of any size needs memory for only a few chunks at a time.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use polars::prelude::*;

use crate::date::Date;
use crate::error::{Error, PolarsContext, Result};
use crate::money;

/// Output format of the generated tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
}

/// The type of a generated column (for the Parquet schema).
#[derive(Debug, Clone, Copy)]
pub enum ColType {
    Text,
    Money,
    Date,
    Bool,
    Int,
}

/// One generated cell.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(Option<&'a str>),
    Money(Option<i64>),
    Date(Option<Date>),
    Bool(Option<bool>),
    Int(Option<i64>),
}

/// A chunk of rows under construction, in the table's output format.
pub enum Chunk {
    Csv(Vec<u8>),
    Columns(Vec<ColumnValues>, usize),
}

pub enum ColumnValues {
    Text(Vec<Option<String>>),
    Fen(Vec<Option<i64>>),
    Date(Vec<Option<i32>>),
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i64>>),
}

impl Chunk {
    pub fn new(format: Format, schema: &[(&str, ColType)]) -> Chunk {
        match format {
            Format::Csv => Chunk::Csv(Vec::with_capacity(1 << 16)),
            Format::Parquet => Chunk::Columns(
                schema
                    .iter()
                    .map(|(_, t)| match t {
                        ColType::Text => ColumnValues::Text(Vec::new()),
                        ColType::Money => ColumnValues::Fen(Vec::new()),
                        ColType::Date => ColumnValues::Date(Vec::new()),
                        ColType::Bool => ColumnValues::Bool(Vec::new()),
                        ColType::Int => ColumnValues::Int(Vec::new()),
                    })
                    .collect(),
                0,
            ),
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
                        Cell::Money(Some(f)) => buf.extend_from_slice(money::format_fen(*f).as_bytes()),
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
            Chunk::Columns(cols, rows) => {
                *rows += 1;
                for (col, cell) in cols.iter_mut().zip(cells) {
                    match (col, cell) {
                        (ColumnValues::Text(v), Cell::Text(s)) => v.push(s.map(str::to_string)),
                        (ColumnValues::Fen(v), Cell::Money(m)) => v.push(*m),
                        (ColumnValues::Date(v), Cell::Date(d)) => v.push(d.map(|d| d.0)),
                        (ColumnValues::Bool(v), Cell::Bool(b)) => v.push(*b),
                        (ColumnValues::Int(v), Cell::Int(n)) => v.push(*n),
                        _ => unreachable!("generated cell does not match its column type"),
                    }
                }
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
    Parquet(Box<polars::io::parquet::write::BatchedWriter<File>>, Vec<(String, ColType)>),
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
                let polars_schema = Schema::from_iter(
                    schema.iter().map(|(n, t)| Field::new(PlSmallStr::from_str(n), polars_type(*t))),
                );
                let writer = ParquetWriter::new(file)
                    .with_compression(ParquetCompression::Zstd(None))
                    .batched(&polars_schema)
                    .context("starting a Parquet file")?;
                Ok(TableWriter::Parquet(
                    Box::new(writer),
                    schema.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
                ))
            }
        }
    }

    pub fn write(&mut self, chunk: Chunk) -> Result<()> {
        match (self, chunk) {
            (TableWriter::Csv(w, path), Chunk::Csv(buf)) => {
                w.write_all(&buf).map_err(|e| Error::io(path.as_path(), e))
            }
            (TableWriter::Parquet(w, schema), Chunk::Columns(cols, rows)) => {
                if rows == 0 {
                    return Ok(());
                }
                let columns = schema
                    .iter()
                    .zip(cols)
                    .map(|((name, _), values)| column(name, values))
                    .collect::<Result<Vec<_>>>()?;
                let df = DataFrame::new(rows, columns).context("assembling a generated chunk")?;
                w.write_batch(&df).context("writing a Parquet row group")
            }
            _ => Err(Error::Internal("chunk format does not match its writer".into())),
        }
    }

    pub fn finish(self) -> Result<()> {
        match self {
            TableWriter::Csv(mut w, path) => w.flush().map_err(|e| Error::io(&path, e)),
            TableWriter::Parquet(w, _) => w.finish().map(|_| ()).context("closing a Parquet file"),
        }
    }
}

fn polars_type(t: ColType) -> DataType {
    match t {
        ColType::Text => DataType::String,
        ColType::Money => DataType::Decimal(18, 2),
        ColType::Date => DataType::Date,
        ColType::Bool => DataType::Boolean,
        ColType::Int => DataType::Int64,
    }
}

fn column(name: &str, values: ColumnValues) -> Result<Column> {
    let name = PlSmallStr::from_str(name);
    let series = match values {
        ColumnValues::Text(v) => Series::new(name, v),
        ColumnValues::Fen(v) => crate::frame::fen_decimal(name, v)?,
        ColumnValues::Date(v) => {
            Series::new(name, v).cast(&DataType::Date).context("building a date column")?
        }
        ColumnValues::Bool(v) => Series::new(name, v),
        ColumnValues::Int(v) => Series::new(name, v),
    };
    Ok(series.into_column())
}
