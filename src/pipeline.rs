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
    let classes: Vec<(String, Class)> = classified
        .iter()
        .map(|(m, c)| (m.platform_id.clone(), c.class))
        .collect();
    let exposure = exposure::exposure(&validated.data, &classes, config)?;
    let lender_outstanding: Vec<(String, i64)> = classified
        .iter()
        .map(|(m, _)| (m.platform_id.clone(), m.lender_outstanding))
        .collect();
    let reconciliation = exposure::reconcile(&exposure.platforms, &lender_outstanding)?;
    let by_id: std::collections::HashMap<&str, &PlatformExposure> = exposure
        .platforms
        .iter()
        .map(|x| (x.platform_id.as_str(), x))
        .collect();
    let platforms = classified
        .into_iter()
        .map(|(m, c)| {
            let x = by_id
                .get(m.platform_id.as_str())
                .map_or_else(|| PlatformExposure::empty(&m.platform_id), |x| (*x).clone());
            (m, c, x)
        })
        .collect();
    Ok(Analysis {
        platforms,
        exposure,
        reconciliation,
    })
}

/// rejects.csv and validation.json (with the reconciliation when there is one).
pub fn write_validation(
    staging: &Staging,
    validated: &Validated,
    reconciliation: Option<&serde_json::Value>,
    pseudonyms: Option<&crate::manifest::Pseudonymizer>,
) -> Result<()> {
    staging.write(
        "rejects.csv",
        &output::rejects_csv(&validated.rejects, pseudonyms)?,
    )?;
    staging.record_rows("rejects.csv", validated.rejects.len() as u64);
    let mut json = validated.report.to_json();
    if let Some(r) = reconciliation {
        json["reconciliation"] = r.clone();
    }
    staging.write("validation.json", &output::json_bytes(&json)?)
}

pub fn write_platforms(staging: &Staging, analysis: &Analysis) -> Result<()> {
    export::write_parquet(
        staging,
        "platforms.parquet",
        &mut export::platforms_frame(&analysis.platforms)?,
    )
}

/// claims.parquet, lenders.parquet, districts.parquet.
pub fn write_exposure(
    staging: &Staging,
    analysis: &Analysis,
    pseudonyms: Option<&crate::manifest::Pseudonymizer>,
) -> Result<()> {
    use crate::error::PolarsContext;
    let x = &analysis.exposure;
    let pseudo = |df: &mut polars::prelude::DataFrame, keys: &[&str]| -> Result<()> {
        if let Some(p) = pseudonyms {
            pseudonymize(df, p)?;
            let sorted = df
                .sort(
                    keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    Default::default(),
                )
                .context("sorting")?;
            *df = sorted;
        }
        Ok(())
    };
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
            "class_zh",
        ])
        .context("selecting claims columns")?;
    export::money_to_decimal(
        &mut claims,
        &[
            "invested",
            "principal_returned",
            "returns_received",
            "outstanding",
            "claim",
            "net_winner_amount",
        ],
    )?;
    pseudo(&mut claims, &["platform_id", "lender_id"])?;
    export::write_parquet(staging, "claims.parquet", &mut claims)?;
    let mut lenders = x.lenders.clone();
    export::money_to_decimal(&mut lenders, &["total_claim"])?;
    pseudo(&mut lenders, &["lender_id"])?;
    export::write_parquet(staging, "lenders.parquet", &mut lenders)?;
    let mut districts = x.districts.clone();
    export::money_to_decimal(&mut districts, &["claims"])?;
    export::write_parquet(staging, "districts.parquet", &mut districts)
}

/// Platforms, outstanding and current lenders per class.
pub fn print_class_summary(platforms: &[PlatformRow], log: &crate::cli::Log) {
    log.info(&format!(
        "{:<18} {:>9} {:>22} {:>16}",
        "class 类别", "platforms", "outstanding (yuan)", "current lenders"
    ));
    let mut total = (0usize, 0i128, 0i64);
    for class in Class::ALL {
        let rows: Vec<_> = platforms
            .iter()
            .filter(|(_, c, _)| c.class == class)
            .collect();
        let outstanding: i128 = rows
            .iter()
            .map(|(m, _, _)| i128::from(m.lender_outstanding))
            .sum();
        let lenders: i64 = rows.iter().map(|(m, _, _)| m.lenders_current).sum();
        total = (
            total.0 + rows.len(),
            total.1 + outstanding,
            total.2 + lenders,
        );
        log.info(&format!(
            "{:<18} {:>9} {:>22} {:>16}",
            format!("{} {}", class.code(), class.zh()),
            rows.len(),
            yuan_text(outstanding),
            lenders
        ));
    }
    log.info(&format!(
        "{:<18} {:>9} {:>22} {:>16}",
        "total 合计",
        total.0,
        yuan_text(total.1),
        total.2
    ));
}

/// Claims, lenders, and the most exposed: lenders owed by several failed platforms.
pub fn print_exposure_summary(analysis: &Analysis, log: &crate::cli::Log) -> Result<()> {
    use crate::error::PolarsContext;
    let lenders = &analysis.exposure.lenders;
    let failed = lenders
        .column("failed_platforms")
        .context("failed_platforms")?
        .i64()
        .context("failed_platforms")?;
    let several = failed.iter().filter(|n| n.unwrap_or(0) >= 2).count();
    let total: i128 = analysis
        .platforms
        .iter()
        .map(|(_, _, x)| i128::from(x.total_claim))
        .sum();
    let winners: i64 = analysis
        .platforms
        .iter()
        .map(|(_, _, x)| x.net_winners)
        .sum();
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

// ---------------------------------------------------------------- payouts

/// One payouts.parquet row (money in fen).
#[derive(Debug, Clone)]
pub struct PayoutRow {
    pub platform_id: String,
    pub round: i64,
    pub lender_id: String,
    pub status: &'static str,
    pub claim: i64,
    pub before: i64,
    pub paid: i64,
    pub reserved: i64,
    pub carried: i64,
}

/// One payout_rounds.parquet row.
#[derive(Debug, Clone)]
pub struct RoundRow {
    pub platform_id: String,
    pub round: i64,
    pub pool: i64,
    pub paid: i64,
    pub reserved: i64,
    pub carried: i64,
    pub surplus: i64,
    pub lenders: i64,
    pub lenders_paid: i64,
    /// Null for rounds taken from a ledger (not recomputed) and under small first when the
    /// tranches are not covered.
    pub level: Option<f64>,
    /// Computed in this run (false: copied from the ledger).
    pub computed: bool,
}

/// The payout stage's result.
pub struct Payouts {
    /// Ledger rows and new rows, sorted by (platform, round, lender).
    pub rows: Vec<PayoutRow>,
    pub rounds: Vec<RoundRow>,
    /// Rows of the rounds computed in this run (for the payment file).
    pub new_rows: usize,
}

impl Payouts {
    /// The first platform with more than one round computed in this run, and those rounds.
    pub fn several_rounds(&self) -> Option<(&str, String)> {
        let mut by_platform: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
        for r in self.rounds.iter().filter(|r| r.computed) {
            by_platform.entry(&r.platform_id).or_default().push(r.round);
        }
        by_platform
            .into_iter()
            .find(|(_, r)| r.len() > 1)
            .map(|(p, r)| {
                let list: Vec<String> = r.iter().map(i64::to_string).collect();
                (p, list.join(", "))
            })
    }
}

/// Compute every round found in the recoveries that the ledger does not hold yet, per platform
/// in ascending order, each on the rounds before it; platforms in parallel.
pub fn payouts(
    analysis: &Analysis,
    recoveries: &polars::prelude::DataFrame,
    ledger: Option<&crate::ledger::Ledger>,
    rule: crate::payout::Rule,
    pseudonyms: Option<&crate::manifest::Pseudonymizer>,
) -> Result<Payouts> {
    use crate::error::{Error, PolarsContext};
    use polars::prelude::*;
    use std::collections::{BTreeMap, HashMap};

    // Pools: Σ amount per (platform, round), with the wrap-around check.
    let pools_df = recoveries
        .clone()
        .lazy()
        .group_by([col("platform_id"), col("round")])
        .agg(crate::frame::checked_sum(col("amount"), "pool").to_vec())
        .sort(["platform_id", "round"], SortMultipleOptions::default())
        .collect()
        .context("summing recoveries")?;
    crate::frame::verify_sums(&pools_df, &["pool"], "platform_id")?;
    let mut pools: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    {
        let ids = pools_df
            .column("platform_id")
            .context("platform_id")?
            .str()
            .context("platform_id")?;
        let rounds = pools_df
            .column("round")
            .context("round")?
            .i64()
            .context("round")?;
        let amounts = pools_df
            .column("pool")
            .context("pool")?
            .i64()
            .context("pool")?;
        for ((p, r), a) in ids.iter().zip(rounds.iter()).zip(amounts.iter()) {
            pools
                .entry(p.unwrap_or("").to_string())
                .or_default()
                .push((r.unwrap_or(0), a.unwrap_or(0)));
        }
    }

    // One scan of the claims: who can be in a round (claim > 0, eligible or reserved), per
    // platform, sorted by lender_id in byte order (the claims are sorted so already).
    let claims = &analysis.exposure.claims;
    let mut candidates: HashMap<&str, Vec<(&str, i64, bool)>> = HashMap::new();
    {
        let text =
            |c: &str| -> Result<&StringChunked> { claims.column(c).context(c)?.str().context(c) };
        let (ids, lids, status) = (text("platform_id")?, text("lender_id")?, text("status")?);
        let amounts = claims
            .column("claim")
            .context("claim")?
            .i64()
            .context("claim")?;
        for (((p, l), c), s) in ids
            .iter()
            .zip(lids.iter())
            .zip(amounts.iter())
            .zip(status.iter())
        {
            if let (Some(p), Some(l), Some(c), Some(s)) = (p, l, c, s) {
                if c > 0 && s != "excluded" {
                    candidates
                        .entry(p)
                        .or_default()
                        .push((l, c, s == "reserved"));
                }
            }
        }
    }
    let mut lenders: HashMap<String, Vec<(crate::payout::Lender, &'static str)>> = HashMap::new();
    for (p, members) in &candidates {
        if !pools.contains_key(*p) {
            continue;
        }
        let mut v: Vec<(crate::payout::Lender, &'static str)> = members
            .iter()
            .map(|(l, c, reserved)| {
                let lender = crate::payout::Lender {
                    lender_id: l.to_string(),
                    claim: *c,
                    reserved: *reserved,
                    before: 0,
                };
                (lender, if *reserved { "reserved" } else { "eligible" })
            })
            .collect();
        v.sort_by(|a, b| a.0.lender_id.as_bytes().cmp(b.0.lender_id.as_bytes()));
        lenders.insert(p.to_string(), v);
    }

    // The ledger: its rounds against today's recoveries, its lenders against today's claims
    // (of every platform), then indexed by platform.
    let who = |id: &str| match pseudonyms {
        Some(p) => p.pseudonym(id),
        None => id.to_string(),
    };
    let mut ledger_by_platform: HashMap<&str, Vec<&PayoutRow>> = HashMap::new();
    let mut ledger_rounds: HashMap<(&str, i64), &crate::ledger::LedgerRound> = HashMap::new();
    if let Some(ledger) = ledger {
        crate::ledger::check_against(ledger, &pools)?;
        for r in &ledger.rounds {
            ledger_rounds.insert((r.platform_id.as_str(), r.round), r);
        }
        let rows = &ledger.rows;
        let known: HashMap<&str, HashMap<&str, i64>> = candidates
            .iter()
            .map(|(p, members)| (*p, members.iter().map(|(l, c, _)| (*l, *c)).collect()))
            .collect();
        let mut cumulative: HashMap<(&str, &str), i64> = HashMap::new();
        for r in rows {
            let Some(platform) = known.get(r.platform_id.as_str()) else {
                return Err(Error::Usage(format!(
                    "ledger: platform {} has no lender with a claim in these data",
                    r.platform_id
                )));
            };
            let Some(claim) = platform.get(r.lender_id.as_str()) else {
                return Err(Error::Usage(format!(
                    "ledger: lender {} on platform {} was paid but has no claim in these data                      (excluded, or no position any more); correct the data or the ledger",
                    who(&r.lender_id),
                    r.platform_id
                )));
            };
            let c = cumulative
                .entry((r.platform_id.as_str(), r.lender_id.as_str()))
                .or_default();
            *c += r.paid + r.reserved;
            if *c > *claim {
                return Err(Error::Usage(format!(
                    "ledger: lender {} on platform {} has received {} yuan, above the claim of {} yuan",
                    who(&r.lender_id),
                    r.platform_id,
                    crate::money::format_fen(*c),
                    crate::money::format_fen(*claim)
                )));
            }
            ledger_by_platform
                .entry(r.platform_id.as_str())
                .or_default()
                .push(r);
        }
    }

    let work: Vec<(&String, &Vec<(i64, i64)>)> = pools.iter().collect();
    let results: Vec<Result<(Vec<PayoutRow>, Vec<RoundRow>, usize)>> = work
        .into_par_iter()
        .map(|(platform, rounds)| {
            let empty = Vec::new();
            let members = lenders.get(platform.as_str()).unwrap_or(&empty);
            let old = ledger_by_platform
                .get(platform.as_str())
                .cloned()
                .unwrap_or_default();
            let paid: Vec<&crate::ledger::LedgerRound> = rounds
                .iter()
                .filter_map(|(n, _)| ledger_rounds.get(&(platform.as_str(), *n)).copied())
                .collect();
            platform_rounds(platform, rounds, members, &old, &paid, rule)
        })
        .collect();
    let mut rows = Vec::new();
    let mut round_rows = Vec::new();
    let mut new_rows = 0;
    for r in results {
        let (p, r, n) = r?;
        rows.extend(p);
        round_rows.extend(r);
        new_rows += n;
    }
    rows.sort_by(|a, b| {
        (a.platform_id.as_bytes(), a.round, a.lender_id.as_bytes()).cmp(&(
            b.platform_id.as_bytes(),
            b.round,
            b.lender_id.as_bytes(),
        ))
    });
    round_rows.sort_by(|a, b| {
        (a.platform_id.as_bytes(), a.round).cmp(&(b.platform_id.as_bytes(), b.round))
    });
    Ok(Payouts {
        rows,
        rounds: round_rows,
        new_rows,
    })
}

/// Every round of one platform, ascending: ledger rounds (already checked against the
/// recoveries: same pool, none above a round to compute) are copied, the others computed.
fn platform_rounds(
    platform: &str,
    rounds: &[(i64, i64)],
    members: &[(crate::payout::Lender, &'static str)],
    ledger: &[&PayoutRow],
    paid_rounds: &[&crate::ledger::LedgerRound],
    rule: crate::payout::Rule,
) -> Result<(Vec<PayoutRow>, Vec<RoundRow>, usize)> {
    use std::collections::HashMap;
    let mut rows: Vec<PayoutRow> = ledger.iter().map(|r| (*r).clone()).collect();
    let mut round_rows = Vec::new();
    let mut new_rows = 0;
    for &(round, pool) in rounds {
        if let Some(old) = paid_rounds.iter().find(|r| r.round == round) {
            round_rows.push(RoundRow {
                platform_id: platform.to_string(),
                round,
                pool: old.pool,
                paid: old.paid,
                reserved: old.reserved,
                carried: old.carried,
                surplus: old.surplus,
                lenders: old.lenders,
                lenders_paid: old.lenders_paid,
                level: None,
                computed: false,
            });
            continue;
        }
        // before: Σ paid + reserved over every earlier round (ledger or computed).
        let mut before: HashMap<&str, i64> = HashMap::new();
        for r in rows.iter().filter(|r| r.round < round) {
            *before.entry(r.lender_id.as_str()).or_default() += r.paid + r.reserved;
        }
        let in_round: Vec<crate::payout::Lender> = members
            .iter()
            .map(|(l, _)| crate::payout::Lender {
                before: before.get(l.lender_id.as_str()).copied().unwrap_or(0),
                ..l.clone()
            })
            .collect();
        let result = crate::payout::allocate(pool, &in_round, rule)?;
        for ((l, status), (lender, share)) in
            members.iter().zip(in_round.iter().zip(&result.shares))
        {
            rows.push(PayoutRow {
                platform_id: platform.to_string(),
                round,
                lender_id: l.lender_id.clone(),
                status,
                claim: l.claim,
                before: lender.before,
                paid: share.paid,
                reserved: share.reserved,
                carried: share.carried,
            });
            new_rows += 1;
        }
        round_rows.push(RoundRow {
            platform_id: platform.to_string(),
            round,
            pool,
            paid: result.paid,
            reserved: result.reserved,
            carried: result.carried,
            surplus: result.surplus,
            lenders: members.len() as i64,
            lenders_paid: result.lenders_paid,
            level: result.level,
            computed: true,
        });
    }
    Ok((rows, round_rows, new_rows))
}

/// payouts.parquet and payout_rounds.parquet.
pub fn write_payouts(
    staging: &Staging,
    p: &Payouts,
    pseudonyms: Option<&crate::manifest::Pseudonymizer>,
) -> Result<()> {
    use crate::error::PolarsContext;
    use polars::prelude::*;
    let mut rows = p.rows.clone();
    if let Some(ps) = pseudonyms {
        for r in &mut rows {
            r.lender_id = ps.pseudonym(&r.lender_id);
        }
        rows.sort_by(|a, b| {
            (a.platform_id.as_bytes(), a.round, a.lender_id.as_bytes()).cmp(&(
                b.platform_id.as_bytes(),
                b.round,
                b.lender_id.as_bytes(),
            ))
        });
    }
    let r = &rows;
    let text = |name: &str, v: Vec<&str>| Column::new(name.into(), v);
    let fen = |name: &str, v: Vec<i64>| Column::new(name.into(), v);
    let mut payouts = DataFrame::new(
        r.len(),
        vec![
            text(
                "platform_id",
                r.iter().map(|x| x.platform_id.as_str()).collect(),
            ),
            Column::new(
                "round".into(),
                r.iter().map(|x| x.round).collect::<Vec<_>>(),
            ),
            text(
                "lender_id",
                r.iter().map(|x| x.lender_id.as_str()).collect(),
            ),
            text("status", r.iter().map(|x| x.status).collect()),
            fen("claim", r.iter().map(|x| x.claim).collect()),
            fen("before", r.iter().map(|x| x.before).collect()),
            fen("paid", r.iter().map(|x| x.paid).collect()),
            fen("reserved", r.iter().map(|x| x.reserved).collect()),
            fen("carried", r.iter().map(|x| x.carried).collect()),
            fen(
                "cumulative",
                r.iter().map(|x| x.before + x.paid + x.reserved).collect(),
            ),
            fen(
                "remaining",
                r.iter()
                    .map(|x| x.claim - x.before - x.paid - x.reserved)
                    .collect(),
            ),
            Column::new(
                "cumulative_ratio".into(),
                r.iter()
                    .map(|x| (x.before + x.paid + x.reserved) as f64 / x.claim as f64)
                    .collect::<Vec<_>>(),
            ),
        ],
    )
    .context("assembling payouts")?;
    export::money_to_decimal(
        &mut payouts,
        &[
            "claim",
            "before",
            "paid",
            "reserved",
            "carried",
            "cumulative",
            "remaining",
        ],
    )?;
    export::write_parquet(staging, "payouts.parquet", &mut payouts)?;

    let r = &p.rounds;
    let mut rounds = DataFrame::new(
        r.len(),
        vec![
            text(
                "platform_id",
                r.iter().map(|x| x.platform_id.as_str()).collect(),
            ),
            Column::new(
                "round".into(),
                r.iter().map(|x| x.round).collect::<Vec<_>>(),
            ),
            fen("pool", r.iter().map(|x| x.pool).collect()),
            fen("paid", r.iter().map(|x| x.paid).collect()),
            fen("reserved", r.iter().map(|x| x.reserved).collect()),
            fen("carried", r.iter().map(|x| x.carried).collect()),
            fen("surplus", r.iter().map(|x| x.surplus).collect()),
            Column::new(
                "lenders".into(),
                r.iter().map(|x| x.lenders).collect::<Vec<_>>(),
            ),
            Column::new(
                "lenders_paid".into(),
                r.iter().map(|x| x.lenders_paid).collect::<Vec<_>>(),
            ),
            Column::new(
                "level".into(),
                r.iter().map(|x| x.level).collect::<Vec<_>>(),
            ),
        ],
    )
    .context("assembling payout_rounds")?;
    export::money_to_decimal(
        &mut rounds,
        &["pool", "paid", "reserved", "carried", "surplus"],
    )?;
    export::write_parquet(staging, "payout_rounds.parquet", &mut rounds)
}

/// Read a ledger (an earlier run's payouts.parquet): money back to fen, exactly.
pub fn read_ledger(path: &std::path::Path) -> Result<Vec<PayoutRow>> {
    use crate::error::Error;
    use polars::prelude::*;
    let bad = |m: String| Error::bad_file(path, m);
    let df = crate::frame::read_parquet_file(path)?;
    let col = |name: &str| {
        df.column(name)
            .map_err(|_| bad(format!("not a payouts ledger: no column {name}")))
    };
    let text = |name: &str| -> Result<Vec<String>> {
        Ok(col(name)?
            .str()
            .map_err(|_| bad(format!("column {name} is not text")))?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect())
    };
    let money = |name: &str| crate::frame::decimal_fen(&df, name, path);
    let rounds: Vec<i64> = col("round")?
        .cast(&DataType::Int64)
        .map_err(|_| bad("column round is not an integer".into()))?
        .i64()
        .map_err(|_| bad("column round is not an integer".into()))?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let (platforms, lenders, status) = (text("platform_id")?, text("lender_id")?, text("status")?);
    let (claim, before, paid, reserved, carried) = (
        money("claim")?,
        money("before")?,
        money("paid")?,
        money("reserved")?,
        money("carried")?,
    );
    Ok((0..df.height())
        .map(|i| PayoutRow {
            platform_id: platforms[i].clone(),
            round: rounds[i],
            lender_id: lenders[i].clone(),
            status: if status[i] == "reserved" {
                "reserved"
            } else {
                "eligible"
            },
            claim: claim[i],
            before: before[i],
            paid: paid[i],
            reserved: reserved[i],
            carried: carried[i],
        })
        .collect())
}

/// The bank-transfer rows (platform, round, lender_id, name, id_number, amount) of the paid
/// lenders in the rounds computed in this run — never a round taken from the ledger.
pub fn write_payment_rows(
    file: &mut crate::output::PaymentFile,
    payouts: &Payouts,
    personal: &polars::prelude::DataFrame,
) -> Result<()> {
    use crate::error::PolarsContext;
    let text = |c: &str| -> Result<&polars::prelude::StringChunked> {
        personal.column(c).context(c)?.str().context(c)
    };
    let (ids, names, numbers) = (text("lender_id")?, text("name")?, text("id_number")?);
    let who: std::collections::HashMap<&str, (&str, &str)> = ids
        .iter()
        .zip(names.iter().zip(numbers.iter()))
        .map(|(i, (n, d))| (i.unwrap_or(""), (n.unwrap_or(""), d.unwrap_or(""))))
        .collect();
    let computed: std::collections::HashSet<(&str, i64)> = payouts
        .rounds
        .iter()
        .filter(|r| r.computed)
        .map(|r| (r.platform_id.as_str(), r.round))
        .collect();
    file.header(&[
        "platform_id",
        "round",
        "lender_id",
        "name",
        "id_number",
        "amount",
    ])?;
    for r in payouts
        .rows
        .iter()
        .filter(|r| r.paid > 0 && computed.contains(&(r.platform_id.as_str(), r.round)))
    {
        let (name, id_number) = who.get(r.lender_id.as_str()).copied().unwrap_or(("", ""));
        file.transfer(
            &[
                r.platform_id.as_str(),
                &r.round.to_string(),
                r.lender_id.as_str(),
                name,
                id_number,
                &crate::money::format_fen(r.paid),
            ],
            r.paid,
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------- plan

/// The staged exit plan of the analysed platforms.
pub fn make_plan(
    analysis: &Analysis,
    config: &Config,
    as_of: Option<crate::date::Date>,
) -> Result<crate::plan::Plan> {
    let Some(as_of) = as_of else {
        if analysis.platforms.is_empty() {
            // Nothing to plan and no date to plan from: an empty plan.
            return Ok(crate::plan::Plan {
                entries: Vec::new(),
                stages: Vec::new(),
            });
        }
        return Err(crate::error::Error::Usage(
            "the exit plan needs an as-of date: the data has no dated rows, pass --as-of".into(),
        ));
    };
    let inputs = analysis
        .platforms
        .iter()
        .map(|(m, c, _)| crate::plan::PlatformInput {
            platform_id: m.platform_id.clone(),
            name: m.name.clone(),
            district: m.district.clone(),
            class: c.class,
            subclass: c.subclass,
            lender_outstanding: m.lender_outstanding,
            lenders_current: m.lenders_current,
            last_loan_maturity: m.last_loan_maturity,
        })
        .collect();
    Ok(crate::plan::plan(inputs, &config.plan, as_of))
}

/// plan.parquet, plan_stages.parquet and plan.md.
pub fn write_plan(staging: &Staging, analysis: &Analysis, plan: &crate::plan::Plan) -> Result<()> {
    export::write_parquet(staging, "plan.parquet", &mut export::plan_frame(plan)?)?;
    export::write_parquet(
        staging,
        "plan_stages.parquet",
        &mut export::plan_stages_frame(plan)?,
    )?;
    staging.write("plan.md", plan_markdown(analysis, plan).as_bytes())
}

fn yuan_fen(fen: i64) -> String {
    crate::money::format_fen(fen)
}

/// The plan document a regulator prints: the 三降 projection, then one page per platform
/// (一企一策) in plan order.
pub fn plan_markdown(analysis: &Analysis, plan: &crate::plan::Plan) -> String {
    use std::fmt::Write;
    let by_id: std::collections::HashMap<&str, &PlatformRow> = analysis
        .platforms
        .iter()
        .map(|r| (r.0.platform_id.as_str(), r))
        .collect();
    let mut md = String::new();
    let as_of = plan
        .stages
        .first()
        .map(|s| s.ends_on.to_string())
        .unwrap_or_default();
    let _ = writeln!(md, "# 一企一策 分阶段退出计划 / Staged exit plan\n");
    let _ = writeln!(
        md,
        "数据截至 As of {as_of}。平台 {} 家。\n",
        plan.entries.len()
    );
    let _ = writeln!(md, "## 三降 projection 预计压降\n");
    let _ = writeln!(md, "| 阶段 stage | 截至 ends on | 平台 platforms | 余额 outstanding (元) | 在贷出借人 lenders | 目标 targets |");
    let _ = writeln!(md, "|---|---|---|---|---|---|");
    for s in &plan.stages {
        let _ = writeln!(
            md,
            "| {} | {} | {} ({:.1}%) | {} ({:.1}%) | {} ({:.1}%) | {} |",
            s.stage,
            s.ends_on,
            s.platforms_remaining,
            s.platforms_remaining_pct,
            yuan_fen(s.outstanding_remaining),
            s.outstanding_remaining_pct,
            s.lenders_remaining,
            s.lenders_remaining_pct,
            s.targets
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    for e in &plan.entries {
        let _ = writeln!(md, "\n<div style=\"page-break-after: always\"></div>\n");
        let p = &e.input;
        let _ = writeln!(
            md,
            "## {}. {} {}（{}）\n",
            e.order_rank, p.platform_id, p.name, p.district
        );
        if let Some((m, c, x)) = by_id.get(p.platform_id.as_str()) {
            let sub = c
                .subclass
                .map(|s| format!(" / {} {}", s.zh(), s.code()))
                .unwrap_or_default();
            let _ = writeln!(
                md,
                "- 类别 Class: **{} {}**{sub}",
                c.class.zh(),
                c.class.code()
            );
            let _ = writeln!(md, "- 理由 Reason: {}", c.reason_zh);
            let _ = writeln!(md, "- Reason: {}", c.reason_en);
            if c.refer_to_illegal_fundraising_unit {
                let _ = writeln!(md, "- 未正常报数：移送处非机制 / not reporting: referred to the illegal-fundraising unit");
            }
            let _ = writeln!(
                md,
                "- 出借余额 lender outstanding: {} 元；在贷出借人 current lenders: {}；借款余额 loan outstanding: {} 元",
                yuan_fen(m.lender_outstanding),
                m.lenders_current,
                yuan_fen(m.loan_outstanding)
            );
            let _ = writeln!(
                md,
                "- 债权总额 total claim: {} 元；预计回收 expected recovery: {} 元",
                yuan_fen(x.total_claim),
                yuan_fen(m.expected_recovery)
            );
            let fired: Vec<String> = c
                .reasons
                .iter()
                .filter(|r| r.fired)
                .map(|r| {
                    format!(
                        "{} = {}",
                        r.rule,
                        r.value.map_or("null".to_string(), |v| format!("{v:.4}"))
                    )
                })
                .collect();
            if !fired.is_empty() {
                let _ = writeln!(md, "- 触发规则 rules fired: {}", fired.join("; "));
            }
        }
        let _ = writeln!(md, "- 处置方式 Action: **{}** ({})", e.action_zh, e.action);
        let _ = writeln!(
            md,
            "- 责任单位 Responsible units: {}",
            e.responsible_units.join("、")
        );
        let _ = writeln!(
            md,
            "- 阶段 Stage {}: {} 起，预计 {} 前完成 / starts {}, complete by {}\n",
            e.stage, e.start_on, e.complete_by, e.start_on, e.complete_by
        );
        let _ = writeln!(md, "| 步骤 step | 截止 due |");
        let _ = writeln!(md, "|---|---|");
        for s in &e.steps {
            let _ = writeln!(md, "| {} {} | {} |", s.step_zh, s.step, s.due_on);
        }
    }
    md
}

/// Platforms per stage and the 三降 curve on the console.
pub fn print_plan_summary(plan: &crate::plan::Plan, log: &crate::cli::Log) {
    log.info("stage  ends on     platforms  remaining: platforms  outstanding (yuan)      lenders");
    for s in &plan.stages {
        log.info(&format!(
            "{:>5}  {}  {:>9}  {:>20}  {:>18}  {:>11}{}",
            s.stage,
            s.ends_on,
            s.platforms,
            format!(
                "{} ({:.1}%)",
                s.platforms_remaining, s.platforms_remaining_pct
            ),
            yuan_fen(s.outstanding_remaining),
            s.lenders_remaining,
            if s.targets.is_empty() {
                String::new()
            } else {
                format!(
                    "  [{}]",
                    s.targets
                        .iter()
                        .map(|t| t.0.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            }
        ));
    }
}

// ---------------------------------------------------------------- summary

/// Per platform: cumulative paid + reserved over every round / total claim.
pub fn payout_ratios(
    analysis: &Analysis,
    payouts: &Payouts,
) -> Vec<(String, i64, i64, Option<f64>)> {
    let mut given: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for r in &payouts.rows {
        *given.entry(r.platform_id.as_str()).or_default() += r.paid + r.reserved;
    }
    analysis
        .platforms
        .iter()
        .filter(|(m, _, _)| given.contains_key(m.platform_id.as_str()))
        .map(|(m, _, x)| {
            let g = given[m.platform_id.as_str()];
            (
                m.platform_id.clone(),
                x.total_claim,
                g,
                (x.total_claim > 0).then(|| g as f64 / x.total_claim as f64),
            )
        })
        .collect()
}

/// summary.json: counts and money by class and district, claim bands, the 三降 curve, payouts.
pub fn summary_json(
    validated: &Validated,
    analysis: &Analysis,
    plan: &crate::plan::Plan,
    payouts: &Payouts,
) -> serde_json::Value {
    use serde_json::json;
    let y = |fen: i128| {
        let sign = if fen < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", (fen / 100).abs(), (fen % 100).abs())
    };
    let mut by_class = Vec::new();
    for class in Class::ALL {
        let rows: Vec<&PlatformRow> = analysis
            .platforms
            .iter()
            .filter(|r| r.1.class == class)
            .collect();
        let sum =
            |f: &dyn Fn(&PlatformRow) -> i64| rows.iter().map(|r| i128::from(f(r))).sum::<i128>();
        by_class.push(json!({
            "class": class.code(),
            "class_zh": class.zh(),
            "platforms": rows.len(),
            "lender_outstanding": y(sum(&|r| r.0.lender_outstanding)),
            "loan_outstanding": y(sum(&|r| r.0.loan_outstanding)),
            "lenders_current": sum(&|r| r.0.lenders_current) as i64,
            "total_claim": y(sum(&|r| r.2.total_claim)),
            "expected_recovery": y(sum(&|r| r.0.expected_recovery)),
        }));
    }
    let mut districts: std::collections::BTreeMap<&str, (usize, i128, i64)> =
        std::collections::BTreeMap::new();
    for (m, _, _) in &analysis.platforms {
        let d = districts.entry(m.district.as_str()).or_default();
        d.0 += 1;
        d.1 += i128::from(m.lender_outstanding);
        d.2 += m.lenders_current;
    }
    let mut bands = Vec::new();
    for (i, (band, _)) in crate::exposure::BANDS.iter().enumerate() {
        let lenders: i64 = analysis.platforms.iter().map(|r| r.2.bands[i].0).sum();
        let claim: i128 = analysis
            .platforms
            .iter()
            .map(|r| i128::from(r.2.bands[i].1))
            .sum();
        bands.push(json!({"band": band, "lenders": lenders, "claim": y(claim)}));
    }
    let computed: Vec<&RoundRow> = payouts.rounds.iter().collect();
    let rsum = |f: fn(&RoundRow) -> i64| computed.iter().map(|r| i128::from(f(r))).sum::<i128>();
    json!({
        "as_of": validated.report.as_of.map(|d| d.to_string()),
        "rows": {
            "read": validated.report.tables.values().map(|t| t.read).sum::<u64>(),
            "rejected": validated.report.total_rejected(),
        },
        "platforms": analysis.platforms.len(),
        "by_class": by_class,
        "by_district": districts.iter().map(|(d, (n, o, l))| json!({
            "district": d, "platforms": n, "lender_outstanding": y(*o), "lenders_current": l,
        })).collect::<Vec<_>>(),
        "claim_bands": bands,
        "plan": plan.stages.iter().map(|s| json!({
            "stage": s.stage,
            "ends_on": s.ends_on.to_string(),
            "platforms_remaining": s.platforms_remaining,
            "outstanding_remaining": y(s.outstanding_remaining.into()),
            "lenders_remaining": s.lenders_remaining,
            "platforms_remaining_pct": s.platforms_remaining_pct,
            "outstanding_remaining_pct": s.outstanding_remaining_pct,
            "lenders_remaining_pct": s.lenders_remaining_pct,
            "targets": s.targets.iter().map(|t| json!({"target": t.0, "met": t.1})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "payouts": {
            "rounds": computed.len(),
            "pool": y(rsum(|r| r.pool)),
            "paid": y(rsum(|r| r.paid)),
            "reserved": y(rsum(|r| r.reserved)),
            "carried": y(rsum(|r| r.carried)),
            "surplus": y(rsum(|r| r.surplus)),
        },
        "payout_ratio": payout_ratios(analysis, payouts).into_iter().map(|(p, claim, given, ratio)| json!({
            "platform_id": p, "total_claim": y(claim.into()), "paid_and_reserved": y(given.into()), "ratio": ratio,
        })).collect::<Vec<_>>(),
    })
}

/// Replace the lender_id column by keyed pseudonyms.
fn pseudonymize(
    df: &mut polars::prelude::DataFrame,
    p: &crate::manifest::Pseudonymizer,
) -> Result<()> {
    use crate::error::PolarsContext;
    use polars::prelude::*;
    let ids: Vec<Option<String>> = df
        .column("lender_id")
        .context("lender_id")?
        .str()
        .context("lender_id")?
        .iter()
        .map(|v| v.map(|v| p.pseudonym(v)))
        .collect();
    df.with_column(Column::new("lender_id".into(), ids))
        .context("pseudonymizing")?;
    Ok(())
}

/// summary.json and report.html.
pub fn write_summary_and_report(
    staging: &Staging,
    validated: &Validated,
    analysis: &Analysis,
    plan: &crate::plan::Plan,
    payouts: &Payouts,
) -> Result<()> {
    let summary = summary_json(validated, analysis, plan, payouts);
    staging.write("summary.json", &output::json_bytes(&summary)?)?;
    write_report(staging, validated, analysis, plan, payouts)
}

/// report.html.
fn write_report(
    staging: &Staging,
    validated: &Validated,
    analysis: &Analysis,
    plan: &crate::plan::Plan,
    payouts: &Payouts,
) -> Result<()> {
    use crate::error::PolarsContext;
    let d = &analysis.exposure.districts;
    let names = d
        .column("district")
        .context("district")?
        .str()
        .context("district")?;
    let classes = d.column("class").context("class")?.str().context("class")?;
    let lenders = d
        .column("lenders")
        .context("lenders")?
        .i64()
        .context("lenders")?;
    let claims = d
        .column("claims")
        .context("claims")?
        .i64()
        .context("claims")?;
    let districts = names
        .iter()
        .zip(classes.iter())
        .zip(lenders.iter().zip(claims.iter()))
        .map(|((n, c), (l, m))| {
            (
                n.map(str::to_string),
                c.unwrap_or("").to_string(),
                l.unwrap_or(0),
                m.unwrap_or(0),
            )
        })
        .collect();
    let input = crate::report::ReportInput {
        as_of: validated.report.as_of,
        rows_read: validated.report.tables.values().map(|t| t.read).sum(),
        rows_rejected: validated.report.total_rejected(),
        platforms: &analysis.platforms,
        plan,
        districts,
        payout_ratios: payout_ratios(analysis, payouts),
    };
    staging.write("report.html", crate::report::html(&input)?.as_bytes())
}
