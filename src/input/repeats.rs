//! The investment ids that repeat an earlier row's, found before the investments are validated.
//!
//! A row whose investment_id an earlier row has (accepted or not) is a `duplicate_id`. Held
//! as a set while the table is read, the ids cost 23 bytes an investment (4.3 GB at national
//! scale, beside the lender and loan tables and the positions). Instead, a first pass reads
//! the id column alone and writes each id's fingerprint with its row number into one of 256
//! buckets by the fingerprint's top bits — in memory while they are small, then appended to
//! files with no name in the operating system's temporary folder (the system removes them
//! when they are closed, also when the run is stopped or killed). Each bucket is then sorted on
//! its own (a bucket holds every row of the ids that fall in it), and every row after the
//! first of a fingerprint is a repeat. What stays is the sorted list of repeated rows, which the
//! validating pass reads in step with its rows: memory bounded by a bucket whatever the scale,
//! the files gone when the pass is over, whatever its outcome.
//!
//! The rows are counted exactly as the validating pass counts them (both read the table
//! through [`super::read_table`], batch by batch; the first pass as a
//! [`super::source::OneColumn`]), so a row is a repeat here exactly when the set would have
//! said it was seen.
//!
//! Most exports write a table in the order of its key, and ids that each come after the one
//! before in byte order cannot repeat. So a large table is first read once on that wager
//! ([`Ascending`]): if every id is greater than the last, no row repeated one and the table was
//! read once — no first pass, no spill, no second read of 15 GB of text. At the first id that
//! is not, the read stops, what it changed is taken back (`Validator::before_investments`) and
//! the first pass is made as above.

use super::buckets::{Buckets, Record};
use super::ids::{Fp, FpSet};
use super::source::{Batch, Cell};
use crate::error::Result;

/// Buckets by the fingerprint's top bits.
const BUCKET_BITS: u32 = 8;
const BUCKETS: usize = 1 << BUCKET_BITS;
/// Records held in memory before the buckets are appended to their files (64 MB).
pub const MEMORY_RECORDS: usize = (64 << 20) / <(Fp, u64) as Record>::BYTES;

/// How the validating pass tells the rows that repeat an earlier row's id.
pub enum Repeated {
    /// A set of the ids seen, filled as the rows are read: for a text table small enough
    /// that the set costs less than reading the file twice (`input::validate`'s choice).
    Set(FpSet),
    /// The repeats found by a first pass.
    Found(Repeats),
    /// None, on the wager that the ids ascend: the validating pass stops at the first that
    /// does not ([`Ascending`]).
    Ascending(Ascending),
}

impl Repeated {
    /// A [`Repeated::Ascending`] wager lost: an id came that was not greater than the one
    /// before it, and the rows from its batch on were not checked.
    pub fn broken(&self) -> bool {
        matches!(self, Repeated::Ascending(a) if a.broken)
    }
}

/// Ids followed in the order they come, each to be greater (in byte order) than the one before:
/// while they are, none repeats an earlier one.
#[derive(Debug, Default)]
pub struct Ascending {
    /// The last id seen (empty before the first, which every id sorts after).
    last: Vec<u8>,
    broken: bool,
}

impl Ascending {
    /// Whether every id followed so far was greater than the one before it.
    pub fn holds(&self) -> bool {
        !self.broken
    }

    /// Follow the ids in `column` of the next batch: true while every id so far is greater
    /// than the one before it (empty cells have no id and break nothing).
    pub fn follow(&mut self, batch: &Batch, column: usize) -> bool {
        if self.broken {
            return false;
        }
        // Each id against the one before it in the batch; only the batch's last is copied.
        let mut before: Option<&[u8]> = None;
        for i in 0..batch.len() {
            if let Cell::Ok(id) = batch.columns[column].text(i) {
                let id = id.as_bytes();
                if id <= before.unwrap_or(&self.last) {
                    self.broken = true;
                    return false;
                }
                before = Some(id);
            }
        }
        if let Some(last) = before {
            self.last.clear();
            self.last.extend_from_slice(last);
        }
        true
    }
}

impl Default for Repeated {
    fn default() -> Repeated {
        Repeated::Set(FpSet::with_expected(1 << 10))
    }
}

/// The rows of a table whose id an earlier row has, ascending; read in step with the rows.
#[derive(Debug, Default)]
pub struct Repeats {
    rows: Vec<u64>,
    /// The next entry of `rows` not yet reached.
    next: usize,
    /// Rows of the table passed so far.
    passed: u64,
}

impl Repeats {
    /// Mark, for the next `seen.len()` rows of the table, those that repeat an id.
    pub fn mark(&mut self, seen: &mut [bool]) {
        let end = self.passed + seen.len() as u64;
        while let Some(&row) = self.rows.get(self.next) {
            if row >= end {
                break;
            }
            seen[(row - self.passed) as usize] = true;
            self.next += 1;
        }
        self.passed = end;
    }

    /// How many rows repeat an id.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The first pass: the ids' fingerprints of one column, batch by batch ([`RepeatFinder::take`],
/// the table read through a [`super::source::OneColumn`]), spilled to the temporary folder as they grow.
pub struct RepeatFinder {
    column: usize,
    /// Rows passed so far.
    row: u64,
    /// Each id's fingerprint and row, by the fingerprint's top bits.
    buckets: Buckets<(Fp, u64)>,
    /// Records held in memory before a spill.
    limit: usize,
}

/// A record as spilled: the fingerprint's 16 bytes and the row's 8.
impl Record for (Fp, u64) {
    const BYTES: usize = 24;

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_bytes());
        out.extend_from_slice(&self.1.to_le_bytes());
    }

    fn decode(r: &[u8]) -> (Fp, u64) {
        let fp = Fp::from_bytes(r[..16].try_into().expect("16 bytes"));
        let row = u64::from_le_bytes(r[16..24].try_into().expect("8 bytes"));
        (fp, row)
    }
}

impl RepeatFinder {
    /// A finder of the repeated ids in column `column`, holding at most `limit` records in
    /// memory.
    pub fn new(column: usize, limit: usize) -> RepeatFinder {
        RepeatFinder {
            column,
            row: 0,
            buckets: Buckets::new(BUCKETS, limit, std::env::temp_dir()),
            limit,
        }
    }

    /// Spill into `folder` rather than the temporary folder.
    pub fn spilling_to(mut self, folder: std::path::PathBuf) -> RepeatFinder {
        self.buckets = Buckets::new(BUCKETS, self.limit, folder);
        self
    }

    fn add(&mut self, fp: Fp, row: u64) {
        self.buckets.push(fp.top_bits(BUCKET_BITS), (fp, row));
    }

    /// Sort each bucket and list the repeated rows; the spill files are closed.
    pub fn finish(self) -> Result<Repeats> {
        // Each bucket sorted and scanned on its own (its records come in row order: the
        // file's earlier rows, then memory's later ones).
        let found = self.buckets.finish(|mut records| {
            records.sort_unstable();
            records
                .windows(2)
                .filter(|w| w[0].0 == w[1].0)
                .map(|w| w[1].1)
                .collect::<Vec<u64>>()
        })?;
        let mut rows: Vec<u64> = found.concat();
        rows.sort_unstable();
        Ok(Repeats {
            rows,
            next: 0,
            passed: 0,
        })
    }
}

impl RepeatFinder {
    /// Take the next batch of the table's rows.
    pub fn take(&mut self, batch: &Batch) {
        for i in 0..batch.len() {
            if let Cell::Ok(id) = batch.columns[self.column].text(i) {
                self.add(Fp::of(id.as_bytes()), self.row + i as u64);
            }
        }
        self.row += batch.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::input::source::Column;
    use proptest::prelude::*;

    const ID: usize = 0;

    /// Feed `ids` to a finder in batches cut at `cuts`, holding `limit` records in memory.
    fn repeats(ids: &[Option<String>], cuts: &[usize], limit: usize) -> (Vec<bool>, bool) {
        let folder = tempfile::tempdir().unwrap();
        let mut finder = RepeatFinder::new(ID, limit).spilling_to(folder.path().into());
        let mut start = 0;
        let mut ends: Vec<usize> = cuts.iter().map(|c| c % (ids.len() + 1)).collect();
        ends.push(ids.len());
        ends.sort_unstable();
        let mut sizes = Vec::new();
        for end in ends {
            let part = &ids[start..end];
            let lines: Vec<u64> = (start as u64..end as u64).collect();
            let columns = vec![Column::Text(part.iter().map(|s| s.as_deref()).collect())];
            let batch = Batch {
                lines: &lines,
                columns,
                csv: None,
                faults: &[],
            };
            finder.take(&batch);
            sizes.push(end - start);
            start = end;
        }
        let spilled = finder.buckets.written();
        // The spill files have no name: the folder shows nothing, even while they are open.
        let names = || std::fs::read_dir(folder.path()).unwrap().count();
        assert_eq!(names(), 0, "nothing named in the temporary folder");
        let mut found = finder.finish().expect("finished");
        assert_eq!(names(), 0);
        let mut seen = Vec::new();
        for n in sizes {
            let mut part = vec![false; n];
            found.mark(&mut part);
            seen.extend(part);
        }
        (seen, spilled)
    }

    #[test]
    fn later_rows_of_an_id_repeat_it_and_empty_cells_never_do() {
        let ids: Vec<Option<String>> = ["a", "b", "a", "", "c", "b", "a"]
            .iter()
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
            .collect();
        let want = vec![false, false, true, false, false, true, true];
        assert_eq!(repeats(&ids, &[2, 5], 1 << 20), (want.clone(), false));
        // The same when every record goes to the files as it comes.
        assert_eq!(repeats(&ids, &[2, 5], 1), (want, true));
    }

    /// Whether `parts` (batches of id cells) ascend throughout, batch by batch.
    fn ascends(parts: &[&[Option<&str>]]) -> Vec<bool> {
        let mut ids = Ascending::default();
        parts
            .iter()
            .map(|part| {
                let lines: Vec<u64> = (0..part.len() as u64).collect();
                let batch = Batch {
                    lines: &lines,
                    columns: vec![Column::Text(part.to_vec())],
                    csv: None,
                    faults: &[],
                };
                ids.follow(&batch, ID)
            })
            .collect()
    }

    #[test]
    fn ids_ascend_while_each_is_greater_than_the_last_in_byte_order() {
        // Across batches, empty cells between; byte order, not number order.
        let a: &[Option<&str>] = &[Some("I1"), None, Some("I10"), Some("I2")];
        let b: &[Option<&str>] = &[None, Some("I20"), Some("I3"), Some("中")];
        assert_eq!(ascends(&[a, b]), [true, true]);
        // Equal is not greater (a repeat); once broken, always broken.
        let c: &[Option<&str>] = &[Some("I5"), Some("I5")];
        let d: &[Option<&str>] = &[Some("I6")];
        assert_eq!(ascends(&[c, d]), [false, false]);
        // Smaller, at a batch's start.
        let e: &[Option<&str>] = &[Some("I2")];
        let f: &[Option<&str>] = &[Some("I10")];
        assert_eq!(ascends(&[e, f]), [true, false]);
        assert_eq!(ascends(&[&[], &[None]]), [true, true]);
    }

    #[test]
    fn a_temporary_folder_that_cannot_be_written_is_an_error_naming_it() {
        let missing = std::env::temp_dir().join("winddown-no-such-folder-for-spills");
        let mut finder = RepeatFinder::new(ID, 2).spilling_to(missing.clone());
        let ids = [Some("a"), Some("b"), Some("a")];
        let lines = [1, 2, 3];
        let batch = Batch {
            lines: &lines,
            columns: vec![Column::Text(ids.to_vec())],
            csv: None,
            faults: &[],
        };
        finder.take(&batch);
        match finder.finish() {
            Err(Error::Io { path, .. }) => assert_eq!(path, missing),
            other => panic!("expected an error naming the folder, got {other:?}"),
        }
    }

    proptest! {
        /// Whatever the ids, the batches and the memory, a row repeats exactly when an
        /// earlier row has its id — what a set of the ids seen says row by row.
        #[test]
        fn repeats_are_what_a_set_sees(
            ids in proptest::collection::vec(proptest::option::weighted(0.9, 0u32..200), 0..700),
            cuts in proptest::collection::vec(0usize..700, 0..4),
            limit in 1usize..300,
        ) {
            let texts: Vec<Option<String>> =
                ids.iter().map(|v| v.map(|v| format!("I{v}"))).collect();
            let mut set = std::collections::HashSet::new();
            let want: Vec<bool> = ids
                .iter()
                .map(|v| v.is_some_and(|v| !set.insert(v)))
                .collect();
            let (seen, _) = repeats(&texts, &cuts, limit);
            prop_assert_eq!(seen, want);
        }
    }
}
