use pg_query::protobuf::{AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::{Kind, Obj};
use crate::rules::helpers::{alter_table, cmds, subtype};
use crate::rules::Check;
use crate::source::Span;
use crate::tokens::{after_words, insert_keywords};

declare_rule!(
    "prefer-drop-if-exists",
    Robustness,
    Warning,
    "DROP or ALTER TABLE ... DROP without IF EXISTS, which fails when re-run",
    Check::Statement(check)
);

/// The words that may come before the name in a `DROP` statement.
const DROP_WORDS: &[&str] = &[
    "DROP",
    "MATERIALIZED",
    "TABLE",
    "INDEX",
    "VIEW",
    "SEQUENCE",
    "TYPE",
    "FUNCTION",
    "PROCEDURE",
    "ROUTINE",
    "TRIGGER",
    "SCHEMA",
    "EXTENSION",
    "DOMAIN",
    "CONCURRENTLY",
];

fn check(cx: &StmtCx, out: &mut Findings) {
    match &cx.stmt.node {
        NodeEnum::DropStmt(s) if !s.missing_ok => {
            let Some(what) = drop_kind(s.remove_type) else {
                return;
            };
            // Objects this file created just before are there to drop.
            let dropped: Vec<_> = cx
                .facts()
                .effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Drop { obj, .. } => Some(obj),
                    _ => None,
                })
                .collect();
            if !dropped.is_empty() && dropped.iter().all(|o| cx.created_earlier(o)) {
                return;
            }
            let names: Vec<String> = dropped.iter().map(|o| o.name.to_string()).collect();
            let text = cx.text(cx.stmt.span);
            let fixed =
                after_words(text, DROP_WORDS).map(|at| insert_keywords(text, at, "IF EXISTS"));
            report(
                cx,
                out,
                cx.stmt.span,
                format!("{what} {}", names.join(", ")),
                fixed,
                &format!("{what} IF EXISTS"),
            );
        }
        NodeEnum::AlterTableStmt(_) => {
            let Some((s, table)) = alter_table(&cx.stmt.node) else {
                return;
            };
            let spans = cx.facts().cmd_spans.as_ref();
            for (i, cmd) in cmds(s).enumerate() {
                let (what, words, obj_kind): (&str, &[&str], _) = match subtype(cmd) {
                    AlterTableType::AtDropColumn => {
                        ("DROP COLUMN", &["DROP", "COLUMN"], Kind::Column)
                    }
                    AlterTableType::AtDropConstraint => {
                        ("DROP CONSTRAINT", &["DROP", "CONSTRAINT"], Kind::Constraint)
                    }
                    _ => continue,
                };
                if cmd.missing_ok {
                    continue;
                }
                let obj = Obj::on(obj_kind, &table, &cmd.name);
                if cx.created_earlier(&obj) {
                    continue;
                }
                let span = cx.cmd_span(i);
                let fixed = spans.and_then(|_| {
                    let clause = cx.text(span);
                    let at = after_words(clause, words)?;
                    // Canonical `DROP COLUMN` even where `COLUMN` was left out.
                    let head = if clause.starts_with("drop") {
                        what.to_ascii_lowercase()
                    } else {
                        what.to_string()
                    };
                    let rewritten = format!("{head} {}", &clause[at..]);
                    Some(insert_keywords(&rewritten, head.len() + 1, "IF EXISTS"))
                });
                report(
                    cx,
                    out,
                    span,
                    format!(
                        "ALTER TABLE {table} {what} {}",
                        crate::model::names::quote_ident(&cmd.name)
                    ),
                    fixed,
                    &format!("{what} IF EXISTS"),
                );
            }
        }
        _ => {}
    }
}

fn report(
    cx: &StmtCx,
    out: &mut Findings,
    span: Span,
    what: String,
    fixed: Option<String>,
    generic: &str,
) {
    let why = if cx.file.is_down() {
        "down migrations above all must be re-runnable: a rollback that stopped halfway (or an object \
         dropped by hand) makes it fail again on every retry"
    } else {
        "a migration should be re-runnable: after a failure halfway, or an object dropped by hand, the \
         rerun fails here"
    };
    let help = match fixed.filter(|f| !f.contains('\n') && f.len() <= 120) {
        Some(f) => format!("write `{f}`"),
        None => format!("write `{generic} ...`"),
    };
    out.report(
        span,
        format!("{what} without IF EXISTS fails when it is already gone; {why}"),
    )
    .help(help);
}

/// The statement's kind as written, for the kinds this rule covers.
fn drop_kind(remove_type: i32) -> Option<&'static str> {
    Some(match ObjectType::try_from(remove_type).ok()? {
        ObjectType::ObjectTable => "DROP TABLE",
        ObjectType::ObjectIndex => "DROP INDEX",
        ObjectType::ObjectView => "DROP VIEW",
        ObjectType::ObjectMatview => "DROP MATERIALIZED VIEW",
        ObjectType::ObjectSequence => "DROP SEQUENCE",
        ObjectType::ObjectType => "DROP TYPE",
        ObjectType::ObjectFunction => "DROP FUNCTION",
        ObjectType::ObjectProcedure => "DROP PROCEDURE",
        ObjectType::ObjectTrigger => "DROP TRIGGER",
        ObjectType::ObjectSchema => "DROP SCHEMA",
        ObjectType::ObjectExtension => "DROP EXTENSION",
        ObjectType::ObjectDomain => "DROP DOMAIN",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "prefer-drop-if-exists";

    #[test]
    fn down_file_drops_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[(
                "000002_create_users.down.sql",
                "-- undo\nDROP INDEX CONCURRENTLY users_email_idx;\nALTER TABLE accounts\n  DROP COLUMN IF EXISTS a,\n  DROP COLUMN b,\n  DROP CONSTRAINT accounts_b_check;\ndrop table public.\"Users\" cascade;"
            )]
        ));
    }

    #[test]
    fn every_kind_err() {
        for sql in [
            "DROP VIEW v;",
            "DROP MATERIALIZED VIEW m;",
            "DROP SEQUENCE s;",
            "DROP TYPE mood;",
            "DROP FUNCTION f(int);",
            "DROP PROCEDURE p();",
            "DROP TRIGGER t ON users;",
            "DROP SCHEMA app;",
            "DROP EXTENSION pg_trgm;",
            "DROP DOMAIN d;",
            "ALTER TABLE t DROP c;",
        ] {
            assert_err(RULE, sql);
        }
    }

    #[test]
    fn fixed_form_in_help() {
        let out = assert_err(RULE, "DROP TRIGGER set_updated_at ON users;");
        assert!(
            out.contains("write `DROP TRIGGER IF EXISTS set_updated_at ON users`"),
            "{out}"
        );
        let out = assert_err(RULE, "ALTER TABLE t DROP c;");
        assert!(out.contains("write `DROP COLUMN IF EXISTS c`"), "{out}");
        let out = assert_err(
            RULE,
            "ALTER TABLE ONLY public.t /* x */ ADD CONSTRAINT k CHECK (a IN (1, 2)),\n  drop column a, DROP CONSTRAINT c CASCADE;",
        );
        assert!(out.contains("write `drop column if exists a`"), "{out}");
        assert!(
            out.contains("write `DROP CONSTRAINT IF EXISTS c CASCADE`"),
            "{out}"
        );
        assert!(out.contains("000001_example.up.sql:2:3:"), "{out}");
        let out = assert_err(RULE, "ALTER TABLE IF EXISTS t * DROP COLUMN a;");
        assert!(out.contains("1:27:"), "{out}");
        let out = assert_err(RULE, "DROP MATERIALIZED VIEW /* old */ m;");
        assert!(
            out.contains("DROP MATERIALIZED VIEW /* old */ IF EXISTS m"),
            "{out}"
        );
    }

    #[test]
    fn if_exists_ok() {
        assert_ok(
            RULE,
            "DROP TABLE IF EXISTS users CASCADE;\nDROP INDEX CONCURRENTLY IF EXISTS i;\n\
             ALTER TABLE t DROP COLUMN IF EXISTS c, DROP CONSTRAINT IF EXISTS k;\nDROP EXTENSION IF EXISTS \"uuid-ossp\";",
        );
        // Other objects are out of scope.
        assert_ok(RULE, "DROP POLICY p ON t; DROP ROLE r; DROP OWNED BY r;");
    }

    #[test]
    fn created_earlier_in_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE tmp (id int);\nINSERT INTO tmp SELECT 1;\nDROP TABLE tmp;\n\
             ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t DROP COLUMN c;",
        );
    }
}
