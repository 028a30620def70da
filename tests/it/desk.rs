//! The desk in a browser (`winddown serve`): every route in process (status, content, escaping,
//! the JSON twin, the CSV download, the token), and the click path in headless Chromium
//! against the real server on a free loopback port.

use std::io::{Read, Write};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use crate::util::{stderr, Workdir};

/// A run folder of data with markup and formulas in its names, and one lender paid.
fn run_folder(w: &Workdir) {
    w.write(
        "data/platforms.csv",
        "platform_id,name,district,repayment_suspended\n\
         <b>P1</b>,<script>alert(1)</script>,\"=HYPERLINK(\"\"http://x\"\")\",true\n\
         P2,乙,鄂城区,\n",
    );
    w.write(
        "data/loans.csv",
        "loan_id,platform_id,borrower_id,borrower_type,originated_on,principal,outstanding_principal\n\
         D1,<b>P1</b>,B1,individual,2019-01-01,2000,2000\nD2,P2,B2,individual,2019-01-01,100,100\n",
    );
    w.write("data/lenders.csv", "lender_id\nL1\nL2\n");
    w.write(
        "data/investments.csv",
        "investment_id,platform_id,lender_id,invested_on,amount\n\
         I1,<b>P1</b>,L1,2019-01-01,1000\nI2,P2,L2,2019-01-01,100\n",
    );
    w.write(
        "data/recoveries.csv",
        "platform_id,round,amount,received_on\n<b>P1</b>,1,400,2019-03-01\n",
    );
    let o = w.run(&["run", "data", "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// The city sample's folder.
fn city() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/city")
        .to_string_lossy()
        .into_owned()
}

/// `winddown run` on the city sample into `r`, with `more` options; it must succeed.
fn run_city(w: &Workdir, more: &[&str]) {
    let city = city();
    let mut args = vec!["run", city.as_str(), "--out", "r"];
    args.extend_from_slice(more);
    let o = w.run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

fn desk(w: &Workdir, token: Option<&str>) -> axum::Router {
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    winddown::desk::router(Arc::new(winddown::desk::Desk {
        token: token.map(str::to_string),
        ..winddown::desk::Desk::new(run, crate::util::sql_engine())
    }))
}

/// GET `uri` in process: status, headers, body.
fn get(
    app: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut req = Request::builder().uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = app
            .clone()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24)
            .await
            .unwrap();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    })
}

#[test]
fn every_route_answers_escapes_and_has_its_twin() {
    let w = Workdir::new("desk-routes");
    run_folder(&w);
    let app = desk(&w, None);
    // The overview: classes in the work plan's order, the security headers.
    let (s, h, body) = get(&app, "/", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    let failed = body.find("已出险 failed").unwrap();
    let small = body.find("规模较小 small").unwrap();
    assert!(failed < small, "{body}");
    assert!(!body.contains("<script"), "no script at all: {body}");
    // The platforms, filtered by class; markup from the data is text.
    let (s, _, body) = get(&app, "/platforms?class=failed", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{body}"
    );
    assert!(!body.contains("<script>alert") && !body.contains("<b>P1"));
    assert!(body.contains("1 家 matching"), "{body}");
    assert!(body.contains("/platforms/%3Cb%3EP1%3C%2Fb%3E"), "{body}");
    // Its JSON twin says the same.
    let (s, h, json) = get(&app, "/platforms?class=failed&format=json", &[]);
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["rows"][0]["platform_id"], "<b>P1</b>");
    assert_eq!(v["rows"][0]["lender_outstanding"]["fen"], 100_000);
    // Every matching row as CSV for Excel: BOM, formula neutralised.
    let (s, h, csv) = get(&app, "/platforms?format=csv", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .contains("platforms.csv"));
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    // And as a workbook: text cells, never a formula, the platforms in the same order.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bytes = runtime.block_on(async {
        let resp = app
            .clone()
            .oneshot(
                Request::builder()
                    .uri("/platforms?format=xlsx")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        axum::body::to_bytes(resp.into_body(), 1 << 24)
            .await
            .unwrap()
    });
    let mut book: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.height(), 3);
    let names: Vec<String> = sheet.rows().skip(1).map(|r| r[2].to_string()).collect();
    assert_eq!(names, ["=HYPERLINK(\"http://x\")", "鄂城区"]);
    let formulas = book.worksheet_formula("平台 platforms").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    // A platform's page: its round, money in 万元 with the exact yuan on hover.
    let (s, _, body) = get(&app, "/platforms/%3Cb%3EP1%3C%2Fb%3E", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("title=\"400.00 元\""), "{body}");
    assert!(body.contains("已出险"), "{body}");
    // Its lenders by claim band (L1's 1,000 yuan: below 1万) and responsible units.
    assert!(
        body.contains(
            "<td>1万以下 below 10k</td><td class=\"n\"><a href=\"/platforms/%3Cb%3EP1%3C%2Fb%3E/lenders?band=band_0_1w\">1</a></td>"
        ),
        "{body}"
    );
    assert!(body.contains("责任单位 responsible units: "), "{body}");
    // A lender: the statement; an unknown one is a 404 that says so.
    let (s, _, body) = get(&app, "/lenders/L1", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("400.00"), "{body}");
    let (s, _, body) = get(&app, "/lenders/L9", &[]);
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(body.contains("没有出借人 L9"), "{body}");
    let (s, h, _) = get(&app, "/lenders?id=L1", &[]);
    assert!(s.is_redirection());
    assert_eq!(h["location"], "/lenders/L1");
    // Nothing else: no file by a name from the request, no page that does not exist.
    for uri in [
        "/nope",
        "/platforms/..%2F..%2Fetc%2Fpasswd",
        "/assets/../summary.json",
        "/summary.json",
    ] {
        assert_eq!(get(&app, uri, &[]).0, StatusCode::NOT_FOUND, "{uri}");
    }
    let (s, h, css) = get(&app, "/assets/desk.css", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.contains("@media print"));
}

#[test]
fn beyond_loopback_every_request_needs_the_token() {
    let w = Workdir::new("desk-token");
    run_folder(&w);
    let app = desk(&w, Some("s3cret"));
    assert_eq!(get(&app, "/", &[]).0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        get(&app, "/platforms?format=json", &[]).0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&app, "/?token=wrong", &[]).0, StatusCode::UNAUTHORIZED);
    let (s, h, _) = get(&app, "/?token=s3cret", &[]);
    assert_eq!(s, StatusCode::OK);
    let cookie = h["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.starts_with("winddown_token=s3cret"));
    assert_eq!(
        get(&app, "/platforms", &[("cookie", "winddown_token=s3cret")]).0,
        StatusCode::OK
    );
    assert_eq!(
        get(&app, "/platforms", &[("authorization", "Bearer s3cret")]).0,
        StatusCode::OK
    );
}

/// GET over a socket (HTTP/1.1, connection closed): status line and body.
fn http_get(port: u16, path: &str) -> Option<(String, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_string(), body.to_string()))
}

/// The real server on a free port; killed when dropped.
struct Server(std::process::Child, u16);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(w: &Workdir) -> Server {
    serve_with(w, &["r0", "r"])
}

/// The real server over `args` (folders and options) on a free port.
fn serve_with(w: &Workdir, args: &[&str]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_winddown"))
        .arg("serve")
        .args(args)
        .args(["--port", &port.to_string()])
        .current_dir(w.path(""))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child, port);
    for _ in 0..100 {
        if http_get(port, "/").is_some() {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the desk did not answer on port {port}");
}

#[test]
fn a_click_path_in_headless_chromium() {
    let Ok(chromium) = winddown::output::documents::pdf::find_chromium() else {
        assert!(
            std::env::var_os("WINDDOWN_REQUIRE_CHROMIUM").is_none(),
            "no Chromium"
        );
        return;
    };
    let w = Workdir::new("desk-chromium");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let o = w.run(&["run", city.to_str().unwrap(), "--out", "r0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&[
        "run",
        city.to_str().unwrap(),
        "--as-of",
        "2019-07-31",
        "--out",
        "r",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let server = serve(&w);
    let port = server.1;
    let dom = |path: &str| -> String {
        let out = std::process::Command::new(&chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
            .arg(format!("--user-data-dir={}", w.path("profile").display()))
            .arg(format!("http://127.0.0.1:{port}{path}"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let href = |dom: &str, after: &str| -> String {
        let at = dom
            .find(after)
            .unwrap_or_else(|| panic!("{after} not in {dom}"));
        let start = dom[..at].rfind("href=\"").unwrap() + 6;
        let end = start + dom[start..].find('"').unwrap();
        dom[start..end].replace("&amp;", "&")
    };
    // The overview, then the failed platforms by its link.
    let overview = dom("/");
    assert!(overview.contains("已出险 failed"), "{overview}");
    let failed = dom(&href(&overview, "已出险 failed</a>"));
    assert!(failed.contains("18 家 matching"), "{failed}");
    // A district facet narrows it; its count is the rows shown.
    let district = dom(&href(&failed, "临空经济区</a>"));
    assert!(district.contains("9 家 matching"), "{district}");
    // A platform of the list, its plan and rounds.
    let first = href(&district, "</a></td><td>");
    let platform = dom(&first);
    assert!(
        platform.contains("一企一策") && platform.contains("兑付轮次"),
        "{platform}"
    );
    // The help line: a lender by the lookup form's URL.
    let lender = dom("/lenders?id=L00606");
    assert!(
        lender.contains("出借人 Lender L00606") && lender.contains("P03"),
        "{lender}"
    );
    // The later run against the earlier.
    let progress = dom("/progress");
    assert!(progress.contains("2019-06-30 → 2019-07-31"), "{progress}");
    assert!(progress.contains("已出险 failed"), "{progress}");
    // The CSV of every failed platform.
    let (status, csv) = http_get(port, "/platforms?class=failed&format=csv").unwrap();
    assert!(status.contains("200"), "{status}");
    assert_eq!(csv.trim_start_matches('\u{feff}').lines().count(), 19);
    // A screenshot that shows a page, not an error.
    let shot = w.path("platforms.png");
    let o = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg("--window-size=1280,900")
        .arg(format!("--user-data-dir={}", w.path("profile").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("http://127.0.0.1:{port}/platforms?class=failed"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 30_000,
        "{} bytes",
        png.len()
    );
    drop(server);
}

#[test]
fn the_payouts_page_shows_returned_transfers() {
    let w = Workdir::new("desk-returns");
    run_folder(&w);
    w.write(
        "data/returns.csv",
        "platform_id,round,lender_id,amount,returned_on\n<b>P1</b>,1,L1,100,2019-07-01\n",
    );
    let o = w.run(&["run", "data", "--ledger", "r", "--out", "r2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = winddown::desk::run::Run::load(&w.path("r2")).unwrap();
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk::new(
        run,
        crate::util::sql_engine(),
    )));
    let (s, _, body) = get(&app, "/payouts", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("退汇 Returned transfers"), "{body}");
    // One run only: the progress page says how to compare two.
    let (s, _, page) = get(&app, "/progress", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("winddown serve EARLIER LATER"), "{page}");
    assert!(body.contains("<td>held</td>"), "{body}");
    let (_, _, json) = get(&app, "/payouts?format=json", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["returned"][0]["held"]["fen"], 10_000);
    assert_eq!(v["returned"][0]["lender_id"], "L1");
}

#[test]
fn compare_and_vote_results_have_their_pages_summaries_and_twins() {
    let w = Workdir::new("desk-division");
    run_folder(&w);
    for (cmd, out) in [
        (vec!["compare", "data", "--out", "c"], "c"),
        (vec!["vote", "data", "--scheme", "pro", "--out", "v"], "v"),
    ] {
        let o = w.run(&cmd);
        assert_eq!(o.status.code(), Some(0), "{out}: {}", stderr(&o));
    }
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let compare = winddown::desk::division::compare(&w.path("c")).unwrap();
    let votes = winddown::desk::division::votes(&w.path("v")).unwrap();
    assert!(!compare.is_empty() && !votes.is_empty());
    // What the files hold, line by line: the rules of compare for each platform that has an
    // estate, the voting rules of vote.
    assert!(compare.iter().any(|l| l.platform_id == "<b>P1</b>"));
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk {
        compare: compare.clone(),
        votes: votes.clone(),
        ..winddown::desk::Desk::new(run, crate::util::sql_engine())
    }));
    let (s, _, body) = get(&app, "/compare", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains("分配规则比较 Division rules compared"),
        "{body}"
    );
    // Every rule of the file in the summary; the platform id escaped, never markup.
    for l in &compare {
        assert!(body.contains(&format!("<td>{}</td>", l.rule)), "{}", l.rule);
    }
    assert!(body.contains("&#60;b&#62;P1&#60;/b&#62;") || body.contains("&lt;b&gt;P1&lt;/b&gt;"));
    assert!(!body.contains("<b>P1</b>"));
    // The JSON twin: one total per rule, every line; filtered to one platform.
    let (_, _, json) = get(&app, "/compare?format=json", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), compare.len());
    let rules: std::collections::BTreeSet<&str> = compare.iter().map(|l| l.rule.as_str()).collect();
    assert_eq!(v["totals"].as_array().unwrap().len(), rules.len());
    let lenders: i64 = compare
        .iter()
        .filter(|l| l.rule == v["totals"][0]["rule"].as_str().unwrap())
        .map(|l| l.lenders)
        .sum();
    assert_eq!(v["totals"][0]["lenders"], lenders);
    let (_, _, one) = get(&app, "/compare?format=json&platform=P2", &[]);
    let one: serde_json::Value = serde_json::from_str(&one).unwrap();
    let want = compare.iter().filter(|l| l.platform_id == "P2").count();
    assert_eq!(one["rows"].as_array().unwrap().len(), want);

    let (s, _, body) = get(&app, "/vote", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("表决预测 Predicted vote"), "{body}");
    assert!(body.contains("方案 scheme pro"), "{body}");
    let (_, _, json) = get(&app, "/vote?format=json", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), votes.len());
    let passed: usize = v["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["passed"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(passed, votes.iter().filter(|l| l.passed).count());

    // Without results the pages say how to get them.
    let (_, _, empty) = get(&desk(&w, None), "/compare", &[]);
    assert!(empty.contains("winddown compare DATA"), "{empty}");
    let (_, _, empty) = get(&desk(&w, None), "/vote", &[]);
    assert!(empty.contains("winddown vote DATA"), "{empty}");
}

#[test]
fn the_payouts_page_checks_each_rounds_bank_batches_against_the_round() {
    let w = Workdir::new("desk-batches");
    run_city(&w, &["--payments", "bank", "--pay-all-rounds"]);
    let controls = winddown::desk::batches::read(&w.path("bank")).unwrap();
    let files = std::fs::read_dir(w.path("bank"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with("_control.csv")
        })
        .count();
    assert!(files > 0);
    assert_eq!(controls.len(), files);
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    // Each control file's total is its round's paid amount, and its batches and exceptions
    // add up to it.
    for c in &controls {
        let round = run
            .rounds
            .iter()
            .find(|r| r.platform_id == c.platform_id && r.round == c.round)
            .unwrap_or_else(|| panic!("{} names no round of the run", c.file));
        assert_eq!(c.total, round.paid.get(), "{}", c.file);
        let batched: u64 = c.batches.iter().map(|b| b.transfers).sum();
        assert_eq!(batched + c.without_account, c.transfers, "{}", c.file);
    }
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk {
        batches: controls.clone(),
        ..winddown::desk::Desk::new(run, crate::util::sql_engine())
    }));
    let (s, _, body) = get(&app, "/payouts", &[]);
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("银行批次 Bank batches"), "{body}");
    assert!(body.contains("相符 agrees") && !body.contains("不符 differs"));
    let (_, _, json) = get(&app, "/payouts?format=json", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let b = v["batches"].as_array().unwrap();
    assert_eq!(b.len(), controls.len());
    assert!(b.iter().all(|x| x["against_paid"] == true));

    // A control total that is not the round's paid amount is shown as differing.
    let mut wrong = controls;
    wrong[0].total += 1;
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk {
        batches: wrong,
        ..winddown::desk::Desk::new(run, crate::util::sql_engine())
    }));
    let (_, _, body) = get(&app, "/payouts", &[]);
    assert!(body.contains("不符 differs"), "{body}");
}

#[test]
fn the_platforms_table_shows_the_columns_chosen_and_keeps_them_in_every_link() {
    let w = Workdir::new("desk-columns");
    run_folder(&w);
    let app = desk(&w, None);
    // By default: name, district, class, outstanding, lenders, stage, action.
    let (_, _, body) = get(&app, "/platforms", &[]);
    assert!(body.contains("<th>属地 district</th>"), "{body}");
    assert!(!body.contains("<th>债权合计 claims</th>"));
    // Chosen: only those, in the chooser's order, whatever the URL's order.
    let (s, _, body) = get(
        &app,
        "/platforms?col=total_claim&col=name&col=nonsense",
        &[],
    );
    assert_eq!(s, StatusCode::OK);
    let table = &body[body.find("<table>").unwrap()..];
    let header = &table[..table.find("</tr>").unwrap()];
    assert!(
        header.contains("<th>名称 name</th><th>债权合计 claims</th>"),
        "{header}"
    );
    assert!(!header.contains("属地 district") && !header.contains("nonsense"));
    // P1's claim is 1,000 yuan less what was paid: its cell shows the amount, exact on hover.
    assert!(table.contains("title=\"1,000.00 元\""), "{table}");
    // Facet and sort links keep the columns; the chooser has them checked.
    let kept = ["&amp;", "&#38;", "&"]
        .iter()
        .any(|amp| body.contains(&format!("sort=id{amp}col=name{amp}col=total_claim")));
    assert!(kept, "{body}");
    assert!(body.contains("value=\"total_claim\" checked"));
    // The search form carries them too.
    assert!(body.contains("<input type=\"hidden\" name=\"col\" value=\"total_claim\">"));
    // The JSON twin says which columns were chosen.
    let (_, _, json) = get(&app, "/platforms?col=total_claim&format=json", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["filters"]["cols"], serde_json::json!(["total_claim"]));
}

#[test]
fn names_and_contacts_reach_a_lenders_page_only_with_personal() {
    let w = Workdir::new("desk-personal");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let city = city.to_str().unwrap();
    let o = w.run(&["run", city, "--out", "r"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A lender with a claim, and who the sample says it is.
    let claims = crate::util::read_parquet(&w, "r/claims.parquet");
    let id = crate::util::texts(&claims, "lender_id")[0].clone();
    let line = std::fs::read_to_string(format!("{city}/lenders.csv"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(&format!("{id},")))
        .unwrap()
        .to_string();
    let cells: Vec<&str> = line.split(',').collect();
    let (name, id_number, phone, account) = (cells[1], cells[2], cells[3], cells[7]);

    // Without --personal: ids only, in the page and its twin.
    let plain = serve_with(&w, &["r"]);
    let (status, body) = http_get(plain.1, &format!("/lenders/{id}")).unwrap();
    assert!(status.contains("200"), "{status}");
    let (_, json) = http_get(plain.1, &format!("/lenders/{id}?format=json")).unwrap();
    for secret in [name, id_number, phone, account] {
        assert!(
            !body.contains(secret) && !json.contains(secret),
            "{secret} leaked"
        );
    }
    assert!(!json.contains("\"person\""));
    drop(plain);

    // With it: the name and phone, the id number and account to their last four.
    let desk = serve_with(&w, &["r", "--personal", city]);
    let (_, json) = http_get(desk.1, &format!("/lenders/{id}?format=json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["person"]["name"], name);
    assert_eq!(v["person"]["phone"], phone);
    let masked = format!(
        "{}{}",
        "*".repeat(id_number.len() - 4),
        &id_number[id_number.len() - 4..]
    );
    assert_eq!(v["person"]["id_number"], masked.as_str());
    assert!(!json.contains(id_number) && !json.contains(account));
    let (_, body) = http_get(desk.1, &format!("/lenders/{id}")).unwrap();
    assert!(body.contains(name), "{body}");
    drop(desk);

    // A pseudonymised run cannot be matched to names: refused.
    let o = w.run_env(
        &["run", city, "--pseudonymize", "--out", "p"],
        &[("WINDDOWN_PSEUDONYM_KEY", "a-key-of-sixteen-chars")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["serve", "p", "--personal", city, "--port", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("pseudonyms"), "{}", stderr(&o));
}

#[test]
fn the_progress_page_has_districts_the_total_and_the_plan() {
    let w = Workdir::new("desk-progress");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let city = city.to_str().unwrap();
    for (out, as_of) in [("a", "2019-06-30"), ("b", "2019-09-30")] {
        let o = w.run(&["run", city, "--as-of", as_of, "--out", out]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    use winddown::output::documents::bulletin;
    let (old, new) = (
        bulletin::read_snapshot(&w.path("a")).unwrap(),
        bulletin::read_snapshot(&w.path("b")).unwrap(),
    );
    let b = bulletin::bulletin(&old, &new);
    let run = winddown::desk::run::Run::load(&w.path("b")).unwrap();
    let platforms_now = run.platforms.len() as i64;
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk {
        progress: Some(b.clone()),
        ..winddown::desk::Desk::new(run, crate::util::sql_engine())
    }));
    let (s, _, json) = get(&app, "/progress?format=json", &[]);
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    // Every district of either run, then → now; the total is the later run's platforms.
    assert_eq!(
        v["by_district"].as_array().unwrap().len(),
        b.by_district.len()
    );
    assert!(!b.by_district.is_empty());
    assert_eq!(v["total"]["platforms"][1], platforms_now);
    let now: i64 = v["by_district"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["platforms"][1].as_i64().unwrap())
        .sum();
    assert_eq!(now, platforms_now);
    // The earlier run's plan, projected to the later as-of, against what remains.
    let projected = b.projected.expect("the earlier run had a plan");
    let plan = v["against_plan"].as_array().unwrap();
    assert_eq!(plan.len(), 3);
    assert_eq!(plan[0]["planned"], projected.platforms.to_string());
    assert_eq!(plan[0]["actual"], platforms_now.to_string());
    let (en, _) = bulletin::standing(projected.platforms, platforms_now);
    assert_eq!(plan[0]["standing_en"], en);
    let (_, _, page) = get(&app, "/progress", &[]);
    assert!(
        page.contains("按属地 By district") && page.contains("对照计划"),
        "{page}"
    );
}

#[test]
fn facets_count_subclass_stage_action_and_at_risk_and_a_platform_shows_every_rule() {
    let w = Workdir::new("desk-facets");
    run_city(&w, &["--deadline", "2020-06-30"]);
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let platforms = run.platforms.clone();
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk::new(
        run,
        crate::util::sql_engine(),
    )));
    let (_, _, json) = get(&app, "/platforms?format=json", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let group = |key: &str| {
        v["more_facets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == key)
            .unwrap()["facets"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Counted by hand from the platforms the desk holds.
    for f in group("stage") {
        let stage: i64 = f["value"].as_str().unwrap().parse().unwrap();
        let n = platforms.iter().filter(|p| p.stage == stage).count();
        assert_eq!(f["count"], n, "stage {stage}");
    }
    for f in group("action") {
        let n = platforms
            .iter()
            .filter(|p| p.action_zh == f["value"].as_str().unwrap())
            .count();
        assert_eq!(f["count"], n);
    }
    let at_risk = platforms.iter().filter(|p| p.at_risk).count();
    let risk = group("at_risk");
    assert_eq!(risk.len(), usize::from(at_risk > 0));
    let failed = platforms.iter().filter(|p| !p.subclass.is_empty()).count();
    let sub: u64 = group("subclass")
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sub as usize, failed);
    // Filtering by a facet's value keeps those rows, and the other facets count within them.
    let first = &group("stage")[0];
    let url = first["url"].as_str().unwrap();
    let (_, _, body) = get(&app, &format!("{url}&format=json"), &[]);
    let w2: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(w2["total"], first["count"]);
    // A platform's page lists every rule with its value and threshold.
    let p = &platforms[0];
    let (_, _, page) = get(
        &app,
        &format!("/platforms/{}?format=json", p.platform_id),
        &[],
    );
    let pv: serde_json::Value = serde_json::from_str(&page).unwrap();
    assert_eq!(pv["rules"].as_array().unwrap().len(), p.reasons.len());
    assert!(!p.reasons.is_empty());
    let fired = p.reasons.iter().filter(|r| r.fired).count();
    let shown = pv["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["fired"] == true)
        .count();
    assert_eq!(fired, shown);
}

#[test]
fn every_table_downloads_as_csv_and_xlsx_with_every_row() {
    use calamine::Reader;
    let w = Workdir::new("desk-downloads");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let city = city.to_str().unwrap();
    for args in [
        vec!["run", city, "--out", "r", "--pay-all-rounds"],
        vec!["compare", city, "--out", "c"],
        vec!["vote", city, "--scheme", "pro", "--out", "v"],
    ] {
        let o = w.run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let rounds = run.rounds.clone();
    let compare = winddown::desk::division::compare(&w.path("c")).unwrap();
    let votes = winddown::desk::division::votes(&w.path("v")).unwrap();
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk {
        compare: compare.clone(),
        votes: votes.clone(),
        ..winddown::desk::Desk::new(run, crate::util::sql_engine())
    }));
    // CSV: a header and one line per row; the rounds' paid adds up to the fen.
    let lines = |uri: &str| {
        let (s, _, body) = get(&app, uri, &[]);
        assert_eq!(s, StatusCode::OK, "{uri}");
        assert!(body.starts_with('\u{feff}'), "{uri}");
        let mut r = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
        r.records().map(|x| x.unwrap()).collect::<Vec<_>>()
    };
    let paid = lines("/payouts?format=csv");
    assert_eq!(paid.len(), rounds.len());
    let fen: i64 = paid
        .iter()
        .map(|r| winddown::domain::money::parse_fen(&r[3]).unwrap())
        .sum();
    assert_eq!(fen, rounds.iter().map(|r| r.paid.get()).sum::<i64>());
    // A platform's rounds show the ratio each reached (payout_rounds.parquet's level).
    let r0 = rounds
        .iter()
        .find(|r| r.level.is_some() && r.round == 1)
        .expect("a first round with its level");
    let level = r0.level.unwrap();
    let (_, _, pj) = get(
        &app,
        &format!("/platforms/{}?format=json", r0.platform_id),
        &[],
    );
    let pv: serde_json::Value = serde_json::from_str(&pj).unwrap();
    assert_eq!(pv["rounds"][0]["level"], format!("{:.2}%", level * 100.0));
    assert_eq!(lines("/compare?format=csv").len(), compare.len());
    assert_eq!(lines("/vote?format=csv").len(), votes.len());
    // .xlsx: one sheet, a header and the same rows, money as numbers.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bytes = |uri: &str| {
        use tower::ServiceExt;
        runtime.block_on(async {
            let r = app
                .clone()
                .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            axum::body::to_bytes(r.into_body(), 1 << 26)
                .await
                .unwrap()
                .to_vec()
        })
    };
    for (uri, rows) in [
        ("/payouts?format=xlsx", rounds.len()),
        ("/compare?format=xlsx", compare.len()),
        ("/vote?format=xlsx", votes.len()),
    ] {
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes(uri))).unwrap();
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).unwrap();
        assert_eq!(range.height(), rows + 1, "{uri}");
        if uri.starts_with("/payouts") {
            let first = range.get((1, 3)).unwrap();
            assert!(
                matches!(first, calamine::Data::Float(_)),
                "{uri}: {first:?}"
            );
        }
    }
}

#[test]
fn a_platforms_lenders_by_band_are_its_band_counts_ids_only() {
    let w = Workdir::new("desk-platform-lenders");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    // Small row groups, so that the platform's rows are picked out of several by their
    // statistics.
    let o = w.run_env(
        &["run", city.to_str().unwrap(), "--out", "r"],
        &[("WINDDOWN_ROW_GROUP_ROWS", "1000")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let p = run
        .platforms
        .iter()
        .max_by_key(|p| p.claim_lenders)
        .unwrap()
        .clone();
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk::new(
        run,
        crate::util::sql_engine(),
    )));
    let url = format!("/platforms/{}/lenders", p.platform_id);
    let (s, _, json) = get(&app, &format!("{url}?format=json"), &[]);
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], p.claim_lenders);
    // Each band's list is the band's count on the platform's page, its claims the band's sum.
    for (band, lenders, claim) in &p.bands {
        let (_, _, csv) = get(&app, &format!("{url}?band={band}&format=csv"), &[]);
        let mut r = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len() as i64, *lenders, "{band}");
        let sum: i64 = rows
            .iter()
            .map(|r| winddown::domain::money::parse_fen(&r[1]).unwrap())
            .sum();
        assert_eq!(sum, *claim, "{band}");
    }
    // 100 a page; ids only — the sample's names never appear.
    let (_, _, page) = get(&app, &url, &[]);
    assert_eq!(
        page.matches("<a href=\"/lenders/").count(),
        p.claim_lenders.min(100) as usize
    );
    let names = std::fs::read_to_string(city.join("lenders.csv")).unwrap();
    let first_name = names.lines().nth(1).unwrap().split(',').nth(1).unwrap();
    assert!(!page.contains(first_name));
    let (s, _, _) = get(&app, &format!("{url}?band=nonsense"), &[]);
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _, _) = get(&app, "/platforms/NOPE/lenders", &[]);
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[test]
fn the_overview_charts_classes_and_stages_and_says_which_targets_are_met() {
    let w = Workdir::new("desk-overview");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    // One target met (a tenth fewer platforms by stage 1), one missed (all of them by stage 1).
    w.write(
        "rules.toml",
        "[[plan.targets]]\nmeasure = \"platforms\"\nstage = 1\nreduction = \"0.1\"\n\
         [[plan.targets]]\nmeasure = \"lenders\"\nstage = 1\nreduction = \"1\"\n",
    );
    let o = w.run(&[
        "run",
        city.to_str().unwrap(),
        "--config",
        "rules.toml",
        "--out",
        "r",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run = winddown::desk::run::Run::load(&w.path("r")).unwrap();
    let stage1 = run.summary.plan[1].clone();
    let app = winddown::desk::router(Arc::new(winddown::desk::Desk::new(
        run,
        crate::util::sql_engine(),
    )));
    let (_, _, json) = get(&app, "/?format=json", &[]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let targets = v["stages"][1]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2);
    assert_eq!(targets[0][1], stage1.targets[0].met);
    assert_eq!(
        targets[1][1], false,
        "no plan removes every lender by stage 1"
    );
    // The largest class's bar is the full width; every bar within it.
    let bars: Vec<i64> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bar"].as_i64().unwrap())
        .collect();
    assert_eq!(bars.iter().max(), Some(&240));
    assert!(bars.iter().all(|b| (0..=240).contains(b)));
    let (_, _, page) = get(&app, "/", &[]);
    assert!(page.contains("<svg class=\"bar\""), "{page}");
    assert!(page.contains("未达成 missed"), "{page}");
}
