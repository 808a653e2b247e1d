use pg_query::protobuf::{DropBehavior, ObjectType};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::model::QualName;
use crate::model::{Kind, Obj};
use crate::rules::Check;

declare_rule!(
    "ban-drop-schema-cascade",
    Compatibility,
    Error,
    "DROP SCHEMA ... CASCADE in an up migration drops everything in the schema, named or not",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file drops the schema its up created.
    if cx.file.is_down() {
        return;
    }
    let NodeEnum::DropStmt(s) = &cx.stmt.node else {
        return;
    };
    if s.remove_type != ObjectType::ObjectSchema as i32
        || s.behavior != DropBehavior::DropCascade as i32
    {
        return;
    }
    for obj in &s.objects {
        let Some(NodeEnum::String(name)) = obj.node.as_ref() else {
            continue;
        };
        if cx.created_earlier(&Obj::new(Kind::Schema, QualName::new(None, &name.sval))) {
            continue;
        }
        let schema = quote_ident(&name.sval);
        out.report(
            cx.stmt.span,
            format!(
                "DROP SCHEMA {schema} CASCADE drops every table, view, function and type in {schema}, and \
                 everything elsewhere that depends on them (foreign keys, views), without naming any of it; \
                 the data cannot be brought back by a down migration"
            ),
        )
        .help(format!(
            "drop the objects of {schema} one by one with explicit statements, after the application stopped \
             using them, then `DROP SCHEMA {schema};` without CASCADE: it fails if anything was forgotten"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-drop-schema-cascade";

    #[test]
    fn drop_schema_cascade_err() {
        insta::assert_snapshot!(assert_err(RULE, "DROP SCHEMA IF EXISTS reporting CASCADE;"));
    }

    #[test]
    fn variants_err() {
        assert_err(RULE, "drop schema \"Archive\", tmp cascade;");
    }

    #[test]
    fn without_cascade_new_or_down_ok() {
        assert_ok(RULE, "DROP SCHEMA reporting;");
        assert_ok(RULE, "DROP SCHEMA reporting RESTRICT;");
        assert_ok(RULE, "CREATE SCHEMA scratch;\nCREATE TABLE scratch.t (id int);\nDROP SCHEMA scratch CASCADE;");
        assert_ok_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE SCHEMA reporting;"),
                (
                    "000001_a.down.sql",
                    "DROP SCHEMA IF EXISTS reporting CASCADE;",
                ),
            ],
        );
        assert_ok(RULE, "DROP TABLE t CASCADE;");
    }
}
