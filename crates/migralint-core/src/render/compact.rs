use std::fmt::Write;

use super::escape_controls;
use crate::report::Report;

/// One line per diagnostic: `path:line:col: severity [rule] message`.
/// Line breaks in the message become spaces; other control characters in
/// the path and the message are escaped (`render::escape_controls`).
pub fn compact(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let message = d.message.replace(['\n', '\r'], " ");
        let message = escape_controls(&message);
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            escape_controls(&d.file).replace('\n', "\\n"),
            d.line,
            d.column,
            d.severity.as_str(),
            d.rule,
            message
        );
    }
    out
}
