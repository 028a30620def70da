//! Platform metrics (docs/rules.md), from what validation added up: the loan totals and borrower
//! figures per platform, and the lender × platform positions.
//!
//! In: [`InputData`]. Out: one [`PlatformMetrics`] per platform, sorted by platform_id in byte
//! order. Money is [`Fen`]; ratios are left as numerator and denominator for the exact
//! comparisons of [`crate::rules::classify`] (and as Float64 only in the exports).

use crate::domain::code::PlatformCode;
use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::input::data::InputData;

/// Everything §3 measures for one platform, plus its own flags from the platforms table.
#[derive(Debug, Clone, Default)]
pub struct PlatformMetrics {
    /// The platform's code in [`InputData`].
    pub code: PlatformCode,
    pub platform_id: String,
    pub name: String,
    pub district: String,
    pub case_filed: bool,
    pub controller_missing: bool,
    pub repayment_suspended: bool,
    pub cooperating: bool,
    pub reporting: bool,
    /// Normalised codes, contract order.
    pub red_flags: Vec<String>,
    pub lender_outstanding: Fen,
    pub lenders_current: i64,
    pub lenders_total: i64,
    pub loan_outstanding: Fen,
    pub borrowers_current: i64,
    pub overdue_amount: Fen,
    pub overdue_90_amount: Fen,
    pub top1_borrower_amount: Fen,
    pub top10_borrower_amount: Fen,
    pub related_party_amount: Fen,
    pub last_new_loan_on: Option<Date>,
    pub months_since_new_loan: Option<i32>,
    /// Latest maturity among loans with outstanding > 0 (when the book runs off).
    pub last_loan_maturity: Option<Date>,
    pub cap_breach_amount: Fen,
    /// Outstanding of linked investments maturing before their loan / of all linked ones.
    pub mismatch_amount: Fen,
    pub linked_amount: Fen,
    pub expected_recovery: Fen,
}

impl PlatformMetrics {
    /// lender_outstanding − loan_outstanding (may be negative).
    pub fn funding_gap(&self) -> Fen {
        self.lender_outstanding
            .saturating_sub(self.loan_outstanding)
    }
}

/// A ratio of two amounts as Float64 for the exports: 0 when the denominator is 0.
pub fn ratio(num: impl Into<i64>, den: impl Into<i64>) -> f64 {
    let (num, den) = (num.into(), den.into());
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Every platform's metrics, sorted by platform_id (byte order).
pub fn platform_metrics(data: &InputData, as_of: Option<Date>) -> Vec<PlatformMetrics> {
    let p = &data.platforms;
    p.by_id()
        .into_iter()
        .map(|code| {
            let c = code;
            let loans = &data.loans[c];
            let inv = &data.investments[c];
            let range = data.positions.ranges[c].clone();
            let (mut outstanding, mut current) = (Fen::ZERO, 0i64);
            for s in data.positions.sums.range(range.clone()) {
                let o = s.outstanding();
                outstanding = outstanding.saturating_add(o);
                current += i64::from(o > Fen::ZERO);
            }
            PlatformMetrics {
                code,
                platform_id: p.ids[c].clone(),
                name: p.names[c].clone(),
                district: p.districts[c].clone(),
                case_filed: p.case_filed[c],
                controller_missing: p.controller_missing[c],
                repayment_suspended: p.repayment_suspended[c],
                cooperating: p.cooperating[c],
                reporting: p.reporting[c],
                red_flags: p.red_flags[c].clone(),
                lender_outstanding: outstanding,
                lenders_current: current,
                lenders_total: range.len() as i64,
                loan_outstanding: loans.loan_outstanding,
                borrowers_current: loans.borrowers_current,
                overdue_amount: loans.overdue_amount,
                overdue_90_amount: loans.overdue_90_amount,
                top1_borrower_amount: loans.top1_borrower_amount,
                top10_borrower_amount: loans.top10_borrower_amount,
                related_party_amount: loans.related_party_amount,
                last_new_loan_on: loans.last_new_loan_on,
                months_since_new_loan: match (loans.last_new_loan_on, as_of) {
                    (Some(last), Some(as_of)) => Some(last.whole_months_until(as_of)),
                    _ => None,
                },
                last_loan_maturity: loans.last_loan_maturity,
                cap_breach_amount: loans.cap_breach_amount,
                mismatch_amount: inv.mismatch_amount,
                linked_amount: inv.linked_amount,
                expected_recovery: loans.expected_recovery,
            }
        })
        .collect()
}
