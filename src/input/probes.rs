//! The id-table lookups of one batch of investments, made in table order, a chunk ahead of
//! the validation on helper threads.
//!
//! At national scale the lender table and the loan table hold 3.3 GB between them, beyond the
//! reach of the TLB even with huge pages: probed in row order, nearly every lookup is a page
//! walk as well as a cache miss (the profile showed the validator stalled on its prefetches).
//! Ordered by the slot they land in — a counting sort on the fingerprint's top bits, which the
//! tables' slot index follows — a chunk's lookups walk each table from one end to the other,
//! many to a page.
//!
//! The lookups into the lender and loan tables only read, and nothing a row's checks do
//! changes those tables: so a chunk's lookups ([`Looked`]) are made on a helper thread while
//! the validator checks the chunks before ([`super::ahead`]), and handed to it in row order
//! ([`Probes::take`]). Whether a row repeats an earlier row's investment id is found on the
//! validator's thread ([`Probes::begin`]): by a first pass ([`super::repeats`]), read in row
//! order, or by a set that registers the ids.

use std::ops::Range;

use crate::input::ids::{Fp, FpMap};
use crate::input::repeats::Repeated;
use crate::input::source::{Batch, Cell};

/// Top bits of a fingerprint that order the lookups: 4,096 buckets, so that a chunk's lookups
/// into a 4 GB table fall about 1 MB apart at most, within one 2 MB page.
const BUCKET_BITS: u32 = 12;
/// Lookups started ahead of the one being made, in the sorted order.
const AHEAD: usize = 8;

/// Per row of a batch: what its lookups found, for the validator's checks to read.
#[derive(Debug)]
pub struct Probes<L: Copy + Default, D: Copy + Default> {
    /// The row's id was registered before it (an earlier row, of this batch or before).
    pub seen: Vec<bool>,
    /// The lender's entry, or `None` when no such lender was read.
    pub lender: Vec<Option<D>>,
    /// The loan's entry, or `None` when no such loan was read (also when the cell is empty).
    pub loan: Vec<Option<L>>,
    order: Order,
}

impl<L: Copy + Default, D: Copy + Default> Default for Probes<L, D> {
    fn default() -> Probes<L, D> {
        Probes {
            seen: Vec::new(),
            lender: Vec::new(),
            loan: Vec::new(),
            order: Order::default(),
        }
    }
}

impl<L: Copy + Default, D: Copy + Default> Probes<L, D> {
    /// A new batch: mark its rows that repeat an earlier row's id in column `id` (registering
    /// them in the set, or reading the first pass's repeats in step with the rows). Its lookups
    /// are empty until [`Probes::take`] sets them.
    pub fn begin(&mut self, batch: &Batch, id: usize, repeats: &mut Repeated) {
        let n = batch.len();
        self.seen.clear();
        self.seen.resize(n, false);
        self.lender.clear();
        self.lender.resize(n, None);
        self.loan.clear();
        self.loan.resize(n, None);
        match repeats {
            Repeated::Found(found) => found.mark(&mut self.seen),
            // Ascending ids repeat none (the validator followed them before: `Ascending`).
            Repeated::Ascending(_) => {}
            Repeated::Set(ids) => {
                // In table order: equal ids fall in one bucket in row order, so the first
                // row of an id registers it and every later one is seen, as row by row.
                let sorted = self.order.of(batch, id, 0..n);
                for k in 0..sorted.len() {
                    if let Some((fp, _)) = sorted.get(k + AHEAD) {
                        ids.prefetch(*fp);
                    }
                    let (fp, row) = sorted[k];
                    self.seen[row as usize] = !ids.insert(fp);
                }
            }
        }
    }

    /// The lookups of the batch's `rows`, made by [`Looked::fill`].
    pub fn take(&mut self, rows: Range<usize>, looked: &Looked<L, D>) {
        self.lender[rows.clone()].copy_from_slice(&looked.lender);
        self.loan[rows].copy_from_slice(&looked.loan);
    }
}

/// What the lookups of one chunk of a batch found, per row of the chunk.
#[derive(Debug)]
pub struct Looked<L: Copy + Default, D: Copy + Default> {
    lender: Vec<Option<D>>,
    loan: Vec<Option<L>>,
    order: Order,
}

impl<L: Copy + Default, D: Copy + Default> Default for Looked<L, D> {
    fn default() -> Looked<L, D> {
        Looked {
            lender: Vec::new(),
            loan: Vec::new(),
            order: Order::default(),
        }
    }
}

impl<L: Copy + Default, D: Copy + Default> Looked<L, D> {
    /// Look up columns `lender` and `loan` of the batch's `rows` in their tables, for every row
    /// whose cell holds text.
    pub fn fill(
        &mut self,
        batch: &Batch,
        rows: Range<usize>,
        (lender, loan): (usize, usize),
        lenders: &FpMap<D>,
        loans: &FpMap<L>,
    ) {
        let start = rows.start;
        self.lender.clear();
        self.lender.resize(rows.len(), None);
        self.loan.clear();
        self.loan.resize(rows.len(), None);
        look_up(
            self.order.of(batch, lender, rows.clone()),
            start,
            lenders,
            &mut self.lender,
        );
        look_up(
            self.order.of(batch, loan, rows),
            start,
            loans,
            &mut self.loan,
        );
    }
}

/// `found[row - start]` = the table's entry for each (fingerprint, row) of `sorted`.
fn look_up<V: Copy + Default>(
    sorted: &[(Fp, u32)],
    start: usize,
    table: &FpMap<V>,
    found: &mut [Option<V>],
) {
    for k in 0..sorted.len() {
        if let Some((fp, _)) = sorted.get(k + AHEAD) {
            table.prefetch(*fp);
        }
        let (fp, row) = sorted[k];
        found[row as usize - start] = table.get(fp);
    }
}

/// (fingerprint, row) of the text cells of a column, ordered by the fingerprint's top bits,
/// rows in order within a bucket.
#[derive(Debug)]
pub struct Order {
    keyed: Vec<(Fp, u32)>,
    sorted: Vec<(Fp, u32)>,
    counts: Vec<u32>,
}

impl Default for Order {
    fn default() -> Order {
        Order {
            keyed: Vec::new(),
            sorted: Vec::new(),
            counts: vec![0; 1 << BUCKET_BITS],
        }
    }
}

impl Order {
    /// The cells of `column` in the batch's `rows` that hold text, in table order.
    pub fn of(&mut self, batch: &Batch, column: usize, rows: Range<usize>) -> &[(Fp, u32)] {
        self.keyed.clear();
        for i in rows {
            if let Cell::Ok(s) = batch.columns[column].text(i) {
                self.keyed.push((Fp::of(s.as_bytes()), i as u32));
            }
        }
        let bucket = |fp: &Fp| fp.top_bits(BUCKET_BITS);
        self.counts.iter_mut().for_each(|c| *c = 0);
        for (fp, _) in &self.keyed {
            self.counts[bucket(fp)] += 1;
        }
        let mut start = 0u32;
        for c in self.counts.iter_mut() {
            let n = *c;
            *c = start;
            start += n;
        }
        self.sorted.clear();
        self.sorted.resize(self.keyed.len(), (Fp::of(b""), 0));
        for &(fp, row) in &self.keyed {
            let at = &mut self.counts[bucket(&fp)];
            self.sorted[*at as usize] = (fp, row);
            *at += 1;
        }
        &self.sorted
    }

    /// What the last [`Order::of`] gave.
    pub fn sorted(&self) -> &[(Fp, u32)] {
        &self.sorted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::repeats::RepeatFinder;
    use crate::input::source::Column;
    use proptest::prelude::*;

    /// A batch of three text columns (id, lender, loan); `None` is an empty cell.
    fn batch<'a>(lines: &'a [u64], cols: [&'a [Option<&'a str>]; 3]) -> Batch<'a> {
        Batch {
            lines,
            columns: cols.iter().map(|c| Column::Text(c.to_vec())).collect(),
            csv: None,
            faults: &[],
        }
    }

    proptest! {
        /// Whatever the ids and however many batches, a row is `seen` exactly when an earlier
        /// row (in any batch) has its id — whether a set registers the ids in table order or
        /// a first pass found the repeats — and the lookups, made a chunk ahead on helper
        /// threads whatever the chunk's size, find what the tables hold, row by row.
        #[test]
        fn table_order_sees_what_row_order_sees(
            ids in proptest::collection::vec(proptest::option::weighted(0.9, 0u32..300), 1..600),
            split in 0usize..600,
            first_pass: bool,
            chunk in 1usize..40,
        ) {
            let texts: Vec<Option<String>> = ids.iter().map(|v| v.map(|v| format!("I{v}"))).collect();
            let cells: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
            let mut lenders = FpMap::<u32>::with_expected(8);
            for v in (0..300u32).step_by(3) {
                let _ = lenders.insert_new(Fp::of(format!("I{v}").as_bytes()), v);
            }
            let mut loans = FpMap::<u32>::with_expected(8);
            for v in (0..300u32).step_by(5) {
                let _ = loans.insert_new(Fp::of(format!("I{v}").as_bytes()), v + 1000);
            }
            let mut probes = Probes::<u32, u32>::default();
            let cut = split.min(cells.len());
            let parts = [&cells[..cut], &cells[cut..]];
            let mut finder = RepeatFinder::new(0, 100);
            for part in parts {
                let lines: Vec<u64> = (0..part.len() as u64).collect();
                finder.take(&batch(&lines, [part, part, part]));
            }
            let mut repeats = if first_pass {
                Repeated::Found(finder.finish().unwrap())
            } else {
                Repeated::default()
            };
            let mut seen = Vec::new();
            let mut found = Vec::new();
            let mut loan_found = Vec::new();
            for part in parts {
                let lines: Vec<u64> = (0..part.len() as u64).collect();
                let b = batch(&lines, [part, part, part]);
                probes.begin(&b, 0, &mut repeats);
                crate::input::ahead::chunks_of(chunk, b.len(), |rows, looked: &mut Looked<u32, u32>| {
                    looked.fill(&b, rows, (1, 2), &lenders, &loans);
                }, |rows, looked| probes.take(rows, looked));
                seen.extend_from_slice(&probes.seen);
                found.extend_from_slice(&probes.lender);
                loan_found.extend_from_slice(&probes.loan);
            }
            let mut earlier = std::collections::HashSet::new();
            for (i, id) in ids.iter().enumerate() {
                match id {
                    Some(v) => {
                        prop_assert_eq!(seen[i], !earlier.insert(*v), "row {}", i);
                        prop_assert_eq!(found[i], (v % 3 == 0).then_some(*v));
                        prop_assert_eq!(loan_found[i], (v % 5 == 0).then_some(v + 1000));
                    }
                    None => {
                        prop_assert!(!seen[i]);
                        prop_assert_eq!(found[i], None);
                        prop_assert_eq!(loan_found[i], None);
                    }
                }
            }
        }
    }
}
