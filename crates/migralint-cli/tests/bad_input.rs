//! Hostile and broken input (issue 10, "Bad input"): deep nesting, files
//! that are not regular files, symlink loops, huge files, output that
//! cannot be written, control characters, odd names.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{run_in, Run, TempDir};

/// Runs `migralint args...` in `dir`, killed after `secs` (a hang fails
/// the test instead of hanging the suite).
fn run_bounded(dir: &Path, args: &[&str], secs: u64) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_migralint"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("migralint {args:?} still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// ---- deep nesting -------------------------------------------------------

type Shape = fn(usize) -> String;

fn nested_case(n: usize) -> String {
    format!(
        "SELECT {}1{} FROM t;",
        "CASE WHEN x > 0 THEN ".repeat(n),
        " ELSE 0 END".repeat(n)
    )
}
fn nested_subqueries(n: usize) -> String {
    format!("SELECT {}1{};", "(SELECT ".repeat(n), ")".repeat(n))
}
fn concat_chain(n: usize) -> String {
    let ops: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    format!("SELECT {} FROM t;", ops.join(" || "))
}
fn union_all(n: usize) -> String {
    let b: Vec<String> = (0..n).map(|i| format!("SELECT {i}")).collect();
    format!("{};", b.join(" UNION ALL "))
}
fn tsvector_index(n: usize) -> String {
    let cols: Vec<String> = (0..n).map(|i| format!("coalesce(c{i}, '')")).collect();
    format!(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS docs_search ON docs USING gin (to_tsvector('english', {}));",
        cols.join(" || ' ' || ")
    )
}

/// The five shapes of the issue (just past prost's old decoding limit) and
/// the deepest of each libpg_query accepts: linted without a syntax error
/// and without overflowing the stack.
#[test]
fn deep_nesting_is_linted() {
    let t = TempDir::new("deep");
    let shapes: [(Shape, usize, usize); 5] = [
        (nested_case, 24, 1999),
        (nested_subqueries, 16, 1665),
        (concat_chain, 48, 4996),
        (union_all, 95, 8735),
        (tsvector_index, 23, 2497),
    ];
    for (i, (shape, issue, limit)) in shapes.iter().enumerate() {
        t.write(&format!("m/{:06}_issue.up.sql", 2 * i + 1), shape(*issue));
        t.write(&format!("m/{:06}_issue.down.sql", 2 * i + 1), "SELECT 1;");
        t.write(&format!("m/{:06}_limit.up.sql", 2 * i + 2), shape(*limit));
        t.write(&format!("m/{:06}_limit.down.sql", 2 * i + 2), "SELECT 1;");
    }
    let out = run_bounded(&t.0, &["check", "--format", "compact", "m"], 300);
    assert!(
        out.code == 0 || out.code == 1,
        "{}{}",
        out.stdout,
        out.stderr
    );
    assert!(!out.stdout.contains("syntax-error"), "{}", out.stdout);
    assert!(out.stderr.ends_with("in 20 files.\n"), "{}", out.stderr);
}

// ---- files that are not regular files --------------------------------------

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

fn clean_dir(name: &str) -> TempDir {
    let t = TempDir::new(name);
    t.write(
        "m/000001_a.up.sql",
        "CREATE TABLE IF NOT EXISTS a (id bigint);\n",
    );
    t.write("m/000001_a.down.sql", "DROP TABLE IF EXISTS a;\n");
    t
}

#[test]
fn fifo_in_a_directory_is_an_error_not_a_hang() {
    let t = clean_dir("fifo-dir");
    mkfifo(&t.0.join("m/000002_b.up.sql"));
    let out = run_bounded(&t.0, &["check", "m"], 20);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stderr,
        "migralint: error: m/000002_b.up.sql: is a FIFO (named pipe), not a regular file (migrations must be regular files)\n"
    );
    // Named directly, and as a single migration's sibling.
    let out = run_bounded(&t.0, &["check", "m/000002_b.up.sql"], 20);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "migralint: error: m/000002_b.up.sql: is a FIFO (named pipe), not a file or directory\n"
    );
    let out = run_bounded(&t.0, &["check", "m/000001_a.up.sql"], 20);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("m/000002_b.up.sql: is a FIFO"),
        "{}",
        out.stderr
    );
}

#[test]
fn symlink_to_a_device_is_refused() {
    let t = clean_dir("dev-zero");
    std::os::unix::fs::symlink("/dev/zero", t.0.join("m/000002_zero.up.sql")).unwrap();
    let out = run_bounded(&t.0, &["check", "m"], 20);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stderr,
        "migralint: error: m/000002_zero.up.sql: is a character device, not a regular file (migrations must be regular files)\n"
    );
    // A symlink to a regular file is read as the file.
    std::fs::remove_file(t.0.join("m/000002_zero.up.sql")).unwrap();
    t.write("elsewhere.sql", "SELECT 1;\n");
    std::os::unix::fs::symlink("../elsewhere.sql", t.0.join("m/000002_b.up.sql")).unwrap();
    t.write("m/000002_b.down.sql", "SELECT 1;\n");
    let out = run_bounded(&t.0, &["check", "--format", "compact", "m"], 20);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stderr, "0 errors, 0 warnings in 4 files.\n");
}

#[test]
fn directory_symlink_loops_are_walked_once() {
    let t = TempDir::new("loop");
    t.write("m/000001_a.up.sql", "CREATE INDEX i ON t (a);\n");
    t.write("m/000001_a.down.sql", "DROP INDEX IF EXISTS i;\n");
    std::fs::create_dir_all(t.0.join("m/sub")).unwrap();
    std::os::unix::fs::symlink("..", t.0.join("m/sub/up")).unwrap();
    std::os::unix::fs::symlink(".", t.0.join("m/self")).unwrap();
    let out = run_bounded(&t.0, &["check", "--format", "compact", "m"], 20);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let findings: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("require-concurrent-index-creation"))
        .collect();
    assert_eq!(findings.len(), 1, "{}", out.stdout);
    assert!(
        findings[0].starts_with("m/000001_a.up.sql:1:1:"),
        "{}",
        findings[0]
    );
    assert!(out.stderr.ends_with("in 2 files.\n"), "{}", out.stderr);
    // The same directory named twice is linted once too.
    let out = run_bounded(&t.0, &["check", "--format", "compact", "m", "m/sub/up"], 20);
    assert!(out.stderr.ends_with("in 2 files.\n"), "{}", out.stderr);
}

#[test]
fn symlink_loop_named_directly_says_so() {
    let t = TempDir::new("loop-arg");
    std::os::unix::fs::symlink("b", t.0.join("a")).unwrap();
    std::os::unix::fs::symlink("a", t.0.join("b")).unwrap();
    let out = run_bounded(&t.0, &["check", "a"], 20);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "migralint: error: a: a loop of symbolic links (it never reaches a file or directory)\n"
    );
    let out = run_bounded(&t.0, &["check", "nothing-here"], 20);
    assert_eq!(
        out.stderr,
        "migralint: error: nothing-here: no such file or directory\n"
    );
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let t = clean_dir("big");
    let big = " ".repeat((16 << 20) + 1);
    t.write("m/000002_big.up.sql", &big);
    let out = run_bounded(&t.0, &["check", "m"], 60);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "migralint: error: m/000002_big.up.sql has more than 16 MiB; migralint reads at most that much per file (split it into several migrations)\n"
    );
    // Standard input is bounded the same way (it could be /dev/zero).
    let out = run_in(&t.0, &["check", "-"], Some(big.as_bytes()));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("standard input has more than 16 MiB"),
        "{}",
        out.stderr
    );
    // Exactly the limit is fine.
    t.write("m/000002_big.up.sql", &big[1..]);
    t.write("m/000002_big.down.sql", "SELECT 1;");
    let out = run_bounded(&t.0, &["check", "--format", "compact", "m"], 120);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// A subdirectory that cannot be read is reported as itself. Root reads
/// any directory, so as root the run drops to `nobody` (setpriv).
#[test]
fn unreadable_subdirectory_is_named() {
    let t = clean_dir("unreadable");
    t.write("m/sub/000002_b.up.sql", "SELECT 1;\n");
    use std::os::unix::fs::PermissionsExt;
    for d in ["", "m"] {
        let p = t.0.join(d);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(t.0.join("m/sub"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_migralint"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_migralint"))
    };
    let out = cmd.args(["check", "m"]).current_dir(&t.0).output().unwrap();
    std::fs::set_permissions(t.0.join("m/sub"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("migralint: error: cannot read directory m/sub: Permission denied"),
        "{stderr}"
    );
}

// ---- output that cannot be written ---------------------------------------

fn with_stdout(args: &[&str], stdout: Stdio, stderr: Stdio) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_migralint"))
        .args(args)
        .current_dir(common::repo_root())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

/// A pipe whose reader is gone: every write fails with EPIPE.
fn broken_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn broken_pipe_ends_output_quietly() {
    for args in [
        &["rules"][..],
        &["rules", "--format", "json"],
        &["explain", "ban-truncate"],
        &["--help"],
    ] {
        let (code, stderr) = with_stdout(args, broken_pipe(), Stdio::piped());
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    // `check` keeps the exit code of the lint.
    let (code, stderr) = with_stdout(
        &["check", "--format", "compact", "tests/fixtures/hazards"],
        broken_pipe(),
        Stdio::piped(),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_report_that_cannot_be_written_is_exit_2() {
    for format in ["compact", "json", "sarif", "github", "pretty"] {
        let (code, stderr) = with_stdout(
            &["check", "--format", format, "tests/fixtures/hazards"],
            dev_full(),
            Stdio::piped(),
        );
        assert_eq!(code, Some(2), "{format}: {stderr}");
        assert!(
            stderr.ends_with(
                "migralint: error: cannot write to standard output: No space left on device (os error 28) (the report was not written)\n"
            ),
            "{format}: {stderr}"
        );
    }
    for args in [&["rules"][..], &["explain", "ban-truncate"], &["--version"]] {
        let (code, stderr) = with_stdout(args, dev_full(), Stdio::piped());
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("No space left on device"), "{stderr}");
    }
}

#[test]
fn a_full_stderr_does_not_panic() {
    // Lint errors (summary on stderr), and a failure (message on stderr).
    let (code, _) = with_stdout(
        &["check", "--format", "compact", "tests/fixtures/hazards"],
        Stdio::null(),
        dev_full(),
    );
    assert_eq!(code, Some(1));
    let (code, _) = with_stdout(&["check", "no/such/dir"], Stdio::null(), dev_full());
    assert_eq!(code, Some(2));
    let (code, _) = with_stdout(&["check", "--bogus"], Stdio::null(), dev_full());
    assert_eq!(code, Some(2));
}

// ---- what the output shows ------------------------------------------------

#[test]
fn control_characters_are_escaped_in_text_formats() {
    let t = TempDir::new("controls");
    let evil = "000001_a\u{1b}[2J.up.sql";
    t.write(
        &format!("m/{evil}"),
        "CREATE INDEX \"i\u{1b}]0;pwned\u{7}\" ON t (a);\nSELEC \"\u{1b}[31m\";\n",
    );
    for format in ["compact", "github", "pretty"] {
        let out = run_in(&t.0, &["check", "--format", format, "m"], None);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        for (what, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{format} {what}: {text:?}"
            );
        }
        assert!(out.stdout.contains("\\x1b[2J"), "{format}: {}", out.stdout);
    }
    // Errors that name a file escape it too.
    mkfifo(&t.0.join("m/000002_b\u{1b}[2J.up.sql"));
    let out = run_bounded(&t.0, &["check", "m"], 20);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "migralint: error: m/000002_b\\x1b[2J.up.sql: is a FIFO (named pipe), not a regular file (migrations must be regular files)\n"
    );
    std::fs::remove_file(t.0.join("m/000002_b\u{1b}[2J.up.sql")).unwrap();
    // JSON and SARIF escape as JSON does.
    let out = run_in(&t.0, &["check", "--format", "json", "m"], None);
    assert!(!out.stdout.contains('\u{1b}') && out.stdout.contains("\\u001b"));
}

#[test]
fn backslash_is_a_file_name_character_on_unix() {
    let t = TempDir::new("backslash");
    t.write("m/x\\000001_a.up.sql", "SELECT 1;\n");
    let out = run_in(&t.0, &["check", "--format", "compact", "m"], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("m/x\\000001_a.up.sql:1:1: error [file-name-format] `x\\000001_a.up.sql` is not a golang-migrate migration name"),
        "{}",
        out.stdout
    );
}

#[test]
fn sarif_uris_are_references_not_schemes() {
    let t = TempDir::new("sarif-uri");
    t.write("x:y/000001_a.up.sql", "CREATE INDEX i ON t (a);\n");
    let out = run_in(&t.0, &["check", "--format", "sarif", "x:y"], None);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let uri =
        &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "x%3Ay/000001_a.up.sql");
}

#[test]
fn byte_order_mark_is_named() {
    let t = TempDir::new("bom");
    t.write("m/000001_a.up.sql", "\u{feff}SELECT 1;\n");
    t.write("m/000001_a.down.sql", "SELECT 1;\n");
    let out = run_in(&t.0, &["check", "--format", "compact", "m"], None);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "m/000001_a.up.sql:1:1: error [syntax-error] file starts with a UTF-8 byte-order mark (U+FEFF), which PostgreSQL rejects; save the file as UTF-8 without BOM\n"
    );
}

#[test]
fn long_literals_are_cut_in_messages() {
    let t = TempDir::new("long-literal");
    let literal = "x".repeat(1 << 20);
    t.write(
        "m/000001_a.up.sql",
        format!("SELECT 1;\nSELECT '{literal};\n"),
    );
    t.write("m/000001_a.down.sql", "SELECT 1;\n");
    for format in ["compact", "json", "github", "pretty"] {
        let out = run_in(&t.0, &["check", "--format", format, "m"], None);
        assert_eq!(out.code, 1);
        assert!(out.stdout.contains("…"), "{format}");
        let longest = out
            .stdout
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0);
        assert!(longest < 400, "{format}: a line of {longest} characters");
    }
}

#[test]
fn version_past_u64_is_named() {
    let t = TempDir::new("huge-version");
    t.write("m/99999999999999999999_huge.up.sql", "SELECT 1;\n");
    let out = run_in(&t.0, &["check", "--format", "compact", "m"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains(
            "`99999999999999999999_huge.up.sql` is not a golang-migrate migration name (its version \
             99999999999999999999 is larger than 18446744073709551615, the largest version golang-migrate reads"
        ),
        "{}",
        out.stdout
    );
}

/// golang-migrate reads any file named like a migration, whatever its
/// extension: an editor's backup beside the real file makes it refuse the
/// whole directory, a `.bak` of its own version is applied. The directory
/// walk reads them too, and says so.
#[test]
fn backups_golang_migrate_reads_are_reported() {
    let t = clean_dir("backups");
    t.write("m/000001_a.up.sql.orig", "CREATE TABLE a (id bigint);\n");
    t.write("m/000002_b.up.sql.bak", "CREATE TABLE b (id bigint);\n");
    t.write("m/notes.txt", "not a migration\n");
    let out = run_bounded(&t.0, &["check", "--format", "compact", "m"], 20);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("m/000001_a.up.sql.orig:1:1: error [duplicate-version]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("m/000002_b.up.sql.bak:1:1: error [file-name-format]"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("notes.txt"), "{}", out.stdout);
}

/// A config mistake stops the run (exit 2) with the file, the line and what
/// was expected, before any migration is read: a top-level key written
/// under `[rules]`, a level given as `true` or as a table.
#[test]
fn config_mistakes_name_the_file_and_line() {
    let cases = [
        ("[rules]\npedantic = true\n", "line 2", "top-level key"),
        (
            "[rules]\nrequire-lock-timeout = true\n",
            "line 2",
            r#"expected a level: "off", "warning" or "error""#,
        ),
        (
            "[downs]\nlocking = { error = {} }\n",
            "line 2",
            "expected a level",
        ),
        ("downs = \"off\"\n", "line 1", "expected a table: `[downs]`"),
    ];
    for (text, line, says) in cases {
        let t = clean_dir("config-mistake");
        t.write("migralint.toml", text);
        let out = run_in(&t.0, &["check", "m"], None);
        assert_eq!(out.code, 2, "{text:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("migralint.toml")
                && out.stderr.contains(line)
                && out.stderr.contains(says),
            "{text:?}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "{text:?}");
    }
}
