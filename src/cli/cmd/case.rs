//! `winddown case`: a clearance round of illegal-fundraising cases (docs/cases.md) — the case
//! tables read and checked, each participant's loss and standing, the clawbacks, the waterfall
//! on everything realised, the round on the ledger of earlier rounds, its notices and payment
//! file, and the docket; `winddown case progress`: the docket alone.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::cases::docket::{self, Docket};
use crate::cases::ledger;
use crate::cases::settle::{self, Ledger, Settlement};
use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::config::Config;
use crate::domain::count::grouped as count;
use crate::domain::date::Date;
use crate::domain::money::{format_fen, grouped};
use crate::domain::schema::Table;
use crate::domain::text::{excel_safe, formula_like, terminal_safe};
use crate::error::{Error, Result};
use crate::input::cases::{validate_cases, CaseValidated};
use crate::input::{self, find, Encoding, ReadOptions};
use crate::output::folder::manifest::Pseudonymizer;
use crate::output::folder::records::Settings;
use crate::output::tables::cases as exports;
use crate::output::{self, Inputs, PaymentFile, Staging};

pub fn case(args: CaseArgs, log: &Log) -> Result<()> {
    match args.command {
        Some(CaseCommand::Progress(p)) => progress(p, log),
        None => round(args.round, log),
    }
}

/// The case tables read and checked, people named, the as-of date and the ledger.
struct Loaded {
    config: Config,
    validated: CaseValidated,
    /// By person code: the id every output shows.
    ids: Vec<String>,
    as_of: Date,
    ledger: Ledger,
    pseudonyms: Option<Pseudonymizer>,
}

fn data_of(input: &CaseInputArgs) -> Result<&Path> {
    input
        .data
        .as_deref()
        .ok_or_else(|| Error::Usage("case: DATA, the folder of the case tables, is missing".into()))
}

fn inputs_of(input: &CaseInputArgs, ledger: Option<&Path>) -> Result<Inputs> {
    let mut inputs = Inputs::new().with("the input folder", data_of(input)?);
    if let Some(c) = &input.config {
        inputs = inputs.with("the config file", c);
    }
    if let Some(l) = ledger {
        inputs = inputs.with("the ledger", l);
    }
    Ok(inputs)
}

fn load(
    input: &CaseInputArgs,
    ledger_dir: Option<&Path>,
    personal: bool,
    log: &Log,
) -> Result<Loaded> {
    let data = data_of(input)?;
    let config = Config::load(input.config.as_deref())?;
    let pseudonyms = input
        .pseudonymize
        .then(Pseudonymizer::from_env)
        .transpose()?;
    let options = input::Options {
        read: ReadOptions {
            encoding: input.encoding.into(),
            accept_float_money: input.accept_float_money,
        },
        as_of: input.as_of,
        personal,
    };
    let validated = validate_cases(data, &config, &options, log)?;
    console::print_report(&validated.report, &validated.rejects, log);
    let rejected = validated.report.total_rejected();
    if input.strict && rejected > 0 {
        return Err(Error::Strict(format!(
            "--strict: {rejected} row{} rejected (see the counts above)",
            if rejected == 1 { "" } else { "s" }
        )));
    }
    let people = &validated.data.people;
    if pseudonyms.is_none() {
        if let Some(p) = people.iter().find(|p| p.id_is_id_number) {
            return Err(Error::Usage(format!(
                "participants.person_id holds resident id numbers (case {} among others): they \
                 would reach every output; give pseudonyms, or run with --pseudonymize (key in \
                 WINDDOWN_PSEUDONYM_KEY)",
                terminal_safe(&validated.data.cases[p.case as usize].id)
            )));
        }
    }
    let ids = people
        .iter()
        .map(|p| match &pseudonyms {
            Some(k) => k.pseudonym(&p.id),
            None => p.id.clone(),
        })
        .collect();
    let as_of = validated.report.as_of.ok_or_else(|| {
        Error::Usage("the case tables hold no accepted row with a date: give --as-of".into())
    })?;
    let ledger = match ledger_dir {
        Some(dir) => ledger::read(dir)?,
        None => Ledger::default(),
    };
    Ok(Loaded {
        config,
        validated,
        ids,
        as_of,
        ledger,
        pseudonyms,
    })
}

fn docket_settings(args: &DocketArgs, as_of: Date) -> docket::Settings {
    let year = args.year.unwrap_or(as_of.ymd().0);
    docket::Settings {
        old_before: args.old_before.unwrap_or(Date::civil(as_of.ymd().0, 1, 1)),
        year,
        target: (1, 2),
        as_of,
    }
}

/// The manifest's record of a case command.
fn record<'a>(
    command: &'a str,
    input: &CaseInputArgs,
    loaded: &Loaded,
    ledger_dir: Option<&Path>,
) -> Result<output::Record<'a>> {
    let config_text = match &input.config {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?,
        None => crate::config::defaults_toml(),
    };
    let inputs: Vec<(String, PathBuf)> = find::find_of(data_of(input)?, &Table::CASE_TABLES)?
        .into_values()
        .flat_map(|f| match f.format {
            find::SourceFormat::Parts(parts) => parts,
            _ => vec![f],
        })
        .map(|f| (f.table.name().to_string(), f.path))
        .collect();
    let report = &loaded.validated.report;
    Ok(output::Record {
        command,
        config_text: Some(config_text),
        as_of: Some(loaded.as_of),
        inputs,
        settings: Some(Settings {
            as_of: Some(loaded.as_of.to_string()),
            as_of_source: Some(
                match report.as_of_source {
                    input::AsOfSource::Given => "given",
                    input::AsOfSource::LatestDate => "latest_date_in_data",
                }
                .to_string(),
            ),
            encoding: format!("{:?}", Encoding::from(input.encoding)).to_lowercase(),
            strict: input.strict,
            accept_float_money: input.accept_float_money,
            ledger: ledger_dir.map(|l| l.display().to_string()),
            pseudonymize: input.pseudonymize,
            ..Settings::default()
        }),
    })
}

/// The docket's files: case_docket.parquet and docket.md.
fn write_docket(
    staging: &Staging,
    loaded: &Loaded,
    docket: &Docket,
    settings: docket::Settings,
) -> Result<()> {
    let data = &loaded.validated.data;
    exports::docket(staging, data, docket)?;
    staging.write(
        "docket.md",
        crate::output::documents::docket::docket_md(data, docket, settings).as_bytes(),
    )
}

fn round(args: CaseRoundArgs, log: &Log) -> Result<()> {
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
    let loaded = load(&args.input, args.ledger.as_deref(), payment.is_some(), log)?;
    let data = &loaded.validated.data;
    let rules = loaded.config.cases;
    let settlement = settle::settle(data, &loaded.ids, loaded.as_of, true, rules, &loaded.ledger)?;
    let settings = docket_settings(&args.docket, loaded.as_of);
    let docket = docket::docket(data, &settlement, settings);

    output::write_report(
        &staging,
        &loaded.validated.report,
        &loaded.validated.rejects,
        None,
        loaded.pseudonyms.as_ref(),
    )?;
    exports::participants(&staging, data, &loaded.ids, &settlement)?;
    exports::waterfall(&staging, data, &settlement)?;
    exports::ledger(&staging, &settlement)?;
    write_docket(&staging, &loaded, &docket, settings)?;
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
                .entry(data.cases[p.case as usize].id.as_str())
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
    say(&settlement, data, log);
    let record = record("case", &args.input, &loaded, args.ledger.as_deref())?;
    output::finish_with_batches(
        staging,
        record,
        output::Issue {
            payment: payment.as_mut(),
            ..output::Issue::default()
        },
    )?;
    log.info(&format!("wrote {}", out.display()));
    Ok(())
}

fn progress(args: CaseProgressArgs, log: &Log) -> Result<()> {
    let inputs = inputs_of(&args.input, args.ledger.as_deref())?;
    let staging = Staging::create(&args.out, &inputs, args.force)?;
    let loaded = load(&args.input, args.ledger.as_deref(), false, log)?;
    let data = &loaded.validated.data;
    let settlement = settle::settle(
        data,
        &loaded.ids,
        loaded.as_of,
        false,
        loaded.config.cases,
        &loaded.ledger,
    )?;
    let settings = docket_settings(&args.docket, loaded.as_of);
    let docket = docket::docket(data, &settlement, settings);
    output::write_report(
        &staging,
        &loaded.validated.report,
        &loaded.validated.rejects,
        None,
        loaded.pseudonyms.as_ref(),
    )?;
    write_docket(&staging, &loaded, &docket, settings)?;
    let t = &docket.total;
    let open = docket
        .rows
        .iter()
        .filter(|r| r.judged_before_2018_open)
        .count();
    log.info(&format!(
        "陈案 old cases {}: 年初存量 stock {}, 化解 done {} ({}); 2018年前判决未结案 judged before 2018 not closed: {}",
        settings.year,
        count(t.stock),
        count(t.done),
        if t.met(settings.target) {
            "达标 target met"
        } else {
            "未达标 target missed"
        },
        count(open as i64)
    ));
    let record = record(
        "case progress",
        &args.input,
        &loaded,
        args.ledger.as_deref(),
    )?;
    output::finish(staging, record)?;
    log.info(&format!("wrote {}", args.out.display()));
    Ok(())
}

/// The console's summary: the people's standings and each new round.
fn say(settlement: &Settlement, data: &crate::input::cases::CaseData, log: &Log) {
    let mut standings: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for p in &settlement.people {
        *standings.entry(p.standing.code()).or_default() += 1;
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
                r.ratio
                    .map_or_else(|| "—".into(), |x| format!("{:.2}%", x * 100.0))
            ));
        }
    }
    if !any {
        log.info("本次没有清退轮次 no round: nothing new was realised for the participants and no escrow could be released");
    }
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
    let code: HashMap<(&str, &str), usize> = data
        .people
        .iter()
        .enumerate()
        .map(|(c, p)| {
            (
                (
                    data.cases[p.case as usize].id.as_str(),
                    loaded.ids[c].as_str(),
                ),
                c,
            )
        })
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
    for p in rows {
        let Some(&c) = code.get(&(p.case_id.as_str(), p.person_id.as_str())) else {
            return Err(Error::Internal(format!(
                "a payment to person {} who is not in the data",
                terminal_safe(&p.person_id)
            )));
        };
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
