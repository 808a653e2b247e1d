use pg_query::protobuf::AlterTableType;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::coercion::storage_type;
use crate::model::effects::{column_effects, Effect, Shape, NEXTVAL};
use crate::model::names::quote_ident;
use crate::model::{ConstraintKind, Kind, Obj, QualName, Schema, Table};
use crate::rules::helpers::{alter_table, cmds, subtype};
use crate::rules::Check;

declare_rule!(
    "if-not-exists-hides-drift",
    Robustness,
    Warning,
    "IF NOT EXISTS where the history already has the object with another shape, or as an index built CONCURRENTLY: the statement silently does nothing",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // After a `SET search_path` that puts another schema first, an
    // unqualified name may be that schema's: the history's table of that
    // name is not known to be the one PostgreSQL finds.
    let relation = match &cx.stmt.node {
        NodeEnum::CreateStmt(s) => s.relation.as_ref(),
        NodeEnum::IndexStmt(s) => s.relation.as_ref(),
        NodeEnum::AlterTableStmt(s) => s.relation.as_ref(),
        _ => None,
    };
    if cx.tx.search_path_moved && relation.is_some_and(|rv| rv.schemaname.is_empty()) {
        return;
    }
    match &cx.stmt.node {
        NodeEnum::CreateStmt(s) if s.if_not_exists => {
            let Some(rv) = &s.relation else { return };
            let name = QualName::from_range_var(rv);
            let Some(table) = cx.schema.table(&name) else {
                // Tables, views, indexes and sequences share one namespace.
                let obj = Obj::new(Kind::Table, name.clone());
                if let Some(holder) = cx.schema.holder(&obj) {
                    report_name_taken(
                        cx,
                        out,
                        &format!("CREATE TABLE IF NOT EXISTS {name}"),
                        &holder,
                    );
                }
                return;
            };
            // `LIKE`, `INHERITS`, `PARTITION OF`, `OF type`: columns this
            // statement does not list; `AS SELECT`: the old table's.
            let open = cx
                .facts()
                .effects
                .iter()
                .any(|e| matches!(e, Effect::Create { open: true, .. }));
            if !table.columns_known || open {
                return;
            }
            let differences = differences(cx.schema, table, &cx.facts().effects);
            if differences.is_empty() {
                return;
            }
            out.report(
                cx.stmt.span,
                format!(
                    "CREATE TABLE IF NOT EXISTS {name} does nothing: an earlier migration already created {name}, and \
                     differently ({}): the old table stays as it was, and the schema drifts from what the file says",
                    differences.join("; ")
                ),
            )
            .help(format!(
                "change {name} with ALTER TABLE (ADD COLUMN, ALTER COLUMN ... TYPE / SET NOT NULL / SET DEFAULT, \
                 ADD CONSTRAINT) instead of re-creating it"
            ));
        }
        NodeEnum::AlterTableStmt(_) => {
            let Some((s, name)) = alter_table(&cx.stmt.node) else {
                return;
            };
            let Some(table) = cx.schema.table(&name) else {
                return;
            };
            let mut differing = Vec::new();
            let mut all = Vec::new();
            for (i, cmd) in cmds(s).enumerate() {
                if subtype(cmd) != AlterTableType::AtAddColumn || !cmd.missing_ok {
                    continue;
                }
                let Some(NodeEnum::ColumnDef(c)) = cmd.def.as_deref().and_then(|d| d.node.as_ref())
                else {
                    continue;
                };
                if table.column(&c.colname).is_none() {
                    continue;
                }
                let found = differences(cx.schema, table, &column_effects(&name, c, true));
                if !found.is_empty() {
                    differing.push((i, quote_ident(&c.colname)));
                    all.extend(found);
                }
            }
            let Some((first, column)) = differing.first() else {
                return;
            };
            let span = match differing.len() {
                1 => cx.cmd_span(*first),
                _ => cx.stmt.span,
            };
            let what = if differing.len() == 1 {
                format!("ADD COLUMN IF NOT EXISTS {column} does nothing: {name}.{column} already exists")
            } else {
                let columns: Vec<&str> = differing.iter().map(|(_, c)| c.as_str()).collect();
                format!(
                    "ADD COLUMN IF NOT EXISTS {} does nothing: those columns of {name} already exist",
                    columns.join(", ")
                )
            };
            out.report(
                span,
                format!(
                    "{what}, and differently ({}): the column keeps its old shape and the schema drifts from what \
                     the file says",
                    all.join("; ")
                ),
            )
            .help(format!(
                "change the column with `ALTER TABLE {name} ALTER COLUMN {column} ...` (TYPE, SET NOT NULL, SET \
                 DEFAULT) or `ADD CONSTRAINT`, or drop the ADD COLUMN if the old shape is right"
            ));
        }
        NodeEnum::IndexStmt(s) if s.if_not_exists && !s.idxname.is_empty() => {
            let Some(rv) = &s.relation else { return };
            let table = QualName::from_range_var(rv);
            let name = QualName::new(table.schema.as_deref(), &s.idxname);
            let quoted = quote_ident(&s.idxname);
            let Some(have) = cx.schema.index(&name) else {
                // The index of a primary key or unique constraint, just as
                // this statement describes it: a unique btree index on the
                // same columns, in order.
                if let Some(c) = cx.schema.constraint_index(&name) {
                    let columns: Vec<String> = c.columns.iter().map(|c| quote_ident(c)).collect();
                    let same_table = c.table.as_ref().is_some_and(|t| t.key() == table.key());
                    if same_table
                        && *cx.schema.index_def(s, &table)
                            == *format!("btree unique ({})", columns.join(", "))
                    {
                        return;
                    }
                }
                let obj = Obj::new(Kind::Index, name.clone());
                // The index of a key constraint on the same columns of the
                // same table (`t_pkey`): the one the file describes.
                let same_key = cx.schema.objects.twin(&obj).is_some_and(|c| {
                    s.unique
                        && c.table.as_ref().is_some_and(|t| t.key() == table.key())
                        && crate::model::effects::plain_keys(s).is_some_and(|k| k == c.columns)
                });
                if same_key {
                    return;
                }
                if let Some(holder) = cx.schema.holder(&obj) {
                    report_name_taken(
                        cx,
                        out,
                        &format!("CREATE INDEX IF NOT EXISTS {quoted}"),
                        &holder,
                    );
                }
                return;
            };
            let other_table = have.table.key() != table.key();
            let other_def = have
                .def
                .as_deref()
                .is_some_and(|d| *d != *cx.schema.index_def(s, &table));
            if other_table || other_def {
                let what = if other_table {
                    format!("on {}, not {table}", have.table)
                } else {
                    "with another definition (columns, expressions, uniqueness, method, order, operator \
                     classes or predicate)"
                        .to_string()
                };
                out.report(
                    cx.stmt.span,
                    format!(
                        "CREATE INDEX IF NOT EXISTS {quoted} does nothing: an index of that name already exists {what}, so \
                         the index this statement describes is never built"
                    ),
                )
                .help(format!(
                    "give the new index its own name, or drop the old one first (`DROP INDEX CONCURRENTLY IF EXISTS {quoted}`)"
                ));
            } else if have.concurrent && have.created_in != cx.file_index {
                out.report(
                    cx.stmt.span,
                    format!(
                        "CREATE INDEX IF NOT EXISTS {quoted} re-creates an index an earlier migration built CONCURRENTLY: \
                         when that build failed, it left an INVALID index of that name, which IF NOT EXISTS silently \
                         keeps (never used by queries, and a UNIQUE one enforces nothing)"
                    ),
                )
                .help(format!(
                    "drop it first: `DROP INDEX CONCURRENTLY IF EXISTS {quoted};` then build it again, each in its own \
                     migration file; or check `pg_index.indisvalid` before retrying"
                ));
            }
        }
        _ => {}
    }
}

/// What the columns and constraints `effects` create ask for that `table`
/// lacks, in words: a missing column, another type, NOT NULL, a default
/// (missing or another), a key, CHECK or foreign key the table has under
/// no name and in no spelling (`Schema::has_constraint`).
fn differences(schema: &Schema, table: &Table, effects: &[Effect]) -> Vec<String> {
    let mut out = Vec::new();
    // Columns a missing primary key covers: their NOT NULL goes with it.
    let mut keyed: Vec<&str> = Vec::new();
    for e in effects {
        let Effect::Create { shape, .. } = e else {
            continue;
        };
        let Shape::Constraint { info, inline } = shape else {
            continue;
        };
        let column = |i: usize| info.keys.get(i).map(|k| quote_ident(k)).unwrap_or_default();
        let keys = || {
            info.keys
                .iter()
                .map(|k| quote_ident(k))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if info.keys.iter().any(|k| table.column(k).is_none())
            || info.columns.iter().any(|k| table.column(k).is_none())
            || (info.kind == ConstraintKind::NotNull && *inline)
            || schema.has_constraint(table, info)
        {
            continue;
        }
        let named = info
            .name
            .as_deref()
            .map(|n| format!(" {}", quote_ident(n)))
            .unwrap_or_default();
        out.push(match info.kind {
            ConstraintKind::PrimaryKey => {
                keyed.extend(info.keys.iter().map(String::as_str));
                format!("no primary key ({})", keys())
            }
            ConstraintKind::Unique => format!("no unique key ({})", keys()),
            ConstraintKind::Check => {
                let mut on: Vec<String> = info.columns.iter().map(|c| quote_ident(c)).collect();
                on.dedup();
                format!("no CHECK{named} like this one (on {})", on.join(", "))
            }
            ConstraintKind::ForeignKey => {
                let target = info
                    .references
                    .as_ref()
                    .map(|r| r.table.to_string())
                    .unwrap_or_default();
                format!("no foreign key ({}) to {target} like this one", keys())
            }
            ConstraintKind::NotNull => format!("{} is nullable", column(0)),
            _ => continue,
        });
    }
    let mut columns = Vec::new();
    for e in effects {
        let Effect::Create {
            shape: Shape::Column(want),
            ..
        } = e
        else {
            continue;
        };
        let column = quote_ident(&want.name);
        let Some(have) = table.column(&want.name) else {
            columns.push(format!("no column {column}"));
            continue;
        };
        let (have_ty, want_ty) = (storage_type(&have.ty), storage_type(&want.ty));
        if have_ty != want_ty {
            columns.push(format!("{column} is {have_ty}, not {want_ty}"));
        }
        if want.not_null && !have.not_null && !keyed.contains(&want.name.as_str()) {
            columns.push(format!("{column} is nullable, not NOT NULL"));
        }
        match (&want.default, &have.default) {
            (Some(w), None) if **w == *NEXTVAL => columns.push(format!(
                "{column} has no default from a sequence (no serial or identity)"
            )),
            (Some(_), None) => columns.push(format!("{column} has no default")),
            (Some(w), Some(h)) if !same_default(&have_ty, w, h) => {
                columns.push(format!("{column} has another default"))
            }
            _ => {}
        }
    }
    columns.extend(out);
    columns
}

/// Two defaults (`canonical_default`) of a column of type `ty` that
/// PostgreSQL stores alike: the same text, or two spellings of one boolean
/// constant (`false`, `'f'`, `'no'`, `'off'`, `'0'`: stored as `false`).
fn same_default(ty: &crate::model::SqlType, a: &str, b: &str) -> bool {
    a == b
        || (ty.name == "bool"
            && !ty.array
            && bool_const(a).is_some_and(|x| bool_const(b) == Some(x)))
}

/// A boolean constant as PostgreSQL's `boolin` reads it: `true`, `yes`,
/// `on`, `1` and their false counterparts, any case, a unique prefix of
/// each word (`t`, `fa`, `of`), surrounding spaces left out.
fn bool_const(default: &str) -> Option<bool> {
    let v: serde_json::Value = serde_json::from_str(default).ok()?;
    let text = v.get("Const")?.as_str()?.trim().to_ascii_lowercase();
    let prefix = |word: &str, min: usize| text.len() >= min && word.starts_with(text.as_str());
    match () {
        _ if prefix("true", 1) || prefix("yes", 1) || prefix("on", 2) || text == "1" => Some(true),
        _ if prefix("false", 1) || prefix("no", 1) || prefix("off", 2) || text == "0" => {
            Some(false)
        }
        _ => None,
    }
}

/// `IF NOT EXISTS` of a relation whose name another kind of relation
/// holds (a table named like an index, a view, a sequence): PostgreSQL
/// skips it with a notice, and nothing is created.
fn report_name_taken(cx: &StmtCx, out: &mut Findings, what: &str, holder: &str) {
    out.report(
        cx.stmt.span,
        format!(
            "{what} does nothing: {holder} already has that name (tables, views, indexes and sequences share \
             one namespace), so nothing is created and the schema drifts from what the file says"
        ),
    )
    .help("give it a name of its own");
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "if-not-exists-hides-drift";

    const USERS: (&str, &str) = (
        "000001_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n",
    );

    #[test]
    fn create_table_with_another_shape_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "CREATE TABLE IF NOT EXISTS users (id int PRIMARY KEY, email text, name text);",
                ),
            ],
        );
        assert!(
            out.contains("id is bigint, not integer; no column name"),
            "{out}"
        );
    }

    #[test]
    fn add_column_with_another_type_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "ALTER TABLE users ADD COLUMN IF NOT EXISTS email varchar(100);",
                ),
            ],
        );
        assert!(out.contains("email is text, not varchar(100)"), "{out}");
    }

    #[test]
    fn index_of_that_name_differs_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "CREATE UNIQUE INDEX IF NOT EXISTS users_email_idx ON users (lower(email));",
                ),
            ],
        );
        assert!(out.contains("another definition"), "{out}");
    }

    #[test]
    fn retry_of_a_concurrent_build_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_retry.up.sql",
                    "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);",
                ),
            ],
        );
        assert!(out.contains("INVALID"), "{out}");
    }

    #[test]
    fn name_held_by_another_relation_err() {
        let out = assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_audit.up.sql",
                    "CREATE TABLE IF NOT EXISTS users_email_idx (id bigint);",
                ),
            ],
        );
        assert!(
            out.contains("index users_email_idx already has that name"),
            "{out}"
        );
        assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_idx.up.sql",
                    "CREATE INDEX IF NOT EXISTS users ON users (email);",
                ),
            ],
        );
    }

    #[test]
    fn same_shape_or_new_object_ok() {
        assert_ok_files(
            RULE,
            &[
                USERS,
                (
                    "000002_again.up.sql",
                    "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);\n\
                     ALTER TABLE users ADD COLUMN IF NOT EXISTS email text;\n\
                     CREATE TABLE IF NOT EXISTS orders (id bigint);\n\
                     CREATE INDEX IF NOT EXISTS orders_id_idx ON orders (id);",
                ),
            ],
        );
        // The same file: the build has not failed yet.
        assert_ok(
            RULE,
            "CREATE TABLE t (a int);\nCREATE INDEX IF NOT EXISTS t_a ON t (a);\nCREATE INDEX IF NOT EXISTS t_a ON t (a);",
        );
    }

    /// The history, then one statement each: (history, statement).
    fn one_each(history: &str, statements: &[&str], err: bool) -> Vec<String> {
        statements
            .iter()
            .map(|sql| {
                let files = [("000001_a.up.sql", history), ("000002_b.up.sql", *sql)];
                let found = only(RULE, lint_files(RULE, &files));
                assert_eq!(!found.is_empty(), err, "{sql}: {found:#?}");
                assert!(
                    found.len() <= 1,
                    "{sql}: one finding per statement: {found:#?}"
                );
                found
                    .iter()
                    .map(|d| d.message.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect()
    }

    const SPELLINGS: &str = "CREATE TYPE mood AS ENUM ('ok');\n\
        CREATE TABLE t (id int4, tags _text, name varchar(20), m mood, at timestamptz, \
        amount numeric(10), \"Label\" text, b int, c text);\n\
        CREATE INDEX t_b ON t (b);\nCREATE INDEX t_b_desc ON t (b DESC);\n\
        CREATE INDEX t_c ON t USING btree (c text_ops);\n\
        CREATE INDEX t_low ON t (lower(c)) WHERE b > 0;";

    #[test]
    fn same_object_spelled_otherwise_ok() {
        one_each(
            SPELLINGS,
            &[
                "CREATE TABLE IF NOT EXISTS t (id integer, tags text[], name character varying(20), \
                 m public.mood, at timestamp with time zone, amount numeric(10,0), \"Label\" text, \
                 B INT, \"c\" TEXT);",
                "CREATE TABLE IF NOT EXISTS public.t (id int, tags text[][], name varchar(20), m mood, \
                 at timestamptz, amount decimal(10), \"Label\" text);",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS id integer;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS tags text[];",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS m public.mood;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS name character varying(20);",
                "CREATE INDEX IF NOT EXISTS t_b ON t (b ASC);",
                "CREATE INDEX IF NOT EXISTS t_b ON t (b ASC NULLS LAST);",
                "CREATE INDEX IF NOT EXISTS t_b ON t USING btree (b int4_ops);",
                "CREATE INDEX IF NOT EXISTS t_b ON public.t (\"b\");",
                "CREATE INDEX IF NOT EXISTS t_b_desc ON t (b DESC NULLS FIRST);",
                "CREATE INDEX IF NOT EXISTS t_c ON t (c);",
                "CREATE INDEX IF NOT EXISTS t_c ON t USING BTREE (c pg_catalog.text_ops ASC);",
                "create index if not exists T_LOW on T ( LOWER( c ) ) where (B > 0);",
            ],
            false,
        );
    }

    #[test]
    fn another_index_definition_err() {
        one_each(
            SPELLINGS,
            &[
                "CREATE INDEX IF NOT EXISTS t_b ON t (b DESC);",
                "CREATE INDEX IF NOT EXISTS t_b ON t (b NULLS FIRST);",
                "CREATE INDEX IF NOT EXISTS t_b_desc ON t (b DESC NULLS LAST);",
                "CREATE INDEX IF NOT EXISTS t_c ON t (c text_pattern_ops);",
                "CREATE INDEX IF NOT EXISTS t_c ON t USING hash (c);",
                "CREATE UNIQUE INDEX IF NOT EXISTS t_b ON t (b);",
                "CREATE INDEX IF NOT EXISTS t_low ON t (lower(c)) WHERE b > 1;",
                "CREATE INDEX IF NOT EXISTS t_c ON t (c COLLATE \"C\");",
            ],
            true,
        );
    }

    /// Indexes on `varchar` and `text` columns, each as written and as
    /// PostgreSQL stores it (`pg_dump`'s form): the column types in the
    /// history say which casts PostgreSQL adds or drops (checked on
    /// PostgreSQL 15 with `pg_get_indexdef`).
    const CASTS: &str =
        "CREATE TABLE t (id bigint, email varchar(100), status varchar(20), x text);\n\
        CREATE INDEX t_lower ON t (lower(email));\n\
        CREATE INDEX t_part ON t (id) WHERE status = 'x';\n\
        CREATE INDEX t_cat ON t ((email || status));\n\
        CREATE INDEX t_x ON t (lower(x));\nCREATE INDEX t_e ON t (email);\n\
        CREATE INDEX t_like ON t (id) WHERE status LIKE 'a%';\n\
        CREATE INDEX t_co ON t (coalesce(email, ''));\nCREATE INDEX t_name ON t (name(email));";

    #[test]
    fn casts_postgresql_stores_ok() {
        one_each(
            CASTS,
            &[
                "CREATE INDEX IF NOT EXISTS t_lower ON public.t USING btree (lower((email)::text));",
                "CREATE INDEX IF NOT EXISTS t_lower ON t (lower(t.email));",
                "CREATE INDEX IF NOT EXISTS t_lower ON t (lower(email::varchar(100)));",
                "CREATE INDEX IF NOT EXISTS t_part ON public.t USING btree (id) WHERE ((status)::text = 'x'::text);",
                "CREATE INDEX IF NOT EXISTS t_cat ON public.t USING btree ((((email)::text || (status)::text)));",
                "CREATE INDEX IF NOT EXISTS t_x ON t (lower(x::text));",
                "CREATE INDEX IF NOT EXISTS t_e ON t ((email));",
                "CREATE INDEX IF NOT EXISTS t_like ON public.t USING btree (id) WHERE ((status)::text ~~ 'a%'::text);",
                "CREATE INDEX IF NOT EXISTS t_co ON public.t USING btree (COALESCE(email, ''::character varying));",
            ],
            false,
        );
    }

    #[test]
    fn casts_that_change_the_index_err() {
        one_each(
            CASTS,
            &[
                // A key of its own: an expression index, not the column.
                "CREATE INDEX IF NOT EXISTS t_e ON t ((email::text));",
                // COALESCE of text, not of varchar.
                "CREATE INDEX IF NOT EXISTS t_co ON t (coalesce(email::text, ''));",
                // name(text), not name(varchar).
                "CREATE INDEX IF NOT EXISTS t_name ON t (name(email::text));",
                "CREATE INDEX IF NOT EXISTS t_like ON t (id) WHERE status NOT LIKE 'a%';",
            ],
            true,
        );
    }

    #[test]
    fn another_type_err() {
        one_each(
            SPELLINGS,
            &[
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS tags text;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS name varchar(30);",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS amount numeric(10,2);",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS at timestamp;",
            ],
            true,
        );
        // No column "label" (it is "Label"): ADD COLUMN adds it.
        one_each(
            SPELLINGS,
            &["ALTER TABLE t ADD COLUMN IF NOT EXISTS \"label\" text;"],
            false,
        );
    }

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

    #[test]
    fn same_constraints_otherwise_written_ok() {
        one_each(
            KEYS,
            &[
                // Every constraint and default the history has, spelled otherwise.
                "CREATE TABLE IF NOT EXISTS t (id bigint NOT NULL, a integer NOT NULL, b int UNIQUE, \
                 c text DEFAULT 'x'::text, d int, user_id bigint, at timestamptz DEFAULT CURRENT_TIMESTAMP, \
                 n int, s integer NOT NULL DEFAULT nextval('t_s_seq'::regclass), e int NOT NULL DEFAULT '0', \
                 f int UNIQUE, g int, h int, \
                 PRIMARY KEY (id), CHECK ((d > 0)), FOREIGN KEY (user_id) REFERENCES public.users (id), \
                 CONSTRAINT other_name FOREIGN KEY (g) REFERENCES users ON DELETE CASCADE, \
                 CHECK (h is not null));",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS id bigint PRIMARY KEY;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int UNIQUE;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS f int UNIQUE;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS e int NOT NULL DEFAULT 0;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS s serial;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS d int CHECK (d > 0);",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS g int REFERENCES users (id) ON DELETE CASCADE;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS n int DEFAULT NULL;",
                // Asks for less than the table has: nothing is missing.
                "CREATE TABLE IF NOT EXISTS t (id bigint, a int);",
            ],
            false,
        );
    }

    #[test]
    fn constraints_the_table_lacks_err() {
        let found = one_each(
            KEYS,
            &[
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int NOT NULL;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int UNIQUE;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int PRIMARY KEY;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int REFERENCES users;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS g int REFERENCES users;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int CHECK (a > 0);",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS d int CHECK (d >= 0);",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS c text DEFAULT 'y';",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int DEFAULT 1;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS a serial;",
                "CREATE TABLE IF NOT EXISTS t (id bigint, b int NOT NULL);",
                "CREATE TABLE IF NOT EXISTS t (id bigint, a int, UNIQUE (id, a));",
                "CREATE TABLE IF NOT EXISTS t (id bigint, a int, PRIMARY KEY (a));",
                "CREATE TABLE IF NOT EXISTS t (id bigint, a int CHECK (a <> 0));",
                "CREATE TABLE IF NOT EXISTS t (id bigint, a int, FOREIGN KEY (a) REFERENCES users);",
                "CREATE TABLE IF NOT EXISTS t (id bigint, at timestamptz DEFAULT clock_timestamp());",
            ],
            true,
        );
        assert!(
            found[0].contains("b is nullable, not NOT NULL"),
            "{}",
            found[0]
        );
        assert!(found[1].contains("no unique key (a)"), "{}", found[1]);
        assert!(found[2].contains("no primary key (a)"), "{}", found[2]);
        assert!(!found[2].contains("nullable"), "{}", found[2]);
        assert!(
            found[3].contains("no foreign key (a) to users"),
            "{}",
            found[3]
        );
        assert!(
            found[4].contains("no foreign key (g)"),
            "ON DELETE differs: {}",
            found[4]
        );
        assert!(found[7].contains("c has another default"), "{}", found[7]);
        assert!(found[8].contains("a has no default"), "{}", found[8]);
        assert!(found[9].contains("from a sequence"), "{}", found[9]);
    }

    #[test]
    fn one_finding_names_every_difference_err() {
        let out = assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", KEYS),
                (
                    "000002_b.up.sql",
                    "CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY, b int NOT NULL, c text DEFAULT 'y', \
                     z int, a int REFERENCES users, CHECK (a > 0));\n\
                     ALTER TABLE t ADD COLUMN IF NOT EXISTS a int UNIQUE, ADD COLUMN IF NOT EXISTS b bigint;",
                ),
            ],
        );
        for part in [
            "id is bigint, not integer",
            "b is nullable",
            "c has another default",
            "no column z",
            "no foreign key (a) to users",
            "no CHECK like this one (on a)",
            "a, b does nothing",
            "no unique key (a)",
            "b is integer, not bigint",
        ] {
            assert!(out.contains(part), "{part}: {out}");
        }
    }

    #[test]
    fn history_changes_followed() {
        let history = "CREATE TABLE users (id bigint PRIMARY KEY);\n\
            CREATE TABLE t (a int, b int CONSTRAINT t_b_ck CHECK (b > 0), u bigint REFERENCES users);\n\
            ALTER TABLE t ADD CONSTRAINT t_a_uq UNIQUE (a);\n\
            ALTER TABLE t RENAME COLUMN b TO c;\n\
            ALTER TABLE users RENAME TO accounts;";
        one_each(
            history,
            &[
                // Renamed column: its CHECK names the new column now.
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS c int CHECK (c > 0);",
                // Renamed target table.
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS u bigint REFERENCES accounts;",
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int UNIQUE;",
            ],
            false,
        );
        // The renamed column's CHECK is compared by its expression.
        one_each(
            history,
            &["ALTER TABLE t ADD COLUMN IF NOT EXISTS c int CHECK (c > 1);"],
            true,
        );
        // A constraint dropped since: asked for again, it is not there.
        one_each(
            &format!("{history}\nALTER TABLE t DROP CONSTRAINT t_a_uq;"),
            &["ALTER TABLE t ADD COLUMN IF NOT EXISTS a int UNIQUE;"],
            true,
        );
        // A default dropped since.
        one_each(
            "CREATE TABLE t (a int DEFAULT 0);\nALTER TABLE t ALTER COLUMN a DROP DEFAULT;",
            &["ALTER TABLE t ADD COLUMN IF NOT EXISTS a int DEFAULT 0;"],
            true,
        );
        // An index on a renamed column is not compared by its old text.
        one_each(
            "CREATE TABLE t (a int);\nCREATE INDEX t_i ON t (a);\nALTER TABLE t RENAME COLUMN a TO b;",
            &["CREATE INDEX IF NOT EXISTS t_i ON t (b);"],
            false,
        );
    }

    /// A TEMP table is gone with its file's session, and a table with its
    /// schema: IF NOT EXISTS then creates (checked on PostgreSQL 15).
    #[test]
    fn temp_and_dropped_schema_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TEMP TABLE t (id int);"),
                (
                    "000002_b.up.sql",
                    "CREATE TABLE IF NOT EXISTS t (id int, name text);",
                ),
            ],
        );
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE SCHEMA IF NOT EXISTS s;\nCREATE TABLE s.t (id int);\nCREATE INDEX s_t_id ON s.t (id);"),
                ("000002_b.up.sql", "DROP SCHEMA s CASCADE;\nCREATE SCHEMA s;"),
                (
                    "000003_c.up.sql",
                    "CREATE TABLE IF NOT EXISTS s.t (id bigint, x text);\nCREATE INDEX IF NOT EXISTS s_t_id ON s.t (x);",
                ),
            ],
        );
    }

    /// After `SET search_path TO app, public`, `users` is `app.users` when
    /// app has one (checked on PostgreSQL 15): the history's `public.users`
    /// is not known to be the table PostgreSQL skips for.
    #[test]
    fn search_path_moved_ok() {
        let history = (
            "000001_users.up.sql",
            "CREATE SCHEMA IF NOT EXISTS app;\nCREATE TABLE users (id int);",
        );
        assert_ok_files(
            RULE,
            &[
                history,
                (
                    "000002_again.up.sql",
                    "SET search_path TO app;\nCREATE TABLE IF NOT EXISTS users (id int, name text);",
                ),
            ],
        );
        // Back to public: judged again.
        assert_err_files(
            RULE,
            &[
                history,
                (
                    "000002_again.up.sql",
                    "SELECT set_config('search_path', 'app, public', false);\nRESET search_path;\n\
                     CREATE TABLE IF NOT EXISTS users (id int, name text);",
                ),
            ],
        );
        assert_err_files(
            RULE,
            &[
                history,
                (
                    "000002_again.up.sql",
                    "SET search_path TO \"$user\", public;\nCREATE TABLE IF NOT EXISTS users (id int, name text);",
                ),
            ],
        );
    }

    #[test]
    fn boolean_default_spellings_ok() {
        let history = (
            "000001_t.up.sql",
            "CREATE TABLE t (flag boolean DEFAULT false, seen bool DEFAULT 'on');",
        );
        assert_ok_files(
            RULE,
            &[
                history,
                (
                    "000002_t.up.sql",
                    "CREATE TABLE IF NOT EXISTS t (flag bool DEFAULT 'F', seen boolean DEFAULT TRUE);",
                ),
            ],
        );
        assert_err_files(
            RULE,
            &[
                history,
                (
                    "000002_t.up.sql",
                    "ALTER TABLE t ADD COLUMN IF NOT EXISTS seen bool DEFAULT 'no';",
                ),
            ],
        );
    }

    /// pg_dump writes `public.uuid_generate_v4()`: the same function.
    #[test]
    fn schema_of_a_function_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_t.up.sql",
                    "CREATE TABLE t (id uuid DEFAULT public.uuid_generate_v4(), u uuid DEFAULT gen_random_uuid());",
                ),
                (
                    "000002_t.up.sql",
                    "CREATE TABLE IF NOT EXISTS t (id uuid DEFAULT uuid_generate_v4(), u uuid DEFAULT pg_catalog.gen_random_uuid());",
                ),
            ],
        );
    }
}
