'use strict';
// The action: find the migrations, lint them with the wasm build of the
// core, then annotate, summarise, write SARIF and outputs, and choose the
// exit code (0 ok, 1 findings per fail-on, 2 could not run).

const fs = require('node:fs');
const path = require('node:path');
const { ActionError } = require('./errors');
const { readInputs } = require('./inputs');
const { command, plainLine } = require('./commands');
const discover = require('./discover');
const { topLevel, resolveCommit } = require('./git');
const { readEvent, isChangeEvent, changedFiles } = require('./changed');
const { LIMITS, pairCommands, selectAnnotations, describeOmitted, plural } = require('./annotations');
const { renderSummary } = require('./summary');
const { setOutputs, appendSummary } = require('./outputs');
const { linter } = require('./linter');

/**
 * Runs the action. Never throws.
 * @param {object} [o]
 * @param {Record<string, string|undefined>} [o.env]  process.env (INPUT_*, GITHUB_*)
 * @param {(text: string) => void} [o.write]         stdout
 * @param {string} [o.cwd]
 * @returns {number} the exit code
 */
function run({ env = process.env, write = (s) => process.stdout.write(s), cwd = process.cwd() } = {}) {
  const log = (text) => write(`${plainLine(text)}\n`);
  const emit = (line) => write(`${line}\n`);
  try {
    return main({ env, log, emit, cwd });
  } catch (e) {
    if (e instanceof ActionError) {
      emit(command('error', { title: 'migralint' }, e.message));
    } else {
      for (const line of String((e && e.stack) || e).split('\n')) log(line);
      emit(command('error', { title: 'migralint' }, `internal error: ${(e && e.message) || e}`));
    }
    return 2;
  }
}

function readSource(abs, display) {
  try {
    return fs.readFileSync(abs); // raw bytes: invalid UTF-8 is reported like the CLI does
  } catch (e) {
    throw new ActionError(`cannot read ${display}: ${e.message}`);
  }
}

/** Where the summary links a file line to, or null. */
function repoLinks(env, event, root) {
  if (!env.GITHUB_REPOSITORY || !root) return null;
  const pr = event && event.pull_request;
  const sha = (pr && pr.head && pr.head.sha) || resolveCommit(root, 'HEAD') || env.GITHUB_SHA;
  if (!sha) return null;
  return {
    server: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    repository: env.GITHUB_REPOSITORY,
    sha,
  };
}

function main({ env, log, emit, cwd }) {
  const inputs = readInputs(env);
  const workspace = path.resolve(cwd, env.GITHUB_WORKSPACE || '.');
  if (!fs.existsSync(workspace)) throw new ActionError(`the workspace ${workspace} does not exist`);

  const mlw = linter();
  const version = mlw.version();
  log(`migralint ${version} (WebAssembly build)`);

  // Configuration: migralint.toml read by the core, the pg-version input
  // over it.
  const config = discover.findConfig({ workspace, repoRoot: topLevel(workspace), input: inputs.config });
  const resolved = discover.resolveConfig(config, inputs.pgVersion);
  log(
    `Config: ${config ? config.display : 'no migralint.toml (defaults)'}${inputs.pgVersion !== null ? `; pg-version ${inputs.pgVersion} from the input` : ''}`,
  );

  // The migrations, with paths relative to the repository root (what
  // annotations and SARIF need).
  const found = discover.findMigrationsDir({ workspace, input: inputs.path, config, migrations: resolved.migrations });
  const dir = discover.real(found.dir);
  const root = topLevel(dir);
  const base = root ? discover.real(root) : discover.real(workspace);
  const dirDisplay = discover.relPath(base, dir);
  const files = discover.collectSqlFiles(dir).map((abs) => {
    const p = discover.relPath(base, abs);
    return { path: p, text: readSource(abs, p) };
  });
  log(`Migrations: ${dirDisplay} (${plural(files.length, 'SQL file')}; ${found.how})`);
  if (files.length === 0) {
    emit(command('warning', { title: 'migralint' }, `no .sql files in ${dirDisplay}: nothing to lint`));
  }

  // Which files to report on.
  const eventName = env.GITHUB_EVENT_NAME || '';
  const event = readEvent(env);
  const onlyChanged = inputs.onlyChanged === 'auto' ? isChangeEvent(eventName, event) : inputs.onlyChanged;
  let reportOnly = null;
  let scope = { kind: 'all' };
  if (onlyChanged) {
    const ch = changedFiles({ root, eventName, event, log });
    if (ch.paths) {
      reportOnly = files.map((f) => f.path).filter((p) => ch.paths.has(p));
      scope = { kind: 'changed', count: reportOnly.length, base: ch.base, what: ch.what, note: ch.note };
      log(
        `Changed: ${plural(reportOnly.length, 'migration file')} changed against ${ch.what} ${ch.base.slice(0, 12)}; reporting on ${reportOnly.length === 1 ? 'it' : 'those'} only (all files are read as context)`,
      );
      if (ch.note) log(`Note: ${ch.note}`);
    } else {
      scope = { kind: 'all', reason: ch.reason };
      log(`Changed: unknown (${ch.reason}); reporting on all files`);
    }
  }

  // Lint, once: the JSON report and workflow commands of the reported
  // files, and SARIF of every file.
  const outputs = [
    { format: 'json', reportOnly },
    { format: 'github', reportOnly },
  ];
  if (inputs.sarifFile) outputs.push({ format: 'sarif', reportOnly: null });
  const [json, github, sarifText] = mlw.lintFormats(files, resolved.config, outputs);
  const report = JSON.parse(json);
  const paired = pairCommands(report.diagnostics, github);
  const sarif = inputs.sarifFile ? sarifText : null;
  const { errors, warnings } = report.summary;

  // Annotations, within GitHub's per-step limits.
  const sel = selectAnnotations(paired, LIMITS);
  for (const p of sel.emit) emit(p.command);
  const omittedText = describeOmitted(sel.omittedCounts);
  if (omittedText) {
    const verb = sel.omitted.length === 1 ? 'is' : 'are';
    emit(
      command(
        'notice',
        { title: 'migralint' },
        `${omittedText} ${verb} not annotated: GitHub shows at most ${LIMITS.error} error and ${LIMITS.warning} warning annotations per step. The job summary lists every finding.`,
      ),
    );
    log(`Not annotated (GitHub's limit of ${LIMITS.error} errors and ${LIMITS.warning} warnings per step): ${omittedText}:`);
    for (const { diagnostic: d } of sel.omitted) {
      log(`  ${d.severity}: ${d.file}:${d.line}:${d.column}: [${d.rule}] ${d.message}${d.help ? ` (help: ${d.help})` : ''}`);
    }
  }

  // SARIF: every finding of the directory (code scanning compares whole
  // analyses and itself shows a pull request the alerts on its changed lines).
  if (sarif !== null) {
    const out = path.resolve(workspace, inputs.sarifFile);
    try {
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, sarif, 'utf8');
    } catch (e) {
      throw new ActionError(`cannot write the SARIF file ${inputs.sarifFile}: ${e.message}`);
    }
    const results = JSON.parse(sarif).runs[0].results.length;
    log(`SARIF: ${inputs.sarifFile} (${plural(results, 'result')}, every file of ${dirDisplay})`);
  }

  const failed =
    inputs.failOn === 'error' ? errors > 0 : inputs.failOn === 'warning' ? errors + warnings > 0 : false;

  const markdown = renderSummary({
    report,
    version,
    dir: dirDisplay,
    scope,
    omitted: sel.omittedCounts,
    limits: LIMITS,
    failOn: inputs.failOn,
    failed,
    sarifFile: inputs.sarifFile,
    links: repoLinks(env, event, root),
  });
  if (!appendSummary(env, markdown)) log('GITHUB_STEP_SUMMARY is not set: no job summary written');
  setOutputs(env, { errors, warnings, 'sarif-file': inputs.sarifFile });

  const reportedOn = reportOnly ? `${plural(reportOnly.length, 'changed file')} of ${files.length}` : plural(files.length, 'file');
  log(`Result: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${reportedOn}`);
  if (failed) {
    log(
      `Failing the step: fail-on is ${inputs.failOn} and ${inputs.failOn === 'error' ? plural(errors, 'error was', 'errors were') : `${plural(errors + warnings, 'finding')} ${errors + warnings === 1 ? 'was' : 'were'}`} found`,
    );
  }
  return failed ? 1 : 0;
}

module.exports = { run };
