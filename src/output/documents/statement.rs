//! `winddown statement OUT --lender ID`: the help desk's answer to a lender who calls — their
//! position on every platform of a run's output folder: the claim and how it was computed
//! (invested, principal returned, returns received, 本金折抵 where the class nets returns),
//! each round's paid / reserved / carried / returned, and what is still owed; Chinese first, English
//! beside. Read from claims.parquet and payouts.parquet with arrow-rs: only the row groups
//! whose bloom filter on lender_id may hold the lender are read.

use std::path::Path;

use crate::domain::exports::{CLAIM, CLASS_ZH, LENDER_ID, NAME, PLATFORM_ID, ROUND, STATUS};
use crate::domain::money::grouped;
use crate::domain::text::excel_safe;
use crate::error::{Error, Result};
use crate::table::export_file::ExportFile;

/// One platform's claim of the lender (claims.parquet).
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimLine {
    pub platform_id: String,
    pub class_zh: String,
    /// Fen.
    pub invested: i64,
    pub principal_returned: i64,
    pub returns_received: i64,
    pub basis: String,
    pub claim: i64,
}

/// One payout round of the lender on a platform (payouts.parquet).
#[derive(Debug, Clone, PartialEq)]
pub struct RoundLine {
    pub platform_id: String,
    pub round: i64,
    pub status: String,
    pub paid: i64,
    pub reserved: i64,
    pub carried: i64,
    /// Sent, returned by the bank, held for the lender.
    pub returned: i64,
    pub cumulative: i64,
    pub remaining: i64,
}

/// A lender's statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub lender_id: String,
    pub claims: Vec<ClaimLine>,
    pub rounds: Vec<RoundLine>,
}

/// The claims of a `run` output folder; a clear refusal for another command's folder.
fn claims_file(out: &Path) -> Result<std::path::PathBuf> {
    let cpath = out.join("claims.parquet");
    if !ExportFile::exists(&cpath) {
        return Err(Error::Usage(format!(
            "{} has no claims.parquet: statements are read from the output folder of `run` \
             (to pay a round and keep the claims, use `run DATA --ledger PREV_OUT` instead of \
             `payout`)",
            out.display()
        )));
    }
    Ok(cpath)
}

/// The lender's statement from a run's output folder; `None` when the lender has no claim there.
pub fn statement(out: &Path, lender: &str) -> Result<Option<Statement>> {
    let cpath = claims_file(out)?;
    let mut claims = Vec::new();
    {
        use crate::domain::exports::claims as f;
        let c = ExportFile::read_lender(
            &cpath,
            &[
                &PLATFORM_ID,
                &f::INVESTED,
                &f::PRINCIPAL_RETURNED,
                &f::RETURNS_RECEIVED,
                &f::BASIS,
                &CLAIM,
                &CLASS_ZH,
            ],
            lender,
        )?;
        let (ids, classes, bases) = (
            c.text(&PLATFORM_ID)?,
            c.text(&CLASS_ZH)?,
            c.text(&f::BASIS)?,
        );
        let (inv, ret, rec, claim) = (
            c.money(&f::INVESTED)?,
            c.money(&f::PRINCIPAL_RETURNED)?,
            c.money(&f::RETURNS_RECEIVED)?,
            c.money(&CLAIM)?,
        );
        for i in 0..c.rows() {
            claims.push(ClaimLine {
                platform_id: ids[i].clone(),
                class_zh: classes[i].clone(),
                invested: inv[i],
                principal_returned: ret[i],
                returns_received: rec[i],
                basis: bases[i].clone(),
                claim: claim[i],
            });
        }
    }
    if claims.is_empty() {
        return Ok(None);
    }
    let ppath = out.join("payouts.parquet");
    let mut rounds = Vec::new();
    if ExportFile::exists(&ppath) {
        use crate::domain::exports::payouts as f;
        let p = ExportFile::read_lender(
            &ppath,
            &[
                &PLATFORM_ID,
                &ROUND,
                &STATUS,
                &f::PAID,
                &f::RESERVED,
                &f::CARRIED,
                &f::RETURNED,
                &f::CUMULATIVE,
                &f::REMAINING,
            ],
            lender,
        )?;
        let (ids, status, round) = (p.text(&PLATFORM_ID)?, p.text(&STATUS)?, p.int(&ROUND)?);
        let (paid, reserved, carried, cumulative, remaining) = (
            p.money(&f::PAID)?,
            p.money(&f::RESERVED)?,
            p.money(&f::CARRIED)?,
            p.money(&f::CUMULATIVE)?,
            p.money(&f::REMAINING)?,
        );
        // Folders written before the returns table have no `returned`: nothing returned.
        let returned = if p.has(&f::RETURNED) {
            p.money(&f::RETURNED)?
        } else {
            vec![0; p.rows()]
        };
        for i in 0..p.rows() {
            rounds.push(RoundLine {
                platform_id: ids[i].clone(),
                round: round[i],
                status: status[i].clone(),
                paid: paid[i],
                reserved: reserved[i],
                carried: carried[i],
                returned: returned[i],
                cumulative: cumulative[i],
                remaining: remaining[i],
            });
        }
    }
    claims.sort_by(|a, b| a.platform_id.as_bytes().cmp(b.platform_id.as_bytes()));
    rounds.sort_by(|a, b| {
        (a.platform_id.as_bytes(), a.round).cmp(&(b.platform_id.as_bytes(), b.round))
    });
    Ok(Some(Statement {
        lender_id: lender.to_string(),
        claims,
        rounds,
    }))
}

fn y(fen: i64) -> String {
    grouped(i128::from(fen))
}

/// The statement as the help desk reads it out: Chinese first, English beside.
pub fn text_statement(s: &Statement, names: &std::collections::HashMap<String, String>) -> String {
    use std::fmt::Write;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "出借人 {} 债权确认及兑付明细 / Lender {}: claims and payouts\n",
        s.lender_id, s.lender_id
    );
    let (mut total_claim, mut total_paid, mut total_reserved, mut total_returned, mut total_owed) =
        (0i64, 0i64, 0i64, 0i64, 0i64);
    for c in &s.claims {
        let name = names.get(&c.platform_id).map(String::as_str).unwrap_or("");
        let _ = writeln!(t, "平台 {} {}（{}）", c.platform_id, name, c.class_zh);
        let _ = writeln!(
            t,
            "  出借本金 invested             {:>16} 元",
            y(c.invested)
        );
        let _ = writeln!(
            t,
            "  已还本金 principal returned   {:>16} 元",
            y(c.principal_returned)
        );
        let _ = writeln!(
            t,
            "  已获收益 returns received     {:>16} 元",
            y(c.returns_received)
        );
        let how = if c.basis == "net_of_returns" {
            format!(
                "本金折抵 net of returns: {} − {} − {}",
                y(c.invested),
                y(c.principal_returned),
                y(c.returns_received)
            )
        } else {
            format!(
                "合同口径 outstanding principal: {} − {}",
                y(c.invested),
                y(c.principal_returned)
            )
        };
        let _ = writeln!(
            t,
            "  债权 claim                    {:>16} 元  ({how}, 不低于 0 / at least 0)",
            y(c.claim)
        );
        let mine: Vec<&RoundLine> = s
            .rounds
            .iter()
            .filter(|r| r.platform_id == c.platform_id)
            .collect();
        for r in &mine {
            let back = if r.returned > 0 {
                format!(", 退汇待重发 returned {} 元", y(r.returned))
            } else {
                String::new()
            };
            let _ = writeln!(
                t,
                "  第 {} 轮 round {}: 兑付 paid {} 元, 提存 reserved {} 元, 结转 carried {} 元{back} ({})",
                r.round,
                r.round,
                y(r.paid),
                y(r.reserved),
                y(r.carried),
                r.status
            );
        }
        let (paid, reserved, returned): (i64, i64, i64) =
            mine.iter().fold((0, 0, 0), |(p, q, b), r| {
                (p + r.paid, q + r.reserved, b + r.returned)
            });
        let owed = owed(c, &s.rounds);
        if returned > 0 {
            let _ = writeln!(
                t,
                "  退汇待重发 returned by the bank, held for you {} 元：请更新收款账户，核实后重发 \
                 (sent again once your account is corrected)",
                y(returned)
            );
        }
        let _ = writeln!(
            t,
            "  已兑付 paid {} 元；提存待领 reserved {} 元；尚欠 still owed {} 元\n",
            y(paid),
            y(reserved),
            y(owed)
        );
        total_claim += c.claim;
        total_paid += paid;
        total_reserved += reserved;
        total_returned += returned;
        total_owed += owed;
    }
    let back = if total_returned > 0 {
        format!("；退汇待重发 returned {} 元", y(total_returned))
    } else {
        String::new()
    };
    let _ = writeln!(
        t,
        "合计 total: 债权 claim {} 元；已兑付 paid {} 元；提存 reserved {} 元{back}；尚欠 still owed {} 元",
        y(total_claim),
        y(total_paid),
        y(total_reserved),
        y(total_owed)
    );
    t
}

/// What the lender is still owed on a platform: the last round's remaining, or the whole
/// claim before any round.
fn owed(c: &ClaimLine, rounds: &[RoundLine]) -> i64 {
    rounds
        .iter()
        .rfind(|r| r.platform_id == c.platform_id)
        .map_or(c.claim, |r| r.remaining)
}

/// The statement as data (`statement --format json`).
pub fn statement_doc(
    s: &Statement,
    names: &std::collections::HashMap<String, String>,
) -> crate::output::console::StatementDoc {
    use crate::domain::money::{format_fen as f, format_fen_wide as w};
    use crate::output::console::{StatementClaim, StatementDoc, StatementRound};
    let sum = |it: &mut dyn Iterator<Item = i64>| w(it.map(i128::from).sum());
    StatementDoc {
        lender_id: s.lender_id.clone(),
        claims: s
            .claims
            .iter()
            .map(|c| StatementClaim {
                platform_id: c.platform_id.clone(),
                platform_name: names.get(&c.platform_id).cloned().unwrap_or_default(),
                class_zh: c.class_zh.clone(),
                invested: f(c.invested),
                principal_returned: f(c.principal_returned),
                returns_received: f(c.returns_received),
                basis: c.basis.clone(),
                claim: f(c.claim),
            })
            .collect(),
        rounds: s
            .rounds
            .iter()
            .map(|r| StatementRound {
                platform_id: r.platform_id.clone(),
                round: r.round,
                status: r.status.clone(),
                paid: f(r.paid),
                reserved: f(r.reserved),
                carried: f(r.carried),
                returned: f(r.returned),
                cumulative: f(r.cumulative),
                remaining: f(r.remaining),
            })
            .collect(),
        total_claim: sum(&mut s.claims.iter().map(|c| c.claim)),
        paid: sum(&mut s.rounds.iter().map(|r| r.paid)),
        remaining: sum(&mut s.claims.iter().map(|c| owed(c, &s.rounds))),
    }
}

/// Platform id → name, from a run's platforms.parquet (empty when the folder has none).
pub fn platform_names(out: &Path) -> Result<std::collections::HashMap<String, String>> {
    let ppath = out.join("platforms.parquet");
    if !ppath.is_file() {
        return Ok(std::collections::HashMap::new());
    }
    let t = ExportFile::read(&ppath, &[&PLATFORM_ID, &NAME])?;
    Ok(t.text(&PLATFORM_ID)?
        .into_iter()
        .zip(t.text(&NAME)?)
        .collect())
}

/// One lender's rounds on one platform, for statements.csv: paid, reserved and returned over
/// the rounds; carried and remaining after the last.
#[derive(Debug, Default, Clone, Copy)]
struct Received {
    paid: i64,
    reserved: i64,
    carried: i64,
    remaining: i64,
    returned: i64,
}

/// Every lender's statement, for mail merge (statements.csv: a row per lender and platform,
/// with the lender's name) and an SMS text per lender (sms.csv: lender, phone, text from
/// `[statement] sms`). Both carry personal data: the caller writes them 0600. Returns the two
/// files' bytes (UTF-8 with BOM, for Excel), the statement rows and the number of lenders.
pub fn all_statements(
    out: &Path,
    data: &crate::input::InputData,
    sms_template: &str,
) -> Result<(Vec<u8>, Vec<u8>, u64, u64)> {
    let personal = data
        .personal
        .as_ref()
        .ok_or_else(|| Error::Internal("statements need the lenders' names".into()))?;
    let cpath = claims_file(out)?;
    let (platform, lender, basis, class_zh, invested, returned, received, claim) = {
        use crate::domain::exports::claims as f;
        let c = ExportFile::read(
            &cpath,
            &[
                &PLATFORM_ID,
                &LENDER_ID,
                &f::BASIS,
                &CLASS_ZH,
                &f::INVESTED,
                &f::PRINCIPAL_RETURNED,
                &f::RETURNS_RECEIVED,
                &CLAIM,
            ],
        )?;
        (
            c.text(&PLATFORM_ID)?,
            c.text(&LENDER_ID)?,
            c.text(&f::BASIS)?,
            c.text(&CLASS_ZH)?,
            c.money(&f::INVESTED)?,
            c.money(&f::PRINCIPAL_RETURNED)?,
            c.money(&f::RETURNS_RECEIVED)?,
            c.money(&CLAIM)?,
        )
    };
    // Per (platform, lender): paid, reserved and returned over the rounds, carried and
    // remaining after the last.
    let mut paid: std::collections::HashMap<(String, String), Received> =
        std::collections::HashMap::new();
    let ppath = out.join("payouts.parquet");
    if ExportFile::exists(&ppath) {
        use crate::domain::exports::payouts as f;
        let p = ExportFile::read(
            &ppath,
            &[
                &PLATFORM_ID,
                &LENDER_ID,
                &f::PAID,
                &f::RESERVED,
                &f::CARRIED,
                &f::REMAINING,
                &f::RETURNED,
            ],
        )?;
        let (pl, le) = (p.text(&PLATFORM_ID)?, p.text(&LENDER_ID)?);
        let (pd, rs, ca, rem) = (
            p.money(&f::PAID)?,
            p.money(&f::RESERVED)?,
            p.money(&f::CARRIED)?,
            p.money(&f::REMAINING)?,
        );
        let back = if p.has(&f::RETURNED) {
            p.money(&f::RETURNED)?
        } else {
            vec![0; pl.len()]
        };
        // Rows are sorted by platform, round, lender (docs/outputs.md): a later round comes
        // later and overwrites carried and remaining.
        for i in 0..pl.len() {
            let e = paid.entry((pl[i].clone(), le[i].clone())).or_default();
            e.paid += pd[i];
            e.reserved += rs[i];
            e.carried = ca[i];
            e.remaining = rem[i];
            e.returned += back[i];
        }
    }
    let names = platform_names(out)?;
    let code_of = |id: &str| data.lender_index.find(id).accepted();
    let err = |e: csv::Error| Error::Internal(format!("writing statements: {e}"));
    let mut st = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    st.write_record([
        "出借人编号 lender_id",
        "姓名 name",
        "平台编号 platform_id",
        "平台名称 platform",
        "类别 class",
        "出借本金 invested",
        "已还本金 principal_returned",
        "已获收益 returns_received",
        "债权口径 basis",
        "债权 claim",
        "已兑付 paid",
        "提存待领 reserved",
        "结转 carried",
        "尚欠 remaining",
        "退汇待重发 returned",
    ])
    .map_err(err)?;
    let mut sms = csv::Writer::from_writer(b"\xef\xbb\xbf".to_vec());
    sms.write_record(["出借人编号 lender_id", "手机 phone", "短信 text"])
        .map_err(err)?;
    // Rows are sorted by platform, then lender: gather per lender in lender byte order.
    let mut order: Vec<usize> = (0..lender.len()).collect();
    order.sort_by(|a, b| {
        (lender[*a].as_bytes(), platform[*a].as_bytes())
            .cmp(&(lender[*b].as_bytes(), platform[*b].as_bytes()))
    });
    let mut lenders = 0u64;
    let mut k = 0;
    while k < order.len() {
        let id = &lender[order[k]];
        let code = code_of(id).ok_or_else(|| {
            Error::Usage(format!(
                "lender {id} of {} is not in the data's lenders table (a pseudonymized run, or \
                 other data?)",
                cpath.display()
            ))
        })?;
        let (name, phone) = (personal.names.get(code), personal.phones.get(code));
        let mut totals = (0u64, 0i64, 0i64, 0i64, 0i64, 0i64);
        while k < order.len() && lender[order[k]] == *id {
            let i = order[k];
            let Received {
                paid: p,
                reserved: r,
                carried: c,
                remaining: rem,
                returned: back,
            } = paid
                .get(&(platform[i].clone(), id.clone()))
                .copied()
                .unwrap_or(Received {
                    remaining: claim[i],
                    ..Received::default()
                });
            let y = |f: i64| crate::domain::money::format_fen(f);
            // For mail merge in Excel: text from the data never becomes a formula.
            st.write_record(
                [
                    id.as_str(),
                    name,
                    &platform[i],
                    names.get(&platform[i]).map_or("", String::as_str),
                    &class_zh[i],
                    &y(invested[i]),
                    &y(returned[i]),
                    &y(received[i]),
                    if basis[i] == "net_of_returns" {
                        "本金折抵"
                    } else {
                        "合同口径"
                    },
                    &y(claim[i]),
                    &y(p),
                    &y(r),
                    &y(c),
                    &y(rem),
                    &y(back),
                ]
                .map(|c| excel_safe(c).into_owned()),
            )
            .map_err(err)?;
            totals = (
                totals.0 + 1,
                totals.1 + claim[i],
                totals.2 + p,
                totals.3 + r,
                totals.4 + rem,
                totals.5 + back,
            );
            k += 1;
        }
        let y = |f: i64| crate::domain::money::format_fen(f);
        let text = sms_template
            .replace("{name}", name)
            .replace("{platforms}", &totals.0.to_string())
            .replace("{claim}", &y(totals.1))
            .replace("{paid}", &y(totals.2))
            .replace("{reserved}", &y(totals.3))
            .replace("{remaining}", &y(totals.4))
            .replace("{returned}", &y(totals.5));
        sms.write_record([id.as_str(), phone, &text].map(|c| excel_safe(c).into_owned()))
            .map_err(err)?;
        lenders += 1;
    }
    let done = |w: csv::Writer<Vec<u8>>| {
        w.into_inner()
            .map_err(|e| Error::Internal(format!("writing statements: {e}")))
    };
    Ok((done(st)?, done(sms)?, order.len() as u64, lenders))
}
