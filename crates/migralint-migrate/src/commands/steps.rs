//! `up`, `down` and `goto`: what each asks, then the runner.

use crate::apply::{run_steps, Request};
use crate::args::{GateArgs, MigrateArgs};
use crate::io::{Io, MigrateContext};
use crate::session::{failed, Stop};

pub(super) fn up(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    n: Option<u64>,
    gate: &GateArgs,
) -> Result<(), Stop> {
    run_steps(args, cx, io, Request::Up(n), gate)
}

pub(super) fn goto(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    version: u64,
    gate: &GateArgs,
) -> Result<(), Stop> {
    run_steps(args, cx, io, Request::Goto(version), gate)
}

pub(super) struct DownArgs {
    pub n: Option<u64>,
    pub all: bool,
    pub yes: bool,
    pub dry_run: bool,
    pub allow_missing_down: bool,
}

/// `down N`; `down --all` (no question, golang-migrate's `-all`); `down`
/// alone asks first, on standard input, as golang-migrate does.
pub(super) fn down(
    args: &MigrateArgs,
    cx: &MigrateContext,
    io: &mut Io<'_>,
    d: DownArgs,
) -> Result<(), Stop> {
    if d.n.is_none() && !d.all && !d.yes && !d.dry_run {
        if !(io.confirm)("Are you sure you want to apply all down migrations?") {
            return Err(failed("Not applying all down migrations"));
        }
        let _ = writeln!(io.err, "Applying all down migrations");
    }
    let gate = GateArgs {
        no_lint: true,
        allow: Vec::new(),
        dry_run: d.dry_run,
        allow_missing_down: d.allow_missing_down,
    };
    run_steps(args, cx, io, Request::Down(d.n), &gate)
}
