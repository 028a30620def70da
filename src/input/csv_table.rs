//! A CSV table file as batches: the header row, then records tokenized on a second thread
//! (so the validator and the tokenizer each have a core) and handed over a few thousand at a
//! time, with their physical lines and how they line up with the header. The money and date
//! fields the validator asks for are parsed on that thread too ([`CsvTable::parse`]): turning
//! text into fen and days is most of what a CSV costs the validator beyond a Parquet file.

use std::io::Read;
use std::sync::mpsc;

use super::cells::Cell;
use super::csv::{CsvError, PlainLine, Reader, Record};
use crate::domain::date::Date;
use crate::domain::money;

/// What a field parsed on the tokenizer's thread is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parse {
    /// Fen (`money::parse_fen`).
    Money,
    /// Days since 1970-01-01 (`Date::parse`).
    Date,
}

impl Parse {
    /// A trimmed, non-empty cell's value, or `None` when it is not one of this kind.
    fn value(self, s: &str) -> Option<i64> {
        match self {
            Parse::Money => money::parse_fen(s),
            Parse::Date => Date::parse(s).map(|d| i64::from(d.0)),
        }
    }
}

/// How each row of a CSV batch lines up with the header.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    /// Fields in the record.
    pub fields: u32,
    /// The 1-based position of the first non-empty field beyond the header, if any.
    pub extra_at: u32,
}

/// Records per batch, unless the reader asks for other ([`CsvTable::batch_records`]).
const BATCH_RECORDS: usize = 1 << 15;
/// A batch is handed over early once its text passes this size (long fields).
const BATCH_BYTES: usize = 64 << 20;

/// Records of a CSV file, their fields in one buffer.
#[derive(Default)]
pub struct CsvBatch {
    /// The fields' bytes while the batch is filled, and after it when they are not all UTF-8.
    bytes: Vec<u8>,
    /// The fields' bytes once checked as UTF-8 in one pass on the tokenizer's thread (empty
    /// when they are not): a field is then text without a check of its own.
    text: String,
    /// End of each field in `bytes`; each field is followed by one separator byte, so the next
    /// field starts one past it ([`Record`]'s layout).
    field_ends: Vec<usize>,
    /// Index in `field_ends` of each record's first field, and one past the last record.
    record_starts: Vec<usize>,
    pub lines: Vec<u64>,
    pub shapes: Vec<Shape>,
    /// Bytes of the file read once this batch was complete (for progress).
    pub offset: u64,
    /// Per field asked for ([`CsvTable::parse`]): its cells parsed, one per record — or
    /// `None` when one of its fields is not text on its own (the validator reads that field
    /// as text, and refuses it there).
    parsed: Vec<ParsedField>,
}

/// One field of every record of a batch, parsed on the tokenizer's thread.
#[derive(Default)]
struct ParsedField {
    field: usize,
    kind: Option<Parse>,
    /// `None` when one of its cells is not text on its own.
    cells: Option<Vec<Cell<i64>>>,
}

impl CsvBatch {
    fn clear(&mut self) {
        if self.bytes.is_empty() {
            self.bytes = std::mem::take(&mut self.text).into_bytes();
        }
        self.bytes.clear();
        self.field_ends.clear();
        self.record_starts.clear();
        self.record_starts.push(0);
        self.lines.clear();
        self.shapes.clear();
        for p in &mut self.parsed {
            if let Some(c) = &mut p.cells {
                c.clear();
            }
        }
    }

    /// Parse the fields asked for, once the batch is sealed, in one walk over the records (a
    /// record's field ends read once for all its fields, as [`CsvBatch::text_columns`] does).
    /// A cell is missing when it is empty or blank (`cells::clean`), as the validator reads
    /// text. A field with a cell that is not text on its own (the batch is not UTF-8
    /// throughout) is not parsed: the validator reads it as text, and refuses it there.
    fn parse(&mut self, plan: &[(usize, Parse)]) {
        self.parsed.resize_with(plan.len(), ParsedField::default);
        let mut parsed = std::mem::take(&mut self.parsed);
        let mut columns: Vec<Option<Vec<Cell<i64>>>> = (parsed.iter_mut())
            .map(|slot| {
                let mut cells = slot.cells.take().unwrap_or_default();
                cells.clear();
                Some(cells)
            })
            .collect();
        let utf8 = self.bytes.is_empty();
        for bounds in self.record_starts.windows(2) {
            for (&(field, kind), column) in plan.iter().zip(&mut columns) {
                let Some(cells) = column else { continue };
                let i = bounds[0] + field;
                if i >= bounds[1] {
                    cells.push(Cell::Missing);
                } else if !utf8 {
                    *column = None;
                } else {
                    cells.push(
                        match crate::input::cells::clean(self.sealed_text(self.span(i))) {
                            None => Cell::Missing,
                            Some(s) => kind.value(s).map_or(Cell::Bad, Cell::Ok),
                        },
                    );
                }
            }
        }
        for ((slot, &(field, kind)), cells) in parsed.iter_mut().zip(plan).zip(columns) {
            slot.field = field;
            slot.kind = Some(kind);
            slot.cells = cells;
        }
        self.parsed = parsed;
    }

    /// Field `field`'s cells parsed as `kind` on the tokenizer's thread, if they were.
    pub fn parsed(&self, field: usize, kind: Parse) -> Option<&[Cell<i64>]> {
        self.parsed
            .iter()
            .find(|p| p.field == field && p.kind == Some(kind))
            .and_then(|p| p.cells.as_deref())
    }

    fn push(&mut self, rec: &Record, width: usize) {
        let (bytes, ends) = rec.raw();
        self.push_line(
            PlainLine {
                bytes,
                ends,
                line: rec.line,
                fields: rec.fields(),
            },
            width,
        );
    }

    /// Take a record over (its kept fields and their separators in one copy), unless it is
    /// a blank line: one field of whitespace only.
    fn push_line(&mut self, rec: PlainLine<'_>, width: usize) {
        let field = |i: usize| {
            let start = if i == 0 { 0 } else { rec.ends[i - 1] + 1 };
            &rec.bytes[start..rec.ends[i]]
        };
        let blank = |f: &[u8]| f.iter().all(u8::is_ascii_whitespace);
        if rec.fields == 1 && rec.ends.len() == 1 && blank(field(0)) {
            return;
        }
        let base = self.bytes.len();
        self.bytes.extend_from_slice(rec.bytes);
        self.field_ends.extend(rec.ends.iter().map(|&e| base + e));
        let extra_at = (width..rec.ends.len())
            .find(|&i| !blank(field(i)))
            .map_or(0, |i| i as u32 + 1);
        self.record_starts.push(self.field_ends.len());
        self.lines.push(rec.line);
        self.shapes.push(Shape {
            fields: rec.fields as u32,
            extra_at,
        });
    }

    /// Check the batch's bytes as UTF-8 in one pass: every field of a UTF-8 buffer is UTF-8,
    /// since fields end at ASCII bytes (a separator, a quote, a line break) that are never part
    /// of a longer character.
    fn seal(&mut self) {
        if simdutf8::basic::from_utf8(&self.bytes).is_ok() {
            let bytes = std::mem::take(&mut self.bytes);
            // SAFETY: the bytes were just checked as UTF-8 (simdutf8, several times faster
            // than the standard library's check on Chinese text).
            self.text = unsafe { String::from_utf8_unchecked(bytes) };
        }
    }

    fn data(&self) -> &[u8] {
        if self.bytes.is_empty() {
            self.text.as_bytes()
        } else {
            &self.bytes
        }
    }

    /// The range of field `f` of record `r` in the batch's bytes, if the record has it.
    fn range(&self, r: usize, f: usize) -> Option<std::ops::Range<usize>> {
        let i = self.record_starts[r] + f;
        (i < self.record_starts[r + 1]).then(|| self.span(i))
    }

    /// The range of the batch's field `i` (counted across records): from one past the end of
    /// the field before it to its own end.
    #[inline]
    fn span(&self, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 {
            0
        } else {
            self.field_ends[i - 1] + 1
        };
        start..self.field_ends[i]
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The bytes of field `f` of record `r`, if the record has it.
    pub fn field(&self, r: usize, f: usize) -> Option<&[u8]> {
        self.range(r, f).map(|range| &self.data()[range])
    }

    /// Field `f` of every record as text (`None` where a record has no such field); a field
    /// that is not text on its own goes to `check` ([`CsvBatch::text_columns`]).
    #[cfg(test)]
    fn texts<'a, E>(
        &'a self,
        f: usize,
        check: impl FnMut(usize, &'a [u8]) -> Result<&'a str, E>,
    ) -> Result<Vec<Option<&'a str>>, E> {
        Ok(self.text_columns(&[f], check)?.pop().unwrap_or_default())
    }

    /// Fields `fields` of every record as text, a column each (`None` where a record has no
    /// such field), in one walk over the records: a record's field ends are one cache line
    /// or two, read once for all its columns — a walk a column fetched each record's line
    /// again for every column, and waited on it (half the samples of building the columns).
    /// A field that is not text on its own (the batch is not UTF-8 throughout) goes to `check`
    /// with its record, which reads it or refuses it: the first such record refused is the
    /// first in the file.
    pub fn text_columns<'a, E>(
        &'a self,
        fields: &[usize],
        mut check: impl FnMut(usize, &'a [u8]) -> Result<&'a str, E>,
    ) -> Result<Vec<Vec<Option<&'a str>>>, E> {
        let data = self.data();
        let utf8 = self.bytes.is_empty();
        let mut out: Vec<Vec<Option<&'a str>>> = (fields.iter())
            .map(|_| Vec::with_capacity(self.len()))
            .collect();
        for (r, bounds) in self.record_starts.windows(2).enumerate() {
            for (column, &f) in out.iter_mut().zip(fields) {
                let i = bounds[0] + f;
                if i >= bounds[1] {
                    column.push(None);
                    continue;
                }
                let range = self.span(i);
                column.push(Some(if utf8 {
                    self.sealed_text(range)
                } else {
                    check(r, &data[range])?
                }));
            }
        }
        Ok(out)
    }

    /// A field's text in a batch sealed as UTF-8, without looking at its bytes: the check of
    /// its two ends as character boundaries read them from memory, half of what making a
    /// batch's text columns cost (the fields nobody reads further, a lender's name or phone,
    /// were fetched for it alone).
    fn sealed_text(&self, range: std::ops::Range<usize>) -> &str {
        let bytes = &self.text.as_bytes()[range];
        debug_assert!(std::str::from_utf8(bytes).is_ok());
        // SAFETY: `self.text` is UTF-8 (`seal`), and a field starts at the batch's start or
        // one past a separator byte and ends at the next separator or the batch's end
        // (`span`); separators are ASCII, never inside a longer character, so both ends are
        // character boundaries and the field is UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// Field `f` of record `r`, if the record has it: `Ok` its text when the batch is UTF-8
    /// throughout, `Err` its bytes when they must be checked on their own.
    pub fn text(&self, r: usize, f: usize) -> Option<Result<&str, &[u8]>> {
        let range = self.range(r, f)?;
        Some(if self.bytes.is_empty() {
            self.text
                .get(range.clone())
                .ok_or(&self.text.as_bytes()[range])
        } else {
            Err(&self.bytes[range])
        })
    }
}

/// What the tokenizer's thread does: the fields it parses, how many fields of a plain line it
/// keeps, and how many records it hands over at a time.
struct Plan {
    parse: Vec<(usize, Parse)>,
    keep: usize,
    records: usize,
}

/// The header and a stream of record batches.
pub struct CsvTable {
    pub header: Vec<Vec<u8>>,
    pub header_line: u64,
    batches: mpsc::Receiver<Result<CsvBatch, CsvError>>,
    spare: mpsc::Sender<CsvBatch>,
    /// What the tokenizer is to do, sent once before the first batch (it waits for it).
    plan: Option<mpsc::Sender<Plan>>,
    /// Fields of a plain line kept ([`CsvTable::keep_fields`]), sent with the plan.
    keep: usize,
    /// Records a batch ([`CsvTable::batch_records`]), sent with the plan.
    records: usize,
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
        let (plan, plans) = mpsc::channel::<Plan>();
        let worker = std::thread::spawn(move || {
            let mut rec = Record::default();
            let mut ends = Vec::new();
            // Nothing asked for (or the reader gone) parses nothing and keeps every field.
            let Plan {
                parse: plan,
                keep,
                records,
            } = plans.recv().unwrap_or(Plan {
                parse: Vec::new(),
                keep: usize::MAX,
                records: BATCH_RECORDS,
            });
            let records = records.max(1);
            reader.keep_fields(keep);
            loop {
                let mut batch = spares.try_recv().unwrap_or_default();
                batch.clear();
                let mut end = false;
                while batch.len() < records && batch.bytes.len() < BATCH_BYTES {
                    // Most lines: taken from the reader's buffer in one copy.
                    if reader.lend_plain_line(&mut ends, |line| batch.push_line(line, width)) {
                        continue;
                    }
                    match reader.read(&mut rec) {
                        // A whitespace-only line is a blank line, not a record (`push`).
                        Ok(true) => batch.push(&rec, width),
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
                batch.seal();
                batch.parse(&plan);
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
            plan: Some(plan),
            keep: usize::MAX,
            records: BATCH_RECORDS,
            worker: Some(worker),
        }))
    }

    /// Ask for header positions to be parsed on the tokenizer's thread (before the first
    /// batch; later, and any second time, it changes nothing).
    pub fn parse(&mut self, fields: Vec<(usize, Parse)>) {
        if let Some(plan) = self.plan.take() {
            let _ = plan.send(Plan {
                parse: fields,
                keep: self.keep,
                records: self.records,
            });
        }
    }

    /// Keep only the first `n` fields of a plain line ([`Reader::keep_fields`]): for a reader
    /// of a column or two that checks no record's width. Before [`CsvTable::parse`].
    pub fn keep_fields(&mut self, n: usize) {
        self.keep = n;
    }

    /// Hand over `n` records a batch (at least one; fewer in a batch whose text passes
    /// `BATCH_BYTES`, and in the last), not the reader's own 32,768: for a reader whose batches
    /// are worth more rows each. Before [`CsvTable::parse`].
    pub fn batch_records(&mut self, n: usize) {
        self.records = n;
    }

    /// The next batch, or None at the end.
    pub fn next_batch(&mut self) -> Result<Option<CsvBatch>, CsvError> {
        self.parse(Vec::new());
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
        // Unblock and end the tokenizer if the validator stops early (or never asked).
        self.plan = None;
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

    /// Every record of a table's batches (line, shape, fields' bytes), in order; `Err` the
    /// first error's text.
    type Laid = Result<Vec<(u64, u32, u32, Vec<Vec<u8>>)>, String>;

    fn laid_out(batches: impl IntoIterator<Item = Result<CsvBatch, String>>) -> Laid {
        let mut all = Vec::new();
        for b in batches {
            let b = b?;
            for r in 0..b.len() {
                let fields = (0..)
                    .map_while(|f| b.field(r, f).map(<[u8]>::to_vec))
                    .collect();
                all.push((b.lines[r], b.shapes[r].fields, b.shapes[r].extra_at, fields));
            }
        }
        Ok(all)
    }

    proptest::proptest! {
        /// The batches of a table, most lines lent from the reader's buffer, are the batches
        /// built record by record from what [`Reader::read`] copies: every record's line,
        /// number of fields, extra cell and fields the same, blank lines left out, errors the
        /// same — for any bytes, any number of fields kept and any records a batch (every
        /// batch but the last holding exactly that many).
        #[test]
        fn lent_lines_batch_as_read_records(body in proptest::collection::vec(
            // Mostly plain lines; a quote, a `\r` or a NUL now and then.
            proptest::prop_oneof![
                30 => proptest::sample::select(vec![b'a', b'1', b',', b',', b'\n', b' ', 0xe4]),
                1 => proptest::sample::select(vec![b'"', b'\r', 0]),
            ],
            0..400,
        ), keep in 1usize..5, records in proptest::option::of(1usize..9)) {
            let mut text = b"h1,h2\n".to_vec();
            text.extend(&body);
            let width = 2;
            let mut table = CsvTable::open(std::io::Cursor::new(text.clone())).unwrap().unwrap();
            table.keep_fields(keep);
            if let Some(n) = records {
                table.batch_records(n);
            }
            table.parse(Vec::new());
            let mut sizes = Vec::new();
            let got = laid_out(std::iter::from_fn(|| match table.next_batch() {
                Ok(Some(b)) => {
                    sizes.push(b.len());
                    Some(Ok(b))
                }
                Ok(None) => None,
                Err(e) => Some(Err(e.to_string())),
            }));
            let full = records.unwrap_or(BATCH_RECORDS);
            if let Some((_, before_last)) = sizes.split_last() {
                proptest::prop_assert!(before_last.iter().all(|&n| n == full), "{:?}", sizes);
            }
            proptest::prop_assert!(sizes.iter().all(|&n| (1..=full).contains(&n)));
            let mut reader = Reader::new(&text[..]);
            reader.keep_fields(keep);
            let mut rec = Record::default();
            let want = (|| {
                reader.read(&mut rec).map_err(|e| e.to_string())?;
                let mut batch = CsvBatch::default();
                batch.clear();
                while reader.read(&mut rec).map_err(|e| e.to_string())? {
                    batch.push(&rec, width);
                }
                batch.seal();
                laid_out([Ok(batch)])
            })();
            proptest::prop_assert_eq!(got, want);
        }
    }

    proptest::proptest! {
        /// A UTF-8 table's text columns, sliced from the batch without looking at their
        /// bytes, are the fields [`Reader::read`] gives, character for character — quoted
        /// fields across lines, `""` and Chinese text included.
        #[test]
        fn text_columns_of_a_utf8_table_are_its_fields(body in proptest::collection::vec(
            proptest::sample::select(vec!['a', '中', ',', ',', '\n', ' ', '"', '\r', '¥']),
            0..300,
        )) {
            let mut text = "h1,h2,h3\n".to_string();
            text.extend(&body);
            let mut want: Vec<Vec<String>> = Vec::new();
            let mut reader = Reader::new(text.as_bytes());
            let mut rec = Record::default();
            let mut read_all = true;
            while read_all {
                match reader.read(&mut rec) {
                    Ok(true) => want.push(
                        rec.iter().map(|f| String::from_utf8(f.to_vec()).unwrap()).collect(),
                    ),
                    Ok(false) => break,
                    Err(_) => read_all = false,
                }
            }
            proptest::prop_assume!(read_all);
            // The header, and blank lines (one field of spaces), are not rows of a batch.
            want.remove(0);
            want.retain(|r| !(r.len() == 1 && r[0].trim_matches(|c: char| c.is_ascii_whitespace()).is_empty()));
            let mut table = CsvTable::open(std::io::Cursor::new(text.into_bytes())).unwrap().unwrap();
            table.parse(Vec::new());
            let mut got: Vec<Vec<String>> = Vec::new();
            while let Some(b) = table.next_batch().unwrap() {
                let widest = (0..b.len()).map(|r| b.shapes[r].fields as usize).max().unwrap_or(0);
                let refuse = |_: usize, _: &[u8]| -> Result<&str, ()> { Err(()) };
                // All the columns in one walk, and each alone, give the same cells.
                let fields: Vec<usize> = (0..widest).collect();
                let columns = b.text_columns(&fields, refuse).unwrap();
                for (f, column) in columns.iter().enumerate() {
                    proptest::prop_assert_eq!(&b.texts(f, refuse).unwrap(), column);
                }
                for r in 0..b.len() {
                    got.push(columns.iter().map_while(|c| c[r]).map(str::to_string).collect());
                }
                table.recycle(b);
            }
            proptest::prop_assert_eq!(got, want);
        }
    }

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
    fn money_and_dates_asked_for_are_parsed_beside_the_tokenizing() {
        let text = "m,d,t\n1.50,2019-01-02,x\n , ,y\n1.505,2019-02-30\n-0,1970-01-01,z\n";
        let mut t = CsvTable::open(std::io::Cursor::new(text.as_bytes().to_vec()))
            .unwrap()
            .unwrap();
        t.parse(vec![(0, Parse::Money), (1, Parse::Date)]);
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(
            b.parsed(0, Parse::Money).unwrap(),
            [Cell::Ok(150), Cell::Missing, Cell::Bad, Cell::Ok(0)]
        );
        // 2019-01-02 is day 17,898; 30 February is no date.
        assert_eq!(
            b.parsed(1, Parse::Date).unwrap(),
            [Cell::Ok(17_898), Cell::Missing, Cell::Bad, Cell::Ok(0)]
        );
        // Not asked for, or asked for as another kind: not parsed.
        assert_eq!(b.parsed(2, Parse::Money), None);
        assert_eq!(b.parsed(0, Parse::Date), None);
        // Asked for after the first batch: nothing changes.
        t.parse(vec![(2, Parse::Money)]);
        t.recycle(b);
        assert!(t.next_batch().unwrap().is_none());

        // A field that is not text on its own (a character cut by the separator) leaves its
        // column to the validator, which refuses it with its line.
        let mut t = CsvTable::open(std::io::Cursor::new(b"a,b\n\xe4,\xb8\xad\n".to_vec()))
            .unwrap()
            .unwrap();
        t.parse(vec![(0, Parse::Money), (1, Parse::Money)]);
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(b.parsed(0, Parse::Money), None);
        assert_eq!(b.parsed(1, Parse::Money), None);

        // Fields parsed in one walk are judged each on its own: in a batch that is not UTF-8,
        // a field no record has is parsed (missing throughout), one with text is not.
        let mut t = CsvTable::open(std::io::Cursor::new(b"a,b,c\n1,\xff\n2\n".to_vec()))
            .unwrap()
            .unwrap();
        t.parse(vec![(2, Parse::Money), (0, Parse::Money)]);
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(
            b.parsed(2, Parse::Money).unwrap(),
            [Cell::Missing, Cell::Missing]
        );
        assert_eq!(b.parsed(0, Parse::Money), None);
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

    #[test]
    fn a_field_is_text_only_when_it_is_utf8_on_its_own() {
        // 中 is E4 B8 AD. A UTF-8 batch: every field is text without a check of its own.
        let mut t = CsvTable::open(std::io::Cursor::new(
            "a,b\n中,\"x,\"\"y\"\"\"\n".as_bytes().to_vec(),
        ))
        .unwrap()
        .unwrap();
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(b.text(0, 0), Some(Ok("中")));
        assert_eq!(b.text(0, 1), Some(Ok("x,\"y\"")));
        assert_eq!(b.text(0, 2), None);
        let refuse = |r: usize, _: &[u8]| -> Result<&str, usize> { Err(r) };
        assert_eq!(b.texts(0, refuse), Ok(vec![Some("中")]));
        assert_eq!(b.texts(1, refuse), Ok(vec![Some("x,\"y\"")]));
        assert_eq!(b.texts(2, refuse), Ok(vec![None]));
        // A character cut by the separator: the fields joined read as UTF-8, but neither field
        // is, so each must be checked on its own (and is refused there).
        let mut t = CsvTable::open(std::io::Cursor::new(b"a,b\n\xe4,\xb8\xad\n".to_vec()))
            .unwrap()
            .unwrap();
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(b.text(0, 0), Some(Err(&b"\xe4"[..])));
        assert_eq!(b.text(0, 1), Some(Err(&b"\xb8\xad"[..])));
        assert_eq!(b.texts(1, refuse), Err(0));
        // A batch that is not UTF-8 at all: its fields as bytes, the next batch reuses it.
        let mut t = CsvTable::open(std::io::Cursor::new(b"a\nok\n\xff\n".to_vec()))
            .unwrap()
            .unwrap();
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(b.text(0, 0), Some(Err(&b"ok"[..])));
        assert_eq!(b.field(1, 0), Some(&b"\xff"[..]));
        // Each field checked on its own: the first is text, the second refused at its record.
        let utf8 = |r: usize, f| std::str::from_utf8(f).map_err(|_| r);
        assert_eq!(b.texts(0, utf8), Err(1));
        fn lenient(_: usize, f: &[u8]) -> Result<&str, usize> {
            Ok(std::str::from_utf8(f).unwrap_or("?"))
        }
        assert_eq!(b.texts(0, lenient), Ok(vec![Some("ok"), Some("?")]));
        // Columns made together refuse the first record with a field that is not text, whatever
        // the column: here the second column's in record 1, before the first column's in 2.
        let mut t = CsvTable::open(std::io::Cursor::new(b"a,b\nx,y\nx,\xff\n\xff,y\n".to_vec()))
            .unwrap()
            .unwrap();
        let b = t.next_batch().unwrap().unwrap();
        assert_eq!(b.text_columns(&[0, 1], utf8), Err(1));
        assert_eq!(b.text_columns(&[0], utf8), Err(2));
        assert_eq!(
            b.text_columns(&[1, 0], lenient),
            Ok(vec![
                vec![Some("y"), Some("?"), Some("y")],
                vec![Some("x"), Some("x"), Some("?")]
            ])
        );
    }
}
