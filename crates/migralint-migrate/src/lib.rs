//! `migralint migrate`: apply PostgreSQL migrations the way golang-migrate
//! does (same files, same `schema_migrations` table, same advisory lock),
//! with a lint gate, one transaction per file where PostgreSQL allows it,
//! and errors that point at the statement.
//!
//! The CLI calls [`run`] with the parsed [`MigrateArgs`] and a
//! [`MigrateContext`]; tests drive [`run_with`] with captured output.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

pub mod commands;
pub mod create;
pub mod db;
pub mod dburl;
pub mod exec;
mod interrupt;
pub mod lockid;
pub mod plan;
pub mod source;
pub mod sql;
pub mod status;
pub mod tls;

/// Arguments of `migralint migrate`.
#[derive(clap::Args, Debug, Clone)]
#[command(
    about = "Apply migrations to PostgreSQL (golang-migrate compatible)",
    long_about = "Apply migrations to PostgreSQL, golang-migrate compatible: same file names, same \
                  schema_migrations table, same advisory lock. Each file runs in one transaction \
                  with its version change unless it holds statements that cannot (CREATE INDEX \
                  CONCURRENTLY, ...). Pending files are linted first."
)]
pub struct MigrateArgs {
    /// Migrations directory (default: `migrations` from migralint.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Database URL, postgres://user:pass@host:port/db?sslmode=... (default: $DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    /// Seconds to wait for the migration lock (golang-migrate's -lock-timeout).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 15)]
    pub lock_timeout: u64,
    /// Print each statement as it runs.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
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
    /// Roll back N migrations, or all of them with --all.
    Down {
        /// How many migrations to roll back.
        n: Option<u64>,
        /// Roll back every applied migration.
        #[arg(long, conflicts_with = "n")]
        all: bool,
        /// Do not ask for confirmation.
        #[arg(short = 'y', long = "yes")]
        yes: bool,
        /// Print what would run, statement by statement with the locks taken; change nothing.
        #[arg(long)]
        dry_run: bool,
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
    /// Drop every table in the current schema.
    Drop {
        /// Do not ask for confirmation.
        #[arg(short = 'y', long = "yes")]
        yes: bool,
    },
    /// Create the up and down files of a new migration.
    Create {
        /// Title of the migration, e.g. add_users_email_index.
        name: String,
        /// Version as a UTC timestamp (YYYYMMDDhhmmss) instead of the next number.
        #[arg(long)]
        timestamp: bool,
        /// File extension.
        #[arg(long, default_value = "sql")]
        ext: String,
        /// Digits of a new sequential version when the directory has none yet.
        #[arg(long, default_value_t = 6)]
        digits: usize,
    },
}

/// What the CLI knows that migrate needs.
#[derive(Debug, Clone, Default)]
pub struct MigrateContext {
    /// The loaded configuration (target Postgres version, rules, naming).
    pub config: migralint_core::config::Config,
    /// The configured migrations directory, used when `--path` is absent.
    pub default_path: Option<PathBuf>,
}

/// Where output goes and how to ask the user.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Standard input is a terminal: confirmations are asked.
    pub interactive: bool,
    /// Asks a yes/no question; true means yes.
    pub confirm: &'a mut dyn FnMut(&str) -> bool,
    /// `$DATABASE_URL`.
    pub database_url_env: Option<String>,
}

/// Exit codes: 0 done (or nothing to do); 1 a migration failed, lint errors
/// stopped the run, or the database is dirty; 2 migrate could not do its job
/// (bad arguments, bad URL, server unreachable, unreadable files, lock
/// timeout).
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Runs `migralint migrate` with the process's stdin/stdout/stderr and
/// `$DATABASE_URL`.
pub fn run(args: MigrateArgs, cx: &MigrateContext) -> ExitCode {
    interrupt::enable();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let interactive = std::io::stdin().is_terminal();
    let mut confirm = |question: &str| -> bool {
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        if std::io::stdin().read_line(&mut answer).is_err() {
            return false;
        }
        matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES")
    };
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        interactive,
        confirm: &mut confirm,
        database_url_env: std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()),
    };
    ExitCode::from(run_with(args, cx, &mut io))
}

/// Runs `migralint migrate` with the given output; returns the exit code.
pub fn run_with(args: MigrateArgs, cx: &MigrateContext, io: &mut Io<'_>) -> u8 {
    let code = commands::dispatch(args, cx, io);
    let _ = io.out.flush();
    let _ = io.err.flush();
    code
}
