//! The rule API: what a rule is (`Rule`: identity, metadata, page, check)
//! and how it runs (`Check`). Rules are declared in `crate::rules`; the
//! engine receives their registry and runs the enabled ones.

use serde::Serialize;

use super::context::{DownCx, Findings, SetCx, StmtCx};
use crate::report::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Parsing,
    Naming,
    Pairing,
    Robustness,
    Locking,
    Compatibility,
    Style,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Parsing,
        Category::Naming,
        Category::Pairing,
        Category::Robustness,
        Category::Locking,
        Category::Compatibility,
        Category::Style,
    ];

    /// The category called `name` (as `as_str` spells it).
    pub fn named(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Parsing => "parsing",
            Category::Naming => "naming",
            Category::Pairing => "pairing",
            Category::Robustness => "robustness",
            Category::Locking => "locking",
            Category::Compatibility => "compatibility",
            Category::Style => "style",
        }
    }
}

/// A check over the whole file set.
pub type SetCheck = fn(&SetCx, &mut Findings);

/// How a rule runs.
pub enum Check {
    /// Once per statement, with the schema as replayed so far.
    Statement(fn(&StmtCx, &mut Findings)),
    /// Once over the whole file set (naming).
    Set(SetCheck),
    /// Once per down file, during the replay (pairing rules that compare a
    /// down with its up and the object history).
    Down(fn(&DownCx, &mut Findings)),
    /// Reported by the engine itself (parse errors, suppressions).
    Builtin,
}

/// A rule: identity, metadata, documentation and check, in one value.
pub struct Rule {
    /// Stable kebab-case name: the rule's only identity.
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// Off by default (opt in through the config).
    pub default_enabled: bool,
    /// One line, shown by `migralint rules`.
    pub summary: &'static str,
    /// The Markdown page `rules/<name>.md`.
    pub doc: &'static str,
    pub check: Check,
    /// Rules whose finding on a statement this rule's finding on the same
    /// statement stands for (it says the same hazard, and its fix fixes
    /// theirs): the engine folds theirs into this one's message
    /// (`engine::noise`). Turning this rule off brings theirs back.
    pub subsumes: &'static [&'static str],
    /// Its findings on one statement are one hazard (one rewrite of one
    /// table, whatever the number of columns): the engine merges them
    /// into the first, naming the others (`engine::noise`).
    pub once_per_statement: bool,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("name", &self.name).finish()
    }
}

/// A registry: every rule, in documentation order.
pub type Registry = [&'static Rule];

/// The rule named `name`.
pub fn find(registry: &Registry, name: &str) -> Option<&'static Rule> {
    registry.iter().copied().find(|r| r.name == name)
}

/// The rule whose name is closest to `name` (for "did you mean").
pub fn closest(registry: &Registry, name: &str) -> Option<&'static Rule> {
    registry
        .iter()
        .copied()
        .map(|r| (edit_distance(name, r.name), r))
        .filter(|(d, r)| *d <= r.name.len() / 3 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, r)| r)
}

/// Levenshtein distance, in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}
