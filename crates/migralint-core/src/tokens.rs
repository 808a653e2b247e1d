//! A file's tokens (PostgreSQL's own scanner, scanned once per file) and
//! what is read off them: narrower spans inside a statement (a clause, an
//! `ALTER TABLE` subcommand, the end of a name), the identifiers a text
//! names, keyword insertion for fixes and help texts.

use pg_query::protobuf::{self, AlterTableStmt, KeywordKind, Token};

use crate::source::Span;

/// A token: byte range in its text, `pg_query` token and keyword kind.
/// Twelve bytes: a file's tokens are kept while it is linted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tok {
    start: u32,
    end: u32,
    kind: u16,
    keyword: u8,
}

impl Tok {
    fn new(start: usize, end: usize, kind: i32, keyword: i32) -> Tok {
        Tok {
            start: start as u32,
            end: end as u32,
            kind: kind as u16,
            keyword: keyword as u8,
        }
    }
    pub fn start(&self) -> usize {
        self.start as usize
    }
    pub fn end(&self) -> usize {
        self.end as usize
    }
    /// The `pg_query` token (`protobuf::Token as i32`).
    pub fn kind(&self) -> i32 {
        i32::from(self.kind)
    }
    /// The `pg_query` keyword kind (`protobuf::KeywordKind as i32`).
    pub fn keyword(&self) -> i32 {
        i32::from(self.keyword)
    }
    pub fn is(&self, token: Token) -> bool {
        self.kind() == token as i32
    }
    pub fn span(&self) -> Span {
        Span::new(self.start(), self.end())
    }
    /// The same token `by` bytes further on.
    pub fn shifted(self, by: usize) -> Tok {
        Tok::new(
            self.start() + by,
            self.end() + by,
            self.kind(),
            self.keyword(),
        )
    }
}

/// `pg_query::scan_tokens`, safe on text without tokens: for an empty
/// result the crate builds a slice from a null pointer (undefined
/// behaviour, a panic in debug builds).
pub fn scan(text: &str) -> pg_query::Result<Vec<protobuf::ScanToken>> {
    if text
        .trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c'])
        .is_empty()
    {
        return Ok(Vec::new());
    }
    pg_query::scan_tokens(text)
}

/// Splits text into statements at top-level semicolons, using the scanner
/// (so semicolons in strings, comments and `BEGIN ATOMIC ... END` bodies do
/// not split). Empty pieces are dropped. A scanner error (an unterminated
/// literal) yields no pieces.
pub fn split_statements(text: &str) -> Vec<Span> {
    split(&tokens(text), text.len())
}

/// `split_statements` over a text's tokens (comments left out) and its
/// length.
pub fn split(tokens: &[Tok], len: usize) -> Vec<Span> {
    let mut pieces = Vec::new();
    let mut start = 0usize;
    let mut atomic_depth = 0usize;
    let mut prev = 0;
    let mut has_token = false;
    for t in tokens {
        let tok = t.kind();
        let opens_atomic = tok == Token::Atomic as i32 && prev == Token::BeginP as i32;
        if opens_atomic || (atomic_depth > 0 && tok == Token::Case as i32) {
            atomic_depth += 1;
        } else if atomic_depth > 0 && tok == Token::EndP as i32 {
            atomic_depth -= 1;
        } else if tok == Token::Ascii59 as i32 && atomic_depth == 0 {
            if has_token {
                pieces.push(Span::new(start, t.start()));
            }
            start = t.end();
            has_token = false;
            prev = tok;
            continue;
        }
        has_token = true;
        prev = tok;
    }
    if has_token {
        pieces.push(Span::new(start, len));
    }
    pieces
}

/// Comments are not tokens for span purposes.
fn is_comment(tok: i32) -> bool {
    tok == Token::SqlComment as i32 || tok == Token::CComment as i32
}

/// The tokens of `text`, comments left out. Empty when the scanner
/// rejects the text (an unterminated literal).
pub fn tokens(text: &str) -> Vec<Tok> {
    scan(text)
        .map(|ts| {
            ts.iter()
                .filter(|t| !is_comment(t.token))
                .map(|t| Tok::new(t.start as usize, t.end as usize, t.token, t.keyword_kind))
                .collect()
        })
        .unwrap_or_default()
}

/// The tokens starting in `span` (tokens sorted by position).
pub fn within(tokens: &[Tok], span: Span) -> &[Tok] {
    let from = tokens.partition_point(|t| t.start() < span.start);
    let to = from + tokens[from..].partition_point(|t| t.start() < span.end);
    &tokens[from..to]
}

/// The tokens from byte offset `at` on.
pub fn from(tokens: &[Tok], at: usize) -> &[Tok] {
    &tokens[tokens.partition_point(|t| t.start() < at)..]
}

/// The end of a possibly qualified name starting at byte `at` of `text`
/// (`a`, `s.a`, `"S"."A"`), or `None` when no token starts there.
pub fn name_end(text: &str, at: usize) -> Option<usize> {
    let toks = tokens(text.get(at..)?);
    let mut it = toks.iter();
    let mut end = it.next()?.end();
    while let (Some(dot), Some(next)) = (it.next(), it.next()) {
        if !dot.is(Token::Ascii46) {
            break;
        }
        end = next.end();
    }
    Some(at + end)
}

/// From `location` to the end of its clause: the next comma at parenthesis
/// depth 0, or the statement end (`tokens`: the statement's, absolute
/// offsets). Falls back to the whole statement.
pub fn clause_span(tokens: &[Tok], stmt: Span, location: Option<usize>) -> Span {
    let Some(start) = location else {
        return stmt;
    };
    if start < stmt.start || start >= stmt.end {
        return stmt;
    }
    let mut depth = 0i32;
    let mut last_end = start;
    for t in from(tokens, start) {
        if t.is(Token::Ascii40) || t.is(Token::Ascii91) {
            depth += 1;
        } else if t.is(Token::Ascii41) || t.is(Token::Ascii93) {
            depth -= 1;
            if depth < 0 {
                return Span::new(start, last_end);
            }
        } else if t.is(Token::Ascii44) && depth == 0 {
            return Span::new(start, last_end);
        }
        last_end = t.end();
    }
    Span::new(start, last_end)
}

/// The spans of each subcommand of an `ALTER TABLE` statement, in order:
/// from the subcommand's first word (past `ALTER TABLE name`) to the next
/// top-level comma. `None` when they cannot be told apart (then use the
/// statement span). `tokens`: the statement's, absolute offsets; `at`:
/// where the table name starts.
pub fn alter_cmd_spans(s: &AlterTableStmt, tokens: &[Tok], at: Option<usize>) -> Option<Vec<Span>> {
    let at = at?;
    // Past the (possibly qualified) table name.
    let name = from(tokens, at);
    if name.first()?.start() != at {
        return None;
    }
    let mut past = name[0].end();
    let mut i = 0;
    while let (Some(dot), Some(next)) = (name.get(i + 1), name.get(i + 2)) {
        if !dot.is(Token::Ascii46) {
            break;
        }
        past = next.end();
        i += 2;
    }
    // `ALTER TABLE name *` (descendants included).
    if let Some(t) = from(tokens, past).first() {
        if t.is(Token::Ascii42) {
            past = t.end();
        }
    }
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    let mut last_end = 0usize;
    for t in from(tokens, past) {
        if t.is(Token::Ascii40) || t.is(Token::Ascii91) {
            depth += 1;
        } else if t.is(Token::Ascii41) || t.is(Token::Ascii93) {
            depth -= 1;
        } else if t.is(Token::Ascii44) && depth == 0 {
            if let Some(st) = start.take() {
                out.push(Span::new(st, last_end));
            }
            continue;
        }
        start.get_or_insert(t.start());
        last_end = t.end();
    }
    if let Some(st) = start {
        out.push(Span::new(st, last_end));
    }
    (out.len() == s.cmds.len()).then_some(out)
}

/// The byte offset where a clause's keywords end: past the leading words
/// of `prefix` (case-insensitive, each optional in order), e.g. for `DROP
/// [COLUMN]` in `DROP COLUMN email`, the offset of `email`. Returns the
/// offset within `text`.
pub fn after_words(text: &str, words: &[&str]) -> Option<usize> {
    let toks = tokens(text);
    let mut it = toks.iter().peekable();
    for w in words {
        if let Some(t) = it.peek() {
            if text[t.start()..t.end()].eq_ignore_ascii_case(w) {
                it.next();
            }
        }
    }
    it.peek().map(|t| t.start())
}

/// `text` with `words` inserted at byte `at`, in the case the statement's
/// keywords use (`drop table if exists t` for `drop table t`).
pub fn insert_keywords(text: &str, at: usize, words: &str) -> String {
    let head = &text[..at];
    let lower = head.chars().any(|c| c.is_ascii_alphabetic())
        && !head.chars().any(|c| c.is_ascii_uppercase());
    let words = if lower {
        words.to_ascii_lowercase()
    } else {
        words.to_string()
    };
    format!("{head}{words} {}", &text[at..])
}

/// Calls `f(schema, name)` for each identifier of `text` (its `tokens`),
/// qualified ones joined (`app."Users"` → `app`, `Users`): unquoted ones
/// folded to lower case, as PostgreSQL does. Keywords are included (many
/// are valid names), except reserved ones outside qualified names (those
/// cannot name anything). Buffers are reused from name to name.
pub fn each_identifier(text: &str, tokens: &[Tok], mut f: impl FnMut(Option<&str>, &str)) {
    // The parts of the current (qualified) name: `parts[..len]`.
    let mut parts: Vec<String> = Vec::new();
    let mut len = 0;
    let mut after_dot = false;
    let mut flush = |parts: &[String], len: &mut usize| {
        match &parts[..*len] {
            [] => {}
            [name] => f(None, name),
            [.., schema, name] => f(Some(schema), name),
        }
        *len = 0;
    };
    for t in tokens {
        let Some(word) = text.get(t.start()..t.end()) else {
            continue;
        };
        let is_name = t.is(Token::Ident)
            || (t.keyword() != KeywordKind::NoKeyword as i32
                && (after_dot || t.keyword() != KeywordKind::ReservedKeyword as i32));
        if is_name {
            if !after_dot {
                flush(&parts, &mut len);
            }
            if parts.len() == len {
                parts.push(String::new());
            }
            let part = &mut parts[len];
            part.clear();
            match word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
                Some(quoted) => part.push_str(&quoted.replace("\"\"", "\"")),
                None => part.extend(word.chars().flat_map(char::to_lowercase)),
            }
            len += 1;
            after_dot = false;
        } else if t.is(Token::Ascii46) && len > 0 {
            after_dot = true;
        } else {
            flush(&parts, &mut len);
            after_dot = false;
        }
    }
    flush(&parts, &mut len);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualName;

    fn identifiers(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        each_identifier(text, &tokens(text), |schema, name| {
            out.push(QualName::new(schema, name).to_string())
        });
        out
    }

    #[test]
    fn identifiers_of_text() {
        let names = identifiers("ALTER TABLE app.\"Users\" ADD COLUMN Mood mood DEFAULT 'x'; -- t");
        // Reserved keywords (TABLE, COLUMN, DEFAULT) cannot be names.
        assert_eq!(names, ["alter", "app.\"Users\"", "add", "mood", "mood"]);
        // ...except after a dot.
        assert_eq!(identifiers("SELECT * FROM app.user"), ["app.user"]);
    }

    #[test]
    fn words() {
        let t = "DROP  /* c */ COLUMN email";
        assert_eq!(&t[after_words(t, &["DROP", "COLUMN"]).unwrap()..], "email");
        let t = "DROP email";
        assert_eq!(&t[after_words(t, &["DROP", "COLUMN"]).unwrap()..], "email");
    }

    #[test]
    fn clause_of_alter_subcommand() {
        let sql = "ALTER TABLE t ADD COLUMN a int DEFAULT f(1, 2), ADD COLUMN b int";
        let toks = tokens(sql);
        let stmt = Span::new(0, sql.len());
        let at = sql.find("a int");
        assert_eq!(
            &sql[clause_span(&toks, stmt, at).start..clause_span(&toks, stmt, at).end],
            "a int DEFAULT f(1, 2)"
        );
        let at = sql.find("b int");
        let s = clause_span(&toks, stmt, at);
        assert_eq!(&sql[s.start..s.end], "b int");
        let sql2 = "CREATE TABLE t (a int, b int REFERENCES u (id))";
        let toks = tokens(sql2);
        let s = clause_span(&toks, Span::new(0, sql2.len()), sql2.find("b int"));
        assert_eq!(&sql2[s.start..s.end], "b int REFERENCES u (id)");
    }
}
