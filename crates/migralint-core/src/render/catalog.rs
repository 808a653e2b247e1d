//! The rule catalogue, rendered once for every front end: `migralint
//! rules --format json|markdown|text` and `migralint explain` in the CLI,
//! `rules()` and `explain()` in the wasm build (so the Action and the
//! playground print exactly what the CLI prints).

use std::fmt::Write;

use crate::engine::rule::Rule;
use crate::rules;

/// The level a rule runs at without configuration: its default severity,
/// or `off` for a rule that is opt-in.
fn default_level(r: &Rule) -> &'static str {
    if r.default_enabled {
        r.default_severity.as_str()
    } else {
        "off"
    }
}

/// `migralint rules --format json`: a pretty-printed JSON array, in
/// registry order, of `{category, enabled, name, severity, summary}`
/// (`severity` is the default severity, `enabled` whether the rule runs
/// without configuration), with a trailing newline.
pub fn rules_json() -> String {
    let list: Vec<serde_json::Value> = rules::REGISTRY
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "category": r.category.as_str(),
                "severity": r.default_severity.as_str(),
                "enabled": r.default_enabled,
                "summary": r.summary,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&list).expect("the rule list serializes");
    out.push('\n');
    out
}

/// `migralint rules --format markdown`: the rule table of the README (a
/// CLI test keeps the two equal).
pub fn rules_markdown() -> String {
    let mut out =
        String::from("| rule | category | default | what it catches |\n|---|---|---|---|\n");
    for r in rules::REGISTRY {
        let _ = writeln!(
            out,
            "| [`{}`](rules/{}.md) | {} | {} | {} |",
            r.name,
            r.name,
            r.category.as_str(),
            default_level(r),
            r.summary.replace('|', "\\|")
        );
    }
    out
}

/// `migralint rules` (`--format text`): aligned columns, then a count.
pub fn rules_text() -> String {
    let width = rules::REGISTRY
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:width$}  {:13}  {:8}  SUMMARY",
        "RULE", "CATEGORY", "SEVERITY"
    );
    for r in rules::REGISTRY {
        let _ = writeln!(
            out,
            "{:width$}  {:13}  {:8}  {}",
            r.name,
            r.category.as_str(),
            default_level(r),
            r.summary
        );
    }
    let _ = writeln!(
        out,
        "\n{} rules. `migralint explain <rule>` prints a rule's page.",
        rules::REGISTRY.len()
    );
    out
}

/// `migralint explain <rule>`: the rule's Markdown page (`rules/<rule>.md`).
/// An unknown name is an error naming it, with the closest rule name when
/// one is close: ``unknown rule `x`; did you mean `y`?``.
pub fn explain(name: &str) -> Result<&'static str, String> {
    rules::find(name)
        .map(|rule| rule.doc)
        .ok_or_else(|| rules::unknown(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lists_the_registry_in_order() {
        let list: Vec<serde_json::Value> = serde_json::from_str(&rules_json()).unwrap();
        assert_eq!(list.len(), rules::REGISTRY.len());
        for (entry, rule) in list.iter().zip(rules::REGISTRY) {
            let keys: Vec<&str> = entry.as_object().unwrap().keys().map(|k| &**k).collect();
            assert_eq!(keys, ["category", "enabled", "name", "severity", "summary"]);
            assert_eq!(entry["name"], rule.name);
            assert_eq!(entry["category"], rule.category.as_str());
            assert_eq!(entry["severity"], rule.default_severity.as_str());
            assert_eq!(entry["enabled"], rule.default_enabled);
            assert_eq!(entry["summary"], rule.summary);
        }
        assert!(rules_json().ends_with("]\n"));
    }

    #[test]
    fn markdown_has_a_row_per_rule_with_its_default_level() {
        let table = rules_markdown();
        let rows: Vec<&str> = table.lines().skip(2).collect();
        assert_eq!(rows.len(), rules::REGISTRY.len());
        for (row, rule) in rows.iter().zip(rules::REGISTRY) {
            assert!(
                row.starts_with(&format!("| [`{0}`](rules/{0}.md) | ", rule.name)),
                "{row}"
            );
            assert!(
                row.contains(&format!(" | {} | ", default_level(rule))),
                "{row}"
            );
            // A `|` in a summary would split the cell: escaped.
            assert_eq!(row.matches(" | ").count(), 3, "{row}");
        }
    }

    #[test]
    fn text_aligns_columns_and_counts() {
        let text = rules_text();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("RULE "), "{}", lines[0]);
        let column = lines[0].find("CATEGORY").unwrap();
        for (line, rule) in lines[1..].iter().zip(rules::REGISTRY) {
            assert!(line.starts_with(rule.name), "{line}");
            assert_eq!(
                &line[column..column + rule.category.as_str().len()],
                rule.category.as_str()
            );
        }
        assert!(text.ends_with(&format!(
            "\n\n{} rules. `migralint explain <rule>` prints a rule's page.\n",
            rules::REGISTRY.len()
        )));
        // Rules that are off by default say so.
        if let Some(off) = rules::REGISTRY.iter().find(|r| !r.default_enabled) {
            let line = lines.iter().find(|l| l.starts_with(off.name)).unwrap();
            assert!(line.contains(" off "), "{line}");
        }
    }

    #[test]
    fn explain_returns_the_page_or_names_the_closest_rule() {
        for rule in rules::REGISTRY {
            assert_eq!(explain(rule.name), Ok(rule.doc));
        }
        assert_eq!(
            explain("syntax-erorr"),
            Err("unknown rule `syntax-erorr`; did you mean `syntax-error`?".to_string())
        );
        assert_eq!(
            explain("no-such-rule-at-all"),
            Err("unknown rule `no-such-rule-at-all`".to_string())
        );
    }
}
