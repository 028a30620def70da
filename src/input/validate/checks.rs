//! The checks of one row, in the order of docs/inputs.md: required cells and cell types in
//! column order, ranges, duplicate keys, parents, the loan's platform, the as-of date. The first
//! rule a row breaks is its reject reason; a row that passes carries what it resolved.

use std::ops::Range;

use super::*;

impl Validator {
    /// Parse and check row `i`; on success `vals` holds its typed cells.
    pub(super) fn check_row<'a>(
        &mut self,
        table: Table,
        batch: &'a Batch,
        i: usize,
        vals: &mut Vec<Val<'a>>,
    ) -> Result<Resolved, Broken> {
        let parsed = parse_cells(table, batch, i, vals);
        self.check_parsed(table, batch, i, parsed, vals)
    }

    /// Check row `i`, whose cells were parsed into `vals` (`parsed`: whether they parsed, or
    /// the first cell that broke).
    pub(super) fn check_parsed(
        &mut self,
        table: Table,
        batch: &Batch,
        i: usize,
        parsed: Result<(), Broken>,
        vals: &[Val],
    ) -> Result<Resolved, Broken> {
        if table == Table::Investments {
            // Its id registered already (`self.probes`).
            parsed?;
            let platform = self.platform_ids.get(Fp::of(
                vals[IV_PLATFORM].text().unwrap_or_default().as_bytes(),
            ));
            return self.check_investment_row(vals, i, platform);
        }
        // Every row that has a key registered it, accepted or not ([`Keys`]).
        let key = match table {
            Table::Platforms => self.platform_keys.get(i),
            Table::Loans => self.loan_keys.get(i),
            Table::Lenders => self.lender_keys.get(i),
            _ => Key::Absent,
        };
        let seen = key == Key::Seen;
        let mut resolved = Resolved {
            key_row: matches!(key, Key::New(_)).then_some(i),
            ..Resolved::default()
        };
        // A lenders record with fewer fields than the header may have shifted a phone number
        // into `district`: it is refused too, at the first column it does not reach (after a
        // misaligned record's cells beyond the header).
        if table == Table::Lenders && batch.extra_field(i).is_none() && batch.short_of(i).is_some()
        {
            return Err((SHORT, Reason::MissingValue));
        }
        parsed?;
        // 2. Ranges, 3. duplicate keys, 4. parents, 5. loan platform, 6. after as-of.
        match table {
            Table::Platforms | Table::Lenders if seen => Err((0, Reason::DuplicateId)),
            Table::Platforms | Table::Lenders => Ok(()),
            Table::Loans => self.check_loan(vals, seen, &mut resolved),
            Table::Recoveries => self.check_recovery(vals, &mut resolved),
            Table::Returns => self.check_return(vals, &mut resolved),
            // The case tables are input::cases' (never read into this validator).
            _ => Ok(()),
        }?;
        Ok(resolved)
    }

    fn check_loan(&self, vals: &[Val], seen: bool, r: &mut Resolved) -> Result<(), Broken> {
        let principal = vals[LN_PRINCIPAL].money().unwrap_or(0);
        let outstanding = vals[LN_OUTSTANDING].money().unwrap_or(0);
        if principal <= 0 {
            return Err((LN_PRINCIPAL, Reason::OutOfRange));
        }
        if outstanding < 0 || outstanding > principal {
            return Err((LN_OUTSTANDING, Reason::OutOfRange));
        }
        if let (Some(m), Some(o)) = (vals[LN_MATURES].date(), vals[LN_ORIGINATED].date()) {
            if m < o {
                return Err((LN_MATURES, Reason::OutOfRange));
            }
        }
        if vals[LN_DPD].int().is_some_and(|d| d < 0) {
            return Err((LN_DPD, Reason::OutOfRange));
        }
        if vals[LN_COLLATERAL].money().is_some_and(|c| c < 0) {
            return Err((LN_COLLATERAL, Reason::OutOfRange));
        }
        if seen {
            return Err((LN_ID, Reason::DuplicateId));
        }
        r.platform =
            self.platform_parent(vals[LN_PLATFORM].text().unwrap_or_default(), LN_PLATFORM)?;
        self.after_as_of(vals[LN_ORIGINATED].date(), LN_ORIGINATED)
    }

    /// Row `i` of a batch of investments once its cells `vals` are parsed and its platform id
    /// looked up (`platform`): the checks that follow the cells' (a batch of investments is
    /// parsed ahead: `investments.rs`).
    pub(super) fn check_investment_row(
        &self,
        vals: &[Val],
        i: usize,
        platform: Option<Option<PlatformCode>>,
    ) -> Result<Resolved, Broken> {
        let mut resolved = Resolved::default();
        self.check_investment(vals, i, platform, &mut resolved)?;
        Ok(resolved)
    }

    /// Row `i` of the batch: its lender and loan were looked up beforehand (`self.probes`),
    /// its platform id too (`platform`).
    fn check_investment(
        &self,
        vals: &[Val],
        i: usize,
        platform: Option<Option<PlatformCode>>,
        r: &mut Resolved,
    ) -> Result<(), Broken> {
        let seen = self.probes.seen[i];
        let amount = vals[IV_AMOUNT].money().unwrap_or(0);
        if amount <= 0 {
            return Err((IV_AMOUNT, Reason::OutOfRange));
        }
        if let Some(pr) = vals[IV_PRINCIPAL_RETURNED].money() {
            if pr < 0 || pr > amount {
                return Err((IV_PRINCIPAL_RETURNED, Reason::OutOfRange));
            }
        }
        if vals[IV_RETURNS].money().is_some_and(|r| r < 0) {
            return Err((IV_RETURNS, Reason::OutOfRange));
        }
        if let (Some(m), Some(i)) = (vals[IV_MATURES].date(), vals[IV_INVESTED].date()) {
            if m < i {
                return Err((IV_MATURES, Reason::OutOfRange));
            }
        }
        if seen {
            return Err((IV_ID, Reason::DuplicateId));
        }
        let platform = parent(platform, IV_PLATFORM)?;
        r.platform = platform;
        r.lender = match self.probes.lender[i] {
            None => return Err((IV_LENDER, Reason::UnknownParent)),
            Some(None) => return Err((IV_LENDER, Reason::ParentRejected)),
            Some(Some(code)) => code,
        };
        if vals[IV_LOAN].text().is_some() {
            match self.probes.loan[i] {
                None => return Err((IV_LOAN, Reason::UnknownParent)),
                Some(l) if l.platform.is_none() => return Err((IV_LOAN, Reason::ParentRejected)),
                Some(loan) => {
                    if loan.platform != Some(platform) {
                        return Err((IV_LOAN, Reason::LoanPlatformMismatch));
                    }
                    r.loan = Some(loan);
                }
            }
        }
        self.after_as_of(vals[IV_INVESTED].date(), IV_INVESTED)
    }

    fn check_recovery(&self, vals: &[Val], r: &mut Resolved) -> Result<(), Broken> {
        if vals[RC_ROUND].int().is_some_and(|r| r < 1) {
            return Err((RC_ROUND, Reason::OutOfRange));
        }
        if vals[RC_AMOUNT].money().is_some_and(|a| a < 0) {
            return Err((RC_AMOUNT, Reason::OutOfRange));
        }
        r.platform =
            self.platform_parent(vals[RC_PLATFORM].text().unwrap_or_default(), RC_PLATFORM)?;
        self.after_as_of(vals[RC_RECEIVED].date(), RC_RECEIVED)
    }

    /// A returned transfer: a positive amount of a round ≥ 1, to an accepted lender of an
    /// accepted platform. Whether that lender was paid as much in that round is checked against
    /// the payouts (docs/payouts.md). Not held to as-of: transfers come back after the payout.
    fn check_return(&self, vals: &[Val], r: &mut Resolved) -> Result<(), Broken> {
        if vals[RT_ROUND].int().is_some_and(|r| r < 1) {
            return Err((RT_ROUND, Reason::OutOfRange));
        }
        if vals[RT_AMOUNT].money().is_some_and(|a| a <= 0) {
            return Err((RT_AMOUNT, Reason::OutOfRange));
        }
        r.platform =
            self.platform_parent(vals[RT_PLATFORM].text().unwrap_or_default(), RT_PLATFORM)?;
        // After the investments the lender ids live in the data (for ledgers and returns).
        let lender = vals[RT_LENDER].text().unwrap_or_default();
        r.lender = match self.data.lender_index.find(lender) {
            Found::Unknown => return Err((RT_LENDER, Reason::UnknownParent)),
            Found::Rejected => return Err((RT_LENDER, Reason::ParentRejected)),
            Found::Accepted(code) => code,
        };
        Ok(())
    }

    /// The accepted platform's code, or the reason it cannot be a parent.
    fn platform_parent(&self, id: &str, col: usize) -> Result<PlatformCode, Broken> {
        parent(self.platform_ids.get(Fp::of(id.as_bytes())), col)
    }

    fn after_as_of(&self, date: Option<Date>, col: usize) -> Result<(), Broken> {
        match (self.as_of, date) {
            (Some(as_of), Some(d)) if d > as_of => Err((col, Reason::AfterAsOf)),
            _ => Ok(()),
        }
    }
}

/// Rows of a batch parsed, a chunk at a time (on a helper thread: [`crate::input::ahead`]):
/// each row's cells, its table's column count to a row (`Val::Null` for a row whose parse
/// broke), and whether it parsed or the first cell that broke.
#[derive(Default)]
pub(super) struct ParsedRows<'a> {
    vals: Vec<Val<'a>>,
    parsed: Vec<Result<(), Broken>>,
    width: usize,
}

impl<'a> ParsedRows<'a> {
    /// Parse `rows` of the batch, forgetting the rows parsed before.
    pub(super) fn parse(&mut self, table: Table, batch: &'a Batch, rows: Range<usize>) {
        let width = table.columns().len();
        self.width = width;
        self.vals.clear();
        self.parsed.clear();
        for i in rows {
            let start = self.vals.len();
            let parsed = parse_cells(table, batch, i, &mut self.vals);
            self.vals.truncate(start + width);
            self.vals.resize(start + width, Val::Null);
            self.parsed.push(parsed);
        }
    }

    /// The `k`th row parsed: whether it parsed, and its cells.
    pub(super) fn row(&self, k: usize) -> (Result<(), Broken>, &[Val<'a>]) {
        (
            self.parsed[k],
            &self.vals[k * self.width..(k + 1) * self.width],
        )
    }
}

/// A platform as its id's lookup found it, for the row's column `col`: unknown, rejected, or
/// its code.
fn parent(found: Option<Option<PlatformCode>>, col: usize) -> Result<PlatformCode, Broken> {
    match found {
        None => Err((col, Reason::UnknownParent)),
        Some(None) => Err((col, Reason::ParentRejected)),
        Some(Some(code)) => Ok(code),
    }
}

/// A cell parsed by its contract type.
/// Parse row `i`'s cells by `table`'s columns into `vals`: a misaligned record (cells beyond
/// the header) is refused before its cells are read; then required cells and cell types, in
/// column order; a cell the reader refused (Excel only: no CSV or Parquet batch has faults)
/// breaks at its column.
#[inline]
pub fn parse_cells<'a>(
    table: Table,
    batch: &'a Batch,
    i: usize,
    vals: &mut Vec<Val<'a>>,
) -> Result<(), Broken> {
    if batch.extra_field(i).is_some() {
        return Err((EXTRA, Reason::ExtraField));
    }
    let faulty = !batch.faults.is_empty();
    for (c, (spec, column)) in table.columns().iter().zip(&batch.columns).enumerate() {
        if let Some(fault) = faulty.then(|| batch.fault(i, c)).flatten() {
            return Err((c, fault.reason));
        }
        let val = match parse(spec.ty, column, i) {
            Cell::Missing if spec.required => return Err((c, Reason::MissingValue)),
            Cell::Missing => Val::Null,
            Cell::Bad => return Err((c, Reason::for_type(spec.ty))),
            Cell::Ok(v) => v,
        };
        vals.push(val);
    }
    Ok(())
}

pub(super) fn parse<'a>(ty: CellType, column: &'a Column, i: usize) -> Cell<Val<'a>> {
    let map = |c: Cell<Val<'a>>| c;
    match ty {
        CellType::Text => match column.text(i) {
            Cell::Ok(s) => Cell::Ok(Val::Text(s)),
            Cell::Missing => Cell::Missing,
            Cell::Bad => Cell::Bad,
        },
        CellType::Money => lift(column.money(i), Val::Money),
        CellType::Date => lift(column.date(i), Val::Date),
        CellType::Bool => lift(column.boolean(i), Val::Bool),
        CellType::Integer => lift(column.integer(i), Val::Int),
        CellType::BorrowerType => map(match column.text(i) {
            Cell::Ok(s) => BorrowerType::parse(s).map_or(Cell::Bad, |b| Cell::Ok(Val::Borrower(b))),
            Cell::Missing => Cell::Missing,
            Cell::Bad => Cell::Bad,
        }),
        CellType::RedFlags => match column.text(i) {
            Cell::Ok(s) => cells::parse_red_flags(s).map_or(Cell::Bad, |f| Cell::Ok(Val::Flags(f))),
            Cell::Missing => Cell::Missing,
            Cell::Bad => Cell::Bad,
        },
    }
}

fn lift<'a, T>(c: Cell<T>, f: impl FnOnce(T) -> Val<'a>) -> Cell<Val<'a>> {
    match c {
        Cell::Ok(v) => Cell::Ok(f(v)),
        Cell::Missing => Cell::Missing,
        Cell::Bad => Cell::Bad,
    }
}
