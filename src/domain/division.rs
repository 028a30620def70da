//! The division rules by name: how a payout round's pool is divided among the lenders in it
//! (docs/payouts.md). The names are the vocabulary of the config's `[recovery] rule`, the
//! command line's `--rule` and the manifest; the arithmetic of each is in `payout::division`.

/// How a round's pool is divided (`--rule`; docs/payouts.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Division {
    /// Equalising pro rata (the default).
    #[default]
    Pro,
    /// The first T fen of every claim are senior, then equalising pro rata.
    SmallFirst(i64),
    /// Constrained equal awards on what is still owed.
    Cea,
    /// Constrained equal losses on what is still owed.
    Cel,
    /// The Talmud rule on the claims, for everything paid so far plus the pool.
    Talmud,
    /// Adjusted proportional, likewise cumulative.
    Apro,
    /// Rising tide (SEC v. Huber): everyone raised to the same share of the gross invested,
    /// counting what each already withdrew as paid.
    RisingTide,
}

impl Division {
    /// `pro`, `small-first:T` (T in yuan), `cea`, `cel`, `talmud`, `apro`, `rising-tide`.
    pub fn parse(text: &str) -> std::result::Result<Division, String> {
        let t = text.trim();
        if let Some(rest) = t.strip_prefix("small-first:") {
            return match crate::domain::money::parse_fen(rest.trim()) {
                Some(f) if f > 0 => Ok(Division::SmallFirst(f)),
                _ => Err(format!(
                    "{rest:?} is not a positive yuan amount for small-first"
                )),
            };
        }
        Ok(match t {
            "pro" => Division::Pro,
            "cea" => Division::Cea,
            "cel" => Division::Cel,
            "talmud" => Division::Talmud,
            "apro" => Division::Apro,
            "rising-tide" => Division::RisingTide,
            other => {
                return Err(format!(
                "{other:?} is not a rule (pro, small-first:T, cea, cel, talmud, apro, rising-tide)"
            ))
            }
        })
    }

    /// The name `parse` reads back: `small-first:10000.00`.
    pub fn name(&self) -> String {
        match self {
            Division::Pro => "pro".into(),
            Division::SmallFirst(t) => {
                format!("small-first:{}", crate::domain::money::format_fen(*t))
            }
            Division::Cea => "cea".into(),
            Division::Cel => "cel".into(),
            Division::Talmud => "talmud".into(),
            Division::Apro => "apro".into(),
            Division::RisingTide => "rising-tide".into(),
        }
    }
}
