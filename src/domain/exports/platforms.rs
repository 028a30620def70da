//! platforms.parquet: one row per platform: every §3 metric, the class and its reasons, the §4 roll-ups.

use super::{Export, Field, Kind};

pub const SUBCLASS_ZH: Field = Field::new(
    "subclass_zh",
    Kind::Text,
    "已出险细类",
    "subclass in Chinese: 已立案, 恶性退出, 主动清退",
);
pub const REFER_TO_ILLEGAL_FUNDRAISING_UNIT: Field = Field::new(
    "refer_to_illegal_fundraising_unit",
    Kind::Bool,
    "未正常报数，移送处非机制",
    "not reporting: referred to the illegal-fundraising unit",
);
pub const LENDERS_TOTAL: Field = Field::new(
    "lenders_total",
    Kind::Int,
    "出借人数",
    "lenders with any investment",
);
pub const LOAN_OUTSTANDING: Field = Field::new(
    "loan_outstanding",
    Kind::Money,
    "借款余额",
    "loan outstanding principal",
);
pub const BORROWERS_CURRENT: Field = Field::new(
    "borrowers_current",
    Kind::Int,
    "在贷借款人数",
    "borrowers with outstanding > 0",
);
pub const OVERDUE_AMOUNT: Field = Field::new(
    "overdue_amount",
    Kind::Money,
    "逾期借款余额",
    "outstanding of loans past due",
);
pub const OVERDUE_90_AMOUNT: Field = Field::new(
    "overdue_90_amount",
    Kind::Money,
    "逾期90天以上借款余额",
    "outstanding of loans > 90 days past due",
);
pub const OVERDUE_90_RATIO: Field = Field::new(
    "overdue_90_ratio",
    Kind::Ratio,
    "逾期90天以上占比",
    "overdue_90_amount / loan_outstanding",
);
pub const TOP1_BORROWER_SHARE: Field = Field::new(
    "top1_borrower_share",
    Kind::Ratio,
    "最大借款人余额占比",
    "largest borrower's outstanding / loan_outstanding",
);
pub const TOP10_BORROWER_SHARE: Field = Field::new(
    "top10_borrower_share",
    Kind::Ratio,
    "前十大借款人余额占比",
    "10 largest borrowers' outstanding / loan_outstanding",
);
pub const RELATED_PARTY_SHARE: Field = Field::new(
    "related_party_share",
    Kind::Ratio,
    "关联方借款占比",
    "related-party outstanding / loan_outstanding",
);
pub const FUNDING_GAP: Field = Field::new(
    "funding_gap",
    Kind::Money,
    "资金缺口（出借余额 − 借款余额）",
    "lender_outstanding − loan_outstanding",
);
pub const FUNDING_GAP_RATIO: Field = Field::new(
    "funding_gap_ratio",
    Kind::Ratio,
    "资金缺口占比",
    "funding_gap / lender_outstanding",
);
pub const LAST_NEW_LOAN_ON: Field = Field::new(
    "last_new_loan_on",
    Kind::Date,
    "最近一笔新增借款日期",
    "date of the last new loan",
);
pub const MONTHS_SINCE_NEW_LOAN: Field = Field::new(
    "months_since_new_loan",
    Kind::Int,
    "距最近一笔新增借款整月数",
    "whole months from the last new loan to the as-of date",
)
.unit("months");
pub const BORROWER_CAP_BREACH_SHARE: Field = Field::new(
    "borrower_cap_breach_share",
    Kind::Ratio,
    "超出借款限额的借款人余额占比",
    "outstanding of borrowers above their cap / loan_outstanding",
);
pub const MATURITY_MISMATCH_SHARE: Field = Field::new(
    "maturity_mismatch_share",
    Kind::Ratio,
    "期限错配占比",
    "outstanding of investments maturing before their loan / of linked investments",
);
pub const EXPECTED_RECOVERY: Field = Field::new(
    "expected_recovery",
    Kind::Money,
    "预计回收金额",
    "expected recovery of the loan book",
);
pub const TOTAL_CLAIM: Field = Field::new(
    "total_claim",
    Kind::Money,
    "债权总额（含排除人员）",
    "Σ claim over every lender row, excluded ones included",
);
pub const POOL_CLAIM: Field = Field::new(
    "pool_claim",
    Kind::Money,
    "参与兑付的债权额",
    "Σ claim of eligible and reserved rows",
);
pub const EXPECTED_PAYOUT_RATIO: Field = Field::new(
    "expected_payout_ratio",
    Kind::Ratio,
    "预计兑付比例",
    "expected_recovery / total_claim",
);
pub const CLAIM_LENDERS: Field = Field::new(
    "claim_lenders",
    Kind::Int,
    "有债权的出借人数",
    "lenders with claim > 0",
);
pub const BAND_0_1W_LENDERS: Field = Field::new(
    "band_0_1w_lenders",
    Kind::Int,
    "债权1万元以下出借人数",
    "lenders with a claim under 10,000 yuan",
);
pub const BAND_0_1W_CLAIM: Field = Field::new(
    "band_0_1w_claim",
    Kind::Money,
    "债权1万元以下金额",
    "claims under 10,000 yuan",
);
pub const BAND_1W_5W_LENDERS: Field = Field::new(
    "band_1w_5w_lenders",
    Kind::Int,
    "债权1万–5万元出借人数",
    "lenders with a claim of 10,000–50,000 yuan",
);
pub const BAND_1W_5W_CLAIM: Field = Field::new(
    "band_1w_5w_claim",
    Kind::Money,
    "债权1万–5万元金额",
    "claims of 10,000–50,000 yuan",
);
pub const BAND_5W_10W_LENDERS: Field = Field::new(
    "band_5w_10w_lenders",
    Kind::Int,
    "债权5万–10万元出借人数",
    "lenders with a claim of 50,000–100,000 yuan",
);
pub const BAND_5W_10W_CLAIM: Field = Field::new(
    "band_5w_10w_claim",
    Kind::Money,
    "债权5万–10万元金额",
    "claims of 50,000–100,000 yuan",
);
pub const BAND_10W_50W_LENDERS: Field = Field::new(
    "band_10w_50w_lenders",
    Kind::Int,
    "债权10万–50万元出借人数",
    "lenders with a claim of 100,000–500,000 yuan",
);
pub const BAND_10W_50W_CLAIM: Field = Field::new(
    "band_10w_50w_claim",
    Kind::Money,
    "债权10万–50万元金额",
    "claims of 100,000–500,000 yuan",
);
pub const BAND_50W_100W_LENDERS: Field = Field::new(
    "band_50w_100w_lenders",
    Kind::Int,
    "债权50万–100万元出借人数",
    "lenders with a claim of 500,000–1,000,000 yuan",
);
pub const BAND_50W_100W_CLAIM: Field = Field::new(
    "band_50w_100w_claim",
    Kind::Money,
    "债权50万–100万元金额",
    "claims of 500,000–1,000,000 yuan",
);
pub const BAND_100W_UP_LENDERS: Field = Field::new(
    "band_100w_up_lenders",
    Kind::Int,
    "债权100万元以上出借人数",
    "lenders with a claim of 1,000,000 yuan or more",
);
pub const BAND_100W_UP_CLAIM: Field = Field::new(
    "band_100w_up_claim",
    Kind::Money,
    "债权100万元以上金额",
    "claims of 1,000,000 yuan or more",
);
pub const TOP1_LENDER_SHARE: Field = Field::new(
    "top1_lender_share",
    Kind::Ratio,
    "最大出借人债权占比",
    "largest claim / total_claim",
);
pub const TOP10_LENDER_SHARE: Field = Field::new(
    "top10_lender_share",
    Kind::Ratio,
    "前十大出借人债权占比",
    "10 largest claims / total_claim",
);
pub const CLAIM_HHI: Field = Field::new(
    "claim_hhi",
    Kind::Ratio,
    "债权集中度（HHI）",
    "Σ of squared claim shares",
);
pub const CLAIM_MEDIAN: Field = Field::new(
    "claim_median",
    Kind::Money,
    "债权中位数（偶数取下中位）",
    "median claim > 0 (lower middle when even)",
);
pub const NET_WINNERS: Field = Field::new(
    "net_winners",
    Kind::Int,
    "净获益出借人数（追缴对象）",
    "net winners: returns above the principal (clawback candidates)",
);
pub const NET_WINNER_TOTAL: Field = Field::new(
    "net_winner_total",
    Kind::Money,
    "净获益金额合计",
    "Σ of what net winners took out beyond their principal",
);
pub const REASONS: Field = Field::new(
    "reasons",
    Kind::Reasons,
    "分类规则逐条结果",
    "every classification rule: value, threshold, fired",
);
pub const REASON_ZH: Field = Field::new(
    "reason_zh",
    Kind::Text,
    "分类理由",
    "the class reason in Chinese",
);
pub const REASON_EN: Field = Field::new(
    "reason_en",
    Kind::Text,
    "分类理由（英文）",
    "the class reason in English",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "platforms.parquet",
    sorted_by: &["platform_id"],
    columns: &[
        super::PLATFORM_ID,
        super::NAME,
        super::DISTRICT,
        super::CLASS,
        super::CLASS_ZH,
        super::SUBCLASS,
        SUBCLASS_ZH,
        REFER_TO_ILLEGAL_FUNDRAISING_UNIT,
        super::LENDER_OUTSTANDING,
        super::LENDERS_CURRENT,
        LENDERS_TOTAL,
        LOAN_OUTSTANDING,
        BORROWERS_CURRENT,
        OVERDUE_AMOUNT,
        OVERDUE_90_AMOUNT,
        OVERDUE_90_RATIO,
        TOP1_BORROWER_SHARE,
        TOP10_BORROWER_SHARE,
        RELATED_PARTY_SHARE,
        FUNDING_GAP,
        FUNDING_GAP_RATIO,
        LAST_NEW_LOAN_ON,
        MONTHS_SINCE_NEW_LOAN,
        BORROWER_CAP_BREACH_SHARE,
        MATURITY_MISMATCH_SHARE,
        EXPECTED_RECOVERY,
        TOTAL_CLAIM,
        POOL_CLAIM,
        EXPECTED_PAYOUT_RATIO,
        CLAIM_LENDERS,
        BAND_0_1W_LENDERS,
        BAND_0_1W_CLAIM,
        BAND_1W_5W_LENDERS,
        BAND_1W_5W_CLAIM,
        BAND_5W_10W_LENDERS,
        BAND_5W_10W_CLAIM,
        BAND_10W_50W_LENDERS,
        BAND_10W_50W_CLAIM,
        BAND_50W_100W_LENDERS,
        BAND_50W_100W_CLAIM,
        BAND_100W_UP_LENDERS,
        BAND_100W_UP_CLAIM,
        TOP1_LENDER_SHARE,
        TOP10_LENDER_SHARE,
        CLAIM_HHI,
        CLAIM_MEDIAN,
        NET_WINNERS,
        NET_WINNER_TOTAL,
        REASONS,
        REASON_ZH,
        REASON_EN,
    ],
};

/// The (lenders, claim) columns of each claim-size band, in the order of
/// `rules::exposure::BANDS`.
pub static BAND_COLUMNS: [(Field, Field); 6] = [
    (BAND_0_1W_LENDERS, BAND_0_1W_CLAIM),
    (BAND_1W_5W_LENDERS, BAND_1W_5W_CLAIM),
    (BAND_5W_10W_LENDERS, BAND_5W_10W_CLAIM),
    (BAND_10W_50W_LENDERS, BAND_10W_50W_CLAIM),
    (BAND_50W_100W_LENDERS, BAND_50W_100W_CLAIM),
    (BAND_100W_UP_LENDERS, BAND_100W_UP_CLAIM),
];
