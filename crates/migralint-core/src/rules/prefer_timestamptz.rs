use crate::engine::context::{Findings, StmtCx};
use crate::model::names::quote_ident;
use crate::rules::helpers::column_type_sites;
use crate::rules::Check;

declare_rule!(
    "prefer-timestamptz",
    Style,
    Warning,
    "timestamp without time zone column: prefer timestamptz",
    Check::Statement(check)
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
        out.report(
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
    }
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
