//! `run --xlsx`: winddown.xlsx read back sheet by sheet (calamine) and compared with the
//! Parquet exports; ids are text, dates are dates, no personal data, the same bytes twice.

use crate::util::{stderr, Workdir};
use calamine::{open_workbook, Data, Reader, Xlsx};

fn city() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data-samples/city")
        .to_string_lossy()
        .into_owned()
}

use crate::util::{fen, read_parquet as parquet, texts};

fn cell_text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => panic!("not a text cell: {other:?}"),
    }
}

#[test]
fn the_workbook_reads_back_as_the_parquet_exports() {
    let w = Workdir::new("workbook");
    let o = w.run(&[
        "run",
        &city(),
        "--xlsx",
        "--deadline",
        "2020-12-31",
        "--out",
        "r",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut book: Xlsx<_> = open_workbook(w.path("r/winddown.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "汇总",
            "已出险",
            "高风险",
            "僵尸类",
            "规模较小",
            "正常",
            "三降阶段",
            "一企一策",
            "兑付轮次",
            "拒收记录"
        ]
    );
    let platforms = parquet(&w, "r/platforms.parquet");
    let ids = texts(&platforms, "platform_id");
    let classes = texts(&platforms, "class_zh");
    let outstanding = fen(&platforms, "lender_outstanding");

    // 汇总: one row per class in the contract's order, then the total; counts add up.
    let summary = book.worksheet_range("汇总").unwrap();
    let rows: Vec<&[Data]> = summary.rows().collect();
    assert_eq!(cell_text(&rows[0][0]), "类别");
    let zh = ["已出险", "高风险", "僵尸类", "规模较小", "正常"];
    for (i, class) in zh.iter().enumerate() {
        assert_eq!(cell_text(&rows[i + 1][0]), *class);
        let n = classes.iter().filter(|c| c == class).count();
        assert_eq!(rows[i + 1][1], Data::Float(n as f64), "{class}");
    }
    assert_eq!(cell_text(&rows[6][0]), "合计");
    assert_eq!(rows[6][1], Data::Float(ids.len() as f64));
    // 出借余额 in 万元: Σ fen / 10⁶.
    let total: i64 = outstanding.iter().sum();
    match &rows[6][2] {
        Data::Float(v) => assert!((v * 1e6 - total as f64).abs() < 1.0, "{v} vs {total}"),
        other => panic!("{other:?}"),
    }
    let all_text: Vec<String> = summary
        .rows()
        .flatten()
        .filter_map(|d| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(all_text.iter().any(|s| s == "完成期限"), "{all_text:?}");

    // One sheet per class: every platform of the class once, id as text, money to the fen.
    let mut seen = 0;
    for class in zh {
        let sheet = book.worksheet_range(class).unwrap();
        let mut rows = sheet.rows();
        let header = rows.next().unwrap();
        assert_eq!(cell_text(&header[0]), "平台编号");
        assert_eq!(cell_text(&header[4]), "出借余额（元）");
        for row in rows {
            let id = cell_text(&row[0]);
            let i = ids
                .iter()
                .position(|x| *x == id)
                .expect("a platform of the export");
            assert_eq!(classes[i], class);
            match &row[4] {
                Data::Float(v) => assert_eq!((v * 100.0).round() as i64, outstanding[i], "{id}"),
                other => panic!("{other:?}"),
            }
            // The class reasons in Chinese.
            assert!(!cell_text(&row[14]).is_empty());
            seen += 1;
        }
    }
    assert_eq!(seen, ids.len());

    // 三降阶段: one row per stage, dates as dates.
    let stages = parquet(&w, "r/plan_stages.parquet");
    let sheet = book.worksheet_range("三降阶段").unwrap();
    assert_eq!(sheet.rows().count(), stages.height() + 1);
    let first = sheet.rows().nth(1).unwrap();
    assert!(matches!(first[1], Data::DateTime(_)), "{:?}", first[1]);

    // 一企一策: every step of plan.parquet.
    let steps = book.worksheet_range("一企一策").unwrap();
    let plan = parquet(&w, "r/plan.parquet");
    let list = plan.column("steps").unwrap().list().unwrap().clone();
    let n_steps: usize = (0..plan.height())
        .map(|i| list.get_as_series(i).map_or(0, |s| s.len()))
        .sum();
    assert_eq!(steps.rows().count(), n_steps + 1);

    // 兑付轮次: the rounds of payout_rounds.parquet, paid to the fen.
    let rounds = parquet(&w, "r/payout_rounds.parquet");
    let sheet = book.worksheet_range("兑付轮次").unwrap();
    assert_eq!(sheet.rows().count(), rounds.height() + 1);
    let paid = fen(&rounds, "paid");
    for (row, p) in sheet.rows().skip(1).zip(&paid) {
        match &row[4] {
            Data::Float(v) => assert_eq!((v * 100.0).round() as i64, *p),
            other => panic!("{other:?}"),
        }
    }
    // With the ratio each round reached (the level, shown as a percentage).
    let level: Vec<Option<f64>> = rounds
        .column("level")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect();
    for (row, l) in sheet.rows().skip(1).zip(&level) {
        match (&row[12], l) {
            (Data::Float(v), Some(l)) => assert!((v - l).abs() < 1e-12, "{v} {l}"),
            (Data::Empty, None) => {}
            other => panic!("{other:?}"),
        }
    }

    // 拒收记录: the rows of rejects.csv.
    let rejects = w.read("r/rejects.csv").lines().count() - 1;
    let sheet = book.worksheet_range("拒收记录").unwrap();
    assert_eq!(sheet.rows().count(), rejects + 1);

    // No personal data anywhere: no name, id number or phone of lenders.csv.
    let lenders = std::fs::read_to_string(format!("{}/lenders.csv", city())).unwrap();
    let mut personal = Vec::new();
    let mut reader = csv::Reader::from_reader(lenders.as_bytes());
    for rec in reader.records() {
        let rec = rec.unwrap();
        for i in [1, 2, 3] {
            if rec.get(i).is_some_and(|v| v.chars().count() >= 2) {
                personal.push(rec[i].to_string());
            }
        }
    }
    assert!(personal.len() > 100);
    for name in book.sheet_names() {
        let sheet = book.worksheet_range(&name).unwrap();
        for d in sheet.rows().flatten() {
            if let Data::String(s) = d {
                assert!(!personal.contains(s), "{name}: {s}");
            }
        }
    }

    // The same bytes on a rerun.
    let o = w.run(&[
        "run",
        &city(),
        "--xlsx",
        "--deadline",
        "2020-12-31",
        "--out",
        "r2",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        std::fs::read(w.path("r/winddown.xlsx")).unwrap(),
        std::fs::read(w.path("r2/winddown.xlsx")).unwrap()
    );
}
