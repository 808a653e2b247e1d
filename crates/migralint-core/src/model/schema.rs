//! The schema model: the migration directory replayed, statement by
//! statement, in version order. Rules ask it what they cannot see in the
//! statement itself: does this table exist, was it created in this very file
//! (new and empty) or earlier (holds data), what type is this column.

use rustc_hash::FxHashMap as HashMap;

use super::effects::{
    index_def, rename_in_expr, ColumnChange, Contents, DomainChange, Effect, Shape, NEXTVAL,
};
use super::names::{QualName, SqlType};
use super::objects::{
    choose_index_name, generated_constraint_name, same_name, Kind, Obj, ObjKey, Referable,
    Reference,
};
pub use super::objects::{Column, ConstraintInfo, ConstraintKind, KeyPart, UniqueKey};
use super::objset::ObjSet;
use super::volatility::Functions;

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
    /// The name it had before its latest rename.
    pub renamed_from: Option<QualName>,
    /// Its inheritance parents (`INHERITS`, `INHERIT`), or the table it is
    /// a partition of (`partition`).
    pub parents: Vec<QualName>,
    /// A partition: rows inserted into its parent may land here.
    pub partition: bool,
    /// Partitioned (`PARTITION BY`): it holds no rows of its own, an index
    /// on it is built on each partition, and never `CONCURRENTLY`.
    pub partitioned: bool,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.get(name)
    }

    /// The type of column `name`, when the model knows the table's
    /// columns (what `effects::index_def` and `effects::typed_text` read).
    pub fn column_type(&self, name: &str) -> Option<SqlType> {
        self.columns_known
            .then(|| self.column(name).map(|c| c.ty.clone()))
            .flatten()
    }

    /// Its columns in their order (what `INSERT ... VALUES` without a
    /// column list fills).
    pub fn columns_in_order(&self) -> Vec<&Column> {
        let mut out: Vec<&Column> = self.columns.values().collect();
        out.sort_by_key(|c| c.position);
        out
    }

    /// Adds `column` after the others.
    fn add_column(&mut self, mut column: Column) {
        column.position = self
            .columns
            .values()
            .map(|c| c.position + 1)
            .max()
            .unwrap_or(0);
        self.columns.insert(column.name.clone(), column);
    }

    /// The column renamed away to `name` whose old name another column
    /// has taken since (`RENAME COLUMN email TO email_old`, then `ADD
    /// COLUMN email`): the superseded copy, which the application no
    /// longer reaches under its old name.
    pub fn superseded_column(&self, name: &str) -> bool {
        let old = self.column(name).and_then(|c| c.renamed_from.as_deref());
        old.is_some_and(|old| old != name && self.column(old).is_some())
    }

    /// A validated `CHECK (col IS NOT NULL)` exists, so `SET NOT NULL` can
    /// skip its scan (PostgreSQL 12+).
    pub fn has_valid_not_null_check(&self, column: &str) -> bool {
        self.constraints
            .iter()
            .any(|c| c.validated && c.not_null_check_of.iter().any(|c| c == column))
    }
}

#[derive(Clone, Debug)]
pub struct IndexInfo {
    pub name: QualName,
    pub table: QualName,
    pub unique: bool,
    /// The columns it is built on (keys, INCLUDE, expressions, partial-index
    /// predicate): dropping one drops the index.
    pub columns: Vec<String>,
    pub created_in: usize,
    /// Built `CONCURRENTLY`.
    pub concurrent: bool,
    /// Its definition (`effects::index_def`); `None` once a column it is
    /// on was renamed (the text names the old column).
    pub def: Option<Box<str>>,
    /// Its key columns when on plain columns only, without a predicate.
    pub keys: Option<Vec<String>>,
    /// What it guarantees, when unique (columns renamed with them).
    pub unique_key: Option<Box<UniqueKey>>,
}

/// A domain and what it checks (`CHECK` constraints, `NOT NULL`).
#[derive(Clone, Debug)]
pub struct Domain {
    /// Its base type when written as a name (another domain, maybe).
    pub base: Option<QualName>,
    /// Its base type with modifiers (`varchar(255)`, `int[]`).
    pub base_type: Option<SqlType>,
    /// The names of its `CHECK` constraints (unnamed ones as PostgreSQL
    /// names them: `{domain}_check`, `{domain}_check1`...).
    pub checks: Vec<String>,
    pub not_null: bool,
}

/// What the model knows of a table a statement touches.
#[derive(Clone, Copy, Debug)]
pub enum TableState<'a> {
    /// Created earlier in the file being linted: new and empty.
    New(&'a Table),
    /// Created by an earlier migration: its shape is known, and by the time
    /// this migration runs it holds data.
    Existing(&'a Table),
    /// Created by an earlier file (the table, when the model knows it) or
    /// by none, but an earlier statement of this file emptied it
    /// (`TRUNCATE`, `DELETE` without `WHERE`): empty from here on, or
    /// holding only the few rows the file inserted since
    /// (`Schema::contents`).
    Emptied(Option<&'a Table>),
    /// No file created it: assumed to exist and hold data.
    Unknown,
}

impl<'a> TableState<'a> {
    /// Created earlier in this file (nothing else can be using it yet).
    pub fn is_new(&self) -> bool {
        matches!(self, TableState::New(_))
    }
    pub fn table(&self) -> Option<&'a Table> {
        match self {
            TableState::New(t) | TableState::Existing(t) | TableState::Emptied(Some(t)) => Some(t),
            TableState::Emptied(None) | TableState::Unknown => None,
        }
    }
}

/// What a recording saved: each table and index as it was before its
/// first change (a later change of the same one needs nothing more).
#[derive(Clone, Default)]
struct Saved {
    tables: HashMap<Key, Option<Table>>,
    indexes: HashMap<Key, Option<IndexInfo>>,
    domains: HashMap<Key, Option<Domain>>,
    /// What was gone before.
    gone: HashMap<ObjKey, Gone>,
}

/// Tables and indexes, keyed by `(schema, name)`. Cloned only where a
/// `ROLLBACK` will take the file back to it (`engine::replay`).
#[derive(Clone, Default)]
pub struct Schema {
    tables: HashMap<Key, Table>,
    indexes: HashMap<Key, IndexInfo>,
    /// Domains, by key.
    domains: HashMap<Key, Domain>,
    /// What the functions created so far cost a default that calls them
    /// (kept when dropped: a later call of a dropped function fails anyway).
    pub functions: Functions,
    /// The keys of indexes by their table's key (entries may be stale:
    /// checked against `indexes` when read).
    table_indexes: HashMap<Key, Vec<Key>>,
    /// While recording, the first change of each table and index saves
    /// what it replaced, so a down file can be linted against the state
    /// after its up and then rolled back.
    undo: Option<Saved>,
    /// What tables hold, where a file changed that wholesale (emptied,
    /// inserted rows into a table it created or emptied, filled one), with
    /// that file (`contents`).
    contents: HashMap<Key, (usize, Contents)>,
    /// Tables of the current file that end with its session (`TEMP`), and
    /// what it created in `pg_temp`.
    temp: Vec<Obj>,
    /// Every named object with what it depends on (foreign-key targets,
    /// trigger functions, column types and defaults, relations a view
    /// reads) and where it was created.
    pub objects: ObjSet<Origin>,
    /// What the history (earlier statements of this file, earlier files)
    /// dropped (directly or with what they were built on) or renamed away,
    /// and where; a down's own drops and renames leave with its rollback.
    gone: HashMap<ObjKey, Gone>,
    /// What the down last recorded needed and the history had removed
    /// (`note_refused`).
    refused: Vec<Obj>,
    /// File names by index (`Origin::file`).
    file_names: HashMap<usize, String>,
    /// The file and line of the statement being applied.
    place: Origin,
}

/// Where an object was created: file index (replay order) and line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub line: usize,
}

/// An object a statement needs that the history removed (`gone_uses`).
pub struct GoneUse<'a> {
    pub obj: Obj,
    /// What the statement does to it (`drop`, `rename`, `alter`, `use`).
    pub verb: &'static str,
    /// `it`, or `table t` when its table is what left.
    pub what: String,
    pub gone: &'a Gone,
}

impl GoneUse<'_> {
    /// What PostgreSQL says of the statement, for one run in file
    /// `file`, whose up (for a down) is named `up`: `PostgreSQL refuses
    /// to drop index i: it was dropped with column t.a by 2_b.up.sql:1, so
    /// it no longer exists here`.
    pub fn refusal(&self, schema: &Schema, file: usize, up: Option<&str>) -> String {
        let at = self.gone.at;
        let place = if at.file == file {
            format!("on line {}", at.line)
        } else if up.is_some() && schema.file_name(at.file) == up {
            format!("by its up ({})", schema.describe_origin(at))
        } else {
            format!("by {}", schema.describe_origin(at))
        };
        format!(
            "PostgreSQL refuses to {} {}: {} was {} {place}, so it no longer exists here",
            self.verb,
            self.obj.describe(),
            self.what,
            self.gone.how,
        )
    }
}

/// How an object left the schema.
#[derive(Clone, Debug)]
pub struct Gone {
    /// The statement that dropped or renamed it.
    pub at: Origin,
    /// `dropped with table t`, `renamed to u`...
    pub how: String,
    /// Renamed away (not dropped).
    pub renamed: bool,
    /// The table it belonged to (a dropped index's table).
    pub table: Option<QualName>,
}

impl Schema {
    /// A table by name; an unqualified name means the session's temporary
    /// table of that name while there is one (`effects::TempNames`).
    /// The definition of index `s` on `table` (`effects::index_def`), with
    /// the table's column types as the history has them.
    pub fn index_def(&self, s: &pg_query::protobuf::IndexStmt, table: &QualName) -> Box<str> {
        let table = self.table(table);
        index_def(s, &|c| table.and_then(|t| t.column_type(c)))
    }

    pub fn table(&self, name: &QualName) -> Option<&Table> {
        self.tables.get(&self.resolve(name, &self.tables))
    }

    /// The table renamed away to `name` whose old name another table has
    /// taken since (`RENAME TO old_t`, then a new `t`): the superseded
    /// copy, which the application no longer reaches under its old name.
    pub fn superseded_table(&self, name: &QualName) -> bool {
        let old = self.table(name).and_then(|t| t.renamed_from.as_ref());
        old.is_some_and(|old| !same_name(old, name) && self.table(old).is_some())
    }

    pub fn index(&self, name: &QualName) -> Option<&IndexInfo> {
        self.indexes.get(&self.resolve(name, &self.indexes))
    }

    /// The key of `name` in `map`: `pg_temp`'s when unqualified and `map`
    /// has a temporary one of that name (the effects the model applies
    /// are already qualified; names read off a statement's tree are not).
    fn resolve<V>(&self, name: &QualName, map: &HashMap<Key, V>) -> Key {
        if name.schema.is_none() {
            let temp = ("pg_temp".to_string(), name.name.clone());
            if map.contains_key(&temp) {
                return temp;
            }
        }
        name.key()
    }

    pub fn domain(&self, name: &QualName) -> Option<&Domain> {
        self.domains.get(&name.key())
    }

    /// `ty` is a domain the model knows that checks something (a `CHECK`
    /// constraint, valid or not, or `NOT NULL`), itself or through the
    /// domain it is based on: PostgreSQL evaluates that for every row a
    /// column of it gets, a `NULL` included.
    pub fn domain_has_constraints(&self, ty: &QualName) -> bool {
        let mut name = ty.clone();
        // A chain of domains (bounded: a cycle cannot exist, but the model
        // might follow renames oddly).
        for _ in 0..16 {
            let Some(d) = self.domain(&name) else {
                return false;
            };
            if d.not_null || !d.checks.is_empty() {
                return true;
            }
            match &d.base {
                Some(b) => name = b.clone(),
                None => return false,
            }
        }
        false
    }

    /// What a value of type `ty` is stored as, for judging a type change:
    /// a known domain stands for the type it is based on (through a chain
    /// of domains), since a domain and its base type are binary coercible
    /// both ways. With `plain`, only a domain that checks nothing: casting
    /// into one with a CHECK or NOT NULL evaluates it for every row.
    /// `None`: not a known domain (or, with `plain`, a checking one).
    pub fn domain_base(&self, ty: &SqlType, plain: bool) -> Option<SqlType> {
        if ty.array || !ty.mods.is_empty() {
            return None;
        }
        let mut name = match ty.name.split_once('.') {
            Some((schema, name)) => QualName::new(Some(schema), name),
            None => QualName::new(None, &ty.name),
        };
        let mut found = None;
        for _ in 0..16 {
            let Some(d) = self.domain(&name) else {
                break;
            };
            if plain && (d.not_null || !d.checks.is_empty()) {
                return None;
            }
            found = d.base_type.clone();
            match &d.base {
                Some(b) => name = b.clone(),
                None => break,
            }
        }
        found
    }

    /// The names of the indexes on column `column` of `table` that the
    /// model knows, a primary key's or unique constraint's included (what
    /// a change of the column's operator class rebuilds).
    pub fn indexes_on_column(&self, table: &QualName, column: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .objects
            .on_column(table, column)
            .into_iter()
            .filter(|(o, _)| {
                o.kind == Kind::Index || (o.kind == Kind::Constraint && o.referable.is_some())
            })
            .map(|(o, _)| o.name.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The two types a type change from `old` to `new` is judged on: a
    /// known domain as its base type (a checking one only on the old
    /// side: leaving a domain checks nothing).
    pub fn judged_types(&self, old: SqlType, new: SqlType) -> (SqlType, SqlType) {
        (
            self.domain_base(&old, false).unwrap_or(old),
            self.domain_base(&new, true).unwrap_or(new),
        )
    }

    /// A column definition's type is a domain with constraints
    /// (`domain_has_constraints`); not an array of one.
    pub fn column_type_has_constraints(&self, c: &pg_query::protobuf::ColumnDef) -> bool {
        c.type_name
            .as_ref()
            .filter(|t| t.array_bounds.is_empty())
            .and_then(|t| QualName::from_list(&t.names))
            .is_some_and(|ty| self.domain_has_constraints(&ty))
    }

    /// The tables with a column of domain `domain` (or of a domain based
    /// on it), sorted: what `ALTER DOMAIN ... ADD CONSTRAINT` checks.
    pub fn tables_using_domain(&self, domain: &QualName) -> Vec<QualName> {
        let mut domains = vec![domain.key()];
        let mut i = 0;
        while i < domains.len() && i < 64 {
            let based: Vec<Key> = self
                .domains
                .iter()
                .filter(|(k, d)| {
                    d.base.as_ref().is_some_and(|b| b.key() == domains[i]) && !domains.contains(k)
                })
                .map(|(k, _)| k.clone())
                .collect();
            domains.extend(based);
            i += 1;
        }
        let mut out: Vec<QualName> = self
            .tables
            .values()
            .filter(|t| {
                t.columns.values().any(|c| {
                    let ty = match c.ty.name.split_once('.') {
                        Some((s, n)) => QualName::new(Some(s), n),
                        None => QualName::new(None, &c.ty.name),
                    };
                    !c.ty.array && domains.contains(&ty.key())
                })
            })
            .map(|t| t.name.clone())
            .collect();
        out.sort_by_key(|t| t.key());
        out
    }

    fn set_domain(&mut self, key: Key, domain: Option<Domain>) {
        if let Some(saved) = &mut self.undo {
            save_once(&mut saved.domains, &self.domains, &key);
        }
        match domain {
            Some(d) => self.domains.insert(key, d),
            None => self.domains.remove(&key),
        };
    }

    /// `CREATE TABLE t (LIKE s ...)`: `table` gets `s`'s columns (with
    /// their NOT NULL, always; their defaults with `INCLUDING DEFAULTS`
    /// or, for identity columns, `INCLUDING IDENTITY`), its CHECK
    /// constraints (`INCLUDING CONSTRAINTS`, names kept, valid even when
    /// NOT VALID there), its primary key
    /// and unique constraints (`INCLUDING INDEXES`, renamed as PostgreSQL
    /// names them: `t_pkey`, `t_a_b_key`). Foreign keys are never copied,
    /// nor (here) plain indexes. A source the model does not fully know
    /// leaves the columns unknown.
    fn copy_like(&self, table: &mut Table, like: &super::effects::Like) {
        let Some(source) = self.table(&like.source).filter(|s| s.columns_known) else {
            table.columns_known = false;
            return;
        };
        for c in source.columns_in_order() {
            let mut c = c.clone();
            let nextval = c.default.as_deref() == Some(NEXTVAL);
            if !(like.defaults() || (nextval && like.identity())) {
                c.default = None;
            }
            table.add_column(c);
        }
        for c in &source.constraints {
            let name = match c.kind {
                ConstraintKind::Check if like.constraints() => c.name.clone(),
                ConstraintKind::PrimaryKey if like.indexes() => {
                    Some(format!("{}_pkey", table.name.name))
                }
                ConstraintKind::Unique | ConstraintKind::Exclude if like.indexes() => {
                    let suffix = if c.kind == ConstraintKind::Unique {
                        "key"
                    } else {
                        "excl"
                    };
                    let n = format!("{}_{}_{suffix}", table.name.name, c.keys.join("_"));
                    (n.len() <= 63).then_some(n)
                }
                _ => continue,
            };
            // A copied CHECK is valid, even of a NOT VALID one (checked
            // on PostgreSQL 15: the new table is empty).
            table.constraints.push(ConstraintInfo {
                name,
                index: None,
                validated: true,
                ..c.clone()
            });
        }
    }

    /// What `change` makes of domain `name`, when the model knows it.
    fn alter_domain(&mut self, name: &QualName, change: &DomainChange) {
        let Some(mut d) = self.domain(name).cloned() else {
            return;
        };
        match change {
            DomainChange::AddConstraint(c) => {
                let c = c
                    .clone()
                    .unwrap_or_else(|| check_name(&name.name, &d.checks));
                d.checks.push(c);
            }
            DomainChange::DropConstraint(c) => d.checks.retain(|x| x != c),
            DomainChange::NotNull(n) => d.not_null = *n,
        }
        self.set_domain(name.key(), Some(d));
    }

    /// What table `name` holds when a statement of file `current_file`
    /// runs: what the file made of it, else nothing when the file created
    /// it, else data.
    pub fn contents(&self, name: &QualName, current_file: usize) -> Contents {
        let key = self.resolve(name, &self.tables);
        match self.contents.get(&key) {
            Some((f, c)) if *f == current_file => c.clone(),
            _ if self
                .table(name)
                .is_some_and(|t| t.created_in == current_file) =>
            {
                Contents::Empty
            }
            _ => Contents::Data,
        }
    }

    pub fn table_state(&self, name: &QualName, current_file: usize) -> TableState<'_> {
        let key = self.resolve(name, &self.tables);
        let emptied = matches!(self.contents.get(&key),
            Some((f, c)) if *f == current_file && *c != Contents::Data);
        match self.table(name) {
            Some(t) if t.created_in == current_file => TableState::New(t),
            t if emptied => TableState::Emptied(t),
            Some(t) => TableState::Existing(t),
            None => TableState::Unknown,
        }
    }

    /// The file's session ends: its `TEMP` tables go (with their indexes),
    /// and what it created in `pg_temp`, with what depends on them.
    pub fn end_session(&mut self) {
        // Under whatever name they were renamed to since.
        if !self.temp.is_empty() {
            self.remove_schema("pg_temp");
            self.objects
                .drop_object(&super::effects::temp_schema(), true);
        }
        for t in std::mem::take(&mut self.temp) {
            if t.kind.is_relation() {
                self.remove_table(&t.name);
            }
            // Also from the objects (what holds a name, what depends on
            // what; a view on it is temporary too), unless the name was an
            // earlier file's table, which the temporary one only shadowed.
            if self
                .objects
                .get(&t.key())
                .is_some_and(|(_, at)| at.file == self.place.file)
            {
                self.objects.drop_object(&t, true);
            }
        }
    }

    pub fn begin_recording(&mut self) {
        self.undo = Some(Saved {
            gone: self.gone.clone(),
            ..Saved::default()
        });
        self.refused.clear();
        self.objects.begin_recording();
    }

    /// A file starts: statements of file `index` (named `name`) follow.
    pub fn enter_file(&mut self, index: usize, name: &str) {
        self.file_names.insert(index, name.to_string());
        self.place = Origin {
            file: index,
            line: 0,
        };
    }

    /// A statement ran code the replay does not follow (`DO`, `CALL`):
    /// it may have created anything again, so nothing counts as gone.
    pub fn forget_gone(&mut self) {
        self.gone.clear();
    }

    /// The next statement applied starts on `line` of the current file.
    pub fn at_line(&mut self, line: usize) {
        self.place.line = line;
    }

    /// `line 3` in the current file, else `000002_x.up.sql:3`.
    /// The name of file `index` (replay order), as `enter_file` gave it.
    pub fn file_name(&self, index: usize) -> Option<&str> {
        self.file_names.get(&index).map(String::as_str)
    }

    pub fn describe_origin(&self, o: Origin) -> String {
        if o.file == self.place.file {
            format!("line {}", o.line)
        } else {
            let name = self.file_names.get(&o.file).map_or("", String::as_str);
            let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
            format!("{name}:{}", o.line)
        }
    }

    /// An earlier statement of the history dropped `key`'s object (or
    /// what it was built on) or renamed it away, and it is not back.
    pub fn gone(&self, key: &ObjKey) -> Option<&Gone> {
        if self.objects.contains(key) {
            return None;
        }
        self.gone.get(key)
    }

    /// `obj` no longer exists because the history removed it: the table it
    /// belongs to, or else it, was dropped or renamed away (`gone`) and
    /// nothing holds its name since (another kind of relation may: then
    /// PostgreSQL's complaint is another). With what left: `table t`, or
    /// `it`. Objects the history never saw removed are not gone: they may
    /// come from outside the migrations. A function named without its
    /// arguments is gone when one of its name left and none is left.
    pub fn gone_object(&self, obj: &Obj) -> Option<(String, &Gone)> {
        if let Some(table) = obj.table.as_ref().filter(|_| obj.kind.on_table()) {
            let table = Obj::new(Kind::Table, table.clone());
            if let Some(g) = self.gone(&table.key()) {
                return self
                    .holder(&table)
                    .is_none()
                    .then(|| (format!("table {}", table.name), g));
            }
        }
        let key = obj.key();
        let g = match self.gone(&key) {
            Some(g) => g,
            None if obj.kind == Kind::Function && obj.args.is_none() => {
                if !self.objects.overloads(&obj.name).is_empty() {
                    return None;
                }
                self.gone
                    .iter()
                    .find(|(k, _)| k.0 == Kind::Function && k.1 == key.1)
                    .map(|(_, g)| g)?
            }
            None => return None,
        };
        // A relation's name may be held by a relation of another kind.
        let held = obj.kind.is_relation() || matches!(obj.kind, Kind::Index | Kind::Sequence);
        (!held || self.holder(obj).is_none()).then(|| ("it".to_string(), g))
    }

    /// The objects `effects` (one statement's) need that the history
    /// dropped or renamed away (`gone_object`, `Effect::requires`): what
    /// PostgreSQL refuses the statement for, one per object left. Not what
    /// the statement itself makes again (a serial column's sequence comes
    /// after the column that uses it), nor, with `relation_if_exists`
    /// (`ALTER TABLE|INDEX|VIEW IF EXISTS`), the relation or what sits in
    /// it when the relation is gone (PostgreSQL skips the statement with a
    /// notice; a missing column or constraint of a relation that exists
    /// still fails).
    pub fn gone_uses(&self, effects: &[Effect], relation_if_exists: bool) -> Vec<GoneUse<'_>> {
        let made: Vec<ObjKey> = effects
            .iter()
            .filter_map(|e| e.makes().map(Obj::key))
            .collect();
        let mut out: Vec<GoneUse> = Vec::new();
        for e in effects {
            for (obj, verb) in e.requires() {
                let table_made = obj
                    .table
                    .as_ref()
                    .is_some_and(|t| made.contains(&Obj::new(Kind::Table, t.clone()).key()));
                if table_made || made.contains(&obj.key()) {
                    continue;
                }
                let Some((what, gone)) = self.gone_object(&obj) else {
                    continue;
                };
                if relation_if_exists && (obj.table.is_none() || what != "it") {
                    continue;
                }
                // One per object left (a table and its columns).
                if !out.iter().any(|u| std::ptr::eq(u.gone, gone)) {
                    out.push(GoneUse {
                        obj,
                        verb,
                        what,
                        gone,
                    });
                }
            }
        }
        out
    }

    /// A statement of the down being recorded needs `objs`, which the
    /// history removed: PostgreSQL refuses it (`refused`).
    pub fn note_refused(&mut self, objs: Vec<Obj>) {
        self.refused.extend(objs);
    }

    /// What the statements of the down last recorded needed and the
    /// history had removed: PostgreSQL refuses the down there.
    pub fn refused(&self) -> &[Obj] {
        &self.refused
    }

    /// Recording a down (`begin_recording`, not yet rolled back).
    pub fn recording(&self) -> bool {
        self.undo.is_some()
    }

    /// Undoes every change since `begin_recording`.
    pub fn rollback(&mut self) {
        self.objects.rollback();
        let saved = self.undo.take().unwrap_or_default();
        self.gone = saved.gone;
        for (k, old) in saved.tables {
            restore(&mut self.tables, k, old);
        }
        for (k, old) in saved.indexes {
            restore(&mut self.indexes, k, old);
        }
        for (k, old) in saved.domains {
            restore(&mut self.domains, k, old);
        }
    }

    /// While recording (a down file, linted against the state after its
    /// up): the table `name` and its indexes as they were when the
    /// recording began, whatever the file has changed since; otherwise as
    /// they are.
    pub fn at_recording_start(&self, name: &QualName) -> (Option<&Table>, Vec<&IndexInfo>) {
        let key = name.key();
        let saved = self.undo.as_ref();
        let table = match saved.and_then(|s| s.tables.get(&key)) {
            Some(old) => old.as_ref(),
            None => self.tables.get(&key),
        };
        let on_table = |i: &&IndexInfo| i.table.key() == key;
        let unchanged = self
            .indexes
            .iter()
            .filter(|(k, _)| !saved.is_some_and(|s| s.indexes.contains_key(*k)))
            .map(|(_, i)| i);
        let changed = saved.into_iter().flat_map(|s| s.indexes.values().flatten());
        (table, unchanged.chain(changed).filter(on_table).collect())
    }

    /// Saves the table at `key` before its first change while recording.
    fn save_table(&mut self, key: &Key) {
        if let Some(saved) = &mut self.undo {
            save_once(&mut saved.tables, &self.tables, key);
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

    /// Removes what lives in schema `schema`: tables (with their indexes),
    /// indexes, domains.
    fn remove_schema(&mut self, schema: &str) {
        let mut tables: Vec<QualName> = self
            .tables
            .iter()
            .filter(|(k, _)| k.0 == schema)
            .map(|(_, t)| t.name.clone())
            .collect();
        tables.sort();
        for t in tables {
            self.remove_table(&t);
        }
        for k in keys_in(&self.indexes, schema) {
            self.set_index(k, None);
        }
        for k in keys_in(&self.domains, schema) {
            self.set_domain(k, None);
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

    /// The keys of the indexes built on `column` of `table`, found through
    /// `objects` (which indexes them by column; it is updated after the
    /// tables, so it still has them).
    fn indexes_on(&self, table: &QualName, column: &str) -> Vec<Key> {
        self.objects
            .on_column(table, column)
            .into_iter()
            .filter(|(o, _)| o.kind == Kind::Index)
            .map(|(o, _)| o.name.key())
            .filter(|k| {
                self.indexes.get(k).is_some_and(|i| {
                    i.table.has_key(&table.key()) && i.columns.iter().any(|c| c == column)
                })
            })
            .collect()
    }

    fn set_index(&mut self, key: Key, index: Option<IndexInfo>) {
        if let Some(i) = &index {
            self.table_indexes
                .entry(i.table.key())
                .or_default()
                .push(key.clone());
        }
        if let Some(saved) = &mut self.undo {
            save_once(&mut saved.indexes, &self.indexes, &key);
        }
        match index {
            Some(i) => self.indexes.insert(key, i),
            None => self.indexes.remove(&key),
        };
    }

    /// Applies one statement's effects (`effects::effects`) on tables and
    /// indexes; `file` is the index of its file in replay order.
    pub fn apply(&mut self, effects: &[Effect], file: usize) {
        let unnamed = |e: &Effect| matches!(e, Effect::Create { obj, shape: Shape::Index { .. }, .. } if !obj.is_named());
        let named: Vec<Effect>;
        let effects = if effects.iter().any(unnamed) {
            named = self.name_indexes(effects);
            &named[..]
        } else {
            effects
        };
        // `CREATE TABLE|INDEX IF NOT EXISTS` of a name a relation holds
        // does nothing at all: no column, constraint, index or dependency.
        if let Some(Effect::Create {
            obj,
            shape: Shape::Table { .. } | Shape::Index { .. },
            if_not_exists: true,
            ..
        }) = effects.first()
        {
            if self.holder(obj).is_some() {
                return;
            }
        }
        // In a down (replayed while recording), a rename onto a name that
        // something holds is refused by PostgreSQL and changes nothing (the
        // rollback fails there: `down-name-already-taken`). In an up the
        // model more likely missed a drop: the rename is followed.
        let refused = |e: &Effect| matches!(e, Effect::Rename { from, to } if !from.same_key(to) && self.holder(to).is_some());
        let owned = self.indexes_of_dropped_constraints(effects);
        if self.undo.is_some() && effects.iter().any(refused) {
            let kept: Vec<Effect> = effects.iter().filter(|e| !refused(e)).cloned().collect();
            self.apply_tables(&kept, file);
            self.apply_objects(&kept);
        } else {
            self.apply_tables(effects, file);
            self.apply_objects(effects);
        }
        // A unique, primary-key or exclusion constraint takes its index
        // with it (the index has the constraint's name).
        for (index, constraint) in owned {
            self.set_index(index.name.key(), None);
            self.objects.drop_object(&index, false);
            self.gone.insert(
                index.key(),
                Gone {
                    at: self.place,
                    how: format!("dropped with {}", constraint.describe()),
                    renamed: false,
                    table: constraint.table.clone(),
                },
            );
        }
    }

    /// The indexes that the constraints `effects` drop own: (the index,
    /// the constraint).
    fn indexes_of_dropped_constraints(&self, effects: &[Effect]) -> Vec<(Obj, Obj)> {
        effects
            .iter()
            .filter_map(|e| {
                let Effect::Drop { obj, .. } = e else {
                    return None;
                };
                let table = obj
                    .table
                    .as_ref()
                    .filter(|_| obj.kind == Kind::Constraint)?;
                let owns_index = self.table(table)?.constraints.iter().any(|c| {
                    c.name.as_deref() == Some(obj.name.name.as_str())
                        && matches!(
                            c.kind,
                            ConstraintKind::Unique
                                | ConstraintKind::PrimaryKey
                                | ConstraintKind::Exclude
                        )
                });
                let index = Obj::new(
                    Kind::Index,
                    QualName::new(table.schema.as_deref(), &obj.name.name),
                );
                owns_index.then(|| (index, obj.clone()))
            })
            .collect()
    }

    /// `effects` with each unnamed index named as PostgreSQL names it
    /// (`objects::choose_index_name`: `t_a_idx`, then `t_a_idx1`...),
    /// past the names relations of its schema hold.
    fn name_indexes(&self, effects: &[Effect]) -> Vec<Effect> {
        let mut out = effects.to_vec();
        for e in &mut out {
            let Effect::Create {
                obj,
                shape: Shape::Index { colnames, .. },
                ..
            } = e
            else {
                continue;
            };
            let Some(table) = obj.table.as_ref().filter(|_| !obj.is_named()) else {
                continue;
            };
            let schema = obj.name.schema.clone();
            obj.name.name = choose_index_name(&table.name, colnames, |n| {
                let index = Obj::new(Kind::Index, QualName::new(schema.as_deref(), n));
                self.holder(&index).is_some()
            });
        }
        out
    }

    /// `ADD COLUMN IF NOT EXISTS` of a column the table has: PostgreSQL
    /// skips it with a notice, so it adds, checks, scans and rewrites
    /// nothing (the `ALTER TABLE` still takes its lock).
    pub fn skips_add_column(
        &self,
        table: &QualName,
        cmd: &pg_query::protobuf::AlterTableCmd,
    ) -> bool {
        use pg_query::protobuf::AlterTableType;
        let Some(pg_query::NodeEnum::ColumnDef(c)) =
            cmd.def.as_deref().and_then(|d| d.node.as_ref())
        else {
            return false;
        };
        cmd.subtype == AlterTableType::AtAddColumn as i32
            && cmd.missing_ok
            && self
                .table(table)
                .is_some_and(|t| t.column(&c.colname).is_some())
    }

    /// `CREATE TABLE IF NOT EXISTS` of a name a relation holds: PostgreSQL
    /// skips it with a notice, so it creates no column, constraint or
    /// index (and a temporary table is made in its own schema).
    pub fn skips_create_table(&self, s: &pg_query::protobuf::CreateStmt) -> bool {
        s.if_not_exists
            && s.relation.as_ref().is_some_and(|rv| {
                rv.relpersistence != "t"
                    && self
                        .holder(&Obj::new(Kind::Table, QualName::from_range_var(rv)))
                        .is_some()
            })
    }

    /// The primary key or unique constraint whose index is named `name`:
    /// such an index has the constraint's name, in its table's schema.
    pub fn constraint_index(&self, name: &QualName) -> Option<&Obj> {
        let schema = name.key().0;
        self.objects.iter().map(|(o, _)| o).find(|o| {
            o.kind == Kind::Constraint
                && o.referable.is_some()
                && o.name.name == name.name
                && o.table.as_ref().is_some_and(|t| t.key().0 == schema)
        })
    }

    /// What holds `obj`'s name at this point, described (`table users`,
    /// `column users.x`), if the model knows: tables, views, indexes and
    /// sequences share one namespace per schema; columns, constraints,
    /// types and schemas are looked up as themselves. Functions (which
    /// overload) and triggers are not followed.
    pub fn holder(&self, obj: &Obj) -> Option<String> {
        const RELATIONS: [Kind; 5] = [
            Kind::Table,
            Kind::View,
            Kind::MatView,
            Kind::Index,
            Kind::Sequence,
        ];
        match obj.kind {
            Kind::Column => {
                let table = obj.table.as_ref()?;
                self.table(table)?
                    .column(&obj.name.name)
                    .map(|_| obj.describe())
            }
            k if RELATIONS.contains(&k) => {
                if let Some(t) = self.table(&obj.name) {
                    return Some(format!("table {}", t.name));
                }
                RELATIONS
                    .iter()
                    .find_map(|&kind| {
                        self.objects
                            .get(&Obj::new(kind, obj.name.clone()).key())
                            .map(|(o, _)| format!("{} {}", o.kind.label(), o.name))
                    })
                    .or_else(|| {
                        self.constraint_index(&obj.name)
                            .map(|o| format!("the index of {}", o.describe()))
                    })
            }
            Kind::Constraint | Kind::Type | Kind::Domain | Kind::Schema => {
                self.objects.get(&obj.key()).map(|(o, _)| o.describe())
            }
            _ => None,
        }
    }

    /// Tables and indexes.
    fn apply_tables(&mut self, effects: &[Effect], file: usize) {
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
                        Shape::Table {
                            columns_known,
                            temp,
                            like,
                            parents,
                            partition,
                            partitioned,
                        } => {
                            // Any relation of that name: they share a namespace.
                            if *if_not_exists && self.holder(obj).is_some() {
                                skip_table = Some(obj.name.key());
                                continue;
                            }
                            skip_table = None;
                            if *temp || obj.name.schema.as_deref() == Some("pg_temp") {
                                self.temp.push(obj.clone());
                            }
                            let mut table = Table {
                                name: obj.name.clone(),
                                columns: HashMap::default(),
                                columns_known: *columns_known,
                                constraints: Vec::new(),
                                created_in: file,
                                renamed_from: None,
                                parents: parents.clone(),
                                partition: *partition,
                                partitioned: *partitioned,
                            };
                            for l in like {
                                self.copy_like(&mut table, l);
                            }
                            self.put_table(table);
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
                                t.add_column(column.clone());
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
                            // A primary key makes its columns NOT NULL
                            // (`USING INDEX`: the index's keys, not its
                            // INCLUDE columns).
                            let keys = match (&info.index, info.kind) {
                                (Some(i), ConstraintKind::PrimaryKey | ConstraintKind::Unique) => {
                                    let i = QualName::new(table.schema.as_deref(), i);
                                    self.index(&i)
                                        .map(|i| {
                                            i.keys.clone().unwrap_or_else(|| i.columns.clone())
                                        })
                                        .unwrap_or_default()
                                }
                                _ => info.keys.clone(),
                            };
                            let Some(t) = self.table_mut(table) else {
                                continue;
                            };
                            if matches!(
                                info.kind,
                                ConstraintKind::NotNull | ConstraintKind::PrimaryKey
                            ) {
                                for col in t.columns.values_mut().filter(|c| keys.contains(&c.name))
                                {
                                    col.not_null = true;
                                }
                            }
                            // An unnamed one by the name PostgreSQL gives
                            // it, so that a DROP CONSTRAINT of that name
                            // takes it.
                            let name = info.name.clone().or_else(|| {
                                generated_constraint_name(table, info.kind, &obj.columns)
                            });
                            match info.kind {
                                ConstraintKind::NotNull => {}
                                ConstraintKind::Other => {}
                                _ => t.constraints.push(ConstraintInfo {
                                    keys,
                                    name,
                                    ..info.clone()
                                }),
                            }
                        }
                        Shape::Index {
                            unique,
                            concurrent,
                            stmt,
                            keys,
                            unique_key,
                            ..
                        } => {
                            let Some(table) = obj.table.as_ref() else {
                                continue;
                            };
                            let def = self.index_def(stmt, table);
                            if *if_not_exists && self.holder(obj).is_some() {
                                continue;
                            }
                            let info = IndexInfo {
                                name: obj.name.clone(),
                                table: table.clone(),
                                unique: *unique,
                                columns: obj.columns.clone(),
                                created_in: file,
                                concurrent: *concurrent,
                                def: Some(def),
                                keys: keys.clone(),
                                unique_key: unique_key.clone(),
                            };
                            self.set_index(obj.name.key(), Some(info));
                        }
                        Shape::Domain {
                            base,
                            base_type,
                            checks,
                            not_null,
                        } => {
                            let mut names: Vec<String> = Vec::new();
                            for c in checks {
                                let c = c
                                    .clone()
                                    .unwrap_or_else(|| check_name(&obj.name.name, &names));
                                names.push(c);
                            }
                            let domain = Domain {
                                base: base.clone(),
                                base_type: base_type.clone(),
                                checks: names,
                                not_null: *not_null,
                            };
                            self.set_domain(obj.name.key(), Some(domain));
                        }
                        Shape::Function { info, .. } => {
                            let args = obj.args.as_deref().unwrap_or_default();
                            self.functions.define(&obj.name.name, args, info.clone());
                        }
                        Shape::Plain => {}
                    }
                }
                Effect::AlterDomain { domain, change } => self.alter_domain(domain, change),
                Effect::Drop { obj, .. } => match obj.kind {
                    Kind::Domain | Kind::Type => self.set_domain(obj.name.key(), None),
                    Kind::Table | Kind::MatView => self.remove_table(&obj.name),
                    Kind::Index => self.set_index(obj.name.key(), None),
                    // Its tables, indexes and domains go with it (PostgreSQL
                    // refuses to drop a schema that holds any without
                    // CASCADE).
                    Kind::Schema => self.remove_schema(&obj.name.name),
                    Kind::Column => {
                        let Some(table) = obj.table.as_ref() else {
                            continue;
                        };
                        let column = &obj.name.name;
                        if let Some(t) = self.table_mut(table) {
                            t.columns.remove(column);
                            // The constraints built on it go with it.
                            t.constraints.retain(|c| !c.columns.contains(column));
                        }
                        // So do the indexes (keys, expressions, predicates).
                        for k in self.indexes_on(table, column) {
                            self.set_index(k, None);
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
                        ColumnChange::Default(_, default) => col.default.clone_from(default),
                        ColumnChange::Identity(true) => {
                            col.default = Some(NEXTVAL.into());
                            col.not_null = true;
                        }
                        ColumnChange::Identity(false) => col.default = None,
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
                Effect::Rename { from, to } => {
                    // An emptied table stays empty under its new name (or schema).
                    if from.kind.is_relation() {
                        if let Some(f) = self.contents.remove(&from.name.key()) {
                            self.contents.insert(to.name.key(), f);
                        }
                    }
                    self.rename(from, to)
                }
                Effect::Rows {
                    table,
                    contents: Contents::Empty,
                    cascade,
                    only,
                    ..
                } => {
                    let mut emptied = vec![table.clone()];
                    if *cascade {
                        emptied.extend(self.referencing(table));
                    }
                    if !*only {
                        // Inheritance children and partitions go too.
                        for t in emptied.clone() {
                            emptied.extend(self.descendants(&t, false));
                        }
                    }
                    for t in emptied {
                        self.contents.insert(t.key(), (file, Contents::Empty));
                    }
                }
                Effect::Rows {
                    table,
                    contents,
                    listed,
                    ..
                } => {
                    let listed = listed.as_deref().map(|l| Contents::Few {
                        non_null: self.listed_non_null(table, l),
                    });
                    let contents = listed.as_ref().unwrap_or(contents);
                    // Rows inserted into a partitioned table land in its
                    // partitions; a partition's rows are its parent's.
                    let mut filled = vec![table.clone()];
                    filled.extend(self.descendants(table, true));
                    filled.extend(self.partitioned_parents(table));
                    for t in filled {
                        self.add_contents(&t, contents, file);
                    }
                }
                // Few rows the file wrote: a column set to anything but a
                // non-NULL constant may be NULL now; one set to such a
                // constant in every row is not.
                Effect::Update {
                    table,
                    set,
                    every_row,
                } => {
                    let key = self.resolve(table, &self.tables);
                    if let Some((_, Contents::Few { non_null })) = self.contents.get_mut(&key) {
                        non_null.retain(|c| set.iter().all(|(s, constant)| s != c || *constant));
                        if *every_row {
                            for (c, _) in set.iter().filter(|(_, constant)| *constant) {
                                if !non_null.contains(c) {
                                    non_null.push(c.clone());
                                }
                            }
                        }
                    }
                }
                Effect::Inherit {
                    child,
                    parent,
                    partition,
                    add,
                } => {
                    if let Some(t) = self.table_mut(child) {
                        t.parents.retain(|p| !same_name(p, parent));
                        if *add {
                            t.parents.push(parent.clone());
                            t.partition = *partition;
                        }
                    }
                    // An attached partition's rows are its parent's now.
                    if *add && *partition {
                        let rows = self.contents(child, file);
                        let mut up = vec![parent.clone()];
                        up.extend(self.partitioned_parents(parent));
                        for t in up {
                            self.add_contents(&t, &rows, file);
                        }
                    }
                }
                Effect::OwnedBy { .. } => {}
            }
        }
    }

    /// `rows` join what table `name` holds (as statements of `file` see it).
    /// The columns of `table` that every row `listed` inserts sets to a
    /// non-NULL value: a constant, or its default when it is not given
    /// and has one that is not NULL (`Column::default_non_null`). A
    /// `VALUES` without a column list fills the table's columns in
    /// order; of a table the model does not fully know, only the columns
    /// named count.
    fn listed_non_null(&self, table: &QualName, listed: &super::effects::Listed) -> Vec<String> {
        use super::effects::DEFAULTED;
        let known = self.table(table).filter(|t| t.columns_known);
        let order: Vec<&str> = match (&listed.columns, known) {
            (Some(named), _) => named.iter().map(String::as_str).collect(),
            (None, Some(t)) => t
                .columns_in_order()
                .into_iter()
                .map(|c| c.name.as_str())
                .collect(),
            (None, None) => return Vec::new(),
        };
        let given = |name: &str| {
            order
                .iter()
                .position(|c| *c == name)
                .map_or(DEFAULTED, |i| {
                    listed.values.get(i).copied().unwrap_or(DEFAULTED)
                })
        };
        let columns: Vec<&str> = match known {
            Some(t) => t
                .columns_in_order()
                .into_iter()
                .map(|c| c.name.as_str())
                .collect(),
            None => order.clone(),
        };
        columns
            .into_iter()
            .filter(|c| {
                let g = given(c);
                let default = known
                    .and_then(|t| t.column(c))
                    .is_some_and(|c| c.default_non_null());
                !g.maybe_null && (!g.default || default)
            })
            .map(str::to_string)
            .collect()
    }

    fn add_contents(&mut self, name: &QualName, rows: &Contents, file: usize) {
        let now = self.contents(name, file).with(rows);
        let key = self.resolve(name, &self.tables);
        if now == Contents::Data && self.table(name).is_none_or(|t| t.created_in != file) {
            self.contents.remove(&key);
        } else {
            self.contents.insert(key, (file, now));
        }
    }

    /// The tables inheriting from `table` (its partitions, theirs...),
    /// recursively; `partitions_only`: only through partitions.
    fn descendants(&self, table: &QualName, partitions_only: bool) -> Vec<QualName> {
        let mut found: Vec<QualName> = Vec::new();
        let mut todo = vec![table.clone()];
        while let Some(parent) = todo.pop() {
            for t in self.tables.values() {
                if (t.partition || !partitions_only)
                    && t.parents.iter().any(|p| same_name(p, &parent))
                    && !same_name(&t.name, table)
                    && !found.iter().any(|f| same_name(f, &t.name))
                {
                    found.push(t.name.clone());
                    todo.push(t.name.clone());
                }
            }
        }
        found
    }

    /// The partitioned tables `table` is a partition of, up the tree.
    fn partitioned_parents(&self, table: &QualName) -> Vec<QualName> {
        let mut found: Vec<QualName> = Vec::new();
        let mut at = self.table(table);
        while let Some(t) = at.filter(|t| t.partition) {
            let Some(p) = t.parents.first() else { break };
            if same_name(p, table) || found.iter().any(|f| same_name(f, p)) {
                break;
            }
            found.push(p.clone());
            at = self.table(p);
        }
        found
    }

    /// The tables with a foreign key to `table`, and those referencing
    /// them, recursively (what `TRUNCATE table CASCADE` empties too).
    fn referencing(&self, table: &QualName) -> Vec<QualName> {
        let mut found: Vec<QualName> = Vec::new();
        let mut todo = vec![table.clone()];
        while let Some(target) = todo.pop() {
            for (fk, _) in self
                .objects
                .dependents(&Obj::new(Kind::Table, target.clone()))
            {
                let Some(source) = fk.table.as_ref().filter(|_| fk.kind == Kind::Constraint) else {
                    continue;
                };
                if !same_name(source, table) && !found.iter().any(|f| same_name(f, source)) {
                    found.push(source.clone());
                    todo.push(source.clone());
                }
            }
        }
        found
    }

    /// The objects and their dependencies (`objects`), and what leaves.
    fn apply_objects(&mut self, effects: &[Effect]) {
        let mut foreign_keys: Vec<Obj> = Vec::new();
        for e in effects {
            match e {
                Effect::Create {
                    obj,
                    shape,
                    if_not_exists,
                    ..
                } => {
                    let mut obj = obj.clone();
                    // An unnamed key or foreign key, by the name PostgreSQL
                    // gives it (`users_pkey`, `orders_user_id_fkey`).
                    let kind = match shape {
                        Shape::Constraint { info, .. } => Some(info.kind),
                        _ => None,
                    };
                    if !obj.is_named() {
                        let generated =
                            obj.table.as_ref().zip(kind).and_then(|(t, kind)| {
                                generated_constraint_name(t, kind, &obj.columns)
                            });
                        match generated {
                            Some(name) => obj.name.name = name,
                            None => continue,
                        }
                    }
                    // `SELECT *` reads the columns the table has now.
                    if obj.columns.iter().any(|c| c == "*") {
                        obj.columns.retain(|c| c != "*");
                        match obj.table.as_ref().and_then(|t| self.table(t)) {
                            Some(t) if t.columns_known => {
                                obj.columns.extend(t.columns.keys().cloned())
                            }
                            _ => {
                                obj.table = None;
                                obj.columns.clear();
                            }
                        }
                    }
                    // What it creates in `pg_temp` ends with the session
                    // (tables: `apply_tables`).
                    if obj.name.schema.as_deref() == Some("pg_temp")
                        && !matches!(shape, Shape::Table { .. })
                    {
                        self.temp.push(obj.clone());
                    }
                    // A foreign key is resolved once the statement's keys
                    // exist (`CREATE TABLE` adds its foreign keys last).
                    if kind == Some(ConstraintKind::ForeignKey) {
                        foreign_keys.push(obj);
                    } else if !*if_not_exists
                        && matches!(obj.kind, Kind::View | Kind::Trigger)
                        && self.objects.contains(&obj.key())
                    {
                        // `CREATE OR REPLACE` (a plain CREATE of what exists
                        // fails): PostgreSQL records the new definition's
                        // dependencies in place of the old ones, from here.
                        let key = obj.key();
                        self.objects.update(&key, |o| *o = obj);
                        self.objects.set_value(&key, self.place);
                    } else {
                        self.objects.insert(obj, self.place);
                    }
                }
                Effect::Drop { obj, cascade, .. } => {
                    for (o, _) in self.objects.drop_object(obj, *cascade) {
                        // A table that goes with another (a partition, an
                        // inheriting table with CASCADE) is gone too.
                        if matches!(o.kind, Kind::Table | Kind::MatView) && !o.same_key(obj) {
                            self.remove_table(&o.name);
                        }
                        let how = if o.same_key(obj) {
                            "dropped".to_string()
                        } else {
                            format!("dropped with {}", obj.describe())
                        };
                        let table = o.table.clone();
                        // Also by the name the drop gave it (a function
                        // named without its arguments).
                        if o.same_key(obj) && o.key() != obj.key() {
                            let gone = Gone {
                                at: self.place,
                                renamed: false,
                                how: how.clone(),
                                table: table.clone(),
                            };
                            self.gone.insert(obj.key(), gone);
                        }
                        self.gone.insert(
                            o.key(),
                            Gone {
                                at: self.place,
                                how,
                                renamed: false,
                                table,
                            },
                        );
                    }
                }
                Effect::Rename { from, to } => {
                    self.objects.rename(from, to);
                    self.gone.insert(
                        from.key(),
                        Gone {
                            at: self.place,
                            renamed: true,
                            how: format!("renamed to {}", to.name),
                            table: from.table.clone(),
                        },
                    );
                    self.gone.remove(&to.key());
                }
                Effect::OwnedBy { seq, table, column } => {
                    self.objects.update(&seq.key(), |o| {
                        o.table = Some(table.clone());
                        o.columns = vec![column.clone()];
                    });
                }
                Effect::AlterColumn {
                    table,
                    column,
                    change,
                } => {
                    let key = Obj::on(Kind::Column, table, column).key();
                    let types: Vec<Obj> = self
                        .objects
                        .get(&key)
                        .map(|(o, _)| {
                            o.depends_on
                                .iter()
                                .filter(|d| d.kind == Kind::Type)
                                .cloned()
                                .collect()
                        })
                        .unwrap_or_default();
                    match change {
                        // A new default (or none): the old one's functions
                        // and sequences no longer matter, the new one's do.
                        ColumnChange::Default(deps, _) => {
                            let mut now = types;
                            now.extend(deps.iter().flatten().cloned());
                            self.objects.update(&key, |o| o.depends_on = now);
                            // The dependency is this statement's.
                            self.objects.set_value(&key, self.place);
                        }
                        ColumnChange::Type(ty) => {
                            let mut parts = ty.name.splitn(2, '.');
                            let (a, b) = (parts.next().unwrap_or(""), parts.next());
                            let new = match b {
                                Some(b) => QualName::new(Some(a), b),
                                None => QualName::new(None, a),
                            };
                            self.objects.update(&key, |o| {
                                o.depends_on.retain(|d| !types.contains(d));
                                o.depends_on.push(Obj::new(Kind::Type, new));
                            });
                            self.objects.set_value(&key, self.place);
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        for mut fk in foreign_keys {
            self.resolve_key(&mut fk);
            self.objects.insert(fk, self.place);
        }
    }

    /// Adds to a foreign key the key it references, as PostgreSQL picks
    /// it: the primary key when no columns are listed (and its columns),
    /// else the first key created on exactly those columns.
    fn resolve_key(&self, fk: &mut Obj) {
        let Some(target) = fk.depends_on.iter().find(|d| d.kind.is_relation()) else {
            return;
        };
        let target = target.name.clone();
        let mut listed: Vec<&str> = fk
            .depends_on
            .iter()
            .filter(|d| d.kind == Kind::Column)
            .map(|d| d.name.name.as_str())
            .collect();
        listed.sort_unstable();
        listed.dedup();
        let key = self.objects.on_table(&target).into_iter().find(|(o, _)| {
            // An index's keys, not its INCLUDE columns.
            let keys = (o.kind == Kind::Index)
                .then(|| self.index(&o.name).and_then(|i| i.keys.as_ref()))
                .flatten()
                .unwrap_or(&o.columns);
            let mut cols: Vec<&str> = keys.iter().map(String::as_str).collect();
            cols.sort_unstable();
            cols.dedup();
            match o.referable {
                Some(Referable::PrimaryKey) if listed.is_empty() => true,
                Some(_) => !listed.is_empty() && cols == listed,
                None => false,
            }
        });
        let Some((key, _)) = key else { return };
        let key = key.clone();
        if listed.is_empty() {
            for c in &key.columns {
                fk.depends_on.push(Obj::on(Kind::Column, &target, c));
            }
        }
        fk.depends_on.push(Obj {
            columns: Vec::new(),
            depends_on: Vec::new(),
            referable: None,
            ..key
        });
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
                    table.name = new_name.clone();
                    table.renamed_from = Some(name.clone());
                    self.put_table(table);
                    // Foreign keys to it follow it.
                    self.follow_references(|r| {
                        if same_name(&r.table, name) {
                            r.table = new_name.clone();
                        }
                    });
                }
            }
            Kind::Column => {
                let (old, new) = (&from.name.name, &to.name.name);
                let follow = |names: &mut Vec<String>| {
                    names
                        .iter_mut()
                        .filter(|c| *c == old)
                        .for_each(|c| c.clone_from(new));
                };
                let Some(name) = from.table.as_ref() else {
                    return;
                };
                if let Some(table) = self.table_mut(name) {
                    if let Some(mut col) = table.columns.remove(old) {
                        col.name = new.clone();
                        col.renamed_from = Some(old.clone());
                        table.columns.insert(col.name.clone(), col);
                    }
                    for c in &mut table.constraints {
                        if c.columns.contains(old) {
                            // Its text names the old column.
                            c.expr = c
                                .expr
                                .as_deref()
                                .and_then(|e| rename_in_expr(e, old, new))
                                .map(String::into_boxed_str);
                        }
                        follow(&mut c.keys);
                        follow(&mut c.columns);
                        follow(&mut c.not_null_check_of);
                    }
                }
                // Foreign keys to the column follow it.
                self.follow_references(|r| {
                    if same_name(&r.table, name) {
                        follow(&mut r.columns);
                    }
                });
                for k in self.indexes_on(name, old) {
                    if let Some(mut i) = self.indexes.get(&k).cloned() {
                        follow(&mut i.columns);
                        if let Some(keys) = &mut i.keys {
                            follow(keys);
                        }
                        if let Some(u) = &mut i.unique_key {
                            u.rename_column(old, new);
                        }
                        i.def = None;
                        self.set_index(k, Some(i));
                    }
                }
            }
            Kind::Domain | Kind::Type => {
                if let Some(d) = self.domain(&from.name).cloned() {
                    self.set_domain(from.name.key(), None);
                    self.set_domain(to.name.key(), Some(d));
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

impl Schema {
    /// Applies `f` to the target of every foreign key of every table.
    fn follow_references(&mut self, mut f: impl FnMut(&mut Reference)) {
        let keys: Vec<Key> = self
            .tables
            .iter()
            .filter(|(_, t)| t.constraints.iter().any(|c| c.references.is_some()))
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            self.save_table(&k);
            if let Some(t) = self.tables.get_mut(&k) {
                for r in t
                    .constraints
                    .iter_mut()
                    .filter_map(|c| c.references.as_mut())
                {
                    f(r);
                }
            }
        }
    }

    /// Does `table` already have `want` (a constraint a statement writes),
    /// under whatever name and spelling? A key on the same columns (a
    /// primary key or a unique index on plain columns counts as UNIQUE), a
    /// CHECK of the same expression, a foreign key from the same columns
    /// to the same table with the same actions; NOT NULL is the column's.
    /// Exclusion constraints are not compared (`true`).
    pub fn has_constraint(&self, table: &Table, want: &ConstraintInfo) -> bool {
        let same_set = |a: &[String], b: &[String]| {
            a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
        };
        let keyed = |kinds: &[ConstraintKind]| {
            table
                .constraints
                .iter()
                .any(|c| kinds.contains(&c.kind) && same_set(&c.keys, &want.keys))
        };
        match want.kind {
            ConstraintKind::NotNull => want
                .keys
                .iter()
                .all(|k| table.column(k).is_none_or(|c| c.not_null)),
            ConstraintKind::PrimaryKey => keyed(&[ConstraintKind::PrimaryKey]),
            ConstraintKind::Unique => {
                keyed(&[ConstraintKind::PrimaryKey, ConstraintKind::Unique])
                    || self.indexes_of(&table.name.key()).iter().any(|k| {
                        self.indexes.get(k).is_some_and(|i| {
                            i.unique
                                && i.keys
                                    .as_deref()
                                    .is_some_and(|keys| same_set(keys, &want.keys))
                        })
                    })
            }
            ConstraintKind::Check => table.constraints.iter().any(|c| {
                c.kind == ConstraintKind::Check
                    && match &c.expr {
                        Some(e) => want.expr.as_ref() == Some(e),
                        // Renamed since: the same columns, at least.
                        None => same_set(&c.columns, &want.columns),
                    }
            }),
            ConstraintKind::ForeignKey => table.constraints.iter().any(|c| {
                c.kind == ConstraintKind::ForeignKey
                    && c.keys == want.keys
                    && match (&c.references, &want.references) {
                        (Some(a), Some(b)) => {
                            same_name(&a.table, &b.table)
                                && a.actions == b.actions
                                && (a.columns.is_empty()
                                    || b.columns.is_empty()
                                    || a.columns == b.columns)
                        }
                        _ => true,
                    }
            }),
            ConstraintKind::Exclude | ConstraintKind::Other => true,
        }
    }
}

/// The name PostgreSQL gives an unnamed `CHECK` of domain `domain`:
/// `{domain}_check`, then `{domain}_check1`... past the names taken.
fn check_name(domain: &str, taken: &[String]) -> String {
    let base = format!("{domain}_check");
    (0..)
        .map(|i| {
            if i == 0 {
                base.clone()
            } else {
                format!("{base}{i}")
            }
        })
        .find(|n| !taken.contains(n))
        .unwrap_or(base)
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

/// Records what `current` holds under `key` before its first change since
/// recording began (`None`: nothing), for the rollback to put back.
fn save_once<V: Clone>(saved: &mut HashMap<Key, Option<V>>, current: &HashMap<Key, V>, key: &Key) {
    if !saved.contains_key(key) {
        saved.insert(key.clone(), current.get(key).cloned());
    }
}

/// The keys of `map` in `schema`, in order (what is removed first does not
/// depend on hashing).
fn keys_in<V>(map: &HashMap<Key, V>, schema: &str) -> Vec<Key> {
    let mut keys: Vec<Key> = map.keys().filter(|k| k.0 == schema).cloned().collect();
    keys.sort();
    keys
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

    /// `ADD CONSTRAINT c PRIMARY KEY USING INDEX i` renames `i` to `c`
    /// and sets its columns NOT NULL (checked on PostgreSQL 15:
    /// `attnotnull` is true, and a later `SET NOT NULL` scans nothing).
    #[test]
    fn primary_key_using_a_renamed_index_sets_its_columns_not_null() {
        let mut s = Schema::default();
        replay(
            &mut s,
            "CREATE TABLE t (id int, a int); CREATE UNIQUE INDEX t_id_key ON t (id); \
             CREATE UNIQUE INDEX t_a_key ON t (a);",
            0,
        );
        replay(
            &mut s,
            "ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_key; \
             ALTER TABLE t ADD CONSTRAINT t_a_uq UNIQUE USING INDEX t_a_key;",
            1,
        );
        let t = s.table(&QualName::new(None, "t")).unwrap();
        assert!(t.column("id").unwrap().not_null);
        assert!(!t.column("a").unwrap().not_null, "UNIQUE allows NULLs");
        assert!(s.index(&QualName::new(None, "t_pkey")).is_some());
        assert!(s.index(&QualName::new(None, "t_id_key")).is_none());
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
    fn like_copies_what_its_options_say() {
        let mut s = Schema::default();
        replay(
            &mut s,
            "CREATE TABLE src (id int PRIMARY KEY, email text NOT NULL UNIQUE, n int DEFAULT 5 CHECK (n > 0), \
             r int REFERENCES src (id)); \
             CREATE TABLE l0 (LIKE src, extra int); CREATE TABLE l1 (LIKE src INCLUDING DEFAULTS); \
             CREATE TABLE l2 (LIKE src INCLUDING ALL); CREATE TABLE l3 (LIKE unknown);",
            0,
        );
        let table = |n: &str| s.table(&QualName::new(None, n)).unwrap();
        let l0 = table("l0");
        assert!(l0.columns_known);
        assert!(l0.column("id").unwrap().not_null && l0.column("email").unwrap().not_null);
        assert!(l0.column("extra").is_some());
        assert!(l0.column("n").unwrap().default.is_none());
        assert!(l0.constraints.is_empty());
        assert!(table("l1").column("n").unwrap().default.is_some());
        assert!(table("l1").constraints.is_empty());
        let names: Vec<String> = table("l2")
            .constraints
            .iter()
            .map(|c| c.name.clone().unwrap_or_default())
            .collect();
        // As PostgreSQL 15 names them; the foreign key is not copied.
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.contains(&"l2_pkey".to_string()), "{names:?}");
        assert!(names.contains(&"l2_email_key".to_string()), "{names:?}");
        assert!(!table("l3").columns_known);
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

    #[test]
    fn unnamed_indexes_are_named_as_postgres_names_them() {
        // Names checked on PostgreSQL 15.
        let long_t = "this_is_a_rather_long_table_name_for_testing_truncation_xx";
        let long_c = "this_is_a_rather_long_column_name_for_testing_the_rule";
        let mut s = Schema::default();
        replay(
            &mut s,
            &format!(
                "CREATE TABLE t (id int PRIMARY KEY, a int, b int, email text);\n\
                 CREATE INDEX ON t (a);\nCREATE INDEX ON t (a, b);\n\
                 CREATE INDEX ON t (lower(email));\nCREATE INDEX ON t ((a + b));\n\
                 CREATE INDEX ON t (a) WHERE b > 0;\nCREATE INDEX ON t ((a::text));\n\
                 CREATE INDEX ON t (a, a);\nCREATE INDEX ON t (lower(email), upper(email), a);\n\
                 CREATE TABLE {long_t} ({long_c} int);\n\
                 CREATE INDEX ON {long_t} ({long_c});\nCREATE INDEX ON {long_t} ({long_c});\n\
                 CREATE TABLE u (a int);\nCREATE TABLE u_a_idx (x int);\nCREATE INDEX ON u (a);"
            ),
            0,
        );
        for name in [
            "t_a_idx",
            "t_a_b_idx",
            "t_lower_idx",
            "t_expr_idx",
            "t_a_idx1",
            "t_a_idx2",
            "t_a_a1_idx",
            "t_lower_upper_a_idx",
            "this_is_a_rather_long_table_n_this_is_a_rather_long_column__idx",
            "this_is_a_rather_long_table_n_this_is_a_rather_long_column_idx1",
            "u_a_idx1",
        ] {
            let index = s.index(&QualName::new(None, name));
            assert!(index.is_some(), "{name}");
        }
        assert_eq!(
            s.index(&QualName::new(None, "t_a_idx1")).unwrap().columns,
            ["a", "b"]
        );
        // Its column dropped, the index goes with it.
        replay(&mut s, "ALTER TABLE t DROP COLUMN email;", 0);
        assert!(s.index(&QualName::new(None, "t_lower_idx")).is_none());
    }

    #[test]
    fn indexes_follow_and_go_with_their_columns() {
        let mut s = Schema::default();
        replay(
            &mut s,
            "CREATE TABLE a (x int, z int); CREATE INDEX i ON a (z) WHERE x > 0; \
             CREATE INDEX j ON a (z); ALTER TABLE a RENAME COLUMN x TO y;",
            0,
        );
        let i = QualName::new(None, "i");
        assert!(s.index(&i).unwrap().columns.contains(&"y".to_string()));
        replay(&mut s, "ALTER TABLE a DROP COLUMN y;", 1);
        assert!(s.index(&i).is_none(), "the predicate read y");
        assert!(s.index(&QualName::new(None, "j")).is_some());
        // Key columns are NOT NULL, however the key is written.
        replay(
            &mut s,
            "CREATE TABLE m (a int, b int, PRIMARY KEY (a, b)); CREATE TABLE n (id int); \
             ALTER TABLE n ADD PRIMARY KEY (id);",
            2,
        );
        let m = s.table(&QualName::new(None, "m")).unwrap();
        assert!(m.column("a").unwrap().not_null && m.column("b").unwrap().not_null);
        let n = s.table(&QualName::new(None, "n")).unwrap();
        assert!(n.column("id").unwrap().not_null);
    }
}
