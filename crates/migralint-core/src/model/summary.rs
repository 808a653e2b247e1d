//! What rules ask about statements other than the one they judge, read
//! once from each statement's tree: transaction control, the locks it
//! takes (before the schema resolves indexes to tables), the rows it
//! reads and writes. Rules look at other statements through this summary
//! (and the statement's effects), never through their trees, so the
//! engine need not keep a file's trees to lint it.

use pg_query::protobuf::{ObjectType, SelectStmt, TransactionStmtKind};
use pg_query::NodeEnum;

use super::locks::{node_cannot_run_in_transaction, node_locks, LockTaken};
use super::names::QualName;
use super::tx::transaction_kind;

/// A statement, summarised. Kept for every statement of a file while it
/// is linted, so small: what few statements have is boxed (`Rare`).
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// `BEGIN`, `COMMIT`, `SAVEPOINT`...
    pub tx_kind: Option<TransactionStmtKind>,
    /// Changes something: not transaction control, not `SET`/`SHOW`.
    pub does_work: bool,
    /// PostgreSQL refuses it inside a transaction block.
    pub no_tx: bool,
    /// `CREATE INDEX`.
    pub builds_index: bool,
    /// The table-level locks it takes, strongest per relation, indexes not
    /// yet resolved to their tables (`locks::node_locks`).
    pub locks: Box<[LockTaken]>,
    rare: Option<Box<Rare>>,
}

/// What few statements have.
#[derive(Clone, Debug, Default)]
struct Rare {
    savepoint: String,
    relation: RelationChange,
    dml: Option<Dml>,
    label: Option<&'static str>,
}

impl Summary {
    /// The savepoint a `SAVEPOINT`, `RELEASE` or `ROLLBACK TO` names.
    pub fn savepoint(&self) -> &str {
        self.rare.as_ref().map_or("", |r| r.savepoint.as_str())
    }

    /// What it does to a relation besides locking it.
    pub fn relation(&self) -> &RelationChange {
        const NONE: &RelationChange = &RelationChange::None;
        self.rare.as_ref().map_or(NONE, |r| &r.relation)
    }

    /// Rows it writes or copies.
    pub fn dml(&self) -> Option<&Dml> {
        self.rare.as_ref()?.dml.as_ref()
    }

    /// How a message names it (`ALTER TABLE`, `DROP`...), when its first
    /// word would not do.
    pub fn label(&self) -> Option<&'static str> {
        self.rare.as_ref()?.label
    }
}

/// What a statement does to the relations it locks, where that matters to
/// a lock it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RelationChange {
    #[default]
    None,
    /// Drops a table, view, materialized view or sequence.
    Drops,
    /// Changes a sequence only (`ALTER SEQUENCE`, renaming one).
    Sequence,
    /// Renames a table to this name.
    RenamesTableTo(String),
}

/// Rows a statement writes or copies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dml {
    pub kind: DmlKind,
    /// The table written (`UPDATE`, `DELETE`, `INSERT`).
    pub target: Option<QualName>,
    /// The tables it reads rows from, in the order they are named (`INSERT
    /// ... SELECT`, `CREATE TABLE AS`, `UPDATE ... FROM`).
    pub sources: Vec<QualName>,
    /// `WHERE` picks rows by `column = constant` (or `IN (constants)`) in
    /// one of its top-level `AND` terms.
    pub targeted: bool,
    /// Has a `WHERE` clause at all.
    pub has_where: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DmlKind {
    Update,
    Delete,
    /// `INSERT ... SELECT` (not `VALUES`).
    InsertSelect,
    /// `CREATE TABLE ... AS` / `SELECT INTO` with data.
    CreateAs,
    /// `COPY t FROM 'file'` / `FROM PROGRAM`: a bulk load (`FROM STDIN`
    /// needs data a migration file cannot send).
    Load,
    /// `COPY t TO ...` / `COPY (query) TO ...`: reads every row it writes out.
    Export,
}

impl Summary {
    /// The summary of a statement, for a target PostgreSQL version.
    pub fn of(node: &NodeEnum, pg_version: u32) -> Summary {
        let tx_kind = transaction_kind(node);
        let savepoint = match node {
            NodeEnum::TransactionStmt(t) => t.savepoint_name.clone(),
            _ => String::new(),
        };
        let rare = Rare {
            savepoint,
            relation: relation_change(node),
            dml: dml(node),
            label: label(node),
        };
        let common = rare.savepoint.is_empty()
            && rare.relation == RelationChange::None
            && rare.dml.is_none()
            && rare.label.is_none();
        Summary {
            tx_kind,
            does_work: !matches!(
                node,
                NodeEnum::TransactionStmt(_)
                    | NodeEnum::VariableSetStmt(_)
                    | NodeEnum::VariableShowStmt(_)
            ),
            no_tx: node_cannot_run_in_transaction(node, pg_version),
            builds_index: matches!(node, NodeEnum::IndexStmt(_)),
            locks: node_locks(node, pg_version).into_boxed_slice(),
            rare: (!common).then(|| Box::new(rare)),
        }
    }
}

fn relation_change(node: &NodeEnum) -> RelationChange {
    let is = |t: i32, k: ObjectType| t == k as i32;
    match node {
        NodeEnum::DropStmt(d)
            if [
                ObjectType::ObjectTable,
                ObjectType::ObjectView,
                ObjectType::ObjectMatview,
                ObjectType::ObjectSequence,
            ]
            .iter()
            .any(|k| is(d.remove_type, *k)) =>
        {
            RelationChange::Drops
        }
        NodeEnum::RenameStmt(r)
            if is(r.rename_type, ObjectType::ObjectSequence)
                || is(r.relation_type, ObjectType::ObjectSequence) =>
        {
            RelationChange::Sequence
        }
        NodeEnum::RenameStmt(r) if is(r.rename_type, ObjectType::ObjectTable) => {
            RelationChange::RenamesTableTo(r.newname.clone())
        }
        NodeEnum::AlterTableStmt(a) if is(a.objtype, ObjectType::ObjectSequence) => {
            RelationChange::Sequence
        }
        _ => RelationChange::None,
    }
}

fn label(node: &NodeEnum) -> Option<&'static str> {
    Some(match node {
        NodeEnum::AlterTableStmt(_) => "ALTER TABLE",
        NodeEnum::RenameStmt(_) => "ALTER ... RENAME",
        NodeEnum::LockStmt(_) => "LOCK TABLE",
        NodeEnum::DropStmt(_) => "DROP",
        NodeEnum::TruncateStmt(_) => "TRUNCATE",
        NodeEnum::RefreshMatViewStmt(_) => "REFRESH MATERIALIZED VIEW",
        NodeEnum::VacuumStmt(_) => "VACUUM FULL",
        NodeEnum::ClusterStmt(_) => "CLUSTER",
        NodeEnum::ReindexStmt(_) => "REINDEX",
        NodeEnum::DropRoleStmt(_) => "DROP ROLE",
        _ => return None,
    })
}

fn dml(node: &NodeEnum) -> Option<Dml> {
    let own = own_dml(node);
    // A data-modifying CTE does the statement's work when the statement
    // itself reads no table (`WITH u AS (UPDATE t ... RETURNING id)
    // INSERT INTO log SELECT id FROM u`, or a plain `SELECT` of it).
    let idle = own.as_ref().is_none_or(|d| {
        matches!(d.kind, DmlKind::InsertSelect | DmlKind::CreateAs) && d.sources.is_empty()
    });
    if idle {
        let in_cte = ctes(node)
            .into_iter()
            .find_map(|c| dml(c.ctequery.as_deref()?.node.as_ref()?));
        if in_cte.is_some() {
            return in_cte;
        }
    }
    own
}

/// The rows the statement itself (not its CTEs) writes or copies.
fn own_dml(node: &NodeEnum) -> Option<Dml> {
    let rel = |r: &Option<pg_query::protobuf::RangeVar>| r.as_ref().map(QualName::from_range_var);
    let mut d = match node {
        NodeEnum::UpdateStmt(s) => Dml {
            kind: DmlKind::Update,
            target: rel(&s.relation),
            sources: s.from_clause.iter().flat_map(from_tables).collect(),
            targeted: s.where_clause.as_deref().is_some_and(targeted),
            has_where: s.where_clause.is_some(),
        },
        NodeEnum::DeleteStmt(s) => Dml {
            kind: DmlKind::Delete,
            target: rel(&s.relation),
            sources: s.using_clause.iter().flat_map(from_tables).collect(),
            targeted: s.where_clause.as_deref().is_some_and(targeted),
            has_where: s.where_clause.is_some(),
        },
        NodeEnum::InsertStmt(s) => {
            let sources = query_tables(s.select_stmt.as_deref()?);
            if sources.is_empty() {
                return None;
            }
            Dml {
                kind: DmlKind::InsertSelect,
                target: rel(&s.relation),
                sources,
                targeted: false,
                has_where: false,
            }
        }
        NodeEnum::CreateTableAsStmt(s) if !s.into.as_ref().is_some_and(|i| i.skip_data) => Dml {
            kind: DmlKind::CreateAs,
            target: None,
            sources: query_tables(s.query.as_deref()?),
            targeted: false,
            has_where: false,
        },
        // `SELECT ... INTO t`: CREATE TABLE AS by another name.
        NodeEnum::SelectStmt(s) if s.into_clause.is_some() => Dml {
            kind: DmlKind::CreateAs,
            target: None,
            sources: select_tables(s),
            targeted: false,
            has_where: false,
        },
        NodeEnum::CopyStmt(s) if s.is_from && (s.is_program || !s.filename.is_empty()) => Dml {
            kind: DmlKind::Load,
            target: rel(&s.relation),
            sources: Vec::new(),
            targeted: false,
            has_where: false,
        },
        NodeEnum::CopyStmt(s) if !s.is_from => Dml {
            kind: DmlKind::Export,
            target: None,
            sources: match (&s.relation, s.query.as_deref()) {
                (Some(r), _) => vec![QualName::from_range_var(r)],
                (None, Some(q)) => query_tables(q),
                _ => Vec::new(),
            },
            targeted: false,
            has_where: false,
        },
        // MERGE updates, inserts or deletes the target's rows.
        NodeEnum::MergeStmt(s) => Dml {
            kind: DmlKind::Update,
            target: rel(&s.relation),
            sources: s
                .source_relation
                .as_deref()
                .map(from_tables)
                .unwrap_or_default(),
            targeted: false,
            has_where: true,
        },
        _ => return None,
    };
    // Names the statement's own CTEs define are not tables.
    let ctes = ctes(node);
    d.sources.retain(|t| {
        !(t.name.is_empty() || t.schema.is_none() && ctes.iter().any(|c| c.ctename == t.name))
    });
    Some(d)
}

/// The CTEs of the statement's WITH clause.
pub(crate) fn ctes(node: &NodeEnum) -> Vec<&pg_query::protobuf::CommonTableExpr> {
    let with = match node {
        NodeEnum::SelectStmt(s) => s.with_clause.as_ref(),
        NodeEnum::InsertStmt(s) => s.with_clause.as_ref(),
        NodeEnum::UpdateStmt(s) => s.with_clause.as_ref(),
        NodeEnum::DeleteStmt(s) => s.with_clause.as_ref(),
        NodeEnum::MergeStmt(s) => s.with_clause.as_ref(),
        _ => None,
    };
    with.into_iter()
        .flat_map(|w| &w.ctes)
        .filter_map(|c| match c.node.as_ref()? {
            NodeEnum::CommonTableExpr(c) => Some(&**c),
            _ => None,
        })
        .collect()
}

/// The tables a query reads, in the order a reader meets them: set
/// operations' sides first, then the FROM clause (joins' sides,
/// subqueries).
fn query_tables(query: &pg_query::protobuf::Node) -> Vec<QualName> {
    match query.node.as_ref() {
        Some(NodeEnum::SelectStmt(s)) => select_tables(s),
        _ => Vec::new(),
    }
}

fn select_tables(s: &SelectStmt) -> Vec<QualName> {
    let mut out: Vec<QualName> = [s.larg.as_deref(), s.rarg.as_deref()]
        .into_iter()
        .flatten()
        .flat_map(select_tables)
        .collect();
    out.extend(s.from_clause.iter().flat_map(from_tables));
    out
}

fn from_tables(node: &pg_query::protobuf::Node) -> Vec<QualName> {
    match node.node.as_ref() {
        Some(NodeEnum::RangeVar(rv)) => vec![QualName::from_range_var(rv)],
        Some(NodeEnum::JoinExpr(j)) => [j.larg.as_deref(), j.rarg.as_deref()]
            .into_iter()
            .flatten()
            .flat_map(from_tables)
            .collect(),
        Some(NodeEnum::RangeSubselect(r)) => {
            r.subquery.as_deref().map(query_tables).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// A condition that picks rows by `column = constant` (or `column IN
/// (constants)`) in one of its top-level `AND` terms: a targeted fix of a
/// few rows, not a backfill.
fn targeted(node: &pg_query::protobuf::Node) -> bool {
    use pg_query::protobuf::{AExprKind, BoolExprType};
    match node.node.as_ref() {
        Some(NodeEnum::BoolExpr(b)) if b.boolop == BoolExprType::AndExpr as i32 => {
            b.args.iter().any(targeted)
        }
        Some(NodeEnum::AExpr(e)) => {
            let (l, r) = (e.lexpr.as_deref(), e.rexpr.as_deref());
            if super::names::string_list(&e.name) != ["="] {
                return false;
            }
            match AExprKind::try_from(e.kind) {
                Ok(AExprKind::AexprOp) => (column(l) && constant(r)) || (constant(l) && column(r)),
                Ok(AExprKind::AexprIn) => {
                    column(l)
                        && matches!(r.and_then(|n| n.node.as_ref()),
                            Some(NodeEnum::List(list)) if list.items.iter().all(|i| constant(Some(i))))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

fn column(node: Option<&pg_query::protobuf::Node>) -> bool {
    matches!(
        node.and_then(|n| n.node.as_ref()),
        Some(NodeEnum::ColumnRef(_))
    )
}

/// A literal or a parameter, possibly cast.
fn constant(node: Option<&pg_query::protobuf::Node>) -> bool {
    match node.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::TypeCast(c)) => constant(c.arg.as_deref()),
        Some(NodeEnum::AConst(_) | NodeEnum::ParamRef(_)) => true,
        _ => false,
    }
}
