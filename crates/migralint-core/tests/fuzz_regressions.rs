//! Lints every input in `tests/fuzz-regressions/` (see the README there):
//! each once crashed a fuzz target; none may panic now.

use std::path::{Path, PathBuf};

use migralint_core::config::Level;
use migralint_core::parse::LINT_STACK_SIZE;
use migralint_core::{lint, render, rules, Config, LintOptions, SourceFile};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz-regressions")
}

fn all_rules() -> Config {
    let mut config = Config::default();
    for r in rules::REGISTRY {
        config.set_level(r.name, Level::Error).unwrap();
    }
    config
}

/// What the fuzz targets check (fuzz/fuzz_targets/common.rs), but the
/// CLI's pretty renderer.
fn lint_and_render(what: &str, files: &[SourceFile], config: Config) {
    let report = lint(
        files,
        &LintOptions {
            config,
            report_only: None,
        },
    );
    for d in &report.diagnostics {
        let file = files.iter().find(|f| f.path == d.file).expect(what);
        assert!(
            d.span.start <= d.span.end && d.span.end <= file.text.len(),
            "{what}: {d:?}"
        );
        assert!(
            (d.line, d.column) <= (d.end_line, d.end_column),
            "{what}: {d:?}"
        );
    }
    for text in [render::json(&report), render::sarif(&report)] {
        serde_json::from_str::<serde_json::Value>(&text).expect(what);
    }
    let _ = render::compact(&report);
    let _ = render::github(&report);
}

/// A `lint_dir` input, decoded (see the README).
fn decode_set(json: &str) -> (Vec<SourceFile>, Config) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let files = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().to_string();
            let bytes = match f.get("text") {
                Some(t) => t.as_str().unwrap().as_bytes().to_vec(),
                None => f["bytes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b.as_u64().unwrap() as u8)
                    .collect(),
            };
            SourceFile::from_bytes(path, bytes)
        })
        .collect();
    let mut config = if v["all_rules"].as_bool().unwrap_or(true) {
        all_rules()
    } else {
        Config::default()
    };
    if let Some(n) = v["pg_version"].as_u64() {
        let _ = config.set_pg_version(n as u32);
    }
    (files, config)
}

/// Runs `f` where the CLI lints: on threads with `LINT_STACK_SIZE`.
fn on_big_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    #[cfg(feature = "parallel")]
    {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .stack_size(LINT_STACK_SIZE)
            .build()
            .unwrap()
            .install(f)
    }
    #[cfg(not(feature = "parallel"))]
    {
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .stack_size(LINT_STACK_SIZE)
                .spawn_scoped(s, f)
                .unwrap()
                .join()
                .unwrap()
        })
    }
}

#[test]
fn fuzz_regressions_lint_without_panicking() {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql" || e == "json"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no inputs in {}", dir().display());
    on_big_stack(|| {
        for path in &inputs {
            let what = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(path).unwrap();
            let (files, config) = if what.ends_with(".json") {
                decode_set(std::str::from_utf8(&bytes).unwrap())
            } else {
                (
                    vec![SourceFile::from_bytes("000001_fuzz.up.sql", bytes)],
                    all_rules(),
                )
            };
            lint_and_render(&what, &files, config);
        }
    });
}
