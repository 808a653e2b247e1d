//! The lock model checked against a real server: each statement runs in a
//! transaction, and the table-level locks it holds (`pg_locks`) must be the
//! ones migralint says it takes: every lock migralint names, in that mode;
//! every table PostgreSQL locks beyond reading and writing rows, named; and
//! a table is rewritten (a new `relfilenode`) exactly when migralint says so.
//! Skips (prints SKIPPED) without PostgreSQL binaries, outside CI.

mod common;

use std::collections::BTreeMap;

use migralint_core::locks::{locks_in, LockMode};
use migralint_core::model::{effects::effects, Schema};
use migralint_core::parse::parse_file;

const SETUP: &str = "CREATE EXTENSION IF NOT EXISTS citext;\n\
     CREATE TABLE users (id int PRIMARY KEY, email text, n int, nick citext);\n\
     CREATE INDEX users_email ON users (email);\n\
     ALTER TABLE users ADD CONSTRAINT users_n_pos CHECK (n > 0) NOT VALID;\n\
     CREATE TABLE orders (id int, user_id int);\n\
     CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
     CREATE MATERIALIZED VIEW user_counts AS SELECT count(*) AS c FROM users;\n\
     CREATE DOMAIN positive AS int CHECK (VALUE > 0);\n\
     CREATE DOMAIN required AS text NOT NULL;\n\
     CREATE DOMAIN label AS text DEFAULT 'x';\n\
     CREATE DOMAIN code AS text CONSTRAINT code_ck CHECK (VALUE <> '');\n\
     ALTER DOMAIN code DROP CONSTRAINT code_ck;\n\
     CREATE DOMAIN amount AS int;\n\
     CREATE DOMAIN price AS amount;\n\
     CREATE TABLE items (a amount, p price);\n\
     CREATE TABLE carts (a amount);\n\
     ALTER DOMAIN amount ADD CONSTRAINT amount_pos CHECK (VALUE > 0) NOT VALID;\n\
     CREATE FUNCTION utc_micros() RETURNS bigint AS $$ SELECT CAST(extract(EPOCH from now() at time zone 'utc') * 1000000 AS bigint) $$ LANGUAGE sql;\n\
     CREATE FUNCTION micros_plus() RETURNS bigint AS $$ SELECT utc_micros() + 1 $$ LANGUAGE sql;\n\
     CREATE FUNCTION now_utc() RETURNS timestamptz LANGUAGE sql RETURN now();\n\
     CREATE FUNCTION sql_random() RETURNS float8 AS $$ SELECT random() $$ LANGUAGE sql;\n\
     CREATE FUNCTION sql_from() RETURNS bigint AS $$ SELECT 1 FROM pg_class LIMIT 1 $$ LANGUAGE sql;\n\
     CREATE FUNCTION sql_definer() RETURNS timestamptz AS $$ SELECT now() $$ LANGUAGE sql SECURITY DEFINER;\n\
     CREATE FUNCTION sql_set() RETURNS timestamptz AS $$ SELECT now() $$ LANGUAGE sql SET search_path = public;\n\
     CREATE FUNCTION pl_volatile() RETURNS bigint AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n\
     CREATE FUNCTION pl_stable() RETURNS bigint AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql STABLE;";

const STATEMENTS: &[&str] = &[
    "ALTER INDEX users_email RENAME TO users_mail",
    "ALTER TABLE users RENAME COLUMN email TO mail",
    "ALTER TABLE users RENAME TO accounts",
    "ALTER TABLE users RENAME CONSTRAINT users_n_pos TO users_n_positive",
    "CREATE INDEX users_n ON users (n)",
    "CREATE UNIQUE INDEX users_n ON users (n)",
    "ALTER TABLE users ALTER COLUMN n TYPE bigint",
    // citext's casts from and to text are binary: the table keeps its file
    // (the index on email is built again).
    "ALTER TABLE users ALTER COLUMN email TYPE citext",
    "ALTER TABLE users ALTER COLUMN nick TYPE text",
    "ALTER TABLE users ALTER COLUMN nick TYPE varchar",
    "ALTER TABLE users ALTER COLUMN nick TYPE varchar(10)",
    "ALTER TABLE users ADD COLUMN c int DEFAULT 0",
    "ALTER TABLE users ALTER COLUMN n SET NOT NULL",
    "ALTER TABLE users ALTER COLUMN email SET DEFAULT 'x'",
    "ALTER TABLE users ALTER COLUMN n SET STATISTICS 100",
    "ALTER TABLE users VALIDATE CONSTRAINT users_n_pos",
    "ALTER TABLE users ADD CONSTRAINT users_n_max CHECK (n < 10) NOT VALID",
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
    "ALTER TABLE users DROP COLUMN n",
    "DROP INDEX users_email",
    "LOCK TABLE users IN SHARE MODE",
    "TRUNCATE orders",
    "UPDATE users SET n = 1",
    "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
    "REFRESH MATERIALIZED VIEW user_counts",
    "ALTER TABLE users ADD COLUMN d timestamptz DEFAULT now()",
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(200)",
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(200) USING email::varchar(200)",
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(200) USING lower(email)",
    "ALTER TABLE users ADD COLUMN d2 timestamptz DEFAULT timezone('utc', now())",
    "ALTER TABLE users ALTER COLUMN n DROP NOT NULL",
    "ALTER TABLE users SET (fillfactor = 70)",
    "COMMENT ON TABLE users IS 'people'",
    "COMMENT ON COLUMN users.email IS 'login'",
    "ALTER TABLE users DROP CONSTRAINT users_n_pos",
    "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)",
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)",
    "ALTER TABLE users DISABLE TRIGGER ALL",
    "CREATE VIEW user_emails AS SELECT email FROM users",
    "DROP TABLE orders",
    "DELETE FROM users WHERE id = 1",
    "INSERT INTO orders SELECT id, id FROM users",
    "ALTER TABLE users OWNER TO CURRENT_USER",
    "ALTER TABLE users ALTER COLUMN email SET STORAGE EXTERNAL",
    "ALTER TABLE users CLUSTER ON users_pkey",
    "ALTER TABLE users REPLICA IDENTITY FULL",
    "GRANT SELECT ON users TO PUBLIC",
    "ALTER TABLE users ADD COLUMN u uuid DEFAULT gen_random_uuid()",
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(10)",
    "ALTER TABLE users ALTER COLUMN n TYPE int",
    "ALTER TABLE users ALTER COLUMN n TYPE numeric",
    "ALTER TABLE users ADD COLUMN s serial",
    "ALTER TABLE users ADD COLUMN g int GENERATED ALWAYS AS (n * 2) STORED",
    "ALTER TABLE users ADD COLUMN i int GENERATED ALWAYS AS IDENTITY",
    "ALTER TABLE users SET UNLOGGED",
    "CLUSTER users USING users_pkey",
    "ALTER TABLE users ADD COLUMN p positive",
    "ALTER TABLE users ADD COLUMN p positive DEFAULT 1",
    "ALTER TABLE users ADD COLUMN r required DEFAULT 'x'",
    "ALTER TABLE users ADD COLUMN l label",
    "ALTER TABLE users ADD COLUMN c code",
    "ALTER TABLE users ADD COLUMN ps positive[]",
    "ALTER DOMAIN amount ADD CONSTRAINT amount_small CHECK (VALUE < 100)",
    "ALTER DOMAIN amount ADD CONSTRAINT amount_small CHECK (VALUE < 100) NOT VALID",
    "ALTER DOMAIN amount VALIDATE CONSTRAINT amount_pos",
    "ALTER DOMAIN price SET NOT NULL",
    "ALTER DOMAIN amount DROP CONSTRAINT amount_pos",
    "ALTER TABLE users ALTER COLUMN email TYPE label",
    "ALTER TABLE users ALTER COLUMN email TYPE code",
    "ALTER TABLE users ALTER COLUMN n TYPE positive",
    "ALTER TABLE items ALTER COLUMN a TYPE int",
    "ALTER TABLE items ALTER COLUMN p TYPE amount",
    // Defaults calling functions the migrations created: PostgreSQL judges
    // one by its declared volatility, or a VOLATILE SQL function it inlines
    // by its body.
    "ALTER TABLE users ADD COLUMN t bigint DEFAULT utc_micros()",
    "ALTER TABLE users ADD COLUMN t bigint DEFAULT micros_plus()",
    "ALTER TABLE users ADD COLUMN t timestamptz DEFAULT now_utc()",
    "ALTER TABLE users ADD COLUMN t float8 DEFAULT sql_random()",
    "ALTER TABLE users ADD COLUMN t bigint DEFAULT sql_from()",
    "ALTER TABLE users ADD COLUMN t timestamptz DEFAULT sql_definer()",
    "ALTER TABLE users ADD COLUMN t timestamptz DEFAULT sql_set()",
    "ALTER TABLE users ADD COLUMN t bigint DEFAULT pl_volatile()",
    "ALTER TABLE users ADD COLUMN t bigint DEFAULT pl_stable()",
];

// Not listed, on purpose: `REINDEX TABLE`, which PostgreSQL runs under SHARE
// on the table and ACCESS EXCLUSIVE on each index. migralint says ACCESS
// EXCLUSIVE on the table: a query must lock every index of its table to be
// planned, so reads wait as if the table were locked (what the rules say).

/// `ACCESS EXCLUSIVE` -> `AccessExclusiveLock`, as `pg_locks` says it.
fn pg_mode(mode: LockMode) -> String {
    let words: String = mode
        .name()
        .split(' ')
        .map(|w| w[..1].to_string() + &w[1..].to_lowercase())
        .collect();
    words + "Lock"
}

#[test]
fn statement_locks_are_postgres_locks() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let strong = |m: &str| !["AccessShareLock", "RowShareLock", "RowExclusiveLock"].contains(&m);
    // The setup replayed into a schema model, as the rules see it.
    let mut schema = Schema::default();
    for stmt in parse_file("setup.sql", SETUP).statements {
        schema.apply(&effects(&stmt.node), 0);
    }
    let mut wrong = Vec::new();
    for sql in STATEMENTS {
        let db = server.fresh_db("locks");
        let mut client = server.client(&db);
        client.batch_execute(SETUP).expect("setup");
        // Names as they were before the statement (it may rename), and the
        // table of each index (a lock "on the table of index i").
        let names: BTreeMap<i64, (String, bool)> = client
            .query(
                "SELECT oid::int8, relname::text, relkind IN ('r', 'p', 'm') FROM pg_class \
                 WHERE relnamespace = 'public'::regnamespace",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect();
        let table_of: BTreeMap<String, String> = client
            .query(
                "SELECT indexrelid::regclass::text, indrelid::regclass::text FROM pg_index \
                    WHERE indrelid::regclass::text NOT LIKE 'pg_%'",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let parsed = parse_file("x.sql", sql);
        let ours: BTreeMap<String, (String, bool)> =
            locks_in(&parsed.statements[0].node, 15, &schema)
                .iter()
                .map(|l| {
                    let rel = l.relation.name.clone();
                    let rel = if l.on_index {
                        table_of[&rel].clone()
                    } else {
                        rel
                    };
                    (rel, (pg_mode(l.mode), l.rewrite))
                })
                .collect();
        let files = |c: &mut postgres::Transaction| -> BTreeMap<String, i64> {
            c.query(
                "SELECT relname::text, relfilenode::int8 FROM pg_class \
                 WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
        };
        let mut tx = client.transaction().unwrap();
        let before = files(&mut tx);
        tx.batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        // The strongest lock this session holds on each relation of the
        // schema (tables, indexes, views), and whether it is a table.
        // By OID: a relation the statement dropped is no longer in pg_class.
        let rows = tx
            .query(
                "SELECT l.relation::oid::int8, l.mode FROM pg_locks l \
                 WHERE l.pid = pg_backend_pid() AND l.granted AND l.locktype = 'relation' \
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            )
            .unwrap();
        let order = |m: &str| LockMode::ALL.iter().position(|x| pg_mode(*x) == m);
        let mut theirs: BTreeMap<String, (String, bool)> = BTreeMap::new();
        for r in rows {
            let (oid, mode): (i64, String) = (r.get(0), r.get(1));
            // A relation the statement created: named as it is now.
            let found = names.get(&oid).cloned().or_else(|| {
                tx.query_opt(
                    "SELECT relname::text, relkind IN ('r', 'p', 'm') FROM pg_class \
                     WHERE oid = $1::int8::oid AND relnamespace = 'public'::regnamespace",
                    &[&oid],
                )
                .unwrap()
                .map(|r| (r.get(0), r.get(1)))
            });
            let Some((name, table)) = found else { continue };
            let e = theirs.entry(name).or_insert((mode.clone(), table));
            if order(&mode) > order(&e.0) {
                e.0 = mode;
            }
        }
        let after = files(&mut tx);
        tx.rollback().unwrap();
        // TRUNCATE gives the table a new, empty file: not a rewrite of rows.
        let truncate = sql.starts_with("TRUNCATE");
        for (rel, file) in before.iter().filter(|_| !truncate) {
            let rewritten = after.get(rel).is_some_and(|f| f != file);
            let said = ours.get(rel).is_some_and(|(_, r)| *r);
            if rewritten != said {
                wrong.push(format!(
                    "{sql}: PostgreSQL {} {rel}, migralint says it {}",
                    if rewritten {
                        "rewrites"
                    } else {
                        "does not rewrite"
                    },
                    if said { "does" } else { "does not" }
                ));
            }
        }
        for (rel, (mode, _)) in &ours {
            let held = theirs.get(rel).map(|(m, _)| m.as_str());
            if held != Some(mode.as_str()) {
                wrong.push(format!(
                    "{sql}: migralint says {mode} on {rel}, PostgreSQL holds {theirs:?}"
                ));
            }
        }
        for (rel, (mode, table)) in &theirs {
            if *table && strong(mode) && !ours.contains_key(rel) {
                wrong.push(format!(
                    "{sql}: PostgreSQL holds {mode} on {rel}, migralint names {ours:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
