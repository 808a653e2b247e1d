use pg_query::protobuf::{AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::helpers::{alter_table, cmds, subtype};
use crate::rules::Check;
use crate::source::Span;
use crate::tokens::{after_words, insert_keywords};

declare_rule!(
    "prefer-create-if-not-exists",
    Robustness,
    Warning,
    "CREATE TABLE, INDEX, EXTENSION, SCHEMA, SEQUENCE or ADD COLUMN without IF NOT EXISTS, which fails when re-run",
    Check::Statement(check)
);

/// The words that may come before `IF NOT EXISTS` in a `CREATE` statement.
const CREATE_WORDS: &[&str] = &[
    "CREATE",
    "UNIQUE",
    "GLOBAL",
    "LOCAL",
    "TEMPORARY",
    "TEMP",
    "UNLOGGED",
    "MATERIALIZED",
    "TABLE",
    "VIEW",
    "INDEX",
    "EXTENSION",
    "SCHEMA",
    "SEQUENCE",
    "CONCURRENTLY",
];

fn check(cx: &StmtCx, out: &mut Findings) {
    let node = &cx.stmt.node;
    let what = match node {
        NodeEnum::CreateStmt(s) if !s.if_not_exists => {
            let Some(rv) = &s.relation else { return };
            if rv.relpersistence == "t" {
                // A temporary table is gone when the session ends.
                return;
            }
            format!("CREATE TABLE {}", QualName::from_range_var(rv))
        }
        NodeEnum::CreateTableAsStmt(s) if !s.if_not_exists => {
            let Some(rv) = s.into.as_ref().and_then(|i| i.rel.as_ref()) else {
                return;
            };
            if rv.relpersistence == "t" {
                return;
            }
            let kind = match ObjectType::try_from(s.objtype) {
                Ok(ObjectType::ObjectMatview) => "CREATE MATERIALIZED VIEW",
                Ok(ObjectType::ObjectTable) => "CREATE TABLE",
                _ => return,
            };
            format!("{kind} {}", QualName::from_range_var(rv))
        }
        // An index without a name gets a fresh one each time: IF NOT EXISTS
        // needs a name.
        NodeEnum::IndexStmt(s) if !s.if_not_exists && !s.idxname.is_empty() => {
            let unique = if s.unique { "UNIQUE " } else { "" };
            format!(
                "CREATE {unique}INDEX {}",
                crate::model::names::quote_ident(&s.idxname)
            )
        }
        NodeEnum::CreateExtensionStmt(s) if !s.if_not_exists => {
            format!(
                "CREATE EXTENSION {}",
                crate::model::names::quote_ident(&s.extname)
            )
        }
        NodeEnum::CreateSchemaStmt(s) if !s.if_not_exists && !s.schemaname.is_empty() => {
            format!(
                "CREATE SCHEMA {}",
                crate::model::names::quote_ident(&s.schemaname)
            )
        }
        NodeEnum::CreateSeqStmt(s) if !s.if_not_exists => {
            let Some(rv) = &s.sequence else { return };
            format!("CREATE SEQUENCE {}", QualName::from_range_var(rv))
        }
        NodeEnum::AlterTableStmt(_) => {
            add_columns(cx, out);
            return;
        }
        _ => return,
    };
    let text = cx.text(cx.stmt.span);
    let fixed =
        after_words(text, CREATE_WORDS).map(|at| insert_keywords(text, at, "IF NOT EXISTS"));
    report(out, cx.stmt.span, what, fixed);
}

fn add_columns(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    let spans = cx.facts().cmd_spans.as_ref();
    for (i, cmd) in cmds(s).enumerate() {
        if subtype(cmd) != AlterTableType::AtAddColumn || cmd.missing_ok {
            continue;
        }
        let column = match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::ColumnDef(c)) => c.colname.clone(),
            _ => continue,
        };
        let span = cx.cmd_span(i);
        let fixed = spans.and_then(|_| {
            let clause = cx.text(span);
            let at = after_words(clause, &["ADD", "COLUMN"])?;
            let add = if clause.starts_with("add") {
                "add column"
            } else {
                "ADD COLUMN"
            };
            Some(insert_keywords(
                &format!("{add} {}", &clause[at..]),
                add.len() + 1,
                "IF NOT EXISTS",
            ))
        });
        report(
            out,
            span,
            format!(
                "ALTER TABLE {table} ADD COLUMN {}",
                crate::model::names::quote_ident(&column)
            ),
            fixed,
        );
    }
}

fn report(out: &mut Findings, span: Span, what: String, fixed: Option<String>) {
    let help = match fixed {
        Some(f) => {
            // Show the fixed statement when short; its first line otherwise.
            let first = f.lines().next().unwrap_or_default();
            if f.contains('\n') || f.len() > 120 {
                let short: String = first.chars().take(100).collect();
                format!("write `{} ...`", short.trim_end())
            } else {
                format!("write `{f}`")
            }
        }
        None => "add IF NOT EXISTS".to_string(),
    };
    out.report(
        span,
        format!(
            "{what} without IF NOT EXISTS fails with `already exists` when the migration is re-run (after a \
             failure halfway, or when the object was created by hand)"
        ),
    )
    .help(help);
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "prefer-create-if-not-exists";

    #[test]
    fn creates_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE users (\n  id uuid PRIMARY KEY,\n  email text\n);\n\ncreate unique index concurrently users_email_idx on users (email);\nALTER TABLE users ADD COLUMN name text, ADD phone text;"
        ));
    }

    #[test]
    fn every_kind_err() {
        for sql in [
            "CREATE EXTENSION \"uuid-ossp\";",
            "CREATE SCHEMA app;",
            "CREATE SEQUENCE app.s;",
            "CREATE UNLOGGED TABLE t (id int);",
            "CREATE TABLE t AS SELECT 1 AS x;",
            "CREATE MATERIALIZED VIEW m AS SELECT 1 AS x;",
            "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);",
        ] {
            assert_err(RULE, sql);
        }
    }

    #[test]
    fn fixed_form_in_help() {
        let out = assert_err(RULE, "CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);");
        assert!(
            out.contains("write `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)`"),
            "{out}"
        );
        let out = assert_err(RULE, "ALTER TABLE t ADD c int DEFAULT 0;");
        assert!(
            out.contains("write `ADD COLUMN IF NOT EXISTS c int DEFAULT 0`"),
            "{out}"
        );
    }

    #[test]
    fn if_not_exists_and_inexpressible_ok() {
        assert_ok(
            RULE,
            "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\nCREATE TABLE IF NOT EXISTS t (id int);\n\
             CREATE INDEX IF NOT EXISTS i ON t (id);\nALTER TABLE t ADD COLUMN IF NOT EXISTS c int;\n\
             CREATE SCHEMA IF NOT EXISTS app;\nCREATE SEQUENCE IF NOT EXISTS s;",
        );
        // Postgres has no IF NOT EXISTS for these; views, functions and
        // triggers have CREATE OR REPLACE instead.
        assert_ok(
            RULE,
            "ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0);\nCREATE TYPE mood AS ENUM ('a');\n\
             CREATE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION f();\nCREATE VIEW v AS SELECT 1;\n\
             CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE INDEX ON t (id);\n\
             CREATE TEMP TABLE scratch (id int);",
        );
    }
}
