//! Generate: seeded synthetic input tables that pass validation and look like a real clean-up.
//!
//! In: a [`Spec`] (seed, platforms, lenders, as-of). Out: platforms, lenders, investments,
//! loans and recoveries as CSV or Parquet in an output folder. Guarantees: the same spec gives
//! byte-identical files; every row passes validation; memory stays bounded at any scale,
//! because every entity's values come from its own counter-based random stream ([`rng`]) and
//! tables are written in chunks of a few platforms or a million lenders.
//!
//! Calibration (the wdzj 2018 crawl of 6,354 Chinese platforms, not in this repository): a lender's ticket
//! on a platform is < 1万 for about 60 %, 1–10万 33 %, 10–100万 6.5 %, ≥ 100万 0.3 %
//! (pooled platform-months of `monthly.csv`); about a third of platforms had failed by
//! mid-2018 (2,320 of 6,354 problem platforms in `status.csv`). Platform sizes are
//! heavy-tailed (Pareto), lenders hold positions on several platforms, and every class of
//! the five classes (docs/rules.md) appears through the signals that define it.

mod cases;
mod model;
mod rng;
mod sink;

pub use cases::{generate_cases, CaseCounts, CaseSpec};
pub use model::Spec;
pub use sink::Format;

use rayon::prelude::*;

use crate::error::Result;
use crate::output::Staging;
use crate::progress::{Progress, Unit};
use model::{Model, PlatformPlan};
use sink::{Chunk, TableWriter};

/// Size presets: city (the samples), province, national.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A prefecture-level city: ≈ 50 platforms, 30k lenders.
    City,
    /// ≈ 1k platforms, 5M lenders, 20M investments, 5M loans.
    Province,
    /// 5k platforms, 50M lenders, 200M investments.
    National,
}

/// Rows written per table.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub platforms: u64,
    pub lenders: u64,
    pub investments: u64,
    pub loans: u64,
    pub recoveries: u64,
}

/// Lenders per chunk of the lenders table.
const LENDER_CHUNK: u64 = 250_000;
/// Rows (about) per chunk of platform-ordered tables.
const ROWS_PER_CHUNK: u64 = 400_000;

/// Write every table of `spec` into the staging folder.
pub fn generate(
    spec: &Spec,
    format: Format,
    out: &Staging,
    progress: &dyn Progress,
) -> Result<Counts> {
    let model = Model::plan(spec);
    let ext = match format {
        Format::Csv => "csv",
        Format::Parquet => "parquet",
    };
    let mut counts = Counts::default();

    // platforms: small, one chunk.
    let mut w = TableWriter::create(
        &out.path(&format!("platforms.{ext}")),
        format,
        model::PLATFORM_SCHEMA,
    )?;
    let mut chunk = Chunk::new(format, model::PLATFORM_SCHEMA);
    for p in &model.platforms {
        model.platform_row(p, &mut chunk);
        counts.platforms += 1;
    }
    w.write(chunk)?;
    w.finish()?;

    // loans, investments, recoveries: chunks of whole platforms, generated in parallel.
    let groups = platform_groups(&model.platforms, |p| p.loans + p.positions);
    let planned = |f: fn(&PlatformPlan) -> u64| model.platforms.iter().map(f).sum::<u64>();
    progress.begin(
        &format!("生成 generate loans.{ext}"),
        Some(planned(|p| p.loans)),
        Unit::Rows,
    );
    counts.loans = write_by_platform(
        &model,
        &groups,
        format,
        &out.path(&format!("loans.{ext}")),
        model::LOAN_SCHEMA,
        |m, p, c| m.loan_rows(p, c),
        progress,
    )?;
    progress.end(counts.loans);
    progress.begin(
        &format!("生成 generate investments.{ext}"),
        Some(planned(|p| p.positions)),
        Unit::Rows,
    );
    counts.investments = write_by_platform(
        &model,
        &groups,
        format,
        &out.path(&format!("investments.{ext}")),
        model::INVESTMENT_SCHEMA,
        |m, p, c| m.investment_rows(p, c),
        progress,
    )?;
    progress.end(counts.investments);
    progress.begin(&format!("生成 generate recoveries.{ext}"), None, Unit::Rows);
    counts.recoveries = write_by_platform(
        &model,
        &groups,
        format,
        &out.path(&format!("recoveries.{ext}")),
        model::RECOVERY_SCHEMA,
        |m, p, c| m.recovery_rows(p, c),
        progress,
    )?;
    progress.end(counts.recoveries);

    // lenders: chunks of lender ids, generated in parallel, written in order.
    let mut w = TableWriter::create(
        &out.path(&format!("lenders.{ext}")),
        format,
        model::LENDER_SCHEMA,
    )?;
    let chunks: Vec<(u64, u64)> = (0..spec.lenders)
        .step_by(LENDER_CHUNK as usize)
        .map(|s| (s, (s + LENDER_CHUNK).min(spec.lenders)))
        .collect();
    progress.begin(
        &format!("生成 generate lenders.{ext}"),
        Some(spec.lenders),
        Unit::Rows,
    );
    for window in chunks.chunks(rayon::current_num_threads().max(1) * 2) {
        let built: Vec<Chunk> = window
            .par_iter()
            .map(|(start, end)| {
                let mut c = Chunk::new(format, model::LENDER_SCHEMA);
                for i in *start..*end {
                    model.lender_row(i, &mut c);
                }
                c
            })
            .collect();
        for c in built {
            w.write(c)?;
        }
        progress.advance(window.iter().map(|(a, b)| b - a).sum());
    }
    w.finish()?;
    progress.end(spec.lenders);
    counts.lenders = spec.lenders;
    Ok(counts)
}

/// Consecutive platforms grouped so that each group has about `ROWS_PER_CHUNK` rows.
fn platform_groups(
    platforms: &[PlatformPlan],
    rows: impl Fn(&PlatformPlan) -> u64,
) -> Vec<std::ops::Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut acc = 0;
    for (i, p) in platforms.iter().enumerate() {
        acc += rows(p);
        if acc >= ROWS_PER_CHUNK {
            groups.push(start..i + 1);
            start = i + 1;
            acc = 0;
        }
    }
    if start < platforms.len() {
        groups.push(start..platforms.len());
    }
    groups
}

fn write_by_platform(
    model: &Model,
    groups: &[std::ops::Range<usize>],
    format: Format,
    path: &std::path::Path,
    schema: &[(&str, sink::ColType)],
    rows: impl Fn(&Model, &PlatformPlan, &mut Chunk) -> u64 + Sync,
    progress: &dyn Progress,
) -> Result<u64> {
    let mut w = TableWriter::create(path, format, schema)?;
    let mut total = 0;
    for window in groups.chunks(rayon::current_num_threads().max(1) * 2) {
        let built: Vec<(Chunk, u64)> = window
            .par_iter()
            .map(|range| {
                let mut c = Chunk::new(format, schema);
                let n = model.platforms[range.clone()]
                    .iter()
                    .map(|p| rows(model, p, &mut c))
                    .sum();
                (c, n)
            })
            .collect();
        for (c, n) in built {
            w.write(c)?;
            total += n;
            progress.advance(n);
        }
    }
    w.finish()?;
    Ok(total)
}
