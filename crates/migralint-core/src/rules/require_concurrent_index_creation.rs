use pg_query::protobuf::Token;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::locks::LockMode;
use crate::model::QualName;
use crate::rules::fixes;
use crate::rules::helpers::{
    describe_lock, exclusive_held_since, holds_data, index_on_only_partitioned, takes_exclusive,
};
use crate::rules::Check;

declare_rule!(
    "require-concurrent-index-creation",
    Locking,
    Error,
    "CREATE INDEX without CONCURRENTLY blocks writes to a table that holds data",
    Check::Statement(check),
    subsumes = &["hold-exclusive-lock-across-statements"]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::IndexStmt(s) = &cx.stmt.node else {
        return;
    };
    let Some(rv) = &s.relation else { return };
    let table = QualName::from_range_var(rv);
    // `IF NOT EXISTS` of an index the history already has builds nothing;
    // nor does `ON ONLY` a partitioned table (the parent's index, invalid
    // until each partition's is attached).
    let partitioned = cx.schema.table(&table).is_some_and(|t| t.partitioned);
    if s.concurrent
        || !holds_data(cx, &table)
        || cx.creates_nothing()
        || index_on_only_partitioned(cx, cx.stmt_index)
    {
        return;
    }
    let what = if s.unique {
        "CREATE UNIQUE INDEX"
    } else {
        "CREATE INDEX"
    };
    // Under an ACCESS EXCLUSIVE lock the transaction already holds, the
    // build blocks reads too: say so (the held lock is this finding's
    // story as much as the SHARE lock is). Every build under that one lock
    // is one hazard (each extends the same hold, as
    // `hold-exclusive-lock-across-statements` reports a held lock once):
    // the first build says so for all, naming the later ones, up to the
    // next statement that takes the lock again (whose builds the hold
    // rule would count anew).
    let mut held = String::new();
    if let Some(k) = exclusive_held_since(cx, &table) {
        let plain_build = |j: usize| plain_build_on(cx, j, &table);
        let retaken = |j: &usize| takes_exclusive(cx, *j, &table);
        let window = (k..cx.stmt_index).rev().find(retaken).unwrap_or(k);
        if (window + 1..cx.stmt_index).any(plain_build) {
            return;
        }
        let tx = cx.tx_of(cx.stmt_index);
        let later: Vec<String> = (cx.stmt_index + 1..cx.stmt_count())
            .take_while(|&j| cx.tx_of(j) == tx && !retaken(&j))
            .filter(|&j| plain_build(j))
            .map(|j| cx.line_of(j).to_string())
            .collect();
        let also = match later.len() {
            0 => String::new(),
            1 => format!(
                " (and so does the build on line {}: one finding for both)",
                later[0]
            ),
            _ => format!(
                " (and so do the builds on lines {}: one finding for all)",
                later.join(", ")
            ),
        };
        held = format!(
            ", while the ACCESS EXCLUSIVE lock on {table} taken on line {} is still held: reads wait \
             too, until the migration commits{also}",
            cx.line_of(k)
        );
    }
    let finding = out.report(
        cx.stmt.span,
        format!(
            "{what} without CONCURRENTLY takes {} for the whole build{held}",
            describe_lock(cx, &table)
        ),
    );
    // PostgreSQL refuses CONCURRENTLY on a partitioned table: the index is
    // built per partition and attached.
    if partitioned {
        finding.help(format!(
            "PostgreSQL cannot build an index on a partitioned table CONCURRENTLY: create it `ON ONLY {table}` \
             (instant, and invalid until complete), build each partition's index CONCURRENTLY, each alone in its \
             own migration file, then `ALTER INDEX ... ATTACH PARTITION` each one; the index on {table} is valid \
             once every partition's is attached"
        ));
        return;
    }
    finding.help(format!(
        "use `{what} CONCURRENTLY` (it takes SHARE UPDATE EXCLUSIVE: reads and writes go on); it cannot run \
         in a transaction, so put it alone in its own migration file"
    ));
    // `ON ONLY` a table the history does not show may be a partitioned one.
    let known = cx.schema.table(&table).is_some();
    if rv.inh || known {
        if let Some(fix) = fix(cx) {
            finding.fix(fix);
        }
    }
}

/// Statement `j` of the file builds an index on `table` without
/// CONCURRENTLY (nor IF NOT EXISTS, which may build nothing).
fn plain_build_on(cx: &StmtCx, j: usize, table: &QualName) -> bool {
    let summary = cx.summary_of(j);
    summary.builds_index
        && summary
            .locks
            .iter()
            .any(|l| l.mode == LockMode::Share && l.relation.key() == table.key())
        && !matches!(
            cx.facts_of(j).effects.first(),
            Some(crate::model::effects::Effect::Create {
                if_not_exists: true,
                ..
            })
        )
}

/// Inserts `CONCURRENTLY` after `INDEX` (in the keyword's case) and makes
/// the statement stand alone in its migration (`fixes::alone`: in place,
/// or, as the last statement of its file, moved to a new migration right
/// after it): golang-migrate then sends it by itself, outside any
/// transaction block, as CONCURRENTLY needs. Unsafe: the build is no
/// longer atomic (a failure leaves an INVALID index to drop, and the
/// migration dirty instead of rolled back), and it waits for every
/// transaction that could use the table. Not offered on a partitioned
/// table (PostgreSQL refuses it there; the help says what to do).
fn fix(cx: &StmtCx) -> Option<FixSpec> {
    let index = cx.tokens().iter().find(|t| t.is(Token::Index))?;
    let upper = cx.text(index.span()) == "INDEX";
    fixes::alone(
        cx,
        "add `CONCURRENTLY`",
        Applicability::Unsafe,
        vec![(
            crate::source::Span::empty(index.end()),
            format!(" {}", fixes::cased("concurrently", upper)),
        )],
        "concurrently",
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-concurrent-index-creation";

    /// A partitioned table: `ON ONLY` builds nothing (the parent's index,
    /// invalid until each partition's is attached); a plain build recurses
    /// into every partition and cannot be made CONCURRENTLY (PostgreSQL 15:
    /// `cannot create index on partitioned table "m" concurrently`), so no
    /// fix is offered and the help tells the per-partition way.
    #[test]
    fn partitioned_table_has_its_own_way() {
        let history = (
            "000001_m.up.sql",
            "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);\n\
             CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');",
        );
        assert_ok_files(
            RULE,
            &[
                history,
                ("000002_i.up.sql", "CREATE INDEX m_id ON ONLY m (id);"),
            ],
        );
        let files = [history, ("000002_i.up.sql", "CREATE INDEX m_at ON m (at);")];
        let out = assert_err_files(RULE, &files);
        assert!(out.contains("ON ONLY m"), "{out}");
        assert!(fixed_files(RULE, &files).is_empty(), "{out}");
        // A plain table's ONLY is no partitioned build: reported and fixed.
        let files = [
            ("000001_t.up.sql", "CREATE TABLE t (id bigint);"),
            ("000002_i.up.sql", "CREATE INDEX t_id ON ONLY t (id);"),
        ];
        assert_err_files(RULE, &files);
        assert!(!fixed_files(RULE, &files).is_empty());
    }

    #[test]
    fn existing_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- add an index\nCREATE UNIQUE INDEX users_email_idx\n  ON \"App\".users (email);"
        ));
    }

    #[test]
    fn build_under_a_held_exclusive_lock_says_reads_wait() {
        let out = assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE users ADD COLUMN email text;\nCREATE INDEX i ON users (email);",
                ),
            ],
        );
        assert!(
            out.contains("taken on line 1 is still held: reads wait too"),
            "{out}"
        );
    }

    /// Builds under one held ACCESS EXCLUSIVE lock are one hazard: one
    /// finding, at the first, naming the others (real history: a type
    /// change, then every index rebuilt, one finding each). A statement
    /// that takes the lock again starts a new count, as a build before the
    /// lock is taken is a finding of its own.
    #[test]
    fn builds_under_one_held_lock_are_one_finding() {
        let files = |up| {
            [
                (
                    "000001_a.up.sql",
                    "CREATE TABLE t (id int, a text, b text);",
                ),
                ("000002_b.up.sql", up),
            ]
        };
        let out = lint_files(
            RULE,
            &files(
                "ALTER TABLE t ALTER COLUMN id TYPE bigint;\nCREATE INDEX ta ON t (a);\n\
                 CREATE INDEX tb ON t (b);\nCREATE INDEX IF NOT EXISTS tab ON t (a, b);\nCREATE INDEX tid ON t (id);",
            ),
        );
        let out = only(RULE, out);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert!(
            out[0]
                .message
                .contains("(and so do the builds on lines 3, 5: one finding for all)"),
            "{}",
            out[0].message
        );
        let again = only(
            RULE,
            lint_files(
                RULE,
                &files(
                    "CREATE INDEX t0 ON t (a);\nALTER TABLE t ADD COLUMN c int;\nCREATE INDEX ta ON t (a);\n\
                     ALTER TABLE t ADD COLUMN d int;\nCREATE INDEX tb ON t (b);",
                ),
            ),
        );
        let lines: Vec<usize> = again.iter().map(|d| d.line).collect();
        assert_eq!(lines, [1, 3, 5], "{again:#?}");
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int);"),
                ("000002_b.up.sql", "CREATE INDEX i ON users (id);"),
            ],
        );
    }

    #[test]
    fn table_created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE users (id int);\nCREATE INDEX i ON public.users (id);",
        );
        assert_ok(
            RULE,
            "create table \"Users\" (id int); create index i on \"Users\" (id);",
        );
    }

    #[test]
    fn quoted_name_differs_from_folded() {
        assert_err(
            RULE,
            "CREATE TABLE \"Users\" (id int); CREATE INDEX i ON users (id);",
        );
    }

    #[test]
    fn fix_adds_concurrently_when_alone_in_its_file() {
        assert_eq!(
            fixed(
                RULE,
                "-- why\nCREATE UNIQUE INDEX IF NOT EXISTS i ON users (id);\n"
            )
            .unwrap(),
            "-- why\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON users (id);\n"
        );
        assert_eq!(
            fixed(RULE, "create index on users using btree (id)").unwrap(),
            "create index concurrently on users using btree (id)"
        );
    }

    #[test]
    fn fix_splits_the_last_statement_off() {
        assert_eq!(
            fixed_files(
                RULE,
                &[(
                    "000007_idx.up.sql",
                    "SET lock_timeout = '1s';\nCREATE INDEX i ON users (id);"
                )]
            ),
            vec![
                (
                    "000007_idx.up.sql".to_string(),
                    "SET lock_timeout = '1s';".to_string()
                ),
                (
                    "000008_idx_concurrently.up.sql".to_string(),
                    "CREATE INDEX CONCURRENTLY i ON users (id);\n".to_string()
                ),
            ]
        );
    }

    #[test]
    fn not_split_off_when_the_version_has_a_down() {
        // The down of 000007 drops the index: split off, it would undo what
        // 000008 created.
        assert!(fixed_files(
            RULE,
            &[
                (
                    "000007_idx.up.sql",
                    "SELECT 1;\nCREATE INDEX i ON users (id);"
                ),
                ("000007_idx.down.sql", "DROP INDEX IF EXISTS i;"),
            ]
        )
        .is_empty());
    }

    #[test]
    fn no_fix_before_other_statements_or_on_only() {
        assert_eq!(
            fixed(
                RULE,
                "CREATE INDEX i ON users (id);\nSET lock_timeout = '1s';"
            ),
            None
        );
        assert_eq!(
            fixed(RULE, "BEGIN;\nCREATE INDEX i ON users (id);\nCOMMIT;"),
            None
        );
        assert_eq!(fixed(RULE, "CREATE INDEX i ON ONLY users (id);"), None);
    }

    #[test]
    fn concurrently_ok() {
        assert_ok(
            RULE,
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (id);",
        );
    }
}
