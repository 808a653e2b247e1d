use pg_query::protobuf::ReindexObjectType;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::helpers::{def_elem_is_true, dropped_later_in_file, holds_data};
use crate::rules::Check;

declare_rule!(
    "require-concurrent-reindex",
    Locking,
    Warning,
    "REINDEX without CONCURRENTLY blocks writes to the table and every query that uses its indexes",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::ReindexStmt(s) = &cx.stmt.node else {
        return;
    };
    let concurrently = s.params.iter().any(|p| match p.node.as_ref() {
        Some(NodeEnum::DefElem(d)) => d.defname == "concurrently" && def_elem_is_true(d),
        _ => false,
    });
    if concurrently {
        return;
    }
    let kind = ReindexObjectType::try_from(s.kind).unwrap_or(ReindexObjectType::Undefined);
    let rv = s.relation.as_ref().map(QualName::from_range_var);
    let (what, locks, replacement) = match (kind, rv) {
        (ReindexObjectType::ReindexObjectIndex, Some(index)) => {
            let table = cx.schema.index(&index).map(|i| i.table.clone());
            if let Some(t) = &table {
                if !holds_data(cx, t) || dropped_later_in_file(cx, t) {
                    return;
                }
            }
            let (on, planned) = match &table {
                Some(t) => (t.to_string(), t.to_string()),
                None => ("its table".to_string(), "that table".to_string()),
            };
            (
                format!("REINDEX INDEX {index}"),
                format!(
                    "SHARE on {on} (blocks writes) and ACCESS EXCLUSIVE on index {index} (blocks every query planned on {planned}, reads included)"
                ),
                format!(
                    "1. `CREATE INDEX CONCURRENTLY {new} ON ...` with the definition of {index}, alone in its own migration; \
                     2. `DROP INDEX CONCURRENTLY {index};` alone in the next one; 3. `ALTER INDEX {new} RENAME TO {old};`",
                    new = QualName::new(index.schema.as_deref(), &format!("{}_new", index.name)),
                    old = crate::model::names::quote_ident(&index.name),
                ),
            )
        }
        (ReindexObjectType::ReindexObjectTable, Some(table)) => {
            if !holds_data(cx, &table) || dropped_later_in_file(cx, &table) {
                return;
            }
            (
                format!("REINDEX TABLE {table}"),
                format!(
                    "SHARE on {table} (blocks writes) and ACCESS EXCLUSIVE on each of its indexes (blocks every query planned on {table}, reads included)"
                ),
                "for each index of the table: 1. `CREATE INDEX CONCURRENTLY` a copy under a new name, alone in its own migration; \
                 2. `DROP INDEX CONCURRENTLY` the old one, alone in the next; 3. `ALTER INDEX ... RENAME TO` the old name"
                    .to_string(),
            )
        }
        (ReindexObjectType::ReindexObjectSchema, _) => (
            format!("REINDEX SCHEMA {}", crate::model::names::quote_ident(&s.name)),
            "SHARE on every table of the schema (blocks writes) and ACCESS EXCLUSIVE on each index (blocks every query that plans on those tables), one table at a time".to_string(),
            "rebuild the indexes that need it one by one with `CREATE INDEX CONCURRENTLY` a copy, `DROP INDEX CONCURRENTLY` the old one, rename".to_string(),
        ),
        (ReindexObjectType::ReindexObjectDatabase, _) => (
            "REINDEX DATABASE".to_string(),
            "SHARE on every table (blocks writes) and ACCESS EXCLUSIVE on each index (blocks every query that plans on those tables), one table at a time".to_string(),
            "rebuild the indexes that need it one by one with `CREATE INDEX CONCURRENTLY` a copy, `DROP INDEX CONCURRENTLY` the old one, rename".to_string(),
        ),
        // REINDEX SYSTEM has no concurrent form: nothing better to suggest.
        _ => return,
    };
    let message = format!("{what} without CONCURRENTLY takes {locks} while it rebuilds");
    let help = if cx.options.pg_version >= 12 {
        let concurrent = what.replacen("REINDEX ", "", 1);
        let (object, name) = concurrent.split_once(' ').unwrap_or((&concurrent, ""));
        let name = if name.is_empty() {
            String::new()
        } else {
            format!(" {name}")
        };
        format!(
            "use `REINDEX {object} CONCURRENTLY{name};` (PostgreSQL 12+; SHARE UPDATE EXCLUSIVE: reads and writes go on), alone in its own \
             migration file: it cannot run in a transaction block. If it fails it leaves an invalid `_ccnew` index: drop it and retry"
        )
    } else {
        format!(
            "PostgreSQL {} has no REINDEX CONCURRENTLY (it came in 12). Instead: {replacement}",
            cx.options.pg_version
        )
    };
    out.report(cx.stmt.span, message).help(help);
}

#[cfg(test)]
mod tests {
    use crate::rules::helpers::pg_testing::*;
    use crate::rules::testing::*;

    const RULE: &str = "require-concurrent-reindex";

    #[test]
    fn reindex_index_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "000001_users.up.sql",
                    "CREATE TABLE users (id int, email text);\nCREATE INDEX users_email_idx ON users (email);"
                ),
                ("000002_reindex.up.sql", "/* bloat */ REINDEX INDEX users_email_idx;"),
            ]
        ));
    }

    #[test]
    fn reindex_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "reindex (verbose) table\n  \"App\".users;"
        ));
    }

    #[test]
    fn old_postgres_has_no_concurrently() {
        insta::assert_snapshot!(assert_err_pg(RULE, 11, "REINDEX INDEX users_email_idx;"));
    }

    #[test]
    fn schema_and_database_err() {
        assert_err(RULE, "REINDEX SCHEMA app;");
        assert_err(RULE, "REINDEX DATABASE;");
    }

    #[test]
    fn concurrently_ok() {
        assert_ok(RULE, "REINDEX INDEX CONCURRENTLY users_email_idx;");
        assert_ok(RULE, "REINDEX (CONCURRENTLY, VERBOSE) TABLE users;");
        assert_ok(RULE, "REINDEX (CONCURRENTLY true) TABLE users;");
        assert_err(RULE, "REINDEX (CONCURRENTLY false) TABLE users;");
    }

    #[test]
    fn system_ok() {
        assert_ok(RULE, "REINDEX SYSTEM;");
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nREINDEX INDEX t_a;\nREINDEX TABLE public.t;",
        );
    }

    #[test]
    fn quoted_table_differs() {
        assert_err(RULE, "CREATE TABLE \"T\" (a int); REINDEX TABLE t;");
    }
}
