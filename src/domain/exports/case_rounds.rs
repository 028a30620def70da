//! case_rounds.parquet: every clearance round of every case so far (the ledger's rounds),
//! with where its money came from and went. Per round: paid + held + surplus = amount.

use super::{Export, Field, Kind, CASE_ID, CASE_ROUND};

pub const ROUND_ON: Field = Field::new("round_on", Kind::Date, "清退基准日", "the round's date");
pub const RECOVERED: Field = Field::new(
    "recovered",
    Kind::Money,
    "累计变现金额",
    "everything realised by the round's date",
);
pub const PARTICIPANTS_SHARE: Field = Field::new(
    "participants_share",
    Kind::Money,
    "集资参与人可受偿累计",
    "the participants' line of the waterfall on it",
);
pub const DISTRIBUTED_BEFORE: Field = Field::new(
    "distributed_before",
    Kind::Money,
    "以前轮次已分配",
    "what earlier rounds distributed",
);
pub const AMOUNT: Field = Field::new(
    "amount",
    Kind::Money,
    "本轮分配金额",
    "participants_share − distributed_before, at least 0",
);
pub const LOSSES_CONFIRMED: Field = Field::new(
    "losses_confirmed",
    Kind::Money,
    "核定损失合计",
    "Σ the claimants' losses",
);
pub const CLAIMANTS: Field = Field::new("claimants", Kind::Int, "清退人数", "claimants");
pub const RATIO: Field = Field::new(
    "ratio",
    Kind::Ratio,
    "累计清退比例",
    "of every claimant's loss, the share paid or held after the round",
);
pub const PAID: Field = Field::new("paid", Kind::Money, "本轮支付", "Σ paid in the round");
pub const RELEASED: Field = Field::new(
    "released",
    Kind::Money,
    "本轮解除提存支付",
    "escrow of earlier rounds paid to those who registered",
);
pub const HELD: Field = Field::new(
    "held",
    Kind::Money,
    "本轮提存",
    "Σ held in escrow for those not registered",
);
pub const ESCROW_OUTSTANDING: Field = Field::new(
    "escrow_outstanding",
    Kind::Money,
    "提存余额",
    "held and not yet released, after the round",
);
pub const SURPLUS: Field = Field::new(
    "surplus",
    Kind::Money,
    "本轮结余",
    "the round's amount beyond every loss: reported, never paid",
);
pub const WATERFALL_SURPLUS: Field = Field::new(
    "waterfall_surplus",
    Kind::Money,
    "清偿后剩余",
    "what is left after every claimant class",
);

pub const EXPORT: Export = Export {
    file: "case_rounds.parquet",
    sorted_by: &["case_id", "round"],
    columns: &[
        CASE_ID,
        CASE_ROUND,
        ROUND_ON,
        RECOVERED,
        PARTICIPANTS_SHARE,
        DISTRIBUTED_BEFORE,
        AMOUNT,
        LOSSES_CONFIRMED,
        CLAIMANTS,
        RATIO,
        PAID,
        RELEASED,
        HELD,
        ESCROW_OUTSTANDING,
        SURPLUS,
        WATERFALL_SURPLUS,
    ],
};
