//! `winddown validate`: one hand-written fixture per reject reason, the line numbers of
//! awkward CSV (quoted newlines, blank lines, CRLF, BOM), encodings, Parquet, and the files
//! that are not tables at all.

use crate::util::{assert_inputs_hashed, rejects, stderr, Workdir};

const PLATFORMS: &str = "\
platform_id,name,district,case_filed,controller_missing,repayment_suspended,cooperating,reporting,red_flags
P1,甲贷,鄂城区,false,false,false,true,true,
P2,乙贷,华容区,是,否,否,否,是,cash_pool; self_financing
";
const LOANS: &str = "\
loan_id,platform_id,borrower_id,borrower_type,related_party,originated_on,principal,outstanding_principal,matures_on,days_past_due,collateral_value
D1,P1,B1,individual,false,2019-01-15,\"100,000.00\",80000,2020-01-15,0,0
D2,P2,B2,企业,true,2019/02/01,500000,500000,20200201,120,100000.50
";
const LENDERS: &str = "\
lender_id,name,id_number,phone,district,registered,excluded
L1,张三,11010519491231002X,13900000000,鄂城区,true,false
L2,李四,,,华容区,no,yes
";
const INVESTMENTS: &str = "\
investment_id,platform_id,lender_id,loan_id,invested_on,amount,principal_returned,returns_received,matures_on
I1,P1,L1,D1,2019-01-15,10000,2000,500.5,2020-01-15
I2,P2,L2,,2019-02-01,5000.00,0,0,
";
const RECOVERIES: &str = "\
platform_id,round,amount,received_on,source
P2,1,1000.00,2019-06-01,asset_disposal
";

/// A valid input folder `data/`, with `extra` appended to the named tables.
fn fixture(w: &Workdir, extra: &[(&str, &str)]) {
    for (name, base) in [
        ("platforms", PLATFORMS),
        ("loans", LOANS),
        ("lenders", LENDERS),
        ("investments", INVESTMENTS),
        ("recoveries", RECOVERIES),
    ] {
        let mut text = base.to_string();
        for (t, rows) in extra {
            if *t == name {
                text.push_str(rows);
            }
        }
        w.write(&format!("data/{name}.csv"), text);
    }
}

/// Run validate on `data/` into `out/` and return the reject rows (exit code must be 0).
fn validate_rejects(w: &Workdir, args: &[&str]) -> Vec<[String; 6]> {
    let mut all = vec!["validate", "data", "--out", "out"];
    all.extend_from_slice(args);
    let o = w.run(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    rejects(&w.read("out/rejects.csv"))
}

/// Exactly one reject: (table, line, column, value, reason).
fn assert_one_reject(extra: &[(&str, &str)], args: &[&str], want: (&str, u64, &str, &str, &str)) {
    let w = Workdir::new("reject");
    fixture(&w, extra);
    let rows = validate_rejects(&w, args);
    let got: Vec<(String, u64, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[2].parse().unwrap(),
                r[3].clone(),
                r[4].clone(),
                r[5].clone(),
            )
        })
        .collect();
    let (t, line, col, value, reason) = want;
    assert_eq!(
        got,
        vec![(
            t.to_string(),
            line,
            col.to_string(),
            value.to_string(),
            reason.to_string()
        )],
        "rejects for {extra:?}"
    );
    assert_eq!(rows[0][1], format!("{t}.csv"));
}

#[test]
fn the_valid_fixture_has_no_rejects_and_counts_add_up() {
    let w = Workdir::new("valid");
    fixture(&w, &[]);
    assert!(validate_rejects(&w, &[]).is_empty());
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["as_of"], "2019-06-01"); // the latest received_on
    for (table, n) in [
        ("platforms", 2),
        ("loans", 2),
        ("lenders", 2),
        ("investments", 2),
        ("recoveries", 1),
    ] {
        assert_eq!(v["tables"][table]["read"], n, "{table}");
        assert_eq!(v["tables"][table]["accepted"], n, "{table}");
        assert_eq!(v["tables"][table]["rejected"], 0, "{table}");
    }
    assert_eq!(v["warnings"]["invalid_id_number"], 0);
}

#[test]
fn missing_value() {
    assert_one_reject(
        &[("investments", "I3,P1,L1,,2019-01-15,,0,0,\n")],
        &[],
        ("investments", 4, "amount", "", "missing_value"),
    );
}

#[test]
fn missing_value_when_the_row_is_short() {
    assert_one_reject(
        &[("platforms", "P3,丙贷\n")],
        &[],
        ("platforms", 4, "district", "", "missing_value"),
    );
}

#[test]
fn bad_money_three_decimals_is_not_rounded() {
    assert_one_reject(
        &[("investments", "I3,P1,L1,,2019-01-15,12.345,0,0,\n")],
        &[],
        ("investments", 4, "amount", "12.345", "bad_money"),
    );
}

#[test]
fn bad_money_beyond_i64() {
    assert_one_reject(
        &[(
            "investments",
            "I3,P1,L1,,2019-01-15,92233720368547758.08,0,0,\n",
        )],
        &[],
        (
            "investments",
            4,
            "amount",
            "92233720368547758.08",
            "bad_money",
        ),
    );
}

/// A money column's accepted amounts must add up within 64-bit fen (docs/inputs.md): the
/// fixture's investments hold 10,000.00 + 5,000.00 yuan = 1,500,000 fen, so one more row of
/// i64::MAX − 1,500,000 fen brings the column to the limit exactly (accepted), a fen more is
/// beyond it (the command refused, naming the column).
#[test]
fn money_column_totals_beyond_64_bit_fen_are_refused() {
    for (amount, refused) in [
        ("92233720368532758.06", false),
        ("92233720368532758.07", false),
        ("92233720368532758.08", true),
    ] {
        let w = Workdir::new("money-total");
        let row = format!("I3,P1,L1,,2019-01-15,{amount},0,0,\n");
        fixture(&w, &[("investments", &row)]);
        let o = w.run(&["validate", "data", "--out", "out"]);
        let err = stderr(&o);
        if refused {
            assert_eq!(o.status.code(), Some(2), "{amount}: {err}");
            assert!(
                err.contains("investments.amount: the accepted amounts add up to more than"),
                "{amount}: {err}"
            );
        } else {
            assert_eq!(o.status.code(), Some(0), "{amount}: {err}");
        }
    }
}

/// Thousands of investments, seven of every nine broken each its own way, across the
/// chunks the investments are checked in (their lookups and parses made ahead on a second
/// thread, 4,096 rows at a time) and CSV batches: every reject at its line with its reason,
/// every other row accepted, in row order, however the rows fall into chunks.
#[test]
fn investments_rejects_are_exact_across_chunks() {
    let rows = 10_000;
    let mut text = String::new();
    let mut want = Vec::new();
    for k in 0..rows {
        let line = 4 + k as u64;
        let id = if k % 9 == 4 { k - 1 } else { k };
        let row = match k % 9 {
            0 => format!("J{id},P1,L1,D1,2019-01-15,100,0,0,\n"),
            1 => {
                want.push((line, "amount", "bad_money"));
                format!("J{id},P1,L1,D1,2019-01-15,1x,0,0,\n")
            }
            2 => {
                want.push((line, "lender_id", "unknown_parent"));
                format!("J{id},P1,LX{k},D1,2019-01-15,100,0,0,\n")
            }
            3 => {
                want.push((line, "loan_id", "loan_platform_mismatch"));
                format!("J{id},P2,L2,D1,2019-01-15,100,0,0,\n")
            }
            4 => {
                // The row before's id: registered though that row was refused.
                want.push((line, "investment_id", "duplicate_id"));
                format!("J{id},P2,L2,D2,2019-01-15,100,0,0,\n")
            }
            5 => {
                want.push((line, "loan_id", "unknown_parent"));
                format!("J{id},P1,L1,DX{k},2019-01-15,100,0,0,\n")
            }
            6 => format!("J{id},P2,L2,D2,2019-02-01,50.5,0,0,\n"),
            7 => {
                want.push((line, "platform_id", "unknown_parent"));
                format!("J{id},PX{k},L1,D1,2019-01-15,100,0,0,\n")
            }
            _ => {
                // P3's own row was refused (below).
                want.push((line, "platform_id", "parent_rejected"));
                format!("J{id},P3,L1,,2019-01-15,100,0,0,\n")
            }
        };
        text.push_str(&row);
    }
    let w = Workdir::new("chunks");
    fixture(
        &w,
        &[
            ("platforms", "P3,丙贷,鄂城区,maybe\n"),
            ("investments", &text),
        ],
    );
    assert_table_rejects(&w, "investments", rows + 2, &want);
}

/// Validate `data/` and check `table`'s rejects are exactly `want` — (line, column, reason), in
/// order — and validation.json counts `read` rows and as many rejects.
fn assert_table_rejects(w: &Workdir, table: &str, read: usize, want: &[(u64, &str, &str)]) {
    let got: Vec<(u64, String, String)> = validate_rejects(w, &[])
        .into_iter()
        .filter(|r| r[0] == table)
        .map(|r| (r[2].parse().unwrap(), r[3].clone(), r[5].clone()))
        .collect();
    let want: Vec<(u64, String, String)> = want
        .iter()
        .map(|(l, c, r)| (*l, c.to_string(), r.to_string()))
        .collect();
    assert_eq!(got, want);
    let report: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    let counts = &report["tables"][table];
    assert_eq!(counts["read"], read, "{counts}");
    assert_eq!(counts["rejected"], want.len(), "{counts}");
}

/// The same for loans, whose cells are parsed ahead too while their keys are registered in
/// table order and their borrowers in row order: four of every five broken each its own way, every reject at its
/// line, a refused row's id still taken.
#[test]
fn loans_rejects_are_exact_across_chunks() {
    let rows = 10_000;
    let mut text = String::new();
    let mut want = Vec::new();
    for k in 0..rows {
        let line = 4 + k as u64;
        let id = if k % 5 == 2 { k - 1 } else { k };
        let (platform, principal, outstanding) = match k % 5 {
            1 => {
                want.push((line, "principal", "bad_money"));
                ("P1", "1x", "100")
            }
            2 => {
                // The row before's id: registered though that row was refused.
                want.push((line, "loan_id", "duplicate_id"));
                ("P1", "100", "100")
            }
            3 => {
                want.push((line, "platform_id", "unknown_parent"));
                ("PX", "100", "100")
            }
            4 => {
                want.push((line, "outstanding_principal", "out_of_range"));
                ("P2", "100", "100.01")
            }
            _ => ("P2", "100", "50"),
        };
        text.push_str(&format!(
            "E{id},{platform},B{k},individual,false,2019-01-15,{principal},{outstanding},,0,0\n"
        ));
    }
    let w = Workdir::new("loan-chunks");
    fixture(&w, &[("loans", &text)]);
    assert_table_rejects(&w, "loans", rows + 2, &want);
}

#[test]
fn bad_date_that_does_not_exist() {
    assert_one_reject(
        &[("investments", "I3,P1,L1,,2020-02-30,100,0,0,\n")],
        &[],
        ("investments", 4, "invested_on", "2020-02-30", "bad_date"),
    );
}

#[test]
fn bad_bool() {
    assert_one_reject(
        &[("platforms", "P3,丙贷,鄂城区,maybe\n")],
        &[],
        ("platforms", 4, "case_filed", "maybe", "bad_bool"),
    );
}

#[test]
fn bad_integer() {
    assert_one_reject(
        &[(
            "loans",
            "D3,P1,B3,individual,false,2019-01-15,100,100,,1.5,0\n",
        )],
        &[],
        ("loans", 4, "days_past_due", "1.5", "bad_integer"),
    );
}

#[test]
fn bad_enum() {
    assert_one_reject(
        &[("loans", "D3,P1,B3,company,false,2019-01-15,100,100,,0,0\n")],
        &[],
        ("loans", 4, "borrower_type", "company", "bad_enum"),
    );
}

#[test]
fn unknown_red_flag() {
    assert_one_reject(
        &[("platforms", "P3,丙贷,鄂城区,,,,,,cash_pool;ponzi\n")],
        &[],
        (
            "platforms",
            4,
            "red_flags",
            "cash_pool;ponzi",
            "unknown_red_flag",
        ),
    );
}

#[test]
fn out_of_range_principal_returned_above_amount() {
    assert_one_reject(
        &[("investments", "I3,P1,L1,,2019-01-15,100,100.01,0,\n")],
        &[],
        (
            "investments",
            4,
            "principal_returned",
            "100.01",
            "out_of_range",
        ),
    );
}

#[test]
fn out_of_range_outstanding_above_principal_and_boundaries() {
    // At the bound (outstanding = principal) is fine; one fen above is not.
    assert_one_reject(
        &[("loans", "D3,P1,B3,individual,,2019-01-15,100,100,,,\nD4,P1,B4,individual,,2019-01-15,100,100.01,,,\n")],
        &[],
        ("loans", 5, "outstanding_principal", "100.01", "out_of_range"),
    );
}

#[test]
fn out_of_range_zero_amount_and_maturity_before_investment() {
    let w = Workdir::new("range");
    fixture(
        &w,
        &[("investments", "I3,P1,L1,,2019-01-15,0,0,0,\nI4,P1,L1,,2019-01-15,1,0,0,2019-01-14\nI5,P1,L1,,2019-01-15,1,0,0,2019-01-15\n")],
    );
    let rows = validate_rejects(&w, &[]);
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[2].as_str(), r[3].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("4", "amount", "out_of_range"),
            ("5", "matures_on", "out_of_range")
        ]
    );
}

#[test]
fn duplicate_id_keeps_the_first() {
    assert_one_reject(
        &[("investments", "I1,P1,L1,,2019-01-15,100,0,0,\n")],
        &[],
        ("investments", 4, "investment_id", "I1", "duplicate_id"),
    );
}

/// A first pass over text investments splits a line only up to its id: a line of commas alone
/// is still a record (not a blank line), a quoted line is still one record, and the repeats it
/// finds are the rows the set finds when the file is read once.
#[test]
fn a_text_first_pass_counts_the_records_the_validation_counts() {
    let w = Workdir::new("textpass-rows");
    fixture(
        &w,
        &[(
            "investments",
            ",,,,,,,,\n\"I9\",P1,L1,,\"2019-01-15\",\"1,00\",0,0,\nI1,P1,L1,,2019-01-15,100,0,0,\n  \nI9,P1,L1,,2019-01-15,100,0,0,\n",
        )],
    );
    let once = validate_rejects(&w, &[]);
    let o = w.run_env(
        &["validate", "data", "--out", "twice", "-v"],
        &[("WINDDOWN_TEXT_FIRST_PASS_BYTES", "0")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("repeated investment ids"),
        "{}",
        stderr(&o)
    );
    assert_eq!(rejects(&w.read("twice/rejects.csv")), once);
    let got: Vec<(&str, &str)> = once
        .iter()
        .filter(|r| r[0] == "investments")
        .map(|r| (r[2].as_str(), r[5].as_str()))
        .collect();
    // Line 4: the commas (no id); 5: I9 quoted (its amount "1,00" refused); 6: I1 again; 7 is
    // blank; 8: I9 again.
    assert_eq!(
        got,
        vec![
            ("4", "missing_value"),
            ("5", "bad_money"),
            ("6", "duplicate_id"),
            ("8", "duplicate_id"),
        ]
    );
}

#[test]
fn duplicate_of_a_rejected_row_is_still_a_duplicate() {
    let w = Workdir::new("dup-rejected");
    fixture(
        &w,
        &[("platforms", "P3,丙贷,鄂城区,maybe\nP3,丙贷,鄂城区,false\n")],
    );
    let rows = validate_rejects(&w, &[]);
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[2].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(got, vec![("4", "bad_bool"), ("5", "duplicate_id")]);
}

#[test]
fn unknown_parent() {
    assert_one_reject(
        &[("investments", "I3,P1,L9,,2019-01-15,100,0,0,\n")],
        &[],
        ("investments", 4, "lender_id", "L9", "unknown_parent"),
    );
}

#[test]
fn parent_rejected_cascades() {
    let w = Workdir::new("cascade");
    fixture(
        &w,
        &[
            ("platforms", "P3,丙贷,鄂城区,maybe\n"),
            (
                "loans",
                "D3,P3,B3,individual,false,2019-01-15,100,100,,0,0\n",
            ),
            ("investments", "I3,P1,L1,D3,2019-01-15,100,0,0,\n"),
            ("recoveries", "P3,1,10,2019-06-01,\n"),
        ],
    );
    let rows = validate_rejects(&w, &[]);
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[3].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("platforms", "4", "case_filed", "bad_bool"),
            ("loans", "4", "platform_id", "parent_rejected"),
            ("investments", "4", "loan_id", "parent_rejected"),
            ("recoveries", "3", "platform_id", "parent_rejected"),
        ]
    );
}

/// A lender whose row was rejected is known but not accepted: an investment naming it is
/// rejected as `parent_rejected` (not `unknown_parent`), and so is a second row of its id.
#[test]
fn a_rejected_lender_is_a_rejected_parent() {
    let w = Workdir::new("lender-rejected");
    fixture(
        &w,
        &[
            (
                "lenders",
                "L3,王五,,,鄂城区,maybe,false\nL3,王五,,,鄂城区,true,false\n",
            ),
            ("investments", "I3,P1,L3,,2019-01-15,100,0,0,\n"),
        ],
    );
    let rows = validate_rejects(&w, &[]);
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[3].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("lenders", "4", "registered", "bad_bool"),
            ("lenders", "5", "lender_id", "duplicate_id"),
            ("investments", "4", "lender_id", "parent_rejected"),
        ]
    );
}

#[test]
fn loan_platform_mismatch() {
    assert_one_reject(
        &[("investments", "I3,P2,L1,D1,2019-01-15,100,0,0,\n")],
        &[],
        ("investments", 4, "loan_id", "D1", "loan_platform_mismatch"),
    );
}

#[test]
fn after_as_of_only_with_an_explicit_date() {
    let extra = [("investments", "I3,P1,L1,,2019-06-02,100,0,0,\n")];
    assert_one_reject(
        &extra,
        &["--as-of", "2019-06-01"],
        ("investments", 4, "invested_on", "2019-06-02", "after_as_of"),
    );
    // At the as-of date itself the row is fine; without --as-of nothing is after it.
    let w = Workdir::new("asof");
    fixture(
        &w,
        &[(
            "investments",
            "I3,P1,L1,,2019-06-01,100,0,0,\nI4,P1,L1,,2019-06-02,100,0,0,\n",
        )],
    );
    assert_eq!(validate_rejects(&w, &["--as-of", "2019-06-01"]).len(), 1);
    assert!(validate_rejects(&w, &[]).is_empty());
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["as_of"], "2019-06-02");
}

#[test]
fn extra_non_empty_field() {
    assert_one_reject(
        &[(
            "recoveries",
            "P1,1,10,2019-06-01,collection,oops\nP1,2,10,2019-06-01,collection,,\n",
        )],
        &[],
        ("recoveries", 3, "#6", "oops", "extra_field"),
    );
}

#[test]
fn invalid_id_number_is_a_warning_with_no_value() {
    let w = Workdir::new("idwarn");
    fixture(&w, &[("lenders", "L3,王五,110105194912310021,,鄂城区,,\n")]);
    let rows = validate_rejects(&w, &[]);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0][2..],
        ["4", "id_number", "", "invalid_id_number"].map(String::from)
    );
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["warnings"]["invalid_id_number"], 1);
    assert_eq!(v["tables"]["lenders"]["accepted"], 3);
    assert_eq!(v["tables"]["lenders"]["rejected"], 0);
}

#[test]
fn personal_data_never_reaches_rejects() {
    // A duplicate lender whose name, id number and phone are markers.
    let w = Workdir::new("pii");
    fixture(
        &w,
        &[(
            "lenders",
            "L1,MARKERNAME,MARKERID,MARKERPHONE,鄂城区,maybe,\n",
        )],
    );
    let o = w.run(&["validate", "data", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0));
    for f in ["out/rejects.csv", "out/validation.json"] {
        assert!(!w.read(f).contains("MARKER"), "{f}");
    }
    assert!(!stderr(&o).contains("MARKER"));
}

#[test]
fn line_numbers_count_quoted_newlines_blank_lines_and_crlf() {
    let w = Workdir::new("lines");
    fixture(&w, &[]);
    // Header on line 1; a platform whose name spans lines 2–3; a blank line 4; a bad row on 5.
    w.write(
        "data/platforms.csv",
        "\u{feff}platform_id,name,district\r\nP1,\"甲\r\n贷\",鄂城区\r\n\r\nP2,乙贷,\r\nP3,丙贷,华容区\r\n",
    );
    let rows = validate_rejects(&w, &[]);
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str(), r[3].as_str(), r[5].as_str()))
        .collect();
    // P2 is missing its district (line 5); the loans and investments that name P2 follow it.
    assert_eq!(got[0], ("platforms", "5", "district", "missing_value"));
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["tables"]["platforms"]["read"], 3);
    assert_eq!(v["tables"]["platforms"]["accepted"], 2);
    assert_eq!(v["tables"]["platforms"]["encoding"], "utf-8");
}

#[test]
fn whitespace_including_ideographic_space_is_trimmed() {
    let w = Workdir::new("trim");
    fixture(
        &w,
        &[(
            "investments",
            "I3,\u{3000}P1 , L1\u{a0},,2019-01-15,\" 1,234.50 \",\"\",0,\n",
        )],
    );
    assert!(validate_rejects(&w, &[]).is_empty());
}

#[test]
fn gbk_file_with_chinese_headers_and_a_column_map() {
    let w = Workdir::new("gbk");
    fixture(&w, &[]);
    let text = "平台编号,平台名称,所在区,已立案,备注\nP1,甲贷,鄂城区,否,无\nP2,乙贷,华容区,是,\n";
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    w.write("data/platforms.csv", &bytes);
    w.write(
        "map.toml",
        "[columns]\n\"平台编号\" = \"platform_id\"\n\"平台名称\" = \"name\"\n\"所在区\" = \"district\"\n\"已立案\" = \"case_filed\"\n",
    );
    let o = w.run(&["validate", "data", "--config", "map.toml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["tables"]["platforms"]["encoding"], "gb18030");
    assert_eq!(v["tables"]["platforms"]["accepted"], 2);
    assert_eq!(v["tables"]["platforms"]["unknown_columns"][0], "备注");
    // Forcing UTF-8 on it is a file error, exit 2.
    let o = w.run(&[
        "validate",
        "data",
        "--config",
        "map.toml",
        "--encoding",
        "utf-8",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("platforms.csv"), "{}", stderr(&o));
}

#[test]
fn strict_turns_any_reject_into_exit_2_and_writes_nothing() {
    let w = Workdir::new("strict");
    fixture(&w, &[("platforms", "P3,丙贷,鄂城区,maybe\n")]);
    let o = w.run(&["validate", "data", "--strict", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!w.path("out").exists());
}

/// A file that is not a table: exit 2, one line naming the file, no output folder.
fn assert_bad_file(setup: impl Fn(&Workdir), names: &str) {
    let w = Workdir::new("badfile");
    fixture(&w, &[]);
    setup(&w);
    let o = w.run(&["validate", "data", "--out", "out"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(names), "{err} should name {names}");
    assert!(err.lines().count() <= 1 + 5, "{err}"); // table counts may precede it
    assert!(!err.contains("panicked"), "{err}");
    assert!(!w.path("out").exists());
}

#[test]
fn files_that_are_not_tables() {
    assert_bad_file(|w| w.write("data/loans.csv", ""), "loans.csv: empty file");
    assert_bad_file(
        |w| w.write("data/loans.csv", "loan_id,platform_id\nD1,P1\n"),
        "loans.csv: missing required column",
    );
    assert_bad_file(
        |w| {
            w.write(
                "data/lenders.csv",
                [0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254],
            )
        },
        "lenders.csv",
    );
    assert_bad_file(
        |w| w.write("data/lenders.csv", "lender_id\nL1\nL2\0\n"),
        "lenders.csv: not a CSV text file",
    );
    assert_bad_file(
        |w| {
            let mut text = String::from("lender_id\n");
            for i in 0..20_000 {
                text.push_str(&format!("L{i}\n"));
            }
            text.push_str("L\0x\n");
            w.write("data/lenders.csv", text)
        },
        "lenders.csv: line 20002: NUL byte",
    );
    assert_bad_file(
        |w| w.write("data/lenders.csv", [0xff, 0xfe, b'l', 0]),
        "lenders.csv: UTF-16",
    );
    assert_bad_file(
        |w| w.write("data/recoveries.parquet", b"PAR1 not really"),
        "recoveries",
    );
    assert_bad_file(
        |w| std::fs::remove_file(w.path("data/loans.csv")).unwrap(),
        "required table loans is missing",
    );
    assert_bad_file(
        |w| w.write("data/investments.parquet", b"PAR1"),
        "given twice",
    );
    assert_bad_file(
        |w| {
            w.write(
                "data/platforms.csv",
                "platform_id,name,district,name\nP1,a,b,c\n",
            )
        },
        "platforms.csv: columns",
    );
}

/// A table's text: `head` (a header and rows), then rows made by `row` up to line `bad`,
/// which is a row whose first cell holds a NUL byte — a file refused only when read that far.
fn nul_at_line(head: &str, row: impl Fn(usize) -> String, bad: usize) -> String {
    let mut text = String::from(head);
    let rows = bad - 1 - head.lines().count();
    for i in 0..rows {
        text.push_str(&row(i));
    }
    text.push_str(&row(rows).replacen('X', "\0", 1));
    text
}

/// Text investments read twice (as a national CSV is; the threshold lowered) have their
/// first pass beside the lenders: with both broken the error is the lenders', though the
/// investments' fails at their second line and the lenders' only at line 20,003; unbroken,
/// the same rejects and files as read once.
#[test]
fn a_text_first_pass_beside_the_lenders_keeps_the_tables_order() {
    let w = Workdir::new("textpass");
    fixture(&w, &[]);
    let row = |i| format!("X{i},,,,,,\n");
    w.write("data/lenders.csv", nul_at_line(LENDERS, row, 20_003));
    w.write(
        "data/investments.csv",
        "investment_id,platform_id\nI\0,P1\n",
    );
    let o = w.run_env(
        &["validate", "data", "--out", "out"],
        &[("WINDDOWN_TEXT_FIRST_PASS_BYTES", "0")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("lenders.csv: line 20003: NUL byte"),
        "{}",
        stderr(&o)
    );
    // Unbroken: the bad sample's rejects, exactly, read either way.
    let bad = format!("{}/data-samples/bad", env!("CARGO_MANIFEST_DIR"));
    let once = w.run(&["validate", &bad, "--out", "once"]);
    let twice = w.run_env(
        &["validate", &bad, "--out", "twice", "-v"],
        &[("WINDDOWN_TEXT_FIRST_PASS_BYTES", "0")],
    );
    assert_eq!(once.status.code(), Some(0), "{}", stderr(&once));
    assert_eq!(twice.status.code(), Some(0), "{}", stderr(&twice));
    let text = stderr(&twice);
    assert!(text.contains("repeated investment ids"), "{text}");
    assert!(
        text.find("repeated investment ids") < text.find("lenders.csv (beside)"),
        "{text}"
    );
    assert_eq!(w.read("once/rejects.csv"), w.read("twice/rejects.csv"));
    // Hashed as read the first time, the file read twice has its own hash.
    for out in ["once", "twice"] {
        assert_inputs_hashed(&w.path(out), std::path::Path::new(&bad));
    }
}

/// With both files broken the error is the loans' (the table read first), however soon the
/// lenders' would be found.
#[test]
fn with_both_loans_and_lenders_broken_the_loans_error_is_told() {
    assert_bad_file(
        |w| {
            let row = |i| format!("X{i},P1,B{i},individual,false,2019-01-15,1,1,,0,0\n");
            w.write("data/loans.csv", nul_at_line(LOANS, row, 20_002));
            w.write("data/lenders.csv", "");
        },
        "loans.csv: line 20002: NUL byte",
    );
}

/// The lenders are read beside the loans, then the first pass over Parquet investments:
/// when both lenders and investments are broken the error is the lenders' (read first in the
/// tables' order).
#[test]
fn with_lenders_and_the_first_pass_broken_the_lenders_error_is_told() {
    assert_bad_file(
        |w| {
            let row = |i| format!("X{i},,,,,,\n");
            w.write("data/lenders.csv", nul_at_line(LENDERS, row, 20_003));
            std::fs::remove_file(w.path("data/investments.csv")).unwrap();
            w.write("data/investments.parquet", b"PAR1 not really a file PAR1");
        },
        "lenders.csv: line 20003: NUL byte",
    );
}

#[test]
fn invalid_utf8_after_a_valid_start_names_the_line() {
    let w = Workdir::new("badutf8");
    fixture(&w, &[]);
    let mut bytes = LENDERS.as_bytes().to_vec();
    bytes.extend_from_slice(b"L3,\xff\xfe,,,,,\n");
    // Push the bad bytes past the 64 KiB the encoding sniffer reads.
    let mut big = LENDERS.as_bytes().to_vec();
    for i in 0..10_000 {
        big.extend_from_slice(format!("X{i},,,,,,\n").as_bytes());
    }
    big.extend_from_slice(b"L3,\xff\xfe,,,,,\n");
    w.write("data/lenders.csv", &big);
    let o = w.run(&["validate", "data"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("lenders.csv: line 10004: invalid UTF-8"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn parquet_input_with_decimal_money_and_truncation() {
    use polars::prelude::*;
    let w = Workdir::new("parquet");
    fixture(&w, &[]);
    std::fs::remove_file(w.path("data/investments.csv")).unwrap();
    // amount as Decimal(18,3): 10000.000 is whole fen, 1.234 is not.
    let amount = Int128Chunked::from_vec("amount".into(), vec![10_000_000, 5_000_000, 1_234])
        .into_decimal(18, 3)
        .unwrap()
        .into_series();
    let mut df = DataFrame::new(
        3,
        vec![
            Series::new("investment_id".into(), ["I1", "I2", "I3"]).into_column(),
            Series::new("platform_id".into(), ["P1", "P2", "P1"]).into_column(),
            Series::new("lender_id".into(), ["L1", "L2", "L1"]).into_column(),
            Series::new(
                "invested_on".into(),
                ["2019-01-15", "2019-02-01", "2019-02-01"],
            )
            .into_column(),
            amount.into_column(),
            Series::new("returns_received".into(), [500i64, 0, 0]).into_column(),
        ],
    )
    .unwrap();
    let f = std::fs::File::create(w.path("data/investments.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
    let rows = validate_rejects(&w, &[]);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0][1..],
        ["investments.parquet", "3", "amount", "1.234", "bad_money"].map(String::from)
    );

    // Float money: an error naming the column, unless --accept-float-money.
    let mut df = df.clone();
    df.with_column(Series::new("principal_returned".into(), [2.675f64, 0.0, 0.0]).into_column())
        .unwrap();
    let f = std::fs::File::create(w.path("data/investments.parquet")).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
    let o = w.run(&["validate", "data"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("principal_returned"), "{}", stderr(&o));
    let rows = validate_rejects(&w, &["--accept-float-money"]);
    assert_eq!(rows.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["tables"]["investments"]["float_money_rounded"], 3);

    // A truncated Parquet file: exit 2, no panic.
    let bytes = std::fs::read(w.path("data/investments.parquet")).unwrap();
    w.write("data/investments.parquet", &bytes[..bytes.len() / 2]);
    let o = w.run(&["validate", "data"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("investments.parquet"));
}

/// Parquet as other writers leave it: snappy pages (pandas, Spark), dates as naive timestamps
/// (pandas' datetime64), ids dictionary-encoded (a pandas category) or as plain binary (older
/// Spark), an optional column with no value at all (an all-null column of type null).
#[test]
fn parquet_from_other_writers_reads_as_its_cells() {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, BinaryArray, DictionaryArray, Int64Array, NullArray, RecordBatch, StringArray,
        TimestampNanosecondArray,
    };
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    let w = Workdir::new("parquet-writers");
    fixture(&w, &[]);
    std::fs::remove_file(w.path("data/investments.csv")).unwrap();
    let day = 86_400_000_000_000i64;
    // 2019-01-15 and 2019-02-01 at midnight; the third at 09:30 on 2019-02-01.
    let jan15 = 17_911 * day;
    let feb1 = 17_928 * day;
    let columns: Vec<(&str, ArrayRef, bool)> = vec![
        (
            "investment_id",
            Arc::new(StringArray::from(vec!["I1", "I2", "I3"])),
            true,
        ),
        (
            "platform_id",
            Arc::new(BinaryArray::from(vec![&b"P1"[..], b"P2", b"P1"])),
            true,
        ),
        (
            "lender_id",
            Arc::new(
                vec![Some("L1"), Some("L2"), Some("L1")]
                    .into_iter()
                    .collect::<DictionaryArray<Int32Type>>(),
            ),
            true,
        ),
        (
            "invested_on",
            Arc::new(TimestampNanosecondArray::from(vec![
                jan15,
                feb1,
                feb1 + (9 * 3600 + 30 * 60) * 1_000_000_000,
            ])),
            true,
        ),
        (
            "amount",
            Arc::new(Int64Array::from(vec![10_000, 5_000, 100])),
            true,
        ),
        ("returns_received", Arc::new(NullArray::new(3)), true),
    ];
    let batch = RecordBatch::try_from_iter_with_nullable(columns).unwrap();
    let f = std::fs::File::create(w.path("data/investments.parquet")).unwrap();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer = ArrowWriter::try_new(f, batch.schema(), Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let rows = validate_rejects(&w, &[]);
    // Only the timestamp with a time of day is refused, as a date with a time is in Excel.
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0][1..],
        [
            "investments.parquet",
            "3",
            "invested_on",
            "2019-02-01 09:30:00",
            "bad_date"
        ]
        .map(String::from)
    );
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["tables"]["investments"]["accepted"], 2, "{v}");
}

#[test]
fn an_existing_output_folder_survives_a_failed_run() {
    let w = Workdir::new("atomic");
    fixture(&w, &[]);
    assert!(validate_rejects(&w, &[]).is_empty());
    let before = w.read("out/validation.json");
    w.write("data/loans.csv", "");
    let o = w.run(&["validate", "data", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(w.read("out/validation.json"), before);
}

#[test]
fn usage_errors_exit_2() {
    let w = Workdir::new("usage");
    assert_eq!(w.run(&["validate"]).status.code(), Some(2));
    assert_eq!(w.run(&["validate", "nowhere"]).status.code(), Some(2));
    assert_eq!(w.run(&["frobnicate"]).status.code(), Some(2));
    fixture(&w, &[]);
    w.write("bad.toml", "[columns]\n\"x\" = \"not_a_column\"\n");
    let o = w.run(&["validate", "data", "--config", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not_a_column"));
    assert_eq!(
        w.run(&["validate", "data", "--as-of", "2019-02-30"])
            .status
            .code(),
        Some(2)
    );
}

/// The shipped samples: bad/ produces exactly the rejects its README describes, and the GBK
/// copy of the city platforms table reads the same as the UTF-8 one through its column map.
#[test]
fn data_samples_validate_as_documented() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples");
    let w = Workdir::new("samples");
    let bad = samples.join("bad");
    let o = w.run(&["validate", bad.to_str().unwrap(), "--out", "bad-out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let expected = std::fs::read_to_string(bad.join("expected-rejects.csv")).unwrap();
    assert_eq!(w.read("bad-out/rejects.csv"), expected);

    let city = samples.join("city");
    let o = w.run(&[
        "validate",
        city.to_str().unwrap(),
        "--strict",
        "--out",
        "city-out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let gbk = samples.join("gbk");
    let o = w.run(&[
        "validate",
        gbk.to_str().unwrap(),
        "--config",
        gbk.join("columns.toml").to_str().unwrap(),
        "--strict",
        "--out",
        "gbk-out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // GB18030 text: the hash is of the bytes as they are, not as decoded.
    assert_inputs_hashed(&w.path("gbk-out"), &gbk);
    let city: serde_json::Value =
        serde_json::from_str(&w.read("city-out/validation.json")).unwrap();
    let gbk: serde_json::Value = serde_json::from_str(&w.read("gbk-out/validation.json")).unwrap();
    assert_eq!(gbk["tables"]["platforms"]["encoding"], "gb18030");
    assert_eq!(
        gbk["tables"]["platforms"]["accepted"],
        city["tables"]["platforms"]["accepted"]
    );
}

/// Hostile inputs: whatever happens, exit 0 or 2, one readable line on error, never a panic
/// or an internal error.
#[test]
fn hostile_inputs_never_panic() {
    let long = format!("lender_id\nL{}\n", "x".repeat(5_000_000));
    let wide = format!(
        "lender_id,{}\nL1,{}\n",
        (0..1000)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(","),
        vec!["1"; 1000].join(",")
    );
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("lenders.csv", b"\xef\xbb\xbf".to_vec()),
        ("lenders.csv", b"lender_id\nL1\n\"L2\n".to_vec()),
        ("lenders.csv", long.into_bytes()),
        ("lenders.csv", wide.into_bytes()),
        ("platforms.csv", b"platform_id,name,district\r\rP1,a,b\r".to_vec()),
        ("platforms.csv", b"platform_id;name;district\nP1;a;b\n".to_vec()),
        ("platforms.csv", b"\n\n\nplatform_id,name,district\nP1,a,\n".to_vec()),
        ("platforms.csv", b"platform_id,name,district\n\"P1\n\",a,b\n".to_vec()),
        ("investments.csv", b"investment_id,platform_id,lender_id,invested_on,amount\nI1,P1,L1,2019-01-01,1e5\nI2,P1,L1,99999-01-01,5\nI3,P1,L1,2019-01-01,\xe4\xb8\x80\n".to_vec()),
        ("investments.csv", b"investment_id,platform_id,lender_id,invested_on,amount\nI1,P1,L1,2019-01-01,92233720368547758.07\nI2,P1,L1,2019-01-01,92233720368547758.07\n".to_vec()),
        ("loans.csv", b"loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal,days_past_due\nD1,P1,B,individual,2019-01-01,1,1,99999999999999999999\n".to_vec()),
        ("recoveries.csv", b"platform_id,round,amount,received_on\nP1,9223372036854775807,1,2019-01-01\nP1,-1,1,2019-01-01\n".to_vec()),
        ("recoveries.parquet", b"PAR1\x00\x00\x00\x00PAR1".to_vec()),
    ];
    for (i, (file, bytes)) in cases.into_iter().enumerate() {
        let w = Workdir::new("hostile");
        fixture(&w, &[]);
        if file.ends_with(".parquet") {
            std::fs::remove_file(w.path("data/recoveries.csv")).unwrap();
        }
        w.write(&format!("data/{file}"), bytes);
        for cmd in ["validate", "run"] {
            let o = w.run(&[cmd, "data", "--out", "out"]);
            let err = stderr(&o);
            assert!(
                matches!(o.status.code(), Some(0) | Some(2)),
                "case {i} ({file}) {cmd}: {:?} {err}",
                o.status.code()
            );
            assert!(
                !err.contains("panicked") && !err.contains("internal error"),
                "case {i} ({file}) {cmd}: {err}"
            );
            if o.status.code() == Some(2) {
                assert!(
                    err.trim_end()
                        .lines()
                        .last()
                        .unwrap()
                        .starts_with("winddown: "),
                    "case {i}: {err}"
                );
            }
        }
    }
}
