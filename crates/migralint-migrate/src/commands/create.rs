//! `create NAME`: the next version, and its two files.
//!
//! - No style asked for: the directory's style. Sequential directories
//!   (`000001`, `0002`, `1`): the last version plus one, zero-padded to the
//!   same width when the directory pads. Timestamp directories (14 digits
//!   that read as `YYYYMMDDhhmmss`): the current UTC time, bumped past the
//!   last version if the clock is behind. An empty directory: sequential,
//!   `--digits` wide (6).
//! - `--seq` (golang-migrate's `-seq`): sequential; `--digits N` wide when
//!   given (golang-migrate: an error when the number needs more digits),
//!   else as the directory.
//! - `--timestamp`, `--format LAYOUT`, `--tz ZONE` (golang-migrate's
//!   default without `-seq`): the current time in `LAYOUT` (a Go time
//!   layout, default `20060102150405`, or `unix` / `unixNano`) in `ZONE`
//!   (default UTC).
//!
//! The files go to `--dir` (golang-migrate's `-dir`), else the migrations
//! directory.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use migralint_core::migration::{Direction, MigrationName};

use super::gotime::{self, civil_from_days};
use crate::args::MigrateArgs;
use crate::io::{Io, MigrateContext};
use crate::session::{failed, migrations_dir, read_migrations, Stop};
use crate::source::Migrations;

/// golang-migrate's default `-format`.
pub const DEFAULT_LAYOUT: &str = "20060102150405";

/// How the new version is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    /// The directory's own style.
    Directory { digits: usize },
    /// The next sequence number; `digits` when given, else the directory's width.
    Seq { digits: Option<usize> },
    /// The current time in a Go layout and a time zone.
    Timestamp { layout: String, tz: String },
}

/// `YYYYMMDDhhmmss` of a Unix time, UTC.
pub fn timestamp(unix_secs: u64) -> String {
    let secs = unix_secs as i64;
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}{mo:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Whether a version reads as `YYYYMMDDhhmmss`.
pub fn looks_like_timestamp(text: &str) -> bool {
    if text.len() != 14 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let n = |a: usize, b: usize| text[a..b].parse::<u32>().unwrap_or(99);
    let (y, mo, d, h, mi, s) = (n(0, 4), n(4, 6), n(6, 8), n(8, 10), n(10, 12), n(12, 14));
    (1970..=2999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && h < 24
        && mi < 60
        && s < 61
}

/// The next version text for a directory.
pub fn next_version(
    m: &Migrations,
    use_timestamp: bool,
    digits: usize,
    now_unix: u64,
) -> Result<String, String> {
    let last = m
        .last()
        .and_then(|v| m.get(v).map(|mig| (v, mig.version_text().to_string())));
    let timestamp_style =
        use_timestamp || last.as_ref().is_some_and(|(_, t)| looks_like_timestamp(t));
    if timestamp_style {
        let mut version = timestamp(now_unix);
        if let Some((last, _)) = &last {
            let v: u64 = version.parse().unwrap_or(0);
            if v <= *last {
                version = (last + 1).to_string();
            }
        }
        return Ok(version);
    }
    let (next, width) = match &last {
        None => (1u64, digits.max(1)),
        Some((v, _)) => {
            let padded = m
                .by_version
                .values()
                .any(|mig| mig.version_text().len() > 1 && mig.version_text().starts_with('0'));
            let width = if padded {
                last.as_ref().map_or(1, |(_, t)| t.len())
            } else {
                1
            };
            (
                v.checked_add(1)
                    .ok_or("the last version is the largest possible")?,
                width,
            )
        }
    };
    let version = format!("{next:0width$}");
    if last.is_some() && version.len() > width && width > 1 {
        return Err(format!(
            "next sequence number {version} is too large: the directory uses {width} digits"
        ));
    }
    Ok(version)
}

/// Checks a migration title against the naming rules: usable in a file name,
/// and matching the configured title pattern.
pub fn check_name(name: &str, title_pattern: &regex::Regex) -> Result<(), String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if let Some(c) = name.chars().find(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
    }) {
        return Err(format!(
            "the name {name:?} contains {c:?}, which does not belong in a file name"
        ));
    }
    if name.starts_with('.') || name.ends_with('.') {
        return Err(format!("the name {name:?} starts or ends with a dot"));
    }
    if !title_pattern.is_match(name) {
        return Err(format!(
            "the name {name:?} does not match the title pattern {} (naming.title in migralint.toml)",
            title_pattern.as_str()
        ));
    }
    Ok(())
}

/// The next sequence number, `digits` wide (golang-migrate's
/// `nextSeqVersion`): an error when it needs more.
pub fn next_seq(m: &Migrations, digits: usize) -> Result<String, String> {
    let next = match m.last() {
        None => 1,
        Some(v) => v
            .checked_add(1)
            .ok_or("the last version is the largest possible")?,
    };
    let version = format!("{next:0digits$}");
    if version.len() > digits {
        return Err(format!(
            "Next sequence number {version} too large. At most {digits} digits are allowed"
        ));
    }
    Ok(version)
}

/// The version for a style at a time.
pub fn version_for(
    m: &Migrations,
    style: &Style,
    now_secs: u64,
    now_nanos: u32,
) -> Result<String, String> {
    match style {
        Style::Directory { digits } => next_version(m, false, *digits, now_secs),
        Style::Seq { digits: Some(d) } => next_seq(m, *d),
        Style::Seq { digits: None } => {
            let last_text = m
                .last()
                .and_then(|v| m.get(v))
                .map(|x| x.version_text().to_string());
            match last_text {
                Some(t) if looks_like_timestamp(&t) => next_seq(m, 6),
                _ => next_version(m, false, 6, now_secs),
            }
        }
        Style::Timestamp { layout, tz } => {
            if layout.is_empty() {
                return Err("Time format may not be empty".into());
            }
            if layout == DEFAULT_LAYOUT && (tz.is_empty() || tz == "UTC") {
                return next_version(m, true, 6, now_secs);
            }
            let secs = now_secs as i64;
            let offset = gotime::offset_at(tz, secs)?;
            let version = gotime::format(layout, secs, now_nanos, offset);
            if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "the layout {layout:?} gives the version {version:?}, which is not a number: migration versions are digits only"
                ));
            }
            Ok(version)
        }
    }
}

pub(crate) fn create(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    name: &str,
    style: &Style,
    ext: &str,
    dir: Option<&Path>,
) -> Result<(), Stop> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => migrations_dir(args, cx)?,
    };
    check_name(name, &cx.config.options.naming.title)
        .map_err(|e| failed(format!("refusing to create the migration: {e}")))?;
    let ext = ext.trim_start_matches('.');
    if ext.is_empty() || ext.contains(['/', '\\']) {
        return Err(failed(format!("bad extension {ext:?}")));
    }
    if !dir.exists() {
        std::fs::create_dir_all(&dir)
            .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
    }
    let m = read_migrations(&dir)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let version = version_for(&m, style, now.as_secs(), now.subsec_nanos()).map_err(failed)?;
    if let Ok(v) = version.parse::<u64>() {
        if m.contains(v) {
            return Err(failed(format!("duplicate migration version: {version}")));
        }
    }
    let paths = write_pair(&dir, &version, name, ext)?;
    for p in paths {
        let _ = writeln!(io.out, "{}", p.display());
    }
    Ok(())
}

fn write_pair(dir: &Path, version: &str, name: &str, ext: &str) -> Result<Vec<PathBuf>, Stop> {
    let mut paths = Vec::new();
    for direction in [Direction::Up, Direction::Down] {
        let file_name = format!("{version}_{name}.{}.{ext}", direction.as_str());
        // The name must read back as written, or golang-migrate would see
        // something else.
        match MigrationName::parse(&file_name) {
            Some(n)
                if n.version_text == version && n.title == name && n.direction == direction && version.parse::<u64>() == Ok(n.version) => {}
            _ => return Err(failed(format!("refusing to create {file_name}: it would not read back as version {version}, title {name:?}"))),
        }
        paths.push(dir.join(file_name));
    }
    for p in &paths {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .map_err(|e| failed(format!("cannot create {}: {e}", p.display())))?;
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Migration, MigrationFile};

    fn dir(texts: &[&str]) -> Migrations {
        let mut m = Migrations::default();
        for t in texts {
            let v: u64 = t.parse().unwrap();
            m.by_version.insert(
                v,
                Migration {
                    up: Some(MigrationFile {
                        path: PathBuf::from(format!("{t}_x.up.sql")),
                        file_name: format!("{t}_x.up.sql"),
                        version: v,
                        version_text: t.to_string(),
                        title: "x".into(),
                        direction: Direction::Up,
                    }),
                    down: None,
                },
            );
        }
        m
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(0), "19700101000000");
        assert_eq!(timestamp(951_782_400), "20000229000000");
        assert_eq!(timestamp(1_700_000_000), "20231114221320");
        assert!(looks_like_timestamp("20220428190104"));
        assert!(!looks_like_timestamp("00000000000001"));
    }

    #[test]
    fn next_versions() {
        let now = 1_700_000_000;
        assert_eq!(next_version(&dir(&[]), false, 6, now).unwrap(), "000001");
        assert_eq!(
            next_version(&dir(&[]), true, 6, now).unwrap(),
            "20231114221320"
        );
        assert_eq!(
            next_version(&dir(&["000001", "000002"]), false, 6, now).unwrap(),
            "000003"
        );
        assert_eq!(
            next_version(&dir(&["0001", "0039"]), false, 6, now).unwrap(),
            "0040"
        );
        assert_eq!(
            next_version(&dir(&["0", "1", "9"]), false, 6, now).unwrap(),
            "10"
        );
        assert_eq!(
            next_version(&dir(&["20220428190104"]), false, 6, now).unwrap(),
            "20231114221320"
        );
        // Clock behind the last version: bump past it.
        assert_eq!(
            next_version(&dir(&["29990101000000"]), false, 6, now).unwrap(),
            "29990101000001"
        );
        assert!(next_version(&dir(&["0001", "9999"]), false, 6, now).is_err());
    }

    #[test]
    fn golang_migrate_styles() {
        let now = 1_700_000_000;
        let seq = |d| Style::Seq { digits: d };
        assert_eq!(
            version_for(&dir(&[]), &seq(Some(6)), now, 0).unwrap(),
            "000001"
        );
        assert_eq!(
            version_for(&dir(&["000001"]), &seq(Some(4)), now, 0).unwrap(),
            "0002"
        );
        let e = version_for(&dir(&["9999"]), &seq(Some(4)), now, 0).unwrap_err();
        assert_eq!(
            e,
            "Next sequence number 10000 too large. At most 4 digits are allowed"
        );
        assert_eq!(
            version_for(&dir(&["0007"]), &seq(None), now, 0).unwrap(),
            "0008"
        );
        let ts = |l: &str, tz: &str| Style::Timestamp {
            layout: l.into(),
            tz: tz.into(),
        };
        assert_eq!(
            version_for(&dir(&[]), &ts(DEFAULT_LAYOUT, "UTC"), now, 0).unwrap(),
            "20231114221320"
        );
        assert_eq!(
            version_for(&dir(&[]), &ts("unix", "UTC"), now, 0).unwrap(),
            "1700000000"
        );
        assert_eq!(
            version_for(&dir(&[]), &ts("200601021504", "UTC"), now, 0).unwrap(),
            "202311142213"
        );
        assert!(version_for(&dir(&[]), &ts("2006-01-02", "UTC"), now, 0)
            .unwrap_err()
            .contains("not a number"));
        assert!(
            version_for(&dir(&[]), &ts(DEFAULT_LAYOUT, "Mars/Olympus"), now, 0)
                .unwrap_err()
                .contains("unknown time zone")
        );
    }

    #[test]
    fn names() {
        let re = regex::Regex::new(migralint_core::config::DEFAULT_TITLE_PATTERN).unwrap();
        assert!(check_name("add_users_email", &re).is_ok());
        assert!(check_name("2.2.0_schema", &re).is_ok());
        for bad in ["", "add users", "a/b", "AddUsers", "x.", "-x", "a\tb"] {
            assert!(check_name(bad, &re).is_err(), "{bad:?}");
        }
    }
}
