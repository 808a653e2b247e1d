//! Renderers shared by every front end (the CLI adds a miette renderer for
//! terminals). Each takes a `Report` and returns the whole output.

mod compact;
mod github;
mod json;
mod sarif;

pub use compact::{compact, fix_marker};
pub use github::{escape_data, escape_property, github};
pub use json::json;
pub use sarif::sarif;
