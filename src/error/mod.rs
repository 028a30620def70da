//! The errors that stop a command, and the exit codes they map to (docs/outputs.md).
//!
//! Row-level problems never appear here: they become rows of rejects.csv and the run goes on.
//! What does appear is named by its cause — a file that is not a table, an argument, the
//! config, an output path, a ledger, the returns table against the payouts, the data as a whole, `--strict` (all exit 2), or a failed
//! read or write, a bug of ours (exit 3).

use std::path::PathBuf;

mod data;
mod ledger;
mod returns;

pub use data::DataProblem;
pub use ledger::LedgerProblem;
pub use returns::{ReturnRow, ReturnsProblem};

/// Exit codes of the binary, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    /// Bad input or usage, or any rejected row under `--strict`.
    BadInput = 2,
    /// An internal error: a broken invariant, a failed read or write.
    Internal = 3,
}

/// Everything that stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file that cannot be read as a table at all.
    #[error("{}: {message}", path.display())]
    BadFile { path: PathBuf, message: String },

    /// A command-line argument (a value, a combination, a missing input folder).
    #[error("{0}")]
    Usage(String),

    /// The config file: its TOML, or a key's value.
    #[error("{0}")]
    Config(String),

    /// Where a command would write: `--out`, `--payment-file`, `--payments` or the register of
    /// issued transfers would destroy or overwrite what it must not, or cannot be written —
    /// the option, its path and why.
    #[error("{flag} {}: {why}", path.display())]
    Output {
        flag: String,
        path: PathBuf,
        why: String,
    },

    /// A ledger that paying on would hurt someone: a paid round changed, a late round below a
    /// paid one, a lender no longer in the data or above the claim ([`LedgerProblem`]).
    #[error("{0}")]
    Ledger(Box<LedgerProblem>),

    /// The returns table against the payouts: a transfer returned that was not paid, or more
    /// than was paid, or fewer returns than the ledger already booked ([`ReturnsProblem`]).
    #[error("{0}")]
    Returns(Box<ReturnsProblem>),

    /// The data as a whole cannot be used as asked: amounts beyond 64-bit fen, no date to
    /// plan from ([`DataProblem`]).
    #[error("{0}")]
    Data(DataProblem),

    /// `--strict` and at least one rejected row: how many.
    #[error("--strict: {rejected} row{} rejected (see the counts above)", if *rejected == 1 { "" } else { "s" })]
    Strict { rejected: u64 },

    /// Reading or writing a file failed.
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A broken invariant: a bug of ours, never the user's input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<LedgerProblem> for Error {
    fn from(problem: LedgerProblem) -> Error {
        Error::Ledger(Box::new(problem))
    }
}

impl From<DataProblem> for Error {
    fn from(problem: DataProblem) -> Error {
        Error::Data(problem)
    }
}

impl From<ReturnsProblem> for Error {
    fn from(problem: ReturnsProblem) -> Error {
        Error::Returns(Box::new(problem))
    }
}

thread_local! {
    /// Set while a third-party reader runs under [`contained`].
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run a third-party reader (the Parquet decoder, calamine) whose panic on a damaged file
/// is the file's fault, not ours: `None` when it panicked. The panic hook stays quiet for it
/// ([`panic_is_contained`]); the caller turns it into an error naming the file.
pub fn contained<T>(f: impl FnOnce() -> T) -> Option<T> {
    let before = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    CONTAINED.with(|c| c.set(before));
    result
}

/// Whether the panic under way is inside [`contained`] (the hook then prints nothing).
pub fn panic_is_contained() -> bool {
    CONTAINED.with(std::cell::Cell::get)
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::BadFile { .. }
            | Error::Usage(_)
            | Error::Config(_)
            | Error::Output { .. }
            | Error::Ledger(_)
            | Error::Returns(_)
            | Error::Data(_)
            | Error::Strict { .. } => ExitCode::BadInput,
            Error::Io { .. } | Error::Internal(_) => ExitCode::Internal,
        }
    }

    /// The cause class, as `-vv` names it.
    pub fn cause(&self) -> &'static str {
        match self {
            Error::BadFile { .. } => "an input file",
            Error::Usage(_) => "the command line",
            Error::Config(_) => "the config",
            Error::Output { .. } => "where the output would go",
            Error::Ledger(_) => "the ledger",
            Error::Returns(_) => "the returns table against the payouts",
            Error::Data(_) => "the data as a whole",
            Error::Strict { .. } => "--strict and rejected rows",
            Error::Io { .. } => "reading or writing a file",
            Error::Internal(_) => "a broken invariant (a bug of ours)",
        }
    }

    /// The one-line message: the error and its causes, joined by `: `.
    pub fn one_line(&self) -> String {
        let mut msg = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            msg.push_str(&format!(": {s}"));
            source = s.source();
        }
        msg.replace('\n', " ")
    }

    /// The chain `-vv` prints below the one line: the cause class and exit code, then every
    /// underlying error on its own line with its kind where it has one.
    pub fn chain(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "cause: {} (exit {})",
            self.cause(),
            self.exit_code() as u8
        )];
        if let Error::Io { source, .. } = self {
            lines.push(format!("io error kind: {:?}", source.kind()));
        }
        let mut source = std::error::Error::source(self);
        while let Some(s) = source {
            lines.push(format!("caused by: {}", s.to_string().replace('\n', " ")));
            source = s.source();
        }
        lines
    }

    /// Where a command would write: the option (`--out`), its path, why it cannot.
    pub fn output(
        flag: impl Into<String>,
        path: &std::path::Path,
        why: impl Into<String>,
    ) -> Error {
        Error::Output {
            flag: flag.into(),
            path: path.to_path_buf(),
            why: why.into(),
        }
    }

    pub fn bad_file(path: impl Into<PathBuf>, message: impl Into<String>) -> Error {
        Error::BadFile {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_names_the_cause_and_every_source() {
        let e = Error::io(
            "out/claims.parquet",
            std::io::Error::new(std::io::ErrorKind::StorageFull, "No space left on device"),
        );
        assert_eq!(e.one_line(), "out/claims.parquet: No space left on device");
        assert_eq!(
            e.chain(),
            [
                "cause: reading or writing a file (exit 3)",
                "io error kind: StorageFull",
                "caused by: No space left on device",
            ]
        );
        let e = Error::Config(
            "rules.toml: line 2, column 1: [plan] stages: expected an integer".into(),
        );
        assert_eq!(e.chain(), ["cause: the config (exit 2)"]);
        assert_eq!(e.one_line(), e.to_string());
    }
}
