//! `winddown case`: illegal-fundraising cases (docs/cases.md). A round ([`round`]): the case
//! tables read and checked, each participant's loss and standing, the clawbacks, the waterfall
//! on everything realised, the round on the ledger of earlier rounds, its notices and payment
//! file, and the docket. `case progress` ([`progress`]): the docket alone. `case statement`
//! ([`statement`]): one person's lines for the help line. What they share — reading the
//! tables, naming people, the ledger, the manifest's record — is here.

mod progress;
mod round;
mod statement;

use std::path::Path;

use crate::cases::docket::{self, Docket};
use crate::cases::ledger;
use crate::cases::settle::Ledger;
use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::config::Config;
use crate::domain::code::{ByCode, PersonCode};
use crate::domain::date::Date;
use crate::domain::schema::Table;
use crate::domain::text::terminal_safe;
use crate::error::{Error, Result};
use crate::input::cases::{validate_cases, CaseValidated};
use crate::input::{find, Encoding};
use crate::output::folder::manifest::Pseudonymizer;
use crate::output::folder::records::Settings;
use crate::output::tables::cases as exports;
use crate::output::{self, Inputs, Staging};

pub fn case(args: CaseArgs, log: &Log) -> Result<()> {
    match args.command {
        Some(CaseCommand::Progress(p)) => progress::progress(p, log),
        Some(CaseCommand::Statement(s)) => statement::statement(s),
        None => round::round(args.round, log),
    }
}

/// The case tables read and checked, people named, the as-of date and the ledger.
pub(super) struct Loaded {
    pub config: Config,
    pub validated: CaseValidated,
    /// By person code: the id every output shows.
    pub ids: ByCode<PersonCode, String>,
    pub as_of: Date,
    pub ledger: Ledger,
    pub pseudonyms: Option<Pseudonymizer>,
}

pub(super) fn data_of(input: &CaseInputArgs) -> Result<&Path> {
    input
        .data
        .as_deref()
        .ok_or_else(|| Error::Usage("case: DATA, the folder of the case tables, is missing".into()))
}

pub(super) fn inputs_of(input: &CaseInputArgs, ledger: Option<&Path>) -> Result<Inputs> {
    let mut inputs = Inputs::new().with("the input folder", data_of(input)?);
    if let Some(c) = &input.config {
        inputs = inputs.with("the config file", c);
    }
    if let Some(l) = ledger {
        inputs = inputs.with("the ledger", l);
    }
    Ok(inputs)
}

pub(super) fn load(
    input: &CaseInputArgs,
    ledger_dir: Option<&Path>,
    personal: bool,
    log: &Log,
) -> Result<Loaded> {
    let data = data_of(input)?;
    let config = Config::load(input.config.as_deref())?;
    let pseudonyms = input
        .pseudonymize
        .then(Pseudonymizer::from_env)
        .transpose()?;
    let options = crate::cli::job::options(
        input.encoding,
        input.accept_float_money,
        input.as_of,
        personal,
    );
    let validated = validate_cases(data, &config, &options, log)?;
    console::print_report(&validated.report, &validated.rejects, log);
    crate::cli::job::strict(input.strict, &validated.report)?;
    let people = &validated.data.people;
    if pseudonyms.is_none() {
        if let Some(p) = people.iter().find(|p| p.id_is_id_number) {
            return Err(Error::Usage(format!(
                "participants.person_id holds resident id numbers (case {} among others): they \
                 would reach every output; give pseudonyms, or run with --pseudonymize (key in \
                 WINDDOWN_PSEUDONYM_KEY)",
                terminal_safe(&validated.data.cases[p.case].id)
            )));
        }
    }
    let ids = people
        .iter()
        .map(|p| match &pseudonyms {
            Some(k) => k.pseudonym(&p.id),
            None => p.id.clone(),
        })
        .collect();
    let as_of = validated.report.as_of.ok_or_else(|| {
        Error::Usage("the case tables hold no accepted row with a date: give --as-of".into())
    })?;
    let ledger = match ledger_dir {
        Some(dir) => ledger::read(dir)?,
        None => Ledger::default(),
    };
    Ok(Loaded {
        config,
        validated,
        ids,
        as_of,
        ledger,
        pseudonyms,
    })
}

pub(super) fn docket_settings(args: &DocketArgs, as_of: Date) -> docket::Settings {
    let year = args.year.unwrap_or(as_of.ymd().0);
    docket::Settings {
        old_before: args.old_before.unwrap_or(Date::civil(as_of.ymd().0, 1, 1)),
        year,
        target: (1, 2),
        as_of,
    }
}

/// The manifest's record of a case command.
pub(super) fn record<'a>(
    command: &'a str,
    input: &CaseInputArgs,
    loaded: &Loaded,
    ledger_dir: Option<&Path>,
) -> Result<output::Record<'a>> {
    let config_text = crate::cli::job::config_text(input.config.as_deref())?;
    let inputs = crate::cli::job::input_files(find::find_of(data_of(input)?, &Table::CASE_TABLES)?);
    let report = &loaded.validated.report;
    Ok(output::Record {
        command,
        config_text: Some(config_text),
        as_of: Some(loaded.as_of),
        inputs,
        settings: Some(Settings {
            as_of: Some(loaded.as_of.to_string()),
            as_of_source: Some(report.as_of_source.name().to_string()),
            encoding: format!("{:?}", Encoding::from(input.encoding)).to_lowercase(),
            strict: input.strict,
            accept_float_money: input.accept_float_money,
            ledger: ledger_dir.map(|l| l.display().to_string()),
            pseudonymize: input.pseudonymize,
            ..Settings::default()
        }),
    })
}

/// What both `case` and `case progress` write: rejects.csv and validation.json, then the
/// docket's case_docket.parquet and docket.md.
pub(super) fn write_checks_and_docket(
    staging: &Staging,
    loaded: &Loaded,
    docket: &Docket,
    settings: docket::Settings,
) -> Result<()> {
    output::write_report(
        staging,
        &loaded.validated.report,
        &loaded.validated.rejects,
        None,
        loaded.pseudonyms.as_ref(),
    )?;
    let data = &loaded.validated.data;
    exports::docket(staging, data, docket)?;
    staging.write(
        "docket.md",
        crate::output::documents::docket::docket_md(data, docket, settings).as_bytes(),
    )
}
