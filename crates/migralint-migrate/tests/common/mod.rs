//! A throwaway PostgreSQL for the tests: `initdb` + `pg_ctl` on a temp
//! directory (as the `postgres` user when running as root, since `initdb`
//! refuses root), listening on a Unix socket in that directory and on a free
//! loopback port. One server per test binary; each test gets its own fresh
//! database. The server is stopped and its directory deleted at process exit
//! (an `atexit` handler), and a watchdog does the same if the test process
//! dies without exiting normally.
//!
//! Without PostgreSQL binaries the tests skip with a message, except under
//! `CI=true`, where they fail.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use clap::Parser;
use migralint_migrate::{Io, MigrateArgs, MigrateContext};

pub struct Server {
    pub dir: PathBuf,
    pub data: PathBuf,
    pub port: u16,
    pub bin: PathBuf,
    pub as_postgres_user: bool,
    /// `server_version_num`.
    pub version_num: u32,
    /// The CA that signed the server's certificate (for `DNS:localhost`),
    /// when `openssl` was there to make one; the server then has `ssl=on`.
    pub ca_file: Option<PathBuf>,
}

static SERVER: OnceLock<Option<Server>> = OnceLock::new();
static CLEANUP: Mutex<Option<(PathBuf, PathBuf, PathBuf, bool)>> = Mutex::new(None);
static COUNTER: AtomicUsize = AtomicUsize::new(0);

extern "C" {
    fn atexit(cb: extern "C" fn()) -> i32;
    fn geteuid() -> u32;
}

extern "C" fn stop_at_exit() {
    if let Ok(mut guard) = CLEANUP.lock() {
        if let Some((bin, data, dir, as_pg)) = guard.take() {
            stop(&bin, &data, as_pg);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

fn stop(bin: &Path, data: &Path, as_pg: bool) {
    let mut cmd = pg_cmd(bin, "pg_ctl", as_pg);
    cmd.arg("-D")
        .arg(data)
        .args(["-m", "immediate", "-w", "stop"]);
    let _ = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status();
}

fn pg_cmd(bin: &Path, tool: &str, as_pg: bool) -> Command {
    let exe = bin.join(tool);
    if as_pg {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

fn find_bin() -> Option<PathBuf> {
    let fixed = PathBuf::from("/usr/lib/postgresql/15/bin");
    if fixed.join("initdb").exists() {
        return Some(fixed);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Some(dir);
        }
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
    })
}

fn in_ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

fn unavailable(why: &str) -> Option<Server> {
    if in_ci() {
        panic!("PostgreSQL test server cannot start (CI=true, so this fails): {why}");
    }
    eprintln!("SKIP: no PostgreSQL test server: {why}");
    None
}

fn start() -> Option<Server> {
    let Some(bin) = find_bin() else {
        return unavailable(
            "initdb not found (/usr/lib/postgresql/15/bin, pg_config --bindir, PATH)",
        );
    };
    let as_pg = unsafe { geteuid() } == 0;
    let dir = std::env::temp_dir().join(format!("migralint-pg-{}-{}", std::process::id(), nanos()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    if as_pg {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status();
        if !ok.map(|s| s.success()).unwrap_or(false) {
            return unavailable("cannot chown the temp dir to the postgres user");
        }
    }
    let data = dir.join("data");
    let out = pg_cmd(&bin, "initdb", as_pg)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .output()
        .expect("run initdb");
    if !out.status.success() {
        return unavailable(&format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port();
    let mut opts = format!(
        "-k {} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50",
        dir.display()
    );
    let ca_file = make_certs(&dir, as_pg);
    if ca_file.is_some() {
        opts.push_str(&format!(
            " -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key",
            d = dir.display()
        ));
    }
    let log = dir.join("server.log");
    let out = pg_cmd(&bin, "pg_ctl", as_pg)
        .arg("-D")
        .arg(&data)
        .arg("-o")
        .arg(&opts)
        .arg("-l")
        .arg(&log)
        .args(["-w", "-t", "60", "start"])
        .output()
        .expect("run pg_ctl");
    if !out.status.success() {
        let log_text = std::fs::read_to_string(&log).unwrap_or_default();
        return unavailable(&format!(
            "pg_ctl start failed: {}{log_text}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    *CLEANUP.lock().unwrap() = Some((bin.clone(), data.clone(), dir.clone(), as_pg));
    unsafe {
        atexit(stop_at_exit);
    }
    spawn_watchdog(&bin, &data, &dir, as_pg);
    let mut server = Server {
        dir,
        data,
        port,
        bin,
        as_postgres_user: as_pg,
        version_num: 0,
        ca_file,
    };
    let mut c = server.admin();
    server.version_num = c
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .unwrap()
        .get::<_, i32>(0) as u32;
    Some(server)
}

/// A CA and a server certificate for `DNS:localhost` signed by it, with
/// the `openssl` command; `None` (no TLS on the test server) without it.
fn make_certs(dir: &Path, as_pg: bool) -> Option<PathBuf> {
    let run = |args: &[&str]| -> bool {
        Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    let ext = dir.join("server.ext");
    std::fs::write(&ext, "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n").ok()?;
    let ok = run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=migralint test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
    ]) && run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]) && run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.crt",
    ]);
    if !ok {
        eprintln!("note: openssl could not make test certificates; TLS tests will skip");
        return None;
    }
    let key = dir.join("server.key");
    let _ = Command::new("chmod").arg("600").arg(&key).status();
    if as_pg {
        let _ = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&key)
            .arg(dir.join("server.crt"))
            .status();
    }
    Some(dir.join("ca.crt"))
}

/// Stops the server and removes its directory if this process dies without
/// running its exit handlers.
fn spawn_watchdog(bin: &Path, data: &Path, dir: &Path, as_pg: bool) {
    let pid = std::process::id();
    let pg_ctl = bin.join("pg_ctl");
    let stop_cmd = if as_pg {
        format!(
            "runuser -u postgres -- '{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    } else {
        format!(
            "'{}' -D '{}' -m immediate stop",
            pg_ctl.display(),
            data.display()
        )
    };
    let script = format!(
        "while [ -d /proc/{pid} ] && [ -d '{dir}' ]; do sleep 1; done; if [ -d '{dir}' ]; then {stop_cmd} >/dev/null 2>&1; rm -rf '{dir}'; fi",
        dir = dir.display()
    );
    let _ = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The shared server, or `None` (skip) outside CI when PostgreSQL is missing.
pub fn server() -> Option<&'static Server> {
    SERVER.get_or_init(start).as_ref()
}

/// Returns the server or skips the calling test (returns from it).
#[macro_export]
macro_rules! server_or_skip {
    () => {
        match common::server() {
            Some(s) => s,
            None => return,
        }
    };
}

impl Server {
    pub fn admin(&self) -> postgres::Client {
        self.client("postgres")
    }

    pub fn client(&self, db: &str) -> postgres::Client {
        postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user("postgres")
            .dbname(db)
            .connect(postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to {db}: {e}"))
    }

    /// A fresh, empty database; returns its name.
    pub fn fresh_db(&self, label: &str) -> String {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let clean: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(40)
            .collect();
        let name = format!("t{n}_{clean}");
        self.admin()
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .expect("create database");
        name
    }

    /// TCP URL of a database.
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// Unix-socket URL of a database (`?host=/dir`).
    pub fn socket_url(&self, db: &str) -> String {
        format!(
            "postgresql:///{db}?host={}&port={}&user=postgres",
            self.dir.display(),
            self.port
        )
    }

    pub fn major(&self) -> u32 {
        self.version_num / 10000
    }
}

/// A temp directory of migration files, deleted on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!(
            "migralint-mig-{label}-{}-{n}-{}",
            std::process::id(),
            nanos()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn with_files(label: &str, files: &[(&str, &str)]) -> TempDir {
        let d = TempDir::new(label);
        for (name, text) in files {
            d.write(name, text);
        }
        d
    }
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.0.join(name), text).unwrap();
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Parser, Debug)]
#[command(name = "migrate")]
struct TestCli {
    #[command(flatten)]
    args: MigrateArgs,
}

/// The result of one `migralint migrate ...` run through the library.
#[derive(Debug)]
pub struct Run {
    pub code: u8,
    pub out: String,
    pub err: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.out, self.err)
    }
    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.out, self.err
        );
        self
    }
    #[track_caller]
    pub fn code(&self, code: u8) -> &Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.out, self.err
        );
        self
    }
    #[track_caller]
    pub fn has(&self, needle: &str) -> &Run {
        assert!(
            self.all().contains(needle),
            "expected output to contain {needle:?}\nstdout:\n{}\nstderr:\n{}",
            self.out,
            self.err
        );
        self
    }
}

/// Runs `migralint migrate ARGS` through the library with a default config.
pub fn migrate(args: &[&str]) -> Run {
    migrate_with(args, &MigrateContext::default(), false, true)
}

/// Runs with a context, whether stdin counts as a terminal, and the answer
/// to any confirmation.
pub fn migrate_with(args: &[&str], cx: &MigrateContext, interactive: bool, answer: bool) -> Run {
    // The same pre-pass the binary runs: golang-migrate's `-flag` spelling.
    let mut argv = vec![std::ffi::OsString::from("migrate")];
    argv.extend(migralint_migrate::goflags::rewrite(
        args.iter().map(std::ffi::OsString::from),
    ));
    let cli = match TestCli::try_parse_from(&argv) {
        Ok(c) => c,
        Err(e) => {
            return Run {
                code: 2,
                out: String::new(),
                err: e.to_string(),
            };
        }
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut confirm = |q: &str| -> bool {
        let _ = q;
        answer
    };
    let code = {
        let mut io = Io {
            out: &mut out,
            err: &mut err,
            interactive,
            confirm: &mut confirm,
            database_url_env: None,
        };
        migralint_migrate::run_with(cli.args, cx, &mut io)
    };
    let _ = std::io::stderr().flush();
    Run {
        code,
        out: String::from_utf8_lossy(&out).into_owned(),
        err: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// `(version, dirty)` rows of a migrations table.
pub fn rows(c: &mut postgres::Client, table: &str) -> Vec<(i64, bool)> {
    c.query(&format!("SELECT version, dirty FROM {table}"), &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

pub fn table_exists(c: &mut postgres::Client, name: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

/// The repository's root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `../shared/corpus/realworld/<name>` next to the repository, if present.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let p = repo_root().join("../shared/corpus/realworld").join(name);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} is absent (the shared corpus lives in ../shared next to the repository)",
            p.display()
        );
        None
    }
}
