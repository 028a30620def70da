//! `winddown validate`: rejects.csv and validation.json.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::cli::job::{hash_inputs, inputs_of, load, record};
use crate::error::Result;
use crate::output::{self, Staging};

pub fn validate(args: ValidateArgs, log: &Log) -> Result<()> {
    let staging = args
        .out
        .as_deref()
        .map(|out| Staging::create(out, &inputs_of(&args.input, None), args.force))
        .transpose()?;
    if staging.is_some() {
        hash_inputs(&args.input);
    }
    let (config, validated) = load(&args.input, false, log)?;
    if let Some(staging) = staging {
        let out = staging.target().to_path_buf();
        output::write_validation(&staging, &validated, None, None)?;
        let record = record("validate", &args.input, &config, &validated)?;
        output::finish(staging, record)?;
        log.wrote(&out);
    }
    Ok(())
}
