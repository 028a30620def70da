//! `winddown query` and the desk's /query: SQL over a run folder's own tables, answered
//! exactly (money to the fen), bounded in rows, and refused — exit 2, one line — for anything
//! but one SELECT over the run's own tables (no file functions, no paths, no other table).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::util::{fen, read_parquet, stderr, texts, Workdir};

fn city_run(w: &Workdir) {
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let o = w.run(&["run", city.to_str().unwrap(), "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

fn json(o: &std::process::Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_select_is_answered_exactly_and_bounded() {
    let w = Workdir::new("query");
    city_run(&w);
    let p = read_parquet(&w, "r/platforms.parquet");
    // Platforms per class, counted by hand from the file.
    let mut by_class: BTreeMap<String, u64> = BTreeMap::new();
    for c in texts(&p, "class") {
        *by_class.entry(c).or_default() += 1;
    }
    let v = json(&w.run(&[
        "query",
        "r",
        "SELECT class, count(*) AS n FROM platforms GROUP BY class ORDER BY class",
        "--format",
        "json",
    ]));
    assert_eq!(v["columns"], serde_json::json!(["class", "n"]));
    let got: BTreeMap<String, u64> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, by_class);
    assert_eq!(v["truncated"], false);
    // Money to the fen: the sum of Decimal(18,2) yuan is the Σ of the fen.
    let total: i64 = fen(&p, "lender_outstanding").iter().sum();
    let v = json(&w.run(&[
        "query",
        "r",
        "SELECT sum(lender_outstanding) AS s FROM platforms",
        "--format",
        "json",
    ]));
    assert_eq!(
        v["rows"][0][0].as_str().unwrap(),
        format!("{}.{:02}", total / 100, total % 100)
    );
    // At most --max-rows rows, and the answer says more were left out.
    let v = json(&w.run(&[
        "query",
        "r",
        "SELECT * FROM claims",
        "--format",
        "json",
        "--max-rows",
        "3",
    ]));
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["truncated"], true);
    // A join across the run's tables, WITH, and the table format.
    let o = w.run(&[
        "query",
        "r",
        "WITH f AS (SELECT platform_id FROM platforms WHERE class = 'failed') \
         SELECT count(*) AS claims FROM claims c JOIN f ON c.platform_id = f.platform_id",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("claims\n"), "{text}");
    assert!(text.contains("(1 行 rows)"), "{text}");
}

#[test]
fn anything_but_a_select_over_the_runs_own_tables_is_refused() {
    let w = Workdir::new("query-refused");
    city_run(&w);
    let outside = w.path("secret.parquet");
    std::fs::copy(w.path("r/platforms.parquet"), &outside).unwrap();
    for sql in [
        format!("SELECT * FROM read_parquet('{}')", outside.display()),
        "SELECT * FROM read_csv('/etc/passwd')".to_string(),
        format!("SELECT * FROM '{}'", outside.display()),
        "SELECT * FROM secret".to_string(),
        "COPY platforms TO '/tmp/winddown-query-copy.csv'".to_string(),
        "CREATE TABLE t AS SELECT * FROM platforms".to_string(),
        "SELECT 1; SELECT 2".to_string(),
    ] {
        let o = w.run(&["query", "r", &sql]);
        assert_eq!(o.status.code(), Some(2), "{sql}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{sql}: {err}");
        assert!(err.contains("query:"), "{sql}: {err}");
        assert!(o.stdout.is_empty(), "{sql}");
    }
    assert!(!std::path::Path::new("/tmp/winddown-query-copy.csv").exists());
    // A query past its time: an error that says so, nothing on stdout.
    let o = w.run(&[
        "query",
        "r",
        "SELECT sum(a.claim + b.claim + c.claim) AS s FROM claims a CROSS JOIN claims b CROSS JOIN claims c",
        "--timeout",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("took longer than 1 s"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
    // Not a run folder.
    let o = w.run(&["query", ".", "SELECT 1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn csv_answers_are_inert_in_excel() {
    let w = Workdir::new("query-csv");
    w.write(
        "data/platforms.csv",
        "platform_id,name,district\nP1,\"=HYPERLINK(\"\"http://x\"\")\",甲区\n",
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\n\
         D1,P1,B1,individual,2019-01-01,100,100\n",
    );
    w.write("data/lenders.csv", "lender_id\nL1\n");
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount\nI1,P1,L1,2019-01-01,100\n",
    );
    let o = w.run(&["run", "data", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&[
        "query",
        "r",
        "SELECT name FROM platforms",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.contains("'=HYPERLINK"), "{text}");

    // The desk's page: the same engine, the same refusals, its JSON twin.
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let desk = Arc::new(winddown::desk::Desk::new(run, crate::util::sql_engine()));
    let app = winddown::desk::router(desk);
    let get = |uri: &str| desk_get(&app, uri);
    let (s, body) = get("/query");
    assert_eq!(s, 200);
    assert!(body.contains("<code>platforms</code>") && body.contains("lender_outstanding"));
    let (s, body) = get("/query?format=json&sql=SELECT%20name%20FROM%20platforms");
    assert_eq!(s, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["answer"]["rows"][0][0], "=HYPERLINK(\"http://x\")");
    // On the page the name is text, escaped.
    let (_, body) = get("/query?sql=SELECT%20name%20FROM%20platforms");
    assert!(
        body.contains("=HYPERLINK(&#34;http://x&#34;)")
            || body.contains("=HYPERLINK(&quot;http://x&quot;)"),
        "{body}"
    );
    let (s, body) = get("/query?sql=SELECT%20*%20FROM%20read_parquet('/etc/passwd')");
    assert_eq!(s, 400);
    assert!(body.contains("table function"), "{body}");
    let (s, body) = get("/query?format=csv&sql=SELECT%20name%20FROM%20platforms");
    assert_eq!(s, 200);
    assert!(body.contains("'=HYPERLINK"), "{body}");
}

#[test]
fn without_the_sql_engine_the_query_says_how_to_build_it() {
    let w = Workdir::new("query-no-engine");
    city_run(&w);
    let missing = w.path("no-such-winddown-sql");
    let o = w.run_env(
        &["query", "r", "SELECT count(*) FROM platforms"],
        &[("WINDDOWN_SQL", missing.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("cargo build --locked -p winddown-sql"),
        "{err}"
    );
    assert!(o.stdout.is_empty());

    // The desk's page says the same, 503, and lists the tables still.
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk::new(run, missing)));
    let (status, body) = desk_get(&app, "/query?sql=SELECT%20count(*)%20FROM%20platforms");
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("cargo build --locked -p winddown-sql"),
        "{body}"
    );
    assert!(body.contains("<code>platforms</code>"), "{body}");
}

#[test]
fn the_desk_says_at_start_when_its_query_page_has_no_engine() {
    use std::io::BufRead;
    let w = Workdir::new("query-serve-no-engine");
    city_run(&w);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
        .args(["serve", "r", "--port", &port.to_string()])
        .env("WINDDOWN_SQL", w.path("no-such-winddown-sql"))
        .current_dir(w.path(""))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        let desk = line.contains("desk: http://");
        lines.push(line);
        if desk {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .any(|l| l.contains("query page") && l.contains("cargo build --locked -p winddown-sql")),
        "{lines:?}"
    );
}

/// One GET to the desk's routes in process: the status and the body as text.
fn desk_get(app: &axum::Router, uri: &str) -> (axum::http::StatusCode, String) {
    use tower::ServiceExt;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let r = app
            .clone()
            .oneshot(
                axum::http::Request::builder()
                    .uri(uri)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = r.status();
        let body = axum::body::to_bytes(r.into_body(), 1 << 24).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
}
