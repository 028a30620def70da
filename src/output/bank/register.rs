//! The register of issued transfers (docs/payouts.md, "The register"): what trustees keep —
//! every transfer that left winddown for a bank, with its platform, round, lender, amount,
//! the payment file or batch file that carried it, that file's sha256 and when. The payout
//! ledger says what was *computed*; the register says what was *issued*, and every payment
//! file and bank batch is checked against it before anything is written:
//!
//! - a round's payout to a lender goes out once, whatever ledger the command was given: the
//!   same transfer computed again is left out (a command run twice issues nothing twice), a
//!   different one for the same lender and round is refused (exit 2): the command is on
//!   another ledger than the one paid;
//! - a re-issue goes out only while what was issued for that lender and round, less what the
//!   returns table says came back, stays within the payout;
//! - a transfer the batches could not carry (no valid account) is registered `withheld`, and
//!   goes out with a later command once the lender has an account.
//!
//! The register is one CSV file (`winddown-register.csv`, mode 0600) beside the payment file
//! or the batches folder unless `--register` names it; it is rewritten whole beside itself,
//! fsynced and renamed into place when the command commits, never edited in place.

use crate::domain::money;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::domain::money::{format_fen, parse_fen};
use crate::error::{Error, LedgerProblem, Result};
use crate::input::InputData;
use crate::payout::rounds::{Payouts, Transfer, TransferKind};

/// The register's file name when `--register` does not give one.
pub const DEFAULT_NAME: &str = "winddown-register.csv";

const HEADER: [&str; 9] = [
    "platform_id",
    "round",
    "lender_id",
    "amount",
    "kind",
    "status",
    "file",
    "sha256",
    "issued_at",
];

/// What became of a registered transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Written to a payment file or a bank batch.
    Issued,
    /// Due, but no batch could carry it (no valid account): still to be sent.
    Withheld,
    /// Its file was replaced with `--force` before the command that wrote it was relied on.
    Void,
}

impl Status {
    fn code(self) -> &'static str {
        match self {
            Status::Issued => "issued",
            Status::Withheld => "withheld",
            Status::Void => "void",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        match s {
            "issued" => Some(Status::Issued),
            "withheld" => Some(Status::Withheld),
            "void" => Some(Status::Void),
            _ => None,
        }
    }
}

/// One line of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub platform_id: String,
    pub round: i64,
    pub lender_id: String,
    /// Fen.
    pub amount: i64,
    pub kind: TransferKind,
    pub status: Status,
    pub file: String,
    pub sha256: String,
    pub issued_at: String,
}

/// (platform_id, round, lender_id).
type Key = (String, i64, String);

/// The register, read before any work and written when the command commits.
#[derive(Debug)]
pub struct Register {
    path: PathBuf,
    entries: Vec<Entry>,
    /// Entries before this command's (the rest are new).
    before: usize,
}

impl Register {
    /// Where the register is: `explicit`, else beside the payment file, else beside the
    /// batches folder.
    pub fn locate(
        explicit: Option<&Path>,
        payment_file: Option<&Path>,
        batches: Option<&Path>,
    ) -> Option<PathBuf> {
        if let Some(p) = explicit {
            return Some(p.to_path_buf());
        }
        let beside = |p: &Path| match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.join(DEFAULT_NAME),
            _ => PathBuf::from(DEFAULT_NAME),
        };
        payment_file.or(batches).map(beside)
    }

    /// Read the register at `path` (none there yet: an empty one). A file that is not a
    /// register is refused: a payment made without it could be a payment made twice.
    pub fn open(path: &Path) -> Result<Register> {
        let bad =
            |m: String| Error::bad_file(path, format!("not a register of issued transfers: {m}"));
        if path.is_dir() {
            return Err(bad("it is a folder".into()));
        }
        let mut entries = Vec::new();
        if path.exists() {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_path(path)
                .map_err(|e| bad(e.to_string()))?;
            let header = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
            if header.iter().ne(HEADER) {
                return Err(bad(format!("its header is not {}", HEADER.join(","))));
            }
            for (k, record) in reader.records().enumerate() {
                let line = k + 2;
                let record = record.map_err(|e| bad(format!("line {line}: {e}")))?;
                let field = |i: usize| record.get(i).unwrap_or_default();
                let entry = (|| {
                    Some(Entry {
                        platform_id: field(0).to_string(),
                        round: field(1).parse().ok()?,
                        lender_id: field(2).to_string(),
                        amount: parse_fen(field(3)).filter(|a| *a > 0)?,
                        kind: TransferKind::parse(field(4))?,
                        status: Status::parse(field(5))?,
                        file: field(6).to_string(),
                        sha256: field(7).to_string(),
                        issued_at: field(8).to_string(),
                    })
                })()
                .ok_or_else(|| bad(format!("line {line} is not a transfer")))?;
                entries.push(entry);
            }
        }
        let before = entries.len();
        Ok(Register {
            path: path.to_path_buf(),
            entries,
            before,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `--force` replaces the payment file or batches at `file`: what they carried was never
    /// relied on, and its entries are void.
    pub fn void_file(&mut self, file: &str) {
        for e in &mut self.entries[..self.before] {
            if e.status == Status::Issued && same_file(&e.file, file) {
                e.status = Status::Void;
            }
        }
    }

    /// Per key, Σ issued and Σ issued as the round's payout (before this command).
    fn issued(&self) -> BTreeMap<Key, (i64, i64)> {
        let mut by: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
        for e in self.entries[..self.before]
            .iter()
            .filter(|e| e.status == Status::Issued)
        {
            let s = by.entry(e.key()).or_default();
            s.0 = s.0.saturating_add(e.amount);
            if e.kind != TransferKind::Reissue {
                s.1 = s.1.saturating_add(e.amount);
            }
        }
        by
    }

    /// Transfers withheld before and not issued since, for rounds this command does not
    /// compute (a computed round pays them with its own rows): they go out now.
    pub fn catch_ups(&self, data: &InputData, payouts: &Payouts) -> Vec<Transfer> {
        let issued = self.issued();
        let mut withheld: BTreeMap<Key, i64> = BTreeMap::new();
        for e in self.entries[..self.before]
            .iter()
            .filter(|e| e.status == Status::Withheld)
        {
            // The latest note of what is still due (a catch-up withheld again repeats it).
            if !issued.contains_key(&e.key()) {
                withheld.insert(e.key(), e.amount);
            }
        }
        if withheld.is_empty() {
            return Vec::new();
        }
        let computed = payouts.computed_rounds();
        let r = &payouts.rows;
        (0..r.len())
            .filter(|&i| !computed.contains(&(r.platform(i), r.round(i))))
            .filter_map(|i| {
                let key = (
                    data.platforms.ids[r.platform(i)].clone(),
                    r.round(i),
                    data.lenders.ids.get(r.lender[i]).to_string(),
                );
                let amount = *withheld.get(&key)?;
                Some(Transfer {
                    row: i,
                    amount: money::Fen(amount),
                    kind: TransferKind::CatchUp,
                })
            })
            .collect()
    }

    /// Screen this command's transfers against what was issued before. A transfer issued
    /// already, for the same amount, is left out (a command run again issues nothing twice);
    /// one that differs from what was issued is refused (exit 2, before anything is written):
    /// the command computes something other than what the bank was sent, so it is on the wrong
    /// ledger. Returns the transfers to issue and those left out.
    pub fn screen(
        &self,
        data: &InputData,
        payouts: &Payouts,
        transfers: Vec<Transfer>,
    ) -> Result<(Vec<Transfer>, Vec<Transfer>)> {
        let issued = self.issued();
        if issued.is_empty() {
            return Ok((transfers, Vec::new()));
        }
        let mut returned: BTreeMap<Key, i64> = BTreeMap::new();
        for t in &data.returns {
            let key = (
                data.platforms.ids[t.platform].clone(),
                t.round,
                data.lenders.ids.get(t.lender).to_string(),
            );
            *returned.entry(key).or_default() += t.amount.get();
        }
        let r = &payouts.rows;
        let before = &self.entries[..self.before];
        let (mut keep, mut left_out) = (Vec::new(), Vec::new());
        for t in transfers {
            let key = (
                data.platforms.ids[r.platform(t.row)].clone(),
                r.round(t.row),
                data.lenders.ids.get(r.lender[t.row]).to_string(),
            );
            let Some(&(all, payout)) = issued.get(&key) else {
                keep.push(t);
                continue;
            };
            let back = returned.get(&key).copied().unwrap_or(0);
            let same = |kind: TransferKind| {
                before.iter().any(|e| {
                    e.status == Status::Issued
                        && e.key() == key
                        && e.amount == t.amount.get()
                        && (e.kind == TransferKind::Reissue) == (kind == TransferKind::Reissue)
                })
            };
            let fits = match t.kind {
                TransferKind::Payout | TransferKind::CatchUp => false,
                TransferKind::Reissue => all - back + t.amount.get() <= payout,
            };
            if fits {
                keep.push(t);
            } else if same(t.kind) {
                left_out.push(t);
            } else {
                let first = before
                    .iter()
                    .find(|e| e.status == Status::Issued && e.key() == key);
                let (file, at) =
                    first.map_or(("", ""), |e| (e.file.as_str(), e.issued_at.as_str()));
                return Err(Error::from(LedgerProblem::IssuedAlready {
                    register: self.path.clone(),
                    platform: key.0.to_string(),
                    round: key.1,
                    lender: key.2.to_string(),
                    issued: all,
                    file: file.to_string(),
                    at: at.to_string(),
                    more: t.amount.get(),
                }));
            }
        }
        Ok((keep, left_out))
    }

    /// Add this command's transfers: `issued` by `file` (its sha256), or withheld.
    pub fn add(
        &mut self,
        data: &InputData,
        payouts: &Payouts,
        transfers: &[(Transfer, Status, String, String)],
    ) {
        let at = now_utc();
        let r = &payouts.rows;
        for (t, status, file, sha) in transfers {
            self.entries.push(Entry {
                platform_id: data.platforms.ids[r.platform(t.row)].clone(),
                round: r.round(t.row),
                lender_id: data.lenders.ids.get(r.lender[t.row]).to_string(),
                amount: t.amount.get(),
                kind: t.kind,
                status: *status,
                file: file.clone(),
                sha256: sha.clone(),
                issued_at: at.clone(),
            });
        }
    }

    /// The sha256 of a payment file, known once it is sealed, for this command's entries.
    pub fn seal_file(&mut self, file: &str, sha256: &str) {
        for e in &mut self.entries[self.before..] {
            if e.file == file && e.sha256.is_empty() {
                e.sha256 = sha256.to_string();
            }
        }
    }

    /// Write the register beside itself (mode 0600, fsynced); [`Register::place`] renames it
    /// into place.
    pub fn stage(&self) -> Result<PathBuf> {
        let tmp = self.tmp_path();
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| Error::Internal(format!("writing the register: {e}"));
        w.write_record(HEADER).map_err(err)?;
        for e in &self.entries {
            w.write_record([
                e.platform_id.as_str(),
                &e.round.to_string(),
                &e.lender_id,
                &format_fen(e.amount),
                e.kind.code(),
                e.status.code(),
                &e.file,
                &e.sha256,
                &e.issued_at,
            ])
            .map_err(err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| Error::Internal(format!("writing the register: {e}")))?;
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| {
                Error::output(
                    "register",
                    &self.path,
                    format!("cannot write beside it: {e}"),
                )
            })?;
        f.write_all(&bytes).map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        Ok(tmp)
    }

    /// Rename the staged register into place and fsync its folder.
    pub fn place(&self) -> Result<()> {
        fs::rename(self.tmp_path(), &self.path).map_err(|e| Error::io(&self.path, e))?;
        let parent = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        crate::output::folder::staging::sync_dir(&parent)
    }

    /// Remove a staged register that was not placed.
    pub fn discard(&self) {
        let _ = fs::remove_file(self.tmp_path());
    }

    fn tmp_path(&self) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| DEFAULT_NAME.to_string());
        self.path
            .with_file_name(format!(".{name}.winddown-{}", std::process::id()))
    }
}

impl Entry {
    fn key(&self) -> Key {
        (self.platform_id.clone(), self.round, self.lender_id.clone())
    }
}

/// A register entry's file is the payment file, or a batch file inside a batches folder.
fn same_file(entry: &str, replaced: &str) -> bool {
    entry == replaced
        || entry
            .strip_prefix(replaced)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let day = crate::domain::date::Date((secs / 86_400) as i32);
    let t = secs % 86_400;
    format!("{day}T{:02}:{:02}:{:02}Z", t / 3600, t / 60 % 60, t % 60)
}
