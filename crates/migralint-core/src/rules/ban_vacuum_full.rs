use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::helpers::{def_elem_is_true, describe_lock, holds_data};
use crate::rules::Check;

declare_rule!(
    "ban-vacuum-full",
    Locking,
    Error,
    "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE",
    Check::Statement(check),
    subsumes = &["hold-exclusive-lock-across-statements"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::VacuumStmt(s) = &cx.stmt.node else {
        return;
    };
    let full = s.options.iter().any(|o| {
        matches!(o.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "full" && def_elem_is_true(d))
    });
    if !s.is_vacuumcmd || !full {
        return;
    }
    let tables: Vec<QualName> = s
        .rels
        .iter()
        .filter_map(|r| match r.node.as_ref() {
            Some(NodeEnum::VacuumRelation(v)) => v.relation.as_ref().map(QualName::from_range_var),
            _ => None,
        })
        .collect();
    let message = if tables.is_empty() {
        "VACUUM FULL without a table rewrites every table of the database, one after the other, each under ACCESS EXCLUSIVE \
         (blocks reads and writes; rewrites the table)"
            .to_string()
    } else {
        let locked: Vec<String> = tables
            .iter()
            .filter(|t| holds_data(cx, t))
            .map(|t| describe_lock(cx, t))
            .collect();
        if locked.is_empty() {
            return;
        }
        format!(
            "VACUUM FULL copies the whole table into a new file while holding {}",
            locked.join(" and ")
        )
    };
    out.report(cx.stmt.span, message).help(
        "do not compact tables in a migration. Plain `VACUUM` (no FULL) makes dead space reusable without blocking reads or \
         writes; to give space back to the operating system online use pg_repack or pg_squeeze (they rebuild the table in the \
         background and hold ACCESS EXCLUSIVE only for a brief swap), or run VACUUM FULL as off-hours maintenance outside the \
         migrations",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-vacuum-full";

    #[test]
    fn vacuum_full_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- reclaim space\nVACUUM FULL ANALYZE public.events;"
        ));
    }

    #[test]
    fn option_list_err() {
        assert_err(RULE, "vacuum (verbose, full) \"Events\", logs;");
        assert_err(RULE, "VACUUM (FULL true) t;");
        let out = assert_err(RULE, "VACUUM FULL;");
        assert!(out.contains("every table"), "{out}");
    }

    #[test]
    fn plain_vacuum_ok() {
        assert_ok(RULE, "VACUUM t;");
        assert_ok(RULE, "VACUUM (ANALYZE, VERBOSE) t;");
        assert_ok(RULE, "VACUUM (FULL false) t;");
        assert_ok(RULE, "ANALYZE t;");
    }

    #[test]
    fn new_table_ok() {
        assert_ok(RULE, "CREATE TABLE t (a int);\nVACUUM FULL t;");
    }
}
