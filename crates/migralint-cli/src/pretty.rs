//! The human renderer: miette's graphical reports, one per diagnostic,
//! with the source excerpt and the span underlined.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use migralint_core::fix::Applicability;
use migralint_core::SourceFile;
use migralint_core::{Diagnostic, Report, Severity};

struct Shown<'a> {
    d: &'a Diagnostic,
    source: NamedSource<String>,
    /// The diagnostic's help, with a line naming its fix when it has one.
    help: Option<String>,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.rule))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = SourceSpan::new(
            self.d.span.start.into(),
            self.d.span.end - self.d.span.start,
        );
        let label = self.d.rule.to_string();
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            span,
        ))))
    }
}

pub fn render(report: &Report, files: &[SourceFile], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for d in &report.diagnostics {
        let text = files
            .iter()
            .find(|f| f.path == d.file)
            .map(|f| f.text.clone())
            .unwrap_or_default();
        let shown = Shown {
            d,
            source: NamedSource::new(d.file.clone(), text),
            help: help_with_fix(d),
        };
        let _ = handler.render_report(&mut out, &shown);
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out
}

/// The help, then `fix available (...): <message>` for the fix `--fix`
/// would apply (a safe one), else for the first unsafe one.
fn help_with_fix(d: &Diagnostic) -> Option<String> {
    let fix = d
        .fixes
        .iter()
        .find(|f| f.applicability == Applicability::Safe)
        .or(d.fixes.first());
    let line = fix.map(|f| match f.applicability {
        Applicability::Safe => format!("fix available (`--fix`): {}", f.message),
        Applicability::Unsafe => format!(
            "fix available (unsafe, `--fix --unsafe-fixes`): {}",
            f.message
        ),
    });
    match (&d.help, line) {
        (Some(h), Some(l)) => Some(format!("{h}\n{l}")),
        (h, l) => h.clone().or(l),
    }
}

pub fn summary_line(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {} in {}.\n",
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning"),
        plural(report.files, "file")
    )
}
