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
}
