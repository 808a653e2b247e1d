//! The migrations directory, read as golang-migrate's `file://` source reads
//! it: every file named `{version}_{title}.{up|down}.{ext}` (the regex
//! `^([0-9]+)_(.*)\.(down|up)\.(.*)$`), version an unsigned 64-bit integer
//! (zero-padded or not, starting at 0 or not); other files are ignored; two
//! files for the same version and direction are an error.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

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

/// golang-migrate's file-name parse.
pub fn parse_file_name(name: &str) -> Option<(u64, String, String, Direction)> {
    let underscore = name.find('_')?;
    let digits = &name[..underscore];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let version: u64 = digits.parse().ok()?;
    let rest = &name[underscore + 1..];
    // `(.*)\.(down|up)\.(.*)$`: the title is greedy, so take the last
    // `.up.` / `.down.` that still leaves an extension after it.
    let mut best: Option<(usize, Direction, usize)> = None;
    for (needle, dir) in [(".up.", Direction::Up), (".down.", Direction::Down)] {
        let mut from = 0;
        while let Some(i) = rest[from..].find(needle) {
            let at = from + i;
            if best.is_none_or(|(b, _, _)| at > b) {
                best = Some((at, dir, needle.len()));
            }
            from = at + 1;
        }
    }
    let (at, dir, len) = best?;
    let title = rest[..at].to_string();
    let _ext = &rest[at + len..];
    Some((version, digits.to_string(), title, dir))
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
            let Some((version, version_text, title, direction)) = parse_file_name(&file_name)
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

    #[test]
    fn names() {
        assert_eq!(
            parse_file_name("000001_init.up.sql"),
            Some((1, "000001".into(), "init".into(), Direction::Up))
        );
        assert_eq!(
            parse_file_name("0050_2.2.0_schema.up.sql"),
            Some((50, "0050".into(), "2.2.0_schema".into(), Direction::Up))
        );
        assert_eq!(
            parse_file_name("20220428190104_message_expiration.down.sql"),
            Some((
                20220428190104,
                "20220428190104".into(),
                "message_expiration".into(),
                Direction::Down
            ))
        );
        assert_eq!(parse_file_name("0_zero.up.sql").map(|n| n.0), Some(0));
        assert_eq!(
            parse_file_name("1_.up.sql").map(|n| n.2),
            Some(String::new())
        );
        assert_eq!(parse_file_name("README.md"), None);
        assert_eq!(parse_file_name("1_x.sql"), None);
        assert_eq!(parse_file_name("_x.up.sql"), None);
        assert_eq!(parse_file_name("1a_x.up.sql"), None);
        assert_eq!(
            parse_file_name("1_x.up."),
            Some((1, "1".into(), "x".into(), Direction::Up))
        );
        // Greedy title: the last direction marker wins.
        assert_eq!(
            parse_file_name("1_a.up.b.down.sql"),
            Some((1, "1".into(), "a.up.b".into(), Direction::Down))
        );
        // Versions beyond u64 do not parse (golang-migrate: ParseUint fails).
        assert_eq!(parse_file_name("99999999999999999999_x.up.sql"), None);
    }
}
