//! The five classes of the 2018 national tree (整治办函〔2018〕175号) and the subclasses of a
//! failed platform, with their codes and Chinese names.

/// The five classes, least to most severe as the exit plan ranks them is a separate matter;
/// this is the order of the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Failed,
    Zombie,
    Small,
    HighRisk,
    Normal,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Failed,
        Class::Zombie,
        Class::Small,
        Class::HighRisk,
        Class::Normal,
    ];

    /// The order every table, chart and document shows the classes in: the work plan's
    /// (整治办函〔2018〕175号) — 已出险, 高风险, 僵尸类, 规模较小, 正常.
    pub const WORK_PLAN: [Class; 5] = [
        Class::Failed,
        Class::HighRisk,
        Class::Zombie,
        Class::Small,
        Class::Normal,
    ];

    /// The class of a code (`failed`, `high_risk`, …).
    pub fn of_code(code: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Position in [`Class::WORK_PLAN`]: how documents sort classes (unknown codes last).
    pub fn shown_rank(code: &str) -> usize {
        Class::of_code(code)
            .and_then(|c| Class::WORK_PLAN.iter().position(|w| *w == c))
            .unwrap_or(Class::WORK_PLAN.len())
    }

    /// Position in [`Class::ALL`] (per-class settings in the config are indexed by it).
    pub fn index(self) -> usize {
        match self {
            Class::Failed => 0,
            Class::Zombie => 1,
            Class::Small => 2,
            Class::HighRisk => 3,
            Class::Normal => 4,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Class::Failed => "failed",
            Class::Zombie => "zombie",
            Class::Small => "small",
            Class::HighRisk => "high_risk",
            Class::Normal => "normal",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Class::Failed => "已出险",
            Class::Zombie => "僵尸类",
            Class::Small => "规模较小",
            Class::HighRisk => "高风险",
            Class::Normal => "正常",
        }
    }

    /// Severity for the monotonicity property: normal 0 (least) … failed 4 (most).
    pub fn severity(self) -> u8 {
        match self {
            Class::Normal => 0,
            Class::Small => 1,
            Class::Zombie => 2,
            Class::HighRisk => 3,
            Class::Failed => 4,
        }
    }
}

/// How a failed platform failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subclass {
    /// 已立案: a police case is open.
    Filed,
    /// 恶性退出: not cooperating with the authorities.
    Hostile,
    /// 主动清退: cooperating.
    Voluntary,
}

impl Subclass {
    pub fn code(self) -> &'static str {
        match self {
            Subclass::Filed => "filed",
            Subclass::Hostile => "hostile",
            Subclass::Voluntary => "voluntary",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Subclass::Filed => "已立案",
            Subclass::Hostile => "恶性退出",
            Subclass::Voluntary => "主动清退",
        }
    }
}
