//! The command line of `migralint migrate` (clap). golang-migrate's own
//! spelling (`-path DIR`, `-source file://DIR`, `down -all`, `drop -f`,
//! `create -ext sql -seq NAME`) is turned into this form first by
//! [`crate::goflags::rewrite`].

use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `migralint migrate`.
#[derive(clap::Args, Debug, Clone)]
#[command(
    about = "Apply migrations to PostgreSQL (golang-migrate compatible)",
    long_about = "Apply migrations to PostgreSQL, golang-migrate compatible: same file names, same \
                  schema_migrations table, same advisory lock, and golang-migrate's command line \
                  (`-path DIR -database URL up`). Each file runs in one transaction with its \
                  version change unless it holds statements that cannot (CREATE INDEX \
                  CONCURRENTLY, ...). Pending files are linted first."
)]
pub struct MigrateArgs {
    /// Migrations directory (default: `migrations` from migralint.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Migrations as a source URL, `file://DIR` (golang-migrate's -source); wins over --path.
    #[arg(long, global = true, value_name = "URL")]
    pub source: Option<String>,
    /// Database URL, postgres://user:pass@host:port/db?sslmode=... (default: $DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    /// Seconds to wait for the migration lock (golang-migrate's -lock-timeout).
    #[arg(long, global = true, value_name = "SECONDS", default_value = "15",
          value_parser = parse_lock_wait)]
    pub lock_timeout: u64,
    /// PostgreSQL's lock_timeout while a transactional file runs (e.g. 10s, 500ms, 0 = none).
    /// Default 10s, or the URL's x-lock-timeout / lock_timeout.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub pg_lock_timeout: Option<Duration>,
    /// Retries of a transactional file that failed on a lock timeout (55P03), with backoff.
    /// Default 3, or the URL's x-lock-retries.
    #[arg(long, global = true, value_name = "N", value_parser = parse_retries)]
    pub lock_retries: Option<u32>,
    /// Print each statement as it runs.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Accepted for golang-migrate compatibility (migrations are read as they run).
    #[arg(long, global = true, value_name = "N", hide = true)]
    pub prefetch: Option<u64>,
    #[command(subcommand)]
    pub command: MigrateCommand,
}

/// Options of the commands that apply up migrations.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct GateArgs {
    /// Apply without linting the pending files first.
    #[arg(long)]
    pub no_lint: bool,
    /// Let lint errors of this rule through (repeatable).
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Print what would run, statement by statement with the locks taken; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run down steps whose down file is missing as golang-migrate does: set the version only.
    #[arg(long)]
    pub allow_missing_down: bool,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum MigrateCommand {
    /// Apply all pending migrations, or the next N.
    Up {
        /// How many migrations to apply (default: all).
        n: Option<u64>,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Roll back N migrations, or all of them (--all; without N or --all, asks first).
    Down {
        /// How many migrations to roll back.
        n: Option<u64>,
        /// Roll back every applied migration, without asking (golang-migrate's -all).
        #[arg(long, conflicts_with = "n")]
        all: bool,
        /// Answer yes to the question `down` without N asks.
        #[arg(short = 'y', long = "yes")]
        yes: bool,
        /// Print what would run, statement by statement with the locks taken; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Run steps whose down file is missing as golang-migrate does: set the version only.
        #[arg(long)]
        allow_missing_down: bool,
    },
    /// Migrate up or down to version V.
    Goto {
        version: u64,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Set the version to V (-1: none) and clear the dirty flag; runs nothing.
    Force {
        #[arg(allow_negative_numbers = true)]
        version: i64,
    },
    /// Print the current version (and whether it is dirty).
    Version,
    /// Every migration with its state: applied, pending, current, missing.
    Status,
    /// Drop every table in the current schema (asks first unless -f / -y).
    Drop {
        /// Do not ask for confirmation (golang-migrate's -f).
        #[arg(short = 'y', long = "yes", short_alias = 'f', alias = "force")]
        yes: bool,
    },
    /// Create the up and down files of a new migration.
    Create {
        /// Title of the migration, e.g. add_users_email_index.
        name: String,
        /// Version as a UTC timestamp (YYYYMMDDhhmmss) instead of the next number.
        #[arg(long, conflicts_with = "seq")]
        timestamp: bool,
        /// Version as the next sequence number, --digits wide (golang-migrate's -seq).
        #[arg(long)]
        seq: bool,
        /// File extension.
        #[arg(long, default_value = "sql")]
        ext: String,
        /// Digits of a sequential version (the directory's own width when it has versions).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=20))]
        digits: Option<u16>,
        /// Directory to create the files in (default: --path).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Timestamp version in this Go time layout (default 20060102150405), or unix / unixNano.
        #[arg(long, value_name = "LAYOUT", conflicts_with = "seq")]
        format: Option<String>,
        /// Time zone of a timestamp version: UTC (default), Local, or an IANA name.
        #[arg(long, value_name = "TZ", conflicts_with = "seq")]
        tz: Option<String>,
    },
}

/// The longest wait for the migration lock: one year.
pub const MAX_LOCK_WAIT_SECS: u64 = 365 * 24 * 3600;

fn parse_lock_wait(s: &str) -> Result<u64, String> {
    let n: u64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number of seconds"))?;
    if n > MAX_LOCK_WAIT_SECS {
        return Err(format!(
            "{n} seconds is too long (at most {MAX_LOCK_WAIT_SECS}, one year)"
        ));
    }
    Ok(n)
}

fn parse_retries(s: &str) -> Result<u32, String> {
    let n: u32 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a whole number"))?;
    if n > MAX_LOCK_RETRIES {
        return Err(format!("at most {MAX_LOCK_RETRIES} retries"));
    }
    Ok(n)
}

/// Most retries of a file after a lock timeout.
pub const MAX_LOCK_RETRIES: u32 = 20;

/// A duration as PostgreSQL settings write it: `500ms`, `10s`, `2min`, or a
/// bare number of milliseconds; at most one day.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration (write 500ms, 10s or 2min)"))?;
    let ms = match unit.trim() {
        "" | "ms" => Some(n),
        "s" => n.checked_mul(1000),
        "min" => n.checked_mul(60_000),
        _ => return Err(format!("{s:?}: unknown unit (use ms, s or min)")),
    };
    match ms {
        Some(ms) if ms <= 86_400_000 => Ok(Duration::from_millis(ms)),
        _ => Err(format!("{s:?} is too long (at most one day)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("250"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("10h").is_err());
        assert!(parse_duration("18446744073709551615s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn lock_wait_is_bounded() {
        assert_eq!(parse_lock_wait("15"), Ok(15));
        let e = parse_lock_wait("18446744073709551615").unwrap_err();
        assert!(e.contains("too long"), "{e}");
        assert!(parse_lock_wait("-1").is_err());
    }
}
