use pg_query::protobuf::{AlterTableType, ColumnDef};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::coercion::storage_type;
use crate::model::effects::index_def;
use crate::model::names::quote_ident;
use crate::model::{Kind, Obj, QualName, SqlType};
use crate::rules::helpers::{alter_table, cmds, subtype};
use crate::rules::Check;

declare_rule!(
    "if-not-exists-hides-drift",
    Robustness,
    Warning,
    "IF NOT EXISTS where the history already has the object with another shape, or as an index built CONCURRENTLY: the statement silently does nothing",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    match &cx.stmt.node {
        NodeEnum::CreateStmt(s) if s.if_not_exists => {
            let Some(rv) = &s.relation else { return };
            let name = QualName::from_range_var(rv);
            let Some(table) = cx.schema.table(&name) else {
                // Tables, views, indexes and sequences share one namespace.
                let obj = Obj::new(Kind::Table, name.clone());
                if let Some(holder) = cx.schema.holder(&obj) {
                    report_name_taken(
                        cx,
                        out,
                        &format!("CREATE TABLE IF NOT EXISTS {name}"),
                        &holder,
                    );
                }
                return;
            };
            if !table.columns_known {
                return;
            }
            let mut differences = Vec::new();
            for elt in &s.table_elts {
                let Some(NodeEnum::ColumnDef(c)) = elt.node.as_ref() else {
                    continue;
                };
                let Some(wanted) = column_type(c) else {
                    continue;
                };
                match table.column(&c.colname) {
                    None => differences.push(format!("no column {}", quote_ident(&c.colname))),
                    Some(have) if storage_type(&have.ty) != wanted => differences.push(format!(
                        "{} is {}, not {wanted}",
                        quote_ident(&c.colname),
                        storage_type(&have.ty)
                    )),
                    Some(_) => {}
                }
            }
            if differences.is_empty() {
                return;
            }
            out.report(
                cx.stmt.span,
                format!(
                    "CREATE TABLE IF NOT EXISTS {name} does nothing: an earlier migration already created {name}, and \
                     differently ({}): the old table stays as it was, and the schema drifts from what the file says",
                    differences.join("; ")
                ),
            )
            .help(format!(
                "change {name} with ALTER TABLE (ADD COLUMN, ALTER COLUMN ... TYPE) instead of re-creating it"
            ));
        }
        NodeEnum::AlterTableStmt(_) => {
            let Some((s, name)) = alter_table(&cx.stmt.node) else {
                return;
            };
            let Some(table) = cx.schema.table(&name) else {
                return;
            };
            for (i, cmd) in cmds(s).enumerate() {
                if subtype(cmd) != AlterTableType::AtAddColumn || !cmd.missing_ok {
                    continue;
                }
                let Some(NodeEnum::ColumnDef(c)) = cmd.def.as_deref().and_then(|d| d.node.as_ref())
                else {
                    continue;
                };
                let (Some(wanted), Some(have)) = (column_type(c), table.column(&c.colname)) else {
                    continue;
                };
                let have = storage_type(&have.ty);
                if have == wanted {
                    continue;
                }
                let column = quote_ident(&c.colname);
                out.report(
                    cx.cmd_span(i),
                    format!(
                        "ADD COLUMN IF NOT EXISTS {column} {wanted} does nothing: {name}.{column} already exists as {have}, \
                         so the column keeps that type and the schema drifts from what the file says"
                    ),
                )
                .help(format!(
                    "write `ALTER TABLE {name} ALTER COLUMN {column} TYPE {wanted}` if the type must change, or drop the \
                     ADD COLUMN if {have} is right"
                ));
            }
        }
        NodeEnum::IndexStmt(s) if s.if_not_exists && !s.idxname.is_empty() => {
            let Some(rv) = &s.relation else { return };
            let table = QualName::from_range_var(rv);
            let name = QualName::new(table.schema.as_deref(), &s.idxname);
            let quoted = quote_ident(&s.idxname);
            let Some(have) = cx.schema.index(&name) else {
                let obj = Obj::new(Kind::Index, name.clone());
                if let Some(holder) = cx.schema.holder(&obj) {
                    report_name_taken(
                        cx,
                        out,
                        &format!("CREATE INDEX IF NOT EXISTS {quoted}"),
                        &holder,
                    );
                }
                return;
            };
            if have.table.key() != table.key() || *have.def != *index_def(s) {
                let what = if have.table.key() != table.key() {
                    format!("on {}, not {table}", have.table)
                } else {
                    "with another definition (columns, expressions, uniqueness or predicate)"
                        .to_string()
                };
                out.report(
                    cx.stmt.span,
                    format!(
                        "CREATE INDEX IF NOT EXISTS {quoted} does nothing: an index of that name already exists {what}, so \
                         the index this statement describes is never built"
                    ),
                )
                .help(format!(
                    "give the new index its own name, or drop the old one first (`DROP INDEX CONCURRENTLY IF EXISTS {quoted}`)"
                ));
            } else if have.concurrent && have.created_in != cx.file_index {
                out.report(
                    cx.stmt.span,
                    format!(
                        "CREATE INDEX IF NOT EXISTS {quoted} re-creates an index an earlier migration built CONCURRENTLY: \
                         when that build failed, it left an INVALID index of that name, which IF NOT EXISTS silently \
                         keeps (never used by queries, and a UNIQUE one enforces nothing)"
                    ),
                )
                .help(format!(
                    "drop it first: `DROP INDEX CONCURRENTLY IF EXISTS {quoted};` then build it again, each in its own \
                     migration file; or check `pg_index.indisvalid` before retrying"
                ));
            }
        }
        _ => {}
    }
}

/// `IF NOT EXISTS` of a relation whose name another kind of relation
/// holds (a table named like an index, a view, a sequence): PostgreSQL
/// skips it with a notice, and nothing is created.
fn report_name_taken(cx: &StmtCx, out: &mut Findings, what: &str, holder: &str) {
    out.report(
        cx.stmt.span,
        format!(
            "{what} does nothing: {holder} already has that name (tables, views, indexes and sequences share \
             one namespace), so nothing is created and the schema drifts from what the file says"
        ),
    )
    .help("give it a name of its own");
}

/// The column's type as stored (serial as its integer type).
fn column_type(c: &ColumnDef) -> Option<SqlType> {
    c.type_name
        .as_ref()
        .map(|t| storage_type(&SqlType::from_type_name(t)))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "if-not-exists-hides-drift";

    const USERS: (&str, &str) = (
        "000001_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
    );

    #[test]
    fn create_table_with_another_shape_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "CREATE TABLE IF NOT EXISTS users (id int PRIMARY KEY, email text, name text);",
                ),
            ],
        );
        assert!(
            out.contains("id is bigint, not integer; no column name"),
            "{out}"
        );
    }

    #[test]
    fn add_column_with_another_type_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "ALTER TABLE users ADD COLUMN IF NOT EXISTS email varchar(100);",
                ),
            ],
        );
        assert!(out.contains("already exists as text"), "{out}");
    }

    #[test]
    fn index_of_that_name_differs_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "CREATE UNIQUE INDEX IF NOT EXISTS users_email_idx ON users (lower(email));",
                ),
            ],
        );
        assert!(out.contains("another definition"), "{out}");
    }

    #[test]
    fn retry_of_a_concurrent_build_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_retry.up.sql",
                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);",
                ),
            ],
        );
        assert!(out.contains("INVALID"), "{out}");
    }

    #[test]
    fn name_held_by_another_relation_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_audit.up.sql",
                    "CREATE TABLE IF NOT EXISTS users_email_idx (id bigint);",
                ),
            ],
        );
        assert!(
            out.contains("index users_email_idx already has that name"),
            "{out}"
        );
        assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_idx.up.sql",
                    "CREATE INDEX IF NOT EXISTS users ON users (email);",
                ),
            ],
        );
    }

    #[test]
    fn same_shape_or_new_object_ok() {
        assert_ok_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "CREATE TABLE IF NOT EXISTS users (id bigserial PRIMARY KEY, email text);\n\
                     ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;\n\
                     CREATE TABLE IF NOT EXISTS orders (id bigint);\n\
                     CREATE INDEX IF NOT EXISTS orders_id_idx ON orders (id);",
                ),
            ],
        );
        // The same file: the build has not failed yet.
        assert_ok(
            RULE,
            "CREATE TABLE t (a int);\nCREATE INDEX IF NOT EXISTS t_a ON t (a);\nCREATE INDEX IF NOT EXISTS t_a ON t (a);",
        );
    }
}
