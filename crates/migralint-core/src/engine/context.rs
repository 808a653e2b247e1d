//! What a rule sees: the statement, its file and that file's facts, the
//! schema as replayed up to this statement, the settings in force; for a
//! pairing rule, a down file with its up and the directory's history; for
//! a naming rule, the whole set. And where a rule writes its findings.

use super::facts::{FileFacts, StmtFacts};
use super::files::{MigDir, MigFile, SetFile};
use super::options::Options;
use crate::fix::FixSpec;
use crate::migration::{Direction, MigrationName};
use crate::model::history::{History, UpChanges};
use crate::model::{Obj, QualName, Schema, TableState};
use crate::parse::{ParsedFile, Statement};
use crate::source::Span;
use crate::tokens::{self, Tok};

/// A file in the set being linted, with its migration name when it has
/// one, and what the engine read off it.
pub struct FileCx<'a> {
    pub parsed: &'a ParsedFile,
    pub name: Option<&'a MigrationName>,
    pub facts: &'a FileFacts,
}

impl FileCx<'_> {
    pub fn direction(&self) -> Option<Direction> {
        self.name.map(|n| n.direction)
    }
    pub fn is_down(&self) -> bool {
        self.direction() == Some(Direction::Down)
    }
    pub fn is_up(&self) -> bool {
        !self.is_down()
    }
}

/// Settings carried from statement to statement within a file.
#[derive(Clone, Debug, Default)]
pub struct TxState {
    /// Inside an explicit `BEGIN ... COMMIT` block.
    pub in_explicit_tx: bool,
    /// `SET lock_timeout` ran earlier in this file.
    pub lock_timeout_set: bool,
}

/// Everything a statement rule may look at.
pub struct StmtCx<'a> {
    pub file: &'a FileCx<'a>,
    /// Index of the file in replay order (see `Table::created_in`).
    pub file_index: usize,
    pub stmt: &'a Statement,
    pub stmt_index: usize,
    pub schema: &'a Schema,
    pub tx: &'a TxState,
    pub options: &'a Options,
}

impl<'a> StmtCx<'a> {
    pub fn text(&self, span: Span) -> &'a str {
        self.file.parsed.slice(span)
    }

    pub fn table_state(&self, name: &QualName) -> TableState<'a> {
        self.schema.table_state(name, self.file_index)
    }

    /// All statements of the file.
    pub fn statements(&self) -> &'a [Statement] {
        &self.file.parsed.statements
    }

    /// The statements after this one in the same file.
    pub fn later_statements(&self) -> &'a [Statement] {
        &self.file.parsed.statements[self.stmt_index + 1..]
    }

    /// The file holds more than this one statement (golang-migrate then
    /// sends it as one multi-statement query, run as one transaction).
    pub fn file_has_other_statements(&self) -> bool {
        self.file.parsed.statements.len() > 1
    }

    /// This statement's facts.
    pub fn facts(&self) -> &'a StmtFacts {
        &self.file.facts.stmts[self.stmt_index]
    }

    /// Statement `i` of the file's facts.
    pub fn facts_of(&self, i: usize) -> &'a StmtFacts {
        &self.file.facts.stmts[i]
    }

    /// The transaction statement `i` of the file runs in (equal numbers:
    /// same transaction; `model::tx`).
    pub fn tx_of(&self, i: usize) -> usize {
        self.file.facts.stmts[i].tx.id
    }

    /// The absolute byte offset of a node `location` of this statement.
    pub fn at(&self, location: i32) -> Option<usize> {
        self.stmt.at(location)
    }

    /// A span from a node `location` to the end of the clause it starts
    /// (the next top-level comma or the statement end).
    pub fn clause_span(&self, location: i32) -> Span {
        tokens::clause_span(self.tokens(), self.stmt.span, self.at(location))
    }

    /// The span of the `i`-th subcommand of this `ALTER TABLE` (the
    /// statement's span when they cannot be told apart).
    pub fn cmd_span(&self, i: usize) -> Span {
        self.facts()
            .cmd_spans
            .as_ref()
            .and_then(|spans| spans.get(i).copied())
            .unwrap_or(self.stmt.span)
    }

    /// The statement's tokens, comments left out.
    pub fn tokens(&self) -> &'a [Tok] {
        self.file.facts.stmt_tokens(self.stmt_index)
    }

    /// The statement's tokens from byte offset `at` on.
    pub fn tokens_from(&self, at: usize) -> &'a [Tok] {
        tokens::from(self.tokens(), at)
    }

    /// An earlier statement of this file creates `obj`.
    pub fn created_earlier(&self, obj: &Obj) -> bool {
        self.file.facts.created_before(obj, self.stmt_index)
    }

    /// The name of `obj` is taken again by this statement or a later one
    /// of the same file (created anew, or something renamed to it): a drop
    /// or rename of it is half of a swap, and code using the name still
    /// finds it.
    pub fn reoccupied_later(&self, obj: &Obj) -> bool {
        self.file.facts.taken_from(obj, self.stmt_index)
    }
}

/// What the pairing rules know of an up file when its downs are linted:
/// what it changes, and what of that its down is expected to drop (judged
/// against the history before the ups of its version).
pub struct UpRecord {
    pub changes: UpChanges,
    pub expected: Vec<(Obj, usize)>,
}

/// What a pairing rule sees at a down file (`Check::Down`), during the
/// replay, once the ups of its version have been replayed.
pub struct DownCx<'a> {
    pub down: MigFile<'a>,
    /// The down file's facts (its statements' effects).
    pub facts: &'a FileFacts,
    /// The up file it reverses (same version, same title preferred) and
    /// what that up changes.
    pub up: Option<(MigFile<'a>, &'a UpRecord)>,
    /// The directory's object history after every up file up to the
    /// down's version.
    pub history: &'a History,
    pub options: &'a Options,
}

/// Everything a rule over the whole file set may look at.
pub struct SetCx<'a> {
    pub files: &'a [SetFile],
    /// The migration files grouped by directory, sorted by version.
    pub dirs: &'a [MigDir<'a>],
    pub options: &'a Options,
}

/// A finding before the engine resolves it into a `Diagnostic`.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Index into the file set; `None` means the statement's own file.
    pub file: Option<usize>,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Proposed rewrites (see `crate::fix`).
    pub fixes: Vec<FixSpec>,
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a fix.
    pub fn fix(&mut self, fix: FixSpec) -> &mut Self {
        self.fixes.push(fix);
        self
    }
}

/// Where a rule's check writes its findings.
#[derive(Default, Debug)]
pub struct Findings(pub Vec<Finding>);

impl Findings {
    /// A finding in the file being checked: the statement's file, or for
    /// a `Check::Down` rule the down file.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        self.push(None, span, message.into())
    }

    /// A finding in another file of the set (rules over the whole set).
    pub fn report_in(
        &mut self,
        file: usize,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Finding {
        self.push(Some(file), span, message.into())
    }

    fn push(&mut self, file: Option<usize>, span: Span, message: String) -> &mut Finding {
        self.0.push(Finding {
            file,
            span,
            message,
            help: None,
            fixes: Vec::new(),
        });
        self.0.last_mut().expect("just pushed")
    }
}
