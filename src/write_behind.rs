//! A large file written with its pages sent to the disk behind the writer, so that the unwritten
//! ("dirty") pages it leaves in the page cache stay bounded: the Parquet outputs, and what is
//! written to the temporary folder — the lenders' ids set aside while the investments are read,
//! the positions written out beyond their budget, the repeated ids' buckets ([`Pieces`]).
//!
//! Linux lets dirty pages build up to a tenth of the machine's memory before it starts writing
//! them out — 2.4 GB on a 24 GB machine — and they are memory the run holds: under a hard limit
//! (a cgroup, a container) they count against it, and they cannot be dropped until written.
//! The national run writes claims.parquet and payouts.parquet (3 GB together) at the moment its
//! own memory is highest; with the kernel's default a run of 7.6 GB was killed by a limit of
//! 8,000,000,000 bytes (docs/performance.md, 2026-12-05). Here each [`WINDOW`] written is
//! handed to the disk at once, and the writer waits for the window before it to be written,
//! so at most about two windows of a file are dirty at a time. On a disk faster than the
//! writer (a Parquet writer makes tens of MB a second) the wait finds the window written.
//!
//! Advice and waits only: the commit's fsync still makes every file durable. An error of the
//! calls here is met again, and reported, by that fsync; elsewhere than Linux nothing is done.

use std::fs::File;
use std::io::Write;

/// Bytes handed to the disk at a time.
pub const WINDOW: u64 = 32 << 20;

/// A file whose written bytes go to the disk a [`WINDOW`] behind the writer.
pub struct WriteBehind {
    file: File,
    /// Bytes written.
    written: u64,
    /// Bytes handed to the disk (a multiple of [`WINDOW`]).
    started: u64,
}

impl WriteBehind {
    /// A new file, to be written from its start and in order.
    pub fn new(file: File) -> WriteBehind {
        WriteBehind {
            file,
            written: 0,
            started: 0,
        }
    }

    /// The file back, the writeback of its last bytes started (not waited for).
    pub fn finish(self) -> File {
        start_from(&self.file, self.started);
        self.file
    }

    /// Hand each whole window written to the disk, and wait for the one before it.
    fn write_behind(&mut self) {
        while self.written - self.started >= WINDOW {
            start_and_wait(&self.file, self.started);
            self.started += WINDOW;
        }
    }
}

/// Ask the kernel to start writing a finished file's pages to the disk now, without waiting
/// for them: the commit's fsync then finds most of them written.
pub fn start_writeback(file: &File) {
    start_from(file, 0);
}

/// Files appended to a piece at a time, several at once (the repeated ids' buckets): each
/// piece handed to the disk as it is written, and the pieces before it waited for, so that
/// only the last two pieces' pages are dirty at a time — whatever the number of files.
#[derive(Debug, Default)]
pub struct Pieces {
    /// The pieces handed to the disk last: (file, first byte, bytes).
    started: Vec<(usize, u64, u64)>,
    /// The pieces written since.
    written: Vec<(usize, u64, u64)>,
}

impl Pieces {
    /// Note that bytes `from..from + len` of file `which` were written.
    pub fn wrote(&mut self, which: usize, from: u64, len: u64) {
        if len > 0 {
            self.written.push((which, from, len));
        }
    }

    /// Hand the pieces written since the last call to the disk, and wait for those of the
    /// call before it. `files` are the files by their number in [`Pieces::wrote`].
    pub fn behind<'a>(&mut self, files: impl Fn(usize) -> Option<&'a File>) {
        for &(which, from, len) in &self.written {
            if let Some(file) = files(which) {
                range(file, from, len, false);
            }
        }
        for &(which, from, len) in &self.started {
            if let Some(file) = files(which) {
                range(file, from, len, true);
            }
        }
        self.started = std::mem::take(&mut self.written);
    }
}

/// Start writing bytes `from..from + len` of a file, or (`wait`) wait until they are written.
fn range(file: &File, from: u64, len: u64, wait: bool) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let flags = if wait {
            libc::SYNC_FILE_RANGE_WAIT_BEFORE
                | libc::SYNC_FILE_RANGE_WRITE
                | libc::SYNC_FILE_RANGE_WAIT_AFTER
        } else {
            libc::SYNC_FILE_RANGE_WRITE
        };
        // SAFETY: `file` owns a valid descriptor for the call's duration; sync_file_range
        // starts or waits for writeback of the file's pages and touches no memory of ours.
        unsafe {
            libc::sync_file_range(
                file.as_raw_fd(),
                from as libc::off64_t,
                len as libc::off64_t,
                flags,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, from, len, wait);
}

/// Start writing the file's pages from byte `from` to its end.
fn start_from(file: &File, from: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: `file` owns a valid descriptor for the call's duration; the call only starts
        // writeback of its dirty pages (a length of 0: to the end of the file) and touches no
        // memory of ours.
        unsafe {
            libc::sync_file_range(
                file.as_raw_fd(),
                from as libc::off64_t,
                0,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, from);
}

/// Start writing the window at `at`, and wait until the window before it is written.
fn start_and_wait(file: &File, at: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        let window = WINDOW as libc::off64_t;
        // SAFETY: `file` owns a valid descriptor for the calls' duration; sync_file_range
        // starts or waits for writeback of the file's pages and touches no memory of ours.
        unsafe {
            libc::sync_file_range(fd, at as libc::off64_t, window, libc::SYNC_FILE_RANGE_WRITE);
            if let Some(before) = at.checked_sub(WINDOW) {
                libc::sync_file_range(
                    fd,
                    before as libc::off64_t,
                    window,
                    libc::SYNC_FILE_RANGE_WAIT_BEFORE
                        | libc::SYNC_FILE_RANGE_WRITE
                        | libc::SYNC_FILE_RANGE_WAIT_AFTER,
                );
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (file, at);
}

impl Write for WriteBehind {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        self.write_behind();
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_handed_on_then_waited_for_one_write_out_later() {
        let dir = tempfile::tempdir().unwrap();
        let mut files: Vec<File> = (0..2)
            .map(|_| tempfile::tempfile_in(dir.path()).unwrap())
            .collect();
        let mut pieces = Pieces::default();
        files[0].write_all(&[1; 10]).unwrap();
        files[1].write_all(&[2; 5]).unwrap();
        pieces.wrote(0, 0, 10);
        pieces.wrote(1, 0, 5);
        pieces.wrote(1, 5, 0);
        pieces.behind(|k| files.get(k));
        assert_eq!(pieces.started, [(0, 0, 10), (1, 0, 5)]);
        assert!(pieces.written.is_empty());
        files[0].write_all(&[3; 7]).unwrap();
        pieces.wrote(0, 10, 7);
        // A file the caller no longer has is passed over.
        pieces.wrote(5, 0, 1);
        pieces.behind(|k| files.get(k));
        assert_eq!(pieces.started, [(0, 10, 7), (5, 0, 1)]);
        let mut read = Vec::new();
        use std::io::{Read, Seek};
        files[0].seek(std::io::SeekFrom::Start(0)).unwrap();
        files[0].read_to_end(&mut read).unwrap();
        assert_eq!(read, [[1u8; 10].as_slice(), &[3; 7]].concat());
    }

    #[test]
    fn every_byte_written_is_in_the_file_across_windows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let mut w = WriteBehind::new(File::create(&path).unwrap());
        // Hand-checked: 2.5 windows in pieces of an odd size, so pieces straddle the windows'
        // edges; two windows are handed to the disk, the last half is left to the fsync.
        let piece: Vec<u8> = (0..1_000_003u32).map(|i| (i % 251) as u8).collect();
        let total = WINDOW * 5 / 2;
        let mut want = Vec::new();
        while (want.len() as u64) < total {
            let n = piece.len().min((total - want.len() as u64) as usize);
            w.write_all(&piece[..n]).unwrap();
            want.extend_from_slice(&piece[..n]);
        }
        assert_eq!(w.written, total);
        assert_eq!(w.started, 2 * WINDOW);
        w.finish().sync_all().unwrap();
        assert!(std::fs::read(&path).unwrap() == want);
    }
}
