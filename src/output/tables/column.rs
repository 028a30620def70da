//! An export written from its contract: each column is a field of
//! [`crate::domain::exports`] paired with how a row yields its value, and
//! [`write`] checks the columns against the contract (names, order, types) before a byte is
//! written, then writes the rows a slice at a time (an eighth of a row group, [`slice_rows`]),
//! in the order given (no rows: a file with the schema and no row group).
//!
//! Rows are numbers (`0..rows`, or a permutation of them): a getter is a closure over the
//! engine's columns that turns a row number into the value. A getter runs once per cell,
//! inlined into its column's loop; a column is a boxed loop over a slice of rows.

use arrow_array::ArrayRef;

use crate::domain::date::Date;
use crate::domain::exports::{Export, Field, Kind};
use crate::error::{Error, Result};
use crate::output::tables::parquet::{self, ReasonItem, StepItem, Writer};
use crate::output::Staging;

type Values<'a> = Box<dyn Fn(&[usize]) -> Result<ArrayRef> + 'a>;

/// One column of an export being written: its field and its values for a slice of rows.
pub struct Column<'a> {
    field: &'static Field,
    /// The type the getter yields (checked against the field's).
    made_as: Kind,
    values: Values<'a>,
}

impl<'a> Column<'a> {
    fn new(field: &'static Field, made_as: Kind, values: Values<'a>) -> Column<'a> {
        Column {
            field,
            made_as,
            values,
        }
    }

    pub fn text(field: &'static Field, get: impl Fn(usize) -> Option<&'a str> + 'a) -> Self {
        let values = move |rows: &[usize]| Ok(parquet::text(rows.iter().map(|&i| get(i))));
        Column::new(field, Kind::Text, Box::new(values))
    }

    /// Fen, written as Decimal(18,2) yuan.
    /// A money column from a [`crate::domain::money::Fen`] per row (or a column's `i64` fen).
    pub fn money<M: Into<i64>>(
        field: &'static Field,
        get: impl Fn(usize) -> Option<M> + 'a,
    ) -> Self {
        let values = move |rows: &[usize]| {
            parquet::money(field.name, rows.iter().map(|&i| get(i).map(Into::into)))
        };
        Column::new(field, Kind::Money, Box::new(values))
    }

    pub fn int(field: &'static Field, get: impl Fn(usize) -> Option<i64> + 'a) -> Self {
        let values = move |rows: &[usize]| Ok(parquet::ints(rows.iter().map(|&i| get(i))));
        Column::new(field, Kind::Int, Box::new(values))
    }

    pub fn ratio(field: &'static Field, get: impl Fn(usize) -> Option<f64> + 'a) -> Self {
        let values = move |rows: &[usize]| Ok(parquet::ratios(rows.iter().map(|&i| get(i))));
        Column::new(field, Kind::Ratio, Box::new(values))
    }

    pub fn bool(field: &'static Field, get: impl Fn(usize) -> Option<bool> + 'a) -> Self {
        let values = move |rows: &[usize]| Ok(parquet::bools(rows.iter().map(|&i| get(i))));
        Column::new(field, Kind::Bool, Box::new(values))
    }

    pub fn date(field: &'static Field, get: impl Fn(usize) -> Option<Date> + 'a) -> Self {
        let values = move |rows: &[usize]| Ok(parquet::dates(rows.iter().map(|&i| get(i))));
        Column::new(field, Kind::Date, Box::new(values))
    }

    pub fn text_list(field: &'static Field, get: impl Fn(usize) -> &'a [String] + 'a) -> Self {
        let values = move |rows: &[usize]| Ok(parquet::text_lists(rows.iter().map(|&i| get(i))));
        Column::new(field, Kind::TextList, Box::new(values))
    }

    /// The classification's reasons, one list per row.
    pub fn reasons(field: &'static Field, get: impl Fn(usize) -> Vec<ReasonItem> + 'a) -> Self {
        let values = move |rows: &[usize]| {
            let lists: Vec<Vec<ReasonItem>> = rows.iter().map(|&i| get(i)).collect();
            Ok(parquet::reason_lists(&lists))
        };
        Column::new(field, Kind::Reasons, Box::new(values))
    }

    /// The plan's steps, one list per row.
    pub fn steps(field: &'static Field, get: impl Fn(usize) -> Vec<StepItem> + 'a) -> Self {
        let values = move |rows: &[usize]| {
            let lists: Vec<Vec<StepItem>> = rows.iter().map(|&i| get(i)).collect();
            Ok(parquet::step_lists(&lists))
        };
        Column::new(field, Kind::Steps, Box::new(values))
    }
}

/// The rows of an export in the order they are written.
pub enum Rows<'p> {
    /// `0..n` (never materialised: a hundred million rows nationally).
    InOrder(usize),
    /// This permutation of them.
    Order(&'p [usize]),
}

impl Rows<'_> {
    /// `order` when there is one, else `0..n`.
    pub fn of(n: usize, order: Option<&[usize]>) -> Rows<'_> {
        match order {
            Some(o) => Rows::Order(o),
            None => Rows::InOrder(n),
        }
    }
}

/// Write `export` into the staging folder from `columns`, which must be its contract's columns
/// in order with their types; an internal error (nothing written) when they are not.
pub fn write(
    staging: &Staging,
    export: &'static Export,
    columns: &[Column],
    rows: Rows,
) -> Result<()> {
    check(export, columns)?;
    let mut out = Writer::create(staging, export)?;
    let mut write_slice = |slice: &[usize]| -> Result<()> {
        let arrays = columns
            .iter()
            .map(|c| (c.values)(slice))
            .collect::<Result<Vec<_>>>()?;
        out.write(arrays)
    };
    let size = slice_rows();
    match rows {
        Rows::Order(order) => {
            for slice in order.chunks(size) {
                write_slice(slice)?;
            }
        }
        Rows::InOrder(n) => {
            let mut slice = Vec::with_capacity(size.min(n));
            let mut start = 0;
            while start < n {
                slice.clear();
                slice.extend(start..(start + size).min(n));
                write_slice(&slice)?;
                start += size;
            }
        }
    }
    out.finish(staging)
}

/// A partition key of each row (`None`: no value) and the column it is named after.
pub struct Split<'a> {
    pub key: &'static str,
    pub of: Box<dyn Fn(usize) -> Option<&'a str> + 'a>,
}

/// Write `export` as the staging folder lays it out: one file, or (`split`, under
/// `--partition-by`) a hive-partitioned folder `STEM/KEY=VALUE/part-00000.parquet` per value
/// of the key, in the key's byte order, the rows of each in `rows`' order, without the key's
/// own column if the export has one (the folder's name carries it).
pub fn write_split(
    staging: &Staging,
    export: &'static Export,
    columns: &[Column],
    rows: Rows,
    split: Option<Split>,
) -> Result<()> {
    let Some(split) = split.filter(|_| staging.partition().is_some()) else {
        return write(staging, export, columns, rows);
    };
    check(export, columns)?;
    // Each part's rows as runs of consecutive row numbers (first, end), as u32: the claims and
    // payouts come grouped by platform, so a part of them is a few runs however many rows it
    // has (a list of every row number held 0.8 GB at national scale, beside the run's peak).
    // A table of 2^32 rows or more would not fit in memory before it came here.
    let mut parts: std::collections::BTreeMap<Option<&str>, Vec<(u32, u32)>> =
        std::collections::BTreeMap::new();
    let mut add = |i: usize| {
        let runs = parts.entry((split.of)(i)).or_default();
        match runs.last_mut() {
            Some(run) if run.1 as usize == i => run.1 += 1,
            _ => runs.push((i as u32, i as u32 + 1)),
        }
    };
    match rows {
        Rows::Order(order) => order.iter().for_each(|&i| add(i)),
        Rows::InOrder(n) => (0..n).for_each(add),
    }
    let kept: Vec<&Column> = columns
        .iter()
        .filter(|c| c.field.name != split.key)
        .collect();
    let stem = export.file.trim_end_matches(".parquet");
    // An empty table is still a folder: readers find no rows rather than no table.
    let folder = staging.path(stem);
    std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
    let size = slice_rows();
    for (value, rows) in parts {
        let file = format!(
            "{stem}/{}={}/part-00000.parquet",
            split.key,
            crate::domain::hive::encode(value)
        );
        let mut out = Writer::create_at(staging, export, file, Some(split.key))?;
        // Slices of `size` rows, as in one file, whatever the runs (the writer closes each
        // row group at its size).
        let mut write_slice = |slice: &[usize]| -> Result<()> {
            let arrays = kept
                .iter()
                .map(|c| (c.values)(slice))
                .collect::<Result<Vec<_>>>()?;
            out.write(arrays)
        };
        let mut slice: Vec<usize> = Vec::with_capacity(size);
        for (first, end) in rows {
            for i in first..end {
                slice.push(i as usize);
                if slice.len() == size {
                    write_slice(&slice)?;
                    slice.clear();
                }
            }
        }
        if !slice.is_empty() {
            write_slice(&slice)?;
        }
        out.finish(staging)?;
    }
    Ok(())
}

/// Rows made into arrays at a time: an eighth of a row group. The writer encodes each slice as
/// it comes and closes a row group at its size, so the row groups are those of a row group
/// written at once, while the arrays held are an eighth as large (the province run's peak
/// 1.27–1.37 GB → 1.06–1.09 GB). The pages inside a row group end in other places than when
/// it was written at once (the same table read back; docs/performance.md, 2026-12-05).
fn slice_rows() -> usize {
    (parquet::row_group_rows() / 8).max(1)
}

/// The columns are the contract's, in its order, each of its type.
fn check(export: &Export, columns: &[Column]) -> Result<()> {
    let made: Vec<(&str, Kind)> = columns.iter().map(|c| (c.field.name, c.made_as)).collect();
    let contract: Vec<(&str, Kind)> = export.columns.iter().map(|f| (f.name, f.kind)).collect();
    let fields_agree = columns
        .iter()
        .zip(export.columns)
        .all(|(c, f)| c.field == f);
    if made != contract || !fields_agree {
        return Err(Error::Internal(format!(
            "{}: the writer's columns {made:?} are not the contract's {contract:?}",
            export.file
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::exports::districts;

    fn districts_columns() -> Vec<Column<'static>> {
        vec![
            Column::text(&districts::DISTRICT, |_| Some("华容区")),
            Column::text(&crate::domain::exports::CLASS, |_| Some("failed")),
            Column::text(&crate::domain::exports::CLASS_ZH, |_| Some("已出险")),
            Column::int(&districts::LENDERS, |i| Some(i as i64)),
            Column::money(&districts::CLAIMS, |i| Some(i as i64)),
        ]
    }

    #[test]
    fn a_file_stops_at_its_next_row_group_once_the_command_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let inputs = crate::output::folder::staging::Inputs::new();
        let staging = Staging::create(&tmp.path().join("out"), &inputs, false).unwrap();
        write(
            &staging,
            &districts::EXPORT,
            &districts_columns(),
            Rows::InOrder(3),
        )
        .unwrap();
        staging.abandon();
        let e = write(
            &staging,
            &districts::EXPORT,
            &districts_columns(),
            Rows::InOrder(3),
        )
        .unwrap_err();
        assert!(e.to_string().contains("the command was refused"), "{e}");
    }

    #[test]
    fn columns_that_differ_from_the_contract_are_refused() {
        let all = || {
            vec![
                Column::text(&districts::DISTRICT, |_| None),
                Column::text(&crate::domain::exports::CLASS, |_| None),
                Column::text(&crate::domain::exports::CLASS_ZH, |_| None),
                Column::int(&districts::LENDERS, |_| None),
                Column::money(&districts::CLAIMS, |_| None::<i64>),
            ]
        };
        assert!(check(&districts::EXPORT, &all()).is_ok());
        // One missing.
        let mut fewer = all();
        fewer.pop();
        assert!(check(&districts::EXPORT, &fewer).is_err());
        // Two swapped.
        let mut swapped = all();
        swapped.swap(1, 2);
        assert!(check(&districts::EXPORT, &swapped).is_err());
        // A field written as another type.
        let mut retyped = all();
        retyped[3] = Column::ratio(&districts::LENDERS, |_| None);
        assert!(check(&districts::EXPORT, &retyped).is_err());
    }
}
