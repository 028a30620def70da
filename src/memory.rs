//! The process's memory: freed buffers handed back to the system.
//!
//! glibc's malloc keeps what a thread frees in that thread's arena, resident, for the thread's
//! next allocations; a stage that frees many small tables while it fills one large column
//! (mapped on its own) would hold both. [`give_back`] returns the arenas' free pages.
//!
//! Large blocks ask the kernel for huge pages ([`Allocator`], the binary's global allocator).
//! A large table read at random is read faster when its lines are asked for a few reads ahead
//! ([`prefetch`]).

use std::alloc::{GlobalAlloc, Layout, System};

/// Start loading the cache line of `slice[i]` (a hint: nothing is read, and an `i` beyond the
/// slice is ignored).
#[inline]
pub fn prefetch<T>(slice: &[T], i: usize) {
    if i >= slice.len() {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `i < slice.len()`, so the address is within the slice; a prefetch reads nothing.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(slice.as_ptr().add(i) as *const i8);
    }
}

/// A size or budget that tests and benchmarks may set by the environment variable `name`
/// (`WINDDOWN_…_BYTES`, `…_FROM`): its value where it parses, `default` otherwise.
pub fn size_from_env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Return the free pages of every malloc arena to the system (glibc `malloc_trim`). Costs a
/// walk over the arenas' free chunks: call it between slices of a stage, not per row.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it touches no live block.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Allocations at least this large ask for transparent huge pages: the id hash tables, the
/// larger platforms' position tables, columns of millions of rows. The advice covers only the
/// whole 2 MiB pages inside the block, so it never reaches a neighbour's memory.
const HUGE_FROM: usize = 4 << 20;

/// The huge-page size the advice is aligned to (x86-64 and the common arm64 kernels).
const HUGE_PAGE: usize = 2 << 20;

/// The system allocator, with large blocks advised to be backed by 2 MiB pages.
///
/// The hash tables that map ids to codes (lenders, loans, investment ids) are read at random
/// across gigabytes: with 4 KiB pages nearly every probe misses the TLB and every first touch of
/// a page is a fault (measured on the project's machine: 370 ns per random read of a 2 GB
/// table, 41 ns with huge pages). Linux's default (`transparent_hugepage=madvise`) gives huge pages only to
/// memory that asks; this asks for the blocks of [`HUGE_FROM`] or more. Measured on the national
/// set: see docs/performance.md "2026-12-04 (evening)". Elsewhere it is the system allocator.
pub struct Allocator;

// SAFETY: every call is forwarded to `System` with the caller's own arguments; the advice
// only changes how the kernel backs pages of a block `System` has just handed out.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is `System.alloc`'s.
        let block = unsafe { System.alloc(layout) };
        advise_huge(block, layout.size());
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let block = unsafe { System.alloc_zeroed(layout) };
        advise_huge(block, layout.size());
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: `block` came from `System` through this allocator with this layout.
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc`; `new_size` is the caller's, checked by its contract.
        let moved = unsafe { System.realloc(block, layout, new_size) };
        advise_huge(moved, new_size);
        moved
    }
}

/// The whole 2 MiB pages inside `[block, block + size)`, when the block is large enough to be
/// worth them: their addresses, start and length.
fn huge_span(block: usize, size: usize) -> Option<(usize, usize)> {
    if block == 0 || size < HUGE_FROM {
        return None;
    }
    let start = block.checked_next_multiple_of(HUGE_PAGE)?;
    let end = block.checked_add(size)? & !(HUGE_PAGE - 1);
    (end > start).then(|| (start, end - start))
}

fn advise_huge(block: *mut u8, size: usize) {
    #[cfg(target_os = "linux")]
    if let Some((start, len)) = huge_span(block as usize, size) {
        // SAFETY: the span lies inside a block just handed out by `System` and owned by the
        // caller; MADV_HUGEPAGE changes only how its pages are backed, never their contents.
        // A kernel without transparent huge pages answers EINVAL, which changes nothing.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (block, size);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_block_gets_no_advice() {
        assert_eq!(huge_span(HUGE_PAGE * 10, HUGE_FROM - 1), None);
        assert_eq!(huge_span(0, HUGE_FROM * 4), None);
    }

    #[test]
    fn the_advice_covers_the_whole_huge_pages_inside_the_block_only() {
        // A block starting 16 bytes past a page boundary (glibc's mmap header): the first
        // partial page is left out, and so is the partial page at the end.
        let block = 7 * HUGE_PAGE + 16;
        let (start, len) = huge_span(block, HUGE_FROM).unwrap();
        assert_eq!(start, 8 * HUGE_PAGE);
        assert_eq!(start + len, 7 * HUGE_PAGE + HUGE_FROM);
        assert_eq!(len, HUGE_FROM - HUGE_PAGE);
        // An aligned block exactly at the threshold is covered whole.
        assert_eq!(
            huge_span(4 * HUGE_PAGE, HUGE_FROM),
            Some((4 * HUGE_PAGE, HUGE_FROM))
        );
        // At the top of the address space nothing overflows.
        assert_eq!(huge_span(usize::MAX - HUGE_PAGE, HUGE_FROM), None);
    }

    #[test]
    fn blocks_through_the_allocator_read_back_what_was_written() {
        let a = Allocator;
        let layout = Layout::from_size_align(HUGE_FROM + 12_345, 64).unwrap();
        // SAFETY: a non-zero layout; the block is written within its size and freed once.
        unsafe {
            let zeroed = a.alloc_zeroed(layout);
            assert!(!zeroed.is_null());
            assert!((0..layout.size())
                .step_by(4096)
                .all(|i| *zeroed.add(i) == 0));
            *zeroed.add(layout.size() - 1) = 7;
            let grown = a.realloc(zeroed, layout, layout.size() * 2);
            assert_eq!(*grown.add(layout.size() - 1), 7);
            a.dealloc(
                grown,
                Layout::from_size_align(layout.size() * 2, 64).unwrap(),
            );
        }
    }
}
