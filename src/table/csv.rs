//! An export's CSV copy (`--csv`), read back a slice of rows at a time with arrow-rs: UTF-8 with
//! a BOM so that Excel shows the Chinese, a header, one line per row. Cells are written as a
//! CSV reader and Excel expect them: text quoted only where it must be (a comma, a quote, a
//! line break — and the empty text, so that it differs from a missing cell, which is nothing),
//! text that would read as a formula with a leading `'`, money as yuan with its two decimals,
//! dates as `YYYY-MM-DD`, floats as the shortest text that reads back as the same number.
//! Nested columns (lists, structs) stay in the Parquet only.

use std::io::Write;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::Array;
use arrow_schema::DataType;

use crate::domain::date::Date;
use crate::domain::money::format_decimal;
use crate::domain::text::excel_safe;
use crate::error::{Error, Result};
use crate::table::batches::ParquetBatches;

/// Whether a column of this type has a cell per row in a CSV (lists and structs do not).
fn flat(ty: &DataType) -> bool {
    !matches!(
        ty,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
            | DataType::FixedSizeList(..)
            | DataType::Struct(_)
            | DataType::Map(..)
    )
}

/// A text cell: quoted when it holds the separator, a quote or a line break, or is empty;
/// quotes doubled.
fn text_cell(out: &mut Vec<u8>, s: &str) {
    if s.is_empty() {
        out.extend_from_slice(b"\"\"");
        return;
    }
    let s = excel_safe(s);
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Write row `i` of `column` (not null) as one cell; `Err` names a type with no CSV form.
fn cell(out: &mut Vec<u8>, column: &dyn Array, i: usize) -> std::result::Result<(), String> {
    macro_rules! int {
        ($t:ty) => {{
            let v = column.as_primitive::<$t>().value(i);
            let _ = write!(out, "{v}");
        }};
    }
    match column.data_type() {
        DataType::Utf8 => text_cell(out, column.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => text_cell(out, column.as_string::<i64>().value(i)),
        DataType::Utf8View => text_cell(out, column.as_string_view().value(i)),
        DataType::Int8 => int!(Int8Type),
        DataType::Int16 => int!(Int16Type),
        DataType::Int32 => int!(Int32Type),
        DataType::Int64 => int!(Int64Type),
        DataType::UInt8 => int!(UInt8Type),
        DataType::UInt16 => int!(UInt16Type),
        DataType::UInt32 => int!(UInt32Type),
        DataType::UInt64 => int!(UInt64Type),
        DataType::Float32 => {
            let v = column.as_primitive::<Float32Type>().value(i);
            out.extend_from_slice(zmij::Buffer::new().format(v).as_bytes());
        }
        DataType::Float64 => {
            let v = column.as_primitive::<Float64Type>().value(i);
            out.extend_from_slice(zmij::Buffer::new().format(v).as_bytes());
        }
        DataType::Decimal128(_, scale) => {
            let scale = u32::try_from(*scale).map_err(|_| format!("negative scale {scale}"))?;
            let mantissa = column.as_primitive::<Decimal128Type>().value(i);
            out.extend_from_slice(format_decimal(mantissa, scale).as_bytes());
        }
        DataType::Boolean => {
            let v = column.as_boolean().value(i);
            out.extend_from_slice(if v { b"true" } else { b"false" });
        }
        DataType::Date32 => {
            let d = Date(column.as_primitive::<Date32Type>().value(i));
            let _ = write!(out, "{d}");
        }
        other => return Err(format!("a column of type {other} has no CSV form")),
    }
    Ok(())
}

/// Copy a Parquet export to CSV (flat columns only), a slice of rows at a time; returns the
/// rows written.
pub fn parquet_to_csv(parquet: &Path, csv: &Path) -> Result<u64> {
    let (mut batches, _) = ParquetBatches::open(parquet)?;
    let schema = batches.schema();
    let names: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| flat(f.data_type()))
        .map(|f| f.name().clone())
        .collect();
    batches.select(names.clone());
    let mut out = std::fs::File::create(csv).map_err(|e| Error::io(csv, e))?;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
    buf.extend_from_slice("\u{feff}".as_bytes());
    for (k, name) in names.iter().enumerate() {
        if k > 0 {
            buf.push(b',');
        }
        text_cell(&mut buf, name);
    }
    buf.push(b'\n');
    let mut rows = 0u64;
    while let Some((_, batch)) = batches.next_batch()? {
        for i in 0..batch.num_rows() {
            for (k, column) in batch.columns().iter().enumerate() {
                if k > 0 {
                    buf.push(b',');
                }
                if column.is_valid(i) {
                    cell(&mut buf, column.as_ref(), i).map_err(|m| {
                        Error::Internal(format!("copying {} to CSV: {m}", parquet.display()))
                    })?;
                }
            }
            buf.push(b'\n');
            if buf.len() >= 1 << 20 {
                out.write_all(&buf).map_err(|e| Error::io(csv, e))?;
                buf.clear();
            }
        }
        rows += batch.num_rows() as u64;
    }
    out.write_all(&buf).map_err(|e| Error::io(csv, e))?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = Vec::new();
        text_cell(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_is_quoted_only_where_it_must_be_and_never_a_formula() {
        assert_eq!(text("平台"), "平台");
        assert_eq!(text(""), "\"\"");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text("two\nlines"), "\"two\nlines\"");
        assert_eq!(text("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(text("=1,2"), "\"'=1,2\"");
        assert_eq!(text("-100"), "-100");
    }
}
