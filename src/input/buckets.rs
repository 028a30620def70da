//! Records spilled by bucket: one file per bucket in the temporary folder, each with no name.
//!
//! Work that gathers rows under a key it can only finish at the end of a table — the repeated
//! investment ids ([`super::repeats`]), the borrowers of a platform
//! ([`super::validate`]'s borrowers) — holds its records in buckets while they are few and
//! appends each bucket to a file of its own beyond that; at the end each bucket is read back
//! and finished on its own, so the memory is one bucket's whatever the scale. The files have no
//! name: nothing is left behind however the run ends (a folder of named files outlived a run
//! stopped with Ctrl-C or killed).
//!
//! Each write-out's pieces are handed to the disk as they are appended, and the write-out
//! before waited for ([`Pieces`]): left to the kernel's own pace they would be dirty pages a
//! memory limit counts and cannot drop (4.2 GB of repeated-id records at national scale).

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::write_behind::Pieces;

/// The buckets' files, each made when it is first appended to.
pub struct BucketFiles {
    files: Vec<Option<File>>,
    /// Bytes written to each file.
    lengths: Vec<u64>,
    pieces: Pieces,
    folder: PathBuf,
}

impl BucketFiles {
    /// `buckets` files, none made yet, to be made in `folder`.
    pub fn new(folder: &Path, buckets: usize) -> BucketFiles {
        BucketFiles {
            files: (0..buckets).map(|_| None).collect(),
            lengths: vec![0; buckets],
            pieces: Pieces::default(),
            folder: folder.to_path_buf(),
        }
    }

    /// Where the files are made (for an error's message).
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Append `bytes` to `bucket`'s file.
    pub fn append(&mut self, bucket: usize, bytes: &[u8]) -> std::io::Result<()> {
        let file = match &mut self.files[bucket] {
            Some(file) => file,
            none => none.insert(tempfile::tempfile_in(&self.folder)?),
        };
        file.write_all(bytes)?;
        self.pieces
            .wrote(bucket, self.lengths[bucket], bytes.len() as u64);
        self.lengths[bucket] += bytes.len() as u64;
        Ok(())
    }

    /// Hand this write-out's pieces to the disk, and wait for the last one's.
    pub fn behind(&mut self) {
        let files = &self.files;
        self.pieces.behind(|b| files[b].as_ref());
    }

    /// The bytes of `bucket`'s file, in the order written (none if nothing was).
    pub fn read(&self, bucket: usize) -> std::io::Result<Vec<u8>> {
        let Some(file) = &self.files[bucket] else {
            return Ok(Vec::new());
        };
        let len = usize::try_from(self.lengths[bucket]).map_err(std::io::Error::other)?;
        let mut bytes = vec![0; len];
        file.read_exact_at(&mut bytes, 0)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bucket_reads_back_what_was_appended_to_it_and_nothing_is_named() {
        let folder = tempfile::tempdir().unwrap();
        let mut files = BucketFiles::new(folder.path(), 3);
        files.append(2, b"abc").unwrap();
        files.append(0, b"x").unwrap();
        files.behind();
        files.append(2, b"de").unwrap();
        files.behind();
        assert_eq!(files.read(0).unwrap(), b"x");
        assert_eq!(files.read(1).unwrap(), b"");
        assert_eq!(files.read(2).unwrap(), b"abcde");
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_folder_that_cannot_be_written_fails_the_append() {
        let mut files = BucketFiles::new(Path::new("/nonexistent/winddown-buckets"), 1);
        assert!(files.append(0, b"x").is_err());
    }
}
