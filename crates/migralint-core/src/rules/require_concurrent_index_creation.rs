use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::helpers::{describe_lock, holds_data};
use crate::rules::Check;

declare_rule!(
    "require-concurrent-index-creation",
    Locking,
    Error,
    "CREATE INDEX without CONCURRENTLY blocks writes to a table that holds data",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::IndexStmt(s) = &cx.stmt.node else {
        return;
    };
    let Some(rv) = &s.relation else { return };
    let table = QualName::from_range_var(rv);
    if s.concurrent || !holds_data(cx, &table) {
        return;
    }
    let what = if s.unique {
        "CREATE UNIQUE INDEX"
    } else {
        "CREATE INDEX"
    };
    out.report(cx.stmt.span, format!("{what} without CONCURRENTLY takes {} for the whole build", describe_lock(cx, &table)))
        .help(format!(
            "use `{what} CONCURRENTLY` (it takes SHARE UPDATE EXCLUSIVE: reads and writes go on); it cannot run \
             in a transaction, so put it alone in its own migration file"
        ));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-concurrent-index-creation";

    #[test]
    fn existing_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- add an index\nCREATE UNIQUE INDEX users_email_idx\n  ON \"App\".users (email);"
        ));
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                ("000002_b.up.sql", "CREATE INDEX i ON users (id);"),
            ],
        );
    }

    #[test]
    fn table_created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE users (id int);\nCREATE INDEX i ON public.users (id);",
        );
        assert_ok(
            RULE,
            "create table \"Users\" (id int); create index i on \"Users\" (id);",
        );
    }

    #[test]
    fn quoted_name_differs_from_folded() {
        assert_err(
            RULE,
            "CREATE TABLE \"Users\" (id int); CREATE INDEX i ON users (id);",
        );
    }

    #[test]
    fn concurrently_ok() {
        assert_ok(
            RULE,
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (id);",
        );
    }
}
