use pg_query::protobuf::{AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::names::quote_ident;
use crate::model::QualName;
use crate::parse::Statement;
use crate::rules::helpers::{
    alter_table, cmds, guard_insert, report_down_guards, split_reason, subtype, DownGuard,
    GuardSite, Remedy,
};
use crate::rules::Check;
use crate::tokens::{after_words, insert_keywords};

declare_rule!(
    "prefer-create-if-not-exists",
    Robustness,
    Warning,
    "CREATE without IF NOT EXISTS (or OR REPLACE, or a guard) where a rerun can find the object there: files that cannot run as one transaction, extensions, schemas and roles, downs",
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
    "COLLATION",
    "CONCURRENTLY",
];

const WORDS: &str = "IF NOT EXISTS";

/// Views, functions, procedures, rules, triggers (PostgreSQL 14 on) and
/// aggregates (12 on) take `OR REPLACE` instead: where the object is
/// there, the plain statement fails, and `OR REPLACE` makes it again
/// (checked on PostgreSQL 15).
const OR_REPLACE: Remedy = Remedy::Words("OR REPLACE");

fn check(cx: &StmtCx, out: &mut Findings) {
    match &cx.stmt.node {
        NodeEnum::CreateRoleStmt(s) => return role(cx, s, out),
        NodeEnum::CreatedbStmt(s) => return server_wide(cx, "DATABASE", &s.dbname, out),
        NodeEnum::CreateTableSpaceStmt(s) => {
            return server_wide(cx, "TABLESPACE", &s.tablespacename, out)
        }
        _ => {}
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
            } else if site.what.starts_with("CREATE LANGUAGE") {
                "a language is an extension: plpgsql is in every database from the start, and managed databases \
                 pre-install others"
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
        report(cx, out, &site, why);
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

/// `CREATE DATABASE`, `CREATE TABLESPACE`: like a role, the object belongs
/// to the whole server, so it may be there before any migration of this
/// database runs (PostgreSQL 15: `database "x" already exists` from a
/// second database of the server). Neither has IF NOT EXISTS, and neither
/// runs in a `DO` block (`cannot be executed from a function`).
fn server_wide(cx: &StmtCx, word: &str, name: &str, out: &mut Findings) {
    let noun = word.to_ascii_lowercase();
    out.report(
        cx.stmt.span,
        format!(
            "CREATE {word} {} fails with `{noun} \"{name}\" already exists` where the server has it before this migration \
             runs: a {noun} belongs to the whole server, not to this database, so another database on it (a test or \
             staging copy, a second application) may have made it; CREATE {word} has no IF NOT EXISTS and cannot run \
             in a DO block",
            quote_ident(name)
        ),
    )
    .help(format!(
        "leave the {noun} to the tooling that provisions the server, and keep the migrations to this database's objects"
    ));
}

/// A statement that may have sites (`sites`), from its facts alone.
fn is_create(cx: &StmtCx, i: usize) -> bool {
    let f = cx.facts_of(i);
    let text = &cx.file.parsed.text[f.span.start..f.span.end];
    let starts = |w: &str| {
        text.get(..w.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(w))
    };
    f.effects.iter().any(|e| matches!(e, Effect::Create { .. }))
        || starts("CREATE")
        // `ALTER TYPE ... ADD VALUE`
        || starts("ALTER")
}

/// The statement's creates without IF NOT EXISTS (or OR REPLACE, or the
/// `DO` block that takes their place where PostgreSQL has neither).
fn sites(cx: &StmtCx, i: usize, stmt: &Statement) -> Vec<GuardSite> {
    let node = &stmt.node;
    let mut outside_history = false;
    let mut remedy = Remedy::Words(WORDS);
    // Creates that fail with `duplicate_object` where the object is there
    // (types, domains, policies, casts, constraint triggers: checked on
    // PostgreSQL 15); operators with `duplicate_function`.
    let wrap = Remedy::Wrap("duplicate_object");
    let pg = cx.options.pg_version;
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
            format!("CREATE {unique}INDEX {}", quote_ident(&s.idxname))
        }
        NodeEnum::CreateExtensionStmt(s) if !s.if_not_exists => {
            outside_history = true;
            // `CREATE [TRUSTED] [PROCEDURAL] LANGUAGE l` without a handler
            // is parsed as `CREATE EXTENSION l` (PostgreSQL 9.1 on), and
            // takes `OR REPLACE` where the extension takes `IF NOT EXISTS`:
            // `CREATE LANGUAGE plpgsql` fails on PostgreSQL 15 with
            // `extension "plpgsql" already exists`, `CREATE OR REPLACE
            // LANGUAGE plpgsql` skips it.
            let text = &cx.file.parsed.text[stmt.span.start..stmt.span.end];
            let language =
                after_words(text, &["CREATE", "TRUSTED", "PROCEDURAL"]).is_some_and(|at| {
                    text[at..]
                        .get(..8)
                        .is_some_and(|w| w.eq_ignore_ascii_case("LANGUAGE"))
                });
            if language {
                remedy = OR_REPLACE;
                format!("CREATE LANGUAGE {}", quote_ident(&s.extname))
            } else {
                format!("CREATE EXTENSION {}", quote_ident(&s.extname))
            }
        }
        NodeEnum::CreateSchemaStmt(s) if !s.if_not_exists => {
            outside_history = true;
            // `CREATE SCHEMA AUTHORIZATION r` names the schema after `r`.
            match (&s.schemaname, s.authrole.as_ref()) {
                (name, _) if !name.is_empty() => {
                    format!("CREATE SCHEMA {}", quote_ident(name))
                }
                (_, Some(role)) if !role.rolename.is_empty() => {
                    format!(
                        "CREATE SCHEMA AUTHORIZATION {}",
                        quote_ident(&role.rolename)
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
        NodeEnum::ViewStmt(s) if !s.replace => {
            let Some(rv) = &s.view else {
                return Vec::new();
            };
            if rv.relpersistence == "t" {
                return Vec::new();
            }
            remedy = OR_REPLACE;
            format!("CREATE VIEW {}", QualName::from_range_var(rv))
        }
        NodeEnum::CreateFunctionStmt(s) if !s.replace => {
            let Some(name) = QualName::from_list(&s.funcname) else {
                return Vec::new();
            };
            remedy = OR_REPLACE;
            let kind = if s.is_procedure {
                "PROCEDURE"
            } else {
                "FUNCTION"
            };
            format!("CREATE {kind} {name}")
        }
        NodeEnum::CreateTrigStmt(s) if !s.replace => {
            let Some(rv) = &s.relation else {
                return Vec::new();
            };
            // `CREATE OR REPLACE TRIGGER` came with PostgreSQL 14, and is
            // refused for a constraint trigger.
            let constraint = if s.isconstraint { "CONSTRAINT " } else { "" };
            remedy = if s.isconstraint || pg < 14 {
                wrap
            } else {
                OR_REPLACE
            };
            format!(
                "CREATE {constraint}TRIGGER {} ON {}",
                quote_ident(&s.trigname),
                QualName::from_range_var(rv)
            )
        }
        NodeEnum::RuleStmt(s) if !s.replace => {
            let Some(rv) = &s.relation else {
                return Vec::new();
            };
            if dropped_before_on(cx, i, ObjectType::ObjectRule, &rv.relname, &s.rulename) {
                return Vec::new();
            }
            remedy = OR_REPLACE;
            format!(
                "CREATE RULE {} ON {}",
                quote_ident(&s.rulename),
                QualName::from_range_var(rv)
            )
        }
        NodeEnum::DefineStmt(s) if !s.replace && !s.if_not_exists => {
            let Some(name) = QualName::from_list(&s.defnames) else {
                return Vec::new();
            };
            let kind = match ObjectType::try_from(s.kind) {
                Ok(ObjectType::ObjectAggregate) => {
                    remedy = if pg >= 12 {
                        OR_REPLACE
                    } else {
                        Remedy::Wrap("duplicate_function")
                    };
                    "AGGREGATE"
                }
                Ok(ObjectType::ObjectOperator) => {
                    remedy = Remedy::Wrap("duplicate_function");
                    "OPERATOR"
                }
                Ok(ObjectType::ObjectType) => {
                    remedy = wrap;
                    "TYPE"
                }
                Ok(ObjectType::ObjectCollation) => "COLLATION",
                _ => return Vec::new(),
            };
            format!("CREATE {kind} {name}")
        }
        NodeEnum::CreateEnumStmt(s) => {
            remedy = wrap;
            format!("CREATE TYPE {}", name_or_empty(&s.type_name))
        }
        NodeEnum::CreateRangeStmt(s) => {
            remedy = wrap;
            format!("CREATE TYPE {}", name_or_empty(&s.type_name))
        }
        NodeEnum::CompositeTypeStmt(s) => {
            let Some(rv) = &s.typevar else {
                return Vec::new();
            };
            remedy = wrap;
            format!("CREATE TYPE {}", QualName::from_range_var(rv))
        }
        NodeEnum::CreateDomainStmt(s) => {
            remedy = wrap;
            format!("CREATE DOMAIN {}", name_or_empty(&s.domainname))
        }
        NodeEnum::CreatePolicyStmt(s) => {
            let Some(rv) = &s.table else {
                return Vec::new();
            };
            if dropped_before_on(cx, i, ObjectType::ObjectPolicy, &rv.relname, &s.policy_name) {
                return Vec::new();
            }
            remedy = wrap;
            format!(
                "CREATE POLICY {} ON {}",
                quote_ident(&s.policy_name),
                QualName::from_range_var(rv)
            )
        }
        NodeEnum::CreateCastStmt(s) => {
            let ty = |t: &Option<pg_query::protobuf::TypeName>| {
                t.as_ref()
                    .and_then(|t| QualName::from_list(&t.names))
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            };
            remedy = wrap;
            format!(
                "CREATE CAST ({} AS {})",
                ty(&s.sourcetype),
                ty(&s.targettype)
            )
        }
        NodeEnum::AlterTableStmt(_) => return add_columns(cx, i, stmt),
        NodeEnum::AlterEnumStmt(s) => return add_value(cx, stmt, s),
        _ => return Vec::new(),
    };
    // What it creates cannot be there already when this file dropped it
    // before (`DROP VIEW IF EXISTS v` just before `CREATE VIEW v`, an
    // extension or schema dropped and made again), and a rerun cannot
    // find what its own transaction drops again (a scratch table).
    let facts = cx.file.facts;
    let made = facts_created(cx, i);
    if made.is_some_and(|obj| facts.dropped_later_in_tx(obj, i) || facts.dropped_before(obj, i)) {
        return Vec::new();
    }
    let text = &cx.file.parsed.text[stmt.span.start..stmt.span.end];
    let at = match remedy {
        Remedy::Words(WORDS) => after_words(text, CREATE_WORDS),
        Remedy::Words(_) => after_words(text, &["CREATE"]),
        Remedy::Wrap(_) => None,
    };
    let words = match remedy {
        Remedy::Words(w) => w,
        Remedy::Wrap(_) => WORDS,
    };
    vec![GuardSite {
        span: stmt.span,
        what,
        outside_history,
        remedy,
        insert: at.map(|at| guard_insert(text, stmt.span.start, at, words)),
        fixed: at.map(|at| insert_keywords(text, at, words)),
    }]
}

/// `a.b` from a list of names (empty where there is none).
fn name_or_empty(names: &[pg_query::protobuf::Node]) -> String {
    QualName::from_list(names)
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// A statement before `i` drops the `kind` (a policy, a rule) `name` on
/// table `table`: the model does not track these, so from the statements.
fn dropped_before_on(cx: &StmtCx, i: usize, kind: ObjectType, table: &str, name: &str) -> bool {
    (0..i).any(|j| {
        if !cx.facts_of(j).effects.is_empty() {
            return false;
        }
        let Some(stmt) = cx.statement(j) else {
            return false;
        };
        let NodeEnum::DropStmt(d) = &stmt.node else {
            return false;
        };
        d.remove_type == kind as i32
            && d.objects.iter().any(|o| match o.node.as_ref() {
                Some(NodeEnum::List(l)) => {
                    let parts: Vec<&str> = l
                        .items
                        .iter()
                        .filter_map(|n| match n.node.as_ref() {
                            Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
                            _ => None,
                        })
                        .collect();
                    matches!(parts.as_slice(), [.., t, n] if *t == table && *n == name)
                }
                _ => false,
            })
    })
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
            remedy: Remedy::Words(WORDS),
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

/// `ALTER TYPE e ADD VALUE 'v'` without IF NOT EXISTS: a rerun that finds
/// the label fails with `enum label "v" already exists` (checked on
/// PostgreSQL 15); `ADD VALUE IF NOT EXISTS` skips it.
fn add_value(
    cx: &StmtCx,
    stmt: &Statement,
    s: &pg_query::protobuf::AlterEnumStmt,
) -> Vec<GuardSite> {
    // `RENAME VALUE` has an old label; `IF NOT EXISTS` is already there.
    if s.new_val.is_empty() || !s.old_val.is_empty() || s.skip_if_new_val_exists {
        return Vec::new();
    }
    let text = &cx.file.parsed.text[stmt.span.start..stmt.span.end];
    let toks = crate::tokens::tokens(text);
    // The words go after `ADD VALUE` (found as a pair: the type may be
    // named `value`).
    let at = toks.windows(3).find_map(|w| {
        let word = |k: usize, s: &str| text[w[k].start()..w[k].end()].eq_ignore_ascii_case(s);
        (word(0, "ADD") && word(1, "VALUE")).then(|| w[2].start())
    });
    let label = format!("'{}'", s.new_val.replace('\'', "''"));
    vec![GuardSite {
        span: stmt.span,
        what: format!(
            "ALTER TYPE {} ADD VALUE {label}",
            name_or_empty(&s.type_name)
        ),
        outside_history: false,
        remedy: Remedy::Words(WORDS),
        insert: at.map(|at| guard_insert(text, stmt.span.start, at, WORDS)),
        fixed: at.map(|at| insert_keywords(text, at, WORDS)),
    }]
}

fn report(cx: &StmtCx, out: &mut Findings, site: &GuardSite, why: String) {
    let text = &cx.file.parsed.text[site.span.start..site.span.end];
    let help = site.remedy.help(text, site.fixed.as_deref());
    let finding = out
        .report(
            site.span,
            format!("{} {} {why}", site.what, site.remedy.lacks()),
        )
        .help(help);
    if let Some(fix) = GuardSite::fix(&[site]) {
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

    /// The reason names the statement that ends the transaction the create
    /// runs in, not the file's first transaction end: after a `ROLLBACK`
    /// (which keeps nothing) the `COMMIT` further on is what splits the
    /// file (checked on PostgreSQL 15: a failure after it leaves `a` and
    /// `z`, and the rerun fails on `relation "a" already exists`).
    #[test]
    fn the_commit_of_its_own_transaction_is_named() {
        let a_z = "BEGIN;\nCREATE TABLE a (id int);\nROLLBACK;\nCREATE TABLE a (id int);\n\
                   CREATE TABLE z (id int);\nCOMMIT;\nCREATE TABLE b (id int);";
        let a_b = "CREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);\nEND;\n\
                   CREATE TABLE c (id int);";
        for (sql, what, end) in [
            (a_z, "TABLE a ", "the COMMIT on line 6 "),
            (a_z, "TABLE z ", "the COMMIT on line 6 "),
            (a_b, "TABLE a ", "the COMMIT on line 2 "),
            (a_b, "TABLE b ", "the END on line 5 "),
        ] {
            let ours = only(RULE, lint_files(RULE, &[(DEFAULT_FILE, sql)]));
            let found = ours.iter().find(|d| d.message.contains(what));
            assert!(
                found.is_some_and(|d| d.message.contains(end)),
                "{what}: {ours:#?}"
            );
        }
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

    /// Databases and tablespaces belong to the server, like roles
    /// (PostgreSQL 15: `database "x1" already exists`, `tablespace "ts1"
    /// already exists` from a second database of the same server).
    #[test]
    fn server_wide_objects_err() {
        for (sql, word) in [
            (
                "CREATE DATABASE reports;",
                "`database \"reports\" already exists`",
            ),
            (
                "CREATE TABLESPACE fast LOCATION '/ssd';",
                "`tablespace \"fast\" already exists`",
            ),
        ] {
            let out = assert_err(RULE, sql);
            assert!(out.contains(word) && out.contains("whole server"), "{out}");
        }
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

    /// `CREATE LANGUAGE plpgsql` is `CREATE EXTENSION plpgsql` to the
    /// parser, but its guard is `OR REPLACE` (PostgreSQL 15: the plain
    /// statement fails with `extension "plpgsql" already exists`, `CREATE
    /// OR REPLACE LANGUAGE plpgsql` skips it; `CREATE LANGUAGE IF NOT
    /// EXISTS` does not parse).
    #[test]
    fn create_language_or_replace() {
        let out = assert_err(RULE, "CREATE LANGUAGE plpgsql;");
        assert!(
            out.contains("CREATE LANGUAGE plpgsql without OR REPLACE"),
            "{out}"
        );
        assert!(out.contains("CREATE OR REPLACE LANGUAGE plpgsql"), "{out}");
        let out = assert_err(RULE, "create trusted procedural language plperl;");
        assert!(
            out.contains("create or replace trusted procedural language plperl"),
            "{out}"
        );
        assert_ok(RULE, "CREATE OR REPLACE LANGUAGE plpgsql;");
    }

    /// `ALTER TYPE ... ADD VALUE` before a COMMIT that splits the file, or
    /// in a down: a rerun fails with `enum label "b" already exists`
    /// (PostgreSQL 15); `ADD VALUE IF NOT EXISTS` skips it.
    #[test]
    fn enum_add_value_err() {
        let out = assert_err(
            RULE,
            "ALTER TYPE mood ADD VALUE 'b' BEFORE 'a';\nCOMMIT;\nCREATE TABLE x (id int);",
        );
        assert!(
            out.contains("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'b' BEFORE 'a'"),
            "{out}"
        );
        // A type named `value`.
        let out = assert_err(
            RULE,
            "alter type value add value 'x';\ncommit;\ncreate table x (id int);",
        );
        assert!(
            out.contains("alter type value add value if not exists 'x'"),
            "{out}"
        );
        let files = [(
            "000002_more_moods.down.sql",
            "ALTER TYPE mood ADD VALUE 'c';\nALTER TYPE mood RENAME VALUE 'd' TO 'e';\n",
        )];
        let diags: Vec<_> = lint_files(RULE, &files)
            .into_iter()
            .filter(|d| d.rule == RULE)
            .collect();
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert!(
            diags[0]
                .message
                .starts_with("ALTER TYPE mood ADD VALUE 'c' has no IF NOT EXISTS"),
            "{diags:#?}"
        );
        // One transaction: a rerun starts clean; a guarded one is fine.
        assert_ok(
            RULE,
            "ALTER TYPE mood ADD VALUE 'b';\nCREATE TABLE x (id int);",
        );
        assert_ok(
            RULE,
            "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'b';\nCOMMIT;\nCREATE TABLE x (id int);",
        );
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
        // An unnamed index gets a fresh name each time; a TEMP table ends
        // with the session.
        assert_ok(
            RULE,
            &format!("{prefix}CREATE INDEX ON t (id);\nCREATE TEMP TABLE scratch (id int);\n\
             CREATE TEMP VIEW sv AS SELECT 1;\nCREATE OR REPLACE VIEW v AS SELECT 1;\n\
             CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCOMMIT;\nUPDATE t SET a = 1;"),
        );
    }

    /// The repro of issue 12 point 1: a down that makes again a view its up
    /// dropped fails with `relation "v" already exists` (42P07, PostgreSQL
    /// 15) where the up never applied.
    #[test]
    fn down_view_err() {
        let files = [
            (
                "000001_t.up.sql",
                "CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT a FROM t;",
            ),
            ("000002_v.up.sql", "DROP VIEW v;"),
            ("000002_v.down.sql", "CREATE VIEW v AS SELECT a FROM t;"),
        ];
        let diags = only(RULE, lint_files(RULE, &files));
        assert_eq!(diags.len(), 1, "{diags:#?}");
        assert!(
            diags[0]
                .message
                .starts_with("CREATE VIEW v has no OR REPLACE"),
            "{}",
            diags[0].message
        );
        assert_eq!(
            diags[0].help.as_deref(),
            Some("write `CREATE OR REPLACE VIEW v AS SELECT a FROM t`")
        );
        assert_eq!(
            fixed_files(RULE, &files),
            [(
                "000002_v.down.sql".to_string(),
                "CREATE OR REPLACE VIEW v AS SELECT a FROM t;".to_string()
            )]
        );
    }

    /// Every kind PostgreSQL 15 refuses to make twice, in one finding for
    /// the down, with the remedy of each: OR REPLACE where PostgreSQL has
    /// it (the fix inserts it), else a DO block catching the error.
    #[test]
    fn down_kinds_without_if_not_exists_err() {
        let down = "CREATE TABLE a (id int);\n\
            CREATE VIEW v AS SELECT 1 AS x;\n\
            create function f() returns int language sql as 'SELECT 1';\n\
            CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';\n\
            CREATE TRIGGER tr BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION tf();\n\
            CREATE RULE r AS ON UPDATE TO a DO INSTEAD NOTHING;\n\
            CREATE AGGREGATE agg(int) (sfunc = int4pl, stype = int);\n\
            CREATE TYPE mood AS ENUM ('a');\n\
            CREATE TYPE comp AS (x int);\n\
            CREATE TYPE rng AS RANGE (subtype = int);\n\
            CREATE DOMAIN d AS int;\n\
            CREATE POLICY pol ON a USING (true);\n\
            CREATE CAST (int AS mood) WITH INOUT;\n\
            CREATE CONSTRAINT TRIGGER ctr AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION tf();\n\
            CREATE OPERATOR === (leftarg = int, rightarg = int, function = int4eq);\n\
            CREATE COLLATION coll (locale = 'C');";
        let files = [("000002_x.down.sql", down)];
        let diags = only(RULE, lint_files(RULE, &files));
        assert_eq!(diags.len(), 1, "{diags:#?}");
        let d = &diags[0];
        assert!(
            d.message
                .starts_with("CREATE TABLE a and 15 other creates of this down (lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 and 16) have no guard"),
            "{}",
            d.message
        );
        assert_eq!(
            d.help.as_deref(),
            Some("write `IF NOT EXISTS` in lines 1 and 16; write `OR REPLACE` in lines 2, 3, 4, 5, 6 and 7; \
                  wrap lines 8, 9, 10, 11, 12, 13 and 14 in `DO $$ BEGIN ...; EXCEPTION WHEN duplicate_object THEN NULL; END $$;`; \
                  wrap line 15 in `DO $$ BEGIN ...; EXCEPTION WHEN duplicate_function THEN NULL; END $$;`")
        );
        // A DO block is no safe fix: none for the file, so that the fix
        // settles the finding; without those statements, one.
        assert!(fixed_files(RULE, &files).is_empty());
        let fixable: String = down
            .lines()
            .filter(|l| {
                !l.contains("TYPE")
                    && !l.contains("DOMAIN")
                    && !l.contains("POLICY")
                    && !l.contains("CAST")
                    && !l.contains("CONSTRAINT")
                    && !l.contains("OPERATOR")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let fixed = &fixed_files(RULE, &[("000002_x.down.sql", &fixable)])[0].1;
        for line in [
            "CREATE TABLE IF NOT EXISTS a (id int);",
            "CREATE OR REPLACE VIEW v AS SELECT 1 AS x;",
            "create or replace function f()",
            "CREATE OR REPLACE PROCEDURE p()",
            "CREATE OR REPLACE TRIGGER tr",
            "CREATE OR REPLACE RULE r",
            "CREATE OR REPLACE AGGREGATE agg",
            "CREATE COLLATION IF NOT EXISTS coll",
        ] {
            assert!(fixed.contains(line), "{line}: {fixed}");
        }
    }

    /// One kind alone: its own remedy in the help.
    #[test]
    fn down_wrap_help() {
        let files = [("000002_x.down.sql", "CREATE TYPE mood AS ENUM ('a');")];
        let diags = only(RULE, lint_files(RULE, &files));
        assert!(
            diags[0].message.starts_with(
                "CREATE TYPE mood has no guard (PostgreSQL has no IF NOT EXISTS or OR REPLACE for it)"
            ),
            "{}",
            diags[0].message
        );
        assert_eq!(
            diags[0].help.as_deref(),
            Some("skip it where the object is there: `DO $$ BEGIN CREATE TYPE mood AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;`")
        );
        // No safe fix: a DO block is a rewrite to review.
        assert!(fixed_files(RULE, &files).is_empty());
    }

    /// `CREATE OR REPLACE TRIGGER` came with PostgreSQL 14.
    #[test]
    fn trigger_before_14_wraps() {
        use crate::rules::helpers::pg_testing::lint_pg;
        let files = [(
            "000002_x.down.sql",
            "CREATE TRIGGER tr BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION tf();",
        )];
        let d = only(RULE, lint_pg(RULE, 13, &files));
        assert!(
            d[0].help
                .as_deref()
                .unwrap_or_default()
                .contains("duplicate_object"),
            "{d:#?}"
        );
        let d = only(RULE, lint_pg(RULE, 14, &files));
        assert!(
            d[0].help
                .as_deref()
                .unwrap_or_default()
                .contains("CREATE OR REPLACE TRIGGER"),
            "{d:#?}"
        );
    }

    /// Made again after a drop earlier in the file: never there (checked
    /// on PostgreSQL 15).
    #[test]
    fn dropped_just_before_ok() {
        assert_ok_files(
            RULE,
            &[(
                "000002_x.down.sql",
                "DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT 1;\n\
                 DROP TYPE IF EXISTS mood;\nCREATE TYPE mood AS ENUM ('a');\n\
                 DROP POLICY IF EXISTS pol ON a;\nCREATE POLICY pol ON a USING (true);\n\
                 DROP RULE IF EXISTS r ON a;\nCREATE RULE r AS ON UPDATE TO a DO INSTEAD NOTHING;\n\
                 DROP FUNCTION IF EXISTS f;\nCREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
                 DROP TRIGGER IF EXISTS tr ON a;\nCREATE CONSTRAINT TRIGGER tr AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION tf();\n\
                 DROP TABLE IF EXISTS b;\nCREATE TABLE b (id int);",
            )],
        );
    }

    /// Ups that cannot run as one transaction: each kind is reported, with
    /// its remedy.
    #[test]
    fn split_up_kinds_err() {
        let p = "\nCOMMIT;\nUPDATE t SET a = 1;";
        let out = assert_err(RULE, &format!("CREATE VIEW v AS SELECT 1;{p}"));
        assert!(
            out.contains("CREATE VIEW v without OR REPLACE fails"),
            "{out}"
        );
        assert_eq!(
            fixed(RULE, &format!("CREATE VIEW v AS SELECT 1;{p}")).unwrap(),
            format!("CREATE OR REPLACE VIEW v AS SELECT 1;{p}")
        );
        let out = assert_err(RULE, &format!("CREATE DOMAIN d AS int;{p}"));
        assert!(
            out.contains("CREATE DOMAIN d (which has no IF NOT EXISTS or OR REPLACE) fails"),
            "{out}"
        );
        assert!(out.contains("EXCEPTION WHEN duplicate_object"), "{out}");
        // Atomic: a rerun starts clean.
        assert_ok(
            RULE,
            "CREATE VIEW v AS SELECT 1;\nCREATE TYPE mood AS ENUM ('a');",
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

    /// The enum-value removal of a down: the type renamed away, made again
    /// under its name, the old one dropped. The name is free once the
    /// rename ran (in the same transaction, or the file failed before):
    /// `CREATE TYPE` cannot meet `already exists` (checked on PostgreSQL
    /// 15). Taken again between (a second create) it can.
    #[test]
    fn renamed_away_before_ok() {
        let files = [(
            "000002_state_pending.down.sql",
            "ALTER TYPE state RENAME TO state_old;
CREATE TYPE state AS ENUM ('open', 'closed');
             ALTER TABLE t ALTER COLUMN s TYPE state USING s::text::state;
DROP TYPE IF EXISTS state_old;
             ALTER TABLE a RENAME TO a_old;
CREATE TABLE a (id int);",
        )];
        assert_ok_files(RULE, &files);
        let files = [(
            "000002_state_pending.down.sql",
            "ALTER TYPE state RENAME TO state_old;
CREATE TYPE state AS ENUM ('open');
             ALTER TYPE state_old RENAME TO state;",
        )];
        assert_ok_files(RULE, &files);
        let files = [(
            "000002_x.down.sql",
            "ALTER TABLE a RENAME TO a_old;
ALTER TABLE b RENAME TO a;
CREATE TABLE a (id int);",
        )];
        assert!(!lint_files(RULE, &files).is_empty());
    }
}
