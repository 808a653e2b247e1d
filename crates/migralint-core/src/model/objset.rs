//! A set of named objects that drops and renames like PostgreSQL does, in
//! time proportional to what they touch: objects are found by key, by the
//! relation they belong to, by the column they are built on and by what
//! they depend on, so that dropping or renaming one column of a table with
//! thousands does not visit them all. Insertion order is kept (messages
//! list objects in the order their file created them).

use rustc_hash::FxHashMap;

use super::names::QualName;
use super::objects::{dep_key, drop_covers, is_dep, same_name, twins, Kind, Obj, ObjKey};

type Name = (String, String);

/// Slots as they were before their first change while recording.
type Saved<V> = FxHashMap<usize, Option<(Obj, V)>>;

/// Objects, each with a value (e.g. where it was created).
#[derive(Clone, Debug)]
pub struct ObjSet<V> {
    /// In insertion order; `None` once removed.
    slots: Vec<Option<(Obj, V)>>,
    by_key: FxHashMap<ObjKey, usize>,
    /// Objects by the relation they belong to (`Obj::table`).
    by_table: FxHashMap<Name, Vec<usize>>,
    /// Objects by a column they are built on (`Obj::columns`).
    by_column: FxHashMap<(Name, String), Vec<usize>>,
    /// Objects by what they depend on (`Obj::depends_on`, by `dep_key`).
    by_dep: FxHashMap<ObjKey, Vec<usize>>,
    /// Functions by name (their overloads).
    by_function: FxHashMap<Name, Vec<usize>>,
    live: usize,
    /// While recording (`begin_recording`): the slot count at the start,
    /// and each older slot as it was before its first change.
    journal: Option<(usize, Saved<V>)>,
}

impl<V> Default for ObjSet<V> {
    fn default() -> Self {
        ObjSet {
            slots: Vec::new(),
            by_key: FxHashMap::default(),
            by_table: FxHashMap::default(),
            by_column: FxHashMap::default(),
            by_dep: FxHashMap::default(),
            by_function: FxHashMap::default(),
            live: 0,
            journal: None,
        }
    }
}

impl<V: Clone> ObjSet<V> {
    /// From now on, remembers what changes so that `rollback` can undo it.
    pub fn begin_recording(&mut self) {
        self.journal = Some((self.slots.len(), FxHashMap::default()));
    }

    /// Undoes every change since `begin_recording`.
    pub fn rollback(&mut self) {
        let Some((len, saved)) = self.journal.take() else {
            return;
        };
        let changed: Vec<usize> = saved.keys().copied().chain(len..self.slots.len()).collect();
        for i in changed {
            if let Some((o, _)) = &self.slots[i] {
                let key = o.key();
                if self.by_key.get(&key) == Some(&i) {
                    self.by_key.remove(&key);
                }
                self.live -= 1;
            }
        }
        self.slots.truncate(len);
        for (i, old) in saved {
            if let Some((o, _)) = &old {
                // Its side-index entries were never removed.
                self.by_key.insert(o.key(), i);
                self.live += 1;
            }
            self.slots[i] = old;
        }
    }

    /// Saves slot `i` before its first change while recording.
    fn save(&mut self, i: usize) {
        if let Some((len, saved)) = &mut self.journal {
            if i < *len && !saved.contains_key(&i) {
                saved.insert(i, self.slots[i].clone());
            }
        }
    }
}

impl<V: Clone> ObjSet<V> {
    /// The objects that depend on `target` (`Obj::depends_on`, `is_dep`).
    pub fn dependents(&self, target: &Obj) -> Vec<&(Obj, V)> {
        self.indexed(self.by_dep.get(&dep_key(target)), |o| {
            o.depends_on.iter().any(|d| is_dep(d, target))
        })
    }

    /// The functions of name `name` (its overloads), in insertion order.
    pub fn overloads(&self, name: &QualName) -> Vec<&(Obj, V)> {
        self.indexed(self.by_function.get(&name.key()), |o| {
            o.kind == Kind::Function && same_name(&o.name, name)
        })
    }

    /// The objects of relation `table` (`Obj::table`), in insertion order.
    pub fn on_table(&self, table: &QualName) -> Vec<&(Obj, V)> {
        self.indexed(self.by_table.get(&table.key()), |o| {
            o.table.as_ref().is_some_and(|t| same_name(t, table))
        })
    }

    /// The objects built on column `column` of `table` (`Obj::columns`).
    pub fn on_column(&self, table: &QualName, column: &str) -> Vec<&(Obj, V)> {
        let key = (table.key(), column.to_string());
        self.indexed(self.by_column.get(&key), |o| {
            o.table.as_ref().is_some_and(|t| same_name(t, table))
                && o.columns.iter().any(|c| c == column)
        })
    }

    /// The live objects of the slots an index lists (in insertion order,
    /// each once) that `keep` accepts: an index may list a slot under a
    /// key its object no longer has (renamed), so `keep` checks it.
    fn indexed(&self, slots: Option<&Vec<usize>>, keep: impl Fn(&Obj) -> bool) -> Vec<&(Obj, V)> {
        let mut slots: Vec<usize> = slots.cloned().unwrap_or_default();
        slots.sort_unstable();
        slots.dedup();
        slots
            .into_iter()
            .filter_map(|i| self.slots.get(i)?.as_ref())
            .filter(|(o, _)| keep(o))
            .collect()
    }

    /// `ALTER TABLE t DROP CONSTRAINT x` where `x` names an index of `t`
    /// (built by `CREATE INDEX`) and no constraint of `t`: PostgreSQL
    /// refuses it (`constraint "x" of relation "t" does not exist`), an
    /// index is dropped with `DROP INDEX`. That index, if so.
    pub fn index_not_constraint(&self, obj: &Obj) -> Option<&(Obj, V)> {
        if obj.kind != Kind::Constraint || !obj.is_named() || self.contains(&obj.key()) {
            return None;
        }
        self.index_of(obj)
    }

    /// The index of a constraint's name on its table (`twins`).
    fn index_of(&self, constraint: &Obj) -> Option<&(Obj, V)> {
        let table = constraint.table.as_ref()?;
        let index = Obj::new(
            Kind::Index,
            QualName::new(table.schema.as_deref(), &constraint.name.name),
        );
        self.get(&index.key()).filter(|(o, _)| twins(o, constraint))
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn contains(&self, key: &ObjKey) -> bool {
        self.by_key.contains_key(key)
    }

    pub fn get(&self, key: &ObjKey) -> Option<&(Obj, V)> {
        self.slots[*self.by_key.get(key)?].as_ref()
    }

    /// The objects, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &(Obj, V)> {
        self.slots.iter().flatten()
    }

    /// Adds `obj` unless an object of its key is there; says whether it did.
    pub fn insert(&mut self, obj: Obj, value: V) -> bool {
        let key = obj.key();
        if self.by_key.contains_key(&key) {
            return false;
        }
        let i = self.slots.len();
        self.by_key.insert(key, i);
        self.index(i, &obj);
        self.slots.push(Some((obj, value)));
        self.live += 1;
        true
    }

    fn index(&mut self, i: usize, obj: &Obj) {
        if let Some(t) = &obj.table {
            self.by_table.entry(t.key()).or_default().push(i);
            for c in &obj.columns {
                self.by_column
                    .entry((t.key(), c.clone()))
                    .or_default()
                    .push(i);
            }
        }
        for d in &obj.depends_on {
            self.by_dep.entry(dep_key(d)).or_default().push(i);
        }
        if obj.kind == Kind::Function {
            self.by_function.entry(obj.name.key()).or_default().push(i);
        }
    }

    /// The slots that may hold an object `drop_covers` or `follow_rename`
    /// touch for `target` (a superset: callers check each). Entries of the
    /// side indexes may be stale; they are checked too.
    fn candidates(&self, target: &Obj, cascade: bool) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .by_key
            .get(&target.key())
            .copied()
            .into_iter()
            .collect();
        // What depends on it, and (for what belongs to a table) on its table.
        out.extend(self.by_dep.get(&dep_key(target)).into_iter().flatten());
        if let Some(t) = target.table.as_ref().filter(|_| target.kind.on_table()) {
            let table = dep_key(&Obj::new(Kind::Table, t.clone()));
            out.extend(self.by_dep.get(&table).into_iter().flatten());
        }
        let name = target.name.key();
        match target.kind {
            k if k.is_relation() => {
                out.extend(self.by_table.get(&name).into_iter().flatten());
            }
            Kind::Column => {
                if let Some(t) = &target.table {
                    let at = (t.key(), target.name.name.clone());
                    out.extend(self.by_column.get(&at).into_iter().flatten());
                }
            }
            // Named without its arguments: any of its overloads.
            Kind::Function => out.extend(self.by_function.get(&name).into_iter().flatten()),
            // Its index (`drop_covers`), when it is a constraint:
            // PostgreSQL refuses DROP CONSTRAINT of a bare index.
            Kind::Constraint if self.by_key.contains_key(&target.key()) => {
                if let Some((index, _)) = self.index_of(target) {
                    out.extend(self.by_key.get(&index.key()).copied());
                }
            }
            Kind::Schema if cascade => out.extend(0..self.slots.len()),
            _ => {}
        }
        out.retain(|&i| i < self.slots.len());
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The slots of what dropping `dropped` takes with it.
    fn covered_slots(&self, dropped: &Obj, cascade: bool) -> Vec<usize> {
        self.candidates(dropped, cascade)
            .into_iter()
            .filter(|&i| {
                self.slots[i]
                    .as_ref()
                    .is_some_and(|(o, _)| drop_covers(dropped, cascade, o))
            })
            .collect()
    }

    /// What dropping `dropped` (with or without CASCADE) takes with it,
    /// itself included, without dropping it.
    pub fn covered(&self, dropped: &Obj, cascade: bool) -> Vec<&(Obj, V)> {
        self.covered_slots(dropped, cascade)
            .into_iter()
            .filter_map(|i| self.slots[i].as_ref())
            .collect()
    }

    /// Removes what dropping `dropped` (with or without CASCADE) takes with
    /// it; returns the removed objects.
    pub fn drop_object(&mut self, dropped: &Obj, cascade: bool) -> Vec<(Obj, V)> {
        let mut removed = Vec::new();
        for i in self.covered_slots(dropped, cascade) {
            {
                self.save(i);
                let (o, v) = self.slots[i].take().expect("live slot");
                self.by_key.remove(&o.key());
                self.live -= 1;
                removed.push((o, v));
            }
        }
        removed
    }

    /// Follows a rename: the object itself, the objects of a renamed
    /// relation, those built on a renamed column. An index and the
    /// constraint it backs (primary key, unique, exclusion) share their
    /// name: renaming one renames the other.
    pub fn rename(&mut self, from: &Obj, to: &Obj) {
        let twin = self.twin(from).map(|twin| {
            let mut renamed = twin.clone();
            renamed.name.name = to.name.name.clone();
            (twin, renamed)
        });
        self.rename_one(from, to);
        if let Some((twin, renamed)) = twin {
            self.rename_one(&twin, &renamed);
        }
    }

    /// The constraint of an index's name on its table, or the index of a
    /// constraint's name on its table (`twins`).
    pub fn twin(&self, obj: &Obj) -> Option<Obj> {
        match obj.kind {
            Kind::Index => {
                // Renamed by name: the table is the stored index's, or (an
                // index the model keeps as its constraint only) the table
                // of the constraint of that name in the index's schema.
                if let Some((index, _)) = self.get(&obj.key()) {
                    let c = Obj::on(Kind::Constraint, index.table.as_ref()?, &obj.name.name);
                    return self.contains(&c.key()).then_some(c);
                }
                let schema = obj.name.schema.as_deref().unwrap_or("public");
                self.iter()
                    .map(|(o, _)| o)
                    .find(|o| {
                        twins(o, obj)
                            && o.table
                                .as_ref()
                                .is_some_and(|t| t.schema.as_deref().unwrap_or("public") == schema)
                    })
                    .cloned()
            }
            Kind::Constraint => self.index_of(obj).map(|(o, _)| o.clone()),
            _ => None,
        }
    }

    fn rename_one(&mut self, from: &Obj, to: &Obj) {
        for i in self.candidates(from, false) {
            let Some((o, _)) = self.slots[i].as_ref() else {
                continue;
            };
            let mut renamed = o.clone();
            renamed.follow_rename(from, to);
            if renamed == *o {
                continue;
            }
            self.save(i);
            let Some((o, _)) = self.slots[i].as_mut() else {
                continue;
            };
            let before = o.key();
            *o = renamed;
            let after = o.key();
            let obj = o.clone();
            if before != after {
                self.by_key.remove(&before);
                self.by_key.insert(after, i);
            }
            self.index(i, &obj);
        }
    }

    /// Sets the value of the object of key `key` (where it was created, or
    /// last made to depend on something), if it is there.
    pub fn set_value(&mut self, key: &ObjKey, value: V) {
        let Some(&i) = self.by_key.get(key) else {
            return;
        };
        self.save(i);
        if let Some((_, v)) = self.slots[i].as_mut() {
            *v = value;
        }
    }

    /// Changes the object of key `key`, if it is there.
    pub fn update(&mut self, key: &ObjKey, f: impl FnOnce(&mut Obj)) {
        let Some(&i) = self.by_key.get(key) else {
            return;
        };
        self.save(i);
        let Some((o, _)) = self.slots[i].as_mut() else {
            return;
        };
        f(o);
        let obj = o.clone();
        let after = obj.key();
        if &after != key {
            self.by_key.remove(key);
            self.by_key.insert(after, i);
        }
        self.index(i, &obj);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualName;

    fn col(t: &str, c: &str) -> Obj {
        Obj::on(Kind::Column, &QualName::new(None, t), c)
    }

    fn index_on(name: &str, t: &str, cols: &[&str]) -> Obj {
        let mut o = Obj::new(Kind::Index, QualName::new(None, name));
        o.table = Some(QualName::new(None, t));
        o.columns = cols.iter().map(|c| c.to_string()).collect();
        o
    }

    #[test]
    fn drops_and_renames_follow_dependencies() {
        let mut set: ObjSet<usize> = ObjSet::default();
        let users = Obj::new(Kind::Table, QualName::new(None, "users"));
        set.insert(users.clone(), 0);
        set.insert(col("users", "a"), 1);
        set.insert(col("users", "b"), 2);
        set.insert(index_on("i", "users", &["a"]), 3);
        assert!(!set.insert(col("users", "a"), 9), "a key is there once");
        // Renaming a column renames what is built on it.
        set.rename(&col("users", "a"), &col("users", "z"));
        assert!(set.contains(&col("users", "z").key()));
        let idx = set.get(&index_on("i", "users", &[]).key()).unwrap();
        assert_eq!(idx.0.columns, ["z"]);
        // Dropping the column drops the index.
        let gone = set.drop_object(&col("users", "z"), false);
        assert_eq!(gone.len(), 2);
        // Renaming the table moves its columns; dropping it drops them.
        let accounts = Obj::new(Kind::Table, QualName::new(None, "accounts"));
        set.rename(&users, &accounts);
        assert!(set.contains(&col("accounts", "b").key()));
        assert_eq!(set.drop_object(&accounts, false).len(), 2);
        assert!(set.is_empty());
    }

    #[test]
    fn rollback_restores_drops_renames_and_inserts() {
        let mut set: ObjSet<usize> = ObjSet::default();
        let users = Obj::new(Kind::Table, QualName::new(None, "users"));
        set.insert(users.clone(), 0);
        set.insert(index_on("i", "users", &["a"]), 1);
        set.begin_recording();
        let accounts = Obj::new(Kind::Table, QualName::new(None, "accounts"));
        set.rename(&users, &accounts);
        set.insert(col("accounts", "b"), 2);
        assert_eq!(set.drop_object(&accounts, false).len(), 3);
        set.rollback();
        assert_eq!(set.len(), 2);
        assert!(set.contains(&users.key()));
        let idx = set.get(&index_on("i", "users", &[]).key()).unwrap();
        assert_eq!(idx.0.table, Some(QualName::new(None, "users")));
        // The side indexes still find what was restored.
        assert_eq!(set.drop_object(&users, false).len(), 2);
    }
}
