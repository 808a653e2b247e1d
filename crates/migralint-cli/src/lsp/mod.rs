//! `migralint lsp`: a language server over stdin/stdout.
//!
//! Built on `lsp-server` (rust-analyzer's synchronous scaffold: a reader
//! and a writer thread, crossbeam channels, no async runtime) and
//! `lsp-types` 0.95 (`url::Url`, with its file-path conversions).
//!
//! What it does:
//! - lints every open `.sql` file of a migrations directory (a directory
//!   where an open file has a migration name, or the `migrations`
//!   directory of migralint.toml) together with the directory's other
//!   `.sql` files, read from disk, open buffers taking the place of their
//!   files: the replay and the pairing rules see what `migralint check
//!   <dir>` would see, and every open file of the directory gets fresh
//!   diagnostics when any of them changes;
//! - lints on open and save at once, and on change at once when the
//!   directory's last lint ended more than 150 ms ago, else 150 ms after
//!   it ended (changes in between are linted together, at their last
//!   version);
//! - finds migralint.toml from the file's directory up (or uses
//!   `--config`), re-read when it changes (watched through
//!   `workspace/didChangeWatchedFiles` when the client allows it, and
//!   checked by modification time at every lint); a bad config is shown
//!   as an error message and the default rules apply;
//! - hover over a diagnostic shows its rule's page; code actions are its
//!   fixes (`quickfix`, the safe one preferred), and `source.fixAll`
//!   applies the file's safe fixes.

mod text;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CreateFile, CreateFileOptions, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentChangeOperation, DocumentChanges,
    FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, MarkupContent, MarkupKind, MessageType, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, PositionEncodingKind, PublishDiagnosticsParams,
    Registration, RegistrationParams, ResourceOp, SaveOptions, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentEdit, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Url, WorkspaceEdit,
};
use migralint_core::fix::{apply_fixes, Applicability, Edit, FixOptions};
use migralint_core::migration::MigrationName;
use migralint_core::{lint, rules, Config, Diagnostic, LintOptions, Report, Severity, SourceFile};

use crate::load_config::{self, FILE_NAME};
use crate::Failure;
use text::Lines;

/// The least time between two lints of a directory while it is edited.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// An open document.
struct Doc {
    uri: Url,
    version: i32,
    text: String,
}

/// The last lint of a directory: its files (by file name) and report.
struct Linted {
    files: Vec<SourceFile>,
    report: Report,
}

impl Linted {
    fn text(&self, name: &str) -> Option<&str> {
        self.files
            .iter()
            .find(|f| f.path == name)
            .map(|f| f.text.as_str())
    }
}

/// A config file as last read.
struct CachedConfig {
    stamp: Option<(SystemTime, u64)>,
    loaded: Result<(Config, Option<PathBuf>), String>,
}

/// A file read from disk, kept while its modification time and size stay.
struct CachedFile {
    stamp: (SystemTime, u64),
    bytes: Vec<u8>,
}

struct Server {
    conn: Connection,
    explicit_config: Option<PathBuf>,
    docs: HashMap<PathBuf, Doc>,
    /// Directories to lint, and when.
    pending: HashMap<PathBuf, Instant>,
    last_lint: HashMap<PathBuf, Instant>,
    linted: HashMap<PathBuf, Linted>,
    /// Open files that have diagnostics published (to clear them).
    published: HashSet<PathBuf>,
    configs: HashMap<PathBuf, CachedConfig>,
    disk: HashMap<PathBuf, CachedFile>,
    shown_errors: HashSet<String>,
    document_changes: bool,
    create_files: bool,
    version_support: bool,
    next_id: i32,
}

pub fn run(config: Option<&Path>) -> Result<ExitCode, Failure> {
    let explicit_config = match config {
        Some(p) if !p.is_file() => {
            return Err(Failure(format!("config file {} not found", p.display())))
        }
        Some(p) => Some(std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())),
        None => None,
    };
    let (conn, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
            ]),
            resolve_provider: Some(false),
            ..Default::default()
        })),
        ..Default::default()
    };
    let init = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "migralint".into(),
            version: Some(migralint_core::VERSION.into()),
        },
    });
    let params = match conn.initialize_start() {
        Ok((id, params)) => {
            conn.initialize_finish(id, init)
                .map_err(|e| Failure(format!("lsp: initialize: {e}")))?;
            params
        }
        Err(e) => return Err(Failure(format!("lsp: initialize: {e}"))),
    };
    let params: InitializeParams = serde_json::from_value(params)
        .map_err(|e| Failure(format!("lsp: bad initialize params: {e}")))?;
    let caps = &params.capabilities;
    let workspace_edit = caps
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref());
    let mut server = Server {
        conn,
        explicit_config,
        docs: HashMap::new(),
        pending: HashMap::new(),
        last_lint: HashMap::new(),
        linted: HashMap::new(),
        published: HashSet::new(),
        configs: HashMap::new(),
        disk: HashMap::new(),
        shown_errors: HashSet::new(),
        document_changes: workspace_edit.and_then(|w| w.document_changes) == Some(true),
        create_files: workspace_edit
            .and_then(|w| w.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&lsp_types::ResourceOperationKind::Create)),
        version_support: caps
            .text_document
            .as_ref()
            .and_then(|t| t.publish_diagnostics.as_ref())
            .and_then(|p| p.version_support)
            == Some(true),
        next_id: 0,
    };
    let watch = caps
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        == Some(true);
    if watch {
        server.register_watchers();
    }
    let result = server.main_loop();
    drop(server);
    io_threads
        .join()
        .map_err(|e| Failure(format!("lsp: {e}")))?;
    result.map(|()| ExitCode::SUCCESS)
}

impl Server {
    fn main_loop(&mut self) -> Result<(), Failure> {
        loop {
            let deadline = self.pending.values().min().copied();
            let msg = match deadline {
                None => match self.conn.receiver.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return Ok(()),
                },
                Some(at) => {
                    let wait = at.saturating_duration_since(Instant::now());
                    match self.conn.receiver.recv_timeout(wait) {
                        Ok(m) => Some(m),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return Ok(()),
                    }
                }
            };
            match msg {
                Some(Message::Request(req)) => {
                    let shutdown = self
                        .conn
                        .handle_shutdown(&req)
                        .map_err(|e| Failure(format!("lsp: {e}")))?;
                    if shutdown {
                        return Ok(());
                    }
                    self.request(req);
                }
                Some(Message::Notification(n)) => self.notification(n),
                Some(Message::Response(_)) | None => {}
            }
            self.lint_due();
        }
    }

    fn send(&self, msg: Message) {
        let _ = self.conn.sender.send(msg);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn register_watchers(&mut self) {
        let watchers = ["**/migralint.toml", "**/*.sql"]
            .into_iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.into()),
                kind: None,
            })
            .collect();
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "migralint-watch".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers,
                })
                .ok(),
            }],
        };
        self.next_id += 1;
        self.send(Message::Request(Request::new(
            RequestId::from(self.next_id),
            RegisterCapability::METHOD.into(),
            params,
        )));
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(path) = sql_path(&p.text_document.uri) else {
                    return;
                };
                let dir = parent(&path);
                self.docs.insert(
                    path,
                    Doc {
                        uri: p.text_document.uri,
                        version: p.text_document.version,
                        text: p.text_document.text,
                    },
                );
                self.schedule(dir, true);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(path) = sql_path(&p.text_document.uri) else {
                    return;
                };
                let Some(doc) = self.docs.get_mut(&path) else {
                    return;
                };
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    doc.text = change.text;
                }
                doc.version = p.text_document.version;
                self.schedule(parent(&path), false);
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else {
                    return;
                };
                let Ok(path) = p.text_document.uri.to_file_path() else {
                    return;
                };
                if is_config(&path) {
                    self.config_changed();
                } else if self.docs.contains_key(&path) {
                    self.schedule(parent(&path), true);
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(path) = sql_path(&p.text_document.uri) else {
                    return;
                };
                if self.docs.remove(&path).is_some() {
                    if self.published.remove(&path) {
                        self.publish(p.text_document.uri, None, Vec::new());
                    }
                    // The siblings now see the file as it is on disk.
                    self.schedule(parent(&path), true);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeWatchedFilesParams>(n.params) else {
                    return;
                };
                for change in p.changes {
                    let Ok(path) = change.uri.to_file_path() else {
                        continue;
                    };
                    if is_config(&path) {
                        self.config_changed();
                    } else {
                        self.disk.remove(&path);
                        let dir = parent(&path);
                        if self.docs.keys().any(|d| parent(d) == dir) {
                            self.schedule(dir, false);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn config_changed(&mut self) {
        self.configs.clear();
        let dirs: HashSet<PathBuf> = self.docs.keys().map(|p| parent(p)).collect();
        for dir in dirs {
            self.schedule(dir, true);
        }
    }

    /// Lints `dir` now (`now`), or as soon as `DEBOUNCE` has passed since
    /// its last lint.
    fn schedule(&mut self, dir: PathBuf, now: bool) {
        let at = match self.last_lint.get(&dir) {
            Some(last) if !now => (*last + DEBOUNCE).max(Instant::now()),
            _ => Instant::now(),
        };
        let entry = self.pending.entry(dir).or_insert(at);
        *entry = (*entry).min(at);
    }

    fn lint_due(&mut self) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(d, _)| d.clone())
            .collect();
        for dir in due {
            self.pending.remove(&dir);
            self.lint_dir(&dir);
        }
    }

    /// Lints `dir` now if a lint of it is pending (before answering about
    /// its files: positions must match the text the client has).
    fn flush(&mut self, dir: &Path) {
        if self.pending.remove(dir).is_some() {
            self.lint_dir(dir);
        }
    }

    fn config_for(&mut self, dir: &Path) -> (Config, Option<PathBuf>) {
        let path = match &self.explicit_config {
            Some(p) => Some(p.clone()),
            None => load_config::find_from(dir),
        };
        let Some(path) = path else {
            return (Config::default(), None);
        };
        let stamp = stamp(&path);
        let fresh = self.configs.get(&path).is_some_and(|c| c.stamp == stamp);
        if !fresh {
            let loaded = load_config::read(&path)
                .map(|l| (l.config, l.migrations_dir))
                .map_err(|Failure(e)| e);
            self.configs
                .insert(path.clone(), CachedConfig { stamp, loaded });
        }
        match &self.configs[&path].loaded {
            Ok((config, migrations)) => (config.clone(), migrations.clone()),
            Err(e) => {
                let message = format!("migralint: {e}; linting with the default rules");
                if self.shown_errors.insert(message.clone()) {
                    self.notify::<ShowMessage>(ShowMessageParams {
                        typ: MessageType::ERROR,
                        message,
                    });
                }
                (Config::default(), None)
            }
        }
    }

    /// A file's bytes from disk, cached while its stamp stays.
    fn read_disk(&mut self, path: &Path) -> Option<Vec<u8>> {
        let stamp = stamp(path)?;
        if let Some(c) = self.disk.get(path) {
            if c.stamp == stamp {
                return Some(c.bytes.clone());
            }
        }
        let bytes = std::fs::read(path).ok()?;
        self.disk.insert(
            path.to_path_buf(),
            CachedFile {
                stamp,
                bytes: bytes.clone(),
            },
        );
        Some(bytes)
    }

    fn lint_dir(&mut self, dir: &Path) {
        self.lint_dir_now(dir);
        // The debounce counts from the end of the lint: changes that came
        // in meanwhile wait for the next one, together.
        self.last_lint.insert(dir.to_path_buf(), Instant::now());
    }

    fn lint_dir_now(&mut self, dir: &Path) {
        let open: Vec<PathBuf> = self
            .docs
            .keys()
            .filter(|p| parent(p) == dir)
            .cloned()
            .collect();
        if open.is_empty() {
            self.linted.remove(dir);
            return;
        }
        let (config, migrations) = self.config_for(dir);
        let in_migrations = migrations.is_some_and(|m| {
            let m = std::fs::canonicalize(&m).unwrap_or(m);
            let d = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
            d.starts_with(m)
        });
        let qualifies = in_migrations
            || open
                .iter()
                .any(|p| MigrationName::parse(&name_of(p)).is_some());
        if !qualifies {
            for p in open {
                if self.published.remove(&p) {
                    let uri = self.docs[&p].uri.clone();
                    self.publish(uri, None, Vec::new());
                }
            }
            self.linted.remove(dir);
            return;
        }

        // The directory's .sql files, open buffers in place of their files.
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| is_sql_name(n))
                    .collect()
            })
            .unwrap_or_default();
        for p in &open {
            names.push(name_of(p));
        }
        names.sort();
        names.dedup();
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            let path = dir.join(&name);
            if let Some(doc) = self.docs.get(&path) {
                files.push(SourceFile::new(name, doc.text.clone()));
            } else if let Some(bytes) = self.read_disk(&path) {
                files.push(SourceFile::from_bytes(name, bytes));
            }
        }
        let report_only: Vec<String> = open.iter().map(|p| name_of(p)).collect();
        let report = lint(
            &files,
            &LintOptions {
                config,
                report_only: Some(report_only),
            },
        );
        let linted = Linted { files, report };
        for p in &open {
            let name = name_of(p);
            let text = linted.text(&name).unwrap_or_default();
            let lines = Lines::new(text);
            let diagnostics = linted
                .report
                .diagnostics
                .iter()
                .filter(|d| d.file == name)
                .map(|d| to_lsp(d, &lines))
                .collect();
            let doc = &self.docs[p];
            self.publish(doc.uri.clone(), Some(doc.version), diagnostics);
            self.published.insert(p.clone());
        }
        self.linted.insert(dir.to_path_buf(), linted);
    }

    fn publish(&self, uri: Url, version: Option<i32>, diagnostics: Vec<lsp_types::Diagnostic>) {
        let version = version.filter(|_| self.version_support);
        self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    fn request(&mut self, req: Request) {
        let result = match req.method.as_str() {
            HoverRequest::METHOD => serde_json::from_value::<HoverParams>(req.params)
                .map(|p| serde_json::to_value(self.hover(p)).unwrap_or_default()),
            CodeActionRequest::METHOD => serde_json::from_value::<CodeActionParams>(req.params)
                .map(|p| serde_json::to_value(self.code_actions(p)).unwrap_or_default()),
            _ => {
                self.send(Message::Response(Response::new_err(
                    req.id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("unknown request {}", req.method),
                )));
                return;
            }
        };
        let response = match result {
            Ok(value) => Response::new_ok(req.id, value),
            Err(e) => Response::new_err(
                req.id,
                lsp_server::ErrorCode::InvalidParams as i32,
                e.to_string(),
            ),
        };
        self.send(Message::Response(response));
    }

    /// The directory and file name of the open file at `uri`, its
    /// directory's lint brought up to date.
    fn open_doc(&mut self, uri: &Url) -> Option<(PathBuf, String)> {
        let path = sql_path(uri)?;
        if !self.docs.contains_key(&path) {
            return None;
        }
        let dir = parent(&path);
        self.flush(&dir);
        Some((dir, name_of(&path)))
    }

    fn hover(&mut self, p: HoverParams) -> Option<Hover> {
        let uri = p.text_document_position_params.text_document.uri;
        let pos = p.text_document_position_params.position;
        let (dir, name) = self.open_doc(&uri)?;
        let linted = self.linted.get(&dir)?;
        let lines = Lines::new(linted.text(&name)?);
        let at = lines.offset(pos);
        let hits: Vec<&Diagnostic> = linted
            .report
            .diagnostics
            .iter()
            .filter(|d| d.file == name && d.span.start <= at && at <= d.span.end)
            .collect();
        let first = hits.first()?;
        let mut seen = HashSet::new();
        let pages: Vec<&str> = hits
            .iter()
            .filter(|d| seen.insert(d.rule))
            .filter_map(|d| rules::find(d.rule).map(|r| r.doc))
            .collect();
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: pages.join("\n---\n\n"),
            }),
            range: Some(lines.range(first.span.start, first.span.end)),
        })
    }

    fn code_actions(&mut self, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = p.text_document.uri.clone();
        let only = p.context.only.clone();
        let wants = |kind: &CodeActionKind| {
            only.as_ref().is_none_or(|only| {
                only.iter().any(|o| {
                    kind.as_str() == o.as_str()
                        || kind.as_str().starts_with(&format!("{}.", o.as_str()))
                })
            })
        };
        let Some((dir, name)) = self.open_doc(&uri) else {
            return Vec::new();
        };
        let Some(linted) = self.linted.get(&dir) else {
            return Vec::new();
        };
        let Some(text) = linted.text(&name) else {
            return Vec::new();
        };
        let lines = Lines::new(text);
        let (start, end) = (lines.offset(p.range.start), lines.offset(p.range.end));
        let mut actions = Vec::new();
        if wants(&CodeActionKind::QUICKFIX) {
            for d in linted.report.diagnostics.iter().filter(|d| {
                d.file == name && !d.fixes.is_empty() && d.span.start <= end && start <= d.span.end
            }) {
                let preferred = d
                    .fixes
                    .iter()
                    .position(|f| f.applicability == Applicability::Safe);
                for (i, fix) in d.fixes.iter().enumerate() {
                    let Some(edit) = self.workspace_edit(&dir, linted, &fix.edits) else {
                        continue;
                    };
                    let title = match fix.applicability {
                        Applicability::Safe => format!("migralint: {}", fix.message),
                        Applicability::Unsafe => {
                            format!("migralint: {} (unsafe: review it)", fix.message)
                        }
                    };
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![to_lsp(d, &lines)]),
                        edit: Some(edit),
                        is_preferred: Some(preferred == Some(i)),
                        ..Default::default()
                    }));
                }
            }
        }
        let fix_all = CodeActionKind::new("source.fixAll.migralint");
        if wants(&fix_all) {
            let mut report = linted.report.clone();
            report.diagnostics.retain(|d| d.file == name);
            let result = apply_fixes(&linted.files, &report, &FixOptions::default());
            if let Some(fixed) = result.files.iter().find(|f| f.path == name && !f.created) {
                let whole = lines.range(0, text.len());
                let doc_edit = Edit {
                    file: name.clone(),
                    span: migralint_core::Span::new(0, text.len()),
                    line: 1,
                    column: 1,
                    end_line: whole.end.line as usize + 1,
                    end_column: 1,
                    content: fixed.text.clone(),
                    new_file: false,
                };
                if let Some(edit) = self.workspace_edit(&dir, linted, &[doc_edit]) {
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: format!(
                            "migralint: apply the safe fixes ({})",
                            result.applied.len()
                        ),
                        kind: Some(fix_all),
                        edit: Some(edit),
                        ..Default::default()
                    }));
                }
            }
        }
        actions
    }

    /// The edits as a workspace edit: per file, in the order the fix
    /// first touches it; a created file as a create operation (never over
    /// an existing file) and an insertion. `None` when the client cannot
    /// create files and the fix needs to.
    fn workspace_edit(&self, dir: &Path, linted: &Linted, edits: &[Edit]) -> Option<WorkspaceEdit> {
        let mut order: Vec<(&str, bool)> = Vec::new();
        for e in edits {
            if !order.iter().any(|(f, _)| *f == e.file) {
                order.push((&e.file, e.new_file));
            }
        }
        if order.iter().any(|(_, new)| *new) && !(self.document_changes && self.create_files) {
            return None;
        }
        let mut ops: Vec<DocumentChangeOperation> = Vec::new();
        let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
        for (file, new) in order {
            let path = dir.join(file);
            let uri = Url::from_file_path(&path).ok()?;
            let text_edits: Vec<TextEdit> = if new {
                edits
                    .iter()
                    .filter(|e| e.file == file)
                    .map(|e| TextEdit::new(Default::default(), e.content.clone()))
                    .collect()
            } else {
                let text = linted.text(file)?;
                let lines = Lines::new(text);
                edits
                    .iter()
                    .filter(|e| e.file == file)
                    .map(|e| {
                        TextEdit::new(lines.range(e.span.start, e.span.end), e.content.clone())
                    })
                    .collect()
            };
            if new {
                ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                    CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    },
                )));
            }
            let version = self.docs.get(&path).map(|d| d.version);
            ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version,
                },
                edits: text_edits.iter().cloned().map(OneOf::Left).collect(),
            }));
            changes.entry(uri).or_default().extend(text_edits);
        }
        Some(if self.document_changes {
            WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(ops)),
                ..Default::default()
            }
        } else {
            WorkspaceEdit {
                changes: Some(changes),
                ..Default::default()
            }
        })
    }
}

/// A core diagnostic as an LSP one, over the text it was computed from.
fn to_lsp(d: &Diagnostic, lines: &Lines) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    lsp_types::Diagnostic {
        range: lines.range(d.span.start, d.span.end),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.rule.to_string())),
        source: Some("migralint".into()),
        message,
        ..Default::default()
    }
}

/// The path of a `file:` URI of a `.sql` file.
fn sql_path(uri: &Url) -> Option<PathBuf> {
    let path = uri.to_file_path().ok()?;
    is_sql_name(&name_of(&path)).then_some(path)
}

fn is_sql_name(name: &str) -> bool {
    migralint_core::sources::is_sql_file(name)
}

fn is_config(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == FILE_NAME)
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Modification time and size: what tells a file changed.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use migralint_core::fix::Fix;
    use serde_json::json;

    /// A server over an in-memory connection, with one open file whose
    /// lint carries hand-made fixes (no rule has a safe or file-creating
    /// fix yet): a safe one, and an unsafe one that creates a file.
    fn server(document_changes: bool) -> (Server, Url) {
        let (conn, _client) = Connection::memory();
        let dir = std::env::temp_dir().join("migralint-lsp-unit");
        let path = dir.join("000001_a.up.sql");
        let uri = Url::from_file_path(&path).unwrap();
        let text = "CREATE TABLE t (a timestamp);\n";
        let at = text.find("timestamp").unwrap();
        let edit = |file: &str, start, end, content: &str, new_file| Edit {
            file: file.into(),
            span: migralint_core::Span::new(start, end),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            content: content.into(),
            new_file,
        };
        let diagnostic = Diagnostic {
            rule: "prefer-timestamptz",
            severity: Severity::Warning,
            file: "000001_a.up.sql".into(),
            span: migralint_core::Span::new(at, at + 9),
            line: 1,
            column: at + 1,
            end_line: 1,
            end_column: at + 10,
            message: "m".into(),
            help: None,
            stands_for: Vec::new(),
            fixes: vec![
                Fix {
                    message: "split".into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![
                        edit("000001_a.up.sql", at, at + 9, "timestamptz", false),
                        edit("000002_b.up.sql", 0, 0, "SELECT 1;\n", true),
                    ],
                },
                Fix {
                    message: "use timestamptz".into(),
                    applicability: Applicability::Safe,
                    edits: vec![edit("000001_a.up.sql", at, at + 9, "timestamptz", false)],
                },
            ],
        };
        let mut s = Server {
            conn,
            explicit_config: None,
            docs: HashMap::new(),
            pending: HashMap::new(),
            last_lint: HashMap::new(),
            linted: HashMap::new(),
            published: HashSet::new(),
            configs: HashMap::new(),
            disk: HashMap::new(),
            shown_errors: HashSet::new(),
            document_changes,
            create_files: document_changes,
            version_support: true,
            next_id: 0,
        };
        s.docs.insert(
            path,
            Doc {
                uri: uri.clone(),
                version: 7,
                text: text.into(),
            },
        );
        s.linted.insert(
            dir,
            Linted {
                files: vec![SourceFile::new("000001_a.up.sql", text)],
                report: Report {
                    diagnostics: vec![diagnostic],
                    files: 1,
                },
            },
        );
        (s, uri)
    }

    fn params(uri: &Url, only: Option<&str>) -> CodeActionParams {
        serde_json::from_value(json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 20 }, "end": { "line": 0, "character": 20 } },
            "context": { "diagnostics": [], "only": only.map(|o| vec![o]) }
        }))
        .unwrap()
    }

    #[test]
    fn quick_fixes_prefer_the_safe_one_and_create_files() {
        let (mut s, uri) = server(true);
        let actions = serde_json::to_value(s.code_actions(params(&uri, Some("quickfix")))).unwrap();
        assert_eq!(actions.as_array().unwrap().len(), 2, "{actions:#}");
        assert_eq!(actions[0]["title"], "migralint: split (unsafe: review it)");
        assert_eq!(actions[0]["isPreferred"], false);
        assert_eq!(actions[1]["isPreferred"], true);
        let new_uri =
            Url::from_file_path(std::env::temp_dir().join("migralint-lsp-unit/000002_b.up.sql"))
                .unwrap();
        assert_eq!(
            actions[0]["edit"]["documentChanges"],
            json!([
                { "textDocument": { "uri": uri, "version": 7 }, "edits": [{
                    "range": { "start": { "line": 0, "character": 18 }, "end": { "line": 0, "character": 27 } },
                    "newText": "timestamptz" }] },
                { "kind": "create", "uri": new_uri, "options": { "overwrite": false, "ignoreIfExists": false } },
                { "textDocument": { "uri": new_uri, "version": null }, "edits": [{
                    "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                    "newText": "SELECT 1;\n" }] }
            ])
        );
    }

    #[test]
    fn without_document_changes_fixes_that_create_files_are_left_out() {
        let (mut s, uri) = server(false);
        let actions = serde_json::to_value(s.code_actions(params(&uri, None))).unwrap();
        let titles: Vec<&str> = actions
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            [
                "migralint: use timestamptz",
                "migralint: apply the safe fixes (1)"
            ]
        );
        assert_eq!(
            actions[0]["edit"]["changes"][uri.as_str()][0]["newText"],
            "timestamptz"
        );
    }

    #[test]
    fn fix_all_applies_the_safe_fixes_to_the_whole_file() {
        let (mut s, uri) = server(true);
        let actions =
            serde_json::to_value(s.code_actions(params(&uri, Some("source.fixAll")))).unwrap();
        assert_eq!(actions.as_array().unwrap().len(), 1, "{actions:#}");
        assert_eq!(actions[0]["kind"], "source.fixAll.migralint");
        assert_eq!(
            actions[0]["edit"]["documentChanges"][0]["edits"][0],
            json!({
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } },
                "newText": "CREATE TABLE t (a timestamptz);\n"
            })
        );
    }
}
