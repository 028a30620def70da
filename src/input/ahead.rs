//! A batch's rows prepared a chunk ahead, on helper threads, of the thread that consumes
//! them: the investments' validator hands its helpers the work that only reads — the id-table
//! lookups ([`super::probes`]) and the parsing of the cells — and keeps what changes its
//! state (the positions, the totals, the rejects) in row order on its own thread.
//!
//! The first chunk of a batch is prepared on the consuming thread (there is nothing to do
//! meanwhile); the others by two helpers taking turns, each at most two chunks ahead. With
//! one helper the consumer waited for it a third of the time, and it for the consumer; with
//! two, the preparing keeps up whatever the moment's balance, and the two cores stay busy.
//! Every chunk reaches the consumer once, in row order, whatever the number of rows: the
//! result is the one the consumer would have had preparing each chunk itself.

use std::ops::Range;

/// Rows prepared at a time: small enough that the consumer waits only for a batch's first
/// chunk, large enough that a handover (two channel messages) is nothing beside the work.
pub const CHUNK: usize = 4096;

/// Rows a batch handed to [`chunks`] should have where its reader lets the sink choose (CSV;
/// the Parquet reader hands over 262,144). A batch begins with its first chunk prepared by the consumer alone and
/// ends with the consumer taking the last chunks the helpers prepared (up to `READY` ×
/// `HELPERS`) while they have nothing left to do — a cost a batch, not a row. At 8 chunks a
/// batch a province's CSV investments kept the two cores 182–187 % busy, at 32 chunks
/// 193–195 % (docs/performance.md).
pub const BATCH_ROWS: usize = 32 * CHUNK;

/// Chunks a helper may have ready and not yet consumed.
const READY: usize = 2;
/// Threads preparing chunks, taking turns.
const HELPERS: usize = 2;

/// Prepare the rows `0..rows` a [`CHUNK`] at a time with `prepare` (into a `P` recycled from
/// chunk to chunk) and hand each chunk to `each` in row order.
pub fn chunks<P: Default + Send>(
    rows: usize,
    prepare: impl Fn(Range<usize>, &mut P) + Sync,
    each: impl FnMut(Range<usize>, &P),
) {
    chunks_of(CHUNK, rows, prepare, each)
}

pub(crate) fn chunks_of<P: Default + Send>(
    chunk: usize,
    rows: usize,
    prepare: impl Fn(Range<usize>, &mut P) + Sync,
    mut each: impl FnMut(Range<usize>, &P),
) {
    if rows == 0 {
        return;
    }
    let first = 0..chunk.min(rows);
    let mut prepared = P::default();
    if rows <= chunk {
        prepare(first.clone(), &mut prepared);
        each(first, &prepared);
        return;
    }
    let prepare = &prepare;
    std::thread::scope(|scope| {
        // Helper h prepares chunks h + 1, h + 1 + HELPERS, …: each its own channels.
        let mut lines = Vec::with_capacity(HELPERS);
        for h in 0..HELPERS {
            let (ready, done) = std::sync::mpsc::sync_channel::<(Range<usize>, P)>(READY);
            let (spare, spares) = std::sync::mpsc::channel::<P>();
            scope.spawn(move || {
                for start in (chunk * (h + 1)..rows).step_by(chunk * HELPERS) {
                    let range = start..(start + chunk).min(rows);
                    let mut prepared = spares.try_recv().unwrap_or_default();
                    prepare(range.clone(), &mut prepared);
                    // The consumer gone (it panicked): nothing more to prepare.
                    if ready.send((range, prepared)).is_err() {
                        return;
                    }
                }
            });
            lines.push((done, spare));
        }
        prepare(first.clone(), &mut prepared);
        each(first, &prepared);
        drop(prepared);
        // Chunk k (from 1) comes from helper (k - 1) mod HELPERS. A helper that panicked
        // ends this loop early; the scope then panics with it, so a chunk is never silently
        // skipped.
        for k in 0.. {
            let (done, spare) = &lines[k % HELPERS];
            let Ok((range, prepared)) = done.recv() else {
                break;
            };
            each(range, &prepared);
            let _ = spare.send(prepared);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the rows and the chunk's size, each row is prepared once and the chunks
        /// come in row order, covering the rows; what `each` sees is what was prepared for
        /// that chunk (a recycled `P` carries nothing over).
        #[test]
        fn every_row_once_in_order(rows in 0usize..200, chunk in 1usize..40) {
            let mut next = 0;
            let mut seen = Vec::new();
            chunks_of(chunk, rows, |range, p: &mut Vec<usize>| {
                p.clear();
                p.extend(range.map(|i| i * 3));
            }, |range, p| {
                assert_eq!(range.start, next);
                assert!(!range.is_empty() && range.len() <= chunk);
                next = range.end;
                assert_eq!(p.len(), range.len());
                seen.extend_from_slice(p);
            });
            prop_assert_eq!(next, rows);
            prop_assert_eq!(seen, (0..rows).map(|i| i * 3).collect::<Vec<_>>());
        }
    }

    #[test]
    #[should_panic]
    fn a_helper_that_panics_is_not_a_short_read() {
        chunks_of(
            2,
            10,
            |range, _: &mut ()| assert!(range.start < 6, "helper fails at row 6"),
            |_, _| {},
        );
    }
}
