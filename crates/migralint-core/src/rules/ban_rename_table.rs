use pg_query::protobuf::ObjectType;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::model::{Kind, Obj};
use crate::rules::helpers::{exchange, Exchange};
use crate::rules::Check;

declare_rule!(
    "ban-rename-table",
    Compatibility,
    Error,
    "Renaming a table in an up migration breaks application code that still uses the old name",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file renames back what its up renamed.
    if cx.file.is_down() {
        return;
    }
    let NodeEnum::RenameStmt(s) = &cx.stmt.node else {
        return;
    };
    if s.rename_type != ObjectType::ObjectTable as i32 {
        return;
    }
    let Some(rv) = &s.relation else { return };
    let table = QualName::from_range_var(rv);
    // The file's renames followed in order: the chain this rename begins
    // (a later link of one is the first's to tell), from the name the
    // application knows to the one it is left with.
    let Some(r) = cx.renames().starting_at(cx.stmt_index) else {
        return;
    };
    // Back to the name it started from, a table created in this file, or
    // one dropped before the file ends (the drop's finding tells that).
    if r.is_back()
        || cx.table_state(&table).is_new()
        || cx.file.facts.dropped_later_in_tx(&r.to, r.last)
    {
        return;
    }
    // Names exchanged among tables the application knows: every name is
    // still there, holding another table.
    let moves = match exchange(cx, r, |o: &Obj| o.name.to_string()) {
        Exchange::No => None,
        Exchange::Quiet => return,
        Exchange::Moves(moves) => Some(moves),
    };
    if let Some(moves) = moves {
        out.report(
            cx.stmt.span,
            format!(
                "exchanges the names of tables ({}): the application code still running finds every name it \
                 uses, but each holds another table now; its queries do not fail, they read and write the wrong \
                 table until every instance runs a release that knows the new names",
                moves.join(", ")
            ),
        )
        .help(
            "do not hand a name the application uses to another table in one step: create new tables, write to \
             both, backfill, switch reads and deploy, then drop the old tables in a later migration",
        );
        return;
    }
    // The first half of a swap (the old name is taken again later in this
    // file), or a rename that leaves a view of the old name for the code
    // still using it (what the help recommends).
    if [Kind::Table, Kind::View]
        .into_iter()
        .any(|k| cx.reoccupied_later(&Obj::new(k, table.clone())))
    {
        return;
    }
    // The renamed table stays in its schema.
    let new = QualName::new(table.schema.as_deref(), &r.to.name.name).to_string();
    out.report(
        cx.stmt.span,
        format!(
            "renaming {table} to {new} breaks the application code still running against {table}: until every \
             instance runs a release that uses {new}, their queries fail with `relation does not exist`"
        ),
    )
    .help(format!(
        "keep the old name working while the code moves: 1. create {new} (or rename and add `CREATE VIEW {table} AS \
         SELECT * FROM {new}`, which simple queries can write through); 2. write to both; 3. backfill; 4. switch \
         reads to {new} and deploy; 5. drop {table} (or the view) in a later migration"
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-rename-table";

    #[test]
    fn a_view_keeps_the_old_name_ok() {
        assert_ok(
            RULE,
            "SET lock_timeout = '2s';\nALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;",
        );
    }

    #[test]
    fn rename_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE IF EXISTS public.accounts\n  RENAME TO customers;"
        ));
    }

    #[test]
    fn quoted_and_earlier_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE \"Users\" (id int);"),
                ("000002_b.up.sql", "ALTER TABLE \"Users\" RENAME TO users;"),
            ],
        );
    }

    #[test]
    fn swap_reports_only_the_name_that_goes_away() {
        let out = assert_err(
            RULE,
            "ALTER TABLE documentation RENAME TO old_documentation;\nALTER TABLE new_documentation RENAME TO documentation;",
        );
        assert_eq!(out.matches("[ban-rename-table]").count(), 1, "{out}");
        assert!(
            out.contains("renaming new_documentation to documentation"),
            "{out}"
        );
    }

    #[test]
    fn new_table_down_file_and_other_renames_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t_new (id int);\nALTER TABLE public.t_new RENAME TO t;",
        );
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "SELECT 1;"),
                (
                    "000001_a.down.sql",
                    "ALTER TABLE customers RENAME TO accounts;",
                ),
            ],
        );
        // Columns, indexes and constraints: not this rule.
        assert_ok(
            RULE,
            "ALTER TABLE t RENAME COLUMN a TO b; ALTER INDEX i RENAME TO j; ALTER TABLE t RENAME CONSTRAINT c TO d;",
        );
    }

    #[test]
    fn a_chain_is_one_rename_and_one_back_none() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME TO t3;",
        );
        assert_eq!(out.matches("[ban-rename-table]").count(), 1, "{out}");
        assert!(out.contains("renaming t to t3"), "{out}");
        assert_ok(
            RULE,
            "ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME TO t;",
        );
        // A view keeps the old name of the chain's start.
        assert_ok(
            RULE,
            "ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME TO t3;\nCREATE VIEW t AS SELECT * FROM t3;",
        );
    }

    #[test]
    fn a_swap_tells_the_exchange_and_a_drop_tells_its_own() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t RENAME TO tmp;\nALTER TABLE t_new RENAME TO t;\nALTER TABLE tmp RENAME TO t_new;",
        );
        assert_eq!(out.matches("[ban-rename-table]").count(), 1, "{out}");
        assert!(out.contains("(t becomes t_new, t_new becomes t)"), "{out}");
        assert!(!out.contains("renaming tmp"), "{out}");
        assert_ok(
            RULE,
            "ALTER TABLE old RENAME TO old_bak;\nDROP TABLE old_bak;",
        );
    }
}
