use crate::engine::context::{Findings, StmtCx};
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
    if cx.tx.lock_timeout_set {
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
    .help("start the file with `SET lock_timeout = '2s';` (and retry the migration if it times out)");
}

/// An ACCESS EXCLUSIVE lock the statement takes on a table that holds data.
/// `DROP TABLE` is left out: the table is going away, so queries queued
/// behind it would fail a moment later anyway.
fn exclusive_lock(cx: &StmtCx, j: usize) -> Option<LockTaken> {
    if drops_table(cx, j) {
        return None;
    }
    locks_of(cx, j).into_iter().find(|l| {
        l.mode == LockMode::AccessExclusive
            && !cx.table_state(&l.relation).is_new()
            && !crate::rules::helpers::dropped_later_in_file(cx, &l.relation)
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-lock-timeout";

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
