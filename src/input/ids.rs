//! Ids as integer codes from the first load on.
//!
//! An id (platform_id, lender_id, loan_id, investment_id, borrower_id) is looked up by its
//! 128-bit fingerprint (XXH3-128 of its bytes) in an open-addressing table sized for the data:
//! 16 bytes per id and one memory access per lookup, where a table of strings costs a heap
//! allocation and two. Two different ids of a national data set (some 300 million ids) share a
//! fingerprint with a probability below 10⁻²¹ — far below the rate of undetected hardware
//! errors — and the fingerprint never leaves the process: outputs carry the ids themselves.

use crate::domain::code::{codes, ByCode, Code, LenderCode};
use xxhash_rust::xxh3::xxh3_128;

/// The fingerprint of an id's bytes; never `[0, 0]` (the empty slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fp([u64; 2]);

impl Fp {
    /// The fingerprint as 16 bytes, as spilled to a file ([`Fp::from_bytes`] reads it back).
    pub fn to_bytes(self) -> [u8; 16] {
        let mut b = [0; 16];
        b[..8].copy_from_slice(&self.0[0].to_le_bytes());
        b[8..].copy_from_slice(&self.0[1].to_le_bytes());
        b
    }

    pub fn from_bytes(b: [u8; 16]) -> Fp {
        let half = |r: &[u8]| u64::from_le_bytes(r.try_into().expect("8 bytes"));
        Fp([half(&b[..8]), half(&b[8..])])
    }

    pub fn of(id: &[u8]) -> Fp {
        let h = xxh3_128(id);
        let fp = [h as u64, (h >> 64) as u64];
        // [0, 0] marks an empty slot; an id hashing to it (p = 2⁻¹²⁸) is moved next door.
        Fp(if fp == [0, 0] { [0, 1] } else { fp })
    }

    /// The fingerprint's top `bits` bits: the tables' slot index grows with them, so rows
    /// ordered by them probe a table from one end to the other.
    pub fn top_bits(self, bits: u32) -> usize {
        (self.0[0] >> (64 - bits)) as usize
    }

    /// The fingerprint of a pair (platform code, id), for ids unique per platform.
    pub fn pair(code: u32, id: &[u8]) -> Fp {
        let Fp([a, b]) = Fp::of(id);
        // The two halves and the code, little-endian, in a buffer on the stack.
        let mut bytes = [0u8; 24];
        bytes[..8].copy_from_slice(&a.to_le_bytes());
        bytes[8..16].copy_from_slice(&b.to_le_bytes());
        bytes[16..].copy_from_slice(&u64::from(code).to_le_bytes());
        Fp::of(&bytes)
    }
}

mod ordered;

const EMPTY: Key = [0; 4];
/// The share of slots in use before the table grows.
const MAX_LOAD: f64 = 0.85;
/// The share of slots in use a table is sized for when the number of ids is known (a Parquet
/// footer's count, a CSV file's estimate): below [`MAX_LOAD`] by enough that an estimate up to
/// 9 % short (CSV's has 5 % over it already) is not met by growing the table by half while it
/// is at its largest. The loan and lender tables filled side by side are the twice-national
/// run's peak: 0.7 held 0.6 GB more of them there.
const SIZED_LOAD: f64 = 0.78;

/// A fingerprint as four 32-bit words (low half first): a slot of it and a 4-byte code takes
/// 20 bytes, where `[u64; 2]`'s alignment padded it to 24.
type Key = [u32; 4];

fn key(fp: Fp) -> Key {
    let [a, b] = fp.0;
    [a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32]
}

fn fp_of(k: Key) -> Fp {
    let half = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
    Fp([half(k[0], k[1]), half(k[2], k[3])])
}

/// The slot a fingerprint is looked up from in a table of `n` home slots: multiply-shift maps
/// it onto the table without a power-of-two size, and in the order of the fingerprints.
#[inline]
fn home(fp: Fp, n: usize) -> usize {
    ((u128::from(fp.0[0]) * n as u128) >> 64) as usize
}

/// One slot: a fingerprint and its value side by side, so a lookup touches one cache line.
#[derive(Clone, Copy)]
#[repr(C)]
struct Slot<V: Copy> {
    key: Key,
    val: V,
}

/// A map from fingerprints to small values (codes), by linear probing.
///
/// While it is filled, an open-addressing table at most 85 % full (78 % when sized ahead).
/// Once a table is complete (the loans', the lenders', before the investments look them up)
/// [`FpMap::freeze`] lays the same entries out in fingerprint order at 85 % ([`ordered`]):
/// 20–24 bytes a slot ÷ 0.85 instead of ÷ 0.78, the same one random read a lookup. An insert into a frozen map first
/// lays it out as a table again.
#[derive(Clone)]
pub struct FpMap<V: Copy + Default> {
    slots: Vec<Slot<V>>,
    len: usize,
    /// 0 while a table; once frozen, the number of home slots (the slots after them are the
    /// ordered layout's tail, where the last entries run on).
    homes: usize,
}

impl<V: Copy + Default> Default for FpMap<V> {
    fn default() -> FpMap<V> {
        FpMap::with_expected(0)
    }
}

impl<V: Copy + Default> FpMap<V> {
    /// A map for about `expected` ids (it grows if there are more).
    pub fn with_expected(expected: usize) -> FpMap<V> {
        let n = ((expected as f64 / SIZED_LOAD) as usize).max(16);
        FpMap {
            // On huge pages (`crate::memory::Allocator`): the table is probed at random.
            slots: vec![
                Slot {
                    key: EMPTY,
                    val: V::default(),
                };
                n
            ],
            len: 0,
            homes: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot where `fp` is or would go (a table, not frozen).
    #[inline]
    fn slot(&self, fp: Fp) -> usize {
        let n = self.slots.len();
        let mut i = home(fp, n);
        let want = key(fp);
        loop {
            let k = self.slots[i].key;
            if k == want || k == EMPTY {
                return i;
            }
            i += 1;
            if i == n {
                i = 0;
            }
        }
    }

    /// Ask the processor to load the slot where `fp` would be looked up first: the validator
    /// does so a few rows ahead, so that the random reads of a large table overlap instead of
    /// waiting one after another.
    #[inline]
    pub fn prefetch(&self, fp: Fp) {
        // Frozen, the entry is a few slots past its home, mostly on the same line (a second
        // line prefetched was slower: the lookups benchmark).
        let n = if self.homes == 0 {
            self.slots.len()
        } else {
            self.homes
        };
        crate::memory::prefetch(&self.slots, home(fp, n));
    }

    pub fn get(&self, fp: Fp) -> Option<V> {
        if self.homes != 0 {
            return self.get_ordered(fp);
        }
        let s = &self.slots[self.slot(fp)];
        (s.key != EMPTY).then_some(s.val)
    }

    /// Insert `fp → v` unless present: `Ok(slot)` where it went (valid until the next
    /// insert, for [`FpMap::set_at`]), or `Err(value)` already there.
    pub fn insert_new(&mut self, fp: Fp, v: V) -> Result<usize, V> {
        self.thaw();
        if (self.len + 1) as f64 > self.slots.len() as f64 * MAX_LOAD {
            self.grow();
        }
        let i = self.slot(fp);
        let s = &mut self.slots[i];
        if s.key != EMPTY {
            return Err(s.val);
        }
        *s = Slot {
            key: key(fp),
            val: v,
        };
        self.len += 1;
        Ok(i)
    }

    /// Overwrite the value in a slot that [`FpMap::insert_new`] returned.
    pub fn set_at(&mut self, slot: usize, v: V) {
        self.slots[slot].val = v;
    }

    fn grow(&mut self) {
        self.resize(self.slots.len() * 3 / 2 + 16);
    }

    /// Room for `additional` more inserts without growing in between, grown as the inserts
    /// would have grown it (the slots handed out stay valid through them).
    pub fn make_room(&mut self, additional: usize) {
        self.thaw();
        let mut n = self.slots.len();
        while (self.len + additional) as f64 > n as f64 * MAX_LOAD {
            n = n * 3 / 2 + 16;
        }
        if n != self.slots.len() {
            self.resize(n);
        }
    }

    /// Room for `additional` more keys without growing (a table read in parts: each part's
    /// rows added to what the earlier parts hold).
    pub fn reserve(&mut self, additional: usize) {
        self.thaw();
        let wanted = ((self.len + additional) as f64 / SIZED_LOAD) as usize;
        if wanted > self.slots.len() {
            // A table that holds entries already grows by half at least: parts whose rows were
            // not all known ahead rehash it a few times, not once a part.
            let n = match self.len {
                0 => wanted,
                _ => wanted.max(self.slots.len() * 3 / 2 + 16),
            };
            self.resize(n);
        }
    }

    fn resize(&mut self, n: usize) {
        let old = std::mem::replace(
            &mut self.slots,
            vec![
                Slot {
                    key: EMPTY,
                    val: V::default(),
                };
                n
            ],
        );
        self.homes = 0;
        for s in old {
            if s.key != EMPTY {
                let i = self.slot(fp_of(s.key));
                self.slots[i] = s;
            }
        }
    }

    /// Bytes held, for the memory figures.
    pub fn bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Slot<V>>()
    }
}

/// A set of fingerprints (the investment ids of a table small enough to hold them: only
/// their uniqueness matters).
pub struct FpSet(FpMap<()>);

impl FpSet {
    pub fn with_expected(expected: usize) -> FpSet {
        FpSet(FpMap::with_expected(expected))
    }

    pub fn reserve(&mut self, additional: usize) {
        self.0.reserve(additional)
    }

    pub fn prefetch(&self, fp: Fp) {
        self.0.prefetch(fp)
    }

    /// Add `fp`; false if it was there already.
    pub fn insert(&mut self, fp: Fp) -> bool {
        self.0.insert_new(fp, ()).is_ok()
    }
}

/// Strings by lender code, in one buffer: the ids that outputs name (lender_id), without a heap
/// allocation per id. Or mapped from the files they were written aside to
/// ([`crate::input::set_aside`]): their pages are then the page cache's, which a memory limit
/// can take back and read again from the files, not the heap's.
#[derive(Debug, Default)]
pub struct Strings {
    /// The strings one after another: held as text, so that a string is sliced out of it
    /// without checking its bytes again (ids are fetched by the tens of millions for the
    /// exports, and a UTF-8 check of each was 4 % of writing them).
    bytes: String,
    /// End of each string in `bytes`.
    ends: Vec<u64>,
    /// The strings as mapped files instead (then `bytes` and `ends` are empty).
    mapped: Option<Mapped>,
}

/// The text of the strings one after another, and where each ends as little-endian `u64`s,
/// mapped from their files.
#[derive(Debug)]
pub struct Mapped {
    text: memmap2::Mmap,
    ends: memmap2::Mmap,
}

impl Mapped {
    /// `text` and `ends` as written aside; `None` unless `ends` is whole `u64`s and the ends
    /// rise within the text. The files must be this process's own (anonymous temporary files):
    /// a mapping reads what the file holds when it is read.
    pub fn new(text: memmap2::Mmap, ends: memmap2::Mmap) -> Option<Mapped> {
        if ends.len() % 8 != 0 {
            return None;
        }
        let mapped = Mapped { text, ends };
        let mut start = 0;
        for i in 0..mapped.len() {
            let end = mapped.end(i);
            if end < start || end > mapped.text.len() {
                return None;
            }
            start = end;
        }
        Some(mapped)
    }

    /// How many strings.
    pub fn len(&self) -> usize {
        self.ends.len() / 8
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    #[inline]
    fn end(&self, i: usize) -> usize {
        let word: [u8; 8] = self.ends[i * 8..i * 8 + 8].try_into().expect("8 bytes");
        u64::from_le_bytes(word) as usize
    }
}

impl Clone for Strings {
    /// A copy in memory, whether these are held or mapped.
    fn clone(&self) -> Strings {
        let mut copy = Strings::default();
        for i in 0..self.len() {
            copy.push(self.get(LenderCode::at(i)));
        }
        copy
    }
}

impl Strings {
    /// Strings read through `mapped`.
    pub fn mapped(mapped: Mapped) -> Strings {
        Strings {
            mapped: Some(mapped),
            ..Strings::default()
        }
    }

    /// # Panics
    /// On mapped strings, which are complete.
    pub fn push(&mut self, s: &str) -> LenderCode {
        assert!(self.mapped.is_none(), "mapped strings are complete");
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len() as u64);
        LenderCode::at(self.ends.len() - 1)
    }

    pub fn len(&self) -> usize {
        match &self.mapped {
            Some(m) => m.len(),
            None => self.ends.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, code: LenderCode) -> &str {
        let i = code.index();
        // Only whole `&str`s are pushed (and written aside), so every string falls between
        // characters of the text held, and every slice of a mapping is valid UTF-8 (checked
        // here: a mapping reads its file as it is when read).
        match &self.mapped {
            Some(m) => {
                let start = if i == 0 { 0 } else { m.end(i - 1) };
                std::str::from_utf8(&m.text[start..m.end(i)]).unwrap_or_default()
            }
            None => {
                let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
                (self.bytes.get(start..self.ends[i] as usize)).unwrap_or_default()
            }
        }
    }

    /// Each code's position in the byte order of the strings (the order every output is
    /// sorted in).
    pub fn byte_order(&self) -> ByCode<LenderCode, u32> {
        use rayon::prelude::*;
        // Most exports write a table in the order of its key: strings that already ascend are
        // their own order, with no keys to sort (16 bytes a string: 0.8 GB of 50 million
        // lenders, the national run's peak while they were sorted).
        let ascending = (1..self.len())
            .into_par_iter()
            .with_min_len(1 << 16)
            .all(|i| self.get(LenderCode::at(i - 1)) <= self.get(LenderCode::at(i)));
        if ascending {
            return codes(self.len()).map(|c: LenderCode| c.get()).collect();
        }
        // Sort by the first 8 bytes as a big-endian number (a cheap radix-like key), then by
        // the whole string where those tie.
        let mut keyed: Vec<(u64, LenderCode)> = codes(self.len())
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
        let mut rank = ByCode::filled(keyed.len(), 0u32);
        for (r, &(_, c)) in keyed.iter().enumerate() {
            rank[c] = r as u32;
        }
        rank
    }

    /// The bytes of the strings and of where each ends (as written aside).
    pub fn held_bytes(&self) -> usize {
        self.bytes.len() + self.ends.len() * 8
    }

    /// The text of every string, one after another, and where each ends in it.
    pub(crate) fn parts(&self) -> (&[u8], &[u64]) {
        debug_assert!(self.mapped.is_none(), "the parts of strings held");
        (self.bytes.as_bytes(), &self.ends)
    }

    /// Strings from [`Strings::parts`]: `None` unless every end is in order within the
    /// text and falls between characters.
    pub(crate) fn from_parts(bytes: Vec<u8>, ends: Vec<u64>) -> Option<Strings> {
        let text = String::from_utf8(bytes).ok()?;
        let mut start = 0;
        for &end in &ends {
            let end = usize::try_from(end).ok()?;
            if end < start || !text.is_char_boundary(end) {
                return None;
            }
            start = end;
        }
        Some(Strings {
            bytes: text,
            ends,
            mapped: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_find_what_went_in_across_growth() {
        let mut m: FpMap<u32> = FpMap::with_expected(4);
        for i in 0..10_000u32 {
            assert!(m.insert_new(Fp::of(format!("L{i}").as_bytes()), i).is_ok());
        }
        assert_eq!(m.len(), 10_000);
        for i in 0..10_000u32 {
            assert_eq!(m.get(Fp::of(format!("L{i}").as_bytes())), Some(i));
        }
        assert_eq!(m.insert_new(Fp::of(b"L5"), 99), Err(5));
        assert_eq!(m.get(Fp::of(b"nobody")), None);
        let at = m.insert_new(Fp::of(b"new"), 0).unwrap();
        m.set_at(at, 7);
        assert_eq!(m.get(Fp::of(b"new")), Some(7));
    }

    #[test]
    fn room_made_part_after_part_is_made_a_few_times_not_once_a_part() {
        // A table in 1,000 parts of 100 rows, room asked for before each: the table is laid
        // out anew a handful of times (growing by half), never once a part.
        let mut m: FpMap<u32> = FpMap::default();
        let mut sizes = vec![m.slots.len()];
        for part in 0..1_000u32 {
            m.reserve(100);
            for k in 0..100 {
                let id = part * 100 + k;
                assert!(m.insert_new(Fp::of(&id.to_le_bytes()), id).is_ok());
            }
            sizes.push(m.slots.len());
        }
        sizes.dedup();
        assert!(sizes.len() <= 20, "laid out {} times", sizes.len());
        assert_eq!(m.get(Fp::of(&99_999u32.to_le_bytes())), Some(99_999));
        // Room asked for at once is made at once, at the sized load.
        let mut once: FpMap<u32> = FpMap::default();
        once.reserve(100_000);
        assert_eq!(once.slots.len(), (100_000.0 / SIZED_LOAD) as usize);
    }

    #[test]
    fn a_lender_slot_takes_20_bytes() {
        assert_eq!(std::mem::size_of::<Slot<Option<LenderCode>>>(), 20);
        assert_eq!(std::mem::size_of::<Slot<()>>(), 16);
        for fp in [Fp([0, 1]), Fp([u64::MAX, 7]), Fp::of(b"L1")] {
            assert_eq!(fp_of(key(fp)), fp);
        }
    }

    #[test]
    fn pairs_differ_by_platform() {
        assert_ne!(Fp::pair(1, b"B1"), Fp::pair(2, b"B1"));
        assert_eq!(Fp::pair(1, b"B1"), Fp::pair(1, b"B1"));
        // The id's fingerprint halves then the code, little-endian: 24 bytes fingerprinted.
        let Fp([a, b]) = Fp::of("借款人B1".as_bytes());
        let bytes: Vec<u8> = [a, b, 70_000]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(Fp::pair(70_000, "借款人B1".as_bytes()), Fp::of(&bytes));
    }

    #[test]
    fn strings_sort_in_byte_order() {
        let mut s = Strings::default();
        for id in ["L9", "中", "L10", "a", "Z", "l1", "L10000000x", "L10000000"] {
            s.push(id);
        }
        let rank = s.byte_order();
        let mut order: Vec<LenderCode> = (0..s.len()).map(LenderCode::at).collect();
        order.sort_by_key(|c| rank[*c]);
        let sorted: Vec<&str> = order.iter().map(|c| s.get(*c)).collect();
        assert_eq!(
            sorted,
            ["L10", "L10000000", "L10000000x", "L9", "Z", "a", "l1", "中"]
        );
        assert_eq!(rank[LenderCode::new(0)], 3);
    }

    #[test]
    fn strings_already_in_byte_order_are_their_own_order_and_one_out_of_place_is_not() {
        let ranks = |ids: &[&str]| {
            let mut s = Strings::default();
            for id in ids {
                s.push(id);
            }
            let rank = s.byte_order();
            (0..s.len())
                .map(|i| rank[LenderCode::at(i)])
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ranks(&["L1", "L10", "L100000000", "L100000001", "L2"]),
            [0, 1, 2, 3, 4]
        );
        // The last two swapped, past the eight bytes the sort's key holds.
        assert_eq!(
            ranks(&["L1", "L10", "L100000001", "L100000000", "L2"]),
            [0, 1, 3, 2, 4]
        );
        assert_eq!(ranks(&["b", "a"]), [1, 0]);
        assert_eq!(ranks(&[]), Vec::<u32>::new());
    }
}
