//! Parsing: one call into libpg_query per file, statements with byte spans,
//! syntax errors at the offending token, and suppression comments.
//!
//! The `pg_query` crate drops libpg_query's error cursor position, so the
//! parse call itself goes through the C function directly (the library is
//! linked by `pg_query`) and the tree is decoded with `prost` as the crate does.

use std::ffi::{c_char, c_int, CStr, CString};

use pg_query::protobuf::{self, Token};
use pg_query::NodeEnum;
use prost::Message;

use crate::source::{char_to_byte, LineIndex, Span};

/// The stack a thread that parses and lints needs for the deepest tree
/// libpg_query returns. libpg_query bounds the tree itself: at most 10,000
/// protobuf message levels (`PG_QUERY_PROTOBUF_MAX_DEPTH`) and its own
/// stack-depth check on the C stack (PostgreSQL's `max_stack_depth`, set
/// from the calling thread's stack and at most 2 MB). Decoding the tree,
/// dropping it and the rules' walks recurse once or more per level; an
/// unoptimised build uses up to ~40 kB of stack per level, so nesting at
/// libpg_query's limit needs a few hundred MB in a debug build (tens in
/// release). Front ends with threads (the CLI, the fuzz targets) lint on
/// threads with this much stack: it is address space, touched only as deep
/// as a file's nesting goes.
pub const LINT_STACK_SIZE: usize = 1 << 30;

/// One top-level SQL statement.
#[derive(Debug, Clone)]
pub struct Statement {
    pub node: NodeEnum,
    /// From the first token (past leading comments) to the end of the
    /// statement, without the terminating semicolon.
    pub span: Span,
    /// Rules suppressed for this statement by `-- migralint-ignore`.
    pub ignored: Vec<String>,
    /// Where the text it was parsed with starts in the file: node
    /// `location`s count from there (`at`).
    pub base: usize,
}

impl Statement {
    /// The byte offset in the file of a node `location` of this statement
    /// (`None` for an unknown location, -1).
    pub fn at(&self, location: i32) -> Option<usize> {
        usize::try_from(location).ok().map(|l| l + self.base)
    }
}

/// A statement the parser rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The offending token (or an empty span where it ends).
    pub span: Span,
    pub message: String,
}

/// A `migralint-ignore` comment, or a `squawk-ignore` one (honoured so a
/// team moving from squawk keeps the decisions it recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The comment.
    pub span: Span,
    /// `migralint-ignore-file` (whole file) rather than next statement.
    pub whole_file: bool,
    /// Rule names, each with its span in the comment. For a squawk comment,
    /// our rules its names map to (`SQUAWK_RULES`); `*` (`EVERY_RULE`) for
    /// a squawk comment that names none, which squawk reads as every rule.
    pub rules: Vec<(String, Span)>,
    /// A `squawk-ignore` comment: its names are squawk's, so names we do
    /// not map are not ours to report.
    pub squawk: bool,
}

/// The rule name a bare `-- squawk-ignore` stands for: every rule.
pub const EVERY_RULE: &str = "*";

/// squawk's rule names and the migralint rules that report the same
/// hazard (squawk 2.x; names squawk has and we do not map are skipped).
pub const SQUAWK_RULES: &[(&str, &[&str])] = &[
    (
        "adding-field-with-default",
        &["adding-field-with-volatile-default"],
    ),
    (
        "adding-foreign-key-constraint",
        &["constraint-missing-not-valid"],
    ),
    ("adding-not-nullable-field", &["set-not-null-scan"]),
    ("adding-required-field", &["adding-required-field"]),
    (
        "adding-serial-primary-key-field",
        &["require-unique-index-for-constraint"],
    ),
    ("ban-char-field", &["prefer-text-over-char"]),
    (
        "ban-concurrent-index-creation-in-transaction",
        &["ban-concurrently-in-transaction"],
    ),
    ("ban-drop-column", &["ban-drop-column"]),
    ("ban-drop-database", &["ban-drop-database"]),
    ("ban-drop-schema", &["ban-drop-schema-cascade"]),
    ("ban-drop-table", &["ban-drop-table"]),
    ("ban-truncate-cascade", &["ban-truncate-cascade"]),
    ("changing-column-type", &["changing-column-type"]),
    (
        "constraint-missing-not-valid",
        &["constraint-missing-not-valid"],
    ),
    (
        "disallowed-unique-constraint",
        &["require-unique-index-for-constraint"],
    ),
    ("prefer-big-int", &["prefer-bigint-over-int"]),
    ("prefer-bigint-over-int", &["prefer-bigint-over-int"]),
    ("prefer-bigint-over-smallint", &["prefer-bigint-over-int"]),
    ("prefer-repack", &["ban-vacuum-full", "ban-cluster"]),
    (
        "prefer-robust-stmts",
        &["prefer-create-if-not-exists", "prefer-drop-if-exists"],
    ),
    ("prefer-timestamp-tz", &["prefer-timestamptz"]),
    ("prefer-timestamptz", &["prefer-timestamptz"]),
    ("renaming-column", &["ban-rename-column"]),
    ("renaming-table", &["ban-rename-table"]),
    (
        "require-concurrent-index-creation",
        &["require-concurrent-index-creation"],
    ),
    (
        "require-concurrent-index-deletion",
        &["require-concurrent-index-deletion"],
    ),
    (
        "require-concurrent-reindex",
        &["require-concurrent-reindex"],
    ),
    ("require-lock-timeout", &["require-lock-timeout"]),
    ("require-timeout-settings", &["require-lock-timeout"]),
    ("transaction-nesting", &["transaction-nesting"]),
];

/// A file after parsing. Keeps its text so renderers can show excerpts.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub path: String,
    pub text: String,
    pub line_index: LineIndex,
    pub statements: Vec<Statement>,
    pub syntax_errors: Vec<SyntaxError>,
    pub suppressions: Vec<Suppression>,
}

impl ParsedFile {
    /// 1-based (line, column) of a byte offset in this file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.line_index.line_col(&self.text, offset)
    }

    /// The text of a span.
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start.min(self.text.len())..span.end.min(self.text.len())]
    }
}

const BOM: char = '\u{feff}';

/// Parses a file. Never fails: problems become `syntax_errors`.
pub fn parse_file(path: &str, text: &str) -> ParsedFile {
    let mut statements = Vec::new();
    let mut file = parse_runs(path, text, usize::MAX, None, &mut |run| {
        statements.extend(run)
    });
    file.statements = statements;
    file
}

/// Texts longer than this are parsed a run of whole statements at a time
/// (`parse_runs`), so libpg_query's memory for a parse stays bounded.
pub const RUN_BYTES: usize = 256 * 1024;

/// Parses a file, handing its statements to `each` in order, a run at a
/// time: the whole text in one libpg_query call when it is at most
/// `max_run` bytes, else runs of whole statements of about that size (a
/// caller can then keep each run's trees only as long as it needs them).
/// The file returned has its syntax errors and suppressions; its
/// `statements` are left empty. Never fails: problems become
/// `syntax_errors`.
///
/// `pieces`: the text split into statements (`tokens::split_statements`),
/// when the caller has it; else it is split here when needed.
pub fn parse_runs(
    path: &str,
    text: &str,
    max_run: usize,
    pieces: Option<&[Span]>,
    each: &mut dyn FnMut(Vec<Statement>),
) -> ParsedFile {
    let mut file = ParsedFile {
        path: path.to_string(),
        text: text.to_string(),
        line_index: LineIndex::new(text),
        statements: Vec::new(),
        syntax_errors: Vec::new(),
        suppressions: Vec::new(),
    };
    if let Some(nul) = text.find('\0') {
        file.syntax_errors.push(SyntaxError {
            span: Span::new(nul, nul + 1),
            message: "file contains a NUL byte".into(),
        });
        return file;
    }
    // A UTF-8 byte-order mark is not whitespace to PostgreSQL: it sticks to
    // the first token and the server rejects the file (golang-migrate sends
    // it as it is). Say so at 1:1, and lint the rest with the mark blanked
    // (three spaces keep every offset).
    let blanked;
    let text = match text.strip_prefix(BOM) {
        Some(rest) => {
            file.syntax_errors.push(SyntaxError {
                span: Span::new(0, BOM.len_utf8()),
                message: "file starts with a UTF-8 byte-order mark (U+FEFF), which PostgreSQL \
                          rejects; save the file as UTF-8 without BOM"
                    .into(),
            });
            blanked = format!("   {rest}");
            blanked.as_str()
        }
        None => text,
    };
    file.suppressions = find_suppressions(text);
    let mut attach = Attach::new(&file.suppressions);
    let mut each = |mut run: Vec<Statement>| {
        attach.to(&mut run);
        each(run);
    };
    let mut errors = Vec::new();
    if text.len() <= max_run {
        match parse_raw(text, 0) {
            Ok(stmts) => each(stmts),
            Err(whole) => {
                let pieces = crate::tokens::split_statements(text);
                recover_run(text, &pieces, &mut errors, &mut each);
                if errors.is_empty() {
                    // The pieces parse one by one but not together (or the
                    // scanner could not split): the whole-file error.
                    errors.push(whole.into_syntax_error(text, 0));
                }
            }
        }
    } else {
        let split;
        let pieces = match pieces {
            Some(p) => p,
            None => {
                split = crate::tokens::split_statements(text);
                split.as_slice()
            }
        };
        if pieces.is_empty() {
            // The scanner could not split (an unterminated literal).
            match parse_raw(text, 0) {
                Ok(stmts) => each(stmts),
                Err(whole) => errors.push(whole.into_syntax_error(text, 0)),
            }
        }
        let mut rest = pieces;
        while let Some(first) = rest.first() {
            let n = rest
                .iter()
                .position(|p| p.end - first.start > max_run)
                .unwrap_or(rest.len())
                .max(1);
            let (run, tail) = rest.split_at(n);
            recover_run(text, run, &mut errors, &mut each);
            rest = tail;
        }
    }
    file.syntax_errors.extend(errors);
    file
}

/// Parses again statements a parse of the same text found (their spans,
/// in order), a run of about `max_run` bytes at a time, handing them to
/// `each` in order: for a caller that dropped their trees. A statement that
/// does not come back alike is left out.
pub fn reparse(text: &str, spans: &[Span], max_run: usize, each: &mut dyn FnMut(Vec<Statement>)) {
    let mut rest = spans;
    while let Some(first) = rest.first() {
        let n = rest
            .iter()
            .position(|p| p.end - first.start > max_run)
            .unwrap_or(rest.len())
            .max(1);
        let (run, tail) = rest.split_at(n);
        rest = tail;
        let last = run[run.len() - 1];
        match parse_raw(&text[first.start..last.end], first.start) {
            Ok(stmts)
                if stmts.len() == run.len()
                    && stmts.iter().zip(run).all(|(s, span)| s.span == *span) =>
            {
                each(stmts)
            }
            _ => each(
                run.iter()
                    .filter_map(|span| parse_one(text, *span))
                    .collect(),
            ),
        }
    }
}

/// Parses the one statement at `span` of `text` again.
pub fn parse_one(text: &str, span: Span) -> Option<Statement> {
    let mut stmts = parse_raw(text.get(span.start..span.end)?, span.start).ok()?;
    (stmts.len() == 1 && stmts[0].span == span).then(|| stmts.remove(0))
}

/// Attaches next-statement suppressions to statements as they arrive: a
/// suppression applies to the first statement that starts after it.
struct Attach<'a> {
    pending: std::iter::Peekable<std::slice::Iter<'a, Suppression>>,
}

impl<'a> Attach<'a> {
    fn new(suppressions: &'a [Suppression]) -> Self {
        Attach {
            pending: suppressions.iter().peekable(),
        }
    }

    fn to(&mut self, run: &mut [Statement]) {
        for stmt in run {
            while let Some(sup) = self.pending.next_if(|s| s.span.end <= stmt.span.start) {
                if !sup.whole_file {
                    stmt.ignored
                        .extend(sup.rules.iter().map(|(name, _)| name.clone()));
                }
            }
        }
    }
}

/// Parses a run of consecutive pieces together, each run on its own (node
/// locations then count from the run's start: `Statement::base`). A run
/// that fails is split in halves down to single pieces, so a file with a
/// few bad statements costs a few parses of its length, not one per
/// statement, and every bad statement is reported at its own token.
fn recover_run(
    text: &str,
    pieces: &[Span],
    errors: &mut Vec<SyntaxError>,
    each: &mut dyn FnMut(Vec<Statement>),
) {
    let (Some(first), Some(last)) = (pieces.first(), pieces.last()) else {
        return;
    };
    let run = &text[first.start..last.end];
    match parse_raw(run, first.start) {
        Ok(stmts) => each(stmts),
        Err(e) if pieces.len() == 1 => errors.push(e.into_syntax_error(run, first.start)),
        Err(_) => {
            let (a, b) = pieces.split_at(pieces.len() / 2);
            recover_run(text, a, errors, each);
            recover_run(text, b, errors, each);
        }
    }
}

struct RawError {
    message: String,
    /// 1-based character position, 0 when unknown.
    cursor: usize,
}

impl RawError {
    /// The error in file offsets, for `text` parsed as the text starting
    /// at byte `base` of the file.
    fn into_syntax_error(self, text: &str, base: usize) -> SyntaxError {
        let span = if self.cursor == 0 {
            Span::empty(base + first_token(text, 0))
        } else {
            let start = char_to_byte(text, self.cursor - 1);
            Span::new(base + start, base + token_end(text, start))
        };
        SyntaxError {
            span,
            message: shorten_message(&self.message),
        }
    }
}

/// Longest excerpt of the source kept in a message (characters).
const EXCERPT_CHARS: usize = 60;
/// Longest message kept (characters); libpg_query's own texts are short.
const MESSAGE_CHARS: usize = 300;

/// Cuts the source excerpt libpg_query quotes (`... at or near "<token>"`,
/// which for an unterminated literal is the rest of the file) to
/// `EXCERPT_CHARS`, and the whole message to `MESSAGE_CHARS`, with an
/// ellipsis where text was cut. The span still covers the whole token.
fn shorten_message(message: &str) -> String {
    const NEAR: &str = " at or near \"";
    let message = match message.find(NEAR) {
        Some(i) if message.ends_with('"') && message.len() > i + NEAR.len() => {
            let start = i + NEAR.len();
            let excerpt = &message[start..message.len() - 1];
            format!(
                "{}{}\"",
                &message[..start],
                ellipsize(excerpt, EXCERPT_CHARS)
            )
        }
        _ => message.to_string(),
    };
    ellipsize(&message, MESSAGE_CHARS)
}

/// `text` cut to `max` characters, `…` standing for the rest.
fn ellipsize(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The end of the token starting at `start` (for underlining it).
fn token_end(text: &str, start: usize) -> usize {
    if start >= text.len() {
        return start;
    }
    match crate::tokens::scan(&text[start..]) {
        Ok(tokens) => tokens
            .first()
            .map_or(text.len(), |t| start + t.end as usize),
        // An unterminated literal or comment: underline to the end of the line.
        Err(_) => text[start..].find('\n').map_or(text.len(), |i| start + i),
    }
}

#[repr(C)]
struct PgQueryProtobuf {
    len: usize,
    data: *mut c_char,
}

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryProtobufParseResult {
    parse_tree: PgQueryProtobuf,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

extern "C" {
    fn pg_query_parse_protobuf_opts(
        input: *const c_char,
        parser_options: c_int,
    ) -> PgQueryProtobufParseResult;
    fn pg_query_free_protobuf_parse_result(result: PgQueryProtobufParseResult);
}

/// One libpg_query call over `text`, the part of the file that starts at
/// byte `base`.
fn parse_raw(text: &str, base: usize) -> Result<Vec<Statement>, RawError> {
    let input = CString::new(text).map_err(|_| RawError {
        message: "NUL byte in input".into(),
        cursor: 0,
    })?;
    // SAFETY: `input` outlives the call; the result is freed exactly once below.
    let result = unsafe { pg_query_parse_protobuf_opts(input.as_ptr(), 0) };
    let decoded = if !result.error.is_null() {
        // SAFETY: a non-null error points to a valid PgQueryError with a C string message.
        let err = unsafe { &*result.error };
        let message = unsafe { CStr::from_ptr(err.message) }
            .to_string_lossy()
            .into_owned();
        Err(RawError {
            message,
            cursor: err.cursorpos.max(0) as usize,
        })
    } else {
        // SAFETY: on success `parse_tree` holds `len` bytes of protobuf.
        let data = unsafe {
            std::slice::from_raw_parts(result.parse_tree.data as *const u8, result.parse_tree.len)
        };
        protobuf::ParseResult::decode(data).map_err(|e| RawError {
            message: format!("internal error decoding the parse tree: {e}"),
            cursor: 0,
        })
    };
    // SAFETY: `result` came from pg_query_parse_protobuf_opts and is freed once.
    unsafe { pg_query_free_protobuf_parse_result(result) };
    let tree = decoded?;
    Ok(tree
        .stmts
        .into_iter()
        .filter_map(|raw| {
            let node = raw.stmt?.node?;
            let start = raw.stmt_location.max(0) as usize;
            let end = if raw.stmt_len == 0 {
                text.len()
            } else {
                start + raw.stmt_len as usize
            };
            let start = first_token(text, start).min(end);
            let end = text[..end].trim_end().len().max(start);
            Some(Statement {
                node,
                span: Span::new(base + start, base + end),
                ignored: Vec::new(),
                base,
            })
        })
        .collect())
}

/// Skips whitespace and comments (`--` and nested `/* */`) from `pos`.
pub fn first_token(text: &str, mut pos: usize) -> usize {
    let b = text.as_bytes();
    loop {
        while pos < b.len() && b[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if b[pos..].starts_with(b"--") {
            pos = text[pos..].find('\n').map_or(b.len(), |i| pos + i + 1);
        } else if b[pos..].starts_with(b"/*") {
            let mut depth = 0usize;
            while pos < b.len() {
                if b[pos..].starts_with(b"/*") {
                    depth += 1;
                    pos += 2;
                } else if b[pos..].starts_with(b"*/") {
                    depth -= 1;
                    pos += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    pos += 1;
                }
            }
        } else {
            return pos.min(b.len());
        }
    }
}

const IGNORE: &str = "migralint-ignore";
const SQUAWK_IGNORE: &str = "squawk-ignore";

/// Finds `-- migralint-ignore rule-a, rule-b` and `-- migralint-ignore-file
/// rule` comments, and squawk's `-- squawk-ignore[-file] [rule, ...]`.
/// Only real comments count (not string literals).
fn find_suppressions(text: &str) -> Vec<Suppression> {
    if !text.contains(IGNORE) && !text.contains(SQUAWK_IGNORE) {
        return Vec::new();
    }
    comments(text)
        .into_iter()
        .filter_map(|span| parse_suppression(text, span))
        .collect()
}

/// The comments of `text` (`-- ...` and `/* ... */`, not string
/// literals), in order; none when the text does not scan.
pub(crate) fn comments(text: &str) -> Vec<Span> {
    let Ok(tokens) = crate::tokens::scan(text) else {
        return Vec::new();
    };
    tokens
        .iter()
        .filter(|t| t.token == Token::SqlComment as i32 || t.token == Token::CComment as i32)
        .map(|t| Span::new(t.start as usize, t.end as usize))
        .collect()
}

/// Where a comment's text starts, past `--` or `/*`.
const COMMENT_BODY_START: usize = 2;

/// A comment's text: past `--` or `/*`, before `*/` (spaces kept).
pub(crate) fn comment_body(comment: &str) -> &str {
    let body = comment.get(COMMENT_BODY_START..).unwrap_or("");
    body.strip_suffix("*/").unwrap_or(body)
}

fn parse_suppression(text: &str, span: Span) -> Option<Suppression> {
    let body_start = COMMENT_BODY_START;
    let body = comment_body(&text[span.start..span.end]);
    let lead = body.len() - body.trim_start().len();
    let (marker, rest) = [IGNORE, SQUAWK_IGNORE]
        .into_iter()
        .find_map(|m| Some((m, body.trim_start().strip_prefix(m)?)))?;
    let squawk = marker == SQUAWK_IGNORE;
    let (whole_file, rest, skip) = match rest.strip_prefix("-file") {
        Some(r) => (true, r, marker.len() + 5),
        None => (false, rest, marker.len()),
    };
    if !(rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || c == ':')) {
        return None;
    }
    let offset = span.start + body_start + lead + skip;
    let mut rules = Vec::new();
    // Names run until the end of the comment or a `--` that starts a reason.
    let names = rest.split(" --").next().unwrap_or("");
    let mut cursor = 0;
    for part in names.split(|c: char| c == ',' || c == ':' || c.is_whitespace()) {
        let at = offset + cursor;
        cursor += part.len() + 1;
        if part.is_empty() {
            continue;
        }
        let part_span = Span::new(at, at + part.len());
        if !squawk {
            rules.push((part.to_string(), part_span));
        } else if let Some((_, ours)) = SQUAWK_RULES.iter().find(|(name, _)| *name == part) {
            rules.extend(ours.iter().map(|r| (r.to_string(), part_span)));
        }
    }
    if squawk && names.trim().is_empty() {
        rules.push((EVERY_RULE.to_string(), span));
    }
    Some(Suppression {
        span,
        whole_file,
        rules,
        squawk,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_start_past_comments() {
        let text = "-- header\n/* block /* nested */ */\nCREATE TABLE a (id int);\n\n  SELECT 1;";
        let f = parse_file("x.sql", text);
        assert!(f.syntax_errors.is_empty());
        assert_eq!(f.statements.len(), 2);
        assert_eq!(f.slice(f.statements[0].span), "CREATE TABLE a (id int)");
        assert_eq!(f.slice(f.statements[1].span), "SELECT 1");
    }

    #[test]
    fn syntax_error_at_token() {
        let text = "CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b int NOT NUL;\nSELECT 1;\nSELEC 2;";
        let f = parse_file("x.sql", text);
        assert_eq!(f.syntax_errors.len(), 2, "{:?}", f.syntax_errors);
        let e = &f.syntax_errors[0];
        assert_eq!(f.slice(e.span), "NUL");
        assert_eq!(f.line_col(e.span.start), (2, 36));
        assert!(e.message.contains("syntax error"), "{}", e.message);
        assert_eq!(f.slice(f.syntax_errors[1].span), "SELEC");
        // The good statements are still there.
        assert_eq!(f.statements.len(), 2);
    }

    #[test]
    fn recovery_is_not_quadratic() {
        // 20,000 statements, a few of them bad: each bad one is found, the
        // good ones are all linted, in a few parses of the file (this took
        // minutes when each statement was parsed after a blanked prefix).
        let mut text = String::new();
        for i in 0..20_000 {
            if i % 5_000 == 4_321 {
                text.push_str("SELEC 1;\n");
            } else {
                text.push_str(&format!("ALTER TABLE users ADD COLUMN c{i} int;\n"));
            }
        }
        let started = std::time::Instant::now();
        let f = parse_file("x.sql", &text);
        assert_eq!(f.syntax_errors.len(), 4);
        assert_eq!(f.statements.len(), 19_996);
        assert_eq!(f.line_col(f.syntax_errors[3].span.start), (19_322, 1));
        assert_eq!(f.slice(f.syntax_errors[3].span), "SELEC");
        let elapsed = started.elapsed();
        assert!(elapsed.as_secs() < 30, "{elapsed:?}");
    }

    #[test]
    fn syntax_error_after_multibyte_text() {
        let text = "COMMENT ON TABLE a IS 'héllo wörld';\nSELEC 1;";
        let f = parse_file("x.sql", text);
        assert_eq!(f.slice(f.syntax_errors[0].span), "SELEC");
    }

    #[test]
    fn unterminated_string() {
        let f = parse_file("x.sql", "SELECT 1;\nSELECT 'abc;\n");
        assert_eq!(f.syntax_errors.len(), 1);
        assert_eq!(f.line_col(f.syntax_errors[0].span.start).0, 2);
    }

    #[test]
    fn long_excerpts_are_cut() {
        let literal = "x".repeat(1 << 20);
        let text = format!("SELECT 1;\nSELECT 'abc{literal};\n");
        let f = parse_file("x.sql", &text);
        assert_eq!(f.syntax_errors.len(), 1);
        let e = &f.syntax_errors[0];
        assert!(
            e.message.chars().count() <= MESSAGE_CHARS + 1,
            "{}",
            e.message.len()
        );
        assert_eq!(
            e.message,
            format!(
                "unterminated quoted string at or near \"'abc{}…\"",
                "x".repeat(56)
            )
        );
        // A long token in a plain syntax error too.
        let f = parse_file("x.sql", &format!("SELECT 1 '{literal}';"));
        assert!(
            f.syntax_errors[0].message.ends_with("…\""),
            "{}",
            f.syntax_errors[0].message.len()
        );
        assert!(f.syntax_errors[0].message.len() < 200);
        // Short excerpts stay whole.
        assert_eq!(
            shorten_message("syntax error at or near \"NUL\""),
            "syntax error at or near \"NUL\""
        );
        assert_eq!(
            shorten_message("syntax error at end of input"),
            "syntax error at end of input"
        );
    }

    #[test]
    fn byte_order_mark_is_named() {
        let text = "\u{feff}CREATE TABLE a (id int);\nSELEC 1;\nSELECT 2;";
        let f = parse_file("x.sql", text);
        let messages: Vec<&str> = f.syntax_errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(f.syntax_errors.len(), 2, "{messages:?}");
        assert_eq!(f.syntax_errors[0].span, Span::new(0, 3));
        assert_eq!(f.line_col(f.syntax_errors[0].span.start), (1, 1));
        assert!(messages[0].contains("byte-order mark"), "{messages:?}");
        assert_eq!(f.slice(f.syntax_errors[1].span), "SELEC");
        // The rest is linted: both good statements, spans in the real text.
        assert_eq!(f.statements.len(), 2);
        assert_eq!(f.slice(f.statements[0].span), "CREATE TABLE a (id int)");
        // A file that parses once the mark is gone: one error, one statement.
        let f = parse_file("x.sql", "\u{feff}SELECT 1;");
        assert_eq!(f.syntax_errors.len(), 1);
        assert_eq!(f.statements.len(), 1);
        assert_eq!(f.slice(f.statements[0].span), "SELECT 1");
    }

    #[test]
    fn suppressions_parse() {
        let text = "-- migralint-ignore-file rule-a\n-- migralint-ignore rule-b, rule-c -- reason\nSELECT 1;\nSELECT '-- migralint-ignore x';";
        let f = parse_file("x.sql", text);
        assert_eq!(f.suppressions.len(), 2);
        assert!(f.suppressions[0].whole_file);
        let names: Vec<_> = f.suppressions[1]
            .rules
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(names, ["rule-b", "rule-c"]);
        let (_, span) = &f.suppressions[1].rules[1];
        assert_eq!(f.slice(*span), "rule-c");
        assert_eq!(f.statements[0].ignored, ["rule-b", "rule-c"]);
        assert!(f.statements[1].ignored.is_empty());
    }
}

/// SQL nested past prost's default decoding recursion limit (100 message
/// levels), which libpg_query accepts. Shared with the deep-nesting tests.
#[cfg(test)]
pub(crate) mod deep {
    /// Builds SQL nested `n` deep.
    pub type Shape = fn(usize) -> String;

    pub fn nested_case(n: usize) -> String {
        let mut s = String::from("SELECT ");
        for _ in 0..n {
            s.push_str("CASE WHEN x > 0 THEN ");
        }
        s.push('1');
        for _ in 0..n {
            s.push_str(" ELSE 0 END");
        }
        s + " FROM t;"
    }

    pub fn nested_subqueries(n: usize) -> String {
        format!("SELECT {}1{};", "(SELECT ".repeat(n), ")".repeat(n))
    }

    pub fn concat_chain(n: usize) -> String {
        let ops: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        format!("SELECT {} FROM t;", ops.join(" || "))
    }

    pub fn union_all(n: usize) -> String {
        let branches: Vec<String> = (0..n).map(|i| format!("SELECT {i}")).collect();
        format!("{};", branches.join(" UNION ALL "))
    }

    pub fn tsvector_index(n: usize) -> String {
        let cols: Vec<String> = (0..n).map(|i| format!("coalesce(c{i}, '')")).collect();
        format!(
            "CREATE INDEX CONCURRENTLY docs_search ON docs USING gin (to_tsvector('english', {}));",
            cols.join(" || ' ' || ")
        )
    }

    /// The five shapes of issue 10, each just past the old limit.
    pub fn shapes() -> Vec<(&'static str, String)> {
        vec![
            ("24 nested CASE", nested_case(24)),
            ("16 nested subqueries", nested_subqueries(16)),
            ("48-operand ||", concat_chain(48)),
            ("95 UNION ALL branches", union_all(95)),
            ("tsvector index over 23 columns", tsvector_index(23)),
        ]
    }
}

#[cfg(test)]
mod deep_tests {
    use super::*;

    /// Runs `f` where the CLI lints: on threads with `LINT_STACK_SIZE`.
    fn on_big_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
        #[cfg(feature = "parallel")]
        {
            rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .stack_size(LINT_STACK_SIZE)
                .build()
                .unwrap()
                .install(f)
        }
        #[cfg(not(feature = "parallel"))]
        {
            std::thread::scope(|s| {
                std::thread::Builder::new()
                    .stack_size(LINT_STACK_SIZE)
                    .spawn_scoped(s, f)
                    .unwrap()
                    .join()
                    .unwrap()
            })
        }
    }

    fn lint_one(sql: String) -> crate::Report {
        let files = [crate::SourceFile::new("000001_deep.up.sql", sql)];
        crate::lint(&files, &Default::default())
    }

    #[test]
    fn valid_sql_nested_past_the_decoder_limit_parses() {
        on_big_stack(|| {
            for (what, sql) in deep::shapes() {
                let f = parse_file("x.sql", &sql);
                assert!(f.syntax_errors.is_empty(), "{what}: {:?}", f.syntax_errors);
                assert_eq!(f.statements.len(), 1, "{what}");
                let report = lint_one(sql);
                assert!(
                    report.diagnostics.iter().all(|d| d.rule != "syntax-error"),
                    "{what}: {:?}",
                    report.diagnostics
                );
            }
        });
    }

    /// At the deepest nesting libpg_query accepts (found by bisection with
    /// a big stack; one more level is its own error), the whole lint runs
    /// (decode, rules, drop) without overflowing the stack, and one level
    /// more is a clear syntax error.
    #[test]
    fn nesting_at_libpg_query_limit_lints() {
        let at_limit: [(&str, deep::Shape, usize, &str); 5] = [
            ("CASE", deep::nested_case, 1999, "memory exhausted"),
            (
                "subqueries",
                deep::nested_subqueries,
                1665,
                "nested too deeply",
            ),
            ("||", deep::concat_chain, 4996, "nested too deeply"),
            (
                "UNION ALL",
                deep::union_all,
                8735,
                "stack depth limit exceeded",
            ),
            ("tsvector", deep::tsvector_index, 2497, "nested too deeply"),
        ];
        on_big_stack(|| {
            for (what, shape, n, past) in at_limit {
                let report = lint_one(shape(n));
                assert!(
                    report.diagnostics.iter().all(|d| d.rule != "syntax-error"),
                    "{what} x{n}: {:?}",
                    report.diagnostics
                );
                let report = lint_one(shape(n + 1));
                let errors: Vec<&str> = report
                    .diagnostics
                    .iter()
                    .filter(|d| d.rule == "syntax-error")
                    .map(|d| d.message.as_str())
                    .collect();
                assert!(
                    errors.len() == 1 && errors[0].contains(past),
                    "{what} x{}: {errors:?}",
                    n + 1
                );
            }
        });
    }
}
