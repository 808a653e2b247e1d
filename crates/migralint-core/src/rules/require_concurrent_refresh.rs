use pg_query::NodeEnum;

use crate::engine::context::{Findings, StmtCx};
use crate::model::QualName;
use crate::rules::helpers::{describe_lock, holds_data, lock_on};
use crate::rules::Check;

declare_rule!(
    "require-concurrent-refresh",
    Locking,
    Warning,
    "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of a view that holds data",
    Check::Statement(check),
    subsumes = &[
        "require-lock-timeout",
        "hold-exclusive-lock-across-statements"
    ]
);

fn check(cx: &StmtCx, out: &mut Findings) {
    let NodeEnum::RefreshMatViewStmt(s) = &cx.stmt.node else {
        return;
    };
    let Some(rv) = &s.relation else { return };
    let view = QualName::from_range_var(rv);
    // A view created earlier in this file: nobody reads it yet.
    if s.concurrent || !holds_data(cx, &view) {
        return;
    }
    if s.skip_data {
        let lock = lock_on(cx, &view).map_or_else(
            || format!("a lock on {view}"),
            |l| format!("{l} ({})", l.mode.blocks()),
        );
        out.report(
            cx.stmt.span,
            format!(
                "REFRESH MATERIALIZED VIEW ... WITH NO DATA takes {lock} and empties {view}: until the next full refresh every query on it fails (materialized view \"{}\" has not been populated)",
                view.name
            ),
        )
        .help(format!(
            "1. keep {view} populated: drop `WITH NO DATA`; 2. refresh it with `REFRESH MATERIALIZED VIEW CONCURRENTLY {view}` \
             (it needs a unique index on the view); 3. if the view is obsolete, stop reading it in the application, then drop it in a later migration"
        ));
        return;
    }
    let lock = describe_lock(cx, &view);
    out.report(
        cx.stmt.span,
        format!(
            "REFRESH MATERIALIZED VIEW without CONCURRENTLY takes {lock} for the whole refresh: every query on {view} waits until the view's query has run again"
        ),
    )
    .help(format!(
        "1. give {view} a unique index on plain columns that covers every row (`CREATE UNIQUE INDEX CONCURRENTLY ... ON {view} (...)`, \
         in its own migration file); 2. then `REFRESH MATERIALIZED VIEW CONCURRENTLY {view}`: it takes EXCLUSIVE, which still \
         blocks other refreshes but lets reads go on while it runs (it may run inside a transaction)"
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "require-concurrent-refresh";

    #[test]
    fn refresh_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "-- nightly stats\nREFRESH MATERIALIZED VIEW\n  public.\"DailyStats\";"
        ));
    }

    #[test]
    fn with_no_data_on_existing_view_err() {
        insta::assert_snapshot!(assert_err(
            RULE,
            "refresh materialized view stats with no data;"
        ));
    }

    #[test]
    fn concurrently_ok() {
        assert_ok(RULE, "REFRESH MATERIALIZED VIEW CONCURRENTLY stats;");
        assert_ok(
            RULE,
            "BEGIN; refresh materialized view concurrently app.stats WITH DATA; COMMIT;",
        );
    }

    #[test]
    fn view_created_in_same_file_ok() {
        assert_ok(
            RULE,
            "CREATE MATERIALIZED VIEW stats AS SELECT 1 AS n WITH NO DATA;\nREFRESH MATERIALIZED VIEW public.stats;",
        );
        assert_ok(
            RULE,
            "CREATE MATERIALIZED VIEW stats AS SELECT 1 AS n; REFRESH MATERIALIZED VIEW stats WITH NO DATA;",
        );
    }

    #[test]
    fn view_from_earlier_migration_err() {
        assert_err_files(
            RULE,
            &[
                (
                    "000001_a.up.sql",
                    "CREATE MATERIALIZED VIEW stats AS SELECT 1 AS n;",
                ),
                ("000002_b.up.sql", "REFRESH MATERIALIZED VIEW stats;"),
            ],
        );
    }

    #[test]
    fn quoted_name_differs() {
        assert_err(
            RULE,
            "CREATE MATERIALIZED VIEW \"Stats\" AS SELECT 1; REFRESH MATERIALIZED VIEW stats;",
        );
    }
}
