//! returned_transfers.parquet: transfers the bank returned, and what became of them.

use super::{Export, Field, Kind};

pub const RETURNED_TOTAL: Field = Field::new(
    "returned_total",
    Kind::Money,
    "累计退汇金额（退汇表合计）",
    "Σ of the returns table for the lender's transfers of the round",
);
pub const BOOKED_NOW: Field = Field::new(
    "booked_now",
    Kind::Money,
    "本次新记退汇",
    "returns booked in this run (the rest by the ledger's runs)",
);
pub const HELD: Field = Field::new(
    "held",
    Kind::Money,
    "退汇保管中（待重发）",
    "returned and held for the lender after this run",
);
pub const REISSUED: Field = Field::new(
    "reissued",
    Kind::Money,
    "本次重新支付",
    "sent again in this run, in its payment file and batches",
);
pub const LAST_RETURNED_ON: Field = Field::new(
    "last_returned_on",
    Kind::Date,
    "最近退汇日期",
    "the latest returned_on of the returns",
);
pub const DISPOSITION: Field = Field::new(
    "disposition",
    Kind::Text,
    "处理结果",
    "held | reissued (now) | settled (re-issued before)",
);
pub const REASON: Field = Field::new("reason", Kind::Text, "处理依据（代码）", "account_changed | account_unchanged | no_account_on_return | no_valid_account | reissued_before");
pub const REASON_ZH: Field = Field::new(
    "reason_zh",
    Kind::Text,
    "处理依据",
    "why it was held or sent again, in Chinese",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "returned_transfers.parquet",
    sorted_by: &["platform_id", "round", "lender_id"],
    columns: &[
        super::PLATFORM_ID,
        super::ROUND,
        super::LENDER_ID,
        RETURNED_TOTAL,
        BOOKED_NOW,
        HELD,
        REISSUED,
        LAST_RETURNED_ON,
        DISPOSITION,
        REASON,
        REASON_ZH,
    ],
};
