//! What a command prints when it is done: the input's counts and first rejects, the classes,
//! the exposure, the plan and the payouts — as tables on stderr, and recorded for `--format
//! json|csv`.

use super::*;

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
    let several = analysis.lenders.counts.on_several_failed;
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
            claim_rows: analysis.claims.len() as u64,
            lenders: analysis.lenders.len() as u64,
            total_claim: crate::domain::money::format_fen_wide(total),
            net_winners: winners,
            lenders_on_several_failed: several,
        });
    });
    if !log.tables() {
        return;
    }
    log.info(&format!(
        "{}: {} {}, {} {}, {} {} {} ({}); {} {}",
        bi("债权", "claims"),
        count_u(analysis.claims.len()),
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
