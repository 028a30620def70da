//! The regulator-editable TOML config, read in two steps: serde reads [`RawConfig`] with
//! `deny_unknown_fields` (a mistyped key is an error that names it), then [`Config::resolve`]
//! checks it and produces the resolved [`Config`] the stages use. The raw struct goes no further.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

mod defaults;
mod raw;

pub use crate::domain::fraction::Ratio;
use crate::error::{Error, Result};
use crate::input::schema::Table;
pub use defaults::DEFAULTS_TOML;
pub use raw::*;

/// What a 三降 target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Platforms,
    Outstanding,
    Lenders,
}

impl Measure {
    pub fn code(self) -> &'static str {
        match self {
            Measure::Platforms => "platforms",
            Measure::Outstanding => "outstanding",
            Measure::Lenders => "lenders",
        }
    }
}

/// A reduction target: `measure` at the end of `stage` at most (1 − reduction) × the start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub measure: Measure,
    pub stage: u32,
    pub reduction: Ratio,
}

/// The exit plan's settings, resolved.
#[derive(Debug, Clone)]
pub struct PlanRules {
    pub stages: u32,
    pub stage_months: u32,
    pub max_platforms: Option<i64>,
    pub max_current_lenders: Option<i64>,
    /// Fen.
    pub max_outstanding: Option<i64>,
    /// Per class in the order of [`crate::rules::classify::Class::ALL`].
    pub units: [Vec<String>; 5],
    pub targets: Vec<Target>,
}

/// How a lender's claim on a platform is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// 合同口径: Σ amount − Σ principal_returned.
    OutstandingPrincipal,
    /// 本金折抵: returns already received are offset against the principal still owed.
    NetOfReturns,
}

impl Basis {
    pub fn code(self) -> &'static str {
        match self {
            Basis::OutstandingPrincipal => "outstanding_principal",
            Basis::NetOfReturns => "net_of_returns",
        }
    }
}

/// Classification thresholds (DESIGN §3), resolved.
#[derive(Debug, Clone)]
pub struct ClassifyRules {
    pub zombie_months: i64,
    /// Fen; small means strictly below.
    pub small_max_outstanding: i64,
    pub small_max_current_lenders: Option<i64>,
    pub overdue_90_ratio: Ratio,
    pub funding_gap_ratio: Ratio,
    pub related_party_share: Ratio,
    pub top10_borrower_share: Ratio,
    pub borrower_cap_breach_share: Ratio,
    pub maturity_mismatch_share: Ratio,
    /// Fen; a borrower strictly above breaches.
    pub individual_borrower_cap: i64,
    pub enterprise_borrower_cap: i64,
}

/// Recovery rates in ten-thousandths (at most 4 decimals, DESIGN §3).
#[derive(Debug, Clone, Copy)]
pub struct RecoveryRates {
    /// Days past due 0, 1–30, 31–90, 91–180, > 180.
    pub buckets: [i64; 5],
    pub collateral: i64,
}

/// The resolved config.
#[derive(Debug, Clone)]
pub struct Config {
    /// Header text (trimmed) → contract column name.
    pub columns: BTreeMap<String, String>,
    pub classify: ClassifyRules,
    pub recovery: RecoveryRates,
    /// Claim basis per class, in the order of [`crate::rules::classify::Class::ALL`].
    pub basis: [Basis; 5],
    pub plan: PlanRules,
}

impl Config {
    pub fn basis_for(&self, class: crate::rules::classify::Class) -> Basis {
        self.basis[class.index()]
    }
}

impl Config {
    /// Read and resolve a config file; `None` gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("config {}: cannot read: {e}", path.display())))?;
        Config::from_toml(&text)
            .map_err(|e| Error::Config(format!("config {}: {e}", path.display())))
    }

    /// Parse and resolve config text; the error is one line naming the offending key.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| e.message().trim().replace('\n', " "))?;
        Config::resolve(raw).map_err(|e| e.to_string())
    }

    /// Check the raw config and fill what it leaves out from [`Config::default`].
    fn resolve(raw: RawConfig) -> Result<Config> {
        let defaults = Config::default();
        let mut columns = BTreeMap::new();
        for (header, target) in raw.columns {
            let known = Table::ALL.iter().any(|t| t.column_index(&target).is_some());
            if !known {
                return Err(Error::Config(format!(
                    "[columns] \"{header}\" maps to \"{target}\", which is no column of any table"
                )));
            }
            columns.insert(header.trim().to_string(), target);
        }
        let c = &raw.classify;
        let ratio = |v: &Option<Num>, key: &str, default: Ratio| -> Result<Ratio> {
            match v {
                Some(n) => Ok(Ratio::from_decimal(
                    n.to_decimal(&format!("[classify] {key}"))?.normalize(),
                )),
                None => Ok(default),
            }
        };
        let yuan = |v: &Option<Num>, key: &str, default: i64| -> Result<i64> {
            let Some(n) = v else { return Ok(default) };
            let d = n.to_decimal(&format!("[classify] {key}"))?;
            crate::domain::money::parse_fen(&d.normalize().to_string())
                .filter(|f| *f >= 0)
                .ok_or_else(|| Error::Config(format!("[classify] {key}: {d} is not a non-negative yuan amount with at most 2 decimals")))
        };
        let dc = &defaults.classify;
        let zombie_months = c.zombie_months.unwrap_or(dc.zombie_months);
        if zombie_months < 0 {
            return Err(Error::Config(
                "[classify] zombie_months: must be ≥ 0".into(),
            ));
        }
        let classify = ClassifyRules {
            zombie_months,
            small_max_outstanding: yuan(
                &c.small_max_outstanding,
                "small_max_outstanding",
                dc.small_max_outstanding,
            )?,
            small_max_current_lenders: c.small_max_current_lenders.or(dc.small_max_current_lenders),
            overdue_90_ratio: ratio(&c.overdue_90_ratio, "overdue_90_ratio", dc.overdue_90_ratio)?,
            funding_gap_ratio: ratio(
                &c.funding_gap_ratio,
                "funding_gap_ratio",
                dc.funding_gap_ratio,
            )?,
            related_party_share: ratio(
                &c.related_party_share,
                "related_party_share",
                dc.related_party_share,
            )?,
            top10_borrower_share: ratio(
                &c.top10_borrower_share,
                "top10_borrower_share",
                dc.top10_borrower_share,
            )?,
            borrower_cap_breach_share: ratio(
                &c.borrower_cap_breach_share,
                "borrower_cap_breach_share",
                dc.borrower_cap_breach_share,
            )?,
            maturity_mismatch_share: ratio(
                &c.maturity_mismatch_share,
                "maturity_mismatch_share",
                dc.maturity_mismatch_share,
            )?,
            individual_borrower_cap: yuan(
                &c.individual_borrower_cap,
                "individual_borrower_cap",
                dc.individual_borrower_cap,
            )?,
            enterprise_borrower_cap: yuan(
                &c.enterprise_borrower_cap,
                "enterprise_borrower_cap",
                dc.enterprise_borrower_cap,
            )?,
        };
        let r = &raw.recovery;
        let rate = |v: &Option<Num>, key: &str, default: i64| -> Result<i64> {
            let Some(n) = v else { return Ok(default) };
            let d = n.to_decimal(&format!("[recovery] {key}"))?.normalize();
            if d.scale() > 4 || d < Decimal::ZERO || d > Decimal::ONE {
                return Err(Error::Config(format!(
                    "[recovery] {key}: {d} must be between 0 and 1 with at most 4 decimals"
                )));
            }
            use rust_decimal::prelude::ToPrimitive;
            (d * Decimal::from(10_000))
                .to_i64()
                .ok_or_else(|| Error::Internal(format!("[recovery] {key}: cannot scale {d}")))
        };
        let dr = &defaults.recovery;
        let recovery = RecoveryRates {
            buckets: [
                rate(&r.rate_current, "rate_current", dr.buckets[0])?,
                rate(&r.rate_1_30, "rate_1_30", dr.buckets[1])?,
                rate(&r.rate_31_90, "rate_31_90", dr.buckets[2])?,
                rate(&r.rate_91_180, "rate_91_180", dr.buckets[3])?,
                rate(&r.rate_over_180, "rate_over_180", dr.buckets[4])?,
            ],
            collateral: rate(&r.collateral_rate, "collateral_rate", dr.collateral)?,
        };
        let b = &raw.claims;
        let basis = |v: &Option<String>, key: &str, default: Basis| -> Result<Basis> {
            match v.as_deref().map(str::trim) {
                None => Ok(default),
                Some("net_of_returns") => Ok(Basis::NetOfReturns),
                Some("outstanding_principal") => Ok(Basis::OutstandingPrincipal),
                Some(other) => Err(Error::Config(format!(
                    "[claims] {key}: {other:?} is not a basis (net_of_returns or outstanding_principal)"
                ))),
            }
        };
        let db = &defaults.basis;
        let basis = [
            basis(&b.failed, "failed", db[0])?,
            basis(&b.zombie, "zombie", db[1])?,
            basis(&b.small, "small", db[2])?,
            basis(&b.high_risk, "high_risk", db[3])?,
            basis(&b.normal, "normal", db[4])?,
        ];
        let p = &raw.plan;
        let positive = |v: Option<i64>, key: &str| -> Result<Option<i64>> {
            match v {
                Some(n) if n <= 0 => {
                    Err(Error::Config(format!("[plan] {key}: must be at least 1")))
                }
                other => Ok(other),
            }
        };
        let max_outstanding = match &p.max_outstanding {
            None => None,
            Some(n) => {
                let d = n.to_decimal("[plan] max_outstanding")?;
                Some(
                    crate::domain::money::parse_fen(&d.normalize().to_string())
                        .filter(|f| *f > 0)
                        .ok_or_else(|| {
                            Error::Config(format!(
                                "[plan] max_outstanding: {d} is not a positive yuan amount"
                            ))
                        })?,
                )
            }
        };
        let dp = &defaults.plan;
        let units = |v: &Option<Vec<String>>, i: usize| -> Vec<String> {
            v.clone().unwrap_or_else(|| dp.units[i].clone())
        };
        let mut targets = Vec::new();
        for t in &p.targets {
            let measure = match t.measure.trim() {
                "platforms" => Some(Measure::Platforms),
                "outstanding" => Some(Measure::Outstanding),
                "lenders" => Some(Measure::Lenders),
                _ => None,
            };
            let measure = measure.ok_or_else(|| {
                Error::Config(format!(
                    "[[plan.targets]] measure: {:?} is not platforms, outstanding or lenders",
                    t.measure
                ))
            })?;
            let d = t
                .reduction
                .to_decimal("[[plan.targets]] reduction")?
                .normalize();
            if d < Decimal::ZERO || d > Decimal::ONE {
                return Err(Error::Config(format!(
                    "[[plan.targets]] reduction: {d} must be between 0 and 1"
                )));
            }
            if t.stage == 0 {
                return Err(Error::Config(
                    "[[plan.targets]] stage: stages count from 1".into(),
                ));
            }
            targets.push(Target {
                measure,
                stage: t.stage,
                reduction: Ratio::from_decimal(d),
            });
        }
        let plan = PlanRules {
            stages: p.stages.unwrap_or(dp.stages).max(1),
            stage_months: p.stage_months.unwrap_or(dp.stage_months).max(1),
            max_platforms: positive(p.max_platforms.or(dp.max_platforms), "max_platforms")?,
            max_current_lenders: positive(
                p.max_current_lenders.or(dp.max_current_lenders),
                "max_current_lenders",
            )?,
            max_outstanding: max_outstanding.or(dp.max_outstanding),
            units: [
                units(&p.units.failed, 0),
                units(&p.units.zombie, 1),
                units(&p.units.small, 2),
                units(&p.units.high_risk, 3),
                units(&p.units.normal, 4),
            ],
            targets,
        };
        Ok(Config {
            columns,
            classify,
            recovery,
            basis,
            plan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_defaults_read_back_as_the_defaults() {
        let printed = Config::from_toml(DEFAULTS_TOML).unwrap();
        let default = Config::default();
        assert_eq!(format!("{printed:?}"), format!("{default:?}"));
        assert_eq!(default.classify.small_max_outstanding, 10_000_000_000);
        assert_eq!(default.classify.overdue_90_ratio, Ratio { num: 1, den: 10 });
        assert_eq!(
            default.recovery.buckets,
            [9_500, 8_000, 5_000, 2_500, 1_000]
        );
    }

    #[test]
    fn thresholds_are_exact_and_validated() {
        let c = Config::from_toml("[classify]\noverdue_90_ratio = 0.1\n").unwrap();
        assert_eq!(c.classify.overdue_90_ratio, Ratio { num: 1, den: 10 });
        let e = Config::from_toml("[classify]\noverdue_90_ratoi = 0.1\n").unwrap_err();
        assert!(e.contains("overdue_90_ratoi"), "{e}");
        let e = Config::from_toml("[recovery]\nrate_current = 0.12345\n").unwrap_err();
        assert!(e.contains("rate_current"), "{e}");
        let e = Config::from_toml("[classify]\nsmall_max_outstanding = \"1.005\"\n").unwrap_err();
        assert!(e.contains("small_max_outstanding"), "{e}");
    }

    #[test]
    fn columns_map_headers_to_contract_names() {
        let c = Config::from_toml("[columns]\n\"平台编号\" = \"platform_id\"\n").unwrap();
        assert_eq!(
            c.columns.get("平台编号").map(String::as_str),
            Some("platform_id")
        );
    }

    #[test]
    fn unknown_keys_and_targets_are_named() {
        let e = Config::from_toml("[colums]\na = \"platform_id\"\n").unwrap_err();
        assert!(e.contains("colums"), "{e}");
        let e = Config::from_toml("[columns]\na = \"platfrom_id\"\n").unwrap_err();
        assert!(e.contains("platfrom_id"), "{e}");
    }
}
