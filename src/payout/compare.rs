//! Comparing division rules (`winddown compare`): each platform's recoveries, all rounds as one
//! estate, divided among the same lenders (claim > 0, not excluded; reserved shares counted as
//! awarded) by every rule asked for, exactly to the fen, with no minimum payment.
//!
//! Per platform × rule: lenders paid in full, the lowest / median / highest payout ratio, the
//! Gini coefficient of the losses, and the largest gain and loss of one lender against `pro`.
//! Per lender × rule: the award.

use crate::domain::money::Fen;
use rayon::prelude::*;

use crate::domain::code::{LenderCode, PlatformCode};
use crate::error::Result;
use crate::input::data::InputData;
use crate::payout::allocate::{self, Division, Lender, Rule};
use crate::payout::rounds::pools;
use crate::rules::exposure::Claims;

/// One platform × rule of rule_compare.parquet.
#[derive(Debug, Clone)]
pub struct RuleSummary {
    pub platform: PlatformCode,
    pub rule: String,
    pub estate: i64,
    pub lenders: i64,
    pub paid_in_full: i64,
    pub min_ratio: Option<f64>,
    pub median_ratio: Option<f64>,
    pub max_ratio: Option<f64>,
    pub gini_of_losses: Option<f64>,
    /// Fen, against `pro`: the largest amount one lender gains, and loses (as a positive sum).
    pub largest_gain: i64,
    pub largest_loss: i64,
}

/// One lender × platform × rule of rule_lenders.parquet.
#[derive(Debug, Clone)]
pub struct LenderAward {
    pub platform: PlatformCode,
    pub lender: LenderCode,
    pub rule: String,
    pub claim: i64,
    pub award: i64,
}

/// Divide every platform's estate by every rule.
pub fn compare(
    data: &InputData,
    claims: &Claims,
    rules: &[Division],
) -> Result<(Vec<RuleSummary>, Vec<LenderAward>)> {
    let pools = pools(data);
    let order: Vec<PlatformCode> = data
        .platforms
        .by_id()
        .into_iter()
        .filter(|c| pools.contains_key(c))
        .collect();
    let per: Vec<Result<(Vec<RuleSummary>, Vec<LenderAward>)>> = order
        .par_iter()
        .map(|&code| {
            let estate: i64 = pools[&code]
                .iter()
                .fold(0i64, |a, (_, p)| a.saturating_add((*p).into()));
            let range = data.positions.ranges[code].clone();
            let members: Vec<(LenderCode, Lender)> = range
                .filter(|&i| claims.in_pool(data, code, i))
                .map(|i| {
                    let s = data.positions.sums.get(i);
                    let lender = data.positions.lender[i];
                    (
                        lender,
                        Lender {
                            key: data.lenders.rank[lender],
                            claim: claims.claim_on(code, &data.positions, i),
                            reserved: false,
                            before: Fen::ZERO,
                            invested: s.invested,
                            withdrawn: s.principal_returned.saturating_add(s.returns_received),
                        },
                    )
                })
                .collect();
            let lenders: Vec<Lender> = members.iter().map(|(_, l)| l.clone()).collect();
            let award = |division: Division| -> Result<Vec<i64>> {
                let r = allocate::allocate(
                    Fen(estate),
                    &lenders,
                    Rule {
                        division,
                        min_payment: None,
                    },
                )?;
                Ok(r.shares
                    .iter()
                    .map(|s| (s.paid + s.reserved + s.carried).get())
                    .collect())
            };
            let pro = award(Division::Pro)?;
            let mut summaries = Vec::with_capacity(rules.len());
            let mut awards = Vec::with_capacity(rules.len() * lenders.len());
            for &division in rules {
                let got = if division == Division::Pro {
                    pro.clone()
                } else {
                    award(division)?
                };
                summaries.push(summarise(
                    code,
                    &division.name(),
                    estate,
                    &lenders,
                    &got,
                    &pro,
                ));
                for ((lender, l), a) in members.iter().zip(&got) {
                    awards.push(LenderAward {
                        platform: code,
                        lender: *lender,
                        rule: division.name(),
                        claim: l.claim.get(),
                        award: *a,
                    });
                }
            }
            Ok((summaries, awards))
        })
        .collect();
    let mut summaries = Vec::new();
    let mut awards = Vec::new();
    for r in per {
        let (s, a) = r?;
        summaries.extend(s);
        awards.extend(a);
    }
    Ok((summaries, awards))
}

fn summarise(
    platform: PlatformCode,
    rule: &str,
    estate: i64,
    lenders: &[Lender],
    got: &[i64],
    pro: &[i64],
) -> RuleSummary {
    let mut ratios: Vec<f64> = lenders
        .iter()
        .zip(got)
        .map(|(l, a)| *a as f64 / l.claim.get() as f64)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let losses: Vec<i64> = lenders
        .iter()
        .zip(got)
        .map(|(l, a)| l.claim.get() - a)
        .collect();
    let diffs = got.iter().zip(pro).map(|(a, p)| a - p);
    RuleSummary {
        platform,
        rule: rule.to_string(),
        estate,
        lenders: lenders.len() as i64,
        paid_in_full: lenders
            .iter()
            .zip(got)
            .filter(|(l, a)| **a >= l.claim.get())
            .count() as i64,
        min_ratio: ratios.first().copied(),
        median_ratio: (!ratios.is_empty()).then(|| ratios[(ratios.len() - 1) / 2]),
        max_ratio: ratios.last().copied(),
        gini_of_losses: gini(&losses),
        largest_gain: diffs.clone().max().unwrap_or(0).max(0),
        largest_loss: (-diffs.min().unwrap_or(0)).max(0),
    }
}

/// The Gini coefficient of non-negative amounts: Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean), computed on the
/// sorted values in O(n log n); None when they are all 0.
pub fn gini(values: &[i64]) -> Option<f64> {
    let mut v: Vec<i64> = values.to_vec();
    v.sort_unstable();
    let n = v.len() as f64;
    let total: f64 = v.iter().map(|x| *x as f64).sum();
    if v.is_empty() || total <= 0.0 {
        return None;
    }
    // Σᵢ (2i − n + 1) xᵢ over the ascending order (i from 0), over n · total.
    let weighted: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * i as f64 - n + 1.0) * *x as f64)
        .sum();
    Some(weighted / (n * total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_equal_and_of_concentrated_amounts() {
        assert_eq!(gini(&[5, 5, 5, 5]), Some(0.0));
        // One of four holds everything: (n − 1) / n = 0.75.
        assert_eq!(gini(&[0, 0, 0, 8]), Some(0.75));
        assert_eq!(gini(&[0, 0]), None);
        // 1, 2, 3: Σ|xi − xj| = 8, 2 n² mean = 2·9·2 = 36 → 2/9.
        assert!((gini(&[3, 1, 2]).unwrap() - 2.0 / 9.0).abs() < 1e-12);
    }
}
