//! The Parquet exports: the writer with column descriptions and bloom filters ([`parquet`]),
//! an export's columns checked against its contract in `domain::exports` and written a row
//! group at a time ([`column`]), each export's rows ([`exports`]), the case exports ([`cases`]), the compare and
//! vote results with their documents ([`division`]) and the CSV copies ([`csv_copy`]).

pub mod cases;
pub mod column;
pub mod csv_copy;
pub mod division;
pub mod exports;
pub mod parquet;
