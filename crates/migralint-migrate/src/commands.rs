//! The commands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use migralint_core::{lint, LintOptions, Severity, SourceFile};

use crate::db::{describe_pg_error, Db, DbVersion, NIL_VERSION};
use crate::dburl::DbUrl;
use crate::exec::{self, Failure};
use crate::plan::{self, PlanError, Step};
use crate::source::{Direction, Migrations};
use crate::sql::{plan_file, FilePlan, Mode};
use crate::{
    GateArgs, Io, MigrateArgs, MigrateCommand, MigrateContext, EXIT_ERROR, EXIT_FAILED, EXIT_OK,
};

/// A command's end: exit code, message already printed or to print.
pub(crate) struct Stop {
    pub code: u8,
    pub message: String,
}

pub(crate) fn error(message: impl Into<String>) -> Stop {
    Stop {
        code: EXIT_ERROR,
        message: message.into(),
    }
}

pub(crate) fn failed(message: impl Into<String>) -> Stop {
    Stop {
        code: EXIT_FAILED,
        message: message.into(),
    }
}

pub fn dispatch(args: MigrateArgs, cx: &MigrateContext, io: &mut Io<'_>) -> u8 {
    let result = match &args.command {
        MigrateCommand::Up { n, gate } => {
            run_steps(&args, cx, io, Request::Up(*n), gate.clone(), gate.dry_run)
        }
        MigrateCommand::Down {
            n,
            all,
            yes,
            dry_run,
        } => {
            if n.is_none() && !*all {
                Err(error(
                    "down needs N (how many migrations to roll back) or --all; nothing was done",
                ))
            } else if *all
                && !*yes
                && !*dry_run
                && io.interactive
                && !(io.confirm)("Are you sure you want to apply all down migrations?")
            {
                Err(failed("aborted: nothing was done"))
            } else {
                let gate = GateArgs {
                    no_lint: true,
                    allow: Vec::new(),
                    dry_run: *dry_run,
                };
                run_steps(
                    &args,
                    cx,
                    io,
                    Request::Down(if *all { None } else { *n }),
                    gate,
                    *dry_run,
                )
            }
        }
        MigrateCommand::Goto { version, gate } => run_steps(
            &args,
            cx,
            io,
            Request::Goto(*version),
            gate.clone(),
            gate.dry_run,
        ),
        MigrateCommand::Force { version } => force(&args, cx, io, *version),
        MigrateCommand::Version => version(&args, cx, io),
        MigrateCommand::Status => crate::status::status(&args, cx, io),
        MigrateCommand::Drop { yes } => drop_all(&args, io, *yes),
        MigrateCommand::Create {
            name,
            timestamp,
            ext,
            digits,
        } => crate::create::create(&args, cx, io, name, *timestamp, ext, *digits),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(stop) => {
            if !stop.message.is_empty() {
                let _ = writeln!(io.err, "error: {}", stop.message);
            }
            stop.code
        }
    }
}

pub(crate) fn migrations_dir(args: &MigrateArgs, cx: &MigrateContext) -> Result<PathBuf, Stop> {
    args.path.clone().or_else(|| cx.default_path.clone()).ok_or_else(|| {
        error("no migrations directory: pass --path DIR or set `migrations = \"DIR\"` in migralint.toml")
    })
}

pub(crate) fn read_migrations(dir: &Path) -> Result<Migrations, Stop> {
    Migrations::read(dir).map_err(|e| error(e.0))
}

pub(crate) fn database_url(args: &MigrateArgs, io: &mut Io<'_>) -> Result<DbUrl, Stop> {
    let raw = args
        .database
        .clone()
        .or_else(|| io.database_url_env.clone())
        .ok_or_else(|| error("no database: pass --database URL or set DATABASE_URL"))?;
    let url = DbUrl::parse(&raw).map_err(|e| error(format!("bad database URL: {e}")))?;
    for p in &url.unknown_x_params {
        let _ = writeln!(io.err, "warning: ignoring unknown URL parameter {p}");
    }
    Ok(url)
}

pub(crate) fn connect(url: &DbUrl) -> Result<Db, Stop> {
    Db::connect(url).map_err(|e| error(format!("{e}\nnothing was changed")))
}

pub(crate) fn lock(db: &mut Db, args: &MigrateArgs) -> Result<(), Stop> {
    db.lock(Duration::from_secs(args.lock_timeout))
        .map_err(|e| error(e.to_string()))
}

fn db_error(e: crate::db::DbError) -> Stop {
    error(e.to_string())
}

/// The exact `force` command(s) that clear a dirty version.
pub(crate) fn force_hint(
    args: &MigrateArgs,
    url: &DbUrl,
    m: Option<&Migrations>,
    v: DbVersion,
) -> String {
    let mut cmd = String::from("migralint migrate");
    if let Some(p) = &args.path {
        cmd.push_str(&format!(
            " --path {}",
            shell_quote(&p.display().to_string())
        ));
    }
    if args.database.is_some() {
        cmd.push_str(&format!(" --database {}", shell_quote(&url.redacted)));
    }
    let prev = match m {
        Some(m) if v.version >= 0 => m.prev(v.version as u64).map_or(NIL_VERSION, |p| p as i64),
        _ => NIL_VERSION,
    };
    format!(
        "the database is dirty at version {ver}: a migration failed partway and may be half applied.\n\
         Inspect the database and finish or undo that migration by hand, then clear the flag:\n  \
         {cmd} force {ver}    # if version {ver} is now fully applied\n  \
         {cmd} force {prev}    # if you undid it (back to the version before)",
        ver = v.version
    )
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:@=,+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[derive(Debug, Clone, Copy)]
enum Request {
    Up(Option<u64>),
    Down(Option<u64>),
    Goto(u64),
}

/// A step with its file read and planned.
struct Prepared {
    step: Step,
    plan: Option<FilePlan>,
}

fn run_steps(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    request: Request,
    gate: GateArgs,
    dry_run: bool,
) -> Result<(), Stop> {
    let dir = migrations_dir(args, cx)?;
    let migrations = read_migrations(&dir)?;
    let url = database_url(args, io)?;
    let mut db = connect(&url)?;
    if !dry_run {
        lock(&mut db, args)?;
        if let Err(e) = db.ensure_table() {
            let _ = db.unlock();
            return Err(db_error(e));
        }
    }
    let result = run_steps_locked(
        args,
        cx,
        io,
        request,
        gate,
        dry_run,
        &migrations,
        &url,
        &mut db,
    );
    if !dry_run {
        if let Err(e) = db.unlock() {
            let _ = writeln!(io.err, "warning: {e}");
        }
    }
    result
}

#[allow(clippy::too_many_arguments)]
fn run_steps_locked(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    request: Request,
    gate: GateArgs,
    dry_run: bool,
    migrations: &Migrations,
    url: &DbUrl,
    db: &mut Db,
) -> Result<(), Stop> {
    let current = db.version().map_err(db_error)?;
    if current.dirty {
        return Err(failed(force_hint(args, url, Some(migrations), current)));
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

    // Refuse before anything runs: a down step without its file.
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
            "refusing to roll back: no down file for {} (looked in {}); nothing was run",
            missing.join(", "),
            migrations.dir.display()
        )));
    }

    let pg_major = db.server_major();
    let mut prepared = Vec::new();
    for step in steps {
        let plan = match &step.file {
            None => None,
            Some(f) => {
                let bytes = std::fs::read(&f.path)
                    .map_err(|e| error(format!("cannot read {}: {e}", f.path.display())))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    error(format!(
                        "{} is not valid UTF-8; migrations must be UTF-8 text",
                        f.path.display()
                    ))
                })?;
                Some(plan_file(&f.path.display().to_string(), &text, pg_major))
            }
        };
        prepared.push(Prepared { step, plan });
    }

    if !gate.no_lint {
        lint_gate(cx, io, migrations, &prepared, &gate.allow)?;
    }

    if dry_run {
        print_dry_run(io, current, &prepared);
        return Ok(());
    }

    let total = prepared.len();
    crate::interrupt::arm();
    for (i, p) in prepared.iter().enumerate() {
        if crate::interrupt::stop_requested() {
            let now = db.version().map_err(db_error)?;
            return Err(failed(format!(
                "stopped on request after {i} of {total} migration(s); database at {}",
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
        match exec::apply(db, step, p.plan.as_ref(), args.verbose, io.out) {
            Ok(elapsed) => {
                let how = match p.plan.as_ref().map(|p| &p.mode) {
                    Some(Mode::NoTransaction(why)) => format!(", no transaction: {why}"),
                    _ => String::new(),
                };
                let _ = writeln!(
                    io.out,
                    "{} {} {} ({}{})",
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
                    how
                );
                let _ = io.out.flush();
            }
            Err(failure) => {
                let _ = io.out.flush();
                report_failure(io, step, p.plan.as_ref(), &failure);
                let after = db.version().ok();
                if let Some(v) = after {
                    let _ = writeln!(io.err, "database now at {}", describe_version(v));
                    if v.dirty {
                        let _ = writeln!(io.err, "{}", force_hint(args, url, Some(migrations), v));
                    }
                }
                let done = i;
                let _ = writeln!(
                    io.err,
                    "{done} of {total} migration(s) completed before this failure"
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

fn version_label(m: &Migrations, v: u64) -> String {
    m.get(v)
        .map_or(v.to_string(), |x| x.version_text().to_string())
}

pub(crate) fn describe_version(v: DbVersion) -> String {
    match (v.version, v.dirty) {
        (NIL_VERSION, false) => "no version (no migration applied)".to_string(),
        (ver, false) => format!("version {ver}"),
        (ver, true) => format!("version {ver} (dirty)"),
    }
}

pub(crate) fn format_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.1}ms")
    } else {
        format!("{:.2}s", ms / 1000.0)
    }
}

fn lint_gate(
    cx: &MigrateContext,
    io: &mut Io<'_>,
    migrations: &Migrations,
    prepared: &[Prepared],
    allow: &[String],
) -> Result<(), Stop> {
    for rule in allow {
        if migralint_core::rules::find(rule).is_none() {
            return Err(error(format!("--allow {rule}: no such rule")));
        }
    }
    let pending: Vec<String> = prepared
        .iter()
        .filter(|p| p.step.direction == Direction::Up)
        .filter_map(|p| p.step.file.as_ref().map(|f| f.path.display().to_string()))
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    // Every file of the directory is context (schema replay, pairing); only
    // the pending ones are reported on.
    let mut files = Vec::new();
    for m in migrations.by_version.values() {
        for f in [&m.up, &m.down].into_iter().flatten() {
            let bytes = std::fs::read(&f.path)
                .map_err(|e| error(format!("cannot read {}: {e}", f.path.display())))?;
            files.push(SourceFile::from_bytes(f.path.display().to_string(), bytes));
        }
    }
    let options = LintOptions {
        config: cx.config.clone(),
        report_only: Some(pending.clone()),
    };
    let mut report = lint(&files, &options);
    report.diagnostics.retain(|d| pending.contains(&d.file));
    let blocking = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && !allow.iter().any(|a| a == d.rule))
        .count();
    if report.diagnostics.is_empty() {
        return Ok(());
    }
    let _ = write!(io.err, "{}", migralint_core::render::compact(&report));
    if blocking > 0 {
        return Err(failed(format!(
            "lint found {blocking} error(s) in {} pending file(s); nothing was applied.\n\
             Fix them, allow a rule with --allow RULE, or skip the check with --no-lint",
            pending.len()
        )));
    }
    let _ = writeln!(
        io.err,
        "lint: {} warning(s), {} allowed error(s); applying",
        report.warnings(),
        report.errors()
    );
    Ok(())
}

fn print_dry_run(io: &mut Io<'_>, current: DbVersion, prepared: &[Prepared]) {
    let _ = writeln!(
        io.out,
        "dry run: database at {}; nothing will be changed",
        describe_version(current)
    );
    for p in prepared {
        let step = &p.step;
        let target = if step.target == NIL_VERSION {
            "no version".to_string()
        } else {
            format!("version {}", step.target)
        };
        let Some(file) = &step.file else {
            let _ = writeln!(
                io.out,
                "\n{} {}: no file, version only -> {target}",
                step.direction.as_str(),
                step.version
            );
            continue;
        };
        let plan = p.plan.as_ref().expect("a file has a plan");
        let how = match &plan.mode {
            Mode::Transaction => "in one transaction with the version change".to_string(),
            Mode::TransactionUnwrapped => {
                "in one transaction with the version change (the file's own BEGIN/COMMIT left out)"
                    .to_string()
            }
            Mode::NoTransaction(why) => format!(
                "statement by statement, no transaction ({why}); version marked dirty first"
            ),
        };
        let _ = writeln!(
            io.out,
            "\n{} {} -> {target}, {how}",
            step.direction.as_str(),
            file.path.display()
        );
        if plan.sent_whole {
            let _ = writeln!(
                io.out,
                "  (the file does not parse here; it is sent whole and PostgreSQL will judge it)"
            );
        }
        let send = plan.to_send();
        if send.is_empty() {
            let _ = writeln!(io.out, "  (no statements)");
        }
        for i in send {
            let s = &plan.statements[i];
            let _ = writeln!(
                io.out,
                "  line {}: {}",
                s.line,
                exec::one_line(plan.stmt_text(s))
            );
            if s.locks.is_empty() {
                let _ = writeln!(io.out, "      lock: none on tables");
            }
            for l in &s.locks {
                let _ = writeln!(io.out, "      lock: {l}");
            }
        }
    }
}

/// Prints a failed migration: file, line, Postgres' message, SQLSTATE,
/// detail, hint, context, and the line with a caret.
fn report_failure(io: &mut Io<'_>, step: &Step, plan: Option<&FilePlan>, f: &Failure) {
    let file = step.file.as_ref();
    let file_label = file.map_or_else(
        || format!("version {}", step.version),
        |f| f.path.display().to_string(),
    );
    let stmt = plan.and_then(|p| f.statement.map(|i| &p.statements[i]));
    let (line, col) = match (plan, f.position, stmt) {
        (Some(p), Some(pos), _) => p.parsed.line_col(pos),
        (_, _, Some(s)) => (s.line, s.column),
        _ => (0, 0),
    };
    let err = &mut io.err;
    if line > 0 {
        let _ = writeln!(
            err,
            "error: migration {file_label} failed at line {line}, column {col}"
        );
    } else {
        let _ = writeln!(err, "error: migration {file_label} failed");
    }
    if let Some(pg) = &f.error.source {
        if let Some(db) = pg.as_db_error() {
            let _ = writeln!(err, "  postgres: {}: {}", db.severity(), db.message());
            let _ = writeln!(err, "  sqlstate: {}", db.code().code());
            if let Some(d) = db.detail() {
                let _ = writeln!(err, "  detail: {d}");
            }
            if let Some(h) = db.hint() {
                let _ = writeln!(err, "  hint: {h}");
            }
            if let Some(w) = db.where_() {
                let _ = writeln!(err, "  context: {}", w.replace('\n', "\n           "));
            }
            if let Some(extra) = extension_note(db, plan, stmt) {
                let _ = writeln!(err, "  note: {extra}");
            }
        } else {
            let _ = writeln!(err, "  {}", describe_pg_error(pg));
        }
    } else {
        let _ = writeln!(err, "  {}", f.error);
    }
    if !f.error.context.is_empty() && f.error.source.is_some() {
        let _ = writeln!(err, "  while running: {}", f.error.context);
    }
    if let (Some(p), true) = (plan, line > 0) {
        let text = p.text();
        let line_text = text.lines().nth(line - 1).unwrap_or("");
        let gutter = line.to_string().len();
        let _ = writeln!(err, "  {:>gutter$}--> {}:{line}:{col}", "", file_label);
        let _ = writeln!(err, "  {:>gutter$} |", "");
        let _ = writeln!(err, "  {line} | {line_text}");
        if f.position.is_some() {
            let pad: String = line_text
                .chars()
                .take(col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(err, "  {:>gutter$} | {pad}^", "");
        }
    }
    let _ = writeln!(err, "  {}", f.outcome);
}

/// A clearer word when a `CREATE EXTENSION` fails because the extension is
/// not installed on the server.
fn extension_note(
    db: &postgres::error::DbError,
    plan: Option<&FilePlan>,
    stmt: Option<&crate::sql::Stmt>,
) -> Option<String> {
    let (plan, stmt) = (plan?, stmt?);
    let text = plan.stmt_text(stmt);
    let upper = text.to_uppercase();
    if !upper.trim_start().starts_with("CREATE EXTENSION") {
        return None;
    }
    let code = db.code().code();
    if code != "58P01" && code != "0A000" && code != "42704" {
        return None;
    }
    let name = text
        .split_whitespace()
        .skip(2)
        .find(|w| !["IF", "NOT", "EXISTS"].contains(&w.to_uppercase().as_str()))?
        .trim_end_matches(';')
        .trim_matches('"');
    Some(format!(
        "the extension \"{name}\" is not installed on this PostgreSQL server: install its package on the server, or skip this migration"
    ))
}

fn force(args: &MigrateArgs, _cx: &MigrateContext, io: &mut Io<'_>, v: i64) -> Result<(), Stop> {
    if v < NIL_VERSION {
        return Err(error("force V: V must be >= -1"));
    }
    let url = database_url(args, io)?;
    let mut db = connect(&url)?;
    lock(&mut db, args)?;
    let result = (|| {
        db.ensure_table().map_err(db_error)?;
        let before = db.version().map_err(db_error)?;
        db.set_version(v, false).map_err(db_error)?;
        let _ = writeln!(
            io.out,
            "forced: database at {} (was {}); no migration was run",
            describe_version(DbVersion {
                version: v,
                dirty: false
            }),
            describe_version(before)
        );
        Ok(())
    })();
    let _ = db.unlock();
    if result.is_ok() && v >= 0 {
        if let Some(dir) = args.path.clone().or_else(|| _cx.default_path.clone()) {
            if let Ok(m) = Migrations::read(&dir) {
                if !m.contains(v as u64) {
                    let _ = writeln!(
                        io.err,
                        "warning: version {v} has no file in {}",
                        dir.display()
                    );
                }
            }
        }
    }
    result
}

fn version(args: &MigrateArgs, _cx: &MigrateContext, io: &mut Io<'_>) -> Result<(), Stop> {
    let url = database_url(args, io)?;
    let mut db = connect(&url)?;
    let v = db.version().map_err(db_error)?;
    match (v.version, v.dirty) {
        (NIL_VERSION, false) => {
            let _ = writeln!(io.out, "no migration applied");
        }
        (ver, false) => {
            let _ = writeln!(io.out, "{ver}");
        }
        (ver, true) => {
            let _ = writeln!(io.out, "{ver} (dirty)");
        }
    }
    Ok(())
}

fn drop_all(args: &MigrateArgs, io: &mut Io<'_>, yes: bool) -> Result<(), Stop> {
    let url = database_url(args, io)?;
    if !yes {
        if !io.interactive {
            return Err(error("drop deletes every table in the current schema: pass -y to confirm (no terminal to ask)"));
        }
        let q = format!(
            "Are you sure you want to drop every table of {}?",
            url.target()
        );
        if !(io.confirm)(&q) {
            return Err(failed("aborted: nothing was dropped"));
        }
    }
    let mut db = connect(&url)?;
    lock(&mut db, args)?;
    let result = db.drop_all();
    let _ = db.unlock();
    let dropped = result.map_err(db_error)?;
    let _ = writeln!(
        io.out,
        "dropped {} table(s) in schema {}{}{}",
        dropped.len(),
        db.schema,
        if dropped.is_empty() { "" } else { ": " },
        dropped.join(", ")
    );
    Ok(())
}
