use crate::engine::context::{DownCx, Findings};
use crate::engine::rule::edit_distance;
use crate::model::effects::Effect;
use crate::model::history::History;
use crate::model::objects::name_key;
use crate::model::{Kind, Obj};
use crate::rules::Check;

declare_rule!(
    "down-drops-unknown-object",
    Pairing,
    Warning,
    "A down migration that drops a table, index, column or type that no migration up to its version created, a constraint that is an index, or an overloaded function without its arguments",
    Check::Down(check)
);

fn check(cx: &DownCx, out: &mut Findings) {
    let down = &cx.down;
    let up = cx.up.as_ref().map(|(up, _)| up);
    let history = cx.history;
    // What this down itself creates or renames before a drop: a
    // copy of the history, made only for the downs that do.
    let mut own: Option<History> = None;
    // The functions this down dropped so far (their other overloads stay):
    // kept aside, so that a down dropping functions copies no history.
    let mut dropped_functions: Vec<&Obj> = Vec::new();
    for (stmt, facts) in down.file.statements.iter().zip(&cx.facts.stmts) {
        for e in &facts.effects {
            // A column renamed back that no migration made (a typo):
            // PostgreSQL refuses the rename whatever IF EXISTS says of the
            // table.
            if let Effect::Rename { from, .. } = e {
                let h = own.as_ref().unwrap_or(history);
                if from.kind == Kind::Column && !is_known(h, from) {
                    let help = match closest(h, from) {
                        Some(m) => format!("did you mean {}?", m.describe()),
                        None => "check the name: rename the column by the name it has after this \
                                 migration's up"
                            .to_string(),
                    };
                    out.report(
                        stmt.span,
                        format!(
                            "this down renames {}, which neither its up nor any earlier migration creates: rolling \
                             back fails with `column \"{}\" does not exist`",
                            from.describe(),
                            from.name.name
                        ),
                    )
                    .help(help);
                }
                continue;
            }
            let Effect::Drop { obj, if_exists, .. } = e else {
                continue;
            };
            let h = own.as_ref().unwrap_or(history);
            if let Some((index, _)) = h.existing.index_not_constraint(obj) {
                let table = index
                    .table
                    .as_ref()
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                let name = &obj.name.name;
                let fails = if *if_exists {
                    "with IF EXISTS it does nothing, and the rollback leaves the index in place"
                        .to_string()
                } else {
                    format!(
                        "rolling back fails with `constraint \"{name}\" of relation \"{}\" does not exist`",
                        index.table.as_ref().map_or("", |t| t.name.as_str())
                    )
                };
                out.report(
                    stmt.span,
                    format!(
                        "this down drops constraint {name} of {table}, but {name} is an index (built by CREATE \
                         INDEX), not a constraint: {fails}"
                    ),
                )
                .help(format!("drop the index: `DROP INDEX {}`", index.name));
                continue;
            }
            // `DROP FUNCTION f` while several functions are named f.
            if obj.kind == Kind::Function && obj.args.is_none() {
                let overloads: Vec<_> = h
                    .existing
                    .overloads(&obj.name)
                    .into_iter()
                    .filter(|(o, _)| !dropped_functions.iter().any(|d| d.same_key(o)))
                    .collect();
                if overloads.len() > 1 {
                    let signatures: Vec<String> =
                        overloads.iter().map(|(o, _)| o.signature()).collect();
                    out.report(
                        stmt.span,
                        format!(
                            "this down drops function {} without its arguments, but {} functions have that name \
                             ({}): rolling back fails with `function name \"{}\" is not unique`, IF EXISTS or not",
                            obj.name,
                            overloads.len(),
                            signatures.join(", "),
                            obj.name.name
                        ),
                    )
                    .help(format!(
                        "name the one to drop with its argument types: `DROP FUNCTION {};`",
                        signatures.join(", ")
                    ));
                    continue;
                }
            }
            if is_known(h, obj) {
                continue;
            }
            // A misspelt name: the object it means, if one is close.
            let meant = closest(h, obj);
            // `IF EXISTS` of a misspelt index or column whose table this
            // down drops too: what it meant goes with the table.
            if *if_exists
                && meant.as_ref().is_some_and(|m| {
                    m.table.as_ref().is_some_and(|t| {
                        cx.facts
                            .stmts
                            .iter()
                            .flat_map(|f| f.effects.iter())
                            .any(|e| {
                                matches!(e, Effect::Drop { obj: d, .. }
                                if d.kind == Kind::Table && d.name.key() == t.key())
                            })
                    })
                })
            {
                continue;
            }
            let upto = up.map_or_else(
                || format!("up to version {}", down.name.version),
                |u| format!("up to `{}`", u.file_name()),
            );
            let message = if *if_exists {
                format!(
                    "this down drops {}, which never existed in the migration history ({upto}): the IF \
                     EXISTS hides a mistake? (a typo, or an object of another migration)",
                    obj.describe()
                )
            } else {
                format!(
                    "this down drops {}, which neither its up nor any earlier migration creates: rolling \
                     back fails with `{} does not exist` (a typo, or an object of another migration?)",
                    obj.describe(),
                    what_postgres_says(obj)
                )
            };
            let help = match &meant {
                Some(m) => format!(
                    "did you mean {}? Drop what this migration's up file creates",
                    m.describe()
                ),
                None => "drop what this migration's up file creates; if the object is created outside the \
                         migrations, ignore this finding with `-- migralint-ignore down-drops-unknown-object`"
                    .to_string(),
            };
            out.report(stmt.span, message).help(help);
        }
        for e in &facts.effects {
            match e {
                Effect::Drop { obj, .. } if obj.kind == Kind::Function => {
                    dropped_functions.push(obj)
                }
                _ => {}
            }
            if own.is_some() || !matches!(e, Effect::Drop { .. }) {
                own.get_or_insert_with(|| history.clone()).apply_effect(e);
            }
        }
    }
}

/// Could the object exist when this down runs, as far as the history can
/// tell? Unsure means yes: only objects that appear nowhere are unknown.
fn is_known(h: &History, obj: &Obj) -> bool {
    let key = obj.key();
    match obj.kind {
        Kind::Table => {
            h.ever.contains(&key)
                || [Kind::View, Kind::MatView]
                    .iter()
                    .any(|k| h.ever.contains(&Obj::new(*k, obj.name.clone()).key()))
                || h.named_tables
                    .contains(&name_key(obj.name.schema.as_deref(), &obj.name.name))
        }
        Kind::Index => {
            let name = &obj.name.name;
            h.ever.contains(&key)
                || h.index_like_names.contains(name)
                || h.opaque_names.contains(name)
                // Names Postgres generates: `users_pkey`, `users_email_key`,
                // `users_email_idx`, numbered past a name taken (`users_email_idx1`).
                || (["_pkey", "_key", "_idx", "_excl"]
                    .iter()
                    .any(|s| name.trim_end_matches(|c: char| c.is_ascii_digit()).ends_with(s))
                    // A table name, then `_`: any prefix up to an underscore.
                    && name
                        .match_indices('_')
                        .any(|(at, _)| h.named_bare_tables.contains(&name[..at])))
        }
        Kind::Column => {
            let Some(table) = &obj.table else { return true };
            let table_created = h.ever.contains(&Obj::new(Kind::Table, table.clone()).key());
            // A table from outside the migrations, or one whose columns
            // are not all listed: its columns are unknown, not missing.
            !table_created
                || h.open_tables.contains(&table.key())
                || h.ever.contains(&key)
                || h.opaque_names.contains(&table.name)
        }
        Kind::Type | Kind::Domain => {
            h.ever.contains(&key)
                || h.named_types
                    .contains(&name_key(obj.name.schema.as_deref(), &obj.name.name))
                || h.named_types.contains(&name_key(None, &obj.name.name))
                || h.ever
                    .contains(&Obj::new(Kind::Table, obj.name.clone()).key())
        }
        // Other kinds: too often created outside the migrations to tell.
        _ => true,
    }
}

/// The existing object of the same kind (an index also as a constraint;
/// a column of the same table) whose name is closest to `obj`'s, if it is
/// close enough to be what a misspelt name meant.
fn closest(h: &History, obj: &Obj) -> Option<Obj> {
    let name = &obj.name.name;
    let same_kind = |o: &Obj| match obj.kind {
        Kind::Index | Kind::Constraint => matches!(o.kind, Kind::Index | Kind::Constraint),
        Kind::Column => {
            o.kind == Kind::Column
                && o.table.as_ref().map(|t| t.key()) == obj.table.as_ref().map(|t| t.key())
        }
        k => o.kind == k,
    };
    h.existing
        .iter()
        .map(|(o, _)| o)
        .filter(|o| same_kind(o) && o.name.name != *name)
        .map(|o| (edit_distance(name, &o.name.name), o))
        .filter(|(d, _)| *d <= name.chars().count() / 4)
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o.clone())
}

fn what_postgres_says(obj: &Obj) -> String {
    match (&obj.table, obj.kind) {
        (Some(t), Kind::Column) => {
            format!("column \"{}\" of relation \"{}\"", obj.name.name, t.name)
        }
        _ => format!("{} \"{}\"", obj.kind.label(), obj.name.name),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-drops-unknown-object";

    #[test]
    fn unknown_objects_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("db/000001_init.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);"),
                ("db/000001_init.down.sql", "DROP TABLE users;"),
                ("db/000002_add_name.up.sql", "ALTER TABLE users ADD COLUMN name text;"),
                (
                    "db/000002_add_name.down.sql",
                    "ALTER TABLE users DROP COLUMN nmae;\nDROP INDEX IF EXISTS users_name_index_typo;\nDROP TABLE IF EXISTS user_names;"
                ),
            ]
        ));
    }

    #[test]
    fn an_index_dropped_as_a_constraint_err() {
        // pkgsite 000055: the up builds a unique index, the down drops a
        // constraint of its name, which never exists.
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE units (path_id int, module_id int);"),
                (
                    "2_b.up.sql",
                    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS units_key ON units (path_id, module_id);",
                ),
                ("2_b.down.sql", "ALTER TABLE units DROP CONSTRAINT units_key;"),
            ],
        );
        assert!(out.contains("is an index"), "{out}");
        // ... and the index stays: the down does not undo its up.
        assert_err_files(
            "down-not-reversing-up",
            &[
                ("1_a.up.sql", "CREATE TABLE units (path_id int, module_id int);"),
                (
                    "2_b.up.sql",
                    "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS units_key ON units (path_id, module_id);",
                ),
                ("2_b.down.sql", "ALTER TABLE units DROP CONSTRAINT units_key;"),
            ],
        );
        // A key added on the index takes its name (or renames it).
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE u (id int NOT NULL, a int);\nCREATE UNIQUE INDEX u_id_idx ON u (id);\nCREATE UNIQUE INDEX u_a_idx ON u (a);"),
                ("2_b.up.sql", "ALTER TABLE u ADD PRIMARY KEY USING INDEX u_id_idx;\nALTER TABLE u ADD CONSTRAINT u_a_uq UNIQUE USING INDEX u_a_idx;"),
                ("2_b.down.sql", "ALTER TABLE u DROP CONSTRAINT u_id_idx;\nALTER TABLE u DROP CONSTRAINT u_a_uq;"),
            ],
        );
    }

    #[test]
    fn later_migrations_objects_err() {
        // Version 2's down drops what version 3 creates: the wrong down file.
        assert_err_files(
            RULE,
            &[
                ("2_a.up.sql", "CREATE TABLE a (id int);"),
                ("2_a.down.sql", "DROP TABLE b;"),
                ("3_b.up.sql", "CREATE TABLE b (id int);"),
                ("3_b.down.sql", "DROP TABLE b;"),
            ],
        );
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TYPE mood AS ENUM ('x');"),
                ("1_a.down.sql", "DROP TYPE moood;"),
            ],
        );
    }

    #[test]
    fn normal_downs_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_init_extensions.up.sql", "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";"),
                ("000001_init_extensions.down.sql", "DROP EXTENSION IF EXISTS \"uuid-ossp\";"),
                (
                    "000002_create_user_table.up.sql",
                    "CREATE TABLE users (id UUID PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE);\nCREATE INDEX idx_users_email ON users(email);",
                ),
                (
                    "000002_create_user_table.down.sql",
                    "DROP INDEX IF EXISTS idx_users_email;\nDROP TABLE IF EXISTS users;",
                ),
                (
                    "000003_more.up.sql",
                    "ALTER TABLE users ADD COLUMN status text;\nALTER TABLE Public.Users RENAME COLUMN email TO mail;",
                ),
                (
                    "000003_more.down.sql",
                    "ALTER TABLE users RENAME COLUMN mail TO email;\nALTER TABLE users DROP COLUMN email;\n\
                     ALTER TABLE users DROP COLUMN status;\nDROP INDEX users_email_key;\nDROP INDEX IF EXISTS users_pkey;",
                ),
            ],
        );
    }

    #[test]
    fn objects_from_outside_the_migrations_ok() {
        // A table no migration creates, but one alters: it exists.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "ALTER TABLE legacy ADD COLUMN x int;"),
                (
                    "1_a.down.sql",
                    "ALTER TABLE legacy DROP COLUMN x; ALTER TABLE legacy DROP COLUMN y;",
                ),
            ],
        );
        // A type used by a column: it exists.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (m mood);"),
                ("1_a.down.sql", "DROP TABLE t; DROP TYPE mood;"),
            ],
        );
        // Columns of a table made with AS SELECT or LIKE are not all known.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t AS SELECT * FROM s;"),
                ("1_a.down.sql", "ALTER TABLE t DROP COLUMN anything;"),
            ],
        );
        // The down renames a table, then drops one of its columns.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE a (id int, c int);"),
                (
                    "1_a.down.sql",
                    "ALTER TABLE a RENAME TO b; ALTER TABLE b DROP COLUMN c;",
                ),
            ],
        );
        // The down recreates, then drops.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "SELECT 1;"),
                (
                    "1_a.down.sql",
                    "CREATE TABLE scratch (id int); DROP TABLE scratch;",
                ),
            ],
        );
    }

    /// A `DO` block runs code the replay does not follow (mattermost adds
    /// columns that way, inside an IF on information_schema): what it may
    /// have made is not "never existed". A DO block naming other tables
    /// leaves the finding alone.
    #[test]
    fn what_a_do_block_may_have_made_ok() {
        fn as_refs(v: &[(String, String)]) -> Vec<(&str, &str)> {
            v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
        }
        let files = |body: &str| {
            vec![
                ("db/000001_init.up.sql".to_string(), "CREATE TABLE channels (id text);\nCREATE TABLE posts (id text);".to_string()),
                ("db/000001_init.down.sql".to_string(), "DROP TABLE posts;\nDROP TABLE channels;".to_string()),
                ("db/000002_roots.up.sql".to_string(), body.to_string()),
                (
                    "db/000002_roots.down.sql".to_string(),
                    "ALTER TABLE channels DROP COLUMN IF EXISTS lastrootpostat;\nDROP INDEX IF EXISTS idx_channels_lastroot;".to_string(),
                ),
            ]
        };
        for body in [
            "DO $$ BEGIN\n  IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'channels' AND column_name = 'lastrootpostat') THEN\n    ALTER TABLE channels ADD COLUMN lastrootpostat bigint DEFAULT 0;\n    CREATE INDEX idx_channels_lastroot ON channels (lastrootpostat);\n  END IF;\nEND $$;",
            "DO LANGUAGE plpgsql $body$ BEGIN EXECUTE 'ALTER TABLE channels ADD COLUMN lastrootpostat bigint'; EXECUTE 'CREATE INDEX idx_channels_lastroot ON channels (lastrootpostat)'; END $body$;",
            "DO 'BEGIN ALTER TABLE \"channels\" ADD COLUMN lastrootpostat bigint; CREATE INDEX idx_channels_lastroot ON channels (lastrootpostat); END';",
        ] {
            assert_ok_files(RULE, &as_refs(&files(body)));
        }
        let other =
            files("DO $$ BEGIN ALTER TABLE posts ADD COLUMN lastrootpostat bigint; END $$;");
        let out = assert_err_files(RULE, &as_refs(&other));
        assert!(out.contains("channels.lastrootpostat"), "{out}");
    }

    /// mattermost 000012: the down drops `idx_commands_*` IF EXISTS, the up
    /// built `idx_command_*`, and the down then drops the table, which takes
    /// the real indexes: the typo changes nothing. Without the table drop
    /// it leaves the index behind, and the finding names what it meant.
    #[test]
    fn a_misspelt_index_of_a_table_the_down_drops_ok() {
        let up = "CREATE TABLE commands (id text, teamid text);\n\
                  CREATE INDEX IF NOT EXISTS idx_command_team_id ON commands (teamid);";
        assert_ok_files(
            RULE,
            &[
                ("db/000012_create_commands.up.sql", up),
                (
                    "db/000012_create_commands.down.sql",
                    "DROP INDEX IF EXISTS idx_commands_team_id;\nDROP TABLE IF EXISTS commands;",
                ),
            ],
        );
        let out = assert_err_files(
            RULE,
            &[
                (
                    "db/000011_create_commands.up.sql",
                    "CREATE TABLE commands (id text, teamid text);",
                ),
                (
                    "db/000012_commands_team.up.sql",
                    "CREATE INDEX idx_command_team_id ON commands (teamid);",
                ),
                (
                    "db/000012_commands_team.down.sql",
                    "DROP INDEX IF EXISTS idx_commands_team_id;",
                ),
            ],
        );
        assert!(
            out.contains("did you mean index idx_command_team_id"),
            "{out}"
        );
    }

    /// A down renaming back a column under a name no migration gave it
    /// (PostgreSQL 15: `column "c" does not exist`); the right rename, and
    /// renames of what the down itself added, are fine.
    #[test]
    fn renaming_a_column_that_never_existed_err() {
        let files = |down| {
            [
                (
                    "db/000001_t.up.sql",
                    "CREATE TABLE t (id int, a int, amount int);",
                ),
                ("db/000001_t.down.sql", "DROP TABLE t;"),
                (
                    "db/000002_rename.up.sql",
                    "ALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t RENAME COLUMN amount TO total;",
                ),
                ("db/000002_rename.down.sql", down),
            ]
        };
        let out = assert_err_files(RULE, &files("ALTER TABLE t RENAME COLUMN c TO a;"));
        assert!(out.contains("column t.c"), "{out}");
        let out = assert_err_files(
            RULE,
            &files("ALTER TABLE IF EXISTS t RENAME COLUMN totl TO amount;"),
        );
        assert!(out.contains("did you mean column t.total"), "{out}");
        for down in [
            "ALTER TABLE t RENAME COLUMN b TO a;",
            "ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t RENAME COLUMN c TO z;",
        ] {
            assert_ok_files(RULE, &files(down));
        }
    }

    #[test]
    fn directories_do_not_mix() {
        assert_err_files(
            RULE,
            &[
                ("a/1_x.up.sql", "CREATE TABLE only_in_a (id int);"),
                ("b/1_x.up.sql", "SELECT 1;"),
                ("b/1_x.down.sql", "DROP TABLE only_in_a;"),
            ],
        );
    }

    /// `DROP FUNCTION f` names no single function when f is overloaded.
    #[test]
    fn an_overloaded_function_without_arguments_err() {
        let up = "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';\n\
                  CREATE FUNCTION f(x text, y int[]) RETURNS int LANGUAGE sql AS 'SELECT 1';";
        for down in ["DROP FUNCTION f;", "DROP FUNCTION IF EXISTS f;"] {
            let out = assert_err_files(RULE, &[("1_a.up.sql", up), ("1_a.down.sql", down)]);
            assert!(
                out.contains("2 functions have that name (f(integer), f(text, integer[]))"),
                "{out}"
            );
        }
        for down in [
            "DROP FUNCTION f(int), f(text, int[]);",
            "DROP FUNCTION f(integer);\nDROP FUNCTION f;",
        ] {
            assert_ok_files(RULE, &[("1_a.up.sql", up), ("1_a.down.sql", down)]);
        }
        // One function of that name: no arguments needed.
        assert_ok_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';",
                ),
                ("1_a.down.sql", "DROP FUNCTION f;"),
            ],
        );
    }
}
