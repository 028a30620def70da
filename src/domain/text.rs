//! Text from the data made inert where it meets other people's tools (docs/outputs.md, "What
//! winddown writes is inert"):
//! - on a terminal, [`terminal_safe`] shows every control character as an escape (`\e`, `\r`,
//!   `\u{9b}` …), so a name holding `ESC[2J` or `ESC]0;…BEL` clears no screen and retitles no
//!   window; [`terminal_lines`] keeps the line breaks of a multi-line text of ours;
//! - in a CSV meant for Excel, [`excel_safe`] puts a `'` before a cell that Excel would read as
//!   a formula (the OWASP rule: a leading `=`, `+`, `-`, `@`, tab or CR, and their full-width
//!   forms), unless the cell is a plain number such as `-12.50` or `+8613800000000`.

use std::borrow::Cow;

/// The text with every control character escaped: C0 (newline and tab too), DEL, C1, and the
/// bidirectional overrides that reorder what a terminal shows.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// As [`terminal_safe`], keeping line breaks (`\n`): for the multi-line texts winddown prints.
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn is_unsafe(c: char, keep_newlines: bool) -> bool {
    (c.is_control() && !(keep_newlines && c == '\n'))
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c, keep_newlines) {
            out.push(c);
            continue;
        }
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// Whether Excel (or LibreOffice) would take this cell as the start of a formula.
pub fn formula_like(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    matches!(
        first,
        '=' | '+' | '-' | '@' | '\t' | '\r' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}'
    ) && !plain_number(s)
}

/// An optional sign, then digits with `,` and `.` only: Excel reads it as a number, never a
/// formula, and a bank or a reader expects it as it is (`-100`, `+8613800000000`).
fn plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// A cell for a CSV meant for Excel: formula-like text gets a leading `'`, which Excel shows
/// and never evaluates.
pub fn excel_safe(s: &str) -> Cow<'_, str> {
    if formula_like(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Text from the data in a Markdown document (plan.md, vote.md, progress.md): shown as written,
/// never as markup — HTML tags, links, emphasis, code and table bars escaped, line breaks and
/// control characters shown as escapes, so a cell stays one table cell.
pub fn markdown_cell(s: &str) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(
            c,
            '\\' | '|' | '<' | '>' | '&' | '*' | '_' | '`' | '[' | ']' | '#' | '~' | '!'
        )
    };
    if !s.chars().any(|c| special(c) || is_unsafe(c, false)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in terminal_safe(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c if special(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(terminal_safe("平台 A"), "平台 A");
        assert!(matches!(terminal_safe("plain"), Cow::Borrowed(_)));
        assert_eq!(terminal_safe("\u{1b}[2Jx"), "\\e[2Jx");
        assert_eq!(terminal_safe("\u{1b}]0;title\u{7}"), "\\e]0;title\\u{7}");
        assert_eq!(terminal_safe("a\rb\nc\td"), "a\\rb\\nc\\td");
        // C1 CSI (U+009B), DEL, a right-to-left override.
        assert_eq!(
            terminal_safe("\u{9b}2J\u{7f}\u{202e}"),
            "\\u{9b}2J\\u{7f}\\u{202e}"
        );
        assert_eq!(terminal_lines("one\ntwo\u{1b}"), "one\ntwo\\e");
    }

    #[test]
    fn formula_like_cells_are_neutralised_and_numbers_are_not() {
        for s in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+1",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "＝1+1",
            "-",
            "+",
        ] {
            assert!(formula_like(s), "{s:?}");
            assert_eq!(excel_safe(s), format!("'{s}"));
        }
        for s in [
            "",
            "平台",
            "-100",
            "-1,234.50",
            "+8613800000000",
            "12",
            "a=b",
            " =1",
            "'=1",
        ] {
            assert!(!formula_like(s), "{s:?}");
            assert_eq!(excel_safe(s), s);
        }
    }

    #[test]
    fn markdown_cells_show_text_never_markup() {
        assert_eq!(markdown_cell("平台 A1"), "平台 A1");
        assert_eq!(
            markdown_cell("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        assert_eq!(markdown_cell("[x](javascript:1)"), "\\[x\\](javascript:1)");
        assert_eq!(markdown_cell("a\nb"), "a\\\\nb");
    }
}
