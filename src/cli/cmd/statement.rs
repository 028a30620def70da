//! `winddown statement`: one lender's statement on the terminal, or every lender's for mail merge.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::cli::job::{hash_inputs, inputs_of, load, record};
use crate::domain::text::terminal_lines;
use crate::error::{Error, Result};
use crate::output::{self, Staging};

pub fn statement(args: StatementArgs, log: &Log) -> Result<()> {
    if args.all {
        return all_statements(args, log);
    }
    let lender = args.lender.as_deref().unwrap_or_default();
    let Some(s) = output::documents::statement::statement(&args.run, lender)? else {
        // Not in the claims at all (a lender with a zero claim has its line there). Ids are
        // matched exactly; the same id in another case, or without the spaces around it, is
        // suggested.
        let trimmed = lender.trim();
        let mut suggestions: Vec<String> = Vec::new();
        for candidate in [
            trimmed.to_string(),
            trimmed.to_uppercase(),
            trimmed.to_lowercase(),
        ] {
            if candidate != lender
                && !suggestions.contains(&candidate)
                && output::documents::statement::statement(&args.run, &candidate)?.is_some()
            {
                suggestions.push(candidate);
            }
        }
        let hint = match suggestions.as_slice() {
            [] => String::new(),
            found => format!("; did you mean {}?", found.join(" or ")),
        };
        return Err(Error::Usage(format!(
            "no lender {lender} in the claims of {} (an unknown id: a lender with a zero claim \
             has a statement){hint}",
            args.run.display()
        )));
    };
    let names = output::documents::statement::platform_names(&args.run)?;
    if !log.tables() {
        log.record(|doc| {
            doc.statement = Some(output::documents::statement::statement_doc(&s, &names));
        });
        return Ok(());
    }
    let text = output::documents::statement::text_statement(&s, &names);
    crate::cli::to_stdout(terminal_lines(&text).as_bytes())
}

/// `statement --all`: statements.csv and sms.csv, both 0600.
pub fn all_statements(args: StatementArgs, log: &Log) -> Result<()> {
    let (Some(data), Some(out)) = (args.data, args.out) else {
        return Err(Error::Usage("--all needs --data and --out".into()));
    };
    let input = InputArgs {
        data,
        config: args.config,
        as_of: None,
        encoding: EncodingArg::Auto,
        strict: false,
        accept_float_money: false,
    };
    let staging = Staging::create(
        &out,
        &inputs_of(&input, None).with("the run's folder", &args.run),
        args.force,
    )?;
    hash_inputs(&input);
    let (config, validated) = load(&input, true, log)?;
    log.step("对账单 statements");
    let (statements, sms, rows, lenders) = output::documents::statement::all_statements(
        &args.run,
        &validated.data,
        &config.statement_sms,
    )?;
    for (name, bytes) in [("statements.csv", &statements), ("sms.csv", &sms)] {
        staging.write(name, bytes)?;
        let path = staging.path(name);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(&path, e))?;
    }
    staging.record_rows("statements.csv", rows);
    staging.record_rows("sms.csv", lenders);
    output::finish(staging, record("statement", &input, &config, &validated)?)?;
    log.info(&format!(
        "wrote {}: {lenders} lenders' statements and SMS texts (mode 0600: names and phones)",
        out.display()
    ));
    Ok(())
}
