//! `version`: golang-migrate's output, `V` or `V (dirty)`; with no
//! migration applied, golang-migrate's `error: no migration` (exit 1).

use crate::args::MigrateArgs;
use crate::db::NIL_VERSION;
use crate::io::Io;
use crate::session::{connect, database_url, db_error, failed, Stop};

pub(super) fn version(args: &MigrateArgs, io: &mut Io<'_>) -> Result<(), Stop> {
    let url = database_url(args, io)?;
    let mut db = connect(&url)?;
    let v = db.version().map_err(db_error)?;
    match (v.version, v.dirty) {
        (NIL_VERSION, false) => return Err(failed("no migration")),
        (ver, false) => {
            let _ = writeln!(io.out, "{ver}");
        }
        (ver, true) => {
            let _ = writeln!(io.out, "{ver} (dirty)");
        }
    }
    Ok(())
}
