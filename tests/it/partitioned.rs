//! `--partition-by district`: the large exports as hive-partitioned folders holding exactly the
//! rows of the single files, which winddown's own readers (statement, ledger, query) and other
//! engines read back as one table.

use crate::util::{fen, read_parquet, stderr, texts, Workdir};

fn city() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/city")
        .to_string_lossy()
        .into_owned()
}

/// The rows of every part of `folder`, each row as text, sorted (a multiset to compare).
fn rows_of_parts(w: &Workdir, folder: &str, key: &str) -> Vec<String> {
    let mut rows = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(w.path(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let value = name.strip_prefix(&format!("{key}=")).unwrap().to_string();
        let part = dir.join("part-00000.parquet");
        let rel = part
            .strip_prefix(&w.dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let df = read_parquet(w, &rel);
        assert!(
            df.column(key).is_err(),
            "{rel}: the partition's column is in the folder's name, not in the file"
        );
        let (ids, platforms, claims) = (
            texts(&df, "lender_id"),
            texts(&df, "platform_id"),
            fen(&df, "claim"),
        );
        for i in 0..df.height() {
            rows.push(format!("{value}|{}|{}|{}", platforms[i], ids[i], claims[i]));
        }
    }
    rows.sort();
    rows
}

/// Each platform's district (属地), from the platforms.parquet of the run in `folder`.
fn platform_districts(w: &Workdir, folder: &str) -> std::collections::HashMap<String, String> {
    let platforms = read_parquet(w, &format!("{folder}/platforms.parquet"));
    texts(&platforms, "platform_id")
        .into_iter()
        .zip(texts(&platforms, "district"))
        .collect()
}

#[test]
fn partitioned_exports_hold_the_same_rows_and_read_back_as_one_table() {
    let w = Workdir::new("partitioned");
    let c = city();
    let o = w.run(&["run", &c, "--out", "one"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run(&["run", &c, "--out", "parts", "--partition-by", "district"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for single in ["claims.parquet", "payouts.parquet", "lenders.parquet"] {
        assert!(!w.path(&format!("parts/{single}")).exists(), "{single}");
    }
    // Claims: every row of the single file, in the folder of its platform's district.
    let one = read_parquet(&w, "one/claims.parquet");
    let district = platform_districts(&w, "one");
    let (ids, pids, claims) = (
        texts(&one, "lender_id"),
        texts(&one, "platform_id"),
        fen(&one, "claim"),
    );
    let mut expected: Vec<String> = (0..one.height())
        .map(|i| {
            format!(
                "{}|{}|{}|{}",
                district[&pids[i]], pids[i], ids[i], claims[i]
            )
        })
        .collect();
    expected.sort();
    assert_eq!(rows_of_parts(&w, "parts/claims", "district"), expected);
    assert_eq!(expected.len(), 35_284);
    // Payouts likewise (their rows per round).
    let one = read_parquet(&w, "one/payouts.parquet");
    let total: i64 = fen(&one, "claim").iter().sum();
    let parts = rows_of_parts(&w, "parts/payouts", "district");
    assert_eq!(parts.len(), one.height());
    let parts_total: i64 = parts
        .iter()
        .map(|r| r.rsplit('|').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(parts_total, total);

    // The manifest lists every part with its rows; the folder is recognised as winddown's.
    let m: serde_json::Value = serde_json::from_str(&w.read("parts/manifest.json")).unwrap();
    let files = m["files"].as_array().unwrap();
    let claim_rows: u64 = files
        .iter()
        .filter(|f| f["file"].as_str().unwrap().starts_with("claims/district="))
        .map(|f| f["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(claim_rows, 35_284);
    let o = w.run(&["run", &c, "--out", "parts", "--partition-by", "district"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "replacing its own folder: {}",
        stderr(&o)
    );
    // A file of someone else's inside a partition folder is not replaced without --force.
    w.write("parts/claims/district=华容区/notes.txt", "mine");
    let o = w.run(&["run", &c, "--out", "parts", "--partition-by", "district"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.txt"), "{}", stderr(&o));
    std::fs::remove_file(w.path("parts/claims/district=华容区/notes.txt")).unwrap();

    // winddown's own readers: the help line's statement, the SQL, the next round's ledger.
    let a = w.run(&["statement", "one", "--lender", "L00564"]);
    let b = w.run(&["statement", "parts", "--lender", "L00564"]);
    assert_eq!(a.stdout, b.stdout);
    assert!(String::from_utf8_lossy(&a.stdout).contains("11,825.00"));
    let sql = |dir: &str, q: &str| {
        let o = w.run(&["query", dir, q, "--format", "csv"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    assert_eq!(
        sql(
            "one",
            "SELECT p.district, count(*) AS n, sum(c.claim) AS s FROM claims c JOIN platforms p ON c.platform_id = p.platform_id GROUP BY p.district ORDER BY p.district"
        ),
        sql(
            "parts",
            "SELECT district, count(*) AS n, sum(claim) AS s FROM claims GROUP BY district ORDER BY district"
        )
    );
    for (out, ledger) in [("next-one", "one"), ("next-parts", "parts")] {
        let o = w.run(&[
            "run",
            &c,
            "--as-of",
            "2019-07-31",
            "--ledger",
            ledger,
            "--out",
            out,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(
        std::fs::read(w.path("next-one/payouts.parquet")).unwrap(),
        std::fs::read(w.path("next-parts/payouts.parquet")).unwrap(),
        "a round on a partitioned ledger is the round on the single file"
    );
}

/// With row groups of 1,000 rows, a part's rows are the single file's rows of its district in
/// the same order, cut into row groups of 1,000 with the rest in the last — as one file of
/// those rows would be, however many runs of platforms the part gathers.
#[test]
fn a_parts_rows_keep_their_order_and_row_groups_across_its_platforms() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let w = Workdir::new("partitioned-groups");
    let c = city();
    let small = [("WINDDOWN_ROW_GROUP_ROWS", "1000")];
    let o = w.run_env(&["run", &c, "--out", "one"], &small);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = w.run_env(
        &["run", &c, "--out", "parts", "--partition-by", "district"],
        &small,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let one = read_parquet(&w, "one/claims.parquet");
    let district = platform_districts(&w, "one");
    let (ids, pids) = (texts(&one, "lender_id"), texts(&one, "platform_id"));
    let mut largest = 0;
    let mut seen = 0;
    for entry in std::fs::read_dir(w.path("parts/claims")).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let value = name.strip_prefix("district=").unwrap().to_string();
        let rel = format!("parts/claims/{name}/part-00000.parquet");
        let part = read_parquet(&w, &rel);
        let got: Vec<(String, String)> = texts(&part, "platform_id")
            .into_iter()
            .zip(texts(&part, "lender_id"))
            .collect();
        let want: Vec<(String, String)> = (0..one.height())
            .filter(|&i| district[&pids[i]] == value)
            .map(|i| (pids[i].clone(), ids[i].clone()))
            .collect();
        assert_eq!(got, want, "{rel}");
        let file = std::fs::File::open(w.path(&rel)).unwrap();
        let meta = SerializedFileReader::new(file).unwrap().metadata().clone();
        let groups: Vec<i64> = meta.row_groups().iter().map(|g| g.num_rows()).collect();
        let n = want.len() as i64;
        let mut expected = vec![1000; (n / 1000) as usize];
        if n % 1000 > 0 {
            expected.push(n % 1000);
        }
        assert_eq!(groups, expected, "{rel}");
        largest = largest.max(n);
        seen += n;
    }
    assert_eq!(seen, one.height() as i64);
    assert!(
        largest > 2_000,
        "a part spans several row groups: {largest}"
    );
}
