//! What the engine reports itself (syntax errors, suppression comments
//! that name no rule or an unknown one) and what it leaves out
//! (diagnostics a `migralint-ignore` comment suppresses, pairing findings
//! on a version whose files did not parse).

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use super::files::{dir_of, SetFile};
use super::resolve::{diagnostic, Found};
use super::rule::{closest, find, Category, Registry, Rule};
use crate::parse::{comment_body, EVERY_RULE};
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

/// Drops diagnostics suppressed by `migralint-ignore` and `squawk-ignore`
/// comments, and by another tool's markers configured in `[markers]`. A
/// bare `squawk-ignore` (every rule) leaves syntax errors: PostgreSQL
/// rejects the file whatever a comment says. A suppressed finding takes
/// with it the findings on its statement that it would have stood for
/// (`Rule::subsumes`): the reviewer who accepted the non-concurrent drop
/// accepted its lock queue too.
pub fn apply_suppressions(
    files: &[SetFile],
    registry: &Registry,
    markers: &[(String, Vec<&'static str>)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let marked: Vec<Vec<(usize, &[&'static str])>> = files
        .iter()
        .map(|f| marked_statements(f, markers))
        .collect();
    let places = super::noise::places(files, out);
    let mut gone: Vec<bool> = out
        .iter()
        .zip(&places)
        .map(|((i, d), place)| {
            let file = &files[*i];
            let names = |n: &str| n == d.rule || (n == EVERY_RULE && d.rule != "syntax-error");
            let whole_file = file
                .suppressions
                .iter()
                .filter(|s| s.whole_file)
                .any(|s| s.rules.iter().any(|(n, _)| names(n)));
            let stmt = place.map(|(_, k)| k);
            let commented =
                stmt.is_some_and(|k| file.statements[k].ignored.iter().any(|n| names(n)));
            let by_marker = marked[*i]
                .iter()
                .any(|(k, rules)| stmt == Some(*k) && rules.contains(&d.rule));
            whole_file || commented || by_marker
        })
        .collect();
    // What a suppressed finding stood for goes with it (transitively).
    let mut by_stmt: FxHashMap<(usize, usize), Vec<usize>> = FxHashMap::default();
    for (k, place) in places.iter().enumerate() {
        if let Some(place) = place {
            by_stmt.entry(*place).or_default().push(k);
        }
    }
    let mut todo: Vec<usize> = (0..out.len()).filter(|&k| gone[k]).collect();
    while let Some(a) = todo.pop() {
        let (Some(place), Some(rule)) = (places[a], find(registry, out[a].1.rule)) else {
            continue;
        };
        for &b in &by_stmt[&place] {
            if !gone[b] && rule.subsumes.contains(&out[b].1.rule) {
                gone[b] = true;
                todo.push(b);
            }
        }
    }
    let mut k = 0;
    out.retain(|_| {
        k += 1;
        !gone[k - 1]
    });
}

/// The statements of `file` that follow a marker comment, with the rules
/// the marker names. A marker counts when the comment's text starts with
/// it and goes on with nothing or a space (`nolint` is not
/// `nolint:concurrentIndex`).
fn marked_statements<'m>(
    file: &SetFile,
    markers: &'m [(String, Vec<&'static str>)],
) -> Vec<(usize, &'m [&'static str])> {
    if markers.is_empty() {
        return Vec::new();
    }
    let present: Vec<_> = markers
        .iter()
        .filter(|(m, _)| file.text.contains(m.as_str()))
        .collect();
    if present.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for comment in crate::parse::comments(&file.text) {
        let body = comment_body(&file.text[comment.start..comment.end]).trim();
        // The first statement that starts after it, as for
        // `migralint-ignore`.
        let next = file
            .statements
            .partition_point(|s| s.span.start < comment.end);
        if next == file.statements.len() {
            continue;
        }
        for (marker, rules) in &present {
            let follows = body.strip_prefix(marker.as_str());
            if follows.is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
            {
                out.push((next, rules.as_slice()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::{lint, LintOptions, SourceFile};

    fn default_lint(files: &[(&str, &str)]) -> Vec<(String, usize, &'static str)> {
        let files: Vec<_> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        let options = LintOptions {
            config: Config::default(),
            report_only: None,
        };
        let mut v: Vec<_> = lint(&files, &options)
            .diagnostics
            .into_iter()
            .map(|d| (d.file, d.line, d.rule))
            .collect();
        v.sort();
        v
    }

    /// Suppressing the finding that stands for others on its statement
    /// suppresses those too: they told the same hazard.
    #[test]
    fn a_suppressed_finding_takes_what_it_stood_for() {
        let create = (
            "1_t.up.sql",
            "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);",
        );
        let drop = "DROP INDEX t_a;";
        let plain = default_lint(&[create, ("2_d.up.sql", drop)]);
        let rules: Vec<_> = plain
            .iter()
            .filter(|d| d.0 == "2_d.up.sql")
            .map(|d| d.2)
            .collect();
        assert_eq!(rules, ["require-concurrent-index-deletion"], "{plain:?}");
        for comment in [
            "-- migralint-ignore require-concurrent-index-deletion -- reviewed",
            "-- squawk-ignore require-concurrent-index-deletion",
        ] {
            let up = format!("{comment}\n{drop}");
            let quiet = default_lint(&[create, ("2_d.up.sql", &up)]);
            assert!(
                quiet.iter().all(|d| d.0 != "2_d.up.sql"),
                "{comment}: {quiet:?}"
            );
        }
        // The weaker one alone suppressed: the stronger one still stands.
        let up = format!("-- migralint-ignore require-lock-timeout\n{drop}");
        let still = default_lint(&[create, ("2_d.up.sql", &up)]);
        let rules: Vec<_> = still
            .iter()
            .filter(|d| d.0 == "2_d.up.sql")
            .map(|d| d.2)
            .collect();
        assert_eq!(rules, ["require-concurrent-index-deletion"], "{still:?}");
    }

    /// mattermost marks its reviewed non-concurrent index builds
    /// `-- nolint:concurrentIndex`; with `[markers]` that decision holds
    /// here too, for the next statement and the rules the marker names.
    #[test]
    fn configured_markers_suppress_the_next_statement() {
        let sql = "CREATE TABLE t (a int, b int);\nSELECT 1;\n";
        let up = "-- nolint:concurrentIndex\nCREATE INDEX t_a ON t (a);\n\
                  CREATE INDEX t_b ON t (b);\n/* nolint:concurrentIndexes */\nDROP INDEX t_a;\n\
                  -- nolint\nDROP INDEX t_b;";
        let files = [
            SourceFile::new("1_t.up.sql", sql),
            SourceFile::new("2_i.up.sql", up),
        ];
        let lines = |toml: &str| -> Vec<(usize, &'static str)> {
            let config = Config::from_toml_str(toml).unwrap();
            let report = lint(
                &files,
                &LintOptions {
                    config,
                    report_only: None,
                },
            );
            let mut v: Vec<_> = report
                .diagnostics
                .iter()
                .filter(|d| d.file == "2_i.up.sql" && d.rule.starts_with("require-concurrent"))
                .map(|d| (d.line, d.rule))
                .collect();
            v.sort();
            v
        };
        let all = lines("");
        assert_eq!(
            all.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [2, 3, 5, 7],
            "{all:?}"
        );
        let marked = lines(
            "[markers]\n\"nolint:concurrentIndex\" = [\"require-concurrent-index-creation\", \
             \"require-concurrent-index-deletion\"]\n",
        );
        // Line 2 is marked; line 3 is not the next statement; line 5's
        // comment is another word; line 7's `nolint` is not configured.
        assert_eq!(
            marked.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [3, 5, 7],
            "{marked:?}"
        );
        let other_rule =
            lines("[markers]\n\"nolint:concurrentIndex\" = [\"require-lock-timeout\"]\n");
        assert_eq!(other_rule, all);
    }
}
