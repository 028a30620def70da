//! The console: what a command tells the person running it, on stderr (stdout stays clean for
//! pipes) — the validation counts, the class table, exposure, the plan and the payouts — and the
//! stage progress on a terminal.

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
        if self.verbose > 0 && !self.quiet {
            let secs = stage.started.elapsed().as_secs_f64();
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
                "{}: {secs:.1} s{rows}, peak memory {}",
                stage.name,
                peak_memory()
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
    let kb = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
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

/// The counts of every table, then the as-of.
pub fn print_validation(v: &Validated, log: &Log) {
    print_report(&v.report, &v.rejects, log)
}

/// The first rejected rows shown: as many as a screen holds on the console, more in JSON.
const REJECTS_SHOWN: usize = 10;
const REJECTS_RECORDED: usize = 100;

/// The counts of validation per table, the warnings and the first rejected rows.
pub fn print_report(r: &crate::input::Report, rejects: &[crate::input::RejectRow], log: &Log) {
    // The first rejected rows, as a compiler shows errors: where, what, why (the kept
    // warnings — id number check digit, bank account — are not rejections).
    let mut rejected: Vec<&crate::input::RejectRow> = rejects
        .iter()
        .filter(|x| {
            !matches!(
                x.reason,
                crate::input::Reason::InvalidIdNumber | crate::input::Reason::InvalidBankAccount
            )
        })
        .collect();
    rejected.sort_by(|a, b| (a.table, a.line, &a.column).cmp(&(b.table, b.line, &b.column)));
    // A lender id is not quoted (under --pseudonymize it would be the raw id); rejects.csv has
    // it, pseudonymized when asked. Personal cells come here empty.
    let quoted = |x: &crate::input::RejectRow| -> Option<String> {
        (x.column != "lender_id" && !x.value.is_empty()).then(|| x.value.chars().take(40).collect())
    };
    log.record(|doc| {
        doc.as_of = r.as_of.map(|d| d.to_string());
        doc.tables = Some(
            r.tables
                .iter()
                .map(|(table, t)| crate::output::console::TableLine {
                    table: table.name().to_string(),
                    file: t.file.clone(),
                    read: t.read,
                    accepted: t.accepted,
                    rejected: t.rejected,
                    reasons: t.reasons.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                })
                .collect(),
        );
        doc.rejected_total = Some(rejected.len() as u64);
        doc.rejected = Some(
            rejected
                .iter()
                .take(REJECTS_RECORDED)
                .map(|x| crate::output::console::RejectLine {
                    file: x.file.clone(),
                    line: x.line,
                    column: x.column.clone(),
                    reason: x.reason.code().to_string(),
                    value: quoted(x),
                })
                .collect(),
        );
    });
    let tables = log.tables();
    if tables {
        log.painted(&[(
            &format!(
                "{} {} {} {} {}",
                pad(&bi("表", "table"), 14),
                pad(&bi("文件", "file"), 22),
                pad_left(&bi("读入", "read"), 14),
                pad_left(&bi("接受", "accepted"), 16),
                pad_left(&bi("拒绝", "rejected"), 14)
            ),
            Paint::Strong,
        )]);
    }
    for (table, t) in &r.tables {
        if tables {
            let reasons: Vec<String> = t.reasons.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let rejected = pad_left(&grouped_count(t.rejected), 14);
            log.painted(&[
                (
                    &format!(
                        "{} {} {} {} ",
                        pad(table.name(), 14),
                        pad(&t.file, 22),
                        pad_left(&grouped_count(t.read), 14),
                        pad_left(&grouped_count(t.accepted), 16),
                    ),
                    Paint::Plain,
                ),
                (
                    &rejected,
                    if t.rejected > 0 {
                        Paint::Bad
                    } else {
                        Paint::Plain
                    },
                ),
                (
                    &if reasons.is_empty() {
                        String::new()
                    } else {
                        format!("  ({})", reasons.join(", "))
                    },
                    Paint::Plain,
                ),
            ]);
        }
        if !t.unknown_columns.is_empty() {
            log.warn(&format!(
                "{} {}: {}",
                pad(table.name(), 14),
                bi("忽略未知列", "ignored unknown column(s)"),
                t.unknown_columns.join(", ")
            ));
        }
        if t.float_money_rounded > 0 {
            log.warn(&format!(
                "{} {} {}",
                pad(table.name(), 14),
                grouped_count(t.float_money_rounded),
                bi(
                    "个浮点金额已舍入到分",
                    "float money value(s) rounded to the fen"
                )
            ));
        }
    }
    if let Some(n) = r.warnings.get("invalid_id_number").filter(|n| **n > 0) {
        log.warn(&format!(
            "{}: {} {}",
            bi("提示", "warning"),
            grouped_count(*n),
            bi(
                "名出借人身份证号校验位有误（已保留）",
                "lender(s) with an invalid id_number check digit (kept)"
            )
        ));
    }
    if let Some(n) = r.warnings.get("invalid_bank_account").filter(|n| **n > 0) {
        log.warn(&format!(
            "{}: {} {}",
            bi("提示", "warning"),
            grouped_count(*n),
            bi(
                "名出借人银行账号无效（已保留，无账号）",
                "lender(s) with an invalid bank_account (kept, without an account)"
            )
        ));
    }
    if tables {
        for x in rejected.iter().take(REJECTS_SHOWN) {
            log.painted(&[
                (&format!("{}: ", bi("拒收", "rejected")), Paint::Bad),
                (
                    &format!("{}:{}: {} ", x.file, x.line, x.column),
                    Paint::Strong,
                ),
                (x.reason.code(), Paint::Bad),
                (
                    &quoted(x).map_or(String::new(), |v| format!(" {v:?}")),
                    Paint::Plain,
                ),
            ]);
        }
        if rejected.len() > REJECTS_SHOWN {
            log.info(&format!(
                "{}: … {} {}",
                bi("拒收", "rejected"),
                grouped_count((rejected.len() - REJECTS_SHOWN) as u64),
                bi("条，见 rejects.csv", "more (rejects.csv lists every one)")
            ));
        }
    }
    match r.as_of {
        Some(d) => log.info(&format!("{} {d}", bi("数据截至", "as-of"))),
        None => log.info(&format!(
            "{}: {}",
            bi("数据截至", "as-of"),
            bi("无（没有带日期的行）", "none (no dated rows)")
        )),
    }
}

/// Platforms, outstanding and current lenders per class.
pub fn print_class_summary(platforms: &[PlatformRow], log: &Log) {
    log.record(|doc| {
        doc.classes = Some(
            Class::WORK_PLAN
                .into_iter()
                .map(|class| {
                    let t = crate::rules::ClassTotals::of(platforms, class);
                    crate::output::folder::records::ClassFigures {
                        class: class.code().to_string(),
                        class_zh: class.zh().to_string(),
                        platforms: t.platforms,
                        lender_outstanding: crate::domain::money::format_fen_wide(
                            t.lender_outstanding,
                        ),
                        loan_outstanding: crate::domain::money::format_fen_wide(t.loan_outstanding),
                        lenders_current: t.lenders_current,
                        total_claim: crate::domain::money::format_fen_wide(t.total_claim),
                        expected_recovery: crate::domain::money::format_fen_wide(
                            t.expected_recovery,
                        ),
                    }
                })
                .collect(),
        );
    });
    if !log.tables() {
        return;
    }
    let cells = |b: &str, c: &str, d: &str, e: &str| {
        format!(
            " {} {} {} {}",
            pad_left(b, 14),
            pad_left(c, 24),
            pad_left(d, 14),
            pad_left(e, 20)
        )
    };
    log.painted(&[(
        &format!(
            "{}{}",
            pad(&bi("类别", "class"), 20),
            cells(
                &bi("平台", "platforms"),
                &format!(
                    "{} ({})",
                    bi("出借余额", "outstanding"),
                    short("元", "yuan")
                ),
                "",
                &bi("在贷出借人", "lenders")
            )
        ),
        Paint::Strong,
    )]);
    let mut total = crate::rules::ClassTotals::default();
    for class in Class::WORK_PLAN {
        let t = crate::rules::ClassTotals::of(platforms, class);
        total = total.plus(&t);
        log.painted(&[
            (&pad(&bi(class.zh(), class.code()), 20), Paint::Class(class)),
            (
                &cells(
                    &count_u(t.platforms),
                    &yuan(t.lender_outstanding),
                    &format!("{}{}", wan(t.lender_outstanding), short("万", " ×10k")),
                    &count(t.lenders_current),
                ),
                Paint::Plain,
            ),
        ]);
    }
    log.painted(&[(
        &format!(
            "{}{}",
            pad(&bi("合计", "total"), 20),
            cells(
                &count_u(total.platforms),
                &yuan(total.lender_outstanding),
                &format!("{}{}", wan(total.lender_outstanding), short("万", " ×10k")),
                &count(total.lenders_current),
            )
        ),
        Paint::Strong,
    )]);
}

/// Claims, lenders, and the most exposed: lenders owed by several failed platforms.
pub fn print_exposure_summary(analysis: &Analysis, log: &Log) {
    let several = analysis
        .lenders
        .iter()
        .filter(|l| l.failed_platforms >= 2)
        .count();
    let total: i128 = analysis
        .platforms
        .iter()
        .map(|p| i128::from(p.exposure.total_claim))
        .sum();
    let winners: i64 = analysis
        .platforms
        .iter()
        .map(|p| p.exposure.net_winners)
        .sum();
    log.record(|doc| {
        doc.exposure = Some(crate::output::console::ExposureFigures {
            claim_rows: analysis.claims.claim.len() as u64,
            lenders: analysis.lenders.len() as u64,
            total_claim: crate::domain::money::format_fen_wide(total),
            net_winners: winners,
            lenders_on_several_failed: several as u64,
        });
    });
    if !log.tables() {
        return;
    }
    log.info(&format!(
        "{}: {} {}, {} {}, {} {} {} ({}); {} {}",
        bi("债权", "claims"),
        count_u(analysis.claims.claim.len()),
        bi("条出借人×平台", "lender × platform rows"),
        count_u(analysis.lenders.len()),
        bi("名出借人", "lenders"),
        bi("债权总额", "total claim"),
        yuan(total),
        short("元", "yuan"),
        wan_yi(total),
        count(winners),
        bi("名净获益者", "net winners")
    ));
    log.info(&format!(
        "{}: {} {}",
        bi("多个出险平台出借人", "most exposed"),
        count_u(several),
        bi(
            "名出借人涉及两个及以上出险平台",
            "lender(s) hold positions on two or more failed platforms"
        )
    ));
}

/// Platforms per stage and the 三降 curve on the console.
pub fn print_plan_summary(plan: &Plan, log: &Log) {
    log.record(|doc| {
        doc.stages = Some(
            crate::output::documents::summary::stage_figures(plan)
                .into_iter()
                .zip(plan.stages.iter().zip(plan.completions()))
                .map(
                    |(figures, (s, completions))| crate::output::console::StageLine {
                        figures,
                        starts: s.platforms,
                        completions,
                    },
                )
                .collect(),
        );
        doc.deadline = crate::output::documents::summary::deadline_figures(plan);
    });
    if !log.tables() {
        return;
    }
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str, f: &str, g: &str| {
        format!(
            "{} {} {} {} {} {} {}",
            pad_left(a, 10),
            pad(b, 14),
            pad_left(c, 12),
            pad_left(d, 16),
            pad_left(e, 20),
            pad_left(f, 24),
            pad_left(g, 20)
        )
    };
    // Starts: platforms whose exit begins in the stage; completions: platforms done by its
    // end (the remaining count falls by them). The two differ: exits take months.
    log.painted(&[(
        &row(
            &bi("阶段", "stage"),
            &bi("截至", "ends on"),
            &bi("开始", "starts"),
            &bi("完成", "completions"),
            &bi("剩余平台", "remaining"),
            &format!(
                "{} ({})",
                bi("剩余余额", "outstanding"),
                short("元", "yuan")
            ),
            &bi("剩余出借人", "lenders"),
        ),
        Paint::Strong,
    )]);
    for (s, completions) in plan.stages.iter().zip(plan.completions()) {
        let mut line = row(
            &s.stage.to_string(),
            &s.ends_on.to_string(),
            &count(s.platforms),
            &count(completions),
            &format!(
                "{} ({})",
                count(s.platforms_remaining),
                percent(s.platforms_remaining_pct, 1)
            ),
            &yuan(s.outstanding_remaining.into()),
            &count(s.lenders_remaining),
        );
        if !s.targets.is_empty() {
            let targets: Vec<&str> = s.targets.iter().map(|t| t.0.as_str()).collect();
            line.push_str(&format!("  [{}]", targets.join("; ")));
        }
        log.info(&line);
    }
    if let Some(deadline) = plan.deadline {
        let limit = |v: Option<i64>| v.map_or(bi("不限", "no limit"), count);
        let at_risk = plan.at_risk().count();
        let summary = format!(
            "{} {deadline}: {} {} ({} {}); {} {}",
            bi("期限", "deadline"),
            bi("每阶段平台数", "platforms per stage"),
            limit(plan.capacity.platforms),
            bi("配置", "configured"),
            limit(plan.configured.platforms),
            count_u(at_risk),
            bi("家无法按期完成", "cannot finish by it")
        );
        if at_risk > 0 {
            log.warn(&summary);
        } else {
            log.info(&summary);
        }
        // By name, with the earliest date each could finish.
        for (e, r) in plan.at_risk().take(10) {
            log.painted(&[
                (
                    &format!("  {} {}", e.input.platform_id, e.input.name),
                    Paint::Strong,
                ),
                (
                    &format!("（{}）", e.input.class.zh()),
                    Paint::Class(e.input.class),
                ),
                (
                    &format!(
                        ": {} {} — {}",
                        bi("最早", "earliest"),
                        r.earliest,
                        match crate::present::Lang::current() {
                            crate::present::Lang::En => &r.reason,
                            _ => &r.reason_zh,
                        }
                    ),
                    Paint::Plain,
                ),
            ]);
        }
        if at_risk > 10 {
            log.info(&format!(
                "  … {} {}",
                count_u(at_risk - 10),
                bi("家另见 plan.md", "more in plan.md")
            ));
        }
    }
}

/// Rows of a bank file with a cell a spreadsheet would run as a formula: the bank needs the
/// text as it is, so a clerk checks them before the upload.
pub fn formula_like_note(lender_ids: &[String], file: &str) -> Option<String> {
    if lender_ids.is_empty() {
        return None;
    }
    let shown: Vec<&str> = lender_ids.iter().take(10).map(String::as_str).collect();
    Some(format!(
        "warning: {} row{} of {file} hold a cell that begins like a formula (=, +, -, @): check \
         them before the upload (lenders {}{})",
        lender_ids.len(),
        if lender_ids.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if lender_ids.len() > shown.len() {
            ", …"
        } else {
            ""
        }
    ))
}

/// What the bank batches could not carry, and the cells to check.
pub fn batch_notes(checks: &crate::output::bank::batches::BatchChecks) -> Vec<String> {
    let mut notes = Vec::new();
    if checks.exceptions > 0 {
        notes.push(format!(
            "warning: {} transfer{} ({} yuan) not in any batch: the lender has no valid bank \
             account; listed in exceptions.csv, registered as withheld, and sent by a later \
             --payments once the lenders table gives the account",
            checks.exceptions,
            if checks.exceptions == 1 { "" } else { "s" },
            yuan(checks.exceptions_total)
        ));
    }
    if checks.to_check > 0 {
        notes.push(format!(
            "warning: {} cell{} of the batches begin like a formula (=, +, -, @): listed in the \
             control files (需人工核对) for a clerk to check before the upload",
            checks.to_check,
            if checks.to_check == 1 { "" } else { "s" }
        ));
    }
    notes
}

/// The rounds computed now: their pools and where the money went.
pub fn print_payout_summary(p: &Payouts, log: &Log) {
    let computed: Vec<&crate::payout::rounds::RoundRow> =
        p.rounds.iter().filter(|r| r.computed).collect();
    let sum = |f: fn(&crate::payout::rounds::RoundRow) -> i64| -> i128 {
        computed.iter().map(|r| i128::from(f(r))).sum()
    };
    let platforms = computed
        .iter()
        .map(|r| r.platform)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    log.record(|doc| {
        doc.payouts = Some(crate::output::documents::summary::payout_totals(p, true));
    });
    if log.tables() {
        log.info(&format!(
            "{}: {} {}, {} {}: {} {} {} ({}), {} {}, {} {}, {} {}, {} {} {}",
            bi("兑付", "payouts"),
            count_u(computed.len()),
            bi("轮", "round(s)"),
            count_u(platforms),
            bi("个平台", "platform(s)"),
            bi("可分配", "pool"),
            yuan(sum(|r| r.pool.get())),
            short("元", "yuan"),
            wan_yi(sum(|r| r.pool.get())),
            bi("兑付", "paid"),
            yuan(sum(|r| r.paid.get())),
            bi("提存", "reserved"),
            yuan(sum(|r| r.reserved.get())),
            bi("结转", "carried"),
            yuan(sum(|r| r.carried.get())),
            bi("结余", "surplus"),
            yuan(sum(|r| r.surplus.get())),
            short("元", "yuan"),
        ));
    }
    // Returns booked on any round (a ledger's too): what came back, what went out again.
    let all = |f: fn(&crate::payout::rounds::RoundRow) -> i64| -> i128 {
        p.rounds.iter().map(|r| i128::from(f(r))).sum()
    };
    let (held, again) = (all(|r| r.returned.get()), all(|r| r.reissued.get()));
    if held + again > 0 {
        log.info(&format!(
            "退汇 returned transfers: 待重发 held {} 元, 本次重发 re-issued now {} 元 (returned_transfers.parquet)",
            yuan(held),
            yuan(again),
        ));
    }
    let blind = p
        .returned
        .iter()
        .filter(|t| t.held > Fen::ZERO && t.account == crate::input::data::ReturnAccount::NotGiven)
        .count();
    if blind > 0 {
        log.info(&format!(
            "  {blind} 笔退汇未载明原收款账户，无法判断账户是否已更新，暂予保管; {blind} held: their \
             returns give no bank_account, so a changed account cannot be told (add the account \
             from the bank's list)"
        ));
    }
}
