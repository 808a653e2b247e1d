use pg_query::protobuf::DropBehavior;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::Check;

declare_rule!(
    "ban-truncate-cascade",
    Compatibility,
    Error,
    "TRUNCATE ... CASCADE in an up migration empties every table that references the named ones",
    Check::Statement(check),
    subsumes = &["ban-truncate"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if cx.file.is_down() {
        return;
    }
    let NodeEnum::TruncateStmt(s) = &cx.stmt.node else {
        return;
    };
    if s.behavior != DropBehavior::DropCascade as i32 {
        return;
    }
    let names: Vec<String> = s
        .relations
        .iter()
        .filter_map(|r| match r.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => Some(QualName::from_range_var(rv).to_string()),
            _ => None,
        })
        .collect();
    let names = names.join(", ");
    out.report(
        cx.stmt.span,
        format!(
            "TRUNCATE {names} CASCADE also empties every table with a foreign key to {names}, and the tables \
             referencing those, recursively, none of them named here: one statement can wipe most of the database"
        ),
    )
    .help(format!(
        "name every table to empty in the TRUNCATE, without CASCADE (`TRUNCATE {names}, ...;`): Postgres then \
         refuses when a table you did not name references one you did"
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-truncate-cascade";

    #[test]
    fn truncate_cascade_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "TRUNCATE TABLE public.accounts, \"Orders\" CASCADE;"
        ));
    }

    #[test]
    fn mixed_case_err() {
        assert_err(RULE, "truncate only accounts restart identity cascade;");
    }

    #[test]
    fn without_cascade_or_in_down_ok() {
        assert_ok(RULE, "TRUNCATE accounts, orders;");
        assert_ok(RULE, "TRUNCATE accounts RESTRICT;");
        assert_ok_files(
            RULE,
            &[("000001_seed.down.sql", "TRUNCATE countries CASCADE;")],
        );
    }
}
