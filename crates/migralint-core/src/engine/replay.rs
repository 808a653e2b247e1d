//! The replay: files in version order, a chunk at a time, the next chunk
//! parsed (and its facts read) in parallel while the current one is
//! replayed. Each statement's rules run against the schema as replayed so
//! far, then the schema applies the statement's effects; an up file's
//! effects go to its directory's pairing history, and at a down file the
//! pairing rules run. A replayed file keeps only what the rest of the run
//! needs (`SetFile`).

use super::context::{DownCx, FileCx, Findings, Neighbours, StmtCx, TxState};
use super::facts::{FactsBuilder, FileFacts};
use super::files::SetFile;
use super::options::Options;
use super::pairing::Pairing;
use super::par;
use super::resolve::diagnostic;
use super::rule::{Check, Rule};
use super::SourceFile;
use crate::migration::{Direction, MigrationName};
use crate::model::effects::{relation_if_exists, runs_unfollowed_code};
use crate::model::Schema;
use crate::parse::{reparse, ParsedFile, Statement, RUN_BYTES};
use crate::report::{Diagnostic, Severity};

/// Files parsed ahead of the replay at a time: at most `CHUNK` files and,
/// past the first file, at most `CHUNK_BYTES` of text (a parse tree takes
/// tens of times its text). Memory holds the trees of at most two chunks
/// (the one being replayed and the next, being parsed). 4 KiB rather than
/// 32: the peak on real folders drops by about 1.3 MB (about 15% of what
/// is not the binary itself), with no measurable change in wall time.
const CHUNK: usize = 64;
const CHUNK_BYTES: usize = 4 << 10;

/// When a file's trees are kept. A file of more text than `keep_trees` is
/// parsed a run of about `run` bytes at a time and its trees dropped once
/// their facts are read; its statements are parsed again, a run at a time,
/// when the replay reaches them. Memory then holds a file's text, tokens
/// and facts, and the trees of one run of statements.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub keep_trees: usize,
    pub run: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            keep_trees: 1 << 20,
            run: RUN_BYTES,
        }
    }
}

/// A file parsed ahead of its turn in the replay, with its facts (and its
/// trees, when it is small: `Limits`).
struct Parsed {
    index: usize,
    file: ParsedFile,
    facts: FileFacts,
}

/// Parses a file and reads its facts.
fn parse(index: usize, source: &SourceFile, options: &Options, limits: Limits) -> Parsed {
    let pg = options.pg_version;
    let mut builder = FactsBuilder::new(&source.text, pg, options.multi_statement);
    let file = if source.text.len() <= limits.keep_trees {
        let file = source.parse();
        builder.push(&file.statements);
        file
    } else {
        let pieces = builder.pieces();
        builder.reserve(pieces.len());
        source.parse_runs(limits.run, Some(&pieces), &mut |run| builder.push(&run))
    };
    Parsed {
        index,
        file,
        facts: builder.finish(),
    }
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
    limits: Limits,
    out: &mut Out,
) -> Vec<SetFile> {
    let parse =
        |chunk: &[usize]| par::map(chunk, |&index| parse(index, &files[index], options, limits));
    let mut kept: Vec<Option<SetFile>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    let mut schema = Schema::default();
    let mut pairing = Pairing::default();
    let order = replay_order(names);
    let neighbours = neighbours(files, names);
    let mut chunks = chunked(&order, files).into_iter();
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
                        neighbours: neighbours[p.index],
                    };
                    lint_file(&cx, p.index, &mut schema, options, enabled, limits, out);
                    schema.end_session();
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
                            pairing.down(n.version, at, &kept, options, schema.refused(), |cx| {
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

/// Each migration file's neighbours in its directory (`Neighbours`).
fn neighbours(files: &[SourceFile], names: &[Option<MigrationName>]) -> Vec<Neighbours> {
    use std::collections::HashMap;
    let mut dirs: HashMap<&str, Vec<(u64, Direction)>> = HashMap::new();
    for (f, n) in files.iter().zip(names) {
        if let Some(n) = n {
            dirs.entry(super::files::dir_of(&f.path))
                .or_default()
                .push((n.version, n.direction));
        }
    }
    for all in dirs.values_mut() {
        all.sort_unstable();
    }
    files
        .iter()
        .zip(names)
        .map(|(f, n)| {
            let Some(n) = n else {
                return Neighbours::default();
            };
            let all = &dirs[super::files::dir_of(&f.path)];
            let below = all.partition_point(|v| v.0 < n.version);
            let above = all.partition_point(|v| v.0 <= n.version);
            Neighbours {
                prev: below.checked_sub(1).map(|i| all[i].0),
                next: all.get(above).map(|v| v.0),
                has_down: all[below..above].iter().any(|v| v.1 == Direction::Down),
            }
        })
        .collect()
}

/// Version order, ups before downs of the same version; files that are not
/// migrations come last in input order.
/// Cuts the replay order into chunks of at most `CHUNK` files and
/// `CHUNK_BYTES` of text (a larger file is a chunk of its own).
fn chunked<'a>(order: &'a [usize], files: &[SourceFile]) -> Vec<&'a [usize]> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (at, &index) in order.iter().enumerate() {
        let len = files[index].text.len();
        if at > start && (at - start == CHUNK || bytes + len > CHUNK_BYTES) {
            chunks.push(&order[start..at]);
            (start, bytes) = (at, 0);
        }
        bytes += len;
    }
    if start < order.len() {
        chunks.push(&order[start..]);
    }
    chunks
}

fn replay_order(names: &[Option<MigrationName>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| match &names[i] {
        Some(n) => (0, n.version, n.direction, i),
        None => (1, 0, Direction::Up, i),
    });
    order
}

/// Runs the statement rules over a file, statement by statement, applying
/// each statement's effects to the schema after its rules. A file whose
/// trees were dropped is parsed again a run at a time.
fn lint_file(
    file: &FileCx,
    index: usize,
    schema: &mut Schema,
    options: &Options,
    enabled: &[(&'static Rule, Severity)],
    limits: Limits,
    out: &mut Out,
) {
    let checks: Vec<_> = enabled
        .iter()
        .filter_map(|(rule, severity)| match rule.check {
            Check::Statement(check) => Some((*rule, *severity, check)),
            _ => None,
        })
        .collect();
    schema.enter_file(index, &file.parsed.path);
    let mut tx = TxState::default();
    // Where a later `ROLLBACK` (or `ROLLBACK TO SAVEPOINT`) takes the file
    // back to: the schema and settings before those statements, kept
    // until the end of the file (a savepoint can be rolled back to twice).
    let mut marks = vec![false; file.facts.stmts.len()];
    for s in &file.facts.stmts {
        if let Some(from) = s.undoes_from {
            marks[from] = true;
        }
    }
    let mut saved: rustc_hash::FxHashMap<usize, (Schema, TxState)> = Default::default();
    let mut lint = |stmt_index: usize, stmt: &Statement| {
        let facts = &file.facts.stmts[stmt_index];
        if marks[stmt_index] {
            saved.insert(stmt_index, (schema.clone(), tx.clone()));
        }
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
        tx.settle(&stmt.node);
        schema.at_line(file.parsed.line_col(facts.span.start).0);
        // What PostgreSQL refuses a down for: the pairing rules judge what
        // a down leaves undone only of downs that run.
        if schema.recording() {
            let refused = schema
                .gone_uses(&facts.effects, relation_if_exists(&stmt.node))
                .into_iter()
                .map(|u| u.obj)
                .collect();
            schema.note_refused(refused);
        }
        if runs_unfollowed_code(&stmt.node) {
            schema.forget_gone();
        }
        schema.apply(&facts.effects, index);
        if let Some((before, settings)) = facts.undoes_from.and_then(|i| saved.get(&i)) {
            schema.clone_from(before);
            tx.clone_from(settings);
        }
    };
    if file.trees_kept() {
        for (i, stmt) in file.parsed.statements.iter().enumerate() {
            lint(i, stmt);
        }
    } else {
        let spans: Vec<_> = file.facts.stmts.iter().map(|s| s.span).collect();
        let mut next = 0;
        reparse(&file.parsed.text, &spans, limits.run, &mut |run| {
            for mut stmt in run {
                // Statements that do not parse alike again are skipped.
                while next < spans.len() && spans[next] != stmt.span {
                    next += 1;
                }
                if next == spans.len() {
                    return;
                }
                stmt.ignored = file.facts.stmts[next].ignored.to_vec();
                lint(next, &stmt);
                next += 1;
            }
        });
    }
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
