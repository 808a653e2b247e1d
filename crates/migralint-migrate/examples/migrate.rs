//! A stand-alone driver for `migralint migrate` with the default
//! configuration, for trying the crate before the CLI wires it in:
//! `cargo run -p migralint-migrate --example migrate -- --path DIR --database URL up`.

use clap::Parser;
use migralint_migrate::{MigrateArgs, MigrateContext};

#[derive(Parser)]
#[command(name = "migrate")]
struct Cli {
    #[command(flatten)]
    args: MigrateArgs,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    migralint_migrate::run(cli.args, &MigrateContext::default())
}
