//! A set of files with arbitrary names and contents (names biased towards
//! golang-migrate's `{version}_{title}.{up|down}.sql` in a few
//! directories, so pairing, ordering and naming rules see real sets).
#![no_main]

mod common;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use migralint_core::SourceFile;

#[derive(Arbitrary, Debug)]
enum Name {
    /// `{dir}/{version}_{title}.{up|down}.{ext}` with a small version.
    Migration {
        dir: u8,
        version: u8,
        width: u8,
        title: String,
        up: bool,
        ext_sql: bool,
    },
    /// A big or odd version.
    Version {
        version: u64,
        title: String,
        up: bool,
    },
    /// Anything at all.
    Raw(String),
}

#[derive(Arbitrary, Debug)]
struct File {
    name: Name,
    text: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    files: Vec<File>,
    pg_version: u8,
    all_rules: bool,
}

const DIRS: [&str; 4] = ["", "migrations/", "db/migrations/", "a\\b/"];

fn path(name: &Name) -> String {
    match name {
        Name::Migration {
            dir,
            version,
            width,
            title,
            up,
            ext_sql,
        } => format!(
            "{}{:0width$}_{}.{}.{}",
            DIRS[*dir as usize % DIRS.len()],
            version % 8,
            title,
            if *up { "up" } else { "down" },
            if *ext_sql { "sql" } else { "SQL" },
            width = (*width % 16) as usize,
        ),
        Name::Version { version, title, up } => {
            format!("{version}_{title}.{}.sql", if *up { "up" } else { "down" })
        }
        Name::Raw(s) => s.clone(),
    }
}

/// Prints the decoded set as tests/fuzz-regressions/*.json keeps it.
fn dump(files: &[SourceFile], input: &Input, pg_version: u32) {
    let files: Vec<serde_json::Value> = files
        .iter()
        .map(|f| match f.invalid_utf8_at {
            None => serde_json::json!({ "path": f.path, "text": f.text }),
            Some(_) => {
                let raw = input.files.iter().find(|r| path(&r.name) == f.path);
                serde_json::json!({ "path": f.path, "bytes": raw.map(|r| &r.text) })
            }
        })
        .collect();
    let doc = serde_json::json!({
        "all_rules": input.all_rules,
        "pg_version": pg_version,
        "files": files,
    });
    eprintln!("{}", serde_json::to_string_pretty(&doc).unwrap());
}

fuzz_target!(|input: Input| {
    // Paths are unique, as the CLI makes them (a diagnostic names its file
    // by path): a repeated path is dropped.
    let mut seen = std::collections::HashSet::new();
    let files: Vec<SourceFile> = input
        .files
        .iter()
        .take(24)
        .map(|f| SourceFile::from_bytes(path(&f.name), f.text.clone()))
        .filter(|f| seen.insert(f.path.clone()))
        .collect();
    let mut config = if input.all_rules {
        common::all_rules()
    } else {
        migralint_core::Config::default()
    };
    let pg_version = 9 + u32::from(input.pg_version % 12);
    let _ = config.set_pg_version(pg_version);
    if std::env::var_os("MIGRALINT_FUZZ_DUMP").is_some() {
        dump(&files, &input, pg_version);
    }
    common::lint_and_render(&files, config);
});
