//! One cell as the validator sees it, and strict parsers for the non-money cell types of
//! docs/inputs.md: bools, integers, the borrower type, red-flag lists, and the GB 11643 check
//! digit of a resident id number.
//! Each returns `None` for text it does not accept; the validator turns that into a reason.

use crate::domain::schema::RED_FLAGS;

/// One cell as the validator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<T> {
    /// Empty (or whitespace): the default applies, or `missing_value` if required.
    Missing,
    /// Present but not of the column's type.
    Bad,
    Ok(T),
}

/// Trim a raw cell as Rust's `str::trim` does (U+3000 and U+00A0 too); empty means missing.
pub fn clean(raw: &str) -> Option<&str> {
    // Most cells start and end with a visible ASCII character: nothing to trim, and no need to
    // decode them (the full Unicode trim is the slow path, for the rest).
    let b = raw.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => Some(raw),
        _ => {
            let t = raw.trim();
            (!t.is_empty()).then_some(t)
        }
    }
}

/// `true/false`, `1/0`, `yes/no`, `是/否`, case-insensitive.
pub fn parse_bool(text: &str) -> Option<bool> {
    // The usual spellings first, without lowering a copy of the text.
    match text {
        "true" | "1" => return Some(true),
        "false" | "0" => return Some(false),
        _ => {}
    }
    match text.to_lowercase().as_str() {
        "true" | "1" | "yes" | "是" => Some(true),
        "false" | "0" | "no" | "否" => Some(false),
        _ => None,
    }
}

/// An optional `-` and ASCII digits, within `i64`.
pub fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The borrower side of a loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BorrowerType {
    Individual,
    Enterprise,
}

impl BorrowerType {
    pub fn parse(text: &str) -> Option<BorrowerType> {
        match text.to_lowercase().as_str() {
            "individual" | "个人" => Some(BorrowerType::Individual),
            "enterprise" | "企业" => Some(BorrowerType::Enterprise),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            BorrowerType::Individual => "individual",
            BorrowerType::Enterprise => "enterprise",
        }
    }
}

/// Parse a `;`-separated list of red-flag codes: tokens trimmed, empty ones ignored, repeats
/// collapsed, matched case-insensitively. Returns the codes in contract order joined by `;`
/// (empty string for none), or `Err(token)` naming the first unknown code.
pub fn parse_red_flags(text: &str) -> Result<String, String> {
    let mut present = [false; RED_FLAGS.len()];
    for token in text.split(';') {
        let token = token.trim();
        if token.is_empty() {
            continue;
        }
        let lower = token.to_lowercase();
        match RED_FLAGS.iter().position(|(code, _)| *code == lower) {
            Some(i) => present[i] = true,
            None => return Err(token.to_string()),
        }
    }
    let codes: Vec<&str> = RED_FLAGS
        .iter()
        .zip(present)
        .filter(|(_, p)| *p)
        .map(|((code, _), _)| *code)
        .collect();
    Ok(codes.join(";"))
}

/// Is this an 18-character resident id number with a valid GB 11643 check digit?
pub fn valid_id_number(text: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = text.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b[17].to_ascii_uppercase() == CHECK[(sum % 11) as usize]
}

/// The check digit that completes 17 digits (for the generator).
pub fn id_check_digit(first17: &[u8; 17]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// A bank account number as a bank's batch template takes it: the digits, with the spaces and
/// hyphens people write between groups removed; 8 to 32 digits (a card is 16–19, a company
/// account up to about 25). `None` when it is not one.
pub fn bank_account(text: &str) -> Option<String> {
    is_bank_account(text).then(|| text.chars().filter(|c| *c != ' ' && *c != '-').collect())
}

/// Whether [`bank_account`] reads `text` as an account, without making its digits (the check
/// made for every lender).
pub fn is_bank_account(text: &str) -> bool {
    let mut digits = 0;
    for b in text.bytes() {
        match b {
            b' ' | b'-' => {}
            b'0'..=b'9' => digits += 1,
            _ => return false,
        }
    }
    (8..=32).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_includes_ideographic_and_no_break_spaces() {
        assert_eq!(clean("\u{3000} abc\u{a0}\t"), Some("abc"));
        assert_eq!(clean(" \u{3000} "), None);
        assert_eq!(clean(""), None);
    }

    #[test]
    fn bank_accounts_at_their_bounds() {
        // Hand-checked: 7 digits below, 8 and 32 at, 33 above; spaces and dashes dropped;
        // any other character (a letter, a full-width digit) refuses the account.
        assert_eq!(bank_account("1234567"), None);
        assert_eq!(bank_account("1234-5678"), Some("12345678".into()));
        assert_eq!(bank_account(&"9".repeat(32)), Some("9".repeat(32)));
        assert_eq!(bank_account(&"9".repeat(33)), None);
        assert_eq!(
            bank_account("6217 9968 5941 5610 061"),
            Some("6217996859415610061".into())
        );
        assert_eq!(bank_account("6217a9968594156"), None);
        assert_eq!(bank_account("６２１７９９６８５９"), None);
        assert_eq!(bank_account("- -"), None);
    }

    proptest::proptest! {
        /// The check without the digits says what the account read says.
        #[test]
        fn the_check_is_the_reading(text in "[0-9 a\\-９]{0,40}") {
            proptest::prop_assert_eq!(is_bank_account(&text), bank_account(&text).is_some());
        }
    }

    #[test]
    fn bools() {
        for t in ["true", "TRUE", "True", "1", "yes", "YES", "是"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "False", "0", "no", "No", "否"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for bad in ["y", "n", "2", "t", "对", "-1", "truee"] {
            assert_eq!(parse_bool(bad), None, "{bad}");
        }
    }

    #[test]
    fn integers() {
        assert_eq!(parse_integer("0"), Some(0));
        assert_eq!(parse_integer("-5"), Some(-5));
        assert_eq!(parse_integer("120"), Some(120));
        for bad in [
            "",
            "-",
            "+5",
            "1.0",
            "1e3",
            "9223372036854775808",
            " 5",
            "五",
        ] {
            assert_eq!(parse_integer(bad), None, "{bad}");
        }
    }

    #[test]
    fn borrower_types() {
        assert_eq!(
            BorrowerType::parse("Individual"),
            Some(BorrowerType::Individual)
        );
        assert_eq!(BorrowerType::parse("企业"), Some(BorrowerType::Enterprise));
        assert_eq!(BorrowerType::parse("company"), None);
    }

    #[test]
    fn red_flags_are_normalised() {
        assert_eq!(parse_red_flags(""), Ok(String::new()));
        assert_eq!(parse_red_flags(" ; ;"), Ok(String::new()));
        assert_eq!(
            parse_red_flags(" cash_pool ;self_financing;;CASH_POOL"),
            Ok("self_financing;cash_pool".to_string())
        );
        assert_eq!(parse_red_flags("cash_pool;ponzi"), Err("ponzi".to_string()));
    }

    #[test]
    fn id_number_check_digit() {
        // GB 11643's own worked example.
        assert!(valid_id_number("11010519491231002X"));
        assert!(valid_id_number("11010519491231002x"));
        assert!(!valid_id_number("110105194912310021"));
        assert!(!valid_id_number("11010519491231002"));
        assert!(!valid_id_number("1101051949123100２X"));
        let first: [u8; 17] = *b"42070219800101123";
        let mut full = first.to_vec();
        full.push(id_check_digit(&first));
        assert!(valid_id_number(std::str::from_utf8(&full).unwrap()));
    }
}
