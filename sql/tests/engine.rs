//! The engine as winddown starts it: tables by name, one SELECT, the answer as JSON on stdout
//! with every value as exact text; a refusal as one line on stderr and exit 2.

use std::path::PathBuf;
use std::process::Command;

use polars::prelude::*;

/// A folder of its own with `t.parquet`: ids, Decimal(18,2) money, a date, a null, text.
fn table(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("winddown-sql-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let money = Series::new("amount".into(), ["123.45", "0.05", "-1.00"])
        .cast(&DataType::Decimal(18, 2))
        .unwrap();
    let mut df = DataFrame::new(
        3,
        vec![
            Column::new("id".into(), ["A", "B", "C"]),
            money.into(),
            Column::new("on".into(), [Some(18_000i32), None, Some(0)])
                .cast(&DataType::Date)
                .unwrap(),
            Column::new("note".into(), ["甲", "=1+1", "a\"b"]),
        ],
    )
    .unwrap();
    let file = std::fs::File::create(dir.join("t.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    dir
}

fn engine(dir: &std::path::Path, args: &[&str], sql: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_winddown-sql"))
        .arg("--table")
        .arg(format!("t={}", dir.join("t.parquet").display()))
        .args(args)
        .arg("--")
        .arg(sql)
        .output()
        .unwrap()
}

#[test]
fn a_select_is_answered_as_exact_text() {
    let dir = table("answer");
    let o = engine(
        &dir,
        &[],
        "SELECT id, amount, \"on\", note FROM t ORDER BY id",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["columns"],
        serde_json::json!(["id", "amount", "on", "note"])
    );
    assert_eq!(
        v["rows"],
        serde_json::json!([
            ["A", "123.45", "2019-04-14", "甲"],
            ["B", "0.05", null, "=1+1"],
            ["C", "-1.00", "1970-01-01", "a\"b"]
        ])
    );
    assert_eq!(v["truncated"], false);
    // Sums of money stay exact; the row limit says when rows were left out.
    let o = engine(&dir, &[], "SELECT sum(amount) AS s FROM t");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"][0][0], "122.50");
    let o = engine(&dir, &["--max-rows", "2"], "SELECT id FROM t ORDER BY id");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rows"], serde_json::json!([["A"], ["B"]]));
    assert_eq!(v["truncated"], true);
    let o = engine(&dir, &["--max-rows", "3"], "SELECT id FROM t");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["truncated"], false);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn anything_else_is_refused_in_one_line() {
    let dir = table("refused");
    let outside = dir.join("t.parquet").display().to_string();
    for sql in [
        format!("SELECT * FROM read_parquet('{outside}')"),
        format!("SELECT * FROM '{outside}'"),
        "SELECT * FROM other".to_string(),
        "COPY t TO '/tmp/winddown-sql-copy.csv'".to_string(),
        "SELECT 1; SELECT 2".to_string(),
        "SELECT no_such_column FROM t".to_string(),
    ] {
        let o = engine(&dir, &[], &sql);
        assert_eq!(o.status.code(), Some(2), "{sql}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("query: "), "{sql}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{sql}: {err}");
        assert!(o.stdout.is_empty(), "{sql}");
    }
    assert!(!std::path::Path::new("/tmp/winddown-sql-copy.csv").exists());
    // A bad command line: exit 2 and the usage.
    let o = Command::new(env!("CARGO_BIN_EXE_winddown-sql"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("usage: winddown-sql"));
    let _ = std::fs::remove_dir_all(dir);
}
