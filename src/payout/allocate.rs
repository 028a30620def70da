//! Payout: one round of asset-disposal payouts on one platform, exact to the fen (docs/payouts.md).
//!
//! In: the pool (Σ of the round's recoveries, fen) and the lenders in the round (claim > 0,
//! eligible or reserved) with what earlier rounds gave them (`before`, paid + reserved).
//! Out: each lender's paid / reserved / carried amounts, the surplus and the level.
//!
//! The arithmetic is integer fen and i128 rationals: the level L = N / D is found by
//! water-filling in exact fractions, each lender's owed amount a_i / D is floored, and the
//! leftover fen go one each to the largest remainders, ties by lender_id in UTF-8 byte order
//! (each lender carries its place in that order as `key`). So Σ owed = pool − surplus exactly
//! and the result does not depend on input order. Pure domain code, no polars;
//! [`super::rounds`] runs platforms in parallel with rayon.

use crate::domain::fraction::Ratio;
use crate::domain::money::Fen;
use crate::error::{DataProblem, Error, Result};

/// A lender in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lender {
    /// The lender's place in the byte order of lender ids: ties of the rounding go to the
    /// smaller key (so the smaller id).
    pub key: u32,
    /// > 0.
    pub claim: Fen,
    /// Unregistered: the owed amount is held in reserve (提存), never paid nor carried.
    pub reserved: bool,
    /// Σ paid + reserved in earlier rounds (carried amounts are not in it).
    pub before: Fen,
    /// Gross invested and withdrawn (principal returned + returns received): what the
    /// rising-tide rule measures recoveries against. Other rules ignore them.
    pub invested: Fen,
    pub withdrawn: Fen,
}

pub use crate::domain::division::Division;

/// Options of the payout rule.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rule {
    pub division: Division,
    /// Eligible amounts below this are carried, not paid.
    pub min_payment: Option<Fen>,
}

impl Rule {
    /// The small-first threshold, if that is the rule.
    pub fn small_first(&self) -> Option<Fen> {
        match self.division {
            Division::SmallFirst(t) => Some(Fen(t)),
            _ => None,
        }
    }
}

/// One lender's outcome, in input order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    pub paid: Fen,
    pub reserved: Fen,
    pub carried: Fen,
}

/// One round's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub shares: Vec<Share>,
    pub paid: Fen,
    pub reserved: Fen,
    pub carried: Fen,
    pub surplus: Fen,
    pub lenders_paid: i64,
    /// docs/payouts.md: 1 if the pool covers everything; the lowest ratio if the pool is 0; null
    /// under small first when the tranches are not covered; else the level L.
    pub level: Option<f64>,
}

fn mul(a: i128, b: i128) -> Result<i128> {
    a.checked_mul(b)
        .ok_or_else(|| Error::from(DataProblem::BeyondExact { what: "payout" }))
}

fn add(a: i128, b: i128) -> Result<i128> {
    a.checked_add(b)
        .ok_or_else(|| Error::from(DataProblem::BeyondExact { what: "payout" }))
}

/// Allocate one round's pool.
pub fn allocate(pool: Fen, lenders: &[Lender], rule: Rule) -> Result<Round> {
    if pool < Fen::ZERO {
        return Err(Error::Internal(format!("negative pool {pool}")));
    }
    if let Some(l) = lenders
        .iter()
        .find(|l| !l.claim.is_positive() || l.before < Fen::ZERO)
    {
        return Err(Error::Internal(format!(
            "lender #{} has claim {} and before {}",
            l.key, l.claim, l.before
        )));
    }
    let pool128 = pool.wide();
    let remaining: Vec<i128> = lenders
        .iter()
        .map(|l| (l.claim.wide() - l.before.wide()).max(0))
        .collect();
    let total_remaining = remaining.iter().try_fold(0i128, |a, r| add(a, *r))?;
    let min_ratio = || -> Result<Option<f64>> {
        let mut best: Option<Ratio> = None;
        for l in lenders {
            let f = Ratio {
                num: l.before.into(),
                den: l.claim.into(),
            };
            if best.is_none_or(|b| f.compare(b) == std::cmp::Ordering::Less) {
                best = Some(f);
            }
        }
        Ok(best.map(Ratio::as_f64))
    };

    // owed_i = numer_i / den, exactly.
    let (numer, den, surplus, level): (Vec<i128>, i128, i64, Option<f64>) =
        if pool128 >= total_remaining {
            // Everyone is paid in full; the rest is surplus, reported and never paid.
            let surplus = i64::try_from(pool128 - total_remaining)
                .map_err(|_| Error::Internal("surplus".into()))?;
            (remaining.clone(), 1, surplus, Some(1.0))
        } else if pool == Fen::ZERO {
            (vec![0; lenders.len()], 1, 0, min_ratio()?)
        } else if let Some(exact) = other_rule(rule.division, pool128, lenders, &remaining)? {
            exact
        } else if let Some(t) = rule.small_first() {
            let tranche: Vec<i128> = lenders
                .iter()
                .map(|l| (l.claim.min(t).wide() - l.before.wide()).max(0))
                .collect();
            let q = tranche.iter().try_fold(0i128, |a, x| add(a, *x))?;
            if pool128 <= q {
                // The senior tranches, pro rata to their sizes.
                let numer = tranche
                    .iter()
                    .map(|x| mul(*x, pool128))
                    .collect::<Result<Vec<_>>>()?;
                let level = if pool128 < q {
                    None
                } else {
                    let mut best: Option<Ratio> = None;
                    for (l, x) in lenders.iter().zip(&tranche) {
                        let f = Ratio {
                            num: i128::from(l.before) + x,
                            den: l.claim.into(),
                        };
                        if best.is_none_or(|b| f.compare(b) == std::cmp::Ordering::Less) {
                            best = Some(f);
                        }
                    }
                    best.map(Ratio::as_f64)
                };
                (numer, q, 0, level)
            } else {
                // Tranches in full, the rest equalising on before + tranche.
                let shifted: Vec<i128> = lenders
                    .iter()
                    .zip(&tranche)
                    .map(|(l, x)| i128::from(l.before) + x)
                    .collect();
                let (eq, level) = equalise(pool128 - q, lenders, &shifted)?;
                let numer = eq
                    .iter()
                    .zip(&tranche)
                    .map(|(e, x)| add(*e, mul(*x, level.den)?))
                    .collect::<Result<Vec<_>>>()?;
                (numer, level.den, 0, Some(level.as_f64()))
            }
        } else {
            let befores: Vec<i128> = lenders.iter().map(|l| i128::from(l.before)).collect();
            let (numer, level) = equalise(pool128, lenders, &befores)?;
            (numer, level.den, 0, Some(level.as_f64()))
        };

    let owed = round_largest_remainder(&numer, den, pool128 - i128::from(surplus), lenders)?;
    let mut round = Round {
        shares: Vec::with_capacity(lenders.len()),
        paid: Fen::ZERO,
        reserved: Fen::ZERO,
        carried: Fen::ZERO,
        surplus: Fen(surplus),
        lenders_paid: 0,
        level,
    };
    for (l, o) in lenders.iter().zip(owed) {
        let share = if l.reserved {
            Share {
                reserved: o,
                ..Share::default()
            }
        } else if o.is_positive() && rule.min_payment.is_some_and(|m| o < m) {
            Share {
                carried: o,
                ..Share::default()
            }
        } else {
            Share {
                paid: o,
                ..Share::default()
            }
        };
        round.paid += share.paid;
        round.reserved += share.reserved;
        round.carried += share.carried;
        round.lenders_paid += i64::from(share.paid.is_positive());
        round.shares.push(share);
    }
    // Every fen accounted for: a broken invariant is reported, not paid out.
    if round.paid + round.reserved + round.carried + round.surplus != pool {
        return Err(Error::Internal(format!(
            "round does not add up: paid {} + reserved {} + carried {} + surplus {} ≠ pool {pool}",
            round.paid, round.reserved, round.carried, round.surplus
        )));
    }
    Ok(round)
}

/// The awards of the rules other than pro and small first, exactly: (numerators, common
/// denominator, surplus, level); `None` for pro and small first. The pool is below what is
/// still owed (the caller handles a pool that covers it).
#[allow(clippy::type_complexity)]
fn other_rule(
    division: Division,
    pool: i128,
    lenders: &[Lender],
    remaining: &[i128],
) -> Result<Option<(Vec<i128>, i128, i64, Option<f64>)>> {
    use super::division as d;
    let owed = |a: d::Awards| (a.num, a.den, 0i64, None);
    Ok(Some(match division {
        Division::Pro | Division::SmallFirst(_) => return Ok(None),
        // Composition-consistent: dividing each round's pool on what is still owed equals
        // dividing all the rounds' pools at once.
        Division::Cea => owed(d::cea(remaining, pool)?),
        Division::Cel => owed(d::cel(remaining, pool)?),
        // Not composition-consistent: the rule's award for everything given so far plus this
        // pool, less what each already has.
        Division::Talmud | Division::Apro => {
            let claims: Vec<i128> = lenders.iter().map(|l| i128::from(l.claim)).collect();
            let given = lenders
                .iter()
                .try_fold(0i128, |a, l| add(a, i128::from(l.before)))?;
            let estate = add(given, pool)?;
            let target = if division == Division::Talmud {
                d::talmud(&claims, estate)?
            } else {
                d::apro(&claims, estate)?
            };
            let mut num: Vec<i128> = target
                .num
                .iter()
                .zip(lenders)
                .map(|(t, l)| Ok((t - mul(i128::from(l.before), target.den)?).max(0)))
                .collect::<Result<_>>()?;
            // Someone already above the rule's award (an earlier round under another rule):
            // the others' awards are scaled down to the pool, so Σ = pool, nobody above.
            let total = num.iter().try_fold(0i128, |a, x| add(a, *x))?;
            let want = mul(pool, target.den)?;
            let mut den = target.den;
            if total > want {
                num = num
                    .into_iter()
                    .map(|x| mul(x, pool))
                    .collect::<Result<_>>()?;
                den = total;
            }
            (num, den, 0, None)
        }
        // Equalising with the gross invested as the claim and withdrawals counted as paid;
        // nobody is raised above the full gross (r ≤ 1); beyond that the pool is surplus.
        Division::RisingTide => {
            let gross: Vec<Lender> = lenders
                .iter()
                .map(|l| Lender {
                    claim: l.invested.max(Fen(1)),
                    ..l.clone()
                })
                .collect();
            let before: Vec<i128> = lenders
                .iter()
                .map(|l| add(i128::from(l.withdrawn), i128::from(l.before)))
                .collect::<Result<_>>()?;
            let capacity: Vec<i128> = gross
                .iter()
                .zip(&before)
                .map(|(g, b)| (i128::from(g.claim) - b).max(0))
                .collect();
            let room = capacity.iter().try_fold(0i128, |a, x| add(a, *x))?;
            if pool >= room {
                let surplus =
                    i64::try_from(pool - room).map_err(|_| Error::Internal("surplus".into()))?;
                return Ok(Some((capacity, 1, surplus, Some(1.0))));
            }
            let (num, level) = equalise(pool, &gross, &before)?;
            // r ≤ 1 keeps everyone within the gross less withdrawals, which is never above
            // what is still owed (the claim is the gross less principal returned, or less
            // everything withdrawn): a broken invariant otherwise.
            for (n, r) in num.iter().zip(remaining) {
                if *n > mul(*r, level.den)? {
                    return Err(Error::Internal("rising tide above a claim".into()));
                }
            }
            (num, level.den, 0, Some(level.as_f64()))
        }
    }))
}

/// Water-filling: the level L = N / D with Σ max(0, claim_i·L − before_i) = pool, and each
/// lender's owed amount claim_i·N − before_i·D over D (0 for those at or above L).
fn equalise(pool: i128, lenders: &[Lender], before: &[i128]) -> Result<(Vec<i128>, Ratio)> {
    let mut order: Vec<usize> = (0..lenders.len()).collect();
    // Ascending before/claim; the comparison is exact (cross-multiplied). When nobody has
    // anything yet and there is a pool, every ratio is 0 and below the level: everyone is in
    // the set whatever the order, and the sums do not depend on it.
    let first_round = pool > 0 && before.iter().all(|b| *b == 0);
    let mut err = None;
    order.sort_by(|&a, &b| {
        if first_round {
            return std::cmp::Ordering::Equal;
        }
        let (ca, cb) = (i128::from(lenders[a].claim), i128::from(lenders[b].claim));
        match (before[a].checked_mul(cb), before[b].checked_mul(ca)) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| lenders[a].key.cmp(&lenders[b].key)),
            _ => {
                err = Some(Error::from(DataProblem::BeyondExact { what: "payout" }));
                std::cmp::Ordering::Equal
            }
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    let (mut b_sum, mut c_sum) = (0i128, 0i128);
    let mut level = Ratio { num: pool, den: 1 };
    let mut in_s = 0;
    for (k, &i) in order.iter().enumerate() {
        b_sum = add(b_sum, before[i])?;
        c_sum = add(c_sum, lenders[i].claim.into())?;
        level = Ratio {
            num: add(pool, b_sum)?,
            den: c_sum,
        };
        in_s = k + 1;
        match order.get(k + 1) {
            // Stop when the next lender is already at or above the level.
            Some(&next) => {
                let next_ratio = Ratio {
                    num: before[next],
                    den: lenders[next].claim.into(),
                };
                if next_ratio.compare(level) != std::cmp::Ordering::Less {
                    break;
                }
            }
            None => break,
        }
    }
    let mut numer = vec![0i128; lenders.len()];
    for &i in &order[..in_s] {
        let v = mul(lenders[i].claim.into(), level.num)? - mul(before[i], level.den)?;
        numer[i] = v.max(0);
    }
    Ok((numer, level))
}

/// Floor every numer_i / den, then give the `total − Σ floors` leftover fen one each to the
/// largest remainders, ties by lender_id ascending in UTF-8 byte order.
fn round_largest_remainder(
    numer: &[i128],
    den: i128,
    total: i128,
    lenders: &[Lender],
) -> Result<Vec<Fen>> {
    let mut floors: Vec<i128> = numer.iter().map(|n| n.div_euclid(den)).collect();
    let rems: Vec<i128> = numer.iter().map(|n| n.rem_euclid(den)).collect();
    let floor_sum = floors.iter().try_fold(0i128, |a, f| add(a, *f))?;
    let leftover = total - floor_sum;
    if leftover < 0 || leftover > numer.len() as i128 {
        return Err(Error::Internal(format!(
            "rounding left {leftover} fen for {} lenders",
            numer.len()
        )));
    }
    if leftover > 0 {
        let mut idx: Vec<usize> = (0..numer.len()).filter(|i| rems[*i] > 0).collect();
        if (idx.len() as i128) < leftover {
            return Err(Error::Internal("fewer remainders than leftover fen".into()));
        }
        // The `leftover` first in (remainder descending, lender_id ascending): a total order
        // (keys are unique), so selecting them is the same as sorting and taking them.
        let by_remainder = |&a: &usize, &b: &usize| {
            rems[b]
                .cmp(&rems[a])
                .then_with(|| lenders[a].key.cmp(&lenders[b].key))
        };
        let take = leftover as usize;
        if take < idx.len() {
            idx.select_nth_unstable_by(take - 1, by_remainder);
        }
        for &i in idx.iter().take(take) {
            floors[i] += 1;
        }
    }
    floors
        .into_iter()
        .map(|f| {
            i64::try_from(f)
                .map(Fen)
                .map_err(|_| Error::Internal("owed amount beyond i64".into()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money;
    use proptest::prelude::*;

    /// A lender whose key is the byte order of `id` among the ids the tests use.
    fn lender(id: &str, claim: i64, before: i64) -> Lender {
        Lender {
            key: key(id),
            claim: money::Fen(claim),
            reserved: false,
            before: money::Fen(before),
            invested: Fen(claim),
            withdrawn: Fen::ZERO,
        }
    }

    /// Ids in byte order, as the key the engine gives them.
    fn key(id: &str) -> u32 {
        let mut ids = [
            "A", "B", "L10", "L2", "R", "a", "b", "r", "s", "t", "x", "y", "z",
        ];
        ids.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        ids.iter().position(|i| *i == id).expect("a test id") as u32
    }

    fn paid(r: &Round) -> Vec<i64> {
        r.shares
            .iter()
            .map(|s| (s.paid + s.reserved + s.carried).get())
            .collect()
    }

    #[test]
    fn first_round_is_plain_pro_rata_with_a_tie_broken_by_id() {
        // Claims 1, 1, 1 yuan, pool 1 yuan: 33.33… fen each; 1 leftover fen to the smallest id
        // in byte order among equal remainders: "A" < "B" < "a".
        let lenders = vec![
            lender("a", 100, 0),
            lender("B", 100, 0),
            lender("A", 100, 0),
        ];
        let r = allocate(Fen(100), &lenders, Rule::default()).unwrap();
        assert_eq!(paid(&r), vec![33, 33, 34]);
        assert_eq!(r.level, Some(1.0 / 3.0));
        assert_eq!(r.surplus, Fen::ZERO);
    }

    #[test]
    fn largest_remainder_before_ties() {
        // Claims 500, 300, 200 fen, pool 7 fen: exact 3.5, 2.1, 1.4 → floors 3, 2, 1 (6);
        // the 1 leftover fen goes to the largest remainder (0.5, lender x).
        let lenders = vec![
            lender("x", 500, 0),
            lender("y", 300, 0),
            lender("z", 200, 0),
        ];
        assert_eq!(
            paid(&allocate(Fen(7), &lenders, Rule::default()).unwrap()),
            vec![4, 2, 1]
        );
    }

    #[test]
    fn a_pool_of_one_fen() {
        let lenders = vec![lender("L2", 10_000, 0), lender("L10", 10_000, 0)];
        // "L10" < "L2" in byte order.
        assert_eq!(
            paid(&allocate(Fen(1), &lenders, Rule::default()).unwrap()),
            vec![0, 1]
        );
    }

    #[test]
    fn pool_larger_than_all_claims_leaves_a_surplus() {
        let lenders = vec![lender("a", 1_000, 400), lender("b", 500, 0)];
        let r = allocate(Fen(5_000), &lenders, Rule::default()).unwrap();
        assert_eq!(paid(&r), vec![600, 500]);
        assert_eq!((r.surplus, r.level), (Fen(3_900), Some(1.0)));
    }

    #[test]
    fn equalising_second_round_catches_up_the_behind() {
        // a: claim 1000, got 500 before (ratio .5); b: claim 1000, got 0. Pool 300:
        // L = (300 + 0)/1000 = .3 < .5 → only b: 300. Pool 700: L = (700 + 500)/2000 = .6 →
        // a gets 100, b 600.
        let lenders = vec![lender("a", 1_000, 500), lender("b", 1_000, 0)];
        let r = allocate(Fen(300), &lenders, Rule::default()).unwrap();
        assert_eq!((paid(&r), r.level), (vec![0, 300], Some(0.3)));
        let r = allocate(Fen(700), &lenders, Rule::default()).unwrap();
        assert_eq!((paid(&r), r.level), (vec![100, 600], Some(0.6)));
    }

    #[test]
    fn zero_pool_level_is_the_lowest_ratio() {
        let lenders = vec![lender("a", 1_000, 500), lender("b", 1_000, 250)];
        let r = allocate(Fen::ZERO, &lenders, Rule::default()).unwrap();
        assert_eq!((paid(&r), r.level), (vec![0, 0], Some(0.25)));
        let r = allocate(Fen::ZERO, &[], Rule::default()).unwrap();
        assert_eq!((r.surplus, r.level), (Fen::ZERO, Some(1.0)));
        let r = allocate(Fen(5), &[], Rule::default()).unwrap();
        assert_eq!((r.surplus, r.level), (Fen(5), Some(1.0)));
    }

    #[test]
    fn small_first_short_pool_then_catch_up() {
        // T = 1000 fen. Claims 500 (a), 5000 (b). Tranches 500, 1000 = 1500.
        let rule = Rule {
            division: Division::SmallFirst(1_000),
            min_payment: None,
        };
        let lenders = vec![lender("a", 500, 0), lender("b", 5_000, 0)];
        // Pool 600 < 1500: pro rata to tranches: 200 and 400; level null.
        let r = allocate(Fen(600), &lenders, rule).unwrap();
        assert_eq!((paid(&r), r.level), (vec![200, 400], None));
        // Pool exactly 1500: tranches in full; level = min((0+500)/500, (0+1000)/5000) = 0.2.
        let r = allocate(Fen(1_500), &lenders, rule).unwrap();
        assert_eq!((paid(&r), r.level), (vec![500, 1_000], Some(0.2)));
        // Second round after the short first one: before 200, 400; tranches 300, 600 = 900;
        // pool 2000: tranches paid, 1100 equalises on before' = 500, 1000: a is full (ratio 1),
        // b: L = (1100 + 1000)/5000 = 0.42 → b gets 600 + 1100 = 1700.
        let second = vec![lender("a", 500, 200), lender("b", 5_000, 400)];
        let r = allocate(Fen(2_000), &second, rule).unwrap();
        assert_eq!((paid(&r), r.level), (vec![300, 1_700], Some(0.42)));
    }

    #[test]
    fn reserve_and_minimum_payment() {
        let rule = Rule {
            division: Division::Pro,
            min_payment: Some(Fen(100)),
        };
        let lenders = vec![
            Lender {
                key: key("r"),
                claim: Fen(100),
                reserved: true,
                before: Fen::ZERO,
                invested: Fen(100),
                withdrawn: Fen::ZERO,
            },
            lender("s", 100, 0),
            lender("t", 10_000, 0),
        ];
        // Pool 1020 of 10200: 10, 10, 1000 fen. r is reserved (never carried); s's 10 < 100 is
        // carried; t is paid.
        let r = allocate(Fen(1_020), &lenders, rule).unwrap();
        assert_eq!(
            r.shares,
            vec![
                Share {
                    reserved: Fen(10),
                    ..Share::default()
                },
                Share {
                    carried: Fen(10),
                    ..Share::default()
                },
                Share {
                    paid: Fen(1_000),
                    ..Share::default()
                },
            ]
        );
        assert_eq!(
            (r.paid, r.reserved, r.carried, r.lenders_paid),
            (Fen(1_000), Fen(10), Fen(10), 1)
        );
    }

    #[test]
    fn the_huber_example_rising_tide_against_net_loss_pro_rata() {
        // Three lenders put in 150,000 yuan each and withdrew 60,000, 30,000 and 0; the estate
        // is 60,000. Net-loss pro rata on claims 90,000 / 120,000 / 150,000: 15,000, 20,000,
        // 25,000. Rising tide: r with Σ max(0, 150,000 r − withdrawn) = 60,000 → r = 0.3:
        // 0, 15,000, 45,000.
        let yuan = 100;
        let l = |id: &str, withdrawn: i64| Lender {
            key: key(id),
            claim: Fen((150_000 - withdrawn) * yuan),
            reserved: false,
            before: Fen::ZERO,
            invested: Fen(150_000 * yuan),
            withdrawn: Fen(withdrawn * yuan),
        };
        let lenders = vec![l("a", 60_000), l("b", 30_000), l("r", 0)];
        let pro = allocate(Fen(60_000 * yuan), &lenders, Rule::default()).unwrap();
        assert_eq!(
            paid(&pro),
            vec![15_000 * yuan, 20_000 * yuan, 25_000 * yuan]
        );
        let rule = Rule {
            division: Division::RisingTide,
            min_payment: None,
        };
        let tide = allocate(Fen(60_000 * yuan), &lenders, rule).unwrap();
        assert_eq!(paid(&tide), vec![0, 15_000 * yuan, 45_000 * yuan]);
        assert_eq!(tide.level, Some(0.3));
    }

    #[test]
    fn rules_round_to_the_fen_with_ties_by_id() {
        // Claims 2, 4, 7, 8 yuan, estate 10 yuan: CEA 2, 2.67, 2.67, 2.67 → the 2 leftover fen
        // of 2.666… go to the largest remainders, ties by id: "b" before "r" before "s".
        let lenders = vec![
            lender("a", 200, 0),
            lender("b", 400, 0),
            lender("r", 700, 0),
            lender("s", 800, 0),
        ];
        let r = |d| {
            allocate(
                Fen(1_000),
                &lenders,
                Rule {
                    division: d,
                    min_payment: None,
                },
            )
            .unwrap()
        };
        assert_eq!(paid(&r(Division::Cea)), vec![200, 267, 267, 266]);
        assert_eq!(paid(&r(Division::Cel)), vec![0, 100, 400, 500]);
        assert_eq!(paid(&r(Division::Talmud)), vec![100, 200, 350, 350]);
        // Plain pro rata in a first round: 95.238…, 190.476…, 333.333…, 380.952…: floors
        // 95 + 190 + 333 + 380 = 998, the 2 leftover fen to the largest remainders (.952, .476).
        assert_eq!(paid(&r(Division::Pro)), vec![95, 191, 333, 381]);
        assert_eq!(
            Division::parse("small-first:10000").unwrap(),
            Division::SmallFirst(1_000_000)
        );
        assert_eq!(
            Division::parse("rising-tide").unwrap().name(),
            "rising-tide"
        );
        assert!(Division::parse("fair").is_err());
    }

    fn arb_lenders() -> impl Strategy<Value = Vec<Lender>> {
        prop::collection::vec((1i64..5_000_000, 0u8..=100, any::<bool>()), 1..40).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (claim, pct, reserved))| Lender {
                    key: ((i * 7919) % 1000) as u32,
                    claim: money::Fen(claim),
                    reserved,
                    before: Fen(claim / 100 * i64::from(pct)),
                    invested: Fen(claim + claim / 3),
                    withdrawn: Fen(claim / 3),
                })
                .collect::<Vec<_>>()
        })
    }

    proptest! {
        #[test]
        fn invariants(lenders in arb_lenders(), pool in 0i64..200_000_000, t in proptest::option::of(1i64..2_000_000), min in proptest::option::of(1i64..5_000), seed in any::<u64>()) {
            // Unique keys, as in a real round.
            let mut lenders = lenders;
            for (i, l) in lenders.iter_mut().enumerate() { l.key = l.key * 64 + i as u32; }
            let rule = Rule { division: t.map_or(Division::Pro, Division::SmallFirst), min_payment: min.map(Fen) };
            let r = allocate(Fen(pool), &lenders, rule).unwrap();
            // Every fen accounted for.
            prop_assert_eq!(r.paid + r.reserved + r.carried + r.surplus, Fen(pool));
            // Nobody beyond their remaining claim.
            for (l, s) in lenders.iter().zip(&r.shares) {
                let owed = s.paid + s.reserved + s.carried;
                prop_assert!(owed >= Fen::ZERO && owed <= (l.claim - l.before).max(Fen::ZERO));
            }
            // Without small first: any two lenders left below the level differ in cumulative
            // ratio by less than 1 fen of their claims.
            if t.is_none() && r.surplus == Fen::ZERO && pool > 0 {
                let level = r.level.unwrap();
                let ratios: Vec<(f64, f64)> = lenders.iter().zip(&r.shares)
                    .filter(|(l, _)| (l.before.get() as f64) / (l.claim.get() as f64) < level)
                    .map(|(l, s)| ((l.before + s.paid + s.reserved + s.carried).get() as f64 / l.claim.get() as f64, 1.0 / l.claim.get() as f64))
                    .collect();
                for a in &ratios { for b in &ratios {
                    prop_assert!((a.0 - b.0).abs() <= a.1.max(b.1) + 1e-12, "{:?} {:?}", a, b);
                }}
            }
            // Every other rule: every fen accounted for, nobody above the remaining claim.
            for division in [Division::Cea, Division::Cel, Division::Talmud, Division::Apro, Division::RisingTide] {
                let other = allocate(Fen(pool), &lenders, Rule { division, min_payment: min.map(Fen) }).unwrap();
                prop_assert_eq!(other.paid + other.reserved + other.carried + other.surplus, Fen(pool));
                for (l, s) in lenders.iter().zip(&other.shares) {
                    let owed = s.paid + s.reserved + s.carried;
                    prop_assert!(owed >= Fen::ZERO && owed <= (l.claim - l.before).max(Fen::ZERO), "{:?}", division);
                }
            }
            // Permuting the input changes nothing.
            let mut perm: Vec<usize> = (0..lenders.len()).collect();
            let mut x = seed;
            for i in (1..perm.len()).rev() { x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); perm.swap(i, (x >> 33) as usize % (i + 1)); }
            let shuffled: Vec<Lender> = perm.iter().map(|&i| lenders[i].clone()).collect();
            let r2 = allocate(Fen(pool), &shuffled, rule).unwrap();
            for (k, &i) in perm.iter().enumerate() { prop_assert_eq!(r2.shares[k], r.shares[i]); }
            prop_assert_eq!(r2.surplus, r.surplus);
        }
    }
}
