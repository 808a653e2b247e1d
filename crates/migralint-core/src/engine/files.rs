//! The file set: what the engine keeps of each file once it is replayed
//! (`SetFile`), and the migration files grouped by directory (`MigFile`,
//! `MigDir`), as the naming and pairing rules see them.

use super::facts::FileFacts;
use crate::migration::{Direction, MigrationName};
use crate::parse::{ParsedFile, Suppression, SyntaxError};
use crate::source::{LineIndex, Span};

/// What the engine keeps of a statement once its file is replayed.
#[derive(Clone, Debug)]
pub struct KeptStmt {
    pub span: Span,
    /// Rules suppressed for this statement (`-- migralint-ignore`).
    pub ignored: Box<[String]>,
    pub creates_anything: bool,
    /// `BEGIN`, `COMMIT` and the like: no change to the schema.
    pub transaction_control: bool,
}

/// What the engine keeps of a file once it has been replayed: its text (for
/// lines and columns), syntax errors, suppressions, and per statement its
/// span and a few flags. The parse tree and the facts are dropped: memory
/// holds the trees of the files being linted, not of the whole set.
pub struct SetFile {
    pub path: String,
    pub text: String,
    pub line_index: LineIndex,
    pub name: Option<MigrationName>,
    pub syntax_errors: Vec<SyntaxError>,
    pub suppressions: Vec<Suppression>,
    pub statements: Vec<KeptStmt>,
}

impl SetFile {
    /// Keeps what the rest of the run needs of a parsed file.
    pub fn new(parsed: ParsedFile, name: Option<MigrationName>, facts: &FileFacts) -> Self {
        let statements = facts
            .stmts
            .iter()
            .map(|f| KeptStmt {
                span: f.span,
                ignored: f.ignored.clone(),
                // What a `ROLLBACK` undid creates nothing that lasts.
                creates_anything: f.creates_anything && f.undone_by.is_none(),
                transaction_control: f.summary.tx_kind.is_some(),
            })
            .collect();
        SetFile {
            path: parsed.path,
            text: parsed.text,
            line_index: parsed.line_index,
            name,
            syntax_errors: parsed.syntax_errors,
            suppressions: parsed.suppressions,
            statements,
        }
    }

    /// 1-based (line, column) of a byte offset in this file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.line_index.line_col(&self.text, offset)
    }
}

/// A migration file of the set.
#[derive(Clone, Copy)]
pub struct MigFile<'a> {
    /// Index into `SetCx::files`.
    pub index: usize,
    pub file: &'a SetFile,
    pub name: &'a MigrationName,
    file_name: &'a str,
}

/// One directory's migration files (see `migrations_by_dir`).
pub type MigDir<'a> = (&'a str, Vec<MigFile<'a>>);

impl<'a> MigFile<'a> {
    /// `file` (index `index` of the set), when its name is a migration name.
    pub fn new(index: usize, file: &'a SetFile) -> Option<MigFile<'a>> {
        Some(MigFile {
            index,
            file,
            name: file.name.as_ref()?,
            file_name: crate::migration::file_name(&file.path),
        })
    }

    pub fn file_name(&self) -> &'a str {
        self.file_name
    }
    pub fn is_up(&self) -> bool {
        self.name.direction == Direction::Up
    }
    pub fn is_down(&self) -> bool {
        self.name.direction == Direction::Down
    }
    /// `000002_x.up.sql:3` for a byte offset.
    pub fn at(&self, offset: usize) -> String {
        format!("{}:{}", self.file_name(), self.file.line_col(offset).0)
    }
    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.file.line_col(offset).0
    }
    /// The file's first statement, or an empty span at its start.
    pub fn first_statement_span(&self) -> Span {
        self.file
            .statements
            .first()
            .map_or(Span::empty(0), |s| s.span)
    }
}

/// The directory part of a path (before the file name; `""` for none).
pub fn dir_of(path: &str) -> &str {
    let name = crate::migration::file_name(path);
    &path[..path.len() - name.len()]
}

/// The set's migration files grouped by directory (in order of first
/// appearance), each group sorted by version, then up before down, then
/// file name. Files whose name is not a migration name are left out.
pub fn migrations_by_dir(files: &[SetFile]) -> Vec<MigDir<'_>> {
    let mut groups: Vec<MigDir> = Vec::new();
    let mut group_of: std::collections::HashMap<&str, usize> = Default::default();
    for (index, file) in files.iter().enumerate() {
        let Some(m) = MigFile::new(index, file) else {
            continue;
        };
        let dir = dir_of(&file.path);
        let g = *group_of.entry(dir).or_insert_with(|| {
            groups.push((dir, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(m);
    }
    for (_, v) in &mut groups {
        v.sort_by(|a, b| {
            (a.name.version, a.name.direction, a.file_name).cmp(&(
                b.name.version,
                b.name.direction,
                b.file_name,
            ))
        });
    }
    groups
}

/// The files of one version, from files sorted by version
/// (`migrations_by_dir`), by binary search.
pub fn of_version<'f, 'a>(files: &'f [MigFile<'a>], version: u64) -> &'f [MigFile<'a>] {
    let start = files.partition_point(|f| f.name.version < version);
    let end = start + files[start..].partition_point(|f| f.name.version == version);
    &files[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir() {
        assert_eq!(dir_of("a/b/000001_x.up.sql"), "a/b/");
        assert_eq!(dir_of("000001_x.up.sql"), "");
        // A backslash separates paths on Windows only; elsewhere it is a
        // character of the file name.
        let expected = if cfg!(windows) { "c:\\m\\" } else { "" };
        assert_eq!(dir_of("c:\\m\\1_x.up.sql"), expected);
    }
}
