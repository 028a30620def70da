//! The properties the fuzz targets check (fuzz/fuzz_targets/*), as functions of the library so
//! that the ordinary tests replay the kept corpus (fuzz/corpus/<target>/) through the very same
//! code. Each function panics when a property fails; a panic is what the fuzzer reports. The
//! module exists only in test builds and fuzz builds (`--cfg fuzzing`, set by cargo-fuzz): the
//! binary users run has none of these assertions.

use std::io::Read;

use crate::domain::date::Date;
use crate::domain::money;
use crate::input::csv::{Decoded, Reader, Record};

/// The CSV reader on arbitrary bytes: never a panic; where it reads the input to the end, every
/// record and field equals rust-csv's; physical lines never decrease; the GB18030 path too.
pub fn csv_reader(data: &[u8]) {
    let mut ours = Reader::new(data);
    let mut rec = Record::default();
    let mut theirs = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut want = ::csv::ByteRecord::new();
    let mut last_line = 0;
    // An unclosed quote or a NUL byte ends the comparison: rust-csv has no such errors.
    while let Ok(more) = ours.read(&mut rec) {
        let theirs_more = theirs.read_byte_record(&mut want).unwrap_or(false);
        assert_eq!(more, theirs_more, "record count differs from rust-csv");
        if !more {
            break;
        }
        assert!(rec.line >= last_line && rec.line >= 1, "lines go backwards");
        last_line = rec.line;
        assert_eq!(rec.len(), want.len(), "field count differs from rust-csv");
        for (a, b) in rec.iter().zip(want.iter()) {
            assert_eq!(a, b, "a field differs from rust-csv");
        }
    }
    // The streaming GB18030 decoder: decodes or refuses, never panics, and agrees with
    // decoding the whole input at once.
    let mut text = String::new();
    let streamed = Decoded::gb18030(data).read_to_string(&mut text).is_ok();
    let whole = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(data);
    assert_eq!(streamed, whole.is_some(), "GB18030 streaming disagrees");
    if let Some(w) = whole {
        assert_eq!(text, w, "GB18030 streaming decodes differently");
    }
}

/// Money text: whatever parses is exactly the decimal it reads as (checked against
/// rust_decimal), formats back to itself, and nothing with three decimals is accepted.
pub fn money_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(fen) = money::parse_fen(text) else {
        return;
    };
    assert_eq!(money::parse_fen(&money::format_fen(fen)), Some(fen));
    let plain: String = text.chars().filter(|c| *c != ',').collect();
    let parsed = plain.parse::<rust_decimal::Decimal>();
    assert!(parsed.is_ok(), "accepted money is not a decimal: {text:?}");
    let Ok(d) = parsed else { return };
    assert!(d.scale() <= 2, "more than two decimals accepted: {text:?}");
    let scaled = d * rust_decimal::Decimal::from(100);
    assert!(scaled.fract().is_zero(), "not whole fen: {text:?}");
    assert_eq!(
        rust_decimal::prelude::ToPrimitive::to_i128(&scaled),
        Some(i128::from(fen)),
        "{text:?}"
    );
    // Floats and decimals from Parquet: never a panic, and exact where they are whole fen.
    if data.len() >= 8 {
        let bits = u64::from_le_bytes(data[..8].try_into().unwrap_or([0; 8]));
        let _ = money::float_yuan_to_fen(f64::from_bits(bits));
    }
    let _ = money::decimal_to_fen(i128::from(fen), (data.len() % 40) as u32);
}

/// Dates: whatever parses is a real calendar day that prints back to the same day in each
/// format, and the calendar arithmetic never panics.
pub fn date_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(d) = Date::parse(text) else {
        return;
    };
    let shown = d.to_string();
    assert_eq!(Date::parse(&shown), Some(d));
    assert_eq!(Date::parse(&shown.replace('-', "/")), Some(d));
    assert_eq!(Date::parse(&shown.replace('-', "")), Some(d));
    let (y, m, day) = d.ymd();
    assert_eq!(Date::from_ymd(y, m, day), Some(d));
    let n = i32::from(data[0] % 120);
    let later = d.add_months(n);
    assert!(later >= d);
    assert!(d.whole_months_until(later) >= n - 1);
    let calendar = crate::domain::calendar::Calendar::official();
    let worked = calendar.add_working_days(d, u32::from(data[0] % 40));
    assert!(worked >= d && (worked == d || calendar.is_working_day(worked)));
    let end = d.month_end();
    assert!(end >= d && end.ymd().1 == m && end.add_days(1).ymd().2 == 1);
}

/// The config: any text gives a config or a one-line error, never a panic; a config that
/// reads also compares every threshold without overflow.
pub fn config_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::config::Config::from_toml(text) {
        Ok(c) => {
            let r = &c.classify;
            for t in [
                r.overdue_90_ratio,
                r.funding_gap_ratio,
                r.related_party_share,
                r.top10_borrower_share,
                r.borrower_cap_breach_share,
                r.maturity_mismatch_share,
            ] {
                let _ = t.reached_by(i64::MAX, 1);
                let _ = t.reached_by(i64::MIN, i64::MAX);
                let _ = t.reached_by(1, i64::MAX);
            }
        }
        Err(e) => assert!(!e.contains('\n'), "a config error of several lines"),
    }
}

/// An Excel workbook from arbitrary bytes: reading it never panics (a damaged file is an
/// error); every cell, read for every column type, is text, nothing, or a refusal with its own
/// reason; a number read into an id or integer column is the exact whole number the cell holds;
/// and a formula found without its result is at a cell with no value.
pub fn xlsx_workbook(data: &[u8]) {
    use crate::domain::schema::CellType;
    use crate::input::report::Reason;
    use calamine::{Data, Reader};
    let Ok(mut book) = calamine::Xlsx::new(std::io::Cursor::new(data)) else {
        return;
    };
    for sheet in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&sheet) else {
            continue;
        };
        if let Ok(unresolved) =
            crate::input::xlsx::formulas_without_value(&mut book, &sheet, &range)
        {
            for at in unresolved.keys() {
                assert!(
                    matches!(range.get_value(*at), None | Some(Data::Empty)),
                    "a formula without its result has a value"
                );
            }
        }
        for (_, _, cell) in range.used_cells() {
            for ty in [
                CellType::Text,
                CellType::Money,
                CellType::Date,
                CellType::Bool,
                CellType::Integer,
            ] {
                match crate::input::xlsx::cell_text(cell, ty) {
                    Ok(Some(text)) => {
                        if let (Data::Float(f), CellType::Text | CellType::Integer) = (cell, ty) {
                            assert_eq!(text.parse::<i64>().ok().map(|i| i as f64), Some(*f));
                        }
                    }
                    Ok(None) => assert!(matches!(cell, Data::Empty)),
                    Err((reason, shown)) => {
                        assert!(matches!(
                            reason,
                            Reason::InexactNumber | Reason::FormulaError
                        ));
                        assert!(shown.chars().count() <= 400);
                    }
                }
            }
        }
    }
}

/// A fuzz target: its name and its property.
pub type Target = (&'static str, fn(&[u8]));

/// The fuzz targets by name, for replaying a corpus folder.
pub const TARGETS: [Target; 5] = [
    ("csv_reader", csv_reader),
    ("money", money_text),
    ("date", date_text),
    ("config", config_text),
    ("xlsx", xlsx_workbook),
];

#[cfg(test)]
mod tests {
    /// Every input the fuzzers kept (fuzz/corpus/<target>/, including the regressions of what
    /// they found) through the same properties.
    #[test]
    fn replay_the_fuzz_corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let mut replayed = 0;
        for (target, check) in super::TARGETS {
            let dir = root.join(target);
            let entries =
                std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                check(&data);
                replayed += 1;
            }
        }
        assert!(replayed >= 100, "only {replayed} corpus inputs");
    }
}
