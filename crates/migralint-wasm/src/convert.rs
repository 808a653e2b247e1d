//! The JavaScript-independent half of the bindings: core inputs in, the
//! core's rendered output out. Kept free of `JsValue` so it is unit-tested
//! natively.

use std::str::FromStr;

use std::collections::HashMap;

use migralint_core::config::{self, Config, Overrides, ResolveError};
use migralint_core::fix::{apply_fixes, fix_until_stable, FixOptions, FixRecord, SkipReason};
use migralint_core::{render, LintOptions, SourceFile};

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
    check_distinct_paths(files)?;
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

/// Refuses two files with one path: diagnostics, `reportOnly` and fixes
/// name files by path, so a second file with the same path could not be
/// told apart from the first (the CLI reads a path given twice once).
pub fn check_distinct_paths(files: &[SourceFile]) -> Result<(), String> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        if let Some(first) = seen.insert(f.path.as_str(), i) {
            return Err(format!(
                "files[{i}].path `{}` is also files[{first}].path: each file needs its own path (diagnostics name files by path)",
                f.path
            ));
        }
    }
    Ok(())
}

/// What `applyFixes` applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixRequest {
    /// Apply `unsafe` fixes too (`migralint check --fix --unsafe-fixes`).
    pub unsafe_fixes: bool,
    /// Only the fixes of these diagnostics (indexes into the `diagnostics`
    /// of the lint of the same files and config), in one pass; `None`:
    /// every selected fix, relinting until nothing more applies, as
    /// `migralint check --fix` does.
    pub diagnostics: Option<Vec<usize>>,
}

/// Applies fixes to `files` and returns, as JSON text, `{files: [{path,
/// text, created}], applied: [record], skipped: [record + reason, kind],
/// unselected, passes, converged, report}` where a record is `{rule, file,
/// line, column, message, applicability}` and `report` is the JSON report
/// (a string, as `lint` returns it) of the files after fixing.
pub fn apply_fixes_json(
    files: &[SourceFile],
    config: &ConfigInput,
    request: &FixRequest,
) -> Result<String, String> {
    check_distinct_paths(files)?;
    let options = LintOptions {
        config: config.resolve()?,
        report_only: None,
    };
    let fix_options = FixOptions {
        unsafe_fixes: request.unsafe_fixes,
    };
    let (result, report, passes, converged) = match &request.diagnostics {
        None => {
            let fixed = fix_until_stable(files, &options, &fix_options);
            (fixed.result, fixed.report, fixed.passes, fixed.converged)
        }
        Some(indexes) => {
            let mut report = migralint_core::lint(files, &options);
            let count = report.diagnostics.len();
            if let Some((k, i)) = indexes.iter().enumerate().find(|(_, i)| **i >= count) {
                return Err(format!(
                    "diagnostics[{k}]: there is no diagnostic {i} (the lint of these files has {count})"
                ));
            }
            let mut keep = vec![false; count];
            for i in indexes {
                keep[*i] = true;
            }
            let mut n = 0;
            report.diagnostics.retain(|_| {
                n += 1;
                keep[n - 1]
            });
            let result = apply_fixes(files, &report, &fix_options);
            let mut after: Vec<SourceFile> = files.to_vec();
            for f in &result.files {
                match after.iter_mut().find(|s| s.path == f.path) {
                    Some(s) if !f.created => *s = SourceFile::new(f.path.clone(), f.text.clone()),
                    _ => after.push(SourceFile::new(f.path.clone(), f.text.clone())),
                }
            }
            let passes = usize::from(!result.files.is_empty());
            (result, migralint_core::lint(&after, &options), passes, true)
        }
    };
    let record = |r: &FixRecord| {
        serde_json::json!({
            "rule": r.rule,
            "file": r.file,
            "line": r.line,
            "column": r.column,
            "message": r.message,
            "applicability": r.applicability.as_str(),
        })
    };
    let out = serde_json::json!({
        "files": result.files.iter().map(|f| serde_json::json!({
            "path": f.path,
            "text": f.text,
            "created": f.created,
        })).collect::<Vec<_>>(),
        "applied": result.applied.iter().map(record).collect::<Vec<_>>(),
        "skipped": result.skipped.iter().map(|s| {
            let mut r = record(&s.fix);
            r["reason"] = s.reason.to_string().into();
            r["kind"] = skip_kind(&s.reason).into();
            r
        }).collect::<Vec<_>>(),
        "unselected": result.unselected,
        "passes": passes,
        "converged": converged,
        "report": render::json(&report),
    });
    Ok(out.to_string())
}

fn skip_kind(reason: &SkipReason) -> &'static str {
    match reason {
        SkipReason::Conflict { .. } => "conflict",
        SkipReason::WouldNotParse { .. } => "would-not-parse",
        SkipReason::FileExists { .. } => "file-exists",
        SkipReason::VersionTaken { .. } => "version-taken",
        SkipReason::UnknownFile { .. } => "unknown-file",
        SkipReason::NotUtf8 { .. } => "not-utf8",
        SkipReason::BadEdit { .. } => "bad-edit",
    }
}

/// `resolveConfig`: a `migralint.toml` text (`None`: no file) with the
/// overrides applied, as JSON text `{migrations, config}`: `migrations`
/// as written in the file (or null), `config` the file's keys (overrides
/// applied) as an object the lint calls accept. The error says which
/// input is wrong: `(None, message)` for the text, `(Some(option),
/// message)` for an override (`option` is its name in the JS API).
pub fn resolve_config_json(
    text: Option<&str>,
    overrides: &Overrides,
) -> Result<String, (Option<&'static str>, String)> {
    match config::resolve(text, overrides) {
        Ok(r) => Ok(serde_json::json!({
            "migrations": r.migrations,
            "config": serde_json::Value::Object(r.keys),
        })
        .to_string()),
        Err(ResolveError::File(e)) => Err((None, format!("invalid config: {e}"))),
        Err(ResolveError::Override { key, error }) => {
            let option = match key {
                "pg-version" => "pgVersion",
                other => other,
            };
            Err((Some(option), format!("invalid config: {error}")))
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
    fn duplicate_paths_are_refused() {
        let mut set = files();
        set.push(SourceFile::new(
            "db/000001_create_users.down.sql",
            "SELECT 1;\n",
        ));
        let err = lint_to_string(&set, &ConfigInput::Default, None, Format::Json).unwrap_err();
        assert_eq!(
            err,
            "files[4].path `db/000001_create_users.down.sql` is also files[1].path: each file needs its own path (diagnostics name files by path)"
        );
        let err = apply_fixes_json(&set, &ConfigInput::Default, &FixRequest::default());
        assert_eq!(err.unwrap_err(), check_distinct_paths(&set).unwrap_err());
        assert!(check_distinct_paths(&files()).is_ok());
    }

    fn fixable() -> Vec<SourceFile> {
        vec![
            SourceFile::new(
                "db/000001_t.up.sql",
                "CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\n",
            ),
            SourceFile::new("db/000001_t.down.sql", "DROP TABLE IF EXISTS t;\n"),
            SourceFile::new("db/000002_i.up.sql", "CREATE INDEX t_at_idx ON t (at);\n"),
            SourceFile::new("db/000002_i.down.sql", "DROP INDEX IF EXISTS t_at_idx;\n"),
        ]
    }

    fn parsed(json: &str) -> serde_json::Value {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn apply_fixes_is_the_core_fix_loop() {
        for unsafe_fixes in [false, true] {
            let request = FixRequest {
                unsafe_fixes,
                diagnostics: None,
            };
            let out =
                parsed(&apply_fixes_json(&fixable(), &ConfigInput::Default, &request).unwrap());
            let fixed = fix_until_stable(
                &fixable(),
                &LintOptions::default(),
                &FixOptions { unsafe_fixes },
            );
            let files: Vec<(String, String, bool)> = fixed
                .result
                .files
                .iter()
                .map(|f| (f.path.clone(), f.text.clone(), f.created))
                .collect();
            let got: Vec<(String, String, bool)> = out["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["path"].as_str().unwrap().to_owned(),
                        f["text"].as_str().unwrap().to_owned(),
                        f["created"].as_bool().unwrap(),
                    )
                })
                .collect();
            assert_eq!(got, files);
            // Both fixes of the example are unsafe.
            assert_eq!(!got.is_empty(), unsafe_fixes);
            assert_eq!(out["report"], render::json(&fixed.report));
            assert_eq!(
                out["applied"].as_array().unwrap().len(),
                fixed.result.applied.len()
            );
            assert_eq!(out["unselected"], fixed.result.unselected);
            assert_eq!(out["converged"], true);
        }
    }

    #[test]
    fn apply_fixes_of_chosen_diagnostics() {
        let report =
            parsed(&lint_to_string(&fixable(), &ConfigInput::Default, None, Format::Json).unwrap());
        let diagnostics = report["diagnostics"].as_array().unwrap();
        let k = diagnostics
            .iter()
            .position(|d| d["rule"] == "prefer-timestamptz")
            .expect("the example has a prefer-timestamptz finding");
        assert_eq!(diagnostics[k]["fixes"][0]["applicability"], "unsafe");
        // Unsafe and not asked for: nothing applies.
        let safe_only = FixRequest {
            unsafe_fixes: false,
            diagnostics: Some(vec![k]),
        };
        let out = parsed(&apply_fixes_json(&fixable(), &ConfigInput::Default, &safe_only).unwrap());
        assert_eq!(out["files"], serde_json::json!([]));
        assert_eq!(out["unselected"], 1);
        assert_eq!(out["passes"], 0);
        // Asked for: only that fix applies.
        let chosen = FixRequest {
            unsafe_fixes: true,
            diagnostics: Some(vec![k]),
        };
        let out = parsed(&apply_fixes_json(&fixable(), &ConfigInput::Default, &chosen).unwrap());
        assert_eq!(
            out["files"],
            serde_json::json!([{
                "path": "db/000001_t.up.sql",
                "text": "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);\n",
                "created": false,
            }])
        );
        assert_eq!(out["applied"][0]["rule"], "prefer-timestamptz");
        assert_eq!(out["applied"][0]["applicability"], "unsafe");
        let after: serde_json::Value = parsed(out["report"].as_str().unwrap());
        assert!(after["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["rule"] != "prefer-timestamptz"));
        // The index of a diagnostic that is not there.
        let wrong = FixRequest {
            unsafe_fixes: true,
            diagnostics: Some(vec![k, 999]),
        };
        let err = apply_fixes_json(&fixable(), &ConfigInput::Default, &wrong).unwrap_err();
        assert!(
            err.starts_with(
                "diagnostics[1]: there is no diagnostic 999 (the lint of these files has "
            ),
            "{err}"
        );
    }

    #[test]
    fn resolve_config_keys_and_errors() {
        let out = resolve_config_json(
            Some("migrations = 'db/m'\n"),
            &Overrides {
                pg_version: Some(13),
            },
        )
        .unwrap();
        assert_eq!(
            out,
            r#"{"config":{"migrations":"db/m","pg-version":13},"migrations":"db/m"}"#
        );
        let out = resolve_config_json(None, &Overrides::default()).unwrap();
        assert_eq!(out, r#"{"config":{},"migrations":null}"#);
        let (option, message) =
            resolve_config_json(Some("bogus = 1"), &Overrides::default()).unwrap_err();
        assert_eq!(option, None);
        assert!(
            message.starts_with("invalid config: ") && message.contains("bogus"),
            "{message}"
        );
        let (option, message) = resolve_config_json(
            None,
            &Overrides {
                pg_version: Some(8),
            },
        )
        .unwrap_err();
        assert_eq!(option, Some("pgVersion"));
        assert!(
            message.starts_with("invalid config: pg-version 8 is not"),
            "{message}"
        );
    }
}
