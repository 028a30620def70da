//! Columnar files. The Parquet files the pipeline reads and writes besides its exports, all with
//! arrow-rs, the stack that writes the exports: input Parquet files a slice of rows at a time
//! ([`batches`]), the generator's record batches ([`frame`]), the exports' CSV copies ([`csv`]),
//! the exports of earlier runs read back by their contract's fields ([`export_file`]). Polars is
//! named in one file only: SQL over a run's own tables ([`query`]), the query engine of
//! `winddown query` and the desk. It depends on nothing of the pipeline but errors and the
//! domain.

pub mod batches;
pub mod csv;
pub mod export_file;
pub mod frame;
pub mod query;

pub use csv::parquet_to_csv;
