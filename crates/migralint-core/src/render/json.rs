use serde::Serialize;

use crate::report::{Diagnostic, Report};

#[derive(Serialize)]
struct Json<'a> {
    diagnostics: &'a [Diagnostic],
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
}

/// The stable JSON report (documented in the README):
/// `{"diagnostics":[{rule, severity, file, line, column, end_line,
/// end_column, message, help, fixes?}], "summary":{files, errors,
/// warnings}}`; `fixes` (`[{message, applicability, edits: [{file, line,
/// column, end_line, end_column, content, new_file}]}]`) only when a
/// diagnostic has fixes.
pub fn json(report: &Report) -> String {
    let doc = Json {
        diagnostics: &report.diagnostics,
        summary: Summary {
            files: report.files,
            errors: report.errors(),
            warnings: report.warnings(),
        },
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("report serializes");
    s.push('\n');
    s
}
