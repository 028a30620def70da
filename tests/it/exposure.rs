//! `winddown exposure`: hand-computed lenders — a net winner, an excluded insider, an
//! unregistered lender, a lender on three platforms of different classes, a lender whose
//! positions on one platform net out — and ids sorted in byte order (L10 < L9 < Z < l1 < 中).

use polars::prelude::*;

use crate::util::{stderr, Workdir};

fn fixture(w: &Workdir) {
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\nF,甲,鄂城区,true\nG,乙,鄂城区,\nS,丙,华容区,\nZ,丁,华容区,\n",
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\n\
         D1,F,B1,individual,2019-07-01,100,100\n\
         D2,S,B2,individual,2019-07-01,300,300\n\
         D3,G,B3,enterprise,2019-07-01,100000,100000\n",
    );
    // W = L10 (net winner), X = L9 (excluded), N = Z (nets out), U = l1 (unregistered), T = 中.
    w.write(
        "data/lenders.csv",
        "lender_id,district,registered,excluded\nL10,鄂城区,,\nL9,鄂城区,,yes\nZ,,,\nl1,,no,\n中,华容区,,\n",
    );
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n\
         I1,F,L10,2019-01-01,1000,800,300\n\
         I2,F,L9,2019-01-01,500,0,20\n\
         I3,F,l1,2019-01-01,2000,0,0\n\
         I4,F,中,2019-01-01,300,0,10.50\n\
         I5,S,中,2019-01-01,400,100,0\n\
         I6,G,中,2019-01-01,100000,0,5000\n\
         I7,F,Z,2019-01-01,1000,600,0\n\
         I8,F,Z,2019-02-01,500,0,900\n",
    );
    w.write(
        "rules.toml",
        "[classify]\nsmall_max_outstanding = 1000\ntop10_borrower_share = \"1.01\"\n",
    );
}

fn read(w: &Workdir, name: &str) -> DataFrame {
    ParquetReader::new(std::fs::File::open(w.path(&format!("out/{name}"))).unwrap())
        .finish()
        .unwrap()
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

fn fen(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
    let col = df.column(c).unwrap();
    assert_eq!(col.dtype(), &DataType::Decimal(18, 2), "{c}");
    let s = col
        .as_materialized_series()
        .decimal()
        .unwrap()
        .physical()
        .clone();
    s.iter()
        .map(|v| v.map(|v| i64::try_from(v).unwrap()))
        .collect()
}

fn ints(df: &DataFrame, c: &str) -> Vec<i64> {
    df.column(c)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect()
}

fn f64s(df: &DataFrame, c: &str) -> Vec<Option<f64>> {
    df.column(c).unwrap().f64().unwrap().iter().collect()
}

#[test]
fn hand_computed_claims_lenders_districts_and_rollups() {
    let w = Workdir::new("exposure");
    fixture(&w);
    let o = w.run(&[
        "exposure",
        "data",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "0 名出借人涉及两个及以上出险平台 lender(s) hold positions on two or more failed platforms"
        ),
        "{}",
        stderr(&o)
    );

    let claims = read(&w, "claims.parquet");
    let key: Vec<(String, String)> = text(&claims, "platform_id")
        .into_iter()
        .zip(text(&claims, "lender_id"))
        .map(|(p, l)| (p.unwrap(), l.unwrap()))
        .collect();
    let want: Vec<(String, String)> = [
        ("F", "L10"),
        ("F", "L9"),
        ("F", "Z"),
        ("F", "l1"),
        ("F", "中"),
        ("G", "中"),
        ("S", "中"),
    ]
    .iter()
    .map(|(p, l)| (p.to_string(), l.to_string()))
    .collect();
    assert_eq!(key, want);
    // Failed F is net of returns: L10 200 owed − 300 received → claim 0, net winner 100;
    // L9 500 − 20 = 480 excluded; Z (1500 − 600) − 900 = 0 exactly, no winner;
    // l1 2000 reserved; 中 300 − 10.50 = 289.50. G and S: outstanding principal.
    assert_eq!(
        fen(&claims, "claim"),
        [0, 48_000, 0, 200_000, 28_950, 10_000_000, 30_000]
            .map(Some)
            .to_vec()
    );
    assert_eq!(
        fen(&claims, "net_winner_amount"),
        [10_000, 0, 0, 0, 0, 0, 0].map(Some).to_vec()
    );
    assert_eq!(fen(&claims, "outstanding")[2], Some(90_000));
    assert_eq!(fen(&claims, "invested")[2], Some(150_000));
    let status: Vec<String> = text(&claims, "status")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(
        status,
        ["eligible", "excluded", "eligible", "reserved", "eligible", "eligible", "eligible"]
    );
    let basis: Vec<String> = text(&claims, "basis")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(basis[0], "net_of_returns");
    assert_eq!(basis[5], "outstanding_principal");

    let lenders = read(&w, "lenders.parquet");
    let ids: Vec<String> = text(&lenders, "lender_id")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(ids, ["L10", "L9", "Z", "l1", "中"]);
    assert_eq!(ints(&lenders, "platforms"), [1, 1, 1, 1, 3]);
    assert_eq!(ints(&lenders, "failed_platforms"), [1, 1, 1, 1, 1]);
    assert_eq!(
        fen(&lenders, "total_claim"),
        [0, 48_000, 0, 200_000, 10_058_950].map(Some).to_vec()
    );
    assert_eq!(text(&lenders, "district")[2], None);

    let districts = read(&w, "districts.parquet");
    let rows: Vec<(Option<String>, String, i64, Option<i64>)> = text(&districts, "district")
        .into_iter()
        .zip(text(&districts, "class"))
        .zip(ints(&districts, "lenders"))
        .zip(fen(&districts, "claims"))
        .map(|(((d, c), l), m)| (d, c.unwrap(), l, m))
        .collect();
    assert_eq!(
        rows,
        vec![
            (None, "failed".to_string(), 1, Some(200_000)),
            (
                Some("华容区".to_string()),
                "failed".to_string(),
                1,
                Some(28_950)
            ),
            (
                Some("华容区".to_string()),
                "normal".to_string(),
                1,
                Some(10_000_000)
            ),
            (
                Some("华容区".to_string()),
                "small".to_string(),
                1,
                Some(30_000)
            ),
            (
                Some("鄂城区".to_string()),
                "failed".to_string(),
                1,
                Some(48_000)
            ),
        ]
    );

    let p = read(&w, "platforms.parquet");
    let ids: Vec<String> = text(&p, "platform_id")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(ids, ["F", "G", "S", "Z"]);
    let class: Vec<String> = text(&p, "class").into_iter().map(Option::unwrap).collect();
    assert_eq!(class, ["failed", "normal", "small", "zombie"]);
    // F: total 0 + 480 + 0 + 2000 + 289.50 = 2769.50; pool without the excluded 480.
    assert_eq!(
        fen(&p, "total_claim"),
        [276_950, 10_000_000, 30_000, 0].map(Some).to_vec()
    );
    assert_eq!(
        fen(&p, "pool_claim"),
        [228_950, 10_000_000, 30_000, 0].map(Some).to_vec()
    );
    assert_eq!(ints(&p, "claim_lenders"), [3, 1, 1, 0]);
    assert_eq!(ints(&p, "band_0_1w_lenders"), [3, 0, 1, 0]);
    assert_eq!(
        fen(&p, "band_0_1w_claim"),
        [276_950, 0, 30_000, 0].map(Some).to_vec()
    );
    // 100,000 yuan is 10万: the lower bound of band_10w_50w is included.
    assert_eq!(ints(&p, "band_5w_10w_lenders"), [0, 0, 0, 0]);
    assert_eq!(ints(&p, "band_10w_50w_lenders"), [0, 1, 0, 0]);
    assert_eq!(
        fen(&p, "claim_median"),
        [Some(48_000), Some(10_000_000), Some(30_000), None]
    );
    assert_eq!(ints(&p, "net_winners"), [1, 0, 0, 0]);
    assert_eq!(
        fen(&p, "net_winner_total"),
        [10_000, 0, 0, 0].map(Some).to_vec()
    );
    let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-12;
    let top1 = f64s(&p, "top1_lender_share");
    assert!(close(top1[0], 2000.0 / 2769.5));
    assert!(close(top1[3], 0.0));
    assert!(close(f64s(&p, "top10_lender_share")[0], 1.0));
    let hhi = (480f64.powi(2) + 2000f64.powi(2) + 289.5f64.powi(2)) / 2769.5f64.powi(2);
    assert!(close(f64s(&p, "claim_hhi")[0], hhi));
    assert!(close(f64s(&p, "claim_hhi")[3], 0.0));
    // Expected recovery of F: 100 × 0.95 = 95 → 95 / 2769.50; Z has no claim: null.
    let epr = f64s(&p, "expected_payout_ratio");
    assert!(close(epr[0], 95.0 / 2769.5));
    assert_eq!(epr[3], None);

    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["reconciliation"]["mismatches"], 0);
    assert_eq!(v["reconciliation"]["outstanding_total"], "104200.00");
}

#[test]
fn the_basis_per_class_comes_from_the_config() {
    let w = Workdir::new("exposure-basis");
    fixture(&w);
    w.write(
        "rules.toml",
        "[classify]\nsmall_max_outstanding = 1000\ntop10_borrower_share = \"1.01\"\n[claims]\nfailed = \"outstanding_principal\"\n",
    );
    let o = w.run(&[
        "exposure",
        "data",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let claims = read(&w, "claims.parquet");
    // Contract basis: the net winner is owed its 200 and is no net winner.
    assert_eq!(fen(&claims, "claim")[0], Some(20_000));
    assert_eq!(fen(&claims, "net_winner_amount")[0], Some(0));
}

/// Positions at and beyond 32 bits of fen (42,949,672.95 yuan), which are kept whole rather
/// than narrow (input::data::PositionSums): the claims say them to the fen.
#[test]
fn positions_beyond_32_bits_of_fen_are_exact() {
    let w = Workdir::new("exposure-wide");
    fixture(&w);
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n\
         I1,G,L10,2019-01-01,42949672.94,0,42949672.94\n\
         I2,G,Z,2019-01-01,42949672.95,0,0.01\n\
         I3,G,l1,2019-01-01,60000000.00,0,0\n\
         I4,G,l1,2019-02-01,40000000.00,1.00,0\n\
         I5,S,中,2019-01-01,400,100,0\n",
    );
    let o = w.run(&[
        "exposure",
        "data",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let claims = read(&w, "claims.parquet");
    assert_eq!(
        text(&claims, "lender_id"),
        ["L10", "Z", "l1", "中"]
            .map(|l| Some(l.to_string()))
            .to_vec()
    );
    assert_eq!(
        fen(&claims, "invested"),
        [4_294_967_294, 4_294_967_295, 10_000_000_000, 40_000]
            .map(Some)
            .to_vec()
    );
    assert_eq!(
        fen(&claims, "returns_received"),
        [4_294_967_294, 1, 0, 0].map(Some).to_vec()
    );
    // G is not failed: the claim is the outstanding principal.
    assert_eq!(
        fen(&claims, "claim"),
        [4_294_967_294, 4_294_967_295, 9_999_999_900, 30_000]
            .map(Some)
            .to_vec()
    );
}
