//! `migralint.toml` (or its JSON twin for the wasm API): read into the
//! options rules see and the rule selection the engine applies. Unknown
//! keys and rule names are errors that name them.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Deserializer};

pub use crate::engine::options::{
    Naming, Options, DEFAULT_OBJECT_PATTERN, DEFAULT_PG_VERSION, DEFAULT_TITLE_PATTERN,
};
pub use crate::engine::selection::{Level, Selection};
use crate::rules::{self, Category};

/// The configuration as written in `migralint.toml` (or given as JSON to the
/// wasm API). Every key is optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "kebab-case",
    expecting = "a migralint configuration (a table of keys)"
)]
pub struct ConfigFile {
    /// Directory linted when no path is given.
    pub migrations: Option<String>,
    /// Target PostgreSQL major version.
    pub pg_version: Option<PgVersion>,
    /// Only these rules (names or categories), when given.
    pub select: Option<Vec<Selector>>,
    /// Rules (names or categories) turned off.
    #[serde(default)]
    pub ignore: Vec<Selector>,
    /// Per-rule level: `rule-name = "off" | "warning" | "error"`, or a
    /// whole category's (`locking = "off"`); a rule's own line wins over
    /// its category's.
    #[serde(default)]
    pub rules: BTreeMap<Selector, Level>,
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
    /// `[markers]`: another tool's suppression comments to honour, each
    /// with the rules it stands for: `"nolint:concurrentIndex" =
    /// ["require-concurrent-index-creation"]`.
    #[serde(default)]
    pub markers: BTreeMap<Marker, Vec<Selector>>,
    /// What the team knows of its tables that the SQL cannot show.
    #[serde(default)]
    pub tables: TablesFile,
}

/// `[tables]`: facts about production tables the migrations cannot show.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "kebab-case",
    expecting = r#"a table: `[tables]` with `small = ["table", "schema.table"]`"#
)]
pub struct TablesFile {
    /// Tables that stay small (a few thousand rows at most) and that only
    /// short queries touch: work on them is quick, their ids never run
    /// out, and a lock on them does not queue behind long-running work.
    #[serde(default)]
    pub small: Vec<TableName>,
}

/// A `[tables]` entry: `table` (in any schema) or `schema.table`, as the
/// migrations write it unquoted; checked as it is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableName(pub crate::model::QualName);

impl<'de> Deserialize<'de> for TableName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let parts: Vec<&str> = text.split('.').collect();
        let ok = |p: &str| !p.is_empty() && !p.chars().any(|c| c.is_whitespace() || c == '"');
        match parts[..] {
            [name] if ok(name) => Ok(TableName(crate::model::QualName::new(None, name))),
            [schema, name] if ok(schema) && ok(name) => {
                Ok(TableName(crate::model::QualName::new(Some(schema), name)))
            }
            _ => Err(serde::de::Error::custom(format!(
                "`{text}` is not a table name: write `table` or `schema.table`, unquoted"
            ))),
        }
    }
}

/// A `[markers]` key: the text a comment starts with (after `--` or `/*`),
/// checked as it is read so that the TOML error points at its line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Marker(pub String);

impl<'de> Deserialize<'de> for Marker {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() || text.trim() != text {
            return Err(serde::de::Error::custom(format!(
                "{text:?} is not a marker: write the comment's text after `--`, without \
                 surrounding spaces (e.g. \"nolint:concurrentIndex\")"
            )));
        }
        Ok(Marker(text))
    }
}

/// `[downs]`: how down files are judged.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "kebab-case",
    expecting = r#"a table: `[downs]` with `locking = "off" | "warning" | "error"`"#
)]
pub struct DownsFile {
    /// The level of the locking rules' findings in down files: `"off"`
    /// (the default), `"warning"` or `"error"`.
    pub locking: Option<Level>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "kebab-case",
    expecting = "a table: `[naming]` with regexes `title`, `index`, `constraint`, `table`"
)]
pub struct NamingFile {
    /// Regex a migration title must match.
    pub title: Option<Pattern>,
    /// Regex index names must match.
    pub index: Option<Pattern>,
    /// Regex constraint names must match.
    pub constraint: Option<Pattern>,
    /// Regex table names must match.
    pub table: Option<Pattern>,
}

/// A `[naming]` regex, compiled as it is read (a bad one is refused at
/// its line).
#[derive(Clone, Debug)]
pub struct Pattern(pub Regex);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Regex::new(&text)
            .map(Pattern)
            .map_err(|e| serde::de::Error::custom(format!("invalid regex: {e}")))
    }
}

/// `pg-version`, checked as it is read.
#[derive(Clone, Copy, Debug)]
pub struct PgVersion(pub u32);

impl<'de> Deserialize<'de> for PgVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let version = u32::deserialize(d)?;
        check_pg_version(version)
            .map(|()| PgVersion(version))
            .map_err(|e| serde::de::Error::custom(e.0))
    }
}

fn check_pg_version(version: u32) -> Result<(), ConfigError> {
    if !(9..=30).contains(&version) {
        return Err(ConfigError(format!(
            "pg-version {version} is not a PostgreSQL major version (expected e.g. 13, 15, 17)"
        )));
    }
    Ok(())
}

/// What `select`, `ignore`, a `[rules]` key or a `[markers]` list names:
/// one rule, or every rule of a category (`locking`, `style`, ...; the
/// categories `migralint rules` shows). Checked against the registry as it
/// is read, so that the TOML error points at the line that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Selector {
    Category(Category),
    Rule(&'static str),
}

impl Selector {
    /// The name, or the category, as the user wrote it.
    pub fn parse(name: &str) -> Result<Selector, String> {
        match Category::named(name) {
            Some(category) => Ok(Selector::Category(category)),
            None => rule_named(name).map(Selector::Rule),
        }
    }

    /// The rules it stands for, in registry order.
    pub fn rules(self) -> impl Iterator<Item = &'static str> {
        rules::REGISTRY
            .iter()
            .filter(move |r| match self {
                Selector::Category(c) => r.category == c,
                Selector::Rule(name) => r.name == name,
            })
            .map(|r| r.name)
    }
}

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Selector;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a rule name or a category (`migralint rules` lists them)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Selector, E> {
                Selector::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(Visit)
    }
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
        if let Some(PgVersion(v)) = file.pg_version {
            config.options.pg_version = v;
        }
        config.options.multi_statement = file.multi_statement.unwrap_or(false);
        if file.pedantic == Some(true) {
            config.pedantic();
        }
        if let Some(level) = file.downs.locking {
            config.options.downs_locking = level;
        }
        if let Some(select) = &file.select {
            config.selection.select = Some(select.iter().flat_map(|s| s.rules()).collect());
        }
        // A category's level first, then the rules named one by one: the
        // narrower setting wins (`ignore = ["locking"]` with
        // `require-lock-timeout = "warning"` keeps that one rule).
        let ignored = file.ignore.iter().map(|s| (*s, Level::Off));
        let levels: Vec<(Selector, Level)> = ignored
            .chain(file.rules.iter().map(|(s, l)| (*s, *l)))
            .collect();
        for narrow in [false, true] {
            for (selector, level) in &levels {
                if matches!(selector, Selector::Rule(_)) == narrow {
                    for rule in selector.rules() {
                        config.selection.levels.insert(rule, *level);
                    }
                }
            }
        }
        config.options.small_tables = file.tables.small.iter().map(|t| t.0.clone()).collect();
        for (Marker(marker), selectors) in &file.markers {
            let rules = selectors.iter().flat_map(|s| s.rules()).collect();
            config.options.markers.push((marker.clone(), rules));
        }
        let naming = &file.naming;
        let slots = &mut config.options.naming;
        slots.title_configured = naming.title.is_some();
        for (pattern, slot) in [
            (&naming.title, &mut slots.title),
            (&naming.index, &mut slots.index),
            (&naming.constraint, &mut slots.constraint),
            (&naming.table, &mut slots.table),
        ] {
            if let Some(Pattern(regex)) = pattern {
                *slot = regex.clone();
            }
        }
        Ok(config)
    }

    pub fn set_pg_version(&mut self, version: u32) -> Result<(), ConfigError> {
        check_pg_version(version)?;
        self.options.pg_version = version;
        Ok(())
    }

    /// Runs only these rules or categories (plus any later `select`).
    pub fn select(&mut self, names: &[String]) -> Result<(), ConfigError> {
        let mut rules = Vec::new();
        for name in names {
            rules.extend(known(name, "select")?.rules());
        }
        self.selection.select = Some(rules);
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

    /// Turns these rules or categories off.
    pub fn ignore(&mut self, names: &[String]) -> Result<(), ConfigError> {
        for name in names {
            for rule in known(name, "ignore")?.rules() {
                self.selection.levels.insert(rule, Level::Off);
            }
        }
        Ok(())
    }

    /// Sets one rule's level, or a category's (e.g. to turn on a rule that
    /// is off by default).
    pub fn set_level(&mut self, name: &str, level: Level) -> Result<(), ConfigError> {
        for rule in known(name, "rules")?.rules() {
            self.selection.levels.insert(rule, level);
        }
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

fn known(name: &str, key: &str) -> Result<Selector, ConfigError> {
    Selector::parse(name).map_err(|e| ConfigError(format!("{key}: {e}")))
}

/// The registry's name for `name`, or what is wrong with it: the closest
/// rule name, or that the key belongs at the top of the file.
fn rule_named(name: &str) -> Result<&'static str, String> {
    if let Some(rule) = rules::find(name) {
        return Ok(rule.name);
    }
    const TOP_LEVEL: [&str; 6] = [
        "pedantic",
        "pg-version",
        "multi-statement",
        "migrations",
        "select",
        "ignore",
    ];
    if TOP_LEVEL.contains(&name) {
        return Err(format!(
            "`{name}` is not a rule but a top-level key: write it above the first `[table]` header"
        ));
    }
    if ["downs", "naming", "tables"].contains(&name) {
        return Err(format!(
            "`{name}` is not a rule: `[downs]`, `[naming]` and `[tables]` are tables of their own (see the README)"
        ));
    }
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    Err(format!(
        "{} (`migralint rules` lists them; a category names all its rules: {})",
        rules::unknown(name),
        categories.join(", ")
    ))
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

    /// Mistakes a user makes in `migralint.toml`, each refused with what is
    /// expected and the line that holds it (the TOML error's position).
    #[test]
    fn mistakes_are_named_at_their_line() {
        let cases: [(&str, &str, &str); 16] = [
            ("[rules]\npedantic = true\n", "line 2", "top-level key"),
            (
                "[rules]\nrequire-lock-timeout = true\n",
                "line 2",
                r#"expected a level: "off", "warning" or "error""#,
            ),
            (
                "[rules]\nrequire-lock-timout = \"warning\"\n",
                "line 2",
                "did you mean `require-lock-timeout`",
            ),
            (
                "[rules]\n[rules.downs]\nlocking = \"off\"\n",
                "line 2",
                "tables of their own",
            ),
            ("downs = \"off\"\n", "line 1", "expected a table: `[downs]`"),
            (
                "[downs]\nlocking = { error = {} }\n",
                "line 2",
                "expected a level",
            ),
            (
                "[downs]\nlocking = \"loud\"\n",
                "line 2",
                r#"unknown level "loud""#,
            ),
            (
                "ignore = [\"prefer-jsonb\",\n  \"nope\"]\n",
                "line 2",
                "unknown rule `nope`",
            ),
            (
                "pg-version = 8\n",
                "line 1",
                "not a PostgreSQL major version",
            ),
            ("naming = 3\n", "line 1", "expected a table: `[naming]`"),
            (
                "[markers]\n\"nolint\" = [\"require-lock-timeout\"]\n\" nolint:x\" = []\n",
                "line 3",
                "is not a marker",
            ),
            (
                "[markers]\n\"nolint:concurrentIndex\" = [\"concurrent-index\"]\n",
                "line 2",
                "unknown rule `concurrent-index`",
            ),
            (
                "[tables]\nsmall = [\"flags\",\n  \"a.b.c\"]\n",
                "line 2",
                "`a.b.c` is not a table name",
            ),
            (
                "[tables]\nsmall = [\"\\\"Flags\\\"\"]\n",
                "line 2",
                "unquoted",
            ),
            (
                "[tables]\nbig = [\"events\"]\n",
                "line 2",
                "unknown field `big`",
            ),
            (
                "[rules]\ntables = \"off\"\n",
                "line 2",
                "tables of their own",
            ),
        ];
        for (text, line, says) in cases {
            let err = Config::from_toml_str(text).unwrap_err().0;
            assert!(err.contains(line) && err.contains(says), "{text:?}: {err}");
            assert!(
                !err.contains("DownsFile") && !err.contains("wanted string or table"),
                "{err}"
            );
        }
        // The JSON twin (the wasm API) refuses the same, with its position.
        let err = Config::from_json_str(r#"{"rules": {"pedantic": true}}"#)
            .unwrap_err()
            .0;
        assert!(
            err.contains("top-level key") && err.contains("column"),
            "{err}"
        );
        let err = Config::from_json_str(r#"{"downs": {"locking": {"error": {}}}}"#)
            .unwrap_err()
            .0;
        assert!(err.contains("expected a level"), "{err}");
    }

    /// `[tables] small`: what the team knows of a table's size quiets the
    /// findings that rest on it (the cost of work on the table, a lock
    /// queued behind long-running queries, ids running out), and only for
    /// the tables it names; what fails on any row stays.
    #[test]
    fn small_tables_quiet_what_rests_on_size() {
        let history = "CREATE TABLE flags (id int PRIMARY KEY, name text);\n\
                       CREATE TABLE events (id int PRIMARY KEY, name text);\n\
                       CREATE TABLE ops.settings (id int PRIMARY KEY, name text);\n\
                       CREATE INDEX flags_id ON flags (id);\n\
                       CREATE INDEX events_id ON events (id);\n\
                       CREATE INDEX settings_id ON ops.settings (id);\n";
        let change = |t: &str| {
            format!(
                "ALTER TABLE {t} ALTER COLUMN name TYPE varchar(20);\n\
                 CREATE INDEX {}_name ON {t} (name);\n\
                 UPDATE {t} SET name = lower(name);\n\
                 ALTER TABLE {t} ADD COLUMN must int NOT NULL;\n",
                t.replace('.', "_")
            )
        };
        let lint_with = |toml: &str, t: &str| -> Vec<String> {
            let config = Config::from_toml_str(toml).unwrap();
            let up = change(t);
            let drop = format!("DROP INDEX {t}_id;");
            let sources = [
                crate::SourceFile::new("000001_base.up.sql", history),
                crate::SourceFile::new("000002_change.up.sql", &up),
                crate::SourceFile::new(
                    "000003_new.up.sql",
                    "CREATE TABLE counters (id serial PRIMARY KEY);",
                ),
                crate::SourceFile::new("000004_drop.up.sql", &drop),
            ];
            let report = crate::lint(
                &sources,
                &crate::LintOptions {
                    config,
                    report_only: None,
                },
            );
            let mut rules: Vec<String> = report
                .diagnostics
                .iter()
                .filter(|d| d.file != "000001_base.up.sql")
                .map(|d| format!("{}:{}", d.line, d.rule))
                .collect();
            rules.sort();
            rules
        };
        let loud = lint_with("", "flags");
        for rule in [
            "require-lock-timeout",
            "changing-column-type",
            "require-concurrent-index-creation",
            "require-concurrent-index-deletion",
            "adding-required-field",
            "prefer-bigint-over-int",
        ] {
            assert!(loud.iter().any(|r| r.ends_with(rule)), "{rule}: {loud:?}");
        }
        let small = "[tables]\nsmall = [\"flags\", \"ops.settings\", \"counters\"]\n";
        for table in ["flags", "ops.settings"] {
            assert_eq!(
                lint_with(small, table),
                ["4:adding-required-field"].map(String::from),
                "{table}"
            );
        }
        // Tables it does not name, or a schema it does not name, stay loud
        // (`counters`, named, loses its serial finding).
        let loud_but_counters: Vec<String> = loud
            .iter()
            .filter(|r| !r.ends_with("prefer-bigint-over-int"))
            .cloned()
            .collect();
        assert_eq!(lint_with(small, "events"), loud_but_counters);
        let other_schema = "[tables]\nsmall = [\"public.settings\"]\n";
        assert!(lint_with(other_schema, "ops.settings").len() > 2);
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

    /// A category names all its rules, in `select`, `ignore`, `[rules]` and
    /// `[markers]`, and on the command line; a rule's own setting wins over
    /// its category's, whichever comes first in the file.
    #[test]
    fn categories_select_their_rules_and_the_narrower_setting_wins() {
        let locking: Vec<_> = rules::REGISTRY
            .iter()
            .filter(|r| r.category == Category::Locking && r.default_enabled)
            .collect();
        assert!(locking.len() > 5);
        let timeout = rules::find("require-lock-timeout").unwrap();
        let jsonb = rules::find("prefer-jsonb").unwrap();
        let c = Config::from_toml_str(
            "ignore = [\"locking\"]\n[rules]\nrequire-lock-timeout = \"error\"\n",
        )
        .unwrap();
        for rule in &locking {
            let want = if rule.name == timeout.name {
                Some(crate::report::Severity::Error)
            } else {
                None
            };
            assert_eq!(c.severity(rule), want, "{}", rule.name);
        }
        assert_eq!(c.severity(jsonb), Some(jsonb.default_severity));
        // The other way round: the category is raised, one rule turned off.
        let c = Config::from_toml_str("ignore = [\"prefer-jsonb\"]\n[rules]\nstyle = \"error\"\n")
            .unwrap();
        assert_eq!(c.severity(jsonb), None);
        let timestamptz = rules::find("prefer-timestamptz").unwrap();
        assert_eq!(
            c.severity(timestamptz),
            Some(crate::report::Severity::Error)
        );
        // `select` and the command line's flags.
        let c = Config::from_toml_str("select = [\"pairing\"]\n").unwrap();
        assert_eq!(c.severity(timeout), None);
        let empty_down = rules::find("empty-down").unwrap();
        assert_eq!(c.severity(empty_down), Some(empty_down.default_severity));
        let mut c = Config::default();
        c.ignore(&["locking".into()]).unwrap();
        assert!(locking.iter().all(|r| c.severity(r).is_none()));
        c.select(&["style".into()]).unwrap();
        assert_eq!(c.severity(jsonb), Some(jsonb.default_severity));
        assert_eq!(c.severity(empty_down), None);
        let c = Config::from_toml_str("[markers]\n\"nolint\" = [\"locking\"]\n").unwrap();
        assert_eq!(
            c.options.markers[0].1.len(),
            rules::REGISTRY
                .iter()
                .filter(|r| r.category == Category::Locking)
                .count()
        );
        // An unknown name lists the categories.
        let err = Config::from_toml_str("ignore = [\"lockng\"]\n")
            .unwrap_err()
            .0;
        assert!(
            err.contains("unknown rule `lockng`") && err.contains("locking, compatibility"),
            "{err}"
        );
    }

    #[test]
    fn bad_regex_is_named() {
        let err = Config::from_toml_str("[naming]\ntitle = \"(\"\n").unwrap_err();
        assert!(err.0.contains("invalid regex"), "{err}");
        assert!(err.0.contains("line 2"), "{err}");
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
