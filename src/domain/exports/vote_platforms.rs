//! vote_platforms.parquet: `winddown vote`: the scheme's predicted vote per platform.

use super::{Export, Field, Kind};

pub const SCHEME: Field = Field::new(
    "scheme",
    Kind::Text,
    "表决方案（分配规则）",
    "the scheme voted on: its division rule",
);
pub const VOTING_RULE: Field = Field::new(
    "voting_rule",
    Kind::Text,
    "表决规则",
    "voting rule: shenzhen, ebl_art64, ebl_art84, ebl_art97",
);
pub const PASSED: Field = Field::new(
    "passed",
    Kind::Bool,
    "是否通过",
    "whether the scheme passes under the voting rule",
);
pub const BUDGET: Field = Field::new(
    "budget",
    Kind::Money,
    "方案可分配总额",
    "what the scheme pays in all",
);
pub const VOTERS: Field = Field::new(
    "voters",
    Kind::Ratio,
    "预计参加表决人数",
    "expected voters (turnout-weighted, so fractional)",
);
pub const YES_VOTERS: Field = Field::new(
    "yes_voters",
    Kind::Ratio,
    "预计赞成人数",
    "expected yes voters (turnout-weighted)",
);
pub const VOTER_CLAIMS: Field = Field::new(
    "voter_claims",
    Kind::Ratio,
    "参加表决者债权（元）",
    "claims of the expected voters, yuan (turnout-weighted)",
);
pub const YES_CLAIMS: Field = Field::new(
    "yes_claims",
    Kind::Ratio,
    "赞成者债权（元）",
    "claims of the expected yes voters, yuan (turnout-weighted)",
);
pub const COUNT_MARGIN: Field = Field::new(
    "count_margin",
    Kind::Ratio,
    "人数差额",
    "yes voters above (+) or below (−) the head-count line",
);
pub const AMOUNT_MARGIN: Field = Field::new(
    "amount_margin",
    Kind::Ratio,
    "债权差额（元）",
    "yes claims above (+) or below (−) the amount line, yuan",
);
pub const SWING_LENDERS: Field = Field::new("swing_lenders", Kind::TextList, "关键出借人", "lenders whose switch decides it: no-voters who would make it pass, or yes-voters whose defection sinks it");
pub const EXTRA_PAYMENT: Field = Field::new("extra_payment", Kind::Money, "使方案通过所需的最少追加", "the smallest extra payment to the largest no-voters that makes it pass (0 if it passes; null if none can)");
pub const BEST_INTEREST: Field = Field::new(
    "best_interest",
    Kind::Bool,
    "最佳利益检验",
    "no lender values the scheme below the alternative",
);
pub const BELOW_ALTERNATIVE: Field = Field::new(
    "below_alternative",
    Kind::Int,
    "低于替代方案的出借人数",
    "lenders who value the scheme below the alternative",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "vote_platforms.parquet",
    sorted_by: &["platform_id", "voting_rule"],
    columns: &[
        super::PLATFORM_ID,
        SCHEME,
        VOTING_RULE,
        PASSED,
        BUDGET,
        VOTERS,
        YES_VOTERS,
        VOTER_CLAIMS,
        YES_CLAIMS,
        COUNT_MARGIN,
        AMOUNT_MARGIN,
        SWING_LENDERS,
        EXTRA_PAYMENT,
        BEST_INTEREST,
        BELOW_ALTERNATIVE,
    ],
};
