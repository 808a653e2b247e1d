use crate::engine::context::{Findings, StmtCx};
use crate::model::effects::{Effect, Shape};
use crate::model::locks::{LockMode, LockTaken};
use crate::model::summary::{DmlKind, RelationChange};
use crate::model::{Kind, Obj, QualName};
use crate::rules::helpers::{bulky, in_use, index_on_only_partitioned, locks_of};
use crate::rules::Check;

declare_rule!(
    "hold-exclusive-lock-across-statements",
    Locking,
    Warning,
    "slow work (scan, rewrite, backfill) while an earlier statement's ACCESS EXCLUSIVE lock is still held",
    Check::Statement(check),
    subsumes = &["require-where-in-update-delete"]
);

/// What a slow statement does, for the message.
struct Work {
    what: String,
    /// The tables the slow work is on.
    tables: Vec<Key>,
    /// Tables this statement itself locks in ACCESS EXCLUSIVE mode: an
    /// earlier lock on them adds nothing to what it blocks.
    exclusive: Vec<Key>,
}

type Key = (String, String);

fn check(cx: &StmtCx, out: &mut Findings) {
    let Some(work) = slow_work(cx, cx.stmt_index) else {
        return;
    };
    let start = cx.tx_start(cx.stmt_index);
    // Walk back over the transaction so far, collecting the locks held
    // that no slow statement has run under yet (those were reported
    // there). A slow statement that locks the same table exclusively itself
    // leaves that lock pending: `common` holds the tables every slow
    // statement seen so far locks exclusively. Once no lock left pending
    // could name a table this statement does not lock itself, stop.
    let mut pending: Vec<(usize, LockTaken)> = Vec::new();
    let mut common: Option<Vec<Key>> = None;
    for k in (start..cx.stmt_index).rev() {
        for l in held_locks(cx, k) {
            if common
                .as_ref()
                .is_none_or(|c| c.contains(&l.relation.key()))
            {
                pending.push((k, l));
            }
        }
        if let Some(w) = slow_work(cx, k) {
            let c = match common.take() {
                None => w.exclusive,
                Some(c) => c.into_iter().filter(|t| w.exclusive.contains(t)).collect(),
            };
            let done = c.iter().all(|t| work.exclusive.contains(t));
            common = Some(c);
            if done {
                break;
            }
        }
    }
    pending.reverse();
    let candidates: Vec<(usize, LockTaken)> = pending
        .into_iter()
        .filter(|(_, l)| !work.exclusive.contains(&l.relation.key()))
        .collect();
    // Name the lock on the table the work is on when there is one, else
    // the earliest.
    let Some((j, lock)) = candidates
        .iter()
        .find(|(_, l)| work.tables.contains(&l.relation.key()))
        .or_else(|| candidates.first())
    else {
        return;
    };
    let line = cx.line_of(*j);
    let taker = statement_label(cx, *j);
    out.report(
        cx.stmt.span,
        format!(
            "this statement {} while {lock} (blocks reads and writes), taken by the {taker} on line {line}, is still held: \
             the lock lasts until the transaction commits, so every query on {} waits for as long as this takes",
            work.what, lock.relation
        ),
    )
    .help(format!(
        "1. end the transaction right after the statement that takes ACCESS EXCLUSIVE: put the {taker} (line {line}) in a \
         migration file of its own, after `SET lock_timeout = '2s'`; 2. do the slow work in a separate migration file, \
         where it runs without the exclusive lock held; 3. run backfills in batches outside the schema migration"
    ));
}

/// ACCESS EXCLUSIVE locks statement `j` of the file takes on tables other
/// sessions use (not created in this file; emptied ones are still used). Left out: tables being dropped (nothing should read them any
/// more), sequences, indexes whose table is unknown. A renamed table is
/// named by its new name.
fn held_locks(cx: &StmtCx, j: usize) -> Vec<LockTaken> {
    // A drop's lock on what it drops blocks nobody once it is gone; its
    // lock on what stays (the table of a dropped index) is held.
    let dropped: Vec<&QualName> = cx.file.facts.stmts[j]
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Drop { obj, .. } if obj.kind.is_relation() => Some(&obj.name),
            _ => None,
        })
        .collect();
    let rename_to = match cx.summary_of(j).relation() {
        RelationChange::Sequence => return Vec::new(),
        RelationChange::Drops => None,
        RelationChange::RenamesTableTo(new) => Some(new.as_str()),
        RelationChange::None => None,
    };
    locks_of(cx, j)
        .into_iter()
        .map(|mut l| {
            if let Some(new) = rename_to {
                l.relation = QualName::new(l.relation.schema.as_deref(), new);
            }
            if l.on_index {
                // The schema as of this statement no longer knows an index
                // this file dropped: a CREATE INDEX of the same name in the
                // file tells its table.
                let gone = cx
                    .schema
                    .gone(&Obj::new(Kind::Index, l.relation.clone()).key())
                    .and_then(|g| g.table.clone());
                if let Some(table) = gone.or_else(|| index_table_in_file(cx, &l.relation)) {
                    l.relation = table;
                    l.on_index = false;
                }
            }
            l
        })
        // An index whose table is unknown: the work may well be on that
        // very table, so stay silent.
        .filter(|l| !l.on_index && !dropped.iter().any(|d| d.key() == l.relation.key()))
        .filter(|l| l.mode == LockMode::AccessExclusive && in_use(cx, &l.relation))
        .collect()
}

/// The table of a `CREATE INDEX name` somewhere in this file.
fn index_table_in_file(cx: &StmtCx, index: &QualName) -> Option<QualName> {
    (0..cx.stmt_count()).find_map(|j| {
        cx.facts_of(j).effects.iter().find_map(|e| match e {
            Effect::Create {
                obj,
                shape: Shape::Index { .. },
                ..
            } if obj.name.name == index.name => {
                let table = obj.table.clone()?;
                let same_schema = index.schema.is_none() || index.schema == table.schema;
                same_schema.then_some(table)
            }
            _ => None,
        })
    })
}

/// The statement does work that takes time on a table that holds data:
/// scans or rewrites it, updates or deletes its rows (with a `WHERE` or
/// not), or copies rows out of it.
fn slow_work(cx: &StmtCx, k: usize) -> Option<Work> {
    let summary = cx.summary_of(k);
    if summary.no_tx
        || (k == cx.stmt_index && cx.creates_nothing())
        || index_on_only_partitioned(cx, k)
    {
        return None;
    }
    let locks = locks_of(cx, k);
    let exclusive: Vec<Key> = locks
        .iter()
        .filter(|l| l.mode == LockMode::AccessExclusive)
        .map(|l| l.relation.key())
        .collect();
    if let Some(l) = locks
        .iter()
        .find(|l| (l.scan || l.rewrite) && bulky(cx, &l.relation))
    {
        let what = if summary.builds_index {
            format!("builds an index on {} (reading all of it)", l.relation)
        } else if l.rewrite {
            format!("rewrites {}", l.relation)
        } else {
            format!("scans all of {}", l.relation)
        };
        let tables = vec![l.relation.key()];
        return Some(Work {
            what,
            tables,
            exclusive,
        });
    }
    let dml = summary.dml()?;
    let (what, table) = match dml.kind {
        DmlKind::Update | DmlKind::Delete => {
            let t = dml.target.clone()?;
            // Any WHERE: finding the rows may read the whole table, and
            // the earlier lock blocks everyone for as long as it takes.
            if !bulky(cx, &t) {
                return None;
            }
            let verb = if dml.kind == DmlKind::Update {
                "updates"
            } else {
                "deletes"
            };
            (format!("{verb} rows of {t}"), t)
        }
        // A file on the server (or a program's output): any size.
        DmlKind::Load => {
            let t = dml.target.clone()?;
            (format!("loads rows into {t} from a file"), t)
        }
        DmlKind::InsertSelect | DmlKind::CreateAs | DmlKind::Export => {
            let source = dml.sources.iter().find(|t| bulky(cx, t))?.clone();
            let verb = match dml.kind {
                DmlKind::InsertSelect => "copies rows from",
                DmlKind::CreateAs => "fills a new relation from",
                _ => "writes out the rows of",
            };
            (format!("{verb} {source}"), source)
        }
    };
    Some(Work {
        what,
        tables: vec![table.key()],
        exclusive,
    })
}

/// A short name for the statement that took the lock.
fn statement_label(cx: &StmtCx, j: usize) -> String {
    if let Some(label) = cx.summary_of(j).label() {
        return label.to_string();
    }
    cx.first_word(j, "statement")
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "hold-exclusive-lock-across-statements";

    #[test]
    fn backfill_after_alter_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN active boolean;\n-- backfill\nUPDATE users SET active = true WHERE active IS NULL;\nUPDATE users SET active = false WHERE id < 0;"
        ));
    }

    /// DROP INDEX takes ACCESS EXCLUSIVE on its table, held to the end of
    /// the file (checked in pg_locks on PostgreSQL 15); the index is gone,
    /// the table stays locked. A dropped table's own lock blocks nobody.
    #[test]
    fn work_after_a_drop_index_err() {
        let files = |up| {
            [
                ("1_a.up.sql", "CREATE TABLE t (id int, n int, a text);\nCREATE INDEX t_n ON t (n);\nCREATE TABLE big (a text);"),
                ("2_b.up.sql", up),
            ]
        };
        let out = assert_err_files(
            RULE,
            &files("SET lock_timeout = '2s';\nDROP INDEX t_n;\nUPDATE big SET a = 'x' WHERE a IS NULL;"),
        );
        assert!(out.contains("ACCESS EXCLUSIVE on t"), "{out}");
        assert_ok_files(
            RULE,
            &files(
                "SET lock_timeout = '2s';\nDROP TABLE t;\nUPDATE big SET a = 'x' WHERE a IS NULL;",
            ),
        );
    }

    /// Backfills not written as a plain UPDATE: a data-modifying CTE,
    /// MERGE, SELECT INTO (a concurrent read of the locked table waited on
    /// PostgreSQL 15); a CTE's name is not a table.
    #[test]
    fn backfills_in_other_shapes_err() {
        const INIT: (&str, &str) = (
            "1_a.up.sql",
            "CREATE TABLE t (id int, a text);\nCREATE TABLE u (id int, a text);",
        );
        for backfill in [
            "WITH x AS (UPDATE u SET a = 'y' WHERE a = 'x' RETURNING id) SELECT count(*) FROM x;",
            "WITH x AS (UPDATE u SET a = 'y' WHERE a = 'x' RETURNING id) INSERT INTO t (id) SELECT id FROM x;",
            "WITH x AS (DELETE FROM u WHERE a = 'x' RETURNING id) INSERT INTO t (id) VALUES (1);",
            "MERGE INTO u USING t ON u.id = t.id WHEN MATCHED THEN UPDATE SET a = t.a;",
            "SELECT * INTO u_copy FROM u;",
        ] {
            let up =
                format!("SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN z text;\n{backfill}");
            assert_err_files(RULE, &[INIT, ("2_b.up.sql", &up)]);
        }
        assert_ok_files(
            RULE,
            &[
                INIT,
                (
                    "2_b.up.sql",
                    "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN z text;\n\
                     WITH x AS (SELECT * FROM (VALUES (1, 'a')) v(id, a)) INSERT INTO u (id, a) SELECT id, a FROM x;",
                ),
            ],
        );
    }

    /// COPY from a server file or a program loads any number of rows, and
    /// COPY TO reads every row of what it writes out, under the lock held
    /// (PostgreSQL 15: the ALTER TABLE's ACCESS EXCLUSIVE stays in
    /// pg_locks through the load). `FROM STDIN` cannot carry its data in a
    /// migration file.
    #[test]
    fn copy_under_the_lock_err() {
        const INIT: (&str, &str) = (
            "1_a.up.sql",
            "CREATE TABLE t (id int, a text);\nCREATE TABLE u (id int, a text);",
        );
        for copy in [
            "COPY u FROM '/srv/u.csv' WITH (FORMAT csv);",
            "COPY u (id) FROM PROGRAM 'seq 1 1000000';",
            "COPY u TO '/tmp/u.csv';",
            "COPY (SELECT * FROM u) TO '/tmp/u.csv';",
        ] {
            let up = format!("SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN z text;\n{copy}");
            assert_err_files(RULE, &[INIT, ("2_b.up.sql", &up)]);
        }
        // Writing out a table emptied in this file reads nothing.
        assert_ok_files(
            RULE,
            &[
                INIT,
                (
                    "2_b.up.sql",
                    "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN z text;\nTRUNCATE u;\nCOPY u TO '/tmp/u.csv';",
                ),
            ],
        );
    }

    /// A table this file created and filled from a query holds data: an
    /// index built on it while another table's ACCESS EXCLUSIVE is held
    /// takes time.
    #[test]
    fn work_on_a_table_filled_here_err() {
        let out = assert_err(
            RULE,
            "CREATE TABLE n (id int, a int);\nINSERT INTO n SELECT id, a FROM u;\n\
             ALTER TABLE t ADD COLUMN z text;\nCREATE INDEX n_a ON n (a);",
        );
        assert!(out.contains("builds an index on n"), "{out}");
        assert_ok(
            RULE,
            "ALTER TABLE t ADD COLUMN z text;\nCREATE TABLE n (id int, a int);\n\
             INSERT INTO n VALUES (1, 1);\nCREATE INDEX n_a ON n (a);",
        );
    }

    #[test]
    fn index_build_on_other_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "BEGIN;\nALTER TABLE public.\"Orders\" RENAME COLUMN a TO b;\nCREATE INDEX i ON events (created_at);\nCOMMIT;"
        ));
    }

    #[test]
    fn copy_rows_err() {
        assert_err(
            RULE,
            "CREATE TABLE new_users (id bigint);\nLOCK TABLE users IN ACCESS EXCLUSIVE MODE;\nINSERT INTO new_users SELECT id FROM users;",
        );
    }

    #[test]
    fn cheap_alters_ok() {
        assert_ok(
            RULE,
            "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b text;\nALTER TABLE users DROP COLUMN c;\nCOMMENT ON COLUMN users.a IS 'x';",
        );
        assert_ok(
            RULE,
            "ALTER TABLE users ADD COLUMN a int; INSERT INTO audit VALUES (1, 'added a');",
        );
    }

    #[test]
    fn same_table_exclusive_work_ok() {
        // The rewrite takes ACCESS EXCLUSIVE on users itself: holding it
        // from the first statement adds nothing.
        assert_ok(
            RULE,
            "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ALTER COLUMN b TYPE bigint;",
        );
    }

    #[test]
    fn slow_work_before_the_lock_ok() {
        assert_ok(
            RULE,
            "UPDATE users SET a = 1;\nCREATE INDEX i ON users (a);\nALTER TABLE users ADD COLUMN b int;",
        );
    }

    #[test]
    fn new_tables_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int;\nCREATE INDEX i ON t (a);\nUPDATE t SET a = 1;",
        );
        // Work on a new table while an existing one is locked is cheap.
        assert_ok(
            RULE,
            "CREATE TABLE t (id int);\nALTER TABLE users ADD COLUMN a int;\nCREATE INDEX i ON t (id);\nINSERT INTO t SELECT 1;",
        );
    }

    #[test]
    fn dropped_table_ok() {
        assert_ok(RULE, "DROP TABLE old_users;\nUPDATE users SET a = 1;");
    }

    #[test]
    fn separate_transactions_ok() {
        assert_ok(
            RULE,
            "BEGIN; ALTER TABLE users ADD COLUMN a int; COMMIT;\nBEGIN; UPDATE users SET a = 1; COMMIT;",
        );
    }

    #[test]
    fn only_first_slow_statement_err() {
        let out = assert_err(
            RULE,
            "ALTER TABLE users ADD COLUMN a int;\nUPDATE users SET a = 1;\nCREATE INDEX i ON users (a);",
        );
        assert_eq!(out.matches("[hold-exclusive-lock").count(), 1, "{out}");
        assert!(out.contains(":2:1:"), "{out}");
    }

    #[test]
    fn table_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE users (id int, a int);"),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE users ALTER COLUMN a SET DEFAULT 0;\nALTER TABLE users VALIDATE CONSTRAINT c;",
                ),
            ],
        );
    }

    #[test]
    fn targeted_update_under_lock_err() {
        // `WHERE col = 'x'` may still read the whole table (no index on
        // col), all of it while the ALTER's lock blocks every query.
        assert_err(
            RULE,
            "ALTER TABLE project ADD COLUMN registry_id int;\nUPDATE role SET name = 'maintainer' WHERE name = 'master';\n\
             DELETE FROM properties WHERE k = 'scan_all_policy' AND v IS NULL;\nUPDATE t SET a = 1 WHERE id IN (1, 2, 3::bigint);",
        );
    }

    #[test]
    fn index_build_and_delete_after_truncate_ok() {
        // The table was emptied by this file: nothing to read.
        assert_ok(
            RULE,
            "ALTER TABLE users ADD COLUMN a int;\nTRUNCATE audit;\nCREATE INDEX audit_a ON audit (a);\n\
             DELETE FROM audit WHERE a = 1;",
        );
        assert_err(
            RULE,
            "ALTER TABLE users ADD COLUMN a int;\nCREATE INDEX audit_a ON audit (a);",
        );
    }

    #[test]
    fn backfill_with_where_err() {
        assert_err(
            RULE,
            "ALTER TABLE audit ADD COLUMN org_name text;\nUPDATE audit a SET org_name = o.name FROM orgs o WHERE a.org_id = o.id AND a.org_name IS NULL;",
        );
        assert_err(
            RULE,
            "ALTER TABLE p ADD COLUMN c int;\nDELETE FROM m WHERE EXISTS (SELECT 1 FROM u WHERE u.id = m.uid);",
        );
    }

    #[test]
    fn lock_named_on_the_worked_table_err() {
        let out = assert_err(
            RULE,
            "ALTER TABLE admin_job ADD COLUMN a int;\nALTER TABLE artifact ADD COLUMN b int;\nUPDATE artifact SET b = 1;",
        );
        assert!(out.contains("ACCESS EXCLUSIVE on artifact (blocks reads and writes), taken by the ALTER TABLE on line 2"), "{out}");
    }

    #[test]
    fn renamed_table_ok() {
        // The same table under its new name: the rewrite locks it anyway.
        assert_ok(
            RULE,
            "ALTER TABLE replication_target RENAME TO registry;\nALTER TABLE registry ALTER COLUMN a TYPE bigint;",
        );
        // A table created in this file, then renamed, is still new.
        assert_ok(
            RULE,
            "CREATE TABLE a (id int);\nALTER TABLE a RENAME TO b;\nCREATE INDEX i ON users (id);",
        );
    }

    #[test]
    fn sequence_rename_ok() {
        assert_ok(
            RULE,
            "ALTER SEQUENCE s_id_seq RENAME TO t_id_seq;\nALTER TABLE t ALTER COLUMN id TYPE bigint;",
        );
    }

    #[test]
    fn dropped_index_recreated_ok() {
        // DROP INDEX locks the index's table, found from the CREATE INDEX
        // of the same name. Unknown, it may be the rewritten table itself.
        assert_ok(
            RULE,
            "DROP INDEX idx_ps_module;\nALTER TABLE ps ALTER COLUMN module_id TYPE bigint;\n",
        );
        let out = assert_err(
            RULE,
            "DROP INDEX idx_ps_module;\nCREATE INDEX idx_ps_module ON ps (module_id, x);",
        );
        assert!(out.contains("ACCESS EXCLUSIVE on ps"), "{out}");
    }

    #[test]
    fn earlier_type_change_judged_without_its_own_result() {
        // The schema after line 2 holds `timestamp`: line 2 must still count
        // as a rewrite when line 3 looks back, so the line-1 lock is not
        // named again at line 3.
        let out = assert_err_files(
            RULE,
            &[
                ("000001_a.up.sql", "CREATE TABLE q (t timestamptz); CREATE TABLE s (t timestamptz); CREATE TABLE e (t timestamptz);"),
                (
                    "000002_b.up.sql",
                    "ALTER TABLE q ALTER COLUMN t TYPE timestamp;\nALTER TABLE s ALTER COLUMN t TYPE timestamp;\nALTER TABLE e ALTER COLUMN t TYPE timestamp;",
                ),
            ],
        );
        assert!(
            out.contains(":2:1:") && out.contains("ACCESS EXCLUSIVE on q "),
            "{out}"
        );
        assert!(
            out.contains(":3:1:") && out.contains("ACCESS EXCLUSIVE on s "),
            "{out}"
        );
    }
}
