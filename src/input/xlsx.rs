//! Excel workbooks (.xlsx) as a third input format, read with calamine: one table per file
//! (`lenders.xlsx`: its sheet named like the table, else its first sheet) or one per sheet
//! named like the table in any other workbook of the folder (docs/inputs.md). Each cell becomes
//! the text the CSV reader would have read, by the column's type, under the same strict rules:
//! a number cell for money is accepted only when it is whole fen (its shortest decimal form has
//! at most two decimals: 0.1 + 0.2 = 0.30000000000000004 is refused, not rounded); an Excel
//! date, or a whole serial number in a date column, is that date; a date with a time of day is
//! refused. Rejects name the workbook and sheet (`book.xlsx!lenders`) and the Excel row.

use std::collections::BTreeMap;

use calamine::{open_workbook, Data, ExcelDateTime, ExcelDateTimeType, Reader, Xlsx};

use crate::config::Config;
use crate::domain::schema::CellType;
use crate::error::{Error, Result};
use crate::input::find::{self, TableFile};
use crate::input::report::{Reason, TableReport};
use crate::input::source::{self, CellFault};
use crate::progress::{Progress, Unit};

/// Rows handed to the validator at a time.
const BATCH_ROWS: usize = 1 << 16;

/// Run a calamine call; a panic deep inside it on a damaged workbook is an error naming the
/// file, never a crash.
fn guarded<T>(path: &std::path::Path, f: impl FnOnce() -> T) -> Result<T> {
    crate::error::contained(f).ok_or_else(|| {
        Error::bad_file(
            path,
            "cannot read as an Excel workbook: the file is damaged",
        )
    })
}

/// Validate one sheet.
pub fn read_xlsx(
    v: &mut dyn source::RowSink,
    file: &TableFile,
    sheet: &str,
    config: &Config,
    progress: &dyn Progress,
) -> Result<TableReport> {
    let path = &file.path;
    let mut book: Xlsx<_> = guarded(path, || open_workbook(path))?
        .map_err(|e| Error::bad_file(path, format!("not an Excel workbook (.xlsx): {e}")))?;
    let range = guarded(path, || book.worksheet_range(sheet))?
        .map_err(|e| Error::bad_file(path, format!("sheet {sheet}: {e}")))?;
    let Some((first_row, first_col)) = range.start() else {
        return Err(Error::bad_file(
            path,
            format!("sheet {sheet} is empty: no header row"),
        ));
    };
    let unresolved = guarded(path, || formulas_without_value(&mut book, sheet, &range))?
        .map_err(|e| Error::bad_file(path, format!("sheet {sheet}: {e}")))?;
    let all_rows: Vec<&[Data]> = range.rows().collect();
    let header_cells = all_rows.first().copied().unwrap_or_default();
    let headers: Vec<String> = header_cells.iter().map(header_text).collect();
    let (mapping, unknown_columns) = find::map_headers(file, &headers, config)?;
    let spec = file.table.columns();
    let name = file.file_name();
    let mut report = TableReport {
        file: name.clone(),
        encoding: "xlsx",
        unknown_columns,
        ..TableReport::default()
    };
    // Rows below the range hold nothing but formulas saved without a result.
    let last_row = unresolved
        .keys()
        .map(|(r, _)| *r)
        .chain(range.end().map(|(r, _)| r))
        .max()
        .unwrap_or(first_row);
    let total = (last_row - first_row) as usize;
    v.expect_rows(file.table, total);
    progress.begin(
        &format!("校验 validate {name}"),
        Some(total as u64),
        Unit::Rows,
    );
    // (Excel row, sheet row, its cells) of the rows waiting for the validator.
    let mut pending: Vec<(u64, u32, &[Data])> = Vec::with_capacity(BATCH_ROWS);
    let mut flush = |pending: &mut Vec<(u64, u32, &[Data])>, report: &mut TableReport| {
        if pending.is_empty() {
            return;
        }
        let lines: Vec<u64> = pending.iter().map(|(l, _, _)| *l).collect();
        let mut faults: Vec<CellFault> = Vec::new();
        let mut columns: Vec<source::Column> = Vec::with_capacity(spec.len());
        for (j, (m, c)) in mapping.iter().zip(spec).enumerate() {
            let Some(h) = m else {
                columns.push(source::Column::Absent);
                continue;
            };
            let sheet_col = first_col + *h as u32;
            let mut cells = Vec::with_capacity(pending.len());
            for (k, (_, sheet_row, row)) in pending.iter().enumerate() {
                let read = if let Some(formula) = unresolved.get(&(*sheet_row, sheet_col)) {
                    Err((Reason::FormulaWithoutValue, format!("={formula}")))
                } else {
                    row.get(*h).map_or(Ok(None), |d| cell_text(d, c.ty))
                };
                cells.push(match read {
                    Ok(text) => text,
                    Err((reason, shown)) => {
                        faults.push(CellFault {
                            row: k,
                            column: j,
                            reason,
                            shown,
                        });
                        None
                    }
                });
            }
            columns.push(source::Column::Owned(cells));
        }
        faults.sort_by_key(|f| (f.row, f.column));
        let batch = source::Batch {
            lines: &lines,
            columns,
            csv: None,
            faults: &faults,
        };
        v.batch(file.table, &name, &batch, report);
        progress.advance(pending.len() as u64);
        pending.clear();
    };
    for sheet_row in first_row + 1..=last_row {
        let r = (sheet_row - first_row) as usize;
        let row = all_rows.get(r).copied().unwrap_or_default();
        // A row with no cell at all is a blank line; a formula without its result is a cell.
        let blank = row.iter().all(|d| matches!(d, Data::Empty))
            && unresolved
                .range((sheet_row, 0)..=(sheet_row, u32::MAX))
                .next()
                .is_none();
        if blank {
            continue;
        }
        pending.push((u64::from(sheet_row) + 1, sheet_row, row));
        if pending.len() == BATCH_ROWS {
            flush(&mut pending, &mut report);
        }
    }
    flush(&mut pending, &mut report);
    Ok(report)
}

/// The cells of a sheet that hold a formula but no result (sheet positions → the formula):
/// workbooks written by scripts carry formulas Excel has never calculated, which calamine
/// reads as empty. Their value is unknown, and the row is refused rather than defaulted.
pub fn formulas_without_value<R: std::io::Read + std::io::Seek>(
    book: &mut Xlsx<R>,
    sheet: &str,
    values: &calamine::Range<Data>,
) -> std::result::Result<BTreeMap<(u32, u32), String>, calamine::XlsxError> {
    let formulas = book.worksheet_formula(sheet)?;
    let mut unresolved = BTreeMap::new();
    let Some((r0, c0)) = formulas.start() else {
        return Ok(unresolved);
    };
    for (r, c, formula) in formulas.used_cells() {
        if formula.trim().is_empty() {
            continue;
        }
        let at = (r0 + r as u32, c0 + c as u32);
        if matches!(values.get_value(at), None | Some(Data::Empty)) {
            unresolved.insert(at, formula.chars().take(200).collect());
        }
    }
    Ok(unresolved)
}

/// A header cell as text (a number as its digits).
fn header_text(d: &Data) -> String {
    match d {
        Data::Float(f) => number_text(*f),
        _ => cell_text(d, CellType::Text)
            .ok()
            .flatten()
            .unwrap_or_default(),
    }
}

/// The largest magnitude below which a double holds every whole number exactly (2^53).
const EXACT_WHOLE: f64 = 9_007_199_254_740_992.0;

/// A cell as the text a CSV would hold for a column of type `ty`; `None` when empty. A cell
/// that cannot stand for what the column needs is refused with its reason and what it shows:
/// an Excel error; a number in an id or integer column that is not a whole number below 2^53
/// (`12345678901234567` typed as a number is stored as `12345678901234568`); money whose fen
/// are beyond 2^53.
pub fn cell_text(d: &Data, ty: CellType) -> std::result::Result<Option<String>, (Reason, String)> {
    let exact = |f: f64, limit: f64| f.is_finite() && f.fract() == 0.0 && f.abs() < limit;
    Ok(Some(match d {
        Data::Empty => return Ok(None),
        Data::String(s) => s.clone(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => return Err((Reason::FormulaError, e.to_string())),
        Data::Int(i) if ty == CellType::Date => serial_date(*i as f64),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if ty == CellType::Date => serial_date(*f),
        Data::Float(f) if matches!(ty, CellType::Text | CellType::Integer) => {
            if !exact(*f, EXACT_WHOLE) {
                return Err((Reason::InexactNumber, format!("{f}")));
            }
            number_text(*f)
        }
        Data::Float(f) if ty == CellType::Money => {
            if !(f.is_finite() && (f * 100.0).abs() < EXACT_WHOLE) {
                return Err((Reason::InexactNumber, format!("{f}")));
            }
            number_text(*f)
        }
        Data::Float(f) => number_text(*f),
        Data::DateTime(dt) if dt.is_duration() => number_text(dt.as_f64()),
        Data::DateTime(dt) => datetime_text(dt),
    }))
}

/// A number as written: whole numbers without a decimal point (an id or a count typed as a
/// number), others in their shortest decimal form, which the money parser then holds to two
/// decimals.
fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < EXACT_WHOLE {
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
        let money = |f: f64| {
            cell_text(&Data::Float(f), CellType::Money)
                .unwrap()
                .unwrap()
        };
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
            cell_text(&Data::Float(43646.0), CellType::Date)
                .unwrap()
                .unwrap(),
            "2019-06-30"
        );
        assert_eq!(
            cell_text(&Data::Int(43646), CellType::Date)
                .unwrap()
                .unwrap(),
            "2019-06-30"
        );
        let dt = Data::DateTime(ExcelDateTime::new(
            43646.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(
            cell_text(&dt, CellType::Date).unwrap().unwrap(),
            "2019-06-30"
        );
        assert!(parses("2019-06-30").is_some());
        let noon = Data::DateTime(ExcelDateTime::new(
            43646.5,
            ExcelDateTimeType::DateTime,
            false,
        ));
        let text = cell_text(&noon, CellType::Date).unwrap().unwrap();
        assert_eq!(text, "2019-06-30 12:00:00");
        assert_eq!(parses(&text), None);
        assert_eq!(
            cell_text(&Data::Float(43646.25), CellType::Date)
                .unwrap()
                .unwrap(),
            "43646.25"
        );
        // In a text column a number is its digits: an id typed as a number keeps them.
        assert_eq!(
            cell_text(&Data::Float(12345.0), CellType::Text)
                .unwrap()
                .unwrap(),
            "12345"
        );
        assert_eq!(cell_text(&Data::Empty, CellType::Text), Ok(None));
        assert_eq!(
            cell_text(&Data::Bool(true), CellType::Bool)
                .unwrap()
                .unwrap(),
            "true"
        );
    }

    #[test]
    fn numbers_that_cannot_be_exact_are_refused_with_their_own_reason() {
        let read = |f: f64, ty| cell_text(&Data::Float(f), ty);
        // 2^53 - 1 is the largest whole number below 2^53: kept; 2^53 and beyond refused.
        assert_eq!(
            read(9_007_199_254_740_991.0, CellType::Text),
            Ok(Some("9007199254740991".into()))
        );
        assert_eq!(
            read(9_007_199_254_740_992.0, CellType::Text),
            Err((Reason::InexactNumber, "9007199254740992".into()))
        );
        // 12345678901234567 as a double is 12345678901234568: an id that exists nowhere.
        assert_eq!(
            read(12_345_678_901_234_567.0, CellType::Text),
            Err((Reason::InexactNumber, "12345678901234568".into()))
        );
        // A fraction in an id or an integer column.
        assert_eq!(
            read(1.5, CellType::Integer),
            Err((Reason::InexactNumber, "1.5".into()))
        );
        assert_eq!(
            read(1.5, CellType::Text).unwrap_err().0,
            Reason::InexactNumber
        );
        assert_eq!(read(30.0, CellType::Integer), Ok(Some("30".into())));
        // Money: fen below 2^53 kept, beyond refused.
        assert_eq!(
            read(90_071_992_547_409.0, CellType::Money),
            Ok(Some("90071992547409".into()))
        );
        assert_eq!(
            read(90_071_992_547_410.0, CellType::Money).unwrap_err().0,
            Reason::InexactNumber
        );
        assert_eq!(
            cell_text(&Data::Error(calamine::CellErrorType::Div0), CellType::Bool),
            Err((Reason::FormulaError, "#DIV/0!".into()))
        );
    }
}
