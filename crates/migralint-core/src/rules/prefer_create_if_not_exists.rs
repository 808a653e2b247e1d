use pg_query::protobuf::{AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::QualName;
use crate::parse::Statement;
use crate::rules::helpers::{
    alter_table, cmds, guard_insert, report_down_guards, split_reason, subtype, DownGuard,
    GuardSite,
};
use crate::rules::Check;
use crate::tokens::{after_words, insert_keywords};

declare_rule!(
    "prefer-create-if-not-exists",
    Robustness,
    Warning,
    "CREATE without IF NOT EXISTS where a rerun can find the object there: files that cannot run as one transaction, extensions, schemas and roles, downs",
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

const WORDS: &str = "IF NOT EXISTS";

fn check(cx: &StmtCx, out: &mut Findings) {
    if let NodeEnum::CreateRoleStmt(s) = &cx.stmt.node {
        return role(cx, s, out);
    }
    let here = sites(cx, cx.stmt_index, cx.stmt);
    if here.is_empty() {
        return;
    }
    let guard = DownGuard {
        words: WORDS,
        noun: "create",
        failure: "fails with `already exists`",
    };
    if report_down_guards(cx, out, is_create, sites, &guard) {
        return;
    }
    let split = split_reason(cx);
    for site in here {
        let why = if site.outside_history {
            let who = if site.what.starts_with("CREATE EXTENSION") {
                "managed databases pre-install extensions"
            } else {
                "schemas are often made by hand or by another tool"
            };
            format!(
                "fails with `already exists` where the database has it before this migration runs ({who})"
            )
        } else if let Some(split) = &split {
            format!(
                "fails with `already exists` when the migration is re-run after a failure further on: this file \
                 cannot run as one transaction ({split}), so what ran before the failure stays"
            )
        } else {
            // An up that runs as one transaction: a failure rolls it back
            // whole and a rerun starts clean.
            continue;
        };
        report(out, &site, why);
    }
}

/// `CREATE ROLE` (`USER`, `GROUP`): a role belongs to the whole server, not
/// to the database the history builds, so it may exist before any
/// migration runs (another database on the same server, a test or staging
/// copy, made it), and PostgreSQL has no `IF NOT EXISTS` for it.
fn role(cx: &StmtCx, s: &pg_query::protobuf::CreateRoleStmt, out: &mut Findings) {
    let name = crate::model::names::quote_ident(&s.role);
    let word = match pg_query::protobuf::RoleStmtType::try_from(s.stmt_type) {
        Ok(pg_query::protobuf::RoleStmtType::RolestmtUser) => "USER",
        Ok(pg_query::protobuf::RoleStmtType::RolestmtGroup) => "GROUP",
        _ => "ROLE",
    };
    out.report(
        cx.stmt.span,
        format!(
            "CREATE {word} {name} fails with `role \"{}\" already exists` where the server has it before this migration \
             runs: roles belong to the whole server, not to this database, so another database on it (a test or staging \
             copy, a second application) may have made it; CREATE {word} has no IF NOT EXISTS",
            s.role
        ),
    )
    .help(format!(
        "create it only when missing: `DO $$ BEGIN CREATE {word} {name}; EXCEPTION WHEN duplicate_object THEN NULL; END $$;` \
         (then set what it must have with ALTER ROLE), or leave roles to the tooling that provisions the server"
    ));
}

/// A statement that may have sites (`sites`), from its facts alone.
fn is_create(f: &crate::engine::facts::StmtFacts) -> bool {
    f.effects.iter().any(|e| matches!(e, Effect::Create { .. }))
}

/// The statement's creates without IF NOT EXISTS.
fn sites(cx: &StmtCx, i: usize, stmt: &Statement) -> Vec<GuardSite> {
    let node = &stmt.node;
    let mut outside_history = false;
    let what = match node {
        NodeEnum::CreateStmt(s) if !s.if_not_exists => {
            let Some(rv) = &s.relation else {
                return Vec::new();
            };
            if rv.relpersistence == "t" {
                // A temporary table is gone when the session ends.
                return Vec::new();
            }
            format!("CREATE TABLE {}", QualName::from_range_var(rv))
        }
        NodeEnum::CreateTableAsStmt(s) if !s.if_not_exists => {
            let Some(rv) = s.into.as_ref().and_then(|i| i.rel.as_ref()) else {
                return Vec::new();
            };
            if rv.relpersistence == "t" {
                return Vec::new();
            }
            let kind = match ObjectType::try_from(s.objtype) {
                Ok(ObjectType::ObjectMatview) => "CREATE MATERIALIZED VIEW",
                Ok(ObjectType::ObjectTable) => "CREATE TABLE",
                _ => return Vec::new(),
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
            outside_history = true;
            format!(
                "CREATE EXTENSION {}",
                crate::model::names::quote_ident(&s.extname)
            )
        }
        NodeEnum::CreateSchemaStmt(s) if !s.if_not_exists => {
            outside_history = true;
            // `CREATE SCHEMA AUTHORIZATION r` names the schema after `r`.
            match (&s.schemaname, s.authrole.as_ref()) {
                (name, _) if !name.is_empty() => {
                    format!("CREATE SCHEMA {}", crate::model::names::quote_ident(name))
                }
                (_, Some(role)) if !role.rolename.is_empty() => {
                    format!(
                        "CREATE SCHEMA AUTHORIZATION {}",
                        crate::model::names::quote_ident(&role.rolename)
                    )
                }
                _ => return Vec::new(),
            }
        }
        NodeEnum::CreateSeqStmt(s) if !s.if_not_exists => {
            let Some(rv) = &s.sequence else {
                return Vec::new();
            };
            format!("CREATE SEQUENCE {}", QualName::from_range_var(rv))
        }
        NodeEnum::AlterTableStmt(_) => return add_columns(cx, i, stmt),
        _ => return Vec::new(),
    };
    // What it creates cannot be there already when this file dropped it
    // before (an extension or schema dropped and made again), and a rerun
    // cannot find what its own transaction drops again (a scratch table).
    let facts = cx.file.facts;
    let made = facts_created(cx, i);
    if made.is_some_and(|obj| {
        facts.dropped_later_in_tx(obj, i) || (outside_history && facts.dropped_before(obj, i))
    }) {
        return Vec::new();
    }
    let text = &cx.file.parsed.text[stmt.span.start..stmt.span.end];
    let at = after_words(text, CREATE_WORDS);
    vec![GuardSite {
        span: stmt.span,
        what,
        outside_history,
        insert: at.map(|at| guard_insert(text, stmt.span.start, at, WORDS)),
        fixed: at.map(|at| insert_keywords(text, at, WORDS)),
    }]
}

/// The object statement `i` creates (its relation, index, extension,
/// schema or sequence; not the columns and constraints that come with it).
fn facts_created<'a>(cx: &StmtCx<'a>, i: usize) -> Option<&'a crate::model::Obj> {
    use crate::model::Kind;
    cx.file.facts.stmts[i].effects.iter().find_map(|e| match e {
        Effect::Create { obj, .. } if !matches!(obj.kind, Kind::Column | Kind::Constraint) => {
            Some(obj)
        }
        _ => None,
    })
}

fn add_columns(cx: &StmtCx, i: usize, stmt: &Statement) -> Vec<GuardSite> {
    let Some((s, table)) = alter_table(&stmt.node) else {
        return Vec::new();
    };
    let spans = cx.facts_of(i).cmd_spans.as_ref();
    let mut out = Vec::new();
    for (k, cmd) in cmds(s).enumerate() {
        if subtype(cmd) != AlterTableType::AtAddColumn || cmd.missing_ok {
            continue;
        }
        let column = match cmd.def.as_deref().and_then(|d| d.node.as_ref()) {
            Some(NodeEnum::ColumnDef(c)) => c.colname.clone(),
            _ => continue,
        };
        let obj = crate::model::Obj::on(crate::model::Kind::Column, &table, &column);
        if cx.file.facts.dropped_later_in_tx(&obj, i) {
            continue;
        }
        let span = spans.and_then(|s| s.get(k).copied());
        let (insert, fixed) = match span {
            Some(span) => {
                let clause = &cx.file.parsed.text[span.start..span.end];
                match after_words(clause, &["ADD", "COLUMN"]) {
                    Some(at) => {
                        let add = if clause.starts_with("add") {
                            "add column"
                        } else {
                            "ADD COLUMN"
                        };
                        let fixed = insert_keywords(
                            &format!("{add} {}", &clause[at..]),
                            add.len() + 1,
                            WORDS,
                        );
                        (
                            Some(guard_insert(clause, span.start, at, WORDS)),
                            Some(fixed),
                        )
                    }
                    None => (None, None),
                }
            }
            None => (None, None),
        };
        out.push(GuardSite {
            span: span.unwrap_or(stmt.span),
            what: format!(
                "ALTER TABLE {table} ADD COLUMN {}",
                crate::model::names::quote_ident(&column)
            ),
            outside_history: false,
            insert,
            fixed,
        });
    }
    out
}

fn report(out: &mut Findings, site: &GuardSite, why: String) {
    let help = match &site.fixed {
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
    let finding = out
        .report(
            site.span,
            format!("{} without IF NOT EXISTS {why}", site.what),
        )
        .help(help);
    if let Some(fix) = GuardSite::fix(&[site], WORDS) {
        finding.fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "prefer-create-if-not-exists";

    /// A file that runs as one transaction rolls back whole on failure: a
    /// rerun starts clean, so its creates need no IF NOT EXISTS.
    #[test]
    fn transactional_up_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE users (\n  id uuid PRIMARY KEY,\n  email text\n);\n\
             CREATE UNIQUE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN name text;\n\
             CREATE SEQUENCE s;\nCREATE MATERIALIZED VIEW m AS SELECT 1 AS x;",
        );
        // BEGIN ... COMMIT around the whole file is still one transaction.
        assert_ok(
            RULE,
            "BEGIN;\nCREATE TABLE t (id int);\nCREATE INDEX i ON t (id);\nCOMMIT;\n",
        );
        // A file of one statement cannot fail halfway.
        assert_ok(RULE, "CREATE INDEX CONCURRENTLY i ON t (a);");
    }

    /// This rule's findings on `sql` with `multi-statement = true`.
    fn multi_statement(sql: &str) -> Vec<crate::Diagnostic> {
        let mut config = crate::config::Config::default();
        config.options.multi_statement = true;
        let options = crate::LintOptions {
            config,
            report_only: None,
        };
        let report = crate::lint(&[crate::SourceFile::new(DEFAULT_FILE, sql)], &options);
        report
            .diagnostics
            .into_iter()
            .filter(|d| d.rule == RULE)
            .collect()
    }

    #[test]
    fn split_files_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE users (\n  id uuid PRIMARY KEY,\n  email text\n);\nCOMMIT;\n\
             create unique index users_email_idx on users (email);\nALTER TABLE users ADD COLUMN name text, ADD phone text;"
        ));
        // CONCURRENTLY among other statements: PostgreSQL rejects the whole
        // file before anything commits (ban-concurrently-in-transaction).
        assert_ok(
            RULE,
            "CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);",
        );
        // After a COMMIT the file goes on in a new implicit block: the
        // CONCURRENTLY build still fails there (checked on PostgreSQL 15),
        // so it never creates its index; the table before the COMMIT stays.
        let out = assert_err(
            RULE,
            "CREATE TABLE w (id int);\nCOMMIT;\nCREATE INDEX CONCURRENTLY w_id ON w (id);",
        );
        assert!(out.contains("CREATE TABLE w"), "{out}");
        assert!(!out.contains("w_id"), "{out}");
        // multi-statement = true: each statement commits alone.
        let ours = multi_statement(
            "CREATE TABLE t (id int);\nCREATE TABLE u (id int);\nCREATE TABLE w (id int);",
        );
        // The last statement needs no guard: nothing after it can fail.
        assert_eq!(ours.len(), 2, "{ours:#?}");
        assert!(
            ours[0].message.contains("multi-statement = true"),
            "{ours:#?}"
        );
    }

    /// Roles belong to the server: a bare CREATE ROLE fails where another
    /// database made it (checked on PostgreSQL 15: `role "app_ro" already
    /// exists`, in a second database of the same server); the DO block
    /// that catches `duplicate_object` is the guard.
    #[test]
    fn create_role_err() {
        for (sql, word) in [
            ("CREATE ROLE app_ro NOLOGIN;", "CREATE ROLE app_ro"),
            (
                "CREATE USER reporter WITH PASSWORD 'x';",
                "CREATE USER reporter",
            ),
        ] {
            let out = assert_err(RULE, sql);
            assert!(out.contains(word) && out.contains("whole server"), "{out}");
            assert!(out.contains("duplicate_object"), "{out}");
        }
        assert_ok(
            RULE,
            "DO $$ BEGIN CREATE ROLE app_ro NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
        );
    }

    #[test]
    fn outside_history_err() {
        for sql in [
            "CREATE EXTENSION \"uuid-ossp\";",
            "CREATE SCHEMA app;",
            "CREATE SCHEMA AUTHORIZATION app_owner;",
        ] {
            let out = assert_err(RULE, sql);
            assert!(out.contains("before this migration runs"), "{out}");
        }
    }

    #[test]
    fn one_finding_per_down() {
        let files = [(
            "000002_drop_users.down.sql",
            "CREATE TABLE users (id int);\nCREATE INDEX users_id ON users (id);\nALTER TABLE t ADD c int;\n",
        )];
        let diags: Vec<_> = lint_files(RULE, &files)
            .into_iter()
            .filter(|d| d.rule == RULE)
            .collect();
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert_eq!(diags[0].line, 1);
        assert!(
            diags[0]
                .message
                .contains("and 2 other creates of this down (lines 1, 2 and 3)"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn the_last_transaction_needs_no_guard_ok() {
        // A failure there rolls it back whole.
        assert_ok(
            RULE,
            "UPDATE t SET a = 1;\nCOMMIT;\nCREATE TABLE u (id int);\nALTER TABLE t ADD c int;",
        );
        // Nor does a transaction that a ROLLBACK ends: nothing of it stays
        // (checked on PostgreSQL 15).
        assert_ok(
            RULE,
            "CREATE TABLE a (id int);\nROLLBACK;\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);",
        );
        // Except a CONCURRENTLY build: a failed one leaves its index.
        let ours = multi_statement(
            "CREATE INDEX CONCURRENTLY a ON t (a);\nCREATE INDEX CONCURRENTLY b ON t (b);",
        );
        assert_eq!(ours.len(), 2, "{ours:#?}");
    }

    #[test]
    fn fixed_form_in_help() {
        let out = assert_err(
            RULE,
            "CREATE UNIQUE INDEX i ON t (a);\nCOMMIT;\nUPDATE t SET a = 1;",
        );
        assert!(
            out.contains("write `CREATE UNIQUE INDEX IF NOT EXISTS i ON t (a)`"),
            "{out}"
        );
        let ours =
            multi_statement("CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);\nUPDATE t SET a = 1;");
        assert!(
            ours[0]
                .help
                .as_deref()
                .unwrap_or_default()
                .contains("write `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)`"),
            "{ours:#?}"
        );
        let out = assert_err(
            RULE,
            "ALTER TABLE t ADD c int DEFAULT 0;\nCOMMIT;\nUPDATE t SET a = 1;",
        );
        assert!(
            out.contains("write `ADD COLUMN IF NOT EXISTS c int DEFAULT 0`"),
            "{out}"
        );
    }

    #[test]
    fn safe_fix_inserts_the_words() {
        assert_eq!(
            fixed(RULE, "create extension pg_trgm;").unwrap(),
            "create extension if not exists pg_trgm;"
        );
        assert_eq!(
            fixed(RULE, "ALTER TABLE t ADD c int, ADD COLUMN d int;\nCOMMIT;\nUPDATE t SET a = 1;").unwrap(),
            "ALTER TABLE t ADD IF NOT EXISTS c int, ADD COLUMN IF NOT EXISTS d int;\nCOMMIT;\nUPDATE t SET a = 1;"
        );
    }

    #[test]
    fn if_not_exists_and_inexpressible_ok() {
        let prefix = "UPDATE t SET a = 1;\nCOMMIT;\n";
        assert_ok(
            RULE,
            &format!("{prefix}CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\nCREATE TABLE IF NOT EXISTS t (id int);\n\
             CREATE INDEX IF NOT EXISTS i ON t (id);\nALTER TABLE t ADD COLUMN IF NOT EXISTS c int;\n\
             CREATE SCHEMA IF NOT EXISTS app;\nCREATE SEQUENCE IF NOT EXISTS s;\nCOMMIT;\nUPDATE t SET a = 1;"),
        );
        // Postgres has no IF NOT EXISTS for these; views, functions and
        // triggers have CREATE OR REPLACE instead.
        assert_ok(
            RULE,
            &format!("{prefix}ALTER TABLE t ADD CONSTRAINT c CHECK (id > 0);\nCREATE TYPE mood AS ENUM ('a');\n\
             CREATE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION f();\nCREATE VIEW v AS SELECT 1;\n\
             CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE INDEX ON t (id);\n\
             CREATE TEMP TABLE scratch (id int);\nCOMMIT;\nUPDATE t SET a = 1;"),
        );
    }

    /// A scratch object its own transaction drops again cannot be there
    /// on a rerun (checked on PostgreSQL 15); nor can a schema or an
    /// extension the file dropped before making it again.
    #[test]
    fn scratch_and_dropped_before_ok() {
        let files = [
            ("000001_t.up.sql", "CREATE TABLE t (id int);"),
            (
                "000001_t.down.sql",
                "CREATE TABLE t_backup AS SELECT * FROM t;\nDROP TABLE t_backup;\nDROP TABLE IF EXISTS t;",
            ),
        ];
        assert_ok_files(RULE, &files);
        assert_ok(
            RULE,
            "DROP SCHEMA IF EXISTS app CASCADE;\nCREATE SCHEMA app;\nDROP EXTENSION IF EXISTS hstore;\nCREATE EXTENSION hstore;",
        );
        // Dropped in a later transaction: the create stays on a failure
        // in between.
        let out = assert_err(
            RULE,
            "CREATE TABLE scratch (id int);\nCOMMIT;\nUPDATE t SET a = 1;\nDROP TABLE scratch;",
        );
        assert!(out.contains("CREATE TABLE scratch"), "{out}");
    }
}
