//! `migralint lsp` driven as an editor drives it, over the binary's stdio:
//! initialize, open, diagnostics, code action, hover, change, sibling
//! refresh, watched files and config changes, shutdown, exit.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::TempDir;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Messages read while waiting for something else.
    backlog: Vec<Value>,
}

impl Client {
    fn start(dir: &std::path::Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_migralint"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("migralint lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = Some(n.parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            backlog: Vec::new(),
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let reply = self.wait(|m| m["id"] == id && m.get("method").is_none());
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// The next message matching `pred` (others are kept for later).
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(m) if pred(&m) => return m,
                Ok(m) => self.backlog.push(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no such message in {WAIT:?}; got {:#?}", self.backlog)
                }
                Err(RecvTimeoutError::Disconnected) => panic!("the server exited"),
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        self.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
            ["params"]
            .clone()
    }
}

fn rules_of(published: &Value) -> Vec<String> {
    let mut v: Vec<String> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

const TABLE: &str =
    "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email varchar(100));\n";
const INDEX: &str = "CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n";

#[test]
fn an_editor_session() {
    let t = TempDir::new("lsp");
    let root = t.0.canonicalize().unwrap();
    t.write("m/000001_users.up.sql", TABLE);
    t.write("m/000001_users.down.sql", "DROP TABLE IF EXISTS users;\n");
    let up = t.write("m/000002_idx.up.sql", INDEX);
    let up = up.canonicalize().unwrap();
    let up_uri = uri(&up);
    let down = root.join("m/000002_idx.down.sql");
    let down_uri = uri(&down);

    let mut c = Client::start(&root);
    let init = c.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(&root),
            "capabilities": {
                "workspace": {
                    "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create"] },
                    "didChangeWatchedFiles": { "dynamicRegistration": true }
                },
                "textDocument": { "publishDiagnostics": { "versionSupport": true } }
            }
        }),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["textDocumentSync"]["change"], 1);
    assert_eq!(init["serverInfo"]["name"], "migralint");
    c.notify("initialized", json!({}));
    // The server asks to watch migralint.toml and .sql files.
    let reg = c.wait(|m| m["method"] == "client/registerCapability");
    let watchers = &reg["params"]["registrations"][0]["registerOptions"]["watchers"];
    assert_eq!(watchers[0]["globPattern"], "**/migralint.toml");
    let id = reg["id"].clone();
    c.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));

    // Open: diagnostics with the directory as context.
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": up_uri, "languageId": "sql", "version": 1, "text": INDEX } }),
    );
    let d = c.diagnostics(&up_uri);
    assert_eq!(d["version"], 1);
    assert_eq!(
        rules_of(&d),
        ["missing-down", "require-concurrent-index-creation"]
    );
    let index_diag = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "require-concurrent-index-creation")
        .unwrap()
        .clone();
    assert_eq!(
        index_diag["range"],
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 59 } })
    );
    assert_eq!(index_diag["severity"], 1);
    assert_eq!(index_diag["source"], "migralint");

    // Code action: the fix, as a versioned edit.
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": up_uri },
            "range": index_diag["range"],
            "context": { "diagnostics": [index_diag] }
        }),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let a = &actions[0];
    assert_eq!(a["kind"], "quickfix");
    assert_eq!(
        a["title"],
        "migralint: add `CONCURRENTLY` (unsafe: review it)"
    );
    assert_eq!(a["isPreferred"], false);
    assert_eq!(
        a["edit"]["documentChanges"],
        json!([{
            "textDocument": { "uri": up_uri, "version": 1 },
            "edits": [{
                "range": { "start": { "line": 0, "character": 12 }, "end": { "line": 0, "character": 12 } },
                "newText": " CONCURRENTLY"
            }]
        }])
    );
    // No safe fix: nothing for source.fixAll.
    let all = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": up_uri },
            "range": index_diag["range"],
            "context": { "diagnostics": [], "only": ["source.fixAll"] }
        }),
    );
    assert_eq!(all, json!([]));

    // Hover: the rule's page.
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": up_uri }, "position": { "line": 0, "character": 3 } }),
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    let page = hover["contents"]["value"].as_str().unwrap();
    assert!(
        page.contains("# require-concurrent-index-creation"),
        "{page}"
    );
    assert!(page.contains("## Fix"), "{page}");
    // missing-down points at the file's start: both pages there.
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": up_uri }, "position": { "line": 0, "character": 0 } }),
    );
    let page = hover["contents"]["value"].as_str().unwrap();
    assert!(page.contains("# missing-down"), "{page}");
    assert!(
        page.contains("# require-concurrent-index-creation"),
        "{page}"
    );
    let nothing = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": up_uri }, "position": { "line": 5, "character": 0 } }),
    );
    assert_eq!(nothing, Value::Null);

    // An unsaved sibling takes the place of its (missing) file: the up
    // file's diagnostics are refreshed without missing-down.
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": down_uri, "languageId": "sql", "version": 1,
                "text": "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n" } }),
    );
    let d = c.diagnostics(&up_uri);
    assert_eq!(rules_of(&d), ["require-concurrent-index-creation"]);
    let d = c.diagnostics(&down_uri);
    assert_eq!(rules_of(&d), Vec::<String>::new());

    // A change: fresh diagnostics for the new version.
    let fixed = "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);\n";
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": up_uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let d = c.diagnostics(&up_uri);
    assert_eq!(d["version"], 2);
    assert_eq!(rules_of(&d), Vec::<String>::new());

    // Closing the down buffer: the up file sees the disk again.
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": down_uri } }),
    );
    let d = c.diagnostics(&down_uri);
    assert_eq!(d["diagnostics"], json!([]));
    let d = c.diagnostics(&up_uri);
    assert_eq!(rules_of(&d), ["missing-down"]);

    // A sibling written on disk, reported by the watcher.
    std::fs::write(
        &down,
        "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": down_uri, "type": 1 }] }),
    );
    let d = c.diagnostics(&up_uri);
    assert_eq!(rules_of(&d), Vec::<String>::new());

    // migralint.toml: picked up when it changes.
    std::fs::remove_file(&down).unwrap();
    let config = root.join("migralint.toml");
    std::fs::write(&config, "[rules]\nmissing-down = \"off\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&down), "type": 3 }, { "uri": uri(&config), "type": 1 }] }),
    );
    let d = c.diagnostics(&up_uri);
    assert_eq!(rules_of(&d), Vec::<String>::new());
    // A broken one: said once, and the default rules apply.
    std::fs::write(&config, "bogus-key = 1\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&config), "type": 2 }] }),
    );
    let shown = c.wait(|m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1);
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(
        text.contains("migralint.toml") && text.contains("bogus-key"),
        "{text}"
    );
    let d = c.diagnostics(&up_uri);
    assert_eq!(rules_of(&d), ["missing-down"]);

    // Shutdown, exit: the process ends cleanly.
    let r = c.request("shutdown", Value::Null);
    assert_eq!(r, Value::Null);
    c.notify("exit", Value::Null);
    let status = wait_exit(&mut c.child);
    assert!(status.success(), "{status:?}");
}

#[test]
fn files_outside_a_migrations_directory_are_left_alone() {
    let t = TempDir::new("lsp-plain");
    let root = t.0.canonicalize().unwrap();
    let q = t.write("queries/report.sql", "DROP TABLE t;\n");
    let q_uri = uri(&q.canonicalize().unwrap());
    let m = t.write("m/000001_x.up.sql", "DROP TABLE t;\n");
    let m_uri = uri(&m.canonicalize().unwrap());
    let mut c = Client::start(&root);
    c.request(
        "initialize",
        json!({ "processId": null, "capabilities": {} }),
    );
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": q_uri, "languageId": "sql", "version": 1, "text": "DROP TABLE t;\n" } }),
    );
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": m_uri, "languageId": "sql", "version": 1, "text": "DROP TABLE t;\n" } }),
    );
    // Diagnostics come for the migration; none were published for the
    // query file before them (messages are handled in order).
    let d = c.diagnostics(&m_uri);
    assert!(rules_of(&d).contains(&"ban-drop-table".to_string()), "{d}");
    // No version without versionSupport.
    assert!(d.get("version").is_none() || d["version"].is_null(), "{d}");
    assert!(
        !c.backlog
            .iter()
            .any(|m| m["params"]["uri"] == q_uri.as_str()),
        "{:#?}",
        c.backlog
    );
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert!(wait_exit(&mut c.child).success());
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
