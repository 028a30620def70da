//! payout_rounds.parquet: per platform and round: the pool and where it went.

use super::{Export, Field, Kind};

pub const POOL: Field = Field::new(
    "pool",
    Kind::Money,
    "本轮可分配金额",
    "Σ of the round's recoveries",
);
pub const PAID: Field = Field::new("paid", Kind::Money, "本轮兑付合计", "Σ paid");
pub const RESERVED: Field = Field::new("reserved", Kind::Money, "本轮提存合计", "Σ reserved");
pub const CARRIED: Field = Field::new("carried", Kind::Money, "本轮结转合计", "Σ carried");
pub const SURPLUS: Field = Field::new(
    "surplus",
    Kind::Money,
    "本轮结余（超出全部剩余债权）",
    "pool beyond every remaining claim: reported, never paid",
);
pub const LENDERS: Field = Field::new(
    "lenders",
    Kind::Int,
    "本轮参与出借人数",
    "lenders in the round",
);
pub const LENDERS_PAID: Field = Field::new(
    "lenders_paid",
    Kind::Int,
    "本轮实际兑付人数",
    "lenders paid more than 0",
);
pub const LEVEL: Field = Field::new(
    "level",
    Kind::Ratio,
    "本轮兑付水平（累计比例）",
    "the level every lender below it is raised to (see docs/payouts.md)",
);
pub const RETURNED: Field = Field::new(
    "returned",
    Kind::Money,
    "本轮退汇待重发合计",
    "Σ returned: paid + reserved + carried + returned + surplus = pool",
);
pub const REISSUED: Field = Field::new(
    "reissued",
    Kind::Money,
    "本次重发合计",
    "Σ reissued: the round's transfers in this run's payment file when it came from the ledger",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "payout_rounds.parquet",
    sorted_by: &["platform_id", "round"],
    columns: &[
        super::PLATFORM_ID,
        super::ROUND,
        POOL,
        PAID,
        RESERVED,
        CARRIED,
        SURPLUS,
        LENDERS,
        LENDERS_PAID,
        LEVEL,
        RETURNED,
        REISSUED,
    ],
};
