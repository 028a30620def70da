//! The second step of reading a config: every section of the raw TOML checked against its
//! ranges and resolved, what it leaves out taken from [`Config::default`]. One function per
//! section, in the order the problems are reported; every problem goes into [`Problems`] (its
//! key keeps the default meanwhile) so that one error lists them all.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::raw::*;
use super::{
    Basis, BatchField, CaseRules, ClassifyRules, Config, Measure, Payments, PlanRules, Ratio,
    RecoveryRates, Target, MAX_MONTHS, MAX_STAGES, SMS_FIELDS,
};
use crate::domain::date::Date;
use crate::domain::money::Fen;
use crate::domain::schema::Table;

/// The problems of a config, (section, key, message), collected so that all are reported.
#[derive(Default)]
pub(super) struct Problems(pub(super) std::cell::RefCell<Vec<(String, String, String)>>);

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

/// The resolved config of `raw`, its problems in `problems`.
pub(super) fn resolve(raw: RawConfig, problems: &Problems) -> Config {
    let defaults = Config::default();
    let columns = columns(raw.columns, problems);
    let classify = classify(&raw.classify, &defaults.classify, problems);
    let recovery = recovery(&raw.recovery, &defaults.recovery, problems);
    let basis = basis(&raw.claims, &defaults.basis, problems);
    let plan = plan(&raw.plan, &raw.calendar, &defaults.plan, problems);
    let payout_rule = match &raw.recovery.rule {
        None => defaults.payout_rule,
        Some(text) => problems.check("[recovery]", "rule", defaults.payout_rule, || {
            crate::domain::division::Division::parse(text)
        }),
    };
    let statement_sms = sms(&raw.statement, &defaults.statement_sms, problems);
    let payments = payments(&raw.payments, defaults.payments, problems);
    let cases = cases(&raw.cases, defaults.cases, problems);
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

/// `[columns]`: header text (trimmed) → a column of some input table.
fn columns(raw: BTreeMap<String, String>, problems: &Problems) -> BTreeMap<String, String> {
    let mut columns = BTreeMap::new();
    for (header, target) in raw {
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
    columns
}

/// `[classify]`: months, shares and ratios from 0 to 1 (above 1 the indicator is off), caps in
/// yuan (docs/rules.md).
fn classify(c: &RawClassify, dc: &ClassifyRules, problems: &Problems) -> ClassifyRules {
    // A share or ratio threshold is a fraction, 0 to 1; above 1 it never fires, which turns
    // the indicator off (docs/rules.md, the config's ranges).
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
    let yuan = |v: &Option<Num>, key: &str, default: Fen| -> Fen {
        let Some(n) = v else { return default };
        problems.check("[classify]", key, default, || {
            let (d, fen) = fen_of(n)?;
            fen.filter(|f| *f >= Fen::ZERO).ok_or_else(|| {
                format!("{d} is not a non-negative yuan amount with at most 2 decimals")
            })
        })
    };
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
    ClassifyRules {
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
    }
}

/// The number `n` and the fen it holds (`None` when it is not a yuan amount with at most two
/// decimals); `Err` when it is not a number at all.
fn fen_of(n: &Num) -> Result<(Decimal, Option<Fen>), String> {
    let d = n.to_decimal()?;
    Ok((d, Fen::parse(&d.normalize().to_string())))
}

/// `[recovery]` rates: 0 to 1 with at most 4 decimals, kept in ten-thousandths.
fn recovery(r: &RawRecovery, dr: &RecoveryRates, problems: &Problems) -> RecoveryRates {
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
    RecoveryRates {
        buckets: [
            rate(&r.rate_current, "rate_current", dr.buckets[0]),
            rate(&r.rate_1_30, "rate_1_30", dr.buckets[1]),
            rate(&r.rate_31_90, "rate_31_90", dr.buckets[2]),
            rate(&r.rate_91_180, "rate_91_180", dr.buckets[3]),
            rate(&r.rate_over_180, "rate_over_180", dr.buckets[4]),
        ],
        collateral: rate(&r.collateral_rate, "collateral_rate", dr.collateral),
    }
}

/// `[claims]`: the claim basis per class.
fn basis(b: &RawClaims, db: &[Basis; 5], problems: &Problems) -> [Basis; 5] {
    let basis = |v: &Option<String>, key: &str, default: Basis| -> Basis {
        match v.as_deref().map(str::trim) {
            None => default,
            Some("net_of_returns") => Basis::NetOfReturns,
            Some("outstanding_principal") => Basis::OutstandingPrincipal,
            Some(other) => {
                problems.add(
                    "[claims]",
                    key,
                    format!("{other:?} is not a basis (net_of_returns or outstanding_principal)"),
                );
                default
            }
        }
    };
    [
        basis(&b.failed, "failed", db[0]),
        basis(&b.zombie, "zombie", db[1]),
        basis(&b.small, "small", db[2]),
        basis(&b.high_risk, "high_risk", db[3]),
        basis(&b.normal, "normal", db[4]),
    ]
}

/// `[plan]`, its `[[plan.targets]]` and the `[calendar]` its steps count working days in.
fn plan(p: &RawPlan, calendar: &RawCalendar, dp: &PlanRules, problems: &Problems) -> PlanRules {
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
            let (d, fen) = fen_of(n)?;
            fen.filter(|f| f.is_positive())
                .map(Some)
                .ok_or_else(|| format!("{d} is not a positive yuan amount"))
        }),
    };
    let units = |v: &Option<Vec<String>>, i: usize| -> Vec<String> {
        v.clone().unwrap_or_else(|| dp.units[i].clone())
    };
    let targets = targets(&p.targets, problems);
    let deadline = p.deadline.as_ref().and_then(|text| {
        problems.check("[plan]", "deadline", None, || {
            Date::parse(text.trim())
                .map(Some)
                .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
        })
    });
    let calendar = working_days(calendar, dp, problems);
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
    PlanRules {
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
    }
}

/// `[[plan.targets]]`: a 三降 measure, its stage and a reduction from 0 to 1.
fn targets(raw: &[RawTarget], problems: &Problems) -> Vec<Target> {
    let mut targets = Vec::new();
    for t in raw {
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
    targets
}

/// The official calendar with `[calendar]`'s holidays (a date or FROM..TO, at most a year) and
/// working weekend days added.
fn working_days(
    raw: &RawCalendar,
    dp: &PlanRules,
    problems: &Problems,
) -> crate::domain::calendar::Calendar {
    let mut calendar = dp.calendar.clone();
    for h in &raw.holidays {
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
    for w in &raw.workdays {
        match Date::parse(w.trim()) {
            Some(d) => calendar.add_workday(d),
            None => problems.add("[calendar]", "workdays", format!("{w:?} is not a date")),
        }
    }
    calendar
}

/// `[statement] sms`: text whose `{…}` placeholders are all [`SMS_FIELDS`].
fn sms(raw: &RawStatement, default: &str, problems: &Problems) -> String {
    let Some(text) = &raw.sms else {
        return default.to_string();
    };
    problems.check("[statement]", "sms", default.to_string(), || {
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

/// `[payments]`: the bank batches' columns and headers, rows per file, encoding.
fn payments(raw: &RawPayments, dpay: Payments, problems: &Problems) -> Payments {
    let columns = batch_columns(raw, problems).unwrap_or(dpay.columns);
    Payments {
        columns,
        batch_rows: match raw.batch_rows {
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
        gb18030: match raw.encoding.as_deref().map(str::trim) {
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
    }
}

/// `[payments] columns` and `headers`: known fields, each once, account and amount among
/// them, a header for each. `None` (with the problems recorded) when they do not fit.
fn batch_columns(raw: &RawPayments, problems: &Problems) -> Option<Vec<(BatchField, String)>> {
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

/// `[cases]`: the order on lawful property, and from what amount a payment goes as a deposit
/// certificate.
fn cases(raw: &RawCases, dc: CaseRules, problems: &Problems) -> CaseRules {
    CaseRules {
        lawful_property: match raw.lawful_property.as_deref() {
            None => dc.lawful_property,
            Some(text) => problems.check("[cases]", "lawful_property", dc.lawful_property, || {
                crate::domain::case::LawfulProperty::parse(text).ok_or_else(|| {
                    format!("{:?} is not participants_first or pro_rata", text.trim())
                })
            }),
        },
        deposit_certificate_from: match &raw.deposit_certificate_from {
            None => dc.deposit_certificate_from,
            Some(n) => problems.check(
                "[cases]",
                "deposit_certificate_from",
                dc.deposit_certificate_from,
                || {
                    let (d, fen) = fen_of(n)?;
                    fen.filter(|f| *f >= Fen::ZERO)
                        .ok_or_else(|| format!("{d} is not a yuan amount of 0 or more"))
                },
            ),
        },
    }
}
