//! Exposure: who is owed what, where (DESIGN §4).
//!
//! In: accepted investments and lenders, and each platform's class. Out: the claims table (one
//! row per lender × platform with the basis its platform's class takes), the lenders table
//! (across platforms), the districts table (lender district × class), and per-platform
//! roll-ups for platforms.parquet. One lazy polars plan from investments to claims; the
//! roll-ups and tables are group-bys over it. Guarantees: per platform, Σ of the claims'
//! outstanding equals Σ of investment outstanding (checked against the metrics stage; a
//! mismatch is an internal error), and money is Int64 fen until export.

use polars::prelude::*;

use crate::classify::Class;
use crate::config::{Basis, Config};
use crate::error::{Error, PolarsContext, Result};
use crate::frame::{checked_sum, verify_sums};
use crate::validate::InputData;

/// Claim size bands (万 = 10,000 yuan), lower bound included, in fen.
pub const BANDS: [(&str, i64); 6] = [
    ("band_0_1w", 0),
    ("band_1w_5w", 1_000_000),
    ("band_5w_10w", 5_000_000),
    ("band_10w_50w", 10_000_000),
    ("band_50w_100w", 50_000_000),
    ("band_100w_up", 100_000_000),
];

/// A platform's exposure roll-up.
#[derive(Debug, Clone, Default)]
pub struct PlatformExposure {
    pub platform_id: String,
    /// Σ claim over every lender row, excluded ones included (fen).
    pub total_claim: i64,
    /// Σ claim of eligible and reserved rows.
    pub pool_claim: i64,
    pub claim_lenders: i64,
    /// (lenders, claim) per band of [`BANDS`], over rows with claim > 0.
    pub bands: [(i64, i64); 6],
    pub top1_lender_claim: i64,
    pub top10_lender_claim: i64,
    pub claim_hhi: f64,
    pub claim_median: Option<i64>,
    pub net_winners: i64,
    pub net_winner_total: i64,
    /// Σ of the claims' outstanding, for the reconciliation.
    pub outstanding: i64,
}

impl PlatformExposure {
    pub fn empty(platform_id: &str) -> PlatformExposure {
        PlatformExposure {
            platform_id: platform_id.to_string(),
            ..PlatformExposure::default()
        }
    }
}

/// Everything the exposure stage produces (money Int64 fen).
pub struct Exposure {
    /// platform_id, lender_id, invested, principal_returned, returns_received, outstanding,
    /// basis, claim, net_winner_amount, status, class, district, sorted by (platform, lender).
    pub claims: DataFrame,
    /// lender_id, district, platforms, failed_platforms, total_claim, sorted by lender_id.
    pub lenders: DataFrame,
    /// district, class, lenders, claims, sorted (nulls first).
    pub districts: DataFrame,
    /// Per platform, sorted by platform_id; platforms without investments are absent.
    pub platforms: Vec<PlatformExposure>,
}

/// Build the claims plan and everything derived from it.
pub fn exposure(
    data: &InputData,
    classes: &[(String, Class)],
    config: &Config,
) -> Result<Exposure> {
    let class_frame = DataFrame::new(
        classes.len(),
        vec![
            Column::new(
                "platform_id".into(),
                classes.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "class".into(),
                classes.iter().map(|(_, c)| c.code()).collect::<Vec<_>>(),
            ),
        ],
    )
    .context("building the class table")?;
    let net_classes: Vec<&str> = Class::ALL
        .iter()
        .filter(|c| config.basis_for(**c) == Basis::NetOfReturns)
        .map(|c| c.code())
        .collect();
    let is_net = net_classes
        .iter()
        .fold(lit(false), |acc, code| acc.or(col("class").eq(lit(*code))));

    let claims = data
        .investments
        .clone()
        .lazy()
        .group_by([col("platform_id"), col("lender_id")])
        .agg(
            [
                checked_sum(col("amount"), "invested"),
                checked_sum(col("principal_returned"), "principal_returned"),
                checked_sum(col("returns_received"), "returns_received"),
            ]
            .concat(),
        )
        .with_column((col("invested") - col("principal_returned")).alias("outstanding"))
        .join(
            class_frame.lazy(),
            [col("platform_id")],
            [col("platform_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            data.lenders.clone().lazy().select([
                col("lender_id"),
                col("district"),
                col("registered"),
                col("excluded"),
            ]),
            [col("lender_id")],
            [col("lender_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(is_net.clone())
                .then(lit(Basis::NetOfReturns.code()))
                .otherwise(lit(Basis::OutstandingPrincipal.code()))
                .alias("basis"),
        )
        .with_columns([
            // Net of returns: max(0, outstanding − returns); returns can exceed it (a net winner).
            when(is_net.clone())
                .then(
                    when(col("outstanding").gt(col("returns_received")))
                        .then(col("outstanding") - col("returns_received"))
                        .otherwise(lit(0i64)),
                )
                .otherwise(col("outstanding"))
                .alias("claim"),
            when(is_net.and(col("returns_received").gt(col("outstanding"))))
                .then(col("returns_received") - col("outstanding"))
                .otherwise(lit(0i64))
                .alias("net_winner_amount"),
            when(col("excluded"))
                .then(lit("excluded"))
                .when(col("registered").not())
                .then(lit("reserved"))
                .otherwise(lit("eligible"))
                .alias("status"),
        ])
        .select([
            col("platform_id"),
            col("lender_id"),
            col("invested"),
            col("principal_returned"),
            col("returns_received"),
            col("outstanding"),
            col("basis"),
            col("claim"),
            col("net_winner_amount"),
            col("status"),
            col("class"),
            class_zh_expr().alias("class_zh"),
            col("district"),
            col("invested__f64"),
            col("principal_returned__f64"),
            col("returns_received__f64"),
        ])
        .sort(["platform_id", "lender_id"], SortMultipleOptions::default())
        .collect()
        .context("computing claims")?;
    let sums = ["invested", "principal_returned", "returns_received"];
    verify_sums(&claims, &sums, "platform_id")?;
    let claims = claims.drop_many(sums.map(|s| format!("{s}__f64")));

    let platforms = platform_rollups(&claims)?;
    let lenders = claims
        .clone()
        .lazy()
        .group_by([col("lender_id")])
        .agg(
            [
                vec![
                    col("district").first().alias("district"),
                    col("platform_id")
                        .count()
                        .cast(DataType::Int64)
                        .alias("platforms"),
                    col("class")
                        .eq(lit(Class::Failed.code()))
                        .sum()
                        .cast(DataType::Int64)
                        .alias("failed_platforms"),
                ],
                checked_sum(col("claim"), "total_claim").to_vec(),
            ]
            .concat(),
        )
        .sort(["lender_id"], SortMultipleOptions::default())
        .collect()
        .context("computing lenders")?;
    verify_sums(&lenders, &["total_claim"], "lender_id")?;
    let lenders = lenders
        .drop("total_claim__f64")
        .context("computing lenders")?;

    let districts = claims
        .clone()
        .lazy()
        .filter(col("claim").gt(lit(0i64)))
        .group_by([col("district"), col("class")])
        .agg(
            [
                vec![
                    col("class_zh").first().alias("class_zh"),
                    col("lender_id")
                        .n_unique()
                        .cast(DataType::Int64)
                        .alias("lenders"),
                ],
                checked_sum(col("claim"), "claims").to_vec(),
            ]
            .concat(),
        )
        .sort(
            ["district", "class"],
            SortMultipleOptions::default().with_nulls_last(false),
        )
        .collect()
        .context("computing districts")?;
    verify_sums(&districts, &["claims"], "class")?;
    let districts = districts
        .drop("claims__f64")
        .context("computing districts")?;

    Ok(Exposure {
        claims,
        lenders,
        districts,
        platforms,
    })
}

/// `class_zh` beside `class` (DESIGN §7).
fn class_zh_expr() -> Expr {
    Class::ALL
        .iter()
        .rev()
        .fold(lit(NULL).cast(DataType::String), |rest, c| {
            when(col("class").eq(lit(c.code())))
                .then(lit(c.zh()))
                .otherwise(rest)
        })
}

/// Per-platform roll-ups over every lender × platform row, whatever its status.
fn platform_rollups(claims: &DataFrame) -> Result<Vec<PlatformExposure>> {
    let claim = || col("claim");
    let positive = || claim().filter(claim().gt(lit(0i64)));
    let mut aggs: Vec<Expr> = vec![
        claim()
            .gt(lit(0i64))
            .sum()
            .cast(DataType::Int64)
            .alias("claim_lenders"),
        claim().max().alias("top1_lender_claim"),
        col("net_winner_amount")
            .gt(lit(0i64))
            .sum()
            .cast(DataType::Int64)
            .alias("net_winners"),
        // HHI: Σ (claim / total)², as Float64 (a ratio).
        {
            let share = claim().cast(DataType::Float64) / claim().sum().cast(DataType::Float64);
            (share.clone() * share).sum().alias("claim_hhi")
        },
        // Median of the claims > 0: the lower middle one when their count is even.
        {
            let n = positive().len().cast(DataType::Int64);
            positive()
                .sort(SortOptions::default())
                .slice((n - lit(1i64)).floor_div(lit(2i64)), lit(1i64))
                .first()
                .alias("claim_median")
        },
    ];
    aggs.extend(checked_sum(claim(), "total_claim"));
    aggs.extend(checked_sum(
        when(col("status").neq(lit("excluded")))
            .then(claim())
            .otherwise(lit(0i64)),
        "pool_claim",
    ));
    aggs.extend(checked_sum(
        claim()
            .sort(SortOptions::default().with_order_descending(true))
            .head(Some(10)),
        "top10_lender_claim",
    ));
    aggs.extend(checked_sum(col("net_winner_amount"), "net_winner_total"));
    aggs.extend(checked_sum(col("outstanding"), "outstanding"));
    for (i, (band, lower)) in BANDS.iter().enumerate() {
        let mut inside = claim().gt(lit(0i64)).and(claim().gt_eq(lit(*lower)));
        if let Some((_, upper)) = BANDS.get(i + 1) {
            inside = inside.and(claim().lt(lit(*upper)));
        }
        aggs.push(
            inside
                .clone()
                .sum()
                .cast(DataType::Int64)
                .alias(format!("{band}_lenders")),
        );
        aggs.extend(checked_sum(
            when(inside).then(claim()).otherwise(lit(0i64)),
            &format!("{band}_claim"),
        ));
    }
    let df = claims
        .clone()
        .lazy()
        .group_by([col("platform_id")])
        .agg(aggs)
        .sort(["platform_id"], SortMultipleOptions::default())
        .collect()
        .context("computing platform exposure")?;
    let mut money: Vec<String> = [
        "total_claim",
        "pool_claim",
        "top10_lender_claim",
        "net_winner_total",
        "outstanding",
    ]
    .map(String::from)
    .to_vec();
    money.extend(BANDS.iter().map(|(b, _)| format!("{b}_claim")));
    verify_sums(
        &df,
        &money.iter().map(String::as_str).collect::<Vec<_>>(),
        "platform_id",
    )?;

    let int = |c: &str| -> Result<Vec<Option<i64>>> {
        let s = df.column(c).context(c)?.cast(&DataType::Int64).context(c)?;
        Ok(s.i64().context(c)?.iter().collect())
    };
    let ids: Vec<String> = df
        .column("platform_id")
        .context("platform_id")?
        .str()
        .context("platform_id")?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect();
    let hhi: Vec<f64> = df
        .column("claim_hhi")
        .context("claim_hhi")?
        .f64()
        .context("claim_hhi")?
        .iter()
        .map(|v| v.unwrap_or(0.0))
        .collect();
    let (total, pool, lenders, top1, top10, median, winners, winner_total, outstanding) = (
        int("total_claim")?,
        int("pool_claim")?,
        int("claim_lenders")?,
        int("top1_lender_claim")?,
        int("top10_lender_claim")?,
        int("claim_median")?,
        int("net_winners")?,
        int("net_winner_total")?,
        int("outstanding")?,
    );
    let bands: Vec<(Vec<Option<i64>>, Vec<Option<i64>>)> = BANDS
        .iter()
        .map(|(b, _)| Ok((int(&format!("{b}_lenders"))?, int(&format!("{b}_claim"))?)))
        .collect::<Result<_>>()?;
    Ok((0..df.height())
        .map(|i| {
            let total_claim = total[i].unwrap_or(0);
            PlatformExposure {
                platform_id: ids[i].clone(),
                total_claim,
                pool_claim: pool[i].unwrap_or(0),
                claim_lenders: lenders[i].unwrap_or(0),
                bands: std::array::from_fn(|b| {
                    (bands[b].0[i].unwrap_or(0), bands[b].1[i].unwrap_or(0))
                }),
                top1_lender_claim: top1[i].unwrap_or(0),
                top10_lender_claim: top10[i].unwrap_or(0),
                // When the total is 0 the shares are 0 (not NaN).
                claim_hhi: if total_claim == 0 { 0.0 } else { hhi[i] },
                claim_median: median[i],
                net_winners: winners[i].unwrap_or(0),
                net_winner_total: winner_total[i].unwrap_or(0),
                outstanding: outstanding[i].unwrap_or(0),
            }
        })
        .collect())
}

/// Σ claims outstanding per platform must equal the metrics' lender outstanding (Σ of
/// investment outstanding, computed by a separate group-by). Returns the JSON for
/// validation.json; a mismatch is an internal error.
pub fn reconcile(
    exposures: &[PlatformExposure],
    lender_outstanding: &[(String, i64)],
) -> Result<serde_json::Value> {
    let by_id: std::collections::HashMap<&str, i64> = exposures
        .iter()
        .map(|e| (e.platform_id.as_str(), e.outstanding))
        .collect();
    let mut total: i128 = 0;
    for (id, expected) in lender_outstanding {
        let got = by_id.get(id.as_str()).copied().unwrap_or(0);
        if got != *expected {
            return Err(Error::Internal(format!(
                "reconciliation failed for platform {id}: claims outstanding {} ≠ investments outstanding {}",
                crate::money::format_fen(got),
                crate::money::format_fen(*expected)
            )));
        }
        total += i128::from(got);
    }
    Ok(serde_json::json!({
        "platforms_checked": lender_outstanding.len(),
        "mismatches": 0,
        "outstanding_total": format!("{}.{:02}", total / 100, total % 100),
    }))
}
