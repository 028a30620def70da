//! The stages chained: validated input → metrics and classes → exposure, and the files each
//! writes. Commands pick how far to go; `run` goes all the way.

use rayon::prelude::*;

use crate::classify::{self, Class};
use crate::config::Config;
use crate::error::Result;
use crate::export::{self, PlatformRow};
use crate::exposure::{self, Exposure, PlatformExposure};
use crate::metrics;
use crate::output::{self, Staging};
use crate::validate::Validated;

/// Platforms (metrics, class, exposure) and the exposure tables.
pub struct Analysis {
    /// Sorted by platform_id.
    pub platforms: Vec<PlatformRow>,
    pub exposure: Exposure,
    /// The claims-vs-investments reconciliation for validation.json.
    pub reconciliation: serde_json::Value,
}

/// Classify every platform and compute its exposure.
pub fn analyse(validated: &Validated, config: &Config) -> Result<Analysis> {
    let metrics = metrics::platform_metrics(&validated.data, config, validated.report.as_of)?;
    // Pure per-platform rules, after polars has finished: rayon has the cores to itself.
    let classified: Vec<_> = metrics
        .into_par_iter()
        .map(|m| {
            let c = classify::classify(&m, &config.classify);
            (m, c)
        })
        .collect();
    let classes: Vec<(String, Class)> = classified.iter().map(|(m, c)| (m.platform_id.clone(), c.class)).collect();
    let exposure = exposure::exposure(&validated.data, &classes, config)?;
    let lender_outstanding: Vec<(String, i64)> =
        classified.iter().map(|(m, _)| (m.platform_id.clone(), m.lender_outstanding)).collect();
    let reconciliation = exposure::reconcile(&exposure.platforms, &lender_outstanding)?;
    let by_id: std::collections::HashMap<&str, &PlatformExposure> =
        exposure.platforms.iter().map(|x| (x.platform_id.as_str(), x)).collect();
    let platforms = classified
        .into_iter()
        .map(|(m, c)| {
            let x = by_id.get(m.platform_id.as_str()).map_or_else(|| PlatformExposure::empty(&m.platform_id), |x| (*x).clone());
            (m, c, x)
        })
        .collect();
    Ok(Analysis { platforms, exposure, reconciliation })
}

/// rejects.csv and validation.json (with the reconciliation when there is one).
pub fn write_validation(staging: &Staging, validated: &Validated, reconciliation: Option<&serde_json::Value>) -> Result<()> {
    staging.write("rejects.csv", &output::rejects_csv(&validated.rejects)?)?;
    let mut json = validated.report.to_json();
    if let Some(r) = reconciliation {
        json["reconciliation"] = r.clone();
    }
    staging.write("validation.json", &output::json_bytes(&json)?)
}

pub fn write_platforms(staging: &Staging, analysis: &Analysis) -> Result<()> {
    export::write_parquet(staging, "platforms.parquet", &mut export::platforms_frame(&analysis.platforms)?)
}

/// claims.parquet, lenders.parquet, districts.parquet.
pub fn write_exposure(staging: &Staging, analysis: &Analysis) -> Result<()> {
    use crate::error::PolarsContext;
    let x = &analysis.exposure;
    let mut claims = x
        .claims
        .select([
            "platform_id",
            "lender_id",
            "invested",
            "principal_returned",
            "returns_received",
            "outstanding",
            "basis",
            "claim",
            "net_winner_amount",
            "status",
            "class",
        ])
        .context("selecting claims columns")?;
    export::money_to_decimal(
        &mut claims,
        &["invested", "principal_returned", "returns_received", "outstanding", "claim", "net_winner_amount"],
    )?;
    export::write_parquet(staging, "claims.parquet", &mut claims)?;
    let mut lenders = x.lenders.clone();
    export::money_to_decimal(&mut lenders, &["total_claim"])?;
    export::write_parquet(staging, "lenders.parquet", &mut lenders)?;
    let mut districts = x.districts.clone();
    export::money_to_decimal(&mut districts, &["claims"])?;
    export::write_parquet(staging, "districts.parquet", &mut districts)
}

/// Platforms, outstanding and current lenders per class.
pub fn print_class_summary(platforms: &[PlatformRow], log: &crate::cli::Log) {
    log.info(&format!("{:<18} {:>9} {:>22} {:>16}", "class 类别", "platforms", "outstanding (yuan)", "current lenders"));
    let mut total = (0usize, 0i128, 0i64);
    for class in Class::ALL {
        let rows: Vec<_> = platforms.iter().filter(|(_, c, _)| c.class == class).collect();
        let outstanding: i128 = rows.iter().map(|(m, _, _)| i128::from(m.lender_outstanding)).sum();
        let lenders: i64 = rows.iter().map(|(m, _, _)| m.lenders_current).sum();
        total = (total.0 + rows.len(), total.1 + outstanding, total.2 + lenders);
        log.info(&format!(
            "{:<18} {:>9} {:>22} {:>16}",
            format!("{} {}", class.code(), class.zh()),
            rows.len(),
            yuan_text(outstanding),
            lenders
        ));
    }
    log.info(&format!("{:<18} {:>9} {:>22} {:>16}", "total 合计", total.0, yuan_text(total.1), total.2));
}

/// Claims, lenders, and the most exposed: lenders owed by several failed platforms.
pub fn print_exposure_summary(analysis: &Analysis, log: &crate::cli::Log) -> Result<()> {
    use crate::error::PolarsContext;
    let lenders = &analysis.exposure.lenders;
    let failed = lenders.column("failed_platforms").context("failed_platforms")?.i64().context("failed_platforms")?;
    let several = failed.iter().filter(|n| n.unwrap_or(0) >= 2).count();
    let total: i128 = analysis.platforms.iter().map(|(_, _, x)| i128::from(x.total_claim)).sum();
    let winners: i64 = analysis.platforms.iter().map(|(_, _, x)| x.net_winners).sum();
    log.info(&format!(
        "claims: {} lender × platform rows, {} lenders, total claim {} yuan; {winners} net winners",
        analysis.exposure.claims.height(),
        lenders.height(),
        yuan_text(total)
    ));
    log.info(&format!(
        "{several} lender(s) hold positions on two or more failed platforms (多个出险平台出借人: the most exposed)"
    ));
    Ok(())
}

fn yuan_text(fen: i128) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (fen / 100).abs(), (fen % 100).abs())
}
