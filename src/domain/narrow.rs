//! Three amounts a row in 12 bytes where they fit: each as 32 bits of fen (0 to
//! 42,949,672.94 yuan — nearly every lender's position on a platform, and every payout of
//! one), the rare rows beyond kept whole apart, by row. Half the 24 bytes of three [`Fen`]:
//! a position's sums (invested, returned, returns), a payout row's claim, before and paid.

use crate::domain::money::Fen;

/// A column of three amounts a row. The narrow slots are a `Vec` while the column is made
/// and changed; once complete they may be kept elsewhere (`N`: anything that reads as a slice
/// of them, such as a column mapped from a file) and read as before.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Triples<N = Vec<[u32; 3]>> {
    narrow: N,
    /// The rows whose amounts do not all fit, sorted by row; their narrow slot is [`WIDE`].
    wide: Vec<(usize, [Fen; 3])>,
}

/// A narrow slot whose row's amounts are kept whole (no amount is stored as `u32::MAX`).
pub const WIDE: [u32; 3] = [u32::MAX; 3];

impl Triples {
    /// The narrow slot of `amounts`, when each is 0 to `u32::MAX - 1` fen.
    #[inline]
    pub fn slot(amounts: [Fen; 3]) -> Option<[u32; 3]> {
        let narrow = |v: Fen| u32::try_from(v.0).ok().filter(|&n| n != u32::MAX);
        Some([
            narrow(amounts[0])?,
            narrow(amounts[1])?,
            narrow(amounts[2])?,
        ])
    }

    /// The column of `narrow` slots and, for the rows whose slot is [`WIDE`], their `wide`
    /// amounts (in any order).
    ///
    /// # Panics
    /// When the rows marked wide are not exactly the rows of `wide`.
    pub fn from_parts(narrow: Vec<[u32; 3]>, mut wide: Vec<(usize, [Fen; 3])>) -> Triples {
        wide.sort_unstable_by_key(|(row, _)| *row);
        assert!(
            wide.iter().all(|(row, _)| narrow[*row] == WIDE),
            "every row with amounts kept whole is marked wide"
        );
        debug_assert_eq!(
            narrow.iter().filter(|s| **s == WIDE).count(),
            wide.len(),
            "every row marked wide has its amounts"
        );
        Triples { narrow, wide }
    }

    /// The column of `rows`, in order.
    pub fn of(rows: impl IntoIterator<Item = [Fen; 3]>) -> Triples {
        let mut column = Triples::default();
        for row in rows {
            column.push(row);
        }
        column
    }

    /// Add a row at the end.
    #[inline]
    pub fn push(&mut self, amounts: [Fen; 3]) {
        let slot = Triples::slot(amounts).unwrap_or_else(|| {
            self.wide.push((self.narrow.len(), amounts));
            WIDE
        });
        self.narrow.push(slot);
    }

    /// Change row `i`'s amounts.
    ///
    /// # Panics
    /// When `i` is not a row.
    pub fn set(&mut self, i: usize, amounts: [Fen; 3]) {
        let at = self.wide.binary_search_by_key(&i, |(row, _)| *row);
        match (Triples::slot(amounts), at) {
            (Some(slot), Ok(k)) => {
                self.wide.remove(k);
                self.narrow[i] = slot;
            }
            (Some(slot), Err(_)) => self.narrow[i] = slot,
            (None, Ok(k)) => self.wide[k].1 = amounts,
            (None, Err(k)) => {
                self.wide.insert(k, (i, amounts));
                self.narrow[i] = WIDE;
            }
        }
    }

    /// Add `other`'s rows after these.
    pub fn append(&mut self, other: Triples) {
        let base = self.narrow.len();
        self.wide
            .extend(other.wide.into_iter().map(|(row, v)| (base + row, v)));
        self.narrow.extend(other.narrow);
    }

    pub fn shrink_to_fit(&mut self) {
        self.narrow.shrink_to_fit();
        self.wide.shrink_to_fit();
    }
}

impl<N: std::ops::Deref<Target = [[u32; 3]]>> Triples<N> {
    pub fn len(&self) -> usize {
        self.narrow.len()
    }

    pub fn is_empty(&self) -> bool {
        self.narrow.is_empty()
    }

    /// The same rows with their narrow slots kept as `keep` makes them.
    pub fn keep_narrow<M>(self, keep: impl FnOnce(N) -> M) -> Triples<M> {
        Triples {
            narrow: keep(self.narrow),
            wide: self.wide,
        }
    }

    /// The narrow slots.
    pub fn narrow(&self) -> &N {
        &self.narrow
    }

    /// The narrow slots, to be kept elsewhere in place.
    pub fn narrow_mut(&mut self) -> &mut N {
        &mut self.narrow
    }

    /// Row `i`'s amounts.
    ///
    /// # Panics
    /// When `i` is not a row, as a slice's index would.
    #[inline]
    pub fn get(&self, i: usize) -> [Fen; 3] {
        let slot = self.narrow[i];
        if slot == WIDE {
            return self.wide_at(i);
        }
        slot.map(|v| Fen(i64::from(v)))
    }

    #[cold]
    fn wide_at(&self, i: usize) -> [Fen; 3] {
        match self.wide.binary_search_by_key(&i, |(row, _)| *row) {
            Ok(k) => self.wide[k].1,
            Err(_) => unreachable!("row {i} is marked wide and has its amounts"),
        }
    }

    /// Rows kept whole.
    pub fn wide_rows(&self) -> usize {
        self.wide.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TOP: i64 = u32::MAX as i64 - 1; // 42,949,672.94 yuan: the largest narrow amount

    #[test]
    fn amounts_up_to_the_top_are_narrow_and_above_or_below_zero_are_whole() {
        assert_eq!(
            Triples::slot([Fen(0), Fen(1), Fen(TOP)]),
            Some([0, 1, u32::MAX - 1])
        );
        assert_eq!(Triples::slot([Fen(TOP + 1), Fen(0), Fen(0)]), None);
        assert_eq!(Triples::slot([Fen(0), Fen(-1), Fen(0)]), None);
        let rows = [
            [Fen(5), Fen(TOP), Fen(0)],
            [Fen(0), Fen(0), Fen(TOP + 1)],
            [Fen(-3), Fen(2), Fen(1)],
            [Fen(10_000_000_000), Fen(7), Fen(7)],
        ];
        let column = Triples::of(rows);
        assert_eq!(column.wide_rows(), 3);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(column.get(i), *row);
        }
    }

    #[test]
    fn a_row_set_moves_between_narrow_and_whole() {
        let mut column = Triples::of([[Fen(1), Fen(2), Fen(3)], [Fen(4), Fen(5), Fen(6)]]);
        column.set(1, [Fen(TOP + 1), Fen(5), Fen(6)]);
        assert_eq!(
            (column.get(1), column.wide_rows()),
            ([Fen(TOP + 1), Fen(5), Fen(6)], 1)
        );
        column.set(1, [Fen(TOP + 2), Fen(5), Fen(6)]);
        assert_eq!(
            (column.get(1), column.wide_rows()),
            ([Fen(TOP + 2), Fen(5), Fen(6)], 1)
        );
        column.set(1, [Fen(TOP), Fen(5), Fen(6)]);
        assert_eq!(
            (column.get(1), column.wide_rows()),
            ([Fen(TOP), Fen(5), Fen(6)], 0)
        );
        assert_eq!(column.get(0), [Fen(1), Fen(2), Fen(3)]);
    }

    #[test]
    #[should_panic(expected = "marked wide")]
    fn parts_whose_whole_rows_are_not_marked_are_refused() {
        Triples::from_parts(vec![[1, 2, 3]], vec![(0, [Fen(1), Fen(2), Fen(3)])]);
    }

    proptest! {
        /// Against a plain vector, through pushes, appends and sets, amounts on both sides of
        /// 32 bits.
        #[test]
        fn a_column_reads_back_what_was_put_in(
            first in proptest::collection::vec(proptest::array::uniform3(-2i64..6_000_000_000), 0..40),
            second in proptest::collection::vec(proptest::array::uniform3(0i64..6_000_000_000), 0..40),
            sets in proptest::collection::vec((0usize..80, proptest::array::uniform3(0i64..6_000_000_000)), 0..20),
        ) {
            let fen = |r: [i64; 3]| r.map(Fen);
            let mut model: Vec<[Fen; 3]> = first.iter().chain(&second).map(|r| fen(*r)).collect();
            let mut column = Triples::of(first.iter().map(|r| fen(*r)));
            column.append(Triples::of(second.iter().map(|r| fen(*r))));
            for (i, r) in sets {
                if i < model.len() {
                    model[i] = fen(r);
                    column.set(i, fen(r));
                }
            }
            prop_assert_eq!(column.len(), model.len());
            for (i, row) in model.iter().enumerate() {
                prop_assert_eq!(column.get(i), *row);
            }
            prop_assert_eq!(
                column.wide_rows(),
                model.iter().filter(|r| Triples::slot(**r).is_none()).count()
            );
        }
    }
}
