//! A desk table as a download: CSV for Excel (UTF-8 with BOM, every text cell that would run
//! as a formula neutralised, money to the fen as text) or an .xlsx workbook (text as text cells
//! — never a formula —, money as numbers shown to the fen, the header frozen, an autofilter).
//! Every table of the desk answers `?format=csv` and `?format=xlsx` through here with every
//! matching row; the platforms table has its own columns (`pages::platforms_csv`).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::domain::money::format_fen;
use crate::domain::text::excel_safe;

/// One cell.
pub enum Value {
    Text(String),
    /// Fen.
    Money(i64),
    Int(i64),
    /// A share or a ratio (shown as is).
    Float(f64),
    Empty,
}

/// A table to download: the file's stem, the sheet's name, headers, rows.
pub struct Table {
    pub stem: &'static str,
    pub sheet: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// Headers from static names.
pub fn headers(names: &[&str]) -> Vec<String> {
    names.iter().map(|h| h.to_string()).collect()
}

/// The table as `format` (`csv` or `xlsx`); `None` for any other format (the page answers).
pub fn respond(table: &Table, format: Option<&str>) -> Option<Response> {
    match format {
        Some("csv") => Some(csv(table)),
        Some("xlsx") => Some(xlsx(table)),
        _ => None,
    }
}

fn attachment(bytes: Vec<u8>, stem: &str, ext: &str, mime: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn csv(table: &Table) -> Response {
    let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    let mut ok = w
        .write_record(table.headers.iter().map(|h| excel_safe(h).into_owned()))
        .is_ok();
    for row in &table.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Text(t) => excel_safe(t).into_owned(),
                Value::Money(fen) => format_fen(*fen),
                Value::Int(n) => n.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Empty => String::new(),
            })
            .collect();
        ok &= w.write_record(&cells).is_ok();
    }
    match (ok, w.into_inner()) {
        (true, Ok(bytes)) => attachment(bytes, table.stem, "csv", "text/csv; charset=utf-8"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "writing CSV failed").into_response(),
    }
}

fn xlsx(table: &Table) -> Response {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        // A fixed creation time: the same table gives the same bytes.
        let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
        wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let ws = wb.add_worksheet();
        ws.set_name(table.sheet)?;
        let money = Format::new().set_num_format("#,##0.00");
        for (c, h) in table.headers.iter().enumerate() {
            ws.write_string(0, c as u16, h)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Value::Text(t) => {
                        ws.write_string(r, c, t)?;
                    }
                    // The nearest double of the exact amount, shown to the fen.
                    Value::Money(fen) => {
                        ws.write_number_with_format(r, c, *fen as f64 / 100.0, &money)?;
                    }
                    Value::Int(n) => {
                        ws.write_number(r, c, *n as f64)?;
                    }
                    Value::Float(f) => {
                        ws.write_number(r, c, *f)?;
                    }
                    Value::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        if !table.headers.is_empty() {
            ws.autofilter(
                0,
                0,
                table.rows.len() as u32,
                table.headers.len() as u16 - 1,
            )?;
        }
        wb.save_to_buffer()
    };
    match build() {
        Ok(bytes) => attachment(
            bytes,
            table.stem,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
