//! claims.parquet: every lender × platform position with its claim.

use super::{Export, Field, Kind};

pub const INVESTED: Field = Field::new("invested", Kind::Money, "出借本金", "Σ amount invested");
pub const PRINCIPAL_RETURNED: Field = Field::new(
    "principal_returned",
    Kind::Money,
    "已还本金",
    "Σ principal returned",
);
pub const RETURNS_RECEIVED: Field = Field::new(
    "returns_received",
    Kind::Money,
    "已获收益（利息、奖励、返现）",
    "Σ interest, bonuses and rebates received",
);
pub const OUTSTANDING: Field = Field::new(
    "outstanding",
    Kind::Money,
    "待收本金",
    "invested − principal_returned",
);
pub const BASIS: Field = Field::new(
    "basis",
    Kind::Text,
    "债权口径",
    "claim basis: outstanding_principal (合同口径) or net_of_returns (本金折抵)",
);
pub const NET_WINNER_AMOUNT: Field = Field::new(
    "net_winner_amount",
    Kind::Money,
    "净获益金额",
    "returns received beyond the principal still owed",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "claims.parquet",
    sorted_by: &["platform_id", "lender_id"],
    columns: &[
        super::PLATFORM_ID,
        super::LENDER_ID,
        INVESTED,
        PRINCIPAL_RETURNED,
        RETURNS_RECEIVED,
        OUTSTANDING,
        BASIS,
        super::CLAIM,
        NET_WINNER_AMOUNT,
        super::STATUS,
        super::CLASS,
        super::CLASS_ZH,
    ],
};
