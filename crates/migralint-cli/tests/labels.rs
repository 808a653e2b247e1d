//! Signal over noise, measured on real migration history nobody here wrote
//! (`../shared/corpus/realworld`, present in CI, absent in a user's clone:
//! the test then says so and passes without checking).
//!
//! `tests/labels/realworld.tsv` is a hand-labelled sample of the default
//! config's diagnostics on the five real folders: each one *act* (a
//! reviewer would ask for a change, or the finding names a real hazard
//! the team should know of), *noise* (true but not worth acting on) or
//! *wrong* (false), with a one-line reason, judged on what the repository
//! shows, as issue 12's own review judged. Two kinds of *act* are told
//! apart: *act:outside* (what only production knowledge would dismiss: a
//! tiny table, offline upgrades; `[tables] small` and `ignore =
//! ["locking"]` are the team's one-line answer) and *act:down* (a down's
//! IF [NOT] EXISTS, reported by issue 12 point 1(c)). This test lints the
//! folders again and checks, against the current output:
//! - every labelled *act* and *act:down* finding is still reported (recall
//!   on real history; an *act:outside* one may be folded into another
//!   finding of its statement);
//! - precision over the labelled findings still reported is at least
//!   issue 12's target, 90%; it also prints the figure a reviewer who
//!   knows these applications would give (*act:outside* and *act:down*
//!   counted as noise);
//! - the sample still covers at least 250 current diagnostics;
//! - the default config reports at most 200 diagnostics per 100 files.
//!
//! A second test gives one folder the `[tables] small` line its team
//! would write, and checks that the findings only that knowledge dismisses
//! go while every other *act* finding stays.
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

/// Issue 12's target for the precision of the default output on the
/// labelled sample, judged on what the repository shows.
const PRECISION_TARGET: f64 = 0.90;

/// (folder, file name, line, column, rule)
type Key = (String, String, u64, u64, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Act(Kind),
    Noise,
    Wrong,
}

/// What kind of act finding: what would dismiss it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Nothing (`act`).
    Plain,
    /// Knowledge of production outside the repository: a tiny table, a
    /// project that upgrades offline (`act:outside`).
    Outside,
    /// A down's missing IF [NOT] EXISTS, reported by issue 12 point 1(c)
    /// although its up is atomic (`act:down`).
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
            "act" => Label::Act(Kind::Plain),
            "act:outside" => Label::Act(Kind::Outside),
            "act:down" => Label::Act(Kind::Down),
            "noise" => Label::Noise,
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
    lint(root, &REALWORLD, &[])
}

/// The diagnostics of these folders with these extra arguments, and their
/// file count.
fn lint(root: &std::path::Path, apps: &[&str], args: &[&str]) -> (Vec<Key>, usize) {
    let mut keys = Vec::new();
    let mut files = 0;
    for &app in apps {
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
        let mut argv = vec!["check", "--format", "json"];
        argv.extend(args);
        argv.push(dir.to_str().unwrap());
        let out = run(&argv);
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
        .filter(|(k, (l, _))| {
            // An act:outside finding may go when a rule folds it into
            // another one on the same statement (it was labelled noise
            // then, and not required to stay).
            matches!(l, Label::Act(Kind::Plain | Kind::Down)) && !present.contains(k)
        })
        .map(|(k, (_, why))| format!("  {}/{}:{}:{} {} ({why})", k.0, k.1, k.2, k.3, k.4))
        .collect();
    let (mut act, mut labelled) = (0usize, 0usize);
    let (mut down, mut outside) = (0usize, 0usize);
    let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for k in &present {
        if let Some((label, _)) = labels.get(*k) {
            labelled += 1;
            let e = by_rule.entry(k.4.as_str()).or_default();
            e.1 += 1;
            if let Label::Act(kind) = label {
                act += 1;
                e.0 += 1;
                match kind {
                    Kind::Down => down += 1,
                    Kind::Outside => outside += 1,
                    Kind::Plain => {}
                }
            }
        }
    }
    let precision = act as f64 / labelled.max(1) as f64;
    let per_100 = 100.0 * keys.len() as f64 / files as f64;
    let pct = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
    eprintln!(
        "{} diagnostics on {files} files ({per_100:.0} per 100 files); {labelled} labelled, \
         {act} act: precision {:.1}%",
        keys.len(),
        100.0 * precision
    );
    eprintln!(
        "  of them {outside} act:outside (only production knowledge dismisses them: [tables] small, \
         ignore = [\"locking\"]) and {down} act:down (point 1(c)); counting those as noise, {:.1}%",
        pct(act - outside - down, labelled)
    );
    for (rule, (a, n)) in &by_rule {
        eprintln!("  {rule}: {a}/{n} act");
    }
    let added_act = added
        .values()
        .filter(|(l, _)| matches!(l, Label::Act(_)))
        .count();
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
        precision >= PRECISION_TARGET,
        "precision {:.1}% on the labelled sample is below issue 12's target {PRECISION_TARGET}",
        100.0 * precision
    );
    assert!(
        per_100 <= 200.0,
        "{per_100:.0} diagnostics per 100 files at the default config (at most 200)"
    );
}

/// The lever for what only production knowledge dismisses: the exposure
/// notification server's team names its configuration tables once in
/// `[tables] small`. The *act:outside* findings that rest on those
/// tables' size go; every other *act* finding stays, and nothing new
/// appears.
#[test]
fn a_team_names_its_small_tables_once() {
    let Some(root) = realworld() else { return };
    let app = "google__exposure-notifications-server";
    let labels = labels("realworld.tsv");
    let dir = common::TempDir::new("labels-small-tables");
    // The tables these migrations create for configuration: one row per
    // app, export configuration, import source, health authority or key.
    let config = dir.write(
        "migralint.toml",
        "[tables]\nsmall = [\"apiconfig\", \"authorizedapp\", \"exportconfig\", \"exportimport\", \
         \"federationquery\", \"healthauthority\", \"healthauthoritykey\", \
         \"importfilepublickey\", \"revisionkeys\", \"signatureinfo\"]\n",
    );
    let (before, _) = lint(&root, &[app], &[]);
    let (after, _) = lint(&root, &[app], &["--config", config.to_str().unwrap()]);
    let after_set: BTreeSet<&Key> = after.iter().collect();
    let before_set: BTreeSet<&Key> = before.iter().collect();
    // Nothing new: a finding may move within its file (`require-lock-timeout`
    // names the first statement that locks a table not declared small).
    let file_rule = |set: &BTreeSet<&Key>| -> BTreeSet<(String, String)> {
        set.iter().map(|k| (k.1.clone(), k.4.clone())).collect()
    };
    let new: Vec<(String, String)> = file_rule(&after_set)
        .difference(&file_rule(&before_set))
        .cloned()
        .collect();
    assert!(new.is_empty(), "findings appeared: {new:?}");
    let count = |set: &BTreeSet<&Key>, kind: Kind| {
        labels
            .iter()
            .filter(|(k, (l, _))| *l == Label::Act(kind) && set.contains(k))
            .count()
    };
    // (Kept where it moved within its file, as above.)
    let after_file_rule = file_rule(&after_set);
    let lost: Vec<&Key> = labels
        .iter()
        .filter(|(k, (l, _))| {
            matches!(l, Label::Act(Kind::Plain | Kind::Down))
                && before_set.contains(k)
                && !after_file_rule.contains(&(k.1.clone(), k.4.clone()))
        })
        .map(|(k, _)| k)
        .collect();
    assert!(lost.is_empty(), "act findings lost: {lost:?}");
    let (outside_before, outside_after) = (
        count(&before_set, Kind::Outside),
        count(&after_set, Kind::Outside),
    );
    eprintln!(
        "{app}: {} diagnostics, {} with [tables] small; labelled act:outside {outside_before} -> {outside_after}",
        before.len(),
        after.len()
    );
    assert!(
        outside_after * 2 < outside_before,
        "[tables] small should dismiss most act:outside findings ({outside_before} -> {outside_after})"
    );
}
