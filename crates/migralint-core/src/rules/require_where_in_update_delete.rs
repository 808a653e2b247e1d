use pg_query::protobuf::{a_const, Node, RangeVar};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::helpers::{holds_data, lock_on};
use crate::rules::Check;

declare_rule!(
    "require-where-in-update-delete",
    Locking,
    Warning,
    "UPDATE or DELETE without WHERE on a table that holds data: a backfill inside the schema migration",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // The statement itself, then its data-modifying CTEs (`WITH d AS
    // (DELETE FROM t RETURNING *) INSERT INTO archive SELECT * FROM d`).
    let ctes = crate::model::summary::ctes(&cx.stmt.node);
    let nodes = std::iter::once(&cx.stmt.node).chain(
        ctes.iter()
            .filter_map(|c| c.ctequery.as_deref()?.node.as_ref()),
    );
    let found = nodes.into_iter().find_map(|node| {
        let (what, relation, where_clause): (&str, &Option<RangeVar>, &Option<Box<Node>>) =
            match node {
                NodeEnum::UpdateStmt(s) => ("UPDATE", &s.relation, &s.where_clause),
                NodeEnum::DeleteStmt(s) => ("DELETE", &s.relation, &s.where_clause),
                _ => return None,
            };
        let table = QualName::from_range_var(relation.as_ref()?);
        let filtered = where_clause.as_deref().is_some_and(|w| !always_true(w));
        (holds_data(cx, &table) && !filtered).then_some((what, table))
    });
    let Some((what, table)) = found else {
        return;
    };
    let lock = lock_on(cx, &table).map_or_else(|| format!("a lock on {table}"), |l| l.to_string());
    let action = if what == "UPDATE" {
        "writes a new version of every row"
    } else {
        "deletes every row"
    };
    out.report(
        cx.stmt.span,
        format!(
            "{what} without WHERE {action} of {table} in the migration's one transaction: it takes {lock} plus a row lock on every row until \
             the migration commits (concurrent updates and deletes of those rows wait), leaves a dead row version per row (table bloat) \
             and sends the whole change to the replicas at once (replication lag)"
        ),
    )
    .help(format!(
        "move the backfill out of the schema migration: 1. let the schema migration only change the schema; \
         2. from a script or a later data migration, {what} in batches by key range, \
         e.g. `{} WHERE id BETWEEN 1 AND 10000`, committing after each batch; \
         3. loop over the next range until no row is left (pause between batches if replicas lag)",
        if what == "UPDATE" {
            format!("UPDATE {table} SET ...")
        } else {
            format!("DELETE FROM {table}")
        }
    ));
}

/// `WHERE true` (or `WHERE 1 = 1`) filters nothing.
fn always_true(node: &Node) -> bool {
    match node.node.as_ref() {
        Some(NodeEnum::AConst(c)) => {
            matches!(c.val, Some(a_const::Val::Boolval(ref b)) if b.boolval)
        }
        Some(NodeEnum::AExpr(e)) => {
            let op = crate::model::names::string_list(&e.name);
            let int = |n: &Option<Box<Node>>| n.as_deref().and_then(crate::model::names::node_int);
            op == ["="] && int(&e.lexpr).is_some() && int(&e.lexpr) == int(&e.rexpr)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-where-in-update-delete";

    #[test]
    fn update_without_where_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE users ADD COLUMN active boolean;\n-- backfill\nUPDATE public.users\n   SET active = true;"
        ));
    }

    #[test]
    fn delete_without_where_err() {
        insta::assert_snapshot!(assert_err(RULE, "delete from \"Sessions\";"));
    }

    #[test]
    fn where_true_err() {
        assert_err(RULE, "UPDATE users SET a = 1 WHERE true;");
        assert_err(RULE, "DELETE FROM users WHERE 1 = 1;");
    }

    #[test]
    fn with_where_ok() {
        assert_ok(RULE, "UPDATE users SET active = true WHERE id = 1;");
        assert_ok(
            RULE,
            "DELETE FROM users u USING banned b WHERE u.id = b.user_id;",
        );
        assert_ok(RULE, "UPDATE users SET a = 1 WHERE 1 = 2;");
    }

    #[test]
    fn table_created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE app.t (id int, a int);\nINSERT INTO app.t VALUES (1, 1);\nUPDATE app.t SET a = 2; DELETE FROM app.t;",
        );
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int, a int);"),
                ("000002_b.up.sql", "BEGIN; UPDATE users SET a = 0; COMMIT;"),
            ],
        );
    }

    /// A data-modifying CTE deletes or updates as much.
    #[test]
    fn in_a_with_clause_err() {
        assert_err(
            RULE,
            "WITH d AS (DELETE FROM jobs RETURNING *) INSERT INTO jobs_archive SELECT * FROM d;",
        );
        assert_err(
            RULE,
            "WITH u AS (UPDATE jobs SET state = 'done' RETURNING id) SELECT count(*) FROM u;",
        );
        assert_ok(
            RULE,
            "WITH d AS (DELETE FROM jobs WHERE state = 'done' RETURNING *) INSERT INTO jobs_archive SELECT * FROM d;",
        );
    }

    #[test]
    fn quoted_name_differs() {
        assert_err(RULE, "CREATE TABLE \"Users\" (id int); DELETE FROM users;");
    }
}
