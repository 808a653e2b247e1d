//! `object-already-gone` checked against a real server: each case is a
//! base migration, then ups applied in order (one query each, as
//! golang-migrate sends a file); the last up must fail exactly when
//! migralint reports it, and every earlier one must run. Skips (prints
//! SKIPPED) without PostgreSQL binaries, outside CI.

mod common;

use migralint_core::{lint, LintOptions, SourceFile};

const RULE: &str = "object-already-gone";

const BASE: &str = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, d text);\n\
     CREATE INDEX t_a_idx ON t (a);\n\
     ALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b > 0);\n\
     CREATE TABLE u (id int PRIMARY KEY, t_id int REFERENCES t (id));\n\
     CREATE INDEX u_t_id_idx ON u (t_id);\n\
     CREATE VIEW v AS SELECT id, a FROM t;\n\
     CREATE SEQUENCE sq;\n\
     CREATE TYPE mood AS ENUM ('a', 'b');\n\
     CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
     CREATE SCHEMA s;\nCREATE TABLE s.x (id int);\nCREATE TABLE x (id int);\n\
     CREATE TABLE \"Foo\" (id int);";

#[test]
fn ups_fail_exactly_when_reported() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    // (ups after BASE, the last is reported)
    let cases: &[(&[&str], bool)] = &[
        (&["DROP INDEX t_a_idx;\nDROP INDEX t_a_idx;"], true),
        // A unique or primary key takes its index with it.
        (&["ALTER TABLE x ADD CONSTRAINT x_id_key UNIQUE (id);", "ALTER TABLE x DROP CONSTRAINT x_id_key;\nDROP INDEX x_id_key;"], true),
        (&["ALTER TABLE x ADD CONSTRAINT x_id_key UNIQUE (id);", "ALTER TABLE x DROP CONSTRAINT x_id_key;", "DROP INDEX x_id_key;"], true),
        (&["CREATE UNIQUE INDEX x_u ON x (id);\nALTER TABLE x ADD CONSTRAINT x_pk PRIMARY KEY USING INDEX x_u;", "ALTER TABLE x DROP CONSTRAINT x_pk;\nDROP INDEX x_pk;"], true),
        (&["ALTER TABLE x ADD CONSTRAINT x_id_key UNIQUE (id);", "ALTER TABLE x DROP CONSTRAINT x_id_key;\nCREATE UNIQUE INDEX x_id_key ON x (id);", "DROP INDEX x_id_key;"], false),
        (&["ALTER TABLE t DROP CONSTRAINT t_b_check;\nDROP INDEX IF EXISTS t_b_check;"], false),
        (&["DROP INDEX t_a_idx;", "DROP INDEX t_a_idx;"], true),
        (&["ALTER INDEX t_a_idx RENAME TO i2;\nALTER INDEX i2 RENAME TO i3;", "DROP INDEX i2;"], true),
        (&["ALTER INDEX t_a_idx RENAME TO i2;\nALTER INDEX i2 RENAME TO i3;", "DROP INDEX i3;"], false),
        (&["ALTER INDEX t_a_idx RENAME TO i2;", "DROP INDEX IF EXISTS t_a_idx;"], false),
        (&["DROP INDEX t_a_idx;", "CREATE INDEX t_a_idx ON t (b);", "DROP INDEX t_a_idx;"], false),
        (&["DROP INDEX t_a_idx;\nCREATE INDEX ON t (a);", "DROP INDEX t_a_idx;"], false),
        (&["ALTER TABLE t DROP CONSTRAINT t_b_check;\nALTER TABLE t ADD CHECK (b > 0);", "ALTER TABLE t DROP CONSTRAINT t_b_check;"], false),
        (&["DROP INDEX t_a_idx;\nDO $$ BEGIN EXECUTE 'CREATE INDEX t_a_idx ON t (a)'; END $$;", "DROP INDEX t_a_idx;"], false),
        (&["ALTER TABLE u RENAME TO u2;", "ALTER TABLE u ADD COLUMN z int;"], true),
        (&["ALTER TABLE u RENAME TO u2;\nDROP TABLE u;"], true),
        (&["ALTER TABLE u RENAME TO u2;", "CREATE INDEX u_z ON u (t_id);"], true),
        (&["ALTER TABLE u RENAME TO u2;", "INSERT INTO u (id, t_id) VALUES (1000, 1);"], true),
        (&["ALTER TABLE u RENAME TO u2;", "DROP TABLE public.u;"], true),
        (&["ALTER TABLE u RENAME TO u2;", "ALTER TABLE IF EXISTS u RENAME TO u3;"], false),
        (&["ALTER TABLE u RENAME TO u2;\nCREATE TABLE u (id int);", "ALTER TABLE u ADD COLUMN z int;"], false),
        (&["ALTER TABLE u RENAME TO u2;", "ALTER TABLE u2 RENAME TO u;", "DROP TABLE u;"], false),
        (&["DROP TABLE u;", "TRUNCATE u;"], true),
        (&["DROP TABLE u;", "DROP INDEX u_t_id_idx;"], true),
        (&["DROP TABLE u;", "ALTER TABLE u DROP CONSTRAINT u_t_id_fkey;"], true),
        (&["DROP TABLE u;", "ALTER TABLE u ALTER COLUMN t_id SET NOT NULL;"], true),
        (&["ALTER TABLE t DROP COLUMN d;", "ALTER TABLE t ADD CONSTRAINT t_d_ck CHECK (d <> '');"], true),
        (&["ALTER TABLE t DROP COLUMN d;", "CREATE INDEX t_d_idx ON t (d);"], true),
        (&["ALTER TABLE t DROP COLUMN d;", "ALTER TABLE t DROP COLUMN d;"], true),
        (&["ALTER TABLE t DROP COLUMN d;", "ALTER TABLE t ADD COLUMN d int, ADD CONSTRAINT k CHECK (d > 0);"], false),
        (&["ALTER TABLE t RENAME COLUMN a TO a2;\nALTER TABLE t RENAME COLUMN a2 TO a3;", "ALTER TABLE t ALTER COLUMN a2 TYPE bigint;"], true),
        (&["ALTER TABLE t RENAME COLUMN d TO d2;", "ALTER TABLE t RENAME COLUMN d TO d9;"], true),
        (&["ALTER TABLE t RENAME COLUMN d TO d2;", "UPDATE t SET d = 'z';"], true),
        (&["ALTER TABLE t RENAME CONSTRAINT t_b_check TO k2;\nALTER TABLE t RENAME CONSTRAINT k2 TO k3;", "ALTER TABLE t DROP CONSTRAINT k2;"], true),
        (&["DROP TABLE t CASCADE;", "DROP VIEW v;"], true),
        (&["ALTER TABLE t DROP COLUMN a CASCADE;", "DROP VIEW v;"], true),
        (&["ALTER VIEW v RENAME TO w;", "DROP VIEW v;"], true),
        (&["ALTER VIEW v RENAME TO w;", "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;"], false),
        (&["DROP TABLE s.x;", "DROP TABLE s.x;"], true),
        (&["DROP TABLE s.x;", "DROP TABLE x;"], false),
        (&["ALTER TABLE \"Foo\" RENAME TO foo;", "DROP TABLE \"Foo\";"], true),
        (&["ALTER SEQUENCE sq RENAME TO sq2;", "DROP SEQUENCE sq;"], true),
        (&["ALTER TYPE mood RENAME TO feeling;", "DROP TYPE mood;"], true),
        (&["ALTER TYPE mood RENAME TO feeling;", "CREATE TABLE m (x mood);"], true),
        (&["DROP FUNCTION f();", "DROP FUNCTION f();"], true),
        (&["ALTER FUNCTION f() RENAME TO g;", "DROP FUNCTION f;"], true),
        (&["BEGIN;\nDROP TABLE x;\nROLLBACK;", "DROP TABLE x;"], false),
        (&["CREATE TABLE sr (id serial);", "DROP TABLE sr;", "CREATE TABLE sr (id serial);"], false),
    ];
    let mut wrong: Vec<String> = Vec::new();
    for (i, (ups, reported)) in cases.iter().enumerate() {
        let mut files = vec![SourceFile::new("000001_base.up.sql", BASE)];
        for (k, up) in ups.iter().enumerate() {
            files.push(SourceFile::new(format!("{:06}_m.up.sql", k + 2), *up));
        }
        let last = format!("{:06}_m.up.sql", ups.len() + 1);
        let report = lint(&files, &LintOptions::default());
        let found = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == RULE)
            .map(|d| d.file.as_str())
            .collect::<Vec<_>>();
        let expected: Vec<&str> = if *reported {
            vec![last.as_str()]
        } else {
            vec![]
        };
        if found != expected {
            wrong.push(format!(
                "{ups:?}: migralint reported in {found:?}, expected {expected:?}"
            ));
        }
        let db = server.fresh_db(&format!("ups {i}"));
        let mut client = server.client(&db);
        client.batch_execute(BASE).unwrap();
        let (last_up, earlier) = ups.split_last().unwrap();
        for up in earlier {
            if let Err(e) = client.batch_execute(up) {
                wrong.push(format!("{ups:?}: {up} fails: {e}"));
            }
        }
        let result = client.batch_execute(last_up);
        if result.is_err() != *reported {
            wrong.push(format!("{ups:?}: the last up on PostgreSQL: {result:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
