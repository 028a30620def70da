//! Input: the folder of tables read, checked and reduced to what the rules need.
//!
//! In: a folder with platforms, lenders, investments, loans and (optionally) recoveries, each
//! as CSV (UTF-8 or GB18030) or Parquet. Out: [`Validated`] — the compact data of
//! [`data::InputData`], one reject per rejected record, and the counts of validation.json.
//! Guarantees: for every table rows read = accepted + rejected; nothing kept refers to a
//! rejected or missing parent; a file that is not a table stops the run with an error naming it.
//!
//! The pieces, in the order a row meets them: [`find`] (which files, which header is which
//! column), [`csv`] and [`csv_table`] (CSV records with their lines, a file's batches) and
//! [`csv_file`] (a CSV file or folder of parts read) or [`parquet`] (Parquet columns with their
//! types), [`source::Column`] (a typed cell or why not), [`validate`] (the
//! rules, and what accepted rows add up to), [`ids`] (ids as integer codes), [`data`] (what is
//! kept), [`report`] (rejects and counts); [`hashes`] the files' SHA-256 for the manifest,
//! taken as they are read.

pub mod ahead;
pub mod buckets;
pub mod cases;
pub mod cells;
pub mod csv;
pub mod csv_file;
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
use crate::domain::schema::Table;
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
            let all_are =
                |format: fn(&find::SourceFormat) -> bool| parts.iter().all(|p| format(&p.format));
            // One stream: each part opened while the last batches of the one before are
            // checked.
            let add = |r: TableReport| {
                progress.end(r.read);
                all.add(r);
            };
            if all_are(|f| matches!(f, find::SourceFormat::Parquet)) {
                parquet::read_parquet(v, parts, config, options, progress, add)?;
            } else if all_are(|f| matches!(f, find::SourceFormat::Csv)) {
                csv_file::read_parts(v, parts, config, options, progress, add)?;
            } else {
                // `find` refuses a folder whose parts mix formats, naming the first other one.
                return Err(Error::Internal(format!(
                    "{}: parts of more than one format",
                    file.path.display()
                )));
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
        find::SourceFormat::Csv => csv_file::read_csv(v, file, config, options, progress),
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
            size.map_or(0, |size| csv_file::rows_to_expect(&part.path, size, &head))
        }
        find::SourceFormat::Xlsx { .. } | find::SourceFormat::Parts(_) => 0,
    }
}
