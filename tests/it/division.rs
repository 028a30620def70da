//! Division rules and the vote through the binary (issue 14): `payout --rule`, `compare` and
//! `vote` on hand-computed fixtures — the 2/4/7/8 problem, SEC v. Huber, and ten lenders
//! voting on a small-first scheme.

use polars::prelude::*;

use crate::util::read_parquet as read;
use crate::util::{stderr, Workdir};

/// One normal, small platform P whose lenders have the given claims (yuan) and withdrawals
/// (returns received), and recoveries as given.
fn fixture(w: &Workdir, lenders: &[(&str, i64, i64)], failed: bool, recoveries: &str) {
    w.write(
        "data/platforms.csv",
        format!("platform_id,name,district,repayment_suspended\nP,甲,鄂城区,{failed}\n"),
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\nD1,P,B1,individual,2019-06-01,100,100\n",
    );
    let mut ls = String::from("lender_id\n");
    let mut inv = String::from(
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n",
    );
    for (i, (id, invested, returns)) in lenders.iter().enumerate() {
        ls.push_str(&format!("{id}\n"));
        inv.push_str(&format!("I{i},P,{id},2019-01-01,{invested},0,{returns}\n"));
    }
    w.write("data/lenders.csv", ls);
    w.write("data/investments.csv", inv);
    w.write(
        "data/recoveries.csv",
        format!("platform_id,round,amount,received_on\n{recoveries}"),
    );
}

fn texts(df: &DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

fn ok(o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
}

/// The awards of one rule from rule_lenders.parquet, in lender order.
fn awards(df: &DataFrame, rule: &str) -> Vec<String> {
    let (rules, award) = (texts(df, "rule"), texts(df, "award"));
    rules
        .iter()
        .zip(award)
        .filter(|(r, _)| *r == rule)
        .map(|(_, a)| a)
        .collect()
}

#[test]
fn compare_divides_2_4_7_8_by_every_rule() {
    let w = Workdir::new("division-compare");
    fixture(
        &w,
        &[("a", 2, 0), ("b", 4, 0), ("c", 7, 0), ("d", 8, 0)],
        false,
        "P,1,10,2019-06-01\n",
    );
    ok(&w.run(&[
        "compare",
        "data",
        "--rules",
        "pro,cea,cel,talmud,apro",
        "--out",
        "out",
    ]));
    let df = read(&w, "out/rule_lenders.parquet");
    // Exact: PRO 0.952/1.905/3.333/3.810; to the fen, floors 0.95+1.90+3.33+3.80 = 9.98 and the
    // 2 leftover fen to the largest remainders (.952 → d, .476 → b... of the fen): see below.
    assert_eq!(awards(&df, "pro"), ["0.95", "1.91", "3.33", "3.81"]);
    // CEA 2, 2.667 × 3: floors 2 + 2.66 × 3 = 9.98, the 2 fen to the tied remainders by id: b, c.
    assert_eq!(awards(&df, "cea"), ["2.00", "2.67", "2.67", "2.66"]);
    assert_eq!(awards(&df, "cel"), ["0.00", "1.00", "4.00", "5.00"]);
    assert_eq!(awards(&df, "talmud"), ["1.00", "2.00", "3.50", "3.50"]);
    let summary = read(&w, "out/rule_compare.parquet");
    assert_eq!(
        texts(&summary, "rule"),
        ["apro", "cea", "cel", "pro", "talmud"]
    );
    assert_eq!(texts(&summary, "paid_in_full")[1], "1"); // CEA pays a's 2 in full
    assert!(w.read("out/compare.html").contains("<svg"));
}

#[test]
fn rising_tide_against_net_loss_pro_rata_in_the_huber_case() {
    let w = Workdir::new("division-huber");
    // A failed platform: claims net of the returns already received (本金折抵).
    fixture(
        &w,
        &[
            ("a", 150_000, 60_000),
            ("b", 150_000, 30_000),
            ("c", 150_000, 0),
        ],
        true,
        "P,1,60000,2019-06-01\n",
    );
    ok(&w.run(&[
        "compare",
        "data",
        "--rules",
        "pro,rising-tide",
        "--out",
        "out",
    ]));
    let df = read(&w, "out/rule_lenders.parquet");
    assert_eq!(awards(&df, "pro"), ["15000.00", "20000.00", "25000.00"]);
    assert_eq!(awards(&df, "rising-tide"), ["0.00", "15000.00", "45000.00"]);
    // The same rule pays a round.
    ok(&w.run(&["payout", "data", "--rule", "rising-tide", "--out", "paid"]));
    let p = read(&w, "paid/payouts.parquet");
    assert_eq!(texts(&p, "paid"), ["0.00", "15000.00", "45000.00"]);
    let r = read(&w, "paid/payout_rounds.parquet");
    assert_eq!(texts(&r, "level"), ["0.3"]);
}

#[test]
fn cea_round_by_round_equals_one_shot() {
    let w = Workdir::new("division-rounds");
    let lenders = [("a", 2, 0), ("b", 4, 0), ("c", 7, 0), ("d", 8, 0)];
    // Round 1: 4 yuan, 1 each. Round 2: 6 yuan on what is still owed (1, 3, 6, 7): a's 1 in
    // full, 5/3 each to the others → totals 2, 2.67, 2.67, 2.66 = CEA of 10 at once.
    fixture(&w, &lenders, false, "P,1,4,2019-05-01\n");
    ok(&w.run(&["payout", "data", "--rule", "cea", "--out", "r1"]));
    fixture(&w, &lenders, false, "P,1,4,2019-05-01\nP,2,6,2019-06-01\n");
    ok(&w.run(&[
        "payout", "data", "--rule", "cea", "--ledger", "r1", "--out", "r2",
    ]));
    let p = read(&w, "r2/payouts.parquet");
    let cumulative: Vec<String> = texts(&p, "cumulative").into_iter().skip(4).collect();
    assert_eq!(cumulative, ["2.00", "2.67", "2.67", "2.66"]);
    fixture(&w, &lenders, false, "P,1,10,2019-06-01\n");
    ok(&w.run(&["payout", "data", "--rule", "cea", "--out", "once"]));
    assert_eq!(texts(&read(&w, "once/payouts.parquet"), "paid"), cumulative);
    // The rule is recorded, and unknown rules are refused.
    let m: serde_json::Value = serde_json::from_str(&w.read("r2/manifest.json")).unwrap();
    assert_eq!(m["settings"]["payout_rule"], "cea");
    let o = w.run(&["payout", "data", "--rule", "fair", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn ten_lenders_vote_on_a_small_first_scheme() {
    let w = Workdir::new("division-vote");
    let claims = [1, 1, 1, 2, 2, 3, 5, 10, 30, 45];
    let ids: Vec<String> = (0..10).map(|i| format!("L{i}")).collect();
    let lenders: Vec<(&str, i64, i64)> = ids
        .iter()
        .zip(claims)
        .map(|(id, c)| (id.as_str(), c, 0))
        .collect();
    fixture(&w, &lenders, false, "");
    ok(&w.run(&[
        "vote",
        "data",
        "--scheme",
        "small-first:3",
        "--alternative",
        "0.3",
        "--out",
        "sf",
    ]));
    let v = read(&w, "sf/vote_platforms.parquet");
    assert_eq!(
        texts(&v, "voting_rule"),
        ["ebl_art64", "ebl_art84", "ebl_art97", "shenzhen"]
    );
    assert_eq!(texts(&v, "passed"), ["false"; 4]);
    assert_eq!(texts(&v, "yes_voters"), ["8.0"; 4]);
    assert_eq!(texts(&v, "yes_claims"), ["25.0"; 4]);
    // Art. 64 passes if the 45 yuan lender is paid 5.10 more (13.50 against 8.40).
    assert_eq!(texts(&v, "extra_payment")[0], "5.10");
    let l = read(&w, "sf/vote_lenders.parquet");
    assert_eq!(
        texts(&l, "award"),
        ["1.00", "1.00", "1.00", "2.00", "2.00", "3.00", "3.00", "3.00", "5.60", "8.40"]
    );
    ok(&w.run(&[
        "vote",
        "data",
        "--scheme",
        "pro",
        "--alternative",
        "0.3",
        "--out",
        "pro",
    ]));
    let v = read(&w, "pro/vote_platforms.parquet");
    assert_eq!(texts(&v, "passed"), ["true"; 4]);
    assert_eq!(texts(&v, "best_interest"), ["true"; 4]);
}
