//! `winddown completions`: shell completions on stdout.

use crate::cli::args::*;
use crate::error::Result;

pub fn completions(args: CompletionsArgs) -> Result<()> {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "winddown", &mut script);
    crate::cli::to_stdout(&script)
}
