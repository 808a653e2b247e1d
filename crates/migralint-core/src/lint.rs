//! The engine: runs the rules over a set of parsed files and resolves
//! findings into sorted diagnostics.

use std::collections::HashSet;

use pg_query::protobuf::TransactionStmtKind;
use pg_query::NodeEnum;
use serde::Deserialize;

use crate::config::Config;
use crate::context::{FileCx, Findings, SetCx, StmtCx, TxState};
use crate::migration::{file_name, Direction, MigrationName};
use crate::model::Schema;
use crate::parse::{parse_file, ParsedFile, SyntaxError};
use crate::report::{Diagnostic, Report, Severity};
use crate::rules::{self, Category, Check, Rule, REGISTRY};
use crate::source::Span;

/// A file to lint: its path as given by the user and its text.
#[derive(Clone, Debug, Deserialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// Byte offset of the first invalid UTF-8 sequence, when the file was
    /// not UTF-8 (its text is then a lossy conversion).
    #[serde(skip)]
    pub invalid_utf8_at: Option<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            invalid_utf8_at: None,
        }
    }

    /// From raw bytes: invalid UTF-8 is kept as a lossy conversion and
    /// reported as a syntax error at its position.
    pub fn from_bytes(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => SourceFile::new(path, text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                SourceFile {
                    path: path.into(),
                    text,
                    invalid_utf8_at: Some(at),
                }
            }
        }
    }
}

/// What to lint with.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub config: Config,
    /// Report only on these paths; the other files are still read as
    /// context (schema replay, pairing).
    pub report_only: Option<Vec<String>>,
}

/// Parses a source file (a not-UTF-8 file becomes one syntax error).
pub fn parse_source(file: &SourceFile) -> ParsedFile {
    match file.invalid_utf8_at {
        None => parse_file(&file.path, &file.text),
        Some(at) => {
            let mut parsed = parse_file(&file.path, "");
            parsed.text = file.text.clone();
            parsed.line_index = crate::source::LineIndex::new(&parsed.text);
            parsed.syntax_errors.push(SyntaxError {
                span: Span::empty(at.min(parsed.text.len())),
                message: "file is not valid UTF-8; migrations must be UTF-8 text".into(),
            });
            parsed
        }
    }
}

/// Parses and lints a set of files.
pub fn lint(files: &[SourceFile], options: &LintOptions) -> Report {
    let parsed: Vec<ParsedFile> = files.iter().map(parse_source).collect();
    lint_parsed(&parsed, options)
}

/// Lints files already parsed (the CLI parses in parallel).
pub fn lint_parsed(parsed: &[ParsedFile], options: &LintOptions) -> Report {
    let config = &options.config;
    let names: Vec<Option<MigrationName>> = parsed
        .iter()
        .map(|f| MigrationName::parse(file_name(&f.path)))
        .collect();
    let files: Vec<FileCx> = parsed
        .iter()
        .zip(&names)
        .map(|(p, n)| FileCx {
            parsed: p,
            name: n.as_ref(),
        })
        .collect();
    let enabled: Vec<(&'static Rule, Severity)> = REGISTRY
        .iter()
        .filter_map(|r| config.severity(r).map(|s| (*r, s)))
        .collect();
    let mut out = Vec::new();

    let unparsable = unparsable_pairs(&files);
    let set_cx = SetCx {
        files: &files,
        config,
    };
    for (rule, severity) in &enabled {
        if let Check::Set(check) = rule.check {
            let mut findings = Findings::default();
            check(&set_cx, &mut findings);
            for f in findings.0 {
                let file = f.file.unwrap_or(0);
                let target = &files[file];
                let unknown = match target.name {
                    Some(n) => unparsable.contains(&(dir_of(&target.parsed.path), n.version)),
                    None => !target.parsed.syntax_errors.is_empty(),
                };
                if rule.category == Category::Pairing && unknown {
                    // The up (or down) did not parse: what it creates is unknown.
                    continue;
                }
                out.push(resolve(
                    &files, file, rule, *severity, f.span, f.message, f.help,
                ));
            }
        }
    }

    let mut schema = Schema::default();
    for index in replay_order(&names) {
        let scratch = names[index]
            .as_ref()
            .is_none_or(|n| n.direction == Direction::Down);
        if scratch {
            schema.begin_recording();
        }
        lint_file(&files, index, &mut schema, config, &enabled, &mut out);
        if scratch {
            schema.rollback();
        }
    }

    builtin_diagnostics(&files, &enabled, &mut out);
    apply_suppressions(&files, &mut out);
    if let Some(only) = &options.report_only {
        let only: HashSet<&str> = only.iter().map(String::as_str).collect();
        out.retain(|d| only.contains(d.file.as_str()));
    }
    let order: std::collections::HashMap<&str, usize> = parsed
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    out.sort_by(|a, b| {
        (order.get(a.file.as_str()), a.span.start, a.rule, a.span.end).cmp(&(
            order.get(b.file.as_str()),
            b.span.start,
            b.rule,
            b.span.end,
        ))
    });
    out.dedup_by(|a, b| {
        a.rule == b.rule && a.file == b.file && a.span == b.span && a.message == b.message
    });
    Report {
        diagnostics: out,
        files: parsed.len(),
    }
}

/// The `(directory, version)` pairs whose up or down file has syntax
/// errors: pairing rules cannot judge those (what the file creates is
/// unknown).
fn unparsable_pairs<'a>(files: &[FileCx<'a>]) -> HashSet<(&'a str, u64)> {
    files
        .iter()
        .filter(|f| !f.parsed.syntax_errors.is_empty())
        .filter_map(|f| f.name.map(|n| (dir_of(&f.parsed.path), n.version)))
        .collect()
}

fn dir_of(path: &str) -> &str {
    &path[..path.len() - file_name(path).len()]
}

/// Version order, ups before downs of the same version; files that are not
/// migrations come last in input order.
fn replay_order(names: &[Option<MigrationName>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| match &names[i] {
        Some(n) => (0, n.version, n.direction, i),
        None => (1, 0, Direction::Up, i),
    });
    order
}

fn lint_file(
    files: &[FileCx],
    index: usize,
    schema: &mut Schema,
    config: &Config,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<Diagnostic>,
) {
    let file = &files[index];
    let mut tx = TxState::default();
    for (stmt_index, stmt) in file.parsed.statements.iter().enumerate() {
        let cx = StmtCx {
            file,
            file_index: index,
            stmt,
            stmt_index,
            schema,
            tx: &tx,
            config,
        };
        for (rule, severity) in enabled {
            if let Check::Statement(check) = rule.check {
                let mut findings = Findings::default();
                check(&cx, &mut findings);
                for f in findings.0 {
                    let target = f.file.unwrap_or(index);
                    out.push(resolve(
                        files, target, rule, *severity, f.span, f.message, f.help,
                    ));
                }
            }
        }
        update_tx(&mut tx, &stmt.node);
        schema.apply(&stmt.node, index);
    }
}

fn update_tx(tx: &mut TxState, node: &NodeEnum) {
    match node {
        NodeEnum::TransactionStmt(t) => match TransactionStmtKind::try_from(t.kind) {
            Ok(TransactionStmtKind::TransStmtBegin | TransactionStmtKind::TransStmtStart) => {
                tx.in_explicit_tx = true
            }
            Ok(
                TransactionStmtKind::TransStmtCommit
                | TransactionStmtKind::TransStmtRollback
                | TransactionStmtKind::TransStmtPrepare,
            ) => tx.in_explicit_tx = false,
            _ => {}
        },
        NodeEnum::VariableSetStmt(s) if s.name == "lock_timeout" => {
            let value = s.args.first().and_then(crate::model::names::node_int);
            let text = s.args.first().and_then(|a| match a.node.as_ref() {
                Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                    Some(pg_query::protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                    _ => None,
                },
                _ => None,
            });
            let disabled =
                value == Some(0) || text.as_deref().is_some_and(|t| t.trim().starts_with('0'));
            tx.lock_timeout_set = !s.args.is_empty() && !disabled;
        }
        _ => {}
    }
}

fn resolve(
    files: &[FileCx],
    file: usize,
    rule: &'static Rule,
    severity: Severity,
    span: Span,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    let parsed = files[file].parsed;
    let (line, column) = parsed.line_col(span.start);
    let (end_line, end_column) = parsed.line_col(span.end);
    Diagnostic {
        rule: rule.name,
        severity,
        file: parsed.path.clone(),
        span,
        line,
        column,
        end_line,
        end_column,
        message,
        help,
    }
}

fn builtin_diagnostics(
    files: &[FileCx],
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<Diagnostic>,
) {
    let level = |name: &str| enabled.iter().find(|(r, _)| r.name == name).copied();
    if let Some((rule, severity)) = level("syntax-error") {
        for (i, f) in files.iter().enumerate() {
            for e in &f.parsed.syntax_errors {
                let help = "fix the SQL: PostgreSQL itself will reject this statement".to_string();
                out.push(resolve(
                    files,
                    i,
                    rule,
                    severity,
                    e.span,
                    e.message.clone(),
                    Some(help),
                ));
            }
        }
    }
    if let Some((rule, severity)) = level("invalid-suppression") {
        for (i, f) in files.iter().enumerate() {
            for sup in &f.parsed.suppressions {
                if sup.rules.is_empty() {
                    let msg = "suppression comment names no rule".to_string();
                    let help =
                        "write `-- migralint-ignore rule-name` (see `migralint rules`)".to_string();
                    out.push(resolve(files, i, rule, severity, sup.span, msg, Some(help)));
                }
                for (name, span) in &sup.rules {
                    if rules::find(name).is_none() {
                        let msg = format!("unknown rule `{name}` in suppression comment");
                        let help = match rules::closest(name) {
                            Some(r) => format!(
                                "did you mean `{}`? `migralint rules` lists every rule",
                                r.name
                            ),
                            None => "`migralint rules` lists every rule".to_string(),
                        };
                        out.push(resolve(files, i, rule, severity, *span, msg, Some(help)));
                    }
                }
            }
        }
    }
}

/// Drops diagnostics suppressed by `migralint-ignore` comments.
fn apply_suppressions(files: &[FileCx], out: &mut Vec<Diagnostic>) {
    if files.iter().all(|f| f.parsed.suppressions.is_empty()) {
        return;
    }
    let by_path: std::collections::HashMap<&str, &FileCx> =
        files.iter().map(|f| (f.parsed.path.as_str(), f)).collect();
    out.retain(|d| {
        let Some(f) = by_path.get(d.file.as_str()) else {
            return true;
        };
        let parsed = f.parsed;
        let file_level = parsed
            .suppressions
            .iter()
            .filter(|s| s.whole_file)
            .any(|s| s.rules.iter().any(|(n, _)| n == d.rule));
        if file_level {
            return false;
        }
        !parsed.statements.iter().any(|s| {
            s.span.start <= d.span.start
                && d.span.start <= s.span.end
                && s.ignored.iter().any(|n| n == d.rule)
        })
    });
}
