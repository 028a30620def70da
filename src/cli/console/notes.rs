//! Notes the commands add to their summary: lender ids that Excel would read as formulas, and
//! what the bank batches' checks found.

use super::*;

/// Rows of a bank file with a cell a spreadsheet would run as a formula: the bank needs the
/// text as it is, so a clerk checks them before the upload.
pub fn formula_like_note(lender_ids: &[String], file: &str) -> Option<String> {
    if lender_ids.is_empty() {
        return None;
    }
    let shown: Vec<&str> = lender_ids.iter().take(10).map(String::as_str).collect();
    Some(format!(
        "warning: {} row{} of {file} hold a cell that begins like a formula (=, +, -, @): check \
         them before the upload (lenders {}{})",
        lender_ids.len(),
        if lender_ids.len() == 1 { "" } else { "s" },
        shown.join(", "),
        if lender_ids.len() > shown.len() {
            ", …"
        } else {
            ""
        }
    ))
}

/// What the bank batches could not carry, and the cells to check.
pub fn batch_notes(checks: &crate::output::bank::batches::BatchChecks) -> Vec<String> {
    let mut notes = Vec::new();
    if checks.exceptions > 0 {
        notes.push(format!(
            "warning: {} transfer{} ({} yuan) not in any batch: the lender has no valid bank \
             account; listed in exceptions.csv, registered as withheld, and sent by a later \
             --payments once the lenders table gives the account",
            checks.exceptions,
            if checks.exceptions == 1 { "" } else { "s" },
            yuan(checks.exceptions_total)
        ));
    }
    if checks.to_check > 0 {
        notes.push(format!(
            "warning: {} cell{} of the batches begin like a formula (=, +, -, @): listed in the \
             control files (需人工核对) for a clerk to check before the upload",
            checks.to_check,
            if checks.to_check == 1 { "" } else { "s" }
        ));
    }
    notes
}
