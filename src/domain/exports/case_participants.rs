//! case_participants.parquet: per case and person: what they put in and received, their loss
//! and crime amount, and whether they are paid and why (docs/cases.md, "Loss" and "Who is
//! paid").

use super::{Export, Field, Kind, CASE_ID, PERSON_ID};

pub const ROLE: Field = Field::new(
    "role",
    Kind::Text,
    "身份",
    "role: participant, helper (employee or salesperson), defendant, related",
);
pub const STANDING: Field = Field::new(
    "standing",
    Kind::Text,
    "认定",
    "standing: claimant, defendant, helper, net_winner, no_loss",
);
pub const ELIGIBLE: Field = Field::new(
    "eligible",
    Kind::Bool,
    "是否参与清退",
    "paid in the rounds (claimants only)",
);
pub const WHY: Field = Field::new("why", Kind::Text, "认定理由", "the standing in words");
pub const ACCOUNTS: Field = Field::new(
    "accounts",
    Kind::Int,
    "合并账户数",
    "accounts merged into the person (online and offline)",
);
pub const PUT_IN: Field = Field::new(
    "put_in",
    Kind::Money,
    "投入金额",
    "money put in, reinvestment included",
);
pub const WITHDRAWN: Field = Field::new("withdrawn", Kind::Money, "提现金额", "money taken out");
pub const RETURNS: Field = Field::new(
    "returns",
    Kind::Money,
    "已获收益",
    "interest, dividends and returns received",
);
pub const COMMISSIONS: Field = Field::new(
    "commissions",
    Kind::Money,
    "提成奖励",
    "commissions and bonuses received",
);
pub const LOSS: Field = Field::new(
    "loss",
    Kind::Money,
    "损失金额（本金折抵后）",
    "put in − everything received, at least 0 (本金折抵): the claim",
);
pub const CRIME_AMOUNT: Field = Field::new(
    "crime_amount",
    Kind::Money,
    "犯罪数额（参考，不作为清退依据）",
    "all money put in, reinvestment included: reported, never the claim",
);
pub const REGISTERED_ON: Field = Field::new(
    "registered_on",
    Kind::Date,
    "登记日期",
    "registered on (none: not registered)",
);
pub const HEIR: Field = Field::new(
    "heir",
    Kind::Bool,
    "由继承人受领",
    "died: paid to the heir once the proof is accepted",
);
pub const HEIR_ACCEPTED_ON: Field = Field::new(
    "heir_accepted_on",
    Kind::Date,
    "继承证明受理日期",
    "the heir's proof accepted on",
);

pub const EXPORT: Export = Export {
    file: "case_participants.parquet",
    sorted_by: &["case_id", "person_id"],
    columns: &[
        CASE_ID,
        PERSON_ID,
        ROLE,
        STANDING,
        ELIGIBLE,
        WHY,
        ACCOUNTS,
        PUT_IN,
        WITHDRAWN,
        RETURNS,
        COMMISSIONS,
        LOSS,
        CRIME_AMOUNT,
        REGISTERED_ON,
        HEIR,
        HEIR_ACCEPTED_ON,
    ],
};
