//! `migralint migrate`: apply PostgreSQL migrations the way golang-migrate
//! does (same files, same `schema_migrations` table, same advisory lock,
//! same command line), with a lint gate, one transaction per file where
//! PostgreSQL allows it, and errors that point at the statement.
//!
//! The CLI rewrites golang-migrate's spelling with [`goflags::rewrite_cli`],
//! parses [`MigrateArgs`], and calls [`run`] with a [`MigrateContext`];
//! tests drive [`run_with`] with captured output.
//!
//! Layout, in the order a run goes through it: [`args`] and [`goflags`]
//! (the command line), [`commands`] (one module per command), [`apply`]
//! (the runner of up/down/goto and [`apply::file`], one file), [`session`]
//! (directory, URL, connection, lock, messages every command shares), and
//! under them [`source`], [`plan`], [`sql`], [`db`], [`dburl`], [`tls`],
//! [`lockid`].

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub mod apply;
pub mod args;
pub mod commands;
pub mod db;
pub mod dburl;
pub mod goflags;
mod interrupt;
pub mod io;
pub mod lockid;
pub mod plan;
pub mod session;
pub mod source;
pub mod sql;
pub mod tls;

pub use args::{GateArgs, MigrateArgs, MigrateCommand};
pub use io::{Io, MigrateContext, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

/// Runs `migralint migrate` with the process's stdin/stdout/stderr and
/// `$DATABASE_URL`.
pub fn run(args: MigrateArgs, cx: &MigrateContext) -> ExitCode {
    ExitCode::from(run_process(args, cx))
}

/// [`run`], returning the exit code as a number.
pub fn run_process(args: MigrateArgs, cx: &MigrateContext) -> u8 {
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
        if !interactive {
            eprintln!();
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
    run_with(args, cx, &mut io)
}

/// Runs `migralint migrate` with the given output; returns the exit code.
pub fn run_with(args: MigrateArgs, cx: &MigrateContext, io: &mut Io<'_>) -> u8 {
    let code = commands::dispatch(args, cx, io);
    let _ = io.out.flush();
    let _ = io.err.flush();
    code
}
