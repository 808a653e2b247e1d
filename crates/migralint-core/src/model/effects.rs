//! The one DDL interpreter: what a statement does to the schema, read once
//! from its parse tree into `Effect`s. The schema model (`Schema::apply`)
//! and each directory's object history (`History::apply`) both replay
//! these, so they cannot disagree about what a statement creates, drops,
//! renames or alters.

use pg_query::protobuf::{
    AlterTableType, ColumnDef, ConstrType, Constraint, DropBehavior, Node, ObjectType,
};
use pg_query::NodeEnum;

use super::names::{node_string, quote_ident, string_list, QualName, SqlType};
use super::objects::{
    index_name_addition, same_name, Column, ConstraintInfo, ConstraintKind, KeyPart, Kind, Obj,
    Referable, Reference, UniqueKey,
};
use super::volatility::FunctionInfo;

/// What one statement does to one object.
#[derive(Clone, Debug)]
pub enum Effect {
    /// An object comes into being. Constraints may be unnamed (their name
    /// empty: `Obj::is_named`); unnamed indexes are not recorded.
    Create {
        obj: Obj,
        /// What the schema model keeps of it beyond its name.
        shape: Shape,
        /// A table whose columns are not all listed (`AS SELECT`, `LIKE`,
        /// `INHERITS`, `PARTITION OF`, `OF type`).
        open: bool,
        /// `IF NOT EXISTS`: nothing happens when the object exists.
        if_not_exists: bool,
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
    /// `ALTER TABLE t ALTER COLUMN c ...`: the column exists and changes.
    AlterColumn {
        table: QualName,
        column: String,
        change: ColumnChange,
    },
    /// `ALTER TABLE t VALIDATE CONSTRAINT c`.
    Validate {
        table: QualName,
        name: String,
    },
    /// Rows change wholesale: `TRUNCATE t` and `DELETE FROM t` without
    /// `WHERE` leave it empty, `INSERT ... VALUES` adds a few rows, `INSERT
    /// INTO t SELECT ...` or `COPY` fills it (`contents`: what the statement
    /// leaves or adds). `TRUNCATE ... CASCADE` (`cascade`) also empties
    /// every table with a foreign key to it, recursively; without `ONLY`
    /// (`only`) emptying reaches the table's inheritance children and
    /// partitions.
    Rows {
        table: QualName,
        contents: Contents,
        cascade: bool,
        only: bool,
        /// The rows an `INSERT` lists, for the schema to tell which
        /// columns they set to non-NULL values (`contents` is then `Few`).
        listed: Option<Box<Listed>>,
    },
    /// `UPDATE t SET ...`: the columns it sets, each with whether the new
    /// value is a non-NULL constant (what `Contents::Few` knows of them).
    Update {
        table: QualName,
        set: Vec<(String, bool)>,
        /// Without `WHERE` (nor `WHERE CURRENT OF`): every row.
        every_row: bool,
    },
    /// `child` becomes (`add`) or stops being an inheritance child of
    /// `parent`: `ALTER TABLE child [NO] INHERIT parent`, `ALTER TABLE
    /// parent ATTACH|DETACH PARTITION child` (`partition`).
    Inherit {
        child: QualName,
        parent: QualName,
        partition: bool,
        add: bool,
    },
    /// `ALTER DOMAIN d ...`: its constraints change.
    AlterDomain {
        domain: QualName,
        change: DomainChange,
    },
}

/// What a table holds, as far as the file being linted knows: the one
/// place rules ask whether work on it is cheap (`Empty`, `Few`) or can fail
/// on rows (anything but `Empty`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contents {
    /// No rows: created earlier in this file, or emptied by it.
    Empty,
    /// Only the rows this file added by `INSERT ... VALUES` (or a `SELECT`
    /// of constants) since it created or emptied the table: rewriting,
    /// scanning or indexing it is cheap, but it is not empty. `non_null`:
    /// the columns every one of those rows sets to a non-NULL constant.
    Few { non_null: Vec<String> },
    /// Data: rows the file did not write itself (an earlier migration's
    /// table, or filled from a query or a file).
    Data,
}

/// The rows an `INSERT` lists (`VALUES`, a `SELECT` of constants, `DEFAULT
/// VALUES`), position by position. Which columns they leave non-NULL
/// depends on the table (`Schema`): a `VALUES` without a column list fills
/// its columns in order, and a column not given (left out, past the values
/// a row has, `DEFAULT`) gets its default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The columns named; `None`: the table's, in order.
    pub columns: Option<Vec<String>>,
    /// What the rows give at each position.
    pub values: Vec<Given>,
}

/// What the rows of an `INSERT` give one column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Given {
    /// Some row gives something else than a non-NULL constant or `DEFAULT`.
    pub maybe_null: bool,
    /// Some row gives `DEFAULT`.
    pub default: bool,
}

/// Not given at all: its default in every row.
pub const DEFAULTED: Given = Given {
    maybe_null: false,
    default: true,
};

impl Contents {
    /// What the table holds once `added` rows join what it held.
    pub fn with(&self, added: &Contents) -> Contents {
        match (self, added) {
            (Contents::Empty, c) | (c, Contents::Empty) => c.clone(),
            (Contents::Few { non_null: a }, Contents::Few { non_null: b }) => Contents::Few {
                non_null: a.iter().filter(|c| b.contains(c)).cloned().collect(),
            },
            _ => Contents::Data,
        }
    }
}

/// A change `ALTER DOMAIN` makes to what the domain checks.
#[derive(Clone, Debug)]
pub enum DomainChange {
    /// `ADD [CONSTRAINT name] CHECK (...)`: `None` unnamed (PostgreSQL
    /// names it `{domain}_check`).
    AddConstraint(Option<String>),
    DropConstraint(String),
    /// `SET NOT NULL` (true), `DROP NOT NULL`.
    NotNull(bool),
}

impl Effect {
    /// An object that ends with the session (a `TEMP` table, anything in
    /// `pg_temp`): gone once its file has run.
    pub fn creates_temp(&self) -> Option<&Obj> {
        match self {
            Effect::Create { obj, shape, .. } => {
                let temp = matches!(shape, Shape::Table { temp: true, .. })
                    || obj.name.schema.as_deref() == Some("pg_temp");
                temp.then_some(obj)
            }
            _ => None,
        }
    }

    /// The objects this effect needs to exist (PostgreSQL refuses the
    /// statement otherwise), each with what the statement does to it
    /// (`drop`, `rename`, `alter`, `use`): what it drops (without `IF
    /// EXISTS`), renames or alters; the table and columns what it creates
    /// is built on, and the relations, columns, types and sequences it
    /// depends on; the table whose rows it changes. What the statement
    /// makes itself is the caller's to leave out.
    pub fn requires(&self) -> Vec<(Obj, &'static str)> {
        let table = |t: &QualName| Obj::new(Kind::Table, t.clone());
        let column = |t: &QualName, c: &str| Obj::on(Kind::Column, t, c);
        let mut out = Vec::new();
        match self {
            Effect::Drop {
                obj,
                if_exists: false,
                ..
            } => out.push((obj.clone(), "drop")),
            Effect::Drop { .. } => {}
            Effect::Rename { from, .. } => out.push((from.clone(), "rename")),
            Effect::Create { obj, .. } => {
                if let Some(t) = &obj.table {
                    out.push((table(t), "use"));
                    for c in obj.columns.iter().filter(|c| *c != "*") {
                        out.push((column(t, c), "use"));
                    }
                }
                for d in &obj.depends_on {
                    if matches!(
                        d.kind,
                        Kind::Table
                            | Kind::View
                            | Kind::MatView
                            | Kind::Column
                            | Kind::Sequence
                            | Kind::Type
                            | Kind::Domain
                    ) {
                        out.push((d.clone(), "use"));
                    }
                }
            }
            Effect::OwnedBy {
                seq,
                table: t,
                column: c,
            } => {
                out.push((seq.clone(), "alter"));
                out.push((column(t, c), "use"));
            }
            Effect::AlterColumn {
                table: t,
                column: c,
                ..
            } => out.push((column(t, c), "alter")),
            Effect::Validate { table: t, name } => {
                out.push((Obj::on(Kind::Constraint, t, name), "validate"))
            }
            Effect::Rows { table: t, .. } => out.push((table(t), "use")),
            Effect::Update { table: t, set, .. } => {
                out.push((table(t), "use"));
                for (c, _) in set {
                    out.push((column(t, c), "use"));
                }
            }
            Effect::Inherit { child, parent, .. } => {
                out.push((table(child), "alter"));
                out.push((table(parent), "use"));
            }
            Effect::AlterDomain { domain, .. } => {
                out.push((Obj::new(Kind::Domain, domain.clone()), "alter"))
            }
        }
        out
    }

    /// What the effect makes exist under a name: what it creates, what it
    /// renames to.
    pub fn makes(&self) -> Option<&Obj> {
        match self {
            Effect::Create { obj, .. } | Effect::Rename { to: obj, .. } => Some(obj),
            _ => None,
        }
    }
}

/// The session's temporary relations by name, for what an unqualified
/// name means: `pg_temp` comes first in the search path, so while a file's
/// `TEMP` table `t` (or an index on it) exists, `t` is that one and not a
/// permanent `t` (`public.t` still is); `CREATE TABLE t` without a schema
/// still creates in `public` (checked on PostgreSQL 15).
#[derive(Clone, Debug, Default)]
pub struct TempNames {
    /// Each live temporary relation: its name, and for an index its table.
    live: Vec<(String, Option<String>)>,
}

const PG_TEMP: &str = "pg_temp";

/// Kinds that share the relation namespace of a schema.
fn in_relation_namespace(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Table | Kind::View | Kind::MatView | Kind::Index | Kind::Sequence
    )
}

/// Schema `pg_temp`: dropping it (with CASCADE) at the end of a session
/// takes every temporary object, under whatever name it was renamed to.
pub fn temp_schema() -> Obj {
    Obj::new(Kind::Schema, QualName::new(None, PG_TEMP))
}

impl TempNames {
    /// Whether unqualified `name` means a temporary relation here.
    pub fn has(&self, name: &str) -> bool {
        self.live.iter().any(|(n, _)| n == name)
    }

    fn qualify(&self, name: &mut QualName) {
        if name.schema.is_none() && self.has(&name.name) {
            name.schema = Some(PG_TEMP.into());
        }
    }

    /// The names an object's relation, table and dependencies have.
    fn qualify_obj(&self, obj: &mut Obj, own_name: bool) {
        if own_name && in_relation_namespace(obj.kind) {
            self.qualify(&mut obj.name);
        }
        if let Some(t) = &mut obj.table {
            self.qualify(t);
        }
        for d in &mut obj.depends_on {
            self.qualify_obj(d, true);
        }
    }

    fn take(&mut self, name: &QualName, table: Option<&QualName>) {
        if name.schema.as_deref() == Some(PG_TEMP) && !self.has(&name.name) {
            let table = table.map(|t| t.name.clone());
            self.live.push((name.name.clone(), table));
        }
    }

    fn release(&mut self, name: &QualName) {
        if name.schema.as_deref() == Some(PG_TEMP) {
            // A table takes its indexes with it.
            self.live
                .retain(|(n, t)| *n != name.name && t.as_deref() != Some(name.name.as_str()));
        }
    }

    /// Qualifies with `pg_temp` the names in one statement's `effects` that
    /// mean a temporary relation, and follows what they create, drop and
    /// rename.
    pub fn resolve(&mut self, effects: &mut [Effect]) {
        for e in effects {
            match e {
                Effect::Create { obj, shape, .. } => {
                    let temp_table = matches!(shape, Shape::Table { temp: true, .. });
                    if temp_table && obj.name.schema.is_none() {
                        obj.name.schema = Some(PG_TEMP.into());
                    }
                    // A new relation goes to `public`, not `pg_temp`; an
                    // index goes to its table's schema.
                    self.qualify_obj(obj, false);
                    let on_temp = obj
                        .table
                        .as_ref()
                        .is_some_and(|t| t.schema.as_deref() == Some(PG_TEMP));
                    if obj.kind == Kind::Index && on_temp {
                        obj.name.schema = Some(PG_TEMP.into());
                    }
                    if in_relation_namespace(obj.kind) {
                        self.take(&obj.name, obj.table.as_ref());
                    }
                }
                Effect::Drop { obj, .. } => {
                    self.qualify_obj(obj, true);
                    if in_relation_namespace(obj.kind) {
                        self.release(&obj.name);
                    }
                }
                Effect::Rename { from, to } => {
                    self.qualify_obj(from, true);
                    self.qualify_obj(to, false);
                    if in_relation_namespace(from.kind)
                        && from.name.schema.as_deref() == Some(PG_TEMP)
                    {
                        to.name.schema = Some(PG_TEMP.into());
                        let table = self
                            .live
                            .iter()
                            .find(|(n, _)| *n == from.name.name)
                            .and_then(|(_, t)| t.clone());
                        self.live.retain(|(n, _)| *n != from.name.name);
                        for (_, t) in &mut self.live {
                            if t.as_deref() == Some(from.name.name.as_str()) {
                                *t = Some(to.name.name.clone());
                            }
                        }
                        self.live.push((to.name.name.clone(), table));
                    }
                }
                Effect::OwnedBy { seq, table, .. } => {
                    self.qualify_obj(seq, true);
                    self.qualify(table);
                }
                Effect::AlterColumn { table, .. }
                | Effect::Validate { table, .. }
                | Effect::Rows { table, .. } => self.qualify(table),
                Effect::Inherit { child, parent, .. } => {
                    self.qualify(child);
                    self.qualify(parent);
                }
                Effect::Update { table, .. } => self.qualify(table),
                Effect::AlterDomain { .. } => {}
            }
        }
    }
}

/// What the schema model keeps of a created object beyond its name.
#[derive(Clone, Debug)]
pub enum Shape {
    /// Nothing: a view, type, function, trigger, schema...
    Plain,
    /// A table or materialized view; its columns and constraints follow
    /// as their own effects.
    Table {
        /// Its columns are all listed here or copied from tables the model
        /// may know (`like`).
        columns_known: bool,
        /// `CREATE TEMP TABLE`: ends with the session.
        temp: bool,
        /// `LIKE s [INCLUDING ...]` clauses: their columns come first (the
        /// model knows them when it knows `s`).
        like: Vec<Like>,
        /// `INHERITS (...)` parents, or the table it is a partition of.
        parents: Vec<QualName>,
        /// `PARTITION OF`: rows inserted into the parent land here.
        partition: bool,
        /// `PARTITION BY`: its rows live in its partitions.
        partitioned: bool,
    },
    Column(Column),
    /// A constraint; `inline` when written in a column definition (it goes
    /// with that column).
    Constraint {
        info: ConstraintInfo,
        inline: bool,
    },
    /// A function: what a call of it costs (`volatility`); created with
    /// `CREATE OR REPLACE` (a re-run copes with one left behind).
    Function {
        info: FunctionInfo,
        or_replace: bool,
    },
    /// A domain: its base type and what it checks.
    Domain {
        base: Option<QualName>,
        /// The base type as written, with its modifiers (`varchar(255)`).
        base_type: Option<SqlType>,
        /// Its constraints' names (an unnamed one `None`).
        checks: Vec<Option<String>>,
        not_null: bool,
    },
    Index {
        unique: bool,
        /// Built `CONCURRENTLY` (a failed build leaves an INVALID index).
        concurrent: bool,
        /// Its statement: its definition for comparing two indexes of one
        /// name is `index_def` of it with the table's column types at hand
        /// (`Schema::index_def`).
        stmt: Box<pg_query::protobuf::IndexStmt>,
        /// Its key columns when it is on plain columns only, without a
        /// predicate (what can back a UNIQUE or PRIMARY KEY).
        keys: Option<Vec<String>>,
        /// What it guarantees, when unique.
        unique_key: Option<Box<UniqueKey>>,
        /// The names PostgreSQL gives its columns, joined
        /// (`objects::index_name_addition`): what an unnamed index's name
        /// is made of.
        colnames: String,
    },
}

/// A `LIKE source [INCLUDING ...]` clause of `CREATE TABLE`.
#[derive(Clone, Debug)]
pub struct Like {
    pub source: QualName,
    /// pg_query's `TableLikeOption` bits (`INCLUDING ALL`: every one).
    options: u32,
}

impl Like {
    const CONSTRAINTS: u32 = 1 << 2;
    const DEFAULTS: u32 = 1 << 3;
    const IDENTITY: u32 = 1 << 5;
    const INDEXES: u32 = 1 << 6;

    /// `INCLUDING DEFAULTS` (serial defaults included).
    pub fn defaults(&self) -> bool {
        self.options & Like::DEFAULTS != 0
    }
    /// `INCLUDING IDENTITY`.
    pub fn identity(&self) -> bool {
        self.options & Like::IDENTITY != 0
    }
    /// `INCLUDING CONSTRAINTS`: the CHECK constraints, names kept.
    pub fn constraints(&self) -> bool {
        self.options & Like::CONSTRAINTS != 0
    }
    /// `INCLUDING INDEXES`: indexes, primary keys, unique and exclusion
    /// constraints (renamed after the new table).
    pub fn indexes(&self) -> bool {
        self.options & Like::INDEXES != 0
    }
}

/// An index's definition as a comparable text, one text for every
/// spelling PostgreSQL stores as one index: method (`btree` when not
/// written), uniqueness, each key (column or `canonical_expr`) with its
/// collation, its operator class unless the default one of the method,
/// and its order (`ASC`, `NULLS LAST` for ascending and `NULLS FIRST` for
/// `DESC` are the defaults), INCLUDE, `NULLS NOT DISTINCT`, predicate.
/// `column_type` gives the types of the table's columns where known: the
/// casts PostgreSQL stores with them are then compared as it stores them
/// (`typed_casts`).
pub fn index_def(
    s: &pg_query::protobuf::IndexStmt,
    column_type: &dyn Fn(&str) -> Option<SqlType>,
) -> Box<str> {
    let canonical_expr = |n: &Node| canonical_typed_expr(n, column_type);
    use pg_query::protobuf::{SortByDir, SortByNulls};
    let method = if s.access_method.is_empty() {
        "btree"
    } else {
        s.access_method.as_str()
    };
    let elem = |p: &Node| -> String {
        let Some(NodeEnum::IndexElem(e)) = p.node.as_ref() else {
            return canonical_expr(p);
        };
        let mut out = match e.expr.as_deref() {
            // An expression that is a bare column is stored as that column
            // (`((email))`, `((x::text))` of a text column).
            Some(expr) if e.name.is_empty() => {
                let v = typed_expr(expr, column_type);
                match v.pointer("/ColumnRef/fields").and_then(|f| f.as_array()) {
                    Some(f) if f.len() == 1 => match f[0].pointer("/node/String/sval") {
                        Some(serde_json::Value::String(name)) => quote_ident(name),
                        _ => v.to_string(),
                    },
                    _ => v.to_string(),
                }
            }
            _ => quote_ident(&e.name),
        };
        let collation = string_list(&e.collation);
        if !collation.is_empty() {
            out.push_str(&format!(" collate {}", collation.join(".")));
        }
        let opclass = string_list(&e.opclass);
        let default_opclass = match opclass.as_slice() {
            [name] => default_opclass(method, name),
            [schema, name] if schema == "pg_catalog" => default_opclass(method, name),
            _ => opclass.is_empty(),
        };
        if !default_opclass {
            out.push_str(&format!(" {}", opclass.join(".")));
        }
        if !e.opclassopts.is_empty() {
            let opts: Vec<String> = e.opclassopts.iter().map(canonical_expr).collect();
            out.push_str(&format!(" ({})", opts.join(",")));
        }
        let desc = e.ordering == SortByDir::SortbyDesc as i32;
        let nulls_first = match SortByNulls::try_from(e.nulls_ordering) {
            Ok(SortByNulls::SortbyNullsFirst) => true,
            Ok(SortByNulls::SortbyNullsLast) => false,
            _ => desc,
        };
        if desc {
            out.push_str(" desc");
        }
        if nulls_first != desc {
            out.push_str(if nulls_first {
                " nulls first"
            } else {
                " nulls last"
            });
        }
        out
    };
    let keys: Vec<String> = s.index_params.iter().map(elem).collect();
    let include: Vec<String> = s.index_including_params.iter().map(elem).collect();
    let mut def = format!(
        "{method}{} ({})",
        if s.unique { " unique" } else { "" },
        keys.join(", ")
    );
    if !include.is_empty() {
        def.push_str(&format!(" include ({})", include.join(", ")));
    }
    if s.nulls_not_distinct {
        def.push_str(" nulls not distinct");
    }
    if let Some(w) = s.where_clause.as_deref() {
        def.push_str(&format!(" where {}", canonical_expr(w)));
    }
    def.into_boxed_str()
}

/// What a unique index guarantees: its keys (columns, or expressions with
/// the columns they read) and its predicate. INCLUDE columns are not keys.
pub fn unique_key(s: &pg_query::protobuf::IndexStmt) -> UniqueKey {
    let keys = s
        .index_params
        .iter()
        .map(|p| match p.node.as_ref() {
            Some(NodeEnum::IndexElem(e)) if e.expr.is_none() => KeyPart {
                columns: vec![e.name.clone()],
                expr: None,
            },
            Some(NodeEnum::IndexElem(e)) => {
                let expr = e.expr.as_deref().expect("an expression key");
                KeyPart {
                    columns: column_refs(expr),
                    expr: Some(canonical_expr(expr).into_boxed_str()),
                }
            }
            _ => KeyPart {
                columns: column_refs(p),
                expr: Some(canonical_expr(p).into_boxed_str()),
            },
        })
        .collect();
    UniqueKey {
        keys,
        predicate: s
            .where_clause
            .as_deref()
            .map(|w| canonical_expr(w).into_boxed_str()),
        nulls_not_distinct: s.nulls_not_distinct,
    }
}

/// The key columns of an index on plain columns only, without a predicate.
pub fn plain_keys(s: &pg_query::protobuf::IndexStmt) -> Option<Vec<String>> {
    if s.where_clause.is_some() {
        return None;
    }
    s.index_params
        .iter()
        .map(|p| match p.node.as_ref() {
            Some(NodeEnum::IndexElem(e)) if e.expr.is_none() && !e.name.is_empty() => {
                Some(e.name.clone())
            }
            _ => None,
        })
        .collect()
}

/// Is `opclass` the default operator class of `method` for its input
/// type? (The default ones of PostgreSQL 15, from `pg_opclass`: an index
/// that names one is the index that names none, since PostgreSQL accepted
/// the class for the column.)
fn default_opclass(method: &str, opclass: &str) -> bool {
    const BTREE: &[&str] = &[
        "array_ops",
        "bit_ops",
        "bool_ops",
        "bpchar_ops",
        "bytea_ops",
        "char_ops",
        "date_ops",
        "enum_ops",
        "float4_ops",
        "float8_ops",
        "inet_ops",
        "int2_ops",
        "int4_ops",
        "int8_ops",
        "interval_ops",
        "jsonb_ops",
        "macaddr8_ops",
        "macaddr_ops",
        "money_ops",
        "multirange_ops",
        "name_ops",
        "numeric_ops",
        "oid_ops",
        "oidvector_ops",
        "pg_lsn_ops",
        "range_ops",
        "record_ops",
        "text_ops",
        "tid_ops",
        "time_ops",
        "timestamp_ops",
        "timestamptz_ops",
        "timetz_ops",
        "tsquery_ops",
        "tsvector_ops",
        "uuid_ops",
        "varbit_ops",
        "xid8_ops",
    ];
    const HASH: &[&str] = &[
        "aclitem_ops",
        "array_ops",
        "bool_ops",
        "bpchar_ops",
        "bytea_ops",
        "char_ops",
        "cid_ops",
        "date_ops",
        "enum_ops",
        "float4_ops",
        "float8_ops",
        "inet_ops",
        "int2_ops",
        "int4_ops",
        "int8_ops",
        "interval_ops",
        "jsonb_ops",
        "macaddr8_ops",
        "macaddr_ops",
        "multirange_ops",
        "name_ops",
        "numeric_ops",
        "oid_ops",
        "oidvector_ops",
        "pg_lsn_ops",
        "range_ops",
        "record_ops",
        "text_ops",
        "tid_ops",
        "time_ops",
        "timestamp_ops",
        "timestamptz_ops",
        "timetz_ops",
        "uuid_ops",
        "xid8_ops",
        "xid_ops",
    ];
    const GIN: &[&str] = &["array_ops", "jsonb_ops", "tsvector_ops"];
    const GIST: &[&str] = &[
        "box_ops",
        "circle_ops",
        "multirange_ops",
        "point_ops",
        "poly_ops",
        "range_ops",
        "tsquery_ops",
        "tsvector_ops",
    ];
    const SPGIST: &[&str] = &[
        "box_ops",
        "inet_ops",
        "poly_ops",
        "quad_point_ops",
        "range_ops",
        "text_ops",
    ];
    let list: &[&str] = match method {
        "btree" => BTREE,
        "hash" => HASH,
        "gin" => GIN,
        "gist" => GIST,
        "spgist" => SPGIST,
        "brin" => return opclass.ends_with("_minmax_ops") || opclass.ends_with("_inclusion_ops"),
        _ => &[],
    };
    list.contains(&opclass)
}

/// An expression as a comparable text, one text for the spellings the
/// parser already makes one (case, whitespace, quoting, parentheses) and
/// for these: a type however spelled (`SqlType::from_parts`), a constant
/// whatever its literal (`0`, `'0'`), a cast of a constant left out (the
/// column's type coerces it the same), `now()` and
/// `transaction_timestamp()` as `CURRENT_TIMESTAMP`.
pub fn canonical_expr(expr: &Node) -> String {
    let Some(n) = expr.node.as_ref() else {
        return String::new();
    };
    let mut v = serde_json::to_value(n).unwrap_or_default();
    canonicalize(&mut v);
    v.to_string()
}

fn canonicalize(v: &mut serde_json::Value) {
    use serde_json::{json, Value};
    match v {
        Value::Object(map) => {
            map.remove("location");
            for x in map.values_mut() {
                canonicalize(x);
            }
            // A type name (`TypeCast.type_name`, `ColumnDef.type_name`...).
            if map.contains_key("names") && map.contains_key("typmods") {
                let strings = |k: &str| -> Vec<String> {
                    map.get(k)
                        .and_then(|x| x.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| {
                                    x.pointer("/node/String/sval").and_then(|s| s.as_str())
                                })
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let mods = map
                    .get("typmods")
                    .and_then(|x| x.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.pointer("/node/Const").and_then(|c| c.as_str()))
                            .filter_map(|c| c.parse().ok())
                            .collect()
                    })
                    .unwrap_or_default();
                let array = map
                    .get("array_bounds")
                    .and_then(|x| x.as_array())
                    .is_some_and(|a| !a.is_empty());
                *v = json!({ "Type": SqlType::from_parts(&strings("names"), mods, array).to_string() });
                return;
            }
            if let Some(c) = map.get("AConst") {
                // `{"isnull": false, "val": {"Ival": {"ival": 0}}}`; a zero
                // or empty value may leave its field out.
                let value = c
                    .get("val")
                    .and_then(|x| x.as_object())
                    .and_then(|o| o.values().next())
                    .and_then(|x| x.as_object())
                    .and_then(|o| o.values().next());
                let text = match value {
                    _ if c.get("isnull").and_then(|x| x.as_bool()) == Some(true) => Value::Null,
                    Some(Value::String(s)) => Value::String(s.clone()),
                    Some(Value::Bool(b)) => Value::String(b.to_string()),
                    Some(other) => Value::String(other.to_string()),
                    None if c.get("val").is_some() => Value::String(String::new()),
                    None => Value::Null,
                };
                *v = json!({ "Const": text });
                return;
            }
            // `a LIKE b` is the operator `~~` (`ILIKE` `~~*`, `NOT LIKE`
            // `!~~`), which PostgreSQL stores and shows as such.
            if let Some(Value::Object(e)) = map.get_mut("AExpr") {
                use pg_query::protobuf::AExprKind as K;
                let like = [K::AexprLike as i64, K::AexprIlike as i64];
                if e.get("kind")
                    .and_then(|k| k.as_i64())
                    .is_some_and(|k| like.contains(&k))
                {
                    e.insert("kind".into(), json!(K::AexprOp as i64));
                }
                // `0 < n` is `n > 0`: a comparison with the constant on
                // the left, turned round (the same test of every row).
                let op_kind = e.get("kind").and_then(|k| k.as_i64()) == Some(K::AexprOp as i64);
                let constant =
                    |x: Option<&Value>| x.and_then(|x| x.pointer("/node/Const")).is_some();
                let turned = match e.get("name").and_then(|n| n.as_array()) {
                    Some(n) if n.len() == 1 => {
                        match n[0].pointer("/node/String/sval").and_then(|s| s.as_str()) {
                            Some("<") => Some(">"),
                            Some(">") => Some("<"),
                            Some("<=") => Some(">="),
                            Some(">=") => Some("<="),
                            Some(op @ ("=" | "<>")) => Some(op),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                if let Some(op) = turned
                    .filter(|_| op_kind && constant(e.get("lexpr")) && !constant(e.get("rexpr")))
                {
                    let op = op.to_string();
                    let l = e.remove("lexpr");
                    let r = e.remove("rexpr");
                    e.extend(l.map(|l| ("rexpr".to_string(), l)));
                    e.extend(r.map(|r| ("lexpr".to_string(), r)));
                    e.insert(
                        "name".into(),
                        json!([{ "node": { "String": { "sval": op } } }]),
                    );
                }
            }
            if let Some(Value::Object(cast)) = map.get("TypeCast") {
                if let Some(arg) = cast.get("arg").and_then(|a| a.get("node")) {
                    if arg.get("Const").is_some() {
                        *v = arg.clone();
                        return;
                    }
                }
            }
            // `pg_catalog.f(...)` and `public.f(...)` are `f(...)` on the
            // default search_path (PostgreSQL stores and shows them so).
            if let Some(names) = map
                .get_mut("FuncCall")
                .and_then(|c| c.get_mut("funcname"))
                .and_then(|f| f.as_array_mut())
            {
                let schema = names
                    .first()
                    .and_then(|x| x.pointer("/node/String/sval"))
                    .and_then(|s| s.as_str());
                if names.len() == 2 && matches!(schema, Some("pg_catalog" | "public")) {
                    names.remove(0);
                }
            }
            if let Some(call) = map.get("FuncCall") {
                let name: Vec<&str> = call
                    .get("funcname")
                    .and_then(|f| f.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.pointer("/node/String/sval").and_then(|s| s.as_str()))
                            .collect()
                    })
                    .unwrap_or_default();
                let no_args = call
                    .get("args")
                    .and_then(|a| a.as_array())
                    .is_none_or(|a| a.is_empty());
                if no_args
                    && matches!(
                        name.as_slice(),
                        ["now" | "transaction_timestamp"]
                            | ["pg_catalog", "now" | "transaction_timestamp"]
                    )
                {
                    *v = json!({ "SqlvalueFunction": "current_timestamp" });
                    return;
                }
            }
            if let Some(f) = map.get("SqlvalueFunction") {
                let op = f.get("op").and_then(|o| o.as_i64());
                if op == Some(pg_query::protobuf::SqlValueFunctionOp::SvfopCurrentTimestamp as i64)
                {
                    *v = json!({ "SqlvalueFunction": "current_timestamp" });
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(canonicalize),
        _ => {}
    }
}

/// `canonical_expr` of an expression on a table whose column types
/// `column_type` gives, with the casts of its columns as PostgreSQL stores
/// them (`typed_casts`).
fn canonical_typed_expr(expr: &Node, column_type: &dyn Fn(&str) -> Option<SqlType>) -> String {
    typed_expr(expr, column_type).to_string()
}

/// A `canonical_expr` text (or a text made of such, as an exclusion's) as
/// `canonical_typed_expr` makes it, with the column types `column_type`
/// gives; `None` when it is no such text.
pub fn typed_text(text: &str, column_type: &dyn Fn(&str) -> Option<SqlType>) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
    typed_casts(&mut v, column_type);
    Some(v.to_string())
}

/// The column a typed text is, when it is a bare column (`((email))`,
/// `email::text` of a text column): PostgreSQL stores such a key as that
/// column.
pub fn bare_column(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    match v.pointer("/ColumnRef/fields")?.as_array()?.as_slice() {
        [f] => Some(f.pointer("/node/String/sval")?.as_str()?.to_string()),
        _ => None,
    }
}

fn typed_expr(expr: &Node, column_type: &dyn Fn(&str) -> Option<SqlType>) -> serde_json::Value {
    let Some(n) = expr.node.as_ref() else {
        return serde_json::Value::String(String::new());
    };
    let mut v = serde_json::to_value(n).unwrap_or_default();
    canonicalize(&mut v);
    typed_casts(&mut v, column_type);
    v
}

/// The columns of a canonical expression on one table, and their casts,
/// as PostgreSQL stores them (checked on PostgreSQL 15 with
/// `pg_get_indexdef`):
/// - a column is stored without the table it belongs to (`t.email` is
///   `email`);
/// - a cast of a column to its own type does nothing, and is not stored
///   (`lower(c::text)` of a `text` column is `lower(c)`);
/// - `varchar` has no operators and no functions of its own (but the
///   conversions `varchar(...)` and `name(...)`): PostgreSQL passes a
///   `varchar` column to any operator or function as `text`, and stores
///   that cast (`lower(email)` is `lower((email)::text)`, `status = 'x'`
///   is `(status)::text = 'x'::text`). Such an operand is kept as the bare
///   column, written with the cast or without. Elsewhere (`COALESCE`,
///   `IS NULL`, an index key of its own) the cast changes the expression
///   and stays.
fn typed_casts(v: &mut serde_json::Value, column_type: &dyn Fn(&str) -> Option<SqlType>) {
    use serde_json::Value;
    // The column a `{"ColumnRef": ...}` node names: its last field.
    let column = |v: &Value| -> Option<String> {
        let fields = v.pointer("/ColumnRef/fields")?.as_array()?;
        let last = fields.last()?.pointer("/node/String/sval")?.as_str()?;
        Some(last.to_string())
    };
    // `{"TypeCast": {"arg": {"node": column}, "type_name": {"Type": t}}}`:
    // the column's node, its type and the cast's.
    let cast_of_column = |v: &Value| -> Option<(Value, SqlType, String)> {
        let cast = v.get("TypeCast")?;
        let arg = cast.pointer("/arg/node")?;
        let to = cast.pointer("/type_name/Type")?.as_str()?;
        let ty = column_type(&column(arg)?)?;
        Some((arg.clone(), ty, to.to_string()))
    };
    let varchar_operand = |v: &mut Value| {
        let Some(node) = v.get_mut("node") else {
            return;
        };
        if let Some((arg, ty, to)) = cast_of_column(node) {
            if ty.name == "varchar" && !ty.array && to == "text" {
                *node = arg;
            }
        }
    };
    match v {
        Value::Object(map) => {
            for x in map.values_mut() {
                typed_casts(x, column_type);
            }
            if let Some(fields) = map
                .get_mut("ColumnRef")
                .and_then(|c| c.get_mut("fields"))
                .and_then(|f| f.as_array_mut())
            {
                let named = fields.iter().all(|f| f.pointer("/node/String").is_some());
                if named && fields.len() > 1 {
                    fields.drain(..fields.len() - 1);
                }
            }
            if map.contains_key("TypeCast") {
                if let Some((arg, ty, to)) = cast_of_column(&Value::Object(map.clone())) {
                    if ty.to_string() == to {
                        *v = arg;
                        return;
                    }
                }
            }
            // The functions that take `varchar` itself (`pg_proc`).
            let conversion = map
                .get("FuncCall")
                .and_then(|f| f.get("funcname"))
                .and_then(|n| n.as_array())
                .and_then(|n| n.last())
                .and_then(|n| n.pointer("/node/String/sval"))
                .is_some_and(|n| matches!(n.as_str(), Some("varchar" | "name")));
            if let Some(args) = map
                .get_mut("FuncCall")
                .filter(|_| !conversion)
                .and_then(|f| f.get_mut("args"))
                .and_then(|a| a.as_array_mut())
            {
                args.iter_mut().for_each(varchar_operand);
            }
            if let Some(e) = map.get_mut("AExpr") {
                for side in ["lexpr", "rexpr"] {
                    if let Some(x) = e.get_mut(side) {
                        varchar_operand(x);
                    }
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| typed_casts(x, column_type)),
        _ => {}
    }
}

/// A `canonical_expr` text with column `old` renamed `new` (the last part
/// of each column reference); `None` when it is no such text.
pub fn rename_in_expr(expr: &str, old: &str, new: &str) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(expr).ok()?;
    fn walk(v: &mut serde_json::Value, old: &str, new: &str) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(last) = map
                    .get_mut("ColumnRef")
                    .and_then(|c| c.get_mut("fields"))
                    .and_then(|f| f.as_array_mut())
                    .and_then(|f| f.last_mut())
                    .and_then(|l| l.pointer_mut("/node/String/sval"))
                {
                    if last.as_str() == Some(old) {
                        *last = serde_json::Value::String(new.to_string());
                    }
                }
                map.values_mut().for_each(|x| walk(x, old, new));
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, old, new)),
            _ => {}
        }
    }
    walk(&mut v, old, new);
    Some(v.to_string())
}

/// A column default as the model keeps it: `canonical_expr`, `None` for
/// `DEFAULT NULL` (PostgreSQL stores none), and `nextval` for any
/// `nextval(...)` (a serial column's, whatever its sequence is named now).
pub fn canonical_default(expr: &Node) -> Option<Box<str>> {
    let text = canonical_expr(expr);
    if text == r#"{"Const":null}"# {
        return None;
    }
    if is_nextval(expr) {
        return Some(NEXTVAL.into());
    }
    Some(text.into_boxed_str())
}

/// The default of a serial or identity column (`canonical_default`).
pub const NEXTVAL: &str = "nextval";

fn is_nextval(expr: &Node) -> bool {
    match expr.node.as_ref() {
        Some(NodeEnum::FuncCall(f)) => {
            matches!(
                string_list(&f.funcname).last().map(String::as_str),
                Some("nextval")
            )
        }
        Some(NodeEnum::TypeCast(c)) => c.arg.as_deref().is_some_and(is_nextval),
        _ => false,
    }
}

/// A change `ALTER COLUMN` makes.
#[derive(Clone, Debug)]
pub enum ColumnChange {
    Type(SqlType),
    NotNull(bool),
    /// `SET DEFAULT` (with the functions and sequences the new default
    /// uses: `default_deps`) or `DROP DEFAULT` (`None`); then the new
    /// default (`canonical_default`).
    Default(Option<Vec<Obj>>, Option<Box<str>>),
    /// `ADD GENERATED ... AS IDENTITY` (true) or `DROP IDENTITY`.
    Identity(bool),
    /// Statistics, storage, identity, generation expression.
    Other,
}

/// The effects of a statement, in order.
pub fn effects(node: &NodeEnum) -> Vec<Effect> {
    let mut out = Vec::new();
    collect(node, &mut out);
    out
}

/// Does the statement create anything that outlives its session, named
/// or not (`CREATE INDEX ON t (a)`, `ADD PRIMARY KEY (id)` included; a
/// `TEMP` table and what is in it left out)?
///
/// `temp`: the `TEMP` objects of the file so far; this statement's are
/// added.
pub fn creates_anything(node: &NodeEnum, effects: &[Effect], temp: &mut Vec<Obj>) -> bool {
    temp.extend(effects.iter().filter_map(Effect::creates_temp).cloned());
    let in_temp = |obj: &Obj| {
        temp.iter()
            .any(|t| t.same_key(obj) || obj.table.as_ref().is_some_and(|n| same_name(n, &t.name)))
    };
    let table = match node {
        NodeEnum::IndexStmt(s) => s.relation.as_ref(),
        NodeEnum::AlterTableStmt(s) => s.relation.as_ref(),
        _ => None,
    };
    let on_temp = table.is_some_and(|rv| {
        let t = QualName::from_range_var(rv);
        temp.iter().any(|o| same_name(&o.name, &t))
    });
    if on_temp
        || (!effects.is_empty()
            && effects
                .iter()
                .all(|e| matches!(e, Effect::Create { obj, .. } if in_temp(obj))))
    {
        return false;
    }
    let unnamed = match node {
        NodeEnum::IndexStmt(_) => true,
        NodeEnum::AlterTableStmt(s) => s.cmds.iter().any(|c| {
            matches!(c.node.as_ref(), Some(NodeEnum::AlterTableCmd(cmd))
                if matches!(AlterTableType::try_from(cmd.subtype),
                    Ok(AlterTableType::AtAddConstraint | AlterTableType::AtAddIndex | AlterTableType::AtAddIndexConstraint)))
        }),
        _ => false,
    };
    unnamed
        || effects
            .iter()
            .any(|e| matches!(e, Effect::Create { obj, .. } if obj.is_named()))
}

/// The name PostgreSQL gives each column of an index, before repeats
/// are numbered (`ChooseIndexColumnNames`, `FigureIndexColname`): the
/// column's own, a function's name for a call (through casts), `expr` for
/// another expression (checked on PostgreSQL 15: `t_lower_idx`,
/// `t_expr_idx` for `(a + b)`, `t_a_idx` for `(a::text)`).
fn index_colnames(s: &pg_query::protobuf::IndexStmt) -> Vec<String> {
    fn figure(node: Option<&pg_query::protobuf::Node>) -> Option<String> {
        match node?.node.as_ref()? {
            NodeEnum::ColumnRef(c) => match c.fields.last()?.node.as_ref()? {
                NodeEnum::String(s) => Some(s.sval.clone()),
                _ => None,
            },
            NodeEnum::FuncCall(f) => string_list(&f.funcname).last().cloned(),
            NodeEnum::TypeCast(c) => figure(c.arg.as_deref()).or_else(|| {
                c.type_name
                    .as_ref()
                    .and_then(|t| string_list(&t.names).last().cloned())
            }),
            NodeEnum::CoalesceExpr(_) => Some("coalesce".into()),
            NodeEnum::CaseExpr(_) => Some("case".into()),
            _ => None,
        }
    }
    s.index_params
        .iter()
        .filter_map(|p| match p.node.as_ref() {
            Some(NodeEnum::IndexElem(e)) => Some(e),
            _ => None,
        })
        .map(|e| {
            if !e.indexcolname.is_empty() {
                e.indexcolname.clone()
            } else if !e.name.is_empty() {
                e.name.clone()
            } else {
                figure(e.expr.as_deref()).unwrap_or_else(|| "expr".into())
            }
        })
        .collect()
}

/// What `CREATE FUNCTION` declares of its volatility, and the expression
/// PostgreSQL inlines a call to: a `LANGUAGE sql` function, neither
/// SECURITY DEFINER nor with `SET`, nor returning a set, nor STRICT with
/// arguments, whose body is one `SELECT expr` (no FROM, WHERE...) or
/// `RETURN expr` (`inline_function` in PostgreSQL's planner).
fn function_info(s: &pg_query::protobuf::CreateFunctionStmt) -> FunctionInfo {
    let option = |name: &str| {
        s.options.iter().find_map(|o| match o.node.as_ref() {
            Some(NodeEnum::DefElem(d)) if d.defname == name => Some(d),
            _ => None,
        })
    };
    let word = |name: &str| {
        option(name)
            .and_then(|d| d.arg.as_deref())
            .and_then(node_string)
            .map(str::to_ascii_lowercase)
    };
    let flag = |name: &str| {
        option(name).is_some_and(|d| match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
            Some(NodeEnum::Boolean(b)) => b.boolval,
            Some(NodeEnum::Integer(i)) => i.ival != 0,
            _ => true,
        })
    };
    let volatile = word("volatility").is_none_or(|v| v == "volatile");
    let inlinable = !s.is_procedure
        && word("language").as_deref() == Some("sql")
        && !flag("security")
        && option("set").is_none()
        && !s.return_type.as_ref().is_some_and(|t| t.setof)
        && (!flag("strict") || s.parameters.is_empty());
    let body_expr = || -> Option<Node> {
        if let Some(body) = s.sql_body.as_deref() {
            return match body.node.as_ref()? {
                NodeEnum::ReturnStmt(r) => r.returnval.as_deref().cloned(),
                _ => None,
            };
        }
        let text = option("as")?
            .arg
            .as_deref()
            .and_then(|a| match a.node.as_ref()? {
                NodeEnum::List(l) => l.items.first().and_then(node_string).map(str::to_string),
                _ => None,
            })?;
        let parsed = crate::parse::parse_file("", &text);
        let ([stmt], []) = (
            parsed.statements.as_slice(),
            parsed.syntax_errors.as_slice(),
        ) else {
            return None;
        };
        let NodeEnum::SelectStmt(q) = &stmt.node else {
            return None;
        };
        let simple = q.from_clause.is_empty()
            && q.where_clause.is_none()
            && q.group_clause.is_empty()
            && q.having_clause.is_none()
            && q.distinct_clause.is_empty()
            && q.window_clause.is_empty()
            && q.values_lists.is_empty()
            && q.sort_clause.is_empty()
            && q.limit_count.is_none()
            && q.limit_offset.is_none()
            && q.locking_clause.is_empty()
            && q.with_clause.is_none()
            && q.larg.is_none()
            && q.into_clause.is_none();
        let [target] = q.target_list.as_slice() else {
            return None;
        };
        match target.node.as_ref()? {
            NodeEnum::ResTarget(t) if simple => t.val.as_deref().cloned(),
            _ => None,
        }
    };
    let inlined = (inlinable && volatile)
        .then(body_expr)
        .flatten()
        .filter(crate::model::volatility::plain_expression)
        .map(Box::new);
    FunctionInfo { volatile, inlined }
}

fn plain(out: &mut Vec<Effect>, obj: Obj, if_not_exists: bool) {
    out.push(Effect::Create {
        obj,
        shape: Shape::Plain,
        open: false,
        if_not_exists,
    });
}

fn collect(node: &NodeEnum, out: &mut Vec<Effect>) {
    // A data-modifying CTE runs as part of the statement (`WITH d AS
    // (DELETE FROM t RETURNING *) INSERT INTO archive SELECT * FROM d`):
    // its rows' effects first.
    for c in super::summary::ctes(node) {
        if let Some(
            q @ (NodeEnum::InsertStmt(_)
            | NodeEnum::DeleteStmt(_)
            | NodeEnum::UpdateStmt(_)
            | NodeEnum::MergeStmt(_)),
        ) = c.ctequery.as_deref().and_then(|q| q.node.as_ref())
        {
            collect(q, out);
        }
    }
    match node {
        NodeEnum::CreateStmt(s) => {
            let Some(rv) = &s.relation else { return };
            let table = QualName::from_range_var(rv);
            let mut like = Vec::new();
            let mut like_known = true;
            for e in &s.table_elts {
                if let Some(NodeEnum::TableLikeClause(l)) = e.node.as_ref() {
                    match &l.relation {
                        Some(r) => like.push(Like {
                            source: QualName::from_range_var(r),
                            options: l.options,
                        }),
                        None => like_known = false,
                    }
                }
            }
            let columns_known = s.inh_relations.is_empty() && s.of_typename.is_none() && like_known;
            // An inheriting table depends on its parents (dropping one
            // is refused: `table c depends on table p`); a partition goes
            // with its parent (`Obj::table`).
            let mut obj = Obj::new(Kind::Table, table.clone());
            let mut parents = s
                .inh_relations
                .iter()
                .filter_map(|r| match r.node.as_ref() {
                    Some(NodeEnum::RangeVar(rv)) => Some(QualName::from_range_var(rv)),
                    _ => None,
                });
            if s.partbound.is_none() {
                obj.depends_on
                    .extend(parents.map(|p| Obj::new(Kind::Table, p)));
            } else {
                obj.table = parents.next_back();
            }
            out.push(Effect::Create {
                obj,
                shape: Shape::Table {
                    columns_known,
                    temp: rv.relpersistence == "t",
                    like: like.clone(),
                    parents: s
                        .inh_relations
                        .iter()
                        .filter_map(|r| match r.node.as_ref() {
                            Some(NodeEnum::RangeVar(r)) => Some(QualName::from_range_var(r)),
                            _ => None,
                        })
                        .collect(),
                    partition: s.partbound.is_some(),
                    partitioned: s.partspec.is_some(),
                },
                open: !columns_known || !like.is_empty() || s.partbound.is_some(),
                if_not_exists: s.if_not_exists,
            });
            for elt in &s.table_elts {
                match elt.node.as_ref() {
                    Some(NodeEnum::ColumnDef(c)) => column_def(out, &table, c, false),
                    Some(NodeEnum::Constraint(c)) => constraint(out, &table, c, None),
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
            if let Some(q) = s.query.as_deref() {
                read_columns(&mut obj, q);
            }
            out.push(Effect::Create {
                obj,
                shape: Shape::Table {
                    columns_known: false,
                    temp: rv.relpersistence == "t",
                    like: Vec::new(),
                    parents: Vec::new(),
                    partition: false,
                    partitioned: false,
                },
                open: true,
                if_not_exists: s.if_not_exists,
            });
        }
        // `SELECT ... INTO [TEMP] t`: `CREATE TABLE t AS SELECT ...`.
        NodeEnum::SelectStmt(s) => {
            let Some(rv) = s.into_clause.as_ref().and_then(|i| i.rel.as_ref()) else {
                return;
            };
            out.push(Effect::Create {
                obj: Obj::new(Kind::Table, QualName::from_range_var(rv)),
                shape: Shape::Table {
                    columns_known: false,
                    temp: rv.relpersistence == "t",
                    like: Vec::new(),
                    parents: Vec::new(),
                    partition: false,
                    partitioned: false,
                },
                open: true,
                if_not_exists: false,
            });
        }
        NodeEnum::ViewStmt(s) => {
            let Some(rv) = &s.view else { return };
            let mut obj = Obj::new(Kind::View, QualName::from_range_var(rv));
            if let Some(q) = s.query.as_deref() {
                read_columns(&mut obj, q);
            }
            plain(out, obj, false);
        }
        NodeEnum::IndexStmt(s) => {
            let Some(rv) = &s.relation else { return };
            // Unnamed: named by the schema model, which knows the names
            // taken (`objects::choose_index_name`).
            let table = QualName::from_range_var(rv);
            let mut obj = Obj::new(
                Kind::Index,
                QualName::new(table.schema.as_deref(), &s.idxname),
            );
            // Its keys and its INCLUDE columns: dropping one drops the
            // index (checked on PostgreSQL 15).
            for p in s.index_params.iter().chain(&s.index_including_params) {
                if let Some(NodeEnum::IndexElem(e)) = p.node.as_ref() {
                    if !e.name.is_empty() {
                        obj.columns.push(e.name.clone());
                    }
                    if let Some(expr) = e.expr.as_deref() {
                        obj.columns.extend(column_refs(expr));
                        obj.depends_on.extend(default_deps(expr));
                    }
                    // `gin_trgm_ops`: an extension's operator class.
                    obj.depends_on.extend(
                        QualName::from_list(&e.opclass).map(|n| Obj::new(Kind::OpClass, n)),
                    );
                }
            }
            // A partial index goes with the columns its predicate reads,
            // and depends on the functions it calls.
            if let Some(w) = s.where_clause.as_deref() {
                obj.columns.extend(column_refs(w));
                obj.depends_on.extend(default_deps(w));
            }
            obj.table = Some(table);
            let plain_columns = s.index_params.iter().all(
                |p| matches!(p.node.as_ref(), Some(NodeEnum::IndexElem(e)) if e.expr.is_none()),
            );
            if s.unique && plain_columns && s.where_clause.is_none() {
                obj.referable = Some(Referable::Unique);
            }
            out.push(Effect::Create {
                obj,
                shape: Shape::Index {
                    unique: s.unique,
                    concurrent: s.concurrent,
                    stmt: s.clone(),
                    keys: plain_keys(s),
                    unique_key: s.unique.then(|| Box::new(unique_key(s))),
                    colnames: index_name_addition(&index_colnames(s)),
                },
                open: false,
                if_not_exists: s.if_not_exists,
            });
        }
        NodeEnum::AlterTableStmt(s) => {
            let Some(rv) = &s.relation else { return };
            if !matches!(Kind::from_object_type(s.objtype), Some(Kind::Table)) {
                return;
            }
            let table = QualName::from_range_var(rv);
            for cmd in &s.cmds {
                if let Some(NodeEnum::AlterTableCmd(cmd)) = cmd.node.as_ref() {
                    alter_cmd(out, &table, cmd);
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
                    match named_obj(kind, o) {
                        Some(obj) => obj,
                        None => return,
                    }
                }
                _ => return,
            };
            let mut to = from.clone();
            to.name = QualName::new(Some(&s.newschema), &from.name.name);
            out.push(Effect::Rename { from, to });
        }
        NodeEnum::CreateEnumStmt(s) => {
            if let Some(name) = QualName::from_list(&s.type_name) {
                plain(out, Obj::new(Kind::Type, name), false);
            }
        }
        NodeEnum::CreateRangeStmt(s) => {
            if let Some(name) = QualName::from_list(&s.type_name) {
                plain(out, Obj::new(Kind::Type, name), false);
            }
        }
        // A composite type depends on the types of its attributes.
        NodeEnum::CompositeTypeStmt(s) => {
            if let Some(rv) = &s.typevar {
                let mut obj = Obj::new(Kind::Type, QualName::from_range_var(rv));
                for c in &s.coldeflist {
                    if let Some(NodeEnum::ColumnDef(c)) = c.node.as_ref() {
                        obj.depends_on
                            .extend(c.type_name.as_ref().and_then(type_dep));
                    }
                }
                plain(out, obj, false);
            }
        }
        NodeEnum::DefineStmt(s) if s.kind == ObjectType::ObjectType as i32 => {
            if let Some(name) = QualName::from_list(&s.defnames) {
                plain(out, Obj::new(Kind::Type, name), s.if_not_exists);
            }
        }
        // A domain depends on its base type and on the functions its
        // checks and default call.
        NodeEnum::CreateDomainStmt(s) => {
            if let Some(name) = QualName::from_list(&s.domainname) {
                let mut checks = Vec::new();
                let mut not_null = false;
                for c in s.constraints.iter().filter_map(|n| match n.node.as_ref() {
                    Some(NodeEnum::Constraint(c)) => Some(c),
                    _ => None,
                }) {
                    match ConstrType::try_from(c.contype) {
                        Ok(ConstrType::ConstrCheck) => {
                            checks.push((!c.conname.is_empty()).then(|| c.conname.clone()))
                        }
                        Ok(ConstrType::ConstrNotnull) => not_null = true,
                        Ok(ConstrType::ConstrNull) => not_null = false,
                        _ => {}
                    }
                }
                let base = s
                    .type_name
                    .as_ref()
                    .filter(|t| t.array_bounds.is_empty())
                    .and_then(|t| QualName::from_list(&t.names));
                let base_type = s.type_name.as_ref().map(SqlType::from_type_name);
                // What its base type and its constraints' expressions use.
                let mut obj = Obj::new(Kind::Domain, name);
                obj.depends_on
                    .extend(s.type_name.as_ref().and_then(type_dep));
                for c in &s.constraints {
                    if let Some(NodeEnum::Constraint(c)) = c.node.as_ref() {
                        obj.depends_on
                            .extend(c.raw_expr.as_deref().map(default_deps).unwrap_or_default());
                    }
                }
                out.push(Effect::Create {
                    obj,
                    shape: Shape::Domain {
                        base,
                        base_type,
                        checks,
                        not_null,
                    },
                    open: false,
                    if_not_exists: false,
                });
            }
        }
        NodeEnum::AlterDomainStmt(s) => {
            let Some(domain) = QualName::from_list(&s.type_name) else {
                return;
            };
            let change = match s.subtype.as_str() {
                "C" => match s.def.as_deref().and_then(|d| d.node.as_ref()) {
                    Some(NodeEnum::Constraint(c))
                        if ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrCheck) =>
                    {
                        DomainChange::AddConstraint(
                            (!c.conname.is_empty()).then(|| c.conname.clone()),
                        )
                    }
                    _ => return,
                },
                "X" => DomainChange::DropConstraint(s.name.clone()),
                "O" => DomainChange::NotNull(true),
                "N" => DomainChange::NotNull(false),
                _ => return,
            };
            out.push(Effect::AlterDomain { domain, change });
        }
        NodeEnum::CreateExtensionStmt(s) => plain(
            out,
            Obj::new(Kind::Extension, QualName::new(None, &s.extname)),
            s.if_not_exists,
        ),
        NodeEnum::CreateSchemaStmt(s) => {
            if s.schemaname.is_empty() {
                return;
            }
            plain(
                out,
                Obj::new(Kind::Schema, QualName::new(None, &s.schemaname)),
                s.if_not_exists,
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
                plain(out, obj, s.if_not_exists);
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
        // A function depends on the types of its arguments and result,
        // and on the functions its argument defaults call.
        NodeEnum::CreateFunctionStmt(s) => {
            if let Some(name) = QualName::from_list(&s.funcname) {
                let mut obj = Obj::new(Kind::Function, name);
                let mut args = Vec::new();
                for p in &s.parameters {
                    if let Some(NodeEnum::FunctionParameter(p)) = p.node.as_ref() {
                        use pg_query::protobuf::FunctionParameterMode as M;
                        let output =
                            matches!(M::try_from(p.mode), Ok(M::FuncParamOut | M::FuncParamTable));
                        if !output {
                            args.extend(p.arg_type.as_ref().map(arg_type));
                        }
                        obj.depends_on
                            .extend(p.arg_type.as_ref().and_then(type_dep));
                        if let Some(d) = p.defexpr.as_deref() {
                            obj.depends_on.extend(default_deps(d));
                        }
                    }
                }
                obj.depends_on
                    .extend(s.return_type.as_ref().and_then(type_dep));
                // A SQL-standard body (`BEGIN ATOMIC ... END`, `RETURN
                // ...`) is parsed when the function is created: it depends
                // on the functions it calls (a body in a string does not;
                // checked on PostgreSQL 15).
                if let Some(body) = s.sql_body.as_deref() {
                    obj.depends_on.extend(default_deps(body));
                }
                obj.args = Some(args);
                out.push(Effect::Create {
                    obj,
                    shape: Shape::Function {
                        info: function_info(s),
                        or_replace: s.replace,
                    },
                    open: false,
                    if_not_exists: false,
                });
            }
        }
        NodeEnum::TruncateStmt(s) => {
            for r in &s.relations {
                if let Some(NodeEnum::RangeVar(rv)) = r.node.as_ref() {
                    out.push(rows(rv, Contents::Empty));
                    if s.behavior == DropBehavior::DropCascade as i32 {
                        if let Some(Effect::Rows { cascade, .. }) = out.last_mut() {
                            *cascade = true;
                        }
                    }
                }
            }
        }
        NodeEnum::DeleteStmt(s)
            if s.using_clause.is_empty() && s.where_clause.as_deref().is_none_or(is_true) =>
        {
            if let Some(rv) = &s.relation {
                out.push(rows(rv, Contents::Empty));
            }
        }
        NodeEnum::InsertStmt(s) => {
            if let Some(rv) = &s.relation {
                let listed = listed(s);
                let contents = if listed.is_some() {
                    Contents::Few {
                        non_null: Vec::new(),
                    }
                } else {
                    Contents::Data
                };
                let mut e = rows(rv, contents);
                if let Effect::Rows { listed: l, .. } = &mut e {
                    *l = listed.map(Box::new);
                }
                out.push(e);
            }
        }
        // MERGE with a `WHEN NOT MATCHED THEN INSERT` may add rows.
        NodeEnum::MergeStmt(s)
            if s.merge_when_clauses.iter().any(|w| {
                matches!(w.node.as_ref(), Some(NodeEnum::MergeWhenClause(w))
                    if w.command_type == pg_query::protobuf::CmdType::CmdInsert as i32)
            }) =>
        {
            if let Some(rv) = &s.relation {
                out.push(rows(rv, Contents::Data));
            }
        }
        NodeEnum::CopyStmt(s) if s.is_from => {
            if let Some(rv) = &s.relation {
                out.push(rows(rv, Contents::Data));
            }
        }
        NodeEnum::UpdateStmt(s) => {
            if let Some(rv) = &s.relation {
                let set = s
                    .target_list
                    .iter()
                    .filter_map(|t| match t.node.as_ref() {
                        Some(NodeEnum::ResTarget(r)) => Some((
                            r.name.clone(),
                            r.val.as_deref().is_some_and(non_null_constant),
                        )),
                        _ => None,
                    })
                    .collect();
                out.push(Effect::Update {
                    table: QualName::from_range_var(rv),
                    set,
                    every_row: s.where_clause.is_none(),
                });
            }
        }
        NodeEnum::CreateTrigStmt(s) => {
            let Some(rv) = &s.relation else { return };
            let mut obj = Obj::on(Kind::Trigger, &QualName::from_range_var(rv), &s.trigname);
            obj.depends_on = QualName::from_list(&s.funcname)
                .map(|f| Obj::new(Kind::Function, f))
                .into_iter()
                .collect();
            // The columns of `UPDATE OF` and those its `WHEN` reads
            // (`NEW.a`): dropping one, or changing its type, is refused
            // (checked on PostgreSQL 15).
            obj.columns = string_list(&s.columns);
            if let Some(w) = s.when_clause.as_deref() {
                obj.columns.extend(column_refs(w));
            }
            obj.columns.sort();
            obj.columns.dedup();
            plain(out, obj, false);
        }
        _ => {}
    }
}

/// `ALTER TABLE|INDEX|VIEW IF EXISTS` (a rename too): PostgreSQL skips the
/// statement with a notice when the relation is missing.
pub fn relation_if_exists(node: &NodeEnum) -> bool {
    match node {
        NodeEnum::RenameStmt(r) => r.missing_ok,
        NodeEnum::AlterTableStmt(s) => s.missing_ok,
        _ => false,
    }
}

/// Runs code the replay does not follow, which may create or drop
/// anything: a `DO` block, a procedure (`CALL`).
pub fn runs_unfollowed_code(node: &NodeEnum) -> bool {
    matches!(node, NodeEnum::DoStmt(_) | NodeEnum::CallStmt(_))
}

/// The rows of `rv` change: `ONLY` keeps an emptying to the table itself.
fn rows(rv: &pg_query::protobuf::RangeVar, contents: Contents) -> Effect {
    Effect::Rows {
        table: QualName::from_range_var(rv),
        contents,
        cascade: false,
        only: !rv.inh,
        listed: None,
    }
}

/// The rows an `INSERT` lists (`VALUES`, a `SELECT` of constants,
/// `DEFAULT VALUES`): few; `None` for a query reading a table or a
/// function, which may return any number.
fn listed(s: &pg_query::protobuf::InsertStmt) -> Option<Listed> {
    let names: Vec<String> = s
        .cols
        .iter()
        .filter_map(|c| match c.node.as_ref() {
            Some(NodeEnum::ResTarget(r)) => Some(r.name.clone()),
            _ => None,
        })
        .collect();
    let columns = (!names.is_empty()).then_some(names);
    let Some(query) = s.select_stmt.as_deref().and_then(|q| q.node.as_ref()) else {
        // `DEFAULT VALUES`.
        return Some(Listed {
            columns,
            values: Vec::new(),
        });
    };
    let NodeEnum::SelectStmt(q) = query else {
        return None;
    };
    let rows: Vec<Vec<&pg_query::protobuf::Node>> = if !q.values_lists.is_empty() {
        q.values_lists
            .iter()
            .filter_map(|r| match r.node.as_ref() {
                Some(NodeEnum::List(l)) => Some(l.items.iter().collect()),
                _ => None,
            })
            .collect()
    } else if q.from_clause.is_empty() && q.larg.is_none() && q.with_clause.is_none() {
        // `SELECT 1, 'a'`: one row, of its targets' values.
        let row = q
            .target_list
            .iter()
            .filter_map(|t| match t.node.as_ref() {
                Some(NodeEnum::ResTarget(r)) => r.val.as_deref(),
                _ => None,
            })
            .collect();
        vec![row]
    } else {
        return None;
    };
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let values = (0..width)
        .map(|i| {
            let mut given = Given::default();
            for v in rows.iter().map(|r| r.get(i)) {
                match v.and_then(|v| v.node.as_ref()) {
                    None | Some(NodeEnum::SetToDefault(_)) => given.default = true,
                    Some(_) if v.is_some_and(|v| non_null_constant(v)) => {}
                    Some(_) => given.maybe_null = true,
                }
            }
            given
        })
        .collect();
    Some(Listed { columns, values })
}

/// A literal other than NULL, possibly cast.
fn non_null_constant(n: &pg_query::protobuf::Node) -> bool {
    match n.node.as_ref() {
        Some(NodeEnum::TypeCast(c)) => c.arg.as_deref().is_some_and(non_null_constant),
        Some(NodeEnum::AConst(c)) => !c.isnull,
        _ => false,
    }
}

fn alter_cmd(out: &mut Vec<Effect>, table: &QualName, cmd: &pg_query::protobuf::AlterTableCmd) {
    use AlterTableType as T;
    let def = cmd.def.as_deref().and_then(|d| d.node.as_ref());
    let cascade = cmd.behavior == DropBehavior::DropCascade as i32;
    let subtype = T::try_from(cmd.subtype).unwrap_or(T::Undefined);
    let column_change = |change| Effect::AlterColumn {
        table: table.clone(),
        column: cmd.name.clone(),
        change,
    };
    match (subtype, def) {
        (T::AtAddColumn, Some(NodeEnum::ColumnDef(c))) => column_def(out, table, c, cmd.missing_ok),
        (T::AtAddConstraint, Some(NodeEnum::Constraint(c))) => constraint(out, table, c, None),
        (T::AtDropColumn, _) => out.push(Effect::Drop {
            obj: Obj::on(Kind::Column, table, &cmd.name),
            cascade,
            if_exists: cmd.missing_ok,
        }),
        (T::AtDropConstraint, _) => out.push(Effect::Drop {
            obj: Obj::on(Kind::Constraint, table, &cmd.name),
            cascade,
            if_exists: cmd.missing_ok,
        }),
        (T::AtValidateConstraint, _) => out.push(Effect::Validate {
            table: table.clone(),
            name: cmd.name.clone(),
        }),
        (T::AtAddInherit | T::AtDropInherit, Some(NodeEnum::RangeVar(parent))) => {
            out.push(Effect::Inherit {
                child: table.clone(),
                parent: QualName::from_range_var(parent),
                partition: false,
                add: subtype == T::AtAddInherit,
            })
        }
        (T::AtAttachPartition | T::AtDetachPartition, Some(NodeEnum::PartitionCmd(p))) => {
            if let Some(child) = &p.name {
                out.push(Effect::Inherit {
                    child: QualName::from_range_var(child),
                    parent: table.clone(),
                    partition: true,
                    add: subtype == T::AtAttachPartition,
                })
            }
        }
        _ if cmd.name.is_empty() => {}
        (T::AtAlterColumnType, Some(NodeEnum::ColumnDef(c))) => {
            let change = match &c.type_name {
                Some(tn) => ColumnChange::Type(SqlType::from_type_name(tn)),
                None => ColumnChange::Other,
            };
            out.push(column_change(change));
        }
        (T::AtAlterColumnType, _) => out.push(column_change(ColumnChange::Other)),
        (T::AtAddIdentity, _) => out.push(column_change(ColumnChange::Identity(true))),
        (T::AtDropIdentity, _) => out.push(column_change(ColumnChange::Identity(false))),
        (T::AtSetNotNull, _) => out.push(column_change(ColumnChange::NotNull(true))),
        (T::AtDropNotNull, _) => out.push(column_change(ColumnChange::NotNull(false))),
        (T::AtColumnDefault, _) => {
            let deps = cmd.def.as_deref().map(default_deps);
            let default = cmd.def.as_deref().and_then(canonical_default);
            out.push(column_change(ColumnChange::Default(deps, default)))
        }
        (T::AtSetStatistics | T::AtSetStorage | T::AtSetIdentity | T::AtDropExpression, _) => {
            out.push(column_change(ColumnChange::Other))
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

/// The effects of `ADD COLUMN c ...` of `table` (`column_def`).
pub fn column_effects(table: &QualName, c: &ColumnDef, if_not_exists: bool) -> Vec<Effect> {
    let mut out = Vec::new();
    column_def(&mut out, table, c, if_not_exists);
    out
}

/// A column definition: the column, then the constraints written inline.
fn column_def(out: &mut Vec<Effect>, table: &QualName, c: &ColumnDef, if_not_exists: bool) {
    let mut obj = Obj::on(Kind::Column, table, &c.colname);
    obj.depends_on = column_deps(c);
    // A generated column is built on the columns its expression reads:
    // dropping one of them, or changing its type, is refused (checked on
    // PostgreSQL 15: `column g of table t depends on column a`).
    let generated = column_constraints(c).find_map(|con| {
        (ConstrType::try_from(con.contype) == Ok(ConstrType::ConstrGenerated))
            .then_some(con.raw_expr.as_deref())
            .flatten()
    });
    if let Some(expr) = generated {
        obj.columns = column_refs(expr);
        obj.columns.dedup();
    }
    let sequence = serial_sequence(table, c);
    obj.depends_on
        .extend(sequence.clone().map(|s| Obj::new(Kind::Sequence, s)));
    out.push(Effect::Create {
        obj,
        shape: match column_shape(c) {
            Some(column) => Shape::Column(column),
            None => Shape::Plain,
        },
        open: false,
        if_not_exists,
    });
    // A serial column's sequence, owned by the column (it goes with it)
    // and named by its default (dropping it alone is refused).
    if let Some(seq) = sequence {
        let seq = Obj::new(Kind::Sequence, seq);
        out.push(Effect::Create {
            obj: seq.clone(),
            shape: Shape::Plain,
            open: false,
            if_not_exists,
        });
        out.push(Effect::OwnedBy {
            seq,
            table: table.clone(),
            column: c.colname.clone(),
        });
    }
    for con in column_constraints(c) {
        constraint(out, table, con, Some(&c.colname));
    }
}

/// The sequence PostgreSQL creates for a `serial` (`smallserial`,
/// `bigserial`, `serial2/4/8`) column: `{table}_{column}_seq`, in the
/// table's schema. A longer name than 63 bytes PostgreSQL shortens its own
/// way: not followed.
fn serial_sequence(table: &QualName, c: &ColumnDef) -> Option<QualName> {
    let tn = c.type_name.as_ref()?;
    let name = QualName::from_list(&tn.names)?;
    let serial = [
        "serial",
        "bigserial",
        "smallserial",
        "serial2",
        "serial4",
        "serial8",
    ];
    if name.schema.is_some() || !serial.contains(&name.name.as_str()) || !tn.array_bounds.is_empty()
    {
        return None;
    }
    let seq = format!("{}_{}_seq", table.name, c.colname);
    (seq.len() <= 63).then(|| QualName::new(table.schema.as_deref(), &seq))
}

/// What a column depends on: its type (unless a built-in one written with
/// `pg_catalog`), and the functions and sequences its default calls.
fn column_deps(c: &ColumnDef) -> Vec<Obj> {
    let mut deps: Vec<Obj> = c
        .type_name
        .as_ref()
        .and_then(type_dep)
        .into_iter()
        .collect();
    // Its default, or the expression of a generated column.
    let default = c.raw_default.as_deref().or_else(|| {
        column_constraints(c).find_map(|con| {
            matches!(
                ConstrType::try_from(con.contype),
                Ok(ConstrType::ConstrDefault | ConstrType::ConstrGenerated)
            )
            .then_some(con.raw_expr.as_deref())
            .flatten()
        })
    });
    if let Some(d) = default {
        deps.extend(default_deps(d));
    }
    deps
}

/// An argument type as a function's identity compares it: the internal
/// name (`int4`), without `public.` or modifiers, `[]` for an array.
fn arg_type(tn: &pg_query::protobuf::TypeName) -> String {
    let t = SqlType::from_type_name(tn);
    let name = t.name.strip_prefix("public.").unwrap_or(&t.name);
    format!("{name}{}", if t.array { "[]" } else { "" })
}

/// A function named with its argument types (`f(int)`), or without
/// (`f`: any function of that name).
fn function_obj(f: &pg_query::protobuf::ObjectWithArgs) -> Option<Obj> {
    let mut obj = Obj::new(Kind::Function, QualName::from_list(&f.objname)?);
    if !f.args_unspecified {
        obj.args = Some(
            f.objargs
                .iter()
                .filter_map(|a| match a.node.as_ref() {
                    Some(NodeEnum::TypeName(tn)) => Some(arg_type(tn)),
                    _ => None,
                })
                .collect(),
        );
    }
    Some(obj)
}

/// The type a type name names, as a dependency (none for a built-in one
/// written with `pg_catalog`, or `t.c%TYPE`).
fn type_dep(tn: &pg_query::protobuf::TypeName) -> Option<Obj> {
    if tn.pct_type {
        return None;
    }
    QualName::from_list(&tn.names)
        .filter(|t| t.schema.as_deref() != Some("pg_catalog"))
        .map(|t| Obj::new(Kind::Type, t))
}

/// The functions an expression calls (not `pg_catalog` ones) and the
/// sequences a `nextval('name')` in it names: what a default, a check, an
/// index expression or a view's query depends on.
pub fn default_deps(expr: &Node) -> Vec<Obj> {
    let mut out = Vec::new();
    let Some(n) = expr.node.as_ref() else {
        return out;
    };
    walk_objects(&serde_json::to_value(n).unwrap_or_default(), &mut |v| {
        let Some(call) = v.get("FuncCall") else {
            return;
        };
        let parts: Vec<&str> = call
            .get("funcname")
            .and_then(|f| f.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.pointer("/node/String/sval").and_then(|s| s.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let name = match parts.as_slice() {
            [n] => QualName::new(None, n),
            [s, n] if *s != "pg_catalog" => QualName::new(Some(s), n),
            _ => return,
        };
        if name.name == "nextval" {
            let mut seq = None;
            if let Some(arg) = call.get("args").and_then(|a| a.get(0)) {
                walk_objects(arg, &mut |x| {
                    if let Some(sv) = x.get("sval").and_then(|s| s.as_str()) {
                        seq.get_or_insert_with(|| sv.to_string());
                    }
                });
            }
            if let Some(seq) = seq {
                let mut parts = seq.splitn(2, '.');
                let (a, b) = (parts.next().unwrap_or(""), parts.next());
                let seq = match b {
                    Some(b) => QualName::new(Some(a.trim_matches('"')), b.trim_matches('"')),
                    None => QualName::new(None, a.trim_matches('"')),
                };
                out.push(Obj::new(Kind::Sequence, seq));
            }
            return;
        }
        out.push(Obj::new(Kind::Function, name));
    });
    out
}

/// The constraints written inline in a column definition.
pub fn column_constraints(c: &ColumnDef) -> impl Iterator<Item = &Constraint> {
    c.constraints.iter().filter_map(|n| match n.node.as_ref() {
        Some(NodeEnum::Constraint(con)) => Some(&**con),
        _ => None,
    })
}

/// A serial type (`serial`, `bigserial`...) not qualified by a schema.
fn serial_sequence_type(ty: &SqlType) -> bool {
    ty.is_serial() && !ty.array
}

/// What the model keeps of a column definition (none without a type).
fn column_shape(c: &ColumnDef) -> Option<Column> {
    let tn = c.type_name.as_ref()?;
    let ty = SqlType::from_type_name(tn);
    let serial = serial_sequence_type(&ty);
    let mut column = Column {
        name: c.colname.clone(),
        ty,
        // A serial column is NOT NULL, with a default from its sequence.
        not_null: c.is_not_null || serial,
        default: match c.raw_default.as_deref() {
            _ if serial => Some(NEXTVAL.into()),
            Some(d) => canonical_default(d),
            None => None,
        },
        renamed_from: None,
        position: 0,
    };
    for con in column_constraints(c) {
        match ConstrType::try_from(con.contype) {
            Ok(ConstrType::ConstrNotnull | ConstrType::ConstrPrimary) => column.not_null = true,
            Ok(ConstrType::ConstrDefault) => {
                column.default = con.raw_expr.as_deref().and_then(canonical_default)
            }
            // An identity column draws from its sequence (and is NOT NULL).
            Ok(ConstrType::ConstrIdentity) => {
                column.default = Some(NEXTVAL.into());
                column.not_null = true;
            }
            _ => {}
        }
    }
    Some(column)
}

pub fn constraint_kind(c: &Constraint) -> ConstraintKind {
    match ConstrType::try_from(c.contype) {
        Ok(ConstrType::ConstrCheck) => ConstraintKind::Check,
        Ok(ConstrType::ConstrForeign) => ConstraintKind::ForeignKey,
        Ok(ConstrType::ConstrUnique) => ConstraintKind::Unique,
        Ok(ConstrType::ConstrPrimary) => ConstraintKind::PrimaryKey,
        Ok(ConstrType::ConstrExclusion) => ConstraintKind::Exclude,
        Ok(ConstrType::ConstrNotnull) => ConstraintKind::NotNull,
        _ => ConstraintKind::Other,
    }
}

/// A constraint, named or not (`Other` kinds, which name nothing a down
/// could drop, are left out). `column` for one written inline.
fn constraint(out: &mut Vec<Effect>, table: &QualName, c: &Constraint, column: Option<&str>) {
    let kind = constraint_kind(c);
    if kind == ConstraintKind::Other {
        return;
    }
    // `ADD [CONSTRAINT c] ... USING INDEX i`: the index becomes the
    // constraint's, renamed to `c`; unnamed, the constraint takes `i`.
    let name = if c.conname.is_empty() {
        &c.indexname
    } else {
        &c.conname
    };
    if !c.indexname.is_empty() && c.indexname != *name {
        let index = |n: &str| Obj::new(Kind::Index, QualName::new(table.schema.as_deref(), n));
        out.push(Effect::Rename {
            from: index(&c.indexname),
            to: index(name),
        });
    }
    let mut obj = Obj::on(Kind::Constraint, table, name);
    obj.columns.extend(column.map(str::to_string));
    let keys = string_list(&c.keys);
    obj.columns.extend(keys.iter().cloned());
    obj.columns.extend(string_list(&c.fk_attrs));
    if let Some(expr) = c.raw_expr.as_deref() {
        obj.columns.extend(column_refs(expr));
        obj.depends_on.extend(default_deps(expr));
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
    // A foreign key depends on the table and the columns it references
    // (and on the key it uses: `Schema` finds it).
    if let Some(pk) = &c.pktable {
        let pk = QualName::from_range_var(pk);
        obj.depends_on.push(Obj::new(Kind::Table, pk.clone()));
        for col in string_list(&c.pk_attrs) {
            obj.depends_on.push(Obj::on(Kind::Column, &pk, &col));
        }
    }
    obj.referable = match kind {
        _ if c.deferrable => None,
        ConstraintKind::PrimaryKey => Some(Referable::PrimaryKey),
        ConstraintKind::Unique => Some(Referable::Unique),
        _ => None,
    };
    let info = ConstraintInfo {
        name: (!name.is_empty()).then(|| name.clone()),
        kind,
        validated: !c.skip_validation,
        not_null_check_of: c
            .raw_expr
            .as_deref()
            .map(not_null_tests)
            .unwrap_or_default(),
        keys: match column {
            Some(col) if kind != ConstraintKind::Check && kind != ConstraintKind::Exclude => {
                vec![col.to_string()]
            }
            _ if kind == ConstraintKind::ForeignKey => string_list(&c.fk_attrs),
            _ => keys,
        },
        columns: obj.columns.clone(),
        // The index by the name it has once the constraint takes it (the
        // rename above comes first).
        index: (!c.indexname.is_empty()).then(|| name.clone()),
        expr: match kind {
            ConstraintKind::Check => c
                .raw_expr
                .as_deref()
                .map(|e| canonical_expr(e).into_boxed_str()),
            ConstraintKind::Exclude => Some(exclusion(c).into_boxed_str()),
            _ => None,
        },
        nulls_not_distinct: c.nulls_not_distinct,
        references: c.pktable.as_ref().map(|pk| Reference {
            table: QualName::from_range_var(pk),
            columns: string_list(&c.pk_attrs),
            actions: [&c.fk_upd_action, &c.fk_del_action, &c.fk_matchtype]
                .iter()
                .zip(["a", "a", "s"])
                .map(|(a, default)| if a.is_empty() { default } else { a.as_str() })
                .collect(),
        }),
    };
    out.push(Effect::Create {
        obj,
        shape: Shape::Constraint {
            info,
            inline: column.is_some(),
        },
        open: false,
        if_not_exists: false,
    });
}

/// An exclusion constraint as a comparable text, made of `canonical_expr`
/// texts (`typed_text` and `rename_in_expr` read it): its method (`btree`
/// when not written), each element (a column as a column reference) with
/// its operator class and operator, and its predicate.
fn exclusion(c: &Constraint) -> String {
    use serde_json::{json, Value};
    let value = |n: &Node| serde_json::from_str::<Value>(&canonical_expr(n)).unwrap_or_default();
    let elements: Vec<Value> = c
        .exclusions
        .iter()
        .filter_map(|e| match e.node.as_ref() {
            Some(NodeEnum::List(l)) => Some(&l.items),
            _ => None,
        })
        .map(|items| {
            let (elem, op) = match items.as_slice() {
                [elem, op] => match op.node.as_ref() {
                    Some(NodeEnum::List(l)) => (elem, string_list(&l.items)),
                    _ => (elem, string_list(std::slice::from_ref(op))),
                },
                _ => return Value::Null,
            };
            let (key, opclass) = match elem.node.as_ref() {
                Some(NodeEnum::IndexElem(ie)) => (
                    match ie.expr.as_deref() {
                        Some(x) => value(x),
                        None => json!({"ColumnRef": {"fields": [{"node": {"String": {"sval": ie.name}}}]}}),
                    },
                    string_list(&ie.opclass),
                ),
                _ => (value(elem), Vec::new()),
            };
            json!({"key": key, "opclass": opclass, "op": op})
        })
        .collect();
    let method = if c.access_method.is_empty() {
        "btree"
    } else {
        c.access_method.as_str()
    };
    json!({"Exclude": {
        "method": method,
        "elements": elements,
        "where": c.where_clause.as_deref().map(value),
    }})
    .to_string()
}

/// What an exclusion constraint (its `exclusion` text) guarantees when
/// every operator is `=`: rows that agree on every element conflict, as
/// under a unique key (NULLs never conflict).
pub fn exclusion_key(text: &str) -> Option<UniqueKey> {
    use serde_json::Value;
    let v: Value = serde_json::from_str(text).ok()?;
    let keys = v
        .pointer("/Exclude/elements")?
        .as_array()?
        .iter()
        .map(|e| {
            let op: Vec<&str> = e
                .get("op")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            if !matches!(op.as_slice(), ["="] | ["pg_catalog", "="]) {
                return None;
            }
            let key = e.get("key")?.to_string();
            Some(match bare_column(&key) {
                Some(c) => KeyPart {
                    columns: vec![c],
                    expr: None,
                },
                None => KeyPart {
                    columns: value_columns(e.get("key")?),
                    expr: Some(key.into_boxed_str()),
                },
            })
        })
        .collect::<Option<Vec<KeyPart>>>()?;
    Some(UniqueKey {
        keys,
        predicate: v
            .pointer("/Exclude/where")
            .filter(|w| !w.is_null())
            .map(|w| w.to_string().into_boxed_str()),
        nulls_not_distinct: false,
    })
}

/// The columns a canonical expression's value reads (the last part of
/// each column reference).
fn value_columns(v: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let mut out: Vec<String> = Vec::new();
    match v {
        Value::Object(map) => {
            if let Some(Value::String(c)) = map
                .get("ColumnRef")
                .and_then(|c| c.pointer("/fields"))
                .and_then(|f| f.as_array())
                .and_then(|f| f.last())
                .and_then(|f| f.pointer("/node/String/sval"))
            {
                out.push(c.clone());
            }
            for x in map.values() {
                out.extend(value_columns(x));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(value_columns(x))),
        _ => {}
    }
    out.dedup();
    out
}

/// The constant `true` (`WHERE true`: no condition).
fn is_true(n: &Node) -> bool {
    use pg_query::protobuf::a_const::Val;
    let cond = match n.node.as_ref() {
        Some(NodeEnum::TypeCast(c)) => c.arg.as_deref(),
        _ => Some(n),
    };
    matches!(
        cond.and_then(|c| c.node.as_ref()),
        Some(NodeEnum::AConst(c)) if matches!(c.val.as_ref(), Some(Val::Boolval(b)) if b.boolval)
    )
}

/// The columns a check expression proves NOT NULL: `col IS NOT NULL`,
/// alone or as a term of an AND (what PostgreSQL 12+ accepts as proof that
/// `SET NOT NULL` needs no scan).
fn not_null_tests(expr: &Node) -> Vec<String> {
    match expr.node.as_ref() {
        Some(NodeEnum::BoolExpr(b))
            if b.boolop == pg_query::protobuf::BoolExprType::AndExpr as i32 =>
        {
            b.args.iter().flat_map(not_null_tests).collect()
        }
        Some(NodeEnum::NullTest(t))
            if t.nulltesttype == pg_query::protobuf::NullTestType::IsNotNull as i32 =>
        {
            match t.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::ColumnRef(cr)) => {
                    string_list(&cr.fields).pop().into_iter().collect()
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
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
        (_, _) => named_obj(kind, o),
    }
}

/// The object a `DROP`/`ALTER` object node names: a function with its
/// arguments when they are given.
fn named_obj(kind: Kind, o: &Node) -> Option<Obj> {
    match o.node.as_ref()? {
        NodeEnum::ObjectWithArgs(f) if kind == Kind::Function => function_obj(f),
        _ => Some(Obj::new(kind, object_name(o)?)),
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
                Some(r) => Obj::new(kind, r),
                None => named_obj(kind, s.object.as_deref()?)?,
            };
            let mut to = from.clone();
            to.name = QualName::new(from.name.schema.as_deref(), &s.newname);
            (from, to)
        }
    })
}

/// What a view (or `CREATE TABLE|MATERIALIZED VIEW AS`) reads: the
/// relations of its query (`depends_on`); and when it reads one table
/// only, that table (`table`) and the columns it names (`columns`, `*` for
/// all of them as they are when it is created).
fn read_columns(obj: &mut Obj, query: &Node) {
    let json = query
        .node
        .as_ref()
        .map(|n| serde_json::to_value(n).unwrap_or_default())
        .unwrap_or_default();
    // Names the query defines itself: its CTEs, the aliases of its
    // subqueries, output names that are not a column's own.
    let mut local: Vec<String> = Vec::new();
    let mut outputs: Vec<String> = Vec::new();
    let mut star = false;
    walk_objects(&json, &mut |v| {
        star |= v.get("AStar").is_some();
        let text = |p: &str| v.pointer(p).and_then(|x| x.as_str()).map(str::to_string);
        local.extend(text("/ctename"));
        local.extend(text("/RangeSubselect/alias/aliasname"));
        if let Some(name) = text("/ResTarget/name") {
            let own = v.pointer("/ResTarget/val").is_some_and(|val| {
                let mut refs = Vec::new();
                column_ref_fields(val, &mut refs);
                refs.iter().any(|f| f.last() == Some(&name))
            });
            if !own {
                outputs.push(name);
            }
        }
    });
    let mut tables = tables_in(&json);
    tables
        .retain(|t| t.schema.as_deref().is_some_and(|s| !s.is_empty()) || !local.contains(&t.name));
    // A table created `AS SELECT` depends on nothing it read.
    if obj.kind == Kind::Table {
        return;
    }
    obj.depends_on = tables
        .iter()
        .map(|t| Obj::new(Kind::Table, t.clone()))
        .chain(default_deps(query))
        .collect();
    let [table] = tables.as_slice() else {
        // Several tables: the columns named through a table or its alias
        // (`c.email`) are known to be that table's (PostgreSQL refuses to
        // drop them, or to change their type, while the view stays).
        let aliases = aliases_in(&json, &local);
        let mut refs = Vec::new();
        column_ref_fields(&json, &mut refs);
        for f in refs {
            let [.., qualifier, column] = f.as_slice() else {
                continue;
            };
            if column == "*" {
                continue;
            }
            if let Some(t) = aliases.get(qualifier).and_then(|t| t.as_ref()) {
                let dep = Obj::on(Kind::Column, t, column);
                if !obj.depends_on.contains(&dep) {
                    obj.depends_on.push(dep);
                }
            }
        }
        return;
    };
    obj.table = Some(table.clone());
    let mut refs = Vec::new();
    column_ref_fields(&json, &mut refs);
    obj.columns = refs
        .into_iter()
        .filter(|f| !(f.len() >= 2 && local.contains(&f[0])))
        .filter_map(|mut f| f.pop())
        .filter(|c| !outputs.contains(c))
        .collect();
    if star {
        obj.columns.push("*".to_string());
    }
}

/// The table each name a query refers to a table by stands for: its alias,
/// else its name; `None` when one name stands for two tables (nested
/// scopes) or for something the query defines itself (`local`).
fn aliases_in(
    json: &serde_json::Value,
    local: &[String],
) -> rustc_hash::FxHashMap<String, Option<QualName>> {
    let mut out: rustc_hash::FxHashMap<String, Option<QualName>> = Default::default();
    walk_objects(json, &mut |v| {
        if v.get("relpersistence").is_none() {
            return;
        }
        let text = |p: &str| {
            v.pointer(p)
                .and_then(|x| x.as_str())
                .filter(|s| !s.is_empty())
        };
        let Some(relname) = text("/relname") else {
            return;
        };
        let table = QualName::new(text("/schemaname"), relname);
        let name = text("/alias/aliasname").unwrap_or(relname);
        let entry = out
            .entry(name.to_string())
            .or_insert_with(|| Some(table.clone()));
        if entry.as_ref().is_some_and(|t| t.key() != table.key()) || local.iter().any(|l| l == name)
        {
            *entry = None;
        }
    });
    out
}

/// The name parts of every `ColumnRef` in a (serialized) node, `*` for
/// a star (`t.*`).
fn column_ref_fields(v: &serde_json::Value, out: &mut Vec<Vec<String>>) {
    walk_objects(v, &mut |v| {
        if let Some(fields) = v.pointer("/ColumnRef/fields").and_then(|f| f.as_array()) {
            out.push(
                fields
                    .iter()
                    .map(
                        |x| match x.pointer("/node/String/sval").and_then(|s| s.as_str()) {
                            Some(s) => s.to_string(),
                            None => "*".to_string(),
                        },
                    )
                    .collect(),
            );
        }
    });
}

/// Every `RangeVar` in a node (tables a query reads or a statement names).
pub fn range_vars(node: &Node) -> Vec<QualName> {
    node.node.as_ref().map(tables_named).unwrap_or_default()
}

/// Every table a statement names (anywhere: DDL target, FK target, query).
pub fn tables_named(node: &NodeEnum) -> Vec<QualName> {
    tables_in(&serde_json::to_value(node).unwrap_or_default())
}

/// Every `RangeVar` in a serialized node, tagged or as a typed field.
fn tables_in(json: &serde_json::Value) -> Vec<QualName> {
    let mut tables = Vec::new();
    walk_objects(json, &mut |v| {
        if v.get("relpersistence").is_some() {
            let s = v.get("schemaname").and_then(|x| x.as_str()).unwrap_or("");
            let r = v.get("relname").and_then(|x| x.as_str()).unwrap_or("");
            if !r.is_empty() {
                tables.push(QualName::new(Some(s), r));
            }
        }
    });
    tables
}

/// The column names an expression refers to (the last part of each
/// `ColumnRef`).
pub fn column_refs(node: &Node) -> Vec<String> {
    let mut refs = Vec::new();
    if let Some(n) = node.node.as_ref() {
        column_ref_fields(&serde_json::to_value(n).unwrap_or_default(), &mut refs);
    }
    refs.into_iter()
        .filter_map(|mut f| f.pop())
        .filter(|c| c != "*")
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::objects::drop_covers;
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
                Effect::Create { obj, .. } if obj.is_named() => Some(obj.describe()),
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
                "function f()",
                "trigger tr on t",
                "view v",
                "materialized view m"
            ]
        );
        assert_eq!(
            created("CREATE TABLE s.t (id serial, code bigserial[], n int); ALTER TABLE u ADD COLUMN n serial8;"),
            [
                "table s.t",
                "column s.t.id",
                "sequence s.t_id_seq",
                "column s.t.code",
                "column s.t.n",
                "column u.n",
                "sequence u_n_seq"
            ]
        );
        assert_eq!(
            created("SELECT id INTO TEMP tmp_ids FROM t; SELECT 1 INTO s.copy; SELECT * FROM t;"),
            ["table tmp_ids", "table s.copy"]
        );
        assert!(matches!(
            all("SELECT id INTO TEMPORARY tmp_ids FROM t").first(),
            Some(Effect::Create {
                shape: Shape::Table { temp: true, .. },
                ..
            })
        ));
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
                ("function f(integer)".to_string(), false),
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
        // With CASCADE a function takes a check, an index, a view, a function
        // whose argument default calls it; a column's default, a domain's
        // check go, not the column or domain.
        let (dh, _) = &dropped("DROP FUNCTION h(int) CASCADE")[0];
        for (sql, goes) in [
            ("ALTER TABLE t ADD CONSTRAINT c CHECK (h(a))", true),
            ("CREATE INDEX i ON t (h(a))", true),
            ("CREATE VIEW v AS SELECT h(a) FROM t", true),
            (
                "CREATE FUNCTION g(x bool DEFAULT h(1)) RETURNS int LANGUAGE sql AS 'SELECT 1'",
                true,
            ),
            ("ALTER TABLE t ADD COLUMN d bool DEFAULT h(1)", false),
            ("CREATE DOMAIN dm AS int CHECK (h(VALUE))", false),
        ] {
            assert_eq!(drop_covers(dh, true, &obj(sql)), goes, "{sql}");
            assert!(!drop_covers(dh, false, &obj(sql)), "{sql}");
        }
        // A type takes a column, a domain, a function; a composite type
        // only loses its attribute.
        let (dt, _) = &dropped("DROP TYPE mood CASCADE")[0];
        for (sql, goes) in [
            ("ALTER TABLE t ADD COLUMN m mood", true),
            ("CREATE DOMAIN dm AS mood", true),
            (
                "CREATE FUNCTION g(m mood) RETURNS int LANGUAGE sql AS 'SELECT 1'",
                true,
            ),
            ("CREATE TYPE c AS (m mood)", false),
        ] {
            assert_eq!(drop_covers(dt, true, &obj(sql)), goes, "{sql}");
        }
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

    #[test]
    fn creates_anything_unnamed() {
        let f = parse_file(
            "x",
            "CREATE INDEX ON t (a); ALTER TABLE t ADD PRIMARY KEY (id); INSERT INTO t VALUES (1);",
        );
        let c: Vec<bool> = f
            .statements
            .iter()
            .map(|s| creates_anything(&s.node, &effects(&s.node), &mut Vec::new()))
            .collect();
        assert_eq!(c, [true, true, false]);
    }
}
