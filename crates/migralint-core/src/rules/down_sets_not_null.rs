use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::rules::helpers::{
    column_added_earlier, down_alter_of_data, made_not_null, rows_dealt_with_earlier,
};
use crate::rules::Check;

declare_rule!(
    "down-sets-not-null",
    Pairing,
    Warning,
    "A down migration that makes a nullable column NOT NULL without filling its NULLs first: the rollback fails once the application has written a NULL",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some((s, table, t)) = down_alter_of_data(cx) else {
        return;
    };
    // The down deals with the rows first (an UPDATE or DELETE of the table
    // before this statement): its author thought of them.
    if rows_dealt_with_earlier(cx, &table) {
        return;
    }
    // The columns made NOT NULL (`SET NOT NULL`, a primary key's columns,
    // also through `USING INDEX`), with the first subcommand that does it.
    let mut first = None;
    let mut columns: Vec<String> = Vec::new();
    for (i, _, named, _) in made_not_null(cx, s, &table) {
        for name in named {
            let nullable = t.column(&name).is_some_and(|c| !c.not_null);
            if nullable
                && !t.has_valid_not_null_check(&name)
                && !column_added_earlier(cx, &table, &name)
                && !columns.contains(&name)
            {
                first.get_or_insert(i);
                columns.push(name);
            }
        }
    }
    let Some(first) = first else { return };
    let quoted: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    let errors: Vec<String> = columns
        .iter()
        .map(|c| {
            format!(
                "`column \"{c}\" of relation \"{}\" contains null values`",
                table.name
            )
        })
        .collect();
    let fills: Vec<String> = quoted
        .iter()
        .map(|c| format!("`UPDATE {table} SET {c} = ... WHERE {c} IS NULL`"))
        .collect();
    out.report(
        cx.cmd_span(first),
        format!(
            "this down makes {table}.{} NOT NULL, which the schema after the up does not require: once the \
             application has written a NULL there, PostgreSQL refuses the statement with {}, and the rollback \
             fails exactly when it is needed",
            quoted.join(", "),
            errors.join(" or ")
        ),
    )
    .help(format!(
        "fill the NULLs first in the down ({}), or leave the column{} nullable in the down",
        fills.join("; "),
        if columns.len() > 1 { "s" } else { "" }
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-sets-not-null";

    fn files<'a>(up: &'a str, down: &'a str) -> [(&'a str, &'a str); 4] {
        [
            (
                "000001_init.up.sql",
                "CREATE TABLE message (id bigint PRIMARY KEY, payload text NOT NULL, note text, kind text NOT NULL);",
            ),
            ("000001_init.down.sql", "DROP TABLE message;"),
            ("000002_expire.up.sql", up),
            ("000002_expire.down.sql", down),
        ]
    }

    /// svix 20220428190104: the up lets expired messages lose their
    /// payload; the down puts NOT NULL back, refused after the first expiry.
    #[test]
    fn down_puts_not_null_back_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &files(
                "ALTER TABLE message ALTER COLUMN payload DROP NOT NULL;",
                "ALTER TABLE message ALTER COLUMN payload SET NOT NULL;"
            )
        ));
        // Several columns: one finding naming both; a primary key on a
        // nullable column sets it NOT NULL too.
        let out = assert_err_files(
            RULE,
            &files(
                "ALTER TABLE message ALTER COLUMN payload DROP NOT NULL, ALTER COLUMN kind DROP NOT NULL;",
                "ALTER TABLE message ALTER COLUMN payload SET NOT NULL, ALTER COLUMN kind SET NOT NULL;",
            ),
        );
        assert_eq!(out.matches("[down-sets-not-null]").count(), 1, "{out}");
        assert!(out.contains("message.payload, kind NOT NULL"), "{out}");
        assert_err_files(
            RULE,
            &files(
                "SELECT 1;",
                "ALTER TABLE message DROP CONSTRAINT message_pkey, ADD PRIMARY KEY (note);",
            ),
        );
        // The primary key comes back through the unique index the up left:
        // PostgreSQL sets the index's columns NOT NULL (refused on PG 15
        // once a NULL id was inserted: `column "id" of relation "message"
        // contains null values`).
        let out = assert_err_files(
            RULE,
            &files(
                "ALTER TABLE message DROP CONSTRAINT message_pkey, ALTER COLUMN id DROP NOT NULL;\n\
                 CREATE UNIQUE INDEX message_id ON message (id);",
                "ALTER TABLE message ADD CONSTRAINT message_pkey PRIMARY KEY USING INDEX message_id;",
            ),
        );
        assert!(out.contains("message.id NOT NULL"), "{out}");
    }

    #[test]
    fn nulls_dealt_with_or_nothing_to_refuse_ok() {
        for down in [
            // The down fills the NULLs first, or deletes those rows.
            "UPDATE message SET payload = '' WHERE payload IS NULL;\nALTER TABLE message ALTER COLUMN payload SET NOT NULL;",
            "DELETE FROM message WHERE payload IS NULL;\nALTER TABLE message ALTER COLUMN payload SET NOT NULL;",
            // Emptied: nothing to refuse.
            "TRUNCATE message;\nALTER TABLE message ALTER COLUMN payload SET NOT NULL;",
            // Already NOT NULL: a no-op.
            "ALTER TABLE message ALTER COLUMN kind SET NOT NULL;",
            // exposure 000049: the down adds the column back with a
            // default, then sets it NOT NULL: no row holds a NULL.
            "ALTER TABLE message ADD COLUMN flag boolean DEFAULT false;\n\
             ALTER TABLE message ALTER COLUMN flag SET NOT NULL;",
        ] {
            assert_ok_files(
                RULE,
                &files("ALTER TABLE message ALTER COLUMN payload DROP NOT NULL;", down),
            );
        }
        // A validated CHECK (payload IS NOT NULL) already keeps NULLs out.
        assert_ok_files(
            RULE,
            &files(
                "ALTER TABLE message ALTER COLUMN payload DROP NOT NULL, \
                 ADD CONSTRAINT payload_nn CHECK (payload IS NOT NULL);",
                "ALTER TABLE message ALTER COLUMN payload SET NOT NULL;",
            ),
        );
        // In an up, the author knows the data: set-not-null-scan's business.
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (n int);"),
                ("2_b.up.sql", "ALTER TABLE t ALTER COLUMN n SET NOT NULL;"),
            ],
        );
    }
}
