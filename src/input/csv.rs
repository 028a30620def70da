//! CSV records with their exact physical line numbers.
//!
//! In: bytes (UTF-8 already, or decoded from GB18030 by [`Decoded`]). Out: one [`Record`] at a
//! time — its fields, unquoted, and the 1-based physical line where it starts.
//!
//! The dialect is RFC 4180 as rust-csv reads it with its defaults: `,` separates fields, `"`
//! quotes them (`""` inside quotes is one quote; text after a closing quote is kept, as in
//! `"ab"c` → `abc`; a quote inside an unquoted field is literal), and `\n`, `\r\n` or a lone
//! `\r` ends a record. Empty lines are not records. A test compares every record with
//! rust-csv's on arbitrary input, and a fuzz target does the same.
//!
//! Guarantees beyond rust-csv: a quote that is never closed is an error naming the line where
//! it opened (rust-csv would silently swallow the rest of the file into one field), a NUL byte
//! is an error naming its line, and each record knows its physical line even when quoted
//! fields span lines or blank lines come before it. A line break is `\n`, `\r\n` or a lone `\r`.

use std::io::Read;

mod marks;

use marks::Marks;

/// One record: its fields' bytes and where it starts.
///
/// Each field's bytes are followed by one separator byte (a plain line is copied whole, its
/// commas included; the state machine writes a `,` after each field it ends), so field `i`
/// runs from one past the end of field `i - 1` to its own end.
#[derive(Debug, Default, Clone)]
pub struct Record {
    /// 1-based physical line of the record's first byte.
    pub line: u64,
    bytes: Vec<u8>,
    ends: Vec<usize>,
    /// Fields after the last one kept, not copied ([`Reader::keep_fields`]).
    skipped: usize,
}

impl Record {
    /// Number of fields kept.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Number of fields in the record, the ones not kept included.
    pub fn fields(&self) -> usize {
        self.ends.len() + self.skipped
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of field `i`, unquoted.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        Some(&self.bytes[start..end])
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The kept fields' bytes, each followed by its separator byte, and where each field ends
    /// in them: how a batch takes the record over in two copies.
    pub(crate) fn raw(&self) -> (&[u8], &[usize]) {
        (&self.bytes, &self.ends)
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.skipped = 0;
    }

    fn end_field(&mut self) {
        self.ends.push(self.bytes.len());
        self.bytes.push(b',');
    }
}

/// A record lent where it lies in the reader's buffer ([`Reader::lend_plain_line`]): laid
/// out as [`Record::raw`] (each kept field followed by one separator byte).
pub(crate) struct PlainLine<'a> {
    pub bytes: &'a [u8],
    pub ends: &'a [usize],
    /// 1-based physical line.
    pub line: u64,
    /// Fields in the line, those not kept included ([`Record::fields`]).
    pub fields: usize,
}

/// A plain line found at the reader's position: its `\n` (bytes from the position), the
/// bytes of its kept fields, and the fields after them, counted only.
struct Plain {
    nl: usize,
    taken: usize,
    skipped: usize,
}

/// Why the bytes are not a CSV table.
#[derive(Debug)]
pub enum CsvError {
    /// A quoted field that is never closed, opened on this line.
    Unterminated {
        line: u64,
    },
    /// A NUL byte on this line: not a text table.
    Nul {
        line: u64,
    },
    Io(std::io::Error),
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvError::Unterminated { line } => write!(
                f,
                "line {line}: a quoted field opens here and is never closed (an unmatched \")"
            ),
            CsvError::Nul { line } => write!(f, "line {line}: NUL byte: not a text table"),
            CsvError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records (line breaks here are blank lines).
    StartRecord,
    StartField,
    InField,
    InQuoted,
    /// Just after a quote inside a quoted field: `"` doubles it, anything else closes it.
    QuoteInQuoted,
}

/// Reads records from bytes.
pub struct Reader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    /// Physical line of the byte at `pos`.
    line: u64,
    /// The byte before `pos` was a `\r` (so a `\n` at `pos` ends the same line).
    after_cr: bool,
    /// Bytes handed out by the source before the buffer's current contents.
    consumed: u64,
    /// Fields of a plain line copied into its record; the rest only counted.
    keep: usize,
    /// No quote, `\r` or NUL in the buffer from `pos` up to here (found once a buffer, not
    /// once a line).
    clean: usize,
    /// The buffer's commas and line feeds, marked when it is filled.
    marks: Marks,
}

const BUF: usize = 1 << 20;

impl<R: Read> Reader<R> {
    pub fn new(src: R) -> Reader<R> {
        Reader {
            src,
            buf: vec![0; BUF],
            pos: 0,
            end: 0,
            eof: false,
            line: 1,
            after_cr: false,
            consumed: 0,
            keep: usize::MAX,
            clean: 0,
            marks: Marks::default(),
        }
    }

    /// Copy only the first `n` fields (at least one) of a plain line — a line without quotes,
    /// which is most of a file — and count the others ([`Record::fields`]): for a reader that
    /// wants a column or two, splitting and copying whole lines is most of its work. A line
    /// the state machine reads keeps every field.
    pub fn keep_fields(&mut self, n: usize) {
        self.keep = n.max(1);
    }

    /// Bytes read so far (for progress).
    pub fn offset(&self) -> u64 {
        self.consumed + self.pos as u64
    }

    /// Refill the buffer; false at the end of input.
    fn fill(&mut self) -> Result<bool, CsvError> {
        if self.pos < self.end {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        loop {
            match self.src.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.consumed += self.end as u64;
                    self.pos = 0;
                    self.end = n;
                    self.clean = 0;
                    self.marks.mark(&self.buf[..n]);
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(CsvError::Io(e)),
            }
        }
    }

    /// Count the line break (if any) of the byte just consumed.
    #[inline]
    fn count(&mut self, b: u8) {
        match b {
            b'\n' => {
                if !self.after_cr {
                    self.line += 1;
                }
                self.after_cr = false;
            }
            b'\r' => {
                self.line += 1;
                self.after_cr = true;
            }
            _ => self.after_cr = false,
        }
    }

    /// The fast path for the usual record: a whole line in the buffer, ending in `\n` or
    /// `\r\n`, with no quote, no other `\r` and no NUL in it. Its fields are the runs between
    /// commas, exactly as the state machine would read them; any other line is left to it.
    /// The line is copied whole (up to the last field kept), its commas the separators.
    #[inline]
    fn plain_line(&mut self, rec: &mut Record) -> bool {
        let Some(plain) = self.scan_plain(&mut rec.ends) else {
            return false;
        };
        rec.line = self.line;
        rec.skipped = plain.skipped;
        rec.bytes
            .extend_from_slice(&self.buf[self.pos..self.pos + plain.taken]);
        rec.bytes.push(b',');
        self.past_line(plain.nl);
        true
    }

    /// The plain line at `pos` (see [`Reader::plain_line`]), its kept fields' ends pushed to
    /// `ends` (empty before); `None` when it is not one.
    #[inline]
    fn scan_plain(&mut self, ends: &mut Vec<usize>) -> Option<Plain> {
        let nl = self.marks.newline(self.pos, self.end)?;
        let chunk = &self.buf[self.pos..self.end];
        let line = &chunk[..nl];
        let body = line.strip_suffix(b"\r").unwrap_or(line);
        if self.pos + body.len() > self.clean {
            // Where the next quote, `\r` or NUL is (or the buffer's end): the lines before it
            // are plain without a look of their own.
            let at = memchr::memchr3(b'"', b'\r', 0, chunk).unwrap_or(chunk.len());
            self.clean = self.pos + at;
            if at < body.len() {
                return None;
            }
        }
        let mut commas = self.marks.commas(self.pos, self.pos + body.len());
        let mut plain = Plain {
            nl,
            taken: body.len(),
            skipped: 0,
        };
        loop {
            let Some(comma) = commas.next() else {
                ends.push(body.len());
                break;
            };
            ends.push(comma);
            if ends.len() == self.keep {
                plain.skipped = commas.count() + 1;
                plain.taken = comma;
                break;
            }
        }
        Some(plain)
    }

    /// Move past the line whose `\n` is `nl` bytes after `pos`.
    #[inline]
    fn past_line(&mut self, nl: usize) {
        self.pos += nl + 1;
        self.line += 1;
        self.after_cr = false;
    }

    /// The next record, when it is a plain line already in the buffer (see
    /// [`Reader::plain_line`]), lent to `take` where it lies instead of copied into a
    /// [`Record`] first; `false` for anything else (a blank line, a quote, a line across two
    /// reads, the end), which [`Reader::read`] reads as before. `ends` is scratch space.
    #[inline]
    pub(crate) fn lend_plain_line(
        &mut self,
        ends: &mut Vec<usize>,
        take: impl FnOnce(PlainLine<'_>),
    ) -> bool {
        // What `read` handles itself at the start of a record: the buffer's end (a refill), a
        // line break (a blank line), a NUL (an error).
        if let None | Some(b'\n' | b'\r' | 0) = self.buf[self.pos..self.end].first() {
            return false;
        }
        ends.clear();
        let Some(plain) = self.scan_plain(ends) else {
            return false;
        };
        take(PlainLine {
            // The byte after the last field kept (a comma, or the line's `\r` or `\n`) is its
            // separator: fields are ranges between separators, whatever their byte.
            bytes: &self.buf[self.pos..=self.pos + plain.taken],
            ends,
            line: self.line,
            fields: ends.len() + plain.skipped,
        });
        self.past_line(plain.nl);
        true
    }

    /// Read the next record into `rec`; false at the end of input.
    pub fn read(&mut self, rec: &mut Record) -> Result<bool, CsvError> {
        rec.clear();
        let mut state = State::StartRecord;
        let mut quote_line = 0;
        loop {
            if !self.fill()? {
                // End of input.
                return match state {
                    State::StartRecord => Ok(false),
                    State::InQuoted => Err(CsvError::Unterminated { line: quote_line }),
                    State::StartField | State::InField | State::QuoteInQuoted => {
                        rec.end_field();
                        Ok(true)
                    }
                };
            }
            // Fast paths: runs of ordinary bytes inside a field are copied at once.
            match state {
                State::InField => {
                    let chunk = &self.buf[self.pos..self.end];
                    let n = memchr::memchr3(b',', b'\n', b'\r', chunk).unwrap_or(chunk.len());
                    if n > 0 {
                        let run = &chunk[..n];
                        if memchr::memchr(0, run).is_some() {
                            return Err(CsvError::Nul { line: self.line });
                        }
                        rec.bytes.extend_from_slice(run);
                        self.pos += n;
                        self.after_cr = false;
                        continue;
                    }
                }
                State::InQuoted => {
                    let chunk = &self.buf[self.pos..self.end];
                    let n = memchr::memchr3(b'"', b'\n', b'\r', chunk).unwrap_or(chunk.len());
                    if n > 0 {
                        let run = &chunk[..n];
                        if memchr::memchr(0, run).is_some() {
                            return Err(CsvError::Nul { line: self.line });
                        }
                        rec.bytes.extend_from_slice(run);
                        self.pos += n;
                        self.after_cr = false;
                        continue;
                    }
                }
                _ => {}
            }
            let b = self.buf[self.pos];
            if b == 0 {
                return Err(CsvError::Nul { line: self.line });
            }
            match state {
                State::StartRecord => {
                    if b == b'\n' || b == b'\r' {
                        self.pos += 1;
                        self.count(b);
                        continue;
                    }
                    if self.plain_line(rec) {
                        return Ok(true);
                    }
                    rec.line = self.line;
                    state = State::StartField;
                    // Not consumed: the field starts with this byte.
                    continue;
                }
                State::StartField => match b {
                    b'"' => {
                        quote_line = self.line;
                        state = State::InQuoted;
                    }
                    b',' => rec.end_field(),
                    b'\n' | b'\r' => {
                        rec.end_field();
                        self.pos += 1;
                        self.count(b);
                        return Ok(true);
                    }
                    _ => {
                        rec.bytes.push(b);
                        state = State::InField;
                    }
                },
                State::InField => match b {
                    b',' => {
                        rec.end_field();
                        state = State::StartField;
                    }
                    b'\n' | b'\r' => {
                        rec.end_field();
                        self.pos += 1;
                        self.count(b);
                        return Ok(true);
                    }
                    _ => rec.bytes.push(b),
                },
                State::InQuoted => {
                    if b == b'"' {
                        state = State::QuoteInQuoted;
                    } else {
                        rec.bytes.push(b);
                    }
                }
                State::QuoteInQuoted => match b {
                    b'"' => {
                        rec.bytes.push(b'"');
                        state = State::InQuoted;
                    }
                    b',' => {
                        rec.end_field();
                        state = State::StartField;
                    }
                    b'\n' | b'\r' => {
                        rec.end_field();
                        self.pos += 1;
                        self.count(b);
                        return Ok(true);
                    }
                    _ => {
                        rec.bytes.push(b);
                        state = State::InField;
                    }
                },
            }
            self.pos += 1;
            self.count(b);
        }
    }
}

/// GB18030 bytes decoded to UTF-8 as they are read, so a file of any size streams through a
/// fixed buffer. Bytes that are not GB18030 are an error of kind `InvalidData`.
pub struct Decoded<R> {
    src: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_pos: usize,
    in_end: usize,
    src_done: bool,
    /// Decoded text not yet handed out.
    output: Vec<u8>,
    out_pos: usize,
    out_end: usize,
    finished: bool,
}

impl<R: Read> Decoded<R> {
    pub fn gb18030(src: R) -> Decoded<R> {
        Decoded {
            src,
            decoder: encoding_rs::GB18030.new_decoder_without_bom_handling(),
            input: vec![0; 1 << 16],
            in_pos: 0,
            in_end: 0,
            src_done: false,
            output: vec![0; 1 << 17],
            out_pos: 0,
            out_end: 0,
            finished: false,
        }
    }

    /// Decode more input into `output`; false when everything has been decoded.
    fn decode_more(&mut self) -> std::io::Result<bool> {
        use encoding_rs::DecoderResult;
        loop {
            if self.finished {
                return Ok(false);
            }
            if self.in_pos == self.in_end && !self.src_done {
                let n = loop {
                    match self.src.read(&mut self.input) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        other => break other?,
                    }
                };
                self.in_pos = 0;
                self.in_end = n;
                self.src_done = n == 0;
            }
            let last = self.src_done;
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.in_pos..self.in_end],
                &mut self.output,
                last,
            );
            self.in_pos += read;
            self.out_pos = 0;
            self.out_end = written;
            match result {
                DecoderResult::Malformed(_, _) => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "not GB18030 text",
                    ))
                }
                DecoderResult::InputEmpty if last => self.finished = true,
                _ => {}
            }
            if written > 0 {
                return Ok(true);
            }
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        if self.out_pos == self.out_end && !self.decode_more()? {
            return Ok(0);
        }
        let n = out.len().min(self.out_end - self.out_pos);
        out[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &[u8]) -> Result<Vec<(u64, Vec<String>)>, String> {
        records_of(input)
    }

    fn records_of(src: impl Read) -> Result<Vec<(u64, Vec<String>)>, String> {
        read_all(Reader::new(src), |rec| {
            let fields = rec.iter().map(|f| String::from_utf8_lossy(f).into_owned());
            (rec.line, fields.collect())
        })
    }

    /// What `each` makes of every record of `r`, or the first error.
    fn read_all<R: Read, T>(
        mut r: Reader<R>,
        each: impl Fn(&Record) -> T,
    ) -> Result<Vec<T>, String> {
        let mut rec = Record::default();
        let mut out = Vec::new();
        loop {
            match r.read(&mut rec) {
                Ok(true) => out.push(each(&rec)),
                Ok(false) => return Ok(out),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    fn fields(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn quoted_newlines_blank_lines_and_every_line_ending() {
        let input = b"a,b\r\n\"x\r\ny\",2\n\n3,\"q\"\"q\"\r4,5";
        assert_eq!(
            records(input).unwrap(),
            vec![
                (1, fields(&["a", "b"])),
                (2, fields(&["x\r\ny", "2"])),
                (5, fields(&["3", "q\"q"])),
                (6, fields(&["4", "5"])),
            ]
        );
    }

    #[test]
    fn empty_fields_and_trailing_commas() {
        assert_eq!(
            records(b"a,,\n,\n\"\"").unwrap(),
            vec![
                (1, fields(&["a", "", ""])),
                (2, fields(&["", ""])),
                (3, fields(&[""])),
            ]
        );
    }

    #[test]
    fn text_after_a_closing_quote_and_a_quote_inside_a_field_are_kept() {
        assert_eq!(
            records(b"\"ab\"c,d\"e\n").unwrap(),
            vec![(1, fields(&["abc", "d\"e"]))]
        );
    }

    #[test]
    fn an_unterminated_quote_names_the_line_where_it_opened() {
        let input = b"h1,h2\n1,2\n3,\"never closed\n4,5\n6,7\n";
        assert_eq!(
            records(input).unwrap_err(),
            "line 3: a quoted field opens here and is never closed (an unmatched \")"
        );
    }

    #[test]
    fn a_nul_byte_names_its_line() {
        assert!(records(b"a\nb\x00c\n")
            .unwrap_err()
            .starts_with("line 2: NUL"));
        assert!(records(b"a\n\"b\n\x00\"\n")
            .unwrap_err()
            .starts_with("line 3: NUL"));
    }

    /// Reading one byte at a time: no line is ever whole in the buffer, so every byte goes
    /// through the state machine (never `plain_line`), and every refill boundary is crossed.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() || out.is_empty() {
                return Ok(0);
            }
            out[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn plain_lines_read_as_the_state_machine_reads_them() {
        // Hand-checked: CRLF and LF endings, a bare CR inside a line, a quote mid-field, a
        // blank line, empty fields, a last line without an ending.
        let input = b"a,b\r\n1,,2\n\nx\ry,z\nq\"r,s\r\n,\nlast,1";
        let want = vec![
            (1, fields(&["a", "b"])),
            (2, fields(&["1", "", "2"])),
            (4, fields(&["x"])),
            (5, fields(&["y", "z"])),
            (6, fields(&["q\"r", "s"])),
            (7, fields(&["", ""])),
            (8, fields(&["last", "1"])),
        ];
        assert_eq!(records(input).unwrap(), want);
        assert_eq!(records_of(Trickle(input)).unwrap(), want);
        // A NUL in a plain line is refused with its line either way.
        let nul = b"a\nb\0c\n";
        assert_eq!(records(nul), records_of(Trickle(nul)));
        assert!(records(nul).unwrap_err().starts_with("line 2"));
    }

    #[test]
    fn records_span_buffer_refills() {
        let input = b"a,\"b\r\nc\"\r\n\r\nd,e";
        let mut r = Reader::new(Trickle(input));
        let mut rec = Record::default();
        let mut got = Vec::new();
        while r.read(&mut rec).unwrap() {
            got.push((rec.line, rec.len()));
        }
        assert_eq!(got, vec![(1, 2), (4, 2)]);
    }

    #[test]
    fn gb18030_decodes_while_streaming() {
        let (gbk, _, _) = encoding_rs::GBK.encode("平台编号,名称\nP1,甲乙\n");
        let mut text = String::new();
        Decoded::gb18030(&gbk[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "平台编号,名称\nP1,甲乙\n");
        let mut bad = Vec::new();
        assert!(Decoded::gb18030(&[0x81u8, 0x20][..])
            .read_to_end(&mut bad)
            .is_err());
    }

    /// Every record and field as rust-csv reads them, for input without an unclosed quote.
    pub fn agrees_with_rust_csv(input: &[u8]) -> bool {
        let mut ours = Reader::new(input);
        let mut rec = Record::default();
        let mut theirs = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut want = ::csv::ByteRecord::new();
        loop {
            let a = match ours.read(&mut rec) {
                Ok(a) => a,
                // rust-csv has no such errors; nothing to compare.
                Err(_) => return true,
            };
            let b = theirs.read_byte_record(&mut want).unwrap_or(false);
            if a != b {
                return false;
            }
            if !a {
                return true;
            }
            if rec.len() != want.len() || rec.iter().zip(want.iter()).any(|(x, y)| x != y) {
                return false;
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fields_agree_with_rust_csv(bytes in proptest::collection::vec(
            proptest::sample::select(vec![b'a', b'b', b',', b'"', b'\n', b'\r', b' ', 0xe4, 0xb8, 0xad]),
            0..64,
        )) {
            proptest::prop_assert!(agrees_with_rust_csv(&bytes), "{:?}", String::from_utf8_lossy(&bytes));
        }

        /// The whole-line fast path and the byte-by-byte state machine agree on every record,
        /// field and line number, and on every error.
        #[test]
        fn whole_lines_agree_with_the_state_machine(bytes in proptest::collection::vec(
            // A NUL ends the input in an error: rare, so that most inputs are read through.
            proptest::prop_oneof![
                40 => proptest::sample::select(vec![b'a', b',', b',', b'"', b'\n', b'\n', b'\r', b' ', 0xe4]),
                1 => proptest::strategy::Just(0u8),
            ],
            0..160,
        )) {
            proptest::prop_assert_eq!(records(&bytes), records_of(Trickle(&bytes)));
        }

        /// Long lines: many plain ones between the odd quote, `\r` or NUL, so the look for
        /// those (once a buffer, not once a line) is tried with them far ahead and near.
        #[test]
        fn long_plain_lines_agree_with_the_state_machine(bytes in proptest::collection::vec(
            proptest::sample::select(vec![
                b'a', b'a', b'a', b'a', b'a', b'a', b',', b',', b',', b'\n', b'"', b'\r', 0xe4,
            ]),
            0..600,
        )) {
            proptest::prop_assert_eq!(records(&bytes), records_of(Trickle(&bytes)));
        }

        /// Keeping the first `keep` fields: every record, its line and its number of fields as
        /// read whole, its first `keep` fields the same (a line read by the state machine
        /// keeps them all), and every error the same.
        #[test]
        fn kept_fields_are_the_whole_records_first(bytes in proptest::collection::vec(
            // A NUL ends the input in an error: rare, so that most inputs are read through.
            proptest::prop_oneof![
                40 => proptest::sample::select(vec![b'a', b',', b',', b'"', b'\n', b'\n', b'\r', b' ', 0xe4]),
                1 => proptest::strategy::Just(0u8),
            ],
            0..160,
        ), keep in 0usize..4) {
            let first = |records: Kept| {
                records
                    .into_iter()
                    .map(|(line, n, fields)| (line, n, fields.into_iter().take(keep.max(1)).collect()))
                    .collect::<Kept>()
            };
            proptest::prop_assert_eq!(kept(&bytes, keep).map(first), kept(&bytes, usize::MAX).map(first));
        }
    }

    /// (line, number of fields, fields kept) of each record.
    type Kept = Vec<(u64, usize, Vec<Vec<u8>>)>;

    /// Each record read keeping `keep` fields.
    fn kept(input: &[u8], keep: usize) -> Result<Kept, String> {
        let mut r = Reader::new(input);
        r.keep_fields(keep);
        read_all(r, |rec| {
            (
                rec.line,
                rec.fields(),
                rec.iter().map(<[u8]>::to_vec).collect(),
            )
        })
    }

    #[test]
    fn a_quoted_line_after_many_plain_ones() {
        // A quote after many plain lines in the same buffer: the lines before it plain, the
        // quoted line whole, the one after plain again.
        let mut text = "a,b\n".repeat(100);
        text.push_str("\"x,y\",z\nc,d\n");
        let got = records(text.as_bytes()).unwrap();
        assert_eq!(got.len(), 102);
        assert_eq!(got[100], (101, fields(&["x,y", "z"])));
        assert_eq!(got[101], (102, fields(&["c", "d"])));
    }

    #[test]
    fn a_plain_line_keeps_its_first_fields_and_counts_the_rest() {
        // Hand-checked: ",," has three fields (not a blank line), "q\"r" goes through the state
        // machine and keeps all of its fields.
        let got = kept(b"a,b,c\n,,\nx\nq\"r,s,t\n", 1).unwrap();
        let v = |f: &[&str]| f.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            got,
            vec![
                (1, 3, v(&["a"])),
                (2, 3, v(&[""])),
                (3, 1, v(&["x"])),
                (4, 3, v(&["q\"r", "s", "t"])),
            ]
        );
    }
}
