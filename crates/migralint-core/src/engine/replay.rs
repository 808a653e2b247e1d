//! The replay: files in version order, a chunk at a time, the next chunk
//! parsed (and its facts read) in parallel while the current one is
//! replayed. Each statement's rules run against the schema as replayed so
//! far, then the schema applies the statement's effects; an up file's
//! effects go to its directory's pairing history, and at a down file the
//! pairing rules run. A replayed file keeps only what the rest of the run
//! needs (`SetFile`).

use pg_query::NodeEnum;

use super::context::{DownCx, FileCx, Findings, StmtCx, TxState};
use super::facts::FileFacts;
use super::files::SetFile;
use super::options::Options;
use super::pairing::Pairing;
use super::par;
use super::resolve::diagnostic;
use super::rule::{Check, Rule};
use super::SourceFile;
use crate::migration::{Direction, MigrationName};
use crate::model::names::node_int;
use crate::model::Schema;
use crate::parse::ParsedFile;
use crate::report::{Diagnostic, Severity};

/// Files parsed ahead of the replay at a time. Memory holds the trees of at
/// most two chunks (the one being replayed and the next, being parsed).
const CHUNK: usize = 64;

/// A file parsed ahead of its turn in the replay, with its facts.
struct Parsed {
    index: usize,
    file: ParsedFile,
    facts: FileFacts,
}

/// Diagnostics with the index of their file (for sorting).
pub type Out = Vec<(usize, Diagnostic)>;

/// Replays the files in version order into a schema model, running the
/// statement and pairing rules.
pub fn replay(
    files: &[SourceFile],
    names: &[Option<MigrationName>],
    options: &Options,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Out,
) -> Vec<SetFile> {
    let parse = |chunk: &[usize]| {
        par::map(chunk, |&index| {
            let file = files[index].parse();
            let facts = FileFacts::new(&file, options.multi_statement);
            Parsed { index, file, facts }
        })
    };
    let mut kept: Vec<Option<SetFile>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    let mut schema = Schema::default();
    let mut pairing = Pairing::default();
    let order = replay_order(names);
    let mut chunks = order.chunks(CHUNK);
    let mut ready = chunks.next().map(parse).unwrap_or_default();
    loop {
        let next = chunks.next();
        let current = std::mem::take(&mut ready);
        let ((), parsed) = par::join(
            || {
                for p in current {
                    let name = names[p.index].as_ref();
                    // Downs and non-migrations leave the schema as it was.
                    let scratch = name.is_none_or(|n| n.direction == Direction::Down);
                    if scratch {
                        schema.begin_recording();
                    }
                    let cx = FileCx {
                        parsed: &p.file,
                        name,
                        facts: &p.facts,
                    };
                    lint_file(&cx, p.index, &mut schema, options, enabled, out);
                    if scratch {
                        schema.rollback();
                    }
                    let file = SetFile::new(p.file, name.cloned(), &p.facts);
                    match name {
                        Some(n) if n.direction == Direction::Up => {
                            pairing.up((p.index, &file, p.facts), n.version, &kept);
                        }
                        Some(n) => {
                            let at = (p.index, &file, &p.facts);
                            pairing.down(n.version, at, &kept, options, |cx| {
                                down_rules(cx, enabled, out)
                            });
                        }
                        None => {}
                    }
                    kept[p.index] = Some(file);
                }
            },
            || next.map(parse),
        );
        match parsed {
            Some(parsed) => ready = parsed,
            None => break,
        }
    }
    kept.into_iter()
        .map(|f| f.expect("the replay visits every file"))
        .collect()
}

/// Version order, ups before downs of the same version; files that are not
/// migrations come last in input order.
fn replay_order(names: &[Option<MigrationName>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| match &names[i] {
        Some(n) => (0, n.version, n.direction, i),
        None => (1, 0, Direction::Up, i),
    });
    order
}

/// Runs the statement rules over a file, statement by statement, applying
/// each statement's effects to the schema after its rules.
fn lint_file(
    file: &FileCx,
    index: usize,
    schema: &mut Schema,
    options: &Options,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Out,
) {
    let checks: Vec<_> = enabled
        .iter()
        .filter_map(|(rule, severity)| match rule.check {
            Check::Statement(check) => Some((*rule, *severity, check)),
            _ => None,
        })
        .collect();
    let mut tx = TxState::default();
    for (stmt_index, stmt) in file.parsed.statements.iter().enumerate() {
        let facts = &file.facts.stmts[stmt_index];
        tx.in_explicit_tx = facts.tx.explicit;
        let cx = StmtCx {
            file,
            file_index: index,
            stmt,
            stmt_index,
            schema,
            tx: &tx,
            options,
        };
        for (rule, severity, check) in &checks {
            let mut findings = Findings::default();
            check(&cx, &mut findings);
            for f in findings.0 {
                out.push((index, diagnostic(file.parsed, rule, *severity, f.into())));
            }
        }
        if let NodeEnum::VariableSetStmt(s) = &stmt.node {
            if s.name == "lock_timeout" {
                tx.lock_timeout_set = sets_a_timeout(s);
            }
        }
        schema.apply(&facts.effects, index);
    }
}

/// `SET lock_timeout = ...` to something other than 0 (no timeout).
fn sets_a_timeout(s: &pg_query::protobuf::VariableSetStmt) -> bool {
    let value = s.args.first().and_then(node_int);
    let text = s.args.first().and_then(|a| match a.node.as_ref() {
        Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
            Some(pg_query::protobuf::a_const::Val::Sval(s)) => Some(s.sval.as_str()),
            _ => None,
        },
        _ => None,
    });
    let disabled = value == Some(0) || text.is_some_and(|t| t.trim().starts_with('0'));
    !s.args.is_empty() && !disabled
}

/// Runs the `Check::Down` rules on a down file (during the replay). Their
/// findings are in the down file, like a statement rule's in its own.
fn down_rules(cx: &DownCx, enabled: &[(&'static Rule, Severity)], out: &mut Out) {
    for (rule, severity) in enabled {
        if let Check::Down(check) = rule.check {
            let mut findings = Findings::default();
            check(cx, &mut findings);
            for f in findings.0 {
                out.push((
                    cx.down.index,
                    diagnostic(cx.down.file, rule, *severity, f.into()),
                ));
            }
        }
    }
}
