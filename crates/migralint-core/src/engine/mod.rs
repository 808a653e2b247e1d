//! The engine: parses the files, reads each one's facts once, replays them
//! in version order running the rules (`replay`), runs the naming rules
//! over the whole set, adds its own diagnostics, applies suppressions and
//! sorts. It knows rules only through the registry it is given.

pub mod context;
pub mod facts;
pub mod files;
mod noise;
pub mod options;
mod pairing;
mod par;
mod replay;
#[cfg(test)]
mod replay_tests;
pub use replay::Limits;
mod resolve;
pub mod rule;
pub mod selection;
mod suppress;

use serde::Deserialize;

use crate::migration::{file_name, MigrationName};
use crate::parse::{parse_runs, ParsedFile, SyntaxError};
use crate::report::{Diagnostic, Report, Severity};
use crate::source::Span;
use context::{Findings, SetCx};
use files::{migrations_by_dir, SetFile};
use options::Options;
use resolve::diagnostic;
use rule::{Check, Registry, Rule, SetCheck};
use selection::Selection;

/// A file to lint: its path as given by the user and its text.
#[derive(Clone, Debug, Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// Byte offset of the first invalid UTF-8 sequence, when the file was
    /// not UTF-8 (its text is then a lossy conversion).
    #[serde(skip)]
    pub invalid_utf8_at: Option<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            invalid_utf8_at: None,
        }
    }

    /// From raw bytes: invalid UTF-8 is kept as a lossy conversion and
    /// reported as a syntax error at its position.
    pub fn from_bytes(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => SourceFile::new(path, text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                SourceFile {
                    path: path.into(),
                    text,
                    invalid_utf8_at: Some(at),
                }
            }
        }
    }

    /// Parses the file (a file that is not UTF-8 becomes one syntax error).
    pub fn parse(&self) -> ParsedFile {
        let mut statements = Vec::new();
        let mut file = self.parse_runs(usize::MAX, None, &mut |run| statements.extend(run));
        file.statements = statements;
        file
    }

    /// Parses the file a run of statements at a time (`parse::parse_runs`),
    /// handing them to `each`; the file returned has no statements.
    pub fn parse_runs(
        &self,
        max_run: usize,
        pieces: Option<&[Span]>,
        each: &mut dyn FnMut(Vec<crate::parse::Statement>),
    ) -> ParsedFile {
        match self.invalid_utf8_at {
            None => parse_runs(&self.path, &self.text, max_run, pieces, each),
            Some(at) => {
                let mut parsed = parse_runs(&self.path, "", max_run, None, each);
                parsed.text = self.text.clone();
                parsed.line_index = crate::source::LineIndex::new(&parsed.text);
                parsed.syntax_errors.push(SyntaxError {
                    span: Span::empty(at.min(parsed.text.len())),
                    message: "file is not valid UTF-8; migrations must be UTF-8 text".into(),
                });
                parsed
            }
        }
    }
}

/// Lints a set of files with the rules of `registry` that `selection`
/// enables.
pub fn lint(
    files: &[SourceFile],
    options: &Options,
    selection: &Selection,
    registry: &Registry,
) -> Report {
    lint_with(files, options, selection, registry, Limits::default())
}

/// `lint` with the limits above which a file's trees are not kept (tests
/// lint everything both ways).
pub fn lint_with(
    files: &[SourceFile],
    options: &Options,
    selection: &Selection,
    registry: &Registry,
    limits: Limits,
) -> Report {
    let names: Vec<Option<MigrationName>> = files
        .iter()
        .map(|f| MigrationName::parse(file_name(&f.path)))
        .collect();
    let enabled = selection.enabled(registry);
    let mut out: replay::Out = Vec::new();
    let kept = replay::replay(files, &names, options, &enabled, limits, &mut out);
    set_rules(&kept, options, &enabled, &mut out);
    suppress::drop_unjudgeable_pairing(&kept, registry, &mut out);
    suppress::builtin_diagnostics(&kept, registry, &enabled, &mut out);
    suppress::apply_suppressions(&kept, registry, &options.markers, &mut out);
    noise::skipped_files(&kept, &enabled, &mut out);
    noise::downs_locking(&kept, registry, options, &mut out);
    noise::merge_per_statement(&kept, registry, &mut out);
    noise::fold_subsumed(&kept, registry, &mut out);
    out.sort_by(|(fa, a), (fb, b)| {
        (fa, a.span.start, a.rule, a.span.end).cmp(&(fb, b.span.start, b.rule, b.span.end))
    });
    out.dedup_by(|(fa, a), (fb, b)| {
        fa == fb && a.rule == b.rule && a.span == b.span && a.message == b.message
    });
    Report {
        diagnostics: out.into_iter().map(|(_, d)| d).collect(),
        files: files.len(),
    }
}

/// Runs the rules over the whole set (naming), in parallel.
fn set_rules(
    files: &[SetFile],
    options: &Options,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let dirs = migrations_by_dir(files);
    let cx = SetCx {
        files,
        dirs: &dirs,
        options,
    };
    let checks: Vec<(&'static Rule, Severity, SetCheck)> = enabled
        .iter()
        .filter_map(|(rule, severity)| match rule.check {
            Check::Set(check) => Some((*rule, *severity, check)),
            _ => None,
        })
        .collect();
    let found = par::map(&checks, |(_, _, check)| {
        let mut findings = Findings::default();
        check(&cx, &mut findings);
        findings.0
    });
    for ((rule, severity, _), findings) in checks.iter().zip(found) {
        for f in findings {
            let index = f.file.unwrap_or(0);
            out.push((index, diagnostic(&files[index], rule, *severity, f.into())));
        }
    }
}
