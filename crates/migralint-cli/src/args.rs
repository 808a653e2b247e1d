//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "migralint",
    version,
    about = "Lint and apply PostgreSQL migrations (golang-migrate layout)"
)]
pub struct Cli {
    /// Configuration file (default: migralint.toml in the working directory or a parent).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Lint migration files: directories, files, or `-` for standard input.
    Check(CheckArgs),
    /// List every rule: name, category, default severity, summary.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's page: what it checks, why, what to do instead, examples.
    Explain {
        /// The rule's name, as `migralint rules` lists it.
        rule: String,
    },
    /// Apply migrations to PostgreSQL (golang-migrate compatible).
    Migrate(migralint_migrate::MigrateArgs),
    /// Run the language server (LSP over stdin/stdout) for editors.
    Lsp,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Directories (every .sql file below them), files, or `-` for stdin.
    /// Default: the `migrations` directory of migralint.toml, else ./migrations.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format (default: pretty on a terminal, compact otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Target PostgreSQL major version (default 15).
    #[arg(long, value_name = "N")]
    pub pg_version: Option<u32>,
    /// Run only these rules or categories (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Turn these rules or categories off (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Exit with 1 on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// The file name to use for standard input (naming and pairing rules read it).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Apply safe fixes in place (relinting until none applies), then
    /// report what remains. With `-`, print the fixed standard input to
    /// stdout and the report to stderr.
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff: apply unsafe fixes too (they change behaviour: review them).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1
    /// when there is one).
    #[arg(long)]
    pub diff: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Source excerpts with the span underlined and a help line.
    Pretty,
    /// One line per diagnostic: path:line:col: severity [rule] message.
    Compact,
    /// The stable JSON report.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    /// The README's rule table.
    Markdown,
}
