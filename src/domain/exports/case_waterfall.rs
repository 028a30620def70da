//! case_waterfall.parquet: per case and claimant class, in the order of 法释〔2014〕13号 art. 13,
//! what the class is owed, what everything realised to date pays it, and the shortfall.

use super::{Export, Field, Kind, CASE_ID};

pub const RANK: Field = Field::new(
    "rank",
    Kind::Int,
    "受偿顺位",
    "the class's place in the order (1 first)",
);
pub const CLAIMANT_CLASS: Field = Field::new(
    "claimant_class",
    Kind::Text,
    "受偿类别代码",
    "medical, secured, participants, civil_debts, fines, confiscation",
);
pub const CLAIMANT_CLASS_ZH: Field = Field::new(
    "claimant_class_zh",
    Kind::Text,
    "受偿类别",
    "the class in Chinese",
);
pub const OWED: Field = Field::new("owed", Kind::Money, "应受偿金额", "what the class is owed");
pub const PAID: Field = Field::new(
    "paid",
    Kind::Money,
    "可受偿金额",
    "what everything realised to date pays the class",
);
pub const SHORTFALL: Field = Field::new("shortfall", Kind::Money, "缺口", "owed − paid");

pub const EXPORT: Export = Export {
    file: "case_waterfall.parquet",
    sorted_by: &["case_id", "rank"],
    columns: &[
        CASE_ID,
        RANK,
        CLAIMANT_CLASS,
        CLAIMANT_CLASS_ZH,
        OWED,
        PAID,
        SHORTFALL,
    ],
};
