use pg_query::protobuf::{AlterTableType, ConstrType, Constraint, ObjectType};
use pg_query::NodeEnum;
use regex::Regex;

use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::rules::helpers::snake_case;
use crate::rules::helpers::{alter_table, cmds, subtype};
use crate::rules::Check;
use crate::source::Span;
use crate::tokens::{after_words, name_end};

declare_rule!(
    "object-name-pattern",
    Naming,
    Warning,
    "A created or renamed table, index or constraint whose name does not match the configured pattern",
    Check::Statement(check),
    enabled = false
);

/// A name to check: what it names, the name, and where it is written.
struct Named {
    what: &'static str,
    name: String,
    span: Span,
}

fn check(cx: &StmtCx, out: &mut Findings) {
    if cx.file.is_down() {
        // A down file recreates what an earlier migration had, names included.
        return;
    }
    for n in names(cx) {
        let (pattern, key): (&Regex, &str) = match n.what {
            "table" => (&cx.options.naming.table, "naming.table"),
            "index" => (&cx.options.naming.index, "naming.index"),
            _ => (&cx.options.naming.constraint, "naming.constraint"),
        };
        if pattern.is_match(&n.name) {
            continue;
        }
        let finding = out.report(
            n.span,
            format!(
                "{} name {} does not match the {} pattern `{}`",
                n.what,
                quote_ident(&n.name),
                n.what,
                pattern.as_str()
            ),
        );
        let snake = snake_case(&n.name).replace('.', "_");
        if !snake.is_empty() && pattern.is_match(&snake) {
            finding.help(format!(
                "name it `{snake}` instead (the pattern is `{key}` in migralint.toml)"
            ));
        } else {
            finding.help(format!(
                "choose a name that matches the pattern (`{key}` in migralint.toml)"
            ));
        }
    }
}

fn names(cx: &StmtCx) -> Vec<Named> {
    let stmt = cx.stmt.span;
    let text = cx.file.parsed.text.as_str();
    let at = |location: i32| -> Span {
        cx.at(location)
            .filter(|l| (stmt.start..stmt.end).contains(l))
            .and_then(|l| Some(Span::new(l, name_end(&text[..stmt.end], l)?)))
            .unwrap_or(stmt)
    };
    let mut out = Vec::new();
    match &cx.stmt.node {
        NodeEnum::CreateStmt(s) => {
            if let Some(rv) = &s.relation {
                out.push(Named {
                    what: "table",
                    name: rv.relname.clone(),
                    span: at(rv.location),
                });
            }
            for elt in &s.table_elts {
                match elt.node.as_ref() {
                    Some(NodeEnum::Constraint(c)) => constraint(cx, c, &mut out),
                    Some(NodeEnum::ColumnDef(col)) => {
                        for c in col
                            .constraints
                            .iter()
                            .filter_map(|n| match n.node.as_ref() {
                                Some(NodeEnum::Constraint(c)) => Some(&**c),
                                _ => None,
                            })
                        {
                            constraint(cx, c, &mut out);
                        }
                    }
                    _ => {}
                }
            }
        }
        NodeEnum::CreateTableAsStmt(s) if s.objtype == ObjectType::ObjectTable as i32 => {
            if let Some(rv) = s.into.as_ref().and_then(|i| i.rel.as_ref()) {
                out.push(Named {
                    what: "table",
                    name: rv.relname.clone(),
                    span: at(rv.location),
                });
            }
        }
        NodeEnum::IndexStmt(s) if !s.idxname.is_empty() => {
            let stmt_text = cx.text(stmt);
            let span = after_words(
                stmt_text,
                &[
                    "CREATE",
                    "UNIQUE",
                    "INDEX",
                    "CONCURRENTLY",
                    "IF",
                    "NOT",
                    "EXISTS",
                ],
            )
            .and_then(|s| {
                let end = name_end(stmt_text, s)?;
                Some(Span::new(stmt.start + s, stmt.start + end))
            })
            .unwrap_or(stmt);
            out.push(Named {
                what: "index",
                name: s.idxname.clone(),
                span,
            });
        }
        NodeEnum::AlterTableStmt(_) => {
            let Some((s, _)) = alter_table(&cx.stmt.node) else {
                return out;
            };
            for cmd in cmds(s) {
                let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
                match (subtype(cmd), def) {
                    (AlterTableType::AtAddConstraint, Some(NodeEnum::Constraint(c))) => {
                        constraint(cx, c, &mut out)
                    }
                    (AlterTableType::AtAddColumn, Some(NodeEnum::ColumnDef(col))) => {
                        for c in col
                            .constraints
                            .iter()
                            .filter_map(|n| match n.node.as_ref() {
                                Some(NodeEnum::Constraint(c)) => Some(&**c),
                                _ => None,
                            })
                        {
                            constraint(cx, c, &mut out);
                        }
                    }
                    _ => {}
                }
            }
        }
        NodeEnum::RenameStmt(s) => {
            let what = match ObjectType::try_from(s.rename_type) {
                Ok(ObjectType::ObjectTable) => "table",
                Ok(ObjectType::ObjectIndex) => "index",
                Ok(ObjectType::ObjectTabconstraint) => "constraint",
                _ => return out,
            };
            // The new name is the statement's last token.
            let span = cx.tokens().last().map_or(stmt, |t| t.span());
            out.push(Named {
                what,
                name: s.newname.clone(),
                span,
            });
        }
        _ => {}
    }
    out
}

/// A named constraint; `location` points at its `CONSTRAINT` keyword, the
/// name is the next token.
fn constraint(cx: &StmtCx, c: &Constraint, out: &mut Vec<Named>) {
    if c.conname.is_empty() || ConstrType::try_from(c.contype).is_err() {
        return;
    }
    let stmt = cx.stmt.span;
    let text = &cx.file.parsed.text[..stmt.end];
    let span = cx
        .at(c.location)
        .filter(|l| (stmt.start..stmt.end).contains(l))
        .and_then(|l| {
            let toks = cx.tokens_from(l);
            let first = toks.first().filter(|t| t.start() == l)?;
            if !text[first.start()..first.end()].eq_ignore_ascii_case("constraint") {
                return None;
            }
            let name = toks.get(1)?;
            Some(Span::new(name.start(), name_end(text, name.start())?))
        })
        .unwrap_or(stmt);
    out.push(Named {
        what: "constraint",
        name: c.conname.clone(),
        span,
    });
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "object-name-pattern";

    #[test]
    fn camel_case_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE public.\"UserAccounts\" (\n  id bigint,\n  CONSTRAINT \"UserAccounts_pk\" PRIMARY KEY (id)\n);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS \"IdxUser\" ON \"UserAccounts\" (id);"
        ));
    }

    #[test]
    fn constraints_and_renames_err() {
        assert_err(
            RULE,
            "ALTER TABLE t ADD CONSTRAINT \"Fk-User\" FOREIGN KEY (u) REFERENCES u (id);",
        );
        assert_err(
            RULE,
            "ALTER TABLE t ADD COLUMN u int CONSTRAINT \"UFk\" REFERENCES u;",
        );
        assert_err(RULE, "ALTER TABLE t RENAME TO \"T2\";");
        assert_err(RULE, "ALTER INDEX i RENAME TO \"I2\";");
        assert_err(RULE, "ALTER TABLE t RENAME CONSTRAINT c TO \"C2\";");
        assert_err(RULE, "CREATE TABLE \"Report\" AS SELECT 1 AS x;");
    }

    #[test]
    fn snake_case_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE users (id bigint CONSTRAINT users_pk PRIMARY KEY, email text UNIQUE);\n\
             create unique index users_email_idx on users (email);\n\
             CREATE INDEX ON users (lower(email));\n\
             ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> ''), RENAME TO app_users;\n\
             ALTER TABLE users RENAME COLUMN \"Email\" TO email;",
        );
        // Unquoted names are folded to lower case by Postgres.
        assert_ok(RULE, "CREATE TABLE UserAccounts (ID int);");
    }

    #[test]
    fn down_files_are_skipped() {
        assert_ok_files(
            RULE,
            &[("000002_x.down.sql", "CREATE TABLE \"Legacy\" (id int);")],
        );
    }

    #[test]
    fn configured_pattern() {
        use crate::config::Config;
        use crate::{lint, LintOptions, SourceFile};
        let mut config = Config::from_toml_str("[naming]\nindex = '^idx_[a-z0-9_]+$'\n").unwrap();
        config
            .set_level(RULE, crate::config::Level::Warning)
            .unwrap();
        let report = lint(
            &[SourceFile::new(
                "000001_x.up.sql",
                "CREATE TABLE t (id int); CREATE INDEX t_id ON t (id); CREATE INDEX idx_t_id ON t (id);",
            )],
            &LintOptions {
                config,
                report_only: None,
            },
        );
        let hits: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == RULE)
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].contains("t_id"));
    }
}
