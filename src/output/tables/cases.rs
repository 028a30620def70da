//! The case exports (docs/cases.md, docs/columns.md): case_participants, case_clawbacks,
//! case_waterfall, case_rounds and case_payouts of `winddown case`, and case_docket of `case`
//! and `case progress` — each written from its contract, sorted by its keys in byte order.
//! People are named by the ids the caller gives (their pseudonyms under --pseudonymize).

use crate::cases::docket::{Docket, Row};
use crate::cases::loss::Standing;
use crate::cases::settle::{CaseOutcome, PersonOutcome, Settlement};
use crate::domain::case::Choice;
use crate::domain::exports as shared;
use crate::error::Result;
use crate::input::cases::{Case, CaseData, Person};
use crate::output::tables::column::{self, Column, Rows};
use crate::output::Staging;

/// The people of every case in (case id, person id) order.
fn people_order(data: &CaseData, ids: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..data.people.len()).collect();
    let people: &[Person] = &data.people;
    let case = |p: usize| data.cases[people[p].case].id.as_bytes();
    order.sort_by(|&a, &b| {
        case(a)
            .cmp(case(b))
            .then(ids[a].as_bytes().cmp(ids[b].as_bytes()))
    });
    order
}

/// case_participants.parquet and case_clawbacks.parquet.
pub fn participants(
    staging: &Staging,
    data: &CaseData,
    ids: &[String],
    settlement: &Settlement,
) -> Result<()> {
    let order = people_order(data, ids);
    // Rows are people, by position.
    let (people, outcomes): (&[Person], &[PersonOutcome]) = (&data.people, &settlement.people);
    let case_id = |p: usize| Some(data.cases[people[p].case].id.as_str());
    let person = |p: usize| &people[p];
    let outcome = |p: usize| &outcomes[p];
    {
        use crate::domain::exports::case_participants as f;
        let columns = [
            Column::text(&shared::CASE_ID, case_id),
            Column::text(&shared::PERSON_ID, |p| Some(ids[p].as_str())),
            Column::text(&f::ROLE, |p| Some(person(p).role.code())),
            Column::text(&f::STANDING, |p| Some(outcome(p).standing.code())),
            Column::bool(&f::ELIGIBLE, |p| {
                Some(matches!(outcome(p).standing, Standing::Claimant { .. }))
            }),
            Column::text(&f::WHY, |p| Some(outcome(p).standing.zh())),
            Column::int(&f::ACCOUNTS, |p| Some(i64::from(person(p).accounts))),
            Column::money(&f::PUT_IN, |p| Some(outcome(p).figures.put_in)),
            Column::money(&f::WITHDRAWN, |p| Some(outcome(p).figures.withdrawn)),
            Column::money(&f::RETURNS, |p| Some(outcome(p).figures.returns)),
            Column::money(&f::COMMISSIONS, |p| Some(outcome(p).figures.commissions)),
            Column::money(&f::LOSS, |p| Some(outcome(p).figures.loss())),
            Column::money(&f::CRIME_AMOUNT, |p| {
                Some(outcome(p).figures.crime_amount())
            }),
            Column::date(&f::REGISTERED_ON, |p| person(p).registered_on),
            Column::bool(&f::HEIR, |p| Some(person(p).heir)),
            Column::date(&f::HEIR_ACCEPTED_ON, |p| person(p).heir_accepted_on),
        ];
        column::write(staging, &f::EXPORT, &columns, Rows::Order(&order))?;
    }
    use crate::domain::exports::case_clawbacks as f;
    let clawback = |p: usize| {
        match outcome(p).standing {
        Standing::Helper { to_recover } => Some((to_recover, "commissions", "《防范和处置非法集资条例》第二十六条第（五）项：追缴协助人员获得的提成、奖励")),
        Standing::NetWinner { to_recover } => Some((to_recover, "received_beyond_put_in", "《防范和处置非法集资条例》第二十五条：任何单位和个人不得从非法集资中获取经济利益；所得超出本金的部分予以追缴")),
        _ => None,
    }
    };
    let rows: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&p| clawback(p).is_some())
        .collect();
    let c = move |p: usize| clawback(p).unwrap_or_default();
    let columns = [
        Column::text(&shared::CASE_ID, case_id),
        Column::text(&shared::PERSON_ID, |p| Some(ids[p].as_str())),
        Column::text(&f::STANDING, |p| Some(outcome(p).standing.code())),
        Column::money(&f::AMOUNT, move |p| Some(c(p).0)),
        Column::text(&f::REASON, move |p| Some(c(p).1)),
        Column::text(&f::BASIS, move |p| Some(c(p).2)),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::Order(&rows))
}

/// The cases in the byte order of their ids.
fn case_order(data: &CaseData) -> Vec<usize> {
    let cases: &[Case] = &data.cases;
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by(|&a, &b| cases[a].id.as_bytes().cmp(cases[b].id.as_bytes()));
    order
}

/// case_waterfall.parquet: a row per case and claimant class.
pub fn waterfall(staging: &Staging, data: &CaseData, settlement: &Settlement) -> Result<()> {
    use crate::domain::exports::case_waterfall as f;
    let lines = settlement
        .cases
        .first()
        .map_or(0, |c| c.waterfall.lines.len());
    let rows: Vec<usize> = case_order(data)
        .into_iter()
        .flat_map(|c| (0..lines).map(move |l| c * lines + l))
        .collect();
    // Rows are (case by position, line).
    let (cases, outcomes): (&[Case], &[CaseOutcome]) = (&data.cases, &settlement.cases);
    let line = |r: usize| &outcomes[r / lines].waterfall.lines[r % lines];
    let columns = [
        Column::text(&shared::CASE_ID, |r| Some(cases[r / lines].id.as_str())),
        Column::int(&f::RANK, |r| Some((r % lines) as i64 + 1)),
        Column::text(&f::CLAIMANT_CLASS, |r| Some(line(r).rank.code())),
        Column::text(&f::CLAIMANT_CLASS_ZH, |r| Some(line(r).rank.zh())),
        Column::money(&f::OWED, |r| Some(line(r).owed)),
        Column::money(&f::PAID, |r| Some(line(r).paid)),
        Column::money(&f::SHORTFALL, |r| Some(line(r).shortfall())),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::Order(&rows))
}

/// case_rounds.parquet and case_payouts.parquet: the whole ledger after this run.
pub fn ledger(staging: &Staging, settlement: &Settlement) -> Result<()> {
    let l = &settlement.ledger;
    {
        use crate::domain::exports::case_rounds as f;
        let mut order: Vec<usize> = (0..l.rounds.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&l.rounds[a], &l.rounds[b]);
            (x.case_id.as_bytes(), x.round).cmp(&(y.case_id.as_bytes(), y.round))
        });
        let r = |i: usize| &l.rounds[i];
        let columns = [
            Column::text(&shared::CASE_ID, |i| Some(r(i).case_id.as_str())),
            Column::int(&shared::CASE_ROUND, |i| Some(i64::from(r(i).round))),
            Column::date(&f::ROUND_ON, |i| Some(r(i).round_on)),
            Column::money(&f::RECOVERED, |i| Some(r(i).recovered)),
            Column::money(&f::PARTICIPANTS_SHARE, |i| Some(r(i).participants_share)),
            Column::money(&f::DISTRIBUTED_BEFORE, |i| Some(r(i).distributed_before)),
            Column::money(&f::AMOUNT, |i| Some(r(i).amount)),
            Column::money(&f::LOSSES_CONFIRMED, |i| Some(r(i).losses_confirmed)),
            Column::int(&f::CLAIMANTS, |i| Some(r(i).claimants)),
            Column::ratio(&f::RATIO, |i| r(i).ratio),
            Column::money(&f::PAID, |i| Some(r(i).paid)),
            Column::money(&f::RELEASED, |i| Some(r(i).released)),
            Column::money(&f::HELD, |i| Some(r(i).held)),
            Column::money(&f::ESCROW_OUTSTANDING, |i| Some(r(i).escrow_outstanding)),
            Column::money(&f::SURPLUS, |i| Some(r(i).surplus)),
            Column::money(&f::WATERFALL_SURPLUS, |i| Some(r(i).waterfall_surplus)),
        ];
        column::write(staging, &f::EXPORT, &columns, Rows::Order(&order))?;
    }
    use crate::domain::exports::case_payouts as f;
    let mut order: Vec<usize> = (0..l.payouts.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&l.payouts[a], &l.payouts[b]);
        (x.case_id.as_bytes(), x.round, x.person_id.as_bytes()).cmp(&(
            y.case_id.as_bytes(),
            y.round,
            y.person_id.as_bytes(),
        ))
    });
    let p = |i: usize| &l.payouts[i];
    let columns = [
        Column::text(&shared::CASE_ID, |i| Some(p(i).case_id.as_str())),
        Column::int(&shared::CASE_ROUND, |i| Some(i64::from(p(i).round))),
        Column::text(&shared::PERSON_ID, |i| Some(p(i).person_id.as_str())),
        Column::money(&f::LOSS, |i| Some(p(i).loss)),
        Column::money(&f::PAID_BEFORE, |i| Some(p(i).paid_before)),
        Column::money(&f::HELD_BEFORE, |i| Some(p(i).held_before)),
        Column::money(&f::PAID, |i| Some(p(i).paid)),
        Column::money(&f::RELEASED, |i| Some(p(i).released)),
        Column::money(&f::HELD, |i| Some(p(i).held)),
        Column::money(&f::PAYMENT, |i| Some(p(i).payment())),
        Column::text(&f::CHANNEL, |i| Some(p(i).channel.as_str())),
        Column::text(&f::PAYEE, |i| Some(p(i).payee.as_str())),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::Order(&order))
}

/// case_docket.parquet.
pub fn docket(staging: &Staging, data: &CaseData, docket: &Docket) -> Result<()> {
    use crate::domain::exports::case_docket as f;
    let order = case_order(data);
    // Rows are cases, by position.
    let (cases, rows): (&[Case], &[Row]) = (&data.cases, &docket.rows);
    let case = |c: usize| &cases[c];
    let row = |c: usize| &rows[c];
    let columns = [
        Column::text(&shared::CASE_ID, |c| Some(case(c).id.as_str())),
        Column::text(&f::CASE_NAME, |c| Some(case(c).name.as_str())),
        Column::text(&shared::DISTRICT, |c| Some(case(c).district.as_str())),
        Column::text(&f::UNIT, |c| Some(case(c).unit.as_str())),
        Column::text_list(&f::PLATFORM_IDS, |c| case(c).platform_ids.as_slice()),
        Column::date(&f::OPENED_ON, |c| Some(case(c).opened_on)),
        Column::date(&f::JUDGED_ON, |c| case(c).judged_on),
        Column::text(&f::CASE_STATUS, |c| Some(case(c).status.code())),
        Column::text(&f::CASE_STATUS_ZH, |c| Some(case(c).status.zh())),
        Column::date(&f::STATUS_ON, |c| Some(case(c).status_on)),
        Column::bool(&f::OLD, |c| Some(row(c).old)),
        Column::bool(&f::ASSETS_DISPOSED, |c| Some(row(c).assets_disposed)),
        Column::bool(&f::CLOSED, |c| Some(row(c).closed)),
        Column::date(&f::DONE_ON, |c| row(c).done_on),
        Column::bool(&f::JUDGED_BEFORE_2018_OPEN, |c| {
            Some(row(c).judged_before_2018_open)
        }),
        Column::int(&f::PARTICIPANTS, |c| Some(row(c).participants)),
        Column::int(&f::CLAIMANTS, |c| Some(row(c).claimants)),
        Column::money(&f::RECOVERED, |c| Some(row(c).recovered)),
        Column::money(&f::LOSSES_CONFIRMED, |c| Some(row(c).losses_confirmed)),
        Column::money(&f::PAID, |c| Some(row(c).paid)),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::Order(&order))
}
