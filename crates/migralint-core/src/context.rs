//! What a rule sees: the statement, its file, the schema as replayed up to
//! this statement, and the transaction state of the file so far.

use crate::config::Config;
use crate::migration::{Direction, MigrationName};
use crate::model::{QualName, Schema, TableState};
use crate::parse::{ParsedFile, Statement};
use crate::source::Span;

/// A file in the set being linted, with its migration name when it has one.
pub struct FileCx<'a> {
    pub parsed: &'a ParsedFile,
    pub name: Option<&'a MigrationName>,
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

/// Transaction state carried from statement to statement within a file.
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
    pub config: &'a Config,
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

    /// A span from a node `location` to the end of the clause it starts
    /// (the next top-level comma or the statement end).
    pub fn clause_span(&self, location: i32) -> Span {
        crate::spans::clause_span(self.file.parsed, self.stmt.span, location)
    }
}

/// Everything a rule over the whole file set may look at.
pub struct SetCx<'a> {
    pub files: &'a [FileCx<'a>],
    pub config: &'a Config,
}

/// A finding before the engine resolves it into a `Diagnostic`.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Index into the file set; `None` means the statement's own file.
    pub file: Option<usize>,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
}

/// Where a rule's check writes its findings.
#[derive(Default, Debug)]
pub struct Findings(pub Vec<Finding>);

impl Findings {
    /// A finding in the current statement's file.
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
        });
        self.0.last_mut().expect("just pushed")
    }
}
