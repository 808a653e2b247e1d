use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::Effect;
use crate::model::schema::Gone;
use crate::model::{Kind, Obj};
use crate::rules::Check;

declare_rule!(
    "down-object-already-gone",
    Pairing,
    Error,
    "A down migration that drops or renames what an earlier statement of it already dropped (with its table or column) or renamed away",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    if !cx.file.is_down() {
        return;
    }
    for e in cx.facts().effects.iter() {
        let (obj, verb) = match e {
            Effect::Drop {
                obj,
                if_exists: false,
                ..
            } => (obj, "drop"),
            Effect::Rename { from, .. } => (from, "rename"),
            _ => continue,
        };
        let Some((what, gone)) = gone(cx, obj) else {
            continue;
        };
        let help = if verb == "drop" {
            "leave the statement out (what it drops is already gone), or reorder the down so that it runs before line \
             {line}; `IF EXISTS` would hide the mistake"
        } else {
            "undo renames in the reverse order of the up: rename what sits inside a table (columns, constraints) before \
             renaming the table back, or name it by the name it has at this point"
        };
        out.report(
            cx.stmt.span,
            format!(
                "PostgreSQL refuses to {verb} {}: {what} was {} on line {}, so it no longer exists here; the rollback \
                 fails and golang-migrate marks the database dirty",
                obj.describe(),
                gone.how,
                gone.line
            ),
        )
        .help(help.replace("{line}", &gone.line.to_string()));
    }
}

/// The object, or the table it belongs to, left earlier in this file.
fn gone<'a>(cx: &'a StmtCx, obj: &Obj) -> Option<(String, &'a Gone)> {
    if let Some(g) = cx.schema.gone(&obj.key()) {
        return Some(("it".to_string(), g));
    }
    let table = obj.table.as_ref().filter(|_| obj.kind.on_table())?;
    let g = cx
        .schema
        .gone(&Obj::new(Kind::Table, table.clone()).key())?;
    Some((format!("table {table}"), g))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "down-object-already-gone";

    const UP: &str =
        "CREATE TABLE jobs (id int, state text, CONSTRAINT jobs_state_ck CHECK (state <> ''));\n\
                      CREATE INDEX jobs_pending_idx ON jobs (id) WHERE state = 'pending';";

    #[test]
    fn index_gone_with_its_column_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("1_jobs.up.sql", "CREATE TABLE jobs (id int);"),
                ("1_jobs.down.sql", "DROP TABLE jobs;"),
                (
                    "2_state.up.sql",
                    "ALTER TABLE jobs ADD COLUMN state text;\nCREATE INDEX jobs_pending_idx ON jobs (id) WHERE state = 'pending';"
                ),
                (
                    "2_state.down.sql",
                    "ALTER TABLE jobs DROP COLUMN state;\nDROP INDEX jobs_pending_idx;"
                ),
            ]
        ));
    }

    #[test]
    fn gone_with_table_err() {
        for down in [
            "DROP TABLE jobs;\nDROP INDEX jobs_pending_idx;",
            "DROP TABLE jobs;\nALTER TABLE jobs DROP CONSTRAINT jobs_state_ck;",
            "ALTER TABLE jobs DROP COLUMN state;\nALTER TABLE jobs DROP CONSTRAINT jobs_state_ck;",
        ] {
            assert_err_files(RULE, &[("1_a.up.sql", UP), ("1_a.down.sql", down)]);
        }
        for down in [
            "DROP INDEX jobs_pending_idx;\nDROP TABLE jobs;",
            "DROP TABLE jobs;\nDROP INDEX IF EXISTS jobs_pending_idx;",
            "ALTER TABLE jobs DROP CONSTRAINT jobs_state_ck;\nALTER TABLE jobs DROP COLUMN state;",
        ] {
            assert_ok_files(RULE, &[("1_a.up.sql", UP), ("1_a.down.sql", down)]);
        }
    }

    #[test]
    fn renames_in_the_wrong_order_err() {
        let up =
            "ALTER TABLE accounts RENAME TO users;\nALTER TABLE users RENAME COLUMN mail TO email;";
        let files = |down| {
            [
                ("0_a.up.sql", "CREATE TABLE accounts (id int, mail text);"),
                ("1_a.up.sql", up),
                ("1_a.down.sql", down),
            ]
        };
        let out = assert_err_files(
            RULE,
            &files("ALTER TABLE users RENAME TO accounts;\nALTER TABLE users RENAME COLUMN email TO mail;"),
        );
        assert!(out.contains("renamed to accounts on line 1"), "{out}");
        assert_ok_files(
            RULE,
            &files("ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users RENAME TO accounts;"),
        );
        assert_ok_files(
            RULE,
            &files("ALTER TABLE users RENAME TO accounts;\nALTER TABLE accounts RENAME COLUMN email TO mail;"),
        );
    }
}
