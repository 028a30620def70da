//! The command line as clap reads it: commands, their options, and the value parsers. What
//! each command does is in [`super::commands`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::error::{Error, Result};
use crate::generate::{Format, Scale};
use crate::input::Encoding;

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

/// `generate --scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScaleArg {
    /// A prefecture-level city: ≈ 50 platforms, 30k lenders (the samples).
    City,
    /// ≈ 1k platforms, 5M lenders, 20M investments, 5M loans.
    Province,
    /// 5k platforms, 50M lenders, 200M investments.
    National,
}

impl From<ScaleArg> for Scale {
    fn from(s: ScaleArg) -> Scale {
        match s {
            ScaleArg::City => Scale::City,
            ScaleArg::Province => Scale::Province,
            ScaleArg::National => Scale::National,
        }
    }
}

/// `generate --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// CSV, UTF-8 (what most exports are).
    Csv,
    /// Parquet, typed columns (what the benchmarks read).
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Csv => Format::Csv,
            FormatArg::Parquet => Format::Parquet,
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

/// `winddown case DATA …`, or `winddown case progress DATA …`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct CaseArgs {
    #[command(subcommand)]
    pub command: Option<CaseCommand>,
    #[command(flatten)]
    pub round: CaseRoundArgs,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// The docket of old cases (陈案台账): per year, old cases closed or with their assets
    /// disposed against the target, by district and responsible unit; cases judged before
    /// 2018 not yet closed; money recovered, losses confirmed, paid.
    Progress(CaseProgressArgs),
    /// One person's statement for the help line, from a `winddown case` folder: in every case,
    /// the role and standing and why, the loss and how it was computed, each round's payment,
    /// what is held in escrow, what is still owed, what must be given back. No personal data.
    #[command(after_help = "Examples:
  winddown case statement out/case-r2 --person AJ0003-000042
  winddown case statement out/case-r2 --person AJ0003-000042 --case AJ0003")]
    Statement(CaseStatementArgs),
}

#[derive(Debug, Args)]
pub struct CaseStatementArgs {
    /// The folder of a `winddown case` run.
    pub run: PathBuf,
    /// The person's id as in the case tables (under --pseudonymize: the pseudonym, or the id
    /// with the key in WINDDOWN_PSEUDONYM_KEY).
    #[arg(long)]
    pub person: String,
    /// Only this case.
    #[arg(long)]
    pub case: Option<String>,
}

/// The case tables and how they are read.
#[derive(Debug, Args)]
pub struct CaseInputArgs {
    /// Folder holding the case tables cases, participants, cash_flows [, case_assets,
    /// other_claims], each as .csv, .parquet, .xlsx (or a sheet of a workbook) or a folder of
    /// parts (docs/inputs.md).
    #[arg(value_name = "DATA", required = true)]
    pub data: Option<PathBuf>,
    /// TOML config: its [cases] section (see `winddown rules --print-defaults`).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The round's date (YYYY-MM-DD): cases and cash flows dated after it are rejected;
    /// registrations, heirs' proofs and realisations after it have not happened yet. Default:
    /// the latest date in the tables.
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
    /// Name people in every output by keyed pseudonyms (key in WINDDOWN_PSEUDONYM_KEY);
    /// needed when person ids are resident id numbers.
    #[arg(long)]
    pub pseudonymize: bool,
}

/// The docket's measure.
#[derive(Debug, Args)]
pub struct DocketArgs {
    /// A case opened before this date is old (default: 1 January of the as-of year).
    #[arg(long, value_parser = parse_date)]
    pub old_before: Option<Date>,
    /// The year whose districts and units are reported (default: the as-of year).
    #[arg(long)]
    pub year: Option<i32>,
}

#[derive(Debug, Args)]
pub struct CaseRoundArgs {
    #[command(flatten)]
    pub input: CaseInputArgs,
    #[command(flatten)]
    pub docket: DocketArgs,
    /// The folder of the previous `winddown case` run: its rounds and payouts are the ledger
    /// this round builds on.
    #[arg(long, value_name = "DIR")]
    pub ledger: Option<PathBuf>,
    /// The date printed on the clearance notices (default: the round's date).
    #[arg(long, value_parser = parse_date)]
    pub notice_date: Option<Date>,
    /// Also write the payments of this round (payee, id number, account, channel, amount; the
    /// only output with names), mode 0600, committed with the output folder.
    #[arg(long, value_name = "F")]
    pub payment_file: Option<PathBuf>,
    /// Bank batches of this round's transfers (the payments below the deposit-certificate
    /// threshold), per case, round and bank in a bank's batch-transfer layout (CSV and .xlsx,
    /// control files, exceptions.csv for payees without a valid account; a new folder, mode
    /// 0700, files 0600); [payments] in the config. Needs the participants' bank columns.
    #[arg(long, value_name = "DIR")]
    pub payments: Option<PathBuf>,
    /// Output folder: case_participants, case_clawbacks, case_waterfall, case_rounds,
    /// case_payouts and case_docket (.parquet), case_notices.html, docket.md, rejects.csv,
    /// validation.json, manifest.json; replaced atomically (see --force).
    #[arg(long, required = true)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Args)]
pub struct CaseProgressArgs {
    #[command(flatten)]
    pub input: CaseInputArgs,
    #[command(flatten)]
    pub docket: DocketArgs,
    /// The folder of the last `winddown case` run, for what has been paid.
    #[arg(long, value_name = "DIR")]
    pub ledger: Option<PathBuf>,
    /// Output folder: case_docket.parquet, docket.md, rejects.csv, validation.json,
    /// manifest.json; replaced atomically (see --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (winddown's own without it).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The rules to compare, comma separated: pro, small-first:T, cea, cel, talmud, apro,
    /// rising-tide.
    #[arg(
        long,
        value_delimiter = ',',
        value_parser = parse_rule,
        default_value = "pro,small-first:10000,cea,cel,talmud,apro,rising-tide"
    )]
    pub rules: Vec<crate::payout::allocate::Division>,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Args)]
pub struct VoteArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The scheme's division rule: pro, small-first:T, cea, cel, talmud, apro, rising-tide.
    #[arg(long, value_parser = parse_rule)]
    pub scheme: crate::payout::allocate::Division,
    /// Instalments: percent of each lender's award paid in years 1, 2, … (summing to 100).
    /// Without it, everything is paid now.
    #[arg(long, value_delimiter = ',', value_name = "PERCENT,…")]
    pub schedule: Vec<String>,
    /// Yearly discount rate of the instalments (0.05 = 5 %).
    #[arg(long, default_value = "0")]
    pub discount: String,
    /// Probability that each instalment is delivered.
    #[arg(long, default_value = "1")]
    pub delivery_probability: String,
    /// What lenders compare the scheme with: `liquidation` (each platform's expected payout
    /// ratio) or a payout ratio such as 0.3.
    #[arg(long, default_value = "liquidation")]
    pub alternative: String,
    /// The scheme's budget as a share of the claims (default: what the alternative pays).
    #[arg(long)]
    pub budget_ratio: Option<String>,
    /// Share of lenders who vote in each claim-size band (<1万, 1–5万, 5–10万, 10–50万,
    /// 50–100万, ≥100万), comma separated; default: everyone votes.
    #[arg(long, value_delimiter = ',')]
    pub turnout: Vec<String>,
    /// Lenders indifferent between the scheme and the alternative vote no (default: yes).
    #[arg(long)]
    pub ties_vote_no: bool,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The output folder of `winddown run`; with two, the later one is served and compared
    /// with the earlier (the bulletin of `winddown progress`).
    #[arg(value_name = "RUN_OUT", num_args = 1..=2, required = true)]
    pub runs: Vec<PathBuf>,
    /// The output folder of `winddown compare`, shown at /compare (default: the run folder's
    /// own rule_compare.parquet, when it has one).
    #[arg(long, value_name = "COMPARE_OUT")]
    pub compare: Option<PathBuf>,
    /// The output folder of `winddown vote`, shown at /vote (default: the run folder's own
    /// vote_platforms.parquet, when it has one).
    #[arg(long, value_name = "VOTE_OUT")]
    pub vote: Option<PathBuf>,
    /// The bank batches' folder of `run --payments`: each round's control totals on /payouts,
    /// checked against the round.
    #[arg(long, value_name = "BANK_DIR")]
    pub payments: Option<PathBuf>,
    /// The help line's view: the input folder the run read, whose lenders' names and phones
    /// (id numbers and accounts masked to their last four) a lender's page then shows. Without
    /// it the desk shows ids only.
    #[arg(long, value_name = "DATA")]
    pub personal: Option<PathBuf>,
    /// With --personal: the config the run used ([columns] for the lenders' headers).
    #[arg(long, value_name = "FILE", requires = "personal")]
    pub config: Option<PathBuf>,
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// The address to listen on. Anything but loopback (127.0.0.1, ::1) requires the token
    /// printed at start on every request.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// An output folder of winddown (`run`, `case`, …): its Parquet exports are the tables.
    #[arg(value_name = "RUN_OUT")]
    pub run: PathBuf,
    /// One SELECT over the folder's tables, named as its files (platforms, claims, …).
    #[arg(value_name = "SQL")]
    pub sql: String,
    /// How to print the answer.
    #[arg(long, value_enum, default_value = "table")]
    pub format: QueryFormat,
    /// At most this many rows (the answer says when there were more).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub max_rows: usize,
    /// Give up on a query that runs longer (seconds).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub timeout: u64,
}

/// How `winddown query` prints its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns for the terminal (control characters escaped).
    Table,
    /// CSV, UTF-8 with a BOM for Excel, text that would run as a formula neutralised.
    Csv,
    /// {"columns": [...], "rows": [[...]], "truncated": bool}; values as exact text.
    Json,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// An earlier run's output folder: its recorded options (as-of, stages, payout rule, config)
    /// are used, so the report shows the same figures as that run.
    #[arg(long, value_name = "RUN_OUT")]
    pub from: Option<PathBuf>,
    /// Small first: the first T yuan of every claim are paid before anything else.
    #[arg(long, value_name = "T", value_parser = parse_yuan)]
    pub small_first: Option<i64>,
    /// How each round's pool is divided (see `payout --help`).
    #[arg(long, value_name = "RULE", value_parser = parse_rule, conflicts_with = "small_first")]
    pub rule: Option<crate::payout::allocate::Division>,
    /// Amounts below X yuan owed to an eligible lender are carried to a later round.
    #[arg(long, value_name = "X", value_parser = parse_yuan)]
    pub min_payment: Option<i64>,
    /// Also print report.html to report.pdf (A4) with a headless Chromium (apt-get install
    /// chromium; or WINDDOWN_CHROMIUM=/path/to/chrome).
    #[arg(long)]
    pub pdf: bool,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Args)]
pub struct ExposureArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub partition: PartitionArgs,
    #[command(flatten)]
    pub show: ShowArgs,
}

/// Options of the payout rule and its outputs.
#[derive(Debug, Args)]
pub struct PayoutOptions {
    /// Small first: the first T yuan of every claim are paid before anything else.
    #[arg(long, value_name = "T", value_parser = parse_yuan)]
    pub small_first: Option<i64>,
    /// How each round's pool is divided: pro (equalising pro rata, the default),
    /// small-first:T, cea, cel, talmud, apro or rising-tide (see docs/payouts.md).
    #[arg(long, value_name = "RULE", value_parser = parse_rule, conflicts_with = "small_first")]
    pub rule: Option<crate::payout::allocate::Division>,
    /// Amounts below X yuan owed to an eligible lender are carried to a later round.
    #[arg(long, value_name = "X", value_parser = parse_yuan)]
    pub min_payment: Option<i64>,
    /// Also write the bank-transfer CSV of the rounds computed now (the only output with names
    /// and id numbers), mode 0600; committed together with the output folder.
    #[arg(long, value_name = "F")]
    pub payment_file: Option<PathBuf>,
    /// Bank batches of the rounds computed now, per platform, round and bank, in a bank's
    /// batch-transfer layout (CSV and .xlsx, control files; a new folder, mode 0700, files
    /// 0600). Needs the lenders' bank_account and bank_name columns; [payments] in the config.
    #[arg(long, value_name = "DIR")]
    pub payments: Option<PathBuf>,
    /// An earlier run's payouts.parquet (or its folder): its rounds are paid already and kept;
    /// only rounds above its highest round per platform are computed.
    #[arg(long, value_name = "PREV_OUT/payouts.parquet")]
    pub ledger: Option<PathBuf>,
    /// With --payment-file and no --ledger: pay every round in the recoveries, none of which
    /// has been paid before (without it, several rounds of one platform are refused).
    #[arg(long)]
    pub pay_all_rounds: bool,
    /// The date the payout notices (notices.html) are published and signed (YYYY-MM-DD);
    /// without it they carry the data's as-of date.
    #[arg(long, value_name = "DATE", value_parser = parse_deadline)]
    pub notice_date: Option<crate::domain::date::Date>,
    /// The register of issued transfers that every payment file and batch is checked against
    /// and recorded in (default: winddown-register.csv beside the payment file, else beside
    /// the batches folder; see docs/payouts.md).
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PayoutArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub payout: PayoutOptions,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub show: ShowArgs,
    #[command(flatten)]
    pub partition: PartitionArgs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Also write a CSV copy (UTF-8 with BOM, for Excel) of every Parquet export.
    #[arg(long)]
    pub csv: bool,
    /// Also write winddown.xlsx: the summary, one sheet per class, the 三降 stages, the
    /// 一企一策 steps, the payout rounds and the rejected rows (Chinese headers, no personal data).
    #[arg(long)]
    pub xlsx: bool,
    /// Replace lender_id in the exports by a keyed hash (key in WINDDOWN_PSEUDONYM_KEY).
    #[arg(long)]
    pub pseudonymize: bool,
    #[command(flatten)]
    pub stages: StageOptions,
    #[command(flatten)]
    pub payout: PayoutOptions,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub show: ShowArgs,
    #[command(flatten)]
    pub partition: PartitionArgs,
}

#[derive(Debug, Args)]
pub struct StatementArgs {
    /// A run's (or payout's) output folder: claims.parquet, payouts.parquet, platforms.parquet.
    #[arg(value_name = "RUN_OUT")]
    pub run: PathBuf,
    /// The lender's id as in the exports (its pseudonym when the run pseudonymized).
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    pub lender: Option<String>,
    /// Every lender's statement (债权确认及兑付明细) for mail merge, and an SMS text per lender
    /// from the config's [statement] sms: statements.csv and sms.csv (mode 0600: names, phones).
    #[arg(long, requires_all = ["data", "out"])]
    pub all: bool,
    /// With --all: the input folder the run read (for the lenders' names and phones).
    #[arg(long, value_name = "DATA")]
    pub data: Option<PathBuf>,
    /// With --all: the config the run used ([columns] for the lenders' headers, [statement] sms).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// With --all: the folder for statements.csv and sms.csv (replaced atomically).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder even if winddown did not write it (its files are deleted).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub show: ShowArgs,
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
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub stages: StageOptions,
    #[command(flatten)]
    pub output: OutArgs,
    #[command(flatten)]
    pub show: ShowArgs,
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
    /// The campaign's deadline (YYYY-MM-DD): raise the capacity per stage until every platform
    /// that can finish by it does, and name those that cannot.
    #[arg(long, value_parser = parse_deadline)]
    pub deadline: Option<crate::domain::date::Date>,
}

fn parse_deadline(text: &str) -> std::result::Result<crate::domain::date::Date, String> {
    crate::domain::date::Date::parse(text.trim())
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

impl StageOptions {
    pub fn apply(&self, config: &mut crate::config::Config) -> Result<()> {
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
        if let Some(d) = self.deadline {
            config.plan.deadline = Some(d);
        }
        Ok(())
    }
}

impl PayoutOptions {
    /// The rule in force: --small-first, else --rule, else the config's `[recovery] rule`.
    pub fn rule(&self, config: &crate::config::Config) -> crate::payout::allocate::Rule {
        use crate::payout::allocate::Division;
        crate::payout::allocate::Rule {
            division: self
                .small_first
                .map(Division::SmallFirst)
                .or(self.rule)
                .unwrap_or(config.payout_rule),
            min_payment: self.min_payment.map(Fen),
        }
    }
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

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Print the default config, commented in Chinese and English.
    #[arg(long, conflicts_with = "check")]
    pub print_defaults: bool,
    /// Check a config file: every key known and within its range (docs/rules.md); exit 0
    /// when it is good, else 2 with every problem's line and column.
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
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
    #[command(flatten)]
    pub show: ShowArgs,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The folder for the tables.
    #[command(flatten)]
    pub output: OutArgs,
    /// Seed: the same seed and options give byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Size preset: city ≈ 50 platforms / 30k lenders, province ≈ 1k / 5M, national = 5k / 50M.
    #[arg(long, value_enum, default_value_t = ScaleArg::City)]
    pub scale: ScaleArg,
    /// Override the preset's number of platforms.
    #[arg(long)]
    pub platforms: Option<u32>,
    /// Override the preset's number of lenders.
    #[arg(long)]
    pub lenders: Option<u64>,
    /// The tables' format: csv (UTF-8) or parquet (typed columns).
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    /// Write illegal-fundraising case tables instead (cases, participants, cash_flows,
    /// case_assets, other_claims; docs/cases.md): city ≈ 12 cases / 3k people, province 300 /
    /// 1M, national 1.5k / 10M; --platforms and --lenders then set the cases and people.
    #[arg(long)]
    pub cases: bool,
}

fn parse_rule(s: &str) -> std::result::Result<crate::payout::allocate::Division, String> {
    crate::payout::allocate::Division::parse(s)
}

fn parse_date(s: &str) -> std::result::Result<Date, String> {
    Date::parse(s.trim()).ok_or_else(|| format!("{s:?} is not a date (YYYY-MM-DD)"))
}
