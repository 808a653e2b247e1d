use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::helpers::{describe_lock, in_use};
use crate::rules::Check;

declare_rule!(
    "ban-truncate",
    Locking,
    Error,
    "TRUNCATE of a table that holds data in an up migration: ACCESS EXCLUSIVE and every row gone",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::TruncateStmt(s) = &cx.stmt.node else {
        return;
    };
    // A down file that empties what its up created and filled is normal.
    if cx.file.is_down() {
        return;
    }
    let tables: Vec<QualName> = s
        .relations
        .iter()
        .filter_map(|r| match r.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => Some(QualName::from_range_var(rv)),
            _ => None,
        })
        .filter(|t| in_use(cx, t))
        .collect();
    if tables.is_empty() {
        return;
    }
    let locks: Vec<String> = tables.iter().map(|t| describe_lock(cx, t)).collect();
    let names: Vec<String> = tables.iter().map(QualName::to_string).collect();
    let rows = if names.len() == 1 {
        format!("every row of {}", names[0])
    } else {
        format!("every row of {}", names.join(", "))
    };
    out.report(
        cx.stmt.span,
        format!(
            "TRUNCATE takes {} and deletes {rows}: reads and writes wait meanwhile, and once the migration commits the data is gone for good (no down migration brings it back)",
            locks.join(" and ")
        ),
    )
    .help(
        "1. if the table is no longer used, stop using it in the application, then drop it in a later migration; \
         2. if only some rows must go, delete them with a `WHERE`, in batches (`DELETE ... WHERE id BETWEEN ...`, \
         commit per batch) from a script outside the schema migration; \
         3. if the rows must really all go, keep a copy first (`CREATE TABLE t_backup AS TABLE t`) and set \
         `lock_timeout` so the TRUNCATE does not queue every query behind it",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-truncate";

    #[test]
    fn truncate_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- start over\nTRUNCATE TABLE public.sessions;"
        ));
    }

    #[test]
    fn several_tables_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE tmp (id int);\ntruncate tmp, \"Events\",\n  audit RESTART IDENTITY CASCADE;"
        ));
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                ("000002_b.up.sql", "BEGIN; TRUNCATE ONLY users; COMMIT;"),
            ],
        );
    }

    #[test]
    fn table_created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE app.t (id int);\nINSERT INTO app.t VALUES (1);\nTRUNCATE app.t;",
        );
        assert_ok(
            RULE,
            "CREATE TABLE \"Users\" (id int); TRUNCATE TABLE public.\"Users\";",
        );
    }

    #[test]
    fn quoted_name_differs() {
        assert_err(RULE, "CREATE TABLE \"Users\" (id int); TRUNCATE users;");
    }

    #[test]
    fn down_file_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_seed.up.sql",
                    "CREATE TABLE roles (id int); INSERT INTO roles VALUES (1);",
                ),
                ("000001_seed.down.sql", "TRUNCATE roles;"),
            ],
        );
    }
}
