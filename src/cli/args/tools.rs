//! The tools around the pipeline: `generate`, `serve`, `query`, `completions`, `man`.

use super::*;

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

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (winddown's own without it).
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
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
