//! A stand-alone driver for `migralint migrate` with the default
//! configuration, for trying the crate before the CLI wires it in:
//! `cargo run -p migralint-migrate --example migrate -- -path DIR -database URL up`.

use clap::Parser;
use migralint_migrate::{goflags, MigrateArgs, MigrateContext};

#[derive(Parser)]
#[command(name = "migrate")]
struct Cli {
    #[command(flatten)]
    args: MigrateArgs,
}

fn main() -> std::process::ExitCode {
    let mut argv = std::env::args_os();
    let program = argv.next();
    let cli = Cli::parse_from(program.into_iter().chain(goflags::rewrite(argv)));
    migralint_migrate::run(cli.args, &MigrateContext::default())
}
