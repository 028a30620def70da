//! docs/columns.md is every Parquet export's columns as the files themselves describe them (the
//! Arrow field metadata written from each export's contract in src/domain/exports/): this test runs every command
//! that writes an export on the sample city (and a returns table), reads each file's schema,
//! and fails when the document differs or a column has no description. Regenerate the page
//! after changing an export with `WINDDOWN_WRITE_DOCS=1 cargo test --test it columns_doc`.

use std::fmt::Write;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::util::{stderr, Workdir};

/// The exports, in the order the page lists them, with the folder that holds each.
const FILES: [(&str, &str); 19] = [
    ("run", "platforms.parquet"),
    ("run", "claims.parquet"),
    ("run", "lenders.parquet"),
    ("run", "districts.parquet"),
    ("run", "plan.parquet"),
    ("run", "plan_stages.parquet"),
    ("run", "payouts.parquet"),
    ("run", "payout_rounds.parquet"),
    ("returns", "returned_transfers.parquet"),
    ("compare", "rule_compare.parquet"),
    ("compare", "rule_lenders.parquet"),
    ("vote", "vote_platforms.parquet"),
    ("vote", "vote_lenders.parquet"),
    ("case", "case_participants.parquet"),
    ("case", "case_clawbacks.parquet"),
    ("case", "case_waterfall.parquet"),
    ("case", "case_rounds.parquet"),
    ("case", "case_payouts.parquet"),
    ("case", "case_docket.parquet"),
];

fn ok(o: std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// The Arrow type as the page says it.
fn type_name(t: &arrow_schema::DataType) -> String {
    use arrow_schema::DataType::*;
    match t {
        Utf8 | LargeUtf8 | Utf8View => "text".into(),
        Int64 | Int32 => "integer".into(),
        Float64 => "float".into(),
        Boolean => "bool".into(),
        Date32 => "date".into(),
        Decimal128(p, s) => format!("decimal({p},{s})"),
        List(f) | LargeList(f) => format!("list of {}", type_name(f.data_type())),
        Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{} {}", f.name(), type_name(f.data_type())))
                .collect();
            format!("struct ({})", inner.join(", "))
        }
        other => format!("{other}"),
    }
}

#[test]
fn docs_list_every_export_column_as_the_files_describe_it() {
    let w = Workdir::new("columns-doc");
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    let city = city.to_str().unwrap();
    ok(w.run(&["run", city, "--out", "run"]));
    ok(w.run(&["compare", city, "--out", "compare"]));
    ok(w.run(&["vote", city, "--scheme", "pro", "--out", "vote"]));
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/cases");
    let cases = cases.to_str().unwrap();
    ok(w.run(&["case", cases, "--as-of", "2021-06-30", "--out", "case1"]));
    ok(w.run(&["case", cases, "--ledger", "case1", "--out", "case"]));
    // A returned transfer, for returned_transfers.parquet: the first payout of the city.
    std::fs::create_dir_all(w.path("data")).unwrap();
    for t in ["platforms", "lenders", "investments", "loans", "recoveries"] {
        std::fs::copy(format!("{city}/{t}.csv"), w.path(&format!("data/{t}.csv"))).unwrap();
    }
    let p = crate::util::read_parquet(&w, "run/payouts.parquet");
    let (pl, le) = (
        crate::util::texts(&p, "platform_id"),
        crate::util::texts(&p, "lender_id"),
    );
    let paid = crate::util::fen(&p, "paid");
    let round = p.column("round").unwrap().i64().unwrap().get(0).unwrap();
    let k = (0..p.height()).find(|&k| paid[k] > 0).unwrap();
    w.write(
        "data/returns.csv",
        format!(
            "platform_id,round,lender_id,amount,returned_on\n{},{round},{},0.01,2019-07-01\n",
            pl[k], le[k]
        ),
    );
    ok(w.run(&["payout", "data", "--ledger", "run", "--out", "returns"]));

    let mut page = String::from(
        "# Export columns, file by file\n\n\
         Generated from the files themselves: every column of every Parquet export with its type, \
         unit and description as its Arrow field metadata carries them (`description`, \
         `description_zh`, `unit`), which the writers take from each export's contract \
         (`src/domain/exports/`, one file per export). A test (`tests/it/columns_doc.rs`) fails \
         when this page, the files and the contracts differ; [outputs.md](outputs.md) says what \
         each file is for.\n",
    );
    let mut undescribed = Vec::new();
    let listed: Vec<&str> = FILES.iter().map(|(_, f)| *f).collect();
    let contracts: Vec<&str> = winddown::domain::exports::ALL
        .iter()
        .map(|e| e.file)
        .collect();
    assert_eq!(
        listed, contracts,
        "every export with a contract is on the page"
    );
    for (folder, file) in FILES {
        let f = std::fs::File::open(w.path(&format!("{folder}/{file}"))).unwrap();
        let schema = ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .schema()
            .clone();
        let _ = write!(
            page,
            "\n## `{file}`\n\n| column | type | unit | 说明 | description |\n|---|---|---|---|---|\n"
        );
        // The file is its contract: the same columns, in order, with the same meaning.
        let contract = winddown::domain::exports::ALL
            .iter()
            .find(|e| e.file == file)
            .unwrap_or_else(|| panic!("{file} has no contract in src/domain/exports"));
        let written: Vec<(&str, &str, &str, &str)> = schema
            .fields()
            .iter()
            .map(|f| {
                let m = f.metadata();
                (
                    f.name().as_str(),
                    m["description_zh"].as_str(),
                    m["description"].as_str(),
                    m["unit"].as_str(),
                )
            })
            .collect();
        let promised: Vec<(&str, &str, &str, &str)> = contract
            .columns
            .iter()
            .map(|f| (f.name, f.zh, f.en, f.unit))
            .collect();
        assert_eq!(written, promised, "{file} differs from its contract");
        for field in schema.fields() {
            let m = field.metadata();
            let get = |k: &str| m.get(k).map(String::as_str).unwrap_or("");
            if get("description").is_empty() || get("description_zh").is_empty() {
                undescribed.push(format!("{file} {}", field.name()));
            }
            let cell = |s: &str| s.replace('|', "\\|");
            let _ = writeln!(
                page,
                "| `{}` | {} | {} | {} | {} |",
                field.name(),
                type_name(field.data_type()),
                cell(get("unit")),
                cell(get("description_zh")),
                cell(get("description"))
            );
        }
    }
    assert!(
        undescribed.is_empty(),
        "columns without a description: {undescribed:?}"
    );
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/columns.md");
    if std::env::var_os("WINDDOWN_WRITE_DOCS").is_some() {
        std::fs::write(&doc, &page).unwrap();
    }
    let written = std::fs::read_to_string(&doc).unwrap_or_default();
    assert!(
        written == page,
        "docs/columns.md differs from the exports' own descriptions; regenerate it with \
         WINDDOWN_WRITE_DOCS=1 cargo test --test it columns_doc"
    );
}
