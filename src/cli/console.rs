//! The console: what a command tells the person running it, on stderr (stdout stays clean for
//! pipes) — the validation counts, the class table, exposure, the plan and the payouts — and the
//! stage progress on a terminal.

use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use unicode_width::UnicodeWidthStr;

use crate::domain::class::Class;
use crate::domain::money::{grouped, wan_yi};
use crate::domain::text::{terminal_lines, terminal_safe};
use crate::input::Validated;
use crate::payout::rounds::Payouts;
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
        }
    }

    pub fn info(&self, msg: &str) {
        if self.quiet {
            return;
        }
        // Names and values from the data reach the terminal inert.
        let msg = terminal_lines(msg);
        match self.current.lock().ok().as_deref().and_then(|c| c.as_ref()) {
            Some(Current { bar: Some(bar), .. }) => bar.println(msg),
            _ => eprintln!("{msg}"),
        }
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

/// The counts of validation per table, the warnings and the first rejected rows.
pub fn print_report(r: &crate::input::Report, rejects: &[crate::input::RejectRow], log: &Log) {
    log.info(&format!(
        "{} {} {} {} {}",
        pad("表 table", 14),
        pad("文件 file", 22),
        pad_left("读入 read", 14),
        pad_left("接受 accepted", 16),
        pad_left("拒绝 rejected", 14)
    ));
    for (table, t) in &r.tables {
        let reasons: Vec<String> = t.reasons.iter().map(|(k, n)| format!("{k} {n}")).collect();
        log.info(&format!(
            "{} {} {} {} {}{}",
            pad(table.name(), 14),
            pad(&t.file, 22),
            pad_left(&grouped_count(t.read), 14),
            pad_left(&grouped_count(t.accepted), 16),
            pad_left(&grouped_count(t.rejected), 14),
            if reasons.is_empty() {
                String::new()
            } else {
                format!("  ({})", reasons.join(", "))
            }
        ));
        if !t.unknown_columns.is_empty() {
            log.info(&format!(
                "{} 忽略未知列 ignored unknown column{}: {}",
                pad(table.name(), 14),
                if t.unknown_columns.len() == 1 {
                    ""
                } else {
                    "s"
                },
                t.unknown_columns.join(", ")
            ));
        }
        if t.float_money_rounded > 0 {
            log.info(&format!(
                "{} {} 个浮点金额已舍入到分 float money value(s) rounded to the fen",
                pad(table.name(), 14),
                grouped_count(t.float_money_rounded)
            ));
        }
    }
    if let Some(n) = r.warnings.get("invalid_id_number").filter(|n| **n > 0) {
        log.info(&format!(
            "提示 warning: {} 名出借人身份证号校验位有误（已保留） lender(s) with an invalid id_number check digit (kept)",
            grouped_count(*n)
        ));
    }
    if let Some(n) = r.warnings.get("invalid_bank_account").filter(|n| **n > 0) {
        log.info(&format!(
            "提示 warning: {} 名出借人银行账号无效（已保留，无账号） lender(s) with an invalid bank_account (kept, without an account)",
            grouped_count(*n)
        ));
    }
    // The first rejected rows, as a compiler shows errors: where, what, why.
    let mut rejected: Vec<&crate::input::RejectRow> = rejects
        .iter()
        .filter(|x| {
            !matches!(
                x.reason,
                crate::input::Reason::InvalidIdNumber | crate::input::Reason::InvalidBankAccount
            )
        })
        .collect();
    if !rejected.is_empty() {
        rejected.sort_by(|a, b| (a.table, a.line, &a.column).cmp(&(b.table, b.line, &b.column)));
        const SHOWN: usize = 10;
        for x in rejected.iter().take(SHOWN) {
            // A lender id is not quoted here (under --pseudonymize it would be the raw id);
            // rejects.csv has it, pseudonymized when asked.
            let value: String = if x.column == "lender_id" {
                String::new()
            } else {
                x.value.chars().take(40).collect()
            };
            log.info(&format!(
                "拒收 rejected: {}:{}: {} {}{}",
                x.file,
                x.line,
                x.column,
                x.reason.code(),
                if value.is_empty() {
                    String::new()
                } else {
                    format!(" {value:?}")
                }
            ));
        }
        if rejected.len() > SHOWN {
            log.info(&format!(
                "拒收 rejected: … and {} more (rejects.csv lists every one)",
                grouped_count((rejected.len() - SHOWN) as u64)
            ));
        }
    }
    match r.as_of {
        Some(d) => log.info(&format!("数据截至 as-of {d}")),
        None => log.info("数据截至 as-of: none (no dated rows)"),
    }
}

/// Platforms, outstanding and current lenders per class.
pub fn print_class_summary(platforms: &[PlatformRow], log: &Log) {
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        format!(
            "{} {} {} {} {}",
            pad(a, 20),
            pad_left(b, 14),
            pad_left(c, 24),
            pad_left(d, 14),
            pad_left(e, 20)
        )
    };
    log.info(&row(
        "类别 class",
        "平台 platforms",
        "出借余额 outstanding (元)",
        "",
        "在贷出借人 lenders",
    ));
    let mut total = crate::rules::ClassTotals::default();
    for class in Class::WORK_PLAN {
        let t = crate::rules::ClassTotals::of(platforms, class);
        total = total.plus(&t);
        log.info(&row(
            &format!("{} {}", class.zh(), class.code()),
            &t.platforms.to_string(),
            &grouped(t.lender_outstanding),
            &wan_yi(t.lender_outstanding),
            &grouped_count(t.lenders_current as u64),
        ));
    }
    log.info(&row(
        "合计 total",
        &total.platforms.to_string(),
        &grouped(total.lender_outstanding),
        &wan_yi(total.lender_outstanding),
        &grouped_count(total.lenders_current as u64),
    ));
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
    log.info(&format!(
        "债权 claims: {} 条出借人×平台 lender × platform rows, {} 名出借人 lenders, 债权总额 total claim {} 元 ({}); {} 名净获益者 net winners",
        grouped_count(analysis.claims.claim.len() as u64),
        grouped_count(analysis.lenders.len() as u64),
        grouped(total),
        wan_yi(total),
        grouped_count(winners as u64)
    ));
    log.info(&format!(
        "多个出险平台出借人 {} 名 lender(s) hold positions on two or more failed platforms (the most exposed)",
        grouped_count(several as u64)
    ));
}

/// Platforms per stage and the 三降 curve on the console.
pub fn print_plan_summary(plan: &Plan, log: &Log) {
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
    log.info(&row(
        "阶段 stage",
        "截至 ends on",
        "开始 starts",
        "完成 completions",
        "剩余平台 remaining",
        "剩余余额 outstanding (元)",
        "剩余出借人 lenders",
    ));
    for (s, completions) in plan.stages.iter().zip(plan.completions()) {
        let mut line = row(
            &s.stage.to_string(),
            &s.ends_on.to_string(),
            &s.platforms.to_string(),
            &completions.to_string(),
            &format!(
                "{} ({:.1}%)",
                s.platforms_remaining, s.platforms_remaining_pct
            ),
            &grouped(s.outstanding_remaining.into()),
            &grouped_count(s.lenders_remaining as u64),
        );
        if !s.targets.is_empty() {
            let targets: Vec<&str> = s.targets.iter().map(|t| t.0.as_str()).collect();
            line.push_str(&format!("  [{}]", targets.join("; ")));
        }
        log.info(&line);
    }
    if let Some(deadline) = plan.deadline {
        let limit = |v: Option<i64>| v.map_or("不限 no limit".to_string(), |v| v.to_string());
        log.info(&format!(
            "期限 deadline {deadline}: 每阶段平台数 platforms per stage {} (配置 configured {}); {} 家无法按期完成 cannot finish by it",
            limit(plan.capacity.platforms),
            limit(plan.configured.platforms),
            plan.at_risk().count()
        ));
        // By name, with the earliest date each could finish.
        for (e, r) in plan.at_risk().take(10) {
            log.info(&format!(
                "  {} {}（{}）: 最早 earliest {} — {}",
                e.input.platform_id,
                e.input.name,
                e.input.class.zh(),
                r.earliest,
                r.reason_zh
            ));
        }
        if plan.at_risk().count() > 10 {
            log.info(&format!(
                "  … 另 {} 家见 plan.md and {} more in plan.md",
                plan.at_risk().count() - 10,
                plan.at_risk().count() - 10
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
            grouped(checks.exceptions_total)
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
    log.info(&format!(
        "兑付 payouts: {} 轮 round(s), {} 个平台 platform(s): 可分配 pool {} 元 ({}), 兑付 paid {}, 提存 reserved {}, 结转 carried {}, 结余 surplus {} 元",
        computed.len(),
        platforms,
        grouped(sum(|r| r.pool)),
        wan_yi(sum(|r| r.pool)),
        grouped(sum(|r| r.paid)),
        grouped(sum(|r| r.reserved)),
        grouped(sum(|r| r.carried)),
        grouped(sum(|r| r.surplus)),
    ));
    // Returns booked on any round (a ledger's too): what came back, what went out again.
    let all = |f: fn(&crate::payout::rounds::RoundRow) -> i64| -> i128 {
        p.rounds.iter().map(|r| i128::from(f(r))).sum()
    };
    let (held, again) = (all(|r| r.returned), all(|r| r.reissued));
    if held + again > 0 {
        log.info(&format!(
            "退汇 returned transfers: 待重发 held {} 元, 本次重发 re-issued now {} 元 (returned_transfers.parquet)",
            grouped(held),
            grouped(again),
        ));
    }
    let blind = p
        .returned
        .iter()
        .filter(|t| t.held > 0 && t.account == crate::input::data::ReturnAccount::NotGiven)
        .count();
    if blind > 0 {
        log.info(&format!(
            "  {blind} 笔退汇未载明原收款账户，无法判断账户是否已更新，暂予保管; {blind} held: their \
             returns give no bank_account, so a changed account cannot be told (add the account \
             from the bank's list)"
        ));
    }
}
