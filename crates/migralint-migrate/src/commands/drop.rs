//! `drop`: every table of the current schema, after asking (on standard
//! input, as golang-migrate does) unless `-f` / `-y`.

use crate::args::MigrateArgs;
use crate::io::Io;
use crate::session::{connect, database_url, db_error, failed, lock, Stop};

pub(super) fn drop_all(args: &MigrateArgs, io: &mut Io<'_>, yes: bool) -> Result<(), Stop> {
    let url = database_url(args, io)?;
    if !yes {
        let q = format!(
            "Are you sure you want to drop the entire database schema? ({})",
            url.target()
        );
        if !(io.confirm)(&q) {
            return Err(failed("Aborted dropping the entire database schema"));
        }
        let _ = writeln!(io.err, "Dropping the entire database schema");
    }
    let mut db = connect(&url)?;
    lock(&mut db, args)?;
    let result = db.drop_all();
    let _ = db.unlock();
    let dropped = result.map_err(db_error)?;
    let _ = writeln!(
        io.out,
        "dropped {} table(s) in schema {}{}{}",
        dropped.len(),
        db.schema,
        if dropped.is_empty() { "" } else { ": " },
        dropped.join(", ")
    );
    Ok(())
}
