//! The positions while the investments are read: one table per platform, held within a budget.
//!
//! Each platform's positions are summed in a table of its own (lender → sums,
//! [`PositionTable`]), about 36 bytes a position: 3.4 GB at national scale, twice that for a
//! country twice as large, which alone would leave no room in 8 GB for the id tables beside
//! them. So the tables' slots are held within a budget ([`HELD_BYTES`], or
//! `WINDDOWN_POSITIONS_HELD_BYTES`): when a table's growth takes them beyond it, every table but
//! the one being added to — and that one too when it alone holds half the budget — is written
//! to an anonymous file of the temporary folder (`TMPDIR`; the system removes it when it is
//! closed, whatever becomes of the run) as a run of its positions, and emptied. Investments
//! exported platform by platform, as engines and the generator write them, fill one table at a
//! time, so each table is written out once, complete.
//!
//! When the investments are done, a platform whose positions are in more than one place (runs,
//! its table) has them summed into one run; then each platform's one run or table is sorted by
//! lender rank into its piece of the columns, as when nothing was written out. The sums are
//! integer adds (they saturate only on inputs the validator refuses: money columns whose total
//! goes beyond i64 fen), so the columns are the same whatever was written out and when; only
//! the memory and the time differ.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::domain::code::{ByCode, LenderCode, PlatformCode};
use crate::domain::money::Fen;
use crate::error::{Error, Result};
use crate::input::data::{Position, PositionSums, PositionTable, Positions, WIDE};
use crate::memory::size_from_env;
use crate::write_behind::WriteBehind;

/// The position tables' slots held while the investments are read: 1 GiB, about 30 million
/// positions (a national run has 100 million).
pub const HELD_BYTES: usize = 1 << 30;

/// Positions whose columns take this many bytes or more (16 a position) are written to a file
/// of the temporary folder when complete and mapped back ([`Positions::page_out`]): read as
/// before, nearly always in row order, their pages the page cache's rather than the heap's.
/// Twice the national scale (3.2 GB of them) then fits in 8 GB beside the lenders' ids the
/// exports read; below it they are held (`WINDDOWN_POSITIONS_PAGED_FROM` changes it).
pub const PAGED_FROM: usize = 2 << 30;

/// A position written out: the lender's code and the three sums, little-endian.
const RECORD: usize = 4 + 3 * 8;

/// The positions are sorted into their columns in this many slices, the memory freed by one
/// handed back before the next.
const SLICES: usize = 16;

/// The position tables of the platforms, and the runs written out of them.
pub struct PositionTables {
    tables: ByCode<PlatformCode, PositionTable>,
    /// Per platform, its runs in the file, in the order written.
    runs: ByCode<PlatformCode, Vec<Run>>,
    /// The bytes of the tables' slots.
    held: usize,
    budget: usize,
    /// The columns' size from which they are paged out when complete ([`PAGED_FROM`]).
    paged_from: usize,
    /// Where the runs are written.
    folder: PathBuf,
    out: Option<Out>,
    /// The first error writing a run: the tables are held from then on, and the error is told
    /// when the positions are made ([`PositionTables::into_positions`]).
    failed: Option<std::io::Error>,
}

/// Records of the file: the first and how many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    at: u64,
    len: u64,
}

/// The file the runs are written to.
struct Out {
    /// For reading the runs back (at an offset: the writer's position does not move).
    file: File,
    writer: BufWriter<WriteBehind>,
    /// Records written.
    records: u64,
}

impl Default for PositionTables {
    fn default() -> PositionTables {
        PositionTables::new(HELD_BYTES, std::env::temp_dir())
    }
}

impl PositionTables {
    /// No platform yet; runs written to `folder` when the slots go beyond `budget` bytes.
    pub fn new(budget: usize, folder: PathBuf) -> PositionTables {
        PositionTables {
            tables: ByCode::new(),
            runs: ByCode::new(),
            held: 0,
            budget,
            paged_from: PAGED_FROM,
            folder,
            out: None,
            failed: None,
        }
    }

    /// [`HELD_BYTES`] and [`PAGED_FROM`], or `WINDDOWN_POSITIONS_HELD_BYTES` and
    /// `WINDDOWN_POSITIONS_PAGED_FROM` (the tests write small positions out and page them with
    /// them), in the temporary folder.
    pub fn from_env() -> PositionTables {
        let mut tables = PositionTables::new(
            size_from_env("WINDDOWN_POSITIONS_HELD_BYTES", HELD_BYTES),
            std::env::temp_dir(),
        );
        tables.paged_from = size_from_env("WINDDOWN_POSITIONS_PAGED_FROM", PAGED_FROM);
        tables
    }

    /// As many platforms, no position, the same budget and folder.
    pub fn emptied(&self) -> PositionTables {
        let mut empty = PositionTables::new(self.budget, self.folder.clone());
        empty.paged_from = self.paged_from;
        for _ in self.tables.codes() {
            empty.push_platform();
        }
        empty
    }

    /// A table for the next platform.
    pub fn push_platform(&mut self) {
        let table = PositionTable::default();
        self.held += table.slot_bytes();
        self.tables.push(table);
        self.runs.push(Vec::new());
    }

    /// Start loading the slots `lender`'s position on `platform` is looked for in first.
    #[inline]
    pub fn prefetch(&self, platform: PlatformCode, lender: LenderCode) {
        self.tables[platform].prefetch(lender);
    }

    /// Add one investment of `lender` on `platform`.
    pub fn add(
        &mut self,
        platform: PlatformCode,
        lender: LenderCode,
        invested: i64,
        returned: i64,
        returns: i64,
    ) {
        let table = &mut self.tables[platform];
        let before = table.slot_bytes();
        table.add(lender, invested, returned, returns);
        let grown = table.slot_bytes() - before;
        if grown > 0 {
            self.held += grown;
            if self.held > self.budget {
                self.write_out(platform);
            }
        }
    }

    /// Write out every table but `current`'s, and `current`'s too when it holds half the
    /// budget. After an error nothing more is written out.
    fn write_out(&mut self, current: PlatformCode) {
        if self.failed.is_some() {
            return;
        }
        let keep = (self.tables[current].slot_bytes() <= self.budget / 2).then_some(current);
        if let Err(e) = self.try_write_out(keep) {
            self.failed = Some(e);
        }
        crate::memory::give_back();
    }

    fn try_write_out(&mut self, keep: Option<PlatformCode>) -> std::io::Result<()> {
        let out = match &mut self.out {
            Some(out) => out,
            none => none.insert(Out::new(&self.folder)?),
        };
        for code in self.tables.codes() {
            let table = &mut self.tables[code];
            if Some(code) == keep || table.is_empty() {
                continue;
            }
            for (lender, sums) in table.entries() {
                out.writer.write_all(&encode(lender, &sums))?;
            }
            let len = table.len() as u64;
            self.runs[code].push(Run {
                at: out.records,
                len,
            });
            out.records += len;
            self.held -= table.slot_bytes();
            *table = PositionTable::default();
            self.held += table.slot_bytes();
        }
        out.writer.flush()
    }

    /// The positions as columns sorted by (platform id, lender id): `order` is the platforms
    /// in the byte order of their ids, `rank` each lender's place in the byte order of theirs.
    pub fn into_positions(
        self,
        order: &[PlatformCode],
        rank: &ByCode<LenderCode, u32>,
    ) -> Result<Positions> {
        let PositionTables {
            tables,
            mut runs,
            folder,
            out,
            failed,
            paged_from,
            ..
        } = self;
        let io = |e| Error::io(&folder, e);
        if let Some(e) = failed {
            return Err(io(e));
        }
        let mut tables: ByCode<PlatformCode, Option<PositionTable>> =
            tables.into_iter().map(Some).collect();
        let file = match out {
            Some(mut out) => {
                sum_scattered(&mut tables, &mut runs, &mut out).map_err(io)?;
                out.writer.flush().map_err(io)?;
                Some(out.file)
            }
            None => None,
        };
        // Each platform's positions are now in one place: its table, or one run.
        let mut sources: Vec<(PlatformCode, Source)> = Vec::with_capacity(order.len());
        for &code in order {
            match (tables[code].take(), runs[code].as_slice()) {
                (Some(table), []) if !table.is_empty() => {
                    sources.push((code, Source::Table(table)))
                }
                (_, [run]) => sources.push((code, Source::Run(*run))),
                _ => {}
            }
        }
        drop(tables);
        let total: usize = sources.iter().map(|(_, s)| s.len()).sum();
        // The columns are allocated whole but written piece by piece: a page becomes resident
        // when its platform is written, as the platform's table is freed (filling them first
        // would hold both at once).
        let mut ranges = ByCode::filled(runs.len(), 0..0);
        let mut lender_column: Vec<LenderCode> = Vec::with_capacity(total);
        let mut sums_column: Vec<[u32; 3]> = Vec::with_capacity(total);
        let mut jobs = Vec::with_capacity(sources.len());
        let (mut lender, mut sums) = (
            &mut lender_column.spare_capacity_mut()[..total],
            &mut sums_column.spare_capacity_mut()[..total],
        );
        let mut start = 0;
        for (code, source) in sources {
            let n = source.len();
            ranges[code] = start..start + n;
            start += n;
            let (l, rest_l) = lender.split_at_mut(n);
            let (s, rest_s) = sums.split_at_mut(n);
            (lender, sums) = (rest_l, rest_s);
            jobs.push((source, start - n, l, s));
        }
        assert_eq!(start, total, "every platform's positions have their piece");
        // In slices of about a sixteenth of the positions, the freed tables handed back after
        // each: they were allocated on the reading threads' heaps, and kept there they stayed
        // resident while the columns' pages filled (1.2 GB of the national peak).
        let slice = total / SLICES + 1;
        let mut jobs = jobs.into_iter().peekable();
        // The rows whose sums are kept whole (`PositionSums`): a handful, if any.
        let mut wide: Vec<(usize, Position)> = Vec::new();
        while jobs.peek().is_some() {
            let mut batch = Vec::new();
            let mut held = 0;
            while let Some(job) = jobs.next_if(|_| held < slice) {
                held += job.0.len();
                batch.push(job);
            }
            let wides = batch
                .into_par_iter()
                .map(|(source, first, lender, sums)| -> std::io::Result<_> {
                    let rows = match source {
                        Source::Table(mut table) => table.drain(),
                        Source::Run(run) => match &file {
                            Some(file) => read_run(file, run)?,
                            None => unreachable!("a run is in the file it was written to"),
                        },
                    };
                    // A table drains all it holds, a run reads all it wrote: every slot of
                    // the piece is written.
                    assert_eq!(rows.len(), lender.len(), "a platform's positions");
                    // By the lender's rank, looked up once per row rather than per comparison.
                    let mut keyed: Vec<(u32, u32)> = rows
                        .iter()
                        .enumerate()
                        .map(|(i, (l, _))| (rank[*l], i as u32))
                        .collect();
                    keyed.sort_unstable();
                    let mut wide = Vec::new();
                    for (k, (_, i)) in keyed.into_iter().enumerate() {
                        let (l, s) = rows[i as usize];
                        lender[k].write(l);
                        sums[k].write(PositionSums::slot(&s).unwrap_or_else(|| {
                            wide.push((first + k, s));
                            WIDE
                        }));
                    }
                    Ok(wide)
                })
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(io)?;
            wide.extend(wides.into_iter().flatten());
            crate::memory::give_back();
        }
        // SAFETY: the pieces are disjoint and cover the first `total` slots of each column
        // (their lengths are the sources' lengths, which add up to `total`), and each job wrote
        // every slot of its pieces (the assertion above) or the function returned before here.
        unsafe {
            lender_column.set_len(total);
            sums_column.set_len(total);
        }
        drop(file);
        let sums = PositionSums::from_parts(sums_column, wide);
        let mut positions = Positions::new(lender_column, sums, ranges);
        if positions.held_bytes() >= paged_from {
            positions.page_out(&folder).map_err(io)?;
        }
        Ok(positions)
    }
}

impl Out {
    fn new(folder: &Path) -> std::io::Result<Out> {
        let file = tempfile::tempfile_in(folder)?;
        // Written behind (`write_behind`): clean pages, which a memory limit can drop at once.
        let writer = BufWriter::with_capacity(1 << 20, WriteBehind::new(file.try_clone()?));
        Ok(Out {
            file,
            writer,
            records: 0,
        })
    }
}

/// Where a platform's positions are when the investments are done.
enum Source {
    Table(PositionTable),
    Run(Run),
}

impl Source {
    fn len(&self) -> usize {
        match self {
            Source::Table(table) => table.len(),
            // A run was a table's positions, fewer than there are lender codes (u32).
            Source::Run(run) => run.len as usize,
        }
    }
}

/// Every platform whose positions are in more than one place — runs, a table with positions —
/// has them summed into one new run at the end of the file, its table emptied. Platforms are
/// summed in parallel, a sixteenth of the records at a time.
fn sum_scattered(
    tables: &mut ByCode<PlatformCode, Option<PositionTable>>,
    runs: &mut ByCode<PlatformCode, Vec<Run>>,
    out: &mut Out,
) -> std::io::Result<()> {
    out.writer.flush()?;
    // Each with its records, counted before any is taken.
    let scattered: Vec<(PlatformCode, u64)> = runs
        .codes()
        .filter_map(|c| {
            let table = tables[c].as_ref().map_or(0, PositionTable::len);
            let places = runs[c].len() + usize::from(table > 0);
            let records = runs[c].iter().map(|r| r.len).sum::<u64>() + table as u64;
            (places > 1).then_some((c, records))
        })
        .collect();
    let slice = scattered.iter().map(|(_, n)| n).sum::<u64>() / SLICES as u64 + 1;
    let mut pending = scattered.into_iter().peekable();
    while pending.peek().is_some() {
        let mut batch = Vec::new();
        let mut held = 0;
        while let Some((code, records)) = pending.next_if(|_| held < slice) {
            held += records;
            let table = tables[code].take().unwrap_or_default();
            batch.push((code, table, std::mem::take(&mut runs[code])));
        }
        let file = &out.file;
        let summed: Vec<(PlatformCode, Vec<(LenderCode, Position)>)> = batch
            .into_par_iter()
            .map(|(code, mut table, its_runs)| {
                let mut rows = table.drain();
                for run in its_runs {
                    rows.extend(read_run(file, run)?);
                }
                Ok((code, summed_by_lender(rows)))
            })
            .collect::<std::io::Result<_>>()?;
        for (code, rows) in summed {
            for (lender, sums) in &rows {
                out.writer.write_all(&encode(*lender, sums))?;
            }
            let len = rows.len() as u64;
            runs[code] = vec![Run {
                at: out.records,
                len,
            }];
            out.records += len;
        }
        out.writer.flush()?;
        crate::memory::give_back();
    }
    Ok(())
}

/// One row per lender, the sums of its rows added.
fn summed_by_lender(mut rows: Vec<(LenderCode, Position)>) -> Vec<(LenderCode, Position)> {
    rows.sort_unstable_by_key(|(lender, _)| *lender);
    rows.dedup_by(|later, kept| {
        if later.0 != kept.0 {
            return false;
        }
        let (a, b) = (&mut kept.1, later.1);
        a.invested = a.invested.saturating_add(b.invested);
        a.principal_returned = a.principal_returned.saturating_add(b.principal_returned);
        a.returns_received = a.returns_received.saturating_add(b.returns_received);
        true
    });
    rows
}

fn encode(lender: LenderCode, sums: &Position) -> [u8; RECORD] {
    let mut record = [0u8; RECORD];
    record[..4].copy_from_slice(&lender.get().to_le_bytes());
    let fields = [
        sums.invested,
        sums.principal_returned,
        sums.returns_received,
    ];
    for (k, Fen(v)) in fields.into_iter().enumerate() {
        record[4 + 8 * k..12 + 8 * k].copy_from_slice(&v.to_le_bytes());
    }
    record
}

fn decode(record: &[u8]) -> (LenderCode, Position) {
    let word = |k: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&record[4 + 8 * k..12 + 8 * k]);
        Fen(i64::from_le_bytes(b))
    };
    let mut lender = [0u8; 4];
    lender.copy_from_slice(&record[..4]);
    (
        LenderCode::new(u32::from_le_bytes(lender)),
        Position {
            invested: word(0),
            principal_returned: word(1),
            returns_received: word(2),
        },
    )
}

fn read_run(file: &File, run: Run) -> std::io::Result<Vec<(LenderCode, Position)>> {
    let mut bytes = vec![0u8; run.len as usize * RECORD];
    file.read_exact_at(&mut bytes, run.at * RECORD as u64)?;
    Ok(bytes.chunks_exact(RECORD).map(decode).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::data::POSITION_SLOT_BYTES;
    use proptest::prelude::*;

    /// Positions made from `adds` (platform, lender, invested, returned, returns) with the
    /// given budget, in a fresh folder; `order` and `rank` are the identity.
    fn positions(platforms: usize, adds: &[(u32, u32, i64, i64, i64)], budget: usize) -> Positions {
        let dir = tempfile::tempdir().unwrap();
        let mut t = PositionTables::new(budget, dir.path().to_path_buf());
        for _ in 0..platforms {
            t.push_platform();
        }
        for &(p, l, a, r, x) in adds {
            t.add(PlatformCode::new(p), LenderCode::new(l), a, r, x);
        }
        let order: Vec<PlatformCode> = (0..platforms as u32).map(PlatformCode::new).collect();
        let lenders = adds.iter().map(|a| a.1 + 1).max().unwrap_or(0);
        let rank: ByCode<LenderCode, u32> = (0..lenders).collect();
        let made = t.into_positions(&order, &rank).unwrap();
        // The runs' file is anonymous: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        made
    }

    fn rows(p: &Positions) -> Vec<(u32, u32, Position)> {
        (0..p.len())
            .map(|i| (p.platform(i).get(), p.lender[i].get(), p.sums.get(i)))
            .collect()
    }

    fn sums(invested: i64, returned: i64, returns: i64) -> Position {
        Position {
            invested: Fen(invested),
            principal_returned: Fen(returned),
            returns_received: Fen(returns),
        }
    }

    #[test]
    fn positions_written_out_and_summed_back_by_hand() {
        // Four platforms, each table 8 slots (224 bytes: 896 held); a budget of 36 slots
        // (1,008 bytes). Platform 1's eighth lender grows its table to 18 slots (+280: 1,176
        // held): platforms 0 and 2 are written out, 1 is kept (504 bytes, half the budget).
        // Its sixteenth grows it to 30 slots (840 bytes, more than half): every table with
        // positions is written out — platform 0's second run (lender 5 again), platform 1's
        // first. Then lender 100 again on platform 1, in its table.
        let mut adds = vec![(0, 5, 100, 10, 1), (0, 6, 60, 0, 0), (2, 3, 7, 0, 0)];
        adds.extend((100..108).map(|l| (1, l, 1, 0, 0)));
        adds.push((0, 5, 1_000, 100, 10));
        adds.extend((108..116).map(|l| (1, l, 1, 0, 0)));
        adds.push((1, 100, 5, 0, 0));
        // Lender 6 on platform 0 beyond 32 bits of fen: its sums are kept whole.
        adds.push((0, 6, 5_000_000_000, 0, 0));
        assert_eq!(PositionTable::default().slot_bytes(), 224);
        let spilled = positions(4, &adds, 36 * POSITION_SLOT_BYTES);
        let r = rows(&spilled);
        let mut want = vec![
            (0, 5, sums(1_100, 110, 11)),
            (0, 6, sums(5_000_000_060, 0, 0)),
        ];
        want.push((1, 100, sums(6, 0, 0)));
        want.extend((101..116).map(|l| (1, l, sums(1, 0, 0))));
        want.push((2, 3, sums(7, 0, 0)));
        assert_eq!(r, want);
        assert_eq!(spilled.ranges[PlatformCode::new(1)], 2..18);
        assert_eq!(spilled.ranges[PlatformCode::new(3)], 0..0);
        assert_eq!(r, rows(&positions(4, &adds, usize::MAX)));
        assert_eq!(spilled.sums.wide_rows(), 1);
    }

    /// Platform 0's runs and table after the adds of the test above, to see that the test
    /// made the runs it says it made.
    #[test]
    fn the_hand_example_makes_the_runs_it_says() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = PositionTables::new(36 * POSITION_SLOT_BYTES, dir.path().to_path_buf());
        for _ in 0..4 {
            t.push_platform();
        }
        let mut add = |p, l, a| t.add(PlatformCode::new(p), LenderCode::new(l), a, 0, 0);
        add(0, 5, 100);
        add(0, 6, 60);
        add(2, 3, 7);
        (100..108).for_each(|l| add(1, l, 1));
        add(0, 5, 1_000);
        (108..116).for_each(|l| add(1, l, 1));
        add(1, 100, 5);
        let runs = |p: u32| t.runs[PlatformCode::new(p)].clone();
        assert_eq!(runs(0), [Run { at: 0, len: 2 }, Run { at: 3, len: 1 }]);
        assert_eq!(runs(1), [Run { at: 4, len: 16 }]);
        assert_eq!(runs(2), [Run { at: 2, len: 1 }]);
        assert_eq!(runs(3), []);
        assert_eq!(t.tables[PlatformCode::new(1)].len(), 1);
    }

    #[test]
    fn a_table_written_out_then_refilled_is_summed_into_one_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = PositionTables::new(0, dir.path().to_path_buf());
        t.push_platform();
        t.push_platform();
        // A budget of 0: every growth writes every table out, the one added to as well (it
        // holds more than half of nothing).
        for l in 0..20u32 {
            t.add(PlatformCode::new(0), LenderCode::new(l % 12), 1, 0, 0);
        }
        assert!(
            t.runs[PlatformCode::new(0)].len() > 1,
            "written out more than once"
        );
        let rank: ByCode<LenderCode, u32> = (0..12).collect();
        let p = t
            .into_positions(&[PlatformCode::new(1), PlatformCode::new(0)], &rank)
            .unwrap();
        // Lenders 0..8 invested twice, 8..12 once.
        let want: Vec<(u32, u32, Position)> = (0..12)
            .map(|l| (0, l, sums(if l < 8 { 2 } else { 1 }, 0, 0)))
            .collect();
        assert_eq!(rows(&p), want);
        assert_eq!(p.ranges[PlatformCode::new(1)], 0..0);
    }

    #[test]
    fn nothing_written_out_below_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = PositionTables::new(1 << 20, dir.path().to_path_buf());
        t.push_platform();
        for l in 0..1_000 {
            t.add(PlatformCode::new(0), LenderCode::new(l), 1, 0, 0);
        }
        assert!(t.out.is_none());
        assert!(t.held <= 1 << 20);
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_error_naming_it() {
        let missing = std::env::temp_dir().join("winddown-no-such-folder-for-positions");
        let mut t = PositionTables::new(0, missing);
        t.push_platform();
        for l in 0..100 {
            t.add(PlatformCode::new(0), LenderCode::new(l), 1, 0, 0);
        }
        let rank: ByCode<LenderCode, u32> = (0..100).collect();
        let e = t
            .into_positions(&[PlatformCode::new(0)], &rank)
            .expect_err("the write-out's error");
        assert!(e.to_string().contains("winddown-no-such-folder"), "{e}");
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let s = sums(i64::MAX, -1, i64::MIN);
        let record = encode(LenderCode::new(u32::MAX - 1), &s);
        assert_eq!(decode(&record), (LenderCode::new(u32::MAX - 1), s));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever the budget and the order of the investments, the columns are those of the
        /// tables held whole.
        #[test]
        fn the_budget_changes_nothing_but_memory(
            adds in prop::collection::vec(
                (0u32..4, 0u32..40, 1i64..3_000_000_000, 0i64..1_000, 0i64..1_000), 0..600),
            budget in 0usize..4_000,
        ) {
            prop_assert_eq!(rows(&positions(4, &adds, budget)), rows(&positions(4, &adds, usize::MAX)));
        }
    }
}
