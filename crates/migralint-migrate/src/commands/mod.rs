//! The commands of `migralint migrate`, one module each (or a small group),
//! over the shared session plumbing ([`crate::session`]) and the runner
//! ([`crate::apply`]).

use crate::args::{MigrateArgs, MigrateCommand};
use crate::io::{Io, MigrateContext, EXIT_OK};

pub mod create;
mod drop;
mod force;
pub mod gotime;
pub mod status;
mod steps;
mod version;

pub fn dispatch(args: MigrateArgs, cx: &MigrateContext, io: &mut Io<'_>) -> u8 {
    let result = match &args.command {
        MigrateCommand::Up { n, gate } => steps::up(&args, cx, io, *n, gate),
        MigrateCommand::Down {
            n,
            all,
            yes,
            dry_run,
            allow_missing_down,
        } => steps::down(
            &args,
            cx,
            io,
            steps::DownArgs {
                n: *n,
                all: *all,
                yes: *yes,
                dry_run: *dry_run,
                allow_missing_down: *allow_missing_down,
            },
        ),
        MigrateCommand::Goto { version, gate } => steps::goto(&args, cx, io, *version, gate),
        MigrateCommand::Force { version } => force::force(&args, cx, io, *version),
        MigrateCommand::Version => version::version(&args, io),
        MigrateCommand::Status => status::status(&args, cx, io),
        MigrateCommand::Drop { yes } => drop::drop_all(&args, io, *yes),
        MigrateCommand::Create {
            name,
            timestamp,
            seq,
            ext,
            digits,
            dir,
            format,
            tz,
        } => {
            let style = if *seq {
                create::Style::Seq {
                    digits: digits.map(usize::from),
                }
            } else if *timestamp || format.is_some() || tz.is_some() {
                create::Style::Timestamp {
                    layout: format
                        .clone()
                        .unwrap_or_else(|| create::DEFAULT_LAYOUT.to_string()),
                    tz: tz.clone().unwrap_or_else(|| "UTC".to_string()),
                }
            } else {
                create::Style::Directory {
                    digits: digits.map_or(6, usize::from),
                }
            };
            create::create(&args, cx, io, name, &style, ext, dir.as_deref())
        }
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(stop) => {
            if !stop.message.is_empty() {
                let _ = writeln!(io.err, "error: {}", stop.message);
            }
            stop.code
        }
    }
}
