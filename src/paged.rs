//! A column of plain values held in memory, or written out to a file of the temporary folder
//! and mapped back ([`Paged`]): its pages are then the page cache's, which a memory limit can
//! take back and read again from the file, not the heap's.
//!
//! The positions (16 bytes each: 1.6 GB at national scale, 3.2 GB at twice that) are read from
//! the end of the investments to the last export, nearly always in row order — the classes,
//! the exposure, the payouts and claims.parquet each walk them platform by platform. Held, they
//! take their whole size from memory while the exports need room for the lenders' ids, which
//! claims.parquet and payouts.parquet read in no order the disk likes; mapped, a walk's pages
//! come and go as it passes (docs/performance.md, "the positions paged out").

use std::fs::File;
use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::Path;

use crate::write_behind::WriteBehind;

/// A value that is its bytes: no padding, no pointer, alignment at most a page's.
///
/// # Safety
/// Every byte of a value is initialised (no padding), and the bytes of a value written by this
/// process read back as the same value.
pub unsafe trait Plain: Copy + 'static {}

// SAFETY: integers and arrays of them have no padding, and any bytes are one of their values.
unsafe impl Plain for u32 {}
unsafe impl Plain for [u32; 3] {}

/// A column of `T`, held or mapped. Reads as a slice either way.
pub struct Paged<T: Plain> {
    inner: Inner<T>,
}

enum Inner<T> {
    Held(Vec<T>),
    /// `len` values mapped from the file (the file goes when the mapping does: it has no name).
    Mapped {
        map: memmap2::Mmap,
        len: usize,
        _values: PhantomData<T>,
    },
}

impl<T: Plain> Paged<T> {
    /// A column held in memory.
    pub fn held(values: Vec<T>) -> Paged<T> {
        Paged {
            inner: Inner::Held(values),
        }
    }

    /// Whether the column is mapped from a file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner, Inner::Mapped { .. })
    }

    /// The bytes the column holds in memory (none once mapped).
    pub fn held_bytes(&self) -> usize {
        match &self.inner {
            Inner::Held(v) => v.capacity() * std::mem::size_of::<T>(),
            Inner::Mapped { .. } => 0,
        }
    }

    /// Write the column to a file with no name in `folder` and map it back, the memory held
    /// given back. A column of no values, or one mapped already, stays as it is. On an error
    /// the column stays held, as it was.
    pub fn page_out(&mut self, folder: &Path) -> std::io::Result<()> {
        let Inner::Held(values) = &self.inner else {
            return Ok(());
        };
        if values.is_empty() {
            return Ok(());
        }
        let file = tempfile::tempfile_in(folder)?;
        let mut out = BufWriter::with_capacity(1 << 20, WriteBehind::new(file.try_clone()?));
        out.write_all(bytes_of(values))?;
        let file: File = out.into_inner().map_err(|e| e.into_error())?.finish();
        // SAFETY: the file is this process's own — an anonymous temporary file no other process
        // can open — written in full above and never written again, so the mapping reads the
        // bytes of `values`; a page is at least as aligned as `T` (`Plain`).
        let map = unsafe { memmap2::Mmap::map(&file) }?;
        if map.len() != std::mem::size_of_val(values.as_slice()) {
            return Err(std::io::Error::other("a paged column read back short"));
        }
        // Walked in row order by every stage after the investments: pages read ahead of a
        // walk, and those behind it the first a memory limit takes back.
        let _ = map.advise(memmap2::Advice::Sequential);
        let len = values.len();
        self.inner = Inner::Mapped {
            map,
            len,
            _values: PhantomData,
        };
        Ok(())
    }
}

/// The bytes of `values`, as they lie in memory.
fn bytes_of<T: Plain>(values: &[T]) -> &[u8] {
    // SAFETY: `T: Plain` has no padding, so every byte of the slice is initialised; the length
    // is the slice's own size in bytes.
    unsafe {
        std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
    }
}

impl<T: Plain> std::ops::Deref for Paged<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match &self.inner {
            Inner::Held(v) => v,
            // SAFETY: the mapping holds `len` values written from a `&[T]` (`page_out` checked
            // its size), is page-aligned, and lives as long as `self`.
            Inner::Mapped { map, len, .. } => unsafe {
                std::slice::from_raw_parts(map.as_ptr().cast::<T>(), *len)
            },
        }
    }
}

impl<T: Plain> Default for Paged<T> {
    fn default() -> Paged<T> {
        Paged::held(Vec::new())
    }
}

impl<T: Plain> Clone for Paged<T> {
    /// A copy held in memory, whether this one is held or mapped.
    fn clone(&self) -> Paged<T> {
        Paged::held(self.to_vec())
    }
}

impl<T: Plain + PartialEq> PartialEq for Paged<T> {
    fn eq(&self, other: &Paged<T>) -> bool {
        **self == **other
    }
}

impl<T: Plain + Eq> Eq for Paged<T> {}

impl<T: Plain + std::fmt::Debug> std::fmt::Debug for Paged<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paged")
            .field("mapped", &self.is_mapped())
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_paged_out_reads_back_what_it_held() {
        let dir = tempfile::tempdir().unwrap();
        let values: Vec<[u32; 3]> = (0..100_000u32)
            .map(|i| [i, i ^ 0xdead_beef, u32::MAX - i])
            .collect();
        let mut column = Paged::held(values.clone());
        assert!(!column.is_mapped());
        assert_eq!(column.held_bytes(), values.capacity() * 12);
        column.page_out(dir.path()).unwrap();
        assert!(column.is_mapped());
        assert_eq!(column.held_bytes(), 0);
        assert_eq!(&*column, values.as_slice());
        // The file has no name: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // Again: a mapped column stays as it is.
        column.page_out(dir.path()).unwrap();
        assert_eq!(&*column, values.as_slice());
        let copy = column.clone();
        assert!(!copy.is_mapped());
        assert_eq!(copy, column);
    }

    #[test]
    fn an_empty_column_stays_held() {
        let dir = tempfile::tempdir().unwrap();
        let mut column: Paged<u32> = Paged::default();
        column.page_out(dir.path()).unwrap();
        assert!(!column.is_mapped());
        assert!(column.is_empty());
    }

    #[test]
    fn a_folder_that_cannot_take_the_file_leaves_the_column_held() {
        let mut column = Paged::held(vec![1u32, 2, 3]);
        assert!(column.page_out(Path::new("/nonexistent/winddown")).is_err());
        assert!(!column.is_mapped());
        assert_eq!(&*column, &[1, 2, 3]);
    }
}
