//! The console: what a command tells the person running it, on stderr (stdout stays clean for
//! pipes) — the log and the stage progress on a terminal here, the summaries (validation
//! counts, the class table, exposure, the plan and the payouts) in `summaries.rs`, the notes
//! added to them in `notes.rs`.

use crate::domain::money::Fen;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use unicode_width::UnicodeWidthStr;

use crate::cli::args::ShowFormat;
use crate::domain::class::Class;
use crate::domain::text::{terminal_lines, terminal_safe};
use crate::input::Validated;
use crate::output::console::Console;
use crate::payout::rounds::Payouts;
use crate::present::lang::{bi, short};
use crate::present::number::{count, count_u, percent, wan, wan_yi, yuan};
use crate::progress::{Progress, Unit};
use crate::rules::plan::Plan;
use crate::rules::{Analysis, PlatformRow};

mod notes;
mod summaries;
pub use notes::*;
pub use summaries::*;

/// Console output: summaries go to stderr so stdout stays clean for pipes. Under `-q` only
/// errors; on a terminal a progress bar for every long stage (reading by bytes, validating by
/// rows, payouts by platforms, generating by rows) with its rate and time left; under `-v` one
/// line per stage with its time, rows and the peak memory so far (on a terminal or not).
pub struct Log {
    pub quiet: bool,
    pub verbose: u8,
    terminal: bool,
    started: Instant,
    current: Mutex<Option<Current>>,
    /// `--format` and the results gathered for stdout under json or csv.
    shown: Mutex<Option<(ShowFormat, Console)>>,
}

/// The stage under way.
struct Current {
    name: String,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Log {
    pub fn new(quiet: bool, verbose: u8) -> Log {
        use std::io::IsTerminal;
        Log {
            quiet,
            verbose,
            terminal: std::io::stderr().is_terminal(),
            started: Instant::now(),
            current: Mutex::new(None),
            shown: Mutex::new(None),
        }
    }

    /// The command's `--format`: under json or csv its tables are gathered for stdout
    /// instead of shown on stderr.
    pub fn show(&self, format: ShowFormat, command: &str) {
        if let Ok(mut s) = self.shown.lock() {
            *s = Some((format, Console::new(command)));
        }
    }

    /// Whether tables are for a person on stderr (`--format table`, the default).
    pub fn tables(&self) -> bool {
        self.shown
            .lock()
            .ok()
            .and_then(|s| s.as_ref().map(|(f, _)| *f == ShowFormat::Table))
            .unwrap_or(true)
    }

    /// Add to the results for stdout (under json or csv; nothing under table).
    pub fn record(&self, f: impl FnOnce(&mut Console)) {
        if let Ok(mut s) = self.shown.lock() {
            if let Some((format, doc)) = s.as_mut() {
                if *format != ShowFormat::Table {
                    f(doc);
                }
            }
        }
    }

    /// The gathered results on stdout, as JSON or CSV; nothing under table.
    pub fn emit(&self) -> crate::error::Result<()> {
        let Some((format, doc)) = self.shown.lock().ok().and_then(|mut s| s.take()) else {
            return Ok(());
        };
        let bytes = match format {
            ShowFormat::Table => return Ok(()),
            ShowFormat::Json => {
                let mut b = crate::output::json_bytes(&doc)?;
                if !b.ends_with(b"\n") {
                    b.push(b'\n');
                }
                b
            }
            ShowFormat::Csv => doc.csv(),
        };
        crate::cli::to_stdout(&bytes)
    }

    /// A line of parts, each made terminal-safe and then painted (colour only when the
    /// console is coloured: `--color`, NO_COLOR).
    pub fn painted(&self, parts: &[(&str, Paint)]) {
        let line: String = parts
            .iter()
            .map(|(text, paint)| paint.apply(&terminal_lines(text)))
            .collect();
        self.raw(&line);
    }

    /// A line already made safe.
    fn raw(&self, line: &str) {
        if self.quiet {
            return;
        }
        match self.current.lock().ok().as_deref().and_then(|c| c.as_ref()) {
            Some(Current { bar: Some(bar), .. }) => bar.println(line),
            _ => eprintln!("{line}"),
        }
    }

    pub fn info(&self, msg: &str) {
        // Names and values from the data reach the terminal inert.
        self.raw(&terminal_lines(msg));
    }

    /// The folder a command wrote: said on stderr, and in the results for stdout.
    pub fn wrote(&self, folder: &std::path::Path) {
        self.info(&format!("wrote {}", folder.display()));
        self.record(|doc| doc.wrote = Some(folder.display().to_string()));
    }

    /// A warning: highlighted on a coloured terminal.
    pub fn warn(&self, msg: &str) {
        self.painted(&[(msg, Paint::Warn)]);
    }

    /// A stage without a size of its own (classify, plan, exports): under `-v` its line.
    pub fn step(&self, name: &str) {
        self.begin(name, None, Unit::Files);
    }

    /// The end of the command: under `-v` the total time and peak memory.
    pub fn done(&self) {
        self.end(0);
        if self.verbose > 0 && !self.quiet {
            eprintln!(
                "done in {:.1} s, peak memory {}",
                self.started.elapsed().as_secs_f64(),
                peak_memory()
            );
        }
    }
}

impl Progress for Log {
    fn begin(&self, name: &str, total: Option<u64>, unit: Unit) {
        self.end(0);
        let name = &*terminal_safe(name);
        let bar = (self.terminal && !self.quiet && unit != Unit::Files).then(|| {
            let bar = match total {
                Some(n) => ProgressBar::new(n),
                None => ProgressBar::new_spinner(),
            };
            let template = match (unit, total.is_some()) {
                (Unit::Bytes, true) => {
                    "{msg:32} [{bar:28}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}"
                }
                (Unit::Rows, true) => {
                    "{msg:32} [{bar:28}] {human_pos}/{human_len} rows {per_sec} ETA {eta}"
                }
                (Unit::Platforms, true) => {
                    "{msg:32} [{bar:28}] {human_pos}/{human_len} platforms ETA {eta}"
                }
                _ => "{msg:32} {spinner} {human_pos} {per_sec}",
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(name.to_string());
            bar
        });
        if let Ok(mut c) = self.current.lock() {
            *c = Some(Current {
                name: name.to_string(),
                started: Instant::now(),
                bar,
            });
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(c) = self.current.lock() {
            if let Some(Current { bar: Some(bar), .. }) = c.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn end(&self, rows: u64) {
        let Some(stage) = self.current.lock().ok().and_then(|mut c| c.take()) else {
            return;
        };
        if let Some(bar) = &stage.bar {
            bar.finish_and_clear();
        }
        self.stage_line(&stage.name, stage.started.elapsed(), rows);
    }

    fn finished(&self, name: &str, took: std::time::Duration, rows: u64) {
        self.stage_line(&terminal_safe(name), took, rows);
    }
}

impl Log {
    /// Under `-v`, the line of a stage over: its time, rows and the memory.
    fn stage_line(&self, name: &str, took: std::time::Duration, rows: u64) {
        if self.verbose > 0 && !self.quiet {
            let secs = took.as_secs_f64();
            let rows = if rows > 0 {
                format!(
                    ", {} rows ({}/s)",
                    grouped_count(rows),
                    grouped_count((rows as f64 / secs.max(1e-3)) as u64)
                )
            } else {
                String::new()
            };
            eprintln!(
                "{name}: {secs:.1} s{rows}, peak memory {}, now {}",
                peak_memory(),
                memory("VmRSS:")
            );
        }
    }
}

/// How a part of a console line is painted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Plain,
    Class(Class),
    Bad,
    Warn,
    Strong,
    Dim,
}

impl Paint {
    fn apply(self, text: &str) -> String {
        use crate::present::term;
        match self {
            Paint::Plain => text.to_string(),
            Paint::Class(c) => term::class(c, text),
            Paint::Bad => term::bad(text),
            Paint::Warn => term::warn(text),
            Paint::Strong => term::strong(text),
            Paint::Dim => term::dim(text),
        }
    }
}

/// The process's peak resident memory so far (Linux: VmHWM), as "1.2 GB".
pub fn peak_memory() -> String {
    memory("VmHWM:")
}

/// A memory figure of /proc/self/status (`VmHWM:` the peak, `VmRSS:` now), as "1.2 GB".
fn memory(field: &str) -> String {
    let kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
            })
        });
    match kb {
        Some(kb) if kb >= 1 << 20 => format!("{:.1} GB", kb as f64 / (1u64 << 20) as f64),
        Some(kb) => format!("{} MB", kb >> 10),
        None => "unknown".to_string(),
    }
}

/// A count with thousands separators: 18,733,484 (the documents' formatting).
pub fn grouped_count(n: u64) -> String {
    crate::domain::count::grouped(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Pad `text` with spaces to `width` terminal columns (Chinese characters are two wide).
pub fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// Right-align `text` in `width` terminal columns.
pub fn pad_left(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{}{text}", " ".repeat(width.saturating_sub(w)))
}
