//! Synthetic illegal-fundraising cases (`winddown generate --cases`; docs/cases.md): the case
//! tables of a Ponzi scheme as a court's clearance would meet them.
//!
//! Each case raises money for one to four years before it collapses and is opened. People put
//! money in (some several times: reinvestment), are paid a promised monthly return every
//! quarter out of later entrants' money, and some take their principal back early — the early
//! ones come out ahead (net winners). Salespeople take commissions on what their recruits put
//! in; a few people of the fundraiser are defendants. About one person in four has several
//! accounts (online and offline). Most register within a year of the case opening, some
//! later (late registrants, caught up when they do), some never; a few have died and are
//! represented by an heir. The case's assets — frozen cash, accounts, property, vehicles,
//! equity, receivables, clawbacks from salespeople — are realised over the years after the
//! case opens, at a fraction of their book value; those not realised by the as-of date are
//! frozen, seized or being sold. Some cases have medical costs of personal injury, a secured
//! claim on a property, other civil debts, fines and confiscation.
//!
//! Deterministic: every case and person draws from its own stream ([`super::rng`]); the same
//! seed and size give byte-identical files. Every row passes validation.

use rayon::prelude::*;

use super::model::{bank_account, person_name, DISTRICTS};
use super::rng::{Rng, Stream};
use super::sink::{Cell, Chunk, ColType, Format, TableWriter};
use crate::domain::date::Date;
use crate::error::Result;
use crate::input::cells::id_check_digit;
use crate::output::Staging;
use crate::progress::{Progress, Unit};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseSpec {
    pub seed: u64,
    pub cases: u32,
    /// People across all cases, about.
    pub people: u64,
    /// The latest date in the data.
    pub as_of: Date,
}

impl CaseSpec {
    pub fn preset(scale: super::Scale, seed: u64) -> CaseSpec {
        let (cases, people) = match scale {
            super::Scale::City => (12, 3_000),
            super::Scale::Province => (300, 1_000_000),
            super::Scale::National => (1_500, 10_000_000),
        };
        CaseSpec {
            seed,
            cases,
            people,
            as_of: Date::civil(2023, 6, 30),
        }
    }
}

/// Rows written per table.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseCounts {
    pub cases: u64,
    pub participants: u64,
    pub cash_flows: u64,
    pub case_assets: u64,
    pub other_claims: u64,
}

const CASES: &[(&str, ColType)] = &[
    ("case_id", ColType::Text),
    ("name", ColType::Text),
    ("platform_ids", ColType::Text),
    ("district", ColType::Text),
    ("unit", ColType::Text),
    ("opened_on", ColType::Date),
    ("judged_on", ColType::Date),
    ("status", ColType::Text),
    ("status_on", ColType::Date),
];
const PARTICIPANTS: &[(&str, ColType)] = &[
    ("case_id", ColType::Text),
    ("person_id", ColType::Text),
    ("role", ColType::Text),
    ("registered_on", ColType::Date),
    ("heir_id", ColType::Text),
    ("heir_accepted_on", ColType::Date),
    ("name", ColType::Text),
    ("id_number", ColType::Text),
    ("phone", ColType::Text),
    ("bank_account", ColType::Text),
    ("bank_name", ColType::Text),
];
const CASH_FLOWS: &[(&str, ColType)] = &[
    ("case_id", ColType::Text),
    ("person_id", ColType::Text),
    ("account_id", ColType::Text),
    ("kind", ColType::Text),
    ("amount", ColType::Money),
    ("flow_on", ColType::Date),
];
const ASSETS: &[(&str, ColType)] = &[
    ("case_id", ColType::Text),
    ("asset_id", ColType::Text),
    ("kind", ColType::Text),
    ("lawful", ColType::Bool),
    ("book_value", ColType::Money),
    ("status", ColType::Text),
    ("realised_value", ColType::Money),
    ("realised_on", ColType::Date),
];
const CLAIMS: &[(&str, ColType)] = &[
    ("case_id", ColType::Text),
    ("claim_id", ColType::Text),
    ("kind", ColType::Text),
    ("amount", ColType::Money),
    ("asset_id", ColType::Text),
];

/// One case's plan: its dates and size, drawn before its rows.
struct Plan {
    k: u32,
    id: String,
    people: u64,
    /// Fundraising ran from `start` to `opened_on`.
    start: Date,
    opened_on: Date,
}

/// The five tables of one case, as chunks.
struct Built {
    chunks: [Chunk; 5],
    counts: CaseCounts,
}

/// Whole yuan, as fen, rounded to `step` yuan.
fn yuan(v: f64, step: i64) -> i64 {
    ((v / step as f64).round() as i64).max(1) * step * 100
}

fn plans(spec: &CaseSpec) -> Vec<Plan> {
    // Sizes: heavy-tailed shares of the people (a few large schemes, many small ones).
    let weights: Vec<f64> = (0..spec.cases)
        .map(|k| {
            let mut r = Rng::of(spec.seed, Stream::Case, u64::from(k));
            (1.0 - r.unit()).powf(-1.0 / 1.3)
        })
        .collect();
    let total: f64 = weights.iter().sum();
    (0..spec.cases)
        .map(|k| {
            let mut r = Rng::of2(spec.seed, Stream::Case, u64::from(k), 1);
            let people = ((spec.people as f64 * weights[k as usize] / total).round() as u64).max(8);
            // Opened between 2014 and a year before the as-of date.
            let span = Date::civil(2014, 1, 1).0..spec.as_of.add_days(-365).0;
            let opened_on = Date(r.between(i64::from(span.start), i64::from(span.end)) as i32);
            let start = opened_on.add_days(-(r.between(365, 4 * 365) as i32));
            Plan {
                k,
                id: format!("AJ{:04}", k + 1),
                people,
                start,
                opened_on,
            }
        })
        .collect()
}

/// Write the case tables of `spec` into the staging folder.
pub fn generate_cases(
    spec: &CaseSpec,
    format: Format,
    out: &Staging,
    progress: &dyn Progress,
) -> Result<CaseCounts> {
    let ext = match format {
        Format::Csv => "csv",
        Format::Parquet => "parquet",
    };
    let schemas = [CASES, PARTICIPANTS, CASH_FLOWS, ASSETS, CLAIMS];
    let names = [
        "cases",
        "participants",
        "cash_flows",
        "case_assets",
        "other_claims",
    ];
    let mut writers = Vec::new();
    for (name, schema) in names.iter().zip(schemas) {
        writers.push(TableWriter::create(
            &out.path(&format!("{name}.{ext}")),
            format,
            schema,
        )?);
    }
    let plans = plans(spec);
    progress.begin(
        &format!("生成 generate cases ({ext})"),
        Some(plans.iter().map(|p| p.people).sum()),
        Unit::Rows,
    );
    let mut counts = CaseCounts::default();
    for window in plans.chunks(rayon::current_num_threads().max(1) * 2) {
        let built: Vec<Built> = window
            .par_iter()
            .map(|p| build(spec, p, format, &schemas))
            .collect();
        for b in built {
            let Built { chunks, counts: c } = b;
            for (w, chunk) in writers.iter_mut().zip(chunks) {
                w.write(chunk)?;
            }
            counts.cases += c.cases;
            counts.participants += c.participants;
            counts.cash_flows += c.cash_flows;
            counts.case_assets += c.case_assets;
            counts.other_claims += c.other_claims;
            progress.advance(c.participants);
        }
    }
    for w in writers {
        w.finish()?;
    }
    progress.end(counts.participants);
    Ok(counts)
}

fn build(spec: &CaseSpec, plan: &Plan, format: Format, schemas: &[&[(&str, ColType)]; 5]) -> Built {
    let mut chunks = schemas.map(|s| Chunk::new(format, s));
    let mut counts = CaseCounts {
        cases: 1,
        ..CaseCounts::default()
    };
    let seed = spec.seed;
    let as_of = spec.as_of;
    let mut r = Rng::of2(seed, Stream::Case, u64::from(plan.k), 2);
    let district = &DISTRICTS[r.below(DISTRICTS.len() as u64) as usize];
    // The case: where it stands, by how long ago it was opened.
    let months = plan.opened_on.whole_months_until(as_of).max(1);
    let stage = (r.below(u64::from(months.min(96) as u32) / 12 + 2) as usize).min(5);
    const STATUSES: [&str; 6] = ["侦查", "起诉", "审判", "执行", "清退", "销号"];
    let status_on = plan
        .opened_on
        .add_days((stage as i32 * (months * 30 / 6).max(1)).min(months * 30 - 1))
        .min(as_of);
    let judged_on = (stage >= 3).then(|| {
        plan.opened_on
            .add_days(r.between(300, 900) as i32)
            .min(status_on)
    });
    const FIRMS: &[&str] = &[
        "鑫", "汇", "盛", "融", "金", "泰", "富", "源", "恒", "达", "利", "丰",
    ];
    const KINDS: &[&str] = &[
        "财富管理",
        "投资咨询",
        "资产管理",
        "网络科技",
        "商贸",
        "农业开发",
    ];
    let firm = format!(
        "{}{}{}有限公司",
        district.name.trim_end_matches(['区', '县']),
        FIRMS[r.below(FIRMS.len() as u64) as usize],
        FIRMS[r.below(FIRMS.len() as u64) as usize],
    );
    let kind = KINDS[r.below(KINDS.len() as u64) as usize];
    let crime = if r.chance(0.75) {
        "非法吸收公众存款案"
    } else {
        "集资诈骗案"
    };
    let name = format!("{firm}（{kind}）{crime}");
    let platform_ids = if r.chance(0.6) {
        let n = r.between(1, 2);
        (0..n)
            .map(|_| format!("P{:04}", r.between(1, 5000)))
            .collect::<Vec<_>>()
            .join(";")
    } else {
        String::new()
    };
    let unit = if r.chance(0.7) {
        format!("{}公安分局", district.name)
    } else {
        "市公安局经侦支队".to_string()
    };
    chunks[0].row(&[
        Cell::Text(Some(&plan.id)),
        Cell::Text(Some(&name)),
        Cell::Text((!platform_ids.is_empty()).then_some(platform_ids.as_str())),
        Cell::Text(Some(district.name)),
        Cell::Text(Some(&unit)),
        Cell::Date(Some(plan.opened_on)),
        Cell::Date(judged_on),
        Cell::Text(Some(STATUSES[stage])),
        Cell::Date(Some(status_on)),
    ]);

    // People and their cash flows.
    let monthly = r.uniform(0.008, 0.02);
    let defendants = r.between(1, 3) as u64;
    let mut total_loss: i64 = 0;
    let mut commissions: i64 = 0;
    let fund_days = (plan.opened_on.0 - plan.start.0).max(60);
    for i in 0..plan.people {
        let mut p = Rng::of2(seed, Stream::CasePerson, u64::from(plan.k), i);
        let role = if i < defendants {
            "defendant"
        } else {
            match p.weighted(&[0.95, 0.03, 0.02]) {
                0 => "participant",
                1 => "salesperson",
                _ => "related",
            }
        };
        let id = format!("{}-{:06}", plan.id, i + 1);
        let accounts = match p.weighted(&[0.75, 0.2, 0.05]) {
            0 => 1,
            1 => 2,
            _ => 3,
        };
        let account = |j: u32| format!("{}-{}", id, ["W", "X", "Y"][j as usize]);
        // Entry: earlier entrants are fewer (the scheme grows).
        let entry = plan
            .start
            .add_days((p.unit().sqrt() * (fund_days - 30) as f64) as i32);
        let mut put_in = 0i64;
        let mut received = 0i64;
        let mut flows: Vec<(u32, &str, i64, Date)> = Vec::new();
        if role != "defendant" || p.chance(0.3) {
            let deposits = p.weighted(&[0.55, 0.25, 0.12, 0.08]) + 1;
            let mut principal = 0i64;
            let mut on = entry;
            for d in 0..deposits {
                let amount = yuan(p.log_uniform(5_000.0, 500_000.0), 100);
                let acct = (d as u32) % accounts;
                flows.push((acct, "deposit", amount, on));
                principal += amount;
                put_in += amount;
                on = on.add_days(p.between(30, 240) as i32);
                if on >= plan.opened_on {
                    break;
                }
            }
            // Quarterly returns on the principal until the collapse, or until the person
            // takes the principal back (about one in six, the earlier the likelier).
            let early =
                p.chance(0.18 * (1.0 - (entry.0 - plan.start.0) as f64 / fund_days as f64) + 0.02);
            let out_on = if early {
                entry.add_days(p.between(120, i64::from(fund_days.max(121))) as i32)
            } else {
                plan.opened_on
            }
            .min(plan.opened_on.add_days(-1));
            let mut q = entry.add_days(91);
            while q < out_on {
                let ret = (principal as f64 * monthly * 3.0).round() as i64;
                if ret > 0 {
                    flows.push((0, "return", ret, q));
                    received += ret;
                }
                q = q.add_days(91);
            }
            if early && out_on > entry {
                flows.push(((accounts - 1).min(1), "withdrawal", principal, out_on));
                received += principal;
            }
        }
        if role == "salesperson" {
            let base = p.log_uniform(200_000.0, 5_000_000.0);
            let rate = p.uniform(0.02, 0.06);
            let n = p.between(2, 8);
            for c in 0..n {
                let amount = yuan(base * rate / n as f64, 1);
                let on = entry
                    .add_days((c * 91 + 45) as i32)
                    .min(plan.opened_on.add_days(-1));
                flows.push((0, "commission", amount, on));
                received += amount;
                commissions += amount;
            }
        }
        if role == "participant" || role == "related" {
            total_loss += (put_in - received).max(0);
        }
        for (acct, kind, amount, on) in &flows {
            chunks[2].row(&[
                Cell::Text(Some(&plan.id)),
                Cell::Text(Some(&id)),
                Cell::Text(Some(&account(*acct))),
                Cell::Text(Some(kind)),
                Cell::Money(Some(*amount)),
                Cell::Date(Some(*on)),
            ]);
        }
        counts.cash_flows += flows.len() as u64;
        // Registration: most within a year, some years later, some never.
        let registered_on = match (role, p.weighted(&[0.8, 0.12, 0.08])) {
            ("defendant", _) | (_, 2) => None,
            (_, 0) => Some(plan.opened_on.add_days(p.between(30, 365) as i32)),
            _ => Some(plan.opened_on.add_days(p.between(366, 4 * 365) as i32)),
        };
        // The data are a snapshot at the as-of date: what comes later has not happened.
        let registered_on = registered_on.filter(|d| *d <= as_of);
        let died = role != "defendant" && p.chance(0.015);
        let heir_id = died.then(|| format!("{id}-H"));
        let heir_accepted_on = if died && p.chance(0.7) {
            registered_on
                .map(|d| d.add_days(p.between(30, 720) as i32))
                .filter(|d| *d <= as_of)
        } else {
            None
        };
        let person_name = person_name(&mut p);
        let area = district.area;
        let birth = Date::civil(1940, 1, 1).add_days(p.between(0, 55 * 365) as i32);
        let (y, m, d) = birth.ymd();
        let first17 = format!("{area}{y:04}{m:02}{d:02}{:03}", p.below(1000));
        let mut first = [0u8; 17];
        first.copy_from_slice(first17.as_bytes());
        let id_number = format!("{first17}{}", id_check_digit(&first) as char);
        let phone = format!("1{}{:09}", p.pick(&[3, 5, 7, 8, 9]), p.below(1_000_000_000));
        let (bank_acct, bank) = bank_account(&mut p);
        chunks[1].row(&[
            Cell::Text(Some(&plan.id)),
            Cell::Text(Some(&id)),
            Cell::Text(Some(role)),
            Cell::Date(registered_on),
            Cell::Text(heir_id.as_deref()),
            Cell::Date(heir_accepted_on),
            Cell::Text(Some(&person_name)),
            Cell::Text(Some(&id_number)),
            Cell::Text(Some(&phone)),
            Cell::Text(bank_acct.as_deref()),
            Cell::Text(bank),
        ]);
    }
    counts.participants = plan.people;

    // Assets: worth a share of the losses, realised over the years after the opening.
    let recovery = r.uniform(0.05, 0.6);
    let target = (total_loss.max(100_000) as f64 * recovery) as i64;
    const ASSET_KINDS: [(&str, f64, i64, i64, f64); 6] = [
        // kind, share of the value, realised from/to (days after opening), realised share of book
        ("cash", 0.15, 20, 120, 1.0),
        ("frozen_account", 0.25, 30, 240, 1.0),
        ("property", 0.3, 365, 1800, 0.75),
        ("vehicle", 0.05, 180, 720, 0.6),
        ("equity", 0.15, 540, 2200, 0.5),
        ("receivable", 0.1, 240, 1500, 0.4),
    ];
    let mut assets = Vec::new();
    for (kind, share, from, to, haircut) in ASSET_KINDS {
        let pieces = match kind {
            "cash" | "frozen_account" => r.between(1, 3),
            _ if r.chance(0.3) => 0,
            _ => r.between(1, 2),
        };
        for _ in 0..pieces {
            let value = (target as f64 * share / pieces as f64 * r.uniform(0.6, 1.4)) as i64;
            let book = ((value as f64 / haircut) / 100.0).round() as i64 * 100;
            assets.push((kind, book.max(100), from, to, haircut));
        }
    }
    if commissions > 0 {
        assets.push(("clawback", commissions / 2, 365, 1500, 1.0));
    }
    let mut secured_on: Option<String> = None;
    for (a, (kind, book, from, to, haircut)) in assets.iter().enumerate() {
        let asset_id = format!("{}-A{:02}", plan.id, a + 1);
        let realised_on = plan.opened_on.add_days(r.between(*from, *to) as i32);
        let lawful = *kind == "property" && r.chance(0.15);
        let (status, value, on) = if realised_on <= as_of {
            let v = (*book as f64 * haircut * r.uniform(0.85, 1.0)) as i64;
            ("realised", Some(v.max(1)), Some(realised_on))
        } else {
            (
                match kind {
                    &"cash" | &"frozen_account" => "frozen",
                    _ if r.chance(0.5) => "being_sold",
                    _ => "seized",
                },
                None,
                None,
            )
        };
        if *kind == "property" && secured_on.is_none() && !lawful && r.chance(0.4) {
            secured_on = Some(asset_id.clone());
        }
        chunks[3].row(&[
            Cell::Text(Some(&plan.id)),
            Cell::Text(Some(&asset_id)),
            Cell::Text(Some(kind)),
            Cell::Bool(Some(lawful)),
            Cell::Money(Some(*book)),
            Cell::Text(Some(status)),
            Cell::Money(value),
            Cell::Date(on),
        ]);
        counts.case_assets += 1;
    }

    // Other claimants.
    let mut claims: Vec<(&str, i64, Option<String>)> = Vec::new();
    if r.chance(0.08) {
        claims.push((
            "medical",
            yuan(r.log_uniform(20_000.0, 500_000.0), 100),
            None,
        ));
    }
    if let Some(asset) = secured_on {
        let book = assets
            .iter()
            .enumerate()
            .find(|(a, _)| format!("{}-A{:02}", plan.id, a + 1) == asset)
            .map_or(100_000, |(_, x)| x.1);
        claims.push((
            "secured",
            (book as f64 * r.uniform(0.3, 0.8)) as i64 / 100 * 100 + 100,
            Some(asset),
        ));
    }
    if r.chance(0.25) {
        claims.push((
            "civil_debt",
            yuan(r.log_uniform(100_000.0, 5_000_000.0), 100),
            None,
        ));
    }
    if stage >= 3 {
        for _ in 0..defendants {
            claims.push((
                "fine",
                yuan(r.log_uniform(100_000.0, 50_000_000.0), 10_000),
                None,
            ));
        }
        if r.chance(0.15) {
            claims.push((
                "confiscation",
                yuan(r.log_uniform(500_000.0, 20_000_000.0), 10_000),
                None,
            ));
        }
    }
    for (c, (kind, amount, asset)) in claims.iter().enumerate() {
        chunks[4].row(&[
            Cell::Text(Some(&plan.id)),
            Cell::Text(Some(&format!("{}-K{:02}", plan.id, c + 1))),
            Cell::Text(Some(kind)),
            Cell::Money(Some(*amount)),
            Cell::Text(asset.as_deref()),
        ]);
    }
    counts.other_claims = claims.len() as u64;
    Built { chunks, counts }
}
