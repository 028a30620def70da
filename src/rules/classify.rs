//! Classify: the five classes of the 2018 national tree (整治办函〔2018〕175号), docs/rules.md.
//!
//! In: a platform's [`PlatformMetrics`] and the resolved thresholds. Out: its class, the
//! subclass of a failed platform, the refer-to-unit flag, every rule with its value, threshold
//! and whether it fired, and a one-line reason in Chinese and English. Pure domain code, no
//! polars: ratios are compared exactly (num × d ≥ den × n), never as rounded floats.
//!
//! Order, first match wins (every rule is still evaluated and recorded): failed, zombie,
//! small, high_risk, normal.

use crate::config::ClassifyRules;
pub use crate::domain::class::{Class, Subclass};
use crate::domain::fraction::Ratio;
use crate::domain::money::Fen;
use crate::domain::schema::RED_FLAGS;
use crate::rules::metrics::{ratio, PlatformMetrics};

/// One evaluated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    pub rule: &'static str,
    /// The indicator's value (ratios as fractions, money in yuan, flags as 0/1, counts).
    pub value: Option<f64>,
    pub threshold: Option<f64>,
    pub fired: bool,
}

/// A platform's classification.
#[derive(Debug, Clone)]
pub struct Classification {
    pub class: Class,
    pub subclass: Option<Subclass>,
    pub refer_to_illegal_fundraising_unit: bool,
    pub reasons: Vec<RuleResult>,
    pub reason_zh: String,
    pub reason_en: String,
}

/// A high-risk ratio indicator: its rule name, labels, numerator, denominator and threshold.
struct Indicator {
    rule: &'static str,
    zh: &'static str,
    en: &'static str,
    num: Fen,
    den: Fen,
    threshold: Ratio,
}

/// Classify one platform.
pub fn classify(m: &PlatformMetrics, rules: &ClassifyRules) -> Classification {
    let mut reasons = Vec::new();
    let flag = |rule: &'static str, fired: bool| RuleResult {
        rule,
        value: Some(if fired { 1.0 } else { 0.0 }),
        threshold: Some(1.0),
        fired,
    };

    // 1. Failed.
    reasons.push(flag("case_filed", m.case_filed));
    reasons.push(flag("controller_missing", m.controller_missing));
    reasons.push(flag("repayment_suspended", m.repayment_suspended));
    let failed = m.case_filed || m.controller_missing || m.repayment_suspended;

    // 2. Zombie: no new loan for N whole months, or no loans at all.
    let zombie = m
        .months_since_new_loan
        .is_none_or(|months| i64::from(months) >= rules.zombie_months);
    reasons.push(RuleResult {
        rule: "months_since_new_loan",
        value: m.months_since_new_loan.map(f64::from),
        threshold: Some(rules.zombie_months as f64),
        fired: zombie,
    });

    // 3. Small.
    let small_outstanding = m.lender_outstanding < rules.small_max_outstanding;
    reasons.push(RuleResult {
        rule: "lender_outstanding",
        value: Some(m.lender_outstanding.get() as f64 / 100.0),
        threshold: Some(rules.small_max_outstanding.get() as f64 / 100.0),
        fired: small_outstanding,
    });
    let small_lenders = match rules.small_max_current_lenders {
        Some(max) => {
            let fired = m.lenders_current < max;
            reasons.push(RuleResult {
                rule: "lenders_current",
                value: Some(m.lenders_current as f64),
                threshold: Some(max as f64),
                fired,
            });
            fired
        }
        None => true,
    };
    let small = small_outstanding && small_lenders;

    // 4. High risk: any indicator.
    let red_flags = !m.red_flags.is_empty();
    reasons.push(RuleResult {
        rule: "red_flags",
        value: Some(m.red_flags.len() as f64),
        threshold: Some(1.0),
        fired: red_flags,
    });
    let indicators = indicators(m, rules);
    let mut fired_zh = Vec::new();
    let mut fired_en = Vec::new();
    if red_flags {
        let names: Vec<&str> = m
            .red_flags
            .iter()
            .map(|f| {
                RED_FLAGS
                    .iter()
                    .find(|(c, _)| c == f)
                    .map_or(f.as_str(), |(_, zh)| *zh)
            })
            .collect();
        fired_zh.push(format!("检查发现违规：{}", names.join("、")));
        fired_en.push(format!("red flags: {}", m.red_flags.join(", ")));
    }
    for ind in &indicators {
        let fired = ind.threshold.reached_by(ind.num.get(), ind.den.get());
        let value = ratio(ind.num, ind.den);
        reasons.push(RuleResult {
            rule: ind.rule,
            value: Some(value),
            threshold: Some(ind.threshold.as_f64()),
            fired,
        });
        if fired {
            let (v, t) = (percent(value), percent(ind.threshold.as_f64()));
            fired_zh.push(format!("{} {v} ≥ {t}", ind.zh));
            fired_en.push(format!("{} {v} ≥ {t}", ind.en));
        }
    }
    let not_reporting = !m.reporting;
    reasons.push(flag("not_reporting", not_reporting));
    if not_reporting {
        fired_zh.push("未正常报数".to_string());
        fired_en.push("not reporting".to_string());
    }
    let high_risk = !fired_zh.is_empty();

    let class = if failed {
        Class::Failed
    } else if zombie {
        Class::Zombie
    } else if small {
        Class::Small
    } else if high_risk {
        Class::HighRisk
    } else {
        Class::Normal
    };
    let subclass = if !failed {
        None
    } else if m.case_filed {
        Some(Subclass::Filed)
    } else if !m.cooperating {
        Some(Subclass::Hostile)
    } else {
        Some(Subclass::Voluntary)
    };

    let (zh, en) = reason(class, subclass, m, rules, &fired_zh, &fired_en);
    Classification {
        class,
        subclass,
        refer_to_illegal_fundraising_unit: not_reporting,
        reasons,
        reason_zh: format!("{}：{zh}", class.zh()),
        reason_en: format!("{}: {en}", class.code()),
    }
}

/// The six ratio indicators of §4 (high risk): each amount over its base, against its
/// threshold.
fn indicators(m: &PlatformMetrics, rules: &ClassifyRules) -> [Indicator; 6] {
    [
        Indicator {
            rule: "overdue_90_ratio",
            zh: "逾期90天以上占比",
            en: "overdue > 90 days",
            num: m.overdue_90_amount,
            den: m.loan_outstanding,
            threshold: rules.overdue_90_ratio,
        },
        Indicator {
            rule: "funding_gap_ratio",
            zh: "资金缺口占比",
            en: "funding gap",
            num: m.funding_gap(),
            den: m.lender_outstanding,
            threshold: rules.funding_gap_ratio,
        },
        Indicator {
            rule: "related_party_share",
            zh: "关联方借款占比",
            en: "related-party loans",
            num: m.related_party_amount,
            den: m.loan_outstanding,
            threshold: rules.related_party_share,
        },
        Indicator {
            rule: "top10_borrower_share",
            zh: "前十大借款人占比",
            en: "top-10 borrowers",
            num: m.top10_borrower_amount,
            den: m.loan_outstanding,
            threshold: rules.top10_borrower_share,
        },
        Indicator {
            rule: "borrower_cap_breach_share",
            zh: "超限额借款占比",
            en: "borrowers above cap",
            num: m.cap_breach_amount,
            den: m.loan_outstanding,
            threshold: rules.borrower_cap_breach_share,
        },
        Indicator {
            rule: "maturity_mismatch_share",
            zh: "期限错配占比",
            en: "maturity mismatch",
            num: m.mismatch_amount,
            den: m.linked_amount,
            threshold: rules.maturity_mismatch_share,
        },
    ]
}

/// The one-line reason of `class`, in Chinese and English: the failure flags and the subclass,
/// the months without a new loan, the size against the threshold, the indicators that fired
/// (`fired_zh`, `fired_en`), or why a platform is normal.
fn reason(
    class: Class,
    subclass: Option<Subclass>,
    m: &PlatformMetrics,
    rules: &ClassifyRules,
    fired_zh: &[String],
    fired_en: &[String],
) -> (String, String) {
    match class {
        Class::Failed => {
            let mut zh = Vec::new();
            let mut en = Vec::new();
            if m.case_filed {
                zh.push("已立案");
                en.push("police case filed");
            }
            if m.controller_missing {
                zh.push("实控人失联");
                en.push("controller unreachable");
            }
            if m.repayment_suspended {
                zh.push("兑付困难");
                en.push("repayment suspended");
            }
            // A failed platform always has a subclass (set just above from the same flags).
            let sub = subclass.unwrap_or(Subclass::Voluntary);
            (
                format!("{}（{}）", zh.join("；"), sub.zh()),
                format!("{} ({})", en.join("; "), sub.code()),
            )
        }
        Class::Zombie => match m.months_since_new_loan {
            Some(months) => (
                format!(
                    "距最近一笔新增借款 {months} 个月 ≥ {} 个月",
                    rules.zombie_months
                ),
                format!(
                    "{months} months since the last new loan ≥ {}",
                    rules.zombie_months
                ),
            ),
            None => ("无借款记录".to_string(), "no loans on record".to_string()),
        },
        Class::Small => {
            let mut zh = format!(
                "出借余额 {} < {}",
                wan(m.lender_outstanding),
                wan(rules.small_max_outstanding)
            );
            let mut en = format!(
                "lender outstanding {} < {}",
                yuan(m.lender_outstanding),
                yuan(rules.small_max_outstanding)
            );
            if let Some(max) = rules.small_max_current_lenders {
                zh.push_str(&format!("；在贷出借人 {} < {max}", m.lenders_current));
                en.push_str(&format!("; current lenders {} < {max}", m.lenders_current));
            }
            (zh, en)
        }
        Class::HighRisk => (fired_zh.join("；"), fired_en.join("; ")),
        Class::Normal => (
            format!(
                "出借余额 {} ≥ {}，各项风险指标均未触发",
                wan(m.lender_outstanding),
                wan(rules.small_max_outstanding)
            ),
            format!(
                "lender outstanding {} ≥ {}, no risk indicator fired",
                yuan(m.lender_outstanding),
                yuan(rules.small_max_outstanding)
            ),
        ),
    }
}

/// 23.5% (one decimal, trailing .0 dropped).
fn percent(v: f64) -> String {
    let p = format!("{:.1}", v * 100.0);
    format!("{}%", p.strip_suffix(".0").unwrap_or(&p))
}

/// An amount as 万元 / 亿元 text for the Chinese one-liners.
fn wan(fen: Fen) -> String {
    fen.wan_yi()
}

/// An amount as grouped yuan for English text, whole yuan without ".00".
fn yuan(fen: Fen) -> String {
    let g = fen.grouped();
    format!("{} yuan", g.strip_suffix(".00").unwrap_or(&g))
}

#[cfg(test)]
// Amounts in fen are written as yuan_fen: 200_000_000_00 is 2亿 yuan.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::config::Config;
    use proptest::prelude::*;

    fn rules() -> ClassifyRules {
        Config::default().classify
    }

    /// A large, healthy, reporting platform with a new loan last month: normal.
    fn healthy() -> PlatformMetrics {
        PlatformMetrics {
            platform_id: "P1".into(),
            cooperating: true,
            reporting: true,
            lender_outstanding: Fen(200_000_000_00),
            loan_outstanding: Fen(200_000_000_00),
            lenders_current: 10_000,
            lenders_total: 12_000,
            top10_borrower_amount: Fen(10_000_000_00),
            linked_amount: Fen(100_000_000_00),
            months_since_new_loan: Some(1),
            ..PlatformMetrics::default()
        }
    }

    fn class_of(m: &PlatformMetrics) -> Class {
        classify(m, &rules()).class
    }

    #[test]
    fn the_healthy_platform_is_normal() {
        let c = classify(&healthy(), &rules());
        assert_eq!(c.class, Class::Normal);
        assert!(c.reasons.iter().all(|r| !r.fired), "{:?}", c.reasons);
        assert!(c.reason_zh.starts_with("正常："), "{}", c.reason_zh);
    }

    #[test]
    fn failed_subclasses() {
        let mut m = healthy();
        m.repayment_suspended = true;
        let c = classify(&m, &rules());
        assert_eq!(
            (c.class, c.subclass),
            (Class::Failed, Some(Subclass::Voluntary))
        );
        m.cooperating = false;
        assert_eq!(classify(&m, &rules()).subclass, Some(Subclass::Hostile));
        m.case_filed = true;
        assert_eq!(classify(&m, &rules()).subclass, Some(Subclass::Filed));
        let mut m = healthy();
        m.controller_missing = true;
        assert_eq!(class_of(&m), Class::Failed);
        // Failed wins over zombie.
        m.months_since_new_loan = None;
        assert_eq!(class_of(&m), Class::Failed);
    }

    #[test]
    fn zombie_at_below_and_above_six_months() {
        let mut m = healthy();
        m.months_since_new_loan = Some(5);
        assert_eq!(class_of(&m), Class::Normal);
        m.months_since_new_loan = Some(6);
        assert_eq!(class_of(&m), Class::Zombie);
        m.months_since_new_loan = Some(7);
        assert_eq!(class_of(&m), Class::Zombie);
        m.months_since_new_loan = None;
        let c = classify(&m, &rules());
        assert_eq!(c.class, Class::Zombie);
        assert_eq!(c.reason_en, "zombie: no loans on record");
    }

    #[test]
    fn small_strictly_below_one_yi() {
        let mut m = healthy();
        m.lender_outstanding = Fen(100_000_000_00 - 1);
        m.loan_outstanding = m.lender_outstanding;
        assert_eq!(class_of(&m), Class::Small);
        m.lender_outstanding = Fen(100_000_000_00);
        m.loan_outstanding = m.lender_outstanding;
        assert_eq!(class_of(&m), Class::Normal);
        // The optional lender condition.
        let mut r = rules();
        r.small_max_current_lenders = Some(10_000);
        m.lender_outstanding = Fen(1);
        m.loan_outstanding = Fen(1);
        m.top10_borrower_amount = Fen::ZERO;
        m.lenders_current = 10_000;
        assert_eq!(classify(&m, &r).class, Class::Normal);
        m.lenders_current = 9_999;
        assert_eq!(classify(&m, &r).class, Class::Small);
    }

    /// Set the numerator of one ratio indicator to `num` over a denominator of 1,000,000 fen.
    fn with_ratio(rule: &str, num: i64) -> PlatformMetrics {
        let mut m = healthy();
        let den = Fen(100_000_000_00); // 1亿 yuan
        m.loan_outstanding = den;
        m.lender_outstanding = den;
        m.linked_amount = den;
        m.top10_borrower_amount = Fen::ZERO;
        match rule {
            "overdue_90_ratio" => m.overdue_90_amount = Fen(num),
            "funding_gap_ratio" => m.loan_outstanding = den - Fen(num),
            "related_party_share" => m.related_party_amount = Fen(num),
            "top10_borrower_share" => m.top10_borrower_amount = Fen(num),
            "borrower_cap_breach_share" => m.cap_breach_amount = Fen(num),
            "maturity_mismatch_share" => m.mismatch_amount = Fen(num),
            _ => unreachable!(),
        }
        // Keep every other ratio's denominator meaningful.
        if rule == "funding_gap_ratio" {
            m.linked_amount = den;
        }
        m
    }

    #[test]
    fn every_ratio_indicator_below_at_and_above_its_threshold() {
        let den: i64 = 100_000_000_00;
        for (rule, pct) in [
            ("overdue_90_ratio", 10),
            ("funding_gap_ratio", 5),
            ("related_party_share", 2),
            ("top10_borrower_share", 50),
            ("borrower_cap_breach_share", 10),
            ("maturity_mismatch_share", 20),
        ] {
            let at = den / 100 * pct;
            assert_eq!(
                class_of(&with_ratio(rule, at - 1)),
                Class::Normal,
                "{rule} just below"
            );
            let c = classify(&with_ratio(rule, at), &rules());
            assert_eq!(c.class, Class::HighRisk, "{rule} at");
            assert!(c.reasons.iter().any(|r| r.rule == rule && r.fired));
            assert_eq!(
                class_of(&with_ratio(rule, at + 1)),
                Class::HighRisk,
                "{rule} just above"
            );
        }
    }

    #[test]
    fn reason_lines_name_value_and_threshold() {
        let den: i64 = 100_000_000_00;
        let c = classify(&with_ratio("overdue_90_ratio", den / 1000 * 235), &rules());
        assert_eq!(c.reason_zh, "高风险：逾期90天以上占比 23.5% ≥ 10%");
        assert_eq!(c.reason_en, "high_risk: overdue > 90 days 23.5% ≥ 10%");
    }

    #[test]
    fn red_flags_and_not_reporting() {
        let mut m = healthy();
        m.red_flags = vec!["cash_pool".into()];
        let c = classify(&m, &rules());
        assert_eq!(c.class, Class::HighRisk);
        assert_eq!(c.reason_zh, "高风险：检查发现违规：资金池");
        let mut m = healthy();
        m.reporting = false;
        let c = classify(&m, &rules());
        assert_eq!(c.class, Class::HighRisk);
        assert!(c.refer_to_illegal_fundraising_unit);
        // Small and not reporting: still small, still referred.
        m.lender_outstanding = Fen(1);
        let c = classify(&m, &rules());
        assert_eq!(c.class, Class::Small);
        assert!(c.refer_to_illegal_fundraising_unit);
    }

    #[test]
    fn zero_denominators_give_zero_ratios() {
        let mut m = healthy();
        m.loan_outstanding = Fen::ZERO;
        m.lender_outstanding = Fen(200_000_000_00);
        m.linked_amount = Fen::ZERO;
        m.top10_borrower_amount = Fen::ZERO;
        // The whole book is a funding gap (ratio 1): high risk, but nothing divides by zero.
        let c = classify(&m, &rules());
        assert_eq!(c.class, Class::HighRisk);
        let overdue = c
            .reasons
            .iter()
            .find(|r| r.rule == "overdue_90_ratio")
            .unwrap();
        assert_eq!((overdue.value, overdue.fired), (Some(0.0), false));
    }

    fn arb_metrics() -> impl Strategy<Value = PlatformMetrics> {
        (
            (
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            ),
            (0i64..300_000_000_00, 0i64..300_000_000_00, 0i64..20_000),
            (0u32..=100, 0u32..=100, 0u32..=100, 0u32..=100, 0u32..=100),
            (proptest::option::of(0i32..40), any::<bool>()),
        )
            .prop_map(|(flags, sizes, pcts, (months, red))| {
                let (lo, loan, lenders) = sizes;
                let share = |p: u32| loan / 100 * i64::from(p);
                PlatformMetrics {
                    platform_id: "P".into(),
                    case_filed: flags.0,
                    controller_missing: flags.1 && flags.0,
                    repayment_suspended: flags.2 && flags.1,
                    cooperating: flags.3,
                    reporting: flags.4 || flags.3,
                    red_flags: if red {
                        vec!["cash_pool".into()]
                    } else {
                        vec![]
                    },
                    lender_outstanding: Fen(lo),
                    loan_outstanding: Fen(loan),
                    lenders_current: lenders,
                    overdue_90_amount: Fen(share(pcts.0)),
                    related_party_amount: Fen(share(pcts.1)),
                    top10_borrower_amount: Fen(share(pcts.2)),
                    cap_breach_amount: Fen(share(pcts.3)),
                    mismatch_amount: Fen(share(pcts.4)),
                    linked_amount: Fen(loan),
                    months_since_new_loan: months,
                    ..PlatformMetrics::default()
                }
            })
    }

    proptest! {
        /// Raising any high-risk indicator, or setting any failure flag, never moves a platform
        /// to a less severe class.
        #[test]
        fn worse_signals_never_make_a_platform_less_severe(m in arb_metrics(), which in 0usize..9, bump in 1i64..50_000_000_00) {
            let before = class_of(&m).severity();
            let mut w = m.clone();
            match which {
                0 => w.overdue_90_amount = (w.overdue_90_amount + Fen(bump)).min(w.loan_outstanding),
                1 => w.related_party_amount = (w.related_party_amount + Fen(bump)).min(w.loan_outstanding),
                2 => w.top10_borrower_amount = (w.top10_borrower_amount + Fen(bump)).min(w.loan_outstanding),
                3 => w.cap_breach_amount = (w.cap_breach_amount + Fen(bump)).min(w.loan_outstanding),
                4 => w.mismatch_amount = (w.mismatch_amount + Fen(bump)).min(w.linked_amount),
                5 => w.red_flags.push("self_financing".into()),
                6 => w.reporting = false,
                7 => w.case_filed = true,
                _ => w.repayment_suspended = true,
            }
            prop_assert!(class_of(&w).severity() >= before, "{:?} → {:?}", class_of(&m), class_of(&w));
        }
    }
}
