use std::fmt::Write;

use super::escape_controls;
use crate::report::{Report, Severity};

/// GitHub Actions workflow commands, one annotation per diagnostic:
/// `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&d.file),
            d.line,
            d.column,
            d.end_line,
            d.end_column,
            escape_property(&format!("migralint {}", d.rule)),
            escape_data(&message),
        );
    }
    out
}

/// Escapes a workflow command's message (`%`, CR, LF), so text from a SQL
/// file cannot end the command and start another; other control
/// characters are written as escapes (`render::escape_controls`), so they
/// do not reach the log as terminal sequences.
pub fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    escape_controls(&s).into_owned()
}

/// Escapes a workflow command property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_cannot_inject_commands() {
        let s = escape_data("a\n::error::pwned %0A");
        assert!(!s.contains('\n'));
        assert_eq!(s, "a%0A::error::pwned %250A");
        assert_eq!(escape_property("a,b:c"), "a%2Cb%3Ac");
        assert_eq!(
            escape_data("a\u{1b}]0;title\u{7}b\tc"),
            "a\\x1b]0;title\\x07b\tc"
        );
    }
}
