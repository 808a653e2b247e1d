use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::fix::Fix;
use crate::report::{Report, Severity};
use crate::rules::REGISTRY;

/// SARIF 2.1.0, as GitHub code scanning loads it. Columns count Unicode
/// code points, as everywhere in migralint.
pub fn sarif(report: &Report) -> String {
    let used: BTreeSet<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
    let rules: Vec<Value> = REGISTRY
        .iter()
        .map(|r| {
            let mut rule = json!({
                "id": r.name,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "defaultConfiguration": { "level": level(r.default_severity) },
                "properties": { "category": r.category.as_str(), "tags": [r.category.as_str()] },
            });
            if used.contains(r.name) {
                rule["help"] = json!({ "text": r.summary, "markdown": r.doc });
            }
            rule
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.rule,
                "ruleIndex": REGISTRY.iter().position(|r| r.name == d.rule).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.file) },
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.column,
                            "endLine": d.end_line,
                            "endColumn": d.end_column.max(if d.end_line == d.line { d.column + 1 } else { 1 }),
                        }
                    }
                }],
            });
            if !d.fixes.is_empty() {
                result["fixes"] = Value::Array(d.fixes.iter().map(fix).collect());
            }
            result
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "migralint",
                "version": crate::VERSION,
                "informationUri": "https://github.com/migralint/migralint",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("sarif serializes");
    s.push('\n');
    s
}

/// A SARIF `fix`: one `artifactChange` per file, in the order the fix
/// first edits it; each edit a `replacement` of its exact region (empty
/// for an insertion), a created file an insertion at its start. The
/// applicability is in the fix's property bag.
fn fix(f: &Fix) -> Value {
    let mut changes: Vec<(&str, Vec<Value>)> = Vec::new();
    for e in &f.edits {
        let region = if e.new_file {
            json!({ "charOffset": 0, "charLength": 0 })
        } else {
            json!({
                "startLine": e.line,
                "startColumn": e.column,
                "endLine": e.end_line,
                "endColumn": e.end_column,
            })
        };
        let replacement = json!({
            "deletedRegion": region,
            "insertedContent": { "text": e.content },
        });
        match changes.iter_mut().find(|(file, _)| *file == e.file) {
            Some((_, list)) => list.push(replacement),
            None => changes.push((&e.file, vec![replacement])),
        }
    }
    json!({
        "description": { "text": f.message },
        "artifactChanges": changes
            .into_iter()
            .map(|(file, replacements)| json!({
                "artifactLocation": { "uri": uri(file) },
                "replacements": replacements,
            }))
            .collect::<Vec<_>>(),
        "properties": { "applicability": f.applicability.as_str() },
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A relative URI reference for a path: forward slashes, `./` dropped,
/// characters outside the URI set percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::lint::{lint, LintOptions, SourceFile};

    #[test]
    fn fixes_are_artifact_changes() {
        let files = vec![SourceFile::new(
            "m/000001_a.up.sql",
            "-- é\nCREATE TABLE t (é int, a timestamp(3) without time zone);\n",
        )];
        let mut report = lint(&files, &LintOptions::default());
        report
            .diagnostics
            .retain(|d| d.rule == "prefer-timestamptz");
        // A created file too, as a fix that splits a migration would.
        report.diagnostics[0].fixes[0].edits.push(crate::fix::Edit {
            file: "m/000002_b c.up.sql".into(),
            span: crate::Span::empty(0),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            content: "SELECT 1;\n".into(),
            new_file: true,
        });
        let doc: Value = serde_json::from_str(&super::sarif(&report)).unwrap();
        let fixes = &doc["runs"][0]["results"][0]["fixes"];
        assert_eq!(
            fixes,
            &json!([{
                "description": { "text": "change the type to `timestamptz`" },
                "artifactChanges": [
                    {
                        "artifactLocation": { "uri": "m/000001_a.up.sql" },
                        "replacements": [{
                            "deletedRegion": { "startLine": 2, "startColumn": 26, "endLine": 2, "endColumn": 56 },
                            "insertedContent": { "text": "timestamptz(3)" },
                        }],
                    },
                    {
                        "artifactLocation": { "uri": "m/000002_b%20c.up.sql" },
                        "replacements": [{
                            "deletedRegion": { "charOffset": 0, "charLength": 0 },
                            "insertedContent": { "text": "SELECT 1;\n" },
                        }],
                    },
                ],
                "properties": { "applicability": "unsafe" },
            }])
        );
    }

    #[test]
    fn no_fixes_key_without_fixes() {
        let files = vec![SourceFile::new("000001_a.up.sql", "DROP TABLE t;\n")];
        let report = lint(&files, &LintOptions::default());
        assert!(!report.diagnostics.is_empty());
        assert!(!super::sarif(&report).contains("\"fixes\""));
    }
}
