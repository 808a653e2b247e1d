//! The vocabulary of the schema model: the kinds of named object, an
//! object's identity (`Obj`, `ObjKey`), what dropping one takes with it,
//! and the shapes the model keeps of columns and constraints.
//!
//! Names are matched the way Postgres resolves them with the default
//! `search_path`: an unqualified name is `public.name` (`QualName::key`);
//! an index lives in its table's schema; columns, constraints and triggers
//! belong to their table.

use pg_query::protobuf::ObjectType;

use super::names::{display_type, quote_ident, QualName, SqlType};

/// The kinds of object the pairing rules follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Schema,
    Extension,
    Type,
    Domain,
    Sequence,
    Table,
    View,
    MatView,
    Function,
    Index,
    Column,
    Constraint,
    Trigger,
    /// An operator class (`gin_trgm_ops`): an index's dependency.
    OpClass,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Schema => "schema",
            Kind::Extension => "extension",
            Kind::Type => "type",
            Kind::Domain => "domain",
            Kind::Sequence => "sequence",
            Kind::Table => "table",
            Kind::View => "view",
            Kind::MatView => "materialized view",
            Kind::Function => "function",
            Kind::Index => "index",
            Kind::Column => "column",
            Kind::Constraint => "constraint",
            Kind::Trigger => "trigger",
            Kind::OpClass => "operator class",
        }
    }

    /// Kinds one `DROP` reaches interchangeably (a domain is a type).
    pub fn family(self) -> Kind {
        match self {
            Kind::Domain => Kind::Type,
            k => k,
        }
    }

    /// Columns, constraints and triggers are named within their table.
    pub fn on_table(self) -> bool {
        matches!(self, Kind::Column | Kind::Constraint | Kind::Trigger)
    }

    /// Kinds that own columns, constraints, indexes and triggers.
    pub fn is_relation(self) -> bool {
        matches!(self, Kind::Table | Kind::View | Kind::MatView)
    }

    pub fn from_object_type(t: i32) -> Option<Kind> {
        let t = ObjectType::try_from(t).ok()?;
        Some(match t {
            ObjectType::ObjectTable | ObjectType::ObjectForeignTable => Kind::Table,
            ObjectType::ObjectView => Kind::View,
            ObjectType::ObjectMatview => Kind::MatView,
            ObjectType::ObjectSequence => Kind::Sequence,
            ObjectType::ObjectIndex => Kind::Index,
            ObjectType::ObjectType => Kind::Type,
            ObjectType::ObjectDomain => Kind::Domain,
            ObjectType::ObjectExtension => Kind::Extension,
            ObjectType::ObjectSchema => Kind::Schema,
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine => Kind::Function,
            ObjectType::ObjectTrigger => Kind::Trigger,
            ObjectType::ObjectColumn => Kind::Column,
            ObjectType::ObjectTabconstraint => Kind::Constraint,
            _ => return None,
        })
    }
}

/// A named object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obj {
    pub kind: Kind,
    /// Its name; for columns, constraints and triggers the bare name (no
    /// schema), their table is `table`.
    pub name: QualName,
    /// The table of an index, column, constraint or trigger (an index
    /// dropped by name does not say it: `None`); of a view that reads one
    /// table only, that table (its `columns` are those the view reads); of
    /// a partition, its parent (it goes with it).
    pub table: Option<QualName>,
    /// Columns of `table` an index or constraint is built on: dropping one
    /// of them drops the index or constraint too.
    pub columns: Vec<String>,
    /// What it depends on (what a `DROP` without `CASCADE` of those is
    /// refused for), each by kind and name (`dep_key`): the relations a view
    /// reads, the table a foreign key references, the function a trigger
    /// runs; a column's type and the functions and sequences of its default.
    pub depends_on: Vec<Obj>,
    /// A primary key, a unique constraint, or a unique index without
    /// expressions or predicate: a foreign key can reference its `columns`.
    pub referable: Option<Referable>,
    /// A function's argument types (input ones, as `arg_type` writes
    /// them), when known: overloads are distinct objects, and a `DROP
    /// FUNCTION f` without them names any of them (`same_key`).
    pub args: Option<Vec<String>>,
}

/// What a foreign key can reference (`Obj::referable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Referable {
    /// What `REFERENCES t` without columns references.
    PrimaryKey,
    Unique,
}

/// The identity of an object: kind family, `(schema, name)`, and for
/// objects within a table the table's `(schema, name)`.
pub type ObjKey = (Kind, (String, String), Option<(String, String)>);

impl Obj {
    pub fn new(kind: Kind, name: QualName) -> Obj {
        Obj {
            kind,
            name,
            table: None,
            columns: Vec::new(),
            depends_on: Vec::new(),
            referable: None,
            args: None,
        }
    }

    /// A column, constraint or trigger of `table`.
    pub fn on(kind: Kind, table: &QualName, name: &str) -> Obj {
        Obj {
            table: Some(table.clone()),
            ..Obj::new(kind, QualName::new(None, name))
        }
    }

    /// Unnamed constraints have an empty name (PostgreSQL generates one
    /// the migrations cannot know).
    pub fn is_named(&self) -> bool {
        !self.name.name.is_empty()
    }

    /// `self.key() == other.key()`, without building the keys; a function
    /// named without its arguments is any function of its name.
    pub fn same_key(&self, other: &Obj) -> bool {
        if self.kind.family() != other.kind.family() {
            return false;
        }
        match self.kind {
            Kind::Schema | Kind::Extension => self.name.name == other.name.name,
            Kind::Function => {
                same_name(&self.name, &other.name)
                    && match (&self.args, &other.args) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            }
            k if k.on_table() => {
                self.name.name == other.name.name && same_table(&self.table, &other.table)
            }
            _ => same_name(&self.name, &other.name),
        }
    }

    pub fn key(&self) -> ObjKey {
        let name = match self.kind {
            Kind::Schema | Kind::Extension => (String::new(), self.name.name.clone()),
            k if k.on_table() => (String::new(), self.name.name.clone()),
            _ => self.name.key(),
        };
        let within = if self.kind.on_table() {
            self.table.as_ref().map(QualName::key)
        } else {
            // A function's arguments tell its overloads apart.
            self.args.as_ref().map(|a| ("()".to_string(), a.join(",")))
        };
        (self.kind.family(), name, within)
    }

    /// The schema the object lives in (`None` for extensions).
    pub fn schema(&self) -> Option<String> {
        match self.kind {
            Kind::Extension => None,
            Kind::Schema => Some(self.name.name.clone()),
            k if k.on_table() => self.table.as_ref().map(|t| t.key().0),
            _ => Some(self.name.key().0),
        }
    }

    /// `table users`, `column users.email`, `constraint users_email_key on users`,
    /// `function f(integer, text)` (when its arguments are known).
    pub fn describe(&self) -> String {
        match (&self.table, self.kind) {
            (_, Kind::Function) if self.args.is_some() => {
                format!("function {}", self.signature())
            }
            (Some(t), Kind::Column) => format!("column {t}.{}", self.name),
            (Some(t), k) if k.on_table() => format!("{} {} on {t}", k.label(), self.name),
            _ => format!("{} {}", self.kind.label(), self.name),
        }
    }

    /// Follows a rename: the object itself, or the table it belongs to, or
    /// a column it is built on.
    pub fn follow_rename(&mut self, from: &Obj, to: &Obj) {
        if self.same_key(from) {
            self.name = to.name.clone();
            if to.table.is_some() {
                self.table = to.table.clone();
            }
            return;
        }
        if from.kind.is_relation() {
            let from_key = from.name.key();
            if let Some(t) = &mut self.table {
                if t.key() == from_key {
                    *t = to.name.clone();
                }
            }
        }
        for d in &mut self.depends_on {
            // A dependency on a relation does not say which kind it is.
            if d.kind.is_relation() && from.kind.is_relation() {
                if same_name(&d.name, &from.name) {
                    d.name = to.name.clone();
                }
            } else {
                d.follow_rename(from, to);
            }
        }
        if from.kind == Kind::Column && self.table_key() == from.table_key() {
            for c in &mut self.columns {
                if *c == from.name.name {
                    *c = to.name.name.clone();
                }
            }
        }
    }

    pub fn table_key(&self) -> Option<(String, String)> {
        self.table.as_ref().map(QualName::key)
    }

    /// A function's name and argument types as written in SQL (`f(integer,
    /// text[])`); its name alone when they are not known.
    pub fn signature(&self) -> String {
        let Some(args) = &self.args else {
            return self.name.to_string();
        };
        let args: Vec<String> = args
            .iter()
            .map(|a| match a.strip_suffix("[]") {
                Some(base) => format!("{}[]", display_type(base)),
                None => display_type(a).to_string(),
            })
            .collect();
        format!("{}({})", self.name, args.join(", "))
    }

    /// The statement that drops it, re-runnable: `DROP TABLE IF EXISTS users;`.
    pub fn drop_sql(&self) -> String {
        let table = self
            .table
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        match self.kind {
            Kind::Column => format!("ALTER TABLE {table} DROP COLUMN IF EXISTS {};", self.name),
            Kind::Constraint => {
                format!(
                    "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {};",
                    self.name
                )
            }
            Kind::Trigger => format!("DROP TRIGGER IF EXISTS {} ON {table};", self.name),
            Kind::Function => format!("DROP FUNCTION IF EXISTS {};", self.signature()),
            k => format!("DROP {} IF EXISTS {};", k.label().to_uppercase(), self.name),
        }
    }

    /// The statement that renames it to `to`'s name.
    pub fn rename_sql(&self, to: &Obj) -> String {
        let table = self
            .table
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        let new = quote_ident(&to.name.name);
        match self.kind {
            Kind::Column => format!("ALTER TABLE {table} RENAME COLUMN {} TO {new};", self.name),
            Kind::Constraint => {
                format!(
                    "ALTER TABLE {table} RENAME CONSTRAINT {} TO {new};",
                    self.name
                )
            }
            Kind::Trigger => format!("ALTER TRIGGER {} ON {table} RENAME TO {new};", self.name),
            k if self.name.schema != to.name.schema && self.name.name == to.name.name => format!(
                "ALTER {} {} SET SCHEMA {};",
                k.label().to_uppercase(),
                self.name,
                quote_ident(to.name.schema.as_deref().unwrap_or("public"))
            ),
            k => format!(
                "ALTER {} {} RENAME TO {new};",
                k.label().to_uppercase(),
                self.name
            ),
        }
    }
}

/// What one statement does to one object.
/// Two names are one object name (`QualName::key` equal).
pub fn same_name(a: &QualName, b: &QualName) -> bool {
    a.name == b.name
        && a.schema.as_deref().unwrap_or("public") == b.schema.as_deref().unwrap_or("public")
}

/// Two optional tables are the same (both none, or the same name).
pub fn same_table(a: &Option<QualName>, b: &Option<QualName>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_name(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// An index and the constraint it backs (primary key, unique, exclusion):
/// one name, one object to PostgreSQL. Tables are compared when both are
/// known (an index renamed by name does not say its table).
pub fn twins(a: &Obj, b: &Obj) -> bool {
    matches!(
        (a.kind, b.kind),
        (Kind::Index, Kind::Constraint) | (Kind::Constraint, Kind::Index)
    ) && a.name.name == b.name.name
        && match (&a.table, &b.table) {
            (Some(x), Some(y)) => same_name(x, y),
            _ => true,
        }
}

/// Does dropping `dropped` (with or without CASCADE) make `obj` go away?
pub fn drop_covers(dropped: &Obj, cascade: bool, obj: &Obj) -> bool {
    if dropped.same_key(obj) {
        return true;
    }
    match dropped.kind {
        k if k.is_relation() => {
            // A partition (`Obj::table`: its parent) goes with its parent.
            let child = (obj.kind.on_table()
                || matches!(obj.kind, Kind::Index | Kind::Sequence | Kind::Table))
                && obj
                    .table
                    .as_ref()
                    .is_some_and(|t| same_name(t, &dropped.name));
            child || (cascade && obj.depends_on.iter().any(|d| is_dep(d, dropped)))
        }
        Kind::Column => {
            let on_it =
                same_table(&obj.table, &dropped.table) && obj.columns.contains(&dropped.name.name);
            let built_on =
                matches!(obj.kind, Kind::Index | Kind::Constraint | Kind::Sequence) && on_it;
            // What reads the column and refuses its drop (a view, a
            // generated column, a trigger) goes with CASCADE.
            let view = matches!(obj.kind, Kind::View | Kind::MatView)
                && obj.depends_on.iter().any(|d| is_dep(d, dropped));
            built_on || (cascade && (on_it || view || references(obj, dropped)))
        }
        // A key's index goes with it (`ADD ... USING INDEX`: one name);
        // with CASCADE, the foreign keys that use it.
        Kind::Constraint => twins(dropped, obj) || (cascade && references(obj, dropped)),
        Kind::Schema => cascade && obj.schema().as_deref() == Some(dropped.name.name.as_str()),
        // With CASCADE, what depends on a function, type or sequence goes,
        // unless only a part of it does (`survives_cascade`).
        Kind::Function | Kind::Type | Kind::Domain | Kind::Sequence => {
            cascade
                && !survives_cascade(obj.kind, dropped.kind)
                && obj.depends_on.iter().any(|d| is_dep(d, dropped))
        }
        _ => false,
    }
}

/// Does an object of kind `dependent` stay when what it depends on, of
/// kind `dropped`, is dropped with CASCADE (only the part of it that used
/// it goes)? A column's default (a generated column is not told apart: it
/// is kept), a domain's check or default, a composite type's attribute.
fn survives_cascade(dependent: Kind, dropped: Kind) -> bool {
    matches!(
        (dependent, dropped.family()),
        (Kind::Column, Kind::Function | Kind::Sequence)
            | (Kind::Domain, Kind::Function)
            | (Kind::Type, Kind::Type)
    )
}

/// `obj` is a foreign key to the table of `dropped` (a column or constraint).
fn references(obj: &Obj, dropped: &Obj) -> bool {
    obj.kind == Kind::Constraint
        && dropped.table.as_ref().is_some_and(|t| {
            obj.depends_on
                .iter()
                .any(|d| d.kind.is_relation() && same_name(&d.name, t))
        })
}

/// The key a dependency is found by: the object's own key, except that a
/// dependency on a relation (a view's, a foreign key's) does not say which
/// kind of relation it is.
pub fn dep_key(o: &Obj) -> ObjKey {
    let mut key = o.key();
    if o.kind.is_relation() {
        key.0 = Kind::Table;
    }
    // Which overload a call uses is not known: a dependency names them all.
    if o.kind == Kind::Function {
        key.2 = None;
    }
    key
}

/// Is `obj` what the dependency `dep` names?
pub fn is_dep(dep: &Obj, obj: &Obj) -> bool {
    dep_key(dep) == dep_key(obj)
}

/// The name PostgreSQL gives an unnamed primary key (`t_pkey`), unique
/// constraint (`t_a_b_key`), foreign key (`t_a_fkey`) or check (`t_a_check`,
/// `t_check`) of `table` on `columns` (when the name is free: a second one
/// takes a number, not followed); none for other kinds, or longer than 63
/// bytes (PostgreSQL shortens it its own way: a down could not name it).
pub fn generated_constraint_name(
    table: &QualName,
    kind: ConstraintKind,
    columns: &[String],
) -> Option<String> {
    let name = match kind {
        ConstraintKind::PrimaryKey => format!("{}_pkey", table.name),
        ConstraintKind::Unique => format!("{}_{}_key", table.name, columns.join("_")),
        ConstraintKind::ForeignKey => format!("{}_{}_fkey", table.name, columns.join("_")),
        // A check names the one column it reads, if it reads one.
        ConstraintKind::Check => {
            let mut read: Vec<&String> = columns.iter().collect();
            read.sort_unstable();
            read.dedup();
            match read.as_slice() {
                [column] => format!("{}_{column}_check", table.name),
                _ => format!("{}_check", table.name),
            }
        }
        _ => return None,
    };
    (name.len() <= 63).then_some(name)
}

/// PostgreSQL's longest name, in bytes (`NAMEDATALEN - 1`).
const MAX_NAME: usize = 63;

/// At most `len` bytes of `s`, cut at a character boundary (`pg_mbcliplen`).
fn clip(s: &str, len: usize) -> &str {
    let mut len = len.min(s.len());
    while !s.is_char_boundary(len) {
        len -= 1;
    }
    &s[..len]
}

/// `name1[_name2][_label]` within 63 bytes, the longer of the two names
/// shortened first (`makeObjectName` in PostgreSQL's `indexcmds.c`).
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = usize::from(name2.is_some()) + label.len() + 1;
    let avail = MAX_NAME.saturating_sub(overhead);
    let (mut n1, mut n2) = (name1.len(), name2.map_or(0, str::len));
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut name = clip(name1, n1).to_string();
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip(name2, n2));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// The name PostgreSQL gives an unnamed index: `make_object_name` of its
/// table, its columns' names and `idx`, the label numbered (`idx1`,
/// `idx2`...) past names `taken` (`ChooseRelationName`).
pub fn choose_index_name(table: &str, columns: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut label = "idx".to_string();
    for pass in 1.. {
        let name = make_object_name(table, Some(columns), &label);
        if !taken(&name) {
            return name;
        }
        label = format!("idx{pass}");
    }
    unreachable!("some label is free")
}

/// The names an index's columns get (`ChooseIndexColumnNames`): a column's
/// own, a function's name for a call, `expr` for another expression; a
/// repeated one numbered (`a`, `a1`). Joined by `_` into what an unnamed
/// index's name is built from, stopping once 64 bytes are reached
/// (`ChooseIndexNameAddition`).
pub fn index_name_addition(columns: &[String]) -> String {
    let mut names: Vec<String> = Vec::new();
    for c in columns {
        let mut name = c.clone();
        let mut i = 1;
        while names.contains(&name) {
            let n = i.to_string();
            name = format!("{}{n}", clip(c, MAX_NAME - n.len()));
            i += 1;
        }
        names.push(name);
    }
    let mut out = String::new();
    for n in names {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(clip(&n, MAX_NAME));
        if out.len() > MAX_NAME {
            break;
        }
    }
    out
}

/// A column as the model knows it.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    /// Its default (`effects::canonical_default`): `None` without one (or
    /// `DEFAULT NULL`); a serial or identity column's is `nextval`.
    pub default: Option<Box<str>>,
    /// The name it had before its latest rename.
    pub renamed_from: Option<String>,
    /// Its place among its table's columns (`attnum`: an added column
    /// comes last; a rename keeps it), set by the schema model.
    pub position: usize,
}

impl Column {
    /// Its default gives every row a value, not NULL: a constant, a
    /// sequence's `nextval`, `now()` and its kin. Another function might
    /// return NULL.
    pub fn default_non_null(&self) -> bool {
        self.default.as_deref().is_some_and(|d| {
            d == super::effects::NEXTVAL
                || d.starts_with(r#"{"Const":"#)
                || d.starts_with(r#"{"SqlvalueFunction":"#)
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    Check,
    ForeignKey,
    Unique,
    PrimaryKey,
    Exclude,
    /// `NOT NULL` written as a constraint.
    NotNull,
    /// Anything else (`DEFAULT`, `GENERATED`... written as constraints).
    Other,
}

#[derive(Clone, Debug)]
pub struct ConstraintInfo {
    pub name: Option<String>,
    pub kind: ConstraintKind,
    pub validated: bool,
    /// The columns a `CHECK` proves NOT NULL: `col IS NOT NULL`, alone or
    /// as a term of an AND (`a IS NOT NULL AND b IS NOT NULL AND b <> ''`).
    pub not_null_check_of: Vec<String>,
    /// The columns a `NOT NULL` constraint (or a key) lists.
    pub keys: Vec<String>,
    /// Every column it is built on (keys, expression, foreign-key columns):
    /// dropping one drops the constraint.
    pub columns: Vec<String>,
    /// `PRIMARY KEY USING INDEX i` / `UNIQUE USING INDEX i`: the index.
    pub index: Option<String>,
    /// A `CHECK`'s expression (`effects::canonical_expr`), an `EXCLUDE`'s
    /// definition (`effects::exclusion`), its columns renamed with them
    /// (`None`: unknown).
    pub expr: Option<Box<str>>,
    /// `UNIQUE NULLS NOT DISTINCT` (PostgreSQL 15).
    pub nulls_not_distinct: bool,
    /// A foreign key's target.
    pub references: Option<Reference>,
}

impl ConstraintInfo {
    /// What a `UNIQUE` or `PRIMARY KEY` constraint guarantees (a primary
    /// key holds no NULL: none to tell apart), or an `EXCLUDE` whose
    /// operators are all `=` (`effects::exclusion_key`).
    pub fn unique_key(&self) -> Option<UniqueKey> {
        let nulls_not_distinct = match self.kind {
            ConstraintKind::PrimaryKey => true,
            ConstraintKind::Unique => self.nulls_not_distinct,
            ConstraintKind::Exclude => return super::effects::exclusion_key(self.expr.as_deref()?),
            _ => return None,
        };
        Some(UniqueKey {
            nulls_not_distinct,
            ..UniqueKey::of_columns(&self.keys)
        })
    }
}

/// What a unique index or key guarantees, to tell whether one uniqueness
/// implies another: each key with the columns it reads (a plain column, or
/// an expression with its `canonical_expr` text) and the predicate of a
/// partial index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UniqueKey {
    pub keys: Vec<KeyPart>,
    /// A partial index's predicate (`canonical_expr`); `None`: every row.
    pub predicate: Option<Box<str>>,
    /// `NULLS NOT DISTINCT` (PostgreSQL 15): two rows with NULL keys
    /// collide too.
    pub nulls_not_distinct: bool,
}

/// One key of a `UniqueKey`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPart {
    /// The columns it reads (one for a plain column).
    pub columns: Vec<String>,
    /// An expression's `canonical_expr` text (`None` for a plain column).
    pub expr: Option<Box<str>>,
}

impl UniqueKey {
    /// A key on plain columns (`UNIQUE (a, b)`, `PRIMARY KEY (a)`).
    pub fn of_columns(columns: &[String]) -> UniqueKey {
        UniqueKey {
            keys: columns
                .iter()
                .map(|c| KeyPart {
                    columns: vec![c.clone()],
                    expr: None,
                })
                .collect(),
            ..UniqueKey::default()
        }
    }

    /// Whether rows that agree on every key of `other` (among the rows
    /// `other` covers) agree on every key of `self`, so that no two of them
    /// can exist while `self` is unique: `self` implies `other`. Each key of
    /// `self` must be a key of `other` or read only plain key columns of
    /// `other` (`UNIQUE (lower(email))` implies `UNIQUE (email)`), and a
    /// partial `self` must cover the same rows.
    pub fn implies(&self, other: &UniqueKey) -> bool {
        let same_rows = match (&self.predicate, &other.predicate) {
            (None, _) => true,
            (Some(a), Some(b)) => a == b,
            (Some(_), None) => false,
        };
        let plain: Vec<&String> = other
            .keys
            .iter()
            .filter(|k| k.expr.is_none() && k.columns.len() == 1)
            .map(|k| &k.columns[0])
            .collect();
        // Rows whose keys are NULL: `self` keeps them apart when `other`
        // does not (`NULLS NOT DISTINCT`), unless it has none.
        let nulls = self.nulls_not_distinct || !other.nulls_not_distinct;
        same_rows
            && nulls
            && self.keys.iter().all(|k| {
                k.expr.is_some() && other.keys.iter().any(|o| o.expr == k.expr)
                    || k.columns.iter().all(|c| plain.contains(&c))
            })
    }

    /// The key with its texts as PostgreSQL stores them on a table whose
    /// column types `column_type` gives (`effects::typed_text`): a key
    /// that is a bare column is that column.
    pub fn typed(&self, column_type: &dyn Fn(&str) -> Option<super::names::SqlType>) -> UniqueKey {
        use super::effects::{bare_column, typed_text};
        let typed = |t: &str| typed_text(t, column_type).unwrap_or_else(|| t.to_string());
        UniqueKey {
            keys: self
                .keys
                .iter()
                .map(|k| match k.expr.as_deref().map(typed) {
                    Some(t) => match bare_column(&t) {
                        Some(c) => KeyPart {
                            columns: vec![c],
                            expr: None,
                        },
                        None => KeyPart {
                            columns: k.columns.clone(),
                            expr: Some(t.into_boxed_str()),
                        },
                    },
                    None => k.clone(),
                })
                .collect(),
            predicate: self.predicate.as_deref().map(|p| typed(p).into_boxed_str()),
            nulls_not_distinct: self.nulls_not_distinct,
        }
    }

    /// Follows a column rename, in the columns and in the texts of the
    /// expressions and the predicate.
    pub fn rename_column(&mut self, old: &str, new: &str) {
        let rename = |text: &mut Option<Box<str>>| {
            if let Some(t) = text.as_deref() {
                *text = super::effects::rename_in_expr(t, old, new).map(String::into_boxed_str);
            }
        };
        for k in &mut self.keys {
            if k.columns.iter().any(|c| c == old) {
                rename(&mut k.expr);
                for c in k.columns.iter_mut().filter(|c| *c == old) {
                    new.clone_into(c);
                }
            }
        }
        rename(&mut self.predicate);
    }
}

/// What a foreign key points at, and what it does on changes there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub table: QualName,
    /// The target columns; empty: the target's primary key.
    pub columns: Vec<String>,
    /// `ON UPDATE`, `ON DELETE` and `MATCH` (pg_query's letters; `a`
    /// (NO ACTION) and `s` (SIMPLE) when not written).
    pub actions: String,
}

/// The key of a name in sets of names (`History::named_tables`):
/// `schema\0name`, the schema `public` when none is given.
pub fn name_key(schema: Option<&str>, name: &str) -> String {
    let mut key = String::with_capacity(name.len() + 8);
    push_name_key(&mut key, schema, name);
    key
}

/// Appends `name_key(schema, name)` to `key`.
pub fn push_name_key(key: &mut String, schema: Option<&str>, name: &str) {
    key.push_str(schema.filter(|s| !s.is_empty()).unwrap_or("public"));
    key.push('\0');
    key.push_str(name);
}
