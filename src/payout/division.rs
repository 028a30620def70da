//! Division rules: how an estate E is divided among claims c₁…cₙ when it does not cover them
//! (the bankruptcy problem). Exact: every award is a rational with a common denominator
//! ([`Awards`]); [`super::allocate`] rounds them to the fen (floor + largest remainder, ties by
//! lender id) so Σ = E to the fen.
//!
//! - `cea` — constrained equal awards: min(cᵢ, λ), Σ = E.
//! - `cel` — constrained equal losses: max(0, cᵢ − μ), Σ = E.
//! - `talmud` — Aumann & Maschler (1985): CEA on the half-claims while E ≤ C/2; beyond,
//!   cᵢ minus CEA of the losses (C − E) on the half-claims.
//! - `apro` — adjusted proportional (Curiel, Maschler & Tijs 1987): each claim truncated at E,
//!   each claimant's minimal right max(0, E − Σⱼ≠ᵢ min(cⱼ, E)) first, then the rest pro rata to
//!   the truncated claims less the minimal rights.
//! - `pro` — plain proportional cᵢ·E/C (the equalising rule of [`super::allocate`] reduces to
//!   it in a first round).
//!
//! Pure domain code over i128 rationals; every product is checked.

use crate::error::{DataProblem, Error, Result};

/// Awards as exact fractions `num[i] / den` (den > 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awards {
    pub num: Vec<i128>,
    pub den: i128,
}

fn mul(a: i128, b: i128) -> Result<i128> {
    a.checked_mul(b)
        .ok_or_else(|| Error::from(DataProblem::BeyondExact { what: "payout" }))
}

fn sum(v: &[i128]) -> Result<i128> {
    v.iter().try_fold(0i128, |a, x| {
        a.checked_add(*x)
            .ok_or_else(|| Error::from(DataProblem::BeyondExact { what: "payout" }))
    })
}

/// Constrained equal awards: min(cᵢ, λ) with Σ = E (everyone in full when E ≥ Σ c).
pub fn cea(claims: &[i128], estate: i128) -> Result<Awards> {
    let n = claims.len();
    if n == 0 || estate <= 0 {
        return Ok(Awards {
            num: vec![0; n],
            den: 1,
        });
    }
    let total = sum(claims)?;
    if estate >= total {
        return Ok(Awards {
            num: claims.to_vec(),
            den: 1,
        });
    }
    // Smallest claims are paid in full while the equal share of the rest is above them.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| claims[i]);
    let mut left = estate;
    let mut lambda = (0i128, 1i128);
    for (k, &i) in order.iter().enumerate() {
        let rest = (n - k) as i128;
        // λ = left / rest if the smallest remaining claim is at least that.
        if mul(claims[i], rest)? >= left {
            lambda = (left, rest);
            break;
        }
        left -= claims[i];
    }
    let (ln, ld) = lambda;
    let num = claims
        .iter()
        .map(|&c| Ok(if mul(c, ld)? <= ln { mul(c, ld)? } else { ln }))
        .collect::<Result<Vec<i128>>>()?;
    Ok(Awards { num, den: ld })
}

/// Constrained equal losses: max(0, cᵢ − μ) with Σ = E (E ≤ Σ c).
pub fn cel(claims: &[i128], estate: i128) -> Result<Awards> {
    let total = sum(claims)?;
    if estate >= total {
        return Ok(Awards {
            num: claims.to_vec(),
            den: 1,
        });
    }
    // The losses L = C − E are shared as constrained equal awards of the losses.
    let losses = cea(claims, total - estate)?;
    let num = claims
        .iter()
        .zip(&losses.num)
        .map(|(&c, &l)| Ok(mul(c, losses.den)? - l))
        .collect::<Result<Vec<i128>>>()?;
    Ok(Awards {
        num,
        den: losses.den,
    })
}

/// The Talmud rule (Aumann–Maschler).
pub fn talmud(claims: &[i128], estate: i128) -> Result<Awards> {
    let total = sum(claims)?;
    if estate >= total {
        return Ok(Awards {
            num: claims.to_vec(),
            den: 1,
        });
    }
    // Work in halves: claims doubled stand for the whole claims, half-claims are the claims.
    let doubled_estate = mul(estate, 2)?;
    if doubled_estate <= total {
        // CEA on half-claims: in units of ½, the half-claims are the claims themselves.
        let a = cea(claims, doubled_estate)?;
        return Ok(Awards {
            num: a.num,
            den: mul(a.den, 2)?,
        });
    }
    // cᵢ − CEA(c/2, C − E): in units of ½, the losses 2(C − E) over half-claims cᵢ.
    let losses = cea(claims, mul(total - estate, 2)?)?;
    let den = mul(losses.den, 2)?;
    let num = claims
        .iter()
        .zip(&losses.num)
        .map(|(&c, &l)| Ok(mul(c, den)? - l))
        .collect::<Result<Vec<i128>>>()?;
    Ok(Awards { num, den })
}

/// Plain proportional: cᵢ·E/C.
pub fn proportional(claims: &[i128], estate: i128) -> Result<Awards> {
    let total = sum(claims)?;
    if total == 0 || estate >= total {
        return Ok(Awards {
            num: claims.to_vec(),
            den: 1,
        });
    }
    let num = claims
        .iter()
        .map(|&c| mul(c, estate))
        .collect::<Result<Vec<i128>>>()?;
    Ok(Awards { num, den: total })
}

/// Adjusted proportional: minimal rights first, then pro rata on the truncated claims less them.
pub fn apro(claims: &[i128], estate: i128) -> Result<Awards> {
    let total = sum(claims)?;
    if estate >= total {
        return Ok(Awards {
            num: claims.to_vec(),
            den: 1,
        });
    }
    let truncated: Vec<i128> = claims.iter().map(|&c| c.min(estate)).collect();
    let t_total = sum(&truncated)?;
    let minimal: Vec<i128> = truncated
        .iter()
        .map(|&t| (estate - (t_total - t)).max(0))
        .collect();
    let rest = estate - sum(&minimal)?;
    let residual: Vec<i128> = truncated.iter().zip(&minimal).map(|(t, m)| t - m).collect();
    let p = proportional(&residual, rest)?;
    let num = minimal
        .iter()
        .zip(&p.num)
        .map(|(&m, &x)| Ok(mul(m, p.den)? + x))
        .collect::<Result<Vec<i128>>>()?;
    Ok(Awards { num, den: p.den })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Awards as f64 (for comparing with published decimals only).
    fn f(a: &Awards) -> Vec<f64> {
        a.num.iter().map(|n| *n as f64 / a.den as f64).collect()
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3)
    }

    #[test]
    fn the_talmud_example_of_aumann_and_maschler() {
        // Claims 100, 200, 300: estates 100, 200, 300.
        let c = [100, 200, 300];
        assert!(close(&f(&talmud(&c, 100).unwrap()), &[100.0 / 3.0; 3]));
        assert!(close(&f(&talmud(&c, 200).unwrap()), &[50.0, 75.0, 75.0]));
        assert!(close(&f(&talmud(&c, 300).unwrap()), &[50.0, 100.0, 150.0]));
        // Exactly: 33⅓ is 100/3.
        let a = talmud(&c, 100).unwrap();
        assert!(a.num.iter().all(|n| n * 3 == 100 * a.den));
    }

    #[test]
    fn claims_2_4_7_8_with_an_estate_of_10() {
        let c = [2, 4, 7, 8];
        assert!(close(
            &f(&proportional(&c, 10).unwrap()),
            &[0.952, 1.905, 3.333, 3.810]
        ));
        assert!(close(
            &f(&cea(&c, 10).unwrap()),
            &[2.0, 8.0 / 3.0, 8.0 / 3.0, 8.0 / 3.0]
        ));
        assert!(close(&f(&cel(&c, 10).unwrap()), &[0.0, 1.0, 4.0, 5.0]));
        assert!(close(&f(&talmud(&c, 10).unwrap()), &[1.0, 2.0, 3.5, 3.5]));
    }

    #[test]
    fn apro_gives_minimal_rights_first() {
        // Claims 100, 200, 300, estate 300: truncated 100, 200, 300; minimal rights 0
        // (300 − 500 < 0): pro rata 50, 100, 150.
        assert!(close(
            &f(&apro(&[100, 200, 300], 300).unwrap()),
            &[50.0, 100.0, 150.0]
        ));
        // Claims 10 and 90, estate 95: truncated 10 and 90; minimal rights 5 and 85; rest 5
        // pro rata to 5 and 5: 7.5 and 87.5.
        assert!(close(&f(&apro(&[10, 90], 95).unwrap()), &[7.5, 87.5]));
    }

    proptest! {
        #[test]
        fn every_rule_divides_the_estate_exactly_within_the_claims(
            claims in proptest::collection::vec(0i128..1_000_000, 1..12),
            share in 0u32..=100,
        ) {
            let total: i128 = claims.iter().sum();
            let estate = total * i128::from(share) / 100;
            for (name, rule) in [
                ("cea", cea as fn(&[i128], i128) -> Result<Awards>),
                ("cel", cel),
                ("talmud", talmud),
                ("apro", apro),
                ("pro", proportional),
            ] {
                let a = rule(&claims, estate).unwrap();
                prop_assert_eq!(a.num.iter().sum::<i128>(), estate * a.den, "{}", name);
                for (n, c) in a.num.iter().zip(&claims) {
                    prop_assert!(*n >= 0 && *n <= c * a.den, "{} gives {} of {}", name, n, c);
                }
            }
        }

        #[test]
        fn cea_and_cel_are_composition_consistent(
            claims in proptest::collection::vec(1i128..100_000, 1..10),
            a in 0u32..=100, b in 0u32..=100,
        ) {
            // Dividing E1 then E2 on what is left equals dividing E1 + E2 at once (in exact
            // rationals: compare cross-multiplied).
            let total: i128 = claims.iter().sum();
            let e1 = total * i128::from(a) / 200;
            let e2 = total * i128::from(b) / 200;
            for rule in [cea as fn(&[i128], i128) -> Result<Awards>, cel, proportional] {
                let first = rule(&claims, e1).unwrap();
                let once = rule(&claims, e1 + e2).unwrap();
                // Remaining claims in units of 1/first.den.
                let left: Vec<i128> = claims.iter().zip(&first.num).map(|(c, x)| c * first.den - x).collect();
                let second = rule(&left, e2 * first.den).unwrap();
                for i in 0..claims.len() {
                    // first/fd + second/(sd·fd) == once/od
                    let lhs = (first.num[i] * second.den + second.num[i]) * once.den;
                    let rhs = once.num[i] * first.den * second.den;
                    prop_assert_eq!(lhs, rhs);
                }
            }
        }
    }
}
