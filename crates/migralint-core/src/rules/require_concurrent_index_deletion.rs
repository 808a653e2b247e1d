use pg_query::protobuf::{DropBehavior, ObjectType, Token};
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::effects::Effect;
use crate::model::{Kind, QualName};
use crate::rules::fixes;
use crate::rules::helpers::{describe_lock, dropped_later_in_file, exclusive_already_held, in_use};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "require-concurrent-index-deletion",
    Locking,
    Warning,
    "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on a table that holds data",
    Check::Statement(check),
    subsumes = &["require-lock-timeout"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::DropStmt(s) = &cx.stmt.node else {
        return;
    };
    if s.remove_type != ObjectType::ObjectIndex as i32 || s.concurrent {
        return;
    }
    // Each dropped index with the table it locks (the index name itself
    // when no migration created it, so its table is unknown).
    let mut locked: Vec<(QualName, Option<QualName>)> = Vec::new();
    for obj in &s.objects {
        let Some(NodeEnum::List(list)) = obj.node.as_ref() else {
            continue;
        };
        let Some(index) = QualName::from_list(&list.items) else {
            continue;
        };
        let table = cx.schema.index(&index).map(|i| i.table.clone());
        match &table {
            Some(t) if !in_use(cx, t) || dropped_later_in_file(cx, t) => continue,
            // The table is already ACCESS EXCLUSIVE in this transaction:
            // the drop waits for nothing and blocks nothing more.
            Some(t) if exclusive_already_held(cx, t).is_some() => continue,
            // A table the team declared small (`[tables] small`): only
            // short queries touch it, so the drop does not queue behind
            // long-running work (as for `require-lock-timeout`).
            Some(t) if cx.options.is_small(t) => continue,
            // Unknown index in a file that goes on to drop tables: a
            // teardown (a down file linted alone); the index most likely
            // belongs to one of them.
            None if drops_a_table_later(cx) => continue,
            _ => {}
        }
        locked.push((index, table));
    }
    if locked.is_empty() {
        return;
    }
    // One lock per table, however many of its indexes the statement drops.
    let mut locks: Vec<String> = Vec::new();
    for (index, table) in &locked {
        let lock = describe_lock(cx, table.as_ref().unwrap_or(index));
        if !locks.contains(&lock) {
            locks.push(lock);
        }
    }
    let names: Vec<String> = locked.iter().map(|(i, _)| i.to_string()).collect();
    let if_exists = if s.missing_ok { "IF EXISTS " } else { "" };
    let message = format!(
        "DROP INDEX {} without CONCURRENTLY takes {}: a brief drop, but while it waits for the lock every query on the table queues behind it",
        names.join(", "),
        locks.join(" and ")
    );
    let statements: Vec<String> = names
        .iter()
        .map(|n| format!("`DROP INDEX CONCURRENTLY {if_exists}{n};`"))
        .collect();
    let each = if names.len() > 1 {
        "each in a migration file of its own (CONCURRENTLY drops one index per statement)"
    } else {
        "alone in its own migration file"
    };
    let finding = out.report(cx.stmt.span, message).help(format!(
        "use {} (SHARE UPDATE EXCLUSIVE: reads and writes go on), {each}: it cannot run in a transaction block",
        statements.join(" and ")
    ));
    if let Some(fix) = fix(cx, s) {
        finding.fix(fix);
    }
}

/// Inserts `CONCURRENTLY` after `INDEX` (in the keyword's case) and makes
/// the statement stand alone in its migration (`fixes::alone`: in place,
/// or, as the last statement of its file, moved to a new migration right
/// after it). Unsafe: the drop is no longer transactional (a failure
/// leaves an INVALID index and the migration dirty), it waits for every
/// transaction using the table, and splitting a file changes what one
/// version means. Not offered for several indexes (CONCURRENTLY drops one)
/// or CASCADE (which CONCURRENTLY refuses).
fn fix(cx: &StmtCx, s: &pg_query::protobuf::DropStmt) -> Option<FixSpec> {
    if s.objects.len() != 1 || s.behavior == DropBehavior::DropCascade as i32 {
        return None;
    }
    let index = cx.tokens().iter().find(|t| t.is(Token::Index))?;
    let upper = cx.text(index.span()) == "INDEX";
    fixes::alone(
        cx,
        "add `CONCURRENTLY`",
        Applicability::Unsafe,
        vec![(
            Span::empty(index.end()),
            format!(" {}", fixes::cased("concurrently", upper)),
        )],
        "concurrently",
    )
}

fn drops_a_table_later(cx: &StmtCx) -> bool {
    (cx.stmt_index + 1..cx.stmt_count()).any(|j| {
        cx.facts_of(j)
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Drop { obj, .. } if obj.kind == Kind::Table))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-concurrent-index-deletion";

    /// harbor 0004: the DROP INDEX comes after an ALTER TABLE of its table
    /// in the same transaction: it waits for nothing more.
    #[test]
    fn table_already_exclusive_in_the_transaction_ok() {
        let files = [
            ("000001_a.up.sql", "CREATE TABLE job (id bigint, status text);\nCREATE INDEX job_status ON job (status);"),
            ("000002_b.up.sql", "ALTER TABLE job ADD COLUMN owner text;\nDROP INDEX job_status;"),
        ];
        assert!(lint_files(RULE, &files).is_empty());
        let files = [
            files[0],
            (
                "000002_b.up.sql",
                "DROP INDEX job_status;\nALTER TABLE job ADD COLUMN owner text;",
            ),
        ];
        assert_eq!(lint_files(RULE, &files).len(), 1);
    }

    /// Two indexes of one table: one ACCESS EXCLUSIVE lock on it, said once.
    #[test]
    fn two_indexes_of_one_table_name_its_lock_once() {
        let out = assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE t (a int, b int);\nCREATE INDEX t_a ON t (a);\nCREATE INDEX t_b ON t (b);",
                ),
                ("000002_b.up.sql", "DROP INDEX t_a, t_b;"),
            ],
        );
        assert_eq!(out.matches("ACCESS EXCLUSIVE on t").count(), 1, "{out}");
    }

    const CREATE: (&str, &str) = (
        "000001_users.up.sql",
        "CREATE TABLE users (id int, email text);\nCREATE INDEX idx_users_email ON users (email);",
    );

    #[test]
    fn fix_in_place_when_alone() {
        assert_eq!(
            fixed(RULE, "-- old\nDROP INDEX IF EXISTS users_email_idx;\n").unwrap(),
            "-- old\nDROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n"
        );
        assert_eq!(
            fixed(RULE, "drop index i").unwrap(),
            "drop index concurrently i"
        );
    }

    #[test]
    fn fix_splits_the_last_statement_off() {
        let files = fixed_files(
            RULE,
            &[
                ("m/000001_a.up.sql", "CREATE TABLE u (id int);"),
                ("m/000001_a.down.sql", "DROP TABLE u;"),
                (
                    "m/000002_b.up.sql",
                    "ALTER TABLE users ADD COLUMN x int;\n-- gone\nDROP INDEX users_email_idx;\n",
                ),
                ("m/000002_b.down.sql", "ALTER TABLE users DROP COLUMN x;"),
                ("m/000004_d.up.sql", "SELECT 1;"),
            ],
        );
        assert_eq!(
            files,
            vec![
                (
                    "m/000002_b.up.sql".to_string(),
                    "ALTER TABLE users ADD COLUMN x int;\n".to_string()
                ),
                (
                    "m/000003_b_concurrently.up.sql".to_string(),
                    "-- gone\nDROP INDEX CONCURRENTLY users_email_idx;\n".to_string()
                ),
                (
                    "m/000003_b_concurrently.down.sql".to_string(),
                    "-- split off 000002_b by a fix: the down migration of 000002_b undoes it\n"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn split_without_downs_creates_no_down() {
        let files = fixed_files(
            RULE,
            &[(
                "20240101000000_b.up.sql",
                "SELECT 1;\nDROP INDEX users_email_idx",
            )],
        );
        assert_eq!(
            files,
            vec![
                (
                    "20240101000000_b.up.sql".to_string(),
                    "SELECT 1;".to_string()
                ),
                (
                    "20240101000001_b_concurrently.up.sql".to_string(),
                    "DROP INDEX CONCURRENTLY users_email_idx\n".to_string()
                ),
            ]
        );
    }

    #[test]
    fn no_fix_without_room_or_order() {
        // The next version is taken.
        assert!(fixed_files(
            RULE,
            &[
                ("000002_b.up.sql", "SELECT 1;\nDROP INDEX i;"),
                ("000003_c.up.sql", "SELECT 1;"),
            ],
        )
        .is_empty());
        // Not the last statement: a later version would run it after the rest.
        assert_eq!(fixed(RULE, "DROP INDEX i;\nSELECT 1;"), None);
        // A transaction block, several indexes, CASCADE, a width that overflows.
        assert_eq!(fixed(RULE, "BEGIN;\nDROP INDEX i;\nCOMMIT;"), None);
        assert_eq!(fixed(RULE, "DROP INDEX i, j;"), None);
        assert_eq!(fixed(RULE, "DROP INDEX i CASCADE;"), None);
        assert!(fixed_files(RULE, &[("9_b.up.sql", "SELECT 1;\nDROP INDEX i;")]).is_empty());
    }

    #[test]
    fn known_index_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                CREATE,
                (
                    "000002_drop_email_index.up.sql",
                    "-- no longer used\nDROP INDEX IF EXISTS idx_users_email;"
                ),
            ],
        ));
    }

    #[test]
    fn unknown_index_err() {
        insta::assert_snapshot!(assert_err(RULE, "drop index\n  app.\"Idx\";"));
    }

    #[test]
    fn several_indexes_err() {
        let out = assert_err(RULE, "DROP INDEX a_idx, b_idx;");
        assert!(out.contains("each in a migration file of its own"), "{out}");
    }

    #[test]
    fn concurrently_ok() {
        assert_ok(RULE, "DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;");
    }

    #[test]
    fn other_drops_ok() {
        assert_ok(RULE, "DROP TABLE users; DROP VIEW v; DROP SEQUENCE s;");
    }

    #[test]
    fn seed_down_file_ok() {
        // The table is dropped right after: the index goes with it.
        assert_ok_files(
            RULE,
            &[
                CREATE,
                (
                    "000001_users.down.sql",
                    "DROP INDEX IF EXISTS idx_users_email;\nDROP TABLE IF EXISTS users;",
                ),
            ],
        );
        assert_ok_files(
            RULE,
            &[
                CREATE,
                (
                    "000001_users.down.sql",
                    "DROP INDEX idx_users_email; DROP TABLE public.users CASCADE;",
                ),
            ],
        );
    }

    #[test]
    fn table_dropped_later_but_other_table_err() {
        let out = assert_err_files(
            RULE,
            &[
                CREATE,
                (
                    "000002_x.down.sql",
                    "DROP INDEX idx_users_email;\nDROP TABLE IF EXISTS accounts;",
                ),
            ],
        );
        assert!(out.contains("ACCESS EXCLUSIVE on users"), "{out}");
    }

    #[test]
    fn unknown_index_in_teardown_ok() {
        assert_ok_files(
            RULE,
            &[(
                "000002_create_user_table.down.sql",
                "DROP INDEX IF EXISTS idx_users_email;\nDROP TABLE IF EXISTS users;",
            )],
        );
        // A table dropped before does not count.
        assert_err(RULE, "DROP TABLE old; DROP INDEX idx;");
    }

    #[test]
    fn table_created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;",
        );
    }

    #[test]
    fn schema_qualified_index_matches() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE app.t (a int); CREATE INDEX t_a ON app.t (a);",
                ),
                ("000001_a.down.sql", "DROP INDEX app.t_a; DROP TABLE app.t;"),
            ],
        );
        // A different schema is a different index (unknown: report).
        assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE TABLE app.t (a int); CREATE INDEX t_a ON app.t (a);",
                ),
                ("000002_a.up.sql", "DROP INDEX t_a;"),
            ],
        );
    }
}
