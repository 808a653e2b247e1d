use std::fmt::Write;

use super::escape_controls;
use crate::fix::Applicability;
use crate::report::{Diagnostic, Report};

/// One line per diagnostic: `path:line:col: severity [rule] message`, with
/// `[fix]` (a safe fix: `--fix` applies it) or `[unsafe-fix]` (only unsafe
/// ones: `--fix --unsafe-fixes`) after the rule when it has a fix. Line
/// breaks in the message become spaces; other control characters in the
/// path and the message are escaped (`render::escape_controls`).
pub fn compact(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let message = d.message.replace(['\n', '\r'], " ");
        let message = escape_controls(&message);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}]{} {}",
            escape_controls(&d.file).replace('\n', "\\n"),
            d.line,
            d.column,
            d.severity.as_str(),
            d.rule,
            fix_marker(d),
            message
        );
    }
    out
}

/// ` [fix]` when `--fix` would fix the diagnostic, ` [unsafe-fix]` when
/// only `--unsafe-fixes` would, else nothing.
pub fn fix_marker(d: &Diagnostic) -> &'static str {
    if d.fixes.is_empty() {
        ""
    } else if d
        .fixes
        .iter()
        .any(|f| f.applicability == Applicability::Safe)
    {
        " [fix]"
    } else {
        " [unsafe-fix]"
    }
}

#[cfg(test)]
mod tests {
    use crate::{lint, LintOptions, SourceFile};

    pub(crate) fn report(files: &[(&str, &str)]) -> crate::Report {
        let files: Vec<SourceFile> = files.iter().map(|(p, t)| SourceFile::new(*p, *t)).collect();
        lint(&files, &LintOptions::default())
    }

    #[test]
    fn marks_diagnostics_with_a_fix() {
        let r = report(&[
            ("000001_a.up.sql", "CREATE TABLE t (a timestamp);\n"),
            ("000001_a.down.sql", "DROP TABLE IF EXISTS t;\n"),
            ("000002_b.up.sql", "CREATE INDEX i ON t (a);\n"),
            ("000002_b.down.sql", "DROP INDEX IF EXISTS i;\n"),
            ("000003_c.up.sql", "CREATE INDEX j ON t (a);\nSELECT 1;\n"),
            ("000003_c.down.sql", "DROP INDEX IF EXISTS j;\n"),
        ]);
        let out = super::compact(&r);
        assert!(
            out.contains(
                "000001_a.up.sql:1:17: warning [prefer-timestamptz] [unsafe-fix] column a"
            ),
            "{out}"
        );
        assert!(
            out.contains("000002_b.up.sql:1:1: error [require-concurrent-index-creation] [unsafe-fix] CREATE INDEX"),
            "{out}"
        );
        // Followed by other statements: no fix, the line as it always was.
        assert!(
            out.contains(
                "000003_c.up.sql:1:1: error [require-concurrent-index-creation] CREATE INDEX"
            ),
            "{out}"
        );
        let mut safe = r
            .diagnostics
            .iter()
            .find(|d| !d.fixes.is_empty())
            .unwrap()
            .clone();
        safe.fixes[0].applicability = crate::fix::Applicability::Safe;
        assert_eq!(super::fix_marker(&safe), " [fix]");
    }
}
