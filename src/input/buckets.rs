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

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::write_behind::Pieces;

/// A record of fixed size, as written to a bucket's file.
pub trait Record: Sized + Send {
    /// Its bytes in the file.
    const BYTES: usize;
    /// Append its [`Record::BYTES`] bytes to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    /// Read one back from exactly [`Record::BYTES`] bytes.
    fn decode(bytes: &[u8]) -> Self;
}

/// Records by bucket: held in memory up to a number of them, then every bucket appended to its
/// file, and so on; [`Buckets::finish`] hands each bucket's records, in the order added, to
/// work done a bucket at a time on each core.
pub struct Buckets<T> {
    held: Vec<Vec<T>>,
    /// Records in `held`.
    count: usize,
    /// Records held before a write-out.
    limit: usize,
    files: Option<BucketFiles>,
    folder: PathBuf,
    /// The first error writing a file: the records are held from then on, and the error is
    /// told by [`Buckets::finish`].
    failed: Option<std::io::Error>,
}

impl<T: Record> Buckets<T> {
    /// `buckets` empty buckets holding `limit` records (at least one) before they are written
    /// to files made in `folder`.
    pub fn new(buckets: usize, limit: usize, folder: PathBuf) -> Buckets<T> {
        Buckets {
            held: (0..buckets).map(|_| Vec::new()).collect(),
            count: 0,
            limit: limit.max(1),
            files: None,
            folder,
            failed: None,
        }
    }

    /// Whether any record was written to a file.
    pub fn written(&self) -> bool {
        self.files.is_some()
    }

    /// Add `record` to `bucket`.
    #[inline]
    pub fn push(&mut self, bucket: usize, record: T) {
        self.held[bucket].push(record);
        self.count += 1;
        if self.count >= self.limit && self.failed.is_none() {
            if let Err(e) = self.write_out() {
                self.failed = Some(e);
            }
        }
    }

    /// Append every bucket held to its file.
    fn write_out(&mut self) -> std::io::Result<()> {
        let buckets = self.held.len();
        let files = self
            .files
            .get_or_insert_with(|| BucketFiles::new(&self.folder, buckets));
        let mut bytes = Vec::new();
        for (b, bucket) in self.held.iter_mut().enumerate() {
            if bucket.is_empty() {
                continue;
            }
            bytes.clear();
            for record in bucket.drain(..) {
                record.encode(&mut bytes);
            }
            files.append(b, &bytes)?;
            bucket.shrink_to(self.limit / buckets * 2);
        }
        files.behind();
        self.count = 0;
        Ok(())
    }

    /// `work` on each bucket's records in the order they were added (those written out, then
    /// those held), a bucket at a time on each core; the files are closed. An error writing or
    /// reading a file names the folder.
    pub fn finish<R: Send>(mut self, work: impl Fn(Vec<T>) -> R + Sync) -> Result<Vec<R>> {
        if let Some(e) = self.failed.take() {
            return Err(Error::io(&self.folder, e));
        }
        let files = self.files.take();
        let held = std::mem::take(&mut self.held);
        let done: std::io::Result<Vec<R>> = held
            .into_par_iter()
            .enumerate()
            .with_max_len(1)
            .map(|(b, held)| {
                let mut records: Vec<T> = match &files {
                    Some(files) => files
                        .read(b)?
                        .chunks_exact(T::BYTES)
                        .map(T::decode)
                        .collect(),
                    None => Vec::new(),
                };
                records.extend(held);
                Ok(work(records))
            })
            .collect();
        done.map_err(|e| Error::io(&self.folder, e))
    }
}

/// The buckets' files, each made when it is first appended to.
struct BucketFiles {
    files: Vec<Option<File>>,
    /// Bytes written to each file.
    lengths: Vec<u64>,
    pieces: Pieces,
    folder: PathBuf,
}

impl BucketFiles {
    /// `buckets` files, none made yet, to be made in `folder`.
    fn new(folder: &Path, buckets: usize) -> BucketFiles {
        BucketFiles {
            files: (0..buckets).map(|_| None).collect(),
            lengths: vec![0; buckets],
            pieces: Pieces::default(),
            folder: folder.to_path_buf(),
        }
    }

    /// Append `bytes` to `bucket`'s file.
    fn append(&mut self, bucket: usize, bytes: &[u8]) -> std::io::Result<()> {
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
    fn behind(&mut self) {
        let files = &self.files;
        self.pieces.behind(|b| files[b].as_ref());
    }

    /// The bytes of `bucket`'s file, in the order written (none if nothing was).
    fn read(&self, bucket: usize) -> std::io::Result<Vec<u8>> {
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

    impl Record for u16 {
        const BYTES: usize = 2;
        fn encode(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.to_le_bytes());
        }
        fn decode(bytes: &[u8]) -> u16 {
            u16::from_le_bytes([bytes[0], bytes[1]])
        }
    }

    #[test]
    fn a_bucket_gives_its_records_in_the_order_added_whatever_was_written_out() {
        for limit in [0, 1, 2, 3, 100] {
            let folder = tempfile::tempdir().unwrap();
            let mut b: Buckets<u16> = Buckets::new(2, limit, folder.path().into());
            for v in 0..7u16 {
                b.push(usize::from(v % 2), v);
            }
            assert_eq!(b.written(), limit < 7, "limit {limit}");
            assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 0);
            let got = b.finish(|records| records).unwrap();
            assert_eq!(got, [vec![0, 2, 4, 6], vec![1, 3, 5]], "limit {limit}");
        }
    }

    #[test]
    fn a_write_error_is_told_when_finished_naming_the_folder() {
        let missing = std::env::temp_dir().join("winddown-no-such-folder-for-buckets");
        let mut b: Buckets<u16> = Buckets::new(1, 1, missing.clone());
        b.push(0, 7);
        b.push(0, 8);
        let e = b.finish(|records| records).unwrap_err();
        assert!(
            e.to_string().contains(&missing.display().to_string()),
            "{e}"
        );
    }

    #[test]
    fn a_folder_that_cannot_be_written_fails_the_append() {
        let mut files = BucketFiles::new(Path::new("/nonexistent/winddown-buckets"), 1);
        assert!(files.append(0, b"x").is_err());
    }
}
