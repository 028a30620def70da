//! The `winddown` binary: parse arguments, run, map the outcome to an exit code.
//! Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;
use winddown::cli::{self, Cli};
use winddown::error::ExitCode as Code;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                Code::BadInput as u8
            } else {
                0
            });
        }
    };
    // A panic is a bug of ours: report it in one line, exit 3, never a backtrace at the user.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("winddown: internal error{place} (please report it)");
    }));
    let verbose = cli.verbose;
    match std::panic::catch_unwind(|| cli::run(cli)) {
        Ok(Ok(())) => ExitCode::from(Code::Ok as u8),
        Ok(Err(e)) => {
            eprintln!("winddown: {}", e.one_line());
            if verbose >= 2 {
                for line in e.chain() {
                    eprintln!("  {line}");
                }
            }
            ExitCode::from(e.exit_code() as u8)
        }
        Err(_) => ExitCode::from(Code::Internal as u8),
    }
}
