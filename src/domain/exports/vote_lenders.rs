//! vote_lenders.parquet: `winddown vote`: each voter's award, alternative and predicted vote.

use super::{Export, Field, Kind};

pub const AWARD: Field = Field::new(
    "award",
    Kind::Money,
    "方案分得（名义）",
    "what the scheme pays the lender, nominal",
);
pub const VALUE_RATIO: Field = Field::new(
    "value_ratio",
    Kind::Ratio,
    "方案现值比例",
    "present value of the scheme's award, as a share of the claim",
);
pub const ALTERNATIVE_RATIO: Field = Field::new(
    "alternative_ratio",
    Kind::Ratio,
    "替代方案受偿比例",
    "what the alternative pays, as a share of the claim",
);
pub const VOTE: Field = Field::new("vote", Kind::Text, "预计表决", "predicted vote: yes or no");
pub const TURNOUT: Field = Field::new(
    "turnout",
    Kind::Ratio,
    "预计参会概率",
    "the lender's expected turnout (its claim band's)",
);
pub const SHORTFALL: Field = Field::new(
    "shortfall",
    Kind::Money,
    "赞成所需追加",
    "what the lender would need on top of the award to vote yes (0 if yes)",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "vote_lenders.parquet",
    sorted_by: &["platform_id", "lender_id"],
    columns: &[
        super::PLATFORM_ID,
        super::LENDER_ID,
        super::CLAIM,
        AWARD,
        VALUE_RATIO,
        ALTERNATIVE_RATIO,
        VOTE,
        TURNOUT,
        SHORTFALL,
    ],
};
