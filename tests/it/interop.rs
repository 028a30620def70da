//! Every Parquet export read by an independent reader (the arrow-rs `parquet` crate): row
//! counts as in the manifest, money as DECIMAL(18,2), dates as DATE, text as STRING, ratios as
//! DOUBLE, nested columns as lists.

use parquet::basic::{ConvertedType, LogicalType, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};

use crate::util::{stderr, Workdir};

/// (file, column, expected kind) for the columns the contract types.
const TYPED: &[(&str, &str, &str)] = &[
    ("platforms.parquet", "platform_id", "string"),
    ("platforms.parquet", "lender_outstanding", "money"),
    ("platforms.parquet", "expected_recovery", "money"),
    ("platforms.parquet", "claim_median", "money"),
    ("platforms.parquet", "overdue_90_ratio", "ratio"),
    ("platforms.parquet", "last_new_loan_on", "date"),
    ("claims.parquet", "claim", "money"),
    ("claims.parquet", "status", "string"),
    ("lenders.parquet", "total_claim", "money"),
    ("districts.parquet", "claims", "money"),
    ("plan.parquet", "start_on", "date"),
    ("plan.parquet", "complete_by", "date"),
    ("plan_stages.parquet", "ends_on", "date"),
    ("plan_stages.parquet", "outstanding_remaining", "money"),
    ("plan_stages.parquet", "lenders_remaining_pct", "ratio"),
    ("payouts.parquet", "paid", "money"),
    ("payouts.parquet", "cumulative_ratio", "ratio"),
    ("payout_rounds.parquet", "pool", "money"),
    ("payout_rounds.parquet", "level", "ratio"),
];

#[test]
fn an_independent_reader_sees_the_contract_types() {
    let w = Workdir::new("interop");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let o = w.run(&["run", city.to_str().unwrap(), "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest: serde_json::Value = serde_json::from_str(&w.read("out/manifest.json")).unwrap();
    for f in manifest["files"].as_array().unwrap() {
        let name = f["file"].as_str().unwrap();
        if !name.ends_with(".parquet") {
            continue;
        }
        let reader =
            SerializedFileReader::new(std::fs::File::open(w.path(&format!("out/{name}"))).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        let rows = reader.metadata().file_metadata().num_rows();
        assert_eq!(rows as u64, f["rows"].as_u64().unwrap(), "{name} rows");
    }
    for (file, column, kind) in TYPED {
        let reader =
            SerializedFileReader::new(std::fs::File::open(w.path(&format!("out/{file}"))).unwrap())
                .unwrap();
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let col = schema
            .columns()
            .iter()
            .find(|c| c.path().parts()[0] == *column)
            .unwrap_or_else(|| panic!("{file} has no column {column}"));
        let (physical, logical, converted) = (
            col.physical_type(),
            col.logical_type_ref().cloned(),
            col.converted_type(),
        );
        match *kind {
            "money" => {
                assert!(
                    matches!(logical, Some(LogicalType::Decimal(_))),
                    "{file}.{column}: {logical:?}"
                );
                assert_eq!(
                    (col.type_precision(), col.type_scale()),
                    (18, 2),
                    "{file}.{column}"
                );
                assert!(
                    matches!(physical, Physical::INT64 | Physical::FIXED_LEN_BYTE_ARRAY),
                    "{file}.{column}: {physical:?}"
                );
            }
            "date" => {
                assert_eq!(logical, Some(LogicalType::Date), "{file}.{column}");
                assert_eq!(physical, Physical::INT32);
            }
            "string" => {
                assert!(
                    logical == Some(LogicalType::String) || converted == ConvertedType::UTF8,
                    "{file}.{column}"
                );
            }
            "ratio" => assert_eq!(physical, Physical::DOUBLE, "{file}.{column}"),
            _ => unreachable!(),
        }
    }
    // lender_id, unique or nearly in each file that has it, is written plain with a bloom
    // filter (a dictionary would only be given up a megabyte into each row group); the
    // platform_id beside it, a few values repeated, keeps its dictionary.
    for file in ["claims.parquet", "payouts.parquet", "lenders.parquet"] {
        let reader =
            SerializedFileReader::new(std::fs::File::open(w.path(&format!("out/{file}"))).unwrap())
                .unwrap();
        let group = reader.metadata().row_group(0);
        let chunk = |name: &str| {
            group
                .columns()
                .iter()
                .find(|c| c.column_path().string() == name)
                .unwrap_or_else(|| panic!("{file} has no {name}"))
        };
        let lender = chunk("lender_id");
        assert!(lender.dictionary_page_offset().is_none(), "{file}");
        // Amounts, nearly all distinct, are written plain too.
        let amount = if file == "payouts.parquet" {
            "paid"
        } else if file == "claims.parquet" {
            "invested"
        } else {
            "total_claim"
        };
        assert!(
            chunk(amount).dictionary_page_offset().is_none(),
            "{file}.{amount}"
        );
        assert!(lender.bloom_filter_offset().is_some(), "{file}");
        if file != "lenders.parquet" {
            assert!(
                chunk("platform_id").dictionary_page_offset().is_some(),
                "{file}"
            );
        }
    }
    // Nested columns are lists: reasons of struct, steps of struct.
    let reader =
        SerializedFileReader::new(std::fs::File::open(w.path("out/platforms.parquet")).unwrap())
            .unwrap();
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let reasons: Vec<String> = schema
        .columns()
        .iter()
        .filter(|c| c.path().parts()[0] == "reasons")
        .map(|c| c.path().string())
        .collect();
    assert!(
        reasons.iter().any(|p| p.ends_with("rule")) && reasons.iter().any(|p| p.ends_with("fired")),
        "{reasons:?}"
    );
}
