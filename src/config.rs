//! The regulator-editable TOML config, read in two steps: serde reads [`RawConfig`] with
//! `deny_unknown_fields` (a mistyped key is an error that names it), then [`Config::resolve`]
//! checks it and produces the resolved [`Config`] the stages use. The raw struct goes no further.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::schema::Table;

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// File header → contract column name, for every table (e.g. `"平台编号" = "platform_id"`).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub classify: RawClassify,
    #[serde(default)]
    pub recovery: RawRecovery,
    #[serde(default)]
    pub claims: RawClaims,
    #[serde(default)]
    pub plan: RawPlan,
}

/// `[plan]`: the staged exit plan (DESIGN §5).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    pub stages: Option<u32>,
    pub stage_months: Option<u32>,
    pub max_platforms: Option<i64>,
    pub max_current_lenders: Option<i64>,
    pub max_outstanding: Option<Num>,
    #[serde(default)]
    pub units: RawUnits,
    #[serde(default)]
    pub targets: Vec<RawTarget>,
}

/// `[plan.units]`: responsible units per class (the platform's district is added).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUnits {
    pub failed: Option<Vec<String>>,
    pub zombie: Option<Vec<String>>,
    pub small: Option<Vec<String>>,
    pub high_risk: Option<Vec<String>>,
    pub normal: Option<Vec<String>>,
}

/// `[[plan.targets]]`: e.g. lenders down 50 % by the end of stage 2.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    pub measure: String,
    pub stage: u32,
    pub reduction: Num,
}

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
    /// Per class in the order of [`crate::classify::Class::ALL`].
    pub units: [Vec<String>; 5],
    pub targets: Vec<Target>,
}

/// `[claims]`: the claim basis per class (DESIGN §4).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClaims {
    pub failed: Option<String>,
    pub zombie: Option<String>,
    pub small: Option<String>,
    pub high_risk: Option<String>,
    pub normal: Option<String>,
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

/// A number as written: TOML integer, float (read back through its shortest decimal text,
/// so `0.1` is exactly 1/10) or string (`"0.10"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Num {
    fn to_decimal(&self, key: &str) -> Result<Decimal> {
        let text = match self {
            Num::Int(i) => i.to_string(),
            Num::Float(f) if f.is_finite() => format!("{f}"),
            Num::Float(_) => return Err(Error::Usage(format!("{key}: not a finite number"))),
            Num::Text(t) => t.trim().to_string(),
        };
        text.parse::<Decimal>()
            .map_err(|_| Error::Usage(format!("{key}: {text:?} is not a decimal number")))
    }
}

/// `[classify]`: thresholds of DESIGN §3.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClassify {
    pub zombie_months: Option<i64>,
    pub small_max_outstanding: Option<Num>,
    pub small_max_current_lenders: Option<i64>,
    pub overdue_90_ratio: Option<Num>,
    pub funding_gap_ratio: Option<Num>,
    pub related_party_share: Option<Num>,
    pub top10_borrower_share: Option<Num>,
    pub borrower_cap_breach_share: Option<Num>,
    pub maturity_mismatch_share: Option<Num>,
    pub individual_borrower_cap: Option<Num>,
    pub enterprise_borrower_cap: Option<Num>,
}

/// `[recovery]`: recovery rates by days past due, and the collateral rate.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRecovery {
    pub rate_current: Option<Num>,
    pub rate_1_30: Option<Num>,
    pub rate_31_90: Option<Num>,
    pub rate_91_180: Option<Num>,
    pub rate_over_180: Option<Num>,
    pub collateral_rate: Option<Num>,
}

/// A threshold as an exact fraction `num / den` (den > 0), compared without rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

impl Ratio {
    fn from_decimal(d: Decimal) -> Ratio {
        Ratio {
            num: d.mantissa(),
            den: 10i128.pow(d.scale()),
        }
    }

    /// Does `value_num / value_den` reach this threshold? A zero denominator is a ratio of 0.
    /// Exact for every threshold the config can hold (up to 28 decimals): no product is formed.
    pub fn reached_by(self, value_num: i64, value_den: i64) -> bool {
        if value_den == 0 {
            return self.num <= 0;
        }
        let (a, b) = if value_den < 0 {
            (-i128::from(value_num), -i128::from(value_den))
        } else {
            (i128::from(value_num), i128::from(value_den))
        };
        cmp_fractions(a, b, self.num, self.den) != std::cmp::Ordering::Less
    }

    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// Compare a/b with c/d exactly (b, d > 0) without forming a product, so no operand size can
/// overflow: whole parts first, then the fractional parts by their reciprocals (Euclid).
pub fn cmp_fractions(a: i128, b: i128, c: i128, d: i128) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    debug_assert!(b > 0 && d > 0);
    match (a < 0, c < 0) {
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        // Both negative: compare the magnitudes the other way round.
        (true, true) => {
            return cmp_positive(c.unsigned_abs(), d as u128, a.unsigned_abs(), b as u128)
        }
        (false, false) => {}
    }
    cmp_positive(a as u128, b as u128, c as u128, d as u128)
}

/// a/b against c/d for a, c ≥ 0 and b, d > 0.
fn cmp_positive(mut a: u128, mut b: u128, mut c: u128, mut d: u128) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    // Each step compares whole parts, then swaps to the reciprocals of the remainders, which
    // reverses the order: a/b < c/d ⇔ d/rc < b/ra when the whole parts are equal.
    loop {
        let (qa, ra, qc, rc) = (a / b, a % b, c / d, c % d);
        if qa != qc {
            return qa.cmp(&qc);
        }
        match (ra == 0, rc == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => (a, b, c, d) = (d, rc, b, ra),
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
    /// Claim basis per class, in the order of [`crate::classify::Class::ALL`].
    pub basis: [Basis; 5],
    pub plan: PlanRules,
}

impl Config {
    pub fn basis_for(&self, class: crate::classify::Class) -> Basis {
        self.basis[class.index()]
    }
}

/// The defaults of DESIGN §3–§6, in one place (DEFAULTS_TOML documents them; a test checks
/// that reading it back gives exactly these). Ratios are written as the config parser makes
/// them from their shortest decimal text ("0.05" is 5/100).
impl Default for Config {
    fn default() -> Config {
        const FINANCE: &str = "地方金融监管部门";
        const BANKING: &str = "银保监分局";
        const PBOC: &str = "人民银行分支机构";
        const POLICE: &str = "公安机关";
        let ratio = |num, den| Ratio { num, den };
        let units = |u: &[&str]| u.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Config {
            columns: BTreeMap::new(),
            classify: ClassifyRules {
                zombie_months: 6,
                small_max_outstanding: 100_000_000 * 100,
                small_max_current_lenders: None,
                overdue_90_ratio: ratio(1, 10),
                funding_gap_ratio: ratio(5, 100),
                related_party_share: ratio(2, 100),
                top10_borrower_share: ratio(5, 10),
                borrower_cap_breach_share: ratio(1, 10),
                maturity_mismatch_share: ratio(2, 10),
                individual_borrower_cap: 200_000 * 100,
                enterprise_borrower_cap: 1_000_000 * 100,
            },
            recovery: RecoveryRates {
                buckets: [9_500, 8_000, 5_000, 2_500, 1_000],
                collateral: 5_000,
            },
            basis: [
                Basis::NetOfReturns,
                Basis::OutstandingPrincipal,
                Basis::OutstandingPrincipal,
                Basis::OutstandingPrincipal,
                Basis::OutstandingPrincipal,
            ],
            plan: PlanRules {
                stages: 4,
                stage_months: 3,
                max_platforms: Some(20),
                max_current_lenders: None,
                max_outstanding: None,
                units: [
                    units(&[POLICE, FINANCE, PBOC, BANKING]),
                    units(&[FINANCE, BANKING]),
                    units(&[FINANCE, BANKING, PBOC]),
                    units(&[FINANCE, BANKING, PBOC, POLICE]),
                    units(&[FINANCE, BANKING, PBOC]),
                ],
                targets: Vec::new(),
            },
        }
    }
}

impl Config {
    /// Read and resolve a config file; `None` gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("config {}: cannot read: {e}", path.display())))?;
        Config::from_toml(&text)
            .map_err(|e| Error::Usage(format!("config {}: {e}", path.display())))
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
                return Err(Error::Usage(format!(
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
            crate::money::parse_fen(&d.normalize().to_string())
                .filter(|f| *f >= 0)
                .ok_or_else(|| Error::Usage(format!("[classify] {key}: {d} is not a non-negative yuan amount with at most 2 decimals")))
        };
        let dc = &defaults.classify;
        let zombie_months = c.zombie_months.unwrap_or(dc.zombie_months);
        if zombie_months < 0 {
            return Err(Error::Usage("[classify] zombie_months: must be ≥ 0".into()));
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
                return Err(Error::Usage(format!(
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
                Some(other) => Err(Error::Usage(format!(
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
                Some(n) if n <= 0 => Err(Error::Usage(format!("[plan] {key}: must be at least 1"))),
                other => Ok(other),
            }
        };
        let max_outstanding = match &p.max_outstanding {
            None => None,
            Some(n) => {
                let d = n.to_decimal("[plan] max_outstanding")?;
                Some(
                    crate::money::parse_fen(&d.normalize().to_string())
                        .filter(|f| *f > 0)
                        .ok_or_else(|| {
                            Error::Usage(format!(
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
                Error::Usage(format!(
                    "[[plan.targets]] measure: {:?} is not platforms, outstanding or lenders",
                    t.measure
                ))
            })?;
            let d = t
                .reduction
                .to_decimal("[[plan.targets]] reduction")?
                .normalize();
            if d < Decimal::ZERO || d > Decimal::ONE {
                return Err(Error::Usage(format!(
                    "[[plan.targets]] reduction: {d} must be between 0 and 1"
                )));
            }
            if t.stage == 0 {
                return Err(Error::Usage(
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

/// The default config with a comment per key, in Chinese and English
/// (`winddown rules --print-defaults`). Reading it back gives exactly the defaults.
pub const DEFAULTS_TOML: &str = r#"# winddown 规则配置 / winddown rules
# 复制本文件后修改，用 --config FILE 传入。未知或拼错的键会报错。
# Copy this file, edit it, and pass it with --config FILE. An unknown or mistyped key is an error.
# 金额以元计 (yuan)；比例写成小数 (0.10 = 10%)，按精确小数比较。
# Amounts are in yuan; ratios are decimals (0.10 = 10%), compared exactly.

[columns]
# 表头映射：文件中的表头 = 合同列名。Header map: header in the file = contract column name.
# "平台编号" = "platform_id"
# "出借人编号" = "lender_id"

[classify]
# 僵尸类：距最近一笔新增借款的整月数 ≥ 此值（无借款也算僵尸类）。
# zombie: whole months since the last new loan ≥ this (no loans at all is zombie too).
zombie_months = 6
# 规模较小：出借余额 < 此值（元），深圳 1 亿元线。
# small: lender outstanding < this (yuan); Shenzhen's 1亿 line.
small_max_outstanding = 100000000
# 规模较小的第二个条件（可选）：在贷出借人数 < 此值。
# small, optional second condition: current lenders < this.
# small_max_current_lenders = 5000
# 高风险：逾期 90 天以上金额占借款余额比例 ≥ 此值。
# high risk: outstanding more than 90 days past due / loan outstanding ≥ this.
overdue_90_ratio = "0.10"
# 高风险：资金缺口（出借余额 − 借款余额）占出借余额比例 ≥ 此值（资金池/挪用）。
# high risk: (lender outstanding − loan outstanding) / lender outstanding ≥ this (cash pool).
funding_gap_ratio = "0.05"
# 高风险：关联方借款余额占比 ≥ 此值。
# high risk: related-party loan outstanding / loan outstanding ≥ this.
related_party_share = "0.02"
# 高风险：前十大借款人余额占比 ≥ 此值。
# high risk: outstanding of the 10 largest borrowers / loan outstanding ≥ this.
top10_borrower_share = "0.50"
# 高风险：超出借款限额的借款人余额占比 ≥ 此值（暂行办法第十七条）。
# high risk: outstanding of borrowers above their cap / loan outstanding ≥ this (Art. 17).
borrower_cap_breach_share = "0.10"
# 高风险：期限错配（出借先于所投借款到期）余额占比 ≥ 此值。
# high risk: investments maturing before the loan they fund / linked investments ≥ this.
maturity_mismatch_share = "0.20"
# 同一自然人在同一平台借款余额上限（元）。Cap per individual borrower on one platform (yuan).
individual_borrower_cap = 200000
# 同一法人或其他组织借款余额上限（元）。Cap per enterprise borrower on one platform (yuan).
enterprise_borrower_cap = 1000000

[recovery]
# 预期回收率，按逾期天数分档（最多 4 位小数）。Expected recovery rate by days past due (≤ 4 decimals).
# 未逾期 / not past due
rate_current = "0.95"
# 逾期 1–30 天 / 1–30 days
rate_1_30 = "0.80"
# 逾期 31–90 天 / 31–90 days
rate_31_90 = "0.50"
# 逾期 91–180 天 / 91–180 days
rate_91_180 = "0.25"
# 逾期 180 天以上 / more than 180 days
rate_over_180 = "0.10"
# 抵押物折算率 / share of collateral value recovered
collateral_rate = "0.50"

[claims]
# 债权口径，按类别：net_of_returns = 本金折抵（已获收益冲抵本金，2014 意见第五条）；
# outstanding_principal = 合同口径（出借本金 − 已还本金）。
# Claim basis per class: net_of_returns offsets returns already received against principal;
# outstanding_principal is the contract's principal still owed.
failed = "net_of_returns"
zombie = "outstanding_principal"
small = "outstanding_principal"
high_risk = "outstanding_principal"
normal = "outstanding_principal"

[plan]
# 分阶段退出计划：阶段数与每阶段月数（默认按季度）。Stages of the exit plan, and months per stage.
stages = 4
stage_months = 3
# 每阶段容量（任一超出即进入下一阶段；单个平台超出容量则独占一个阶段，不会被遗漏）。
# Capacity per stage; a platform that alone exceeds one gets a stage of its own, never dropped.
max_platforms = 20
# max_current_lenders = 50000
# max_outstanding = 5000000000
# 三降目标（可选）：第 N 阶段末较起点下降的比例。Optional 三降 targets: reduction by the end of a stage.
# [[plan.targets]]
# measure = "lenders"      # platforms / outstanding / lenders
# stage = 2
# reduction = "0.50"

[plan.units]
# 各类平台的责任单位（另加平台属地区政府）。Responsible units per class (the platform's district is added).
failed = ["公安机关", "地方金融监管部门", "人民银行分支机构", "银保监分局"]
zombie = ["地方金融监管部门", "银保监分局"]
small = ["地方金融监管部门", "银保监分局", "人民银行分支机构"]
high_risk = ["地方金融监管部门", "银保监分局", "人民银行分支机构", "公安机关"]
normal = ["地方金融监管部门", "银保监分局", "人民银行分支机构"]
"#;

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
    fn ratio_comparison_is_exact_at_the_threshold() {
        let ten = Ratio { num: 1, den: 10 };
        assert!(ten.reached_by(10, 100)); // at
        assert!(!ten.reached_by(9_999, 100_000)); // just below
        assert!(ten.reached_by(10_001, 100_000)); // just above
        assert!(!ten.reached_by(0, 0)); // no denominator: 0
        assert!(Ratio { num: 0, den: 1 }.reached_by(0, 0));
        assert!(!Ratio { num: 1, den: 20 }.reached_by(-5, 100));
        assert!(ten.reached_by(i64::MAX, i64::MAX));
    }

    #[test]
    fn thresholds_with_28_decimals_compare_without_overflow() {
        // 0.1000000000000000000000000001: just above 10 %; the old a·d ≥ n·b overflowed i128.
        let c = Config::from_toml(
            "[classify]\noverdue_90_ratio = \"0.1000000000000000000000000001\"\n",
        )
        .unwrap();
        let t = c.classify.overdue_90_ratio;
        assert_eq!(t.den, 10i128.pow(28));
        assert!(!t.reached_by(i64::MAX / 10, i64::MAX)); // below (MAX is not a multiple of 10)
        assert!(!t.reached_by(1, 10)); // exactly 10 %: below the threshold
        assert!(t.reached_by(1_000_000_001, 10_000_000_000)); // 0.1000000001: above
        assert!(t.reached_by(i64::MAX, i64::MAX));
        assert!(!t.reached_by(-1, 3));
    }

    proptest::proptest! {
        #[test]
        fn fraction_comparison_agrees_with_cross_multiplication(
            a in -1_000_000_000i128..1_000_000_000, b in 1i128..1_000_000_000,
            c in -1_000_000_000i128..1_000_000_000, d in 1i128..1_000_000_000,
        ) {
            proptest::prop_assert_eq!(cmp_fractions(a, b, c, d), (a * d).cmp(&(c * b)));
        }
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
