//! winddown.xlsx (`run --xlsx`): the regulator's workbook. 汇总 (the class table, the 三降
//! targets, the deadline), one sheet per class with every platform, its metrics, the class
//! reasons in Chinese, stage and action; 三降 stages; 一企一策 steps; payout rounds; rejected
//! rows. Chinese headers, money in 元 with thousands separators (万元 in the summary), dates
//! as dates, ids as text cells, frozen header rows, autofilters, widths that fit, A4 landscape
//! printing with the header row repeated. No personal data: the rejected rows are those of
//! rejects.csv, whose personal cells are already blank.
//!
//! Excel keeps numbers as binary floating point: a money cell holds the double nearest to the
//! exact yuan amount, which it shows to the fen (exact below 2⁵³ fen); the Parquet files are
//! the exact record.

use crate::domain::code::PlatformCode;
use crate::domain::money::Fen;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};
use unicode_width::UnicodeWidthStr;

use crate::domain::date::Date;
use crate::error::{Error, Result};
use crate::input::RejectRow;
use crate::output::folder::manifest::Pseudonymizer;
use crate::payout::rounds::Payouts;
use crate::rules::classify::Class;
use crate::rules::plan::Plan;
use crate::rules::{Analysis, ClassTotals};

/// The classes in the campaign's order (已出险, 高风险, 僵尸类, 规模较小, 正常).
const CLASSES: [Class; 5] = Class::WORK_PLAN;

/// Excel's last row (1,048,576 rows, one of them the header).
const MAX_ROWS: usize = 1_048_575;

/// One cell as the workbook shows it.
enum Cell {
    Text(String),
    Int(i64),
    /// An amount, shown in 元.
    Yuan(Fen),
    /// Fen, shown in 万元.
    Wan(i128),
    /// A percentage already ×100 (82.5 is 82.5 %).
    Pct(f64),
    Day(Date),
    Empty,
}

use Cell::*;

fn text(s: impl Into<String>) -> Cell {
    Text(s.into())
}

fn opt_date(d: Option<Date>) -> Cell {
    d.map_or(Empty, Day)
}

/// A sheet: a header row and rows below it (a table with an autofilter), then optional notes.
struct Sheet {
    name: String,
    headers: Vec<&'static str>,
    rows: Vec<Vec<Cell>>,
    /// Lines below the table (the 三降 targets, the deadline …), as rows of cells.
    notes: Vec<Vec<Cell>>,
    /// The last rows of the table that are totals (合计): outside the autofilter.
    total_rows: usize,
    /// Columns kept in view when scrolling right (the platform's id and name).
    frozen_cols: u16,
}

struct Formats {
    header: Format,
    yuan: Format,
    wan: Format,
    pct: Format,
    /// Counts with thousands separators (12,345).
    count: Format,
    date: Format,
    text: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center),
            yuan: Format::new().set_num_format("#,##0.00"),
            wan: Format::new().set_num_format("#,##0.00"),
            pct: Format::new().set_num_format("0.0%"),
            count: Format::new().set_num_format("#,##0"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            text: Format::new().set_num_format("@"),
        }
    }
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Internal(format!("writing winddown.xlsx: {e}"))
}

/// The displayed width of a cell, in Excel's character units (CJK counts double).
fn width(cell: &Cell) -> usize {
    match cell {
        Text(s) => UnicodeWidthStr::width(s.as_str()),
        Int(i) => crate::present::number::count(*i).len(),
        Yuan(f) => f.grouped().len(),
        Wan(f) => crate::domain::money::grouped(*f / 10_000).len(),
        Pct(_) => 6,
        Day(_) => 10,
        Empty => 0,
    }
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<()> {
    let r = match cell {
        Text(s) => ws.write_string_with_format(row, col, s, &f.text),
        Int(i) => ws.write_number_with_format(row, col, *i as f64, &f.count),
        // The double nearest to the exact decimal, parsed from its exact text.
        Yuan(fen) => ws.write_number_with_format(row, col, yuan_value(fen.wide(), 2), &f.yuan),
        Wan(fen) => ws.write_number_with_format(row, col, yuan_value(*fen, 6), &f.wan),
        Pct(p) => ws.write_number_with_format(row, col, p / 100.0, &f.pct),
        Day(d) => {
            let (y, m, day) = d.ymd();
            let xd = ExcelDateTime::from_ymd(y as u16, m as u8, day as u8).map_err(xlsx_error)?;
            ws.write_date_with_format(row, col, &xd, &f.date)
        }
        Empty => return Ok(()),
    };
    r.map(|_| ()).map_err(xlsx_error)
}

/// fen as a number of yuan (`shift` 2) or 万元 (`shift` 6): the exact decimal text, parsed.
fn yuan_value(fen: i128, shift: u32) -> f64 {
    let neg = fen < 0;
    let abs = fen.unsigned_abs();
    let div = 10u128.pow(shift);
    let text = format!(
        "{}{}.{:0width$}",
        if neg { "-" } else { "" },
        abs / div,
        abs % div,
        width = shift as usize
    );
    text.parse().unwrap_or(0.0)
}

fn write_sheet(wb: &mut Workbook, sheet: &Sheet, f: &Formats) -> Result<()> {
    let ws = wb.add_worksheet();
    ws.set_name(&sheet.name).map_err(xlsx_error)?;
    let cols = sheet.headers.len();
    let mut widths: Vec<usize> = sheet
        .headers
        .iter()
        .map(|h| UnicodeWidthStr::width(*h).min(24))
        .collect();
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.header)
            .map_err(xlsx_error)?;
    }
    let shown = sheet
        .rows
        .len()
        .min(MAX_ROWS - 1 - sheet.notes.len().min(MAX_ROWS / 2));
    for (r, row) in sheet.rows.iter().take(shown).enumerate() {
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, r as u32 + 1, c as u16, cell, f)?;
            widths[c] = widths[c].max(width(cell));
        }
    }
    let mut next = shown as u32 + 1;
    if shown < sheet.rows.len() {
        ws.write_string(
            next,
            0,
            format!(
                "（仅列出前 {shown} 行，共 {} 行；完整数据见 CSV/Parquet）/ first {shown} of {} rows",
                sheet.rows.len(),
                sheet.rows.len()
            ),
        )
        .map_err(xlsx_error)?;
        next += 1;
    }
    if !sheet.notes.is_empty() {
        next += 1;
        for row in &sheet.notes {
            for (c, cell) in row.iter().enumerate() {
                write_cell(ws, next, c as u16, cell, f)?;
            }
            next += 1;
        }
    }
    if cols > 0 {
        ws.set_freeze_panes(1, sheet.frozen_cols)
            .map_err(xlsx_error)?;
        // The filter covers the rows, not the totals below them.
        let filtered = shown.saturating_sub(sheet.total_rows).max(1);
        ws.autofilter(0, 0, filtered as u32, cols as u16 - 1)
            .map_err(xlsx_error)?;
        ws.set_repeat_rows(0, 0).map_err(xlsx_error)?;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 2.0)
            .map_err(xlsx_error)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The workbook's bytes; the same inputs give the same bytes (the creation date is the as-of).
pub fn workbook(
    analysis: &Analysis,
    plan: &Plan,
    payouts: &Payouts,
    rejects: &[RejectRow],
    pseudonyms: Option<&Pseudonymizer>,
    as_of: Option<Date>,
) -> Result<Vec<u8>> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let (y, m, d) = as_of.unwrap_or(Date::civil(2000, 1, 1)).ymd();
    let created = ExcelDateTime::from_ymd(y as u16, m as u8, d as u8).map_err(xlsx_error)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("网贷机构分类处置与清退 winddown")
            .set_author("winddown")
            .set_creation_datetime(&created),
    );
    for sheet in [summary_sheet(analysis, plan)]
        .into_iter()
        .chain(CLASSES.iter().map(|c| class_sheet(analysis, plan, *c)))
        .chain([
            stages_sheet(plan),
            steps_sheet(plan),
            rounds_sheet(analysis, payouts),
            rejects_sheet(rejects, pseudonyms),
        ])
    {
        write_sheet(&mut wb, &sheet, &f)?;
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

fn summary_sheet(analysis: &Analysis, plan: &Plan) -> Sheet {
    let row = |label: &str, t: &ClassTotals| {
        vec![
            text(label),
            Int(t.platforms as i64),
            Wan(t.lender_outstanding),
            Wan(t.loan_outstanding),
            Int(t.lenders_current),
            Wan(t.total_claim),
            Wan(t.expected_recovery),
        ]
    };
    let mut rows = Vec::new();
    let mut total = ClassTotals::default();
    for class in CLASSES {
        let t = ClassTotals::of(&analysis.platforms, class);
        total = total.plus(&t);
        rows.push(row(class.zh(), &t));
    }
    rows.push(row("合计", &total));
    let mut notes = vec![vec![
        text("三降目标"),
        text("阶段"),
        text("截至日期"),
        text("目标"),
        text("是否达成"),
    ]];
    for s in &plan.stages {
        for (t, met) in &s.targets {
            notes.push(vec![
                Empty,
                Int(i64::from(s.stage)),
                Day(s.ends_on),
                text(t.clone()),
                text(if *met { "达成" } else { "未达成" }),
            ]);
        }
    }
    if notes.len() == 1 {
        notes.push(vec![Empty, text("（未设定目标）")]);
    }
    if let Some(deadline) = plan.deadline {
        let limit = |v: Option<i64>| v.map_or(text("不限"), Int);
        notes.push(vec![]);
        notes.push(vec![text("完成期限"), Day(deadline)]);
        notes.push(vec![
            text("每阶段平台数"),
            text("配置"),
            limit(plan.configured.platforms),
            text("按期所需"),
            limit(plan.capacity.platforms),
        ]);
        notes.push(vec![
            text("无法按期完成的平台"),
            Int(plan.at_risk().count() as i64),
        ]);
        for (e, r) in plan.at_risk() {
            notes.push(vec![
                Empty,
                text(e.input.platform_id.clone()),
                text(e.input.name.clone()),
                text(r.reason_zh.clone()),
            ]);
        }
    }
    Sheet {
        name: "汇总".into(),
        headers: vec![
            "类别",
            "平台数",
            "出借余额（万元）",
            "借款余额（万元）",
            "在贷出借人数",
            "债权总额（万元）",
            "预计回收（万元）",
        ],
        rows,
        notes,
        total_rows: 1,
        frozen_cols: 0,
    }
}

fn class_sheet(analysis: &Analysis, plan: &Plan, class: Class) -> Sheet {
    let entry: std::collections::HashMap<&str, &crate::rules::plan::Entry> = plan
        .entries
        .iter()
        .map(|e| (e.input.platform_id.as_str(), e))
        .collect();
    let rows = analysis
        .platforms
        .iter()
        .filter(|p| p.class.class == class)
        .map(|p| {
            let m = &p.metrics;
            let e = entry.get(m.platform_id.as_str());
            vec![
                text(m.platform_id.clone()),
                text(m.name.clone()),
                text(m.district.clone()),
                p.class.subclass.map_or(Empty, |s| text(s.zh())),
                Yuan(m.lender_outstanding),
                Yuan(m.loan_outstanding),
                Int(m.lenders_current),
                Int(m.borrowers_current),
                Yuan(m.overdue_90_amount),
                Yuan(m.related_party_amount),
                Yuan(m.top10_borrower_amount),
                m.months_since_new_loan.map_or(Empty, |v| Int(i64::from(v))),
                Yuan(p.exposure.total_claim),
                Yuan(m.expected_recovery),
                text(p.class.reason_zh.clone()),
                e.map_or(Empty, |e| Int(i64::from(e.stage))),
                e.map_or(Empty, |e| text(e.action_zh)),
                opt_date(e.map(|e| e.complete_by)),
                e.and_then(|e| e.at_risk.as_ref())
                    .map_or(Empty, |r| text(r.reason_zh.clone())),
            ]
        })
        .collect();
    Sheet {
        name: class.zh().into(),
        headers: vec![
            "平台编号",
            "平台名称",
            "属地",
            "子类",
            "出借余额（元）",
            "借款余额（元）",
            "在贷出借人数",
            "在贷借款人数",
            "逾期90天以上金额（元）",
            "关联方借款余额（元）",
            "前十大借款人余额（元）",
            "距最近新增借款月数",
            "债权总额（元）",
            "预计回收（元）",
            "分类理由",
            "退出阶段",
            "处置方式",
            "预计完成日期",
            "无法按期完成原因",
        ],
        rows,
        notes: Vec::new(),
        total_rows: 0,
        frozen_cols: 2,
    }
}

fn stages_sheet(plan: &Plan) -> Sheet {
    let rows = plan
        .stages
        .iter()
        .map(|s| {
            vec![
                Int(i64::from(s.stage)),
                Day(s.ends_on),
                Int(s.platforms),
                Int(s.lenders),
                Yuan(s.outstanding),
                Int(s.platforms_remaining),
                Pct(s.platforms_remaining_pct),
                Yuan(s.outstanding_remaining),
                Pct(s.outstanding_remaining_pct),
                Int(s.lenders_remaining),
                Pct(s.lenders_remaining_pct),
                text(
                    s.targets
                        .iter()
                        .map(|t| t.0.as_str())
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
                if s.targets.is_empty() {
                    Empty
                } else if s.targets.iter().all(|t| t.1) {
                    text("达成")
                } else {
                    text("未达成")
                },
            ]
        })
        .collect();
    Sheet {
        name: "三降阶段".into(),
        headers: vec![
            "阶段",
            "截至日期",
            "本阶段退出平台数",
            "本阶段涉及在贷出借人",
            "本阶段涉及出借余额（元）",
            "剩余平台数",
            "剩余平台占比",
            "剩余出借余额（元）",
            "剩余余额占比",
            "剩余在贷出借人",
            "剩余出借人占比",
            "三降目标",
            "目标是否达成",
        ],
        rows,
        notes: Vec::new(),
        total_rows: 0,
        frozen_cols: 0,
    }
}

fn steps_sheet(plan: &Plan) -> Sheet {
    let mut rows = Vec::new();
    for e in &plan.entries {
        for s in &e.steps {
            rows.push(vec![
                Int(e.order_rank),
                text(e.input.platform_id.clone()),
                text(e.input.name.clone()),
                text(e.input.class.zh()),
                Int(i64::from(e.stage)),
                text(e.action_zh),
                text(e.responsible_units.join("、")),
                text(s.step_zh),
                Day(s.due_on),
            ]);
        }
    }
    Sheet {
        name: "一企一策".into(),
        headers: vec![
            "顺序",
            "平台编号",
            "平台名称",
            "类别",
            "阶段",
            "处置方式",
            "责任单位",
            "步骤",
            "截止日期",
        ],
        rows,
        notes: Vec::new(),
        total_rows: 0,
        frozen_cols: 0,
    }
}

fn rounds_sheet(analysis: &Analysis, payouts: &Payouts) -> Sheet {
    let by_code: std::collections::HashMap<PlatformCode, &crate::rules::metrics::PlatformMetrics> =
        analysis
            .platforms
            .iter()
            .map(|p| (p.metrics.code, &p.metrics))
            .collect();
    let mut rounds: Vec<_> = payouts.rounds.iter().collect();
    let id = |code: PlatformCode| by_code.get(&code).map_or("", |m| m.platform_id.as_str());
    rounds.sort_by(|a, b| {
        (id(a.platform).as_bytes(), a.round).cmp(&(id(b.platform).as_bytes(), b.round))
    });
    let rows = rounds
        .into_iter()
        .map(|r| {
            let m = by_code.get(&r.platform);
            vec![
                text(m.map_or(String::new(), |m| m.platform_id.clone())),
                text(m.map_or(String::new(), |m| m.name.clone())),
                Int(r.round),
                Yuan(r.pool),
                Yuan(r.paid),
                Yuan(r.reserved),
                Yuan(r.carried),
                Yuan(r.returned),
                Yuan(r.reissued),
                Yuan(r.surplus),
                Int(r.lenders),
                Int(r.lenders_paid),
                // The share of every claim reached by this round (the level L; a round taken
                // from the ledger is not recomputed and has none).
                r.level.map_or(Empty, |l| Pct(l * 100.0)),
                text(if r.computed {
                    "本次计算"
                } else {
                    "取自台账"
                }),
            ]
        })
        .collect();
    Sheet {
        name: "兑付轮次".into(),
        headers: vec![
            "平台编号",
            "平台名称",
            "轮次",
            "可分配金额（元）",
            "兑付（元）",
            "提存（元）",
            "结转（元）",
            "退汇待重发（元）",
            "本次重发（元）",
            "结余（元）",
            "参与出借人数",
            "获兑付出借人数",
            "兑付比例（累计）",
            "来源",
        ],
        rows,
        notes: Vec::new(),
        total_rows: 0,
        frozen_cols: 0,
    }
}

fn rejects_sheet(rejects: &[RejectRow], pseudonyms: Option<&Pseudonymizer>) -> Sheet {
    let mut sorted: Vec<&RejectRow> = rejects.iter().collect();
    sorted.sort_by(|a, b| (a.table, a.line, &a.column).cmp(&(b.table, b.line, &b.column)));
    let mut rows: Vec<Vec<Cell>> = sorted
        .into_iter()
        .map(|r| {
            let value = crate::output::reject_value(r, pseudonyms);
            vec![
                text(r.table.name()),
                text(r.file.clone()),
                Int(r.line as i64),
                text(r.column.clone()),
                text(value),
                text(r.reason.code()),
            ]
        })
        .collect();
    // An empty sheet could be a sheet that failed to fill: say there was nothing.
    if rows.is_empty() {
        rows.push(vec![
            text("无 none"),
            text(""),
            text(""),
            text(""),
            text(""),
            text(""),
        ]);
    }
    Sheet {
        name: "拒收记录".into(),
        headers: vec!["表", "文件", "行号", "列", "值", "原因"],
        rows,
        notes: Vec::new(),
        total_rows: 0,
        frozen_cols: 0,
    }
}
