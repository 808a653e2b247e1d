use pg_query::protobuf::{AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::locks::LockMode;
use crate::model::names::quote_ident;
use crate::model::QualName;
use crate::rules::helpers::{cmds, holds_data, subtype};
use crate::rules::Check;

declare_rule!(
    "ban-set-tablespace",
    Locking,
    Error,
    "SET TABLESPACE copies the table or index under ACCESS EXCLUSIVE",
    Check::Statement(check),
    subsumes = &["hold-exclusive-lock-across-statements"]
);

const HELP: &str = "do not move data in a migration: pg_repack moves a table and its indexes online (`pg_repack --table <t> \
    --tablespace <ts> --moveidx`, ACCESS EXCLUSIVE only for a brief swap); or move it as off-hours maintenance outside the \
    migrations. For tables created from now on, `CREATE TABLE ... TABLESPACE` (or `default_tablespace`) costs nothing";

fn check(cx: &StmtCx, out: &mut Findings) {
    let lock = |on: String| {
        format!(
            "{} on {on} ({})",
            LockMode::AccessExclusive,
            LockMode::AccessExclusive.blocks()
        )
    };
    match &cx.stmt.node {
        NodeEnum::AlterTableStmt(s) => {
            let Some(rv) = s.relation.as_ref() else {
                return;
            };
            let name = QualName::from_range_var(rv);
            let is_index = s.objtype == ObjectType::ObjectIndex as i32;
            // The table whose data moves (for an index: its table, when known).
            let table = if is_index {
                cx.schema.index(&name).map(|i| i.table.clone())
            } else {
                Some(name.clone())
            };
            if table.as_ref().is_some_and(|t| !holds_data(cx, t)) {
                return;
            }
            for (i, cmd) in cmds(s).enumerate() {
                if subtype(cmd) != AlterTableType::AtSetTableSpace {
                    continue;
                }
                let space = quote_ident(&cmd.name);
                let message = if is_index {
                    let on = table
                        .as_ref()
                        .map_or_else(|| "its table".to_string(), |t| t.to_string());
                    format!(
                        "SET TABLESPACE {space} copies every block of index {name} while holding {}: every query planned on {on} waits",
                        lock(format!("index {name}"))
                    )
                } else {
                    format!(
                        "SET TABLESPACE {space} copies every block of {name} while holding {}",
                        lock(name.to_string())
                    )
                };
                out.report(cx.cmd_span(i), message).help(HELP);
            }
        }
        NodeEnum::AlterTableMoveAllStmt(s) => {
            out.report(
                cx.stmt.span,
                format!(
                    "ALL IN TABLESPACE {} SET TABLESPACE {} copies every matching relation, each under {}",
                    quote_ident(&s.orig_tablespacename),
                    quote_ident(&s.new_tablespacename),
                    lock("it".to_string())
                ),
            )
            .help(HELP);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-set-tablespace";

    #[test]
    fn table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE events\n  SET TABLESPACE fast_ssd;"
        ));
    }

    #[test]
    fn index_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE events (a int); CREATE INDEX events_a ON events (a);"
                ),
                (
                    "000002_b.up.sql",
                    "alter index events_a set tablespace \"Fast\";"
                ),
            ]
        ));
    }

    #[test]
    fn other_forms_err() {
        assert_err(RULE, "ALTER MATERIALIZED VIEW m SET TABLESPACE x;");
        assert_err(RULE, "ALTER TABLE ALL IN TABLESPACE a SET TABLESPACE b;");
        assert_err(
            RULE,
            "ALTER TABLE IF EXISTS app.t ADD COLUMN a int, SET TABLESPACE b;",
        );
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a);\nALTER TABLE t SET TABLESPACE x;\nALTER INDEX t_a SET TABLESPACE x;",
        );
        assert_ok(RULE, "CREATE TABLE t (a int) TABLESPACE x;");
    }
}
