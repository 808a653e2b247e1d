//! Findings resolved into diagnostics: the file's path, 1-based lines and
//! columns, and fixes whose edits name their files.

use super::files::{dir_of, SetFile};
use super::rule::Rule;
use crate::fix::{Edit, EditTarget, Fix, FixSpec};
use crate::parse::ParsedFile;
use crate::report::{Diagnostic, Severity};
use crate::source::Span;

/// A file a diagnostic can point into: its path and where its lines start.
pub trait Located {
    fn path(&self) -> &str;
    fn line_col(&self, offset: usize) -> (usize, usize);
}

impl Located for ParsedFile {
    fn path(&self) -> &str {
        &self.path
    }
    fn line_col(&self, offset: usize) -> (usize, usize) {
        ParsedFile::line_col(self, offset)
    }
}

impl Located for SetFile {
    fn path(&self) -> &str {
        &self.path
    }
    fn line_col(&self, offset: usize) -> (usize, usize) {
        SetFile::line_col(self, offset)
    }
}

/// What a rule found, as the engine resolves it.
pub struct Found {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    pub fixes: Vec<FixSpec>,
}

impl From<super::context::Finding> for Found {
    fn from(f: super::context::Finding) -> Found {
        Found {
            span: f.span,
            message: f.message,
            help: f.help,
            fixes: f.fixes,
        }
    }
}

pub fn diagnostic(
    file: &impl Located,
    rule: &Rule,
    severity: Severity,
    found: Found,
) -> Diagnostic {
    let (line, column) = file.line_col(found.span.start);
    let (end_line, end_column) = file.line_col(found.span.end);
    Diagnostic {
        rule: rule.name,
        severity,
        file: file.path().to_string(),
        span: found.span,
        line,
        column,
        end_line,
        end_column,
        message: found.message,
        help: found.help,
        stands_for: Vec::new(),
        fixes: found
            .fixes
            .into_iter()
            .map(|spec| resolve_fix(file, spec))
            .collect(),
    }
}

/// A rule's fix with paths and line/column positions.
fn resolve_fix(file: &impl Located, spec: FixSpec) -> Fix {
    let edits = spec
        .edits
        .into_iter()
        .map(|e| match e.target {
            EditTarget::Here => {
                let (line, column) = file.line_col(e.span.start);
                let (end_line, end_column) = file.line_col(e.span.end);
                Edit {
                    file: file.path().to_string(),
                    span: e.span,
                    line,
                    column,
                    end_line,
                    end_column,
                    content: e.content,
                    new_file: false,
                }
            }
            EditTarget::NewFile(name) => Edit {
                file: format!("{}{name}", dir_of(file.path())),
                span: Span::empty(0),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
                content: e.content,
                new_file: true,
            },
        })
        .collect();
    Fix {
        message: spec.message,
        applicability: spec.applicability,
        edits,
    }
}
