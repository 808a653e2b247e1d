//! What the engine reads off a parsed file once, before any rule runs, and
//! hands to every rule through the context: the file's tokens, and per
//! statement its span, effects (the one DDL interpreter, `model::effects`),
//! summary (`model::summary`: what rules ask about *other* statements),
//! the transaction it runs in (`model::tx`), its `ALTER TABLE` subcommand
//! spans. Built on the parsing threads, a run of statements at a time
//! (`FactsBuilder`), so a file's trees need not all exist at once; dropped
//! once the file is replayed.

use std::cell::OnceCell;

use pg_query::NodeEnum;
use rustc_hash::FxHashMap;

use crate::model::effects::{creates_anything, effects, Effect, TempNames};
use crate::model::renames::Renames;
use crate::model::summary::Summary;
use crate::model::tx::{rollbacks, Splitter, TxPlace};
use crate::model::{Kind, Obj, ObjKey, QualName};
use crate::parse::Statement;
use crate::source::Span;
use crate::tokens::{self, Tok};

/// One statement's facts.
#[derive(Debug)]
pub struct StmtFacts {
    /// From its first token to its end, without the semicolon.
    pub span: Span,
    /// Rules suppressed for it (`-- migralint-ignore`).
    pub ignored: Box<[String]>,
    pub effects: Box<[Effect]>,
    pub summary: Summary,
    /// Creates anything, named or not (`CREATE INDEX ON t (a)`, `ADD
    /// PRIMARY KEY (id)` included).
    pub creates_anything: bool,
    pub tx: TxPlace,
    /// A `ROLLBACK` (or `ROLLBACK TO SAVEPOINT`) that undoes statements:
    /// the first of them (`model::tx::rollbacks`).
    pub undoes_from: Option<usize>,
    /// The first later statement that undoes this one (a `ROLLBACK`, a
    /// `ROLLBACK TO SAVEPOINT`): what it did does not last.
    pub undone_by: Option<usize>,
    /// The span of each `ALTER TABLE` subcommand, when they can be told
    /// apart (`tokens::alter_cmd_spans`).
    pub cmd_spans: Option<Box<[Span]>>,
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
    /// golang-migrate's `x-multi-statement=true` was in force.
    multi_statement: bool,
}

/// Why a file's statements do not all run in one transaction, so that a
/// failure halfway leaves the statements before it applied (`FileFacts::split`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Split {
    /// `multi-statement = true`: each statement outside `BEGIN ... COMMIT`
    /// commits alone.
    MultiStatement,
    /// Statement `i` ends a transaction (`COMMIT`) and more work follows.
    Commit(usize),
}

#[derive(Debug, Default)]
struct Names {
    /// The first statement that creates each object.
    first_created: FxHashMap<ObjKey, usize>,
    /// The first statement that creates each object or renames something
    /// to its name.
    first_made: FxHashMap<ObjKey, usize>,
    /// The last statement that creates each object or renames something
    /// to its name.
    last_taken: FxHashMap<ObjKey, usize>,
    /// The last statement that drops each table.
    last_dropped_table: FxHashMap<(String, String), usize>,
    /// The last statement that validates each constraint (by table, name).
    last_validated: FxHashMap<((String, String), String), usize>,
    /// `FileFacts::split`, computed once.
    split: Option<Split>,
    /// The file's renames composed, by statement index.
    renames: Renames,
}

/// Builds a file's facts from its statements, in order, a run at a time.
pub struct FactsBuilder<'a> {
    text: &'a str,
    pg_version: u32,
    splitter: Splitter,
    /// The whole text scanned at once; `false` when the scanner rejected
    /// it and each statement is scanned alone.
    scanned: bool,
    facts: FileFacts,
    /// The file's `TEMP` objects so far (`creates_anything`).
    temp: Vec<Obj>,
}

impl<'a> FactsBuilder<'a> {
    pub fn new(text: &'a str, pg_version: u32, multi_statement: bool) -> Self {
        let tokens = tokens::tokens(text);
        FactsBuilder {
            text,
            pg_version,
            splitter: Splitter::new(multi_statement),
            scanned: !tokens.is_empty(),
            facts: FileFacts {
                tokens,
                stmts: Vec::new(),
                names: OnceCell::new(),
                multi_statement,
            },
            temp: Vec::new(),
        }
    }

    /// The text split into statements, from its tokens (for
    /// `parse::parse_runs`).
    pub fn pieces(&self) -> Vec<Span> {
        if self.scanned {
            tokens::split(&self.facts.tokens, self.text.len())
        } else {
            Vec::new()
        }
    }

    /// Room for `n` more statements.
    pub fn reserve(&mut self, n: usize) {
        self.facts.stmts.reserve_exact(n);
    }

    /// The next statements of the file.
    pub fn push(&mut self, run: &[Statement]) {
        for stmt in run {
            if !self.scanned {
                let at = stmt.span.start;
                let text = &self.text[stmt.span.start..stmt.span.end];
                self.facts
                    .tokens
                    .extend(tokens::tokens(text).into_iter().map(|t| t.shifted(at)));
            }
            let tokens = tokens::within(&self.facts.tokens, stmt.span);
            let effects = effects(&stmt.node);
            let cmd_spans = match &stmt.node {
                NodeEnum::AlterTableStmt(s) => {
                    let at = s
                        .relation
                        .as_ref()
                        .and_then(|rv| stmt.at(rv.location))
                        .filter(|&at| at >= stmt.span.start && at < stmt.span.end);
                    tokens::alter_cmd_spans(s, tokens, at).map(Vec::into_boxed_slice)
                }
                _ => None,
            };
            self.facts.stmts.push(StmtFacts {
                span: stmt.span,
                ignored: stmt.ignored.clone().into_boxed_slice(),
                creates_anything: creates_anything(&stmt.node, &effects, &mut self.temp),
                summary: Summary::of(&stmt.node, self.pg_version),
                effects: effects.into_boxed_slice(),
                tx: self.splitter.next(&stmt.node),
                undoes_from: None,
                undone_by: None,
                cmd_spans,
            });
        }
    }

    pub fn finish(mut self) -> FileFacts {
        let stmts = &mut self.facts.stmts;
        let undoes = rollbacks(
            stmts
                .iter()
                .map(|s| (s.tx, s.summary.tx_kind, s.summary.savepoint())),
        );
        for (j, from) in undoes.into_iter().enumerate() {
            let Some(from) = from else { continue };
            stmts[j].undoes_from = Some(from);
            for s in &mut stmts[from..j] {
                s.undone_by.get_or_insert(j);
            }
        }
        // Unqualified names of the file's temporary relations, followed in
        // order (what a ROLLBACK undoes included).
        let mut temp = TempNames::default();
        let mut saved: FxHashMap<usize, TempNames> = FxHashMap::default();
        let marks: Vec<usize> = stmts.iter().filter_map(|s| s.undoes_from).collect();
        for (j, stmt) in stmts.iter_mut().enumerate() {
            if marks.contains(&j) {
                saved.insert(j, temp.clone());
            }
            let mut effects = std::mem::take(&mut stmt.effects).into_vec();
            temp.resolve(&mut effects);
            stmt.effects = effects.into_boxed_slice();
            if let Some(before) = stmt.undoes_from.and_then(|i| saved.get(&i)) {
                temp = before.clone();
            }
        }
        self.facts
    }
}

impl FileFacts {
    /// The facts of a file whose statements are all at hand.
    pub fn new(text: &str, statements: &[Statement], pg_version: u32, multi: bool) -> FileFacts {
        let mut builder = FactsBuilder::new(text, pg_version, multi);
        builder.push(statements);
        builder.finish()
    }

    /// What statement `i` leaves behind: its effects, none when a later
    /// `ROLLBACK` undoes it.
    pub fn lasting_effects(&self, i: usize) -> &[Effect] {
        let s = &self.stmts[i];
        if s.undone_by.is_some() {
            &[]
        } else {
            &s.effects
        }
    }

    /// The tokens of statement `i`.
    pub fn stmt_tokens(&self, i: usize) -> &[Tok] {
        tokens::within(&self.tokens, self.stmts[i].span)
    }

    /// Statement `i` comes after one of the file that creates `obj` or
    /// renames something to its name (`ALTER TYPE t RENAME TO t_old` makes
    /// `t_old`: a later `DROP TYPE t_old` finds it).
    pub fn made_before(&self, obj: &Obj, i: usize) -> bool {
        self.names()
            .first_made
            .get(&obj.key())
            .is_some_and(|&j| j < i)
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

    /// The file's renames followed in order (`model::renames`): what the
    /// application sees is the schema before the file and after it.
    pub fn renames(&self) -> &Renames {
        &self.names().renames
    }

    /// A statement after statement `i`, in its transaction, drops `obj`
    /// (a scratch object: whatever happens to that transaction, it does
    /// not outlive it).
    pub fn dropped_later_in_tx(&self, obj: &Obj, i: usize) -> bool {
        let key = obj.key();
        let tx = self.stmts[i].tx.id;
        self.stmts[i + 1..]
            .iter()
            .take_while(|s| s.tx.id == tx)
            .any(|s| {
                s.effects
                    .iter()
                    .any(|e| matches!(e, Effect::Drop { obj, .. } if obj.key() == key))
            })
    }

    /// A statement before statement `i` drops `obj` or renames it away:
    /// unless that statement failed (and the file with it), nothing of
    /// that name is there at `i`, unless a statement between takes it.
    /// (A function dropped without its arguments is any of its name.)
    pub fn dropped_before(&self, obj: &Obj, i: usize) -> bool {
        let freed = self.stmts[..i].iter().rposition(|s| {
            s.effects.iter().any(|e| match e {
                Effect::Drop { obj: d, .. } => d.same_key(obj),
                Effect::Rename { from, to } => from.same_key(obj) && !to.same_key(obj),
                _ => false,
            })
        });
        let Some(freed) = freed else {
            return false;
        };
        !self.stmts[freed + 1..i].iter().any(|s| {
            s.effects.iter().any(|e| match e {
                Effect::Create { obj: c, .. } => c.same_key(obj),
                Effect::Rename { to, .. } => to.same_key(obj),
                _ => false,
            })
        })
    }

    /// A statement after statement `i` drops `table`.
    pub fn table_dropped_after(&self, table: &QualName, i: usize) -> bool {
        self.names()
            .last_dropped_table
            .get(&table.key())
            .is_some_and(|&j| j > i)
    }

    /// A statement after statement `i` validates constraint `name` of `table`.
    pub fn validated_after(&self, table: &QualName, name: &str, i: usize) -> bool {
        self.names()
            .last_validated
            .get(&(table.key(), name.to_string()))
            .is_some_and(|&j| j > i)
    }

    /// Why the file cannot run as one transaction, when it cannot: it
    /// holds two statements or more that do work and they do not all run
    /// in one transaction (`model::tx`). A file of one statement cannot
    /// fail halfway. A statement that refuses a transaction block
    /// (`CONCURRENTLY`, `VACUUM`) does not split a file by itself: without
    /// `multi-statement` PostgreSQL rejects the whole file, in its implicit
    /// transaction, before anything commits (`ban-concurrently-in-transaction`);
    /// with it, every statement commits alone anyway.
    pub fn split(&self) -> Option<Split> {
        self.names().split
    }

    fn compute_split(&self) -> Option<Split> {
        let work: Vec<usize> = (0..self.stmts.len())
            .filter(|&i| self.stmts[i].summary.does_work)
            .collect();
        if work.len() < 2 {
            return None;
        }
        let first = self.stmts[work[0]].tx.id;
        let last = self.stmts[work[work.len() - 1]].tx.id;
        if first == last {
            return None;
        }
        if self.multi_statement {
            return Some(Split::MultiStatement);
        }
        // The statement that ends the first transaction.
        let end = (work[0]..self.stmts.len())
            .find(|&i| {
                self.stmts[i].summary.tx_kind.is_some()
                    && self.stmts.get(i + 1).is_some_and(|n| n.tx.id != first)
            })
            .unwrap_or(work[0]);
        Some(Split::Commit(end))
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
                            names.first_made.entry(key.clone()).or_insert(i);
                            names.last_taken.insert(key, i);
                        }
                        Effect::Rename { to, .. } => {
                            let key = to.key();
                            names.first_made.entry(key.clone()).or_insert(i);
                            names.last_taken.insert(key, i);
                        }
                        Effect::Drop { obj, .. } if obj.kind == Kind::Table => {
                            names.last_dropped_table.insert(obj.name.key(), i);
                        }
                        Effect::Validate { table, name } => {
                            names.last_validated.insert((table.key(), name.clone()), i);
                        }
                        _ => {}
                    }
                }
            }
            for i in 0..self.stmts.len() {
                for e in self.lasting_effects(i) {
                    if let Effect::Rename { from, to } = e {
                        names.renames.apply(from, to, i, true);
                    }
                }
            }
            names.split = self.compute_split();
            names
        })
    }
}
