use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::rules::Check;

declare_rule!(
    "ban-drop-database",
    Compatibility,
    Error,
    "DROP DATABASE in an up migration",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if cx.file.is_down() {
        return;
    }
    let NodeEnum::DropdbStmt(s) = &cx.stmt.node else {
        return;
    };
    let db = quote_ident(&s.dbname);
    out.report(
        cx.stmt.span,
        format!(
            "DROP DATABASE {db} deletes a whole database, every table and row in it, and runs in every environment \
             the migration reaches, production included"
        ),
    )
    .help(
        "remove it from the migration: create and drop databases with your provisioning tooling, and let \
         migrations change the schema inside one database",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "ban-drop-database";

    #[test]
    fn drop_database_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "DROP DATABASE IF EXISTS analytics WITH (FORCE);"
        ));
    }

    #[test]
    fn variants_err() {
        assert_err(RULE, "drop database \"Legacy\";");
    }

    #[test]
    fn other_statements_and_down_ok() {
        assert_ok(RULE, "DROP SCHEMA s; DROP TABLE t; CREATE DATABASE x;");
        assert_ok_files(
            RULE,
            &[("000001_a.down.sql", "DROP DATABASE IF EXISTS scratch;")],
        );
    }
}
