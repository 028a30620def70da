//! The rounds that clear a case's money back to its claimants (docs/cases.md, "Rounds"): one
//! uniform ratio per round for every claimant, registered or not (the court's 统一清退比例),
//! each share exact to the fen by the largest remainders, the shares adding up to what the
//! round distributes. A claimant not yet registered — or dead, until the heir's proof is
//! accepted — has the share held in escrow (提存); when they register, what was held is paid
//! first (the earlier rounds, at those rounds' ratios), then the current round's share. No one
//! is paid beyond their loss: the arithmetic is `payout::allocate`'s pro rata on what each
//! already has (paid or held), so a round brings every claimant to the same ratio.
//!
//! The catch-up is winddown's policy, not a quoted rule (no text prescribes it: docs/cases.md).

use crate::domain::money::Fen;
use crate::error::Result;
use crate::payout::allocate::{allocate, Division, Lender, Rule};

/// A claimant in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimant {
    /// The claimant's place in the byte order of person ids (ties of the rounding go to the
    /// smaller).
    pub key: u32,
    /// Fen, > 0.
    pub loss: i64,
    /// Registered (or the heir's proof accepted) by this round: paid; else held in escrow.
    pub registered: bool,
    /// Paid in earlier rounds, fen.
    pub paid_before: i64,
    /// Held in escrow from earlier rounds and not yet paid, fen.
    pub held_before: i64,
}

/// A claimant's outcome in a round, fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Share {
    /// This round's share, paid.
    pub paid: i64,
    /// Earlier rounds' shares held in escrow, paid now that the claimant registered.
    pub released: i64,
    /// This round's share, held in escrow.
    pub held: i64,
}

/// A round's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub shares: Vec<Share>,
    /// What the round distributes beyond every loss (nothing is paid beyond a loss).
    pub surplus: i64,
    /// The ratio of every claimant's loss now paid or held, after the round.
    pub ratio: Option<f64>,
}

/// One round distributing `amount` fen.
pub fn round(amount: i64, claimants: &[Claimant]) -> Result<Round> {
    let lenders: Vec<Lender> = claimants
        .iter()
        .map(|c| Lender {
            key: c.key,
            claim: Fen(c.loss),
            reserved: !c.registered,
            before: Fen(c.paid_before + c.held_before),
            invested: Fen::ZERO,
            withdrawn: Fen::ZERO,
        })
        .collect();
    let rule = Rule {
        division: Division::Pro,
        min_payment: None,
    };
    let r = allocate(Fen(amount), &lenders, rule)?;
    let shares = claimants
        .iter()
        .zip(&r.shares)
        .map(|(c, s)| Share {
            paid: s.paid.get(),
            released: if c.registered { c.held_before } else { 0 },
            held: s.reserved.get(),
        })
        .collect();
    Ok(Round {
        shares,
        surplus: r.surplus.get(),
        ratio: r.level,
    })
}

/// How a payment reaches the claimant: a deposit certificate at or above the threshold (钱宝:
/// 50 元, an electronic 定活两便存单), a bank transfer below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    DepositCertificate,
    Transfer,
}

/// The channel of a payment of `amount` under a threshold of `threshold`.
pub fn channel(amount: Fen, threshold: Fen) -> Channel {
    if amount >= threshold {
        Channel::DepositCertificate
    } else {
        Channel::Transfer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn claimant(key: u32, loss_yuan: i64, registered: bool) -> Claimant {
        Claimant {
            key,
            loss: loss_yuan * 100,
            registered,
            paid_before: 0,
            held_before: 0,
        }
    }

    #[test]
    fn a_late_registrant_catches_up_the_earlier_rounds_to_the_fen() {
        // A lost 10,000 yuan, B 30,000; B has not registered. Round 1 distributes 8,000:
        // 20% — A paid 2,000, B's 6,000 held.
        let mut people = [claimant(0, 10_000, true), claimant(1, 30_000, false)];
        let r1 = round(800_000, &people).unwrap();
        assert_eq!(
            r1.shares,
            [
                Share {
                    paid: 200_000,
                    released: 0,
                    held: 0
                },
                Share {
                    paid: 0,
                    released: 0,
                    held: 600_000
                }
            ]
        );
        assert_eq!(r1.ratio, Some(0.2));
        people[0].paid_before += 200_000;
        people[1].held_before += 600_000;
        // B registers; round 2 distributes 4,000 more: 30% in all. A +1,000; B is paid the
        // 6,000 held (round 1 at its 20%) and 3,000 of this round: 9,000 = 30% of 30,000.
        people[1].registered = true;
        let r2 = round(400_000, &people).unwrap();
        assert_eq!(
            r2.shares,
            [
                Share {
                    paid: 100_000,
                    released: 0,
                    held: 0
                },
                Share {
                    paid: 300_000,
                    released: 600_000,
                    held: 0
                }
            ]
        );
        assert_eq!(r2.ratio, Some(0.3));
    }

    #[test]
    fn shares_are_exact_and_never_beyond_the_loss() {
        // Three losses of 1 yuan and 10,000 fen to give: each is paid in full, the rest is
        // surplus.
        let people = [
            claimant(0, 1, true),
            claimant(1, 1, true),
            claimant(2, 1, false),
        ];
        let r = round(10_000, &people).unwrap();
        assert_eq!(r.surplus, 9_700);
        assert!(r.shares.iter().all(|s| s.paid + s.held == 100));
        // 100 fen over three equal losses: 34, 33, 33 — the odd fen to the smallest key.
        let r = round(100, &people).unwrap();
        let given: Vec<i64> = r.shares.iter().map(|s| s.paid + s.held).collect();
        assert_eq!(given, [34, 33, 33]);
    }

    #[test]
    fn a_deposit_certificate_from_the_threshold_up() {
        assert_eq!(channel(Fen(4_999), Fen(5_000)), Channel::Transfer);
        assert_eq!(channel(Fen(5_000), Fen(5_000)), Channel::DepositCertificate);
        assert_eq!(channel(Fen(5_001), Fen(5_000)), Channel::DepositCertificate);
    }

    proptest! {
        /// Round after round, registering as they go: Σ this round's paid + held + surplus is
        /// what the round distributes; no one's paid + held exceeds the loss; escrow is paid
        /// out exactly once, when the claimant registers.
        #[test]
        fn rounds_conserve_money_and_respect_every_loss(
            losses in proptest::collection::vec(1i64..5_000_000, 1..20),
            amounts in proptest::collection::vec(0i64..20_000_000, 1..5),
            registers_at in proptest::collection::vec(0usize..6, 20),
        ) {
            let mut people: Vec<Claimant> = losses
                .iter()
                .enumerate()
                .map(|(k, l)| Claimant {
                    key: k as u32,
                    loss: *l,
                    registered: false,
                    paid_before: 0,
                    held_before: 0,
                })
                .collect();
            for (r, amount) in amounts.iter().enumerate() {
                for (k, p) in people.iter_mut().enumerate() {
                    p.registered = registers_at[k] <= r;
                }
                let out = round(*amount, &people).unwrap();
                let given: i64 = out.shares.iter().map(|s| s.paid + s.held).sum();
                prop_assert_eq!(given + out.surplus, *amount);
                for (p, s) in people.iter_mut().zip(&out.shares) {
                    prop_assert_eq!(s.released, if p.registered { p.held_before } else { 0 });
                    prop_assert!(!p.registered || s.held == 0);
                    p.paid_before += s.paid + s.released;
                    p.held_before += s.held - s.released;
                    prop_assert!(p.paid_before + p.held_before <= p.loss);
                    prop_assert!(p.held_before >= 0);
                }
            }
        }
    }
}
