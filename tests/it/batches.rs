//! `--payments DIR`: bank batches from lenders with bank columns under Chinese headers in GBK;
//! every round's batches add up to its `paid` to the fen; accounts stay text in CSV and .xlsx;
//! 0700/0600; never replaced without --force; accounts reach no other output.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::util::{fen, read_parquet, stderr, texts, Workdir};

/// The city with bank columns in its lenders table (GBK, Chinese headers); every 97th account
/// is not an account.
fn fixture(w: &Workdir) -> Vec<String> {
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    std::fs::create_dir_all(w.path("data")).unwrap();
    for t in ["platforms", "investments", "loans", "recoveries"] {
        std::fs::copy(
            city.join(format!("{t}.csv")),
            w.path(&format!("data/{t}.csv")),
        )
        .unwrap();
    }
    let text = std::fs::read_to_string(city.join("lenders.csv")).unwrap();
    let banks = ["中国工商银行", "中国建设银行", "中国农业银行"];
    let mut out = String::new();
    let mut accounts = Vec::new();
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        // The sample's own bank columns (the last two) give way to these.
        let line = line.rsplitn(3, ',').nth(2).unwrap();
        if i == 0 {
            out.push_str(&format!("{line},银行账号,开户行,户名\n"));
            continue;
        }
        let account = if i % 97 == 5 {
            "12AB".to_string()
        } else {
            format!("6222{:015}", 100_000_000_000_000u64 + i as u64 * 7919)
        };
        accounts.push(account.clone());
        out.push_str(&format!("{line},{account},{},\n", banks[i % 3]));
    }
    let (gbk, _, _) = encoding_rs::GB18030.encode(&out);
    std::fs::write(w.path("data/lenders.csv"), gbk).unwrap();
    w.write(
        "bank.toml",
        "[columns]\n\"银行账号\" = \"bank_account\"\n\"开户行\" = \"bank_name\"\n\"户名\" = \"account_name\"\n[payments]\nbatch_rows = 40\n",
    );
    accounts
}

#[test]
fn bank_batches_add_up_to_every_round_and_keep_accounts_as_text() {
    let w = Workdir::new("batches");
    let accounts = fixture(&w);
    let run = |out: &str, pay: &str| {
        w.run(&[
            "run",
            "data",
            "--config",
            "bank.toml",
            "--pay-all-rounds",
            "--payments",
            pay,
            "--out",
            out,
        ])
    };
    let o = run("r", "pay");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = |p: &str| std::fs::metadata(w.path(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("pay"), 0o700);
    let v: serde_json::Value = serde_json::from_str(&w.read("r/validation.json")).unwrap();
    // i = 5, 102, …, 29,978 of 30,000 lenders: 310 warnings, the lenders kept.
    assert_eq!(v["warnings"]["invalid_bank_account"], 310);
    assert_eq!(v["tables"]["lenders"]["accepted"], 30_000);

    // Per platform and round: the control file's total is payout_rounds.parquet's paid.
    let rounds = read_parquet(&w, "r/payout_rounds.parquet");
    let (ids, paid) = (texts(&rounds, "platform_id"), fen(&rounds, "paid"));
    let round: Vec<i64> = rounds
        .column("round")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(Option::unwrap)
        .collect();
    let mut checked = 0;
    for i in 0..ids.len() {
        if paid[i] == 0 {
            continue;
        }
        let control = w.read(&format!("pay/{}_r{}_control.csv", ids[i], round[i]));
        let total = control
            .lines()
            .last()
            .unwrap()
            .split(',')
            .nth(3)
            .unwrap()
            .to_string();
        assert_eq!(
            winddown::domain::money::parse_fen(&total),
            Some(paid[i]),
            "{} round {}",
            ids[i],
            round[i]
        );
        checked += 1;
    }
    assert!(checked > 10);

    // The batches: the bank's columns, at most 40 transfers, accounts as written; the .xlsx
    // copy holds them as text cells.
    let manifest: serde_json::Value = serde_json::from_str(&w.read("r/manifest.json")).unwrap();
    let files = manifest["payment_batches"].as_array().unwrap();
    let mut by_name = BTreeMap::new();
    for f in files {
        by_name.insert(f["file"].as_str().unwrap().to_string(), f.clone());
    }
    let mut batches = 0;
    for entry in std::fs::read_dir(w.path("pay")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let bytes = std::fs::read(&path).unwrap();
        // Each file as the manifest records it.
        assert_eq!(
            by_name[&name]["sha256"],
            winddown::output::folder::digest::sha256(&bytes),
            "{name}"
        );
        if !name.ends_with(".csv") || name.ends_with("_control.csv") || name == "exceptions.csv" {
            continue;
        }
        batches += 1;
        let text = String::from_utf8(bytes).unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        assert_eq!(
            lines.next().unwrap(),
            "序号,收款人账号,收款人户名,开户行,金额(元),用途"
        );
        let rows: Vec<&str> = lines.collect();
        assert!(!rows.is_empty() && rows.len() <= 40, "{name}");
        // Every transfer in a batch has a valid account: one the bank would refuse is in
        // exceptions.csv instead.
        for row in &rows {
            let account = row.split(',').nth(1).unwrap();
            assert!(accounts.contains(&account.to_string()), "{account}");
            assert_ne!(account, "12AB");
        }
        let account = rows[0].split(',').nth(1).unwrap();
        if batches == 1 {
            let xlsx = path.with_extension("xlsx");
            let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
            let sheet = book.worksheet_range_at(0).unwrap().unwrap();
            let cell = &sheet.rows().nth(1).unwrap()[1];
            assert_eq!(cell, &Data::String(account.to_string()));
        }
    }
    assert_eq!(batches + files.len() - batches, files.len());
    assert!(batches >= checked);
    // The lenders with the mistyped account who were paid: each in exceptions.csv, none in a
    // batch, and the control files count them in their rounds' totals.
    let exceptions = w.read("pay/exceptions.csv");
    let withheld = exceptions.lines().count() - 1;
    assert!(withheld > 0 && withheld < 310, "{withheld}");
    for line in exceptions.lines().skip(1) {
        let lender = line.split(',').nth(2).unwrap();
        let i: usize = lender[1..].parse().unwrap();
        assert_eq!(i % 97, 5, "{line}");
    }

    // No account number in any other output.
    for entry in std::fs::read_dir(w.path("r")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for a in accounts.iter().step_by(500) {
            assert!(!text.contains(a.as_str()), "{a}");
        }
    }

    // The folder is a record of transfers: not replaced without --force, and nothing else
    // written then.
    let o = run("r2", "pay");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("never replaces them"), "{}", stderr(&o));
    assert!(!w.path("r2").exists());

    // Lenders without any bank account: refused before anything is written.
    let o = w.run(&[
        "run",
        "data",
        "--pay-all-rounds",
        "--payments",
        "pay-none",
        "--out",
        "r4",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("needs a bank_account column"),
        "{}",
        stderr(&o)
    );
    assert!(!w.path("r4").exists() && !w.path("pay-none").exists());

    // GB18030 when the config says so.
    w.write(
        "bank.toml",
        format!("{}encoding = \"gb18030\"\n", w.read("bank.toml")),
    );
    // (Another estate's register: the first run's transfers are in this one.)
    let o = w.run(&[
        "run",
        "data",
        "--config",
        "bank.toml",
        "--pay-all-rounds",
        "--payments",
        "pay-gbk",
        "--register",
        "gbk-register.csv",
        "--out",
        "r3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let control = w.read("pay-gbk/P03_r1_control.csv");
    let batch = control
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let bytes = std::fs::read(w.path(&format!("pay-gbk/{batch}"))).unwrap();
    let (text, _, bad) = encoding_rs::GB18030.decode(&bytes);
    assert!(!bad && text.starts_with("序号,收款人账号"), "{text}");
}

#[test]
fn a_bank_template_of_its_own_and_layouts_that_cannot_pay() {
    let w = Workdir::new("batches-layout");
    let accounts = fixture(&w);
    w.write(
        "bank.toml",
        format!(
            "{}columns = [\"seq\", \"account\", \"name\", \"id_number\", \"amount\", \"purpose\"]\n\
             headers = [\"序号\", \"收款账号\", \"收款户名\", \"证件号码\", \"金额\", \"摘要\"]\n",
            w.read("bank.toml")
        ),
    );
    let o = w.run(&[
        "run",
        "data",
        "--config",
        "bank.toml",
        "--pay-all-rounds",
        "--payments",
        "pay",
        "--out",
        "r",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let control = w.read("pay/P03_r1_control.csv");
    let batch = control
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let text = w.read(&format!("pay/{batch}"));
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(
        lines.next().unwrap(),
        "序号,收款账号,收款户名,证件号码,金额,摘要"
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first.len(), 6);
    assert!(accounts.contains(&first[1].to_string()) || first[1].is_empty());
    // The id number is the lender's, digits and X intact (never 4.20702E+17).
    assert!(first[3].len() == 18 || first[3].is_empty(), "{first:?}");
    assert!(winddown::domain::money::parse_fen(first[4]).is_some());
    let xlsx = w.path(&format!("pay/{}", batch.replace(".csv", ".xlsx")));
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let row = &sheet.rows().nth(1).unwrap();
    assert_eq!(row[3], Data::String(first[3].to_string()));
    assert!(matches!(row[4], Data::Float(_)), "{:?}", row[4]);

    // A layout without an account or an amount, an unknown field, headers that do not match:
    // a config error naming the key, nothing written.
    for (columns, headers, needle) in [
        (
            "[\"seq\", \"name\", \"amount\"]",
            "",
            "\"account\" is missing",
        ),
        ("[\"account\", \"name\"]", "", "\"amount\" is missing"),
        (
            "[\"account\", \"amount\", \"iban\"]",
            "",
            "\"iban\" is not a field",
        ),
        ("[\"account\", \"amount\", \"account\"]", "", "listed twice"),
        (
            "[\"account\", \"amount\"]",
            "headers = [\"账号\"]\n",
            "1 headers for 2 columns",
        ),
    ] {
        w.write(
            "bad.toml",
            format!("[payments]\ncolumns = {columns}\n{headers}"),
        );
        let o = w.run(&[
            "run",
            "data",
            "--config",
            "bad.toml",
            "--pay-all-rounds",
            "--payments",
            "pay-bad",
            "--out",
            "bad",
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(stderr(&o).contains("[payments]"), "{}", stderr(&o));
        assert!(!w.path("bad").exists() && !w.path("pay-bad").exists());
    }
}
