//! `winddown case DATA --out DIR`: one clearance round of every case on the ledger of the
//! rounds before it, its exports, notices, docket and payment file.

use std::collections::HashMap;

use super::{docket_settings, inputs_of, load, record, write_checks_and_docket, Loaded};
use crate::cases::docket;
use crate::cases::settle::{self, Settlement};
use crate::cli::args::*;
use crate::cli::console::Log;
use crate::domain::code::PersonCode;
use crate::domain::count::grouped as count;
use crate::domain::money::{format_fen, grouped};
use crate::domain::text::{excel_safe, formula_like, terminal_safe};
use crate::error::{Error, Result};
use crate::output::bank::batches::{Outgoing, PaymentBatches, PEOPLE};
use crate::output::tables::cases as exports;
use crate::output::{self, PaymentFile, Staging};

pub fn round(args: CaseRoundArgs, log: &Log) -> Result<()> {
    let out = args
        .out
        .clone()
        .ok_or_else(|| Error::Usage("case: --out is missing".into()))?;
    let inputs = inputs_of(&args.input, args.ledger.as_deref())?;
    let staging = Staging::create(&out, &inputs, args.force)?;
    let mut payment = match &args.payment_file {
        Some(path) => Some(PaymentFile::create(path, &out, &inputs, args.force)?),
        None => None,
    };
    let mut batches = match &args.payments {
        Some(path) => Some(PaymentBatches::create(path, &out, &inputs, args.force)?),
        None => None,
    };
    let personal = payment.is_some() || batches.is_some();
    let loaded = load(&args.input, args.ledger.as_deref(), personal, log)?;
    let data = &loaded.validated.data;
    let rules = loaded.config.cases;
    let settlement = settle::settle(data, &loaded.ids, loaded.as_of, true, rules, &loaded.ledger)?;
    let settings = docket_settings(&args.docket, loaded.as_of);
    let docket = docket::docket(data, &settlement, settings);

    exports::participants(&staging, data, &loaded.ids, &settlement)?;
    exports::waterfall(&staging, data, &settlement)?;
    exports::ledger(&staging, &settlement)?;
    write_checks_and_docket(&staging, &loaded, &docket, settings)?;
    let new_rounds: Vec<&settle::RoundRow> = settlement
        .cases
        .iter()
        .filter_map(|c| c.round.as_ref())
        .collect();
    let mut unregistered: HashMap<&str, i64> = HashMap::new();
    for (p, outcome) in data.people.iter().zip(&settlement.people) {
        let claimant = matches!(
            outcome.standing,
            crate::cases::loss::Standing::Claimant { .. }
        );
        if claimant && !p.payable_on(loaded.as_of) {
            *unregistered
                .entry(data.cases[p.case].id.as_str())
                .or_default() += 1;
        }
    }
    let notices = crate::output::documents::case_notices::notices_html(
        data,
        &new_rounds,
        &|case| unregistered.get(case).copied().unwrap_or(0),
        rules,
        args.notice_date.unwrap_or(loaded.as_of),
    )?;
    staging.write("case_notices.html", notices.as_bytes())?;
    if let Some(file) = payment.as_mut() {
        let exceptions = write_payments(file, &loaded, &settlement, &new_rounds)?;
        staging.write("case_exceptions.csv", exceptions.0.as_bytes())?;
        staging.record_rows("case_exceptions.csv", exceptions.1);
        if exceptions.1 > 0 {
            log.info(&format!(
                "{} 笔支付缺少收款信息，见 case_exceptions.csv payment(s) without the payee's details: see case_exceptions.csv",
                count(exceptions.1 as i64)
            ));
        }
    }
    if let Some(b) = batches.as_mut() {
        let checks = write_batches(b, &loaded, &settlement, &new_rounds)?;
        if checks.exceptions > 0 {
            log.info(&format!(
                "{} 笔转账（{} 元）无有效收款账号，未进入批量文件，见 exceptions.csv transfer(s) without a valid bank account, in no batch: see exceptions.csv",
                count(checks.exceptions as i64),
                grouped(checks.exceptions_total)
            ));
        }
        if checks.to_check > 0 {
            log.info(&format!(
                "{} 个单元格需人工核对（见各轮控制文件） cell(s) to check by hand before the upload: see the control files",
                count(checks.to_check as i64)
            ));
        }
    }
    say(&settlement, data, log);
    let record = record("case", &args.input, &loaded, args.ledger.as_deref())?;
    output::finish_with_batches(
        staging,
        record,
        output::Issue {
            payment: payment.as_mut(),
            batches: batches.as_mut(),
            ..output::Issue::default()
        },
    )?;
    log.wrote(&out);
    Ok(())
}

/// The console's summary: the people's standings and each new round.
fn say(settlement: &Settlement, data: &crate::input::cases::CaseData, log: &Log) {
    let mut standings: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for p in &settlement.people {
        *standings.entry(p.standing.code()).or_default() += 1;
    }
    log.record(|doc| {
        doc.standings = Some(standings.iter().map(|(k, n)| (k.to_string(), *n)).collect());
        doc.case_rounds = Some(
            data.cases
                .iter()
                .zip(&settlement.cases)
                .filter_map(|(case, outcome)| {
                    let r = outcome.round.as_ref()?;
                    let y = |f: i64| crate::domain::money::format_fen(f);
                    Some(crate::output::console::CaseRoundLine {
                        case_id: case.id.clone(),
                        round: i64::from(r.round),
                        amount: y(r.amount),
                        paid: y(r.paid),
                        released: y(r.released),
                        held: y(r.held),
                        ratio: r.ratio,
                    })
                })
                .collect(),
        );
    });
    if !log.tables() {
        return;
    }
    let listed: Vec<String> = standings
        .iter()
        .map(|(k, n)| format!("{k} {}", count(*n)))
        .collect();
    log.info(&format!(
        "人员认定 standings: {}",
        if listed.is_empty() {
            "none".to_string()
        } else {
            listed.join(", ")
        }
    ));
    let mut any = false;
    for (case, outcome) in data.cases.iter().zip(&settlement.cases) {
        if let Some(r) = &outcome.round {
            any = true;
            log.info(&format!(
                "{} 第{}轮 round {}: 分配 {} 元, 支付 paid {}, 补发提存 released {}, 提存 held {}, 累计比例 ratio {}",
                terminal_safe(&case.id),
                r.round,
                r.round,
                grouped(r.amount.into()),
                grouped(r.paid.into()),
                grouped(r.released.into()),
                grouped(r.held.into()),
                crate::present::number::share(r.ratio, 2)
            ));
        }
    }
    if !any {
        log.info("本次没有清退轮次 no round: nothing new was realised for the participants and no escrow could be released");
    }
}

/// This run's payments (a payment > 0 in a round computed now) in (case, round, person) order,
/// each with the person's code.
fn this_rounds_payments<'a>(
    loaded: &Loaded,
    settlement: &'a Settlement,
    new_rounds: &[&settle::RoundRow],
) -> Result<Vec<(&'a settle::PayoutRow, PersonCode)>> {
    let data = &loaded.validated.data;
    let code: HashMap<(&str, &str), PersonCode> = data
        .people
        .coded()
        .map(|(c, p)| ((data.cases[p.case].id.as_str(), loaded.ids[c].as_str()), c))
        .collect();
    let rounds: std::collections::BTreeSet<(&str, u32)> = new_rounds
        .iter()
        .map(|r| (r.case_id.as_str(), r.round))
        .collect();
    let mut rows: Vec<&settle::PayoutRow> = settlement
        .ledger
        .payouts
        .iter()
        .filter(|p| p.payment() > 0 && rounds.contains(&(p.case_id.as_str(), p.round)))
        .collect();
    rows.sort_by(|a, b| {
        (a.case_id.as_bytes(), a.round, a.person_id.as_bytes()).cmp(&(
            b.case_id.as_bytes(),
            b.round,
            b.person_id.as_bytes(),
        ))
    });
    rows.into_iter()
        .map(
            |p| match code.get(&(p.case_id.as_str(), p.person_id.as_str())) {
                Some(&c) => Ok((p, c)),
                None => Err(Error::Internal(format!(
                    "a payment to person {} who is not in the data",
                    terminal_safe(&p.person_id)
                ))),
            },
        )
        .collect()
}

/// The bank batches of this run's transfers (deposit certificates are issued from the payment
/// file's names and id numbers, not by transfer).
fn write_batches(
    batches: &mut PaymentBatches,
    loaded: &Loaded,
    settlement: &Settlement,
    new_rounds: &[&settle::RoundRow],
) -> Result<crate::output::bank::batches::BatchChecks> {
    let data = &loaded.validated.data;
    let payees = data
        .payees
        .as_ref()
        .ok_or_else(|| Error::Internal("the batches need the payees' accounts".into()))?;
    let rows = this_rounds_payments(loaded, settlement, new_rounds)?;
    let name_of: HashMap<&str, &str> = data
        .cases
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let items: Vec<Outgoing> = rows
        .iter()
        .filter(|(p, _)| p.channel == "transfer")
        .map(|&(p, c)| {
            let payee = &payees[c];
            Outgoing {
                group: &p.case_id,
                group_name: name_of.get(p.case_id.as_str()).copied().unwrap_or_default(),
                round: i64::from(p.round),
                payee: &p.person_id,
                holder: &payee.name,
                id_number: &payee.id_number,
                phone: &payee.phone,
                account: &payee.bank_account,
                bank: &payee.bank_name,
                amount: p.payment(),
                kind: if p.released > 0 {
                    ("含补发提存", "with escrow released")
                } else {
                    ("清退", "clearance")
                },
                first: p.released == 0,
            }
        })
        .collect();
    let (_, checks) = batches.write_outgoing(&items, &PEOPLE, &loaded.config.payments)?;
    Ok(checks)
}

/// The payment file's rows: this run's payments with the payee's details; those without what
/// their channel needs (a bank account for a transfer; a name and id number for a deposit
/// certificate) go to case_exceptions.csv instead, without personal data.
fn write_payments(
    file: &mut PaymentFile,
    loaded: &Loaded,
    settlement: &Settlement,
    new_rounds: &[&settle::RoundRow],
) -> Result<(String, u64)> {
    let data = &loaded.validated.data;
    let payees = data
        .payees
        .as_ref()
        .ok_or_else(|| Error::Internal("the payment file needs the payees' details".into()))?;
    let rows = this_rounds_payments(loaded, settlement, new_rounds)?;
    file.header(&[
        "case_id",
        "round",
        "person_id",
        "payee",
        "name",
        "id_number",
        "bank_account",
        "bank_name",
        "channel",
        "amount",
    ])?;
    let mut exceptions = String::from("case_id,round,person_id,amount,channel,missing\n");
    let mut n = 0;
    for (p, c) in rows {
        let payee = &payees[c];
        let missing: Vec<&str> = match p.channel.as_str() {
            "transfer" => [("bank_account", payee.bank_account.is_empty())]
                .into_iter()
                .chain([("name", payee.name.is_empty())])
                .filter(|x| x.1)
                .map(|x| x.0)
                .collect(),
            _ => [
                ("name", payee.name.is_empty()),
                ("id_number", payee.id_number.is_empty()),
            ]
            .into_iter()
            .filter(|x| x.1)
            .map(|x| x.0)
            .collect(),
        };
        let amount = format_fen(p.payment());
        if !missing.is_empty() {
            n += 1;
            let cells = [
                p.case_id.as_str(),
                &p.round.to_string(),
                p.person_id.as_str(),
                &amount,
                p.channel.as_str(),
                &missing.join(";"),
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            exceptions.push_str(&line.join(","));
            exceptions.push('\n');
            continue;
        }
        file.transfer(
            &[
                p.case_id.as_str(),
                &p.round.to_string(),
                p.person_id.as_str(),
                p.payee.as_str(),
                payee.name.as_str(),
                payee.id_number.as_str(),
                payee.bank_account.as_str(),
                payee.bank_name.as_str(),
                p.channel.as_str(),
                &amount,
            ],
            p.payment(),
        )?;
    }
    Ok((exceptions, n))
}

/// A CSV cell for Excel: quoted when it needs to be, and made inert when a spreadsheet would
/// read it as a formula.
fn csv_cell(s: &str) -> String {
    let s = if formula_like(s) {
        excel_safe(s).into_owned()
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}
