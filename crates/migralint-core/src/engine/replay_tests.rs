//! The replay follows what a file does, statement by statement (issue 12,
//! point 4): tables a file empties, keys that make columns NOT NULL,
//! `IF NOT EXISTS` on what exists, sessions that end, renames in order,
//! drops that take what is built on the dropped object.

use crate::rules::testing::*;

#[test]
fn truncate_and_delete_all_leave_the_table_empty() {
    // After TRUNCATE the table is empty: the column rewrite, SET NOT NULL
    // scan and index build on it cost nothing for the rest of the file.
    let sql = "TRUNCATE TABLE sessions;\n\
               ALTER TABLE sessions ADD COLUMN token text NOT NULL;\n\
               ALTER TABLE sessions ALTER COLUMN user_id SET NOT NULL;\n\
               ALTER TABLE sessions ALTER COLUMN id TYPE bigint;\n\
               CREATE INDEX sessions_token_idx ON sessions (token);";
    for rule in [
        "adding-required-field",
        "set-not-null-scan",
        "changing-column-type",
        "require-concurrent-index-creation",
    ] {
        assert_ok(rule, sql);
    }
    // The TRUNCATE itself stays a finding; so does what is not about the
    // rows: the application still uses the table, and waits on its locks.
    assert_err("ban-truncate", sql);
    assert_err("require-lock-timeout", sql);
    assert_err(
        "ban-drop-column",
        "TRUNCATE sessions;\nALTER TABLE sessions DROP COLUMN token;",
    );
    assert_err("ban-truncate", "DELETE FROM sessions;\nTRUNCATE sessions;");
    assert_ok(
        "adding-required-field",
        "DELETE FROM sessions;\nALTER TABLE sessions ADD COLUMN token text NOT NULL;",
    );
    // A data-modifying CTE runs too: its DELETE empties, its INSERT (or a
    // MERGE that inserts) fills again (PostgreSQL 15: the ADD COLUMN
    // NOT NULL passes after the first, fails after the others).
    assert_ok(
        "adding-required-field",
        "WITH d AS (DELETE FROM sessions RETURNING id) SELECT count(*) FROM d;\n\
         ALTER TABLE sessions ADD COLUMN token text NOT NULL;",
    );
    for refill in [
        "WITH d AS (DELETE FROM sessions WHERE id > 10 RETURNING id) SELECT count(*) FROM d;",
        "TRUNCATE sessions;\n\
         WITH i AS (INSERT INTO sessions SELECT * FROM old_sessions RETURNING id) SELECT 1;",
        "TRUNCATE sessions;\n\
         MERGE INTO sessions s USING old_sessions o ON s.id = o.id \
         WHEN NOT MATCHED THEN INSERT (id) VALUES (o.id);",
    ] {
        assert_err(
            "adding-required-field",
            &format!("{refill}\nALTER TABLE sessions ADD COLUMN token text NOT NULL;"),
        );
    }
    // A DELETE that keeps rows, a refill, another file: the table holds data.
    assert_err(
        "adding-required-field",
        "DELETE FROM sessions WHERE expired;\nALTER TABLE sessions ADD COLUMN token text NOT NULL;",
    );
    assert_err(
        "adding-required-field",
        "TRUNCATE sessions;\nINSERT INTO sessions SELECT * FROM old_sessions;\n\
         ALTER TABLE sessions ADD COLUMN token text NOT NULL;",
    );
    assert_err_files(
        "require-concurrent-index-creation",
        &[
            ("1_a.up.sql", "CREATE TABLE s (id int);\n"),
            ("2_b.up.sql", "TRUNCATE s;"),
            ("3_c.up.sql", "CREATE INDEX s_id ON s (id);"),
        ],
    );
}

/// After the file created or emptied a table, the rows it lists itself
/// (`INSERT ... VALUES`) are few: rewriting, scanning or indexing the table
/// is cheap, but it is not empty (checked on PostgreSQL 15: the type change
/// rewrites one row; ADD COLUMN NOT NULL without a default fails, and so
/// does SET NOT NULL when an inserted row leaves the column NULL).
#[test]
fn rows_the_file_inserts_are_few_but_not_none() {
    for head in [
        "TRUNCATE sessions;",
        "DELETE FROM sessions;",
        "CREATE TABLE sessions (id int, user_id int, token text);",
    ] {
        let few = format!("{head}\nINSERT INTO sessions (id, user_id) VALUES (1, 1), (2, 2);\n");
        for (rule, stmt) in [
            (
                "changing-column-type",
                "ALTER TABLE sessions ALTER COLUMN id TYPE bigint;",
            ),
            (
                "require-concurrent-index-creation",
                "CREATE INDEX s_t ON sessions (token);",
            ),
            (
                "adding-field-with-volatile-default",
                "ALTER TABLE sessions ADD COLUMN r float8 DEFAULT random();",
            ),
            (
                "set-not-null-scan",
                "ALTER TABLE sessions ALTER COLUMN user_id SET NOT NULL;",
            ),
            (
                "hold-exclusive-lock-across-statements",
                "UPDATE sessions SET token = 'x';",
            ),
        ] {
            assert_ok(rule, &format!("{few}{stmt}"));
        }
        assert_err(
            "adding-required-field",
            &format!("{few}ALTER TABLE sessions ADD COLUMN c int NOT NULL;"),
        );
        // `token` is left NULL by the inserts; `id` is NULL in one row.
        assert_err(
            "set-not-null-scan",
            &format!("{few}ALTER TABLE sessions ALTER COLUMN token SET NOT NULL;"),
        );
        assert_err(
            "set-not-null-scan",
            &format!(
                "{few}INSERT INTO sessions (id, user_id) VALUES (NULL, 3);\n\
                 ALTER TABLE sessions ALTER COLUMN id SET NOT NULL;"
            ),
        );
        // An UPDATE may make a column NULL again (PostgreSQL 15: SET NOT NULL
        // fails after `SET a = NULL`, passes after `SET a = 2`); a SELECT
        // of constants lists one row.
        assert_err(
            "set-not-null-scan",
            &format!(
                "{few}UPDATE sessions SET user_id = NULL WHERE id = 1;\n\
                 ALTER TABLE sessions ALTER COLUMN user_id SET NOT NULL;"
            ),
        );
        assert_ok(
            "set-not-null-scan",
            &format!(
                "{few}UPDATE sessions SET user_id = 5;\n\
                 ALTER TABLE sessions ALTER COLUMN user_id SET NOT NULL;"
            ),
        );
        assert_ok(
            "set-not-null-scan",
            &format!(
                "{head}\nINSERT INTO sessions (id, user_id) SELECT 1, 1;\n\
                 ALTER TABLE sessions ALTER COLUMN user_id SET NOT NULL;"
            ),
        );
        // Rows from a query or a file: data again.
        for fill in [
            "INSERT INTO sessions SELECT * FROM old_sessions;",
            "INSERT INTO sessions SELECT g, g, 'x' FROM generate_series(1, 100000) g;",
            "COPY sessions FROM '/tmp/sessions.csv';",
        ] {
            let sql = format!("{few}{fill}\nALTER TABLE sessions ALTER COLUMN id TYPE bigint;");
            if head.starts_with("CREATE") {
                // Nobody else sees a table the transaction created.
                assert_ok("changing-column-type", &sql);
            } else {
                assert_err("changing-column-type", &sql);
            }
        }
    }
    // Empty: nothing fails on rows.
    assert_ok(
        "adding-required-field",
        "CREATE TABLE s (id int);\nALTER TABLE s ADD COLUMN c int NOT NULL;",
    );
}

/// TRUNCATE and DELETE without ONLY reach inheritance children and
/// partitions (checked on PostgreSQL 15: every child and partition holds 0
/// rows after); rows that come back through an attached partition or an
/// insert into a partition are data.
#[test]
fn emptying_a_parent_empties_its_children() {
    const BASE: &str = "CREATE TABLE p (id int, a int);\n\
        CREATE TABLE ch (extra int) INHERITS (p);\n\
        CREATE TABLE m (id int, k int) PARTITION BY RANGE (k);\n\
        CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100);\n\
        CREATE TABLE m2 (id int, k int);\n\
        CREATE TABLE m3 (id int, k int);\n\
        ALTER TABLE m ATTACH PARTITION m2 FOR VALUES FROM (100) TO (200);";
    let rule = "require-concurrent-index-creation";
    let check = |up: &str, err: bool| {
        let files = [("1_a.up.sql", BASE), ("2_b.up.sql", up)];
        if err {
            assert_err_files(rule, &files);
        } else {
            assert_ok_files(rule, &files);
        }
    };
    check("TRUNCATE p;\nCREATE INDEX ch_a ON ch (a);", false);
    check("DELETE FROM p;\nCREATE INDEX ch_a ON ch (a);", false);
    check("TRUNCATE ONLY p;\nCREATE INDEX ch_a ON ch (a);", true);
    check("DELETE FROM ONLY p;\nCREATE INDEX ch_a ON ch (a);", true);
    check("TRUNCATE m;\nCREATE INDEX m1_id ON m1 (id);", false);
    check("TRUNCATE m;\nCREATE INDEX m2_id ON m2 (id);", false);
    check("DELETE FROM m;\nCREATE INDEX m2_id ON m2 (id);", false);
    // A partition emptied alone leaves its siblings' rows.
    check("TRUNCATE m1;\nCREATE INDEX m2_id ON m2 (id);", true);
    // Rows come back to the parent with an attached partition, or into a
    // partition through its parent.
    check(
        "TRUNCATE m;\nALTER TABLE m ATTACH PARTITION m3 FOR VALUES FROM (200) TO (300);\n\
         CREATE INDEX m_id ON m (id);",
        true,
    );
    check(
        "TRUNCATE m;\nINSERT INTO m SELECT * FROM m3;\nCREATE INDEX m1_id ON m1 (id);",
        true,
    );
    check(
        "TRUNCATE m;\nINSERT INTO m1 SELECT * FROM m3;\nCREATE INDEX m_id ON m (id);",
        true,
    );
    // Detached, a partition is no longer emptied with its old parent.
    check(
        "ALTER TABLE m DETACH PARTITION m2;\nTRUNCATE m;\nCREATE INDEX m2_id ON m2 (id);",
        true,
    );
}

#[test]
fn primary_key_columns_are_not_null() {
    let files = |later: &str| {
        [
            (
                "1_a.up.sql",
                "CREATE TABLE members (org_id int, user_id int, role text, PRIMARY KEY (org_id, user_id));\n\
                 CREATE TABLE tags (id int, name text);\nCREATE TABLE notes (id int PRIMARY KEY);"
                    .to_string(),
            ),
            ("2_b.up.sql", later.to_string()),
        ]
    };
    let run = |later: &str| {
        let f = files(later);
        let f: Vec<(&str, &str)> = f.iter().map(|(p, t)| (*p, t.as_str())).collect();
        lint_files("set-not-null-scan", &f)
            .into_iter()
            .filter(|d| d.rule == "set-not-null-scan")
            .count()
    };
    assert_eq!(
        run("ALTER TABLE members ALTER COLUMN user_id SET NOT NULL;"),
        0
    );
    assert_eq!(run("ALTER TABLE notes ALTER COLUMN id SET NOT NULL;"), 0);
    assert_eq!(
        run("ALTER TABLE members ALTER COLUMN role SET NOT NULL;"),
        1
    );
    assert_eq!(
        run("ALTER TABLE tags ADD PRIMARY KEY (id);\nALTER TABLE tags ALTER COLUMN id SET NOT NULL;"),
        0,
        "the key made the column NOT NULL"
    );
}

#[test]
fn set_not_null_on_a_key_column_scans_nothing_under_a_held_lock() {
    let files = [
        (
            "1_a.up.sql",
            "CREATE TABLE notes (id int PRIMARY KEY, body text);\nCREATE TABLE tags (id int);",
        ),
        (
            "2_b.up.sql",
            "ALTER TABLE tags ADD COLUMN x int;\nALTER TABLE notes ALTER COLUMN id SET NOT NULL;",
        ),
    ];
    assert_ok_files("hold-exclusive-lock-across-statements", &files);
    let mut body = files;
    body[1].1 =
        "ALTER TABLE tags ADD COLUMN x int;\nALTER TABLE notes ALTER COLUMN body SET NOT NULL;";
    assert_err_files("hold-exclusive-lock-across-statements", &body);
}

#[test]
fn if_not_exists_of_an_existing_index_builds_nothing() {
    let files = [
        ("1_a.up.sql", "CREATE TABLE t (id int, a int);\n"),
        ("2_b.up.sql", "CREATE INDEX CONCURRENTLY t_a_idx ON t (a);"),
        ("3_c.up.sql", "CREATE INDEX IF NOT EXISTS t_a_idx ON t (a);"),
    ];
    assert_ok_files("require-concurrent-index-creation", &files);
    let mut other = files;
    other[2].1 = "CREATE INDEX IF NOT EXISTS t_a_idx2 ON t (a);";
    assert_err_files("require-concurrent-index-creation", &other);
    // The index of a primary key or unique constraint has its name
    // (checked on PostgreSQL 15: `relation "t_a_key" already exists,
    // skipping`), and nothing the skipped statement says is kept.
    let keys = [
        (
            "1_a.up.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, a int);
ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);
",
        ),
        (
            "2_b.up.sql",
            "CREATE UNIQUE INDEX IF NOT EXISTS t_a_key ON t (a);
CREATE UNIQUE INDEX IF NOT EXISTS t_pkey ON t (id);",
        ),
        (
            "3_c.up.sql",
            "CREATE UNIQUE INDEX IF NOT EXISTS t_a_key ON t (a);",
        ),
    ];
    assert_ok_files("require-concurrent-index-creation", &keys);
    assert_ok_files("if-not-exists-hides-drift", &keys);
    // CREATE TABLE IF NOT EXISTS of an existing table changes nothing: the
    // table still holds data.
    assert_err_files(
        "require-concurrent-index-creation",
        &[
            ("1_a.up.sql", "CREATE TABLE t (id int);\n"),
            (
                "2_b.up.sql",
                "CREATE TABLE IF NOT EXISTS t (id int, b int);\nCREATE INDEX t_id ON t (id);",
            ),
        ],
    );
}

#[test]
fn temp_tables_end_with_the_session() {
    let files = [
        ("1_a.up.sql", "CREATE TABLE t (id int);"),
        ("1_a.down.sql", "DROP TABLE t;"),
        (
            "2_b.up.sql",
            "CREATE TEMP TABLE ids AS SELECT id FROM t;\nCREATE INDEX ids_idx ON ids (id);\n\
             CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
             DELETE FROM t WHERE id IN (SELECT id FROM ids);",
        ),
        ("2_b.down.sql", "-- nothing to undo\n"),
    ];
    assert_ok_files("down-not-reversing-up", &files);
    assert_ok_files("empty-down", &files);
    // A permanent table in the same up still needs its drop.
    let mut mixed = files;
    mixed[2].1 = "CREATE TEMP TABLE ids (id int);\nCREATE TABLE keep (id int);";
    assert_err_files("down-not-reversing-up", &mixed);
    assert_err_files("empty-down", &mixed);
    // A later file does not find them (PostgreSQL 15: the later CREATE
    // TABLE IF NOT EXISTS creates a new, empty table; the function is gone).
    let later = [
        ("1_a.up.sql", "CREATE TABLE t (id int);"),
        (
            "2_b.up.sql",
            "CREATE TEMP TABLE ids AS SELECT id FROM t;
\
             CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        ),
        (
            "3_c.up.sql",
            "CREATE TABLE IF NOT EXISTS ids (id int);
CREATE INDEX ids_idx ON ids (id);
\
             ALTER TABLE ids ADD COLUMN n int NOT NULL;",
        ),
    ];
    for rule in [
        "if-not-exists-hides-drift",
        "require-concurrent-index-creation",
        "adding-required-field",
    ] {
        assert_ok_files(rule, &later);
    }
}

#[test]
fn renames_are_followed_in_order() {
    // The up renames a table, then a column of it; the down renames the
    // table back first, then the column under the table's old name.
    for up in [
        "ALTER TABLE accounts RENAME TO users;\nALTER TABLE users RENAME COLUMN mail TO email;",
        "ALTER TABLE accounts RENAME COLUMN mail TO email;\nALTER TABLE accounts RENAME TO users;",
    ] {
        for down in [
            "ALTER TABLE users RENAME TO accounts;\nALTER TABLE accounts RENAME COLUMN email TO mail;",
            "ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users RENAME TO accounts;",
        ] {
            assert_ok_files(
                "down-not-reversing-up",
                &[("1_a.up.sql", up), ("1_a.down.sql", down)],
            );
        }
    }
    // A swap undone (pkgsite 000133): the second rename back is not the
    // first one's object.
    assert_ok_files(
        "down-not-reversing-up",
        &[
            (
                "1_a.up.sql",
                "ALTER TABLE docs RENAME TO old_docs;\nALTER TABLE new_docs RENAME TO docs;",
            ),
            (
                "1_a.down.sql",
                "ALTER TABLE docs RENAME TO new_docs;\nALTER TABLE old_docs RENAME TO docs;",
            ),
        ],
    );
    assert_err_files(
        "down-not-reversing-up",
        &[
            ("1_a.up.sql", "ALTER TABLE accounts RENAME TO users;\nALTER TABLE users RENAME COLUMN mail TO email;"),
            ("1_a.down.sql", "ALTER TABLE users RENAME TO accounts;"),
        ],
    );
}

#[test]
fn dropping_a_column_drops_what_is_built_on_it() {
    // A partial index whose predicate reads the column goes with it.
    assert_ok_files(
        "down-not-reversing-up",
        &[
            ("1_a.up.sql", "CREATE TABLE jobs (id int, state text);"),
            ("1_a.down.sql", "DROP TABLE jobs;"),
            (
                "2_b.up.sql",
                "ALTER TABLE jobs ADD COLUMN done_at timestamptz;\n\
                 CREATE INDEX jobs_pending_idx ON jobs (id) WHERE done_at IS NULL;\n\
                 CREATE INDEX jobs_done_idx ON jobs ((done_at::date));",
            ),
            ("2_b.down.sql", "ALTER TABLE jobs DROP COLUMN done_at;"),
        ],
    );
    // The schema model drops an index with its column: a new index of
    // that name in the same file is then a new build, not IF NOT EXISTS
    // of an existing one.
    assert_err_files(
        "require-concurrent-index-creation",
        &[
            ("1_a.up.sql", "CREATE TABLE jobs (id int, state text);\nCREATE INDEX jobs_state_idx ON jobs (id) WHERE state = 'x';"),
            (
                "2_b.up.sql",
                "ALTER TABLE jobs DROP COLUMN state;\nCREATE INDEX IF NOT EXISTS jobs_state_idx ON jobs (id);",
            ),
        ],
    );
}

#[test]
fn a_rollback_undoes_what_it_rolls_back() {
    // PostgreSQL 15: the DELETE is undone, so the ADD COLUMN computes
    // random() for every row again (in the implicit block too, where the
    // ROLLBACK warns `there is no transaction in progress`).
    let table = (
        "1_a.up.sql",
        "CREATE TABLE t (id bigint PRIMARY KEY, a int);",
    );
    let add = "ALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT random()::int;";
    for undone in [
        "BEGIN;\nDELETE FROM t;\nROLLBACK;",
        "DELETE FROM t;\nROLLBACK;",
        "BEGIN;\nTRUNCATE t;\nROLLBACK AND CHAIN;",
        "BEGIN;\nSAVEPOINT s;\nTRUNCATE t;\nROLLBACK TO SAVEPOINT s;",
        // The second ROLLBACK TO goes back to the same savepoint.
        "BEGIN;\nSAVEPOINT s;\nTRUNCATE t;\nROLLBACK TO s;\nDELETE FROM t;\nROLLBACK TO s;",
        // A RELEASE on the way back: the earlier savepoint of that name.
        "BEGIN;\nSAVEPOINT s;\nTRUNCATE t;\nSAVEPOINT s;\nRELEASE s;\nROLLBACK TO s;",
    ] {
        let up = format!("{undone}\n{add}");
        assert_err_files(
            "adding-field-with-volatile-default",
            &[table, ("2_c.up.sql", &up)],
        );
    }
    for kept in [
        "BEGIN;\nDELETE FROM t;\nCOMMIT;",
        "BEGIN;\nSAVEPOINT s;\nTRUNCATE t;\nRELEASE SAVEPOINT s;",
        "BEGIN;\nTRUNCATE t;\nSAVEPOINT s;\nROLLBACK TO s;",
        // Nothing to go back to: PostgreSQL refuses the ROLLBACK TO.
        "BEGIN;\nTRUNCATE t;\nROLLBACK TO s;",
    ] {
        let up = format!("{kept}\n{add}");
        assert_ok_files(
            "adding-field-with-volatile-default",
            &[table, ("2_c.up.sql", &up)],
        );
    }
    // Objects: a table created in a rolled-back transaction does not exist
    // (PostgreSQL 15: the later CREATE TABLE IF NOT EXISTS creates it with
    // both columns), nor does the up leave it behind for its down.
    let files = [
        ("1_a.up.sql", "BEGIN;\nCREATE TABLE x (id int);\nROLLBACK;"),
        ("1_a.down.sql", "SELECT 1;"),
        (
            "2_b.up.sql",
            "CREATE TABLE IF NOT EXISTS x (id int, b int);",
        ),
    ];
    assert_ok_files("if-not-exists-hides-drift", &files);
    assert_ok_files("down-not-reversing-up", &files);
    assert_ok_files("empty-down", &files);
    // Within the transaction, before the ROLLBACK, it does.
    assert_err(
        "if-not-exists-hides-drift",
        "CREATE TABLE t (id int);\nBEGIN;\nCREATE TABLE x (id int);\n\
         CREATE TABLE IF NOT EXISTS x (id int, b int);\nROLLBACK;",
    );
    // Settings go back too (PostgreSQL 15: `SHOW lock_timeout` is 0).
    let later = "ALTER TABLE t ADD COLUMN c int;";
    assert_err_files(
        "require-lock-timeout",
        &[
            table,
            (
                "2_c.up.sql",
                &format!("BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\n{later}"),
            ),
        ],
    );
    assert_ok_files(
        "require-lock-timeout",
        &[
            table,
            (
                "2_c.up.sql",
                &format!("BEGIN;\nSET lock_timeout = '2s';\nCOMMIT;\n{later}"),
            ),
        ],
    );
}

#[test]
fn a_rollback_to_savepoint_releases_the_locks_taken_since() {
    // PostgreSQL 15: after ROLLBACK TO s, pg_locks holds no lock of the
    // ALTER on t.
    let table = (
        "1_a.up.sql",
        "CREATE TABLE t (id bigint PRIMARY KEY, a int);",
    );
    let up = |between: &str| {
        format!("BEGIN;\nSAVEPOINT s;\nALTER TABLE t ADD COLUMN x int;\n{between}UPDATE t SET a = 1;\nCOMMIT;")
    };
    assert_ok_files(
        "hold-exclusive-lock-across-statements",
        &[table, ("2_b.up.sql", &up("ROLLBACK TO s;\n"))],
    );
    assert_err_files(
        "hold-exclusive-lock-across-statements",
        &[table, ("2_b.up.sql", &up("RELEASE s;\n"))],
    );
}

#[test]
fn a_temp_table_shadows_the_permanent_one_of_its_name() {
    // PostgreSQL 15, t holding a row: pg_temp is searched first, so the
    // ALTERs, the index and the DROP are on the temporary t, which is new
    // and empty; after the DROP, t is the permanent table again and the
    // last ALTER fails (`column "c" of relation "t" contains null values`).
    let table = (
        "1_a.up.sql",
        "CREATE TABLE t (id bigint PRIMARY KEY, a int);\nCREATE INDEX t_a ON t (a);",
    );
    let up = "CREATE TEMP TABLE t (id int);\n\
              ALTER TABLE t ADD COLUMN b int NOT NULL;\n\
              CREATE INDEX t_b ON t (b);\n\
              ALTER TABLE t ADD COLUMN e int NOT NULL DEFAULT random()::int;\n\
              DROP TABLE t;\n\
              ALTER TABLE t ADD COLUMN c int NOT NULL;";
    let files = [
        table,
        ("2_b.up.sql", up),
        ("2_b.down.sql", "ALTER TABLE t DROP COLUMN c;"),
    ];
    let required = only(
        "adding-required-field",
        lint_files("adding-required-field", &files),
    );
    assert_eq!(
        required.iter().map(|d| d.line).collect::<Vec<_>>(),
        [6],
        "{required:?}"
    );
    for rule in [
        "require-concurrent-index-creation",
        "adding-field-with-volatile-default",
        "ban-drop-table",
        // The DROP TABLE took the temporary t: the permanent one keeps c.
        "down-object-already-gone",
    ] {
        assert_ok_files(rule, &files);
    }
    // `public.t` is the permanent table, shadowed or not.
    let public = [
        table,
        (
            "2_b.up.sql",
            "CREATE TEMP TABLE t (id int);\nALTER TABLE public.t ADD COLUMN c int NOT NULL;",
        ),
    ];
    assert_err_files("adding-required-field", &public);
    assert_err_files("require-lock-timeout", &public);
    // The session's end takes the temporary t, even renamed; the permanent
    // t and its index stay for the files after.
    let later = [
        table,
        (
            "2_b.up.sql",
            "CREATE TEMP TABLE t (id int);\nALTER TABLE t RENAME TO u;",
        ),
        ("2_b.down.sql", "SELECT 1;"),
        ("3_c.up.sql", "CREATE INDEX IF NOT EXISTS t_a ON t (a);"),
    ];
    assert_ok_files("down-not-reversing-up", &later);
    assert_ok_files("require-concurrent-index-creation", &later);
}
