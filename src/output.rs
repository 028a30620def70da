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
    /// Rows of each tabular file written, for the manifest.
    rows: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

impl Staging {
    /// Create the staging folder beside `target` (same filesystem, so the rename is atomic).
    pub fn new(target: &Path) -> Result<Staging> {
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            fs::create_dir_all(&parent).map_err(|e| {
                Error::Usage(format!(
                    "--out {}: cannot create its parent folder: {e}",
                    target.display()
                ))
            })?;
        }
        if target.exists() && !target.is_dir() {
            return Err(Error::Usage(format!(
                "--out {}: exists and is not a folder",
                target.display()
            )));
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        remove_stale(&parent, &name);
        let dir = parent.join(format!(".{name}.winddown-tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
            rows: Default::default(),
        })
    }

    /// Path of a file inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The staging folder itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Record that `file` holds `rows` data rows (for the manifest).
    pub fn record_rows(&self, file: &str, rows: u64) {
        if let Ok(mut r) = self.rows.lock() {
            r.insert(file.to_string(), rows);
        }
    }

    pub fn rows(&self) -> std::collections::BTreeMap<String, u64> {
        self.rows.lock().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path(file);
        fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// Put the staging folder in place of the target. An existing target is swapped out in one
    /// atomic step (renameat2 RENAME_EXCHANGE), so at every instant the target path holds
    /// either the old complete folder or the new complete one, even under SIGKILL.
    pub fn commit(mut self) -> Result<()> {
        if self.target.exists() {
            exchange(&self.dir, &self.target).map_err(|e| Error::io(&self.target, e))?;
            self.committed = true;
            // `dir` now holds the old folder.
            fs::remove_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        } else {
            fs::rename(&self.dir, &self.target).map_err(|e| Error::io(&self.target, e))?;
            self.committed = true;
        }
        Ok(())
    }
}

/// Atomically exchange two paths (Linux renameat2 with RENAME_EXCHANGE).
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    let cb = CString::new(b.as_os_str().as_bytes()).map_err(std::io::Error::other)?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them like rename(2).
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Staging folders left by runs that were killed: `.<name>.winddown-tmp-<pid>` whose process
/// is gone.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.winddown-tmp-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
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
    w.write_record(["table", "file", "line", "column", "value", "reason"])
        .map_err(err)?;
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
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing rejects.csv: {e}")))
}

/// validation.json, pretty-printed with a trailing newline.
pub fn validation_json(report: &Report) -> Result<Vec<u8>> {
    json_bytes(&report.to_json())
}

/// Any JSON value, pretty-printed with a trailing newline.
pub fn json_bytes(value: &serde_json::Value) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Internal(format!("writing JSON: {e}")))?;
    bytes
        .write_all(b"\n")
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(bytes)
}
