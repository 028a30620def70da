//! SQL over a run folder's own tables, for analysts (`winddown query`, the desk's /query),
//! answered by the SQL engine `winddown-sql` — a program of its own, built apart
//! (`cargo build -p winddown-sql`), so that polars is not in winddown's build. This file is
//! winddown's side of that wall: which tables a query may name, how the engine is found, and
//! how it is run — a child process, under a ceiling on its memory when asked, killed when it
//! outlives its time — and its answer read back.
//!
//! The engine checks the query (one read-only SELECT over the named tables, no table
//! function, no path, no other statement), runs it on polars' streaming engine and answers
//! with every value as exact text (money as the Decimal's digits, dates as `2019-06-30`):
//! `sql/src/main.rs` says how.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The engine's program name, looked for beside `winddown`.
pub const ENGINE: &str = "winddown-sql";

/// The tables a query may name: (name, file or partitioned folder), those of
/// `domain::exports` present in `dir`.
pub fn tables(dir: &Path) -> Vec<(String, PathBuf)> {
    crate::domain::exports::ALL
        .iter()
        .filter_map(|e| {
            let name = e.file.trim_end_matches(".parquet");
            let file = dir.join(e.file);
            let folder = dir.join(name);
            if file.is_file() {
                Some((name.to_string(), file))
            } else if folder.is_dir() {
                Some((name.to_string(), folder))
            } else {
                None
            }
        })
        .collect()
}

/// A query's answer: its columns, its rows as text (None for null), and whether rows were
/// left out beyond the limit.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub truncated: bool,
}

/// How far a query may go.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rows returned at most (the answer says when there were more).
    pub rows: usize,
    /// Past it the query is answered with an error.
    pub time: Duration,
    /// The engine's ceiling on its data (heap and anonymous maps; the Parquet files it maps
    /// do not count), in bytes: beyond it an allocation fails and the query is refused.
    pub memory: Option<u64>,
}

/// Where the engine is: `$WINDDOWN_SQL` when set, else `winddown-sql` beside the running
/// program (where cargo builds it), else the first on `PATH`; else where it would be beside
/// the program (and [`run`] says how to build it).
pub fn engine() -> PathBuf {
    if let Some(path) = std::env::var_os("WINDDOWN_SQL") {
        return PathBuf::from(path);
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(ENGINE)));
    if let Some(path) = beside.as_ref().filter(|p| p.is_file()) {
        return path.clone();
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(ENGINE))
            .find(|p| p.is_file())
    });
    on_path.or(beside).unwrap_or_else(|| PathBuf::from(ENGINE))
}

/// How to build the engine, as this build of winddown was built: the message when it is not.
pub fn how_to_build() -> String {
    let release = if cfg!(debug_assertions) {
        ""
    } else {
        " --release"
    };
    format!(
        "query: the SQL engine ({ENGINE}) is not built here; build it once with \
         `cargo build --locked{release} -p {ENGINE}` (it goes beside winddown), or set WINDDOWN_SQL to it"
    )
}

/// Whether `engine` can be started (else [`run`] answers with how to build it).
pub fn engine_is_built(engine: &Path) -> bool {
    engine.is_file()
}

/// Run `sql` over `tables` with `engine` in a child process within `limits`: its answer, or
/// why not as a usage error (exit 2) — the engine's refusal or failure in one line, the time
/// or memory exceeded, the engine not built.
pub fn run(
    engine: &Path,
    sql: &str,
    tables: &[(String, PathBuf)],
    limits: Limits,
) -> Result<Answer> {
    if !engine_is_built(engine) {
        return Err(Error::Usage(how_to_build()));
    }
    let mut command = Command::new(engine);
    for (name, path) in tables {
        let mut table = std::ffi::OsString::from(format!("{name}="));
        table.push(path);
        command.arg("--table").arg(table);
    }
    command
        .args(["--max-rows", &limits.rows.max(1).to_string()])
        .args(["--timeout", &limits.time.as_secs().max(1).to_string()])
        .arg("--")
        .arg(sql)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(bytes) = limits.memory {
        ceiling(&mut command, bytes);
    }
    let mut child = command
        .spawn()
        .map_err(|e| Error::Usage(format!("query: cannot start {}: {e}", engine.display())))?;
    // Both pipes read while the child runs (a full pipe would stall it).
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    // The engine stops itself at its --timeout; a little later it is killed.
    let deadline = Instant::now() + limits.time + Duration::from_secs(2);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let (out, err) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    let refuse = |why: String| Error::Usage(crate::domain::text::terminal_safe(&why).into_owned());
    match status {
        Some(s) if s.success() => serde_json::from_slice(&out)
            .map_err(|e| Error::Internal(format!("{ENGINE} answered badly: {e}"))),
        Some(_) => {
            let text = String::from_utf8_lossy(&err);
            let line = text
                .lines()
                .next()
                .unwrap_or("query: the query engine failed");
            Err(refuse(match limits.memory {
                Some(bytes)
                    if line.contains("allocate memory") || line.contains("memory allocation") =>
                {
                    format!(
                        "query: needs more than {} MB; aggregate first, or narrow it (a WHERE)",
                        bytes >> 20
                    )
                }
                _ => line.to_string(),
            }))
        }
        None => Err(refuse(format!(
            "query: the query took longer than {} s; narrow it (a WHERE, a LIMIT)",
            limits.time.as_secs()
        ))),
    }
}

/// The child's data may not grow beyond `bytes` (`RLIMIT_DATA`).
fn ceiling(command: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: between fork and exec the child only calls setrlimit, which is
    // async-signal-safe, on a value built before the fork.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_DATA, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// A thread that reads `pipe` to its end.
fn drain(pipe: Option<Box<dyn Read + Send>>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        bytes
    })
}
