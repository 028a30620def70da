//! Numbers as people read them: money in yuan with thousands separators and two decimals
//! (`834,857,322.59`) or as 万元/亿元 beside it; counts with separators (`22,557`); shares as
//! percentages with a fixed number of decimals; changes with their sign; months whole; persons
//! whole unless a turnout model made them an expectation.

pub use crate::domain::count::grouped as count;
pub use crate::domain::money::{grouped as yuan, wan_yi};

/// A count given as `u64` or `usize` (saturating beyond `i64`, which no count reaches).
pub fn count_u(n: impl TryInto<i64>) -> String {
    count(n.try_into().unwrap_or(i64::MAX))
}

/// An amount ([`crate::domain::money::Fen`], or fen in a column's `i64`) as yuan with
/// separators.
pub fn fen(f: impl Into<i128>) -> String {
    yuan(f.into())
}

/// Fen as 万元 with two decimals and separators, the same unit in every row of a column
/// (`25,574.29`), rounded half away from zero, exactly.
pub fn wan(fen: i128) -> String {
    let hundredths = (fen.unsigned_abs() + 5_000) / 10_000;
    let signed = i128::try_from(hundredths).unwrap_or(i128::MAX);
    yuan(if fen < 0 { -signed } else { signed })
}

/// A share (0.1234) as a percentage with `decimals` decimals: `12.34%`; `—` when undefined.
pub fn share(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "—".to_string(), |v| percent(v * 100.0, decimals))
}

/// A value already in percent (12.34) with `decimals` decimals: `12.34%`.
pub fn percent(p: f64, decimals: usize) -> String {
    format!("{p:.decimals$}%")
}

/// A change in percent with its sign, one decimal: `+1.5%`, `-20.0%`; `—` when undefined
/// (nothing to change from).
pub fn change(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p:+.1}%"))
}

/// A signed difference of counts: `+12`, `-1,204`, `0`.
pub fn count_diff(d: i64) -> String {
    match d {
        0 => "0".to_string(),
        d if d > 0 => format!("+{}", count(d)),
        d => count(d),
    }
}

/// A signed difference of money in fen: `+1,234.50`, `-12.00`, `0.00`.
pub fn fen_diff(d: i128) -> String {
    if d > 0 {
        format!("+{}", yuan(d))
    } else {
        yuan(d)
    }
}

/// Persons counted under a turnout model (an expectation): whole when whole (`102`), else one
/// decimal (`85.5`), with separators.
pub fn persons(v: f64) -> String {
    let tenths = (v * 10.0).round();
    if tenths % 10.0 == 0.0 {
        count((tenths / 10.0) as i64)
    } else {
        let whole = (tenths / 10.0).trunc();
        let sign = if v < 0.0 && whole == 0.0 { "-" } else { "" };
        format!(
            "{sign}{}.{}",
            count(whole as i64),
            (tenths % 10.0).abs() as i64
        )
    }
}

/// A margin of persons with its sign: `+0.5`, `-13`, `0`.
pub fn persons_margin(v: f64) -> String {
    let p = persons(v);
    if v > 0.0 && p != "0" {
        format!("+{p}")
    } else {
        p
    }
}

/// A duration in whole months, as the documents write it: `25 个月`.
pub fn months(v: f64) -> String {
    format!("{} 个月", count(v.round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_changes() {
        assert_eq!(share(Some(0.123_45), 2), "12.35%");
        assert_eq!(share(Some(1.0), 1), "100.0%");
        assert_eq!(share(None, 1), "—");
        assert_eq!(percent(82.0, 1), "82.0%");
        assert_eq!(change(Some(1.54)), "+1.5%");
        assert_eq!(change(Some(-20.0)), "-20.0%");
        assert_eq!(change(Some(0.0)), "+0.0%");
        assert_eq!(change(None), "—");
    }

    #[test]
    fn differences_keep_their_sign() {
        assert_eq!(count_diff(0), "0");
        assert_eq!(count_diff(1_204), "+1,204");
        assert_eq!(count_diff(-1_204), "-1,204");
        assert_eq!(fen_diff(123_450), "+1,234.50");
        assert_eq!(fen_diff(-1_200), "-12.00");
        assert_eq!(fen_diff(0), "0.00");
    }

    #[test]
    fn persons_whole_unless_expected() {
        assert_eq!(persons(102.0), "102");
        assert_eq!(persons(1_230.0), "1,230");
        assert_eq!(persons(85.5), "85.5");
        assert_eq!(persons(-0.5), "-0.5");
        assert_eq!(persons(-13.0), "-13");
        assert_eq!(persons_margin(0.5), "+0.5");
        assert_eq!(persons_margin(0.0), "0");
        assert_eq!(persons_margin(-1.5), "-1.5");
        assert_eq!(persons_margin(28.0), "+28");
    }

    #[test]
    fn wan_in_one_unit() {
        assert_eq!(wan(25_574_292_542), "25,574.29");
        assert_eq!(wan(5_000), "0.01");
        assert_eq!(wan(4_999), "0.00");
        assert_eq!(wan(-1_000_000), "-1.00");
        assert_eq!(wan(21_448_780_040), "21,448.78");
    }

    #[test]
    fn months_are_whole() {
        assert_eq!(months(25.0), "25 个月");
        assert_eq!(months(5.6), "6 个月");
    }
}
