use crate::engine::context::{Findings, StmtCx};
use crate::rules::helpers::uses_of_gone;
use crate::rules::Check;

declare_rule!(
    "object-already-gone",
    Robustness,
    Error,
    "An up migration that drops, renames, alters or builds on a table, column, index, constraint, sequence, type, function or view that an earlier statement or migration dropped or renamed away: PostgreSQL refuses it",
    Check::Statement(check),
    subsumes = &[
        "changing-column-type",
        "set-not-null-scan",
        "constraint-missing-not-valid",
        "require-concurrent-index-creation",
        "require-concurrent-index-deletion",
        "ban-drop-table",
        "ban-drop-column",
        "ban-rename-table",
        "ban-rename-column",
        "ban-truncate",
        "require-where-in-update-delete",
        "prefer-drop-if-exists",
    ]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if cx.file.is_down() {
        return;
    }
    for u in uses_of_gone(cx) {
        out.report(
            cx.stmt.span,
            format!(
                "{}; the migration fails (`does not exist`) and golang-migrate marks the database dirty",
                u.refusal(cx.schema, cx.file_index, None)
            ),
        )
        .help(
            "name it by the name it has at this point, or leave the statement out if its work is already done; \
             `IF EXISTS` would only hide the mistake",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "object-already-gone";

    const BASE: &str = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, d text);\n\
                        CREATE INDEX t_a_idx ON t (a);\n\
                        ALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b > 0);\n\
                        CREATE TABLE u (id int, t_id int REFERENCES t (id));\n\
                        CREATE VIEW v AS SELECT id, a FROM t;";

    /// `BASE`, then each up in its own migration.
    fn files(ups: &[&'static str]) -> Vec<(String, &'static str)> {
        let mut out = vec![("1_base.up.sql".to_string(), BASE)];
        for (i, up) in ups.iter().enumerate() {
            out.push((format!("{}_m.up.sql", i + 2), *up));
        }
        out
    }

    fn err(ups: &[&'static str]) -> String {
        let f = files(ups);
        let f: Vec<(&str, &str)> = f.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        assert_err_files(RULE, &f)
    }

    fn ok(ups: &[&'static str]) {
        let f = files(ups);
        let f: Vec<(&str, &str)> = f.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        assert_ok_files(RULE, &f);
    }

    /// Each refused on PostgreSQL 15 (`does not exist`), the object left
    /// in an earlier migration or earlier in the same file.
    #[test]
    fn uses_what_the_history_removed_err() {
        let out = err(&[
            "ALTER INDEX t_a_idx RENAME TO i2;\nALTER INDEX i2 RENAME TO i3;",
            "DROP INDEX i2;",
        ]);
        assert!(out.contains("renamed to i3 by 2_m.up.sql:2"), "{out}");
        let out = err(&[
            "ALTER TABLE u RENAME TO u2;",
            "CREATE INDEX u_x ON u (t_id);",
        ]);
        assert_eq!(out.matches("[object-already-gone]").count(), 1, "{out}");
        assert!(out.contains("use table u: it was renamed to u2"), "{out}");
        for ups in [
            &["DROP INDEX t_a_idx;\nDROP INDEX t_a_idx;"][..],
            &["ALTER TABLE u RENAME TO u2;\nDROP TABLE u;"],
            &["ALTER TABLE u RENAME TO u2;", "INSERT INTO u (id) VALUES (1);"],
            &["DROP TABLE u;", "TRUNCATE u;"],
            &["ALTER TABLE t DROP COLUMN d;", "CREATE INDEX t_d_idx ON t (d);"],
            &["ALTER TABLE t DROP COLUMN d;", "ALTER TABLE t ADD CONSTRAINT k CHECK (d <> '');"],
            &["ALTER TABLE t RENAME COLUMN a TO a2;\nALTER TABLE t RENAME COLUMN a2 TO a3;", "ALTER TABLE t ALTER COLUMN a2 TYPE bigint;"],
            &["ALTER TABLE t RENAME CONSTRAINT t_b_check TO k2;\nALTER TABLE t RENAME CONSTRAINT k2 TO k3;", "ALTER TABLE t DROP CONSTRAINT k2;"],
            &["ALTER TABLE t RENAME COLUMN d TO d2;", "UPDATE t SET d = 'x';"],
            &["DROP TABLE t CASCADE;", "DROP VIEW v;"],
            &["ALTER TABLE t DROP COLUMN a CASCADE;", "DROP VIEW v;"],
            &["DROP TABLE u;", "DROP INDEX IF EXISTS nothing;\nALTER TABLE u DROP CONSTRAINT u_t_id_fkey;"],
            &["ALTER TABLE u RENAME TO u2;", "DROP TABLE public.u;"],
        ] {
            err(ups);
        }
    }

    /// Each runs on PostgreSQL 15.
    #[test]
    fn name_back_or_never_removed_ok() {
        for ups in [
            // The name it has now.
            &[
                "ALTER INDEX t_a_idx RENAME TO i2;\nALTER INDEX i2 RENAME TO i3;",
                "DROP INDEX i3;",
            ][..],
            // IF EXISTS: a notice.
            &["DROP INDEX t_a_idx;", "DROP INDEX IF EXISTS t_a_idx;"],
            &[
                "ALTER TABLE u RENAME TO u2;",
                "ALTER TABLE IF EXISTS u RENAME TO u3;",
            ],
            &[
                "ALTER TABLE u RENAME TO u2;",
                "ALTER TABLE IF EXISTS u ADD COLUMN z int;",
            ],
            // Made again: by name, unnamed (`t_a_idx`, `t_b_check`), in
            // the same statement, by a rename back.
            &[
                "DROP INDEX t_a_idx;",
                "CREATE INDEX t_a_idx ON t (b);",
                "DROP INDEX t_a_idx;",
            ],
            &[
                "DROP INDEX t_a_idx;\nCREATE INDEX ON t (a);",
                "DROP INDEX t_a_idx;",
            ],
            &[
                "ALTER TABLE t DROP CONSTRAINT t_b_check;\nALTER TABLE t ADD CHECK (b > 0);",
                "ALTER TABLE t DROP CONSTRAINT t_b_check;",
            ],
            &[
                "DROP TABLE u;",
                "CREATE TABLE u (id int, CHECK (id > 0));\nALTER TABLE u ADD COLUMN z int;",
            ],
            &[
                "ALTER TABLE t DROP COLUMN d;",
                "ALTER TABLE t ADD COLUMN d int, ADD CONSTRAINT k CHECK (d > 0);",
            ],
            &[
                "ALTER TABLE u RENAME TO u2;",
                "ALTER TABLE u2 RENAME TO u;",
                "DROP TABLE u;",
            ],
            // A serial column's sequence comes with the table made again.
            &[
                "CREATE TABLE s (id serial);",
                "DROP TABLE s;",
                "CREATE TABLE s (id serial);",
            ],
            // Code the replay does not follow may have made it again.
            &[
                "DROP INDEX t_a_idx;\nDO $$ BEGIN EXECUTE 'CREATE INDEX t_a_idx ON t (a)'; END $$;",
                "DROP INDEX t_a_idx;",
            ],
            // Undone by ROLLBACK.
            &["BEGIN;\nDROP TABLE u;\nROLLBACK;", "DROP TABLE u;"],
            // Never created by the history: may come from outside it.
            &["DROP TABLE from_outside;"],
        ] {
            ok(ups);
        }
    }

    /// What a down drops is back once it is rolled back (the replay goes
    /// on with the ups), a table from outside the history included.
    #[test]
    fn a_downs_drops_do_not_outlive_it_ok() {
        assert_ok_files(
            RULE,
            &[
                ("1_base.up.sql", BASE),
                ("2_m.up.sql", "ALTER TABLE u ADD COLUMN z int;"),
                (
                    "2_m.down.sql",
                    "DROP TABLE u;\nALTER TABLE outside RENAME TO outside2;",
                ),
                ("3_m.up.sql", "DROP TABLE u;\nDROP TABLE outside;"),
            ],
        );
    }
}
