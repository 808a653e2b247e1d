use crate::engine::context::{Findings, SetCx};
use crate::rules::helpers::snake_case;
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "title-pattern",
    Naming,
    Warning,
    "A migration title that breaks its directory's own naming convention (or the pattern configured in naming.title)",
    Check::Set(check)
);

/// The naming conventions of titles a directory may follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Style {
    Snake,
    Kebab,
    Camel,
}

impl Style {
    fn label(self) -> &'static str {
        match self {
            Style::Snake => "snake_case",
            Style::Kebab => "kebab-case",
            Style::Camel => "CamelCase",
        }
    }

    /// `title` written in this style.
    fn write(self, title: &str) -> String {
        let snake = snake_case(title);
        match self {
            Style::Snake => snake,
            Style::Kebab => snake.replace('_', "-"),
            Style::Camel => snake
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

/// What a title's shape says of its convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// Follows one convention.
    Style(Style),
    /// One lower-case word (dots allowed, `2.2.0`): fits snake and kebab.
    Word,
    /// Follows none: spaces, mixed or doubled separators, empty.
    Other,
}

fn shape(title: &str) -> Shape {
    let parts = |sep: char| -> bool {
        title.split(sep).all(|part| {
            !part.is_empty()
                && part.split('.').all(|p| {
                    !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                })
        })
    };
    let has = |c: char| title.contains(c);
    if !has('_') && !has('-') && parts('_') {
        return Shape::Word;
    }
    if has('_') && !has('-') && parts('_') {
        return Shape::Style(Style::Snake);
    }
    if has('-') && !has('_') && parts('-') {
        return Shape::Style(Style::Kebab);
    }
    let camel = !title.is_empty()
        && title.bytes().all(|b| b.is_ascii_alphanumeric())
        && title.bytes().any(|b| b.is_ascii_uppercase());
    if camel {
        return Shape::Style(Style::Camel);
    }
    Shape::Other
}

fn check(cx: &SetCx, out: &mut Findings) {
    let configured = cx.options.naming.title_configured;
    let pattern = &cx.options.naming.title;
    for (_, files) in cx.dirs {
        // The directory's convention: the style most of its titles follow
        // (snake_case on a tie with it; none when no title has a style).
        let mut counts: Vec<(Style, usize)> = Vec::new();
        for f in files {
            if let Shape::Style(style) = shape(&f.name.title) {
                match counts.iter_mut().find(|(s, _)| *s == style) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((style, 1)),
                }
            }
        }
        counts.sort_by_key(|&(s, n)| (std::cmp::Reverse(n), s));
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        // A convention is one that at least three titles in four follow: a
        // directory that changed style halfway has none to hold others to
        // (its applied files will not be renamed).
        let convention = counts.first().copied().filter(|(_, n)| 4 * n >= 3 * total);
        let mixed = convention.is_none() && total > 0;
        // One finding per pair: a down titled like its up goes with it.
        let ups: std::collections::HashSet<(u64, &str)> = files
            .iter()
            .filter(|f| f.name.direction == crate::migration::Direction::Up)
            .map(|f| (f.name.version, f.name.title.as_str()))
            .collect();
        for f in files {
            let name = f.name;
            let title = &name.title;
            // A configured pattern is the convention.
            if configured {
                if pattern.is_match(title) {
                    continue;
                }
                let finding = out.report_in(
                    f.index,
                    Span::empty(0),
                    format!(
                        "migration title `{title}` does not match the title pattern `{}`",
                        pattern.as_str()
                    ),
                );
                let snake = snake_case(title);
                if !snake.is_empty() && pattern.is_match(&snake) {
                    finding.help(format!(
                        "rename it to `{}_{snake}.{}.{}` (and its pair), before it is applied anywhere; the pattern is \
                         `naming.title` in migralint.toml",
                        name.version_text,
                        name.direction.as_str(),
                        name.extension
                    ));
                } else {
                    finding.help(
                        "rename the file so its title (between the version's `_` and `.up`/`.down`) matches the \
                         pattern; the pattern is `naming.title` in migralint.toml",
                    );
                }
                continue;
            }
            if name.direction == crate::migration::Direction::Down
                && ups.contains(&(name.version, title.as_str()))
            {
                continue;
            }
            let (style, n) = match (shape(title), convention) {
                (Shape::Word, _) => continue,
                (Shape::Style(s), Some((c, _))) if s == c => continue,
                (Shape::Style(_), None) if mixed => continue,
                (Shape::Style(s), None) => (s, 0),
                (_, Some(c)) => c,
                (Shape::Other, None) => counts.first().map_or((Style::Snake, 0), |&(s, _)| (s, 0)),
            };
            let is = match shape(title) {
                Shape::Style(s) => format!("is {}", s.label()),
                _ => "follows no naming convention (spaces, mixed or doubled separators, or empty)"
                    .to_string(),
            };
            let theirs = if n > 0 {
                format!(
                    "this directory's titles are {} ({n} of {total})",
                    style.label()
                )
            } else {
                format!("titles are best {}", style.label())
            };
            let finding = out.report_in(
                f.index,
                Span::empty(0),
                format!("migration title `{title}` {is}, but {theirs}"),
            );
            let fixed = style.write(title);
            if !fixed.is_empty() && matches!(shape(&fixed), Shape::Style(_) | Shape::Word) {
                finding.help(format!(
                    "rename it to `{}_{fixed}.{}.{}` (and its pair), before it is applied anywhere",
                    name.version_text,
                    name.direction.as_str(),
                    name.extension
                ));
            } else {
                finding.help(format!(
                    "rename the file so its title (between the version's `_` and `.up`/`.down`) is {}",
                    style.label()
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::rules::testing::*;
    use crate::{lint, LintOptions, SourceFile};

    const RULE: &str = "title-pattern";

    #[test]
    fn camel_case_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("migrations/000044_create_users.up.sql", "SELECT 1;"),
                ("migrations/000045_add_email.up.sql", "SELECT 1;"),
                ("migrations/000046_add_users.up.sql", "SELECT 1;"),
                ("migrations/000047_AddEFGSUploadConfig.up.sql", "SELECT 1;"),
                ("migrations/000048_add_orders.up.sql", "SELECT 1;"),
            ]
        ));
    }

    #[test]
    fn outliers_of_the_directory_convention_err() {
        let snake = ("000001_create_users.up.sql", "");
        assert_err_files(
            RULE,
            &[
                snake,
                ("000003_add_email.up.sql", ""),
                ("000004_add_phone.up.sql", ""),
                ("000002_infection-exposure.up.sql", ""),
            ],
        );
        assert_err_files(RULE, &[snake, ("000002_add users.down.sql", "")]);
        assert_err_files(RULE, &[snake, ("000002__double.up.sql", "")]);
        assert_err_files(RULE, &[snake, ("000002_.up.sql", "")]);
        let out = assert_err_files(
            RULE,
            &[
                ("1_create-users.up.sql", ""),
                ("2_add-email.up.sql", ""),
                ("3_add_phone.up.sql", ""),
                ("3_add_phone.down.sql", ""),
                ("4_add-city.up.sql", ""),
                ("5_add-zip.up.sql", ""),
                ("6_add-country.up.sql", ""),
                ("7_add-region.up.sql", ""),
            ],
        );
        assert!(
            out.contains(
                "`add_phone` is snake_case, but this directory's titles are kebab-case (6 of 8)"
            ),
            "{out}"
        );
        assert!(out.contains("3_add-phone.up.sql"), "{out}");
        // One finding for the pair.
        assert!(!out.contains("3_add_phone.down.sql:"), "{out}");
    }

    /// A directory that follows one convention of its own, kebab-case or
    /// CamelCase, is consistent: golang-migrate does not care.
    #[test]
    fn consistent_directories_ok() {
        assert_ok_files(
            RULE,
            &[
                ("1_create-users.up.sql", ""),
                ("2_add-email.up.sql", ""),
                ("3_init.up.sql", ""),
            ],
        );
        assert_ok_files(
            RULE,
            &[
                ("000060_ExportImport.up.sql", ""),
                ("000061_ExportImportTypes.up.sql", ""),
                ("000062_init.up.sql", ""),
            ],
        );
    }

    #[test]
    fn snake_case_and_dots_ok() {
        assert_ok_files(
            RULE,
            &[
                ("000001_init_extensions.up.sql", ""),
                ("000002_create_user_table.down.sql", ""),
                ("0050_2.2.0_schema.up.sql", ""),
                ("20220428190104_message_expiration.up.sql", ""),
                // Not a migration name: file-name-format reports it.
                ("Schema.sql", ""),
            ],
        );
    }

    #[test]
    fn configured_pattern() {
        let config = Config::from_toml_str("[naming]\ntitle = '^[A-Za-z]+$'\n").unwrap();
        let files = [
            SourceFile::new("000001_AddUsers.up.sql", ""),
            SourceFile::new("000002_add_users.up.sql", ""),
        ];
        let report = lint(
            &files,
            &LintOptions {
                config,
                report_only: None,
            },
        );
        let hits: Vec<&str> = report
            .diagnostics
            .iter()
            .filter(|d| d.rule == RULE)
            .map(|d| d.file.as_str())
            .collect();
        assert_eq!(hits, ["000002_add_users.up.sql"]);
        let d = report.diagnostics.iter().find(|d| d.rule == RULE).unwrap();
        assert!(d.message.contains("^[A-Za-z]+$"), "{}", d.message);
    }
}
