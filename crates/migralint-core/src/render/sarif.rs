use std::collections::BTreeSet;

use serde_json::{json, Value};

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
            json!({
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
            })
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
