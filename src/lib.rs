//! winddown: the wind-down of failed P2P lending platforms as a columnar pipeline.
//!
//! Stages (DESIGN §1), one module each: [`load`] and [`validate`] read the input folder into
//! typed tables with every rejected row accounted for; [`generate`] writes realistic synthetic
//! inputs at any scale. Money is integer fen ([`money`]) from the first parsed cell onwards.

pub mod cells;
pub mod classify;
pub mod cli;
pub mod config;
pub mod date;
pub mod error;
pub mod export;
pub mod exposure;
pub mod frame;
pub mod generate;
pub mod ledger;
pub mod load;
pub mod manifest;
pub mod metrics;
pub mod money;
pub mod output;
pub mod payout;
pub mod pipeline;
pub mod plan;
pub mod progress;
pub mod report;
pub mod schema;
pub mod validate;
