//! One function per command. Each checks where it will write before any work (the output
//! folder, the payment file), loads the input once ([`load`]), runs the stages it needs, writes
//! into its staging folder and commits it with its manifest.

use std::path::Path;

use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::config::Config;
use crate::domain::date::Date;
use crate::domain::money::format_fen;
use crate::domain::text::terminal_lines;
use crate::error::{Error, Result};
use crate::generate;
use crate::input::InputData;
use crate::input::{self, Encoding, ReadOptions, Validated};
use crate::output::bank::batches::Carried;
use crate::output::bank::register::{Register, Status as RegisterStatus};
use crate::output::folder::manifest::Pseudonymizer;
use crate::output::folder::records::Settings;
use crate::output::tables::exports::{self, LenderNames};
use crate::output::{self, Inputs, PaymentFile, Staging};
use crate::payout::ledger::Ledger;
use crate::payout::rounds::{self, Payouts, Transfer};
use crate::rules::{self, Analysis};

/// Read the config, validate the input folder, print the counts, and enforce `--strict`.
/// `personal`: keep the lenders' names and id numbers (for a payment file).
pub fn load(input: &InputArgs, personal: bool, log: &Log) -> Result<(Config, Validated)> {
    let config = Config::load(input.config.as_deref())?;
    let options = input::Options {
        read: ReadOptions {
            encoding: input.encoding.into(),
            accept_float_money: input.accept_float_money,
        },
        as_of: input.as_of,
        personal,
    };
    let validated = input::validate(&input.data, &config, &options, log)?;
    console::print_validation(&validated, log);
    let rejected = validated.report.total_rejected();
    if input.strict && rejected > 0 {
        return Err(Error::Strict(format!(
            "--strict: {rejected} row{} rejected (see the counts above)",
            if rejected == 1 { "" } else { "s" }
        )));
    }
    Ok((config, validated))
}

/// What a command that reads DATA may not write over: the input folder, the config file and
/// the ledger.
fn inputs_of(input: &InputArgs, ledger: Option<&Path>) -> Inputs {
    let mut inputs = Inputs::new().with("the input folder", &input.data);
    if let Some(c) = &input.config {
        inputs = inputs.with("the config file", c);
    }
    if let Some(l) = ledger {
        inputs = inputs.with("the ledger", l);
    }
    inputs
}

/// The manifest's record of a command that read DATA: the config text, the inputs, and the
/// options in force after the command line's overrides.
fn record<'a>(
    command: &'a str,
    input: &InputArgs,
    config: &Config,
    validated: &Validated,
) -> Result<output::Record<'a>> {
    let config_text = match &input.config {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?,
        None => crate::config::defaults_toml(),
    };
    let inputs = input::find_tables(&input.data)?
        .into_values()
        .map(|f| (f.table.name().to_string(), f.path))
        .collect();
    let report = &validated.report;
    let settings = Settings {
        as_of: report.as_of.map(|d| d.to_string()),
        as_of_source: Some(
            match report.as_of_source {
                input::AsOfSource::Given => "given",
                input::AsOfSource::LatestDate => "latest_date_in_data",
            }
            .to_string(),
        ),
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
fn record_rule(record: &mut output::Record<'_>, rule: &crate::payout::allocate::Rule) {
    if let Some(s) = record.settings.as_mut() {
        s.payout_rule = Some(rule.division.name());
        s.small_first = rule.small_first().map(format_fen);
        s.min_payment = rule.min_payment.map(format_fen);
    }
}

/// Record the payout options in the manifest's settings.
fn with_payout<'a>(
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

pub fn validate(args: ValidateArgs, log: &Log) -> Result<()> {
    let staging = args
        .out
        .as_deref()
        .map(|out| Staging::create(out, &inputs_of(&args.input, None), args.force))
        .transpose()?;
    let (config, validated) = load(&args.input, false, log)?;
    if let Some(staging) = staging {
        let out = staging.target().to_path_buf();
        output::write_validation(&staging, &validated, None, None)?;
        let record = record("validate", &args.input, &config, &validated)?;
        output::finish(staging, record)?;
        log.info(&format!("wrote {}", out.display()));
    }
    Ok(())
}

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
    super::to_stdout(crate::config::defaults_toml().as_bytes())
}

pub fn classify(args: ClassifyArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (config, validated) = load(&args.input, false, log)?;
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    console::print_class_summary(&analysis.platforms, log);
    output::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    exports::platforms(&staging, &analysis)?;
    output::finish(
        staging,
        record("classify", &args.input, &config, &validated)?,
    )?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

pub fn exposure(args: ClassifyArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (config, validated) = load(&args.input, false, log)?;
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    console::print_class_summary(&analysis.platforms, log);
    console::print_exposure_summary(&analysis, log);
    output::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    write_exposure(&staging, &validated, &analysis, None)?;
    output::finish(
        staging,
        record("exposure", &args.input, &config, &validated)?,
    )?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

/// platforms, claims, lenders and districts.
fn write_exposure(
    staging: &Staging,
    validated: &Validated,
    analysis: &Analysis,
    pseudonyms: Option<&Pseudonymizer>,
) -> Result<()> {
    let names = LenderNames::new(&validated.data, pseudonyms);
    exports::platforms(staging, analysis)?;
    exports::claims(staging, &validated.data, analysis, &names)?;
    exports::lenders(staging, &validated.data, analysis, &names)?;
    exports::districts(staging, analysis)
}

/// The output folder, the payment file, the batches and the register of a payout, checked and
/// opened before any work.
fn payout_outputs(
    input: &InputArgs,
    opts: &PayoutOptions,
    out: &Path,
    force: bool,
) -> Result<(Staging, Transfers)> {
    let inputs = inputs_of(input, opts.ledger.as_deref());
    let staging = Staging::create(out, &inputs, force)?;
    let file = opts
        .payment_file
        .as_deref()
        .map(|p| PaymentFile::create(p, out, &inputs, force))
        .transpose()?;
    let inputs = match &opts.payment_file {
        Some(f) => inputs.with("the payment file", f),
        None => inputs,
    };
    let batches = opts
        .payments
        .as_deref()
        .map(|p| output::bank::batches::PaymentBatches::create(p, out, &inputs, force))
        .transpose()?;
    let register = Register::locate(
        opts.register.as_deref(),
        opts.payment_file.as_deref(),
        opts.payments.as_deref(),
    )
    .map(|path| -> Result<Register> {
        let inputs = inputs.clone().with("the output folder", out);
        output::folder::staging::check_apart("--register", &path, &inputs)?;
        let mut register = Register::open(&path)?;
        // --force replaces a payment file or batches: what they carried is void.
        if force {
            for replaced in [&opts.payment_file, &opts.payments].into_iter().flatten() {
                if replaced.exists() {
                    register.void_file(&replaced.display().to_string());
                }
            }
        }
        Ok(register)
    })
    .transpose()?;
    Ok((
        staging,
        Transfers {
            file,
            batches,
            register,
            notes: Vec::new(),
        },
    ))
}

/// What leaves for the bank: the payment file and the bank batches, when asked for, and the
/// register of issued transfers that both are checked against and recorded in.
struct Transfers {
    file: Option<PaymentFile>,
    batches: Option<output::bank::batches::PaymentBatches>,
    register: Option<Register>,
    /// What the console says of them once the summaries are printed.
    notes: Vec<String>,
}

impl Transfers {
    /// Whether the lenders' personal data must be read.
    fn any(&self) -> bool {
        self.file.is_some() || self.batches.is_some()
    }

    /// What commits with the output folder.
    fn issue(&mut self) -> output::Issue<'_> {
        output::Issue {
            payment: self.file.as_mut(),
            batches: self.batches.as_mut(),
            register: self.register.as_mut(),
        }
    }
}

/// Checks of the data's shape against the payout options, made right after the data are read
/// and before any work: a payment file or batches over several rounds of one platform need
/// `--ledger` (which says what was paid) or `--pay-all-rounds`.
fn check_payout_shape(opts: &PayoutOptions, transfers: &Transfers, data: &InputData) -> Result<()> {
    if transfers.any() && opts.ledger.is_none() && !opts.pay_all_rounds {
        if let Some((platform, rounds)) = rounds::several_rounds(data) {
            let flag = if transfers.file.is_some() {
                "--payment-file"
            } else {
                "--payments"
            };
            return Err(Error::Ledger(format!(
                "{flag}: platform {platform} has rounds {rounds} in the recoveries and no \
                 --ledger says which of them were paid already; pass --ledger PREV_OUT/payouts.parquet \
                 (the rounds paid before), or --pay-all-rounds if none of them has been paid"
            )));
        }
    }
    // Batches with no account column at all are a mapping left out, not lenders to list.
    let accounts = data.personal.as_ref().map_or(0, |p| p.accounts_given);
    if transfers.batches.is_some() && accounts == 0 && !data.lenders.is_empty() {
        return Err(Error::Data(
            "--payments: the lenders table gives no bank account: it needs a bank_account \
             column (map its header in the config's [columns]) and bank_name"
                .into(),
        ));
    }
    Ok(())
}

/// The ledger of `--ledger`, read against the data; then the lender ids' table, which only
/// the ledger's lender ids need, is freed (1.5 GB at national scale).
fn read_ledger(
    opts: &PayoutOptions,
    validated: &mut Validated,
    log: &Log,
) -> Result<Option<Ledger>> {
    let ledger = opts
        .ledger
        .as_deref()
        .map(|l| Ledger::read(l, &validated.data))
        .transpose()?;
    if let Some(l) = &ledger {
        // Its rounds against today's recoveries, before any work (again in the payouts).
        l.check_against(&validated.data, &rounds::pools(&validated.data))?;
        if let Some(note) = never_issued(l) {
            log.info(&note);
        }
    }
    validated.data.forget_lender_index();
    Ok(ledger)
}

/// A ledger folder whose command wrote neither a payment file nor batches computed payouts
/// that winddown never issued: said on the console, since the next rounds take them as paid.
fn never_issued(ledger: &Ledger) -> Option<String> {
    let dir = ledger.path.parent()?;
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: output::folder::records::Manifest = serde_json::from_str(&text).ok()?;
    let paid = ledger.rounds.iter().any(|r| r.paid > 0);
    (paid && manifest.payment_file.is_none() && manifest.payment_batches.is_empty()).then(|| {
        format!(
            "note: the ledger {} was written without a payment file or bank batches: what its \
             command computed was not issued by winddown, and is taken as paid (outside it)",
            dir.display()
        )
    })
}

/// The payout rounds of a command, on the ledger if one was given, with the payment file's
/// rows and the batches written (not yet placed) if they were asked for. Every transfer is
/// checked against the register first.
#[allow(clippy::too_many_arguments)]
fn compute_payouts(
    opts: &PayoutOptions,
    ledger: Option<&Ledger>,
    config: &Config,
    validated: &Validated,
    analysis: &Analysis,
    transfers: &mut Transfers,
    pseudonyms: Option<&Pseudonymizer>,
    log: &Log,
) -> Result<Payouts> {
    let data = &validated.data;
    let who = |id: &str| match pseudonyms {
        Some(p) => p.pseudonym(id),
        None => id.to_string(),
    };
    // A returned amount is re-issued only by a command that sends it.
    let sending = transfers.any();
    let payouts = rounds::payouts(
        data,
        &analysis.claims,
        ledger,
        opts.rule(config),
        sending,
        &who,
        log,
    )?;
    if sending {
        if let Some((platform, round)) = payouts.returns_on_computed_round() {
            return Err(Error::Returns(format!(
                "the returns table lists transfers of round {round} of platform {} as sent and \
                 returned, but this run computes that round and would pay it again; pass \
                 --ledger with the output folder of the run that paid it",
                data.platforms.ids[platform as usize]
            )));
        }
    }
    let mut sent = if sending {
        payouts.transfers()
    } else {
        Vec::new()
    };
    if let Some(register) = transfers.register.as_ref() {
        sent.extend(register.catch_ups(data, &payouts));
        let (keep, left_out) = register.screen(data, &payouts, sent)?;
        sent = keep;
        if !left_out.is_empty() {
            let total: i128 = left_out.iter().map(|t| i128::from(t.amount)).sum();
            transfers.notes.push(format!(
                "{} transfer{} ({} yuan) of this command were issued already (the register {} \
                 lists them): not issued again",
                left_out.len(),
                if left_out.len() == 1 { "" } else { "s" },
                crate::domain::money::grouped(total),
                register.path().display()
            ));
        }
    }
    if sending && sent.is_empty() {
        transfers.notes.push(
            "nothing new to pay: every round in the recoveries is in the ledger and no returned \
             amount is to be sent again (the payment file has its header only; no batch written)"
                .into(),
        );
    }
    let mut registered: Vec<(Transfer, RegisterStatus, String, String)> = Vec::new();
    if let Some(file) = transfers.file.as_mut() {
        let to_check = output::bank::payment::write_rows(file, data, &payouts, &sent)?;
        transfers
            .notes
            .extend(console::formula_like_note(&to_check, "the payment file"));
        let name = file.target().display().to_string();
        registered.extend(
            sent.iter()
                .map(|t| (*t, RegisterStatus::Issued, name.clone(), String::new())),
        );
    }
    if let Some(batches) = transfers.batches.as_mut() {
        let checks = batches.write(data, &payouts, &sent, &config.payments)?;
        transfers.notes.extend(console::batch_notes(&checks));
        // With a payment file beside them, the file is what issued every transfer.
        if transfers.file.is_none() {
            registered.extend(checks.carried.into_iter().map(|(t, c)| match c {
                Carried::Issued(file, sha) => (t, RegisterStatus::Issued, file, sha),
                Carried::Withheld => (t, RegisterStatus::Withheld, String::new(), String::new()),
            }));
        }
    }
    if let Some(register) = transfers.register.as_mut() {
        register.add(data, &payouts, &registered);
    }
    Ok(payouts)
}

/// notices.html: the printable notice of every round computed.
fn write_notices(
    staging: &Staging,
    analysis: &Analysis,
    payouts: &rounds::Payouts,
    opts: &PayoutOptions,
    config: &Config,
    validated: &Validated,
) -> Result<()> {
    let html = output::documents::notices::notices_html(
        analysis,
        payouts,
        opts.rule(config),
        config,
        validated.report.as_of,
    );
    staging.write("notices.html", html.as_bytes())
}

pub fn payout(args: PayoutArgs, log: &Log) -> Result<()> {
    let (staging, mut transfers) =
        payout_outputs(&args.input, &args.payout, &args.out, args.force)?;
    let (config, mut validated) = load(&args.input, transfers.any(), log)?;
    check_payout_shape(&args.payout, &transfers, &validated.data)?;
    let ledger = read_ledger(&args.payout, &mut validated, log)?;
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    let payouts = compute_payouts(
        &args.payout,
        ledger.as_ref(),
        &config,
        &validated,
        &analysis,
        &mut transfers,
        None,
        log,
    )?;
    console::print_payout_summary(&payouts, log);
    for note in &transfers.notes {
        log.info(note);
    }
    output::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    exports::payouts(
        &staging,
        &validated.data,
        &payouts,
        &LenderNames::new(&validated.data, None),
    )?;
    write_notices(
        &staging,
        &analysis,
        &payouts,
        &args.payout,
        &config,
        &validated,
    )?;
    output::finish_with_batches(
        staging,
        with_payout(
            record("payout", &args.input, &config, &validated)?,
            &args.payout,
            &config,
        ),
        transfers.issue(),
    )?;
    announce_payment(&args.payout, log);
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

pub fn plan(args: PlanArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (mut config, validated) = load(&args.input, false, log)?;
    args.stages.apply(&mut config)?;
    rules::check_plan_dates(&config, validated.report.as_of)?;
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    console::print_class_summary(&analysis.platforms, log);
    let plan = rules::make_plan(&analysis, &config, validated.report.as_of)?;
    console::print_plan_summary(&plan, log);
    output::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    exports::platforms(&staging, &analysis)?;
    write_plan(&staging, &analysis, &plan)?;
    output::finish(staging, record("plan", &args.input, &config, &validated)?)?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

/// plan.parquet, plan_stages.parquet and plan.md.
fn write_plan(staging: &Staging, analysis: &Analysis, plan: &rules::plan::Plan) -> Result<()> {
    exports::plan(staging, plan)?;
    exports::plan_stages(staging, plan)?;
    staging.write(
        "plan.md",
        output::documents::plan_doc::plan_markdown(analysis, plan).as_bytes(),
    )
}

pub fn statement(args: StatementArgs, log: &Log) -> Result<()> {
    if args.all {
        return all_statements(args, log);
    }
    let lender = args.lender.as_deref().unwrap_or_default();
    let Some(s) = output::documents::statement::statement(&args.run, lender)? else {
        return Err(Error::Usage(format!(
            "lender {lender} has no claim in {}",
            args.run.display()
        )));
    };
    let names = output::documents::statement::platform_names(&args.run)?;
    let text = output::documents::statement::text_statement(&s, &names);
    super::to_stdout(terminal_lines(&text).as_bytes())
}

/// `statement --all`: statements.csv and sms.csv, both 0600.
fn all_statements(args: StatementArgs, log: &Log) -> Result<()> {
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
    super::to_stdout(terminal_lines(&md).as_bytes())?;
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
        log.info(&format!("wrote {}", out.display()));
    }
    Ok(())
}

pub fn report(args: ReportArgs, log: &Log) -> Result<()> {
    let ReportArgs {
        plan: mut plan_args,
        from,
        small_first,
        rule,
        min_payment,
        pdf,
    } = args;
    let chromium = pdf
        .then(output::documents::pdf::find_chromium)
        .transpose()?;
    // With --from, the options the run recorded, unless given again here.
    let recorded = from.as_deref().map(read_recorded).transpose()?;
    let mut recorded_rule = None;
    let mut recorded_minimum = None;
    if let Some((settings, _)) = &recorded {
        recorded_rule = settings
            .payout_rule
            .as_deref()
            .map(crate::payout::allocate::Division::parse)
            .transpose()
            .map_err(Error::Usage)?;
        recorded_minimum = settings
            .min_payment
            .as_deref()
            .and_then(crate::domain::money::parse_fen);
        if plan_args.input.as_of.is_none() && settings.as_of_source.as_deref() == Some("given") {
            plan_args.input.as_of = settings.as_of.as_deref().and_then(Date::parse);
        }
        plan_args.stages.stages = plan_args.stages.stages.or(Some(settings.stages));
        plan_args.stages.stage_months = plan_args
            .stages
            .stage_months
            .or(Some(settings.stage_months));
        plan_args.stages.deadline = plan_args
            .stages
            .deadline
            .or(settings.deadline.as_deref().and_then(Date::parse));
    }
    let staging = Staging::create(
        &plan_args.out,
        &inputs_of(&plan_args.input, None),
        plan_args.force,
    )?;
    let (mut config, validated) = load(&plan_args.input, false, log)?;
    if let (Some((_, text)), None) = (&recorded, &plan_args.input.config) {
        config = Config::from_toml(text)
            .map_err(|e| Error::Config(format!("the config recorded in --from: {e}")))?;
    }
    plan_args.stages.apply(&mut config)?;
    rules::check_plan_dates(&config, validated.report.as_of)?;
    let rule = crate::payout::allocate::Rule {
        division: small_first
            .map(crate::payout::allocate::Division::SmallFirst)
            .or(rule)
            .or(recorded_rule)
            .unwrap_or(config.payout_rule),
        min_payment: min_payment.or(recorded_minimum),
    };
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    let plan = rules::make_plan(&analysis, &config, validated.report.as_of)?;
    let payouts = rounds::payouts(
        &validated.data,
        &analysis.claims,
        None,
        rule,
        false,
        &|id: &str| id.to_string(),
        log,
    )?;
    output::documents::summary::write_summary_and_report(
        &staging, &validated, &analysis, &plan, &payouts,
    )?;
    staging.write(
        "plan.md",
        output::documents::plan_doc::plan_markdown(&analysis, &plan).as_bytes(),
    )?;
    if let Some(chromium) = &chromium {
        log.step("打印 print report.pdf");
        let bytes = output::documents::pdf::print(
            chromium,
            &staging.path("report.html"),
            output::documents::report::TITLE,
        )?;
        staging.write("report.pdf", &bytes)?;
    }
    let mut record = record("report", &plan_args.input, &config, &validated)?;
    record_rule(&mut record, &rule);
    if let (Some((_, text)), None) = (&recorded, &plan_args.input.config) {
        record.config_text = Some(text.clone());
    }
    output::finish(staging, record)?;
    log.info(&format!("wrote {}", plan_args.out.display()));
    Ok(())
}

/// The settings and config text an earlier run recorded in its manifest.
fn read_recorded(dir: &Path) -> Result<(Settings, String)> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::bad_file(&path, format!("cannot read: {e}")))?;
    let manifest: output::folder::records::Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::bad_file(&path, format!("not a manifest of this version: {e}")))?;
    let settings = manifest.settings.ok_or_else(|| {
        Error::bad_file(&path, "no settings recorded (not a run of this version)")
    })?;
    let config = manifest
        .config
        .ok_or_else(|| Error::bad_file(&path, "no config recorded"))?;
    Ok((settings, config))
}

pub fn compare(args: CompareArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (config, validated) = load(&args.input, false, log)?;
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    log.step("比较 compare rules");
    let (summaries, awards) =
        crate::payout::compare::compare(&validated.data, &analysis.claims, &args.rules)?;
    let names = LenderNames::new(&validated.data, None);
    output::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    output::tables::division::write_compare(
        &staging,
        &validated.data,
        &summaries,
        &awards,
        &names,
    )?;
    let rule_names: Vec<String> = args.rules.iter().map(|r| r.name()).collect();
    staging.write(
        "compare.html",
        output::tables::division::compare_html(&rule_names, &awards)?.as_bytes(),
    )?;
    let mut record = record("compare", &args.input, &config, &validated)?;
    if let Some(s) = record.settings.as_mut() {
        s.payout_rule = Some(rule_names.join(","));
    }
    output::finish(staging, record)?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

/// A fraction option of `vote`, exactly.
fn fraction(flag: &str, text: &str) -> Result<crate::payout::vote::Frac> {
    crate::payout::vote::Frac::parse(text)
        .ok_or_else(|| Error::Usage(format!("{flag}: {text:?} is not a non-negative decimal")))
}

pub fn vote(args: VoteArgs, log: &Log) -> Result<()> {
    use crate::payout::vote::{self, Alternative, Frac};
    let hundred = Frac::new(100, 1);
    let schedule = args
        .schedule
        .iter()
        .map(|p| {
            let f = fraction("--schedule", p)?;
            Ok(Frac::new(f.num, f.den * hundred.num))
        })
        .collect::<Result<Vec<Frac>>>()?;
    if !schedule.is_empty() {
        let total = schedule.iter().fold(Frac::new(0, 1), |a, s| {
            Frac::new(a.num * s.den + s.num * a.den, a.den * s.den)
        });
        if total.compare(Frac::ONE) != std::cmp::Ordering::Equal {
            return Err(Error::Usage(
                "--schedule: the percentages must add up to 100".into(),
            ));
        }
    }
    let mut turnout = [Frac::ONE; 6];
    if !args.turnout.is_empty() {
        if args.turnout.len() != 6 {
            return Err(Error::Usage(
                "--turnout: six shares, one per claim-size band".into(),
            ));
        }
        for (t, text) in turnout.iter_mut().zip(&args.turnout) {
            *t = fraction("--turnout", text)?;
            if t.compare(Frac::ONE) == std::cmp::Ordering::Greater {
                return Err(Error::Usage("--turnout: shares are at most 1".into()));
            }
        }
    }
    let probability = fraction("--delivery-probability", &args.delivery_probability)?;
    if probability.compare(Frac::ONE) == std::cmp::Ordering::Greater {
        return Err(Error::Usage("--delivery-probability: at most 1".into()));
    }
    let scheme = vote::Scheme {
        rule: args.scheme,
        schedule,
        discount: fraction("--discount", &args.discount)?,
        delivery_probability: probability,
        alternative: match args.alternative.trim() {
            "liquidation" => Alternative::Liquidation,
            other => Alternative::Ratio(fraction("--alternative", other)?),
        },
        budget_ratio: args
            .budget_ratio
            .as_deref()
            .map(|b| fraction("--budget-ratio", b))
            .transpose()?,
        turnout,
        ties_vote_yes: !args.ties_vote_no,
    };
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (config, validated) = load(&args.input, false, log)?;
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    log.step("表决 vote");
    let data = &validated.data;
    // A platform where nobody can vote is listed with the reason, never left out silently.
    let mut skipped: Vec<(u32, &'static str)> = Vec::new();
    let outcomes: Vec<(u32, vote::Outcome)> = analysis
        .platforms
        .iter()
        .filter_map(|p| {
            let code = p.metrics.code;
            let voters: Vec<vote::Voter> = data.positions.ranges[code as usize]
                .clone()
                .filter(|&i| {
                    analysis.claims.claim[i] > 0
                        && analysis.claims.status[i] != crate::rules::exposure::Status::Excluded
                })
                .map(|i| {
                    let s = data.positions.sums[i];
                    let lender = data.positions.lender[i];
                    vote::Voter {
                        code: lender,
                        key: data.lenders.rank[lender as usize],
                        claim: analysis.claims.claim[i],
                        invested: s.invested,
                        withdrawn: s.principal_returned.saturating_add(s.returns_received),
                    }
                })
                .collect();
            if voters.is_empty() {
                skipped.push((
                    code,
                    if p.metrics.lenders_total == 0 {
                        "无出借人 no lenders"
                    } else if p.exposure.claim_lenders == 0 {
                        "债权均为零 every claim is zero"
                    } else {
                        "出借人均被排除 every lender with a claim is excluded"
                    },
                ));
                return None;
            }
            let expected = Frac::new(
                i128::from(p.metrics.expected_recovery),
                i128::from(p.exposure.total_claim.max(1)),
            );
            Some(vote::vote(&voters, &scheme, expected).map(|o| (code, o)))
        })
        .collect::<Result<_>>()?;
    let votes: Vec<output::tables::division::PlatformVote> = outcomes
        .iter()
        .map(
            |(platform, outcome)| output::tables::division::PlatformVote {
                platform: *platform,
                outcome,
            },
        )
        .collect();
    let names = LenderNames::new(data, None);
    output::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    output::tables::division::write_vote(
        &staging,
        data,
        &args.scheme.name(),
        &votes,
        &skipped,
        &names,
    )?;
    let mut record = record("vote", &args.input, &config, &validated)?;
    if let Some(s) = record.settings.as_mut() {
        s.payout_rule = Some(args.scheme.name());
    }
    output::finish(staging, record)?;
    let passed = votes
        .iter()
        .filter(|v| v.outcome.verdicts[0].passed)
        .count();
    log.info(&format!(
        "表决 vote: 方案 scheme {} 在 {passed} / {} 个平台按深圳规则通过 passes the Shenzhen rule on {passed} of {} platforms",
        args.scheme.name(),
        votes.len(),
        votes.len()
    ));
    if !skipped.is_empty() {
        let shown: Vec<String> = skipped
            .iter()
            .take(10)
            .map(|(c, why)| format!("{} ({why})", data.platforms.ids[*c as usize]))
            .collect();
        log.info(&format!(
            "未表决 not voted: {} 个平台无人可表决 platform{} where nobody can vote: {}{} (listed in vote.md)",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            shown.join(", "),
            if skipped.len() > shown.len() { ", …" } else { "" }
        ));
    }
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

pub fn completions(args: CompletionsArgs) -> Result<()> {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "winddown", &mut script);
    super::to_stdout(&script)
}

pub fn man() -> Result<()> {
    use clap::CommandFactory;
    let cmd = crate::cli::Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| Error::io("stdout", e))?;
    super::to_stdout(&page)
}

pub fn run(args: RunArgs, log: &Log) -> Result<()> {
    let pseudonyms = args
        .pseudonymize
        .then(Pseudonymizer::from_env)
        .transpose()?;
    let (staging, mut transfers) =
        payout_outputs(&args.input, &args.payout, &args.out, args.force)?;
    let (mut config, mut validated) = load(&args.input, transfers.any(), log)?;
    args.stages.apply(&mut config)?;
    rules::check_plan_dates(&config, validated.report.as_of)?;
    check_payout_shape(&args.payout, &transfers, &validated.data)?;
    let ledger = read_ledger(&args.payout, &mut validated, log)?;
    log.step("分类与敞口 classify + exposure");
    let analysis = rules::analyse(&validated.data, &config, validated.report.as_of)?;
    log.step("计划 plan");
    let plan = rules::make_plan(&analysis, &config, validated.report.as_of)?;
    // Everything that can refuse the command (the ledger against the claims, the register)
    // is checked before the summaries are printed.
    let payouts = compute_payouts(
        &args.payout,
        ledger.as_ref(),
        &config,
        &validated,
        &analysis,
        &mut transfers,
        pseudonyms.as_ref(),
        log,
    )?;
    console::print_class_summary(&analysis.platforms, log);
    console::print_exposure_summary(&analysis, log);
    console::print_plan_summary(&plan, log);
    console::print_payout_summary(&payouts, log);
    for note in &transfers.notes {
        log.info(note);
    }
    log.step("导出 exports");
    let names = LenderNames::new(&validated.data, pseudonyms.as_ref());
    // The claims file, the largest, is written on one core while the rest are on the other.
    let (claims, rest) = rayon::join(
        || exports::claims(&staging, &validated.data, &analysis, &names),
        || -> Result<()> {
            output::write_validation(
                &staging,
                &validated,
                Some(&analysis.reconciliation),
                pseudonyms.as_ref(),
            )?;
            exports::platforms(&staging, &analysis)?;
            exports::lenders(&staging, &validated.data, &analysis, &names)?;
            exports::districts(&staging, &analysis)?;
            write_plan(&staging, &analysis, &plan)?;
            exports::payouts(&staging, &validated.data, &payouts, &names)?;
            write_notices(
                &staging,
                &analysis,
                &payouts,
                &args.payout,
                &config,
                &validated,
            )?;
            output::documents::summary::write_summary_and_report(
                &staging, &validated, &analysis, &plan, &payouts,
            )
        },
    );
    claims.and(rest)?;
    if args.csv {
        output::tables::csv_copy::csv_copies(&staging)?;
    }
    if args.xlsx {
        let book = output::documents::workbook::workbook(
            &analysis,
            &plan,
            &payouts,
            &validated.rejects,
            pseudonyms.as_ref(),
            validated.report.as_of,
        )?;
        staging.write("winddown.xlsx", &book)?;
    }
    log.step("清单 manifest");
    let mut record = with_payout(
        record("run", &args.input, &config, &validated)?,
        &args.payout,
        &config,
    );
    if let Some(s) = record.settings.as_mut() {
        s.pseudonymize = args.pseudonymize;
        s.csv = args.csv;
        s.xlsx = args.xlsx;
    }
    output::finish_with_batches(staging, record, transfers.issue())?;
    announce_payment(&args.payout, log);
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

fn announce_payment(opts: &PayoutOptions, log: &Log) {
    if let Some(path) = &opts.payment_file {
        log.info(&format!(
            "wrote the payment file {} (mode 0600: it holds names and id numbers)",
            path.display()
        ));
    }
    if let Some(path) = &opts.payments {
        log.info(&format!(
            "wrote the bank batches in {} (mode 0600: they hold names and accounts)",
            path.display()
        ));
    }
}

pub fn generate(args: GenerateArgs, log: &Log) -> Result<()> {
    let mut spec = generate::Spec::preset(args.scale.into(), args.seed);
    if let Some(p) = args.platforms {
        if p == 0 {
            return Err(Error::Usage("--platforms must be at least 1".into()));
        }
        spec.platforms = p;
    }
    if let Some(l) = args.lenders {
        if l == 0 {
            return Err(Error::Usage("--lenders must be at least 1".into()));
        }
        spec.lenders = l;
    }
    let staging = Staging::create(&args.out, &Inputs::new(), args.force)?;
    let counts = generate::generate(&spec, args.format.into(), &staging, log)?;
    let record = output::Record {
        command: "generate",
        ..output::Record::default()
    };
    output::finish(staging, record)?;
    log.info(&format!(
        "wrote {}: {} platforms, {} lenders, {} investments, {} loans, {} recoveries",
        args.out.display(),
        counts.platforms,
        counts.lenders,
        counts.investments,
        counts.loans,
        counts.recoveries
    ));
    Ok(())
}
