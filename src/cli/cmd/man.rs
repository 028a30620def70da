//! `winddown man`: the man page on stdout, winddown's or one command's (`winddown-COMMAND`).

use crate::cli::args::ManArgs;
use crate::error::{Error, Result};

pub fn man(args: ManArgs) -> Result<()> {
    use clap::CommandFactory;
    let top = crate::cli::Cli::command();
    let cmd = match &args.command {
        None => top,
        Some(name) => {
            let names: Vec<String> = top
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = top.find_subcommand(name).cloned() else {
                return Err(Error::Usage(format!(
                    "man: no command {name:?} (one of {})",
                    names.join(", ")
                )));
            };
            // Its page is named like git's: winddown-payout(1).
            let full = format!("winddown-{}", sub.get_name());
            sub.name(Box::leak(full.into_boxed_str()) as &str)
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| Error::io("stdout", e))?;
    crate::cli::to_stdout(&page)
}
