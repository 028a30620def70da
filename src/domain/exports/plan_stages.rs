//! plan_stages.parquet: the plan stage by stage against the 三降 targets (stage 0 is the start).

use super::{Export, Field, Kind};

pub const ENDS_ON: Field = Field::new("ends_on", Kind::Date, "阶段截止日期", "stage end");
pub const PLATFORMS: Field = Field::new(
    "platforms",
    Kind::Int,
    "本阶段退出平台数",
    "platforms assigned to the stage",
);
pub const LENDERS: Field = Field::new(
    "lenders",
    Kind::Int,
    "本阶段涉及在贷出借人数",
    "current lenders of those platforms",
);
pub const OUTSTANDING: Field = Field::new(
    "outstanding",
    Kind::Money,
    "本阶段涉及出借余额",
    "lender outstanding of those platforms",
);
pub const PLATFORMS_REMAINING: Field = Field::new(
    "platforms_remaining",
    Kind::Int,
    "剩余平台数",
    "platforms not yet complete at the stage end",
);
pub const OUTSTANDING_REMAINING: Field = Field::new(
    "outstanding_remaining",
    Kind::Money,
    "剩余出借余额",
    "outstanding left (linear run-off)",
);
pub const LENDERS_REMAINING: Field = Field::new(
    "lenders_remaining",
    Kind::Int,
    "剩余在贷出借人数",
    "current lenders of platforms not yet complete",
);
pub const PLATFORMS_REMAINING_PCT: Field = Field::new(
    "platforms_remaining_pct",
    Kind::Ratio,
    "剩余平台占起点百分比",
    "platforms_remaining as % of the start",
)
.unit("percent");
pub const OUTSTANDING_REMAINING_PCT: Field = Field::new(
    "outstanding_remaining_pct",
    Kind::Ratio,
    "剩余余额占起点百分比",
    "outstanding_remaining as % of the start",
)
.unit("percent");
pub const LENDERS_REMAINING_PCT: Field = Field::new(
    "lenders_remaining_pct",
    Kind::Ratio,
    "剩余出借人占起点百分比",
    "lenders_remaining as % of the start",
)
.unit("percent");
pub const TARGETS: Field = Field::new(
    "targets",
    Kind::TextList,
    "三降目标",
    "三降 targets of the stage",
);
pub const TARGETS_MET: Field = Field::new(
    "targets_met",
    Kind::Bool,
    "目标是否达成",
    "every target of the stage met",
);
pub const DEADLINE: Field = Field::new(
    "deadline",
    Kind::Date,
    "完成期限",
    "the plan's deadline (null: none)",
);
pub const CAPACITY_PLATFORMS: Field = Field::new("capacity_platforms", Kind::Int, "每阶段平台数上限（实际采用）", "platforms per stage the plan was filled under: the configured limit, or the least that meets the deadline (null: no limit)");
pub const CAPACITY_LENDERS: Field = Field::new(
    "capacity_lenders",
    Kind::Int,
    "每阶段在贷出借人数上限（实际采用）",
    "current lenders per stage the plan was filled under (null: no limit)",
);
pub const CAPACITY_OUTSTANDING: Field = Field::new(
    "capacity_outstanding",
    Kind::Money,
    "每阶段出借余额上限（实际采用）",
    "outstanding per stage the plan was filled under (null: no limit)",
);
pub const CONFIGURED_PLATFORMS: Field = Field::new(
    "configured_platforms",
    Kind::Int,
    "每阶段平台数上限（配置）",
    "platforms per stage as configured (null: no limit)",
);
pub const CONFIGURED_LENDERS: Field = Field::new(
    "configured_lenders",
    Kind::Int,
    "每阶段在贷出借人数上限（配置）",
    "current lenders per stage as configured (null: no limit)",
);
pub const CONFIGURED_OUTSTANDING: Field = Field::new(
    "configured_outstanding",
    Kind::Money,
    "每阶段出借余额上限（配置）",
    "outstanding per stage as configured (null: no limit)",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "plan_stages.parquet",
    sorted_by: &["stage"],
    columns: &[
        super::STAGE,
        ENDS_ON,
        PLATFORMS,
        LENDERS,
        OUTSTANDING,
        PLATFORMS_REMAINING,
        OUTSTANDING_REMAINING,
        LENDERS_REMAINING,
        PLATFORMS_REMAINING_PCT,
        OUTSTANDING_REMAINING_PCT,
        LENDERS_REMAINING_PCT,
        TARGETS,
        TARGETS_MET,
        DEADLINE,
        CAPACITY_PLATFORMS,
        CAPACITY_LENDERS,
        CAPACITY_OUTSTANDING,
        CONFIGURED_PLATFORMS,
        CONFIGURED_LENDERS,
        CONFIGURED_OUTSTANDING,
    ],
};
