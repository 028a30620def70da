//! A classification rule's name and its values as the documents write them (plan.md,
//! report.html, the desk): flags as 是/否, months whole, counts with separators, money as
//! 万元/亿元, ratios and shares as percentages with at most two decimals.

use super::lang::Lang;
use super::number::{count, months};

/// A rule's name as the regulators' documents write it; "" for a rule it does not know.
pub fn zh(rule: &str) -> &'static str {
    match rule {
        "case_filed" => "已立案",
        "not_reporting" => "未正常报数",
        "controller_missing" => "实控人失联",
        "repayment_suspended" => "暂停兑付",
        "months_since_new_loan" => "距最近新增借款月数",
        "lender_outstanding" => "出借余额",
        "lenders_current" => "在贷出借人数",
        "red_flags" => "违规红线",
        "overdue_90_ratio" => "逾期90天以上占比",
        "funding_gap_ratio" => "资金缺口占比",
        "related_party_share" => "关联方借款占比",
        "top10_borrower_share" => "前十大借款人占比",
        "borrower_cap_breach_share" => "超限额借款占比",
        "maturity_mismatch_share" => "期限错配占比",
        _ => "",
    }
}

/// Whether a rule's value is a yes/no flag.
fn is_flag(rule: &str) -> bool {
    matches!(
        rule,
        "case_filed" | "controller_missing" | "repayment_suspended" | "not_reporting"
    )
}

/// A rule's value or threshold as people write it, in the process's language
/// ([`Lang::current`]): see [`value_in`].
pub fn value(rule: &str, v: f64) -> String {
    value_in(Lang::current(), rule, v)
}

/// A rule's value or threshold as people write it: `是 yes`/`否 no` for flags, `25 个月`,
/// `3` red flags, `1.2亿元` or `3500万元` for money (the value is yuan; `120,000,000 yuan` in
/// English alone), ratios and shares as percentages (`10%`, `2.5%`, `97.64%`).
pub fn value_in(lang: Lang, rule: &str, v: f64) -> String {
    match rule {
        r if is_flag(r) => {
            let yes = v >= 0.5;
            lang.pick(
                if yes { "是" } else { "否" },
                if yes { "yes" } else { "no" },
            )
        }
        "months_since_new_loan" if lang == Lang::En => {
            format!("{} months", count(v.round() as i64))
        }
        "months_since_new_loan" => months(v),
        "lenders_current" | "red_flags" => count(v.round() as i64),
        "lender_outstanding" if lang == Lang::En => {
            format!(
                "{} yuan",
                crate::domain::money::grouped((v * 100.0).round() as i128)
            )
        }
        "lender_outstanding" => crate::domain::money::wan_yi((v * 100.0).round() as i128),
        _ => {
            let pct = format!("{:.2}", v * 100.0);
            let pct = pct.trim_end_matches('0').trim_end_matches('.');
            format!("{pct}%")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_english_alone() {
        assert_eq!(value_in(Lang::En, "not_reporting", 1.0), "yes");
        assert_eq!(value_in(Lang::Zh, "not_reporting", 0.0), "否");
        assert_eq!(value_in(Lang::En, "months_since_new_loan", 6.0), "6 months");
        assert_eq!(
            value_in(Lang::En, "lender_outstanding", 100_000_000.0),
            "100,000,000.00 yuan"
        );
        assert_eq!(value_in(Lang::En, "overdue_90_ratio", 0.1), "10%");
    }

    #[test]
    fn values_as_written() {
        let b = Lang::Both;
        assert_eq!(value_in(b, "not_reporting", 1.0), "是 yes");
        assert_eq!(value_in(b, "case_filed", 0.0), "否 no");
        assert_eq!(value_in(b, "months_since_new_loan", 25.0), "25 个月");
        assert_eq!(value_in(b, "red_flags", 3.0), "3");
        assert_eq!(value_in(b, "lenders_current", 1_500.0), "1,500");
        assert_eq!(value_in(b, "lender_outstanding", 100_000_000.0), "1亿元");
        assert_eq!(value_in(b, "lender_outstanding", 35_000_000.0), "3500万元");
        assert_eq!(value_in(b, "overdue_90_ratio", 0.9764), "97.64%");
        assert_eq!(value_in(b, "top10_borrower_share", 0.1), "10%");
        assert_eq!(value_in(b, "funding_gap_ratio", 0.025), "2.5%");
        assert_eq!(zh("red_flags"), "违规红线");
        assert_eq!(zh("nonsense"), "");
    }
}
