use crate::engine::context::{DownCx, Findings};
use crate::model::history::{expected_drops, History};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "empty-down",
    Pairing,
    Warning,
    "A down migration with no statements for an up migration that creates something",
    Check::Down(check)
);

fn check(cx: &DownCx, out: &mut Findings) {
    let down = &cx.down;
    let parsed = down.file;
    // `BEGIN; END;` alone does nothing either.
    let does_something = parsed.statements.iter().any(|s| !s.transaction_control);
    if does_something || !parsed.syntax_errors.is_empty() {
        return;
    }
    let Some((up, record)) = &cx.up else {
        return;
    };
    let Some(first) = up.file.statements.iter().find(|s| s.creates_anything) else {
        // An up that only changes data: an empty down is fine.
        return;
    };
    let named = expected_drops(&record.changes, &History::default());
    let what = match named.as_slice() {
        [] => format!(
            "creates objects (first at line {})",
            up.line(first.span.start)
        ),
        [(o, at)] => format!("creates {} (line {})", o.describe(), up.line(*at)),
        [(o, at), rest @ ..] => format!(
            "creates {} (line {}) and {} more object{}",
            o.describe(),
            up.line(*at),
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    };
    let what_empty = if !parsed.statements.is_empty() {
        "only opens and closes a transaction"
    } else if parsed.text.trim().is_empty() {
        "is empty"
    } else {
        "has only comments"
    };
    let finding = out.report(
        Span::empty(0),
        format!(
            "`{}` {what_empty}, but `{}` {what}: rolling back records the version as undone and leaves \
             everything in place",
            down.file_name(),
            up.file_name()
        ),
    );
    if named.is_empty() {
        finding.help(
            "write the statements that undo the up migration, in reverse order, with IF EXISTS; if it \
             cannot be undone, say why in a comment and ignore this rule for the file \
             (`-- migralint-ignore-file empty-down`)",
        );
    } else {
        let stmts: Vec<String> = named.iter().rev().map(|(o, _)| o.drop_sql()).collect();
        finding.help(format!(
            "undo the up migration in reverse order: `{}`; if it cannot be undone, say why in a comment \
             and ignore this rule for the file (`-- migralint-ignore-file empty-down`)",
            stmts.join(" ")
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "empty-down";

    #[test]
    fn empty_down_of_create_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "db/000002_create_user_table.up.sql",
                    "CREATE TABLE users (\n  id uuid PRIMARY KEY\n);\n\nCREATE INDEX idx_users_email ON users (id);\n"
                ),
                ("db/000002_create_user_table.down.sql", "-- nothing to do\n"),
            ]
        ));
    }

    #[test]
    fn whitespace_only_and_unnamed_objects_err() {
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "ALTER TABLE t ADD PRIMARY KEY (id);"),
                ("1_a.down.sql", "  \n\n"),
            ],
        );
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE INDEX ON t (a);"),
                ("1_a.down.sql", "/* irreversible? */"),
            ],
        );
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE EXTENSION IF NOT EXISTS pg_trgm;"),
                ("1_a.down.sql", ""),
            ],
        );
    }

    #[test]
    fn transaction_only_down_err() {
        let out = assert_err_files(
            RULE,
            &[
                (
                    "000101_a.up.sql",
                    "BEGIN;\nALTER TABLE t ADD COLUMN c int;\nEND;",
                ),
                ("000101_a.down.sql", "-- nothing\nBEGIN;\nEND;"),
            ],
        );
        assert!(out.contains("only opens and closes a transaction"), "{out}");
        assert!(
            out.contains("ALTER TABLE t DROP COLUMN IF EXISTS c;"),
            "{out}"
        );
    }

    #[test]
    fn data_only_up_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000005_backfill.up.sql",
                    "UPDATE users SET status = 'active' WHERE status IS NULL;",
                ),
                (
                    "000005_backfill.down.sql",
                    "-- data migration: nothing to undo\n",
                ),
            ],
        );
    }

    #[test]
    fn non_empty_or_unpaired_ok() {
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (id int);"),
                ("1_a.down.sql", "DROP TABLE IF EXISTS t;"),
            ],
        );
        // No up: missing-up reports it.
        assert_ok_files(RULE, &[("1_a.down.sql", "")]);
        // A down that does not parse is not empty (syntax-error reports it).
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", "CREATE TABLE t (id int);"),
                ("1_a.down.sql", "DROP TABEL t;"),
            ],
        );
    }
}
