//! What the synthetic data looks like: platform plans (size, class, signals, dates), and the
//! rows of each table as pure functions of (seed, entity index).
//!
//! Amounts are shaped with floating point and rounded once to the fen here, at the point of
//! invention; from the written file on, money is exact text.

use rayon::prelude::*;

use super::rng::{Rng, Stream};
use super::sink::{Cell, Chunk};
use crate::domain::date::Date;
use crate::input::cells::id_check_digit;

mod loans;
mod people;
mod schema;

#[cfg(test)]
use people::luhn_digit;
use people::platform_name;
pub(super) use people::{bank_account, person_name};
pub use schema::*;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub seed: u64,
    pub platforms: u32,
    pub lenders: u64,
    /// Investments per lender on average.
    pub positions_per_lender: f64,
    /// Positions per lender × platform pair on average.
    pub positions_per_pair: f64,
    /// The snapshot date: the latest date in the data.
    pub as_of: Date,
}

impl Spec {
    pub fn preset(scale: super::Scale, seed: u64) -> Spec {
        let as_of = Date::civil(2019, 6, 30);
        let (platforms, lenders, per_lender, per_pair) = match scale {
            super::Scale::City => (50, 30_000, 1.5, 1.25),
            super::Scale::Province => (1_000, 5_000_000, 4.0, 2.0),
            super::Scale::National => (5_000, 50_000_000, 4.0, 2.0),
        };
        Spec {
            seed,
            platforms,
            lenders,
            positions_per_lender: per_lender,
            positions_per_pair: per_pair,
            as_of,
        }
    }
}

/// The class a platform is built to fall into (docs/rules.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Failed,
    Zombie,
    Small,
    HighRisk,
    Normal,
}

/// High-risk signals a platform's data carries.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    pub red_flags: Vec<&'static str>,
    pub overdue: bool,
    pub funding_gap: bool,
    pub related: bool,
    pub concentrated: bool,
    pub cap_breach: bool,
    pub mismatch: bool,
    pub not_reporting: bool,
}

/// Everything decided about one platform before its rows are written.
#[derive(Debug, Clone)]
pub struct PlatformPlan {
    pub index: u32,
    pub id: String,
    pub name: String,
    pub district: &'static District,
    pub target: Target,
    pub signals: Signals,
    pub case_filed: bool,
    pub controller_missing: bool,
    pub repayment_suspended: bool,
    pub cooperating: bool,
    /// No loan links at all (资金池 products).
    pub pooled: bool,
    pub first_date: Date,
    /// Latest loan origination (and investment) date: as-of for active platforms, the failure
    /// date for failed ones, ≥ 7 months back for zombies.
    pub last_date: Date,
    pub pairs: u64,
    pub lender_start: u64,
    /// Investments and their global start index (ids).
    pub positions: u64,
    pub position_start: u64,
    /// Σ (amount − principal_returned) of its investments, fen.
    pub lender_outstanding: i64,
    /// Loans still running (local 0..active) then repaid history; global start index.
    pub active_loans: u64,
    pub loans: u64,
    pub loan_start: u64,
    pub has_recoveries: bool,
}

/// A district (属地) with the area code of its residents' id numbers.
#[derive(Debug)]
pub struct District {
    pub name: &'static str,
    pub area: &'static str,
}

/// Ezhou (鄂州), the prefecture-level city the sample is modelled on, then its neighbours.
pub static DISTRICTS: &[District] = &[
    District {
        name: "鄂城区",
        area: "420704",
    },
    District {
        name: "华容区",
        area: "420703",
    },
    District {
        name: "梁子湖区",
        area: "420702",
    },
    District {
        name: "葛店开发区",
        area: "420703",
    },
    District {
        name: "临空经济区",
        area: "420704",
    },
    District {
        name: "武汉市江汉区",
        area: "420103",
    },
    District {
        name: "武汉市武昌区",
        area: "420106",
    },
    District {
        name: "武汉市洪山区",
        area: "420111",
    },
    District {
        name: "黄石市黄石港区",
        area: "420202",
    },
    District {
        name: "黄冈市黄州区",
        area: "421102",
    },
];
const CITY_DISTRICTS: usize = 5;

/// Ticket bands of a lender on a platform, yuan, with their shares (wdzj monthly.csv: 60 %,
/// 33 %, 6.5 %, 0.3 %; the 0.2 % the crawl leaves unassigned goes to the smallest band).
const TICKET_BANDS: &[(f64, f64, f64)] = &[
    (100.0, 10_000.0, 0.602),
    (10_000.0, 100_000.0, 0.33),
    (100_000.0, 1_000_000.0, 0.065),
    (1_000_000.0, 5_000_000.0, 0.003),
];

/// Position terms in months and their weights.
const TERMS: &[(i32, f64)] = &[
    (1, 0.05),
    (3, 0.15),
    (6, 0.2),
    (12, 0.3),
    (24, 0.2),
    (36, 0.1),
];

/// Mean outstanding of a running loan, yuan: sets how many loans a platform has.
const MEAN_LOAN_OUTSTANDING: f64 = 62_000.0;

/// The whole plan: platforms with their sizes and ranges, and the spec.
pub struct Model {
    pub spec: Spec,
    pub platforms: Vec<PlatformPlan>,
    id_width: IdWidths,
}

struct IdWidths {
    platform: usize,
    lender: usize,
    investment: usize,
    loan: usize,
}

/// One investment as generated (before it is linked to a loan).
struct Position {
    lender: u64,
    invested_on: Date,
    own_matures_on: Date,
    amount: i64,
    returned: i64,
    returns: i64,
}

fn fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

fn digits(n: u64) -> usize {
    n.max(1).to_string().len()
}

impl Model {
    /// Decide every platform: size, class, signals, dates; then count positions and loans.
    pub fn plan(spec: &Spec) -> Model {
        let n = spec.platforms as usize;
        let seed = spec.seed;
        let total_pairs = ((spec.lenders as f64 * spec.positions_per_lender
            / spec.positions_per_pair)
            .round() as u64)
            .max(n as u64);

        // Heavy-tailed sizes (Pareto, α ≈ 1.16: the 80/20 tail), no platform above 1 % of the
        // total at scale; in a city the two local champions hold about a quarter and a fifth.
        let mut weights: Vec<f64> = (0..n)
            .map(|i| {
                let mut r = Rng::of(seed, Stream::Platform, i as u64);
                (1.0 - r.unit()).powf(-1.0 / 1.16)
            })
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|a, b| weights[*b].total_cmp(&weights[*a]).then(a.cmp(b)));
        let sum: f64 = weights.iter().sum();
        if (4..=200).contains(&n) {
            let rest: f64 = order[2..].iter().map(|i| weights[*i]).sum();
            for i in &order[2..] {
                weights[*i] *= 0.55 / rest;
            }
            weights[order[0]] = 0.25;
            weights[order[1]] = 0.20;
        } else {
            let cap = 0.01 * sum;
            for w in weights.iter_mut() {
                *w = w.min(cap);
            }
        }
        let sum: f64 = weights.iter().sum();
        let ids = IdWidths {
            platform: digits(n as u64),
            lender: digits(spec.lenders),
            investment: digits((spec.lenders as f64 * spec.positions_per_lender * 1.5) as u64),
            loan: 0,
        };

        let mut platforms = Vec::with_capacity(n);
        let mut lender_start = 0u64;
        let mut names = std::collections::HashSet::new();
        let mut first_active = true;
        for (i, w) in weights.iter().enumerate() {
            let mut r = Rng::of(seed, Stream::Platform, i as u64);
            r.next_u64(); // the draw that made the weight
            let pairs = ((w / sum * total_pairs as f64).round() as u64).max(3);
            let district = if n <= 200 {
                &DISTRICTS[r.weighted(&[0.4, 0.2, 0.1, 0.15, 0.15])]
            } else {
                r.pick(DISTRICTS)
            };
            let rank = order.iter().position(|o| *o == i).unwrap_or(n);
            let target = if n >= 4 && rank == 0 {
                Target::HighRisk
            } else if n >= 4 && rank == 1 {
                Target::Normal
            } else {
                match r.weighted(&[0.33, 0.17, 0.25, 0.25]) {
                    0 => Target::Failed,
                    1 => Target::Zombie,
                    2 => Target::HighRisk,
                    _ => Target::Normal,
                }
            };
            let mut name = platform_name(&mut r);
            while !names.insert(name.clone()) {
                let suffix: &&str = r.pick(&["e", "宝", "通", "网"]);
                name.push_str(suffix);
            }
            let established = Date::civil(2013, 1, 1).add_days(r.between(0, 4 * 365) as i32);
            let as_of = spec.as_of;
            let last_date = match target {
                Target::Zombie => as_of
                    .add_months(-(r.between(7, 30) as i32))
                    .add_days(-(r.between(0, 20) as i32)),
                Target::Failed => as_of.add_months(-(r.between(1, 12) as i32)),
                _ if first_active => {
                    first_active = false;
                    as_of
                }
                _ => as_of.add_days(-(r.between(0, 60) as i32)),
            };
            let first_date = established.max(last_date.add_months(-24)).min(last_date);
            let mut p = PlatformPlan {
                index: i as u32,
                id: format!("P{:0w$}", i + 1, w = ids.platform),
                name,
                district,
                target,
                signals: Signals::default(),
                case_filed: false,
                controller_missing: false,
                repayment_suspended: false,
                cooperating: true,
                pooled: false,
                first_date,
                last_date,
                pairs,
                lender_start,
                positions: 0,
                position_start: 0,
                lender_outstanding: 0,
                active_loans: 0,
                loans: 0,
                loan_start: 0,
                has_recoveries: false,
            };
            decide_signals(&mut p, &mut r);
            lender_start = (lender_start + pairs) % spec.lenders.max(1);
            platforms.push(p);
        }

        let mut model = Model {
            spec: spec.clone(),
            platforms,
            id_width: ids,
        };
        // Pass A: positions and lender outstanding per platform (amounts only, no I/O).
        let sizes: Vec<(u64, i64)> = model
            .platforms
            .par_iter()
            .map(|p| {
                let (mut count, mut outstanding) = (0u64, 0i64);
                model.positions(p, |pos| {
                    count += 1;
                    outstanding += pos.amount - pos.returned;
                });
                (count, outstanding)
            })
            .collect();
        let mut position_start = 0;
        let mut loan_start = 0;
        for (p, (count, outstanding)) in model.platforms.iter_mut().zip(sizes) {
            p.positions = count;
            p.position_start = position_start;
            position_start += count;
            p.lender_outstanding = outstanding;
            // Platforms built to be active are small below 1亿 (docs/rules.md), whatever was drawn.
            if matches!(p.target, Target::HighRisk | Target::Normal)
                && outstanding < 100_000_000 * 100
            {
                p.target = Target::Small;
            }
            let covered = outstanding as f64 / 100.0;
            p.active_loans = ((covered / MEAN_LOAN_OUTSTANDING).round() as u64).max(3);
            p.loans = p.active_loans + p.active_loans / 4;
            p.loan_start = loan_start;
            loan_start += p.loans;
        }
        model.id_width.investment = digits(position_start);
        model.id_width.loan = digits(loan_start);
        model
    }

    /// Every investment of platform `p`, in order (the same draws in every pass).
    fn positions(&self, p: &PlatformPlan, mut each: impl FnMut(&Position)) {
        let seed = self.spec.seed;
        let as_of = self.spec.as_of;
        let n_lenders = self.spec.lenders.max(1);
        let extra = (self.spec.positions_per_pair - 1.0).max(0.0);
        let span = (p.last_date.0 - p.first_date.0).max(0);
        let failure = (p.target == Target::Failed).then_some(p.last_date);
        for j in 0..p.pairs {
            let mut r = Rng::of2(seed, Stream::Pair, u64::from(p.index), j);
            let lender = if r.chance(0.85) {
                (p.lender_start + j) % n_lenders
            } else {
                r.below(n_lenders)
            };
            let band = r.weighted(&TICKET_BANDS.iter().map(|b| b.2).collect::<Vec<_>>());
            let (lo, hi, _) = TICKET_BANDS[band];
            let holding = (r.log_uniform(lo, hi) / 50.0).round().max(2.0) * 50.0;
            // Positions in this pair: 1 + geometric with the spec's mean.
            let mut k = 1;
            while k < 12 && r.chance(extra / (1.0 + extra)) {
                k += 1;
            }
            let k = k.min((holding / 100.0) as usize).max(1);
            let mut left = holding;
            for i in 0..k {
                let part = if i + 1 == k {
                    left
                } else {
                    (left * r.uniform(0.2, 0.7) / 50.0).round().max(1.0) * 50.0
                };
                left -= part;
                if part <= 0.0 {
                    continue;
                }
                // Recent months weigh more: platforms grew until they stopped.
                let back = (f64::from(span) * r.unit().powi(2)) as i32;
                let invested_on = p.last_date.add_days(-back);
                let term = TERMS[r.weighted(&TERMS.iter().map(|t| t.1).collect::<Vec<_>>())].0;
                let own_matures_on = invested_on.add_months(term);
                let amount = fen(part) + if r.chance(0.1) { r.between(1, 99) } else { 0 };
                let (returned, returns) =
                    returned_and_returns(p, failure, as_of, invested_on, term, amount, &mut r);
                each(&Position {
                    lender,
                    invested_on,
                    own_matures_on,
                    amount,
                    returned,
                    returns,
                });
            }
        }
    }

    pub fn platform_row(&self, p: &PlatformPlan, chunk: &mut Chunk) {
        let flags = p.signals.red_flags.join(";");
        chunk.row(&[
            Cell::Text(Some(&p.id)),
            Cell::Text(Some(&p.name)),
            Cell::Text(Some(p.district.name)),
            Cell::Bool(Some(p.case_filed)),
            Cell::Bool(Some(p.controller_missing)),
            Cell::Bool(Some(p.repayment_suspended)),
            Cell::Bool(Some(p.cooperating)),
            Cell::Bool(Some(!p.signals.not_reporting)),
            Cell::Text((!flags.is_empty()).then_some(&flags)),
        ]);
    }

    pub fn lender_row(&self, i: u64, chunk: &mut Chunk) {
        let mut r = Rng::of(self.spec.seed, Stream::Lender, i);
        let id = format!("L{:0w$}", i + 1, w = self.id_width.lender);
        let name = person_name(&mut r);
        let district = match r.weighted(&[0.75, 0.2, 0.05]) {
            0 => Some(&DISTRICTS[r.weighted(&[0.4, 0.2, 0.1, 0.15, 0.15])]),
            1 => Some(
                &DISTRICTS
                    [CITY_DISTRICTS + r.below((DISTRICTS.len() - CITY_DISTRICTS) as u64) as usize],
            ),
            _ => None,
        };
        let area = district.map_or("420700", |d| d.area);
        let birth = Date::civil(1950, 1, 1).add_days(r.between(0, 50 * 365) as i32);
        let (y, m, d) = birth.ymd();
        let first17 = format!("{area}{y:04}{m:02}{d:02}{:03}", r.below(1000));
        let mut first = [0u8; 17];
        first.copy_from_slice(first17.as_bytes());
        let id_number = format!("{first17}{}", id_check_digit(&first) as char);
        let phone = format!("1{}{:09}", r.pick(&[3, 5, 7, 8, 9]), r.below(1_000_000_000));
        let registered = !r.chance(0.06);
        let excluded = r.chance(0.004);
        let (account, bank) = bank_account(&mut r);
        chunk.row(&[
            Cell::Text(Some(&id)),
            Cell::Text(Some(&name)),
            Cell::Text(Some(&id_number)),
            Cell::Text(Some(&phone)),
            Cell::Text(district.map(|d| d.name)),
            Cell::Bool(Some(registered)),
            Cell::Bool(Some(excluded)),
            Cell::Text(account.as_deref()),
            Cell::Text(bank),
        ]);
    }

    pub fn investment_rows(&self, p: &PlatformPlan, chunk: &mut Chunk) -> u64 {
        let mut k = 0u64;
        self.positions(p, |pos| {
            let mut r = Rng::of2(
                self.spec.seed,
                Stream::Pair,
                u64::from(p.index) | 1 << 40,
                k,
            );
            let global = p.position_start + k;
            k += 1;
            let id = format!("I{:0w$}", global + 1, w = self.id_width.investment);
            let lender = format!("L{:0w$}", pos.lender + 1, w = self.id_width.lender);
            // Pooled platforms and 5 % of positions elsewhere fund no particular loan.
            let linked = !p.pooled && p.active_loans > 0 && !r.chance(0.05);
            let (loan_id, matures_on) = if linked {
                let local = r.below(p.active_loans);
                let loan = self.loan_dates(p, local);
                let matures = if p.signals.mismatch && r.chance(0.6) {
                    // 期限错配: the investment falls due months before the loan it funds.
                    let early = loan.1.add_months(-(r.between(1, 6) as i32));
                    (early >= pos.invested_on).then_some(early)
                } else {
                    let m = pos.own_matures_on.max(loan.1);
                    (m >= pos.invested_on).then_some(m)
                };
                (Some(self.loan_id(p, local)), matures)
            } else {
                (None, (!r.chance(0.05)).then_some(pos.own_matures_on))
            };
            chunk.row(&[
                Cell::Text(Some(&id)),
                Cell::Text(Some(&p.id)),
                Cell::Text(Some(&lender)),
                Cell::Text(loan_id.as_deref()),
                Cell::Date(Some(pos.invested_on)),
                Cell::Money(Some(pos.amount)),
                Cell::Money(Some(pos.returned)),
                Cell::Money(Some(pos.returns)),
                Cell::Date(matures_on),
            ]);
        });
        k
    }
}

/// Principal returned and returns received of one position, by what happened to its platform.
fn returned_and_returns(
    p: &PlatformPlan,
    failure: Option<Date>,
    as_of: Date,
    invested_on: Date,
    term: i32,
    amount: i64,
    r: &mut Rng,
) -> (i64, i64) {
    let stop = failure.unwrap_or(as_of);
    let elapsed = f64::from(invested_on.whole_months_until(stop).max(0));
    let progress = (elapsed / f64::from(term)).min(1.0);
    let matured = invested_on.add_months(term) <= stop;
    let rate = r.uniform(0.07, 0.14);
    let a = amount as f64;
    let interest = |months: f64| (a * rate * months / 12.0).round() as i64;
    if failure.is_some() && r.chance(0.04) {
        // A net winner: most principal back and more in returns than the rest (本金折抵).
        let returned = (a * r.uniform(0.5, 0.85)).round() as i64;
        let returns = ((a - returned as f64) * r.uniform(1.05, 1.8)).round() as i64;
        return (returned.min(amount), returns);
    }
    let full_back = match p.target {
        Target::Failed => 0.9,
        Target::Zombie => 0.99,
        _ => 0.97,
    };
    let returned = if matured && r.chance(full_back) {
        amount
    } else if r.chance(0.5) {
        // Equal instalments: principal comes back as the term runs.
        let share = if failure.is_some() {
            progress * r.uniform(0.0, 0.5)
        } else {
            progress
        };
        ((a * share).floor() as i64).clamp(0, amount)
    } else {
        0
    };
    (returned, interest(elapsed.min(f64::from(term))))
}

/// Signals, flags and dates follow the class the platform is built for.
fn decide_signals(p: &mut PlatformPlan, r: &mut Rng) {
    use crate::domain::schema::RED_FLAGS;
    let mut s = Signals::default();
    match p.target {
        Target::Failed => {
            p.repayment_suspended = r.chance(0.9);
            p.case_filed = r.chance(0.5);
            p.controller_missing = r.chance(0.3);
            if !(p.repayment_suspended || p.case_filed || p.controller_missing) {
                p.repayment_suspended = true;
            }
            p.cooperating = !r.chance(0.4);
            s.not_reporting = r.chance(0.5);
            s.overdue = true;
            s.funding_gap = r.chance(0.6);
            s.related = r.chance(0.4);
            s.concentrated = r.chance(0.3);
            s.cap_breach = r.chance(0.3);
            s.mismatch = r.chance(0.4);
            p.pooled = r.chance(0.25);
            let flags = r.between(0, 3) as usize;
            for _ in 0..flags {
                let f = r.pick(RED_FLAGS).0;
                if !s.red_flags.contains(&f) {
                    s.red_flags.push(f);
                }
            }
            p.has_recoveries = true;
        }
        Target::HighRisk => {
            // One to three of the eight indicators of docs/rules.md.
            let count = r.between(1, 3);
            for _ in 0..count {
                match r.below(8) {
                    0 => s.red_flags.push(r.pick(RED_FLAGS).0),
                    1 => s.overdue = true,
                    2 => s.funding_gap = true,
                    3 => s.related = true,
                    4 => s.concentrated = true,
                    5 => s.cap_breach = true,
                    6 => s.mismatch = true,
                    _ => s.not_reporting = true,
                }
            }
            s.red_flags.dedup();
            p.pooled = s.red_flags.contains(&"cash_pool");
        }
        Target::Zombie => {
            s.not_reporting = r.chance(0.6);
            p.has_recoveries = r.chance(0.15);
        }
        Target::Small | Target::Normal => {
            s.not_reporting = r.chance(0.05);
            p.has_recoveries = r.chance(0.1);
        }
    }
    if p.target == Target::Normal {
        s.not_reporting = false;
        p.has_recoveries = false;
    }
    p.signals = s;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_carry_a_luhn_check_digit() {
        // The textbook example: 7992739871 → check digit 3.
        assert_eq!(luhn_digit(&[7, 9, 9, 2, 7, 3, 9, 8, 7, 1]), 3);
        let mut r = Rng::of(7, Stream::Lender, 1);
        let (mut valid, mut none, mut bad) = (0, 0, 0);
        for _ in 0..2_000 {
            match bank_account(&mut r) {
                (None, None) => none += 1,
                (Some(a), Some(_)) if crate::input::cells::bank_account(&a).is_some() => {
                    let digits: Vec<u8> = a.bytes().map(|b| b - b'0').collect();
                    let (body, check) = digits.split_at(digits.len() - 1);
                    assert_eq!(luhn_digit(body), check[0], "{a}");
                    assert!(a.len() == 16 || a.len() == 19, "{a}");
                    valid += 1;
                }
                _ => bad += 1,
            }
        }
        // About 97 / 2 / 1 in 100.
        assert!(
            valid > 1_880 && none > 20 && bad > 5,
            "{valid} {none} {bad}"
        );
    }
}
