//! The schema model: the migration directory replayed, statement by
//! statement, in version order. Rules ask it what they cannot see in the
//! statement itself: does this table exist, was it created in this very file
//! (new and empty) or earlier (holds data), what type is this column.

use rustc_hash::FxHashMap as HashMap;

use super::effects::{ColumnChange, Effect, Shape};
use super::names::QualName;
pub use super::objects::{Column, ConstraintInfo, ConstraintKind};
use super::objects::{Kind, Obj};

type Key = (String, String);

#[derive(Clone, Debug)]
pub struct Table {
    pub name: QualName,
    /// Its columns, by name.
    columns: HashMap<String, Column>,
    /// False when the column list is not fully known (e.g. `CREATE TABLE AS`).
    pub columns_known: bool,
    pub constraints: Vec<ConstraintInfo>,
    /// Index of the file (in replay order) that created the table.
    pub created_in: usize,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.get(name)
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
    /// Built `CONCURRENTLY`.
    pub concurrent: bool,
    /// Its definition (`effects::index_def`).
    pub def: Box<str>,
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

/// What a recording saved: each table and index as it was before its
/// first change (a later change of the same one needs nothing more).
#[derive(Default)]
struct Saved {
    tables: HashMap<Key, Option<Table>>,
    indexes: HashMap<Key, Option<IndexInfo>>,
}

/// Tables and indexes, keyed by `(schema, name)`.
#[derive(Default)]
pub struct Schema {
    tables: HashMap<Key, Table>,
    indexes: HashMap<Key, IndexInfo>,
    /// The keys of indexes by their table's key (entries may be stale:
    /// checked against `indexes` when read).
    table_indexes: HashMap<Key, Vec<Key>>,
    /// While recording, the first change of each table and index saves
    /// what it replaced, so a down file can be linted against the state
    /// after its up and then rolled back.
    undo: Option<Saved>,
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
        self.undo = Some(Saved::default());
    }

    /// Undoes every change since `begin_recording`.
    pub fn rollback(&mut self) {
        let saved = self.undo.take().unwrap_or_default();
        for (k, old) in saved.tables {
            restore(&mut self.tables, k, old);
        }
        for (k, old) in saved.indexes {
            restore(&mut self.indexes, k, old);
        }
    }

    /// Saves the table at `key` before its first change while recording.
    fn save_table(&mut self, key: &Key) {
        if let Some(saved) = &mut self.undo {
            if !saved.tables.contains_key(key) {
                saved
                    .tables
                    .insert(key.clone(), self.tables.get(key).cloned());
            }
        }
    }

    fn table_mut(&mut self, name: &QualName) -> Option<&mut Table> {
        let key = name.key();
        self.save_table(&key);
        self.tables.get_mut(&key)
    }

    fn put_table(&mut self, table: Table) {
        let key = table.name.key();
        self.save_table(&key);
        self.tables.insert(key, table);
    }

    fn remove_table(&mut self, name: &QualName) {
        let key = name.key();
        self.save_table(&key);
        self.tables.remove(&key);
        let dependent = self.indexes_of(&key);
        for k in dependent {
            self.set_index(k, None);
        }
    }

    /// The keys of the indexes of the table of key `table`.
    fn indexes_of(&self, table: &Key) -> Vec<Key> {
        let mut keys: Vec<Key> = self
            .table_indexes
            .get(table)
            .into_iter()
            .flatten()
            .filter(|k| self.indexes.get(*k).is_some_and(|i| i.table.has_key(table)))
            .cloned()
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    fn set_index(&mut self, key: Key, index: Option<IndexInfo>) {
        if let Some(i) = &index {
            self.table_indexes
                .entry(i.table.key())
                .or_default()
                .push(key.clone());
        }
        if let Some(saved) = &mut self.undo {
            if !saved.indexes.contains_key(&key) {
                saved
                    .indexes
                    .insert(key.clone(), self.indexes.get(&key).cloned());
            }
        }
        match index {
            Some(i) => self.indexes.insert(key, i),
            None => self.indexes.remove(&key),
        };
    }

    /// Applies one statement's effects (`effects::effects`) on tables and
    /// indexes; `file` is the index of its file in replay order.
    pub fn apply(&mut self, effects: &[Effect], file: usize) {
        // `IF NOT EXISTS` on what exists: the statement (or that part of
        // it) does nothing, down to the columns and constraints it lists.
        let mut skip_table: Option<Key> = None;
        let mut skip_column: Option<(Key, String)> = None;
        for effect in effects {
            match effect {
                Effect::Create {
                    obj,
                    shape,
                    if_not_exists,
                    ..
                } => {
                    let parent = obj.table.as_ref().map(QualName::key);
                    if parent.is_some() && parent == skip_table {
                        continue;
                    }
                    match shape {
                        Shape::Table { columns_known } => {
                            if *if_not_exists && self.table(&obj.name).is_some() {
                                skip_table = Some(obj.name.key());
                                continue;
                            }
                            skip_table = None;
                            self.put_table(Table {
                                name: obj.name.clone(),
                                columns: HashMap::default(),
                                columns_known: *columns_known,
                                constraints: Vec::new(),
                                created_in: file,
                            });
                        }
                        Shape::Column(column) => {
                            let Some(table) = obj.table.as_ref() else {
                                continue;
                            };
                            let exists = self
                                .table(table)
                                .is_some_and(|t| t.column(&column.name).is_some());
                            if *if_not_exists && exists {
                                skip_column = Some((table.key(), column.name.clone()));
                                continue;
                            }
                            skip_column = None;
                            if let Some(t) = self.table_mut(table) {
                                t.columns.insert(column.name.clone(), column.clone());
                            }
                        }
                        Shape::Constraint { info, inline } => {
                            let Some(table) = obj.table.as_ref() else {
                                continue;
                            };
                            if *inline
                                && skip_column.as_ref().is_some_and(|(t, c)| {
                                    table.has_key(t) && obj.columns.first() == Some(c)
                                })
                            {
                                continue;
                            }
                            let Some(t) = self.table_mut(table) else {
                                continue;
                            };
                            match info.kind {
                                ConstraintKind::NotNull => {
                                    for col in t
                                        .columns
                                        .values_mut()
                                        .filter(|c| info.keys.contains(&c.name))
                                    {
                                        col.not_null = true;
                                    }
                                }
                                ConstraintKind::Other => {}
                                _ => t.constraints.push(info.clone()),
                            }
                        }
                        Shape::Index {
                            unique,
                            concurrent,
                            def,
                        } => {
                            let Some(table) = obj.table.as_ref() else {
                                continue;
                            };
                            if *if_not_exists && self.index(&obj.name).is_some() {
                                continue;
                            }
                            let info = IndexInfo {
                                name: obj.name.clone(),
                                table: table.clone(),
                                unique: *unique,
                                created_in: file,
                                concurrent: *concurrent,
                                def: def.clone(),
                            };
                            self.set_index(obj.name.key(), Some(info));
                        }
                        Shape::Plain => {}
                    }
                }
                Effect::Drop { obj, .. } => match obj.kind {
                    Kind::Table | Kind::MatView => self.remove_table(&obj.name),
                    Kind::Index => self.set_index(obj.name.key(), None),
                    Kind::Column => {
                        if let Some(t) = obj.table.as_ref().and_then(|t| self.table_mut(t)) {
                            t.columns.remove(&obj.name.name);
                        }
                    }
                    Kind::Constraint => {
                        if let Some(t) = obj.table.as_ref().and_then(|t| self.table_mut(t)) {
                            t.constraints
                                .retain(|c| c.name.as_deref() != Some(obj.name.name.as_str()));
                        }
                    }
                    _ => {}
                },
                Effect::AlterColumn {
                    table,
                    column,
                    change,
                } => {
                    let Some(t) = self.table_mut(table) else {
                        continue;
                    };
                    let Some(col) = t.columns.get_mut(column) else {
                        continue;
                    };
                    match change {
                        ColumnChange::Type(ty) => col.ty = ty.clone(),
                        ColumnChange::NotNull(not_null) => col.not_null = *not_null,
                        ColumnChange::Default(has) => col.has_default = *has,
                        ColumnChange::Other => {}
                    }
                }
                Effect::Validate { table, name } => {
                    if let Some(t) = self.table_mut(table) {
                        for c in t
                            .constraints
                            .iter_mut()
                            .filter(|c| c.name.as_deref() == Some(name.as_str()))
                        {
                            c.validated = true;
                        }
                    }
                }
                Effect::Rename { from, to } => self.rename(from, to),
                Effect::OwnedBy { .. } => {}
            }
        }
    }

    fn rename(&mut self, from: &Obj, to: &Obj) {
        match from.kind {
            Kind::Table => {
                let name = &from.name;
                if let Some(mut table) = self.table(name).cloned() {
                    let new_name = to.name.clone();
                    // Its indexes move with it.
                    let moved: Vec<(Key, IndexInfo)> = self
                        .indexes_of(&name.key())
                        .into_iter()
                        .filter_map(|k| {
                            let i = self.indexes.get(&k)?;
                            let moved = IndexInfo {
                                table: new_name.clone(),
                                ..i.clone()
                            };
                            Some((k, moved))
                        })
                        .collect();
                    self.remove_table(name);
                    for (k, i) in moved {
                        self.set_index(k, Some(i));
                    }
                    table.name = new_name;
                    self.put_table(table);
                }
            }
            Kind::Column => {
                if let Some(table) = from.table.as_ref().and_then(|t| self.table_mut(t)) {
                    if let Some(mut col) = table.columns.remove(&from.name.name) {
                        col.name = to.name.name.clone();
                        table.columns.insert(col.name.clone(), col);
                    }
                }
            }
            Kind::Index => {
                if let Some(mut index) = self.index(&from.name).cloned() {
                    self.set_index(from.name.key(), None);
                    index.name = to.name.clone();
                    self.set_index(index.name.key(), Some(index));
                }
            }
            Kind::Constraint => {
                if let Some(table) = from.table.as_ref().and_then(|t| self.table_mut(t)) {
                    for c in table
                        .constraints
                        .iter_mut()
                        .filter(|c| c.name.as_deref() == Some(from.name.name.as_str()))
                    {
                        c.name = Some(to.name.name.clone());
                    }
                }
            }
            _ => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn replay(schema: &mut Schema, sql: &str, file: usize) {
        for s in parse_file("x.sql", sql).statements {
            schema.apply(&crate::model::effects::effects(&s.node), file);
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
