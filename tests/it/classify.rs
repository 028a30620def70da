//! `winddown classify`: hand-computed metrics and classes for a small fixture, read back
//! from platforms.parquet.

use polars::prelude::*;

use crate::util::{stderr, Workdir};

const CONFIG: &str = "\
[classify]
small_max_outstanding = 1000
# With a handful of borrowers the top 10 are everyone: keep that indicator out of the way.
top10_borrower_share = \"1.01\"
";

fn fixture(w: &Workdir) {
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended,cooperating,reporting\n\
         A,甲,鄂城区,,,\n\
         F,丙,华容区,true,false,\n\
         G,丁,华容区,,,\n\
         H,戊,梁子湖区,,,\n\
         N,己,鄂城区,,,false\n\
         S,庚,鄂城区,,,\n\
         Z,乙,鄂城区,,,\n",
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,related_party,originated_on,principal,outstanding_principal,matures_on,days_past_due,collateral_value\n\
         D1,A,B1,individual,,2019-01-31,100000,90000,2020-01-31,0,\n\
         D2,A,B2,individual,,2018-06-01,20000,10000.02,2019-06-01,100,\n\
         D3,A,B2,individual,,2018-06-01,20000,10000.06,2019-06-01,95,\n\
         D4,A,E1,enterprise,,2018-01-01,1000000.01,1000000.01,2019-12-31,0,\n\
         D6,A,C1,individual,,2018-09-01,300000,200000,2019-09-01,45,300000\n\
         D7,Z,B7,individual,,2019-01-30,500,500,,0,\n\
         D8,F,B8,individual,true,2019-07-30,500,500,,0,\n\
         D9,S,B9,individual,,2019-07-01,999.99,999.99,,0,\n\
         D10,H,B10,individual,,2019-07-01,900,900,,0,\n\
         D11,H,B11,individual,,2019-07-01,100,100,,91,\n\
         D12,G,B12,individual,,2019-07-01,1500,1500,,0,\n",
    );
    w.write("data/lenders.csv", "lender_id\nL1\nL2\nL3\nL4\n");
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,loan_id,invested_on,amount,principal_returned,returns_received,matures_on\n\
         I1,A,L1,D1,2019-01-31,100000,0,0,2020-01-31\n\
         I2,A,L2,D4,2018-01-01,50000,10000,0,2018-12-31\n\
         I3,A,L2,,2018-01-01,30000,30000,0,\n\
         I4,A,L3,D2,2018-06-01,1000000,0,0,\n\
         I5,S,L4,D9,2019-07-01,999.99,0,0,\n\
         I6,H,L4,D10,2019-07-01,1000,0,0,\n\
         I7,G,L1,D12,2019-07-01,1500,0,0,\n",
    );
}

fn run(w: &Workdir) -> DataFrame {
    fixture(w);
    w.write("rules.toml", CONFIG);
    let o = w.run(&[
        "classify",
        "data",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let f = std::fs::File::open(w.path("out/platforms.parquet")).unwrap();
    ParquetReader::new(f).finish().unwrap()
}

fn text(df: &DataFrame, c: &str) -> Vec<Option<String>> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

/// A Decimal(18,2) column as fen.
fn fen(df: &DataFrame, c: &str) -> Vec<i64> {
    let col = df.column(c).unwrap();
    assert_eq!(col.dtype(), &DataType::Decimal(18, 2), "{c}");
    let s = col
        .as_materialized_series()
        .decimal()
        .unwrap()
        .physical()
        .clone();
    s.iter()
        .map(|v| i64::try_from(v.unwrap()).unwrap())
        .collect()
}

fn ints(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
    df.column(c).unwrap().i64().unwrap().iter().collect()
}

fn floats(df: &DataFrame, c: &str) -> Vec<f64> {
    df.column(c)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect()
}

#[test]
fn hand_computed_metrics_and_classes() {
    let w = Workdir::new("classify");
    let df = run(&w);
    // Sorted by platform_id.
    let ids: Vec<String> = text(&df, "platform_id")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(ids, ["A", "F", "G", "H", "N", "S", "Z"]);
    let class: Vec<String> = text(&df, "class").into_iter().map(Option::unwrap).collect();
    assert_eq!(
        class,
        [
            "high_risk",
            "failed",
            "normal",
            "high_risk",
            "zombie",
            "small",
            "zombie"
        ]
    );
    assert_eq!(text(&df, "subclass")[1].as_deref(), Some("hostile"));
    assert_eq!(text(&df, "subclass")[0], None);
    assert_eq!(text(&df, "class_zh")[4].as_deref(), Some("僵尸类"));

    // Platform A, by hand:
    // loans 90000 + 10000.02 + 10000.06 + 1000000.01 + 200000 = 1,310,000.09
    // overdue (dpd > 0): 10000.02 + 10000.06 + 200000 = 220,000.08; > 90 days: 20,000.08
    // expected recovery: 90000×0.95 = 85500; 1000002 fen×0.25 = 250000.5 → 250000 (tie, even);
    //   1000006 fen×0.25 = 250001.5 → 250002 (tie, even); 100000001 fen×0.95 = 95000000.95 → 95000001;
    //   min(200000, 200000×0.5 + 300000×0.5) = 200000 → total 124,050,003 fen.
    // lenders: 100000 + (50000 − 10000) + 0 + 1000000 = 1,140,000; 3 lenders, all current.
    // mismatch: I2 (40000) matures before D4; I1 (100000) on D1's day: 40000 / 140000.
    // cap breach: E1 1,000,000.01 > 1,000,000; C1 exactly 200,000 is not above its cap.
    assert_eq!(fen(&df, "loan_outstanding")[0], 131_000_009);
    assert_eq!(fen(&df, "overdue_amount")[0], 22_000_008);
    assert_eq!(fen(&df, "overdue_90_amount")[0], 2_000_008);
    assert_eq!(
        fen(&df, "expected_recovery")[0],
        8_550_000 + 250_000 + 250_002 + 95_000_001 + 20_000_000
    );
    assert_eq!(fen(&df, "lender_outstanding")[0], 114_000_000);
    assert_eq!(fen(&df, "funding_gap")[0], 114_000_000 - 131_000_009);
    assert_eq!(ints(&df, "lenders_total")[0], Some(3));
    assert_eq!(ints(&df, "lenders_current")[0], Some(3));
    assert_eq!(ints(&df, "borrowers_current")[0], Some(4));
    assert_eq!(ints(&df, "months_since_new_loan")[0], Some(5)); // 31 Jan → 30 Jul
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    assert!(close(
        floats(&df, "maturity_mismatch_share")[0],
        40_000.0 / 140_000.0
    ));
    assert!(close(
        floats(&df, "borrower_cap_breach_share")[0],
        100_000_001.0 / 131_000_009.0
    ));
    assert!(close(
        floats(&df, "top1_borrower_share")[0],
        100_000_001.0 / 131_000_009.0
    ));
    assert!(close(
        floats(&df, "overdue_90_ratio")[0],
        2_000_008.0 / 131_000_009.0
    ));
    assert!(close(
        floats(&df, "funding_gap_ratio")[0],
        (114_000_000.0 - 131_000_009.0) / 114_000_000.0
    ));
    assert_eq!(
        text(&df, "reason_en")[0].as_deref(),
        Some("high_risk: borrowers above cap 76.3% ≥ 10%; maturity mismatch 28.6% ≥ 20%")
    );

    // F: failed, hostile (suspended, not cooperating); related party share 1.0 recorded anyway.
    assert_eq!(
        text(&df, "reason_zh")[1].as_deref(),
        Some("已出险：兑付困难（恶性退出）")
    );
    assert!(close(floats(&df, "related_party_share")[1], 1.0));
    // H: overdue > 90 days exactly 10 %: fires; 1000 yuan is not below the 1000 small line.
    assert_eq!(
        text(&df, "reason_en")[3].as_deref(),
        Some("high_risk: overdue > 90 days 10% ≥ 10%")
    );
    assert_eq!(fen(&df, "expected_recovery")[3], 85_500 + 2_500);
    // N: no loans at all: zombie with null months; not reporting: referred.
    assert_eq!(ints(&df, "months_since_new_loan")[4], None);
    assert_eq!(
        text(&df, "reason_en")[4].as_deref(),
        Some("zombie: no loans on record")
    );
    let refer: Vec<bool> = df
        .column("refer_to_illegal_fundraising_unit")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(refer, [false, false, false, false, true, false, false]);
    assert_eq!(fen(&df, "lender_outstanding")[4], 0);
    assert!(close(floats(&df, "overdue_90_ratio")[4], 0.0));
    // Z: 30 Jan → 30 Jul is 6 whole months.
    assert_eq!(ints(&df, "months_since_new_loan")[6], Some(6));

    // Every platform records every rule.
    let reasons = df.column("reasons").unwrap().list().unwrap().clone();
    for i in 0..df.height() {
        assert_eq!(reasons.get_as_series(i).unwrap().len(), 13);
    }
}

#[test]
fn reruns_are_byte_identical() {
    let w = Workdir::new("classify-rerun");
    run(&w);
    let first = std::fs::read(w.path("out/platforms.parquet")).unwrap();
    let o = w.run(&[
        "classify",
        "data",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(first == std::fs::read(w.path("out/platforms.parquet")).unwrap());
}

#[test]
fn rules_print_defaults_reads_back() {
    let w = Workdir::new("rules");
    let o = w.run(&["rules", "--print-defaults"]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("overdue_90_ratio = \"0.10\""));
    assert!(text.contains("逾期"));
    w.write("defaults.toml", &text);
    fixture(&w);
    let o = w.run(&[
        "classify",
        "data",
        "--config",
        "defaults.toml",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    w.write("typo.toml", "[classify]\nzombie_month = 6\n");
    let o = w.run(&["classify", "data", "--config", "typo.toml", "--out", "out2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("zombie_month"), "{}", stderr(&o));
}
