//! The command line (docs/outputs.md): the clap definitions ([`args`]), one file per command
//! ([`cmd`]) around the shared run of a job ([`job`]) and of paying out ([`pay`]), and what the
//! console shows ([`console`]).

pub mod args;
pub mod cmd;
pub mod console;
pub mod job;
pub mod pay;

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
        Command::Validate(args) => cmd::validate::validate(args, &log),
        Command::Classify(args) => cmd::classify::classify(args, &log),
        Command::Exposure(args) => cmd::exposure::exposure(args, &log),
        Command::Rules(args) => cmd::rules::rules(args, &log),
        Command::Payout(args) => cmd::payout::payout(args, &log),
        Command::Plan(args) => cmd::plan::plan(args, &log),
        Command::Progress(args) => cmd::progress::progress(args, &log),
        Command::Statement(args) => cmd::statement::statement(args, &log),
        Command::Run(args) => cmd::run::run(args, &log),
        Command::Report(args) => cmd::report::report(args, &log),
        Command::Generate(args) => cmd::generate::generate(args, &log),
        Command::Compare(args) => cmd::compare::compare(args, &log),
        Command::Vote(args) => cmd::vote::vote(args, &log),
        Command::Serve(args) => cmd::serve::serve(args, &log),
        Command::Query(args) => cmd::query::query(args),
        Command::Completions(args) => cmd::completions::completions(args),
        Command::Man(args) => cmd::man::man(args),
        Command::Case(args) => cmd::case::case(args, &log),
    };
    if result.is_ok() {
        log.done();
    }
    result
}
