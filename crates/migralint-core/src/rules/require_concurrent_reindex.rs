use pg_query::protobuf::{ReindexObjectType, Token};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::QualName;
use crate::rules::fixes;
use crate::rules::helpers::{def_elem_is_true, dropped_later_in_file, holds_data};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "require-concurrent-reindex",
    Locking,
    Warning,
    "REINDEX without CONCURRENTLY blocks writes to the table and every query that uses its indexes",
    Check::Statement(check),
    subsumes = &[
        "require-lock-timeout",
        "hold-exclusive-lock-across-statements"
    ]
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
    let finding = out.report(cx.stmt.span, message).help(help);
    if let Some(fix) = fix(cx, s) {
        finding.fix(fix);
    }
}

/// Inserts `CONCURRENTLY` after the object kind (`INDEX`, `TABLE`,
/// `SCHEMA`, `DATABASE`, in its case) and makes the statement stand alone
/// in its migration (`fixes::alone`). PostgreSQL 12+ only. Unsafe: not
/// transactional (a failure leaves `_ccnew` indexes behind and the
/// migration dirty), slower, and splitting a file changes what a version
/// means. Not offered when the statement already names CONCURRENTLY
/// (`(CONCURRENTLY false)`).
fn fix(cx: &StmtCx, s: &pg_query::protobuf::ReindexStmt) -> Option<FixSpec> {
    let named = s.params.iter().any(
        |p| matches!(p.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "concurrently"),
    );
    if cx.options.pg_version < 12 || named {
        return None;
    }
    let kind = cx.tokens().iter().find(|t| {
        t.is(Token::Index) || t.is(Token::Table) || t.is(Token::Schema) || t.is(Token::Database)
    })?;
    let upper = cx
        .text(kind.span())
        .chars()
        .all(|c| !c.is_ascii_lowercase());
    fixes::alone(
        cx,
        "add `CONCURRENTLY`",
        Applicability::Unsafe,
        vec![(
            Span::empty(kind.end()),
            format!(" {}", fixes::cased("concurrently", upper)),
        )],
        "concurrently",
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::helpers::pg_testing::*;
    use crate::rules::testing::*;

    const RULE: &str = "require-concurrent-reindex";

    #[test]
    fn fix_adds_concurrently_after_the_kind() {
        assert_eq!(
            fixed(RULE, "REINDEX (VERBOSE) TABLE users;").unwrap(),
            "REINDEX (VERBOSE) TABLE CONCURRENTLY users;"
        );
        assert_eq!(
            fixed(RULE, "reindex index users_email_idx").unwrap(),
            "reindex index concurrently users_email_idx"
        );
        assert_eq!(
            fixed(RULE, "REINDEX SCHEMA app;").unwrap(),
            "REINDEX SCHEMA CONCURRENTLY app;"
        );
        let split = fixed_files(
            RULE,
            &[(
                "000005_x.up.sql",
                "SET lock_timeout = '1s';\nREINDEX DATABASE app;",
            )],
        );
        assert_eq!(
            split,
            vec![
                (
                    "000005_x.up.sql".to_string(),
                    "SET lock_timeout = '1s';".to_string()
                ),
                (
                    "000006_x_concurrently.up.sql".to_string(),
                    "REINDEX DATABASE CONCURRENTLY app;\n".to_string()
                ),
            ]
        );
    }

    #[test]
    fn no_fix_before_postgres_12() {
        let d = lint_pg(RULE, 11, &[(DEFAULT_FILE, "REINDEX TABLE users;")]);
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
        assert_eq!(
            fixed(RULE, "REINDEX (CONCURRENTLY false) TABLE users;"),
            None
        );
    }

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
