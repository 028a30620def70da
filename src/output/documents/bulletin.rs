//! Progress: the quarterly bulletin (定期报告、季度通报) between two runs (docs/rules.md, docs/outputs.md).
//!
//! In: two output folders of `run` or `plan` (platforms.parquet, validation.json and, in the
//! older one, plan_stages.parquet). Out: platforms, outstanding and current lenders by class
//! and by district then and now with the % change; platforms that changed class, exited or
//! appeared; and the actual figures against the older plan's projection for the newer as-of.

use crate::domain::text::markdown_cell as md_text;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::domain::date::Date;
use crate::domain::exports::{CLASS, DISTRICT, LENDERS_CURRENT, LENDER_OUTSTANDING, PLATFORM_ID};
use crate::error::{Error, Result};
use crate::table::export_file::ExportFile;

/// One platform as a run saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub class: String,
    pub district: String,
    /// Fen.
    pub outstanding: i64,
    pub lenders: i64,
}

/// What a run folder holds for the bulletin.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub as_of: Date,
    pub platforms: BTreeMap<String, Seen>,
    /// (ends_on, platforms, outstanding fen, lenders) per stage, stage 0 first.
    pub projection: Vec<(Date, i64, i64, i64)>,
    /// The plan's deadline, if it had one.
    pub deadline: Option<Date>,
    /// Its payout rounds by (platform, round), when it computed any (payout_rounds.parquet).
    pub rounds: Option<BTreeMap<(String, i64), Round>>,
}

/// One payout round as a run recorded it (fen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub pool: i64,
    pub paid: i64,
    pub reserved: i64,
}

/// A run's payout rounds added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RoundTotals {
    pub rounds: i64,
    pub platforms: i64,
    /// Fen.
    pub pool: i128,
    pub paid: i128,
    pub reserved: i128,
}

impl RoundTotals {
    fn of(rounds: &BTreeMap<(String, i64), Round>) -> RoundTotals {
        let mut t = RoundTotals {
            rounds: rounds.len() as i64,
            platforms: rounds.keys().map(|k| &k.0).collect::<BTreeSet<_>>().len() as i64,
            ..RoundTotals::default()
        };
        for r in rounds.values() {
            t.pool += i128::from(r.pool);
            t.paid += i128::from(r.paid);
            t.reserved += i128::from(r.reserved);
        }
        t
    }
}

/// Payout rounds then and now, and the rounds the later run added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoundsProgress {
    pub then: RoundTotals,
    pub now: RoundTotals,
    /// (platform, round, the round) in the later run and not the earlier one.
    pub added: Vec<(String, i64, Round)>,
}

/// Totals of a group (class or district).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    pub platforms: i64,
    pub outstanding: i64,
    pub lenders: i64,
}

/// The bulletin.
#[derive(Debug, Clone)]
pub struct Bulletin {
    pub old_as_of: Date,
    pub new_as_of: Date,
    pub by_class: BTreeMap<String, (Totals, Totals)>,
    pub by_district: BTreeMap<String, (Totals, Totals)>,
    pub total: (Totals, Totals),
    /// (platform, old class, new class).
    pub changed: Vec<(String, String, String)>,
    pub exited: Vec<String>,
    pub appeared: Vec<String>,
    /// The old plan's projection at the new as-of (interpolated), if it had a plan.
    pub projected: Option<Totals>,
    /// The old plan's deadline, if it was planned to one.
    pub deadline: Option<Date>,
    /// Payout rounds, when either run computed any.
    pub rounds: Option<RoundsProgress>,
}

/// Where an actual figure stands against the plan's: fewer remaining is ahead.
pub fn standing(projected: i64, actual: i64) -> (&'static str, &'static str) {
    match actual.cmp(&projected) {
        std::cmp::Ordering::Less => ("ahead", "超前"),
        std::cmp::Ordering::Equal => ("on_plan", "持平"),
        std::cmp::Ordering::Greater => ("behind", "落后"),
    }
}

fn bad(path: &Path, m: impl Into<String>) -> Error {
    Error::bad_file(path, m)
}

/// Read what the bulletin needs from a run folder.
pub fn read_snapshot(dir: &Path) -> Result<Snapshot> {
    let vpath = dir.join("validation.json");
    let v: crate::output::folder::records::Validation = serde_json::from_str(
        &std::fs::read_to_string(&vpath).map_err(|e| bad(&vpath, format!("cannot read: {e}")))?,
    )
    .map_err(|e| {
        bad(
            &vpath,
            format!("not a validation.json of this version: {e}"),
        )
    })?;
    let as_of = v
        .as_of
        .as_deref()
        .and_then(Date::parse)
        .ok_or_else(|| bad(&vpath, "no as_of date"))?;
    let ppath = dir.join("platforms.parquet");
    let t = ExportFile::read(
        &ppath,
        &[
            &PLATFORM_ID,
            &CLASS,
            &DISTRICT,
            &LENDER_OUTSTANDING,
            &LENDERS_CURRENT,
        ],
    )?;
    let (ids, classes, districts) = (t.text(&PLATFORM_ID)?, t.text(&CLASS)?, t.text(&DISTRICT)?);
    let outstanding = t.money(&LENDER_OUTSTANDING)?;
    let lenders = t.int(&LENDERS_CURRENT)?;
    let platforms = (0..ids.len())
        .map(|i| {
            (
                ids[i].clone(),
                Seen {
                    class: classes[i].clone(),
                    district: districts[i].clone(),
                    outstanding: outstanding[i],
                    lenders: lenders[i],
                },
            )
        })
        .collect();
    let spath = dir.join("plan_stages.parquet");
    let mut deadline = None;
    let projection = if spath.is_file() {
        use crate::domain::exports::plan_stages as f;
        let s = ExportFile::read(
            &spath,
            &[
                &f::ENDS_ON,
                &f::PLATFORMS_REMAINING,
                &f::LENDERS_REMAINING,
                &f::OUTSTANDING_REMAINING,
                &f::DEADLINE,
            ],
        )?;
        let ends = s.date(&f::ENDS_ON)?;
        let p = s.int(&f::PLATFORMS_REMAINING)?;
        let l = s.int(&f::LENDERS_REMAINING)?;
        let o = s.money(&f::OUTSTANDING_REMAINING)?;
        // Folders written before the deadline column have none.
        if s.has(&f::DEADLINE) {
            deadline = s.opt_date(&f::DEADLINE)?.into_iter().flatten().next();
        }
        (0..ends.len())
            .map(|i| (ends[i], p[i], o[i], l[i]))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Snapshot {
        as_of,
        platforms,
        projection,
        deadline,
        rounds: read_rounds(dir)?,
    })
}

/// A run's payout rounds, if it wrote payout_rounds.parquet.
fn read_rounds(dir: &Path) -> Result<Option<BTreeMap<(String, i64), Round>>> {
    use crate::domain::exports::payout_rounds as f;
    use crate::domain::exports::ROUND;
    let path = dir.join(f::EXPORT.file);
    if !path.is_file() {
        return Ok(None);
    }
    let t = ExportFile::read(
        &path,
        &[&PLATFORM_ID, &ROUND, &f::POOL, &f::PAID, &f::RESERVED],
    )?;
    let (ids, rounds) = (t.text(&PLATFORM_ID)?, t.int(&ROUND)?);
    let (pool, paid, reserved) = (
        t.money(&f::POOL)?,
        t.money(&f::PAID)?,
        t.money(&f::RESERVED)?,
    );
    Ok(Some(
        (0..ids.len())
            .map(|i| {
                let round = Round {
                    pool: pool[i],
                    paid: paid[i],
                    reserved: reserved[i],
                };
                ((ids[i].clone(), rounds[i]), round)
            })
            .collect(),
    ))
}

/// Compare two snapshots.
pub fn bulletin(old: &Snapshot, new: &Snapshot) -> Bulletin {
    let add = |t: &mut Totals, s: &Seen| {
        t.platforms += 1;
        t.outstanding += s.outstanding;
        t.lenders += s.lenders;
    };
    let mut by_class: BTreeMap<String, (Totals, Totals)> = BTreeMap::new();
    let mut by_district: BTreeMap<String, (Totals, Totals)> = BTreeMap::new();
    let mut total = (Totals::default(), Totals::default());
    for s in old.platforms.values() {
        add(&mut by_class.entry(s.class.clone()).or_default().0, s);
        add(&mut by_district.entry(s.district.clone()).or_default().0, s);
        add(&mut total.0, s);
    }
    for s in new.platforms.values() {
        add(&mut by_class.entry(s.class.clone()).or_default().1, s);
        add(&mut by_district.entry(s.district.clone()).or_default().1, s);
        add(&mut total.1, s);
    }
    let old_ids: BTreeSet<&String> = old.platforms.keys().collect();
    let new_ids: BTreeSet<&String> = new.platforms.keys().collect();
    let changed = old
        .platforms
        .iter()
        .filter_map(|(id, o)| {
            new.platforms
                .get(id)
                .filter(|n| n.class != o.class)
                .map(|n| (id.clone(), o.class.clone(), n.class.clone()))
        })
        .collect();
    Bulletin {
        old_as_of: old.as_of,
        new_as_of: new.as_of,
        by_class,
        by_district,
        total,
        changed,
        exited: old_ids.difference(&new_ids).map(|s| (*s).clone()).collect(),
        appeared: new_ids.difference(&old_ids).map(|s| (*s).clone()).collect(),
        projected: interpolate(&old.projection, new.as_of),
        deadline: old.deadline,
        rounds: rounds_progress(old.rounds.as_ref(), new.rounds.as_ref()),
    }
}

/// Payout rounds then and now; None when neither run computed any.
fn rounds_progress(
    old: Option<&BTreeMap<(String, i64), Round>>,
    new: Option<&BTreeMap<(String, i64), Round>>,
) -> Option<RoundsProgress> {
    if old.is_none() && new.is_none() {
        return None;
    }
    let empty = BTreeMap::new();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    Some(RoundsProgress {
        then: RoundTotals::of(old),
        now: RoundTotals::of(new),
        added: new
            .iter()
            .filter(|(k, _)| !old.contains_key(*k))
            .map(|((p, n), r)| (p.clone(), *n, *r))
            .collect(),
    })
}

/// The projection at `date`, linear between stage ends (flat beyond the last).
fn interpolate(rows: &[(Date, i64, i64, i64)], date: Date) -> Option<Totals> {
    let first = rows.first()?;
    if date <= first.0 {
        return Some(Totals {
            platforms: first.1,
            outstanding: first.2,
            lenders: first.3,
        });
    }
    for w in rows.windows(2) {
        let (a, b) = (w[0], w[1]);
        if date <= b.0 {
            let span = i128::from(b.0 .0 - a.0 .0).max(1);
            let t = i128::from(date.0 - a.0 .0);
            let lerp = |x: i64, y: i64| -> i64 {
                let v = i128::from(x) * (span - t) + i128::from(y) * t;
                i64::try_from(v.div_euclid(span) + i128::from(2 * v.rem_euclid(span) >= span))
                    .unwrap_or(i64::MAX)
            };
            return Some(Totals {
                platforms: lerp(a.1, b.1),
                outstanding: lerp(a.2, b.2),
                lenders: lerp(a.3, b.3),
            });
        }
    }
    let last = rows.last()?;
    Some(Totals {
        platforms: last.1,
        outstanding: last.2,
        lenders: last.3,
    })
}

/// % change from `then` to `now`; None when `then` is 0.
pub fn change(then: i64, now: i64) -> Option<f64> {
    (then != 0).then(|| (now - then) as f64 * 100.0 / then as f64)
}

/// The bulletin as Markdown.
pub fn markdown(b: &Bulletin) -> String {
    use crate::present::lang::{bi, short, slash};
    use crate::present::number::{change as pct, count, count_diff, fen, fen_diff, yuan};
    let total_label = bi("合计", "total");
    use std::fmt::Write;
    let mut md = String::new();
    let md_list = |ids: &[String]| -> String {
        ids.iter()
            .map(|i| md_text(i).into_owned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        md,
        "# {}\n",
        slash("网贷风险专项整治 进展通报", "Progress bulletin")
    );
    let _ = writeln!(md, "{} → {}\n", b.old_as_of, b.new_as_of);
    let table = |md: &mut String,
                 title: &str,
                 rows: &[(String, &(Totals, Totals))],
                 total: &(Totals, Totals)| {
        let _ = writeln!(md, "## {title}\n");
        let then_now = bi("此前 → 现在", "then → now");
        let _ = writeln!(
            md,
            "| | {} {then_now} | {} ({}) {then_now} | {} {then_now} |",
            bi("平台", "platforms"),
            bi("余额", "outstanding"),
            short("元", "yuan"),
            bi("在贷出借人", "lenders")
        );
        let _ = writeln!(md, "|---|---|---|---|");
        for (k, (o, n)) in rows
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .chain(std::iter::once((total_label.as_str(), total)))
        {
            let _ = writeln!(
                md,
                "| {} | {} → {} ({}) | {} → {} ({}) | {} → {} ({}) |",
                if k.is_empty() {
                    format!("（{}）", bi("未填", "none")).into()
                } else {
                    md_text(k)
                },
                count(o.platforms),
                count(n.platforms),
                pct(change(o.platforms, n.platforms)),
                fen(o.outstanding),
                fen(n.outstanding),
                pct(change(o.outstanding, n.outstanding)),
                count(o.lenders),
                count(n.lenders),
                pct(change(o.lenders, n.lenders))
            );
        }
        let _ = writeln!(md);
    };
    // Classes in the work plan's order, named in Chinese and English.
    let label = |code: &str| {
        crate::domain::class::Class::of_code(code).map_or(code.to_string(), |c| bi(c.zh(), code))
    };
    let mut classes: Vec<(&String, &(Totals, Totals))> = b.by_class.iter().collect();
    classes.sort_by_key(|(code, _)| crate::domain::class::Class::shown_rank(code));
    let classes: Vec<(String, &(Totals, Totals))> =
        classes.into_iter().map(|(c, v)| (label(c), v)).collect();
    table(&mut md, &bi("按类别", "By class"), &classes, &b.total);
    let districts: Vec<(String, &(Totals, Totals))> =
        b.by_district.iter().map(|(k, v)| (k.clone(), v)).collect();
    table(&mut md, &bi("按属地", "By district"), &districts, &b.total);
    let _ = writeln!(md, "## {}\n", bi("变动", "Changes"));
    let _ = writeln!(
        md,
        "- {} ({}): {}",
        bi("已退出", "exited"),
        count(b.exited.len() as i64),
        md_list(&b.exited)
    );
    let _ = writeln!(
        md,
        "- {} ({}): {}",
        bi("新纳入", "new"),
        count(b.appeared.len() as i64),
        md_list(&b.appeared)
    );
    let _ = writeln!(
        md,
        "- {} ({}):",
        bi("类别变化", "changed class"),
        count(b.changed.len() as i64)
    );
    for (id, o, n) in &b.changed {
        let _ = writeln!(md, "  - {}: {} → {}", md_text(id), label(o), label(n));
    }
    if let Some(r) = &b.rounds {
        let _ = writeln!(md, "\n## {}\n", bi("兑付", "Payout rounds"));
        let _ = writeln!(
            md,
            "| | {} | {} |\n|---|---|---|",
            bi("此前", "then"),
            bi("现在", "now")
        );
        let y = short("元", "yuan");
        let rows: [(String, String, String); 5] = [
            (
                bi("轮次", "rounds"),
                count(r.then.rounds),
                count(r.now.rounds),
            ),
            (
                bi("平台", "platforms"),
                count(r.then.platforms),
                count(r.now.platforms),
            ),
            (
                format!("{} ({y})", bi("可分配", "pool")),
                yuan(r.then.pool),
                yuan(r.now.pool),
            ),
            (
                format!("{} ({y})", bi("兑付", "paid")),
                yuan(r.then.paid),
                yuan(r.now.paid),
            ),
            (
                format!("{} ({y})", bi("提存", "reserved")),
                yuan(r.then.reserved),
                yuan(r.now.reserved),
            ),
        ];
        for (what, then, now) in rows {
            let _ = writeln!(md, "| {what} | {then} | {now} |");
        }
        if r.added.is_empty() {
            let _ = writeln!(
                md,
                "\n{}",
                bi(
                    "本期无新的兑付轮次。",
                    "No payout round since the earlier run."
                )
            );
        } else {
            let _ = writeln!(
                md,
                "\n{} ({}):\n",
                bi("本期新增兑付轮次", "Rounds since the earlier run"),
                count(r.added.len() as i64)
            );
            let _ = writeln!(
                md,
                "| {} | {} | {} ({y}) | {} ({y}) | {} ({y}) |\n|---|---|---|---|---|",
                bi("平台", "platform"),
                bi("轮次", "round"),
                bi("可分配", "pool"),
                bi("兑付", "paid"),
                bi("提存", "reserved")
            );
            for (p, n, x) in &r.added {
                let _ = writeln!(
                    md,
                    "| {} | {n} | {} | {} | {} |",
                    md_text(p),
                    fen(x.pool),
                    fen(x.paid),
                    fen(x.reserved)
                );
            }
        }
    }
    let _ = writeln!(md, "\n## {}\n", bi("与计划对比", "Against the plan"));
    if let Some(d) = b.deadline {
        let _ = writeln!(md, "{}: {d}\n", bi("计划完成期限", "The plan's deadline"));
    }
    match &b.projected {
        Some(p) => {
            let n = &b.total.1;
            let st = |p: i64, a: i64| {
                let (en, zh) = standing(p, a);
                bi(zh, en)
            };
            let _ = writeln!(
                md,
                "| | {} | {} | {} | {} |",
                bi("计划", "projected"),
                bi("实际", "actual"),
                bi("差", "difference"),
                bi("进度", "standing")
            );
            let _ = writeln!(md, "|---|---|---|---|---|");
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                bi("平台", "platforms"),
                count(p.platforms),
                count(n.platforms),
                count_diff(n.platforms - p.platforms),
                st(p.platforms, n.platforms)
            );
            let _ = writeln!(
                md,
                "| {} ({}) | {} | {} | {} | {} |",
                bi("余额", "outstanding"),
                short("元", "yuan"),
                fen(p.outstanding),
                fen(n.outstanding),
                fen_diff(i128::from(n.outstanding) - i128::from(p.outstanding)),
                st(p.outstanding, n.outstanding)
            );
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                bi("在贷出借人", "lenders"),
                count(p.lenders),
                count(n.lenders),
                count_diff(n.lenders - p.lenders),
                st(p.lenders, n.lenders)
            );
        }
        None => {
            let _ = writeln!(
                md,
                "{}",
                bi(
                    "此前一次运行没有分阶段计划（plan_stages.parquet），无从对比。",
                    "The older run has no plan_stages.parquet: nothing to compare."
                )
            );
        }
    }
    md
}

/// The bulletin as JSON (money as yuan text).
pub fn json(b: &Bulletin) -> serde_json::Value {
    use serde_json::json;
    let t = |t: &Totals| json!({"platforms": t.platforms, "outstanding": crate::domain::money::format_fen(t.outstanding), "lenders": t.lenders});
    let group = |rows: &BTreeMap<String, (Totals, Totals)>| -> serde_json::Value {
        rows.iter()
            .map(|(k, (o, n))| {
                json!({
                    "key": k, "then": t(o), "now": t(n),
                    "change_pct": {
                        "platforms": change(o.platforms, n.platforms),
                        "outstanding": change(o.outstanding, n.outstanding),
                        "lenders": change(o.lenders, n.lenders),
                    }
                })
            })
            .collect()
    };
    json!({
        "old_as_of": b.old_as_of.to_string(),
        "new_as_of": b.new_as_of.to_string(),
        "total": {"then": t(&b.total.0), "now": t(&b.total.1)},
        "by_class": group(&b.by_class),
        "by_district": group(&b.by_district),
        "changed_class": b.changed.iter().map(|(id, o, n)| json!({"platform_id": id, "from": o, "to": n})).collect::<Vec<_>>(),
        "exited": b.exited,
        "appeared": b.appeared,
        "projected": b.projected.as_ref().map(t),
        "standing": b.projected.as_ref().map(|p| json!({
            "platforms": standing(p.platforms, b.total.1.platforms).0,
            "outstanding": standing(p.outstanding, b.total.1.outstanding).0,
            "lenders": standing(p.lenders, b.total.1.lenders).0,
        })),
        "deadline": b.deadline.map(|d| d.to_string()),
        "payout_rounds": b.rounds.as_ref().map(|r| {
            let y = crate::domain::money::format_fen_wide;
            let tot = |t: &RoundTotals| json!({"rounds": t.rounds, "platforms": t.platforms, "pool": y(t.pool), "paid": y(t.paid), "reserved": y(t.reserved)});
            json!({
                "then": tot(&r.then),
                "now": tot(&r.now),
                "added": r.added.iter().map(|(p, n, x)| json!({"platform_id": p, "round": n, "pool": crate::domain::money::format_fen(x.pool), "paid": crate::domain::money::format_fen(x.paid), "reserved": crate::domain::money::format_fen(x.reserved)})).collect::<Vec<_>>(),
            })
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn interpolation_between_stage_ends() {
        let rows = vec![
            (d("2019-06-30"), 10, 1_000, 100),
            (d("2019-09-30"), 6, 400, 60),
        ];
        // 2019-08-15 is 46 of 92 days on: halfway.
        assert_eq!(
            interpolate(&rows, d("2019-08-15")),
            Some(Totals {
                platforms: 8,
                outstanding: 700,
                lenders: 80
            })
        );
        assert_eq!(
            interpolate(&rows, d("2019-01-01")),
            Some(Totals {
                platforms: 10,
                outstanding: 1_000,
                lenders: 100
            })
        );
        assert_eq!(
            interpolate(&rows, d("2020-01-01")),
            Some(Totals {
                platforms: 6,
                outstanding: 400,
                lenders: 60
            })
        );
        assert_eq!(interpolate(&[], d("2020-01-01")), None);
    }

    #[test]
    fn changes() {
        assert_eq!(change(200, 150), Some(-25.0));
        assert_eq!(change(0, 5), None);
    }
}
