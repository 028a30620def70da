//! Colour on a terminal: the classes in their colours, rejects and warnings highlighted,
//! headings bold — only when stderr is a terminal (`--color auto`, the default), always or
//! never by `--color`, and never when `NO_COLOR` is set to anything non-empty
//! (no-color.org) unless `--color always` asks for it. Colour is added around text that has
//! already been made terminal-safe; it is never taken from the data.

use std::sync::atomic::{AtomicBool, Ordering};

use super::palette;
use crate::domain::class::Class;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

static ON: AtomicBool = AtomicBool::new(false);

/// Decide once per command whether the console is coloured.
pub fn init(choice: ColorChoice) {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
    };
    ON.store(on, Ordering::Relaxed);
}

/// Whether the console is coloured.
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

fn sgr(code: &str, text: &str) -> String {
    if on() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// A class's label in the class's colour.
pub fn class(c: Class, text: &str) -> String {
    sgr(&palette::class_ansi(c).to_string(), text)
}

/// Something wrong (rejects, errors): red.
pub fn bad(text: &str) -> String {
    sgr("31", text)
}

/// A warning: yellow.
pub fn warn(text: &str) -> String {
    sgr("33", text)
}

/// A heading or a total: bold.
pub fn strong(text: &str) -> String {
    sgr("1", text)
}

/// Secondary text (paths, counts of zero): dim.
pub fn dim(text: &str) -> String {
    sgr("2", text)
}
