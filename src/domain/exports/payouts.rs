//! payouts.parquet: per platform, round and lender: what the round paid, reserved and carried.

use super::{Export, Field, Kind};

pub const BEFORE: Field = Field::new(
    "before",
    Kind::Money,
    "此前各轮已兑付及提存",
    "paid + reserved in earlier rounds",
);
pub const PAID: Field = Field::new("paid", Kind::Money, "本轮兑付", "paid in the round");
pub const RESERVED: Field = Field::new(
    "reserved",
    Kind::Money,
    "本轮提存（未登记）",
    "held in reserve in the round (unregistered lender)",
);
pub const CARRIED: Field = Field::new(
    "carried",
    Kind::Money,
    "本轮结转（低于最低兑付额）",
    "carried: owed but below the minimum payment",
);
pub const CUMULATIVE: Field = Field::new(
    "cumulative",
    Kind::Money,
    "累计兑付、提存及退汇保留",
    "before + paid + reserved + returned",
);
pub const REMAINING: Field = Field::new("remaining", Kind::Money, "剩余债权", "claim − cumulative");
pub const CUMULATIVE_RATIO: Field = Field::new(
    "cumulative_ratio",
    Kind::Ratio,
    "累计兑付比例",
    "cumulative / claim",
);
pub const RETURNED: Field = Field::new(
    "returned",
    Kind::Money,
    "退汇待重发（银行退回，为出借人保留）",
    "sent, returned by the bank, held for the lender until re-issued",
);
pub const REISSUED: Field = Field::new(
    "reissued",
    Kind::Money,
    "本次重发的退汇金额",
    "returned amount sent again in this run (to a changed account)",
);
pub const RETURNED_TOTAL: Field = Field::new(
    "returned_total",
    Kind::Money,
    "累计退汇金额（退汇表）",
    "Σ of the returns table for this row: returned so far, re-issued or not",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "payouts.parquet",
    sorted_by: &["platform_id", "round", "lender_id"],
    columns: &[
        super::PLATFORM_ID,
        super::ROUND,
        super::LENDER_ID,
        super::STATUS,
        super::CLAIM,
        BEFORE,
        PAID,
        RESERVED,
        CARRIED,
        CUMULATIVE,
        REMAINING,
        CUMULATIVE_RATIO,
        RETURNED,
        REISSUED,
        RETURNED_TOTAL,
    ],
};
