//! One file per command: each checks where it will write before any work, loads the input once
//! (`cli::job`), runs the stages it needs, writes into its staging folder and commits it with
//! its manifest. Paying out, shared by `run` and `payout`, is `cli::pay`.

pub mod case;
pub mod classify;
pub mod compare;
pub mod completions;
pub mod exposure;
pub mod generate;
pub mod man;
pub mod payout;
pub mod plan;
pub mod progress;
pub mod query;
pub mod report;
pub mod rules;
pub mod run;
pub mod serve;
pub mod statement;
pub mod validate;
pub mod vote;
