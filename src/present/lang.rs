//! The language of the console and the documents: Chinese, English, or both (the default,
//! Chinese first — the regulators' own terms with the English beside them). Set once per
//! command from `--lang` before anything is written.

use std::sync::atomic::{AtomicU8, Ordering};

/// Which language a label is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    Zh,
    En,
    #[default]
    Both,
}

static CURRENT: AtomicU8 = AtomicU8::new(2);

impl Lang {
    /// The language of this process (`--lang`; both by default).
    pub fn current() -> Lang {
        match CURRENT.load(Ordering::Relaxed) {
            0 => Lang::Zh,
            1 => Lang::En,
            _ => Lang::Both,
        }
    }

    /// Make `self` the language of this process.
    pub fn set(self) {
        let v = match self {
            Lang::Zh => 0,
            Lang::En => 1,
            Lang::Both => 2,
        };
        CURRENT.store(v, Ordering::Relaxed);
    }

    /// A label in this language: `zh`, `en`, or `zh en`.
    pub fn pick(self, zh: &str, en: &str) -> String {
        self.pick_with(zh, en, " ")
    }

    /// A label in this language, the two joined by `sep` when both are shown (a sentence in
    /// each language reads better with ` / ` between them).
    pub fn pick_with(self, zh: &str, en: &str, sep: &str) -> String {
        match self {
            Lang::Zh => zh.to_string(),
            Lang::En => en.to_string(),
            Lang::Both => format!("{zh}{sep}{en}"),
        }
    }

    /// A short label where there is room for one language only (a chart's category): the
    /// Chinese unless English alone was asked for.
    pub fn short<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            _ => zh,
        }
    }

    /// The `lang` attribute of an HTML document in this language.
    pub fn html(self) -> &'static str {
        match self {
            Lang::En => "en",
            _ => "zh-CN",
        }
    }
}

/// A label in the process's language: `zh en` by default.
pub fn bi(zh: &str, en: &str) -> String {
    Lang::current().pick(zh, en)
}

/// Two sentences in the process's language, ` / ` between them when both are shown.
pub fn slash(zh: &str, en: &str) -> String {
    Lang::current().pick_with(zh, en, " / ")
}

/// A short label in the process's language ([`Lang::short`]).
pub fn short<'a>(zh: &'a str, en: &'a str) -> &'a str {
    Lang::current().short(zh, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_in_each_language() {
        assert_eq!(Lang::Zh.pick("平台", "platforms"), "平台");
        assert_eq!(Lang::En.pick("平台", "platforms"), "platforms");
        assert_eq!(Lang::Both.pick("平台", "platforms"), "平台 platforms");
        assert_eq!(Lang::Both.pick_with("一。", "One.", " / "), "一。 / One.");
        assert_eq!(Lang::Zh.pick_with("一。", "One.", " / "), "一。");
        assert_eq!(Lang::En.html(), "en");
        assert_eq!(Lang::Both.short("平台", "platforms"), "平台");
        assert_eq!(Lang::En.short("平台", "platforms"), "platforms");
        assert_eq!(Lang::Both.html(), "zh-CN");
    }
}
