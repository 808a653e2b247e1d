//! What the engine does to the findings once rules have run and
//! suppressions are applied, so that each hazard is said once and where a
//! reviewer acts on it: the locking rules' level in down files (`[downs]
//! locking`), and one finding per statement and hazard (`Rule::subsumes`).

use rustc_hash::FxHashMap;

use super::files::SetFile;
use super::options::Options;
use super::rule::{find, Category, Registry, Rule};
use super::selection::Level;
use crate::migration::{Direction, STDIN_PATH};
use crate::report::{Diagnostic, Severity};

/// Files golang-migrate skips (their name is not `{version}_{title}.
/// {up|down}.{ext}`) never run: they get their one `file-name-format`
/// finding and nothing else. With `file-name-format` off (names that are
/// not golang-migrate's, on purpose) and for standard input, every file is
/// linted as a migration.
pub fn skipped_files(
    files: &[SetFile],
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    const NAME_RULE: &str = "file-name-format";
    if !enabled.iter().any(|(r, _)| r.name == NAME_RULE) {
        return;
    }
    let skipped = |i: usize| files[i].name.is_none() && files[i].path != STDIN_PATH;
    out.retain(|(i, d)| d.rule == NAME_RULE || !skipped(*i));
}

/// Locking rules whose finding means the statement fails, not that it
/// blocks: a down that PostgreSQL refuses is reported whatever `[downs]
/// locking` says (a rollback that fails is the worst moment to learn it).
const FAILS: &[&str] = &[
    "adding-required-field",
    "ban-concurrently-in-transaction",
    "ban-alter-enum-add-value-in-transaction",
];

/// Applies `[downs] locking` to the locking rules' findings in down files
/// (except those of `FAILS`).
pub fn downs_locking(
    files: &[SetFile],
    registry: &Registry,
    options: &Options,
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let is_down = |i: usize| {
        files[i]
            .name
            .as_ref()
            .is_some_and(|n| n.direction == Direction::Down)
    };
    let locking = |d: &Diagnostic| {
        !FAILS.contains(&d.rule)
            && find(registry, d.rule).is_some_and(|r| r.category == Category::Locking)
    };
    match options.downs_locking {
        Level::Off => out.retain(|(i, d)| !(is_down(*i) && locking(d))),
        level => {
            let severity = if level == Level::Error {
                Severity::Error
            } else {
                Severity::Warning
            };
            for (i, d) in out.iter_mut() {
                if is_down(*i) && locking(d) {
                    d.severity = severity;
                }
            }
        }
    }
}

/// The statement each finding is on (file, index in the file), when any.
pub(super) fn places(
    files: &[SetFile],
    out: &[(usize, Diagnostic)],
) -> Vec<Option<(usize, usize)>> {
    out.iter()
        .map(|(i, d)| {
            let stmts = &files[*i].statements;
            let k = stmts.partition_point(|s| s.span.start <= d.span.start);
            (k > 0 && d.span.start < stmts[k - 1].span.end.max(stmts[k - 1].span.start + 1))
                .then(|| (*i, k - 1))
        })
        .collect()
}

/// Merges the findings of a `once_per_statement` rule on one statement
/// into its first, whose message then names the others (their text up to
/// the first `: `). Their fixes merge when each has one of the same kind;
/// findings whose fixes cannot merge stay apart.
pub fn merge_per_statement(
    files: &[SetFile],
    registry: &Registry,
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let at = places(files, out);
    let mut groups: FxHashMap<(usize, usize, &'static str), Vec<usize>> = FxHashMap::default();
    for (k, place) in at.iter().enumerate() {
        let rule = out[k].1.rule;
        if let Some((f, s)) = place {
            if find(registry, rule).is_some_and(|r| r.once_per_statement) {
                groups.entry((*f, *s, rule)).or_default().push(k);
            }
        }
    }
    let mut gone = vec![false; out.len()];
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    for mut group in groups {
        group.sort_by_key(|&k| out[k].1.span.start);
        let fixes: Vec<usize> = group.iter().map(|&k| out[k].1.fixes.len()).collect();
        // Fixes that create a file (a new migration each) would create it
        // twice: they do not combine.
        let mergeable = fixes.iter().all(|&n| n == 0)
            || (fixes.iter().all(|&n| n == 1)
                && group.iter().all(|&k| {
                    let fix = &out[k].1.fixes[0];
                    fix.applicability == out[group[0]].1.fixes[0].applicability
                        && fix.edits.iter().all(|e| !e.new_file)
                }));
        let first = group[0];
        // Fixes that do not combine into one: the merged finding offers
        // none (one finding matters more than a partial fix).
        if !mergeable {
            out[first].1.fixes.clear();
        }
        let mut also = Vec::new();
        let mut edits = Vec::new();
        for &k in &group[1..] {
            let d = &out[k].1;
            also.push(format!("{} (line {})", head(&d.message), d.line));
            if let Some(f) = d.fixes.first().filter(|_| mergeable) {
                edits.extend(f.edits.iter().cloned());
            }
            gone[k] = true;
        }
        let d = &mut out[first].1;
        d.message.push_str(&format!(
            "; also on this statement, one finding for all: {}",
            also.join("; ")
        ));
        if let Some(f) = d.fixes.first_mut() {
            f.edits.extend(edits);
            f.edits.sort_by_key(|e| (e.file.clone(), e.span.start));
        }
    }
    let mut k = 0;
    out.retain(|_| {
        k += 1;
        !gone[k - 1]
    });
}

/// One finding per statement and hazard: where rule A's finding and the
/// finding of a rule A subsumes (`Rule::subsumes`) cover the same
/// statement, the latter is dropped and named in A's message.
pub fn fold_subsumed(files: &[SetFile], registry: &Registry, out: &mut Vec<(usize, Diagnostic)>) {
    let at = places(files, out);
    let mut by_stmt: FxHashMap<(usize, usize), Vec<usize>> = FxHashMap::default();
    for (k, place) in at.iter().enumerate() {
        if let Some(place) = place {
            by_stmt.entry(*place).or_default().push(k);
        }
    }
    let mut gone = vec![false; out.len()];
    // What each finding stands for, with what those it folded stood for.
    let mut stands: Vec<Vec<&'static str>> = vec![Vec::new(); out.len()];
    for (a, place) in at.iter().enumerate() {
        let Some(place) = place.filter(|_| !gone[a]) else {
            continue;
        };
        let Some(rule) = find(registry, out[a].1.rule) else {
            continue;
        };
        if rule.subsumes.is_empty() {
            continue;
        }
        for &b in &by_stmt[&place] {
            if b != a && !gone[b] && rule.subsumes.contains(&out[b].1.rule) {
                gone[b] = true;
                let folded = std::mem::take(&mut stands[b]);
                stands[a].push(out[b].1.rule);
                stands[a].extend(folded);
            }
        }
    }
    for (a, mut names) in stands.into_iter().enumerate() {
        if names.is_empty() || gone[a] {
            continue;
        }
        names.sort_unstable();
        names.dedup();
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let d = &mut out[a].1;
        d.message.push_str(&format!(
            " (this finding stands for {} on the same statement)",
            quoted.join(", ")
        ));
        d.stands_for.extend(names);
    }
    let mut k = 0;
    out.retain(|_| {
        k += 1;
        !gone[k - 1]
    });
}

/// A message up to its first `: ` outside brackets (what a finding is
/// about, before why it matters).
fn head(message: &str) -> &str {
    let mut depth = 0i32;
    for (i, c) in message.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ':' if depth == 0 && message[i + 1..].starts_with(' ') => return &message[..i],
            _ => {}
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Level};
    use crate::report::Severity;
    use crate::{lint, LintOptions, SourceFile};

    fn run(
        config: Config,
        files: &[(&str, &str)],
    ) -> Vec<(String, &'static str, Severity, String)> {
        let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        lint(
            &sources,
            &LintOptions {
                config,
                report_only: None,
            },
        )
        .diagnostics
        .into_iter()
        .map(|d| {
            (
                format!("{}:{}", d.file, d.line),
                d.rule,
                d.severity,
                d.message,
            )
        })
        .collect()
    }

    const TABLE: (&str, &str) = (
        "000001_t.up.sql",
        "CREATE TABLE t (id bigint PRIMARY KEY, a int, b int);\nCREATE INDEX t_a ON t (a);\n",
    );

    #[test]
    fn head_stops_outside_brackets() {
        assert_eq!(
            super::head("ALTER COLUMN a TYPE x (b: c): why"),
            "ALTER COLUMN a TYPE x (b: c)"
        );
        assert_eq!(super::head("no colon"), "no colon");
    }

    #[test]
    fn a_subsumed_finding_folds_into_the_stronger_and_comes_back_when_it_is_off() {
        let files = [TABLE, ("000002_x.up.sql", "DROP INDEX t_a;\n")];
        let out = run(Config::default(), &files);
        let rules: Vec<_> = out
            .iter()
            .filter(|d| d.0 == "000002_x.up.sql:1")
            .map(|d| d.1)
            .collect();
        assert_eq!(rules, ["require-concurrent-index-deletion"], "{out:#?}");
        let sources: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        let report = lint(&sources, &LintOptions::default());
        let stands: Vec<_> = report
            .diagnostics
            .iter()
            .map(|d| d.stands_for.clone())
            .collect();
        assert!(stands.contains(&vec!["require-lock-timeout"]), "{stands:?}");
        assert!(
            out.iter()
                .any(|d| d.3.contains("stands for `require-lock-timeout`")),
            "{out:#?}"
        );
        let mut config = Config::default();
        config
            .set_level("require-concurrent-index-deletion", Level::Off)
            .unwrap();
        let out = run(config, &files);
        let rules: Vec<_> = out
            .iter()
            .filter(|d| d.0 == "000002_x.up.sql:1")
            .map(|d| d.1)
            .collect();
        assert_eq!(rules, ["require-lock-timeout"], "{out:#?}");
    }

    #[test]
    fn one_rewrite_one_finding() {
        let files = [
            TABLE,
            (
                "000002_x.up.sql",
                "ALTER TABLE t\n  ALTER COLUMN a TYPE bigint,\n  ALTER COLUMN b TYPE bigint;\n",
            ),
        ];
        let out = run(Config::default(), &files);
        let ours: Vec<_> = out
            .iter()
            .filter(|d| d.1 == "changing-column-type")
            .collect();
        assert_eq!(ours.len(), 1, "{out:#?}");
        assert!(ours[0].3.contains("ALTER COLUMN b TYPE changes integer → bigint (not binary-coercible: every value is converted) (line 3)"), "{out:#?}");
    }

    /// A statement whose own slow work a specific rule reports names the
    /// earlier lock it runs under there, not in a second finding; a
    /// backfill under a held lock is one finding, not two.
    #[test]
    fn slow_work_under_a_held_lock_is_one_finding() {
        let files = [
            TABLE,
            ("000002_u.up.sql", "CREATE TABLE u (id bigint);\n"),
            (
                "000003_x.up.sql",
                "SET lock_timeout = '1s';\nALTER TABLE u ADD COLUMN c int;\n\
                 ALTER TABLE t ALTER COLUMN a TYPE bigint;\nUPDATE u SET c = 0;\n",
            ),
        ];
        let out = run(Config::default(), &files);
        let at = |line: &str| -> Vec<&str> {
            out.iter()
                .filter(|d| d.0 == format!("000003_x.up.sql:{line}"))
                .map(|d| d.1)
                .collect()
        };
        assert_eq!(at("3"), ["changing-column-type"], "{out:#?}");
        assert_eq!(
            at("4"),
            ["hold-exclusive-lock-across-statements"],
            "{out:#?}"
        );
        assert!(
            out.iter().any(|d| d.1 == "changing-column-type"
                && d.3
                    .contains("stands for `hold-exclusive-lock-across-statements`")),
            "{out:#?}"
        );
        assert!(
            out.iter()
                .any(|d| d.1 == "hold-exclusive-lock-across-statements"
                    && d.3.contains("stands for `require-where-in-update-delete`")),
            "{out:#?}"
        );
    }

    #[test]
    fn the_failing_locking_rules_exist() {
        for name in super::FAILS {
            let rule = super::find(crate::rules::REGISTRY, name).expect(name);
            assert_eq!(rule.category, super::Category::Locking, "{name}");
        }
    }

    #[test]
    fn a_down_that_postgres_refuses_is_reported_with_downs_locking_off() {
        let files = [
            TABLE,
            ("000002_x.up.sql", "ALTER TABLE t DROP COLUMN legacy;\n"),
            (
                "000002_x.down.sql",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS legacy text NOT NULL;\n",
            ),
            ("000003_y.up.sql", "SELECT 1;\n"),
            (
                "000003_y.down.sql",
                "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);\n",
            ),
        ];
        let out = run(Config::default(), &files);
        let rules: Vec<&str> = out
            .iter()
            .filter(|d| d.0.contains(".down."))
            .map(|d| d.1)
            .collect();
        assert!(rules.contains(&"adding-required-field"), "{out:#?}");
        assert!(
            rules.contains(&"ban-concurrently-in-transaction"),
            "{out:#?}"
        );
    }

    #[test]
    fn one_rewrite_of_one_alter_is_one_finding() {
        let files = [
            TABLE,
            (
                "000002_x.up.sql",
                "SET lock_timeout = '2s';\nALTER TABLE t ALTER COLUMN a TYPE bigint, ADD COLUMN u uuid DEFAULT gen_random_uuid(), \
                 ALTER COLUMN b SET NOT NULL, ADD CONSTRAINT t_b_ck CHECK (b > 0), ADD CONSTRAINT t_u_key UNIQUE (u);\n",
            ),
        ];
        let out = run(Config::default(), &files);
        let up: Vec<_> = out.iter().filter(|d| d.0.starts_with("000002")).collect();
        assert_eq!(up.len(), 1, "{up:#?}");
        assert_eq!(up[0].1, "changing-column-type");
        for folded in [
            "adding-field-with-volatile-default",
            "set-not-null-scan",
            "constraint-missing-not-valid",
            "require-unique-index-for-constraint",
        ] {
            assert!(up[0].3.contains(folded), "{folded}: {}", up[0].3);
        }
    }

    /// An `ALTER TABLE` that rewrites nothing but reads the whole table
    /// under its ACCESS EXCLUSIVE (SET NOT NULL, a CHECK, a UNIQUE index
    /// build) is one finding too: on PostgreSQL 15, `SET NOT NULL, ADD
    /// CHECK` is one `seq_scan`, and every check of the statement holds
    /// the lock its index build takes.
    #[test]
    fn one_scan_of_one_alter_is_one_finding() {
        let cases = [
            (
                "ALTER TABLE t ALTER COLUMN a SET NOT NULL, ADD CONSTRAINT t_b_ck CHECK (b > 0);",
                "set-not-null-scan",
                &["constraint-missing-not-valid"][..],
            ),
            (
                "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a), ALTER COLUMN b SET NOT NULL, \
                 ADD CONSTRAINT t_b_ck CHECK (b > 0);",
                "require-unique-index-for-constraint",
                &["set-not-null-scan", "constraint-missing-not-valid"][..],
            ),
        ];
        for (sql, rule, folded) in cases {
            let files = [
                TABLE,
                (
                    "000002_x.up.sql",
                    &*format!("SET lock_timeout = '2s';\n{sql}\n"),
                ),
            ];
            let out = run(Config::default(), &files);
            let up: Vec<_> = out.iter().filter(|d| d.0.starts_with("000002")).collect();
            assert_eq!(up.len(), 1, "{sql}: {up:#?}");
            assert_eq!(up[0].1, rule, "{sql}");
            for f in folded {
                assert!(up[0].3.contains(f), "{f}: {}", up[0].3);
            }
        }
    }

    #[test]
    fn downs_locking_is_off_by_default_and_configurable() {
        let files = [
            TABLE,
            ("000002_x.up.sql", "SELECT 1;\n"),
            ("000002_x.down.sql", "DROP INDEX IF EXISTS t_a;\n"),
        ];
        let down = |out: &[(String, &'static str, Severity, String)]| -> Vec<Severity> {
            out.iter()
                .filter(|d| {
                    d.0.starts_with("000002_x.down") && d.1 == "require-concurrent-index-deletion"
                })
                .map(|d| d.2)
                .collect()
        };
        assert!(down(&run(Config::default(), &files)).is_empty());
        for (level, severity) in [("warning", Severity::Warning), ("error", Severity::Error)] {
            let config =
                Config::from_toml_str(&format!("[downs]\nlocking = \"{level}\"\n")).unwrap();
            assert_eq!(down(&run(config, &files)), [severity]);
        }
        assert!(Config::from_toml_str("[downs]\nlocking = \"loud\"\n").is_err());
        assert!(Config::from_toml_str("[downs]\nbogus = 1\n")
            .unwrap_err()
            .0
            .contains("bogus"));
    }
}
