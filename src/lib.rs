//! winddown: the wind-down of failed P2P lending platforms as a columnar pipeline.
//!
//! The pipeline, one folder per stage: [`input`] reads the folder of tables (CSV or Parquet)
//! and keeps, for every row, an accept or a reject with its reason — and of the accepted rows
//! only compact columns with integer ids and the totals the rules need; [`rules`] computes the
//! platform metrics, the five classes, the claims and exposure, and the exit plan; [`payout`]
//! pays the rounds exactly to the fen on top of the ledger; [`output`] writes every file into
//! a folder committed atomically. [`domain`] holds money, dates and classes (no polars);
//! [`config`] the regulator-editable rules; [`table`] columnar files (Parquet with arrow-rs,
//! and the wall behind which polars answers SQL); [`cli`] the commands; [`generate`] synthetic data at any scale; [`desk`] the
//! browser desk over a run folder (`winddown serve`); [`cases`] the arithmetic of
//! illegal-fundraising cases (losses, who is paid; in progress, docs/cases.md). Beside the
//! stages: [`memory`] (freed memory handed back, huge pages), [`write_behind`] (large files'
//! pages sent to the disk as they are written), [`progress`].

pub mod cases;
pub mod cli;
pub mod config;
pub mod desk;
pub mod domain;
pub mod error;
#[cfg(any(test, fuzzing))]
pub mod fuzzing;
pub mod generate;
pub mod input;
pub mod memory;
pub mod output;
pub mod paged;
pub mod payout;
pub mod present;
pub mod progress;
pub mod rules;
pub mod table;
pub mod write_behind;
