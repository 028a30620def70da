//! case_clawbacks.parquet: who must give money back, how much and why (docs/cases.md, "Who is
//! paid").

use super::{Export, Field, Kind, CASE_ID, PERSON_ID};

pub const STANDING: Field = Field::new(
    "standing",
    Kind::Text,
    "认定",
    "helper (commissions) or net_winner (received beyond put in)",
);
pub const AMOUNT: Field = Field::new("amount", Kind::Money, "应追缴金额", "to be given back");
pub const REASON: Field = Field::new(
    "reason",
    Kind::Text,
    "追缴理由",
    "commissions, or received_beyond_put_in",
);
pub const BASIS: Field = Field::new(
    "basis",
    Kind::Text,
    "依据",
    "the rule it rests on (docs/cases.md)",
);

pub const EXPORT: Export = Export {
    file: "case_clawbacks.parquet",
    sorted_by: &["case_id", "person_id"],
    columns: &[CASE_ID, PERSON_ID, STANDING, AMOUNT, REASON, BASIS],
};
