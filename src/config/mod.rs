//! The regulator-editable TOML config, read in two steps: serde reads [`RawConfig`] with
//! `deny_unknown_fields` (a mistyped key is an error that names it), then [`Config::resolve`]
//! checks it and produces the resolved [`Config`] the stages use. The raw struct goes no further.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;

mod defaults;
mod raw;

use crate::domain::calendar::Calendar;
use crate::domain::date::Date;
pub use crate::domain::fraction::Ratio;
use crate::domain::schema::Table;
use crate::error::{Error, Result};
pub use defaults::{defaults_toml, DEFAULTS_TOML};
pub use raw::*;

/// The most stages a plan may have, and the longest a month count in the config may be (50
/// years): beyond them a value is a typing mistake, not a plan.
pub const MAX_STAGES: u32 = 1200;
pub const MAX_MONTHS: i64 = 600;

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
    /// Per class in the order of [`crate::domain::class::Class::ALL`].
    pub units: [Vec<String>; 5],
    pub targets: Vec<Target>,
    /// The campaign's deadline: every platform that can finish by it does (docs/rules.md).
    pub deadline: Option<Date>,
    /// Working days for the steps: the official calendar plus `[calendar]`.
    pub calendar: Calendar,
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

/// Classification thresholds (docs/rules.md), resolved.
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

/// Recovery rates in ten-thousandths (at most 4 decimals, docs/rules.md).
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
    /// Claim basis per class, in the order of [`crate::domain::class::Class::ALL`].
    pub basis: [Basis; 5],
    pub plan: PlanRules,
    /// `[recovery] rule`: how payout rounds divide their pools unless the command line says.
    pub payout_rule: crate::domain::division::Division,
    /// `[statement] sms`: the SMS text per lender of `statement --all`.
    pub statement_sms: String,
    /// `[payments]`: the bank batches.
    pub payments: Payments,
    /// `[cases]`: illegal-fundraising cases.
    pub cases: CaseRules,
}

/// `[cases]`, resolved (docs/cases.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRules {
    /// Whether participants come before other civil creditors on the defendant's lawful
    /// property.
    pub lawful_property: crate::domain::case::LawfulProperty,
    /// Fen: a payment of at least this goes as a deposit certificate, below by transfer.
    pub deposit_certificate_from: i64,
}

/// `[payments]`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payments {
    pub batch_rows: usize,
    /// GB18030 (what a Chinese bank portal's CSV import often expects) instead of UTF-8 with BOM.
    pub gb18030: bool,
    /// The batch file's columns in the bank template's order, each with its header.
    pub columns: Vec<(BatchField, String)>,
}

/// A column a bank's batch-transfer template may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchField {
    Seq,
    Account,
    Name,
    Bank,
    Amount,
    Purpose,
    IdNumber,
    Phone,
    LenderId,
}

impl BatchField {
    /// Every field: its key in `[payments] columns` and its default header.
    pub const ALL: [(BatchField, &'static str, &'static str); 9] = [
        (BatchField::Seq, "seq", "序号"),
        (BatchField::Account, "account", "收款人账号"),
        (BatchField::Name, "name", "收款人户名"),
        (BatchField::Bank, "bank", "开户行"),
        (BatchField::Amount, "amount", "金额(元)"),
        (BatchField::Purpose, "purpose", "用途"),
        (BatchField::IdNumber, "id_number", "证件号码"),
        (BatchField::Phone, "phone", "手机号码"),
        (BatchField::LenderId, "lender_id", "出借人编号"),
    ];

    /// The default layout: 序号, 收款人账号, 收款人户名, 开户行, 金额(元), 用途.
    pub fn default_columns() -> Vec<(BatchField, String)> {
        BatchField::ALL[..6]
            .iter()
            .map(|(f, _, h)| (*f, h.to_string()))
            .collect()
    }
}

/// The placeholders of `[statement] sms`.
pub const SMS_FIELDS: [&str; 7] = [
    "name",
    "platforms",
    "claim",
    "paid",
    "reserved",
    "remaining",
    "returned",
];

impl Config {
    pub fn basis_for(&self, class: crate::domain::class::Class) -> Basis {
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

    /// Parse and resolve config text. The error is one line listing every problem, each with
    /// the line and column of its key and the key's name.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| position(text, s.start))
                .map(|(l, c)| format!("line {l}, column {c}: "))
                .unwrap_or_default();
            one_line(&format!("{at}{}", e.message().trim().replace('\n', " ")))
        })?;
        let problems = Problems::default();
        let config = Config::resolve(raw, &problems);
        let found = problems.0.into_inner();
        if found.is_empty() {
            return Ok(config);
        }
        let described: Vec<String> = found
            .into_iter()
            .map(
                |(section, key, message)| match locate(text, &section, &key) {
                    Some((l, c)) => format!("line {l}, column {c}: {section} {key}: {message}"),
                    None => format!("{section} {key}: {message}"),
                },
            )
            .collect();
        Err(one_line(&described.join("; ")))
    }

    /// Check the raw config and fill what it leaves out from [`Config::default`]; every
    /// problem goes into `problems` (its key takes the default meanwhile).
    fn resolve(raw: RawConfig, problems: &Problems) -> Config {
        let defaults = Config::default();
        let mut columns = BTreeMap::new();
        for (header, target) in raw.columns {
            let known = Table::PLATFORM_TABLES
                .iter()
                .chain(&Table::CASE_TABLES)
                .any(|t| t.column_index(&target).is_some());
            if !known {
                problems.add(
                    "[columns]",
                    &format!("\"{header}\""),
                    format!("maps to \"{target}\", which is no column of any table"),
                );
                continue;
            }
            columns.insert(header.trim().to_string(), target);
        }
        let c = &raw.classify;
        // A share or ratio threshold is a fraction, 0 to 1; above 1 it never fires, which
        // turns the indicator off (docs/rules.md, the config's ranges).
        let ratio = |v: &Option<Num>, key: &str, default: Ratio| -> Ratio {
            match v {
                Some(n) => problems.check("[classify]", key, default, || {
                    let d = n.to_decimal()?.normalize();
                    if d < Decimal::ZERO {
                        return Err(format!(
                            "{d} must be between 0 and 1 (above 1: the indicator is off)"
                        ));
                    }
                    Ok(Ratio::from_decimal(d))
                }),
                None => default,
            }
        };
        let yuan = |v: &Option<Num>, key: &str, default: i64| -> i64 {
            let Some(n) = v else { return default };
            problems.check("[classify]", key, default, || {
                let d = n.to_decimal()?;
                crate::domain::money::parse_fen(&d.normalize().to_string())
                    .filter(|f| *f >= 0)
                    .ok_or_else(|| {
                        format!("{d} is not a non-negative yuan amount with at most 2 decimals")
                    })
            })
        };
        let dc = &defaults.classify;
        let mut zombie_months = c.zombie_months.unwrap_or(dc.zombie_months);
        if !(0..=MAX_MONTHS).contains(&zombie_months) {
            problems.add(
                "[classify]",
                "zombie_months",
                format!("{zombie_months} must be between 0 and {MAX_MONTHS}"),
            );
            zombie_months = dc.zombie_months;
        }
        let small_max_current_lenders = match c.small_max_current_lenders {
            Some(n) if n < 1 => {
                problems.add(
                    "[classify]",
                    "small_max_current_lenders",
                    format!("{n} must be at least 1 (leave the key out for no limit)"),
                );
                dc.small_max_current_lenders
            }
            other => other.or(dc.small_max_current_lenders),
        };
        let classify = ClassifyRules {
            zombie_months,
            small_max_outstanding: yuan(
                &c.small_max_outstanding,
                "small_max_outstanding",
                dc.small_max_outstanding,
            ),
            small_max_current_lenders,
            overdue_90_ratio: ratio(&c.overdue_90_ratio, "overdue_90_ratio", dc.overdue_90_ratio),
            funding_gap_ratio: ratio(
                &c.funding_gap_ratio,
                "funding_gap_ratio",
                dc.funding_gap_ratio,
            ),
            related_party_share: ratio(
                &c.related_party_share,
                "related_party_share",
                dc.related_party_share,
            ),
            top10_borrower_share: ratio(
                &c.top10_borrower_share,
                "top10_borrower_share",
                dc.top10_borrower_share,
            ),
            borrower_cap_breach_share: ratio(
                &c.borrower_cap_breach_share,
                "borrower_cap_breach_share",
                dc.borrower_cap_breach_share,
            ),
            maturity_mismatch_share: ratio(
                &c.maturity_mismatch_share,
                "maturity_mismatch_share",
                dc.maturity_mismatch_share,
            ),
            individual_borrower_cap: yuan(
                &c.individual_borrower_cap,
                "individual_borrower_cap",
                dc.individual_borrower_cap,
            ),
            enterprise_borrower_cap: yuan(
                &c.enterprise_borrower_cap,
                "enterprise_borrower_cap",
                dc.enterprise_borrower_cap,
            ),
        };
        let r = &raw.recovery;
        let rate = |v: &Option<Num>, key: &str, default: i64| -> i64 {
            let Some(n) = v else { return default };
            problems.check("[recovery]", key, default, || {
                let d = n.to_decimal()?.normalize();
                if d.scale() > 4 || d < Decimal::ZERO || d > Decimal::ONE {
                    return Err(format!(
                        "{d} must be between 0 and 1 with at most 4 decimals"
                    ));
                }
                use rust_decimal::prelude::ToPrimitive;
                (d * Decimal::from(10_000))
                    .to_i64()
                    .ok_or_else(|| format!("cannot scale {d}"))
            })
        };
        let dr = &defaults.recovery;
        let recovery = RecoveryRates {
            buckets: [
                rate(&r.rate_current, "rate_current", dr.buckets[0]),
                rate(&r.rate_1_30, "rate_1_30", dr.buckets[1]),
                rate(&r.rate_31_90, "rate_31_90", dr.buckets[2]),
                rate(&r.rate_91_180, "rate_91_180", dr.buckets[3]),
                rate(&r.rate_over_180, "rate_over_180", dr.buckets[4]),
            ],
            collateral: rate(&r.collateral_rate, "collateral_rate", dr.collateral),
        };
        let b = &raw.claims;
        let basis = |v: &Option<String>, key: &str, default: Basis| -> Basis {
            match v.as_deref().map(str::trim) {
                None => default,
                Some("net_of_returns") => Basis::NetOfReturns,
                Some("outstanding_principal") => Basis::OutstandingPrincipal,
                Some(other) => {
                    problems.add(
                        "[claims]",
                        key,
                        format!(
                            "{other:?} is not a basis (net_of_returns or outstanding_principal)"
                        ),
                    );
                    default
                }
            }
        };
        let db = &defaults.basis;
        let basis = [
            basis(&b.failed, "failed", db[0]),
            basis(&b.zombie, "zombie", db[1]),
            basis(&b.small, "small", db[2]),
            basis(&b.high_risk, "high_risk", db[3]),
            basis(&b.normal, "normal", db[4]),
        ];
        let p = &raw.plan;
        let positive = |v: Option<i64>, key: &str, default: Option<i64>| -> Option<i64> {
            match v {
                Some(n) if n <= 0 => {
                    problems.add("[plan]", key, "must be at least 1".into());
                    default
                }
                other => other,
            }
        };
        let max_outstanding = match &p.max_outstanding {
            None => None,
            Some(n) => problems.check("[plan]", "max_outstanding", None, || {
                let d = n.to_decimal()?;
                crate::domain::money::parse_fen(&d.normalize().to_string())
                    .filter(|f| *f > 0)
                    .map(Some)
                    .ok_or_else(|| format!("{d} is not a positive yuan amount"))
            }),
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
            let Some(measure) = measure else {
                problems.add(
                    "[[plan.targets]]",
                    "measure",
                    format!("{:?} is not platforms, outstanding or lenders", t.measure),
                );
                continue;
            };
            let reduction = problems.check("[[plan.targets]]", "reduction", None, || {
                let d = t.reduction.to_decimal()?.normalize();
                if d < Decimal::ZERO || d > Decimal::ONE {
                    return Err(format!("{d} must be between 0 and 1"));
                }
                Ok(Some(Ratio::from_decimal(d)))
            });
            if t.stage == 0 || t.stage > MAX_STAGES {
                problems.add(
                    "[[plan.targets]]",
                    "stage",
                    format!("{} must be between 1 and {MAX_STAGES}", t.stage),
                );
                continue;
            }
            let Some(reduction) = reduction else { continue };
            targets.push(Target {
                measure,
                stage: t.stage,
                reduction,
            });
        }
        let deadline = p.deadline.as_ref().and_then(|text| {
            problems.check("[plan]", "deadline", None, || {
                Date::parse(text.trim())
                    .map(Some)
                    .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
            })
        });
        let mut calendar = dp.calendar.clone();
        for h in &raw.calendar.holidays {
            let range = h.split_once("..").unwrap_or((h, h));
            match (Date::parse(range.0.trim()), Date::parse(range.1.trim())) {
                (Some(from), Some(to)) if from <= to && to.0 - from.0 < 366 => {
                    calendar.add_holidays(from, to)
                }
                _ => problems.add(
                    "[calendar]",
                    "holidays",
                    format!("{h:?} is not a date or a range FROM..TO of at most a year"),
                ),
            }
        }
        for w in &raw.calendar.workdays {
            match Date::parse(w.trim()) {
                Some(d) => calendar.add_workday(d),
                None => problems.add("[calendar]", "workdays", format!("{w:?} is not a date")),
            }
        }
        let within = |v: Option<u32>, key: &str, max: u32, default: u32| -> u32 {
            match v {
                None => default,
                Some(n) if (1..=max).contains(&n) => n,
                Some(n) => {
                    problems.add("[plan]", key, format!("{n} must be between 1 and {max}"));
                    default
                }
            }
        };
        let plan = PlanRules {
            deadline,
            calendar,
            stages: within(p.stages, "stages", MAX_STAGES, dp.stages),
            stage_months: within(
                p.stage_months,
                "stage_months",
                MAX_MONTHS as u32,
                dp.stage_months,
            ),
            max_platforms: positive(
                p.max_platforms.or(dp.max_platforms),
                "max_platforms",
                dp.max_platforms,
            ),
            max_current_lenders: positive(
                p.max_current_lenders.or(dp.max_current_lenders),
                "max_current_lenders",
                dp.max_current_lenders,
            ),
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
        let payout_rule = match &r.rule {
            None => defaults.payout_rule,
            Some(text) => problems.check("[recovery]", "rule", defaults.payout_rule, || {
                crate::domain::division::Division::parse(text)
            }),
        };
        let statement_sms = match &raw.statement.sms {
            None => defaults.statement_sms.clone(),
            Some(text) => {
                problems.check("[statement]", "sms", defaults.statement_sms.clone(), || {
                    let mut rest = text.as_str();
                    while let Some(open) = rest.find('{') {
                        let close = rest[open..]
                            .find('}')
                            .ok_or_else(|| "a { without its }".to_string())?;
                        let field = &rest[open + 1..open + close];
                        if !SMS_FIELDS.contains(&field) {
                            return Err(format!(
                                "{{{field}}} is not a field ({})",
                                SMS_FIELDS.map(|f| format!("{{{f}}}")).join(" ")
                            ));
                        }
                        rest = &rest[open + close + 1..];
                    }
                    Ok(text.clone())
                })
            }
        };
        let dpay = defaults.payments;
        let batch = batch_columns(&raw.payments, problems).unwrap_or(dpay.columns);
        let payments = Payments {
            columns: batch,
            batch_rows: match raw.payments.batch_rows {
                None => dpay.batch_rows,
                Some(n) if (1..=1_000_000).contains(&n) => n as usize,
                Some(n) => {
                    problems.add(
                        "[payments]",
                        "batch_rows",
                        format!("{n} is not between 1 and 1000000"),
                    );
                    dpay.batch_rows
                }
            },
            gb18030: match raw.payments.encoding.as_deref().map(str::trim) {
                None => dpay.gb18030,
                Some("utf-8-bom") => false,
                Some("gb18030") | Some("gbk") => true,
                Some(other) => {
                    problems.add(
                        "[payments]",
                        "encoding",
                        format!("{other:?} is not utf-8-bom or gb18030"),
                    );
                    dpay.gb18030
                }
            },
        };
        let dc = defaults.cases;
        let cases = CaseRules {
            lawful_property: match raw.cases.lawful_property.as_deref() {
                None => dc.lawful_property,
                Some(text) => {
                    problems.check("[cases]", "lawful_property", dc.lawful_property, || {
                        crate::domain::case::LawfulProperty::parse(text).ok_or_else(|| {
                            format!("{:?} is not participants_first or pro_rata", text.trim())
                        })
                    })
                }
            },
            deposit_certificate_from: match &raw.cases.deposit_certificate_from {
                None => dc.deposit_certificate_from,
                Some(n) => problems.check(
                    "[cases]",
                    "deposit_certificate_from",
                    dc.deposit_certificate_from,
                    || {
                        let d = n.to_decimal()?;
                        crate::domain::money::parse_fen(&d.normalize().to_string())
                            .filter(|f| *f >= 0)
                            .ok_or_else(|| format!("{d} is not a yuan amount of 0 or more"))
                    },
                ),
            },
        };
        Config {
            columns,
            classify,
            recovery,
            basis,
            plan,
            payout_rule,
            statement_sms,
            payments,
            cases,
        }
    }
}

/// A message on one line: control characters a key or value brought in (a TOML `"\n"` escape)
/// are shown escaped.
fn one_line(message: &str) -> String {
    message
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// The problems of a config, (section, key, message), collected so that all are reported.
/// `[payments] columns` and `headers`: known fields, each once, account and amount among
/// them, a header for each. `None` (with the problems recorded) when they do not fit.
fn batch_columns(raw: &raw::RawPayments, problems: &Problems) -> Option<Vec<(BatchField, String)>> {
    let fields = match &raw.columns {
        None => BatchField::default_columns()
            .into_iter()
            .map(|(f, _)| f)
            .collect::<Vec<_>>(),
        Some(names) => {
            let mut fields = Vec::new();
            for name in names {
                match BatchField::ALL
                    .iter()
                    .find(|(_, key, _)| *key == name.trim())
                {
                    Some((f, ..)) if fields.contains(f) => {
                        problems.add("[payments]", "columns", format!("{name:?} is listed twice"));
                        return None;
                    }
                    Some((f, ..)) => fields.push(*f),
                    None => {
                        let known: Vec<&str> = BatchField::ALL.iter().map(|(_, k, _)| *k).collect();
                        problems.add(
                            "[payments]",
                            "columns",
                            format!("{name:?} is not a field ({})", known.join(", ")),
                        );
                        return None;
                    }
                }
            }
            for (needed, key) in [
                (BatchField::Account, "account"),
                (BatchField::Amount, "amount"),
            ] {
                if !fields.contains(&needed) {
                    problems.add(
                        "[payments]",
                        "columns",
                        format!("{key:?} is missing: a transfer needs it"),
                    );
                    return None;
                }
            }
            fields
        }
    };
    let headers: Vec<String> = match &raw.headers {
        None => fields
            .iter()
            .map(|f| {
                BatchField::ALL
                    .iter()
                    .find(|(g, ..)| g == f)
                    .map_or(String::new(), |(_, _, h)| h.to_string())
            })
            .collect(),
        Some(h) if h.len() == fields.len() => h.clone(),
        Some(h) => {
            problems.add(
                "[payments]",
                "headers",
                format!("{} headers for {} columns", h.len(), fields.len()),
            );
            return None;
        }
    };
    Some(fields.into_iter().zip(headers).collect())
}

#[derive(Default)]
struct Problems(std::cell::RefCell<Vec<(String, String, String)>>);

impl Problems {
    fn add(&self, section: &str, key: &str, message: String) {
        self.0
            .borrow_mut()
            .push((section.to_string(), key.to_string(), message));
    }

    /// The value `f` gives, or `fallback` with its problem recorded.
    fn check<T>(
        &self,
        section: &str,
        key: &str,
        fallback: T,
        f: impl FnOnce() -> std::result::Result<T, String>,
    ) -> T {
        f().unwrap_or_else(|m| {
            self.add(section, key, m);
            fallback
        })
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where `key` is set under `section` (`[classify]`, `[[plan.targets]]`, …): its line and
/// column, for the error message.
fn locate(text: &str, section: &str, key: &str) -> Option<(usize, usize)> {
    let mut inside = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = trimmed.split('#').next().map(str::trim) == Some(section);
        } else if inside {
            let name = trimmed.split('=').next().map(str::trim);
            if trimmed.contains('=') && name == Some(key) {
                let indent = line.len() - line.trim_start().len();
                return Some(position(text, offset + indent));
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_defaults_read_back_as_the_defaults() {
        let text = defaults_toml();
        assert!(text.contains("#   2020-01-24..2020-02-02"));
        let printed = Config::from_toml(&text).unwrap();
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
    fn the_sms_knows_returned_amounts_and_batches_their_layout() {
        let c = Config::from_toml("[statement]\nsms = \"{name} {returned}\"\n").unwrap();
        assert_eq!(c.statement_sms, "{name} {returned}");
        assert!(Config::from_toml("[statement]\nsms = \"{refund}\"\n").is_err());
        let c = Config::from_toml(
            "[payments]\ncolumns = [\"account\", \"amount\"]\nheaders = [\"账号\", \"金额\"]\n",
        )
        .unwrap();
        assert_eq!(
            c.payments.columns,
            [
                (BatchField::Account, "账号".to_string()),
                (BatchField::Amount, "金额".to_string())
            ]
        );
        let c =
            Config::from_toml("[payments]\ncolumns = [\"amount\", \"lender_id\", \"account\"]\n")
                .unwrap();
        let headers: Vec<&str> = c.payments.columns.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(headers, ["金额(元)", "出借人编号", "收款人账号"]);
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
    fn an_error_stays_on_one_line_whatever_the_keys_hold() {
        // Found by the config fuzzer: a mapped column name with a TOML "\n" escape.
        let e = Config::from_toml("[columns]\n\"a\\nb\" = \"repaym\\nt\"\n").unwrap_err();
        assert!(!e.contains('\n'), "{e}");
        assert!(e.contains("repaym\\nt"), "{e}");
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_line_and_key() {
        let text = "[classify]\noverdue_90_ratio = \"x\"\nzombie_months = -1\n\n[recovery]\n  rate_current = 1.5\n[claims]\nfailed = \"gross\"\n";
        let e = Config::from_toml(text).unwrap_err();
        assert!(
            e.contains(
                "line 2, column 1: [classify] overdue_90_ratio: \"x\" is not a decimal number"
            ),
            "{e}"
        );
        assert!(
            e.contains("line 3, column 1: [classify] zombie_months"),
            "{e}"
        );
        assert!(
            e.contains("line 6, column 3: [recovery] rate_current"),
            "{e}"
        );
        assert!(e.contains("line 8, column 1: [claims] failed"), "{e}");
        assert_eq!(e.matches("; ").count(), 3, "{e}");
        assert!(!e.contains('\n'));
        // A syntax error: TOML stops at the first; its position is named.
        let e = Config::from_toml("[plan]\nstages = 4\n[classify\n").unwrap_err();
        assert!(e.starts_with("line 3, column"), "{e}");
        let e = Config::from_toml("[classify]\n\noverdue_90_ratoi = 0.1\n").unwrap_err();
        assert!(
            e.starts_with("line 3, column 1:") && e.contains("overdue_90_ratoi"),
            "{e}"
        );
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
