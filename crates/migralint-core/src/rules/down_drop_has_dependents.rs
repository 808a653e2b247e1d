use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::{ColumnChange, Effect};
use crate::model::objset::ObjSet;
use crate::model::schema::Origin;
use crate::model::{Kind, Obj};
use crate::rules::helpers::{describe_dependent, outside_dependents};
use crate::rules::Check;

declare_rule!(
    "down-drop-has-dependents",
    Pairing,
    Error,
    "A down migration that drops, without CASCADE, a table, column, key, index, function, type, sequence, extension or schema that something staying still uses, or changes the type of a column a view reads: PostgreSQL refuses it",
    Check::Statement(check)
);

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
    let objects = &cx.schema.objects;
    // The index of a primary key, unique or exclusion constraint goes with
    // its constraint only (`cannot drop index x because constraint x on
    // table t requires it`), CASCADE or not.
    for e in &cx.facts().effects {
        let Effect::Drop { obj: dropped, .. } = e else {
            continue;
        };
        let Some((key, origin)) = backed_constraint(objects, dropped) else {
            continue;
        };
        let table = key.table.as_ref().map_or(String::new(), |t| t.to_string());
        out.report(
            cx.stmt.span,
            format!(
                "PostgreSQL refuses to drop {}: {} (from {}) requires it, CASCADE or not; the rollback fails here \
                 and golang-migrate marks the database dirty",
                dropped.describe(),
                key.describe(),
                cx.schema.describe_origin(origin)
            ),
        )
        .help(format!(
            "drop the constraint instead, which drops its index: `ALTER TABLE {table} DROP CONSTRAINT {}`",
            key.name.name
        ));
    }
    // A column a view, a generated column or a trigger reads keeps its
    // type (`cannot alter type of a column used by a view or rule`, `used
    // by a generated column`, `used in a trigger definition`), whatever
    // the new type.
    for e in &cx.facts().effects {
        let Effect::AlterColumn {
            table,
            column,
            change: ColumnChange::Type(_),
        } = e
        else {
            continue;
        };
        let col = Obj::on(Kind::Column, table, column);
        let views = objects
            .on_column(table, column)
            .into_iter()
            .chain(objects.dependents(&col))
            .find(|(o, _)| {
                matches!(
                    o.kind,
                    Kind::View | Kind::MatView | Kind::Column | Kind::Trigger
                )
            });
        if let Some((view, origin)) = views {
            out.report(
                cx.stmt.span,
                format!(
                    "PostgreSQL refuses to change the type of {}: {} (from {}) reads it and stays; the rollback \
                     fails here and golang-migrate marks the database dirty",
                    col.describe(),
                    view.describe(),
                    cx.schema.describe_origin(*origin)
                ),
            )
            .help(format!(
                "drop {} before changing the column's type and create it again after, in this down",
                view.name
            ));
        }
    }
    for dropped in drops.iter().filter(|d| !overload_unknown(objects, d)) {
        if backed_constraint(objects, dropped).is_some() {
            continue;
        }
        let dependents = outside_dependents(objects, dropped, &drops);
        let Some(((first, via, origin), rest)) = dependents.split_first() else {
            continue;
        };
        let what = describe_dependent(first, via);
        let through = if via.same_key(dropped) {
            String::new()
        } else {
            format!(" (through {}, which goes with it)", via.describe())
        };
        let more = match rest.len() {
            0 => String::new(),
            1 => " (and 1 more object)".to_string(),
            n => format!(" (and {n} more objects)"),
        };
        out.report(
            cx.stmt.span,
            format!(
                "PostgreSQL refuses to drop {}: {what}{more} (from {}) still depends on it{through} and stays; \
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

/// The constraint whose index `dropped` (an index) is, with where it was
/// created.
fn backed_constraint(objects: &ObjSet<Origin>, dropped: &Obj) -> Option<(Obj, Origin)> {
    if dropped.kind != Kind::Index {
        return None;
    }
    let key = objects.twin(dropped)?;
    let (key, origin) = objects.get(&key.key())?;
    // A CHECK or foreign key of that name has no index: `DROP INDEX` of
    // its name finds nothing (IF EXISTS: a notice).
    key.referable.as_ref()?;
    Some((key.clone(), *origin))
}

/// A function whose dependents cannot be told: what calls a function
/// names it without its arguments, so with several overloads (or when the
/// drop names another overload than the one there, or none: PostgreSQL
/// refuses that for another reason) which one it uses is not known.
fn overload_unknown(objects: &ObjSet<Origin>, dropped: &Obj) -> bool {
    if dropped.kind != Kind::Function {
        return false;
    }
    match objects.overloads(&dropped.name).as_slice() {
        [] => false,
        [(only, _)] => !only.same_key(dropped),
        _ => true,
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

    /// A view of several tables depends on the columns it names through a
    /// table or its alias (PostgreSQL 15 refuses the drop, naming the view).
    #[test]
    fn column_a_join_view_reads_err() {
        let files = |down| {
            [
                (
                    "1_a.up.sql",
                    "CREATE TABLE app.customers (id int, email text, tier text);\n\
                     CREATE TABLE orders (id int, customer_id int);\n\
                     CREATE VIEW order_emails AS SELECT o.id, c.email \
                     FROM orders o JOIN app.customers c ON c.id = o.customer_id;",
                ),
                ("1_a.down.sql", down),
            ]
        };
        let out = assert_err_files(RULE, &files("ALTER TABLE app.customers DROP COLUMN email;"));
        assert!(
            out.contains("view order_emails (from 1_a.up.sql:3)"),
            "{out}"
        );
        assert_err_files(RULE, &files("ALTER TABLE orders DROP COLUMN customer_id;"));
        for down in [
            "ALTER TABLE app.customers DROP COLUMN tier;",
            "DROP VIEW order_emails;\nALTER TABLE app.customers DROP COLUMN email;",
            "ALTER TABLE app.customers DROP COLUMN email CASCADE;",
            "ALTER TABLE orders DROP COLUMN id CASCADE;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
    }

    /// The index of a key constraint goes with the constraint only
    /// (PostgreSQL 15: `cannot drop index t_pkey because constraint t_pkey
    /// on table t requires it`, IF EXISTS or CASCADE or not).
    #[test]
    fn index_of_a_key_constraint_err() {
        let up = "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n\
                  ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);\n\
                  CREATE UNIQUE INDEX t_b_idx ON t (b);";
        let files = |down| [("1_a.up.sql", up), ("1_a.down.sql", down)];
        for down in [
            "DROP INDEX t_pkey;",
            "DROP INDEX IF EXISTS t_a_key;",
            "DROP INDEX t_a_key CASCADE;",
        ] {
            let out = assert_err_files(RULE, &files(down));
            assert!(out.contains("requires it"), "{out}");
        }
        for down in [
            "DROP INDEX t_b_idx;",
            "ALTER TABLE t DROP CONSTRAINT t_a_key;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
        // ente 52: a CHECK constraint has no index; `DROP INDEX IF EXISTS`
        // of its name is a notice (PostgreSQL 15), not a refusal.
        let check = "CREATE TABLE t (id int, a int);\n\
                     ALTER TABLE t ADD CONSTRAINT t_state_constraint CHECK (a > 0);";
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", check),
                (
                    "1_a.down.sql",
                    "DROP INDEX IF EXISTS t_state_constraint;\nDROP TABLE t;",
                ),
            ],
        );
    }

    /// PostgreSQL 15 refuses any type change of a column a view reads,
    /// even to the type it has (`cannot alter type of a column used by a
    /// view or rule`).
    #[test]
    fn type_of_a_column_a_view_reads_err() {
        let up = "CREATE TABLE t (id int, a int, b int);\nCREATE VIEW v AS SELECT id, a FROM t;\n\
                  CREATE MATERIALIZED VIEW m AS SELECT x.b FROM t x JOIN t y ON x.id = y.id;";
        let files = |down| [("1_a.up.sql", up), ("1_a.down.sql", down)];
        for down in [
            "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
            "ALTER TABLE t ALTER COLUMN b TYPE int;",
        ] {
            assert_err_files(RULE, &files(down));
        }
        for down in [
            "DROP VIEW v;\nALTER TABLE t ALTER COLUMN a TYPE bigint;",
            "ALTER TABLE t ALTER COLUMN b SET DEFAULT 0;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
    }

    /// An extension's types and functions go with it: PostgreSQL 15
    /// refuses DROP EXTENSION while a column, domain or default uses one.
    #[test]
    fn extension_in_use_err() {
        let up = "CREATE EXTENSION IF NOT EXISTS citext;\nCREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\n\
                  CREATE TABLE users (id uuid DEFAULT uuid_generate_v4(), email citext);";
        let files = |down| [("1_a.up.sql", up), ("1_a.down.sql", down)];
        let out = assert_err_files(RULE, &files("DROP EXTENSION citext;\nDROP TABLE users;"));
        assert!(
            out.contains("column users.email (from 1_a.up.sql:3)"),
            "{out}"
        );
        assert!(out.contains("through type citext"), "{out}");
        assert_err_files(RULE, &files("DROP EXTENSION IF EXISTS \"uuid-ossp\";"));
        for down in [
            "DROP TABLE users;\nDROP EXTENSION citext;\nDROP EXTENSION \"uuid-ossp\";",
            "ALTER TABLE users ALTER COLUMN id DROP DEFAULT;\nDROP EXTENSION \"uuid-ossp\";",
            "DROP EXTENSION citext CASCADE;",
            "DROP EXTENSION pg_trgm;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
    }

    /// An index that names an extension's operator class keeps the
    /// extension (PostgreSQL 15: `index t_a_trgm depends on operator class
    /// gin_trgm_ops for access method gin`).
    #[test]
    fn extension_operator_class_err() {
        let up =
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE EXTENSION IF NOT EXISTS btree_gist;\n\
                  CREATE TABLE t (a text, i int);\n\
                  CREATE INDEX t_a_trgm ON t USING gin (a gin_trgm_ops);\n\
                  CREATE INDEX t_i ON t USING gist (i gist_int4_ops);";
        let files = |down| [("1_a.up.sql", up), ("1_a.down.sql", down)];
        let out = assert_err_files(RULE, &files("DROP EXTENSION pg_trgm;"));
        assert!(out.contains("t_a_trgm"), "{out}");
        assert!(out.contains("operator class gin_trgm_ops"), "{out}");
        assert_err_files(RULE, &files("DROP EXTENSION btree_gist;"));
        for down in [
            "DROP INDEX t_a_trgm;\nDROP EXTENSION pg_trgm;",
            "DROP TABLE t;\nDROP EXTENSION pg_trgm;\nDROP EXTENSION btree_gist;",
            "DROP EXTENSION pg_trgm CASCADE;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
    }

    /// A schema holds what is created in it: PostgreSQL 15 refuses DROP
    /// SCHEMA (without CASCADE) while a table or function of it stays.
    #[test]
    fn schema_with_objects_err() {
        let up = "CREATE SCHEMA reporting;\nCREATE TABLE reporting.daily (d date PRIMARY KEY);\n\
                  CREATE FUNCTION reporting.f() RETURNS int LANGUAGE sql AS 'SELECT 1';";
        let files = |down| [("1_a.up.sql", up), ("1_a.down.sql", down)];
        let out = assert_err_files(RULE, &files("DROP SCHEMA reporting;"));
        assert!(
            out.contains("table reporting.daily (and 1 more object) (from 1_a.up.sql:2)"),
            "{out}"
        );
        assert_err_files(
            RULE,
            &files("DROP TABLE reporting.daily;\nDROP SCHEMA reporting;"),
        );
        for down in [
            "DROP TABLE reporting.daily;\nDROP FUNCTION reporting.f();\nDROP SCHEMA reporting;",
            "DROP SCHEMA reporting CASCADE;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
    }

    /// `CREATE OR REPLACE VIEW` records the new query's dependencies in
    /// place of the old ones (checked on PostgreSQL 15: the down's DROP
    /// COLUMN is refused while the view stays; a view cannot be replaced
    /// by one with fewer columns, so the down drops and re-creates it).
    #[test]
    fn a_replaced_view_reads_its_new_columns_err() {
        let files = |down| {
            [
                (
                    "1_a.up.sql",
                    "CREATE TABLE users (id int, name text);\n\
                     CREATE VIEW names AS SELECT id, name FROM users;",
                ),
                (
                    "2_b.up.sql",
                    "ALTER TABLE users ADD COLUMN nick text;\n\
                     CREATE OR REPLACE VIEW names AS SELECT id, name, nick FROM users;",
                ),
                ("2_b.down.sql", down),
            ]
        };
        let out = assert_err_files(RULE, &files("ALTER TABLE users DROP COLUMN nick;"));
        assert!(out.contains("view names (from 2_b.up.sql:2)"), "{out}");
        assert_ok_files(
            RULE,
            &files(
                "DROP VIEW names;\nALTER TABLE users DROP COLUMN nick;\n\
                 CREATE VIEW names AS SELECT id, name FROM users;",
            ),
        );
    }

    /// A function a check, an index (expression or predicate), a view or a
    /// generated column calls; a type a domain, a composite type or a
    /// function's signature uses.
    #[test]
    fn functions_and_types_used_elsewhere_err() {
        let f = "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x';\n\
                 CREATE TABLE t (id int, a int);";
        for (up, what, first) in [
            (
                "ALTER TABLE t ADD CONSTRAINT t_ck CHECK (f(a) > 0);",
                "constraint t_ck on t",
                "ALTER TABLE t DROP CONSTRAINT t_ck;",
            ),
            (
                "CREATE INDEX t_f_idx ON t (f(a));",
                "index t_f_idx",
                "DROP INDEX t_f_idx;",
            ),
            (
                "CREATE INDEX t_p_idx ON t (a) WHERE f(a) > 0;",
                "index t_p_idx",
                "DROP TABLE t;",
            ),
            (
                "CREATE VIEW v AS SELECT f(a) FROM t;",
                "view v",
                "DROP VIEW v;",
            ),
            (
                "ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (f(a)) STORED;",
                "column t.g",
                "ALTER TABLE t DROP COLUMN g;",
            ),
        ] {
            let files = |down| {
                [
                    ("1_a.up.sql", f),
                    ("2_b.up.sql", up),
                    ("2_b.down.sql", down),
                ]
            };
            let out = assert_err_files(RULE, &files("DROP FUNCTION f(int);"));
            assert!(
                out.contains(what) && out.contains("(from 2_b.up.sql:1)"),
                "{out}"
            );
            // The dependent dropped first (or with its table).
            let fine = format!("{first}\nDROP FUNCTION f(int);");
            assert_ok_files(RULE, &files(fine.as_str()));
            assert_ok_files(RULE, &files("DROP FUNCTION f(int) CASCADE;"));
        }
        let mood = "CREATE TYPE mood AS ENUM ('ok');";
        for (up, what) in [
            ("CREATE DOMAIN dm AS mood;", "domain dm"),
            ("CREATE DOMAIN dm AS mood[];", "domain dm"),
            ("CREATE TYPE c AS (m mood);", "type c"),
            (
                "CREATE FUNCTION g(m mood) RETURNS int LANGUAGE sql AS 'SELECT 1';",
                "function g",
            ),
            (
                "CREATE FUNCTION g() RETURNS SETOF mood LANGUAGE sql AS $$SELECT 'ok'::mood$$;",
                "function g",
            ),
        ] {
            let files = |down| {
                [
                    ("1_a.up.sql", mood),
                    ("2_b.up.sql", up),
                    ("2_b.down.sql", down),
                ]
            };
            let out = assert_err_files(RULE, &files("DROP TYPE mood;"));
            assert!(out.contains(what), "{out}");
            let first = format!(
                "{}\nDROP TYPE mood;",
                crate::model::effects::effects(
                    &crate::parse::parse_file("x", up).statements[0].node
                )
                .iter()
                .find_map(|e| match e {
                    crate::model::effects::Effect::Create { obj, .. } => Some(obj.drop_sql()),
                    _ => None,
                })
                .unwrap()
            );
            assert_ok_files(RULE, &files(first.as_str()));
        }
        // A type only a function's body names is no dependency.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", mood),
                (
                    "2_b.up.sql",
                    "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $$SELECT 'ok'::mood::text$$;",
                ),
                ("2_b.down.sql", "DROP TYPE mood;"),
            ],
        );
    }

    /// A key a foreign key uses (primary key, unique constraint, unique
    /// index, named or by PostgreSQL's name), or a column it references.
    #[test]
    fn key_or_column_a_foreign_key_references_err() {
        let up = "CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE, code int);\n\
                  CREATE UNIQUE INDEX users_code_idx ON users (code);\n\
                  CREATE TABLE orders (id int, user_id int REFERENCES users,\n\
                  user_email text REFERENCES users (email), user_code int REFERENCES users (code));";
        for (down, what) in [
            (
                "ALTER TABLE users DROP CONSTRAINT users_pkey;",
                "orders_user_id_fkey",
            ),
            (
                "ALTER TABLE users DROP CONSTRAINT users_email_key;",
                "orders_user_email_fkey",
            ),
            ("DROP INDEX users_code_idx;", "orders_user_code_fkey"),
            ("ALTER TABLE users DROP COLUMN id;", "orders_user_id_fkey"),
            (
                "ALTER TABLE users DROP COLUMN code;",
                "orders_user_code_fkey",
            ),
        ] {
            let out = assert_err_files(RULE, &[("1_a.up.sql", up), ("1_a.down.sql", down)]);
            assert!(
                out.contains(&format!(
                    "the foreign key {what} on orders (from 1_a.up.sql:3)"
                )),
                "{out}"
            );
        }
        for down in [
            "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nALTER TABLE users DROP CONSTRAINT users_pkey;",
            "ALTER TABLE orders DROP COLUMN user_code;\nDROP INDEX users_code_idx;",
            // The foreign key's own column: the key goes with it.
            "ALTER TABLE orders DROP COLUMN user_id;\nALTER TABLE users DROP COLUMN id;",
            "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;",
        ] {
            assert_ok_files(RULE, &[("1_a.up.sql", up), ("1_a.down.sql", down)]);
        }
        // The key PostgreSQL picks: the first on exactly those columns; the
        // primary key when none are listed.
        let two = "CREATE TABLE u (id int NOT NULL, CONSTRAINT u_a UNIQUE (id));\n\
                   CREATE UNIQUE INDEX u_b ON u (id);\nALTER TABLE u ADD PRIMARY KEY (id);";
        for (refs, down, refused) in [
            ("u (id)", "DROP INDEX u_b;", false),
            ("u (id)", "ALTER TABLE u DROP CONSTRAINT u_pkey;", false),
            ("u (id)", "ALTER TABLE u DROP CONSTRAINT u_a;", true),
            ("u", "ALTER TABLE u DROP CONSTRAINT u_a;", false),
            ("u", "ALTER TABLE u DROP CONSTRAINT u_pkey;", true),
        ] {
            let up = format!("{two}\nCREATE TABLE o (x int REFERENCES {refs});");
            let files = [("1_a.up.sql", up.as_str()), ("1_a.down.sql", down)];
            if refused {
                assert_err_files(RULE, &files);
            } else {
                assert_ok_files(RULE, &files);
            }
        }
        // A key of a table referencing itself, its foreign key written first.
        let own = "CREATE TABLE t (parent int REFERENCES t (id), id int, PRIMARY KEY (id));";
        for (down, refused) in [
            ("ALTER TABLE t DROP CONSTRAINT t_pkey;", true),
            ("ALTER TABLE t DROP COLUMN id;", true),
            ("ALTER TABLE t DROP COLUMN parent;", false),
        ] {
            let files = [("1_a.up.sql", own), ("1_a.down.sql", down)];
            if refused {
                assert_err_files(RULE, &files);
            } else {
                assert_ok_files(RULE, &files);
            }
        }
    }

    /// What calls a function does not say which overload: with several,
    /// dropping one is not reported; nor is dropping another signature
    /// than the one there (PostgreSQL refuses it as not existing).
    #[test]
    fn overloads_ok() {
        let one = "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x';\n\
                   CREATE TABLE t (a int CHECK (f(a) > 0));";
        let two = "CREATE FUNCTION f(x text) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';";
        for down in ["DROP FUNCTION f(text);", "DROP FUNCTION f(int);"] {
            assert_ok_files(
                RULE,
                &[
                    ("1_a.up.sql", one),
                    ("2_b.up.sql", two),
                    ("2_b.down.sql", down),
                ],
            );
        }
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", one),
                ("1_a.down.sql", "DROP FUNCTION f(text);"),
            ],
        );
        for down in ["DROP FUNCTION f(integer);", "DROP FUNCTION f;"] {
            assert_err_files(RULE, &[("1_a.up.sql", one), ("1_a.down.sql", down)]);
        }
        // The other overload gone first: the one left is the one used.
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", one),
                ("2_b.up.sql", two),
                (
                    "2_b.down.sql",
                    "DROP FUNCTION f(text);\nDROP FUNCTION f(int4);",
                ),
            ],
        );
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
