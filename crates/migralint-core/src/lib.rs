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
//! `model::Schema`, then the statement changes the schema; an up file's
//! object facts go to its directory's pairing history (`pairing`), and at a
//! down file the pairing rules (`Check::Down`) compare it with its up and
//! that history. A replayed file keeps only its text and a few facts
//! (`context::SetFile`; the tree is dropped); the naming rules then run
//! over the whole set → `report::Report` → `render::{json, sarif, github,
//! compact}` (the CLI adds a miette renderer).

pub mod config;
pub mod context;
pub mod fix;
pub mod lint;
pub mod locks;
pub mod migration;
pub mod model;
mod pairing;
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
