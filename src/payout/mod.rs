//! Payouts (清退兑付, docs/payouts.md): one round's exact allocation ([`allocate`], pure), every
//! round of every platform on the rounds before it ([`rounds`]), and the rounds already paid
//! ([`ledger`]).

pub mod allocate;
pub mod compare;
pub mod division;
pub mod ledger;
pub mod rounds;
pub mod vote;
