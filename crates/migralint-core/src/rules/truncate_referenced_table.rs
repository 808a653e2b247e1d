use pg_query::protobuf::DropBehavior;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::objects::same_name;
use crate::model::{Kind, Obj, QualName};
use crate::rules::Check;

declare_rule!(
    "truncate-referenced-table",
    Robustness,
    Error,
    "TRUNCATE of a table another table references by foreign key, without CASCADE or that table: PostgreSQL refuses it",
    Check::Statement(check),
    subsumes = &["ban-truncate"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::TruncateStmt(s) = &cx.stmt.node else {
        return;
    };
    if s.behavior == DropBehavior::DropCascade as i32 {
        return;
    }
    let truncated: Vec<QualName> = s
        .relations
        .iter()
        .filter_map(|r| match r.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => Some(QualName::from_range_var(rv)),
            _ => None,
        })
        .collect();
    for table in &truncated {
        // The foreign keys to `table` from a table this statement leaves.
        let blocking = cx
            .schema
            .objects
            .dependents(&Obj::new(Kind::Table, table.clone()));
        let Some((fk, origin)) = blocking.into_iter().find(|(o, _)| {
            o.kind == Kind::Constraint
                && o.table
                    .as_ref()
                    .is_some_and(|t| !truncated.iter().any(|x| same_name(x, t)))
        }) else {
            continue;
        };
        let source = fk.table.as_ref().expect("found by its table");
        out.report(
            cx.stmt.span,
            format!(
                "PostgreSQL refuses to truncate {table}: the foreign key {} of {source} (from {}) references it, and {source} is not truncated with it (`cannot truncate a table referenced in a foreign key constraint`), whether or not either holds rows{}",
                fk.name,
                cx.schema.describe_origin(*origin),
                if cx.file.is_down() {
                    "; the rollback fails here and golang-migrate marks the database dirty"
                } else {
                    "; the migration fails here"
                }
            ),
        )
        .help(format!(
            "name {source} in the same statement (`TRUNCATE {table}, {source};`) if its rows must go too, \
             or delete from {table} only what no row of {source} references; `TRUNCATE ... CASCADE` empties \
             every referencing table, recursively, and is rarely what a migration means"
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "truncate-referenced-table";

    const SCHEMA: &str = "CREATE TABLE users (id bigint PRIMARY KEY);\n\
         CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));\n\
         CREATE TABLE nodes (id int PRIMARY KEY, parent int REFERENCES nodes (id));";

    fn files(second: &str) -> [(&'static str, &str); 2] {
        [("1_a.up.sql", SCHEMA), ("2_b.up.sql", second)]
    }

    #[test]
    fn referenced_table_alone_err() {
        let out = assert_err_files(RULE, &files("TRUNCATE users;"));
        assert!(
            out.contains("orders_user_id_fkey of orders (from 1_a.up.sql:2)"),
            "{out}"
        );
    }

    /// In a down too: the rollback fails.
    #[test]
    fn in_a_down_err() {
        let out = assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", SCHEMA),
                ("2_b.up.sql", "INSERT INTO users VALUES (1);"),
                ("2_b.down.sql", "TRUNCATE users;"),
            ],
        );
        assert!(out.contains("rollback fails"), "{out}");
    }

    /// With the referencing table, with CASCADE, a self-reference, a table
    /// nothing references, or after the foreign key is dropped: fine.
    #[test]
    fn with_its_referencing_tables_ok() {
        for ok in [
            "TRUNCATE users, orders;",
            "TRUNCATE orders, users;",
            "TRUNCATE users CASCADE;",
            "TRUNCATE nodes;",
            "TRUNCATE orders;",
            "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;\nTRUNCATE users;",
            "DROP TABLE orders;\nTRUNCATE users;",
        ] {
            assert_ok_files(RULE, &files(ok));
        }
    }

    /// The failure stands for `ban-truncate` on the same statement.
    #[test]
    fn stands_for_ban_truncate() {
        let sources: Vec<crate::SourceFile> = files("TRUNCATE users;")
            .iter()
            .map(|(name, text)| crate::SourceFile::new(*name, *text))
            .collect();
        let report = crate::lint(&sources, &crate::LintOptions::default());
        let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
        assert!(rules.contains(&RULE), "{rules:?}");
        assert!(!rules.contains(&"ban-truncate"), "{rules:?}");
    }
}
