//! The loans of a platform as generated — running ones first, scaled so that their outstanding
//! covers what the platform owes its lenders as its class implies — and its recoveries.

use super::*;

/// One loan as generated.
struct Loan {
    borrower: String,
    enterprise: bool,
    related: bool,
    originated_on: Date,
    matures_on: Date,
    principal: i64,
    outstanding: i64,
    days_past_due: i64,
    collateral: i64,
}

impl Model {
    pub(super) fn loan_id(&self, p: &PlatformPlan, local: u64) -> String {
        format!("D{:0w$}", p.loan_start + local + 1, w = self.id_width.loan)
    }

    /// Origination, maturity and term (months) of running loan `local` of platform `p`.
    pub(super) fn loan_dates(&self, p: &PlatformPlan, local: u64) -> (Date, Date, i32) {
        let mut r = Rng::of2(self.spec.seed, Stream::LoanDates, u64::from(p.index), local);
        let term = *r.pick(&[3, 6, 12, 12, 24, 24, 36]);
        let span = (p.last_date.0 - p.first_date.0).max(0);
        let window = span.min(term * 30);
        let originated = if local == 0 {
            p.last_date
        } else {
            p.last_date
                .add_days(-(r.between(0, i64::from(window)) as i32))
        };
        (originated, originated.add_months(term), term)
    }

    pub fn loan_rows(&self, p: &PlatformPlan, chunk: &mut Chunk) -> u64 {
        let loans = self.loans_of(p);
        for (local, l) in loans.iter().enumerate() {
            let id = self.loan_id(p, local as u64);
            chunk.row(&[
                Cell::Text(Some(&id)),
                Cell::Text(Some(&p.id)),
                Cell::Text(Some(&l.borrower)),
                Cell::Text(Some(if l.enterprise {
                    "enterprise"
                } else {
                    "individual"
                })),
                Cell::Bool(Some(l.related)),
                Cell::Date(Some(l.originated_on)),
                Cell::Money(Some(l.principal)),
                Cell::Money(Some(l.outstanding)),
                Cell::Date(Some(l.matures_on)),
                Cell::Int(Some(l.days_past_due)),
                Cell::Money(Some(l.collateral)),
            ]);
        }
        loans.len() as u64
    }

    /// All loans of a platform, running ones first, scaled so that their outstanding covers the
    /// platform's lender outstanding as its class implies (a gap for 资金池 platforms).
    fn loans_of(&self, p: &PlatformPlan) -> Vec<Loan> {
        let seed = self.spec.seed;
        let as_of = self.spec.as_of;
        let mut r = Rng::of2(seed, Stream::Loan, u64::from(p.index), u64::MAX);
        let cover = match p.target {
            Target::Normal => r.uniform(0.98, 1.04),
            Target::HighRisk if p.signals.funding_gap => r.uniform(0.6, 0.88),
            Target::HighRisk | Target::Small => r.uniform(0.97, 1.05),
            Target::Zombie => r.uniform(0.85, 1.0),
            Target::Failed => r.uniform(0.3, 0.95),
        };
        let target = (p.lender_outstanding as f64 / 100.0 * cover).max(0.0); // yuan
        let p_over90 = match p.target {
            Target::Failed => 0.45,
            Target::HighRisk if p.signals.overdue => 0.3,
            Target::Zombie => 0.15,
            Target::Small => 0.03,
            _ => 0.01,
        };
        let mut loans: Vec<Loan> = Vec::with_capacity(p.loans as usize);
        let bid = |kind: &str, k: u64| format!("{}-{kind}{k:06}", p.id);
        // Special borrowers take fixed shares of the book.
        let mut special_share = 0.0;
        let mut specials: Vec<(String, bool, bool, f64)> = Vec::new(); // borrower, enterprise, related, share
        if p.signals.concentrated {
            let share = r.uniform(0.55, 0.75);
            for k in 0..5 {
                specials.push((bid("E", 900_000 + k), true, false, share / 5.0));
            }
            special_share += share;
        }
        if p.signals.related {
            let share = r.uniform(0.03, 0.12);
            specials.push((bid("R", 0), true, true, share));
            special_share += share;
        }
        if p.signals.cap_breach && special_share < 0.6 {
            let share = r.uniform(0.12, 0.25);
            let borrowers = r.between(3, 8) as u64;
            for k in 0..borrowers {
                specials.push((bid("C", k), false, false, share / borrowers as f64));
            }
            special_share += share;
        }
        // Running loans: raw amounts, then scaled to the target.
        let n_active = p.active_loans as usize;
        let mut raw_total = 0.0;
        let mut raw: Vec<(f64, f64, bool)> = Vec::with_capacity(n_active); // principal, outstanding fraction, enterprise
        for local in 0..n_active {
            let mut lr = Rng::of2(seed, Stream::Loan, u64::from(p.index), local as u64);
            let enterprise = lr.chance(0.1);
            let principal = if enterprise {
                lr.log_uniform(200_000.0, 800_000.0)
            } else {
                lr.log_uniform(10_000.0, 150_000.0)
            };
            let frac = lr.uniform(0.3, 1.0);
            if local >= specials.len() {
                raw_total += principal * frac;
            }
            raw.push((principal, frac, enterprise));
        }
        let base_target = target * (1.0 - special_share);
        let scale = if raw_total > 0.0 {
            base_target / raw_total
        } else {
            0.0
        };
        for (local, (principal, frac, enterprise)) in raw.into_iter().enumerate() {
            let mut lr = Rng::of2(
                seed,
                Stream::Loan,
                u64::from(p.index),
                local as u64 | 1 << 40,
            );
            let (originated_on, matures_on, _) = self.loan_dates(p, local as u64);
            let (borrower, enterprise, related, outstanding, principal) = match specials.get(local)
            {
                Some((b, e, rel, share)) => {
                    let out = target * share;
                    (b.clone(), *e, *rel, out, out * lr.uniform(1.0, 1.3))
                }
                None => {
                    let out = principal * frac * scale;
                    let principal = principal * scale;
                    // Scaled up past a borrower cap: then it is an enterprise loan.
                    let enterprise = enterprise || principal > 190_000.0;
                    (
                        bid(if enterprise { "B" } else { "I" }, local as u64),
                        enterprise,
                        false,
                        out,
                        principal,
                    )
                }
            };
            let outstanding_fen = fen(outstanding).max(0);
            let principal_fen = fen(principal).max(outstanding_fen).max(100);
            let mut dpd = if matures_on < as_of && outstanding_fen > 0 {
                i64::from(as_of.0 - matures_on.0)
            } else if lr.chance(p_over90) {
                lr.between(91, 400)
            } else if lr.chance(0.04) {
                lr.between(1, 90)
            } else {
                0
            };
            if specials.get(local).is_some() && p.target != Target::Failed {
                dpd = dpd.min(0);
            }
            let collateral = if enterprise && lr.chance(0.6) {
                fen(principal * lr.uniform(0.2, 0.8))
            } else if lr.chance(0.15) {
                fen(principal * lr.uniform(0.1, 0.5))
            } else {
                0
            };
            loans.push(Loan {
                borrower,
                enterprise,
                related,
                originated_on,
                matures_on,
                principal: principal_fen,
                outstanding: outstanding_fen,
                days_past_due: dpd.max(0),
                collateral,
            });
        }
        // Repaid history: older loans with nothing outstanding.
        for local in n_active as u64..p.loans {
            let mut lr = Rng::of2(seed, Stream::Loan, u64::from(p.index), local);
            let term = *lr.pick(&[3, 6, 12]);
            let latest = p.last_date.add_months(-term);
            let originated_on = if latest > p.first_date {
                p.first_date
                    .add_days(lr.between(0, i64::from(latest.0 - p.first_date.0)) as i32)
            } else {
                p.first_date.min(p.last_date)
            };
            let enterprise = lr.chance(0.1);
            let principal = if enterprise {
                lr.log_uniform(200_000.0, 800_000.0)
            } else {
                lr.log_uniform(10_000.0, 150_000.0)
            };
            loans.push(Loan {
                borrower: bid(if enterprise { "B" } else { "I" }, local),
                enterprise,
                related: false,
                originated_on,
                matures_on: originated_on.add_months(term),
                principal: fen((principal / 100.0).round() * 100.0).max(100),
                outstanding: 0,
                days_past_due: 0,
                collateral: 0,
            });
        }
        loans
    }

    pub fn recovery_rows(&self, p: &PlatformPlan, chunk: &mut Chunk) -> u64 {
        if !p.has_recoveries {
            return 0;
        }
        let mut r = Rng::of(self.spec.seed, Stream::Recovery, u64::from(p.index));
        let as_of = self.spec.as_of;
        let base = p.lender_outstanding as f64 / 100.0;
        let mut rows = 0;
        let mut emit =
            |round: i64, amount: f64, days_back: i64, source: &str, chunk: &mut Chunk| {
                let received = as_of.add_days(-(days_back as i32)).max(p.first_date);
                chunk.row(&[
                    Cell::Text(Some(&p.id)),
                    Cell::Int(Some(round)),
                    Cell::Money(Some(fen(amount.max(0.0)))),
                    Cell::Date(Some(received)),
                    Cell::Text(Some(source)),
                ]);
                rows += 1;
            };
        // Round 1: asset disposal, sometimes with collections beside it.
        emit(
            1,
            base * r.uniform(0.04, 0.2),
            r.between(120, 240),
            "asset_disposal",
            chunk,
        );
        if r.chance(0.4) {
            emit(
                1,
                base * r.uniform(0.005, 0.03),
                r.between(120, 240),
                "collection",
                chunk,
            );
        }
        // Round 2: a smaller pool, occasionally nothing at all, sometimes clawed-back gains.
        let second = if r.chance(0.05) {
            0.0
        } else {
            base * r.uniform(0.01, 0.1)
        };
        emit(2, second, r.between(0, 60), "collection", chunk);
        if r.chance(0.25) {
            emit(
                2,
                base * r.uniform(0.001, 0.01),
                r.between(0, 60),
                "clawback",
                chunk,
            );
        }
        rows
    }
}
