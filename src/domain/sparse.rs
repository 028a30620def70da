//! A column whose values are nearly all the default (zero money): one bit a row says which rows
//! hold a value, and only those values are stored. Read in constant time — the values before
//! a row are counted per 64 rows — so an export can read it row by row as it reads a dense one.
//! Built by appending rows in order.

/// Rows `0..len`, each the default value unless stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sparse<T> {
    /// Bit `i % 64` of word `i / 64`: row `i` holds a stored value.
    bits: Vec<u64>,
    /// Per word: the values stored for the rows before it.
    before: Vec<usize>,
    values: Vec<T>,
    len: usize,
}

impl<T: Copy + Default + PartialEq> Sparse<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Rows with a value other than the default.
    pub fn stored(&self) -> usize {
        self.values.len()
    }

    /// Append one row.
    pub fn push(&mut self, value: T) {
        let (word, bit) = (self.len / 64, self.len % 64);
        if bit == 0 {
            self.bits.push(0);
            self.before.push(self.values.len());
        }
        if value != T::default() {
            self.bits[word] |= 1 << bit;
            self.values.push(value);
        }
        self.len += 1;
    }

    /// Row `i`'s value.
    ///
    /// # Panics
    /// When `i` is not a row, as a slice's index would.
    #[inline]
    pub fn get(&self, i: usize) -> T {
        assert!(i < self.len, "row {i} of a column of {} rows", self.len);
        let (word, bit) = (i / 64, i % 64);
        let bits = self.bits[word];
        if bits & (1 << bit) == 0 {
            return T::default();
        }
        let below = (bits & ((1u64 << bit) - 1)).count_ones() as usize;
        self.values[self.before[word] + below]
    }

    /// Append every row of `other`.
    pub fn append(&mut self, other: &Sparse<T>) {
        if self.len % 64 == 0 {
            // Word-aligned: the words and values are taken as they are.
            let base = self.values.len();
            self.bits.extend_from_slice(&other.bits);
            self.before.extend(other.before.iter().map(|b| b + base));
            self.values.extend_from_slice(&other.values);
            self.len += other.len;
        } else {
            for i in 0..other.len {
                self.push(other.get(i));
            }
        }
    }

    pub fn shrink_to_fit(&mut self) {
        self.bits.shrink_to_fit();
        self.before.shrink_to_fit();
        self.values.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::Sparse;
    use proptest::prelude::*;

    #[test]
    fn rows_read_back_across_words_and_defaults_take_no_room() {
        let mut s = Sparse::default();
        for i in 0..200u32 {
            s.push(if i % 63 == 0 || i == 127 || i == 128 {
                i + 1
            } else {
                0
            });
        }
        assert_eq!(s.len(), 200);
        // Rows 0, 63, 126, 127, 128, 189 hold values.
        assert_eq!(s.stored(), 6);
        assert_eq!(s.get(0), 1);
        assert_eq!(s.get(1), 0);
        assert_eq!(s.get(63), 64);
        assert_eq!(s.get(64), 0);
        assert_eq!(s.get(126), 127);
        assert_eq!(s.get(127), 128);
        assert_eq!(s.get(128), 129);
        assert_eq!(s.get(189), 190);
        assert_eq!(s.get(199), 0);
    }

    #[test]
    #[should_panic(expected = "row 3 of a column of 3 rows")]
    fn a_row_past_the_end_is_refused() {
        let mut s = Sparse::default();
        for v in [0u8, 5, 0] {
            s.push(v);
        }
        let _ = s.get(3);
    }

    proptest! {
        /// Pushed or appended in pieces (aligned or not), the column reads back what went in.
        #[test]
        fn a_column_reads_back_its_rows(
            pieces in prop::collection::vec(
                prop::collection::vec(prop_oneof![4 => Just(0i64), 1 => any::<i64>()], 0..150),
                0..6,
            )
        ) {
            let mut whole = Sparse::default();
            let mut expected = Vec::new();
            for piece in &pieces {
                let mut part = Sparse::default();
                for &v in piece {
                    part.push(v);
                }
                whole.append(&part);
                expected.extend_from_slice(piece);
            }
            prop_assert_eq!(whole.len(), expected.len());
            prop_assert_eq!(whole.stored(), expected.iter().filter(|v| **v != 0).count());
            for (i, v) in expected.iter().enumerate() {
                prop_assert_eq!(whole.get(i), *v);
            }
        }
    }
}
