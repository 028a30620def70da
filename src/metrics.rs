//! Platform metrics (DESIGN §3) as one lazy polars plan over the investments and loans
//! tables: group-bys per lender × platform and borrower × platform, then per platform,
//! left-joined onto the platforms table. No per-row Rust loop; Rust sees only the per-platform
//! results ([`PlatformMetrics`]), which the pure rules of [`crate::classify`] then read.
//!
//! Money stays Int64 fen throughout the plan. Every money total is also summed as Float64 and
//! the two compared after the plan runs, because polars integer sums wrap on overflow.
//! Expected recovery is computed per loan in exact integer arithmetic (rates in
//! ten-thousandths, value split into high and low parts so that nothing overflows), rounded
//! half-even to the fen, then summed.

use polars::prelude::*;

use crate::config::{ClassifyRules, Config, RecoveryRates};
use crate::date::Date;
use crate::error::{Error, PolarsContext, Result};
use crate::validate::InputData;

/// Everything §3 measures for one platform, plus its own flags from the platforms table.
#[derive(Debug, Clone, Default)]
pub struct PlatformMetrics {
    pub platform_id: String,
    pub name: String,
    pub district: String,
    pub case_filed: bool,
    pub controller_missing: bool,
    pub repayment_suspended: bool,
    pub cooperating: bool,
    pub reporting: bool,
    /// Normalised codes, contract order.
    pub red_flags: Vec<String>,
    /// Fen.
    pub lender_outstanding: i64,
    pub lenders_current: i64,
    pub lenders_total: i64,
    pub loan_outstanding: i64,
    pub borrowers_current: i64,
    pub overdue_amount: i64,
    pub overdue_90_amount: i64,
    pub top1_borrower_amount: i64,
    pub top10_borrower_amount: i64,
    pub related_party_amount: i64,
    pub last_new_loan_on: Option<Date>,
    pub months_since_new_loan: Option<i32>,
    /// Latest maturity among loans with outstanding > 0 (when the book runs off).
    pub last_loan_maturity: Option<Date>,
    pub cap_breach_amount: i64,
    /// Outstanding of linked investments maturing before their loan / of all linked ones.
    pub mismatch_amount: i64,
    pub linked_amount: i64,
    pub expected_recovery: i64,
}

impl PlatformMetrics {
    /// lender_outstanding − loan_outstanding, fen (may be negative).
    pub fn funding_gap(&self) -> i64 {
        self.lender_outstanding
            .saturating_sub(self.loan_outstanding)
    }
}

/// A ratio as Float64 for the exports: 0 when the denominator is 0.
pub fn ratio(num: i64, den: i64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Compute every platform's metrics, sorted by platform_id (byte order).
pub fn platform_metrics(
    data: &InputData,
    config: &Config,
    as_of: Option<Date>,
) -> Result<Vec<PlatformMetrics>> {
    let frame = metrics_plan(data, &config.classify, &config.recovery)?
        .collect()
        .context("computing platform metrics")?;
    let mut out = extract(&frame)?;
    for m in &mut out {
        m.months_since_new_loan = match (m.last_new_loan_on, as_of) {
            (Some(last), Some(as_of)) => Some(last.whole_months_until(as_of)),
            _ => None,
        };
    }
    out.sort_by(|a, b| a.platform_id.as_bytes().cmp(b.platform_id.as_bytes()));
    Ok(out)
}

/// Money totals of the plan: each also summed as Float64 to catch Int64 wrap-around.
const MONEY_TOTALS: &[&str] = &[
    "lender_outstanding",
    "loan_outstanding",
    "overdue_amount",
    "overdue_90_amount",
    "top1_borrower_amount",
    "top10_borrower_amount",
    "related_party_amount",
    "cap_breach_amount",
    "mismatch_amount",
    "linked_amount",
    "expected_recovery",
];

use crate::frame::checked_sum;

fn money_when(cond: Expr, value: &str) -> Expr {
    when(cond).then(col(value)).otherwise(lit(0i64))
}

/// The lazy plan: one row per platform with every metric column.
pub fn metrics_plan(
    data: &InputData,
    rules: &ClassifyRules,
    rates: &RecoveryRates,
) -> Result<LazyFrame> {
    let investments = data.investments.clone().lazy().select([
        col("platform_id"),
        col("lender_id"),
        col("loan_id"),
        col("matures_on"),
        (col("amount") - col("principal_returned")).alias("outstanding"),
    ]);
    // Lender side: per lender × platform first, so counts are of distinct lenders.
    let lender_side = investments
        .clone()
        .group_by([col("platform_id"), col("lender_id")])
        .agg(checked_sum(col("outstanding"), "outstanding"))
        .group_by([col("platform_id")])
        .agg([
            col("outstanding").sum().alias("lender_outstanding"),
            col("outstanding__f64")
                .sum()
                .alias("lender_outstanding__f64"),
            col("lender_id")
                .count()
                .cast(DataType::Int64)
                .alias("lenders_total"),
            col("outstanding")
                .gt(lit(0i64))
                .sum()
                .cast(DataType::Int64)
                .alias("lenders_current"),
        ]);

    let loans = data.loans.clone().lazy();
    let out = "outstanding_principal";
    let loan_side = loans
        .clone()
        .with_column(expected_recovery_expr(rates).alias("expected_recovery"))
        .group_by([col("platform_id")])
        .agg(
            [
                checked_sum(col(out), "loan_outstanding"),
                checked_sum(
                    money_when(col("days_past_due").gt(lit(0i64)), out),
                    "overdue_amount",
                ),
                checked_sum(
                    money_when(col("days_past_due").gt(lit(90i64)), out),
                    "overdue_90_amount",
                ),
                checked_sum(
                    money_when(col("related_party"), out),
                    "related_party_amount",
                ),
                checked_sum(col("expected_recovery"), "expected_recovery"),
                [
                    col("originated_on").max().alias("last_new_loan_on"),
                    col("matures_on")
                        .filter(col(out).gt(lit(0i64)))
                        .max()
                        .alias("last_loan_maturity"),
                ],
            ]
            .concat(),
        );

    // Borrower side: per borrower × platform; a borrower with any enterprise loan is one.
    let borrower_side = loans
        .group_by([col("platform_id"), col("borrower_id")])
        .agg([
            col(out).sum().alias("borrower_outstanding"),
            col("borrower_type")
                .eq(lit("enterprise"))
                .cast(DataType::Int32)
                .max()
                .alias("enterprise"),
        ])
        .with_column(
            when(col("enterprise").eq(lit(1i32)))
                .then(lit(rules.enterprise_borrower_cap))
                .otherwise(lit(rules.individual_borrower_cap))
                .alias("cap"),
        )
        .group_by([col("platform_id")])
        .agg(
            [
                vec![
                    col("borrower_outstanding")
                        .gt(lit(0i64))
                        .sum()
                        .cast(DataType::Int64)
                        .alias("borrowers_current"),
                    col("borrower_outstanding")
                        .max()
                        .alias("top1_borrower_amount"),
                    col("borrower_outstanding")
                        .cast(DataType::Float64)
                        .max()
                        .alias("top1_borrower_amount__f64"),
                ],
                checked_sum(
                    col("borrower_outstanding")
                        .sort(SortOptions::default().with_order_descending(true))
                        .head(Some(10)),
                    "top10_borrower_amount",
                )
                .to_vec(),
                checked_sum(
                    money_when(
                        col("borrower_outstanding").gt(col("cap")),
                        "borrower_outstanding",
                    ),
                    "cap_breach_amount",
                )
                .to_vec(),
            ]
            .concat(),
        );

    // Maturity mismatch: investments linked to a loan, both maturities known.
    let mismatch_side = investments
        .filter(
            col("loan_id")
                .is_not_null()
                .and(col("matures_on").is_not_null()),
        )
        .join(
            data.loans
                .clone()
                .lazy()
                .select([col("loan_id"), col("matures_on").alias("loan_matures_on")]),
            [col("loan_id")],
            [col("loan_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(col("loan_matures_on").is_not_null())
        .group_by([col("platform_id")])
        .agg(
            [
                checked_sum(col("outstanding"), "linked_amount"),
                checked_sum(
                    money_when(col("matures_on").lt(col("loan_matures_on")), "outstanding"),
                    "mismatch_amount",
                ),
            ]
            .concat(),
        );

    let join = |left: LazyFrame, right: LazyFrame| {
        left.join(
            right,
            [col("platform_id")],
            [col("platform_id")],
            JoinArgs::new(JoinType::Left),
        )
    };
    let platforms = data.platforms.clone().lazy();
    let joined = join(
        join(join(join(platforms, lender_side), loan_side), borrower_side),
        mismatch_side,
    );
    let zero_filled: Vec<Expr> = MONEY_TOTALS
        .iter()
        .flat_map(|m| {
            [
                col(*m).fill_null(lit(0i64)),
                col(format!("{m}__f64")).fill_null(lit(0.0f64)),
            ]
        })
        .chain(
            ["lenders_total", "lenders_current", "borrowers_current"]
                .iter()
                .map(|c| col(*c).fill_null(lit(0i64))),
        )
        .collect();
    Ok(joined.with_columns(zero_filled))
}

/// Expected recovery of one loan, fen: min(o, o·r + c·cr) rounded half-even, exactly.
///
/// Rates are in ten-thousandths. With o = 10000·hi + lo, o·r/10000 = hi·r + lo·r/10000, so
/// every product stays within Int64; the integer parts and the fractions (in 1/10000 fen)
/// are added separately.
fn expected_recovery_expr(rates: &RecoveryRates) -> Expr {
    const U: i64 = 10_000;
    let dpd = col("days_past_due");
    let r = when(dpd.clone().eq(lit(0i64)))
        .then(lit(rates.buckets[0]))
        .when(dpd.clone().lt_eq(lit(30i64)))
        .then(lit(rates.buckets[1]))
        .when(dpd.clone().lt_eq(lit(90i64)))
        .then(lit(rates.buckets[2]))
        .when(dpd.lt_eq(lit(180i64)))
        .then(lit(rates.buckets[3]))
        .otherwise(lit(rates.buckets[4]));
    let cr = lit(rates.collateral);
    let o = col("outstanding_principal");
    let c = col("collateral_value");
    let parts = |v: Expr, rate: Expr| {
        let hi = v.clone().floor_div(lit(U));
        let lo = v % lit(U);
        let low = lo * rate.clone();
        (hi * rate + low.clone().floor_div(lit(U)), low % lit(U))
    };
    let (a_int, a_frac) = parts(o.clone(), r);
    let (b_int, b_frac) = parts(c, cr);
    let frac_sum = a_frac + b_frac;
    let carry = frac_sum.clone().floor_div(lit(U));
    let frac = frac_sum % lit(U);
    // exact ≥ o ⇔ a_int + b_int + carry ≥ o, written so that nothing overflows.
    let reaches = b_int
        .clone()
        .gt_eq(o.clone() - a_int.clone() - carry.clone());
    let whole = a_int + b_int + carry;
    let round_up = frac.clone().gt(lit(U / 2)).or(frac
        .eq(lit(U / 2))
        .and((whole.clone() % lit(2i64)).eq(lit(1i64))));
    when(reaches)
        .then(o)
        .otherwise(whole + round_up.cast(DataType::Int64))
}

/// Pull the per-platform results out of the collected frame.
fn extract(df: &DataFrame) -> Result<Vec<PlatformMetrics>> {
    let n = df.height();
    let err = |c: &str, e: PolarsError| Error::Polars {
        context: format!("reading metric {c}"),
        source: e,
    };
    let text = |c: &str| -> Result<Vec<Option<String>>> {
        Ok(df
            .column(c)
            .map_err(|e| err(c, e))?
            .str()
            .map_err(|e| err(c, e))?
            .iter()
            .map(|v| v.map(str::to_string))
            .collect())
    };
    let int = |c: &str| -> Result<Vec<i64>> {
        let s = df
            .column(c)
            .map_err(|e| err(c, e))?
            .cast(&DataType::Int64)
            .map_err(|e| err(c, e))?;
        Ok(s.i64()
            .map_err(|e| err(c, e))?
            .iter()
            .map(|v| v.unwrap_or(0))
            .collect())
    };
    let boolean = |c: &str| -> Result<Vec<bool>> {
        Ok(df
            .column(c)
            .map_err(|e| err(c, e))?
            .bool()
            .map_err(|e| err(c, e))?
            .iter()
            .map(|v| v.unwrap_or(false))
            .collect())
    };
    crate::frame::verify_sums(df, MONEY_TOTALS, "platform_id")?;
    let ids = text("platform_id")?;
    let names = text("name")?;
    let districts = text("district")?;
    let flags = text("red_flags")?;
    let (case_filed, controller_missing, repayment_suspended, cooperating, reporting) = (
        boolean("case_filed")?,
        boolean("controller_missing")?,
        boolean("repayment_suspended")?,
        boolean("cooperating")?,
        boolean("reporting")?,
    );
    let dates = |c: &str| -> Result<Vec<Option<Date>>> {
        let s = df.column(c).map_err(|e| err(c, e))?;
        let s = s.cast(&DataType::Int32).map_err(|e| err(c, e))?;
        Ok(s.i32()
            .map_err(|e| err(c, e))?
            .iter()
            .map(|v| v.map(Date))
            .collect())
    };
    let last = dates("last_new_loan_on")?;
    let maturity = dates("last_loan_maturity")?;
    // Counts and money totals, by name (money in fen).
    let lender_outstanding = int("lender_outstanding")?;
    let lenders_current = int("lenders_current")?;
    let lenders_total = int("lenders_total")?;
    let loan_outstanding = int("loan_outstanding")?;
    let borrowers_current = int("borrowers_current")?;
    let overdue_amount = int("overdue_amount")?;
    let overdue_90_amount = int("overdue_90_amount")?;
    let top1_borrower_amount = int("top1_borrower_amount")?;
    let top10_borrower_amount = int("top10_borrower_amount")?;
    let related_party_amount = int("related_party_amount")?;
    let cap_breach_amount = int("cap_breach_amount")?;
    let mismatch_amount = int("mismatch_amount")?;
    let linked_amount = int("linked_amount")?;
    let expected_recovery = int("expected_recovery")?;
    Ok((0..n)
        .map(|i| PlatformMetrics {
            platform_id: ids[i].clone().unwrap_or_default(),
            name: names[i].clone().unwrap_or_default(),
            district: districts[i].clone().unwrap_or_default(),
            case_filed: case_filed[i],
            controller_missing: controller_missing[i],
            repayment_suspended: repayment_suspended[i],
            cooperating: cooperating[i],
            reporting: reporting[i],
            red_flags: flags[i]
                .as_deref()
                .map(|f| {
                    f.split(';')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            lender_outstanding: lender_outstanding[i],
            lenders_current: lenders_current[i],
            lenders_total: lenders_total[i],
            loan_outstanding: loan_outstanding[i],
            borrowers_current: borrowers_current[i],
            overdue_amount: overdue_amount[i],
            overdue_90_amount: overdue_90_amount[i],
            top1_borrower_amount: top1_borrower_amount[i],
            top10_borrower_amount: top10_borrower_amount[i],
            related_party_amount: related_party_amount[i],
            last_new_loan_on: last[i],
            last_loan_maturity: maturity[i],
            months_since_new_loan: None,
            cap_breach_amount: cap_breach_amount[i],
            mismatch_amount: mismatch_amount[i],
            linked_amount: linked_amount[i],
            expected_recovery: expected_recovery[i],
        })
        .collect())
}
