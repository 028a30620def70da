//! `--payments DIR`: the bank transfers of this run (the rounds computed in it, and returned
//! amounts re-issued), in the column layout of a Chinese bank's batch-transfer (批量代付)
//! template — by default 序号, 收款人账号, 收款人户名, 开户行, 金额(元), 用途; `[payments]
//! columns` and `headers` give another bank's — one file per platform, round and bank, at most
//! `[payments] batch_rows` transfers each, as CSV (UTF-8 with BOM, or GB18030) and as .xlsx with
//! the account and id numbers as text cells; per platform and round a control file (批次, 开户行,
//! 笔数, 金额合计, sha256) whose total is the round's `paid` in payout_rounds.parquet to the fen
//! (`reissued` for a round of the ledger).
//!
//! Like the payment file, the folder is committed with the output folder, never apart from
//! it: checked and staged beside its final name (mode 0700, files 0600) before any work,
//! placed after the output folder's swap; an existing folder is never replaced without
//! `--force`. It carries personal data (names, accounts); the manifest records each file's
//! rows, total and sha256, never its contents.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::config::{BatchField, Payments};
use crate::domain::money::format_fen;
use crate::error::{Error, Result};
use crate::input::InputData;
use crate::output::manifest::sha256;
use crate::output::records::PaymentFileRecord;
use crate::output::staging::{self, Inputs};
use crate::payout::rounds::{Payouts, Transfer};

const FLAG: &str = "--payments";

/// The batch folder being written beside its final name.
pub struct PaymentBatches {
    target: PathBuf,
    tmp: PathBuf,
    force: bool,
    placed: bool,
    files: Vec<PaymentFileRecord>,
}

impl PaymentBatches {
    /// Check `path` and make its staging folder. `out` is the output folder.
    pub fn create(path: &Path, out: &Path, inputs: &Inputs, force: bool) -> Result<PaymentBatches> {
        let inputs = inputs.clone().with("the output folder", out);
        staging::check_apart(FLAG, path, &inputs)?;
        let shown = path.display();
        if path.exists() && !path.is_dir() {
            return Err(Error::Output(format!(
                "{FLAG} {shown}: exists and is not a folder"
            )));
        }
        if path.exists() && !force {
            return Err(Error::Output(format!(
                "{FLAG} {shown}: exists; payment batches are a record of transfers, winddown never \
                 replaces them (choose a new folder, or pass --force)"
            )));
        }
        let name = path
            .file_name()
            .ok_or_else(|| Error::Output(format!("{FLAG} {shown}: not a folder name")))?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = parent.join(format!(
            ".{}.winddown-payments-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir(&tmp)
            .map_err(|e| Error::Output(format!("{FLAG} {shown}: cannot write beside it: {e}")))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(&tmp, e))?;
        Ok(PaymentBatches {
            target: path.to_path_buf(),
            tmp,
            force,
            placed: false,
            files: Vec::new(),
        })
    }

    fn write_file(&mut self, name: &str, bytes: &[u8], rows: u64, total: i128) -> Result<()> {
        let path = self.tmp.join(name);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        f.write_all(bytes).map_err(|e| Error::io(&path, e))?;
        f.sync_all().map_err(|e| Error::io(&path, e))?;
        self.files.push(PaymentFileRecord {
            file: name.to_string(),
            rows,
            total: crate::domain::money::format_fen_wide(total),
            sha256: sha256(bytes),
        });
        Ok(())
    }

    /// Write the batches and control files of the rounds computed in this run.
    pub fn write(&mut self, data: &InputData, payouts: &Payouts, config: &Payments) -> Result<()> {
        let personal = data
            .personal
            .as_ref()
            .ok_or_else(|| Error::Internal("the batches need the lenders' accounts".into()))?;
        let r = &payouts.rows;
        let lender_id = |i: usize| data.lenders.ids.get(r.lender[i]);
        let platform_id = |i: usize| data.platforms.ids[r.platform[i] as usize].as_str();
        let mut rows: Vec<Transfer> = payouts.transfers();
        if !rows.is_empty()
            && rows
                .iter()
                .all(|t| personal.bank_accounts.get(r.lender[t.row]).is_empty())
        {
            return Err(Error::Data(format!(
                "{FLAG}: no lender paid now has a bank account: the lenders table needs a \
                 bank_account column (map its header in the config's [columns]) and bank_name"
            )));
        }
        let bank = |i: usize| personal.bank_names.get(r.lender[i]);
        // Platform, round, bank, then lender: the order of the files and of their rows.
        rows.sort_by(|x, y| {
            let (a, b) = (x.row, y.row);
            (
                platform_id(a).as_bytes(),
                r.round[a],
                bank(a),
                lender_id(a).as_bytes(),
            )
                .cmp(&(
                    platform_id(b).as_bytes(),
                    r.round[b],
                    bank(b),
                    lender_id(b).as_bytes(),
                ))
        });
        let mut k = 0;
        while k < rows.len() {
            let (p, round) = (r.platform[rows[k].row], r.round[rows[k].row]);
            let pid = platform_id(rows[k].row).to_string();
            let pname = data.platforms.names[p as usize].clone();
            let purpose = |t: &Transfer| {
                if t.reissue {
                    format!("{pname}第{round}轮清退兑付(退汇重发)")
                } else {
                    format!("{pname}第{round}轮清退兑付")
                }
            };
            // (batch file, bank, rows, total, rows without an account, sha256)
            let mut control: Vec<(String, String, u64, i128, u64, String)> = Vec::new();
            let same_round = |t: &Transfer| r.platform[t.row] == p && r.round[t.row] == round;
            while k < rows.len() && same_round(&rows[k]) {
                let b = bank(rows[k].row).to_string();
                let mut group = Vec::new();
                while k < rows.len() && same_round(&rows[k]) && bank(rows[k].row) == b {
                    group.push(rows[k]);
                    k += 1;
                }
                let shown_bank = if b.is_empty() {
                    "未登记开户行".to_string()
                } else {
                    b.clone()
                };
                for (n, chunk) in group.chunks(config.batch_rows).enumerate() {
                    let stem =
                        format!("{}_r{round}_{}_{:03}", safe(&pid), safe(&shown_bank), n + 1);
                    let lines: Vec<Vec<String>> = chunk
                        .iter()
                        .enumerate()
                        .map(|(j, t)| {
                            let l = r.lender[t.row];
                            let holder = match personal.account_names.get(l) {
                                "" => personal.names.get(l),
                                a => a,
                            };
                            config
                                .columns
                                .iter()
                                .map(|(field, _)| match field {
                                    BatchField::Seq => (j + 1).to_string(),
                                    BatchField::Account => {
                                        personal.bank_accounts.get(l).to_string()
                                    }
                                    BatchField::Name => holder.to_string(),
                                    BatchField::Bank => b.clone(),
                                    BatchField::Amount => format_fen(t.amount),
                                    BatchField::Purpose => purpose(t),
                                    BatchField::IdNumber => personal.id_numbers.get(l).to_string(),
                                    BatchField::Phone => personal.phones.get(l).to_string(),
                                    BatchField::LenderId => data.lenders.ids.get(l).to_string(),
                                })
                                .collect()
                        })
                        .collect();
                    let total: i128 = chunk.iter().map(|t| i128::from(t.amount)).sum();
                    let csv_bytes = batch_csv(&config.columns, &lines, config.gb18030)?;
                    let file = format!("{stem}.csv");
                    self.write_file(&file, &csv_bytes, chunk.len() as u64, total)?;
                    self.write_file(
                        &format!("{stem}.xlsx"),
                        &batch_xlsx(&config.columns, &lines)?,
                        chunk.len() as u64,
                        total,
                    )?;
                    let no_account = chunk
                        .iter()
                        .filter(|t| personal.bank_accounts.get(r.lender[t.row]).is_empty())
                        .count() as u64;
                    control.push((
                        file,
                        shown_bank.clone(),
                        chunk.len() as u64,
                        total,
                        no_account,
                        sha256(&csv_bytes),
                    ));
                }
            }
            let (n, total) = control
                .iter()
                .fold((0u64, 0i128), |(n, t), c| (n + c.2, t + c.3));
            let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
            let err = |e: csv::Error| Error::Internal(format!("writing a control file: {e}"));
            w.write_record([
                "批次文件 batch",
                "开户行 bank",
                "笔数 rows",
                "金额合计(元) total",
                "缺账号笔数 rows without an account",
                "sha256",
            ])
            .map_err(err)?;
            for c in &control {
                w.write_record([
                    c.0.as_str(),
                    &c.1,
                    &c.2.to_string(),
                    &crate::domain::money::format_fen_wide(c.3),
                    &c.4.to_string(),
                    &c.5,
                ])
                .map_err(err)?;
            }
            let missing: u64 = control.iter().map(|c| c.4).sum();
            w.write_record([
                "合计 total",
                &format!("{pid} 第{round}轮"),
                &n.to_string(),
                &crate::domain::money::format_fen_wide(total),
                &missing.to_string(),
                "",
            ])
            .map_err(err)?;
            let bytes = w
                .into_inner()
                .map_err(|e| Error::Internal(format!("writing a control file: {e}")))?;
            self.write_file(
                &format!("{}_r{round}_control.csv", safe(&pid)),
                &bytes,
                n,
                total,
            )?;
        }
        Ok(())
    }

    /// What the manifest records of the batches.
    pub fn records(&self) -> Vec<PaymentFileRecord> {
        self.files.clone()
    }

    /// Put the folder in place (after the output folder's swap).
    pub fn place(&mut self) -> Result<()> {
        staging::sync_dir(&self.tmp)?;
        if self.target.exists() {
            if !self.force {
                return Err(Error::Output(format!(
                    "{FLAG} {}: appeared while the run was writing; not replaced",
                    self.target.display()
                )));
            }
            fs::remove_dir_all(&self.target).map_err(|e| Error::io(&self.target, e))?;
        }
        fs::rename(&self.tmp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        if let Some(parent) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            staging::sync_dir(parent)?;
        }
        self.placed = true;
        Ok(())
    }

    /// Take a placed folder back to its staging name (the payment file beside it failed).
    pub fn unplace(&mut self) {
        if self.placed && fs::rename(&self.target, &self.tmp).is_ok() {
            self.placed = false;
        }
    }

    pub fn target(&self) -> &Path {
        &self.target
    }
}

impl Drop for PaymentBatches {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// A name part safe in a file name (no path separators or control characters).
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// The batch as CSV: the configured headers, then the rows.
fn batch_csv(
    columns: &[(BatchField, String)],
    lines: &[Vec<String>],
    gb18030: bool,
) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| Error::Internal(format!("writing a batch: {e}"));
    w.write_record(columns.iter().map(|(_, h)| h.as_str()))
        .map_err(err)?;
    for l in lines {
        w.write_record(l).map_err(err)?;
    }
    let text = w
        .into_inner()
        .map_err(|e| Error::Internal(format!("writing a batch: {e}")))?;
    Ok(if gb18030 {
        let s = String::from_utf8_lossy(&text);
        encoding_rs::GB18030.encode(&s).0.into_owned()
    } else {
        [b"\xef\xbb\xbf".as_slice(), &text].concat()
    })
}

/// The batch as .xlsx: every cell text but the amount (a number to the fen), so that Excel keeps
/// the account numbers' digits.
fn batch_xlsx(columns: &[(BatchField, String)], lines: &[Vec<String>]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("writing a batch: {e}"));
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let ws = wb.add_worksheet();
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("#,##0.00");
    for (c, (_, h)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &text)
            .map_err(err)?;
    }
    for (r, l) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, v) in l.iter().enumerate() {
            if columns
                .get(c)
                .is_some_and(|(f, _)| *f == BatchField::Amount)
            {
                let amount: f64 = v.parse().unwrap_or(0.0);
                ws.write_number_with_format(row, c as u16, amount, &money)
                    .map_err(err)?;
            } else {
                ws.write_string_with_format(row, c as u16, v, &text)
                    .map_err(err)?;
            }
        }
    }
    for (c, (field, _)) in columns.iter().enumerate() {
        let width = match field {
            BatchField::Seq => 6.0,
            BatchField::Account | BatchField::IdNumber => 24.0,
            BatchField::Bank => 22.0,
            BatchField::Purpose => 34.0,
            _ => 14.0,
        };
        ws.set_column_width(c as u16, width).map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}
