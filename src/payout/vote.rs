//! The lenders' vote on a benign-exit scheme (`winddown vote`): would the lenders approve it?
//!
//! A scheme pays a budget (by default what the alternative pays in all) divided by a rule (see
//! [`super::allocate::Division`]), in instalments over the years. Each lender votes yes when the
//! scheme is worth at least the alternative to them: the award's instalments, each discounted
//! at the yearly rate and weighted by the probability that it is delivered, against the
//! alternative's payout (liquidation at the platform's expected payout ratio, or a given
//! ratio). Turnout per claim-size band weights each lender's vote (default: everyone votes).
//! All valuations are exact fractions; nothing passes through floating point.
//!
//! The scheme is then judged by four rules, each with its margins:
//! - Shenzhen benign exit (深圳良性退出): voters hold at least 2/3 of the outstanding claims, and
//!   more than half of the voters, holding more than half of the claims, vote yes;
//! - Enterprise Bankruptcy Law art. 64: more than half of those present, holding at least half
//!   of the unsecured claims;
//! - art. 84 (per class, the claim-size bands): more than half of those present, holding at
//!   least 2/3 of the class's claims;
//! - art. 97: more than half of those present, holding at least 2/3 of all unsecured claims.
//!
//! 以上 (at least) includes the boundary; 过半 / 超过 (more than) does not.

use crate::domain::code::{LenderCode, PlatformCode};
use crate::domain::money::Fen;
use std::cmp::Ordering;

use crate::error::{DataProblem, Error, Result};
use crate::payout::allocate::{self, Division, Lender, Rule};
use crate::rules::exposure::BANDS;

/// The vote's exact fractions (a discount, a schedule, a turnout): the one fraction type.
pub use crate::domain::fraction::Ratio as Frac;

fn too_large() -> Error {
    Error::from(DataProblem::BeyondExact { what: "vote" })
}

fn checked(a: i128, b: i128) -> Result<i128> {
    a.checked_mul(b).ok_or_else(too_large)
}

fn mul(a: Frac, b: Frac) -> Result<Frac> {
    a.checked_mul(b).ok_or_else(too_large)
}

fn add(a: Frac, b: Frac) -> Result<Frac> {
    a.checked_add(b).ok_or_else(too_large)
}

/// What the lenders compare the scheme with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    /// Liquidation at the platform's expected payout ratio (expected recovery / total claim).
    Liquidation,
    /// A given payout ratio.
    Ratio(Frac),
}

/// The scheme and how lenders weigh it.
#[derive(Debug, Clone)]
pub struct Scheme {
    pub rule: Division,
    /// Share of the award paid in each year 1, 2, …; sums to 1. Empty: all paid now.
    pub schedule: Vec<Frac>,
    /// Yearly discount rate.
    pub discount: Frac,
    /// Probability that each instalment is delivered.
    pub delivery_probability: Frac,
    pub alternative: Alternative,
    /// The scheme's budget as a share of the claims; None: what the alternative pays.
    pub budget_ratio: Option<Frac>,
    /// Share of lenders who vote, per claim-size band of [`BANDS`].
    pub turnout: [Frac; 6],
    /// A lender indifferent between the scheme and the alternative votes yes.
    pub ties_vote_yes: bool,
}

impl Scheme {
    /// Present value of one fen of award: Σₜ sₜ · p / (1 + d)ᵗ.
    fn value_factor(&self) -> Result<Frac> {
        if self.schedule.is_empty() {
            return Ok(self.delivery_probability);
        }
        let growth = Frac::new(
            self.discount
                .den
                .checked_add(self.discount.num)
                .ok_or_else(too_large)?,
            self.discount.den,
        );
        let mut factor = Frac::new(0, 1);
        let mut compound = Frac::ONE;
        for share in &self.schedule {
            compound = mul(compound, growth)?;
            let pv = Frac::new(
                checked(share.num, compound.den)?,
                checked(share.den, compound.num)?,
            );
            factor = add(factor, pv)?;
        }
        mul(factor, self.delivery_probability)
    }
}

/// A lender in the vote.
#[derive(Debug, Clone)]
pub struct Voter {
    /// Lender code and its place in the byte order of ids.
    pub code: LenderCode,
    pub key: u32,
    /// Fen.
    pub claim: i64,
    pub invested: i64,
    pub withdrawn: i64,
}

/// A lender's vote.
#[derive(Debug, Clone)]
pub struct Ballot {
    pub code: LenderCode,
    pub claim: i64,
    /// Fen, nominal.
    pub award: i64,
    /// Present value of the scheme and the alternative's payout, as shares of the claim.
    pub value_ratio: f64,
    pub alternative_ratio: f64,
    pub yes: bool,
    /// Expected weight of the vote (turnout of the lender's band).
    pub weight: f64,
    /// Fen the lender would need on top of the award to prefer the scheme (0 if voting yes).
    pub shortfall: i64,
}

/// One voting rule's verdict on one platform.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub rule: &'static str,
    pub passed: bool,
    /// Expected voters and yes voters; the claims they hold (fen).
    pub voters: f64,
    pub yes_voters: f64,
    pub voter_claims: f64,
    pub yes_claims: f64,
    /// Yes voters above (+) or below (−) the head-count line; claims above or below the amount
    /// line (fen).
    pub count_margin: f64,
    pub amount_margin: f64,
    /// The lenders whose switch decides it: for a failed vote, no-voters (largest claims first)
    /// who would make it pass; for a passed one, yes-voters whose defection would sink it.
    pub swing: Vec<LenderCode>,
    /// The smallest extra payment (fen) to the largest no-voters that makes it pass (0 if it
    /// passes; None if no payment can, e.g. too few voters).
    pub extra_payment: Option<i64>,
}

/// The vote on one platform.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub budget: i64,
    pub ballots: Vec<Ballot>,
    pub verdicts: Vec<Verdict>,
    /// No lender values the scheme below the alternative.
    pub best_interest: bool,
    pub below_alternative: i64,
}

/// The four voting rules.
pub const RULES: [&str; 4] = ["shenzhen", "ebl_art64", "ebl_art84", "ebl_art97"];

/// A schedule given in percent per year (`--schedule 40 30 30`) as shares of the award; the
/// percentages must add up to 100 exactly (else the problem, in words).
pub fn schedule_of_percents(percents: &[Frac]) -> std::result::Result<Vec<Frac>, &'static str> {
    let schedule: Vec<Frac> = percents
        .iter()
        .map(|p| Frac::new(p.num, p.den * 100))
        .collect();
    if !schedule.is_empty() {
        let total = schedule.iter().fold(Frac::new(0, 1), |a, s| {
            Frac::new(a.num * s.den + s.num * a.den, a.den * s.den)
        });
        if total.compare(Frac::ONE) != Ordering::Equal {
            return Err("the percentages must add up to 100");
        }
    }
    Ok(schedule)
}

/// Every platform's vote on `scheme`, in the analysis's platform order: (platform code,
/// outcome) for those where someone can vote — a lender with a claim above zero who is not
/// excluded — and (platform code, why not) for the others, never left out silently.
pub fn every_platform(
    data: &crate::input::data::InputData,
    analysis: &crate::rules::Analysis,
    scheme: &Scheme,
) -> Result<Votes> {
    let mut skipped: Vec<(PlatformCode, &'static str)> = Vec::new();
    let outcomes: Vec<(PlatformCode, Outcome)> = analysis
        .platforms
        .iter()
        .filter_map(|p| {
            let code = p.metrics.code;
            let voters: Vec<Voter> = data.positions.ranges[code]
                .clone()
                .filter(|&i| analysis.claims.in_pool(data, code, i))
                .map(|i| {
                    let s = data.positions.sums.get(i);
                    let lender = data.positions.lender[i];
                    Voter {
                        code: lender,
                        key: data.lenders.rank[lender],
                        claim: analysis.claims.claim_on(code, &data.positions, i).get(),
                        invested: s.invested.get(),
                        withdrawn: s
                            .principal_returned
                            .saturating_add(s.returns_received)
                            .get(),
                    }
                })
                .collect();
            if voters.is_empty() {
                skipped.push((
                    code,
                    if p.metrics.lenders_total == 0 {
                        "无出借人 no lenders"
                    } else if p.exposure.claim_lenders == 0 {
                        "债权均为零 every claim is zero"
                    } else {
                        "出借人均被排除 every lender with a claim is excluded"
                    },
                ));
                return None;
            }
            let expected = Frac::new(
                i128::from(p.metrics.expected_recovery),
                p.exposure.total_claim.max(Fen(1)).wide(),
            );
            Some(vote(&voters, scheme, expected).map(|o| (code, o)))
        })
        .collect::<Result<_>>()?;
    Ok(Votes { outcomes, skipped })
}

/// The votes of every platform: the outcomes, and the platforms where nobody can vote.
#[derive(Debug)]
pub struct Votes {
    pub outcomes: Vec<(PlatformCode, Outcome)>,
    pub skipped: Vec<(PlatformCode, &'static str)>,
}

/// Run the vote on one platform. `expected_ratio`: its expected payout ratio (liquidation).
pub fn vote(voters: &[Voter], scheme: &Scheme, expected_ratio: Frac) -> Result<Outcome> {
    let alt = match scheme.alternative {
        Alternative::Liquidation => expected_ratio,
        Alternative::Ratio(r) => r,
    };
    let alt = if alt.compare(Frac::ONE) == Ordering::Greater {
        Frac::ONE
    } else {
        alt
    };
    let total: i128 = voters.iter().map(|v| i128::from(v.claim)).sum();
    let budget_ratio = scheme.budget_ratio.unwrap_or(alt);
    let budget = i64::try_from(checked(total, budget_ratio.num)? / budget_ratio.den)
        .map_err(|_| too_large())?;
    let lenders: Vec<Lender> = voters
        .iter()
        .map(|v| Lender {
            key: v.key,
            claim: Fen(v.claim),
            reserved: false,
            before: Fen::ZERO,
            invested: Fen(v.invested),
            withdrawn: Fen(v.withdrawn),
        })
        .collect();
    let round = allocate::allocate(
        Fen(budget),
        &lenders,
        Rule {
            division: scheme.rule,
            min_payment: None,
        },
    )?;
    let factor = scheme.value_factor()?;
    let mut ballots = Vec::with_capacity(voters.len());
    for (v, share) in voters.iter().zip(&round.shares) {
        let award = share.paid + share.reserved + share.carried;
        let value = mul(Frac::new(i128::from(award), 1), factor)?;
        let want = mul(Frac::new(i128::from(v.claim), 1), alt)?;
        let yes = match value.compare(want) {
            Ordering::Greater => true,
            Ordering::Equal => scheme.ties_vote_yes,
            Ordering::Less => false,
        };
        // Extra nominal fen x with (award + x)·factor ≥ want: x = ⌈want/factor⌉ − award.
        let shortfall = if yes || factor.num == 0 {
            0
        } else {
            let need = Frac::new(
                checked(want.num, factor.den)?,
                checked(want.den, factor.num)?,
            );
            let ceil = (need.num + need.den - 1) / need.den;
            i64::try_from(ceil - i128::from(award))
                .map_err(|_| too_large())?
                .max(0)
        };
        let band = BANDS.iter().rposition(|b| v.claim >= b.lower).unwrap_or(0);
        ballots.push(Ballot {
            code: v.code,
            claim: v.claim,
            award: award.get(),
            value_ratio: value.as_f64() / v.claim as f64,
            alternative_ratio: alt.as_f64(),
            yes,
            weight: scheme.turnout[band].as_f64(),
            shortfall,
        });
    }
    let below: Vec<&Ballot> = ballots.iter().filter(|b| !b.yes).collect();
    let verdicts = RULES
        .iter()
        .map(|rule| judge(rule, &ballots, voters))
        .collect();
    Ok(Outcome {
        budget,
        best_interest: below.is_empty(),
        below_alternative: below.len() as i64,
        ballots,
        verdicts,
    })
}

/// Tallies of a set of ballots (expected: each weighted by its turnout).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    members: f64,
    claims: f64,
    voters: f64,
    voter_claims: f64,
    yes: f64,
    yes_claims: f64,
}

fn tally<'a>(ballots: impl Iterator<Item = (&'a Ballot, bool)>) -> Tally {
    let mut t = Tally::default();
    for (b, yes) in ballots {
        t.members += 1.0;
        t.claims += b.claim as f64;
        t.voters += b.weight;
        t.voter_claims += b.weight * b.claim as f64;
        if yes {
            t.yes += b.weight;
            t.yes_claims += b.weight * b.claim as f64;
        }
    }
    t
}

/// Does a tally pass `rule`? (count margin, amount margin, passed). A small tolerance absorbs
/// the rounding of turnout weights; with everyone voting (the default) the counts are whole.
fn passes(rule: &str, t: &Tally) -> (f64, f64, bool) {
    const EPS: f64 = 1e-9;
    let more_than_half = |yes: f64, of: f64| yes - of / 2.0;
    match rule {
        "shenzhen" => {
            let count = more_than_half(t.yes, t.voters);
            let amount = t.yes_claims - t.claims / 2.0;
            let turnout = t.voter_claims - t.claims * 2.0 / 3.0;
            let ok = turnout >= -EPS && count > EPS && amount > EPS;
            (count, amount, ok)
        }
        "ebl_art64" => {
            let count = more_than_half(t.yes, t.voters);
            let amount = t.yes_claims - t.claims / 2.0;
            (count, amount, count > EPS && amount >= -EPS)
        }
        "ebl_art97" | "ebl_art84_class" => {
            let count = more_than_half(t.yes, t.voters);
            let amount = t.yes_claims - t.claims * 2.0 / 3.0;
            (count, amount, count > EPS && amount >= -EPS)
        }
        _ => (0.0, 0.0, false),
    }
}

/// Judge the ballots by one rule, with `flip` applied (lenders switched to yes).
fn decide(rule: &str, ballots: &[Ballot], flip: &[bool]) -> (Tally, f64, f64, bool) {
    let all = || ballots.iter().zip(flip).map(|(b, f)| (b, b.yes || *f));
    if rule == "ebl_art84" {
        // Per class (claim-size band): every class with members must pass.
        let mut worst = (f64::INFINITY, f64::INFINITY);
        let mut ok = true;
        for (i, _) in BANDS.iter().enumerate() {
            let in_band = |b: &Ballot| BANDS.iter().rposition(|x| b.claim >= x.lower) == Some(i);
            let t = tally(all().filter(|(b, _)| in_band(b)));
            if t.members == 0.0 {
                continue;
            }
            let (c, a, p) = passes("ebl_art84_class", &t);
            ok &= p;
            worst = (worst.0.min(c), worst.1.min(a));
        }
        return (tally(all()), worst.0, worst.1, ok);
    }
    let t = tally(all());
    let (c, a, p) = passes(rule, &t);
    (t, c, a, p)
}

fn judge(rule: &'static str, ballots: &[Ballot], voters: &[Voter]) -> Verdict {
    let none = vec![false; ballots.len()];
    let (t, count_margin, amount_margin, passed) = decide(rule, ballots, &none);
    // No-voters by claim, largest first (ties by id order).
    let mut order: Vec<usize> = (0..ballots.len()).collect();
    order.sort_by(|&a, &b| {
        ballots[b]
            .claim
            .cmp(&ballots[a].claim)
            .then(voters[a].key.cmp(&voters[b].key))
    });
    let mut swing = Vec::new();
    let mut extra_payment = Some(0i64);
    if !passed {
        let mut flip = none.clone();
        let mut extra = 0i64;
        let mut done = false;
        for &i in order.iter().filter(|&&i| !ballots[i].yes) {
            flip[i] = true;
            swing.push(ballots[i].code);
            extra = extra.saturating_add(ballots[i].shortfall);
            if decide(rule, ballots, &flip).3 {
                done = true;
                break;
            }
        }
        extra_payment = done.then_some(extra);
        if !done {
            swing.clear();
        }
    } else {
        // Yes-voters whose defection (largest first) would sink it.
        let mut against: Vec<Ballot> = ballots.to_vec();
        for &i in order.iter().filter(|&&i| ballots[i].yes) {
            against[i].yes = false;
            swing.push(ballots[i].code);
            if !decide(rule, &against, &none).3 {
                break;
            }
        }
    }
    Verdict {
        rule,
        passed,
        voters: t.voters,
        yes_voters: t.yes,
        voter_claims: t.voter_claims,
        yes_claims: t.yes_claims,
        count_margin,
        amount_margin,
        swing,
        extra_payment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::code::Code;

    /// Ten lenders with claims 1, 1, 1, 2, 2, 3, 5, 10, 30, 45 (total 100), in yuan.
    fn ten() -> Vec<Voter> {
        [1, 1, 1, 2, 2, 3, 5, 10, 30, 45]
            .iter()
            .enumerate()
            .map(|(i, c)| Voter {
                code: LenderCode::at(i),
                key: i as u32,
                claim: c * 100,
                invested: c * 100,
                withdrawn: 0,
            })
            .collect()
    }

    fn scheme(rule: Division) -> Scheme {
        Scheme {
            rule,
            schedule: Vec::new(),
            discount: Frac::new(0, 1),
            delivery_probability: Frac::ONE,
            alternative: Alternative::Ratio(Frac::new(3, 10)),
            budget_ratio: None,
            turnout: [Frac::ONE; 6],
            ties_vote_yes: true,
        }
    }

    #[test]
    fn small_first_wins_heads_but_not_money() {
        // Liquidation pays 30 %; small first with T = 3 yuan spends the same 30 yuan: tranches
        // 1,1,1,2,2,3,3,3,3,3 = 22, the other 8 equalising: 30 → 5.60, 45 → 8.40. Eight of ten
        // vote yes (value ≥ 30 % of the claim; 10 gets exactly 3: a tie, yes) holding 25 of
        // 100: fails Shenzhen (needs > 50), art. 64 (≥ 50) and art. 84 (≥ 2/3 of the class).
        let out = vote(&ten(), &scheme(Division::SmallFirst(300)), Frac::new(3, 10)).unwrap();
        assert_eq!(out.budget, 3_000);
        let awards: Vec<i64> = out.ballots.iter().map(|b| b.award).collect();
        assert_eq!(awards, [100, 100, 100, 200, 200, 300, 300, 300, 560, 840]);
        let yes: Vec<bool> = out.ballots.iter().map(|b| b.yes).collect();
        assert_eq!(yes.iter().filter(|y| **y).count(), 8);
        for v in &out.verdicts {
            assert!(!v.passed, "{}", v.rule);
            assert_eq!((v.yes_voters, v.yes_claims), (8.0, 2_500.0), "{}", v.rule);
        }
        let shenzhen = &out.verdicts[0];
        assert!(shenzhen.count_margin > 0.0 && shenzhen.amount_margin < 0.0);
        // The 45 yuan lender switching is enough for art. 64 (25 + 45 = 70 ≥ 50): it needs
        // 13.50 − 8.40 = 5.10 yuan more.
        let art64 = &out.verdicts[1];
        assert_eq!(art64.swing, vec![LenderCode::new(9)]);
        assert_eq!(art64.extra_payment, Some(510));
        assert!(!out.best_interest);
        assert_eq!(out.below_alternative, 2);
    }

    #[test]
    fn pro_rata_at_the_same_budget_leaves_everyone_indifferent() {
        let out = vote(&ten(), &scheme(Division::Pro), Frac::new(3, 10)).unwrap();
        assert!(out
            .ballots
            .iter()
            .all(|b| b.yes && b.award * 10 == b.claim * 3));
        assert!(out.verdicts.iter().all(|v| v.passed));
        assert!(out.best_interest);
        // Ties against: nobody votes yes, everything fails.
        let mut s = scheme(Division::Pro);
        s.ties_vote_yes = false;
        let out = vote(&ten(), &s, Frac::new(3, 10)).unwrap();
        assert!(out.verdicts.iter().all(|v| !v.passed));
    }

    #[test]
    fn instalments_are_discounted_and_weighted() {
        // Half now… in years 1 and 2 at 10 %: 0.5/1.1 + 0.5/1.21, times 0.9 delivered.
        let mut s = scheme(Division::Pro);
        s.schedule = vec![Frac::new(1, 2), Frac::new(1, 2)];
        s.discount = Frac::new(1, 10);
        s.delivery_probability = Frac::new(9, 10);
        let f = s.value_factor().unwrap();
        let want = (0.5 / 1.1 + 0.5 / 1.21) * 0.9;
        assert!((f.as_f64() - want).abs() < 1e-12);
        // Worth less than liquidation now: everyone votes no.
        let out = vote(&ten(), &s, Frac::new(3, 10)).unwrap();
        assert!(out.ballots.iter().all(|b| !b.yes));
    }

    #[test]
    fn the_boundaries_of_at_least_and_more_than() {
        // Two lenders of 50: one yes. Art. 64: 1 of 2 is not more than half → fails, although
        // 50 of 100 is "at least half".
        let t = Tally {
            members: 2.0,
            claims: 100.0,
            voters: 2.0,
            voter_claims: 100.0,
            yes: 1.0,
            yes_claims: 50.0,
        };
        assert!(!passes("ebl_art64", &t).2);
        let t = Tally {
            yes: 2.0,
            yes_claims: 50.0,
            voters: 3.0,
            members: 3.0,
            ..t
        };
        assert!(passes("ebl_art64", &t).2);
        // Shenzhen needs more than half of the claims: exactly half fails.
        assert!(!passes("shenzhen", &t).2);
    }
}
