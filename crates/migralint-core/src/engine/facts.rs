//! What the engine reads off a parsed file once, before any rule runs, and
//! hands to every rule through the context: the file's tokens, and per
//! statement its effects (the one DDL interpreter, `model::effects`), the
//! transaction it runs in (`model::tx`), its `ALTER TABLE` subcommand
//! spans. Built on the parsing threads; dropped once the file is replayed.

use std::cell::OnceCell;
use std::ops::Range;

use pg_query::NodeEnum;
use rustc_hash::FxHashMap;

use crate::model::effects::{creates_anything, effects, Effect};
use crate::model::tx::{places, TxPlace};
use crate::model::{Obj, ObjKey};
use crate::parse::ParsedFile;
use crate::source::Span;
use crate::tokens::{self, Tok};

/// One statement's facts.
#[derive(Debug)]
pub struct StmtFacts {
    pub effects: Vec<Effect>,
    /// Creates anything, named or not (`CREATE INDEX ON t (a)`, `ADD
    /// PRIMARY KEY (id)` included).
    pub creates_anything: bool,
    pub tx: TxPlace,
    /// The statement's tokens: a range of `FileFacts::tokens`.
    pub tokens: Range<usize>,
    /// The span of each `ALTER TABLE` subcommand, when they can be told
    /// apart (`tokens::alter_cmd_spans`).
    pub cmd_spans: Option<Vec<Span>>,
}

/// A file's facts.
#[derive(Debug, Default)]
pub struct FileFacts {
    /// The file's tokens, comments left out, sorted.
    pub tokens: Vec<Tok>,
    pub stmts: Vec<StmtFacts>,
    /// Which statement first creates, and last takes, each name (built on
    /// first use).
    names: OnceCell<Names>,
}

#[derive(Debug, Default)]
struct Names {
    /// The first statement that creates each object.
    first_created: FxHashMap<ObjKey, usize>,
    /// The last statement that creates each object or renames something
    /// to its name.
    last_taken: FxHashMap<ObjKey, usize>,
}

impl FileFacts {
    pub fn new(file: &ParsedFile, multi_statement: bool) -> FileFacts {
        let tokens = file_tokens(file);
        let tx = places(file.statements.iter().map(|s| &s.node), multi_statement);
        let stmts = file
            .statements
            .iter()
            .zip(tx)
            .map(|(stmt, tx)| {
                let effects = effects(&stmt.node);
                let range = token_range(&tokens, stmt.span);
                let cmd_spans = match &stmt.node {
                    NodeEnum::AlterTableStmt(s) => {
                        let at = s
                            .relation
                            .as_ref()
                            .and_then(|rv| stmt.at(rv.location))
                            .filter(|&at| at >= stmt.span.start && at < stmt.span.end);
                        tokens::alter_cmd_spans(s, &tokens[range.clone()], at)
                    }
                    _ => None,
                };
                StmtFacts {
                    creates_anything: creates_anything(&stmt.node, &effects),
                    effects,
                    tx,
                    tokens: range,
                    cmd_spans,
                }
            })
            .collect();
        FileFacts {
            tokens,
            stmts,
            names: OnceCell::new(),
        }
    }

    /// The tokens of statement `i`.
    pub fn stmt_tokens(&self, i: usize) -> &[Tok] {
        &self.tokens[self.stmts[i].tokens.clone()]
    }

    /// Statement `i` comes after one of the file that creates `obj`.
    pub fn created_before(&self, obj: &Obj, i: usize) -> bool {
        self.names()
            .first_created
            .get(&obj.key())
            .is_some_and(|&j| j < i)
    }

    /// Statement `i` or a later one of the file creates `obj` or renames
    /// something to its name.
    pub fn taken_from(&self, obj: &Obj, i: usize) -> bool {
        self.names()
            .last_taken
            .get(&obj.key())
            .is_some_and(|&j| j >= i)
    }

    fn names(&self) -> &Names {
        self.names.get_or_init(|| {
            let mut names = Names::default();
            for (i, s) in self.stmts.iter().enumerate() {
                for e in &s.effects {
                    match e {
                        Effect::Create { obj, .. } if obj.is_named() => {
                            let key = obj.key();
                            names.first_created.entry(key.clone()).or_insert(i);
                            names.last_taken.insert(key, i);
                        }
                        Effect::Rename { to, .. } => {
                            names.last_taken.insert(to.key(), i);
                        }
                        _ => {}
                    }
                }
            }
            names
        })
    }
}

/// The tokens of a file: one scan of the whole text; when the scanner
/// rejects it (an unterminated literal), each statement scanned alone.
fn file_tokens(file: &ParsedFile) -> Vec<Tok> {
    let all = tokens::tokens(&file.text);
    if !all.is_empty() || file.statements.is_empty() {
        return all;
    }
    let mut out = Vec::new();
    for stmt in &file.statements {
        out.extend(
            tokens::tokens(file.slice(stmt.span))
                .into_iter()
                .map(|t| Tok {
                    start: t.start + stmt.span.start,
                    end: t.end + stmt.span.start,
                    ..t
                }),
        );
    }
    out
}

fn token_range(tokens: &[Tok], span: Span) -> Range<usize> {
    let from = tokens.partition_point(|t| t.start < span.start);
    let to = from + tokens[from..].partition_point(|t| t.start < span.end);
    from..to
}
