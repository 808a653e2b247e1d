use crate::engine::context::{Findings, StmtCx};
use crate::migration::{file_name, MigrationName};
use crate::model::effects::Effect;
use crate::model::objects::drop_covers;
use crate::model::schema::Origin;
use crate::model::{Kind, Obj};
use crate::rules::helpers::{describe_dependent, outside_dependents};
use crate::rules::Check;

declare_rule!(
    "cascade-drops-dependents",
    Compatibility,
    Warning,
    "DROP ... CASCADE that also drops what other tables still use (their foreign keys, views, triggers, columns of the dropped type, defaults), which the file neither names nor creates again",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let effects = &cx.facts().effects;
    // Most statements drop nothing with CASCADE: nothing to gather.
    if !effects
        .iter()
        .any(|e| matches!(e, Effect::Drop { cascade: true, .. }))
    {
        return;
    }
    let drops: Vec<&Obj> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Drop { obj, .. } => Some(obj),
            _ => None,
        })
        .collect();
    for e in effects {
        // A schema's content is `ban-drop-schema-cascade`'s.
        let Effect::Drop {
            obj: dropped,
            cascade: true,
            ..
        } = e
        else {
            continue;
        };
        if dropped.kind == Kind::Schema {
            continue;
        }
        // PostgreSQL cascades on: a view that goes takes what reads it.
        let objects = &cx.schema.objects;
        let mut found = outside_dependents(objects, dropped, &drops);
        let mut i = 0;
        while i < found.len() {
            let dep = found[i].0;
            if matches!(dep.kind, Kind::View | Kind::MatView) {
                for more in outside_dependents(objects, dep, &drops) {
                    if !found.iter().any(|(f, _, _)| f.same_key(more.0))
                        && !more.0.same_key(dropped)
                    {
                        found.push(more);
                    }
                }
            }
            i += 1;
        }
        let taken: Vec<String> = found
            .into_iter()
            .filter(|(dep, _, origin)| !own(cx, *origin) && !settled_by_file(cx, dep))
            .map(|(dep, via, origin)| {
                format!(
                    "{} (from {})",
                    describe_dependent(dep, &via),
                    cx.schema.describe_origin(origin)
                )
            })
            .collect();
        let Some(first) = taken.first() else {
            continue;
        };
        let (what, it) = match taken.len() {
            1 => (first.clone(), "it"),
            n => (
                format!("{} and {} more: {}", first, n - 1, taken[1..].join(", ")),
                "them",
            ),
        };
        out.report(
            cx.stmt.span,
            format!(
                "dropping {} with CASCADE also drops {what}: PostgreSQL does it with a NOTICE only, the migration does not \
                 name {it}, and nothing in this file creates {it} again",
                dropped.describe()
            ),
        )
        .help(
            "drop what depends on it explicitly first (the migration then says what it removes, and PostgreSQL \
             refuses if something was missed), or create it again after this statement; keep CASCADE out",
        );
    }
}

/// `origin` is in this file (nothing outside the file relied on it yet),
/// or, in a down, in an up of its version: its to undo, CASCADE or not.
fn own(cx: &StmtCx, origin: Origin) -> bool {
    let version = |name: &str| MigrationName::parse(file_name(name)).map(|n| n.version);
    origin.file == cx.file_index
        || (cx.file.is_down()
            && cx.file.name.map(|n| n.version)
                == cx.schema.file_name(origin.file).and_then(version))
}

/// The file itself deals with `dep`: a later statement drops it (it goes
/// anyway) or creates it again. (What the file made itself, nothing
/// outside it relied on yet: the caller leaves it out by its origin.)
fn settled_by_file(cx: &StmtCx, dep: &Obj) -> bool {
    // A foreign key is made again under any name (`ADD FOREIGN KEY` names
    // it by the columns of the table it is on, whatever the drop found).
    let target = |o: &Obj| {
        o.depends_on
            .iter()
            .find(|d| d.kind.is_relation())
            .map(Obj::key)
    };
    let same_reference = |o: &Obj| {
        dep.kind == Kind::Constraint
            && o.kind == Kind::Constraint
            && o.table.as_ref().map(|t| t.key()) == dep.table.as_ref().map(|t| t.key())
            && target(dep).is_some()
            && target(o) == target(dep)
    };
    cx.reoccupied_later(dep)
        || (cx.stmt_index + 1..cx.stmt_count()).any(|j| {
            cx.facts_of(j).effects.iter().any(|e| match e {
                Effect::Drop { obj, cascade, .. } => drop_covers(obj, *cascade, dep),
                Effect::Create { obj, .. } => same_reference(obj),
                _ => false,
            })
        })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "cascade-drops-dependents";

    const BASE: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE);\n\
                        CREATE TABLE orders (id bigint, user_id bigint REFERENCES users);\n\
                        CREATE VIEW active_users AS SELECT id, email FROM users;";

    #[test]
    fn table_cascade_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", BASE),
                ("2_b.up.sql", "DROP TABLE users CASCADE;"),
            ]
        ));
    }

    /// The primary key's CASCADE takes the foreign keys that use it, not
    /// those using another key of the table.
    #[test]
    fn key_cascade_takes_only_its_foreign_keys() {
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", BASE),
                (
                    "2_b.up.sql",
                    "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;\nALTER TABLE users ADD PRIMARY KEY (id, email);",
                ),
            ],
        );
        assert!(out.contains("orders_user_id_fkey"), "{out}");
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", BASE),
                (
                    "2_b.up.sql",
                    "ALTER TABLE users DROP CONSTRAINT users_email_key CASCADE;",
                ),
            ],
        );
    }

    #[test]
    fn type_cascade_drops_columns_err() {
        let out = assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE people (id int, m mood);",
                ),
                ("2_b.up.sql", "DROP TYPE mood CASCADE;"),
            ],
        );
        assert!(out.contains("column people.m"), "{out}");
    }

    #[test]
    fn function_cascade_drops_trigger_err() {
        let out = assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE t (id int);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
                     CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();",
                ),
                ("1_a.down.sql", "DROP FUNCTION touch() CASCADE;"),
                ("2_b.up.sql", "DROP FUNCTION touch() CASCADE;"),
            ],
        );
        assert!(out.contains("trigger t_touch"), "{out}");
    }

    /// What the file drops anyway, creates again, or created itself.
    #[test]
    fn settled_by_the_file_ok() {
        for up in [
            "DROP TABLE users CASCADE;\nDROP VIEW active_users;\nDROP TABLE orders;",
            "DROP VIEW active_users;\nALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nDROP TABLE users CASCADE;",
            "DROP TABLE users CASCADE;\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n\
             ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users;\n\
             CREATE VIEW active_users AS SELECT id, email FROM users;",
            "DROP VIEW active_users;\nALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;\n\
             ALTER TABLE users ADD PRIMARY KEY (id);\nALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users;",
        ] {
            assert_ok_files(RULE, &[("1_a.up.sql", BASE), ("2_b.up.sql", up)]);
        }
        assert_ok(RULE, "CREATE TABLE a (id int PRIMARY KEY);\nCREATE TABLE b (a_id int REFERENCES a);\nDROP TABLE a CASCADE;");
    }

    /// A down that drops its up's table, whose dependents came with it;
    /// one whose CASCADE takes a foreign key its up made (pkgsite 000084).
    #[test]
    fn down_of_its_own_objects_ok() {
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);"),
                (
                    "2_b.up.sql",
                    "CREATE TABLE orders (id bigint, user_id bigint);\n\
                     ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users;",
                ),
                ("2_b.down.sql", "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;\nALTER TABLE users ADD PRIMARY KEY (id);"),
            ],
        );
        // The foreign key is older than the up: the down loses it.
        assert_err_files(
            RULE,
            &[
                (
                    "1_a.up.sql",
                    "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE orders (user_id bigint REFERENCES users);",
                ),
                ("2_b.up.sql", "CREATE INDEX users_id ON users (id);"),
                ("2_b.down.sql", "ALTER TABLE users DROP CONSTRAINT users_pkey CASCADE;\nALTER TABLE users ADD PRIMARY KEY (id);"),
            ],
        );
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", BASE),
                ("1_a.down.sql", "DROP TABLE IF EXISTS users CASCADE;\nDROP TABLE IF EXISTS orders;\nDROP VIEW IF EXISTS active_users;"),
            ],
        );
    }
}
