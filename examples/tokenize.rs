//! The CSV tokenizer alone, on a file held in memory (a benchmark, not a test):
//!
//! ```text
//! cargo run --release --example tokenize -- investments.csv [KEEP]
//! ```
//!
//! Prints the records and fields read and the best of five passes, so that a change to
//! `input/csv.rs` can be judged apart from the validation around it (docs/performance.md).
//! With KEEP, only the first KEEP fields of a plain line are kept and the others counted, as
//! the first pass over the investments' ids reads them.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: tokenize FILE.csv [KEEP]");
        std::process::exit(2);
    };
    let keep = match std::env::args().nth(2).map(|k| k.parse::<usize>()) {
        None => usize::MAX,
        Some(Ok(k)) => k,
        Some(Err(e)) => {
            eprintln!("KEEP: {e}");
            std::process::exit(2);
        }
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut best = f64::INFINITY;
    let (mut records, mut fields) = (0usize, 0usize);
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let mut reader = winddown::input::csv::Reader::new(&data[..]);
        reader.keep_fields(keep);
        let mut rec = winddown::input::csv::Record::default();
        (records, fields) = (0, 0);
        loop {
            match reader.read(&mut rec) {
                Ok(true) => {
                    records += 1;
                    fields += rec.fields();
                }
                Ok(false) => break,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    std::process::exit(2);
                }
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    let mb = data.len() as f64 / 1e6;
    println!(
        "{records} records, {fields} fields, {mb:.0} MB: best of 5 {best:.3} s ({:.0} MB/s)",
        mb / best
    );
}
