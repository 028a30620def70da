//! What is wrong with a ledger that paying on would hurt someone (exit 2): each cause with the
//! platform, round, lender and amounts it concerns, so that a caller can tell them apart
//! without reading the message, and the message says what to do.

use std::path::PathBuf;

use crate::domain::money::format_fen;
use crate::domain::text::terminal_safe;

/// A ledger (payouts.parquet of an earlier run, the register of issued transfers, a case
/// ledger) against this run's data.
#[derive(Debug)]
pub enum LedgerProblem {
    /// A round the ledger paid is no longer in the recoveries.
    PaidRoundDropped {
        ledger: PathBuf,
        platform: String,
        round: i64,
        pool: i64,
    },
    /// A round the ledger paid has another pool in the recoveries now.
    PaidRoundChanged {
        ledger: PathBuf,
        platform: String,
        round: i64,
        pool: i64,
        now: i64,
    },
    /// An unpaid round numbered below one that was paid.
    LateRoundBelowPaid {
        ledger: PathBuf,
        platform: String,
        late: i64,
        paid_up_to: i64,
    },
    /// The ledger pays on a platform with no lender holding a claim in these data.
    PlatformWithoutClaims { platform: String },
    /// A lender the ledger paid has no claim in these data.
    PaidWithoutClaim { platform: String, lender: String },
    /// A lender the ledger paid has been given more than the claim.
    AboveClaim {
        platform: String,
        lender: String,
        received: i64,
        claim: i64,
    },
    /// Several rounds of a platform to pay and no ledger to say which were paid.
    RoundsWithoutLedger {
        flag: &'static str,
        platform: String,
        rounds: String,
    },
    /// The register of issued transfers has this lender's transfer of the round already.
    IssuedAlready {
        register: PathBuf,
        platform: String,
        round: i64,
        lender: String,
        issued: i64,
        file: String,
        at: String,
        more: i64,
    },
    /// A case ledger pays a person who is not among the participants now.
    CasePersonGone {
        case: String,
        person: String,
        round: i64,
    },
    /// A case round dated on or before the ledger's last round of that case.
    CaseRoundNotAfter {
        case: String,
        round_on: String,
        last_round: i64,
        last_on: String,
    },
}

impl std::fmt::Display for LedgerProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use LedgerProblem::*;
        let t = |s: &str| terminal_safe(s).into_owned();
        match self {
            PaidRoundDropped {
                ledger,
                platform,
                round,
                pool,
            } => write!(
                f,
                "ledger {}: round {round} of platform {} was paid from a pool of {} yuan, but \
                 the recoveries no longer list that round; keep every paid round in recoveries \
                 as it was",
                ledger.display(),
                t(platform),
                format_fen(*pool)
            ),
            PaidRoundChanged {
                ledger,
                platform,
                round,
                pool,
                now,
            } => write!(
                f,
                "ledger {}: round {round} of platform {} was paid from a pool of {} yuan, but \
                 the recoveries now give {} yuan for it; a round already paid cannot change: \
                 restore its recoveries and book the difference as a new round",
                ledger.display(),
                t(platform),
                format_fen(*pool),
                format_fen(*now)
            ),
            LateRoundBelowPaid {
                ledger,
                platform,
                late,
                paid_up_to,
            } => write!(
                f,
                "ledger {}: platform {} has round {late} in the recoveries, not paid, below \
                 round {paid_up_to} that was paid already; book cash that arrives late as a new \
                 round, numbered {} or higher",
                ledger.display(),
                t(platform),
                paid_up_to + 1
            ),
            PlatformWithoutClaims { platform } => write!(
                f,
                "ledger: platform {} has no lender with a claim in these data",
                t(platform)
            ),
            PaidWithoutClaim { platform, lender } => write!(
                f,
                "ledger: lender {} on platform {} was paid but has no claim in these data \
                 (excluded, or no position any more); correct the data or the ledger",
                t(lender),
                t(platform)
            ),
            AboveClaim {
                platform,
                lender,
                received,
                claim,
            } => write!(
                f,
                "ledger: lender {} on platform {} has received {} yuan, above the claim of {} \
                 yuan",
                t(lender),
                t(platform),
                format_fen(*received),
                format_fen(*claim)
            ),
            RoundsWithoutLedger {
                flag,
                platform,
                rounds,
            } => write!(
                f,
                "{flag}: platform {} has rounds {rounds} in the recoveries and no --ledger says \
                 which of them were paid already; pass --ledger PREV_OUT/payouts.parquet (the \
                 rounds paid before), or --pay-all-rounds if none of them has been paid",
                t(platform)
            ),
            IssuedAlready {
                register,
                platform,
                round,
                lender,
                issued,
                file,
                at,
                more,
            } => write!(
                f,
                "register {}: lender {} was issued {} yuan for round {round} of platform {} \
                 already (in {} at {}), and this command would send {} yuan more; it computes \
                 that round on another ledger than the one paid: pass --ledger with the output \
                 folder of the run that issued it",
                register.display(),
                t(lender),
                format_fen(*issued),
                t(platform),
                t(file),
                t(at),
                format_fen(*more)
            ),
            CasePersonGone {
                case,
                person,
                round,
            } => write!(
                f,
                "the ledger has person {} of case {} (round {round}), who is not among the \
                 participants now: keep every person the ledger paid in the tables, and use the \
                 ledger of runs with the same --pseudonymize setting",
                t(person),
                t(case)
            ),
            CaseRoundNotAfter {
                case,
                round_on,
                last_round,
                last_on,
            } => write!(
                f,
                "case {}: this round's date {round_on} is not after round {last_round} of the \
                 ledger ({last_on}); a round follows the last one (give --as-of, or add what was \
                 realised since)",
                t(case)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ExitCode};

    #[test]
    fn a_cause_keeps_its_figures_and_says_what_to_do() {
        let e = Error::from(LedgerProblem::AboveClaim {
            platform: "P1".into(),
            lender: "L\u{1b}[31m".into(),
            received: 100_001,
            claim: 100_000,
        });
        assert_eq!(e.exit_code(), ExitCode::BadInput);
        // The figures stay numbers for a caller; the message shows them in yuan, and the data's
        // text cannot reach a terminal as a control sequence.
        assert!(matches!(
            &e,
            Error::Ledger(p) if matches!(**p, LedgerProblem::AboveClaim { received: 100_001, .. })
        ));
        let message = e.to_string();
        assert!(
            message.contains("has received 1000.01 yuan, above the claim of 1000.00 yuan"),
            "{message}"
        );
        assert!(!message.contains('\u{1b}'), "{message}");
        let late = LedgerProblem::LateRoundBelowPaid {
            ledger: "r1/payouts.parquet".into(),
            platform: "F".into(),
            late: 2,
            paid_up_to: 3,
        };
        assert!(late.to_string().contains("numbered 4 or higher"), "{late}");
    }
}
