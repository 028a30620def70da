//! The keys of a batch of platforms, loans or lenders, registered in their id table in table
//! order before the batch's rows are checked.
//!
//! Every row that has a key registers it, accepted or not: a later row with the key is a
//! `duplicate_id` even when the first was rejected. Registered row by row, each insert into a
//! national-size table (1.7 GB of lender slots, 1.6 GB of loan slots) was a cache and TLB miss:
//! the national profile put a third of the lenders' validation on its prefetches, stalled.
//! Ordered by the slot each key goes to ([`Order`]: equal keys stay in row order), a batch's
//! inserts walk the table from one end to the other, many to a page; the first row of a key
//! still registers it and every later row finds it, as row by row. What an accepted row writes
//! into its slot (its code) is held until the batch's rows are checked, then written in the same
//! table order ([`Keys::write`]): nothing reads it before the batch is over.

use crate::input::ids::FpMap;
use crate::input::probes::Order;
use crate::input::source::Batch;

/// Keys ahead of the one being inserted whose slots are prefetched, in table order.
const AHEAD: usize = 8;

/// What registering a row's key found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// The row has no key (its key cell is empty or not text).
    Absent,
    /// An earlier row (of this batch or before) has the key.
    Seen,
    /// The row registered the key, in this slot of the table.
    New(usize),
}

/// The keys of the batch being validated, with the values its accepted rows give them.
#[derive(Debug)]
pub struct Keys<V> {
    order: Order,
    /// Per row of the batch.
    found: Vec<Key>,
    /// Per row: the value an accepted row with a new key gives it, until [`Keys::write`].
    values: Vec<Option<V>>,
}

impl<V> Default for Keys<V> {
    fn default() -> Keys<V> {
        Keys {
            order: Order::default(),
            found: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<V: Copy + Default> Keys<V> {
    /// Register the keys in `column` of every row of the batch in `table` (a new key with the
    /// default value: registered, not accepted).
    pub fn register(&mut self, batch: &Batch, column: usize, table: &mut FpMap<V>) {
        let n = batch.len();
        self.found.clear();
        self.found.resize(n, Key::Absent);
        self.values.clear();
        self.values.resize(n, None);
        let sorted = self.order.of(batch, column, 0..n);
        // The slots handed out must hold until the batch's values are written: no growth
        // between the inserts.
        table.make_room(sorted.len());
        for k in 0..sorted.len() {
            if let Some((fp, _)) = sorted.get(k + AHEAD) {
                table.prefetch(*fp);
            }
            let (fp, row) = sorted[k];
            self.found[row as usize] = match table.insert_new(fp, V::default()) {
                Ok(slot) => Key::New(slot),
                Err(_) => Key::Seen,
            };
        }
    }

    /// What registering row `i`'s key found.
    pub fn get(&self, i: usize) -> Key {
        self.found[i]
    }

    /// Give row `i`'s new key the accepted row's value (written by [`Keys::write`]).
    pub fn accept(&mut self, i: usize, value: V) {
        self.values[i] = Some(value);
    }

    /// Write the accepted rows' values into their slots, in table order.
    pub fn write(&mut self, table: &mut FpMap<V>) {
        for &(_, row) in self.order.sorted() {
            let row = row as usize;
            if let (Key::New(slot), Some(v)) = (self.found[row], self.values[row].take()) {
                table.set_at(slot, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ids::Fp;
    use crate::input::source::Column;
    use proptest::prelude::*;

    fn batch<'a>(lines: &'a [u64], keys: &'a [Option<&'a str>]) -> Batch<'a> {
        Batch {
            lines,
            columns: vec![Column::Text(keys.to_vec())],
            csv: None,
            faults: &[],
        }
    }

    #[test]
    fn the_first_row_of_a_key_registers_it_and_later_rows_see_it() {
        let mut table = FpMap::<u32>::with_expected(4);
        let mut keys = Keys::default();
        let cells = [Some("b"), Some("a"), None, Some("b"), Some("a")];
        let lines = [2, 3, 4, 5, 6];
        keys.register(&batch(&lines, &cells), 0, &mut table);
        let found: Vec<Key> = (0..5).map(|i| keys.get(i)).collect();
        assert!(matches!(found[0], Key::New(_)));
        assert!(matches!(found[1], Key::New(_)));
        assert_eq!(&found[2..], &[Key::Absent, Key::Seen, Key::Seen]);
        // Registered, not accepted, until a value is written.
        assert_eq!(table.get(Fp::of(b"b")), Some(0));
        keys.accept(0, 7);
        assert_eq!(
            table.get(Fp::of(b"b")),
            Some(0),
            "held until the batch is over"
        );
        keys.write(&mut table);
        assert_eq!(table.get(Fp::of(b"b")), Some(7));
        assert_eq!(table.get(Fp::of(b"a")), Some(0));
    }

    proptest! {
        /// Whatever the keys, the batches and the table's size, registration in table order
        /// finds what registering row by row finds, and the accepted rows' values land
        /// where a row-by-row registration would have put them, across growth.
        #[test]
        fn table_order_registers_what_row_order_registers(
            cells in proptest::collection::vec(proptest::option::weighted(0.9, 0u32..400), 0..900),
            cuts in proptest::collection::vec(0usize..900, 0..4),
            accepted in proptest::collection::vec(any::<bool>(), 900),
        ) {
            let texts: Vec<Option<String>> = cells.iter().map(|v| v.map(|v| format!("K{v}"))).collect();
            let mut ends: Vec<usize> = cuts.iter().map(|c| c % (texts.len() + 1)).collect();
            ends.push(texts.len());
            ends.sort_unstable();
            let mut table = FpMap::<u32>::with_expected(1);
            let mut by_row = FpMap::<u32>::with_expected(1);
            let mut keys = Keys::default();
            let mut start = 0;
            for end in ends {
                let part: Vec<Option<&str>> = texts[start..end].iter().map(|t| t.as_deref()).collect();
                let lines: Vec<u64> = (start as u64..end as u64).collect();
                keys.register(&batch(&lines, &part), 0, &mut table);
                for (i, cell) in part.iter().enumerate() {
                    let row = start + i;
                    let want = match cell {
                        None => Key::Absent,
                        Some(t) => match by_row.insert_new(Fp::of(t.as_bytes()), 0) {
                            Ok(slot) => {
                                if accepted[row] {
                                    by_row.set_at(slot, row as u32 + 1);
                                }
                                Key::New(0)
                            }
                            Err(_) => Key::Seen,
                        },
                    };
                    let got = keys.get(i);
                    prop_assert_eq!(std::mem::discriminant(&got), std::mem::discriminant(&want), "row {}", row);
                    if matches!(got, Key::New(_)) && accepted[row] {
                        keys.accept(i, row as u32 + 1);
                    }
                }
                keys.write(&mut table);
                start = end;
            }
            prop_assert_eq!(table.len(), by_row.len());
            for v in 0..400u32 {
                let fp = Fp::of(format!("K{v}").as_bytes());
                prop_assert_eq!(table.get(fp), by_row.get(fp), "key K{}", v);
            }
        }
    }
}
