//! What well-known extensions define that a schema uses by name: the types
//! a column, domain or function is declared with and the functions a
//! default, check, index or view calls. PostgreSQL refuses `DROP EXTENSION`
//! (without CASCADE) while one of them is in use (`cannot drop extension
//! citext because other objects depend on it`). Data, not a catalog: an
//! extension or member not listed here is simply not followed. Each entry
//! was checked against `pg_depend` on PostgreSQL 15 (contrib).

use super::names::QualName;
use super::objects::{Kind, Obj};

/// An extension and its members, by name.
pub struct Extension {
    pub name: &'static str,
    pub types: &'static [&'static str],
    pub functions: &'static [&'static str],
}

pub const EXTENSIONS: &[Extension] = &[
    Extension {
        name: "citext",
        types: &["citext"],
        functions: &[],
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
    },
    Extension {
        name: "ltree",
        types: &["ltree", "lquery", "ltxtquery"],
        functions: &["text2ltree", "ltree2text", "subpath", "nlevel"],
    },
    Extension {
        name: "cube",
        types: &["cube"],
        functions: &[],
    },
    Extension {
        name: "isn",
        types: &[
            "ean13", "isbn", "isbn13", "ismn", "ismn13", "issn", "issn13", "upc",
        ],
        functions: &[],
    },
    Extension {
        name: "pg_trgm",
        types: &[],
        functions: &["similarity", "word_similarity", "show_trgm"],
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
    out
}
