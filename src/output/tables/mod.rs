//! The Parquet exports: the writer with column descriptions and bloom filters ([`parquet`]),
//! what every column means ([`columns`]), each export's rows ([`exports`]), the compare and
//! vote results with their documents ([`division`]) and the CSV copies ([`csv_copy`]).

pub mod columns;
pub mod csv_copy;
pub mod division;
pub mod exports;
pub mod parquet;
