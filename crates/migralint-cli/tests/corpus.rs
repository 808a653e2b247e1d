//! Real SQL nobody here wrote (`../shared/corpus`, present in CI, absent in
//! a user's clone: these tests then say so and pass without checking).
//! Every file lints without a crash; shipped up migrations give no
//! syntax error; the nine known-broken down files give one at their first
//! faulty statement; naming and pairing accept the real folders.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{repo_root, run};

fn corpus() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap())
    } else {
        eprintln!("SKIPPED: ../shared/corpus is absent (it exists in CI only)");
        None
    }
}

fn lint_json(path: &std::path::Path) -> serde_json::Value {
    lint_json_with(path, &[])
}

fn lint_json_with(path: &std::path::Path, flags: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(flags);
    args.push(path.to_str().unwrap());
    let out = run(&args);
    assert!(
        out.code == 0 || out.code == 1,
        "{}: exit {}: {}",
        path.display(),
        out.code,
        out.stderr
    );
    serde_json::from_str(&out.stdout).expect("JSON report")
}

const REALWORLD: [&str; 5] = [
    "golang__pkgsite",
    "google__exposure-notifications-server",
    "goharbor__harbor",
    "raystack__frontier",
    "svix__svix-webhooks",
];

/// The files upstream committed with invalid SQL, with the line, column and
/// token of their first fault.
const BROKEN: [(&str, usize, usize, &str); 9] = [
    (
        "golang__pkgsite/000056_drop_units_path_not_null.down.sql",
        7,
        41,
        "\"NOT\"",
    ),
    (
        "golang__pkgsite/000066_add_symbol_type_type.down.sql",
        7,
        49,
        "\"'Type'\"",
    ),
    (
        "golang__pkgsite/000103_add_big_package_symbol_path_ids.down.sql",
        7,
        53,
        "end of input",
    ),
    (
        "golang__pkgsite/000122_add_symbol_search_columns.down.sql",
        12,
        54,
        "\"goos\"",
    ),
    (
        "google__exposure-notifications-server/000032_add_revised_transmission_risk.down.sql",
        18,
        40,
        "\"INT\"",
    ),
    (
        "google__exposure-notifications-server/000047_AddEFGSUploadConfig.down.sql",
        26,
        29,
        "\"exportbatchstatus\"",
    ),
    (
        "google__exposure-notifications-server/000059_ExportConfigTypes.down.sql",
        31,
        49,
        "\"ON\"",
    ),
    (
        "google__exposure-notifications-server/000061_ExportImportTypes.down.sql",
        24,
        75,
        "\"USING\"",
    ),
    (
        "google__exposure-notifications-server/000070_ImportFilePublicKeyTypes.down.sql",
        23,
        81,
        "\"USING\"",
    ),
];

#[test]
fn realworld_syntax_errors_exactly_where_upstream_broke() {
    let Some(corpus) = corpus() else { return };
    let mut first: BTreeMap<String, (u64, u64, String)> = BTreeMap::new();
    for folder in REALWORLD {
        let report = lint_json(&corpus.join("realworld").join(folder));
        for d in report["diagnostics"].as_array().unwrap() {
            if d["rule"] != "syntax-error" {
                continue;
            }
            let file = d["file"].as_str().unwrap();
            let rel = file.split("realworld/").nth(1).unwrap().to_string();
            assert!(
                !rel.ends_with(".up.sql"),
                "shipped up migration reported as invalid: {d}"
            );
            first.entry(rel).or_insert((
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            ));
        }
    }
    let expected: Vec<&str> = BROKEN.iter().map(|b| b.0).collect();
    assert_eq!(
        first.keys().map(String::as_str).collect::<Vec<_>>(),
        expected
    );
    for (file, line, col, token) in BROKEN {
        let (l, c, msg) = &first[file];
        assert_eq!((*l as usize, *c as usize), (line, col), "{file}: {msg}");
        assert!(msg.contains(token), "{file}: {msg}");
    }
}

#[test]
fn realworld_naming_and_pairing_accept_real_folders() {
    let Some(corpus) = corpus() else { return };
    let mut summary = String::new();
    for folder in REALWORLD {
        let report = lint_json(&corpus.join("realworld").join(folder));
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for d in report["diagnostics"].as_array().unwrap() {
            let rule = d["rule"].as_str().unwrap();
            *counts.entry(rule.to_string()).or_default() += 1;
            let bad = [
                "file-name-format",
                "version-width",
                "duplicate-version",
                "missing-up",
            ];
            assert!(!bad.contains(&rule), "{folder}: {d}");
            if folder == "goharbor__harbor" {
                assert_ne!(
                    rule, "missing-down",
                    "a folder with no downs at all is a choice: {d}"
                );
            }
        }
        summary.push_str(&format!("{folder}: {counts:?}\n"));
    }
    // Not an assertion: the hazard counts on real history, for reading false alarms.
    eprintln!("{summary}");
}

#[test]
fn postgres_regression_sql_lints_without_crashing() {
    let Some(corpus) = corpus() else { return };
    // Not migrations: with file-name-format on they would be skipped files
    // (one name finding each); linted as SQL with it off.
    let report = lint_json_with(
        &corpus.join("postgres-regress"),
        &["--ignore", "file-name-format"],
    );
    assert_eq!(report["summary"]["files"], 223);
    let diags = report["diagnostics"].as_array().unwrap();
    // The one Windows-1252 file is reported, not fatal.
    assert!(
        diags.iter().any(|d| d["file"]
            .as_str()
            .unwrap()
            .ends_with("collate.windows.win1252.sql")
            && d["message"].as_str().unwrap().contains("not valid UTF-8")),
        "non-UTF-8 file not reported"
    );
    // Files with psql meta-commands do not parse: each is reported, with a position.
    let with_errors: std::collections::BTreeSet<&str> = diags
        .iter()
        .filter(|d| d["rule"] == "syntax-error")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(with_errors.len() >= 100, "{}", with_errors.len());
    assert!(with_errors.iter().any(|f| f.ends_with("/psql.sql")));
    for d in diags {
        assert!(
            d["line"].as_u64().unwrap() >= 1 && d["column"].as_u64().unwrap() >= 1,
            "{d}"
        );
    }
}
