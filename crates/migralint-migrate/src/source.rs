//! The migrations directory, read as golang-migrate's `file://` source reads
//! it: every file named `{version}_{title}.{up|down}.{ext}` (the regex
//! `^([0-9]+)_(.*)\.(down|up)\.(.*)$`), version an unsigned 64-bit integer
//! (zero-padded or not, starting at 0 or not); other files are ignored; two
//! files for the same version and direction are an error. File names are
//! read by the core's parser ([`MigrationName::parse`]), the one the linter
//! uses.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use migralint_core::migration::{Direction, MigrationName};

/// One migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    pub path: PathBuf,
    pub file_name: String,
    pub version: u64,
    /// The version as written (`000001`).
    pub version_text: String,
    pub title: String,
    pub direction: Direction,
}

impl MigrationFile {
    /// The file's bytes, read with the core's reader
    /// (`migralint_core::read`, the CLI's too): a regular file (or a
    /// symlink to one) of bounded size, opened without blocking; errors
    /// name the path.
    pub fn read_bytes(&self) -> Result<Vec<u8>, SourceError> {
        let display = self.path.display().to_string();
        migralint_core::read::read_file(&self.path, &display).map_err(|e| SourceError(e.0))
    }

    /// The file's text: `read_bytes`, which must be UTF-8.
    pub fn read_text(&self) -> Result<String, SourceError> {
        String::from_utf8(self.read_bytes()?).map_err(|_| {
            SourceError(format!(
                "{} is not valid UTF-8; migrations must be UTF-8 text",
                self.path.display()
            ))
        })
    }
}

/// Up and down file of one version.
#[derive(Debug, Clone, Default)]
pub struct Migration {
    pub up: Option<MigrationFile>,
    pub down: Option<MigrationFile>,
}

impl Migration {
    pub fn title(&self) -> &str {
        self.up
            .as_ref()
            .or(self.down.as_ref())
            .map_or("", |f| f.title.as_str())
    }
    pub fn version_text(&self) -> &str {
        self.up
            .as_ref()
            .or(self.down.as_ref())
            .map_or("", |f| f.version_text.as_str())
    }
    pub fn file(&self, direction: Direction) -> Option<&MigrationFile> {
        match direction {
            Direction::Up => self.up.as_ref(),
            Direction::Down => self.down.as_ref(),
        }
    }
}

#[derive(Debug)]
pub struct SourceError(pub String);

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// All migrations of a directory, by version.
#[derive(Debug, Clone, Default)]
pub struct Migrations {
    pub dir: PathBuf,
    pub by_version: BTreeMap<u64, Migration>,
}

impl Migrations {
    pub fn read(dir: &Path) -> Result<Migrations, SourceError> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            SourceError(format!(
                "cannot read migrations directory {}: {e}",
                dir.display()
            ))
        })?;
        let mut out = Migrations {
            dir: dir.to_path_buf(),
            by_version: BTreeMap::new(),
        };
        for entry in entries {
            let entry = entry.map_err(|e| {
                SourceError(format!(
                    "cannot read migrations directory {}: {e}",
                    dir.display()
                ))
            })?;
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                continue;
            }
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let Some(MigrationName {
                version,
                version_text,
                title,
                direction,
                ..
            }) = MigrationName::parse(&file_name)
            else {
                continue;
            };
            let file = MigrationFile {
                path: entry.path(),
                file_name: file_name.clone(),
                version,
                version_text,
                title,
                direction,
            };
            let slot = out.by_version.entry(version).or_default();
            let place = match direction {
                Direction::Up => &mut slot.up,
                Direction::Down => &mut slot.down,
            };
            if let Some(existing) = place {
                return Err(SourceError(format!(
                    "duplicate migration file: {} and {} are both version {version} {}",
                    existing.file_name,
                    file_name,
                    direction.as_str()
                )));
            }
            *place = Some(file);
        }
        Ok(out)
    }

    pub fn versions(&self) -> impl Iterator<Item = u64> + '_ {
        self.by_version.keys().copied()
    }
    pub fn first(&self) -> Option<u64> {
        self.by_version.keys().next().copied()
    }
    pub fn last(&self) -> Option<u64> {
        self.by_version.keys().next_back().copied()
    }
    pub fn next(&self, v: u64) -> Option<u64> {
        self.by_version.range(v + 1..).next().map(|(k, _)| *k)
    }
    pub fn prev(&self, v: u64) -> Option<u64> {
        self.by_version.range(..v).next_back().map(|(k, _)| *k)
    }
    pub fn contains(&self, v: u64) -> bool {
        self.by_version.contains_key(&v)
    }
    pub fn get(&self, v: u64) -> Option<&Migration> {
        self.by_version.get(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(names: &[&str]) -> (PathBuf, Result<Migrations, SourceError>) {
        let d = std::env::temp_dir().join(format!(
            "migralint-source-{}-{}",
            std::process::id(),
            names.len()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        for n in names {
            std::fs::write(d.join(n), "").unwrap();
        }
        let m = Migrations::read(&d);
        (d, m)
    }

    #[test]
    fn reads_golang_migrate_names_with_the_core_parser() {
        let (d, m) = dir(&[
            "000001_init.up.sql",
            "000001_init.down.sql",
            "0050_2.2.0_schema.up.sql",
            "2_a.up.b.down.sql.x",
            "README.md",
            "99999999999999999999_huge.up.sql",
        ]);
        let m = m.unwrap();
        let _ = std::fs::remove_dir_all(&d);
        assert_eq!(m.versions().collect::<Vec<_>>(), [1, 2, 50]);
        // golang-migrate's greedy title: the last direction marker wins.
        assert_eq!(m.get(2).unwrap().title(), "a.up.b");
        assert!(m.get(2).unwrap().up.is_none());
        let one = m.get(1).unwrap();
        assert_eq!(one.title(), "init");
        assert_eq!(one.version_text(), "000001");
        assert_eq!(one.down.as_ref().unwrap().direction, Direction::Down);
        assert_eq!(m.get(50).unwrap().title(), "2.2.0_schema");
    }

    #[test]
    fn duplicate_versions_are_an_error() {
        let (d, m) = dir(&["1_a.up.sql", "01_b.up.sql", "1_a.down.sql"]);
        let _ = std::fs::remove_dir_all(&d);
        let e = m.unwrap_err();
        assert!(e.0.contains("duplicate migration file"), "{e}");
    }

    #[test]
    fn files_are_read_with_the_core_reader() {
        let d = std::env::temp_dir().join(format!("migralint-source-read-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("1_a.up.sql"), "SELECT 1;\n").unwrap();
        std::fs::write(d.join("1_a.down.sql"), b"SELECT '\xff';\n").unwrap();
        #[cfg(unix)]
        {
            let made = std::process::Command::new("mkfifo")
                .arg(d.join("2_f.up.sql"))
                .status()
                .unwrap();
            assert!(made.success());
        }
        let m = Migrations::read(&d).unwrap();
        let one = m.get(1).unwrap();
        assert_eq!(one.up.as_ref().unwrap().read_text().unwrap(), "SELECT 1;\n");
        let down = one.down.as_ref().unwrap();
        assert_eq!(
            down.read_text().unwrap_err().0,
            format!(
                "{} is not valid UTF-8; migrations must be UTF-8 text",
                down.path.display()
            )
        );
        #[cfg(unix)]
        {
            // A FIFO is refused at once, naming it (a plain read would wait
            // for a writer for ever).
            let f = m.get(2).unwrap().up.as_ref().unwrap();
            assert_eq!(
                f.read_bytes().unwrap_err().0,
                format!(
                    "{}: is a FIFO (named pipe), not a regular file (migrations must be regular files)",
                    f.path.display()
                )
            );
        }
        let gone = MigrationFile {
            path: d.join("3_gone.up.sql"),
            ..one.up.clone().unwrap()
        };
        let e = gone.read_bytes().unwrap_err().0;
        assert!(
            e.starts_with(&format!("cannot read {}: ", gone.path.display())),
            "{e}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
