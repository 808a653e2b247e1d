//! migralint's core: parse PostgreSQL migrations with the real parser
//! (libpg_query), replay them into a schema model, run the rules, and
//! render the report. No file system, network or clock: the CLI and the
//! wasm build feed it `(path, text)` pairs. Threads only with the
//! `parallel` feature (`par`), which the wasm build leaves off.
//!
//! How a diagnostic flows (`lint::lint`): files are taken in version order
//! a chunk at a time; each chunk is parsed in parallel (`parse::parse_file`:
//! statements with spans, syntax errors, suppression comments) while the
//! previous one is replayed: statement rules run on each statement against
//! `model::Schema`, then the statement changes the schema. A replayed file
//! keeps only its text and `context::SetFile` facts (the tree is dropped);
//! the naming and pairing rules then run over those facts of the whole set
//! → `report::Report` → `render::{json, sarif, github, compact}` (the CLI
//! adds a miette renderer).

pub mod config;
pub mod context;
pub mod lint;
pub mod locks;
pub mod migration;
pub mod model;
mod par;
pub mod parse;
pub mod render;
pub mod report;
pub mod rules;
pub mod source;
mod spans;

pub use config::Config;
pub use lint::{lint, parse_source, LintOptions, SourceFile};
pub use report::{Diagnostic, Report, Severity};
pub use source::Span;

/// migralint's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
