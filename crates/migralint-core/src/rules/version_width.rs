use crate::engine::context::{Findings, SetCx};
use crate::engine::files::MigFile;
use crate::rules::Check;
use crate::source::Span;

declare_rule!(
    "version-width",
    Naming,
    Warning,
    "Migration versions in one directory written in different widths or styles",
    Check::Set(check)
);

/// How a directory writes its versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    /// Every version has exactly this many digits (`000042`, `20240101120000`).
    Fixed(usize),
    /// Plain numbers without leading zeros (`1`, `2`, `10`).
    Unpadded,
}

/// Plain numbers this long are sequence numbers, not timestamps.
const MAX_UNPADDED_WIDTH: usize = 9;

impl Style {
    fn fits(self, version_text: &str) -> bool {
        match self {
            Style::Fixed(w) => version_text.len() == w,
            Style::Unpadded => {
                (version_text == "0" || !version_text.starts_with('0'))
                    && version_text.len() <= MAX_UNPADDED_WIDTH
            }
        }
    }

    fn describe(self) -> String {
        match self {
            Style::Fixed(14) => "14-digit timestamp versions (YYYYMMDDhhmmss)".to_string(),
            Style::Fixed(w) => format!("{w}-digit versions"),
            Style::Unpadded => "plain version numbers without leading zeros".to_string(),
        }
    }
}

fn check(cx: &SetCx, out: &mut Findings) {
    for (_, files) in cx.dirs {
        let Some(style) = majority(files) else {
            continue;
        };
        let Some(example) = files.iter().find(|f| style.fits(&f.name.version_text)) else {
            continue;
        };
        for f in files.iter().filter(|f| !style.fits(&f.name.version_text)) {
            let v = &f.name.version_text;
            let written = if v.len() > 1 && v.starts_with('0') {
                format!("zero-padded to {} digits", v.len())
            } else {
                format!(
                    "{} digit{} wide",
                    v.len(),
                    if v.len() == 1 { "" } else { "s" }
                )
            };
            let consequence = consequence(style, f, files);
            let finding = out.report_in(
                f.index,
                Span::empty(0),
                format!(
                    "version `{v}` is {written}, but this directory uses {} (e.g. `{}`){consequence}",
                    style.describe(),
                    example.file_name()
                ),
            );
            let fixed = match style {
                Style::Fixed(w) if v.len() < w && w < 10 => Some(format!("{:0w$}", f.name.version)),
                Style::Unpadded => Some(f.name.version.to_string()),
                _ => None,
            };
            match fixed {
                Some(fixed) => finding.help(format!(
                    "rename it to `{fixed}_{}.{}.{}` (and its pair); keep one width, e.g. `migrate create -seq -digits {}`",
                    f.name.title,
                    f.name.direction.as_str(),
                    f.name.extension,
                    match style {
                        Style::Fixed(w) => w,
                        Style::Unpadded => 1,
                    }
                )),
                None => finding.help(format!(
                    "give it a version written like `{}` (this directory's style), above the last version already \
                     applied, so it still runs; rename its pair the same way",
                    example.name.version_text
                )),
            };
        }
    }
}

/// The style most files follow; ties go to a fixed width, then to the
/// style of the first version.
fn majority(files: &[MigFile]) -> Option<Style> {
    if files.len() < 2 {
        return None;
    }
    let mut candidates: Vec<Style> = files
        .iter()
        .map(|f| Style::Fixed(f.name.version_text.len()))
        .collect();
    candidates.push(Style::Unpadded);
    candidates.dedup();
    let score = |s: Style| {
        files
            .iter()
            .filter(|f| s.fits(&f.name.version_text))
            .count()
    };
    let first = &files[0].name.version_text;
    candidates.into_iter().max_by_key(|&s| {
        (
            score(s),
            matches!(s, Style::Fixed(_)),
            s.fits(first),
            // Stable choice among equals: the widest.
            match s {
                Style::Fixed(w) => w,
                Style::Unpadded => 0,
            },
        )
    })
}

/// What goes wrong beyond looks: a sequence number among timestamps sorts
/// before every timestamp, so a database already past them never runs it.
fn consequence(style: Style, f: &MigFile, files: &[MigFile]) -> String {
    let below = files
        .iter()
        .filter(|o| style.fits(&o.name.version_text))
        .all(|o| o.name.version > f.name.version);
    let above = files
        .iter()
        .filter(|o| style.fits(&o.name.version_text))
        .all(|o| o.name.version < f.name.version);
    let width = f.name.version_text.len();
    match style {
        Style::Fixed(w) if w >= 10 && width < w && below => {
            ": its number is below every other version, so golang-migrate orders it first, and a database \
             already migrated past it never runs it"
                .to_string()
        }
        Style::Fixed(w) if w < 10 && width >= 10 && above => {
            ": its number is above every other version, so every sequence number added after it sorts \
             before it and never runs on a database that applied it"
                .to_string()
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::*;

    const RULE: &str = "version-width";

    #[test]
    fn different_width_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("db/000001_init.up.sql", "SELECT 1;"),
                ("db/000002_users.up.sql", "SELECT 1;"),
                ("db/3_email.up.sql", "SELECT 1;"),
                ("db/3_email.down.sql", "SELECT 1;"),
            ]
        ));
    }

    #[test]
    fn sequence_among_timestamps_err() {
        insta::assert_snapshot!(assert_err_files(
            RULE,
            &[
                ("m/20230507191406_create_base_tables.up.sql", "SELECT 1;"),
                ("m/20230731211912_create_domain_table.up.sql", "SELECT 1;"),
                ("m/000003_add_role.up.sql", "SELECT 1;"),
            ]
        ));
    }

    #[test]
    fn padded_among_unpadded_err() {
        assert_err_files(
            RULE,
            &[
                ("1_a.up.sql", ""),
                ("2_b.up.sql", ""),
                ("10_c.up.sql", ""),
                ("011_d.up.sql", ""),
            ],
        );
    }

    #[test]
    fn consistent_styles_ok() {
        // Unpadded numbers grow in width: one style.
        let unpadded: Vec<(String, &str)> = (1..=12)
            .map(|v| (format!("m/{v}_step.up.sql"), "SELECT 1;"))
            .collect();
        let files: Vec<(&str, &str)> = unpadded.iter().map(|(p, t)| (p.as_str(), *t)).collect();
        assert_ok_files(RULE, &files);
        assert_ok_files(
            RULE,
            &[
                ("0001_initial_schema.up.sql", ""),
                ("0050_2.2.0_schema.up.sql", ""),
                ("0190_2.14.0_schema.up.sql", ""),
            ],
        );
        assert_ok_files(
            RULE,
            &[
                ("20220123205937_initial.up.sql", ""),
                ("20220123205937_initial.down.sql", ""),
                ("20220125145204_foreign_keys.up.sql", ""),
            ],
        );
        // A 6-digit sequence past 99999 needs no leading zero.
        assert_ok_files(RULE, &[("099999_a.up.sql", ""), ("100000_b.up.sql", "")]);
    }

    #[test]
    fn directories_do_not_mix() {
        assert_ok_files(
            RULE,
            &[
                ("a/000001_x.up.sql", ""),
                ("a/000002_y.up.sql", ""),
                ("b/20240101120000_x.up.sql", ""),
                ("b/20240101120001_y.up.sql", ""),
            ],
        );
    }
}
