//! The id-table lookups of one batch of investments, made in table order.
//!
//! At national scale the investment id set, the lender table and the loan table hold 7 GB
//! between them, beyond the reach of the TLB even with huge pages: probed in row order, nearly
//! every lookup is a page walk as well as a cache miss (the profile showed the validator stalled
//! on its prefetches). Ordered by the slot they land in — a counting sort on the fingerprint's
//! top bits, which the tables' slot index follows — a batch's lookups walk each table from one
//! end to the other, many to a page.
//!
//! The order changes nothing a row sees. The lookups into the lender and loan tables only read.
//! The inserts into the investment id set keep, among rows with the same id, their row order
//! (the sort is stable and equal ids fall in the same bucket), so the first row of an id is the
//! one that registers it and every later one is `seen`, exactly as row by row.

use crate::input::ids::{Fp, FpMap, FpSet};
use crate::input::source::{Batch, Cell};

/// Top bits of a fingerprint that order the lookups: 4,096 buckets, so that a batch's lookups
/// into a 4 GB table fall about 1 MB apart at most, within one 2 MB page.
const BUCKET_BITS: u32 = 12;
/// Lookups started ahead of the one being made, in the sorted order.
const AHEAD: usize = 8;

/// Per row of a batch: what its lookups found.
#[derive(Debug)]
pub struct Probes<L: Copy + Default, D: Copy + Default> {
    /// The row's id was registered before it (an earlier row, of this batch or before).
    pub seen: Vec<bool>,
    /// The lender's entry, or `None` when no such lender was read.
    pub lender: Vec<Option<D>>,
    /// The loan's entry, or `None` when no such loan was read (also when the cell is empty).
    pub loan: Vec<Option<L>>,
    keyed: Vec<(Fp, u32)>,
    sorted: Vec<(Fp, u32)>,
    counts: Vec<u32>,
}

impl<L: Copy + Default, D: Copy + Default> Default for Probes<L, D> {
    fn default() -> Probes<L, D> {
        Probes {
            seen: Vec::new(),
            lender: Vec::new(),
            loan: Vec::new(),
            keyed: Vec::new(),
            sorted: Vec::new(),
            counts: vec![0; 1 << BUCKET_BITS],
        }
    }
}

impl<L: Copy + Default, D: Copy + Default> Probes<L, D> {
    /// Register the ids of column `id` in `ids` and look up columns `lender` and `loan` in
    /// their tables, for every row of `batch` whose cell holds text.
    pub fn fill(
        &mut self,
        batch: &Batch,
        (id, lender, loan): (usize, usize, usize),
        ids: &mut FpSet,
        lenders: &FpMap<D>,
        loans: &FpMap<L>,
    ) {
        let n = batch.len();
        self.seen.clear();
        self.seen.resize(n, false);
        self.lender.clear();
        self.lender.resize(n, None);
        self.loan.clear();
        self.loan.resize(n, None);

        self.order(batch, id);
        for k in 0..self.sorted.len() {
            if let Some((fp, _)) = self.sorted.get(k + AHEAD) {
                ids.prefetch(*fp);
            }
            let (fp, row) = self.sorted[k];
            self.seen[row as usize] = !ids.insert(fp);
        }
        self.order(batch, lender);
        for k in 0..self.sorted.len() {
            if let Some((fp, _)) = self.sorted.get(k + AHEAD) {
                lenders.prefetch(*fp);
            }
            let (fp, row) = self.sorted[k];
            self.lender[row as usize] = lenders.get(fp);
        }
        self.order(batch, loan);
        for k in 0..self.sorted.len() {
            if let Some((fp, _)) = self.sorted.get(k + AHEAD) {
                loans.prefetch(*fp);
            }
            let (fp, row) = self.sorted[k];
            self.loan[row as usize] = loans.get(fp);
        }
    }

    /// `sorted`: (fingerprint, row) of the rows whose cell in `column` holds text, by the
    /// fingerprint's top bits, rows in order within a bucket.
    fn order(&mut self, batch: &Batch, column: usize) {
        self.keyed.clear();
        for i in 0..batch.len() {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        /// row (in any batch) has its id, and the lookups find what the tables hold.
        #[test]
        fn table_order_sees_what_row_order_sees(
            ids in proptest::collection::vec(proptest::option::weighted(0.9, 0u32..300), 1..600),
            split in 0usize..600,
        ) {
            let texts: Vec<Option<String>> = ids.iter().map(|v| v.map(|v| format!("I{v}"))).collect();
            let cells: Vec<Option<&str>> = texts.iter().map(|t| t.as_deref()).collect();
            let mut lenders = FpMap::<u32>::with_expected(8);
            for v in (0..300u32).step_by(3) {
                let _ = lenders.insert_new(Fp::of(format!("I{v}").as_bytes()), v);
            }
            let loans = FpMap::<u32>::with_expected(8);
            let mut set = FpSet::with_expected(8);
            let mut probes = Probes::<u32, u32>::default();
            let cut = split.min(cells.len());
            let mut seen = Vec::new();
            let mut found = Vec::new();
            for part in [&cells[..cut], &cells[cut..]] {
                let lines: Vec<u64> = (0..part.len() as u64).collect();
                let b = batch(&lines, [part, part, part]);
                probes.fill(&b, (0, 1, 2), &mut set, &lenders, &loans);
                seen.extend_from_slice(&probes.seen);
                found.extend_from_slice(&probes.lender);
                prop_assert!(probes.loan.iter().all(Option::is_none));
            }
            let mut earlier = std::collections::HashSet::new();
            for (i, id) in ids.iter().enumerate() {
                match id {
                    Some(v) => {
                        prop_assert_eq!(seen[i], !earlier.insert(*v), "row {}", i);
                        prop_assert_eq!(found[i], (v % 3 == 0).then_some(*v));
                    }
                    None => {
                        prop_assert!(!seen[i]);
                        prop_assert_eq!(found[i], None);
                    }
                }
            }
        }
    }
}
