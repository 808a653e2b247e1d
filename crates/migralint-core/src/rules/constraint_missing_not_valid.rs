use pg_query::protobuf::{AlterTableType, ConstrType, Constraint};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::effects::{Effect, Shape};
use crate::model::QualName;
use crate::rules::fixes;
use crate::rules::helpers::{alter_table, cmds, describe_lock, holds_data, subtype};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "constraint-missing-not-valid",
    Locking,
    Error,
    "ADD CONSTRAINT ... CHECK or FOREIGN KEY (of a table, or CHECK of a domain in use) without NOT VALID checks every row while holding a blocking lock",
    Check::Statement(check),
    subsumes = &["hold-exclusive-lock-across-statements"],
    // PostgreSQL checks every new constraint of one ALTER TABLE in one
    // scan (`seq_scan` counted on PostgreSQL 15): one finding.
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if let NodeEnum::AlterDomainStmt(d) = &cx.stmt.node {
        return domain_check(cx, d, out);
    }
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    if !holds_data(cx, &table) {
        return;
    }
    for (i, cmd) in cmds(s).enumerate() {
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        match (subtype(cmd), def) {
            (AlterTableType::AtAddConstraint, Some(NodeEnum::Constraint(c))) => {
                add_constraint(cx, &table, c, out)
            }
            // `ADD COLUMN c ... CHECK (...)`: an inline CHECK cannot be NOT
            // VALID, and PostgreSQL checks every row under the ADD's lock.
            (AlterTableType::AtAddColumn, Some(NodeEnum::ColumnDef(col)))
                if !cx.schema.skips_add_column(&table, cmd) =>
            {
                // A column with a value for every row (a DEFAULT, even
                // NULL; identity, generated, serial): PostgreSQL 15 checks
                // an inline REFERENCES on every row too. Without one, the
                // new column is NULL everywhere and the check is skipped.
                let filled = col.raw_default.is_some()
                    || col
                        .type_name
                        .as_ref()
                        .is_some_and(|t| crate::model::SqlType::from_type_name(t).is_serial())
                    || crate::model::effects::column_constraints(col).any(|c| {
                        matches!(
                            ConstrType::try_from(c.contype),
                            Ok(ConstrType::ConstrDefault
                                | ConstrType::ConstrIdentity
                                | ConstrType::ConstrGenerated)
                        )
                    });
                for c in crate::model::effects::column_constraints(col) {
                    match ConstrType::try_from(c.contype) {
                        Ok(ConstrType::ConstrCheck) => {
                            inline_check(cx, &table, &col.colname, c, out)
                        }
                        Ok(ConstrType::ConstrForeign) if filled => {
                            inline_foreign_key(cx, &table, &col.colname, c, out)
                        }
                        _ => {}
                    }
                }
            }
            (AlterTableType::AtValidateConstraint, _) => {
                validate_constraint(cx, &table, &cmd.name, cx.cmd_span(i), i, out)
            }
            _ => {}
        }
    }
}

fn add_constraint(cx: &StmtCx, table: &QualName, c: &Constraint, out: &mut Findings) {
    if c.skip_validation {
        return;
    }
    let kind = ConstrType::try_from(c.contype);
    let (what, locks) = match kind {
        Ok(ConstrType::ConstrCheck) => ("CHECK", describe_lock(cx, table)),
        Ok(ConstrType::ConstrForeign) => {
            let mut locks = describe_lock(cx, table);
            if let Some(pk) = c.pktable.as_ref().map(QualName::from_range_var) {
                if pk.key() != table.key() {
                    locks = format!("{locks} and {}", describe_lock(cx, &pk));
                }
            }
            ("FOREIGN KEY", locks)
        }
        _ => return,
    };
    let span = cx.clause_span(c.location);
    let clause = cx.one_line(span);
    let name = if c.conname.is_empty() {
        String::new()
    } else {
        format!(" {}", crate::model::names::quote_ident(&c.conname))
    };
    let add = if c.conname.is_empty() {
        "ADD".to_string()
    } else {
        format!("ADD CONSTRAINT{name}")
    };
    let message =
        format!("{add} {what} without NOT VALID: checks every existing row while holding {locks}");
    let validate = if c.conname.is_empty() {
        format!(
            "give the constraint a name (`ADD CONSTRAINT <name> {what} ...`) so that a later migration can run \
             `ALTER TABLE {table} VALIDATE CONSTRAINT <name>;`"
        )
    } else {
        format!(
            "in a later migration: `ALTER TABLE {table} VALIDATE CONSTRAINT{name};` (SHARE UPDATE EXCLUSIVE: reads and writes go on \
             while it scans)"
        )
    };
    out.report(span, message)
        .help(format!(
            "1. `ALTER TABLE {table} ADD {clause} NOT VALID;` (a brief lock, no scan; new and updated rows are checked from now on); \
         2. {validate}"
        ))
        .fix_opt(fix(cx, table, c, span));
}

/// Appends `NOT VALID` to the constraint (in the statement's case) and
/// creates a migration right after this one that validates it
/// (`fixes::later_version`: version + 1, when free). Unsafe: a split is one
/// more version to deploy; until it runs, existing rows are not checked;
/// PostgreSQL before 18 refuses a NOT VALID foreign key on a partitioned
/// table, which the schema model does not know about. Only for a named
/// constraint (the validation names it), and not when this file goes on
/// to validate it (then in the same transaction: that is the rule's other
/// finding).
fn fix(cx: &StmtCx, table: &QualName, c: &Constraint, span: Span) -> Option<FixSpec> {
    if c.conname.is_empty() || validated_later(cx, table, &c.conname) {
        return None;
    }
    let version = fixes::later_version(cx, 1)?;
    let first = cx.tokens().first()?;
    let upper = cx.text(first.span()) == "ALTER";
    let name = crate::model::names::quote_ident(&c.conname);
    let validate = if upper {
        format!("ALTER TABLE {table} VALIDATE CONSTRAINT {name};\n")
    } else {
        format!("alter table {table} validate constraint {name};\n")
    };
    let fix = FixSpec::new(
        format!("add `NOT VALID` and validate {name} in a new migration of version {version}"),
        Applicability::Unsafe,
    )
    .insert(span.end, format!(" {}", fixes::cased("not valid", upper)));
    fixes::create_pair(
        fix,
        cx,
        &version,
        "validate",
        validate,
        "nothing to undo: VALIDATE CONSTRAINT only checks the existing rows",
    )
}

/// Moves a `VALIDATE CONSTRAINT` that is the last statement of its file,
/// and the only subcommand of its `ALTER TABLE`, to a new migration right
/// after this one (`fixes::alone`). Unsafe: one more version to deploy,
/// and until it runs the existing rows are not checked.
fn move_validation(cx: &StmtCx) -> Option<FixSpec> {
    let (s, _) = alter_table(&cx.stmt.node)?;
    if cmds(s).count() != 1 || !cx.file_has_other_statements() {
        return None;
    }
    fixes::alone(
        cx,
        "validate the constraint in a migration of its own",
        Applicability::Unsafe,
        Vec::new(),
        "validate",
    )
}

/// `ALTER DOMAIN d ADD [CONSTRAINT c] CHECK (...)` without NOT VALID: every
/// column of `d` (or of a domain based on it) in every table is checked,
/// each table under SHARE (PostgreSQL 15: writes wait). Reported when one
/// of those tables holds data.
fn domain_check(cx: &StmtCx, d: &pg_query::protobuf::AlterDomainStmt, out: &mut Findings) {
    let Some(NodeEnum::Constraint(c)) = d.def.as_deref().and_then(|n| n.node.as_ref()) else {
        return;
    };
    if d.subtype != "C"
        || c.skip_validation
        || ConstrType::try_from(c.contype) != Ok(ConstrType::ConstrCheck)
    {
        return;
    }
    let Some(domain) = QualName::from_list(&d.type_name) else {
        return;
    };
    let tables: Vec<QualName> = cx
        .schema
        .tables_using_domain(&domain)
        .into_iter()
        .filter(|t| holds_data(cx, t))
        .collect();
    if tables.is_empty() {
        return;
    }
    let locks: Vec<String> = tables.iter().map(|t| describe_lock(cx, t)).collect();
    let span = cx.clause_span(c.location);
    let clause = cx.one_line(span);
    let name = if c.conname.is_empty() {
        "<name>".to_string()
    } else {
        crate::model::names::quote_ident(&c.conname)
    };
    let clause = clause
        .strip_prefix(&format!("CONSTRAINT {} ", c.conname))
        .unwrap_or(&clause)
        .to_string();
    out.report(
        span,
        format!(
            "ALTER DOMAIN {domain} ADD CHECK without NOT VALID checks every existing value of the domain, in every table with a \
             column of it, while holding {}",
            locks.join(", ")
        ),
    )
    .help(format!(
        "1. `ALTER DOMAIN {domain} ADD CONSTRAINT {name} {clause} NOT VALID;` (no scan; new and updated values are checked \
         from now on); 2. in a later migration: `ALTER DOMAIN {domain} VALIDATE CONSTRAINT {name};`. Unlike a table's, a \
         domain's VALIDATE still holds SHARE on those tables while it scans (writes wait) up to PostgreSQL 18: run it at a \
         quiet time"
    ));
}

/// A later statement of this file validates constraint `name` of `table`.
fn validated_later(cx: &StmtCx, table: &QualName, name: &str) -> bool {
    cx.file.facts.validated_after(table, name, cx.stmt_index)
}

fn inline_check(cx: &StmtCx, table: &QualName, column: &str, c: &Constraint, out: &mut Findings) {
    let column = crate::model::names::quote_ident(column);
    let span = cx.clause_span(c.location);
    let check = cx.one_line(span);
    let name = if c.conname.is_empty() {
        format!("{}_{}_check", table.name, column.trim_matches('"'))
    } else {
        c.conname.clone()
    };
    let name = crate::model::names::quote_ident(&name);
    let check = check
        .strip_prefix(&format!("CONSTRAINT {} ", c.conname))
        .unwrap_or(&check)
        .to_string();
    out.report(
        span,
        format!(
            "ADD COLUMN {column} with an inline {check}: checks every existing row while holding {} (a CHECK written in \
             the column definition cannot be NOT VALID)",
            describe_lock(cx, table)
        ),
    )
    .help(format!(
        "1. add the column without the CHECK; 2. `ALTER TABLE {table} ADD CONSTRAINT {name} {check} NOT VALID;` (brief \
         lock, no scan); 3. in a later migration: `ALTER TABLE {table} VALIDATE CONSTRAINT {name};` (reads and writes go on)"
    ));
}

/// `ADD COLUMN c ... DEFAULT x REFERENCES t`: the existing rows get a
/// value, which PostgreSQL checks against `t` under the ADD's lock (an
/// inline foreign key cannot be NOT VALID).
fn inline_foreign_key(
    cx: &StmtCx,
    table: &QualName,
    column: &str,
    c: &Constraint,
    out: &mut Findings,
) {
    let quoted = crate::model::names::quote_ident(column);
    let span = cx.clause_span(c.location);
    let mut locks = describe_lock(cx, table);
    let pk = c.pktable.as_ref().map(QualName::from_range_var);
    if let Some(pk) = pk.as_ref().filter(|pk| pk.key() != table.key()) {
        locks = format!("{locks} and {}", describe_lock(cx, pk));
    }
    let target = pk.map_or_else(|| "<table>".to_string(), |pk| pk.to_string());
    let name = if c.conname.is_empty() {
        format!("{}_{}_fkey", table.name, column)
    } else {
        c.conname.clone()
    };
    let name = crate::model::names::quote_ident(&name);
    out.report(
        span,
        format!(
            "ADD COLUMN {quoted} with a value for every row and an inline REFERENCES: checks every existing row against \
             {target} while holding {locks} (a foreign key written in the column definition cannot be NOT VALID)"
        ),
    )
    .help(format!(
        "1. add the column without REFERENCES; 2. `ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({quoted}) \
         REFERENCES {target} NOT VALID;` (brief lock, no scan); 3. in a later migration: `ALTER TABLE {table} VALIDATE \
         CONSTRAINT {name};` (reads and writes go on)"
    ));
}

/// `VALIDATE CONSTRAINT` in the same transaction as the `NOT VALID` add:
/// the add's lock is still held, so splitting gained nothing.
fn validate_constraint(
    cx: &StmtCx,
    table: &QualName,
    name: &str,
    span: crate::source::Span,
    cmd_index: usize,
    out: &mut Findings,
) {
    let here = cx.tx_of(cx.stmt_index);
    for index in (0..=cx.stmt_index).rev() {
        if cx.tx_of(index) != here {
            break;
        }
        // An earlier statement is looked at only when it adds a NOT VALID
        // constraint of that name.
        let adds = cx.facts_of(index).effects.iter().any(|e| {
            matches!(e, Effect::Create { obj, shape: Shape::Constraint { info, .. }, .. }
                if !info.validated && obj.name.name == name)
        });
        if index != cx.stmt_index && !adds {
            continue;
        }
        let Some(stmt) = cx.statement(index) else {
            continue;
        };
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
        let added = cmds(s).take(limit).find_map(|cmd| {
            match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::Constraint(c))
                    if subtype(cmd) == AlterTableType::AtAddConstraint
                        && c.skip_validation
                        && c.conname == name =>
                {
                    Some(c)
                }
                _ => None,
            }
        });
        let Some(c) = added else { continue };
        let lock = match ConstrType::try_from(c.contype) {
            Ok(ConstrType::ConstrForeign) => {
                let mut lock = format!("SHARE ROW EXCLUSIVE on {table}");
                if let Some(pk) = c.pktable.as_ref().map(QualName::from_range_var) {
                    if pk.key() != table.key() {
                        lock.push_str(&format!(" and {pk}"));
                    }
                }
                lock
            }
            _ => format!("ACCESS EXCLUSIVE on {table}"),
        };
        let line = cx.line_of(index);
        let name = crate::model::names::quote_ident(name);
        out.report(
            span,
            format!(
                "VALIDATE CONSTRAINT {name} runs in the same transaction as the NOT VALID add on line {line}: the {lock} that the \
                 add took is held until commit, so the validating scan runs under it and NOT VALID gains nothing"
            ),
        )
        .help(format!(
            "move `ALTER TABLE {table} VALIDATE CONSTRAINT {name};` to a later migration file, so it runs in its own transaction \
             with only SHARE UPDATE EXCLUSIVE (reads and writes go on)"
        ))
        .fix_opt(move_validation(cx));
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    /// PostgreSQL checks the new constraints of one ALTER TABLE in one
    /// scan: one finding, naming each.
    #[test]
    fn one_finding_per_statement() {
        let files = |up: &'static str| {
            [
                ("000001_t.up.sql", "CREATE TABLE t (id int, a int, b int);"),
                ("000002_c.up.sql", up),
            ]
        };
        for up in [
            "ALTER TABLE t ADD COLUMN e int CHECK (e > 0), ADD COLUMN f int CHECK (f > 0);",
            "ALTER TABLE t ADD CONSTRAINT t_a CHECK (a > 0), ADD CONSTRAINT t_b CHECK (b > 0);",
            "ALTER TABLE t ADD CONSTRAINT t_a CHECK (a > 0), ADD COLUMN f int CHECK (f > 0);",
        ] {
            let diags = only(
                "constraint-missing-not-valid",
                lint_files("constraint-missing-not-valid", &files(up)),
            );
            assert_eq!(diags.len(), 1, "{up}: {diags:?}");
            assert!(
                diags[0].message.contains("also on this statement"),
                "{}",
                diags[0].message
            );
            // Each ADD CONSTRAINT's fix writes a new migration: merged,
            // they would write one file twice, so the finding offers none.
            let mut created: Vec<&str> = diags[0]
                .fixes
                .iter()
                .flat_map(|f| &f.edits)
                .filter(|e| e.new_file)
                .map(|e| e.file.as_str())
                .collect();
            let n = created.len();
            created.dedup();
            assert_eq!(created.len(), n, "{up}: {:?}", diags[0].fixes);
        }
    }

    #[test]
    fn add_column_with_inline_check_err() {
        let out = assert_err(
            "constraint-missing-not-valid",
            "ALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0);",
        );
        assert!(out.contains("cannot be NOT VALID"), "{out}");
        assert_ok(
            "constraint-missing-not-valid",
            "CREATE TABLE orders (id int);\nALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0);",
        );
    }

    /// PostgreSQL 15 scans the table for an inline REFERENCES only when
    /// the new column has a value (a DEFAULT, NULL included; a serial):
    /// `seq_scan` of pg_stat_user_tables goes up by one, else not.
    #[test]
    fn add_column_with_inline_foreign_key_and_default_err() {
        for sql in [
            "ALTER TABLE orders ADD COLUMN user_id int DEFAULT 1 REFERENCES users (id);",
            "ALTER TABLE orders ADD COLUMN user_id int DEFAULT NULL REFERENCES users (id);",
            "ALTER TABLE orders ADD COLUMN user_id bigserial REFERENCES users (id);",
        ] {
            let out = assert_err(RULE, sql);
            assert!(out.contains("cannot be NOT VALID"), "{out}");
        }
        assert_ok(
            RULE,
            "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users (id), ADD COLUMN n int DEFAULT 1;",
        );
        assert_ok(
            RULE,
            "CREATE TABLE orders (id int);\nALTER TABLE orders ADD COLUMN user_id int DEFAULT 1 REFERENCES users (id);",
        );
    }

    const RULE: &str = "constraint-missing-not-valid";

    #[test]
    fn domain_check_without_not_valid_err() {
        let setup = (
            "000001_a.up.sql",
            "CREATE DOMAIN amount AS int; CREATE DOMAIN price AS amount; CREATE TABLE items (p price); \
             CREATE TABLE carts (a amount[]);",
        );
        let out = assert_err_files(
            RULE,
            &[
                setup,
                (
                    "000002_b.up.sql",
                    "ALTER DOMAIN amount ADD CONSTRAINT amount_pos CHECK (VALUE > 0);",
                ),
            ],
        );
        assert!(out.contains("SHARE on items"), "{out}");
        assert!(!out.contains("carts"), "{out}");
        assert_ok_files(
            RULE,
            &[
                setup,
                (
                    "000002_b.up.sql",
                    "ALTER DOMAIN amount ADD CONSTRAINT amount_pos CHECK (VALUE > 0) NOT VALID;",
                ),
            ],
        );
        // Unused, or used by tables new in this file: nothing to scan.
        assert_ok(
            RULE,
            "CREATE DOMAIN amount AS int; CREATE TABLE items (a amount); ALTER DOMAIN amount ADD CHECK (VALUE > 0);",
        );
    }

    fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn fix_adds_not_valid_and_a_validating_migration() {
        assert_eq!(
            fixed_files(
                RULE,
                &[
                    ("000002_fk.up.sql", "ALTER TABLE orders ADD CONSTRAINT \"Fk\" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;\n"),
                    ("000002_fk.down.sql", "ALTER TABLE orders DROP CONSTRAINT IF EXISTS \"Fk\";\n"),
                ]
            ),
            owned(&[
                ("000002_fk.up.sql", "ALTER TABLE orders ADD CONSTRAINT \"Fk\" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;\n"),
                ("000003_fk_validate.up.sql", "ALTER TABLE orders VALIDATE CONSTRAINT \"Fk\";\n"),
                ("000003_fk_validate.down.sql", "-- nothing to undo: VALIDATE CONSTRAINT only checks the existing rows\n"),
            ])
        );
        assert_eq!(
            fixed_files(
                RULE,
                &[(
                    "000002_c.up.sql",
                    "alter table app.t add constraint c check (n > 0), add column x int;"
                )]
            ),
            owned(&[
                (
                    "000002_c.up.sql",
                    "alter table app.t add constraint c check (n > 0) not valid, add column x int;"
                ),
                (
                    "000003_c_validate.up.sql",
                    "alter table app.t validate constraint c;\n"
                ),
            ])
        );
    }

    #[test]
    fn no_fix_unnamed_or_without_room_or_validated_here() {
        assert_eq!(fixed(RULE, "ALTER TABLE t ADD CHECK (n > 0);"), None);
        assert!(fixed_files(
            RULE,
            &[
                (
                    "000002_c.up.sql",
                    "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0);"
                ),
                ("000003_d.up.sql", "SELECT 1;"),
            ]
        )
        .is_empty());
        assert_eq!(
            fixed(RULE, "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0);\nALTER TABLE t VALIDATE CONSTRAINT c;"),
            None
        );
    }

    #[test]
    fn fix_moves_a_validation_in_the_same_transaction() {
        assert_eq!(
            fixed_files(
                RULE,
                &[(
                    "000004_v.up.sql",
                    "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0) NOT VALID;\n-- then\nALTER TABLE t VALIDATE CONSTRAINT c;\n"
                )]
            ),
            owned(&[
                ("000004_v.up.sql", "ALTER TABLE t ADD CONSTRAINT c CHECK (n > 0) NOT VALID;\n"),
                ("000005_v_validate.up.sql", "-- then\nALTER TABLE t VALIDATE CONSTRAINT c;\n"),
            ])
        );
    }

    #[test]
    fn check_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE orders\n  ADD CONSTRAINT orders_qty_positive CHECK (qty > 0);"
        ));
    }

    #[test]
    fn foreign_key_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE orders (id int, user_id int);"
                ),
                (
                    "000002_fk.up.sql",
                    "ALTER TABLE orders ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;"
                ),
            ]
        ));
    }

    #[test]
    fn not_valid_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;",
        );
        assert_ok(
            RULE,
            "ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id) NOT VALID;",
        );
    }

    #[test]
    fn validate_in_later_file_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "ALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;",
                ),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE orders VALIDATE CONSTRAINT c;",
                ),
            ],
        );
    }

    #[test]
    fn validate_in_same_file_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_fk;"
        ));
    }

    #[test]
    fn validate_after_commit_ok() {
        assert_ok(
            RULE,
            "BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT c;",
        );
    }

    #[test]
    fn validate_other_constraint_or_table_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT d;\nALTER TABLE items VALIDATE CONSTRAINT c;",
        );
    }

    #[test]
    fn add_column_references_ok() {
        // Documented choice: the new column is all NULL, so the check is cheap.
        assert_ok(
            RULE,
            "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users (id);",
        );
    }

    #[test]
    fn schema_qualified_and_quoted() {
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE app.\"Orders\" (qty int);"),
                ("000001_a.down.sql", "DROP TABLE app.\"Orders\";"),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE app.\"Orders\" ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;",
                ),
            ],
        );
        let out = assert_err(
            RULE,
            "ALTER TABLE app.\"Orders\" ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;\n/* now */ ALTER TABLE app.\"Orders\" VALIDATE CONSTRAINT c;",
        );
        assert!(
            out.contains("app.\"Orders\" VALIDATE CONSTRAINT c"),
            "{out}"
        );
        // `Orders` unquoted is another table.
        assert_ok(
            RULE,
            "ALTER TABLE app.\"Orders\" ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;\nALTER TABLE app.orders VALIDATE CONSTRAINT c;",
        );
    }

    #[test]
    fn multi_statement_mode_splits_transactions() {
        use crate::config::{Config, Level};
        use crate::{lint, LintOptions, SourceFile};
        let sql = "ALTER TABLE o ADD CONSTRAINT c CHECK (q > 0) NOT VALID;\nALTER TABLE o VALIDATE CONSTRAINT c;";
        let run = |multi: bool| {
            let mut config = Config::default();
            config.set_level(RULE, Level::Error).unwrap();
            config.options.multi_statement = multi;
            let options = LintOptions {
                config,
                report_only: None,
            };
            lint(&[SourceFile::new(DEFAULT_FILE, sql)], &options)
                .diagnostics
                .into_iter()
                .filter(|d| d.rule == RULE)
                .count()
        };
        assert_eq!(run(false), 1);
        assert_eq!(run(true), 0);
        // An explicit transaction still groups them.
        let sql2 = format!("BEGIN;\n{sql}\nCOMMIT;");
        let mut config = Config::default();
        config.set_level(RULE, Level::Error).unwrap();
        config.options.multi_statement = true;
        let options = LintOptions {
            config,
            report_only: None,
        };
        let n = lint(&[SourceFile::new(DEFAULT_FILE, sql2)], &options)
            .diagnostics
            .into_iter()
            .filter(|d| d.rule == RULE)
            .count();
        assert_eq!(n, 1);
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE orders (qty int, user_id int);\nALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0), ADD FOREIGN KEY (user_id) REFERENCES users (id);",
        );
        assert_ok(
            RULE,
            "CREATE TABLE orders (qty int);\nALTER TABLE orders ADD CONSTRAINT c CHECK (qty > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;",
        );
    }

    #[test]
    fn other_constraints_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE orders ADD CONSTRAINT u UNIQUE (id), ALTER COLUMN qty SET NOT NULL;",
        );
    }

    #[test]
    fn multi_line_mixed_case() {
        let out = assert_err(
            RULE,
            "alter table Orders add constraint C\n  check (Qty > 0), add column x int;",
        );
        assert!(out.contains("ADD CONSTRAINT c CHECK"), "{out}");
    }
}
