//! Small helpers shared by rules.

use pg_query::protobuf::{AlterTableCmd, AlterTableStmt, AlterTableType, ObjectType};
use pg_query::NodeEnum;

use crate::context::StmtCx;
use crate::locks::{node_locks, LockTaken};
use crate::model::QualName;

/// `ALTER TABLE`'s table and subcommands, for statements that are one.
pub fn alter_table(node: &NodeEnum) -> Option<(&AlterTableStmt, QualName)> {
    match node {
        NodeEnum::AlterTableStmt(s) if s.objtype == ObjectType::ObjectTable as i32 => {
            Some((s, QualName::from_range_var(s.relation.as_ref()?)))
        }
        _ => None,
    }
}

/// The subcommands of an `ALTER TABLE`.
pub fn cmds(s: &AlterTableStmt) -> impl Iterator<Item = &AlterTableCmd> {
    s.cmds.iter().filter_map(|c| match c.node.as_ref() {
        Some(NodeEnum::AlterTableCmd(cmd)) => Some(&**cmd),
        _ => None,
    })
}

pub fn subtype(cmd: &AlterTableCmd) -> AlterTableType {
    AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined)
}

/// The lock this statement takes on `table`, described for a message:
/// `ACCESS EXCLUSIVE on users (blocks reads and writes; rewrites the table)`.
pub fn lock_on(cx: &StmtCx, table: &QualName) -> Option<LockTaken> {
    node_locks(&cx.stmt.node, cx.config.pg_version)
        .into_iter()
        .find(|l| l.relation.key() == table.key())
}

pub fn describe_lock(cx: &StmtCx, table: &QualName) -> String {
    lock_on(cx, table).map_or_else(|| format!("a lock on {table}"), |l| l.describe())
}

/// The table is dropped by a later statement of the same file (so locking
/// it now hardly matters: the file is about to take ACCESS EXCLUSIVE anyway).
pub fn dropped_later_in_file(cx: &StmtCx, table: &QualName) -> bool {
    let key = table.key();
    cx.later_statements().iter().any(|s| match &s.node {
        NodeEnum::DropStmt(d) if d.remove_type == ObjectType::ObjectTable as i32 => d.objects.iter().any(|o| {
            matches!(o.node.as_ref(), Some(NodeEnum::List(l)) if QualName::from_list(&l.items).is_some_and(|n| n.key() == key))
        }),
        _ => false,
    })
}

/// The table holds data when this statement runs: it was not created
/// earlier in this same file.
pub fn holds_data(cx: &StmtCx, table: &QualName) -> bool {
    !cx.table_state(table).is_new()
}
