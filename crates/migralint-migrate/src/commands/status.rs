//! `status`: every migration file with its state.

use std::io::Write;

use crate::args::MigrateArgs;
use crate::db::NIL_VERSION;
use crate::io::{Io, MigrateContext};
use crate::session::{
    connect, database_url, db_error, describe_version, force_hint, migrations_dir, read_migrations,
    Stop,
};

/// One row of the status table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub version: u64,
    pub version_text: String,
    pub title: String,
    /// `applied`, `pending`, `dirty` (the current version, dirty) or
    /// `missing` (the database's version has no file in the directory).
    pub state: &'static str,
    pub current: bool,
    pub has_up: bool,
    pub has_down: bool,
}

pub fn rows(m: &crate::source::Migrations, version: i64, dirty: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = m
        .by_version
        .iter()
        .map(|(&v, mig)| {
            let applied = version != NIL_VERSION && (v as i64) <= version;
            let current = v as i64 == version;
            Row {
                version: v,
                version_text: mig.version_text().to_string(),
                title: mig.title().to_string(),
                state: if current && dirty {
                    "dirty"
                } else if applied {
                    "applied"
                } else {
                    "pending"
                },
                current,
                has_up: mig.up.is_some(),
                has_down: mig.down.is_some(),
            }
        })
        .collect();
    if version >= 0 && !m.contains(version as u64) {
        rows.push(Row {
            version: version as u64,
            version_text: version.to_string(),
            title: String::new(),
            state: "missing",
            current: true,
            has_up: false,
            has_down: false,
        });
        rows.sort_by_key(|r| r.version);
    }
    rows
}

pub(super) fn status(args: &MigrateArgs, cx: &MigrateContext, io: &mut Io<'_>) -> Result<(), Stop> {
    let dir = migrations_dir(args, cx)?;
    let m = read_migrations(&dir)?;
    let url = database_url(args, io)?;
    let mut db = connect(&url)?;
    let v = db.version().map_err(db_error)?;
    let rows = rows(&m, v.version, v.dirty);
    let out = &mut io.out;
    let _ = writeln!(out, "migrations: {}", dir.display());
    let _ = writeln!(
        out,
        "database:   {} (table {})",
        url.redacted,
        db.qualified_table()
    );
    let _ = writeln!(out, "version:    {}", describe_version(v));
    let pending = rows.iter().filter(|r| r.state == "pending").count();
    let applied = rows.iter().filter(|r| r.state == "applied").count();
    let _ = writeln!(
        out,
        "            {applied} applied, {pending} pending, {} file version(s)",
        m.by_version.len()
    );
    let width = rows
        .iter()
        .map(|r| r.version_text.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<width$}  {:<8} {:<5} TITLE",
        "VERSION", "STATE", "FILES"
    );
    for r in &rows {
        let files = match (r.has_up, r.has_down) {
            (true, true) => "up+dn",
            (true, false) => "up",
            (false, true) => "dn",
            (false, false) => "-",
        };
        let mut title = r.title.clone();
        if r.state == "missing" {
            title = format!(
                "(the database is at this version but {} has no file for it)",
                dir.display()
            );
        }
        let marker = if r.current { "  <- current" } else { "" };
        let _ = writeln!(
            out,
            "{:<width$}  {:<8} {:<5} {}{}",
            r.version_text, r.state, files, title, marker
        );
    }
    if v.dirty {
        let _ = writeln!(io.err, "{}", force_hint(args, &url, Some(&m), v, &[]));
    }
    Ok(())
}
