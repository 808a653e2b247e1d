//! Faults and golang-migrate's command line, against a throwaway
//! PostgreSQL: runs without the lock, silent servers, odd version columns,
//! lock timeouts, missing down files, invalid indexes, Ctrl-C.

mod common;

use std::time::{Duration, Instant};

use common::{migrate, migrate_with, rows, table_exists, TempDir};
use migralint_migrate::MigrateContext;

/// Waits until `cond` holds (or panics after 10 s).
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let end = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A run that did not take the advisory lock (`x-no-lock`) re-reads the
/// version under the table lock before applying: when another run moved
/// it meanwhile, the file is not applied a second time.
#[test]
fn no_lock_run_rereads_the_version_before_applying() {
    let s = server_or_skip!();
    let db = s.fresh_db("nolock_reread");
    let url = format!("{}&x-no-lock=true", s.url(&db));
    let dir = TempDir::with_files(
        "nolock_reread",
        &[(
            "1_log.up.sql",
            "CREATE TABLE log (n int);\nINSERT INTO log VALUES (1);\n",
        )],
    );
    let p = dir.path().to_str().unwrap().to_string();
    let mut holder = s.client(&db);
    holder
        .batch_execute("CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)")
        .unwrap();
    holder
        .batch_execute("BEGIN; LOCK TABLE schema_migrations IN SHARE ROW EXCLUSIVE MODE;")
        .unwrap();
    let run =
        std::thread::spawn(move || migrate(&["--path", &p, "--database", &url, "up", "--no-lint"]));
    // The run read version nil (plain reads are not blocked) and now waits
    // for the table lock inside its transaction.
    let mut watcher = s.client(&db);
    wait_for("the run to wait for the table lock", || {
        watcher
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE relation = 'schema_migrations'::regclass AND NOT granted",
                &[],
            )
            .unwrap()
            .get::<_, i64>(0)
            == 1
    });
    // Another run (without the lock too) applies version 1 meanwhile.
    holder
        .batch_execute("CREATE TABLE log (n int); INSERT INTO log VALUES (1); INSERT INTO schema_migrations VALUES (1, false); COMMIT;")
        .unwrap();
    let r = run.join().unwrap();
    r.code(1)
        .has("the database moved to version 1 while this run expected no version")
        .has("this migration was not applied");
    let mut c = s.client(&db);
    let n: i64 = c.query_one("SELECT count(*) FROM log", &[]).unwrap().get(0);
    assert_eq!(n, 1, "the file ran twice");
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
}

/// Two concurrent runs without the lock: each file applied once.
#[test]
fn two_concurrent_no_lock_runs_apply_each_file_once() {
    let s = server_or_skip!();
    let db = s.fresh_db("nolock_two");
    let url = format!("{}&x-no-lock=1", s.url(&db));
    let mut files: Vec<(String, String)> = vec![(
        "000001_log.up.sql".into(),
        "CREATE TABLE applied (version int NOT NULL);\n".into(),
    )];
    for v in 2..=5 {
        files.push((
            format!("{v:06}_step.up.sql"),
            format!("SELECT pg_sleep(0.05);\nINSERT INTO applied VALUES ({v});\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = TempDir::with_files("nolock_two", &refs);
    let p = dir.path().to_str().unwrap().to_string();
    // The table exists first, so both runs lock it.
    migrate(&["--path", &p, "--database", &url, "force", "-1"]).ok();
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
        assert!(
            r.code == 0 || r.all().contains("while this run expected"),
            "{r:?}"
        );
    }
    let mut c = s.client(&db);
    let counts: Vec<(i32, i64)> = c
        .query(
            "SELECT version, count(*) FROM applied GROUP BY 1 ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(counts, [(2, 1), (3, 1), (4, 1), (5, 1)]);
    assert_eq!(rows(&mut c, "schema_migrations"), [(5, false)]);
}

/// golang-migrate's documented command lines (its README, CLI usage and
/// PostgreSQL tutorial), unchanged after `migralint migrate`.
#[test]
fn golang_migrate_command_lines() {
    let s = server_or_skip!();
    let db = s.fresh_db("gocli");
    let url = s.url(&db);
    let root = TempDir::new("gocli");
    let dir = root.path().join("db/migrations");
    let d = dir.to_str().unwrap();
    let cx = MigrateContext::default();

    // migrate create -ext sql -dir db/migrations -seq create_users_table
    migrate(&[
        "create",
        "-ext",
        "sql",
        "-dir",
        d,
        "-seq",
        "create_users_table",
    ])
    .ok();
    assert!(dir.join("000001_create_users_table.up.sql").exists());
    assert!(dir.join("000001_create_users_table.down.sql").exists());
    std::fs::write(
        dir.join("000001_create_users_table.up.sql"),
        "CREATE TABLE IF NOT EXISTS users(\n   user_id serial PRIMARY KEY,\n   username VARCHAR (50) UNIQUE NOT NULL\n);\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("000001_create_users_table.down.sql"),
        "DROP TABLE IF EXISTS users;\n",
    )
    .unwrap();
    migrate(&[
        "create",
        "-ext",
        "sql",
        "-dir",
        d,
        "-seq",
        "add_mood_to_users",
    ])
    .ok();
    std::fs::write(
        dir.join("000002_add_mood_to_users.up.sql"),
        "BEGIN;\n\nCREATE TYPE enum_mood AS ENUM (\n\t'happy',\n\t'sad',\n\t'neutral'\n);\nALTER TABLE users ADD COLUMN mood enum_mood;\n\nCOMMIT;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("000002_add_mood_to_users.down.sql"),
        "BEGIN;\n\nALTER TABLE users DROP COLUMN mood;\nDROP TYPE enum_mood;\n\nCOMMIT;\n",
    )
    .unwrap();
    // Timestamp versions (golang-migrate's default without -seq).
    let ts_dir = root.path().join("ts");
    migrate(&[
        "create",
        "-ext",
        ".sql",
        "-dir",
        ts_dir.to_str().unwrap(),
        "-tz",
        "UTC",
        "first",
    ])
    .ok();
    let names: Vec<String> = std::fs::read_dir(&ts_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.len() == "20240101120000_first.up.sql".len()
                || n.len() == "20240101120000_first.down.sql".len()),
        "{names:?}"
    );

    // migrate -source file://path/to/migrations -database postgres://... up 2
    let source = format!("file://{d}");
    migrate(&["-source", &source, "-database", &url, "up", "1"]).ok();
    // migrate -path db/migrations -database "$POSTGRESQL_URL" version
    let v = migrate(&["-path", d, "-database", &url, "version"]);
    v.ok();
    assert_eq!(v.out, "1\n");
    // migrate -database ${POSTGRESQL_URL} -path db/migrations up
    migrate(&["-database", &url, "-path", d, "up"])
        .ok()
        .has("applied 000002");
    // Nothing to do: golang-migrate's "no change", exit 0.
    let (path_eq, db_eq) = (format!("-path={d}"), format!("-database={url}"));
    migrate(&[&path_eq, &db_eq, "up"]).ok().has("no change");
    // --flag spelling too (Go's flag package takes both).
    migrate(&["--path", d, "--database", &url, "-verbose", "version"])
        .ok()
        .has("2\n");
    // migrate -path db/migrations -database "$URL" goto 1 / force 1
    migrate(&["-path", d, "-database", &url, "goto", "1"]).ok();
    migrate(&["-path", d, "-database", &url, "force", "1"]).ok();
    // migrate -database ${POSTGRESQL_URL} -path db/migrations down  (asks)
    migrate_with(&["-database", &url, "-path", d, "down"], &cx, false, true)
        .ok()
        .has("Applying all down migrations");
    let mut c = s.client(&db);
    assert!(!table_exists(&mut c, "users"));
    migrate(&["-path", d, "-database", &url, "up", "2"]).ok();
    // down -all: no question.
    migrate_with(
        &["-path", d, "-database", &url, "down", "-all"],
        &cx,
        false,
        false,
    )
    .ok();
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    // down N with golang-migrate's lock timeout flag and prefetch.
    migrate(&[
        "-path",
        d,
        "-database",
        &url,
        "-lock-timeout",
        "5",
        "-prefetch",
        "10",
        "up",
    ])
    .ok();
    migrate(&["-path", d, "-database", &url, "down", "1"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    // Dirty: golang-migrate's words.
    c.batch_execute("UPDATE schema_migrations SET dirty = true")
        .unwrap();
    migrate(&["-path", d, "-database", &url, "version"])
        .ok()
        .has("1 (dirty)");
    migrate(&["-path", d, "-database", &url, "up"])
        .code(1)
        .has("error: Dirty database version 1. Fix and force version.");
    migrate(&["-path", d, "-database", &url, "force", "1"]).ok();
    // drop -f
    migrate(&["-path", d, "-database", &url, "drop", "-f"]).ok();
    assert!(!table_exists(&mut c, "users"));
    // Errors: exit 1; a bad command line: exit 2.
    migrate(&[
        "-path",
        d,
        "-database",
        "postgres://u@127.0.0.1:1/x?sslmode=disable",
        "up",
    ])
    .code(1);
    migrate(&["-path", d, "-database", &url, "goto", "notanumber"]).code(2);
    migrate(&["-path", d, "-database", &url, "frobnicate"]).code(2);
    migrate(&[
        "-source",
        "github://mattes/migrate_test",
        "-database",
        &url,
        "up",
    ])
    .code(1)
    .has("unsupported source scheme");
}

/// A server that accepts the TCP connection and never answers: the run
/// fails after connect_timeout, whatever the sslmode.
#[test]
fn silent_server_fails_after_the_connect_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            keep.lock().unwrap().push(conn); // accept, say nothing
        }
    });
    let dir = TempDir::with_files("silent", &[("1_a.up.sql", "SELECT 1;\n")]);
    let p = dir.path().to_str().unwrap();
    for mode in ["disable", "prefer", "require", "verify-full"] {
        let url = format!("postgres://u@127.0.0.1:{port}/x?sslmode={mode}&connect_timeout=1");
        let started = Instant::now();
        let r = migrate(&["--path", p, "--database", &url, "version"]);
        let took = started.elapsed();
        r.code(1)
            .has("timed out after 1s")
            .has("nothing was changed");
        assert!(took < Duration::from_secs(5), "{mode}: took {took:?}");
    }
}

/// `schema_migrations.version` of another integer type is read; text or
/// NULL is a clear error (no panic), and `force` still repairs the row.
#[test]
fn version_columns_of_other_types() {
    let s = server_or_skip!();
    let dir = TempDir::with_files(
        "vtypes",
        &[
            ("1_a.up.sql", "CREATE TABLE a (id int);\n"),
            ("2_b.up.sql", "CREATE TABLE b (id int);\n"),
        ],
    );
    let p = dir.path().to_str().unwrap();
    let db = s.fresh_db("vtype_int");
    let url = s.url(&db);
    let mut c = s.client(&db);
    c.batch_execute("CREATE TABLE schema_migrations (version integer not null primary key, dirty boolean not null); INSERT INTO schema_migrations VALUES (1, false); CREATE TABLE a (id int);").unwrap();
    migrate(&["--path", p, "--database", &url, "version"])
        .ok()
        .has("1\n");
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .ok()
        .has("applied 2");
    let v: i32 = c
        .query_one("SELECT version FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(v, 2);

    let db = s.fresh_db("vtype_text");
    let url = s.url(&db);
    let mut c = s.client(&db);
    c.batch_execute("CREATE TABLE schema_migrations (version text, dirty boolean); INSERT INTO schema_migrations VALUES ('1', false);").unwrap();
    for cmd in ["version", "up", "status"] {
        migrate(&["--path", p, "--database", &url, cmd])
            .code(1)
            .has("the version column is of type text, not an integer")
            .has("ALTER TABLE \"public\".\"schema_migrations\" ALTER COLUMN version TYPE bigint");
    }
    migrate(&["--path", p, "--database", &url, "force", "1"])
        .ok()
        .has("was unreadable");
    let v: String = c
        .query_one("SELECT version FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(v, "1");

    let db = s.fresh_db("vtype_null");
    let url = s.url(&db);
    let mut c = s.client(&db);
    c.batch_execute("CREATE TABLE schema_migrations (version bigint, dirty boolean); INSERT INTO schema_migrations VALUES (NULL, NULL);").unwrap();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"])
        .code(1)
        .has("the version is NULL");
    migrate(&["--path", p, "--database", &url, "force", "-1"]).ok();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, false)]);
}

/// A transactional file behind a lock: PostgreSQL's lock_timeout, then
/// retries with backoff, one line each; given up after the last.
#[test]
fn lock_timeout_and_retries() {
    let s = server_or_skip!();
    let db = s.fresh_db("locktimeout");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "locktimeout",
        &[
            ("1_a.up.sql", "CREATE TABLE t (id int);\n"),
            ("2_b.up.sql", "ALTER TABLE t ADD COLUMN v int;\n"),
        ],
    );
    let p = dir.path().to_str().unwrap().to_string();
    migrate(&["--path", &p, "--database", &url, "up", "1", "--no-lint"]).ok();
    let mut holder = s.client(&db);
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE;")
        .unwrap();
    // Gives up: one retry, then the failure; the database as before.
    let r = migrate(&[
        "--path",
        &p,
        "--database",
        &url,
        "--pg-lock-timeout",
        "100ms",
        "--lock-retries",
        "1",
        "up",
        "--no-lint",
    ]);
    r.code(1)
        .has("lock timeout at line 1 in 2_b.up.sql (lock_timeout 100.0ms; rolled back, nothing changed): retry 1 of 1 in 1.00s")
        .has("sqlstate: 55P03")
        .has("gave up after 1 retry(ies)")
        .has("version unchanged, not dirty");
    assert_eq!(r.err.matches("retry 1 of").count(), 1, "{}", r.err);
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(1, false)]);
    // The lock goes away during the first pause: applied on the retry. The
    // timeout comes from the URL this time.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        holder.batch_execute("COMMIT").unwrap();
    });
    let url2 = format!("{url}&x-lock-timeout=100ms&x-lock-retries=2");
    migrate(&["--path", &p, "--database", &url2, "up", "--no-lint"])
        .ok()
        .has("retry 1 of 2")
        .has("after 1 retry(ies)");
    release.join().unwrap();
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, false)]);
    // Unbounded values are refused, not a panic.
    migrate(&[
        "--path",
        &p,
        "--database",
        &url,
        "--lock-timeout",
        "18446744073709551615",
        "up",
    ])
    .code(2)
    .has("too long");
    migrate(&[
        "--path",
        &p,
        "--database",
        &url,
        "--pg-lock-timeout",
        "99999999999s",
        "up",
    ])
    .code(2)
    .has("too long");
}

/// `down --all --allow-missing-down`: golang-migrate's way through missing
/// down files, each version passed without SQL and said so.
#[test]
fn down_all_allow_missing_down() {
    let s = server_or_skip!();
    let db = s.fresh_db("missing_down");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "missing_down",
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
    migrate(&["--path", p, "--database", &url, "down", "--all"])
        .code(1)
        .has("no down file for 2_b.down.sql")
        .has("--allow-missing-down");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(3, false)]);
    migrate(&[
        "--path",
        p,
        "--database",
        &url,
        "down",
        "--all",
        "--allow-missing-down",
    ])
    .ok()
    .has("rolled back 3 3_c.down.sql")
    .has("rolled back 2 (no down file: version only)")
    .has("rolled back 1 1_a.down.sql");
    assert_eq!(rows(&mut c, "schema_migrations"), []);
    assert!(table_exists(&mut c, "b"), "no SQL ran for version 2");
    assert!(!table_exists(&mut c, "a"));
}

/// A failed CREATE INDEX CONCURRENTLY leaves an INVALID index: the failure
/// says so with the DROP to run; `IF NOT EXISTS` keeping it is refused.
#[test]
fn concurrent_index_left_invalid() {
    let s = server_or_skip!();
    let db = s.fresh_db("invalid_index");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "invalid_index",
        &[
            (
                "1_t.up.sql",
                "CREATE TABLE t (a int);\nINSERT INTO t VALUES (1), (1);\n",
            ),
            (
                "2_idx.up.sql",
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);\n",
            ),
        ],
    );
    let p = dir.path().to_str().unwrap();
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.code(1)
        .has("could not create unique index")
        .has("left t_a INVALID")
        .has("First run (the failed build left what it made behind):\n  DROP INDEX CONCURRENTLY IF EXISTS t_a;")
        .has("force 1");
    let mut c = s.client(&db);
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, true)]);
    // Fix the data but not the index; IF NOT EXISTS keeps the invalid one.
    c.batch_execute("DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)")
        .unwrap();
    migrate(&["--path", p, "--database", &url, "force", "1"]).ok();
    let r = migrate(&["--path", p, "--database", &url, "up", "--no-lint"]);
    r.code(1)
        .has("index t_a is INVALID after this file ran")
        .has("IF NOT EXISTS t_a kept the invalid index")
        .has("DROP INDEX CONCURRENTLY IF EXISTS t_a;");
    assert_eq!(rows(&mut c, "schema_migrations"), [(2, true)]);
    // The way out it gave.
    c.batch_execute("DROP INDEX CONCURRENTLY IF EXISTS t_a;")
        .unwrap();
    migrate(&["--path", p, "--database", &url, "force", "1"]).ok();
    migrate(&["--path", p, "--database", &url, "up", "--no-lint"]).ok();
    let valid: bool = c
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid);
}

/// Ctrl-C twice in a real process: the second cancels the running
/// statement on the server (it does not go on holding its locks), and the
/// run says what state the database is in.
#[test]
fn second_ctrl_c_cancels_the_statement_on_the_server() {
    if std::env::var_os("MIGRALINT_CHILD_ARGS").is_some() {
        return; // the child's own copy of this test
    }
    let s = server_or_skip!();
    let db = s.fresh_db("ctrlc");
    let url = s.url(&db);
    let dir = TempDir::with_files(
        "ctrlc",
        &[(
            "1_slow.up.sql",
            "CREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n",
        )],
    );
    let args = format!(
        "--path\n{}\n--database\n{url}\nup\n--no-lint",
        dir.path().display()
    );
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_runs_migrate",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("MIGRALINT_CHILD_ARGS", args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut c = s.client(&db);
    let sleeping = |c: &mut postgres::Client| -> i64 {
        c.query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'",
            &[],
        )
        .unwrap()
        .get(0)
    };
    wait_for("the migration to run pg_sleep", || sleeping(&mut c) == 1);
    extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    let kill = |pid: u32| {
        const SIGINT: i32 = 2;
        assert_eq!(unsafe { kill(pid as i32, SIGINT) }, 0);
    };
    kill(pid);
    std::thread::sleep(Duration::from_millis(200));
    kill(pid);
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "interrupted (second Ctrl-C): the running statement was cancelled on the server"
        ),
        "{err}"
    );
    assert!(
        err.contains("canceling statement due to user request"),
        "{err}"
    );
    assert!(err.contains("database now at no version"), "{err}");
    assert_eq!(
        sleeping(&mut c),
        0,
        "the statement still runs on the server"
    );
    assert!(!table_exists(&mut c, "slow"), "rolled back");
}

/// The child process of the Ctrl-C test: `migralint migrate` as the binary
/// runs it (signal handling on).
#[test]
fn child_runs_migrate() {
    let Some(args) = std::env::var_os("MIGRALINT_CHILD_ARGS") else {
        return;
    };
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: migralint_migrate::MigrateArgs,
    }
    let args = args.into_string().unwrap();
    let mut argv = vec!["migrate"];
    argv.extend(args.split('\n'));
    let cli = Cli::parse_from(argv);
    let code = migralint_migrate::run_process(cli.args, &MigrateContext::default());
    std::process::exit(i32::from(code));
}
