//! The docket of old cases (陈案台账; docs/cases.md, "The docket"): the work plan's section
//! (四) asks that the stock of old cases fall by half within the year and that every case judged
//! before 2018 be closed. Per case: whether it is old (opened before a date the user gives),
//! when it was done — closed (销号) or its assets disposed (every asset realised, or the case
//! in clearance or closed) — and the money: recovered, losses confirmed, paid. Per year, per
//! district and per responsible unit: the old cases still open at the start of the year (the
//! stock), how many of them were done by its end, and whether that is at least the target.

use std::collections::BTreeMap;

use crate::cases::settle::{Ledger, Settlement};
use crate::domain::case::CaseStatus;
use crate::domain::code::{ByCode, CaseCode};
use crate::domain::date::Date;
use crate::input::cases::CaseData;

/// Cases judged before this date must all be closed (the work plan, section (四)).
pub const JUDGED_BEFORE: Date = Date::civil(2018, 1, 1);

/// What the docket measures against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// A case opened before this date is old.
    pub old_before: Date,
    /// The year whose districts and units are reported.
    pub year: i32,
    /// The share of the stock to be done in a year, as a fraction (1/2).
    pub target: (i64, i64),
    /// The data's as-of date (a year is measured to its end or to this date).
    pub as_of: Date,
}

/// One case on the docket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub old: bool,
    pub closed: bool,
    /// Closed, or its assets disposed: the earliest date known.
    pub done_on: Option<Date>,
    /// Every asset realised (at least one asset), or the case in clearance or closed.
    pub assets_disposed: bool,
    pub judged_before_2018_open: bool,
    pub recovered: i64,
    pub losses_confirmed: i64,
    pub paid: i64,
    pub participants: i64,
    pub claimants: i64,
}

/// Old cases at the start of a year still open, and those of them done by its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub stock: i64,
    pub done: i64,
}

impl Tally {
    /// done ÷ stock ≥ target (exact); an empty stock meets it.
    pub fn met(&self, target: (i64, i64)) -> bool {
        i128::from(self.done) * i128::from(target.1)
            >= i128::from(self.stock) * i128::from(target.0)
    }
}

/// The docket: a row per case (by case code), the year's tallies by district and by unit,
/// and every year's total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Docket {
    pub rows: ByCode<CaseCode, Row>,
    pub year_end: Date,
    pub by_district: BTreeMap<String, Tally>,
    pub by_unit: BTreeMap<String, Tally>,
    pub total: Tally,
    /// (year, tally) from the year of `old_before` to the as-of year.
    pub years: Vec<(i32, Tally)>,
}

/// The docket of `data`, with the money of `settlement` (losses, and what its whole ledger
/// paid).
pub fn docket(data: &CaseData, settlement: &Settlement, settings: Settings) -> Docket {
    let ledger: &Ledger = &settlement.ledger;
    let mut paid: BTreeMap<&str, i64> = BTreeMap::new();
    for p in &ledger.payouts {
        *paid.entry(p.case_id.as_str()).or_default() += p.payment();
    }
    let mut participants: ByCode<CaseCode, i64> = ByCode::filled(data.cases.len(), 0);
    for p in &data.people {
        participants[p.case] += 1;
    }
    // Per case: the assets' count, whether all are realised, the last realised date.
    let mut assets: ByCode<CaseCode, (usize, bool, Option<Date>)> =
        ByCode::filled(data.cases.len(), (0, true, None));
    for a in &data.assets {
        let e = &mut assets[a.case];
        e.0 += 1;
        let by = a.realised_by(settings.as_of).is_some();
        e.1 &= by;
        if by {
            e.2 = e.2.max(a.realised_on);
        }
    }
    let rows: ByCode<CaseCode, Row> = data
        .cases
        .coded()
        .map(|(c, case)| {
            let (n, all, last) = assets[c];
            let clearing = case.status >= CaseStatus::Clearance;
            let disposed_on = match (n > 0 && all, clearing) {
                (true, true) => Some(last.map_or(case.status_on, |d| d.min(case.status_on))),
                (true, false) => last,
                (false, true) => Some(case.status_on),
                (false, false) => None,
            };
            let closed = case.status == CaseStatus::Closed;
            // (`Option`'s order puts None first: the dates are compared inside.)
            let done_on = match (closed, disposed_on) {
                (true, Some(d)) => Some(d.min(case.status_on)),
                (true, None) => Some(case.status_on),
                (false, d) => d,
            };
            let outcome = &settlement.cases[c];
            Row {
                old: case.opened_on < settings.old_before,
                closed,
                done_on,
                assets_disposed: disposed_on.is_some(),
                judged_before_2018_open: case.judged_on.is_some_and(|j| j < JUDGED_BEFORE)
                    && !closed,
                recovered: outcome.recovered,
                losses_confirmed: outcome.losses_confirmed,
                paid: paid.get(case.id.as_str()).copied().unwrap_or(0),
                participants: participants[c],
                claimants: outcome.claimants,
            }
        })
        .collect();
    let tally_of = |year: i32, row: &Row| -> Option<bool> {
        let start = Date::civil(year, 1, 1);
        let end = Date::civil(year, 12, 31).min(settings.as_of);
        let in_stock = row.old && row.done_on.is_none_or(|d| d >= start);
        in_stock.then(|| row.done_on.is_some_and(|d| d <= end))
    };
    let mut by_district: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_unit: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for (case, row) in data.cases.iter().zip(&rows) {
        if let Some(done) = tally_of(settings.year, row) {
            for t in [
                by_district.entry(case.district.clone()).or_default(),
                by_unit.entry(case.unit.clone()).or_default(),
                &mut total,
            ] {
                t.stock += 1;
                t.done += i64::from(done);
            }
        }
    }
    let first = settings.old_before.ymd().0;
    let last = settings.as_of.ymd().0.max(settings.year);
    let years = (first..=last)
        .map(|y| {
            let mut t = Tally::default();
            for row in &rows {
                if let Some(done) = tally_of(y, row) {
                    t.stock += 1;
                    t.done += i64::from(done);
                }
            }
            (y, t)
        })
        .collect();
    Docket {
        rows,
        year_end: Date::civil(settings.year, 12, 31).min(settings.as_of),
        by_district,
        by_unit,
        total,
        years,
    }
}
