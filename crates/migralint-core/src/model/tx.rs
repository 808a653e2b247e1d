//! The transaction splitter: which transaction each statement of a file
//! runs in. golang-migrate sends a file as one multi-statement query,
//! which PostgreSQL runs as one implicit transaction that `COMMIT`,
//! `ROLLBACK` (and `PREPARE TRANSACTION`) end; a `BEGIN` turns the
//! implicit block into an explicit one without ending it; `COMMIT AND
//! CHAIN` starts the next one at once. With golang-migrate's
//! `x-multi-statement=true`, statements outside `BEGIN ... COMMIT` each
//! commit alone.

use pg_query::protobuf::TransactionStmtKind as K;
use pg_query::NodeEnum;

/// Where a statement runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TxPlace {
    /// The transaction: equal ids, same transaction.
    pub id: u32,
    /// Inside an explicit `BEGIN ... COMMIT` block when the statement
    /// starts (a `BEGIN` itself is not; its `COMMIT` is).
    pub explicit: bool,
}

/// The kind of a transaction-control statement (`BEGIN`, `COMMIT`, ...).
pub fn transaction_kind(node: &NodeEnum) -> Option<K> {
    match node {
        NodeEnum::TransactionStmt(t) => K::try_from(t.kind).ok(),
        _ => None,
    }
}

/// Where each statement of a file runs, in order.
pub fn places<'a>(
    nodes: impl IntoIterator<Item = &'a NodeEnum>,
    multi_statement: bool,
) -> Vec<TxPlace> {
    let mut splitter = Splitter::new(multi_statement);
    nodes.into_iter().map(|n| splitter.next(n)).collect()
}

/// The splitter, one statement at a time.
#[derive(Clone, Debug)]
pub struct Splitter {
    multi_statement: bool,
    id: u32,
    explicit: bool,
}

impl Splitter {
    pub fn new(multi_statement: bool) -> Splitter {
        Splitter {
            multi_statement,
            id: 0,
            explicit: false,
        }
    }

    /// Where the next statement of the file runs.
    pub fn next(&mut self, node: &NodeEnum) -> TxPlace {
        let before = self.explicit;
        match transaction_kind(node) {
            Some(K::TransStmtBegin | K::TransStmtStart) => {
                if self.multi_statement && !self.explicit {
                    self.id += 1;
                }
                self.explicit = true;
                TxPlace {
                    id: self.id,
                    explicit: before,
                }
            }
            Some(K::TransStmtCommit | K::TransStmtRollback | K::TransStmtPrepare) => {
                let place = TxPlace {
                    id: self.id,
                    explicit: before,
                };
                self.id += 1;
                let chain = matches!(node, NodeEnum::TransactionStmt(t) if t.chain);
                self.explicit = self.explicit && chain;
                place
            }
            _ if self.multi_statement && !self.explicit => {
                self.id += 1;
                let place = TxPlace {
                    id: self.id,
                    explicit: false,
                };
                self.id += 1;
                place
            }
            _ => TxPlace {
                id: self.id,
                explicit: self.explicit,
            },
        }
    }
}

/// What each `ROLLBACK` and `ROLLBACK TO SAVEPOINT` of a file undoes: for
/// statement `j` that is one, `Some(i)`: the statements from `i` up to
/// `j` leave nothing behind (objects created, dropped or renamed, rows
/// emptied or filled, settings, locks), so the file goes on from the state
/// before statement `i` (checked on PostgreSQL 15). A `ROLLBACK` undoes
/// its whole transaction, the statements before a `BEGIN` in the same
/// implicit block included (with `multi-statement`, those committed
/// alone); a `ROLLBACK TO s` what followed the latest `SAVEPOINT s` of its
/// transaction not released since (none: PostgreSQL refuses it, and it undoes nothing here).
/// `None` for every other statement, and where nothing is undone.
pub fn rollbacks<'a>(
    stmts: impl IntoIterator<Item = (TxPlace, Option<K>, &'a str)>,
) -> Vec<Option<usize>> {
    let stmts: Vec<_> = stmts.into_iter().collect();
    let mut out = vec![None; stmts.len()];
    for (j, &(place, kind, savepoint)) in stmts.iter().enumerate() {
        // Transaction ids never decrease through a file.
        let start = stmts[..j].partition_point(|s| s.0.id < place.id);
        let from = match kind {
            Some(K::TransStmtRollback) => Some(start),
            Some(K::TransStmtRollbackTo) => {
                // A `RELEASE s` on the way back released the latest `s`.
                let mut released = 0;
                (start..j)
                    .rev()
                    .find(|&i| match stmts[i] {
                        (_, Some(K::TransStmtRelease), s) if s == savepoint => {
                            released += 1;
                            false
                        }
                        (_, Some(K::TransStmtSavepoint), s) if s == savepoint => {
                            if released == 0 {
                                return true;
                            }
                            released -= 1;
                            false
                        }
                        _ => false,
                    })
                    .map(|i| i + 1)
            }
            _ => None,
        };
        out[j] = from.filter(|&i| i < j);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn ids(sql: &str, multi: bool) -> Vec<(u32, bool)> {
        let f = parse_file("x.sql", sql);
        places(f.statements.iter().map(|s| &s.node), multi)
            .iter()
            .map(|p| (p.id, p.explicit))
            .collect()
    }

    #[test]
    fn implicit_and_explicit_transactions() {
        assert_eq!(
            ids(
                "SELECT 1; COMMIT; SELECT 2; BEGIN; SELECT 3; COMMIT; SELECT 4;",
                false
            ),
            [
                (0, false),
                (0, false),
                (1, false),
                (1, false),
                (1, true),
                (1, true),
                (2, false)
            ]
        );
        // AND CHAIN: the next transaction starts at once, still explicit.
        assert_eq!(
            ids(
                "BEGIN; SELECT 1; COMMIT AND CHAIN; SELECT 2; COMMIT;",
                false
            ),
            [(0, false), (0, true), (0, true), (1, true), (1, true)]
        );
        assert_eq!(
            ids(
                "SELECT 1; SELECT 2; BEGIN; SELECT 3; SELECT 4; COMMIT;",
                true
            ),
            [
                (1, false),
                (3, false),
                (5, false),
                (5, true),
                (5, true),
                (5, true)
            ]
        );
    }

    #[test]
    fn what_rollbacks_undo() {
        let undo = |sql: &str, multi: bool| {
            let f = parse_file("x.sql", sql);
            let nodes: Vec<_> = f.statements.iter().map(|s| &s.node).collect();
            let places = places(nodes.iter().copied(), multi);
            let names: Vec<String> = nodes
                .iter()
                .map(|n| match n {
                    NodeEnum::TransactionStmt(t) => t.savepoint_name.clone(),
                    _ => String::new(),
                })
                .collect();
            rollbacks(
                (0..nodes.len())
                    .map(|i| (places[i], transaction_kind(nodes[i]), names[i].as_str())),
            )
        };
        // The whole transaction, the statements before its BEGIN included.
        assert_eq!(
            undo(
                "SELECT 1; COMMIT; SELECT 2; BEGIN; SELECT 3; ROLLBACK; SELECT 4;",
                false
            ),
            [None, None, None, None, None, Some(2), None]
        );
        // With multi-statement, what ran before the BEGIN committed alone.
        assert_eq!(
            undo("SELECT 2; BEGIN; SELECT 3; ROLLBACK;", true),
            [None, None, None, Some(1)]
        );
        assert_eq!(undo("SELECT 2; ROLLBACK;", true), [None, None]);
        assert_eq!(
            undo("BEGIN; SAVEPOINT a; SELECT 1; SAVEPOINT b; ROLLBACK TO a; RELEASE a; ROLLBACK TO a;", false),
            [None, None, None, None, Some(2), None, None]
        );
    }
}
