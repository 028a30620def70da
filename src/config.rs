//! The regulator-editable TOML config, read in two steps: serde reads [`RawConfig`] with
//! `deny_unknown_fields` (a mistyped key is an error that names it), then [`Config::resolve`]
//! checks it and produces the resolved [`Config`] the stages use. The raw struct goes no further.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::schema::Table;

/// The config file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// File header → contract column name, for every table (e.g. `"平台编号" = "platform_id"`).
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// The resolved config.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Header text (trimmed) → contract column name.
    pub columns: BTreeMap<String, String>,
}

impl Config {
    /// Read and resolve a config file; `None` gives the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = path else { return Config::resolve(RawConfig::default()) };
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!("config {}: cannot read: {e}", path.display()))
        })?;
        Config::from_toml(&text)
            .map_err(|e| Error::Usage(format!("config {}: {e}", path.display())))
    }

    /// Parse and resolve config text; the error is one line naming the offending key.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| e.message().trim().replace('\n', " "))?;
        Config::resolve(raw).map_err(|e| e.to_string())
    }

    fn resolve(raw: RawConfig) -> Result<Config> {
        let mut columns = BTreeMap::new();
        for (header, target) in raw.columns {
            let known = Table::ALL.iter().any(|t| t.column_index(&target).is_some());
            if !known {
                return Err(Error::Usage(format!(
                    "[columns] \"{header}\" maps to \"{target}\", which is no column of any table"
                )));
            }
            columns.insert(header.trim().to_string(), target);
        }
        Ok(Config { columns })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_map_headers_to_contract_names() {
        let c = Config::from_toml("[columns]\n\"平台编号\" = \"platform_id\"\n").unwrap();
        assert_eq!(c.columns.get("平台编号").map(String::as_str), Some("platform_id"));
    }

    #[test]
    fn unknown_keys_and_targets_are_named() {
        let e = Config::from_toml("[colums]\na = \"platform_id\"\n").unwrap_err();
        assert!(e.contains("colums"), "{e}");
        let e = Config::from_toml("[columns]\na = \"platfrom_id\"\n").unwrap_err();
        assert!(e.contains("platfrom_id"), "{e}");
    }
}
