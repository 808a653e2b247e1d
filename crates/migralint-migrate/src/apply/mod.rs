//! Applying migrations: the steps of `up`, `down` and `goto`, planned in
//! full, read and linted before anything runs, then applied one file at a
//! time ([`file::apply`]) under golang-migrate's lock, with retries of a
//! file that met a lock timeout, and Ctrl-C handled between and (a second
//! time) inside files.

use std::time::Duration;

use migralint_core::migration::Direction;

use crate::args::{GateArgs, MigrateArgs};
use crate::db::{Db, DbVersion};
use crate::dburl::DbUrl;
use crate::interrupt;
use crate::io::{Io, MigrateContext, EXIT_FAILED};
use crate::plan::{self, PlanError, Step};
use crate::session::{
    connect, database_url, db_error, describe_version, failed, force_hint, format_duration, lock,
    migrations_dir, read_migrations, Stop,
};
use crate::source::Migrations;
use crate::sql::{plan_file, FilePlan, Mode};

pub mod file;
mod gate;
mod report;

/// PostgreSQL's `lock_timeout` for a transactional file when neither the
/// command line nor the URL sets one.
pub const DEFAULT_PG_LOCK_TIMEOUT: Duration = Duration::from_secs(10);
/// Retries of a transactional file after a lock timeout, by default.
pub const DEFAULT_LOCK_RETRIES: u32 = 3;
/// The first pause before a retry; it doubles each time, up to
/// [`MAX_RETRY_PAUSE`].
pub const FIRST_RETRY_PAUSE: Duration = Duration::from_secs(1);
pub const MAX_RETRY_PAUSE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
pub enum Request {
    Up(Option<u64>),
    Down(Option<u64>),
    Goto(u64),
}

/// A step with its file read and planned.
struct Prepared {
    step: Step,
    plan: Option<FilePlan>,
}

/// Runs the steps of a request, holding golang-migrate's lock (not for a
/// dry run).
pub fn run_steps(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    request: Request,
    gate: &GateArgs,
) -> Result<(), Stop> {
    let dir = migrations_dir(args, cx)?;
    let migrations = read_migrations(&dir)?;
    let url = database_url(args, io)?;
    let mut db = connect(&url)?;
    if !gate.dry_run {
        lock(&mut db, args)?;
        if let Err(e) = db.ensure_table() {
            let _ = db.unlock();
            return Err(db_error(e));
        }
    }
    let result = run_locked(args, cx, io, request, gate, &migrations, &url, &mut db);
    if !gate.dry_run {
        if let Err(e) = db.unlock() {
            let _ = writeln!(io.err, "warning: {e}");
        }
    }
    result
}

/// PostgreSQL's `lock_timeout` for transactional files: the command line's,
/// the URL's `x-lock-timeout`, none of ours when the URL sets the session's
/// own `lock_timeout`, else [`DEFAULT_PG_LOCK_TIMEOUT`].
pub fn pg_lock_timeout(args: &MigrateArgs, url: &DbUrl) -> Option<Duration> {
    args.pg_lock_timeout.or(url.lock_timeout).or_else(|| {
        if url.sets_lock_timeout() {
            None
        } else {
            Some(DEFAULT_PG_LOCK_TIMEOUT)
        }
    })
}

#[allow(clippy::too_many_arguments)]
fn run_locked(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    request: Request,
    gate: &GateArgs,
    migrations: &Migrations,
    url: &DbUrl,
    db: &mut Db,
) -> Result<(), Stop> {
    let current = db.version().map_err(db_error)?;
    if current.dirty {
        return Err(failed(force_hint(
            args,
            url,
            Some(migrations),
            current,
            &[],
        )));
    }
    let planned = match request {
        Request::Up(n) => plan::up(migrations, current.version, n),
        Request::Down(n) => plan::down(migrations, current.version, n),
        Request::Goto(v) => plan::goto(migrations, current.version, v),
    };
    let steps = match planned {
        Ok(steps) => steps,
        Err(PlanError::NoChange) => {
            let _ = writeln!(
                io.out,
                "no change: database at {}",
                describe_version(current)
            );
            return Ok(());
        }
        Err(PlanError::Other(msg)) => return Err(failed(msg)),
    };

    // Refuse before anything runs: a down step without its file, unless
    // asked to pass it as golang-migrate does.
    if !gate.allow_missing_down {
        let missing: Vec<String> = steps
            .iter()
            .filter(|s| s.direction == Direction::Down && s.file.is_none())
            .map(|s| {
                let m = migrations.get(s.version);
                format!(
                    "{}_{}.down.sql",
                    m.map_or(s.version.to_string(), |m| m.version_text().to_string()),
                    m.map_or("", |m| m.title())
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(failed(format!(
                "refusing to roll back: no down file for {} (looked in {}); nothing was run.\n\
                 Add the file(s), or pass --allow-missing-down to pass those versions without running SQL, as golang-migrate does",
                missing.join(", "),
                migrations.dir.display()
            )));
        }
    }

    let pg_major = db.server_major();
    let mut prepared = Vec::new();
    for step in steps {
        let plan = match &step.file {
            None => None,
            Some(f) => {
                let text = f.read_text().map_err(|e| failed(e.0))?;
                Some(plan_file(&f.path.display().to_string(), &text, pg_major))
            }
        };
        prepared.push(Prepared { step, plan });
    }

    if !gate.no_lint {
        gate::lint_gate(cx, io, migrations, &prepared, &gate.allow)?;
    }

    if gate.dry_run {
        report::print_dry_run(io, current, &prepared);
        return Ok(());
    }

    let settings = file::Settings {
        statement_timeout_ms: url.statement_timeout_ms,
        lock_timeout: pg_lock_timeout(args, url),
        verbose: args.verbose,
    };
    let retries = args
        .lock_retries
        .or(url.lock_retries)
        .unwrap_or(DEFAULT_LOCK_RETRIES);
    let total = prepared.len();
    interrupt::arm();
    let _cancel = interrupt::CancelOnSecond::new(db.canceller());
    let mut expected = current;
    for (i, p) in prepared.iter().enumerate() {
        if interrupt::stop_requested() {
            let now = db.version().map_err(db_error)?;
            return Err(failed(format!(
                "stopped on request (Ctrl-C) after {i} of {total} migration(s); database at {}",
                describe_version(now)
            )));
        }
        let step = &p.step;
        let name = step.file.as_ref().map_or_else(
            || format!("{} (no {} file)", step.version, step.direction.as_str()),
            |f| f.file_name.clone(),
        );
        if args.verbose {
            let _ = writeln!(io.out, "{} [{}/{}] ...", name, i + 1, total);
        }
        let mut attempt = 0;
        let outcome = loop {
            match file::apply(db, step, p.plan.as_ref(), expected, settings, io.out) {
                Err(f) if f.lock_timeout && attempt < retries && !interrupt::stop_requested() => {
                    attempt += 1;
                    let pause = retry_pause(attempt);
                    let stmt = p
                        .plan
                        .as_ref()
                        .zip(f.statement)
                        .map(|(plan, s)| format!(" at line {}", plan.statements[s].line))
                        .unwrap_or_default();
                    let _ = writeln!(
                        io.err,
                        "lock timeout{stmt} in {name} (lock_timeout {}; rolled back, nothing changed): retry {attempt} of {retries} in {}",
                        format_duration(settings.lock_timeout.unwrap_or_default()),
                        format_duration(pause)
                    );
                    let _ = io.err.flush();
                    interrupt::sleep(pause);
                    if interrupt::stop_requested() {
                        break Err(f);
                    }
                }
                other => break other,
            }
        };
        match outcome {
            Ok(elapsed) => {
                expected = DbVersion {
                    version: step.target,
                    dirty: false,
                };
                let how = match p.plan.as_ref().map(|p| &p.mode) {
                    Some(Mode::NoTransaction(why)) => format!(", no transaction: {why}"),
                    _ => String::new(),
                };
                let retried = if attempt > 0 {
                    format!(", after {attempt} retry(ies)")
                } else {
                    String::new()
                };
                let _ = writeln!(
                    io.out,
                    "{} {} {} ({}{}{})",
                    if step.direction == Direction::Up {
                        "applied"
                    } else {
                        "rolled back"
                    },
                    version_label(migrations, step.version),
                    if step.file.is_some() {
                        name
                    } else {
                        format!("(no {} file: version only)", step.direction.as_str())
                    },
                    format_duration(elapsed),
                    how,
                    retried
                );
                let _ = io.out.flush();
            }
            Err(mut failure) => {
                let _ = io.out.flush();
                if failure.lock_timeout && attempt > 0 {
                    failure
                        .notes
                        .push(format!("gave up after {attempt} retry(ies)"));
                }
                if interrupt::interrupted() {
                    failure.notes.insert(
                        0,
                        "interrupted (second Ctrl-C): the running statement was cancelled on the server".into(),
                    );
                }
                report::report_failure(io, step, p.plan.as_ref(), &failure);
                if let Ok(v) = db.version() {
                    let _ = writeln!(io.err, "database now at {}", describe_version(v));
                    if v.dirty {
                        let _ = writeln!(
                            io.err,
                            "{}",
                            force_hint(args, url, Some(migrations), v, &failure.repair)
                        );
                    }
                }
                let _ = writeln!(
                    io.err,
                    "{i} of {total} migration(s) completed before this failure"
                );
                return Err(Stop {
                    code: EXIT_FAILED,
                    message: String::new(),
                });
            }
        }
    }
    let now = db.version().map_err(db_error)?;
    let _ = writeln!(io.out, "done: database at {}", describe_version(now));
    Ok(())
}

/// The pause before retry `n` (1-based): 1s, 2s, 4s, ... up to 30s.
pub fn retry_pause(n: u32) -> Duration {
    let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
    FIRST_RETRY_PAUSE
        .checked_mul(factor)
        .unwrap_or(MAX_RETRY_PAUSE)
        .min(MAX_RETRY_PAUSE)
}

fn version_label(m: &Migrations, v: u64) -> String {
    m.get(v)
        .map_or(v.to_string(), |x| x.version_text().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_pauses_double_up_to_a_bound() {
        assert_eq!(retry_pause(1), Duration::from_secs(1));
        assert_eq!(retry_pause(2), Duration::from_secs(2));
        assert_eq!(retry_pause(3), Duration::from_secs(4));
        assert_eq!(retry_pause(6), Duration::from_secs(30));
        assert_eq!(retry_pause(40), Duration::from_secs(30));
    }
}
