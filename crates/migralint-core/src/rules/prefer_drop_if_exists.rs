use pg_query::protobuf::{AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::{Kind, Obj};
use crate::parse::Statement;
use crate::rules::helpers::{
    alter_table, cmds, guard_insert, report_down_guards, split_reason, subtype, DownGuard,
    GuardSite, Remedy,
};
use crate::rules::Check;
use crate::source::Span;
use crate::tokens::{after_words, insert_keywords};

declare_rule!(
    "prefer-drop-if-exists",
    Robustness,
    Warning,
    "DROP without IF EXISTS where a rerun can find the object gone: files that cannot run as one transaction, downs",
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

const WORDS: &str = "IF EXISTS";

fn check(cx: &StmtCx, out: &mut Findings) {
    let here = sites(cx, cx.stmt_index, cx.stmt);
    if here.is_empty() {
        return;
    }
    let guard = DownGuard {
        words: WORDS,
        noun: "drop",
        failure: "fails on what is not there",
    };
    if report_down_guards(cx, out, is_drop, sites, &guard) {
        return;
    }
    // An up that runs as one transaction: a failure rolls it back whole
    // and a rerun starts clean.
    let Some(split) = split_reason(cx) else {
        return;
    };
    for site in drop_sites(cx, cx.stmt_index, cx.stmt) {
        let help = match site
            .fixed
            .as_ref()
            .filter(|f| !f.contains('\n') && f.len() <= 120)
        {
            Some(f) => format!("write `{f}`"),
            None => format!("write `{} IF EXISTS ...`", site.generic),
        };
        let finding = out
            .report(
                site.span,
                format!(
                    "{} without IF EXISTS fails when the migration is re-run after a failure further on: this \
                     file cannot run as one transaction ({split}), so what ran before the failure stays",
                    site.what
                ),
            )
            .help(help);
        if let Some(fix) = GuardSite::fix(&[&site.site]) {
            finding.fix(fix);
        }
    }
}

/// A statement that may have sites (`sites`), from its facts alone.
fn is_drop(cx: &StmtCx, i: usize) -> bool {
    let f = cx.facts_of(i);
    f.effects.iter().any(|e| matches!(e, Effect::Drop { .. }))
        || f.summary.label() == Some("DROP ROLE")
}

fn sites(cx: &StmtCx, i: usize, stmt: &Statement) -> Vec<GuardSite> {
    drop_sites(cx, i, stmt)
        .into_iter()
        .map(|s| s.site)
        .collect()
}

/// A drop site with its statement kind as written (`DROP COLUMN`).
struct DropSite {
    site: GuardSite,
    generic: &'static str,
}

impl DropSite {
    /// The statement at `span` (its `text`), where IF EXISTS goes after the
    /// leading `words`.
    fn after(span: Span, text: &str, words: &[&str], generic: &'static str) -> DropSite {
        let at = after_words(text, words);
        DropSite {
            site: GuardSite {
                span,
                what: generic.to_string(),
                outside_history: false,
                remedy: Remedy::Words(WORDS),
                insert: at.map(|at| guard_insert(text, span.start, at, WORDS)),
                fixed: at.map(|at| insert_keywords(text, at, WORDS)),
            },
            generic,
        }
    }

    /// What the finding names (`DROP TABLE a, b`).
    fn naming(mut self, what: String) -> DropSite {
        self.site.what = what;
        self
    }
}

impl std::ops::Deref for DropSite {
    type Target = GuardSite;
    fn deref(&self) -> &GuardSite {
        &self.site
    }
}

/// The statement's drops without IF EXISTS, but of what an earlier
/// statement of the file created.
fn drop_sites(cx: &StmtCx, i: usize, stmt: &Statement) -> Vec<DropSite> {
    let file = cx.file.facts;
    let text_of = |span: Span| &cx.file.parsed.text[span.start..span.end];
    match &stmt.node {
        NodeEnum::DropStmt(s) if !s.missing_ok => {
            let Some(what) = drop_kind(s.remove_type) else {
                return Vec::new();
            };
            // Objects this file created just before are there to drop.
            let dropped: Vec<_> = file.stmts[i]
                .effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Drop { obj, .. } => Some(obj),
                    _ => None,
                })
                .collect();
            if !dropped.is_empty() && dropped.iter().all(|o| file.made_before(o, i)) {
                return Vec::new();
            }
            let names: Vec<String> = dropped.iter().map(|o| o.name.to_string()).collect();
            let text = text_of(stmt.span);
            let site = DropSite::after(stmt.span, text, DROP_WORDS, what);
            vec![site.naming(format!("{what} {}", names.join(", ")))]
        }
        // A role belongs to the whole server (`DROP USER`, `DROP GROUP`
        // too).
        NodeEnum::DropRoleStmt(s) if !s.missing_ok => {
            let names: Vec<String> = s
                .roles
                .iter()
                .filter_map(|r| match r.node.as_ref() {
                    Some(NodeEnum::RoleSpec(r)) => {
                        Some(crate::model::names::quote_ident(&r.rolename))
                    }
                    _ => None,
                })
                .collect();
            let text = text_of(stmt.span);
            let site = DropSite::after(
                stmt.span,
                text,
                &["DROP", "ROLE", "USER", "GROUP"],
                "DROP ROLE",
            );
            vec![site.naming(format!("DROP ROLE {}", names.join(", ")))]
        }
        NodeEnum::AlterTableStmt(_) => {
            let Some((s, table)) = alter_table(&stmt.node) else {
                return Vec::new();
            };
            let spans = file.stmts[i].cmd_spans.as_ref();
            let mut out = Vec::new();
            for (k, cmd) in cmds(s).enumerate() {
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
                // An index, not a constraint: the statement always fails,
                // and IF EXISTS would make it a silent no-op
                // (`down-drops-unknown-object` says so).
                if file.made_before(&obj, i)
                    || cx.schema.objects.index_not_constraint(&obj).is_some()
                {
                    continue;
                }
                let span = spans.and_then(|s| s.get(k).copied());
                let (insert, fixed) = match span {
                    Some(span) => {
                        let clause = text_of(span);
                        match after_words(clause, words) {
                            Some(at) => {
                                // Canonical `DROP COLUMN` even where `COLUMN` was left out.
                                let head = if clause.starts_with("drop") {
                                    what.to_ascii_lowercase()
                                } else {
                                    what.to_string()
                                };
                                let rewritten = format!("{head} {}", &clause[at..]);
                                (
                                    Some(guard_insert(clause, span.start, at, WORDS)),
                                    Some(insert_keywords(&rewritten, head.len() + 1, WORDS)),
                                )
                            }
                            None => (None, None),
                        }
                    }
                    None => (None, None),
                };
                out.push(DropSite {
                    site: GuardSite {
                        span: span.unwrap_or(stmt.span),
                        what: format!(
                            "ALTER TABLE {table} {what} {}",
                            crate::model::names::quote_ident(&cmd.name)
                        ),
                        outside_history: false,
                        remedy: Remedy::Words(WORDS),
                        insert,
                        fixed,
                    },
                    generic: what,
                });
            }
            out
        }
        _ => Vec::new(),
    }
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
                "-- undo\nDROP INDEX users_email_idx;\nALTER TABLE accounts\n  DROP COLUMN IF EXISTS a,\n  DROP COLUMN b,\n  DROP CONSTRAINT accounts_b_check;\ndrop table public.\"Users\" cascade;"
            )]
        ));
    }

    #[test]
    fn down_fix_inserts_every_guard() {
        let files = [(
            "000002_create_users.down.sql",
            "DROP INDEX users_email_idx;\nALTER TABLE accounts DROP b, DROP CONSTRAINT k;\ndrop table \"Users\" cascade;",
        )];
        let out = fixed_files(RULE, &files);
        assert_eq!(
            out[0].1,
            "DROP INDEX IF EXISTS users_email_idx;\nALTER TABLE accounts DROP IF EXISTS b, DROP CONSTRAINT IF EXISTS k;\ndrop table if exists \"Users\" cascade;"
        );
    }

    /// An up that runs as one transaction rolls back whole: its drops need
    /// no IF EXISTS.
    #[test]
    fn transactional_up_ok() {
        assert_ok(
            RULE,
            "DROP VIEW v;\nDROP TYPE mood;\nDROP TRIGGER t ON users;\nALTER TABLE t DROP c;\nDROP TABLE old;",
        );
        assert_ok(RULE, "DROP INDEX CONCURRENTLY i;");
    }

    #[test]
    fn split_up_err() {
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
            let out = assert_err(RULE, &format!("{sql}\nCOMMIT;\nUPDATE t SET a = 1;"));
            assert!(
                out.contains("the COMMIT on line 2 commits this statement"),
                "{out}"
            );
        }
    }

    #[test]
    fn the_last_transaction_needs_no_guard_ok() {
        // A failure there rolls it back whole: only what committed before
        // it stays for the rerun to find.
        assert_ok(
            RULE,
            "UPDATE t SET a = 1;\nCOMMIT;\nALTER TABLE t DROP COLUMN c;\nDROP TABLE old_audit;",
        );
        let out = assert_err(
            RULE,
            "DROP TABLE old_audit;\nCOMMIT;\nALTER TABLE t DROP COLUMN c;\nUPDATE t SET a = 1;",
        );
        assert!(out.contains("DROP TABLE old_audit"), "{out}");
        assert!(!out.contains("DROP COLUMN c"), "{out}");
    }

    #[test]
    fn fixed_form_in_help() {
        let p = "\nCOMMIT;\nUPDATE t SET a = 1;";
        let out = assert_err(RULE, &format!("DROP TRIGGER set_updated_at ON users;{p}"));
        assert!(
            out.contains("write `DROP TRIGGER IF EXISTS set_updated_at ON users`"),
            "{out}"
        );
        let out = assert_err(RULE, &format!("ALTER TABLE t DROP c;{p}"));
        assert!(out.contains("write `DROP COLUMN IF EXISTS c`"), "{out}");
        let out = assert_err(
            RULE,
            &format!("ALTER TABLE ONLY public.t /* x */ ADD CONSTRAINT k CHECK (a IN (1, 2)),\n  drop column a, DROP CONSTRAINT c CASCADE;{p}"),
        );
        assert!(out.contains("write `drop column if exists a`"), "{out}");
        assert!(
            out.contains("write `DROP CONSTRAINT IF EXISTS c CASCADE`"),
            "{out}"
        );
        assert!(out.contains("000001_example.up.sql:2:3:"), "{out}");
        let out = assert_err(RULE, &format!("DROP MATERIALIZED VIEW /* old */ m;{p}"));
        assert!(
            out.contains("DROP MATERIALIZED VIEW /* old */ IF EXISTS m"),
            "{out}"
        );
    }

    #[test]
    fn if_exists_ok() {
        let down = "000001_example.down.sql";
        assert_ok_files(
            RULE,
            &[(down, "DROP TABLE IF EXISTS users CASCADE;\nDROP INDEX IF EXISTS i;\n\
             ALTER TABLE t DROP COLUMN IF EXISTS c, DROP CONSTRAINT IF EXISTS k;\nDROP EXTENSION IF EXISTS \"uuid-ossp\";")],
        );
        // Other objects are out of scope.
        assert_ok_files(
            RULE,
            &[(
                down,
                "DROP POLICY p ON t; DROP ROLE IF EXISTS r; DROP OWNED BY r;",
            )],
        );
    }

    #[test]
    fn rolled_back_ok() {
        assert_ok(
            RULE,
            "DROP TABLE a;\nROLLBACK;\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);",
        );
    }

    #[test]
    fn created_earlier_in_file_ok() {
        assert_ok_files(
            RULE,
            &[(
                "000001_example.down.sql",
                "CREATE TABLE tmp (id int);\nINSERT INTO tmp SELECT 1;\nDROP TABLE tmp;\n\
             ALTER TABLE t ADD COLUMN c int;\nALTER TABLE t DROP COLUMN c;",
            )],
        );
    }

    /// What a rename earlier in the file made is there to drop: the
    /// enum-value removal of a down (checked on PostgreSQL 15, on a
    /// database where the up never ran).
    #[test]
    fn renamed_earlier_in_file_ok() {
        assert_ok_files(
            RULE,
            &[(
                "000002_state_pending.down.sql",
                "ALTER TYPE state RENAME TO state_old;
CREATE TYPE state AS ENUM ('open');
\
                 ALTER TABLE t ALTER COLUMN s TYPE state USING s::text::state;
DROP TYPE state_old;
\
                 ALTER TABLE t RENAME COLUMN c TO c_old;
ALTER TABLE t DROP COLUMN c_old;",
            )],
        );
    }

    /// A role is dropped in a down as anything else is (checked on
    /// PostgreSQL 15: `role "app_ro" does not exist` where the up never
    /// ran): one finding for the file, listing it.
    #[test]
    fn down_drop_role_err() {
        let files = [(
            "000002_roles.down.sql",
            "drop user app_ro;\nDROP TABLE t;\nDROP ROLE IF EXISTS other;",
        )];
        let diags: Vec<_> = lint_files(RULE, &files)
            .into_iter()
            .filter(|d| d.rule == RULE)
            .collect();
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert!(
            diags[0]
                .message
                .starts_with("DROP ROLE app_ro and one other drop of this down (lines 1 and 2)"),
            "{}",
            diags[0].message
        );
        assert_eq!(
            fixed_files(RULE, &files)[0].1,
            "drop user if exists app_ro;\nDROP TABLE IF EXISTS t;\nDROP ROLE IF EXISTS other;"
        );
        // An up that runs as one transaction: no guard needed.
        assert_ok(RULE, "DROP ROLE app_ro;");
    }
}
