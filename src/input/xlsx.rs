//! Excel workbooks (.xlsx) as a third input format, read with calamine: one table per file
//! (`lenders.xlsx`: its sheet named like the table, else its first sheet) or one per sheet
//! named like the table in any other workbook of the folder (docs/inputs.md). Each cell becomes
//! the text the CSV reader would have read, by the column's type, under the same strict rules:
//! a number cell for money is accepted only when it is whole fen (its shortest decimal form has
//! at most two decimals: 0.1 + 0.2 = 0.30000000000000004 is refused, not rounded); an Excel
//! date, or a whole serial number in a date column, is that date; a date with a time of day is
//! refused. Rejects name the workbook and sheet (`book.xlsx!lenders`) and the Excel row.

use calamine::{open_workbook, Data, ExcelDateTime, ExcelDateTimeType, Reader, Xlsx};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::input::find::{self, TableFile};
use crate::input::report::TableReport;
use crate::input::schema::CellType;
use crate::input::source;
use crate::input::validate::Validator;
use crate::progress::{Progress, Unit};

/// Rows handed to the validator at a time.
const BATCH_ROWS: usize = 1 << 16;

/// The sheet names of a workbook (to find tables by sheet name).
pub fn sheet_names(path: &std::path::Path) -> Result<Vec<String>> {
    let book: Xlsx<_> = open_workbook(path)
        .map_err(|e| Error::bad_file(path, format!("not an Excel workbook (.xlsx): {e}")))?;
    Ok(book.sheet_names())
}

/// Validate one sheet.
pub fn read_xlsx(
    v: &mut Validator,
    file: &TableFile,
    sheet: &str,
    config: &Config,
    progress: &dyn Progress,
) -> Result<TableReport> {
    let path = &file.path;
    let mut book: Xlsx<_> = open_workbook(path)
        .map_err(|e| Error::bad_file(path, format!("not an Excel workbook (.xlsx): {e}")))?;
    let range = book
        .worksheet_range(sheet)
        .map_err(|e| Error::bad_file(path, format!("sheet {sheet}: {e}")))?;
    let Some((first_row, _)) = range.start() else {
        return Err(Error::bad_file(
            path,
            format!("sheet {sheet} is empty: no header row"),
        ));
    };
    let mut rows = range.rows();
    let header_cells = rows.next().unwrap_or_default();
    let headers: Vec<String> = header_cells
        .iter()
        .map(|d| cell_text(d, CellType::Text).unwrap_or_default())
        .collect();
    let (mapping, unknown_columns) = find::map_headers(file, &headers, config)?;
    let spec = file.table.columns();
    let name = file.file_name();
    let mut report = TableReport {
        file: name.clone(),
        encoding: "xlsx",
        unknown_columns,
        ..TableReport::default()
    };
    let total = range.height().saturating_sub(1);
    v.expect_rows(file.table, total);
    progress.begin(
        &format!("校验 validate {name}"),
        Some(total as u64),
        Unit::Rows,
    );
    // The Excel row of the range's row r (0: the header).
    let excel_row = |r: usize| u64::from(first_row) + r as u64 + 1;
    let mut pending: Vec<(u64, &[Data])> = Vec::with_capacity(BATCH_ROWS);
    let mut flush = |pending: &mut Vec<(u64, &[Data])>, report: &mut TableReport| {
        if pending.is_empty() {
            return;
        }
        let lines: Vec<u64> = pending.iter().map(|(l, _)| *l).collect();
        let columns: Vec<source::Column> = mapping
            .iter()
            .zip(spec)
            .map(|(m, c)| match m {
                None => source::Column::Absent,
                Some(h) => source::Column::Owned(
                    pending
                        .iter()
                        .map(|(_, row)| row.get(*h).and_then(|d| cell_text(d, c.ty)))
                        .collect(),
                ),
            })
            .collect();
        let batch = source::Batch {
            lines: &lines,
            columns,
            csv: None,
        };
        v.batch(file.table, &name, &batch, report);
        progress.advance(pending.len() as u64);
        pending.clear();
    };
    for (r, row) in rows.enumerate() {
        // A row with no cell at all is a blank line.
        if row.iter().all(|d| matches!(d, Data::Empty)) {
            continue;
        }
        pending.push((excel_row(r + 1), row));
        if pending.len() == BATCH_ROWS {
            flush(&mut pending, &mut report);
        }
    }
    flush(&mut pending, &mut report);
    Ok(report)
}

/// A cell as the text a CSV would hold for a column of type `ty`; `None` when empty.
pub fn cell_text(d: &Data, ty: CellType) -> Option<String> {
    Some(match d {
        Data::Empty => return None,
        Data::String(s) => s.clone(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => e.to_string(),
        Data::Int(i) if ty == CellType::Date => serial_date(*i as f64),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if ty == CellType::Date => serial_date(*f),
        Data::Float(f) => number_text(*f),
        Data::DateTime(dt) if dt.is_duration() => number_text(dt.as_f64()),
        Data::DateTime(dt) => datetime_text(dt),
    })
}

/// A number as written: whole numbers without a decimal point (an id or a count typed as a
/// number), others in their shortest decimal form, which the money parser then holds to two
/// decimals.
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// An Excel serial day number (1900 system) as a date, or the number as text (refused as a
/// date) when it is not a whole day.
fn serial_date(f: f64) -> String {
    if !(f.is_finite() && f.fract() == 0.0 && (1.0..=2_958_465.0).contains(&f)) {
        return number_text(f);
    }
    datetime_text(&ExcelDateTime::new(f, ExcelDateTimeType::DateTime, false))
}

/// An Excel date as `YYYY-MM-DD`; with a time of day, `YYYY-MM-DD HH:MM:SS` (not a date).
fn datetime_text(dt: &ExcelDateTime) -> String {
    let (y, m, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    if (h, mi, s, ms) == (0, 0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// Whether a parsed date came from the text above (for tests).
#[cfg(test)]
fn parses(text: &str) -> Option<crate::domain::date::Date> {
    crate::domain::date::Date::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_numbers_are_accepted_only_as_whole_fen() {
        let money = |f: f64| cell_text(&Data::Float(f), CellType::Money).unwrap();
        assert_eq!(money(1234.5), "1234.5");
        assert_eq!(money(100.0), "100");
        assert_eq!(money(0.1), "0.1");
        // Not whole fen, or not what was meant: the text the money parser refuses.
        assert_eq!(money(1.005), "1.005");
        assert_eq!(money(0.1 + 0.2), "0.30000000000000004");
        for (text, fen) in [
            ("1234.5", Some(123_450)),
            ("1.005", None),
            ("0.30000000000000004", None),
        ] {
            assert_eq!(crate::domain::money::parse_fen(text), fen, "{text}");
        }
    }

    #[test]
    fn dates_and_serials_are_dates_and_times_of_day_are_not() {
        // 43646 is 2019-06-30 in the 1900 system.
        assert_eq!(
            cell_text(&Data::Float(43646.0), CellType::Date).unwrap(),
            "2019-06-30"
        );
        assert_eq!(
            cell_text(&Data::Int(43646), CellType::Date).unwrap(),
            "2019-06-30"
        );
        let dt = Data::DateTime(ExcelDateTime::new(
            43646.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(cell_text(&dt, CellType::Date).unwrap(), "2019-06-30");
        assert!(parses("2019-06-30").is_some());
        let noon = Data::DateTime(ExcelDateTime::new(
            43646.5,
            ExcelDateTimeType::DateTime,
            false,
        ));
        let text = cell_text(&noon, CellType::Date).unwrap();
        assert_eq!(text, "2019-06-30 12:00:00");
        assert_eq!(parses(&text), None);
        assert_eq!(
            cell_text(&Data::Float(43646.25), CellType::Date).unwrap(),
            "43646.25"
        );
        // In a text column a number is its digits: an id typed as a number keeps them.
        assert_eq!(
            cell_text(&Data::Float(12345.0), CellType::Text).unwrap(),
            "12345"
        );
        assert_eq!(cell_text(&Data::Empty, CellType::Text), None);
        assert_eq!(
            cell_text(&Data::Bool(true), CellType::Bool).unwrap(),
            "true"
        );
    }
}
