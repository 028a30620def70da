//! The errors that stop a command, and the exit codes they map to (docs/outputs.md).
//!
//! Row-level problems never appear here: they become rows of rejects.csv and the run goes on.
//! What does appear is named by its cause — a file that is not a table, an argument, the
//! config, an output path, a ledger, the data as a whole, `--strict` (all exit 2), or a failed
//! read or write, polars, a bug of ours (exit 3).

use std::path::PathBuf;

/// Exit codes of the binary, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    /// Bad input or usage, or any rejected row under `--strict`.
    BadInput = 2,
    /// An internal error: a broken invariant, a failed write, a polars error.
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

    /// Where a command would write: `--out` or `--payment-file` would destroy or overwrite
    /// what it must not, or cannot be written.
    #[error("{0}")]
    Output(String),

    /// A ledger that paying on would hurt someone: a paid round changed, a late round below a
    /// paid one, a lender no longer in the data or above the claim.
    #[error("{0}")]
    Ledger(String),

    /// The data as a whole cannot be used as asked: amounts beyond 64-bit fen, no date to
    /// plan from.
    #[error("{0}")]
    Data(String),

    /// `--strict` and at least one rejected row.
    #[error("{0}")]
    Strict(String),

    /// Reading or writing a file failed.
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Polars failed where our own checks said it should not.
    #[error("{context}")]
    Polars {
        context: String,
        #[source]
        source: polars::error::PolarsError,
    },

    /// A broken invariant: a bug of ours, never the user's input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::BadFile { .. }
            | Error::Usage(_)
            | Error::Config(_)
            | Error::Output(_)
            | Error::Ledger(_)
            | Error::Data(_)
            | Error::Strict(_) => ExitCode::BadInput,
            Error::Io { .. } | Error::Polars { .. } | Error::Internal(_) => ExitCode::Internal,
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

/// Attach a description to a polars error.
pub trait PolarsContext<T> {
    fn context(self, what: &str) -> Result<T>;
}

impl<T> PolarsContext<T> for polars::error::PolarsResult<T> {
    fn context(self, what: &str) -> Result<T> {
        self.map_err(|source| Error::Polars {
            context: what.to_string(),
            source,
        })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
