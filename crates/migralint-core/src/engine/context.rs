//! What a rule sees: the statement, its file and that file's facts, the
//! schema as replayed up to this statement, the settings in force; for a
//! pairing rule, a down file with its up and the directory's history; for
//! a naming rule, the whole set. And where a rule writes its findings.

use super::facts::{FileFacts, StmtFacts};
use super::files::{MigDir, MigFile, SetFile};
use super::options::Options;
use crate::fix::FixSpec;
use crate::migration::{Direction, MigrationName};
use crate::model::effects::Contents;
use crate::model::history::{History, UpChanges};
use crate::model::renames::Renames;
use crate::model::{Obj, QualName, Schema, TableState};
use pg_query::NodeEnum;

use crate::model::names::node_int;
use crate::model::summary::Summary;
use crate::parse::{ParsedFile, Statement};
use crate::source::Span;
use crate::tokens::{self, Tok};

/// A file in the set being linted, with its migration name when it has
/// one, and what the engine read off it.
pub struct FileCx<'a> {
    pub parsed: &'a ParsedFile,
    pub name: Option<&'a MigrationName>,
    pub facts: &'a FileFacts,
    /// The versions around this file's in its directory (for fixes that
    /// create a migration).
    pub neighbours: Neighbours,
}

/// Where a migration file stands among the other files of its directory
/// in the set: what a fix that adds a migration next to it must respect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Neighbours {
    /// The highest version below this file's, if any.
    pub prev: Option<u64>,
    /// The lowest version above this file's, if any.
    pub next: Option<u64>,
    /// This file's version has a down file.
    pub has_down: bool,
}

impl<'a> FileCx<'a> {
    /// The file's trees are at hand (`parsed.statements`); a large file's
    /// are dropped after its facts are read (`statement` parses one again).
    pub fn trees_kept(&self) -> bool {
        !self.parsed.statements.is_empty() || self.facts.stmts.is_empty()
    }

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
    /// `SET lock_timeout` (or `set_config('lock_timeout', ...)`) ran
    /// earlier in this file, and still holds.
    pub lock_timeout_set: bool,
    /// The same for `statement_timeout`, which bounds a statement's wait
    /// for its locks too (PostgreSQL 13+ arms it per statement, even
    /// within one multi-statement query: checked on PostgreSQL 15).
    pub statement_timeout_set: bool,
    /// A `SET TimeZone` earlier in the file left the session at UTC.
    pub time_zone_utc: bool,
    /// A `SET search_path` earlier in the file put another schema than
    /// `public` first: an unqualified name may then resolve to it, which
    /// the model (that reads such names as `public`) does not follow.
    pub search_path_moved: bool,
    /// The settings above made `LOCAL` (`SET LOCAL`, `set_config(..., true)`):
    /// the end of their transaction undoes them.
    local: Vec<&'static str>,
}

impl TxState {
    /// Takes in the settings a statement changes.
    pub fn settle(&mut self, node: &NodeEnum) {
        use pg_query::protobuf::TransactionStmtKind as K;
        match node {
            NodeEnum::VariableSetStmt(s) => self.set(&s.name, s.args.first(), s.is_local),
            NodeEnum::SelectStmt(s) => {
                for t in &s.target_list {
                    let Some(NodeEnum::ResTarget(t)) = t.node.as_ref() else {
                        continue;
                    };
                    let Some(NodeEnum::FuncCall(f)) =
                        t.val.as_deref().and_then(|v| v.node.as_ref())
                    else {
                        continue;
                    };
                    if crate::model::names::string_list(&f.funcname)
                        .last()
                        .map(String::as_str)
                        != Some("set_config")
                    {
                        continue;
                    }
                    let [name, value, local] = &f.args[..] else {
                        continue;
                    };
                    let Some(name) = const_text(name) else {
                        continue;
                    };
                    let local = matches!(local.node.as_ref(), Some(NodeEnum::AConst(c)) if matches!(
                        c.val.as_ref(), Some(pg_query::protobuf::a_const::Val::Boolval(b)) if b.boolval));
                    self.set(&name.to_ascii_lowercase(), Some(value), local);
                }
            }
            NodeEnum::TransactionStmt(t)
                if matches!(
                    K::try_from(t.kind),
                    Ok(K::TransStmtCommit | K::TransStmtRollback | K::TransStmtPrepare)
                ) =>
            {
                for name in std::mem::take(&mut self.local) {
                    self.set(name, None, false);
                }
            }
            _ => {}
        }
    }

    /// One setting to `value` (`None`: back to the default).
    fn set(&mut self, name: &str, value: Option<&pg_query::protobuf::Node>, local: bool) {
        let name: &'static str = match name {
            "lock_timeout" => {
                self.lock_timeout_set = value.is_some_and(enables_timeout);
                "lock_timeout"
            }
            "statement_timeout" => {
                self.statement_timeout_set = value.is_some_and(enables_timeout);
                "statement_timeout"
            }
            "timezone" => {
                self.time_zone_utc = value.is_some_and(is_utc);
                "timezone"
            }
            "search_path" => {
                self.search_path_moved = value.is_some_and(moves_search_path);
                "search_path"
            }
            _ => return,
        };
        self.local.retain(|n| *n != name);
        if local {
            self.local.push(name);
        }
    }
}

impl TxState {
    /// A statement waiting for a lock gives up after a while: a
    /// `lock_timeout` holds, or a `statement_timeout` that applies to each
    /// statement (before PostgreSQL 13 the timeout of a multi-statement
    /// query was armed once, for the whole file, before its `SET` ran).
    pub fn lock_wait_bounded(&self, options: &crate::engine::options::Options) -> bool {
        self.lock_timeout_set
            || (self.statement_timeout_set && (options.pg_version >= 13 || options.multi_statement))
    }
}

/// A constant's text (`'2s'`, `2000`).
fn const_text(n: &pg_query::protobuf::Node) -> Option<String> {
    use pg_query::protobuf::a_const::Val;
    let Some(NodeEnum::AConst(c)) = n.node.as_ref() else {
        return None;
    };
    match c.val.as_ref()? {
        Val::Sval(s) => Some(s.sval.clone()),
        Val::Ival(i) => Some(i.ival.to_string()),
        _ => None,
    }
}

/// A `search_path` value whose first schema is not the default's
/// (`"$user"`, then `public`); a value not spelled as constants counts.
fn moves_search_path(value: &pg_query::protobuf::Node) -> bool {
    let Some(text) = const_text(value) else {
        return true;
    };
    // `set_config('search_path', 'app, public', false)` gives the list as
    // one string; `SET search_path TO app, public` its first element.
    let first = text.split(',').next().unwrap_or_default().trim();
    let first = first.trim_matches('"');
    !matches!(first, "public" | "$user" | "")
}

/// A `lock_timeout` / `statement_timeout` value other than 0 (no timeout).
fn enables_timeout(value: &pg_query::protobuf::Node) -> bool {
    node_int(value) != Some(0) && !const_text(value).is_some_and(|t| t.trim().starts_with('0'))
}

/// A `TimeZone` value that is UTC (or one of its names).
fn is_utc(value: &pg_query::protobuf::Node) -> bool {
    node_int(value) == Some(0)
        || const_text(value).is_some_and(|t| {
            matches!(
                t.to_ascii_lowercase().as_str(),
                "utc"
                    | "etc/utc"
                    | "gmt"
                    | "etc/gmt"
                    | "uct"
                    | "etc/uct"
                    | "universal"
                    | "etc/universal"
                    | "zulu"
                    | "etc/zulu"
                    | "gmt0"
                    | "etc/gmt0"
                    | "greenwich"
                    | "etc/greenwich"
                    | "z"
            )
        })
}

/// A statement of the file, at hand or parsed again (`StmtCx::statement`).
pub enum StmtRef<'a> {
    Kept(&'a Statement),
    Parsed(Box<Statement>),
}

impl std::ops::Deref for StmtRef<'_> {
    type Target = Statement;
    fn deref(&self) -> &Statement {
        match self {
            StmtRef::Kept(s) => s,
            StmtRef::Parsed(s) => s,
        }
    }
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

    /// The first word of statement `i`, upper-cased (`COMMIT`, `ALTER`), or
    /// `default` for an empty one.
    pub fn first_word(&self, i: usize, default: &str) -> String {
        self.text(self.span_of(i))
            .split_whitespace()
            .next()
            .unwrap_or(default)
            .to_ascii_uppercase()
    }

    /// The text of `span` on one line: runs of whitespace (newlines,
    /// indentation) as one space, for quoting a clause in a message.
    pub fn one_line(&self, span: Span) -> String {
        self.text(span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn table_state(&self, name: &QualName) -> TableState<'a> {
        self.schema.table_state(name, self.file_index)
    }

    /// What the table holds when this statement runs.
    pub fn contents(&self, name: &QualName) -> Contents {
        self.schema.contents(name, self.file_index)
    }

    /// How many statements the file has.
    pub fn stmt_count(&self) -> usize {
        self.file.facts.stmts.len()
    }

    /// The file holds more than this one statement (golang-migrate then
    /// sends it as one multi-statement query, run as one transaction).
    pub fn file_has_other_statements(&self) -> bool {
        self.stmt_count() > 1
    }

    /// The span of statement `i` of the file.
    pub fn span_of(&self, i: usize) -> Span {
        self.file.facts.stmts[i].span
    }

    /// What statement `i` of the file does, summarised (`model::summary`).
    pub fn summary_of(&self, i: usize) -> &'a Summary {
        &self.file.facts.stmts[i].summary
    }

    /// The 1-based line statement `i` of the file starts on.
    pub fn line_of(&self, i: usize) -> usize {
        self.file.parsed.line_col(self.span_of(i).start).0
    }

    /// Statement `i` of the file with its tree: at hand, or parsed again
    /// (a large file's trees are not kept). For a detail of one statement
    /// a rule has already picked: scans over other statements go through
    /// `facts_of` and `summary_of`.
    pub fn statement(&self, i: usize) -> Option<StmtRef<'a>> {
        if i == self.stmt_index {
            return Some(StmtRef::Kept(self.stmt));
        }
        if self.file.trees_kept() {
            return self.file.parsed.statements.get(i).map(StmtRef::Kept);
        }
        crate::parse::parse_one(&self.file.parsed.text, self.span_of(i))
            .map(|s| StmtRef::Parsed(Box::new(s)))
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
    pub fn tx_of(&self, i: usize) -> u32 {
        self.file.facts.stmts[i].tx.id
    }

    /// The first statement of the transaction statement `i` runs in.
    pub fn tx_start(&self, i: usize) -> usize {
        let tx = self.tx_of(i);
        // Transaction ids never decrease through a file.
        self.file.facts.stmts[..i].partition_point(|s| s.tx.id < tx)
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

    /// The statement is `CREATE INDEX|TABLE ... IF NOT EXISTS` of an index
    /// or table the schema as replayed already has: it does nothing (no
    /// index build, no table).
    pub fn creates_nothing(&self) -> bool {
        use crate::model::effects::{Effect, Shape};
        // Any relation of that name: they share a namespace (the index of
        // a primary key or unique constraint included).
        match self.facts().effects.first() {
            Some(Effect::Create {
                obj,
                shape: Shape::Index { .. } | Shape::Table { .. },
                if_not_exists: true,
                ..
            }) => self.schema.holder(obj).is_some(),
            _ => false,
        }
    }

    /// An earlier statement of this file creates `obj`.
    pub fn created_earlier(&self, obj: &Obj) -> bool {
        self.file.facts.created_before(obj, self.stmt_index)
    }

    /// The file's renames followed in order (`model::renames`).
    pub fn renames(&self) -> &'a Renames {
        self.file.facts.renames()
    }

    /// The name `obj` had when the file began, when statements before
    /// this one renamed it (what the application still running uses).
    pub fn renamed_earlier(&self, obj: &Obj) -> Option<&'a Obj> {
        self.renames()
            .net()
            .find(|r| r.last < self.stmt_index && r.to.same_key(obj))
            .map(|r| &r.from)
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
    /// Named indexes, constraints and triggers of the history before the
    /// up that went with a table or column the up drops: each with that
    /// table or column and the offset of the dropping statement.
    pub lost: Vec<(Obj, Obj, usize)>,
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
    /// What statements of the down need that the history removed
    /// (`Schema::gone_uses`): PostgreSQL refuses the down there, and it
    /// undoes nothing.
    pub refused: &'a [Obj],
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

    /// Attaches `fix` when there is one.
    pub fn fix_opt(&mut self, fix: Option<FixSpec>) -> &mut Self {
        match fix {
            Some(fix) => self.fix(fix),
            None => self,
        }
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
