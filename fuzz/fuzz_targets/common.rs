//! What both targets do with a set of files: lint them with every rule on,
//! render the report in every format, and check what the renderers rely on.

#![allow(dead_code)]

use migralint_core::config::Level;
use migralint_core::{lint, render, rules, Config, LintOptions, SourceFile};

#[path = "../../crates/migralint-cli/src/pretty.rs"]
mod pretty;

/// Every rule on (some are off by default), at error level.
pub fn all_rules() -> Config {
    let mut config = Config::default();
    for r in rules::REGISTRY {
        config
            .set_level(r.name, Level::Error)
            .expect("a registered rule");
    }
    config
}

/// Lints on a thread pool whose threads have the stack the CLI gives them
/// (`LINT_STACK_SIZE`: the deepest trees libpg_query returns need it).
pub fn lint_and_render(files: &[SourceFile], config: Config) {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .stack_size(migralint_core::parse::LINT_STACK_SIZE)
            .build()
            .expect("a thread pool")
    });
    pool.install(|| lint_and_render_here(files, config));
}

fn lint_and_render_here(files: &[SourceFile], config: Config) {
    let report = lint(
        files,
        &LintOptions {
            config,
            report_only: None,
        },
    );
    for d in &report.diagnostics {
        let file = files
            .iter()
            .find(|f| f.path == d.file)
            .unwrap_or_else(|| panic!("a diagnostic in an unknown file {:?}", d.file));
        assert!(
            d.span.start <= d.span.end && d.span.end <= file.text.len(),
            "span {:?} out of {} bytes: {d:?}",
            d.span,
            file.text.len()
        );
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        assert!((d.line, d.column) <= (d.end_line, d.end_column), "{d:?}");
    }
    let json = render::json(&report);
    serde_json_check(&json);
    let sarif = render::sarif(&report);
    serde_json_check(&sarif);
    let _ = render::compact(&report);
    let _ = render::github(&report);
    let _ = pretty::render(&report, files, false);
}

fn serde_json_check(text: &str) {
    // The renderers build JSON with serde; a cheap well-formedness check.
    assert!(text.starts_with('{') && text.ends_with("}\n"));
}
