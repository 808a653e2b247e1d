//! Fixes: what a rule proposes to rewrite, and how sure it is.
//!
//! A rule attaches a `FixSpec` to a finding (`Finding::fix`): edits of the
//! file the finding is in (byte spans) or new files beside it (a new
//! migration pair). The engine resolves each spec into a `Fix` whose edits
//! name their file and carry 1-based line/column positions, like a
//! `Diagnostic` does; front ends render or apply those.

use serde::Serialize;

use crate::source::Span;

pub mod apply;
#[cfg(test)]
mod page_tests;
#[cfg(test)]
mod tests;

pub use apply::{
    apply_fixes, fix_until_stable, selected_fix, FixLoop, FixOptions, FixRecord, FixResult,
    FixedFile, SkipReason, SkippedFix,
};

/// How safe a fix is to apply without review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Same meaning, applied by `migralint check --fix`.
    Safe,
    /// Changes behaviour or splits a migration: applied only with
    /// `--unsafe-fixes`, and worth a review.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Where an edit of a `FixSpec` applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditTarget {
    /// The file the finding is in.
    Here,
    /// A new file in the same directory as the finding's file (its file
    /// name); the edit's span is empty and its content the whole file.
    NewFile(String),
}

/// One edit as a rule writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditSpec {
    pub target: EditTarget,
    /// Byte range replaced (empty: an insertion).
    pub span: Span,
    pub content: String,
}

/// A fix as a rule writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixSpec {
    /// What the fix does, as a short imperative sentence.
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<EditSpec>,
}

impl FixSpec {
    pub fn new(message: impl Into<String>, applicability: Applicability) -> FixSpec {
        FixSpec {
            message: message.into(),
            applicability,
            edits: Vec::new(),
        }
    }

    /// Replaces `span` of the finding's file with `content`.
    pub fn replace(mut self, span: Span, content: impl Into<String>) -> FixSpec {
        self.edits.push(EditSpec {
            target: EditTarget::Here,
            span,
            content: content.into(),
        });
        self
    }

    /// Inserts `content` at byte `at` of the finding's file.
    pub fn insert(self, at: usize, content: impl Into<String>) -> FixSpec {
        self.replace(Span::empty(at), content)
    }

    /// Creates `file_name` beside the finding's file with `content`.
    pub fn create(mut self, file_name: impl Into<String>, content: impl Into<String>) -> FixSpec {
        self.edits.push(EditSpec {
            target: EditTarget::NewFile(file_name.into()),
            span: Span::empty(0),
            content: content.into(),
        });
        self
    }
}

/// A resolved edit: file path, byte span and line/column positions
/// (1-based, end exclusive, columns in characters, as in `Diagnostic`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub file: String,
    #[serde(skip)]
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub content: String,
    /// The edit creates `file`, which must not exist yet.
    pub new_file: bool,
}

/// A resolved fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}
