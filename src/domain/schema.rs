//! The input tables of docs/inputs.md as data: their columns in contract order, each with its
//! type and whether it is required. The loader maps file headers onto these, the validator
//! parses cells by them, and nothing else needs to know a column's position.

/// The type of an input cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellType {
    Text,
    Money,
    Date,
    Bool,
    Integer,
    /// `individual` / `enterprise` (also 个人 / 企业), case-insensitive.
    BorrowerType,
    /// `;`-separated red-flag codes.
    RedFlags,
}

/// One column of an input table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: CellType,
    pub required: bool,
    /// Personal data: its value never reaches rejects.csv, logs or exports.
    pub personal: bool,
    /// A personal column read even when personal data is not kept: its check digit or its
    /// presence matters to the rules (a lender's id number, whether a participant has an heir).
    pub always_read: bool,
}

/// The input tables, in the order their parents are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Platforms,
    Loans,
    Lenders,
    Investments,
    Recoveries,
    /// The bank's list of transfers that came back (docs/payouts.md).
    Returns,
    /// An illegal-fundraising case's tables (docs/inputs.md, "Case tables"; docs/cases.md).
    Cases,
    Participants,
    CashFlows,
    CaseAssets,
    OtherClaims,
}

impl Table {
    /// The platform tables in validation order: every table after its parents
    /// (docs/inputs.md).
    pub const PLATFORM_TABLES: [Table; 6] = [
        Table::Platforms,
        Table::Loans,
        Table::Lenders,
        Table::Investments,
        Table::Recoveries,
        Table::Returns,
    ];

    /// The case tables in validation order (each after its parents).
    pub const CASE_TABLES: [Table; 5] = [
        Table::Cases,
        Table::Participants,
        Table::CashFlows,
        Table::CaseAssets,
        Table::OtherClaims,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Platforms => "platforms",
            Table::Loans => "loans",
            Table::Lenders => "lenders",
            Table::Investments => "investments",
            Table::Recoveries => "recoveries",
            Table::Returns => "returns",
            Table::Cases => "cases",
            Table::Participants => "participants",
            Table::CashFlows => "cash_flows",
            Table::CaseAssets => "case_assets",
            Table::OtherClaims => "other_claims",
        }
    }

    /// Recoveries and returns may be absent, and a case's assets and other claimants; the
    /// other tables of each set must be there.
    pub fn required(self) -> bool {
        !matches!(
            self,
            Table::Recoveries | Table::Returns | Table::CaseAssets | Table::OtherClaims
        )
    }

    /// The position of column `name` in contract order, at compile time (the validator's
    /// column constants); `usize::MAX` when the table has no such column.
    pub const fn position(self, name: &str) -> usize {
        let columns = self.columns();
        let mut i = 0;
        while i < columns.len() {
            if same(columns[i].name.as_bytes(), name.as_bytes()) {
                return i;
            }
            i += 1;
        }
        usize::MAX
    }

    pub const fn columns(self) -> &'static [ColumnSpec] {
        match self {
            Table::Platforms => PLATFORMS,
            Table::Loans => LOANS,
            Table::Lenders => LENDERS,
            Table::Investments => INVESTMENTS,
            Table::Recoveries => RECOVERIES,
            Table::Returns => RETURNS,
            Table::Cases => CASES,
            Table::Participants => PARTICIPANTS,
            Table::CashFlows => CASH_FLOWS,
            Table::CaseAssets => CASE_ASSETS,
            Table::OtherClaims => OTHER_CLAIMS,
        }
    }

    /// Index of a column by its contract name.
    pub fn column_index(self, name: &str) -> Option<usize> {
        self.columns().iter().position(|c| c.name == name)
    }
}

/// Byte equality, usable at compile time.
const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn col(name: &'static str, ty: CellType, required: bool) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        required,
        personal: false,
        always_read: false,
    }
}

const fn personal(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        name,
        ty: CellType::Text,
        required: false,
        personal: true,
        always_read: false,
    }
}

/// A personal column read even without personal data (see [`ColumnSpec::always_read`]).
const fn personal_always_read(name: &'static str) -> ColumnSpec {
    ColumnSpec {
        always_read: true,
        ..personal(name)
    }
}

use CellType::*;

const PLATFORMS: &[ColumnSpec] = &[
    col("platform_id", Text, true),
    col("name", Text, true),
    col("district", Text, true),
    col("case_filed", Bool, false),
    col("controller_missing", Bool, false),
    col("repayment_suspended", Bool, false),
    col("cooperating", Bool, false),
    col("reporting", Bool, false),
    col("red_flags", RedFlags, false),
];

const LENDERS: &[ColumnSpec] = &[
    col("lender_id", Text, true),
    personal("name"),
    personal_always_read("id_number"),
    personal("phone"),
    col("district", Text, false),
    col("registered", Bool, false),
    col("excluded", Bool, false),
    personal("bank_account"),
    personal("bank_name"),
    personal("account_name"),
];

const INVESTMENTS: &[ColumnSpec] = &[
    col("investment_id", Text, true),
    col("platform_id", Text, true),
    col("lender_id", Text, true),
    col("loan_id", Text, false),
    col("invested_on", Date, true),
    col("amount", Money, true),
    col("principal_returned", Money, false),
    col("returns_received", Money, false),
    col("matures_on", Date, false),
];

const LOANS: &[ColumnSpec] = &[
    col("loan_id", Text, true),
    col("platform_id", Text, true),
    col("borrower_id", Text, true),
    col("borrower_type", BorrowerType, true),
    col("related_party", Bool, false),
    col("originated_on", Date, true),
    col("principal", Money, true),
    col("outstanding_principal", Money, true),
    col("matures_on", Date, false),
    col("days_past_due", Integer, false),
    col("collateral_value", Money, false),
];

const RECOVERIES: &[ColumnSpec] = &[
    col("platform_id", Text, true),
    col("round", Integer, true),
    col("amount", Money, true),
    col("received_on", Date, true),
    col("source", Text, false),
];

/// A transfer the bank sent back: `bank_account` is the account it was sent to, as the bank's
/// list gives it (personal data; it tells whether the lender's account has changed since).
const RETURNS: &[ColumnSpec] = &[
    col("platform_id", Text, true),
    col("round", Integer, true),
    col("lender_id", Text, true),
    col("amount", Money, true),
    col("returned_on", Date, true),
    col("reason", Text, false),
    personal("bank_account"),
];

/// A case: where it stands (`status`, one of domain::case::CaseStatus) since `status_on`.
const CASES: &[ColumnSpec] = &[
    col("case_id", Text, true),
    col("name", Text, true),
    col("platform_ids", Text, false),
    col("district", Text, true),
    col("unit", Text, true),
    col("opened_on", Date, true),
    col("judged_on", Date, false),
    col("status", Text, true),
    col("status_on", Date, true),
];

/// A person of a case. The payee's name and bank details are the heir's where there is one.
const PARTICIPANTS: &[ColumnSpec] = &[
    col("case_id", Text, true),
    col("person_id", Text, true),
    col("role", Text, true),
    col("registered_on", Date, false),
    personal_always_read("heir_id"),
    col("heir_accepted_on", Date, false),
    personal("name"),
    personal("id_number"),
    personal("phone"),
    personal("bank_account"),
    personal("bank_name"),
];

/// One cash flow of one account; the account belongs to the person (a person's accounts are
/// merged).
const CASH_FLOWS: &[ColumnSpec] = &[
    col("case_id", Text, true),
    col("person_id", Text, true),
    col("account_id", Text, true),
    col("kind", Text, true),
    col("amount", Money, true),
    col("flow_on", Date, true),
];

const CASE_ASSETS: &[ColumnSpec] = &[
    col("case_id", Text, true),
    col("asset_id", Text, true),
    col("kind", Text, true),
    col("lawful", Bool, false),
    col("book_value", Money, false),
    col("status", Text, true),
    col("realised_value", Money, false),
    col("realised_on", Date, false),
];

const OTHER_CLAIMS: &[ColumnSpec] = &[
    col("case_id", Text, true),
    col("claim_id", Text, true),
    col("kind", Text, true),
    col("amount", Money, true),
    col("asset_id", Text, false),
];

/// The red-flag codes of docs/inputs.md, in contract order, with their Chinese names.
pub const RED_FLAGS: &[(&str, &str)] = &[
    ("self_financing", "自融"),
    ("cash_pool", "资金池"),
    ("guaranteed_return", "保本保息"),
    ("maturity_split", "期限拆分"),
    ("offline_sales", "线下推介"),
    ("false_advertising", "虚假宣传"),
    ("bundled_transfer", "打包债权转让"),
    ("own_products", "自行发售理财"),
];
