//! The fix engine on hand-made reports (the rules' own fixes are tested
//! from their pages, in `page_tests`).

use super::*;
use crate::report::{Diagnostic, Report, Severity};
use crate::SourceFile;

/// An edit of `file` replacing `text[start..end]`.
fn edit(file: &str, start: usize, end: usize, content: &str) -> Edit {
    Edit {
        file: file.into(),
        span: Span::new(start, end),
        line: 1,
        column: start + 1,
        end_line: 1,
        end_column: end + 1,
        content: content.into(),
        new_file: false,
    }
}

fn create(file: &str, content: &str) -> Edit {
    Edit {
        file: file.into(),
        span: Span::empty(0),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        content: content.into(),
        new_file: true,
    }
}

fn fix(applicability: Applicability, edits: Vec<Edit>) -> Fix {
    Fix {
        message: "rewrite".into(),
        applicability,
        edits,
    }
}

fn diag(file: &str, fixes: Vec<Fix>) -> Diagnostic {
    Diagnostic {
        rule: "prefer-timestamptz",
        severity: Severity::Warning,
        file: file.into(),
        span: Span::empty(0),
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
        message: "m".into(),
        help: None,
        stands_for: Vec::new(),
        fixes,
    }
}

fn report(diagnostics: Vec<Diagnostic>) -> Report {
    Report {
        diagnostics,
        files: 1,
    }
}

const F: &str = "a.sql";
const SQL: &str = "CREATE TABLE t (a timestamp);\n";

fn files() -> Vec<SourceFile> {
    vec![SourceFile::new(F, SQL)]
}

fn text_of(r: &FixResult, path: &str) -> Option<String> {
    r.files
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.text.clone())
}

const SAFE: FixOptions = FixOptions {
    unsafe_fixes: false,
};
const ALL: FixOptions = FixOptions { unsafe_fixes: true };

#[test]
fn applies_a_safe_fix() {
    let at = SQL.find("timestamp").unwrap();
    let r = apply_fixes(
        &files(),
        &report(vec![diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, at, at + 9, "timestamptz")],
            )],
        )]),
        &SAFE,
    );
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE t (a timestamptz);\n");
    assert_eq!(r.applied.len(), 1);
    assert!(r.skipped.is_empty());
    assert!(!r.files[0].created);
}

#[test]
fn unsafe_fixes_need_the_option() {
    let at = SQL.find("timestamp").unwrap();
    let rep = report(vec![diag(
        F,
        vec![fix(
            Applicability::Unsafe,
            vec![edit(F, at, at + 9, "timestamptz")],
        )],
    )]);
    let r = apply_fixes(&files(), &rep, &SAFE);
    assert!(r.files.is_empty() && r.applied.is_empty());
    assert_eq!(r.unselected, 1);
    let r = apply_fixes(&files(), &rep, &ALL);
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE t (a timestamptz);\n");
    assert_eq!(r.unselected, 0);
}

#[test]
fn the_first_selected_alternative_is_applied() {
    let at = SQL.find("timestamp").unwrap();
    let rep = report(vec![diag(
        F,
        vec![
            fix(
                Applicability::Unsafe,
                vec![edit(F, at, at + 9, "timestamptz")],
            ),
            fix(Applicability::Safe, vec![edit(F, at, at + 9, "date")]),
        ],
    )]);
    let r = apply_fixes(&files(), &rep, &SAFE);
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE t (a date);\n");
    let r = apply_fixes(&files(), &rep, &ALL);
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE t (a timestamptz);\n");
}

#[test]
fn overlapping_and_touching_edits_conflict_first_wins() {
    let at = SQL.find("timestamp").unwrap();
    let rep = report(vec![
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, at, at + 9, "timestamptz")],
            )],
        ),
        // Overlaps the first.
        diag(
            F,
            vec![fix(Applicability::Safe, vec![edit(F, at + 4, at + 9, "x")])],
        ),
        // An insertion where the first ends: order-dependent.
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, at + 9, at + 9, "(3)")],
            )],
        ),
        // Elsewhere: fine.
        diag(
            F,
            vec![fix(Applicability::Safe, vec![edit(F, 13, 14, "u")])],
        ),
    ]);
    let r = apply_fixes(&files(), &rep, &SAFE);
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE u (a timestamptz);\n");
    assert_eq!(r.applied.len(), 2);
    assert_eq!(r.skipped.len(), 2);
    assert!(r
        .skipped
        .iter()
        .all(|s| matches!(s.reason, SkipReason::Conflict { .. })));
}

#[test]
fn a_fix_applies_whole_or_not_at_all() {
    let at = SQL.find("timestamp").unwrap();
    let rep = report(vec![
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, at, at + 9, "timestamptz")],
            )],
        ),
        // Its second edit conflicts: the first (renaming t) must not land.
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, 13, 14, "u"), edit(F, at, at + 9, "date")],
            )],
        ),
    ]);
    let r = apply_fixes(&files(), &rep, &SAFE);
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE t (a timestamptz);\n");
    assert_eq!(r.skipped.len(), 1);
}

#[test]
fn identical_fixes_of_two_diagnostics_apply_once() {
    let at = SQL.find("timestamp").unwrap();
    let f = || {
        fix(
            Applicability::Safe,
            vec![edit(F, at, at + 9, "timestamptz")],
        )
    };
    let r = apply_fixes(
        &files(),
        &report(vec![diag(F, vec![f()]), diag(F, vec![f()])]),
        &SAFE,
    );
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE t (a timestamptz);\n");
    assert_eq!(r.applied.len(), 2);
    assert!(r.skipped.is_empty());
}

#[test]
fn a_fix_that_breaks_the_syntax_is_refused() {
    let at = SQL.find("timestamp").unwrap();
    let rep = report(vec![
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, at, at + 9, "timestamp (")],
            )],
        ),
        diag(
            F,
            vec![fix(Applicability::Safe, vec![edit(F, 13, 14, "u")])],
        ),
    ]);
    let r = apply_fixes(&files(), &rep, &SAFE);
    // The broken one is skipped, the next still applies.
    assert_eq!(text_of(&r, F).unwrap(), "CREATE TABLE u (a timestamp);\n");
    assert_eq!(r.skipped.len(), 1);
    match &r.skipped[0].reason {
        SkipReason::WouldNotParse { file, line, .. } => {
            assert_eq!(file, F);
            assert_eq!(*line, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(r.skipped[0].reason.to_string().contains("would not parse"));
}

#[test]
fn a_file_with_syntax_errors_may_be_fixed_without_adding_any() {
    let text = "CREATE TABLE t (a timestamp);\nSELEC 1;\n";
    let files = vec![SourceFile::new(F, text)];
    let at = text.find("timestamp").unwrap();
    let rep = report(vec![
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, at, at + 9, "timestamptz")],
            )],
        ),
        diag(
            F,
            vec![fix(Applicability::Safe, vec![edit(F, 0, 0, "SELEC 2;\n")])],
        ),
    ]);
    let r = apply_fixes(&files, &rep, &SAFE);
    assert_eq!(
        text_of(&r, F).unwrap(),
        "CREATE TABLE t (a timestamptz);\nSELEC 1;\n"
    );
    assert!(matches!(
        r.skipped[0].reason,
        SkipReason::WouldNotParse { .. }
    ));
}

#[test]
fn creates_new_files_but_never_over_existing_ones() {
    let new = "000002_b.up.sql";
    let rep = report(vec![
        diag(
            F,
            vec![fix(Applicability::Safe, vec![create(new, "SELECT 1;\n")])],
        ),
        // The same file, same content: the same fix twice.
        diag(
            F,
            vec![fix(Applicability::Safe, vec![create(new, "SELECT 1;\n")])],
        ),
        // The same file with other content: refused.
        diag(
            F,
            vec![fix(Applicability::Safe, vec![create(new, "SELECT 2;\n")])],
        ),
        // A file of the set: refused.
        diag(
            F,
            vec![fix(Applicability::Safe, vec![create(F, "SELECT 3;\n")])],
        ),
        // A new file that does not parse: refused.
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![create("000003_c.up.sql", "SELEC 1;")],
            )],
        ),
    ]);
    let r = apply_fixes(&files(), &rep, &SAFE);
    assert_eq!(
        r.files,
        vec![FixedFile {
            path: new.into(),
            text: "SELECT 1;\n".into(),
            created: true
        }]
    );
    assert_eq!(r.applied.len(), 2);
    let reasons: Vec<&SkipReason> = r.skipped.iter().map(|s| &s.reason).collect();
    assert!(matches!(reasons[0], SkipReason::FileExists { file } if file == new));
    assert!(matches!(reasons[1], SkipReason::FileExists { file } if file == F));
    assert!(matches!(reasons[2], SkipReason::WouldNotParse { .. }));
}

#[test]
fn never_creates_a_second_migration_of_one_version() {
    // Two fixes each adding a migration after 000002 (a split and a
    // validation): the second would give golang-migrate two ups of
    // version 3.
    let files = vec![
        SourceFile::new("m/000002_b.up.sql", "SELECT 1;\n"),
        SourceFile::new("m/000004_d.up.sql", "SELECT 1;\n"),
        SourceFile::new("other/000003_x.up.sql", "SELECT 1;\n"),
    ];
    let rep = report(vec![
        diag(
            "m/000002_b.up.sql",
            vec![fix(
                Applicability::Safe,
                vec![
                    create("m/000003_b_concurrently.up.sql", "SELECT 2;\n"),
                    create("m/000003_b_concurrently.down.sql", "-- x\n"),
                ],
            )],
        ),
        diag(
            "m/000002_b.up.sql",
            vec![fix(
                Applicability::Safe,
                vec![create("m/000003_b_validate.up.sql", "SELECT 3;\n")],
            )],
        ),
        // An existing version of the directory.
        diag(
            "m/000002_b.up.sql",
            vec![fix(
                Applicability::Safe,
                vec![create("m/000004_z.up.sql", "SELECT 4;\n")],
            )],
        ),
        // Version 3 in another directory, a down of version 4, a file that
        // is not a migration: fine.
        diag(
            "m/000002_b.up.sql",
            vec![fix(
                Applicability::Safe,
                vec![
                    create("m/000004_d.down.sql", "SELECT 5;\n"),
                    create("other/000004_y.up.sql", "SELECT 6;\n"),
                    create("m/notes.sql", "SELECT 7;\n"),
                ],
            )],
        ),
    ]);
    let r = apply_fixes(&files, &rep, &SAFE);
    let created: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        created,
        [
            "m/000003_b_concurrently.up.sql",
            "m/000003_b_concurrently.down.sql",
            "m/000004_d.down.sql",
            "other/000004_y.up.sql",
            "m/notes.sql"
        ]
    );
    let reasons: Vec<String> = r.skipped.iter().map(|s| s.reason.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "it creates m/000003_b_validate.up.sql, a second migration of the version of m/000003_b_concurrently.up.sql",
            "it creates m/000004_z.up.sql, a second migration of the version of m/000004_d.up.sql",
        ]
    );
}

#[test]
fn refuses_edits_that_do_not_fit_and_unknown_or_non_utf8_files() {
    let files = vec![
        SourceFile::new(F, "SELECT 'é';\n"),
        SourceFile::from_bytes("b.sql", b"SELECT '\xff';\n".to_vec()),
    ];
    let e = SQL.len();
    let rep = report(vec![
        // Out of range.
        diag(
            F,
            vec![fix(Applicability::Safe, vec![edit(F, e + 5, e + 6, "x")])],
        ),
        // Inside `é` (bytes 8..10).
        diag(F, vec![fix(Applicability::Safe, vec![edit(F, 9, 9, "x")])]),
        diag(
            "b.sql",
            vec![fix(
                Applicability::Safe,
                vec![edit("b.sql", 0, 6, "select")],
            )],
        ),
        diag(
            "c.sql",
            vec![fix(Applicability::Safe, vec![edit("c.sql", 0, 0, "x")])],
        ),
        // Two edits of one fix overlapping each other.
        diag(
            F,
            vec![fix(
                Applicability::Safe,
                vec![edit(F, 0, 6, "select"), edit(F, 3, 4, "x")],
            )],
        ),
    ]);
    let r = apply_fixes(&files, &rep, &SAFE);
    assert!(r.files.is_empty());
    let reasons: Vec<&SkipReason> = r.skipped.iter().map(|s| &s.reason).collect();
    assert!(matches!(reasons[0], SkipReason::BadEdit { .. }));
    assert!(matches!(reasons[1], SkipReason::BadEdit { .. }));
    assert!(matches!(reasons[2], SkipReason::NotUtf8 { file } if file == "b.sql"));
    assert!(matches!(reasons[3], SkipReason::UnknownFile { file } if file == "c.sql"));
    assert!(matches!(reasons[4], SkipReason::BadEdit { .. }));
}

#[test]
fn apply_edits_keeps_the_rest() {
    let text = "abcdef";
    let out = apply::apply_edits(
        text,
        &[
            (Span::empty(0), ">".into()),
            (Span::new(2, 4), "XY Z".into()),
            (Span::new(6, 6), "<".into()),
        ],
    );
    assert_eq!(out, ">abXY Zef<");
}
