//! `winddown case` and `winddown case progress` driven as a user would, on small case folders
//! whose every figure is computed by hand in the comments (docs/cases.md), and on the sample.

use crate::util::{fen, read_parquet, rejects, stderr, texts, Workdir};

fn ok(o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
}

/// One case, C1, with one of everything; C2 with no money.
///
/// - A put in 8,000 + 3,000 on two accounts (a1, a2) and had 1,000 of returns: loss 10,000,
///   crime amount 11,000; registered.
/// - B put in 30,000: loss 30,000; not registered (held in escrow).
/// - S, a salesperson, put in 5,000 and took 3,000 of commissions: a helper, held out, 3,000
///   to recover.
/// - W put in 1,000 and withdrew 1,500: a net winner, 500 to recover, not paid.
/// - D, a defendant: excluded.
/// - A row giving B a deposit on A's account a1: rejected, inconsistent.
///
/// Assets: cash 8,000 (tainted); a property realised for 1,000 that secures S1's 800; a
/// vehicle not realised. Claims: medical 500, secured 800, fine 10,000.
/// Waterfall: medical 500 from the cash (7,500 left); S1 800 from its property (200 left,
/// joining the proceeds: 7,700); participants (owed 40,000) 7,700; fines nothing.
/// Round 1: 7,700 / 40,000 = 19.25 %: A 1,925 paid, B 5,775 held.
fn write_case(w: &Workdir, dir: &str) {
    w.write(
        &format!("{dir}/cases.csv"),
        "case_id,name,platform_ids,district,unit,opened_on,judged_on,status,status_on\n\
         C1,甲公司非法吸收公众存款案,P001;P002,朝阳区,朝阳分局,2017-03-01,2017-11-20,执行,2018-06-01\n\
         C2,乙平台集资诈骗案,,海淀区,海淀分局,2019-05-01,,侦查,2019-05-01\n",
    );
    w.write(
        &format!("{dir}/participants.csv"),
        "case_id,person_id,role,registered_on,heir_id,heir_accepted_on,name,id_number,bank_account,bank_name\n\
         C1,A,participant,2018-07-01,,,张三,110101199003077774,6222020200112233445,工商银行\n\
         C1,B,participant,,,,李四,,6222020200112233446,工商银行\n\
         C1,S,salesperson,2018-07-01,,,王五,,,\n\
         C1,W,participant,2018-07-01,,,赵六,,,\n\
         C1,D,被告人,,,,钱七,,,\n\
         C2,X,participant,2019-06-01,,,孙八,,,\n",
    );
    w.write(
        &format!("{dir}/cash_flows.csv"),
        "case_id,person_id,account_id,kind,amount,flow_on\n\
         C1,A,a1,deposit,8000,2016-01-01\n\
         C1,A,a2,投入,3000,2016-02-01\n\
         C1,A,a1,return,1000,2016-06-01\n\
         C1,B,b1,deposit,30000,2016-01-01\n\
         C1,S,s1,deposit,5000,2016-01-01\n\
         C1,S,s1,commission,3000,2016-05-01\n\
         C1,W,w1,deposit,1000,2016-01-01\n\
         C1,W,w1,withdrawal,1500,2016-03-01\n\
         C1,D,d1,deposit,100,2016-01-01\n\
         C2,X,x1,deposit,100,2019-01-01\n\
         C1,B,a1,deposit,5,2016-01-01\n",
    );
    w.write(
        &format!("{dir}/case_assets.csv"),
        "case_id,asset_id,kind,lawful,book_value,status,realised_value,realised_on\n\
         C1,K1,cash,,,realised,8000,2018-06-01\n\
         C1,H1,property,,500000,realised,1000,2018-06-15\n\
         C1,V1,vehicle,,20000,seized,,\n",
    );
    w.write(
        &format!("{dir}/other_claims.csv"),
        "case_id,claim_id,kind,amount,asset_id\n\
         C1,M1,medical,500,\n\
         C1,S1,secured,800,H1\n\
         C1,F1,fine,10000,\n",
    );
}

/// (person_id → value) of a column of an export restricted to case `case`.
fn by_person(df: &polars::prelude::DataFrame, case: &str, col: &str) -> Vec<(String, i64)> {
    let (c, p, v) = (texts(df, "case_id"), texts(df, "person_id"), fen(df, col));
    (0..df.height())
        .filter(|&i| c[i] == case)
        .map(|i| (p[i].clone(), v[i]))
        .collect()
}

/// A bool column's values.
fn bools(df: &polars::prelude::DataFrame, col: &str) -> Vec<Option<bool>> {
    let c = df.column(col).unwrap().bool().unwrap();
    (0..df.height()).map(|i| c.get(i)).collect()
}

#[test]
fn each_rule_by_hand_losses_standings_clawbacks_waterfall_and_the_first_round() {
    let w = Workdir::new("case-hand");
    write_case(&w, "data");
    let o = w.run(&["case", "data", "--out", "r1"]);
    ok(&o);
    // The reject names file, line, column and reason; the rest of B is kept.
    let r = rejects(&w.read("r1/rejects.csv"));
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0],
        [
            "cash_flows",
            "cash_flows.csv",
            "12",
            "account_id",
            "a1",
            "inconsistent"
        ]
        .map(String::from)
    );
    let p = read_parquet(&w, "r1/case_participants.parquet");
    assert_eq!(
        texts(&p, "person_id"),
        ["A", "B", "D", "S", "W", "X"],
        "sorted by case, person"
    );
    assert_eq!(
        texts(&p, "standing"),
        [
            "claimant",
            "claimant",
            "defendant",
            "helper",
            "net_winner",
            "claimant"
        ]
    );
    // Merged accounts: A's two accounts, loss 11,000 − 1,000.
    assert_eq!(by_person(&p, "C1", "loss")[0], ("A".to_string(), 1_000_000));
    assert_eq!(
        by_person(&p, "C1", "crime_amount")[0],
        ("A".to_string(), 1_100_000)
    );
    let accounts = p.column("accounts").unwrap().i64().unwrap();
    assert_eq!(accounts.get(0), Some(2));
    assert_eq!(
        bools(&p, "eligible"),
        [true, true, false, false, false, true].map(Some)
    );
    let c = read_parquet(&w, "r1/case_clawbacks.parquet");
    assert_eq!(texts(&c, "person_id"), ["S", "W"]);
    assert_eq!(fen(&c, "amount"), [300_000, 50_000]);
    assert_eq!(
        texts(&c, "reason"),
        ["commissions", "received_beyond_put_in"]
    );
    let wf = read_parquet(&w, "r1/case_waterfall.parquet");
    assert_eq!(wf.height(), 12, "six classes for each of the two cases");
    assert_eq!(
        texts(&wf, "claimant_class")[..6],
        [
            "medical",
            "secured",
            "participants",
            "civil_debts",
            "fines",
            "confiscation"
        ]
    );
    assert_eq!(
        fen(&wf, "owed")[..6],
        [50_000, 80_000, 4_000_000, 0, 1_000_000, 0]
    );
    assert_eq!(fen(&wf, "paid")[..6], [50_000, 80_000, 770_000, 0, 0, 0]);
    assert_eq!(
        fen(&wf, "shortfall")[..6],
        [0, 0, 3_230_000, 0, 1_000_000, 0]
    );
    let rounds = read_parquet(&w, "r1/case_rounds.parquet");
    assert_eq!(texts(&rounds, "case_id"), ["C1"], "C2 has nothing to pay");
    assert_eq!(fen(&rounds, "recovered"), [900_000]);
    assert_eq!(fen(&rounds, "amount"), [770_000]);
    assert_eq!(fen(&rounds, "paid"), [192_500]);
    assert_eq!(fen(&rounds, "held"), [577_500]);
    let payouts = read_parquet(&w, "r1/case_payouts.parquet");
    assert_eq!(texts(&payouts, "person_id"), ["A", "B"]);
    assert_eq!(fen(&payouts, "paid"), [192_500, 0]);
    assert_eq!(fen(&payouts, "held"), [0, 577_500]);
    assert_eq!(texts(&payouts, "channel"), ["deposit_certificate", ""]);
    // The notice says the round's figures; no name reaches it.
    let notice = w.read("r1/case_notices.html");
    assert!(notice.contains("第1轮") && notice.contains("7,700.00") && notice.contains("19.25%"));
    for name in ["张三", "李四", "王五"] {
        assert!(!notice.contains(name));
    }
    // The console names the round.
    assert!(stderr(&o).contains("C1 第1轮 round 1"), "{}", stderr(&o));
}

#[test]
fn a_late_registrant_is_caught_up_to_the_fen_in_the_next_round() {
    let w = Workdir::new("case-late");
    write_case(&w, "data");
    ok(&w.run(&["case", "data", "--as-of", "2019-06-30", "--out", "r1"]));
    // B registers; a further 4,000 is realised. Cumulative share 11,700 of 40,000 = 29.25 %:
    // A is owed 2,925 in all (1,000 now); B 8,775: the 5,775 held, released, and 3,000 now.
    let p = w
        .read("data/participants.csv")
        .replace("C1,B,participant,,", "C1,B,participant,2019-09-01,");
    w.write("data/participants.csv", p);
    let mut a = w.read("data/case_assets.csv");
    a.push_str("C1,K2,frozen_account,,,realised,4000,2019-10-01\n");
    w.write("data/case_assets.csv", a);
    let o = w.run(&[
        "case",
        "data",
        "--ledger",
        "r1",
        "--as-of",
        "2019-12-31",
        "--out",
        "r2",
    ]);
    ok(&o);
    let payouts = read_parquet(&w, "r2/case_payouts.parquet");
    let round: Vec<i64> = payouts
        .column("round")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(round, [1, 1, 2, 2], "the ledger carries round 1");
    assert_eq!(texts(&payouts, "person_id"), ["A", "B", "A", "B"]);
    assert_eq!(fen(&payouts, "paid"), [192_500, 0, 100_000, 300_000]);
    assert_eq!(fen(&payouts, "released"), [0, 0, 0, 577_500]);
    assert_eq!(fen(&payouts, "held"), [0, 577_500, 0, 0]);
    assert_eq!(fen(&payouts, "payment"), [192_500, 0, 100_000, 877_500]);
    assert_eq!(fen(&payouts, "paid_before"), [0, 0, 192_500, 0]);
    assert_eq!(fen(&payouts, "held_before"), [0, 0, 0, 577_500]);
    let rounds = read_parquet(&w, "r2/case_rounds.parquet");
    assert_eq!(fen(&rounds, "amount"), [770_000, 400_000]);
    assert_eq!(fen(&rounds, "distributed_before"), [0, 770_000]);
    assert_eq!(fen(&rounds, "escrow_outstanding"), [577_500, 0]);
    // The help line: B's statement shows the escrow released with round 2 and what is owed.
    let o = w.run(&["case", "statement", "r2", "--person", "B"]);
    ok(&o);
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        text.contains("第1轮 round 1: 支付 paid 0.00 元; 提存 held 5,775.00 元"),
        "{text}"
    );
    assert!(
        text.contains(
            "第2轮 round 2: 支付 paid 8,775.00 元 (含补发提存 with 5,775.00 元 of escrow released)"
        ),
        "{text}"
    );
    assert!(text.contains("累计已付 paid so far 8,775.00 元; 提存待领 held until registration 0.00 元; 尚欠 still owed 21,225.00 元"), "{text}");
    assert!(!text.contains("李四"), "no names");
    let o = w.run(&["case", "statement", "r2", "--person", "b"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean B?"), "{}", stderr(&o));
    let o = w.run(&["case", "statement", "r2", "--person", "S"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("应退回 to give back 3,000.00 元"));
    // Running the same round again on its own ledger is refused: nothing is paid twice.
    let again = w.run(&[
        "case",
        "data",
        "--ledger",
        "r2",
        "--as-of",
        "2019-12-31",
        "--out",
        "r3",
    ]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("not after round 2"),
        "{}",
        stderr(&again)
    );
    assert!(!w.path("r3").exists());
}

#[test]
fn an_heir_is_paid_from_the_day_the_proof_is_accepted() {
    let w = Workdir::new("case-heir");
    write_case(&w, "data");
    // A has died; the heir's proof is accepted on 2019-09-01.
    let p = w.read("data/participants.csv").replace(
        "C1,A,participant,2018-07-01,,,",
        "C1,A,participant,2018-07-01,H-A,2019-09-01,",
    );
    w.write("data/participants.csv", p);
    ok(&w.run(&["case", "data", "--as-of", "2019-06-30", "--out", "r1"]));
    let payouts = read_parquet(&w, "r1/case_payouts.parquet");
    assert_eq!(
        fen(&payouts, "held"),
        [192_500, 577_500],
        "held until accepted"
    );
    assert_eq!(texts(&payouts, "payee"), ["heir", "person"]);
    let mut a = w.read("data/case_assets.csv");
    a.push_str("C1,K2,cash,,,realised,4000,2019-10-01\n");
    w.write("data/case_assets.csv", a);
    ok(&w.run(&[
        "case",
        "data",
        "--ledger",
        "r1",
        "--as-of",
        "2019-12-31",
        "--out",
        "r2",
    ]));
    let payouts = read_parquet(&w, "r2/case_payouts.parquet");
    // Round 2: A's heir gets the 1,925 held and A's 1,000 of the 4,000; B (still not
    // registered) has 3,000 more held.
    assert_eq!(fen(&payouts, "released"), [0, 0, 192_500, 0]);
    assert_eq!(fen(&payouts, "paid"), [0, 0, 100_000, 0]);
    assert_eq!(fen(&payouts, "held"), [192_500, 577_500, 0, 300_000]);
}

#[test]
fn a_pool_short_of_the_medical_costs_pays_no_participant() {
    let w = Workdir::new("case-medical");
    write_case(&w, "data");
    w.write(
        "data/other_claims.csv",
        "case_id,claim_id,kind,amount,asset_id\nC1,M1,人身损害医疗费,20000,\n",
    );
    ok(&w.run(&["case", "data", "--out", "r1"]));
    let wf = read_parquet(&w, "r1/case_waterfall.parquet");
    // 9,000 realised in all (the property is no longer secured): every fen to the medical
    // costs, 11,000 short; nothing for the participants, so no round.
    assert_eq!(fen(&wf, "owed")[..3], [2_000_000, 0, 4_000_000]);
    assert_eq!(fen(&wf, "paid")[..3], [900_000, 0, 0]);
    assert_eq!(read_parquet(&w, "r1/case_rounds.parquet").height(), 0);
    assert!(w.read("r1/case_notices.html").contains("本次没有清退轮次"));
}

#[test]
fn the_lawful_property_setting_decides_who_shares_it() {
    let w = Workdir::new("case-lawful");
    write_case(&w, "data");
    // Only lawful property (10,000) and a civil debt of 40,000; participants owed 40,000.
    w.write(
        "data/case_assets.csv",
        "case_id,asset_id,kind,lawful,book_value,status,realised_value,realised_on\n\
         C1,L1,property,true,,realised,10000,2018-06-01\n",
    );
    w.write(
        "data/other_claims.csv",
        "case_id,claim_id,kind,amount,asset_id\nC1,D1,civil_debt,40000,\n",
    );
    ok(&w.run(&["case", "data", "--out", "first"]));
    w.write("pro.toml", "[cases]\nlawful_property = \"pro_rata\"\n");
    ok(&w.run(&["case", "data", "--config", "pro.toml", "--out", "pro"]));
    let paid = |dir: &str| {
        fen(
            &read_parquet(&w, &format!("{dir}/case_waterfall.parquet")),
            "paid",
        )[..4]
            .to_vec()
    };
    // Participants first: all 10,000 to them. Pro rata: 5,000 each (40,000 owed each).
    assert_eq!(paid("first"), [0, 0, 1_000_000, 0]);
    assert_eq!(paid("pro"), [0, 0, 500_000, 500_000]);
    w.write("bad.toml", "[cases]\nlawful_property = \"court_decides\"\n");
    let o = w.run(&["case", "data", "--config", "bad.toml", "--out", "bad"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("lawful_property"), "{}", stderr(&o));
}

#[test]
fn resident_id_numbers_as_person_ids_reach_no_output_without_pseudonyms() {
    let w = Workdir::new("case-idnumber");
    write_case(&w, "data");
    let id = "110101199003077774";
    let p = w
        .read("data/participants.csv")
        .replace("C1,A,", &format!("C1,{id},"));
    w.write("data/participants.csv", p);
    let f = w
        .read("data/cash_flows.csv")
        .replace("C1,A,", &format!("C1,{id},"));
    w.write("data/cash_flows.csv", f);
    let o = w.run(&["case", "data", "--out", "r1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--pseudonymize"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(id));
    assert!(!w.path("r1").exists());
    let key = [("WINDDOWN_PSEUDONYM_KEY", "a-key-of-sixteen-chars")];
    let o = w.run_env(&["case", "data", "--pseudonymize", "--out", "r1"], &key);
    ok(&o);
    assert!(!stderr(&o).contains(id));
    for f in std::fs::read_dir(w.path("r1")).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        assert!(!bytes.windows(id.len()).any(|x| x == id.as_bytes()));
    }
    let p = read_parquet(&w, "r1/case_participants.parquet");
    assert!(texts(&p, "person_id")
        .iter()
        .any(|x| x.starts_with('H') && x.len() == 25));
}

#[test]
fn the_payment_file_is_private_and_a_payee_without_an_account_is_an_exception() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::new("case-pay");
    write_case(&w, "data");
    let p = w
        .read("data/participants.csv")
        .replace("C1,B,participant,,", "C1,B,participant,2018-07-01,");
    w.write("data/participants.csv", p);
    w.write("small.toml", "[cases]\ndeposit_certificate_from = 10000\n");
    ok(&w.run(&[
        "case",
        "data",
        "--config",
        "small.toml",
        "--payment-file",
        "pay.csv",
        "--out",
        "r1",
    ]));
    // A 1,925 is below 10,000: a transfer to A's account; B's 5,775 too.
    let pay = w.read("pay.csv");
    let lines: Vec<&str> = pay.lines().collect();
    assert_eq!(lines.len(), 3, "{pay}");
    assert!(lines[1].starts_with(
        "C1,1,A,person,张三,110101199003077774,6222020200112233445,工商银行,transfer,1925.00"
    ));
    assert!(lines[2].contains(",B,") && lines[2].ends_with("transfer,5775.00"));
    let mode = std::fs::metadata(w.path("pay.csv"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(
        w.read("r1/case_exceptions.csv").lines().count(),
        1,
        "header only"
    );
    // B without an account: the payment is an exception, without personal data.
    let p = w
        .read("data/participants.csv")
        .replace("6222020200112233446", "");
    w.write("data/participants.csv", p);
    ok(&w.run(&[
        "case",
        "data",
        "--config",
        "small.toml",
        "--payment-file",
        "pay2.csv",
        "--out",
        "r2",
    ]));
    assert_eq!(w.read("pay2.csv").lines().count(), 2);
    let ex = w.read("r2/case_exceptions.csv");
    assert!(ex.contains("C1,1,B,5775.00,transfer,bank_account"), "{ex}");
    assert!(!ex.contains("李四"));
}

#[test]
fn a_ledger_that_does_not_add_up_is_refused() {
    let w = Workdir::new("case-ledger");
    write_case(&w, "data");
    ok(&w.run(&["case", "data", "--as-of", "2019-06-30", "--out", "r1"]));
    // A person the ledger paid may not vanish from the tables, nor come back under another
    // id (a pseudonymised run's ledger used by a plain one): nobody is paid twice.
    let key = [("WINDDOWN_PSEUDONYM_KEY", "a-key-of-sixteen-chars")];
    ok(&w.run_env(
        &[
            "case",
            "data",
            "--as-of",
            "2019-06-30",
            "--pseudonymize",
            "--out",
            "p1",
        ],
        &key,
    ));
    let o = w.run(&["case", "data", "--ledger", "p1", "--out", "p2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not among the participants"),
        "{}",
        stderr(&o)
    );
    let o = w.run_env(
        &[
            "case",
            "data",
            "--ledger",
            "p1",
            "--pseudonymize",
            "--as-of",
            "2019-12-31",
            "--out",
            "p2",
        ],
        &key,
    );
    ok(&o);
    let kept = w.read("data/participants.csv");
    w.write(
        "data/participants.csv",
        kept.replace(
            "C1,B,participant,,,,李四,,6222020200112233446,工商银行\n",
            "",
        ),
    );
    let o = w.run(&["case", "data", "--ledger", "r1", "--out", "p3"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("person B of case C1"), "{}", stderr(&o));
    w.write("data/participants.csv", kept);
    // A run folder of another command is not a case ledger.
    let o = w.run(&["case", "data", "--ledger", "data", "--out", "r2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("case_rounds.parquet"), "{}", stderr(&o));
    // Payouts of one round copied into a folder with another round's totals.
    std::fs::create_dir_all(w.path("forged")).unwrap();
    std::fs::copy(
        w.path("r1/case_payouts.parquet"),
        w.path("forged/case_payouts.parquet"),
    )
    .unwrap();
    let mut a = w.read("data/case_assets.csv");
    a.push_str("C1,K2,cash,,,realised,4000,2019-10-01\n");
    w.write("data/case_assets.csv", a);
    ok(&w.run(&["case", "data", "--out", "other"]));
    std::fs::copy(
        w.path("other/case_rounds.parquet"),
        w.path("forged/case_rounds.parquet"),
    )
    .unwrap();
    let o = w.run(&["case", "data", "--ledger", "forged", "--out", "r2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a case ledger"), "{}", stderr(&o));
}

#[test]
fn the_docket_by_hand() {
    let w = Workdir::new("case-docket");
    // Four old cases (opened before 2019) and one new:
    // K1 closed 2019-05 (done in 2019); K2 all assets realised 2019-08 (done in 2019);
    // K3 in trial, an asset not realised (not done); K4 closed in 2018 (done before 2019: not
    // in the 2019 stock); K5 opened 2019-03 (not old). Stock at the start of 2019: K1, K2, K3
    // = 3; done 2 → 66.7 %, met. K3 was judged in 2017 and is not closed: listed by name.
    w.write(
        "d/cases.csv",
        "case_id,name,platform_ids,district,unit,opened_on,judged_on,status,status_on\n\
         K1,一案,,甲区,甲分局,2016-01-01,2017-06-01,closed,2019-05-01\n\
         K2,二案,,甲区,乙分局,2017-01-01,,execution,2018-03-01\n\
         K3,三案,,乙区,乙分局,2015-01-01,2017-02-01,trial,2016-06-01\n\
         K4,四案,,乙区,甲分局,2015-01-01,2016-01-01,销号,2018-12-01\n\
         K5,五案,,乙区,甲分局,2019-03-01,,侦查,2019-03-01\n",
    );
    w.write(
        "d/participants.csv",
        "case_id,person_id,role,registered_on\nK2,p1,participant,2018-01-01\n",
    );
    w.write(
        "d/cash_flows.csv",
        "case_id,person_id,account_id,kind,amount,flow_on\nK2,p1,x,deposit,1000,2016-01-01\n",
    );
    w.write(
        "d/case_assets.csv",
        "case_id,asset_id,kind,lawful,book_value,status,realised_value,realised_on\n\
         K2,a1,cash,,,realised,100,2019-08-01\n\
         K3,a2,property,,5000,seized,,\n",
    );
    let o = w.run(&[
        "case",
        "progress",
        "d",
        "--as-of",
        "2019-12-31",
        "--old-before",
        "2019-01-01",
        "--out",
        "docket",
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("年初存量 stock 3, 化解 done 2 (达标 target met)"),
        "{}",
        stderr(&o)
    );
    let md = w.read("docket/docket.md");
    assert!(md.contains("| 2019 | 3 | 2 | 66.7% | 达标 met |"), "{md}");
    assert!(md.contains("| 甲区 | 2 | 2 | 100.0% | 达标 met |"), "{md}");
    assert!(
        md.contains("| 乙区 | 1 | 0 | 0.0% | 未达标 missed |"),
        "{md}"
    );
    assert!(
        md.contains("Judged before 2018, not closed: 1") && md.contains("| K3 | 三案 |"),
        "{md}"
    );
    let d = read_parquet(&w, "docket/case_docket.parquet");
    assert_eq!(texts(&d, "case_id"), ["K1", "K2", "K3", "K4", "K5"]);
    let flag = |c: &str| {
        bools(&d, c)
            .into_iter()
            .map(Option::unwrap)
            .collect::<Vec<_>>()
    };
    assert_eq!(flag("old"), [true, true, true, true, false]);
    assert_eq!(
        flag("judged_before_2018_open"),
        [false, false, true, false, false]
    );
    // Closed cases count as disposed; K2's only asset is realised; K3's is not.
    assert_eq!(flag("assets_disposed"), [true, true, false, true, false]);
}

#[test]
fn the_sample_in_two_rounds_and_the_same_bytes_from_parquet_and_shuffled_rows() {
    let w = Workdir::new("case-sample");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/cases");
    let sample = sample.to_str().unwrap();
    ok(&w.run(&["case", sample, "--as-of", "2021-06-30", "--out", "r1"]));
    ok(&w.run(&["case", sample, "--ledger", "r1", "--out", "r2"]));
    // Σ identities over the whole ledger: each round's paid + held + surplus = amount; every
    // person's payments and escrow within their loss; escrow released at most once.
    let rounds = read_parquet(&w, "r2/case_rounds.parquet");
    let (amount, paid, held, surplus) = (
        fen(&rounds, "amount"),
        fen(&rounds, "paid"),
        fen(&rounds, "held"),
        fen(&rounds, "surplus"),
    );
    for i in 0..rounds.height() {
        assert_eq!(paid[i] + held[i] + surplus[i], amount[i]);
    }
    let round: Vec<i64> = rounds
        .column("round")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert!(round.contains(&2), "a second round");
    let p = read_parquet(&w, "r2/case_payouts.parquet");
    let (case, person, loss) = (
        texts(&p, "case_id"),
        texts(&p, "person_id"),
        fen(&p, "loss"),
    );
    let (pp, rel, hd) = (fen(&p, "paid"), fen(&p, "released"), fen(&p, "held"));
    let mut totals: std::collections::BTreeMap<(String, String), (i64, i64, i64)> =
        Default::default();
    for i in 0..p.height() {
        let t = totals
            .entry((case[i].clone(), person[i].clone()))
            .or_default();
        t.0 += pp[i] + rel[i];
        t.1 += hd[i] - rel[i];
        t.2 = loss[i];
        assert!(t.1 >= 0, "released more than held");
        assert!(t.0 + t.1 <= t.2, "beyond the loss");
    }
    assert!(
        fen(&rounds, "released").iter().sum::<i64>() > 0,
        "a late registrant caught up"
    );
    // The same rows as Parquet, and shuffled: the same exports, byte for byte.
    ok(&w.run(&[
        "generate",
        "--cases",
        "--seed",
        "2019",
        "--platforms",
        "8",
        "--lenders",
        "600",
        "--format",
        "parquet",
        "--out",
        "pq",
    ]));
    ok(&w.run(&["case", "pq", "--as-of", "2021-06-30", "--out", "q1"]));
    std::fs::create_dir_all(w.path("shuffled")).unwrap();
    for t in [
        "cases",
        "participants",
        "cash_flows",
        "case_assets",
        "other_claims",
    ] {
        let text = std::fs::read_to_string(format!("{sample}/{t}.csv")).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        lines.reverse();
        w.write(
            &format!("shuffled/{t}.csv"),
            format!("{header}\n{}\n", lines.join("\n")),
        );
    }
    ok(&w.run(&["case", "shuffled", "--as-of", "2021-06-30", "--out", "s1"]));
    for f in [
        "case_participants.parquet",
        "case_clawbacks.parquet",
        "case_waterfall.parquet",
        "case_rounds.parquet",
        "case_payouts.parquet",
        "case_docket.parquet",
        "case_notices.html",
        "docket.md",
    ] {
        let a = std::fs::read(w.path(&format!("r1/{f}"))).unwrap();
        assert_eq!(
            a,
            std::fs::read(w.path(&format!("q1/{f}"))).unwrap(),
            "{f} from Parquet"
        );
        assert_eq!(
            a,
            std::fs::read(w.path(&format!("s1/{f}"))).unwrap(),
            "{f} from shuffled rows"
        );
    }
}

#[test]
fn every_case_row_is_accepted_or_rejected_with_where_and_why() {
    let w = Workdir::new("case-rejects");
    write_case(&w, "data");
    let mut p = w.read("data/participants.csv");
    p.push_str("C1,A,participant,,,,,,,\n"); // line 8: A twice
    p.push_str("C9,Y,participant,,,,,,,\n"); // line 9: no case C9
    p.push_str("C1,Z,victim,,,,,,,\n"); // line 10: not a role
    p.push_str("C1,V,participant,,,2019-01-01,,,,\n"); // line 11: an heir's date without an heir
    w.write("data/participants.csv", p);
    let mut a = w.read("data/case_assets.csv");
    a.push_str("C1,R1,cash,,,realised,,\n"); // line 5: realised without its value
    a.push_str("C1,R2,cash,,,frozen,100,2018-01-01\n"); // line 6: a value on a frozen asset
    a.push_str("C1,R3,cash,,,realised,-5,2018-01-01\n"); // line 7: negative
    w.write("data/case_assets.csv", a);
    let mut k = w.read("data/other_claims.csv");
    k.push_str("C1,S2,secured,100,\n"); // line 5: secured on nothing
    k.push_str("C1,S3,secured,100,NOPE\n"); // line 6: on an asset the case lacks
    k.push_str("C1,F2,fine,100,H1\n"); // line 7: a fine on an asset
    k.push_str("C1,F3,fine,0,\n"); // line 8: nothing owed
    w.write("data/other_claims.csv", k);
    let o = w.run(&["case", "data", "--out", "r1"]);
    ok(&o);
    let got: Vec<(String, String, String, String)> = rejects(&w.read("r1/rejects.csv"))
        .into_iter()
        .map(|r| (r[1].clone(), r[2].clone(), r[3].clone(), r[5].clone()))
        .collect();
    let want = [
        ("participants.csv", "8", "person_id", "duplicate_id"),
        ("participants.csv", "9", "case_id", "unknown_parent"),
        ("participants.csv", "10", "role", "bad_enum"),
        ("participants.csv", "11", "heir_accepted_on", "inconsistent"),
        ("cash_flows.csv", "12", "account_id", "inconsistent"),
        ("case_assets.csv", "5", "realised_value", "missing_value"),
        ("case_assets.csv", "6", "realised_value", "inconsistent"),
        ("case_assets.csv", "7", "realised_value", "out_of_range"),
        ("other_claims.csv", "5", "asset_id", "missing_value"),
        ("other_claims.csv", "6", "asset_id", "unknown_parent"),
        ("other_claims.csv", "7", "asset_id", "inconsistent"),
        ("other_claims.csv", "8", "amount", "out_of_range"),
    ]
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()));
    assert_eq!(got, want);
    // Counts: read = accepted + rejected, per table.
    let v: serde_json::Value = serde_json::from_str(&w.read("r1/validation.json")).unwrap();
    let t = &v["tables"]["participants"];
    assert_eq!(
        (
            t["read"].as_u64(),
            t["accepted"].as_u64(),
            t["rejected"].as_u64()
        ),
        (Some(10), Some(6), Some(4))
    );
    // --strict refuses the lot, and writes nothing.
    let o = w.run(&["case", "data", "--strict", "--out", "strict"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!w.path("strict").exists());
}

#[test]
fn bank_batches_carry_the_transfers_and_their_control_totals() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::new("case-batches");
    write_case(&w, "data");
    let p = w
        .read("data/participants.csv")
        .replace("C1,B,participant,,", "C1,B,participant,2018-07-01,");
    w.write("data/participants.csv", p);
    // A transfer below 2,000 yuan: A's 1,925 goes by transfer; B's 5,775 as a deposit
    // certificate (issued from the payment file's name and id number, not in a batch).
    w.write("t.toml", "[cases]\ndeposit_certificate_from = 2000\n");
    let o = w.run(&[
        "case",
        "data",
        "--config",
        "t.toml",
        "--payments",
        "bank",
        "--out",
        "r1",
    ]);
    ok(&o);
    let mut files: Vec<String> = std::fs::read_dir(w.path("bank"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "C1_r1_b01_001.csv",
            "C1_r1_b01_001.xlsx",
            "C1_r1_control.csv"
        ]
    );
    let batch = w.read("bank/C1_r1_b01_001.csv");
    assert!(
        batch.contains(
            "1,6222020200112233445,张三,工商银行,1925.00,甲公司非法吸收公众存款案第1轮清退兑付"
        ),
        "{batch}"
    );
    let control = w.read("bank/C1_r1_control.csv");
    assert!(
        control.contains("合计 total,C1 第1轮,1,1925.00,0,"),
        "{control}"
    );
    let mode = std::fs::metadata(w.path("bank/C1_r1_b01_001.csv"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // Without A's account the transfer is an exception, named by person, never batched.
    let p = w
        .read("data/participants.csv")
        .replace("6222020200112233445", "");
    w.write("data/participants.csv", p);
    let o = w.run(&[
        "case",
        "data",
        "--config",
        "t.toml",
        "--payments",
        "bank2",
        "--out",
        "r2",
    ]);
    ok(&o);
    let ex = w.read("bank2/exceptions.csv");
    assert!(
        ex.contains("案件编号 case_id,轮次 round,人员编号 person_id"),
        "{ex}"
    );
    assert!(
        ex.contains("C1,1,A,1925.00,清退 clearance,无有效收款账号"),
        "{ex}"
    );
    assert!(stderr(&o).contains("exceptions.csv"), "{}", stderr(&o));
    // The folder is a record of money sent: never replaced without --force.
    let o = w.run(&[
        "case",
        "data",
        "--config",
        "t.toml",
        "--payments",
        "bank",
        "--out",
        "r3",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!w.path("r3").exists());
}

#[test]
fn amounts_beyond_exact_sums_are_refused_not_wrapped() {
    let w = Workdir::new("case-huge");
    write_case(&w, "data");
    let mut f = w.read("data/cash_flows.csv");
    f.push_str("C1,A,a1,deposit,20000000000000000,2016-01-01\nC1,B,b1,deposit,20000000000000000,2016-01-01\n");
    w.write("data/cash_flows.csv", f);
    let o = w.run(&["case", "data", "--out", "r1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not credible"), "{}", stderr(&o));
    assert!(!w.path("r1").exists());
}
