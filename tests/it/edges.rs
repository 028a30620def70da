//! Where winddown meets other people's tools: Excel cells that cannot be read exactly, sheets
//! named twice, text that would run as a formula, a terminal, a config out of range, a closed
//! pipe, checks made before any work, and the omissions that must be said.

use calamine::{open_workbook, Data, Reader, Xlsx};

use crate::util::{read_parquet, rejects, stderr, texts, Workdir};

/// The hand-written workbooks of fuzz/xlsx_seeds.py (as scripts write them).
fn seed(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus/xlsx")
        .join(name)
}

const LOANS: &str =
    "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\n";
const INVESTMENTS: &str = "investment_id,platform_id,lender_id,invested_on,amount\n";

#[test]
fn excel_numbers_and_formulas_that_cannot_be_read_exactly_are_rejected() {
    let w = Workdir::new("edges-xlsx");
    // platforms.xlsx: P1's repayment_suspended is a formula saved without its result; P2's
    // name and flag are formulas with results; row 9 holds only a formula in case_filed.
    std::fs::create_dir_all(w.path("data")).unwrap();
    std::fs::copy(
        seed("seed-formula-no-value.xlsx"),
        w.path("data/platforms.xlsx"),
    )
    .unwrap();
    // lenders.xlsx by rust_xlsxwriter: ids typed as numbers.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "lender_id").unwrap();
    ws.write_string(0, 1, "district").unwrap();
    // Row 2: 12345678901234567 is stored as the double 12345678901234568.
    ws.write_number(1, 0, 12_345_678_901_234_567.0).unwrap();
    // Row 3: 2^53 − 1, the largest whole number a double holds with all below it: kept.
    ws.write_number(2, 0, 9_007_199_254_740_991.0).unwrap();
    // Row 4: a fraction as an id.
    ws.write_number(3, 0, 1.5).unwrap();
    // Row 5: an error cell in a text column.
    ws.write_string(4, 0, "L5").unwrap();
    ws.write_formula(4, 1, "=1/0").unwrap();
    book.save(w.path("data/lenders.xlsx")).unwrap();
    w.write("data/loans.csv", LOANS);
    w.write("data/investments.csv", INVESTMENTS);
    let o = w.run(&["validate", "data", "--as-of", "2019-06-30", "--out", "v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = rejects(&w.read("v/rejects.csv"));
    let got: Vec<(&str, &str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r[1].as_str(),
                r[2].as_str(),
                r[3].as_str(),
                r[4].as_str(),
                r[5].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "platforms.xlsx!platforms",
                "2",
                "repayment_suspended",
                "'=1=1",
                "formula_without_value"
            ),
            (
                "platforms.xlsx!platforms",
                "9",
                "platform_id",
                "",
                "missing_value"
            ),
            (
                "lenders.xlsx!Sheet1",
                "2",
                "lender_id",
                "12345678901234568",
                "inexact_number"
            ),
            (
                "lenders.xlsx!Sheet1",
                "4",
                "lender_id",
                "1.5",
                "inexact_number"
            ),
        ]
        .map(|(a, b, c, d, e)| (a, b, c, d, e))
    );
    let v: serde_json::Value = serde_json::from_str(&w.read("v/validation.json")).unwrap();
    assert_eq!(v["tables"]["platforms"]["read"], 3);
    assert_eq!(v["tables"]["platforms"]["accepted"], 1);
    assert_eq!(v["tables"]["lenders"]["read"], 4);
    // rust_xlsxwriter saves =1/0 with the result 0 (a number), which is what Excel shows until
    // it recalculates: the row is kept with district "0".
    assert_eq!(v["tables"]["lenders"]["accepted"], 2);
}

#[test]
fn excel_error_cells_are_rejected_with_their_own_reason() {
    let w = Workdir::new("edges-xlsx-errors");
    std::fs::create_dir_all(w.path("data")).unwrap();
    // seed-numbers.xlsx: lenders with registered = #N/A and #DIV/0! in rows 4 and 5, ids
    // beyond 2^53 in rows 3 and 5, 1.5 in row 4.
    std::fs::copy(seed("seed-numbers.xlsx"), w.path("data/lenders.xlsx")).unwrap();
    w.write("data/platforms.csv", "platform_id,name,district\n");
    w.write("data/loans.csv", LOANS);
    w.write("data/investments.csv", INVESTMENTS);
    let o = w.run(&["validate", "data", "--as-of", "2019-06-30", "--out", "v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reasons: Vec<(String, String, String)> = rejects(&w.read("v/rejects.csv"))
        .into_iter()
        .map(|r| (r[2].clone(), r[3].clone(), r[5].clone()))
        .collect();
    let r = |line: &str, col: &str, why: &str| (line.into(), col.into(), why.into());
    assert_eq!(
        reasons,
        [
            r("3", "lender_id", "inexact_number"),
            r("4", "lender_id", "inexact_number"),
            r("5", "lender_id", "inexact_number"),
        ]
    );
    // The first column breaks first; with a good id the error cell would be the reason.
    assert_eq!(
        winddown::input::xlsx::cell_text(
            &Data::Error(calamine::CellErrorType::NA),
            winddown::domain::schema::CellType::Bool
        ),
        Err((
            winddown::input::report::Reason::FormulaError,
            "#N/A".to_string()
        ))
    );
}

#[test]
fn two_sheets_that_differ_only_by_case_or_spaces_stop_the_run() {
    let w = Workdir::new("edges-sheets");
    std::fs::create_dir_all(w.path("data")).unwrap();
    std::fs::copy(seed("seed-two-sheets.xlsx"), w.path("data/book.xlsx")).unwrap();
    w.write("data/platforms.csv", "platform_id,name,district\n");
    w.write("data/loans.csv", LOANS);
    w.write("data/investments.csv", INVESTMENTS);
    let o = w.run(&["validate", "data", "--out", "v"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("sheets \"lenders\" and \" Lenders\" both give table lenders"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(!w.path("v").exists());
}

/// A platform and lenders whose names would run as formulas; bank accounts for all but one
/// paid lender (no account: an exception).
fn hostile(w: &Workdir) {
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\n\
         F,\"=HYPERLINK(\"\"http://x.example\"\",\"\"点击\"\")\",鄂城区,true\n",
    );
    w.write(
        "data/loans.csv",
        format!("{LOANS}D1,F,B1,individual,2019-01-01,2000,2000\n"),
    );
    w.write(
        "data/lenders.csv",
        "lender_id,name,id_number,phone,bank_account,bank_name\n\
         A,=1+1,11010519491231002X,13900000001,6222020200000000011,中国工商银行\n\
         B,@SUM(A1),,,6217000000000000022,中国建设银行\n\
         C,+cmd|' /C calc'!A0,,,,\n\
         D,-2+3,,,6222020200000000044,中国工商银行\n",
    );
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount\n\
         I1,F,A,2019-01-01,1000\nI2,F,B,2019-01-01,1000\nI3,F,C,2019-01-01,1000\n\
         I4,F,D,2019-01-01,1000\nI5,F,Z,2019-01-01,=cmd\n",
    );
    w.write(
        "data/recoveries.csv",
        "platform_id,round,amount,received_on\nF,1,2000,2019-03-01\n",
    );
}

/// Every cell of every sheet of a workbook is a value, never a formula.
fn no_formulas(path: &std::path::Path) {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{} {sheet}",
            path.display()
        );
    }
}

#[test]
fn text_that_would_run_as_a_formula_is_inert_or_listed_for_a_clerk() {
    let w = Workdir::new("edges-formulas");
    hostile(&w);
    let o = w.run(&[
        "run",
        "data",
        "--csv",
        "--xlsx",
        "--payments",
        "bank",
        "--payment-file",
        "pay.csv",
        "--out",
        "r",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    // CSV for Excel: neutralised with a leading '.
    let platforms = w.read("r/platforms.csv");
    assert!(
        platforms.contains("\"'=HYPERLINK(\"\"http://x.example\"\",\"\"点击\"\")\""),
        "{platforms}"
    );
    let rejected = rejects(&w.read("r/rejects.csv"));
    assert_eq!(rejected[0][4], "'=cmd", "{rejected:?}");
    // The bank's files carry the names as they are, and the clerk is told.
    let pay = w.read("pay.csv");
    assert!(
        pay.contains(",=1+1,") && pay.contains(",@SUM(A1),"),
        "{pay}"
    );
    assert!(
        e.contains("of the payment file hold a cell that begins like a formula"),
        "{e}"
    );
    assert!(e.contains("lenders A, B, C, D"), "{e}");
    let control = w.read("bank/F_r1_control.csv");
    assert!(control.contains("需人工核对"), "{control}");
    assert!(
        control.contains("F_r1_b01_001.csv,1,A,收款人户名"),
        "{control}"
    );
    // Paid 500 each; C has no account: not in any batch, in exceptions.csv, and the control
    // file's total is still the round's paid (2,000 = 1,500 batched + 500 withheld).
    let exceptions = w.read("bank/exceptions.csv");
    assert!(
        exceptions.contains("F,1,C,500.00,兑付 payout,"),
        "{exceptions}"
    );
    assert!(
        control.contains(
            "exceptions.csv,未发送: 无有效收款账号 not sent: no valid bank account,1,500.00"
        ),
        "{control}"
    );
    assert!(
        control.contains("合计 total,F 第1轮,4,2000.00"),
        "{control}"
    );
    assert!(
        e.contains("1 transfer (500.00 yuan) not in any batch"),
        "{e}"
    );
    // Batch files are named by the bank's number, never its name.
    let manifest = w.read("r/manifest.json");
    assert!(
        !manifest.contains("中国工商银行") && !manifest.contains("中国建设银行"),
        "{manifest}"
    );
    let mut names: Vec<String> = std::fs::read_dir(w.path("bank"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "F_r1_b01_001.csv",
            "F_r1_b01_001.xlsx",
            "F_r1_b02_001.csv",
            "F_r1_b02_001.xlsx",
            "F_r1_control.csv",
            "exceptions.csv"
        ]
    );
    // No workbook holds a formula, whatever the text.
    no_formulas(&w.path("r/winddown.xlsx"));
    no_formulas(&w.path("bank/F_r1_b01_001.xlsx"));
    // The batch workbook: its sheet named, 序号 a number as a bank's template has it.
    let mut book: Xlsx<_> = open_workbook(w.path("bank/F_r1_b01_001.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["批量代付 batch"]);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.rows().nth(1).unwrap()[0], Data::Float(1.0));
    // Statements and SMS for mail merge in Excel: neutralised.
    let o = w.run(&["statement", "r", "--all", "--data", "data", "--out", "st"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let st = w.read("st/statements.csv");
    assert!(st.contains("A,'=1+1,F,\"'=HYPERLINK"), "{st}");
    assert!(st.contains("D,'-2+3,"), "{st}");
    let sms = w.read("st/sms.csv");
    assert!(
        !sms.lines()
            .skip(1)
            .any(|l| { l.split(',').any(|c| c.starts_with(['=', '+', '@'])) }),
        "{sms}"
    );
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let w = Workdir::new("edges-terminal");
    let o = w.run(&["validate", "no\u{1b}[2Jsuch\u{1b}]0;x\u{7}\r", "--out", "v"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        !e.contains('\u{1b}') && !e.contains('\u{7}') && !e.contains('\r'),
        "{e:?}"
    );
    assert!(e.contains("no\\e[2Jsuch\\e]0;x\\u{7}\\r"), "{e}");
    // clap's own errors quote arguments back: escaped too.
    let o = w.run(&["validate", "data", "--as-of", "\u{1b}[31mred"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains('\u{1b}'), "{:?}", stderr(&o));
    // A statement on stdout: a platform name with control sequences is shown escaped.
    hostile(&w);
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\nF,\"甲\u{1b}[2J\u{9b}1m\",鄂城区,true\n",
    );
    let o = w.run(&["run", "data", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["statement", "r", "--lender", "A"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("甲\\e[2J\\u{9b}1m"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{9b}'));
}

#[test]
fn config_values_out_of_range_are_errors_with_their_place() {
    let w = Workdir::new("edges-config");
    w.write(
        "bad.toml",
        "[classify]\noverdue_90_ratio = -0.1\nsmall_max_current_lenders = -5\nzombie_months = 6\n\
         [plan]\nstages = 0\n",
    );
    let o = w.run(&["rules", "--check", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    for needle in [
        "line 2, column 1: [classify] overdue_90_ratio: -0.1 must be between 0 and 1 (above 1: \
         the indicator is off)",
        "line 3, column 1: [classify] small_max_current_lenders: -5 must be at least 1",
        "line 6, column 1: [plan] stages: 0 must be between 1 and 1200",
    ] {
        assert!(e.contains(needle), "{needle}: {e}");
    }
    // The boundaries: 0 and 1 are ratios, -0.0001 is not; above 1 turns an indicator off;
    // one lender is a limit.
    w.write(
        "edge.toml",
        "[classify]\noverdue_90_ratio = 0\nfunding_gap_ratio = 1\nsmall_max_current_lenders = 1\n",
    );
    let o = w.run(&["rules", "--check", "edge.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("a good config"));
    w.write("under.toml", "[classify]\nrelated_party_share = -0.0001\n");
    let o = w.run(&["rules", "--check", "under.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("-0.0001 must be between 0 and 1"));
    w.write("off.toml", "[classify]\nrelated_party_share = 1.01\n");
    let o = w.run(&["rules", "--check", "off.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A command with the bad config does no work and writes nothing.
    hostile(&w);
    let o = w.run(&["classify", "data", "--config", "bad.toml", "--out", "c"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!w.path("c").exists());
}

#[test]
fn a_closed_stdout_ends_every_printing_command_quietly() {
    for args in [
        &["completions", "zsh"][..],
        &["completions", "bash"][..],
        &["man"][..],
        &["rules", "--print-defaults"][..],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before reading anything (`| head -0`).
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn what_the_data_can_refuse_is_refused_before_any_work() {
    let w = Workdir::new("edges-before");
    hostile(&w);
    // A deadline before the as-of: one line, no class table first.
    let o = w.run(&["plan", "data", "--deadline", "2019-01-31", "--out", "p"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("is not after the as-of date 2019-03-01"), "{e}");
    assert!(!e.contains("已出险"), "{e}");
    assert!(!w.path("p").exists());
    // Several rounds and a payment file without a ledger: refused before the summaries.
    w.write(
        "data/recoveries.csv",
        "platform_id,round,amount,received_on\nF,1,2000,2019-03-01\nF,2,100,2019-03-01\n",
    );
    let o = w.run(&["run", "data", "--payment-file", "pay.csv", "--out", "r"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("has rounds 1, 2 in the recoveries"), "{e}");
    assert!(!e.contains("已出险"), "{e}");
    assert!(!w.path("r").exists() && !w.path("pay.csv").exists());
}

/// Platforms F (lenders A, B) and E, whose only lender was excluded: E's recoveries meet no
/// lender with a claim.
fn empty_round(w: &Workdir, recoveries: &str) {
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\nE,乙,鄂城区,true\nF,甲,鄂城区,true\n",
    );
    w.write("data/loans.csv", LOANS);
    w.write(
        "data/lenders.csv",
        "lender_id,excluded,bank_account,bank_name\nA,,6222020200000000011,中国工商银行\nB,,,\nX,yes,,\n",
    );
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount\n\
         I1,F,A,2019-01-01,1000\nI2,F,B,2019-01-01,1000\nI3,E,X,2019-01-01,1000\n",
    );
    w.write(
        "data/recoveries.csv",
        format!("platform_id,round,amount,received_on\n{recoveries}"),
    );
}

#[test]
fn a_round_without_lenders_does_not_block_the_ledger() {
    let w = Workdir::new("edges-empty-round");
    empty_round(&w, "E,1,300,2019-03-01\nF,1,100,2019-03-01\n");
    let o = w.run(&["payout", "data", "--out", "r1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = read_parquet(&w, "r1/payout_rounds.parquet");
    assert_eq!(texts(&r, "platform_id"), ["E", "F"]);
    empty_round(
        &w,
        "E,1,300,2019-03-01\nF,1,100,2019-03-01\nE,2,50,2019-06-01\nF,2,100,2019-06-01\n",
    );
    let o = w.run(&["payout", "data", "--ledger", "r1", "--out", "r2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = read_parquet(&w, "r2/payout_rounds.parquet");
    assert_eq!(texts(&r, "platform_id"), ["E", "E", "F", "F"]);
    // E's pools are surplus: nobody to pay. F pays 50 + 50 each round.
    assert_eq!(crate::util::fen(&r, "surplus"), [30_000, 5_000, 0, 0]);
    assert_eq!(crate::util::fen(&r, "paid"), [0, 0, 10_000, 10_000]);
}

#[test]
fn batches_when_every_lender_paid_now_lacks_an_account() {
    let w = Workdir::new("edges-no-accounts");
    // Only B (no account) has a claim on F; A, with an account, holds nothing there.
    empty_round(&w, "F,1,0.01,2019-03-01\n");
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount\n\
         I1,E,A,2019-01-01,1000\nI2,F,B,2019-01-01,1000\n",
    );
    let o = w.run(&["payout", "data", "--payments", "bank", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 transfer (0.01 yuan) not in any batch"));
    assert!(w
        .read("bank/exceptions.csv")
        .contains("F,1,B,0.01,兑付 payout,"));
    let control = w.read("bank/F_r1_control.csv");
    assert!(control.contains("合计 total,F 第1轮,1,0.01"), "{control}");
    // Withheld in the register; sent by a later command once B gives an account.
    let register = w.read("winddown-register.csv");
    assert!(
        register.contains("F,1,B,0.01,payout,withheld,"),
        "{register}"
    );
    w.write(
        "data/lenders.csv",
        "lender_id,excluded,bank_account,bank_name\nA,,6222020200000000011,中国工商银行\nB,,6217000000000000022,中国建设银行\nX,yes,,\n",
    );
    let o = w.run(&[
        "payout",
        "data",
        "--ledger",
        "r",
        "--payments",
        "bank-2",
        "--out",
        "r2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let batch = w.read("bank-2/F_r1_b01_001.csv");
    assert!(batch.contains("6217000000000000022"), "{batch}");
    assert!(batch.contains("第1轮清退兑付(补发)"), "{batch}");
    // And never again.
    let o = w.run(&[
        "payout",
        "data",
        "--ledger",
        "r",
        "--payments",
        "bank-3",
        "--out",
        "r3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing new to pay"), "{}", stderr(&o));
    assert!(!w.path("bank-3/F_r1_b01_001.csv").exists());
    // A lenders table with no account column: a mapping left out, refused before any work.
    w.write("data/lenders.csv", "lender_id,excluded\nA,\nB,\nX,yes\n");
    let o = w.run(&["payout", "data", "--payments", "bank-4", "--out", "r4"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs a bank_account column"));
}

#[test]
fn an_issued_transfer_is_never_issued_again_whatever_the_ledger() {
    let w = Workdir::new("edges-register");
    empty_round(&w, "F,1,100,2019-03-01\n");
    let pay = |ledger: Option<&str>, file: &str, out: &str| {
        let mut args = vec!["payout", "data", "--payment-file", file, "--out", out];
        if let Some(l) = ledger {
            args.extend(["--ledger", l]);
        }
        w.run(&args)
    };
    let o = pay(None, "pay/1.csv", "r1");
    assert_eq!(
        o.status.code(),
        Some(2),
        "the payment file's folder must exist"
    );
    std::fs::create_dir(w.path("pay")).unwrap();
    let o = pay(None, "pay/1.csv", "r1");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    empty_round(&w, "F,1,100,2019-03-01\nF,2,200,2019-06-01\n");
    let o = pay(Some("r1"), "pay/2.csv", "r2");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = |f: &str| w.read(f).lines().count();
    assert_eq!(lines("pay/2.csv"), 3);
    // The old ledger again: round 2 computed again, the same transfers: not issued twice.
    let o = pay(Some("r1"), "pay/3.csv", "r3");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 transfers (200.00 yuan) of this command were issued already"));
    assert_eq!(lines("pay/3.csv"), 1);
    // Round 2's pool changed since it was paid, on the old ledger: other amounts than were
    // issued — refused, nothing written.
    empty_round(&w, "F,1,100,2019-03-01\nF,2,300,2019-06-01\n");
    let o = pay(Some("r1"), "pay/4.csv", "r4");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("was issued 100.00 yuan for round 2 of platform F already"),
        "{e}"
    );
    assert!(e.contains("pay/2.csv"), "{e}");
    assert!(!w.path("r4").exists() && !w.path("pay/4.csv").exists());
    // The register: every issued transfer with its file and hash.
    let register = w.read("pay/winddown-register.csv");
    let rows: Vec<&str> = register.lines().collect();
    assert_eq!(
        rows[0],
        "platform_id,round,lender_id,amount,kind,status,file,sha256,issued_at"
    );
    assert_eq!(rows.len(), 1 + 2 + 2);
    assert!(rows[1].starts_with("F,1,A,50.00,payout,issued,pay/1.csv,"));
}

#[test]
fn omissions_are_said() {
    let w = Workdir::new("edges-omissions");
    empty_round(&w, "F,1,100,2019-03-01\n");
    // vote: E has only an excluded lender.
    let o = w.run(&["vote", "data", "--scheme", "pro", "--out", "v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("E (出借人均被排除 every lender with a claim is excluded)"));
    let md = w.read("v/vote.md");
    assert!(
        md.contains("| E | 出借人均被排除 every lender with a claim is excluded |"),
        "{md}"
    );
    // A payout with nothing new: said.
    std::fs::create_dir(w.path("pay")).unwrap();
    let o = w.run(&[
        "payout",
        "data",
        "--payment-file",
        "pay/1.csv",
        "--out",
        "r1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&[
        "payout",
        "data",
        "--ledger",
        "r1",
        "--payment-file",
        "pay/2.csv",
        "--out",
        "r2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing new to pay"), "{}", stderr(&o));
    // progress on two runs as of the same day.
    for out in ["a", "b"] {
        let o = w.run(&["run", "data", "--out", out]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = w.run(&["progress", "a", "b"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("both runs are as of 2019-03-01"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn markup_from_the_data_is_text_in_every_document() {
    let w = Workdir::new("edges-html");
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\n\
         <b>P1</b>,<script>alert(1)</script>,\"\"\"><img src=x onerror=alert(1)>\",true\n\
         P2,x' onmouseover='alert(1),[link](javascript:alert(1)) | x,\n",
    );
    w.write(
        "data/loans.csv",
        format!("{LOANS}D1,<b>P1</b>,B1,individual,2019-01-01,2000,2000\n"),
    );
    w.write(
        "data/lenders.csv",
        "lender_id,district\n<i>L1</i>,<svg onload=alert(1)>\nL2,b\n",
    );
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount\n\
         I1,<b>P1</b>,<i>L1</i>,2019-01-01,1000\nI2,P2,L2,2019-01-01,1000\n",
    );
    w.write(
        "data/recoveries.csv",
        "platform_id,round,amount,received_on\n<b>P1</b>,1,500,2019-03-01\nP2,1,100,2019-03-01\n",
    );
    let o = w.run(&["run", "data", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["compare", "data", "--out", "c"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["r/report.html", "r/notices.html", "c/compare.html"] {
        let html = w.read(f);
        for live in [
            "<script>alert",
            "<img src",
            "<svg onload",
            "<b>P1",
            "<i>L1",
            "='alert",
        ] {
            assert!(!html.contains(live), "{f}: {live}");
        }
    }
    // The templates escape `<` and `>` as numeric references.
    let report = w.read("r/report.html");
    assert!(
        report.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{report}"
    );
    // Markdown: no raw tag, link or table bar from the data.
    let md = w.read("r/plan.md");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(md.contains("\\[link\\](javascript:alert(1)) \\| x"), "{md}");
    assert!(!md.contains("<script>") && !md.contains("<img"), "{md}");
}

#[test]
fn a_ledger_status_that_is_none_of_the_three_is_refused() {
    use polars::prelude::*;
    let w = Workdir::new("edges-ledger-status");
    empty_round(&w, "F,1,100,2019-03-01\n");
    let o = w.run(&["payout", "data", "--out", "r1"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut df = read_parquet(&w, "r1/payouts.parquet");
    let n = df.height();
    df.with_column(Column::new("status".into(), vec!["paid"; n]))
        .unwrap();
    let f = std::fs::File::create(w.path("r1/payouts.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
    empty_round(&w, "F,1,100,2019-03-01\nF,2,100,2019-06-01\n");
    let o = w.run(&["payout", "data", "--ledger", "r1", "--out", "r2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a ledger: status \"paid\""),
        "{}",
        stderr(&o)
    );
    assert!(!w.path("r2").exists());
}

#[test]
fn the_console_names_the_first_rejected_rows_and_suggests_a_lender_id() {
    let w = Workdir::new("edges-console");
    hostile(&w);
    let o = w.run(&["run", "data", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Where, what and why, as a compiler shows an error (the value neutralised nowhere here:
    // the console is no spreadsheet, but its control characters would be escaped).
    assert!(
        stderr(&o).contains("拒收 rejected: investments.csv:6: amount bad_money \"=cmd\""),
        "{}",
        stderr(&o)
    );
    // An id in the wrong case: not found, and the right one suggested.
    let o = w.run(&["statement", "r", "--lender", "a"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no lender a in the claims") && stderr(&o).contains("did you mean A?"),
        "{}",
        stderr(&o)
    );
    let o = w.run(&["statement", "r", "--lender", "nobody"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("did you mean"), "{}", stderr(&o));
}

#[test]
fn every_output_shows_the_classes_in_the_work_plans_order() {
    let w = Workdir::new("edges-class-order");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let city = city.to_str().unwrap();
    let o = w.run(&["run", city, "--out", "a"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let order = ["已出险", "高风险", "僵尸类", "规模较小", "正常"];
    let positions = |text: &str| -> Vec<usize> {
        order
            .iter()
            .map(|c| text.find(c).unwrap_or_else(|| panic!("{c} not in {text}")))
            .collect()
    };
    let ascending = |p: &[usize]| p.windows(2).all(|w| w[0] < w[1]);
    // The console's class table.
    assert!(ascending(&positions(&stderr(&o))), "{}", stderr(&o));
    // summary.json.
    let s: serde_json::Value = serde_json::from_str(&w.read("a/summary.json")).unwrap();
    let codes: Vec<&str> = s["by_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["failed", "high_risk", "zombie", "small", "normal"]);
    // The report's class table, its counts with thousands separators.
    let html = w.read("a/report.html");
    let table = &html[html.find("<h2>分类 Classes</h2>").unwrap()..];
    assert!(ascending(&positions(table)));
    assert!(
        table.contains("已出险 failed</td><td>18</td><td>25,574.29</td><td>6,591</td>"),
        "{table}"
    );
    // The bulletin: in that order, in Chinese too.
    let o = w.run(&["run", city, "--as-of", "2019-07-31", "--out", "b"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["progress", "a", "b"]);
    let md = String::from_utf8(o.stdout).unwrap();
    let by_class = &md[md.find("按类别 By class").unwrap()..md.find("按属地 By district").unwrap()];
    assert!(by_class.contains("| 已出险 failed |"), "{by_class}");
    let present: Vec<usize> = order.iter().filter_map(|c| by_class.find(c)).collect();
    assert!(present.len() >= 3 && ascending(&present), "{by_class}");
}

#[test]
fn notices_carry_the_date_they_are_published_and_plan_md_shows_numbers_as_people_write_them() {
    let w = Workdir::new("edges-notice-date");
    empty_round(&w, "F,1,100,2019-03-01\n");
    let o = w.run(&["payout", "data", "--out", "a"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(w.read("a/notices.html").contains("2019年3月1日"));
    let o = w.run(&[
        "payout",
        "data",
        "--notice-date",
        "2019-03-04",
        "--out",
        "b",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = w.read("b/notices.html");
    assert!(
        html.contains("2019年3月4日") && !html.contains("2019年3月1日"),
        "{html}"
    );
    let o = w.run(&[
        "payout",
        "data",
        "--notice-date",
        "2019-02-30",
        "--out",
        "c",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // plan.md: money with separators, months whole, ratios in percent, flags in words.
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let o = w.run(&["plan", city.to_str().unwrap(), "--out", "p"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = w.read("p/plan.md");
    assert!(!md.contains(".0000"), "{md}");
    assert!(md.contains("not_reporting = 是 yes"), "{md}");
    assert!(md.contains("months_since_new_loan = 25 个月;"), "{md}");
    // Counts with separators, and the stage table's starts and completions.
    assert!(
        md.contains(
            "| 1 | 2019-09-30 | 20 | 9 | 41 (82.0%) | 791,563,226.73 (94.8%) | 21,395 (94.8%) |"
        ),
        "{md}"
    );
    assert!(md.contains("834,857,322.59"), "{md}");
}

#[test]
fn the_plan_on_the_console_says_starts_and_completions_and_names_who_is_at_risk() {
    let w = Workdir::new("edges-plan-console");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let o = w.run(&[
        "plan",
        city.to_str().unwrap(),
        "--deadline",
        "2020-06-30",
        "--out",
        "p",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("开始 starts") && e.contains("完成 completions"),
        "{e}"
    );
    assert!(!e.contains("退出 exits"), "{e}");
    // Completions are what the remaining count loses: 50 → 41 is 9.
    let stage1 = e.lines().find(|l| l.contains("2019-09-30")).unwrap();
    let cells: Vec<&str> = stage1.split_whitespace().collect();
    assert_eq!(&cells[1..5], ["2019-09-30", "50", "9", "41"], "{stage1}");
    // The platforms that cannot finish by the deadline, by name.
    assert!(e.contains("2 家无法按期完成"), "{e}");
    assert!(
        e.contains("P14 宝通财富（高风险）: 最早 earliest 2021-06-30"),
        "{e}"
    );
}

#[test]
fn every_command_has_its_man_page() {
    let w = Workdir::new("edges-man");
    for name in ["run", "payout", "serve", "statement"] {
        let o = w.run(&["man", name]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let page = String::from_utf8(o.stdout).unwrap();
        assert!(page.contains(&format!(".TH winddown-{name} 1")), "{page}");
    }
    let o = w.run(&["man", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no command \"nope\""));
    // DATA's help names every format a table may come in.
    let o = w.run(&["validate", "--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(
        help.contains(".xlsx") && help.contains("folder of parts"),
        "{help}"
    );
}

#[test]
fn an_empty_rejects_sheet_says_there_was_nothing() {
    let w = Workdir::new("edges-empty-rejects");
    empty_round(&w, "F,1,100,2019-03-01\n");
    let o = w.run(&["run", "data", "--xlsx", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut book: Xlsx<_> = open_workbook(w.path("r/winddown.xlsx")).unwrap();
    let sheet = book.worksheet_range("拒收记录").unwrap();
    assert_eq!(
        sheet.rows().nth(1).unwrap()[0],
        Data::String("无 none".into())
    );
}

#[test]
fn the_workbook_filters_the_rows_not_the_total_and_keeps_id_and_name_in_view() {
    let w = Workdir::new("edges-workbook-layout");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let o = w.run(&["run", city.to_str().unwrap(), "--xlsx", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The sheets' XML, read with Python's zipfile (CI has Python for the notebooks).
    let xml = |sheet: &str| -> String {
        let o = std::process::Command::new("python3")
            .args([
                "-c",
                "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
            ])
            .arg(w.path("r/winddown.xlsx"))
            .arg(format!("xl/worksheets/{sheet}.xml"))
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    // 汇总: the header and five classes filtered (A1:G6), the 合计 row (7) left out.
    let summary = xml("sheet1");
    assert!(summary.contains("<autoFilter ref=\"A1:G6\"/>"), "{summary}");
    // The first class sheet: the id and name columns frozen with the header.
    let class = xml("sheet2");
    assert!(class.contains("<pane xSplit=\"2\" ySplit=\"1\""), "{class}");
}
