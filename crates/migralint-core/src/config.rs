//! `migralint.toml` (or its JSON twin for the wasm API): read into the
//! options rules see and the rule selection the engine applies. Unknown
//! keys and rule names are errors that name them.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

pub use crate::engine::options::{
    Naming, Options, DEFAULT_OBJECT_PATTERN, DEFAULT_PG_VERSION, DEFAULT_TITLE_PATTERN,
};
pub use crate::engine::selection::{Level, Selection};
use crate::rules;

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
    /// How down files are judged.
    #[serde(default)]
    pub downs: DownsFile,
    /// The pedantic set: every rule that is off by default on (at its
    /// default severity), and the locking rules reported in downs (as
    /// warnings). Explicit `[rules]`, `ignore`, `select` and `[downs]`
    /// settings win.
    pub pedantic: Option<bool>,
}

/// `[downs]`: how down files are judged.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DownsFile {
    /// The level of the locking rules' findings in down files: `"off"`
    /// (the default), `"warning"` or `"error"`.
    pub locking: Option<Level>,
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

/// The resolved configuration: what rules read (`options`), which rules
/// run at what level (`selection`), and where the migrations are.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub migrations: Option<String>,
    pub options: Options,
    pub selection: Selection,
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
        config.options.multi_statement = file.multi_statement.unwrap_or(false);
        if file.pedantic == Some(true) {
            config.pedantic();
        }
        if let Some(level) = file.downs.locking {
            config.options.downs_locking = level;
        }
        if let Some(select) = &file.select {
            config.select(select)?;
        }
        config.ignore(&file.ignore)?;
        for (name, level) in &file.rules {
            let rule = known_rule(name, "rules")?;
            config.selection.levels.insert(rule, *level);
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
        let slots = &mut config.options.naming;
        slots.title_configured = naming.title.is_some();
        pattern(&naming.title, "title", &mut slots.title)?;
        pattern(&naming.index, "index", &mut slots.index)?;
        pattern(&naming.constraint, "constraint", &mut slots.constraint)?;
        pattern(&naming.table, "table", &mut slots.table)?;
        Ok(config)
    }

    pub fn set_pg_version(&mut self, version: u32) -> Result<(), ConfigError> {
        if !(9..=30).contains(&version) {
            return Err(ConfigError(format!(
                "pg-version {version} is not a PostgreSQL major version (expected e.g. 13, 15, 17)"
            )));
        }
        self.options.pg_version = version;
        Ok(())
    }

    /// Runs only these rules (plus any later `select`).
    pub fn select(&mut self, names: &[String]) -> Result<(), ConfigError> {
        let names = names
            .iter()
            .map(|n| known_rule(n, "select"))
            .collect::<Result<Vec<_>, _>>()?;
        self.selection.select = Some(names);
        Ok(())
    }

    /// The pedantic set (`pedantic = true`): the rules that are off by
    /// default run at their default severity, and the locking rules report
    /// in down files as warnings.
    pub fn pedantic(&mut self) {
        for rule in rules::REGISTRY.iter().filter(|r| !r.default_enabled) {
            let level = match rule.default_severity {
                crate::report::Severity::Error => Level::Error,
                _ => Level::Warning,
            };
            self.selection.levels.insert(rule.name, level);
        }
        self.options.downs_locking = Level::Warning;
    }

    /// Turns these rules off.
    pub fn ignore(&mut self, names: &[String]) -> Result<(), ConfigError> {
        for name in names {
            let rule = known_rule(name, "ignore")?;
            self.selection.levels.insert(rule, Level::Off);
        }
        Ok(())
    }

    /// Sets one rule's level (e.g. to turn on a rule that is off by default).
    pub fn set_level(&mut self, rule: &str, level: Level) -> Result<(), ConfigError> {
        let rule = known_rule(rule, "rules")?;
        self.selection.levels.insert(rule, level);
        Ok(())
    }

    /// The severity a rule runs at, or `None` when it is off.
    pub fn severity(&self, rule: &rules::Rule) -> Option<crate::report::Severity> {
        self.selection.severity(rule)
    }
}

/// What a front end sets over a `migralint.toml` (the GitHub Action's
/// `pg-version` input, like the CLI's `--pg-version`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub pg_version: Option<u32>,
}

/// A `migralint.toml` read and checked, with overrides applied, for a front
/// end that reads no TOML itself (the wasm build, for the Action).
#[derive(Clone, Debug)]
pub struct Resolved {
    /// `migrations` as written (relative to the config file's directory).
    pub migrations: Option<String>,
    pub config: Config,
    /// The file's keys as a JSON object, overrides applied: what the wasm
    /// API's lint calls accept as a config and resolve to `config`.
    pub keys: serde_json::Map<String, serde_json::Value>,
}

/// What `resolve` refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// The config text itself.
    File(ConfigError),
    /// An override (named by its key, e.g. `pg-version`).
    Override {
        key: &'static str,
        error: ConfigError,
    },
}

/// Reads a `migralint.toml` text (`None`: no file, the defaults) and applies
/// `overrides` over it. The text is checked first, as the CLI does when it
/// loads the file before applying its flags.
pub fn resolve(text: Option<&str>, overrides: &Overrides) -> Result<Resolved, ResolveError> {
    let mut config = match text {
        Some(text) => Config::from_toml_str(text).map_err(ResolveError::File)?,
        None => Config::default(),
    };
    let mut keys = match text {
        // Parsed again as a table: every key is known and well typed now.
        Some(text) => match toml::from_str::<toml::Table>(text).map(serde_json::to_value) {
            Ok(Ok(serde_json::Value::Object(map))) => map,
            _ => unreachable!("a checked migralint.toml is a table of JSON-representable values"),
        },
        None => serde_json::Map::new(),
    };
    if let Some(v) = overrides.pg_version {
        config
            .set_pg_version(v)
            .map_err(|error| ResolveError::Override {
                key: "pg-version",
                error,
            })?;
        keys.insert("pg-version".into(), v.into());
    }
    Ok(Resolved {
        migrations: config.migrations.clone(),
        config,
        keys,
    })
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
    fn pedantic_turns_on_the_quiet_set_and_explicit_settings_win() {
        let rule = rules::find("object-name-pattern").unwrap();
        assert!(!rule.default_enabled);
        let config = Config::from_toml_str("pedantic = true\n").unwrap();
        assert_eq!(config.severity(rule), Some(rule.default_severity));
        assert_eq!(config.options.downs_locking, Level::Warning);
        let config = Config::from_toml_str(
            "pedantic = true\nignore = [\"object-name-pattern\"]\n[downs]\nlocking = \"error\"\n",
        )
        .unwrap();
        assert_eq!(config.severity(rule), None);
        assert_eq!(config.options.downs_locking, Level::Error);
        let config = Config::default();
        assert_eq!(config.severity(rule), None);
        assert_eq!(config.options.downs_locking, Level::Off);
    }

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
        assert_eq!(c.options.pg_version, 13);
        let rule = rules::find("require-lock-timeout").unwrap();
        assert_eq!(c.severity(rule), Some(crate::report::Severity::Error));
    }

    #[test]
    fn bad_regex_is_named() {
        let err = Config::from_toml_str("[naming]\ntitle = \"(\"\n").unwrap_err();
        assert!(err.0.contains("naming.title"), "{err}");
    }

    /// `[downs]`, `pedantic` and `[naming] title` reach the wasm build and
    /// the Action through `resolve`, and their keys resolve alike as JSON.
    #[test]
    fn resolve_carries_downs_pedantic_and_title() {
        let text =
            "pedantic = true\n[downs]\nlocking = \"error\"\n[naming]\ntitle = \"^[a-z-]+$\"\n";
        let r = resolve(Some(text), &Overrides::default()).unwrap();
        assert_eq!(r.config.options.downs_locking, Level::Error);
        assert!(r.config.options.naming.title_configured);
        let json = serde_json::Value::Object(r.keys.clone()).to_string();
        let again = Config::from_json_str(&json).unwrap();
        assert_eq!(again.options.downs_locking, Level::Error);
        assert!(again.options.naming.title_configured);
        assert_eq!(again.selection.levels, r.config.selection.levels);
        assert!(
            !resolve(None, &Overrides::default())
                .unwrap()
                .config
                .options
                .naming
                .title_configured
        );
    }

    #[test]
    fn resolve_applies_overrides_over_the_file() {
        let text = "migrations = \"db/m\"\n\"pg-version\" = 15\nignore = [\"prefer-jsonb\"]\n[naming]\ntitle = \"^[a-z_]+$\"\n";
        let r = resolve(Some(text), &Overrides::default()).unwrap();
        assert_eq!(r.migrations.as_deref(), Some("db/m"));
        assert_eq!(r.config.options.pg_version, 15);
        let json = serde_json::Value::Object(r.keys.clone()).to_string();
        assert_eq!(
            json,
            r#"{"ignore":["prefer-jsonb"],"migrations":"db/m","naming":{"title":"^[a-z_]+$"},"pg-version":15}"#
        );
        // The keys are a config of their own, resolving to the same.
        let again = Config::from_json_str(&json).unwrap();
        assert_eq!(again.options.pg_version, 15);
        assert_eq!(again.selection.levels, r.config.selection.levels);

        let r = resolve(
            Some(text),
            &Overrides {
                pg_version: Some(11),
            },
        )
        .unwrap();
        assert_eq!(r.config.options.pg_version, 11);
        assert_eq!(r.keys["pg-version"], 11);
        let none = resolve(
            None,
            &Overrides {
                pg_version: Some(12),
            },
        )
        .unwrap();
        assert_eq!(none.migrations, None);
        assert_eq!(
            serde_json::Value::Object(none.keys).to_string(),
            r#"{"pg-version":12}"#
        );
        let defaults = resolve(None, &Overrides::default()).unwrap();
        assert!(defaults.keys.is_empty());
        assert_eq!(defaults.config.options.pg_version, DEFAULT_PG_VERSION);
    }

    #[test]
    fn resolve_names_what_is_wrong() {
        let bad_file = resolve(
            Some("bogus = 1\n"),
            &Overrides {
                pg_version: Some(8),
            },
        );
        match bad_file {
            Err(ResolveError::File(e)) => assert!(e.0.contains("bogus"), "{e}"),
            other => panic!("{other:?}"),
        }
        let bad_override = resolve(
            Some("pg-version = 15\n"),
            &Overrides {
                pg_version: Some(8),
            },
        );
        match bad_override {
            Err(ResolveError::Override { key, error }) => {
                assert_eq!(key, "pg-version");
                assert!(error.0.starts_with("pg-version 8 is not"), "{error}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            resolve(Some("migrations = \"\"\"\ndb\"\"\"\n"), &Overrides::default()),
            Ok(Resolved { migrations: Some(m), .. }) if m == "db"
        ));
    }
}
