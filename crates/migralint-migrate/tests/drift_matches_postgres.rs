//! `if-not-exists-hides-drift` checked against a real server: each case
//! runs a history, then an `IF NOT EXISTS` statement of table `t` (or an
//! index of it). PostgreSQL says whether the statement did nothing (the
//! catalog of `public` is the same after it) and whether what it asks for
//! is there anyway: the statement is run again in an empty schema `want`
//! (first in the `search_path`, so it builds there what it describes),
//! and every fact of what it built (column types, NOT NULL, defaults,
//! CHECK and foreign-key definitions, unique and primary keys, indexes)
//! must be a fact of `public.t` (`CURRENT_TIMESTAMP` and `now()` are one
//! default, though stored as written). migralint must report exactly when the
//! statement did nothing and some fact is missing. Skips (prints SKIPPED)
//! without PostgreSQL binaries, outside CI.

mod common;

use std::collections::BTreeSet;

use migralint_core::{lint, LintOptions, SourceFile};

const RULE: &str = "if-not-exists-hides-drift";

const SPELLINGS: &str = "CREATE TYPE mood AS ENUM ('ok');\n\
    CREATE TABLE t (id int4, tags _text, name varchar(20), m mood, at timestamptz, \
    amount numeric(10), \"Label\" text, b int, c text);\n\
    CREATE INDEX t_b ON t (b);\nCREATE INDEX t_b_desc ON t (b DESC);\n\
    CREATE INDEX t_c ON t USING btree (c text_ops);\n\
    CREATE INDEX t_low ON t (lower(c)) WHERE b > 0;\n\
    CREATE TABLE u (b int);\nCREATE INDEX u_b ON u (b);";

const KEYS: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n\
    CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, b int, c text DEFAULT 'x', \
    d int CHECK (d > 0), user_id bigint REFERENCES users, \
    at timestamptz DEFAULT now(), n int DEFAULT NULL, s serial, \
    CONSTRAINT t_b_key UNIQUE (b));\n\
    ALTER TABLE t ADD COLUMN e int, ADD COLUMN f int, ADD COLUMN g int, ADD COLUMN h int;\n\
    ALTER TABLE t ALTER COLUMN e SET NOT NULL, ALTER COLUMN e SET DEFAULT 0;\n\
    CREATE UNIQUE INDEX t_f_uq ON t (f);\n\
    ALTER TABLE t ADD CONSTRAINT t_g_fk FOREIGN KEY (g) REFERENCES users (id) ON DELETE CASCADE;\n\
    ALTER TABLE t ADD CONSTRAINT t_h_ck CHECK (h IS NOT NULL) NOT VALID;\n\
    ALTER TABLE t RENAME CONSTRAINT t_h_ck TO t_h_not_null;";

const RENAMES: &str = "CREATE TABLE users (id bigint PRIMARY KEY);\n\
    CREATE TABLE t (a int, b int CONSTRAINT t_b_ck CHECK (b > 0), u bigint REFERENCES users);\n\
    ALTER TABLE t ADD CONSTRAINT t_a_uq UNIQUE (a);\n\
    ALTER TABLE t RENAME COLUMN b TO c;\n\
    ALTER TABLE users RENAME TO accounts;\n\
    CREATE INDEX t_i ON t (a);\nALTER TABLE t RENAME COLUMN a TO x;";

const DROPPED_SCHEMA: &str = "CREATE TABLE t (a int, x int);\nCREATE INDEX t_a ON t (a);\n\
    DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\nCREATE TABLE t (a int, b int);";

const BOOLS: &str = "CREATE TABLE t (flag boolean DEFAULT false, seen boolean DEFAULT true);";

const FUNCS: &str = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
    CREATE TABLE t (u uuid DEFAULT gen_random_uuid(), n int DEFAULT f(), c text);\n\
    CREATE INDEX t_c ON t (lower(c));";

const CASTS: &str = "CREATE TABLE t (id bigint, email varchar(100), status varchar(20), x text);\n\
    CREATE INDEX t_lower ON t (lower(email));\nCREATE INDEX t_part ON t (id) WHERE status = 'x';\n\
    CREATE INDEX t_cat ON t ((email || status));\nCREATE INDEX t_x ON t (lower(x));\n\
    CREATE INDEX t_e ON t (email);\nCREATE INDEX t_like ON t (id) WHERE status LIKE 'a%';\n\
    CREATE INDEX t_co ON t (coalesce(email, ''));\nCREATE INDEX t_name ON t (name(email));";

/// (history, statement, migralint reports it).
fn cases() -> Vec<(&'static str, &'static str, bool)> {
    vec![
        // Types and indexes spelled otherwise: the same object.
        (SPELLINGS, "CREATE TABLE IF NOT EXISTS t (id integer, tags text[], name character varying(20), m public.mood, at timestamp with time zone, amount numeric(10,0), \"Label\" text, B INT, \"c\" TEXT);", false),
        (SPELLINGS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS tags text[];", false),
        (SPELLINGS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS m public.mood;", false),
        (SPELLINGS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS amount numeric(10,0);", false),
        (SPELLINGS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS id integer;", false),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_b ON t (b ASC);", false),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_b ON t (b ASC NULLS LAST);", false),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_b ON t USING btree (b int4_ops);", false),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_b_desc ON t (b DESC NULLS FIRST);", false),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_c ON t (c);", false),
        (SPELLINGS, "create index if not exists T_LOW on T ( LOWER( c ) ) where (B > 0);", false),
        // Another type or index.
        (SPELLINGS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS tags text;", true),
        (SPELLINGS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS name varchar(30);", true),
        (SPELLINGS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS amount numeric(10,2);", true),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_b ON t (b DESC);", true),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_b ON t (b NULLS FIRST);", true),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_c ON t (c text_pattern_ops);", true),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_c ON t USING hash (c);", true),
        (SPELLINGS, "CREATE UNIQUE INDEX IF NOT EXISTS t_b ON t (b);", true),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS t_c ON t (c COLLATE \"C\");", true),
        (SPELLINGS, "CREATE INDEX IF NOT EXISTS u_b ON t (b);", true),
        // Constraints and defaults the table has, written otherwise.
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint NOT NULL, a integer NOT NULL, b int UNIQUE, c text DEFAULT 'x'::text, d int, user_id bigint, at timestamptz DEFAULT CURRENT_TIMESTAMP, n int, s integer NOT NULL DEFAULT nextval('t_s_seq'::regclass), e int NOT NULL DEFAULT '0', f int UNIQUE, g int, h int, PRIMARY KEY (id), CHECK ((d > 0)), FOREIGN KEY (user_id) REFERENCES users (id), CONSTRAINT other_name FOREIGN KEY (g) REFERENCES users ON DELETE CASCADE, CHECK (h is not null));", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS id bigint PRIMARY KEY;", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int UNIQUE;", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS f int UNIQUE;", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS e int NOT NULL DEFAULT 0;", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS s serial;", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS d int CHECK (d > 0);", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS g int REFERENCES users (id) ON DELETE CASCADE;", false),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS n int DEFAULT NULL;", false),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, a int);", false),
        // The index of a key has the key's name.
        (KEYS, "CREATE UNIQUE INDEX IF NOT EXISTS t_b_key ON t (b);", false),
        (KEYS, "CREATE UNIQUE INDEX IF NOT EXISTS t_pkey ON t USING btree (id ASC);", false),
        (KEYS, "CREATE INDEX IF NOT EXISTS t_b_key ON t (b);", true),
        (KEYS, "CREATE UNIQUE INDEX IF NOT EXISTS t_pkey ON t (a);", true),
        // What the table lacks.
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int NOT NULL;", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int UNIQUE;", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int PRIMARY KEY;", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int REFERENCES users;", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS g int REFERENCES users;", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int CHECK (a > 0);", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS d int CHECK (d >= 0);", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS c text DEFAULT 'y';", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int DEFAULT 1;", true),
        (KEYS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS a serial;", true),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, b int NOT NULL);", true),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, a int, UNIQUE (id, a));", true),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, a int, PRIMARY KEY (a));", true),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, a int CHECK (a <> 0));", true),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, a int, FOREIGN KEY (a) REFERENCES users);", true),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, at timestamptz DEFAULT clock_timestamp());", true),
        (KEYS, "CREATE TABLE IF NOT EXISTS t (id bigint, z int);", true),
        // Renames followed.
        (RENAMES, "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int CHECK (c > 0);", false),
        (RENAMES, "ALTER TABLE t ADD COLUMN IF NOT EXISTS u bigint REFERENCES accounts;", false),
        (RENAMES, "ALTER TABLE t ADD COLUMN IF NOT EXISTS x int UNIQUE;", false),
        (RENAMES, "CREATE INDEX IF NOT EXISTS t_i ON t (x);", false),
        (RENAMES, "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int CHECK (c > 1);", true),
        // A TEMP table of that name (still there: one session, as
        // golang-migrate runs a directory) is not in the way: the table is
        // made in public. Nor is what went with its schema.
        ("CREATE TEMP TABLE t (id int);", "CREATE TABLE IF NOT EXISTS t (id bigint, x text);", false),
        ("CREATE TABLE t (a int);\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;", "CREATE TABLE IF NOT EXISTS t (id bigint, x text);", false),
        (DROPPED_SCHEMA, "CREATE INDEX IF NOT EXISTS t_a ON t (b);", false),
        // Spellings of one boolean constant: one stored default.
        (BOOLS, "CREATE TABLE IF NOT EXISTS t (flag boolean DEFAULT 'f', seen bool DEFAULT 'Yes');", false),
        (BOOLS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS flag boolean DEFAULT 'off';", false),
        (BOOLS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS seen boolean DEFAULT ' 1 ';", false),
        (BOOLS, "ALTER TABLE t ADD COLUMN IF NOT EXISTS flag boolean DEFAULT 'tr';", true),
        // Functions named with the schema of the default search_path.
        (FUNCS, "CREATE TABLE IF NOT EXISTS t (u uuid DEFAULT pg_catalog.gen_random_uuid(), n int DEFAULT public.f());", false),
        (FUNCS, "CREATE INDEX IF NOT EXISTS t_c ON t (pg_catalog.lower(c));", false),
        (FUNCS, "CREATE INDEX IF NOT EXISTS t_c ON t (pg_catalog.upper(c));", true),
        // The casts PostgreSQL stores with varchar and text columns: an
        // index as written, then as pg_dump writes it back.
        (CASTS, "CREATE INDEX IF NOT EXISTS t_lower ON public.t USING btree (lower((email)::text));", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_lower ON t (lower(t.email));", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_lower ON t (lower(email::varchar(100)));", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_part ON public.t USING btree (id) WHERE ((status)::text = 'x'::text);", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_cat ON public.t USING btree ((((email)::text || (status)::text)));", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_x ON t (lower(x::text));", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_e ON t ((email));", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_like ON public.t USING btree (id) WHERE ((status)::text ~~ 'a%'::text);", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_co ON public.t USING btree (COALESCE(email, ''::character varying));", false),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_e ON t ((email::text));", true),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_co ON t (coalesce(email::text, ''));", true),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_name ON t (name(email::text));", true),
        (CASTS, "CREATE INDEX IF NOT EXISTS t_like ON t (id) WHERE status NOT LIKE 'a%';", true),
    ]
}

/// The facts of a table: what a statement asking for it can ask for.
/// `key_indexes`: the indexes of its keys count as indexes too (a table
/// that has one has what a `CREATE UNIQUE INDEX` of the same name and
/// definition asks for).
fn facts(c: &mut postgres::Client, table: &str, key_indexes: bool) -> BTreeSet<String> {
    let sql = "WITH cols AS (
          SELECT a.*, pg_get_expr(d.adbin, d.adrelid) AS def
          FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1::text::regclass AND a.attnum > 0 AND NOT a.attisdropped)
        SELECT 'column ' || attname || ' ' || format_type(atttypid, atttypmod) FROM cols
        UNION ALL SELECT 'not null ' || attname FROM cols WHERE attnotnull
        UNION ALL SELECT 'default ' || attname || ' ' ||
            CASE WHEN attidentity <> '' OR def LIKE 'nextval(%' THEN 'nextval'
                 -- The same function (documented so); stored as written.
                 WHEN def = 'CURRENT_TIMESTAMP' THEN 'now()' ELSE def END
          FROM cols WHERE def IS NOT NULL OR attidentity <> ''
        UNION ALL SELECT 'constraint ' || replace(pg_get_constraintdef(oid), ' NOT VALID', '')
          FROM pg_constraint WHERE conrelid = $1::text::regclass AND contype IN ('c', 'f')
        UNION ALL SELECT k || (SELECT string_agg(attname, ',' ORDER BY attname) FROM pg_attribute
                               WHERE attrelid = i.indrelid AND attnum = ANY (i.indkey))
          FROM pg_index i, LATERAL (VALUES ('unique '), (CASE WHEN i.indisprimary THEN 'primary key ' END)) v(k)
          WHERE i.indrelid = $1::text::regclass AND i.indisunique AND i.indpred IS NULL
            AND i.indexprs IS NULL AND k IS NOT NULL
        UNION ALL SELECT 'index ' || replace(pg_get_indexdef(i.indexrelid), ' ON want.', ' ON public.')
          FROM pg_index i WHERE i.indrelid = $1::text::regclass
            AND ($2 OR NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = i.indexrelid))";
    c.query(sql, &[&table, &key_indexes])
        .unwrap_or_else(|e| panic!("facts of {table}: {e}"))
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

/// Every relation of `public` with its facts: unchanged means the
/// statement did nothing.
fn catalog(c: &mut postgres::Client) -> BTreeSet<String> {
    let relations: Vec<(String, String)> = c
        .query(
            "SELECT relname::text, relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut out = BTreeSet::new();
    for (name, kind) in relations {
        if kind == "r" {
            let quoted = format!("public.\"{name}\"");
            out.extend(
                facts(c, &quoted, true)
                    .into_iter()
                    .map(|f| format!("{name}: {f}")),
            );
        }
        out.insert(format!("{kind} {name}"));
    }
    out
}

#[test]
fn drift_reported_exactly_when_postgres_skips_what_the_file_asks() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let mut failures = Vec::new();
    for (i, (history, stmt, expected)) in cases().into_iter().enumerate() {
        let files = [
            SourceFile::new("000001_history.up.sql", history),
            SourceFile::new("000002_again.up.sql", stmt),
        ];
        let report = lint(&files, &LintOptions::default());
        let found: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == RULE)
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            found.len() <= 1,
            "{stmt}: one finding per statement: {found:#?}"
        );

        let db = server.fresh_db(&format!("drift {i}"));
        let mut c = server.client(&db);
        c.batch_execute(history)
            .unwrap_or_else(|e| panic!("{stmt}: the history fails: {e}"));
        let before = catalog(&mut c);
        c.batch_execute(stmt)
            .unwrap_or_else(|e| panic!("{stmt}: fails: {e}"));
        let skipped = catalog(&mut c) == before;
        // What the statement builds where nothing is in its way.
        let setup = if stmt.to_lowercase().starts_with("alter table") {
            "CREATE TABLE want.t ();"
        } else if stmt.to_lowercase().contains(" index ") {
            "CREATE TABLE want.t (LIKE public.t INCLUDING DEFAULTS);"
        } else {
            ""
        };
        c.batch_execute(&format!(
            "CREATE SCHEMA want; {setup} SET search_path = want, public; {stmt} RESET search_path;"
        ))
        .unwrap_or_else(|e| panic!("{stmt}: fails in an empty schema: {e}"));
        let have = facts(&mut c, "public.t", true);
        let want = facts(&mut c, "want.t", false);
        let missing: Vec<&String> = want.difference(&have).collect();
        let drift = skipped && !missing.is_empty();
        if drift != expected || found.is_empty() == drift {
            failures.push(format!(
                "{stmt}\n  PostgreSQL: skipped {skipped}, missing {missing:?}\n  expected {expected}, migralint: {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
