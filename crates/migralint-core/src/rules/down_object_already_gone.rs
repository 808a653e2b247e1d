use crate::engine::context::{Findings, StmtCx};
use crate::rules::helpers::uses_of_gone;
use crate::rules::Check;

declare_rule!(
    "down-object-already-gone",
    Pairing,
    Error,
    "A down migration that drops, renames or uses what its up, an earlier migration or an earlier statement of it already dropped (with its table or column) or renamed away",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if !cx.file.is_down() {
        return;
    }
    let up = cx.file.parsed.path.replace(".down.sql", ".up.sql");
    for u in uses_of_gone(cx) {
        let here = u.gone.at.file == cx.file_index;
        let help = if u.verb == "rename" {
            "undo renames in the reverse order of the up: rename what sits inside a table (columns, constraints) before \
             renaming the table back, or name it by the name it has at this point"
                .to_string()
        } else if here {
            format!(
                "leave the statement out (what it drops is already gone), or reorder the down so that it runs before \
                 line {}; `IF EXISTS` would hide the mistake",
                u.gone.at.line
            )
        } else {
            "name it by the name it has after the up, or leave the statement out (what it drops is already gone); \
             `IF EXISTS` would hide the mistake"
                .to_string()
        };
        out.report(
            cx.stmt.span,
            format!(
                "{}; the rollback fails and golang-migrate marks the database dirty",
                u.refusal(cx.schema, cx.file_index, Some(&up))
            ),
        )
        .help(help);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-object-already-gone";

    const UP: &str =
        "CREATE TABLE jobs (id int, state text, CONSTRAINT jobs_state_ck CHECK (state <> ''));\n\
                      CREATE INDEX jobs_pending_idx ON jobs (id) WHERE state = 'pending';";

    #[test]
    fn index_gone_with_its_column_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("1_jobs.up.sql", "CREATE TABLE jobs (id int);"),
                ("1_jobs.down.sql", "DROP TABLE jobs;"),
                (
                    "2_state.up.sql",
                    "ALTER TABLE jobs ADD COLUMN state text;\nCREATE INDEX jobs_pending_idx ON jobs (id) WHERE state = 'pending';"
                ),
                (
                    "2_state.down.sql",
                    "ALTER TABLE jobs DROP COLUMN state;\nDROP INDEX jobs_pending_idx;"
                ),
            ]
        ));
    }

    #[test]
    fn gone_with_table_err() {
        for down in [
            "DROP TABLE jobs;\nDROP INDEX jobs_pending_idx;",
            "DROP TABLE jobs;\nALTER TABLE jobs DROP CONSTRAINT jobs_state_ck;",
            "ALTER TABLE jobs DROP COLUMN state;\nALTER TABLE jobs DROP CONSTRAINT jobs_state_ck;",
        ] {
            assert_err_files(RULE, &[("1_a.up.sql", UP), ("1_a.down.sql", down)]);
        }
        for down in [
            "DROP INDEX jobs_pending_idx;\nDROP TABLE jobs;",
            "DROP TABLE jobs;\nDROP INDEX IF EXISTS jobs_pending_idx;",
            "ALTER TABLE jobs DROP CONSTRAINT jobs_state_ck;\nALTER TABLE jobs DROP COLUMN state;",
        ] {
            assert_ok_files(RULE, &[("1_a.up.sql", UP), ("1_a.down.sql", down)]);
        }
    }

    /// What the up dropped or renamed away is gone for its down too
    /// (PostgreSQL 15: `column "b" does not exist`, `relation "b" does not
    /// exist`); a relation renamed with IF EXISTS is skipped with a notice.
    #[test]
    fn gone_by_its_up_err() {
        let files = |up, down| {
            [
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int, a int);\nCREATE TABLE old (id int);",
                ),
                ("2_b.up.sql", up),
                ("2_b.down.sql", down),
            ]
        };
        const COLUMNS: &str =
            "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME COLUMN b TO c;";
        const TABLES: &str = "ALTER TABLE t RENAME TO b;\nALTER TABLE b RENAME TO c;";
        let out = assert_err_files(
            RULE,
            &files(
                COLUMNS,
                "ALTER TABLE t RENAME COLUMN b TO a;\nALTER TABLE t RENAME COLUMN c TO b;",
            ),
        );
        assert!(
            out.contains("renamed to c by its up (2_b.up.sql:2)"),
            "{out}"
        );
        for (up, down) in [
            (
                TABLES,
                "ALTER TABLE b RENAME TO t;\nALTER TABLE c RENAME TO b;",
            ),
            ("DROP TABLE old;", "DROP TABLE old;"),
            (COLUMNS, "ALTER TABLE IF EXISTS t RENAME COLUMN b TO a;"),
        ] {
            assert_err_files(RULE, &files(up, down));
        }
        for (up, down) in [
            (
                COLUMNS,
                "ALTER TABLE t RENAME COLUMN c TO b;\nALTER TABLE t RENAME COLUMN b TO a;",
            ),
            (
                TABLES,
                "ALTER TABLE c RENAME TO b;\nALTER TABLE b RENAME TO t;",
            ),
            (TABLES, "ALTER TABLE IF EXISTS b RENAME TO t;"),
            ("DROP TABLE old;", "CREATE TABLE old (id int);"),
            ("DROP TABLE old;", "DROP TABLE IF EXISTS old;"),
        ] {
            assert_ok_files(RULE, &files(up, down));
        }
        // An index the up dropped may be built again unnamed (`CREATE
        // INDEX ON t (a)` is `t_a_idx` on PostgreSQL 15): not followed.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int, a int);\nCREATE INDEX t_a_idx ON t (a);",
                ),
                (
                    "2_b.up.sql",
                    "DROP INDEX t_a_idx;\nCREATE INDEX ON t (a) WHERE a > 0;",
                ),
                (
                    "2_b.down.sql",
                    "DROP INDEX t_a_idx;\nCREATE INDEX t_a_idx ON t (a);",
                ),
            ],
        );
        // What an earlier migration removed is gone for the down too
        // (PostgreSQL 15: `column "a" of relation "t" does not exist`).
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (id int, a int);"),
                ("2_b.up.sql", "ALTER TABLE t DROP COLUMN a;"),
                ("3_c.up.sql", "ALTER TABLE t ADD COLUMN z int;"),
                (
                    "3_c.down.sql",
                    "ALTER TABLE t DROP COLUMN z;\nALTER TABLE t DROP COLUMN a;",
                ),
            ],
        );
        assert!(out.contains("dropped by 2_b.up.sql:1"), "{out}");
        // Another version's up is not this down's.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int, a int);\nALTER TABLE t RENAME COLUMN a TO b;",
                ),
                ("2_b.up.sql", "ALTER TABLE t ADD COLUMN z int;"),
                ("2_b.down.sql", "ALTER TABLE t DROP COLUMN z;"),
            ],
        );
    }

    #[test]
    fn renames_in_the_wrong_order_err() {
        let up =
            "ALTER TABLE accounts RENAME TO users;\nALTER TABLE users RENAME COLUMN mail TO email;";
        let files = |down| {
            [
                ("0_a.up.sql", "CREATE TABLE accounts (id int, mail text);"),
                ("1_a.up.sql", up),
                ("1_a.down.sql", down),
            ]
        };
        let out = assert_err_files(
            RULE,
            &files("ALTER TABLE users RENAME TO accounts;\nALTER TABLE users RENAME COLUMN email TO mail;"),
        );
        assert!(out.contains("renamed to accounts on line 1"), "{out}");
        assert_ok_files(
            RULE,
            &files("ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users RENAME TO accounts;"),
        );
        assert_ok_files(
            RULE,
            &files("ALTER TABLE users RENAME TO accounts;\nALTER TABLE accounts RENAME COLUMN email TO mail;"),
        );
    }
}
