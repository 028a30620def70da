//! The money-out path under every workflow and mistake (issue 10): output folders that would
//! destroy input or a stranger's files, the round-by-round payout workflow with its payment
//! files, ledgers with late or changed rounds, bad payment paths, malformed CSV, personal data
//! in misaligned rows, pseudonyms everywhere, fsync before the swap, and the rename fallback.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use crate::util::read_parquet as read;
use crate::util::{stderr, Workdir};

/// Every file under `dir` (recursively) with its bytes, for before/after comparisons.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    walk(dir, dir, &mut out);
    out
}

/// Platform F (failed) with claims A 1000, B 3000, R 1000 (unregistered: reserved), X excluded;
/// G with one lender. Lender ids are long and distinctive so a test can look for them.
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
         RAWID-A,MARKNAME_A,11010519491231002X,13900000001,,\n\
         RAWID-B,MARKNAME_B,,MARKPHONE_B,,\n\
         RAWID-R,MARKNAME_R,,,no,\n\
         RAWID-X,MARKNAME_X,,,,yes\n",
    );
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n\
         I1,F,RAWID-A,2019-01-01,1000,0,0\n\
         I2,F,RAWID-B,2019-01-01,3000,0,0\n\
         I3,F,RAWID-R,2019-01-01,1000,0,0\n\
         I4,F,RAWID-X,2019-01-01,500,0,0\n\
         I6,G,RAWID-A,2019-06-01,2000,0,0\n",
    );
    w.write(
        "data/recoveries.csv",
        format!("platform_id,round,amount,received_on,source\n{recoveries}"),
    );
}

fn ok(o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
}

/// Exit 2 with one error line (after any counts printed before it) that says `needle`.
fn refused(o: &std::process::Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let text = stderr(o);
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("winddown:"))
        .collect();
    assert_eq!(errors.len(), 1, "one error line: {text}");
    assert!(errors[0].contains(needle), "{needle:?} not in: {text}");
}

// ------------------------------------------------------------------ output folders

#[test]
fn out_that_is_holds_or_lies_inside_the_input_is_refused_before_any_work() {
    let w = Workdir::new("safe-out");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    let before = snapshot(&w.path("data"));
    for (out, why) in [
        ("data", "is the input folder"),
        (".", "holds the input folder"),
        ("data/out", "lies inside the input folder"),
        ("data/../data/./", "is the input folder"),
    ] {
        for cmd in ["run", "validate", "classify", "payout", "plan", "report"] {
            let o = w.run(&[cmd, "data", "--out", out, "--force"]);
            refused(&o, why);
        }
    }
    // Through a symlink too.
    std::os::unix::fs::symlink(w.path("data"), w.path("link")).unwrap();
    refused(
        &w.run(&["run", "data", "--out", "link"]),
        "is the input folder",
    );
    assert_eq!(
        snapshot(&w.path("data")),
        before,
        "the input folder changed"
    );
    assert!(!w.path("data/out").exists());
}

#[test]
fn a_strangers_folder_is_never_replaced_without_force() {
    let w = Workdir::new("safe-stranger");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    w.write("keep/notes.txt", "the liquidator's notes");
    w.write("keep/sub/more.txt", "more");
    let before = snapshot(&w.path("keep"));
    for cmd in ["run", "validate", "payout"] {
        let o = w.run(&[cmd, "data", "--out", "keep"]);
        refused(&o, "not a winddown output folder");
    }
    let o = w.run(&["generate", "--out", "keep"]);
    refused(&o, "not a winddown output folder");
    assert_eq!(snapshot(&w.path("keep")), before);

    // An empty folder is fine; a winddown output is replaced; one with a file added is not.
    std::fs::create_dir(w.path("empty")).unwrap();
    ok(&w.run(&["validate", "data", "--out", "empty"]));
    ok(&w.run(&["run", "data", "--out", "out"]));
    ok(&w.run(&["run", "data", "--out", "out"]));
    w.write("out/notes.txt", "mine");
    refused(
        &w.run(&["run", "data", "--out", "out"]),
        "notes.txt, which winddown did not write",
    );
    assert_eq!(w.read("out/notes.txt"), "mine");
    // The config file, the ledger and the bulletin's inputs are inputs too, even with --force.
    w.write("cfg/rules.toml", "[plan]\nstages = 2\n");
    refused(
        &w.run(&[
            "run",
            "data",
            "--config",
            "cfg/rules.toml",
            "--out",
            "cfg",
            "--force",
        ]),
        "holds the config file",
    );
    std::fs::remove_file(w.path("out/notes.txt")).unwrap();
    refused(
        &w.run(&[
            "payout",
            "data",
            "--ledger",
            "out/payouts.parquet",
            "--out",
            "out",
            "--force",
        ]),
        "holds the ledger",
    );
    refused(
        &w.run(&["progress", "out", "empty", "--out", "out", "--force"]),
        "is the earlier run's folder",
    );
    // --force replaces a stranger's folder: the user said so.
    ok(&w.run(&["validate", "data", "--out", "keep", "--force"]));
    assert!(!w.path("keep/notes.txt").exists());
    assert!(w.path("keep/manifest.json").exists());
}

// ------------------------------------------------------------------ the payout workflow

/// Read a payment file: (platform, round, lender) → amount text.
fn payment_rows(w: &Workdir, file: &str) -> Vec<(String, String, String, String)> {
    let mut r = csv::Reader::from_path(w.path(file)).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                x[1].to_string(),
                x[2].to_string(),
                x[5].to_string(),
            )
        })
        .collect()
}

fn fen_text(df: &DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect()
}

#[test]
fn round_by_round_the_payment_files_add_up_to_the_ledger_and_nothing_twice() {
    let w = Workdir::new("safe-workflow");
    // F's rounds, worked by hand (claims A 1000, B 3000, R 1000 reserved; 5000 in all):
    //   1: pool 1000 → 20 %: A 200, B 600, R 200 (reserved)
    //   2: pool 2000 → 60 %: A 400, B 1200, R 400
    //   3: pool  500 → 70 %: A 100, B 300, R 100
    //   4: pool 3000 → the 1500 still owed in full (A 300, B 900, R 300), surplus 1500.
    let rounds = [
        "F,1,1000,2019-03-01,\nG,1,0,2019-03-01,\n",
        "F,2,2000,2019-04-01,\n",
        "F,3,500,2019-05-01,\n",
        "F,4,3000,2019-06-01,\n",
    ];
    let mut recoveries = String::new();
    for (i, round) in rounds.iter().enumerate() {
        recoveries.push_str(round);
        fixture(&w, &recoveries);
        let n = i + 1;
        let out = format!("round-{n}");
        let pay = format!("pay-{n}.csv");
        let o = if n == 1 {
            w.run(&[
                "run",
                "data",
                "--as-of",
                "2019-06-30",
                "--payment-file",
                &pay,
                "--out",
                &out,
            ])
        } else {
            let ledger = format!("round-{}/payouts.parquet", n - 1);
            w.run(&[
                "payout",
                "data",
                "--as-of",
                "2019-06-30",
                "--ledger",
                &ledger,
                "--payment-file",
                &pay,
                "--out",
                &out,
            ])
        };
        ok(&o);
        // The manifest records the payment file committed with the folder.
        let manifest: serde_json::Value =
            serde_json::from_str(&w.read(&format!("{out}/manifest.json"))).unwrap();
        let bytes = std::fs::read(w.path(&pay)).unwrap();
        assert_eq!(
            manifest["payment_file"]["sha256"],
            winddown::output::folder::digest::sha256(&bytes)
        );
        let rows = payment_rows(&w, &pay);
        assert_eq!(manifest["payment_file"]["rows"], rows.len());
        let want: &[(&str, &str)] = match n {
            1 => &[("RAWID-A", "200.00"), ("RAWID-B", "600.00")],
            2 => &[("RAWID-A", "400.00"), ("RAWID-B", "1200.00")],
            3 => &[("RAWID-A", "100.00"), ("RAWID-B", "300.00")],
            _ => &[("RAWID-A", "300.00"), ("RAWID-B", "900.00")],
        };
        let got: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| {
                assert_eq!((r.0.as_str(), r.1.as_str()), ("F", &*n.to_string()));
                (r.2.as_str(), r.3.as_str())
            })
            .collect();
        assert_eq!(got, want, "payment file of round {n}");
        let total: i64 = want
            .iter()
            .map(|(_, a)| a.trim_end_matches(".00").parse::<i64>().unwrap())
            .sum();
        assert_eq!(
            manifest["payment_file"]["total"],
            format!("{total}.00"),
            "round {n}"
        );
    }
    // The union of the four payment files is exactly the ledger's paid rows.
    let mut union: Vec<(String, String, String, String)> = (1..=4)
        .flat_map(|n| payment_rows(&w, &format!("pay-{n}.csv")))
        .collect();
    union.sort();
    let ledger = read(&w, "round-4/payouts.parquet");
    let (p, r, l, paid) = (
        fen_text(&ledger, "platform_id"),
        fen_text(&ledger, "round"),
        fen_text(&ledger, "lender_id"),
        fen_text(&ledger, "paid"),
    );
    let mut paid_rows: Vec<(String, String, String, String)> = (0..ledger.height())
        .filter(|&i| paid[i] != "0.00")
        .map(|i| (p[i].clone(), r[i].clone(), l[i].clone(), paid[i].clone()))
        .collect();
    paid_rows.sort();
    assert_eq!(union, paid_rows);
    let rounds = read(&w, "round-4/payout_rounds.parquet");
    assert_eq!(
        fen_text(&rounds, "surplus"),
        ["0.00", "0.00", "0.00", "1500.00", "0.00"]
    );
    // Running round 4 again to a payment file that exists is refused; nothing is replaced.
    let before = snapshot(&w.path("round-4"));
    let o = w.run(&[
        "payout",
        "data",
        "--as-of",
        "2019-06-30",
        "--ledger",
        "round-3/payouts.parquet",
        "--payment-file",
        "pay-4.csv",
        "--out",
        "round-4",
    ]);
    refused(&o, "never overwrites");
    assert_eq!(snapshot(&w.path("round-4")), before);
}

#[test]
fn run_with_a_payment_file_and_several_rounds_needs_a_ledger_or_says_none_was_paid() {
    let w = Workdir::new("safe-run-rounds");
    fixture(&w, "F,1,1000,2019-03-01,\nF,2,2000,2019-04-01,\n");
    let o = w.run(&["run", "data", "--payment-file", "pay.csv", "--out", "out"]);
    refused(&o, "platform F has rounds 1, 2");
    assert!(!w.path("out").exists() && !w.path("pay.csv").exists());
    // With a ledger holding round 1, only round 2 is paid.
    fixture(&w, "F,1,1000,2019-03-01,\n");
    ok(&w.run(&["run", "data", "--out", "r1"]));
    fixture(&w, "F,1,1000,2019-03-01,\nF,2,2000,2019-04-01,\n");
    ok(&w.run(&[
        "run",
        "data",
        "--ledger",
        "r1",
        "--payment-file",
        "pay.csv",
        "--out",
        "out",
    ]));
    let rows = payment_rows(&w, "pay.csv");
    assert!(rows.iter().all(|r| r.1 == "2"), "{rows:?}");
    // --pay-all-rounds: both rounds, when none was paid before (another estate's register:
    // this folder's register lists round 2 as issued in pay.csv).
    ok(&w.run(&[
        "run",
        "data",
        "--payment-file",
        "all.csv",
        "--pay-all-rounds",
        "--register",
        "other-register.csv",
        "--out",
        "all",
    ]));
    let rounds: Vec<String> = payment_rows(&w, "all.csv")
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(rounds, ["1", "1", "2", "2"]);
}

#[test]
fn a_late_round_below_a_paid_one_and_a_changed_paid_pool_are_refused() {
    let w = Workdir::new("safe-late");
    // Rounds 1 and 3 paid (round 2 never existed).
    fixture(&w, "F,1,1000,2019-03-01,\nF,3,500,2019-05-01,\n");
    ok(&w.run(&["payout", "data", "--out", "paid"]));
    let paid = snapshot(&w.path("paid"));
    // Late cash booked as round 2: every lender would end above the claim if paid on round 1.
    fixture(
        &w,
        "F,1,1000,2019-03-01,\nF,2,4000,2019-05-15,\nF,3,500,2019-05-01,\n",
    );
    let o = w.run(&[
        "payout",
        "data",
        "--ledger",
        "paid/payouts.parquet",
        "--payment-file",
        "pay.csv",
        "--out",
        "next",
    ]);
    refused(&o, "round 2 in the recoveries, not paid, below round 3");
    assert!(stderr(&o).contains("numbered 4 or higher"));
    assert!(!w.path("next").exists() && !w.path("pay.csv").exists());
    // The same cash added to round 1 after it was paid.
    fixture(
        &w,
        "F,1,1000,2019-03-01,\nF,1,4000,2019-05-15,\nF,3,500,2019-05-01,\n",
    );
    let o = w.run(&["payout", "data", "--ledger", "paid", "--out", "next"]);
    refused(
        &o,
        "round 1 of platform F was paid from a pool of 1000.00 yuan",
    );
    assert!(stderr(&o).contains("now give 5000.00"));
    // Recoveries edited down: the same refusal, never a negative surplus.
    fixture(&w, "F,1,600,2019-03-01,\nF,3,500,2019-05-01,\n");
    refused(
        &w.run(&["payout", "data", "--ledger", "paid", "--out", "next"]),
        "now give 600.00",
    );
    // Booked properly as round 4, it is paid on top of rounds 1 and 3.
    fixture(
        &w,
        "F,1,1000,2019-03-01,\nF,3,500,2019-05-01,\nF,4,4000,2019-05-15,\n",
    );
    ok(&w.run(&["payout", "data", "--ledger", "paid", "--out", "next"]));
    assert_eq!(snapshot(&w.path("paid")), paid, "the ledger folder changed");
    let r = read(&w, "next/payout_rounds.parquet");
    // Round 4: 4000 against 5000 − 1500 = 3500 still owed: everyone in full, 500 surplus.
    assert_eq!(fen_text(&r, "surplus"), ["0.00", "0.00", "500.00"]);
    // A ledger whose rows were edited no longer adds up: refused, naming the file.
    let all = read(&w, "paid/payouts.parquet");
    let mut rows = all.slice(1, all.height() - 1);
    std::fs::create_dir_all(w.path("edited")).unwrap();
    std::fs::copy(
        w.path("paid/payout_rounds.parquet"),
        w.path("edited/payout_rounds.parquet"),
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(w.path("edited/payouts.parquet")).unwrap())
        .finish(&mut rows)
        .unwrap();
    refused(
        &w.run(&["payout", "data", "--ledger", "edited", "--out", "x"]),
        "do not add up",
    );
}

#[test]
fn a_bad_payment_path_is_exit_2_before_anything_is_replaced() {
    let w = Workdir::new("safe-paypath");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    ok(&w.run(&["run", "data", "--out", "out"]));
    let before = snapshot(&w.path("out"));
    std::fs::create_dir(w.path("adir")).unwrap();
    w.write("taken.csv", "an earlier payment file");
    for (path, why) in [
        ("no/such/folder/pay.csv", "does not exist"),
        ("/proc/version/pay.csv", "pay.csv"),
        ("adir", "is a folder"),
        ("taken.csv", "never overwrites"),
        ("out/pay.csv", "lies inside the output folder"),
        ("data/pay.csv", "lies inside the input folder"),
    ] {
        let o = w.run(&["run", "data", "--payment-file", path, "--out", "out"]);
        refused(&o, why);
        assert_eq!(snapshot(&w.path("out")), before, "{path}");
    }
    assert_eq!(w.read("taken.csv"), "an earlier payment file");
    // No temporary file is left behind.
    let leftovers: Vec<String> = std::fs::read_dir(&w.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("winddown-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // --force overwrites an existing payment file.
    ok(&w.run(&[
        "run",
        "data",
        "--payment-file",
        "taken.csv",
        "--force",
        "--out",
        "out",
    ]));
    assert!(w
        .read("taken.csv")
        .starts_with("platform_id,round,lender_id"));
}

// ------------------------------------------------------------------ malformed CSV

#[test]
fn an_unclosed_quote_names_its_line_and_every_other_record_is_counted() {
    let w = Workdir::new("safe-quote");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    let good = w.read("data/investments.csv");
    w.write(
        "data/investments.csv",
        good.replace("I2,F,RAWID-B", "I2,\"F,RAWID-B"),
    );
    let o = w.run(&["validate", "data", "--out", "v"]);
    refused(&o, "investments.csv: line 3: a quoted field opens here");
    assert!(!w.path("v").exists());

    // Misaligned records are records: read = records in the file = accepted + rejected.
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount,principal_returned,returns_received\n\
         I1,F,RAWID-A,2019-01-01,1000,0,0\n\
         I2,F,RAWID-B,2019-01-01,3000,0\n\
         I3,F,RAWID-R,2019-01-01,1000,0,0,extra\n\
         \n\
         \"I4\",F,\"RAWID-X\",2019-01-01,\"5,00\",0,0\n\
         I5,F\n\
         ,,,,,,\n",
    );
    ok(&w.run(&["validate", "data", "--out", "v"]));
    let v: serde_json::Value = serde_json::from_str(&w.read("v/validation.json")).unwrap();
    let t = &v["tables"]["investments"];
    assert_eq!(t["read"], 6, "{t}");
    assert_eq!(
        t["accepted"].as_u64().unwrap() + t["rejected"].as_u64().unwrap(),
        6
    );
    assert_eq!(t["accepted"], 2); // I1 and I2 (returns_received missing: 0)
}

#[test]
fn misaligned_lenders_rows_leak_no_personal_data_anywhere() {
    let w = Workdir::new("safe-pii");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    // A comma in an unquoted name shifts every cell right; a missing field shifts them left.
    let lenders = w.read("data/lenders.csv")
        + "RAWID-S,MARKNAME_S1,MARKNAME_S2,MARKID_S,MARKPHONE_S,yes,no\n\
           RAWID-T,MARKNAME_T,MARKPHONE_T,MARKDISTRICT_T\n\
           RAWID-U,MARKNAME_U,MARKID_U,MARKPHONE_U,maybe,\n";
    w.write("data/lenders.csv", lenders);
    let inv = w.read("data/investments.csv")
        + "I7,F,RAWID-S,2019-01-01,100,0,0\nI8,F,RAWID-T,2019-01-01,100,0,0\n";
    w.write("data/investments.csv", inv);
    let o = w.run(&[
        "run",
        "data",
        "--csv",
        "--payment-file",
        "pay.csv",
        "--out",
        "out",
    ]);
    ok(&o);
    assert!(!stderr(&o).contains("MARK"), "{}", stderr(&o));
    for (name, bytes) in snapshot(&w.path("out")) {
        assert!(
            !bytes.windows(4).any(|x| x == b"MARK"),
            "{name} holds personal data"
        );
    }
    // Both misaligned rows are rejected, their values left empty; RAWID-U lines up (7 fields)
    // and its bad bool is quoted back: it is not personal data.
    let rejects = crate::util::rejects(&w.read("out/rejects.csv"));
    let lenders: Vec<&[String; 6]> = rejects.iter().filter(|r| r[0] == "lenders").collect();
    assert_eq!(lenders.len(), 3, "{lenders:?}");
    assert_eq!(
        (lenders[0][2].as_str(), lenders[0][5].as_str()),
        ("6", "extra_field")
    );
    assert_eq!(lenders[0][4], "");
    assert_eq!(
        (lenders[1][2].as_str(), lenders[1][5].as_str()),
        ("7", "missing_value")
    );
    assert_eq!(lenders[1][4], "");
    assert_eq!(
        (lenders[2][4].as_str(), lenders[2][5].as_str()),
        ("maybe", "bad_bool")
    );
}

#[test]
fn pseudonyms_cover_rejects_and_every_output_but_the_payment_file() {
    let w = Workdir::new("safe-pseudo");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    let inv = w.read("data/investments.csv") + "I9,F,RAWID-GHOST,2019-01-01,100,0,0\n";
    w.write("data/investments.csv", inv);
    let lenders = w.read("data/lenders.csv") + "RAWID-B,again,,,,\n";
    w.write("data/lenders.csv", lenders);
    let run = |key: &str, out: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
            .args([
                "run",
                "data",
                "--pseudonymize",
                "--csv",
                "--payment-file",
                &format!("{out}.csv"),
                "--out",
                out,
            ])
            .current_dir(&w.dir)
            .env("WINDDOWN_PSEUDONYM_KEY", key)
            .output()
            .unwrap()
    };
    let o = run("a-test-key-of-enough-length", "out");
    ok(&o);
    assert!(!stderr(&o).contains("RAWID"), "{}", stderr(&o));
    for (name, bytes) in snapshot(&w.path("out")) {
        assert!(
            !bytes.windows(5).any(|x| x == b"RAWID"),
            "{name} names a lender by the raw id"
        );
    }
    let rejects = w.read("out/rejects.csv");
    assert!(rejects.contains(",lender_id,H"), "{rejects}");
    // The payment file is for the bank: raw ids, names.
    assert!(w.read("out.csv").contains("RAWID-A"));
    // An empty or short key is refused before anything is written.
    refused(&run("", "empty"), "WINDDOWN_PSEUDONYM_KEY");
    assert!(!w.path("empty").exists() && !w.path("empty.csv").exists());
}

// ------------------------------------------------------------------ durability and the swap

#[test]
fn every_file_is_fsynced_before_the_swap_and_the_parent_after() {
    let Some(strace) = crate::util::strace() else {
        return;
    };
    let w = Workdir::new("safe-fsync");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    ok(&w.run(&["run", "data", "--out", "out"]));
    let o = std::process::Command::new(strace)
        .args([
            "-f",
            "-y",
            "-e",
            "trace=fsync,fdatasync,renameat2,rename,renameat,linkat,link",
        ])
        .args(["-o", "trace.txt", env!("CARGO_BIN_EXE_winddown")])
        .args(["run", "data", "--payment-file", "pay.csv", "--out", "out"])
        .current_dir(&w.dir)
        .output()
        .unwrap();
    ok(&o);
    let trace = w.read("trace.txt");
    let lines: Vec<&str> = trace.lines().collect();
    let swap = lines
        .iter()
        .position(|l| l.contains("renameat2(") && l.contains("RENAME_EXCHANGE"))
        .expect("an atomic exchange");
    let synced = |path: &str, range: &[&str]| {
        range
            .iter()
            .any(|l| (l.contains("fsync(") || l.contains("fdatasync(")) && l.contains(path))
    };
    for name in std::fs::read_dir(w.path("out")).unwrap() {
        let name = name.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            lines[..swap].iter().any(|l| l.contains("fsync(")
                && l.contains(".out.winddown-tmp-")
                && l.contains(&format!("/{name}>"))),
            "{name} not fsynced before the swap"
        );
    }
    assert!(
        synced(".pay.csv.winddown-tmp-", &lines[..swap]),
        "payment file"
    );
    let dir = w.dir.canonicalize().unwrap().display().to_string();
    assert!(
        synced(&format!("{dir}>"), &lines[swap..]),
        "parent folder not fsynced after the swap"
    );
    let link = lines
        .iter()
        .position(|l| l.contains("link") && l.contains("pay.csv"))
        .expect("the payment file linked into place");
    assert!(link > swap, "the payment file goes in after the folder");
}

#[test]
fn the_rename_fallback_restores_the_old_folder_of_a_run_killed_between_renames() {
    let w = Workdir::new("safe-fallback");
    fixture(&w, "F,1,1000,2019-03-01,\n");
    let with_fallback = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
            .args(args)
            .current_dir(&w.dir)
            .env("WINDDOWN_SWAP", "rename")
            .output()
            .unwrap()
    };
    ok(&with_fallback(&[
        "run",
        "data",
        "--as-of",
        "2019-05-31",
        "--out",
        "out",
    ]));
    ok(&with_fallback(&["run", "data", "--out", "out"]));
    let new = snapshot(&w.path("out"));
    let names: Vec<String> = std::fs::read_dir(&w.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".winddown-")), "{names:?}");
    // A run that died between its two renames: the old folder is aside, the target missing.
    let mut dead = std::process::Command::new("true").spawn().unwrap();
    let pid = dead.id();
    dead.wait().unwrap();
    std::fs::rename(w.path("out"), w.path(&format!(".out.winddown-old-{pid}"))).unwrap();
    // The next command that writes there puts it back before anything else, even if it fails.
    let o = with_fallback(&["run", "nodata", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(snapshot(&w.path("out")), new);
    // Killed at random moments under the fallback: always a complete folder, or the old one
    // aside and put back by the next run.
    for delay_ms in [3u64, 30, 90, 200, 400, 800] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
            .args(["run", "data", "--out", "out", "-q"])
            .current_dir(&w.dir)
            .env("WINDDOWN_SWAP", "rename")
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        if !w.path("out").exists() {
            let o = with_fallback(&["run", "nodata", "--out", "out"]);
            assert_eq!(o.status.code(), Some(2));
        }
        assert_eq!(
            snapshot(&w.path("out")),
            new,
            "after a kill at {delay_ms} ms"
        );
    }
}

// ------------------------------------------------------------------ reproducibility

#[test]
fn csv_parquet_and_shuffled_rows_give_byte_identical_data_files() {
    let w = Workdir::new("safe-same");
    for format in ["csv", "parquet"] {
        ok(&w.run(&[
            "generate",
            "--seed",
            "11",
            "--platforms",
            "12",
            "--lenders",
            "3000",
            "--format",
            format,
            "--out",
            format,
        ]));
    }
    // The CSV again, every table's rows in reverse order (headers first).
    std::fs::create_dir(w.path("shuffled")).unwrap();
    for table in ["platforms", "lenders", "investments", "loans", "recoveries"] {
        let text = w.read(&format!("csv/{table}.csv"));
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        lines.reverse();
        w.write(
            &format!("shuffled/{table}.csv"),
            format!("{header}\n{}\n", lines.join("\n")),
        );
    }
    for input in ["csv", "parquet", "shuffled"] {
        ok(&w.run(&["run", input, "--out", &format!("out-{input}")]));
    }
    // The investments interleaved across platforms (line i of n goes to place i · 7919 mod n),
    // read with the position tables held within a few kilobytes, or none at all: every table
    // written out to the temporary folder many times and summed back (input::validate::positions);
    // the loans' borrowers likewise written out by platform bucket as they come
    // (input::validate::borrowers), and the lenders' ids written aside as they are read
    // (input::set_aside: here out of order, so read back to be sorted), and the positions
    // paged out when complete.
    std::fs::create_dir(w.path("interleaved")).unwrap();
    for table in ["platforms", "lenders", "investments", "loans", "recoveries"] {
        let text = w.read(&format!("csv/{table}.csv"));
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        let n = lines.len();
        assert!(n % 7919 != 0);
        let mut placed: Vec<(usize, &str)> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i * 7919 % n, *l))
            .collect();
        placed.sort();
        let body: Vec<&str> = placed.into_iter().map(|(_, l)| l).collect();
        w.write(
            &format!("interleaved/{table}.csv"),
            format!("{header}\n{}\n", body.join("\n")),
        );
    }
    for held in ["0", "4096"] {
        let o = w.run_env(
            &["run", "interleaved", "--out", &format!("out-held-{held}")],
            &[
                ("WINDDOWN_POSITIONS_HELD_BYTES", held),
                ("WINDDOWN_BORROWERS_HELD_BYTES", held),
                ("WINDDOWN_LENDER_IDS_ASIDE_FROM", held),
                ("WINDDOWN_POSITIONS_PAGED_FROM", held),
            ],
        );
        ok(&o);
    }
    // The positions paged out when complete (input::validate::positions, paged.rs): every
    // stage after the investments reads them from their files.
    ok(&w.run_env(
        &["run", "csv", "--out", "out-paged"],
        &[("WINDDOWN_POSITIONS_PAGED_FROM", "0")],
    ));
    // The lenders' ids in order, every one written aside as it is read: ranked as they stand.
    ok(&w.run_env(
        &["run", "csv", "--out", "out-aside"],
        &[("WINDDOWN_LENDER_IDS_ASIDE_FROM", "0")],
    ));
    let data_files = |dir: &str| -> BTreeMap<String, Vec<u8>> {
        snapshot(&w.path(dir))
            .into_iter()
            .filter(|(name, _)| name.ends_with(".parquet"))
            .collect()
    };
    let csv = data_files("out-csv");
    assert_eq!(csv.len(), 8, "{:?}", csv.keys());
    assert!(
        csv == data_files("out-parquet"),
        "CSV and Parquet inputs differ"
    );
    assert!(
        csv == data_files("out-shuffled"),
        "row order changed a file"
    );
    assert!(
        csv == data_files("out-aside"),
        "lender ids written aside as read changed a file"
    );
    assert!(
        csv == data_files("out-paged"),
        "positions paged out changed a file"
    );
    for held in ["0", "4096"] {
        assert!(
            csv == data_files(&format!("out-held-{held}")),
            "positions, borrowers and lender ids written out within {held} bytes, and the \
             positions paged out, changed a file"
        );
    }
}
