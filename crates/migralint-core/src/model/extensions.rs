//! What well-known extensions define that a schema uses by name: the types
//! a column, domain or function is declared with and the functions a
//! default, check, index or view calls. PostgreSQL refuses `DROP EXTENSION`
//! (without CASCADE) while one of them is in use (`cannot drop extension
//! citext because other objects depend on it`; for an index's operator
//! class: `index t_a_trgm depends on operator class gin_trgm_ops for
//! access method gin`). Data, not a catalog: an
//! extension or member not listed here is simply not followed. Each entry
//! was checked against `pg_depend` on PostgreSQL 15 (contrib); the operator
//! classes are those `pg_opclass` lists as the extension's whose names no
//! `pg_catalog` class has (btree_gin's `int4_ops` for gin shares its name
//! with the core btree class, and is left out).

use super::names::QualName;
use super::objects::{Kind, Obj};

/// An extension and its members, by name.
pub struct Extension {
    pub name: &'static str,
    pub types: &'static [&'static str],
    pub functions: &'static [&'static str],
    /// Operator classes an index names (`USING gin (name gin_trgm_ops)`);
    /// only names that no core operator class has.
    pub opclasses: &'static [&'static str],
}

pub const EXTENSIONS: &[Extension] = &[
    Extension {
        name: "citext",
        types: &["citext"],
        functions: &[],
        opclasses: &["citext_ops", "citext_pattern_ops"],
    },
    Extension {
        name: "hstore",
        types: &["hstore"],
        functions: &[
            "hstore",
            "akeys",
            "avals",
            "skeys",
            "svals",
            "hstore_to_json",
        ],
        opclasses: &[
            "btree_hstore_ops",
            "gin_hstore_ops",
            "gist_hstore_ops",
            "hash_hstore_ops",
        ],
    },
    Extension {
        name: "uuid-ossp",
        types: &[],
        functions: &[
            "uuid_generate_v1",
            "uuid_generate_v1mc",
            "uuid_generate_v3",
            "uuid_generate_v4",
            "uuid_generate_v5",
            "uuid_nil",
        ],
        opclasses: &[],
    },
    Extension {
        name: "pgcrypto",
        types: &[],
        functions: &[
            "crypt",
            "gen_salt",
            "digest",
            "hmac",
            "gen_random_bytes",
            "pgp_sym_encrypt",
            "pgp_sym_decrypt",
        ],
        opclasses: &[],
    },
    Extension {
        name: "ltree",
        types: &["ltree", "lquery", "ltxtquery"],
        functions: &["text2ltree", "ltree2text", "subpath", "nlevel"],
        opclasses: &["gist_ltree_ops", "gist__ltree_ops", "ltree_ops"],
    },
    Extension {
        name: "cube",
        types: &["cube"],
        functions: &[],
        opclasses: &["cube_ops", "gist_cube_ops"],
    },
    Extension {
        name: "isn",
        types: &[
            "ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc",
        ],
        functions: &[],
        opclasses: &[
            "ean13_ops",
            "isbn13_ops",
            "isbn_ops",
            "ismn13_ops",
            "ismn_ops",
            "issn13_ops",
            "issn_ops",
            "upc_ops",
        ],
    },
    Extension {
        name: "pg_trgm",
        types: &[],
        functions: &["similarity", "word_similarity", "show_trgm"],
        opclasses: &["gin_trgm_ops", "gist_trgm_ops"],
    },
    Extension {
        name: "btree_gist",
        types: &[],
        functions: &[],
        opclasses: &[
            "gist_bit_ops",
            "gist_bool_ops",
            "gist_bpchar_ops",
            "gist_bytea_ops",
            "gist_cash_ops",
            "gist_cidr_ops",
            "gist_date_ops",
            "gist_enum_ops",
            "gist_float4_ops",
            "gist_float8_ops",
            "gist_inet_ops",
            "gist_int2_ops",
            "gist_int4_ops",
            "gist_int8_ops",
            "gist_interval_ops",
            "gist_macaddr8_ops",
            "gist_macaddr_ops",
            "gist_numeric_ops",
            "gist_oid_ops",
            "gist_text_ops",
            "gist_time_ops",
            "gist_timestamp_ops",
            "gist_timestamptz_ops",
            "gist_timetz_ops",
            "gist_uuid_ops",
            "gist_vbit_ops",
        ],
    },
];

/// The types and functions extension `name` is known to define, as the
/// objects a column, default or index names them by (in the default
/// schema).
pub fn members(name: &str) -> Vec<Obj> {
    let Some(ext) = EXTENSIONS.iter().find(|e| e.name == name) else {
        return Vec::new();
    };
    let of = |kind: Kind, names: &[&str]| -> Vec<Obj> {
        names
            .iter()
            .map(|n| Obj::new(kind, QualName::new(None, n)))
            .collect()
    };
    let mut out = of(Kind::Type, ext.types);
    out.extend(of(Kind::Function, ext.functions));
    out.extend(of(Kind::OpClass, ext.opclasses));
    out
}
