//! PostgreSQL's table lock modes, what they block, and the locks a
//! statement takes. Used by the locking rules and by `migrate --dry-run`.

use std::fmt;

use pg_query::protobuf::{AlterTableCmd, AlterTableType, ConstrType, ObjectType};
use pg_query::NodeEnum;

use crate::model::effects::column_constraints;
use crate::model::names::QualName;
use crate::model::{coercion, Schema};
use crate::parse::Statement;

/// Table-level lock modes, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// PostgreSQL's conflict table ("Conflicting Lock Modes").
    pub fn conflicts_with(self, other: LockMode) -> bool {
        use LockMode::*;
        let conflicts: &[LockMode] = match self {
            AccessShare => &[AccessExclusive],
            RowShare => &[Exclusive, AccessExclusive],
            RowExclusive => &[Share, ShareRowExclusive, Exclusive, AccessExclusive],
            ShareUpdateExclusive => &[
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Share => &[
                RowExclusive,
                ShareUpdateExclusive,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            ShareRowExclusive => &[
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Exclusive => &[
                RowShare,
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            AccessExclusive => &LockMode::ALL,
        };
        conflicts.contains(&other)
    }

    /// Plain `SELECT`s wait (they take ACCESS SHARE).
    pub fn blocks_reads(self) -> bool {
        self.conflicts_with(LockMode::AccessShare)
    }

    /// `INSERT`/`UPDATE`/`DELETE` wait (they take ROW EXCLUSIVE).
    pub fn blocks_writes(self) -> bool {
        self.conflicts_with(LockMode::RowExclusive)
    }

    /// What the lock blocks, in words.
    pub fn blocks(self) -> &'static str {
        match (self.blocks_reads(), self.blocks_writes()) {
            (true, _) => "blocks reads and writes",
            (false, true) => "blocks writes",
            (false, false) => "blocks other schema changes only",
        }
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A lock a statement takes on one relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockTaken {
    pub mode: LockMode,
    /// The relation as written (`users`, `app.users`).
    pub relation: QualName,
    /// The table (or index) is rewritten.
    pub rewrite: bool,
    /// The table is read in full while the lock is held.
    pub scan: bool,
    /// `relation` names an index whose table is not known: the lock is on
    /// that table.
    pub on_index: bool,
}

impl fmt::Display for LockTaken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.on_index {
            write!(f, "{} on the table of index {}", self.mode, self.relation)
        } else {
            write!(f, "{} on {}", self.mode, self.relation)
        }
    }
}

impl LockTaken {
    fn new(mode: LockMode, relation: &QualName) -> Self {
        LockTaken {
            mode,
            relation: relation.clone(),
            rewrite: false,
            scan: false,
            on_index: false,
        }
    }
    fn rewrite(mut self) -> Self {
        self.rewrite = true;
        self.scan = true;
        self
    }
    fn scan(mut self) -> Self {
        self.scan = true;
        self
    }

    /// e.g. `ACCESS EXCLUSIVE on users (blocks reads and writes; rewrites the table)`.
    pub fn describe(&self) -> String {
        let effect = if self.rewrite {
            "; rewrites the table"
        } else if self.scan {
            "; scans the whole table"
        } else {
            ""
        };
        format!("{self} ({}{effect})", self.mode.blocks())
    }
}

/// The locks a statement takes, with indexes resolved to their tables
/// where the schema model knows them.
/// A column type change that the schema model shows to be binary-coercible
/// (a wider `varchar`, say) rewrites nothing.
/// `SET NOT NULL` on a column the model knows is NOT NULL already (a key
/// column...) or has a validated `CHECK (col IS NOT NULL)` (PostgreSQL
/// 12+): no scan.
fn already_not_null(
    cmd: &pg_query::protobuf::AlterTableCmd,
    table: &QualName,
    schema: &Schema,
    pg_version: u32,
) -> bool {
    use pg_query::protobuf::AlterTableType as T;
    if T::try_from(cmd.subtype) != Ok(T::AtSetNotNull) {
        return false;
    }
    schema.table(table).is_some_and(|t| {
        t.column(&cmd.name).is_some_and(|c| c.not_null)
            || (pg_version >= 12 && t.has_valid_not_null_check(&cmd.name))
    })
}

pub fn locks_in(node: &NodeEnum, pg_version: u32, schema: &Schema) -> Vec<LockTaken> {
    let mut locks = node_locks_with(node, pg_version, Some(schema));
    if let NodeEnum::AlterTableStmt(s) = node {
        if let Some(table) = s.relation.as_ref().map(QualName::from_range_var) {
            let rewrites = s.cmds.iter().any(|c| match c.node.as_ref() {
                Some(NodeEnum::AlterTableCmd(cmd)) => {
                    !schema.skips_add_column(&table, cmd)
                        && alter_cmd_locks(&table, cmd, pg_version, Some(schema))
                            .iter()
                            .any(|l| {
                                l.rewrite
                                    && !catalog_only_type_change(cmd, &table, schema, pg_version)
                            })
                }
                _ => false,
            });
            for l in locks.iter_mut().filter(|l| l.relation.key() == table.key()) {
                if !rewrites {
                    l.rewrite = false;
                    l.scan = s.cmds.iter().any(|c| match c.node.as_ref() {
                        Some(NodeEnum::AlterTableCmd(cmd)) => {
                            !already_not_null(cmd, &table, schema, pg_version)
                                && !schema.skips_add_column(&table, cmd)
                                && alter_cmd_locks(&table, cmd, pg_version, Some(schema))
                                    .iter()
                                    .any(|l| l.scan && !l.rewrite)
                        }
                        _ => false,
                    });
                }
            }
        }
    }
    let locks = locks
        .into_iter()
        .map(|mut l| {
            if l.on_index {
                if let Some(index) = schema.index(&l.relation) {
                    l.relation = index.table.clone();
                    l.on_index = false;
                }
            }
            l
        })
        .collect();
    merge(locks)
}

/// The table-level locks a statement takes, strongest per relation.
pub fn statement_locks(stmt: &Statement, pg_version: u32) -> Vec<LockTaken> {
    node_locks(&stmt.node, pg_version)
}

/// The locks a statement takes, as far as the statement alone tells.
pub fn node_locks(node: &NodeEnum, pg_version: u32) -> Vec<LockTaken> {
    node_locks_with(node, pg_version, None)
}

/// `node_locks`, with what the schema model knows when it is given
/// (which domains check something).
fn node_locks_with(node: &NodeEnum, pg_version: u32, schema: Option<&Schema>) -> Vec<LockTaken> {
    use LockMode::*;
    let rv = |r: &Option<pg_query::protobuf::RangeVar>| r.as_ref().map(QualName::from_range_var);
    let mut out = Vec::new();
    match node {
        NodeEnum::IndexStmt(s) => {
            if let Some(t) = rv(&s.relation) {
                out.push(
                    LockTaken::new(
                        if s.concurrent {
                            ShareUpdateExclusive
                        } else {
                            Share
                        },
                        &t,
                    )
                    .scan(),
                );
            }
        }
        NodeEnum::AlterTableStmt(s) => {
            if let Some(t) = rv(&s.relation) {
                for cmd in &s.cmds {
                    if let Some(NodeEnum::AlterTableCmd(cmd)) = cmd.node.as_ref() {
                        out.extend(alter_cmd_locks(&t, cmd, pg_version, schema));
                    }
                }
            }
        }
        // `ALTER DOMAIN d ADD CHECK (...)` (not NOT VALID), `SET NOT NULL`,
        // `VALIDATE CONSTRAINT`: every column of the domain, in every table,
        // is checked under SHARE (PostgreSQL 15). Known from the schema.
        NodeEnum::AlterDomainStmt(s) => {
            let checks = match s.subtype.as_str() {
                "C" => matches!(s.def.as_deref().and_then(|d| d.node.as_ref()),
                    Some(NodeEnum::Constraint(c)) if !c.skip_validation
                        && ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrCheck)),
                "O" | "V" => true,
                _ => false,
            };
            if let (true, Some(schema), Some(domain)) =
                (checks, schema, QualName::from_list(&s.type_name))
            {
                for t in schema.tables_using_domain(&domain) {
                    out.push(LockTaken::new(Share, &t).scan());
                }
            }
        }
        NodeEnum::RenameStmt(s) => {
            if let Some(t) = rv(&s.relation) {
                // `ALTER INDEX ... RENAME` locks the index alone (not its
                // table), in SHARE UPDATE EXCLUSIVE mode since PostgreSQL
                // 12: reads and writes go on. Every other rename takes
                // ACCESS EXCLUSIVE on the relation it names.
                let index = s.rename_type == ObjectType::ObjectIndex as i32;
                let mode = if index && pg_version >= 12 {
                    ShareUpdateExclusive
                } else {
                    AccessExclusive
                };
                out.push(LockTaken::new(mode, &t));
            }
        }
        NodeEnum::DropStmt(s) => {
            let kind = s.remove_type;
            let relational = [
                ObjectType::ObjectTable,
                ObjectType::ObjectIndex,
                ObjectType::ObjectMatview,
                ObjectType::ObjectView,
            ]
            .iter()
            .any(|k| *k as i32 == kind);
            // DROP TRIGGER name ON table: ACCESS EXCLUSIVE on the table
            // (its list names the table, then the trigger).
            if kind == ObjectType::ObjectTrigger as i32 {
                for obj in &s.objects {
                    if let Some(NodeEnum::List(l)) = obj.node.as_ref() {
                        let table = &l.items[..l.items.len().saturating_sub(1)];
                        if let Some(name) = QualName::from_list(table) {
                            out.push(LockTaken::new(AccessExclusive, &name));
                        }
                    }
                }
            }
            if relational {
                for obj in &s.objects {
                    if let Some(NodeEnum::List(l)) = obj.node.as_ref() {
                        if let Some(name) = QualName::from_list(&l.items) {
                            let mode = if s.concurrent {
                                ShareUpdateExclusive
                            } else {
                                AccessExclusive
                            };
                            let mut lock = LockTaken::new(mode, &name);
                            lock.on_index = kind == ObjectType::ObjectIndex as i32;
                            out.push(lock);
                        }
                    }
                }
            }
        }
        NodeEnum::TruncateStmt(s) => {
            for r in &s.relations {
                if let Some(NodeEnum::RangeVar(r)) = r.node.as_ref() {
                    out.push(LockTaken::new(
                        AccessExclusive,
                        &QualName::from_range_var(r),
                    ));
                }
            }
        }
        NodeEnum::VacuumStmt(s) => {
            let full = s.options.iter().any(
                |o| matches!(o.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "full"),
            );
            for r in &s.rels {
                if let Some(NodeEnum::VacuumRelation(v)) = r.node.as_ref() {
                    if let Some(t) = rv(&v.relation) {
                        out.push(if full {
                            LockTaken::new(AccessExclusive, &t).rewrite()
                        } else {
                            LockTaken::new(ShareUpdateExclusive, &t).scan()
                        });
                    }
                }
            }
        }
        NodeEnum::ClusterStmt(s) => {
            if let Some(t) = rv(&s.relation) {
                out.push(LockTaken::new(AccessExclusive, &t).rewrite());
            }
        }
        NodeEnum::ReindexStmt(s) => {
            let concurrently = s.params.iter().any(|o| matches!(o.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "concurrently"));
            let target = rv(&s.relation)
                .or_else(|| (!s.name.is_empty()).then(|| QualName::new(None, &s.name)));
            if let Some(t) = target {
                out.push(if concurrently {
                    LockTaken::new(ShareUpdateExclusive, &t).scan()
                } else {
                    LockTaken::new(AccessExclusive, &t).rewrite()
                });
            }
        }
        // `COMMENT ON` a relation or a column: SHARE UPDATE EXCLUSIVE on
        // the relation (only schema changes and VACUUM wait).
        NodeEnum::CommentStmt(s) => {
            let relation = [
                ObjectType::ObjectTable,
                ObjectType::ObjectIndex,
                ObjectType::ObjectView,
                ObjectType::ObjectMatview,
                ObjectType::ObjectSequence,
            ]
            .iter()
            .any(|k| *k as i32 == s.objtype);
            let column = s.objtype == ObjectType::ObjectColumn as i32;
            let list = s.object.as_deref().and_then(|o| o.node.as_ref());
            if let (true, Some(NodeEnum::List(l))) = (relation || column, list) {
                // A column is named `table.column`: the relation is the rest.
                let names = &l.items[..l.items.len().saturating_sub(usize::from(column))];
                if let Some(name) = QualName::from_list(names) {
                    out.push(LockTaken::new(ShareUpdateExclusive, &name));
                }
            }
        }
        NodeEnum::LockStmt(s) => {
            let mode = LockMode::ALL
                .get((s.mode as usize).saturating_sub(1))
                .copied()
                .unwrap_or(AccessExclusive);
            for r in &s.relations {
                if let Some(NodeEnum::RangeVar(r)) = r.node.as_ref() {
                    out.push(LockTaken::new(mode, &QualName::from_range_var(r)));
                }
            }
        }
        NodeEnum::RefreshMatViewStmt(s) => {
            if let Some(t) = rv(&s.relation) {
                out.push(
                    LockTaken::new(
                        if s.concurrent {
                            Exclusive
                        } else {
                            AccessExclusive
                        },
                        &t,
                    )
                    .rewrite(),
                );
            }
        }
        NodeEnum::UpdateStmt(s) => {
            out.extend(rv(&s.relation).map(|t| LockTaken::new(RowExclusive, &t)))
        }
        NodeEnum::DeleteStmt(s) => {
            out.extend(rv(&s.relation).map(|t| LockTaken::new(RowExclusive, &t)))
        }
        NodeEnum::InsertStmt(s) => {
            out.extend(rv(&s.relation).map(|t| LockTaken::new(RowExclusive, &t)))
        }
        NodeEnum::CreateTrigStmt(s) => {
            out.extend(rv(&s.relation).map(|t| LockTaken::new(ShareRowExclusive, &t)))
        }
        NodeEnum::CreateStmt(s) => {
            // A foreign key to another table locks that table too.
            for elt in &s.table_elts {
                let cons: Vec<&pg_query::protobuf::Constraint> = match elt.node.as_ref() {
                    Some(NodeEnum::ColumnDef(c)) => column_constraints(c).collect(),
                    Some(NodeEnum::Constraint(c)) => vec![c],
                    _ => vec![],
                };
                for c in cons {
                    if ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrForeign) {
                        out.extend(rv(&c.pktable).map(|t| LockTaken::new(ShareRowExclusive, &t)));
                    }
                }
            }
        }
        _ => {}
    }
    merge(out)
}

/// Keeps the strongest lock per relation, and the union of effects.
fn merge(locks: Vec<LockTaken>) -> Vec<LockTaken> {
    let mut out: Vec<LockTaken> = Vec::new();
    for l in locks {
        match out
            .iter_mut()
            .find(|o| o.relation.key() == l.relation.key())
        {
            Some(o) => {
                o.mode = o.mode.max(l.mode);
                o.rewrite |= l.rewrite;
                o.scan |= l.scan;
            }
            None => out.push(l),
        }
    }
    out
}

fn alter_cmd_locks(
    table: &QualName,
    cmd: &AlterTableCmd,
    pg_version: u32,
    schema: Option<&Schema>,
) -> Vec<LockTaken> {
    use AlterTableType as T;
    use LockMode::*;
    let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
    let subtype = T::try_from(cmd.subtype).unwrap_or(T::Undefined);
    let base = LockTaken::new(AccessExclusive, table);
    match subtype {
        T::AtAddColumn => {
            let Some(NodeEnum::ColumnDef(c)) = def else {
                return vec![base];
            };
            let mut out = vec![if add_column_rewrites(c, pg_version, schema) {
                base.rewrite()
            } else {
                base
            }];
            for con in column_constraints(c) {
                if ConstrType::try_from(con.contype) == Ok(ConstrType::ConstrForeign) {
                    if let Some(pk) = &con.pktable {
                        out.push(LockTaken::new(
                            ShareRowExclusive,
                            &QualName::from_range_var(pk),
                        ));
                    }
                }
            }
            out
        }
        T::AtAlterColumnType
        | T::AtSetTableSpace
        | T::AtSetLogged
        | T::AtSetUnLogged
        | T::AtSetAccessMethod => {
            vec![base.rewrite()]
        }
        T::AtSetNotNull => vec![base.scan()],
        T::AtAddConstraint => {
            let Some(NodeEnum::Constraint(c)) = def else {
                return vec![base];
            };
            let not_valid = c.skip_validation;
            match ConstrType::try_from(c.contype) {
                Ok(ConstrType::ConstrForeign) => {
                    let mut l = LockTaken::new(ShareRowExclusive, table);
                    l.scan = !not_valid;
                    let mut out = vec![l];
                    if let Some(pk) = &c.pktable {
                        out.push(LockTaken::new(
                            ShareRowExclusive,
                            &QualName::from_range_var(pk),
                        ));
                    }
                    out
                }
                Ok(ConstrType::ConstrCheck) if not_valid => vec![base],
                Ok(ConstrType::ConstrUnique | ConstrType::ConstrPrimary)
                    if !c.indexname.is_empty() =>
                {
                    vec![base]
                }
                _ => vec![base.scan()],
            }
        }
        T::AtValidateConstraint => vec![LockTaken::new(ShareUpdateExclusive, table).scan()],
        T::AtSetStatistics
        | T::AtClusterOn
        | T::AtDropCluster
        | T::AtSetRelOptions
        | T::AtResetRelOptions => {
            vec![LockTaken::new(ShareUpdateExclusive, table)]
        }
        T::AtAttachPartition => vec![LockTaken::new(ShareUpdateExclusive, table)],
        T::AtDetachPartition => {
            let concurrent = matches!(def, Some(NodeEnum::PartitionCmd(p)) if p.concurrent);
            vec![LockTaken::new(
                if concurrent {
                    ShareUpdateExclusive
                } else {
                    AccessExclusive
                },
                table,
            )]
        }
        T::AtEnableTrig
        | T::AtEnableAlwaysTrig
        | T::AtEnableReplicaTrig
        | T::AtDisableTrig
        | T::AtEnableTrigAll
        | T::AtDisableTrigAll
        | T::AtEnableTrigUser
        | T::AtDisableTrigUser => vec![LockTaken::new(ShareRowExclusive, table)],
        _ => vec![base],
    }
}

/// `ALTER COLUMN ... TYPE` (no USING, no COLLATE) between types the schema
/// model knows to be binary-coercible.
fn catalog_only_type_change(
    cmd: &AlterTableCmd,
    table: &QualName,
    schema: &Schema,
    pg_version: u32,
) -> bool {
    if AlterTableType::try_from(cmd.subtype) != Ok(AlterTableType::AtAlterColumnType) {
        return false;
    }
    let Some(NodeEnum::ColumnDef(def)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) else {
        return false;
    };
    if !coercion::using_converts_nothing(def, &cmd.name) || def.coll_clause.is_some() {
        return false;
    }
    let (Some(new), Some(old)) = (
        def.type_name
            .as_ref()
            .map(crate::model::SqlType::from_type_name),
        schema
            .table(table)
            .and_then(|t| t.column(&cmd.name))
            .map(|c| coercion::storage_type(&c.ty)),
    ) else {
        return false;
    };
    let (old, new) = schema.judged_types(old, new);
    match coercion::judge(&old, &new, pg_version) {
        coercion::Verdict::Safe => true,
        // The rows stay (the table keeps its file); an index on the column
        // is built again (`changing-column-type` reports that).
        coercion::Verdict::Reindex(_) => true,
        _ => false,
    }
}

/// `ADD COLUMN` rewrites the table: a volatile default (any default before
/// PostgreSQL 11), an identity, serial or stored generated column, or a
/// column whose type is a domain with constraints (`CHECK`, `NOT NULL`:
/// PostgreSQL evaluates them for every existing row, default or not), when
/// `schema` knows that domain.
pub fn add_column_rewrites(
    c: &pg_query::protobuf::ColumnDef,
    pg_version: u32,
    schema: Option<&Schema>,
) -> bool {
    if schema.is_some_and(|s| s.column_type_has_constraints(c)) {
        return true;
    }
    let serial = c
        .type_name
        .as_ref()
        .is_some_and(|t| crate::model::SqlType::from_type_name(t).is_serial());
    serial
        || !c.identity.is_empty()
        || column_constraints(c).any(|con| match ConstrType::try_from(con.contype) {
            Ok(ConstrType::ConstrIdentity | ConstrType::ConstrGenerated) => true,
            Ok(ConstrType::ConstrDefault) => {
                pg_version < 11 || con.raw_expr.as_deref().is_some_and(|e| volatile(e, schema))
            }
            _ => false,
        })
        || c.raw_default
            .as_deref()
            .is_some_and(|e| pg_version < 11 || volatile(e, schema))
}

/// A volatile default, judged with the functions `schema` knows.
fn volatile(expr: &pg_query::protobuf::Node, schema: Option<&Schema>) -> bool {
    crate::model::volatility::volatile_call_in(expr, schema.map(|s| &s.functions)).is_some()
}

/// Statements that PostgreSQL refuses inside a transaction block.
pub fn cannot_run_in_transaction(stmt: &Statement, pg_version: u32) -> bool {
    node_cannot_run_in_transaction(&stmt.node, pg_version)
}

pub fn node_cannot_run_in_transaction(node: &NodeEnum, pg_version: u32) -> bool {
    match node {
        NodeEnum::IndexStmt(s) => s.concurrent,
        NodeEnum::DropStmt(s) => s.concurrent,
        NodeEnum::ReindexStmt(s) => {
            s.params.iter().any(|o| matches!(o.node.as_ref(), Some(NodeEnum::DefElem(d)) if d.defname == "concurrently"))
                || s.kind == pg_query::protobuf::ReindexObjectType::ReindexObjectSystem as i32
                || s.kind == pg_query::protobuf::ReindexObjectType::ReindexObjectDatabase as i32
        }
        NodeEnum::VacuumStmt(s) => s.is_vacuumcmd,
        NodeEnum::CreatedbStmt(_)
        | NodeEnum::DropdbStmt(_)
        | NodeEnum::AlterSystemStmt(_)
        | NodeEnum::CreateTableSpaceStmt(_)
        | NodeEnum::DropTableSpaceStmt(_) => true,
        NodeEnum::AlterEnumStmt(s) => pg_version < 12 && !s.new_val.is_empty() && s.old_val.is_empty(),
        NodeEnum::ClusterStmt(s) => s.relation.is_none(),
        NodeEnum::AlterTableStmt(s) => s.cmds.iter().any(|c| {
            matches!(c.node.as_ref(), Some(NodeEnum::AlterTableCmd(cmd))
                if cmd.subtype == AlterTableType::AtDetachPartition as i32
                && matches!(cmd.def.as_deref().and_then(|d| d.node.as_ref()), Some(NodeEnum::PartitionCmd(p)) if p.concurrent))
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn locks(sql: &str) -> Vec<String> {
        let f = parse_file("x.sql", sql);
        statement_locks(&f.statements[0], 15)
            .iter()
            .map(LockTaken::describe)
            .collect()
    }

    #[test]
    fn conflict_table() {
        assert!(LockMode::AccessExclusive.blocks_reads());
        assert!(LockMode::Share.blocks_writes());
        assert!(!LockMode::Share.blocks_reads());
        assert!(!LockMode::ShareUpdateExclusive.blocks_writes());
        for a in LockMode::ALL {
            for b in LockMode::ALL {
                assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn statement_lock_examples() {
        assert_eq!(
            locks("CREATE INDEX i ON app.users (email)"),
            ["SHARE on app.users (blocks writes; scans the whole table)"]
        );
        assert_eq!(
            locks("ALTER TABLE users ALTER COLUMN a TYPE bigint"),
            ["ACCESS EXCLUSIVE on users (blocks reads and writes; rewrites the table)"]
        );
        assert_eq!(
            locks("ALTER TABLE o ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES users (id) NOT VALID"),
            [
                "SHARE ROW EXCLUSIVE on o (blocks writes)",
                "SHARE ROW EXCLUSIVE on users (blocks writes)"
            ]
        );
        assert_eq!(
            locks("ALTER INDEX users_email RENAME TO users_mail"),
            ["SHARE UPDATE EXCLUSIVE on users_email (blocks other schema changes only)"]
        );
        assert_eq!(
            locks("ALTER TABLE users RENAME COLUMN email TO mail"),
            ["ACCESS EXCLUSIVE on users (blocks reads and writes)"]
        );
        assert_eq!(
            locks("COMMENT ON COLUMN app.users.email IS 'x'"),
            ["SHARE UPDATE EXCLUSIVE on app.users (blocks other schema changes only)"]
        );
        assert_eq!(
            locks("LOCK TABLE t IN SHARE MODE"),
            ["SHARE on t (blocks writes)"]
        );
        assert_eq!(
            locks("LOCK TABLE t"),
            ["ACCESS EXCLUSIVE on t (blocks reads and writes)"]
        );
        assert_eq!(
            locks("ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()")[0],
            "ACCESS EXCLUSIVE on t (blocks reads and writes; rewrites the table)"
        );
        assert_eq!(
            locks("ALTER TABLE t ADD COLUMN c int DEFAULT 0")[0],
            "ACCESS EXCLUSIVE on t (blocks reads and writes)"
        );
    }

    #[test]
    fn transaction_incompatible() {
        let f = parse_file("x.sql", "CREATE INDEX CONCURRENTLY i ON t (a); CREATE INDEX i ON t (a); VACUUM t; ALTER TYPE e ADD VALUE 'x';");
        let v: Vec<bool> = f
            .statements
            .iter()
            .map(|s| cannot_run_in_transaction(s, 15))
            .collect();
        assert_eq!(v, [true, false, true, false]);
        assert!(cannot_run_in_transaction(&f.statements[3], 11));
    }
}
