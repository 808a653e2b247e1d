//! The rules and their registry. A rule is one static value, declared in
//! its own file (`rules/<rule_name>.rs`) next to its tests, with its page
//! in `rules/<rule-name>.md` at the repository root; it sees the world
//! through the engine's context (`crate::engine::context`). To add a rule:
//! write the file, write the page, add one line to `REGISTRY` below.

pub use crate::engine::rule::{Category, Check, Rule, SetCheck};

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
    ($name:literal, $category:ident, $severity:ident, $summary:literal, $check:expr $(, enabled = $enabled:expr)? $(, subsumes = $subsumes:expr)? $(, once_per_statement = $once:expr)?) => {
        pub static RULE: $crate::rules::Rule = $crate::rules::Rule {
            name: $name,
            category: $crate::rules::Category::$category,
            default_severity: $crate::report::Severity::$severity,
            default_enabled: declare_rule!(@enabled $($enabled)?),
            summary: $summary,
            doc: doc!($name),
            check: $check,
            subsumes: declare_rule!(@subsumes $($subsumes)?),
            once_per_statement: declare_rule!(@once $($once)?),
        };
    };
    (@enabled) => { true };
    (@enabled $e:expr) => { $e };
    (@subsumes) => { &[] };
    (@subsumes $e:expr) => { $e };
    (@once) => { false };
    (@once $e:expr) => { $e };
}

pub mod fixes;
pub mod helpers;
#[cfg(test)]
pub(crate) mod testing;

mod adding_field_with_volatile_default;
mod adding_required_field;
mod adding_serial_or_generated_column;
mod alter_column_type_serial;
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
mod cascade_drops_dependents;
mod changing_column_type;
mod constraint_missing_not_valid;
mod down_adds_constraint;
mod down_drop_has_dependents;
mod down_drops_unknown_object;
mod down_name_already_taken;
mod down_narrows_column_type;
mod down_not_reversing_up;
mod down_object_already_gone;
mod down_sets_not_null;
mod duplicate_version;
mod empty_down;
mod file_name_format;
mod hold_exclusive_lock_across_statements;
mod if_not_exists_hides_drift;
mod invalid_suppression;
mod missing_down;
mod missing_up;
mod object_already_gone;
mod object_name_pattern;
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
mod truncate_referenced_table;
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
    &down_drop_has_dependents::RULE,
    &down_narrows_column_type::RULE,
    &down_sets_not_null::RULE,
    &down_adds_constraint::RULE,
    &down_object_already_gone::RULE,
    &down_name_already_taken::RULE,
    // robustness
    &prefer_drop_if_exists::RULE,
    &prefer_create_if_not_exists::RULE,
    &alter_column_type_serial::RULE,
    &if_not_exists_hides_drift::RULE,
    &object_already_gone::RULE,
    &truncate_referenced_table::RULE,
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
    &cascade_drops_dependents::RULE,
    &ban_truncate_cascade::RULE,
    &ban_drop_database::RULE,
    // style
    &prefer_timestamptz::RULE,
    &prefer_text_over_char::RULE,
    &prefer_jsonb::RULE,
    &prefer_bigint_over_int::RULE,
];

/// The rule named `name`.
pub fn find(name: &str) -> Option<&'static Rule> {
    crate::engine::rule::find(REGISTRY, name)
}

/// The rule whose name is closest to `name` (for "did you mean").
pub fn closest(name: &str) -> Option<&'static Rule> {
    crate::engine::rule::closest(REGISTRY, name)
}

/// What is said of a name no rule has: ``unknown rule `x`; did you mean
/// `y`?`` (the hint only when a rule name is close).
pub fn unknown(name: &str) -> String {
    let hint = closest(name)
        .map(|r| format!("; did you mean `{}`?", r.name))
        .unwrap_or_default();
    format!("unknown rule `{name}`{hint}")
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
    fn subsumed_rules_exist_and_differ() {
        for r in REGISTRY {
            for name in r.subsumes {
                assert!(
                    find(name).is_some(),
                    "{}: subsumes unknown `{name}`",
                    r.name
                );
                assert_ne!(*name, r.name, "{} subsumes itself", r.name);
            }
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

    /// The user-service seed migrations (docs/seed) lint without an error
    /// from the naming, pairing, robustness and compatibility rules, with
    /// the default configuration.
    #[test]
    fn seed_migrations_have_no_errors() {
        use crate::report::Severity;
        use crate::{lint, LintOptions, SourceFile};
        const DIR: &str = "internal/infrastructure/database/postgres/migrations/";
        let files = [
            ("000001_init_extensions.up.sql", "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\n"),
            ("000001_init_extensions.down.sql", "DROP EXTENSION IF EXISTS \"uuid-ossp\";\n"),
            (
                "000002_create_user_table.up.sql",
                "CREATE TABLE users (\n  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n  first_name VARCHAR(100) NOT NULL,\n  \
                 last_name VARCHAR(100) NOT NULL,\n  email VARCHAR(100) NOT NULL UNIQUE,\n  phone VARCHAR(20) DEFAULT NULL,\n  \
                 password VARCHAR(255) NOT NULL,\n  created_at TIMESTAMP DEFAULT NOW(),\n  updated_at TIMESTAMP DEFAULT NOW()\n);\n\n\
                 CREATE INDEX idx_users_email ON users(email);\n",
            ),
            (
                "000002_create_user_table.down.sql",
                "DROP INDEX IF EXISTS idx_users_email;\nDROP TABLE IF EXISTS users;\n",
            ),
        ];
        let sources: Vec<SourceFile> = files
            .iter()
            .map(|(n, t)| SourceFile::new(format!("{DIR}{n}"), *t))
            .collect();
        let report = lint(&sources, &LintOptions::default());
        let mine = [
            "file-name-format",
            "version-width",
            "title-pattern",
            "duplicate-version",
            "object-name-pattern",
            "missing-down",
            "missing-up",
            "empty-down",
            "down-not-reversing-up",
            "down-drops-unknown-object",
            "prefer-drop-if-exists",
            "prefer-create-if-not-exists",
            "ban-drop-table",
            "ban-drop-column",
            "ban-rename-table",
            "ban-rename-column",
            "ban-drop-schema-cascade",
            "ban-truncate-cascade",
            "ban-drop-database",
        ];
        let ours: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| mine.contains(&d.rule))
            .collect();
        assert!(
            ours.iter().all(|d| d.severity == Severity::Warning),
            "{ours:#?}"
        );
        // None: its ups run as one transaction each (a failure rolls back
        // whole, so CREATE needs no IF NOT EXISTS), its extension and its
        // downs say IF [NOT] EXISTS, the pairing rules accept its downs.
        let rules: Vec<&str> = ours.iter().map(|d| d.rule).collect();
        assert!(rules.is_empty(), "{ours:#?}");
    }
}
