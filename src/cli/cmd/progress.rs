//! `winddown progress`: the bulletin between two runs.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::domain::text::terminal_lines;
use crate::error::Result;
use crate::output::{self, Inputs, Staging};

pub fn progress(args: ProgressArgs, log: &Log) -> Result<()> {
    let staging = args
        .out
        .as_deref()
        .map(|out| {
            let inputs = Inputs::new()
                .with("the earlier run's folder", &args.old)
                .with("the later run's folder", &args.new);
            Staging::create(out, &inputs, args.force)
        })
        .transpose()?;
    let old = output::documents::bulletin::read_snapshot(&args.old)?;
    let new = output::documents::bulletin::read_snapshot(&args.new)?;
    if old.as_of == new.as_of {
        log.info(&format!(
            "warning: both runs are as of {}: nothing can have moved between them (is one of \
             them the wrong folder?)",
            new.as_of
        ));
    } else if old.as_of > new.as_of {
        log.info(&format!(
            "warning: the earlier run ({}) is as of a later date than the later run ({}): the \
             folders may be the wrong way round",
            old.as_of, new.as_of
        ));
    }
    let b = output::documents::bulletin::bulletin(&old, &new);
    let md = output::documents::bulletin::markdown(&b);
    if log.tables() {
        crate::cli::to_stdout(terminal_lines(&md).as_bytes())?;
    } else {
        log.record(|doc| {
            doc.as_of = Some(new.as_of.to_string());
            doc.progress = Some(output::documents::bulletin::json(&b));
        });
    }
    if let Some(staging) = staging {
        let out = staging.target().to_path_buf();
        staging.write("progress.md", md.as_bytes())?;
        staging.write(
            "progress.json",
            &output::json_bytes(&output::documents::bulletin::json(&b))?,
        )?;
        let record = output::Record {
            command: "progress",
            as_of: Some(new.as_of),
            ..output::Record::default()
        };
        output::finish(staging, record)?;
        log.wrote(&out);
    }
    Ok(())
}
