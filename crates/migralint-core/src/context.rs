//! What a rule sees: the statement, its file, the schema as replayed up to
//! this statement, and the transaction state of the file so far.

use std::cell::OnceCell;

use crate::config::Config;
use crate::migration::{Direction, MigrationName};
use crate::model::{QualName, Schema, TableState};
use crate::parse::{ParsedFile, Statement, Suppression, SyntaxError};
use crate::rules::objects::{History, MigDir, MigFile, StmtFacts, UpRecord};
use crate::source::{LineIndex, Span};

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
    /// The statement's tokens, scanned on first use (see `tokens`).
    pub tokens: OnceCell<Vec<Tok>>,
}

/// A token: absolute byte range in the file and `pg_query` token kind.
pub type Tok = (usize, usize, i32);

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
        crate::spans::clause_span_in(self.tokens(), self.stmt.span, location)
    }

    /// The statement's tokens, comments left out (scanned once, shared by
    /// every rule that looks at them).
    pub fn tokens(&self) -> &[Tok] {
        self.tokens
            .get_or_init(|| crate::spans::statement_tokens(self.file.parsed, self.stmt.span))
    }

    /// The statement's tokens from byte offset `at` on.
    pub fn tokens_from(&self, at: usize) -> &[Tok] {
        let tokens = self.tokens();
        &tokens[tokens.partition_point(|t| t.0 < at)..]
    }
}

/// What the engine keeps of a file once it has been replayed: its text (for
/// lines and columns), syntax errors, suppressions, and per statement its
/// span and a few flags. The parse tree is dropped, and so are the
/// statements' object facts once the pairing history has them: memory
/// holds the trees of the files being linted, not of the whole set.
pub struct SetFile {
    pub path: String,
    pub text: String,
    pub line_index: LineIndex,
    pub name: Option<MigrationName>,
    pub syntax_errors: Vec<SyntaxError>,
    pub suppressions: Vec<Suppression>,
    pub statements: Vec<StmtFacts>,
}

impl SetFile {
    /// Keeps what the rest of the run needs of a parsed file.
    pub fn new(
        parsed: ParsedFile,
        name: Option<MigrationName>,
        statements: Vec<StmtFacts>,
    ) -> Self {
        SetFile {
            path: parsed.path,
            text: parsed.text,
            line_index: parsed.line_index,
            name,
            syntax_errors: parsed.syntax_errors,
            suppressions: parsed.suppressions,
            statements,
        }
    }

    /// 1-based (line, column) of a byte offset in this file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.line_index.line_col(&self.text, offset)
    }

    /// Takes the statements' object facts out (they are what the pairing
    /// history needs of an up file), leaving each statement its span,
    /// suppressions and flags: what the rest of the run needs.
    pub fn take_effects(&mut self) -> Vec<StmtFacts> {
        let light = self
            .statements
            .iter()
            .map(|s| StmtFacts {
                span: s.span,
                ignored: s.ignored.clone(),
                effects: Vec::new(),
                creates_anything: s.creates_anything,
                transaction_control: s.transaction_control,
                altered_columns: Vec::new(),
            })
            .collect();
        std::mem::replace(&mut self.statements, light)
    }
}

/// What a pairing rule sees at a down file (`Check::Down`), during the
/// replay, once the ups of its version have been replayed.
pub struct DownCx<'a> {
    pub down: MigFile<'a>,
    /// The up file it reverses (same version, same title preferred) and
    /// what that up changes.
    pub up: Option<(MigFile<'a>, &'a UpRecord)>,
    /// The directory's object history after every up file up to the
    /// down's version.
    pub history: &'a History,
    pub config: &'a Config,
}

/// Everything a rule over the whole file set may look at.
pub struct SetCx<'a> {
    pub files: &'a [SetFile],
    /// The migration files grouped by directory, sorted by version.
    pub dirs: &'a [MigDir<'a>],
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
    /// Proposed rewrites (see `crate::fix`).
    pub fixes: Vec<crate::fix::FixSpec>,
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches a fix.
    pub fn fix(&mut self, fix: crate::fix::FixSpec) -> &mut Self {
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
