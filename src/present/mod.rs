//! How winddown speaks to people, in one place: the formatting of money, counts, shares,
//! changes, months and a rule's values ([`number`], [`rule`]); the classes' order, names and
//! colours ([`palette`]); the language of the console and the documents ([`lang`]); colour on a
//! terminal ([`term`]). Every document, chart, desk page and console table formats through
//! here, so that a figure reads the same wherever it is shown.
//!
//! Data files (Parquet, CSV, JSON) are not formatted here: they carry exact values (yuan text
//! with two decimals, integers), not their display.

pub mod lang;
pub mod number;
pub mod palette;
pub mod rule;
pub mod term;

pub use crate::domain::class::Class;
pub use lang::Lang;
