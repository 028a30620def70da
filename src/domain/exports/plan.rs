//! plan.parquet: the exit plan, one row per platform.

use super::{Export, Field, Kind};

pub const ACTION: Field = Field::new("action", Kind::Text, "处置方式代码", "action code");
pub const ACTION_ZH: Field = Field::new("action_zh", Kind::Text, "处置方式", "action (处置方式)");
pub const RESPONSIBLE_UNITS: Field = Field::new(
    "responsible_units",
    Kind::TextList,
    "责任单位",
    "responsible units (责任单位)",
);
pub const START_ON: Field = Field::new("start_on", Kind::Date, "开始日期", "stage start");
pub const COMPLETE_BY: Field = Field::new(
    "complete_by",
    Kind::Date,
    "预计完成日期",
    "expected completion",
);
pub const ORDER_RANK: Field = Field::new(
    "order_rank",
    Kind::Int,
    "由易到难、由小到大的顺序",
    "position in the easy-to-hard, small-to-large order",
);
pub const STEPS: Field = Field::new(
    "steps",
    Kind::Steps,
    "一企一策步骤及期限",
    "dated steps of the action",
);
pub const AT_RISK: Field = Field::new(
    "at_risk",
    Kind::Bool,
    "无法按期完成",
    "with a deadline: cannot finish by it whatever the capacity (null without a deadline)",
);
pub const AT_RISK_REASON: Field = Field::new(
    "at_risk_reason",
    Kind::Text,
    "无法按期完成的原因（英文）",
    "why the platform cannot finish by the deadline",
);
pub const AT_RISK_REASON_ZH: Field = Field::new(
    "at_risk_reason_zh",
    Kind::Text,
    "无法按期完成的原因",
    "why the platform cannot finish by the deadline, in Chinese",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "plan.parquet",
    sorted_by: &["platform_id"],
    columns: &[
        super::PLATFORM_ID,
        super::NAME,
        super::DISTRICT,
        super::CLASS,
        super::CLASS_ZH,
        super::SUBCLASS,
        ACTION,
        ACTION_ZH,
        RESPONSIBLE_UNITS,
        super::STAGE,
        START_ON,
        COMPLETE_BY,
        ORDER_RANK,
        super::LENDER_OUTSTANDING,
        super::LENDERS_CURRENT,
        STEPS,
        AT_RISK,
        AT_RISK_REASON,
        AT_RISK_REASON_ZH,
    ],
};
