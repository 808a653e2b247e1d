use crate::context::{Findings, StmtCx};
use crate::locks::{node_locks, LockMode};
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
    let locks = node_locks(&cx.stmt.node, cx.config.pg_version);
    let Some(lock) = locks
        .iter()
        .find(|l| l.mode == LockMode::AccessExclusive && !cx.table_state(&l.relation).is_new())
    else {
        return;
    };
    out.report(
        cx.stmt.span,
        format!(
            "takes {} with no lock_timeout: while it waits behind a long-running query, every later query on {} queues behind it",
            lock.describe(),
            lock.relation
        ),
    )
    .help("start the file with `SET lock_timeout = '2s';` (and retry the migration if it times out)");
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
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE app.t (id int); ALTER TABLE app.t ADD COLUMN x int;",
        );
    }
}
