//! What the rules' fixes share: a statement put alone in its migration
//! (in place, or split off into a new migration right after its file), a
//! new migration pair beside a file, a type name rewritten as written.

use pg_query::protobuf::Token;

use crate::engine::context::StmtCx;
use crate::fix::apply::apply_edits;
use crate::fix::{Applicability, FixSpec};
use crate::source::Span;
use crate::tokens::{self, Tok};

/// The version text of a new migration `step` versions after this file's,
/// in the same width, when the directory has no file at that version or
/// between (golang-migrate then runs it right after this one). `None` for
/// a file that is not a migration, a down file, or no room.
pub fn later_version(cx: &StmtCx, step: u64) -> Option<String> {
    let name = cx.file.name?;
    if !cx.file.is_up() {
        return None;
    }
    let version = name.version.checked_add(step)?;
    if cx.file.neighbours.next.is_some_and(|next| next <= version) {
        return None;
    }
    let width = name.version_text.len();
    let text = format!("{version:0width$}");
    (text.len() == width).then_some(text)
}

/// Adds to `fix` a new migration of version `version` titled after this
/// file's with `_{suffix}`: its up holds `up`; a down file (holding the
/// comment `down_note`) is created only when this file's version has one,
/// so a directory without downs gets none.
pub fn create_pair(
    fix: FixSpec,
    cx: &StmtCx,
    version: &str,
    suffix: &str,
    up: String,
    down_note: &str,
) -> Option<FixSpec> {
    create_pair_with_down(fix, cx, version, suffix, up, format!("-- {down_note}\n"))
}

/// Adds to `fix` a new migration pair of version `version` titled after
/// this file's with `_{suffix}`, with `up` and `down` as they are (the down
/// only when this file's version has one).
pub fn create_pair_with_down(
    fix: FixSpec,
    cx: &StmtCx,
    version: &str,
    suffix: &str,
    up: String,
    down: String,
) -> Option<FixSpec> {
    let name = cx.file.name?;
    let title = if name.title.is_empty() {
        suffix.to_string()
    } else {
        format!("{}_{suffix}", name.title)
    };
    let ext = &name.extension;
    let mut fix = fix.create(format!("{version}_{title}.up.{ext}"), up);
    if cx.file.neighbours.has_down {
        fix = fix.create(format!("{version}_{title}.down.{ext}"), down);
    }
    Some(fix)
}

/// The file can be cut between statements: an up migration with no
/// transaction-control statement (golang-migrate sends each file as one
/// query, run as one implicit transaction), linted statement by statement.
pub fn splittable(cx: &StmtCx) -> bool {
    cx.file.is_up()
        && cx.file.name.is_some()
        && !cx.options.multi_statement
        && (0..cx.stmt_count()).all(|j| cx.summary_of(j).tx_kind.is_none())
}

/// Where statement `i` ends, its semicolon included when it has one.
pub fn end_with_semicolon(cx: &StmtCx, i: usize) -> usize {
    let end = cx.span_of(i).end;
    match tokens::from(&cx.file.facts.tokens, end).first() {
        Some(t) if t.is(Token::Ascii59) => t.end(),
        _ => end,
    }
}

/// A fix that makes this statement, with `edits` applied inside it,
/// stand alone in its migration, as a statement that cannot run in a
/// transaction block needs: in place when the file has no other statement;
/// when it is the last statement of a file that can be cut
/// (`splittable`), moved (with the comments before it) to a new migration
/// right after this one, titled `{title}_{suffix}`. `None` otherwise: a
/// statement before others would have to run before them, which a later
/// version cannot do.
pub fn alone(
    cx: &StmtCx,
    message: &str,
    applicability: Applicability,
    edits: Vec<(Span, String)>,
    suffix: &str,
) -> Option<FixSpec> {
    if cx.tx.in_explicit_tx || cx.summary_of(cx.stmt_index).tx_kind.is_some() {
        return None;
    }
    if !cx.file_has_other_statements() {
        let fix = FixSpec::new(message, applicability);
        return Some(
            edits
                .into_iter()
                .fold(fix, |fix, (span, content)| fix.replace(span, content)),
        );
    }
    // A statement that creates something, in a directory with downs: the
    // down of this file undoes it, and would then undo what a later
    // version created (the pairing rules say so); not split.
    let creates = cx.facts().creates_anything;
    if !splittable(cx)
        || cx.stmt_index + 1 != cx.stmt_count()
        || (creates && cx.file.neighbours.has_down)
    {
        return None;
    }
    let version = later_version(cx, 1)?;
    let from = end_with_semicolon(cx, cx.stmt_index - 1);
    let to = end_with_semicolon(cx, cx.stmt_index);
    let moved = Span::new(from, to);
    let text = cx.text(moved);
    let shifted: Vec<(Span, String)> = edits
        .into_iter()
        .map(|(s, c)| (Span::new(s.start - from, s.end - from), c))
        .collect();
    let up = format!("{}\n", apply_edits(text, &shifted).trim());
    let file = cx
        .file
        .name
        .map(|n| format!("{}_{}", n.version_text, n.title))?;
    let fix = FixSpec::new(
        format!("{message} and move the statement to a new migration of version {version}"),
        applicability,
    );
    create_pair(
        fix.replace(moved, ""),
        cx,
        &version,
        suffix,
        up,
        &format!("split off {file} by a fix: the down migration of {file} undoes it"),
    )
}

/// The span of a type name written at byte `at`: the longest of
/// `spellings` (lower-case words) the tokens there spell, with the
/// parenthesised modifiers after it (`char(10)`) when `modifiers`. The span
/// and whether the first word is written in upper case.
pub fn type_span(
    cx: &StmtCx,
    at: usize,
    spellings: &[&[&str]],
    modifiers: bool,
) -> Option<(Span, bool)> {
    let toks: &[Tok] = tokens::from(&cx.file.facts.tokens, at);
    let first = toks.first()?;
    if first.start() != at {
        return None;
    }
    let word = |t: &Tok| cx.text(t.span()).to_ascii_lowercase();
    let n = spellings
        .iter()
        .filter(|s| s.len() <= toks.len() && s.iter().zip(toks).all(|(w, t)| word(t) == *w))
        .map(|s| s.len())
        .max()?;
    let mut end = toks[n - 1].end();
    if modifiers && toks.get(n).is_some_and(|t| t.is(Token::Ascii40)) {
        let close = toks[n..].iter().position(|t| t.is(Token::Ascii41))?;
        end = toks[n + close].end();
    }
    let written = cx.text(first.span());
    let upper = written.chars().all(|c| !c.is_ascii_lowercase());
    Some((Span::new(at, end), upper))
}

/// `word` in upper case when `upper`.
pub fn cased(word: &str, upper: bool) -> String {
    if upper {
        word.to_ascii_uppercase()
    } else {
        word.to_string()
    }
}

/// A fix that rewrites the type written at byte `at` of the file to
/// `to`, when it is spelled one of `spellings`.
pub fn retype(
    cx: &StmtCx,
    at: usize,
    spellings: &[&[&str]],
    modifiers: bool,
    to: &str,
    applicability: Applicability,
) -> Option<FixSpec> {
    let (span, upper) = type_span(cx, at, spellings, modifiers)?;
    Some(
        FixSpec::new(format!("change the type to `{to}`"), applicability)
            .replace(span, cased(to, upper)),
    )
}
