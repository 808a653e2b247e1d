'use strict';
// The action (wasm) and the native CLI agree on the same checkout: the
// SARIF file byte for byte, the annotations line for line. Needs the CLI:
// MIGRALINT_BIN, else target/release/migralint, else target/debug/migralint
// (scripts/ci/30-wasm.sh builds the release one); skipped without it.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');
const { DIR, BASE, HEAD, CHANGED } = require('./fixtures');

function findCli() {
  const candidates = [
    process.env.MIGRALINT_BIN,
    path.join(h.REPO_ROOT, 'target', 'release', 'migralint'),
    path.join(h.REPO_ROOT, 'target', 'debug', 'migralint'),
  ].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p)) || null;
}

const cli = findCli();
const skip = cli ? false : 'no migralint binary (set MIGRALINT_BIN or cargo build --release -p migralint-cli)';

function runCli(cwd, args) {
  const r = spawnSync(cli, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, `${cli} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

test('the SARIF file and the annotations equal the native CLI output', { skip }, () => {
  const repo = h.makeRepo({ base: BASE, head: HEAD });
  const ws = h.cloneFull(repo, repo.mergeSha);
  const r = h.runAction({ workspace: ws, event: h.prEvent(repo), inputs: { 'sarif-file': 'out/m.sarif' } });

  // The whole directory, the way a user runs the CLI from the repository root.
  assert.equal(fs.readFileSync(path.join(ws, 'out', 'm.sarif'), 'utf8'), runCli(ws, ['check', '--format', 'sarif', DIR]));

  // The changed files only: the CLI reports on the files it is given, with
  // their siblings as context (it lists them first, so compare as sets).
  const cliLines = runCli(ws, ['check', '--format', 'github', ...CHANGED]).split('\n').filter(Boolean);
  assert.ok(cliLines.length > 0);
  assert.deepEqual([...h.annotationLines(r)].sort(), [...cliLines].sort());

  // Every file (only-changed: false) against the CLI's JSON counts.
  const all = h.runAction({ workspace: ws, event: h.prEvent(repo), inputs: { 'only-changed': 'false' } });
  const json = JSON.parse(runCli(ws, ['check', '--format', 'json', DIR]));
  assert.deepEqual(
    { errors: all.outputs.errors, warnings: all.outputs.warnings },
    { errors: String(json.summary.errors), warnings: String(json.summary.warnings) },
  );
});

/** The five deep shapes of crates/migralint-cli/tests/bad_input.rs, at the
 *  deepest libpg_query accepts (the wasm build's own tests have them too). */
const cols = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const DEEP = {
  case: `SELECT ${'CASE WHEN x > 0 THEN '.repeat(1999)}1${' ELSE 0 END'.repeat(1999)} FROM t;`,
  subqueries: `SELECT ${'(SELECT '.repeat(1665)}1${')'.repeat(1665)};`,
  concat: `SELECT ${cols(4996, (i) => `c${i}`).join(' || ')} FROM t;`,
  union: `${cols(8735, (i) => `SELECT ${i}`).join(' UNION ALL ')};`,
  tsvector: `CREATE INDEX CONCURRENTLY IF NOT EXISTS docs_search ON docs USING gin (to_tsvector('english', ${cols(2497, (i) => `coalesce(c${i}, '')`).join(" || ' ' || ")}));`,
};

test('SQL nested as deep as libpg_query accepts: linted as the CLI lints it (no trap)', { skip }, () => {
  const base = {};
  Object.entries(DEEP).forEach(([name, sql], i) => {
    const v = String(i + 1).padStart(6, '0');
    base[`db/migrations/${v}_${name}.up.sql`] = `${sql}\n`;
    base[`db/migrations/${v}_${name}.down.sql`] = 'SELECT 1;\n';
  });
  const repo = h.makeRepo({ base });
  const ws = h.cloneFull(repo, repo.baseSha);
  const r = h.runAction({ workspace: ws, eventName: 'push', event: {}, inputs: { 'sarif-file': 'deep.sarif', 'fail-on': 'never' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /internal error|syntax-error/);
  assert.equal(fs.readFileSync(path.join(ws, 'deep.sarif'), 'utf8'), runCli(ws, ['check', '--format', 'sarif', 'db/migrations']));
  assert.deepEqual(h.annotationLines(r), runCli(ws, ['check', '--format', 'github', 'db/migrations']).split('\n').filter(Boolean));
});
