use std::collections::BTreeSet;
use std::fmt::Write;

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

/// A URI (RFC 3986) for a path. A relative path becomes a relative
/// reference: `/` between segments (and `\\` on Windows, where it separates
/// too; elsewhere it is a file-name character, encoded), a leading `./`
/// dropped, and every byte outside the unreserved and sub-delims sets and
/// `@` percent-encoded. `:` is encoded too: in a first segment it would
/// make `x:y/z.sql` read as a URI with the scheme `x` (RFC 3986 §4.2). An
/// absolute path becomes a `file:` URI (`file:///abs/path`, and
/// `file:///C:/dir/...` for a Windows drive).
fn uri(path: &str) -> String {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_string()
    };
    let mut rest = path.as_str();
    let mut out = String::new();
    let b = rest.as_bytes();
    if cfg!(windows) && b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        out.push_str("file:///");
        out.push_str(&rest[..2]);
        rest = &rest[2..];
    } else if rest.starts_with('/') {
        out.push_str("file://");
    } else {
        while let Some(r) = rest.strip_prefix("./") {
            rest = r;
        }
    }
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/@!$&'()*+,;=".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::uri;
    use serde_json::{json, Value};

    use crate::{lint, LintOptions, SourceFile};

    #[test]
    fn uris_are_relative_references_or_file_uris() {
        assert_eq!(
            uri("migrations/000001_a.up.sql"),
            "migrations/000001_a.up.sql"
        );
        assert_eq!(uri("./m/1_a b.up.sql"), "m/1_a%20b.up.sql");
        // `x:y/...` would read as the scheme `x`.
        assert_eq!(uri("x:y/1_a.up.sql"), "x%3Ay/1_a.up.sql");
        assert_eq!(uri("m/a:b.sql"), "m/a%3Ab.sql");
        assert_eq!(uri("m/100%/é#?.sql"), "m/100%25/%C3%A9%23%3F.sql");
        assert_eq!(uri("/tmp/m/1_a.up.sql"), "file:///tmp/m/1_a.up.sql");
        if cfg!(windows) {
            assert_eq!(uri("C:\\m\\1_a.up.sql"), "file:///C:/m/1_a.up.sql");
            assert_eq!(uri("m\\1_a.up.sql"), "m/1_a.up.sql");
        } else {
            assert_eq!(uri("m\\1_a.up.sql"), "m%5C1_a.up.sql");
        }
    }

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
