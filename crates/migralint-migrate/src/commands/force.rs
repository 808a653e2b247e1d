//! `force V`: set the version, clear the dirty flag, run nothing.

use crate::args::MigrateArgs;
use crate::db::{DbVersion, NIL_VERSION};
use crate::io::{Io, MigrateContext};
use crate::session::{connect, database_url, db_error, describe_version, failed, lock, Stop};
use crate::source::Migrations;

pub(super) fn force(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    v: i64,
) -> Result<(), Stop> {
    if v < NIL_VERSION {
        return Err(failed("argument V must be >= -1"));
    }
    let url = database_url(args, io)?;
    let mut db = connect(&url)?;
    lock(&mut db, args)?;
    let result = (|| {
        db.ensure_table().map_err(db_error)?;
        // What was there, if it can be read: `force` is the way to repair
        // a row that cannot.
        let before = match db.version() {
            Ok(b) => describe_version(b),
            Err(e) => format!("unreadable: {e}"),
        };
        db.set_version(v, false).map_err(db_error)?;
        let _ = writeln!(
            io.out,
            "forced: database at {} (was {before}); no migration was run",
            describe_version(DbVersion {
                version: v,
                dirty: false
            }),
        );
        Ok(())
    })();
    let _ = db.unlock();
    if result.is_ok() && v >= 0 {
        let dir = args
            .source
            .as_deref()
            .and_then(|s| crate::session::source_dir(s).ok())
            .or_else(|| args.path.clone())
            .or_else(|| cx.default_path.clone());
        if let Some(dir) = dir {
            if let Ok(m) = Migrations::read(&dir) {
                if !m.contains(v as u64) {
                    let _ = writeln!(
                        io.err,
                        "warning: version {v} has no file in {}",
                        dir.display()
                    );
                }
            }
        }
    }
    result
}
