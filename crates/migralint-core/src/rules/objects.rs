//! What a statement does to named schema objects (creates, drops, renames),
//! for the rules that compare an up file with its down file and with the
//! migration history (`empty-down`, `down-not-reversing-up`,
//! `down-drops-unknown-object`). Also the migration files of a set grouped
//! by directory, and small span and naming helpers those rules share.
//!
//! Names are matched the way Postgres resolves them with the default
//! `search_path`: an unqualified name is `public.name` (`QualName::key`);
//! an index lives in its table's schema; columns, constraints and triggers
//! belong to their table.

use rustc_hash::FxHashSet as HashSet;

use pg_query::protobuf::{
    AlterTableType, ColumnDef, ConstrType, Constraint, DropBehavior, Node, ObjectType, Token,
};
use pg_query::NodeEnum;

use crate::context::{SetFile, StmtCx};
use crate::migration::{Direction, MigrationName};
use crate::model::names::{quote_ident, string_list};
use crate::model::QualName;
use crate::parse::ParsedFile;
use crate::source::Span;

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
        }
    }

    /// Kinds one `DROP` reaches interchangeably (a domain is a type).
    fn family(self) -> Kind {
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

    fn from_object_type(t: i32) -> Option<Kind> {
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
    /// dropped by name does not say it: `None`).
    pub table: Option<QualName>,
    /// Columns of `table` an index or constraint is built on: dropping one
    /// of them drops the index or constraint too.
    pub columns: Vec<String>,
    /// What a `DROP ... CASCADE` takes it with: the relations a view reads,
    /// the function a trigger runs.
    pub depends_on: Vec<QualName>,
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
        }
    }

    /// A column, constraint or trigger of `table`.
    pub fn on(kind: Kind, table: &QualName, name: &str) -> Obj {
        Obj {
            table: Some(table.clone()),
            ..Obj::new(kind, QualName::new(None, name))
        }
    }

    /// `self.key() == other.key()`, without building the keys.
    pub fn same_key(&self, other: &Obj) -> bool {
        if self.kind.family() != other.kind.family() {
            return false;
        }
        match self.kind {
            Kind::Schema | Kind::Extension => self.name.name == other.name.name,
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
        let table = if self.kind.on_table() {
            self.table.as_ref().map(QualName::key)
        } else {
            None
        };
        (self.kind.family(), name, table)
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

    /// `table users`, `column users.email`, `constraint users_email_key on users`.
    pub fn describe(&self) -> String {
        match (&self.table, self.kind) {
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
            for d in &mut self.depends_on {
                if d.key() == from_key {
                    *d = to.name.clone();
                }
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

    fn table_key(&self) -> Option<(String, String)> {
        self.table.as_ref().map(QualName::key)
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
#[derive(Clone, Debug)]
pub enum Effect {
    Create {
        obj: Obj,
        /// A table whose columns are not all listed (`AS SELECT`, `LIKE`,
        /// `INHERITS`, `PARTITION OF`, `OF type`).
        open: bool,
    },
    Drop {
        obj: Obj,
        cascade: bool,
        if_exists: bool,
    },
    Rename {
        from: Obj,
        to: Obj,
    },
    /// `ALTER SEQUENCE s OWNED BY t.c`: the sequence now goes with `t.c`.
    OwnedBy {
        seq: Obj,
        table: QualName,
        column: String,
    },
}

/// Two names are one object name (`QualName::key` equal).
fn same_name(a: &QualName, b: &QualName) -> bool {
    a.name == b.name
        && a.schema.as_deref().unwrap_or("public") == b.schema.as_deref().unwrap_or("public")
}

/// Two optional tables are the same (both none, or the same name).
fn same_table(a: &Option<QualName>, b: &Option<QualName>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_name(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Does dropping `dropped` (with or without CASCADE) make `obj` go away?
pub fn drop_covers(dropped: &Obj, cascade: bool, obj: &Obj) -> bool {
    if dropped.same_key(obj) {
        return true;
    }
    match dropped.kind {
        k if k.is_relation() => {
            let child = (obj.kind.on_table() || matches!(obj.kind, Kind::Index | Kind::Sequence))
                && obj
                    .table
                    .as_ref()
                    .is_some_and(|t| same_name(t, &dropped.name));
            child || (cascade && obj.depends_on.iter().any(|d| same_name(d, &dropped.name)))
        }
        Kind::Column => {
            let built_on = matches!(obj.kind, Kind::Index | Kind::Constraint | Kind::Sequence)
                && same_table(&obj.table, &dropped.table)
                && obj.columns.contains(&dropped.name.name);
            built_on || (cascade && references(obj, dropped))
        }
        // Dropping a key with CASCADE drops the foreign keys that use it.
        Kind::Constraint => cascade && references(obj, dropped),
        Kind::Schema => cascade && obj.schema().as_deref() == Some(dropped.name.name.as_str()),
        Kind::Function => {
            cascade
                && obj.kind == Kind::Trigger
                && obj.depends_on.iter().any(|d| same_name(d, &dropped.name))
        }
        _ => false,
    }
}

/// `obj` is a foreign key to the table of `dropped` (a column or constraint).
fn references(obj: &Obj, dropped: &Obj) -> bool {
    obj.kind == Kind::Constraint
        && dropped
            .table
            .as_ref()
            .is_some_and(|t| obj.depends_on.iter().any(|d| same_name(d, t)))
}

/// The table and column of an `OWNED BY t.c` sequence option.
fn owned_by(options: &[Node]) -> Option<(QualName, String)> {
    options.iter().find_map(|o| match o.node.as_ref()? {
        NodeEnum::DefElem(d) if d.defname == "owned_by" => match d.arg.as_deref()?.node.as_ref()? {
            NodeEnum::List(l) => {
                let parts = string_list(&l.items);
                let (column, table) = parts.split_last()?;
                let table = match table {
                    [t] => QualName::new(None, t),
                    [s, t] => QualName::new(Some(s), t),
                    _ => return None,
                };
                Some((table, column.clone()))
            }
            _ => None,
        },
        _ => None,
    })
}

/// The objects a statement creates, drops and renames, in order.
pub fn effects(node: &NodeEnum) -> Vec<Effect> {
    let mut out = Vec::new();
    collect(node, &mut out);
    out
}

/// Records a created object. `IF NOT EXISTS` and `OR REPLACE` are not
/// recorded: replay tells an existing object apart by the history.
fn create(out: &mut Vec<Effect>, obj: Obj) {
    out.push(Effect::Create { obj, open: false });
}

fn collect(node: &NodeEnum, out: &mut Vec<Effect>) {
    match node {
        NodeEnum::CreateStmt(s) => {
            let Some(rv) = &s.relation else { return };
            let table = QualName::from_range_var(rv);
            let open = !s.inh_relations.is_empty()
                || s.of_typename.is_some()
                || s.partbound.is_some()
                || s.table_elts
                    .iter()
                    .any(|e| matches!(e.node, Some(NodeEnum::TableLikeClause(_))));
            out.push(Effect::Create {
                obj: Obj::new(Kind::Table, table.clone()),
                open,
            });
            for elt in &s.table_elts {
                match elt.node.as_ref() {
                    Some(NodeEnum::ColumnDef(c)) => column_def(out, &table, c),
                    Some(NodeEnum::Constraint(c)) => {
                        if let Some(obj) = constraint_obj(&table, c, None) {
                            create(out, obj);
                        }
                    }
                    _ => {}
                }
            }
        }
        NodeEnum::CreateTableAsStmt(s) => {
            let Some(rv) = s.into.as_ref().and_then(|i| i.rel.as_ref()) else {
                return;
            };
            let kind = if s.objtype == ObjectType::ObjectMatview as i32 {
                Kind::MatView
            } else {
                Kind::Table
            };
            let mut obj = Obj::new(kind, QualName::from_range_var(rv));
            obj.depends_on = s.query.as_deref().map(range_vars).unwrap_or_default();
            out.push(Effect::Create { obj, open: true });
        }
        NodeEnum::ViewStmt(s) => {
            let Some(rv) = &s.view else { return };
            let mut obj = Obj::new(Kind::View, QualName::from_range_var(rv));
            obj.depends_on = s.query.as_deref().map(range_vars).unwrap_or_default();
            create(out, obj);
        }
        NodeEnum::IndexStmt(s) => {
            let Some(rv) = &s.relation else { return };
            if s.idxname.is_empty() {
                return;
            }
            let table = QualName::from_range_var(rv);
            let mut obj = Obj::new(
                Kind::Index,
                QualName::new(table.schema.as_deref(), &s.idxname),
            );
            for p in &s.index_params {
                if let Some(NodeEnum::IndexElem(e)) = p.node.as_ref() {
                    if !e.name.is_empty() {
                        obj.columns.push(e.name.clone());
                    }
                    if let Some(expr) = e.expr.as_deref() {
                        obj.columns.extend(column_refs(expr));
                    }
                }
            }
            obj.table = Some(table);
            create(out, obj);
        }
        NodeEnum::AlterTableStmt(s) => {
            let Some(rv) = &s.relation else { return };
            let kind = Kind::from_object_type(s.objtype);
            if !matches!(kind, Some(Kind::Table)) {
                return;
            }
            let table = QualName::from_range_var(rv);
            for cmd in &s.cmds {
                let Some(NodeEnum::AlterTableCmd(cmd)) = cmd.node.as_ref() else {
                    continue;
                };
                let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
                let cascade = cmd.behavior == DropBehavior::DropCascade as i32;
                match (AlterTableType::try_from(cmd.subtype), def) {
                    (Ok(AlterTableType::AtAddColumn), Some(NodeEnum::ColumnDef(c))) => {
                        column_def(out, &table, c)
                    }
                    (Ok(AlterTableType::AtAddConstraint), Some(NodeEnum::Constraint(c))) => {
                        if let Some(obj) = constraint_obj(&table, c, None) {
                            create(out, obj);
                        }
                    }
                    (Ok(AlterTableType::AtDropColumn), _) => out.push(Effect::Drop {
                        obj: Obj::on(Kind::Column, &table, &cmd.name),
                        cascade,
                        if_exists: cmd.missing_ok,
                    }),
                    (Ok(AlterTableType::AtDropConstraint), _) => out.push(Effect::Drop {
                        obj: Obj::on(Kind::Constraint, &table, &cmd.name),
                        cascade,
                        if_exists: cmd.missing_ok,
                    }),
                    _ => {}
                }
            }
        }
        NodeEnum::DropStmt(s) => {
            let Some(kind) = Kind::from_object_type(s.remove_type) else {
                return;
            };
            let cascade = s.behavior == DropBehavior::DropCascade as i32;
            for o in &s.objects {
                if let Some(obj) = dropped_obj(kind, o) {
                    out.push(Effect::Drop {
                        obj,
                        cascade,
                        if_exists: s.missing_ok,
                    });
                }
            }
        }
        NodeEnum::RenameStmt(s) => {
            if let Some((from, to)) = rename(s) {
                out.push(Effect::Rename { from, to });
            }
        }
        NodeEnum::AlterObjectSchemaStmt(s) => {
            let Some(kind) = Kind::from_object_type(s.object_type) else {
                return;
            };
            let from = match (&s.relation, s.object.as_deref()) {
                (Some(rv), _) if kind.is_relation() || kind == Kind::Sequence => {
                    Obj::new(kind, QualName::from_range_var(rv))
                }
                (None, Some(o)) if matches!(kind, Kind::Type | Kind::Domain | Kind::Function) => {
                    match object_name(o) {
                        Some(name) => Obj::new(kind, name),
                        None => return,
                    }
                }
                _ => return,
            };
            let to = Obj::new(kind, QualName::new(Some(&s.newschema), &from.name.name));
            out.push(Effect::Rename { from, to });
        }
        NodeEnum::CreateEnumStmt(s) => {
            if let Some(name) = QualName::from_list(&s.type_name) {
                create(out, Obj::new(Kind::Type, name));
            }
        }
        NodeEnum::CreateRangeStmt(s) => {
            if let Some(name) = QualName::from_list(&s.type_name) {
                create(out, Obj::new(Kind::Type, name));
            }
        }
        NodeEnum::CompositeTypeStmt(s) => {
            if let Some(rv) = &s.typevar {
                create(out, Obj::new(Kind::Type, QualName::from_range_var(rv)));
            }
        }
        NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectType as i32 => {
            if let Some(name) = QualName::from_list(&s.defnames) {
                create(out, Obj::new(Kind::Type, name));
            }
        }
        NodeEnum::CreateDomainStmt(s) => {
            if let Some(name) = QualName::from_list(&s.domainname) {
                create(out, Obj::new(Kind::Domain, name));
            }
        }
        NodeEnum::CreateExtensionStmt(s) => create(
            out,
            Obj::new(Kind::Extension, QualName::new(None, &s.extname)),
        ),
        NodeEnum::CreateSchemaStmt(s) => {
            if s.schemaname.is_empty() {
                return;
            }
            create(
                out,
                Obj::new(Kind::Schema, QualName::new(None, &s.schemaname)),
            );
            // `CREATE SCHEMA s CREATE TABLE t ...`: the elements live in `s`.
            for elt in &s.schema_elts {
                let Some(node) = elt.node.as_ref() else {
                    continue;
                };
                let mut inner = effects(node);
                for e in &mut inner {
                    if let Effect::Create { obj, .. } = e {
                        qualify(obj, &s.schemaname);
                    }
                }
                out.extend(inner);
            }
        }
        NodeEnum::CreateSeqStmt(s) => {
            if let Some(rv) = &s.sequence {
                let mut obj = Obj::new(Kind::Sequence, QualName::from_range_var(rv));
                if let Some((table, column)) = owned_by(&s.options) {
                    obj.table = Some(table);
                    obj.columns = vec![column];
                }
                create(out, obj);
            }
        }
        NodeEnum::AlterSeqStmt(s) => {
            if let (Some(rv), Some((table, column))) = (&s.sequence, owned_by(&s.options)) {
                out.push(Effect::OwnedBy {
                    seq: Obj::new(Kind::Sequence, QualName::from_range_var(rv)),
                    table,
                    column,
                });
            }
        }
        NodeEnum::CreateFunctionStmt(s) => {
            if let Some(name) = QualName::from_list(&s.funcname) {
                create(out, Obj::new(Kind::Function, name));
            }
        }
        NodeEnum::CreateTrigStmt(s) => {
            let Some(rv) = &s.relation else { return };
            let mut obj = Obj::on(Kind::Trigger, &QualName::from_range_var(rv), &s.trigname);
            obj.depends_on = QualName::from_list(&s.funcname).into_iter().collect();
            create(out, obj);
        }
        _ => {}
    }
}

fn qualify(obj: &mut Obj, schema: &str) {
    if obj.kind.on_table() {
        if let Some(t) = &mut obj.table {
            if t.schema.is_none() {
                t.schema = Some(schema.to_string());
            }
        }
    } else if obj.name.schema.is_none() && obj.kind != Kind::Extension {
        obj.name.schema = Some(schema.to_string());
    }
}

/// A column definition: the column, and the named constraints written inline.
fn column_def(out: &mut Vec<Effect>, table: &QualName, c: &ColumnDef) {
    create(out, Obj::on(Kind::Column, table, &c.colname));
    for con in c.constraints.iter().filter_map(|n| match n.node.as_ref() {
        Some(NodeEnum::Constraint(con)) => Some(&**con),
        _ => None,
    }) {
        if let Some(obj) = constraint_obj(table, con, Some(&c.colname)) {
            create(out, obj);
        }
    }
}

/// A named constraint (unnamed ones get names the down cannot know).
fn constraint_obj(table: &QualName, c: &Constraint, column: Option<&str>) -> Option<Obj> {
    if c.conname.is_empty() {
        return None;
    }
    let named_kind = matches!(
        ConstrType::try_from(c.contype),
        Ok(ConstrType::ConstrCheck
            | ConstrType::ConstrForeign
            | ConstrType::ConstrUnique
            | ConstrType::ConstrPrimary
            | ConstrType::ConstrExclusion
            | ConstrType::ConstrNotnull)
    );
    if !named_kind {
        return None;
    }
    let mut obj = Obj::on(Kind::Constraint, table, &c.conname);
    obj.columns.extend(column.map(str::to_string));
    obj.columns.extend(string_list(&c.keys));
    obj.columns.extend(string_list(&c.fk_attrs));
    if let Some(expr) = c.raw_expr.as_deref() {
        obj.columns.extend(column_refs(expr));
    }
    for e in &c.exclusions {
        if let Some(NodeEnum::List(l)) = e.node.as_ref() {
            for item in &l.items {
                if let Some(NodeEnum::IndexElem(ie)) = item.node.as_ref() {
                    if !ie.name.is_empty() {
                        obj.columns.push(ie.name.clone());
                    }
                }
            }
        }
    }
    if let Some(pk) = &c.pktable {
        obj.depends_on.push(QualName::from_range_var(pk));
    }
    Some(obj)
}

/// One object of a `DROP` statement.
fn dropped_obj(kind: Kind, o: &Node) -> Option<Obj> {
    match (kind, o.node.as_ref()?) {
        (Kind::Trigger, NodeEnum::List(l)) => {
            let parts = string_list(&l.items);
            let (name, table) = parts.split_last()?;
            let table = match table {
                [t] => QualName::new(None, t),
                [s, t] => QualName::new(Some(s), t),
                [_, s, t] => QualName::new(Some(s), t),
                _ => return None,
            };
            Some(Obj::on(Kind::Trigger, &table, name))
        }
        (Kind::Schema | Kind::Extension, NodeEnum::String(s)) => {
            Some(Obj::new(kind, QualName::new(None, &s.sval)))
        }
        (_, _) => Some(Obj::new(kind, object_name(o)?)),
    }
}

/// The name in a `DROP`/`ALTER` object node: a list of names, a type name,
/// a function with arguments.
fn object_name(o: &Node) -> Option<QualName> {
    match o.node.as_ref()? {
        NodeEnum::List(l) => QualName::from_list(&l.items),
        NodeEnum::TypeName(t) => QualName::from_list(&t.names),
        NodeEnum::ObjectWithArgs(f) => QualName::from_list(&f.objname),
        NodeEnum::String(s) => Some(QualName::new(None, &s.sval)),
        _ => None,
    }
}

fn rename(s: &pg_query::protobuf::RenameStmt) -> Option<(Obj, Obj)> {
    let kind = Kind::from_object_type(s.rename_type)?;
    let rel = s.relation.as_ref().map(QualName::from_range_var);
    Some(match kind {
        Kind::Column | Kind::Constraint | Kind::Trigger => {
            let table = rel?;
            (
                Obj::on(kind, &table, &s.subname),
                Obj::on(kind, &table, &s.newname),
            )
        }
        Kind::Schema => (
            Obj::new(kind, QualName::new(None, &s.subname)),
            Obj::new(kind, QualName::new(None, &s.newname)),
        ),
        _ => {
            let from = match rel {
                Some(r) => r,
                None => object_name(s.object.as_deref()?)?,
            };
            let to = QualName::new(from.schema.as_deref(), &s.newname);
            (Obj::new(kind, from), Obj::new(kind, to))
        }
    })
}

/// Does the statement create an object that may have no name (an index,
/// a constraint)?
fn creates_unnamed(node: &NodeEnum) -> bool {
    match node {
        NodeEnum::IndexStmt(_) => true,
        NodeEnum::AlterTableStmt(s) => s.cmds.iter().any(|c| {
            matches!(c.node.as_ref(), Some(NodeEnum::AlterTableCmd(cmd))
                if matches!(AlterTableType::try_from(cmd.subtype),
                    Ok(AlterTableType::AtAddConstraint | AlterTableType::AtAddIndex | AlterTableType::AtAddIndexConstraint)))
        }),
        _ => false,
    }
}

/// What the pairing rules need to know of one statement, taken from its
/// tree when the file is parsed (the engine drops trees once a file is
/// linted). The object facts (`effects`, `altered_columns`) go to the
/// pairing history when the file is replayed and are then dropped
/// (`SetFile::take_effects`); span, suppressions and flags stay.
#[derive(Clone, Debug)]
pub struct StmtFacts {
    pub span: Span,
    /// Rules suppressed for this statement (`-- migralint-ignore`).
    pub ignored: Vec<String>,
    pub effects: Vec<Effect>,
    /// Creates anything, named or not (`CREATE INDEX ON t (a)`, `ADD
    /// PRIMARY KEY (id)` included).
    pub creates_anything: bool,
    /// `BEGIN`, `COMMIT` and the like: no change to the schema.
    pub transaction_control: bool,
    /// Up files only (see `History::apply`): the columns it alters.
    pub altered_columns: Vec<ObjKey>,
}

/// Takes the facts of a parsed file's statements; `up` for up migrations
/// (the only files the object history replays).
pub fn file_facts(file: &ParsedFile, up: bool) -> Vec<StmtFacts> {
    file.statements
        .iter()
        .map(|stmt| {
            let node = &stmt.node;
            let effects = effects(node);
            let creates_anything =
                creates_unnamed(node) || effects.iter().any(|e| matches!(e, Effect::Create { .. }));
            StmtFacts {
                span: stmt.span,
                ignored: stmt.ignored.clone(),
                effects,
                creates_anything,
                transaction_control: matches!(node, NodeEnum::TransactionStmt(_)),
                altered_columns: if up {
                    altered_columns(node)
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// Columns an `ALTER TABLE` alters: they exist, whatever the model says.
fn altered_columns(node: &NodeEnum) -> Vec<ObjKey> {
    let Some((s, table)) = crate::rules::helpers::alter_table(node) else {
        return Vec::new();
    };
    crate::rules::helpers::cmds(s)
        .filter(|cmd| {
            !cmd.name.is_empty()
                && matches!(
                    crate::rules::helpers::subtype(cmd),
                    AlterTableType::AtAlterColumnType
                        | AlterTableType::AtColumnDefault
                        | AlterTableType::AtSetNotNull
                        | AlterTableType::AtDropNotNull
                        | AlterTableType::AtSetStatistics
                        | AlterTableType::AtSetStorage
                        | AlterTableType::AtAddIdentity
                        | AlterTableType::AtSetIdentity
                        | AlterTableType::AtDropIdentity
                        | AlterTableType::AtDropExpression
                )
        })
        .map(|cmd| Obj::on(Kind::Column, &table, &cmd.name).key())
        .collect()
}

/// Every `RangeVar` in a node (tables a query reads or a statement names).
pub fn range_vars(node: &Node) -> Vec<QualName> {
    node.node.as_ref().map(tables_named).unwrap_or_default()
}

/// Every table a statement names (anywhere: DDL target, FK target, query).
pub fn tables_named(node: &NodeEnum) -> Vec<QualName> {
    names_in(node).0
}

/// The tables and the types a statement names anywhere (DDL targets,
/// foreign keys, queries; column types, casts, arguments), from one walk.
pub fn names_in(node: &NodeEnum) -> (Vec<QualName>, Vec<QualName>) {
    let mut tables = Vec::new();
    let mut types = Vec::new();
    walk_objects(&serde_json::to_value(node).unwrap_or_default(), &mut |v| {
        // A RangeVar, tagged or as a typed field.
        if v.get("relpersistence").is_some() {
            let s = v.get("schemaname").and_then(|x| x.as_str()).unwrap_or("");
            let r = v.get("relname").and_then(|x| x.as_str()).unwrap_or("");
            if !r.is_empty() {
                tables.push(QualName::new(Some(s), r));
            }
        }
        // A TypeName, tagged or as a typed field.
        if v.get("typemod").is_some() {
            let names: Vec<&str> = v
                .get("names")
                .and_then(|n| n.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.pointer("/node/String/sval").and_then(|s| s.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            match names.as_slice() {
                [n] => types.push(QualName::new(None, n)),
                [.., s, n] => types.push(QualName::new(Some(s), n)),
                [] => {}
            }
        }
    });
    (tables, types)
}

/// The column names an expression refers to (the last part of each
/// `ColumnRef`).
pub fn column_refs(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(n) = node.node.as_ref() {
        walk_objects(&serde_json::to_value(n).unwrap_or_default(), &mut |v| {
            if let Some(last) = v
                .get("ColumnRef")
                .and_then(|c| c.get("fields"))
                .and_then(|f| f.as_array())
                .and_then(|a| a.last())
                .and_then(|x| x.pointer("/node/String/sval"))
                .and_then(|s| s.as_str())
            {
                out.push(last.to_string());
            }
        });
    }
    out
}

/// Calls `f(schema, name)` for each identifier of a text, qualified ones
/// joined (`app."Users"` → `app`, `Users`): unquoted ones folded to lower
/// case, as PostgreSQL does. Keywords are included (many are valid names),
/// except reserved ones outside qualified names (those cannot name
/// anything). Buffers are reused from name to name.
pub fn each_identifier(text: &str, mut f: impl FnMut(Option<&str>, &str)) {
    use pg_query::protobuf::{KeywordKind, Token};
    let Ok(tokens) = crate::parse::scan(text) else {
        return;
    };
    // The parts of the current (qualified) name: `parts[..len]`, buffers
    // reused from name to name.
    let mut parts: Vec<String> = Vec::new();
    let mut len = 0;
    let mut after_dot = false;
    let mut flush = |parts: &[String], len: &mut usize| {
        match &parts[..*len] {
            [] => {}
            [name] => f(None, name),
            [.., schema, name] => f(Some(schema), name),
        }
        *len = 0;
    };
    for t in &tokens {
        let word = &text[t.start as usize..t.end as usize];
        let is_name = t.token == Token::Ident as i32
            || (t.keyword_kind != KeywordKind::NoKeyword as i32
                && (after_dot || t.keyword_kind != KeywordKind::ReservedKeyword as i32));
        if is_name {
            if !after_dot {
                flush(&parts, &mut len);
            }
            if parts.len() == len {
                parts.push(String::new());
            }
            let part = &mut parts[len];
            part.clear();
            match word.strip_prefix('"').and_then(|w| w.strip_suffix('"')) {
                Some(quoted) => part.push_str(&quoted.replace("\"\"", "\"")),
                None => part.extend(word.chars().flat_map(char::to_lowercase)),
            }
            len += 1;
            after_dot = false;
        } else if t.token == Token::Ascii46 as i32 && len > 0 {
            after_dot = true;
        } else {
            flush(&parts, &mut len);
            after_dot = false;
        }
    }
    flush(&parts, &mut len);
}

/// The key of a name in `History::named_tables` and `named_types`:
/// `schema\0name`, the schema `public` when none is given.
pub fn name_key(schema: Option<&str>, name: &str) -> String {
    let mut key = String::with_capacity(name.len() + 8);
    push_name_key(&mut key, schema, name);
    key
}

fn push_name_key(key: &mut String, schema: Option<&str>, name: &str) {
    key.push_str(schema.filter(|s| !s.is_empty()).unwrap_or("public"));
    key.push('\0');
    key.push_str(name);
}

/// Visits every JSON object of a tree (pg_query's serialisation of a node).
fn walk_objects(v: &serde_json::Value, f: &mut dyn FnMut(&serde_json::Value)) {
    match v {
        serde_json::Value::Object(map) => {
            f(v);
            for v in map.values() {
                walk_objects(v, f);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| walk_objects(v, f)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Migration files of a set, by directory.

/// A migration file of the set.
#[derive(Clone, Copy)]
pub struct MigFile<'a> {
    /// Index into `SetCx::files`.
    pub index: usize,
    pub file: &'a SetFile,
    pub name: &'a MigrationName,
    file_name: &'a str,
}

/// One directory's migration files (see `migrations_by_dir`).
pub type MigDir<'a> = (&'a str, Vec<MigFile<'a>>);

impl<'a> MigFile<'a> {
    /// `file` (index `index` of the set), when its name is a migration name.
    pub fn new(index: usize, file: &'a SetFile) -> Option<MigFile<'a>> {
        Some(MigFile {
            index,
            file,
            name: file.name.as_ref()?,
            file_name: crate::migration::file_name(&file.path),
        })
    }

    pub fn file_name(&self) -> &'a str {
        self.file_name
    }
    pub fn is_up(&self) -> bool {
        self.name.direction == Direction::Up
    }
    pub fn is_down(&self) -> bool {
        self.name.direction == Direction::Down
    }
    /// `000002_x.up.sql:3` for a byte offset.
    pub fn at(&self, offset: usize) -> String {
        format!("{}:{}", self.file_name(), self.file.line_col(offset).0)
    }
    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.file.line_col(offset).0
    }
    /// The file's first statement, or an empty span at its start.
    pub fn first_statement_span(&self) -> Span {
        self.file
            .statements
            .first()
            .map_or(Span::empty(0), |s| s.span)
    }
}

/// The directory part of a path (before the file name; `""` for none).
pub fn dir_of(path: &str) -> &str {
    let name = crate::migration::file_name(path);
    &path[..path.len() - name.len()]
}

/// The set's migration files grouped by directory (in order of first
/// appearance), each group sorted by version, then up before down, then
/// file name. Files whose name is not a migration name are left out.
pub fn migrations_by_dir(files: &[SetFile]) -> Vec<MigDir<'_>> {
    let mut groups: Vec<MigDir> = Vec::new();
    let mut group_of: std::collections::HashMap<&str, usize> = Default::default();
    for (index, file) in files.iter().enumerate() {
        let Some(m) = MigFile::new(index, file) else {
            continue;
        };
        let dir = dir_of(&file.path);
        let g = *group_of.entry(dir).or_insert_with(|| {
            groups.push((dir, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(m);
    }
    for (_, v) in &mut groups {
        v.sort_by(|a, b| {
            (a.name.version, a.name.direction, a.file_name).cmp(&(
                b.name.version,
                b.name.direction,
                b.file_name,
            ))
        });
    }
    groups
}

// ---------------------------------------------------------------------------
// Object history of a directory: what its up migrations create.

/// What the up migrations of a directory, replayed in version order, know
/// about objects: those that exist now, and every object ever created or
/// named (so a later down may drop it).
#[derive(Default, Clone)]
pub struct History {
    /// Objects that exist after the ups replayed so far.
    pub existing: Vec<Obj>,
    existing_keys: HashSet<ObjKey>,
    /// Keys of every object ever created, renamed to, or dropped (it existed).
    pub ever: HashSet<ObjKey>,
    /// Tables whose columns are not all known (`AS SELECT`, `LIKE`...).
    pub open_tables: HashSet<(String, String)>,
    /// Tables (relations) named by any statement: created outside the
    /// migrations when no migration creates them. Keys by `name_key`.
    pub named_tables: HashSet<String>,
    /// Types named anywhere (column types, casts). Keys by `name_key`.
    pub named_types: HashSet<String>,
    /// Bare names of every index and constraint ever seen (with any table).
    pub index_like_names: HashSet<String>,
}

impl History {
    pub fn exists(&self, key: &ObjKey) -> bool {
        self.existing_keys.contains(key)
    }

    /// Replays an up file: its statements' facts and its text.
    pub fn apply(&mut self, statements: &[StmtFacts], text: &str) {
        for stmt in statements {
            for e in &stmt.effects {
                self.apply_effect(e);
            }
            // Columns a statement alters exist, whatever the model says.
            self.ever.extend(stmt.altered_columns.iter().cloned());
        }
        // Every (qualified) identifier of the file counts as a name it may
        // use: a cheap over-approximation of the tables and types it names
        // (only used to decide that an object is *known*).
        let mut key = String::new();
        each_identifier(text, |schema, name| {
            key.clear();
            push_name_key(&mut key, schema, name);
            if !self.named_tables.contains(key.as_str()) {
                self.named_tables.insert(key.clone());
            }
            if !self.named_types.contains(key.as_str()) {
                self.named_types.insert(key.clone());
            }
        });
    }

    pub fn apply_effect(&mut self, e: &Effect) {
        match e {
            Effect::Create { obj, open, .. } => {
                let key = obj.key();
                self.ever.insert(key.clone());
                if matches!(obj.kind, Kind::Index | Kind::Constraint) {
                    self.index_like_names.insert(obj.name.name.clone());
                }
                if *open {
                    self.open_tables.insert(obj.name.key());
                }
                if self.existing_keys.insert(key) {
                    self.existing.push(obj.clone());
                }
            }
            Effect::Drop { obj, cascade, .. } => {
                self.ever.insert(obj.key());
                if obj.kind == Kind::Index {
                    self.index_like_names.insert(obj.name.name.clone());
                }
                let before = self.existing.len();
                self.existing.retain(|o| !drop_covers(obj, *cascade, o));
                if self.existing.len() != before {
                    self.existing_keys = self.existing.iter().map(Obj::key).collect();
                }
            }
            Effect::OwnedBy { seq, table, column } => {
                let key = seq.key();
                for o in self.existing.iter_mut().filter(|o| o.key() == key) {
                    o.table = Some(table.clone());
                    o.columns = vec![column.clone()];
                }
            }
            Effect::Rename { from, to } => {
                self.ever.insert(from.key());
                self.ever.insert(to.key());
                if matches!(from.kind, Kind::Index | Kind::Constraint) {
                    self.index_like_names.insert(from.name.name.clone());
                    self.index_like_names.insert(to.name.name.clone());
                }
                if from.kind.is_relation() {
                    if self.open_tables.contains(&from.name.key()) {
                        self.open_tables.insert(to.name.key());
                    }
                    let to = &to.name;
                    self.named_tables
                        .insert(name_key(to.schema.as_deref(), &to.name));
                }
                // Columns of a renamed table are known under the new name.
                let carried: Vec<ObjKey> = self
                    .ever
                    .iter()
                    .filter(|k| {
                        from.kind.is_relation()
                            && k.0 == Kind::Column
                            && k.2.as_ref() == Some(&from.name.key())
                    })
                    .map(|k| (k.0, k.1.clone(), Some(to.name.key())))
                    .collect();
                self.ever.extend(carried);
                for o in &mut self.existing {
                    o.follow_rename(from, to);
                }
                self.existing_keys = self.existing.iter().map(Obj::key).collect();
            }
        }
    }
}

/// The net objects an up file creates (created and not dropped again by
/// the same file), each with the byte offset of its statement; and the
/// renames of objects it did not create, with their offset.
pub struct UpChanges {
    pub created: Vec<(Obj, usize)>,
    pub renamed: Vec<(Obj, Obj, usize)>,
    /// Relations the file drops (they existed) and creates again: what is
    /// built on them replaces what was there.
    pub replaced_relations: HashSet<(String, String)>,
}

/// What the pairing rules know of an up file when its downs are linted:
/// what it changes, and what of that its down is expected to drop (judged
/// against the history before the ups of its version).
pub struct UpRecord {
    pub changes: UpChanges,
    pub expected: Vec<(Obj, usize)>,
}

pub fn up_changes(statements: &[StmtFacts]) -> UpChanges {
    let mut created: Vec<(Obj, usize)> = Vec::new();
    let mut renamed: Vec<(Obj, Obj, usize)> = Vec::new();
    // Objects this file drops (without IF EXISTS: so they existed) that it
    // did not create: recreating one under the same name replaces it.
    let mut replaced: HashSet<ObjKey> = HashSet::default();
    let mut replaced_relations = HashSet::default();
    for stmt in statements {
        for e in stmt.effects.iter().cloned() {
            match e {
                Effect::Create { obj, .. } => {
                    let key = obj.key();
                    if replaced.contains(&key) {
                        if obj.kind.is_relation() {
                            replaced_relations.insert(obj.name.key());
                        }
                    } else if !created.iter().any(|(o, _)| o.key() == key) {
                        created.push((obj, stmt.span.start));
                    }
                }
                Effect::Drop {
                    obj,
                    cascade,
                    if_exists,
                } => {
                    let key = obj.key();
                    if !if_exists && !created.iter().any(|(o, _)| o.key() == key) {
                        replaced.insert(key);
                    }
                    created.retain(|(o, _)| !drop_covers(&obj, cascade, o));
                }
                Effect::OwnedBy { seq, table, column } => {
                    let key = seq.key();
                    for (o, _) in created.iter_mut().filter(|(o, _)| o.key() == key) {
                        o.table = Some(table.clone());
                        o.columns = vec![column.clone()];
                    }
                }
                Effect::Rename { from, to } => {
                    let from_key = from.key();
                    let ours = created.iter().any(|(o, _)| {
                        o.key() == from_key
                            || (from.kind.on_table()
                                && o.kind.is_relation()
                                && Some(o.name.key()) == from.table.as_ref().map(QualName::key))
                    });
                    for (o, _) in &mut created {
                        o.follow_rename(&from, &to);
                    }
                    // A rename back of something this file renamed cancels out.
                    if let Some(i) = renamed
                        .iter()
                        .position(|(f, t, _)| t.key() == from_key && f.key() == to.key())
                    {
                        renamed.remove(i);
                    } else if !ours {
                        renamed.push((from, to, stmt.span.start));
                    }
                }
            }
        }
    }
    UpChanges {
        created,
        renamed,
        replaced_relations,
    }
}

/// The files of one version, from files sorted by version
/// (`migrations_by_dir`), by binary search.
pub fn of_version<'f, 'a>(files: &'f [MigFile<'a>], version: u64) -> &'f [MigFile<'a>] {
    let start = files.partition_point(|f| f.name.version < version);
    let end = start + files[start..].partition_point(|f| f.name.version == version);
    &files[start..end]
}

/// The objects a down file is expected to drop: what its up creates that
/// did not exist before it (per `before`), leaving out the indexes,
/// columns, constraints and triggers of a relation the up also creates
/// (dropping the relation drops them), and the indexes and constraints
/// built on a column the up adds (dropping the column drops them).
pub fn expected_drops(changes: &UpChanges, before: &History) -> Vec<(Obj, usize)> {
    let new: Vec<&(Obj, usize)> = changes
        .created
        .iter()
        .filter(|(o, _)| !before.exists(&o.key()))
        .collect();
    let mut relations: HashSet<(String, String)> = new
        .iter()
        .filter(|(o, _)| o.kind.is_relation())
        .map(|(o, _)| o.name.key())
        .collect();
    relations.extend(changes.replaced_relations.iter().cloned());
    // Columns the up adds: dropping one takes the indexes, constraints
    // and owned sequences built on it.
    let columns: HashSet<ObjKey> = new
        .iter()
        .filter(|(o, _)| o.kind == Kind::Column)
        .map(|(o, _)| o.key())
        .collect();
    new.into_iter()
        .filter(|(o, _)| {
            let child = o.kind.on_table() || o.kind == Kind::Index;
            let on_new_relation = child && o.table_key().is_some_and(|t| relations.contains(&t));
            let on_new_column = o.kind != Kind::Column
                && o.table.as_ref().is_some_and(|t| {
                    o.columns
                        .iter()
                        .any(|c| columns.contains(&Obj::on(Kind::Column, t, c).key()))
                });
            !on_new_relation && !on_new_column
        })
        .cloned()
        .collect()
}

/// Objects created by the earlier statements of the statement's file.
pub fn created_earlier(cx: &StmtCx) -> HashSet<ObjKey> {
    cx.statements()[..cx.stmt_index]
        .iter()
        .flat_map(|s| effects(&s.node))
        .filter_map(|e| match e {
            Effect::Create { obj, .. } => Some(obj.key()),
            _ => None,
        })
        .collect()
}

/// The name of `obj` is taken again by this statement or a later one of
/// the same file (created anew, or something renamed to it): the drop or
/// rename is half of a swap, and code using the name still finds it.
pub fn reoccupied_later(cx: &StmtCx, obj: &Obj) -> bool {
    let key = obj.key();
    cx.statements()[cx.stmt_index..]
        .iter()
        .flat_map(|s| effects(&s.node))
        .any(|e| match e {
            Effect::Create { obj, .. } => obj.key() == key,
            Effect::Rename { to, .. } => to.key() == key,
            _ => false,
        })
}

// ---------------------------------------------------------------------------
// Spans and names.

/// Comments are not tokens for span purposes.
fn is_comment(tok: i32) -> bool {
    tok == Token::SqlComment as i32 || tok == Token::CComment as i32
}

/// The tokens of `text` (comments left out): `(start, end, token)`.
pub fn tokens(text: &str) -> Vec<(usize, usize, i32)> {
    crate::parse::scan(text)
        .map(|ts| {
            ts.iter()
                .filter(|t| !is_comment(t.token))
                .map(|t| (t.start as usize, t.end as usize, t.token))
                .collect()
        })
        .unwrap_or_default()
}

/// The end of a possibly qualified name starting at byte `at` of `text`
/// (`a`, `s.a`, `"S"."A"`), or `None` when no token starts there.
pub fn name_end(text: &str, at: usize) -> Option<usize> {
    let toks = tokens(text.get(at..)?);
    let mut it = toks.iter();
    let (_, mut end, _) = *it.next()?;
    while let (Some(dot), Some(next)) = (it.next(), it.next()) {
        if dot.2 != Token::Ascii46 as i32 {
            break;
        }
        end = next.1;
    }
    Some(at + end)
}

/// The spans of each subcommand of an `ALTER TABLE` statement, in order:
/// from the subcommand's first word (past `ALTER TABLE name`) to the next
/// top-level comma. `None` when they cannot be told apart (then use the
/// statement span).
pub fn alter_cmd_spans(cx: &StmtCx) -> Option<Vec<Span>> {
    let NodeEnum::AlterTableStmt(s) = &cx.stmt.node else {
        return None;
    };
    let span = cx.stmt.span;
    let at = usize::try_from(s.relation.as_ref()?.location).ok()?;
    if at < span.start || at >= span.end {
        return None;
    }
    // Past the (possibly qualified) table name.
    let name = cx.tokens_from(at);
    if name.first()?.0 != at {
        return None;
    }
    let mut from = name[0].1;
    let mut i = 0;
    while let (Some(dot), Some(next)) = (name.get(i + 1), name.get(i + 2)) {
        if dot.2 != Token::Ascii46 as i32 {
            break;
        }
        from = next.1;
        i += 2;
    }
    // `ALTER TABLE name *` (descendants included).
    if let Some(&(_, e, tok)) = cx.tokens_from(from).first() {
        if tok == Token::Ascii42 as i32 {
            from = e;
        }
    }
    let toks = cx.tokens_from(from);
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start: Option<usize> = None;
    let mut last_end = 0usize;
    for &(s, e, tok) in toks {
        if tok == Token::Ascii40 as i32 || tok == Token::Ascii91 as i32 {
            depth += 1;
        } else if tok == Token::Ascii41 as i32 || tok == Token::Ascii93 as i32 {
            depth -= 1;
        } else if tok == Token::Ascii44 as i32 && depth == 0 {
            if let Some(st) = start.take() {
                out.push(Span::new(st, last_end));
            }
            continue;
        }
        start.get_or_insert(s);
        last_end = e;
    }
    if let Some(st) = start {
        out.push(Span::new(st, last_end));
    }
    (out.len() == s.cmds.len()).then_some(out)
}

/// The byte offset where a clause's keywords end: past the leading words
/// of `prefix` (case-insensitive, each optional in order), e.g. for `DROP
/// [COLUMN]` in `DROP COLUMN email`, the offset of `email`. Returns the
/// offset within `text`.
pub fn after_words(text: &str, words: &[&str]) -> Option<usize> {
    let toks = tokens(text);
    let mut it = toks.iter().peekable();
    for w in words {
        if let Some((s, e, _)) = it.peek() {
            if text[*s..*e].eq_ignore_ascii_case(w) {
                it.next();
            }
        }
    }
    it.peek().map(|(s, _, _)| *s)
}

/// `text` with `words` inserted at byte `at`, in the case the statement's
/// keywords use (`drop table if exists t` for `drop table t`).
pub fn insert_keywords(text: &str, at: usize, words: &str) -> String {
    let head = &text[..at];
    let lower = head.chars().any(|c| c.is_ascii_alphabetic())
        && !head.chars().any(|c| c.is_ascii_uppercase());
    let words = if lower {
        words.to_ascii_lowercase()
    } else {
        words.to_string()
    };
    format!("{head}{words} {}", &text[at..])
}

/// A name rewritten in snake_case: `AddEFGSUploadConfig` →
/// `add_efgs_upload_config`, `infection-exposure` → `infection_exposure`.
/// Dots are kept (`2.2.0_schema`).
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') && !out.ends_with('.') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') && !out.ends_with('.') {
            out.push('_');
        }
    }
    while out.ends_with('_') || out.ends_with('.') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {

    fn identifiers(text: &str) -> Vec<QualName> {
        let mut out = Vec::new();
        each_identifier(text, |schema, name| out.push(QualName::new(schema, name)));
        out
    }

    #[test]
    fn identifiers_of_text() {
        let names: Vec<String> =
            identifiers("ALTER TABLE app.\"Users\" ADD COLUMN Mood mood DEFAULT 'x'; -- t")
                .iter()
                .map(|n| n.to_string())
                .collect();
        // Reserved keywords (TABLE, COLUMN, DEFAULT) cannot be names.
        assert_eq!(names, ["alter", "app.\"Users\"", "add", "mood", "mood"]);
        // ...except after a dot.
        let names: Vec<String> = identifiers("SELECT * FROM app.user")
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(names, ["app.user"]);
    }

    use super::*;
    use crate::parse::parse_file;

    fn all(sql: &str) -> Vec<Effect> {
        let f = parse_file("x.sql", sql);
        assert!(f.syntax_errors.is_empty(), "{:?}", f.syntax_errors);
        f.statements.iter().flat_map(|s| effects(&s.node)).collect()
    }

    fn created(sql: &str) -> Vec<String> {
        all(sql)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Create { obj, .. } => Some(obj.describe()),
                _ => None,
            })
            .collect()
    }

    fn dropped(sql: &str) -> Vec<(Obj, bool)> {
        all(sql)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Drop { obj, cascade, .. } => Some((obj, cascade)),
                _ => None,
            })
            .collect()
    }

    fn obj(sql: &str) -> Obj {
        match all(sql).into_iter().next() {
            Some(Effect::Create { obj, .. }) => obj,
            other => panic!("no create in {sql}: {other:?}"),
        }
    }

    #[test]
    fn creates() {
        assert_eq!(
            created(
                "CREATE TABLE public.users (id int PRIMARY KEY, email text CONSTRAINT email_ck CHECK (email <> ''), \
                 CONSTRAINT users_email_key UNIQUE (email));"
            ),
            [
                "table public.users",
                "column public.users.id",
                "column public.users.email",
                "constraint email_ck on public.users",
                "constraint users_email_key on public.users"
            ]
        );
        assert_eq!(
            created("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t (lower(email), id);"),
            ["index s.i"]
        );
        assert!(created("CREATE INDEX ON t (a);").is_empty());
        assert_eq!(
            created("ALTER TABLE t ADD COLUMN IF NOT EXISTS c int REFERENCES u, ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES u;"),
            ["column t.c", "constraint fk on t"]
        );
        assert_eq!(
            created(
                "CREATE TYPE mood AS ENUM ('a'); CREATE TYPE c AS (a int); CREATE DOMAIN d AS int; \
                 CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"; CREATE SCHEMA s; CREATE SEQUENCE q; \
                 CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; \
                 CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f(); \
                 CREATE VIEW v AS SELECT 1; CREATE MATERIALIZED VIEW m AS SELECT * FROM t;"
            ),
            [
                "type mood",
                "type c",
                "domain d",
                "extension \"uuid-ossp\"",
                "schema s",
                "sequence q",
                "function f",
                "trigger tr on t",
                "view v",
                "materialized view m"
            ]
        );
        assert_eq!(
            created("CREATE SCHEMA app CREATE TABLE a (id int)"),
            ["schema app", "table app.a", "column app.a.id"]
        );
    }

    #[test]
    fn drops() {
        let d = dropped(
            "DROP TABLE IF EXISTS a, s.b CASCADE; DROP INDEX CONCURRENTLY i; DROP TYPE IF EXISTS mood; \
             DROP TRIGGER tr ON s.t; DROP FUNCTION f(int); DROP EXTENSION \"uuid-ossp\"; DROP SCHEMA s CASCADE; \
             ALTER TABLE t DROP COLUMN IF EXISTS c, DROP CONSTRAINT fk;",
        );
        let names: Vec<(String, bool)> = d.iter().map(|(o, c)| (o.describe(), *c)).collect();
        assert_eq!(
            names,
            [
                ("table a".to_string(), true),
                ("table s.b".to_string(), true),
                ("index i".to_string(), false),
                ("type mood".to_string(), false),
                ("trigger tr on s.t".to_string(), false),
                ("function f".to_string(), false),
                ("extension \"uuid-ossp\"".to_string(), false),
                ("schema s".to_string(), true),
                ("column t.c".to_string(), false),
                ("constraint fk on t".to_string(), false),
            ]
        );
    }

    #[test]
    fn keys_match_public_and_quoting() {
        assert_eq!(
            obj("CREATE TABLE public.users (id int)").key(),
            obj("CREATE TABLE users (id int)").key()
        );
        assert_ne!(
            obj("CREATE TABLE \"Users\" (id int)").key(),
            obj("CREATE TABLE users (id int)").key()
        );
        assert_eq!(
            obj("CREATE TYPE d AS ENUM ('x')").key(),
            obj("CREATE DOMAIN d AS int").key(),
            "a domain is dropped like a type"
        );
    }

    #[test]
    fn coverage() {
        let table = &dropped("DROP TABLE users")[0].0;
        let idx = obj("CREATE INDEX users_email_idx ON public.users (email)");
        assert!(drop_covers(table, false, &idx));
        let col = obj("ALTER TABLE users ADD COLUMN c int");
        assert!(drop_covers(table, false, &col));
        let other = obj("CREATE INDEX i ON other (email)");
        assert!(!drop_covers(table, false, &other));
        // Dropping a column drops the indexes and constraints built on it.
        let (dc, _) = &dropped("ALTER TABLE users DROP COLUMN email")[0];
        assert!(drop_covers(dc, false, &idx));
        assert!(!drop_covers(dc, false, &col));
        // A schema with CASCADE takes everything in it; without, only itself.
        let (ds, cascade) = &dropped("DROP SCHEMA app CASCADE")[0];
        let t = obj("CREATE TABLE app.t (id int)");
        assert!(drop_covers(ds, *cascade, &t));
        assert!(!drop_covers(ds, false, &t));
        assert!(!drop_covers(ds, true, &obj("CREATE TABLE t (id int)")));
        // A view goes with CASCADE on a table it reads.
        let v = obj("CREATE VIEW v AS SELECT * FROM users JOIN x USING (id)");
        assert!(drop_covers(table, true, &v));
        assert!(!drop_covers(table, false, &v));
        // A trigger goes with its table and with its function (CASCADE).
        let tr = obj("CREATE TRIGGER tr AFTER INSERT ON users EXECUTE FUNCTION audit()");
        assert!(drop_covers(table, false, &tr));
        let (df, _) = &dropped("DROP FUNCTION audit() CASCADE")[0];
        assert!(drop_covers(df, true, &tr));
    }

    #[test]
    fn renames_and_follow() {
        let e = all("ALTER TABLE a RENAME TO b; ALTER TABLE b RENAME COLUMN x TO y; ALTER INDEX s.i RENAME TO j; \
                     ALTER TYPE mood RENAME TO feeling; ALTER TABLE t SET SCHEMA archive;");
        let r: Vec<String> = e
            .iter()
            .map(|e| match e {
                Effect::Rename { from, to } => format!("{} -> {}", from.describe(), to.describe()),
                _ => "?".into(),
            })
            .collect();
        assert_eq!(
            r,
            [
                "table a -> table b",
                "column b.x -> column b.y",
                "index s.i -> index s.j",
                "type mood -> type feeling",
                "table t -> table archive.t"
            ]
        );
        let mut idx = obj("CREATE INDEX i ON a (x)");
        let (Effect::Rename { from, to }, Effect::Rename { from: f2, to: t2 }) = (&e[0], &e[1])
        else {
            panic!()
        };
        idx.follow_rename(from, to);
        assert_eq!(idx.table, Some(QualName::new(None, "b")));
        idx.follow_rename(f2, t2);
        assert_eq!(idx.columns, ["y"]);
    }

    /// What the engine keeps of an up file.
    fn set_file(f: crate::parse::ParsedFile) -> SetFile {
        let facts = file_facts(&f, true);
        SetFile::new(f, None, facts)
    }

    #[test]
    fn up_changes_net() {
        let f = parse_file(
            "1_x.up.sql",
            "CREATE TABLE tmp (id int);\nCREATE TABLE a (id int);\nDROP TABLE tmp;\nALTER TABLE old RENAME TO new;\n\
             CREATE TABLE b (id int); ALTER TABLE b RENAME TO c;",
        );
        let ch = up_changes(&set_file(f).statements);
        let names: Vec<String> = ch
            .created
            .iter()
            .filter(|(o, _)| o.kind == Kind::Table)
            .map(|(o, _)| o.describe())
            .collect();
        assert_eq!(names, ["table a", "table c"]);
        assert_eq!(ch.renamed.len(), 1);
        assert_eq!(ch.renamed[0].1.describe(), "table new");
    }

    #[test]
    fn history_tracks() {
        let mut h = History::default();
        let f = parse_file(
            "x",
            "CREATE TABLE a (id int); CREATE INDEX a_idx ON a (id); ALTER TABLE a RENAME TO b; \
             ALTER TABLE b ADD COLUMN c int; ALTER TABLE ext ALTER COLUMN z SET NOT NULL;",
        );
        let f = set_file(f);
        h.apply(&f.statements, &f.text);
        let b = QualName::new(None, "b");
        assert!(h.exists(&Obj::new(Kind::Table, b.clone()).key()));
        assert!(!h.exists(&Obj::new(Kind::Table, QualName::new(None, "a")).key()));
        assert!(h.ever.contains(&Obj::on(Kind::Column, &b, "id").key()));
        assert!(h.ever.contains(&Obj::on(Kind::Column, &b, "c").key()));
        assert!(h
            .ever
            .contains(&Obj::on(Kind::Column, &QualName::new(None, "ext"), "z").key()));
        assert!(h.named_tables.contains(&name_key(None, "ext")));
        assert!(h.index_like_names.contains("a_idx"));
        // The index followed its table.
        let idx = h.existing.iter().find(|o| o.kind == Kind::Index).unwrap();
        assert_eq!(idx.table, Some(b));
    }

    #[test]
    fn dir_and_snake() {
        assert_eq!(dir_of("a/b/000001_x.up.sql"), "a/b/");
        assert_eq!(dir_of("000001_x.up.sql"), "");
        assert_eq!(dir_of("c:\\m\\1_x.up.sql"), "c:\\m\\");
        assert_eq!(snake_case("AddEFGSUploadConfig"), "add_efgs_upload_config");
        assert_eq!(snake_case("Addv1dot5Columns"), "addv1dot5_columns");
        assert_eq!(snake_case("infection-exposure"), "infection_exposure");
        assert_eq!(snake_case("2.2.0_schema"), "2.2.0_schema");
        assert_eq!(snake_case("Create Users  Table!"), "create_users_table");
        assert_eq!(snake_case("UserID"), "user_id");
    }

    #[test]
    fn words_and_creates_anything() {
        let t = "DROP  /* c */ COLUMN email";
        assert_eq!(&t[after_words(t, &["DROP", "COLUMN"]).unwrap()..], "email");
        let t = "DROP email";
        assert_eq!(&t[after_words(t, &["DROP", "COLUMN"]).unwrap()..], "email");
        let f = parse_file(
            "x",
            "CREATE INDEX ON t (a); ALTER TABLE t ADD PRIMARY KEY (id); INSERT INTO t VALUES (1);",
        );
        let c: Vec<bool> = file_facts(&f, true)
            .iter()
            .map(|s| s.creates_anything)
            .collect();
        assert_eq!(c, [true, true, false]);
    }

    /// The user-service seed migrations (docs/seed) lint without an error
    /// from the naming, pairing, robustness and compatibility rules, with
    /// the default configuration.
    #[test]
    fn seed_migrations_have_no_errors() {
        use crate::lint::{lint, LintOptions, SourceFile};
        use crate::report::Severity;
        const DIR: &str = "internal/infrastructure/database/postgres/migrations/";
        let files = [
            ("000001_init_extensions.up.sql", "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\n"),
            ("000001_init_extensions.down.sql", "DROP EXTENSION IF EXISTS \"uuid-ossp\";\n"),
            (
                "000002_create_user_table.up.sql",
                "CREATE TABLE users (\n  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n  first_name VARCHAR(100) NOT NULL,\n  \
                 last_name VARCHAR(100) NOT NULL,\n  email VARCHAR(100) NOT NULL UNIQUE,\n  phone VARCHAR(20) DEFAULT NULL,\n  \
                 password VARCHAR(255) NOT NULL,\n  created_at TIMESTAMP DEFAULT NOW(),\n  updated_at TIMESTAMP DEFAULT NOW()\n);\n\n\
                 CREATE INDEX idx_users_email ON users(email);\n",
            ),
            (
                "000002_create_user_table.down.sql",
                "DROP INDEX IF EXISTS idx_users_email;\nDROP TABLE IF EXISTS users;\n",
            ),
        ];
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(n, t)| SourceFile::new(format!("{DIR}{n}"), *t))
            .collect();
        let report = lint(&sources, &LintOptions::default());
        let mine = [
            "file-name-format",
            "version-width",
            "title-pattern",
            "duplicate-version",
            "object-name-pattern",
            "missing-down",
            "missing-up",
            "empty-down",
            "down-not-reversing-up",
            "down-drops-unknown-object",
            "prefer-drop-if-exists",
            "prefer-create-if-not-exists",
            "ban-drop-table",
            "ban-drop-column",
            "ban-rename-table",
            "ban-rename-column",
            "ban-drop-schema-cascade",
            "ban-truncate-cascade",
            "ban-drop-database",
        ];
        let ours: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| mine.contains(&d.rule))
            .collect();
        assert!(
            ours.iter().all(|d| d.severity == Severity::Warning),
            "{ours:#?}"
        );
        // The warnings it deserves: CREATE TABLE and CREATE INDEX without
        // IF NOT EXISTS; the pairing rules accept its downs.
        let rules: Vec<&str> = ours.iter().map(|d| d.rule).collect();
        assert_eq!(
            rules,
            ["prefer-create-if-not-exists", "prefer-create-if-not-exists"],
            "{ours:#?}"
        );
    }
}
