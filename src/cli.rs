//! The command line (DESIGN §8): clap definitions and one function per command. Commands
//! read their inputs, call the library's stages, and write into an atomic output folder.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::config::Config;
use crate::date::Date;
use crate::error::{Error, Result};
use crate::generate::{self, Format, Scale};
use crate::load::{Encoding, ReadOptions};
use crate::output::{self, Inputs, PaymentFile, Staging};
use crate::pipeline;
use crate::validate::{self, Validated};

/// winddown: classify, plan and pay out the wind-down of P2P lending platforms.
#[derive(Debug, Parser)]
#[command(name = "winddown", version, about, propagate_version = true)]
pub struct Cli {
    /// Less output: errors only.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More output.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read and check every input table; write rejects.csv and validation.json.
    Validate(ValidateArgs),
    /// Classify every platform into the five classes (DESIGN §3); write platforms.parquet.
    Classify(ClassifyArgs),
    /// Lender claims and exposure (DESIGN §4): claims, lenders, districts and platforms.parquet.
    Exposure(ClassifyArgs),
    /// The staged exit plan (一企一策) and its 三降 projection (DESIGN §5).
    Plan(PlanArgs),
    /// The quarterly bulletin between two runs: by class and district, changes, against the plan.
    Progress(ProgressArgs),
    /// Asset-disposal payout rounds (DESIGN §6): payouts.parquet and payout_rounds.parquet.
    Payout(PayoutArgs),
    /// Everything: validate, classify, exposure, plan, payout rounds, exports, report, manifest.
    Run(RunArgs),
    /// Only the report: report.html, summary.json and plan.md (the pipeline runs in full).
    Report(PlanArgs),
    /// Print the rules config (thresholds, rates) with a comment per key.
    Rules(RulesArgs),
    /// Write seeded synthetic input tables at city, province or national scale.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output folder (replaced atomically): platforms.parquet, validation.json, rejects.csv.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

/// Options of the payout rule and its outputs.
#[derive(Debug, Args)]
pub struct PayoutOptions {
    /// Small first: the first T yuan of every claim are paid before anything else.
    #[arg(long, value_name = "T", value_parser = parse_yuan)]
    pub small_first: Option<i64>,
    /// Amounts below X yuan owed to an eligible lender are carried to a later round.
    #[arg(long, value_name = "X", value_parser = parse_yuan)]
    pub min_payment: Option<i64>,
    /// Also write the bank-transfer CSV of the rounds computed now (the only output with names
    /// and id numbers), mode 0600; committed together with the output folder.
    #[arg(long, value_name = "F")]
    pub payment_file: Option<PathBuf>,
    /// An earlier run's payouts.parquet (or its folder): its rounds are paid already and kept;
    /// only rounds above its highest round per platform are computed.
    #[arg(long, value_name = "PREV_OUT/payouts.parquet")]
    pub ledger: Option<PathBuf>,
    /// With --payment-file and no --ledger: pay every round in the recoveries, none of which
    /// has been paid before (without it, several rounds of one platform are refused).
    #[arg(long)]
    pub pay_all_rounds: bool,
}

#[derive(Debug, Args)]
pub struct PayoutArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub payout: PayoutOptions,
    /// Output folder (replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Also write a CSV copy (UTF-8 with BOM, for Excel) of every Parquet export.
    #[arg(long)]
    pub csv: bool,
    /// Replace lender_id in the exports by a keyed hash (key in WINDDOWN_PSEUDONYM_KEY).
    #[arg(long)]
    pub pseudonymize: bool,
    #[command(flatten)]
    pub stages: StageOptions,
    #[command(flatten)]
    pub payout: PayoutOptions,
    /// Output folder (replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ProgressArgs {
    /// The earlier run's output folder.
    pub old: PathBuf,
    /// The later run's output folder.
    pub new: PathBuf,
    /// Also write progress.md and progress.json into this folder (replaced atomically).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub stages: StageOptions,
    /// Output folder (replaced atomically): plan.parquet, plan_stages.parquet, plan.md, ….
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

/// Stage settings that override the config's [plan].
#[derive(Debug, Args)]
pub struct StageOptions {
    /// Number of planned stages.
    #[arg(long)]
    pub stages: Option<u32>,
    /// Months per stage (default 3: quarters).
    #[arg(long)]
    pub stage_months: Option<u32>,
}

impl StageOptions {
    fn apply(&self, config: &mut Config) -> Result<()> {
        if let Some(n) = self.stages {
            if n == 0 {
                return Err(Error::Usage("--stages must be at least 1".into()));
            }
            config.plan.stages = n;
        }
        if let Some(m) = self.stage_months {
            if m == 0 {
                return Err(Error::Usage("--stage-months must be at least 1".into()));
            }
            config.plan.stage_months = m;
        }
        Ok(())
    }
}

impl PayoutOptions {
    pub fn rule(&self) -> crate::payout::Rule {
        crate::payout::Rule {
            small_first: self.small_first,
            min_payment: self.min_payment,
        }
    }
}

/// A positive yuan amount, exactly, as fen.
fn parse_yuan(s: &str) -> std::result::Result<i64, String> {
    match crate::money::parse_fen(s.trim()) {
        Some(f) if f > 0 => Ok(f),
        _ => Err(format!(
            "{s:?} is not a positive yuan amount with at most 2 decimals"
        )),
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print the default config, commented in Chinese and English.
    #[arg(long)]
    pub print_defaults: bool,
}

/// Options shared by every command that reads an input folder.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Folder holding platforms, lenders, investments, loans [and recoveries] as .csv or .parquet.
    pub data: PathBuf,
    /// TOML config (see `winddown rules --print-defaults`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Snapshot date (YYYY-MM-DD); rows dated after it are rejected. Default: the latest date.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// CSV text encoding.
    #[arg(long, value_enum, default_value_t = Encoding::Auto)]
    pub encoding: Encoding,
    /// Stop with exit code 2 if any row is rejected.
    #[arg(long)]
    pub strict: bool,
    /// Accept float money in Parquet, rounding each value half-even to the fen.
    #[arg(long)]
    pub accept_float_money: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write rejects.csv and validation.json into this folder (replaced atomically).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Folder to write the tables into (replaced atomically).
    #[arg(long)]
    pub out: PathBuf,
    /// Seed: the same seed and options give byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Size preset: city ≈ 50 platforms / 30k lenders, province ≈ 1k / 5M, national = 5k / 50M.
    #[arg(long, value_enum, default_value_t = Scale::City)]
    pub scale: Scale,
    /// Override the preset's number of platforms.
    #[arg(long)]
    pub platforms: Option<u32>,
    /// Override the preset's number of lenders.
    #[arg(long)]
    pub lenders: Option<u64>,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

fn parse_date(s: &str) -> std::result::Result<Date, String> {
    Date::parse(s.trim()).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let log = Log {
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Validate(args) => validate_cmd(args, &log),
        Command::Classify(args) => classify_cmd(args, &log),
        Command::Exposure(args) => exposure_cmd(args, &log),
        Command::Rules(args) => rules_cmd(args),
        Command::Payout(args) => payout_cmd(args, &log),
        Command::Plan(args) => plan_cmd(args, &log),
        Command::Progress(args) => progress_cmd(args, &log),
        Command::Run(args) => run_cmd(args, &log),
        Command::Report(args) => report_cmd(args, &log),
        Command::Generate(args) => generate_cmd(args, &log),
    }
}

/// Console output: summaries go to stderr so stdout stays clean for pipes.
pub struct Log {
    pub quiet: bool,
    pub verbose: u8,
}

impl Log {
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
}

/// Stage-by-stage progress on a terminal: `[2/6] classify … (1.3 s)`, the time since the
/// start. Silent when stderr is not a terminal (logs, CI) or under `-q`.
pub struct Progress {
    on: bool,
    total: usize,
    done: usize,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(log: &Log, total: usize) -> Progress {
        use std::io::IsTerminal;
        Progress {
            on: !log.quiet && std::io::stderr().is_terminal(),
            total,
            done: 0,
            started: std::time::Instant::now(),
        }
    }

    pub fn stage(&mut self, name: &str) {
        self.done += 1;
        if self.on {
            eprintln!(
                "[{}/{}] {name} … ({:.1} s)",
                self.done,
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    pub fn finish(self) {
        if self.on {
            eprintln!(
                "[{0}/{0}] done ({1:.1} s)",
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

/// Validate the input folder, print the counts, and enforce `--strict`.
pub fn load_input(input: &InputArgs, log: &Log) -> Result<(Config, Validated)> {
    let config = Config::load(input.config.as_deref())?;
    let options = validate::Options {
        read: ReadOptions {
            encoding: input.encoding,
            accept_float_money: input.accept_float_money,
        },
        as_of: input.as_of,
    };
    let validated = validate::validate(&input.data, &config, &options)?;
    print_validation(&validated, log);
    let rejected = validated.report.total_rejected();
    if input.strict && rejected > 0 {
        return Err(Error::Strict(format!(
            "--strict: {rejected} row{} rejected (see the counts above)",
            if rejected == 1 { "" } else { "s" }
        )));
    }
    Ok((config, validated))
}

fn print_validation(v: &Validated, log: &Log) {
    let r = &v.report;
    for (table, t) in &r.tables {
        let reasons: Vec<String> = t.reasons.iter().map(|(k, n)| format!("{k} {n}")).collect();
        log.info(&format!(
            "{:<12} {:<20} read {:>10}  accepted {:>10}  rejected {:>8}{}",
            table.name(),
            t.file,
            t.read,
            t.accepted,
            t.rejected,
            if reasons.is_empty() {
                String::new()
            } else {
                format!("  ({})", reasons.join(", "))
            }
        ));
        if !t.unknown_columns.is_empty() {
            log.info(&format!(
                "{:<12} ignored unknown column{}: {}",
                table.name(),
                if t.unknown_columns.len() == 1 {
                    ""
                } else {
                    "s"
                },
                t.unknown_columns.join(", ")
            ));
        }
        if t.float_money_rounded > 0 {
            log.info(&format!(
                "{:<12} {} float money value(s) rounded to the fen",
                table.name(),
                t.float_money_rounded
            ));
        }
    }
    if let Some(n) = r.warnings.get("invalid_id_number").filter(|n| **n > 0) {
        log.info(&format!(
            "warning: {n} lender(s) with an invalid id_number check digit (kept)"
        ));
    }
    match r.as_of {
        Some(d) => log.info(&format!("as-of {d}")),
        None => log.info("as-of: none (no dated rows)"),
    }
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

/// The manifest's record of a command that read DATA.
fn record<'a>(
    command: &'a str,
    input: &InputArgs,
    as_of: Option<Date>,
) -> Result<output::Record<'a>> {
    let config_text = match &input.config {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?,
        None => crate::config::DEFAULTS_TOML.to_string(),
    };
    let inputs = crate::load::find_tables(&input.data)?
        .into_values()
        .map(|f| (f.table.name().to_string(), f.path))
        .collect();
    Ok(output::Record {
        command,
        config_text: Some(config_text),
        as_of,
        inputs,
    })
}

fn validate_cmd(args: ValidateArgs, log: &Log) -> Result<()> {
    let staging = args
        .out
        .as_deref()
        .map(|out| Staging::create(out, &inputs_of(&args.input, None), args.force))
        .transpose()?;
    let (_, validated) = load_input(&args.input, log)?;
    if let Some(staging) = staging {
        let out = staging.target().to_path_buf();
        pipeline::write_validation(&staging, &validated, None, None)?;
        let record = record("validate", &args.input, validated.report.as_of)?;
        output::finish(staging, record, None)?;
        log.info(&format!("wrote {}", out.display()));
    }
    Ok(())
}

fn rules_cmd(args: RulesArgs) -> Result<()> {
    if !args.print_defaults {
        return Err(Error::Usage(
            "rules: nothing to do (try --print-defaults)".into(),
        ));
    }
    print!("{}", crate::config::DEFAULTS_TOML);
    Ok(())
}

fn classify_cmd(args: ClassifyArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (config, validated) = load_input(&args.input, log)?;
    let analysis = pipeline::analyse(&validated, &config)?;
    pipeline::print_class_summary(&analysis.platforms, log);
    pipeline::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    pipeline::write_platforms(&staging, &analysis)?;
    output::finish(
        staging,
        record("classify", &args.input, validated.report.as_of)?,
        None,
    )?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

fn exposure_cmd(args: ClassifyArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (config, validated) = load_input(&args.input, log)?;
    let analysis = pipeline::analyse(&validated, &config)?;
    pipeline::print_class_summary(&analysis.platforms, log);
    pipeline::print_exposure_summary(&analysis, log)?;
    pipeline::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    pipeline::write_platforms(&staging, &analysis)?;
    pipeline::write_exposure(&staging, &analysis, None)?;
    output::finish(
        staging,
        record("exposure", &args.input, validated.report.as_of)?,
        None,
    )?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

/// The output folder and the payment file of a payout, checked and opened before any work.
fn payout_outputs(
    input: &InputArgs,
    opts: &PayoutOptions,
    out: &Path,
    force: bool,
) -> Result<(Staging, Option<PaymentFile>)> {
    let inputs = inputs_of(input, opts.ledger.as_deref());
    let staging = Staging::create(out, &inputs, force)?;
    let payment = opts
        .payment_file
        .as_deref()
        .map(|p| PaymentFile::create(p, out, &inputs, force))
        .transpose()?;
    Ok((staging, payment))
}

/// The payout rounds of a command, on the ledger if one was given, with the payment file's
/// rows written (not yet placed) if one was asked for.
fn compute_payouts(
    opts: &PayoutOptions,
    analysis: &pipeline::Analysis,
    validated: &Validated,
    payment: Option<&mut PaymentFile>,
    pseudonyms: Option<&crate::manifest::Pseudonymizer>,
    log: &Log,
) -> Result<pipeline::Payouts> {
    let ledger = opts
        .ledger
        .as_deref()
        .map(crate::ledger::read)
        .transpose()?;
    let payouts = pipeline::payouts(
        analysis,
        &validated.data.recoveries,
        ledger.as_ref(),
        opts.rule(),
        pseudonyms,
    )?;
    print_payout_summary(&payouts, log);
    if let Some(file) = payment {
        if ledger.is_none() && !opts.pay_all_rounds {
            if let Some((platform, rounds)) = payouts.several_rounds() {
                return Err(Error::Usage(format!(
                    "--payment-file: platform {platform} has rounds {rounds} in the recoveries and no \
                     --ledger says which of them were paid already; pass --ledger PREV_OUT/payouts.parquet \
                     (the rounds paid before), or --pay-all-rounds if none of them has been paid"
                )));
            }
        }
        pipeline::write_payment_rows(file, &payouts, &validated.data.lender_personal)?;
    }
    Ok(payouts)
}

fn payout_cmd(args: PayoutArgs, log: &Log) -> Result<()> {
    let (staging, mut payment) = payout_outputs(&args.input, &args.payout, &args.out, args.force)?;
    let (config, validated) = load_input(&args.input, log)?;
    let analysis = pipeline::analyse(&validated, &config)?;
    let payouts = compute_payouts(
        &args.payout,
        &analysis,
        &validated,
        payment.as_mut(),
        None,
        log,
    )?;
    pipeline::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    pipeline::write_payouts(&staging, &payouts, None)?;
    output::finish(
        staging,
        record("payout", &args.input, validated.report.as_of)?,
        payment.as_mut(),
    )?;
    announce_payment(&args.payout, log);
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

fn plan_cmd(args: PlanArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (mut config, validated) = load_input(&args.input, log)?;
    args.stages.apply(&mut config)?;
    let analysis = pipeline::analyse(&validated, &config)?;
    pipeline::print_class_summary(&analysis.platforms, log);
    let plan = pipeline::make_plan(&analysis, &config, validated.report.as_of)?;
    pipeline::print_plan_summary(&plan, log);
    pipeline::write_validation(&staging, &validated, Some(&analysis.reconciliation), None)?;
    pipeline::write_platforms(&staging, &analysis)?;
    pipeline::write_plan(&staging, &analysis, &plan)?;
    output::finish(
        staging,
        record("plan", &args.input, validated.report.as_of)?,
        None,
    )?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

fn progress_cmd(args: ProgressArgs, log: &Log) -> Result<()> {
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
    let old = crate::progress::read_snapshot(&args.old)?;
    let new = crate::progress::read_snapshot(&args.new)?;
    let b = crate::progress::bulletin(&old, &new);
    let md = crate::progress::markdown(&b);
    print!("{md}");
    if let Some(staging) = staging {
        let out = staging.target().to_path_buf();
        staging.write("progress.md", md.as_bytes())?;
        staging.write(
            "progress.json",
            &output::json_bytes(&crate::progress::json(&b))?,
        )?;
        let record = output::Record {
            command: "progress",
            as_of: Some(new.as_of),
            ..output::Record::default()
        };
        output::finish(staging, record, None)?;
        log.info(&format!("wrote {}", out.display()));
    }
    Ok(())
}

fn report_cmd(args: PlanArgs, log: &Log) -> Result<()> {
    let staging = Staging::create(&args.out, &inputs_of(&args.input, None), args.force)?;
    let (mut config, validated) = load_input(&args.input, log)?;
    args.stages.apply(&mut config)?;
    let analysis = pipeline::analyse(&validated, &config)?;
    let plan = pipeline::make_plan(&analysis, &config, validated.report.as_of)?;
    let payouts = pipeline::payouts(
        &analysis,
        &validated.data.recoveries,
        None,
        crate::payout::Rule::default(),
        None,
    )?;
    pipeline::write_summary_and_report(&staging, &validated, &analysis, &plan, &payouts)?;
    staging.write(
        "plan.md",
        pipeline::plan_markdown(&analysis, &plan).as_bytes(),
    )?;
    output::finish(
        staging,
        record("report", &args.input, validated.report.as_of)?,
        None,
    )?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

fn run_cmd(args: RunArgs, log: &Log) -> Result<()> {
    let pseudonyms = args
        .pseudonymize
        .then(crate::manifest::Pseudonymizer::from_env)
        .transpose()?;
    let (staging, mut payment) = payout_outputs(&args.input, &args.payout, &args.out, args.force)?;
    let mut progress = Progress::new(log, 6);
    progress.stage("校验 validate");
    let (mut config, validated) = load_input(&args.input, log)?;
    args.stages.apply(&mut config)?;
    progress.stage("分类与敞口 classify + exposure");
    let analysis = pipeline::analyse(&validated, &config)?;
    // What the later stages need of the investments and loans is in the analysis: free the raw
    // tables before the exports (the peak is earlier, in the plans: 7.9 → 7.5 GB at province).
    let mut validated = validated;
    validated.data.investments = polars::prelude::DataFrame::empty();
    validated.data.loans = polars::prelude::DataFrame::empty();
    pipeline::print_class_summary(&analysis.platforms, log);
    pipeline::print_exposure_summary(&analysis, log)?;
    progress.stage("计划 plan");
    let plan = pipeline::make_plan(&analysis, &config, validated.report.as_of)?;
    pipeline::print_plan_summary(&plan, log);
    progress.stage("兑付 payouts");
    let payouts = compute_payouts(
        &args.payout,
        &analysis,
        &validated,
        payment.as_mut(),
        pseudonyms.as_ref(),
        log,
    )?;
    progress.stage("导出 exports");
    pipeline::write_validation(
        &staging,
        &validated,
        Some(&analysis.reconciliation),
        pseudonyms.as_ref(),
    )?;
    pipeline::write_platforms(&staging, &analysis)?;
    pipeline::write_exposure(&staging, &analysis, pseudonyms.as_ref())?;
    pipeline::write_plan(&staging, &analysis, &plan)?;
    pipeline::write_payouts(&staging, &payouts, pseudonyms.as_ref())?;
    pipeline::write_summary_and_report(&staging, &validated, &analysis, &plan, &payouts)?;
    if args.csv {
        crate::export::csv_copies(&staging)?;
    }
    staging.record_rows("rejects.csv", validated.rejects.len() as u64);
    progress.stage("清单 manifest");
    let record = record("run", &args.input, validated.report.as_of)?;
    output::finish(staging, record, payment.as_mut())?;
    progress.finish();
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
}

fn print_payout_summary(p: &pipeline::Payouts, log: &Log) {
    let computed: Vec<&pipeline::RoundRow> = p.rounds.iter().filter(|r| r.computed).collect();
    let sum = |f: fn(&pipeline::RoundRow) -> i64| -> i128 {
        computed.iter().map(|r| i128::from(f(r))).sum()
    };
    let fmt = |fen: i128| format!("{}.{:02}", fen / 100, fen % 100);
    log.info(&format!(
        "payouts: {} round(s) on {} platform(s): pool {}, paid {}, reserved {}, carried {}, surplus {} yuan",
        computed.len(),
        computed.iter().map(|r| &r.platform_id).collect::<std::collections::BTreeSet<_>>().len(),
        fmt(sum(|r| r.pool)),
        fmt(sum(|r| r.paid)),
        fmt(sum(|r| r.reserved)),
        fmt(sum(|r| r.carried)),
        fmt(sum(|r| r.surplus)),
    ));
}

fn generate_cmd(args: GenerateArgs, log: &Log) -> Result<()> {
    let mut spec = generate::Spec::preset(args.scale, args.seed);
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
    let counts = generate::generate(&spec, args.format, &staging)?;
    let record = output::Record {
        command: "generate",
        ..output::Record::default()
    };
    output::finish(staging, record, None)?;
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
