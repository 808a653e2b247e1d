//! The "downs PostgreSQL will reject" rules checked against a real server:
//! each case runs its up, then its down, and the down must fail exactly
//! when migralint says it will (and the "fine" cases must succeed). Skips
//! (prints SKIPPED) without PostgreSQL binaries, outside CI.

mod common;

use migralint_core::{lint, LintOptions, SourceFile};

struct Case {
    name: &'static str,
    up: &'static str,
    down: &'static str,
    /// The rule that must report the down, or `None`: the down succeeds.
    rule: Option<&'static str>,
}

const USERS: &str = "CREATE TABLE users (id bigint PRIMARY KEY);\n\
                     CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));";
const TOUCH: &str = "CREATE TABLE t (id int, updated_at timestamptz);\n\
     CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;\n\
     CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();";
const DEFAULTS: &str = "CREATE SEQUENCE ticket_seq;\n\
     CREATE FUNCTION new_code() RETURNS text LANGUAGE sql AS 'SELECT 1::text';\n\
     CREATE TYPE mood AS ENUM ('ok');\n\
     CREATE TABLE tickets (id int DEFAULT nextval('ticket_seq'), code text DEFAULT new_code(), m mood);";
const JOBS: &str =
    "CREATE TABLE jobs (id int, state text, CONSTRAINT jobs_state_ck CHECK (state <> ''));\n\
     CREATE INDEX jobs_pending_idx ON jobs (id) WHERE state = 'pending';";
const RENAMES: &str = "CREATE TABLE accounts (id int, mail text);\n\
     ALTER TABLE accounts RENAME TO users;\nALTER TABLE users RENAME COLUMN mail TO email;";

const VIEWS: &str =
    "CREATE TABLE t (id int, a int, b int);\nCREATE VIEW v AS SELECT id, a FROM t;\n\
     CREATE VIEW w AS SELECT * FROM t;\nALTER TABLE t ADD COLUMN c int;";

const SWAP: &str = "CREATE TABLE users (id int, x int);\n\
     CREATE TABLE users_new (id int, x int, y int);\n\
     ALTER TABLE users RENAME TO users_old;\nALTER TABLE users_new RENAME TO users;\n\
     ALTER TABLE users RENAME COLUMN x TO x_old;\nALTER TABLE users RENAME COLUMN y TO x;";

const CHAIN: &str = "CREATE TABLE t (id int, a int);\n\
     ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME COLUMN b TO c;";
const TABLE_CHAIN: &str =
    "CREATE TABLE t (id int);\nALTER TABLE t RENAME TO b;\nALTER TABLE b RENAME TO c;";
const REPLACED_VIEW: &str = "CREATE TABLE users (id int, name text);\n\
     CREATE VIEW names AS SELECT id, name FROM users;\nALTER TABLE users ADD COLUMN nick text;\n\
     CREATE OR REPLACE VIEW names AS SELECT id, name, nick FROM users;";

const JOIN_VIEW: &str = "CREATE TABLE cu (id int, email text, tier text);\n\
     CREATE TABLE ord (id int, customer_id int);\n\
     CREATE VIEW order_emails AS SELECT o.id, c.email FROM ord o JOIN cu c ON c.id = o.customer_id;";
const SCHEMA: &str =
    "CREATE SCHEMA reporting;\nCREATE TABLE reporting.daily (d date PRIMARY KEY);\n\
     CREATE FUNCTION reporting.f() RETURNS int LANGUAGE sql AS 'SELECT 1';";
const KEY_INDEXES: &str = "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\n\
     ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);\nCREATE UNIQUE INDEX t_b_idx ON t (b);";
const EXTENSIONS: &str =
    "CREATE EXTENSION IF NOT EXISTS citext;\nCREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\n\
     CREATE TABLE users (id uuid DEFAULT uuid_generate_v4(), email citext);";
const OPCLASSES: &str = "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n\
     CREATE EXTENSION IF NOT EXISTS btree_gist;\nCREATE EXTENSION IF NOT EXISTS hstore;\n\
     CREATE EXTENSION IF NOT EXISTS ltree;\n\
     CREATE TABLE docs (title text, i int, h hstore, l ltree);\n\
     CREATE INDEX docs_title_trgm ON docs USING gin (title gin_trgm_ops);\n\
     CREATE INDEX docs_title_gist ON docs USING gist (lower(title) gist_trgm_ops);\n\
     CREATE INDEX docs_i ON docs USING gist (i gist_int4_ops);\n\
     CREATE INDEX docs_h ON docs USING gin (h gin_hstore_ops);\n\
     CREATE INDEX docs_l ON docs USING gist (l gist_ltree_ops);";
const DEPENDENTS: &str = "down-drop-has-dependents";
const TAKEN: &str = "down-name-already-taken";
const GONE: &str = "down-object-already-gone";
const SERIAL: &str = "alter-column-type-serial";
const UNKNOWN: &str = "down-drops-unknown-object";
const REQUIRED: &str = "adding-required-field";
const TRUNCATE: &str = "truncate-referenced-table";
const FILLED: &str = "CREATE TABLE users (id bigint PRIMARY KEY);\n\
     CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n\
     CREATE TABLE lines (order_id bigint REFERENCES orders (id));\n\
     INSERT INTO users VALUES (1);\nINSERT INTO orders VALUES (1, 1);\nINSERT INTO lines VALUES (1);";
const KEYS: &str =
    "CREATE TABLE u (id int NOT NULL, a int, b int, CONSTRAINT u_b_key UNIQUE (b));\n\
     CREATE UNIQUE INDEX u_id_idx ON u (id);\nCREATE UNIQUE INDEX u_a_idx ON u (a);";

/// `f(int)` and a table `ft`, then `$then`.
macro_rules! funcs {
    ($then:literal) => {
        concat!(
            "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x';\n",
            "CREATE TABLE ft (id int, a int);\n",
            $then
        )
    };
}
const FUNCS_CHECK: &str = funcs!("ALTER TABLE ft ADD CONSTRAINT ft_ck CHECK (f(a) > 0);");
const FUNCS_INDEX: &str = funcs!("CREATE INDEX ft_f_idx ON ft (f(a));");
const FUNCS_PARTIAL: &str = funcs!("CREATE INDEX ft_p_idx ON ft (a) WHERE f(a) > 0;");
const FUNCS_VIEW: &str = funcs!("CREATE VIEW fv AS SELECT f(a) FROM ft;");
const FUNCS_GENERATED: &str =
    funcs!("ALTER TABLE ft ADD COLUMN g int GENERATED ALWAYS AS (f(a)) STORED;");
const TYPES: &str = "CREATE TYPE mood AS ENUM ('ok');\nCREATE DOMAIN dm AS mood;";

const FKEYS: &str = "CREATE TABLE fu (id int PRIMARY KEY, email text UNIQUE, code int);\n\
     CREATE UNIQUE INDEX fu_code_idx ON fu (code);\n\
     CREATE TABLE fo (id int, user_id int REFERENCES fu, user_email text REFERENCES fu (email),\n\
     user_code int REFERENCES fu (code));";
const TWO_KEYS: &str = "CREATE TABLE u (id int NOT NULL, CONSTRAINT u_a UNIQUE (id));\n\
     CREATE UNIQUE INDEX u_b ON u (id);\nALTER TABLE u ADD PRIMARY KEY (id);\n\
     CREATE TABLE o (x int REFERENCES u (id));";
const OWN_KEY: &str = "CREATE TABLE t (parent int REFERENCES t (id), id int, PRIMARY KEY (id));";

const OVERLOADED: &str =
    "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x';\n\
     CREATE TABLE gt (a int CHECK (g(a) > 0));";
const OVERLOADS: &str =
    "CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x';\n\
     CREATE FUNCTION g(x text) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';\n\
     CREATE TABLE gt (a int DEFAULT g(1));";

const GENERATED: &str =
    "CREATE TABLE gc (id int, a int, b int, g int GENERATED ALWAYS AS (a * 2) STORED);";
const TRIGGERS: &str = "CREATE TABLE tt (id int, a int, b int, c int);\n\
     CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n\
     CREATE TRIGGER tr_of BEFORE UPDATE OF a ON tt FOR EACH ROW EXECUTE FUNCTION tf();\n\
     CREATE TRIGGER tr_when BEFORE UPDATE ON tt FOR EACH ROW WHEN (NEW.b > 0) EXECUTE FUNCTION tf();";
const INCLUDES: &str = "CREATE TABLE iu (a int, b int, c int, d int);\n\
     CREATE UNIQUE INDEX iu_a ON iu (a) INCLUDE (b);\nCREATE INDEX iu_c ON iu (c) INCLUDE (d);\n\
     CREATE TABLE io (x int REFERENCES iu (a));";

const TYPES_COLUMN: &str = "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE mt (id int, m mood);";

fn cases() -> Vec<Case> {
    let case = |name, up, down, rule| Case {
        name,
        up,
        down,
        rule,
    };
    vec![
        case("fk target first", USERS, "DROP TABLE users;\nDROP TABLE orders;", Some(DEPENDENTS)),
        case("fk source first", USERS, "DROP TABLE orders;\nDROP TABLE users;", None),
        // TRUNCATE ... CASCADE empties the tables that reference it, recursively.
        case(
            "truncate cascade empties the referencing tables",
            FILLED,
            "TRUNCATE users CASCADE;\nALTER TABLE lines ADD COLUMN x int NOT NULL;",
            None,
        ),
        case(
            "truncate cascade leaves the referenced tables",
            FILLED,
            "TRUNCATE orders CASCADE;\nALTER TABLE users ADD COLUMN x int NOT NULL;",
            Some(REQUIRED),
        ),
        case(
            "truncate of a referenced table alone",
            FILLED,
            "TRUNCATE orders;",
            Some(TRUNCATE),
        ),
        case(
            "truncate of an empty referenced table alone",
            USERS,
            "TRUNCATE users;",
            Some(TRUNCATE),
        ),
        case(
            "truncate with its referencing tables",
            FILLED,
            "TRUNCATE lines, users, orders;",
            None,
        ),
        case(
            "truncate after the foreign key is dropped",
            FILLED,
            "ALTER TABLE lines DROP CONSTRAINT lines_order_id_fkey;\nTRUNCATE orders, users;",
            None,
        ),
        case(
            "truncate without cascade of the referenced table only",
            FILLED,
            "TRUNCATE lines;\nALTER TABLE lines ADD COLUMN x int NOT NULL;",
            None,
        ),
        case("fk both at once", USERS, "DROP TABLE users, orders;", None),
        case(
            "fk dropped by its generated name",
            USERS,
            "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nDROP TABLE users;\nDROP TABLE orders;",
            None,
        ),
        case("fk cascade", USERS, "DROP TABLE users CASCADE;\nDROP TABLE orders;", None),
        case("trigger function first", TOUCH, "DROP FUNCTION touch();\nDROP TABLE t;", Some(DEPENDENTS)),
        case("trigger first", TOUCH, "DROP TRIGGER t_touch ON t;\nDROP FUNCTION touch();\nDROP TABLE t;", None),
        case("table then function", TOUCH, "DROP TABLE t;\nDROP FUNCTION touch();", None),
        case("sequence of a default", DEFAULTS, "DROP SEQUENCE ticket_seq;", Some(DEPENDENTS)),
        case("function of a default", DEFAULTS, "DROP FUNCTION new_code();", Some(DEPENDENTS)),
        case("type of a column", DEFAULTS, "DROP TYPE mood;", Some(DEPENDENTS)),
        case(
            "defaults dropped first",
            DEFAULTS,
            "ALTER TABLE tickets ALTER COLUMN id DROP DEFAULT, ALTER COLUMN code DROP DEFAULT;\n\
             DROP SEQUENCE ticket_seq;\nDROP FUNCTION new_code();\nALTER TABLE tickets DROP COLUMN m;\nDROP TYPE mood;",
            None,
        ),
        case("column a view reads", VIEWS, "ALTER TABLE t DROP COLUMN a;", Some(DEPENDENTS)),
        case("column a star view read", VIEWS, "ALTER TABLE t DROP COLUMN b;", Some(DEPENDENTS)),
        case("column added after the star view", VIEWS, "ALTER TABLE t DROP COLUMN c;", None),
        case("views dropped first", VIEWS, "DROP VIEW v, w;\nALTER TABLE t DROP COLUMN a;", None),
        case("column with cascade", VIEWS, "ALTER TABLE t DROP COLUMN a CASCADE;", None),
        case("table a view reads", VIEWS, "DROP TABLE t;", Some(DEPENDENTS)),
        case(
            "a CTE named like a table",
            "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n\
             CREATE VIEW v AS WITH a AS (SELECT id FROM b) SELECT * FROM a;",
            "DROP TABLE a;",
            None,
        ),
        case(
            "an output name is no column",
            "CREATE TABLE a (id int, x int);\nCREATE VIEW v AS SELECT id + 1 AS x FROM a ORDER BY x;",
            "ALTER TABLE a DROP COLUMN x;",
            None,
        ),
        case(
            "a subquery's column is no column",
            "CREATE TABLE a (id int, x int);\nCREATE VIEW v AS SELECT s.x FROM (SELECT id AS x FROM a) s;",
            "ALTER TABLE a DROP COLUMN x;",
            None,
        ),
        case(
            "a renamed column",
            "CREATE TABLE a (id int, x int);\nCREATE VIEW v AS SELECT x AS y FROM a;",
            "ALTER TABLE a DROP COLUMN x;",
            Some(DEPENDENTS),
        ),
        case(
            "sequence of a default set later",
            "CREATE TABLE t2 (id int, code text);\nCREATE SEQUENCE s2;\n\
             ALTER TABLE t2 ALTER COLUMN code SET DEFAULT nextval('s2')::text;",
            "DROP SEQUENCE s2;",
            Some(DEPENDENTS),
        ),
        case(
            "default dropped, then its sequence",
            "CREATE TABLE t2 (id int, code text);\nCREATE SEQUENCE s2;\n\
             ALTER TABLE t2 ALTER COLUMN code SET DEFAULT nextval('s2')::text;",
            "ALTER TABLE t2 ALTER COLUMN code DROP DEFAULT;\nDROP SEQUENCE s2;",
            None,
        ),
        case("index gone with its table", JOBS, "DROP TABLE jobs;\nDROP INDEX jobs_pending_idx;", Some(GONE)),
        case("index gone with its predicate column", JOBS, "ALTER TABLE jobs DROP COLUMN state;\nDROP INDEX jobs_pending_idx;", Some(GONE)),
        case("constraint gone with its column", JOBS, "ALTER TABLE jobs DROP COLUMN state;\nALTER TABLE jobs DROP CONSTRAINT jobs_state_ck;", Some(GONE)),
        case("index before its table", JOBS, "DROP INDEX jobs_pending_idx;\nDROP TABLE jobs;", None),
        case("renames in the wrong order", RENAMES, "ALTER TABLE users RENAME TO accounts;\nALTER TABLE users RENAME COLUMN email TO mail;", Some(GONE)),
        case("renames in order", RENAMES, "ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users RENAME TO accounts;", None),
        case("renames table first", RENAMES, "ALTER TABLE users RENAME TO accounts;\nALTER TABLE accounts RENAME COLUMN email TO mail;", None),
        case(
            "column swap undone in the wrong order",
            SWAP,
            "ALTER TABLE users RENAME COLUMN x_old TO x;\nALTER TABLE users RENAME COLUMN x TO y;",
            Some(TAKEN),
        ),
        case(
            "table swap undone in the wrong order",
            SWAP,
            "ALTER TABLE users_old RENAME TO users;\nALTER TABLE users RENAME TO users_new;",
            Some(TAKEN),
        ),
        case(
            "swaps undone in reverse order",
            SWAP,
            "ALTER TABLE users RENAME COLUMN x TO y;\nALTER TABLE users RENAME COLUMN x_old TO x;\n\
             ALTER TABLE users RENAME TO users_new;\nALTER TABLE users_old RENAME TO users;",
            None,
        ),
        case("index the up left, created again", JOBS, "CREATE INDEX jobs_pending_idx ON jobs (id);", Some(TAKEN)),
        case("index dropped, created again", JOBS, "DROP INDEX jobs_pending_idx;\nCREATE INDEX jobs_pending_idx ON jobs (id);", None),
        case("table named like an index", JOBS, "ALTER TABLE jobs RENAME TO jobs_pending_idx;", Some(TAKEN)),
        case("column the up left, added again", JOBS, "ALTER TABLE jobs ADD COLUMN state text;", Some(TAKEN)),
        case("serial sequence after its table", "CREATE TABLE c (id serial, n int);", "DROP TABLE c;\nDROP SEQUENCE c_id_seq;", Some(GONE)),
        case("serial sequence before its table", "CREATE TABLE c (id serial, n int);", "DROP SEQUENCE c_id_seq;\nDROP TABLE c;", Some(DEPENDENTS)),
        case("serial sequence with IF EXISTS", "CREATE TABLE c (id serial, n int);", "DROP TABLE c;\nDROP SEQUENCE IF EXISTS c_id_seq;", None),
        case("bigserial column dropped", "CREATE TABLE c (id int);\nALTER TABLE c ADD COLUMN code bigserial;", "ALTER TABLE c DROP COLUMN code;\nDROP TABLE c;", None),
        case("an index dropped as a constraint", KEYS, "ALTER TABLE u DROP CONSTRAINT u_a_idx;", Some(UNKNOWN)),
        case("an index dropped as an index", KEYS, "DROP INDEX u_a_idx;", None),
        case(
            "a key on an index takes the index's name",
            "CREATE TABLE u (id int NOT NULL);\nCREATE UNIQUE INDEX u_id_idx ON u (id);\n\
             ALTER TABLE u ADD PRIMARY KEY USING INDEX u_id_idx;",
            "ALTER TABLE u DROP CONSTRAINT u_id_idx;\nDROP TABLE u;",
            None,
        ),
        case(
            "a constraint on an index renames it, its drop takes the index",
            "CREATE TABLE u (a int);\nCREATE UNIQUE INDEX u_a_idx ON u (a);\n\
             ALTER TABLE u ADD CONSTRAINT u_a_uq UNIQUE USING INDEX u_a_idx;",
            "ALTER TABLE u DROP CONSTRAINT u_a_uq;\nCREATE UNIQUE INDEX u_a_idx ON u (a);",
            None,
        ),
        case(
            "renaming a key's index renames the key",
            "CREATE TABLE u (a int, CONSTRAINT u_a_key UNIQUE (a));\nALTER INDEX u_a_key RENAME TO u_a_uq;",
            "ALTER TABLE u DROP CONSTRAINT u_a_uq;\nALTER TABLE u ADD CONSTRAINT u_a_key UNIQUE (a);",
            None,
        ),
        case("function of a check", FUNCS_CHECK, "DROP FUNCTION f(int);", Some(DEPENDENTS)),
        case("check dropped, then its function", FUNCS_CHECK, "ALTER TABLE ft DROP CONSTRAINT ft_ck;\nDROP FUNCTION f(int);", None),
        case("function of an expression index", FUNCS_INDEX, "DROP FUNCTION f(int);", Some(DEPENDENTS)),
        case("function of a partial index", FUNCS_PARTIAL, "DROP FUNCTION f(int);", Some(DEPENDENTS)),
        case("index dropped, then its function", FUNCS_INDEX, "DROP INDEX ft_f_idx;\nDROP FUNCTION f(int);", None),
        case("function of a view", FUNCS_VIEW, "DROP FUNCTION f(int);", Some(DEPENDENTS)),
        case("view dropped, then its function", FUNCS_VIEW, "DROP VIEW fv;\nDROP FUNCTION f(int);", None),
        case("function of a generated column", FUNCS_GENERATED, "DROP FUNCTION f(int);", Some(DEPENDENTS)),
        case("generated column dropped, then its function", FUNCS_GENERATED, "ALTER TABLE ft DROP COLUMN g;\nDROP FUNCTION f(int);", None),
        case("function of an argument default", "CREATE FUNCTION h() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
             CREATE FUNCTION g(x int DEFAULT h()) RETURNS int LANGUAGE sql AS 'SELECT x';", "DROP FUNCTION h();", Some(DEPENDENTS)),
        case("type of a domain", TYPES, "DROP TYPE mood;", Some(DEPENDENTS)),
        case("type of a composite type", "CREATE TYPE mood AS ENUM ('ok');\nCREATE TYPE pair AS (m mood, n int);", "DROP TYPE mood;", Some(DEPENDENTS)),
        case("type of a function argument", "CREATE TYPE mood AS ENUM ('ok');\n\
             CREATE FUNCTION g(m mood[]) RETURNS int LANGUAGE sql AS 'SELECT 1';", "DROP TYPE mood;", Some(DEPENDENTS)),
        case("type of a function result", "CREATE TYPE mood AS ENUM ('ok');\n\
             CREATE FUNCTION g() RETURNS TABLE (m mood) LANGUAGE sql AS $$SELECT 'ok'::mood$$;", "DROP TYPE mood;", Some(DEPENDENTS)),
        case("type a function body names only", "CREATE TYPE mood AS ENUM ('ok');\n\
             CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $$SELECT 'ok'::mood::text$$;", "DROP TYPE mood;", None),
        case("domain dropped, then its type", TYPES, "DROP DOMAIN dm;\nDROP TYPE mood;", None),
        case("primary key a foreign key uses", FKEYS, "ALTER TABLE fu DROP CONSTRAINT fu_pkey;", Some(DEPENDENTS)),
        case("unique constraint a foreign key uses", FKEYS, "ALTER TABLE fu DROP CONSTRAINT fu_email_key;", Some(DEPENDENTS)),
        case("unique index a foreign key uses", FKEYS, "DROP INDEX fu_code_idx;", Some(DEPENDENTS)),
        case("column a foreign key references", FKEYS, "ALTER TABLE fu DROP COLUMN id;", Some(DEPENDENTS)),
        case("column a foreign key references by a unique index", FKEYS, "ALTER TABLE fu DROP COLUMN code;", Some(DEPENDENTS)),
        case(
            "foreign key dropped, then the primary key",
            FKEYS,
            "ALTER TABLE fo DROP CONSTRAINT fo_user_id_fkey;\nALTER TABLE fu DROP CONSTRAINT fu_pkey;",
            None,
        ),
        case(
            "referencing column dropped, then the unique index",
            FKEYS,
            "ALTER TABLE fo DROP COLUMN user_code;\nDROP INDEX fu_code_idx;",
            None,
        ),
        case(
            "the foreign key's own column, then the referenced one",
            FKEYS,
            "ALTER TABLE fo DROP COLUMN user_id;\nALTER TABLE fu DROP COLUMN id;",
            None,
        ),
        case("primary key with cascade", FKEYS, "ALTER TABLE fu DROP CONSTRAINT fu_pkey CASCADE;", None),
        case("the key PostgreSQL did not pick", TWO_KEYS, "DROP INDEX u_b;", None),
        case("the key PostgreSQL picked", TWO_KEYS, "ALTER TABLE u DROP CONSTRAINT u_a;", Some(DEPENDENTS)),
        case("a primary key a foreign key does not use", TWO_KEYS, "ALTER TABLE u DROP CONSTRAINT u_pkey;", None),
        case("own key, foreign key written first", OWN_KEY, "ALTER TABLE t DROP CONSTRAINT t_pkey;", Some(DEPENDENTS)),
        case("own referenced column", OWN_KEY, "ALTER TABLE t DROP COLUMN id;", Some(DEPENDENTS)),
        case("own referencing column", OWN_KEY, "ALTER TABLE t DROP COLUMN parent;", None),
        case("function of an unnamed check", OVERLOADED, "DROP FUNCTION g(int);", Some(DEPENDENTS)),
        case("an overload nothing uses", OVERLOADS, "DROP FUNCTION g(text);", None),
        case("an overloaded name without arguments", OVERLOADS, "DROP TABLE gt;\nDROP FUNCTION g;", Some(UNKNOWN)),
        case("each overload by its arguments", OVERLOADS, "DROP TABLE gt;\nDROP FUNCTION g(int), g(text);", None),
        case("one overload, then the name alone", OVERLOADS, "DROP TABLE gt;\nDROP FUNCTION g(text);\nDROP FUNCTION g;", None),
        case("a check gone with its function", FUNCS_CHECK, "DROP FUNCTION f(int) CASCADE;\nALTER TABLE ft DROP CONSTRAINT ft_ck;", Some(GONE)),
        case("a column gone with its type", TYPES_COLUMN, "DROP TYPE mood CASCADE;\nALTER TABLE mt DROP COLUMN m;", Some(GONE)),
        case(
            "a composite type stays when its attribute's type goes",
            "CREATE TYPE mood AS ENUM ('ok');\nCREATE TYPE pair AS (m mood, n int);",
            "DROP TYPE mood CASCADE;\nDROP TYPE pair;",
            None,
        ),
        case(
            "a domain stays when its check's function goes",
            "CREATE FUNCTION pos(x int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT x > 0';\n\
             CREATE DOMAIN posint AS int CHECK (pos(VALUE));",
            "DROP FUNCTION pos(int) CASCADE;\nDROP DOMAIN posint;",
            None,
        ),
        case("column renames undone from the middle", CHAIN, "ALTER TABLE t RENAME COLUMN b TO a;\nALTER TABLE t RENAME COLUMN c TO b;", Some(GONE)),
        case("column renames undone in reverse", CHAIN, "ALTER TABLE t RENAME COLUMN c TO b;\nALTER TABLE t RENAME COLUMN b TO a;", None),
        case("table renames undone from the middle", TABLE_CHAIN, "ALTER TABLE b RENAME TO t;\nALTER TABLE c RENAME TO b;", Some(GONE)),
        case("a gone table renamed with IF EXISTS", TABLE_CHAIN, "ALTER TABLE IF EXISTS b RENAME TO t;", None),
        case("a table the up dropped", "CREATE TABLE old (id int);\nDROP TABLE old;", "DROP TABLE old;", Some(GONE)),
        case("column a replaced view reads", REPLACED_VIEW, "ALTER TABLE users DROP COLUMN nick;", Some(DEPENDENTS)),
        case("replaced view dropped first", REPLACED_VIEW, "DROP VIEW names;\nALTER TABLE users DROP COLUMN nick;", None),
        case("column a join view reads", JOIN_VIEW, "ALTER TABLE cu DROP COLUMN email;", Some(DEPENDENTS)),
        case("join column a join view reads", JOIN_VIEW, "ALTER TABLE ord DROP COLUMN customer_id;", Some(DEPENDENTS)),
        case("column a join view does not read", JOIN_VIEW, "ALTER TABLE cu DROP COLUMN tier;", None),
        case("join view dropped first", JOIN_VIEW, "DROP VIEW order_emails;\nALTER TABLE cu DROP COLUMN email;", None),
        case("schema with a table", SCHEMA, "DROP SCHEMA reporting;", Some(DEPENDENTS)),
        case("schema with a function", SCHEMA, "DROP TABLE reporting.daily;\nDROP SCHEMA reporting;", Some(DEPENDENTS)),
        case("schema emptied first", SCHEMA, "DROP TABLE reporting.daily;\nDROP FUNCTION reporting.f();\nDROP SCHEMA reporting;", None),
        case("schema with cascade", SCHEMA, "DROP SCHEMA reporting CASCADE;", None),
        case("index of a primary key", KEY_INDEXES, "DROP INDEX t_pkey;", Some(DEPENDENTS)),
        case("index of a unique constraint", KEY_INDEXES, "DROP INDEX IF EXISTS t_a_key;", Some(DEPENDENTS)),
        case("index of a key with cascade", KEY_INDEXES, "DROP INDEX t_a_key CASCADE;", Some(DEPENDENTS)),
        case("a unique index of no constraint", KEY_INDEXES, "DROP INDEX t_b_idx;", None),
        case("rename of a column no migration made", "CREATE TABLE t (a int);", "ALTER TABLE t RENAME COLUMN c TO d;", Some(UNKNOWN)),
        case("rename of a column the table has", "CREATE TABLE t (a int);", "ALTER TABLE t RENAME COLUMN a TO d;", None),
        case("IF EXISTS of a CHECK constraint's name", "CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_state CHECK (a > 0);", "DROP INDEX IF EXISTS t_state;", None),
        case("type of a column a view reads", VIEWS, "ALTER TABLE t ALTER COLUMN a TYPE bigint;", Some(DEPENDENTS)),
        case("same type of a column a view reads", VIEWS, "ALTER TABLE t ALTER COLUMN a TYPE int;", Some(DEPENDENTS)),
        case("type of a column a join view reads", JOIN_VIEW, "ALTER TABLE cu ALTER COLUMN email TYPE varchar(100);", Some(DEPENDENTS)),
        case("type of a column no view reads", VIEWS, "ALTER TABLE t ALTER COLUMN c TYPE bigint;", None),
        case("extension of a column type", EXTENSIONS, "DROP EXTENSION citext;\nDROP TABLE users;", Some(DEPENDENTS)),
        case("extension of a default", EXTENSIONS, "DROP EXTENSION IF EXISTS \"uuid-ossp\";", Some(DEPENDENTS)),
        case("extensions after the table", EXTENSIONS, "DROP TABLE users;\nDROP EXTENSION citext;\nDROP EXTENSION \"uuid-ossp\";", None),
        case("extension after the default", EXTENSIONS, "ALTER TABLE users ALTER COLUMN id DROP DEFAULT;\nDROP EXTENSION \"uuid-ossp\";", None),
        case("extension of an index's operator class", OPCLASSES, "DROP INDEX docs_title_trgm;\nDROP EXTENSION pg_trgm;", Some(DEPENDENTS)),
        case("indexes dropped, then the extension", OPCLASSES, "DROP INDEX docs_title_trgm, docs_title_gist;\nDROP EXTENSION pg_trgm;", None),
        case("btree_gist operator class", OPCLASSES, "DROP EXTENSION btree_gist;", Some(DEPENDENTS)),
        case("hstore operator class", OPCLASSES, "DROP INDEX docs_h;\nALTER TABLE docs DROP COLUMN h;\nDROP EXTENSION hstore;", None),
        case("hstore column and operator class", OPCLASSES, "DROP INDEX docs_h;\nDROP EXTENSION hstore;", Some(DEPENDENTS)),
        case("ltree operator class", OPCLASSES, "ALTER TABLE docs DROP COLUMN l;\nDROP INDEX docs_h;\nDROP EXTENSION ltree;", None),
        case("opclass indexes with their table", OPCLASSES, "DROP TABLE docs;\nDROP EXTENSION pg_trgm;\nDROP EXTENSION btree_gist;", None),
        // A generated column and a trigger are built on the columns they
        // read: dropping one, or changing its type, is refused.
        case("column a generated column reads", GENERATED, "ALTER TABLE gc DROP COLUMN a;", Some(DEPENDENTS)),
        case("type of a column a generated column reads", GENERATED, "ALTER TABLE gc ALTER COLUMN a TYPE bigint;", Some(DEPENDENTS)),
        case("column no generated column reads", GENERATED, "ALTER TABLE gc DROP COLUMN b;", None),
        case("generated column dropped first", GENERATED, "ALTER TABLE gc DROP COLUMN g;\nALTER TABLE gc DROP COLUMN a;", None),
        case("generated column gone with its column", GENERATED, "ALTER TABLE gc DROP COLUMN a CASCADE;\nALTER TABLE gc DROP COLUMN g;", Some(GONE)),
        case("column of a trigger's UPDATE OF", TRIGGERS, "ALTER TABLE tt DROP COLUMN a;", Some(DEPENDENTS)),
        case("column of a trigger's WHEN", TRIGGERS, "ALTER TABLE tt DROP COLUMN b;", Some(DEPENDENTS)),
        case("type of a column of a trigger's WHEN", TRIGGERS, "ALTER TABLE tt ALTER COLUMN b TYPE bigint;", Some(DEPENDENTS)),
        case("column no trigger reads", TRIGGERS, "ALTER TABLE tt DROP COLUMN c;", None),
        case("trigger gone with its column", TRIGGERS, "ALTER TABLE tt DROP COLUMN a CASCADE;\nDROP TRIGGER tr_of ON tt;", Some(GONE)),
        case("triggers dropped first", TRIGGERS, "DROP TRIGGER tr_of ON tt;\nDROP TRIGGER tr_when ON tt;\nALTER TABLE tt DROP COLUMN a, DROP COLUMN b;", None),
        // An index goes with its INCLUDE columns; a foreign key uses a
        // unique index by its keys.
        case("index gone with its INCLUDE column", INCLUDES, "ALTER TABLE iu DROP COLUMN d;\nDROP INDEX iu_c;", Some(GONE)),
        case("INCLUDE column of a unique index a foreign key uses", INCLUDES, "ALTER TABLE iu DROP COLUMN b;", Some(DEPENDENTS)),
        case("index dropped before its INCLUDE column", INCLUDES, "DROP INDEX iu_c;\nALTER TABLE iu DROP COLUMN c;", None),
        case("unique index with INCLUDE a foreign key uses", INCLUDES, "DROP INDEX iu_a;", Some(DEPENDENTS)),
        // An inheriting table depends on its parent; a partition goes
        // with it.
        case("parent of an inheriting table", "CREATE TABLE p (id int);\nCREATE TABLE c (x int) INHERITS (p);", "DROP TABLE p;", Some(DEPENDENTS)),
        case("inheriting table dropped first", "CREATE TABLE p (id int);\nCREATE TABLE c (x int) INHERITS (p);", "DROP TABLE c;\nDROP TABLE p;", None),
        case("inheriting table gone with its parent", "CREATE TABLE p (id int);\nCREATE TABLE c (x int) INHERITS (p);", "DROP TABLE p CASCADE;\nDROP TABLE c;", Some(GONE)),
        case("parent of a partition", "CREATE TABLE p (id int) PARTITION BY RANGE (id);\n\
             CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);", "DROP TABLE p;", None),
        case("partition gone with its parent", "CREATE TABLE p (id int) PARTITION BY RANGE (id);\n\
             CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);", "DROP TABLE p;\nDROP TABLE p1;", Some(GONE)),
        case("partition's name free once its parent is dropped", "CREATE TABLE p (id int) PARTITION BY RANGE (id);\n\
             CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);", "DROP TABLE p;\nCREATE TABLE p1 (id int);", None),
        case("inheriting table's name free after CASCADE", "CREATE TABLE p (id int);\nCREATE TABLE c (x int) INHERITS (p);",
             "DROP TABLE p CASCADE;\nCREATE TABLE c (x int);", None),
        // A table's (view's) row type goes with it: a column or function
        // argument of that type keeps it.
        case("table whose row type a column has", "CREATE TABLE a (id int);\nCREATE TABLE b (x a);", "DROP TABLE a;", Some(DEPENDENTS)),
        case("table whose row type a function takes", "CREATE TABLE a (id int);\n\
             CREATE FUNCTION f(x a) RETURNS int LANGUAGE sql AS 'SELECT 1';", "DROP TABLE a;", Some(DEPENDENTS)),
        case("view whose row type a column has", "CREATE TABLE t (id int);\nCREATE VIEW v AS SELECT id FROM t;\n\
             CREATE TABLE b (x v);", "DROP VIEW v;", Some(DEPENDENTS)),
        case("column of the row type dropped first", "CREATE TABLE a (id int);\nCREATE TABLE b (x a);", "ALTER TABLE b DROP COLUMN x;\nDROP TABLE a;", None),
        // A SQL-standard body depends on what it calls; a string body does not.
        case("function a BEGIN ATOMIC body calls", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
             CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT f(); END;", "DROP FUNCTION f();", Some(DEPENDENTS)),
        case("function a RETURN body calls", "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';\n\
             CREATE FUNCTION g(x int) RETURNS int LANGUAGE sql RETURN f(x) + 1;", "DROP FUNCTION f(int);", Some(DEPENDENTS)),
        case("function a string body calls", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
             CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT f()';", "DROP FUNCTION f();", None),
        case("type serial", "CREATE TABLE s (id int);", "ALTER TABLE s ALTER COLUMN id TYPE serial;", Some(SERIAL)),
        case("type integer", "CREATE TABLE s (id int);", "ALTER TABLE s ALTER COLUMN id TYPE bigint;", None),
        // A ROLLBACK undoes what its transaction did: emptied tables hold
        // their rows again, dropped ones are back (the implicit block too,
        // with a warning `there is no transaction in progress`).
        case("truncate rolled back", FILLED, "BEGIN;\nTRUNCATE lines;\nROLLBACK;\nALTER TABLE lines ADD COLUMN x int NOT NULL;", Some(REQUIRED)),
        case("truncate rolled back in the implicit block", FILLED, "DELETE FROM lines;\nROLLBACK;\nALTER TABLE lines ADD COLUMN x int NOT NULL;", Some(REQUIRED)),
        case("truncate rolled back to a savepoint", FILLED, "BEGIN;\nSAVEPOINT s;\nTRUNCATE lines;\nROLLBACK TO SAVEPOINT s;\nALTER TABLE lines ADD COLUMN x int NOT NULL;\nCOMMIT;", Some(REQUIRED)),
        case("truncate committed", FILLED, "BEGIN;\nTRUNCATE lines;\nCOMMIT;\nALTER TABLE lines ADD COLUMN x int NOT NULL;", None),
        case("truncate kept past a released savepoint", FILLED, "BEGIN;\nSAVEPOINT s;\nTRUNCATE lines;\nRELEASE SAVEPOINT s;\nALTER TABLE lines ADD COLUMN x int NOT NULL;\nCOMMIT;", None),
        case("drop rolled back", KEY_INDEXES, "BEGIN;\nDROP TABLE t;\nROLLBACK;\nDROP INDEX t_b_idx;", None),
        case("drop rolled back to a savepoint", KEY_INDEXES, "BEGIN;\nSAVEPOINT s;\nDROP INDEX t_b_idx;\nROLLBACK TO s;\nDROP INDEX t_b_idx;\nCOMMIT;", None),
        // While a TEMP table t exists, an unqualified t is it (pg_temp is
        // searched first): its DROP leaves the permanent t and its columns.
        case("a temp table dropped, not the permanent one", "CREATE TABLE t (id int, a int);\nCREATE TEMP TABLE t (id int);\nDROP TABLE t;\nALTER TABLE t ADD COLUMN f int;", "ALTER TABLE t DROP COLUMN f;", None),
        case("a column added to the temp table", "CREATE TABLE t (id int, a int);\nCREATE TEMP TABLE t (id int);\nALTER TABLE t ADD COLUMN f int;\nDROP TABLE t;", "ALTER TABLE t DROP COLUMN f;", Some(UNKNOWN)),
        // Unnamed indexes, by the names PostgreSQL gives them.
        case("unnamed indexes dropped by their names", "CREATE TABLE t (id int, a int, e text);\nCREATE INDEX ON t (a);\nCREATE INDEX ON t (a);\nCREATE INDEX ON t (lower(e));", "DROP INDEX t_a_idx1;\nDROP INDEX t_a_idx;\nDROP INDEX t_lower_idx;", None),
        case("unnamed index gone with its column", "CREATE TABLE t (id int, a int);\nCREATE INDEX ON t (a);", "ALTER TABLE t DROP COLUMN a;\nDROP INDEX t_a_idx;", Some(GONE)),
        case("drop past a savepoint it rolls back to", KEY_INDEXES, "BEGIN;\nDROP INDEX t_b_idx;\nSAVEPOINT s;\nROLLBACK TO s;\nDROP INDEX t_b_idx;\nCOMMIT;", Some(GONE)),
    ]
}

#[test]
fn downs_fail_exactly_when_reported() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let rules = [DEPENDENTS, GONE, TAKEN, SERIAL, UNKNOWN, REQUIRED, TRUNCATE];
    // Every case is run; the mismatches are reported together.
    let mut wrong: Vec<String> = Vec::new();
    for c in cases() {
        let files = [
            SourceFile::new("000001_case.up.sql", c.up),
            SourceFile::new("000001_case.down.sql", c.down),
        ];
        let report = lint(&files, &LintOptions::default());
        let reported: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.rule)
            .filter(|r| rules.contains(r))
            .collect();
        if reported.first().copied() != c.rule {
            wrong.push(format!(
                "{}: migralint reported {reported:?}, expected {:?}",
                c.name, c.rule
            ));
        }
        let db = server.fresh_db(c.name);
        let mut client = server.client(&db);
        client
            .batch_execute(c.up)
            .unwrap_or_else(|e| panic!("{}: the up fails: {e}", c.name));
        // golang-migrate sends a file as one query: one implicit transaction.
        let down = client.batch_execute(c.down);
        if down.is_err() != c.rule.is_some() {
            wrong.push(format!(
                "{}: the down {} on PostgreSQL: {down:?}",
                c.name,
                if down.is_err() { "fails" } else { "succeeds" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A down that adds back a column but not the index that went with it:
/// rolling back further fails at the down that drops the index. Checked by
/// running ups 1-3, then downs 3 and 2, on a real server.
#[test]
fn a_column_brought_back_without_its_index() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let ups = [
        "CREATE TABLE t (id int, c int);",
        "CREATE INDEX t_c_idx ON t (c);",
        "ALTER TABLE t DROP COLUMN c;",
    ];
    let down_2 = "DROP INDEX t_c_idx;";
    for (down_3, reported) in [
        ("ALTER TABLE t ADD COLUMN c int;", true),
        (
            "ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX t_c_idx ON t (c);",
            false,
        ),
    ] {
        let files = [
            SourceFile::new("000001_t.up.sql", ups[0]),
            SourceFile::new("000002_idx.up.sql", ups[1]),
            SourceFile::new("000002_idx.down.sql", down_2),
            SourceFile::new("000003_drop.up.sql", ups[2]),
            SourceFile::new("000003_drop.down.sql", down_3),
        ];
        let report = lint(&files, &LintOptions::default());
        let found = report.diagnostics.iter().any(|d| {
            d.rule == "down-not-reversing-up" && d.message.contains("but not what went with it")
        });
        assert_eq!(found, reported, "{down_3}: {:#?}", report.diagnostics);
        let db = server.fresh_db("column brought back");
        let mut client = server.client(&db);
        for up in ups {
            client.batch_execute(up).unwrap();
        }
        client.batch_execute(down_3).unwrap();
        let rollback = client.batch_execute(down_2);
        assert_eq!(rollback.is_err(), reported, "{down_3}: {rollback:?}");
    }
}

/// `prefer-create-if-not-exists` on downs: golang-migrate's dirty-state
/// recovery (`force`, then `down`) runs a down where its up may never have
/// applied. Each case: a base (migration 1), an up 2 that drops what its
/// down makes again; the down must run after its up, and must fail without
/// it (the object still there) exactly when it is reported.
#[test]
fn downs_without_their_up_fail_exactly_when_reported() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    const BASE: &str = "CREATE TABLE t (a int);\n\
         CREATE FUNCTION tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\n\
         CREATE VIEW v AS SELECT a FROM t;\n\
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
         CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';\n\
         CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();\n\
         CREATE CONSTRAINT TRIGGER ctr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();\n\
         CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;\n\
         CREATE AGGREGATE agg(int) (sfunc = int4pl, stype = int);\n\
         CREATE TYPE mood AS ENUM ('a');\n\
         CREATE DOMAIN d AS int;\n\
         CREATE POLICY pol ON t USING (true);\n\
         CREATE CAST (int AS mood) WITH INOUT;\n\
         CREATE OPERATOR === (leftarg = int, rightarg = int, function = int4eq);";
    const RULE: &str = "prefer-create-if-not-exists";
    let cases: &[(&str, &str, bool)] = &[
        ("DROP VIEW v;", "CREATE VIEW v AS SELECT a FROM t;", true),
        ("DROP VIEW v;", "CREATE OR REPLACE VIEW v AS SELECT a FROM t;", false),
        ("DROP VIEW v;", "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT a FROM t;", false),
        ("DROP FUNCTION f();", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';", true),
        ("DROP FUNCTION f();", "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';", false),
        ("DROP FUNCTION f();", "DROP FUNCTION IF EXISTS f;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';", false),
        ("DROP PROCEDURE p();", "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';", true),
        ("DROP PROCEDURE p();", "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';", false),
        ("DROP TRIGGER tr ON t;", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();", true),
        ("DROP TRIGGER tr ON t;", "CREATE OR REPLACE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();", false),
        ("DROP TRIGGER ctr ON t;", "CREATE CONSTRAINT TRIGGER ctr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();", true),
        ("DROP TRIGGER ctr ON t;", "DROP TRIGGER IF EXISTS ctr ON t;\nCREATE CONSTRAINT TRIGGER ctr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION tf();", false),
        ("DROP RULE r ON t;", "CREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;", true),
        ("DROP RULE r ON t;", "CREATE OR REPLACE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;", false),
        ("DROP RULE r ON t;", "DROP RULE IF EXISTS r ON t;\nCREATE RULE r AS ON UPDATE TO t DO INSTEAD NOTHING;", false),
        ("DROP AGGREGATE agg(int);", "CREATE AGGREGATE agg(int) (sfunc = int4pl, stype = int);", true),
        ("DROP AGGREGATE agg(int);", "CREATE OR REPLACE AGGREGATE agg(int) (sfunc = int4pl, stype = int);", false),
        ("DROP CAST (int AS mood);\nDROP TYPE mood;", "CREATE TYPE mood AS ENUM ('a');\nCREATE CAST (int AS mood) WITH INOUT;", true),
        ("DROP CAST (int AS mood);", "DO $$ BEGIN CREATE CAST (int AS mood) WITH INOUT; EXCEPTION WHEN duplicate_object THEN NULL; END $$;", false),
        ("DROP DOMAIN d;", "CREATE DOMAIN d AS int;", true),
        ("DROP DOMAIN d;", "DROP DOMAIN IF EXISTS d;\nCREATE DOMAIN d AS int;", false),
        ("DROP POLICY pol ON t;", "CREATE POLICY pol ON t USING (true);", true),
        ("DROP POLICY pol ON t;", "DROP POLICY IF EXISTS pol ON t;\nCREATE POLICY pol ON t USING (true);", false),
        ("DROP OPERATOR === (int, int);", "CREATE OPERATOR === (leftarg = int, rightarg = int, function = int4eq);", true),
        ("DROP OPERATOR === (int, int);", "DO $$ BEGIN CREATE OPERATOR === (leftarg = int, rightarg = int, function = int4eq); EXCEPTION WHEN duplicate_function THEN NULL; END $$;", false),
    ];
    let mut wrong: Vec<String> = Vec::new();
    for (i, &(up, down, fails)) in cases.iter().enumerate() {
        let files = [
            SourceFile::new("000001_base.up.sql", BASE),
            SourceFile::new("000002_case.up.sql", up),
            SourceFile::new("000002_case.down.sql", down),
        ];
        let report = lint(&files, &LintOptions::default());
        let reported = report
            .diagnostics
            .iter()
            .any(|d| d.rule == RULE && d.file.ends_with("down.sql"));
        if reported != fails {
            wrong.push(format!(
                "{down}: migralint reported {reported}, expected {fails}"
            ));
        }
        let name = format!("rerun {i}");
        // After its up: the down runs.
        let db = server.fresh_db(&name);
        let mut client = server.client(&db);
        client.batch_execute(BASE).unwrap();
        client.batch_execute(up).unwrap();
        if let Err(e) = client.batch_execute(down) {
            wrong.push(format!("{down}: fails after its up: {e}"));
        }
        // Without it: fails exactly when reported.
        let db = server.fresh_db(&format!("{name} alone"));
        let mut client = server.client(&db);
        client.batch_execute(BASE).unwrap();
        let alone = client.batch_execute(down);
        if alone.is_err() != fails {
            wrong.push(format!("{down}: without its up: {alone:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Downs refused once the data uses what their up allowed (a NULL, a
/// longer or bigger value): each up is applied, a row that uses what it
/// opened is written, and the down must fail exactly when migralint
/// reports it (`down-sets-not-null`, `down-narrows-column-type`).
#[test]
fn downs_refused_once_the_data_uses_what_the_up_allowed() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let init = "CREATE TABLE msg (id int PRIMARY KEY, payload text NOT NULL, code varchar(10) NOT NULL, size int NOT NULL);\n\
                INSERT INTO msg VALUES (1, 'a', 'b', 1);";
    // (name, up, row written after the up, down, rule expected)
    let cases: [(&str, &str, &str, &str, Option<&str>); 7] = [
        (
            "not null put back",
            "ALTER TABLE msg ALTER COLUMN payload DROP NOT NULL;",
            "INSERT INTO msg VALUES (2, NULL, 'c', 2);",
            "ALTER TABLE msg ALTER COLUMN payload SET NOT NULL;",
            Some("down-sets-not-null"),
        ),
        (
            "primary key on a nullable column",
            "ALTER TABLE msg ADD COLUMN ref text;",
            "INSERT INTO msg VALUES (2, 'x', 'c', 2, NULL);",
            "ALTER TABLE msg DROP CONSTRAINT msg_pkey, ADD PRIMARY KEY (ref);",
            Some("down-sets-not-null"),
        ),
        (
            "nulls filled first",
            "ALTER TABLE msg ALTER COLUMN payload DROP NOT NULL;",
            "INSERT INTO msg VALUES (2, NULL, 'c', 2);",
            "UPDATE msg SET payload = '' WHERE payload IS NULL;\nALTER TABLE msg ALTER COLUMN payload SET NOT NULL;",
            None,
        ),
        (
            "column added back with a default",
            "ALTER TABLE msg DROP COLUMN code;",
            "INSERT INTO msg VALUES (2, 'x', 2);",
            "ALTER TABLE msg ADD COLUMN code varchar(10) DEFAULT '';\nALTER TABLE msg ALTER COLUMN code SET NOT NULL;",
            None,
        ),
        (
            "length limit put back",
            "ALTER TABLE msg ALTER COLUMN code TYPE varchar(64);",
            "INSERT INTO msg VALUES (2, 'x', repeat('c', 40), 2);",
            "ALTER TABLE msg ALTER COLUMN code TYPE varchar(10);",
            Some("down-narrows-column-type"),
        ),
        (
            "integer narrowed back",
            "ALTER TABLE msg ALTER COLUMN size TYPE bigint;",
            "INSERT INTO msg VALUES (2, 'x', 'c', 3000000000);",
            "ALTER TABLE msg ALTER COLUMN size TYPE integer;",
            Some("down-narrows-column-type"),
        ),
        (
            "widened in the down",
            "ALTER TABLE msg ALTER COLUMN size TYPE bigint;",
            "INSERT INTO msg VALUES (2, 'x', 'c', 3000000000);",
            "ALTER TABLE msg ALTER COLUMN size TYPE numeric;",
            None,
        ),
    ];
    let rules = ["down-sets-not-null", "down-narrows-column-type"];
    let mut wrong: Vec<String> = Vec::new();
    for (name, up, row, down, rule) in cases {
        let files = [
            SourceFile::new("000001_init.up.sql", init),
            SourceFile::new("000002_case.up.sql", up),
            SourceFile::new("000002_case.down.sql", down),
        ];
        let report = lint(&files, &LintOptions::default());
        let reported: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.rule)
            .filter(|r| rules.contains(r))
            .collect();
        if reported.first().copied() != rule {
            wrong.push(format!(
                "{name}: migralint reported {reported:?}, expected {rule:?}"
            ));
        }
        let db = server.fresh_db(name);
        let mut client = server.client(&db);
        for sql in [init, up, row] {
            client
                .batch_execute(sql)
                .unwrap_or_else(|e| panic!("{name}: {sql}: {e}"));
        }
        let result = client.batch_execute(down);
        if result.is_err() != rule.is_some() {
            wrong.push(format!(
                "{name}: the down {} on PostgreSQL: {result:?}",
                if result.is_err() { "fails" } else { "succeeds" }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A down runs against what every up to its version left: what an earlier
/// migration dropped or renamed away is gone for it too. Each case: ups 1
/// and 2, then up 3 and its down, which must fail exactly when reported.
#[test]
fn downs_refused_for_what_an_earlier_migration_removed() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let base = "CREATE TABLE symbols (id int PRIMARY KEY, name text);";
    let cases: [(&str, &str, &str, bool); 4] = [
        (
            "ALTER TABLE symbols RENAME TO symbol_names;",
            "CREATE TABLE package_symbols (id int, symbol_id int REFERENCES symbol_names (id));",
            "DROP TABLE symbols;",
            true,
        ),
        (
            "ALTER TABLE symbols RENAME TO symbol_names;",
            "CREATE TABLE package_symbols (id int, symbol_id int REFERENCES symbol_names (id));",
            "DROP TABLE package_symbols;",
            false,
        ),
        (
            "ALTER TABLE symbols DROP COLUMN name;",
            "ALTER TABLE symbols ADD COLUMN z int;",
            "ALTER TABLE symbols DROP COLUMN z;\nALTER TABLE symbols DROP COLUMN name;",
            true,
        ),
        (
            "ALTER TABLE symbols DROP COLUMN name;",
            "ALTER TABLE symbols ADD COLUMN name text;",
            "ALTER TABLE symbols DROP COLUMN name;",
            false,
        ),
    ];
    let mut wrong: Vec<String> = Vec::new();
    for (i, (up_2, up_3, down_3, reported)) in cases.into_iter().enumerate() {
        let files = [
            SourceFile::new("000001_a.up.sql", base),
            SourceFile::new("000002_b.up.sql", up_2),
            SourceFile::new("000003_c.up.sql", up_3),
            SourceFile::new("000003_c.down.sql", down_3),
        ];
        let report = lint(&files, &LintOptions::default());
        let found = report.diagnostics.iter().any(|d| d.rule == GONE);
        if found != reported {
            wrong.push(format!(
                "{down_3}: migralint reported {found}, expected {reported}"
            ));
        }
        let db = server.fresh_db(&format!("earlier {i}"));
        let mut client = server.client(&db);
        for sql in [base, up_2, up_3] {
            client.batch_execute(sql).unwrap();
        }
        let result = client.batch_execute(down_3);
        if result.is_err() != reported {
            wrong.push(format!("{down_3}: on PostgreSQL {result:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
