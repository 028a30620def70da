//! manifest.json, the record that closes every output folder (docs/outputs.md): every file with its
//! rows, bytes and sha256, the tool version and command, the config and its hash, the as-of,
//! the input files' hashes, and the payment file's hash, rows and total. Its presence, listing
//! every other file, is how a later run knows the folder is winddown's to replace. Also the
//! keyed pseudonyms of `--pseudonymize` (HMAC-SHA256) and the hashing helpers.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output::folder::digest::{hex, sha256, sha256_file};
use crate::output::folder::records::{InputFile, Manifest, OutputFile};

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Keyed pseudonyms for lender ids: the same id and key always give the same pseudonym,
/// and without the key it cannot be reversed or recomputed.
#[derive(Clone)]
pub struct Pseudonymizer {
    key: Vec<u8>,
}

/// The environment variable holding the pseudonym key.
pub const KEY_VAR: &str = "WINDDOWN_PSEUDONYM_KEY";

impl Pseudonymizer {
    pub fn from_env() -> Result<Pseudonymizer> {
        match std::env::var(KEY_VAR) {
            Ok(k) if k.len() >= 16 => Ok(Pseudonymizer {
                key: k.into_bytes(),
            }),
            Ok(_) => Err(Error::Usage(format!(
                "--pseudonymize: {KEY_VAR} must hold at least 16 characters"
            ))),
            Err(_) => Err(Error::Usage(format!(
                "--pseudonymize needs a key in the environment variable {KEY_VAR}"
            ))),
        }
    }

    /// `H` and 24 hex digits (96 bits) of HMAC-SHA256(key, id).
    pub fn pseudonym(&self, id: &str) -> String {
        format!("H{}", &hex(&hmac_sha256(&self.key, id.as_bytes()))[..24])
    }
}

/// manifest.json for the files in `dir` (rows as recorded while writing): every file with its
/// rows, bytes and sha256; the command, config and as-of; the inputs' hashes; and of the
/// payment file, if one goes with the folder, its name, rows, total and sha256 (never its
/// contents). The presence of this file, listing every other one, is how a later run knows
/// the folder is winddown's to replace.
pub fn manifest(
    dir: &Path,
    rows: &std::collections::BTreeMap<String, u64>,
    hashes: &std::collections::BTreeMap<String, String>,
    record: &crate::output::Record,
    payment: Option<crate::output::folder::records::PaymentFileRecord>,
    batches: Vec<crate::output::folder::records::PaymentFileRecord>,
) -> Result<Manifest> {
    // Every file, those in partitioned folders by their path inside the folder.
    let names: Vec<String> = crate::output::folder::staging::files_under(dir)
        .map_err(|e| Error::io(dir, e))?
        .into_iter()
        .filter(|n| n != "manifest.json" && n != crate::output::folder::staging::STAGING_MARK)
        .collect();
    let mut files = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let bytes = std::fs::metadata(&path)
            .map_err(|e| Error::io(&path, e))?
            .len();
        files.push(OutputFile {
            rows: rows.get(&name).copied(),
            bytes,
            // Hashed while written where the writer could; read again otherwise.
            sha256: match hashes.get(&name) {
                Some(h) => h.clone(),
                None => sha256_file(&path)?,
            },
            file: name,
        });
    }
    let mut inputs = Vec::new();
    for (table, file, path) in &record.inputs {
        inputs.push(InputFile {
            table: table.clone(),
            file: Some(file.clone()),
            bytes: std::fs::metadata(path)
                .map_err(|e| Error::io(path, e))?
                .len(),
            // Taken while the command read it where it could; read again otherwise.
            sha256: match crate::input::hashes::take(path) {
                Some(sha) => hex(&sha),
                None => sha256_file(path)?,
            },
        });
    }
    // The effective configuration: the config with the command line's overrides, hashed as
    // compact JSON with its keys in byte order.
    let settings_sha256 = match &record.settings {
        Some(settings) => Some(sha256(
            serde_json::to_value(settings)
                .map_err(|e| Error::Internal(format!("recording the settings: {e}")))?
                .to_string()
                .as_bytes(),
        )),
        None => None,
    };
    Ok(Manifest {
        tool: "winddown".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: record.command.to_string(),
        as_of: record.as_of.map(|d| d.to_string()),
        inputs,
        files,
        config: record.config_text.clone(),
        config_sha256: record.config_text.as_ref().map(|t| sha256(t.as_bytes())),
        settings: record.settings.clone(),
        settings_sha256,
        payment_file: payment,
        payment_batches: batches,
    })
}
