//! The payout commands — `payout`, `run`, `statement`, `progress`, `compare`, `vote` — and the
//! options of the payout rule they share.

use super::*;

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
