//! What the engine reports itself (syntax errors, suppression comments
//! that name no rule or an unknown one) and what it leaves out
//! (diagnostics a `migralint-ignore` comment suppresses, pairing findings
//! on a version whose files did not parse).

use std::collections::HashSet;

use super::files::{dir_of, SetFile};
use super::resolve::{diagnostic, Found};
use super::rule::{closest, find, Category, Registry, Rule};
use crate::parse::EVERY_RULE;
use crate::report::{Diagnostic, Severity};

/// `syntax-error` and `invalid-suppression` diagnostics.
pub fn builtin_diagnostics(
    files: &[SetFile],
    registry: &Registry,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let level = |name: &str| enabled.iter().find(|(r, _)| r.name == name).copied();
    let found = |span, message, help: String| Found {
        span,
        message,
        help: Some(help),
        fixes: Vec::new(),
    };
    if let Some((rule, severity)) = level("syntax-error") {
        for (i, f) in files.iter().enumerate() {
            for e in &f.syntax_errors {
                let help = "fix the SQL: PostgreSQL itself will reject this statement".to_string();
                let d = diagnostic(f, rule, severity, found(e.span, e.message.clone(), help));
                out.push((i, d));
            }
        }
    }
    if let Some((rule, severity)) = level("invalid-suppression") {
        for (i, f) in files.iter().enumerate() {
            // squawk's names are squawk's to check: the ones we do not
            // map were dropped when the comment was read.
            for sup in f.suppressions.iter().filter(|s| !s.squawk) {
                if sup.rules.is_empty() {
                    let msg = "suppression comment names no rule".to_string();
                    let help =
                        "write `-- migralint-ignore rule-name` (see `migralint rules`)".to_string();
                    out.push((i, diagnostic(f, rule, severity, found(sup.span, msg, help))));
                }
                for (name, span) in &sup.rules {
                    if find(registry, name).is_none() {
                        let msg = format!("unknown rule `{name}` in suppression comment");
                        let help = match closest(registry, name) {
                            Some(r) => format!(
                                "did you mean `{}`? `migralint rules` lists every rule",
                                r.name
                            ),
                            None => "`migralint rules` lists every rule".to_string(),
                        };
                        out.push((i, diagnostic(f, rule, severity, found(*span, msg, help))));
                    }
                }
            }
        }
    }
}

/// Drops pairing findings on a version whose up or down did not parse:
/// what that file creates or drops is unknown.
pub fn drop_unjudgeable_pairing(
    files: &[SetFile],
    registry: &Registry,
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let unparsable: HashSet<(&str, u64)> = files
        .iter()
        .filter(|f| !f.syntax_errors.is_empty())
        .filter_map(|f| f.name.as_ref().map(|n| (dir_of(&f.path), n.version)))
        .collect();
    let pairing: Vec<&str> = registry
        .iter()
        .filter(|r| r.category == Category::Pairing)
        .map(|r| r.name)
        .collect();
    out.retain(|(index, d)| {
        if !pairing.contains(&d.rule) {
            return true;
        }
        let target = &files[*index];
        let unknown = match &target.name {
            Some(n) => unparsable.contains(&(dir_of(&target.path), n.version)),
            None => !target.syntax_errors.is_empty(),
        };
        !unknown
    });
}

/// Drops diagnostics suppressed by `migralint-ignore` (and `squawk-ignore`)
/// comments. A bare `squawk-ignore` (every rule) leaves syntax errors:
/// PostgreSQL rejects the file whatever a comment says.
pub fn apply_suppressions(files: &[SetFile], out: &mut Vec<(usize, Diagnostic)>) {
    out.retain(|(i, d)| {
        let file = &files[*i];
        if file.suppressions.is_empty() {
            return true;
        }
        let names = |n: &str| n == d.rule || (n == EVERY_RULE && d.rule != "syntax-error");
        let file_level = file
            .suppressions
            .iter()
            .filter(|s| s.whole_file)
            .any(|s| s.rules.iter().any(|(n, _)| names(n)));
        if file_level {
            return false;
        }
        // The statement the diagnostic starts in (statements are in order
        // and do not overlap).
        let at = file
            .statements
            .partition_point(|s| s.span.start <= d.span.start);
        !at.checked_sub(1)
            .map(|i| &file.statements[i])
            .is_some_and(|s| d.span.start <= s.span.end && s.ignored.iter().any(|n| names(n)))
    });
}
