//! `winddown rules`: the default config printed, or a config file checked.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::config::Config;
use crate::error::{Error, Result};

pub fn rules(args: RulesArgs, log: &Log) -> Result<()> {
    if let Some(path) = &args.check {
        Config::load(Some(path))?;
        log.info(&format!(
            "{}: a good config (every key known and within its range)",
            path.display()
        ));
        return Ok(());
    }
    if !args.print_defaults {
        return Err(Error::Usage(
            "rules: nothing to do (try --print-defaults or --check FILE)".into(),
        ));
    }
    crate::cli::to_stdout(crate::config::defaults_toml().as_bytes())
}
