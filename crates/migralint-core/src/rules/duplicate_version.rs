use crate::engine::context::{Findings, SetCx};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "duplicate-version",
    Naming,
    Error,
    "Two migrations of one directory with the same version and direction, which golang-migrate refuses",
    Check::Set(check)
);

fn check(cx: &SetCx, out: &mut Findings) {
    for (_, files) in cx.dirs {
        // Sorted by version, then direction: equal keys are adjacent.
        for group in files.chunk_by(|a, b| {
            (a.name.version, a.name.direction) == (b.name.version, b.name.direction)
        }) {
            if group.len() < 2 {
                continue;
            }
            for f in group {
                let others: Vec<String> = group
                    .iter()
                    .filter(|o| o.index != f.index)
                    .map(|o| format!("`{}`", o.file_name()))
                    .collect();
                let same_text = group
                    .iter()
                    .all(|o| o.name.version_text == f.name.version_text);
                let number = if same_text {
                    String::new()
                } else {
                    " (leading zeros do not count: the version is a number)".to_string()
                };
                out.report_in(
                    f.index,
                    Span::empty(0),
                    format!(
                        "version {} ({}) is also used by {}{number}: golang-migrate refuses to read a directory \
                         with two {} migrations of one version, so no migration runs",
                        f.name.version,
                        f.name.direction.as_str(),
                        others.join(", "),
                        f.name.direction.as_str()
                    ),
                )
                .help(
                    "give one of them the next free version (rename its up and down files together); if two \
                     branches each added a migration, renumber the one that was merged last",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "duplicate-version";

    #[test]
    fn same_version_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("db/000003_add_email.up.sql", "SELECT 1;"),
                ("db/000003_add_phone.up.sql", "SELECT 1;"),
                ("db/000003_add_email.down.sql", "SELECT 1;"),
            ]
        ));
    }

    #[test]
    fn same_number_different_width_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[("1_a.up.sql", "SELECT 1;"), ("001_b.up.sql", "SELECT 1;")]
        ));
    }

    #[test]
    fn up_and_down_of_one_version_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_init.up.sql", ""),
                ("000001_init.down.sql", ""),
                ("000002_x.up.sql", ""),
                // Different titles in up and down: missing-down says so.
                ("000002_y.down.sql", ""),
            ],
        );
    }

    #[test]
    fn directories_do_not_mix() {
        assert_ok_files(
            RULE,
            &[
                ("service_a/000001_init.up.sql", ""),
                ("service_b/000001_init.up.sql", ""),
            ],
        );
    }
}
