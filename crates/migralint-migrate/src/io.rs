//! What a run of `migralint migrate` talks to: the output streams, the way
//! to ask the user, what the CLI knows, and the exit codes.

use std::io::Write;
use std::path::PathBuf;

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
    /// Standard input is a terminal.
    pub interactive: bool,
    /// Asks a yes/no question (reading a line of standard input, as
    /// golang-migrate does, terminal or not); true means yes.
    pub confirm: &'a mut dyn FnMut(&str) -> bool,
    /// `$DATABASE_URL`.
    pub database_url_env: Option<String>,
}

/// Exit codes, golang-migrate's: 0 done (or nothing to do, `no change`);
/// 1 anything that stopped the run (a migration failed, lint errors, a
/// dirty database, a bad URL, an unreachable server, a lock timeout, an
/// unreadable file); 2 a command line that does not parse.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
