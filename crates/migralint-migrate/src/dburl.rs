//! Database URLs, read the way golang-migrate's Postgres driver (and the
//! lib/pq driver under it) reads them.
//!
//! - `postgres://` and `postgresql://`; `user:password@host:port/dbname`,
//!   every part percent-decoded; an IPv6 host in brackets.
//! - Query parameters starting with `x-` belong to the migration tool
//!   (`x-migrations-table`, `x-migrations-table-quoted`,
//!   `x-statement-timeout`, `x-multi-statement`, `x-multi-statement-max-size`,
//!   `x-no-lock`); golang-migrate strips them before connecting, so do we.
//! - `host=/path` (a Unix-socket directory) and `port=` override the
//!   authority; `sslmode`, `sslrootcert`, `connect_timeout`,
//!   `application_name`, `fallback_application_name`, `user`, `password`,
//!   `dbname` are connection settings; any other parameter (`search_path`,
//!   `statement_timeout`, `options`, ...) is a run-time setting sent at
//!   connection start, as lib/pq does.
//! - Missing parts fall back to `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
//!   `PGDATABASE`, `PGSSLMODE`, then `localhost`, 5432 and the OS user.
//!
//! One deliberate difference: with no `sslmode` lib/pq insists on TLS
//! (`require`); migralint uses `prefer` (TLS when the server offers it), as
//! libpq and psql do, so every URL golang-migrate accepts works here too.

use std::fmt;
use std::time::Duration;

/// How to use TLS, as libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Result<SslMode, UrlError> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(UrlError(format!(
                    "unsupported sslmode {other:?} (use disable, allow, prefer, require, verify-ca or verify-full)"
                )))
            }
        })
    }
}

/// A database URL that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError(pub String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UrlError {}

/// Where a host points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Tcp(String),
    /// A directory holding `.s.PGSQL.<port>`.
    Socket(String),
}

/// Everything a database URL says.
#[derive(Debug, Clone)]
pub struct DbUrl {
    pub host: Host,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub dbname: String,
    pub sslmode: SslMode,
    pub sslrootcert: Option<String>,
    pub connect_timeout: Option<Duration>,
    pub application_name: Option<String>,
    /// Run-time settings sent at connection start (`search_path`, ...).
    pub settings: Vec<(String, String)>,
    /// golang-migrate's `DatabaseName` for the lock id: the URL's path with its
    /// leading slash (`/mydb`); empty when the URL has no path, in which case
    /// `current_database()` is used, as golang-migrate does.
    pub lock_database_name: String,
    /// `x-migrations-table` (default `schema_migrations`).
    pub migrations_table: String,
    /// `x-migrations-table-quoted`: the table is given as `"schema"."table"`.
    pub migrations_table_quoted: bool,
    /// `x-statement-timeout`, in milliseconds (0: none).
    pub statement_timeout_ms: u64,
    /// `x-multi-statement`: accepted; migralint always runs a file statement
    /// by statement, split by the PostgreSQL parser.
    pub multi_statement: bool,
    /// `x-no-lock`: take no advisory lock.
    pub no_lock: bool,
    /// `x-lock-timeout` (migralint's): PostgreSQL's `lock_timeout` while a
    /// transactional file runs.
    pub lock_timeout: Option<Duration>,
    /// `x-lock-retries` (migralint's): retries of a file after a lock timeout.
    pub lock_retries: Option<u32>,
    /// `x-` parameters golang-migrate's Postgres driver does not know.
    pub unknown_x_params: Vec<String>,
    /// The URL with its password hidden, for messages.
    pub redacted: String,
}

pub const DEFAULT_MIGRATIONS_TABLE: &str = "schema_migrations";

/// Connection timeout when the URL sets no `connect_timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Go's `strconv.ParseBool`.
fn parse_go_bool(name: &str, value: &str) -> Result<bool, UrlError> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(UrlError(format!(
            "unable to parse option {name}: {value:?} is not a boolean"
        ))),
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl DbUrl {
    /// Parses a database URL.
    pub fn parse(raw: &str) -> Result<DbUrl, UrlError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(UrlError("the database URL is empty".into()));
        }
        let url = match url::Url::parse(raw) {
            Ok(u) => u,
            // `postgres://user@/db?host=/socket`: Go's net/url takes an empty
            // host after user info; the url crate does not. Put a stand-in
            // there and treat it as no host.
            Err(url::ParseError::EmptyHost) => url::Url::parse(&with_placeholder_host(raw))
                .map_err(|e| UrlError(format!("invalid database URL {}: {e}", redact_raw(raw))))?,
            Err(e) => {
                return Err(UrlError(format!(
                    "invalid database URL {}: {e}",
                    redact_raw(raw)
                )))
            }
        };
        match url.scheme() {
            "postgres" | "postgresql" => {}
            other => {
                return Err(UrlError(format!(
                    "unsupported database URL scheme {other:?}: migralint migrate speaks PostgreSQL (postgres:// or postgresql://)"
                )))
            }
        }

        let mut host: Option<String> = url
            .host_str()
            .filter(|h| !h.is_empty() && *h != PLACEHOLDER_HOST)
            .map(|h| decode(h.trim_start_matches('[').trim_end_matches(']')));
        let mut port: Option<u16> = url.port();
        let mut user = Some(decode(url.username())).filter(|u| !u.is_empty());
        let mut password = url.password().map(decode);
        let path = decode(url.path());
        let mut dbname = Some(path.trim_start_matches('/').to_string()).filter(|d| !d.is_empty());

        let mut sslmode = None;
        let mut sslrootcert = None;
        let mut connect_timeout = None;
        let mut application_name = None;
        let mut fallback_application_name = None;
        let mut settings = Vec::new();
        let mut migrations_table = String::new();
        let mut migrations_table_quoted = false;
        let mut statement_timeout_ms = 0;
        let mut multi_statement = false;
        let mut no_lock = false;
        let mut lock_timeout = None;
        let mut lock_retries = None;
        let mut unknown_x_params = Vec::new();
        let mut seen = std::collections::HashSet::new();

        for (key, value) in url.query_pairs() {
            let (key, value) = (key.into_owned(), value.into_owned());
            // Go's `url.Values.Get` (golang-migrate, lib/pq): the first
            // value of a repeated parameter counts.
            if !seen.insert(key.clone()) {
                continue;
            }
            match key.as_str() {
                "x-migrations-table" => migrations_table = value,
                "x-migrations-table-quoted" => {
                    migrations_table_quoted = parse_go_bool(&key, &value)?;
                }
                "x-statement-timeout" => {
                    statement_timeout_ms = value.parse().map_err(|_| {
                        UrlError(format!(
                            "x-statement-timeout must be a whole number of milliseconds, not {value:?}"
                        ))
                    })?;
                }
                "x-multi-statement" => multi_statement = parse_go_bool(&key, &value)?,
                "x-multi-statement-max-size" => {
                    value.parse::<i64>().map_err(|_| {
                        UrlError(format!(
                            "x-multi-statement-max-size must be a number, not {value:?}"
                        ))
                    })?;
                }
                "x-no-lock" => no_lock = parse_go_bool(&key, &value)?,
                "x-lock-timeout" => {
                    lock_timeout = Some(
                        crate::args::parse_duration(&value)
                            .map_err(|e| UrlError(format!("x-lock-timeout: {e}")))?,
                    )
                }
                "x-lock-retries" => {
                    let n: u32 = value.parse().map_err(|_| {
                        UrlError(format!(
                            "x-lock-retries must be a whole number, not {value:?}"
                        ))
                    })?;
                    if n > crate::args::MAX_LOCK_RETRIES {
                        return Err(UrlError(format!(
                            "x-lock-retries: at most {} retries",
                            crate::args::MAX_LOCK_RETRIES
                        )));
                    }
                    lock_retries = Some(n);
                }
                k if k.starts_with("x-") => unknown_x_params.push(key.clone()),
                "host" => host = Some(value).filter(|v| !v.is_empty()),
                "port" => {
                    port = Some(value.parse().map_err(|_| {
                        UrlError(format!("invalid port {value:?} in the database URL"))
                    })?)
                }
                "user" => user = Some(value),
                "password" => password = Some(value),
                "dbname" => dbname = Some(value),
                "sslmode" => sslmode = Some(SslMode::parse(&value)?),
                "sslrootcert" => sslrootcert = Some(value),
                "sslcert" | "sslkey" | "sslinline" | "sslpassword" => {
                    return Err(UrlError(format!(
                        "{key} (TLS client certificates) is not supported by migralint migrate yet"
                    )))
                }
                "sslsni"
                | "binary_parameters"
                | "disable_prepared_binary_result"
                | "krbsrvname"
                | "krbspn" => {}
                "connect_timeout" => {
                    let secs: u64 = value.parse().map_err(|_| {
                        UrlError(format!(
                            "connect_timeout must be a whole number of seconds, not {value:?}"
                        ))
                    })?;
                    if secs > 0 {
                        connect_timeout = Some(Duration::from_secs(secs));
                    }
                }
                "application_name" => application_name = Some(value),
                "fallback_application_name" => fallback_application_name = Some(value),
                _ => settings.push((key, value)),
            }
        }

        if migrations_table_quoted
            && !migrations_table.is_empty()
            && !(migrations_table.starts_with('"') && migrations_table.ends_with('"'))
        {
            return Err(UrlError(format!(
                "x-migrations-table must be quoted (for instance '\"migrate\".\"schema_migrations\"') when x-migrations-table-quoted is enabled, current value is: {migrations_table}"
            )));
        }
        if migrations_table.is_empty() {
            migrations_table = DEFAULT_MIGRATIONS_TABLE.to_string();
        }

        let host = host
            .or_else(|| env_nonempty("PGHOST"))
            .unwrap_or_else(|| "localhost".to_string());
        let host = if host.starts_with('/') {
            Host::Socket(host)
        } else {
            Host::Tcp(host)
        };
        let port = match port {
            Some(p) => p,
            None => match env_nonempty("PGPORT") {
                Some(p) => p
                    .parse()
                    .map_err(|_| UrlError(format!("invalid PGPORT {p:?}")))?,
                None => 5432,
            },
        };
        let user = user
            .or_else(|| env_nonempty("PGUSER"))
            .or_else(|| env_nonempty("USER"))
            .unwrap_or_else(|| "postgres".to_string());
        let password = password.or_else(|| env_nonempty("PGPASSWORD"));
        let dbname = dbname
            .or_else(|| env_nonempty("PGDATABASE"))
            .unwrap_or_else(|| user.clone());
        let sslmode = match sslmode {
            Some(m) => m,
            None => match env_nonempty("PGSSLMODE") {
                Some(m) => SslMode::parse(&m)?,
                None => SslMode::Prefer,
            },
        };

        DbUrl {
            host,
            port,
            user,
            password,
            dbname,
            sslmode,
            sslrootcert,
            connect_timeout,
            application_name: application_name.or(fallback_application_name),
            settings,
            lock_database_name: path,
            migrations_table,
            migrations_table_quoted,
            statement_timeout_ms,
            multi_statement,
            no_lock,
            lock_timeout,
            lock_retries,
            unknown_x_params,
            redacted: redact(&url),
        }
        .validated()
    }

    /// golang-migrate rejects a quoted migrations table with more than two
    /// parts when it opens the database; so do we, before connecting.
    fn validated(self) -> Result<DbUrl, UrlError> {
        self.migrations_table_parts()?;
        Ok(self)
    }

    /// The URL sets PostgreSQL's `lock_timeout` for the session itself
    /// (`?lock_timeout=...` or `options=-c lock_timeout=...`).
    pub fn sets_lock_timeout(&self) -> bool {
        self.settings
            .iter()
            .any(|(k, v)| k == "lock_timeout" || (k == "options" && v.contains("lock_timeout")))
    }

    /// The `options` startup parameter carrying the run-time settings.
    pub fn startup_options(&self) -> Option<String> {
        if self.settings.is_empty() {
            return None;
        }
        let mut out = String::new();
        for (key, value) in &self.settings {
            if key == "options" {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(value);
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("-c ");
            for c in format!("{key}={value}").chars() {
                if c == ' ' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        Some(out)
    }

    /// A short description of where this connects, for messages.
    pub fn target(&self) -> String {
        match &self.host {
            Host::Tcp(h) if h.contains(':') => {
                format!("[{h}]:{} database {}", self.port, self.dbname)
            }
            Host::Tcp(h) => format!("{h}:{} database {}", self.port, self.dbname),
            Host::Socket(dir) => {
                format!(
                    "socket {dir}/.s.PGSQL.{} database {}",
                    self.port, self.dbname
                )
            }
        }
    }

    /// The connection settings for the `postgres` crate.
    pub fn pg_config(&self) -> postgres::Config {
        let mut config = postgres::Config::new();
        match &self.host {
            Host::Tcp(h) => config.host(h),
            Host::Socket(dir) => config.host_path(dir),
        };
        config.port(self.port).user(&self.user).dbname(&self.dbname);
        if let Some(p) = &self.password {
            config.password(p);
        }
        config.application_name(self.application_name.as_deref().unwrap_or("migralint"));
        // lib/pq waits forever by default; an unreachable host should
        // rather fail with a message.
        config.connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
        if let Some(options) = self.startup_options() {
            config.options(&options);
        }
        config.ssl_mode(match self.sslmode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Allow | SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                postgres::config::SslMode::Require
            }
        });
        config
    }

    /// The schema and table of the migrations table, when the URL names the
    /// schema (`x-migrations-table-quoted` with `"schema"."table"`); the
    /// schema is otherwise `current_schema()`.
    pub fn migrations_table_parts(&self) -> Result<(Option<String>, String), UrlError> {
        if !self.migrations_table_quoted {
            return Ok((None, self.migrations_table.clone()));
        }
        // golang-migrate (`WithConnection`): the parts are the matches of
        // the Go regexp `"(.*?)"` (RE2, as the regex crate: `.` stops at a
        // newline); the last is the table, the one before (if two) the
        // schema, more than two is an error.
        static QUOTED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let re = QUOTED.get_or_init(|| regex::Regex::new(r#""(.*?)""#).expect("valid regex"));
        let mut parts: Vec<String> = re
            .captures_iter(&self.migrations_table)
            .map(|c| c[1].to_string())
            .collect();
        match parts.len() {
            1 => Ok((None, parts.pop().unwrap_or_default())),
            2 => {
                let table = parts.pop().unwrap_or_default();
                Ok((parts.pop(), table))
            }
            0 => Err(UrlError(format!(
                "x-migrations-table {:?} names no quoted table (x-migrations-table-quoted is on: write \"schema\".\"table\" or \"table\")",
                self.migrations_table
            ))),
            _ => Err(UrlError(format!(
                "\"{}\" MigrationsTable contains too many dot characters",
                self.migrations_table
            ))),
        }
    }
}

const PLACEHOLDER_HOST: &str = "migralint-empty-host.invalid";

/// `scheme://user@/path` -> `scheme://user@<placeholder>/path`.
fn with_placeholder_host(raw: &str) -> String {
    let Some(start) = raw.find("://").map(|i| i + 3) else {
        return raw.to_string();
    };
    let end = raw[start..]
        .find(['/', '?', '#'])
        .map_or(raw.len(), |i| start + i);
    let authority = &raw[start..end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_and_port = &authority[host_start..];
    if !host_and_port.is_empty() && !host_and_port.starts_with(':') {
        return raw.to_string();
    }
    format!(
        "{}{}{}",
        &raw[..start + host_start],
        PLACEHOLDER_HOST,
        &raw[start + host_start..]
    )
}

fn redact(url: &url::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("xxxxx"));
    }
    let pairs: Vec<(String, String)> = shown
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "password" {
                "xxxxx".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    if pairs.iter().any(|(k, _)| k == "password") {
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string().replace(PLACEHOLDER_HOST, "")
}

/// Hides what looks like a password in a URL that did not parse.
fn redact_raw(raw: &str) -> String {
    if let Some(scheme_end) = raw.find("://") {
        let rest = &raw[scheme_end + 3..];
        if let Some(at) = rest.rfind('@') {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                return format!(
                    "{}{}:xxxxx{}",
                    &raw[..scheme_end + 3],
                    &userinfo[..colon],
                    &rest[at..]
                );
            }
        }
    }
    raw.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_url() {
        let u = DbUrl::parse(
            "postgres://alice:s%40cret@db.example.com:6543/app%20db?sslmode=disable&search_path=app,public&x-migrations-table=my_migrations&x-statement-timeout=1500&x-multi-statement=true",
        )
        .unwrap();
        assert_eq!(u.host, Host::Tcp("db.example.com".into()));
        assert_eq!(u.port, 6543);
        assert_eq!(u.user, "alice");
        assert_eq!(u.password.as_deref(), Some("s@cret"));
        assert_eq!(u.dbname, "app db");
        assert_eq!(u.lock_database_name, "/app db");
        assert_eq!(u.sslmode, SslMode::Disable);
        assert_eq!(u.migrations_table, "my_migrations");
        assert_eq!(u.statement_timeout_ms, 1500);
        assert!(u.multi_statement);
        assert_eq!(
            u.settings,
            vec![("search_path".to_string(), "app,public".to_string())]
        );
        assert_eq!(
            u.startup_options().as_deref(),
            Some("-c search_path=app,public")
        );
        assert!(!u.redacted.contains("s%40cret"), "{}", u.redacted);
        assert!(u.redacted.contains("xxxxx"));
    }

    #[test]
    fn postgresql_scheme_and_socket_host() {
        let u = DbUrl::parse("postgresql:///mydb?host=/var/run/postgresql&user=bob").unwrap();
        assert_eq!(u.host, Host::Socket("/var/run/postgresql".into()));
        assert_eq!(u.dbname, "mydb");
        assert_eq!(u.user, "bob");
        assert_eq!(u.lock_database_name, "/mydb");
        assert_eq!(u.migrations_table, DEFAULT_MIGRATIONS_TABLE);
        assert_eq!(u.sslmode, SslMode::Prefer);
    }

    #[test]
    fn other_socket_spellings() {
        let u = DbUrl::parse("postgres://%2Fvar%2Frun%2Fpostgresql/mydb").unwrap();
        assert_eq!(u.host, Host::Socket("/var/run/postgresql".into()));
        assert_eq!(u.dbname, "mydb");
        let u = DbUrl::parse("postgres://bob:pw@/mydb?host=/tmp/pg").unwrap();
        assert_eq!(u.host, Host::Socket("/tmp/pg".into()));
        assert_eq!(
            (u.user.as_str(), u.password.as_deref()),
            ("bob", Some("pw"))
        );
        let u = DbUrl::parse("postgres://bob@localhost/mydb?host=%2Ftmp%2Fpg&port=5433").unwrap();
        assert_eq!(u.host, Host::Socket("/tmp/pg".into()));
        assert_eq!(u.port, 5433);
        assert_eq!(u.target(), "socket /tmp/pg/.s.PGSQL.5433 database mydb");
    }

    #[test]
    fn no_path_means_current_database_for_the_lock() {
        let u = DbUrl::parse("postgres://bob@db.internal:5432?sslmode=disable&dbname=app").unwrap();
        assert_eq!(u.lock_database_name, "");
        assert_eq!(u.dbname, "app");
    }

    #[test]
    fn ipv6_host() {
        let u = DbUrl::parse("postgres://u@[::1]:5433/d?sslmode=require").unwrap();
        assert_eq!(u.host, Host::Tcp("::1".into()));
        assert_eq!(u.port, 5433);
        assert_eq!(u.sslmode, SslMode::Require);
    }

    #[test]
    fn setting_with_space_is_escaped() {
        let u = DbUrl::parse("postgres://u@h/d?search_path=%22my%20schema%22").unwrap();
        assert_eq!(
            u.startup_options().as_deref(),
            Some("-c search_path=\"my\\ schema\"")
        );
    }

    #[test]
    fn quoted_migrations_table() {
        let u = DbUrl::parse(
            "postgres://u@h/d?x-migrations-table=%22migrate%22.%22versions%22&x-migrations-table-quoted=1",
        )
        .unwrap();
        assert_eq!(
            u.migrations_table_parts().unwrap(),
            (Some("migrate".to_string()), "versions".to_string())
        );
        let err =
            DbUrl::parse("postgres://u@h/d?x-migrations-table=foo&x-migrations-table-quoted=true")
                .unwrap_err();
        assert!(err.0.contains("must be quoted"), "{err}");
    }

    #[test]
    fn quoted_table_validated_as_golang_migrate() {
        let q = |t: &str| {
            DbUrl::parse(&format!(
                "postgres://u@h/d?x-migrations-table-quoted=1&x-migrations-table={}",
                percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC)
            ))
        };
        let e = q(r#""a"."b"."c""#).unwrap_err();
        assert_eq!(
            e.0,
            r#"""a"."b"."c"" MigrationsTable contains too many dot characters"#
        );
        assert!(q(r#""""a""""#)
            .unwrap_err()
            .0
            .contains("too many dot characters"));
        assert!(q("\"").unwrap_err().0.contains("names no quoted table"));
        assert!(q("x\"").unwrap_err().0.contains("must be quoted"));
        // Go's `.` does not cross a newline: `"a\nb"."c"` has one part, `"."`.
        let u = q("\"a\nb\".\"c\"").unwrap();
        assert_eq!(u.migrations_table_parts().unwrap(), (None, ".".to_string()));
        let u = q(r#""my.schema"."t""#).unwrap();
        assert_eq!(
            u.migrations_table_parts().unwrap(),
            (Some("my.schema".to_string()), "t".to_string())
        );
    }

    #[test]
    fn first_value_of_a_repeated_parameter_counts() {
        let u = DbUrl::parse("postgres://u@h/d?x-migrations-table=a&x-migrations-table=b&sslmode=disable&sslmode=require").unwrap();
        assert_eq!(u.migrations_table, "a");
        assert_eq!(u.sslmode, SslMode::Disable);
    }

    #[test]
    fn lock_timeout_parameters() {
        let u = DbUrl::parse("postgres://u@h/d?x-lock-timeout=2s&x-lock-retries=5").unwrap();
        assert_eq!(u.lock_timeout, Some(Duration::from_secs(2)));
        assert_eq!(u.lock_retries, Some(5));
        assert!(!u.sets_lock_timeout());
        assert!(DbUrl::parse("postgres://u@h/d?lock_timeout=5s")
            .unwrap()
            .sets_lock_timeout());
        assert!(DbUrl::parse("postgres://u@h/d?x-lock-retries=99").is_err());
        assert!(DbUrl::parse("postgres://u@h/d?x-lock-timeout=forever").is_err());
    }

    #[test]
    fn bad_urls() {
        for (url, needle) in [
            ("mysql://u@h/d", "unsupported database URL scheme"),
            ("", "empty"),
            ("not a url", "invalid database URL"),
            ("postgres://u@h/d?sslmode=sometimes", "unsupported sslmode"),
            (
                "postgres://u@h/d?x-statement-timeout=soon",
                "x-statement-timeout",
            ),
            ("postgres://u@h/d?x-no-lock=maybe", "x-no-lock"),
            ("postgres://u:pw@h:99999/d", "invalid database URL"),
        ] {
            let err = DbUrl::parse(url).unwrap_err();
            assert!(err.0.contains(needle), "{url}: {err}");
            assert!(!err.0.contains(":pw@"), "password leaked: {err}");
        }
    }

    #[test]
    fn unknown_x_params_are_kept_for_a_warning() {
        let u = DbUrl::parse("postgres://u@h/d?x-lock-strategy=advisory&x-no-lock=false").unwrap();
        assert_eq!(u.unknown_x_params, vec!["x-lock-strategy".to_string()]);
        assert!(!u.no_lock);
    }
}
