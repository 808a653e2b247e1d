use pg_query::protobuf::{AlterTableType, ConstrType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::locks::LockMode;
use crate::model::names::{quote_ident, string_list};
use crate::model::volatility::volatile_call;
use crate::model::Kind;
use crate::model::TableState;
use crate::rules::helpers::{alter_table, cmds, column_facts, default_text, holds_data, subtype};
use crate::rules::Check;

declare_rule!(
    "set-not-null-scan",
    Locking,
    Error,
    "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists",
    Check::Statement(check),
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
    for (i, cmd) in cmds(s).enumerate() {
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let (columns, span, what) = match (subtype(cmd), def) {
            (AlterTableType::AtSetNotNull, _) => {
                (vec![cmd.name.clone()], cx.cmd_span(i), "SET NOT NULL")
            }
            // PostgreSQL 18: `ADD CONSTRAINT name NOT NULL col [NOT VALID]`.
            (AlterTableType::AtAddConstraint, Some(NodeEnum::Constraint(c)))
                if ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrNotnull)
                    && !c.skip_validation =>
            {
                (
                    string_list(&c.keys),
                    cx.clause_span(c.location),
                    "ADD CONSTRAINT ... NOT NULL",
                )
            }
            _ => continue,
        };
        for column in columns {
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
                t.constraints.iter().any(|c| {
                    !c.validated && c.not_null_check_of.as_deref() == Some(column.as_str())
                })
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
            let help = if let Some(added) = added_here {
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
            out.report(span, message).help(help);
        }
    }
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
            if volatile_call(default).is_some() || facts.computed_per_row() {
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

    const USERS: (&str, &str) = (
        "000001_users.up.sql",
        "CREATE TABLE users (id int NOT NULL, email text);",
    );

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
    fn drop_not_null_ok() {
        assert_ok(RULE, "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;");
    }
}
