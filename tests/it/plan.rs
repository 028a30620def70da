//! `winddown plan` and `progress`: a hand-computed plan under a capacity of two platforms per
//! stage, and the bulletin between two runs.

use polars::prelude::*;

use crate::util::{stderr, Workdir};

fn fixture(w: &Workdir, dir: &str, platforms: &str) {
    w.write(
        &format!("{dir}/platforms.csv"),
        format!("platform_id,name,district,repayment_suspended\n{platforms}"),
    );
    w.write(
        &format!("{dir}/loans.csv"),
        "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\n\
         D1,F,B1,individual,2019-07-01,100,100\n\
         D2,S,B2,individual,2019-07-01,300,300\n\
         D3,G,B3,enterprise,2019-07-01,100000,100000\n",
    );
    w.write(
        &format!("{dir}/lenders.csv"),
        "lender_id\nL10\nL9\nZ\nl1\n中\n",
    );
    w.write(
        &format!("{dir}/investments.csv"),
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n\
         I1,F,L10,2019-01-01,1000,800,300\n\
         I2,F,L9,2019-01-01,500,0,20\n\
         I3,F,l1,2019-01-01,2000,0,0\n\
         I4,F,中,2019-01-01,300,0,10.50\n\
         I5,S,中,2019-01-01,400,100,0\n\
         I6,G,中,2019-01-01,100000,0,5000\n\
         I7,F,Z,2019-01-01,1000,600,0\n",
    );
}

const RULES: &str = "[classify]\nsmall_max_outstanding = 1000\ntop10_borrower_share = \"1.01\"\n[plan]\nmax_platforms = 2\n[[plan.targets]]\nmeasure = \"platforms\"\nstage = 1\nreduction = \"0.25\"\n";

fn read(w: &Workdir, path: &str) -> DataFrame {
    ParquetReader::new(std::fs::File::open(w.path(path)).unwrap())
        .finish()
        .unwrap()
}

fn ints(df: &DataFrame, c: &str) -> Vec<i64> {
    df.column(c)
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect()
}

fn dates(df: &DataFrame, c: &str) -> Vec<String> {
    let s = df.column(c).unwrap().cast(&DataType::String).unwrap();
    s.str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect()
}

fn fen(df: &DataFrame, c: &str) -> Vec<i64> {
    let s = df
        .column(c)
        .unwrap()
        .as_materialized_series()
        .decimal()
        .unwrap()
        .physical()
        .clone();
    s.iter()
        .map(|v| i64::try_from(v.unwrap()).unwrap())
        .collect()
}

#[test]
fn a_plan_by_hand() {
    let w = Workdir::new("plan");
    fixture(
        &w,
        "data",
        "F,甲,鄂城区,true\nG,乙,鄂城区,\nS,丙,华容区,\nZ,丁,华容区,\n",
    );
    w.write("rules.toml", RULES);
    let o = w.run(&[
        "plan",
        "data",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = read(&w, "out/plan.parquet");
    let ids: Vec<&str> = p
        .column("platform_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(ids, ["F", "G", "S", "Z"]);
    // Order: zombie Z, small S, normal G, failed F; two per stage.
    assert_eq!(ints(&p, "order_rank"), [4, 3, 2, 1]);
    assert_eq!(ints(&p, "stage"), [2, 2, 1, 1]);
    assert_eq!(
        dates(&p, "start_on"),
        ["2019-10-30", "2019-10-30", "2019-07-30", "2019-07-30"]
    );
    // Zombie 3 months; small and the ≤ 1亿 others 12 months (no loan maturities known).
    assert_eq!(
        dates(&p, "complete_by"),
        ["2020-10-30", "2020-10-30", "2020-07-30", "2019-10-30"]
    );
    let actions: Vec<&str> = p
        .column("action")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(
        actions,
        [
            "orderly_disposal",
            "benign_exit_or_conversion",
            "risk_free_exit",
            "deregister"
        ]
    );
    let units = p
        .column("responsible_units")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(3)
        .unwrap();
    let units: Vec<&str> = units.str().unwrap().iter().map(Option::unwrap).collect();
    assert_eq!(units, ["地方金融监管部门", "银保监分局", "华容区人民政府"]);
    let steps = p
        .column("steps")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(3)
        .unwrap();
    assert_eq!(steps.len(), 3);

    let s = read(&w, "out/plan_stages.parquet");
    assert_eq!(ints(&s, "stage"), [0, 1, 2, 3, 4]);
    assert_eq!(
        dates(&s, "ends_on"),
        [
            "2019-07-30",
            "2019-10-30",
            "2020-01-30",
            "2020-04-30",
            "2020-07-30"
        ]
    );
    // Stage totals add up to the platforms.
    assert_eq!(ints(&s, "platforms"), [0, 2, 2, 0, 0]);
    assert_eq!(ints(&s, "platforms_remaining")[..2], [4, 3]);
    // Lenders with outstanding > 0: F 5 (L10, L9, l1, 中, Z), G 1, S 1, Z 0.
    assert_eq!(ints(&s, "lenders_remaining")[..2], [7, 7]);
    // Stage 1 end: Z done; S (2019-07-30 → 2020-07-30, 366 days) has 274 days left:
    // 30000 fen × 274 / 366 = 22459.02 → 22459; F and G start then: in full.
    assert_eq!(
        fen(&s, "outstanding_remaining")[..2],
        [10_370_000, 340_000 + 10_000_000 + 22_459]
    );
    // Platforms 3 of 4 at stage 1: exactly −25 %, the target is met.
    let met: Vec<Option<bool>> = s
        .column("targets_met")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(met[..3], [None, Some(true), None]);
    let md = w.read("out/plan.md");
    assert!(md.contains("## 1. Z 丁（华容区）"), "{md}");
    assert!(md.contains("| 公布僵尸平台名单 publish_list | 2019-07-30 |"));
}

#[test]
fn the_bulletin_between_two_runs() {
    let w = Workdir::new("progress");
    fixture(
        &w,
        "q2",
        "F,甲,鄂城区,true\nG,乙,鄂城区,\nS,丙,华容区,\nZ,丁,华容区,\n",
    );
    w.write("rules.toml", RULES);
    let o = w.run(&[
        "run",
        "q2",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--out",
        "run-q2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A quarter later: Z has exited, S has failed, N is new.
    fixture(
        &w,
        "q3",
        "F,甲,鄂城区,true\nG,乙,鄂城区,\nS,丙,华容区,true\nN,戊,鄂城区,\n",
    );
    let o = w.run(&[
        "run",
        "q3",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-10-30",
        "--out",
        "run-q3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["progress", "run-q2", "run-q3", "--out", "bulletin"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(md.contains("2019-07-30 → 2019-10-30"), "{md}");
    let j: serde_json::Value = serde_json::from_str(&w.read("bulletin/progress.json")).unwrap();
    assert_eq!(j["exited"], serde_json::json!(["Z"]));
    assert_eq!(j["appeared"], serde_json::json!(["N"]));
    assert_eq!(
        j["changed_class"],
        serde_json::json!([{"platform_id": "S", "from": "small", "to": "failed"}])
    );
    assert_eq!(j["total"]["then"]["platforms"], 4);
    assert_eq!(j["total"]["now"]["platforms"], 4);
    // The plan projected exactly the stage 1 figures for 2019-10-30.
    assert_eq!(
        j["projected"],
        serde_json::json!({"platforms": 3, "outstanding": "103624.59", "lenders": 7})
    );
    let failed = j["by_class"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "failed")
        .unwrap();
    assert_eq!(failed["then"]["platforms"], 1);
    assert_eq!(failed["now"]["platforms"], 2);
    assert_eq!(failed["change_pct"]["platforms"], 100.0);
    // A folder that is not a run: exit 2 naming it.
    let o = w.run(&["progress", "q2", "run-q3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("validation.json"), "{}", stderr(&o)); // A validation.json with a field this version does not know: refused, naming it.
    let text = w.read("run-q3/validation.json");
    w.write(
        "run-q3/validation.json",
        text.replacen("{", "{\"as_of_override\": true,", 1),
    );
    let o = w.run(&["progress", "run-q2", "run-q3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("as_of_override"), "{}", stderr(&o));
}
