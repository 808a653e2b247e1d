//! What every command that touches the database shares: where the
//! migrations are, the database URL, the connection, golang-migrate's lock,
//! how a version is described, and the `force` guidance for a dirty
//! database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::args::MigrateArgs;
use crate::db::{Db, DbError, DbVersion, NIL_VERSION};
use crate::dburl::DbUrl;
use crate::io::{Io, MigrateContext, EXIT_FAILED};
use crate::source::Migrations;

/// A command's end: exit code, message already printed or to print.
pub struct Stop {
    pub code: u8,
    pub message: String,
}

/// A run that stops with a message (exit 1, as golang-migrate's `log.fatal`).
pub fn failed(message: impl Into<String>) -> Stop {
    Stop {
        code: EXIT_FAILED,
        message: message.into(),
    }
}

pub fn db_error(e: DbError) -> Stop {
    failed(e.to_string())
}

/// The migrations directory: `--source file://DIR`, `--path DIR`, or the
/// configured one.
pub fn migrations_dir(args: &MigrateArgs, cx: &MigrateContext) -> Result<PathBuf, Stop> {
    if let Some(source) = &args.source {
        return source_dir(source).map_err(failed);
    }
    args.path.clone().or_else(|| cx.default_path.clone()).ok_or_else(|| {
        failed("no migrations directory: pass --path DIR (or -source file://DIR) or set `migrations = \"DIR\"` in migralint.toml")
    })
}

/// golang-migrate's `file://` source: `file://DIR` (relative) or
/// `file:///abs/DIR`, percent-decoded as Go's net/url does.
pub fn source_dir(source: &str) -> Result<PathBuf, String> {
    let Some(rest) = source.strip_prefix("file://") else {
        let scheme = source.split_once("://").map_or("", |(s, _)| s);
        return Err(if scheme.is_empty() {
            format!(
                "-source {source:?}: expected a URL such as file://migrations (or use -path DIR)"
            )
        } else {
            format!("-source {source:?}: unsupported source scheme {scheme:?}; migralint reads file:// sources only")
        });
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let path = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| format!("-source {source:?}: the path is not UTF-8"))?;
    if path.is_empty() {
        return Err(format!("-source {source:?}: no directory"));
    }
    Ok(PathBuf::from(path.as_ref()))
}

pub fn read_migrations(dir: &Path) -> Result<Migrations, Stop> {
    Migrations::read(dir).map_err(|e| failed(e.0))
}

pub fn database_url(args: &MigrateArgs, io: &mut Io<'_>) -> Result<DbUrl, Stop> {
    let raw = args
        .database
        .clone()
        .or_else(|| io.database_url_env.clone())
        .ok_or_else(|| failed("no database: pass --database URL or set DATABASE_URL"))?;
    let url = DbUrl::parse(&raw).map_err(|e| failed(format!("bad database URL: {e}")))?;
    for p in &url.unknown_x_params {
        let _ = writeln!(io.err, "warning: ignoring unknown URL parameter {p}");
    }
    Ok(url)
}

pub fn connect(url: &DbUrl) -> Result<Db, Stop> {
    Db::connect(url).map_err(|e| failed(format!("{e}\nnothing was changed")))
}

pub fn lock(db: &mut Db, args: &MigrateArgs) -> Result<(), Stop> {
    db.lock(Duration::from_secs(args.lock_timeout))
        .map_err(|e| failed(e.to_string()))
}

/// golang-migrate's words for a dirty database (`ErrDirty`), then the exact
/// `force` command(s) that clear it, after `repair` (statements to run
/// first, e.g. dropping an invalid index).
pub fn force_hint(
    args: &MigrateArgs,
    url: &DbUrl,
    m: Option<&Migrations>,
    v: DbVersion,
    repair: &[String],
) -> String {
    let mut cmd = String::from("migralint migrate");
    if let Some(s) = &args.source {
        cmd.push_str(&format!(" --source {}", shell_quote(s)));
    } else if let Some(p) = &args.path {
        cmd.push_str(&format!(
            " --path {}",
            shell_quote(&p.display().to_string())
        ));
    }
    if args.database.is_some() {
        cmd.push_str(&format!(" --database {}", shell_quote(&url.redacted)));
    }
    let prev = match m {
        Some(m) if v.version >= 0 => m.prev(v.version as u64).map_or(NIL_VERSION, |p| p as i64),
        _ => NIL_VERSION,
    };
    let mut s = format!(
        "Dirty database version {ver}. Fix and force version.\n\
         the database is dirty at version {ver}: a migration failed partway and may be half applied.\n",
        ver = v.version
    );
    if !repair.is_empty() {
        s.push_str("First run (the failed build left what it made behind):\n");
        for r in repair {
            s.push_str(&format!("  {r}\n"));
        }
        s.push_str("Then inspect the database, finish or undo that migration by hand, and clear the flag:\n");
    } else {
        s.push_str(
            "Inspect the database and finish or undo that migration by hand, then clear the flag:\n",
        );
    }
    s.push_str(&format!(
        "  {cmd} force {ver}    # if version {ver} is now fully applied\n  \
         {cmd} force {prev}    # if you undid it (back to the version before)",
        ver = v.version
    ));
    s
}

pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:@=,+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

pub fn describe_version(v: DbVersion) -> String {
    match (v.version, v.dirty) {
        (NIL_VERSION, false) => "no version (no migration applied)".to_string(),
        (ver, false) => format!("version {ver}"),
        (ver, true) => format!("version {ver} (dirty)"),
    }
}

pub fn format_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.1}ms")
    } else {
        format!("{:.2}s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sources() {
        assert_eq!(
            source_dir("file://db/migrations"),
            Ok(PathBuf::from("db/migrations"))
        );
        assert_eq!(
            source_dir("file:///abs/m%20x"),
            Ok(PathBuf::from("/abs/m x"))
        );
        assert!(source_dir("github://o/r")
            .unwrap_err()
            .contains("unsupported source scheme"));
        assert!(source_dir("db/migrations").unwrap_err().contains("file://"));
        assert!(source_dir("file://").is_err());
    }
}
