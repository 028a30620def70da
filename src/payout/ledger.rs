//! The ledger: the payout rounds already paid, as an earlier run wrote them (its
//! payouts.parquet and the payout_rounds.parquet beside it).
//!
//! A ledger is read whole and checked on its own before it is trusted: every row's round is in
//! the rounds file, no (platform, round, lender) twice, no negative amount, and each round's
//! rows add up to its paid / reserved / carried / returned, with pool = paid + reserved +
//! carried + returned + surplus (ledgers written before returns existed have no `returned`:
//! nothing returned). [`Ledger::check_against`] then checks it against today's recoveries: a round
//! already paid must still have the pool it was paid from, and a round not yet paid may not be
//! numbered below a paid one — cash that arrives late is booked as a new round.
//! [`Ledger::check_claims`] checks its lenders against today's claims: still there, and never
//! given more than the claim. Anything else is refused with exit 2 and a message that says
//! what to do; money already sent is never recomputed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::domain::code::{Code, LenderCode, PlatformCode};
use crate::domain::money::Fen;
use crate::error::{Error, LedgerProblem, Result};
use crate::input::data::InputData;
use crate::rules::exposure::{Claims, Status};
use crate::table::export_file::ExportFile;

/// One round of the ledger, from payout_rounds.parquet (money in fen).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRound {
    pub platform_id: String,
    pub round: i64,
    pub pool: Fen,
    pub paid: Fen,
    pub reserved: Fen,
    pub carried: Fen,
    pub returned: Fen,
    /// Returned transfers sent again in the run that wrote the file.
    pub reissued: Fen,
    pub surplus: Fen,
    /// The ratio of the claims the round brought every lender up to (none for a round taken
    /// from a ledger, or in a file written before the column).
    pub level: Option<f64>,
    pub lenders: i64,
    pub lenders_paid: i64,
}

/// The rounds already paid, with their rows as columns and ids as today's codes.
#[derive(Debug, Clone)]
pub struct Ledger {
    /// payouts.parquet, as given.
    pub path: PathBuf,
    /// The ledger's platform ids (by first appearance), and today's code of each.
    pub platform_ids: Vec<String>,
    codes: Vec<Option<PlatformCode>>,
    /// Per row: its platform in `platform_ids`.
    row_platform_index: Vec<usize>,
    /// Today's code of each row's platform and lender (None if not in today's data).
    pub platform: Vec<Option<PlatformCode>>,
    pub lender: Vec<Option<LenderCode>>,
    /// The ledger's lender id of rows whose lender is not in today's data.
    unknown_lenders: HashMap<usize, String>,
    pub round: Vec<i64>,
    pub status: Vec<Status>,
    pub claim: Vec<Fen>,
    pub before: Vec<Fen>,
    pub paid: Vec<Fen>,
    pub reserved: Vec<Fen>,
    pub carried: Vec<Fen>,
    /// Returned and held; Σ returns booked (0 in ledgers written before returns existed).
    pub returned: Vec<Fen>,
    pub returned_total: Vec<Fen>,
    /// Sorted by (platform id, round).
    pub rounds: Vec<LedgerRound>,
    /// Row indices per (platform code, round), in lender id order.
    index: HashMap<(PlatformCode, i64), Vec<usize>>,
}

impl Ledger {
    /// Read a ledger (`path`: an earlier output's payouts.parquet or its folder) and map its
    /// ids onto today's data.
    pub fn read(path: &Path, data: &InputData) -> Result<Ledger> {
        let payouts = if path.is_dir() {
            path.join("payouts.parquet")
        } else {
            path.to_path_buf()
        };
        if !crate::table::export_file::ExportFile::exists(&payouts) {
            return Err(Error::bad_file(
                &payouts,
                "no such ledger (an earlier run's payouts.parquet)",
            ));
        }
        let mut ledger = read_rows(&payouts, data)?;
        let rounds_path = payouts.with_file_name("payout_rounds.parquet");
        if !rounds_path.is_file() {
            return Err(Error::bad_file(
                &payouts,
                "a ledger needs the payout_rounds.parquet written beside it",
            ));
        }
        ledger.rounds = read_rounds(&rounds_path)?;
        // A round may have no rows (its recoveries met no lender with a claim): its platform
        // is known by the rounds file alone.
        for r in &ledger.rounds {
            if !ledger.platform_ids.contains(&r.platform_id) {
                ledger.platform_ids.push(r.platform_id.clone());
                let code = data.platforms.ids.iter().position(|p| *p == r.platform_id);
                ledger.codes.push(code.map(PlatformCode::at));
            }
        }
        ledger.check_itself()?;
        Ok(ledger)
    }

    /// The rows and the rounds-file line of a paid round, if the ledger has it.
    pub fn round(&self, code: PlatformCode, round: i64) -> Option<(&Ledger, &[usize])> {
        self.rounds
            .iter()
            .any(|r| r.round == round && self.code_of(&r.platform_id) == Some(code))
            .then(|| {
                let rows = self
                    .index
                    .get(&(code, round))
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                (self, rows)
            })
    }

    /// The payout_rounds line of a paid round, as it was written.
    pub fn round_line(&self, code: PlatformCode, round: i64) -> Option<&LedgerRound> {
        self.rounds
            .iter()
            .find(|r| r.round == round && self.code_of(&r.platform_id) == Some(code))
    }

    fn code_of(&self, platform_id: &str) -> Option<PlatformCode> {
        self.platform_ids
            .iter()
            .position(|p| p == platform_id)
            .and_then(|i| self.codes.get(i).copied().flatten())
    }

    /// The ledger agrees with itself: rows belong to rounds and add up to them.
    fn check_itself(&self) -> Result<()> {
        let bad = |m: String| Error::bad_file(&self.path, format!("not a consistent ledger: {m}"));
        let mut seen_rounds = BTreeSet::new();
        for r in &self.rounds {
            if !seen_rounds.insert((r.platform_id.as_str(), r.round)) {
                return Err(bad(format!(
                    "round {} of platform {} appears twice in payout_rounds.parquet",
                    r.round, r.platform_id
                )));
            }
            let parts = [r.pool, r.paid, r.reserved, r.carried, r.returned, r.surplus];
            let sum = i128::from(r.paid)
                + i128::from(r.reserved)
                + i128::from(r.carried)
                + i128::from(r.returned)
                + i128::from(r.surplus);
            if parts.iter().any(|v| *v < Fen::ZERO) || sum != i128::from(r.pool) {
                return Err(bad(format!(
                    "round {} of platform {}: paid + reserved + carried + returned + surplus ≠ \
                     pool",
                    r.round, r.platform_id
                )));
            }
        }
        // Per round: Σ paid, reserved, carried, returned, and the row count.
        type Sums = (i128, i128, i128, i128, i64);
        let mut sums: BTreeMap<(&str, i64), Sums> = BTreeMap::new();
        let mut keys: HashSet<(usize, i64, u64)> = HashSet::with_capacity(self.round.len());
        for k in 0..self.round.len() {
            let platform = self.row_platform(k);
            if self.paid[k] < Fen::ZERO
                || self.reserved[k] < Fen::ZERO
                || self.carried[k] < Fen::ZERO
                || self.returned[k] < Fen::ZERO
                || self.returned_total[k] < self.returned[k]
                || self.claim[k] <= Fen::ZERO
            {
                return Err(bad(format!(
                    "a row of round {} of platform {platform} has a negative amount",
                    self.round[k]
                )));
            }
            // An unknown lender never repeats a key here (check_claims refuses it anyway).
            let lender = match self.lender[k] {
                None => (1u64 << 40) + k as u64,
                Some(code) => u64::from(code.get()),
            };
            if !keys.insert((self.row_platform_index[k], self.round[k], lender)) {
                return Err(bad(format!(
                    "a lender appears twice in round {} of platform {platform}",
                    self.round[k]
                )));
            }
            let e = sums.entry((platform, self.round[k])).or_default();
            e.0 += i128::from(self.paid[k]);
            e.1 += i128::from(self.reserved[k]);
            e.2 += i128::from(self.carried[k]);
            e.3 += i128::from(self.returned[k]);
            e.4 += 1;
        }
        for r in &self.rounds {
            let got = sums
                .remove(&(r.platform_id.as_str(), r.round))
                .unwrap_or_default();
            let want = (
                i128::from(r.paid),
                i128::from(r.reserved),
                i128::from(r.carried),
                i128::from(r.returned),
                r.lenders,
            );
            if got != want {
                return Err(bad(format!(
                    "the rows of round {} of platform {} do not add up to payout_rounds.parquet",
                    r.round, r.platform_id
                )));
            }
        }
        if let Some(((platform, round), _)) = sums.into_iter().next() {
            return Err(bad(format!(
                "round {round} of platform {platform} has rows but no line in payout_rounds.parquet"
            )));
        }
        Ok(())
    }

    fn row_platform(&self, k: usize) -> &str {
        &self.platform_ids[self.row_platform_index[k]]
    }

    /// Row `k`'s lender id as the ledger has it.
    fn row_lender<'a>(&'a self, data: &'a InputData, k: usize) -> &'a str {
        match self.lender[k] {
            None => self.unknown_lenders.get(&k).map_or("", String::as_str),
            Some(code) => data.lenders.ids.get(code),
        }
    }

    /// The ledger against today's recoveries (`pools`: per platform code, (round, pool)
    /// ascending). A paid round must keep its pool; an unpaid round must come after every
    /// paid one.
    pub fn check_against(
        &self,
        data: &InputData,
        pools: &BTreeMap<PlatformCode, Vec<(i64, Fen)>>,
    ) -> Result<()> {
        for r in &self.rounds {
            let now = self
                .code_of(&r.platform_id)
                .and_then(|c| pools.get(&c))
                .and_then(|rounds| rounds.iter().find(|(n, _)| *n == r.round))
                .map(|(_, pool)| *pool);
            match now {
                None => {
                    return Err(Error::from(LedgerProblem::PaidRoundDropped {
                        ledger: self.path.clone(),
                        platform: r.platform_id.clone(),
                        round: r.round,
                        pool: r.pool.get(),
                    }))
                }
                Some(pool) if pool != r.pool => {
                    return Err(Error::from(LedgerProblem::PaidRoundChanged {
                        ledger: self.path.clone(),
                        platform: r.platform_id.clone(),
                        round: r.round,
                        pool: r.pool.get(),
                        now: pool.get(),
                    }))
                }
                Some(_) => {}
            }
        }
        let mut paid: BTreeMap<PlatformCode, BTreeSet<i64>> = BTreeMap::new();
        for r in &self.rounds {
            if let Some(c) = self.code_of(&r.platform_id) {
                paid.entry(c).or_default().insert(r.round);
            }
        }
        for (code, rounds) in pools {
            let Some(done) = paid.get(code) else {
                continue;
            };
            let Some(&paid_up_to) = done.iter().next_back() else {
                continue;
            };
            if let Some((late, _)) = rounds
                .iter()
                .find(|(n, _)| !done.contains(n) && *n < paid_up_to)
            {
                return Err(Error::from(LedgerProblem::LateRoundBelowPaid {
                    ledger: self.path.clone(),
                    platform: data.platforms.ids[*code].to_string(),
                    late: *late,
                    paid_up_to,
                }));
            }
        }
        Ok(())
    }

    /// The ledger's lenders against today's claims, on every platform: each paid lender still
    /// has a claim in a round (claim > 0, not excluded), and has not been given more than it
    /// (paid + reserved + returned: a returned transfer is held for the lender).
    pub fn check_claims(
        &self,
        data: &InputData,
        claims: &Claims,
        who: &(dyn Fn(&str) -> String + Sync),
    ) -> Result<()> {
        let mut cumulative: HashMap<(PlatformCode, LenderCode), i64> = HashMap::new();
        for k in 0..self.round.len() {
            let platform = self.row_platform(k);
            let Some(code) = self.platform[k] else {
                return Err(Error::from(LedgerProblem::PlatformWithoutClaims {
                    platform: platform.to_string(),
                }));
            };
            let lender = self.lender[k];
            let claim = lender.and_then(|lender| {
                let range = data.positions.ranges[code].clone();
                let lenders = &data.positions.lender[range.clone()];
                let rank = &data.lenders.rank;
                lenders
                    .binary_search_by_key(&rank[lender], |l| rank[*l])
                    .ok()
                    .map(|j| range.start + j)
                    .filter(|&i| claims.in_pool(data, code, i))
                    .map(|i| claims.claim_on(code, &data.positions, i))
            });
            let (Some(claim), Some(lender)) = (claim, lender) else {
                return Err(Error::from(LedgerProblem::PaidWithoutClaim {
                    platform: platform.to_string(),
                    lender: who(self.row_lender(data, k)),
                }));
            };
            let c = cumulative.entry((code, lender)).or_default();
            *c = c.saturating_add(
                self.paid[k]
                    .saturating_add(self.reserved[k])
                    .saturating_add(self.returned[k])
                    .get(),
            );
            if *c > claim.get() {
                return Err(Error::from(LedgerProblem::AboveClaim {
                    platform: platform.to_string(),
                    lender: who(self.row_lender(data, k)),
                    received: *c,
                    claim: claim.get(),
                }));
            }
        }
        Ok(())
    }
}

fn read_rows(path: &Path, data: &InputData) -> Result<Ledger> {
    use crate::domain::exports::{payouts as f, CLAIM, LENDER_ID, PLATFORM_ID, ROUND, STATUS};
    let t = ExportFile::read(
        path,
        &[
            &PLATFORM_ID,
            &ROUND,
            &LENDER_ID,
            &STATUS,
            &CLAIM,
            &f::BEFORE,
            &f::PAID,
            &f::RESERVED,
            &f::CARRIED,
            &f::RETURNED,
            &f::RETURNED_TOTAL,
        ],
    )?;
    let round = t.int(&ROUND)?;
    let platforms_raw = t.text(&PLATFORM_ID)?;
    let lenders_raw = t.text(&LENDER_ID)?;
    // A row whose transfer came back is `returned` (an eligible lender's); anything but the
    // three statuses payouts.parquet holds is not a ledger.
    let status: Vec<Status> = t
        .text(&STATUS)?
        .into_iter()
        .map(|s| match s.as_str() {
            "eligible" | "returned" => Ok(Status::Eligible),
            "reserved" => Ok(Status::Reserved),
            other => Err(Error::bad_file(
                path,
                format!(
                    "not a ledger: status {:?} (a payouts row is eligible, reserved or returned)",
                    crate::domain::text::terminal_safe(other)
                ),
            )),
        })
        .collect::<Result<_>>()?;
    let (claim, before, paid, reserved, carried) = (
        t.fen(&CLAIM)?,
        t.fen(&f::BEFORE)?,
        t.fen(&f::PAID)?,
        t.fen(&f::RESERVED)?,
        t.fen(&f::CARRIED)?,
    );
    // Ledgers written before the returns table have neither column: nothing returned.
    let optional = |field| -> Result<Vec<Fen>> {
        if t.has(field) {
            t.fen(field)
        } else {
            Ok(vec![Fen::ZERO; round.len()])
        }
    };
    let (returned, returned_total) = (optional(&f::RETURNED)?, optional(&f::RETURNED_TOTAL)?);
    drop(t);
    // Platform ids by first appearance; today's code of each.
    let today: HashMap<&str, PlatformCode> = data
        .platforms
        .ids
        .coded()
        .map(|(c, id)| (id.as_str(), c))
        .collect();
    let mut platform_ids: Vec<String> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut row_platform_index = Vec::with_capacity(round.len());
    for p in &platforms_raw {
        let i = *seen.entry(p.clone()).or_insert_with(|| {
            platform_ids.push(p.clone());
            platform_ids.len() - 1
        });
        row_platform_index.push(i);
    }
    let codes: Vec<Option<PlatformCode>> = platform_ids
        .iter()
        .map(|p| today.get(p.as_str()).copied())
        .collect();
    let platform: Vec<Option<PlatformCode>> =
        row_platform_index.iter().map(|i| codes[*i]).collect();
    let mut unknown_lenders = HashMap::new();
    let lender: Vec<Option<LenderCode>> = lenders_raw
        .into_iter()
        .enumerate()
        .map(|(k, l)| match data.lender_index.find(&l).accepted() {
            Some(c) => Some(c),
            None => {
                unknown_lenders.insert(k, l);
                None
            }
        })
        .collect();
    let mut index: HashMap<(PlatformCode, i64), Vec<usize>> = HashMap::new();
    for k in 0..round.len() {
        if let Some(p) = platform[k] {
            index.entry((p, round[k])).or_default().push(k);
        }
    }
    let rank = &data.lenders.rank;
    for rows in index.values_mut() {
        // Unknown lenders last.
        rows.sort_by_key(|&k| lender[k].map_or((true, u32::MAX), |l| (false, rank[l])));
    }
    Ok(Ledger {
        path: path.to_path_buf(),
        platform_ids,
        codes,
        row_platform_index,
        platform,
        lender,
        unknown_lenders,
        round,
        status,
        claim,
        before,
        paid,
        reserved,
        carried,
        returned,
        returned_total,
        rounds: Vec::new(),
        index,
    })
}

/// payout_rounds.parquet's lines (money in fen), sorted by platform id and round: the ledger's
/// rounds, and what the desk shows of them.
pub fn read_rounds(path: &Path) -> Result<Vec<LedgerRound>> {
    use crate::domain::exports::{payout_rounds as f, PLATFORM_ID, ROUND};
    let t = ExportFile::read(
        path,
        &[
            &PLATFORM_ID,
            &ROUND,
            &f::POOL,
            &f::PAID,
            &f::RESERVED,
            &f::CARRIED,
            &f::SURPLUS,
            &f::LENDERS,
            &f::LENDERS_PAID,
            &f::RETURNED,
            &f::REISSUED,
            &f::LEVEL,
        ],
    )?;
    let (ids, round) = (t.text(&PLATFORM_ID)?, t.int(&ROUND)?);
    let (lenders, lenders_paid) = (t.int(&f::LENDERS)?, t.int(&f::LENDERS_PAID)?);
    let (pool, paid, reserved, carried, surplus) = (
        t.fen(&f::POOL)?,
        t.fen(&f::PAID)?,
        t.fen(&f::RESERVED)?,
        t.fen(&f::CARRIED)?,
        t.fen(&f::SURPLUS)?,
    );
    // Ledgers written before the returns table have neither column: nothing returned.
    let optional = |field| -> Result<Vec<Fen>> {
        if t.has(field) {
            t.fen(field)
        } else {
            Ok(vec![Fen::ZERO; ids.len()])
        }
    };
    let (returned, reissued) = (optional(&f::RETURNED)?, optional(&f::REISSUED)?);
    let level = if t.has(&f::LEVEL) {
        t.opt_ratio(&f::LEVEL)?
    } else {
        vec![None; ids.len()]
    };
    let mut rounds: Vec<LedgerRound> = (0..ids.len())
        .map(|i| LedgerRound {
            platform_id: ids[i].clone(),
            round: round[i],
            pool: pool[i],
            paid: paid[i],
            reserved: reserved[i],
            carried: carried[i],
            returned: returned[i],
            reissued: reissued[i],
            surplus: surplus[i],
            level: level[i],
            lenders: lenders[i],
            lenders_paid: lenders_paid[i],
        })
        .collect();
    rounds.sort_by(|a, b| {
        (a.platform_id.as_bytes(), a.round).cmp(&(b.platform_id.as_bytes(), b.round))
    });
    Ok(rounds)
}
