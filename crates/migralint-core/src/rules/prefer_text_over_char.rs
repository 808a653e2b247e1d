use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::names::{quote_ident, string_list};
use crate::rules::fixes;
use crate::rules::helpers::{column_type_sites, snake_case, ColumnSiteKind, ColumnTypeSite};
use crate::rules::Check;

declare_rule!(
    "prefer-text-over-char",
    Style,
    Warning,
    "char(n) column: blank-padded, no faster than text",
    Check::Statement(check),
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file restores the shape its up changed: not a new choice.
    if cx.file.is_down() {
        return;
    }
    for site in column_type_sites(cx) {
        // `char(n)`/`character(n)` parse as `pg_catalog.bpchar`; a quoted
        // `"char"` is PostgreSQL's one-byte internal type: leave it alone.
        let names = string_list(&site.type_name.names);
        if names.last().map(String::as_str) != Some("bpchar") {
            continue;
        }
        let column = quote_ident(site.column);
        let what = site.subject();
        // `char` alone is `char(1)` (the parser says so); `bpchar` alone
        // has no length: it does not pad, but still ignores trailing
        // spaces (checked on PostgreSQL 15).
        let n = site.ty.mods.first().copied();
        if fixed_width(site.column, n) {
            continue;
        }
        let array = site.array_suffix();
        let (message, help) = match n {
            Some(n) => (
                format!(
                    "{what} `char({n}){array}`: char(n) pads every value with spaces to {n} character{} and ignores trailing spaces when comparing, \
                     which surprises clients, and it is no faster than text (it is stored the same way)",
                    if n == 1 { "" } else { "s" }
                ),
                format!(
                    "use `text{array}` (e.g. `{column} text{array}`), with `CHECK (char_length({column}) = {n})` if the length must be exact, \
                     or `varchar({n})` for a maximum length"
                ),
            ),
            None => (
                format!(
                    "{what} `bpchar{array}`: blank-padded character with no length, which ignores trailing spaces when comparing and drops \
                     them when cast to text, which surprises clients, and it is no faster than text (it is stored the same way)"
                ),
                format!("use `text{array}` (e.g. `{column} text{array}`)"),
            ),
        };
        out.report(site.span, message)
            .help(help)
            .fix_opt(fix(cx, &site));
    }
}

/// The spellings of `char(n)`.
const CHAR: &[&[&str]] = &[
    &["char"],
    &["character"],
    &["nchar"],
    &["bpchar"],
    &["national", "char"],
    &["national", "character"],
];

/// Rewrites `char(n)` (any spelling, modifier included; array brackets
/// stay) to `text` on a column this statement creates, never an `ALTER
/// COLUMN ... TYPE` of an existing one. Unsafe: values are no longer
/// padded nor limited to n characters, and trailing spaces count in
/// comparisons.
fn fix(cx: &StmtCx, site: &ColumnTypeSite) -> Option<FixSpec> {
    if site.kind == ColumnSiteKind::AlterType {
        return None;
    }
    let at = cx.at(site.type_name.location)?;
    fixes::retype(cx, at, CHAR, true, "text", Applicability::Unsafe)
}

/// Fixed-width formats by their width: a `char(n)` of one of these widths
/// holds values that never pad (every value has exactly `n` characters).
const FIXED_WIDTHS: &[(i64, &str)] = &[
    (1, "one-character code or flag"),
    (2, "ISO 3166-1 alpha-2 country, ISO 639-1 language"),
    (
        3,
        "ISO 4217 currency, ISO 3166-1 alpha-3 country, ISO 639-2 language",
    ),
    (26, "ULID"),
    (27, "KSUID"),
    (32, "MD5 hex, UUID without dashes"),
    (36, "UUID"),
    (40, "SHA-1 hex"),
    (64, "SHA-256 hex"),
    (128, "SHA-512 hex"),
];

/// Words of a column name that say it holds a fixed-width code or
/// identifier, whatever its width.
const CODE_WORDS: &[&str] = &[
    "code",
    "iso",
    "country",
    "currency",
    "lang",
    "language",
    "locale",
    "ulid",
    "uuid",
    "guid",
    "ksuid",
    "hash",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "checksum",
    "digest",
    "fingerprint",
    "iban",
    "bic",
    "swift",
    "isbn",
    "ean",
    "upc",
    "zip",
    "zipcode",
    "postcode",
];

/// `char(n)` holds a fixed-width code or identifier: its width is that of
/// a fixed-width format, or its name says it is a code. Padding never
/// happens then, and `char(n)` documents the width. The name's words are
/// its snake_case words (`"postalCode"` is `postal_code`), and its last
/// word says what it is (`name_code` is a code, `code_name` a name).
fn fixed_width(column: &str, n: Option<i64>) -> bool {
    let snake = snake_case(column);
    let words: Vec<&str> = snake
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    match words.last() {
        Some(w) if CODE_WORDS.contains(w) => return true,
        Some(w) if FREE_TEXT_WORDS.contains(w) => return false,
        _ => {}
    }
    // A name that says free text (`first_name char(32)`, `country_name`)
    // is padded text, whatever its width.
    if words.iter().any(|w| FREE_TEXT_WORDS.contains(w)) {
        return false;
    }
    n.is_some_and(|n| FIXED_WIDTHS.iter().any(|(w, _)| *w == n))
        || words.iter().any(|w| CODE_WORDS.contains(w))
}

/// Words of a column name that say it holds free text: padding it with
/// spaces changes what the application reads back.
const FREE_TEXT_WORDS: &[&str] = &[
    "name",
    "firstname",
    "lastname",
    "username",
    "title",
    "description",
    "comment",
    "comments",
    "note",
    "notes",
    "bio",
    "address",
    "street",
    "city",
    "email",
    "message",
    "body",
    "summary",
];

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "prefer-text-over-char";

    #[test]
    fn fix_on_new_columns_only() {
        assert_eq!(
            fixed(
                RULE,
                "CREATE TABLE c (a CHAR(5) PRIMARY KEY, b national character (7)[], d char(12), e varchar(4));"
            )
            .unwrap(),
            "CREATE TABLE c (a TEXT PRIMARY KEY, b text[], d text, e varchar(4));"
        );
        assert_eq!(
            fixed(
                RULE,
                "ALTER TABLE c ADD COLUMN f character(50) NOT NULL DEFAULT '';"
            )
            .unwrap(),
            "ALTER TABLE c ADD COLUMN f text NOT NULL DEFAULT '';"
        );
        assert_eq!(
            fixed(RULE, "ALTER TABLE c ALTER COLUMN f TYPE char(8);"),
            None
        );
    }

    #[test]
    fn create_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE countries (\n  code CHAR(2) PRIMARY KEY,\n  flag character,\n  name char(50)\n);"
        ));
    }

    #[test]
    fn fixed_width_codes_and_identifiers_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (id char(26) PRIMARY KEY, country char(2), cur char(3), u char(36), sha char(64),\n\
             access_code char(1), file_hash character(20), locale_tag char(5));",
        );
    }

    /// A camelCase name's words count as snake_case ones, and the last
    /// word says what the column is.
    #[test]
    fn code_names_in_any_case_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE a (id bigint PRIMARY KEY, \"postalCode\" char(5), \"stateCode\" char(4), \"ZipCode\" char(9), \
             name_code char(6), zip char(5));",
        );
        let out = assert_err(
            RULE,
            "CREATE TABLE a (id bigint PRIMARY KEY, \"displayName\" char(2), code_name char(10));",
        );
        assert!(
            out.contains("displayName") && out.contains("code_name"),
            "{out}"
        );
    }

    /// `bpchar` without a length does not pad (PostgreSQL 15: `bpchar`
    /// column, `'abc  '` reads back `abc`, length 3): no `char(1)`, and no
    /// fixed width to excuse it.
    #[test]
    fn bpchar_without_length_is_not_char_1() {
        let out = assert_err(RULE, "CREATE TABLE b (id bigint PRIMARY KEY, flag bpchar);");
        assert!(
            out.contains("`bpchar`") && !out.contains("char(1)"),
            "{out}"
        );
        assert_ok(
            RULE,
            "CREATE TABLE b (id bigint PRIMARY KEY, flag char, f2 character);",
        );
    }

    #[test]
    fn one_finding_even_when_one_column_has_no_fix() {
        let out = assert_err(
            RULE,
            "CREATE TABLE a (id bigint PRIMARY KEY, n1 char(100), n2 char(100), n5 pg_catalog.bpchar(50));",
        );
        assert_eq!(out.matches("[prefer-text-over-char]").count(), 1, "{out}");
    }

    #[test]
    fn free_text_names_err() {
        // Padded text whatever the width: `first_name LIKE 'Bob'` is false.
        let out = assert_err(
            RULE,
            "CREATE TABLE t (first_name char(32), email char(64), country_name char(60), city char(40));",
        );
        for c in ["first_name", "email", "country_name", "city"] {
            assert!(out.contains(c), "{c}: {out}");
        }
    }

    #[test]
    fn alter_table_err() {
        assert_err(RULE, "ALTER TABLE t ADD COLUMN c char(35);");
        assert_err(RULE, "ALTER TABLE t ALTER COLUMN c TYPE character(10);");
        assert_err(RULE, "ALTER TABLE t ADD COLUMN c bpchar(4)[];");
    }

    #[test]
    fn varchar_text_internal_char_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE t (a varchar(10), b character varying, c text, d \"char\", \"char\" int);\n\
             ALTER TABLE t ALTER COLUMN a TYPE varchar(20);",
        );
    }

    #[test]
    fn down_file_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_x.up.sql", "ALTER TABLE t ALTER COLUMN c TYPE text;"),
                (
                    "000001_x.down.sql",
                    "ALTER TABLE t ALTER COLUMN c TYPE char(2);",
                ),
            ],
        );
    }
}
