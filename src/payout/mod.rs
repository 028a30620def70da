//! Payouts (清退兑付, docs/payouts.md): one round's exact allocation ([`allocate`], pure, with the
//! division rules' arithmetic in [`division`]), every round of every platform on the rounds
//! before it ([`rounds`], its rows in [`rows`]), the bank's returned transfers booked on their
//! rounds ([`returns`]), the rounds already paid ([`ledger`]), the rules side by side
//! ([`compare`]) and the lenders' vote ([`vote`]).

pub mod allocate;
pub mod compare;
pub mod division;
pub mod ledger;
pub mod returns;
pub mod rounds;
pub mod rows;
pub mod vote;
