use crate::engine::context::{Findings, SetCx};
use crate::engine::files::dir_of;
use crate::migration::{file_name, MigrationName};
use crate::rules::helpers::snake_case;
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "file-name-format",
    Naming,
    Error,
    "A file whose name is not `{version}_{title}.{up|down}.sql`, which golang-migrate silently skips",
    Check::Set(check)
);

fn check(cx: &SetCx, out: &mut Findings) {
    for (index, file) in cx.files.iter().enumerate() {
        let path = &file.path;
        if path == crate::migration::STDIN_PATH {
            continue;
        }
        let name = file_name(path);
        match &file.name {
            Some(m) if m.extension.eq_ignore_ascii_case("sql") => {}
            Some(m) => {
                let fixed = format!(
                    "{}_{}.{}.sql",
                    m.version_text,
                    m.title,
                    m.direction.as_str()
                );
                out.report_in(
                    index,
                    Span::empty(0),
                    format!(
                        "`{name}` has the extension `.{}`, not `.sql`: golang-migrate does not look at the extension, \
                         so it still reads this file as the {} migration of version {} (and refuses the directory \
                         if another file has that version and direction)",
                        m.extension,
                        m.direction.as_str(),
                        m.version
                    ),
                )
                .help(format!(
                    "rename it to `{fixed}`, or move it out of the migrations directory if it is not a migration"
                ));
            }
            None => {
                let (reason, example) = diagnose(name, &example_version(cx, path));
                out.report_in(
                    index,
                    Span::empty(0),
                    format!(
                        "`{name}` is not a golang-migrate migration name ({reason}): golang-migrate silently skips \
                         the file, so it never runs"
                    ),
                )
                .help(format!(
                    "name migration files `{{version}}_{{title}}.{{up|down}}.sql`, e.g. `{example}` and its \
                     `{}`; if this file is not a migration, keep it out of the migrations directory",
                    example.replace(".up.sql", ".down.sql")
                ));
            }
        }
    }
}

/// Why a name does not match, and the name it probably should have.
fn diagnose(name: &str, next_version: &str) -> (String, String) {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".sql").unwrap_or(&lower);
    let has_sql = stem.len() != lower.len();
    // Direction, however it was written (`.up`, `_up`, `-down`...).
    let mut direction = None;
    let mut rest = stem;
    for (suffix, dir) in [("up", "up"), ("down", "down")] {
        for sep in ['.', '_', '-'] {
            if let Some(r) = stem.strip_suffix(&format!("{sep}{suffix}")) {
                direction = Some((dir, sep));
                rest = r;
            }
        }
    }
    // Version, however it was written (`1_`, `1-`, `V1__` as Flyway does).
    let unprefixed = rest
        .strip_prefix('v')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or(rest);
    let digits = unprefixed.bytes().take_while(u8::is_ascii_digit).count();
    let version = &unprefixed[..digits];
    let after = &unprefixed[digits..];
    // The same bytes in the original case (ASCII lower-casing keeps offsets).
    let start = rest.len() - unprefixed.len() + digits;
    let after_original = &name[start..start + after.len()];
    let title = snake_case(after_original.trim_start_matches(['_', '-', '.', ' ']));
    let title = if title.is_empty() {
        "migration".to_string()
    } else {
        title
    };
    let oversized = crate::migration::oversized_version(name);
    let reason = if let Some(v) = oversized {
        format!(
            "its version {v} is larger than {}, the largest version golang-migrate reads (an unsigned \
             64-bit integer)",
            u64::MAX
        )
    } else if digits == 0 {
        "it does not start with a version number".to_string()
    } else if after.is_empty() {
        "the version must be followed by `_` and a title".to_string()
    } else if !after.starts_with('_') {
        let sep = after.chars().next().unwrap_or('_');
        format!("the version must be followed by `_`, not `{sep}`")
    } else if rest.len() != unprefixed.len() {
        "the version must come first, without a prefix".to_string()
    } else if !has_sql {
        "it does not end in `.up.sql` or `.down.sql`".to_string()
    } else {
        match direction {
            Some((_, '.')) => {
                "golang-migrate's pattern is case-sensitive: `.up` and `.down` must be lower case"
                    .to_string()
            }
            Some((_, sep)) => {
                format!("the direction must be written `.up.sql` or `.down.sql`, not with `{sep}`")
            }
            None => "it has no `.up` or `.down` before `.sql`".to_string(),
        }
    };
    let version = if digits == 0 || oversized.is_some() {
        next_version
    } else {
        version
    };
    let dir = direction.map_or("up", |(d, _)| d);
    (reason, format!("{version}_{title}.{dir}.sql"))
}

/// The next version in the file's directory, written the way the
/// directory writes versions (`000007` after `000006_x`), or `000001`.
fn example_version(cx: &SetCx, path: &str) -> String {
    let dir = dir_of(path);
    let names: Vec<&MigrationName> = cx
        .files
        .iter()
        .filter(|f| dir_of(&f.path) == dir)
        .filter_map(|f| f.name.as_ref())
        .collect();
    let Some(last) = names.iter().max_by_key(|n| n.version) else {
        return "000001".to_string();
    };
    let width = last.version_text.len();
    format!("{:0width$}", last.version.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::diagnose;
    use crate::rules::testing::*;

    const RULE: &str = "file-name-format";

    #[test]
    fn not_a_migration_name_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("db/migrations/000001_init.up.sql", "SELECT 1;"),
                ("db/migrations/000001_init.down.sql", "SELECT 1;"),
                (
                    "db/migrations/add_users.sql",
                    "CREATE TABLE users (id int);"
                ),
            ]
        ));
    }

    #[test]
    fn wrong_extension_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[("migrations/000003_add_email.up.sql.bak", "SELECT 1;")]
        ));
    }

    #[test]
    fn reasons() {
        let d = |n: &str| diagnose(n, "000007");
        assert_eq!(
            d("1-init.up.sql"),
            (
                "the version must be followed by `_`, not `-`".into(),
                "1_init.up.sql".into()
            )
        );
        assert_eq!(
            d("000002_init.sql").0,
            "it has no `.up` or `.down` before `.sql`"
        );
        assert_eq!(d("000002_init.sql").1, "000002_init.up.sql");
        assert_eq!(d("000002_init_down.sql").1, "000002_init.down.sql");
        assert_eq!(
            d("000002_init_down.sql").0,
            "the direction must be written `.up.sql` or `.down.sql`, not with `_`"
        );
        assert_eq!(d("V2__AddUsers.sql").1, "2_add_users.up.sql");
        assert_eq!(d("schema.sql").0, "it does not start with a version number");
        assert_eq!(d("schema.sql").1, "000007_schema.up.sql");
        assert_eq!(d("-").1, "000007_migration.up.sql");
        assert_eq!(d("3_x.Down.sql").1, "3_x.down.sql");
        assert!(d("3_x.Down.sql").0.contains("case-sensitive"));
        assert_eq!(
            d("12.up.sql").0,
            "the version must be followed by `_` and a title"
        );
        assert_eq!(d("12.up.sql").1, "12_migration.up.sql");
    }

    #[test]
    fn migration_names_ok() {
        assert_ok_files(
            RULE,
            &[
                ("m/000001_init.up.sql", "SELECT 1;"),
                ("m/000001_init.down.sql", ""),
                ("m/0050_2.2.0_schema.up.sql", "SELECT 1;"),
                ("20220428190104_message_expiration.down.sql", "SELECT 1;"),
                ("m/2_x.up.SQL", "SELECT 1;"),
            ],
        );
        // A backslash separates directories on Windows only.
        if cfg!(windows) {
            assert_ok_files(RULE, &[("C:\\m\\1_x.up.sql", "SELECT 1;")]);
        } else {
            assert_err_files(RULE, &[("m/a\\1_x.up.sql", "SELECT 1;")]);
        }
    }

    #[test]
    fn version_past_u64_is_named() {
        let (reason, example) = diagnose("99999999999999999999_huge.up.sql", "000007");
        assert_eq!(
            reason,
            "its version 99999999999999999999 is larger than 18446744073709551615, the largest version \
             golang-migrate reads (an unsigned 64-bit integer)"
        );
        assert_eq!(example, "000007_huge.up.sql");
        // Next to the largest version there is no next one: no overflow.
        assert_err_files(
            RULE,
            &[
                ("m/18446744073709551615_max.up.sql", "SELECT 1;"),
                ("m/99999999999999999999_huge.up.sql", "SELECT 1;"),
            ],
        );
    }

    #[test]
    fn stdin_and_bare_names_are_reported() {
        assert_err_files(RULE, &[("-", "SELECT 1;")]);
        assert_err_files(RULE, &[("query.sql", "SELECT 1;")]);
        assert_err_files(RULE, &[("1_init.up", "SELECT 1;")]);
        // golang-migrate's pattern is case-sensitive: `.UP.` is not `.up.`.
        assert_err_files(RULE, &[("1_init.UP.sql", "SELECT 1;")]);
    }
}
