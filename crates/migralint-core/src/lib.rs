//! migralint's core: parse PostgreSQL migrations with the real parser
//! (libpg_query), replay them into a schema model, run the rules, and
//! render the report. No file system, network, threads or clock: the CLI
//! and the wasm build feed it `(path, text)` pairs.
//!
//! How a diagnostic flows:
//! `parse::parse_file` (statements with spans, syntax errors, suppression
//! comments) → `lint::lint_parsed` (naming/pairing rules over the set, then
//! statement rules while replaying the files in version order into
//! `model::Schema`) → `report::Report` → `render::{json, sarif, github,
//! compact}` (the CLI adds a miette renderer).

pub mod config;
pub mod context;
pub mod lint;
pub mod locks;
pub mod migration;
pub mod model;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
mod spans;

pub use config::Config;
pub use lint::{lint, lint_parsed, parse_source, LintOptions, SourceFile};
pub use report::{Diagnostic, Report, Severity};
pub use source::Span;

/// migralint's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
