//! Column builders that turn rows into arrow record batches, for the generator's Parquet
//! files. Money goes in as Int64 fen and out as Decimal(18,2) yuan, dates as Date32, text as
//! Utf8 (null when missing).

use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use crate::domain::date::Date;
use crate::error::{Error, Result};

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
    Text(StringBuilder),
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
                    Kind::Text => Store::Text(StringBuilder::new()),
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

    /// The schema of the batches: money as Decimal(18,2), every column nullable.
    pub fn schema(&self) -> SchemaRef {
        schema(
            &self
                .columns
                .iter()
                .map(|(n, k, _)| (n.as_str(), *k))
                .collect::<Vec<_>>(),
        )
    }

    pub fn finish(self) -> Result<RecordBatch> {
        if let Some(m) = self.mismatch {
            return Err(Error::Internal(format!("building a table: {m}")));
        }
        let schema = self.schema();
        let columns: Vec<ArrayRef> = self
            .columns
            .into_iter()
            .map(|(_, kind, store)| -> Result<ArrayRef> {
                Ok(match (kind, store) {
                    (_, Store::Text(mut b)) => Arc::new(b.finish()),
                    (Kind::Money, Store::Int(v)) => Arc::new(
                        v.into_iter()
                            .map(|v| v.map(i128::from))
                            .collect::<Decimal128Array>()
                            .with_precision_and_scale(18, 2)
                            .map_err(|e| Error::Internal(format!("a money column: {e}")))?,
                    ),
                    (_, Store::Int(v)) => Arc::new(Int64Array::from(v)),
                    (_, Store::Date(v)) => Arc::new(Date32Array::from(v)),
                    (_, Store::Bool(v)) => Arc::new(BooleanArray::from(v)),
                })
            })
            .collect::<Result<_>>()?;
        RecordBatch::try_new(schema, columns)
            .map_err(|e| Error::Internal(format!("assembling a table: {e}")))
    }
}

/// The arrow schema of columns of these kinds.
pub fn schema(columns: &[(&str, Kind)]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, kind)| {
                let ty = match kind {
                    Kind::Text => DataType::Utf8,
                    Kind::Int => DataType::Int64,
                    Kind::Money => DataType::Decimal128(18, 2),
                    Kind::Date => DataType::Date32,
                    Kind::Bool => DataType::Boolean,
                };
                Field::new(*name, ty, true)
            })
            .collect::<Vec<_>>(),
    ))
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
        let batch = f.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let fen = batch.column_by_name("fen").unwrap();
        assert_eq!(fen.data_type(), &DataType::Decimal128(18, 2));
        use arrow_array::cast::AsArray;
        assert_eq!(
            fen.as_primitive::<arrow_array::types::Decimal128Type>()
                .value(0),
            12_345
        );
        assert_eq!(
            batch.column_by_name("on").unwrap().data_type(),
            &DataType::Date32
        );
        assert_eq!(batch.column_by_name("id").unwrap().null_count(), 1);
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
