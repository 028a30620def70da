//! Where a buffer's commas and line feeds are, found once for the whole buffer: a bit a byte,
//! sixty-four bytes to a word.
//!
//! The reader used to search each line for its end (a `memchr` call a line) and then its
//! commas (a block of bytes at a time); a line of the investments is ~120 bytes in ten fields,
//! too short for either search to get going. Marked once a buffer, a line's end is the next
//! set bit of one bitmap, its fields' ends the set bits of the other up to it, and the number
//! of fields a reader does not keep is a population count.

/// Bit `i % 64` of word `i / 64` set where byte `i` of the buffer is a comma, and likewise a
/// line feed. Bits past the buffer's end are clear.
#[derive(Debug, Default)]
pub(super) struct Marks {
    commas: Vec<u64>,
    newlines: Vec<u64>,
}

impl Marks {
    /// Mark `bytes` (the buffer just filled), replacing what was marked before.
    pub(super) fn mark(&mut self, bytes: &[u8]) {
        let words = bytes.len().div_ceil(64);
        self.commas.clear();
        self.newlines.clear();
        self.commas.reserve(words);
        self.newlines.reserve(words);
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just now).
            unsafe { self.mark_avx2(bytes) };
            return;
        }
        self.mark_blocks(bytes, mark_block);
    }

    /// [`Marks::mark`] with AVX2: thirty-two bytes a compare instead of sixteen.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn mark_avx2(&mut self, bytes: &[u8]) {
        self.mark_blocks(bytes, |block| {
            // SAFETY: this function's caller checked the processor has AVX2.
            unsafe { mark_block_avx2(block) }
        });
    }

    /// Mark `bytes` sixty-four at a time with `block`, the last block padded with zeros
    /// (neither a comma nor a line feed).
    #[inline(always)]
    fn mark_blocks(&mut self, bytes: &[u8], block: impl Fn(&[u8; 64]) -> (u64, u64)) {
        let mut blocks = bytes.chunks_exact(64);
        for b in &mut blocks {
            let (commas, newlines) = block(b.try_into().unwrap_or(&[0; 64]));
            self.commas.push(commas);
            self.newlines.push(newlines);
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 64];
            last[..rest.len()].copy_from_slice(rest);
            let (commas, newlines) = block(&last);
            self.commas.push(commas);
            self.newlines.push(newlines);
        }
    }

    /// The commas in `from..to` of the buffer, as offsets from `from`.
    #[inline(always)]
    pub(super) fn commas(&self, from: usize, to: usize) -> Bits<'_> {
        Bits::new(&self.commas, from, to)
    }

    /// The first line feed in `from..to`, as an offset from `from`.
    #[inline(always)]
    pub(super) fn newline(&self, from: usize, to: usize) -> Option<usize> {
        Bits::new(&self.newlines, from, to).next()
    }
}

/// The commas and line feeds of sixty-four bytes, a bit each.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn mark_block(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let (mut commas, mut newlines) = (0u64, 0u64);
    for k in 0..4 {
        // SAFETY: SSE2 is part of x86-64; the load reads bytes 16k..16k+16 of `block`
        // (unaligned loads allowed).
        let (c, n) = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast());
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8))),
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8))),
            )
        };
        commas |= u64::from(c as u16) << (16 * k);
        newlines |= u64::from(n as u16) << (16 * k);
    }
    (commas, newlines)
}

/// The commas and line feeds of sixty-four bytes, a bit each, with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn mark_block_avx2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{
        _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_set1_epi8,
    };
    let (mut commas, mut newlines) = (0u64, 0u64);
    for k in 0..2 {
        // SAFETY: the caller checked the processor has AVX2; the load reads bytes
        // 32k..32k+32 of `block` (unaligned loads allowed).
        let (c, n) = unsafe {
            let v = _mm256_loadu_si256(block.as_ptr().add(32 * k).cast());
            (
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b',' as i8))),
                _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8))),
            )
        };
        commas |= u64::from(c as u32) << (32 * k);
        newlines |= u64::from(n as u32) << (32 * k);
    }
    (commas, newlines)
}

/// The commas and line feeds of sixty-four bytes, a bit each (a byte at a time: processors
/// other than x86-64 are not where the national runs are measured).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn mark_block(block: &[u8; 64]) -> (u64, u64) {
    mark_block_bytewise(block)
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn mark_block_bytewise(block: &[u8; 64]) -> (u64, u64) {
    let (mut commas, mut newlines) = (0u64, 0u64);
    for (i, &b) in block.iter().enumerate() {
        commas |= u64::from(b == b',') << i;
        newlines |= u64::from(b == b'\n') << i;
    }
    (commas, newlines)
}

/// The set bits of a bitmap in `from..to`, in order, as offsets from `from`.
pub(super) struct Bits<'a> {
    words: &'a [u64],
    from: usize,
    to: usize,
    /// The word whose bits not yet handed out are in `mask`.
    word: usize,
    mask: u64,
}

impl<'a> Bits<'a> {
    #[inline(always)]
    fn new(words: &'a [u64], from: usize, to: usize) -> Bits<'a> {
        let word = from / 64;
        let mask = match words.get(word) {
            Some(w) if from < to => w & (!0u64 << (from % 64)),
            _ => 0,
        };
        Bits {
            words,
            from,
            to,
            word,
            mask,
        }
    }
}

impl Iterator for Bits<'_> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.word += 1;
            if self.word * 64 >= self.to {
                return None;
            }
            self.mask = *self.words.get(self.word)?;
        }
        let at = self.word * 64 + self.mask.trailing_zeros() as usize;
        if at >= self.to {
            self.mask = 0;
            return None;
        }
        self.mask &= self.mask - 1;
        Some(at - self.from)
    }

    /// The bits left, counted a word at a time.
    #[inline]
    fn count(self) -> usize {
        if self.word * 64 >= self.to {
            return 0;
        }
        let last = (self.to - 1) / 64;
        // Word `w`'s bits before `to`.
        let below = |w: usize, bits: u64| match self.to - w * 64 {
            n if n >= 64 => bits,
            n => bits & ((1u64 << n) - 1),
        };
        let mut n = below(self.word, self.mask).count_ones() as usize;
        for w in self.word + 1..=last.min(self.words.len().saturating_sub(1)) {
            n += below(w, self.words[w]).count_ones() as usize;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(bytes: &[u8]) -> Marks {
        let mut marks = Marks::default();
        marks.mark(bytes);
        marks
    }

    fn naive(bytes: &[u8], b: u8, from: usize, to: usize) -> Vec<usize> {
        (from..to)
            .filter(|&i| bytes[i] == b)
            .map(|i| i - from)
            .collect()
    }

    #[test]
    fn commas_and_line_feeds_at_the_edges_of_a_word() {
        // Hand-checked: a comma first (0), last of the first word (63), first of the second
        // (64), last of the buffer (129); line feeds at 1 and 65.
        let mut bytes = vec![b'a'; 130];
        for i in [0, 63, 64, 129] {
            bytes[i] = b',';
        }
        bytes[1] = b'\n';
        bytes[65] = b'\n';
        let marks = marked(&bytes);
        assert_eq!(marks.commas(0, 130).collect::<Vec<_>>(), [0, 63, 64, 129]);
        assert_eq!(marks.commas(1, 129).collect::<Vec<_>>(), [62, 63]);
        assert_eq!(marks.commas(64, 130).collect::<Vec<_>>(), [0, 65]);
        assert_eq!(marks.commas(0, 130).count(), 4);
        assert_eq!(marks.commas(1, 129).count(), 2);
        assert_eq!(marks.commas(64, 64).count(), 0);
        assert_eq!(marks.newline(0, 130), Some(1));
        assert_eq!(marks.newline(2, 130), Some(63));
        assert_eq!(marks.newline(2, 65), None);
        assert_eq!(marks.newline(66, 130), None);
        assert_eq!(marked(b"").newline(0, 0), None);
        assert_eq!(marked(b"").commas(0, 0).count(), 0);
    }

    proptest::proptest! {
        /// Every comma and line feed of any range of any buffer, and no other byte (those one
        /// bit from a comma or a line feed included), listed and counted.
        #[test]
        fn marks_are_every_comma_and_line_feed(bytes in proptest::collection::vec(
            proptest::sample::select(vec![b',', b'\n', b'a', 0, 0x2b, 0x2d, 0x0b, 0x8a, 0xac, 0xff]),
            0..300,
        ), a in 0usize..300, b in 0usize..300) {
            let marks = marked(&bytes);
            let (from, to) = (a.min(b).min(bytes.len()), a.max(b).min(bytes.len()));
            let commas = naive(&bytes, b',', from, to);
            proptest::prop_assert_eq!(marks.commas(from, to).collect::<Vec<_>>(), commas.clone());
            proptest::prop_assert_eq!(marks.commas(from, to).count(), commas.len());
            // Counting what is left after some were handed out.
            let mut bits = marks.commas(from, to);
            let taken = bits.by_ref().take(2).count();
            proptest::prop_assert_eq!(bits.count(), commas.len() - taken);
            let newline = naive(&bytes, b'\n', from, to).first().copied();
            proptest::prop_assert_eq!(marks.newline(from, to), newline);
        }

        /// The block marked with SSE2 (and AVX2, where the processor has it) marks what a
        /// byte-by-byte look marks.
        #[test]
        fn a_block_is_marked_as_byte_by_byte(block in proptest::array::uniform32(
            proptest::sample::select(vec![b',', b'\n', b'a', 0, 0x2c | 0x80, 0x0a | 0x80, 0xff]),
        ), tail in proptest::array::uniform32(
            proptest::sample::select(vec![b',', b'\n', b'a', 0, 0xff]),
        )) {
            let mut whole = [0u8; 64];
            whole[..32].copy_from_slice(&block);
            whole[32..].copy_from_slice(&tail);
            proptest::prop_assert_eq!(mark_block(&whole), mark_block_bytewise(&whole));
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the processor has AVX2 (checked just now).
                let avx2 = unsafe { mark_block_avx2(&whole) };
                proptest::prop_assert_eq!(avx2, mark_block_bytewise(&whole));
            }
        }
    }
}
