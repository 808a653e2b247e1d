//! `down-adds-constraint` checked against a real server: each case runs a
//! history and an up, then the writes an application may attempt under the
//! schema after the up (each on its own; the schema refuses some), then the
//! down as golang-migrate sends it (one query). PostgreSQL must refuse the
//! down exactly where migralint reports it. Skips (prints SKIPPED) without
//! PostgreSQL binaries, outside CI.

mod common;

use migralint_core::{lint, LintOptions, SourceFile};

/// The rules that report a down PostgreSQL refuses for the rows the
/// application wrote: a constraint put back, and (a primary key put back
/// through an index) a NOT NULL put back.
const RULES: [&str; 2] = ["down-adds-constraint", "down-sets-not-null"];

const HISTORY: &str = "CREATE TABLE dest (id bigint PRIMARY KEY);\n\
    INSERT INTO dest VALUES (1);\n\
    CREATE TABLE attempt (id bigint PRIMARY KEY, dest_id bigint NOT NULL REFERENCES dest (id), \
    bucket text NOT NULL, name text NOT NULL, section text, synopsis text, deleted_at timestamptz, \
    n int CONSTRAINT n_positive CHECK (n > 0), CONSTRAINT name_unique UNIQUE (name));\n\
    INSERT INTO attempt VALUES (1, 1, 'b', 'a', 's', 'syn', NULL, 1);";

#[derive(Default)]
struct Case {
    name: &'static str,
    /// Run after the history (part of its up file).
    setup: &'static str,
    up: &'static str,
    /// What the application may try to write after the up.
    writes: &'static [&'static str],
    down: &'static str,
    /// PostgreSQL refuses the down (and migralint reports it).
    refused: bool,
}

fn cases() -> Vec<Case> {
    vec![
        // The up keeps n_positive (n > 0): the same test written the other
        // way round holds for every row.
        Case {
            name: "check_turned_round",
            up: "SELECT 1;",
            writes: &["INSERT INTO attempt VALUES (3, 1, 'b', 'm', 's', 'syn', NULL, 0)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT n_positive2 CHECK (0 < n);",
            refused: false,
            ..Case::default()
        },
        // The primary key comes back through the unique index the up left:
        // PostgreSQL sets the index's columns NOT NULL (down-sets-not-null).
        Case {
            name: "primary_key_back_using_index",
            up: "ALTER TABLE attempt DROP CONSTRAINT attempt_pkey, ALTER COLUMN id DROP NOT NULL;\n\
                 CREATE UNIQUE INDEX attempt_id ON attempt (id);",
            writes: &["INSERT INTO attempt VALUES (NULL, 1, 'b', 'n', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT attempt_pkey PRIMARY KEY USING INDEX attempt_id;",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "unique_narrowed_back",
            up: "CREATE UNIQUE INDEX attempt_bucket_name ON attempt (bucket, name);\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'c', 'a', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT name_unique UNIQUE (name);\n\
                   DROP INDEX attempt_bucket_name;",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "foreign_key_back",
            up: "ALTER TABLE attempt DROP CONSTRAINT attempt_dest_id_fkey;",
            writes: &["INSERT INTO attempt VALUES (2, 99, 'b', 'x', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT attempt_dest_id_fkey FOREIGN KEY (dest_id) REFERENCES dest (id);",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "check_back",
            up: "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'x', 's', 'syn', NULL, -1)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0);",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "expression_key_narrowed_back",
            up: "CREATE UNIQUE INDEX u ON attempt (section, name, md5(synopsis));\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'a', 't', 'syn', NULL, 1)"],
            down: "DROP INDEX u;\nCREATE UNIQUE INDEX u ON attempt (name, md5(synopsis));",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "primary_key_moved_back",
            up: "ALTER TABLE attempt DROP CONSTRAINT attempt_pkey, ADD PRIMARY KEY (name);",
            writes: &["INSERT INTO attempt VALUES (1, 1, 'b', 'x', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt DROP CONSTRAINT attempt_pkey, ADD PRIMARY KEY (id);",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "partial_key_widened_back",
            up: "CREATE UNIQUE INDEX live_name ON attempt (name) WHERE deleted_at IS NULL;\n\
                 ALTER TABLE attempt DROP CONSTRAINT name_unique;",
            writes: &[
                "UPDATE attempt SET deleted_at = now() WHERE id = 1",
                "INSERT INTO attempt VALUES (2, 1, 'b', 'a', 's', 'syn', NULL, 1)",
            ],
            down: "DROP INDEX live_name;\nALTER TABLE attempt ADD CONSTRAINT name_unique UNIQUE (name);",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "case_insensitive_key_back_to_plain",
            up: "ALTER TABLE attempt DROP CONSTRAINT name_unique;\n\
                 CREATE UNIQUE INDEX name_ci ON attempt (lower(name)) WHERE deleted_at IS NULL;",
            writes: &[
                "INSERT INTO attempt VALUES (2, 1, 'b', 'A', 's', 'syn', NULL, 1)",
                "INSERT INTO attempt VALUES (3, 1, 'b', 'a', 's', 'syn', NULL, 1)",
            ],
            down: "DROP INDEX name_ci;\nCREATE UNIQUE INDEX name_cs ON attempt (name) WHERE deleted_at IS NULL;",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "expression_of_the_key_columns",
            up: "CREATE UNIQUE INDEX u ON attempt (section, md5(synopsis));",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'x', 's', 'syn', NULL, 1)"],
            down: "DROP INDEX u;\nCREATE UNIQUE INDEX u2 ON attempt (section, synopsis);",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "wider_key",
            up: "SELECT 1;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'a', 's', 'syn', NULL, 1)"],
            down: "CREATE UNIQUE INDEX name_bucket ON attempt (name, bucket);",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "foreign_key_not_valid",
            up: "ALTER TABLE attempt DROP CONSTRAINT attempt_dest_id_fkey;",
            writes: &["INSERT INTO attempt VALUES (2, 99, 'b', 'x', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT attempt_dest_id_fkey FOREIGN KEY (dest_id) REFERENCES dest (id) NOT VALID;",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "rows_dealt_with_first",
            up: "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'x', 's', 'syn', NULL, -1)"],
            down: "DELETE FROM attempt WHERE n <= 0;\nALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0);",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "varchar_key_and_check_in_pg_dump_form",
            setup: "ALTER TABLE attempt ADD COLUMN email varchar(100) CONSTRAINT email_set CHECK (email <> '');\n\
                    CREATE UNIQUE INDEX email_ci ON attempt (lower(email));",
            up: "SELECT 1;",
            writes: &["INSERT INTO attempt (id, dest_id, bucket, name, email) VALUES (2, 1, 'b', 'x', 'X@z')"],
            down: "DROP INDEX email_ci;\nCREATE UNIQUE INDEX email_ci ON attempt (lower((email)::text));\n\
                   ALTER TABLE attempt ADD CONSTRAINT email_set2 CHECK ((email)::text <> ''::text);",
            refused: false,
        },
        Case {
            name: "bare_column_expression_key",
            up: "SELECT 1;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'x', 's', 'syn', NULL, 1)"],
            down: "CREATE UNIQUE INDEX n ON attempt ((name));",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "nulls_not_distinct_back",
            up: "CREATE UNIQUE INDEX s ON attempt (section);",
            writes: &[
                "INSERT INTO attempt VALUES (2, 1, 'b', 'x', NULL, 'syn', NULL, 1)",
                "INSERT INTO attempt VALUES (3, 1, 'b', 'y', NULL, 'syn', NULL, 1)",
            ],
            down: "DROP INDEX s;\nALTER TABLE attempt ADD CONSTRAINT s UNIQUE NULLS NOT DISTINCT (section);",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "nulls_not_distinct_on_not_null_column",
            up: "SELECT 1;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'x', NULL, 'syn', NULL, 1)"],
            down: "CREATE UNIQUE INDEX n ON attempt (name) NULLS NOT DISTINCT;",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "foreign_key_validated",
            up: "ALTER TABLE attempt DROP CONSTRAINT attempt_dest_id_fkey;",
            writes: &["INSERT INTO attempt VALUES (2, 99, 'b', 'x', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT fk FOREIGN KEY (dest_id) REFERENCES dest (id) NOT VALID;\n\
                   ALTER TABLE attempt VALIDATE CONSTRAINT fk;",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "check_validated_in_its_statement",
            up: "ALTER TABLE attempt DROP CONSTRAINT n_positive;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'x', 's', 'syn', NULL, -1)"],
            down: "ALTER TABLE attempt ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID, VALIDATE CONSTRAINT n_positive;",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "exclusion_back",
            setup: "ALTER TABLE attempt ADD COLUMN period tstzrange, \
                    ADD CONSTRAINT no_overlap EXCLUDE USING gist (period WITH &&);",
            up: "ALTER TABLE attempt DROP CONSTRAINT no_overlap;",
            writes: &[
                "INSERT INTO attempt (id, dest_id, bucket, name, period) VALUES (2, 1, 'b', 'x', '[2024-01-01,2024-03-01)')",
                "INSERT INTO attempt (id, dest_id, bucket, name, period) VALUES (3, 1, 'b', 'y', '[2024-02-01,2024-04-01)')",
            ],
            down: "ALTER TABLE attempt ADD CONSTRAINT no_overlap EXCLUDE USING gist (period WITH &&);",
            refused: true,
        },
        Case {
            name: "exclusion_by_equality_is_a_unique_key",
            up: "ALTER TABLE attempt DROP CONSTRAINT name_unique, ADD CONSTRAINT name_ex EXCLUDE (name WITH =);",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'a', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt DROP CONSTRAINT name_ex, ADD CONSTRAINT name_unique UNIQUE (name);\n\
                   ALTER TABLE attempt ADD CONSTRAINT name_ex2 EXCLUDE USING btree (name WITH =);",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "tables_renamed_back",
            up: "ALTER TABLE attempt RENAME TO attempts;\nALTER TABLE dest RENAME TO dests;",
            writes: &["INSERT INTO attempts VALUES (2, 1, 'b', 'x', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempts RENAME TO attempt;\nALTER TABLE dests RENAME TO dest;\n\
                   ALTER TABLE attempt ADD CONSTRAINT name_unique2 UNIQUE (name), \
                   ADD CONSTRAINT fk2 FOREIGN KEY (dest_id) REFERENCES dest (id);",
            refused: false,
            ..Case::default()
        },
        Case {
            name: "table_renamed_back_key_loosened",
            up: "ALTER TABLE attempt RENAME TO attempts;\nALTER TABLE attempts DROP CONSTRAINT name_unique;",
            writes: &["INSERT INTO attempts VALUES (2, 1, 'b', 'a', 's', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempts RENAME TO attempt;\nALTER TABLE attempt ADD CONSTRAINT name_unique UNIQUE (name);",
            refused: true,
            ..Case::default()
        },
        Case {
            name: "column_added_back",
            up: "ALTER TABLE attempt DROP COLUMN section;",
            writes: &["INSERT INTO attempt VALUES (2, 1, 'b', 'x', 'syn', NULL, 1)"],
            down: "ALTER TABLE attempt ADD COLUMN section text;\nCREATE UNIQUE INDEX s ON attempt (section);",
            refused: false,
            ..Case::default()
        },
    ]
}

#[test]
fn downs_refused_where_migralint_says() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let mut wrong: Vec<String> = Vec::new();
    for c in cases() {
        let history = format!("{HISTORY}\n{}", c.setup);
        let files = [
            SourceFile::new("000001_history.up.sql", &history),
            SourceFile::new("000001_history.down.sql", "DROP TABLE attempt, dest;"),
            SourceFile::new("000002_change.up.sql", c.up),
            SourceFile::new("000002_change.down.sql", c.down),
        ];
        let report = lint(&files, &LintOptions::default());
        let reported = report.diagnostics.iter().any(|d| RULES.contains(&d.rule));
        if reported != c.refused {
            wrong.push(format!("{}: migralint reports: {reported}", c.name));
        }
        let db = server.fresh_db(c.name);
        let mut client = server.client(&db);
        client
            .batch_execute(&history)
            .unwrap_or_else(|e| panic!("{}: the history fails: {e}", c.name));
        client
            .batch_execute(c.up)
            .unwrap_or_else(|e| panic!("{}: the up fails: {e}", c.name));
        for w in c.writes {
            // The schema after the up may refuse a write: that is the point.
            let _ = client.batch_execute(w);
        }
        // golang-migrate sends a file as one query: one implicit transaction.
        let refused = client.batch_execute(c.down).is_err();
        if refused != c.refused {
            wrong.push(format!(
                "{}: PostgreSQL refuses the down: {refused}",
                c.name
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
