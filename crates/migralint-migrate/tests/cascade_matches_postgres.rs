//! `cascade-drops-dependents` checked against a real server: each case
//! runs a history, then a migration with a `DROP ... CASCADE`; what
//! migralint says the CASCADE also drops must be exactly what PostgreSQL
//! removed beyond the dropped object (foreign keys, views, triggers,
//! columns, defaults), and what it keeps quiet about must still be there.
//! Skips (prints SKIPPED) without PostgreSQL binaries, outside CI.

mod common;

use std::collections::BTreeSet;

use migralint_core::{lint, LintOptions, SourceFile};

const RULE: &str = "cascade-drops-dependents";

struct Case {
    name: &'static str,
    history: &'static str,
    change: &'static str,
    /// What the CASCADE takes beyond the dropped object, as `objects`
    /// names it; migralint must name each (and report only then).
    gone: &'static [&'static str],
    /// Dependents that must survive, and that migralint must not name.
    kept: &'static [&'static str],
}

const SHOP: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);\n\
     CREATE TABLE orders (id bigint, user_id bigint REFERENCES users);\n\
     CREATE TABLE invites (email text REFERENCES users (email));\n\
     CREATE VIEW active_users AS SELECT id, email FROM users;\n\
     CREATE VIEW recent AS SELECT id FROM active_users;";
const CODE: &str = "CREATE TYPE mood AS ENUM ('ok');\nCREATE SEQUENCE ticket_seq;\n\
     CREATE FUNCTION new_code() RETURNS text LANGUAGE sql AS 'SELECT 1::text';\n\
     CREATE TABLE tickets (id int DEFAULT nextval('ticket_seq'), code text DEFAULT new_code(), m mood);\n\
     CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
     CREATE TRIGGER tickets_touch BEFORE UPDATE ON tickets FOR EACH ROW EXECUTE FUNCTION touch();";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "table",
            history: SHOP,
            change: "DROP TABLE users CASCADE;",
            gone: &[
                "orders_user_id_fkey",
                "invites_email_fkey",
                "active_users",
                "recent",
            ],
            kept: &[],
        },
        Case {
            name: "primary_key",
            history: SHOP,
            change: "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;",
            gone: &["orders_user_id_fkey"],
            kept: &["invites_email_fkey", "active_users"],
        },
        Case {
            name: "unique_key",
            history: SHOP,
            change: "ALTER TABLE users DROP CONSTRAINT users_email_key CASCADE;",
            gone: &["invites_email_fkey"],
            kept: &["orders_user_id_fkey"],
        },
        Case {
            name: "column",
            history: SHOP,
            change: "ALTER TABLE users DROP COLUMN email CASCADE;",
            gone: &["invites_email_fkey", "active_users", "recent"],
            kept: &["orders_user_id_fkey"],
        },
        Case {
            name: "view",
            history: SHOP,
            change: "DROP VIEW active_users CASCADE;",
            gone: &["recent"],
            kept: &[],
        },
        Case {
            name: "type",
            history: CODE,
            change: "DROP TYPE mood CASCADE;",
            gone: &["tickets.m"],
            kept: &["tickets.code"],
        },
        Case {
            name: "sequence",
            history: CODE,
            change: "DROP SEQUENCE ticket_seq CASCADE;",
            gone: &["default tickets.id"],
            kept: &["tickets.id", "default tickets.code"],
        },
        Case {
            name: "function_default",
            history: CODE,
            change: "DROP FUNCTION new_code() CASCADE;",
            gone: &["default tickets.code"],
            kept: &["tickets.code", "tickets_touch"],
        },
        Case {
            name: "trigger_function",
            history: CODE,
            change: "DROP FUNCTION touch() CASCADE;",
            gone: &["tickets_touch"],
            kept: &[],
        },
        Case {
            name: "dropped_anyway",
            history: SHOP,
            change: "DROP VIEW recent;\nDROP VIEW active_users;\nDROP TABLE users CASCADE;\n\
                     DROP TABLE orders;\nDROP TABLE invites;",
            gone: &[],
            kept: &[],
        },
        Case {
            name: "key_rebuilt_with_its_foreign_key",
            history: SHOP,
            change: "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;\n\
                     ALTER TABLE users ADD PRIMARY KEY (id);\n\
                     ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;",
            gone: &[],
            kept: &["orders_user_id_fkey", "invites_email_fkey"],
        },
    ]
}

/// The names of what the database holds: constraints, relations,
/// triggers, columns (`table.column`) and defaults (`default table.column`).
fn objects(client: &mut postgres::Client) -> BTreeSet<String> {
    let sql = "SELECT conname::text FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
        UNION ALL SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal
        UNION ALL SELECT c.relname || '.' || a.attname FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL SELECT 'default ' || c.relname || '.' || a.attname FROM pg_attrdef d
            JOIN pg_class c ON c.oid = d.adrelid
            JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum";
    client
        .query(sql, &[])
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

/// How a finding names an object of `objects`.
fn named(message: &str, object: &str) -> bool {
    match object.strip_prefix("default ") {
        Some(column) => message.contains(&format!("default of column {column}")),
        None if object.contains('.') => message
            .replace(&format!("default of column {object}"), "")
            .contains(&format!("column {object}")),
        None => {
            message.contains(&format!(" {object} ")) || message.contains(&format!(" {object}:"))
        }
    }
}

#[test]
fn cascade_drops_what_postgres_drops() {
    let Some(server) = common::server() else {
        println!("SKIPPED: no PostgreSQL binaries");
        return;
    };
    let mut wrong: Vec<String> = Vec::new();
    for c in cases() {
        let files = [
            SourceFile::new("000001_history.up.sql", c.history),
            SourceFile::new("000002_change.up.sql", c.change),
        ];
        let report = lint(&files, &LintOptions::default());
        let messages: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == RULE)
            .map(|d| d.message.as_str())
            .collect();
        let all = messages.join("\n");
        if messages.is_empty() != c.gone.is_empty() {
            wrong.push(format!("{}: migralint reported {messages:?}", c.name));
        }
        for g in c.gone.iter().filter(|g| !named(&all, g)) {
            wrong.push(format!("{}: migralint does not name {g}: {all}", c.name));
        }
        for k in c.kept.iter().filter(|k| named(&all, k)) {
            wrong.push(format!(
                "{}: migralint names {k}, which stays: {all}",
                c.name
            ));
        }
        let db = server.fresh_db(c.name);
        let mut client = server.client(&db);
        client
            .batch_execute(c.history)
            .unwrap_or_else(|e| panic!("{}: the history fails: {e}", c.name));
        let before = objects(&mut client);
        // golang-migrate sends a file as one query: one implicit transaction.
        client
            .batch_execute(c.change)
            .unwrap_or_else(|e| panic!("{}: the change fails: {e}", c.name));
        let after = objects(&mut client);
        for g in c.gone {
            if !before.contains(*g) || after.contains(*g) {
                wrong.push(format!(
                    "{}: on PostgreSQL {g} is not dropped by the change",
                    c.name
                ));
            }
        }
        for k in c.kept {
            if !after.contains(*k) {
                wrong.push(format!("{}: on PostgreSQL {k} does not stay", c.name));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
