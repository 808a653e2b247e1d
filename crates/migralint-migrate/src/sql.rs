//! A migration file cut into statements with the core's parser (so statement
//! boundaries and lines match the linter), and how it must run: in one
//! transaction, or statement by statement.

use migralint_core::locks;
use migralint_core::model::tx::{places, transaction_kind};
use migralint_core::parse::{parse_file, ParsedFile, Statement};
use pg_query::protobuf::TransactionStmtKind as K;
use pg_query::NodeEnum;

use crate::db::quote_ident;

/// One statement to send.
#[derive(Debug, Clone)]
pub struct Stmt {
    /// Byte span in the file, without the terminating semicolon.
    pub start: usize,
    pub end: usize,
    /// 1-based line and column of its first token.
    pub line: usize,
    pub column: usize,
    /// Cannot run inside a transaction block.
    pub no_transaction: bool,
    /// `BEGIN`, `COMMIT`, ... (explicit transaction control).
    pub tx_control: Option<TxControl>,
    /// Locks it takes, as `ACCESS EXCLUSIVE on users (blocks reads and writes)`.
    pub locks: Vec<String>,
    /// `CREATE INDEX CONCURRENTLY`: the index it builds.
    pub concurrent_index: Option<IndexTarget>,
}

/// The index a `CREATE INDEX CONCURRENTLY` builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTarget {
    /// The table, quoted (and schema-qualified when written so), for
    /// `to_regclass`.
    pub table: String,
    /// The index name, when given (it lives in the table's schema).
    pub name: Option<String>,
    pub if_not_exists: bool,
}

fn concurrent_index(node: &NodeEnum) -> Option<IndexTarget> {
    let NodeEnum::IndexStmt(i) = node else {
        return None;
    };
    if !i.concurrent {
        return None;
    }
    let rel = i.relation.as_ref()?;
    let table = if rel.schemaname.is_empty() {
        quote_ident(&rel.relname)
    } else {
        format!(
            "{}.{}",
            quote_ident(&rel.schemaname),
            quote_ident(&rel.relname)
        )
    };
    Some(IndexTarget {
        table,
        name: Some(i.idxname.clone()).filter(|n| !n.is_empty()),
        if_not_exists: i.if_not_exists,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxControl {
    /// `BEGIN` / `START TRANSACTION` without options.
    Begin,
    /// `BEGIN` / `START TRANSACTION` with options.
    BeginWithOptions,
    /// `COMMIT` / `END`.
    Commit,
    /// Anything else that ends or opens a transaction (`ROLLBACK`,
    /// `PREPARE TRANSACTION`, `COMMIT PREPARED`, ...).
    Other,
    /// `SAVEPOINT`, `RELEASE`, `ROLLBACK TO`: fine inside our transaction.
    Savepoint,
}

/// How a file runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// All statements and the version change in one transaction.
    Transaction,
    /// The file wraps itself in `BEGIN; ... COMMIT;` (or `END;`): the wrapper
    /// is left out and the inner statements run in our transaction together
    /// with the version change.
    TransactionUnwrapped,
    /// golang-migrate's protocol (mark dirty, run, clear), statement by
    /// statement outside any transaction, for the reason given.
    NoTransaction(String),
}

#[derive(Debug, Clone)]
pub struct FilePlan {
    pub parsed: ParsedFile,
    pub statements: Vec<Stmt>,
    pub mode: Mode,
    /// The file did not parse: it is sent whole, as one statement.
    pub sent_whole: bool,
}

impl FilePlan {
    pub fn text(&self) -> &str {
        &self.parsed.text
    }
    pub fn stmt_text(&self, s: &Stmt) -> &str {
        &self.parsed.text[s.start..s.end]
    }
    /// Indices of the statements that are sent, in order (the unwrapped
    /// `BEGIN`/`COMMIT` wrapper is not).
    pub fn to_send(&self) -> Vec<usize> {
        let n = self.statements.len();
        (0..n)
            .filter(|i| self.mode != Mode::TransactionUnwrapped || (*i != 0 && *i + 1 != n))
            .collect()
    }
}

/// A transaction-control statement as migrate tells them apart, on top of
/// the core's kind (`model::tx::transaction_kind`, the linter's): a plain
/// `BEGIN` (which migrate may unwrap) from one with options, `COMMIT`
/// from `COMMIT AND CHAIN`, savepoints (fine inside migrate's own
/// transaction) from what ends or opens a transaction.
fn tx_control(node: &NodeEnum) -> Option<TxControl> {
    let kind = transaction_kind(node)?;
    let NodeEnum::TransactionStmt(t) = node else {
        return None;
    };
    Some(match kind {
        K::TransStmtBegin | K::TransStmtStart => {
            if t.options.is_empty() {
                TxControl::Begin
            } else {
                TxControl::BeginWithOptions
            }
        }
        K::TransStmtCommit if !t.chain => TxControl::Commit,
        K::TransStmtSavepoint | K::TransStmtRelease | K::TransStmtRollbackTo => {
            TxControl::Savepoint
        }
        _ => TxControl::Other,
    })
}

/// A short name for a statement: its leading keywords (`CREATE INDEX
/// CONCURRENTLY`, `VACUUM`, `BEGIN`).
fn describe_no_tx(text: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "CREATE",
        "DROP",
        "UNIQUE",
        "INDEX",
        "CONCURRENTLY",
        "REINDEX",
        "TABLE",
        "VACUUM",
        "FULL",
        "ANALYZE",
        "ALTER",
        "TYPE",
        "SYSTEM",
        "DATABASE",
        "TABLESPACE",
        "CLUSTER",
        "BEGIN",
        "START",
        "TRANSACTION",
        "COMMIT",
        "END",
        "ROLLBACK",
        "PREPARE",
        "ABORT",
        "WORK",
        "DETACH",
        "PARTITION",
    ];
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches(';').to_uppercase())
        .take_while(|w| KEYWORDS.contains(&w.as_str()))
        .take(4)
        .collect();
    if words.is_empty() {
        text.split_whitespace().next().unwrap_or("").to_uppercase()
    } else if words == ["ALTER", "TYPE"] {
        "ALTER TYPE ... ADD VALUE".to_string()
    } else if words == ["ALTER", "TABLE"] {
        "ALTER TABLE ... DETACH PARTITION CONCURRENTLY".to_string()
    } else {
        words.join(" ")
    }
}

/// Plans one file. `pg_major` is the server's major version (for `ALTER
/// TYPE ... ADD VALUE`, transactional only from PostgreSQL 12 on).
pub fn plan_file(path: &str, text: &str, pg_major: u32) -> FilePlan {
    let parsed = parse_file(path, text);
    if !parsed.syntax_errors.is_empty() {
        // Let PostgreSQL judge (and report with a position) the whole file.
        let start = first_token(text);
        let (line, column) = parsed.line_col(start);
        let stmt = Stmt {
            start,
            end: text.len(),
            line,
            column,
            no_transaction: false,
            tx_control: None,
            locks: Vec::new(),
            concurrent_index: None,
        };
        let statements = if text[start..].trim().is_empty() {
            Vec::new()
        } else {
            vec![stmt]
        };
        return FilePlan {
            parsed,
            statements,
            mode: Mode::Transaction,
            sent_whole: true,
        };
    }
    let statements: Vec<Stmt> = parsed
        .statements
        .iter()
        .map(|s: &Statement| {
            let (line, column) = parsed.line_col(s.span.start);
            Stmt {
                start: s.span.start,
                end: s.span.end,
                line,
                column,
                no_transaction: locks::cannot_run_in_transaction(s, pg_major),
                tx_control: tx_control(&s.node),
                locks: locks::statement_locks(s, pg_major)
                    .iter()
                    .map(|l| l.describe())
                    .collect(),
                concurrent_index: concurrent_index(&s.node),
            }
        })
        .collect();

    let mode = if let Some(s) = statements.iter().find(|s| s.no_transaction) {
        Mode::NoTransaction(format!(
            "{} (line {}) cannot run inside a transaction",
            describe_no_tx(&text[s.start..s.end]),
            s.line
        ))
    } else {
        let controls: Vec<(usize, TxControl)> = statements
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.tx_control.map(|c| (i, c)))
            .filter(|(_, c)| *c != TxControl::Savepoint)
            .collect();
        // Which transaction each statement runs in, by the core's splitter
        // (`model::tx`, what the linter's rules see): the file wraps itself
        // when one explicit transaction, opened by a plain `BEGIN` first,
        // runs to a plain `COMMIT` last (nothing in between ends it:
        // `COMMIT AND CHAIN`, `ROLLBACK`, `PREPARE TRANSACTION`). What is
        // migrate's own: a `BEGIN` nested inside (a no-op with a warning
        // for PostgreSQL, and for the splitter) is not unwrapped but run
        // as written, statement by statement, like any other control.
        let tx = places(parsed.statements.iter().map(|s| &s.node), false);
        let n = statements.len();
        let one_block =
            n >= 2 && tx.iter().all(|p| p.id == tx[0].id) && tx[1..].iter().all(|p| p.explicit);
        let wrapped = one_block
            && statements[0].tx_control == Some(TxControl::Begin)
            && statements[n - 1].tx_control == Some(TxControl::Commit)
            && controls.len() == 2;
        match controls.as_slice() {
            [] => Mode::Transaction,
            _ if wrapped => Mode::TransactionUnwrapped,
            [(i, _), ..] => Mode::NoTransaction(format!(
                "it controls transactions itself ({} at line {})",
                describe_no_tx(&text[statements[*i].start..statements[*i].end]),
                statements[*i].line
            )),
        }
    };
    FilePlan {
        parsed,
        statements,
        mode,
        sent_whole: false,
    }
}

/// Offset of the first token, past whitespace and comments.
pub fn first_token(text: &str) -> usize {
    let b = text.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"--") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0usize;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else {
            return i.min(text.len());
        }
    }
}

/// Byte offset of the 1-based character position `pos` in `text`.
pub fn char_pos_to_byte(text: &str, pos: usize) -> usize {
    text.char_indices()
        .nth(pos.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_file_is_transactional() {
        let p = plan_file(
            "1_a.up.sql",
            "-- hi\nCREATE TABLE a (id int);\n\nCREATE INDEX ON a (id);\n",
            15,
        );
        assert_eq!(p.mode, Mode::Transaction);
        assert_eq!(p.statements.len(), 2);
        assert_eq!((p.statements[0].line, p.statements[1].line), (2, 4));
        assert_eq!(p.stmt_text(&p.statements[1]), "CREATE INDEX ON a (id)");
        assert!(
            p.statements[1].locks[0].starts_with("SHARE on a"),
            "{:?}",
            p.statements[1].locks
        );
    }

    #[test]
    fn concurrent_index_is_not_transactional() {
        let p = plan_file("1_a.up.sql", "CREATE INDEX CONCURRENTLY i ON a (id);", 15);
        assert!(
            matches!(&p.mode, Mode::NoTransaction(r) if r.contains("CREATE INDEX CONCURRENTLY")),
            "{:?}",
            p.mode
        );
        let p = plan_file("1_a.up.sql", "-- x\nvacuum full a;", 15);
        assert_eq!(
            p.mode,
            Mode::NoTransaction("VACUUM FULL (line 2) cannot run inside a transaction".into())
        );
        let p = plan_file("1_a.up.sql", "ALTER TYPE t ADD VALUE 'x';", 11);
        assert_eq!(
            p.mode,
            Mode::NoTransaction(
                "ALTER TYPE ... ADD VALUE (line 1) cannot run inside a transaction".into()
            )
        );
        let p = plan_file("1_a.up.sql", "ALTER TYPE t ADD VALUE 'x';", 15);
        assert_eq!(p.mode, Mode::Transaction);
    }

    #[test]
    fn concurrent_index_targets() {
        let p = plan_file(
            "1_a.up.sql",
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON app.\"T\" (id);\nCREATE INDEX CONCURRENTLY ON t (id);\nCREATE INDEX j ON t (id);",
            15,
        );
        assert_eq!(
            p.statements[0].concurrent_index,
            Some(IndexTarget {
                table: "\"app\".\"T\"".into(),
                name: Some("i".into()),
                if_not_exists: true
            })
        );
        assert_eq!(
            p.statements[1].concurrent_index,
            Some(IndexTarget {
                table: "\"t\"".into(),
                name: None,
                if_not_exists: false
            })
        );
        assert_eq!(p.statements[2].concurrent_index, None);
    }

    #[test]
    fn begin_commit_wrapper_is_unwrapped() {
        let p = plan_file(
            "1_a.up.sql",
            "BEGIN;\nCREATE TABLE a (id int);\nSAVEPOINT s;\nEND;\n",
            15,
        );
        assert_eq!(p.mode, Mode::TransactionUnwrapped);
        let sent: Vec<&str> = p
            .to_send()
            .into_iter()
            .map(|i| p.stmt_text(&p.statements[i]))
            .collect();
        assert_eq!(sent, ["CREATE TABLE a (id int)", "SAVEPOINT s"]);
    }

    #[test]
    fn other_transaction_control_runs_statement_by_statement() {
        for sql in [
            "BEGIN; CREATE TABLE a (id int); COMMIT; BEGIN; CREATE TABLE b (id int); COMMIT;",
            "CREATE TABLE a (id int); COMMIT;",
            "BEGIN ISOLATION LEVEL SERIALIZABLE; CREATE TABLE a (id int); COMMIT;",
            "BEGIN; CREATE TABLE a (id int); ROLLBACK;",
            // A nested BEGIN, a transaction chained in the middle.
            "BEGIN; BEGIN; CREATE TABLE a (id int); COMMIT;",
            "BEGIN; CREATE TABLE a (id int); COMMIT AND CHAIN; CREATE TABLE b (id int); COMMIT;",
            "BEGIN; CREATE TABLE a (id int); COMMIT AND CHAIN;",
        ] {
            let p = plan_file("1_a.up.sql", sql, 15);
            assert!(
                matches!(p.mode, Mode::NoTransaction(_)),
                "{sql}: {:?}",
                p.mode
            );
        }
    }

    #[test]
    fn unparsable_file_is_sent_whole() {
        let p = plan_file("1_a.up.sql", "-- c\nCREATE TABLE (;\n", 15);
        assert!(p.sent_whole);
        assert_eq!(p.statements.len(), 1);
        assert_eq!(p.statements[0].line, 2);
    }

    #[test]
    fn comment_only_file_has_no_statements() {
        let p = plan_file("1_a.down.sql", "-- nothing to undo\n/* really */\n", 15);
        assert!(p.statements.is_empty());
        assert_eq!(p.mode, Mode::Transaction);
    }

    #[test]
    fn positions() {
        assert_eq!(char_pos_to_byte("héllo", 3), 3);
        assert_eq!(first_token("  /* a /* b */ */ -- x\n SELECT"), 24);
    }
}
