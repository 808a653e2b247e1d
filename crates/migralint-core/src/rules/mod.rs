//! The rule registry. A rule is one static value, declared in its own file
//! (`rules/<rule_name>.rs`) next to its tests, with its page in
//! `rules/<rule-name>.md` at the repository root. To add a rule: write the
//! file, write the page, add one line to `REGISTRY` below.

use serde::Serialize;

use crate::context::{DownCx, Findings, SetCx, StmtCx};
use crate::report::Severity;

/// Includes a rule's documentation page (`rules/<name>.md`).
macro_rules! doc {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../rules/",
            $name,
            ".md"
        ))
    };
}

/// Declares a rule's static `RULE` in one place: identity, metadata, docs
/// and check.
macro_rules! declare_rule {
    ($name:literal, $category:ident, $severity:ident, $summary:literal, $check:expr $(, enabled = $enabled:expr)?) => {
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            name: $name,
            category: $crate::rules::Category::$category,
            default_severity: $crate::report::Severity::$severity,
            default_enabled: declare_rule!(@enabled $($enabled)?),
            summary: $summary,
            doc: doc!($name),
            check: $check,
        };
    };
    (@enabled) => { true };
    (@enabled $e:expr) => { $e };
}

pub mod helpers;
#[cfg(test)]
pub(crate) mod testing;

mod adding_field_with_volatile_default;
mod adding_required_field;
mod adding_serial_or_generated_column;
mod ban_alter_enum_add_value_in_transaction;
mod ban_cluster;
mod ban_concurrently_in_transaction;
mod ban_drop_column;
mod ban_drop_database;
mod ban_drop_schema_cascade;
mod ban_drop_table;
mod ban_lock_table;
mod ban_rename_column;
mod ban_rename_table;
mod ban_set_logged;
mod ban_set_tablespace;
mod ban_truncate;
mod ban_truncate_cascade;
mod ban_vacuum_full;
mod changing_column_type;
mod constraint_missing_not_valid;
mod down_drops_unknown_object;
mod down_not_reversing_up;
mod duplicate_version;
mod empty_down;
mod file_name_format;
mod hold_exclusive_lock_across_statements;
mod invalid_suppression;
mod missing_down;
mod missing_up;
mod object_name_pattern;
pub mod objects;
mod prefer_bigint_over_int;
mod prefer_create_if_not_exists;
mod prefer_drop_if_exists;
mod prefer_jsonb;
mod prefer_text_over_char;
mod prefer_timestamptz;
mod require_concurrent_index_creation;
mod require_concurrent_index_deletion;
mod require_concurrent_refresh;
mod require_concurrent_reindex;
mod require_lock_timeout;
mod require_unique_index_for_constraint;
mod require_where_in_update_delete;
mod set_not_null_scan;
mod syntax_error;
mod title_pattern;
mod transaction_nesting;
mod version_width;

/// Every rule, in documentation order.
pub static REGISTRY: &[&Rule] = &[
    // parsing
    &syntax_error::RULE,
    &invalid_suppression::RULE,
    // naming
    &file_name_format::RULE,
    &version_width::RULE,
    &title_pattern::RULE,
    &duplicate_version::RULE,
    &object_name_pattern::RULE,
    // pairing
    &missing_down::RULE,
    &missing_up::RULE,
    &empty_down::RULE,
    &down_not_reversing_up::RULE,
    &down_drops_unknown_object::RULE,
    // robustness
    &prefer_drop_if_exists::RULE,
    &prefer_create_if_not_exists::RULE,
    // locking
    &require_concurrent_index_creation::RULE,
    &ban_concurrently_in_transaction::RULE,
    &require_lock_timeout::RULE,
    &ban_lock_table::RULE,
    &ban_truncate::RULE,
    &require_concurrent_refresh::RULE,
    &require_where_in_update_delete::RULE,
    &ban_alter_enum_add_value_in_transaction::RULE,
    &transaction_nesting::RULE,
    &hold_exclusive_lock_across_statements::RULE,
    &require_concurrent_index_deletion::RULE,
    &require_concurrent_reindex::RULE,
    &adding_field_with_volatile_default::RULE,
    &adding_required_field::RULE,
    &adding_serial_or_generated_column::RULE,
    &set_not_null_scan::RULE,
    &constraint_missing_not_valid::RULE,
    &require_unique_index_for_constraint::RULE,
    &changing_column_type::RULE,
    &ban_vacuum_full::RULE,
    &ban_cluster::RULE,
    &ban_set_tablespace::RULE,
    &ban_set_logged::RULE,
    // compatibility
    &ban_drop_table::RULE,
    &ban_drop_column::RULE,
    &ban_rename_table::RULE,
    &ban_rename_column::RULE,
    &ban_drop_schema_cascade::RULE,
    &ban_truncate_cascade::RULE,
    &ban_drop_database::RULE,
    // style
    &prefer_timestamptz::RULE,
    &prefer_text_over_char::RULE,
    &prefer_jsonb::RULE,
    &prefer_bigint_over_int::RULE,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
    /// Once over the whole file set (naming, pairing).
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
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("name", &self.name).finish()
    }
}

pub fn find(name: &str) -> Option<&'static Rule> {
    REGISTRY.iter().copied().find(|r| r.name == name)
}

/// The rule whose name is closest to `name` (for "did you mean").
pub fn closest(name: &str) -> Option<&'static Rule> {
    REGISTRY
        .iter()
        .copied()
        .map(|r| (edit_distance(name, r.name), r))
        .filter(|(d, r)| *d <= r.name.len() / 3 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, r)| r)
}

fn edit_distance(a: &str, b: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case_and_unique() {
        let re = regex::Regex::new(r"^[a-z]+(-[a-z]+)*$").unwrap();
        let mut seen = std::collections::HashSet::new();
        for r in REGISTRY {
            assert!(re.is_match(r.name), "{} is not kebab-case", r.name);
            assert!(seen.insert(r.name), "{} registered twice", r.name);
            assert!(
                !r.summary.ends_with('.'),
                "{}: summary is one line without a final period",
                r.name
            );
        }
    }

    #[test]
    fn pages_have_required_sections() {
        for r in REGISTRY {
            let title = format!("# {}\n", r.name);
            assert!(
                r.doc.starts_with(&title),
                "{}: page must start with `{}`",
                r.name,
                title.trim()
            );
            for section in ["## What it does", "## Why", "## Instead", "## Examples"] {
                assert!(
                    r.doc.contains(section),
                    "{}: page lacks `{section}`",
                    r.name
                );
            }
            if !matches!(r.check, Check::Builtin) || r.name == "syntax-error" {
                assert!(
                    r.doc.contains("```sql bad"),
                    "{}: page needs a `sql bad` example",
                    r.name
                );
            }
            assert!(
                r.doc.contains("```sql good"),
                "{}: page needs a `sql good` example",
                r.name
            );
        }
    }

    #[test]
    fn closest_name() {
        assert_eq!(
            closest("require-concurrent-index-creatoin").unwrap().name,
            "require-concurrent-index-creation"
        );
        assert!(closest("zzzz").is_none());
    }
}
