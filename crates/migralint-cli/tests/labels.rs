//! Signal over noise, measured on real migration history nobody here wrote
//! (`../shared/corpus/realworld`, present in CI, absent in a user's clone:
//! the test then says so and passes without checking).
//!
//! `tests/labels/realworld.tsv` is a hand-labelled sample of the default
//! config's diagnostics on the five real folders: each one *act* (a
//! reviewer would ask for a change, or the finding names a real hazard
//! the team should know of), *noise* (true but not worth acting on) or
//! *wrong* (false), with a one-line reason. This test lints the folders
//! again and checks, against the current output:
//! - every labelled *act* finding is still reported (recall on real history);
//! - precision over the labelled findings still reported does not fall
//!   below `PRECISION_FLOOR` (what it is today; issue 12's target is 90%,
//!   not reached: the per-rule figures this test prints show where);
//!   it also prints what the precision is when the noise kinds the labels
//!   file names are set apart (downs' IF [NOT] EXISTS, which issue 12
//!   reports by design; noise only facts outside the SQL reveal);
//! - the sample still covers at least 250 current diagnostics;
//! - the default config reports at most 200 diagnostics per 100 files.
//!
//! `tests/labels/realworld-added.tsv` labels, in full, what checks added
//! after the sample was drawn report on the folders: its *act* findings
//! must stay reported too, but it is not a sample and does not count in the
//! precision above.
//!
//! A finding is identified by folder, file name, line, column and rule.
//! `tests/labels/sample.py` lists current diagnostics that carry no label
//! (to extend the sample when output changes).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use common::{repo_root, run};

const REALWORLD: [&str; 5] = [
    "golang__pkgsite",
    "google__exposure-notifications-server",
    "goharbor__harbor",
    "raystack__frontier",
    "svix__svix-webhooks",
];

/// The precision of the default output on the labelled sample, as measured
/// when the sample was labelled (45.2%, December 2026; 48.0% now): a floor,
/// raised as rules improve. Issue 12's target is 0.90.
const PRECISION_FLOOR: f64 = 0.47;

/// (folder, file name, line, column, rule)
type Key = (String, String, u64, u64, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Act,
    Noise(Why),
    Wrong,
}

/// Why a true finding is noise: what it would take to tell it apart from
/// an act finding of the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Something the SQL and its history show (`noise`).
    Sql,
    /// Facts outside the SQL: the size of a table, or a project that
    /// upgrades offline (`noise:outside`).
    Outside,
    /// A down's missing IF [NOT] EXISTS, which issue 12 point 1(c) has
    /// reported by design (`noise:down`).
    Down,
}

fn realworld() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/corpus/realworld");
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap())
    } else {
        eprintln!("SKIPPED: ../shared/corpus/realworld is absent (it exists in CI only)");
        None
    }
}

/// The labels file: `folder file line column rule label reason`, tab-separated;
/// `#` lines are comments.
fn labels(file: &str) -> BTreeMap<Key, (Label, String)> {
    let path = repo_root().join("tests/labels").join(file);
    let text = std::fs::read_to_string(&path).expect(file);
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 7, "{file}:{}: 7 tab-separated fields", n + 1);
        let label = match f[5] {
            "act" => Label::Act,
            "noise" => Label::Noise(Why::Sql),
            "noise:outside" => Label::Noise(Why::Outside),
            "noise:down" => Label::Noise(Why::Down),
            "wrong" => Label::Wrong,
            other => panic!("{file}:{}: unknown label {other:?}", n + 1),
        };
        assert!(
            !f[6].trim().is_empty(),
            "{file}:{}: a label needs its reason",
            n + 1
        );
        let key = (
            f[0].to_string(),
            f[1].to_string(),
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
            f[4].to_string(),
        );
        // Findings that differ only by message share a key: they carry
        // the same label and count once.
        if let Some((earlier, _)) = out.insert(key, (label, f[6].to_string())) {
            assert_eq!(earlier, label, "{file}:{}: one key, two labels", n + 1);
        }
    }
    out
}

/// The current default-config diagnostics of each folder, and its file count.
fn current(root: &std::path::Path) -> (Vec<Key>, usize) {
    let mut keys = Vec::new();
    let mut files = 0;
    for app in REALWORLD {
        let dir = root.join(app);
        files += std::fs::read_dir(&dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".sql")
            })
            .count();
        let out = run(&["check", "--format", "json", dir.to_str().unwrap()]);
        assert!(out.code <= 1, "{app}: exit {}: {}", out.code, out.stderr);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        for d in report["diagnostics"].as_array().unwrap() {
            let file = d["file"].as_str().unwrap();
            let name = file.rsplit('/').next().unwrap().to_string();
            keys.push((
                app.to_string(),
                name,
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            ));
        }
    }
    (keys, files)
}

#[test]
fn default_output_on_real_history_is_signal() {
    let Some(root) = realworld() else { return };
    let added = labels("realworld-added.tsv");
    let labels = labels("realworld.tsv");
    let (keys, files) = current(&root);
    let present: BTreeSet<&Key> = keys.iter().collect();

    let lost: Vec<String> = labels
        .iter()
        .chain(&added)
        .filter(|(k, (l, _))| *l == Label::Act && !present.contains(k))
        .map(|(k, (_, why))| format!("  {}/{}:{}:{} {} ({why})", k.0, k.1, k.2, k.3, k.4))
        .collect();
    let (mut act, mut labelled) = (0usize, 0usize);
    let (mut down, mut outside) = (0usize, 0usize);
    let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for k in &present {
        if let Some((label, _)) = labels.get(*k) {
            labelled += 1;
            match label {
                Label::Noise(Why::Down) => down += 1,
                Label::Noise(Why::Outside) => outside += 1,
                _ => {}
            }
            let e = by_rule.entry(k.4.as_str()).or_default();
            e.1 += 1;
            if *label == Label::Act {
                act += 1;
                e.0 += 1;
            }
        }
    }
    let precision = act as f64 / labelled.max(1) as f64;
    let per_100 = 100.0 * keys.len() as f64 / files as f64;
    eprintln!(
        "{} diagnostics on {files} files ({per_100:.0} per 100 files); {labelled} labelled, \
         {act} act: precision {:.1}%",
        keys.len(),
        100.0 * precision
    );
    let pct = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
    eprintln!(
        "  {down} noise labels are downs' IF [NOT] EXISTS (point 1(c)): counted as act, {:.1}%",
        pct(act + down, labelled)
    );
    eprintln!(
        "  {outside} more rest on facts outside the SQL (table size, offline upgrades): leaving them \
         out too, {:.1}% of what the SQL can decide",
        pct(act + down, labelled - outside)
    );
    for (rule, (a, n)) in &by_rule {
        eprintln!("  {rule}: {a}/{n} act");
    }
    let added_act = added.values().filter(|(l, _)| *l == Label::Act).count();
    eprintln!(
        "added checks (labelled in full, not in the sample): {added_act}/{} act",
        added.len()
    );
    assert!(
        lost.is_empty(),
        "labelled act findings no longer reported:\n{}",
        lost.join("\n")
    );
    assert!(
        labelled >= 250,
        "the labelled sample covers only {labelled} current diagnostics (at least 250): \
         label more with tests/labels/sample.py"
    );
    assert!(
        precision >= PRECISION_FLOOR,
        "precision {:.1}% fell below the floor {PRECISION_FLOOR} on the labelled sample",
        100.0 * precision
    );
    assert!(
        per_100 <= 200.0,
        "{per_100:.0} diagnostics per 100 files at the default config (at most 200)"
    );
}
