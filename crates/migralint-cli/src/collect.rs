//! Turns command-line paths into the files to lint, and reads them in
//! parallel.
//!
//! Only regular files are read (a symlink to one is fine): a FIFO, socket
//! or device named `*.sql` is an error naming it (reading a FIFO would
//! wait for ever, `/dev/zero` would never end). Each real directory is
//! walked once (by device and inode), so a symlink loop or a second path
//! to the same directory adds nothing. A file may have at most
//! `migralint_core::read::MAX_FILE_SIZE` bytes (the core's reader, shared
//! with `migralint migrate`).

use std::collections::HashSet;
use std::fs::Metadata;
use std::path::{Path, PathBuf};

use migralint_core::migration::{file_name, MigrationName};
use migralint_core::sources::{self, Visit};
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
    let mut visited = HashSet::new();
    for path in &paths {
        if path.as_os_str() == "-" {
            let name = stdin_name
                .unwrap_or(migralint_core::migration::STDIN_PATH)
                .to_string();
            let bytes = read_bounded(std::io::stdin().lock(), None)
                .map_err(|e| Failure(format!("cannot read standard input: {e}")))?
                .ok_or_else(|| too_big("standard input"))?;
            named.push(name.clone());
            seen.insert(name.clone());
            files.push((name, Origin::Stdin(bytes)));
        } else {
            let meta = std::fs::metadata(path).map_err(|e| not_found(path, &e))?;
            if meta.is_dir() {
                let mut found = Vec::new();
                walk(path, &meta, &mut visited, &mut found)?;
                for f in found {
                    let display = f.to_string_lossy().into_owned();
                    if seen.insert(display.clone()) {
                        named.push(display.clone());
                        files.push((display, Origin::Disk(f)));
                    }
                }
            } else if !meta.is_file() {
                return Err(Failure(format!(
                    "{}: {}, not a file or directory",
                    path.display(),
                    kind_of(&meta)
                )));
            } else {
                let display = path.display().to_string();
                if seen.insert(display.clone()) {
                    named.push(display.clone());
                    files.push((display, Origin::Disk(path.clone())));
                }
                // A single migration: its siblings give the context.
                if MigrationName::parse(file_name(&path.to_string_lossy())).is_some() {
                    siblings(path, &mut context);
                }
            }
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
    p.file_name()
        .is_some_and(|n| sources::is_sql_file(&n.to_string_lossy()))
}

/// A path named on the command line that cannot be looked at.
fn not_found(path: &Path, e: &std::io::Error) -> Failure {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return Failure(format!(
            "{}: a loop of symbolic links (it never reaches a file or directory)",
            path.display()
        ));
    }
    if e.kind() == std::io::ErrorKind::NotFound {
        Failure(format!("{}: no such file or directory", path.display()))
    } else {
        Failure(format!("{}: {e}", path.display()))
    }
}

/// The siblings of a single named migration (its directory's `.sql`
/// files), read as context.
fn siblings(path: &Path, context: &mut Vec<(String, Origin)>) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let bare = path.parent().is_some_and(|p| p.as_os_str().is_empty());
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            // Directories and broken links are not context; anything else
            // named `.sql` is read (and refused there if not a regular file).
            if is_sql(&p) && std::fs::metadata(&p).is_ok_and(|m| !m.is_dir()) {
                found.push(p);
            }
        }
    }
    found.sort();
    for s in found {
        let display = if bare {
            s.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        } else {
            s.display().to_string()
        };
        context.push((display, Origin::Disk(s)));
    }
}

/// A directory's identity: the same directory reached by two paths (a
/// symlink, a loop back to a parent) is walked once.
#[cfg(unix)]
fn dir_id(_path: &Path, meta: &Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// Windows: the canonical path stands for the directory (std exposes no
/// file id there on stable Rust).
#[cfg(not(unix))]
fn dir_id(path: &Path, _meta: &Metadata) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

#[cfg(unix)]
type DirId = (u64, u64);
#[cfg(not(unix))]
type DirId = PathBuf;

/// The `.sql` files under `dir`, in path order: the core's walk
/// (`migralint_core::sources`: which entries, in what order, directories
/// visited in place) over the file system. Symlinks are followed, but each
/// real directory is visited once (`visited`). An error names the
/// directory it happened in.
fn walk(
    dir: &Path,
    meta: &Metadata,
    visited: &mut HashSet<DirId>,
    out: &mut Vec<PathBuf>,
) -> Result<(), Failure> {
    if let Some(id) = dir_id(dir, meta) {
        if !visited.insert(id) {
            return Ok(());
        }
    }
    let cannot =
        |e: std::io::Error| Failure(format!("cannot read directory {}: {e}", dir.display()));
    let entries = std::fs::read_dir(dir)
        .map_err(cannot)?
        .map(|e| {
            e.map(|e| {
                let path = e.path();
                // Follows symlinks; a broken or looping link is not a
                // directory (and is read, and refused, if it is named `.sql`).
                let target = std::fs::metadata(&path).ok().filter(Metadata::is_dir);
                (e.file_name(), path, target)
            })
        })
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(cannot)?;
    let order = sources::walk_order(entries, |e| e.0.as_encoded_bytes(), |e| e.2.is_some());
    for ((_, path, target), visit) in order {
        match (visit, target) {
            (Visit::Descend, Some(m)) => walk(&path, &m, visited, out)?,
            _ => out.push(path),
        }
    }
    Ok(())
}

use migralint_core::read::{kind_of, read_bounded};

fn too_big(what: &str) -> Failure {
    Failure(migralint_core::read::too_big(what).0)
}

/// Reads a migration file with the core's reader (`migralint_core::read`,
/// shared with `migralint migrate`): a regular file (or a symlink to one)
/// of at most `MAX_FILE_SIZE` bytes, opened without blocking.
pub fn read_file(path: &Path, display: &str) -> Result<Vec<u8>, Failure> {
    migralint_core::read::read_file(path, display).map_err(|e| Failure(e.0))
}

/// Reads every file, in parallel; the first unreadable file is an error
/// naming it.
pub fn read_all(files: &[(String, Origin)]) -> Result<Vec<SourceFile>, Failure> {
    files
        .par_iter()
        .map(|(display, origin)| {
            let bytes = match origin {
                Origin::Disk(p) => read_file(p, display)?,
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
        let meta = std::fs::metadata(&root).unwrap();
        walk(&root, &meta, &mut HashSet::new(), &mut found).unwrap_or_else(|f| panic!("{}", f.0));
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
