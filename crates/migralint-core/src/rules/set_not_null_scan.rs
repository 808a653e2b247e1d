use pg_query::protobuf::AlterTableType;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::effects::{Contents, Effect};
use crate::model::locks::LockMode;
use crate::model::names::quote_ident;
use crate::model::volatility::volatile_call_in;
use crate::model::Kind;
use crate::model::QualName;
use crate::model::TableState;
use crate::rules::fixes;
use crate::rules::helpers::{
    alter_table, cmds, column_facts, default_text, holds_data, made_not_null, subtype, NotNullBy,
};
use crate::rules::Check;

declare_rule!(
    "set-not-null-scan",
    Locking,
    Error,
    "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists",
    Check::Statement(check),
    // The CHECK and foreign-key checks of the same ALTER TABLE run under
    // the ACCESS EXCLUSIVE it takes (a CHECK in the very same scan:
    // `seq_scan` counted on PostgreSQL 15): one finding.
    subsumes = &[
        "hold-exclusive-lock-across-statements",
        "constraint-missing-not-valid"
    ],
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    // A table holding only the few rows this file inserted: the scan is
    // cheap, but it fails when one of them is NULL in the column.
    let few_non_null = if holds_data(cx, &table) {
        None
    } else {
        match cx.contents(&table) {
            Contents::Few { non_null } => Some(non_null),
            _ => return,
        }
    };
    let state = cx.table_state(&table);
    for (i, by, columns, span) in made_not_null(cx, s, &table) {
        let what = by.what();
        match by {
            // Its index build is what `require-unique-index-for-constraint`
            // reports.
            NotNullBy::PrimaryKey => continue,
            // PostgreSQL sets the index's columns NOT NULL, scanning for
            // NULLs (though the index was built concurrently). Only where
            // the model knows the table.
            NotNullBy::PrimaryKeyUsingIndex if !matches!(state, TableState::Existing(_)) => {
                continue
            }
            _ => {}
        }
        for column in columns {
            if let Some(non_null) = &few_non_null {
                let not_null = state
                    .table()
                    .and_then(|t| t.column(&column))
                    .is_some_and(|c| c.not_null);
                if !not_null && !non_null.contains(&column) {
                    out.report(
                        span,
                        format!(
                            "{what} on {}: the rows this file inserted into {table} may hold NULL in it (only a non-NULL \
                             constant, or a non-NULL default, in every row rules that out), and then it fails with `column \"{column}\" of relation \
                             \"{}\" contains null values`",
                            quote_ident(&column),
                            table.name
                        ),
                    )
                    .help(format!(
                        "give {} a non-NULL value in every row the file inserts (or a DEFAULT before the inserts)",
                        quote_ident(&column)
                    ));
                }
                continue;
            }
            if let TableState::Existing(t) = state {
                let col = t.column(&column);
                // Already NOT NULL: PostgreSQL skips the scan.
                if col.is_some_and(|c| c.not_null) {
                    continue;
                }
                if cx.options.pg_version >= 12 && t.has_valid_not_null_check(&column) {
                    continue;
                }
            }
            let col = quote_ident(&column);
            let lock = format!(
                "{} on {table} ({}; scans the whole table)",
                LockMode::AccessExclusive,
                LockMode::AccessExclusive.blocks()
            );
            let has_unvalidated = state.table().is_some_and(|t| {
                t.constraints
                    .iter()
                    .any(|c| !c.validated && c.not_null_check_of.contains(&column))
            });
            let message = if cx.options.pg_version < 12 {
                format!(
                    "{what} on {col} takes {lock} to check every row (before PostgreSQL 12 there is no way to skip this scan)"
                )
            } else if has_unvalidated {
                format!(
                    "{what} on {col} takes {lock}: the CHECK ({col} IS NOT NULL) on {table} is still NOT VALID, so PostgreSQL cannot \
                     use it to skip the scan"
                )
            } else {
                format!("{what} on {col} takes {lock} to check that no row is NULL")
            };
            let check_name = quote_ident(&format!("{}_{}_not_null", table.name, column));
            let added_here = if cx.options.pg_version >= 11 {
                added_with_constant_default(cx, &table, &column, i)
            } else {
                None
            };
            let help = if let Some(added) = &added_here {
                format!(
                    "{col} is added earlier in this file with a constant default: declare it NOT NULL right there instead \
                     (`ALTER TABLE {table} ADD COLUMN {added} NOT NULL`): with a constant default, PostgreSQL 11+ neither rewrites \
                     nor scans the table"
                )
            } else if cx.options.pg_version >= 12 {
                format!(
                    "1. `ALTER TABLE {table} ADD CONSTRAINT {check_name} CHECK ({col} IS NOT NULL) NOT VALID;` (brief lock, no scan); \
                     2. in a later migration: `ALTER TABLE {table} VALIDATE CONSTRAINT {check_name};` (SHARE UPDATE EXCLUSIVE: reads \
                     and writes go on during the scan); 3. `ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;` (PostgreSQL 12+ \
                     sees the valid check and skips the scan); 4. `ALTER TABLE {table} DROP CONSTRAINT {check_name};`"
                )
            } else {
                format!(
                    "the scan-free recipe (`CHECK ({col} IS NOT NULL) NOT VALID`, `VALIDATE CONSTRAINT`, `SET NOT NULL`, drop the \
                     check) needs PostgreSQL 12+. On PostgreSQL {}: keep the validated CHECK constraint instead of NOT NULL, or \
                     run SET NOT NULL off-hours with a short lock_timeout",
                    cx.options.pg_version
                )
            };
            let is_set_not_null = by == NotNullBy::SetNotNull;
            let fix = (is_set_not_null && added_here.is_none())
                .then(|| fix(cx, &table, &column, i))
                .flatten();
            out.report(span, message).help(help).fix_opt(fix);
        }
    }
}

/// The scan-free recipe (PostgreSQL 12+), for an `ALTER TABLE` whose only
/// subcommand is this `SET NOT NULL`, last statement of its file: the
/// subcommand becomes `ADD CONSTRAINT {table}_{col}_not_null CHECK (col IS
/// NOT NULL) NOT VALID`, and a new migration right after this one
/// (`fixes::later_version`) validates it (SHARE UPDATE EXCLUSIVE: the scan
/// lets reads and writes go on), sets NOT NULL (no scan: the check is
/// valid) and drops the check, after the prelude `SET lock_timeout`
/// (`require-lock-timeout`). Unsafe: one more version to deploy, and the
/// column takes NULLs until it runs (the check rejects new ones, though).
fn fix(cx: &StmtCx, table: &QualName, column: &str, cmd_index: usize) -> Option<FixSpec> {
    let (s, _) = alter_table(&cx.stmt.node)?;
    if cx.options.pg_version < 12
        || cmds(s).count() != 1
        || cx.stmt_index + 1 != cx.stmt_count()
        || !fixes::splittable(cx)
        || cx.tx.in_explicit_tx
    {
        return None;
    }
    // A table no migration created: the model cannot follow the check, so
    // the new migration's SET NOT NULL would be reported again.
    let TableState::Existing(t) = cx.table_state(table) else {
        return None;
    };
    let version = fixes::later_version(cx, 1)?;
    let raw = format!("{}_{}_not_null", table.name, column);
    let taken = t
        .constraints
        .iter()
        .any(|c| c.name.as_deref() == Some(raw.as_str()));
    if raw.len() > 63 || taken {
        return None;
    }
    let name = quote_ident(&raw);
    let col = quote_ident(column);
    let first = cx.tokens().first()?;
    let upper = cx.text(first.span()) == "ALTER";
    let sql = |text: String| {
        if upper {
            text
        } else {
            text.replace("ALTER TABLE", "alter table")
                .replace("ADD CONSTRAINT", "add constraint")
                .replace("VALIDATE CONSTRAINT", "validate constraint")
                .replace("ALTER COLUMN", "alter column")
                .replace("SET NOT NULL", "set not null")
                .replace("DROP CONSTRAINT IF EXISTS", "drop constraint if exists")
                .replace("IS NOT NULL) NOT VALID", "is not null) not valid")
                .replace("CHECK (", "check (")
        }
    };
    let add = sql(format!(
        "ADD CONSTRAINT {name} CHECK ({col} IS NOT NULL) NOT VALID"
    ));
    let later = sql(format!(
        "ALTER TABLE {table} VALIDATE CONSTRAINT {name};\n\
         ALTER TABLE {table} ALTER COLUMN {col} SET NOT NULL;\n\
         ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};\n"
    ));
    let prelude = crate::rules::require_lock_timeout::PRELUDE;
    let file = cx
        .file
        .name
        .map(|n| format!("{}_{}", n.version_text, n.title))?;
    let note = format!("split off {file} by a fix: the down migration of {file} undoes it");
    let cmd = cx.cmd_span(cmd_index);
    if !cx.file.neighbours.has_down {
        let fix = FixSpec::new(
            format!(
                "add a NOT VALID CHECK ({col} IS NOT NULL) instead; validate it, set NOT NULL and drop it in a new migration of version {version}"
            ),
            Applicability::Unsafe,
        )
        .replace(cmd, add);
        return fixes::create_pair(
            fix,
            cx,
            &version,
            "set_not_null",
            format!("{prelude}{later}"),
            &note,
        );
    }
    // With downs, the check goes to a migration of its own whose down drops
    // it: left in this file, this file's down (written for SET NOT NULL)
    // would leave it behind on a rollback. The statement leaves this file.
    let last = fixes::later_version(cx, 2)?;
    let from = if cx.stmt_index == 0 {
        0
    } else {
        fixes::end_with_semicolon(cx, cx.stmt_index - 1)
    };
    let to = fixes::end_with_semicolon(cx, cx.stmt_index);
    let stmt = cx.stmt.span;
    let add_stmt = format!(
        "{}{}{}",
        cx.text(crate::source::Span::new(stmt.start, cmd.start)),
        add,
        cx.text(crate::source::Span::new(cmd.end, stmt.end))
    );
    let leading = cx.text(crate::source::Span::new(from, stmt.start)).trim();
    let leading = if leading.is_empty() {
        String::new()
    } else {
        format!("{leading}\n")
    };
    let drop = sql(format!(
        "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name};\n"
    ));
    let moved = if from == 0 { "" } else { "\n" };
    let fix = FixSpec::new(
        format!(
            "move it to new migrations: a NOT VALID CHECK ({col} IS NOT NULL) in version {version}; validate it, set NOT NULL and drop it in version {last}"
        ),
        Applicability::Unsafe,
    )
    .replace(
        crate::source::Span::new(from, to),
        format!("{moved}-- moved to versions {version} and {last} by a fix (SET NOT NULL through a validated CHECK)"),
    );
    let fix = fixes::create_pair_with_down(
        fix,
        cx,
        &version,
        "not_null_check",
        format!("{prelude}{leading}{add_stmt};\n"),
        format!("{prelude}{drop}"),
    )?;
    fixes::create_pair(
        fix,
        cx,
        &last,
        "set_not_null",
        format!("{prelude}{later}"),
        &note,
    )
}

/// The `ADD COLUMN` of `column` earlier in this file (or earlier in this
/// statement), when its default is a non-NULL, non-volatile constant: its
/// text without constraints other than the default, e.g. `flag bool DEFAULT true`.
fn added_with_constant_default(
    cx: &StmtCx,
    table: &crate::model::QualName,
    column: &str,
    cmd_index: usize,
) -> Option<String> {
    for index in (0..=cx.stmt_index).rev() {
        // An earlier statement is looked at only when it adds the column.
        let adds = cx.facts_of(index).effects.iter().any(|e| {
            matches!(e, Effect::Create { obj, .. }
                if obj.kind == Kind::Column && obj.name.name == column
                    && obj.table.as_ref().is_some_and(|t| t.key() == table.key()))
        });
        if index != cx.stmt_index && !adds {
            continue;
        }
        let Some(stmt) = cx.statement(index) else {
            continue;
        };
        let stmt = &*stmt;
        let Some((s, t)) = alter_table(&stmt.node) else {
            continue;
        };
        if t.key() != table.key() {
            continue;
        }
        let limit = if index == cx.stmt_index {
            cmd_index
        } else {
            usize::MAX
        };
        for cmd in cmds(s).take(limit) {
            let Some(NodeEnum::ColumnDef(c)) = cmd.def.as_deref().and_then(|d| d.node.as_ref())
            else {
                continue;
            };
            if subtype(cmd) != AlterTableType::AtAddColumn || c.colname != column {
                continue;
            }
            let facts = column_facts(c);
            let default = facts.default?;
            if volatile_call_in(default, Some(&cx.schema.functions)).is_some()
                || facts.computed_per_row()
            {
                return None;
            }
            let ty = c
                .type_name
                .as_ref()
                .map(|t| crate::model::SqlType::from_type_name(t).to_string())?;
            let expr = facts.default_at.and_then(|at| {
                let stmt_cx = StmtCx {
                    file: cx.file,
                    file_index: cx.file_index,
                    stmt,
                    stmt_index: index,
                    schema: cx.schema,
                    tx: cx.tx,
                    options: cx.options,
                };
                default_text(&stmt_cx, at)
            })?;
            return Some(format!("{} {ty} DEFAULT {expr}", quote_ident(column)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::rules::helpers::pg_testing::*;
    use crate::rules::testing::*;

    const RULE: &str = "set-not-null-scan";

    #[test]
    fn fix_goes_through_a_validated_check() {
        // A directory without downs: the check replaces SET NOT NULL here.
        let files = fixed_files(
            RULE,
            &[
                (
                    "db/000001_u.up.sql",
                    "CREATE TABLE users (id bigint, email text);",
                ),
                (
                    "db/000002_req.up.sql",
                    "-- required now\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\n",
                ),
            ],
        );
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        assert_eq!(
            files,
            [
                (
                    "db/000002_req.up.sql",
                    "-- required now\nALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n"
                ),
                (
                    "db/000003_req_set_not_null.up.sql",
                    "SET lock_timeout = '2s';\n\
                     ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n\
                     ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n\
                     ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_not_null;\n"
                ),
            ]
        );
    }

    #[test]
    fn with_downs_the_check_gets_a_migration_whose_down_drops_it() {
        // This file's down undoes SET NOT NULL, not a check: the check goes
        // to a migration of its own, with a down that drops it.
        let files = fixed_files(
            RULE,
            &[
                ("db/000001_u.up.sql", "CREATE TABLE users (id bigint, email text);"),
                ("db/000001_u.down.sql", "DROP TABLE users;"),
                (
                    "db/000002_req.up.sql",
                    "SET lock_timeout = '1s';\n-- required now\nALTER TABLE ONLY users ALTER COLUMN email SET NOT NULL;\n",
                ),
                ("db/000002_req.down.sql", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n"),
            ],
        );
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        assert_eq!(
            files,
            [
                (
                    "db/000002_req.up.sql",
                    "SET lock_timeout = '1s';\n-- moved to versions 000003 and 000004 by a fix (SET NOT NULL through a validated CHECK)\n"
                ),
                (
                    "db/000003_req_not_null_check.up.sql",
                    "SET lock_timeout = '2s';\n-- required now\n\
                     ALTER TABLE ONLY users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n"
                ),
                (
                    "db/000003_req_not_null_check.down.sql",
                    "SET lock_timeout = '2s';\nALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_not_null;\n"
                ),
                (
                    "db/000004_req_set_not_null.up.sql",
                    "SET lock_timeout = '2s';\n\
                     ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n\
                     ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n\
                     ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_not_null;\n"
                ),
                (
                    "db/000004_req_set_not_null.down.sql",
                    "-- split off 000002_req by a fix: the down migration of 000002_req undoes it\n"
                ),
            ]
        );
        // No rule fires more than before (the pairing rules above all).
        let count = |set: &[(&str, &str)]| {
            let sources: Vec<crate::SourceFile> = set
                .iter()
                .map(|(p, t)| crate::SourceFile::new(*p, *t))
                .collect();
            let mut n = std::collections::BTreeMap::new();
            for d in crate::lint(&sources, &crate::LintOptions::default()).diagnostics {
                *n.entry(d.rule).or_insert(0) += 1;
            }
            n
        };
        let kept = [
            (
                "db/000001_u.up.sql",
                "CREATE TABLE users (id bigint, email text);",
            ),
            ("db/000001_u.down.sql", "DROP TABLE users;"),
            (
                "db/000002_req.down.sql",
                "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n",
            ),
        ];
        let mut before = kept.to_vec();
        before.push((
            "db/000002_req.up.sql",
            "SET lock_timeout = '1s';\n-- required now\nALTER TABLE ONLY users ALTER COLUMN email SET NOT NULL;\n",
        ));
        let mut after = kept.to_vec();
        after.extend(files.iter().copied());
        let (before, after) = (count(&before), count(&after));
        for (rule, n) in &after {
            assert!(
                *n <= before.get(rule).copied().unwrap_or(0),
                "{rule}: {before:?} -> {after:?}"
            );
        }
        assert!(!after.contains_key("set-not-null-scan"), "{after:?}");
    }

    #[test]
    fn fix_keeps_lower_case() {
        let files = fixed_files(
            RULE,
            &[
                ("000001_t.up.sql", "create table t (\"C\" int);"),
                (
                    "000002_t.up.sql",
                    "alter table only t alter column \"C\" set not null",
                ),
            ],
        );
        assert_eq!(
            files[0].1,
            "alter table only t add constraint \"t_C_not_null\" check (\"C\" is not null) not valid"
        );
        assert!(files[1]
            .1
            .contains("alter table t drop constraint if exists \"t_C_not_null\";\n"));
    }

    #[test]
    fn no_fix_when_the_recipe_does_not_fit() {
        // A table no migration created, other subcommands, other
        // statements after it, before PostgreSQL 12, a transaction block,
        // the check's name taken.
        assert_eq!(
            fixed(RULE, "ALTER TABLE t ALTER COLUMN c SET NOT NULL;"),
            None
        );
        let with_t = |sql: &str| {
            fixed_files(
                RULE,
                &[
                    ("000001_a.up.sql", "CREATE TABLE t (c int, d int);"),
                    ("000002_b.up.sql", sql),
                ],
            )
        };
        assert!(with_t("ALTER TABLE t ALTER COLUMN c SET NOT NULL, ADD COLUMN e int;").is_empty());
        assert!(with_t("ALTER TABLE t ALTER COLUMN c SET NOT NULL;\nSELECT 1;").is_empty());
        assert!(with_t("BEGIN;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\nCOMMIT;").is_empty());
        let d = lint_pg(
            RULE,
            11,
            &[
                ("000001_a.up.sql", "CREATE TABLE t (c int);"),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
                ),
            ],
        );
        assert!(d[0].fixes.is_empty());
        assert!(fixed_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE t (c int);\nALTER TABLE t ADD CONSTRAINT t_c_not_null CHECK (c > 0);"),
                ("000002_b.up.sql", "ALTER TABLE t ALTER COLUMN c SET NOT NULL;"),
            ]
        )
        .is_empty());
    }

    const USERS: (&str, &str) = (
        "000001_users.up.sql",
        "CREATE TABLE users (id int NOT NULL, email text);",
    );

    /// Rows the file inserted after emptying the table: what each sets
    /// the column to decides (each checked on PostgreSQL 15). A `VALUES`
    /// without a column list fills the columns in their order (a column
    /// added later comes last, a dropped one leaves no gap); a column not
    /// given, or given `DEFAULT`, gets its default.
    #[test]
    fn inserted_rows_by_position_and_default() {
        let files = |body: &'static str| {
            [
                (
                    "1_t.up.sql",
                    "CREATE TABLE t (id int, a int, b int);\nCREATE TABLE w (id int, a int DEFAULT 5, b int);",
                ),
                ("2_x.up.sql", body),
            ]
        };
        for body in [
            "TRUNCATE t;\nINSERT INTO t VALUES (1, 1, 1);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE t;\nINSERT INTO t VALUES (1, 1);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE w;\nINSERT INTO w DEFAULT VALUES;\nALTER TABLE w ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE w;\nINSERT INTO w VALUES (1);\nALTER TABLE w ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE w;\nINSERT INTO w (id, b) VALUES (1, 2);\nALTER TABLE w ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE w;\nINSERT INTO w VALUES (1, 1, 1), (2, DEFAULT, 2);\nALTER TABLE w ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE t;\nALTER TABLE t DROP COLUMN a;\nALTER TABLE t ADD COLUMN z int;\n\
             INSERT INTO t VALUES (1, 2, 3);\nALTER TABLE t ALTER COLUMN z SET NOT NULL;",
            "TRUNCATE t;\nINSERT INTO t DEFAULT VALUES;\nUPDATE t SET a = 1;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "CREATE TABLE n (LIKE t);\nINSERT INTO n VALUES (1, 2, 3);\nALTER TABLE n ALTER COLUMN a SET NOT NULL;",
        ] {
            assert_ok_files(RULE, &files(body));
        }
        for body in [
            "TRUNCATE t;\nINSERT INTO t VALUES (1, 1);\nALTER TABLE t ALTER COLUMN b SET NOT NULL;",
            "TRUNCATE t;\nINSERT INTO t DEFAULT VALUES;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE t;\nINSERT INTO t VALUES (1, DEFAULT, 1);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE t;\nINSERT INTO t VALUES (1, 1, 1), (2, NULL, 2);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "TRUNCATE t;\nINSERT INTO t DEFAULT VALUES;\nUPDATE t SET a = 1 WHERE id = 5;\n\
             ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        ] {
            let out = assert_err_files(RULE, &files(body));
            assert!(out.contains("may hold NULL"), "{out}");
        }
    }

    #[test]
    fn set_not_null_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_email_required.up.sql",
                    "ALTER TABLE users\n  ALTER COLUMN id DROP DEFAULT,\n  ALTER COLUMN email SET NOT NULL;"
                ),
            ]
        ));
    }

    #[test]
    fn validated_check_in_earlier_migrations_ok() {
        assert_ok_files(
            RULE,
            &[
                USERS,
                (
                    "000002_check.up.sql",
                    "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;",
                ),
                (
                    "000003_validate.up.sql",
                    "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;",
                ),
                (
                    "000004_set.up.sql",
                    "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;",
                ),
            ],
        );
    }

    /// A term of an AND proves it too (PostgreSQL 15 skips the scan:
    /// "existing constraints are sufficient to prove column is not null").
    #[test]
    fn validated_check_with_more_terms_ok() {
        let files = |check: &'static str| {
            [
                (
                    "000001_t.up.sql",
                    "CREATE TABLE t (id int, a text, b text, c text);",
                ),
                ("000002_check.up.sql", check),
                (
                    "000003_set.up.sql",
                    "ALTER TABLE t ALTER COLUMN a SET NOT NULL, ALTER COLUMN b SET NOT NULL;",
                ),
            ]
        };
        assert_ok_files(
            RULE,
            &files("ALTER TABLE t ADD CONSTRAINT t_ab CHECK (a IS NOT NULL AND b IS NOT NULL AND b <> '') NOT VALID;\n\
                    ALTER TABLE t VALIDATE CONSTRAINT t_ab;"),
        );
        assert_err_files(
            RULE,
            &files("ALTER TABLE t ADD CONSTRAINT t_ab CHECK (a IS NOT NULL OR b IS NOT NULL) NOT VALID;\n\
                    ALTER TABLE t VALIDATE CONSTRAINT t_ab;"),
        );
    }

    #[test]
    fn validated_earlier_in_same_file_ok() {
        assert_ok_files(
            RULE,
            &[
                USERS,
                (
                    "000002_check.up.sql",
                    "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;",
                ),
                (
                    "000003_set.up.sql",
                    "ALTER TABLE users VALIDATE CONSTRAINT c;\nALTER TABLE users ALTER email SET NOT NULL;",
                ),
            ],
        );
    }

    #[test]
    fn check_not_yet_validated_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_check.up.sql",
                    "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;",
                ),
                (
                    "000003_set.up.sql",
                    "ALTER TABLE users ALTER email SET NOT NULL;"
                ),
            ],
        ));
    }

    #[test]
    fn check_does_not_help_before_pg12() {
        let files = [
            USERS,
            (
                "000002_check.up.sql",
                "ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL);",
            ),
            (
                "000003_set.up.sql",
                "ALTER TABLE users ALTER email SET NOT NULL;",
            ),
        ];
        assert_eq!(lint_pg(RULE, 11, &files).len(), 1);
        assert!(lint_pg(RULE, 12, &files).is_empty());
        insta::assert_snapshot!(assert_err_pg(
            RULE,
            11,
            "ALTER TABLE users ALTER email SET NOT NULL;"
        ));
    }

    #[test]
    fn check_on_other_column_err() {
        assert_err_files(
            RULE,
            &[
                USERS,
                (
                    "000002_check.up.sql",
                    "ALTER TABLE users ADD CONSTRAINT c CHECK (id IS NOT NULL);\nALTER TABLE users ALTER email SET NOT NULL;",
                ),
            ],
        );
    }

    #[test]
    fn already_not_null_ok() {
        assert_ok_files(
            RULE,
            &[
                USERS,
                (
                    "000002_x.up.sql",
                    "ALTER TABLE users ALTER COLUMN id SET NOT NULL;",
                ),
            ],
        );
    }

    #[test]
    fn not_null_copied_by_like_ok() {
        // LIKE copies NOT NULL always, a CHECK with INCLUDING CONSTRAINTS.
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE s (id int NOT NULL, email text);\n\
                     ALTER TABLE s ADD CONSTRAINT s_email_nn CHECK (email IS NOT NULL) NOT VALID;\n\
                     CREATE TABLE t (LIKE s);\nCREATE TABLE u (LIKE s INCLUDING CONSTRAINTS);",
                ),
                (
                    "000002_x.up.sql",
                    "ALTER TABLE t ALTER COLUMN id SET NOT NULL;\nALTER TABLE u ALTER COLUMN email SET NOT NULL;",
                ),
            ],
        );
        // Without INCLUDING CONSTRAINTS the CHECK stays behind.
        assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE s (email text, CONSTRAINT s_email_nn CHECK (email IS NOT NULL));\n\
                     CREATE TABLE t (LIKE s INCLUDING DEFAULTS);",
                ),
                (
                    "000002_x.up.sql",
                    "ALTER TABLE t ALTER COLUMN email SET NOT NULL;",
                ),
            ],
        );
    }

    #[test]
    fn pg18_not_null_constraint() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;"
        ));
        assert_ok(
            RULE,
            "ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;",
        );
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE \"Users\" (email text);\nALTER TABLE \"Users\" ALTER COLUMN email SET NOT NULL;",
        );
        assert_err(
            RULE,
            "CREATE TABLE \"Users\" (email text);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        );
    }

    #[test]
    fn added_with_constant_default_earlier_in_file() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE inquiry\n  ADD COLUMN only_local boolean DEFAULT TRUE,\n  ADD COLUMN note text;\nALTER TABLE inquiry ALTER COLUMN only_local SET NOT NULL;"
        ));
        let out = assert_err(
            RULE,
            "ALTER TABLE t ADD COLUMN a uuid DEFAULT gen_random_uuid();\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        );
        assert!(out.contains("CHECK (a IS NOT NULL) NOT VALID"), "{out}");
    }

    #[test]
    fn primary_key_using_index_on_nullable_column_err() {
        let files = |pk: &str| {
            [
                (
                    "1_a.up.sql",
                    "CREATE TABLE events (id bigint, body text);".to_string(),
                ),
                (
                    "2_b.up.sql",
                    "CREATE UNIQUE INDEX CONCURRENTLY events_pkey_idx ON events (id);".to_string(),
                ),
                ("3_c.up.sql", pk.to_string()),
            ]
        };
        let f = files("ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey_idx;");
        let f: Vec<(&str, &str)> = f.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let out = assert_err_files(RULE, &f);
        assert!(
            out.contains("ADD PRIMARY KEY USING INDEX") && out.contains("on id "),
            "{out}"
        );
        // Already NOT NULL: no scan.
        let f = files(
            "ALTER TABLE events ALTER COLUMN id SET NOT NULL;\n\
             ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey_idx;",
        );
        let f: Vec<(&str, &str)> = f.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let diags = lint_files(RULE, &f);
        assert_eq!(
            diags.iter().filter(|d| d.rule == RULE).count(),
            1,
            "only the SET NOT NULL"
        );
    }

    #[test]
    fn drop_not_null_ok() {
        assert_ok(RULE, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;");
    }
}
