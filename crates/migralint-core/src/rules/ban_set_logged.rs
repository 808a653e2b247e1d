use pg_query::protobuf::AlterTableType;

use crate::engine::context::{Findings, StmtCx};
use crate::rules::helpers::{alter_table, cmds, describe_lock, holds_data, subtype};
use crate::rules::Check;

declare_rule!(
    "ban-set-logged",
    Locking,
    Warning,
    "SET LOGGED / SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE",
    Check::Statement(check),
    subsumes = &["hold-exclusive-lock-across-statements"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table)) = alter_table(&cx.stmt.node) else {
        return;
    };
    if !holds_data(cx, &table) {
        return;
    }
    for (i, cmd) in cmds(s).enumerate() {
        let (what, extra) = match subtype(cmd) {
            AlterTableType::AtSetLogged => ("SET LOGGED", " and writes all of it to the WAL"),
            AlterTableType::AtSetUnLogged => (
                "SET UNLOGGED",
                " (and an unlogged table is emptied after a crash and not replicated to standbys)",
            ),
            _ => continue,
        };
        out.report(
            cx.cmd_span(i),
            format!(
                "{what} rewrites {table}{extra} while holding {}",
                describe_lock(cx, &table)
            ),
        )
        .help(format!(
            "do not change a large table's persistence in a migration: create a new table with the persistence you want (`CREATE \
             [UNLOGGED] TABLE ... (LIKE {table} INCLUDING ALL)`), copy the rows over in batches and swap the names in one short \
             migration; or run {what} as off-hours maintenance outside the migrations"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-set-logged";

    #[test]
    fn set_logged_err() {
        insta::assert_snapshot!(assert_err(RULE, "ALTER TABLE import_staging SET LOGGED;"));
    }

    #[test]
    fn set_unlogged_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE app.cache (k text, v text);"
                ),
                (
                    "000002_b.up.sql",
                    "alter table app.cache\n  add column at timestamptz,\n  set unlogged;"
                ),
            ]
        ));
    }

    #[test]
    fn span_is_the_subcommand() {
        let sql = "ALTER TABLE IF EXISTS ONLY \"App\".cache /* why */ ADD COLUMN x numeric(10, 2),\n  SET LOGGED, ALTER x SET DEFAULT 0;";
        let diags: Vec<_> = lint_files(RULE, &[(DEFAULT_FILE, sql)])
            .into_iter()
            .filter(|d| d.rule == RULE)
            .collect();
        assert_eq!(diags.len(), 1);
        assert_eq!(&sql[diags[0].span.start..diags[0].span.end], "SET LOGGED");
    }

    #[test]
    fn new_table_ok() {
        assert_ok(
            RULE,
            "CREATE UNLOGGED TABLE s (a int);\nINSERT INTO s SELECT 1;\nALTER TABLE s SET LOGGED;",
        );
    }
}
