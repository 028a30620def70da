//! Hive-style partition folders (`district=华容区/`), as Hive, Spark, DuckDB and polars write
//! and read them: a value as a folder name and back. Used where tables arrive as folders of
//! parts (`input::find`), where winddown writes them (`--partition-by`) and where it reads its
//! own back (`table::export_file`).

/// The folder name of no value.
pub const DEFAULT: &str = "__HIVE_DEFAULT_PARTITION__";

/// A partition value as a folder name, as Hive, Spark and DuckDB write it: characters that
/// would end or confuse a path segment (`/`, `\`, `=`, `%`, `:`, quotes, `#`, `?`, `*`,
/// control characters, a leading `.`) as `%XX` of their UTF-8 bytes, everything else
/// (Chinese included) as it is; no value as `__HIVE_DEFAULT_PARTITION__`.
pub fn encode(value: Option<&str>) -> String {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return DEFAULT.to_string();
    };
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.char_indices() {
        let special = c.is_control()
            || matches!(
                c,
                '/' | '\\'
                    | '='
                    | '%'
                    | ':'
                    | '"'
                    | '\''
                    | '#'
                    | '?'
                    | '*'
                    | '['
                    | ']'
                    | '{'
                    | '}'
                    | '^'
            )
            || (i == 0 && c == '.');
        if special {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A folder's value decoded: `%XX` escapes undone, [`DEFAULT`] as no value.
pub fn decode(segment: &str) -> Option<String> {
    let value = percent_decode(segment);
    (value != DEFAULT).then_some(value)
}

/// `%XX` escapes of a hive path component decoded (Spark and DuckDB escape `/`, `=`, `%`, …).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_are_safe_folder_names() {
        assert_eq!(encode(Some("华容区")), "华容区");
        assert_eq!(encode(None), "__HIVE_DEFAULT_PARTITION__");
        assert_eq!(encode(Some("")), "__HIVE_DEFAULT_PARTITION__");
        assert_eq!(encode(Some("a/b=c%")), "a%2Fb%3Dc%25");
        assert_eq!(encode(Some("..")), "%2E.");
        assert_eq!(encode(Some("x\ny")), "x%0Ay");
    }

    #[test]
    fn a_value_comes_back_as_it_went() {
        for v in ["华容区", "a/b=c%", "..", "x\ny", "  ", "P2P:甲#1"] {
            assert_eq!(decode(&encode(Some(v))).as_deref(), Some(v));
        }
        assert_eq!(decode(&encode(None)), None);
    }
}
