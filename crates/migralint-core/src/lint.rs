//! The engine: runs the rules over a set of parsed files and resolves
//! findings into sorted diagnostics.

use std::collections::HashSet;

use pg_query::protobuf::TransactionStmtKind;
use pg_query::NodeEnum;
use serde::Deserialize;

use crate::config::Config;
use crate::context::{DownCx, FileCx, Findings, SetCx, SetFile, StmtCx, TxState};
use crate::fix::{Edit, EditTarget, Fix, FixSpec};
use crate::migration::{file_name, Direction, MigrationName};
use crate::model::Schema;
use crate::pairing::Pairing;
use crate::par;
use crate::parse::{parse_file, ParsedFile, SyntaxError};
use crate::report::{Diagnostic, Report, Severity};
use crate::rules::objects::{dir_of, file_facts, migrations_by_dir, StmtFacts};
use crate::rules::{self, Category, Check, Rule, SetCheck, REGISTRY};
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

/// Files parsed ahead of the replay at a time. Memory holds the trees of at
/// most two chunks (the one being replayed and the next, being parsed).
const CHUNK: usize = 64;

/// Parses and lints a set of files.
pub fn lint(files: &[SourceFile], options: &LintOptions) -> Report {
    let config = &options.config;
    let names: Vec<Option<MigrationName>> = files
        .iter()
        .map(|f| MigrationName::parse(file_name(&f.path)))
        .collect();
    let enabled: Vec<(&'static Rule, Severity)> = REGISTRY
        .iter()
        .filter_map(|r| config.severity(r).map(|s| (*r, s)))
        .collect();
    // Diagnostics with the index of their file (for sorting).
    let mut out: Vec<(usize, Diagnostic)> = Vec::new();
    let kept = replay(files, &names, config, &enabled, &mut out);
    set_rules(&kept, config, &enabled, &mut out);
    drop_unjudgeable_pairing(&kept, &mut out);
    builtin_diagnostics(&kept, &enabled, &mut out);
    apply_suppressions(&kept, &mut out);
    out.sort_by(|(fa, a), (fb, b)| {
        (fa, a.span.start, a.rule, a.span.end).cmp(&(fb, b.span.start, b.rule, b.span.end))
    });
    out.dedup_by(|(fa, a), (fb, b)| {
        fa == fb && a.rule == b.rule && a.span == b.span && a.message == b.message
    });
    let mut report = Report {
        diagnostics: out.into_iter().map(|(_, d)| d).collect(),
        files: files.len(),
    };
    if let Some(only) = &options.report_only {
        report.keep_only(only);
    }
    report
}

/// A file parsed ahead of its turn in the replay.
struct Parsed {
    index: usize,
    file: ParsedFile,
    facts: Vec<StmtFacts>,
}

/// Replays the files in version order into a schema model, running the
/// statement rules on each statement. Files are parsed a chunk at a time,
/// the next chunk in parallel with the replay of the current one; a
/// replayed file keeps only what the set rules need (`SetFile`).
fn replay(
    files: &[SourceFile],
    names: &[Option<MigrationName>],
    config: &Config,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) -> Vec<SetFile> {
    let parse = |chunk: &[usize]| {
        par::map(chunk, |&index| {
            let file = parse_source(&files[index]);
            let up = names[index]
                .as_ref()
                .is_some_and(|n| n.direction == Direction::Up);
            let facts = file_facts(&file, up);
            Parsed { index, file, facts }
        })
    };
    let mut kept: Vec<Option<SetFile>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    let mut schema = Schema::default();
    let mut pairing = Pairing::default();
    let order = replay_order(names);
    let mut chunks = order.chunks(CHUNK);
    let mut ready = chunks.next().map(parse).unwrap_or_default();
    loop {
        let next = chunks.next();
        let current = std::mem::take(&mut ready);
        let ((), parsed) = par::join(
            || {
                for p in current {
                    let name = names[p.index].as_ref();
                    // Downs and non-migrations leave the schema as it was.
                    let scratch = name.is_none_or(|n| n.direction == Direction::Down);
                    if scratch {
                        schema.begin_recording();
                    }
                    let cx = FileCx {
                        parsed: &p.file,
                        name,
                    };
                    lint_file(&cx, p.index, &mut schema, config, enabled, out);
                    if scratch {
                        schema.rollback();
                    }
                    let mut file = SetFile::new(p.file, name.cloned(), p.facts);
                    if let Some(n) = name {
                        let version = n.version;
                        if n.direction == Direction::Up {
                            let statements = file.take_effects();
                            pairing.up(dir_of(&file.path), version, p.index, statements, &kept);
                        } else {
                            let at = (p.index, &file);
                            pairing.down(dir_of(&file.path), version, at, &kept, config, |cx| {
                                down_rules(cx, enabled, out)
                            });
                            file.take_effects();
                        }
                    }
                    kept[p.index] = Some(file);
                }
            },
            || next.map(parse),
        );
        match parsed {
            Some(parsed) => ready = parsed,
            None => break,
        }
    }
    kept.into_iter()
        .map(|f| f.expect("the replay visits every file"))
        .collect()
}

/// Runs the rules over the whole set (naming, pairing), in parallel.
fn set_rules(
    files: &[SetFile],
    config: &Config,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let dirs = migrations_by_dir(files);
    let cx = SetCx {
        files,
        dirs: &dirs,
        config,
    };
    let checks: Vec<(&'static Rule, Severity, SetCheck)> = enabled
        .iter()
        .filter_map(|(rule, severity)| match rule.check {
            Check::Set(check) => Some((*rule, *severity, check)),
            _ => None,
        })
        .collect();
    let found = par::map(&checks, |(_, _, check)| {
        let mut findings = Findings::default();
        check(&cx, &mut findings);
        findings.0
    });
    for ((rule, severity, _), findings) in checks.iter().zip(found) {
        for f in findings {
            let index = f.file.unwrap_or(0);
            let d = diagnostic(&files[index], rule, *severity, f.span, f.message, f.help)
                .with_fixes(f.fixes);
            out.push((index, d));
        }
    }
}

/// Runs the `Check::Down` rules on a down file (during the replay). Their
/// findings are in the down file, like a statement rule's in its own.
fn down_rules(
    cx: &DownCx,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    for (rule, severity) in enabled {
        if let Check::Down(check) = rule.check {
            let mut findings = Findings::default();
            check(cx, &mut findings);
            for f in findings.0 {
                let d = diagnostic(cx.down.file, rule, *severity, f.span, f.message, f.help)
                    .with_fixes(f.fixes);
                out.push((cx.down.index, d));
            }
        }
    }
}

/// Drops pairing findings on a version whose up or down did not parse:
/// what that file creates or drops is unknown.
fn drop_unjudgeable_pairing(files: &[SetFile], out: &mut Vec<(usize, Diagnostic)>) {
    let unparsable = unparsable_pairs(files);
    let pairing: Vec<&str> = REGISTRY
        .iter()
        .filter(|r| r.category == Category::Pairing)
        .map(|r| r.name)
        .collect();
    out.retain(|(index, d)| {
        if !pairing.contains(&d.rule) {
            return true;
        }
        let target = &files[*index];
        let unknown = match &target.name {
            Some(n) => unparsable.contains(&(dir_of(&target.path), n.version)),
            None => !target.syntax_errors.is_empty(),
        };
        !unknown
    });
}

/// The `(directory, version)` pairs whose up or down file has syntax
/// errors: pairing rules cannot judge those (what the file creates is
/// unknown).
fn unparsable_pairs(files: &[SetFile]) -> HashSet<(&str, u64)> {
    files
        .iter()
        .filter(|f| !f.syntax_errors.is_empty())
        .filter_map(|f| f.name.as_ref().map(|n| (dir_of(&f.path), n.version)))
        .collect()
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
    file: &FileCx,
    index: usize,
    schema: &mut Schema,
    config: &Config,
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
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
            tokens: Default::default(),
        };
        for (rule, severity) in enabled {
            if let Check::Statement(check) = rule.check {
                let mut findings = Findings::default();
                check(&cx, &mut findings);
                for f in findings.0 {
                    let d = diagnostic(file.parsed, rule, *severity, f.span, f.message, f.help)
                        .with_fixes(f.fixes);
                    out.push((index, d));
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

/// A file a diagnostic can point into: its path and where its lines start.
trait Located {
    fn path(&self) -> &str;
    fn line_col(&self, offset: usize) -> (usize, usize);
}

impl Located for ParsedFile {
    fn path(&self) -> &str {
        &self.path
    }
    fn line_col(&self, offset: usize) -> (usize, usize) {
        ParsedFile::line_col(self, offset)
    }
}

impl Located for SetFile {
    fn path(&self) -> &str {
        &self.path
    }
    fn line_col(&self, offset: usize) -> (usize, usize) {
        SetFile::line_col(self, offset)
    }
}

fn diagnostic<'a, F: Located>(
    file: &'a F,
    rule: &'static Rule,
    severity: Severity,
    span: Span,
    message: String,
    help: Option<String>,
) -> Resolving<'a, F> {
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    Resolving {
        file,
        diagnostic: Diagnostic {
            rule: rule.name,
            severity,
            file: file.path().to_string(),
            span,
            line,
            column,
            end_line,
            end_column,
            message,
            help,
            fixes: Vec::new(),
        },
    }
}

/// A diagnostic whose fixes are still to be resolved against its file.
struct Resolving<'a, F: Located> {
    file: &'a F,
    diagnostic: Diagnostic,
}

impl<F: Located> Resolving<'_, F> {
    fn with_fixes(mut self, fixes: Vec<FixSpec>) -> Diagnostic {
        self.diagnostic.fixes = fixes
            .into_iter()
            .map(|spec| resolve_fix(self.file, spec))
            .collect();
        self.diagnostic
    }
}

impl<F: Located> From<Resolving<'_, F>> for Diagnostic {
    fn from(r: Resolving<'_, F>) -> Diagnostic {
        r.diagnostic
    }
}

/// A rule's fix with paths and line/column positions.
fn resolve_fix(file: &impl Located, spec: FixSpec) -> Fix {
    let edits = spec
        .edits
        .into_iter()
        .map(|e| match e.target {
            EditTarget::Here => {
                let (line, column) = file.line_col(e.span.start);
                let (end_line, end_column) = file.line_col(e.span.end);
                Edit {
                    file: file.path().to_string(),
                    span: e.span,
                    line,
                    column,
                    end_line,
                    end_column,
                    content: e.content,
                    new_file: false,
                }
            }
            EditTarget::NewFile(name) => Edit {
                file: format!("{}{name}", dir_of(file.path())),
                span: Span::empty(0),
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
                content: e.content,
                new_file: true,
            },
        })
        .collect();
    Fix {
        message: spec.message,
        applicability: spec.applicability,
        edits,
    }
}

fn builtin_diagnostics(
    files: &[SetFile],
    enabled: &[(&'static Rule, Severity)],
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let level = |name: &str| enabled.iter().find(|(r, _)| r.name == name).copied();
    if let Some((rule, severity)) = level("syntax-error") {
        for (i, f) in files.iter().enumerate() {
            for e in &f.syntax_errors {
                let help = "fix the SQL: PostgreSQL itself will reject this statement".to_string();
                let d = diagnostic(f, rule, severity, e.span, e.message.clone(), Some(help)).into();
                out.push((i, d));
            }
        }
    }
    if let Some((rule, severity)) = level("invalid-suppression") {
        for (i, f) in files.iter().enumerate() {
            for sup in &f.suppressions {
                if sup.rules.is_empty() {
                    let msg = "suppression comment names no rule".to_string();
                    let help =
                        "write `-- migralint-ignore rule-name` (see `migralint rules`)".to_string();
                    out.push((
                        i,
                        diagnostic(f, rule, severity, sup.span, msg, Some(help)).into(),
                    ));
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
                        out.push((
                            i,
                            diagnostic(f, rule, severity, *span, msg, Some(help)).into(),
                        ));
                    }
                }
            }
        }
    }
}

/// Drops diagnostics suppressed by `migralint-ignore` comments.
fn apply_suppressions(files: &[SetFile], out: &mut Vec<(usize, Diagnostic)>) {
    out.retain(|(i, d)| {
        let file = &files[*i];
        if file.suppressions.is_empty() {
            return true;
        }
        let file_level = file
            .suppressions
            .iter()
            .filter(|s| s.whole_file)
            .any(|s| s.rules.iter().any(|(n, _)| n == d.rule));
        if file_level {
            return false;
        }
        !file.statements.iter().any(|s| {
            s.span.start <= d.span.start
                && d.span.start <= s.span.end
                && s.ignored.iter().any(|n| n == d.rule)
        })
    });
}
