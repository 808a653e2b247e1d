//! End-to-end: every directory under `tests/fixtures/` linted by the real
//! binary; the JSON report is snapshotted (`tests/snapshots/`).

mod common;

use common::{repo_root, run};

#[test]
fn every_fixture_matches_its_snapshot() {
    let root = repo_root().join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "fixtures missing: {names:?}");
    for name in names {
        let path = format!("tests/fixtures/{name}");
        // A fixture may carry its own config (as the wasm parity test
        // gives it too).
        let toml = format!("{path}/migralint.toml");
        let out = if repo_root().join(&toml).exists() {
            run(&["check", "--format", "json", "--config", &toml, &path])
        } else {
            run(&["check", "--format", "json", &path])
        };
        assert!(
            out.code == 0 || out.code == 1,
            "{name}: exit {} {}",
            out.code,
            out.stderr
        );
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
        let errors = report["summary"]["errors"].as_u64().unwrap();
        assert_eq!(
            out.code == 1,
            errors > 0,
            "{name}: exit code and error count disagree"
        );
        insta::with_settings!({snapshot_path => repo_root().join("tests/snapshots"), prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("fixture-{name}"), out.stdout);
        });
    }
}

#[test]
fn seed_has_no_errors() {
    let out = run(&["check", "--format", "json", "tests/fixtures/seed"]);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 0, "{}", out.stdout);
    assert_eq!(report["summary"]["files"], 4);
    assert_eq!(out.code, 0);
}

#[test]
fn hazards_are_all_found() {
    let out = run(&["check", "--format", "compact", "tests/fixtures/hazards"]);
    for rule in [
        "require-concurrent-index-creation",
        "ban-concurrently-in-transaction",
        "require-lock-timeout",
    ] {
        assert!(
            out.stdout.contains(&format!("[{rule}]")),
            "missing {rule} in\n{}",
            out.stdout
        );
    }
    assert_eq!(out.code, 1);
}

#[test]
fn near_misses_raise_no_locking_errors() {
    let out = run(&["check", "--format", "compact", "tests/fixtures/near-misses"]);
    let errors: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains(": error ["))
        .collect();
    assert!(errors.is_empty(), "{}", out.stdout);
}

/// Issue 12, point 1: a transactional up needs no IF [NOT] EXISTS (a
/// failure rolls it back whole); an extension does, a file that COMMIT
/// splits does, and a down gets one finding for all its drops.
#[test]
fn if_exists_rules_follow_atomicity() {
    let out = run(&[
        "check",
        "--format",
        "compact",
        "tests/fixtures/noise-if-exists",
    ]);
    let lines = |rule: &str| -> Vec<String> {
        out.stdout
            .lines()
            .filter(|l| l.contains(&format!("[{rule}]")))
            .map(|l| l.split(": ").next().unwrap_or_default().to_string())
            .collect()
    };
    let create = lines("prefer-create-if-not-exists");
    let drop = lines("prefer-drop-if-exists");
    assert!(
        create.iter().any(|l| l.contains("000001_init.up.sql:1:")),
        "{}",
        out.stdout
    );
    assert!(
        create
            .iter()
            .any(|l| l.contains("000002_backfill.up.sql:1:")),
        "{}",
        out.stdout
    );
    assert!(
        !create.iter().any(|l| l.contains("000001_init.up.sql:2:")),
        "{}",
        out.stdout
    );
    assert!(
        !create.iter().any(|l| l.contains("000001_init.up.sql:6:")),
        "{}",
        out.stdout
    );
    assert_eq!(
        drop.iter()
            .filter(|l| l.contains("000001_init.down.sql"))
            .count(),
        1,
        "{}",
        out.stdout
    );
    assert!(
        drop.iter().any(|l| l.contains("000002_backfill.up.sql:2:")),
        "{}",
        out.stdout
    );
    // The statements of the last transaction roll back with a failure there.
    assert!(
        !create
            .iter()
            .any(|l| l.contains("000002_backfill.up.sql:5:")),
        "{}",
        out.stdout
    );
    assert_eq!(create.len() + drop.len(), 4, "{}", out.stdout);
    // The retry of a concurrent build with IF NOT EXISTS keeps the INVALID
    // index a failed build leaves: if-not-exists-hides-drift says so.
    let drift = lines("if-not-exists-hides-drift");
    assert_eq!(drift.len(), 1, "{}", out.stdout);
    assert!(
        drift[0].contains("000004_retry_users_status_idx.up.sql:2:"),
        "{}",
        out.stdout
    );
}

/// Issue 12, point 3: one finding per statement and hazard (DROP INDEX:
/// the concurrent-deletion finding stands for the lock-timeout one; CREATE
/// INDEX after an ACCESS EXCLUSIVE: the concurrent-creation one stands for
/// the held-lock one; two type changes in one ALTER: one rewrite), and no
/// locking finding in downs at the default `[downs] locking = "off"`.
#[test]
fn one_finding_per_statement_and_hazard() {
    let out = run(&[
        "check",
        "--format",
        "compact",
        "tests/fixtures/noise-one-finding",
    ]);
    let at = |place: &str| -> Vec<&str> {
        out.stdout
            .lines()
            .filter(|l| l.contains(place))
            .filter_map(|l| l.split('[').nth(1)?.split(']').next())
            .collect()
    };
    assert_eq!(
        at("000003_reindex_orders.up.sql:1:"),
        ["require-concurrent-index-deletion"],
        "{}",
        out.stdout
    );
    assert_eq!(
        at("000003_reindex_orders.up.sql:3:"),
        ["require-concurrent-index-creation"],
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("[changing-column-type]").count(),
        1,
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("ALTER COLUMN total TYPE"),
        "{}",
        out.stdout
    );
    for line in out.stdout.lines().filter(|l| l.contains(".down.sql:")) {
        assert!(
            !line.contains("concurrent") && !line.contains("lock"),
            "{line}"
        );
    }
}

/// Issue 12, point 7: a file golang-migrate skips (its name has no
/// `.up.`/`.down.`) gets its one `file-name-format` finding and is not
/// linted as a migration.
#[test]
fn skipped_names_get_only_their_name_finding() {
    let out = run(&[
        "check",
        "--format",
        "compact",
        "tests/fixtures/noise-skipped-names",
    ]);
    let skipped: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("2_add_email_index.sql"))
        .collect();
    assert_eq!(skipped.len(), 1, "{}", out.stdout);
    assert!(skipped[0].contains("[file-name-format]"), "{}", out.stdout);
    // Standard input is still linted as a migration.
    let out = common::run_in(
        &common::repo_root(),
        &["check", "--format", "compact", "-"],
        Some(b"ALTER TABLE users ALTER COLUMN email TYPE bigint USING email::bigint;"),
    );
    assert!(
        out.stdout.contains("[changing-column-type]")
            || out.stdout.contains("[require-lock-timeout]"),
        "{}",
        out.stdout
    );
}

/// Issue 12, point 2: a kebab-case directory is judged against its own
/// convention (only the snake_case outlier is reported), and char(n) of
/// fixed-width identifiers and codes (ULID char(26), currency char(3)) is
/// left alone while a padded name is not.
#[test]
fn conventions_inferred_taste_kept_quiet() {
    let out = run(&[
        "check",
        "--format",
        "compact",
        "tests/fixtures/noise-conventions",
    ]);
    let titles: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("[title-pattern]"))
        .collect();
    // One finding for the pair, on its up.
    assert_eq!(titles.len(), 1, "{}", out.stdout);
    assert!(
        titles[0].contains("3_add_account_phone.up.sql"),
        "{}",
        out.stdout
    );
    let chars: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("[prefer-text-over-char]"))
        .collect();
    assert_eq!(chars.len(), 1, "{}", out.stdout);
    assert!(chars[0].contains("nickname"), "{}", out.stdout);
}
