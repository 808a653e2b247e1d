//! Every rule's fixes, tested from its page: a page with a `## Fix`
//! section states the kind of its fixes (`**Safe**` and/or `**Unsafe**` in
//! the section's first paragraph), and for each `sql bad` example that
//! gets a fix:
//! - applying the rule's fixes (relinting until none applies) makes its
//!   findings with fixes go away;
//! - no rule fires more often than before;
//! - every file still parses (no syntax error where there was none);
//! - the fixes' applicability is the one the page states;
//! - `--fix --unsafe-fixes` (every rule's fixes, to a fixed point) run a
//!   second time on its own output changes nothing.
//!
//! A rule that proposes fixes on its bad examples without a `## Fix`
//! section fails too, so a new fix cannot skip these checks.

use std::collections::HashMap;

use crate::config::{Config, Level};
use crate::fix::{apply_fixes, fix_until_stable, Applicability, FixOptions};
use crate::report::Report;
use crate::rules::testing::examples;
use crate::rules::REGISTRY;
use crate::{lint, parse_source, LintOptions, SourceFile};

const ALL: FixOptions = FixOptions { unsafe_fixes: true };

/// The kinds a page's `## Fix` section states, `None` without the section.
pub fn stated_kinds(doc: &str) -> Option<Vec<Applicability>> {
    let at = doc.find("\n## Fix\n")?;
    let section = &doc[at + "\n## Fix\n".len()..];
    let paragraph = section
        .trim_start()
        .split("\n\n")
        .next()
        .unwrap_or_default();
    let mut kinds = Vec::new();
    if paragraph.contains("**Safe**") {
        kinds.push(Applicability::Safe);
    }
    if paragraph.contains("**Unsafe**") {
        kinds.push(Applicability::Unsafe);
    }
    Some(kinds)
}

/// A rule as the checks need it: its name and page.
struct Page {
    name: &'static str,
    doc: &'static str,
}

fn options(rule: &Page) -> LintOptions {
    let mut config = Config::default();
    config
        .set_level(rule.name, Level::Error)
        .expect("known rule");
    LintOptions {
        config,
        report_only: None,
    }
}

fn per_rule(report: &Report) -> HashMap<&'static str, usize> {
    let mut counts = HashMap::new();
    for d in &report.diagnostics {
        *counts.entry(d.rule).or_default() += 1;
    }
    counts
}

/// The rule's fixes alone, applied and relinted until none applies.
fn apply_rule_fixes(rule: &Page, files: &[SourceFile], opts: &LintOptions) -> Vec<SourceFile> {
    let mut current = files.to_vec();
    for _ in 0..crate::fix::apply::MAX_PASSES {
        let mut report = lint(&current, opts);
        report.diagnostics.retain(|d| d.rule == rule.name);
        let result = apply_fixes(&current, &report, &ALL);
        if result.files.is_empty() {
            return current;
        }
        for f in result.files {
            match current.iter_mut().find(|s| s.path == f.path) {
                Some(s) => s.text = f.text,
                None => current.push(SourceFile::new(f.path, f.text)),
            }
        }
    }
    panic!("rules/{}.md: its fixes do not settle", rule.name);
}

fn check_rule(rule: &Page, failures: &mut Vec<String>) {
    let kinds = stated_kinds(rule.doc);
    let opts = options(rule);
    let mut fixed_examples = 0;
    for ex in examples(rule.doc).into_iter().filter(|e| !e.good) {
        let at = format!("rules/{}.md:{}", rule.name, ex.line);
        let files: Vec<SourceFile> = ex
            .files
            .iter()
            .map(|(p, t)| SourceFile::new(p.as_str(), t.as_str()))
            .collect();
        let before = lint(&files, &opts);
        let mine: Vec<_> = before
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule.name)
            .collect();
        let with_fix = mine.iter().filter(|d| !d.fixes.is_empty()).count();
        if with_fix == 0 {
            continue;
        }
        fixed_examples += 1;
        let Some(kinds) = &kinds else {
            failures.push(format!(
                "{at}: `{}` proposes a fix but its page has no `## Fix` section",
                rule.name
            ));
            continue;
        };
        for d in &mine {
            for f in &d.fixes {
                if !kinds.contains(&f.applicability) {
                    failures.push(format!(
                        "{at}: a {} fix (`{}`), but the page's `## Fix` section states {kinds:?}",
                        f.applicability.as_str(),
                        f.message
                    ));
                }
            }
        }

        let fixed = apply_rule_fixes(rule, &files, &opts);
        let after = lint(&fixed, &opts);
        let left = after
            .diagnostics
            .iter()
            .filter(|d| d.rule == rule.name)
            .count();
        if left > mine.len() - with_fix {
            failures.push(format!(
                "{at}: after its fixes `{}` still fires {left} times (was {}, {with_fix} with a fix):\n{}",
                rule.name,
                mine.len(),
                texts(&fixed)
            ));
        }
        let (was, now) = (per_rule(&before), per_rule(&after));
        for (r, n) in &now {
            if *r != rule.name && *n > was.get(r).copied().unwrap_or(0) {
                failures.push(format!(
                    "{at}: the fix makes `{r}` fire ({n} times, was {}):\n{}",
                    was.get(r).copied().unwrap_or(0),
                    texts(&fixed)
                ));
            }
        }
        for f in &fixed {
            let had = files
                .iter()
                .find(|o| o.path == f.path)
                .map_or(0, |o| parse_source(o).syntax_errors.len());
            if parse_source(f).syntax_errors.len() > had {
                failures.push(format!(
                    "{at}: {} does not parse after the fix:\n{}",
                    f.path, f.text
                ));
            }
        }

        // `--fix --unsafe-fixes`, then again: the second run changes nothing.
        let once = fix_until_stable(&files, &opts, &ALL);
        let twice = fix_until_stable(&once.files, &opts, &ALL);
        if !once.converged || !twice.result.files.is_empty() {
            failures.push(format!(
                "{at}: `--fix` twice changes the files the second time:\n{}\nthen:\n{}",
                texts(&once.files),
                texts(&twice.files)
            ));
        }
    }
    if kinds.is_some() && fixed_examples == 0 {
        failures.push(format!(
            "rules/{}.md: the page has a `## Fix` section but no `sql bad` example gets a fix",
            rule.name
        ));
    }
    if kinds.as_ref().is_some_and(|k| k.is_empty()) {
        failures.push(format!(
            "rules/{}.md: the `## Fix` section's first paragraph states no kind (**Safe** or **Unsafe**)",
            rule.name
        ));
    }
}

fn texts(files: &[SourceFile]) -> String {
    files
        .iter()
        .map(|f| format!("-- {}\n{}", f.path, f.text))
        .collect()
}

#[test]
fn every_fix_holds_on_its_pages_bad_examples() {
    let mut failures = Vec::new();
    for rule in REGISTRY {
        let page = Page {
            name: rule.name,
            doc: rule.doc,
        };
        check_rule(&page, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn some_rules_have_fixes() {
    // The loop above must not pass for want of fixes.
    let with_fix: Vec<&str> = REGISTRY
        .iter()
        .filter(|r| stated_kinds(r.doc).is_some())
        .map(|r| r.name)
        .collect();
    for rule in [
        "prefer-timestamptz",
        "prefer-jsonb",
        "prefer-text-over-char",
        "prefer-bigint-over-int",
        "require-concurrent-index-creation",
        "require-concurrent-index-deletion",
        "require-concurrent-reindex",
        "constraint-missing-not-valid",
        "set-not-null-scan",
        "require-lock-timeout",
    ] {
        assert!(with_fix.contains(&rule), "{rule}: {with_fix:?}");
    }
}

#[test]
fn a_fix_the_page_does_not_state_fails() {
    // The checker itself: a page without `## Fix` for a rule with fixes.
    let rule = REGISTRY
        .iter()
        .find(|r| r.name == "prefer-timestamptz")
        .unwrap();
    let cut = rule.doc.find("\n## Fix\n").unwrap();
    let rest = &rule.doc[cut + 1..];
    let next = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 4);
    let doc: &'static str =
        Box::leak(format!("{}\n{}", &rule.doc[..cut], &rest[next..]).into_boxed_str());
    let stripped = Page {
        name: rule.name,
        doc,
    };
    let mut failures = Vec::new();
    check_rule(&stripped, &mut failures);
    assert!(
        failures.iter().any(|f| f.contains("no `## Fix` section")),
        "{failures:?}"
    );
}
