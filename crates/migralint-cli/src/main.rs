//! `migralint`: lint PostgreSQL migrations (`check`), list and explain the
//! rules, and apply migrations (`migrate`).

mod args;
mod collect;
mod load_config;
mod pretty;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use migralint_core::{lint, render, rules, LintOptions};

use args::{Cli, Command, Format, RulesFormat};

/// mimalloc: the linter allocates and frees many small parse-tree nodes on
/// two threads (one parses, one replays and frees); glibc's allocator made
/// the benchmark ~1.6x slower (`bench/run.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A failure of the tool itself (exit code 2), phrased for the user.
pub struct Failure(pub String);

fn main() -> ExitCode {
    // golang-migrate's command line (`migralint migrate -path DIR -database
    // URL up`, Go's `-flag` spelling) is rewritten into clap's first.
    let cli = Cli::parse_from(migralint_migrate::goflags::rewrite_cli(std::env::args_os()));
    match run(cli) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("migralint: error: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Check(args) => check(cli.config.as_deref(), args),
        Command::Rules { format } => {
            print_rules(format);
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => explain(&rule),
        Command::Migrate(args) => {
            let loaded = load_config::load(cli.config.as_deref())?;
            let cx = migralint_migrate::MigrateContext {
                config: loaded.config,
                default_path: loaded.migrations_dir,
            };
            Ok(migralint_migrate::run(args, &cx))
        }
    }
}

fn check(
    config_path: Option<&std::path::Path>,
    args: args::CheckArgs,
) -> Result<ExitCode, Failure> {
    let loaded = load_config::load(config_path)?;
    let mut config = loaded.config;
    let bad = |e: migralint_core::config::ConfigError| Failure(e.0);
    if let Some(v) = args.pg_version {
        config.set_pg_version(v).map_err(bad)?;
    }
    if !args.select.is_empty() {
        config.select(&args.select).map_err(bad)?;
    }
    if !args.ignore.is_empty() {
        config.ignore(&args.ignore).map_err(bad)?;
    }
    let input = collect::collect(
        &args.paths,
        loaded.migrations_dir.as_deref(),
        args.stdin_filename.as_deref(),
    )?;
    let files = collect::read_all(&input.files)?;
    let report = lint(
        &files,
        &LintOptions {
            config,
            report_only: input.report_only,
        },
    );

    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let format = args.format.unwrap_or(if terminal {
        Format::Pretty
    } else {
        Format::Compact
    });
    let text = match format {
        Format::Pretty => pretty::render(
            &report,
            &files,
            terminal && std::env::var_os("NO_COLOR").is_none(),
        ),
        Format::Compact => {
            eprint!("{}", pretty::summary_line(&report));
            render::compact(&report)
        }
        Format::Json => render::json(&report),
        Format::Sarif => render::sarif(&report),
        Format::Github => render::github(&report),
    };
    let mut out = stdout.lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    let failed = report.errors() > 0 || (args.deny_warnings && report.warnings() > 0);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_rules(format: RulesFormat) {
    match format {
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = rules::REGISTRY
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name,
                        "category": r.category.as_str(),
                        "severity": r.default_severity.as_str(),
                        "enabled": r.default_enabled,
                        "summary": r.summary,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("serializes")
            );
        }
        RulesFormat::Markdown => print!("{}", rules_markdown()),
        RulesFormat::Text => {
            let width = rules::REGISTRY
                .iter()
                .map(|r| r.name.len())
                .max()
                .unwrap_or(0);
            println!(
                "{:width$}  {:13}  {:8}  SUMMARY",
                "RULE", "CATEGORY", "SEVERITY"
            );
            for r in rules::REGISTRY {
                let severity = if r.default_enabled {
                    r.default_severity.as_str()
                } else {
                    "off"
                };
                println!(
                    "{:width$}  {:13}  {:8}  {}",
                    r.name,
                    r.category.as_str(),
                    severity,
                    r.summary
                );
            }
            println!(
                "\n{} rules. `migralint explain <rule>` prints a rule's page.",
                rules::REGISTRY.len()
            );
        }
    }
}

/// The rule table in the README (a test keeps the two equal).
pub fn rules_markdown() -> String {
    let mut out =
        String::from("| rule | category | default | what it catches |\n|---|---|---|---|\n");
    for r in rules::REGISTRY {
        let severity = if r.default_enabled {
            r.default_severity.as_str()
        } else {
            "off"
        };
        out.push_str(&format!(
            "| [`{}`](rules/{}.md) | {} | {} | {} |\n",
            r.name,
            r.name,
            r.category.as_str(),
            severity,
            r.summary.replace('|', "\\|")
        ));
    }
    out
}

fn explain(name: &str) -> Result<ExitCode, Failure> {
    match rules::find(name) {
        Some(rule) => {
            print!("{}", rule.doc);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let hint = rules::closest(name)
                .map(|r| format!("; did you mean `{}`?", r.name))
                .unwrap_or_default();
            Err(Failure(format!(
                "unknown rule `{name}`{hint} (`migralint rules` lists them)"
            )))
        }
    }
}
