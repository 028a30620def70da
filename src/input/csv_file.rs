//! A CSV table file, or a folder's CSV parts, read into a [`source::RowSink`].
//!
//! In: a file (UTF-8 or GB18030, a byte-order mark or not) whose first record is its header.
//! Out: its records handed to the sink a batch at a time as typed columns ([`source::Column`]),
//! with their physical lines, and the file's [`TableReport`]. A file that is not a CSV table
//! (empty, UTF-16, binary, a header the contract cannot map) is one error naming it.
//!
//! A file is read in two steps: [`open`] (its start sniffed, its header mapped, its records
//! tokenized on a thread of their own from then on) and [`read`] (its batches checked). A
//! folder's parts are one stream ([`read_parts`]): the next part is opened — and its first
//! batches tokenized — while the one before is checked, so a small part's tokenizing does not
//! wait for its turn; its errors, progress lines and report still come at its turn, in the
//! parts' order.

use std::io::Read;

use super::source::{self, RowSink};
use super::{csv, csv_table, direct, find, hashes, Encoding, ReadOptions, TableFile};
use crate::config::Config;
use crate::domain::schema::CellType;
use crate::error::{Error, Result};
use crate::input::report::TableReport;
use crate::progress::Progress;

/// About as many rows as a CSV file of `size` bytes has lines, a little over, so that the id
/// tables sized for them need not grow. Judged from its start `head` and, in a file larger
/// than three of them, from as much of its middle and its end: the middle one of the three
/// densities of lines, so that a start (or any one part) unlike the rest — blank lines, a
/// preamble — cannot make room for billions of rows that are not there.
pub fn rows_to_expect(path: &std::path::Path, size: u64, head: &[u8]) -> usize {
    let window = head.len() as u64;
    if window == 0 || size <= 3 * window {
        return rows_from_windows(size, &[head]);
    }
    let middle_and_end = || -> std::io::Result<[Vec<u8>; 2]> {
        use std::os::unix::fs::FileExt;
        let f = std::fs::File::open(path)?;
        let mut windows = [vec![0; head.len()], vec![0; head.len()]];
        f.read_exact_at(&mut windows[0], size / 2)?;
        f.read_exact_at(&mut windows[1], size - window)?;
        Ok(windows)
    };
    match middle_and_end() {
        Ok([middle, end]) => rows_from_windows(size, &[head, &middle, &end]),
        Err(_) => rows_from_windows(size, &[head]),
    }
}

/// `size` bytes times the median density of lines (line ends a byte) of `windows`, 5 % over.
fn rows_from_windows(size: u64, windows: &[&[u8]]) -> usize {
    let mut densities: Vec<f64> = windows
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| memchr::memchr_iter(b'\n', w).count().max(1) as f64 / w.len() as f64)
        .collect();
    if densities.is_empty() {
        return 0;
    }
    densities.sort_by(f64::total_cmp);
    (size as f64 * densities[densities.len() / 2] * 1.05) as usize
}

/// A CSV file opened: its header mapped onto the contract, its records being tokenized.
pub struct Opened<'f> {
    file: &'f TableFile,
    size: u64,
    /// The rows it is judged to hold ([`rows_to_expect`]).
    rows_to_expect: usize,
    table: csv_table::CsvTable,
    /// Each contract column's header position, if the file has it.
    mapping: Vec<Option<usize>>,
    /// The columns its folder's `key=value` names give ([`find::partition_columns`]).
    partitions: Vec<(usize, Option<String>, bool)>,
    /// Each header position by the name a reject would give it.
    position_names: Vec<String>,
    /// The report begun: its encoding and unknown columns.
    report: TableReport,
}

/// Read one CSV file into `v`.
pub fn read_csv(
    v: &mut dyn RowSink,
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<TableReport> {
    let opened = open(&*v, file, config, options)?;
    read(v, opened, progress)
}

/// Read a folder's CSV parts into `v` as one stream, each part's report given to `done` in
/// turn: part `k + 1` is opened (and its first batches tokenized) before part `k` is read, and
/// an error of its opening is told at its turn. The stream stops after a part once `v` wants
/// no more.
pub fn read_parts(
    v: &mut dyn RowSink,
    parts: &[TableFile],
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
    mut done: impl FnMut(TableReport),
) -> Result<()> {
    let mut next = parts.first().map(|p| open(&*v, p, config, options));
    for k in 0..parts.len() {
        let Some(opened) = next.take() else { break };
        let opened = opened?;
        next = parts.get(k + 1).map(|p| open(&*v, p, config, options));
        done(read(v, opened, progress)?);
        if !v.wants_more() {
            break;
        }
    }
    Ok(())
}

/// Open `file`: its start sniffed for what it is, its header read and mapped, and its records
/// tokenized from then on (the fields `v` reads, money and dates parsed on that thread).
pub fn open<'f>(
    v: &dyn RowSink,
    file: &'f TableFile,
    config: &Config,
    options: &ReadOptions,
) -> Result<Opened<'f>> {
    let path = &file.path;
    let f = std::fs::File::open(path)
        .map_err(|e| Error::bad_file(path, format!("cannot open: {e}")))?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    // The manifest's hash of the file taken from the bytes read here (`hashes`); a large file
    // read from disk ahead of the tokenizer, past the page cache (`direct`).
    let mut f: Box<dyn Read + Send> = if direct::wanted(size) {
        drop(f);
        let ahead = direct::Ahead::open(path, hashes::Taker::claim(path))
            .map_err(|e| Error::bad_file(path, format!("cannot open: {e}")))?;
        Box::new(ahead)
    } else {
        Box::new(hashes::Hashed::new(path, f))
    };
    let mut head = Vec::with_capacity(find::SNIFF_BYTES);
    (&mut f)
        .take(find::SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::bad_file(path, format!("cannot read: {e}")))?;
    if head.is_empty() {
        return Err(Error::bad_file(path, "empty file: no header row"));
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Err(Error::bad_file(
            path,
            "UTF-16 text is not supported; save it as UTF-8 or GBK CSV",
        ));
    }
    if find::looks_binary(&head) {
        return Err(Error::bad_file(path, "not a CSV text file (binary data)"));
    }
    let has_bom = head.starts_with(&[0xef, 0xbb, 0xbf]);
    let utf8 = match options.encoding {
        Encoding::Utf8 => true,
        Encoding::Gb18030 => has_bom,
        Encoding::Auto => has_bom || find::starts_as_utf8(&head),
    };
    let rows_to_expect = rows_to_expect(path, size, &head);

    let body = head[if has_bom { 3 } else { 0 }..].to_vec();
    let bytes = std::io::Cursor::new(body).chain(std::io::BufReader::with_capacity(1 << 20, f));
    let reader: Box<dyn Read + Send> = if utf8 {
        Box::new(bytes)
    } else {
        Box::new(csv::Decoded::gb18030(bytes))
    };
    let Some(mut table) = csv_table::CsvTable::open(reader).map_err(|e| csv_error(file, e))? else {
        return Err(Error::bad_file(path, "empty file: no header row"));
    };
    let mut headers = Vec::with_capacity(table.header.len());
    for field in &table.header {
        headers.push(text(path, table.header_line, field)?.to_string());
    }
    let (mapping, mut unknown_columns) = find::map_headers(file, &headers, config)?;
    let partitions = find::partition_columns(file, &mapping, config, &mut unknown_columns);
    let spec = file.table.columns();
    let position_names: Vec<String> = (0..headers.len())
        .map(|i| match mapping.iter().position(|m| *m == Some(i)) {
            Some(j) => spec[j].name.to_string(),
            None => headers[i].trim().to_string(),
        })
        .collect();
    if !v.whole_records() {
        // The fields up to the last one read, the rest of a line neither split nor copied.
        let last = (mapping.iter().enumerate())
            .filter(|&(j, _)| v.reads(file.table, j))
            .filter_map(|(_, m)| *m)
            .max();
        table.keep_fields(last.map_or(1, |h| h + 1));
    }
    if let Some(n) = v.batch_rows(file.table) {
        table.batch_records(n);
    }
    // Money and dates are parsed on the tokenizer's thread, beside the tokenizing.
    table.parse(
        mapping
            .iter()
            .enumerate()
            .filter(|&(j, _)| v.reads(file.table, j))
            .filter_map(|(j, m)| Some(((*m)?, parsed_as(file, j)?)))
            .collect(),
    );
    Ok(Opened {
        file,
        size,
        rows_to_expect,
        table,
        mapping,
        partitions,
        position_names,
        report: TableReport {
            file: file.file_name(),
            encoding: if utf8 { "utf-8" } else { "gb18030" },
            unknown_columns,
            ..TableReport::default()
        },
    })
}

/// Check an opened file's batches in `v`, under a progress stage of its own.
pub fn read(
    v: &mut dyn RowSink,
    opened: Opened<'_>,
    progress: &dyn Progress,
) -> Result<TableReport> {
    let Opened {
        file,
        size,
        rows_to_expect,
        mut table,
        mapping,
        partitions,
        position_names,
        mut report,
    } = opened;
    let path = &file.path;
    v.expect_rows(file.table, rows_to_expect);
    let name = file.file_name();
    progress.begin(
        &format!("校验 validate {name}"),
        Some(size),
        crate::progress::Unit::Bytes,
    );
    let mut done = 0;
    while let Some(rows) = table.next_batch().map_err(|e| csv_error(file, e))? {
        // Each column read: parsed on the tokenizer's thread, or else text — the text columns
        // made in one walk over the batch's records.
        let read: Vec<ReadAs> = (mapping.iter().enumerate())
            .map(|(j, m)| match *m {
                Some(h) if v.reads(file.table, j) => {
                    match parsed_as(file, j).and_then(|kind| Some((kind, rows.parsed(h, kind)?))) {
                        Some((kind, cells)) => ReadAs::Parsed(h, kind, cells),
                        None => ReadAs::Text(h),
                    }
                }
                _ => ReadAs::Absent,
            })
            .collect();
        let text_fields: Vec<usize> = (read.iter())
            .filter_map(|r| match *r {
                ReadAs::Text(h) => Some(h),
                _ => None,
            })
            .collect();
        let texts = rows.text_columns(&text_fields, |r, field| text(path, rows.lines[r], field))?;
        let mut texts = texts.into_iter();
        let mut columns = Vec::with_capacity(mapping.len());
        for r in read {
            columns.push(match r {
                ReadAs::Parsed(field, kind, cells) => source::Column::Parsed {
                    kind,
                    cells,
                    batch: &rows,
                    field,
                },
                // One text column a field asked for, in their order.
                ReadAs::Text(_) => source::Column::Text(texts.next().unwrap_or_default()),
                ReadAs::Absent => source::Column::Absent,
            });
        }
        let faults = source::apply_partitions(&mut columns, &partitions, rows.len());
        let batch = source::Batch {
            lines: &rows.lines,
            columns,
            csv: Some(source::CsvRows {
                batch: &rows,
                width: position_names.len(),
                position_names: &position_names,
            }),
            faults: &faults,
        };
        v.batch(file.table, &name, &batch, &mut report);
        drop(batch);
        progress.advance(rows.offset.saturating_sub(done));
        done = done.max(rows.offset);
        table.recycle(rows);
        if !v.wants_more() {
            break;
        }
    }
    Ok(report)
}

/// How a contract column of a CSV batch is read.
enum ReadAs<'b> {
    /// Not in the file, or not read by this run.
    Absent,
    /// Field `.0`, parsed on the tokenizer's thread as `.1`: its cells.
    Parsed(usize, csv_table::Parse, &'b [source::Cell<i64>]),
    /// Field `.0`, as text.
    Text(usize),
}

/// How contract column `j` of `file`'s table is parsed on the tokenizer's thread: money and
/// dates; any other is read as text.
fn parsed_as(file: &TableFile, j: usize) -> Option<csv_table::Parse> {
    match file.table.columns()[j].ty {
        CellType::Money => Some(csv_table::Parse::Money),
        CellType::Date => Some(csv_table::Parse::Date),
        _ => None,
    }
}

/// The tokenizer's error as the file's: bytes of no known encoding, an unclosed quote or a
/// NUL byte with its line, a read that failed.
fn csv_error(file: &TableFile, e: csv::CsvError) -> Error {
    match e {
        csv::CsvError::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => Error::bad_file(
            &file.path,
            "unknown encoding: neither UTF-8 nor GB18030/GBK text",
        ),
        e => Error::bad_file(&file.path, e.to_string()),
    }
}

/// A field as text: UTF-8 (the GB18030 path is decoded already), or an error naming the line.
fn text<'a>(path: &std::path::Path, line: u64, field: &'a [u8]) -> Result<&'a str> {
    std::str::from_utf8(field).map_err(|_| {
        Error::bad_file(
            path,
            format!("line {line}: invalid UTF-8 (for GBK/GB18030 files pass --encoding gbk)"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_files_rows_are_judged_from_the_density_of_its_lines() {
        // Two lines in 8 bytes of a 1,000-byte file: 250 lines, and 5 % over.
        assert_eq!(rows_from_windows(1_000, &[b"a,1\nb,2\n"]), 262);
        // A window without a line end counts as one line.
        assert_eq!(rows_from_windows(100, &[b"abcd"]), 26);
        assert_eq!(rows_from_windows(0, &[b""]), 0);
        // The middle density of three: a start of blank lines does not count.
        let blank = [b'\n'; 8];
        assert_eq!(
            rows_from_windows(1_000, &[&blank, b"a,1\nb,2\n", b"c,3\nd,4\n"]),
            262
        );
    }

    #[test]
    fn a_csv_file_that_starts_unlike_the_rest_is_judged_by_its_middle_and_end() {
        // 64 KiB of blank lines, then 40,000 rows of 27 bytes: judged by its start alone it
        // would hold over a million lines; by its middle and end, the file's 1.15 MB over 27
        // bytes a row, 5 % over: about 44,500.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lenders.csv");
        let mut bytes = vec![b'\n'; find::SNIFF_BYTES];
        for i in 0..40_000 {
            bytes.extend_from_slice(format!("L{i:08},name,13800000000\n").as_bytes());
        }
        assert_eq!(bytes.len(), find::SNIFF_BYTES + 40_000 * 27);
        std::fs::write(&path, &bytes).unwrap();
        let head = &bytes[..find::SNIFF_BYTES];
        let rows = rows_to_expect(&path, bytes.len() as u64, head);
        assert!((44_000..45_000).contains(&rows), "{rows}");
        assert!(rows_from_windows(bytes.len() as u64, &[head]) > 1_000_000);
    }
}
