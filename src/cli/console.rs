//! The console: what a command tells the person running it, on stderr (stdout stays clean for
//! pipes) — the validation counts, the class table, exposure, the plan and the payouts — and the
//! stage progress on a terminal.

use crate::domain::class::Class;
use crate::domain::money::format_fen_wide as yuan_text;
use crate::input::Validated;
use crate::payout::rounds::Payouts;
use crate::rules::plan::Plan;
use crate::rules::{Analysis, PlatformRow};

/// Console output: summaries go to stderr so stdout stays clean for pipes.
pub struct Log {
    pub quiet: bool,
    pub verbose: u8,
}

impl Log {
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{msg}");
        }
    }
}

/// Stage-by-stage progress on a terminal: `[2/6] classify … (1.3 s)`, the time since the
/// start. Silent when stderr is not a terminal (logs, CI) or under `-q`.
pub struct Progress {
    on: bool,
    total: usize,
    done: usize,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(log: &Log, total: usize) -> Progress {
        use std::io::IsTerminal;
        Progress {
            on: !log.quiet && std::io::stderr().is_terminal(),
            total,
            done: 0,
            started: std::time::Instant::now(),
        }
    }

    pub fn stage(&mut self, name: &str) {
        self.done += 1;
        if self.on {
            eprintln!(
                "[{}/{}] {name} … ({:.1} s)",
                self.done,
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }

    pub fn finish(self) {
        if self.on {
            eprintln!(
                "[{0}/{0}] done ({1:.1} s)",
                self.total,
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}

pub fn print_validation(v: &Validated, log: &Log) {
    let r = &v.report;
    for (table, t) in &r.tables {
        let reasons: Vec<String> = t.reasons.iter().map(|(k, n)| format!("{k} {n}")).collect();
        log.info(&format!(
            "{:<12} {:<20} read {:>10}  accepted {:>10}  rejected {:>8}{}",
            table.name(),
            t.file,
            t.read,
            t.accepted,
            t.rejected,
            if reasons.is_empty() {
                String::new()
            } else {
                format!("  ({})", reasons.join(", "))
            }
        ));
        if !t.unknown_columns.is_empty() {
            log.info(&format!(
                "{:<12} ignored unknown column{}: {}",
                table.name(),
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
                "{:<12} {} float money value(s) rounded to the fen",
                table.name(),
                t.float_money_rounded
            ));
        }
    }
    if let Some(n) = r.warnings.get("invalid_id_number").filter(|n| **n > 0) {
        log.info(&format!(
            "warning: {n} lender(s) with an invalid id_number check digit (kept)"
        ));
    }
    match r.as_of {
        Some(d) => log.info(&format!("as-of {d}")),
        None => log.info("as-of: none (no dated rows)"),
    }
}

/// Platforms, outstanding and current lenders per class.
pub fn print_class_summary(platforms: &[PlatformRow], log: &Log) {
    log.info(&format!(
        "{:<18} {:>9} {:>22} {:>16}",
        "class 类别", "platforms", "outstanding (yuan)", "current lenders"
    ));
    let mut total = (0usize, 0i128, 0i64);
    for class in Class::ALL {
        let rows: Vec<_> = platforms
            .iter()
            .filter(|p| p.class.class == class)
            .collect();
        let outstanding: i128 = rows
            .iter()
            .map(|p| i128::from(p.metrics.lender_outstanding))
            .sum();
        let lenders: i64 = rows.iter().map(|p| p.metrics.lenders_current).sum();
        total = (
            total.0 + rows.len(),
            total.1 + outstanding,
            total.2 + lenders,
        );
        log.info(&format!(
            "{:<18} {:>9} {:>22} {:>16}",
            format!("{} {}", class.code(), class.zh()),
            rows.len(),
            yuan_text(outstanding),
            lenders
        ));
    }
    log.info(&format!(
        "{:<18} {:>9} {:>22} {:>16}",
        "total 合计",
        total.0,
        yuan_text(total.1),
        total.2
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
        "claims: {} lender × platform rows, {} lenders, total claim {} yuan; {winners} net winners",
        analysis.claims.claim.len(),
        analysis.lenders.len(),
        yuan_text(total)
    ));
    log.info(&format!(
        "{several} lender(s) hold positions on two or more failed platforms (多个出险平台出借人: the most exposed)"
    ));
}

/// Platforms per stage and the 三降 curve on the console.
pub fn print_plan_summary(plan: &Plan, log: &Log) {
    log.info("stage  ends on     platforms  remaining: platforms  outstanding (yuan)      lenders");
    for s in &plan.stages {
        log.info(&format!(
            "{:>5}  {}  {:>9}  {:>20}  {:>18}  {:>11}{}",
            s.stage,
            s.ends_on,
            s.platforms,
            format!(
                "{} ({:.1}%)",
                s.platforms_remaining, s.platforms_remaining_pct
            ),
            yuan_text(s.outstanding_remaining.into()),
            s.lenders_remaining,
            if s.targets.is_empty() {
                String::new()
            } else {
                format!(
                    "  [{}]",
                    s.targets
                        .iter()
                        .map(|t| t.0.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        ));
    }
}

pub fn print_payout_summary(p: &Payouts, log: &Log) {
    let computed: Vec<&crate::payout::rounds::RoundRow> =
        p.rounds.iter().filter(|r| r.computed).collect();
    let sum = |f: fn(&crate::payout::rounds::RoundRow) -> i64| -> i128 {
        computed.iter().map(|r| i128::from(f(r))).sum()
    };
    let fmt = yuan_text;
    log.info(&format!(
        "payouts: {} round(s) on {} platform(s): pool {}, paid {}, reserved {}, carried {}, surplus {} yuan",
        computed.len(),
        computed.iter().map(|r| r.platform).collect::<std::collections::BTreeSet<_>>().len(),
        fmt(sum(|r| r.pool)),
        fmt(sum(|r| r.paid)),
        fmt(sum(|r| r.reserved)),
        fmt(sum(|r| r.carried)),
        fmt(sum(|r| r.surplus)),
    ));
}
