//! Ids as integer codes from the first load on.
//!
//! An id (platform_id, lender_id, loan_id, investment_id, borrower_id) is looked up by its
//! 128-bit fingerprint (XXH3-128 of its bytes) in an open-addressing table sized for the data:
//! 16 bytes per id and one memory access per lookup, where a table of strings costs a heap
//! allocation and two. Two different ids of a national data set (some 300 million ids) share a
//! fingerprint with a probability below 10⁻²¹ — far below the rate of undetected hardware
//! errors — and the fingerprint never leaves the process: outputs carry the ids themselves.

use xxhash_rust::xxh3::xxh3_128;

/// The fingerprint of an id's bytes; never `[0, 0]` (the empty slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fp([u64; 2]);

impl Fp {
    pub fn of(id: &[u8]) -> Fp {
        let h = xxh3_128(id);
        let fp = [h as u64, (h >> 64) as u64];
        // [0, 0] marks an empty slot; an id hashing to it (p = 2⁻¹²⁸) is moved next door.
        Fp(if fp == [0, 0] { [0, 1] } else { fp })
    }

    /// The fingerprint of a pair (platform code, id), for ids unique per platform.
    pub fn pair(code: u32, id: &[u8]) -> Fp {
        let Fp([a, b]) = Fp::of(id);
        Fp::of(
            &[
                a.to_le_bytes(),
                b.to_le_bytes(),
                u64::from(code).to_le_bytes(),
            ]
            .concat(),
        )
    }
}

const EMPTY: [u64; 2] = [0, 0];
/// The share of slots in use before the table grows.
const MAX_LOAD: f64 = 0.8;

/// A map from fingerprints to small values (codes), by linear probing.
#[derive(Clone)]
pub struct FpMap<V: Copy + Default> {
    keys: Vec<[u64; 2]>,
    vals: Vec<V>,
    len: usize,
}

impl<V: Copy + Default> Default for FpMap<V> {
    fn default() -> FpMap<V> {
        FpMap::with_expected(0)
    }
}

impl<V: Copy + Default> FpMap<V> {
    /// A map for about `expected` ids (it grows if there are more).
    pub fn with_expected(expected: usize) -> FpMap<V> {
        let slots = ((expected as f64 / 0.7) as usize).max(16);
        FpMap {
            keys: vec![EMPTY; slots],
            vals: vec![V::default(); slots],
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot where `fp` is or would go.
    #[inline]
    fn slot(&self, fp: Fp) -> usize {
        let n = self.keys.len();
        // Multiply-shift maps the fingerprint onto the table without a power-of-two size.
        let mut i = ((u128::from(fp.0[0]) * n as u128) >> 64) as usize;
        loop {
            let k = self.keys[i];
            if k == fp.0 || k == EMPTY {
                return i;
            }
            i += 1;
            if i == n {
                i = 0;
            }
        }
    }

    pub fn get(&self, fp: Fp) -> Option<V> {
        let i = self.slot(fp);
        (self.keys[i] != EMPTY).then(|| self.vals[i])
    }

    /// Insert `fp → v` unless present; returns the value already there, if any.
    pub fn insert_new(&mut self, fp: Fp, v: V) -> Option<V> {
        let i = self.slot(fp);
        if self.keys[i] != EMPTY {
            return Some(self.vals[i]);
        }
        self.keys[i] = fp.0;
        self.vals[i] = v;
        self.len += 1;
        if self.len as f64 > self.keys.len() as f64 * MAX_LOAD {
            self.grow();
        }
        None
    }

    /// Overwrite the value of a present key (no-op if absent).
    pub fn set(&mut self, fp: Fp, v: V) {
        let i = self.slot(fp);
        if self.keys[i] != EMPTY {
            self.vals[i] = v;
        }
    }

    fn grow(&mut self) {
        let slots = self.keys.len() * 3 / 2 + 16;
        let keys = std::mem::replace(&mut self.keys, vec![EMPTY; slots]);
        let vals = std::mem::replace(&mut self.vals, vec![V::default(); slots]);
        for (k, v) in keys.into_iter().zip(vals) {
            if k != EMPTY {
                let i = self.slot(Fp(k));
                self.keys[i] = k;
                self.vals[i] = v;
            }
        }
    }

    /// Bytes held, for the memory figures.
    pub fn bytes(&self) -> usize {
        self.keys.len() * (16 + std::mem::size_of::<V>())
    }
}

/// A set of fingerprints (investment ids: only their uniqueness matters).
pub struct FpSet(FpMap<()>);

impl FpSet {
    pub fn with_expected(expected: usize) -> FpSet {
        FpSet(FpMap::with_expected(expected))
    }

    /// Add `fp`; false if it was there already.
    pub fn insert(&mut self, fp: Fp) -> bool {
        self.0.insert_new(fp, ()).is_none()
    }
}

/// Strings by code, in one buffer: the ids that outputs name (lender_id), without a heap
/// allocation per id.
#[derive(Debug, Default, Clone)]
pub struct Strings {
    bytes: Vec<u8>,
    /// End of each string in `bytes`.
    ends: Vec<u64>,
}

impl Strings {
    pub fn push(&mut self, s: &str) -> u32 {
        self.bytes.extend_from_slice(s.as_bytes());
        self.ends.push(self.bytes.len() as u64);
        (self.ends.len() - 1) as u32
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, code: u32) -> &str {
        let i = code as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let bytes = &self.bytes[start..self.ends[i] as usize];
        // Only whole `&str`s are pushed, so every slice is valid UTF-8.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// Codes in the byte order of their strings (the order every output is sorted in), and
    /// each code's position in it.
    pub fn byte_order(&self) -> (Vec<u32>, Vec<u32>) {
        use rayon::prelude::*;
        // Sort by the first 8 bytes as a big-endian number (a cheap radix-like key), then by
        // the whole string where those tie.
        let mut keyed: Vec<(u64, u32)> = (0..self.len() as u32)
            .map(|c| {
                let s = self.get(c).as_bytes();
                let mut prefix = [0u8; 8];
                let n = s.len().min(8);
                prefix[..n].copy_from_slice(&s[..n]);
                (u64::from_be_bytes(prefix), c)
            })
            .collect();
        keyed.par_sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| self.get(a.1).as_bytes().cmp(self.get(b.1).as_bytes()))
        });
        let order: Vec<u32> = keyed.into_iter().map(|(_, c)| c).collect();
        let mut rank = vec![0u32; order.len()];
        for (r, &c) in order.iter().enumerate() {
            rank[c as usize] = r as u32;
        }
        (order, rank)
    }

    pub fn bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_find_what_went_in_across_growth() {
        let mut m: FpMap<u32> = FpMap::with_expected(4);
        for i in 0..10_000u32 {
            assert_eq!(m.insert_new(Fp::of(format!("L{i}").as_bytes()), i), None);
        }
        assert_eq!(m.len(), 10_000);
        for i in 0..10_000u32 {
            assert_eq!(m.get(Fp::of(format!("L{i}").as_bytes())), Some(i));
        }
        assert_eq!(m.insert_new(Fp::of(b"L5"), 99), Some(5));
        assert_eq!(m.get(Fp::of(b"nobody")), None);
        m.set(Fp::of(b"L5"), 7);
        assert_eq!(m.get(Fp::of(b"L5")), Some(7));
    }

    #[test]
    fn pairs_differ_by_platform() {
        assert_ne!(Fp::pair(1, b"B1"), Fp::pair(2, b"B1"));
        assert_eq!(Fp::pair(1, b"B1"), Fp::pair(1, b"B1"));
    }

    #[test]
    fn strings_sort_in_byte_order() {
        let mut s = Strings::default();
        for id in ["L9", "中", "L10", "a", "Z", "l1", "L10000000x", "L10000000"] {
            s.push(id);
        }
        let (order, rank) = s.byte_order();
        let sorted: Vec<&str> = order.iter().map(|c| s.get(*c)).collect();
        assert_eq!(
            sorted,
            ["L10", "L10000000", "L10000000x", "L9", "Z", "a", "l1", "中"]
        );
        assert_eq!(rank[0], 3);
    }
}
