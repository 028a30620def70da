//! The input files' SHA-256 for the manifest, taken while the command reads them instead of
//! by reading every file again at the end.
//!
//! A CSV file is hashed from the very bytes its reader streams ([`Hashed`]), on a thread beside
//! the reader — or, for a large one read past the page cache, by the thread that reads it
//! (`super::direct`); both take it through a [`Taker`], the first reader of the file. Hashing
//! it by reading it a second time on a thread of its own, as before, read every byte twice from
//! disk once the files outgrow the page cache: a national CSV run (24.7 GB of files beside a
//! 7 GB run) read 62 GB. A Parquet or Excel file, read in pieces and out of
//! order, is hashed on a thread of its own while the command reads it ([`hash_inputs`]); those
//! files are a fifth of the text's size and stay cached.
//!
//! A hash not taken either way — a file not read to its end, a read that failed — is not
//! guessed: [`take`] says `None` and the manifest reads the file.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};

use sha2::{Digest, Sha256};

/// A file's SHA-256, raw.
pub type Sha = [u8; 32];

/// Bytes handed to the hashing thread at a time.
const CHUNK: usize = 1 << 20;
/// Chunks in flight between a reader and its hashing thread.
const IN_FLIGHT: usize = 4;

enum Wanted {
    /// To be hashed by its reader as it streams the file.
    AsRead,
    /// Being hashed: the hash comes here, or nothing if the file was not read to its end.
    Coming(Receiver<Option<Sha>>),
}

static WANTED: std::sync::Mutex<BTreeMap<PathBuf, Wanted>> = std::sync::Mutex::new(BTreeMap::new());

fn wanted() -> std::sync::MutexGuard<'static, BTreeMap<PathBuf, Wanted>> {
    WANTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Hash the input files for the manifest of the command about to read them: each
/// `(path, streamed)` either by its reader as it streams it (`streamed`: CSV) or on a thread of
/// its own beside the reading.
pub fn hash_inputs(files: impl IntoIterator<Item = (PathBuf, bool)>) {
    let mut wanted = wanted();
    let mut beside = Vec::new();
    for (path, streamed) in files {
        if wanted.contains_key(&path) {
            continue;
        }
        if streamed {
            wanted.insert(path, Wanted::AsRead);
        } else {
            let (send, receive) = std::sync::mpsc::sync_channel(1);
            wanted.insert(path.clone(), Wanted::Coming(receive));
            beside.push((path, send));
        }
    }
    if !beside.is_empty() {
        std::thread::spawn(move || {
            for (path, send) in beside {
                let _ = send.send(read_whole(&path));
            }
        });
    }
}

/// A file's hash, read from its start to its end; `None` if it cannot be (the manifest's own
/// read then says why).
fn read_whole(path: &Path) -> Option<Sha> {
    let file = std::fs::File::open(path).ok()?;
    // Read a megabyte at a time, not in the copy's 8 KB pieces.
    let mut f = Hashed::hashing(std::io::BufReader::with_capacity(CHUNK, file));
    std::io::copy(&mut f, &mut std::io::sink()).ok()?;
    f.hashed()
}

/// The hash of an input file taken while it was read (waiting for it if it is still being
/// taken), or `None` if it was not: the file was never read to its end, or not asked for.
pub fn take(path: &Path) -> Option<Sha> {
    let taken = wanted().remove(path);
    match taken {
        Some(Wanted::Coming(receive)) => receive.recv().ok().flatten(),
        Some(Wanted::AsRead) | None => None,
    }
}

/// A reader that hashes the bytes it passes on, for the manifest, when [`hash_inputs`] asked
/// for the file's hash to be taken as it is read (the first reader of the file takes it; the
/// others pass the bytes on untouched). The hash counts only when the file is read from its
/// first byte to its end through this reader.
pub struct Hashed<R> {
    inner: R,
    tee: Option<Tee>,
    /// The hash, once the end is reached and no thread took it (`Hashed::hashing`).
    own: Option<Own>,
}

/// Hashing on the reader's own thread.
struct Own {
    hasher: Sha256,
    done: Option<Sha>,
}

/// The reader's side of its hashing thread.
struct Tee {
    send: SyncSender<Vec<u8>>,
    spare: Receiver<Vec<u8>>,
    buf: Vec<u8>,
}

/// The taking of a file's hash by the reader that reads it from its first byte to its end:
/// the bytes given to [`Taker::update`] in order, then [`Taker::finish`]. Dropped unfinished
/// (a read stopped early: a look at the first rows, a wager lost), it gives no hash and the
/// next reader of the file may take it.
pub struct Taker {
    hasher: Sha256,
    send: SyncSender<Option<Sha>>,
    path: PathBuf,
    finished: bool,
}

impl Taker {
    /// The hash of the file at `path` to be taken by its caller's reading, if [`hash_inputs`]
    /// wants it taken as read and no reader has taken it yet.
    pub fn claim(path: &Path) -> Option<Taker> {
        let mut wanted = wanted();
        match wanted.get(path) {
            Some(Wanted::AsRead) => {
                let (send, receive) = std::sync::mpsc::sync_channel(1);
                wanted.insert(path.to_path_buf(), Wanted::Coming(receive));
                Some(Taker {
                    hasher: Sha256::new(),
                    send,
                    path: path.to_path_buf(),
                    finished: false,
                })
            }
            _ => None,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }

    /// The end of the file reached: the hash is the manifest's.
    pub fn finish(mut self) {
        let hash = std::mem::take(&mut self.hasher).finalize().into();
        let _ = self.send.send(Some(hash));
        self.finished = true;
    }
}

impl Drop for Taker {
    fn drop(&mut self) {
        if !self.finished {
            // Still wanted as read, by whichever reader reads the file next from its start.
            wanted().insert(std::mem::take(&mut self.path), Wanted::AsRead);
        }
    }
}

impl<R: Read> Hashed<R> {
    /// `inner`, the file at `path` opened and not yet read, hashed on a thread beside the
    /// reader if its hash is wanted as it is read.
    pub fn new(path: &Path, inner: R) -> Hashed<R> {
        Hashed {
            inner,
            tee: Taker::claim(path).map(Tee::start),
            own: None,
        }
    }

    /// `inner` hashed on the reader's own thread; [`Hashed::hashed`] once it is read.
    fn hashing(inner: R) -> Hashed<R> {
        Hashed {
            inner,
            tee: None,
            own: Some(Own {
                hasher: Sha256::new(),
                done: None,
            }),
        }
    }

    fn hashed(&self) -> Option<Sha> {
        self.own.as_ref().and_then(|own| own.done)
    }
}

impl<R: Read> Read for Hashed<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        let end = n == 0 && !out.is_empty();
        if let Some(tee) = self.tee.as_mut() {
            let going = if end {
                tee.finish()
            } else {
                tee.add(&out[..n])
            };
            if end || !going {
                self.tee = None;
            }
        }
        if let Some(own) = self.own.as_mut() {
            if end {
                // Once: a read after the end must not replace the hash with an empty one's.
                if own.done.is_none() {
                    own.done = Some(std::mem::take(&mut own.hasher).finalize().into());
                }
            } else {
                own.hasher.update(&out[..n]);
            }
        }
        Ok(n)
    }
}

impl Tee {
    /// A hashing thread giving its hash to `taker` once [`Tee::finish`] has been called, and
    /// nothing if the tee is dropped before.
    fn start(mut taker: Taker) -> Tee {
        let (send, chunks) = std::sync::mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT);
        let (give_back, spare) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for mut chunk in chunks {
                // An empty chunk is the end of the file.
                if chunk.is_empty() {
                    taker.finish();
                    return;
                }
                taker.update(&chunk);
                chunk.clear();
                let _ = give_back.send(chunk);
            }
            // The reader stopped before the end: no hash (the taker is dropped unfinished).
        });
        Tee {
            send,
            spare,
            buf: Vec::with_capacity(CHUNK),
        }
    }

    /// Pass bytes on to the thread; false if it is gone.
    fn add(&mut self, bytes: &[u8]) -> bool {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() < CHUNK {
            return true;
        }
        let next = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        self.send
            .send(std::mem::replace(&mut self.buf, next))
            .is_ok()
    }

    /// The end of the file: the last bytes, then the mark of the end.
    fn finish(&mut self) -> bool {
        let last = std::mem::take(&mut self.buf);
        (last.is_empty() || self.send.send(last).is_ok()) && self.send.send(Vec::new()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> Sha {
        Sha256::digest(bytes).into()
    }

    fn file_of(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    /// Bytes read in uneven pieces, across chunk boundaries.
    fn read_in_pieces(r: &mut impl Read, sizes: &[usize]) -> Vec<u8> {
        let mut got = Vec::new();
        let mut buf = vec![0; 1 << 16];
        for &size in sizes.iter().cycle() {
            let n = r.read(&mut buf[..size]).unwrap();
            if n == 0 && size > 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        got
    }

    #[test]
    fn a_file_read_to_its_end_is_hashed_as_read() {
        let bytes: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
        let (_dir, path) = file_of(&bytes);
        hash_inputs([(path.clone(), true)]);
        let mut r = Hashed::new(&path, std::fs::File::open(&path).unwrap());
        assert!(r.tee.is_some());
        // A second reader of the same file passes it on untouched.
        let second = Hashed::new(&path, std::fs::File::open(&path).unwrap());
        assert!(second.tee.is_none());
        assert_eq!(read_in_pieces(&mut r, &[0, 1, 4096, 65536, 333]), bytes);
        assert_eq!(take(&path), Some(sha(&bytes)));
        // Taken once.
        assert_eq!(take(&path), None);
    }

    #[test]
    fn a_file_not_read_to_its_end_has_no_hash() {
        let bytes = vec![b'x'; CHUNK * 2];
        let (_dir, path) = file_of(&bytes);
        hash_inputs([(path.clone(), true)]);
        let mut r = Hashed::new(&path, std::fs::File::open(&path).unwrap());
        let mut head = vec![0; CHUNK + 5];
        r.read_exact(&mut head).unwrap();
        drop(r);
        assert_eq!(take(&path), None);
    }

    #[test]
    fn a_reader_that_stops_early_leaves_the_hash_to_the_next_reader() {
        let bytes = vec![b'y'; 1000];
        let (_dir, path) = file_of(&bytes);
        hash_inputs([(path.clone(), true)]);
        let mut first = Taker::claim(&path).expect("the first reader takes it");
        assert!(Taker::claim(&path).is_none(), "one reader at a time");
        first.update(&bytes[..10]);
        drop(first);
        let mut second = Taker::claim(&path).expect("given back unfinished");
        second.update(&bytes);
        second.finish();
        assert!(Taker::claim(&path).is_none(), "taken");
        assert_eq!(take(&path), Some(sha(&bytes)));
    }

    #[test]
    fn a_file_not_asked_for_is_not_hashed() {
        let (_dir, path) = file_of(b"a,b\n1,2\n");
        let mut r = Hashed::new(&path, std::fs::File::open(&path).unwrap());
        assert!(r.tee.is_none());
        assert_eq!(read_in_pieces(&mut r, &[3]), b"a,b\n1,2\n");
        assert_eq!(take(&path), None);
    }

    #[test]
    fn files_read_out_of_order_are_hashed_beside_the_reading() {
        let (_dir, path) = file_of(b"PAR1 whatever");
        let (_dir2, empty) = file_of(b"");
        hash_inputs([(path.clone(), false), (empty.clone(), false)]);
        assert_eq!(take(&path), Some(sha(b"PAR1 whatever")));
        assert_eq!(take(&empty), Some(sha(b"")));
    }
}
