//! Column builders that turn rows into polars DataFrames, for the generator's Parquet files.
//! Money goes in as Int64 fen and out as Decimal(18,2) yuan, dates as Date, text as String
//! (null when missing).

use polars::prelude::*;

use crate::domain::date::Date;
use crate::error::{PolarsContext, Result};

/// One cell handed to a [`FrameBuilder`].
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Null,
    Text(&'a str),
    /// An integer, or money in fen.
    Int(i64),
    Date(Date),
    Bool(bool),
}

impl<'a> Value<'a> {
    pub fn text(v: Option<&'a str>) -> Value<'a> {
        v.map_or(Value::Null, Value::Text)
    }

    pub fn date(v: Option<Date>) -> Value<'a> {
        v.map_or(Value::Null, Value::Date)
    }
}

/// The kind of a column to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Int64 (money stays fen here).
    Int,
    /// Money in fen, written as Decimal(18,2) yuan.
    Money,
    Date,
    Bool,
}

/// The values of one column as they arrive.
enum Store {
    Text(StringChunkedBuilder),
    Int(Vec<Option<i64>>),
    Date(Vec<Option<i32>>),
    Bool(Vec<Option<bool>>),
}

/// A DataFrame under construction, a row at a time. A value of the wrong kind for its column
/// is a bug of ours: it is recorded (the column gets a null so that lengths stay equal) and
/// [`FrameBuilder::finish`] returns it as an internal error, never a panic.
pub struct FrameBuilder {
    columns: Vec<(String, Kind, Store)>,
    mismatch: Option<String>,
}

impl FrameBuilder {
    pub fn new(schema: &[(&str, Kind)]) -> FrameBuilder {
        let columns = schema
            .iter()
            .map(|(name, kind)| {
                let store = match kind {
                    Kind::Text => Store::Text(StringChunkedBuilder::new(PlSmallStr::EMPTY, 0)),
                    Kind::Int | Kind::Money => Store::Int(Vec::new()),
                    Kind::Date => Store::Date(Vec::new()),
                    Kind::Bool => Store::Bool(Vec::new()),
                };
                (name.to_string(), *kind, store)
            })
            .collect();
        FrameBuilder {
            columns,
            mismatch: None,
        }
    }

    /// Append `v` to column `col` (schema order).
    pub fn push(&mut self, col: usize, v: Value) {
        let Some((name, _, store)) = self.columns.get_mut(col) else {
            self.mismatch
                .get_or_insert_with(|| format!("no column {col}"));
            return;
        };
        let fits = match (store, v) {
            (Store::Text(b), Value::Text(s)) => {
                b.append_value(s);
                true
            }
            (Store::Text(b), _) => {
                b.append_null();
                matches!(v, Value::Null)
            }
            (Store::Int(b), Value::Int(i)) => {
                b.push(Some(i));
                true
            }
            (Store::Date(b), Value::Date(d)) => {
                b.push(Some(d.0));
                true
            }
            (Store::Bool(b), Value::Bool(x)) => {
                b.push(Some(x));
                true
            }
            (Store::Int(b), _) => {
                b.push(None);
                matches!(v, Value::Null)
            }
            (Store::Date(b), _) => {
                b.push(None);
                matches!(v, Value::Null)
            }
            (Store::Bool(b), _) => {
                b.push(None);
                matches!(v, Value::Null)
            }
        };
        if !fits {
            self.mismatch
                .get_or_insert_with(|| format!("column {name} got {v:?}"));
        }
    }

    /// Append a whole row.
    pub fn row(&mut self, values: &[Value]) {
        if values.len() != self.columns.len() {
            self.mismatch.get_or_insert_with(|| {
                format!(
                    "a row of {} values for {} columns",
                    values.len(),
                    self.columns.len()
                )
            });
        }
        for (i, v) in values.iter().enumerate() {
            self.push(i, *v);
        }
    }

    pub fn finish(self) -> Result<DataFrame> {
        if let Some(m) = self.mismatch {
            return Err(crate::error::Error::Internal(format!(
                "building a table: {m}"
            )));
        }
        let mut columns = Vec::with_capacity(self.columns.len());
        for (name, kind, store) in self.columns {
            let name = PlSmallStr::from_str(&name);
            let series = match (kind, store) {
                (_, Store::Text(b)) => b.finish().with_name(name).into_series(),
                (Kind::Money, Store::Int(v)) => fen_decimal(name, v)?,
                (_, Store::Int(v)) => Series::new(name, v),
                (_, Store::Date(v)) => Series::new(name, v)
                    .cast(&DataType::Date)
                    .context("building a date column")?,
                (_, Store::Bool(v)) => Series::new(name, v),
            };
            columns.push(series.into_column());
        }
        DataFrame::new_infer_height(columns).context("assembling a table")
    }
}

/// A money column as Decimal(18,2) yuan from fen: the physical value of the decimal is the fen.
pub fn fen_decimal(name: PlSmallStr, fen: Vec<Option<i64>>) -> Result<Series> {
    let wide: Int128Chunked = fen.into_iter().map(|v| v.map(i128::from)).collect();
    Ok(wide
        .with_name(name)
        .into_decimal(18, 2)
        .context("building a Decimal(18,2) column")?
        .into_series())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_typed_columns() {
        let mut f = FrameBuilder::new(&[
            ("id", Kind::Text),
            ("fen", Kind::Money),
            ("on", Kind::Date),
            ("ok", Kind::Bool),
        ]);
        f.row(&[
            Value::Text("a"),
            Value::Int(12_345),
            Value::Date(Date::civil(2019, 6, 30)),
            Value::Bool(true),
        ]);
        f.row(&[Value::Null, Value::Null, Value::Null, Value::Null]);
        let df = f.finish().unwrap();
        assert_eq!(df.height(), 2);
        assert_eq!(df.column("fen").unwrap().dtype(), &DataType::Decimal(18, 2));
        assert_eq!(df.column("on").unwrap().dtype(), &DataType::Date);
        assert_eq!(df.column("id").unwrap().null_count(), 1);
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_an_error_not_a_panic() {
        let mut f = FrameBuilder::new(&[("n", Kind::Int)]);
        f.push(0, Value::Text("x"));
        assert!(f.finish().is_err());
        let mut f = FrameBuilder::new(&[("n", Kind::Int)]);
        f.push(3, Value::Int(1));
        assert!(f.finish().is_err());
        let mut f = FrameBuilder::new(&[("n", Kind::Int)]);
        f.row(&[Value::Int(1), Value::Int(2)]);
        assert!(f.finish().is_err());
    }
}
