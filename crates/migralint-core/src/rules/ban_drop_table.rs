use pg_query::protobuf::ObjectType;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::model::{Kind, Obj};
use crate::rules::Check;

declare_rule!(
    "ban-drop-table",
    Compatibility,
    Error,
    "DROP TABLE in an up migration breaks application code that still uses the table",
    Check::Statement(check),
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file drops what its up created: the normal case.
    if cx.file.is_down() {
        return;
    }
    let NodeEnum::DropStmt(s) = &cx.stmt.node else {
        return;
    };
    if s.remove_type != ObjectType::ObjectTable as i32 {
        return;
    }
    for obj in &s.objects {
        let Some(NodeEnum::List(l)) = obj.node.as_ref() else {
            continue;
        };
        let Some(table) = QualName::from_list(&l.items) else {
            continue;
        };
        // Created earlier in this same file: nothing can use it yet.
        if cx.table_state(&table).is_new() {
            continue;
        }
        // Dropped and created again (or swapped with a renamed table) in
        // this file: code using the name still finds a table.
        if cx.reoccupied_later(&Obj::new(Kind::Table, table.clone())) {
            continue;
        }
        // The copy a swap renamed away (its old name holds the new table):
        // code follows the name, so the break was the swap's, reported there.
        if cx.schema.superseded_table(&table) {
            continue;
        }
        // Renamed earlier in this file: the application knows the old name.
        let (app, was) = match cx.renamed_earlier(&Obj::new(Kind::Table, table.clone())) {
            Some(o) => (
                o.name.clone(),
                format!(" (renamed from {} earlier in this file)", o.name),
            ),
            None => (table.clone(), String::new()),
        };
        let against = if was.is_empty() {
            "it".to_string()
        } else {
            app.to_string()
        };
        out.report(
            cx.stmt.span,
            format!(
                "DROP TABLE {table}{was} breaks the application code still running against {against}: until \
                 every instance runs a release that no longer reads or writes {app}, their queries fail with \
                 `relation does not exist`, and the data is gone for good"
            ),
        )
        .help(format!(
            "drop it in two steps: 1. stop using {app} in the application (reads, writes, ORM models) and \
             deploy that everywhere; 2. then drop it in a later migration (keep a backup, and a down that \
             recreates it)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-drop-table";

    #[test]
    fn drop_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- retire sessions\nDROP TABLE IF EXISTS public.sessions, \"Legacy\" CASCADE;"
        ));
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                ("000002_b.up.sql", "drop table Users;"),
            ],
        );
    }

    #[test]
    fn created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE tmp (id int);\nINSERT INTO tmp VALUES (1);\nDROP TABLE public.tmp;",
        );
    }

    #[test]
    fn recreated_or_swapped_ok() {
        assert_ok(
            RULE,
            "DROP TABLE IF EXISTS users CASCADE;\nCREATE TABLE IF NOT EXISTS users (id uuid PRIMARY KEY);",
        );
        assert_ok(
            RULE,
            "DROP TABLE documentation;\nALTER TABLE new_documentation RENAME TO documentation;",
        );
        // Recreated under another name: still a drop.
        assert_err(RULE, "DROP TABLE users;\nCREATE TABLE accounts (id int);");
    }

    /// A swap renamed the old table away and gave its name to the new one
    /// (pkgsite 000133); a later migration drops the superseded copy.
    #[test]
    fn superseded_copy_ok() {
        let swap = "ALTER TABLE symbol_history RENAME TO old_symbol_history;\n\
                    ALTER TABLE new_symbol_history RENAME TO symbol_history;";
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE symbol_history (id int);\nCREATE TABLE new_symbol_history (id bigint);",
                ),
                ("000002_swap.up.sql", swap),
                ("000003_drop.up.sql", "DROP TABLE old_symbol_history;"),
            ],
        );
        // Renamed without a successor: code now uses the new name.
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                ("000002_b.up.sql", "ALTER TABLE users RENAME TO accounts;"),
                ("000003_c.up.sql", "DROP TABLE accounts;"),
            ],
        );
        // The successor is gone again: the renamed copy is what is left.
        assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE t (id int);\nCREATE TABLE t2 (id int);",
                ),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE t RENAME TO t_old;\nALTER TABLE t2 RENAME TO t;",
                ),
                ("000003_c.up.sql", "DROP TABLE t;"),
                ("000004_d.up.sql", "DROP TABLE t_old;"),
            ],
        );
    }

    #[test]
    fn down_file_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                ("000001_a.down.sql", "DROP TABLE IF EXISTS users;"),
            ],
        );
    }

    #[test]
    fn other_drops_ok() {
        assert_ok(RULE, "DROP VIEW v; DROP INDEX i; DROP MATERIALIZED VIEW m;");
    }

    /// Renamed earlier in the file: the application still uses the old name.
    #[test]
    fn renamed_earlier_names_the_old_name() {
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE old (id int);"),
                (
                    "2_b.up.sql",
                    "ALTER TABLE old RENAME TO old_bak;\nDROP TABLE old_bak;",
                ),
            ],
        );
        assert!(
            out.contains("DROP TABLE old_bak (renamed from old earlier in this file) breaks the application code still running against old"),
            "{out}"
        );
    }
}
