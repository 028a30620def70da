//! A CSV table file as batches: the header row, then records tokenized on a second thread
//! (so the validator and the tokenizer each have a core) and handed over a few thousand at a
//! time, with their physical lines and how they line up with the header.

use std::io::Read;
use std::sync::mpsc;

use super::csv::{CsvError, Reader, Record};

/// How each row of a CSV batch lines up with the header.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    /// Fields in the record.
    pub fields: u32,
    /// The 1-based position of the first non-empty field beyond the header, if any.
    pub extra_at: u32,
}

/// Records per batch.
const BATCH_RECORDS: usize = 1 << 15;
/// A batch is handed over early once its text passes this size (long fields).
const BATCH_BYTES: usize = 64 << 20;

/// Records of a CSV file, their fields in one buffer.
#[derive(Default)]
pub struct CsvBatch {
    bytes: Vec<u8>,
    /// End of each field in `bytes`.
    field_ends: Vec<usize>,
    /// Index in `field_ends` of each record's first field, and one past the last record.
    record_starts: Vec<usize>,
    pub lines: Vec<u64>,
    pub shapes: Vec<Shape>,
    /// Bytes of the file read once this batch was complete (for progress).
    pub offset: u64,
}

impl CsvBatch {
    fn clear(&mut self) {
        self.bytes.clear();
        self.field_ends.clear();
        self.record_starts.clear();
        self.record_starts.push(0);
        self.lines.clear();
        self.shapes.clear();
    }

    fn push(&mut self, rec: &Record, width: usize) {
        let mut extra_at = 0;
        for (i, f) in rec.iter().enumerate() {
            self.bytes.extend_from_slice(f);
            self.field_ends.push(self.bytes.len());
            if i >= width && extra_at == 0 && f.iter().any(|b| !b.is_ascii_whitespace()) {
                extra_at = i as u32 + 1;
            }
        }
        self.record_starts.push(self.field_ends.len());
        self.lines.push(rec.line);
        self.shapes.push(Shape {
            fields: rec.len() as u32,
            extra_at,
        });
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The bytes of field `f` of record `r`, if the record has it.
    pub fn field(&self, r: usize, f: usize) -> Option<&[u8]> {
        let (first, end) = (self.record_starts[r], self.record_starts[r + 1]);
        let i = first + f;
        if i >= end {
            return None;
        }
        let start = if i == 0 { 0 } else { self.field_ends[i - 1] };
        Some(&self.bytes[start..self.field_ends[i]])
    }
}

/// The header and a stream of record batches.
pub struct CsvTable {
    pub header: Vec<Vec<u8>>,
    pub header_line: u64,
    batches: mpsc::Receiver<Result<CsvBatch, CsvError>>,
    spare: mpsc::Sender<CsvBatch>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl CsvTable {
    /// Read the header, then tokenize the rest on a second thread. `None` for a file with no
    /// record at all.
    pub fn open<R: Read + Send + 'static>(src: R) -> Result<Option<CsvTable>, CsvError> {
        let mut reader = Reader::new(src);
        let mut rec = Record::default();
        if !reader.read(&mut rec)? {
            return Ok(None);
        }
        let header: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
        let header_line = rec.line;
        let width = header.len();
        let (send, batches) = mpsc::sync_channel(2);
        let (spare, spares) = mpsc::channel::<CsvBatch>();
        let worker = std::thread::spawn(move || {
            let mut rec = Record::default();
            loop {
                let mut batch = spares.try_recv().unwrap_or_default();
                batch.clear();
                let mut end = false;
                while batch.len() < BATCH_RECORDS && batch.bytes.len() < BATCH_BYTES {
                    match reader.read(&mut rec) {
                        Ok(true) => {
                            // A whitespace-only line is a blank line, not a record.
                            if rec.len() == 1
                                && rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
                            {
                                continue;
                            }
                            batch.push(&rec, width);
                        }
                        Ok(false) => {
                            end = true;
                            break;
                        }
                        Err(e) => {
                            let _ = send.send(Err(e));
                            return;
                        }
                    }
                }
                batch.offset = reader.offset();
                if !batch.is_empty() && send.send(Ok(batch)).is_err() {
                    return;
                }
                if end {
                    return;
                }
            }
        });
        Ok(Some(CsvTable {
            header,
            header_line,
            batches,
            spare,
            worker: Some(worker),
        }))
    }

    /// The next batch, or None at the end.
    pub fn next_batch(&mut self) -> Result<Option<CsvBatch>, CsvError> {
        match self.batches.recv() {
            Ok(Ok(b)) => Ok(Some(b)),
            Ok(Err(e)) => Err(e),
            Err(_) => {
                if let Some(w) = self.worker.take() {
                    let _ = w.join();
                }
                Ok(None)
            }
        }
    }

    /// Give a batch back for reuse (its buffers keep their capacity).
    pub fn recycle(&self, batch: CsvBatch) {
        let _ = self.spare.send(batch);
    }
}

impl Drop for CsvTable {
    fn drop(&mut self) {
        // Unblock and end the tokenizer if the validator stops early.
        while self.batches.try_recv().is_ok() {}
        if let Some(w) = self.worker.take() {
            drop(std::mem::replace(
                &mut self.batches,
                mpsc::sync_channel(0).1,
            ));
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_keep_lines_fields_and_extra_cells() {
        let text = b"a,b\n1,2\n\n3,4,,5\n \n6\n".to_vec();
        let mut t = CsvTable::open(std::io::Cursor::new(text)).unwrap().unwrap();
        assert_eq!(t.header, vec![b"a".to_vec(), b"b".to_vec()]);
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(b.lines, vec![2, 4, 6]);
        assert_eq!(b.field(1, 3), Some(&b"5"[..]));
        assert_eq!(b.field(2, 1), None);
        assert_eq!(
            b.shapes
                .iter()
                .map(|s| (s.fields, s.extra_at))
                .collect::<Vec<_>>(),
            vec![(2, 0), (4, 4), (1, 0)]
        );
        t.recycle(b);
        assert!(t.next_batch().unwrap().is_none());
    }

    #[test]
    fn an_error_on_the_worker_reaches_the_reader() {
        let mut t = CsvTable::open(std::io::Cursor::new(b"a\n1\n\"2\n".to_vec()))
            .unwrap()
            .unwrap();
        let mut got = Vec::new();
        loop {
            match t.next_batch() {
                Ok(Some(b)) => got.push(b.len()),
                Ok(None) => panic!("the unclosed quote was not reported"),
                Err(e) => {
                    assert!(e.to_string().starts_with("line 3"), "{e}");
                    break;
                }
            }
        }
    }
}
