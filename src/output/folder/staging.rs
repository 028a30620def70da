//! The output folder, written atomically and never at the expense of the user's files.
//!
//! Before any work, [`Staging::create`] checks the target: it may not be an input folder, an
//! ancestor of one or inside one; an existing folder that is not empty is replaced only when
//! it is a winddown output — it holds a `manifest.json` of ours that lists every file in it
//! (so nothing the tool did not write is lost) — or when the user passed `--force`.
//!
//! Every file goes into a hidden staging folder beside the target (same file system). On
//! [`Staging::commit`] every file and the folder are fsynced, the staging folder is swapped in
//! for the target in one step (Linux `renameat2(RENAME_EXCHANGE)`), the parent folder is
//! fsynced, and only then is the old folder removed. Where the exchange is unavailable (another
//! OS, or a file system answering EINVAL/ENOSYS; `WINDDOWN_SWAP=rename` forces it for tests),
//! the old folder is renamed aside, the new one renamed in, and the old one removed; a run
//! killed between the two renames leaves the old folder complete under its aside name, and the
//! next winddown run that writes there puts it back. So at every instant, even under SIGKILL or
//! a power cut, the old complete folder or the new complete one survives.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::write_behind::start_writeback;

/// Marks a staging folder as ours until it is committed.
pub const STAGING_MARK: &str = ".winddown-staging";
/// The environment variable that forces the rename fallback (for tests).
pub const SWAP_VAR: &str = "WINDDOWN_SWAP";

/// The paths a command reads, which its output may not touch.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// (what it is, e.g. "the input folder", path).
    pub paths: Vec<(&'static str, PathBuf)>,
}

impl Inputs {
    pub fn new() -> Inputs {
        Inputs::default()
    }

    pub fn with(mut self, what: &'static str, path: &Path) -> Inputs {
        self.paths.push((what, path.to_path_buf()));
        self
    }
}

/// A staging folder that becomes the output folder on [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
    /// Rows of each tabular file written, for the manifest.
    rows: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    /// The sha256 of each file, computed while it was written (the manifest reads again only
    /// the files without one).
    hashes: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
    /// How the large exports are laid out (`--partition-by`).
    partition: Option<PartitionBy>,
    /// Set when the command is refused while files are still being written beside the work
    /// that refused it: the writers stop at their next row group ([`Staging::abandon`]).
    abandoned: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// `--partition-by`: the large exports (claims, lenders, payouts) as hive-partitioned folders
/// (`claims/district=华容区/part-00000.parquet`) instead of one file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionBy {
    /// The platform's district (属地) for claims and payouts; the lender's own district for
    /// lenders.
    District,
}

/// The absolute, normalised form of a path that may not exist yet: its longest existing
/// ancestor canonicalised (symlinks resolved), the rest appended.
pub fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    // Lexically normalise `.` and `..` first, then canonicalise the existing part.
    let mut clean = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    let mut out = existing.canonicalize()?;
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    Ok(out)
}

/// Refuse an output path that is an input, holds one, or lies inside one.
pub fn check_apart(flag: &str, out: &Path, inputs: &Inputs) -> Result<PathBuf> {
    let out_abs = resolve(out).map_err(|e| Error::output(flag, out, e.to_string()))?;
    for (what, input) in &inputs.paths {
        let Ok(input_abs) = resolve(input) else {
            continue;
        };
        let problem = if out_abs == input_abs {
            Some("is")
        } else if input_abs.starts_with(&out_abs) {
            Some("holds")
        } else if out_abs.starts_with(&input_abs) {
            Some("lies inside")
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(Error::output(
                flag,
                out,
                format!(
                    "{p} {what} {}; write the output somewhere else, it would replace what the run reads",
                    input.display()
                ),
            ));
        }
    }
    Ok(out_abs)
}

/// Every file in `dir` and the folders below it, as paths relative to `dir` with `/` between
/// their parts (`claims/district=华容区/part-00000.parquet`), sorted. Anything that is neither
/// a file nor a folder (a symbolic link, a socket) is listed as it is, so that a check of the
/// names refuses it.
pub fn files_under(dir: &Path) -> std::io::Result<Vec<String>> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type()?.is_dir() {
                walk(&entry.path(), &format!("{name}/"), out)?;
            } else {
                out.push(name);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

/// Is `dir` a folder winddown wrote — a manifest of ours listing every file in it?
fn recognised(dir: &Path) -> std::result::Result<(), String> {
    let text = fs::read_to_string(dir.join("manifest.json"))
        .map_err(|_| "it has no manifest.json of winddown's".to_string())?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .map_err(|_| "its manifest.json is not winddown's".to_string())?;
    if manifest["tool"] != "winddown" {
        return Err("its manifest.json is not winddown's".into());
    }
    let listed: std::collections::BTreeSet<&str> = manifest["files"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["file"].as_str()).collect())
        .unwrap_or_default();
    for name in files_under(dir).map_err(|e| format!("cannot list it: {e}"))? {
        if name != "manifest.json" && !listed.contains(name.as_str()) {
            return Err(format!("it holds {name}, which winddown did not write"));
        }
    }
    Ok(())
}

impl Staging {
    /// Check the target and create the staging folder beside it. Call before any work, so that
    /// a bad `--out` is refused at once.
    pub fn create(target: &Path, inputs: &Inputs, force: bool) -> Result<Staging> {
        check_apart("--out", target, inputs)?;
        if target.exists() && !target.is_dir() {
            return Err(Error::output("--out", target, "exists and is not a folder"));
        }
        if target.is_dir() && !force {
            let empty = fs::read_dir(target)
                .map_err(|e| Error::output("--out", target, e.to_string()))?
                .next()
                .is_none();
            if !empty {
                recognised(target).map_err(|why| {
                    Error::output(
                        "--out",
                        target,
                        format!(
                            "not a winddown output folder ({why}); choose a new or empty folder, or pass --force to replace it"
                        ),
                    )
                })?;
            }
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            fs::create_dir_all(&parent).map_err(|e| {
                Error::output(
                    "--out",
                    target,
                    format!("cannot create its parent folder: {e}"),
                )
            })?;
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::output("--out", target, "not a folder name"))?;
        recover_stale(&parent, &name, target);
        let dir = parent.join(format!(".{name}.winddown-tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        fs::create_dir(&dir)
            .map_err(|e| Error::output("--out", target, format!("cannot write beside it: {e}")))?;
        fs::write(dir.join(STAGING_MARK), b"").map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
            rows: Default::default(),
            hashes: Default::default(),
            partition: None,
            abandoned: Default::default(),
        })
    }

    /// The command is refused: files still being written on another thread stop at their next
    /// row group rather than run to their end (the folder is removed all the same).
    pub fn abandon(&self) {
        self.abandoned
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// What a writer watches to stop when the command is refused.
    pub fn abandoned(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.abandoned.clone()
    }

    /// Lay the large exports out as partitioned folders.
    pub fn partition_by(&mut self, by: Option<PartitionBy>) {
        self.partition = by;
    }

    /// How the large exports are laid out.
    pub fn partition(&self) -> Option<PartitionBy> {
        self.partition
    }

    /// Path of a file inside the staging folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// The staging folder itself.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder it will become.
    pub fn target(&self) -> &Path {
        &self.target
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

    /// The sha256 of `file` as it was written.
    pub fn record_hash(&self, file: &str, sha256: String) {
        if let Ok(mut h) = self.hashes.lock() {
            h.insert(file.to_string(), sha256);
        }
    }

    pub fn hashes(&self) -> std::collections::BTreeMap<String, String> {
        self.hashes.lock().map(|h| h.clone()).unwrap_or_default()
    }

    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let path = self.path(file);
        fs::File::create(&path)
            .and_then(|mut f| {
                f.write_all(bytes)?;
                start_writeback(&f);
                Ok(())
            })
            .map_err(|e| Error::io(&path, e))?;
        self.record_hash(file, crate::output::folder::digest::sha256(bytes));
        Ok(())
    }

    /// Make the staged folder the target. `then` runs after the swap (the payment file is put in
    /// place there); if it fails the swap is undone and the old folder stays.
    pub fn commit_with(mut self, then: impl FnOnce() -> Result<()>) -> Result<()> {
        // Durability first: every file and the folder itself reach the disk before the swap.
        fs::remove_file(self.dir.join(STAGING_MARK)).map_err(|e| Error::io(&self.dir, e))?;
        sync_tree(&self.dir)?;
        let parent = self
            .target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let old = if self.target.exists() {
            Some(swap_in(&self.dir, &self.target)?)
        } else {
            fs::rename(&self.dir, &self.target).map_err(|e| Error::io(&self.target, e))?;
            None
        };
        self.committed = true;
        if let Err(e) = then() {
            // Put the old folder back (or take the new one away) before reporting.
            match &old {
                Some(old) => {
                    let _ = swap_back(old, &self.target, &self.dir);
                }
                None => {
                    let _ = fs::rename(&self.target, &self.dir);
                    let _ = fs::remove_dir_all(&self.dir);
                }
            }
            let _ = sync_dir(&parent);
            return Err(e);
        }
        sync_dir(&parent)?;
        if let Some(old) = old {
            fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }

    /// Make the staged folder the target.
    pub fn commit(self) -> Result<()> {
        self.commit_with(|| Ok(()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// fsync every file in `dir` (and below), then the folders, deepest first. The files' fsyncs
/// are issued at once from a few threads, so the disk takes them together rather than one
/// waiting for the last (most of their pages are on their way already: [`start_writeback`]).
pub fn sync_tree(dir: &Path) -> Result<()> {
    let (mut files, mut dirs) = (Vec::new(), vec![dir.to_path_buf()]);
    let mut next = 0;
    while let Some(d) = dirs.get(next).cloned() {
        next += 1;
        for entry in fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let path = entry.path();
            if entry.file_type().map_err(|e| Error::io(&path, e))?.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    let taken = std::sync::atomic::AtomicUsize::new(0);
    let failed: std::sync::Mutex<Vec<(usize, Error)>> = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..SYNC_THREADS.min(files.len()) {
            scope.spawn(|| loop {
                let i = taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let synced = fs::File::open(path).and_then(|f| f.sync_all());
                if let Err(e) = synced {
                    if let Ok(mut failed) = failed.lock() {
                        failed.push((i, Error::io(path, e)));
                    }
                }
            });
        }
    });
    // The first file's error in name order, whatever thread met it first.
    let failed = failed.into_inner().unwrap_or_default();
    if let Some((_, e)) = failed.into_iter().min_by_key(|(i, _)| *i) {
        return Err(e);
    }
    for d in dirs.iter().rev() {
        sync_dir(d)?;
    }
    Ok(())
}

/// Threads issuing the commit's fsyncs.
const SYNC_THREADS: usize = 8;

/// fsync a folder, so that the names in it (created, renamed) survive a power cut.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// Swap `new` in for the existing `target`; returns where the old folder now is.
fn swap_in(new: &Path, target: &Path) -> Result<PathBuf> {
    let forced = std::env::var(SWAP_VAR).is_ok_and(|v| v == "rename");
    if !forced {
        match exchange(new, target) {
            Ok(()) => return Ok(new.to_path_buf()),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) => {}
            Err(e) => return Err(Error::io(target, e)),
        }
    }
    // Fallback: old aside, new in. Between the two renames the old folder is complete under
    // its aside name, and `recover_stale` puts it back if the process dies there.
    let aside = aside_name(target);
    fs::rename(target, &aside).map_err(|e| Error::io(target, e))?;
    if let Err(e) = fs::rename(new, target) {
        let _ = fs::rename(&aside, target);
        return Err(Error::io(target, e));
    }
    Ok(aside)
}

/// Undo [`swap_in`]: the old folder back at `target`, the new one away at `staging`.
fn swap_back(old: &Path, target: &Path, staging: &Path) -> std::io::Result<()> {
    if old == staging {
        exchange(old, target)?;
    } else {
        fs::rename(target, staging)?;
        fs::rename(old, target)?;
    }
    fs::remove_dir_all(staging)
}

fn aside_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.winddown-old-{}", std::process::id()))
}

/// Atomically exchange two paths (Linux renameat2 with RENAME_EXCHANGE).
#[cfg(target_os = "linux")]
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

/// No atomic exchange on this OS: the caller falls back to renaming aside.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from_raw_os_error(libc::ENOSYS))
}

/// Folders left beside `target` by runs that died (their process is gone): a staging folder is
/// removed; an old folder set aside by the rename fallback is put back if the target is
/// missing (the run died between its two renames), else removed (the new one is in place).
fn recover_stale(parent: &Path, name: &str, target: &Path) {
    let staging = format!(".{name}.winddown-tmp-");
    let aside = format!(".{name}.winddown-old-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let (pid, is_aside) = if let Some(pid) = file_name.strip_prefix(&staging) {
            (pid, false)
        } else if let Some(pid) = file_name.strip_prefix(&aside) {
            (pid, true)
        } else {
            continue;
        };
        let dead = pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists();
        let path = entry.path();
        // Only what is recognisably ours: a staging mark, or a winddown manifest.
        let ours = path.join(STAGING_MARK).exists() || recognised(&path).is_ok();
        if !dead || !ours {
            continue;
        }
        if is_aside && !target.exists() {
            let _ = fs::rename(&path, target);
        } else {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_is_synced_through_its_folders_and_a_missing_one_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        for k in 0..20 {
            let folder = tmp.path().join(format!("claims/district=d{}", k % 3));
            fs::create_dir_all(&folder).unwrap();
            fs::write(folder.join(format!("part-{k}.parquet")), b"x").unwrap();
        }
        sync_tree(tmp.path()).unwrap();
        let missing = tmp.path().join("no-such-folder");
        match sync_tree(&missing) {
            Err(Error::Io { path, .. }) => assert_eq!(path, missing),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn paths_resolve_through_missing_parts_and_dots() {
        let tmp = std::env::temp_dir().join(format!("wd-resolve-{}", std::process::id()));
        fs::create_dir_all(tmp.join("a")).unwrap();
        let r = resolve(&tmp.join("a/./b/../c/d")).unwrap();
        assert_eq!(r, tmp.canonicalize().unwrap().join("a/c/d"));
        let inputs = Inputs::new().with("the input folder", &tmp.join("a"));
        assert!(check_apart("--out", &tmp.join("a"), &inputs).is_err());
        assert!(check_apart("--out", &tmp, &inputs).is_err());
        assert!(check_apart("--out", &tmp.join("a/x"), &inputs).is_err());
        assert!(check_apart("--out", &tmp.join("a/../a/."), &inputs).is_err());
        assert!(check_apart("--out", &tmp.join("ab"), &inputs).is_ok());
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn a_failure_after_the_swap_puts_the_old_folder_back() {
        let tmp = std::env::temp_dir().join(format!("wd-undo-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        let target = tmp.join("out");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("old.txt"), "old").unwrap();
        fs::write(
            target.join("manifest.json"),
            r#"{"tool":"winddown","files":[{"file":"old.txt"}]}"#,
        )
        .unwrap();
        for forced in [false, true] {
            if forced {
                std::env::set_var(SWAP_VAR, "rename");
            }
            let staging = Staging::create(&target, &Inputs::new(), false).unwrap();
            staging.write("new.txt", b"new").unwrap();
            let err = staging.commit_with(|| {
                Err(Error::output(
                    "--payment-file",
                    Path::new("pay.csv"),
                    "the payment file failed",
                ))
            });
            assert!(err.is_err());
            assert_eq!(fs::read_to_string(target.join("old.txt")).unwrap(), "old");
            assert!(!target.join("new.txt").exists());
            let left: Vec<_> = fs::read_dir(&tmp).unwrap().collect();
            assert_eq!(left.len(), 1, "only the target is left (forced: {forced})");
        }
        std::env::remove_var(SWAP_VAR);
        fs::remove_dir_all(&tmp).unwrap();
    }
}
