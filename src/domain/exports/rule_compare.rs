//! rule_compare.parquet: `winddown compare`: each division rule per platform.

use super::{Export, Field, Kind};

pub const RULE: Field = Field::new(
    "rule",
    Kind::Text,
    "分配规则",
    "division rule: pro, small-first:T, cea, cel, talmud, apro, rising-tide",
);
pub const ESTATE: Field = Field::new(
    "estate",
    Kind::Money,
    "可分配财产（全部轮次合计）",
    "the estate divided: every round's pool together",
);
pub const LENDERS: Field = Field::new(
    "lenders",
    Kind::Int,
    "参与分配的出借人数",
    "lenders in the division (claim > 0, not excluded)",
);
pub const PAID_IN_FULL: Field = Field::new(
    "paid_in_full",
    Kind::Int,
    "全额受偿人数",
    "lenders paid their whole claim",
);
pub const MIN_RATIO: Field = Field::new(
    "min_ratio",
    Kind::Ratio,
    "最低受偿比例",
    "lowest payout ratio (award / claim) of a lender",
);
pub const MEDIAN_RATIO: Field = Field::new(
    "median_ratio",
    Kind::Ratio,
    "受偿比例中位数",
    "median payout ratio of the lenders",
);
pub const MAX_RATIO: Field = Field::new(
    "max_ratio",
    Kind::Ratio,
    "最高受偿比例",
    "highest payout ratio of a lender",
);
pub const GINI_OF_LOSSES: Field = Field::new(
    "gini_of_losses",
    Kind::Ratio,
    "损失基尼系数",
    "Gini coefficient of the lenders' losses (claim − award)",
);
pub const LARGEST_GAIN: Field = Field::new(
    "largest_gain",
    Kind::Money,
    "较按比例分配的最大多得",
    "the most one lender receives above pro rata",
);
pub const LARGEST_LOSS: Field = Field::new(
    "largest_loss",
    Kind::Money,
    "较按比例分配的最大少得",
    "the most one lender receives below pro rata (a positive amount)",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "rule_compare.parquet",
    sorted_by: &["platform_id", "rule"],
    columns: &[
        super::PLATFORM_ID,
        RULE,
        ESTATE,
        LENDERS,
        PAID_IN_FULL,
        MIN_RATIO,
        MEDIAN_RATIO,
        MAX_RATIO,
        GINI_OF_LOSSES,
        LARGEST_GAIN,
        LARGEST_LOSS,
    ],
};
