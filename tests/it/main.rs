//! The one integration-test binary (every extra test binary re-links polars).
//! Each module drives the real `winddown` binary in a scratch folder.

mod architecture;
mod batches;
mod cases;
mod classify;
mod cli;
mod columns_doc;
mod desk;
mod division;
mod edges;
mod exposure;
mod generate;
mod interop;
mod partitioned;
mod parts;
mod payout;
mod plan;
mod query;
mod repeats;
mod returns;
mod run;
mod safety;
mod util;
mod validate;
mod voice;
mod workbook;
mod xlsx_input;
