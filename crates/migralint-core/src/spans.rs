//! Narrower spans inside a statement, from node `location` fields.

use pg_query::protobuf::Token;

use crate::context::Tok;
use crate::parse::ParsedFile;
use crate::source::Span;

/// From `location` to the end of its clause: the next comma at parenthesis
/// depth 0, or the statement end. Falls back to the whole statement.
pub fn clause_span(file: &ParsedFile, stmt: Span, location: i32) -> Span {
    clause_span_in(&statement_tokens(file, stmt), stmt, location)
}

/// The tokens of a statement, comments left out, with offsets in the file.
pub fn statement_tokens(file: &ParsedFile, stmt: Span) -> Vec<Tok> {
    crate::rules::objects::tokens(file.slice(stmt))
        .into_iter()
        .map(|(s, e, t)| (stmt.start + s, stmt.start + e, t))
        .collect()
}

/// `clause_span` over the statement's tokens (comments left out, absolute
/// offsets), as `StmtCx::tokens` gives them.
pub fn clause_span_in(tokens: &[Tok], stmt: Span, location: i32) -> Span {
    let Ok(start) = usize::try_from(location) else {
        return stmt;
    };
    if start < stmt.start || start >= stmt.end {
        return stmt;
    }
    let mut depth = 0i32;
    let mut last_end = start;
    for &(_, end, tok) in &tokens[tokens.partition_point(|t| t.0 < start)..] {
        if tok == Token::Ascii40 as i32 || tok == Token::Ascii91 as i32 {
            depth += 1;
        } else if tok == Token::Ascii41 as i32 || tok == Token::Ascii93 as i32 {
            depth -= 1;
            if depth < 0 {
                return Span::new(start, last_end);
            }
        } else if tok == Token::Ascii44 as i32 && depth == 0 {
            return Span::new(start, last_end);
        }
        last_end = end;
    }
    Span::new(start, last_end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    #[test]
    fn clause_of_alter_subcommand() {
        let sql = "ALTER TABLE t ADD COLUMN a int DEFAULT f(1, 2), ADD COLUMN b int";
        let f = parse_file("x.sql", sql);
        let stmt = f.statements[0].span;
        let at = sql.find("a int").unwrap() as i32;
        assert_eq!(f.slice(clause_span(&f, stmt, at)), "a int DEFAULT f(1, 2)");
        let at = sql.find("b int").unwrap() as i32;
        assert_eq!(f.slice(clause_span(&f, stmt, at)), "b int");
        let sql2 = "CREATE TABLE t (a int, b int REFERENCES u (id))";
        let f = parse_file("x.sql", sql2);
        let at = sql2.find("b int").unwrap() as i32;
        assert_eq!(
            f.slice(clause_span(&f, f.statements[0].span, at)),
            "b int REFERENCES u (id)"
        );
    }
}
