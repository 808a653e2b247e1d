//! Turns command-line paths into the files to lint, and reads them in
//! parallel.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use migralint_core::migration::{file_name, MigrationName};
use migralint_core::SourceFile;
use rayon::prelude::*;

use crate::Failure;

pub enum Origin {
    Disk(PathBuf),
    Stdin(Vec<u8>),
}

pub struct Input {
    /// Display path (as the user gave it, joined with the file name) and origin.
    pub files: Vec<(String, Origin)>,
    /// When single migration files were named, their siblings are read as
    /// context and only the named files are reported on.
    pub report_only: Option<Vec<String>>,
}

const SKIP_DIRS: &[&str] = &["node_modules", "target", "vendor"];

pub fn collect(
    paths: &[PathBuf],
    configured: Option<&Path>,
    stdin_name: Option<&str>,
) -> Result<Input, Failure> {
    let paths: Vec<PathBuf> = if paths.is_empty() {
        let default = configured
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("migrations"));
        if !default.is_dir() {
            return Err(Failure(format!(
                "no path given and {} is not a directory; run `migralint check <DIR>` or set `migrations = \"...\"` in migralint.toml",
                default.display()
            )));
        }
        vec![default]
    } else {
        paths.to_vec()
    };

    let mut files: Vec<(String, Origin)> = Vec::new();
    let mut seen = HashSet::new();
    let mut named: Vec<String> = Vec::new();
    let mut context: Vec<(String, Origin)> = Vec::new();
    for path in &paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
            let name = stdin_name
                .unwrap_or(migralint_core::migration::STDIN_PATH)
                .to_string();
            named.push(name.clone());
            seen.insert(name.clone());
            files.push((name, Origin::Stdin(bytes)));
        } else if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)
                .map_err(|e| Failure(format!("cannot read directory {}: {e}", path.display())))?;
            for f in found {
                let display = f.to_string_lossy().into_owned();
                if seen.insert(display.clone()) {
                    named.push(display.clone());
                    files.push((display, Origin::Disk(f)));
                }
            }
        } else if path.is_file() {
            let display = path.display().to_string();
            if seen.insert(display.clone()) {
                named.push(display.clone());
                files.push((display, Origin::Disk(path.clone())));
            }
            // A single migration: its siblings give the context.
            if MigrationName::parse(file_name(&path.to_string_lossy())).is_some() {
                let dir = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let mut siblings = Vec::new();
                if let Ok(entries) = std::fs::read_dir(dir) {
                    for e in entries.flatten() {
                        let p = e.path();
                        if p.is_file() && is_sql(&p) {
                            siblings.push(p);
                        }
                    }
                }
                siblings.sort();
                for s in siblings {
                    let display = if path.parent().is_some_and(|p| p.as_os_str().is_empty()) {
                        s.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    } else {
                        s.display().to_string()
                    };
                    context.push((display, Origin::Disk(s)));
                }
            }
        } else {
            return Err(Failure(format!(
                "{}: no such file or directory",
                path.display()
            )));
        }
    }
    let has_context = context.iter().any(|(d, _)| !seen.contains(d));
    for (display, origin) in context {
        if seen.insert(display.clone()) {
            files.push((display, origin));
        }
    }
    Ok(Input {
        files,
        report_only: has_context.then_some(named),
    })
}

fn is_sql(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql"))
}

/// The `.sql` files under `dir`, in path order (each directory's entries
/// sorted by name, subdirectories visited in place: the order of sorting
/// the whole list by path, without comparing whole paths).
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| (e.file_name(), e)))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (name, entry) in entries {
        let path = entry.path();
        let name = name.to_string_lossy();
        let kind = entry.file_type()?;
        if kind.is_dir() || (kind.is_symlink() && path.is_dir()) {
            if !name.starts_with('.') && !SKIP_DIRS.contains(&name.as_ref()) {
                walk(&path, out)?;
            }
        } else if is_sql(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads every file, in parallel; the first unreadable file is an error
/// naming it.
pub fn read_all(files: &[(String, Origin)]) -> Result<Vec<SourceFile>, Failure> {
    files
        .par_iter()
        .map(|(display, origin)| {
            let bytes = match origin {
                Origin::Disk(p) => {
                    std::fs::read(p).map_err(|e| Failure(format!("cannot read {display}: {e}")))?
                }
                Origin::Stdin(b) => b.clone(),
            };
            Ok(SourceFile::from_bytes(display.clone(), bytes))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_gives_path_order() {
        let root = std::env::temp_dir().join(format!("migralint-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let files = [
            "a.sql",
            "a/x.sql",
            "a-b/y.sql",
            "b.SQL",
            "B.sql",
            ".git/z.sql",
            "c.txt",
        ];
        for f in files {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "SELECT 1;").unwrap();
        }
        let mut found = Vec::new();
        walk(&root, &mut found).unwrap();
        let mut sorted = found.clone();
        sorted.sort();
        assert_eq!(found, sorted, "the walk's order is the paths' order");
        let names: Vec<String> = found
            .iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["B.sql", "a/x.sql", "a-b/y.sql", "a.sql", "b.SQL"]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
