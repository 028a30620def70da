//! `winddown generate`: its output validates with zero rejects, is byte-identical for the
//! same seed, and carries the calibrated shapes.

use crate::util::{rejects, stderr, Workdir};

fn generate(w: &Workdir, out: &str, extra: &[&str]) {
    let mut args = vec!["generate", "--out", out];
    args.extend_from_slice(extra);
    let o = w.run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_small_city_validates_with_zero_rejects_and_is_reproducible() {
    let w = Workdir::new("gen");
    generate(
        &w,
        "a",
        &["--platforms", "30", "--lenders", "3000", "--seed", "7"],
    );
    generate(
        &w,
        "b",
        &["--platforms", "30", "--lenders", "3000", "--seed", "7"],
    );
    for t in ["platforms", "lenders", "investments", "loans", "recoveries"] {
        let a = std::fs::read(w.path(&format!("a/{t}.csv"))).unwrap();
        let b = std::fs::read(w.path(&format!("b/{t}.csv"))).unwrap();
        assert!(a == b, "{t} differs between two runs with the same seed");
    }
    generate(
        &w,
        "c",
        &["--platforms", "30", "--lenders", "3000", "--seed", "8"],
    );
    assert_ne!(w.read("a/investments.csv"), w.read("c/investments.csv"));

    let o = w.run(&["validate", "a", "--out", "v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // No reject; the only rows of rejects.csv are the warnings for the bank accounts the
    // generator mistypes on purpose (about 1 in 100 lenders; the lenders are kept).
    let rows = rejects(&w.read("v/rejects.csv"));
    assert!(
        rows.iter()
            .all(|r| r[3] == "bank_account" && r[5] == "invalid_bank_account"),
        "{}",
        w.read("v/rejects.csv")
    );
    assert!((10..=60).contains(&rows.len()), "{}", rows.len());
    let v: serde_json::Value = serde_json::from_str(&w.read("v/validation.json")).unwrap();
    assert_eq!(v["warnings"]["invalid_bank_account"], rows.len());
    for t in ["platforms", "lenders", "investments", "loans", "recoveries"] {
        assert_eq!(v["tables"][t]["rejected"], 0, "{t}");
    }
    assert_eq!(v["as_of"], "2019-06-30");
    assert_eq!(v["tables"]["platforms"]["accepted"], 30);
    assert_eq!(v["tables"]["lenders"]["accepted"], 3000);
    assert!(v["tables"]["investments"]["accepted"].as_u64().unwrap() > 3000);
    assert!(v["tables"]["recoveries"]["accepted"].as_u64().unwrap() > 0);
}

#[test]
fn parquet_output_validates_too() {
    let w = Workdir::new("genpq");
    generate(
        &w,
        "a",
        &[
            "--platforms",
            "12",
            "--lenders",
            "800",
            "--format",
            "parquet",
        ],
    );
    assert!(w.path("a/investments.parquet").exists());
    let o = w.run(&["validate", "a", "--strict", "--out", "v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&w.read("v/validation.json")).unwrap();
    assert_eq!(v["tables"]["lenders"]["accepted"], 800);
    assert_eq!(v["tables"]["investments"]["encoding"], "parquet");
}

#[test]
fn ticket_bands_follow_the_wdzj_calibration() {
    // Per lender × platform holding (Σ amount), share in each band: 60 / 33 / 6.5 / 0.3 %.
    let w = Workdir::new("bands");
    generate(&w, "a", &["--platforms", "40", "--lenders", "20000"]);
    let mut holding: std::collections::HashMap<(String, String), i64> = Default::default();
    let mut r = csv::Reader::from_path(w.path("a/investments.csv")).unwrap();
    for rec in r.records() {
        let rec = rec.unwrap();
        let fen = winddown::domain::money::parse_fen(&rec[5]).unwrap();
        *holding
            .entry((rec[1].to_string(), rec[2].to_string()))
            .or_default() += fen;
    }
    let n = holding.len() as f64;
    let share = |lo: i64, hi: i64| {
        holding
            .values()
            .filter(|v| **v >= lo * 100 && **v < hi * 100)
            .count() as f64
            / n
    };
    let bands = [
        share(0, 10_000),
        share(10_000, 100_000),
        share(100_000, 1_000_000),
        share(1_000_000, i64::MAX / 100),
    ];
    assert!((0.55..0.66).contains(&bands[0]), "{bands:?}");
    assert!((0.28..0.38).contains(&bands[1]), "{bands:?}");
    assert!((0.04..0.09).contains(&bands[2]), "{bands:?}");
    assert!(bands[3] < 0.01, "{bands:?}");
}
