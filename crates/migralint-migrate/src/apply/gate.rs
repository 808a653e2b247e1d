//! The lint gate: pending up files are linted (the whole directory as
//! context) before anything runs.

use migralint_core::migration::Direction;
use migralint_core::{lint, LintOptions, Severity, SourceFile};

use super::Prepared;
use crate::io::{Io, MigrateContext};
use crate::session::{failed, Stop};
use crate::source::Migrations;

pub(super) fn lint_gate(
    cx: &MigrateContext,
    io: &mut Io<'_>,
    migrations: &Migrations,
    prepared: &[Prepared],
    allow: &[String],
) -> Result<(), Stop> {
    for rule in allow {
        if migralint_core::rules::find(rule).is_none() {
            return Err(failed(format!("--allow {rule}: no such rule")));
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
            let bytes = f.read_bytes().map_err(|e| failed(e.0))?;
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
