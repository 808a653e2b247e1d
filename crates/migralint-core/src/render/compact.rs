use std::fmt::Write;

use crate::report::Report;

/// One line per diagnostic: `path:line:col: severity [rule] message`.
pub fn compact(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let message = d.message.replace(['\n', '\r'], " ");
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}",
            d.file,
            d.line,
            d.column,
            d.severity.as_str(),
            d.rule,
            message
        );
    }
    out
}
