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
}
