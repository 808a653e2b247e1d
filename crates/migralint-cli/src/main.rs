//! `migralint`: lint PostgreSQL migrations (`check`), list and explain the
//! rules, and apply migrations (`migrate`).

mod args;
mod collect;
mod fixing;
mod load_config;
mod lsp;
mod pretty;
mod write;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use migralint_core::fix::{fix_until_stable, FixOptions};
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
    let cli = Cli::parse();
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
        Command::Lsp => lsp::run(cli.config.as_deref()),
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
    let options = LintOptions {
        config,
        report_only: input.report_only.clone(),
    };
    let fixing = args.fix || args.diff;
    if args.unsafe_fixes && !fixing {
        return Err(Failure(
            "--unsafe-fixes only selects fixes: use it with --fix or --diff".into(),
        ));
    }
    let stdin_path = input
        .files
        .iter()
        .find(|(_, o)| matches!(o, collect::Origin::Stdin(_)))
        .map(|(d, _)| d.clone());

    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let format = args.format.unwrap_or(if terminal {
        Format::Pretty
    } else {
        Format::Compact
    });
    let human = matches!(format, Format::Pretty | Format::Compact);

    if !fixing {
        let report = lint(&files, &options);
        if human {
            if let Some(hint) = fixing::hint(&report) {
                eprint!("{hint}");
            }
        }
        let text = render_report(&report, &files, format, terminal, true);
        let mut out = stdout.lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        return Ok(exit_code(&report, args.deny_warnings));
    }

    let fix_options = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
    };
    let fixed = fix_until_stable(&files, &options, &fix_options);
    let report = &fixed.report;
    if args.diff {
        // Nothing is written: the diff on stdout, what it fixes on stderr.
        let diff = fixing::unified_diff(&files, &fixed.result.files);
        eprint!("{}", fixing::summary(&fixed, false, args.unsafe_fixes));
        let mut out = stdout.lock();
        let _ = out.write_all(diff.as_bytes());
        let _ = out.flush();
        return Ok(if diff.is_empty() {
            exit_code(report, args.deny_warnings)
        } else {
            ExitCode::from(1)
        });
    }

    // A created file beside standard input has no directory to go to.
    let changes: Vec<_> = fixed
        .result
        .files
        .iter()
        .filter(|f| !(f.created && stdin_path.is_some() && is_beside_stdin(&f.path, &input.files)))
        .cloned()
        .collect();
    let failures = fixing::write_changes(&changes, &files, &input.files);
    eprint!("{}", fixing::summary(&fixed, true, args.unsafe_fixes));
    for f in &failures {
        eprintln!("migralint: error: {f}");
    }
    let text = render_report(report, &fixed.files, format, terminal, stdin_path.is_none());
    match &stdin_path {
        // Like other fixers: the fixed standard input on stdout, the
        // report of what remains on stderr.
        Some(path) => {
            let fixed_stdin = fixed
                .files
                .iter()
                .find(|f| f.path == *path)
                .map(|f| f.text.as_str())
                .unwrap_or_default();
            let mut out = stdout.lock();
            let _ = out.write_all(fixed_stdin.as_bytes());
            let _ = out.flush();
            eprint!("{text}");
        }
        None => {
            let mut out = stdout.lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
    if !failures.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(exit_code(report, args.deny_warnings))
}

/// A path in the directory of standard input's file name (a file a fix
/// would create beside it).
fn is_beside_stdin(path: &str, files: &[(String, collect::Origin)]) -> bool {
    use migralint_core::migration::file_name;
    files.iter().any(|(d, o)| {
        matches!(o, collect::Origin::Stdin(_))
            && path[..path.len() - file_name(path).len()] == d[..d.len() - file_name(d).len()]
    })
}

fn exit_code(report: &migralint_core::Report, deny_warnings: bool) -> ExitCode {
    let failed = report.errors() > 0 || (deny_warnings && report.warnings() > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The report in `format`. The compact format's summary line goes to
/// stderr (when `summary_to_stderr`, else it is appended).
fn render_report(
    report: &migralint_core::Report,
    files: &[migralint_core::SourceFile],
    format: Format,
    terminal: bool,
    summary_to_stderr: bool,
) -> String {
    match format {
        Format::Pretty => pretty::render(
            report,
            files,
            terminal && std::env::var_os("NO_COLOR").is_none(),
        ),
        Format::Compact => {
            let summary = pretty::summary_line(report);
            if summary_to_stderr {
                eprint!("{summary}");
                render::compact(report)
            } else {
                render::compact(report) + &summary
            }
        }
        Format::Json => render::json(report),
        Format::Sarif => render::sarif(report),
        Format::Github => render::github(report),
    }
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
