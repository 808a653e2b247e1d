//! Applying one migration file.
//!
//! - Transactional files (the default): `BEGIN`, the statements one by one,
//!   the version change (`TRUNCATE` + `INSERT (target, false)`), `COMMIT`. A
//!   failure rolls everything back: version unchanged, not dirty.
//! - Files wrapped in their own `BEGIN; ... COMMIT;`/`END;`: the same, with
//!   the wrapper left out (its statements run in our transaction).
//! - Files with statements that cannot run in a transaction (`CREATE INDEX
//!   CONCURRENTLY`, ...) or with other transaction control: golang-migrate's
//!   protocol, version set dirty, then the statements one by one, then the
//!   version set clean. A failure leaves the database dirty at the target
//!   version, as golang-migrate would, and names the statement.

use std::io::Write;
use std::time::{Duration, Instant};

use postgres::error::ErrorPosition;

use crate::db::{write_version, Db, DbError};
use crate::plan::Step;
use crate::sql::{char_pos_to_byte, FilePlan, Mode, Stmt};

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
}

/// Applies one step. `plan` is `None` for a missing file (version only).
pub fn apply(
    db: &mut Db,
    step: &Step,
    plan: Option<&FilePlan>,
    verbose: bool,
    out: &mut dyn Write,
) -> Result<Duration, Failure> {
    let started = Instant::now();
    let table = db.qualified_table();
    let timeout_ms = db.url.statement_timeout_ms;
    let transactional = plan.is_none_or(|p| !matches!(p.mode, Mode::NoTransaction(_)));
    if transactional {
        let mut tx = db
            .client
            .transaction()
            .map_err(|e| fail(None, None, e, "nothing changed"))?;
        if timeout_ms > 0 {
            tx.batch_execute(&format!("SET LOCAL statement_timeout = {timeout_ms}"))
                .map_err(|e| fail(None, None, e, "nothing changed (rolled back)"))?;
        }
        if let Some(plan) = plan {
            for index in plan.to_send() {
                let stmt = &plan.statements[index];
                let text = plan.stmt_text(stmt);
                if verbose {
                    let _ = writeln!(out, "  line {}: {}", stmt.line, one_line(text));
                }
                if let Err(e) = tx.batch_execute(text) {
                    let position = error_position(&e, stmt, text);
                    drop(tx);
                    return Err(fail(
                        Some(index),
                        position,
                        e,
                        "the migration's transaction was rolled back: the database is as it was before (version unchanged, not dirty)",
                    ));
                }
            }
        }
        write_version(&mut tx, &table, step.target, false).map_err(|e| Failure {
            statement: None,
            position: None,
            error: e,
            outcome: "the migration's transaction was rolled back: the database is as it was before (version unchanged, not dirty)".into(),
        })?;
        tx.commit().map_err(|e| {
            fail(None, None, e, "the commit failed: the database is as it was before (version unchanged, not dirty)")
        })?;
        return Ok(started.elapsed());
    }

    let plan = plan.expect("non-transactional mode comes from a plan");
    db.set_version(step.target, true).map_err(|e| Failure {
        statement: None,
        position: None,
        error: e,
        outcome: "nothing changed".into(),
    })?;
    if timeout_ms > 0 {
        if let Err(e) = db
            .client
            .batch_execute(&format!("SET statement_timeout = {timeout_ms}"))
        {
            return Err(fail(None, None, e, &dirty_outcome(step.target)));
        }
    }
    for (index, stmt) in plan.statements.iter().enumerate() {
        let text = plan.stmt_text(stmt);
        if verbose {
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
            return Err(fail(Some(index), position, e, &outcome));
        }
    }
    if timeout_ms > 0 {
        let _ = db.client.batch_execute("RESET statement_timeout");
    }
    db.set_version(step.target, false).map_err(|e| Failure {
        statement: None,
        position: None,
        error: e,
        outcome: dirty_outcome(step.target),
    })?;
    Ok(started.elapsed())
}

fn dirty_outcome(target: i64) -> String {
    format!(
        "the file ran outside a transaction (golang-migrate's protocol): the database is left at version {target}, dirty"
    )
}

fn fail(
    statement: Option<usize>,
    position: Option<usize>,
    error: postgres::Error,
    outcome: &str,
) -> Failure {
    Failure {
        statement,
        position,
        error: DbError {
            context: String::new(),
            source: Some(error),
        },
        outcome: outcome.to_string(),
    }
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
