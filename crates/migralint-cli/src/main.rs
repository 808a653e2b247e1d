//! `migralint`: lint PostgreSQL migrations (`check`), list and explain the
//! rules, and apply migrations (`migrate`).

mod args;
mod collect;
mod fixing;
mod load_config;
mod lsp;
mod pretty;
mod write;

use std::io::{ErrorKind, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;
use migralint_core::fix::{fix_until_stable, FixOptions};
use migralint_core::render::catalog;
use migralint_core::{lint, render, LintOptions};

use args::{Cli, Command, Format, RulesFormat};

/// mimalloc: the linter allocates and frees many small parse-tree nodes on
/// two threads (one parses, one replays and frees); glibc's allocator made
/// the benchmark ~1.6x slower (`bench/run.sh`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// On a small input (a typical migrations directory), freed pages go back
/// to the system at once instead of after mimalloc's 10 ms delay: the lint
/// frees each file's parse trees as it goes, and the delay kept ~2 MB (a
/// tenth of the peak) resident for ~10% more CPU time. On megabytes of SQL
/// the immediate purge costs half again the CPU time, for a peak that is
/// trees anyway: the default stays (bench/vs-squawk.sh).
fn tune_allocator(input_bytes: usize) {
    if input_bytes < SMALL_INPUT {
        // SAFETY: stores one option value; mimalloc reads it when it purges.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}

/// Below this much SQL, `tune_allocator` trades a little time for memory.
const SMALL_INPUT: usize = 2 << 20;

/// A failure of the tool itself (exit code 2), phrased for the user.
pub struct Failure(pub String);

/// mimalloc's `mi_option_purge_delay` (`c_src/mimalloc/v3/include/mimalloc.h`
/// of libmimalloc-sys 0.1.49: the 16th option; the crate exports no name
/// for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // golang-migrate's command line (`migralint migrate -path DIR -database
    // URL up`, Go's `-flag` spelling) is rewritten into clap's first.
    let args = migralint_migrate::goflags::rewrite_cli(std::env::args_os());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    // Parse trees as deep as libpg_query returns need a big stack to
    // decode, walk and drop (`LINT_STACK_SIZE`): the lint's worker threads
    // get that stack, and the command runs on one of them (called from
    // outside the pool, `rayon::scope` runs its closure on a worker and
    // waits; a panic comes back here): no thread of its own, whose
    // allocator heap and stack would only add to the peak memory.
    let stack = migralint_core::parse::LINT_STACK_SIZE;
    let result = match rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("migralint-{i}"))
        .stack_size(stack)
        .build_global()
    {
        Ok(()) => rayon::scope(move |_| run(cli)),
        Err(e) => Err(Failure(format!("cannot start the worker threads: {e}"))),
    };
    match result {
        Ok(code) => code,
        Err(Failure(msg)) => {
            // The message may quote a file name: no raw control characters.
            let msg = render::escape_controls(&msg);
            write_stderr(&format!("migralint: error: {msg}\n"));
            ExitCode::from(2)
        }
    }
}

/// What `Cli::parse` does with a usage error, `--help` or `--version`,
/// except that help which cannot be written is an error (exit 2), not a
/// silent success.
fn clap_exit(e: clap::Error) -> ExitCode {
    match e.print() {
        Err(io) if !e.use_stderr() && io.kind() != ErrorKind::BrokenPipe => {
            write_stderr(&format!(
                "migralint: error: cannot write to standard output: {io}\n"
            ));
            ExitCode::from(2)
        }
        _ => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
    }
}

/// Writes to standard output. A reader that went away (a broken pipe, as
/// in `migralint rules | head -1`) ends the output quietly, as it does for
/// other Unix tools; any other failure (a full disk) is an error: a
/// report that was not written must not look like a clean run.
fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(format!("cannot write to standard output: {e}"))),
    }
}

/// Writes to standard error; a failure there cannot be reported anywhere,
/// so it is ignored (never a panic, as `eprint!` would).
fn write_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Check(args) => check(cli.config.as_deref(), args),
        Command::Rules { format } => {
            write_stdout(&rules_text(format))?;
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
    tune_allocator(files.iter().map(|f| f.text.len()).sum());
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
                write_stderr(&hint);
            }
        }
        let text = render_report(&report, &files, format, terminal, true);
        write_stdout(&text).map_err(not_written)?;
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
        write_stderr(&fixing::summary(&fixed, false, args.unsafe_fixes));
        write_stdout(&diff)
            .map_err(|Failure(e)| Failure(format!("{e} (the diff was not written)")))?;
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
    write_stderr(&fixing::summary(&fixed, true, args.unsafe_fixes));
    for f in &failures {
        write_stderr(&format!(
            "migralint: error: {}\n",
            render::escape_controls(f)
        ));
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
            write_stdout(fixed_stdin)
                .map_err(|Failure(e)| Failure(format!("{e} (the fixed text was not written)")))?;
            write_stderr(&text);
        }
        None => write_stdout(&text).map_err(not_written)?,
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
                write_stderr(&summary);
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

/// A report that could not be written: the run failed (exit 2).
fn not_written(Failure(e): Failure) -> Failure {
    Failure(format!("{e} (the report was not written)"))
}

fn rules_text(format: RulesFormat) -> String {
    match format {
        RulesFormat::Json => catalog::rules_json(),
        RulesFormat::Markdown => catalog::rules_markdown(),
        RulesFormat::Text => catalog::rules_text(),
    }
}

fn explain(name: &str) -> Result<ExitCode, Failure> {
    let page = catalog::explain(name)
        .map_err(|e| Failure(format!("{e} (`migralint rules` lists them)")))?;
    write_stdout(page)?;
    Ok(ExitCode::SUCCESS)
}
