//! `migralint migrate` against a real throwaway PostgreSQL.

mod common;

use common::{migrate, migrate_with, rows, table_exists, TempDir};
use migralint_migrate::MigrateContext;

fn basic_set(label: &str) -> TempDir {
    TempDir::with_files(
        label,
        &[
            (
                "000001_create_users.up.sql",
                "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
            ),
            ("000001_create_users.down.sql", "DROP TABLE users;\n"),
            (
                "000002_add_name.up.sql",
                "ALTER TABLE users ADD COLUMN name text;\nCREATE TABLE audit (id bigint);\n",
            ),
            (
                "000002_add_name.down.sql",
                "DROP TABLE audit;\nALTER TABLE users DROP COLUMN name;\n",
            ),
            (
                "000003_seed.up.sql",
                "INSERT INTO users (id, email) VALUES (1, 'a@example.com');\n",
            ),
            ("000003_seed.down.sql", "DELETE FROM users WHERE id = 1;\n"),
        ],
    )
}

#[test]
fn up_version_down_goto_status() {
    let s = server_or_skip!();
    let db = s.fresh_db("basic");
    let url = s.url(&db);
    let dir = basic_set("basic");
    let p = dir.path().to_str().unwrap();

    // golang-migrate's words and exit code for a database with no migration.
    let v = migrate(&["--path", p, "--database", &url, "version"]);
    v.code(1);
    assert_eq!(v.err, "error: no migration\n");
    migrate(&["--path", p, "--database", &url, "up", "1", "--no-lint"])
        .ok()
        .has("applied 000001");
    migrate(&["--path", p, "--database", &url, "version"])
        .ok()
        .has("1\n");
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.ok()
        .has("applied 000002 000002_add_name.up.sql")
        .has("applied 000003")
        .has("done: database at version 3");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);
    assert_eq!(
        c.query_one("SELECT count(*) FROM users", &[])
            .unwrap()
            .get::<_, i64>(0),
        1
    );

    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .ok()
        .has("no change");

    let st = migrate(&["--path", p, "--database", &url, "status"]);
    st.ok()
        .has("version:    version 3")
        .has("3 applied, 0 pending");
    assert!(
        st.out
            .lines()
            .any(|l| l.starts_with("000003") && l.contains("applied") && l.contains("<- current")),
        "{}",
        st.out
    );

    migrate(&["--path", p, "--database", &url, "down", "1"])
        .ok()
        .has("rolled back 000003");
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, false)]);
    let st = migrate(&["--path", p, "--database", &url, "status"]);
    assert!(
        st.out
            .lines()
            .any(|l| l.starts_with("000003") && l.contains("pending")),
        "{}",
        st.out
    );

    migrate(&["--path", p, "--database", &url, "goto", "1", "--no-lint"])
        .ok()
        .has("rolled back 000002");
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    assert!(!table_exists(&mut c, "audit"));
    migrate(&["--path", p, "--database", &url, "goto", "3", "--no-lint"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);
    migrate(&["--path", p, "--database", &url, "goto", "3"])
        .ok()
        .has("no change");
    migrate(&["--path", p, "--database", &url, "goto", "9"])
        .code(1)
        .has("no migration found for version 9");

    migrate(&["--path", p, "--database", &url, "down", "--all"])
        .ok()
        .has("rolled back 000001");
    // Nil version: golang-migrate leaves the table empty.
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    assert!(!table_exists(&mut c, "users"));
    migrate(&["--path", p, "--database", &url, "down", "--all"])
        .ok()
        .has("no change");
}

#[test]
fn down_asks_unless_n_or_all_as_golang_migrate() {
    let s = server_or_skip!();
    let db = s.fresh_db("confirm");
    let url = s.url(&db);
    let dir = basic_set("confirm");
    let p = dir.path().to_str().unwrap();
    let cx = MigrateContext::default();
    let up = || {
        migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
            .ok()
            .code
    };
    up();
    let mut c = s.client(&db);
    // `down` alone asks (standard input, terminal or not); no means no.
    migrate_with(
        &["--path", p, "--database", &url, "down"],
        &cx,
        false,
        false,
    )
    .code(1)
    .has("error: Not applying all down migrations");
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);
    migrate(&["--path", p, "--database", &url, "down", "1", "--all"]).code(2);
    // yes: every down migration.
    migrate_with(&["--path", p, "--database", &url, "down"], &cx, false, true)
        .ok()
        .has("Applying all down migrations")
        .has("rolled back 000001");
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    // --all (golang-migrate's -all) asks nothing, even on a terminal.
    up();
    migrate_with(
        &["--path", p, "--database", &url, "down", "--all"],
        &cx,
        true,
        false,
    )
    .ok();
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    // -y answers the question.
    up();
    migrate_with(
        &["--path", p, "--database", &url, "down", "-y"],
        &cx,
        true,
        false,
    )
    .ok();
    assert_eq!(rows(&mut c, "schema_migrations"), []);
}

#[test]
fn transactional_failure_leaves_database_as_before() {
    let s = server_or_skip!();
    let db = s.fresh_db("txfail");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "txfail",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            (
                "2_b.up.sql",
                "CREATE TABLE b (id int);\nINSERT INTO a VALUES (1);\n-- the next one fails\nINSERT INTO b VALUES ('not a number');\n",
            ),
            ("2_b.down.sql", "DROP TABLE b;\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.code(1)
        .has("applied 1 1_a.up.sql")
        .has("2_b.up.sql failed at line 4, column 23")
        .has("invalid input syntax for type integer")
        .has("sqlstate: 22P02")
        .has("4 | INSERT INTO b VALUES ('not a number');")
        .has("rolled back")
        .has("database now at version 1\n");
    // The caret sits under the literal.
    let caret_line = r
        .err
        .lines()
        .find(|l| l.trim_end().ends_with('^'))
        .expect("a caret line");
    let code_line = r
        .err
        .lines()
        .find(|l| l.contains("4 | INSERT INTO b"))
        .unwrap();
    assert_eq!(
        caret_line.find('^').unwrap(),
        code_line.find("'not").unwrap(),
        "{}",
        r.err
    );
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    assert!(
        !table_exists(&mut c, "b"),
        "the failed file's CREATE TABLE must be rolled back"
    );
    assert_eq!(
        c.query_one("SELECT count(*) FROM a", &[])
            .unwrap()
            .get::<_, i64>(0),
        0
    );
}

#[test]
fn non_transactional_failure_is_dirty_and_force_recovers() {
    let s = server_or_skip!();
    let db = s.fresh_db("ntxfail");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "ntxfail",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int, v int);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            (
                "2_idx.up.sql",
                "CREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE INDEX CONCURRENTLY a_v ON a (no_such_column);\n",
            ),
            ("2_idx.down.sql", "DROP INDEX CONCURRENTLY IF EXISTS a_v;\nDROP INDEX CONCURRENTLY IF EXISTS a_id;\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.code(1)
        .has("2_idx.up.sql failed at line 2")
        .has("column \"no_such_column\" does not exist")
        .has("sqlstate: 42703")
        .has("dirty")
        .has(&format!(
            "--path {p} --database 'postgres://postgres@127.0.0.1:{}/{db}?sslmode=disable' force 2",
            s.port
        ))
        .has("force 1");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, true)]);
    // The first index was built (no transaction to undo it).
    assert!(table_exists(&mut c, "a_id"));

    // Dirty: up, down and goto are refused with the force command.
    for cmd in [vec!["up"], vec!["down", "1"], vec!["goto", "1"]] {
        let mut args = vec!["--path", p, "--database", url.as_str()];
        args.extend(cmd.iter());
        args.push("--dry-run");
        migrate(&args)
            .code(1)
            .has("dirty at version 2")
            .has("force 2");
    }
    migrate(&["--path", p, "--database", &url, "version"])
        .ok()
        .has("2 (dirty)");
    migrate(&["--path", p, "--database", &url, "status"])
        .ok()
        .has("dirty")
        .has("force 2");

    // Undo by hand, force back to 1, fix the file, apply again.
    c.batch_execute("DROP INDEX a_id").unwrap();
    migrate(&["--path", p, "--database", &url, "force", "1"])
        .ok()
        .has("forced: database at version 1");
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    dir.write(
        "2_idx.up.sql",
        "CREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE INDEX CONCURRENTLY a_v ON a (v);\n",
    );
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .ok()
        .has("no transaction");
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, false)]);
    assert!(table_exists(&mut c, "a_v"));
    // force -1: no version at all.
    migrate(&["--path", p, "--database", &url, "force", "-1"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    migrate(&["--path", p, "--database", &url, "force", "-2"]).code(1);
}

#[test]
fn lone_create_index_concurrently_and_zero_version() {
    let s = server_or_skip!();
    let db = s.fresh_db("cic");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "cic",
        &[
            ("0_init.up.sql", "CREATE TABLE t (id int, v text);\n"),
            ("0_init.down.sql", "DROP TABLE t;\n"),
            (
                "1_idx.up.sql",
                "-- only this\nCREATE INDEX CONCURRENTLY t_v_idx ON t (v);\n",
            ),
            ("1_idx.down.sql", "DROP INDEX CONCURRENTLY t_v_idx;\n"),
            ("10_more.up.sql", "ALTER TABLE t ADD COLUMN w int;\n"),
            ("10_more.down.sql", "ALTER TABLE t DROP COLUMN w;\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    let r = migrate(&["--path", p, "--database", &url, "up", "2", "--no-lint"]);
    r.ok()
        .has("applied 0 0_init.up.sql")
        .has("applied 1 1_idx.up.sql")
        .has("no transaction: CREATE INDEX CONCURRENTLY");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    assert!(table_exists(&mut c, "t_v_idx"));
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), [(10, false)]);
    migrate(&["--path", p, "--database", &url, "down", "2"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), [(0, false)]);
    assert!(!table_exists(&mut c, "t_v_idx"));
    migrate(&["--path", p, "--database", &url, "down", "1"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    assert!(!table_exists(&mut c, "t"));
}

#[test]
fn begin_commit_files_run_atomically() {
    let s = server_or_skip!();
    let db = s.fresh_db("wrapped");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "wrapped",
        &[
            ("1_a.up.sql", "BEGIN;\nCREATE TABLE a (id int);\nEND;\n"),
            (
                "2_b.up.sql",
                "BEGIN;\nCREATE TABLE b (id int);\nINSERT INTO b VALUES ('x');\nCOMMIT;\n",
            ),
        ],
    );
    let p = dir.path().to_str().unwrap();
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.code(1)
        .has("2_b.up.sql failed at line 3")
        .has("rolled back");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    assert!(table_exists(&mut c, "a"));
    assert!(!table_exists(&mut c, "b"));
}

#[test]
fn down_without_down_file_is_refused_before_anything_runs() {
    let s = server_or_skip!();
    let db = s.fresh_db("nodown");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "nodown",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            ("2_b.up.sql", "CREATE TABLE b (id int);\n"),
            ("3_c.up.sql", "CREATE TABLE c (id int);\n"),
            ("3_c.down.sql", "DROP TABLE c;\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    migrate(&["--path", p, "--database", &url, "down", "2"])
        .code(1)
        .has("no down file for 2_b.down.sql")
        .has("nothing was run");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);
    assert!(table_exists(&mut c, "c"), "down 3 must not have run");
    migrate(&["--path", p, "--database", &url, "down", "1"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, false)]);
}

#[test]
fn dry_run_prints_statements_and_locks_and_changes_nothing() {
    let s = server_or_skip!();
    let db = s.fresh_db("dryrun");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "dryrun",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int, email text);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
            ("2_b.up.sql", "ALTER TABLE a ALTER COLUMN id TYPE bigint;\n\nCREATE INDEX a_email ON a (email);\n"),
            ("2_b.down.sql", "DROP INDEX a_email;\n"),
            ("3_c.up.sql", "CREATE INDEX CONCURRENTLY a_id ON a (id);\n"),
            ("3_c.down.sql", "DROP INDEX CONCURRENTLY a_id;\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "1", "--no-lint"]).ok();
    let r = migrate(&[
        "--path",
        p,
        "--database",
        &url,
        "up",
        "--dry-run",
        "--no-lint",
    ]);
    r.ok()
        .has("dry run: database at version 1")
        .has("2_b.up.sql -> version 2, in one transaction")
        .has("line 1: ALTER TABLE a ALTER COLUMN id TYPE bigint")
        .has("lock: ACCESS EXCLUSIVE on a (blocks reads and writes; rewrites the table)")
        .has("line 3: CREATE INDEX a_email ON a (email)")
        .has("lock: SHARE on a")
        .has("3_c.up.sql -> version 3, statement by statement, no transaction");
    let out = &r.out;
    assert!(out.find("2_b.up.sql").unwrap() < out.find("3_c.up.sql").unwrap());
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    migrate(&["--path", p, "--database", &url, "down", "1", "--dry-run"])
        .ok()
        .has("down")
        .has("1_a.down.sql -> no version");
    migrate(&[
        "--path",
        p,
        "--database",
        &url,
        "goto",
        "3",
        "--dry-run",
        "--no-lint",
    ])
    .ok()
    .has("3_c.up.sql");
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    assert!(table_exists(&mut c, "a"));
    // Dry run on a database that has never been migrated creates nothing.
    let db2 = s.fresh_db("dryrun2");
    migrate(&[
        "--path",
        p,
        "--database",
        &s.url(&db2),
        "up",
        "--dry-run",
        "--no-lint",
    ])
    .ok()
    .has("1_a.up.sql");
    let mut c2 = s.client(&db2);
    assert!(!table_exists(&mut c2, "schema_migrations"));
}

#[test]
fn lint_gate_stops_unless_no_lint_or_allowed() {
    let s = server_or_skip!();
    let db = s.fresh_db("lint");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "lint",
        &[
            (
                "000001_users.up.sql",
                "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
            ),
            ("000001_users.down.sql", "DROP TABLE users;\n"),
            (
                "000002_users_email.up.sql",
                "CREATE INDEX users_email ON users (email);\n",
            ),
            ("000002_users_email.down.sql", "DROP INDEX users_email;\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "1"]).ok();
    let r = migrate(&["--path", p, "--database", &url, "up"]);
    r.code(1)
        .has("000002_users_email.up.sql:1:1")
        .has("nothing was applied");
    let rule = r
        .err
        .lines()
        .filter(|l| l.contains(": error ["))
        .find_map(|l| l.split('[').nth(1).and_then(|x| x.split(']').next()))
        .expect("a rule name in the compact output")
        .to_string();
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    migrate(&[
        "--path",
        p,
        "--database",
        &url,
        "up",
        "--allow",
        "no-such-rule",
    ])
    .code(1)
    .has("no such rule");
    migrate(&["--path", p, "--database", &url, "up", "--allow", &rule])
        .ok()
        .has("applied 000002");
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, false)]);
}

#[test]
fn reads_a_database_left_by_golang_migrate() {
    let s = server_or_skip!();
    let db = s.fresh_db("golang");
    let url = s.url(&db);
    let dir = basic_set("golang");
    let p = dir.path().to_str().unwrap();
    let mut c = s.client(&db);
    // What golang-migrate's Postgres driver leaves after `up 2`.
    c.batch_execute(
        "CREATE TABLE IF NOT EXISTS \"public\".\"schema_migrations\" (version bigint not null primary key, dirty boolean not null);
         CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
         ALTER TABLE users ADD COLUMN name text; CREATE TABLE audit (id bigint);
         INSERT INTO schema_migrations (version, dirty) VALUES (2, false);",
    )
    .unwrap();
    migrate(&["--path", p, "--database", &url, "version"])
        .ok()
        .has("2\n");
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .ok()
        .has("applied 000003")
        .has("done: database at version 3");
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);

    // A dirty one (golang-migrate's failed `up`): refused with the force command.
    c.batch_execute("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES (3, true)")
        .unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .code(1)
        .has("dirty at version 3")
        .has("force 3")
        .has("force 2");
    migrate(&["--path", p, "--database", &url, "version"])
        .ok()
        .has("3 (dirty)");
    // golang-migrate's failed down of the first migration: (-1, dirty).
    c.batch_execute("TRUNCATE schema_migrations; INSERT INTO schema_migrations VALUES (-1, true)")
        .unwrap();
    migrate(&["--path", p, "--database", &url, "version"])
        .ok()
        .has("-1 (dirty)");
    migrate(&["--path", p, "--database", &url, "force", "-1"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), []);
}

#[test]
fn leaves_what_golang_migrate_expects() {
    let s = server_or_skip!();
    let db = s.fresh_db("golang_after");
    let url = s.url(&db);
    let dir = basic_set("golang_after");
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "2", "--no-lint"]).ok();
    let mut c = s.client(&db);
    // golang-migrate reads `SELECT version, dirty FROM "public"."schema_migrations" LIMIT 1`.
    let cols: Vec<(String, String, String)> = c
        .query(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = 'schema_migrations' ORDER BY ordinal_position",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(
        cols,
        [
            (
                "version".to_string(),
                "bigint".to_string(),
                "NO".to_string()
            ),
            ("dirty".to_string(), "boolean".to_string(), "NO".to_string())
        ]
    );
    let pk: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
             WHERE i.indrelid = 'public.schema_migrations'::regclass AND i.indisprimary AND a.attname = 'version'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(pk, 1);
    assert_eq!(
        c.query_one(
            "SELECT version, dirty FROM \"public\".\"schema_migrations\" LIMIT 1",
            &[]
        )
        .map(|r| (r.get::<_, i64>(0), r.get::<_, bool>(1)))
        .unwrap(),
        (2, false)
    );
}

#[test]
fn advisory_lock_is_golang_migrates() {
    let s = server_or_skip!();
    let db = s.fresh_db("lockid");
    let url = s.url(&db);
    let dir = basic_set("lockid");
    let p = dir.path().to_str().unwrap();
    // golang-migrate v4's id (database/util.go GenerateAdvisoryLockId: the
    // additional names first, the database name last), computed
    // independently: crc32 of "public\0schema_migrations\0/<db>" (zlib's
    // CRC-32, Go's crc32.ChecksumIEEE), times the salt 1486364155, mod 2^32.
    let key = format!("public\0schema_migrations\0/{db}");
    let expected = python_lock_id(&key).unwrap_or_else(|| {
        eprintln!("python3 not found: using the Rust computation of the formula");
        (u64::from(crc32(key.as_bytes())) * 1_486_364_155 % (1 << 32)) as i64
    });
    assert_eq!(
        expected,
        migralint_migrate::lockid::postgres_lock_id(
            &format!("/{db}"),
            "public",
            "schema_migrations"
        )
    );

    // Hold that lock elsewhere (as a running golang-migrate would): we must wait, then time out.
    let mut holder = s.client(&db);
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&expected])
        .unwrap();
    let r = migrate(&[
        "--path",
        p,
        "--database",
        &url,
        "--lock-timeout",
        "1",
        "up",
        "--no-lint",
    ]);
    r.code(1)
        .has("can't acquire database lock")
        .has(&expected.to_string());
    let mut c = s.client(&db);
    assert!(!table_exists(&mut c, "users"));
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&expected])
        .unwrap();
    migrate(&[
        "--path",
        p,
        "--database",
        &url,
        "--lock-timeout",
        "1",
        "up",
        "--no-lint",
    ])
    .ok();

    // While we run, the lock is held: a migration that checks for it sees it taken.
    let dir2 = TempDir::with_files(
        "lockid2",
        &[(
            "000004_check.up.sql",
            &format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = ({expected}::bigint & 4294967295) AND granted) THEN RAISE EXCEPTION 'lock not held'; END IF; END $$;"
            ),
        )],
    );
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir2.path().join(f.file_name())).unwrap();
    }
    migrate(&[
        "--path",
        dir2.path().to_str().unwrap(),
        "--database",
        &url,
        "up",
        "--no-lint",
    ])
    .ok();
}

/// golang-migrate's lock id of a custom migrations table is held: we wait
/// and time out without applying anything (unquoted and quoted spellings).
#[test]
fn advisory_lock_of_custom_tables_is_golang_migrates() {
    let s = server_or_skip!();
    let db = s.fresh_db("lockid_custom");
    let dir = basic_set("lockid_custom");
    let p = dir.path().to_str().unwrap();
    let mut c = s.client(&db);
    c.batch_execute("CREATE SCHEMA app").unwrap();
    for (param, key) in [
        (
            "x-migrations-table=my.versions",
            format!("public\0my.versions\0/{db}"),
        ),
        (
            "x-migrations-table=%22app%22.%22versions%22&x-migrations-table-quoted=1",
            format!("app\0versions\0/{db}"),
        ),
    ] {
        let expected = python_lock_id(&key).unwrap_or_else(|| {
            (u64::from(crc32(key.as_bytes())) * 1_486_364_155 % (1 << 32)) as i64
        });
        let mut holder = s.client(&db);
        holder
            .execute("SELECT pg_advisory_lock($1)", &[&expected])
            .unwrap();
        let url = format!("{}&{param}", s.url(&db));
        migrate(&[
            "-path",
            p,
            "-database",
            &url,
            "-lock-timeout",
            "1",
            "up",
            "--no-lint",
        ])
        .code(1)
        .has("can't acquire database lock")
        .has(&expected.to_string());
        assert!(!table_exists(&mut c, "users"), "{param}");
        holder
            .execute("SELECT pg_advisory_unlock($1)", &[&expected])
            .unwrap();
    }
}

fn python_lock_id(key: &str) -> Option<i64> {
    let script = "import sys, zlib; k = sys.argv[1].replace('\\\\0', '\\0').encode(); print(zlib.crc32(k) * 1486364155 % 2**32)";
    let out = std::process::Command::new("python3")
        .args(["-c", script, &key.replace('\0', "\\0")])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn crc32(data: &[u8]) -> u32 {
    // Table-driven CRC-32 (a different formulation from the crate's bitwise one).
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = table[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc ^ 0xFFFF_FFFF
}

#[test]
fn two_concurrent_ups_apply_each_migration_once() {
    let s = server_or_skip!();
    let db = s.fresh_db("concurrent");
    let url = s.url(&db);
    let mut files: Vec<(String, String)> = vec![(
        "000001_log.up.sql".into(),
        "CREATE TABLE applied (version int NOT NULL, at timestamptz DEFAULT now());\n".into(),
    )];
    for v in 2..=6 {
        files.push((
            format!("{v:06}_step.up.sql"),
            format!("SELECT pg_sleep(0.1);\nINSERT INTO applied (version) VALUES ({v});\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = TempDir::with_files("concurrent", &refs);
    let p = dir.path().to_str().unwrap().to_string();
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (p, url) = (p.clone(), url.clone());
            std::thread::spawn(move || {
                migrate(&["--path", &p, "--database", &url, "up", "--no-lint"])
            })
        })
        .collect();
    let results: Vec<_> = runs.into_iter().map(|h| h.join().unwrap()).collect();
    for r in &results {
        r.ok();
    }
    let applied_lines: usize = results
        .iter()
        .map(|r| r.out.matches("applied 0000").count())
        .sum();
    assert_eq!(applied_lines, 6, "{results:?}");
    let mut c = s.client(&db);
    let counts: Vec<(i32, i64)> = c
        .query(
            "SELECT version, count(*) FROM applied GROUP BY version ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(counts, [(2, 1), (3, 1), (4, 1), (5, 1), (6, 1)]);
    assert_eq!(rows(&mut c, "schema_migrations"), [(6, false)]);
}

#[test]
fn unreachable_servers_and_bad_urls() {
    let s = server_or_skip!();
    let dir = basic_set("unreachable");
    let p = dir.path().to_str().unwrap();
    // A closed port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = migrate(&[
        "--path",
        p,
        "--database",
        &format!("postgres://u:secret@127.0.0.1:{closed}/x?sslmode=disable"),
        "up",
    ]);
    r.code(1)
        .has("cannot connect to 127.0.0.1")
        .has("nothing was changed");
    assert!(!r.all().contains("secret"), "{}", r.all());
    // A socket directory with no server.
    let empty = TempDir::new("nosock");
    migrate(&[
        "--path",
        p,
        "--database",
        &format!("postgres:///x?host={}", empty.path().display()),
        "version",
    ])
    .code(1)
    .has("cannot connect to socket");
    // The server is up but the database does not exist.
    migrate(&["--path", p, "--database", &s.url("no_such_database"), "up"])
        .code(1)
        .has("does not exist");
    // Bad URLs.
    migrate(&["--path", p, "--database", "mysql://u@h/d", "up"])
        .code(1)
        .has("unsupported database URL scheme");
    migrate(&[
        "--path",
        p,
        "--database",
        "postgres://u:pw@h:notaport/d",
        "up",
    ])
    .code(1)
    .has("bad database URL");
    migrate(&[
        "--path",
        p,
        "--database",
        "postgres://u@h/d?sslmode=bogus",
        "up",
    ])
    .code(1)
    .has("unsupported sslmode");
    migrate(&["--path", p, "up"]).code(1).has("no database");
    migrate(&["--database", &s.url("postgres"), "up"])
        .code(1)
        .has("no migrations directory");
    migrate(&[
        "--path",
        "/nonexistent/dir",
        "--database",
        &s.url("postgres"),
        "up",
    ])
    .code(1)
    .has("cannot read migrations directory");
}

#[test]
fn socket_url_search_path_and_custom_table() {
    let s = server_or_skip!();
    let db = s.fresh_db("socket");
    let mut c = s.client(&db);
    c.batch_execute("CREATE SCHEMA app").unwrap();
    let dir = basic_set("socket");
    let p = dir.path().to_str().unwrap();
    let url = format!(
        "{}&search_path=app&x-migrations-table=versions",
        s.socket_url(&db)
    );
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    assert_eq!(rows(&mut c, "app.versions"), [(3, false)]);
    assert!(table_exists(&mut c, "app.users"));
    assert!(!table_exists(&mut c, "public.schema_migrations"));
    migrate(&["--path", p, "--database", &url, "status"])
        .ok()
        .has("\"app\".\"versions\"");

    // x-migrations-table-quoted names the schema explicitly.
    let url2 = format!(
        "{}&x-migrations-table=%22app%22.%22other_versions%22&x-migrations-table-quoted=true",
        s.url(&db)
    );
    migrate(&["--path", p, "--database", &url2, "version"])
        .code(1)
        .has("no migration");
    migrate(&["--path", p, "--database", &url2, "force", "1"]).ok();
    assert_eq!(rows(&mut c, "app.other_versions"), [(1, false)]);
}

#[test]
fn statement_timeout_from_url() {
    let s = server_or_skip!();
    let db = s.fresh_db("stmt_timeout");
    let url = format!("{}&x-statement-timeout=200", s.url(&db));
    let dir = TempDir::with_files(
        "stmt_timeout",
        &[(
            "1_slow.up.sql",
            "CREATE TABLE x (id int);\nSELECT pg_sleep(5);\n",
        )],
    );
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .code(1)
        .has("statement timeout")
        .has("line 2");
    let mut c = s.client(&db);
    assert!(!table_exists(&mut c, "x"));
    assert_eq!(rows(&mut c, "schema_migrations"), []);
}

#[test]
fn extra_columns_in_schema_migrations_are_fine() {
    let s = server_or_skip!();
    let db = s.fresh_db("extra_cols");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "extra_cols",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int);\n"),
            (
                "2_b.up.sql",
                "ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS data_version int;\n",
            ),
            ("3_c.up.sql", "CREATE TABLE c (id int);\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);
}

#[test]
fn drop_needs_confirmation() {
    let s = server_or_skip!();
    let db = s.fresh_db("drop");
    let url = s.url(&db);
    let dir = basic_set("drop");
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    // Asks on standard input, terminal or not (golang-migrate); no aborts.
    let cx = MigrateContext::default();
    migrate_with(&["--database", &url, "drop"], &cx, false, false)
        .code(1)
        .has("error: Aborted dropping the entire database schema");
    let mut c = s.client(&db);
    assert!(table_exists(&mut c, "users"));
    migrate(&["--database", &url, "drop", "-y"])
        .ok()
        .has("dropped 3 table(s)");
    assert!(!table_exists(&mut c, "users"));
    assert!(!table_exists(&mut c, "schema_migrations"));
    migrate(&["--path", p, "--database", &url, "version"])
        .code(1)
        .has("no migration");
    // golang-migrate's -f.
    migrate(&["--database", &url, "drop", "-f"])
        .ok()
        .has("dropped 0 table(s)");
}

#[test]
fn status_shows_missing_files_and_pending() {
    let s = server_or_skip!();
    let db = s.fresh_db("status_missing");
    let url = s.url(&db);
    let dir = basic_set("status_missing");
    let p = dir.path().to_str().unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    migrate(&["--path", p, "--database", &url, "force", "7"])
        .ok()
        .has("warning: version 7 has no file");
    let st = migrate(&["--path", p, "--database", &url, "status"]);
    st.ok();
    assert!(
        st.out
            .lines()
            .any(|l| l.starts_with("7 ") && l.contains("missing") && l.contains("<- current")),
        "{}",
        st.out
    );
    migrate(&["--path", p, "--database", &url, "up"])
        .code(1)
        .has("no migration found for version 7");
    let db2 = s.fresh_db("status_fresh");
    let st = migrate(&["--path", p, "--database", &s.url(&db2), "status"]);
    st.ok().has("0 applied, 3 pending");
    assert_eq!(
        st.out.lines().filter(|l| l.contains(" pending ")).count(),
        3,
        "{}",
        st.out
    );
}

#[test]
fn create_follows_the_directory_style() {
    let dir = TempDir::with_files(
        "create",
        &[("000007_a.up.sql", ""), ("000007_a.down.sql", "")],
    );
    let p = dir.path().to_str().unwrap();
    let r = migrate(&["--path", p, "create", "add_users_email"]);
    r.ok();
    assert!(
        r.out.contains("000008_add_users_email.up.sql")
            && r.out.contains("000008_add_users_email.down.sql"),
        "{}",
        r.out
    );
    assert!(dir.path().join("000008_add_users_email.up.sql").exists());
    assert!(dir.path().join("000008_add_users_email.down.sql").exists());
    migrate(&["--path", p, "create", "Add Users"])
        .code(1)
        .has("refusing");
    migrate(&["--path", p, "create", "a/b"])
        .code(1)
        .has("refusing");

    let ts = TempDir::with_files("create_ts", &[("20220428190104_a.up.sql", "")]);
    let r = migrate(&["--path", ts.path().to_str().unwrap(), "create", "next_one"]);
    r.ok();
    let name = r
        .out
        .lines()
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(name.len(), "20220428190104_next_one.up.sql".len(), "{name}");
    assert!(name.as_str() > "20220428190104", "{name}");

    let empty = TempDir::new("create_empty");
    let sub = empty.path().join("migrations");
    migrate(&["--path", sub.to_str().unwrap(), "create", "init"])
        .ok()
        .has("000001_init.up.sql");
    migrate(&[
        "--path",
        sub.to_str().unwrap(),
        "create",
        "--timestamp",
        "second",
    ])
    .ok()
    .has("_second.down.sql");
}

#[test]
fn tls_modes() {
    let s = server_or_skip!();
    let Some(ca) = &s.ca_file else {
        eprintln!("SKIP: the test server has no TLS (openssl missing)");
        return;
    };
    let db = s.fresh_db("tls");
    let ca = ca.display().to_string();
    // A migration that fails unless its own connection is encrypted.
    let dir = TempDir::with_files(
        "tls",
        &[(
            "1_check_tls.up.sql",
            "DO $$ BEGIN IF NOT (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) THEN RAISE EXCEPTION 'connection is not encrypted'; END IF; END $$;",
        )],
    );
    let p = dir.path().to_str().unwrap();
    let at =
        |host: &str, query: &str| format!("postgres://postgres@{host}:{}/{db}?{query}", s.port);
    // Plain: the check fails, proving the check works.
    migrate(&[
        "--path",
        p,
        "--database",
        &at("127.0.0.1", "sslmode=disable"),
        "up",
        "--no-lint",
    ])
    .code(1)
    .has("connection is not encrypted");
    for url in [
        at("127.0.0.1", "sslmode=require"),
        at("127.0.0.1", ""),
        at("127.0.0.1", &format!("sslmode=verify-ca&sslrootcert={ca}")),
        at(
            "localhost",
            &format!("sslmode=verify-full&sslrootcert={ca}"),
        ),
    ] {
        migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
            .ok()
            .has("applied 1");
        migrate(&["--path", p, "--database", &url, "force", "-1"]).ok();
    }
    // The certificate names localhost, not 127.0.0.1.
    migrate(&[
        "--path",
        p,
        "--database",
        &at(
            "127.0.0.1",
            &format!("sslmode=verify-full&sslrootcert={ca}"),
        ),
        "up",
    ])
    .code(1)
    .has("cannot connect")
    .has("nothing was changed");
    // Not signed by a CA we trust.
    let other = TempDir::with_files("tls_other_ca", &[]);
    let other_ca = other.path().join("other.crt");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other CA",
        ])
        .arg("-keyout")
        .arg(other.path().join("other.key"))
        .arg("-out")
        .arg(&other_ca)
        .output()
        .unwrap();
    assert!(made.status.success());
    migrate(&[
        "--path",
        p,
        "--database",
        &at(
            "localhost",
            &format!("sslmode=verify-ca&sslrootcert={}", other_ca.display()),
        ),
        "up",
    ])
    .code(1)
    .has("cannot connect");
    migrate(&[
        "--path",
        p,
        "--database",
        &at(
            "localhost",
            "sslmode=verify-full&sslrootcert=/nonexistent.crt",
        ),
        "up",
    ])
    .code(1)
    .has("cannot read sslrootcert");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), []);
}

#[test]
fn verbose_prints_statements_and_missing_up_file_sets_version_only() {
    let s = server_or_skip!();
    let db = s.fresh_db("verbose");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "verbose",
        &[
            (
                "1_a.up.sql",
                "CREATE TABLE a (id int);\n\nINSERT INTO a\nVALUES (1);\n",
            ),
            // Only a down file for version 2: golang-migrate sets the version without running anything.
            ("2_b.down.sql", "SELECT 1;\n"),
            ("3_c.up.sql", "CREATE TABLE c (id int);\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    let r = migrate(&[
        "--path",
        p,
        "--database",
        &url,
        "--verbose",
        "up",
        "--no-lint",
    ]);
    r.ok()
        .has("  line 1: CREATE TABLE a (id int)\n")
        .has("  line 3: INSERT INTO a ...\n")
        .has("applied 2 (no up file: version only)")
        .has("applied 3 3_c.up.sql");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);
    assert_eq!(
        c.query_one("SELECT count(*) FROM a", &[])
            .unwrap()
            .get::<_, i64>(0),
        1
    );
}

/// Migration files are read with the core's reader, the CLI's: a FIFO
/// named like a migration is refused at once (a plain read would wait for
/// a writer for ever), naming it, and nothing is applied; so is a file that
/// is not UTF-8.
#[cfg(unix)]
#[test]
fn a_migration_that_is_not_a_regular_file_is_refused_naming_it() {
    let s = server_or_skip!();
    let db = s.fresh_db("fifo");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "fifo",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int);\n"),
            ("1_a.down.sql", "DROP TABLE a;\n"),
        ],
    );
    let fifo = dir.path().join("2_b.up.sql");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let p = dir.path().to_str().unwrap();
    for lint in [true, false] {
        let mut args = vec!["--path", p, "--database", &url, "up"];
        if !lint {
            args.push("--no-lint");
        }
        migrate(&args).code(1).has(&format!(
            "{}: is a FIFO (named pipe), not a regular file (migrations must be regular files)",
            fifo.display()
        ));
    }
    let mut c = s.client(&db);
    assert!(!table_exists(&mut c, "a"), "nothing applied");
    std::fs::remove_file(&fifo).unwrap();
    std::fs::write(&fifo, b"SELECT '\xff';\n").unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .code(1)
        .has(&format!(
            "{} is not valid UTF-8; migrations must be UTF-8 text",
            fifo.display()
        ));
    assert!(!table_exists(&mut c, "a"), "nothing applied");
}
