//! `winddown case`: an illegal-fundraising case's tables, its rounds, its docket, statements and
//! progress.

use super::*;

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
