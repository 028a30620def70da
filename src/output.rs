//! The output folder, written atomically: every file goes into a hidden staging folder beside
//! the target, and only a run that finished renames it into place. A run that fails, or is
//! killed, leaves an existing folder exactly as it was (DESIGN §7).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::validate::{RejectRow, Report};

/// A staging folder that becomes the output folder on [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Create the staging folder beside `target` (same filesystem, so the rename is atomic).
    pub fn new(target: &Path) -> Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(Error::Usage(format!(
                "--out {}: its parent folder does not exist",
                target.display()
            )));
        }
        if target.exists() && !target.is_dir() {
            return Err(Error::Usage(format!("--out {}: exists and is not a folder", target.display())));
        }
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let dir = parent.join(format!(".{name}.winddown-tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging { target: target.to_path_buf(), dir, committed: false })
    }

    /// Path of a file inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(file);
        fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// Replace the target with the staging folder. The old folder is moved aside first and
    /// removed only after the new one is in place.
    pub fn commit(mut self) -> Result<()> {
        let old = self.target.with_file_name(format!(
            ".{}.winddown-old-{}",
            self.target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// rejects.csv: `table, file, line, column, value, reason`, in table order then line order.
pub fn rejects_csv(rejects: &[RejectRow]) -> Result<Vec<u8>> {
    let mut rows: Vec<&RejectRow> = rejects.iter().collect();
    rows.sort_by(|a, b| (a.table, a.line, &a.column).cmp(&(b.table, b.line, &b.column)));
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Internal(format!("writing rejects.csv: {e}"));
    w.write_record(["table", "file", "line", "column", "value", "reason"]).map_err(err)?;
    for r in rows {
        w.write_record([
            r.table.name(),
            &r.file,
            &r.line.to_string(),
            &r.column,
            &r.value,
            r.reason.code(),
        ])
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| Error::Internal(format!("writing rejects.csv: {e}")))
}

/// validation.json, pretty-printed with a trailing newline.
pub fn validation_json(report: &Report) -> Result<Vec<u8>> {
    json_bytes(&report.to_json())
}

/// Any JSON value, pretty-printed with a trailing newline.
pub fn json_bytes(value: &serde_json::Value) -> Result<Vec<u8>> {
    let mut bytes =
        serde_json::to_vec_pretty(value).map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
    bytes.write_all(b"\n").map_err(|e| Error::Internal(e.to_string()))?;
    Ok(bytes)
}
