//! A large text file read from disk ahead of its reader, past the page cache.
//!
//! A national CSV run reads 40 GB of text (the investments twice) beside 7 GB of its own
//! memory: the files do not stay in the page cache, so every byte comes from disk into a cache
//! page and is copied from there to the reader — a tenth of the run's CPU time went to that
//! copy, and the cache pages pressed on the run's memory (under a memory limit they are counted
//! in it). A file of [`DIRECT_BYTES`] or more is instead read with `O_DIRECT`: the disk writes
//! into this reader's own buffers, a few megabytes ahead of the tokenizer on a thread of its
//! own, which also hashes the bytes for the manifest when they are wanted ([`hashes::Taker`]).
//! A province's files (0.4–1.4 GB) gain as much: read through the cache by the tokenizer
//! itself, a cold file stalled it at every read the disk had not done yet (the run 16.6–17.9 s
//! from a cold cache against 14.5 s read ahead), and a warm one cost the copy (system time
//! 2.2–3.1 s against 1.6 s). A file read a second time (the investments after a lost wager on
//! their order) comes from the disk again — here at 1.7 GB/s, several times the tokenizer's pace.
//!
//! Where the file system does not read that way (`O_DIRECT` refused when opening or reading,
//! as on tmpfs), the same thread reads the file through the page cache from where it was.
//! Either way the bytes are the file's, in order; the hash is taken only when the thread read
//! the file to its end.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use super::hashes;

/// Files of this size or more are read this way (or `WINDDOWN_DIRECT_READ_BYTES`, for tests):
/// a smaller one (a platforms' or recoveries' table) is read in a moment either way.
pub const DIRECT_BYTES: u64 = 64 << 20;

/// Bytes a read asks for; a multiple of every block size `O_DIRECT` may require.
const CHUNK: usize = 4 << 20;
/// Alignment of a chunk's buffer and of every read's offset under `O_DIRECT`.
const ALIGN: usize = 4096;
/// Chunks read ahead of the reader.
const AHEAD: usize = 4;

/// Whether a file of `size` bytes is read by [`Ahead`].
pub fn wanted(size: u64) -> bool {
    size >= crate::memory::size_from_env("WINDDOWN_DIRECT_READ_BYTES", DIRECT_BYTES)
}

/// A chunk read: its buffer and the bytes of it that were read.
struct Chunk {
    buf: Vec<u8>,
    start: usize,
    len: usize,
}

impl Chunk {
    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.len]
    }
}

/// A file read ahead on a thread of its own; `Read` hands its bytes over in order.
pub struct Ahead {
    chunks: Option<Receiver<std::io::Result<Chunk>>>,
    spare: Sender<Vec<u8>>,
    current: Option<Chunk>,
    /// Bytes of `current` handed over.
    taken: usize,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Ahead {
    /// Open `path` and start reading it; its hash for the manifest taken on the way when
    /// `hash` is given. The open's error is returned here, a read's by `read`.
    pub fn open(path: &Path, hash: Option<hashes::Taker>) -> std::io::Result<Ahead> {
        let (file, direct) = open_direct(path)?;
        let (send, chunks) = std::sync::mpsc::sync_channel(AHEAD);
        let (spare, spares) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            let reading = Reading {
                file,
                direct,
                offset: 0,
            };
            reading.run(&send, &spares, hash);
        });
        Ok(Ahead {
            chunks: Some(chunks),
            spare,
            current: None,
            taken: 0,
            worker: Some(worker),
        })
    }
}

/// `path` opened with `O_DIRECT` (true), or through the page cache where that is refused.
fn open_direct(path: &Path) -> std::io::Result<(File, bool)> {
    match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)
    {
        Ok(f) => Ok((f, true)),
        Err(_) => Ok((File::open(path)?, false)),
    }
}

/// The reading thread's state.
struct Reading {
    file: File,
    /// Still reading with `O_DIRECT`.
    direct: bool,
    offset: u64,
}

impl Reading {
    fn run(
        mut self,
        send: &SyncSender<std::io::Result<Chunk>>,
        spares: &Receiver<Vec<u8>>,
        mut hash: Option<hashes::Taker>,
    ) {
        loop {
            let buf = spares.try_recv().unwrap_or_else(|_| vec![0; CHUNK + ALIGN]);
            let chunk = match self.next(buf) {
                Ok(chunk) => chunk,
                Err(e) => {
                    let _ = send.send(Err(e));
                    return;
                }
            };
            if chunk.len == 0 {
                if let Some(taker) = hash.take() {
                    taker.finish();
                }
                return;
            }
            if let Some(taker) = hash.as_mut() {
                taker.update(chunk.bytes());
            }
            if send.send(Ok(chunk)).is_err() {
                // The reader is gone: no hash (the taker is dropped unfinished).
                return;
            }
        }
    }

    /// The next chunk of the file (empty at its end).
    fn next(&mut self, mut buf: Vec<u8>) -> std::io::Result<Chunk> {
        buf.resize(CHUNK + ALIGN, 0);
        let start = buf.as_ptr().align_offset(ALIGN).min(ALIGN);
        loop {
            if self.direct && self.offset % ALIGN as u64 != 0 {
                // After a short read the offset is off the blocks' grid: read on buffered.
                self.buffered()?;
            }
            let place = &mut buf[start..start + CHUNK];
            match self.file.read_at(place, self.offset) {
                Ok(n) => {
                    self.offset += n as u64;
                    return Ok(Chunk { buf, start, len: n });
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // O_DIRECT refused on this file system (or for this alignment): read on
                // through the page cache from the same place.
                Err(e) if self.direct && e.raw_os_error() == Some(libc::EINVAL) => {
                    self.buffered()?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Read on without `O_DIRECT` (the same open file: its flag turned off).
    fn buffered(&mut self) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        let fd = self.file.as_raw_fd();
        // SAFETY: `fd` is this open file's descriptor for the calls' duration; F_GETFL and
        // F_SETFL read and set its status flags only.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        self.direct = false;
        Ok(())
    }
}

impl Read for Ahead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(chunk) = &self.current {
                let rest = &chunk.bytes()[self.taken..];
                if !rest.is_empty() {
                    let n = rest.len().min(out.len());
                    out[..n].copy_from_slice(&rest[..n]);
                    self.taken += n;
                    return Ok(n);
                }
                if let Some(done) = self.current.take() {
                    let _ = self.spare.send(done.buf);
                }
            }
            let Some(chunks) = &self.chunks else {
                return Ok(0);
            };
            match chunks.recv() {
                Ok(Ok(chunk)) => {
                    self.current = Some(chunk);
                    self.taken = 0;
                }
                Ok(Err(e)) => {
                    self.chunks = None;
                    return Err(e);
                }
                // The thread ended: the end of the file.
                Err(_) => {
                    self.chunks = None;
                    return Ok(0);
                }
            }
        }
    }
}

impl Drop for Ahead {
    fn drop(&mut self) {
        // Stop the thread at its next chunk (its send fails), then wait for it.
        self.chunks = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    /// Bytes unlike their neighbours, so a chunk out of place or read twice shows.
    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 4096) as u8).collect()
    }

    fn file_of(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    /// Every byte in order, read in pieces of uneven sizes, at the edges of blocks and
    /// chunks: an empty file, below, at and above a block, below, at and above a chunk.
    #[test]
    fn a_file_reads_whole_and_in_order_whatever_its_size() {
        for n in [
            0,
            1,
            ALIGN - 1,
            ALIGN,
            ALIGN + 1,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK + 5,
        ] {
            let bytes = pattern(n);
            let (_dir, path) = file_of(&bytes);
            let mut r = Ahead::open(&path, None).unwrap();
            let mut got = Vec::new();
            let mut piece = vec![0; 1_000_003];
            loop {
                let k = r.read(&mut piece[..(got.len() % 3 + 1) * 333_331]).unwrap();
                if k == 0 {
                    break;
                }
                got.extend_from_slice(&piece[..k]);
            }
            assert!(got == bytes, "{n} bytes read back differ");
            // After the end, the end again.
            assert_eq!(r.read(&mut piece).unwrap(), 0);
        }
    }

    /// A read that leaves the blocks' grid (a short read, or a start off it) goes on through
    /// the page cache from the same place.
    #[test]
    fn off_the_grid_the_reading_goes_on_buffered() {
        let bytes = pattern(3 * ALIGN);
        let (_dir, path) = file_of(&bytes);
        let (file, direct) = open_direct(&path).unwrap();
        let mut reading = Reading {
            file,
            direct,
            offset: 5,
        };
        let chunk = reading.next(Vec::new()).unwrap();
        assert_eq!(chunk.bytes(), &bytes[5..]);
        assert!(!reading.direct);
        assert_eq!(reading.next(chunk.buf).unwrap().len, 0);
    }

    /// The hash is the file's when the thread read it to its end; none when the reader was
    /// dropped while the thread still had chunks to read.
    #[test]
    fn the_hash_is_taken_only_when_the_file_is_read_to_its_end() {
        let bytes = pattern(CHUNK * (AHEAD + 4) + 17);
        let (_dir, path) = file_of(&bytes);
        hashes::hash_inputs([(path.clone(), true)]);
        let mut r = Ahead::open(&path, hashes::Taker::claim(&path)).unwrap();
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        drop(r);
        let want: hashes::Sha = sha2::Sha256::digest(&bytes).into();
        assert_eq!(hashes::take(&path), Some(want));

        hashes::hash_inputs([(path.clone(), true)]);
        let taker = hashes::Taker::claim(&path);
        assert!(taker.is_some());
        // Claimed once: a second reader of the file does not hash it.
        assert!(hashes::Taker::claim(&path).is_none());
        let mut r = Ahead::open(&path, taker).unwrap();
        let mut first = [0u8; 10];
        r.read_exact(&mut first).unwrap();
        assert_eq!(first, bytes[..10]);
        drop(r);
        assert_eq!(hashes::take(&path), None);
    }

    #[test]
    fn a_missing_file_is_an_error_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let e = Ahead::open(&dir.path().join("none.csv"), None)
            .err()
            .unwrap();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    }
}
