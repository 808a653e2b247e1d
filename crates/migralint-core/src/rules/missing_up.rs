use crate::engine::context::{Findings, SetCx};
use crate::engine::files::of_version;
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "missing-up",
    Pairing,
    Error,
    "A down migration without an up migration of the same version",
    Check::Set(check)
);

fn check(cx: &SetCx, out: &mut Findings) {
    for (_, files) in cx.dirs {
        for down in files.iter().filter(|f| f.is_down()) {
            let version = down.name.version;
            if of_version(files, version).iter().any(|f| f.is_up()) {
                // Paired by version; a title mismatch is missing-down's to report.
                continue;
            }
            let expected = format!(
                "{}_{}.up.{}",
                down.name.version_text, down.name.title, down.name.extension
            );
            out.report_in(
                down.index,
                Span::empty(0),
                format!(
                    "`{}` has no up migration (`{expected}`): golang-migrate treats version {version} as a migration \
                     with nothing to apply, records it as applied, and later runs this down against a schema it \
                     never changed",
                    down.file_name()
                ),
            )
            .help(format!(
                "add `{expected}`, or fix the version in this file's name if it belongs to another up migration"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "missing-up";

    #[test]
    fn no_up_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("db/000001_init.up.sql", "CREATE TABLE a (id int);"),
                ("db/000001_init.down.sql", "DROP TABLE a;"),
                ("db/000002_add_b.down.sql", "DROP TABLE b;"),
            ]
        ));
    }

    #[test]
    fn paired_by_number_ok() {
        assert_ok_files(
            RULE,
            &[
                ("1_a.up.sql", ""),
                ("001_a.down.sql", ""),
                // Titles differ: missing-down reports it, not this rule.
                ("2_x.up.sql", ""),
                ("2_y.down.sql", ""),
            ],
        );
    }

    #[test]
    fn directories_do_not_mix() {
        assert_err_files(
            RULE,
            &[("a/000001_x.up.sql", ""), ("b/000001_x.down.sql", "")],
        );
    }
}
