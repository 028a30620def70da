//! Export: the typed Parquet files of DESIGN §7. Money as Decimal(18,2) yuan (from Int64 fen),
//! dates as Date, ratios as Float64, classes as strings with `class_zh` beside, rows sorted by
//! their keys in byte order, zstd-compressed, so that the same input gives the same bytes.

use std::fs::File;

use polars::prelude::*;

use crate::classify::Classification;
use crate::date::Date;
use crate::error::{Error, PolarsContext, Result};
use crate::exposure::{PlatformExposure, BANDS};
use crate::metrics::{ratio, PlatformMetrics};
use crate::output::Staging;

/// Write a DataFrame as `name` in the staging folder.
pub fn write_parquet(staging: &Staging, name: &str, df: &mut DataFrame) -> Result<()> {
    let path = staging.path(name);
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(df)
        .context(&format!("writing {name}"))?;
    staging.record_rows(name, df.height() as u64);
    Ok(())
}

/// A CSV copy of every Parquet file in the staging folder: UTF-8 with a BOM so that Excel
/// shows the Chinese, money as yuan text. Nested columns (reasons, steps, units, targets)
/// stay in the Parquet only; their one-line forms (reason_zh, reason_en) are in the CSV.
pub fn csv_copies(staging: &Staging) -> Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(staging.dir())
        .map_err(|e| Error::io(staging.dir(), e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    names.sort();
    for name in names {
        let path = staging.path(&name);
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let df = ParquetReader::new(file)
            .finish()
            .context(&format!("reading back {name}"))?;
        let flat: Vec<PlSmallStr> = df
            .columns()
            .iter()
            .filter(|c| !matches!(c.dtype(), DataType::List(_) | DataType::Struct(_)))
            .map(|c| c.name().clone())
            .collect();
        let mut df = df.select(flat).context(&format!("flattening {name}"))?;
        let csv_name = name.replace(".parquet", ".csv");
        let csv_path = staging.path(&csv_name);
        let mut out = File::create(&csv_path).map_err(|e| Error::io(&csv_path, e))?;
        CsvWriter::new(&mut out)
            .include_bom(true)
            .finish(&mut df)
            .context(&format!("writing {csv_name}"))?;
        staging.record_rows(&csv_name, df.height() as u64);
    }
    Ok(())
}

/// A money column (fen) as Decimal(18,2).
fn money(name: &str, fen: impl IntoIterator<Item = Option<i64>>) -> Result<Column> {
    let values: Vec<Option<i64>> = fen.into_iter().collect();
    if values
        .iter()
        .flatten()
        .any(|v| v.unsigned_abs() >= 1_000_000_000_000_000_000)
    {
        return Err(Error::Usage(format!(
            "{name}: an amount of 10^16 yuan or more does not fit Decimal(18,2)"
        )));
    }
    Ok(crate::frame::fen_decimal(PlSmallStr::from_str(name), values)?.into_column())
}

fn floats(name: &str, v: impl IntoIterator<Item = Option<f64>>) -> Column {
    Series::new(
        PlSmallStr::from_str(name),
        v.into_iter().collect::<Vec<_>>(),
    )
    .into_column()
}

fn ints(name: &str, v: impl IntoIterator<Item = Option<i64>>) -> Column {
    Series::new(
        PlSmallStr::from_str(name),
        v.into_iter().collect::<Vec<_>>(),
    )
    .into_column()
}

fn texts(name: &str, v: impl IntoIterator<Item = Option<String>>) -> Column {
    Series::new(
        PlSmallStr::from_str(name),
        v.into_iter().collect::<Vec<_>>(),
    )
    .into_column()
}

fn bools(name: &str, v: impl IntoIterator<Item = bool>) -> Column {
    Series::new(
        PlSmallStr::from_str(name),
        v.into_iter().collect::<Vec<_>>(),
    )
    .into_column()
}

fn dates(name: &str, v: impl IntoIterator<Item = Option<Date>>) -> Result<Column> {
    let days: Vec<Option<i32>> = v.into_iter().map(|d| d.map(|d| d.0)).collect();
    Ok(Series::new(PlSmallStr::from_str(name), days)
        .cast(&DataType::Date)
        .context("building a date column")?
        .into_column())
}

/// One platform's row: metrics, class, exposure roll-up.
pub type PlatformRow = (PlatformMetrics, Classification, PlatformExposure);

/// A share of total_claim: 0 when the total is 0.
fn share(part: i64, total: i64) -> Option<f64> {
    Some(ratio(part, total))
}

/// platforms.parquet: one row per platform (sorted by platform_id), every §3 metric, the class
/// and its reasons, and the §4 roll-ups.
pub fn platforms_frame(platforms: &[PlatformRow]) -> Result<DataFrame> {
    let m = || platforms.iter().map(|(m, _, _)| m);
    let c = || platforms.iter().map(|(_, c, _)| c);
    let x = || platforms.iter().map(|(_, _, x)| x);
    let mut columns = vec![
        texts("platform_id", m().map(|m| Some(m.platform_id.clone()))),
        texts("name", m().map(|m| Some(m.name.clone()))),
        texts("district", m().map(|m| Some(m.district.clone()))),
        texts("class", c().map(|c| Some(c.class.code().to_string()))),
        texts("class_zh", c().map(|c| Some(c.class.zh().to_string()))),
        texts(
            "subclass",
            c().map(|c| c.subclass.map(|s| s.code().to_string())),
        ),
        texts(
            "subclass_zh",
            c().map(|c| c.subclass.map(|s| s.zh().to_string())),
        ),
        bools(
            "refer_to_illegal_fundraising_unit",
            c().map(|c| c.refer_to_illegal_fundraising_unit),
        ),
        money(
            "lender_outstanding",
            m().map(|m| Some(m.lender_outstanding)),
        )?,
        ints("lenders_current", m().map(|m| Some(m.lenders_current))),
        ints("lenders_total", m().map(|m| Some(m.lenders_total))),
        money("loan_outstanding", m().map(|m| Some(m.loan_outstanding)))?,
        ints("borrowers_current", m().map(|m| Some(m.borrowers_current))),
        money("overdue_amount", m().map(|m| Some(m.overdue_amount)))?,
        money("overdue_90_amount", m().map(|m| Some(m.overdue_90_amount)))?,
        floats(
            "overdue_90_ratio",
            m().map(|m| Some(ratio(m.overdue_90_amount, m.loan_outstanding))),
        ),
        floats(
            "top1_borrower_share",
            m().map(|m| Some(ratio(m.top1_borrower_amount, m.loan_outstanding))),
        ),
        floats(
            "top10_borrower_share",
            m().map(|m| Some(ratio(m.top10_borrower_amount, m.loan_outstanding))),
        ),
        floats(
            "related_party_share",
            m().map(|m| Some(ratio(m.related_party_amount, m.loan_outstanding))),
        ),
        money("funding_gap", m().map(|m| Some(m.funding_gap())))?,
        floats(
            "funding_gap_ratio",
            m().map(|m| Some(ratio(m.funding_gap(), m.lender_outstanding))),
        ),
        dates("last_new_loan_on", m().map(|m| m.last_new_loan_on))?,
        ints(
            "months_since_new_loan",
            m().map(|m| m.months_since_new_loan.map(i64::from)),
        ),
        floats(
            "borrower_cap_breach_share",
            m().map(|m| Some(ratio(m.cap_breach_amount, m.loan_outstanding))),
        ),
        floats(
            "maturity_mismatch_share",
            m().map(|m| Some(ratio(m.mismatch_amount, m.linked_amount))),
        ),
        money("expected_recovery", m().map(|m| Some(m.expected_recovery)))?,
        money("total_claim", x().map(|x| Some(x.total_claim)))?,
        money("pool_claim", x().map(|x| Some(x.pool_claim)))?,
        floats(
            "expected_payout_ratio",
            platforms.iter().map(|(m, _, x)| {
                (x.total_claim != 0).then(|| ratio(m.expected_recovery, x.total_claim))
            }),
        ),
        ints("claim_lenders", x().map(|x| Some(x.claim_lenders))),
    ];
    for (i, (band, _)) in BANDS.iter().enumerate() {
        columns.push(ints(
            &format!("{band}_lenders"),
            x().map(|x| Some(x.bands[i].0)),
        ));
        columns.push(money(
            &format!("{band}_claim"),
            x().map(|x| Some(x.bands[i].1)),
        )?);
    }
    columns.extend([
        floats(
            "top1_lender_share",
            x().map(|x| share(x.top1_lender_claim, x.total_claim)),
        ),
        floats(
            "top10_lender_share",
            x().map(|x| share(x.top10_lender_claim, x.total_claim)),
        ),
        floats("claim_hhi", x().map(|x| Some(x.claim_hhi))),
        money("claim_median", x().map(|x| x.claim_median))?,
        ints("net_winners", x().map(|x| Some(x.net_winners))),
        money("net_winner_total", x().map(|x| Some(x.net_winner_total)))?,
        reasons_column(platforms)?,
        texts("reason_zh", c().map(|c| Some(c.reason_zh.clone()))),
        texts("reason_en", c().map(|c| Some(c.reason_en.clone()))),
    ]);
    DataFrame::new(platforms.len(), columns).context("assembling platforms.parquet")
}

/// Replace Int64 fen columns by Decimal(18,2) yuan, in place.
pub fn money_to_decimal(df: &mut DataFrame, names: &[&str]) -> Result<()> {
    for name in names {
        let fen: Vec<Option<i64>> = df
            .column(name)
            .context(name)?
            .i64()
            .context(name)?
            .iter()
            .collect();
        let col = money(name, fen)?;
        df.with_column(col).context(name)?;
    }
    Ok(())
}

/// `reasons`: list of struct {rule, value, threshold, fired}, one list per platform.
fn reasons_column(platforms: &[PlatformRow]) -> Result<Column> {
    let mut rows: Vec<StructRow> = Vec::new();
    let mut offsets = Vec::with_capacity(platforms.len());
    for (_, c, _) in platforms {
        offsets.push(c.reasons.len());
        rows.extend(c.reasons.iter().map(|r| StructRow {
            rule: r.rule,
            value: r.value,
            threshold: r.threshold,
            fired: r.fired,
        }));
    }
    let fields = vec![
        Series::new(
            "rule".into(),
            rows.iter().map(|r| r.rule).collect::<Vec<_>>(),
        ),
        Series::new(
            "value".into(),
            rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        ),
        Series::new(
            "threshold".into(),
            rows.iter().map(|r| r.threshold).collect::<Vec<_>>(),
        ),
        Series::new(
            "fired".into(),
            rows.iter().map(|r| r.fired).collect::<Vec<_>>(),
        ),
    ];
    let structs = StructChunked::from_series("reasons".into(), rows.len(), fields.iter())
        .context("building the reasons structs")?
        .into_series();
    Ok(split_into_lists("reasons", &structs, &offsets))
}

/// A flat series cut into one list entry per row, `lens[i]` items each.
fn split_into_lists(name: &str, flat: &Series, lens: &[usize]) -> Column {
    let mut start = 0;
    let mut lists: Vec<Series> = Vec::with_capacity(lens.len());
    for len in lens {
        lists.push(flat.slice(start as i64, *len));
        start += len;
    }
    if lists.is_empty() {
        // No rows: an empty list column of the right inner type.
        return Series::new_empty(
            PlSmallStr::from_str(name),
            &DataType::List(Box::new(flat.dtype().clone())),
        )
        .into_column();
    }
    Series::new(PlSmallStr::from_str(name), lists).into_column()
}

/// plan.parquet, sorted by platform_id.
pub fn plan_frame(plan: &crate::plan::Plan) -> Result<DataFrame> {
    let mut entries: Vec<&crate::plan::Entry> = plan.entries.iter().collect();
    entries.sort_by(|a, b| {
        a.input
            .platform_id
            .as_bytes()
            .cmp(b.input.platform_id.as_bytes())
    });
    let e = || entries.iter();
    let units_flat = Series::new(
        "responsible_units".into(),
        e().flat_map(|x| x.responsible_units.iter().map(String::as_str))
            .collect::<Vec<_>>(),
    );
    let units = split_into_lists(
        "responsible_units",
        &units_flat,
        &e().map(|x| x.responsible_units.len()).collect::<Vec<_>>(),
    );
    let steps: Vec<&crate::plan::Step> = e().flat_map(|x| x.steps.iter()).collect();
    let step_fields = vec![
        Series::new(
            "step".into(),
            steps.iter().map(|s| s.step).collect::<Vec<_>>(),
        ),
        Series::new(
            "step_zh".into(),
            steps.iter().map(|s| s.step_zh).collect::<Vec<_>>(),
        ),
        dates("due_on", steps.iter().map(|s| Some(s.due_on)))?
            .as_materialized_series()
            .clone(),
    ];
    let structs = StructChunked::from_series("steps".into(), steps.len(), step_fields.iter())
        .context("building the steps structs")?
        .into_series();
    let steps_col = split_into_lists(
        "steps",
        &structs,
        &e().map(|x| x.steps.len()).collect::<Vec<_>>(),
    );
    let columns = vec![
        texts(
            "platform_id",
            e().map(|x| Some(x.input.platform_id.clone())),
        ),
        texts("name", e().map(|x| Some(x.input.name.clone()))),
        texts("district", e().map(|x| Some(x.input.district.clone()))),
        texts("class", e().map(|x| Some(x.input.class.code().to_string()))),
        texts(
            "class_zh",
            e().map(|x| Some(x.input.class.zh().to_string())),
        ),
        texts(
            "subclass",
            e().map(|x| x.input.subclass.map(|s| s.code().to_string())),
        ),
        texts("action", e().map(|x| Some(x.action.to_string()))),
        texts("action_zh", e().map(|x| Some(x.action_zh.to_string()))),
        units,
        ints("stage", e().map(|x| Some(i64::from(x.stage)))),
        dates("start_on", e().map(|x| Some(x.start_on)))?,
        dates("complete_by", e().map(|x| Some(x.complete_by)))?,
        ints("order_rank", e().map(|x| Some(x.order_rank))),
        money(
            "lender_outstanding",
            e().map(|x| Some(x.input.lender_outstanding)),
        )?,
        ints(
            "lenders_current",
            e().map(|x| Some(x.input.lenders_current)),
        ),
        steps_col,
    ];
    DataFrame::new(entries.len(), columns).context("assembling plan.parquet")
}

/// plan_stages.parquet: stage 0 is the start, then each stage end.
pub fn plan_stages_frame(plan: &crate::plan::Plan) -> Result<DataFrame> {
    let s = || plan.stages.iter();
    let targets_flat = Series::new(
        "targets".into(),
        s().flat_map(|x| x.targets.iter().map(|t| t.0.as_str()))
            .collect::<Vec<_>>(),
    );
    let targets = split_into_lists(
        "targets",
        &targets_flat,
        &s().map(|x| x.targets.len()).collect::<Vec<_>>(),
    );
    let columns = vec![
        ints("stage", s().map(|x| Some(i64::from(x.stage)))),
        dates("ends_on", s().map(|x| Some(x.ends_on)))?,
        ints("platforms", s().map(|x| Some(x.platforms))),
        ints("lenders", s().map(|x| Some(x.lenders))),
        money("outstanding", s().map(|x| Some(x.outstanding)))?,
        ints(
            "platforms_remaining",
            s().map(|x| Some(x.platforms_remaining)),
        ),
        money(
            "outstanding_remaining",
            s().map(|x| Some(x.outstanding_remaining)),
        )?,
        ints("lenders_remaining", s().map(|x| Some(x.lenders_remaining))),
        floats(
            "platforms_remaining_pct",
            s().map(|x| Some(x.platforms_remaining_pct)),
        ),
        floats(
            "outstanding_remaining_pct",
            s().map(|x| Some(x.outstanding_remaining_pct)),
        ),
        floats(
            "lenders_remaining_pct",
            s().map(|x| Some(x.lenders_remaining_pct)),
        ),
        targets,
        Series::new(
            "targets_met".into(),
            s().map(|x| (!x.targets.is_empty()).then(|| x.targets.iter().all(|t| t.1)))
                .collect::<Vec<_>>(),
        )
        .into_column(),
    ];
    DataFrame::new(plan.stages.len(), columns).context("assembling plan_stages.parquet")
}

struct StructRow {
    rule: &'static str,
    value: Option<f64>,
    threshold: Option<f64>,
    fired: bool,
}
