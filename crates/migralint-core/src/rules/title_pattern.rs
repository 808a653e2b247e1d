use crate::engine::context::{Findings, SetCx};
use crate::rules::helpers::snake_case;
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "title-pattern",
    Naming,
    Warning,
    "A migration title that does not match the configured pattern (snake_case by default)",
    Check::Set(check)
);

fn check(cx: &SetCx, out: &mut Findings) {
    let pattern = &cx.options.naming.title;
    for (index, file) in cx.files.iter().enumerate() {
        let Some(name) = &file.name else { continue };
        if pattern.is_match(&name.title) {
            continue;
        }
        let finding = out.report_in(
            index,
            Span::empty(0),
            format!(
                "migration title `{}` does not match the title pattern `{}`",
                name.title,
                pattern.as_str()
            ),
        );
        let snake = snake_case(&name.title);
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
            &[("migrations/000047_AddEFGSUploadConfig.up.sql", "SELECT 1;")]
        ));
    }

    #[test]
    fn dashes_and_spaces_err() {
        assert_err_files(RULE, &[("000002_infection-exposure.up.sql", "")]);
        assert_err_files(RULE, &[("000002_add users.down.sql", "")]);
        assert_err_files(RULE, &[("000002__double.up.sql", "")]);
        assert_err_files(RULE, &[("000002_.up.sql", "")]);
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
