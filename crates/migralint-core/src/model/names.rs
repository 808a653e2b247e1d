//! Names and types as the parser reports them (unquoted identifiers are
//! already folded to lower case by the parser; quoted ones keep their case).

use std::fmt;

use pg_query::protobuf::{a_const, Node, RangeVar, TypeName};
use pg_query::NodeEnum;

/// A possibly schema-qualified object name. Unqualified names are assumed
/// to live in `public` when objects are matched.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualName {
    pub schema: Option<String>,
    pub name: String,
}

impl QualName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        QualName {
            schema: schema.filter(|s| !s.is_empty()).map(str::to_string),
            name: name.to_string(),
        }
    }

    pub fn from_range_var(rv: &RangeVar) -> Self {
        QualName::new(Some(&rv.schemaname), &rv.relname)
    }

    /// From a list of `String` nodes such as `DROP TABLE a.b` objects.
    pub fn from_list(items: &[Node]) -> Option<Self> {
        let parts = string_list(items);
        match parts.as_slice() {
            [name] => Some(QualName::new(None, name)),
            [schema, name] => Some(QualName::new(Some(schema), name)),
            [_, schema, name] => Some(QualName::new(Some(schema), name)),
            _ => None,
        }
    }

    /// `self.key() == *key`, without building the key.
    pub fn has_key(&self, key: &(String, String)) -> bool {
        self.schema.as_deref().unwrap_or("public") == key.0 && self.name == key.1
    }

    /// The identity used to match objects: `(schema or "public", name)`.
    pub fn key(&self) -> (String, String) {
        (
            self.schema.clone().unwrap_or_else(|| "public".into()),
            self.name.clone(),
        )
    }
}

impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{}.", quote_ident(schema))?;
        }
        f.write_str(&quote_ident(&self.name))
    }
}

/// Quotes an identifier when Postgres would need it (upper case, spaces...).
pub fn quote_ident(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The `sval`s of a list of `String` nodes.
pub fn string_list(items: &[Node]) -> Vec<String> {
    items
        .iter()
        .filter_map(|n| node_string(n).map(str::to_string))
        .collect()
}

pub fn node_string(node: &Node) -> Option<&str> {
    match node.node.as_ref()? {
        NodeEnum::String(s) => Some(&s.sval),
        _ => None,
    }
}

/// The integer value of an `A_Const`, if it is one.
pub fn node_int(node: &Node) -> Option<i64> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            a_const::Val::Ival(i) => Some(i.ival as i64),
            _ => None,
        },
        NodeEnum::Integer(i) => Some(i.ival as i64),
        _ => None,
    }
}

/// A column type reduced to what rules compare: base name (as Postgres
/// stores it: `int4`, `varchar`, `timestamptz`...), modifiers, array-ness.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SqlType {
    pub name: String,
    pub mods: Vec<i64>,
    pub array: bool,
}

impl SqlType {
    pub fn from_type_name(tn: &TypeName) -> Self {
        SqlType::from_parts(
            &string_list(&tn.names),
            tn.typmods.iter().filter_map(node_int).collect(),
            !tn.array_bounds.is_empty(),
        )
    }

    /// The one canonical form of a type, whatever its spelling: the
    /// internal name (`integer` → `int4`, `character varying` → `varchar`),
    /// no `pg_catalog.` or `public.` (the default `search_path`), an
    /// array's element type with `array` set (`_text` is `text[]`; any
    /// number of dimensions is one array type), `numeric(p)` as
    /// `numeric(p,0)`.
    pub fn from_parts(parts: &[String], mut mods: Vec<i64>, mut array: bool) -> Self {
        let mut name = match parts {
            [schema, name] if schema == "pg_catalog" || schema == "public" => name.clone(),
            _ => parts.join("."),
        };
        if let Some(element) = name
            .strip_prefix('_')
            .filter(|e| !e.is_empty() && !e.contains('.'))
        {
            name = element.to_string();
            array = true;
        }
        let name = canonical_type(&name).to_string();
        if name == "numeric" && mods.len() == 1 {
            mods.push(0);
        }
        SqlType { name, mods, array }
    }

    pub fn is_serial(&self) -> bool {
        matches!(
            self.name.as_str(),
            "serial" | "bigserial" | "smallserial" | "serial2" | "serial4" | "serial8"
        )
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(display_type(&self.name))?;
        if !self.mods.is_empty() {
            let mods: Vec<String> = self.mods.iter().map(i64::to_string).collect();
            write!(f, "({})", mods.join(","))?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// Maps SQL spellings to Postgres' internal names.
pub fn canonical_type(name: &str) -> &str {
    match name {
        "integer" | "int" => "int4",
        "smallint" => "int2",
        "bigint" => "int8",
        "real" => "float4",
        "double precision" | "float" => "float8",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" | "char" => "bpchar",
        "decimal" => "numeric",
        "timestamp with time zone" => "timestamptz",
        "time with time zone" => "timetz",
        other => other,
    }
}

/// Postgres' internal names back to what users write.
pub fn display_type(name: &str) -> &str {
    match name {
        "int4" => "integer",
        "int2" => "smallint",
        "int8" => "bigint",
        "float4" => "real",
        "float8" => "double precision",
        "bool" => "boolean",
        "bpchar" => "char",
        other => other,
    }
}
