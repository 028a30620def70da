//! Tables as many files (docs/inputs.md, "A table as a folder of parts"): a folder of CSV or
//! Parquet parts, hive-style `key=value` folders whose partitions are read as columns, gives
//! the same exports byte for byte as the same rows in one file; a row that contradicts its
//! folder's partition is rejected naming the part and its line.

use crate::util::{assert_inputs_hashed, rejects, stderr, Workdir};

const EXPORTS: [&str; 8] = [
    "platforms.parquet",
    "claims.parquet",
    "lenders.parquet",
    "districts.parquet",
    "plan.parquet",
    "plan_stages.parquet",
    "payouts.parquet",
    "payout_rounds.parquet",
];

fn ok(o: std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

fn same_exports(w: &Workdir, a: &str, b: &str) {
    for f in EXPORTS {
        let x = std::fs::read(w.path(&format!("{a}/{f}"))).unwrap();
        let y = std::fs::read(w.path(&format!("{b}/{f}"))).unwrap();
        assert!(x == y, "{f} differs between {a} and {b}");
    }
}

/// The sample city's folder, its `tables` copied into `dir` (the others to be given as parts).
fn city_with(w: &Workdir, dir: &str, tables: &[&str]) -> std::path::PathBuf {
    let city = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples/city");
    std::fs::create_dir_all(w.path(dir)).unwrap();
    for t in tables {
        std::fs::copy(
            city.join(format!("{t}.csv")),
            w.path(&format!("{dir}/{t}.csv")),
        )
        .unwrap();
    }
    city
}

#[test]
fn csv_parts_and_hive_folders_give_the_same_bytes_as_one_file() {
    let w = Workdir::new("parts-csv");
    let city = city_with(&w, "parts", &["platforms", "lenders", "recoveries"]);
    // loans: three parts with a header each, named so that their byte order is the file's.
    let loans = std::fs::read_to_string(city.join("loans.csv")).unwrap();
    let mut lines = loans.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let third = rows.len() / 3 + 1;
    for (k, chunk) in rows.chunks(third).enumerate() {
        w.write(
            &format!("parts/loans/part-{k:05}.csv"),
            format!("{header}\n{}\n", chunk.join("\n")),
        );
    }
    // Spark's markers are not parts.
    w.write("parts/loans/_SUCCESS", "");
    w.write("parts/loans/.part-00000.csv.crc", "x");
    // investments: hive folders by platform, the platform_id column only in the path.
    let inv = std::fs::read_to_string(city.join("investments.csv")).unwrap();
    let mut lines = inv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let p = header.iter().position(|h| *h == "platform_id").unwrap();
    let keep = |fields: &[&str]| -> String {
        fields
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != p)
            .map(|(_, f)| *f)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        by.entry(fields[p].to_string())
            .or_default()
            .push(keep(&fields));
    }
    for (platform, rows) in &by {
        w.write(
            &format!("parts/investments/platform_id={platform}/part-0.csv"),
            format!("{}\n{}\n", keep(&header), rows.join("\n")),
        );
    }
    ok(w.run(&["run", city.to_str().unwrap(), "--out", "one"]));
    ok(w.run(&["run", "parts", "--out", "many"]));
    same_exports(&w, "one", "many");
    let v: serde_json::Value = serde_json::from_str(&w.read("many/validation.json")).unwrap();
    assert_eq!(v["tables"]["investments"]["file"], "investments/");
    assert_eq!(v["tables"]["investments"]["read"], 44_264);
    assert_eq!(v["tables"]["loans"]["read"], 16_806);
    // Every part's hash in the manifest.
    let m: serde_json::Value = serde_json::from_str(&w.read("many/manifest.json")).unwrap();
    let parts = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["table"] == "investments")
        .count();
    assert_eq!(parts, by.len());
    assert_inputs_hashed(&w.path("many"), &w.path("parts"));

    // A row whose platform_id contradicts its folder: rejected, naming the part and its line.
    let first = by.keys().next().unwrap().clone();
    let second = by.keys().nth(1).unwrap().clone();
    w.write(
        &format!("parts/investments/platform_id={first}/part-1.csv"),
        "investment_id,platform_id,lender_id,invested_on,amount\nX1,P999,L00001,2019-01-01,100\n"
            .replace("P999", &second),
    );
    ok(w.run(&["validate", "parts", "--out", "v"]));
    let r = rejects(&w.read("v/rejects.csv"));
    assert_eq!(
        r.iter()
            .filter(|r| r[5] != "invalid_bank_account")
            .map(|r| (
                r[1].as_str(),
                r[2].as_str(),
                r[3].as_str(),
                r[4].as_str(),
                r[5].as_str()
            ))
            .collect::<Vec<_>>(),
        [(
            format!("investments/platform_id={first}/part-1.csv").as_str(),
            "2",
            "platform_id",
            second.as_str(),
            "partition_mismatch"
        )]
    );
    // Parts of two formats, or none: the table cannot be read.
    w.write("parts/loans/part-9.parquet", "not parquet");
    let o = w.run(&["validate", "parts"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("mix CSV and Parquet"), "{}", stderr(&o));
}

/// CSV parts are one stream — each part opened, its first batches tokenized, while the one
/// before is checked — yet a part's errors come at its turn: with the middle of three loans
/// parts cut by an unclosed quote and the last one's header lacking a required column, the
/// run stops on the middle part's line; mended, on the last part's header; mended too, it gives
/// the bytes of the one file, its `-v` lines in the parts' order.
#[test]
fn csv_parts_read_as_one_stream_tell_each_parts_error_at_its_turn() {
    let w = Workdir::new("parts-csv-stream");
    let city = city_with(
        &w,
        "parts",
        &["platforms", "lenders", "investments", "recoveries"],
    );
    let loans = std::fs::read_to_string(city.join("loans.csv")).unwrap();
    let mut lines = loans.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let third = rows.len() / 3 + 1;
    let chunks: Vec<&[&str]> = rows.chunks(third).collect();
    assert_eq!(chunks.len(), 3);
    let part = |k: usize, header: &str, rows: &[&str]| {
        w.write(
            &format!("parts/loans/part-{k}.csv"),
            format!("{header}\n{}\n", rows.join("\n")),
        );
    };
    part(0, header, chunks[0]);
    // Line 101 of the middle part opens a quote that never closes.
    let mut cut: Vec<String> = chunks[1].iter().map(|r| r.to_string()).collect();
    cut[99] = format!("\"{}", cut[99]);
    part(
        1,
        header,
        &cut.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    // The last part's header without its first column (loan_id).
    let (_, short) = header.split_once(',').unwrap();
    part(2, short, chunks[2]);

    let fails = |names: &str, not: &str| {
        let o = w.run(&["run", "parts", "--out", "r"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(names), "{err}");
        assert!(!err.contains(not), "{err}");
        assert!(!w.path("r").exists());
        err
    };
    let err = fails("part-1.csv", "part-2.csv");
    assert!(err.contains("line 101"), "{err}");
    part(1, header, chunks[1]);
    let err = fails("part-2.csv", "part-1.csv");
    assert!(err.contains("loan_id"), "{err}");
    part(2, header, chunks[2]);

    let o = w.run(&["run", "parts", "--out", "r", "-v"]);
    ok(o.clone());
    ok(w.run(&["run", city.to_str().unwrap(), "--out", "one"]));
    same_exports(&w, "one", "r");
    let said = stderr(&o);
    let at = |part: &str| said.find(&format!("validate loans/{part}")).expect(part);
    assert!(at("part-0.csv") < at("part-1.csv") && at("part-1.csv") < at("part-2.csv"));
    assert_inputs_hashed(&w.path("r"), &w.path("parts"));
}

/// A small Parquet data set in `one/`, and in `many/` the same with its investments in three
/// parts (`part-0.parquet` …), each written by polars.
fn parquet_in_three_parts(w: &Workdir) {
    use polars::prelude::*;
    ok(w.run(&[
        "generate",
        "--platforms",
        "12",
        "--lenders",
        "3000",
        "--seed",
        "5",
        "--format",
        "parquet",
        "--out",
        "one",
    ]));
    std::fs::create_dir_all(w.path("many/investments")).unwrap();
    for t in ["platforms", "lenders", "loans", "recoveries"] {
        std::fs::copy(
            w.path(&format!("one/{t}.parquet")),
            w.path(&format!("many/{t}.parquet")),
        )
        .unwrap();
    }
    let df = crate::util::read_parquet(w, "one/investments.parquet");
    let n = df.height();
    for (k, (start, len)) in [(0, n / 3), (n / 3, n / 3), (2 * (n / 3), n - 2 * (n / 3))]
        .into_iter()
        .enumerate()
    {
        let mut part = df.slice(start as i64, len);
        let f =
            std::fs::File::create(w.path(&format!("many/investments/part-{k}.parquet"))).unwrap();
        ParquetWriter::new(f).finish(&mut part).unwrap();
    }
}

#[test]
fn parquet_parts_give_the_same_bytes_as_one_file() {
    let w = Workdir::new("parts-parquet");
    parquet_in_three_parts(&w);
    ok(w.run(&["run", "one", "--out", "r-one"]));
    ok(w.run(&["run", "many", "--out", "r-many"]));
    same_exports(&w, "r-one", "r-many");
    // validation.json the same but for the table's name: the parts are one table.
    let one = std::fs::read_to_string(w.path("r-one/validation.json")).unwrap();
    let many = std::fs::read_to_string(w.path("r-many/validation.json")).unwrap();
    assert_eq!(
        one.replace("\"investments.parquet\"", "\"investments/\""),
        many
    );
}

/// The parts are read as one stream, each opened while the last rows of the one before are
/// checked: a damaged part in the middle still stops the run at its turn, naming it, with
/// nothing written; mended, the folder runs.
#[test]
fn a_damaged_parquet_part_in_the_middle_stops_the_run_naming_it() {
    let w = Workdir::new("parts-parquet-damaged");
    parquet_in_three_parts(&w);
    let middle = w.path("many/investments/part-1.parquet");
    let whole = std::fs::read(&middle).unwrap();
    std::fs::write(&middle, &whole[..whole.len() / 2]).unwrap();
    let o = w.run(&["run", "many", "--out", "r-many"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("part-1.parquet"), "{err}");
    assert!(!err.contains("part-2.parquet"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(!w.path("r-many").exists());
    std::fs::write(&middle, &whole).unwrap();
    ok(w.run(&["run", "many", "--out", "r-many"]));
}

/// Rows that repeat earlier investment ids — one of them twice — added after the rows they
/// repeat: read from Parquet parts (the ids found by a first pass over the id column) and
/// from CSV (a set of the ids held while they are read: the 4,418 rows and their repeats are
/// one batch, whose ids do not ascend, so no wager on their order), each is rejected as
/// `duplicate_id` and the exports are byte for byte those of the rows without them.
#[test]
fn repeated_investment_ids_are_rejected_alike_from_parquet_parts_and_from_csv() {
    use polars::prelude::*;
    let w = Workdir::new("parts-repeats");
    for format in ["csv", "parquet"] {
        ok(w.run(&[
            "generate",
            "--platforms",
            "12",
            "--lenders",
            "3000",
            "--seed",
            "5",
            "--format",
            format,
            "--out",
            &format!("one-{format}"),
        ]));
        std::fs::create_dir_all(w.path(&format!("many-{format}/investments"))).unwrap();
        for t in ["platforms", "lenders", "loans", "recoveries"] {
            std::fs::copy(
                w.path(&format!("one-{format}/{t}.{format}")),
                w.path(&format!("many-{format}/{t}.{format}")),
            )
            .unwrap();
        }
    }
    // Parquet: the table, then rows 10–49 again, then rows 0–19 again (10–19 a third time).
    let df = crate::util::read_parquet(&w, "one-parquet/investments.parquet");
    for (k, mut part) in [df.clone(), df.slice(10, 40), df.slice(0, 20)]
        .into_iter()
        .enumerate()
    {
        let path = w.path(&format!("many-parquet/investments/part-{k}.parquet"));
        ParquetWriter::new(std::fs::File::create(path).unwrap())
            .finish(&mut part)
            .unwrap();
    }
    // CSV: the same repeats after the table's rows, in one file.
    let text = w.read("one-csv/investments.csv");
    let lines: Vec<&str> = text.lines().collect();
    let mut repeated = lines.clone();
    repeated.extend_from_slice(&lines[11..51]);
    repeated.extend_from_slice(&lines[1..21]);
    std::fs::remove_dir(w.path("many-csv/investments")).unwrap();
    w.write("many-csv/investments.csv", repeated.join("\n") + "\n");
    for format in ["csv", "parquet"] {
        ok(w.run(&[
            "run",
            &format!("one-{format}"),
            "--out",
            &format!("r-one-{format}"),
        ]));
        ok(w.run(&[
            "run",
            &format!("many-{format}"),
            "--out",
            &format!("r-many-{format}"),
        ]));
        same_exports(&w, &format!("r-one-{format}"), &format!("r-many-{format}"));
        let v: serde_json::Value =
            serde_json::from_str(&w.read(&format!("r-many-{format}/validation.json"))).unwrap();
        let inv = &v["tables"]["investments"];
        assert_eq!(inv["rejected"], 60, "{format}: {inv}");
        assert_eq!(inv["reasons"]["duplicate_id"], 60, "{format}: {inv}");
    }
    // The rejects name the repeating rows: the CSV's lines after the table's, the third part's
    // rows 1–20.
    let investments = |dir: &str| -> Vec<[String; 6]> {
        rejects(&w.read(&format!("{dir}/rejects.csv")))
            .into_iter()
            .filter(|r| r[0] == "investments")
            .collect()
    };
    let csv_rejects = investments("r-many-csv");
    assert_eq!(csv_rejects.len(), 60);
    assert!(csv_rejects
        .iter()
        .all(|r| r[2].parse::<usize>().unwrap() > lines.len()));
    let pq_rejects = investments("r-many-parquet");
    let in_last_part: Vec<&[String; 6]> = pq_rejects
        .iter()
        .filter(|r| r[1].contains("part-2"))
        .collect();
    assert_eq!(in_last_part.len(), 20);
    assert_eq!(in_last_part[0][2], "1");
}

/// A small run keeps everything in memory: with Parquet investments (read twice) and a
/// temporary folder that does not exist, it succeeds — the first pass spills only beyond 64 MB
/// of ids, the lenders' ids are set aside only beyond 256 MB.
#[test]
fn a_small_parquet_run_needs_no_temporary_folder() {
    let w = Workdir::new("parts-tmpdir");
    ok(w.run(&[
        "generate",
        "--platforms",
        "6",
        "--lenders",
        "800",
        "--seed",
        "3",
        "--format",
        "parquet",
        "--out",
        "data",
    ]));
    let missing = w.path("no-such-tmp");
    let o = w.run_env(
        &["run", "data", "--out", "r1"],
        &[("TMPDIR", missing.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(w.path("r1/claims.parquet").exists());
    assert!(!missing.exists());
}
