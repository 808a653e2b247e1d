//! `migralint.toml`: rule selection and severities, target Postgres version,
//! naming patterns. Unknown keys are errors that name the key.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use crate::report::Severity;
use crate::rules;

/// The oldest PostgreSQL major version the community still supports.
pub const DEFAULT_PG_VERSION: u32 = 15;

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Warning,
    Error,
}

/// The configuration as written in `migralint.toml` (or given as JSON to the
/// wasm API). Every key is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// Directory linted when no path is given.
    pub migrations: Option<String>,
    /// Target PostgreSQL major version.
    pub pg_version: Option<u32>,
    /// Only these rules (names), when given.
    pub select: Option<Vec<String>>,
    /// Rules turned off.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Per-rule level: `rule-name = "off" | "warning" | "error"`.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    #[serde(default)]
    pub naming: NamingFile,
    /// Assume golang-migrate's `x-multi-statement=true` (statements sent one
    /// by one, no implicit transaction around a file).
    pub multi_statement: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NamingFile {
    /// Regex a migration title must match.
    pub title: Option<String>,
    /// Regex index names must match.
    pub index: Option<String>,
    /// Regex constraint names must match.
    pub constraint: Option<String>,
    /// Regex table names must match.
    pub table: Option<String>,
}

/// The resolved configuration the linter runs with.
#[derive(Clone, Debug)]
pub struct Config {
    pub migrations: Option<String>,
    pub pg_version: u32,
    pub multi_statement: bool,
    /// Effective level of each rule, by name; rules absent run at their default.
    levels: BTreeMap<&'static str, Level>,
    /// Rules not listed in `select` are off when `select` is given.
    select: Option<Vec<&'static str>>,
    pub naming: Naming,
}

#[derive(Clone, Debug)]
pub struct Naming {
    pub title: Regex,
    pub index: Regex,
    pub constraint: Regex,
    pub table: Regex,
}

pub const DEFAULT_TITLE_PATTERN: &str = r"^[a-z0-9]+([._][a-z0-9]+)*$";
pub const DEFAULT_OBJECT_PATTERN: &str = r"^[a-z_][a-z0-9_$]*$";

impl Default for Naming {
    fn default() -> Self {
        let re = |p: &str| Regex::new(p).expect("default pattern is valid");
        Naming {
            title: re(DEFAULT_TITLE_PATTERN),
            index: re(DEFAULT_OBJECT_PATTERN),
            constraint: re(DEFAULT_OBJECT_PATTERN),
            table: re(DEFAULT_OBJECT_PATTERN),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            migrations: None,
            pg_version: DEFAULT_PG_VERSION,
            multi_statement: false,
            levels: BTreeMap::new(),
            select: None,
            naming: Naming::default(),
        }
    }
}

/// A configuration problem, phrased for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses `migralint.toml` text.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        let file: ConfigFile =
            toml::from_str(text).map_err(|e| ConfigError(e.to_string().trim_end().to_string()))?;
        Config::from_file(file)
    }

    /// Parses the same shape given as JSON (the wasm API).
    pub fn from_json_str(text: &str) -> Result<Config, ConfigError> {
        let file: ConfigFile =
            serde_json::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        Config::from_file(file)
    }

    pub fn from_file(file: ConfigFile) -> Result<Config, ConfigError> {
        let mut config = Config {
            migrations: file.migrations,
            ..Config::default()
        };
        if let Some(v) = file.pg_version {
            config.set_pg_version(v)?;
        }
        config.multi_statement = file.multi_statement.unwrap_or(false);
        if let Some(select) = &file.select {
            config.select(select)?;
        }
        config.ignore(&file.ignore)?;
        for (name, level) in &file.rules {
            let rule = known_rule(name, "rules")?;
            config.levels.insert(rule, *level);
        }
        let naming = &file.naming;
        let pattern =
            |p: &Option<String>, key: &str, slot: &mut Regex| -> Result<(), ConfigError> {
                if let Some(p) = p {
                    *slot = Regex::new(p)
                        .map_err(|e| ConfigError(format!("naming.{key}: invalid regex: {e}")))?;
                }
                Ok(())
            };
        pattern(&naming.title, "title", &mut config.naming.title)?;
        pattern(&naming.index, "index", &mut config.naming.index)?;
        pattern(
            &naming.constraint,
            "constraint",
            &mut config.naming.constraint,
        )?;
        pattern(&naming.table, "table", &mut config.naming.table)?;
        Ok(config)
    }

    pub fn set_pg_version(&mut self, version: u32) -> Result<(), ConfigError> {
        if !(9..=30).contains(&version) {
            return Err(ConfigError(format!(
                "pg-version {version} is not a PostgreSQL major version (expected e.g. 13, 15, 17)"
            )));
        }
        self.pg_version = version;
        Ok(())
    }

    /// Runs only these rules (plus any later `select`).
    pub fn select(&mut self, names: &[String]) -> Result<(), ConfigError> {
        let names = names
            .iter()
            .map(|n| known_rule(n, "select"))
            .collect::<Result<Vec<_>, _>>()?;
        self.select = Some(names);
        Ok(())
    }

    /// Turns these rules off.
    pub fn ignore(&mut self, names: &[String]) -> Result<(), ConfigError> {
        for name in names {
            let rule = known_rule(name, "ignore")?;
            self.levels.insert(rule, Level::Off);
        }
        Ok(())
    }

    /// Sets one rule's level (e.g. to turn on a rule that is off by default).
    pub fn set_level(&mut self, rule: &str, level: Level) -> Result<(), ConfigError> {
        let rule = known_rule(rule, "rules")?;
        self.levels.insert(rule, level);
        Ok(())
    }

    /// The severity a rule runs at, or `None` when it is off.
    pub fn severity(&self, rule: &rules::Rule) -> Option<Severity> {
        if let Some(select) = &self.select {
            if !select.contains(&rule.name) {
                return None;
            }
        }
        match self.levels.get(rule.name) {
            Some(Level::Off) => None,
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Error) => Some(Severity::Error),
            None if rule.default_enabled => Some(rule.default_severity),
            None => None,
        }
    }
}

fn known_rule(name: &str, key: &str) -> Result<&'static str, ConfigError> {
    rules::find(name).map(|r| r.name).ok_or_else(|| {
        let hint = rules::closest(name)
            .map(|r| format!(" (did you mean `{}`?)", r.name))
            .unwrap_or_default();
        ConfigError(format!(
            "{key}: unknown rule `{name}`{hint}; `migralint rules` lists them"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml_str("pg-version = 14\nbogus = 1\n").unwrap_err();
        assert!(err.0.contains("bogus"), "{err}");
    }

    #[test]
    fn unknown_rule_is_named() {
        let err = Config::from_toml_str("ignore = [\"no-such-rule\"]").unwrap_err();
        assert!(err.0.contains("no-such-rule"), "{err}");
    }

    #[test]
    fn levels_apply() {
        let c =
            Config::from_toml_str("pg-version = 13\n[rules]\nrequire-lock-timeout = \"error\"\n")
                .unwrap();
        assert_eq!(c.pg_version, 13);
        let rule = rules::find("require-lock-timeout").unwrap();
        assert_eq!(c.severity(rule), Some(Severity::Error));
    }

    #[test]
    fn bad_regex_is_named() {
        let err = Config::from_toml_str("[naming]\ntitle = \"(\"\n").unwrap_err();
        assert!(err.0.contains("naming.title"), "{err}");
    }
}
