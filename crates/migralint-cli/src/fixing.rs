//! `check --fix` / `--unsafe-fixes` / `--diff`: the core's fix loop, then
//! files written atomically (or a unified diff), and what was done on
//! stderr.

use std::path::Path;

use migralint_core::fix::{FixLoop, FixResult, FixedFile};
use migralint_core::{Report, SourceFile};

use crate::collect::Origin;
use crate::write;

/// Writes the changed and created files (never the standard input's).
/// Returns one message per file that could not be written; the others are
/// written all the same.
pub fn write_changes(
    changes: &[FixedFile],
    read: &[SourceFile],
    origins: &[(String, Origin)],
) -> Vec<String> {
    let mut failures = Vec::new();
    for change in changes {
        let result = if change.created {
            write::create(Path::new(&change.path), &change.text)
        } else {
            let Some((_, origin)) = origins.iter().find(|(d, _)| *d == change.path) else {
                continue;
            };
            let Origin::Disk(path) = origin else {
                // Standard input: printed, not written.
                continue;
            };
            let before = read
                .iter()
                .find(|f| f.path == change.path)
                .map(|f| f.text.as_bytes())
                .unwrap_or_default();
            write::replace(path, before, &change.text)
        };
        if let Err(e) = result {
            failures.push(format!("cannot write {}: {e}", change.path));
        }
    }
    failures
}

/// A unified diff (`--- a/PATH`, `+++ b/PATH`, 3 lines of context) of
/// every changed file, then of every created one (from `/dev/null`).
pub fn unified_diff(read: &[SourceFile], changes: &[FixedFile]) -> String {
    let mut out = String::new();
    for change in changes {
        let old = read
            .iter()
            .find(|f| f.path == change.path && !change.created)
            .map_or("", |f| f.text.as_str());
        let from = if change.created {
            "/dev/null".to_string()
        } else {
            format!("a/{}", change.path)
        };
        let to = format!("b/{}", change.path);
        let diff = similar::TextDiff::from_lines(old, change.text.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&from, &to)
                .to_string(),
        );
    }
    out
}

/// What was fixed and what was not, for stderr.
pub fn summary(fixes: &FixLoop, wrote: bool, unsafe_fixes: bool) -> String {
    let r: &FixResult = &fixes.result;
    let plural = |n: usize, word: &str| {
        let s = if n == 1 {
            ""
        } else if word.ends_with('x') {
            "es"
        } else {
            "s"
        };
        format!("{n} {word}{s}")
    };
    let mut out = String::new();
    let created = r.files.iter().filter(|f| f.created).count();
    let changed = r.files.len() - created;
    let verb = if wrote { "fixed" } else { "would fix" };
    if r.applied.is_empty() {
        out.push_str(if wrote {
            "no fix applied.\n"
        } else {
            "no fix to apply.\n"
        });
    } else {
        let mut files = plural(changed, "file");
        if created > 0 {
            files.push_str(&format!(", {} created", plural(created, "file")));
        }
        out.push_str(&format!(
            "{verb} {} ({files}).\n",
            plural(r.applied.len(), "finding")
        ));
    }
    for s in &r.skipped {
        out.push_str(&format!(
            "{}:{}:{}: [{}] fix not applied: {}: {}\n",
            s.fix.file, s.fix.line, s.fix.column, s.fix.rule, s.fix.message, s.reason
        ));
    }
    if !fixes.converged {
        out.push_str(&format!(
            "warning: fixes were still being applied after {} passes: stopped (a rule may re-propose its own fix)\n",
            migralint_core::fix::apply::MAX_PASSES
        ));
    }
    if r.unselected > 0 && !unsafe_fixes {
        out.push_str(&format!(
            "{} left: add --unsafe-fixes to apply them (they change behaviour: review them).\n",
            plural(r.unselected, "unsafe fix")
        ));
    }
    out
}

/// Without `--fix`: how many findings `--fix` (and `--unsafe-fixes`)
/// would fix, or `None` when none has a fix (output unchanged).
pub fn hint(report: &Report) -> Option<String> {
    use migralint_core::fix::Applicability;
    let safe = report
        .diagnostics
        .iter()
        .filter(|d| {
            d.fixes
                .iter()
                .any(|f| f.applicability == Applicability::Safe)
        })
        .count();
    let unsafe_only = report
        .diagnostics
        .iter()
        .filter(|d| !d.fixes.is_empty())
        .count()
        - safe;
    match (safe, unsafe_only) {
        (0, 0) => None,
        (s, 0) => Some(format!("{s} fixable with --fix.\n")),
        (0, u) => Some(format!(
            "{u} fixable with --fix --unsafe-fixes (unsafe: review them).\n"
        )),
        (s, u) => Some(format!(
            "{s} fixable with --fix ({u} more with --unsafe-fixes: review them).\n"
        )),
    }
}
