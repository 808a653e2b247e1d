use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::names::quote_ident;
use crate::rules::fixes;
use crate::rules::helpers::{column_type_sites, ColumnSiteKind, ColumnTypeSite};
use crate::rules::Check;

declare_rule!(
    "prefer-jsonb",
    Style,
    Warning,
    "json column: prefer jsonb",
    Check::Statement(check),
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file restores the shape its up changed: not a new choice.
    if cx.file.is_down() {
        return;
    }
    for site in column_type_sites(cx) {
        if site.ty.name != "json" {
            continue;
        }
        let column = quote_ident(site.column);
        let what = site.subject();
        let array = site.array_suffix();
        out.report(
            site.span,
            format!(
                "{what} `{}`: json keeps the input text and parses it again on every access, has no equality operator \
                 (no DISTINCT, GROUP BY or UNIQUE on it) and cannot be indexed with GIN",
                site.ty
            ),
        )
        .help(format!(
            "use `jsonb{array}`, e.g. `{column} jsonb{array}` (binary, indexable, comparable); keep json only if you need the exact input \
             text back (key order, duplicate keys, whitespace)"
        ))
        .fix_opt(fix(cx, &site));
    }
}

/// Rewrites `json` to `jsonb` (array brackets stay) on a column this
/// statement creates, never an `ALTER COLUMN ... TYPE` of an existing one.
/// Unsafe: jsonb drops duplicate keys, key order and whitespace, so what
/// clients read back changes.
fn fix(cx: &StmtCx, site: &ColumnTypeSite) -> Option<FixSpec> {
    if site.kind == ColumnSiteKind::AlterType {
        return None;
    }
    let at = cx.at(site.type_name.location)?;
    fixes::retype(cx, at, &[&["json"]], false, "jsonb", Applicability::Unsafe)
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "prefer-jsonb";

    #[test]
    fn fix_on_new_columns_only() {
        assert_eq!(
            fixed(RULE, "CREATE TABLE w (a JSON NOT NULL, b json[], c jsonb);").unwrap(),
            "CREATE TABLE w (a JSONB NOT NULL, b jsonb[], c jsonb);"
        );
        assert_eq!(
            fixed(RULE, "ALTER TABLE w ADD COLUMN h json DEFAULT '{}';").unwrap(),
            "ALTER TABLE w ADD COLUMN h jsonb DEFAULT '{}';"
        );
        // An existing column: a rewrite, not a new choice.
        assert_eq!(fixed(RULE, "ALTER TABLE w ALTER COLUMN h TYPE json;"), None);
        assert_eq!(fixed(RULE, "CREATE TABLE w (a pg_catalog.json);"), None);
    }

    #[test]
    fn create_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "create table app.events (id bigint, payload JSON not null default '{}', tags json[]);"
        ));
    }

    #[test]
    fn alter_table_err() {
        assert_err(RULE, "ALTER TABLE events ADD COLUMN meta json;");
        assert_err(
            RULE,
            "ALTER TABLE events ALTER COLUMN meta SET DATA TYPE pg_catalog.json USING meta::json;",
        );
    }

    #[test]
    fn jsonb_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE e (a jsonb, b jsonb[], \"json\" text); ALTER TABLE e ADD COLUMN c jsonb; -- json\nSELECT '{}'::json;",
        );
    }

    #[test]
    fn down_file_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_x.up.sql",
                    "ALTER TABLE e ALTER COLUMN a TYPE jsonb;",
                ),
                (
                    "000001_x.down.sql",
                    "ALTER TABLE e ALTER COLUMN a TYPE json;",
                ),
            ],
        );
    }

    /// `CREATE TABLE IF NOT EXISTS` of a table the history has creates no
    /// column: nothing to choose (checked on PostgreSQL 15: a notice).
    #[test]
    fn skipped_create_table_ok() {
        let first = (
            "000001_t.up.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, doc json);",
        );
        assert_eq!(
            lint_files(RULE, &[first])
                .iter()
                .filter(|d| d.rule == RULE)
                .count(),
            1
        );
        let again = (
            "000002_t.up.sql",
            "CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY, doc json);",
        );
        let diags = lint_files(RULE, &[first, again]);
        assert!(
            !diags.iter().any(|d| d.rule == RULE && d.file == again.0),
            "{diags:#?}"
        );
    }
}
