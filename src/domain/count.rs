//! Counts as documents and the console write them: with thousands separators (18,733,484),
//! one formatting for every output.

/// A count with thousands separators: 18,733,484; negative counts keep their sign.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(91_176), "91,176");
        assert_eq!(grouped(18_733_484), "18,733,484");
        assert_eq!(grouped(-1_234), "-1,234");
    }
}
