//! The shared run of a job: what every command that reads DATA does before and after its own
//! work — the input folder read and validated once ([`load`]) with the counts printed and
//! `--strict` enforced, what the output may not overwrite ([`inputs_of`]), and the manifest's
//! record of the command ([`record`], with the payout options: [`with_payout`]); a [`Job`]
//! holds them from the staged folder to its commit.

use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::input::{self, Encoding, ReadOptions, Validated};
use crate::output::folder::records::Settings;
use crate::output::{self, Inputs, Staging};
use crate::rules::Analysis;
use std::path::Path;

/// Read the config, validate the input folder, print the counts, and enforce `--strict`.
/// `personal`: keep the lenders' names and id numbers (for a payment file).
pub fn load(input: &InputArgs, personal: bool, log: &Log) -> Result<(Config, Validated)> {
    let config = Config::load(input.config.as_deref())?;
    let options = options(
        input.encoding,
        input.accept_float_money,
        input.as_of,
        personal,
    );
    let validated = input::validate(&input.data, &config, &options, log)?;
    console::print_validation(&validated, log);
    strict(input.strict, &validated.report)?;
    Ok((config, validated))
}

/// Start the manifest's hashes of the input files, taken while the command reads them: the
/// manifest then need not read them again at the end. A CSV file is hashed from the bytes its
/// reader streams; the others on a thread beside the reading.
pub fn hash_inputs(input: &InputArgs) {
    if let Ok(found) = input::find_tables(&input.data) {
        input::hashes::hash_inputs(
            table_files(found)
                .into_iter()
                .map(|f| (f.path, matches!(f.format, input::find::SourceFormat::Csv))),
        );
    }
}

/// How the input is read, from the options every command that reads DATA has.
pub fn options(
    encoding: EncodingArg,
    accept_float_money: bool,
    as_of: Option<crate::domain::date::Date>,
    personal: bool,
) -> input::Options {
    input::Options {
        read: ReadOptions {
            encoding: encoding.into(),
            accept_float_money,
        },
        as_of,
        personal,
    }
}

/// `--strict`: any rejected row stops the command (exit 2) before anything is written.
pub fn strict(strict: bool, report: &input::Report) -> Result<()> {
    let rejected = report.total_rejected();
    if strict && rejected > 0 {
        return Err(Error::Strict { rejected });
    }
    Ok(())
}

/// What a command that reads DATA may not write over: the input folder, the config file and
/// the ledger.
pub fn inputs_of(input: &InputArgs, ledger: Option<&Path>) -> Inputs {
    let mut inputs = Inputs::new().with("the input folder", &input.data);
    if let Some(c) = &input.config {
        inputs = inputs.with("the config file", c);
    }
    if let Some(l) = ledger {
        inputs = inputs.with("the ledger", l);
    }
    inputs
}

/// The config text in force: the file's, or the defaults when none was given.
pub fn config_text(path: Option<&Path>) -> Result<String> {
    match path {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Error::io(path, e)),
        None => Ok(crate::config::defaults_toml()),
    }
}

/// Every file read, each part of a table given as a folder on its own: (table, the file as
/// named in the input folder, path).
pub fn input_files(
    found: std::collections::BTreeMap<crate::domain::schema::Table, input::TableFile>,
) -> Vec<(String, String, std::path::PathBuf)> {
    table_files(found)
        .into_iter()
        .map(|f| {
            let file = match &f.part {
                Some(part) => part.shown.clone(),
                None => f
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            (f.table.name().to_string(), file, f.path)
        })
        .collect()
}

/// Every file of the tables found, a folder's parts one by one.
fn table_files(
    found: std::collections::BTreeMap<crate::domain::schema::Table, input::TableFile>,
) -> Vec<input::TableFile> {
    found
        .into_values()
        .flat_map(|f| match f.format {
            input::find::SourceFormat::Parts(parts) => parts,
            _ => vec![f],
        })
        .collect()
}

/// The manifest's record of a command that read DATA: the config text, the inputs, and the
/// options in force after the command line's overrides.
pub fn record<'a>(
    command: &'a str,
    input: &InputArgs,
    config: &Config,
    validated: &Validated,
) -> Result<output::Record<'a>> {
    let config_text = config_text(input.config.as_deref())?;
    let inputs = input_files(input::find_tables(&input.data)?);
    let report = &validated.report;
    let settings = Settings {
        as_of: report.as_of.map(|d| d.to_string()),
        as_of_source: Some(report.as_of_source.name().to_string()),
        encoding: format!("{:?}", Encoding::from(input.encoding)).to_lowercase(),
        strict: input.strict,
        accept_float_money: input.accept_float_money,
        stages: config.plan.stages,
        stage_months: config.plan.stage_months,
        deadline: config.plan.deadline.map(|d| d.to_string()),
        ..Settings::default()
    };
    Ok(output::Record {
        command,
        config_text: Some(config_text),
        as_of: report.as_of,
        inputs,
        settings: Some(settings),
    })
}

/// Record the payout rule in the manifest's settings.
pub fn record_rule(record: &mut output::Record<'_>, rule: &crate::payout::allocate::Rule) {
    if let Some(s) = record.settings.as_mut() {
        s.payout_rule = Some(rule.division.name());
        s.small_first = rule.small_first().map(|t| t.to_string());
        s.min_payment = rule.min_payment.map(|m| m.to_string());
    }
}

/// Record the payout options in the manifest's settings.
pub fn with_payout<'a>(
    mut record: output::Record<'a>,
    opts: &PayoutOptions,
    config: &Config,
) -> output::Record<'a> {
    record_rule(&mut record, &opts.rule(config));
    if let Some(s) = record.settings.as_mut() {
        s.ledger = opts.ledger.as_ref().map(|l| l.display().to_string());
        s.pay_all_rounds = opts.pay_all_rounds;
    }
    record
}

/// A command that reads DATA and writes one folder: the folder checked and staged before any
/// work, then the input read once; [`Job::finish`] commits it with its manifest and says so.
pub struct Job<'a> {
    pub staging: Staging,
    pub config: Config,
    pub validated: Validated,
    input: &'a InputArgs,
    out: &'a Path,
}

impl<'a> Job<'a> {
    pub fn start(input: &'a InputArgs, output: &'a OutArgs, log: &Log) -> Result<Job<'a>> {
        let staging = Staging::create(&output.out, &inputs_of(input, None), output.force)?;
        hash_inputs(input);
        let (config, validated) = load(input, false, log)?;
        Ok(Job {
            staging,
            config,
            validated,
            input,
            out: &output.out,
        })
    }

    /// Metrics, classes, claims and exposure of the data read.
    pub fn analyse(&self) -> Result<Analysis> {
        crate::rules::analyse(
            &self.validated.data,
            &self.config,
            self.validated.report.as_of,
        )
    }

    /// rejects.csv and validation.json, with the claims reconciliation.
    pub fn write_validation(&self, analysis: &Analysis) -> Result<()> {
        output::write_validation(
            &self.staging,
            &self.validated,
            Some(&analysis.reconciliation),
            None,
        )
    }

    /// The manifest's record of the command, for settings to be added to.
    pub fn record(&self, command: &'static str) -> Result<output::Record<'static>> {
        record(command, self.input, &self.config, &self.validated)
    }

    /// Commit the folder with `record` as its manifest, and say where it is.
    pub fn finish(self, record: output::Record<'_>, log: &Log) -> Result<()> {
        output::finish(self.staging, record)?;
        log.wrote(self.out);
        Ok(())
    }
}
