//! `winddown payout` and `run`: hand-computed rounds, small first with a remainder tie, the
//! ledger (two runs equal one), refused ledgers, and the payment file (the only output with
//! personal data, mode 0600).

use polars::prelude::*;

use crate::util::{stderr, Workdir};

fn fixture(w: &Workdir, recoveries: &str) {
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\nF,甲,鄂城区,true\nG,乙,鄂城区,\n",
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\nD1,G,B1,individual,2019-06-01,2000,2000\n",
    );
    w.write(
        "data/lenders.csv",
        "lender_id,name,id_number,phone,registered,excluded\n\
         A,MARKNAME_A,11010519491231002X,13900000001,,\n\
         B,MARKNAME_B,MARKID_B,MARKPHONE_B,,\n\
         R,MARKNAME_R,,,no,\n\
         X,MARKNAME_X,,,,yes\n\
         W,MARKNAME_W,,,,\n",
    );
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n\
         I1,F,A,2019-01-01,1000,0,0\n\
         I2,F,B,2019-01-01,3000,0,0\n\
         I3,F,R,2019-01-01,1000,0,0\n\
         I4,F,X,2019-01-01,500,0,0\n\
         I5,F,W,2019-01-01,100,0,150\n\
         I6,G,A,2019-06-01,2000,0,0\n",
    );
    w.write(
        "data/recoveries.csv",
        format!("platform_id,round,amount,received_on,source\n{recoveries}"),
    );
}

const TWO_ROUNDS: &str = "F,1,600,2019-03-01,asset_disposal\nF,1,400,2019-03-02,collection\nF,2,2000,2019-06-01,collection\nG,1,0,2019-06-01,\n";

use crate::util::{fen, read_parquet as read, texts as text};

fn pay(w: &Workdir, args: &[&str]) {
    let mut all = vec!["payout", "data", "--as-of", "2019-06-30"];
    all.extend_from_slice(args);
    let o = w.run(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn two_equalising_rounds_by_hand() {
    let w = Workdir::new("payout");
    fixture(&w, TWO_ROUNDS);
    pay(&w, &["--out", "out"]);
    let p = read(&w, "out/payouts.parquet");
    // Round 1: pool 1000 over claims A 1000, B 3000, R 1000 (X excluded, W claim 0): 20 %.
    // Round 2: pool 2000, everyone at .2: L = (2000 + 1000) / 5000 = .6.
    // G's round 1 has a pool of 0: its lender A still gets a row, owed 0.
    assert_eq!(text(&p, "platform_id"), ["F", "F", "F", "F", "F", "F", "G"]);
    assert_eq!(text(&p, "lender_id"), ["A", "B", "R", "A", "B", "R", "A"]);
    assert_eq!(
        text(&p, "status"),
        ["eligible", "eligible", "reserved", "eligible", "eligible", "reserved", "eligible"]
    );
    assert_eq!(fen(&p, "paid"), [20_000, 60_000, 0, 40_000, 120_000, 0, 0]);
    assert_eq!(fen(&p, "reserved"), [0, 0, 20_000, 0, 0, 40_000, 0]);
    assert_eq!(fen(&p, "before"), [0, 0, 0, 20_000, 60_000, 20_000, 0]);
    assert_eq!(
        fen(&p, "cumulative"),
        [20_000, 60_000, 20_000, 60_000, 180_000, 60_000, 0]
    );
    assert_eq!(
        fen(&p, "remaining"),
        [80_000, 240_000, 80_000, 40_000, 120_000, 40_000, 200_000]
    );
    let r = read(&w, "out/payout_rounds.parquet");
    assert_eq!(text(&r, "platform_id"), ["F", "F", "G"]);
    assert_eq!(fen(&r, "pool"), [100_000, 200_000, 0]);
    assert_eq!(fen(&r, "paid"), [80_000, 160_000, 0]);
    assert_eq!(fen(&r, "reserved"), [20_000, 40_000, 0]);
    assert_eq!(fen(&r, "surplus"), [0, 0, 0]);
    let level: Vec<Option<f64>> = r.column("level").unwrap().f64().unwrap().iter().collect();
    assert_eq!(level, [Some(0.2), Some(0.6), Some(0.0)]);
    let paid: Vec<i64> = r
        .column("lenders_paid")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(paid, [2, 2, 0]);
}

#[test]
fn the_same_rounds_a_hundred_thousand_times_larger_are_exact_beyond_32_bits_of_fen() {
    // The rounds above with every amount ×100,000: claims, before and paid of 2·10⁹ fen and
    // beyond 2³² fen (42,949,672.95 yuan) side by side in payouts.parquet.
    let w = Workdir::new("payout-wide");
    fixture(&w, "F,1,60000000,2019-03-01,asset_disposal\nF,1,40000000,2019-03-02,collection\nF,2,200000000,2019-06-01,collection\nG,1,0,2019-06-01,\n");
    let scale = |table: &str, column: usize| {
        let text = w.read(&format!("data/{table}.csv"));
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for line in lines {
            let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
            for cell in cells.iter_mut().skip(column).take(3) {
                if let Ok(v) = cell.parse::<i64>() {
                    *cell = (v * 100_000).to_string();
                }
            }
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        w.write(&format!("data/{table}.csv"), out);
    };
    scale("investments", 4); // amount, principal_returned, returns_received
    scale("loans", 5); // principal, outstanding_principal (and nothing beyond)
    pay(&w, &["--out", "out"]);
    let p = read(&w, "out/payouts.parquet");
    assert_eq!(text(&p, "lender_id"), ["A", "B", "R", "A", "B", "R", "A"]);
    let x = |v: [i64; 7]| v.map(|f| f * 100_000);
    assert_eq!(
        fen(&p, "claim"),
        x([100_000, 300_000, 100_000, 100_000, 300_000, 100_000, 200_000])
    );
    assert_eq!(
        fen(&p, "paid"),
        x([20_000, 60_000, 0, 40_000, 120_000, 0, 0])
    );
    assert_eq!(fen(&p, "reserved"), x([0, 0, 20_000, 0, 0, 40_000, 0]));
    assert_eq!(fen(&p, "before"), x([0, 0, 0, 20_000, 60_000, 20_000, 0]));
    assert_eq!(
        fen(&p, "remaining"),
        x([80_000, 240_000, 80_000, 40_000, 120_000, 40_000, 200_000])
    );
}

#[test]
fn small_first_short_pool_with_a_remainder_tie() {
    let w = Workdir::new("payout-small");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    pay(&w, &["--small-first", "1500", "--out", "out"]);
    // Tranches A 1000, B 1500, R 1000 = 3500 > pool 1000: pro rata to the tranches:
    // 28571.43, 42857.14, 28571.43 fen → floors 28571 + 42857 + 28571 = 99999; the leftover fen
    // goes to the largest remainder, a tie between A and R (.428…): "A" < "R".
    let p = read(&w, "out/payouts.parquet");
    assert_eq!(fen(&p, "paid"), [28_572, 42_857, 0]);
    assert_eq!(fen(&p, "reserved"), [0, 0, 28_571]);
    let r = read(&w, "out/payout_rounds.parquet");
    let level: Vec<Option<f64>> = r.column("level").unwrap().f64().unwrap().iter().collect();
    assert_eq!(level, [None]);
}

#[test]
fn a_ledger_then_the_next_round_equals_both_rounds_at_once() {
    let w = Workdir::new("payout-ledger");
    fixture(
        &w,
        "F,1,600,2019-03-01,asset_disposal\nF,1,400,2019-03-02,collection\nG,1,0,2019-06-01,\n",
    );
    pay(&w, &["--min-payment", "250", "--out", "first"]);
    fixture(&w, TWO_ROUNDS);
    pay(
        &w,
        &[
            "--min-payment",
            "250",
            "--ledger",
            "first/payouts.parquet",
            "--out",
            "second",
        ],
    );
    pay(&w, &["--min-payment", "250", "--out", "both"]);
    assert!(
        std::fs::read(w.path("second/payouts.parquet")).unwrap()
            == std::fs::read(w.path("both/payouts.parquet")).unwrap(),
        "ledger + round 2 differs from both rounds at once"
    );
    // The same second run with the positions paged out to the temporary folder (paged.rs):
    // the ledger checked and the rounds paid from mapped positions.
    let o = w.run_env(
        &[
            "payout",
            "data",
            "--as-of",
            "2019-06-30",
            "--min-payment",
            "250",
            "--ledger",
            "first/payouts.parquet",
            "--out",
            "second-paged",
        ],
        &[("WINDDOWN_POSITIONS_PAGED_FROM", "0")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::read(w.path("second/payouts.parquet")).unwrap()
            == std::fs::read(w.path("second-paged/payouts.parquet")).unwrap(),
        "positions paged out changed the second round"
    );
    // With a 250 yuan minimum, A's 200 in round 1 is carried (not in before), so round 2
    // equalises it back: L = (2000 + 600 + 200) / 5000 = .56 → A 560, B 1080, R 360.
    let p = read(&w, "both/payouts.parquet");
    assert_eq!(fen(&p, "carried"), [20_000, 0, 0, 0, 0, 0, 0]);
    assert_eq!(fen(&p, "paid"), [0, 60_000, 0, 56_000, 108_000, 0, 0]);
    assert_eq!(fen(&p, "reserved"), [0, 0, 20_000, 0, 0, 36_000, 0]);
}

#[test]
fn ledgers_that_do_not_fit_are_refused() {
    let w = Workdir::new("payout-badledger");
    fixture(&w, TWO_ROUNDS);
    pay(&w, &["--out", "first"]);
    // A is now an excluded insider: the ledger pays a lender who is in no round.
    let lenders = w.read("data/lenders.csv").replace(
        "A,MARKNAME_A,11010519491231002X,13900000001,,",
        "A,MARKNAME_A,11010519491231002X,13900000001,,yes",
    );
    w.write("data/lenders.csv", lenders);
    let o = w.run(&[
        "payout",
        "data",
        "--ledger",
        "first/payouts.parquet",
        "--out",
        "second",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("ledger: lender A"), "{}", stderr(&o));
    // B's claim shrinks below what the ledger already gave B.
    fixture(&w, TWO_ROUNDS);
    let inv = w.read("data/investments.csv").replace(
        "I2,F,B,2019-01-01,3000,0,0",
        "I2,F,B,2019-01-01,3000,2000,0",
    );
    w.write("data/investments.csv", inv);
    let o = w.run(&[
        "payout",
        "data",
        "--ledger",
        "first/payouts.parquet",
        "--out",
        "second",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("above the claim"), "{}", stderr(&o));
    assert!(!w.path("second").exists());
    // Not a ledger at all.
    w.write("junk.parquet", b"PAR1garbage");
    let o = w.run(&[
        "payout",
        "data",
        "--ledger",
        "junk.parquet",
        "--out",
        "second",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("junk.parquet"));
}

#[test]
fn personal_data_only_in_the_payment_file() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::new("payout-pii");
    fixture(&w, TWO_ROUNDS);
    let o = w.run(&[
        "run",
        "data",
        "--as-of",
        "2019-06-30",
        "--payment-file",
        "bank.csv",
        "--pay-all-rounds",
        "--out",
        "out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("MARK"));
    let mode = std::fs::metadata(w.path("bank.csv"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let bank = w.read("bank.csv");
    assert!(bank.starts_with("platform_id,round,lender_id,name,id_number,amount\n"));
    assert!(
        bank.contains("F,1,A,MARKNAME_A,11010519491231002X,200.00"),
        "{bank}"
    );
    assert!(
        !bank.contains("MARKNAME_R"),
        "reserved amounts are not paid: {bank}"
    );
    for entry in std::fs::read_dir(w.path("out")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for marker in [&b"MARK"[..], b"11010519491231002X", b"13900000001"] {
            assert!(
                !bytes.windows(marker.len()).any(|win| win == marker),
                "{} carries personal data",
                path.display()
            );
        }
    }
}

#[test]
fn a_third_round_on_a_two_round_ledger_and_a_paid_round_that_vanished() {
    let w = Workdir::new("payout-third");
    fixture(&w, TWO_ROUNDS);
    pay(&w, &["--out", "first"]);
    // Round 3 of F arrives; every paid round stays in the recoveries as it was.
    fixture(&w, &format!("{TWO_ROUNDS}F,3,500,2019-06-20,collection\n"));
    pay(
        &w,
        &["--ledger", "first/payouts.parquet", "--out", "second"],
    );
    let p = read(&w, "second/payouts.parquet");
    let keys: Vec<(String, i64)> = text(&p, "platform_id")
        .into_iter()
        .zip(
            p.column("round")
                .unwrap()
                .i64()
                .unwrap()
                .iter()
                .map(Option::unwrap),
        )
        .collect();
    assert_eq!(keys.iter().filter(|k| k.0 == "G").count(), 1);
    assert_eq!(keys.iter().filter(|k| k.0 == "F" && k.1 == 3).count(), 3);
    // Round 3: everyone at .6, pool 500 → L = (500 + 3000) / 5000 = .7: A 100, B 300, R 100.
    let r3: Vec<i64> = fen(&p, "paid")
        .into_iter()
        .zip(fen(&p, "reserved"))
        .zip(&keys)
        .filter(|(_, k)| k.1 == 3)
        .map(|((a, b), _)| a + b)
        .collect();
    assert_eq!(r3, [10_000, 30_000, 10_000]);
    // G's paid round 1 is gone from the recoveries: what was paid cannot be recomputed.
    fixture(&w, "F,1,600,2019-03-01,asset_disposal\nF,1,400,2019-03-02,collection\nF,2,2000,2019-06-01,collection\nF,3,500,2019-06-20,collection\n");
    let o = w.run(&[
        "payout",
        "data",
        "--as-of",
        "2019-06-30",
        "--ledger",
        "first/payouts.parquet",
        "--out",
        "third",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("round 1 of platform G"),
        "{}",
        stderr(&o)
    );
    assert!(!w.path("third").exists());
}

#[test]
fn the_help_desk_statement_of_one_lender() {
    let w = Workdir::new("statement");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let city = city.to_string_lossy();
    let o = w.run(&["run", &city, "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The same run with row groups of 1,000 rows: the bloom filters skip most of them.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
        .args(["run", &city, "--out", "small-groups"])
        .current_dir(w.path(""))
        .env("WINDDOWN_ROW_GROUP_ROWS", "1000")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ids = |df: &DataFrame, c: &str| text(df, c);
    let claims = read(&w, "r/claims.parquet");
    let payouts = read(&w, "r/payouts.parquet");
    let lender = "L00746";
    let (cl, cc) = (ids(&claims, "lender_id"), fen(&claims, "claim"));
    let claim: i64 = (0..cl.len())
        .filter(|i| cl[*i] == lender)
        .map(|i| cc[i])
        .sum();
    let (pl, pp) = (ids(&payouts, "lender_id"), fen(&payouts, "paid"));
    let paid: i64 = (0..pl.len())
        .filter(|i| pl[*i] == lender)
        .map(|i| pp[i])
        .sum();
    let y = |f: i64| winddown::domain::money::grouped(i128::from(f));
    let o = w.run(&["statement", "r", "--lender", lender]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("本金折抵 net of returns"), "{text}");
    assert!(
        text.contains(&format!(
            "合计 total: 债权 claim {} 元；已兑付 paid {} 元",
            y(claim),
            y(paid)
        )),
        "{text}\n{claim} {paid}"
    );
    // Three platforms, two rounds each, as the exports say.
    assert_eq!(text.matches("第 2 轮 round 2").count(), 3, "{text}");
    let o = w.run(&["statement", "small-groups", "--lender", lender]);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), text);
    // A lender with no claim: exit 2, one line.
    let o = w.run(&["statement", "r", "--lender", "L99999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no lender L99999 in the claims"),
        "{}",
        stderr(&o)
    );
    // A folder `payout` wrote has no claims: exit 2, saying which folder statements read.
    let o = w.run(&["payout", &city, "--out", "p"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["statement", "p", "--lender", lender]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("no claims.parquet") && e.contains("--ledger"),
        "{e}"
    );
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
}

#[test]
fn a_printable_notice_per_platform_and_round() {
    let w = Workdir::new("notices");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let o = w.run(&[
        "run",
        &city.to_string_lossy(),
        "--min-payment",
        "10",
        "--out",
        "r",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = w.read("r/notices.html");
    let rounds =
        ParquetReader::new(std::fs::File::open(w.path("r/payout_rounds.parquet")).unwrap())
            .finish()
            .unwrap();
    assert_eq!(
        html.matches("<section class=\"notice\">").count(),
        rounds.height()
    );
    // The first round of the first platform, its pool to the fen, the rule and the carry-over.
    let pool = rounds
        .column("pool")
        .unwrap()
        .as_materialized_series()
        .decimal()
        .unwrap()
        .physical()
        .get(0)
        .unwrap();
    let pool = winddown::domain::money::grouped(pool);
    assert!(
        html.contains(&format!("<tr><th>本轮可分配资金</th><td>{pool} 元")),
        "{pool}"
    );
    assert!(html.contains("第1轮兑付公告"));
    assert!(html.contains("按各出借人剩余债权同比例分配"));
    assert!(html.contains("低于 10.00 元的，暂不支付，结转至下一轮"));
    assert!(html.contains("@page { size: A4"));
    // No personal data: no lender name, id number or phone.
    let lenders = std::fs::read_to_string(city.join("lenders.csv")).unwrap();
    for rec in csv::Reader::from_reader(lenders.as_bytes())
        .records()
        .take(500)
    {
        let rec = rec.unwrap();
        for i in [1, 2, 3] {
            let v = &rec[i];
            if v.chars().count() >= 2 {
                assert!(!html.contains(v), "{v}");
            }
        }
    }
}

#[test]
fn every_lenders_statement_for_mail_merge_and_an_sms_each() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::new("statements");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let city = city.to_string_lossy();
    w.write("sms.toml", "[statement]\nsms = \"{name}：债权{claim}元，已付{paid}元，余{remaining}元（{platforms}个平台）\"\n");
    let o = w.run(&["run", &city, "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&[
        "statement",
        "r",
        "--all",
        "--data",
        &city,
        "--config",
        "sms.toml",
        "--out",
        "letters",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["statements.csv", "sms.csv"] {
        let mode = std::fs::metadata(w.path(&format!("letters/{f}")))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    // One statement row per claim of the run, one SMS per lender.
    let claims = read(&w, "r/claims.parquet");
    let statements = w.read("letters/statements.csv");
    assert_eq!(statements.lines().count(), claims.height() + 1);
    let lenders: std::collections::BTreeSet<String> =
        text(&claims, "lender_id").into_iter().collect();
    let sms = w.read("letters/sms.csv");
    assert_eq!(sms.lines().count(), lenders.len() + 1);
    // L00746 as the single statement computes it: 3 platforms, 18,941.35 claimed, 3,390.26 paid.
    let line = sms.lines().find(|l| l.starts_with("L00746,")).unwrap();
    assert!(
        line.ends_with("：债权18941.35元，已付3390.26元，余15551.09元（3个平台）"),
        "{line}"
    );
    let lenders_csv = std::fs::read_to_string(format!("{city}/lenders.csv")).unwrap();
    let rec = lenders_csv
        .lines()
        .find(|l| l.starts_with("L00746,"))
        .unwrap();
    let fields: Vec<&str> = rec.split(',').collect();
    assert!(
        line.contains(fields[1]) && line.contains(fields[3]),
        "{line} / {rec}"
    );
    // The names reach nothing but the two 0600 files.
    assert!(!w.read("letters/manifest.json").contains(fields[1]));
    // A template field that does not exist: a config error naming it.
    w.write("bad.toml", "[statement]\nsms = \"{name} {balance}\"\n");
    let o = w.run(&[
        "statement",
        "r",
        "--all",
        "--data",
        &city,
        "--config",
        "bad.toml",
        "--out",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("{balance} is not a field"),
        "{}",
        stderr(&o)
    );
    // --all without --data: a usage error.
    let o = w.run(&["statement", "r", "--all", "--out", "y"]);
    assert_eq!(o.status.code(), Some(2));
}
