//! The optional `portico.toml`: a flat table of settings, keyed by the flag names with `_` or
//! `-`. Unknown keys are errors, so that a misspelt setting is never silently ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ConfigError, Setting};

/// Read when `--config` is not given, if it exists.
const DEFAULT_PATH: &str = "./portico.toml";

#[derive(Debug)]
pub(super) struct ConfigFile {
    path: PathBuf,
    /// Values as strings, by canonical key: the setting parsers take strings from every layer.
    values: BTreeMap<String, String>,
}

impl ConfigFile {
    /// `explicit` must exist; the default path is used only when it does.
    pub(super) fn load(
        explicit: Option<&Path>,
        flag: Setting,
        known: &[Setting],
    ) -> Result<Option<Self>, ConfigError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None if Path::new(DEFAULT_PATH).is_file() => PathBuf::from(DEFAULT_PATH),
            None => return Ok(None),
        };
        let bad_file = |why: String| {
            ConfigError(format!(
                "invalid {} / {} {:?}: {why}",
                flag.flag(),
                flag.env(),
                path.display().to_string()
            ))
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| bad_file(format!("cannot read it ({e})")))?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            let message = e.message().lines().next().unwrap_or("").to_owned();
            bad_file(match line {
                Some(line) => format!("TOML error on line {line}: {message}"),
                None => format!("TOML error: {message}"),
            })
        })?;
        let mut values = BTreeMap::new();
        for (key, value) in table {
            let canonical = key.replace('-', "_");
            if !known.iter().any(|s| s.key == canonical) {
                let names: Vec<&str> = known.iter().map(|s| s.key).collect();
                return Err(ConfigError(format!(
                    "unknown setting {key:?} in {}; known settings: {}",
                    path.display(),
                    names.join(", ")
                )));
            }
            let text = scalar(&value).ok_or_else(|| {
                ConfigError(format!(
                    "invalid {key} in {}: expected a string, number, boolean or list of strings",
                    path.display()
                ))
            })?;
            values.insert(canonical, text);
        }
        Ok(Some(Self { path, values }))
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

/// A TOML value as the string a flag would hold; lists become comma-separated.
fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Array(items) => {
            let items: Option<Vec<&str>> = items.iter().map(toml::Value::as_str).collect();
            Some(items?.join(","))
        }
        toml::Value::Float(_) | toml::Value::Datetime(_) | toml::Value::Table(_) => None,
    }
}
