//! The Parquet exports' contract: every file's columns in order, each with its name, its type,
//! what it means in Chinese and English, and its unit. The writers in `output::tables` build
//! each file from its [`Export`] (a writer whose columns differ from it is refused before a byte
//! is written), the readers of earlier runs (`payout::ledger`, `statement`, the bulletin, the
//! desk) ask for columns by these fields and get them typed, and docs/columns.md is generated
//! from the files and checked against this contract by a test. One file per export; the fields
//! several exports share, with one meaning, are here.
//!
//! To add a column: a `Field` in its export's file, placed in `EXPORT.columns`, a getter beside
//! it in the writer, then regenerate docs/columns.md (see that page).

pub mod case_clawbacks;
pub mod case_docket;
pub mod case_participants;
pub mod case_payouts;
pub mod case_rounds;
pub mod case_waterfall;
pub mod claims;
pub mod districts;
pub mod lenders;
pub mod payout_rounds;
pub mod payouts;
pub mod plan;
pub mod plan_stages;
pub mod platforms;
pub mod returned_transfers;
pub mod rule_compare;
pub mod rule_lenders;
pub mod vote_lenders;
pub mod vote_platforms;

/// The type of an export column, as Arrow and Parquet store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Fen, written as Decimal(18,2) yuan.
    Money,
    Int,
    /// A float (a share, a percentage, a Gini coefficient).
    Ratio,
    Bool,
    Date,
    /// List of text.
    TextList,
    /// List of struct {rule, value, threshold, fired}.
    Reasons,
    /// List of struct {step, step_zh, due_on}.
    Steps,
}

impl Kind {
    /// The unit a column of this type has unless its field says otherwise.
    pub const fn default_unit(self) -> &'static str {
        match self {
            Kind::Money => "元 yuan (Decimal 18,2)",
            Kind::Ratio => "ratio 0–1",
            Kind::Int => "count",
            Kind::Date => "date",
            _ => "",
        }
    }
}

/// One column of an export: name, type, meaning and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub zh: &'static str,
    pub en: &'static str,
    pub unit: &'static str,
}

impl Field {
    /// A field with its type's unit.
    pub const fn new(name: &'static str, kind: Kind, zh: &'static str, en: &'static str) -> Field {
        Field {
            name,
            kind,
            zh,
            en,
            unit: kind.default_unit(),
        }
    }

    /// The same field in another unit (months, percent).
    pub const fn unit(self, unit: &'static str) -> Field {
        Field { unit, ..self }
    }
}

/// An export file: its name, the columns its rows are sorted by (ascending, nulls first, in
/// byte order), and its columns in order.
#[derive(Debug)]
pub struct Export {
    pub file: &'static str,
    pub sorted_by: &'static [&'static str],
    pub columns: &'static [Field],
}

impl Export {
    /// The column called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.columns.iter().find(|f| f.name == name)
    }
}

/// Every export, in the order docs/columns.md lists them.
pub const ALL: [&Export; 19] = [
    &platforms::EXPORT,
    &claims::EXPORT,
    &lenders::EXPORT,
    &districts::EXPORT,
    &plan::EXPORT,
    &plan_stages::EXPORT,
    &payouts::EXPORT,
    &payout_rounds::EXPORT,
    &returned_transfers::EXPORT,
    &rule_compare::EXPORT,
    &rule_lenders::EXPORT,
    &vote_platforms::EXPORT,
    &vote_lenders::EXPORT,
    &case_participants::EXPORT,
    &case_clawbacks::EXPORT,
    &case_waterfall::EXPORT,
    &case_rounds::EXPORT,
    &case_payouts::EXPORT,
    &case_docket::EXPORT,
];

// The fields several exports share, with one meaning.
pub const CASE_ID: Field = Field::new("case_id", Kind::Text, "案件编号", "case id");
pub const CASE_ROUND: Field = Field::new("round", Kind::Int, "清退轮次", "clearance round");
pub const PERSON_ID: Field = Field::new(
    "person_id",
    Kind::Text,
    "人员编号（--pseudonymize 时为化名）",
    "person id (a keyed pseudonym under --pseudonymize)",
);
pub const CLAIM: Field = Field::new("claim", Kind::Money, "债权额", "the claim under its basis");
pub const CLASS: Field = Field::new(
    "class",
    Kind::Text,
    "分类代码",
    "class code: failed, zombie, small, high_risk, normal",
);
pub const CLASS_ZH: Field = Field::new(
    "class_zh",
    Kind::Text,
    "分类",
    "class in Chinese: 已出险, 僵尸类, 规模较小, 高风险, 正常",
);
pub const DISTRICT: Field = Field::new(
    "district",
    Kind::Text,
    "属地（区/县）",
    "district answerable (属地)",
);
pub const LENDER_ID: Field = Field::new(
    "lender_id",
    Kind::Text,
    "出借人编号（--pseudonymize 时为化名）",
    "lender id (a keyed pseudonym under --pseudonymize)",
);
pub const LENDER_OUTSTANDING: Field = Field::new(
    "lender_outstanding",
    Kind::Money,
    "出借余额（出借本金 − 已还本金）",
    "lender outstanding: invested − principal returned",
);
pub const LENDERS_CURRENT: Field = Field::new(
    "lenders_current",
    Kind::Int,
    "在贷出借人数",
    "lenders with outstanding > 0",
);
pub const NAME: Field = Field::new("name", Kind::Text, "平台名称", "platform name");
pub const PLATFORM_ID: Field = Field::new("platform_id", Kind::Text, "平台编号", "platform id");
pub const ROUND: Field = Field::new("round", Kind::Int, "兑付轮次", "payout round");
pub const STAGE: Field = Field::new(
    "stage",
    Kind::Int,
    "阶段",
    "stage of the exit plan (0: the start)",
);
pub const STATUS: Field = Field::new(
    "status",
    Kind::Text,
    "兑付状态",
    "eligible (paid), reserved (unregistered: held, 提存) or excluded",
);
pub const SUBCLASS: Field = Field::new(
    "subclass",
    Kind::Text,
    "已出险细类代码",
    "how a failed platform failed: filed, hostile, voluntary",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_export_names_each_column_once_describes_it_and_sorts_by_its_own_columns() {
        let mut files = std::collections::HashSet::new();
        for e in ALL {
            assert!(files.insert(e.file), "{} twice", e.file);
            let mut names = std::collections::HashSet::new();
            for f in e.columns {
                assert!(names.insert(f.name), "{} {} twice", e.file, f.name);
                assert!(
                    !f.zh.is_empty() && !f.en.is_empty(),
                    "{} {}",
                    e.file,
                    f.name
                );
            }
            for key in e.sorted_by {
                assert!(e.field(key).is_some(), "{} sorted by {key}", e.file);
            }
        }
    }

    #[test]
    fn a_field_takes_its_types_unit_unless_given_one() {
        assert_eq!(payouts::PAID.unit, "元 yuan (Decimal 18,2)");
        assert_eq!(plan_stages::PLATFORMS_REMAINING_PCT.unit, "percent");
        assert_eq!(PLATFORM_ID.unit, "");
        assert_eq!(ROUND.unit, "count");
    }
}
