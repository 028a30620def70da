//! A complete id table laid out in fingerprint order, 85 % full.
//!
//! The loans' and lenders' id tables are filled while their tables are read and only looked up
//! afterwards (by every investment row, then by ledgers and statements). An open-addressing
//! table must stay well below full for its inserts and misses to stay short: at 78 % (the
//! load a table is sized for when its rows are known) a slot of 20–24 bytes costs 26–31 bytes
//! an id, 2.8 GB for the loans and lenders of the national set. Frozen, the same slots hold the entries sorted by fingerprint, each at its
//! home slot (the fingerprint's place in the table, [`super::home`], rising with it) or, where
//! earlier entries fill it, just after them — linear probing in which an entry never passes a
//! larger one. A lookup reads from the home slot on, past smaller fingerprints, and stops at
//! its own, a larger one or an empty slot: at 85 % a found id is three or four slots on (the
//! same cache line or the next), a missing one stops at the first larger fingerprint instead
//! of the end of the run. 23.5 bytes a lender, 28 a loan (`cargo run --release --example
//! lookups`, 50 million ids on the project's machine: 1,121 MB frozen against 1,362 as filled,
//! 58.8 ns a lookup against 56.0; at 90 %, 1,059 MB but 69.6 ns).
//!
//! The table is turned over in place: its entries are gathered at its front, sorted (they are
//! nearly in order already, since a table's home slots rise with the fingerprint), and moved
//! to their places from the last one back. The memory it gives back is the tail of the same
//! block; a list of the places (4 bytes an entry) is held meanwhile.

use super::{fp_of, home, key, Fp, FpMap, Slot, EMPTY, SIZED_LOAD};

/// The share of a frozen table's home slots in use.
const LOAD: f64 = 0.85;

/// Moves an insertion sort may make, per entry, before the sort gives up on the entries being
/// nearly in order and sorts them anew (a table's clusters are a few entries long).
const SHIFTS_PER_ENTRY: usize = 64;

impl<V: Copy + Default> FpMap<V> {
    /// Lay the table out in fingerprint order, 85 % full, for lookups only (an insert lays it
    /// out as a table again). Same entries, same answers.
    pub fn freeze(&mut self) {
        self.freeze_at(LOAD)
    }

    /// [`FpMap::freeze`] with `load` of the home slots in use (for the lookups benchmark).
    pub fn freeze_at(&mut self, load: f64) {
        if self.homes != 0 {
            return;
        }
        let len = self.len;
        // Places are kept as u32, and a place is below the home slots plus the entries: a table
        // of two billion ids stays a table.
        let homes = ((len as f64 / load) as usize).saturating_add(1);
        if u32::try_from(homes.saturating_add(len)).is_err() {
            return;
        }
        self.gather();
        sort_nearly_sorted(&mut self.slots[..len]);
        let mut places: Vec<u32> = Vec::with_capacity(len);
        let mut next = 0usize;
        for s in &self.slots[..len] {
            let at = home(fp_of(s.key), homes).max(next);
            places.push(at as u32);
            next = at + 1;
        }
        let total = next.max(homes);
        let empty = Slot {
            key: EMPTY,
            val: V::default(),
        };
        self.slots.truncate(len);
        self.slots.resize(total, empty);
        // Each entry's place is at or after its index, and after every earlier entry's: moved
        // from the last back, none lands on an entry not yet moved.
        for i in (0..len).rev() {
            let s = std::mem::replace(&mut self.slots[i], empty);
            self.slots[places[i] as usize] = s;
        }
        self.slots.shrink_to_fit();
        self.homes = homes;
    }

    /// The entries at the front of the slots, in slot order, except those that wrapped past
    /// the table's end to its first slots, which go last (after the entries of the last slots,
    /// which they follow in fingerprint order).
    fn gather(&mut self) {
        let n = self.slots.len();
        let mut wrapped = Vec::new();
        let mut w = 0;
        for i in 0..n {
            let s = self.slots[i];
            if s.key == EMPTY {
                continue;
            }
            if i < home(fp_of(s.key), n) {
                wrapped.push(s);
            } else {
                self.slots[w] = s;
                w += 1;
            }
        }
        for s in wrapped {
            self.slots[w] = s;
            w += 1;
        }
    }

    /// A frozen table's lookup: from the home slot on, past smaller fingerprints.
    pub(super) fn get_ordered(&self, fp: Fp) -> Option<V> {
        let want = key(fp);
        let mut i = home(fp, self.homes);
        while let Some(s) = self.slots.get(i) {
            if s.key == want {
                return Some(s.val);
            }
            if s.key == EMPTY || fp_of(s.key) > fp {
                return None;
            }
            i += 1;
        }
        None
    }

    /// A frozen table laid out as a table again, before an insert: sized for its entries as
    /// [`FpMap::with_expected`] sizes a new one.
    pub(super) fn thaw(&mut self) {
        if self.homes != 0 {
            self.resize(((self.len as f64 / SIZED_LOAD) as usize).max(16));
        }
    }

    /// Whether the table is frozen.
    pub fn is_frozen(&self) -> bool {
        self.homes != 0
    }
}

/// Sort by fingerprint entries that are nearly in order: by insertion while that takes few
/// moves, else anew.
fn sort_nearly_sorted<V: Copy>(slots: &mut [Slot<V>]) {
    let mut budget = slots.len().saturating_mul(SHIFTS_PER_ENTRY);
    for i in 1..slots.len() {
        let s = slots[i];
        let fp = fp_of(s.key);
        let mut j = i;
        while j > 0 && fp_of(slots[j - 1].key) > fp {
            if budget == 0 {
                // The entry being moved back into the gap first: no entry lost or doubled.
                slots[j] = s;
                slots.sort_unstable_by_key(|s| fp_of(s.key));
                return;
            }
            budget -= 1;
            slots[j] = slots[j - 1];
            j -= 1;
        }
        slots[j] = s;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Fp, FpMap};
    use super::*;
    use proptest::prelude::*;

    fn id(i: u32) -> Fp {
        Fp::of(format!("L{i}").as_bytes())
    }

    /// A fingerprint whose first half is `a`: its home slot is `a`'s share of the table.
    fn at(a: u64, b: u64) -> Fp {
        Fp([a, b])
    }

    #[test]
    fn a_frozen_map_answers_as_the_table_did() {
        let mut m: FpMap<u32> = FpMap::with_expected(4);
        for i in 0..50_000u32 {
            m.insert_new(id(i), i).unwrap();
        }
        let table_bytes = m.bytes();
        m.freeze();
        assert!(m.is_frozen());
        assert_eq!(m.len(), 50_000);
        for i in 0..50_000u32 {
            assert_eq!(m.get(id(i)), Some(i), "L{i}");
        }
        for i in 50_000..60_000u32 {
            assert_eq!(m.get(id(i)), None, "L{i}");
        }
        // 20-byte slots: 50,000 / 0.85 + a tail, against the table's ≤ 85 %.
        assert!(
            m.bytes() <= (50_000.0 / 0.85) as usize * 20 + 20 * 64,
            "{}",
            m.bytes()
        );
        assert!(m.bytes() < table_bytes);
    }

    #[test]
    fn an_insert_into_a_frozen_map_makes_it_a_table_again() {
        let mut m: FpMap<u32> = FpMap::with_expected(4);
        for i in 0..1_000u32 {
            m.insert_new(id(i), i).unwrap();
        }
        m.freeze();
        assert_eq!(m.insert_new(id(7), 99), Err(7));
        assert!(!m.is_frozen());
        let slot = m.insert_new(id(5_000), 0).unwrap();
        m.set_at(slot, 5);
        assert_eq!(m.get(id(5_000)), Some(5));
        assert_eq!(m.get(id(999)), Some(999));
        m.freeze();
        assert_eq!(m.get(id(5_000)), Some(5));
        assert_eq!(m.len(), 1_001);
    }

    #[test]
    fn empty_and_single_maps_freeze() {
        let mut m: FpMap<u32> = FpMap::with_expected(0);
        m.freeze();
        assert!(m.is_frozen());
        assert_eq!(m.get(id(1)), None);
        let mut one: FpMap<u32> = FpMap::with_expected(0);
        one.insert_new(id(1), 1).unwrap();
        one.freeze();
        assert_eq!(one.get(id(1)), Some(1));
        assert_eq!(one.get(id(2)), None);
    }

    #[test]
    fn entries_that_wrapped_past_the_end_and_crowd_the_last_slot() {
        // Every fingerprint's home is the table's last slot: the table wraps them to its
        // first slots; frozen, they run on past the home slots into the tail.
        let mut m: FpMap<u32> = FpMap::with_expected(16);
        let keys: Vec<Fp> = (0..12u64).map(|b| at(u64::MAX - b % 3, b + 1)).collect();
        for (v, fp) in keys.iter().enumerate() {
            m.insert_new(*fp, v as u32).unwrap();
        }
        // And some at the front, which the wrapped ones must not be sorted among.
        for b in 0..3u64 {
            m.insert_new(at(b, 1), 100 + b as u32).unwrap();
        }
        m.freeze();
        for (v, fp) in keys.iter().enumerate() {
            assert_eq!(m.get(*fp), Some(v as u32));
        }
        for b in 0..3u64 {
            assert_eq!(m.get(at(b, 1)), Some(100 + b as u32));
        }
        // Missing: between, before and after the stored ones.
        assert_eq!(m.get(at(u64::MAX, 100)), None);
        assert_eq!(m.get(at(u64::MAX - 1, 0)), None);
        assert_eq!(m.get(at(1 << 63, 5)), None);
        assert_eq!(m.get(at(0, 2)), None);
    }

    #[test]
    fn entries_far_out_of_order_are_sorted_anew() {
        let mut slots: Vec<Slot<u32>> = (0..1_000u64)
            .rev()
            .map(|a| Slot {
                key: key(at(a * 1_000 + 1, 0)),
                val: a as u32,
            })
            .collect();
        sort_nearly_sorted(&mut slots);
        assert!(slots.windows(2).all(|w| fp_of(w[0].key) < fp_of(w[1].key)));
        assert_eq!(slots[0].val, 0);
    }

    proptest! {
        #[test]
        fn frozen_lookups_match_a_reference(
            stored in proptest::collection::btree_map(any::<(u64, u64)>(), any::<u32>(), 0..400),
            missing in proptest::collection::vec(any::<(u64, u64)>(), 0..100),
            crowded in 0u32..3,
        ) {
            // `crowded` squeezes the first halves into a narrow band so that runs are long.
            let squeeze = |a: u64| match crowded {
                0 => a,
                1 => a >> 60,
                _ => u64::MAX - (a >> 58),
            };
            let fp = |(a, b): (u64, u64)| {
                let (a, b) = (squeeze(a), b);
                Fp(if [a, b] == [0, 0] { [0, 1] } else { [a, b] })
            };
            let mut reference = std::collections::BTreeMap::new();
            let mut m: FpMap<u32> = FpMap::with_expected(0);
            for (k, v) in &stored {
                if reference.insert(fp(*k), *v).is_none() {
                    m.insert_new(fp(*k), *v).unwrap();
                }
            }
            m.freeze();
            prop_assert_eq!(m.len(), reference.len());
            for (k, v) in &reference {
                prop_assert_eq!(m.get(*k), Some(*v));
            }
            for k in &missing {
                prop_assert_eq!(m.get(fp(*k)), reference.get(&fp(*k)).copied());
            }
        }
    }
}
