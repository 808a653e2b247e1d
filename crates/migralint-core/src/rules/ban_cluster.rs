use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::model::QualName;
use crate::rules::helpers::{describe_lock, holds_data};
use crate::rules::Check;

declare_rule!(
    "ban-cluster",
    Locking,
    Error,
    "CLUSTER rewrites the table in index order under ACCESS EXCLUSIVE",
    Check::Statement(check),
    subsumes = &["hold-exclusive-lock-across-statements"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::ClusterStmt(s) = &cx.stmt.node else {
        return;
    };
    let message = match s.relation.as_ref().map(QualName::from_range_var) {
        None => "CLUSTER without a table re-clusters every table that was clustered before, each rewritten under ACCESS \
                 EXCLUSIVE (blocks reads and writes; rewrites the table)"
            .to_string(),
        Some(table) => {
            if !holds_data(cx, &table) {
                return;
            }
            let using = if s.indexname.is_empty() {
                String::new()
            } else {
                format!(" by {}", quote_ident(&s.indexname))
            };
            format!(
                "CLUSTER {table} rewrites the table in index order{using} while holding {}",
                describe_lock(cx, &table)
            )
        }
    };
    out.report(cx.stmt.span, message).help(
        "do not reorder tables in a migration: pg_repack rebuilds a table in index order online (`pg_repack --table <t> \
         --order-by <cols>`, ACCESS EXCLUSIVE only for a brief swap), as does pg_squeeze; or run CLUSTER as off-hours \
         maintenance outside the migrations. `ALTER TABLE ... CLUSTER ON` (which only records the index) is fine",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-cluster";

    #[test]
    fn cluster_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CLUSTER app.events\n  USING events_created_at_idx;"
        ));
    }

    #[test]
    fn variants_err() {
        assert_err(RULE, "cluster verbose \"Events\";");
        let out = assert_err(RULE, "CLUSTER;");
        assert!(out.contains("every table"), "{out}");
    }

    #[test]
    fn cluster_on_ok() {
        assert_ok(RULE, "ALTER TABLE events CLUSTER ON events_created_at_idx;");
        assert_ok(RULE, "ALTER TABLE events SET WITHOUT CLUSTER;");
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); CLUSTER t USING t_a;",
        );
    }
}
