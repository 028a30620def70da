//! Domain types with no polars in them: money as integer fen and the only ways it is written
//! out ([`money`]), calendar dates ([`date`]), the official working-day calendar ([`calendar`]), the five classes ([`class`]) and exact fractions
//! for thresholds ([`fraction`]); text made inert for terminals and Excel ([`text`]).

pub mod calendar;
pub mod class;
pub mod date;
pub mod fraction;
pub mod money;
pub mod text;
