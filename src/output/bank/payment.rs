//! The bank payment file: the transfers of the rounds computed in this run, the one output
//! that carries names and id numbers (mode 0600).
//!
//! It is committed with the output folder, never apart from it: [`PaymentFile::create`] checks
//! the path and opens a temporary file beside it before any work (a bad path is exit 2 before
//! anything is replaced); the rows are written and fsynced there; the output folder (whose
//! manifest records the file's sha256, rows and total) is swapped in, then the payment file is
//! linked into place, and if that fails the folder swap is undone. The file never overwrites an
//! existing one unless `--force`: an earlier payment file is a record of money sent.

use std::fs::{self, File};
use std::io::BufWriter;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::output::folder::staging::{self, Inputs};

/// A payment file being written beside its final name.
pub struct PaymentFile {
    target: PathBuf,
    tmp: PathBuf,
    writer: Option<csv::Writer<BufWriter<File>>>,
    force: bool,
    placed: bool,
    rows: u64,
    total: i128,
}

/// What the manifest says of a payment file (never its contents).
#[derive(Debug, Clone)]
pub struct Sealed {
    pub file: String,
    pub rows: u64,
    /// Fen.
    pub total: i128,
    pub sha256: String,
}

impl PaymentFile {
    /// Check `path` and open its temporary file. `out` is the output folder (the payment file
    /// may not be inside it: the folder is replaced as a whole), `inputs` what the run reads.
    pub fn create(path: &Path, out: &Path, inputs: &Inputs, force: bool) -> Result<PaymentFile> {
        let flag = "--payment-file";
        let inputs = inputs.clone().with("the output folder", out);
        staging::check_apart(flag, path, &inputs)?;
        if path.is_dir() {
            return Err(Error::output(flag, path, "is a folder"));
        }
        if path.exists() && !force {
            return Err(Error::output(
                flag,
                path,
                "exists; a payment file is a record of transfers, winddown never \
                 overwrites one (choose a new name, or pass --force)",
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::output(flag, path, "not a file name"))?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(Error::output(
                flag,
                path,
                format!("the folder {} does not exist", parent.display()),
            ));
        }
        let tmp = parent.join(format!(".{name}.winddown-tmp-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        let file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| Error::output(flag, path, format!("cannot write there: {e}")))?;
        Ok(PaymentFile {
            target: path.to_path_buf(),
            tmp,
            writer: Some(csv::Writer::from_writer(BufWriter::new(file))),
            force,
            placed: false,
            rows: 0,
            total: 0,
        })
    }

    fn writer(&mut self) -> Result<&mut csv::Writer<BufWriter<File>>> {
        self.writer
            .as_mut()
            .ok_or_else(|| Error::Internal("the payment file is already sealed".into()))
    }

    /// Write the header row.
    pub fn header(&mut self, fields: &[&str]) -> Result<()> {
        let tmp = self.tmp.clone();
        self.writer()?
            .write_record(fields)
            .map_err(|e| csv_error(&tmp, e))
    }

    /// Write one transfer of `amount` fen.
    pub fn transfer(&mut self, fields: &[&str], amount: i64) -> Result<()> {
        let tmp = self.tmp.clone();
        self.writer()?
            .write_record(fields)
            .map_err(|e| csv_error(&tmp, e))?;
        self.rows += 1;
        self.total += i128::from(amount);
        Ok(())
    }

    /// Flush and fsync the temporary file; its hash, rows and total for the manifest.
    pub fn seal(&mut self) -> Result<Sealed> {
        let w = self
            .writer
            .take()
            .ok_or_else(|| Error::Internal("the payment file is already sealed".into()))?;
        let file = w
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?
            .into_inner()
            .map_err(|e| Error::io(&self.tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        drop(file);
        let bytes = fs::read(&self.tmp).map_err(|e| Error::io(&self.tmp, e))?;
        Ok(Sealed {
            file: self.target.display().to_string(),
            rows: self.rows,
            total: self.total,
            sha256: crate::output::folder::digest::hex(&Sha256::digest(&bytes)),
        })
    }

    /// Put the sealed file at its name: a hard link that fails if the name was taken meanwhile
    /// (a rename under `--force`), then the temporary name goes and the folder is fsynced.
    pub fn place(&mut self) -> Result<()> {
        if self.writer.is_some() {
            return Err(Error::Internal("the payment file was not sealed".into()));
        }
        let placed = if self.force {
            fs::rename(&self.tmp, &self.target)
        } else {
            fs::hard_link(&self.tmp, &self.target).and_then(|()| fs::remove_file(&self.tmp))
        };
        placed.map_err(|e| {
            Error::output(
                "--payment-file",
                &self.target,
                format!("cannot put it in place ({e}); nothing was replaced"),
            )
        })?;
        self.placed = true;
        let parent = self
            .target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        staging::sync_dir(&parent)
    }
}

impl PaymentFile {
    /// Take a placed file back to its temporary name (the register beside it failed); it is
    /// then removed with the rest of what this command wrote.
    pub fn unplace(&mut self) {
        if self.placed && fs::rename(&self.target, &self.tmp).is_ok() {
            self.placed = false;
        }
    }

    pub fn target(&self) -> &Path {
        &self.target
    }
}

impl Sealed {
    pub fn record(&self) -> crate::output::folder::records::PaymentFileRecord {
        crate::output::folder::records::PaymentFileRecord {
            file: self.file.clone(),
            rows: self.rows,
            total: crate::domain::money::format_fen_wide(self.total),
            sha256: self.sha256.clone(),
        }
    }
}

impl Drop for PaymentFile {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::Internal(format!("writing the payment file: {other:?}")),
    }
}

/// The bank-transfer rows (platform, round, lender_id, name, id_number, amount) of this run's
/// transfers ([`crate::payout::rounds::Payouts::transfers`] and the register's catch-ups).
/// The bank needs the names as they are: the lender ids of rows with a cell that a
/// spreadsheet would read as a formula are returned, for the console to name.
pub fn write_rows(
    file: &mut PaymentFile,
    data: &crate::input::InputData,
    payouts: &crate::payout::rounds::Payouts,
    transfers: &[crate::payout::rounds::Transfer],
) -> Result<Vec<String>> {
    let personal = data
        .personal
        .as_ref()
        .ok_or_else(|| Error::Internal("the payment file needs the lenders' names".into()))?;
    file.header(&[
        "platform_id",
        "round",
        "lender_id",
        "name",
        "id_number",
        "amount",
    ])?;
    let r = &payouts.rows;
    let mut to_check = Vec::new();
    for t in transfers {
        let i = t.row;
        let lender = r.lender[i];
        let fields = [
            data.platforms.ids[r.platform(i)].as_str(),
            &r.round(i).to_string(),
            data.lenders.ids.get(lender),
            personal.names.get(lender),
            personal.id_numbers.get(lender),
            &crate::domain::money::format_fen(t.amount.get()),
        ];
        if fields.iter().any(|f| crate::domain::text::formula_like(f)) {
            to_check.push(data.lenders.ids.get(lender).to_string());
        }
        file.transfer(&fields, t.amount.get())?;
    }
    Ok(to_check)
}
