//! A batch of investments, checked a chunk behind its preparation: the rows' platforms,
//! lenders and loans looked up and their cells parsed on helper threads
//! ([`crate::input::ahead`]) while this one checks and keeps the chunks before, in row order. Only what reads is moved: the
//! id tables are lent to the helper for the batch (nothing an investment row does changes
//! them), and a row's parse depends on its cells alone. What changes the validator's state —
//! the repeats, the positions, the totals, the rejects — stays on its own thread, so the
//! result is the one a row-by-row reading gives.

use super::*;
use std::ops::Range;

use crate::input::probes::Looked;

/// What the helper prepares of a chunk's rows.
#[derive(Default)]
struct Prepared<'a> {
    looked: Looked<LoanRef, Option<LenderCode>>,
    cells: ParsedRows<'a>,
    /// Each row's platform as its id's lookup found it (`None` for an empty cell too).
    platform: Vec<Option<Option<PlatformCode>>>,
}

/// Rows ahead whose position slots are asked for: the positions of a national run (3.4 GB)
/// are read at random, a platform's table often beyond the caches.
const POSITIONS_AHEAD: usize = 8;

/// What reading the investments changes in the validator, as it was before: what an
/// optimistic read of them ([`Repeated::Ascending`]) that lost its wager gives back
/// ([`Validator::back_to`]).
pub struct BeforeInvestments {
    rejects: usize,
    money_totals: BTreeMap<(Table, &'static str), i128>,
    latest_date: Option<Date>,
    positions: PositionTables,
    totals: ByCode<PlatformCode, InvestmentTotals>,
}

impl Validator {
    /// What the investments are about to change (before any of their rows is read: the
    /// position tables are empty, a copy costs a few bytes a platform).
    pub fn before_investments(&self) -> BeforeInvestments {
        BeforeInvestments {
            rejects: self.rejects.len(),
            money_totals: self.money_totals.clone(),
            latest_date: self.latest_date,
            positions: self.positions.emptied(),
            totals: self.data.investments.clone(),
        }
    }

    /// Take back everything the investments read since `before` changed.
    pub fn back_to(&mut self, before: BeforeInvestments) {
        self.rejects.truncate(before.rejects);
        self.money_totals = before.money_totals;
        self.latest_date = before.latest_date;
        self.positions = before.positions;
        self.data.investments = before.totals;
        self.probes = Probes::default();
    }

    /// Check and keep one batch of investments.
    pub(super) fn investments<'a>(
        &mut self,
        file: &str,
        batch: &'a Batch,
        report: &mut TableReport,
    ) {
        // A wager on the ids' order lost: the batch is not read (the read stops after it,
        // and what came before is taken back).
        if let Repeated::Ascending(ids) = &mut self.repeats {
            if !ids.follow(batch, IV_ID) {
                return;
            }
        }
        self.probes.begin(batch, IV_ID, &mut self.repeats);
        let lenders = std::mem::take(&mut self.lender_ids);
        let loans = std::mem::take(&mut self.loan_ids);
        let platforms = std::mem::take(&mut self.platform_ids);
        let prepare = |rows: Range<usize>, p: &mut Prepared<'a>| {
            p.looked
                .fill(batch, rows.clone(), (IV_LENDER, IV_LOAN), &lenders, &loans);
            p.cells.parse(Table::Investments, batch, rows.clone());
            p.platform.clear();
            p.platform
                .extend(rows.map(|i| match batch.columns[IV_PLATFORM].text(i) {
                    Cell::Ok(id) => platforms.get(Fp::of(id.as_bytes())),
                    _ => None,
                }));
        };
        crate::input::ahead::chunks(batch.len(), prepare, |rows, p| {
            self.probes.take(rows.clone(), &p.looked);
            let start = rows.start;
            for (k, i) in rows.enumerate() {
                if let Some(&platform) = p.platform.get(k + POSITIONS_AHEAD) {
                    let found = (platform, self.probes.lender[start + k + POSITIONS_AHEAD]);
                    if let (Some(Some(platform)), Some(Some(lender))) = found {
                        self.positions.prefetch(platform, lender);
                    }
                }
                let (parsed, vals) = p.cells.row(k);
                let checked =
                    parsed.and_then(|()| self.check_investment_row(vals, i, p.platform[k]));
                report.count(self.keep(Table::Investments, file, batch, i, checked, vals));
            }
        });
        self.lender_ids = lenders;
        self.loan_ids = loans;
        self.platform_ids = platforms;
    }
}
