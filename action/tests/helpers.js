'use strict';
// Test helpers: fixture repositories built with git, a simulated GitHub
// Actions environment, and a parser for workflow commands that reads them
// the way the runner does.

const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ACTION_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(ACTION_DIR, '..');
/** The entry point under test: the committed bundle (what GitHub runs). */
const ENTRY = process.env.MIGRALINT_ACTION_ENTRY
  ? path.resolve(process.env.MIGRALINT_ACTION_ENTRY)
  : path.join(ACTION_DIR, 'dist', 'index.js');
const PKG_NODE = path.join(REPO_ROOT, 'crates', 'migralint-wasm', 'pkg', 'node', 'migralint_wasm.js');

let wasmModule = null;
/** The wasm build's own API, for expected values (same core as the bundle). */
function wasm() {
  if (!wasmModule) {
    if (!fs.existsSync(PKG_NODE)) {
      throw new Error(`${PKG_NODE} is missing: run scripts/build-wasm.sh --node-only (or action/build.sh) first`);
    }
    wasmModule = require(PKG_NODE);
  }
  return wasmModule;
}

const GIT_ENV = {
  GIT_CONFIG_GLOBAL: os.devNull,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
  GIT_TERMINAL_PROMPT: '0',
};

function git(cwd, ...args) {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

const tmpRoots = [];
function tmpdir(label = 'x') {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `migralint-action-${label}-`));
  tmpRoots.push(d);
  return d;
}
process.on('exit', () => {
  if (process.env.MIGRALINT_KEEP_FIXTURES) return;
  for (const d of tmpRoots) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes `{relPath: content}` (null deletes) under dir. */
function writeFiles(dir, files) {
  for (const [rel, content] of Object.entries(files || {})) {
    const p = path.join(dir, ...rel.split('/'));
    if (content === null) {
      fs.rmSync(p, { force: true });
    } else {
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
    }
  }
}

/**
 * An "origin" repository: `base` committed on main; `head` committed on
 * branch feature (the pull request); `mainAfter` committed on main after
 * the branch point (the base moved on). Like GitHub, refs/pull/1/merge is
 * the merge of the pull request into the base tip.
 */
function makeRepo({ base, head = {}, mainAfter = null }) {
  const origin = tmpdir('origin');
  git(origin, 'init', '-q', '-b', 'main');
  writeFiles(origin, base);
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'base');
  const branchPoint = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', '-b', 'feature');
  writeFiles(origin, head);
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '--allow-empty', '-m', 'pull request');
  const headSha = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', 'main');
  if (mainAfter) {
    writeFiles(origin, mainAfter);
    git(origin, 'add', '-A');
    git(origin, 'commit', '-q', '-m', 'main moves on');
  }
  const baseSha = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', '--detach', 'main');
  git(origin, 'merge', '-q', '--no-ff', '--no-edit', 'feature');
  const mergeSha = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'update-ref', 'refs/pull/1/merge', mergeSha);
  git(origin, 'update-ref', 'refs/pull/1/head', headSha);
  git(origin, 'checkout', '-q', 'main');
  return { origin, branchPoint, baseSha, headSha, mergeSha };
}

/** A full clone of the origin with `rev` checked out (detached). */
function cloneFull(repo, rev) {
  const ws = tmpdir('ws');
  git(ws, 'clone', '-q', repo.origin, '.');
  git(ws, 'checkout', '-q', '--detach', rev);
  return ws;
}

/** What actions/checkout does on a pull request: one commit, the merge ref. */
function cloneShallowMerge(repo) {
  const ws = tmpdir('shallow');
  git(ws, 'init', '-q');
  git(ws, 'remote', 'add', 'origin', `file://${repo.origin}`);
  git(ws, 'fetch', '-q', '--no-tags', '--depth=1', 'origin', '+refs/pull/1/merge:refs/remotes/pull/1/merge');
  git(ws, 'checkout', '-q', '--detach', 'refs/remotes/pull/1/merge');
  return ws;
}

/** A pull_request event payload for the repository. */
function prEvent(repo) {
  return {
    action: 'synchronize',
    number: 1,
    pull_request: {
      number: 1,
      base: { ref: 'main', sha: repo.baseSha },
      head: { ref: 'feature', sha: repo.headSha },
    },
  };
}

/**
 * The inputs, outputs and runs of action.yml, read with a small line parser
 * (action.yml is ours and keeps to one simple layout).
 */
function actionYml() {
  const text = fs.readFileSync(path.join(ACTION_DIR, 'action.yml'), 'utf8');
  const out = { inputs: {}, outputs: [], runs: {} };
  let section = null;
  let current = null;
  for (const line of text.split('\n')) {
    let m;
    if ((m = /^([a-z]+):/.exec(line))) {
      section = m[1];
      current = null;
    } else if ((m = /^  ([a-z-]+):\s*(.*)$/.exec(line))) {
      if (section === 'inputs') out.inputs[(current = m[1])] = { default: undefined };
      else if (section === 'outputs') out.outputs.push(m[1]);
      else if (section === 'runs') out.runs[m[1]] = m[2];
    } else if ((m = /^    default:\s*(.*)$/.exec(line)) && section === 'inputs' && current) {
      out.inputs[current].default = m[1] === "''" ? '' : m[1];
    }
  }
  return out;
}

/**
 * Runs the entry point in a simulated GitHub Actions step. Like the runner,
 * every input of action.yml is set, to its default unless given.
 * @returns {{code, stdout, stderr, summary, outputs, commands, sarif, tmp}}
 */
function runAction({ workspace, eventName = 'pull_request', event = {}, inputs = {}, env = {}, cwd }) {
  const tmp = tmpdir('run');
  const eventPath = path.join(tmp, 'event.json');
  fs.writeFileSync(eventPath, JSON.stringify(event));
  const summaryPath = path.join(tmp, 'step_summary.md');
  const outputPath = path.join(tmp, 'output.txt');
  fs.writeFileSync(summaryPath, '');
  fs.writeFileSync(outputPath, '');
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME || tmp,
    ...GIT_ENV,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.com',
  };
  const all = {};
  for (const [name, spec] of Object.entries(actionYml().inputs)) all[name] = spec.default ?? '';
  Object.assign(all, inputs);
  for (const [k, v] of Object.entries(all)) childEnv[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  Object.assign(childEnv, env);
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, [ENTRY], {
    cwd: cwd || workspace,
    env: childEnv,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  const outputsText = fs.readFileSync(outputPath, 'utf8');
  const sarifInput = inputs['sarif-file'];
  const sarifPath = sarifInput ? path.resolve(workspace, sarifInput) : null;
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    summary: fs.readFileSync(summaryPath, 'utf8'),
    outputsText,
    outputs: parseOutputs(outputsText),
    commands: parseCommands(r.stdout),
    sarif: sarifPath && fs.existsSync(sarifPath) ? JSON.parse(fs.readFileSync(sarifPath, 'utf8')) : null,
    tmp,
  };
}

/** Parses a GITHUB_OUTPUT file (`name=value` and `name<<DELIM` forms). */
function parseOutputs(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]);
      assert.ok(i < lines.length, `output ${name}: delimiter ${delim} never closes`);
      out[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

// The runner's unescaping (actions/runner ActionCommand.cs).
function unescapeData(s) {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}
function unescapeProperty(s) {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

/**
 * Every stdout line the runner would take for a command: after leading
 * whitespace, `::name props::message` or the legacy `##[name props]message`.
 */
function parseCommands(stdout) {
  const cmds = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const t = line.trimStart();
    if (t.startsWith('::')) {
      const end = t.indexOf('::', 2);
      if (end < 0) continue;
      const head = t.slice(2, end);
      const sp = head.indexOf(' ');
      const name = sp < 0 ? head : head.slice(0, sp);
      const props = {};
      if (sp >= 0) {
        for (const kv of head.slice(sp + 1).split(',')) {
          const eq = kv.indexOf('=');
          if (eq > 0) props[kv.slice(0, eq)] = unescapeProperty(kv.slice(eq + 1));
        }
      }
      cmds.push({ name, props, message: unescapeData(t.slice(end + 2)), raw: line });
    } else if (t.startsWith('##[')) {
      cmds.push({ name: `legacy:${t.slice(3, t.indexOf(']'))}`, props: {}, message: t, raw: line });
    }
  }
  return cmds;
}

/** The .sql files of a directory of the workspace, as the linter is given them. */
function dirFiles(workspace, dirRel) {
  const abs = path.join(workspace, ...dirRel.split('/'));
  return fs
    .readdirSync(abs)
    .filter((n) => n.toLowerCase().endsWith('.sql'))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((n) => ({ path: `${dirRel}/${n}`, text: fs.readFileSync(path.join(abs, n)) }));
}

/** The expected report, github commands and SARIF, straight from the wasm API. */
function expected(files, { config = null, reportOnly = null } = {}) {
  const m = wasm();
  const report = JSON.parse(m.lint(files, config, reportOnly));
  const github = m.lintFormat(files, config, reportOnly, 'github').split('\n').filter(Boolean);
  assert.equal(github.length, report.diagnostics.length);
  return {
    report,
    github,
    sarif: JSON.parse(m.lintFormat(files, config, null, 'sarif')),
    pairs: report.diagnostics.map((d, i) => ({ d, line: github[i] })),
  };
}

/** Annotation lines in emit order: errors first, then warnings, each up to `limit`. */
function expectedAnnotations(exp, limit = 10) {
  const pick = (sev) => exp.pairs.filter((p) => p.d.severity === sev).slice(0, limit).map((p) => p.line);
  return [...pick('error'), ...pick('warning')];
}

function annotationLines(result) {
  return result.commands.filter((c) => c.name === 'error' || c.name === 'warning').map((c) => c.raw);
}

module.exports = {
  ACTION_DIR,
  REPO_ROOT,
  ENTRY,
  actionYml,
  wasm,
  git,
  tmpdir,
  writeFiles,
  makeRepo,
  cloneFull,
  cloneShallowMerge,
  prEvent,
  runAction,
  parseOutputs,
  parseCommands,
  unescapeData,
  unescapeProperty,
  dirFiles,
  expected,
  expectedAnnotations,
  annotationLines,
};
