//! What the runner prints: the dry run, and a failed migration with the
//! statement, PostgreSQL's words, a caret, and what it left behind.

use std::io::Write;

use crate::db::{describe_pg_error, DbVersion, NIL_VERSION};
use crate::io::Io;
use crate::plan::Step;
use crate::session::describe_version;
use crate::sql::{FilePlan, Mode, Stmt};

use super::file::{one_line, Failure};
use super::Prepared;

pub(super) fn print_dry_run(io: &mut Io<'_>, current: DbVersion, prepared: &[Prepared]) {
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
            let _ = writeln!(io.out, "  line {}: {}", s.line, one_line(plan.stmt_text(s)));
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
pub(super) fn report_failure(io: &mut Io<'_>, step: &Step, plan: Option<&FilePlan>, f: &Failure) {
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
    for note in &f.notes {
        let _ = writeln!(err, "  note: {note}");
    }
}

/// A clearer word when a `CREATE EXTENSION` fails because the extension is
/// not installed on the server.
fn extension_note(
    db: &postgres::error::DbError,
    plan: Option<&FilePlan>,
    stmt: Option<&Stmt>,
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
