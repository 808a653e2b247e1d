use crate::engine::context::{Findings, SetCx};
use crate::engine::files::{of_version, MigFile};
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "missing-down",
    Pairing,
    Warning,
    "An up migration without a down migration of the same version, in a directory that has downs",
    Check::Set(check)
);

fn check(cx: &SetCx, out: &mut Findings) {
    for (_, files) in cx.dirs {
        // A directory without any down file belongs to a team that does not
        // write downs: nothing is missing.
        if !files.iter().any(|f| f.is_down()) {
            continue;
        }
        let mut missing = Vec::new();
        for up in files.iter().filter(|f| f.is_up()) {
            let version = up.name.version;
            let downs: Vec<_> = of_version(files, version)
                .iter()
                .filter(|f| f.is_down())
                .collect();
            if downs
                .iter()
                .any(|d| same_but_verbs(&d.name.title, &up.name.title))
            {
                continue;
            }
            let ups_of_version = of_version(files, version)
                .iter()
                .filter(|f| f.is_up())
                .count();
            match downs.as_slice() {
                [] => missing.push(*up),
                // A clash of several ups is duplicate-version's to report.
                [down] if ups_of_version == 1 => {
                    out.report_in(
                        up.index,
                        Span::empty(0),
                        format!(
                            "`{}` and `{}` share version {version} but their titles differ (`{}` vs `{}`): \
                             golang-migrate pairs them by version, but one of the names is probably a typo",
                            up.file_name(),
                            down.file_name(),
                            up.name.title,
                            down.name.title
                        ),
                    )
                    .help(format!(
                        "rename one so both read `{}_{}.{{up,down}}.{}` (or the other title)",
                        up.name.version_text, up.name.title, up.name.extension
                    ));
                }
                _ => {}
            }
        }
        let ups = files.iter().filter(|f| f.is_up()).count();
        if missing.len() >= UP_ONLY_AT_LEAST && 2 * missing.len() > ups {
            report_up_only(&missing, ups, out);
        } else {
            for up in missing {
                report_one(up, out);
            }
        }
    }
}

/// Ups without a down, in a directory that has downs, from which on most
/// ups lacking one reads as the team's practice (it stopped writing downs,
/// or writes them only for some changes), not a slip: then one finding
/// for the directory, not one per file.
const UP_ONLY_AT_LEAST: usize = 5;

fn report_one(up: MigFile, out: &mut Findings) {
    let version = up.name.version;
    let expected = format!(
        "{}_{}.down.{}",
        up.name.version_text, up.name.title, up.name.extension
    );
    out.report_in(
        up.index,
        Span::empty(0),
        format!(
            "`{}` has no down migration (`{expected}`): `migrate down` past version {version} runs an empty \
             migration in its place and records the rollback, leaving this migration's changes in \
             the database",
            up.file_name()
        ),
    )
    .help(format!(
        "add `{expected}` that undoes this migration (drop what it creates, with IF EXISTS); if it \
         truly cannot be undone, say so in a comment in the down file"
    ));
}

/// One finding, on the newest up without a down, naming the others.
fn report_up_only(missing: &[MigFile], ups: usize, out: &mut Findings) {
    let Some(newest) = missing.iter().max_by_key(|f| f.name.version) else {
        return;
    };
    let mut others: Vec<&MigFile> = missing.iter().filter(|f| f.index != newest.index).collect();
    others.sort_by_key(|f| f.name.version);
    let named: Vec<String> = others
        .iter()
        .map(|f| format!("`{}`", f.file_name()))
        .collect();
    out.report_in(
        newest.index,
        Span::empty(0),
        format!(
            "`{}` and {} other ups of this directory have no down migration ({} of {ups} ups: {}): \
             `migrate down` past each of them runs an empty migration in its place and records the \
             rollback, leaving its changes in the database, and a down further back may then fail on \
             what they left",
            newest.file_name(),
            others.len(),
            missing.len(),
            named.join(", ")
        ),
    )
    .help(
        "if this directory no longer keeps downs, say so once: `ignore = [\"missing-down\"]` in \
         migralint.toml (and expect `migrate down` to be a manual job); else add the downs, newest first"
            .to_string(),
    );
}

/// Words by which an up's and a down's titles say what each file does
/// (`30_add_magic_metadata.up.sql` with `30_drop_magic_metadata.down.sql`):
/// titles that differ only by them name one migration on purpose.
const DOING_AND_UNDOING: &[&str] = &[
    "add",
    "create",
    "insert",
    "enable",
    "introduce",
    "new",
    "init",
    "apply",
    "up",
    "drop",
    "remove",
    "delete",
    "disable",
    "revert",
    "undo",
    "rollback",
    "reverse",
    "destroy",
    "down",
    "rm",
    "del",
];

/// Equal titles, or titles equal once the words of `DOING_AND_UNDOING`
/// are left out (words split at `_`, `-`, `.` and spaces, any case).
fn same_but_verbs(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let words = |t: &str| -> Vec<String> {
        t.split(['_', '-', '.', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .filter(|w| !DOING_AND_UNDOING.contains(&w.as_str()))
            .collect()
    };
    let (wa, wb) = (words(a), words(b));
    !wa.is_empty() && wa == wb
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "missing-down";

    #[test]
    fn no_down_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("db/000001_init.up.sql", "CREATE TABLE a (id int);"),
                ("db/000001_init.down.sql", "DROP TABLE a;"),
                ("db/000002_add_b.up.sql", "CREATE TABLE b (id int);"),
            ]
        ));
    }

    #[test]
    fn titles_differ_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                (
                    "000001_add_email.up.sql",
                    "ALTER TABLE u ADD COLUMN email text;"
                ),
                (
                    "000001_add_emial.down.sql",
                    "ALTER TABLE u DROP COLUMN email;"
                ),
            ]
        ));
    }

    /// ente names each file for what it does: the titles differ by the
    /// verbs of doing and undoing only.
    #[test]
    fn titles_named_for_what_each_file_does_ok() {
        for (up, down) in [
            ("30_add_magic_metadata", "30_drop_magic_metadata"),
            (
                "64_collection_pub_magic_metadata",
                "64_collection_drop_pub_magic_metadata",
            ),
            ("7_create-users-table", "7_remove-users-table"),
            ("8_enable_RLS", "8_disable_rls"),
        ] {
            assert_ok_files(
                RULE,
                &[
                    (&format!("db/{up}.up.sql"), "SELECT 1;"),
                    (&format!("db/{down}.down.sql"), "SELECT 1;"),
                ],
            );
        }
        // Another subject, or nothing but verbs in common: reported.
        for (up, down) in [("9_add_email", "9_drop_phone"), ("10_add", "10_drop")] {
            assert_err_files(
                RULE,
                &[
                    (&format!("db/{up}.up.sql"), "SELECT 1;"),
                    (&format!("db/{down}.down.sql"), "SELECT 1;"),
                ],
            );
        }
    }

    /// flipt kept downs for 5 of its first 8 versions and none after: most
    /// ups lacking a down is the team's practice, said once for the
    /// directory, on the newest such up; a few lacking one is a slip in
    /// each file.
    #[test]
    fn up_only_practice_is_one_finding() {
        let mut files: Vec<(String, &str)> = vec![
            ("db/1_a.up.sql".into(), "SELECT 1;"),
            ("db/1_a.down.sql".into(), "SELECT 1;"),
        ];
        for v in 2..=6 {
            files.push((format!("db/{v}_b{v}.up.sql"), "SELECT 1;"));
        }
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        let diags = only(RULE, lint_files(RULE, &refs));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].file.ends_with("6_b6.up.sql"), "{}", diags[0].file);
        assert!(
            diags[0].message.contains("and 4 other ups")
                && diags[0].message.contains("5 of 6 ups")
                && diags[0].message.contains("`2_b2.up.sql`, `3_b3.up.sql`"),
            "{}",
            diags[0].message
        );
        // Four missing of five: still one per file.
        let refs: Vec<(&str, &str)> = refs[..refs.len() - 1].to_vec();
        assert_eq!(only(RULE, lint_files(RULE, &refs)).len(), 4);
        // Five missing but not most ups: one per file.
        let mut with_downs = files.clone();
        for v in 7..=12 {
            with_downs.push((format!("db/{v}_c.up.sql"), "SELECT 1;"));
            with_downs.push((format!("db/{v}_c.down.sql"), "SELECT 1;"));
        }
        let refs: Vec<(&str, &str)> = with_downs.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        assert_eq!(only(RULE, lint_files(RULE, &refs)).len(), 5);
    }

    #[test]
    fn directory_without_downs_ok() {
        assert_ok_files(
            RULE,
            &[
                ("0001_initial_schema.up.sql", "CREATE TABLE a (id int);"),
                ("0002_1.7.0_schema.up.sql", "CREATE TABLE b (id int);"),
            ],
        );
    }

    #[test]
    fn paired_ok() {
        assert_ok_files(
            RULE,
            &[
                ("m/1_a.up.sql", ""),
                ("m/001_a.down.sql", ""),
                ("m/20240101120000_b.up.sql", ""),
                ("m/20240101120000_b.down.sql", ""),
            ],
        );
    }

    #[test]
    fn directories_do_not_mix() {
        // `b/` has no downs at all; `a/`'s down does not pair with `b/`'s up.
        assert_ok_files(
            RULE,
            &[
                ("a/000001_x.up.sql", ""),
                ("a/000001_x.down.sql", ""),
                ("b/000001_x.up.sql", ""),
            ],
        );
        assert_err_files(
            RULE,
            &[
                ("a/000001_x.down.sql", ""),
                ("a/000002_y.down.sql", ""),
                ("a/000002_y.up.sql", ""),
                ("b/000001_x.up.sql", ""),
                ("a/000001_z.up.sql", ""),
            ],
        );
    }
}
