//! The command line as clap reads it: the commands, the option groups they share (where to
//! write, how to read the input, `--format`, `--lang`, `--color`, `--partition-by`) and the
//! value parsers; each family of commands' own arguments in a file beside this one. What a
//! command does is in `cli/cmd/<command>.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::error::{Error, Result};
use crate::generate::{Format, Scale};
use crate::input::Encoding;

mod analyse;
mod case;
mod payout;
mod plan;
mod tools;
pub use analyse::*;
pub use case::*;
pub use payout::*;
pub use plan::*;
pub use tools::*;

/// Where a command writes its folder.
#[derive(Debug, Args)]
pub struct OutArgs {
    /// Output folder, replaced atomically; a folder that winddown did not write is refused
    /// (see --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
}

/// `--partition-by`: how the large exports are laid out.
#[derive(Debug, Args)]
pub struct PartitionArgs {
    /// Write claims, lenders and payouts as hive-partitioned Parquet folders
    /// (`claims/district=华容区/part-00000.parquet`) that DuckDB, Spark, Trino and polars read as
    /// one table: claims and payouts by the platform's district (属地), lenders by their own.
    #[arg(long, value_enum, value_name = "KEY")]
    pub partition_by: Option<PartitionKey>,
}

/// A `--partition-by` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PartitionKey {
    /// 属地: the platform's district (the lender's for lenders).
    District,
}

impl PartitionArgs {
    pub fn layout(&self) -> Option<crate::output::folder::staging::PartitionBy> {
        self.partition_by.map(|k| match k {
            PartitionKey::District => crate::output::folder::staging::PartitionBy::District,
        })
    }
}

/// `--format`: how a command's results reach stdout.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// How to show the results: `table` on the terminal (stderr), or the data on stdout as
    /// `json` (one document, docs/schema/console.schema.json) or `csv` (the console's table);
    /// messages stay on stderr.
    #[arg(long, value_enum, default_value_t = ShowFormat::Table, value_name = "FORMAT")]
    pub format: ShowFormat,
}

/// `--format` of the commands that summarise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ShowFormat {
    /// Tables for a person, on stderr.
    #[default]
    Table,
    /// One JSON document on stdout.
    Json,
    /// The console's table as CSV on stdout (UTF-8, formula-like text neutralised).
    Csv,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    Always,
    Never,
}

/// `--lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LangArg {
    /// 中文 only.
    Zh,
    /// English only.
    En,
    /// 中文 first, English beside it.
    #[default]
    Both,
}

/// `--encoding`: how CSV bytes are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EncodingArg {
    /// UTF-8 (BOM or not) when the start of the file is valid UTF-8, else GBK (GB18030).
    #[default]
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GBK, read as GB18030 (a superset of GBK and GB2312), the default of Chinese Excel.
    #[value(name = "gbk", alias = "gb18030", alias = "gb2312")]
    Gbk,
}

impl From<EncodingArg> for Encoding {
    fn from(e: EncodingArg) -> Encoding {
        match e {
            EncodingArg::Auto => Encoding::Auto,
            EncodingArg::Utf8 => Encoding::Utf8,
            EncodingArg::Gbk => Encoding::Gb18030,
        }
    }
}

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
    /// Colour on the terminal: class colours, rejects and warnings highlighted. `auto` colours
    /// a terminal unless the NO_COLOR environment variable is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
    /// The language of the console and the documents (report, plan.md, progress.md, vote.md,
    /// compare.html): zh, en, or both (中文 first). Notices stay Chinese.
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Both)]
    pub lang: LangArg,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read and check every input table; write rejects.csv and validation.json.
    #[command(after_help = "Examples:
  winddown validate data-samples/city
  winddown validate data-samples/gbk --config data-samples/gbk/columns.toml --out checked
  winddown validate data --as-of 2019-06-30 --strict")]
    Validate(ValidateArgs),
    /// Classify every platform into the five classes; write platforms.parquet.
    #[command(after_help = "Examples:
  winddown classify data-samples/city --out out/classes
  winddown rules --print-defaults > rules.toml   # then edit thresholds
  winddown classify data --config rules.toml --as-of 2019-06-30 --out out/classes")]
    Classify(ClassifyArgs),
    /// Lender claims and exposure: claims, lenders, districts and platforms.parquet.
    #[command(after_help = "Examples:
  winddown exposure data-samples/city --out out/exposure")]
    Exposure(ExposureArgs),
    /// The staged exit plan (一企一策) and its 三降 projection.
    #[command(after_help = "Examples:
  winddown plan data-samples/city --out out/plan
  winddown plan data --stages 6 --stage-months 2 --out out/plan
  winddown plan data --deadline 2020-12-31 --out out/plan")]
    Plan(PlanArgs),
    /// The quarterly bulletin between two runs: by class and district, changes, against the plan.
    #[command(after_help = "Examples:
  winddown progress out/2019q2 out/2019q3
  winddown progress out/2019q2 out/2019q3 --out out/bulletin-2019q3")]
    Progress(ProgressArgs),
    /// One lender's statement for the help desk: the claim on every platform and how it was
    /// computed, each round's payment, what is still owed (from a run's output folder).
    #[command(after_help = "Examples:
  winddown statement out/city --lender L00746
  winddown statement out/city --all --data data-samples/city --out out/statements")]
    Statement(StatementArgs),
    /// Payout rounds: payouts.parquet and payout_rounds.parquet, and the bank's payment file.
    #[command(after_help = "Examples (one round a quarter; see docs/payouts.md):
  winddown run data --payment-file pay-1.csv --out round-1
  winddown payout data --ledger round-1 --payment-file pay-2.csv --out round-2
  winddown payout data --ledger round-2 --small-first 10000 --min-payment 10 --payment-file pay-3.csv --out round-3")]
    Payout(PayoutArgs),
    /// Everything: validate, classify, exposure, plan, payout rounds, exports, report, manifest.
    #[command(after_help = "Examples:
  winddown run data-samples/city --out out/city
  winddown run data --csv --pseudonymize --out out/for-analysts   # key in WINDDOWN_PSEUDONYM_KEY
  winddown run data --as-of 2019-06-30 --payment-file pay-1.csv --out round-1")]
    Run(RunArgs),
    /// Only the report: report.html, summary.json and plan.md (the pipeline runs in full).
    #[command(after_help = "Examples:
  winddown report data-samples/city --out out/report
  winddown report data --from out/city --out out/report   # with the options that run used")]
    Report(ReportArgs),
    /// Print the rules config (thresholds, rates) with a comment per key.
    #[command(after_help = "Examples:
  winddown rules --print-defaults > rules.toml")]
    Rules(RulesArgs),
    /// Write seeded synthetic input tables at city, province or national scale.
    #[command(after_help = "Examples:
  winddown generate --out synthetic
  winddown generate --scale province --format parquet --seed 7 --out province")]
    Generate(GenerateArgs),
    /// Compare division rules on every platform's recoveries (one estate per platform).
    #[command(after_help = "Examples:
  winddown compare data-samples/city --out out/compare
  winddown compare data --rules pro,small-first:10000,cea,rising-tide --out out/compare")]
    Compare(CompareArgs),
    /// Predict the lenders' vote on a benign-exit scheme, by the Shenzhen rule and EBL arts. 64, 84, 97.
    #[command(after_help = "Examples:
  winddown vote data-samples/city --scheme small-first:10000 --out out/vote
  winddown vote data --scheme pro --schedule 15,25,35,15,10 --discount 0.05 \\
      --delivery-probability 0.8 --alternative liquidation --out out/vote")]
    Vote(VoteArgs),
    /// The desk in a browser over a run folder: classes, platforms, plan, payouts, a lender's
    /// statement; every page with a JSON twin. Read-only; loopback only unless --bind.
    #[command(after_help = "Examples:
  winddown run data-samples/city --out out/city && winddown serve out/city
  # then open http://127.0.0.1:8765/ ; a page's JSON twin: add ?format=json
  winddown serve out/city --port 9000")]
    Serve(ServeArgs),
    /// SQL over a run folder's own tables (platforms, claims, lenders, payouts, …): one SELECT,
    /// read-only, no file functions; the answer as an aligned table, CSV (Excel-safe) or JSON.
    #[command(after_help = "Examples:
  winddown query out/city \"SELECT class_zh, count(*) AS platforms, sum(lender_outstanding) FROM platforms GROUP BY class_zh\"
  winddown query out/city \"SELECT * FROM claims WHERE lender_id = 'L0000042'\" --format json
  winddown query out/city \"SELECT district, sum(claims) FROM districts GROUP BY district\" --format csv > d.csv

The SQL engine is winddown-sql, a program of its own found beside winddown (or in $WINDDOWN_SQL,
or on PATH): build it once with `cargo build --locked -p winddown-sql`.")]
    Query(QueryArgs),
    /// Illegal-fundraising cases: each participant's loss across accounts, who is paid and who
    /// must give back, the order of claimants, the clearance round on the ledger, the docket.
    #[command(after_help = "Examples (see docs/cases.md):
  winddown case data-samples/cases --out out/case-r1
  winddown case data --ledger out/case-r1 --payment-file case-pay-2.csv --out out/case-r2
  winddown case progress data --ledger out/case-r2 --old-before 2019-01-01 --year 2019 --out out/docket
  winddown case statement out/case-r2 --person AJ0003-000042")]
    Case(CaseArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = "Examples:
  winddown completions bash > /etc/bash_completion.d/winddown
  winddown completions zsh > ~/.zfunc/_winddown")]
    Completions(CompletionsArgs),
    /// Print the man page (roff): winddown's, or one command's.
    #[command(after_help = "Examples:
  winddown man > winddown.1 && man ./winddown.1
  winddown man payout > winddown-payout.1")]
    Man(ManArgs),
}

fn parse_deadline(text: &str) -> std::result::Result<crate::domain::date::Date, String> {
    crate::domain::date::Date::parse(text.trim())
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

/// A positive yuan amount, exactly, as fen.
fn parse_yuan(s: &str) -> std::result::Result<i64, String> {
    match crate::domain::money::parse_fen(s.trim()) {
        Some(f) if f > 0 => Ok(f),
        _ => Err(format!(
            "{s:?} is not a positive yuan amount with at most 2 decimals"
        )),
    }
}

/// Options shared by every command that reads an input folder.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Folder holding the tables platforms, lenders, investments, loans [, recoveries, returns],
    /// each as .csv, .parquet, .xlsx (or a sheet of a workbook) or a folder of parts.
    pub data: PathBuf,
    /// TOML config (see `winddown rules --print-defaults`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Snapshot date (YYYY-MM-DD); rows dated after it are rejected. Default: the latest date.
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// CSV text encoding.
    #[arg(long, value_enum, default_value_t = EncodingArg::Auto)]
    pub encoding: EncodingArg,
    /// Stop with exit code 2 if any row is rejected.
    #[arg(long)]
    pub strict: bool,
    /// Accept float money in Parquet, rounding each value half-even to the fen.
    #[arg(long)]
    pub accept_float_money: bool,
}

fn parse_rule(s: &str) -> std::result::Result<crate::payout::allocate::Division, String> {
    crate::payout::allocate::Division::parse(s)
}

fn parse_date(s: &str) -> std::result::Result<Date, String> {
    Date::parse(s.trim()).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}
