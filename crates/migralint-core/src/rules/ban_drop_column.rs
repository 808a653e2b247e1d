use pg_query::protobuf::AlterTableType;

use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::model::{Kind, Obj};
use crate::rules::helpers::{alter_table, cmds, subtype};
use crate::rules::Check;

declare_rule!(
    "ban-drop-column",
    Compatibility,
    Error,
    "DROP COLUMN in an up migration breaks application code that still uses the column",
    Check::Statement(check),
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file drops what its up added: the normal case.
    if cx.file.is_down() {
        return;
    }
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    if cx.table_state(&table).is_new() {
        return;
    }
    for (i, cmd) in cmds(s).enumerate() {
        if subtype(cmd) != AlterTableType::AtDropColumn {
            continue;
        }
        // Added earlier in this same file: nothing can use it yet. Added
        // again (or a column renamed to its name) later: a swap.
        let obj = Obj::on(Kind::Column, &table, &cmd.name);
        if cx.created_earlier(&obj) || cx.reoccupied_later(&obj) {
            continue;
        }
        // The copy a swap renamed away (its old name holds the new column):
        // queries follow the name, so the break was the swap's.
        if cx
            .table_state(&table)
            .table()
            .is_some_and(|t| t.superseded_column(&cmd.name))
        {
            continue;
        }
        let column = quote_ident(&cmd.name);
        // Renamed earlier in this file: the application knows the old name.
        let (app, was) = match cx.renamed_earlier(&obj) {
            Some(o) => {
                let name = quote_ident(&o.name.name);
                (
                    name.clone(),
                    format!(" (renamed from {name} earlier in this file)"),
                )
            }
            None => (column.clone(), String::new()),
        };
        let span = cx.cmd_span(i);
        out.report(
            span,
            format!(
                "DROP COLUMN {column}{was} breaks the application code still running against {table}: until every \
                 instance runs a release that no longer reads or writes {table}.{app}, their queries fail \
                 with `column does not exist` (`SELECT *` and ORM models included), and the data is gone for good"
            ),
        )
        .help(format!(
            "drop it in two steps: 1. stop using {table}.{app} in the application (queries, ORM models: e.g. \
             mark it ignored) and deploy that everywhere; 2. then drop the column in a later migration"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-drop-column";

    #[test]
    fn drop_column_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE public.users\n  ADD COLUMN full_name text,\n  DROP COLUMN \"FirstName\" CASCADE,\n  DROP IF EXISTS last_name;"
        ));
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE users (id int, email text);",
                ),
                ("000002_b.up.sql", "alter table USERS drop column EMAIL;"),
            ],
        );
    }

    #[test]
    fn new_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;",
        );
        assert_ok(
            RULE,
            "ALTER TABLE users ADD COLUMN tmp int;\nUPDATE users SET tmp = 1;\nALTER TABLE public.users DROP COLUMN tmp;",
        );
    }

    #[test]
    fn swapped_column_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE paths DROP COLUMN id;\nALTER TABLE paths RENAME COLUMN big_id TO id;",
        );
        assert_ok(RULE, "ALTER TABLE t DROP COLUMN a, ADD COLUMN a bigint;");
    }

    /// An earlier migration renamed the column away and added a new one
    /// under its name; this one drops the superseded copy.
    #[test]
    fn superseded_copy_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int, email text);"),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE users RENAME COLUMN email TO email_old;\nALTER TABLE users ADD COLUMN email citext;",
                ),
                ("000003_c.up.sql", "ALTER TABLE users DROP COLUMN email_old;"),
            ],
        );
        // A plain rename: the application uses the new name.
        assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE users (id int, email text);",
                ),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE users RENAME COLUMN email TO mail;",
                ),
                ("000003_c.up.sql", "ALTER TABLE users DROP COLUMN mail;"),
            ],
        );
    }

    #[test]
    fn down_file_and_other_changes_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "ALTER TABLE users ADD COLUMN email text;",
                ),
                (
                    "000001_a.down.sql",
                    "ALTER TABLE users DROP COLUMN IF EXISTS email;",
                ),
            ],
        );
        assert_ok(
            RULE,
            "ALTER TABLE users DROP CONSTRAINT c, ALTER COLUMN a DROP DEFAULT;",
        );
    }

    /// Renamed earlier in the file: the application still uses the old name.
    #[test]
    fn renamed_earlier_names_the_old_name() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t RENAME COLUMN c TO c2;\nALTER TABLE t RENAME COLUMN c2 TO c3;\nALTER TABLE t DROP COLUMN c3;",
        );
        assert!(
            out.contains("DROP COLUMN c3 (renamed from c earlier in this file)"),
            "{out}"
        );
        assert!(out.contains("reads or writes t.c,"), "{out}");
    }
}
