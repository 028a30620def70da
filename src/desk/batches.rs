//! The bank batches' control totals at the desk (`serve RUN_OUT --payments BANK_DIR`): each
//! round's control file (`P03_r1_control.csv`, written by `run --payments`) read once at start
//! — its batch files with bank, transfers and total, the transfers no batch carries for want of
//! an account, the cells to check by hand — and checked against the round's `paid` in
//! payout_rounds.parquet. Only the control files are read (by the names `winddown` gives
//! them, inside the folder named on the command line), never the batch files themselves: the
//! clerk's check of the bytes is the sha256 the control file lists.

use std::path::Path;

use serde::Serialize;

use crate::domain::money::parse_fen;
use crate::error::{Error, Result};

/// One batch file of a round.
#[derive(Debug, Clone, Serialize)]
pub struct BatchLine {
    pub file: String,
    pub bank: String,
    pub transfers: u64,
    /// Fen.
    pub total: i64,
    pub sha256: String,
}

/// One round's control file.
#[derive(Debug, Clone, Serialize)]
pub struct RoundControl {
    pub file: String,
    pub platform_id: String,
    pub round: i64,
    pub batches: Vec<BatchLine>,
    /// Transfers and amount of the round, batched or not (its `paid`, or what was re-issued).
    pub transfers: u64,
    pub total: i64,
    /// Transfers no batch carries (no valid account: exceptions.csv).
    pub without_account: u64,
    /// Cells a spreadsheet would read as a formula, listed for a check by hand.
    pub to_check: usize,
}

/// Every control file of `dir`, by file name.
pub fn read(dir: &Path) -> Result<Vec<RoundControl>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with("_control.csv"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            parse(name, &bytes)
                .map_err(|m| Error::bad_file(&path, format!("not a control file: {m}")))
        })
        .collect()
}

/// Undo the spreadsheet guard of a text cell (a leading `'` before what would run as a formula).
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if crate::domain::text::formula_like(rest) => rest,
        _ => cell,
    }
}

fn parse(name: &str, bytes: &[u8]) -> std::result::Result<RoundControl, String> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes))
        .map_err(|_| "not UTF-8".to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut control = RoundControl {
        file: name.to_string(),
        platform_id: String::new(),
        round: 0,
        batches: Vec::new(),
        transfers: 0,
        total: 0,
        without_account: 0,
        to_check: 0,
    };
    let (mut totalled, mut checks) = (false, false);
    for record in reader.records() {
        let r = record.map_err(|e| e.to_string())?;
        let cell = |i: usize| r.get(i).unwrap_or("");
        let count = |i: usize| {
            cell(i)
                .parse::<u64>()
                .map_err(|_| format!("{:?} is not a count", cell(i)))
        };
        let fen =
            |i: usize| parse_fen(cell(i)).ok_or_else(|| format!("{:?} is not an amount", cell(i)));
        if checks {
            control.to_check += 1;
            continue;
        }
        match cell(0) {
            "" => {}
            "合计 total" => {
                // "P03 第1轮": the platform and the round.
                let label = unguard(cell(1));
                let (platform, round) = label
                    .rsplit_once(" 第")
                    .and_then(|(p, r)| Some((p, r.strip_suffix('轮')?.parse::<i64>().ok()?)))
                    .ok_or_else(|| format!("{label:?} names no platform and round"))?;
                control.platform_id = platform.to_string();
                control.round = round;
                control.transfers = count(2)?;
                control.total = fen(3)?;
                control.without_account = count(4)?;
                totalled = true;
            }
            first if first.starts_with("需人工核对") => checks = true,
            "exceptions.csv" => {}
            file => control.batches.push(BatchLine {
                file: file.to_string(),
                bank: unguard(cell(1)).to_string(),
                transfers: count(2)?,
                total: fen(3)?,
                sha256: cell(5).to_string(),
            }),
        }
    }
    if !totalled {
        return Err("no 合计 total line".into());
    }
    Ok(control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_file_is_read_line_by_line() {
        let file = "\u{feff}批次文件 batch,开户行 bank,笔数 rows,金额合计(元) total,缺账号笔数 rows without an account,sha256\n\
                    P03_r1_b01_001.csv,中国农业银行,23,125839.13,0,aa\n\
                    P03_r1_b02_001.csv,'=招商,2,0.50,0,bb\n\
                    exceptions.csv,未发送: 无有效收款账号 not sent: no valid bank account,7,6033.65,7,\n\
                    合计 total,'=P 3 第2轮,32,131873.28,7,\n\
                    ,,,,,\n\
                    需人工核对 check by hand: cells a spreadsheet would read as a formula,序号 seq,出借人编号 lender_id,列 column,,\n\
                    P03_r1_b02_001.csv,1,L1,name,,\n";
        let c = parse("P03_r2_control.csv", file.as_bytes()).unwrap();
        assert_eq!((c.platform_id.as_str(), c.round), ("=P 3", 2));
        assert_eq!(
            (c.transfers, c.total, c.without_account, c.to_check),
            (32, 13_187_328, 7, 1)
        );
        assert_eq!(c.batches.len(), 2);
        assert_eq!(c.batches[1].bank, "=招商");
        assert_eq!(
            (c.batches[0].transfers, c.batches[0].total),
            (23, 12_583_913)
        );
        // Σ batches + the exceptions line = the total line.
        let batched: i64 = c.batches.iter().map(|b| b.total).sum();
        assert_eq!(batched + 603_365, c.total);
        // No total line: not a control file.
        assert!(parse(
            "x_control.csv",
            "a,b\nP_r1_b01_001.csv,x,1,1.00,0,\n".as_bytes()
        )
        .is_err());
    }
}
