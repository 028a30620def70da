//! The lenders' ids set aside in the temporary folder while the investments are read.
//!
//! Nothing reads the ids' text then — an investment finds its lender by the id's fingerprint,
//! and a reject quotes the investments file's own cell — yet at national scale it is 0.9 GB of
//! the validator's peak, beside the position tables that fill. So once the lenders are read
//! and ranked in the byte order of their ids, a large text is written to an anonymous file of
//! the temporary folder (`TMPDIR`; the system removes it when it is closed, whatever becomes
//! of the run) and read back whole when the investments are done. Small texts stay where they
//! are.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::data::Lenders;
use crate::input::ids::Strings;
use crate::write_behind::WriteBehind;

/// Texts smaller than this stay in memory: at this size and below the file would save little.
pub const SET_ASIDE_FROM: usize = 256 << 20;

/// The lenders' ids, written out: read back by [`SetAside::restore`].
#[derive(Debug)]
pub struct SetAside {
    file: File,
    /// Where the file was made, for an error.
    folder: PathBuf,
    text_bytes: u64,
    strings: u64,
}

impl SetAside {
    /// The lenders' ids written to a file in `folder` and taken from `lenders` when they take
    /// `at_least` bytes or more; `None` (and nothing done) below.
    pub fn lenders_ids(
        lenders: &mut Lenders,
        folder: &Path,
        at_least: usize,
    ) -> Result<Option<SetAside>> {
        if lenders.ids.bytes() < at_least {
            return Ok(None);
        }
        let io = |e| Error::io(folder, e);
        let file = tempfile::tempfile_in(folder).map_err(io)?;
        let (text, ends) = std::mem::take(&mut lenders.ids).into_parts();
        // Written behind (`write_behind`): clean pages by the time the investments' tables
        // fill, which a memory limit can drop at once, not 0.85 GB of dirty ones to wait for.
        let written = (|| -> std::io::Result<()> {
            let mut out = BufWriter::with_capacity(1 << 20, WriteBehind::new(file.try_clone()?));
            out.write_all(&text)?;
            for end in &ends {
                out.write_all(&end.to_le_bytes())?;
            }
            out.into_inner().map_err(|e| e.into_error())?.finish();
            Ok(())
        })();
        let aside = SetAside {
            file,
            folder: folder.to_path_buf(),
            text_bytes: text.len() as u64,
            strings: ends.len() as u64,
        };
        if let Err(e) = written {
            // Put back what was taken: the caller's error leaves the lenders as they were.
            lenders.ids = Strings::from_parts(text, ends).unwrap_or_default();
            return Err(io(e));
        }
        drop((text, ends));
        crate::memory::give_back();
        Ok(Some(aside))
    }

    /// The ids read back into `lenders`.
    pub fn restore(self, lenders: &mut Lenders) -> Result<()> {
        let damaged = || {
            Error::Internal(format!(
                "the lenders' ids set aside in {} did not read back as written",
                self.folder.display()
            ))
        };
        let io = |e| Error::io(&self.folder, e);
        let mut file = &self.file;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut input = BufReader::with_capacity(1 << 20, file);
        let text_len = usize::try_from(self.text_bytes).map_err(|_| damaged())?;
        let count = usize::try_from(self.strings).map_err(|_| damaged())?;
        let mut text = vec![0u8; text_len];
        input.read_exact(&mut text).map_err(io)?;
        let mut ends = Vec::with_capacity(count);
        let mut word = [0u8; 8];
        for _ in 0..count {
            input.read_exact(&mut word).map_err(io)?;
            ends.push(u64::from_le_bytes(word));
        }
        lenders.ids = Strings::from_parts(text, ends).ok_or_else(damaged)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{SetAside, SET_ASIDE_FROM};
    use crate::domain::code::{Code, LenderCode};
    use crate::input::data::Lenders;

    fn lenders(ids: &[&str]) -> Lenders {
        let mut l = Lenders::default();
        for id in ids {
            l.ids.push(id);
        }
        l.rank = l.ids.byte_order();
        l
    }

    #[test]
    fn ids_set_aside_come_back_in_their_order() {
        let ids = ["L2", "中文", "", "L10", "a\u{301}"];
        let mut l = lenders(&ids);
        let dir = tempfile::tempdir().unwrap();
        let aside = SetAside::lenders_ids(&mut l, dir.path(), 0)
            .unwrap()
            .expect("set aside at any size");
        assert!(l.ids.is_empty());
        // The file is anonymous: nothing is left in the folder to clean up.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        aside.restore(&mut l).unwrap();
        for (code, id) in ids.iter().enumerate() {
            assert_eq!(l.ids.get(LenderCode::at(code)), *id);
        }
        // The ranks still fit the ids: "" < "L10" < "L2" < "a´" < "中文" in byte order.
        let mut sorted: Vec<&str> = ids.to_vec();
        sorted.sort_by_key(|id| {
            let code = ids.iter().position(|x| x == id).unwrap();
            l.rank[LenderCode::at(code)]
        });
        assert_eq!(sorted, ["", "L10", "L2", "a\u{301}", "中文"]);
    }

    #[test]
    fn small_texts_stay() {
        let mut l = lenders(&["L1", "L2"]);
        let dir = tempfile::tempdir().unwrap();
        assert!(SetAside::lenders_ids(&mut l, dir.path(), SET_ASIDE_FROM)
            .unwrap()
            .is_none());
        assert_eq!(l.ids.len(), 2);
    }

    #[test]
    fn a_folder_that_cannot_be_written_is_an_error_naming_it_and_the_ids_stay() {
        let mut l = lenders(&["L1", "L2"]);
        let missing = std::env::temp_dir().join("winddown-no-such-folder-for-lender-ids");
        let e = SetAside::lenders_ids(&mut l, &missing, 0).unwrap_err();
        assert!(e.to_string().contains("winddown-no-such-folder"), "{e}");
        assert_eq!(l.ids.get(LenderCode::at(1)), "L2");
    }
}
