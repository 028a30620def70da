//! rule_lenders.parquet: `winddown compare`: each lender's award under each rule.

use super::{Export, Field, Kind};

pub const RULE: Field = Field::new("rule", Kind::Text, "分配规则", "division rule");
pub const AWARD: Field = Field::new(
    "award",
    Kind::Money,
    "按该规则分得",
    "what the lender receives under the rule",
);
pub const PAYOUT_RATIO: Field =
    Field::new("payout_ratio", Kind::Ratio, "受偿比例", "award / claim");

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "rule_lenders.parquet",
    sorted_by: &["platform_id", "lender_id", "rule"],
    columns: &[
        super::PLATFORM_ID,
        super::LENDER_ID,
        RULE,
        super::CLAIM,
        AWARD,
        PAYOUT_RATIO,
    ],
};
