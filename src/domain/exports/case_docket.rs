//! case_docket.parquet: the docket of cases (陈案台账): where each stands, whether it is old,
//! done (closed or its assets disposed), and its money.

use super::{Export, Field, Kind, CASE_ID, DISTRICT};

pub const CASE_NAME: Field = Field::new("case_name", Kind::Text, "案件名称", "the case's name");
pub const UNIT: Field = Field::new("unit", Kind::Text, "责任单位", "the responsible unit");
pub const PLATFORM_IDS: Field = Field::new(
    "platform_ids",
    Kind::TextList,
    "涉案平台",
    "the platforms the case concerns",
);
pub const OPENED_ON: Field = Field::new("opened_on", Kind::Date, "立案日期", "opened on");
pub const JUDGED_ON: Field = Field::new("judged_on", Kind::Date, "判决日期", "judged on");
pub const CASE_STATUS: Field = Field::new(
    "case_status",
    Kind::Text,
    "办理阶段代码",
    "investigation, prosecution, trial, execution, clearance, closed",
);
pub const CASE_STATUS_ZH: Field = Field::new(
    "case_status_zh",
    Kind::Text,
    "办理阶段",
    "侦查, 起诉, 审判, 执行, 清退, 销号",
);
pub const STATUS_ON: Field = Field::new("status_on", Kind::Date, "阶段日期", "in that stage since");
pub const OLD: Field = Field::new(
    "old",
    Kind::Bool,
    "陈案",
    "opened before the docket's date (--old-before)",
);
pub const ASSETS_DISPOSED: Field = Field::new(
    "assets_disposed",
    Kind::Bool,
    "资产处置完毕",
    "every asset realised, or the case in clearance or closed",
);
pub const CLOSED: Field = Field::new("closed", Kind::Bool, "已销号", "closed out (销号)");
pub const DONE_ON: Field = Field::new(
    "done_on",
    Kind::Date,
    "化解日期",
    "closed or its assets disposed on (the earlier)",
);
pub const JUDGED_BEFORE_2018_OPEN: Field = Field::new(
    "judged_before_2018_open",
    Kind::Bool,
    "2018年前判决未结案",
    "judged before 2018 and not closed: to be closed",
);
pub const PARTICIPANTS: Field = Field::new(
    "participants",
    Kind::Int,
    "涉案人数",
    "people of the case (every role)",
);
pub const CLAIMANTS: Field = Field::new("claimants", Kind::Int, "清退人数", "claimants");
pub const RECOVERED: Field = Field::new(
    "recovered",
    Kind::Money,
    "累计变现金额",
    "everything realised to date",
);
pub const LOSSES_CONFIRMED: Field = Field::new(
    "losses_confirmed",
    Kind::Money,
    "核定损失合计",
    "Σ the claimants' losses",
);
pub const PAID: Field = Field::new(
    "paid",
    Kind::Money,
    "累计清退支付",
    "Σ paid in every round so far, escrow released included",
);

pub const EXPORT: Export = Export {
    file: "case_docket.parquet",
    sorted_by: &["case_id"],
    columns: &[
        CASE_ID,
        CASE_NAME,
        DISTRICT,
        UNIT,
        PLATFORM_IDS,
        OPENED_ON,
        JUDGED_ON,
        CASE_STATUS,
        CASE_STATUS_ZH,
        STATUS_ON,
        OLD,
        ASSETS_DISPOSED,
        CLOSED,
        DONE_ON,
        JUDGED_BEFORE_2018_OPEN,
        PARTICIPANTS,
        CLAIMANTS,
        RECOVERED,
        LOSSES_CONFIRMED,
        PAID,
    ],
};
