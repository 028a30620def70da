//! The command line (docs/outputs.md): the clap definitions ([`args`]), one function per command
//! ([`commands`]) and what the console shows ([`console`]).

pub mod args;
pub mod commands;
pub mod console;

pub use args::Cli;
use args::Command;

use crate::error::{Error, Result};

/// Write what a command prints on stdout. A reader that has gone away (`| head`) ends the
/// command quietly, as it does for ripgrep: the rest was not wanted.
pub fn to_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("stdout", e)),
        _ => Ok(()),
    }
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let log = console::Log::new(cli.quiet, cli.verbose);
    let result = match cli.command {
        Command::Validate(args) => commands::validate(args, &log),
        Command::Classify(args) => commands::classify(args, &log),
        Command::Exposure(args) => commands::exposure(args, &log),
        Command::Rules(args) => commands::rules(args, &log),
        Command::Payout(args) => commands::payout(args, &log),
        Command::Plan(args) => commands::plan(args, &log),
        Command::Progress(args) => commands::progress(args, &log),
        Command::Statement(args) => commands::statement(args, &log),
        Command::Run(args) => commands::run(args, &log),
        Command::Report(args) => commands::report(args, &log),
        Command::Generate(args) => commands::generate(args, &log),
        Command::Compare(args) => commands::compare(args, &log),
        Command::Vote(args) => commands::vote(args, &log),
        Command::Completions(args) => commands::completions(args),
        Command::Man => commands::man(),
    };
    if result.is_ok() {
        log.done();
    }
    result
}
