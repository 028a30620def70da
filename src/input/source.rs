//! A batch of a table's rows as the validator sees it, whatever the file's format: one
//! [`Column`] per contract column, which gives a typed cell or the reason it is not one, and
//! the raw text a reject quotes. CSV cells stay the text of the file ([`super::csv_table`]);
//! Parquet columns keep their types ([`super::parquet`]): a Decimal money column is checked for
//! whole fen on its integers, a Date column is a date, never text parsed back.

use arrow_array::types::ArrowPrimitiveType;
use arrow_array::{
    Array, Date32Array, Decimal128Array, Int64Array, LargeStringArray, PrimitiveArray, StringArray,
    StringViewArray,
};

use crate::domain::date::Date;
use crate::domain::money;
use crate::domain::schema::Table;
use crate::input::csv_table::{CsvBatch, Parse};
use crate::input::report::TableReport;

/// What the readers hand a table's rows to, a batch at a time, whatever the file's format:
/// the platform tables' validator ([`super::validate::Validator`]) or the case tables'
/// ([`super::cases::CaseValidator`]).
pub trait RowSink {
    /// Whether personal columns (names, phones, accounts) are to be read at all.
    fn keeps_personal(&self) -> bool;
    /// About `rows` rows of `table` are coming (room made before they are read).
    fn expect_rows(&mut self, table: Table, rows: usize);
    /// Whether contract column `column` of `table` is wanted (one that is not comes as
    /// [`Column::Absent`], never decoded).
    fn reads(&self, _table: Table, _column: usize) -> bool {
        true
    }
    /// Whether every field of a record is wanted, its width checked against the header; a
    /// sink that only takes the columns it [`RowSink::reads`] (a first pass) says no, and a
    /// text reader stops splitting a line after the last of them.
    fn whole_records(&self) -> bool {
        true
    }
    /// Records a text reader hands over a batch for `table`, when the sink wants other than
    /// the reader's own: one whose batches are worth more rows each (`None`).
    fn batch_rows(&self, _table: Table) -> Option<usize> {
        None
    }
    /// Check and keep one batch of `table`'s rows read from `file`.
    fn batch(&mut self, table: Table, file: &str, batch: &Batch, report: &mut TableReport);
    /// Whether the rows after the last batch are wanted: a sink that has what it needs (a look
    /// at the first rows, a wager on the ids' order lost) says no, and the read stops there.
    fn wants_more(&self) -> bool {
        true
    }
}

/// A sink of one column of one table: each batch handed to `take` with the column's position,
/// which says whether it wants the next (the first pass over the investment ids, a look at
/// their first batch).
pub struct OneColumn<F> {
    table: Table,
    column: usize,
    take: F,
    more: bool,
}

impl<F: FnMut(&Batch, usize) -> bool> OneColumn<F> {
    pub fn new(table: Table, column: usize, take: F) -> OneColumn<F> {
        OneColumn {
            table,
            column,
            take,
            more: true,
        }
    }
}

impl<F: FnMut(&Batch, usize) -> bool> RowSink for OneColumn<F> {
    fn keeps_personal(&self) -> bool {
        false
    }

    fn expect_rows(&mut self, _: Table, _: usize) {}

    fn reads(&self, table: Table, column: usize) -> bool {
        table == self.table && column == self.column
    }

    fn whole_records(&self) -> bool {
        false
    }

    fn batch(&mut self, table: Table, _: &str, batch: &Batch, _: &mut TableReport) {
        if table == self.table && self.more {
            self.more = (self.take)(batch, self.column);
        }
    }

    fn wants_more(&self) -> bool {
        self.more
    }
}

pub use crate::input::cells::Cell;

/// One column of a batch, in the representation its contract type needs.
pub enum Column<'a> {
    /// Not in the file: every cell missing.
    Absent,
    /// Text as written (CSV cells, Parquet strings).
    Text(Vec<Option<&'a str>>),
    /// A Parquet string column read where it lies, in the reader's array (no copy a batch).
    Strings(Strings<'a>),
    /// A Parquet Decimal128 column where it lies: mantissas and their scale.
    Decimal128(&'a Decimal128Array, u32),
    /// A Parquet Int64 column where it lies: whole yuan for money, the value for integers.
    Int64(&'a Int64Array),
    /// A Parquet Date32 column where it lies.
    Date32(&'a Date32Array),
    /// Text made from another Parquet type (an integer id, a timestamp).
    Owned(Vec<Option<String>>),
    /// Parquet integers: whole yuan for money, the value for integers.
    Int(Vec<Option<i64>>),
    /// Parquet decimals: mantissas and their scale.
    Decimal(Vec<Option<i128>>, u32),
    /// Parquet float money, accepted with `--accept-float-money` (rounded half-even).
    Float(Vec<Option<f64>>),
    Date(Vec<Option<i32>>),
    Bool(Vec<Option<bool>>),
    /// CSV money or dates parsed on the tokenizer's thread: the cells, and the file's text
    /// for anything else asked of them (what a reject quotes, a partition's check).
    Parsed {
        kind: Parse,
        cells: &'a [Cell<i64>],
        batch: &'a CsvBatch,
        field: usize,
    },
}

/// A Parquet string array of any offset width, read in place.
#[derive(Clone, Copy)]
pub enum Strings<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    fn get(self, i: usize) -> Option<&'a str> {
        match self {
            Strings::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Strings::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// A value of a primitive array, `None` where it is null.
fn at<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, i: usize) -> Option<T::Native> {
    a.is_valid(i).then(|| a.value(i))
}

/// Trim a cell; empty is missing (docs/inputs.md).
fn clean(s: Option<&str>) -> Option<&str> {
    s.and_then(crate::input::cells::clean)
}

impl<'a> Column<'a> {
    fn text_at(&self, i: usize) -> Option<&str> {
        match self {
            Column::Text(v) => clean(v[i]),
            Column::Strings(v) => clean(v.get(i)),
            Column::Owned(v) => clean(v[i].as_deref()),
            Column::Parsed { .. } => clean(self.file_text(i)),
            _ => None,
        }
    }

    /// A parsed CSV cell's text in the file (a parsed field is text on its own).
    fn file_text(&self, i: usize) -> Option<&str> {
        match self {
            Column::Parsed { batch, field, .. } => batch.text(i, *field).and_then(Result::ok),
            _ => None,
        }
    }

    /// A text cell (ids, names, codes).
    pub fn text(&self, i: usize) -> Cell<&str> {
        match self.text_at(i) {
            Some(s) => Cell::Ok(s),
            None => Cell::Missing,
        }
    }

    /// A money cell, in fen.
    pub fn money(&self, i: usize) -> Cell<i64> {
        match self {
            Column::Absent => Cell::Missing,
            Column::Parsed {
                kind: Parse::Money,
                cells,
                ..
            } => cells[i],
            Column::Text(_) | Column::Strings(_) | Column::Owned(_) | Column::Parsed { .. } => {
                match self.text_at(i) {
                    None => Cell::Missing,
                    Some(s) => money::parse_fen(s).map_or(Cell::Bad, Cell::Ok),
                }
            }
            Column::Int(_) | Column::Int64(_) => match self.int_at(i) {
                None => Cell::Missing,
                Some(y) => y.checked_mul(100).map_or(Cell::Bad, Cell::Ok),
            },
            Column::Decimal(v, scale) => match v[i] {
                None => Cell::Missing,
                Some(m) => money::decimal_to_fen(m, *scale).map_or(Cell::Bad, Cell::Ok),
            },
            Column::Decimal128(v, scale) => match at(v, i) {
                None => Cell::Missing,
                Some(m) => money::decimal_to_fen(m, *scale).map_or(Cell::Bad, Cell::Ok),
            },
            Column::Float(v) => match v[i] {
                None => Cell::Missing,
                Some(f) => money::float_yuan_to_fen(f).map_or(Cell::Bad, Cell::Ok),
            },
            Column::Date(_) | Column::Date32(_) | Column::Bool(_) => match self.present(i) {
                true => Cell::Bad,
                false => Cell::Missing,
            },
        }
    }

    /// An integer cell of an integer column.
    fn int_at(&self, i: usize) -> Option<i64> {
        match self {
            Column::Int(v) => v[i],
            Column::Int64(v) => at(v, i),
            _ => None,
        }
    }

    pub fn date(&self, i: usize) -> Cell<Date> {
        match self {
            Column::Date(v) => v[i].map_or(Cell::Missing, |d| Cell::Ok(Date(d))),
            Column::Date32(v) => at(v, i).map_or(Cell::Missing, |d| Cell::Ok(Date(d))),
            Column::Parsed {
                kind: Parse::Date,
                cells,
                ..
            } => match cells[i] {
                Cell::Ok(d) => i32::try_from(d).map_or(Cell::Bad, |d| Cell::Ok(Date(d))),
                Cell::Missing => Cell::Missing,
                Cell::Bad => Cell::Bad,
            },
            Column::Text(_) | Column::Strings(_) | Column::Owned(_) | Column::Parsed { .. } => {
                match self.text_at(i) {
                    None => Cell::Missing,
                    Some(s) => Date::parse(s).map_or(Cell::Bad, Cell::Ok),
                }
            }
            _ => self.absent_or_bad(i),
        }
    }

    pub fn boolean(&self, i: usize) -> Cell<bool> {
        match self {
            Column::Bool(v) => v[i].map_or(Cell::Missing, Cell::Ok),
            Column::Text(_) | Column::Strings(_) | Column::Owned(_) | Column::Parsed { .. } => {
                match self.text_at(i) {
                    None => Cell::Missing,
                    Some(s) => crate::input::cells::parse_bool(s).map_or(Cell::Bad, Cell::Ok),
                }
            }
            _ => self.absent_or_bad(i),
        }
    }

    pub fn integer(&self, i: usize) -> Cell<i64> {
        match self {
            Column::Int(_) | Column::Int64(_) => self.int_at(i).map_or(Cell::Missing, Cell::Ok),
            Column::Text(_) | Column::Strings(_) | Column::Owned(_) | Column::Parsed { .. } => {
                match self.text_at(i) {
                    None => Cell::Missing,
                    Some(s) => crate::input::cells::parse_integer(s).map_or(Cell::Bad, Cell::Ok),
                }
            }
            _ => self.absent_or_bad(i),
        }
    }

    fn absent_or_bad<T>(&self, i: usize) -> Cell<T> {
        if self.present(i) {
            Cell::Bad
        } else {
            Cell::Missing
        }
    }

    fn present(&self, i: usize) -> bool {
        match self {
            Column::Absent => false,
            Column::Text(_) | Column::Strings(_) | Column::Owned(_) => self.text_at(i).is_some(),
            Column::Parsed { cells, .. } => cells[i] != Cell::Missing,
            Column::Int(v) => v[i].is_some(),
            Column::Int64(v) => v.is_valid(i),
            Column::Decimal128(v, _) => v.is_valid(i),
            Column::Date32(v) => v.is_valid(i),
            Column::Decimal(v, _) => v[i].is_some(),
            Column::Float(v) => v[i].is_some(),
            Column::Date(v) => v[i].is_some(),
            Column::Bool(v) => v[i].is_some(),
        }
    }

    /// The cell as text, as a reject quotes it (the file's text for CSV).
    pub fn raw(&self, i: usize) -> Option<String> {
        match self {
            Column::Absent => None,
            Column::Text(v) => v[i].map(str::to_string),
            Column::Strings(v) => v.get(i).map(str::to_string),
            Column::Owned(v) => v[i].clone(),
            Column::Int(v) => v[i].map(|x| x.to_string()),
            Column::Int64(v) => at(v, i).map(|x| x.to_string()),
            Column::Decimal(v, scale) => v[i].map(|m| decimal_text(m, *scale)),
            Column::Decimal128(v, scale) => at(v, i).map(|m| decimal_text(m, *scale)),
            Column::Date32(v) => at(v, i).map(|d| Date(d).to_string()),
            Column::Float(v) => v[i].map(|f| f.to_string()),
            Column::Date(v) => v[i].map(|d| Date(d).to_string()),
            Column::Bool(v) => v[i].map(|b| b.to_string()),
            Column::Parsed { .. } => self.file_text(i).map(str::to_string),
        }
    }
}

/// A decimal mantissa and scale as text: (12345, 3) → "12.345".
fn decimal_text(m: i128, scale: u32) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let digits = m.unsigned_abs().to_string();
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let s = scale as usize;
    let padded = format!("{digits:0>width$}", width = s + 1);
    let (int, frac) = padded.split_at(padded.len() - s);
    format!("{sign}{int}.{frac}")
}

/// What a CSV batch knows beyond its cells: how each record lines up with the header.
pub struct CsvRows<'a> {
    pub batch: &'a super::csv_table::CsvBatch,
    /// Fields in the header.
    pub width: usize,
    /// Each header position by the name a reject gives it (contract name or header text).
    pub position_names: &'a [String],
}

/// A cell the reader could not turn into text faithfully (an Excel number beyond exact, a
/// formula without its result): its column holds it as missing, and the row is refused with
/// this reason when its turn in column order comes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellFault {
    /// The row within the batch and the contract column.
    pub row: usize,
    pub column: usize,
    pub reason: super::report::Reason,
    /// What the cell showed, as a reject quotes it.
    pub shown: String,
}

/// The partition columns of a part (`find::partition_columns`) in a batch of `rows` rows: a
/// column the file lacks is the partition's value in every row; one the file has must hold it
/// in every row, and a row that does not is refused at that column (`partition_mismatch`).
/// Returns the faults, sorted by row and column.
pub fn apply_partitions<'a>(
    columns: &mut [Column<'a>],
    partitions: &'a [(usize, Option<String>, bool)],
    rows: usize,
) -> Vec<CellFault> {
    let mut faults = Vec::new();
    for (j, value, in_file) in partitions {
        if !in_file {
            columns[*j] = Column::Text(vec![value.as_deref(); rows]);
            continue;
        }
        for i in 0..rows {
            let cell = match columns[*j].text(i) {
                Cell::Ok(s) => Some(s),
                _ => None,
            };
            let wanted = value.as_deref().and_then(crate::input::cells::clean);
            if cell != wanted {
                faults.push(CellFault {
                    row: i,
                    column: *j,
                    reason: super::report::Reason::PartitionMismatch,
                    shown: columns[*j].raw(i).unwrap_or_default(),
                });
            }
        }
    }
    faults.sort_by_key(|f| (f.row, f.column));
    faults
}

/// A batch of rows of one table.
pub struct Batch<'a> {
    /// 1-based physical line (CSV) or row (Parquet) of each row.
    pub lines: &'a [u64],
    /// Per contract column.
    pub columns: Vec<Column<'a>>,
    /// CSV only.
    pub csv: Option<CsvRows<'a>>,
    /// Cells refused by the reader, by (row, column) ascending (Excel only).
    pub faults: &'a [CellFault],
}

impl Batch<'_> {
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The record has more or fewer fields than the header (CSV).
    pub fn misaligned(&self, i: usize) -> bool {
        self.csv
            .as_ref()
            .is_some_and(|c| c.batch.shapes[i].fields as usize != c.width)
    }

    /// The first non-empty field beyond the header: its 1-based position and text.
    pub fn extra_field(&self, i: usize) -> Option<(usize, String)> {
        let c = self.csv.as_ref()?;
        let at = c.batch.shapes[i].extra_at as usize;
        (at > 0).then(|| {
            let bytes = c.batch.field(i, at - 1).unwrap_or_default();
            (at, String::from_utf8_lossy(bytes).into_owned())
        })
    }

    /// The reader's fault on row `i`, column `c`, if any.
    pub fn fault(&self, i: usize, c: usize) -> Option<&CellFault> {
        let at = self.faults.partition_point(|f| (f.row, f.column) < (i, c));
        self.faults.get(at).filter(|f| (f.row, f.column) == (i, c))
    }

    /// For a record with fewer fields than the header: the first column it does not reach.
    pub fn short_of(&self, i: usize) -> Option<&str> {
        let c = self.csv.as_ref()?;
        let fields = c.batch.shapes[i].fields as usize;
        (fields < c.width).then(|| c.position_names[fields].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_print_with_their_scale() {
        assert_eq!(decimal_text(12345, 3), "12.345");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(7, 0), "7");
        assert_eq!(decimal_text(1230, 3), "1.230");
    }

    #[test]
    fn parquet_arrays_read_in_place_give_the_cells_their_copies_gave() {
        // Each array beside the copy the reader used to make of it: every accessor agrees.
        let strings = StringArray::from(vec![Some(" 1,234.50 "), Some(""), None, Some("x")]);
        let large = LargeStringArray::from(vec![Some(" 1,234.50 "), Some(""), None, Some("x")]);
        let view = StringViewArray::from(vec![Some(" 1,234.50 "), Some(""), None, Some("x")]);
        let copied = Column::Text(vec![Some(" 1,234.50 "), Some(""), None, Some("x")]);
        let decimals = Decimal128Array::from(vec![Some(12_340), Some(12_345), None, Some(-5)])
            .with_precision_and_scale(18, 3)
            .unwrap();
        let decimals_copied = Column::Decimal(vec![Some(12_340), Some(12_345), None, Some(-5)], 3);
        let ints = Int64Array::from(vec![Some(5), Some(i64::MAX), None, Some(-2)]);
        let ints_copied = Column::Int(vec![Some(5), Some(i64::MAX), None, Some(-2)]);
        let dates = Date32Array::from(vec![Some(17_897), None, Some(0), Some(-1)]);
        let dates_copied = Column::Date(vec![Some(17_897), None, Some(0), Some(-1)]);
        let pairs = [
            (Column::Strings(Strings::Utf8(&strings)), &copied),
            (Column::Strings(Strings::Large(&large)), &copied),
            (Column::Strings(Strings::View(&view)), &copied),
            (Column::Decimal128(&decimals, 3), &decimals_copied),
            (Column::Int64(&ints), &ints_copied),
            (Column::Date32(&dates), &dates_copied),
        ];
        for (in_place, copy) in &pairs {
            for i in 0..4 {
                assert_eq!(in_place.text(i), copy.text(i), "text {i}");
                assert_eq!(in_place.money(i), copy.money(i), "money {i}");
                assert_eq!(in_place.date(i), copy.date(i), "date {i}");
                assert_eq!(in_place.integer(i), copy.integer(i), "integer {i}");
                assert_eq!(in_place.boolean(i), copy.boolean(i), "boolean {i}");
                assert_eq!(in_place.present(i), copy.present(i), "present {i}");
                assert_eq!(in_place.raw(i), copy.raw(i), "raw {i}");
            }
        }
        // What they read, by hand.
        let d = Column::Decimal128(&decimals, 3);
        assert_eq!(d.money(0), Cell::Ok(1_234));
        assert_eq!(d.money(1), Cell::Bad);
        assert_eq!(d.raw(3).as_deref(), Some("-0.005"));
        assert_eq!(Column::Int64(&ints).money(1), Cell::Bad);
        assert_eq!(Column::Int64(&ints).money(3), Cell::Ok(-200));
        assert_eq!(
            Column::Date32(&dates).date(0),
            Cell::Ok(Date::civil(2019, 1, 1))
        );
        assert_eq!(
            Column::Strings(Strings::Utf8(&strings)).money(0),
            Cell::Ok(123_450)
        );
        assert_eq!(
            Column::Strings(Strings::Utf8(&strings)).text(1),
            Cell::Missing
        );
    }

    #[test]
    fn cells_by_representation() {
        let text = Column::Text(vec![Some(" 1,234.50 "), Some(""), Some("x"), None]);
        assert_eq!(text.money(0), Cell::Ok(123_450));
        assert_eq!(text.money(1), Cell::Missing);
        assert_eq!(text.money(2), Cell::Bad);
        assert_eq!(text.money(3), Cell::Missing);
        let dec = Column::Decimal(vec![Some(12_340), Some(12_345), None], 3);
        assert_eq!(dec.money(0), Cell::Ok(1_234));
        assert_eq!(dec.money(1), Cell::Bad);
        assert_eq!(dec.raw(1).as_deref(), Some("12.345"));
        assert_eq!(dec.money(2), Cell::Missing);
        let int = Column::Int(vec![Some(5), Some(i64::MAX)]);
        assert_eq!(int.money(0), Cell::Ok(500));
        assert_eq!(int.money(1), Cell::Bad);
        assert_eq!(int.integer(1), Cell::Ok(i64::MAX));
        let dates = Column::Text(vec![Some("2019/06/30"), Some("2019-02-29")]);
        assert_eq!(dates.date(0), Cell::Ok(Date::civil(2019, 6, 30)));
        assert_eq!(dates.date(1), Cell::Bad);
        assert_eq!(Column::Absent.boolean(0), Cell::Missing);
        assert_eq!(Column::Int(vec![Some(1)]).date(0), Cell::Bad);
    }
}
