//! Illegal-fundraising cases (docs/cases.md): what a participant lost across all their
//! accounts, who is paid and who must give money back, in what order the claimants of a case
//! come, and the rounds that clear the money back (清退). Pure arithmetic over integer fen,
//! like `payout`: the tables are read by `input`, the files written by `output`.
//!
//! Built so far: each person's loss and crime amount from their cash flows, and their
//! standing — claimant, defendant, helper, net winner, or no loss ([`loss`]); the order in
//! which the case's claimant classes are paid ([`waterfall`]); the rounds at one uniform ratio,
//! with escrow for those not registered and their catch-up when they do ([`rounds`]).

pub mod docket;
pub mod ledger;
pub mod loss;
pub mod rounds;
pub mod settle;
pub mod waterfall;
