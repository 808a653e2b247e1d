//! migralint's core: parse PostgreSQL migrations with the real parser
//! (libpg_query), replay them into a schema model, run the rules, and
//! render the report. No file system, network or clock: the CLI and the
//! wasm build feed it `(path, text)` pairs. Threads only with the
//! `parallel` feature, which the wasm build leaves off.
//!
//! The path a file takes, one folder or file each:
//! `parse` (libpg_query → statements with spans, syntax errors at their
//! token, suppression comments; `tokens`: the scanner's tokens and spans
//! read off them) → `model` (names and types; `effects`, the one DDL
//! interpreter; the `schema` and each directory's `history` replayed from
//! effects; `locks`; `tx`, the transaction splitter) → `engine` (reads
//! each file's facts once, replays the files in version order running the
//! rules it is given, pairing at each down file, suppressions, resolution
//! into diagnostics) → `rules` (one file per rule, the `REGISTRY`) →
//! `report` → `render` (json, sarif, github, compact; the rule catalogue).
//! `config` reads `migralint.toml` into the engine's options and
//! selection; `lint` below ties it together. `sources` holds the
//! decisions of the directory walk (which files, in what order) that the
//! front ends follow when they read a directory; `read` (feature `fs`,
//! native front ends only) the one reader of a migration file they share.

pub mod config;
pub mod engine;
pub mod fix;
pub mod migration;
pub mod model;
pub mod parse;
#[cfg(feature = "fs")]
pub mod read;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
pub mod sources;
pub mod tokens;

pub use config::Config;
pub use engine::SourceFile;
pub use model::locks;
pub use report::{Diagnostic, Report, Severity};
pub use source::Span;

/// What to lint with.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub config: Config,
    /// Report only on these paths; the other files are still read as
    /// context (schema replay, pairing).
    pub report_only: Option<Vec<String>>,
}

/// Parses and lints a set of files with every rule the configuration
/// enables.
pub fn lint(files: &[SourceFile], options: &LintOptions) -> Report {
    let config = &options.config;
    let mut report = engine::lint(files, &config.options, &config.selection, rules::REGISTRY);
    if let Some(only) = &options.report_only {
        report.keep_only(only);
    }
    report
}

/// Parses a source file (a not-UTF-8 file becomes one syntax error).
pub fn parse_source(file: &SourceFile) -> parse::ParsedFile {
    file.parse()
}

/// migralint's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
