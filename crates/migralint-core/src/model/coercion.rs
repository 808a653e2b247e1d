//! Whether changing a column's type rewrites the table: binary-coercible
//! changes (wider `varchar`, `varchar` to `text`, wider `numeric` with the
//! same scale, `cidr` to `inet`...) only update the catalog.

use super::names::SqlType;

/// What PostgreSQL does for a type change, judged on the old and new types.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Binary-coercible (or no change): catalog update only.
    Safe,
    /// The table is rewritten; the reason, in words.
    Rewrite(&'static str),
    /// `timestamp` ↔ `timestamptz` (PostgreSQL 12+): no rewrite only when
    /// the session TimeZone is UTC.
    TimeZone,
    /// Binary-coercible, so the rows stay, but the new type sorts and
    /// compares with other operators: every index on the column is rebuilt
    /// (`text` ↔ `citext`; PostgreSQL 15: the table's relfilenode kept,
    /// each index's new). The reason, in words.
    Reindex(&'static str),
}

/// Judges `old` → `new` without USING or COLLATE.
pub fn judge(old: &SqlType, new: &SqlType, pg_version: u32) -> Verdict {
    use Verdict::*;
    if old.array != new.array {
        return Rewrite("array to non-array or back: every value is converted");
    }
    if old.name == new.name && old.mods == new.mods {
        return Safe;
    }
    if old.array {
        return Rewrite("a different array element type: every value is converted");
    }
    // `new` has no limit, or one at least as wide as `old`'s.
    let widens = |old_mods: &[i64], new_mods: &[i64]| match (old_mods, new_mods) {
        (_, []) => true,
        ([o], [n]) => n >= o,
        _ => false,
    };
    match (old.name.as_str(), new.name.as_str()) {
        ("varchar", "varchar") => {
            if widens(&old.mods, &new.mods) {
                Safe
            } else if old.mods.is_empty() {
                Rewrite("a length limit is added: every value must be checked")
            } else {
                Rewrite("a shorter length limit: every value must be checked")
            }
        }
        ("varchar", "text") => Safe,
        ("text", "varchar") if new.mods.is_empty() => Safe,
        ("text", "varchar") => Rewrite("a length limit is added: every value must be checked"),
        ("numeric", "numeric") => match (old.mods.as_slice(), new.mods.as_slice()) {
            (_, []) => Safe,
            ([op, os], [np, ns]) if os == ns && np >= op => Safe,
            ([_, os], [_, ns]) if os != ns => Rewrite("the scale changes: every value is rounded"),
            _ => Rewrite("a narrower precision: every value must be checked"),
        },
        ("cidr", "inet") => Safe,
        // citext's casts from and to text and varchar are binary
        // (`WITHOUT FUNCTION`); a limit added is checked as for varchar.
        ("text" | "varchar", "citext") | ("citext", "text") => Reindex(CITEXT),
        ("citext", "varchar") if new.mods.is_empty() => Reindex(CITEXT),
        ("citext", "varchar") => Rewrite("a length limit is added: every value must be checked"),
        ("varbit", "varbit") => {
            if widens(&old.mods, &new.mods) {
                Safe
            } else {
                Rewrite("a shorter length limit: every value must be checked")
            }
        }
        (a, b) if a == b && matches!(a, "timestamp" | "timestamptz" | "time" | "timetz") => {
            if widens(&old.mods, &new.mods) {
                Safe
            } else {
                Rewrite("a lower fractional-second precision: every value is rounded")
            }
        }
        ("timestamp", "timestamptz") | ("timestamptz", "timestamp")
            if pg_version >= 12 && widens(&old.mods, &new.mods) =>
        {
            TimeZone
        }
        ("timestamp", "timestamptz") | ("timestamptz", "timestamp") => {
            Rewrite("every value is converted through the session time zone")
        }
        _ => Rewrite("not binary-coercible: every value is converted"),
    }
}

const CITEXT: &str =
    "binary-coercible, but citext compares case-insensitively, with other operators than text";

/// Integer types by the values they hold (`int2` < `int4` < `int8`), with
/// the largest, as PostgreSQL's out-of-range error names the type.
const INTEGERS: &[(&str, &str, &str)] = &[
    ("int2", "smallint", "32,767"),
    ("int4", "integer", "2,147,483,647"),
    ("int8", "bigint", "9,223,372,036,854,775,807"),
];

/// Whether `new` may fail to hold a value of `old` (both storage types),
/// and then what PostgreSQL says: `Some((what no longer fits, error))`.
/// Only the plain narrowings: a smaller integer type, a shorter length
/// limit, fewer digits before the decimal point. A limit where `old` has
/// none (`text` to `varchar(n)`, `numeric` to `numeric(p,s)` or to an
/// integer type) is not judged: dropping a limit is often a convention
/// (text over varchar), not a sign that the values outgrew it.
pub fn narrowing(old: &SqlType, new: &SqlType) -> Option<(String, String)> {
    if old.array != new.array {
        return None;
    }
    let rank = |t: &SqlType| INTEGERS.iter().position(|(n, _, _)| *n == t.name);
    if let (Some(o), Some(n)) = (rank(old), rank(new)) {
        let (_, label, max) = INTEGERS[n];
        return (n < o).then(|| {
            (
                format!("a number beyond {max}"),
                format!("{label} out of range"),
            )
        });
    }
    let limited = |t: &SqlType| matches!(t.name.as_str(), "varchar" | "bpchar" | "varbit" | "bit");
    let textual = |t: &SqlType| limited(t) || t.name == "text";
    if textual(old) && limited(new) {
        let [n] = new.mods.as_slice() else {
            return None;
        };
        let wider = match old.mods.as_slice() {
            [o] => o > n,
            _ => false,
        };
        let ty = match new.name.as_str() {
            "varchar" => format!("character varying({n})"),
            "bpchar" => format!("character({n})"),
            "varbit" => format!("bit varying({n})"),
            _ => format!("bit({n})"),
        };
        return wider.then(|| {
            (
                format!("a value longer than {n}"),
                format!("value too long for type {ty}"),
            )
        });
    }
    if old.name == "numeric" && new.name == "numeric" {
        let n = whole_digits(&new.mods)?;
        let fewer = whole_digits(&old.mods).is_some_and(|o| o > n);
        return fewer.then(|| {
            (
                format!("a number of more than {n} digits before the decimal point"),
                "numeric field overflow".to_string(),
            )
        });
    }
    // numeric(p, s) holds p - s digits before the point: int2 takes any of
    // 4, int4 of 9, int8 of 18.
    if let (true, Some(n)) = (old.name == "numeric", rank(new)) {
        let (_, label, max) = INTEGERS[n];
        let overflows = whole_digits(&old.mods).is_some_and(|w| w > [4, 9, 18][n]);
        return overflows.then(|| {
            (
                format!("a number beyond {max}"),
                format!("{label} out of range"),
            )
        });
    }
    None
}

/// The digits before the decimal point of `numeric(p[, s])`: `p - s`
/// (`None` without a precision: no limit).
fn whole_digits(mods: &[i64]) -> Option<i64> {
    match mods {
        [p] => Some(*p),
        [p, s] => Some(p - s),
        _ => None,
    }
}

/// A serial column is stored as its integer type (the sequence is apart).
pub fn storage_type(t: &SqlType) -> SqlType {
    let name = match t.name.as_str() {
        "smallserial" | "serial2" => "int2",
        "serial" | "serial4" => "int4",
        "bigserial" | "serial8" => "int8",
        _ => return t.clone(),
    };
    SqlType {
        name: name.to_string(),
        ..t.clone()
    }
}

/// `ALTER COLUMN c TYPE t` without `USING`, or with `USING c` or
/// `USING c::t`: nothing converted beyond the type change itself (a
/// binary-coercible change stays catalog-only; checked by relfilenode on
/// PostgreSQL 15).
pub fn using_converts_nothing(def: &pg_query::protobuf::ColumnDef, column: &str) -> bool {
    use pg_query::NodeEnum;
    let Some(e) = def.raw_default.as_deref() else {
        return true;
    };
    let is_col = |n: &pg_query::protobuf::Node| {
        matches!(n.node.as_ref(), Some(NodeEnum::ColumnRef(c)) if matches!(
            c.fields.last().and_then(|f| f.node.as_ref()),
            Some(NodeEnum::String(s)) if s.sval == column))
    };
    match e.node.as_ref() {
        Some(NodeEnum::TypeCast(c)) => {
            let new = def.type_name.as_ref().map(SqlType::from_type_name);
            c.arg.as_deref().is_some_and(is_col)
                && c.type_name.as_ref().is_some_and(|t| {
                    new.as_ref().is_some_and(|n| {
                        storage_type(&SqlType::from_type_name(t)) == storage_type(n)
                    })
                })
        }
        _ => is_col(e),
    }
}
