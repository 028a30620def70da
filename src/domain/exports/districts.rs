//! districts.parquet: lenders and claims per district × class.

use super::{Export, Field, Kind};

pub const DISTRICT: Field = Field::new(
    "district",
    Kind::Text,
    "出借人属地",
    "the lenders' district (null where unknown)",
);
pub const LENDERS: Field = Field::new(
    "lenders",
    Kind::Int,
    "有债权的出借人数（去重）",
    "distinct lenders with claim > 0 on platforms of the class",
);
pub const CLAIMS: Field = Field::new("claims", Kind::Money, "债权额合计", "Σ claims > 0");

/// The file, its sort keys and its columns in order.
pub const EXPORT: Export = Export {
    file: "districts.parquet",
    sorted_by: &["district", "class"],
    columns: &[DISTRICT, super::CLASS, super::CLASS_ZH, LENDERS, CLAIMS],
};
