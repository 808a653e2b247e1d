//! Applying fixes: pure functions from file texts and a report's fixes to
//! new texts, for every front end (the CLI's `--fix`, the editor server's
//! code actions, the wasm build).
//!
//! `apply_fixes` makes one pass: it takes the diagnostics in report order,
//! picks for each the first fix whose applicability is selected (a
//! diagnostic's fixes are alternatives, the preferred first), and applies
//! it when
//! - its edits overlap or touch no edit applied before in the pass (the
//!   first one wins; the others are skipped as conflicts, and a relint
//!   proposes them again against the new text);
//! - its files are known, UTF-8, and its spans fall on character
//!   boundaries inside them; a file it creates exists neither in the set
//!   nor among the files created before;
//! - every file it touches still parses afterwards: no more syntax errors
//!   than before (none, for a file that had none), and a file it creates
//!   has none.
//!
//! A fix applies whole or not at all. `fix_until_stable` relints and
//! applies again until no fix applies (bounded): a fix changes the text
//! others were computed against, and the rules judge the new text.

use std::collections::HashMap;
use std::fmt;

use crate::fix::{Applicability, Fix};
use crate::migration::{file_name, MigrationName};
use crate::report::{Diagnostic, Report};
use crate::source::Span;
use crate::{lint, parse_source, LintOptions, SourceFile};

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixOptions {
    /// Apply `unsafe` fixes too (`--unsafe-fixes`); `safe` ones always.
    pub unsafe_fixes: bool,
}

impl FixOptions {
    pub fn selects(&self, applicability: Applicability) -> bool {
        applicability == Applicability::Safe || self.unsafe_fixes
    }
}

/// The fix a pass would apply for a diagnostic: its first fix whose
/// applicability is selected.
pub fn selected_fix<'d>(d: &'d Diagnostic, options: &FixOptions) -> Option<&'d Fix> {
    d.fixes.iter().find(|f| options.selects(f.applicability))
}

/// A file the fixes changed or created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixedFile {
    pub path: String,
    pub text: String,
    /// The file is new (no file of the set had this path).
    pub created: bool,
}

/// A fix, named by the diagnostic it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixRecord {
    pub rule: &'static str,
    /// The diagnostic's file and position (in the text the pass started from).
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub applicability: Applicability,
}

impl FixRecord {
    fn new(d: &Diagnostic, fix: &Fix) -> FixRecord {
        FixRecord {
            rule: d.rule,
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            message: fix.message.clone(),
            applicability: fix.applicability,
        }
    }
}

/// Why a selected fix was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// An edit overlaps or touches one applied before in the same pass.
    Conflict { file: String, line: usize },
    /// The file would not parse afterwards (first new syntax error).
    WouldNotParse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A file to create already exists (or another fix creates it).
    FileExists { file: String },
    /// A migration to create has the version and direction of another
    /// migration of its directory (existing, or created by a fix before):
    /// golang-migrate refuses a directory with two.
    VersionTaken { file: String, other: String },
    /// The file is not in the set given to `apply_fixes`.
    UnknownFile { file: String },
    /// The file is not valid UTF-8: writing its lossy text would lose bytes.
    NotUtf8 { file: String },
    /// The fix's edits do not fit the file's text (out of range, inside a
    /// character, overlapping one another): it was computed against
    /// another text.
    BadEdit { file: String },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Conflict { file, line } => write!(
                f,
                "its edit of {file} at line {line} overlaps another fix applied first"
            ),
            SkipReason::WouldNotParse {
                file,
                line,
                column,
                message,
            } => write!(
                f,
                "{file} would not parse afterwards ({line}:{column}: {message})"
            ),
            SkipReason::FileExists { file } => {
                write!(f, "it creates {file}, which already exists")
            }
            SkipReason::VersionTaken { file, other } => write!(
                f,
                "it creates {file}, a second migration of the version of {other}"
            ),
            SkipReason::UnknownFile { file } => {
                write!(f, "it edits {file}, which is not among the files read")
            }
            SkipReason::NotUtf8 { file } => write!(
                f,
                "{file} is not valid UTF-8 (rewriting it would lose bytes)"
            ),
            SkipReason::BadEdit { file } => write!(
                f,
                "its edits do not fit the text of {file} (the file changed since it was linted?)"
            ),
        }
    }
}

/// A selected fix that was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFix {
    pub fix: FixRecord,
    pub reason: SkipReason,
}

/// What a pass (or `fix_until_stable`) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixResult {
    /// Files changed (in the order of the input set) then files created
    /// (in the order their fixes were applied). Only files whose text
    /// differs from the input.
    pub files: Vec<FixedFile>,
    pub applied: Vec<FixRecord>,
    pub skipped: Vec<SkippedFix>,
    /// Diagnostics (of the report the last pass started from) whose only
    /// fixes were not selected: unsafe ones, without `unsafe_fixes`.
    pub unselected: usize,
}

/// One file's state during a pass.
struct FileState<'a> {
    source: &'a SourceFile,
    errors_before: Option<usize>,
    /// Accepted edits, sorted by span, non-overlapping.
    edits: Vec<(Span, String)>,
}

/// Applies the selected fixes of `report` to `files` (the texts the report
/// was computed from), once. See the module documentation for what is
/// applied and what is skipped.
pub fn apply_fixes(files: &[SourceFile], report: &Report, options: &FixOptions) -> FixResult {
    let mut states: Vec<FileState> = files
        .iter()
        .map(|source| FileState {
            source,
            errors_before: None,
            edits: Vec::new(),
        })
        .collect();
    let index: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let mut created: Vec<(String, String)> = Vec::new();
    let mut result = FixResult::default();

    for d in &report.diagnostics {
        let Some(fix) = selected_fix(d, options) else {
            if !d.fixes.is_empty() {
                result.unselected += 1;
            }
            continue;
        };
        let record = FixRecord::new(d, fix);
        match check_fix(fix, &index, &mut states, &created) {
            Ok(Plan::Duplicate) => result.applied.push(record),
            Ok(Plan::Apply { edits, new_files }) => {
                for (i, span, content) in edits {
                    let state = &mut states[i];
                    let at = state.edits.partition_point(|(s, _)| *s < span);
                    state.edits.insert(at, (span, content));
                }
                created.extend(new_files);
                result.applied.push(record);
            }
            Err(reason) => result.skipped.push(SkippedFix {
                fix: record,
                reason,
            }),
        }
    }

    for state in &states {
        if state.edits.is_empty() {
            continue;
        }
        let text = apply_edits(&state.source.text, &state.edits);
        if text != state.source.text {
            result.files.push(FixedFile {
                path: state.source.path.clone(),
                text,
                created: false,
            });
        }
    }
    for (path, text) in created {
        result.files.push(FixedFile {
            path,
            text,
            created: true,
        });
    }
    result
}

enum Plan {
    /// Every edit is already applied (another diagnostic proposed the same
    /// fix): nothing to do, and the finding goes away all the same.
    Duplicate,
    Apply {
        /// (file index, span, content)
        edits: Vec<(usize, Span, String)>,
        new_files: Vec<(String, String)>,
    },
}

/// Decides whether a fix applies on top of what the pass accepted so far.
fn check_fix(
    fix: &Fix,
    index: &HashMap<&str, usize>,
    states: &mut [FileState],
    created: &[(String, String)],
) -> Result<Plan, SkipReason> {
    let mut edits: Vec<(usize, Span, String)> = Vec::new();
    let mut new_files: Vec<(String, String)> = Vec::new();
    let mut all_present = true;
    for e in &fix.edits {
        if e.new_file {
            if index.contains_key(e.file.as_str()) || new_files.iter().any(|(p, _)| *p == e.file) {
                return Err(SkipReason::FileExists {
                    file: e.file.clone(),
                });
            }
            match created.iter().find(|(p, _)| *p == e.file) {
                Some((_, text)) if *text == e.content => {}
                Some(_) => {
                    return Err(SkipReason::FileExists {
                        file: e.file.clone(),
                    })
                }
                None => {
                    let others = index
                        .keys()
                        .copied()
                        .chain(created.iter().map(|(p, _)| p.as_str()))
                        .chain(new_files.iter().map(|(p, _)| p.as_str()));
                    if let Some(other) = same_migration(&e.file, others) {
                        return Err(SkipReason::VersionTaken {
                            file: e.file.clone(),
                            other: other.to_string(),
                        });
                    }
                    all_present = false;
                    new_files.push((e.file.clone(), e.content.clone()));
                }
            }
            continue;
        }
        let Some(&i) = index.get(e.file.as_str()) else {
            // A file another fix of this pass creates is not edited: its
            // text is the fix's own.
            return Err(SkipReason::UnknownFile {
                file: e.file.clone(),
            });
        };
        let state = &states[i];
        if state.source.invalid_utf8_at.is_some() {
            return Err(SkipReason::NotUtf8 {
                file: e.file.clone(),
            });
        }
        let text = &state.source.text;
        let fits = e.span.start <= e.span.end
            && e.span.end <= text.len()
            && text.is_char_boundary(e.span.start)
            && text.is_char_boundary(e.span.end);
        if !fits {
            return Err(SkipReason::BadEdit {
                file: e.file.clone(),
            });
        }
        if state
            .edits
            .iter()
            .any(|(s, c)| *s == e.span && *c == e.content)
        {
            continue;
        }
        all_present = false;
        if state.edits.iter().any(|(s, _)| touches(*s, e.span)) {
            return Err(SkipReason::Conflict {
                file: e.file.clone(),
                line: e.line,
            });
        }
        edits.push((i, e.span, e.content.clone()));
    }
    if all_present {
        return Ok(Plan::Duplicate);
    }
    // The fix's own edits must not overlap one another.
    for (n, (i, a, _)) in edits.iter().enumerate() {
        if edits[n + 1..]
            .iter()
            .any(|(j, b, _)| i == j && touches(*a, *b))
        {
            return Err(SkipReason::BadEdit {
                file: states[*i].source.path.clone(),
            });
        }
    }
    // Every touched file must parse as well as before.
    let mut touched: Vec<usize> = edits.iter().map(|(i, _, _)| *i).collect();
    touched.sort_unstable();
    touched.dedup();
    for i in touched {
        let state = &mut states[i];
        let before = *state
            .errors_before
            .get_or_insert_with(|| parse_source(state.source).syntax_errors.len());
        let mut all: Vec<(Span, String)> = state.edits.clone();
        all.extend(
            edits
                .iter()
                .filter(|(j, _, _)| *j == i)
                .map(|(_, s, c)| (*s, c.clone())),
        );
        all.sort_by_key(|(s, _)| *s);
        let text = apply_edits(&state.source.text, &all);
        if let Some(reason) = parse_regression(&state.source.path, &text, before) {
            return Err(reason);
        }
    }
    for (path, text) in &new_files {
        if let Some(reason) = parse_regression(path, text, 0) {
            return Err(reason);
        }
    }
    Ok(Plan::Apply { edits, new_files })
}

/// Among `others`, a migration file of the directory of `path` with its
/// version and direction (`path` being a migration name).
fn same_migration<'p>(path: &str, others: impl Iterator<Item = &'p str>) -> Option<&'p str> {
    let name = MigrationName::parse(file_name(path))?;
    let dir = &path[..path.len() - file_name(path).len()];
    others.into_iter().find(|other| {
        let other_name = file_name(other);
        *other != path
            && other[..other.len() - other_name.len()] == *dir
            && MigrationName::parse(other_name)
                .is_some_and(|o| o.version == name.version && o.direction == name.direction)
    })
}

/// Two edits conflict when their spans overlap or touch (an insertion at
/// the edge of a replacement, two insertions at one point): their result
/// would depend on the order.
fn touches(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// `Some` when `text` has more syntax errors than `before`.
fn parse_regression(path: &str, text: &str, before: usize) -> Option<SkipReason> {
    let parsed = parse_source(&SourceFile::new(path, text));
    if parsed.syntax_errors.len() <= before {
        return None;
    }
    let e = &parsed.syntax_errors[before.min(parsed.syntax_errors.len() - 1)];
    let (line, column) = parsed.line_col(e.span.start);
    Some(SkipReason::WouldNotParse {
        file: path.to_string(),
        line,
        column,
        message: e.message.clone(),
    })
}

/// Applies sorted, non-overlapping edits to a text.
pub fn apply_edits(text: &str, edits: &[(Span, String)]) -> String {
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|(_, c)| c.len()).sum::<usize>());
    let mut at = 0;
    for (span, content) in edits {
        out.push_str(&text[at..span.start]);
        out.push_str(content);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// How many passes `fix_until_stable` makes at most.
pub const MAX_PASSES: usize = 10;

/// What `fix_until_stable` did, and the report on the fixed files.
#[derive(Clone, Debug)]
pub struct FixLoop {
    /// Every file changed or created, with its final text (`created` when
    /// no input file had its path). Files changed and then changed back
    /// are left out.
    pub result: FixResult,
    /// The files after fixing (inputs with their new texts, then the
    /// created files): what `report` was computed from.
    pub files: Vec<SourceFile>,
    /// The lint of `files`: what remains.
    pub report: Report,
    /// Passes that applied something.
    pub passes: usize,
    /// The last pass still applied fixes: a fix re-proposes itself (a
    /// rule's bug), or fixes keep enabling new ones.
    pub converged: bool,
}

/// Lints, applies the selected fixes, relints the new texts, and again,
/// until a pass applies nothing (at most `MAX_PASSES`). Created files join
/// the set for the next lint. `skipped` and `unselected` describe the last
/// pass: what still cannot be applied.
pub fn fix_until_stable(
    files: &[SourceFile],
    lint_options: &LintOptions,
    options: &FixOptions,
) -> FixLoop {
    let mut current: Vec<SourceFile> = files.to_vec();
    let mut report = lint(&current, lint_options);
    let mut applied = Vec::new();
    let mut passes = 0;
    let mut converged = true;
    let mut lint_options = lint_options.clone();
    let mut last = FixResult::default();
    loop {
        if passes == MAX_PASSES {
            converged = false;
            break;
        }
        last = apply_fixes(&current, &report, options);
        if last.files.is_empty() {
            break;
        }
        passes += 1;
        applied.append(&mut last.applied);
        for f in std::mem::take(&mut last.files) {
            if f.created {
                if let Some(only) = &mut lint_options.report_only {
                    only.push(f.path.clone());
                }
                current.push(SourceFile::new(f.path, f.text));
            } else if let Some(s) = current.iter_mut().find(|s| s.path == f.path) {
                s.text = f.text;
            }
        }
        report = lint(&current, &lint_options);
    }
    let mut changed = Vec::new();
    for (i, f) in current.iter().enumerate() {
        match files.get(i) {
            Some(orig) if orig.text == f.text => {}
            Some(_) => changed.push(FixedFile {
                path: f.path.clone(),
                text: f.text.clone(),
                created: false,
            }),
            None => changed.push(FixedFile {
                path: f.path.clone(),
                text: f.text.clone(),
                created: true,
            }),
        }
    }
    FixLoop {
        result: FixResult {
            files: changed,
            applied,
            skipped: last.skipped,
            unselected: last.unselected,
        },
        files: current,
        report,
        passes,
        converged,
    }
}
