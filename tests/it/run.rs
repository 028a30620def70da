//! `winddown run`: every file of docs/outputs.md with a true manifest, byte-identical reruns, CSV
//! copies with a BOM, pseudonyms, and an output folder that is always complete even when the
//! run is killed (SIGKILL) at any moment.

use crate::util::{assert_inputs_hashed, stderr, Workdir};

fn city() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/city")
        .to_string_lossy()
        .into_owned()
}

const FILES: [&str; 15] = [
    "claims.parquet",
    "districts.parquet",
    "lenders.parquet",
    "manifest.json",
    "notices.html",
    "payout_rounds.parquet",
    "payouts.parquet",
    "plan.md",
    "plan.parquet",
    "plan_stages.parquet",
    "platforms.parquet",
    "rejects.csv",
    "report.html",
    "summary.json",
    "validation.json",
];

fn sha256(bytes: &[u8]) -> String {
    winddown::output::folder::digest::sha256(bytes)
}

/// The folder holds exactly the manifest's files, each with its recorded size and hash.
fn assert_complete(dir: &std::path::Path) -> serde_json::Value {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).expect("a manifest"),
    )
    .unwrap();
    let mut listed: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let name = f["file"].as_str().unwrap().to_string();
            let bytes = std::fs::read(dir.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(f["sha256"].as_str().unwrap(), sha256(&bytes), "{name}");
            assert_eq!(f["bytes"].as_u64().unwrap(), bytes.len() as u64, "{name}");
            name
        })
        .collect();
    listed.push("manifest.json".into());
    listed.sort();
    let mut present: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    assert_eq!(listed, present);
    manifest
}

#[test]
fn every_file_with_a_true_manifest_and_byte_identical_reruns() {
    let w = Workdir::new("run");
    let o = w.run(&["run", &city(), "--out", "a"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest = assert_complete(&w.path("a"));
    let mut present: Vec<String> = std::fs::read_dir(w.path("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    assert_eq!(present, FILES.to_vec());
    assert_eq!(manifest["as_of"], "2019-06-30");
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), 5);
    // Each input's hash, taken while it was read, is the hash of the file.
    assert_inputs_hashed(&w.path("a"), std::path::Path::new(&city()));
    let rows = |f: &str| {
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["file"] == f)
            .unwrap()["rows"]
            .clone()
    };
    assert_eq!(rows("platforms.parquet"), 50);
    // No reject: its rows are the warnings for the sample's mistyped bank accounts.
    let validation: serde_json::Value = serde_json::from_str(&w.read("a/validation.json")).unwrap();
    assert_eq!(
        rows("rejects.csv"),
        validation["warnings"]["invalid_bank_account"]
    );
    assert!(validation["tables"]
        .as_object()
        .unwrap()
        .values()
        .all(|t| t["rejected"] == 0));
    assert_eq!(
        manifest["config_sha256"].as_str().unwrap(),
        sha256(manifest["config"].as_str().unwrap().as_bytes())
    );
    let summary: serde_json::Value = serde_json::from_str(&w.read("a/summary.json")).unwrap();
    assert_eq!(summary["as_of"], "2019-06-30");
    assert_eq!(summary["platforms"], 50);
    // Each platform's payout ratio counts what payouts.parquet gives its lenders — paid,
    // reserved and returned — over all its rows, of every round.
    let p = crate::util::read_parquet(&w, "a/payouts.parquet");
    let ids = crate::util::texts(&p, "platform_id");
    let fen = |c| crate::util::fen(&p, c);
    let (paid, reserved, returned) = (fen("paid"), fen("reserved"), fen("returned"));
    let mut given = std::collections::BTreeMap::<&str, i64>::new();
    for (i, id) in ids.iter().enumerate() {
        *given.entry(id).or_default() += paid[i] + reserved[i] + returned[i];
    }
    let in_summary: std::collections::BTreeMap<&str, i64> = (summary["payout_ratio"].as_array())
        .unwrap()
        .iter()
        .map(|r| {
            let yuan = r["paid_and_reserved"].as_str().unwrap().replace('.', "");
            (r["platform_id"].as_str().unwrap(), yuan.parse().unwrap())
        })
        .collect();
    assert!(given.len() > 1 && given.values().any(|&g| g > 0));
    assert_eq!(in_summary, given);
    let report = w.read("a/report.html");
    for must in [
        "分类 Classes",
        "属地",
        "三降",
        "兑付比例",
        "<svg",
        "id=\"p-P01\"",
        "href=\"#p-P01\"",
    ] {
        assert!(report.contains(must), "report.html lacks {must}");
    }
    // Self-contained: no scripts, no linked resources; the only URL is the SVG namespace.
    let without_ns = report.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for banned in ["http://", "https://", "<script", "<link", "src="] {
        assert!(
            !without_ns.contains(banned),
            "the report must not reach the network ({banned})"
        );
    }

    // Again with every text file read from disk past the page cache, as a large file is
    // (input::direct), and the investments read twice: the same files, the same hashes.
    let o = w.run_env(
        &["run", &city(), "--out", "b"],
        &[
            ("WINDDOWN_DIRECT_READ_BYTES", "0"),
            ("WINDDOWN_TEXT_FIRST_PASS_BYTES", "0"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_inputs_hashed(&w.path("b"), std::path::Path::new(&city()));
    for f in &FILES {
        assert!(
            std::fs::read(w.path(&format!("a/{f}"))).unwrap()
                == std::fs::read(w.path(&format!("b/{f}"))).unwrap(),
            "{f} differs between two runs"
        );
    }
}

#[test]
fn csv_copies_carry_a_bom_and_pseudonyms_hide_lender_ids() {
    let w = Workdir::new("run-csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
        .args(["run", &city(), "--csv", "--pseudonymize", "--out", "out"])
        .current_dir(&w.dir)
        .env("WINDDOWN_PSEUDONYM_KEY", "a-test-key-of-enough-length")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let csv = std::fs::read(w.path("out/claims.csv")).unwrap();
    assert!(csv.starts_with(b"\xef\xbb\xbfplatform_id,lender_id,"));
    for f in [
        "claims.parquet",
        "lenders.parquet",
        "payouts.parquet",
        "claims.csv",
        "lenders.csv",
        "payouts.csv",
    ] {
        let bytes = std::fs::read(w.path(&format!("out/{f}"))).unwrap();
        assert!(
            !bytes.windows(6).any(|x| x == b"L00001"),
            "{f} still names lender L00001"
        );
    }
    assert_complete(&w.path("out"));
    // Without a key: a usage error, nothing written.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
        .args(["run", &city(), "--pseudonymize", "--out", "nokey"])
        .current_dir(&w.dir)
        .env_remove("WINDDOWN_PSEUDONYM_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!w.path("nokey").exists());
}

#[test]
fn a_killed_run_leaves_the_old_folder_or_the_new_one() {
    let w = Workdir::new("run-kill");
    // The old folder: a different snapshot date, so old and new differ in every file.
    let o = w.run(&["run", &city(), "--as-of", "2019-07-31", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let old = assert_complete(&w.path("out"));
    let mut saw_new = false;
    for delay_ms in [5u64, 40, 120, 300, 700, 1500, 3000, 6000] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
            .args(["run", &city(), "--out", "out", "-q"])
            .current_dir(&w.dir)
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = assert_complete(&w.path("out"));
        if now["as_of"] != old["as_of"] {
            saw_new = true;
            assert_eq!(now["as_of"], "2019-06-30");
        }
    }
    // Some run got through, or all were killed first: either way the folder was always whole.
    let _ = saw_new;
}

#[test]
fn report_alone_writes_the_report_summary_and_plan_document() {
    let w = Workdir::new("report");
    let o = w.run(&["report", &city(), "--out", "rep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut present: Vec<String> = std::fs::read_dir(w.path("rep"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    assert_eq!(
        present,
        ["manifest.json", "plan.md", "report.html", "summary.json"]
    );
    assert!(w.read("rep/report.html").contains("三降"));
}

#[test]
fn the_report_reads_as_a_chinese_document_fit_to_print() {
    let w = Workdir::new("report-print");
    let o = w.run(&["report", &city(), "--out", "rep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = w.read("rep/report.html");
    // Rule names in Chinese, thresholds as people write them.
    for text in [
        "已立案",
        "实控人失联",
        "距最近新增借款月数",
        "逾期90天以上占比",
        "6 个月",
        "1亿元",
        "10%",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(!html.contains("100000000.0000"));
    // A4 print stylesheet, a header with the as-of on every printed page, page breaks.
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("@top-center { content: \"网贷机构风险处置报告 · 数据截至 2019-06-30"));
    assert!(html.contains("page-break-before: always"));
    // Summaries in 万元/亿元.
    assert!(html.contains("亿元</td>") || html.contains("万元</td>"));

    // --pdf without a Chromium: said at once, exit 2, nothing written.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
        .args(["report", &city(), "--pdf", "--out", "pdf"])
        .current_dir(w.path(""))
        .env("PATH", "/nonexistent")
        .env_remove("WINDDOWN_CHROMIUM")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("apt-get install chromium"),
        "{}",
        stderr(&o)
    );
    assert!(!w.path("pdf").exists());

    // With one (CI installs it; a machine without one skips this half).
    if let Ok(chromium) = winddown::output::documents::pdf::find_chromium() {
        // A relative --out whose path holds a space and a `#` (a URL's fragment): the file URL
        // is absolute and percent-encoded, and the PDF is checked to be the report.
        std::fs::create_dir_all(w.path("a b#1")).unwrap();
        let o = w.run(&["report", &city(), "--pdf", "--out", "a b#1/pdf"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{} ({})",
            stderr(&o),
            chromium.display()
        );
        let pdf = std::fs::read(w.path("a b#1/pdf/report.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF") && pdf.len() > 10_000);
        assert_eq!(
            winddown::output::documents::pdf::check_pdf(
                &pdf,
                winddown::output::documents::report::TITLE
            ),
            Ok(())
        );
        let manifest = w.read("a b#1/pdf/manifest.json");
        assert!(manifest.contains("\"report.pdf\""));
    } else {
        assert!(
            std::env::var_os("WINDDOWN_REQUIRE_CHROMIUM").is_none(),
            "no Chromium"
        );
    }
}

#[test]
fn header_only_tables_run_to_empty_outputs() {
    let w = Workdir::new("run-empty");
    w.write("data/platforms.csv", "platform_id,name,district\n");
    w.write("data/lenders.csv", "lender_id\n");
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount\n",
    );
    w.write("data/loans.csv", "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\n");
    let o = w.run(&["run", "data", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_complete(&w.path("out"));
    let v: serde_json::Value = serde_json::from_str(&w.read("out/validation.json")).unwrap();
    assert_eq!(v["as_of"], serde_json::Value::Null);
    // Platforms but no dated row: the plan cannot start; asking for --as-of is the answer.
    w.write("data/platforms.csv", "platform_id,name,district\nP1,a,b\n");
    let o = w.run(&["run", "data", "--out", "out2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--as-of"));
    let o = w.run(&["run", "data", "--as-of", "2019-06-30", "--out", "out2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
