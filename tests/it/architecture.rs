//! The layers hold (docs/architecture.md): read from the source, every module's references to
//! others (`use` lines and `crate::` paths in code, tests and comments left out) go down the
//! pipeline — domain ← config ← input ← rules ← payout ← output ← cli — never up, never in a
//! cycle; polars is not named in winddown at all (the SQL engine `winddown-sql`, sql/, is
//! its own program), clap only in the command line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file of src/ as (module path, text before its first `#[cfg(test)]`, comments
/// removed).
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().with_extension("");
            let mut name = rel.to_string_lossy().replace('/', "::");
            if let Some(parent) = name.strip_suffix("::mod") {
                name = parent.to_string();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            let code: Vec<&str> = code
                .lines()
                .map(|l| l.split("//").next().unwrap())
                .collect();
            (name, code.join("\n"))
        })
        .collect()
}

/// The modules each module refers to: `crate::a::b::…` resolved to the longest module path
/// that exists, `use` groups (`crate::a::{b, c::d}`) expanded, and `super::x`.
fn graph(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let resolve = |path: &str| -> Option<String> {
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        (1..=parts.len())
            .rev()
            .map(|k| parts[..k].join("::"))
            .find(|c| mods.contains_key(c))
    };
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, code) in mods {
        let edges = out.entry(m.clone()).or_default();
        let mut add = |path: &str| {
            if let Some(r) = resolve(path) {
                if r != *m && !m.starts_with(&format!("{r}::")) {
                    edges.insert(r);
                }
            }
        };
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let end = after.find(|c: char| !ident(c)).unwrap_or(after.len());
            let prefix = &after[..end];
            if after[end..].starts_with('{') {
                let close = after[end..].find('}').map_or(after.len(), |c| end + c);
                for item in after[end + 1..close].split(',') {
                    let item = item.trim().trim_start_matches("self");
                    add(&format!("{prefix}{item}"));
                }
            } else {
                add(prefix);
            }
            rest = &after[end..];
        }
        let parent = m.rsplit_once("::").map(|(p, _)| p.to_string());
        let mut rest = code.as_str();
        while let Some(at) = rest.find("super::") {
            let after = &rest[at + "super::".len()..];
            let end = after.find(|c: char| !ident(c)).unwrap_or(after.len());
            if let Some(p) = &parent {
                add(&format!("{p}::{}", &after[..end]));
            }
            rest = &after[end..];
        }
    }
    out
}

/// The layer of a top-level module: lower numbers are lower layers.
fn layer(module: &str) -> Option<u8> {
    Some(match module.split("::").next()? {
        // The ground every layer stands on.
        "error" | "progress" | "memory" | "write_behind" | "paged" | "domain" => 0,
        // Tables of columns (Parquet in and out, the SQL engine's client), and how people are
        // spoken to (formats, colours, language): above the ground, below every stage.
        "table" | "present" => 1,
        "config" => 2,
        "input" => 3,
        "rules" => 4,
        "payout" => 5,
        // Illegal-fundraising cases: their rounds are paid with payout's arithmetic.
        "cases" => 6,
        "output" => 7,
        // Synthetic data (writes through output) and the desk in a browser (reads run
        // folders): used by the command line only.
        "generate" | "desk" => 8,
        "cli" | "main" | "lib" => 9,
        "fuzzing" => 10,
        _ => return None,
    })
}

#[test]
fn every_reference_goes_down_the_pipeline_and_none_goes_round() {
    let mods = modules();
    let g = graph(&mods);
    let mut up = Vec::new();
    for (a, targets) in &g {
        let la = layer(a).unwrap_or_else(|| panic!("{a}: a module outside the layers"));
        for b in targets {
            let lb = layer(b).unwrap();
            let allowed = lb < la || (lb == la && a.split("::").next() == b.split("::").next());
            // Within the ground, `domain` stands alone and `error` may name it (the money
            // and text of a cause's message), never the other way round.
            let ground_within = la == 0
                && lb == 0
                && (a.starts_with("domain") == b.starts_with("domain")
                    || b.starts_with("error")
                    || (a.starts_with("error") && b.starts_with("domain")));
            if !allowed && !ground_within {
                up.push(format!("{a} -> {b}"));
            }
        }
    }
    assert!(
        up.is_empty(),
        "references up the layers:\n{}",
        up.join("\n")
    );
    // No cycle between modules (files), whatever their layers: a depth-first search.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(m) {
            Some(2) => return None,
            Some(1) => {
                let from = path.iter().position(|p| p == m).unwrap();
                let mut cycle = path[from..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            _ => {}
        }
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for n in g.get(m).into_iter().flatten() {
            if let Some(c) = visit(n, g, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.keys() {
        let cycle = visit(m, &g, &mut state, &mut Vec::new());
        assert!(
            cycle.is_none(),
            "an import cycle: {}",
            cycle.unwrap().join(" -> ")
        );
    }
}

#[test]
fn polars_only_in_the_sql_engine_and_clap_only_on_the_command_line() {
    let mods = modules();
    // winddown reads and writes Parquet with arrow-rs; SQL is answered by `winddown-sql`
    // (sql/), a program of its own, so that winddown's build has no polars in it.
    let clap_ok = |m: &str| m == "cli" || m.starts_with("cli::") || m == "main";
    for (m, code) in &mods {
        let names = |krate: &str| {
            code.contains(&format!("{krate}::")) || code.contains(&format!("use {krate}"))
        };
        assert!(!names("polars"), "{m} names polars");
        assert!(!names("sqlparser"), "{m} names sqlparser");
        assert!(!names("clap") || clap_ok(m), "{m} names clap");
    }
    // The manifests say the same: polars a dependency of sql/ alone (and of winddown's tests,
    // which read the outputs with a second Parquet implementation).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest =
        |p: &Path| -> toml::Table { toml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let winddown = manifest(&root.join("Cargo.toml"));
    let deps = winddown["dependencies"].as_table().unwrap();
    for heavy in ["polars", "sqlparser"] {
        assert!(!deps.contains_key(heavy), "winddown depends on {heavy}");
    }
    let sql = manifest(&root.join("sql/Cargo.toml"));
    assert!(sql["dependencies"]
        .as_table()
        .unwrap()
        .contains_key("polars"));
    assert!(!sql["dependencies"]
        .as_table()
        .unwrap()
        .contains_key("winddown"));
}

#[test]
fn the_layer_check_sees_a_reference_up_and_a_cycle() {
    // The checker itself: an input module naming output, and two modules naming each other.
    let mut mods = BTreeMap::new();
    mods.insert("input::a".to_string(), "use crate::output::b;".to_string());
    mods.insert("output::b".to_string(), "use crate::input::a;".to_string());
    let g = graph(&mods);
    assert!(g["input::a"].contains("output::b"));
    assert!(g["output::b"].contains("input::a"));
    assert!(layer("input::a") < layer("output::b"));
    let mut grouped = BTreeMap::new();
    grouped.insert(
        "cli::x".to_string(),
        "use crate::rules::{self, y::Z};".to_string(),
    );
    grouped.insert("rules".to_string(), String::new());
    grouped.insert("rules::y".to_string(), String::new());
    let g = graph(&grouped);
    assert_eq!(
        g["cli::x"].iter().cloned().collect::<Vec<_>>(),
        ["rules", "rules::y"]
    );
}
