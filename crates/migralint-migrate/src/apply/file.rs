//! Applying one migration file.
//!
//! - Transactional files (the default): `BEGIN`, the migrations table
//!   locked (`SHARE ROW EXCLUSIVE`: readers go on, another run waits) and
//!   its version read again (it must still be the one this run planned
//!   from, so a run without the advisory lock, `x-no-lock`, never applies a
//!   file twice), PostgreSQL's `lock_timeout` for the file, the statements
//!   one by one, the version change (`TRUNCATE` + `INSERT (target, false)`),
//!   `COMMIT`. A failure rolls everything back: version unchanged, not
//!   dirty.
//! - Files wrapped in their own `BEGIN; ... COMMIT;`/`END;`: the same, with
//!   the wrapper left out (its statements run in our transaction).
//! - Files with statements that cannot run in a transaction (`CREATE INDEX
//!   CONCURRENTLY`, ...) or with other transaction control: golang-migrate's
//!   protocol, version set dirty (after the same re-read), then the
//!   statements one by one, then the version set clean. A failure leaves
//!   the database dirty at the target version, as golang-migrate would, and
//!   names the statement. Before the version is set clean, every index a
//!   `CREATE INDEX CONCURRENTLY` names must be valid.

use std::io::Write;
use std::time::{Duration, Instant};

use postgres::error::{ErrorPosition, SqlState};

use crate::db::{read_version, write_version, Db, DbError, DbVersion};
use crate::plan::Step;
use crate::session::describe_version;
use crate::sql::{char_pos_to_byte, FilePlan, IndexTarget, Mode, Stmt};

/// How each file runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// `x-statement-timeout`, milliseconds (0: none).
    pub statement_timeout_ms: u64,
    /// PostgreSQL's `lock_timeout` for a transactional file (`None`: the
    /// session's own).
    pub lock_timeout: Option<Duration>,
    pub verbose: bool,
}

/// Why a migration failed.
#[derive(Debug)]
pub struct Failure {
    /// Which statement (index into `FilePlan::statements`), if one failed.
    pub statement: Option<usize>,
    /// Byte offset in the file Postgres pointed at, if any.
    pub position: Option<usize>,
    pub error: DbError,
    /// What the failure did to the database.
    pub outcome: String,
    /// A transactional file that failed on a lock timeout and was rolled
    /// back: running it again may work.
    pub lock_timeout: bool,
    /// What the failure left behind, to say so.
    pub notes: Vec<String>,
    /// Statements to run before `force` (e.g. dropping an invalid index).
    pub repair: Vec<String>,
}

impl Failure {
    fn new(error: DbError, outcome: impl Into<String>) -> Failure {
        Failure {
            statement: None,
            position: None,
            error,
            outcome: outcome.into(),
            lock_timeout: false,
            notes: Vec::new(),
            repair: Vec::new(),
        }
    }
}

const ROLLED_BACK: &str = "the migration's transaction was rolled back: the database is as it was before (version unchanged, not dirty)";

/// Applies one step (a failure is rare and carries its report: not boxed). `plan` is `None` for a missing file (version only).
/// `expected` is the version the database must still hold.
#[allow(clippy::result_large_err)]
pub fn apply(
    db: &mut Db,
    step: &Step,
    plan: Option<&FilePlan>,
    expected: DbVersion,
    settings: Settings,
    out: &mut dyn Write,
) -> Result<Duration, Failure> {
    let started = Instant::now();
    let table = db.qualified_table();
    let timeout_ms = settings.statement_timeout_ms;
    let transactional = plan.is_none_or(|p| !matches!(p.mode, Mode::NoTransaction(_)));
    if transactional {
        let mut tx = db
            .client
            .transaction()
            .map_err(|e| pg_fail(None, None, e, "nothing changed"))?;
        let lock = format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE");
        tx.batch_execute(&lock)
            .map_err(|e| pg_fail(None, None, e, "nothing changed (rolled back)"))?;
        let now = read_version(&mut tx, &table).map_err(|e| Failure::new(e, ROLLED_BACK))?;
        if now != expected {
            return Err(moved(expected, now));
        }
        if timeout_ms > 0 {
            tx.batch_execute(&format!("SET LOCAL statement_timeout = {timeout_ms}"))
                .map_err(|e| pg_fail(None, None, e, ROLLED_BACK))?;
        }
        if let Some(lt) = settings.lock_timeout {
            tx.batch_execute(&format!("SET LOCAL lock_timeout = '{}ms'", lt.as_millis()))
                .map_err(|e| pg_fail(None, None, e, ROLLED_BACK))?;
        }
        if let Some(plan) = plan {
            for index in plan.to_send() {
                let stmt = &plan.statements[index];
                let text = plan.stmt_text(stmt);
                if settings.verbose {
                    let _ = writeln!(out, "  line {}: {}", stmt.line, one_line(text));
                }
                if let Err(e) = tx.batch_execute(text) {
                    let position = error_position(&e, stmt, text);
                    let lock_timeout = e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE);
                    drop(tx);
                    let mut f = pg_fail(Some(index), position, e, ROLLED_BACK);
                    f.lock_timeout = lock_timeout;
                    return Err(f);
                }
            }
        }
        write_version(&mut tx, &table, step.target, false)
            .map_err(|e| Failure::new(e, ROLLED_BACK))?;
        tx.commit().map_err(|e| {
            pg_fail(None, None, e, "the commit failed: the database is as it was before (version unchanged, not dirty)")
        })?;
        return Ok(started.elapsed());
    }

    let plan = plan.expect("non-transactional mode comes from a plan");
    match db.set_version_if(expected, step.target, true) {
        Ok(None) => {}
        Ok(Some(now)) => return Err(moved(expected, now)),
        Err(e) => return Err(Failure::new(e, "nothing changed")),
    }
    if timeout_ms > 0 {
        if let Err(e) = db
            .client
            .batch_execute(&format!("SET statement_timeout = {timeout_ms}"))
        {
            return Err(pg_fail(None, None, e, &dirty_outcome(step.target)));
        }
    }
    for (index, stmt) in plan.statements.iter().enumerate() {
        let text = plan.stmt_text(stmt);
        if settings.verbose {
            let _ = writeln!(out, "  line {}: {}", stmt.line, one_line(text));
        }
        if let Err(e) = db.client.batch_execute(text) {
            let position = error_position(&e, stmt, text);
            // Leave no transaction of the file's own open (it is aborted).
            let _ = db.client.batch_execute("ROLLBACK");
            let mut outcome = dirty_outcome(step.target);
            if index > 0 {
                outcome.push_str(&format!(
                    "; the {} statement(s) before it ran and were not undone",
                    index
                ));
            }
            let mut f = pg_fail(Some(index), position, e, &outcome);
            if let Some(target) = &stmt.concurrent_index {
                left_invalid(db, target, &mut f);
            }
            return Err(f);
        }
    }
    if timeout_ms > 0 {
        let _ = db.client.batch_execute("RESET statement_timeout");
    }
    // A CONCURRENTLY build that "succeeded" by keeping an invalid index
    // (`IF NOT EXISTS` over the remains of an earlier failed build) is not
    // applied.
    for (index, stmt) in plan.statements.iter().enumerate() {
        let Some(target) = &stmt.concurrent_index else {
            continue;
        };
        let Some(name) = &target.name else { continue };
        match invalid_indexes(db, target) {
            Ok(invalid) if !invalid.is_empty() => {
                let shown = invalid.join(", ");
                let mut f = Failure::new(
                    DbError::msg(format!(
                        "index {shown} is INVALID after this file ran{}: PostgreSQL does not use an invalid index for queries but still maintains it on every write",
                        if target.if_not_exists {
                            format!(" (CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} kept the invalid index an earlier failed build left, instead of building it)")
                        } else {
                            String::new()
                        }
                    )),
                    dirty_outcome(step.target),
                );
                f.statement = Some(index);
                f.repair = invalid
                    .iter()
                    .map(|i| format!("DROP INDEX CONCURRENTLY IF EXISTS {i};"))
                    .collect();
                return Err(f);
            }
            Ok(_) => {}
            Err(e) => return Err(Failure::new(e, dirty_outcome(step.target))),
        }
    }
    db.set_version(step.target, false)
        .map_err(|e| Failure::new(e, dirty_outcome(step.target)))?;
    Ok(started.elapsed())
}

/// The database's version is not the one this run planned from.
fn moved(expected: DbVersion, now: DbVersion) -> Failure {
    Failure::new(
        DbError::msg(format!(
            "the database moved to {} while this run expected {} (another migrate run changed it: one without the advisory lock, x-no-lock?)",
            describe_version(now),
            describe_version(expected)
        )),
        "this migration was not applied; nothing changed",
    )
}

/// Invalid indexes a failed `CREATE INDEX CONCURRENTLY` may have left: the
/// one it names, or (unnamed) every invalid index of its table.
fn left_invalid(db: &mut Db, target: &IndexTarget, f: &mut Failure) {
    let Ok(invalid) = invalid_indexes(db, target) else {
        return;
    };
    if invalid.is_empty() {
        return;
    }
    f.notes.push(format!(
        "the failed CREATE INDEX CONCURRENTLY left {} INVALID: PostgreSQL does not use it for queries but still maintains it on every write, and CREATE INDEX CONCURRENTLY IF NOT EXISTS would keep it; drop it before running the migration again",
        invalid.join(", ")
    ));
    f.repair = invalid
        .iter()
        .map(|i| format!("DROP INDEX CONCURRENTLY IF EXISTS {i};"))
        .collect();
}

/// `pg_index.indisvalid = false` indexes of the target (as `regclass`
/// text: quoted, schema-qualified when not on the search path).
pub fn invalid_indexes(db: &mut Db, target: &IndexTarget) -> Result<Vec<String>, DbError> {
    let q = "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = to_regclass($1::text) AND NOT i.indisvalid \
             AND ($2::text IS NULL OR c.relname = $2::text) ORDER BY 1";
    let rows = db
        .client
        .query(q, &[&target.table, &target.name])
        .map_err(|source| DbError {
            context: "checking the index is valid (pg_index.indisvalid)".into(),
            source: Some(source),
        })?;
    Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
}

fn dirty_outcome(target: i64) -> String {
    format!(
        "the file ran outside a transaction (golang-migrate's protocol): the database is left at version {target}, dirty"
    )
}

fn pg_fail(
    statement: Option<usize>,
    position: Option<usize>,
    error: postgres::Error,
    outcome: &str,
) -> Failure {
    let mut f = Failure::new(
        DbError {
            context: String::new(),
            source: Some(error),
        },
        outcome,
    );
    f.statement = statement;
    f.position = position;
    f
}

/// The byte offset in the file that Postgres' error position points at.
fn error_position(e: &postgres::Error, stmt: &Stmt, text: &str) -> Option<usize> {
    match e.as_db_error()?.position()? {
        ErrorPosition::Original(pos) => Some(stmt.start + char_pos_to_byte(text, *pos as usize)),
        ErrorPosition::Internal { .. } => None,
    }
}

/// The first line of a statement, shortened.
pub fn one_line(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim_end();
    let more = text.lines().nth(1).is_some();
    let mut s: String = first.chars().take(100).collect();
    if more || first.chars().count() > 100 {
        s.push_str(" ...");
    }
    s
}
