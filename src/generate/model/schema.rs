//! The columns of the generated tables, in the order they are written.

use super::super::sink::ColType;

pub const PLATFORM_SCHEMA: &[(&str, ColType)] = &[
    ("platform_id", ColType::Text),
    ("name", ColType::Text),
    ("district", ColType::Text),
    ("case_filed", ColType::Bool),
    ("controller_missing", ColType::Bool),
    ("repayment_suspended", ColType::Bool),
    ("cooperating", ColType::Bool),
    ("reporting", ColType::Bool),
    ("red_flags", ColType::Text),
];
pub const LENDER_SCHEMA: &[(&str, ColType)] = &[
    ("lender_id", ColType::Text),
    ("name", ColType::Text),
    ("id_number", ColType::Text),
    ("phone", ColType::Text),
    ("district", ColType::Text),
    ("registered", ColType::Bool),
    ("excluded", ColType::Bool),
    ("bank_account", ColType::Text),
    ("bank_name", ColType::Text),
];
pub const INVESTMENT_SCHEMA: &[(&str, ColType)] = &[
    ("investment_id", ColType::Text),
    ("platform_id", ColType::Text),
    ("lender_id", ColType::Text),
    ("loan_id", ColType::Text),
    ("invested_on", ColType::Date),
    ("amount", ColType::Money),
    ("principal_returned", ColType::Money),
    ("returns_received", ColType::Money),
    ("matures_on", ColType::Date),
];
pub const LOAN_SCHEMA: &[(&str, ColType)] = &[
    ("loan_id", ColType::Text),
    ("platform_id", ColType::Text),
    ("borrower_id", ColType::Text),
    ("borrower_type", ColType::Text),
    ("related_party", ColType::Bool),
    ("originated_on", ColType::Date),
    ("principal", ColType::Money),
    ("outstanding_principal", ColType::Money),
    ("matures_on", ColType::Date),
    ("days_past_due", ColType::Int),
    ("collateral_value", ColType::Money),
];
pub const RECOVERY_SCHEMA: &[(&str, ColType)] = &[
    ("platform_id", ColType::Text),
    ("round", ColType::Int),
    ("amount", ColType::Money),
    ("received_on", ColType::Date),
    ("source", ColType::Text),
];
