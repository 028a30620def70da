//! `winddown man`: the man page on stdout.

use crate::error::{Error, Result};

pub fn man() -> Result<()> {
    use clap::CommandFactory;
    let cmd = crate::cli::Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| Error::io("stdout", e))?;
    crate::cli::to_stdout(&page)
}
