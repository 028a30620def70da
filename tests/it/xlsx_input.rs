//! Excel workbooks as input: a workbook of text cells gives the same data files as the CSV;
//! typed cells follow the strict money and date rules; rejects name the sheet and Excel row.

use crate::util::{stderr, Workdir};

fn city() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/city")
        .to_string_lossy()
        .into_owned()
}

/// Write a CSV table into a sheet: every cell as text, or typed where `typed` says.
fn sheet_from_csv(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    csv_text: &str,
    typed: &dyn Fn(&str, &str) -> Option<f64>,
) {
    let ws = book.add_worksheet();
    ws.set_name(name).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let mut header = Vec::new();
    for (r, rec) in reader.records().enumerate() {
        let rec = rec.unwrap();
        if r == 0 {
            header = rec.iter().map(str::to_string).collect();
        }
        for (c, cell) in rec.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            match (r > 0).then(|| typed(&header[c], cell)).flatten() {
                Some(v) => ws.write_number(r as u32, c as u16, v).unwrap(),
                None => ws.write_string(r as u32, c as u16, cell).unwrap(),
            };
        }
    }
}

const TABLES: [&str; 5] = ["platforms", "lenders", "investments", "loans", "recoveries"];

#[test]
fn an_excel_workbook_is_a_third_input_format() {
    let w = Workdir::new("xlsx-input");
    // The city as one workbook of text cells, a sheet per table: the same data files as the CSV.
    let mut book = rust_xlsxwriter::Workbook::new();
    for t in TABLES {
        let text = std::fs::read_to_string(format!("{}/{t}.csv", city())).unwrap();
        sheet_from_csv(&mut book, t, &text, &|_, _| None);
    }
    std::fs::create_dir_all(w.path("book")).unwrap();
    book.save(w.path("book/city.xlsx")).unwrap();
    let o = w.run(&["run", "book", "--out", "from-xlsx"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["run", &city(), "--out", "from-csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in [
        "platforms.parquet",
        "claims.parquet",
        "lenders.parquet",
        "plan.parquet",
        "payouts.parquet",
        "payout_rounds.parquet",
    ] {
        assert_eq!(
            std::fs::read(w.path(&format!("from-xlsx/{f}"))).unwrap(),
            std::fs::read(w.path(&format!("from-csv/{f}"))).unwrap(),
            "{f}"
        );
    }
    let v: serde_json::Value = serde_json::from_str(&w.read("from-xlsx/validation.json")).unwrap();
    assert_eq!(v["tables"]["investments"]["file"], "city.xlsx!investments");
    assert_eq!(v["tables"]["investments"]["encoding"], "xlsx");

    // Typed cells, one table per file: money and dates as Excel numbers. 1.005 yuan and
    // 0.1 + 0.2 are not whole fen: refused (bad_money), naming the sheet and the Excel row;
    // a date with a time of day is not a date.
    std::fs::create_dir_all(w.path("typed")).unwrap();
    for t in TABLES {
        let text = std::fs::read_to_string(format!("{}/{t}.csv", city())).unwrap();
        let mut book = rust_xlsxwriter::Workbook::new();
        let typed = |header: &str, cell: &str| -> Option<f64> {
            match header {
                "amount" | "principal" | "outstanding_principal" => cell.parse().ok(),
                "invested_on" | "matures_on" | "originated_on" | "received_on" => {
                    let d = winddown::domain::date::Date::parse(cell)?;
                    Some(f64::from(d.0 + 25_569))
                }
                _ => None,
            }
        };
        sheet_from_csv(&mut book, "Sheet1", &text, &typed);
        book.save(w.path(&format!("typed/{t}.xlsx"))).unwrap();
    }
    let o = w.run(&["run", "typed", "--out", "from-typed"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["platforms.parquet", "claims.parquet", "payouts.parquet"] {
        assert_eq!(
            std::fs::read(w.path(&format!("from-typed/{f}"))).unwrap(),
            std::fs::read(w.path(&format!("from-csv/{f}"))).unwrap(),
            "{f}"
        );
    }
    // Break three cells of the investments sheet: Excel rows 2, 3 and 4.
    let text = std::fs::read_to_string(format!("{}/investments.csv", city())).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    sheet_from_csv(&mut book, "investments", &text, &|_, _| None);
    let ws = book.worksheet_from_name("investments").unwrap();
    ws.write_number(1, 5, 1.005).unwrap(); // amount
    ws.write_number(2, 5, 0.1 + 0.2).unwrap();
    ws.write_number(3, 4, 43_646.5).unwrap(); // invested_on: 2019-06-30 12:00
    book.save(w.path("typed/investments.xlsx")).unwrap();
    let o = w.run(&["validate", "typed", "--out", "v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rejects = w.read("v/rejects.csv");
    assert!(
        rejects.contains("investments,investments.xlsx!investments,2,amount,1.005,bad_money"),
        "{rejects}"
    );
    assert!(
        rejects.contains(
            "investments,investments.xlsx!investments,3,amount,0.30000000000000004,bad_money"
        ),
        "{rejects}"
    );
    assert!(
        rejects.contains("investments,investments.xlsx!investments,4,invested_on,43646.5,bad_date"),
        "{rejects}"
    );
    // The same table as CSV and as a workbook: refused, naming both.
    std::fs::copy(format!("{}/loans.csv", city()), w.path("typed/loans.csv")).unwrap();
    let o = w.run(&["validate", "typed"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("loans.csv and loans.xlsx!Sheet1"),
        "{}",
        stderr(&o)
    );
}
