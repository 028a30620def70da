//! Domain types with no polars in them: money as integer fen and the only ways it is written
//! out ([`money`]), calendar dates ([`date`]), the official working-day calendar ([`calendar`]), counts with separators ([`count`]), the five classes ([`class`]), platforms' and lenders' dense codes ([`code`]), the words of a fundraising case's tables ([`case`]), the division rules by name ([`division`]) and exact fractions
//! for thresholds ([`fraction`]); hive partition folders' names ([`hive`]); columns of mostly zero values ([`sparse`]); the input tables' columns and types ([`schema`]); text made inert for terminals and Excel ([`text`]).

pub mod calendar;
pub mod case;
pub mod class;
pub mod code;
pub mod count;
pub mod date;
pub mod division;
pub mod exports;
pub mod fraction;
pub mod hive;
pub mod money;
pub mod narrow;
pub mod schema;
pub mod sparse;
pub mod text;
