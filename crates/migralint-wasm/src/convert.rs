//! The JavaScript-independent half of the bindings: core inputs in, the
//! core's rendered output out. Kept free of `JsValue` so it is unit-tested
//! natively.

use std::str::FromStr;

use migralint_core::config::Config;
use migralint_core::{render, rules, LintOptions, SourceFile};

/// Where the configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigInput {
    /// No configuration: the defaults (as the CLI without a migralint.toml).
    Default,
    /// The text of a `migralint.toml`.
    Toml(String),
    /// The same keys as a JSON object.
    Json(String),
}

impl ConfigInput {
    pub fn resolve(&self) -> Result<Config, String> {
        let parsed = match self {
            ConfigInput::Default => return Ok(Config::default()),
            ConfigInput::Toml(text) => Config::from_toml_str(text),
            ConfigInput::Json(text) => Config::from_json_str(text),
        };
        parsed.map_err(|e| format!("invalid config: {e}"))
    }
}

/// An output format: the core's renderers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Sarif,
    Github,
    Compact,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            "compact" => Ok(Format::Compact),
            other => Err(format!(
                "unknown format `{other}` (expected json, sarif, github or compact)"
            )),
        }
    }
}

/// Lints `files` with `config` and renders the report.
pub fn lint_to_string(
    files: &[SourceFile],
    config: &ConfigInput,
    report_only: Option<Vec<String>>,
    format: Format,
) -> Result<String, String> {
    let mut out = lint_to_strings(files, config, &[(format, report_only)])?;
    Ok(out.pop().expect("one output per request"))
}

/// One output of `lint_to_strings`: a format, and the paths to report on
/// (all files when `None`).
pub type OutputRequest = (Format, Option<Vec<String>>);

/// Lints `files` once with `config` and renders the report once per
/// request: in its format, keeping only the diagnostics of its
/// `report_only` paths when given. What `lint_to_string` gives for each
/// request, for the cost of one lint.
pub fn lint_to_strings(
    files: &[SourceFile],
    config: &ConfigInput,
    requests: &[OutputRequest],
) -> Result<Vec<String>, String> {
    let options = LintOptions {
        config: config.resolve()?,
        report_only: None,
    };
    let full = migralint_core::lint(files, &options);
    Ok(requests
        .iter()
        .map(|(format, only)| {
            let mut report = full.clone();
            if let Some(only) = only {
                report.keep_only(only);
            }
            render_format(&report, *format)
        })
        .collect())
}

fn render_format(report: &migralint_core::Report, format: Format) -> String {
    match format {
        Format::Json => render::json(report),
        Format::Sarif => render::sarif(report),
        Format::Github => render::github(report),
        Format::Compact => render::compact(report),
    }
}

/// The registry as `migralint rules --format json` prints it: a
/// pretty-printed JSON array of `{category, enabled, name, severity,
/// summary}` (`severity` is the default severity, `enabled` whether the rule
/// runs without configuration), with a trailing newline.
pub fn rules_json() -> String {
    let list: Vec<serde_json::Value> = rules::REGISTRY
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "category": r.category.as_str(),
                "severity": r.default_severity.as_str(),
                "enabled": r.default_enabled,
                "summary": r.summary,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&list).expect("rule list serializes");
    out.push('\n');
    out
}

/// A rule's Markdown page.
pub fn explain_rule(name: &str) -> Result<&'static str, String> {
    match rules::find(name) {
        Some(rule) => Ok(rule.doc),
        None => {
            let hint = rules::closest(name)
                .map(|r| format!("; did you mean `{}`?", r.name))
                .unwrap_or_default();
            Err(format!("unknown rule `{name}`{hint}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<SourceFile> {
        vec![
            SourceFile::new(
                "db/000001_create_users.up.sql",
                "CREATE TABLE users (id bigint PRIMARY KEY);\n",
            ),
            SourceFile::new("db/000001_create_users.down.sql", "DROP TABLE users;\n"),
            SourceFile::new("db/000002_broken.up.sql", "ALTER TABLE users ADD COLUMN;\n"),
            SourceFile::new("db/000002_broken.down.sql", "SELECT 1;\n"),
        ]
    }

    #[test]
    fn json_is_the_core_renderer_output() {
        let options = LintOptions::default();
        let expected = render::json(&migralint_core::lint(&files(), &options));
        let got = lint_to_string(&files(), &ConfigInput::Default, None, Format::Json).unwrap();
        assert_eq!(got, expected);
        assert!(got.contains("\"syntax-error\""), "{got}");
    }

    #[test]
    fn one_lint_many_outputs() {
        let only = vec!["db/000002_broken.up.sql".to_string()];
        let requests = [
            (Format::Json, Some(only.clone())),
            (Format::Github, Some(only.clone())),
            (Format::Sarif, None),
            (Format::Compact, Some(vec![])),
        ];
        let got = lint_to_strings(&files(), &ConfigInput::Default, &requests).unwrap();
        for ((format, only), got) in requests.iter().zip(&got) {
            let one = lint_to_string(&files(), &ConfigInput::Default, only.clone(), *format);
            assert_eq!(got, &one.unwrap());
        }
        assert!(got[0].contains("000002_broken.up.sql") && !got[0].contains("create_users"));
        assert!(lint_to_strings(&files(), &ConfigInput::Toml("x = 1".into()), &requests).is_err());
    }

    #[test]
    fn every_format_renders() {
        for (name, format) in [
            ("json", Format::Json),
            ("sarif", Format::Sarif),
            ("github", Format::Github),
            ("compact", Format::Compact),
        ] {
            assert_eq!(name.parse::<Format>().unwrap(), format);
            let out = lint_to_string(&files(), &ConfigInput::Default, None, format).unwrap();
            assert!(out.contains("000002_broken.up.sql"), "{name}: {out}");
        }
        let err = "xml".parse::<Format>().unwrap_err();
        assert!(err.contains("unknown format `xml`"), "{err}");
    }

    #[test]
    fn toml_and_json_configs_are_equivalent() {
        let toml = ConfigInput::Toml("pg-version = 13\n".into());
        let json = ConfigInput::Json(r#"{"pg-version": 13}"#.into());
        assert_eq!(toml.resolve().unwrap().options.pg_version, 13);
        assert_eq!(json.resolve().unwrap().options.pg_version, 13);
    }

    #[test]
    fn bad_config_is_an_error_naming_the_key() {
        for input in [
            ConfigInput::Toml("no-such-key = 1\n".into()),
            ConfigInput::Json(r#"{"no-such-key": 1}"#.into()),
        ] {
            let err = lint_to_string(&files(), &input, None, Format::Json).unwrap_err();
            assert!(err.starts_with("invalid config: "), "{err}");
            assert!(err.contains("no-such-key"), "{err}");
        }
    }

    #[test]
    fn report_only_limits_the_report() {
        let only = Some(vec!["db/000001_create_users.up.sql".to_owned()]);
        let out = lint_to_string(&files(), &ConfigInput::Default, only, Format::Json).unwrap();
        assert!(!out.contains("000002_broken.up.sql"), "{out}");
    }

    #[test]
    fn rules_lists_the_registry() {
        let list: Vec<serde_json::Value> = serde_json::from_str(&rules_json()).unwrap();
        assert_eq!(list.len(), rules::REGISTRY.len());
        for (entry, rule) in list.iter().zip(rules::REGISTRY) {
            assert_eq!(entry["name"], rule.name);
            assert_eq!(entry["category"], rule.category.as_str());
            assert_eq!(entry["severity"], rule.default_severity.as_str());
            assert_eq!(entry["summary"], rule.summary);
            assert_eq!(entry["enabled"], rule.default_enabled);
        }
    }

    #[test]
    fn explain_returns_the_page_or_an_error() {
        let rule = rules::REGISTRY[0];
        assert_eq!(explain_rule(rule.name).unwrap(), rule.doc);
        let err = explain_rule("no-such-rule-at-all").unwrap_err();
        assert!(
            err.starts_with("unknown rule `no-such-rule-at-all`"),
            "{err}"
        );
    }
}
