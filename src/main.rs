//! The `winddown` binary: parse arguments, run, map the outcome to an exit code.
//! Everything else lives in the library.

use std::process::ExitCode;

use std::io::Write;

use clap::Parser;
use winddown::cli::{self, Cli};
use winddown::domain::text::{terminal_lines, terminal_safe};
use winddown::error::ExitCode as Code;

/// The system allocator, with the large tables on huge pages (`winddown::memory`).
#[global_allocator]
static ALLOCATOR: winddown::memory::Allocator = winddown::memory::Allocator;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2);
            // an argument it quotes back is shown with its control characters escaped.
            let text = e.render().to_string();
            let text = terminal_lines(&text);
            let _ = if e.use_stderr() {
                std::io::stderr().write_all(text.as_bytes())
            } else {
                std::io::stdout().write_all(text.as_bytes())
            };
            return ExitCode::from(if e.use_stderr() {
                Code::BadInput as u8
            } else {
                0
            });
        }
    };
    // A panic is a bug of ours: report it in one line, exit 3, never a backtrace at the user.
    std::panic::set_hook(Box::new(|info| {
        // A damaged input file that a third-party reader panics on is reported as the file's
        // error by the code that contained it.
        if winddown::error::panic_is_contained() {
            return;
        }
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
            eprintln!("winddown: {}", terminal_safe(&e.one_line()));
            if verbose >= 2 {
                for line in e.chain() {
                    eprintln!("  {}", terminal_safe(&line));
                }
            }
            ExitCode::from(e.exit_code() as u8)
        }
        Err(_) => ExitCode::from(Code::Internal as u8),
    }
}
