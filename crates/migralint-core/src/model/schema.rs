//! The schema model: the migration directory replayed, statement by
//! statement, in version order. Rules ask it what they cannot see in the
//! statement itself: does this table exist, was it created in this very file
//! (new and empty) or earlier (holds data), what type is this column.

use rustc_hash::FxHashMap as HashMap;

use pg_query::protobuf::{
    AlterTableCmd, AlterTableType, ColumnDef, ConstrType, Constraint, Node, ObjectType,
};
use pg_query::NodeEnum;

use super::names::{string_list, QualName, SqlType};

type Key = (String, String);

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    pub has_default: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    Check,
    ForeignKey,
    Unique,
    PrimaryKey,
    Exclude,
    Other,
}

#[derive(Clone, Debug)]
pub struct ConstraintInfo {
    pub name: Option<String>,
    pub kind: ConstraintKind,
    pub validated: bool,
    /// For `CHECK (col IS NOT NULL)`: the column.
    pub not_null_check_of: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: QualName,
    pub columns: Vec<Column>,
    /// False when the column list is not fully known (e.g. `CREATE TABLE AS`).
    pub columns_known: bool,
    pub constraints: Vec<ConstraintInfo>,
    /// Index of the file (in replay order) that created the table.
    pub created_in: usize,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// A validated `CHECK (col IS NOT NULL)` exists, so `SET NOT NULL` can
    /// skip its scan (PostgreSQL 12+).
    pub fn has_valid_not_null_check(&self, column: &str) -> bool {
        self.constraints
            .iter()
            .any(|c| c.validated && c.not_null_check_of.as_deref() == Some(column))
    }
}

#[derive(Clone, Debug)]
pub struct IndexInfo {
    pub name: QualName,
    pub table: QualName,
    pub unique: bool,
    pub created_in: usize,
}

/// What the model knows of a table a statement touches.
#[derive(Clone, Copy, Debug)]
pub enum TableState<'a> {
    /// Created earlier in the file being linted: new and empty.
    New(&'a Table),
    /// Created by an earlier migration: its shape is known, and by the time
    /// this migration runs it holds data.
    Existing(&'a Table),
    /// No file created it: assumed to exist and hold data.
    Unknown,
}

impl<'a> TableState<'a> {
    pub fn is_new(&self) -> bool {
        matches!(self, TableState::New(_))
    }
    pub fn table(&self) -> Option<&'a Table> {
        match self {
            TableState::New(t) | TableState::Existing(t) => Some(t),
            TableState::Unknown => None,
        }
    }
}

enum Undo {
    Table(Key, Option<Table>),
    Index(Key, Option<IndexInfo>),
}

/// Tables and indexes, keyed by `(schema, name)`.
#[derive(Default)]
pub struct Schema {
    tables: HashMap<Key, Table>,
    indexes: HashMap<Key, IndexInfo>,
    /// While recording, every change saves what it replaced, so a down file
    /// can be linted against the state after its up and then rolled back.
    undo: Option<Vec<Undo>>,
}

impl Schema {
    pub fn table(&self, name: &QualName) -> Option<&Table> {
        self.tables.get(&name.key())
    }

    pub fn index(&self, name: &QualName) -> Option<&IndexInfo> {
        self.indexes.get(&name.key())
    }

    pub fn table_state(&self, name: &QualName, current_file: usize) -> TableState<'_> {
        match self.table(name) {
            Some(t) if t.created_in == current_file => TableState::New(t),
            Some(t) => TableState::Existing(t),
            None => TableState::Unknown,
        }
    }

    pub fn begin_recording(&mut self) {
        self.undo = Some(Vec::new());
    }

    /// Undoes every change since `begin_recording`.
    pub fn rollback(&mut self) {
        for undo in self.undo.take().unwrap_or_default().into_iter().rev() {
            match undo {
                Undo::Table(k, old) => restore(&mut self.tables, k, old),
                Undo::Index(k, old) => restore(&mut self.indexes, k, old),
            }
        }
    }

    fn table_mut(&mut self, name: &QualName) -> Option<&mut Table> {
        let key = name.key();
        if let Some(undo) = &mut self.undo {
            undo.push(Undo::Table(key.clone(), self.tables.get(&key).cloned()));
        }
        self.tables.get_mut(&key)
    }

    fn put_table(&mut self, table: Table) {
        let key = table.name.key();
        let old = self.tables.insert(key.clone(), table);
        if let Some(undo) = &mut self.undo {
            undo.push(Undo::Table(key, old));
        }
    }

    fn remove_table(&mut self, name: &QualName) {
        let key = name.key();
        let old = self.tables.remove(&key);
        if let Some(undo) = &mut self.undo {
            undo.push(Undo::Table(key.clone(), old));
        }
        let dependent: Vec<Key> = self
            .indexes
            .iter()
            .filter(|(_, i)| i.table.has_key(&key))
            .map(|(k, _)| k.clone())
            .collect();
        for k in dependent {
            self.set_index(k, None);
        }
    }

    fn set_index(&mut self, key: Key, index: Option<IndexInfo>) {
        let old = match index {
            Some(i) => self.indexes.insert(key.clone(), i),
            None => self.indexes.remove(&key),
        };
        if let Some(undo) = &mut self.undo {
            undo.push(Undo::Index(key, old));
        }
    }

    /// Applies one statement's effect on tables and indexes.
    pub fn apply(&mut self, node: &NodeEnum, file: usize) {
        match node {
            NodeEnum::CreateStmt(s) => {
                let Some(rv) = &s.relation else { return };
                let name = QualName::from_range_var(rv);
                if s.if_not_exists && self.table(&name).is_some() {
                    return;
                }
                let mut table = Table {
                    name,
                    columns: Vec::new(),
                    columns_known: s.inh_relations.is_empty() && s.of_typename.is_none(),
                    constraints: Vec::new(),
                    created_in: file,
                };
                for elt in &s.table_elts {
                    match elt.node.as_ref() {
                        Some(NodeEnum::ColumnDef(c)) => add_column(&mut table, c),
                        Some(NodeEnum::Constraint(c)) => table.constraints.push(constraint_info(c)),
                        Some(NodeEnum::TableLikeClause(_)) => table.columns_known = false,
                        _ => {}
                    }
                }
                self.put_table(table);
            }
            NodeEnum::CreateTableAsStmt(s) => {
                if let Some(rv) = s.into.as_ref().and_then(|i| i.rel.as_ref()) {
                    let name = QualName::from_range_var(rv);
                    let kind_is_table = s.objtype == ObjectType::ObjectTable as i32
                        || s.objtype == ObjectType::ObjectMatview as i32;
                    if kind_is_table && !(s.if_not_exists && self.table(&name).is_some()) {
                        self.put_table(Table {
                            name,
                            columns: Vec::new(),
                            columns_known: false,
                            constraints: Vec::new(),
                            created_in: file,
                        });
                    }
                }
            }
            NodeEnum::AlterTableStmt(s) => {
                let Some(rv) = &s.relation else { return };
                let name = QualName::from_range_var(rv);
                for cmd in &s.cmds {
                    if let Some(NodeEnum::AlterTableCmd(cmd)) = cmd.node.as_ref() {
                        self.alter(&name, cmd);
                    }
                }
            }
            NodeEnum::IndexStmt(s) => {
                let Some(rv) = &s.relation else { return };
                if s.idxname.is_empty() {
                    return;
                }
                let table = QualName::from_range_var(rv);
                let index = QualName::new(table.schema.as_deref(), &s.idxname);
                if s.if_not_exists && self.index(&index).is_some() {
                    return;
                }
                let info = IndexInfo {
                    name: index.clone(),
                    table,
                    unique: s.unique,
                    created_in: file,
                };
                self.set_index(index.key(), Some(info));
            }
            NodeEnum::DropStmt(s) => {
                let kind = s.remove_type;
                for obj in &s.objects {
                    let Some(NodeEnum::List(list)) = obj.node.as_ref() else {
                        continue;
                    };
                    let Some(name) = QualName::from_list(&list.items) else {
                        continue;
                    };
                    if kind == ObjectType::ObjectTable as i32
                        || kind == ObjectType::ObjectMatview as i32
                    {
                        self.remove_table(&name);
                    } else if kind == ObjectType::ObjectIndex as i32 {
                        self.set_index(name.key(), None);
                    }
                }
            }
            NodeEnum::RenameStmt(s) => self.rename(s),
            _ => {}
        }
    }

    fn alter(&mut self, name: &QualName, cmd: &AlterTableCmd) {
        let subtype = AlterTableType::try_from(cmd.subtype).unwrap_or(AlterTableType::Undefined);
        let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
        let Some(table) = self.table_mut(name) else {
            return;
        };
        match (subtype, def) {
            (AlterTableType::AtAddColumn, Some(NodeEnum::ColumnDef(c)))
                if !(cmd.missing_ok && table.column(&c.colname).is_some()) =>
            {
                add_column(table, c);
            }
            (AlterTableType::AtDropColumn, _) => table.columns.retain(|c| c.name != cmd.name),
            (AlterTableType::AtAlterColumnType, Some(NodeEnum::ColumnDef(c))) => {
                let ty = c.type_name.as_ref().map(SqlType::from_type_name);
                if let (Some(col), Some(ty)) = (
                    table.columns.iter_mut().find(|col| col.name == cmd.name),
                    ty,
                ) {
                    col.ty = ty;
                }
            }
            (AlterTableType::AtSetNotNull | AlterTableType::AtDropNotNull, _) => {
                if let Some(col) = table.columns.iter_mut().find(|col| col.name == cmd.name) {
                    col.not_null = subtype == AlterTableType::AtSetNotNull;
                }
            }
            (AlterTableType::AtColumnDefault, _) => {
                if let Some(col) = table.columns.iter_mut().find(|col| col.name == cmd.name) {
                    col.has_default = def.is_some();
                }
            }
            (AlterTableType::AtAddConstraint, Some(NodeEnum::Constraint(c))) => {
                let info = constraint_info(c);
                if info.kind == ConstraintKind::Other {
                    if ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrNotnull) {
                        let cols = string_list(&c.keys);
                        for col in table
                            .columns
                            .iter_mut()
                            .filter(|col| cols.contains(&col.name))
                        {
                            col.not_null = true;
                        }
                    }
                } else {
                    table.constraints.push(info);
                }
            }
            (AlterTableType::AtValidateConstraint, _) => {
                for c in table
                    .constraints
                    .iter_mut()
                    .filter(|c| c.name.as_deref() == Some(cmd.name.as_str()))
                {
                    c.validated = true;
                }
            }
            (AlterTableType::AtDropConstraint, _) => {
                table
                    .constraints
                    .retain(|c| c.name.as_deref() != Some(cmd.name.as_str()));
            }
            _ => {}
        }
    }

    fn rename(&mut self, s: &pg_query::protobuf::RenameStmt) {
        let rename_type = s.rename_type;
        let Some(rv) = &s.relation else { return };
        let name = QualName::from_range_var(rv);
        if rename_type == ObjectType::ObjectTable as i32 {
            if let Some(mut table) = self.table(&name).cloned() {
                let new_name = QualName::new(name.schema.as_deref(), &s.newname);
                // Its indexes move with it.
                let moved: Vec<(Key, IndexInfo)> = self
                    .indexes
                    .iter()
                    .filter(|(_, i)| i.table.key() == name.key())
                    .map(|(k, i)| {
                        (
                            k.clone(),
                            IndexInfo {
                                table: new_name.clone(),
                                ..i.clone()
                            },
                        )
                    })
                    .collect();
                self.remove_table(&name);
                for (k, i) in moved {
                    self.set_index(k, Some(i));
                }
                table.name = new_name;
                self.put_table(table);
            }
        } else if rename_type == ObjectType::ObjectColumn as i32 {
            if let Some(table) = self.table_mut(&name) {
                if let Some(col) = table.columns.iter_mut().find(|c| c.name == s.subname) {
                    col.name = s.newname.clone();
                }
            }
        } else if rename_type == ObjectType::ObjectIndex as i32 {
            if let Some(mut index) = self.index(&name).cloned() {
                self.set_index(name.key(), None);
                index.name = QualName::new(name.schema.as_deref(), &s.newname);
                self.set_index(index.name.key(), Some(index));
            }
        } else if rename_type == ObjectType::ObjectTabconstraint as i32 {
            if let Some(table) = self.table_mut(&name) {
                for c in table
                    .constraints
                    .iter_mut()
                    .filter(|c| c.name.as_deref() == Some(s.subname.as_str()))
                {
                    c.name = Some(s.newname.clone());
                }
            }
        }
    }
}

fn restore<V>(map: &mut HashMap<Key, V>, key: Key, old: Option<V>) {
    match old {
        Some(v) => {
            map.insert(key, v);
        }
        None => {
            map.remove(&key);
        }
    }
}

fn add_column(table: &mut Table, c: &ColumnDef) {
    let Some(tn) = &c.type_name else { return };
    let mut column = Column {
        name: c.colname.clone(),
        ty: SqlType::from_type_name(tn),
        not_null: c.is_not_null,
        has_default: c.raw_default.is_some(),
    };
    for con in column_constraints(c) {
        match ConstrType::try_from(con.contype) {
            Ok(ConstrType::ConstrNotnull | ConstrType::ConstrPrimary) => column.not_null = true,
            Ok(ConstrType::ConstrDefault) => column.has_default = true,
            _ => {}
        }
        let info = constraint_info(con);
        if info.kind != ConstraintKind::Other {
            table.constraints.push(info);
        }
    }
    table.columns.retain(|col| col.name != column.name);
    table.columns.push(column);
}

/// The constraints written inline in a column definition.
pub fn column_constraints(c: &ColumnDef) -> impl Iterator<Item = &Constraint> {
    c.constraints.iter().filter_map(|n| match n.node.as_ref() {
        Some(NodeEnum::Constraint(con)) => Some(&**con),
        _ => None,
    })
}

pub fn constraint_kind(c: &Constraint) -> ConstraintKind {
    match ConstrType::try_from(c.contype) {
        Ok(ConstrType::ConstrCheck) => ConstraintKind::Check,
        Ok(ConstrType::ConstrForeign) => ConstraintKind::ForeignKey,
        Ok(ConstrType::ConstrUnique) => ConstraintKind::Unique,
        Ok(ConstrType::ConstrPrimary) => ConstraintKind::PrimaryKey,
        Ok(ConstrType::ConstrExclusion) => ConstraintKind::Exclude,
        _ => ConstraintKind::Other,
    }
}

fn constraint_info(c: &Constraint) -> ConstraintInfo {
    ConstraintInfo {
        name: (!c.conname.is_empty()).then(|| c.conname.clone()),
        kind: constraint_kind(c),
        validated: !c.skip_validation,
        not_null_check_of: c.raw_expr.as_deref().and_then(is_not_null_test),
    }
}

/// `col IS NOT NULL` → `col`.
fn is_not_null_test(expr: &Node) -> Option<String> {
    let NodeEnum::NullTest(t) = expr.node.as_ref()? else {
        return None;
    };
    if t.nulltesttype != pg_query::protobuf::NullTestType::IsNotNull as i32 {
        return None;
    }
    let NodeEnum::ColumnRef(cr) = t.arg.as_deref()?.node.as_ref()? else {
        return None;
    };
    string_list(&cr.fields).pop()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn replay(schema: &mut Schema, sql: &str, file: usize) {
        for s in parse_file("x.sql", sql).statements {
            schema.apply(&s.node, file);
        }
    }

    #[test]
    fn tracks_tables_columns_constraints() {
        let mut s = Schema::default();
        replay(
            &mut s,
            "CREATE TABLE public.Users (id int PRIMARY KEY, email varchar(100) NOT NULL);",
            0,
        );
        replay(
            &mut s,
            "ALTER TABLE users ADD COLUMN name text; ALTER TABLE users ADD CONSTRAINT c CHECK (name IS NOT NULL) NOT VALID;",
            1,
        );
        let users = QualName::new(None, "users");
        let t = s.table(&users).unwrap();
        assert_eq!(t.column("email").unwrap().ty.to_string(), "varchar(100)");
        assert!(t.column("id").unwrap().not_null);
        assert!(!t.has_valid_not_null_check("name"));
        replay(&mut s, "ALTER TABLE users VALIDATE CONSTRAINT c;", 2);
        assert!(s.table(&users).unwrap().has_valid_not_null_check("name"));
        assert!(s.table_state(&users, 2).table().is_some());
        assert!(!s.table_state(&users, 2).is_new());
        assert!(s.table_state(&users, 0).is_new());
    }

    #[test]
    fn rollback_restores() {
        let mut s = Schema::default();
        replay(
            &mut s,
            "CREATE TABLE a (id int); CREATE INDEX a_idx ON a (id);",
            0,
        );
        s.begin_recording();
        replay(&mut s, "DROP TABLE a; CREATE TABLE b (x int);", 1);
        assert!(s.table(&QualName::new(None, "a")).is_none());
        assert!(s.index(&QualName::new(None, "a_idx")).is_none());
        s.rollback();
        assert!(s.table(&QualName::new(None, "a")).is_some());
        assert!(s.index(&QualName::new(None, "a_idx")).is_some());
        assert!(s.table(&QualName::new(None, "b")).is_none());
    }

    #[test]
    fn renamed_table_keeps_its_indexes() {
        let mut s = Schema::default();
        replay(
            &mut s,
            "CREATE TABLE a (id int); CREATE INDEX a_idx ON a (id); ALTER TABLE a RENAME TO b;",
            0,
        );
        let index = s.index(&QualName::new(None, "a_idx")).unwrap();
        assert_eq!(index.table, QualName::new(None, "b"));
    }
}
