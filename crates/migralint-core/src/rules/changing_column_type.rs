use crate::engine::context::{Findings, StmtCx};
use crate::model::coercion::{judge, storage_type, Verdict};
use crate::model::locks::LockMode;
use crate::model::names::quote_ident;
use crate::model::{SqlType, TableState};
use crate::rules::helpers::{alter_table, describe_lock, holds_data, type_changes};
use crate::rules::Check;

declare_rule!(
    "changing-column-type",
    Locking,
    Error,
    "ALTER COLUMN ... TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary-coercible",
    Check::Statement(check),
    subsumes = &[
        "hold-exclusive-lock-across-statements",
        "adding-field-with-volatile-default",
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
    let state = cx.table_state(&table);
    for (i, cmd, def) in type_changes(s) {
        let Some(new) = def.type_name.as_ref().map(SqlType::from_type_name) else {
            continue;
        };
        // `TYPE serial` is no type: PostgreSQL refuses the statement
        // (`alter-column-type-serial`), nothing is rewritten.
        if new.is_serial() && !new.array {
            continue;
        }
        let column = quote_ident(&cmd.name);
        let span = cx.cmd_span(i);
        let old = match state {
            TableState::Existing(t) => t.column(&cmd.name).map(|c| storage_type(&c.ty)),
            _ => None,
        };
        let old = old.as_ref();
        let recipe = format!(
            "1. `ALTER TABLE {table} ADD COLUMN {new_col} {new};` (no rewrite); 2. keep both columns in step for new writes (a \
             trigger, or the application writes both); 3. backfill {new_col} in batches, each batch its own short transaction; \
             4. switch reads to {new_col}; 5. in a later migration drop {column} and rename {new_col} to {column} (brief locks)",
            new_col = quote_ident(&format!("{}_new", cmd.name)),
        );
        // `USING col` or `USING col::new_type` converts nothing beyond the
        // type change itself: judged like no USING (a binary-coercible
        // change stays catalog-only; checked by relfilenode on PostgreSQL 15).
        if !crate::model::coercion::using_converts_nothing(def, &cmd.name) {
            let from = old.map(|o| format!(" (from {o})")).unwrap_or_default();
            out.report(
                span,
                format!(
                    "ALTER COLUMN {column} TYPE {new} USING ...{from}: the USING expression is evaluated for every row, so \
                     PostgreSQL rewrites {table} and rebuilds its indexes while holding {}",
                    describe_lock(cx, &table)
                ),
            )
            .help(recipe);
            continue;
        }
        let Some(old) = old else {
            let why = match state {
                TableState::Existing(t) if t.columns_known => {
                    format!("{table} has no column {column} that migralint knows of")
                }
                TableState::Existing(_) => {
                    format!("the columns of {table} are not fully known (CREATE TABLE AS, LIKE or INHERITS)")
                }
                _ => format!("no migration here created {table}"),
            };
            let safe = match safe_sources(&new) {
                Some(sources) => {
                    format!("it is a catalog-only change only when the old type is {sources}")
                }
                None => format!("no other type changes to {new} without a rewrite"),
            };
            out.report(
                span,
                format!(
                    "ALTER COLUMN {column} TYPE {new}: the old type is unknown ({why}); {safe}. Otherwise PostgreSQL rewrites \
                     {table} and rebuilds its indexes while holding {} on {table} ({})",
                    LockMode::AccessExclusive,
                    LockMode::AccessExclusive.blocks()
                ),
            )
            .help(format!(
                "if the change is one of the binary-coercible ones (varchar(n) → varchar(m ≥ n) or text, text → varchar, \
                 numeric(p,s) → numeric(p2 ≥ p,s), cidr → inet), suppress this with `-- migralint-ignore changing-column-type`. \
                 Otherwise: {recipe}"
            ));
            continue;
        };
        if def.coll_clause.is_some() {
            out.report(
                span,
                format!(
                    "ALTER COLUMN {column} TYPE {new} COLLATE ... (from {old}): a new collation makes PostgreSQL rebuild every index \
                     on {column} while holding {} on {table} ({})",
                    LockMode::AccessExclusive,
                    LockMode::AccessExclusive.blocks()
                ),
            )
            .help(format!(
                "build the indexes with the new collation CONCURRENTLY on a new column instead: {recipe}"
            ));
            continue;
        }
        // A domain is judged as its base type (`Schema::judged_types`).
        let (judged_old, judged_new) = cx.schema.judged_types(old.clone(), new.clone());
        match judge(&judged_old, &judged_new, cx.options.pg_version) {
            Verdict::Safe => {}
            Verdict::Rewrite(reason) => {
                let extra = if old.name == "varchar" && new.name == "varchar" {
                    format!(
                        " To enforce a shorter limit without a rewrite: `ALTER TABLE {table} ADD CONSTRAINT <name> CHECK \
                         (char_length({column}) <= {}) NOT VALID;`, then `VALIDATE CONSTRAINT` in a later migration.",
                        new.mods.first().copied().unwrap_or_default()
                    )
                } else {
                    String::new()
                };
                out.report(
                    span,
                    format!(
                        "ALTER COLUMN {column} TYPE changes {old} → {new} ({reason}): PostgreSQL rewrites {table} and rebuilds \
                         its indexes while holding {}",
                        describe_lock(cx, &table)
                    ),
                )
                .help(format!("{recipe}.{extra}"));
            }
            Verdict::Reindex(reason) => {
                let indexes = cx.schema.indexes_on_column(&table, &cmd.name);
                if indexes.is_empty() {
                    continue;
                }
                let names: Vec<String> = indexes.iter().map(|n| quote_ident(n)).collect();
                out.report(
                    span,
                    format!(
                        "ALTER COLUMN {column} TYPE changes {old} → {new} ({reason}): the rows stay, but PostgreSQL rebuilds \
                         every index on {column} ({}) while holding {}",
                        names.join(", "),
                        describe_lock(cx, &table)
                    ),
                )
                .help(format!(
                    "without an index on {column} the change is catalog-only: drop the index (`DROP INDEX CONCURRENTLY`, alone \
                     in its file), change the type, then build it again `CONCURRENTLY`. Or: {recipe}"
                ));
            }
            Verdict::TimeZone => {
                if cx.tx.time_zone_utc {
                    continue;
                }
                out.report(
                    span,
                    format!(
                        "ALTER COLUMN {column} TYPE changes {old} → {new}: PostgreSQL 12+ skips the rewrite only when the session \
                         TimeZone is UTC; with any other TimeZone it rewrites {table} and rebuilds its indexes while holding {} on \
                         {table} ({})",
                        LockMode::AccessExclusive,
                        LockMode::AccessExclusive.blocks()
                    ),
                )
                .help(format!(
                    "if the stored values are meant as UTC, put `SET TimeZone = 'UTC';` before this statement in the same file: \
                     the change is then catalog-only (existing values are read as UTC). Otherwise: {recipe}"
                ));
            }
        }
    }
}

/// The old types from which a change to `new` is catalog-only, in words.
fn safe_sources(new: &SqlType) -> Option<String> {
    if new.array {
        return None;
    }
    Some(match (new.name.as_str(), new.mods.as_slice()) {
        ("text", _) => "varchar or varchar(n)".to_string(),
        ("varchar", []) => "text or varchar(n)".to_string(),
        ("varchar", [m]) => format!("varchar(n) with n ≤ {m}"),
        ("numeric", []) => "numeric(p,s)".to_string(),
        ("numeric", [p]) => format!("numeric(p2) with p2 ≤ {p}"),
        ("numeric", [p, s]) => format!("numeric(p2,{s}) with p2 ≤ {p}"),
        ("inet", _) => "cidr".to_string(),
        ("citext", _) => "text or varchar(n), and no index is on the column".to_string(),
        ("varbit", []) => "bit varying(n)".to_string(),
        ("varbit", [m]) => format!("bit varying(n) with n ≤ {m}"),
        ("timestamptz", _) => {
            "timestamptz with no more precision, or timestamp when the session TimeZone is UTC (PostgreSQL 12+)".to_string()
        }
        ("timestamp", _) => {
            "timestamp with no more precision, or timestamptz when the session TimeZone is UTC (PostgreSQL 12+)".to_string()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{judge, Verdict};
    use crate::model::SqlType;
    use crate::rules::helpers::pg_testing::*;
    use crate::rules::testing::*;

    const RULE: &str = "changing-column-type";

    const USERS: (&str, &str) = (
        "000001_users.up.sql",
        "CREATE TABLE users (\n  id int PRIMARY KEY,\n  email VARCHAR(100) NOT NULL,\n  bio text,\n  price numeric(10,2),\n  ip cidr,\n  flags bit varying(8),\n  created_at timestamp(3),\n  code char(4)\n);",
    );

    #[track_caller]
    fn err(sql: &str) -> String {
        assert_err_files(RULE, &[USERS, ("000002_change.up.sql", sql)])
    }

    #[track_caller]
    fn ok(sql: &str) {
        assert_ok_files(RULE, &[USERS, ("000002_change.up.sql", sql)])
    }

    fn ty(s: &str) -> SqlType {
        let f = crate::parse::parse_file("x.sql", &format!("CREATE TABLE t (c {s})"));
        let pg_query::NodeEnum::CreateStmt(c) = &f.statements[0].node else {
            panic!()
        };
        let Some(pg_query::NodeEnum::ColumnDef(d)) = c.table_elts[0].node.as_ref() else {
            panic!()
        };
        SqlType::from_type_name(d.type_name.as_ref().unwrap())
    }

    #[test]
    fn known_rewrite_err() {
        insta::assert_snapshot!(err(
            "-- emails become ids\nALTER TABLE users\n  ALTER COLUMN email TYPE integer;"
        ));
    }

    #[test]
    fn shrinking_varchar_err() {
        insta::assert_snapshot!(err("ALTER TABLE users ALTER email TYPE varchar(50);"));
    }

    #[test]
    fn unknown_old_type_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE accounts ALTER COLUMN name TYPE text;"
        ));
        let out = err("ALTER TABLE users ALTER COLUMN nickname TYPE varchar(20);");
        assert!(out.contains("users has no column nickname"), "{out}");
        assert!(out.contains("varchar(n) with n ≤ 20"), "{out}");
    }

    #[test]
    fn using_err() {
        let out = err("ALTER TABLE users ALTER COLUMN email TYPE text USING lower(email);");
        assert!(out.contains("USING"), "{out}");
    }

    #[test]
    fn using_the_column_itself_ok() {
        ok("ALTER TABLE users ALTER COLUMN email TYPE text USING email::text;");
        ok("ALTER TABLE users ALTER COLUMN email TYPE varchar(200) USING email::varchar(200);");
        ok("ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2) USING price;");
        err("ALTER TABLE users ALTER COLUMN email TYPE text USING email::varchar(10)::text;");
    }

    #[test]
    fn binary_coercible_ok() {
        ok("ALTER TABLE users ALTER COLUMN email TYPE varchar(200);");
        ok("ALTER TABLE users ALTER COLUMN email TYPE character varying(100);");
        ok("ALTER TABLE users ALTER COLUMN email TYPE text;");
        ok("ALTER TABLE users ALTER COLUMN email TYPE varchar;");
        ok("ALTER TABLE users ALTER COLUMN bio TYPE varchar;");
        ok("ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);");
        ok("ALTER TABLE users ALTER COLUMN price TYPE decimal;");
        ok("ALTER TABLE users ALTER COLUMN ip TYPE inet;");
        ok("ALTER TABLE users ALTER COLUMN flags TYPE varbit(16);");
        ok("ALTER TABLE users ALTER COLUMN created_at TYPE timestamp(6);");
        ok("ALTER TABLE users ALTER COLUMN id TYPE int4;");
        ok("ALTER TABLE users ALTER COLUMN id SET DATA TYPE integer;");
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE t (id serial, big bigserial);",
                ),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE t ALTER id TYPE int, ALTER big TYPE bigint;",
                ),
            ],
        );
    }

    #[test]
    fn non_coercible_err() {
        err("ALTER TABLE users ALTER COLUMN id TYPE bigint;");
        let out = assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE t (id serial);"),
                ("000002_b.up.sql", "ALTER TABLE t ALTER id TYPE bigint;"),
            ],
        );
        assert!(out.contains("integer → bigint"), "{out}");
        err("ALTER TABLE users ALTER COLUMN bio TYPE varchar(10);");
        err("ALTER TABLE users ALTER COLUMN price TYPE numeric(12,3);");
        err("ALTER TABLE users ALTER COLUMN price TYPE numeric(8,2);");
        err("ALTER TABLE users ALTER COLUMN code TYPE char(8);");
        err("ALTER TABLE users ALTER COLUMN code TYPE text;");
        err("ALTER TABLE users ALTER COLUMN email TYPE varchar(100)[];");
        err("ALTER TABLE users ALTER COLUMN email TYPE varchar(200) COLLATE \"C\";");
    }

    #[test]
    fn timestamp_to_timestamptz() {
        insta::assert_snapshot!(err(
            "ALTER TABLE users ALTER COLUMN created_at TYPE timestamptz;"
        ));
        ok("SET TimeZone = 'UTC';\nALTER TABLE users ALTER COLUMN created_at TYPE timestamptz;");
        ok("SET TIME ZONE 'Etc/UTC'; ALTER TABLE users ALTER COLUMN created_at TYPE timestamp with time zone;");
        err("SET TIME ZONE 'UTC'; RESET timezone; ALTER TABLE users ALTER COLUMN created_at TYPE timestamptz;");
        err("SET TIME ZONE 'Europe/Paris'; ALTER TABLE users ALTER COLUMN created_at TYPE timestamptz;");
        // Before 12 the time zone does not help.
        let files = [
            USERS,
            (
                "000002_change.up.sql",
                "SET TimeZone = 'UTC';\nALTER TABLE users ALTER COLUMN created_at TYPE timestamptz;",
            ),
        ];
        assert_eq!(lint_pg(RULE, 11, &files).len(), 1);
    }

    /// A domain and its base type are binary coercible both ways: to a
    /// domain that checks nothing, or out of any domain, the change is
    /// catalog-only (checked by relfilenode in `locks_match_postgres.rs`);
    /// into a domain with a CHECK every value is checked.
    #[test]
    fn domains_are_judged_as_their_base_type() {
        let files = |up| {
            [
                (
                    "1_a.up.sql",
                    "CREATE DOMAIN email AS text;\nCREATE DOMAIN short AS varchar(20);\n\
                     CREATE DOMAIN handle AS email;\nCREATE DOMAIN positive AS int CHECK (VALUE > 0);\n\
                     CREATE TABLE t (a text, b email, c varchar(20), d int, e positive);",
                ),
                ("2_b.up.sql", up),
            ]
        };
        for ok in [
            "ALTER TABLE t ALTER COLUMN a TYPE email;",
            "ALTER TABLE t ALTER COLUMN a TYPE handle;",
            "ALTER TABLE t ALTER COLUMN b TYPE text;",
            "ALTER TABLE t ALTER COLUMN c TYPE short;",
            "ALTER TABLE t ALTER COLUMN e TYPE int;",
        ] {
            assert_ok_files(RULE, &files(ok));
        }
        for err in [
            "ALTER TABLE t ALTER COLUMN d TYPE positive;",
            "ALTER TABLE t ALTER COLUMN a TYPE short;",
        ] {
            assert_err_files(RULE, &files(err));
        }
    }

    /// citext's casts from and to text and varchar are binary: the rows
    /// stay, and only the indexes on the column are built again (checked
    /// by relfilenode on PostgreSQL 15: table kept, each index new, also
    /// for an unnamed index and a unique constraint's); a limit added
    /// rewrites as for varchar.
    #[test]
    fn citext_rebuilds_only_indexes() {
        let files = |up: &'static str| {
            [
                (
                    "1_a.up.sql",
                    "CREATE EXTENSION IF NOT EXISTS citext;
\
                     CREATE TABLE t (a text, b varchar(50), c citext, d text, e citext, f text UNIQUE);
\
                     CREATE INDEX t_d_idx ON t (d);
CREATE INDEX ON t (e);",
                ),
                ("2_b.up.sql", up),
            ]
        };
        for ok in [
            "ALTER TABLE t ALTER COLUMN a TYPE citext;",
            "ALTER TABLE t ALTER COLUMN b TYPE citext;",
            "ALTER TABLE t ALTER COLUMN c TYPE text;",
            "ALTER TABLE t ALTER COLUMN c TYPE varchar;",
        ] {
            assert_ok_files(RULE, &files(ok));
        }
        for (up, index) in [
            ("ALTER TABLE t ALTER COLUMN d TYPE citext;", "t_d_idx"),
            ("ALTER TABLE t ALTER COLUMN e TYPE text;", "t_e_idx"),
            ("ALTER TABLE t ALTER COLUMN f TYPE citext;", "t_f_key"),
        ] {
            let out = assert_err_files(RULE, &files(up));
            assert!(
                out.contains("the rows stay, but PostgreSQL rebuilds every index")
                    && out.contains(index),
                "{out}"
            );
        }
        let out = assert_err_files(
            RULE,
            &files("ALTER TABLE t ALTER COLUMN c TYPE varchar(10);"),
        );
        assert!(out.contains("PostgreSQL rewrites t"), "{out}");
    }

    #[test]
    fn judgements() {
        let j = |a: &str, b: &str| judge(&ty(a), &ty(b), 15);
        assert_eq!(j("varchar(10)", "varchar(10)"), Verdict::Safe);
        assert_eq!(j("numeric(10)", "numeric(10,0)"), Verdict::Safe);
        assert_eq!(j("numeric(10,2)", "numeric"), Verdict::Safe);
        assert!(matches!(j("numeric", "numeric(10,2)"), Verdict::Rewrite(_)));
        assert!(matches!(j("varchar", "varchar(10)"), Verdict::Rewrite(_)));
        assert!(matches!(j("inet", "cidr"), Verdict::Rewrite(_)));
        assert!(matches!(j("text", "varchar(10)"), Verdict::Rewrite(_)));
        assert!(matches!(j("int", "bigint"), Verdict::Rewrite(_)));
        assert!(matches!(j("json", "jsonb"), Verdict::Rewrite(_)));
        assert_eq!(j("timestamp", "timestamptz"), Verdict::TimeZone);
        assert_eq!(j("timestamptz(3)", "timestamp"), Verdict::TimeZone);
        assert!(matches!(
            j("timestamp", "timestamptz(3)"),
            Verdict::Rewrite(_)
        ));
        assert_eq!(j("text[]", "text[]"), Verdict::Safe);
        assert!(matches!(j("varchar(5)[]", "text[]"), Verdict::Rewrite(_)));
        assert!(matches!(
            judge(&ty("timestamp"), &ty("timestamptz"), 11),
            Verdict::Rewrite(_)
        ));
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a varchar(10));\nALTER TABLE t ALTER COLUMN a TYPE integer USING a::integer;",
        );
    }

    #[test]
    fn quoted_and_qualified_names() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE \"App\".\"Users\" (\"Name\" varchar(10));",
                ),
                (
                    "000002_b.up.sql",
                    "alter table \"App\".\"Users\" alter column \"Name\" type text;",
                ),
            ],
        );
        let out = assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE \"App\".\"Users\" (\"Name\" varchar(10));",
                ),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE \"App\".\"Users\" ALTER COLUMN name TYPE text;",
                ),
            ],
        );
        assert!(out.contains("has no column name"), "{out}");
    }

    #[test]
    fn type_changed_in_earlier_migration_is_tracked() {
        let diags = lint_pg(
            RULE,
            15,
            &[
                USERS,
                (
                    "000002_a.up.sql",
                    "ALTER TABLE users ALTER COLUMN id TYPE bigint;",
                ),
                (
                    "000003_b.up.sql",
                    "ALTER TABLE users ALTER COLUMN id TYPE int8;",
                ),
            ],
        );
        let files: Vec<&str> = diags.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(files, ["000002_a.up.sql"]);
    }
}
