//! `winddown case statement RUN --person ID`: what the help line tells a person who calls about
//! a case — read from the run folder's exports by their contracts (case_participants,
//! case_payouts, case_clawbacks), never from the input tables, so it shows exactly what was
//! decided and paid. Ids only: no name, id number or account.

use std::fmt::Write;

use crate::cli::args::CaseStatementArgs;
use crate::domain::exports::{
    case_clawbacks as cf, case_participants as pf, case_payouts as yf, CASE_ID, CASE_ROUND,
    PERSON_ID,
};
use crate::domain::money::grouped;
use crate::domain::text::terminal_lines;
use crate::error::{Error, Result};
use crate::output::folder::manifest::{Pseudonymizer, KEY_VAR};
use crate::table::export_file::ExportFile;

fn yuan(fen: i64) -> String {
    format!("{} 元", grouped(fen.into()))
}

pub fn statement(args: CaseStatementArgs) -> Result<()> {
    let file = |name: &str| {
        let p = args.run.join(name);
        if p.is_file() {
            Ok(p)
        } else {
            Err(Error::Usage(format!(
                "{}: not the folder of a `winddown case` run (no {name})",
                crate::domain::text::terminal_safe(&args.run.display().to_string())
            )))
        }
    };
    let people = ExportFile::read(
        &file(pf::EXPORT.file)?,
        &pf::EXPORT.columns.iter().collect::<Vec<_>>(),
    )?;
    let ids = people.text(&PERSON_ID)?;
    // The id as given; else its pseudonym when the key is at hand (a pseudonymised run).
    let mut person = args.person.trim().to_string();
    if !ids.contains(&person) && std::env::var_os(KEY_VAR).is_some() {
        let p = Pseudonymizer::from_env()?.pseudonym(&person);
        if ids.contains(&p) {
            person = p;
        }
    }
    let cases = people.text(&CASE_ID)?;
    let rows: Vec<usize> = (0..people.rows())
        .filter(|&i| ids[i] == person && args.case.as_ref().is_none_or(|c| &cases[i] == c))
        .collect();
    if rows.is_empty() {
        let upper = person.to_uppercase();
        let hint = if upper != person && ids.contains(&upper) {
            format!("; did you mean {upper}?")
        } else {
            String::new()
        };
        return Err(Error::Usage(format!(
            "no person {} in {}{}{hint}",
            crate::domain::text::terminal_safe(&person),
            pf::EXPORT.file,
            args.case
                .as_ref()
                .map(|c| format!(" (case {})", crate::domain::text::terminal_safe(c)))
                .unwrap_or_default()
        )));
    }
    let text_of = |f| people.text(f);
    let (role, standing, why) = (
        text_of(&pf::ROLE)?,
        text_of(&pf::STANDING)?,
        text_of(&pf::WHY)?,
    );
    let m = |f| people.money(f);
    let (put_in, withdrawn, returns, commissions, loss, crime) = (
        m(&pf::PUT_IN)?,
        m(&pf::WITHDRAWN)?,
        m(&pf::RETURNS)?,
        m(&pf::COMMISSIONS)?,
        m(&pf::LOSS)?,
        m(&pf::CRIME_AMOUNT)?,
    );
    let accounts = people.int(&pf::ACCOUNTS)?;
    let registered = people.opt_date(&pf::REGISTERED_ON)?;
    let heir = people.opt_bool(&pf::HEIR)?;
    let payouts = ExportFile::read(
        &file(yf::EXPORT.file)?,
        &yf::EXPORT.columns.iter().collect::<Vec<_>>(),
    )?;
    let (p_case, p_person, p_round) = (
        payouts.text(&CASE_ID)?,
        payouts.text(&PERSON_ID)?,
        payouts.int(&CASE_ROUND)?,
    );
    let (p_paid, p_released, p_held, p_channel) = (
        payouts.money(&yf::PAID)?,
        payouts.money(&yf::RELEASED)?,
        payouts.money(&yf::HELD)?,
        payouts.text(&yf::CHANNEL)?,
    );
    let claws = ExportFile::read(
        &file(cf::EXPORT.file)?,
        &cf::EXPORT.columns.iter().collect::<Vec<_>>(),
    )?;
    let (c_case, c_person, c_amount, c_basis) = (
        claws.text(&CASE_ID)?,
        claws.text(&PERSON_ID)?,
        claws.money(&cf::AMOUNT)?,
        claws.text(&cf::BASIS)?,
    );
    let mut s = String::new();
    let _ = writeln!(s, "人员 person {person}");
    for i in rows {
        let case = &cases[i];
        let _ = writeln!(
            s,
            "\n案件 case {case}: {} {} — {}",
            role[i], standing[i], why[i]
        );
        let _ = writeln!(
            s,
            "  投入 put in {} ({} 个账户 accounts) − 提现 withdrawn {} − 收益 returns {} − 提成 commissions {}",
            yuan(put_in[i]),
            accounts[i],
            yuan(withdrawn[i]),
            yuan(returns[i]),
            yuan(commissions[i])
        );
        let _ = writeln!(
            s,
            "  损失 loss {} (本金折抵, at least 0); 犯罪数额 crime amount {} (not the claim)",
            yuan(loss[i]),
            yuan(crime[i])
        );
        let _ = writeln!(
            s,
            "  登记 registered: {}{}",
            registered[i].map_or_else(|| "未登记 not registered".to_string(), |d| d.to_string()),
            if heir[i] == Some(true) {
                "; 已故，由继承人受领 paid to the heir"
            } else {
                ""
            }
        );
        let (mut paid, mut escrow) = (0i64, 0i64);
        for k in (0..payouts.rows()).filter(|&k| &p_case[k] == case && p_person[k] == person) {
            paid += p_paid[k] + p_released[k];
            escrow += p_held[k] - p_released[k];
            let _ = writeln!(
                s,
                "  第{}轮 round {}: 支付 paid {}{}{}{}",
                p_round[k],
                p_round[k],
                yuan(p_paid[k] + p_released[k]),
                if p_released[k] > 0 {
                    format!(
                        " (含补发提存 with {} of escrow released)",
                        yuan(p_released[k])
                    )
                } else {
                    String::new()
                },
                if p_held[k] > 0 {
                    format!("; 提存 held {}", yuan(p_held[k]))
                } else {
                    String::new()
                },
                if p_channel[k].is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", p_channel[k])
                }
            );
        }
        if standing[i] == "claimant" {
            let _ = writeln!(
                s,
                "  累计已付 paid so far {}; 提存待领 held until registration {}; 尚欠 still owed {}",
                yuan(paid),
                yuan(escrow),
                yuan(loss[i] - paid - escrow)
            );
        }
        for k in (0..claws.rows()).filter(|&k| &c_case[k] == case && c_person[k] == person) {
            let _ = writeln!(
                s,
                "  应退回 to give back {} — {}",
                yuan(c_amount[k]),
                c_basis[k]
            );
        }
    }
    crate::cli::to_stdout(terminal_lines(&s).as_bytes())
}
