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
use crate::domain::text::{excel_safe, formula_like};
use crate::error::{Error, Result};
use crate::input::InputData;
use crate::output::folder::digest::sha256;
use crate::output::folder::records::PaymentFileRecord;
use crate::output::folder::staging::{self, Inputs};
use crate::payout::rounds::{Payouts, Transfer, TransferKind};

const FLAG: &str = "--payments";

/// The batch folder being written beside its final name.
pub struct PaymentBatches {
    target: PathBuf,
    tmp: PathBuf,
    force: bool,
    placed: bool,
    files: Vec<PaymentFileRecord>,
    /// exceptions.csv's rows: platform, round, lender, amount, kind, reason.
    exceptions: Vec<[String; 6]>,
}

/// What the batches did with each transfer, and what the clerk must look at.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchChecks {
    pub carried: Vec<(Transfer, Carried)>,
    /// Transfers left out of every batch (no valid account), in exceptions.csv.
    pub exceptions: u64,
    pub exceptions_total: i128,
    /// Cells a spreadsheet would run as a formula, listed in the control files.
    pub to_check: u64,
}

/// Where a transfer went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried {
    /// In this batch file (its path and sha256).
    Issued(String, String),
    /// In exceptions.csv: no batch could carry it.
    Withheld,
}

/// One transfer as the batches carry it, whatever it pays: a lender's payout on a platform, a
/// person's payment in a case.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The platform or case whose round it is: its id and name.
    pub group: &'a str,
    pub group_name: &'a str,
    pub round: i64,
    /// The lender or person paid, by the id the outputs show.
    pub payee: &'a str,
    /// The account holder's name (户名).
    pub holder: &'a str,
    pub id_number: &'a str,
    pub phone: &'a str,
    /// Digits; empty: no valid account (an exception, never in a batch).
    pub account: &'a str,
    pub bank: &'a str,
    /// Fen.
    pub amount: i64,
    /// What the transfer is (中文, English), and whether it is the round's first payment (the
    /// purpose then says nothing more).
    pub kind: (&'static str, &'static str),
    pub first: bool,
}

/// What the control and exceptions files call the group and the payee.
pub struct Labels {
    pub group: &'static str,
    pub payee: &'static str,
}

/// A platform's lenders.
pub const LENDERS: Labels = Labels {
    group: "平台编号 platform_id",
    payee: "出借人编号 lender_id",
};

/// A case's people.
pub const PEOPLE: Labels = Labels {
    group: "案件编号 case_id",
    payee: "人员编号 person_id",
};

/// One batch file of a round's control file.
struct ControlLine {
    file: String,
    bank: String,
    rows: u64,
    total: i128,
    sha256: String,
}

/// A round's control file: its batches, what no batch carries, and the cells to check.
#[derive(Default)]
struct Control {
    batches: Vec<ControlLine>,
    exceptions: u64,
    exceptions_total: i128,
    /// (batch file, 序号, lender_id, column) of a cell that reads as a formula.
    to_check: Vec<[String; 4]>,
}

impl Control {
    /// Transfers and amount of the round, batched or not: the round's `paid` (or `reissued`).
    fn totals(&self) -> (u64, i128) {
        self.batches
            .iter()
            .fold((self.exceptions, self.exceptions_total), |(n, t), c| {
                (n + c.rows, t + c.total)
            })
    }

    fn csv(&self, round: &str, labels: &Labels) -> Result<Vec<u8>> {
        use crate::domain::money::format_fen_wide;
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
        // A batch holds no transfer without an account: those are the exceptions line's.
        for c in &self.batches {
            w.write_record([
                c.file.as_str(),
                &excel_safe(&c.bank),
                &c.rows.to_string(),
                &format_fen_wide(c.total),
                "0",
                &c.sha256,
            ])
            .map_err(err)?;
        }
        if self.exceptions > 0 {
            w.write_record([
                "exceptions.csv",
                "未发送: 无有效收款账号 not sent: no valid bank account",
                &self.exceptions.to_string(),
                &format_fen_wide(self.exceptions_total),
                &self.exceptions.to_string(),
                "",
            ])
            .map_err(err)?;
        }
        let (n, total) = self.totals();
        w.write_record([
            "合计 total",
            &excel_safe(round),
            &n.to_string(),
            &format_fen_wide(total),
            &self.exceptions.to_string(),
            "",
        ])
        .map_err(err)?;
        if !self.to_check.is_empty() {
            w.write_record([""; 6]).map_err(err)?;
            w.write_record([
                "需人工核对 check by hand: cells a spreadsheet would read as a formula",
                "序号 seq",
                labels.payee,
                "列 column",
                "",
                "",
            ])
            .map_err(err)?;
            for c in &self.to_check {
                w.write_record([
                    c[0].as_str(),
                    &c[1],
                    &excel_safe(&c[2]),
                    &excel_safe(&c[3]),
                    "",
                    "",
                ])
                .map_err(err)?;
            }
        }
        w.into_inner()
            .map_err(|e| Error::Internal(format!("writing a control file: {e}")))
    }
}

/// exceptions.csv: the transfers of this run that no batch carries, for the clerk to resolve
/// (get the lender's account, then pay with the next command).
fn exceptions_csv(rows: &[[String; 6]], labels: &Labels) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    let err = |e: csv::Error| Error::Internal(format!("writing exceptions.csv: {e}"));
    w.write_record([
        labels.group,
        "轮次 round",
        labels.payee,
        "金额(元) amount",
        "类别 kind",
        "原因 reason",
    ])
    .map_err(err)?;
    for row in rows {
        w.write_record(row.iter().map(|c| excel_safe(c).into_owned()))
            .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing exceptions.csv: {e}")))
}

impl PaymentBatches {
    /// Check `path` and make its staging folder. `out` is the output folder.
    pub fn create(path: &Path, out: &Path, inputs: &Inputs, force: bool) -> Result<PaymentBatches> {
        let inputs = inputs.clone().with("the output folder", out);
        staging::check_apart(FLAG, path, &inputs)?;
        if path.exists() && !path.is_dir() {
            return Err(Error::output(FLAG, path, "exists and is not a folder"));
        }
        if path.exists() && !force {
            return Err(Error::output(
                FLAG,
                path,
                "exists; payment batches are a record of transfers, winddown never \
                 replaces them (choose a new folder, or pass --force)",
            ));
        }
        let name = path
            .file_name()
            .ok_or_else(|| Error::output(FLAG, path, "not a folder name"))?;
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
            .map_err(|e| Error::output(FLAG, path, format!("cannot write beside it: {e}")))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(&tmp, e))?;
        Ok(PaymentBatches {
            target: path.to_path_buf(),
            tmp,
            force,
            placed: false,
            files: Vec::new(),
            exceptions: Vec::new(),
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

    /// Write the batches and control files of the rounds computed in this run, and
    /// `exceptions.csv` for the transfers that no batch can carry (no valid account). What
    /// the clerk must look at is returned for the console.
    pub fn write(
        &mut self,
        data: &InputData,
        payouts: &Payouts,
        transfers: &[Transfer],
        config: &Payments,
    ) -> Result<BatchChecks> {
        let personal = data
            .personal
            .as_ref()
            .ok_or_else(|| Error::Internal("the batches need the lenders' accounts".into()))?;
        let r = &payouts.rows;
        let items: Vec<Outgoing> = transfers
            .iter()
            .map(|t| {
                let l = r.lender[t.row];
                let p = r.platform(t.row);
                Outgoing {
                    group: &data.platforms.ids[p],
                    group_name: &data.platforms.names[p],
                    round: r.round(t.row),
                    payee: data.lenders.ids.get(l),
                    holder: match personal.account_names.get(l) {
                        "" => personal.names.get(l),
                        a => a,
                    },
                    id_number: personal.id_numbers.get(l),
                    phone: personal.phones.get(l),
                    account: personal.bank_accounts.get(l),
                    bank: personal.bank_names.get(l),
                    amount: t.amount.get(),
                    kind: t.kind.zh_en(),
                    first: t.kind == TransferKind::Payout,
                }
            })
            .collect();
        let (carried, mut checks) = self.write_outgoing(&items, &LENDERS, config)?;
        checks.carried = carried
            .into_iter()
            .map(|(i, c)| (transfers[i], c))
            .collect();
        Ok(checks)
    }

    /// The batches, control files and exceptions of `items`, whatever they pay; where each
    /// item went, by its index.
    pub fn write_outgoing(
        &mut self,
        items: &[Outgoing],
        labels: &Labels,
        config: &Payments,
    ) -> Result<(Vec<(usize, Carried)>, BatchChecks)> {
        let mut checks = BatchChecks::default();
        let mut carried = Vec::new();
        // A transfer without a valid account would be refused by the bank: it goes to the
        // exceptions list, never into a batch.
        let (mut rows, exceptions): (Vec<usize>, Vec<usize>) =
            (0..items.len()).partition(|&i| !items[i].account.is_empty());
        // Group, round, bank, then payee: the order of the files and of their rows.
        let key = |i: usize| {
            let t = &items[i];
            (t.group.as_bytes(), t.round, t.bank, t.payee.as_bytes())
        };
        rows.sort_by(|&a, &b| key(a).cmp(&key(b)));
        // The rounds with a transfer, batched or not: each gets its control file.
        let mut rounds: Vec<(&str, i64)> = rows
            .iter()
            .chain(&exceptions)
            .map(|&i| (items[i].group, items[i].round))
            .collect();
        rounds.sort_by(|a, b| (a.0.as_bytes(), a.1).cmp(&(b.0.as_bytes(), b.1)));
        rounds.dedup();
        let mut k = 0;
        for (gid, round) in rounds {
            let purpose = |t: &Outgoing| {
                if t.first {
                    format!("{}第{round}轮清退兑付", t.group_name)
                } else {
                    format!("{}第{round}轮清退兑付({})", t.group_name, t.kind.0)
                }
            };
            let mut control = Control::default();
            let same_round = |i: usize| items[i].group == gid && items[i].round == round;
            // Banks are numbered in their order within the round: the file names say
            // `b01`, `b02` …, never the bank's name (personal data, docs/inputs.md).
            let mut bank_no = 0;
            while k < rows.len() && same_round(rows[k]) {
                let b = items[rows[k]].bank.to_string();
                bank_no += 1;
                let mut group = Vec::new();
                while k < rows.len() && same_round(rows[k]) && items[rows[k]].bank == b {
                    group.push(rows[k]);
                    k += 1;
                }
                let shown_bank = if b.is_empty() {
                    "未登记开户行".to_string()
                } else {
                    b.clone()
                };
                for (n, chunk) in group.chunks(config.batch_rows).enumerate() {
                    let stem = format!("{}_r{round}_b{bank_no:02}_{:03}", safe(gid), n + 1);
                    let file = format!("{stem}.csv");
                    let mut lines: Vec<Vec<String>> = Vec::with_capacity(chunk.len());
                    for (j, &i) in chunk.iter().enumerate() {
                        let t = &items[i];
                        let line: Vec<String> = config
                            .columns
                            .iter()
                            .map(|(field, _)| match field {
                                BatchField::Seq => (j + 1).to_string(),
                                BatchField::Account => t.account.to_string(),
                                BatchField::Name => t.holder.to_string(),
                                BatchField::Bank => b.clone(),
                                BatchField::Amount => format_fen(t.amount),
                                BatchField::Purpose => purpose(t),
                                BatchField::IdNumber => t.id_number.to_string(),
                                BatchField::Phone => t.phone.to_string(),
                                BatchField::LenderId => t.payee.to_string(),
                            })
                            .collect();
                        // The bank needs the text as it is; a cell Excel would run as a
                        // formula, or one with a line break or another control character
                        // (a bank's import splits or refuses it), is listed for a clerk to
                        // check before the upload.
                        for ((_, header), cell) in config.columns.iter().zip(&line) {
                            if formula_like(cell) || cell.chars().any(char::is_control) {
                                control.to_check.push([
                                    file.clone(),
                                    (j + 1).to_string(),
                                    t.payee.to_string(),
                                    header.clone(),
                                ]);
                            }
                        }
                        lines.push(line);
                    }
                    let total: i128 = chunk.iter().map(|&i| i128::from(items[i].amount)).sum();
                    let csv_bytes = batch_csv(&config.columns, &lines, config.gb18030)?;
                    let carried_by = format!("{}/{file}", self.target.display());
                    let sha = sha256(&csv_bytes);
                    carried.extend(
                        chunk
                            .iter()
                            .map(|&i| (i, Carried::Issued(carried_by.clone(), sha.clone()))),
                    );
                    self.write_file(&file, &csv_bytes, chunk.len() as u64, total)?;
                    self.write_file(
                        &format!("{stem}.xlsx"),
                        &batch_xlsx(&config.columns, &lines)?,
                        chunk.len() as u64,
                        total,
                    )?;
                    control.batches.push(ControlLine {
                        file,
                        bank: shown_bank.clone(),
                        rows: chunk.len() as u64,
                        total,
                        sha256: sha256(&csv_bytes),
                    });
                }
            }
            for &i in exceptions.iter().filter(|&&i| same_round(i)) {
                let t = &items[i];
                carried.push((i, Carried::Withheld));
                control.exceptions += 1;
                control.exceptions_total += i128::from(t.amount);
                self.exceptions.push([
                    gid.to_string(),
                    round.to_string(),
                    t.payee.to_string(),
                    format_fen(t.amount),
                    format!("{} {}", t.kind.0, t.kind.1),
                    "无有效收款账号 no valid bank account".to_string(),
                ]);
            }
            checks.exceptions += control.exceptions;
            checks.exceptions_total += control.exceptions_total;
            checks.to_check += control.to_check.len() as u64;
            let (n, total) = control.totals();
            let bytes = control.csv(&format!("{gid} 第{round}轮"), labels)?;
            self.write_file(
                &format!("{}_r{round}_control.csv", safe(gid)),
                &bytes,
                n,
                total,
            )?;
        }
        if !self.exceptions.is_empty() {
            let (n, total) = (checks.exceptions, checks.exceptions_total);
            let bytes = exceptions_csv(&self.exceptions, labels)?;
            self.write_file("exceptions.csv", &bytes, n, total)?;
        }
        Ok((carried, checks))
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
                return Err(Error::output(
                    FLAG,
                    &self.target,
                    "appeared while the run was writing; not replaced",
                ));
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
    ws.set_name("批量代付 batch").map_err(err)?;
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("#,##0.00");
    for (c, (_, h)) in columns.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &text)
            .map_err(err)?;
    }
    for (r, l) in lines.iter().enumerate() {
        let row = r as u32 + 1;
        for (c, v) in l.iter().enumerate() {
            let field = columns.get(c).map(|(f, _)| *f);
            if field == Some(BatchField::Seq) {
                // 序号 is a number, as a bank's template has it.
                let seq: f64 = v.parse().unwrap_or(0.0);
                ws.write_number(row, c as u16, seq).map_err(err)?;
                continue;
            }
            if field == Some(BatchField::Amount) {
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
