//! The human renderer: miette's graphical reports, one per diagnostic,
//! with the source excerpt and the span underlined. Control characters
//! from the files (in names, messages and the excerpt) are shown escaped
//! or as visible symbols, never sent to the terminal as they are.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use migralint_core::fix::Applicability;
use migralint_core::render::{escape_controls, is_unsafe_char};
use migralint_core::SourceFile;
use migralint_core::{Diagnostic, Report, Severity};

struct Shown<'a> {
    d: &'a Diagnostic,
    message: Cow<'a, str>,
    /// The diagnostic's help, with a line naming its fix when it has one.
    help: Option<Cow<'a, str>>,
    source: NamedSource<Arc<String>>,
    /// The diagnostic's span in the shown source.
    span: SourceSpan,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Longest line shown in an excerpt (characters); the rest of a longer
/// line (an unterminated megabyte literal) is cut to `…`.
const MAX_LINE_CHARS: usize = 300;

/// A file's text as shown: control characters (but newline, tab and the
/// CR of a CRLF) become visible symbols (U+2400..U+2421 for ASCII ones,
/// U+FFFD for others), lines are cut at `MAX_LINE_CHARS`, and a map takes
/// offsets in the file to offsets in the shown text.
struct ShownText {
    text: Arc<String>,
    /// (offset in the file, offset in the shown text, whether the
    /// following bytes map one to one or all to that one offset), in order.
    segments: Vec<(usize, usize, bool)>,
}

impl ShownText {
    fn new(original: &str) -> ShownText {
        let bytes = original.as_bytes();
        let unsafe_at = |i: usize, c: char| {
            is_unsafe_char(c) && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n'))
        };
        let long_line = || {
            original
                .split('\n')
                .any(|l| l.len() > MAX_LINE_CHARS && l.chars().count() > MAX_LINE_CHARS)
        };
        if !original.char_indices().any(|(i, c)| unsafe_at(i, c)) && !long_line() {
            return ShownText {
                text: Arc::new(original.to_string()),
                segments: Vec::new(),
            };
        }
        let mut text = String::with_capacity(original.len() + 16);
        let mut segments = vec![(0, 0, true)];
        let mut column = 0;
        let mut cut = false;
        for (i, c) in original.char_indices() {
            if c == '\n' {
                if cut {
                    segments.push((i, text.len(), true));
                }
                cut = false;
                column = 0;
                text.push(c);
                continue;
            }
            if cut {
                continue;
            }
            if column == MAX_LINE_CHARS {
                segments.push((i, text.len(), false));
                text.push('…');
                cut = true;
                continue;
            }
            column += 1;
            if unsafe_at(i, c) {
                segments.push((i, text.len(), false));
                text.push(match c as u32 {
                    n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
                    0x7f => '\u{2421}',
                    _ => '\u{fffd}',
                });
                segments.push((i + c.len_utf8(), text.len(), true));
            } else {
                text.push(c);
            }
        }
        ShownText {
            text: Arc::new(text),
            segments,
        }
    }

    /// Where a file offset is in the shown text.
    fn offset(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|(start, _, _)| *start <= at);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            None => at,
            Some((start, shown, true)) => shown + (at - start),
            Some((_, shown, false)) => shown,
        }
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
        let label = self.d.rule.to_string();
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(label),
            self.span,
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
    let mut shown_text: Option<(&str, ShownText)> = None;
    for d in &report.diagnostics {
        // Diagnostics come sorted by file: each file's text is prepared once.
        if shown_text.as_ref().is_none_or(|(path, _)| *path != d.file) {
            let text = files
                .iter()
                .find(|f| f.path == d.file)
                .map_or("", |f| f.text.as_str());
            shown_text = Some((d.file.as_str(), ShownText::new(text)));
        }
        let Some((_, text)) = &shown_text else {
            continue;
        };
        let (start, end) = (text.offset(d.span.start), text.offset(d.span.end));
        let shown = Shown {
            d,
            message: escape_controls(&d.message),
            help: help_with_fix(d).map(|h| Cow::Owned(escape_controls(&h).into_owned())),
            source: NamedSource::new(escape_controls(&d.file), Arc::clone(&text.text)),
            span: SourceSpan::new(start.into(), end.saturating_sub(start)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_text_replaces_controls_and_maps_offsets() {
        let original = "ab\u{1b}[2Jc\r\nd\re\u{9b}f";
        let t = ShownText::new(original);
        assert_eq!(*t.text, "ab\u{241b}[2Jc\r\nd\u{240d}e\u{fffd}f");
        // Before, on and after the replaced characters.
        assert_eq!(t.offset(2), 2);
        assert_eq!(&t.text[t.offset(3)..t.offset(6)], "[2J");
        let f = original.find('f').unwrap();
        assert_eq!(&t.text[t.offset(f)..], "f");
        assert_eq!(ShownText::new("plain\r\n").segments, []);
    }

    #[test]
    fn long_lines_are_cut() {
        let long = "x".repeat(1000);
        let original = format!("SELECT 1;\nSELECT '{long};\nSELECT 2;");
        let t = ShownText::new(&original);
        let lines: Vec<&str> = t.text.lines().collect();
        assert_eq!(lines[1].chars().count(), MAX_LINE_CHARS + 1);
        assert!(lines[1].ends_with('…'));
        let two = original.rfind("SELECT 2").unwrap();
        assert_eq!(&t.text[t.offset(two)..], "SELECT 2;");
        // An offset in the cut part maps to the ellipsis.
        let cut_at = t.offset(original.find('\'').unwrap() + 900);
        assert_eq!(&t.text[cut_at..cut_at + '…'.len_utf8()], "…");
    }
}
