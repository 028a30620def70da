//! One voice (issue: presentation): every summarising command's results as JSON or CSV on
//! stdout for a script, messages on stderr; colour only when asked and never from the data;
//! the console in one language or both; the documents' figures formatted one way.

use crate::util::{stderr, Workdir};

fn city() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/city")
        .to_string_lossy()
        .into_owned()
}

/// The whole of stdout is one JSON document of the console layout, for `command`.
fn json_of(o: &std::process::Output, command: &str) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    assert_eq!(doc["format"], "winddown-console");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["command"], command);
    doc
}

/// lenders.parquet's rows, and those with two failed platforms or more.
fn lenders_and_most_exposed(path: &std::path::Path) -> (u64, u64) {
    use polars::prelude::*;
    let df = ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap();
    let failed = df.column("failed_platforms").unwrap().i64().unwrap();
    let several = failed.iter().filter(|n| n.unwrap() >= 2).count();
    (df.height() as u64, several as u64)
}

/// A copy of the city sample with one investment's amount spoilt on line 3 of the CSV.
fn spoilt_city(w: &Workdir) {
    for t in ["platforms", "lenders", "loans", "recoveries", "investments"] {
        let text = std::fs::read_to_string(format!("{}/{t}.csv", city())).unwrap();
        let text = if t == "investments" {
            text.replacen("10600.00,1325.00", "abc,1325.00", 1)
        } else {
            text
        };
        w.write(&format!("data/{t}.csv"), text);
    }
}

#[test]
fn every_summary_reads_as_json_on_stdout_and_messages_stay_on_stderr() {
    let w = Workdir::new("voice-json");
    let c = city();
    // validate: the tables and the first rejected rows, where and why.
    spoilt_city(&w);
    let o = w.run(&["validate", "data", "--format", "json"]);
    let doc = json_of(&o, "validate");
    assert_eq!(doc["as_of"], "2019-06-30");
    let inv = doc["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "investments")
        .unwrap();
    assert_eq!(inv["read"], 44_264);
    assert_eq!(inv["rejected"], 1);
    assert_eq!(doc["rejected_total"], 1);
    let r = &doc["rejected"][0];
    assert_eq!(
        (
            &r["file"],
            &r["line"],
            &r["column"],
            &r["reason"],
            &r["value"]
        ),
        (
            &"investments.csv".into(),
            &3.into(),
            &"amount".into(),
            &"bad_money".into(),
            &"abc".into()
        )
    );
    // The console's table went nowhere: neither on stdout (JSON only) nor on stderr.
    assert!(!stderr(&o).contains("读入 read"), "{}", stderr(&o));

    // plan: the classes in the work plan's order, the stages with starts and completions.
    let o = w.run(&["plan", &c, "--out", "p", "--format", "json"]);
    let doc = json_of(&o, "plan");
    assert!(stderr(&o).contains("wrote p"), "{}", stderr(&o));
    assert_eq!(doc["wrote"], "p");
    let classes: Vec<&str> = doc["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        ["failed", "high_risk", "zombie", "small", "normal"]
    );
    assert_eq!(doc["classes"][0]["platforms"], 18);
    assert_eq!(doc["classes"][0]["lender_outstanding"], "255742925.42");
    let s1 = &doc["stages"][1];
    assert_eq!((&s1["starts"], &s1["completions"]), (&20.into(), &9.into()));
    assert_eq!(s1["platforms_remaining"], 41);
    assert_eq!(s1["outstanding_remaining"], "791563226.73");
    // Stage 4 completes 11: 41 remaining before, 30 after.
    assert_eq!(doc["stages"][4]["completions"], 11);
    assert!(doc.get("payouts").is_none());

    // run: the payouts computed, added up, exact.
    let o = w.run(&["run", &c, "--out", "r", "--format", "json"]);
    let doc = json_of(&o, "run");
    let p = &doc["payouts"];
    assert_eq!(p["rounds"], 38);
    assert_eq!(p["pool"], "50878118.02");
    assert_eq!(p["paid"], "47007496.36");
    assert_eq!(p["reserved"], "3870621.66");
    assert_eq!(doc["exposure"]["total_claim"], "817849912.66");
    assert_eq!(doc["exposure"]["claim_rows"], 35_284);
    // The lenders' figures are counted before lenders.parquet's columns are freed (the run
    // writes that file before the payouts): they agree with the file.
    let (lenders, several) = lenders_and_most_exposed(&w.dir.join("r/lenders.parquet"));
    assert!(
        several > 0,
        "the city sample has lenders on two failed platforms"
    );
    assert_eq!(doc["exposure"]["lenders"], lenders);
    assert_eq!(doc["exposure"]["lenders_on_several_failed"], several);

    // statement: the help line's answer, with what is still owed.
    let o = w.run(&["statement", "r", "--lender", "L00564", "--format", "json"]);
    let doc = json_of(&o, "statement");
    let s = &doc["statement"];
    assert_eq!(s["lender_id"], "L00564");
    let p14 = s["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["platform_id"] == "P14")
        .unwrap();
    // 45,200.22 lent and all returned: nothing to claim, whatever the returns.
    assert_eq!(
        (&p14["invested"], &p14["claim"], &p14["platform_name"]),
        (&"45200.22".into(), &"0.00".into(), &"宝通财富".into())
    );

    // vote, compare and progress.
    let o = w.run(&[
        "vote", &c, "--out", "v", "--scheme", "pro", "--format", "json",
    ]);
    let doc = json_of(&o, "vote");
    let p01 = doc["votes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["platform_id"] == "P01" && v["voting_rule"] == "shenzhen")
        .unwrap();
    assert_eq!(
        (&p01["voters"], &p01["yes_voters"]),
        (&230.0.into(), &102.0.into())
    );
    assert_eq!(p01["passed"], false);
    let o = w.run(&["compare", &c, "--out", "c", "--format", "json"]);
    let doc = json_of(&o, "compare");
    let rules: Vec<&str> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules[0], "pro");
    assert_eq!(doc["rules"][0]["ratio_by_band"][0]["band"], "band_0_1w");
    assert_eq!(doc["rules"][0]["ratio_by_band"][5]["band"], "band_100w_up");
    let o = w.run(&["progress", "p", "r", "--format", "json"]);
    let doc = json_of(&o, "progress");
    assert_eq!(doc["progress"]["payout_rounds"]["then"]["rounds"], 0);
    assert_eq!(doc["progress"]["payout_rounds"]["now"]["rounds"], 38);
}

#[test]
fn csv_is_the_console_table_and_excel_safe() {
    let w = Workdir::new("voice-csv");
    let o = w.run(&["plan", &city(), "--out", "p", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "stage,ends_on,starts,completions,platforms_remaining,outstanding_remaining,lenders_remaining"
    );
    assert_eq!(lines[2], "1,2019-09-30,20,9,41,791563226.73,21395");
    assert_eq!(lines.len(), 7, "{text}");
    let o = w.run(&["classify", &city(), "--out", "c", "--format", "csv"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.starts_with("class,class_zh,platforms,lender_outstanding,lenders_current,total_claim,expected_recovery\r\nfailed,已出险,18,255742925.42,6591,"),
        "{text}"
    );
}

#[test]
fn colour_only_when_asked_and_never_from_the_data() {
    let w = Workdir::new("voice-colour");
    let c = city();
    // Not a terminal: no colour by default.
    let o = w.run(&["classify", &c, "--out", "a"]);
    assert!(!stderr(&o).contains('\x1b'), "{}", stderr(&o));
    // Asked for: the failed class in red, the heading bold.
    let o = w.run(&["classify", &c, "--out", "b", "--color", "always"]);
    let err = stderr(&o);
    assert!(err.contains("\x1b[31m已出险 failed"), "{err}");
    assert!(err.contains("\x1b[32m正常 normal"), "{err}");
    assert!(err.contains("\x1b[1m"), "{err}");
    // NO_COLOR does not overrule an explicit `always`; `never` is never.
    let o = w.run_env(
        &["classify", &c, "--out", "c", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(stderr(&o).contains("\x1b[31m"));
    let o = w.run(&["classify", &c, "--out", "d", "--color", "never"]);
    assert!(!stderr(&o).contains('\x1b'));
    // An escape sequence in the data stays text even with colour on.
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,case_filed,controller_missing,repayment_suspended,cooperating,reporting,red_flags\nP1,\x1b[2Jx,区,true,false,false,true,true,\n",
    );
    w.write("data/lenders.csv", "lender_id\nL1\n");
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,loan_id,invested_on,amount,principal_returned,returns_received,matures_on\nI1,P1,L1,,2019-01-01,100.00,0.00,0.00,2020-01-01\n",
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,related_party,originated_on,principal,outstanding_principal,matures_on,days_past_due,collateral_value\n",
    );
    let o = w.run(&[
        "plan",
        "data",
        "--out",
        "e",
        "--color",
        "always",
        "--deadline",
        "2019-01-31",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("\x1b[2J"), "{err}");
}

#[test]
fn the_console_in_one_language_or_both() {
    let w = Workdir::new("voice-lang");
    let c = city();
    let o = w.run(&["classify", &c, "--out", "a", "--lang", "en"]);
    let err = stderr(&o);
    assert!(err.contains("class ") && err.contains("failed"), "{err}");
    assert!(!err.contains("类别") && !err.contains("已出险"), "{err}");
    let o = w.run(&["classify", &c, "--out", "b", "--lang", "zh"]);
    let err = stderr(&o);
    assert!(err.contains("类别") && err.contains("已出险"), "{err}");
    assert!(
        !err.contains("high_risk") && !err.contains("在贷出借人 lenders"),
        "{err}"
    );
    let o = w.run(&["classify", &c, "--out", "c"]);
    assert!(stderr(&o).contains("已出险 failed"));
}

#[test]
fn documents_format_their_figures_one_way() {
    let w = Workdir::new("voice-docs");
    let c = city();
    let o = w.run(&["run", &c, "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The bulletin: separators, the work plan's order, the payout rounds then and now.
    let o = w.run(&["plan", &c, "--out", "p"]);
    assert_eq!(o.status.code(), Some(0));
    let o = w.run(&["progress", "p", "r"]);
    let md = String::from_utf8(o.stdout).unwrap();
    assert!(
        md.contains("| 已出险 failed | 18 → 18 (+0.0%) | 255,742,925.42 → 255,742,925.42 (+0.0%) | 6,591 → 6,591 (+0.0%) |"),
        "{md}"
    );
    assert!(md.contains("| 轮次 rounds | 0 | 38 |"), "{md}");
    assert!(
        md.contains("| 兑付 paid (元) | 0.00 | 47,007,496.36 |"),
        "{md}"
    );
    assert!(!md.contains("834857322.59"), "{md}");
    // vote.md: persons whole unless expected, margins signed, why a half is said.
    let o = w.run(&["vote", &c, "--out", "v", "--scheme", "pro"]);
    assert_eq!(o.status.code(), Some(0));
    let md = w.read("v/vote.md");
    assert!(
        md.contains("| P01 | shenzhen | 未通过 fails | 102 / 230 | 2,574,094.41 | -13 | -1,604,097.57 | 0.14 |"),
        "{md}"
    );
    assert!(
        md.contains("| P02 | ebl_art64 | 未通过 fails | 85 / 169 |"),
        "{md}"
    );
    assert!(md.contains("+0.5"), "{md}");
    assert!(md.contains("half of an odd count"), "{md}");
    assert!(!md.contains(".0 /"), "{md}");
    // report.html: every chart an inline SVG drawn by the templates, no script, the 三降
    // over the stage ends' dates, axes with separators, the payout chart in the table's order.
    let html = w.read("r/report.html");
    assert_eq!(
        html.matches("<svg").count(),
        8,
        "three classes, two districts, bands, 三降, payouts"
    );
    assert!(!html.contains("<script"));
    let curve = &html[html.find("三降 预计压降曲线").unwrap()..];
    let curve = &curve[..curve.find("</svg>").unwrap()];
    assert!(curve.contains(">2019-09-30</text>") && curve.contains(">2020-06-30</text>"));
    assert!(
        html.contains(">6,000</text>"),
        "lenders by class: y axis with separators"
    );
    let payouts = &html[html.find("<h2>兑付比例").unwrap()..];
    let bars: Vec<usize> = ["P03", "P06", "P45"]
        .iter()
        .map(|p| payouts.find(&format!(">{p}</text>")).unwrap())
        .collect();
    assert!(
        bars.windows(2).all(|w| w[0] < w[1]),
        "bars in platform order"
    );
    // The classes' table in one unit: 万元 with two decimals in every row.
    assert!(html.contains("<td>18</td><td>25,574.29</td><td>6,591</td>"));
    assert!(html.contains("<td>9</td><td>3,263.52</td><td>1,162</td>"));
}

#[test]
fn documents_in_one_language_or_both() {
    let w = Workdir::new("voice-doc-lang");
    let c = city();
    let cjk = |s: &str| s.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
    // English alone: the report's and plan's own words carry no Chinese (names from the data
    // and the config's responsible units do).
    let o = w.run(&[
        "plan",
        &c,
        "--out",
        "en",
        "--lang",
        "en",
        "--deadline",
        "2019-12-31",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = w.read("en/plan.md");
    // Headings but the platforms' own (numbered, with the name and district from the data).
    let own = |l: &&str| {
        let heading = l.trim_start_matches('#');
        (l.starts_with('#')
            && !heading
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit()))
            || l.starts_with("| stage")
    };
    for line in md.lines().filter(own) {
        assert!(!cjk(line), "{line}");
    }
    assert!(md.contains("- Class: **small**"), "{md}");
    assert!(md.contains("months_since_new_loan = 25 months"), "{md}");
    assert!(md.contains("| platforms | 20 | 20 | +0 |"), "{md}");
    let o = w.run(&["report", &c, "--out", "r", "--lang", "en"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = w.read("r/report.html");
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h2>Classes</h2>") && !html.contains("分类"));
    assert!(
        html.contains(">failed</td>") && !html.contains("已出险"),
        "class names"
    );
    // Chinese alone.
    let o = w.run(&["report", &c, "--out", "z", "--lang", "zh"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = w.read("z/report.html");
    assert!(html.contains("<h2>分类</h2>") && !html.contains("Classes"));
    let md = w.read("z/plan.md");
    assert!(md.starts_with("# 一企一策 分阶段退出计划\n"), "{md}");
    // Both, the default: Chinese first.
    let o = w.run(&["report", &c, "--out", "b"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(w.read("b/report.html").contains("<h2>分类 Classes</h2>"));
}

#[test]
fn the_case_commands_read_as_json_too() {
    let w = Workdir::new("voice-case");
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/cases")
        .to_string_lossy()
        .into_owned();
    let o = w.run(&[
        "case",
        &cases,
        "--as-of",
        "2021-06-30",
        "--out",
        "r1",
        "--format",
        "json",
    ]);
    let doc = json_of(&o, "case");
    assert_eq!(doc["wrote"], "r1");
    // Every participant counted once under a standing.
    let people: i64 = doc["standings"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    let o = w.run(&[
        "query",
        "r1",
        "SELECT count(*) AS n FROM case_participants",
        "--format",
        "csv",
    ]);
    let n: i64 = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(people, n);
    // Each round as case_rounds.parquet has it, to the fen.
    let o = w.run(&[
        "query",
        "r1",
        "SELECT case_id, round, amount, paid, released, held FROM case_rounds ORDER BY case_id, round",
        "--format",
        "csv",
    ]);
    let table = String::from_utf8(o.stdout).unwrap();
    let rounds = doc["case_rounds"].as_array().unwrap();
    assert!(!rounds.is_empty());
    for (line, r) in table.lines().skip(1).zip(rounds) {
        let s = |k: &str| r[k].as_str().unwrap().to_string();
        let want = format!(
            "{},{},{},{},{},{}",
            s("case_id"),
            r["round"],
            s("amount"),
            s("paid"),
            s("released"),
            s("held")
        );
        assert_eq!(line.trim_start_matches('\u{feff}'), want);
    }
    let o = w.run(&[
        "case", "progress", &cases, "--ledger", "r1", "--out", "p", "--format", "json",
    ]);
    let doc = json_of(&o, "case progress");
    assert!(doc["docket"]["stock"].as_i64().unwrap() >= doc["docket"]["done"].as_i64().unwrap());
}
