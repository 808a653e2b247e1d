use crate::engine::context::{Findings, StmtCx};
use crate::model::coercion::{narrowing, storage_type};
use crate::model::names::quote_ident;
use crate::model::SqlType;
use crate::rules::helpers::{down_alter_of_data, type_changes};
use crate::rules::Check;

declare_rule!(
    "down-narrows-column-type",
    Pairing,
    Warning,
    "A down migration that changes a column to a type that cannot hold every value of its current one: the rollback fails once the data uses the range the up opened",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table, t)) = down_alter_of_data(cx) else {
        return;
    };
    // One finding per statement, naming every column it narrows.
    let mut narrowed: Vec<Narrowed> = Vec::new();
    for (i, cmd, def) in type_changes(s) {
        let (Some(new), Some(old)) = (
            def.type_name.as_ref().map(SqlType::from_type_name),
            t.column(&cmd.name).map(|c| storage_type(&c.ty)),
        ) else {
            continue;
        };
        // A domain holds what its base type holds (its CHECK aside).
        let (judged_old, judged_new) = cx.schema.judged_types(old.clone(), new.clone());
        if let Some((beyond, error)) = narrowing(&judged_old, &storage_type(&judged_new)) {
            let column = quote_ident(&cmd.name);
            narrowed.push(Narrowed {
                cmd: i,
                column,
                old,
                new,
                beyond,
                error,
            });
        }
    }
    let Some(first) = narrowed.first().map(|n| n.cmd) else {
        return;
    };
    let changes: Vec<String> = narrowed
        .iter()
        .map(|n| {
            format!(
                "{table}.{} from {} to {} (refused once a row holds {})",
                n.column, n.old, n.new, n.beyond
            )
        })
        .collect();
    let mut errors: Vec<String> = Vec::new();
    for n in &narrowed {
        let e = format!("`{}`", n.error);
        if !errors.contains(&e) {
            errors.push(e);
        }
    }
    let olds: Vec<String> = narrowed
        .iter()
        .map(|n| format!("{} as {}", n.column, n.old))
        .collect();
    out.report(
        cx.cmd_span(first),
        format!(
            "this down changes {}: values its current type allows, which the application may have written since \
             the up; PostgreSQL then refuses the statement with {}, and the rollback fails exactly when it is needed",
            changes.join(" and "),
            errors.join(" or ")
        ),
    )
    .help(format!(
        "leave {} in the down (a down need not narrow what holds data written since the up), or make the down \
         deal first with the rows that do not fit",
        olds.join(", ")
    ));
}

/// A column the statement narrows: its subcommand, its types, what no
/// longer fits and what PostgreSQL then says.
struct Narrowed {
    cmd: usize,
    column: String,
    old: SqlType,
    new: SqlType,
    beyond: String,
    error: String,
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-narrows-column-type";

    fn files<'a>(up: &'a str, down: &'a str) -> [(&'a str, &'a str); 4] {
        [
            (
                "000001_init.up.sql",
                "CREATE TABLE files (id int, size int, name varchar(64), note text, amount numeric(12,2));",
            ),
            ("000001_init.down.sql", "DROP TABLE files;"),
            ("000002_widen.up.sql", up),
            ("000002_widen.down.sql", down),
        ]
    }

    /// ente 18: the up widens `size` to bigint, the down narrows it back;
    /// mattermost 000033: varchar(26) ids widened, the down narrows them.
    #[test]
    fn narrowing_downs_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &files(
                "ALTER TABLE files ALTER COLUMN size TYPE bigint;",
                "ALTER TABLE files ALTER COLUMN size TYPE INTEGER;"
            )
        ));
        for (up, down) in [
            (
                "ALTER TABLE files ALTER COLUMN name TYPE varchar(100);",
                "ALTER TABLE files ALTER COLUMN name TYPE varchar(26);",
            ),
            (
                "SELECT 1;",
                "ALTER TABLE files ALTER COLUMN amount TYPE numeric(8,2);",
            ),
            (
                "SELECT 1;",
                "ALTER TABLE files ALTER COLUMN amount TYPE int;",
            ),
            (
                "SELECT 1;",
                "ALTER TABLE files ALTER COLUMN id TYPE smallint USING id::smallint;",
            ),
        ] {
            assert_err_files(RULE, &files(up, down));
        }
    }

    /// One finding per statement; each error PostgreSQL may give is named once.
    #[test]
    fn one_finding_per_statement() {
        let out = assert_err_files(
            RULE,
            &files(
                "SELECT 1;",
                "ALTER TABLE files ALTER COLUMN id TYPE smallint, ALTER COLUMN name TYPE varchar(10), \
                 ALTER COLUMN size TYPE smallint;",
            ),
        );
        assert_eq!(
            out.matches("[down-narrows-column-type]").count(),
            1,
            "{out}"
        );
        assert_eq!(out.matches("`smallint out of range`").count(), 1, "{out}");
        assert!(
            out.contains("`value too long for type character varying(10)`"),
            "{out}"
        );
    }

    #[test]
    fn widening_or_same_ok() {
        for down in [
            "ALTER TABLE files ALTER COLUMN size TYPE bigint;",
            "ALTER TABLE files ALTER COLUMN name TYPE varchar(64);",
            "ALTER TABLE files ALTER COLUMN name TYPE text;",
            "ALTER TABLE files ALTER COLUMN amount TYPE numeric(14,2);",
            "ALTER TABLE files ALTER COLUMN amount TYPE bigint;",
            "DROP TABLE files;",
            // A limit put back on text: dropping it (text over varchar) is
            // often a convention, not values that outgrew it.
            "ALTER TABLE files ALTER COLUMN note TYPE varchar(255);",
        ] {
            assert_ok_files(RULE, &files("SELECT 1;", down));
        }
        // In an up, the data is known to the author: not this rule's.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (n bigint);"),
                ("2_b.up.sql", "ALTER TABLE t ALTER COLUMN n TYPE int;"),
            ],
        );
        // A table the down emptied holds nothing to refuse.
        assert_ok_files(
            RULE,
            &files(
                "SELECT 1;",
                "TRUNCATE files;\nALTER TABLE files ALTER COLUMN size TYPE smallint;",
            ),
        );
    }
}
