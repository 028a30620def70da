//! The checks of the case tables' rows, in the order of docs/inputs.md: required cells and cell
//! types in column order, the words of the closed lists (`bad_enum`), ranges, the cells a value
//! requires (a realised asset's value and date, a secured claim's asset), duplicate keys,
//! parents, contradictions (`inconsistent`), the as-of date. The first rule a row breaks is its
//! reject reason. A date after the as-of date rejects a case or a cash flow (it did not
//! exist yet); a registration, an heir's proof or an asset's realisation after it is kept as
//! one that has not happened yet at that date. Keys register as they are seen, accepted or not, so a later row repeating one
//! is a duplicate even when the first was rejected; parents are looked up among accepted rows
//! (a parent seen but rejected: `parent_rejected`).

use std::collections::HashMap;

use super::{Asset, Case, CaseData, FlowRow, OtherClaim, Payee, Person};
use crate::domain::case::{AssetStatus, CaseStatus, Choice, ClaimKind, Flow, Role};
use crate::domain::code::{AssetCode, ByCode, CaseCode, Code, PersonCode};
use crate::domain::date::Date;
use crate::domain::schema::Table;
use crate::input::cells;
use crate::input::report::{Reason, RejectRow, TableReport};
use crate::input::source::{Batch, RowSink};
use crate::input::validate::{parse_cells, reject_row, Broken, Val};

const fn at(table: Table, name: &str) -> usize {
    table.position(name)
}

const C_ID: usize = at(Table::Cases, "case_id");
const C_NAME: usize = at(Table::Cases, "name");
const C_PLATFORMS: usize = at(Table::Cases, "platform_ids");
const C_DISTRICT: usize = at(Table::Cases, "district");
const C_UNIT: usize = at(Table::Cases, "unit");
const C_OPENED: usize = at(Table::Cases, "opened_on");
const C_JUDGED: usize = at(Table::Cases, "judged_on");
const C_STATUS: usize = at(Table::Cases, "status");
const C_STATUS_ON: usize = at(Table::Cases, "status_on");
const P_CASE: usize = at(Table::Participants, "case_id");
const P_PERSON: usize = at(Table::Participants, "person_id");
const P_ROLE: usize = at(Table::Participants, "role");
const P_REGISTERED: usize = at(Table::Participants, "registered_on");
const P_HEIR: usize = at(Table::Participants, "heir_id");
const P_HEIR_ON: usize = at(Table::Participants, "heir_accepted_on");
const P_NAME: usize = at(Table::Participants, "name");
const P_ID_NUMBER: usize = at(Table::Participants, "id_number");
const P_PHONE: usize = at(Table::Participants, "phone");
const P_ACCOUNT: usize = at(Table::Participants, "bank_account");
const P_BANK: usize = at(Table::Participants, "bank_name");
const F_CASE: usize = at(Table::CashFlows, "case_id");
const F_PERSON: usize = at(Table::CashFlows, "person_id");
const F_ACCOUNT: usize = at(Table::CashFlows, "account_id");
const F_KIND: usize = at(Table::CashFlows, "kind");
const F_AMOUNT: usize = at(Table::CashFlows, "amount");
const F_ON: usize = at(Table::CashFlows, "flow_on");
const A_CASE: usize = at(Table::CaseAssets, "case_id");
const A_ID: usize = at(Table::CaseAssets, "asset_id");
const A_KIND: usize = at(Table::CaseAssets, "kind");
const A_LAWFUL: usize = at(Table::CaseAssets, "lawful");
const A_BOOK: usize = at(Table::CaseAssets, "book_value");
const A_STATUS: usize = at(Table::CaseAssets, "status");
const A_VALUE: usize = at(Table::CaseAssets, "realised_value");
const A_ON: usize = at(Table::CaseAssets, "realised_on");
const O_CASE: usize = at(Table::OtherClaims, "case_id");
const O_ID: usize = at(Table::OtherClaims, "claim_id");
const O_KIND: usize = at(Table::OtherClaims, "kind");
const O_AMOUNT: usize = at(Table::OtherClaims, "amount");
const O_ASSET: usize = at(Table::OtherClaims, "asset_id");

/// The case tables' validator: what the accepted rows keep, and every reject.
pub struct CaseValidator {
    as_of: Option<Date>,
    personal: bool,
    data: CaseData,
    payees: ByCode<PersonCode, Payee>,
    latest: Option<Date>,
    rejects: Vec<RejectRow>,
    /// Each key seen: its code once its row is accepted, `None` while (or if) rejected.
    case_ids: HashMap<String, Option<CaseCode>>,
    /// (case, person id) → person code.
    person_ids: HashMap<(CaseCode, String), Option<PersonCode>>,
    /// (case, account id) → the person it belongs to.
    accounts: HashMap<(CaseCode, String), PersonCode>,
    asset_ids: HashMap<(CaseCode, String), Option<AssetCode>>,
    /// (case, claim id), for duplicates.
    claim_ids: HashMap<(CaseCode, String), Option<()>>,
    /// Σ |money| of the accepted rows: beyond what fen sums can hold, the data are refused.
    money_total: i128,
    /// A table whose accepted rows would need more codes than there are (its rows from there
    /// on not kept; the read stops with `DataProblem::TooManyRows`).
    pub full: Option<Table>,
}

impl CaseValidator {
    pub fn new(as_of: Option<Date>, personal: bool) -> CaseValidator {
        CaseValidator {
            as_of,
            personal,
            data: CaseData::default(),
            payees: ByCode::new(),
            latest: None,
            rejects: Vec::new(),
            case_ids: HashMap::new(),
            person_ids: HashMap::new(),
            accounts: HashMap::new(),
            asset_ids: HashMap::new(),
            claim_ids: HashMap::new(),
            money_total: 0,
            full: None,
        }
    }

    /// Σ |money| of the accepted rows (every sum the cases form is bounded by it).
    pub fn money_total(&self) -> i128 {
        self.money_total
    }

    /// The accepted rows, the latest date among them, and the rejects.
    pub fn finish(mut self) -> (CaseData, Option<Date>, Vec<RejectRow>) {
        if self.personal {
            self.data.payees = Some(self.payees);
        }
        (self.data, self.latest, self.rejects)
    }

    /// A date the row holds, checked against the as-of date.
    fn dated(&self, col: usize, d: Option<Date>) -> Result<(), Broken> {
        match (self.as_of, d) {
            (Some(as_of), Some(d)) if d > as_of => Err((col, Reason::AfterAsOf)),
            _ => Ok(()),
        }
    }

    /// The case of a row whose checks passed (so its case was accepted).
    fn accepted_case(&self, vals: &[Val], col: usize) -> CaseCode {
        self.case_of(col, vals)
            .expect("checked: the row's case was accepted")
    }

    /// The case a row names: accepted, or why not.
    fn case_of(&self, col: usize, vals: &[Val]) -> Result<CaseCode, Broken> {
        match self.case_ids.get(vals[col].text().unwrap_or_default()) {
            None => Err((col, Reason::UnknownParent)),
            Some(None) => Err((col, Reason::ParentRejected)),
            Some(&Some(c)) => Ok(c),
        }
    }

    /// Register `key` in `ids`: whether it was seen before (a duplicate).
    fn register<C>(
        ids: &mut HashMap<(CaseCode, String), Option<C>>,
        case: CaseCode,
        key: &str,
    ) -> bool {
        match ids.entry((case, key.to_string())) {
            std::collections::hash_map::Entry::Occupied(_) => true,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(None);
                false
            }
        }
    }

    fn check(&mut self, table: Table, vals: &[Val]) -> Result<(), Broken> {
        let text = |c: usize| vals[c].text().unwrap_or_default();
        let choice = |c: usize| -> Result<(), Broken> {
            let ok = match table {
                Table::Cases => CaseStatus::parse(text(c)).is_some(),
                Table::Participants => Role::parse(text(c)).is_some(),
                Table::CashFlows => Flow::parse(text(c)).is_some(),
                Table::CaseAssets if c == A_KIND => {
                    crate::domain::case::AssetKind::parse(text(c)).is_some()
                }
                Table::CaseAssets => AssetStatus::parse(text(c)).is_some(),
                _ => ClaimKind::parse(text(c)).is_some(),
            };
            if ok {
                Ok(())
            } else {
                Err((c, Reason::BadEnum))
            }
        };
        match table {
            Table::Cases => {
                let seen = match self.case_ids.entry(text(C_ID).to_string()) {
                    std::collections::hash_map::Entry::Occupied(_) => true,
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(None);
                        false
                    }
                };
                choice(C_STATUS)?;
                let opened = vals[C_OPENED].date();
                if vals[C_JUDGED].date() < opened && vals[C_JUDGED].date().is_some() {
                    return Err((C_JUDGED, Reason::OutOfRange));
                }
                if vals[C_STATUS_ON].date() < opened {
                    return Err((C_STATUS_ON, Reason::OutOfRange));
                }
                if seen {
                    return Err((C_ID, Reason::DuplicateId));
                }
                self.dated(C_OPENED, opened)?;
                self.dated(C_JUDGED, vals[C_JUDGED].date())?;
                self.dated(C_STATUS_ON, vals[C_STATUS_ON].date())
            }
            Table::Participants => {
                let case = self.case_of(P_CASE, vals);
                let seen =
                    case.is_ok_and(|c| Self::register(&mut self.person_ids, c, text(P_PERSON)));
                choice(P_ROLE)?;
                if seen {
                    return Err((P_PERSON, Reason::DuplicateId));
                }
                case?;
                if vals[P_HEIR_ON].date().is_some() && vals[P_HEIR].text().is_none() {
                    return Err((P_HEIR_ON, Reason::Inconsistent));
                }
                // A registration or an heir's proof after the as-of date is one that has not
                // happened yet at that date: the person is kept, as not registered.
                Ok(())
            }
            Table::CashFlows => {
                choice(F_KIND)?;
                if vals[F_AMOUNT].money().unwrap_or(0) <= 0 {
                    return Err((F_AMOUNT, Reason::OutOfRange));
                }
                let case = self.case_of(F_CASE, vals)?;
                let person = match self.person_ids.get(&(case, text(F_PERSON).to_string())) {
                    None => return Err((F_PERSON, Reason::UnknownParent)),
                    Some(None) => return Err((F_PERSON, Reason::ParentRejected)),
                    Some(&Some(p)) => p,
                };
                if let Some(&owner) = self.accounts.get(&(case, text(F_ACCOUNT).to_string())) {
                    if owner != person {
                        return Err((F_ACCOUNT, Reason::Inconsistent));
                    }
                }
                self.dated(F_ON, vals[F_ON].date())
            }
            Table::CaseAssets => {
                let case = self.case_of(A_CASE, vals);
                let seen = case.is_ok_and(|c| Self::register(&mut self.asset_ids, c, text(A_ID)));
                choice(A_KIND)?;
                choice(A_STATUS)?;
                for c in [A_BOOK, A_VALUE] {
                    if vals[c].money().is_some_and(|v| v < 0) {
                        return Err((c, Reason::OutOfRange));
                    }
                }
                let realised = AssetStatus::parse(text(A_STATUS)) == Some(AssetStatus::Realised);
                let given = |c: usize| !matches!(vals[c], Val::Null);
                // A realised asset needs its value and date (a required cell of that status).
                if let Some(c) = [A_VALUE, A_ON].into_iter().find(|&c| realised && !given(c)) {
                    return Err((c, Reason::MissingValue));
                }
                if seen {
                    return Err((A_ID, Reason::DuplicateId));
                }
                case?;
                if let Some(c) = [A_VALUE, A_ON].into_iter().find(|&c| !realised && given(c)) {
                    return Err((c, Reason::Inconsistent));
                }
                // Realised after the as-of date: not yet realised at that date (kept).
                Ok(())
            }
            _ => {
                let case = self.case_of(O_CASE, vals);
                let seen = case.is_ok_and(|c| Self::register(&mut self.claim_ids, c, text(O_ID)));
                choice(O_KIND)?;
                if vals[O_AMOUNT].money().unwrap_or(0) <= 0 {
                    return Err((O_AMOUNT, Reason::OutOfRange));
                }
                let secured = ClaimKind::parse(text(O_KIND)) == Some(ClaimKind::Secured);
                if secured && vals[O_ASSET].text().is_none() {
                    return Err((O_ASSET, Reason::MissingValue));
                }
                if seen {
                    return Err((O_ID, Reason::DuplicateId));
                }
                let case = case?;
                if let Some(asset) = vals[O_ASSET].text() {
                    match self.asset_ids.get(&(case, asset.to_string())) {
                        None => return Err((O_ASSET, Reason::UnknownParent)),
                        Some(None) => return Err((O_ASSET, Reason::ParentRejected)),
                        Some(_) => {}
                    }
                    if !secured {
                        return Err((O_ASSET, Reason::Inconsistent));
                    }
                }
                Ok(())
            }
        }
    }

    fn accept(&mut self, table: Table, vals: &[Val]) {
        for v in vals {
            if let Some(m) = v.money() {
                self.money_total += i128::from(m).abs();
            }
        }
        let text = |c: usize| vals[c].text().unwrap_or_default().to_string();
        let mut dates = Vec::new();
        match table {
            Table::Cases => {
                let code = CaseCode::at(self.data.cases.len());
                self.case_ids.insert(text(C_ID), Some(code));
                let platform_ids = vals[C_PLATFORMS]
                    .text()
                    .unwrap_or_default()
                    .split([';', '；'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                let case = Case {
                    id: text(C_ID),
                    name: text(C_NAME),
                    platform_ids,
                    district: text(C_DISTRICT),
                    unit: text(C_UNIT),
                    opened_on: vals[C_OPENED].date().unwrap_or(Date(0)),
                    judged_on: vals[C_JUDGED].date(),
                    status: CaseStatus::parse(&text(C_STATUS)).unwrap_or(CaseStatus::Investigation),
                    status_on: vals[C_STATUS_ON].date().unwrap_or(Date(0)),
                };
                dates.extend([Some(case.opened_on), case.judged_on, Some(case.status_on)]);
                self.data.cases.push(case);
            }
            Table::Participants => {
                let case = self.accepted_case(vals, P_CASE);
                let code = PersonCode::at(self.data.people.len());
                let id = text(P_PERSON);
                self.person_ids.insert((case, id.clone()), Some(code));
                let person = Person {
                    case,
                    id_is_id_number: cells::valid_id_number(&id),
                    id,
                    role: Role::parse(&text(P_ROLE)).unwrap_or(Role::Participant),
                    registered_on: vals[P_REGISTERED].date(),
                    heir: vals[P_HEIR].text().is_some(),
                    heir_accepted_on: vals[P_HEIR_ON].date(),
                    accounts: 0,
                };
                dates.extend([person.registered_on, person.heir_accepted_on]);
                self.data.people.push(person);
                if self.personal {
                    self.payees.push(Payee {
                        name: text(P_NAME),
                        id_number: text(P_ID_NUMBER),
                        phone: text(P_PHONE),
                        bank_account: vals[P_ACCOUNT]
                            .text()
                            .and_then(cells::bank_account)
                            .unwrap_or_default(),
                        bank_name: text(P_BANK),
                    });
                }
            }
            Table::CashFlows => {
                let case = self.accepted_case(vals, F_CASE);
                let person = self.person_ids[&(case, text(F_PERSON))]
                    .expect("checked: the person's row was accepted");
                let account = text(F_ACCOUNT);
                // An account belongs to one person (else the row was rejected): a new account
                // is one more of this person's.
                if self.accounts.insert((case, account), person).is_none() {
                    self.data.people[person].accounts += 1;
                }
                let on = vals[F_ON].date().unwrap_or(Date(0));
                dates.push(Some(on));
                self.data.flows.push(FlowRow {
                    person,
                    flow: Flow::parse(&text(F_KIND)).unwrap_or(Flow::Deposit),
                    amount: vals[F_AMOUNT].money().unwrap_or_default(),
                    on,
                });
            }
            Table::CaseAssets => {
                let case = self.accepted_case(vals, A_CASE);
                let code = AssetCode::at(self.data.assets.len());
                self.asset_ids.insert((case, text(A_ID)), Some(code));
                let asset = Asset {
                    case,
                    id: text(A_ID),
                    kind: crate::domain::case::AssetKind::parse(&text(A_KIND))
                        .unwrap_or(crate::domain::case::AssetKind::Cash),
                    lawful: vals[A_LAWFUL].bool_or(false),
                    book_value: vals[A_BOOK].money(),
                    status: AssetStatus::parse(&text(A_STATUS)).unwrap_or(AssetStatus::Frozen),
                    realised_value: vals[A_VALUE].money(),
                    realised_on: vals[A_ON].date(),
                };
                dates.push(asset.realised_on);
                self.data.assets.push(asset);
            }
            _ => {
                let case = self.accepted_case(vals, O_CASE);
                self.claim_ids.insert((case, text(O_ID)), Some(()));
                let asset = vals[O_ASSET].text().map(|a| {
                    self.asset_ids[&(case, a.to_string())].expect("checked: the asset was accepted")
                });
                self.data.claims.push(OtherClaim {
                    case,
                    id: text(O_ID),
                    kind: ClaimKind::parse(&text(O_KIND)).unwrap_or(ClaimKind::CivilDebt),
                    amount: vals[O_AMOUNT].money().unwrap_or_default(),
                    asset,
                });
            }
        }
        for d in dates.into_iter().flatten() {
            self.latest = self.latest.max(Some(d));
        }
    }
}

impl RowSink for CaseValidator {
    fn keeps_personal(&self) -> bool {
        self.personal
    }

    fn expect_rows(&mut self, _table: Table, _rows: usize) {}

    fn batch(&mut self, table: Table, file: &str, batch: &Batch, report: &mut TableReport) {
        let coded = match table {
            Table::Cases => Some(self.data.cases.len()),
            Table::Participants => Some(self.data.people.len()),
            Table::CaseAssets => Some(self.data.assets.len()),
            _ => None,
        };
        if coded.is_some_and(|kept| !crate::domain::code::room_for(kept, batch.len())) {
            self.full.get_or_insert(table);
        }
        if self.full.is_some() {
            return;
        }
        let mut vals = Vec::with_capacity(table.columns().len());
        for i in 0..batch.len() {
            vals.clear();
            let checked =
                parse_cells(table, batch, i, &mut vals).and_then(|()| self.check(table, &vals));
            report.count(checked.map_err(|(_, reason)| reason));
            match checked {
                Ok(()) => self.accept(table, &vals),
                Err(broken) => {
                    let mut reject = reject_row(table, file, batch, i, broken);
                    // A person's id may be a resident id number: never quoted back.
                    if cells::valid_id_number(reject.value.trim()) {
                        reject.value.clear();
                    }
                    self.rejects.push(reject);
                }
            }
        }
    }
}
