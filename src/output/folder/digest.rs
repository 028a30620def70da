//! SHA-256 as lowercase hex: of bytes, and of a file streamed — the hashes of manifest.json,
//! the payment file, the bank batches and the register of issued transfers.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A writer that hashes what passes through it: a file's sha256 known when it is written,
/// without reading it again for the manifest.
pub struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: std::io::Write> Hashing<W> {
    pub fn new(inner: W) -> Hashing<W> {
        Hashing {
            inner,
            hasher: Sha256::new(),
        }
    }

    /// The writer back, and the sha256 of everything written through it.
    pub fn finish(self) -> (W, String) {
        (self.inner, hex(&self.hasher.finalize()))
    }
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_while_writing_is_hashing_what_was_written() {
        use std::io::Write;
        let mut w = Hashing::new(Vec::new());
        w.write_all(b"abc").unwrap();
        w.write_all(b"def").unwrap();
        let (bytes, hash) = w.finish();
        assert_eq!(bytes, b"abcdef");
        assert_eq!(hash, sha256(b"abcdef"));
    }
}
