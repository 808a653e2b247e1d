use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::objects::same_name;
use crate::model::Kind;
use crate::rules::Check;

declare_rule!(
    "down-name-already-taken",
    Pairing,
    Error,
    "A down migration that renames onto, or creates, a name something holds at that point (renames undone in the wrong order): PostgreSQL refuses it",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if !cx.file.is_down() {
        return;
    }
    // `IF NOT EXISTS` of what holds the name: the table (or column) and
    // what the statement lists in it are skipped (a notice).
    let mut skipped: Option<&crate::model::Obj> = None;
    for e in &cx.facts().effects {
        if let Effect::Create { obj, .. } = e {
            let within = skipped.is_some_and(|s| match (s.kind, &obj.table) {
                (Kind::Column, Some(t)) => {
                    s.table.as_ref().is_some_and(|st| same_name(st, t))
                        && obj.columns.first() == Some(&s.name.name)
                }
                (_, Some(t)) => same_name(&s.name, t),
                _ => false,
            });
            if within {
                continue;
            }
        }
        if let Effect::Create {
            obj,
            if_not_exists: true,
            ..
        } = e
        {
            skipped = cx.schema.holder(obj).map(|_| obj);
            continue;
        }
        let (obj, rename_from) = match e {
            Effect::Rename { from, to } if !from.same_key(to) => (to, Some(from)),
            // `CREATE OR REPLACE` (views, functions) replaces what is there.
            Effect::Create {
                obj,
                if_not_exists: false,
                ..
            } if obj.is_named() && !matches!(obj.kind, Kind::View | Kind::Function) => (obj, None),
            _ => continue,
        };
        let Some(holder) = cx.schema.holder(obj) else {
            continue;
        };
        let (what, help) = match rename_from {
            Some(from) => (
                format!("rename {} to {}", from.describe(), obj.name.name),
                "undo renames in the reverse order of the up: first rename away what holds the name now \
                 (in a swap, the object that took it), then rename this one back",
            ),
            None => (
                format!("create {}", obj.describe()),
                "drop or rename away what holds the name first, or leave the statement out if the up never \
                 removed it; `IF NOT EXISTS` would hide the mistake",
            ),
        };
        out.report(
            cx.stmt.span,
            format!(
                "PostgreSQL refuses to {what}: {holder} already exists at this point of the rollback (`already \
                 exists`), so the down fails here and golang-migrate marks the database dirty"
            ),
        )
        .help(help);
        // One finding per statement: what a `CREATE TABLE` lists goes with it.
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-name-already-taken";

    /// The swap: the new table takes the old one's name, a column the
    /// name of another.
    const SWAP: &str = "ALTER TABLE users RENAME TO users_old;\n\
                        ALTER TABLE users_new RENAME TO users;\n\
                        ALTER TABLE users RENAME COLUMN x TO x_old;\n\
                        ALTER TABLE users RENAME COLUMN y TO x;";

    fn swap(down: &'static str) -> [(&'static str, &'static str); 3] {
        [
            (
                "1_a.up.sql",
                "CREATE TABLE users (id int, x int);\nCREATE TABLE users_new (id int, x int, y int);",
            ),
            ("2_swap.up.sql", SWAP),
            ("2_swap.down.sql", down),
        ]
    }

    /// `IF NOT EXISTS` of what holds the name skips the statement, or the
    /// column, with what it lists (PostgreSQL 15: a notice, no error).
    #[test]
    fn if_not_exists_of_what_is_there_ok() {
        let files = |down| {
            [
                ("1_a.up.sql", "CREATE TABLE t (id int, a int);"),
                ("2_b.up.sql", "ALTER TABLE t ADD COLUMN b int;"),
                ("2_b.down.sql", down),
            ]
        };
        for down in [
            "CREATE TABLE IF NOT EXISTS t (id int, a int, CONSTRAINT t_a_key UNIQUE (a));",
            "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int CONSTRAINT t_a_key UNIQUE;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
        assert_err_files(RULE, &files("CREATE TABLE t (id int);"));
    }

    #[test]
    fn swap_undone_in_the_wrong_order_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &swap(
                "ALTER TABLE users RENAME COLUMN x_old TO x;\nALTER TABLE users RENAME COLUMN x TO y;\n\
                 ALTER TABLE users RENAME TO users_new;\nALTER TABLE users_old RENAME TO users;"
            )
        ));
        assert_err_files(
            RULE,
            &swap(
                "ALTER TABLE users RENAME COLUMN x TO y;\nALTER TABLE users RENAME COLUMN x_old TO x;\n\
                 ALTER TABLE users_old RENAME TO users;\nALTER TABLE users RENAME TO users_new;",
            ),
        );
    }

    #[test]
    fn swap_undone_in_reverse_order_ok() {
        assert_ok_files(
            RULE,
            &swap(
                "ALTER TABLE users RENAME COLUMN x TO y;\nALTER TABLE users RENAME COLUMN x_old TO x;\n\
                 ALTER TABLE users RENAME TO users_new;\nALTER TABLE users_old RENAME TO users;",
            ),
        );
    }

    #[test]
    fn create_of_what_the_up_left_err() {
        let files = |down| {
            [
                ("1_a.up.sql", "CREATE TABLE t (id int, a int);"),
                (
                    "2_b.up.sql",
                    "ALTER TABLE t ADD COLUMN b int;\nCREATE INDEX t_a_idx ON t (a);",
                ),
                ("2_b.down.sql", down),
            ]
        };
        assert_err_files(
            RULE,
            &files("ALTER TABLE t DROP COLUMN b;\nCREATE INDEX t_a_idx ON t (a);"),
        );
        assert_err_files(
            RULE,
            &files("DROP INDEX t_a_idx;\nALTER TABLE t ADD COLUMN a int;"),
        );
        assert_err_files(
            RULE,
            &files("DROP INDEX t_a_idx;\nCREATE TABLE t (id int);"),
        );
        assert_ok_files(
            RULE,
            &files("DROP INDEX t_a_idx;\nALTER TABLE t DROP COLUMN b;"),
        );
        // What the down dropped first may come back; IF NOT EXISTS is the
        // author's choice (another rule's business).
        assert_ok_files(
            RULE,
            &files("DROP INDEX t_a_idx;\nCREATE INDEX t_a_idx ON t (a);"),
        );
        assert_ok_files(RULE, &files("CREATE INDEX IF NOT EXISTS t_a_idx ON t (a);"));
        // A materialized view has no CREATE OR REPLACE.
        assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int);\nCREATE MATERIALIZED VIEW m AS SELECT id FROM t;",
                ),
                ("2_b.up.sql", "SELECT 1;"),
                (
                    "2_b.down.sql",
                    "CREATE MATERIALIZED VIEW m AS SELECT id FROM t;",
                ),
            ],
        );
        // Views and functions: CREATE OR REPLACE.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT id FROM t;",
                ),
                (
                    "2_b.up.sql",
                    "CREATE OR REPLACE VIEW v AS SELECT id, 1 AS one FROM t;",
                ),
                (
                    "2_b.down.sql",
                    "CREATE OR REPLACE VIEW v AS SELECT id FROM t;",
                ),
            ],
        );
    }

    #[test]
    fn ups_are_not_this_rules_ok() {
        assert_ok_files(
            RULE,
            &[(
                "1_a.up.sql",
                "CREATE TABLE t (id int);\nALTER TABLE t RENAME TO t;",
            )],
        );
    }
}
