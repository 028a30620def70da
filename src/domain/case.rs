//! The words of an illegal-fundraising case's tables (docs/inputs.md, "Case tables"): a
//! person's role, what a cash flow was, an asset's kind and status, another claimant's class,
//! and where the case stands. Each has its code (as the exports write it), its Chinese name,
//! and the spellings an input cell may use (the code or the Chinese, case and surrounding
//! spaces ignored); [`Choice::parse`] refuses anything else.

/// A closed list of words a cell may hold.
pub trait Choice: Copy + Sized + 'static {
    /// Every value with its code, its Chinese name and other accepted spellings.
    const ALL: &'static [(Self, &'static str, &'static str, &'static [&'static str])];

    /// The value a cell names, by code, Chinese name or alias; `None` for anything else.
    fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        Self::ALL
            .iter()
            .find(|(_, code, zh, aliases)| {
                t.eq_ignore_ascii_case(code)
                    || t == *zh
                    || aliases.iter().any(|a| t.eq_ignore_ascii_case(a))
            })
            .map(|e| e.0)
    }

    /// The code the exports write (every value is in [`Choice::ALL`], a test checks it).
    fn code(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::ALL.iter().find(|e| e.0 == self).map_or("", |e| e.1)
    }

    /// The Chinese name.
    fn zh(self) -> &'static str
    where
        Self: PartialEq,
    {
        Self::ALL.iter().find(|e| e.0 == self).map_or("", |e| e.2)
    }
}

/// What a person was in the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Participant,
    /// An employee or salesperson of the fundraiser.
    Helper,
    Defendant,
    /// A relative or associate of the fundraiser: a participant unless also a defendant.
    Related,
}

impl Choice for Role {
    const ALL: &'static [(Self, &'static str, &'static str, &'static [&'static str])] = &[
        (
            Role::Participant,
            "participant",
            "集资参与人",
            &["参与人", "投资人"],
        ),
        (
            Role::Helper,
            "helper",
            "员工或业务员",
            &["employee", "salesperson", "员工", "业务员", "协助人"],
        ),
        (Role::Defendant, "defendant", "被告人", &["犯罪嫌疑人"]),
        (
            Role::Related,
            "related",
            "关联人员",
            &["关联人", "related_person"],
        ),
    ];
}

/// What one cash flow was, as the person saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flow {
    /// Money the person put in (reinvestment included: it is a new deposit).
    Deposit,
    /// Money taken back out.
    Withdrawal,
    /// Interest, dividends, returns.
    Return,
    /// Commissions, bonuses, agency or referral fees (提成、佣金、返点).
    Commission,
}

impl Choice for Flow {
    const ALL: &'static [(Self, &'static str, &'static str, &'static [&'static str])] = &[
        (Flow::Deposit, "deposit", "投入", &["存入", "充值", "投资"]),
        (Flow::Withdrawal, "withdrawal", "提现", &["取出", "取回"]),
        (
            Flow::Return,
            "return",
            "收益",
            &["利息", "interest", "分红"],
        ),
        (
            Flow::Commission,
            "commission",
            "提成",
            &["bonus", "佣金", "奖励", "返点"],
        ),
    ];
}

/// What an asset of the case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetKind {
    Cash,
    FrozenAccount,
    Property,
    Vehicle,
    Equity,
    Receivable,
    /// Money recovered from helpers and net winners (追缴).
    Clawback,
}

impl Choice for AssetKind {
    const ALL: &'static [(Self, &'static str, &'static str, &'static [&'static str])] = &[
        (AssetKind::Cash, "cash", "现金", &[]),
        (
            AssetKind::FrozenAccount,
            "frozen_account",
            "冻结账户资金",
            &["冻结账户"],
        ),
        (AssetKind::Property, "property", "房产", &["不动产"]),
        (AssetKind::Vehicle, "vehicle", "车辆", &[]),
        (AssetKind::Equity, "equity", "股权", &[]),
        (AssetKind::Receivable, "receivable", "债权", &["应收款"]),
        (AssetKind::Clawback, "clawback", "追缴款", &["追缴"]),
    ];
}

/// Where an asset is in its disposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssetStatus {
    Frozen,
    Seized,
    BeingSold,
    /// Turned into money: its realised value and date are known.
    Realised,
}

impl Choice for AssetStatus {
    const ALL: &'static [(Self, &'static str, &'static str, &'static [&'static str])] = &[
        (AssetStatus::Frozen, "frozen", "冻结", &[]),
        (AssetStatus::Seized, "seized", "查封扣押", &["查封", "扣押"]),
        (
            AssetStatus::BeingSold,
            "being_sold",
            "处置中",
            &["拍卖中", "变卖中"],
        ),
        (
            AssetStatus::Realised,
            "realised",
            "已变现",
            &["realized", "变现"],
        ),
    ];
}

/// Another claimant on the case's money (art. 13's classes other than the participants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimKind {
    /// Medical costs of personal injury.
    Medical,
    /// A claim secured on a named asset of the case.
    Secured,
    /// Another civil debt of the defendant.
    CivilDebt,
    Fine,
    Confiscation,
}

impl Choice for ClaimKind {
    const ALL: &'static [(Self, &'static str, &'static str, &'static [&'static str])] = &[
        (ClaimKind::Medical, "medical", "人身损害医疗费", &["医疗费"]),
        (
            ClaimKind::Secured,
            "secured",
            "优先受偿债权",
            &["担保债权", "抵押债权"],
        ),
        (
            ClaimKind::CivilDebt,
            "civil_debt",
            "其他民事债务",
            &["民事债务"],
        ),
        (ClaimKind::Fine, "fine", "罚金", &[]),
        (
            ClaimKind::Confiscation,
            "confiscation",
            "没收财产",
            &["没收"],
        ),
    ];
}

/// Where a case stands, in the order a case moves through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseStatus {
    Investigation,
    Prosecution,
    Trial,
    Execution,
    Clearance,
    /// Closed out (销号).
    Closed,
}

impl Choice for CaseStatus {
    const ALL: &'static [(Self, &'static str, &'static str, &'static [&'static str])] = &[
        (CaseStatus::Investigation, "investigation", "侦查", &[]),
        (
            CaseStatus::Prosecution,
            "prosecution",
            "起诉",
            &["审查起诉"],
        ),
        (CaseStatus::Trial, "trial", "审判", &[]),
        (CaseStatus::Execution, "execution", "执行", &[]),
        (CaseStatus::Clearance, "clearance", "清退", &[]),
        (CaseStatus::Closed, "closed", "销号", &["结案"]),
    ];
}

/// How participants and other civil creditors share the defendant's lawful property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LawfulProperty {
    /// Participants first, then other civil debts (most courts: e.g. (2020)川执监203号).
    #[default]
    ParticipantsFirst,
    /// Pro rata to what each is still owed ((2019)京03民终14189号).
    PariPassu,
}

impl LawfulProperty {
    /// The config's spelling: `participants_first` or `pro_rata`.
    pub fn parse(text: &str) -> Option<LawfulProperty> {
        match text.trim() {
            "participants_first" => Some(LawfulProperty::ParticipantsFirst),
            "pro_rata" => Some(LawfulProperty::PariPassu),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LawfulProperty::ParticipantsFirst => "participants_first",
            LawfulProperty::PariPassu => "pro_rata",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_name_values_by_code_chinese_or_alias_and_nothing_else() {
        assert_eq!(Role::parse(" Salesperson "), Some(Role::Helper));
        assert_eq!(Role::parse("被告人"), Some(Role::Defendant));
        assert_eq!(Flow::parse("佣金"), Some(Flow::Commission));
        assert_eq!(AssetStatus::parse("realized"), Some(AssetStatus::Realised));
        assert_eq!(CaseStatus::parse("销号"), Some(CaseStatus::Closed));
        assert_eq!(ClaimKind::parse("secured"), Some(ClaimKind::Secured));
        assert_eq!(Role::parse("victim"), None);
        assert_eq!(Flow::parse(""), None);
        assert_eq!(CaseStatus::Closed.code(), "closed");
        assert_eq!(AssetKind::Clawback.zh(), "追缴款");
    }

    #[test]
    fn every_value_is_listed_once_in_declaration_order() {
        // Fieldless enums: the discriminant is the place in ALL.
        macro_rules! listed {
            ($($t:ty),*) => {$(
                for (i, e) in <$t as Choice>::ALL.iter().enumerate() {
                    assert_eq!(e.0 as usize, i, "{}", e.1);
                    assert!(!e.0.code().is_empty() && !e.0.zh().is_empty());
                }
            )*};
        }
        listed!(Role, Flow, AssetKind, AssetStatus, ClaimKind, CaseStatus);
        assert_eq!(Role::ALL.len(), 4);
        assert_eq!(Flow::ALL.len(), 4);
        assert_eq!(AssetKind::ALL.len(), 7);
        assert_eq!(AssetStatus::ALL.len(), 4);
        assert_eq!(ClaimKind::ALL.len(), 5);
        assert_eq!(CaseStatus::ALL.len(), 6);
    }

    #[test]
    fn every_spelling_names_one_value() {
        fn check<T: Choice + PartialEq + std::fmt::Debug>() {
            let mut seen = std::collections::BTreeSet::new();
            for (_, code, zh, aliases) in T::ALL {
                for s in std::iter::once(code).chain([zh]).chain(aliases.iter()) {
                    assert!(seen.insert(s.to_lowercase()), "{s} twice");
                }
            }
        }
        check::<Role>();
        check::<Flow>();
        check::<AssetKind>();
        check::<AssetStatus>();
        check::<ClaimKind>();
        check::<CaseStatus>();
    }
}
