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
    crate::present::term::init(match cli.color {
        args::ColorArg::Auto => crate::present::term::ColorChoice::Auto,
        args::ColorArg::Always => crate::present::term::ColorChoice::Always,
        args::ColorArg::Never => crate::present::term::ColorChoice::Never,
    });
    match cli.lang {
        args::LangArg::Zh => crate::present::Lang::Zh,
        args::LangArg::En => crate::present::Lang::En,
        args::LangArg::Both => crate::present::Lang::Both,
    }
    .set();
    let log = console::Log::new(cli.quiet, cli.verbose);
    if let Some((format, name)) = shown(&cli.command) {
        log.show(format, name);
    }
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
        log.emit()?;
    }
    result
}

/// The `--format` of a command that summarises, and its name in the JSON document.
fn shown(command: &Command) -> Option<(args::ShowFormat, &'static str)> {
    Some(match command {
        Command::Validate(a) => (a.show.format, "validate"),
        Command::Classify(a) => (a.show.format, "classify"),
        Command::Exposure(a) => (a.show.format, "exposure"),
        Command::Plan(a) => (a.show.format, "plan"),
        Command::Payout(a) => (a.show.format, "payout"),
        Command::Run(a) => (a.show.format, "run"),
        Command::Report(a) => (a.plan.show.format, "report"),
        Command::Statement(a) => (a.show.format, "statement"),
        Command::Compare(a) => (a.show.format, "compare"),
        Command::Vote(a) => (a.show.format, "vote"),
        Command::Progress(a) => (a.show.format, "progress"),
        Command::Case(a) => match &a.command {
            None => (a.round.show.format, "case"),
            Some(args::CaseCommand::Progress(p)) => (p.show.format, "case progress"),
            Some(args::CaseCommand::Statement(_)) => return None,
        },
        _ => return None,
    })
}
