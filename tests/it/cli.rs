//! The command line as a new user meets it (issue 15): help that teaches, completions and a man
//! page, mistakes refused before any work, config errors with their position, quiet and
//! verbose output, and one record of what was asked that `report --from` reuses.

use crate::util::{stderr, Workdir};

fn city() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/city")
        .display()
        .to_string()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn every_command_has_help_with_examples() {
    let w = Workdir::new("cli-help");
    for cmd in [
        "validate",
        "classify",
        "exposure",
        "plan",
        "progress",
        "payout",
        "run",
        "report",
        "rules",
        "generate",
        "completions",
        "man",
        "compare",
        "vote",
        "statement",
    ] {
        let o = w.run(&[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{cmd}");
        let text = stdout(&o);
        assert!(text.contains("Examples"), "{cmd} --help has no examples");
        assert!(text.contains("winddown "), "{cmd}");
        assert!(
            !text.contains("DESIGN"),
            "{cmd} --help points outside the repository"
        );
    }
}

#[test]
fn completions_and_a_man_page() {
    let w = Workdir::new("cli-completions");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = w.run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        assert!(stdout(&o).contains("winddown"), "{shell}");
        assert!(stdout(&o).contains("payment-file"), "{shell}");
    }
    let o = w.run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("winddown"));
}

#[test]
fn a_bad_output_path_is_refused_before_the_data_is_read() {
    let w = Workdir::new("cli-out");
    let o = w.run(&["run", &city(), "--out", "/etc/passwd"]);
    assert_eq!(o.status.code(), Some(2));
    let text = stderr(&o);
    assert!(text.contains("exists and is not a folder"), "{text}");
    // Nothing was validated: no counts were printed before the error.
    assert_eq!(text.trim().lines().count(), 1, "{text}");
    let o = w.run(&[
        "run",
        &city(),
        "--out",
        "x",
        "--payment-file",
        "/nonexistent/p.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn very_verbose_errors_show_their_cause() {
    let w = Workdir::new("cli-vv");
    std::fs::create_dir_all(w.path("cfg")).unwrap();
    let o = w.run(&["validate", &city(), "--config", "cfg", "--out", "v"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let one = stderr(&o);
    assert_eq!(one.trim().lines().count(), 1, "{one}");
    assert!(one.contains("Is a directory"), "{one}");
    let o = w.run(&["validate", &city(), "--config", "cfg", "--out", "v", "-vv"]);
    assert_eq!(o.status.code(), Some(2));
    let text = stderr(&o);
    let first = text.lines().find(|l| l.starts_with("winddown:")).unwrap();
    assert_eq!(first, one.trim(), "{text}");
    assert!(text.contains("\n  cause: the config (exit 2)"), "{text}");
    assert!(!w.path("v").exists());
}

#[test]
fn config_errors_name_their_line_column_and_key_all_at_once() {
    let w = Workdir::new("cli-config");
    w.write(
        "rules.toml",
        "[classify]\noverdue_90_ratio = \"ten percent\"\n\n[recovery]\nrate_current = 2\n",
    );
    let o = w.run(&["classify", &city(), "--config", "rules.toml", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
    let text = stderr(&o);
    assert_eq!(text.trim().lines().count(), 1, "{text}");
    assert!(text.contains("rules.toml"), "{text}");
    assert!(
        text.contains("line 2, column 1: [classify] overdue_90_ratio"),
        "{text}"
    );
    assert!(
        text.contains("line 5, column 1: [recovery] rate_current"),
        "{text}"
    );
    w.write("broken.toml", "[plan]\nstages = 4\n[classify\n");
    let o = w.run(&["classify", &city(), "--config", "broken.toml", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 3, column"), "{}", stderr(&o));
    assert!(!w.path("x").exists());
}

#[test]
fn quiet_is_silent_and_verbose_times_each_stage() {
    let w = Workdir::new("cli-verbosity");
    let o = w.run(&["run", &city(), "--out", "q", "-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stderr(&o), "");
    // Not a terminal and no -v: the summaries, no stage lines.
    let o = w.run(&["run", &city(), "--out", "n"]);
    assert!(!stderr(&o).contains("peak memory"), "{}", stderr(&o));
    let o = w.run(&["run", &city(), "--out", "v", "-v"]);
    let text = stderr(&o);
    for stage in [
        "validate loans.csv",
        // Read on a thread beside the loans, told after them.
        "validate lenders.csv (beside)",
        // Ranked once the loans are finished, on this thread.
        "lender id order",
        "validate investments.csv",
        "classify + exposure",
        "payouts",
        "exports",
    ] {
        let line = text
            .lines()
            .find(|l| l.contains(stage) && l.contains("peak memory"))
            .unwrap_or_else(|| panic!("no -v line for {stage}: {text}"));
        assert!(line.contains(" s"), "{line}");
    }
    assert!(text.contains("44,264 rows"), "{text}");
    let at = |stage: &str| text.find(stage).unwrap();
    assert!(at("validate loans.csv") < at("validate lenders.csv (beside)"));
    assert!(at("validate lenders.csv (beside)") < at("borrowers (loans)"));
    assert!(at("borrowers (loans)") < at("lender id order"));
    assert!(at("lender id order") < at("validate investments.csv"));
    assert!(!text.contains("lender id order (beside)"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("done in")), "{text}");
}

#[test]
fn the_manifest_records_the_options_and_report_from_reuses_them() {
    let w = Workdir::new("cli-record");
    let o = w.run(&[
        "run",
        &city(),
        "--small-first",
        "1000",
        "--min-payment",
        "10",
        "--stages",
        "6",
        "--out",
        "run",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["run", &city(), "--out", "plain"]);
    assert_eq!(o.status.code(), Some(0));
    let manifest = |dir: &str| -> serde_json::Value {
        serde_json::from_str(&w.read(&format!("{dir}/manifest.json"))).unwrap()
    };
    let (a, b) = (manifest("run"), manifest("plain"));
    assert_eq!(a["settings"]["payout_rule"], "small-first:1000.00");
    assert_eq!(a["settings"]["min_payment"], "10.00");
    assert_eq!(a["settings"]["stages"], 6);
    assert_eq!(b["settings"]["payout_rule"], "pro");
    assert_ne!(a["settings_sha256"], b["settings_sha256"]);
    // A report regenerated from the run shows the run's figures, not the defaults'.
    let o = w.run(&["report", &city(), "--from", "run", "--out", "rep"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(w.read("rep/summary.json"), w.read("run/summary.json"));
    assert_eq!(
        manifest("rep")["settings"]["payout_rule"],
        "small-first:1000.00"
    );
    let o = w.run(&["report", &city(), "--out", "rep-default"]);
    assert_eq!(o.status.code(), Some(0));
    assert_ne!(
        w.read("rep-default/summary.json"),
        w.read("run/summary.json")
    );
    // A manifest with a field this version does not know is refused, naming the field, not
    // half-read.
    let text = w.read("run/manifest.json");
    let edited = text.replacen(
        "\"settings\": {",
        "\"settings\": {\n    \"rounding\": \"up\",",
        1,
    );
    assert_ne!(edited, text);
    w.write("run/manifest.json", edited);
    let o = w.run(&["report", &city(), "--from", "run", "--out", "rep2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("rounding"), "{}", stderr(&o));
    assert!(!w.path("rep2").exists());
}
