use crate::engine::context::{DownCx, Findings};
use crate::model::effects::{Effect, Shape};

use crate::model::objects::twins;
use crate::model::objset::ObjSet;
use crate::model::renames::{Renamed, Renames};
use crate::model::{Kind, Obj, QualName};
use crate::rules::Check;

declare_rule!(
    "down-not-reversing-up",
    Pairing,
    Warning,
    "A down migration that does not drop (or rename back) what its up migration creates (or renames)",
    Check::Down(check)
);

fn check(cx: &DownCx, out: &mut Findings) {
    let down = &cx.down;
    let Some((up, record)) = &cx.up else { return };
    // Statements lost to syntax errors would look like missing drops.
    if !down.file.syntax_errors.is_empty() {
        return;
    }
    let mut pending: ObjSet<usize> = ObjSet::default();
    for (o, at) in &record.expected {
        pending.insert(o.clone(), *at);
    }
    // The up's renames, continued by the down's in order (a down that
    // renames a table back, then its columns, names the columns by the
    // table's old name): the down undoes one when, composed, they end
    // where they started (`renames`).
    let mut renames = Renames::from_chains(record.changes.renamed.net().cloned());
    // What the down creates (or adds back).
    let mut created: Vec<Obj> = Vec::new();
    // What the down drops (an index also by the constraint it backs).
    let mut dropped: Vec<Obj> = Vec::new();
    for i in 0..cx.facts.stmts.len() {
        for e in cx.facts.lasting_effects(i).iter().cloned() {
            match e {
                Effect::Drop { obj, cascade, .. } => {
                    pending.drop_object(&obj, cascade);
                    dropped.push(obj);
                }
                Effect::Rename { from, to } => {
                    if !renames.apply(&from, &to, i, false) {
                        pending.rename(&from, &to);
                    }
                }
                Effect::Create { obj, shape, .. } => {
                    // `ADD CONSTRAINT c ... USING INDEX i`: the index is
                    // the constraint's now (PostgreSQL drops it with the
                    // constraint), no longer one of its own to drop.
                    if let Shape::Constraint { info, .. } = &shape {
                        if let Some(index) = info.index.as_deref() {
                            let table = obj.table.as_ref().unwrap_or(&obj.name);
                            pending.drop_object(
                                &Obj::new(
                                    Kind::Index,
                                    QualName::new(table.schema.as_deref(), index),
                                ),
                                false,
                            );
                        }
                    }
                    created.push(obj);
                }
                Effect::OwnedBy { .. }
                | Effect::AlterColumn { .. }
                | Effect::Validate { .. }
                | Effect::Rows { .. }
                | Effect::Inherit { .. }
                | Effect::Update { .. }
                | Effect::AlterDomain { .. } => {}
            }
        }
    }
    let span = down.first_statement_span();
    // What the down leaves different from before the up: one finding for
    // the down (one hazard: it does not undo its up), the strongest first
    // (data lost, then the application broken, then a later rollback
    // failing, then leftovers), the rest named after it.
    let mut found: Vec<(u8, String, String)> = Vec::new();
    // Everything left behind, in one.
    let left: Vec<(Obj, usize)> = pending.iter().cloned().collect();
    if !left.is_empty() {
        let named: Vec<String> = left
            .iter()
            .map(|(obj, at)| format!("{}, created at {}", obj.describe(), up.at(*at)))
            .collect();
        let drops: Vec<String> = left
            .iter()
            .map(|(obj, _)| format!("`{}`", obj.drop_sql()))
            .collect();
        found.push((
            3,
            format!(
                "this down does not drop {}: a rollback leaves {} behind",
                named.join("; "),
                if left.len() == 1 { "it" } else { "them" }
            ),
            format!("add {}", drops.join(" and ")),
        ));
    }
    // A table or column the up dropped comes back, but not what went with
    // it (and the up did not build again itself): one finding per table or
    // column, listing what is missing.
    let up_built = |o: &Obj| record.changes.created.iter().any(|(c, _)| c.same_key(o));
    let mut missing: Vec<(&Obj, usize, Vec<&Obj>)> = Vec::new();
    for (lost, with, at) in &record.lost {
        if !created.iter().any(|c| c.same_key(with))
            || created.iter().any(|c| c.same_key(lost))
            || up_built(lost)
        {
            continue;
        }
        match missing
            .iter_mut()
            .find(|(w, a, _)| w.same_key(with) && a == at)
        {
            Some((_, _, all)) => all.push(lost),
            None => missing.push((with, *at, vec![lost])),
        }
    }
    // What went with the tables and columns added back, in one.
    if let [(with, at, lost)] = missing.as_slice() {
        let names: Vec<String> = lost.iter().map(|o| o.describe()).collect();
        found.push((
            2,
            format!(
                "this down adds back {}, but not what went with it when {} dropped it: {}; after a rollback \
                 {} missing, and a rollback further back that drops {} fails",
                with.describe(),
                up.at(*at),
                names.join(", "),
                if lost.len() == 1 { "it is" } else { "they are" },
                if lost.len() == 1 { "it" } else { "one of them" },
            ),
            format!(
                "build again in this down, after adding back {}: {}",
                with.describe(),
                names.join(", ")
            ),
        ));
    } else if !missing.is_empty() {
        let withs: Vec<String> = missing.iter().map(|(w, _, _)| w.describe()).collect();
        let items: Vec<String> = missing
            .iter()
            .flat_map(|(w, at, lost)| {
                lost.iter()
                    .map(move |o| format!("{} ({}, {})", o.describe(), w.describe(), up.at(*at)))
            })
            .collect();
        let names: Vec<String> = missing
            .iter()
            .flat_map(|(_, _, lost)| lost.iter().map(|o| o.describe()))
            .collect();
        found.push((
            2,
            format!(
                "this down adds back {}, but not what went with them when its up dropped them: {}; after a \
                 rollback they are missing, and a rollback further back that drops one of them fails",
                withs.join(" and "),
                items.join(", "),
            ),
            format!(
                "build again in this down, after adding back {}: {}",
                withs.join(" and "),
                names.join(", ")
            ),
        ));
    }
    // A rename undone by dropping the renamed object and creating it again
    // under its old name (an index, or the constraint it backs: one name).
    let recreated = |from: &Obj| created.iter().any(|c| c.same_key(from) || twins(c, from));
    // A rename PostgreSQL refuses (of a name the up left behind, renames
    // undone in the wrong order: `down-object-already-gone`) fails the
    // down: it undoes nothing, and what it would leave of that chain is
    // moot.
    let refused = |r: &Renamed| {
        cx.refused
            .iter()
            .any(|o| o.same_key(&r.from) || o.same_key(&r.to))
    };
    for Renamed { from, to, at, .. } in renames
        .all()
        .iter()
        .filter(|r| !r.is_back() && !recreated(&r.from) && !refused(r))
    {
        let gone = dropped.iter().any(|d| d.same_key(to) || twins(d, to));
        if gone {
            found.push((
                0,
                format!(
                    "this down drops {}, which {} made of {}: after a rollback {} is gone, though an earlier \
                     migration created it",
                    to.describe(),
                    up.at(*at),
                    from.name,
                    from.name
                ),
                format!("create {} again after the drop", from.describe()),
            ));
            continue;
        }
        found.push((
            1,
            format!(
                "this down does not rename {} back to {}: {} renames it, so after a rollback the \
                 previous release of the application looks for {} and does not find it",
                to.describe(),
                from.name,
                up.at(*at),
                from.name
            ),
            format!("add `{}`", to.rename_sql(from)),
        ));
    }
    found.sort_by_key(|(rank, _, _)| *rank);
    let mut found = found.into_iter();
    if let Some((_, mut message, mut help)) = found.next() {
        for (_, m, h) in found {
            message.push_str(&format!("; also, {m}"));
            help.push_str(&format!("; {h}"));
        }
        out.report(span, message).help(help);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-not-reversing-up";

    /// A down PostgreSQL refuses at a rename (checked on PostgreSQL 15:
    /// `column "a2" does not exist`) undoes nothing: the chain is
    /// `down-object-already-gone`'s alone. A down that runs, or what the
    /// down never attempts, is still reported.
    #[test]
    fn refused_rename_chain_ok() {
        let files = |down| {
            [
                ("1_t.up.sql", "CREATE TABLE t (id int, a int, b int);"),
                (
                    "2_r.up.sql",
                    "ALTER TABLE t RENAME COLUMN a TO a2;\nALTER TABLE t RENAME COLUMN a2 TO a3;\n\
                     ALTER TABLE t RENAME COLUMN b TO b2;",
                ),
                ("2_r.down.sql", down),
            ]
        };
        let wrong_order = "ALTER TABLE t RENAME COLUMN b2 TO b;\n\
                           ALTER TABLE t RENAME COLUMN a2 TO a;\nALTER TABLE t RENAME COLUMN a3 TO a2;";
        assert_ok_files(RULE, &files(wrong_order));
        let out = assert_err_files(
            RULE,
            &files("ALTER TABLE t RENAME COLUMN a2 TO a;\nALTER TABLE t RENAME COLUMN a3 TO a2;"),
        );
        assert!(
            out.contains("does not rename column t.b2 back to b"),
            "{out}"
        );
        assert!(!out.contains("a3"), "{out}");
        let out = assert_err_files(RULE, &files("ALTER TABLE t RENAME COLUMN a3 TO a2;"));
        assert!(out.contains("column t.a2 back to a"), "{out}");
    }

    #[test]
    fn missing_drops_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("db/000001_init.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);"),
                ("db/000001_init.down.sql", "DROP TABLE users;"),
                (
                    "db/000002_add_email.up.sql",
                    "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX users_email_idx ON users (lower(email));\n\
                     ALTER TABLE users ADD CONSTRAINT users_id_positive CHECK (id > 0);\nCREATE TYPE mood AS ENUM ('ok');"
                ),
                (
                    "db/000002_add_email.down.sql",
                    "-- undo\nDROP TYPE IF EXISTS mood;\nALTER TABLE users DROP CONSTRAINT IF EXISTS users_id_positive;"
                ),
            ]
        ));
    }

    /// The up drops a column (its index goes with it); the down adds the
    /// column back but not the index: a rollback further back fails on
    /// `DROP INDEX`, and the index is gone.
    #[test]
    fn what_went_with_a_dropped_column_err() {
        let files = |down| {
            [
                ("1_a.up.sql", "CREATE TABLE t (id int, c int, d int);"),
                ("1_a.down.sql", "DROP TABLE t;"),
                (
                    "2_b.up.sql",
                    "CREATE INDEX t_c_idx ON t (c);\nCREATE INDEX t_d_idx ON t (id) WHERE d > 0;",
                ),
                ("2_b.down.sql", "DROP INDEX t_d_idx;\nDROP INDEX t_c_idx;"),
                ("3_c.up.sql", "ALTER TABLE t DROP COLUMN c, DROP COLUMN d;"),
                ("3_c.down.sql", down),
            ]
        };
        let out = assert_err_files(
            RULE,
            &files("ALTER TABLE t ADD COLUMN c int, ADD COLUMN d int;"),
        );
        // One finding for the down, naming each column and what went with it.
        assert_eq!(out.matches("[down-not-reversing-up]").count(), 1, "{out}");
        assert!(
            out.contains(
                "adds back column t.c and column t.d, but not what went with them when its up dropped them: \
                 index t_c_idx (column t.c, 3_c.up.sql:1), index t_d_idx (column t.d, 3_c.up.sql:1);"
            ),
            "{out}"
        );
        // One finding per table brought back, listing what is missing.
        let table = assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int, c int);\nCREATE INDEX t_c_idx ON t (c);\nCREATE INDEX t_id_idx ON t (id);",
                ),
                ("1_a.down.sql", "DROP TABLE t;"),
                ("2_b.up.sql", "DROP TABLE t;"),
                ("2_b.down.sql", "CREATE TABLE t (id int, c int);"),
            ],
        );
        assert!(
            table.contains("index t_c_idx, index t_id_idx; after a rollback they are missing"),
            "{table}"
        );
        assert_eq!(table.matches("adds back").count(), 1, "{table}");
        assert_ok_files(
            RULE,
            &files(
                "ALTER TABLE t ADD COLUMN c int, ADD COLUMN d int;\nCREATE INDEX t_c_idx ON t (c);\n\
                 CREATE INDEX t_d_idx ON t (id) WHERE d > 0;",
            ),
        );
        // A down that does not bring the column back is not this finding's.
        assert_ok_files(RULE, &files("SELECT 1;"));
    }

    #[test]
    fn rename_not_reversed_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "ALTER TABLE accounts RENAME COLUMN mail TO email;"
                ),
                ("1_a.down.sql", "SELECT 1;"),
            ]
        ));
    }

    #[test]
    fn empty_down_err() {
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (id int);"),
                ("1_a.down.sql", ""),
            ],
        );
        assert!(out.contains("1_a.down.sql:1:1:"), "{out}");
    }

    #[test]
    fn rerunnable_creates_ok() {
        // Dropped IF EXISTS before it is created: a re-run replaces a
        // leftover. An extension or schema IF NOT EXISTS: not the down's.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE EXTENSION IF NOT EXISTS vector;\nCREATE SCHEMA IF NOT EXISTS app;\n\
                     DROP TABLE IF EXISTS app.tokens CASCADE;\nCREATE TABLE app.tokens (id int);\n\
                     CREATE INDEX tokens_id_idx ON app.tokens (id);",
                ),
                ("1_a.down.sql", "SELECT 1;"),
            ],
        );
        // Without the drop first, a table IF NOT EXISTS is still the down's:
        // a re-run would keep the leftover's definition.
        let out = assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE IF NOT EXISTS t (id int);\nDROP TABLE IF EXISTS t;\nCREATE EXTENSION hstore;\n\
                     DROP INDEX IF EXISTS i;\nCREATE TABLE u (id int);",
                ),
                ("1_a.down.sql", "SELECT 1;"),
            ],
        );
        assert!(out.contains("extension hstore"), "{out}");
        assert!(out.contains("table u"), "{out}");
        assert!(!out.contains("table t"), "{out}");
        // A function created OR REPLACE: a re-run replaces a leftover, and
        // what called it (its trigger) is what the down must drop.
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (id int, at timestamptz);"),
                ("1_a.down.sql", "DROP TABLE t;"),
                (
                    "2_b.up.sql",
                    "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at = now(); RETURN NEW; END $$;\n\
                     CREATE FUNCTION helper() RETURNS int LANGUAGE sql RETURN 1;\n\
                     CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
                ),
                ("2_b.down.sql", "SELECT 1;"),
            ],
        );
        assert!(out.contains("trigger t_touch"), "{out}");
        assert!(out.contains("function helper()"), "{out}");
        assert!(!out.contains("function touch()"), "{out}");
    }

    #[test]
    fn seed_migrations_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "migrations/000001_init_extensions.up.sql",
                    "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";",
                ),
                (
                    "migrations/000001_init_extensions.down.sql",
                    "DROP EXTENSION IF EXISTS \"uuid-ossp\";",
                ),
                (
                    "migrations/000002_create_user_table.up.sql",
                    "CREATE TABLE users (\n  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n  email VARCHAR(100) NOT NULL UNIQUE\n);\n\nCREATE INDEX idx_users_email ON users(email);",
                ),
                (
                    "migrations/000002_create_user_table.down.sql",
                    "DROP INDEX IF EXISTS idx_users_email;\nDROP TABLE IF EXISTS users;",
                ),
            ],
        );
    }

    #[test]
    fn implied_drops_ok() {
        // DROP TABLE takes its indexes, columns, constraints and triggers;
        // DROP COLUMN the indexes on it; DROP SCHEMA CASCADE its contents.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (id int);"),
                ("1_a.down.sql", "DROP TABLE t;"),
                (
                    "2_b.up.sql",
                    "ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX t_c_idx ON t (c);\n\
                     CREATE TRIGGER t_tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();",
                ),
                ("2_b.down.sql", "DROP TRIGGER IF EXISTS t_tr ON public.t;\nALTER TABLE t DROP COLUMN c;"),
                (
                    "3_c.up.sql",
                    "CREATE SCHEMA app;\nCREATE TABLE app.x (id int);\nCREATE VIEW app.v AS SELECT 1;\n\
                     CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
                ),
                ("3_c.down.sql", "DROP SCHEMA IF EXISTS app CASCADE;"),
            ],
        );
    }

    /// The up drops the primary key and keeps a unique index in its place;
    /// the down makes that index the primary key's again (`USING INDEX`,
    /// which renames it to the constraint's name): nothing is left behind.
    #[test]
    fn index_taken_back_by_its_constraint_ok() {
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (id bigint PRIMARY KEY);"),
                ("1_a.down.sql", "DROP TABLE t;"),
                (
                    "2_b.up.sql",
                    "ALTER TABLE t DROP CONSTRAINT t_pkey, ALTER COLUMN id DROP NOT NULL;\n\
                     CREATE UNIQUE INDEX t_id ON t (id);",
                ),
                (
                    "2_b.down.sql",
                    "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id;",
                ),
            ],
        );
    }

    #[test]
    fn precise_names_err() {
        // Another schema, another case: not the same object.
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE app.t (id int);"),
                ("1_a.down.sql", "DROP TABLE t;"),
            ],
        );
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE \"T\" (id int);"),
                ("1_a.down.sql", "DROP TABLE t;"),
            ],
        );
        // Without CASCADE a schema drop takes only the schema.
        assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE SCHEMA app; CREATE TABLE app.t (id int);",
                ),
                ("1_a.down.sql", "DROP SCHEMA app;"),
            ],
        );
    }

    #[test]
    fn qualified_and_quoted_ok() {
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "create table Public.Users (id int);"),
                ("1_a.down.sql", "DROP TABLE IF EXISTS \"users\" CASCADE;"),
            ],
        );
    }

    #[test]
    fn created_then_dropped_in_up_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE tmp_ids AS SELECT id FROM users;\nUPDATE users SET x = 1 WHERE id IN (SELECT id FROM tmp_ids);\nDROP TABLE tmp_ids;",
                ),
                ("1_a.down.sql", "SELECT 1;"),
            ],
        );
    }

    #[test]
    fn existing_objects_are_not_expected() {
        // `CREATE OR REPLACE`/`IF NOT EXISTS` of something an earlier up made.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
                ),
                ("1_a.down.sql", "DROP FUNCTION f();"),
                (
                    "2_b.up.sql",
                    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2';",
                ),
                (
                    "2_b.down.sql",
                    "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
                ),
            ],
        );
    }

    #[test]
    fn renames_reversed_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "ALTER TABLE a RENAME TO b;\nALTER TABLE b RENAME COLUMN x TO y;\nALTER INDEX a_idx RENAME TO b_idx;",
                ),
                (
                    "1_a.down.sql",
                    "ALTER INDEX b_idx RENAME TO a_idx;\nALTER TABLE b RENAME COLUMN y TO x;\nALTER TABLE b RENAME TO a;",
                ),
            ],
        );
        // A table created and renamed in the up is dropped under its new name.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t_new (id int);\nALTER TABLE t_new RENAME TO t;",
                ),
                ("1_a.down.sql", "DROP TABLE t;"),
            ],
        );
    }

    #[test]
    fn implied_by_ownership_and_cascade_ok() {
        // A sequence OWNED BY a column goes with the column.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "ALTER TABLE d ADD COLUMN id integer;\nCREATE SEQUENCE d_id_seq;\nALTER SEQUENCE d_id_seq OWNED BY d.id;",
                ),
                ("1_a.down.sql", "ALTER TABLE d DROP COLUMN id;"),
            ],
        );
        // Dropping a key with CASCADE drops the foreign keys that use it.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "ALTER TABLE docs ADD CONSTRAINT docs_pkg_fkey FOREIGN KEY (pkg_id) REFERENCES pkgs (id);",
                ),
                ("1_a.down.sql", "ALTER TABLE pkgs DROP CONSTRAINT IF EXISTS pkgs_pkey CASCADE;"),
            ],
        );
    }

    #[test]
    fn replaced_objects_are_not_expected() {
        // The up drops a constraint that existed before and adds it back.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "ALTER TABLE h DROP CONSTRAINT h_fkey;\nALTER TABLE h ADD CONSTRAINT h_fkey FOREIGN KEY (p) REFERENCES p (big_id) NOT VALID;",
                ),
                ("1_a.down.sql", "SELECT 1;"),
            ],
        );
        // A table dropped and created again: the down restores it, it does
        // not drop what is built on it.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "DROP TABLE docs;\nCREATE TABLE docs (id bigint);\nCREATE INDEX docs_id_idx ON docs (id);",
                ),
                ("1_a.down.sql", "ALTER TABLE docs ALTER COLUMN id TYPE integer;"),
            ],
        );
        // `DROP ... IF EXISTS` before a CREATE is not a replacement, but a
        // re-run of the up drops a leftover itself: not expected either
        // (`rerunnable_creates_ok`).
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "DROP TABLE IF EXISTS svc CASCADE;\nCREATE TABLE svc (id bigint);",
                ),
                ("1_a.down.sql", "SELECT 1;"),
            ],
        );
    }

    #[test]
    fn down_that_does_not_parse_is_skipped() {
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "ALTER TABLE t ADD COLUMN c int;"),
                ("1_a.down.sql", "ALTER TABLE t DROP COLUMN c int;"),
            ],
        );
    }

    /// The up's renames and the down's, each followed in order: a down
    /// that ends where the up started reverses it, whatever its steps.
    #[test]
    fn renames_followed_in_order() {
        let files = |up, down| {
            [
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (c int, d int);\nCREATE INDEX i ON t (c);",
                ),
                ("1_a.down.sql", "DROP TABLE t;"),
                ("2_b.up.sql", up),
                ("2_b.down.sql", down),
            ]
        };
        let chain = "ALTER TABLE t RENAME c TO c2;\nALTER TABLE t RENAME c2 TO c3;";
        assert_ok_files(RULE, &files(chain, "ALTER TABLE t RENAME c3 TO c;"));
        let out = assert_err_files(RULE, &files(chain, "SELECT 1;"));
        assert_eq!(out.matches("[down-not-reversing-up]").count(), 1, "{out}");
        assert!(out.contains("rename column t.c3 back to c:"), "{out}");
        let swap = "ALTER TABLE t RENAME c TO tmp;\nALTER TABLE t RENAME d TO c;\nALTER TABLE t RENAME tmp TO d;";
        assert_ok_files(
            RULE,
            &files(
                swap,
                "ALTER TABLE t RENAME d TO x;\nALTER TABLE t RENAME c TO d;\nALTER TABLE t RENAME x TO c;",
            ),
        );
        assert_ok_files(
            RULE,
            &files(
                "ALTER INDEX i RENAME TO i2;\nALTER INDEX i2 RENAME TO i3;",
                "ALTER INDEX i3 RENAME TO i;",
            ),
        );
    }

    /// pkgsite 000119: one down leaving three triggers behind is one
    /// finding naming them all.
    #[test]
    fn what_is_left_behind_is_one_finding() {
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);"),
                ("1_a.down.sql", "DROP TABLE b;\nDROP TABLE a;"),
                (
                    "2_b.up.sql",
                    "ALTER TABLE a ADD COLUMN x int;\nCREATE TRIGGER s BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION f();\n\
                     CREATE TRIGGER s BEFORE UPDATE ON b FOR EACH ROW EXECUTE FUNCTION f();",
                ),
                ("2_b.down.sql", "ALTER TABLE a DROP COLUMN x;"),
            ],
        );
        assert_eq!(out.matches("[down-not-reversing-up]").count(), 1, "{out}");
        assert!(
            out.contains("does not drop trigger s on a, created at 2_b.up.sql:2; trigger s on b, created at 2_b.up.sql:3: a rollback leaves them behind"),
            "{out}"
        );
    }
}
