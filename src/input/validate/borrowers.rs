//! The borrowers while the loans are read, gathered by platform on disk rather than held.
//!
//! A platform's borrower figures (how many owe something, the largest one and ten, the amount
//! above their cap) are made from its borrowers' outstanding sums, a borrower being the same
//! id on the same platform across its loans. A table of every (platform, borrower) held while
//! the loans are read costs some 44 bytes a borrower: 2.1 GB at national scale, twice that for
//! a country twice as large, beside the loan and lender id tables. Instead each loan's
//! (platform, borrower's fingerprint, outstanding, enterprise) is a 29-byte record in one of
//! 256 buckets by platform, held while they are few (`HELD_BYTES`) and then appended to the
//! buckets' files in the temporary folder ([`Buckets`]). When the loans are done each
//! bucket is read back on its own, sorted by (platform, borrower), and its platforms' figures
//! made: memory one bucket's, some 6 MB at national scale, and no random access into a large
//! table while the loans are read. The figures are sums, a maximum and the ten largest, the
//! same whatever the order of the loans and whatever was written out.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;

use crate::domain::code::{ByCode, PlatformCode};
use crate::error::Result;
use crate::input::buckets::{Buckets, Record};
use crate::input::ids::Fp;

/// The records held in memory before the buckets are appended to their files: 128 MB of
/// them, about 4 million loans (a province has 4.8 million, the country 47.5 million).
pub const HELD_BYTES: usize = 128 << 20;

/// Buckets by platform code.
const BUCKETS: usize = 256;

/// One loan's part in its borrower's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Loan {
    platform: u32,
    borrower: Fp,
    outstanding: i64,
    enterprise: bool,
}

/// A platform's borrower figures, in fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Borrowers who owe more than nothing.
    pub current: i64,
    /// The largest borrower's outstanding sum (zero when none owes anything).
    pub top1: i64,
    /// The ten largest borrowers' outstanding sums added.
    pub top10: i64,
    /// Σ outstanding of the borrowers above their cap (an enterprise's cap for a borrower
    /// with any enterprise loan on the platform, an individual's otherwise).
    pub cap_breach: i64,
}

/// The loans' borrower records, by platform bucket.
pub struct Borrowers {
    buckets: Buckets<Loan>,
}

impl Borrowers {
    /// No loan yet; records written to `folder` once more than `held_bytes` of them are held.
    pub fn new(held_bytes: usize, folder: PathBuf) -> Borrowers {
        Borrowers {
            buckets: Buckets::new(BUCKETS, held_bytes / Loan::BYTES, folder),
        }
    }

    /// [`HELD_BYTES`], or `WINDDOWN_BORROWERS_HELD_BYTES` (the tests write every loan out with
    /// it), in the temporary folder.
    pub fn from_env() -> Borrowers {
        let held = crate::memory::size_from_env("WINDDOWN_BORROWERS_HELD_BYTES", HELD_BYTES);
        Borrowers::new(held, std::env::temp_dir())
    }

    /// One loan of `borrower` (its id) on `platform`.
    pub fn add(
        &mut self,
        platform: PlatformCode,
        borrower: &str,
        outstanding: i64,
        enterprise: bool,
    ) {
        let platform = platform.get();
        self.buckets.push(
            platform as usize % BUCKETS,
            Loan {
                platform,
                borrower: Fp::of(borrower.as_bytes()),
                outstanding,
                enterprise,
            },
        );
    }

    /// The figures of `platforms` platforms (those with no loan all zero), caps in fen:
    /// `[individual, enterprise]`. The files are closed.
    pub fn finish(self, platforms: usize, caps: [i64; 2]) -> Result<ByCode<PlatformCode, Figures>> {
        // A bucket at a time on each core, each sorted and summed on its own.
        let made = self.buckets.finish(|mut loans| {
            loans.sort_unstable_by_key(|l| (l.platform, l.borrower));
            figures(&loans, caps)
        })?;
        let mut all = ByCode::filled(platforms, Figures::default());
        for (platform, f) in made.into_iter().flatten() {
            all[PlatformCode::new(platform)] = f;
        }
        Ok(all)
    }
}

/// The figures of the platforms of `loans`, sorted by (platform, borrower).
fn figures(loans: &[Loan], [individual_cap, enterprise_cap]: [i64; 2]) -> Vec<(u32, Figures)> {
    let mut made = Vec::new();
    for platform in loans.chunk_by(|a, b| a.platform == b.platform) {
        let mut f = Figures::default();
        let mut top: BinaryHeap<Reverse<i64>> = BinaryHeap::with_capacity(11);
        for borrower in platform.chunk_by(|a, b| a.borrower == b.borrower) {
            let outstanding = borrower
                .iter()
                .fold(0i64, |sum, l| sum.saturating_add(l.outstanding));
            let enterprise = borrower.iter().any(|l| l.enterprise);
            if outstanding > 0 {
                f.current += 1;
            }
            f.top1 = f.top1.max(outstanding);
            let cap = if enterprise {
                enterprise_cap
            } else {
                individual_cap
            };
            if outstanding > cap {
                f.cap_breach = f.cap_breach.saturating_add(outstanding);
            }
            top.push(Reverse(outstanding));
            if top.len() > 10 {
                top.pop();
            }
        }
        f.top10 = top
            .into_iter()
            .fold(0i64, |sum, Reverse(v)| sum.saturating_add(v));
        made.push((platform[0].platform, f));
    }
    made
}

/// A loan as written: platform code, the borrower's fingerprint, outstanding fen and whether
/// the loan is an enterprise's, little-endian.
impl Record for Loan {
    const BYTES: usize = 4 + 16 + 8 + 1;

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.platform.to_le_bytes());
        out.extend_from_slice(&self.borrower.to_bytes());
        out.extend_from_slice(&self.outstanding.to_le_bytes());
        out.push(u8::from(self.enterprise));
    }

    fn decode(r: &[u8]) -> Loan {
        Loan {
            platform: u32::from_le_bytes(r[..4].try_into().expect("4 bytes")),
            borrower: Fp::from_bytes(r[4..20].try_into().expect("16 bytes")),
            outstanding: i64::from_le_bytes(r[20..28].try_into().expect("8 bytes")),
            enterprise: r[28] != 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// (platform, borrower, outstanding, enterprise)
    type Row = (u32, &'static str, i64, bool);

    fn run(rows: &[(u32, String, i64, bool)], platforms: usize, held_bytes: usize) -> Vec<Figures> {
        let folder = tempfile::tempdir().unwrap();
        let mut b = Borrowers::new(held_bytes, folder.path().into());
        for (platform, borrower, outstanding, enterprise) in rows {
            b.add(
                PlatformCode::new(*platform),
                borrower,
                *outstanding,
                *enterprise,
            );
        }
        // The files have no name: the folder shows nothing, even while they are open.
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
        let limit = (held_bytes / Loan::BYTES).max(1);
        assert_eq!(b.buckets.written(), rows.len() >= limit, "{held_bytes}");
        let f = b.finish(platforms, [100, 110]).expect("finished");
        f.codes().map(|c| f[c]).collect()
    }

    fn owned(rows: &[Row]) -> Vec<(u32, String, i64, bool)> {
        rows.iter()
            .map(|&(p, b, o, e)| (p, b.to_string(), o, e))
            .collect()
    }

    #[test]
    fn a_borrower_is_one_id_on_one_platform_and_caps_are_exceeded_above_not_at() {
        // Caps: individual 100, enterprise 110 (fen).
        let rows = owned(&[
            (0, "a", 100, false), // at the individual cap: not above it
            (0, "b", 50, false),
            (1, "a", 30, false),  // another platform's borrower "a"
            (0, "b", 61, true),   // b: 111, an enterprise's, above 110
            (0, "c", 0, false),   // owes nothing
            (0, "d", 101, false), // above the individual cap
            (2, "e", 110, true),  // at the enterprise cap
        ]);
        let want = vec![
            Figures {
                current: 3,
                top1: 111,
                top10: 100 + 111 + 101,
                cap_breach: 111 + 101,
            },
            Figures {
                current: 1,
                top1: 30,
                top10: 30,
                cap_breach: 0,
            },
            Figures {
                current: 1,
                top1: 110,
                top10: 110,
                cap_breach: 0,
            },
            Figures::default(),
        ];
        assert_eq!(run(&rows, 4, HELD_BYTES), want);
        // The same with every loan written out as it comes, and with some.
        assert_eq!(run(&rows, 4, 0), want);
        assert_eq!(run(&rows, 4, 3 * Loan::BYTES), want);
    }

    #[test]
    fn the_ten_largest_borrowers_are_added_and_no_more() {
        let rows: Vec<_> = (1..=12)
            .map(|i| (0, format!("b{i}"), i as i64, false))
            .collect();
        let f = run(&rows, 1, HELD_BYTES)[0];
        assert_eq!(f.top10, (3..=12).sum::<i64>());
        assert_eq!((f.current, f.top1, f.cap_breach), (12, 12, 0));
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_error_naming_it_when_finished() {
        let missing = std::env::temp_dir().join("winddown-no-such-folder-for-borrowers");
        let mut b = Borrowers::new(0, missing.clone());
        b.add(PlatformCode::new(0), "a", 1, false);
        match b.finish(1, [100, 110]) {
            Err(e) => assert!(
                e.to_string().contains(&missing.display().to_string()),
                "{e}"
            ),
            Ok(_) => panic!("expected an error naming the folder"),
        }
    }

    proptest! {
        /// Against a plain map of (platform, borrower) → (Σ outstanding, any enterprise), with
        /// any share of the loans written out.
        #[test]
        fn figures_are_those_of_the_borrowers_summed_whatever_is_written_out(
            rows in proptest::collection::vec((0u32..5, 0u8..8, 0i64..300, any::<bool>()), 0..120),
            held in 0usize..60,
        ) {
            let rows: Vec<_> = rows
                .into_iter()
                .map(|(p, b, o, e)| (p, format!("id{b}"), o, e))
                .collect();
            let mut model: BTreeMap<(u32, &str), (i64, bool)> = BTreeMap::new();
            for (p, b, o, e) in &rows {
                let m = model.entry((*p, b.as_str())).or_default();
                m.0 += o;
                m.1 |= e;
            }
            let mut want = vec![Figures::default(); 5];
            for p in 0..5u32 {
                let mut sums: Vec<(i64, bool)> =
                    model.iter().filter(|((q, _), _)| *q == p).map(|(_, v)| *v).collect();
                sums.sort_unstable_by_key(|(o, _)| Reverse(*o));
                let w = &mut want[p as usize];
                w.current = sums.iter().filter(|(o, _)| *o > 0).count() as i64;
                w.top1 = sums.first().map_or(0, |(o, _)| *o);
                w.top10 = sums.iter().take(10).map(|(o, _)| o).sum();
                w.cap_breach = sums
                    .iter()
                    .filter(|(o, e)| *o > if *e { 110 } else { 100 })
                    .map(|(o, _)| o)
                    .sum();
            }
            prop_assert_eq!(run(&rows, 5, held * Loan::BYTES), want);
        }
    }
}
