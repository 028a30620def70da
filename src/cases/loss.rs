//! A person's loss and standing in an illegal-fundraising case (docs/cases.md, "Loss" and
//! "Who is paid").
//!
//! In: each person's role and their cash flows, every account of the person already merged
//! (online and offline alike: the flows carry the person, not the account). Out: per person,
//! the money put in, everything received, the **loss** = put in − received, at least zero
//! (本金折抵: returns count against principal not yet returned — 2014 两高一部《意见》§5; 2022
//! 《解释》art. 8 ¶3), the **crime amount** beside it (all money taken in, reinvestment
//! included — 2019《意见》; never the claim), and the standing:
//!
//! - a **defendant** is excluded;
//! - a **helper** (an employee or salesperson) who took commissions is held out of the rounds
//!   and listed with the commissions to recover (协助人: 条例 art. 3, 2019《意见》§10;
//!   recovery: 条例 art. 26(5)); one who took none is a participant like any other;
//! - a **net winner** (received more than put in) is listed with the excess to recover and
//!   not paid;
//! - a person with **no loss** is not a claimant (钱宝's notice: "people with no loss are not
//!   registered");
//! - everyone else is a **claimant** for their loss.
//!
//! Guarantees: integer fen throughout (sums in i128, checked back into i64); loss + received
//! − put in = net excess exactly, for every person.

pub use crate::domain::case::{Flow, Role};
use crate::domain::code::{ByCode, Code, PersonCode};

/// One cash flow of one person, in fen (positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CashFlow {
    pub person: PersonCode,
    pub flow: Flow,
    pub amount: i64,
}

/// One person's figures, in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub put_in: i64,
    pub withdrawn: i64,
    pub returns: i64,
    pub commissions: i64,
}

impl Figures {
    /// Everything received: withdrawals, returns and commissions.
    pub fn received(&self) -> i64 {
        self.withdrawn + self.returns + self.commissions
    }

    /// Put in − received, at least zero.
    pub fn loss(&self) -> i64 {
        (self.put_in - self.received()).max(0)
    }

    /// Received − put in, at least zero: what a net winner must give back.
    pub fn excess(&self) -> i64 {
        (self.received() - self.put_in).max(0)
    }

    /// The crime amount: all the money the person put in, reinvestment included.
    pub fn crime_amount(&self) -> i64 {
        self.put_in
    }
}

/// Who is paid, and who gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Paid pro rata to the loss.
    Claimant {
        loss: i64,
    },
    Defendant,
    /// Held out of the rounds; the commissions are to be recovered.
    Helper {
        to_recover: i64,
    },
    /// Not paid; the excess is to be recovered.
    NetWinner {
        to_recover: i64,
    },
    /// Put in no more than was received back: nothing to claim, nothing to return.
    NoLoss,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Claimant { .. } => "claimant",
            Standing::Defendant => "defendant",
            Standing::Helper { .. } => "helper",
            Standing::NetWinner { .. } => "net_winner",
            Standing::NoLoss => "no_loss",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Standing::Claimant { .. } => "集资参与人（按损失清退）",
            Standing::Defendant => "被告人（不列入）",
            Standing::Helper { .. } => "协助人（暂不列入，追缴提成）",
            Standing::NetWinner { .. } => "获利者（不列入，追缴超出部分）",
            Standing::NoLoss => "无损失（不列入）",
        }
    }
}

/// Each person's figures from the flows (persons `0..people`). `Err` names a flow whose
/// amount is not positive, or a person's totals beyond what fen can hold.
pub fn figures(people: usize, flows: &[CashFlow]) -> Result<ByCode<PersonCode, Figures>, String> {
    let mut sums: ByCode<PersonCode, [i128; 4]> = ByCode::filled(people, [0i128; 4]);
    for (k, f) in flows.iter().enumerate() {
        if f.amount <= 0 {
            return Err(format!(
                "cash flow {k}: amount {} is not positive",
                f.amount
            ));
        }
        let person = sums
            .get_mut(f.person.index())
            .ok_or_else(|| format!("cash flow {k}: no person {}", f.person.get()))?;
        let slot = match f.flow {
            Flow::Deposit => 0,
            Flow::Withdrawal => 1,
            Flow::Return => 2,
            Flow::Commission => 3,
        };
        person[slot] += i128::from(f.amount);
    }
    sums.iter()
        .enumerate()
        .map(|(p, s)| {
            let fen = |v: i128| {
                // Received is a sum of three: keep each a third of i64 so it cannot overflow.
                i64::try_from(v)
                    .ok()
                    .filter(|v| *v < i64::MAX / 4)
                    .ok_or_else(|| format!("person {p}: totals beyond what fen can hold"))
            };
            Ok(Figures {
                put_in: fen(s[0])?,
                withdrawn: fen(s[1])?,
                returns: fen(s[2])?,
                commissions: fen(s[3])?,
            })
        })
        .collect()
}

/// A person's standing from their role and figures (the order of docs/cases.md).
pub fn standing(role: Role, f: &Figures) -> Standing {
    match role {
        Role::Defendant => Standing::Defendant,
        Role::Helper if f.commissions > 0 => Standing::Helper {
            to_recover: f.commissions,
        },
        _ if f.excess() > 0 => Standing::NetWinner {
            to_recover: f.excess(),
        },
        _ if f.loss() == 0 => Standing::NoLoss,
        _ => Standing::Claimant { loss: f.loss() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn flow(person: u32, flow: Flow, yuan: i64) -> CashFlow {
        CashFlow {
            person: PersonCode::new(person),
            flow,
            amount: yuan * 100,
        }
    }

    #[test]
    fn merged_accounts_returns_against_principal_and_reinvestment() {
        // Person 0, two accounts merged: 100,000 yuan in online, 50,000 offline; 30,000
        // withdrawn and 12,000 of interest received; then 20,000 of what she withdrew put
        // back in (reinvested: a deposit). By hand: in 170,000 (the crime amount too), out
        // 30,000 + 12,000 = 42,000, loss 128,000.
        let flows = [
            flow(0, Flow::Deposit, 100_000),
            flow(0, Flow::Deposit, 50_000),
            flow(0, Flow::Withdrawal, 30_000),
            flow(0, Flow::Return, 12_000),
            flow(0, Flow::Deposit, 20_000),
        ];
        let f = figures(1, &flows).unwrap();
        assert_eq!(f[PersonCode::new(0)].crime_amount(), 17_000_000);
        assert_eq!(f[PersonCode::new(0)].loss(), 12_800_000);
        assert_eq!(
            standing(Role::Participant, &f[PersonCode::new(0)]),
            Standing::Claimant { loss: 12_800_000 }
        );
    }

    #[test]
    fn each_standing_at_its_boundary() {
        let f = |put_in: i64, withdrawn: i64, returns: i64, commissions: i64| Figures {
            put_in,
            withdrawn,
            returns,
            commissions,
        };
        // An early entrant out ahead: 10,000 in, 9,000 back and 1,500 of interest → 500 over.
        assert_eq!(
            standing(Role::Participant, &f(1_000_000, 900_000, 150_000, 0)),
            Standing::NetWinner { to_recover: 50_000 }
        );
        // Exactly even: no loss, nothing to recover.
        assert_eq!(
            standing(Role::Participant, &f(1_000_000, 900_000, 100_000, 0)),
            Standing::NoLoss
        );
        // One fen short of even: a claimant for one fen.
        assert_eq!(
            standing(Role::Participant, &f(1_000_000, 900_000, 99_999, 0)),
            Standing::Claimant { loss: 1 }
        );
        // A salesperson with commissions: held out, the commissions to recover, whatever
        // the loss.
        assert_eq!(
            standing(Role::Helper, &f(5_000_000, 0, 0, 300_000)),
            Standing::Helper {
                to_recover: 300_000
            }
        );
        // A helper who took nothing is a participant.
        assert_eq!(
            standing(Role::Helper, &f(5_000_000, 0, 0, 0)),
            Standing::Claimant { loss: 5_000_000 }
        );
        // A defendant, even with a loss, is excluded; a related person is a participant.
        assert_eq!(
            standing(Role::Defendant, &f(5_000_000, 0, 0, 0)),
            Standing::Defendant
        );
        assert_eq!(
            standing(Role::Related, &f(5_000_000, 0, 0, 0)),
            Standing::Claimant { loss: 5_000_000 }
        );
    }

    #[test]
    fn bad_flows_are_errors() {
        assert!(figures(1, &[flow(0, Flow::Deposit, 0)]).is_err());
        assert!(figures(1, &[flow(1, Flow::Deposit, 5)]).is_err());
        let huge = CashFlow {
            person: PersonCode::new(0),
            flow: Flow::Deposit,
            amount: i64::MAX,
        };
        assert!(figures(1, &[huge, huge]).is_err());
    }

    proptest! {
        /// loss − excess = put in − received, exactly; never both; the crime amount is
        /// never below the loss.
        #[test]
        fn loss_and_excess_are_the_two_sides_of_one_balance(
            amounts in proptest::collection::vec((0u8..4, 1i64..10_000_000_000), 0..40)
        ) {
            let flows: Vec<CashFlow> = amounts
                .iter()
                .map(|(k, a)| CashFlow {
                    person: PersonCode::new(0),
                    flow: [Flow::Deposit, Flow::Withdrawal, Flow::Return, Flow::Commission]
                        [*k as usize],
                    amount: *a,
                })
                .collect();
            let f = figures(1, &flows).unwrap()[PersonCode::new(0)];
            prop_assert_eq!(f.loss() - f.excess(), f.put_in - f.received());
            prop_assert!(f.loss() == 0 || f.excess() == 0);
            prop_assert!(f.crime_amount() >= f.loss());
        }
    }
}
