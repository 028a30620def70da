//! case_payouts.parquet: every claimant's line in every round so far (the ledger of case
//! payouts): no one beyond their loss, escrow paid once.

use super::{Export, Field, Kind, CASE_ID, CASE_ROUND, PERSON_ID};

pub const LOSS: Field = Field::new("loss", Kind::Money, "损失金额", "the claimant's loss");
pub const PAID_BEFORE: Field = Field::new(
    "paid_before",
    Kind::Money,
    "以前轮次已支付",
    "paid in earlier rounds, escrow released included",
);
pub const HELD_BEFORE: Field = Field::new(
    "held_before",
    Kind::Money,
    "以前轮次提存余额",
    "held in earlier rounds and not yet released",
);
pub const PAID: Field = Field::new("paid", Kind::Money, "本轮应付", "this round's share, paid");
pub const RELEASED: Field = Field::new(
    "released",
    Kind::Money,
    "解除提存支付",
    "earlier rounds' escrow, paid now that the claimant registered",
);
pub const HELD: Field = Field::new(
    "held",
    Kind::Money,
    "本轮提存",
    "this round's share, held in escrow (not registered)",
);
pub const PAYMENT: Field = Field::new(
    "payment",
    Kind::Money,
    "本轮实付",
    "paid + released: what reaches the payee",
);
pub const CHANNEL: Field = Field::new(
    "channel",
    Kind::Text,
    "支付方式",
    "deposit_certificate (at or above the threshold) or transfer; empty when nothing is paid",
);
pub const PAYEE: Field = Field::new(
    "payee",
    Kind::Text,
    "受领人",
    "person, or heir where the participant has died",
);

pub const EXPORT: Export = Export {
    file: "case_payouts.parquet",
    sorted_by: &["case_id", "round", "person_id"],
    columns: &[
        CASE_ID,
        CASE_ROUND,
        PERSON_ID,
        LOSS,
        PAID_BEFORE,
        HELD_BEFORE,
        PAID,
        RELEASED,
        HELD,
        PAYMENT,
        CHANNEL,
        PAYEE,
    ],
};
