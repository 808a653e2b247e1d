use pg_query::protobuf::ObjectType;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::names::quote_ident;
use crate::model::QualName;
use crate::model::{Kind, Obj};
use crate::rules::helpers::{exchange, Exchange};
use crate::rules::Check;

declare_rule!(
    "ban-rename-column",
    Compatibility,
    Error,
    "Renaming a column in an up migration breaks application code that still uses the old name",
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
    if s.rename_type != ObjectType::ObjectColumn as i32
        || s.relation_type != ObjectType::ObjectTable as i32
    {
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
    // Back to the name it started from, new in this file, or dropped
    // before the file ends (the drop's finding tells that).
    let old_obj = Obj::on(Kind::Column, &table, &s.subname);
    if r.is_back()
        || cx.table_state(&table).is_new()
        || cx.created_earlier(&old_obj)
        || cx.file.facts.dropped_later_in_tx(&r.to, r.last)
    {
        return;
    }
    // Names exchanged among columns the application knows: every name is
    // still there, holding another column.
    let moves = match exchange(cx, r, |o: &Obj| quote_ident(&o.name.name)) {
        Exchange::No => None,
        Exchange::Quiet => return,
        Exchange::Moves(moves) => Some(moves),
    };
    if let Some(moves) = moves {
        out.report(
            cx.stmt.span,
            format!(
                "exchanges the names of columns of {table} ({}): the application code still running finds every \
                 name it uses, but each holds another column now; its queries do not fail, they read and write \
                 the wrong column until every instance runs a release that knows the new names",
                moves.join(", ")
            ),
        )
        .help(
            "do not hand a name the application uses to another column in one step: add new columns, write to \
             both, backfill, switch reads and deploy, then drop the old columns in a later migration",
        );
        return;
    }
    // The first half of a swap (the old name is taken again later in this
    // file by another column), or a column swapped in for one dropped.
    if cx.reoccupied_later(&old_obj) || dropped_earlier(cx, &r.to, r.last) {
        return;
    }
    let (old, new) = (quote_ident(&s.subname), quote_ident(&r.to.name.name));
    out.report(
        cx.stmt.span,
        format!(
            "renaming {table}.{old} to {new} breaks the application code still running against {table}: until \
             every instance runs a release that uses {new}, their queries fail with `column \"{}\" does not exist`",
            s.subname
        ),
    )
    .help(format!(
        "rename in steps: 1. add {new} (nullable); 2. write to both {old} and {new} (in the application or with \
         a trigger); 3. backfill {new} in batches; 4. switch reads to {new} and deploy; 5. stop writing {old}; \
         6. drop {old} in a later migration"
    ));
}

/// The second half of a swap: a statement of the file before `before`
/// dropped the column whose name this rename takes (pkgsite 000100:
/// `DROP COLUMN id; RENAME COLUMN big_id TO id`), so code using that name
/// still finds it.
fn dropped_earlier(cx: &StmtCx, new: &Obj, before: usize) -> bool {
    (0..before).any(|k| {
        cx.facts_of(k)
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Drop { obj, .. } if obj.key() == new.key()))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-rename-column";

    /// pkgsite 000100: a bigint column swapped in under the old name in
    /// one transaction.
    #[test]
    fn swap_onto_a_dropped_name_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE paths DROP COLUMN id;\nALTER TABLE paths RENAME COLUMN big_id TO id;",
        );
    }

    #[test]
    fn rename_column_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- clearer name\nALTER TABLE users\n  RENAME COLUMN \"eMail\" TO email;"
        ));
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int, mail text);"),
                (
                    "000002_b.up.sql",
                    "alter table public.users rename mail to email;",
                ),
            ],
        );
    }

    #[test]
    fn new_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;",
        );
        assert_ok(
            RULE,
            "ALTER TABLE users ADD COLUMN tmp int;\nALTER TABLE users RENAME COLUMN tmp TO score;",
        );
    }

    #[test]
    fn swap_reports_only_the_name_that_goes_away() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t RENAME COLUMN id TO old_id;\nALTER TABLE t RENAME COLUMN new_id TO id;",
        );
        assert_eq!(out.matches("[ban-rename-column]").count(), 1, "{out}");
        assert!(out.contains("renaming t.new_id to id"), "{out}");
    }

    #[test]
    fn down_file_and_other_renames_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "SELECT 1;"),
                (
                    "000001_a.down.sql",
                    "ALTER TABLE users RENAME COLUMN email TO mail;",
                ),
            ],
        );
        // A view's column, a table rename: not this rule.
        assert_ok(
            RULE,
            "ALTER VIEW v RENAME COLUMN a TO b; ALTER TABLE t RENAME TO u;",
        );
    }

    /// Renames followed in order: the file is one transaction, so a chain
    /// is one rename for the application, and one back is none.
    #[test]
    fn a_chain_is_one_rename_and_one_back_none() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t RENAME COLUMN c TO c2;\nALTER TABLE t RENAME COLUMN c2 TO c3;",
        );
        assert_eq!(out.matches("[ban-rename-column]").count(), 1, "{out}");
        assert!(out.contains("renaming t.c to c3"), "{out}");
        assert!(!out.contains("to c2"), "{out}");
        assert_ok(
            RULE,
            "ALTER TABLE t RENAME COLUMN email TO \"Email\";\nALTER TABLE t RENAME COLUMN \"Email\" TO email;",
        );
    }

    /// A swap through a temporary name: both names stay, each holding the
    /// other column; the temporary name is nobody's.
    #[test]
    fn a_swap_tells_the_exchange() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t RENAME COLUMN c TO tmp;\nALTER TABLE t RENAME COLUMN d TO c;\nALTER TABLE t RENAME COLUMN tmp TO d;",
        );
        assert_eq!(out.matches("[ban-rename-column]").count(), 1, "{out}");
        assert!(out.contains("(c becomes d, d becomes c)"), "{out}");
        assert!(!out.contains("\"tmp\" does not exist"), "{out}");
        // A new column swapped in under the old name is not an exchange.
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN c_new text;\nALTER TABLE t RENAME COLUMN c TO tmp;\n\
             ALTER TABLE t RENAME COLUMN c_new TO c;\nALTER TABLE t RENAME COLUMN tmp TO c_new;",
        );
    }

    /// Renamed, then dropped in the same file: the application sees the
    /// column dropped, which ban-drop-column tells.
    #[test]
    fn renamed_then_dropped_is_the_drops() {
        assert_ok(
            RULE,
            "ALTER TABLE t RENAME COLUMN c TO c_old;\nALTER TABLE t DROP COLUMN c_old;",
        );
    }
}
