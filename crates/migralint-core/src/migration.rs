//! golang-migrate file names: `{version}_{title}.{up|down}.{ext}`.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
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

/// A parsed migration file name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationName {
    pub version: u64,
    /// The version exactly as written (keeps leading zeros and width).
    pub version_text: String,
    pub title: String,
    pub direction: Direction,
    pub extension: String,
}

impl MigrationName {
    /// Parses a file name (not a path) the way golang-migrate does:
    /// `^([0-9]+)_(.*)\.(down|up)\.(.*)$`.
    pub fn parse(file_name: &str) -> Option<MigrationName> {
        let digits = file_name.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || file_name.as_bytes().get(digits) != Some(&b'_') {
            return None;
        }
        let version_text = &file_name[..digits];
        let version = version_text.parse::<u64>().ok()?;
        let rest = &file_name[digits + 1..];
        // The greedy `(.*)` before `\.(down|up)\.` means the last such marker wins.
        let (title, direction, extension) = [(".up.", Direction::Up), (".down.", Direction::Down)]
            .iter()
            .filter_map(|(marker, dir)| rest.rfind(marker).map(|i| (i, marker.len(), *dir)))
            .max_by_key(|(i, _, _)| *i)
            .map(|(i, len, dir)| (&rest[..i], dir, &rest[i + len..]))?;
        Some(MigrationName {
            version,
            version_text: version_text.to_string(),
            title: title.to_string(),
            direction,
            extension: extension.to_string(),
        })
    }
}

/// The path standard input is linted under when the user gives no
/// `--stdin-filename`: not a file name, so naming rules leave it alone.
pub const STDIN_PATH: &str = "<stdin>";

/// The file name part of a path (after the last `/` or `\`).
pub fn file_name(path: &str) -> &str {
    match path.bytes().rposition(|b| b == b'/' || b == b'\\') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_golang_migrate_names() {
        let m = MigrationName::parse("000002_create_user_table.up.sql").unwrap();
        assert_eq!(
            (m.version, m.title.as_str(), m.direction),
            (2, "create_user_table", Direction::Up)
        );
        assert_eq!(m.version_text, "000002");
        let m = MigrationName::parse("0050_2.2.0_schema.up.sql").unwrap();
        assert_eq!((m.version, m.title.as_str()), (50, "2.2.0_schema"));
        let m = MigrationName::parse("20220428190104_message_expiration.down.sql").unwrap();
        assert_eq!(m.direction, Direction::Down);
        assert_eq!(MigrationName::parse("0_init.up.sql").unwrap().version, 0);
        assert!(MigrationName::parse("schema.sql").is_none());
        assert!(MigrationName::parse("1-init.up.sql").is_none());
        assert!(MigrationName::parse("1_init.sql").is_none());
        assert!(MigrationName::parse("_init.up.sql").is_none());
    }

    #[test]
    fn file_name_of_path() {
        assert_eq!(file_name("a/b/000001_x.up.sql"), "000001_x.up.sql");
        assert_eq!(file_name("000001_x.up.sql"), "000001_x.up.sql");
    }
}
