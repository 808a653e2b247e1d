use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::locks::{LockMode, LockTaken};
use crate::rules::helpers::{drops_table, locks_of};
use crate::rules::Check;

declare_rule!(
    "require-lock-timeout",
    Locking,
    Warning,
    "ACCESS EXCLUSIVE on a table that holds data, without a lock_timeout set first",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if cx.tx.lock_wait_bounded(cx.options) {
        return;
    }
    let Some(lock) = exclusive_lock(cx, cx.stmt_index) else {
        return;
    };
    // One finding per file: the first such statement (one SET fixes all).
    if (0..cx.stmt_index).any(|j| exclusive_lock(cx, j).is_some()) {
        return;
    }
    let later = (cx.stmt_index + 1..cx.stmt_count())
        .filter(|&j| exclusive_lock(cx, j).is_some())
        .count();
    let more = match later {
        0 => String::new(),
        1 => " (and so does 1 later statement in this file)".to_string(),
        n => format!(" (and so do {n} later statements in this file)"),
    };
    out.report(
        cx.stmt.span,
        format!(
            "takes {}{more} with no lock_timeout: while it waits behind a long-running query, every later query on {} queues behind it",
            lock.describe(),
            lock.relation
        ),
    )
    .help("start the file with `SET lock_timeout = '2s';` (and retry the migration if it times out)")
    .fix_opt(fix(cx));
}

/// The prelude the fix inserts.
pub const PRELUDE: &str = "SET lock_timeout = '2s';\n";

/// Inserts `SET lock_timeout = '2s';` at the very top of the file (one
/// edit at one place, so findings of several runs propose the same edit
/// and it applies once). Unsafe: statements then fail after two seconds
/// instead of waiting, and the setting stays for the rest of the
/// session (later migrations of the same `migrate up` too). Not offered
/// when a statement of the file cannot run in a transaction block: one
/// more statement would put it in golang-migrate's implicit transaction;
/// nor beside a lone index build, drop or reindex, whose own fix adds
/// `CONCURRENTLY` in place (both applied in one pass would give a
/// CONCURRENTLY statement beside a SET).
fn fix(cx: &StmtCx) -> Option<FixSpec> {
    if (0..cx.stmt_count()).any(|j| cx.summary_of(j).no_tx)
        || (cx.stmt_count() == 1 && has_concurrent_form(&cx.stmt.node))
    {
        return None;
    }
    Some(
        FixSpec::new(
            "start the file with `SET lock_timeout = '2s';`",
            Applicability::Unsafe,
        )
        .insert(0, PRELUDE),
    )
}

/// A statement without CONCURRENTLY that has a concurrent form.
fn has_concurrent_form(node: &pg_query::NodeEnum) -> bool {
    use pg_query::protobuf::ObjectType;
    use pg_query::NodeEnum;
    match node {
        NodeEnum::IndexStmt(s) => !s.concurrent,
        NodeEnum::DropStmt(s) => s.remove_type == ObjectType::ObjectIndex as i32 && !s.concurrent,
        NodeEnum::ReindexStmt(_) => true,
        NodeEnum::RefreshMatViewStmt(s) => !s.concurrent,
        _ => false,
    }
}

/// An ACCESS EXCLUSIVE lock the statement takes on a table that holds data.
/// `DROP TABLE` is left out: the table is going away, so queries queued
/// behind it would fail a moment later anyway. So is a table the team
/// declared small (`[tables] small`): only short queries touch it, so the
/// lock is not queued behind long-running work.
fn exclusive_lock(cx: &StmtCx, j: usize) -> Option<LockTaken> {
    if drops_table(cx, j) {
        return None;
    }
    locks_of(cx, j).into_iter().find(|l| {
        l.mode == LockMode::AccessExclusive
            && !cx.table_state(&l.relation).is_new()
            && !crate::rules::helpers::dropped_later_in_file(cx, &l.relation)
            && !cx.options.is_small(&l.relation)
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-lock-timeout";

    #[test]
    fn fix_inserts_the_prelude_once_at_the_top() {
        assert_eq!(
            fixed(
                RULE,
                "-- two changes\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\n"
            )
            .unwrap(),
            "SET lock_timeout = '2s';\n-- two changes\nALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN y int;\n"
        );
    }

    #[test]
    fn the_same_prelude_from_several_findings_applies_once() {
        // Two findings with the same edit (as two runs of the rule over
        // concatenated reports would give): one insertion, no conflict.
        use crate::fix::{apply_fixes, FixOptions};
        let sql = "ALTER TABLE a ADD COLUMN x int;";
        let sources = [crate::SourceFile::new(DEFAULT_FILE, sql)];
        let mut diagnostics: Vec<_> = lint_files(RULE, &[(DEFAULT_FILE, sql)])
            .into_iter()
            .filter(|d| d.rule == RULE)
            .collect();
        assert_eq!(diagnostics.len(), 1);
        diagnostics.push(diagnostics[0].clone());
        let report = crate::report::Report {
            diagnostics,
            files: 1,
        };
        let result = apply_fixes(&sources, &report, &FixOptions { unsafe_fixes: true });
        assert_eq!(result.applied.len(), 2);
        assert!(result.skipped.is_empty());
        assert_eq!(result.files[0].text, format!("{}{sql}", super::PRELUDE));
    }

    #[test]
    fn no_fix_beside_a_statement_that_refuses_a_transaction() {
        assert_eq!(fixed(RULE, "VACUUM FULL users;"), None);
    }

    #[test]
    fn no_fix_on_a_lone_statement_whose_fix_is_concurrently() {
        // Its own rule's fix makes it CONCURRENTLY in place: a SET beside
        // it would then put it in a transaction.
        assert_eq!(fixed(RULE, "DROP INDEX i;"), None);
        assert_eq!(
            fixed(RULE, "ALTER TABLE a ADD COLUMN x int;\nDROP INDEX i;").as_deref(),
            Some("SET lock_timeout = '2s';\nALTER TABLE a ADD COLUMN x int;\nDROP INDEX i;")
        );
    }

    #[test]
    fn no_timeout_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE \"Users\" ADD COLUMN bio text;"
        ));
    }

    #[test]
    fn timeout_set_ok() {
        assert_ok(
            RULE,
            "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;",
        );
        assert_ok(
            RULE,
            "SET LOCAL lock_timeout TO 2000; ALTER TABLE users ADD COLUMN bio text;",
        );
    }

    #[test]
    fn timeout_set_with_set_config_ok() {
        assert_ok(
            RULE,
            "SELECT set_config('lock_timeout', '2s', true);\nALTER TABLE users ADD COLUMN bio text;",
        );
        assert_ok(
            RULE,
            "SELECT pg_catalog.set_config('lock_timeout', '2s', false);\nALTER TABLE users ADD COLUMN bio text;",
        );
        assert_err(
            RULE,
            "SELECT set_config('lock_timeout', '0', false);\nALTER TABLE users ADD COLUMN bio text;",
        );
    }

    #[test]
    fn a_local_timeout_ends_with_its_transaction_err() {
        assert_err(
            RULE,
            "BEGIN; SET LOCAL lock_timeout = '2s'; COMMIT;\nALTER TABLE users ADD COLUMN bio text;",
        );
        assert_ok(
            RULE,
            "BEGIN; SET lock_timeout = '2s'; COMMIT;\nALTER TABLE users ADD COLUMN bio text;",
        );
    }

    /// A `statement_timeout` bounds the wait for the lock too: on
    /// PostgreSQL 15, `SET statement_timeout = '1s'; ALTER TABLE ...` sent as
    /// one query gives up after a second behind a reader. Before 13 the
    /// timeout of a multi-statement query was armed before its `SET` ran.
    #[test]
    fn statement_timeout_bounds_the_wait_ok() {
        let sql = "SET statement_timeout = '5s';\nALTER TABLE users ADD COLUMN bio text;";
        assert_ok(RULE, sql);
        assert_err(
            RULE,
            "SET statement_timeout = 0;\nALTER TABLE users ADD COLUMN bio text;",
        );
        let mut config = crate::config::Config::default();
        config.set_pg_version(12).unwrap();
        config.select(&[RULE.to_string()]).unwrap();
        let report = crate::lint(
            &[crate::SourceFile::new("000001_a.up.sql", sql)],
            &crate::LintOptions {
                config,
                report_only: None,
            },
        );
        assert_eq!(report.diagnostics.len(), 1, "{:#?}", report.diagnostics);
    }

    #[test]
    fn timeout_zero_err() {
        assert_err(
            RULE,
            "SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN bio text;",
        );
    }

    #[test]
    fn one_finding_per_file() {
        let out = assert_err(RULE, "ALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;\nALTER TABLE users DROP COLUMN c;");
        assert_eq!(out.matches("[require-lock-timeout]").count(), 1, "{out}");
        assert!(out.contains("and so do 2 later statements"), "{out}");
    }

    #[test]
    fn drop_table_ok() {
        assert_ok(RULE, "DROP TABLE IF EXISTS users;");
        // The seed's down file: the index's table is dropped right after.
        assert_ok_files(
            RULE,
            &[
                (
                    "000002_users.up.sql",
                    "CREATE TABLE users (id int); CREATE INDEX idx_users_id ON users (id);",
                ),
                (
                    "000002_users.down.sql",
                    "DROP INDEX IF EXISTS idx_users_id;\nDROP TABLE IF EXISTS users;",
                ),
            ],
        );
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE app.t (id int); ALTER TABLE app.t ADD COLUMN x int;",
        );
    }
}
