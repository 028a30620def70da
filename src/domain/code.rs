//! Dense codes for the accepted rows that others refer to — platforms, lenders and their
//! districts; a fundraising case's cases, people and assets — and vectors indexed by them.
//!
//! Validation gives each accepted platform and each accepted lender a code: its position among
//! the accepted rows of its table (file order). Every column the pipeline keeps names a platform
//! or a lender by its code — 4 bytes where the id is a string — and every per-platform or
//! per-lender vector is indexed by it. The two kinds are different types, so a lender's code
//! cannot index a platform's vector, and [`ByCode`] is indexed by its own kind of code only.

use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::ops::{Index, IndexMut};

/// How many codes of one kind there can be: the validators refuse a table whose accepted rows
/// would need more (`DataProblem::TooManyRows`), so [`Code::at`] never meets a larger index.
pub const CAPACITY: usize = u32::MAX as usize;

/// Whether `more` rows can be given codes after the `kept` that have them.
pub fn room_for(kept: usize, more: usize) -> bool {
    kept.checked_add(more).is_some_and(|n| n <= CAPACITY)
}

/// A kind of dense code: a `u32` position in the accepted rows of one table.
pub trait Code: Copy + Eq + Ord + std::hash::Hash + std::fmt::Debug {
    /// The code at `index` (below [`CAPACITY`]: the validators refuse a table of more rows).
    fn at(index: usize) -> Self;
    /// The position this code stands for.
    fn index(self) -> usize;
}

macro_rules! code {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Held as the number + 1, so that an `Option` of a code is 4 bytes too (a ledger's
        /// rows name a platform or lender that today's data may not have).
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(transparent)]
        pub struct $name(NonZeroU32);

        impl $name {
            pub const MIN: $name = $name::new(0);
            pub const MAX: $name = $name::new(u32::MAX - 1);

            /// The code of this number. The validator's tables keep `u32::MAX` for a
            /// rejected row, so no code is that number.
            pub const fn new(n: u32) -> Self {
                match NonZeroU32::new(n.wrapping_add(1)) {
                    Some(c) => $name(c),
                    None => panic!("u32::MAX is not a code"),
                }
            }

            /// The code as the number it is.
            pub const fn get(self) -> u32 {
                self.0.get() - 1
            }
        }

        impl Code for $name {
            fn at(index: usize) -> Self {
                assert!(index < CAPACITY, "the validators refuse a table of more rows");
                $name::new(index as u32)
            }

            fn index(self) -> usize {
                self.get() as usize
            }
        }

        impl Default for $name {
            /// Code 0, for columns made at their size before they are filled.
            fn default() -> Self {
                $name::new(0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.get())
            }
        }
    };
}

code!(
    /// An accepted platform's code: its position among the accepted platforms.
    PlatformCode
);
code!(
    /// An accepted lender's code: its position among the accepted lenders.
    LenderCode
);
code!(
    /// An accepted fundraising case's code: its position among the accepted cases.
    CaseCode
);
code!(
    /// An accepted participant's code (a person of a case): its position among the accepted
    /// participants.
    PersonCode
);
code!(
    /// An accepted case asset's code: its position among the accepted assets.
    AssetCode
);
code!(
    /// A lender district's code: its position among the districts in the order the lenders
    /// table first names them.
    DistrictCode
);

/// Every code of a table of `n` rows, in order.
pub fn codes<K: Code>(n: usize) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
    (0..n).map(K::at)
}

/// A vector with one value per code of one kind, indexed by that kind of code only. Reads as a
/// slice (`len`, `iter`, …) where the code does not matter.
#[derive(Clone, PartialEq, Eq)]
pub struct ByCode<K, T> {
    items: Vec<T>,
    kind: PhantomData<fn(K) -> K>,
}

impl<K: Code, T> ByCode<K, T> {
    pub fn new() -> Self {
        Vec::new().into()
    }

    /// `n` copies of `value`.
    pub fn filled(n: usize, value: T) -> Self
    where
        T: Clone,
    {
        vec![value; n].into()
    }

    /// Append a value; returns its code.
    pub fn push(&mut self, value: T) -> K {
        self.items.push(value);
        K::at(self.items.len() - 1)
    }

    pub fn get(&self, code: K) -> Option<&T> {
        self.items.get(code.index())
    }

    /// Each code with its value, in code order.
    pub fn coded(&self) -> impl DoubleEndedIterator<Item = (K, &T)> + ExactSizeIterator {
        self.items.iter().enumerate().map(|(i, v)| (K::at(i), v))
    }

    /// Every code, in order.
    pub fn codes(&self) -> impl DoubleEndedIterator<Item = K> + ExactSizeIterator {
        codes(self.items.len())
    }

    pub fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<K, T> std::ops::Deref for ByCode<K, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.items
    }
}

impl<K, T> std::ops::DerefMut for ByCode<K, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items
    }
}

impl<K: Code, T> Index<K> for ByCode<K, T> {
    type Output = T;
    fn index(&self, code: K) -> &T {
        &self.items[code.index()]
    }
}

impl<K: Code, T> IndexMut<K> for ByCode<K, T> {
    fn index_mut(&mut self, code: K) -> &mut T {
        &mut self.items[code.index()]
    }
}

impl<K, T> From<Vec<T>> for ByCode<K, T> {
    fn from(items: Vec<T>) -> Self {
        ByCode {
            items,
            kind: PhantomData,
        }
    }
}

impl<K, T> FromIterator<T> for ByCode<K, T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<T>>().into()
    }
}

impl<K, T> Default for ByCode<K, T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<K, T: std::fmt::Debug> std::fmt::Debug for ByCode<K, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.items.fmt(f)
    }
}

impl<'a, K, T> IntoIterator for &'a ByCode<K, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<K, T> IntoIterator for ByCode<K, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_by_code_is_indexed_by_its_codes() {
        let mut names: ByCode<PlatformCode, &str> = ByCode::new();
        let a = names.push("a");
        let b = names.push("b");
        assert_eq!((a.get(), b.get()), (0, 1));
        assert_eq!(names[b], "b");
        names[a] = "A";
        assert_eq!(names.coded().collect::<Vec<_>>(), [(a, &"A"), (b, &"b")]);
        assert_eq!(names.get(PlatformCode::new(2)), None);
        assert_eq!(codes::<LenderCode>(3).last(), Some(LenderCode::new(2)));
    }

    #[test]
    fn a_code_and_a_code_that_may_be_missing_take_4_bytes() {
        assert_eq!(std::mem::size_of::<LenderCode>(), 4);
        assert_eq!(std::mem::size_of::<Option<PlatformCode>>(), 4);
        assert_eq!(LenderCode::new(u32::MAX - 1).index(), u32::MAX as usize - 1);
        assert_eq!(PlatformCode::default().get(), 0);
        // The last code there can be, and the room check the validators make before it.
        assert_eq!(LenderCode::at(CAPACITY - 1), LenderCode::MAX);
        assert!(
            room_for(CAPACITY - 1, 1) && !room_for(CAPACITY - 1, 2) && !room_for(usize::MAX, 1)
        );
    }
}
