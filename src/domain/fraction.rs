//! The one exact fraction type ([`Ratio`]): a config threshold, a vote's discount or schedule,
//! a payout's level; compared by value without forming a product, so no operand size can
//! overflow (thresholds may have 28 decimals); multiplied and added with checked arithmetic.

/// An exact fraction `num / den` (den > 0), compared without rounding. `==` compares the
/// fields (1/2 and 2/4 differ); [`Ratio::compare`] compares values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    /// `num / den` in lowest terms, the sign on the numerator (den ≠ 0).
    pub fn new(num: i128, den: i128) -> Ratio {
        let g = gcd(num.unsigned_abs(), den.unsigned_abs()).max(1) as i128;
        let sign = if den < 0 { -1 } else { 1 };
        Ratio {
            num: sign * (num / g),
            den: sign * (den / g),
        }
    }

    /// The product, or `None` beyond 128 bits.
    pub fn checked_mul(self, o: Ratio) -> Option<Ratio> {
        Some(Ratio::new(
            self.num.checked_mul(o.num)?,
            self.den.checked_mul(o.den)?,
        ))
    }

    /// The sum, or `None` beyond 128 bits.
    pub fn checked_add(self, o: Ratio) -> Option<Ratio> {
        let num = self
            .num
            .checked_mul(o.den)?
            .checked_add(o.num.checked_mul(self.den)?)?;
        Some(Ratio::new(num, self.den.checked_mul(o.den)?))
    }

    /// Compare by value (1/2 and 2/4 are equal here), exactly, for any sizes.
    pub fn compare(self, o: Ratio) -> std::cmp::Ordering {
        cmp_fractions(self.num, self.den, o.num, o.den)
    }

    /// A non-negative decimal as written ("0.3"; "1/3" is not accepted), exactly.
    pub fn parse(text: &str) -> Option<Ratio> {
        let d: rust_decimal::Decimal = text.trim().parse().ok()?;
        if d.is_sign_negative() {
            return None;
        }
        let d = d.normalize();
        Some(Ratio::new(d.mantissa(), 10i128.pow(d.scale())))
    }

    pub fn from_decimal(d: rust_decimal::Decimal) -> Ratio {
        Ratio {
            num: d.mantissa(),
            den: 10i128.pow(d.scale()),
        }
    }

    /// Does `value_num / value_den` reach this threshold? A zero denominator is a ratio of 0.
    /// Exact for every threshold the config can hold (up to 28 decimals): no product is formed.
    pub fn reached_by(self, value_num: i64, value_den: i64) -> bool {
        if value_den == 0 {
            return self.num <= 0;
        }
        let (a, b) = if value_den < 0 {
            (-i128::from(value_num), -i128::from(value_den))
        } else {
            (i128::from(value_num), i128::from(value_den))
        };
        cmp_fractions(a, b, self.num, self.den) != std::cmp::Ordering::Less
    }

    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Compare a/b with c/d exactly (b, d > 0) without forming a product, so no operand size can
/// overflow: whole parts first, then the fractional parts by their reciprocals (Euclid).
pub fn cmp_fractions(a: i128, b: i128, c: i128, d: i128) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    debug_assert!(b > 0 && d > 0);
    match (a < 0, c < 0) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        // Both negative: compare the magnitudes the other way round.
        (true, true) => {
            return cmp_positive(c.unsigned_abs(), d as u128, a.unsigned_abs(), b as u128)
        }
        (false, false) => {}
    }
    cmp_positive(a as u128, b as u128, c as u128, d as u128)
}

/// a/b against c/d for a, c ≥ 0 and b, d > 0.
fn cmp_positive(mut a: u128, mut b: u128, mut c: u128, mut d: u128) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    // Each step compares whole parts, then swaps to the reciprocals of the remainders, which
    // reverses the order: a/b < c/d ⇔ d/rc < b/ra when the whole parts are equal.
    loop {
        let (qa, ra, qc, rc) = (a / b, a % b, c / d, c % d);
        if qa != qc {
            return qa.cmp(&qc);
        }
        match (ra == 0, rc == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => (a, b, c, d) = (d, rc, b, ra),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_comparison_is_exact_at_the_threshold() {
        let ten = Ratio { num: 1, den: 10 };
        assert!(ten.reached_by(10, 100)); // at
        assert!(!ten.reached_by(9_999, 100_000)); // just below
        assert!(ten.reached_by(10_001, 100_000)); // just above
        assert!(!ten.reached_by(0, 0)); // no denominator: 0
        assert!(Ratio { num: 0, den: 1 }.reached_by(0, 0));
        assert!(!Ratio { num: 1, den: 20 }.reached_by(-5, 100));
        assert!(ten.reached_by(i64::MAX, i64::MAX));
    }

    #[test]
    fn thresholds_with_28_decimals_compare_without_overflow() {
        // 0.1000000000000000000000000001: just above 10 %; the old a·d ≥ n·b overflowed i128.
        let c = crate::config::Config::from_toml(
            "[classify]\noverdue_90_ratio = \"0.1000000000000000000000000001\"\n",
        )
        .unwrap();
        let t = c.classify.overdue_90_ratio;
        assert_eq!(t.den, 10i128.pow(28));
        assert!(!t.reached_by(i64::MAX / 10, i64::MAX)); // below (MAX is not a multiple of 10)
        assert!(!t.reached_by(1, 10)); // exactly 10 %: below the threshold
        assert!(t.reached_by(1_000_000_001, 10_000_000_000)); // 0.1000000001: above
        assert!(t.reached_by(i64::MAX, i64::MAX));
        assert!(!t.reached_by(-1, 3));
    }

    proptest::proptest! {
        #[test]
        fn fraction_comparison_agrees_with_cross_multiplication(
            a in -1_000_000_000i128..1_000_000_000, b in 1i128..1_000_000_000,
            c in -1_000_000_000i128..1_000_000_000, d in 1i128..1_000_000_000,
        ) {
            proptest::prop_assert_eq!(cmp_fractions(a, b, c, d), (a * d).cmp(&(c * b)));
        }
    }
}
