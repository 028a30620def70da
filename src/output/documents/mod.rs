//! The documents people read: report.html and its PDF ([`report`], [`pdf`]), summary.json
//! ([`summary`]), plan.md ([`plan_doc`]), the payout notices ([`notices`]), the quarterly
//! bulletin ([`bulletin`]), the regulator's workbook ([`workbook`]) and the lenders'
//! statements ([`statement`]); for cases, the clearance notices ([`case_notices`]) and the docket
//! of old cases ([`docket`]).

pub mod bulletin;
pub mod case_notices;
pub mod chart;
pub mod docket;
pub mod notices;
pub mod pdf;
pub mod plan_doc;
pub mod report;
pub mod statement;
pub mod summary;
pub mod workbook;
