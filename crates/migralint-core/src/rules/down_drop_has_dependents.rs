use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::objects::{drop_covers, same_name};
use crate::model::{Kind, Obj};
use crate::rules::Check;

declare_rule!(
    "down-drop-has-dependents",
    Pairing,
    Error,
    "A down migration that drops, without CASCADE, a table, column, function, type or sequence that something staying still uses: PostgreSQL refuses it",
    Check::Statement(check)
);

/// The kinds of object that keep a dropped one from going, by its kind:
/// foreign keys and views on a relation, triggers and column defaults on a
/// function, columns on a type or a sequence.
fn blocks(dropped: Kind, dependent: Kind) -> bool {
    match dropped {
        k if k.is_relation() => {
            matches!(dependent, Kind::Constraint | Kind::View | Kind::MatView)
        }
        Kind::Function => matches!(dependent, Kind::Trigger | Kind::Column),
        Kind::Type | Kind::Domain | Kind::Sequence => dependent == Kind::Column,
        _ => false,
    }
}

fn check(cx: &StmtCx, out: &mut Findings) {
    if !cx.file.is_down() {
        return;
    }
    let drops: Vec<&Obj> = cx
        .facts()
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Drop { obj, cascade, .. } if !cascade => Some(obj),
            _ => None,
        })
        .collect();
    for dropped in &drops {
        // A column: the views that read it (they depend on its table).
        let on = match (dropped.kind, &dropped.table) {
            (Kind::Column, Some(t)) => t,
            (Kind::Column, None) => continue,
            _ => &dropped.name,
        };
        let dependents: Vec<_> = cx
            .schema
            .objects
            .dependents(&match dropped.kind {
                Kind::Column => Obj::new(Kind::Table, on.clone()),
                _ => (*dropped).clone(),
            })
            .into_iter()
            .filter(|(o, _)| match dropped.kind {
                Kind::Column => {
                    matches!(o.kind, Kind::View | Kind::MatView)
                        && o.table.as_ref().is_some_and(|t| same_name(t, on))
                        && o.columns.contains(&dropped.name.name)
                }
                k => blocks(k, o.kind),
            })
            // What this same statement drops too goes with it.
            .filter(|(o, _)| !drops.iter().any(|d| drop_covers(d, false, o)))
            .collect();
        let Some(((first, origin), rest)) = dependents.split_first() else {
            continue;
        };
        let what = match first.kind {
            Kind::Constraint => format!(
                "the foreign key {}",
                first.describe().trim_start_matches("constraint ")
            ),
            Kind::Column if dropped.kind == Kind::Function || dropped.kind == Kind::Sequence => {
                format!("the default of {}", first.describe())
            }
            _ => first.describe(),
        };
        let more = match rest.len() {
            0 => String::new(),
            1 => " (and 1 more object)".to_string(),
            n => format!(" (and {n} more objects)"),
        };
        out.report(
            cx.stmt.span,
            format!(
                "PostgreSQL refuses to drop {}: {what}{more} (from {}) still depends on it and stays; \
                 the rollback fails here and golang-migrate marks the database dirty",
                dropped.describe(),
                cx.schema.describe_origin(*origin)
            ),
        )
        .help(format!(
            "drop or change what depends on it first, in this down before this statement (a down undoes its up in \
             reverse order), or drop {} with CASCADE if everything that depends on it should go too",
            dropped.name
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-drop-has-dependents";

    /// The line named is the one that made the dependency (a default set
    /// later, a type changed later), not the column's creation.
    #[test]
    fn names_the_statement_that_made_the_dependency() {
        let out = assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int, code text);\n\
                     CREATE FUNCTION gen_code() RETURNS text LANGUAGE sql AS 'SELECT 1::text';",
                ),
                (
                    "2_b.up.sql",
                    "ALTER TABLE t ALTER COLUMN code SET DEFAULT gen_code();",
                ),
                ("2_b.down.sql", "DROP FUNCTION gen_code();"),
            ],
        );
        assert!(out.contains("(from 2_b.up.sql:1)"), "{out}");
    }

    #[test]
    fn table_still_referenced_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "1_users.up.sql",
                    "CREATE TABLE users (id bigint PRIMARY KEY);"
                ),
                ("1_users.down.sql", "DROP TABLE users;"),
                (
                    "2_orders.up.sql",
                    "CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));\n\
                     CREATE TABLE audit (id bigint);"
                ),
                // Wrong version: drops users, which orders (staying) references.
                ("2_orders.down.sql", "DROP TABLE audit;\nDROP TABLE users;"),
            ]
        ));
    }

    #[test]
    fn dependents_dropped_first_or_together_ok() {
        let base = [
            ("1_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint, user_id bigint CONSTRAINT orders_user_fk REFERENCES users (id));"),
        ];
        for down in [
            "DROP TABLE orders;\nDROP TABLE users;",
            "DROP TABLE users, orders;",
            "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\nDROP TABLE users;\nDROP TABLE orders;",
            "ALTER TABLE orders DROP COLUMN user_id;\nDROP TABLE users;\nDROP TABLE orders;",
            "DROP TABLE users CASCADE;\nDROP TABLE orders;",
        ] {
            assert_ok_files(RULE, &[base[0], ("1_users.down.sql", down)]);
        }
        assert_err_files(
            RULE,
            &[
                base[0],
                ("1_users.down.sql", "DROP TABLE users;\nDROP TABLE orders;"),
            ],
        );
    }

    #[test]
    fn unnamed_foreign_key_by_its_generated_name_ok() {
        let up = "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint, user_id bigint REFERENCES users);";
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", up),
                (
                    "1_a.down.sql",
                    "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nDROP TABLE users;\nDROP TABLE orders;",
                ),
            ],
        );
    }

    #[test]
    fn function_type_sequence_err() {
        let up = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
                  CREATE TYPE mood AS ENUM ('ok');\nCREATE SEQUENCE ticket_seq;\n\
                  CREATE FUNCTION new_code() RETURNS text LANGUAGE sql AS 'SELECT 1::text';\n\
                  CREATE TABLE t (id int DEFAULT nextval('ticket_seq'), m mood, code text DEFAULT new_code());\n\
                  CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();";
        for (down, what) in [
            ("DROP FUNCTION touch();", "trigger t_touch on t"),
            ("DROP TYPE mood;", "column t.m"),
            ("DROP SEQUENCE ticket_seq;", "the default of column t.id"),
            ("DROP FUNCTION new_code;", "the default of column t.code"),
        ] {
            let out = assert_err_files(RULE, &[("1_a.up.sql", up), ("1_a.down.sql", down)]);
            assert!(out.contains(what), "{out}");
        }
        // A default set later counts; one dropped no longer does.
        let later =
            "CREATE SEQUENCE s2;\nALTER TABLE t ALTER COLUMN code SET DEFAULT nextval('s2')::text;";
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", up),
                ("2_b.up.sql", later),
                ("2_b.down.sql", "DROP SEQUENCE s2;"),
            ],
        );
        assert!(out.contains("the default of column t.code"), "{out}");
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", up),
                ("2_b.up.sql", later),
                (
                    "2_b.down.sql",
                    "ALTER TABLE t ALTER COLUMN code DROP DEFAULT;\nDROP SEQUENCE s2;",
                ),
            ],
        );
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", up),
                (
                    "1_a.down.sql",
                    "DROP TRIGGER t_touch ON t;\nDROP FUNCTION touch();\nALTER TABLE t ALTER COLUMN code DROP DEFAULT;\n\
                     DROP FUNCTION new_code;\nALTER TABLE t ALTER COLUMN m TYPE text;\nDROP TYPE mood;\nDROP TABLE t;\nDROP SEQUENCE ticket_seq;",
                ),
            ],
        );
    }

    #[test]
    fn column_a_view_reads_err() {
        let up = "CREATE TABLE t (id int, a int, b int);\nCREATE VIEW v AS SELECT id, a FROM t;\n\
                  CREATE VIEW w AS SELECT * FROM t;\nALTER TABLE t ADD COLUMN c int;";
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", up),
                ("1_a.down.sql", "ALTER TABLE t DROP COLUMN a;"),
            ],
        );
        assert!(out.contains("view v") && out.contains("1 more"), "{out}");
        // b is read by w (`*` as it was), c by no view (added after w).
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", up),
                ("1_a.down.sql", "ALTER TABLE t DROP COLUMN b;"),
            ],
        );
        for down in [
            "ALTER TABLE t DROP COLUMN c;",
            "DROP VIEW v, w;\nALTER TABLE t DROP COLUMN a;",
            "ALTER TABLE t DROP COLUMN a CASCADE;",
        ] {
            assert_ok_files(RULE, &[("1_a.up.sql", up), ("1_a.down.sql", down)]);
        }
    }

    #[test]
    fn ups_are_left_alone() {
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE u (id int PRIMARY KEY);\nCREATE TABLE o (u int REFERENCES u);",
                ),
                ("2_b.up.sql", "DROP TABLE u;"),
            ],
        );
    }
}
