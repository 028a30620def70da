//! The returns table (退汇): transfers the bank sent back, booked on their round command after
//! command on the ledger — held, re-issued once the lender's account has changed, never booked
//! or sent twice — and the returns that do not fit what was paid, refused.

use std::collections::BTreeMap;

use crate::util::{fen, read_parquet, stderr, texts, Workdir};

const OLD_A: &str = "6222000000000000011";
const NEW_A: &str = "6222000000000000099";

/// Platform F has failed: claims A 1,000, B 3,000, C 1,000, R 1,000 (unregistered).
fn fixture(w: &Workdir, accounts: [&str; 3], recoveries: &str, returns: &str) {
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\nF,甲,鄂城区,true\n",
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\n\
         D1,F,B1,individual,2019-01-01,2000,2000\n",
    );
    w.write(
        "data/lenders.csv",
        format!(
            "lender_id,name,id_number,registered,bank_account,bank_name\n\
             A,MARKNAME_A,11010519491231002X,,{},中国工商银行\n\
             B,MARKNAME_B,11010519491231002X,,{},中国工商银行\n\
             C,MARKNAME_C,11010519491231002X,,{},中国建设银行\n\
             R,MARKNAME_R,,no,,\n",
            accounts[0], accounts[1], accounts[2]
        ),
    );
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n\
         I1,F,A,2019-01-01,1000,0,0\n\
         I2,F,B,2019-01-01,3000,0,0\n\
         I3,F,C,2019-01-01,1000,0,0\n\
         I4,F,R,2019-01-01,1000,0,0\n",
    );
    write_rounds(w, recoveries, returns);
}

/// The recoveries, and the returns table (none when `returns` is empty).
fn write_rounds(w: &Workdir, recoveries: &str, returns: &str) {
    w.write(
        "data/recoveries.csv",
        format!("platform_id,round,amount,received_on\n{recoveries}"),
    );
    let _ = std::fs::remove_file(w.path("data/returns.csv"));
    if !returns.is_empty() {
        w.write(
            "data/returns.csv",
            format!(
                "platform_id,round,lender_id,amount,returned_on,reason,bank_account\n{returns}"
            ),
        );
    }
}

const B_ACCT: &str = "6222000000000000022";
const C_ACCT: &str = "6222000000000000033";
const ROUND_1: &str = "F,1,1200,2019-03-01\n";
const ROUNDS_1_2: &str = "F,1,1200,2019-03-01\nF,2,2400,2019-06-01\n";

fn payout(w: &Workdir, ledger: Option<&str>, pay: &str, out: &str) -> std::process::Output {
    let mut args = vec!["payout", "data", "--as-of", "2019-06-30"];
    if let Some(l) = ledger {
        args.extend(["--ledger", l]);
    }
    let batches = format!("{pay}-batches");
    args.extend(["--payment-file", pay, "--payments", &batches, "--out", out]);
    w.run(&args)
}

fn ok(o: std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// The payment file's transfers: (round, lender) → fen.
fn transfers(w: &Workdir, file: &str) -> BTreeMap<(i64, String), i64> {
    let mut out = BTreeMap::new();
    let text = w.read(file);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    for rec in r.records() {
        let rec = rec.unwrap();
        let (yuan, cents) = rec[5].split_once('.').unwrap();
        let f: i64 = yuan.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap();
        *out.entry((rec[1].parse().unwrap(), rec[2].to_string()))
            .or_default() += f;
    }
    out
}

/// Every round of `out` adds up: paid + reserved + carried + returned + surplus = pool, and its
/// rows to its line.
fn adds_up(w: &Workdir, out: &str) {
    let r = read_parquet(w, &format!("{out}/payout_rounds.parquet"));
    let [pool, parts @ ..] =
        ["pool", "paid", "reserved", "carried", "returned", "surplus"].map(|c| fen(&r, c));
    for (i, pool) in pool.iter().enumerate() {
        let sum: i64 = parts.iter().map(|p| p[i]).sum();
        assert_eq!(*pool, sum, "{out} round line {i}");
    }
    let p = read_parquet(w, &format!("{out}/payouts.parquet"));
    let round: Vec<i64> = p
        .column("round")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    let rounds: Vec<i64> = r
        .column("round")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    for (c, col) in ["paid", "reserved", "carried", "returned", "reissued"]
        .iter()
        .enumerate()
    {
        let rows = fen(&p, col);
        let line = fen(&r, col);
        for (j, n) in rounds.iter().enumerate() {
            let sum: i64 = (0..p.height())
                .filter(|&k| round[k] == *n)
                .map(|k| rows[k])
                .sum();
            assert_eq!(sum, line[j], "{out} round {n} column {c}");
        }
    }
}

#[test]
fn returned_transfers_held_reissued_and_never_sent_twice() {
    let w = Workdir::new("returns");
    // 1. Round 1 (pool 1,200, level .2): A 200, B 600, C 200 paid, R 200 reserved.
    fixture(&w, [OLD_A, B_ACCT, C_ACCT], ROUND_1, "");
    ok(payout(&w, None, "pay-1.csv", "r1"));
    assert_eq!(
        transfers(&w, "pay-1.csv"),
        BTreeMap::from([
            ((1, "A".into()), 20_000),
            ((1, "B".into()), 60_000),
            ((1, "C".into()), 20_000)
        ])
    );

    // 2. The bank returns A's 200 (A has given a new account since) and C's 200 (the bank's
    //    list gives no account); round 2 (pool 2,400) is paid on the ledger.
    let returns =
        format!("F,1,A,200,2019-07-05,账户已销户,{OLD_A}\nF,1,C,200,2019-07-05,户名不符,\n");
    fixture(&w, [NEW_A, B_ACCT, C_ACCT], ROUNDS_1_2, &returns);
    ok(payout(&w, Some("r1"), "pay-2.csv", "r2"));
    adds_up(&w, "r2");
    let p = read_parquet(&w, "r2/payouts.parquet");
    assert_eq!(
        texts(&p, "lender_id"),
        ["A", "B", "C", "R", "A", "B", "C", "R"]
    );
    assert_eq!(
        texts(&p, "status"),
        [
            "eligible", "eligible", "returned", "reserved", "eligible", "eligible", "eligible",
            "reserved"
        ]
    );
    assert_eq!(
        fen(&p, "paid"),
        [20_000, 60_000, 0, 0, 40_000, 120_000, 40_000, 0]
    );
    assert_eq!(fen(&p, "returned"), [0, 0, 20_000, 0, 0, 0, 0, 0]);
    assert_eq!(fen(&p, "reissued"), [20_000, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        fen(&p, "returned_total"),
        [20_000, 0, 20_000, 0, 0, 0, 0, 0]
    );
    // Round 2 is divided as if every transfer had gone through: the held 200 is still C's.
    assert_eq!(
        fen(&p, "before"),
        [0, 0, 0, 0, 20_000, 60_000, 20_000, 20_000]
    );
    assert_eq!(
        fen(&p, "cumulative"),
        [20_000, 60_000, 20_000, 20_000, 60_000, 180_000, 60_000, 60_000]
    );
    let r = read_parquet(&w, "r2/payout_rounds.parquet");
    assert_eq!(fen(&r, "paid"), [80_000, 200_000]);
    assert_eq!(fen(&r, "reserved"), [20_000, 40_000]);
    assert_eq!(fen(&r, "returned"), [20_000, 0]);
    assert_eq!(fen(&r, "reissued"), [20_000, 0]);
    let lenders_paid: Vec<i64> = r
        .column("lenders_paid")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(lenders_paid, [2, 3]);
    // The payment file: A's 200 again (round 1), and round 2.
    assert_eq!(
        transfers(&w, "pay-2.csv"),
        BTreeMap::from([
            ((1, "A".into()), 20_000),
            ((2, "A".into()), 40_000),
            ((2, "B".into()), 120_000),
            ((2, "C".into()), 40_000)
        ])
    );
    // The batch of round 1 sends the re-issue to the new account; its control total is the
    // round's reissued.
    // (Files are named by the bank's number in the round, never by its name.)
    let batch = w.read("pay-2.csv-batches/F_r1_b01_001.csv");
    assert!(
        batch.contains(&format!(
            "1,{NEW_A},MARKNAME_A,中国工商银行,200.00,甲第1轮清退兑付(退汇重发)"
        )),
        "{batch}"
    );
    assert!(!batch.contains(OLD_A));
    let control = w.read("pay-2.csv-batches/F_r1_control.csv");
    assert!(
        control.contains("合计 total,F 第1轮,1,200.00,"),
        "{control}"
    );
    // What became of each return, and why.
    let t = read_parquet(&w, "r2/returned_transfers.parquet");
    assert_eq!(texts(&t, "lender_id"), ["A", "C"]);
    assert_eq!(texts(&t, "disposition"), ["reissued", "held"]);
    assert_eq!(
        texts(&t, "reason"),
        ["account_changed", "no_account_on_return"]
    );
    assert_eq!(fen(&t, "held"), [0, 20_000]);
    assert_eq!(fen(&t, "booked_now"), [20_000, 20_000]);

    // 3. Nothing new: a command on that ledger sends nothing again.
    ok(payout(&w, Some("r2"), "pay-3.csv", "r3"));
    assert!(transfers(&w, "pay-3.csv").is_empty());
    adds_up(&w, "r3");
    let t = read_parquet(&w, "r3/returned_transfers.parquet");
    assert_eq!(texts(&t, "disposition"), ["settled", "held"]);
    assert_eq!(fen(&t, "booked_now"), [0, 0]);

    // 4. The re-issue to A's new account comes back too: held (the account is the one
    //    returned), never re-sent on its own.
    let returns = format!("{returns}F,1,A,200,2019-08-01,账户冻结,{NEW_A}\n");
    fixture(&w, [NEW_A, B_ACCT, C_ACCT], ROUNDS_1_2, &returns);
    ok(payout(&w, Some("r3"), "pay-4.csv", "r4"));
    assert!(transfers(&w, "pay-4.csv").is_empty());
    adds_up(&w, "r4");
    let p = read_parquet(&w, "r4/payouts.parquet");
    assert_eq!(fen(&p, "paid")[..4], [0, 60_000, 0, 0]);
    assert_eq!(fen(&p, "returned")[..4], [20_000, 0, 20_000, 0]);
    assert_eq!(fen(&p, "returned_total")[..4], [40_000, 0, 20_000, 0]);
    let t = read_parquet(&w, "r4/returned_transfers.parquet");
    assert_eq!(
        texts(&t, "reason"),
        ["account_unchanged", "no_account_on_return"]
    );

    // 5. Both give new accounts, and C's return now names the account it was sent to: both
    //    held amounts go out again, once.
    let returns = returns.replace("户名不符,", &format!("户名不符,{C_ACCT}"));
    fixture(
        &w,
        ["6222000000000000077", B_ACCT, "6222000000000000044"],
        ROUNDS_1_2,
        &returns,
    );
    ok(payout(&w, Some("r4"), "pay-5.csv", "r5"));
    adds_up(&w, "r5");
    assert_eq!(
        transfers(&w, "pay-5.csv"),
        BTreeMap::from([((1, "A".into()), 20_000), ((1, "C".into()), 20_000)])
    );
    ok(payout(&w, Some("r5"), "pay-6.csv", "r6"));
    assert!(transfers(&w, "pay-6.csv").is_empty());

    // Nobody paid twice, nothing lost: per lender, everything sent less everything returned is
    // what the last ledger says was paid.
    let mut sent: BTreeMap<String, i64> = BTreeMap::new();
    for n in 1..=6 {
        for ((_, lender), f) in transfers(&w, &format!("pay-{n}.csv")) {
            *sent.entry(lender).or_default() += f;
        }
    }
    let returned: BTreeMap<&str, i64> = BTreeMap::from([("A", 40_000), ("C", 20_000)]);
    let p = read_parquet(&w, "r6/payouts.parquet");
    let mut paid: BTreeMap<String, i64> = BTreeMap::new();
    for (l, f) in texts(&p, "lender_id").into_iter().zip(fen(&p, "paid")) {
        *paid.entry(l).or_default() += f;
    }
    for (lender, f) in &paid {
        let s = sent.get(lender).copied().unwrap_or(0);
        assert_eq!(
            s - returned.get(lender.as_str()).copied().unwrap_or(0),
            *f,
            "{lender}"
        );
    }
    assert_eq!(paid["A"], 60_000);
    assert_eq!(paid["C"], 60_000);
    assert_eq!(
        fen(&read_parquet(&w, "r6/payout_rounds.parquet"), "returned"),
        [0, 0]
    );

    // The returned accounts reach no output folder.
    for out in ["r2", "r3", "r4", "r5", "r6"] {
        for e in std::fs::read_dir(w.path(out)).unwrap() {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for marker in [OLD_A, NEW_A, C_ACCT, "MARKNAME"] {
                assert!(!text.contains(marker), "{out}: {marker}");
            }
        }
    }
}

#[test]
fn returns_that_do_not_fit_what_was_paid_are_refused() {
    let w = Workdir::new("returns-refused");
    fixture(&w, [OLD_A, B_ACCT, C_ACCT], ROUND_1, "");
    ok(payout(&w, None, "pay-1.csv", "r1"));
    let refused = |returns: &str, ledger: Option<&str>, needle: &str| {
        fixture(&w, [NEW_A, B_ACCT, C_ACCT], ROUNDS_1_2, returns);
        let o = payout(&w, ledger, "pay-x.csv", "rx");
        assert_eq!(o.status.code(), Some(2), "{returns}: {}", stderr(&o));
        // One line under the validation counts: the error.
        let e = stderr(&o);
        let last = e.trim_end().lines().last().unwrap_or_default().to_string();
        assert!(
            last.starts_with("winddown: ") && last.contains(needle),
            "{returns}: {e}"
        );
        assert!(!w.path("rx").exists() && !w.path("pay-x.csv").exists());
        assert!(!w.path("pay-x.csv-batches").exists());
    };
    // More than B was paid (600), at once or over two rows.
    refused(
        "F,1,B,600.01,2019-07-05,,\n",
        Some("r1"),
        "returns.csv line 2: lender B was paid 600.00 yuan",
    );
    refused(
        "F,1,B,300,2019-07-05,,\nF,1,B,300.01,2019-07-06,,\n",
        Some("r1"),
        "add up to 600.01 yuan",
    );
    // R was reserved, not sent.
    refused(
        "F,1,R,1,2019-07-05,,\n",
        Some("r1"),
        "lender R was paid nothing in round 1",
    );
    // No round 3 in the recoveries.
    refused(
        "F,3,A,1,2019-07-05,,\n",
        Some("r1"),
        "the recoveries have no such round",
    );
    // Without the ledger that paid round 1, this command would pay it again.
    refused("F,1,A,200,2019-07-05,,\n", None, "--ledger");
    // At exactly what was paid: accepted.
    fixture(
        &w,
        [NEW_A, B_ACCT, C_ACCT],
        ROUNDS_1_2,
        "F,1,B,600,2019-07-05,,\n",
    );
    ok(payout(&w, Some("r1"), "pay-2.csv", "r2"));
    let r = read_parquet(&w, "r2/payout_rounds.parquet");
    assert_eq!(fen(&r, "returned"), [60_000, 0]);
    // A return booked by the ledger and then dropped from the table.
    refused("", Some("r2"), "lists none of them");
}

#[test]
fn returns_rows_are_checked_like_every_input_row() {
    let w = Workdir::new("returns-rows");
    fixture(
        &w,
        [OLD_A, B_ACCT, C_ACCT],
        ROUND_1,
        "F,1,A,0,2019-07-05,,\n\
         F,1,Z,1,2019-07-05,,MARKACCOUNT_1\n\
         Q,1,A,1,2019-07-05,,\n\
         F,0,A,1,2019-07-05,,\n\
         F,1,A,1,2019-02-30,,\n\
         F,1,A,1,2030-01-01,,MARKACCOUNT_2\n",
    );
    let o = w.run(&["run", "data", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rejects = crate::util::rejects(&w.read("r/rejects.csv"));
    let got: Vec<(String, String, String)> = rejects
        .iter()
        .filter(|r| r[0] == "returns")
        .map(|r| (r[2].clone(), r[3].clone(), r[5].clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("2".into(), "amount".into(), "out_of_range".into()),
            ("3".into(), "lender_id".into(), "unknown_parent".into()),
            ("4".into(), "platform_id".into(), "unknown_parent".into()),
            ("5".into(), "round".into(), "out_of_range".into()),
            ("6".into(), "returned_on".into(), "bad_date".into()),
        ]
    );
    // A return dated after the as-of is not refused (returns come after the payout), and the
    // returns do not move the as-of.
    let v: serde_json::Value = serde_json::from_str(&w.read("r/validation.json")).unwrap();
    assert_eq!(v["tables"]["returns"]["read"], 6);
    assert_eq!(v["tables"]["returns"]["accepted"], 1);
    assert_eq!(v["as_of"], "2019-03-01");
    let t = read_parquet(&w, "r/returned_transfers.parquet");
    assert_eq!(fen(&t, "held"), [100]);
    for e in std::fs::read_dir(w.path("r")).unwrap() {
        let text = String::from_utf8_lossy(&std::fs::read(e.unwrap().path()).unwrap()).to_string();
        assert!(!text.contains("MARKACCOUNT"));
    }
}

/// One random workflow: lenders with claims and accounts, a round paid per command on the
/// previous command's ledger, some transfers of each command returned by the bank (all or part,
/// with or without the account on the bank's list), some accounts changed between commands.
#[derive(Debug, Clone)]
struct Workflow {
    /// Per lender: claim in fen (> 0) and registered.
    lenders: Vec<(i64, bool)>,
    /// Per command: the new round's pool (fen).
    pools: Vec<i64>,
    /// Per command and per transfer of the previous command: returned (part in 1/4s, 0 = not),
    /// and whether the bank's list gives the account.
    returns: Vec<Vec<(u8, bool)>>,
    /// Per command and lender: the account changes before it.
    changes: Vec<Vec<bool>>,
}

fn workflow() -> impl proptest::strategy::Strategy<Value = Workflow> {
    use proptest::prelude::*;
    (2usize..7, 2usize..5).prop_flat_map(|(n, commands)| {
        (
            proptest::collection::vec((1i64..500_000, proptest::bool::weighted(0.8)), n),
            proptest::collection::vec(0i64..400_000, commands),
            proptest::collection::vec(
                proptest::collection::vec((0u8..5, any::<bool>()), 2 * n),
                commands,
            ),
            proptest::collection::vec(proptest::collection::vec(any::<bool>(), n), commands),
        )
            .prop_map(|(lenders, pools, returns, changes)| Workflow {
                lenders,
                pools,
                returns,
                changes,
            })
    })
}

fn run_workflow(wf: &Workflow) {
    let w = Workdir::new("returns-prop");
    let n = wf.lenders.len();
    let mut account: Vec<u64> = (0..n as u64)
        .map(|l| 6_222_000_000_000_000_000 + l * 1_000)
        .collect();
    let mut returns = String::new();
    let mut returned: BTreeMap<String, i64> = BTreeMap::new();
    let mut sent: BTreeMap<String, i64> = BTreeMap::new();
    // The transfers of the previous command: (round, lender, fen, account).
    let mut last: Vec<(i64, usize, i64, u64)> = Vec::new();
    let mut recoveries = String::new();
    for (c, pool) in wf.pools.iter().enumerate() {
        // The bank's returns of the previous command's transfers, then new accounts.
        for (k, &(round, l, f, acct)) in last.iter().enumerate() {
            let (part, with_account) = wf.returns[c][k % wf.returns[c].len()];
            let amount = f * i64::from(part) / 4;
            if amount > 0 {
                let shown = if with_account {
                    acct.to_string()
                } else {
                    String::new()
                };
                returns.push_str(&format!(
                    "F,{round},L{l},{}.{:02},2019-07-{:02},,{shown}\n",
                    amount / 100,
                    amount % 100,
                    c + 1
                ));
                *returned.entry(format!("L{l}")).or_default() += amount;
            }
        }
        for (acct, changed) in account.iter_mut().zip(&wf.changes[c]) {
            if *changed {
                *acct += 1;
            }
        }
        recoveries.push_str(&format!(
            "F,{},{}.{:02},2019-03-01\n",
            c + 1,
            pool / 100,
            pool % 100
        ));
        let mut lenders = String::from("lender_id,name,registered,bank_account,bank_name\n");
        let mut investments = String::from(
            "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n",
        );
        for (l, (claim, registered)) in wf.lenders.iter().enumerate() {
            lenders.push_str(&format!(
                "L{l},N{l},{},{},中国银行\n",
                if *registered { "yes" } else { "no" },
                account[l]
            ));
            investments.push_str(&format!(
                "I{l},F,L{l},2019-01-01,{}.{:02},0,0\n",
                claim / 100,
                claim % 100
            ));
        }
        w.write(
            "data/platforms.csv",
            "platform_id,name,district,repayment_suspended\nF,甲,鄂城区,true\n",
        );
        w.write("data/loans.csv", "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\nD1,F,B1,individual,2019-01-01,1,1\n");
        w.write("data/lenders.csv", lenders);
        w.write("data/investments.csv", investments);
        write_rounds(&w, &recoveries, &returns);
        let out = format!("r{c}");
        let pay = format!("pay-{c}.csv");
        let prev = c.checked_sub(1).map(|p| format!("r{p}"));
        ok(payout(&w, prev.as_deref(), &pay, &out));
        adds_up(&w, &out);
        last = transfers(&w, &pay)
            .into_iter()
            .map(|((round, lender), f)| {
                let l: usize = lender[1..].parse().unwrap();
                *sent.entry(lender).or_default() += f;
                (round, l, f, account[l])
            })
            .collect();
        // Σ sent − Σ returned = Σ paid, per lender; nobody above the claim; nothing negative.
        let p = read_parquet(&w, &format!("{out}/payouts.parquet"));
        let ids = texts(&p, "lender_id");
        let mut paid: BTreeMap<String, i64> = BTreeMap::new();
        for (l, f) in ids.iter().zip(fen(&p, "paid")) {
            *paid.entry(l.clone()).or_default() += f;
        }
        for (l, f) in &paid {
            let s = sent.get(l).copied().unwrap_or(0) - returned.get(l).copied().unwrap_or(0);
            assert_eq!(s, *f, "command {c}, lender {l}: {wf:?}");
        }
        let (claim, cumulative) = (fen(&p, "claim"), fen(&p, "cumulative"));
        assert!((0..p.height()).all(|k| cumulative[k] <= claim[k]));
        assert!(fen(&p, "returned").iter().all(|v| *v >= 0));
        assert!(fen(&p, "paid").iter().all(|v| *v >= 0));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    #[test]
    fn any_order_of_returns_and_new_accounts_pays_nobody_twice(wf in workflow()) {
        run_workflow(&wf);
    }
}

#[test]
fn a_ledger_written_before_returns_existed_is_read_as_nothing_returned() {
    use polars::prelude::*;
    let w = Workdir::new("returns-old-ledger");
    fixture(&w, [OLD_A, B_ACCT, C_ACCT], ROUND_1, "");
    ok(payout(&w, None, "pay-1.csv", "r1"));
    std::fs::create_dir(w.path("old")).unwrap();
    for (file, drop) in [
        (
            "payouts.parquet",
            &["returned", "reissued", "returned_total"][..],
        ),
        ("payout_rounds.parquet", &["returned", "reissued"][..]),
    ] {
        let mut df = read_parquet(&w, &format!("r1/{file}"));
        for c in drop {
            df = df.drop(c).unwrap();
        }
        let f = std::fs::File::create(w.path(&format!("old/{file}"))).unwrap();
        ParquetWriter::new(f).finish(&mut df).unwrap();
    }
    let returns = format!("F,1,A,200,2019-07-05,,{OLD_A}\nF,1,C,200,2019-07-05,,\n");
    fixture(&w, [NEW_A, B_ACCT, C_ACCT], ROUNDS_1_2, &returns);
    ok(payout(&w, Some("old"), "pay-2.csv", "from-old"));
    let o = payout(&w, Some("r1"), "pay-3.csv", "from-new");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(w.path("from-old/payouts.parquet")).unwrap(),
        std::fs::read(w.path("from-new/payouts.parquet")).unwrap()
    );
    // The same transfers computed on either ledger; issued once (the register of pay-2.csv's
    // folder lists them): pay-3.csv has the header only.
    assert_eq!(w.read("pay-2.csv").lines().count(), 5);
    assert_eq!(w.read("pay-3.csv").lines().count(), 1);
    assert!(
        stderr(&o).contains("4 transfers (2,200.00 yuan) of this command were issued already"),
        "{}",
        stderr(&o)
    );
}
