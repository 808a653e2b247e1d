use pg_query::protobuf::Token;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::{Kind, QualName};
use crate::parse::Statement;
use crate::rules::Check;

declare_rule!(
    "ban-alter-enum-add-value-in-transaction",
    Locking,
    Error,
    "ALTER TYPE ... ADD VALUE in a transaction (before PostgreSQL 12) or with the new value used in the same transaction",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::AlterEnumStmt(s) = &cx.stmt.node else {
        return;
    };
    // `RENAME VALUE` has an old value; only `ADD VALUE` matters here.
    if s.new_val.is_empty() || !s.old_val.is_empty() {
        return;
    }
    let Some(ty) = QualName::from_list(&s.type_name) else {
        return;
    };
    let tx = cx.tx_of(cx.stmt_index);
    let pg = cx.options.pg_version;
    // An enum created in this same transaction may get values in a
    // transaction block before PostgreSQL 12, and may use them at once from
    // PostgreSQL 17 on. PostgreSQL 12 to 16 reject the use all the same.
    let created_here = !(12..17).contains(&pg)
        && (0..cx.stmt_index).any(|j| {
            cx.tx_of(j) == tx
                && cx.facts_of(j).effects.iter().any(|e| {
                    matches!(e, Effect::Create { obj, .. }
                        if obj.kind == Kind::Type && obj.name.key() == ty.key())
                })
        });
    if created_here {
        return;
    }
    let value = &s.new_val;
    if pg < 12 {
        let why = if cx.tx.in_explicit_tx {
            "this BEGIN ... COMMIT block"
        } else if !cx.options.multi_statement && cx.file_has_other_statements() {
            "the implicit transaction PostgreSQL puts around a multi-statement file (golang-migrate sends a file as one query)"
        } else {
            return;
        };
        out.report(
            cx.stmt.span,
            format!(
                "ALTER TYPE {ty} ADD VALUE '{value}' cannot run inside a transaction block before PostgreSQL 12 (target: {pg}), \
                 and here it runs inside {why}: the migration fails"
            ),
        )
        .help(
            "1. put the ALTER TYPE ... ADD VALUE alone in its own migration file, without BEGIN/COMMIT; \
             2. use the new value only in later migration files. From PostgreSQL 12 on it may run in a transaction: \
             if you target 12 or later, set `pg-version` in migralint.toml",
        );
        return;
    }
    let literal = format!("'{}'", value.replace('\'', "''"));
    let used = (cx.stmt_index + 1..cx.stmt_count())
        .take_while(|&i| cx.tx_of(i) == tx)
        .find(|&i| {
            cx.statement(i)
                .is_some_and(|s| uses_literal(cx, &s, &literal))
        });
    let Some(i) = used else { return };
    let line = cx.line_of(i);
    out.report(
        cx.stmt.span,
        format!(
            "ALTER TYPE {ty} ADD VALUE '{value}' runs in the same transaction as the statement on line {line} that uses '{value}': \
             PostgreSQL rejects the use until the new value is committed (unsafe use of new value \"{value}\" of enum type {}), so the migration fails",
            ty.name
        ),
    )
    .help(
        "1. put the ALTER TYPE ... ADD VALUE in its own migration file; \
         2. move the statements that use the new value to the next migration file, which runs after the value is committed",
    );
}

/// The statement mentions `literal` (`'value'`, quoted) as a string
/// constant, where PostgreSQL reads it when the statement runs.
fn uses_literal(cx: &StmtCx, stmt: &Statement, literal: &str) -> bool {
    let body_uses = |options: &[pg_query::protobuf::Node]| {
        options.iter().any(|o| match o.node.as_ref() {
            Some(NodeEnum::DefElem(e)) if e.defname == "as" => {
                match e.arg.as_deref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::String(body)) => body.sval.contains(literal),
                    Some(NodeEnum::List(l)) => l
                        .items
                        .iter()
                        .filter_map(crate::model::names::node_string)
                        .any(|body| body.contains(literal)),
                    _ => false,
                }
            }
            _ => false,
        })
    };
    let tokens_use = || {
        let text = cx.text(stmt.span);
        crate::tokens::scan(text).is_ok_and(|tokens| {
            tokens.iter().any(|t| {
                t.token == Token::Sconst as i32
                    && text.get(t.start as usize..t.end as usize) == Some(literal)
            })
        })
    };
    match &stmt.node {
        // Labels of enums, comments: not a use of the value.
        NodeEnum::AlterEnumStmt(_) | NodeEnum::CreateEnumStmt(_) | NodeEnum::CommentStmt(_) => {
            false
        }
        // A DO block runs now: look inside its body.
        NodeEnum::DoStmt(d) => body_uses(&d.args),
        // A LANGUAGE sql body is parsed (and its constants read) when the
        // function is created; other languages' bodies run later. A `$$`
        // body is one string token, so the token check never matches it.
        NodeEnum::CreateFunctionStmt(f) => {
            let sql = f.options.iter().any(|o| {
                matches!(o.node.as_ref(), Some(NodeEnum::DefElem(e)) if e.defname == "language"
                    && e.arg.as_deref().and_then(crate::model::names::node_string).is_some_and(|l| l.eq_ignore_ascii_case("sql")))
            });
            (sql && body_uses(&f.options)) || tokens_use()
        }
        _ => tokens_use(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::helpers::pg_testing::{assert_err_pg, assert_ok_pg};
    use crate::rules::testing::*;

    const RULE: &str = "ban-alter-enum-add-value-in-transaction";

    #[test]
    fn new_value_used_in_same_file_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "BEGIN;\nALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok';\n-- use it\nUPDATE person SET current_mood = 'meh' WHERE current_mood = 'ok';\nCOMMIT;"
        ));
    }

    #[test]
    fn new_value_used_in_do_block_err() {
        assert_err(
            RULE,
            "ALTER TYPE mood ADD VALUE 'meh';\nDO $$ BEGIN INSERT INTO t VALUES ('meh'); END $$;",
        );
    }

    #[test]
    fn add_value_alone_ok() {
        assert_ok(RULE, "ALTER TYPE mood ADD VALUE 'meh';");
        assert_ok(RULE, "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nEND;");
        assert_ok(
            RULE,
            "ALTER TYPE mood ADD VALUE 'meh'; ALTER TYPE mood ADD VALUE 'bof' AFTER 'meh';",
        );
    }

    #[test]
    fn use_after_commit_ok() {
        assert_ok(
            RULE,
            "BEGIN; ALTER TYPE mood ADD VALUE 'meh'; COMMIT;\nUPDATE person SET m = 'meh' WHERE id = 1;",
        );
    }

    #[test]
    fn not_a_use_ok() {
        // Quoted identifiers, comments, other spellings, PL/pgSQL bodies
        // (they run later, after the commit).
        assert_ok(
            RULE,
            "ALTER TYPE mood ADD VALUE 'meh';\nALTER TABLE t RENAME COLUMN a TO \"meh\";\nCOMMENT ON TYPE mood IS 'meh';\n\
             UPDATE t SET m = 'Meh' WHERE id = 1; -- 'meh'\n\
             CREATE FUNCTION f() RETURNS mood LANGUAGE plpgsql AS $$ BEGIN RETURN 'meh'::mood; END $$;",
        );
    }

    #[test]
    fn sql_function_body_err() {
        // Checked at CREATE time: PostgreSQL 15 rejects it.
        assert_err(
            RULE,
            "ALTER TYPE mood ADD VALUE 'meh';\nCREATE FUNCTION f() RETURNS mood LANGUAGE sql AS $$ SELECT 'meh'::mood $$;",
        );
        assert_err(
            RULE,
            "ALTER TYPE mood ADD VALUE 'meh';\nCREATE FUNCTION f() RETURNS mood LANGUAGE sql BEGIN ATOMIC SELECT 'meh'::mood; END;",
        );
    }

    #[test]
    fn enum_created_in_same_file() {
        let sql = "CREATE TYPE mood AS ENUM ('ok');\nALTER TYPE mood ADD VALUE 'meh';\nCREATE TABLE p (m mood DEFAULT 'meh');";
        // PostgreSQL 12 to 16 reject the use even then (checked on 15).
        assert_err_pg(RULE, 15, sql);
        assert_err_pg(RULE, 12, sql);
        // 17 accepts it; before 12 the ADD VALUE may run in the block.
        assert_ok_pg(RULE, 17, sql);
        assert_ok_pg(
            RULE,
            11,
            "CREATE TYPE public.mood AS ENUM ('ok'); ALTER TYPE mood ADD VALUE 'meh';",
        );
    }

    #[test]
    fn before_pg12_in_transaction_err() {
        insta::assert_snapshot!(assert_err_pg(
            RULE,
            11,
            "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;"
        ));
        let out = assert_err_pg(RULE, 10, "ALTER TYPE \"Mood\" ADD VALUE 'meh';\nSELECT 1;");
        assert!(out.contains("ALTER TYPE \"Mood\" ADD VALUE"), "{out}");
        assert!(out.contains("multi-statement file"), "{out}");
    }

    #[test]
    fn before_pg12_alone_ok() {
        assert_ok_pg(RULE, 11, "-- add a value\nALTER TYPE mood ADD VALUE 'meh';");
        assert_ok_pg(
            RULE,
            11,
            "ALTER TYPE mood RENAME VALUE 'a' TO 'b'; SELECT 1;",
        );
    }

    #[test]
    fn pg12_in_transaction_without_use_ok() {
        assert_ok_pg(RULE, 12, "BEGIN; ALTER TYPE mood ADD VALUE 'meh'; COMMIT;");
    }
}
