//! docket.md: the docket of old cases (陈案台账) against the work plan's targets — per year the
//! stock of old cases at its start and how many were done (closed or their assets disposed) by
//! its end against the target; the year's districts and responsible units; the cases judged
//! before 2018 not yet closed, by name; and the money recovered, confirmed and paid.

use std::fmt::Write;

use crate::cases::docket::{Docket, Settings, Tally};
use crate::domain::case::Choice;
use crate::domain::code::CaseCode;
use crate::domain::count::grouped as count;
use crate::domain::money::wan_yi;
use crate::domain::text::markdown_cell as md;
use crate::input::cases::CaseData;

fn share(t: &Tally) -> String {
    if t.stock == 0 {
        "—".into()
    } else {
        // Exact to a tenth of a percent, half up.
        let tenths = (i128::from(t.done) * 2000 + i128::from(t.stock)) / (2 * i128::from(t.stock));
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

fn met(t: &Tally, target: (i64, i64)) -> &'static str {
    if t.met(target) {
        "达标 met"
    } else {
        "未达标 missed"
    }
}

/// The docket as Markdown.
pub fn docket_md(data: &CaseData, docket: &Docket, settings: Settings) -> String {
    let target = settings.target;
    let pct = (target.0 * 100) / target.1.max(1);
    let mut s = String::new();
    let _ = writeln!(s, "# 陈案台账 Docket of old cases\n");
    let _ = writeln!(
        s,
        "数据截至 as of {}. 陈案 old cases: opened before {}. 化解 done: closed (销号) or assets \
         disposed (every asset realised, or the case in clearance or closed). Target: {pct}% of \
         the stock at the start of a year done by its end; every case judged before 2018 closed.\n",
        settings.as_of, settings.old_before
    );
    let _ = writeln!(s, "## 各年度 By year\n\n| 年度 year | 年初存量 stock | 年内化解 done | 化解率 share | 目标 {pct}% |\n|---|---:|---:|---:|---|");
    for (y, t) in &docket.years {
        let _ = writeln!(
            s,
            "| {y} | {} | {} | {} | {} |",
            count(t.stock),
            count(t.done),
            share(t),
            met(t, target)
        );
    }
    for (title, map) in [
        ("属地 By district", &docket.by_district),
        ("责任单位 By responsible unit", &docket.by_unit),
    ] {
        let _ = writeln!(
            s,
            "\n## {} {title} (to {})\n\n| | 年初存量 stock | 化解 done | 化解率 share | 目标 {pct}% |\n|---|---:|---:|---:|---|",
            settings.year, docket.year_end
        );
        for (k, t) in map {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                md(k),
                count(t.stock),
                count(t.done),
                share(t),
                met(t, target)
            );
        }
        let t = &docket.total;
        let _ = writeln!(
            s,
            "| **合计 total** | {} | {} | {} | {} |",
            count(t.stock),
            count(t.done),
            share(t),
            met(t, target)
        );
    }
    let mut open: Vec<CaseCode> = data
        .cases
        .codes()
        .filter(|&c| docket.rows[c].judged_before_2018_open)
        .collect();
    open.sort_by(|&a, &b| data.cases[a].id.as_bytes().cmp(data.cases[b].id.as_bytes()));
    let _ = writeln!(
        s,
        "\n## 2018年以前判决尚未结案 Judged before 2018, not closed: {}\n",
        count(open.len() as i64)
    );
    if open.is_empty() {
        let _ = writeln!(s, "无 none.");
    } else {
        let _ = writeln!(s, "| 案件编号 case | 名称 name | 属地 district | 责任单位 unit | 判决 judged | 阶段 status |\n|---|---|---|---|---|---|");
        for c in open {
            let k = &data.cases[c];
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                md(&k.id),
                md(&k.name),
                md(&k.district),
                md(&k.unit),
                k.judged_on.map(|d| d.to_string()).unwrap_or_default(),
                k.status.zh()
            );
        }
    }
    let sum = |f: &dyn Fn(&crate::cases::docket::Row) -> i64| -> i128 {
        docket.rows.iter().map(|r| i128::from(f(r))).sum()
    };
    let _ = writeln!(
        s,
        "\n## 资金 Money\n\n| | |\n|---|---:|\n| 案件数 cases | {} |\n| 累计变现 recovered | {} |\n| 核定损失 losses confirmed | {} |\n| 累计清退 paid | {} |",
        count(data.cases.len() as i64),
        wan_yi(sum(&|r| r.recovered)),
        wan_yi(sum(&|r| r.losses_confirmed)),
        wan_yi(sum(&|r| r.paid)),
    );
    s
}
