use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::model::SqlType;
use crate::rules::helpers::{added_columns, alter_table, column_facts, has_rows};
use crate::rules::Check;

declare_rule!(
    "adding-required-field",
    Locking,
    Error,
    "ADD COLUMN ... NOT NULL (or PRIMARY KEY) without a DEFAULT fails on a table that has rows",
    Check::Statement(check),
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    // Any row fails it: also the few a file inserted into a table it
    // created or emptied.
    if !has_rows(cx, &table) {
        return;
    }
    for c in added_columns(cx, s, &table) {
        let facts = column_facts(c);
        if !(facts.not_null || facts.primary_key)
            || facts.default.is_some()
            || facts.computed_per_row()
            || facts.virtual_generated
        {
            continue;
        }
        let what = if facts.primary_key && !facts.not_null {
            "PRIMARY KEY (which implies NOT NULL)"
        } else {
            "NOT NULL"
        };
        let column = quote_ident(&c.colname);
        let ty = c
            .type_name
            .as_ref()
            .map(|t| SqlType::from_type_name(t).to_string())
            .unwrap_or_default();
        let message = format!(
            "ADD COLUMN {column} {ty} {what} without a DEFAULT: existing rows get NULL, so on a table with rows it fails \
             with `column \"{}\" of relation \"{}\" contains null values`",
            c.colname, table.name
        );
        let check_name = quote_ident(&format!("{}_{}_not_null", table.name, c.colname));
        let constant = if cx.options.pg_version >= 11 {
            "(PostgreSQL 11+: a constant default is stored once, no rewrite)"
        } else {
            "(before PostgreSQL 11 this rewrites the table)"
        };
        let pk = if facts.primary_key {
            format!(
                " For the primary key, then `CREATE UNIQUE INDEX CONCURRENTLY` on ({column}) and \
                 `ALTER TABLE {table} ADD PRIMARY KEY USING INDEX ...` (see require-unique-index-for-constraint)."
            )
        } else {
            String::new()
        };
        out.report(cx.clause_span(c.location), message).help(format!(
            "either add it with a constant default: `ALTER TABLE {table} ADD COLUMN {column} {ty} NOT NULL DEFAULT <value>;` {constant}; \
             or: 1. `ALTER TABLE {table} ADD COLUMN {column} {ty};` (nullable); 2. backfill it in batches; \
             3. `ALTER TABLE {table} ADD CONSTRAINT {check_name} CHECK ({column} IS NOT NULL) NOT VALID;` \
             4. in a later migration: `ALTER TABLE {table} VALIDATE CONSTRAINT {check_name};` (no long lock); \
             5. `ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;` (PostgreSQL 12+ uses the check: no scan); \
             6. `ALTER TABLE {table} DROP CONSTRAINT {check_name};`.{pk}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "adding-required-field";

    /// A table the file emptied stays empty under a new name or schema, and
    /// `DELETE ... WHERE true` empties it like no WHERE (checked on
    /// PostgreSQL 15: the ADD COLUMN succeeds).
    #[test]
    fn emptied_then_renamed_ok() {
        let files = |up| {
            [
                ("1_a.up.sql", "CREATE TABLE t (id int);"),
                ("2_b.up.sql", up),
            ]
        };
        for up in [
            "TRUNCATE t;\nALTER TABLE t RENAME TO t2;\nALTER TABLE t2 ADD COLUMN q text NOT NULL;",
            "DELETE FROM t;\nALTER TABLE t SET SCHEMA archive;\nALTER TABLE archive.t ADD COLUMN q text NOT NULL;",
            "DELETE FROM t WHERE true;\nALTER TABLE t ADD COLUMN q text NOT NULL;",
        ] {
            assert_ok_files(RULE, &files(up));
        }
        assert_err_files(
            RULE,
            &files("DELETE FROM t WHERE id > 0;\nALTER TABLE t ADD COLUMN q text NOT NULL;"),
        );
    }

    /// `TRUNCATE t CASCADE` empties the tables with a foreign key to `t`,
    /// and theirs, recursively; not the tables `t` references (checked on
    /// PostgreSQL 15 in `downs_rejected.rs`).
    #[test]
    fn truncate_cascade_empties_the_referencing_tables() {
        let files = |up| {
            [
                (
                    "1_a.up.sql",
                    "CREATE TABLE a (id int PRIMARY KEY);\n\
                     CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));\n\
                     CREATE TABLE c (b_id int, CONSTRAINT c_b_fk FOREIGN KEY (b_id) REFERENCES b (id));",
                ),
                ("2_b.up.sql", up),
            ]
        };
        assert_ok_files(
            RULE,
            &files("TRUNCATE a CASCADE;\nALTER TABLE c ADD COLUMN q text NOT NULL;"),
        );
        assert_err_files(
            RULE,
            &files("TRUNCATE b CASCADE;\nALTER TABLE a ADD COLUMN q text NOT NULL;"),
        );
        assert_err_files(
            RULE,
            &files("TRUNCATE a;\nALTER TABLE b ADD COLUMN q text NOT NULL;"),
        );
    }

    /// `ADD COLUMN IF NOT EXISTS` of a column the table has is skipped by
    /// PostgreSQL (a notice): nothing is added, nothing fails or rewrites.
    #[test]
    fn add_column_if_not_exists_of_an_existing_column_ok() {
        let files = |up| {
            [
                ("1_a.up.sql", "CREATE TABLE t (id int, a int NOT NULL);"),
                ("2_b.up.sql", up),
            ]
        };
        let skipped = "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int NOT NULL;";
        assert_ok_files(RULE, &files(skipped));
        assert_err_files(
            RULE,
            &files("ALTER TABLE t ADD COLUMN IF NOT EXISTS b int NOT NULL;"),
        );
        let volatile = "ALTER TABLE t ADD COLUMN IF NOT EXISTS a uuid DEFAULT gen_random_uuid();";
        assert_ok_files("adding-field-with-volatile-default", &files(volatile));
        assert_ok_files(
            "constraint-missing-not-valid",
            &files("ALTER TABLE t ADD COLUMN IF NOT EXISTS a int CHECK (a > 0);"),
        );
        assert_ok_files(
            "prefer-bigint-over-int",
            &files("ALTER TABLE t ADD COLUMN IF NOT EXISTS a serial;"),
        );
        // The lock is still taken (and no rewrite is claimed).
        let timeout = only(
            "require-lock-timeout",
            lint_files("require-lock-timeout", &files(volatile)),
        );
        assert_eq!(timeout.len(), 1);
        assert!(
            !timeout[0].message.contains("rewrites"),
            "{}",
            timeout[0].message
        );
    }

    #[test]
    fn not_null_without_default_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE users ADD COLUMN email varchar(255) NOT NULL;"
        ));
    }

    #[test]
    fn primary_key_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE \"Events\" (payload jsonb);"
                ),
                (
                    "000002_b.up.sql",
                    "alter table \"Events\"\n  add column id bigint primary key;"
                ),
            ]
        ));
    }

    #[test]
    fn default_null_is_no_default() {
        assert_err(
            RULE,
            "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT NULL;",
        );
    }

    #[test]
    fn with_default_ok() {
        assert_ok(RULE, "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0;");
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN a text DEFAULT 'x' NOT NULL;",
        );
        assert_ok(RULE, "ALTER TABLE t ADD COLUMN a int;");
        assert_ok(RULE, "ALTER TABLE t ADD COLUMN a int NULL;");
    }

    #[test]
    fn computed_columns_ok() {
        assert_ok(RULE, "ALTER TABLE t ADD COLUMN id bigserial PRIMARY KEY;");
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN id int NOT NULL GENERATED ALWAYS AS IDENTITY;",
        );
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN b int NOT NULL GENERATED ALWAYS AS (a * 2) STORED;",
        );
    }

    #[test]
    fn comments_and_several_statements_per_line() {
        let out = assert_err(
            RULE,
            "SELECT 1; ALTER TABLE t ADD COLUMN a int /* required */ NOT NULL; SELECT 2;",
        );
        assert_eq!(out.matches("[adding-required-field]").count(), 1, "{out}");
        assert_ok(
            RULE,
            "-- NOT NULL later\nALTER TABLE t ADD COLUMN a int /* NOT NULL */ DEFAULT 1 NOT NULL;",
        );
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE app.t (a int);\n-- then\nALTER TABLE app.t ADD COLUMN b int NOT NULL;",
        );
    }

    #[test]
    fn several_subcommands_points_at_the_column() {
        let out = assert_err(
            RULE,
            "ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int NOT NULL, ADD COLUMN c int;",
        );
        assert!(out.contains("ADD COLUMN b integer NOT NULL"), "{out}");
        assert!(
            out.contains("                                 ^^^^^^^^^^^^^^\n"),
            "{out}"
        );
    }
}
