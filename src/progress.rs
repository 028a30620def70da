//! How a long stage tells how far it has got, without knowing who listens: the command line
//! shows bars on a terminal and one line per stage under `-v`; tests and library users pass
//! [`Silent`].

/// What a stage counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Rows,
    Platforms,
    Files,
}

/// A listener for the progress of long stages. Called from several threads.
pub trait Progress: Sync {
    /// A stage begins: its name, and its size in `unit` if known.
    fn begin(&self, name: &str, total: Option<u64>, unit: Unit);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The stage is over; it handled `rows` rows (0 if that means nothing for it).
    fn end(&self, rows: u64);
    /// A stage that ran on a thread beside the watched ones is told once over ([`Beside`]):
    /// it took `took` and handled `rows` rows.
    fn finished(&self, name: &str, took: std::time::Duration, rows: u64) {
        let _ = (name, took, rows);
    }
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn begin(&self, _: &str, _: Option<u64>, _: Unit) {}
    fn advance(&self, _: u64) {}
    fn end(&self, _: u64) {}
}

/// Another listener's stages under one name of its own (a first pass reading a table the
/// validating pass reads again).
pub struct Renamed<'a> {
    pub inner: &'a dyn Progress,
    pub name: &'a str,
}

impl Progress for Renamed<'_> {
    fn begin(&self, _: &str, total: Option<u64>, unit: Unit) {
        self.inner.begin(self.name, total, unit)
    }
    fn advance(&self, n: u64) {
        self.inner.advance(n)
    }
    fn end(&self, rows: u64) {
        self.inner.end(rows)
    }
    fn finished(&self, _: &str, took: std::time::Duration, rows: u64) {
        self.inner.finished(self.name, took, rows)
    }
}

/// The stages of work done on a thread beside the one a listener watches (whose bar or line
/// would otherwise be cut by theirs): kept as they end, told to the listener afterwards with
/// [`Beside::tell`].
#[derive(Default)]
pub struct Beside {
    current: std::sync::Mutex<Option<(String, std::time::Instant)>>,
    ended: std::sync::Mutex<Vec<(String, std::time::Duration, u64)>>,
}

impl Beside {
    /// Tell `to` of every stage ended so far, in the order they ended, named `… (beside)`.
    pub fn tell(&self, to: &dyn Progress) {
        let ended = self.ended.lock().map(|mut e| std::mem::take(&mut *e));
        for (name, took, rows) in ended.unwrap_or_default() {
            to.finished(&format!("{name} (beside)"), took, rows);
        }
    }
}

impl Progress for Beside {
    fn begin(&self, name: &str, _: Option<u64>, _: Unit) {
        self.end(0);
        if let Ok(mut c) = self.current.lock() {
            *c = Some((name.to_string(), std::time::Instant::now()));
        }
    }
    fn advance(&self, _: u64) {}
    fn end(&self, rows: u64) {
        let Some((name, started)) = self.current.lock().ok().and_then(|mut c| c.take()) else {
            return;
        };
        if let Ok(mut e) = self.ended.lock() {
            e.push((name, started.elapsed(), rows));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// A listener that writes down what it is told.
    #[derive(Default)]
    struct Heard(Mutex<Vec<String>>);

    impl Progress for Heard {
        fn begin(&self, name: &str, _: Option<u64>, _: Unit) {
            self.0.lock().unwrap().push(format!("begin {name}"));
        }
        fn advance(&self, _: u64) {}
        fn end(&self, rows: u64) {
            self.0.lock().unwrap().push(format!("end {rows}"));
        }
        fn finished(&self, name: &str, took: Duration, rows: u64) {
            assert!(took < Duration::from_secs(60));
            self.0
                .lock()
                .unwrap()
                .push(format!("finished {name} {rows}"));
        }
    }

    #[test]
    fn stages_beside_are_told_once_in_the_order_they_ended() {
        let beside = Beside::default();
        beside.begin("校验 validate lenders.csv", Some(100), Unit::Bytes);
        beside.advance(50);
        // A table in parts ends after each part, then once more for the table: only the first
        // end counts.
        beside.end(7);
        beside.end(7);
        beside.begin("整理 lender id order", None, Unit::Files);
        // A stage begun while one is under way ends that one first (as the console's does).
        beside.begin("next", None, Unit::Files);
        let heard = Heard::default();
        beside.tell(&heard);
        beside.tell(&heard);
        assert_eq!(
            *heard.0.lock().unwrap(),
            [
                "finished 校验 validate lenders.csv (beside) 7",
                "finished 整理 lender id order (beside) 0",
            ]
        );
    }
}
