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
    /// Each row's cells, [`Table::Investments`]'s column count to a row (`Val::Null` for a
    /// row whose parse broke).
    vals: Vec<Val<'a>>,
    /// Each row's parse: fine, or the first cell that broke.
    parsed: Vec<Result<(), Broken>>,
    /// Each row's platform as its id's lookup found it (`None` for an empty cell too).
    platform: Vec<Option<Option<PlatformCode>>>,
}

/// Rows ahead whose position slots are asked for: the positions of a national run (3.4 GB)
/// are read at random, a platform's table often beyond the caches.
const POSITIONS_AHEAD: usize = 8;

impl Validator {
    /// Check and keep one batch of investments.
    pub(super) fn investments<'a>(
        &mut self,
        file: &str,
        batch: &'a Batch,
        report: &mut TableReport,
    ) {
        let width = Table::Investments.columns().len();
        self.probes.begin(batch, IV_ID, &mut self.repeats);
        let lenders = std::mem::take(&mut self.lender_ids);
        let loans = std::mem::take(&mut self.loan_ids);
        let platforms = std::mem::take(&mut self.platform_ids);
        let prepare = |rows: Range<usize>, p: &mut Prepared<'a>| {
            p.looked
                .fill(batch, rows.clone(), (IV_LENDER, IV_LOAN), &lenders, &loans);
            p.vals.clear();
            p.parsed.clear();
            p.platform.clear();
            for i in rows {
                p.platform.push(match batch.columns[IV_PLATFORM].text(i) {
                    Cell::Ok(id) => platforms.get(Fp::of(id.as_bytes())),
                    _ => None,
                });
                let start = p.vals.len();
                let parsed = parse_cells(Table::Investments, batch, i, &mut p.vals);
                p.vals.truncate(start + width);
                p.vals.resize(start + width, Val::Null);
                p.parsed.push(parsed);
            }
        };
        crate::input::ahead::chunks(batch.len(), prepare, |rows, p| {
            self.probes.take(rows.clone(), &p.looked);
            let start = rows.start;
            for (k, i) in rows.enumerate() {
                if let Some(&platform) = p.platform.get(k + POSITIONS_AHEAD) {
                    let found = (platform, self.probes.lender[start + k + POSITIONS_AHEAD]);
                    if let (Some(Some(platform)), Some(Some(lender))) = found {
                        self.positions[platform].prefetch(lender);
                    }
                }
                let vals = &p.vals[k * width..(k + 1) * width];
                let checked =
                    p.parsed[k].and_then(|()| self.check_investment_row(vals, i, p.platform[k]));
                report.count(self.keep(Table::Investments, file, batch, i, checked, vals));
            }
        });
        self.lender_ids = lenders;
        self.loan_ids = loans;
        self.platform_ids = platforms;
    }
}
