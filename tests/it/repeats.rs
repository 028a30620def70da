//! Investments read once when their ids ascend (docs/inputs.md, "Rejects: nothing silently
//! lost", on repeated investment ids): a large table's lost wager falls back to a first pass, a
//! smaller text table's to a set of the ids seen; the same rejects, exports and input hashes
//! either way, whether the order holds to the end, breaks after the first batch, or breaks at
//! once.

use crate::util::{assert_inputs_hashed, rejects, stderr, Workdir};

/// A text table read the way a large one is (the first pass's threshold at zero).
const LARGE: [(&str, &str); 1] = [("WINDDOWN_TEXT_FIRST_PASS_BYTES", "0")];

const EXPORTS: [&str; 4] = [
    "claims.parquet",
    "lenders.parquet",
    "platforms.parquet",
    "payouts.parquet",
];

/// Run `data` as a large table and as a small one: both succeed, with the same rejects,
/// validation report and exports, every input's hash in the manifest true. The large and the
/// small run's `-v` lines.
fn large_and_small_agree(w: &Workdir, data: &str) -> (String, String) {
    let large = w.run_env(&["run", data, "--out", "large", "-v"], &LARGE);
    assert_eq!(large.status.code(), Some(0), "{}", stderr(&large));
    let small = w.run(&["run", data, "--out", "small", "-v"]);
    assert_eq!(small.status.code(), Some(0), "{}", stderr(&small));
    assert_eq!(
        rejects(&w.read("large/rejects.csv")),
        rejects(&w.read("small/rejects.csv"))
    );
    assert_eq!(
        w.read("large/validation.json"),
        w.read("small/validation.json")
    );
    for f in EXPORTS {
        let a = std::fs::read(w.path(&format!("large/{f}"))).unwrap();
        let b = std::fs::read(w.path(&format!("small/{f}"))).unwrap();
        assert!(a == b, "{f} differs");
    }
    assert_inputs_hashed(&w.path("large"), &w.path(data));
    assert_inputs_hashed(&w.path("small"), &w.path(data));
    let said = (stderr(&large), stderr(&small));
    std::fs::remove_dir_all(w.path("large")).unwrap();
    std::fs::remove_dir_all(w.path("small")).unwrap();
    said
}

/// How many times the `-v` lines say the investments were validated (twice after a lost wager).
fn investment_reads(said: &str) -> usize {
    said.matches("validate investments.csv").count()
}

/// The investments' rejects: (line, column, reason).
fn investment_rejects(w: &Workdir) -> Vec<(String, String, String)> {
    let o = w.run(&["validate", "data", "--out", "checked"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let all = rejects(&w.read("checked/rejects.csv"));
    std::fs::remove_dir_all(w.path("checked")).unwrap();
    all.into_iter()
        .filter(|r| r[0] == "investments")
        .map(|r| (r[2].clone(), r[3].clone(), r[5].clone()))
        .collect()
}

#[test]
fn ascending_ids_are_read_once_and_a_broken_order_falls_back_to_a_first_pass_or_a_set() {
    let w = Workdir::new("ascending");
    let o = w.run(&[
        "generate",
        "--platforms",
        "12",
        "--lenders",
        "30000",
        "--seed",
        "5",
        "--format",
        "csv",
        "--out",
        "data",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = w.read("data/investments.csv");
    let mut rows: Vec<String> = text.lines().map(str::to_string).collect();
    let header = rows.remove(0);
    // More rows than a batch of text (32,768): the order can break after the first.
    assert!(rows.len() > 40_000, "{} rows", rows.len());
    // Row 7's amount refused: a reject that breaks no order.
    let mut fields: Vec<&str> = rows[7].split(',').collect();
    fields[5] = "1x";
    rows[7] = fields.join(",");
    let write = |rows: &[String]| {
        let mut text = header.clone() + "\n";
        for r in rows {
            text += r;
            text += "\n";
        }
        w.write("data/investments.csv", text);
    };

    // In the order generated: read once, no first pass, no set — large or small.
    write(&rows);
    let (said, small) = large_and_small_agree(&w, "data");
    assert!(!said.contains("repeated investment ids"), "{said}");
    assert_eq!((investment_reads(&said), investment_reads(&small)), (1, 1));
    assert_eq!(
        investment_rejects(&w),
        vec![(
            "9".to_string(),
            "amount".to_string(),
            "bad_money".to_string()
        )]
    );

    // Three earlier ids again after 40,000 rows: the read stops there, is taken back, and the
    // first pass finds them (lines 40,002–40,004: the header is line 1) — or, small, the
    // second read's set.
    let mut late = rows[..40_000].to_vec();
    late.extend([rows[5].clone(), rows[100].clone(), rows[39_000].clone()]);
    late.extend_from_slice(&rows[40_000..]);
    write(&late);
    let (said, small) = large_and_small_agree(&w, "data");
    assert!(said.contains("repeated investment ids"), "{said}");
    assert!(!small.contains("repeated investment ids"), "{small}");
    assert_eq!((investment_reads(&said), investment_reads(&small)), (2, 2));
    let want = |lines: &[u64]| {
        let mut want = vec![(
            "9".to_string(),
            "amount".to_string(),
            "bad_money".to_string(),
        )];
        want.extend(lines.iter().map(|l| {
            (
                l.to_string(),
                "investment_id".to_string(),
                "duplicate_id".to_string(),
            )
        }));
        want
    };
    assert_eq!(investment_rejects(&w), want(&[40_002, 40_003, 40_004]));

    // The first two rows swapped: no wager (the first batch's ids do not ascend), the first
    // pass beside the lenders as before, or the set; no repeat.
    let mut early = rows.clone();
    early.swap(0, 1);
    write(&early);
    let (said, small) = large_and_small_agree(&w, "data");
    assert!(said.contains("repeated investment ids"), "{said}");
    assert_eq!((investment_reads(&said), investment_reads(&small)), (1, 1));
    assert_eq!(investment_rejects(&w), want(&[]));
}
