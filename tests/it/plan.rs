//! `winddown plan` and `progress`: a hand-computed plan under a capacity of two platforms per
//! stage, and the bulletin between two runs.

use polars::prelude::*;

use crate::util::{fen, read_parquet as read};
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
        ["2019-10-31", "2019-10-31", "2019-07-30", "2019-07-30"]
    );
    // Stage 2 starts where stage 1 ends, on the month end (31 October, not the 30th).
    // Zombie 3 months; small and the ≤ 1亿 others 12 months (no loan maturities known);
    // 31 October 2020 is a Saturday, so F and G complete on Monday 2 November.
    assert_eq!(
        dates(&p, "complete_by"),
        ["2020-11-02", "2020-11-02", "2020-07-30", "2019-10-30"]
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
            "2019-10-31",
            "2020-01-31",
            "2020-04-30",
            "2020-07-31"
        ]
    );
    // Stage totals add up to the platforms.
    assert_eq!(ints(&s, "platforms"), [0, 2, 2, 0, 0]);
    assert_eq!(ints(&s, "platforms_remaining")[..2], [4, 3]);
    // Lenders with outstanding > 0: F 5 (L10, L9, l1, 中, Z), G 1, S 1, Z 0.
    assert_eq!(ints(&s, "lenders_remaining")[..2], [7, 7]);
    // Stage 1 ends on the month end 2019-10-31: Z done; S (2019-07-30 → 2020-07-30, 366
    // days) has 273 days left: 30000 fen × 273 / 366 = 22377.05 → 22377; F and G start then:
    // in full.
    assert_eq!(
        fen(&s, "outstanding_remaining")[..2],
        [10_370_000, 340_000 + 10_000_000 + 22_377]
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
    // The plan's projection for 2019-10-30, one day before stage 1 ends (2019-10-31):
    // outstanding 10,370,000 fen at the start, 10,362,377 at the stage end, 1 day of 93 left:
    // 10,362,377 + 7,623 × 1 / 93 = 10,362,459 fen.
    assert_eq!(
        j["projected"],
        serde_json::json!({"platforms": 3, "outstanding": "103624.59", "lenders": 7})
    );
    // Four platforms remain where the plan had three: behind.
    assert_eq!(j["standing"]["platforms"], "behind");
    assert!(
        md.contains("| 平台 platforms | 3 | 4 | +1 | 落后 behind |"),
        "{md}"
    );
    assert_eq!(j["deadline"], serde_json::Value::Null);
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

fn opt_ints(df: &DataFrame, c: &str) -> Vec<Option<i64>> {
    df.column(c)
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect()
}

#[test]
fn a_plan_to_a_deadline() {
    let w = Workdir::new("plan-deadline");
    fixture(
        &w,
        "data",
        "F,甲,鄂城区,true\nG,乙,鄂城区,\nS,丙,华容区,\nZ,丁,华容区,\n",
    );
    w.write("rules.toml", RULES);
    let plan = |deadline: &str, out: &str| {
        w.run(&[
            "plan",
            "data",
            "--config",
            "rules.toml",
            "--as-of",
            "2019-07-30",
            "--deadline",
            deadline,
            "--out",
            out,
        ])
    };
    // By 2020-08-31: F, G and S take 12 months, so they must start in stage 1 (from
    // 2019-07-30; stage 2 would start 2019-10-31 and end 2020-11-02); Z follows the order
    // "small first" so it comes before them: all four in stage 1, capacity 4 instead of 2.
    let o = plan("2020-08-31", "a");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = read(&w, "a/plan.parquet");
    assert_eq!(ints(&p, "stage"), [1, 1, 1, 1]);
    assert_eq!(
        p.column("at_risk")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        [Some(false); 4]
    );
    let s = read(&w, "a/plan_stages.parquet");
    assert_eq!(opt_ints(&s, "capacity_platforms")[..2], [None, Some(4)]);
    assert_eq!(opt_ints(&s, "configured_platforms")[..2], [None, Some(2)]);
    assert_eq!(dates(&s, "deadline")[0], "2020-08-31");
    // The stages run to the deadline: 2019-10-31, 2020-01-31, 2020-04-30, 2020-07-31,
    // 2020-10-31 (the first on or after it).
    assert_eq!(dates(&s, "ends_on").last().unwrap(), "2020-10-31");
    let md = w.read("a/plan.md");
    assert!(md.contains("## 完成期限 Deadline 2020-08-31"), "{md}");
    assert!(md.contains("| 平台数 platforms | 2 | 4 | +2 |"), "{md}");
    let manifest: serde_json::Value = serde_json::from_str(&w.read("a/manifest.json")).unwrap();
    assert_eq!(manifest["settings"]["deadline"], "2020-08-31");

    // By 2020-06-30 nothing of 12 months can finish: F, G, S at risk, named with the
    // reason; Z (3 months) fits in stage 1 under the configured capacity.
    let o = plan("2020-06-30", "b");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let p = read(&w, "b/plan.parquet");
    let risk: Vec<Option<bool>> = p
        .column("at_risk")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(risk, [Some(true), Some(true), Some(true), Some(false)]);
    let reasons: Vec<Option<&str>> = p
        .column("at_risk_reason_zh")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert!(
        reasons[0].unwrap().contains("最早于 2020-07-30 完成"),
        "{reasons:?}"
    );
    assert_eq!(reasons[3], None);
    let s = read(&w, "b/plan_stages.parquet");
    assert_eq!(opt_ints(&s, "capacity_platforms")[1], Some(2));
    let md = w.read("b/plan.md");
    assert!(md.contains("### 无法按期完成的平台 At risk (3)"), "{md}");
    assert!(
        md.contains("| F | 甲 | 已出险 failed | 2020-07-30 |"),
        "{md}"
    );

    // The whole run carries it into summary.json and the report.
    let o = w.run(&[
        "run",
        "data",
        "--config",
        "rules.toml",
        "--as-of",
        "2019-07-30",
        "--deadline",
        "2020-06-30",
        "--out",
        "r",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_str(&w.read("r/summary.json")).unwrap();
    assert_eq!(summary["deadline"]["required"]["platforms"], 2);
    assert_eq!(summary["deadline"]["at_risk"].as_array().unwrap().len(), 3);
    assert!(w
        .read("r/report.html")
        .contains("完成期限 Deadline 2020-06-30"));

    // A deadline not after the as-of date, or not a date: exit 2, nothing written.
    let o = plan("2019-07-30", "c");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("deadline"), "{}", stderr(&o));
    assert!(!w.path("c").exists());
    let o = plan("2020-02-30", "c");
    assert_eq!(o.status.code(), Some(2));
    assert!(!w.path("c").exists());
}
