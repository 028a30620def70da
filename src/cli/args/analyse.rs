//! The commands that read and analyse an input folder without paying: `validate`, `classify`,
//! `exposure`, `report`, `rules`.

use super::*;

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
