use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::locks::node_cannot_run_in_transaction;
use crate::rules::Check;

declare_rule!(
    "ban-concurrently-in-transaction",
    Locking,
    Error,
    "CONCURRENTLY (and other statements that refuse a transaction) inside a transaction or a multi-statement file",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // `ALTER TYPE ... ADD VALUE` has its own rule (ban-alter-enum-add-value-in-transaction).
    if matches!(cx.stmt.node, NodeEnum::AlterEnumStmt(_))
        || !node_cannot_run_in_transaction(&cx.stmt.node, cx.options.pg_version)
    {
        return;
    }
    let what = describe(&cx.stmt.node);
    if cx.tx.in_explicit_tx {
        out.report(
            cx.stmt.span,
            format!(
                "{what} cannot run inside a transaction block: this BEGIN ... COMMIT makes it fail"
            ),
        )
        .help("move it out of the transaction, into a migration file of its own");
    } else if cx.file_has_other_statements() && !cx.options.multi_statement {
        out.report(
            cx.stmt.span,
            format!(
                "{what} cannot run inside a transaction block, and this file has other statements: golang-migrate \
                 sends a file as one multi-statement query, which PostgreSQL runs as one implicit transaction, so it fails"
            ),
        )
        .help("put this statement alone in its own migration file (no BEGIN/COMMIT around it)");
    }
}

fn describe(node: &NodeEnum) -> &'static str {
    match node {
        NodeEnum::IndexStmt(_) => "CREATE INDEX CONCURRENTLY",
        NodeEnum::DropStmt(_) => "DROP INDEX CONCURRENTLY",
        NodeEnum::ReindexStmt(_) => "REINDEX CONCURRENTLY",
        NodeEnum::VacuumStmt(_) => "VACUUM",
        NodeEnum::CreatedbStmt(_) => "CREATE DATABASE",
        NodeEnum::DropdbStmt(_) => "DROP DATABASE",
        NodeEnum::AlterSystemStmt(_) => "ALTER SYSTEM",
        NodeEnum::AlterTableStmt(_) => "DETACH PARTITION CONCURRENTLY",
        _ => "this statement",
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-concurrently-in-transaction";

    #[test]
    fn explicit_transaction_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;"
        ));
    }

    #[test]
    fn with_other_statements_err() {
        assert_err(
            RULE,
            "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY i ON t (a);",
        );
        assert_err(
            RULE,
            "DROP INDEX CONCURRENTLY i; DROP INDEX CONCURRENTLY j;",
        );
    }

    #[test]
    fn alone_ok() {
        assert_ok(
            RULE,
            "-- a comment\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\n",
        );
        assert_ok(RULE, "VACUUM ANALYZE t;");
        assert_ok(RULE, "BEGIN; ANALYZE t; COMMIT;");
    }

    #[test]
    fn enum_value_depends_on_version() {
        assert_ok(RULE, "BEGIN; ALTER TYPE mood ADD VALUE 'meh'; COMMIT;");
    }
}
