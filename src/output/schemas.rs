//! The JSON Schema of every JSON winddown writes — summary.json, validation.json,
//! manifest.json and the console's `--format json` — generated from their structs; docs/schema/
//! holds them and a test keeps the two equal.

use crate::output::console;
use crate::output::folder::records;

/// The JSON Schema of each JSON output, by file name, as docs/schema/ holds them.
pub fn schemas() -> Vec<(&'static str, String)> {
    let pretty = |s: schemars::Schema| {
        // A schema is JSON already: serialising it cannot fail.
        let mut text = serde_json::to_string_pretty(&s).unwrap_or_default();
        text.push('\n');
        text
    };
    vec![
        (
            "summary.schema.json",
            pretty(schemars::schema_for!(records::Summary)),
        ),
        (
            "validation.schema.json",
            pretty(schemars::schema_for!(records::Validation)),
        ),
        (
            "manifest.schema.json",
            pretty(schemars::schema_for!(records::Manifest)),
        ),
        (
            "console.schema.json",
            pretty(schemars::schema_for!(console::Console)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/schema/ holds exactly the schemas of these structs: regenerate them with
    /// `WINDDOWN_WRITE_SCHEMAS=1 cargo test --lib schemas_in_docs` after changing a struct.
    #[test]
    fn schemas_in_docs_match_the_structs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema");
        for (name, text) in schemas() {
            let path = dir.join(name);
            if std::env::var_os("WINDDOWN_WRITE_SCHEMAS").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            let committed = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("{} is missing", path.display()));
            assert_eq!(committed, text, "{name} is out of date");
        }
    }
}
