//! The command line as a user meets it: paths, stdin, config, formats,
//! exit codes, and clear errors for bad input.

mod common;

use common::{run, run_in, TempDir};

const CREATE: &str = "CREATE TABLE IF NOT EXISTS users (id bigint PRIMARY KEY, email text);\n";
const INDEX: &str = "CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);\n";

fn migrations(name: &str) -> TempDir {
    let t = TempDir::new(name);
    t.write("migrations/000001_create_users.up.sql", CREATE);
    t.write(
        "migrations/000001_create_users.down.sql",
        "DROP TABLE IF EXISTS users;\n",
    );
    t.write("migrations/000002_index_email.up.sql", INDEX);
    t.write(
        "migrations/000002_index_email.down.sql",
        "DROP INDEX IF EXISTS users_email_idx;\n",
    );
    t
}

#[test]
fn default_path_is_migrations_dir_and_errors_exit_1() {
    let t = migrations("default-path");
    let out = run_in(&t.0, &["check", "--format", "compact"], None);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "migrations/000002_index_email.up.sql:1:1: error [require-concurrent-index-creation]"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn clean_directory_exits_0() {
    let t = TempDir::new("clean");
    t.write("migrations/000001_create_users.up.sql", CREATE);
    t.write(
        "migrations/000001_create_users.down.sql",
        "DROP TABLE IF EXISTS users;\n",
    );
    let out = run_in(&t.0, &["check", "--format", "compact", "migrations"], None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("0 errors"), "{}", out.stderr);
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let t = TempDir::new("warnings");
    t.write(
        "m/000001_add_bio.up.sql",
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text;\n",
    );
    t.write(
        "m/000001_add_bio.down.sql",
        "ALTER TABLE users DROP COLUMN IF EXISTS bio;\n",
    );
    let out = run_in(&t.0, &["check", "--format", "compact", "m"], None);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(
        out.stdout.contains("warning [require-lock-timeout]"),
        "{}",
        out.stdout
    );
    let out = run_in(
        &t.0,
        &["check", "--format", "compact", "--deny-warnings", "m"],
        None,
    );
    assert_eq!(out.code, 1);
}

#[test]
fn missing_path_and_bad_flags_exit_2() {
    let out = run(&["check", "no/such/dir"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no/such/dir"), "{}", out.stderr);
    let out = run(&["check", "--format", "xml", "tests/fixtures/seed"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = run(&["check", "--select", "no-such-rule", "tests/fixtures/seed"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no-such-rule"), "{}", out.stderr);
    let out = run(&["check", "--pg-version", "3", "tests/fixtures/seed"]);
    assert_eq!(out.code, 2);
    let t = TempDir::new("no-migrations");
    let out = run_in(&t.0, &["check"], None);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("migrations"), "{}", out.stderr);
}

#[test]
fn stdin_with_filename() {
    let t = TempDir::new("stdin");
    let out = run_in(
        &t.0,
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "000007_idx.up.sql",
            "-",
        ],
        Some(b"CREATE INDEX IF NOT EXISTS i ON t (a);\n"),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], "000007_idx.up.sql");
    assert_eq!(d["rule"], "require-concurrent-index-creation");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(1), Some(38))
    );
}

#[test]
fn stdin_without_filename_is_not_a_naming_error() {
    let t = TempDir::new("stdin-plain");
    let out = run_in(
        &t.0,
        &["check", "--format", "compact", "-"],
        Some(b"SELECT 1;\nSELEC 2;\n"),
    );
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        "<stdin>:2:1: error [syntax-error] syntax error at or near \"SELEC\"\n"
    );
}

#[test]
fn json_shape_is_stable() {
    let out = run(&["check", "--format", "json", "tests/fixtures/hazards"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    // Key order as documented (serde_json's Value sorts keys: check the text).
    let order = [
        "\"diagnostics\"",
        "\"rule\"",
        "\"severity\"",
        "\"file\"",
        "\"line\"",
        "\"column\"",
        "\"end_line\"",
        "\"end_column\"",
        "\"message\"",
        "\"help\"",
        "\"summary\"",
        "\"files\"",
        "\"errors\"",
        "\"warnings\"",
    ];
    let at: Vec<usize> = order.iter().map(|k| out.stdout.find(k).expect(k)).collect();
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "keys out of order: {}",
        out.stdout
    );
    for d in v["diagnostics"].as_array().unwrap() {
        // Nine keys, `stands_for` when the finding stands for others, and
        // `fixes` when it has some.
        let keys = d.as_object().unwrap().len();
        let optional = d["fixes"].is_array() as usize + d["stands_for"].is_array() as usize;
        assert_eq!(keys, 9 + optional, "{d}");
        assert!(d["file"]
            .as_str()
            .unwrap()
            .starts_with("tests/fixtures/hazards/"));
        assert!(["error", "warning"].contains(&d["severity"].as_str().unwrap()));
    }
    let s = &v["summary"];
    assert_eq!(s["files"], 10);
    let n = v["diagnostics"].as_array().unwrap().len() as u64;
    assert_eq!(
        s["errors"].as_u64().unwrap() + s["warnings"].as_u64().unwrap(),
        n
    );
}

#[test]
fn sarif_has_required_fields() {
    let out = run(&["check", "--format", "sarif", "tests/fixtures/hazards"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "migralint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(r["message"]["text"].is_string());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("tests/fixtures/hazards/"), "{uri}");
    }
}

#[test]
fn github_annotations_are_escaped() {
    let t = TempDir::new("github");
    // A syntax error whose message quotes hostile text from the file.
    t.write(
        "m/000001_x.up.sql",
        "SELECT 1;\nSELEC '%0A::error::pwned';\n",
    );
    let out = run_in(&t.0, &["check", "--format", "github", "m"], None);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("syntax-error"))
        .expect(&out.stdout);
    assert!(line.starts_with("::error file=m/000001_x.up.sql,line=2,col=1,endLine=2,endColumn=6,title=migralint syntax-error::"), "{line}");
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with("::")).count(),
        out.stdout.lines().count()
    );
}

#[test]
fn single_file_reads_siblings_as_context() {
    let t = migrations("single-file");
    // Alone, the table would be unknown; with its siblings it is known to
    // come from 000001, and only the named file is reported on.
    let out = run_in(
        &t.0,
        &[
            "check",
            "--format",
            "compact",
            "migrations/000002_index_email.up.sql",
        ],
        None,
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .lines()
            .all(|l| l.starts_with("migrations/000002_index_email.up.sql:")),
        "{}",
        out.stdout
    );
}

#[test]
fn config_file_is_found_and_applied() {
    let t = migrations("config");
    t.write("migralint.toml", "migrations = \"migrations\"\npg-version = 14\nignore = [\"require-concurrent-index-creation\"]\n");
    let sub = t.0.join("migrations");
    let out = run_in(&sub, &["check", "--format", "compact"], None);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    t.write("migralint.toml", "pg-version = 14\nbogus-key = 1\n");
    let out = run_in(&t.0, &["check", "migrations"], None);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bogus-key") && out.stderr.contains("migralint.toml"),
        "{}",
        out.stderr
    );
    let out = run_in(
        &t.0,
        &["--config", "nope.toml", "check", "migrations"],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nope.toml"), "{}", out.stderr);
}

/// A category stands for its rules on the command line and in the file;
/// the file's rule line wins over the flag's category only where the flag
/// does not speak (flags come last).
#[test]
fn categories_on_the_command_line_and_in_the_file() {
    let t = migrations("categories");
    t.write(
        "migrations/000003_add_bio.up.sql",
        "ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text;\n",
    );
    t.write(
        "migrations/000003_add_bio.down.sql",
        "ALTER TABLE users DROP COLUMN IF EXISTS bio;\n",
    );
    let out = run_in(
        &t.0,
        &[
            "check",
            "--format",
            "compact",
            "--ignore",
            "locking",
            "migrations",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        !out.stdout.contains("require-concurrent-index-creation"),
        "{}",
        out.stdout
    );
    t.write(
        "migralint.toml",
        "[rules]\nlocking = \"off\"\nrequire-lock-timeout = \"error\"\n",
    );
    let out = run_in(&t.0, &["check", "--format", "compact", "migrations"], None);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("error [require-lock-timeout]"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("require-concurrent-index-creation"),
        "{}",
        out.stdout
    );
    let out = run_in(
        &t.0,
        &[
            "check",
            "--format",
            "compact",
            "--select",
            "lockng",
            "migrations",
        ],
        None,
    );
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("lockng") && out.stderr.contains("locking"),
        "{}",
        out.stderr
    );
}

#[test]
fn non_utf8_and_crlf_files() {
    let t = TempDir::new("encodings");
    t.write(
        "m/000001_latin1.up.sql",
        b"SELECT '\xe9t\xe9';\n".as_slice(),
    );
    t.write("m/000002_crlf.up.sql", "SELECT 1;\r\nSELEC 2;\r\n");
    let out = run_in(&t.0, &["check", "--format", "compact", "m"], None);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("m/000001_latin1.up.sql:1:9: error [syntax-error] file is not valid UTF-8"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("m/000002_crlf.up.sql:2:1: error [syntax-error]"),
        "{}",
        out.stdout
    );
}

#[test]
fn pretty_output_shows_the_source() {
    let out = run(&["check", "--format", "pretty", "tests/fixtures/syntax"]);
    assert!(
        out.stdout.contains("syntax error at or near \"NUL\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("NOT NUL"), "{}", out.stdout);
    assert!(out.stdout.contains("help:"), "{}", out.stdout);
}

#[test]
fn rules_and_explain() {
    let out = run(&["rules"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("require-concurrent-index-creation") && out.stdout.contains("locking")
    );
    let out = run(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["name"] == "syntax-error"));
    let out = run(&["explain", "require-concurrent-index-creation"]);
    assert_eq!(out.code, 0);
    assert!(out
        .stdout
        .starts_with("# require-concurrent-index-creation"));
    let out = run(&["explain", "require-concurrent-index-creatoin"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("did you mean `require-concurrent-index-creation`"),
        "{}",
        out.stderr
    );
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let table = run(&["rules", "--format", "markdown"]).stdout;
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("README rule table start marker")
        + "<!-- rules:start -->\n".len();
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README rule table end marker");
    assert_eq!(
        &readme[start..end],
        table,
        "README rule table is stale: regenerate it with `cargo run -q -p migralint-cli -- rules --format markdown`"
    );
}

/// `migralint migrate` takes golang-migrate's command line (Go's `-flag`
/// spelling) in the binary itself: it gets past argument parsing to the
/// connection (a closed port), and `create` works with no database.
#[test]
fn migrate_takes_golang_migrates_command_line() {
    let t = migrations("migrate-go-flags");
    let dir = t.0.join("migrations");
    let d = dir.to_str().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://u@127.0.0.1:{closed}/x?sslmode=disable");
    let out = run(&[
        "migrate",
        "-path",
        d,
        "-database",
        &url,
        "-verbose",
        "up",
        "1",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot connect to 127.0.0.1"),
        "{}",
        out.stderr
    );
    let out = run(&[
        "migrate", "create", "-ext", "sql", "-dir", d, "-seq", "-digits", "6", "add_x",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.join("000003_add_x.up.sql").exists());
    let out = run(&[
        "migrate",
        "-lock-timeout",
        "18446744073709551615",
        "version",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("too long"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}
