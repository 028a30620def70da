//! What is wrong with the bank's returns table against the payouts (exit 2): each cause with
//! the row of the table (file and line), the platform, round, lender and amounts it concerns.

use crate::domain::money::format_fen;
use crate::domain::text::terminal_safe;

/// Where a row of the returns table is: its file and line.
#[derive(Debug, Clone)]
pub struct ReturnRow {
    pub file: String,
    pub line: u64,
}

impl std::fmt::Display for ReturnRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}", terminal_safe(&self.file), self.line)
    }
}

/// The returns table against the payouts and the ledger.
#[derive(Debug)]
pub enum ReturnsProblem {
    /// A transfer came back from a round the recoveries do not have.
    NoSuchRound {
        row: ReturnRow,
        platform: String,
        round: i64,
        lender: String,
    },
    /// A transfer came back to a lender paid nothing in that round.
    NotPaid {
        row: ReturnRow,
        platform: String,
        round: i64,
        lender: String,
    },
    /// The table lists less returned than the ledger booked already.
    FewerThanBooked {
        row: ReturnRow,
        platform: String,
        round: i64,
        lender: String,
        listed: i64,
        booked: i64,
    },
    /// More came back than was paid.
    MoreThanPaid {
        row: ReturnRow,
        platform: String,
        round: i64,
        lender: String,
        paid: i64,
        new: i64,
    },
    /// A return the ledger booked is missing from the table.
    BookedReturnMissing {
        platform: String,
        round: i64,
        lender: String,
        booked: i64,
    },
    /// Transfers of a round listed as sent and returned, and this run would pay that round.
    RoundPaidAgain { platform: String, round: i64 },
}

impl std::fmt::Display for ReturnsProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use ReturnsProblem::*;
        let t = |s: &str| terminal_safe(s).into_owned();
        match self {
            NoSuchRound {
                row,
                platform,
                round,
                lender,
            } => write!(
                f,
                "{row}: a transfer to lender {} in round {round} of platform {} came back, but \
                 the recoveries have no such round: nothing was paid in it",
                t(lender),
                t(platform)
            ),
            NotPaid {
                row,
                platform,
                round,
                lender,
            } => write!(
                f,
                "{row}: a transfer to lender {} in round {round} of platform {} came back, but \
                 that lender was paid nothing in that round; correct the returns table",
                t(lender),
                t(platform)
            ),
            FewerThanBooked {
                row,
                platform,
                round,
                lender,
                listed,
                booked,
            } => write!(
                f,
                "{row}: the returns table lists {} yuan of lender {}'s transfers in round \
                 {round} of platform {} as returned, but the ledger has booked {} yuan returned \
                 already; keep every return in the table (it is the bank's whole list)",
                format_fen(*listed),
                t(lender),
                t(platform),
                format_fen(*booked)
            ),
            MoreThanPaid {
                row,
                platform,
                round,
                lender,
                paid,
                new,
            } => {
                let sent = if *paid == 0 {
                    "was paid nothing".to_string()
                } else {
                    format!("was paid {} yuan", format_fen(*paid))
                };
                write!(
                    f,
                    "{row}: lender {} {sent} in round {round} of platform {} (after the returns \
                     booked before), but the returns not yet booked add up to {} yuan; correct \
                     the returns table",
                    t(lender),
                    t(platform),
                    format_fen(*new)
                )
            }
            BookedReturnMissing {
                platform,
                round,
                lender,
                booked,
            } => write!(
                f,
                "the ledger has booked {} yuan of lender {}'s transfers in round {round} of \
                 platform {} as returned, but the returns table lists none of them; keep every \
                 return in the table (it is the bank's whole list)",
                format_fen(*booked),
                t(lender),
                t(platform)
            ),
            RoundPaidAgain { platform, round } => write!(
                f,
                "the returns table lists transfers of round {round} of platform {} as sent and \
                 returned, but this run computes that round and would pay it again; pass \
                 --ledger with the output folder of the run that paid it",
                t(platform)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn the_row_and_the_figures_stay_apart_from_the_message() {
        let e = Error::from(ReturnsProblem::MoreThanPaid {
            row: ReturnRow {
                file: "returns.csv".into(),
                line: 2,
            },
            platform: "F".into(),
            round: 1,
            lender: "B".into(),
            paid: 60_000,
            new: 60_001,
        });
        assert!(matches!(
            &e,
            Error::Returns(p) if matches!(&**p, ReturnsProblem::MoreThanPaid { row, new: 60_001, .. } if row.line == 2)
        ));
        assert!(e.to_string().starts_with(
            "returns.csv line 2: lender B was paid 600.00 yuan in round 1 of platform F"
        ));
        let nothing = ReturnsProblem::MoreThanPaid {
            row: ReturnRow {
                file: "r.csv".into(),
                line: 9,
            },
            platform: "F".into(),
            round: 2,
            lender: "R".into(),
            paid: 0,
            new: 1,
        };
        assert!(nothing
            .to_string()
            .contains("lender R was paid nothing in round 2"));
        assert_eq!(
            Error::Strict { rejected: 1 }.to_string(),
            "--strict: 1 row rejected (see the counts above)"
        );
        assert_eq!(
            Error::Strict { rejected: 3 }.to_string(),
            "--strict: 3 rows rejected (see the counts above)"
        );
    }
}
