//! Which files of a directory tree are linted, and in what order: the
//! decisions of the directory walk, made here once for every front end.
//! The CLI (`migralint check DIR`, and the siblings of a migration named
//! alone) and the GitHub Action (through the wasm build's `walkEntries`)
//! do the file-system reads and follow these answers:
//!
//! - a directory is descended into unless it is hidden (`.git`) or one of
//!   [`SKIP_DIRS`] (`node_modules`, `target`, `vendor`);
//! - any other entry whose name has the extension `.sql` (any case), or
//!   that golang-migrate reads as a migration whatever its extension
//!   (`000001_init.up.sql.orig`, `000002_x.down.txt`: `file-name-format`
//!   says so, and `duplicate-version` when it doubles a version), is read
//!   (and refused there if it is not a regular file);
//! - each directory's entries are visited in byte order of their names,
//!   subdirectories in place: the files come out sorted by path, component
//!   by component (Rust's `Path` order), as golang-migrate and the
//!   linter's replay expect.
//!
//! Which real directory was visited already (a symlink loop, a second
//! link to the same directory) is the front end's to track: a directory is
//! walked once, the first time the walk reaches it.

use std::cmp::Ordering;

/// Directories the walk does not descend into (besides hidden ones):
/// dependencies and build output, which may hold `.sql` files that are
/// not the project's migrations.
pub const SKIP_DIRS: &[&str] = &["node_modules", "target", "vendor"];

/// Whether the walk descends into a directory named `name`.
pub fn descends_into(name: &str) -> bool {
    !name.starts_with('.') && !SKIP_DIRS.contains(&name)
}

/// Whether a file name has the extension `sql` (any case), as Rust's
/// `Path::extension` reads it: `a.sql`, `b.SQL`, `..sql`, but not `.sql`
/// (a hidden name without an extension) nor `sql`.
pub fn is_sql_file(name: &str) -> bool {
    match name.rfind('.') {
        Some(dot) if dot > 0 => name[dot + 1..].eq_ignore_ascii_case("sql"),
        _ => false,
    }
}

/// What the walk does with a directory entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visit {
    /// A directory to walk.
    Descend,
    /// A file to read.
    Read,
}

/// What the walk does with an entry named `name` (`is_dir`: it is a
/// directory, or a symlink to one), or `None` when it leaves it alone.
pub fn visit(name: &str, is_dir: bool) -> Option<Visit> {
    if is_dir {
        descends_into(name).then_some(Visit::Descend)
    } else {
        (is_sql_file(name) || crate::migration::MigrationName::parse(name).is_some())
            .then_some(Visit::Read)
    }
}

/// The order of two entry names of one directory: byte by byte (the order
/// of Rust's `OsStr` and of Node's `Buffer.compare`).
pub fn compare_names(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

/// One directory's entries as the walk visits them: sorted by name
/// ([`compare_names`]), without those it leaves alone ([`visit`]), each
/// with what to do. `name` gives an entry's name as bytes (`OsStr`'s
/// encoded bytes; UTF-8 from JavaScript); a name that is not UTF-8 is
/// judged on its lossy decoding.
pub fn walk_order<T>(
    mut entries: Vec<T>,
    name: impl Fn(&T) -> &[u8],
    is_dir: impl Fn(&T) -> bool,
) -> Vec<(T, Visit)> {
    entries.sort_by(|a, b| compare_names(name(a), name(b)));
    entries
        .into_iter()
        .filter_map(|e| {
            let v = visit(&String::from_utf8_lossy(name(&e)), is_dir(&e));
            v.map(|v| (e, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_extension_as_path_reads_it() {
        for yes in [
            "a.sql",
            "b.SQL",
            "c.Sql",
            "000001_x.up.sql",
            "..sql",
            ".x.sql",
        ] {
            assert!(is_sql_file(yes), "{yes}");
            let p = std::path::Path::new(yes);
            assert!(
                p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")),
                "{yes}"
            );
        }
        for no in [".sql", "sql", "a.sql.txt", "a.sq", "a.", "", "a.sqll"] {
            assert!(!is_sql_file(no), "{no}");
            let p = std::path::Path::new(no);
            assert!(
                !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("sql")),
                "{no}"
            );
        }
    }

    #[test]
    fn hidden_and_skipped_directories() {
        for name in [".git", ".github", ".", "node_modules", "target", "vendor"] {
            assert!(!descends_into(name), "{name}");
        }
        for name in ["migrations", "db", "Target", "vendors", "a.sql"] {
            assert!(descends_into(name), "{name}");
        }
        assert_eq!(visit("a.sql", true), Some(Visit::Descend));
        assert_eq!(visit("a.sql", false), Some(Visit::Read));
        assert_eq!(visit("a.txt", false), None);
        // What golang-migrate reads as a migration, whatever the extension.
        assert_eq!(visit("000001_init.up.sql.orig", false), Some(Visit::Read));
        assert_eq!(visit("000002_x.down.txt", false), Some(Visit::Read));
        assert_eq!(visit("000002_x.sql.bak", false), None);
        assert_eq!(visit(".hidden.sql", false), Some(Visit::Read));
        assert_eq!(visit(".hidden", true), None);
    }

    #[test]
    fn entries_in_byte_order_without_the_skipped() {
        let entries = vec![
            ("b.SQL", false),
            ("a", true),
            ("a.sql", false),
            ("B.sql", false),
            ("a-b", true),
            (".git", true),
            ("c.txt", false),
            ("node_modules", true),
            ("é.sql", false),
            ("z.sql", false),
        ];
        let got: Vec<(&str, Visit)> = walk_order(entries, |e| e.0.as_bytes(), |e| e.1)
            .into_iter()
            .map(|((n, _), v)| (n, v))
            .collect();
        assert_eq!(
            got,
            [
                ("B.sql", Visit::Read),
                ("a", Visit::Descend),
                ("a-b", Visit::Descend),
                ("a.sql", Visit::Read),
                ("b.SQL", Visit::Read),
                ("z.sql", Visit::Read),
                ("é.sql", Visit::Read),
            ]
        );
    }
}
