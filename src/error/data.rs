//! What makes the data as a whole unusable as asked (exit 2): each cause with what it
//! concerns, so that a caller can tell them apart and the message says what to do.

use crate::domain::text::terminal_safe;

/// The data as a whole against what a command needs of it.
#[derive(Debug)]
pub enum DataProblem {
    /// A money column's accepted amounts add up beyond 64-bit fen.
    SumBeyondFen { table: String, column: String },
    /// The case tables' accepted amounts add up beyond what is summed exactly.
    CaseSumBeyondFen,
    /// An amount written to an export does not fit Decimal(18,2).
    BeyondDecimal { column: String },
    /// Exact arithmetic would overflow its 128-bit integers (`what`: payout, vote).
    BeyondExact { what: &'static str },
    /// The exit plan needs an as-of date and the data give none.
    NoAsOf,
    /// `--payments` and no bank account column.
    NoBankAccount,
    /// A case's priority waterfall cannot be computed (`why` says how).
    Case { case: String, why: String },
    /// The case tables' cash flows cannot be summed per person (`why` names the flow).
    CashFlows { why: String },
    /// A table's accepted rows would need more codes than there are (`domain::code::CAPACITY`).
    TooManyRows { table: String },
}

impl std::fmt::Display for DataProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use DataProblem::*;
        match self {
            SumBeyondFen { table, column } => write!(
                f,
                "{table}.{column}: the accepted amounts add up to more than \
                 92,233,720,368,547,758.07 yuan, beyond 64-bit fen; amounts this large are not \
                 credible input"
            ),
            CaseSumBeyondFen => f.write_str(
                "the case tables' accepted amounts add up to more than \
                 23,058,430,092,136,939.51 yuan, beyond what winddown sums exactly in fen; \
                 amounts this large are not credible",
            ),
            BeyondDecimal { column } => write!(
                f,
                "{column}: an amount of 10^16 yuan or more does not fit Decimal(18,2)"
            ),
            BeyondExact { what: "vote" } => {
                f.write_str("vote arithmetic beyond exact 128-bit fractions")
            }
            BeyondExact { .. } => f.write_str("payout amounts too large for exact arithmetic"),
            NoAsOf => f.write_str(
                "the exit plan needs an as-of date: the data has no dated rows, pass --as-of",
            ),
            NoBankAccount => f.write_str(
                "--payments: the lenders table gives no bank account: it needs a bank_account \
                 column (map its header in the config's [columns]) and bank_name",
            ),
            Case { case, why } => write!(f, "case {}: {why}", terminal_safe(case)),
            CashFlows { why } => f.write_str(why),
            TooManyRows { table } => write!(
                f,
                "{table}: more than 4,294,967,295 accepted rows, beyond what winddown numbers in \
                 32 bits; split the data by province (docs/performance.md, \"Beyond one machine\")"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, ExitCode};

    #[test]
    fn each_cause_says_what_it_concerns() {
        let e = Error::from(DataProblem::SumBeyondFen {
            table: "investments".into(),
            column: "amount".into(),
        });
        assert_eq!(e.exit_code(), ExitCode::BadInput);
        assert!(e
            .to_string()
            .starts_with("investments.amount: the accepted amounts"));
        assert_eq!(
            DataProblem::BeyondExact { what: "vote" }.to_string(),
            "vote arithmetic beyond exact 128-bit fractions"
        );
        assert_eq!(
            DataProblem::BeyondExact { what: "payout" }.to_string(),
            "payout amounts too large for exact arithmetic"
        );
        let case = DataProblem::Case {
            case: "C\u{7}1".into(),
            why: "no assets".into(),
        };
        assert!(!case.to_string().contains('\u{7}'), "{case}");
        let e = Error::from(DataProblem::TooManyRows {
            table: "lenders".into(),
        });
        assert_eq!(e.exit_code(), ExitCode::BadInput);
        assert!(e
            .to_string()
            .starts_with("lenders: more than 4,294,967,295 accepted rows"));
        assert!(!e.to_string().contains('\n'));
    }
}
