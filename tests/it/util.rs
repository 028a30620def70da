//! A scratch folder per test and a way to run the binary in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Workdir {
    pub dir: PathBuf,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Workdir {
    pub fn new(name: &str) -> Workdir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("it-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Workdir { dir }
    }

    pub fn path(&self, p: &str) -> PathBuf {
        self.dir.join(p)
    }

    pub fn write(&self, p: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    pub fn read(&self, p: &str) -> String {
        std::fs::read_to_string(self.path(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// Run the binary with these environment variables set.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_winddown"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(&self.dir)
            .output()
            .expect("the binary runs")
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parse rejects.csv into rows of (table, file, line, column, value, reason).
pub fn rejects(text: &str) -> Vec<[String; 6]> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["table", "file", "line", "column", "value", "reason"]
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            std::array::from_fn(|i| rec[i].to_string())
        })
        .collect()
}

/// strace, for the tests that trace system calls. Absent, those tests are skipped with a note,
/// unless WINDDOWN_REQUIRE_STRACE is set (CI installs strace and sets it, so there they run).
pub fn strace() -> Option<&'static str> {
    let found = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some("strace");
    }
    assert!(
        std::env::var_os("WINDDOWN_REQUIRE_STRACE").is_none(),
        "strace is required (WINDDOWN_REQUIRE_STRACE is set): apt-get install strace"
    );
    eprintln!("strace not found: skipping a syscall-tracing test (apt-get install strace)");
    None
}

/// A Parquet export of the scratch folder.
pub fn read_parquet(w: &Workdir, path: &str) -> polars::prelude::DataFrame {
    use polars::prelude::SerReader;
    polars::prelude::ParquetReader::new(std::fs::File::open(w.path(path)).unwrap())
        .finish()
        .unwrap()
}

/// A Decimal(18,2) money column as fen.
pub fn fen(df: &polars::prelude::DataFrame, c: &str) -> Vec<i64> {
    let s = df
        .column(c)
        .unwrap()
        .as_materialized_series()
        .decimal()
        .unwrap()
        .physical()
        .clone();
    s.iter()
        .map(|v| i64::try_from(v.unwrap()).unwrap())
        .collect()
}

/// A text column (nulls as empty text).
pub fn texts(df: &polars::prelude::DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

/// The SQL engine, where `cargo test --workspace` builds it: beside the winddown binary.
pub fn sql_engine() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_winddown")).with_file_name("winddown-sql")
}

/// Every input listed in the manifest of the folder `out` has the sha256 of the file's bytes
/// in `data` (hashed while the command read them, or read again where it could not).
pub fn assert_inputs_hashed(out: &Path, data: &Path) {
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let inputs = manifest["inputs"].as_array().unwrap();
    assert!(!inputs.is_empty());
    for input in inputs {
        use sha2::Digest;
        let file = input["file"].as_str().unwrap();
        let bytes = std::fs::read(data.join(file)).unwrap();
        let hex: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(input["sha256"], hex.as_str(), "{file}");
    }
}
