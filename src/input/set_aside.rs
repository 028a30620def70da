//! The lenders' ids written aside to the temporary folder as they are read.
//!
//! Nothing reads the ids' text while the lenders, the loans and the investments are read — a
//! row finds its lender by the id's fingerprint, and a reject quotes its file's own cell — yet
//! it is some 18 bytes a lender (the text and where each id ends): 0.9 GB at national scale,
//! 1.8 GB at twice that, beside the loan and lender id tables that fill at the same time. So
//! once the ids held take [`SET_ASIDE_FROM`] bytes, they are appended to two files with no name
//! in the temporary folder (`TMPDIR`; the system removes them when they are closed, whatever
//! becomes of the run) — the text, and where each id ends — and so on, a [`CHUNK`] at a time,
//! as the table is read ([`Spool`]). The ids are read back whole when the investments are done
//! ([`SetAside::restore`]). Small tables keep their ids in memory.
//!
//! The lenders are ranked in the byte order of their ids. Ids that were written aside in
//! ascending order — as most exports write a table — are their own order, and the text is not
//! needed for it; otherwise it is read back once to be sorted, and dropped again.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::ids::{Mapped, Strings};
use crate::write_behind::WriteBehind;

/// The ids held in memory before they are first written aside (`WINDDOWN_LENDER_IDS_ASIDE_FROM`
/// changes it, for tests): at this size and below the files would save little.
pub const SET_ASIDE_FROM: usize = 256 << 20;

/// Once written aside, the ids are written again whenever this many bytes of them are held.
pub const CHUNK: usize = 64 << 20;

/// The ids written aside so far, and whether they ascend.
pub struct Spool {
    text_file: File,
    ends_file: File,
    /// Written behind ([`WriteBehind`]): clean pages by the time the investments' tables fill,
    /// which a memory limit can drop at once.
    text: BufWriter<WriteBehind>,
    ends: BufWriter<WriteBehind>,
    folder: PathBuf,
    text_bytes: u64,
    strings: usize,
    /// The last id written, and whether every id so far came after the one before in byte
    /// order.
    last: Vec<u8>,
    ascending: bool,
    /// The first error writing: reported by [`Spool::finish`].
    failed: Option<std::io::Error>,
}

impl Spool {
    /// Two empty files in `folder`.
    pub fn new(folder: &Path) -> Result<Spool> {
        let io = |e| Error::io(folder, e);
        let text_file = tempfile::tempfile_in(folder).map_err(io)?;
        let ends_file = tempfile::tempfile_in(folder).map_err(io)?;
        let writer = |file: &File| -> Result<BufWriter<WriteBehind>> {
            let clone = file.try_clone().map_err(io)?;
            Ok(BufWriter::with_capacity(1 << 20, WriteBehind::new(clone)))
        };
        Ok(Spool {
            text: writer(&text_file)?,
            ends: writer(&ends_file)?,
            text_file,
            ends_file,
            folder: folder.to_path_buf(),
            text_bytes: 0,
            strings: 0,
            last: Vec::new(),
            ascending: true,
            failed: None,
        })
    }

    /// The ids written so far.
    pub fn strings(&self) -> usize {
        self.strings
    }

    /// Whether an error stopped the writing (the ids are then kept in memory from there on).
    pub fn failed(&self) -> bool {
        self.failed.is_some()
    }

    /// Append `ids` after those written. On an error nothing is counted as written, the error
    /// is kept for [`Spool::finish`], and `false` says the ids are still the caller's to keep.
    pub fn write(&mut self, ids: &Strings) -> bool {
        if self.failed.is_some() {
            return false;
        }
        let (text, ends) = ids.parts();
        if let Err(e) = self.try_write(text, ends) {
            self.failed = Some(e);
            return false;
        }
        // Each id against the one before ("" before the first: no id comes before it).
        let mut ascending = self.ascending;
        let mut before: &[u8] = &self.last;
        let mut start = 0;
        for &end in ends {
            let id = &text[start..end as usize];
            ascending &= before <= id;
            before = id;
            start = end as usize;
        }
        let last = before.to_vec();
        self.last = last;
        self.ascending = ascending;
        self.text_bytes += text.len() as u64;
        self.strings += ends.len();
        true
    }

    fn try_write(&mut self, text: &[u8], ends: &[u64]) -> std::io::Result<()> {
        self.text.write_all(text)?;
        for end in ends {
            self.ends
                .write_all(&(self.text_bytes + end).to_le_bytes())?;
        }
        Ok(())
    }

    /// The ids written, and whether they ascend; the first error writing them, naming the
    /// folder.
    pub fn finish(self) -> Result<(SetAside, bool)> {
        let io = |e| Error::io(&self.folder, e);
        if let Some(e) = self.failed {
            return Err(io(e));
        }
        for writer in [self.text, self.ends] {
            writer
                .into_inner()
                .map_err(|e| io(e.into_error()))?
                .finish();
        }
        let aside = SetAside {
            text: self.text_file,
            ends: self.ends_file,
            folder: self.folder,
            text_bytes: self.text_bytes,
            strings: self.strings,
        };
        Ok((aside, self.ascending))
    }
}

/// The lenders' ids, written aside: read back by [`SetAside::read`].
#[derive(Debug)]
pub struct SetAside {
    text: File,
    ends: File,
    /// Where the files were made, for an error.
    folder: PathBuf,
    text_bytes: u64,
    strings: usize,
}

impl SetAside {
    /// How many ids.
    pub fn strings(&self) -> usize {
        self.strings
    }

    /// The ids mapped from their files ([`Strings::mapped`]): read as the outputs name them,
    /// their pages the page cache's rather than the heap's. The files go when the mapping does.
    pub fn map(self) -> Result<Strings> {
        if self.text_bytes == 0 {
            // Nothing to map (a file of no bytes cannot be): read them, a few ends at most.
            return self.read();
        }
        let io = |e| Error::io(&self.folder, e);
        // SAFETY: both files are this process's own — anonymous temporary files no other
        // process can open — written in full before and never written again, so what a
        // mapping reads is what was written.
        let text = unsafe { memmap2::Mmap::map(&self.text) }.map_err(io)?;
        let ends = unsafe { memmap2::Mmap::map(&self.ends) }.map_err(io)?;
        let mapped = Mapped::new(text, ends)
            .filter(|m| m.len() == self.strings)
            .ok_or_else(|| self.damaged())?;
        Ok(Strings::mapped(mapped))
    }

    fn damaged(&self) -> Error {
        Error::Internal(format!(
            "the lenders' ids set aside in {} did not read back as written",
            self.folder.display()
        ))
    }

    /// The ids, in the order written.
    pub fn read(&self) -> Result<Strings> {
        let damaged = || self.damaged();
        let io = |e| Error::io(&self.folder, e);
        let text_len = usize::try_from(self.text_bytes).map_err(|_| damaged())?;
        let mut text = vec![0u8; text_len];
        self.text.read_exact_at(&mut text, 0).map_err(io)?;
        // The ends a megabyte at a time: a whole buffer of their bytes beside them would be
        // 8 bytes a lender more at the run's peak.
        let mut ends = Vec::with_capacity(self.strings);
        let mut words = vec![0u8; 1 << 20];
        let total = self.strings as u64 * 8;
        let mut at = 0u64;
        while at < total {
            let n = (total - at).min(words.len() as u64) as usize;
            self.ends.read_exact_at(&mut words[..n], at).map_err(io)?;
            ends.extend(
                words[..n]
                    .chunks_exact(8)
                    .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes"))),
            );
            at += n as u64;
        }
        Strings::from_parts(text, ends).ok_or_else(damaged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::code::{Code, LenderCode};

    fn strings(ids: &[&str]) -> Strings {
        let mut s = Strings::default();
        for id in ids {
            s.push(id);
        }
        s
    }

    /// `chunks` written one after another: what reads back, and whether they ascended.
    fn spooled(chunks: &[&[&str]]) -> (Vec<String>, bool) {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::new(dir.path()).unwrap();
        for chunk in chunks {
            assert!(spool.write(&strings(chunk)));
        }
        // The files are anonymous: nothing is left in the folder to clean up.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let (aside, ascending) = spool.finish().unwrap();
        let back = aside.read().unwrap();
        assert_eq!(back.len(), aside.strings());
        let ids = (0..back.len())
            .map(|i| back.get(LenderCode::at(i)).to_string())
            .collect();
        (ids, ascending)
    }

    #[test]
    fn ids_written_in_chunks_come_back_in_their_order() {
        let (ids, ascending) = spooled(&[&["L2", "中文", ""], &[], &["L10", "a\u{301}"]]);
        assert_eq!(ids, ["L2", "中文", "", "L10", "a\u{301}"]);
        assert!(!ascending);
    }

    #[test]
    fn ids_ascend_across_chunks_or_not_at_a_chunk_boundary() {
        assert!(spooled(&[&["", "A", "B"], &["B1", "C"]]).1);
        assert!(!spooled(&[&["A", "C"], &["B"]]).1);
        assert!(spooled(&[&["A"], &["A"]]).1, "equal ids keep their order");
        assert!(!spooled(&[&["B", "A"]]).1);
        assert_eq!(spooled(&[]), (vec![], true));
    }

    /// `ids` written aside in one chunk, then mapped back.
    fn mapped(ids: &[&str]) -> Strings {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::new(dir.path()).unwrap();
        assert!(spool.write(&strings(ids)));
        spool.finish().unwrap().0.map().unwrap()
    }

    #[test]
    fn ids_mapped_back_read_as_written_and_copy_into_memory() {
        let ids = ["L2", "中文", "", "L10", "a\u{301}"];
        let m = mapped(&ids);
        assert_eq!(m.len(), 5);
        assert_eq!(m.held_bytes(), 0, "nothing on the heap");
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(m.get(LenderCode::at(i)), *id);
        }
        let copy = m.clone();
        assert_eq!(copy.held_bytes(), "L2中文L10a\u{301}".len() + 5 * 8);
        assert_eq!(copy.get(LenderCode::at(1)), "中文");
        // Ids all empty have no text to map: read instead. None at all: nothing.
        let empty = mapped(&["", ""]);
        assert_eq!((empty.len(), empty.get(LenderCode::at(1))), (2, ""));
        assert!(mapped(&[]).is_empty());
    }

    #[test]
    fn mapped_ends_that_do_not_rise_within_the_text_are_refused() {
        let map = |bytes: &[u8]| {
            let mut m = memmap2::MmapMut::map_anon(bytes.len().max(1)).unwrap();
            m[..bytes.len()].copy_from_slice(bytes);
            m.make_read_only().unwrap()
        };
        let ends = |e: &[u64]| e.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
        assert!(Mapped::new(map(b"abc"), map(&ends(&[1, 3]))).is_some());
        assert!(Mapped::new(map(b"abc"), map(&ends(&[2, 1]))).is_none());
        assert!(Mapped::new(map(b"abc"), map(&ends(&[1, 9]))).is_none());
        assert!(Mapped::new(map(b"abc"), map(&[1, 0, 0])).is_none());
    }

    #[test]
    fn ends_beyond_a_megabyte_read_back_in_pieces() {
        // 300,000 ends: 2.4 MB, read a megabyte at a time.
        let ids: Vec<String> = (0..300_000).map(|i| format!("L{i:07}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let chunks: Vec<&[&str]> = refs.chunks(70_000).collect();
        let (back, ascending) = spooled(&chunks);
        assert!(ascending);
        assert_eq!(back, ids);
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_error_naming_it() {
        let missing = std::env::temp_dir().join("winddown-no-such-folder-for-lender-ids");
        let e = Spool::new(&missing).err().expect("no folder");
        assert!(e.to_string().contains("winddown-no-such-folder"), "{e}");
    }
}
