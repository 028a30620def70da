//! lenders.parquet: lenders with a position, across platforms.

use super::{Export, Field, Kind};

pub const DISTRICT: Field = Field::new(
    "district",
    Kind::Text,
    "出借人属地",
    "where the lender lives",
);
pub const PLATFORMS: Field = Field::new(
    "platforms",
    Kind::Int,
    "有出借记录的平台数",
    "platforms where the lender has a position",
);
pub const FAILED_PLATFORMS: Field = Field::new(
    "failed_platforms",
    Kind::Int,
    "其中已出险平台数",
    "failed platforms among them",
);
pub const TOTAL_CLAIM: Field = Field::new(
    "total_claim",
    Kind::Money,
    "债权合计（各平台）",
    "Σ claim over the lender's platforms, every status",
);

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "lenders.parquet",
    sorted_by: &["lender_id"],
    columns: &[
        super::LENDER_ID,
        DISTRICT,
        PLATFORMS,
        FAILED_PLATFORMS,
        TOTAL_CLAIM,
    ],
};
