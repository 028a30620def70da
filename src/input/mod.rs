//! Input: the folder of tables read, checked and reduced to what the rules need.
//!
//! In: a folder with platforms, lenders, investments, loans and (optionally) recoveries, each
//! as CSV (UTF-8 or GB18030) or Parquet. Out: [`Validated`] — the compact data of
//! [`data::InputData`], one reject per rejected record, and the counts of validation.json.
//! Guarantees: for every table rows read = accepted + rejected; nothing kept refers to a
//! rejected or missing parent; a file that is not a table stops the run with an error naming it.
//!
//! The pieces, in the order a row meets them: [`find`] (which files, which header is which
//! column), [`csv`] and [`csv_table`] (CSV records with their lines) or [`parquet`] (Parquet
//! columns with their types), [`source::Column`] (a typed cell or why not), [`validate`] (the
//! rules, and what accepted rows add up to), [`ids`] (ids as integer codes), [`data`] (what is
//! kept), [`report`] (rejects and counts); [`hashes`] the files' SHA-256 for the manifest,
//! taken as they are read.

pub mod ahead;
pub mod buckets;
pub mod cases;
pub mod cells;
pub mod csv;
pub mod csv_table;
pub mod data;
pub mod direct;
pub mod find;
pub mod hashes;
pub mod ids;
pub mod parquet;
pub mod probes;
pub mod repeats;
pub mod report;
pub mod set_aside;
pub mod source;
pub mod validate;
pub mod xlsx;

use std::collections::BTreeMap;
use std::io::Read;

use crate::config::Config;
use crate::domain::date::Date;
use crate::domain::schema::{CellType, Table};
use crate::error::{DataProblem, Error, Result};
use crate::progress::Progress;

pub use data::InputData;
pub use find::{find_tables, Encoding, ReadOptions, TableFile};
pub use report::{AsOfSource, Reason, RejectRow, Report, TableReport};

/// Options of a validation run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub read: ReadOptions,
    /// Rows dated after it are rejected (`after_as_of`); without it, as-of is the latest date.
    pub as_of: Option<Date>,
    /// Keep lenders' names and id numbers (for a payment file).
    pub personal: bool,
}

/// Everything validation produces.
pub struct Validated {
    pub data: InputData,
    pub report: Report,
    pub rejects: Vec<RejectRow>,
}

/// Validate the input folder `dir`.
pub fn validate(
    dir: &std::path::Path,
    config: &Config,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Validated> {
    let files = find::find_tables(dir)?;
    // With a returns table the lenders' accounts are kept, to tell whether a returned
    // transfer's account has changed since.
    let mut v = validate::Validator::new(
        options.as_of,
        &config.classify,
        config.recovery,
        options.personal || files.contains_key(&Table::Returns),
    );
    let mut reports = BTreeMap::new();
    let file = |table: Table| {
        files.get(&table).ok_or_else(|| {
            Error::Internal(format!("the required table {} was not found", table.name()))
        })
    };
    // What a table adds up to once it is read: its own stage under -v.
    let finish = |name: &str| progress.begin(name, None, crate::progress::Unit::Files);
    // The platforms first: every other table names them.
    let platforms = read_table(
        &mut v,
        file(Table::Platforms)?,
        config,
        &options.read,
        progress,
    )?;
    reports.insert(Table::Platforms, platforms);
    // The lenders are read on a thread of their own beside the longer of the two things that
    // need nothing of them: a text first pass over the investments (as long as the lenders'
    // read), or else the loans (a Parquet first pass takes a few seconds). Large investments
    // whose first ids ascend are read once on the wager that they all do
    // ([`repeats::Ascending`]): text then has no first pass, and its lenders are read beside
    // the loans too (the national CSV run: 7.1 GB while both are read, ranked after).
    let investments = file(Table::Investments)?;
    let (loans, lenders) = (file(Table::Loans)?, file(Table::Lenders)?);
    let twice = reads_twice(investments);
    let text = !columnar(investments);
    // Smaller text is checked against a set of its ids unless they ascend too: the set,
    // filled at random, was most of what the province's CSV cost beyond its Parquet.
    let once = if twice {
        !text || first_ids_ascend(investments, config, &options.read)
    } else {
        wagers_on_text(investments) && first_ids_ascend(investments, config, &options.read)
    };
    let first_pass =
        |progress: &dyn Progress| find_repeats(investments, config, &options.read, progress);
    let (repeats, side) = if twice && text && !once {
        let report = read_table(&mut v, loans, config, &options.read, progress)?;
        reports.insert(Table::Loans, report);
        finish_loans(&mut v, progress)?;
        let (found, side) = with_lenders_beside(
            &mut v,
            lenders,
            LendersBeside::FirstPass,
            config,
            options,
            progress,
            |_| first_pass(progress),
        )?;
        (Some(found), side)
    } else {
        let (report, side) = with_lenders_beside(
            &mut v,
            lenders,
            LendersBeside::Loans,
            config,
            options,
            progress,
            |v| read_table(v, loans, config, &options.read, progress),
        )?;
        reports.insert(Table::Loans, report);
        finish_loans(&mut v, progress)?;
        let side = LendersRead {
            aside: rank_lenders(&mut v, progress)?,
            ..side
        };
        (
            (twice && !once).then(|| first_pass(progress)).transpose()?,
            side,
        )
    };
    reports.insert(Table::Lenders, side.lenders);
    if let Some(found) = repeats {
        v.repeats = repeats::Repeated::Found(found);
    }
    let report = if once {
        read_ascending(&mut v, investments, twice, config, &options.read, progress)?
    } else {
        read_table(&mut v, investments, config, &options.read, progress)?
    };
    reports.insert(Table::Investments, report);
    finish("整理 positions (investments)");
    v.finish_investments()?;
    progress.end(0);
    if let Some(ids) = side.aside {
        v.data.lenders.ids = ids.map()?;
    }
    for table in [Table::Recoveries, Table::Returns] {
        if let Some(file) = files.get(&table) {
            let report = read_table(&mut v, file, config, &options.read, progress)?;
            reports.insert(table, report);
        }
    }
    if let Some(table) = v.full {
        return Err(Error::from(DataProblem::TooManyRows {
            table: table.name().to_string(),
        }));
    }
    for ((table, column), total) in &v.money_totals {
        if *total > i128::from(i64::MAX) {
            return Err(Error::from(DataProblem::SumBeyondFen {
                table: table.name().to_string(),
                column: column.to_string(),
            }));
        }
    }
    let as_of = options.as_of.or(v.latest_date);
    let report = Report {
        as_of,
        as_of_source: if options.as_of.is_some() {
            AsOfSource::Given
        } else {
            AsOfSource::LatestDate
        },
        tables: reports,
        warnings: BTreeMap::from([
            ("invalid_id_number", v.invalid_id_numbers),
            ("invalid_bank_account", v.invalid_bank_accounts),
        ]),
    };
    Ok(Validated {
        data: v.data,
        report,
        rejects: v.rejects,
    })
}

/// What the loans add up to once read (their borrowers), under its own stage.
fn finish_loans(v: &mut validate::Validator, progress: &dyn Progress) -> Result<()> {
    progress.begin("整理 borrowers (loans)", None, crate::progress::Unit::Files);
    v.finish_loans()?;
    progress.end(0);
    Ok(())
}

/// The lenders ranked (the byte order of their ids, which every output follows), and their
/// ids when they were written aside to TMPDIR as they were read ([`set_aside`]), until the
/// positions are made.
fn rank_lenders(
    v: &mut validate::Validator,
    progress: &dyn Progress,
) -> Result<Option<set_aside::SetAside>> {
    progress.begin("整理 lender id order", None, crate::progress::Unit::Files);
    let aside = v.finish_lenders()?;
    progress.end(0);
    Ok(aside)
}

/// The lenders as read on their own thread.
struct LendersRead {
    lenders: TableReport,
    /// The lenders' ids, when set aside until the positions are made.
    aside: Option<set_aside::SetAside>,
}

/// What the lenders are read beside, which says whose error is told when both fail (the table
/// read first in the tables' order) and when the lenders are ranked and their ids set aside.
#[derive(Clone, Copy)]
enum LendersBeside {
    /// The loans, read before the lenders: the loans' error first. The lenders are ranked
    /// after the loans are finished ([`rank_lenders`]), not beside them: the ranking's sort
    /// holds 1 GB more at national scale (a 16-byte key per lender), and beside the loans'
    /// borrower tables it made the run's peak (up to 7.9 GB, against 7.3 GB after).
    Loans,
    /// The investments' text first pass, read after the lenders: the lenders' error first;
    /// ranked beside it (the pass holds little).
    FirstPass,
}

/// `work` on this thread while the lenders — read, and beside a first pass ranked and their
/// ids set aside in TMPDIR — are on a thread of their own: a lender row names no platform or
/// loan and no investment, and each side keeps about one core busy. The result is the
/// sequential one: the earlier table's error told when both fail, the lenders' rejects after
/// the loans' (their validator's state is lent and merged back), their `-v` lines told after
/// the work's.
#[allow(clippy::too_many_arguments)]
fn with_lenders_beside<T>(
    v: &mut validate::Validator,
    lenders: &TableFile,
    beside_what: LendersBeside,
    config: &Config,
    options: &Options,
    progress: &dyn Progress,
    work: impl FnOnce(&mut validate::Validator) -> Result<T>,
) -> Result<(T, LendersRead)> {
    let mut apart = v.lenders_apart();
    let beside = crate::progress::Beside::default();
    let (worked, side_read) = std::thread::scope(|scope| {
        let side = scope.spawn(|| {
            let lenders = read_table(&mut apart, lenders, config, &options.read, &beside)?;
            let aside = match beside_what {
                LendersBeside::FirstPass => rank_lenders(&mut apart, &beside)?,
                LendersBeside::Loans => None,
            };
            Ok::<_, Error>(LendersRead { lenders, aside })
        });
        let worked = work(v);
        let side_read = side
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (worked, side_read)
    });
    let (worked, side_read) = match beside_what {
        LendersBeside::Loans => {
            let worked = worked?;
            (worked, side_read?)
        }
        LendersBeside::FirstPass => {
            let side_read = side_read?;
            (worked?, side_read)
        }
    };
    v.merge_lenders(apart);
    beside.tell(progress);
    Ok((worked, side_read))
}

/// Whether a table is (or its parts are) Parquet.
fn columnar(file: &TableFile) -> bool {
    match &file.format {
        find::SourceFormat::Parts(parts) => parts.iter().any(columnar),
        format => matches!(format, find::SourceFormat::Parquet),
    }
}

/// Text investments (CSV, Excel) up to this size are checked for repeated ids with a set
/// held while they are read (at most some 0.8 GB for 33 million rows of 75 bytes): a first
/// pass would tokenize the whole text again, nearly doubling the table's read. Beyond it, and
/// for Parquet, whose id column is read alone in a fraction of the time, the first pass keeps
/// the memory bounded whatever the size.
const SET_TEXT_BYTES: u64 = 2_500_000_000;

/// Whether the investments are read twice, a first pass finding the repeated ids.
fn reads_twice(file: &TableFile) -> bool {
    let files: Vec<&TableFile> = match &file.format {
        find::SourceFormat::Parts(parts) => parts.iter().collect(),
        _ => vec![file],
    };
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0))
        .sum();
    columnar(file) || bytes > text_first_pass_from()
}

/// [`SET_TEXT_BYTES`], or `WINDDOWN_TEXT_FIRST_PASS_BYTES`: the tests read small text
/// investments twice with it, as a national CSV is (docs/inputs.md). The outputs are the same
/// either way; only the memory and time differ.
fn text_first_pass_from() -> u64 {
    crate::memory::size_from_env("WINDDOWN_TEXT_FIRST_PASS_BYTES", SET_TEXT_BYTES)
}

/// The first pass over the investments: the rows whose investment_id an earlier row has
/// ([`repeats`]), the id column alone read, under a stage of its own.
fn find_repeats(
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<repeats::Repeats> {
    let column = Table::Investments.position("investment_id");
    let mut finder = repeats::RepeatFinder::new(column, repeats::MEMORY_RECORDS);
    let stage = crate::progress::Renamed {
        inner: progress,
        name: "查重 repeated investment ids",
    };
    let mut pass =
        source::OneColumn::new(Table::Investments, column, |batch: &source::Batch, _| {
            finder.take(batch);
            true
        });
    read_table(&mut pass, file, config, options, &stage)?;
    finder.finish()
}

/// Whether the ids of the investments' first batch ascend (a look at a few thousand rows,
/// without a `-v` line): the sign that the table was written in the order of its key. A file
/// that cannot be read says no here: its error is told when the table's turn comes, after the
/// errors of the tables read before it.
fn first_ids_ascend(file: &TableFile, config: &Config, options: &ReadOptions) -> bool {
    let mut ids = repeats::Ascending::default();
    let mut look = source::OneColumn::new(
        Table::Investments,
        Table::Investments.position("investment_id"),
        |batch: &source::Batch, column| {
            ids.follow(batch, column);
            false // the first batch is all it looks at
        },
    );
    let read = read_table(&mut look, file, config, options, &crate::progress::Silent).is_ok();
    read && ids.holds()
}

/// The investments read once, on the wager that their ids ascend (none can then repeat an
/// earlier one). At the first id that does not, the read stops, what it changed is taken back,
/// and the table is read again: after a first pass that finds the repeated ids if it is one
/// read `twice` (Parquet, large text), else against a set of the ids seen.
fn read_ascending(
    v: &mut validate::Validator,
    file: &TableFile,
    twice: bool,
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<TableReport> {
    let before = v.before_investments();
    v.repeats = repeats::Repeated::Ascending(repeats::Ascending::default());
    let report = read_table(v, file, config, options, progress)?;
    if !v.repeats.broken() {
        return Ok(report);
    }
    v.back_to(before);
    v.repeats = if twice {
        repeats::Repeated::Found(find_repeats(file, config, options, progress)?)
    } else {
        repeats::Repeated::Set(crate::input::ids::FpSet::with_expected(0))
    };
    read_table(v, file, config, options, progress)
}

/// Whether text investments read once are worth a wager on their order: CSV, whose first
/// batch is a look at a few thousand rows. An Excel sheet is read whole to give its first row
/// (and holds at most 1,048,575 rows, a small set).
fn wagers_on_text(file: &TableFile) -> bool {
    match &file.format {
        find::SourceFormat::Parts(parts) => parts.iter().all(wagers_on_text),
        format => matches!(format, find::SourceFormat::Csv),
    }
}

/// Read one table, a file or a folder of parts (one part after the other, as if they were one
/// file; its report is the folder's), into `v`.
pub fn read_table(
    v: &mut dyn source::RowSink,
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<TableReport> {
    let report = match &file.format {
        find::SourceFormat::Parts(parts) => {
            let mut all = TableReport {
                file: file.file_name(),
                ..TableReport::default()
            };
            // Room for every part's rows at once: the id tables sized once, as for one file.
            let rows = parts
                .iter()
                .map(expected_rows)
                .fold(0, usize::saturating_add);
            v.expect_rows(file.table, rows);
            if parts
                .iter()
                .all(|p| matches!(p.format, find::SourceFormat::Parquet))
            {
                // One stream: each part opened while the last batches of the one before are
                // checked.
                parquet::read_parquet(v, parts, config, options, progress, |r| {
                    progress.end(r.read);
                    all.add(r);
                })?;
            } else {
                for part in parts {
                    let r = read_file(v, part, config, options, progress)?;
                    progress.end(r.read);
                    all.add(r);
                    if !v.wants_more() {
                        break;
                    }
                }
            }
            all
        }
        _ => read_file(v, file, config, options, progress)?,
    };
    progress.end(report.read);
    Ok(report)
}

/// Validate one table file (a part of a folder too).
fn read_file(
    v: &mut dyn source::RowSink,
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<TableReport> {
    match &file.format {
        find::SourceFormat::Parquet => {
            let mut report = None;
            let one = std::slice::from_ref(file);
            parquet::read_parquet(v, one, config, options, progress, |r| report = Some(r))?;
            report.ok_or_else(|| Error::Internal(format!("{}: not read", file.path.display())))
        }
        find::SourceFormat::Csv => read_csv(v, file, config, options, progress),
        find::SourceFormat::Xlsx { sheet } => xlsx::read_xlsx(v, file, sheet, config, progress),
        find::SourceFormat::Parts(_) => Err(Error::Internal(format!(
            "{}: a folder of parts inside a folder of parts",
            file.path.display()
        ))),
    }
}

/// About how many rows a part holds, read before any part is (0 where it cannot be told: the
/// part's own read reports why): a Parquet footer's count, a CSV file's size over the lines of
/// its start, nothing for a workbook.
fn expected_rows(part: &TableFile) -> usize {
    match &part.format {
        find::SourceFormat::Parquet => crate::table::batches::ParquetBatches::open(&part.path)
            .map_or(0, |(batches, _)| batches.rows_to_expect()),
        find::SourceFormat::Csv => {
            let mut head = Vec::with_capacity(find::SNIFF_BYTES);
            let size = std::fs::File::open(&part.path).and_then(|f| {
                let size = f.metadata()?.len();
                f.take(find::SNIFF_BYTES as u64).read_to_end(&mut head)?;
                Ok(size)
            });
            size.map_or(0, |size| csv_rows_to_expect(&part.path, size, &head))
        }
        find::SourceFormat::Xlsx { .. } | find::SourceFormat::Parts(_) => 0,
    }
}

/// About as many rows as a CSV file of `size` bytes has lines, a little over, so that the id
/// tables sized for them need not grow. Judged from its start `head` and, in a file larger
/// than three of them, from as much of its middle and its end: the middle one of the three
/// densities of lines, so that a start (or any one part) unlike the rest — blank lines, a
/// preamble — cannot make room for billions of rows that are not there.
fn csv_rows_to_expect(path: &std::path::Path, size: u64, head: &[u8]) -> usize {
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

// ---------------------------------------------------------------- CSV

fn read_csv(
    v: &mut dyn source::RowSink,
    file: &TableFile,
    config: &Config,
    options: &ReadOptions,
    progress: &dyn Progress,
) -> Result<TableReport> {
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
    v.expect_rows(file.table, csv_rows_to_expect(path, size, &head));

    let body = head[if has_bom { 3 } else { 0 }..].to_vec();
    let bytes = std::io::Cursor::new(body).chain(std::io::BufReader::with_capacity(1 << 20, f));
    let reader: Box<dyn Read + Send> = if utf8 {
        Box::new(bytes)
    } else {
        Box::new(csv::Decoded::gb18030(bytes))
    };
    let csv_err = |e: csv::CsvError| match e {
        csv::CsvError::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            Error::bad_file(path, "unknown encoding: neither UTF-8 nor GB18030/GBK text")
        }
        e => Error::bad_file(path, e.to_string()),
    };
    let Some(mut table) = csv_table::CsvTable::open(reader).map_err(csv_err)? else {
        return Err(Error::bad_file(path, "empty file: no header row"));
    };
    let mut headers = Vec::with_capacity(table.header.len());
    for field in &table.header {
        headers.push(text(path, table.header_line, field)?.to_string());
    }
    let (mapping, mut unknown_columns) = find::map_headers(file, &headers, config)?;
    let partitions = find::partition_columns(file, &mapping, config, &mut unknown_columns);
    let spec = file.table.columns();
    // Each header position by the name a reject would give it.
    let position_names: Vec<String> = (0..headers.len())
        .map(|i| match mapping.iter().position(|m| *m == Some(i)) {
            Some(j) => spec[j].name.to_string(),
            None => headers[i].trim().to_string(),
        })
        .collect();
    let mut report = TableReport {
        file: file.file_name(),
        encoding: if utf8 { "utf-8" } else { "gb18030" },
        unknown_columns,
        ..TableReport::default()
    };
    let name = file.file_name();
    progress.begin(
        &format!("校验 validate {name}"),
        Some(size),
        crate::progress::Unit::Bytes,
    );
    // Money and dates are parsed on the tokenizer's thread, beside the tokenizing.
    let parse = |j: usize| match spec[j].ty {
        CellType::Money => Some(csv_table::Parse::Money),
        CellType::Date => Some(csv_table::Parse::Date),
        _ => None,
    };
    if !v.whole_records() {
        // The fields up to the last one read, the rest of a line neither split nor copied.
        let last = (mapping.iter().enumerate())
            .filter(|&(j, _)| v.reads(file.table, j))
            .filter_map(|(_, m)| *m)
            .max();
        table.keep_fields(last.map_or(1, |h| h + 1));
    }
    table.parse(
        mapping
            .iter()
            .enumerate()
            .filter(|&(j, _)| v.reads(file.table, j))
            .filter_map(|(j, m)| Some(((*m)?, parse(j)?)))
            .collect(),
    );
    let mut done = 0;
    while let Some(rows) = table.next_batch().map_err(csv_err)? {
        let mut columns = Vec::with_capacity(spec.len());
        for (j, m) in mapping.iter().enumerate() {
            let column = match *m {
                Some(h) if v.reads(file.table, j) => {
                    match parse(j).and_then(|kind| Some((kind, rows.parsed(h, kind)?))) {
                        Some((kind, cells)) => source::Column::Parsed {
                            kind,
                            cells,
                            batch: &rows,
                            field: h,
                        },
                        None => source::Column::Text(text_cells(path, &rows, h)?),
                    }
                }
                _ => source::Column::Absent,
            };
            columns.push(column);
        }
        let faults = source::apply_partitions(&mut columns, &partitions, rows.len());
        let batch = source::Batch {
            lines: &rows.lines,
            columns,
            csv: Some(source::CsvRows {
                batch: &rows,
                width: headers.len(),
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

/// Field `h` of every record of a CSV batch as text (`None` where a record is short of it).
fn text_cells<'a>(
    path: &std::path::Path,
    rows: &'a csv_table::CsvBatch,
    h: usize,
) -> Result<Vec<Option<&'a str>>> {
    rows.texts(h, |r, field| text(path, rows.lines[r], field))
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
        let rows = csv_rows_to_expect(&path, bytes.len() as u64, head);
        assert!((44_000..45_000).contains(&rows), "{rows}");
        assert!(rows_from_windows(bytes.len() as u64, &[head]) > 1_000_000);
    }
}
