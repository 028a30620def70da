//! Claims and exposure (docs/rules.md): each lender × platform position's claim under its
//! platform's basis, the per-platform roll-ups, the lenders table and the district × class
//! table, and the reconciliation of claims against investments.
//!
//! In: the positions of [`InputData`] (sorted by platform id, then lender id) and each
//! platform's class. Out: [`Claims`] parallel to the positions, and the tables. Work per
//! platform runs in parallel; every sum is over i64 fen that validation bounded.

use crate::domain::code::{ByCode, Code, DistrictCode, LenderCode, PlatformCode};
use crate::domain::money::Fen;

use crate::config::{Basis, Config};
use crate::error::{Error, Result};
use crate::input::data::{InputData, Position, Positions};
use crate::rules::classify::Class;

/// A claim size band (万 = 10,000 yuan): claims from `lower` fen (included) to the next band's.
/// Its columns in platforms.parquet are `domain::exports::platforms::BAND_COLUMNS`, in this
/// order.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    pub name: &'static str,
    pub lower: i64,
}

/// The bands, ascending.
pub const BANDS: [Band; 6] = [
    Band {
        name: "band_0_1w",
        lower: 0,
    },
    Band {
        name: "band_1w_5w",
        lower: 1_000_000,
    },
    Band {
        name: "band_5w_10w",
        lower: 5_000_000,
    },
    Band {
        name: "band_10w_50w",
        lower: 10_000_000,
    },
    Band {
        name: "band_50w_100w",
        lower: 50_000_000,
    },
    Band {
        name: "band_100w_up",
        lower: 100_000_000,
    },
];

/// A lender's standing on a platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Registered and not excluded: paid.
    Eligible,
    /// Not registered: the share is held in reserve (提存).
    Reserved,
    /// Insider, employee or defendant: nothing, and not in the pool's denominator.
    Excluded,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::Reserved => "reserved",
            Status::Excluded => "excluded",
        }
    }
}

/// The claims, one per position (same order as `InputData::positions`). None is kept as a
/// column: a claim is read from its position's sums under its platform's basis
/// ([`Claims::claim`]), what a net winner took out likewise ([`Claims::net_winner`]), and a
/// status from its lender's flags ([`Claims::status`]) — columns of them took 9 bytes a
/// position, 0.9 GB at national scale held from the classes to the last export.
#[derive(Debug, Default, Clone)]
pub struct Claims {
    /// How many: one per position.
    rows: usize,
    pub class: ByCode<PlatformCode, Class>,
    pub basis: ByCode<PlatformCode, Basis>,
}

/// Each position's claim (docs/rules.md): outstanding principal, or net of the returns received
/// (本金折抵) under that basis, with what a net winner took out beyond the principal.
pub fn claims(
    data: &InputData,
    classes_by_code: &ByCode<PlatformCode, Class>,
    config: &Config,
) -> Claims {
    let basis: ByCode<PlatformCode, Basis> = classes_by_code
        .iter()
        .map(|c| config.basis_for(*c))
        .collect();
    Claims {
        rows: data.positions.len(),
        class: classes_by_code.clone(),
        basis,
    }
}

impl Claims {
    /// How many claims: one per position.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Position `i`'s claim: its outstanding principal, or net of the returns received under
    /// its platform's basis.
    #[inline]
    pub fn claim(&self, positions: &Positions, i: usize) -> Fen {
        self.claim_on(positions.platform(i), positions, i)
    }

    /// Position `i`'s claim, its platform `code` known (a loop over the platform's range).
    #[inline]
    pub fn claim_on(&self, code: PlatformCode, positions: &Positions, i: usize) -> Fen {
        claim_and_winner(self.basis[code], positions.sums.get(i)).0
    }

    /// Position `i`'s status, from its lender's flags: excluded (insider, employee,
    /// defendant), else reserved until registered, else eligible.
    #[inline]
    pub fn status(&self, data: &InputData, i: usize) -> Status {
        let lenders = &data.lenders;
        let l = data.positions.lender[i];
        if lenders.excluded[l] {
            Status::Excluded
        } else if !lenders.registered[l] {
            Status::Reserved
        } else {
            Status::Eligible
        }
    }

    /// Whether position `i` shares in its platform's pool: a claim above zero, not excluded.
    #[inline]
    pub fn in_pool(&self, data: &InputData, code: PlatformCode, i: usize) -> bool {
        self.claim_on(code, &data.positions, i) > Fen::ZERO
            && self.status(data, i) != Status::Excluded
    }

    /// What position `i` took out beyond its outstanding principal, on a platform whose claims
    /// are net of returns (0 on the others).
    pub fn net_winner(&self, positions: &Positions, i: usize) -> Fen {
        claim_and_winner(self.basis[positions.platform(i)], positions.sums.get(i)).1
    }
}

/// A position's claim under `basis`, and what it took out beyond its principal.
fn claim_and_winner(basis: Basis, s: Position) -> (Fen, Fen) {
    let outstanding = s.outstanding();
    match basis {
        Basis::OutstandingPrincipal => (outstanding, Fen::ZERO),
        Basis::NetOfReturns => (
            (outstanding - s.returns_received).max(Fen::ZERO),
            (s.returns_received - outstanding).max(Fen::ZERO),
        ),
    }
}

/// A platform's exposure roll-up (over all its positions, whatever their status).
#[derive(Debug, Clone, Default)]
pub struct PlatformExposure {
    pub platform_id: String,
    /// Σ claim over every lender row, excluded ones included.
    pub total_claim: Fen,
    /// Σ claim of eligible and reserved rows.
    pub pool_claim: Fen,
    pub claim_lenders: i64,
    /// (lenders, claim) per band of [`BANDS`], over rows with claim > 0.
    pub bands: [(i64, i64); 6],
    pub top1_lender_claim: Fen,
    pub top10_lender_claim: Fen,
    pub claim_hhi: f64,
    pub claim_median: Option<Fen>,
    pub net_winners: i64,
    pub net_winner_total: Fen,
    /// Σ of the positions' outstanding, for the reconciliation.
    pub outstanding: Fen,
}

/// The roll-ups of platform `code`.
pub fn rollup(data: &InputData, claims: &Claims, code: PlatformCode) -> PlatformExposure {
    let range = data.positions.ranges[code].clone();
    // The platform's claims, read once from its positions.
    let c: Vec<Fen> = range
        .clone()
        .map(|i| claims.claim_on(code, &data.positions, i))
        .collect();
    let mut x = PlatformExposure {
        platform_id: data.platforms.ids[code].clone(),
        ..PlatformExposure::default()
    };
    let mut positive: Vec<Fen> = Vec::with_capacity(c.len());
    for (k, i) in range.clone().enumerate() {
        let claim = c[k];
        x.total_claim = x.total_claim.saturating_add(claim);
        if claims.status(data, i) != Status::Excluded {
            x.pool_claim = x.pool_claim.saturating_add(claim);
        }
        // The platform's own basis: its rows' platform is known.
        let winner = claim_and_winner(claims.basis[code], data.positions.sums.get(i)).1;
        x.net_winners += i64::from(winner > Fen::ZERO);
        x.net_winner_total = x.net_winner_total.saturating_add(winner);
        x.outstanding = x
            .outstanding
            .saturating_add(data.positions.sums.get(i).outstanding());
        if claim > Fen::ZERO {
            positive.push(claim);
            let b = BANDS
                .iter()
                .rposition(|band| claim >= Fen(band.lower))
                .unwrap_or(0);
            x.bands[b].0 += 1;
            x.bands[b].1 = x.bands[b].1.saturating_add(claim.get());
        }
    }
    x.claim_lenders = positive.len() as i64;
    x.top1_lender_claim = c.iter().copied().max().unwrap_or(Fen::ZERO);
    // The ten largest claims (a zero claim counts if there are fewer positive ones).
    let mut largest: Vec<Fen> = c.to_vec();
    let k = largest.len().min(10);
    if k > 0 {
        largest.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
        x.top10_lender_claim = largest[..k]
            .iter()
            .fold(Fen::ZERO, |a, v| a.saturating_add(*v));
    }
    // The lower middle of the positive claims.
    if !positive.is_empty() {
        let mid = (positive.len() - 1) / 2;
        let (_, m, _) = positive.select_nth_unstable(mid);
        x.claim_median = Some(*m);
    }
    // HHI: Σ (claim / total)², in lender order (the same order every run).
    if x.total_claim != Fen::ZERO {
        let total = x.total_claim.get() as f64;
        x.claim_hhi = c
            .iter()
            .map(|v| {
                let s = v.get() as f64 / total;
                s * s
            })
            .sum();
    }
    x
}

/// lenders.parquet: each lender's exposure across platforms, as columns by lender code (16
/// bytes a lender: rows of their own would hold twice that beside the columns they are made
/// from), and the lenders with at least one position in the byte order of their ids.
#[derive(Debug, Clone, Default)]
pub struct LenderExposure {
    /// The lenders with a position, sorted by lender_id: the file's rows.
    pub codes: Vec<LenderCode>,
    /// Platforms with a position of the lender.
    pub platforms: ByCode<LenderCode, u32>,
    /// … of which classed failed.
    pub failed_platforms: ByCode<LenderCode, u32>,
    /// Σ the lender's claims.
    pub total_claim: ByCode<LenderCode, Fen>,
    /// Counted with the columns, and kept when they are freed.
    pub counts: LenderCounts,
}

/// What the console says of the lenders' exposure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LenderCounts {
    /// Lenders with a position.
    pub with_position: u64,
    /// … on two failed platforms or more.
    pub on_several_failed: u64,
}

impl LenderExposure {
    /// Lenders with a position.
    pub fn len(&self) -> usize {
        self.counts.with_position as usize
    }

    pub fn is_empty(&self) -> bool {
        self.counts.with_position == 0
    }

    /// The columns taken out, the counts left: a run writes lenders.parquet from them and
    /// frees them before the payouts' rows fill (20 bytes a lender, 1 GB at national scale).
    pub fn take_columns(&mut self) -> LenderExposure {
        let counts = self.counts;
        std::mem::replace(
            self,
            LenderExposure {
                counts,
                ..LenderExposure::default()
            },
        )
    }
}

/// lenders.parquet: per lender with a position, sorted by lender_id.
pub fn lenders(data: &InputData, claims: &Claims) -> LenderExposure {
    let n = data.lenders.len();
    let mut platforms: ByCode<LenderCode, u32> = ByCode::filled(n, 0);
    let mut failed: ByCode<LenderCode, u32> = ByCode::filled(n, 0);
    let mut total: ByCode<LenderCode, Fen> = ByCode::filled(n, Fen::ZERO);
    let pos = &data.positions;
    for i in 0..pos.len() {
        let l = pos.lender[i];
        platforms[l] += 1;
        if claims.class[pos.platform(i)] == Class::Failed {
            failed[l] += 1;
        }
        total[l] = total[l].saturating_add(claims.claim(pos, i));
    }
    // The lenders with a position, in the byte order of their ids: each placed at its rank.
    let mut by_rank: Vec<Option<LenderCode>> = vec![None; n];
    for (code, &rank) in data.lenders.rank.iter().enumerate() {
        let code = LenderCode::at(code);
        if platforms[code] > 0 {
            by_rank[rank as usize] = Some(code);
        }
    }
    let codes: Vec<LenderCode> = by_rank.into_iter().flatten().collect();
    let counts = LenderCounts {
        with_position: codes.len() as u64,
        on_several_failed: failed.iter().filter(|n| **n >= 2).count() as u64,
    };
    LenderExposure {
        codes,
        platforms,
        failed_platforms: failed,
        total_claim: total,
        counts,
    }
}

/// One row of districts.parquet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictRow {
    /// The lenders' district; None where it is not known.
    pub district: Option<String>,
    pub class: Class,
    /// Distinct lenders with a claim > 0 on a platform of the class.
    pub lenders: i64,
    /// Σ of those claims.
    pub claims: i64,
}

/// districts.parquet: per lender district × platform class, over positions with claim > 0,
/// sorted by district (missing first) then class code.
pub fn districts(data: &InputData, claims: &Claims) -> Vec<DistrictRow> {
    let lenders = &data.lenders;
    let names = lenders.district_names.len();
    // Slot per (district or missing, class).
    let slot = |d: Option<DistrictCode>, c: Class| -> usize {
        d.map_or(names, DistrictCode::index) * 5 + c.index()
    };
    let mut sums = vec![(0i64, 0i64); (names + 1) * 5];
    // Classes each lender has a positive claim in, as bits.
    let mut seen: ByCode<LenderCode, u8> = ByCode::filled(lenders.len(), 0);
    let pos = &data.positions;
    for i in 0..pos.len() {
        let claim = claims.claim(pos, i);
        if claim <= Fen::ZERO {
            continue;
        }
        let l = pos.lender[i];
        let class = claims.class[pos.platform(i)];
        let s = &mut sums[slot(lenders.district[l], class)];
        s.1 = s.1.saturating_add(claim.get());
        let bit = 1u8 << class.index();
        if seen[l] & bit == 0 {
            seen[l] |= bit;
            s.0 += 1;
        }
    }
    let mut rows = Vec::new();
    for d in lenders.district_names.codes().map(Some).chain([None]) {
        for class in Class::ALL {
            let (n, total) = sums[slot(d, class)];
            if n > 0 {
                rows.push(DistrictRow {
                    district: d.map(|d| lenders.district_names[d].clone()),
                    class,
                    lenders: n,
                    claims: total,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        let key = |r: &DistrictRow| (r.district.is_some(), r.district.clone(), r.class.code());
        key(a).cmp(&key(b))
    });
    rows
}

/// The claims checked against the investments (validation.json's `reconciliation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    pub platforms_checked: u64,
    /// Σ outstanding over the platforms, fen.
    pub outstanding_total: i128,
}

/// Σ claims outstanding per platform must equal the investments' outstanding, summed apart
/// while they were read; a mismatch is an internal error.
pub fn reconcile(data: &InputData, exposures: &[(PlatformCode, Fen)]) -> Result<Reconciled> {
    let mut total: i128 = 0;
    for (code, got) in exposures {
        let expected = data.investments[*code].outstanding;
        if *got != expected {
            return Err(Error::Internal(format!(
                "reconciliation failed for platform {}: claims outstanding {} ≠ investments outstanding {}",
                data.platforms.ids[*code],
                got, expected
            )));
        }
        total += got.wide();
    }
    Ok(Reconciled {
        platforms_checked: exposures.len() as u64,
        outstanding_total: total,
    })
}

#[cfg(test)]
mod band_tests {
    use super::BANDS;
    use crate::domain::exports::platforms::BAND_COLUMNS;

    #[test]
    fn each_band_has_its_two_columns_in_platforms_parquet_in_order() {
        for (band, (lenders, claim)) in BANDS.iter().zip(&BAND_COLUMNS) {
            assert_eq!(lenders.name, format!("{}_lenders", band.name));
            assert_eq!(claim.name, format!("{}_claim", band.name));
        }
        assert!(BANDS.windows(2).all(|w| w[0].lower < w[1].lower));
    }
}
