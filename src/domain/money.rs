//! Money as integer fen (分, 1/100 yuan) in an `i64` (i128 for totals): parsing, every way it is
//! written out (plain yuan for files, grouped yuan and 万元/亿元 for people — the only
//! formatters in the crate), and the exact rounding of a binary float to the fen when a Parquet
//! file was written with float money.
//!
//! Nothing here touches `f64` arithmetic: text is parsed digit by digit, and a float is
//! decomposed into its exact mantissa and exponent before it is rounded.

/// Parse yuan as decimal text (docs/inputs.md) into fen.
///
/// Accepted: an optional `-`, digits (optionally grouped by `,` in threes: `1,234.50`),
/// optionally `.` and one or two digits. `-0` is 0. No exponents, no currency signs, no `+`.
/// The text must already be trimmed. Returns `None` for anything else, including values
/// beyond `i64` fen and amounts with three or more decimals (rejects, never roundings).
pub fn parse_fen(text: &str) -> Option<i64> {
    plain_fen(text.as_bytes()).or_else(|| any_fen(text))
}

/// The usual amount, `-`? then 1 to 16 digits, then `.` and one or two digits or nothing, in one
/// pass over its bytes (16 digits of yuan cannot overflow `i64` fen); `None` for anything else,
/// which [`any_fen`] reads. Where this reads a value, `any_fen` reads the same (a test says so).
#[inline]
fn plain_fen(b: &[u8]) -> Option<i64> {
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 16 {
        return None;
    }
    let yuan = b[..digits]
        .iter()
        .fold(0i64, |acc, c| acc * 10 + i64::from(c - b'0'));
    let cents = match &b[digits..] {
        [] => 0,
        [b'.', d] if d.is_ascii_digit() => i64::from(d - b'0') * 10,
        [b'.', d, e] if d.is_ascii_digit() && e.is_ascii_digit() => {
            i64::from(d - b'0') * 10 + i64::from(e - b'0')
        }
        _ => return None,
    };
    let fen = yuan * 100 + cents;
    Some(if negative { -fen } else { fen })
}

/// Any amount of the contract, grouped digits and the bounds of `i64` included.
fn any_fen(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let yuan_digits = integer_digits(int_part)?;
    let mut fen: i128 = 0;
    for d in yuan_digits {
        fen = fen * 10 + i128::from(d);
        if fen > i128::from(i64::MAX) {
            return None;
        }
    }
    fen *= 100;
    if let Some(frac) = frac_part {
        let bytes = frac.as_bytes();
        if bytes.is_empty() || bytes.len() > 2 || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let tens = i128::from(bytes[0] - b'0') * 10;
        let units = bytes.get(1).map_or(0, |b| i128::from(b - b'0'));
        fen += tens + units;
    }
    let signed = if negative { -fen } else { fen };
    i64::try_from(signed).ok()
}

/// The digits of the yuan part: plain (`1234`) or grouped in threes (`1,234`).
fn integer_digits(int_part: &str) -> Option<impl Iterator<Item = u8> + '_> {
    let bytes = int_part.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    if bytes.contains(&b',') {
        let mut groups = int_part.split(',');
        let first = groups.next()?;
        if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        for g in groups {
            if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
    } else if !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().filter(|b| **b != b',').map(|b| b - b'0'))
}

/// An amount of money: integer fen (分, 1/100 yuan), never a float. What a threshold, a
/// platform's figure, a lender's claim or a payment is; a column of many is a `Vec<i64>` of
/// fen inside the column core, and becomes a `Fen` where one amount is named. Shown as plain
/// yuan with two decimals (`Display`: `-1234.50`), or for people with [`Fen::grouped`] and
/// [`Fen::wan_yi`]; serialised as its integer fen.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);
    pub const MAX: Fen = Fen(i64::MAX);

    /// Yuan text (`1234.5`, `-0.05`, `1,000`) as fen: at most two decimals, else `None`.
    pub fn parse(text: &str) -> Option<Fen> {
        parse_fen(text).map(Fen)
    }

    /// The integer fen.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Widened, for totals.
    pub fn wide(self) -> i128 {
        i128::from(self.0)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn saturating_add(self, other: Fen) -> Fen {
        Fen(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: Fen) -> Fen {
        Fen(self.0.saturating_sub(other.0))
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// Yuan with thousands separators and two decimals: `-1,234,567.50`.
    pub fn grouped(self) -> String {
        grouped(self.wide())
    }

    /// 万元 below 1亿元, 亿元 from there ([`wan_yi`]).
    pub fn wan_yi(self) -> String {
        wan_yi(self.wide())
    }
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_fen(self.0))
    }
}

impl From<Fen> for i64 {
    fn from(f: Fen) -> i64 {
        f.0
    }
}

impl From<Fen> for i128 {
    fn from(f: Fen) -> i128 {
        i128::from(f.0)
    }
}

impl std::ops::Add for Fen {
    type Output = Fen;
    fn add(self, other: Fen) -> Fen {
        Fen(self.0 + other.0)
    }
}

impl std::ops::Sub for Fen {
    type Output = Fen;
    fn sub(self, other: Fen) -> Fen {
        Fen(self.0 - other.0)
    }
}

impl std::ops::AddAssign for Fen {
    fn add_assign(&mut self, other: Fen) {
        self.0 += other.0;
    }
}

impl std::ops::SubAssign for Fen {
    fn sub_assign(&mut self, other: Fen) {
        self.0 -= other.0;
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

/// Format fen as yuan text with exactly two decimals: `-1234.50`.
pub fn format_fen(fen: i64) -> String {
    format_fen_wide(i128::from(fen))
}

/// A decimal's mantissa at `scale` as text, every digit of the scale kept: `10000.000`,
/// `-0.05`, `42` at scale 0 (a Parquet decimal read as text, an export's CSV copy).
pub fn format_decimal(mantissa: i128, scale: u32) -> String {
    let sign = if mantissa < 0 { "-" } else { "" };
    let digits = mantissa.unsigned_abs().to_string();
    let scale = scale as usize;
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// [`format_fen`] for totals wider than i64.
pub fn format_fen_wide(fen: i128) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Fen as yuan with thousands separators and two decimals, for people: `-1,234,567.50`.
pub fn grouped(fen: i128) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let digits = (abs / 100).to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 4);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}.{:02}", abs % 100)
}

/// A summary figure as people write it: 万元 below 1亿元, 亿元 from there, at most two
/// decimals (trailing zeros dropped), rounded half away from zero, exactly:
/// 1,234,567,890,123 fen → "123.46亿元"; 5,000,000 fen → "5万元"; −150 fen → "-0.02万元".
pub fn wan_yi(fen: i128) -> String {
    const WAN: u128 = 10_000 * 100;
    const YI: u128 = 100_000_000 * 100;
    let abs = fen.unsigned_abs();
    let (unit, name) = if abs >= YI {
        (YI, "亿元")
    } else {
        (WAN, "万元")
    };
    // Hundredths of the unit, rounded half away from zero.
    let hundredths = (abs * 100 + unit / 2) / unit;
    let sign = if fen < 0 && hundredths > 0 { "-" } else { "" };
    let (int, frac) = (hundredths / 100, hundredths % 100);
    let frac = match frac {
        0 => String::new(),
        f if f % 10 == 0 => format!(".{}", f / 10),
        f => format!(".{f:02}"),
    };
    format!("{sign}{int}{frac}{name}")
}

/// Round a float yuan amount to the fen, half to even, from its exact binary value
/// (so 2.675, stored as 2.67499999…, becomes 2.67). `None` for NaN, infinities and
/// values beyond `i64` fen.
pub fn float_yuan_to_fen(value: f64) -> Option<i64> {
    if !value.is_finite() {
        return None;
    }
    if value == 0.0 {
        return Some(0);
    }
    let bits = value.to_bits();
    let negative = bits >> 63 == 1;
    let exp_bits = ((bits >> 52) & 0x7ff) as i32;
    let frac_bits = bits & ((1u64 << 52) - 1);
    // value = mantissa × 2^exp exactly.
    let (mantissa, exp) = if exp_bits == 0 {
        (frac_bits, -1074)
    } else {
        (frac_bits | (1u64 << 52), exp_bits - 1075)
    };
    // fen = mantissa × 100 × 2^exp.
    let scaled = u128::from(mantissa) * 100;
    let magnitude: u128 = if exp >= 0 {
        if exp > 40 {
            return None; // far beyond i64 fen
        }
        scaled << exp
    } else {
        let shift = (-exp) as u32;
        if shift >= 127 {
            0 // below a ten-thousandth of a fen: rounds to 0
        } else {
            let quotient = scaled >> shift;
            let remainder = scaled - (quotient << shift);
            let half = 1u128 << (shift - 1);
            let round_up = remainder > half || (remainder == half && quotient % 2 == 1);
            quotient + u128::from(round_up)
        }
    };
    let magnitude = i64::try_from(magnitude).ok()?;
    Some(if negative { -magnitude } else { magnitude })
}

/// Fen from a decimal mantissa and scale (a Parquet/Arrow Decimal): `None` unless the value
/// is a whole number of fen and fits `i64`.
pub fn decimal_to_fen(mantissa: i128, scale: u32) -> Option<i64> {
    let fen = if scale <= 2 {
        mantissa.checked_mul(10i128.checked_pow(2 - scale)?)?
    } else {
        let divisor = 10i128.checked_pow(scale - 2)?;
        if mantissa % divisor != 0 {
            return None;
        }
        mantissa / divisor
    };
    i64::try_from(fen).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_decimal_keeps_every_digit_of_its_scale() {
        assert_eq!(format_decimal(0, 2), "0.00");
        assert_eq!(format_decimal(5, 2), "0.05");
        assert_eq!(format_decimal(-5, 2), "-0.05");
        assert_eq!(format_decimal(123_450, 2), "1234.50");
        assert_eq!(format_decimal(-100, 2), "-1.00");
        assert_eq!(format_decimal(10_000_000, 3), "10000.000");
        assert_eq!(format_decimal(42, 0), "42");
        assert_eq!(
            format_decimal(i128::MIN, 2),
            "-1701411834604692317316873037158841057.28"
        );
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_usual_amount_at_its_bounds() {
        // Hand-checked: 16 digits of yuan are read in one pass, 17 by the general reading
        // (the same value); 9223372036854775807 fen is i64::MAX, a fen more is refused;
        // -9223372036854775808 fen is i64::MIN, a fen less refused.
        assert_eq!(
            plain_fen(b"9999999999999999.99"),
            Some(999_999_999_999_999_999)
        );
        assert_eq!(plain_fen(b"10000000000000000"), None);
        assert_eq!(
            parse_fen("10000000000000000"),
            Some(1_000_000_000_000_000_000)
        );
        assert_eq!(parse_fen("92233720368547758.07"), Some(i64::MAX));
        assert_eq!(parse_fen("92233720368547758.08"), None);
        assert_eq!(parse_fen("-92233720368547758.08"), Some(i64::MIN));
        assert_eq!(parse_fen("-92233720368547758.09"), None);
        assert_eq!(plain_fen(b"-0"), Some(0));
        assert_eq!(plain_fen(b"1."), None);
        assert_eq!(parse_fen("1."), None);
        assert_eq!(plain_fen(b".5"), None);
        assert_eq!(parse_fen(".5"), None);
        assert_eq!(plain_fen(b"12.3"), Some(1230));
        assert_eq!(plain_fen(b"-12.34"), Some(-1234));
        assert_eq!(plain_fen(b"1,234.50"), None);
        assert_eq!(parse_fen("1,234.50"), Some(123_450));
    }

    #[test]
    fn accepts_the_formats_of_the_contract() {
        assert_eq!(parse_fen("0"), Some(0));
        assert_eq!(parse_fen("-0"), Some(0));
        assert_eq!(parse_fen("12"), Some(1200));
        assert_eq!(parse_fen("12.5"), Some(1250));
        assert_eq!(parse_fen("12.05"), Some(1205));
        assert_eq!(parse_fen("1,234.50"), Some(123_450));
        assert_eq!(parse_fen("12,345,678"), Some(1_234_567_800));
        assert_eq!(parse_fen("-3.01"), Some(-301));
        assert_eq!(parse_fen("007"), Some(700));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "", "-", ".", "1.", ".5", "1.234", "1.2.3", "+5", "1e3", "¥5", "$5", "1 000", "12,34",
            "1234,567", ",123", "1,,234", "1,234,", "NaN", "inf", "５", "1,2345", "--1", "0x10",
        ] {
            assert_eq!(parse_fen(bad), None, "{bad:?} should be rejected");
        }
    }

    #[test]
    fn i64_bounds_are_exact() {
        // i64::MAX fen = 92233720368547758.07 yuan.
        assert_eq!(parse_fen("92233720368547758.07"), Some(i64::MAX));
        assert_eq!(parse_fen("92233720368547758.08"), None);
        assert_eq!(parse_fen("-92233720368547758.08"), Some(i64::MIN));
        assert_eq!(parse_fen("-92233720368547758.09"), None);
        assert_eq!(parse_fen("99999999999999999999999999999"), None);
    }

    #[test]
    fn float_rounding_uses_the_exact_binary_value() {
        assert_eq!(float_yuan_to_fen(2.675), Some(267)); // 2.67499999999999982…
        assert_eq!(float_yuan_to_fen(0.125), Some(12)); // exact tie → even
        assert_eq!(float_yuan_to_fen(0.375), Some(38)); // exact tie → even
        assert_eq!(float_yuan_to_fen(-0.125), Some(-12));
        assert_eq!(float_yuan_to_fen(1.005), Some(100)); // 1.00499999999999989…
        assert_eq!(float_yuan_to_fen(100.0), Some(10_000));
        assert_eq!(float_yuan_to_fen(1e-300), Some(0));
        assert_eq!(float_yuan_to_fen(f64::NAN), None);
        assert_eq!(float_yuan_to_fen(1e30), None);
    }

    #[test]
    fn people_read_grouped_yuan_and_wan_yi() {
        assert_eq!(grouped(-150), "-1.50");
        assert_eq!(grouped(123_456_789), "1,234,567.89");
        assert_eq!(grouped(100), "1.00");
        assert_eq!(grouped(0), "0.00");
        assert_eq!(wan_yi(1_234_567_890_123), "123.46亿元");
        assert_eq!(wan_yi(10_000_000_000), "1亿元");
        assert_eq!(wan_yi(9_999_999_999), "10000万元");
        assert_eq!(wan_yi(5_000_000), "5万元");
        assert_eq!(wan_yi(5_050_000), "5.05万元");
        assert_eq!(wan_yi(5_100_000), "5.1万元");
        assert_eq!(wan_yi(-150), "0万元");
        assert_eq!(wan_yi(-15_000), "-0.02万元");
    }

    #[test]
    fn decimals_must_be_whole_fen() {
        assert_eq!(decimal_to_fen(1230, 3), Some(123));
        assert_eq!(decimal_to_fen(1234, 3), None);
        assert_eq!(decimal_to_fen(5, 0), Some(500));
        assert_eq!(decimal_to_fen(i128::MAX, 0), None);
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(fen in any::<i64>()) {
            prop_assert_eq!(parse_fen(&format_fen(fen)), Some(fen));
        }

        #[test]
        fn grouped_and_plain_agree(yuan in 0u64..10_000_000_000_000, cents in 0u8..100) {
            let plain = format!("{yuan}.{cents:02}");
            let digits = yuan.to_string();
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 { grouped.push(','); }
                grouped.push(c);
            }
            grouped.push_str(&format!(".{cents:02}"));
            let expected = i64::try_from(yuan).unwrap() * 100 + i64::from(cents);
            prop_assert_eq!(parse_fen(&plain), Some(expected));
            prop_assert_eq!(parse_fen(&grouped), Some(expected));
        }

        #[test]
        fn three_decimals_are_never_rounded(yuan in 0u32..1_000_000, milli in 0u16..1000) {
            let text = format!("{yuan}.{milli:03}");
            prop_assert_eq!(parse_fen(&text), None);
        }

        /// The one-pass reading of the usual amount reads what the general one reads, and
        /// refuses nothing it accepts (it hands those over): digits up to 20 long, signs,
        /// points and separators in any order.
        #[test]
        fn the_usual_amounts_read_as_any_amount(s in "-?[0-9,.-]{0,21}") {
            prop_assert_eq!(parse_fen(&s), any_fen(&s), "{}", s);
            if let Some(v) = plain_fen(s.as_bytes()) {
                prop_assert_eq!(Some(v), any_fen(&s), "{}", s);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(s in ".{0,40}") {
            let _ = parse_fen(&s);
        }
    }
}
