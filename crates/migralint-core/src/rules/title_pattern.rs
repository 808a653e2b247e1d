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
    LowerCamel,
    TitleSnake,
    ScreamingSnake,
}

/// Every style, in the order a tie is broken.
const STYLES: [Style; 6] = [
    Style::Snake,
    Style::Kebab,
    Style::Camel,
    Style::LowerCamel,
    Style::TitleSnake,
    Style::ScreamingSnake,
];

impl Style {
    fn label(self) -> &'static str {
        match self {
            Style::Snake => "snake_case",
            Style::Kebab => "kebab-case",
            Style::Camel => "CamelCase",
            Style::LowerCamel => "lowerCamelCase",
            Style::TitleSnake => "Title_Snake_Case",
            Style::ScreamingSnake => "SCREAMING_SNAKE_CASE",
        }
    }

    /// `title` written in this style.
    fn write(self, title: &str) -> String {
        let snake = snake_case(title);
        let capitalized = |w: &str| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        match self {
            Style::Snake => snake,
            Style::Kebab => snake.replace('_', "-"),
            Style::Camel => snake.split('_').map(capitalized).collect(),
            Style::LowerCamel => snake
                .split('_')
                .enumerate()
                .map(|(i, w)| {
                    if i == 0 {
                        w.to_string()
                    } else {
                        capitalized(w)
                    }
                })
                .collect(),
            Style::TitleSnake => snake
                .split('_')
                .map(capitalized)
                .collect::<Vec<_>>()
                .join("_"),
            Style::ScreamingSnake => snake.to_ascii_uppercase(),
        }
    }

    /// Whether `title` follows this style.
    fn fits(self, title: &str) -> bool {
        // Words joined by `sep`, each of `ok` pieces joined by dots (`2.2.0`).
        let words = |sep: char, ok: fn(&str) -> bool| {
            title
                .split(sep)
                .all(|w| !w.is_empty() && w.split('.').all(|p| !p.is_empty() && ok(p)))
        };
        let lower = |p: &str| {
            p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        let upper = |p: &str| {
            p.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        };
        let capitalized = |p: &str| {
            p.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                && p.bytes()
                    .skip(1)
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        match self {
            Style::Snake => words('_', lower),
            Style::Kebab => words('-', lower),
            Style::Camel | Style::LowerCamel => {
                let first_upper = title.bytes().next().is_some_and(|b| b.is_ascii_uppercase());
                title.bytes().all(|b| b.is_ascii_alphanumeric())
                    && title.bytes().any(|b| b.is_ascii_uppercase())
                    && first_upper == (self == Style::Camel)
            }
            Style::TitleSnake => {
                words('_', capitalized) && title.bytes().any(|b| b.is_ascii_uppercase())
            }
            Style::ScreamingSnake => {
                words('_', upper) && title.bytes().any(|b| b.is_ascii_uppercase())
            }
        }
    }
}

/// What a title's shape says of its convention.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// Follows one convention or more (`Init` is CamelCase and
    /// Title_Snake_Case alike).
    Styles(Vec<Style>),
    /// One lower-case word (dots allowed, `2.2.0`): fits snake and kebab.
    Word,
    /// Follows none: spaces, mixed or doubled separators, empty.
    Other,
}

fn shape(title: &str) -> Shape {
    let fits: Vec<Style> = STYLES.into_iter().filter(|s| s.fits(title)).collect();
    if fits.contains(&Style::Snake) && fits.contains(&Style::Kebab) {
        return Shape::Word;
    }
    if fits.is_empty() {
        Shape::Other
    } else {
        Shape::Styles(fits)
    }
}

fn check(cx: &SetCx, out: &mut Findings) {
    let configured = cx.options.naming.title_configured;
    let pattern = &cx.options.naming.title;
    for (_, files) in cx.dirs {
        // The directory's convention: the style most of its titles follow
        // (snake_case on a tie with it; none when no title has a style).
        let mut counts: Vec<(Style, usize)> = Vec::new();
        for f in files {
            // A title that fits one style only votes for it.
            if let Shape::Styles(fits) = shape(&f.name.title) {
                if let [style] = fits[..] {
                    match counts.iter_mut().find(|(s, _)| *s == style) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((style, 1)),
                    }
                }
            }
        }
        counts.sort_by_key(|&(s, n)| (std::cmp::Reverse(n), s));
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        // A convention is a style that at least three titles follow for
        // each title of any other style: a directory that changed style
        // halfway has none to hold others to (its applied files will not
        // be renamed), while a few outliers of several styles do not make
        // a rival convention.
        let convention = counts
            .first()
            .copied()
            .filter(|&(_, n)| counts[1..].iter().all(|&(_, m)| 3 * m <= n));
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
                (Shape::Styles(fits), Some((c, _))) if fits.contains(&c) => continue,
                // No convention to hold it to (a directory that changed
                // style, or titles that each fit several).
                (Shape::Styles(_), None) => continue,
                (_, Some(c)) => c,
                (Shape::Other, None) => counts.first().map_or((Style::Snake, 0), |&(s, _)| (s, 0)),
            };
            let is = match shape(title) {
                Shape::Styles(fits) => format!("is {}", fits[0].label()),
                _ => format!("follows no naming convention ({})", flaw(title)),
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
            if !fixed.is_empty() && matches!(shape(&fixed), Shape::Styles(_) | Shape::Word) {
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

/// What keeps a title from following any convention, as a reader would
/// put it.
fn flaw(title: &str) -> &'static str {
    let seps = |c: char| c == '_' || c == '-';
    if title.is_empty() {
        "it is empty"
    } else if title.contains(char::is_whitespace) {
        "it has spaces"
    } else if title.contains('_') && title.contains('-') {
        "it mixes `_` and `-`"
    } else if title.starts_with(seps)
        || title.ends_with(seps)
        || title.contains("__")
        || title.contains("--")
    {
        "it has a doubled, leading or trailing separator"
    } else if !title
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || seps(c) || c == '.')
    {
        "it has characters other than letters, digits, `_`, `-` and `.`"
    } else if title.contains(seps) {
        "it mixes upper- and lower-case words"
    } else {
        "it mixes cases"
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

    /// A few outliers of different styles are not a rival convention:
    /// each is reported against the directory's.
    #[test]
    fn outliers_of_several_styles_err() {
        let out = assert_err_files(
            RULE,
            &[
                ("1_init.up.sql", ""),
                ("2_add_users.up.sql", ""),
                ("3_add_email.up.sql", ""),
                ("4_add-phone.up.sql", ""),
                ("5_add_orders.up.sql", ""),
                ("6_AddItems.up.sql", ""),
                ("7_add_items_idx.up.sql", ""),
                ("8_add_x.up.sql", ""),
            ],
        );
        assert!(out.contains("`add-phone` is kebab-case"), "{out}");
        assert!(out.contains("`AddItems` is CamelCase"), "{out}");
        // A directory that changed style halfway still has none.
        assert_ok_files(
            RULE,
            &[
                ("1_add_a.up.sql", ""),
                ("2_add_b.up.sql", ""),
                ("3_add-c.up.sql", ""),
                ("4_add-d.up.sql", ""),
            ],
        );
    }

    /// The message names what is off, and the help writes the title in
    /// the directory's own convention (lowerCamelCase is one of its own).
    #[test]
    fn says_what_is_off_and_proposes_the_directory_style() {
        let snake: Vec<(String, &str)> = (1..=6)
            .map(|i| (format!("{i}_add_thing_{i}.up.sql"), ""))
            .chain([("7_add_URL_column.up.sql".to_string(), "")])
            .collect();
        let files: Vec<(&str, &str)> = snake.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let out = assert_err_files(RULE, &files);
        assert!(
            out.contains("`add_URL_column` follows no naming convention (it mixes upper- and lower-case words)"),
            "{out}"
        );
        assert!(out.contains("7_add_url_column.up.sql"), "{out}");
        let camel: Vec<(String, &str)> = (1..=6)
            .map(|i| (format!("{i}_addThing{i}.up.sql"), ""))
            .chain([("7_add_index.up.sql".to_string(), "")])
            .collect();
        let files: Vec<(&str, &str)> = camel.iter().map(|(n, t)| (n.as_str(), *t)).collect();
        let out = assert_err_files(RULE, &files);
        assert!(
            out.contains("`add_index` is snake_case, but this directory's titles are lowerCamelCase (6 of 7)"),
            "{out}"
        );
        assert!(out.contains("7_addIndex.up.sql"), "{out}");
        for (title, says) in [
            ("add user", "it has spaces"),
            ("add_user-email", "it mixes `_` and `-`"),
            (
                "add__user",
                "it has a doubled, leading or trailing separator",
            ),
            ("add_user!", "it has characters other than"),
        ] {
            assert!(super::flaw(title).starts_with(says), "{title}");
        }
    }

    /// Title_Snake_Case and SCREAMING_SNAKE_CASE are conventions too.
    #[test]
    fn capitalized_conventions() {
        assert_ok_files(
            RULE,
            &[
                ("1_Init.up.sql", ""),
                ("2_Create_Users.up.sql", ""),
                ("3_Add_Email.up.sql", ""),
                ("4_Add_Phone_V2.up.sql", ""),
            ],
        );
        assert_ok_files(
            RULE,
            &[
                ("1_INIT.up.sql", ""),
                ("2_CREATE_USERS.up.sql", ""),
                ("3_ADD_EMAIL.up.sql", ""),
            ],
        );
        let out = assert_err_files(
            RULE,
            &[
                ("1_Init.up.sql", ""),
                ("2_Create_Users.up.sql", ""),
                ("3_Add_Email.up.sql", ""),
                ("4_add_phone.up.sql", ""),
                ("5_Add_City.up.sql", ""),
            ],
        );
        assert!(
            out.contains(
                "`add_phone` is snake_case, but this directory's titles are Title_Snake_Case"
            ),
            "{out}"
        );
        assert!(out.contains("4_Add_Phone.up.sql"), "{out}");
    }
}
