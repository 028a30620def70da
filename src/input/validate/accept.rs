//! What an accepted row adds to the kept data: codes for its ids, its columns, and the totals
//! the rules need per platform (loans, borrowers, positions), finished table by table.

use super::*;
use crate::domain::money::Fen;

impl Validator {
    /// Record an accepted row: mark its key accepted, track the latest date, add it up.
    pub(super) fn accept(
        &mut self,
        table: Table,
        vals: &[Val],
        r: Resolved,
        file: &str,
        line: u64,
    ) {
        for (c, spec) in table.columns().iter().enumerate() {
            if let (CellType::Money, Some(v)) = (spec.ty, vals[c].money()) {
                self.batch_money[c] += i128::from(v).abs();
            }
        }
        let dated = match table {
            Table::Platforms => {
                self.accept_platform(vals, r);
                None
            }
            Table::Loans => {
                self.accept_loan(vals, r);
                vals[LN_ORIGINATED].date()
            }
            Table::Lenders => {
                self.accept_lender(vals, r, file, line);
                None
            }
            Table::Investments => {
                self.accept_investment(vals, r);
                vals[IV_INVESTED].date()
            }
            Table::Recoveries => {
                self.accept_recovery(vals, r);
                vals[RC_RECEIVED].date()
            }
            // Returns happen after the payouts: they do not move as-of.
            Table::Returns => {
                self.accept_return(vals, r, file, line);
                None
            }
            // The case tables are input::cases' (never read into this validator).
            _ => None,
        };
        if let Some(d) = dated {
            self.latest_date = self.latest_date.max(Some(d));
        }
    }

    fn accept_platform(&mut self, vals: &[Val], r: Resolved) {
        let p = &mut self.data.platforms;
        let code = PlatformCode::at(p.ids.len());
        let id = vals[P_ID].text().unwrap_or_default();
        if let Some(row) = r.key_row {
            self.platform_keys.accept(row, Some(code));
        }
        p.ids.push(id.to_string());
        p.names.push(vals[1].text().unwrap_or_default().to_string());
        p.districts
            .push(vals[2].text().unwrap_or_default().to_string());
        // The defaults of docs/inputs.md: cooperating and reporting true, the rest false.
        p.case_filed.push(vals[3].bool_or(false));
        p.controller_missing.push(vals[4].bool_or(false));
        p.repayment_suspended.push(vals[5].bool_or(false));
        p.cooperating.push(vals[6].bool_or(true));
        p.reporting.push(vals[7].bool_or(true));
        p.red_flags.push(match &vals[8] {
            Val::Flags(f) if !f.is_empty() => f.split(';').map(str::to_string).collect(),
            _ => Vec::new(),
        });
        self.data.loans.push(LoanTotals::default());
        self.data.investments.push(InvestmentTotals::default());
        self.positions.push_platform();
    }

    fn accept_loan(&mut self, vals: &[Val], r: Resolved) {
        let platform = r.platform;
        if let Some(row) = r.key_row {
            self.loan_keys.accept(
                row,
                LoanRef {
                    platform: Some(platform),
                    matures_on: vals[LN_MATURES].date().map_or(NO_DATE, |d| d.0),
                },
            );
        }

        let outstanding = vals[LN_OUTSTANDING].money().unwrap_or(0);
        let dpd = vals[LN_DPD].int().unwrap_or(0);
        let collateral = vals[LN_COLLATERAL].money().unwrap_or(0);
        let t = &mut self.data.loans[platform];
        t.loan_outstanding = t.loan_outstanding.saturating_add(Fen(outstanding));
        if dpd > 0 {
            t.overdue_amount = t.overdue_amount.saturating_add(Fen(outstanding));
        }
        if dpd > 90 {
            t.overdue_90_amount = t.overdue_90_amount.saturating_add(Fen(outstanding));
        }
        if vals[LN_RELATED].bool_or(false) {
            t.related_party_amount = t.related_party_amount.saturating_add(Fen(outstanding));
        }
        let recovery = expected_recovery(outstanding, collateral, dpd, &self.rates);
        t.expected_recovery = t.expected_recovery.saturating_add(Fen(recovery));
        t.last_new_loan_on = t.last_new_loan_on.max(vals[LN_ORIGINATED].date());
        if outstanding > 0 {
            t.last_loan_maturity = t.last_loan_maturity.max(vals[LN_MATURES].date());
        }

        // The borrower on this platform: a borrower with any enterprise loan is one.
        let borrower = vals[LN_BORROWER].text().unwrap_or_default();
        let enterprise = matches!(
            vals[LN_BORROWER_TYPE],
            Val::Borrower(BorrowerType::Enterprise)
        );
        self.borrowers
            .add(platform, borrower, outstanding, enterprise);
    }

    /// After the loans table: each platform's borrower figures (current borrowers, the largest
    /// one and ten, the amount above their caps), made from the borrowers gathered by platform.
    pub fn finish_loans(&mut self) -> crate::error::Result<()> {
        let borrowers = std::mem::replace(
            &mut self.borrowers,
            Borrowers::new(0, std::path::PathBuf::new()),
        );
        let figures = borrowers.finish(
            self.data.loans.len(),
            [self.individual_cap, self.enterprise_cap],
        )?;
        for (t, f) in self.data.loans.iter_mut().zip(figures.iter()) {
            t.borrowers_current = f.current;
            t.top1_borrower_amount = Fen(f.top1);
            t.top10_borrower_amount = Fen(f.top10);
            t.cap_breach_amount = Fen(f.cap_breach);
        }
        // From here on the loan ids are only looked up (by the investments).
        self.loan_ids.freeze();
        Ok(())
    }

    fn accept_lender(&mut self, vals: &[Val], r: Resolved, file: &str, line: u64) {
        let id = vals[LD_ID].text().unwrap_or_default();
        let code = self.push_lender_id(id);
        let l = &mut self.data.lenders;
        if let Some(row) = r.key_row {
            self.lender_keys.accept(row, Some(code));
        }
        let district = vals[LD_DISTRICT]
            .text()
            .map(|d| match self.district_codes.get(d) {
                Some(c) => *c,
                None => {
                    let c = l.district_names.push(d.to_string());
                    self.district_codes.insert(d.to_string(), c);
                    c
                }
            });
        l.district.push(district);
        l.registered.push(vals[LD_REGISTERED].bool_or(true));
        l.excluded.push(vals[LD_EXCLUDED].bool_or(false));
        if let Some(p) = &mut self.data.personal {
            p.names.push(vals[LD_NAME].text().unwrap_or_default());
            p.id_numbers
                .push(vals[LD_ID_NUMBER].text().unwrap_or_default());
            p.phones.push(vals[LD_PHONE].text().unwrap_or_default());
            if vals[LD_BANK_ACCOUNT].text().is_some() {
                p.accounts_given += 1;
            }
            let account = vals[LD_BANK_ACCOUNT].text().map(cells::bank_account);
            p.bank_accounts
                .push(account.flatten().as_deref().unwrap_or_default());
            p.bank_names
                .push(vals[LD_BANK_NAME].text().unwrap_or_default());
            p.account_names
                .push(vals[LD_ACCOUNT_NAME].text().unwrap_or_default());
        }
        if let Some(a) = vals[LD_BANK_ACCOUNT].text() {
            if !cells::is_bank_account(a) {
                self.invalid_bank_accounts += 1;
                self.rejects.push(RejectRow {
                    table: Table::Lenders,
                    file: file.to_string(),
                    line,
                    column: "bank_account".into(),
                    value: String::new(),
                    reason: Reason::InvalidBankAccount,
                });
            }
        }
        if let Some(id) = vals[LD_ID_NUMBER].text() {
            if !cells::valid_id_number(id) {
                self.invalid_id_numbers += 1;
                self.rejects.push(RejectRow {
                    table: Table::Lenders,
                    file: file.to_string(),
                    line,
                    column: "id_number".into(),
                    value: String::new(),
                    reason: Reason::InvalidIdNumber,
                });
            }
        }
    }

    /// After the lenders table: the byte order of their ids, which every output follows; the
    /// id table laid out for lookups only (by the investments, ledgers and statements).
    /// The lenders read so far, those written aside included.
    pub(super) fn lenders_read(&self) -> usize {
        self.lender_spool.as_ref().map_or(0, Spool::strings) + self.data.lenders.ids.len()
    }

    /// Keep a lender's id, its code the next: in memory, written aside with those held once
    /// they take `lender_ids_aside_from` bytes, and then a [`set_aside::CHUNK`] at a time.
    fn push_lender_id(&mut self, id: &str) -> LenderCode {
        let code = LenderCode::at(self.lenders_read());
        let ids = &mut self.data.lenders.ids;
        ids.push(id);
        if self.lender_spool_failed.is_some() {
            return code;
        }
        let from = match &self.lender_spool {
            // A write failed: the ids stay in memory, and the error is told by the spool.
            Some(spool) if spool.failed() => return code,
            Some(_) => crate::input::set_aside::CHUNK.min(self.lender_ids_aside_from),
            None => self.lender_ids_aside_from,
        };
        if ids.held_bytes() >= from {
            let spool = match &mut self.lender_spool {
                Some(spool) => spool,
                none => match Spool::new(&std::env::temp_dir()) {
                    Ok(spool) => none.insert(spool),
                    Err(e) => {
                        self.lender_spool_failed = Some(e);
                        return code;
                    }
                },
            };
            if spool.write(ids) {
                *ids = Default::default();
            }
        }
        code
    }

    /// After the lenders table: each lender's rank in the byte order of the ids, and the ids
    /// written aside when they were ([`set_aside`]: ids that ascended are their own order, the
    /// others are read back once to be sorted). From here on the lender ids are only looked up.
    pub fn finish_lenders(&mut self) -> crate::error::Result<Option<SetAside>> {
        if let Some(e) = self.lender_spool_failed.take() {
            return Err(e);
        }
        let aside = match self.lender_spool.take() {
            None => {
                self.data.lenders.rank = self.data.lenders.ids.byte_order();
                None
            }
            Some(mut spool) => {
                let tail = std::mem::take(&mut self.data.lenders.ids);
                spool.write(&tail);
                drop(tail);
                let (aside, ascending) = spool.finish()?;
                self.data.lenders.rank = if ascending {
                    crate::domain::code::codes(aside.strings())
                        .map(|c: LenderCode| c.get())
                        .collect()
                } else {
                    aside.read()?.byte_order()
                };
                crate::memory::give_back();
                Some(aside)
            }
        };
        self.lender_ids.freeze();
        Ok(aside)
    }

    fn accept_investment(&mut self, vals: &[Val], r: Resolved) {
        let (platform, lender) = (r.platform, r.lender);
        let amount = vals[IV_AMOUNT].money().unwrap_or(0);
        let returned = vals[IV_PRINCIPAL_RETURNED].money().unwrap_or(0);
        let returns = vals[IV_RETURNS].money().unwrap_or(0);
        self.positions
            .add(platform, lender, amount, returned, returns);
        let outstanding = amount - returned;
        let t = &mut self.data.investments[platform];
        t.outstanding = t.outstanding.saturating_add(Fen(outstanding));
        // Maturity mismatch: linked to a loan, both maturities known.
        if let (Some(mine), Some(theirs)) = (
            vals[IV_MATURES].date(),
            r.loan.and_then(LoanRef::matures_on),
        ) {
            t.linked_amount = t.linked_amount.saturating_add(Fen(outstanding));
            if mine < theirs {
                t.mismatch_amount = t.mismatch_amount.saturating_add(Fen(outstanding));
            }
        }
    }

    /// After the investments table: the positions sorted by (platform id, lender id), and the
    /// loan and investment id tables freed; the lender ids' table goes with the data (ledgers
    /// are read against it). An error reading back positions written out to the temporary
    /// folder ([`positions`]).
    pub fn finish_investments(&mut self) -> crate::error::Result<()> {
        self.data.lender_index = LenderIndex(std::mem::take(&mut self.lender_ids));
        self.repeats = Repeated::Set(crate::input::ids::FpSet::with_expected(0));
        self.loan_ids = FpMap::with_expected(0);
        let tables = std::mem::take(&mut self.positions);
        let order = self.data.platforms.by_id();
        self.data.positions = tables.into_positions(&order, &self.data.lenders.rank)?;
        Ok(())
    }

    fn accept_recovery(&mut self, vals: &[Val], r: Resolved) {
        self.data.recoveries.push(Recovery {
            platform: r.platform,
            round: vals[RC_ROUND].int().unwrap_or(0),
            amount: Fen(vals[RC_AMOUNT].money().unwrap_or(0)),
        });
    }

    fn accept_return(&mut self, vals: &[Val], r: Resolved, file: &str, line: u64) {
        // The account the bank returned the transfer from, against the lender's account now
        // (kept whenever there is a returns table); neither is kept beyond this comparison.
        let returned_from = vals[RT_BANK_ACCOUNT].text().and_then(cells::bank_account);
        let now = self
            .data
            .personal
            .as_ref()
            .map(|p| p.bank_accounts.get(r.lender))
            .unwrap_or_default();
        let account = match returned_from {
            _ if now.is_empty() => ReturnAccount::NoneNow,
            None => ReturnAccount::NotGiven,
            Some(from) if from == now => ReturnAccount::Unchanged,
            Some(_) => ReturnAccount::Changed,
        };
        self.data.returns.push(Return {
            platform: r.platform,
            round: vals[RT_ROUND].int().unwrap_or(0),
            lender: r.lender,
            amount: Fen(vals[RT_AMOUNT].money().unwrap_or(0)),
            returned_on: vals[RT_RETURNED_ON].date().unwrap_or(Date(0)),
            account,
            file: file.to_string(),
            line,
        });
    }
}

/// Expected recovery of one loan, fen (docs/rules.md): min(o, o·r + c·cr), each product exact in
/// ten-thousandths of a fen, rounded half-even.
pub fn expected_recovery(
    outstanding: i64,
    collateral: i64,
    dpd: i64,
    rates: &RecoveryRates,
) -> i64 {
    const U: i128 = 10_000;
    let bucket = match dpd {
        d if d <= 0 => 0,
        1..=30 => 1,
        31..=90 => 2,
        91..=180 => 3,
        _ => 4,
    };
    let o = i128::from(outstanding);
    let exact = o * i128::from(rates.buckets[bucket])
        + i128::from(collateral) * i128::from(rates.collateral);
    if exact >= o * U {
        return outstanding;
    }
    let (q, r) = (exact.div_euclid(U), exact.rem_euclid(U));
    let rounded = q + i128::from(2 * r > U || (2 * r == U && q % 2 == 1));
    i64::try_from(rounded).unwrap_or(outstanding)
}
