//! Test helpers for rules: lint SQL as a migration file, assert a rule fires
//! (and render what the user sees for a snapshot) or stays silent, and run
//! every example of every rule page.

use std::fmt::Write;

use crate::config::{Config, Level};
use crate::report::Diagnostic;
use crate::rules::{Rule, REGISTRY};
use crate::{lint, LintOptions, SourceFile};

pub const DEFAULT_FILE: &str = "000001_example.up.sql";

/// Lints files with `rule` turned on (even when it is off by default).
pub fn lint_files(rule: &str, files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut config = Config::default();
    config.set_level(rule, Level::Error).expect("known rule");
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

fn only(rule: &str, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
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
