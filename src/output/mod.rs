//! Output: everything a command writes, by job. [`folder`]: the output folder itself, checked
//! before any work, committed atomically with every file fsynced, closed by its manifest;
//! [`tables`]: the Parquet exports with their column descriptions, and their CSV copies;
//! [`documents`]: the report, summary, plan, notices, bulletin, workbook and statements;
//! [`bank`]: the payment file, the bank batches and the register of issued transfers, committed
//! together with the folder; [`console`]: what a command prints as data on stdout (`--format
//! json|csv`). Here: rejects.csv and validation.json, and the commit of a
//! command's folder with what leaves for the bank ([`finish_with_batches`]).

use std::io::Write;
use std::path::PathBuf;

use crate::domain::text::excel_safe;
use crate::error::{Error, Result};
use crate::input::{RejectRow, Validated};
use bank::{batches, register};
use folder::{manifest, records};

pub mod bank;
pub mod console;
pub mod documents;
pub mod folder;
pub mod schemas;
pub mod tables;

pub use bank::payment::PaymentFile;
pub use folder::staging::{Inputs, Staging};

/// What the manifest records besides the files of the folder.
#[derive(Debug, Default)]
pub struct Record<'a> {
    /// The command that wrote the folder.
    pub command: &'a str,
    /// The config text in force (the defaults when none was given); None for `generate`.
    pub config_text: Option<String>,
    pub as_of: Option<crate::domain::date::Date>,
    /// (table, file as named in the input folder, path) of every input file read.
    pub inputs: Vec<(String, String, PathBuf)>,
    /// The options in force after the command line's overrides.
    pub settings: Option<records::Settings>,
}

/// Write manifest.json into the staging folder and commit it.
pub fn finish(staging: Staging, record: Record) -> Result<()> {
    finish_with_batches(staging, record, Issue::default())
}

/// What leaves for the bank with a command's output folder: the payment file, the bank
/// batches, and the register of issued transfers that records them.
#[derive(Default)]
pub struct Issue<'a> {
    pub payment: Option<&'a mut PaymentFile>,
    pub batches: Option<&'a mut batches::PaymentBatches>,
    pub register: Option<&'a mut register::Register>,
}

/// [`finish`], with the bank batches of `--payments` placed after the swap too, and the
/// register rewritten last: the folder, the payment file, the batches and the register are
/// committed together or not at all.
pub fn finish_with_batches(staging: Staging, record: Record, issue: Issue) -> Result<()> {
    let Issue {
        payment,
        mut batches,
        mut register,
    } = issue;
    let sealed = match payment {
        Some(p) => Some((p.seal()?, p)),
        None => None,
    };
    let manifest = manifest::manifest(
        staging.dir(),
        &staging.rows(),
        &staging.hashes(),
        &record,
        sealed.as_ref().map(|(s, _)| s.record()),
        batches.as_ref().map(|b| b.records()).unwrap_or_default(),
    )?;
    staging.write("manifest.json", &json_bytes(&manifest)?)?;
    if let (Some(reg), Some((s, _))) = (register.as_deref_mut(), sealed.as_ref()) {
        reg.seal_file(&s.file, &s.sha256);
    }
    if let Some(reg) = register.as_deref() {
        reg.stage()?;
    }
    let result = staging.commit_with(|| {
        if let Some(b) = &mut batches {
            b.place()?;
        }
        // The payment file, then the register; if either fails, what was placed goes back.
        let placed = (|| -> Result<()> {
            if let Some((_, p)) = sealed {
                p.place()?;
                if let Some(Err(e)) = register.as_deref().map(register::Register::place) {
                    p.unplace();
                    return Err(e);
                }
            } else if let Some(reg) = register.as_deref() {
                reg.place()?;
            }
            Ok(())
        })();
        if placed.is_err() {
            if let Some(b) = &mut batches {
                b.unplace();
            }
        }
        placed
    });
    if let Some(reg) = register.as_deref() {
        reg.discard();
    }
    result
}

/// rejects.csv: `table, file, line, column, value, reason`, in table order then line order.
pub fn rejects_csv(
    rejects: &[RejectRow],
    pseudonyms: Option<&manifest::Pseudonymizer>,
) -> Result<Vec<u8>> {
    let mut rows: Vec<&RejectRow> = rejects.iter().collect();
    rows.sort_by(|a, b| (a.table, a.line, &a.column).cmp(&(b.table, b.line, &b.column)));
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Internal(format!("writing rejects.csv: {e}"));
    w.write_record(["table", "file", "line", "column", "value", "reason"])
        .map_err(err)?;
    for r in rows {
        // Opened in Excel: a value (or a workbook's sheet name) that reads as a formula is
        // written with a leading ' (docs/outputs.md).
        let value = reject_value(r, pseudonyms);
        w.write_record([
            r.table.name(),
            &excel_safe(&r.file),
            &r.line.to_string(),
            &excel_safe(&r.column),
            &excel_safe(&value),
            r.reason.code(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing rejects.csv: {e}")))
}

/// A rejected cell's value as the outputs quote it: under --pseudonymize a lender id quoted
/// back is its pseudonym, like in every export.
pub fn reject_value(r: &RejectRow, pseudonyms: Option<&manifest::Pseudonymizer>) -> String {
    match pseudonyms {
        Some(p)
            if matches!(r.column.as_str(), "lender_id" | "person_id") && !r.value.is_empty() =>
        {
            p.pseudonym(&r.value)
        }
        _ => r.value.clone(),
    }
}

/// Any JSON record, pretty-printed with a trailing newline.
pub fn json_bytes<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
    bytes
        .write_all(b"\n")
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(bytes)
}

/// rejects.csv and validation.json (with the claims reconciliation when there is one).
pub fn write_validation(
    staging: &Staging,
    validated: &Validated,
    reconciliation: Option<&crate::rules::exposure::Reconciled>,
    pseudonyms: Option<&manifest::Pseudonymizer>,
) -> Result<()> {
    write_report(
        staging,
        &validated.report,
        &validated.rejects,
        reconciliation,
        pseudonyms,
    )
}

/// [`write_validation`] from a report and its rejects (the case tables' too).
pub fn write_report(
    staging: &Staging,
    report: &crate::input::Report,
    rejects: &[crate::input::RejectRow],
    reconciliation: Option<&crate::rules::exposure::Reconciled>,
    pseudonyms: Option<&manifest::Pseudonymizer>,
) -> Result<()> {
    staging.write("rejects.csv", &rejects_csv(rejects, pseudonyms)?)?;
    staging.record_rows("rejects.csv", rejects.len() as u64);
    let record = records::Validation {
        reconciliation: reconciliation.map(|r| records::Reconciliation {
            platforms_checked: r.platforms_checked,
            mismatches: 0,
            outstanding_total: crate::domain::money::format_fen_wide(r.outstanding_total),
        }),
        ..records::Validation::of(report)
    };
    staging.write("validation.json", &json_bytes(&record)?)
}
