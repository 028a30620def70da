//! The desk in a browser (`winddown serve RUN_OUT`, docs/serve.md): a read-only local web app
//! over one run folder for the regulator's office, the liquidator's clerk and the help line.
//!
//! In: a `winddown run` output folder ([`run::Run`], read once at start; a lender's rows are
//! read on demand from the row groups their bloom filter points to). Out: pages rendered by
//! compile-time templates that escape every value ([`pages`]), each with a JSON twin
//! (`?format=json`) and the tables with a CSV download of every matching row
//! (`?format=csv`, Excel-safe). Guarantees: binds 127.0.0.1 unless told otherwise, and then
//! every request needs the token printed at start; no route writes anything or reads a file
//! by a name from the request; a Content-Security-Policy without inline script; every asset
//! embedded in the binary.

pub mod batches;
pub mod division;
pub mod download;
pub mod lenders;
pub mod pages;
pub mod personal;
pub mod query;
pub mod run;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::{Error, Result};

/// What every request is answered from.
pub struct Desk {
    pub run: run::Run,
    /// With an earlier run folder: the bulletin between them (the later against the earlier,
    /// as `winddown progress`).
    pub progress: Option<crate::output::documents::bulletin::Bulletin>,
    /// `winddown compare`'s and `winddown vote`'s results, when given or in the run folder.
    pub compare: Vec<division::CompareLine>,
    pub votes: Vec<division::VoteLine>,
    /// The bank batches' control files, when the desk was given the payments folder.
    pub batches: Vec<batches::RoundControl>,
    /// `--personal`: the lenders' names and contacts for the help line (else ids only).
    pub people: Option<personal::People>,
    /// Set while a query runs: one at a time.
    pub query_running: std::sync::atomic::AtomicBool,
    /// The SQL engine that answers the query page (`winddown-sql`, in a child process).
    pub sql_engine: std::path::PathBuf,
    /// Required on every request when the desk listens beyond loopback.
    pub token: Option<String>,
}

impl Desk {
    /// A desk over `run` alone — no earlier run, no results, no batches, no personal data, no
    /// token — whose queries `sql_engine` answers (`winddown-sql`).
    pub fn new(run: run::Run, sql_engine: std::path::PathBuf) -> Desk {
        Desk {
            run,
            progress: None,
            compare: Vec::new(),
            votes: Vec::new(),
            batches: Vec::new(),
            people: None,
            query_running: std::sync::atomic::AtomicBool::new(false),
            sql_engine,
            token: None,
        }
    }
}

/// The Content-Security-Policy of every answer: no script at all, styles from the desk only.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                       form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The routes, as a function of the state: tested in process without a socket.
pub fn router(desk: Arc<Desk>) -> Router {
    Router::new()
        .route("/", get(pages::overview))
        .route("/platforms", get(pages::platforms))
        .route("/platforms/{id}", get(pages::platform))
        .route("/platforms/{id}/lenders", get(lenders::platform_lenders))
        .route("/payouts", get(pages::payouts))
        .route("/progress", get(pages::progress))
        .route("/compare", get(division::compare_page))
        .route("/vote", get(division::vote_page))
        .route("/query", get(query::query))
        .route("/lenders", get(pages::lender_form))
        .route("/lenders/{id}", get(pages::lender))
        .route("/assets/desk.css", get(pages::stylesheet))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(desk.clone(), guard))
        .with_state(desk)
}

/// Every answer's headers, and the token when the desk listens beyond loopback: `?token=`
/// once (then a cookie), or `Authorization: Bearer`.
async fn guard(State(desk): State<Arc<Desk>>, request: Request, next: Next) -> Response {
    let mut set_cookie = false;
    if let Some(token) = &desk.token {
        let query = request.uri().query().unwrap_or("");
        let in_query = query
            .split('&')
            .any(|kv| kv.strip_prefix("token=") == Some(token.as_str()));
        let header_value = |name| {
            request
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let bearer = header_value(header::AUTHORIZATION).strip_prefix("Bearer ") == Some(token);
        let cookie = header_value(header::COOKIE)
            .split(';')
            .any(|c| c.trim().strip_prefix("winddown_token=") == Some(token.as_str()));
        if !(in_query || bearer || cookie) {
            return secure(
                (
                    StatusCode::UNAUTHORIZED,
                    "this desk needs the token printed when it started (?token=…)\n",
                )
                    .into_response(),
            );
        }
        set_cookie = in_query && !cookie;
    }
    let mut response = secure(next.run(request).await);
    if let (true, Some(token)) = (set_cookie, &desk.token) {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "winddown_token={token}; HttpOnly; SameSite=Strict; Path=/"
        )) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}

fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A token for a desk that listens beyond loopback: 128 bits from the operating system.
fn new_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| Error::io("/dev/urandom", e))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The folders a desk is served from.
pub struct Folders<'a> {
    /// The output folder of `winddown run`.
    pub run: &'a Path,
    /// An earlier one: the bulletin between the two.
    pub earlier: Option<&'a Path>,
    /// The output folders of `winddown compare` and `winddown vote` (else the run folder's
    /// own results, when it holds them).
    pub compare: Option<&'a Path>,
    pub vote: Option<&'a Path>,
    /// The bank batches' folder of `run --payments` (its control files).
    pub payments: Option<&'a Path>,
}

/// Refuse `--personal` for a run whose lenders are pseudonyms (no name can be matched to
/// them): read from the run's manifest.
pub fn check_personal(run: &Path) -> Result<()> {
    let path = run.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let manifest: crate::output::folder::records::Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::bad_file(&path, format!("not a manifest of this version: {e}")))?;
    if manifest.settings.as_ref().is_some_and(|o| o.pseudonymize) {
        return Err(Error::Usage(format!(
            "--personal: the lenders of {} are pseudonyms (run --pseudonymize); no name can be \
             matched to them",
            run.display()
        )));
    }
    Ok(())
}

/// Serve `folders` on `bind:port` until the process is stopped. `ready` is told the address
/// and the token (for the console).
pub fn serve(
    folders: &Folders,
    people: Option<personal::People>,
    bind: IpAddr,
    port: u16,
    ready: &dyn Fn(SocketAddr, Option<&str>),
) -> Result<()> {
    let (dir, earlier) = (folders.run, folders.earlier);
    let run = run::Run::load(dir)?;
    let compare = division::compare(folders.compare.unwrap_or(dir))?;
    let votes = division::votes(folders.vote.unwrap_or(dir))?;
    let batches = match folders.payments {
        Some(p) => batches::read(p)?,
        None => Vec::new(),
    };
    let progress = match earlier {
        Some(old) => {
            use crate::output::documents::bulletin;
            let (old, new) = (bulletin::read_snapshot(old)?, bulletin::read_snapshot(dir)?);
            Some(bulletin::bulletin(&old, &new))
        }
        None => None,
    };
    let token = if bind.is_loopback() {
        None
    } else {
        Some(new_token()?)
    };
    let desk = Arc::new(Desk {
        progress,
        compare,
        votes,
        batches,
        people,
        token,
        ..Desk::new(run, crate::table::query::engine())
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("the desk's runtime", e))?;
    runtime.block_on(async {
        let addr = SocketAddr::new(bind, port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Usage(format!("serve: cannot listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| Error::io("the desk's socket", e))?;
        ready(local, desk.token.as_deref());
        axum::serve(listener, router(desk))
            .await
            .map_err(|e| Error::io("the desk's socket", e))
    })
}
