use pg_query::protobuf::TransactionStmtKind as K;
use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::summary::Summary;
use crate::model::tx::transaction_kind;
use crate::rules::Check;

declare_rule!(
    "transaction-nesting",
    Locking,
    Warning,
    "transaction control in a migration that splits, nests, leaves open or undoes its transaction",
    Check::Statement(check)
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::TransactionStmt(t) = &cx.stmt.node else {
        return;
    };
    let Some(kind) = transaction_kind(&cx.stmt.node) else {
        return;
    };
    let word = keyword(cx);
    let later: Vec<_> = (cx.stmt_index + 1..cx.stmt_count())
        .map(|j| (j, cx.summary_of(j)))
        .collect();
    // `COMMIT AND CHAIN` / `ROLLBACK AND CHAIN` start a new transaction
    // block: outside one (golang-migrate's implicit transaction is not
    // one), PostgreSQL refuses them and the whole file fails.
    if t.chain && !cx.tx.in_explicit_tx {
        out.report(
            cx.stmt.span,
            format!(
                "{word} AND CHAIN outside a BEGIN ... COMMIT block fails (`{word} AND CHAIN can only be used in transaction blocks`): \
                 golang-migrate's implicit transaction around a multi-statement file is not one, so the whole migration fails \
                 and nothing of it is applied"
            ),
        )
        .help("remove AND CHAIN (and, for one transaction per file, the COMMIT itself); put what must run in a transaction of its own in the next migration file");
        return;
    }
    match kind {
        K::TransStmtBegin | K::TransStmtStart => {
            if cx.tx.in_explicit_tx {
                out.report(
                    cx.stmt.span,
                    format!(
                        "{word} inside a transaction that is already open: PostgreSQL ignores it with a warning (there is already a transaction in progress), \
                         so the first COMMIT after it ends the outer transaction too and the statements after that run outside it"
                    ),
                )
                .help("keep one transaction per file: remove this inner BEGIN and the COMMIT that was meant to close it");
            } else if !later.iter().any(|(_, s)| ends_transaction(s)) {
                out.report(
                    cx.stmt.span,
                    format!(
                        "{word} with no COMMIT after it: the file ends with its transaction still open, so whether its changes are kept depends on \
                         what the runner sends next on the same connection (a rollback when the connection closes)"
                    ),
                )
                .help("end the file with `COMMIT;` (or remove the BEGIN: golang-migrate already runs a multi-statement file as one transaction)");
            }
        }
        K::TransStmtCommit => {
            if let Some(&(next, _)) = later.iter().find(|(_, s)| s.does_work) {
                let line = cx.line_of(next);
                out.report(
                    cx.stmt.span,
                    format!(
                        "{word} in the middle of the migration: the statements after it (from line {line}) run in another transaction, \
                         so if one of them fails, what came before is already committed and the migration is left half-applied"
                    ),
                )
                .help(
                    "1. keep one transaction per file: remove this COMMIT (and a BEGIN that follows it); \
                     2. if the later statements must run in a separate transaction (or outside one, like CREATE INDEX CONCURRENTLY), \
                     move them to the next migration file",
                );
            }
        }
        K::TransStmtRollback => {
            out.report(
                cx.stmt.span,
                format!(
                    "{word} in a migration undoes every statement of the transaction before it, yet the runner records the migration as applied: \
                     the schema and the recorded version disagree{}",
                    if later.iter().any(|(_, s)| s.does_work) {
                        ", and the statements after it run in a new transaction"
                    } else {
                        ""
                    }
                ),
            )
            .help("remove the ROLLBACK and the statements it undoes; to try a migration out, run it against a scratch database instead");
        }
        K::TransStmtSavepoint | K::TransStmtRelease | K::TransStmtRollbackTo => {
            savepoint(cx, out, kind, &t.savepoint_name, &word);
        }
        K::TransStmtPrepare | K::TransStmtCommitPrepared | K::TransStmtRollbackPrepared => {
            out.report(
                cx.stmt.span,
                format!(
                    "{word} (two-phase commit) in a migration: a prepared transaction keeps its locks until someone commits or rolls it back by hand, \
                     and the runner cannot see it"
                ),
            )
            .help("remove the two-phase commit: let the runner commit the migration's transaction");
        }
        K::Undefined => {}
    }
}

fn savepoint(cx: &StmtCx, out: &mut Findings, kind: K, name: &str, word: &str) {
    let name_q = crate::model::names::quote_ident(name);
    if !cx.tx.in_explicit_tx {
        out.report(
            cx.stmt.span,
            format!(
                "{word} outside a BEGIN ... COMMIT block fails: SAVEPOINT, RELEASE and ROLLBACK TO can only be used in transaction blocks \
                 (golang-migrate's implicit transaction around a multi-statement file is not one)"
            ),
        )
        .help("remove the savepoint statements: a migration file runs as one transaction, all or nothing");
        return;
    }
    if kind == K::TransStmtSavepoint {
        return;
    }
    if !savepoint_defined(cx, name) {
        out.report(
            cx.stmt.span,
            format!("{word} names savepoint {name_q}, which no SAVEPOINT defined earlier in this transaction: it fails (savepoint \"{name}\" does not exist)"),
        )
        .help("remove it, or define the savepoint first with `SAVEPOINT name`");
        return;
    }
    if kind == K::TransStmtRollbackTo {
        out.report(
            cx.stmt.span,
            format!(
                "{word} undoes, every time the migration runs, the statements since SAVEPOINT {name_q}: plain SQL cannot roll back conditionally \
                 (after an error the whole file is aborted anyway), so those statements never take effect"
            ),
        )
        .help("remove the ROLLBACK TO and the statements it undoes");
    }
}

/// A `SAVEPOINT name` ran earlier in the current explicit transaction.
fn savepoint_defined(cx: &StmtCx, name: &str) -> bool {
    for j in (0..cx.stmt_index).rev() {
        let s = cx.summary_of(j);
        match s.tx_kind {
            Some(K::TransStmtSavepoint) if s.savepoint() == name => return true,
            Some(K::TransStmtBegin | K::TransStmtStart) => return false,
            Some(K::TransStmtCommit | K::TransStmtRollback) => return false,
            _ => {}
        }
    }
    false
}

/// `COMMIT`, `END`, `ROLLBACK`, `PREPARE TRANSACTION`: the explicit
/// transaction ends.
fn ends_transaction(s: &Summary) -> bool {
    matches!(
        s.tx_kind,
        Some(K::TransStmtCommit | K::TransStmtRollback | K::TransStmtPrepare)
    )
}

/// The statement's leading keyword(s) as written: `COMMIT`, `END`,
/// `ROLLBACK TO SAVEPOINT`...
fn keyword(cx: &StmtCx) -> String {
    let text = cx.text(cx.stmt.span);
    let words: Vec<String> = text
        .split_whitespace()
        .take_while(|w| {
            w.chars().all(|c| c.is_ascii_alphabetic())
                && matches!(
                    w.to_ascii_uppercase().as_str(),
                    "BEGIN"
                        | "START"
                        | "TRANSACTION"
                        | "WORK"
                        | "COMMIT"
                        | "END"
                        | "ROLLBACK"
                        | "ABORT"
                        | "TO"
                        | "SAVEPOINT"
                        | "RELEASE"
                        | "PREPARE"
                        | "PREPARED"
                )
        })
        .map(str::to_ascii_uppercase)
        .collect();
    if words.is_empty() {
        "this statement".into()
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "transaction-nesting";

    /// Checked on PostgreSQL 15: `CREATE TABLE a (); COMMIT AND CHAIN;
    /// CREATE TABLE b ();` sent as one query fails and creates nothing;
    /// inside `BEGIN ... COMMIT` it commits and opens the next transaction.
    #[test]
    fn chain_outside_a_block_fails_err() {
        for sql in [
            "CREATE TABLE a ();\nCOMMIT AND CHAIN;\nCREATE TABLE b ();",
            "CREATE TABLE a ();\nROLLBACK AND CHAIN;",
        ] {
            let out = assert_err(RULE, sql);
            assert!(
                out.contains("can only be used in transaction blocks"),
                "{out}"
            );
        }
        let inside = lint_files(
            RULE,
            &[(
                "000001_a.up.sql",
                "BEGIN;\nCREATE TABLE a ();\nCOMMIT AND CHAIN;\nCREATE TABLE b ();\nCOMMIT;",
            )],
        );
        assert!(
            inside
                .iter()
                .all(|d| !d.message.contains("transaction blocks")),
            "{inside:#?}"
        );
    }

    #[test]
    fn wrapper_ok() {
        // golang-migrate's common idiom (pkgsite, exposure-notifications).
        assert_ok(
            RULE,
            "-- Copyright header\n\nBEGIN;\n\nALTER TABLE t ADD COLUMN a int;\nCREATE INDEX i ON t (a);\n\nEND;\n",
        );
        assert_ok(
            RULE,
            "begin transaction;\nCREATE TABLE t (id int);\ncommit work;",
        );
        assert_ok(
            RULE,
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE; UPDATE t SET a = 1 WHERE id = 2; COMMIT;",
        );
        // Settings before BEGIN and after COMMIT are harmless.
        assert_ok(
            RULE,
            "SET lock_timeout = '2s';\nBEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nRESET lock_timeout;",
        );
        assert_ok(
            RULE,
            "BEGIN;\nSAVEPOINT a;\nCREATE TABLE t (id int);\nRELEASE SAVEPOINT a;\nCOMMIT;",
        );
    }

    #[test]
    fn no_transaction_statement_ok() {
        assert_ok(RULE, "CREATE TABLE t (id int); CREATE INDEX i ON t (id);");
    }

    #[test]
    fn commit_in_the_middle_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\n\nCREATE INDEX CONCURRENTLY i ON t (a);"
        ));
    }

    #[test]
    fn two_blocks_err() {
        let out = assert_err(
            RULE,
            "BEGIN; CREATE TABLE a (id int); END;\nBEGIN; CREATE TABLE b (id int); END;",
        );
        assert_eq!(out.matches("[transaction-nesting]").count(), 1, "{out}");
        assert!(out.contains(":1:33:"), "{out}");
    }

    #[test]
    fn commit_without_begin_mid_file_err() {
        assert_err(
            RULE,
            "CREATE TABLE a (id int);\nCOMMIT;\nCREATE TABLE b (id int);",
        );
    }

    #[test]
    fn trailing_commit_without_begin_ok() {
        assert_ok(RULE, "CREATE TABLE a (id int);\nCOMMIT;");
    }

    #[test]
    fn nested_begin_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "BEGIN;\nCREATE TABLE a (id int);\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\nCOMMIT;"
        ));
    }

    #[test]
    fn begin_without_commit_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- forgot the end\nBEGIN;\nCREATE TABLE a (id int);"
        ));
    }

    #[test]
    fn rollback_err() {
        insta::assert_snapshot!(assert_err(RULE, "BEGIN;\nDROP TABLE a;\nROLLBACK;"));
        assert_err(RULE, "BEGIN; DROP TABLE a; ABORT;");
    }

    #[test]
    fn savepoint_misuse_err() {
        // Outside a BEGIN block.
        assert_err(RULE, "SAVEPOINT a; CREATE TABLE t (id int);");
        // Unknown savepoint.
        let out = assert_err(RULE, "BEGIN; RELEASE SAVEPOINT \"A\"; COMMIT;");
        assert!(out.contains("savepoint \"A\""), "{out}");
        // A savepoint of an earlier transaction.
        assert_err(
            RULE,
            "BEGIN; SAVEPOINT a; COMMIT;\nBEGIN; ROLLBACK TO a; COMMIT;",
        );
        // Unconditional rollback to a savepoint.
        insta::assert_snapshot!(assert_err(
            RULE,
            "BEGIN;\nSAVEPOINT before_drop;\nDROP TABLE a;\nROLLBACK TO SAVEPOINT before_drop;\nCOMMIT;"
        ));
    }

    #[test]
    fn two_phase_commit_err() {
        assert_err(
            RULE,
            "BEGIN; CREATE TABLE t (id int); PREPARE TRANSACTION 'x';",
        );
        assert_err(RULE, "COMMIT PREPARED 'x';");
    }
}
