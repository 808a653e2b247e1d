use pg_query::protobuf::Token;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::locks::{locks_in, LockTaken};
use crate::rules::helpers::in_use;
use crate::rules::Check;

declare_rule!(
    "ban-lock-table",
    Locking,
    Warning,
    "explicit LOCK TABLE in a mode that blocks writes or reads on a table that holds data",
    Check::Statement(check),
    subsumes = &["require-lock-timeout"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::LockStmt(_) = &cx.stmt.node else {
        return;
    };
    // ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE and SHARE UPDATE EXCLUSIVE
    // block no ordinary query: stay silent for them.
    let hits: Vec<LockTaken> = locks_in(&cx.stmt.node, cx.options.pg_version, cx.schema)
        .into_iter()
        .filter(|l| l.mode.blocks_writes() && in_use(cx, &l.relation))
        .collect();
    let Some(first) = hits.first() else { return };
    let locks: Vec<String> = hits.iter().map(LockTaken::describe).collect();
    let tables: Vec<String> = hits.iter().map(|l| l.relation.to_string()).collect();
    let statement = if mode_written(cx) {
        "LOCK TABLE"
    } else {
        "LOCK TABLE without `IN ... MODE`"
    };
    let waiting = if first.mode.blocks_reads() {
        "every query"
    } else {
        "every INSERT, UPDATE and DELETE"
    };
    let (locks, tables) = (locks.join(" and "), tables.join(", "));
    let it = if hits.len() == 1 { "it" } else { "them" };
    let outside_tx =
        !cx.tx.in_explicit_tx && (cx.options.multi_statement || !cx.file_has_other_statements());
    let message = if outside_tx {
        format!(
            "{statement} takes {locks}; outside a transaction block it fails (LOCK TABLE can only be used in transaction blocks), \
             and inside one {waiting} on {tables} waits until the transaction ends"
        )
    } else {
        format!(
            "{statement} takes {locks} and holds {it} until the migration's transaction ends: {waiting} on {tables} waits for the rest of the migration"
        )
    };
    out.report(cx.stmt.span, message).help(
        "1. remove the LOCK TABLE: each statement already takes the lock it needs, for as short a time as it can; \
         2. if it guards a data change, do that change in small batches outside the schema migration instead; \
         3. if the lock is truly needed, take the weakest mode that works (SHARE ROW EXCLUSIVE lets reads go on), \
         `SET lock_timeout = '2s'` before it, and keep the transaction short, with nothing slow after it",
    );
}

/// The statement spells out its mode (`IN ... MODE`).
fn mode_written(cx: &StmtCx) -> bool {
    crate::tokens::scan(cx.text(cx.stmt.span))
        .map(|tokens| tokens.iter().any(|t| t.token == Token::Mode as i32))
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-lock-table";

    #[test]
    fn implicit_access_exclusive_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "SET lock_timeout = '2s';\n-- keep writers out\nLOCK TABLE public.users;\nUPDATE users SET a = 1 WHERE id = 2;"
        ));
    }

    #[test]
    fn share_mode_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "BEGIN;\nlock table \"Orders\", audit\n  in share mode nowait;\nCOMMIT;"
        ));
    }

    #[test]
    fn alone_outside_transaction_err() {
        insta::assert_snapshot!(assert_err(RULE, "LOCK TABLE users IN EXCLUSIVE MODE;"));
    }

    #[test]
    fn weak_modes_ok() {
        for mode in [
            "ACCESS SHARE",
            "ROW SHARE",
            "ROW EXCLUSIVE",
            "SHARE UPDATE EXCLUSIVE",
        ] {
            assert_ok(
                RULE,
                &format!("BEGIN; LOCK TABLE users IN {mode} MODE; COMMIT;"),
            );
        }
    }

    #[test]
    fn strong_modes_err() {
        for mode in [
            "SHARE",
            "SHARE ROW EXCLUSIVE",
            "EXCLUSIVE",
            "ACCESS EXCLUSIVE",
        ] {
            assert_err(
                RULE,
                &format!("BEGIN; LOCK TABLE users IN {mode} MODE; COMMIT;"),
            );
        }
    }

    #[test]
    fn table_created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE app.t (id int);\nLOCK TABLE app.t IN ACCESS EXCLUSIVE MODE;",
        );
        // Only the table that holds data is named.
        let out = assert_err(
            RULE,
            "CREATE TABLE t (id int); LOCK TABLE t, \"T\" IN SHARE MODE;",
        );
        let message = out.lines().next().unwrap();
        assert!(message.contains("SHARE on \"T\" (blocks writes)"), "{out}");
        assert!(!message.contains(" t "), "{out}");
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                (
                    "000002_b.up.sql",
                    "BEGIN; LOCK users IN SHARE ROW EXCLUSIVE MODE; COMMIT;",
                ),
            ],
        );
    }

    #[test]
    fn quoted_name_differs() {
        assert_err(
            RULE,
            "CREATE TABLE \"Users\" (id int); LOCK TABLE users; SELECT 1;",
        );
    }
}
