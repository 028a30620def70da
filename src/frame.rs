//! Column builders that turn accepted rows into polars DataFrames: one of the few places
//! that touch polars. Money goes in as Int64 fen, dates as Date, bools with their defaults
//! already applied, text as String (null when missing).

use polars::prelude::*;

use crate::date::Date;
use crate::error::{PolarsContext, Result};

/// A growing column of one type.
pub enum ColumnBuilder {
    Text(StringChunkedBuilder),
    Int(Vec<i64>),
    OptInt(Vec<Option<i64>>),
    Date(Vec<Option<i32>>),
    Bool(Vec<bool>),
}

/// The kind of a column to build.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Int,
    OptInt,
    Date,
    Bool,
}

impl ColumnBuilder {
    pub fn new(kind: Kind) -> ColumnBuilder {
        match kind {
            Kind::Text => ColumnBuilder::Text(StringChunkedBuilder::new(PlSmallStr::EMPTY, 0)),
            Kind::Int => ColumnBuilder::Int(Vec::new()),
            Kind::OptInt => ColumnBuilder::OptInt(Vec::new()),
            Kind::Date => ColumnBuilder::Date(Vec::new()),
            Kind::Bool => ColumnBuilder::Bool(Vec::new()),
        }
    }

    pub fn push_text(&mut self, v: Option<&str>) {
        match self {
            ColumnBuilder::Text(b) => match v {
                Some(s) => b.append_value(s),
                None => b.append_null(),
            },
            _ => unreachable!("text pushed into a non-text column"),
        }
    }

    pub fn push_int(&mut self, v: i64) {
        match self {
            ColumnBuilder::Int(b) => b.push(v),
            ColumnBuilder::OptInt(b) => b.push(Some(v)),
            _ => unreachable!("integer pushed into a non-integer column"),
        }
    }

    pub fn push_opt_int(&mut self, v: Option<i64>) {
        match self {
            ColumnBuilder::OptInt(b) => b.push(v),
            _ => unreachable!("optional integer pushed into another column"),
        }
    }

    pub fn push_date(&mut self, v: Option<Date>) {
        match self {
            ColumnBuilder::Date(b) => b.push(v.map(|d| d.0)),
            _ => unreachable!("date pushed into a non-date column"),
        }
    }

    pub fn push_bool(&mut self, v: bool) {
        match self {
            ColumnBuilder::Bool(b) => b.push(v),
            _ => unreachable!("bool pushed into a non-bool column"),
        }
    }

    fn finish(self, name: &str) -> Result<Column> {
        let name = PlSmallStr::from_str(name);
        let series = match self {
            ColumnBuilder::Text(b) => b.finish().with_name(name).into_series(),
            ColumnBuilder::Int(v) => Series::new(name, v),
            ColumnBuilder::OptInt(v) => Series::new(name, v),
            ColumnBuilder::Date(v) => Series::new(name, v)
                .cast(&DataType::Date)
                .context("building a date column")?,
            ColumnBuilder::Bool(v) => Series::new(name, v),
        };
        Ok(series.into_column())
    }
}

/// A DataFrame under construction: named columns of the same length.
pub struct FrameBuilder {
    columns: Vec<(&'static str, ColumnBuilder)>,
}

impl FrameBuilder {
    pub fn new(schema: &[(&'static str, Kind)]) -> FrameBuilder {
        FrameBuilder {
            columns: schema.iter().map(|(n, k)| (*n, ColumnBuilder::new(*k))).collect(),
        }
    }

    /// The builder of column `i` (in schema order).
    pub fn col(&mut self, i: usize) -> &mut ColumnBuilder {
        &mut self.columns[i].1
    }

    pub fn finish(self) -> Result<DataFrame> {
        let columns = self
            .columns
            .into_iter()
            .map(|(n, b)| b.finish(n))
            .collect::<Result<Vec<_>>>()?;
        DataFrame::new_infer_height(columns).context("assembling a table")
    }
}

/// A money column as Decimal(18,2) yuan from fen: the physical value of the decimal is the fen.
pub fn fen_decimal(name: PlSmallStr, fen: Vec<Option<i64>>) -> Result<Series> {
    let wide: Int128Chunked = fen.into_iter().map(|v| v.map(i128::from)).collect();
    Ok(wide.with_name(name).into_decimal(18, 2).context("building a Decimal(18,2) column")?.into_series())
}

/// A money sum and its Float64 shadow (`<name>__f64`): polars Int64 sums wrap on overflow,
/// so [`verify_sums`] compares the two after the plan has run.
pub fn checked_sum(e: Expr, name: &str) -> [Expr; 2] {
    [
        e.clone().sum().alias(name),
        e.cast(DataType::Float64).sum().alias(format!("{name}__f64")),
    ]
}

/// Check every `name` against its `name__f64` shadow (relative 1e-9, floor 1e12 fen): a
/// difference means the Int64 total wrapped, i.e. amounts beyond anything credible.
pub fn verify_sums(df: &DataFrame, names: &[&str], key: &str) -> Result<()> {
    for name in names {
        let exact = df.column(name).context(name)?.cast(&DataType::Int64).context(name)?;
        let shadow = df.column(&format!("{name}__f64")).context(name)?.cast(&DataType::Float64).context(name)?;
        let keys = df.column(key).context(key)?.cast(&DataType::String).context(key)?;
        let (exact, shadow, keys) = (exact.i64().context(name)?, shadow.f64().context(name)?, keys.str().context(key)?);
        for ((e, f), k) in exact.iter().zip(shadow.iter()).zip(keys.iter()) {
            let (e, f) = (e.unwrap_or(0) as f64, f.unwrap_or(0.0));
            if (e - f).abs() > 1e-9 * f.abs().max(1e12) {
                return Err(crate::error::Error::Usage(format!(
                    "{key} {}: {name} exceeds what 64-bit fen can total; amounts this large are not credible input",
                    k.unwrap_or("")
                )));
            }
        }
    }
    Ok(())
}

/// Read a whole Parquet file. A damaged file is a [`crate::error::Error::BadFile`] naming it,
/// even if a decoder deep inside polars panics instead of returning an error.
pub fn read_parquet_file(path: &std::path::Path) -> Result<DataFrame> {
    use crate::error::Error;
    let f = std::fs::File::open(path).map_err(|e| Error::bad_file(path, format!("cannot open: {e}")))?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ParquetReader::new(f).finish()))
        .map_err(|_| Error::bad_file(path, "cannot read as Parquet: the file is damaged"))?
        .map_err(|e| {
            let one_line = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
            Error::bad_file(path, format!("cannot read as Parquet: {one_line}"))
        })
}

/// A Decimal money column read back as fen, exactly (any scale, whole fen only).
pub fn decimal_fen(df: &DataFrame, name: &str, path: &std::path::Path) -> Result<Vec<i64>> {
    use crate::error::Error;
    let bad = |m: String| Error::bad_file(path, m);
    let c = df.column(name).map_err(|_| bad(format!("no column {name}")))?;
    let DataType::Decimal(_, scale) = c.dtype() else {
        return Err(bad(format!("column {name} is not Decimal money")));
    };
    let scale = *scale as u32;
    let phys = c.as_materialized_series().decimal().map_err(|e| bad(e.to_string()))?.physical().clone();
    phys.iter()
        .map(|v| crate::money::decimal_to_fen(v.unwrap_or(0), scale).ok_or_else(|| bad(format!("column {name}: not whole fen"))))
        .collect()
}
