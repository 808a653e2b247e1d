use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::model::volatility::volatile_call_in;
use crate::rules::helpers::{
    added_columns, alter_table, column_facts, default_text, describe_lock, holds_data,
};
use crate::rules::Check;

declare_rule!(
    "adding-field-with-volatile-default",
    Locking,
    Error,
    "ADD COLUMN with a volatile DEFAULT (any DEFAULT before PostgreSQL 11) rewrites the table under ACCESS EXCLUSIVE",
    Check::Statement(check),
    subsumes = &[
        "hold-exclusive-lock-across-statements",
        "adding-serial-or-generated-column",
        "set-not-null-scan",
        "constraint-missing-not-valid",
        "require-unique-index-for-constraint",
    ],
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    if !holds_data(cx, &table) {
        return;
    }
    let old = cx.options.pg_version < 11;
    for c in added_columns(cx, s, &table) {
        let facts = column_facts(c);
        // Serial, identity and stored generated columns: adding-serial-or-generated-column.
        if facts.computed_per_row() {
            continue;
        }
        let Some(default) = facts.default else {
            continue;
        };
        let column = quote_ident(&c.colname);
        let expr = facts
            .default_at
            .and_then(|at| default_text(cx, at))
            .unwrap_or_else(|| "...".to_string());
        let lock = describe_lock(cx, &table);
        let message = if old {
            format!(
                "ADD COLUMN {column} with DEFAULT {expr}: before PostgreSQL 11 (target: {}) any non-NULL default is written into \
                 every existing row, so this takes {lock}",
                cx.options.pg_version
            )
        } else if let Some(func) = volatile_call_in(default, Some(&cx.schema.functions)) {
            let why = if crate::model::volatility::is_known_volatile(func.as_str()) {
                format!("{func}() is volatile")
            } else {
                format!(
                    "{func}() is not known to be stable or immutable (migralint assumes volatile)"
                )
            };
            format!(
                "ADD COLUMN {column} with DEFAULT {expr}: {why}, so PostgreSQL computes it for every existing row, taking {lock}"
            )
        } else {
            continue;
        };
        let mut ty = c
            .type_name
            .as_ref()
            .map(|t| crate::model::SqlType::from_type_name(t).to_string())
            .unwrap_or_default();
        if !ty.is_empty() {
            ty.insert(0, ' ');
        }
        let constant = if old {
            "(before PostgreSQL 11 even a constant default rewrites, so add it without one)"
        } else {
            "(no default, or a constant one: no rewrite)"
        };
        let not_null = if facts.not_null || facts.primary_key {
            "; 4. then make it NOT NULL without a long scan: `CHECK (... IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT` in a \
             later migration, `SET NOT NULL` (see set-not-null-scan)"
        } else {
            ""
        };
        out.report(cx.clause_span(c.location), message).help(format!(
            "1. `ALTER TABLE {table} ADD COLUMN {column}{ty};` {constant}; 2. `ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {expr};` \
             (only new rows use it: no rewrite); 3. backfill the existing rows in batches \
             (`UPDATE {table} SET {column} = {expr} WHERE {column} IS NULL AND <key range>`), each batch its own short transaction{not_null}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::helpers::pg_testing::*;
    use crate::rules::testing::*;

    const RULE: &str = "adding-field-with-volatile-default";

    #[test]
    fn volatile_default_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- give every user a token\nALTER TABLE users\n  ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();"
        ));
    }

    #[test]
    fn unknown_function_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("000001_users.up.sql", "CREATE TABLE app.users (id int);"),
                (
                    "000002_code.up.sql",
                    "ALTER TABLE app.users ADD COLUMN a int, ADD COLUMN code text DEFAULT make_code(8);"
                ),
            ]
        ));
    }

    /// ente's `now_utc_micro_seconds()`: a SQL function left VOLATILE
    /// (the default) whose body is one expression over `now()`. PostgreSQL
    /// inlines it, finds nothing volatile, and adds the column without a
    /// rewrite; a function declared STABLE is judged by that. Checked
    /// against PostgreSQL in locks_match_postgres.rs.
    #[test]
    fn functions_the_migrations_created() {
        let files = |function: &str| {
            [
                ("000001_users.up.sql", "CREATE TABLE users (id int);".to_string()),
                ("000002_fn.up.sql", function.to_string()),
                (
                    "000003_at.up.sql",
                    "ALTER TABLE users ADD COLUMN created_at bigint DEFAULT now_utc_micro_seconds();".to_string(),
                ),
            ]
        };
        let lint = |function: &str| {
            let f = files(function);
            let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (*a, b.as_str())).collect();
            only(RULE, lint_files(RULE, &refs)).len()
        };
        let inlined = "CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint AS $$ \
                       SELECT CAST(extract(EPOCH from now() at time zone 'utc')*1000000 AS bigint) $$ language sql;";
        assert_eq!(lint(inlined), 0);
        assert_eq!(
            lint("CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint LANGUAGE sql RETURN 1;"),
            0
        );
        assert_eq!(lint("CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN 1; END $$;"), 0);
        for volatile in [
            "CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;",
            "CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint AS $$ SELECT (random() * 10)::bigint $$ LANGUAGE sql;",
            "CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint AS $$ SELECT max(id) FROM users $$ LANGUAGE sql;",
            "CREATE FUNCTION now_utc_micro_seconds() RETURNS bigint AS $$ SELECT 1 $$ LANGUAGE sql SECURITY DEFINER;",
        ] {
            assert_eq!(lint(volatile), 1, "{volatile}");
        }
    }

    #[test]
    fn nested_volatile_err() {
        assert_err(
            RULE,
            "ALTER TABLE t ADD COLUMN r int DEFAULT (random() * 100)::int;",
        );
        assert_err(
            RULE,
            "ALTER TABLE t ADD COLUMN at timestamptz DEFAULT clock_timestamp();",
        );
    }

    #[test]
    fn stable_default_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN at timestamptz NOT NULL DEFAULT now();",
        );
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN at timestamptz DEFAULT CURRENT_TIMESTAMP;",
        );
        assert_ok(RULE, "ALTER TABLE t ADD COLUMN n int NOT NULL DEFAULT 0;");
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN j jsonb DEFAULT '{}'::jsonb;",
        );
        assert_ok(RULE, "ALTER TABLE t ADD COLUMN x text;");
    }

    #[test]
    fn serial_and_identity_left_to_other_rule() {
        assert_ok(RULE, "ALTER TABLE t ADD COLUMN id bigserial;");
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN id int GENERATED ALWAYS AS IDENTITY;",
        );
    }

    #[test]
    fn comment_inside_default() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t ADD COLUMN id uuid DEFAULT /* v4 */ gen_random_uuid() NOT NULL;",
        );
        assert!(out.contains("SET DEFAULT gen_random_uuid();"), "{out}");
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE \"T\" (a int);\nALTER TABLE \"T\" ADD COLUMN id uuid DEFAULT gen_random_uuid();",
        );
    }

    #[test]
    fn quoted_name_differs() {
        assert_err(
            RULE,
            "CREATE TABLE \"T\" (a int);\nALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid();",
        );
    }

    #[test]
    fn any_default_before_pg11() {
        insta::assert_snapshot!(assert_err_pg(
            RULE,
            10,
            "ALTER TABLE t ADD COLUMN n int NOT NULL DEFAULT 0;"
        ));
        assert_ok_pg(RULE, 10, "ALTER TABLE t ADD COLUMN n int DEFAULT NULL;");
        assert_ok_pg(RULE, 11, "ALTER TABLE t ADD COLUMN n int DEFAULT 0;");
    }
}
