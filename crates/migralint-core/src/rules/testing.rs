//! Test helpers for rules: lint SQL as a migration file, assert a rule fires
//! (and render what the user sees for a snapshot) or stays silent, and run
//! every example of every rule page.

use std::fmt::Write;

use crate::config::{Config, Level};
use crate::report::Diagnostic;
use crate::rules::{Rule, REGISTRY};
use crate::{lint, LintOptions, SourceFile};

pub const DEFAULT_FILE: &str = "000001_example.up.sql";

/// Lints files with `rule` alone turned on (even when it is off by
/// default), in down files too: a rule is tested for what it finds; how
/// the engine folds findings of several rules and judges downs is tested
/// in `engine::noise`.
pub fn lint_files(rule: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut config = Config::default();
    config.set_level(rule, Level::Error).expect("known rule");
    config.select(&[rule.to_string()]).expect("known rule");
    config.options.downs_locking = Level::Error;
    let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
    lint(
        &sources,
        &LintOptions {
            config,
            report_only: None,
        },
    )
    .diagnostics
}

pub fn only(rule: &str, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.into_iter().filter(|d| d.rule == rule).collect()
}

/// Asserts `rule` fires on `sql` (one up file) and renders its diagnostics.
#[track_caller]
pub fn assert_err(rule: &str, sql: &str) -> String {
    assert_err_files(rule, &[(DEFAULT_FILE, sql)])
}

/// Asserts `rule` fires on the files and renders its diagnostics.
#[track_caller]
pub fn assert_err_files(rule: &str, files: &[(&str, &str)]) -> String {
    let diags = only(rule, lint_files(rule, files));
    assert!(!diags.is_empty(), "expected `{rule}` to fire on {files:#?}");
    render(files, &diags)
}

/// Asserts `rule` stays silent on `sql` (one up file).
#[track_caller]
pub fn assert_ok(rule: &str, sql: &str) {
    assert_ok_files(rule, &[(DEFAULT_FILE, sql)]);
}

#[track_caller]
pub fn assert_ok_files(rule: &str, files: &[(&str, &str)]) {
    let diags = only(rule, lint_files(rule, files));
    assert!(
        diags.is_empty(),
        "expected no `{rule}`, got:\n{}",
        render(files, &diags)
    );
}

/// Plain rendering with the span underlined, for snapshots.
pub fn render(files: &[(&str, &str)], diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let text = files
            .iter()
            .find(|(p, _)| *p == d.file)
            .map_or("", |(_, t)| *t);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            d.file,
            d.line,
            d.column,
            d.severity.as_str(),
            d.rule,
            d.message
        );
        if let Some(line) = text.lines().nth(d.line.saturating_sub(1)) {
            let width = if d.end_line == d.line {
                d.end_column.saturating_sub(d.column).max(1)
            } else {
                line.chars().count() + 1 - d.column
            };
            let _ = writeln!(out, "  | {line}");
            let _ = writeln!(out, "  | {}{}", " ".repeat(d.column - 1), "^".repeat(width));
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  = help: {help}");
        }
    }
    out
}

/// A fenced example on a rule page.
pub struct Example {
    pub good: bool,
    pub files: Vec<(String, String)>,
    pub line: usize,
}

/// The `sql bad` / `sql good` blocks of a page. A block's info string may
/// name its file (`sql bad file=000002_x.down.sql`); a block may hold
/// several files, each introduced by a `-- file: NAME` line.
pub fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = doc.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```sql") else {
            continue;
        };
        let mut words = info.split_whitespace();
        let good = match words.next() {
            Some("good") => true,
            Some("bad") => false,
            _ => continue,
        };
        let mut current = words
            .find_map(|w| w.strip_prefix("file="))
            .unwrap_or(DEFAULT_FILE)
            .to_string();
        let mut files: Vec<(String, String)> = Vec::new();
        let mut body = String::new();
        for (_, line) in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            if let Some(name) = line.strip_prefix("-- file: ") {
                if !body.trim().is_empty() || !files.is_empty() || current != DEFAULT_FILE {
                    files.push((current, std::mem::take(&mut body)));
                }
                body.clear();
                current = name.trim().to_string();
                continue;
            }
            body.push_str(line);
            body.push('\n');
        }
        files.push((current, body));
        out.push(Example {
            good,
            files,
            line: n + 1,
        });
    }
    out
}

/// Runs one page's examples against its rule.
pub fn check_examples(rule: &Rule) -> Vec<String> {
    let mut failures = Vec::new();
    for ex in examples(rule.doc) {
        let files: Vec<(&str, &str)> = ex
            .files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let hits = only(rule.name, lint_files(rule.name, &files));
        if ex.good && !hits.is_empty() {
            failures.push(format!(
                "rules/{}.md:{}: good example raises it:\n{}",
                rule.name,
                ex.line,
                render(&files, &hits)
            ));
        }
        if !ex.good && hits.is_empty() {
            failures.push(format!(
                "rules/{}.md:{}: bad example does not raise it",
                rule.name, ex.line
            ));
        }
    }
    failures
}

#[test]
fn every_page_example_holds() {
    let failures: Vec<String> = REGISTRY.iter().flat_map(|r| check_examples(r)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Lints `sql` (one up file) with `rule` on, applies its fixes (unsafe
/// ones too, once) and returns the new text; `None` when it has no fix.
pub fn fixed(rule: &str, sql: &str) -> Option<String> {
    fixed_files(rule, &[(DEFAULT_FILE, sql)])
        .into_iter()
        .find(|(p, _)| p == DEFAULT_FILE)
        .map(|(_, t)| t)
}

/// Like `fixed`, over several files: the changed and created files.
pub fn fixed_files(rule: &str, files: &[(&str, &str)]) -> Vec<(String, String)> {
    let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
    let report = crate::report::Report {
        diagnostics: only(rule, lint_files(rule, files)),
        files: files.len(),
    };
    let options = crate::fix::FixOptions { unsafe_fixes: true };
    crate::fix::apply_fixes(&sources, &report, &options)
        .files
        .into_iter()
        .map(|f| (f.path, f.text))
        .collect()
}

/// Every rule on, at error level.
fn all_rules_config() -> Config {
    let mut config = Config::default();
    for r in REGISTRY {
        config.set_level(r.name, Level::Error).expect("known rule");
    }
    config
}

/// Lints with trees kept and with trees dropped (every statement parsed
/// again alone, as for a large file): the same diagnostics.
fn assert_same_both_ways(files: &[(String, String)], what: &str) {
    use crate::engine::{lint_with, Limits};
    let config = all_rules_config();
    let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(p, t)).collect();
    let run = |limits| {
        lint_with(
            &sources,
            &config.options,
            &config.selection,
            REGISTRY,
            limits,
        )
        .diagnostics
    };
    let kept = run(Limits {
        keep_trees: usize::MAX,
        run: usize::MAX,
    });
    let dropped = run(Limits {
        keep_trees: 0,
        run: 1,
    });
    assert_eq!(kept, dropped, "{what}: trees kept and dropped differ");
}

#[test]
fn trees_dropped_lint_the_same() {
    for r in REGISTRY {
        for ex in examples(r.doc) {
            assert_same_both_ways(&ex.files, &format!("rules/{}.md:{}", r.name, ex.line));
        }
    }
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");
    for dir in std::fs::read_dir(fixtures).expect("fixtures") {
        let dir = dir.unwrap().path();
        let mut files = Vec::new();
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            if let Ok(text) = std::fs::read_to_string(&p) {
                files.push((p.display().to_string(), text));
            }
        }
        files.sort();
        assert_same_both_ways(&files, &dir.display().to_string());
    }
}

/// A file past the size whose trees are kept lints as it would with them.
#[test]
fn large_file_lints_the_same() {
    let mut up = String::from("CREATE TABLE t (id int PRIMARY KEY, a text);\nCOMMIT;\n");
    let mut i = 0;
    while up.len() < (1 << 20) + 1000 {
        up.push_str(&format!(
            "ALTER TABLE t ADD COLUMN c{i} int;\nUPDATE t SET a = 'x';\nCREATE INDEX i{i} ON t (a);\n\
             -- migralint-ignore require-lock-timeout\nALTER TABLE t ALTER COLUMN c{i} TYPE bigint;\n\
             SELEC broken;\nSELECT 'a;b', $$ ; $$;\n"
        ));
        i += 1;
    }
    let files = vec![
        ("1_big.up.sql".to_string(), up),
        ("1_big.down.sql".to_string(), "DROP TABLE t;".to_string()),
    ];
    assert_same_both_ways(&files, "large file");
    // And with the default limits (trees dropped past 1 MiB).
    let config = all_rules_config();
    let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(p, t)).collect();
    let default = crate::engine::lint(&sources, &config.options, &config.selection, REGISTRY);
    let kept = crate::engine::lint_with(
        &sources,
        &config.options,
        &config.selection,
        REGISTRY,
        crate::engine::Limits {
            keep_trees: usize::MAX,
            run: usize::MAX,
        },
    );
    assert_eq!(default.diagnostics, kept.diagnostics);
    assert!(default.diagnostics.iter().any(|d| d.rule == "syntax-error"));
}
