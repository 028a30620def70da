//! The order in which a case's claimants are paid from what was recovered (docs/cases.md,
//! "The order of claimants"): 最高法《关于刑事裁判涉财产部分执行的若干规定》(法释〔2014〕13号)
//! art. 13 — medical costs of personal injury; a creditor with a statutory priority on a named
//! asset, from that asset; the participants' losses; other civil debts; fines; confiscation —
//! with clearance before administrative fines (条例 art. 32).
//!
//! In: the money available — the proceeds of the crime and what they became (`tainted`), the
//! defendant's lawful, untainted property (`lawful`), and each realised asset that carries a
//! secured claim — and what each class is owed. Out: per class, owed, paid and shortfall, and
//! the surplus. Whether participants also come first on the lawful property, or share it
//! equally with other civil creditors, is a setting ([`LawfulProperty`]): courts differ.
//!
//! Guarantees: integer fen; Σ paid + surplus = Σ available exactly; no class is paid beyond
//! what it is owed; a class is paid only when every class before it is paid in full from the
//! money it may reach.

pub use crate::domain::case::LawfulProperty;

/// A claimant class, in the order of art. 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    Medical,
    Secured,
    Participants,
    CivilDebts,
    Fines,
    Confiscation,
}

impl Rank {
    pub const ALL: [Rank; 6] = [
        Rank::Medical,
        Rank::Secured,
        Rank::Participants,
        Rank::CivilDebts,
        Rank::Fines,
        Rank::Confiscation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rank::Medical => "medical",
            Rank::Secured => "secured",
            Rank::Participants => "participants",
            Rank::CivilDebts => "civil_debts",
            Rank::Fines => "fines",
            Rank::Confiscation => "confiscation",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Rank::Medical => "人身损害赔偿中的医疗费用",
            Rank::Secured => "对执行标的享有优先受偿权的债权",
            Rank::Participants => "退赔集资参与人的损失",
            Rank::CivilDebts => "其他民事债务",
            Rank::Fines => "罚金",
            Rank::Confiscation => "没收财产",
        }
    }
}

/// A secured claim on one realised asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secured {
    /// What the asset was realised for, fen.
    pub proceeds: i64,
    /// What the secured creditor is owed, fen.
    pub owed: i64,
}

/// What the case has to pay from, and what each class is owed (fen, ≥ 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Case {
    pub tainted: i64,
    pub lawful: i64,
    pub secured: Vec<Secured>,
    pub medical: i64,
    pub participants: i64,
    pub civil_debts: i64,
    pub fines: i64,
    pub confiscation: i64,
}

/// One class's outcome. The secured line is what the assets paid their creditors; what an
/// asset did not cover is owed on as an ordinary civil debt, in the civil debts' line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub rank: Rank,
    pub owed: i64,
    pub paid: i64,
}

impl Line {
    pub fn shortfall(&self) -> i64 {
        self.owed - self.paid
    }
}

/// The waterfall's outcome: a line per class in [`Rank::ALL`]'s order, and what is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub lines: Vec<Line>,
    pub surplus: i64,
}

/// Take up to `want` from `pot`: what was taken.
fn take(pot: &mut i64, want: i64) -> i64 {
    let t = want.min(*pot).max(0);
    *pot -= t;
    t
}

/// Pay the classes in order. `Err` for a negative amount.
pub fn waterfall(case: &Case, lawful_rule: LawfulProperty) -> Result<Outcome, String> {
    let amounts = [
        case.tainted,
        case.lawful,
        case.medical,
        case.participants,
        case.civil_debts,
        case.fines,
        case.confiscation,
    ];
    if amounts.iter().any(|a| *a < 0) || case.secured.iter().any(|s| s.proceeds < 0 || s.owed < 0) {
        return Err("a negative amount in the case".into());
    }
    let (mut tainted, mut lawful) = (case.tainted, case.lawful);
    let mut assets: Vec<i64> = case.secured.iter().map(|s| s.proceeds).collect();
    // 1. Medical costs, from any money: the proceeds first, then lawful property, then the
    //    secured assets (the medical costs rank before the security).
    let mut medical = take(&mut tainted, case.medical);
    medical += take(&mut lawful, case.medical - medical);
    for a in assets.iter_mut() {
        medical += take(a, case.medical - medical);
    }
    // 2. Each secured claim from its own asset; what an asset leaves joins the proceeds.
    let mut secured_paid = 0;
    for (a, s) in assets.iter_mut().zip(&case.secured) {
        secured_paid += take(a, s.owed);
        tainted += std::mem::take(a);
    }
    let secured_owed: i64 = case.secured.iter().map(|s| s.owed).sum();
    // What an asset did not cover is an ordinary civil debt for the rest.
    let civil_owed = case.civil_debts + (secured_owed - secured_paid);
    // 3–4. Participants from the proceeds; then the lawful property — participants first, or
    //      shared with the other civil creditors pro rata to what each is still owed.
    let mut participants = take(&mut tainted, case.participants);
    let mut civil = 0;
    match lawful_rule {
        LawfulProperty::ParticipantsFirst => {
            participants += take(&mut lawful, case.participants - participants);
        }
        LawfulProperty::PariPassu => {
            let (p_left, c_left) = (case.participants - participants, civil_owed);
            let both = i128::from(p_left) + i128::from(c_left);
            if both > 0 {
                let share = lawful.min(both as i64);
                // The participants' part rounded down; the fen left goes to the other side.
                let p = (i128::from(share) * i128::from(p_left) / both) as i64;
                participants += take(&mut lawful, p);
                civil += take(&mut lawful, (share - p).min(c_left));
            }
        }
    }
    // Other civil debts from what is left of both.
    civil += take(&mut tainted, civil_owed - civil);
    civil += take(&mut lawful, civil_owed - civil);
    // 5–6. Fines, then confiscation, from whatever is left.
    let mut rest = tainted + lawful;
    let fines = take(&mut rest, case.fines);
    let confiscation = take(&mut rest, case.confiscation);
    let line = |rank, owed, paid| Line { rank, owed, paid };
    Ok(Outcome {
        lines: vec![
            line(Rank::Medical, case.medical, medical),
            line(Rank::Secured, secured_owed, secured_paid),
            line(Rank::Participants, case.participants, participants),
            line(Rank::CivilDebts, civil_owed, civil),
            line(Rank::Fines, case.fines, fines),
            line(Rank::Confiscation, case.confiscation, confiscation),
        ],
        surplus: rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn paid(o: &Outcome) -> Vec<i64> {
        o.lines.iter().map(|l| l.paid).collect()
    }

    #[test]
    fn a_pool_short_of_the_medical_costs_pays_nothing_else() {
        // 30,000 recovered against 50,000 of medical costs: all of it to them.
        let case = Case {
            tainted: 3_000_000,
            medical: 5_000_000,
            participants: 100_000_000,
            fines: 1_000_000,
            ..Case::default()
        };
        let o = waterfall(&case, LawfulProperty::ParticipantsFirst).unwrap();
        assert_eq!(paid(&o), [3_000_000, 0, 0, 0, 0, 0]);
        assert_eq!(o.lines[0].shortfall(), 2_000_000);
        assert_eq!(o.surplus, 0);
    }

    #[test]
    fn what_an_asset_does_not_cover_is_an_ordinary_civil_debt() {
        // A car realised for 20,000 secures a 50,000 loan; cash 100,000; no participants.
        // Secured 20,000 from the car; the 30,000 left is a civil debt, paid from the cash.
        let case = Case {
            tainted: 10_000_000,
            secured: vec![Secured {
                proceeds: 2_000_000,
                owed: 5_000_000,
            }],
            ..Case::default()
        };
        let o = waterfall(&case, LawfulProperty::ParticipantsFirst).unwrap();
        assert_eq!(paid(&o), [0, 2_000_000, 0, 3_000_000, 0, 0]);
        assert_eq!(o.lines[3].owed, 3_000_000);
        assert_eq!(o.surplus, 7_000_000);
    }

    #[test]
    fn the_secured_creditor_is_paid_from_its_asset_and_the_rest_joins_the_pool() {
        // A flat realised for 800,000 with a 500,000 mortgage; 200,000 of cash proceeds;
        // losses of 1,000,000; 10,000 of medical costs (from the cash first).
        // Medical 10,000; secured 500,000; participants 190,000 + 300,000 = 490,000.
        let case = Case {
            tainted: 20_000_000,
            secured: vec![Secured {
                proceeds: 80_000_000,
                owed: 50_000_000,
            }],
            medical: 1_000_000,
            participants: 100_000_000,
            ..Case::default()
        };
        let o = waterfall(&case, LawfulProperty::ParticipantsFirst).unwrap();
        assert_eq!(paid(&o), [1_000_000, 50_000_000, 49_000_000, 0, 0, 0]);
    }

    #[test]
    fn lawful_property_participants_first_or_pari_passu() {
        // Proceeds 100,000; lawful property 60,000; losses 150,000; other civil debts 50,000.
        let case = Case {
            tainted: 10_000_000,
            lawful: 6_000_000,
            participants: 15_000_000,
            civil_debts: 5_000_000,
            fines: 1_000_000,
            ..Case::default()
        };
        // Participants first: 100,000 + 50,000 = their 150,000; civil debts the 10,000 left.
        let first = waterfall(&case, LawfulProperty::ParticipantsFirst).unwrap();
        assert_eq!(paid(&first), [0, 0, 15_000_000, 1_000_000, 0, 0]);
        // Pari passu: participants still owed 50,000, civil 50,000: 30,000 each.
        let equal = waterfall(&case, LawfulProperty::PariPassu).unwrap();
        assert_eq!(paid(&equal), [0, 0, 13_000_000, 3_000_000, 0, 0]);
        // Fines only from what is left after every civil claim: nothing here either way.
        assert_eq!(first.surplus + equal.surplus, 0);
    }

    #[test]
    fn everyone_paid_in_full_leaves_a_surplus() {
        let case = Case {
            tainted: 10_000_000,
            participants: 4_000_000,
            civil_debts: 1_000_000,
            fines: 2_000_000,
            confiscation: 1_000_000,
            ..Case::default()
        };
        let o = waterfall(&case, LawfulProperty::PariPassu).unwrap();
        assert_eq!(paid(&o), [0, 0, 4_000_000, 1_000_000, 2_000_000, 1_000_000]);
        assert_eq!(o.surplus, 2_000_000);
        assert!(waterfall(
            &Case {
                tainted: -1,
                ..Case::default()
            },
            LawfulProperty::PariPassu
        )
        .is_err());
    }

    proptest! {
        /// Σ paid + surplus = Σ available; no class beyond its due; a class paid only when
        /// those before it that could reach the same money are paid in full.
        #[test]
        fn money_is_neither_lost_nor_invented(
            tainted in 0i64..1_000_000_000,
            lawful in 0i64..1_000_000_000,
            assets in proptest::collection::vec((0i64..500_000_000, 0i64..500_000_000), 0..4),
            owed in proptest::collection::vec(0i64..1_000_000_000, 5),
            equal in any::<bool>(),
        ) {
            let case = Case {
                tainted,
                lawful,
                secured: assets.iter().map(|(p, o)| Secured { proceeds: *p, owed: *o }).collect(),
                medical: owed[0],
                participants: owed[1],
                civil_debts: owed[2],
                fines: owed[3],
                confiscation: owed[4],
            };
            let rule = if equal { LawfulProperty::PariPassu } else { LawfulProperty::ParticipantsFirst };
            let o = waterfall(&case, rule).unwrap();
            let available = tainted + lawful + assets.iter().map(|a| a.0).sum::<i64>();
            let paid: i64 = o.lines.iter().map(|l| l.paid).sum();
            prop_assert_eq!(paid + o.surplus, available);
            for l in &o.lines {
                prop_assert!(l.paid >= 0 && l.paid <= l.owed);
            }
            // Medical costs reach every fen: nothing else is paid while they are short.
            if o.lines[0].shortfall() > 0 {
                prop_assert_eq!(paid, o.lines[0].paid);
            }
            // Fines and confiscation only after every civil claim is paid in full.
            if o.lines[4].paid + o.lines[5].paid > 0 {
                prop_assert_eq!(o.lines[2].shortfall() + o.lines[3].shortfall(), 0);
            }
            // A surplus only when everyone is paid (a secured creditor's uncovered part in the
            // civil debts).
            if o.surplus > 0 {
                prop_assert!(o
                    .lines
                    .iter()
                    .filter(|l| l.rank != Rank::Secured)
                    .all(|l| l.shortfall() == 0));
            }
        }
    }
}
