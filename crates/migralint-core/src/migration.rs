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

/// Whether a byte separates path components: `/` everywhere, and `\\` on
/// Windows only (on Unix a backslash is an ordinary file-name character).
/// Front ends on any platform may pass `/` paths (the wasm build and the
/// GitHub Action do).
pub fn is_separator(b: u8) -> bool {
    b == b'/' || (cfg!(windows) && b == b'\\')
}

/// The file name part of a path (after the last separator, see
/// [`is_separator`]).
pub fn file_name(path: &str) -> &str {
    match path.bytes().rposition(is_separator) {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// The version of a name that has golang-migrate's shape
/// (`{digits}_{title}.{up|down}.{ext}`) but whose version does not fit in
/// 64 bits. golang-migrate parses versions with `strconv.ParseUint(v, 10,
/// 64)`; when that fails its file source skips the file without a word.
pub fn oversized_version(file_name: &str) -> Option<&str> {
    let digits = file_name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || file_name.as_bytes().get(digits) != Some(&b'_') {
        return None;
    }
    let rest = &file_name[digits + 1..];
    let shaped = rest.contains(".up.") || rest.contains(".down.");
    let version = &file_name[..digits];
    (shaped && version.parse::<u64>().is_err()).then_some(version)
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

    #[test]
    fn backslash_separates_only_on_windows() {
        let name = file_name("dir/a\\000001_x.up.sql");
        if cfg!(windows) {
            assert_eq!(name, "000001_x.up.sql");
        } else {
            // On Unix `a\000001_x.up.sql` is one file name (not a migration name).
            assert_eq!(name, "a\\000001_x.up.sql");
            assert!(MigrationName::parse(name).is_none());
        }
    }

    #[test]
    fn versions_past_u64_are_named() {
        assert!(MigrationName::parse("99999999999999999999_huge.up.sql").is_none());
        assert_eq!(
            oversized_version("99999999999999999999_huge.up.sql"),
            Some("99999999999999999999")
        );
        // The largest version golang-migrate reads, and leading zeros.
        let max = MigrationName::parse("18446744073709551615_max.down.sql").unwrap();
        assert_eq!(max.version, u64::MAX);
        assert_eq!(oversized_version("18446744073709551615_max.down.sql"), None);
        assert_eq!(
            oversized_version("18446744073709551616_x.up.sql"),
            Some("18446744073709551616")
        );
        assert_eq!(
            MigrationName::parse("000000000000000000000001_z.up.sql").map(|m| m.version),
            Some(1)
        );
        assert_eq!(oversized_version("99999999999999999999_huge.sql"), None);
    }
}
