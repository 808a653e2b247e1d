use pg_query::protobuf::Token;

use crate::engine::context::{Findings, StmtCx};
use crate::fix::{Applicability, FixSpec};
use crate::model::names::quote_ident;
use crate::rules::helpers::{column_type_sites, ColumnTypeSite};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "prefer-timestamptz",
    Style,
    Warning,
    "timestamp without time zone column: prefer timestamptz",
    Check::Statement(check),
    once_per_statement = true
);

fn check(cx: &StmtCx, out: &mut Findings) {
    // A down file restores the shape its up changed: not a new choice.
    if cx.file.is_down() {
        return;
    }
    for site in column_type_sites(cx) {
        if site.ty.name != "timestamp" {
            continue;
        }
        let column = quote_ident(site.column);
        let what = site.subject();
        let array = site.array_suffix();
        let finding = out.report(
            site.span,
            format!(
                "{what} `{}` (timestamp without time zone): it stores a wall-clock reading with no time zone, so the same value means \
                 different instants to clients in different zones, and arithmetic across daylight-saving changes is off by an hour",
                site.ty
            ),
        )
        .help(format!(
            "use `timestamptz{array}` (timestamp with time zone): it stores an absolute instant, takes the same 8 bytes, and shows it in each \
             session's time zone, e.g. `{column} timestamptz{array}`"
        ));
        if let Some(fix) = fix(cx, &site) {
            finding.fix(fix);
        }
    }
}

/// Rewrites the type as written (`timestamp`, `timestamp(3)`, `timestamp
/// without time zone`, array brackets left as they are) to `timestamptz`
/// with the same precision, in the keyword's case. Unsafe: the column then
/// stores instants, so what clients write and read changes meaning (a
/// zone-less literal is read in the session's time zone). Left out when
/// the type is written another way (`pg_catalog.timestamp`, quoted).
fn fix(cx: &StmtCx, site: &ColumnTypeSite) -> Option<FixSpec> {
    let at = cx.at(site.type_name.location)?;
    let tokens = cx.tokens_from(at);
    let first = tokens.first()?;
    let (start, mut end) = (first.start(), first.end());
    if start != at || !first.is(Token::Timestamp) {
        return None;
    }
    let is = |i: usize, t: Token| tokens.get(i).is_some_and(|tok| tok.is(t));
    let mut next = 1;
    let mut precision = "";
    if is(next, Token::Ascii40) {
        let close = (next..tokens.len()).find(|&i| is(i, Token::Ascii41))?;
        precision = cx.text(Span::new(tokens[next].start(), tokens[close].end()));
        end = tokens[close].end();
        next = close + 1;
    }
    if is(next, Token::Without) && is(next + 1, Token::Time) && is(next + 2, Token::Zone) {
        end = tokens[next + 2].end();
    }
    let written = cx.text(Span::new(start, tokens[0].end()));
    let name = if written.chars().all(|c| c.is_ascii_uppercase()) {
        "TIMESTAMPTZ"
    } else {
        "timestamptz"
    };
    Some(
        FixSpec::new("change the type to `timestamptz`", Applicability::Unsafe)
            .replace(Span::new(start, end), format!("{name}{precision}")),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "prefer-timestamptz";

    #[test]
    fn create_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "CREATE TABLE public.\"Events\" (\n  id bigint PRIMARY KEY,\n  -- when it happened\n  created_at TIMESTAMP NOT NULL DEFAULT now(),\n  seen_at timestamp(3) without time zone\n);"
        ));
    }

    #[test]
    fn alter_table_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "ALTER TABLE events ADD COLUMN IF NOT EXISTS done_at timestamp,\n  ALTER COLUMN \"StartAt\" TYPE timestamp[] USING NULL;"
        ));
    }

    #[test]
    fn fix_keeps_precision_case_and_brackets() {
        assert_eq!(
            fixed(RULE, "CREATE TABLE e (a TIMESTAMP NOT NULL, b timestamp (3) without time zone, c timestamp[]);").unwrap(),
            "CREATE TABLE e (a TIMESTAMPTZ NOT NULL, b timestamptz(3), c timestamptz[]);"
        );
        assert_eq!(
            fixed(
                RULE,
                "ALTER TABLE e ADD COLUMN d Timestamp WITHOUT TIME ZONE DEFAULT now();"
            )
            .unwrap(),
            "ALTER TABLE e ADD COLUMN d timestamptz DEFAULT now();"
        );
        assert_eq!(
            fixed(
                RULE,
                "ALTER TABLE e ALTER COLUMN d TYPE timestamp(0) USING d::timestamp;"
            )
            .unwrap(),
            "ALTER TABLE e ALTER COLUMN d TYPE timestamptz(0) USING d::timestamp;"
        );
    }

    #[test]
    fn no_fix_for_other_spellings() {
        assert_eq!(
            fixed(RULE, "CREATE TABLE e (a pg_catalog.timestamp);"),
            None
        );
    }

    #[test]
    fn timestamptz_ok() {
        assert_ok(
            RULE,
            "CREATE TABLE e (a timestamptz, b timestamp with time zone, c timestamptz(3), d date, e time);\n\
             ALTER TABLE e ADD COLUMN f timestamptz, ALTER COLUMN a TYPE timestamptz;",
        );
    }

    #[test]
    fn temporary_table_ok() {
        assert_ok(RULE, "CREATE TEMP TABLE scratch (at timestamp);");
    }

    #[test]
    fn down_file_ok() {
        assert_ok_files(
            RULE,
            &[
                (
                    "000001_x.up.sql",
                    "ALTER TABLE e ALTER COLUMN a TYPE timestamptz;",
                ),
                (
                    "000001_x.down.sql",
                    "ALTER TABLE e ALTER COLUMN a TYPE timestamp;",
                ),
            ],
        );
    }
}
