//! One run of a case's clearance (docs/cases.md): every person's loss and standing, what must
//! be given back, the waterfall on everything realised by the round's date, and the round that
//! brings the participants' share of it to the claimants — on the ledger of earlier rounds, so
//! that nothing is paid twice and no one beyond their loss, whatever the order in which
//! recoveries, registrations and corrections arrive.
//!
//! The waterfall is taken on the whole of what was realised to date; the round distributes
//! the participants' share of it less what earlier rounds distributed (never below zero).
//! Each round's money: Σ paid + Σ held + surplus = its amount; escrow released is money held
//! by an earlier round.

use crate::domain::code::{AssetCode, ByCode, CaseCode, PersonCode};
use crate::domain::money::Fen;
use std::collections::{BTreeMap, HashMap};

use crate::cases::loss::{self, CashFlow, Figures, Standing};
use crate::cases::rounds::{self, Channel, Claimant};
use crate::cases::waterfall::{self, Outcome, Secured};
use crate::config::CaseRules;
use crate::domain::case::ClaimKind;
use crate::domain::date::Date;
use crate::error::{DataProblem, Error, LedgerProblem, Result};
use crate::input::cases::CaseData;

/// A round as case_rounds.parquet holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundRow {
    pub case_id: String,
    pub round: u32,
    pub round_on: Date,
    /// Everything realised by the round's date.
    pub recovered: i64,
    /// The participants' line of the waterfall on it.
    pub participants_share: i64,
    pub distributed_before: i64,
    /// What this round distributes.
    pub amount: i64,
    pub losses_confirmed: i64,
    pub claimants: i64,
    /// Of every claimant's loss, the share paid or held after the round.
    pub ratio: Option<f64>,
    pub paid: i64,
    pub released: i64,
    pub held: i64,
    /// Held in escrow and not yet released, after the round.
    pub escrow_outstanding: i64,
    pub surplus: i64,
    pub waterfall_surplus: i64,
}

/// A claimant's line in a round, as case_payouts.parquet holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRow {
    pub case_id: String,
    pub round: u32,
    pub person_id: String,
    pub loss: i64,
    /// Paid (released escrow included) in earlier rounds.
    pub paid_before: i64,
    /// Held in escrow from earlier rounds, not yet released, before this round.
    pub held_before: i64,
    pub paid: i64,
    pub released: i64,
    pub held: i64,
    /// `deposit_certificate`, `transfer`, or empty when nothing is paid.
    pub channel: String,
    /// `person`, or `heir` where the participant has died.
    pub payee: String,
}

impl PayoutRow {
    /// What reaches the payee in this round: the share and the escrow released.
    pub fn payment(&self) -> i64 {
        self.paid + self.released
    }
}

/// Earlier rounds, as the previous run's case_rounds.parquet and case_payouts.parquet hold
/// them (every round so far: each run writes the whole ledger).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub rounds: Vec<RoundRow>,
    pub payouts: Vec<PayoutRow>,
}

/// A person's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonOutcome {
    pub figures: Figures,
    pub standing: Standing,
}

/// A case's outcome in this run.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseOutcome {
    pub waterfall: Outcome,
    pub recovered: i64,
    pub losses_confirmed: i64,
    pub claimants: i64,
    /// This run's round, when the case has one (money to distribute or escrow to release).
    pub round: Option<RoundRow>,
}

/// Everything a run settles.
#[derive(Debug, Clone)]
pub struct Settlement {
    pub people: ByCode<PersonCode, PersonOutcome>,
    pub cases: ByCode<CaseCode, CaseOutcome>,
    /// The whole ledger after this run: every earlier round and this run's.
    pub ledger: Ledger,
}

/// Settle every case of `data` as of `as_of`, each person named by `ids` (their id as the
/// outputs show it), on the earlier rounds of `ledger`, with a new round on that date when
/// `new_round` (without: the ledger as it stands, for the docket). Registrations, heirs'
/// proofs and realisations dated after `as_of` have not happened yet.
pub fn settle(
    data: &CaseData,
    ids: &ByCode<PersonCode, String>,
    as_of: Date,
    new_round: bool,
    settings: CaseRules,
    ledger: &Ledger,
) -> Result<Settlement> {
    // People: figures and standing.
    let flows: Vec<CashFlow> = data
        .flows
        .iter()
        .map(|f| CashFlow {
            person: f.person,
            flow: f.flow,
            amount: f.amount,
        })
        .collect();
    let round_on = new_round.then_some(as_of);
    let figures = loss::figures(data.people.len(), &flows)
        .map_err(|why| Error::from(DataProblem::CashFlows { why }))?;
    let people: ByCode<PersonCode, PersonOutcome> = data
        .people
        .iter()
        .zip(figures)
        .map(|(p, f)| PersonOutcome {
            figures: f,
            standing: loss::standing(p.role, &f),
        })
        .collect();
    // Earlier rounds, per case id and per (case id, person id).
    let mut last_round: HashMap<&str, &RoundRow> = HashMap::new();
    let mut distributed: HashMap<&str, i64> = HashMap::new();
    for r in &ledger.rounds {
        let last = last_round.entry(r.case_id.as_str()).or_insert(r);
        if r.round > last.round {
            *last = r;
        }
        let d = distributed.entry(r.case_id.as_str()).or_default();
        *d = d.saturating_add(r.amount);
    }
    let mut before: HashMap<(&str, &str), (i64, i64)> = HashMap::new();
    for p in &ledger.payouts {
        let e = before
            .entry((p.case_id.as_str(), p.person_id.as_str()))
            .or_default();
        e.0 = e.0.saturating_add(p.paid.saturating_add(p.released));
        e.1 = e.1.saturating_add(p.held.saturating_sub(p.released));
    }
    // Everyone the ledger paid or held for must still be in the data, by the same id: a
    // person dropped after being paid, or a ledger written under other ids (with or without
    // --pseudonymize), would otherwise be paid again under a new name.
    let known: std::collections::HashSet<(&str, &str)> = data
        .people
        .iter()
        .zip(ids)
        .map(|(p, id)| (data.cases[p.case].id.as_str(), id.as_str()))
        .collect();
    if let Some(p) = ledger
        .payouts
        .iter()
        .find(|p| !known.contains(&(p.case_id.as_str(), p.person_id.as_str())))
    {
        return Err(Error::from(LedgerProblem::CasePersonGone {
            case: p.case_id.clone(),
            person: p.person_id.clone(),
            round: i64::from(p.round),
        }));
    }
    let mut by_case: ByCode<CaseCode, Vec<PersonCode>> =
        ByCode::filled(data.cases.len(), Vec::new());
    for (code, p) in data.people.coded() {
        by_case[p.case].push(code);
    }
    let mut new_rounds = Vec::new();
    let mut new_payouts = Vec::new();
    let mut cases = ByCode::new();
    for (c, case) in data.cases.coded() {
        let wf = case_waterfall(data, c, &people, by_case[c].as_slice(), as_of);
        let outcome = waterfall::waterfall(&wf.0, settings.lawful_property).map_err(|m| {
            Error::from(DataProblem::Case {
                case: case.id.clone(),
                why: m.to_string(),
            })
        })?;
        let share = outcome
            .lines
            .iter()
            .find(|l| l.rank == waterfall::Rank::Participants)
            .map_or(0, |l| l.paid);
        // The claimants in the byte order of their ids.
        let mut claimants: Vec<PersonCode> = by_case[c]
            .iter()
            .copied()
            .filter(|p| matches!(people[*p].standing, Standing::Claimant { .. }))
            .collect();
        claimants.sort_by(|a, b| ids[*a].as_bytes().cmp(ids[*b].as_bytes()));
        let losses: i64 = claimants.iter().map(|p| people[*p].figures.loss()).sum();
        let previous = last_round.get(case.id.as_str());
        if let (Some(prev), Some(round_on)) = (previous, round_on) {
            if round_on <= prev.round_on {
                return Err(Error::from(LedgerProblem::CaseRoundNotAfter {
                    case: case.id.clone(),
                    round_on: round_on.to_string(),
                    last_round: i64::from(prev.round),
                    last_on: prev.round_on.to_string(),
                }));
            }
        }
        let distributed_before = distributed.get(case.id.as_str()).copied().unwrap_or(0);
        let amount = (share - distributed_before).max(0);
        let input: Vec<Claimant> = claimants
            .iter()
            .enumerate()
            .map(|(k, &p)| {
                let person = &data.people[p];
                let (paid_before, held_before) = before
                    .get(&(case.id.as_str(), ids[p].as_str()))
                    .copied()
                    .unwrap_or((0, 0));
                Claimant {
                    key: k as u32,
                    loss: people[p].figures.loss(),
                    registered: person.payable_on(as_of),
                    paid_before,
                    held_before,
                }
            })
            .collect();
        // Escrow of earlier rounds that this round can release (the claimant has registered).
        let releasable = input.iter().any(|c| c.registered && c.held_before > 0);
        let round = match round_on {
            Some(round_on) if amount > 0 || releasable => {
                let r = rounds::round(amount, &input)?;
                let number = previous.map_or(1, |p| p.round + 1);
                let mut row = RoundRow {
                    case_id: case.id.clone(),
                    round: number,
                    round_on,
                    recovered: wf.1,
                    participants_share: share,
                    distributed_before,
                    amount,
                    losses_confirmed: losses,
                    claimants: claimants.len() as i64,
                    ratio: r.ratio,
                    paid: 0,
                    released: 0,
                    held: 0,
                    escrow_outstanding: 0,
                    surplus: r.surplus,
                    waterfall_surplus: outcome.surplus,
                };
                for ((&p, c), s) in claimants.iter().zip(&input).zip(&r.shares) {
                    row.paid += s.paid;
                    row.released += s.released;
                    row.held += s.held;
                    let payment = s.paid + s.released;
                    new_payouts.push(PayoutRow {
                        case_id: case.id.clone(),
                        round: number,
                        person_id: ids[p].clone(),
                        loss: c.loss,
                        paid_before: c.paid_before,
                        held_before: c.held_before,
                        paid: s.paid,
                        released: s.released,
                        held: s.held,
                        channel: match payment {
                            0 => String::new(),
                            v => match rounds::channel(Fen(v), settings.deposit_certificate_from) {
                                Channel::DepositCertificate => "deposit_certificate".into(),
                                Channel::Transfer => "transfer".into(),
                            },
                        },
                        payee: if data.people[p].heir {
                            "heir".into()
                        } else {
                            "person".into()
                        },
                    });
                }
                Some(row)
            }
            _ => None,
        };
        if let Some(r) = &round {
            new_rounds.push(r.clone());
        }
        cases.push(CaseOutcome {
            waterfall: outcome,
            recovered: wf.1,
            losses_confirmed: losses,
            claimants: claimants.len() as i64,
            round,
        });
    }
    // Escrow outstanding after each new round: every hold of the case not yet released.
    let mut escrow: BTreeMap<&str, i64> = BTreeMap::new();
    for p in ledger.payouts.iter().chain(&new_payouts) {
        *escrow.entry(p.case_id.as_str()).or_default() += p.held - p.released;
    }
    for r in &mut new_rounds {
        r.escrow_outstanding = escrow.get(r.case_id.as_str()).copied().unwrap_or(0);
    }
    for (case, outcome) in data.cases.codes().zip(cases.iter_mut()) {
        if let Some(r) = &mut outcome.round {
            r.escrow_outstanding = escrow
                .get(data.cases[case].id.as_str())
                .copied()
                .unwrap_or(0);
        }
    }
    let mut all = ledger.clone();
    all.rounds.extend(new_rounds);
    all.payouts.extend(new_payouts);
    Ok(Settlement {
        people,
        cases,
        ledger: all,
    })
}

/// The waterfall's input for case `c` and what was realised for it in all.
fn case_waterfall(
    data: &CaseData,
    c: CaseCode,
    people: &ByCode<PersonCode, PersonOutcome>,
    members: &[PersonCode],
    as_of: Date,
) -> (waterfall::Case, i64) {
    let mut wf = waterfall::Case::default();
    let realised = |a: &crate::input::cases::Asset| a.realised_by(as_of).unwrap_or(0);
    // A secured claim names its asset (the validator refuses one that does not).
    let mut secured_on: BTreeMap<Option<AssetCode>, i64> = BTreeMap::new();
    for claim in data.claims.iter().filter(|k| k.case == c) {
        match claim.kind {
            ClaimKind::Medical => wf.medical += claim.amount,
            ClaimKind::Secured => *secured_on.entry(claim.asset).or_default() += claim.amount,
            ClaimKind::CivilDebt => wf.civil_debts += claim.amount,
            ClaimKind::Fine => wf.fines += claim.amount,
            ClaimKind::Confiscation => wf.confiscation += claim.amount,
        }
    }
    let mut recovered = 0;
    for (code, asset) in data.assets.coded() {
        if asset.case != c {
            continue;
        }
        let value = realised(asset);
        recovered += value;
        if let Some(owed) = secured_on.get(&Some(code)) {
            wf.secured.push(Secured {
                proceeds: value,
                owed: *owed,
            });
        } else if asset.lawful {
            wf.lawful += value;
        } else {
            wf.tainted += value;
        }
    }
    wf.participants = members
        .iter()
        .map(|p| match people[*p].standing {
            Standing::Claimant { loss } => loss,
            _ => 0,
        })
        .sum();
    (wf, recovered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{AssetKind, AssetStatus, CaseStatus, Flow, Role};
    use crate::domain::code::Code;
    use crate::input::cases::{Asset, Case, FlowRow, Person};
    use proptest::prelude::*;

    /// One case of `losses.len()` participants (each put in their loss), registering on the
    /// given days after 2020-01-01 (None: never), and assets of the given values realised on
    /// the given days.
    fn data(losses: &[i64], registered: &[Option<i32>], assets: &[(i64, i32)]) -> CaseData {
        let base = Date::civil(2020, 1, 1);
        CaseData {
            cases: ByCode::from(vec![Case {
                id: "C".into(),
                name: "案".into(),
                platform_ids: vec![],
                district: "区".into(),
                unit: "局".into(),
                opened_on: Date::civil(2019, 1, 1),
                judged_on: None,
                status: CaseStatus::Execution,
                status_on: Date::civil(2019, 6, 1),
            }]),
            people: losses
                .iter()
                .zip(registered)
                .enumerate()
                .map(|(i, (_, r))| Person {
                    case: CaseCode::new(0),
                    id: format!("p{i:03}"),
                    role: Role::Participant,
                    registered_on: r.map(|d| base.add_days(d)),
                    heir: false,
                    heir_accepted_on: None,
                    accounts: 1,
                    id_is_id_number: false,
                })
                .collect(),
            flows: losses
                .iter()
                .enumerate()
                .map(|(i, &l)| FlowRow {
                    person: PersonCode::at(i),
                    flow: Flow::Deposit,
                    amount: l,
                    on: Date::civil(2018, 1, 1),
                })
                .collect(),
            assets: assets
                .iter()
                .enumerate()
                .map(|(k, &(v, d))| Asset {
                    case: CaseCode::new(0),
                    id: format!("a{k}"),
                    kind: AssetKind::Cash,
                    lawful: false,
                    book_value: None,
                    status: AssetStatus::Realised,
                    realised_value: Some(v),
                    realised_on: Some(base.add_days(d)),
                })
                .collect(),
            claims: vec![],
            payees: None,
        }
    }

    fn rules() -> CaseRules {
        crate::config::Config::default().cases
    }

    proptest! {
        /// Rounds on any dates, registrations in any order: every round adds up, no one gets
        /// beyond their loss, escrow is released at most once, and once everyone has
        /// registered each person has exactly what one round at the end would have given.
        #[test]
        fn rounds_on_the_ledger_add_up_and_end_where_one_round_would(
            losses in prop::collection::vec(1i64..5_000_000, 1..12),
            reg in prop::collection::vec(prop::option::of(0i32..1000), 12),
            assets in prop::collection::vec((0i64..20_000_000, 0i32..1000), 0..6),
            cuts in prop::collection::vec(0i32..1000, 0..4),
        ) {
            let n = losses.len();
            let registered: Vec<Option<i32>> = reg[..n].to_vec();
            let d = data(&losses, &registered, &assets);
            let ids: ByCode<PersonCode, String> = d.people.iter().map(|p| p.id.clone()).collect();
            let base = Date::civil(2020, 1, 1);
            let mut days: Vec<i32> = cuts.clone();
            days.sort_unstable();
            days.dedup();
            let mut ledger = Ledger::default();
            for day in days.iter().copied().chain([1001]) {
                let s = settle(&d, &ids, base.add_days(day), true, rules(), &ledger).unwrap();
                ledger = s.ledger;
                crate::cases::ledger::check(&ledger.rounds, &ledger.payouts).unwrap();
            }
            // Everyone registered at the end (those who never did stay held).
            let mut total: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
            for p in &ledger.payouts {
                let t = total.entry(p.person_id.as_str()).or_default();
                t.0 += p.paid + p.released;
                t.1 += p.held - p.released;
            }
            let one = settle(&d, &ids, base.add_days(1001), true, rules(), &Ledger::default()).unwrap();
            for p in &one.ledger.payouts {
                let (paid, held) = total.get(p.person_id.as_str()).copied().unwrap_or((0, 0));
                prop_assert!(paid + held <= p.loss);
                prop_assert_eq!(paid + held, p.paid + p.held, "{}", p.person_id);
                if d.people.iter().find(|x| x.id == p.person_id).unwrap().registered_on.is_some() {
                    prop_assert_eq!(held, 0);
                }
            }
            let distributed: i64 = ledger.rounds.iter().map(|r| r.amount).sum();
            let share = one.ledger.rounds.first().map_or(0, |r| r.amount);
            prop_assert_eq!(distributed, share);
        }
    }
}
