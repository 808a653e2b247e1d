//! Diagnostics and the report that every front end renders.

use serde::{Deserialize, Serialize};

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A rule's configured level: a severity, or off. (Here, beside
/// `Severity`, so that what rules read of the configuration (`Options`)
/// does not depend on the rule selection.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    Warning,
    Error,
}

impl Level {
    const NAMES: [(&'static str, Level); 3] = [
        ("off", Level::Off),
        ("warning", Level::Warning),
        ("error", Level::Error),
    ];
}

/// A level is one of three strings, and nothing else: a table such as
/// `{ error = {} }` (which serde's enum form would take) or `true` is
/// refused, naming what is expected.
impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Level;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a level: "off", "warning" or "error""#)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Level, E> {
                Level::NAMES
                    .iter()
                    .find(|(name, _)| *name == v)
                    .map(|(_, level)| *level)
                    .ok_or_else(|| {
                        E::custom(format!(
                            r#"unknown level "{v}": expected "off", "warning" or "error""#
                        ))
                    })
            }
        }
        d.deserialize_any(Visit)
    }
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding, fully resolved: file, span, line/column (1-based, end
/// exclusive, columns in characters), message and help.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub file: String,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub message: String,
    pub help: Option<String>,
    /// The rules whose finding on the same statement this one stands for
    /// (`Rule::subsumes`: they said the same hazard and were folded into
    /// it, their names also in the message); absent from the JSON when
    /// there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stands_for: Vec<&'static str>,
    /// Rewrites that make the finding go away (`crate::fix`); absent from
    /// the JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<crate::fix::Fix>,
}

/// The result of linting a set of files.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Sorted by file (in input order), then position, then rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files read.
    pub files: usize,
}

impl Report {
    /// Keeps only the diagnostics of files whose path is in `paths` (what
    /// `LintOptions::report_only` does; front ends that render one lint
    /// for several scopes call it on copies).
    pub fn keep_only(&mut self, paths: &[String]) {
        let paths: std::collections::HashSet<&str> = paths.iter().map(String::as_str).collect();
        self.diagnostics.retain(|d| paths.contains(d.file.as_str()));
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }
    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}
