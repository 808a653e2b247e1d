// The entries for front ends that do their own file-system work (the GitHub
// Action) and fix things (the playground): resolveConfig, walkEntries,
// applyFixes; duplicate paths refused; parse trees as deep as libpg_query
// accepts.
//
// Run: scripts/build-wasm.sh && node --test crates/migralint-wasm/tests/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { DEEP_SHAPES, loadNode, pkgDir } from './helpers.mjs';

const mlw = loadNode();

const throwsError = (fn, pattern) =>
  assert.throws(fn, (e) => e instanceof Error && pattern.test(e.message), String(pattern));

test('resolveConfig: the file keys with the overrides, and where the migrations are', () => {
  const text = 'migrations = "db/m"\n"pg-version" = 15\nignore = ["prefer-jsonb"]\n[rules]\nrequire-lock-timeout = "error"\n';
  const r = mlw.resolveConfig(text);
  assert.deepEqual(r, {
    migrations: 'db/m',
    config: { migrations: 'db/m', 'pg-version': 15, ignore: ['prefer-jsonb'], rules: { 'require-lock-timeout': 'error' } },
  });
  const over = mlw.resolveConfig(text, { pgVersion: 10 });
  assert.equal(over.config['pg-version'], 10);
  // The lint calls take the resolved config as they take the text.
  const files = [{ path: 'db/000001_a.up.sql', text: 'CREATE TABLE a (id int, b json);\nALTER TABLE a ADD COLUMN c int;\n' }];
  assert.equal(mlw.lint(files, r.config), mlw.lint(files, text));
  assert.equal(mlw.lint(files, over.config), mlw.lint(files, `pg-version = 10\nignore = ["prefer-jsonb"]\n[rules]\nrequire-lock-timeout = "error"\n`));
  // No file: the defaults, overrides applied.
  assert.deepEqual(mlw.resolveConfig(null), { migrations: null, config: {} });
  assert.deepEqual(mlw.resolveConfig(undefined, { pgVersion: 13 }), { migrations: null, config: { 'pg-version': 13 } });
  assert.deepEqual(mlw.resolveConfig('', { pgVersion: null }), { migrations: null, config: {} });
  // Any TOML spelling of the key (what the Action's regexes could not read).
  assert.equal(mlw.resolveConfig("'migrations' = '''\ndb\\m'''\n").migrations, 'db\\m');
});

test('resolveConfig: errors say which input is wrong', () => {
  const caught = (fn) => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    assert.fail('no error');
  };
  let e = caught(() => mlw.resolveConfig('pg-version = 15\nbogus = 1\n', { pgVersion: 5 }));
  assert.ok(e instanceof Error);
  assert.match(e.message, /^invalid config: .*bogus/s);
  assert.equal(e.option, undefined, 'the text is at fault, checked first');
  e = caught(() => mlw.resolveConfig('pg-version = 15\n', { pgVersion: 8 }));
  assert.match(e.message, /^invalid config: pg-version 8 is not a PostgreSQL major version/);
  assert.equal(e.option, 'pgVersion');
  throwsError(() => mlw.resolveConfig(null, { pgVersion: 'fifteen' }), /overrides\.pgVersion must be a whole number/);
  throwsError(() => mlw.resolveConfig(null, { pgVersion: 14.5 }), /overrides\.pgVersion must be a whole number/);
  throwsError(() => mlw.resolveConfig(null, 'pg-version = 1'), /`overrides` must be an object/);
  // Named where it is written: the line, then the rule.
  throwsError(() => mlw.resolveConfig('ignore = ["no-such-rule"]'), /^invalid config: .*line 1.*unknown rule `no-such-rule`/s);
});

test('walkEntries: the CLI walk\'s entries of one directory, in its order', () => {
  const entries = [
    { name: 'b.SQL', dir: false },
    { name: 'a', dir: true },
    { name: 'a.sql', dir: false },
    { name: 'B.sql', dir: false },
    { name: 'a-b', dir: true },
    { name: '.git', dir: true },
    { name: '.hidden.sql', dir: false },
    { name: '.sql', dir: false },
    { name: 'c.txt', dir: false },
    { name: 'node_modules', dir: true },
    { name: 'target', dir: true },
    { name: 'vendor', dir: true },
    { name: 'é.sql', dir: false },
    { name: 'z.sql', dir: true },
  ];
  assert.deepEqual(mlw.walkEntries(entries), [
    { name: '.hidden.sql', dir: false },
    { name: 'B.sql', dir: false },
    { name: 'a', dir: true },
    { name: 'a-b', dir: true },
    { name: 'a.sql', dir: false },
    { name: 'b.SQL', dir: false },
    { name: 'z.sql', dir: true },
    { name: 'é.sql', dir: false },
  ]);
  assert.deepEqual(mlw.walkEntries([]), []);
  throwsError(() => mlw.walkEntries('x'), /`entries` must be an array/);
  throwsError(() => mlw.walkEntries([{ name: 'a.sql' }]), /entries\[0\]\.dir must be a boolean/);
  throwsError(() => mlw.walkEntries([{ dir: false }]), /entries\[0\]\.name must be a string/);
});

test('two files with one path are refused, naming both', () => {
  const files = [
    { path: 'db/000001_a.up.sql', text: 'SELECT 1;' },
    { path: 'db/000001_a.down.sql', text: 'SELECT 1;' },
    { path: 'db/000001_a.up.sql', text: 'SELECT 2;' },
  ];
  const message =
    /^files\[2\]\.path `db\/000001_a\.up\.sql` is also files\[0\]\.path: each file needs its own path \(diagnostics name files by path\)$/;
  throwsError(() => mlw.lint(files), message);
  throwsError(() => mlw.lintFormat(files, null, null, 'sarif'), message);
  throwsError(() => mlw.lintFormats(files, null, [{ format: 'json' }]), message);
  throwsError(() => mlw.applyFixes(files), message);
  assert.equal(JSON.parse(mlw.lint(files.slice(0, 2))).summary.files, 2);
});

const FIXABLE = [
  { path: 'db/000001_t.up.sql', text: 'CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\n' },
  { path: 'db/000001_t.down.sql', text: 'DROP TABLE IF EXISTS t;\n' },
  { path: 'db/000002_i.up.sql', text: 'CREATE INDEX t_at_idx ON t (at);\n' },
  { path: 'db/000002_i.down.sql', text: 'DROP INDEX CONCURRENTLY IF EXISTS t_at_idx;\n' },
  // A finding without a fix: golang-migrate skips the file, its name is the finding.
  { path: 'db/seed.sql', text: 'SELECT 1;\n' },
];

test('lint results carry the fixes; applyFixes applies them like --fix', () => {
  const report = JSON.parse(mlw.lint(FIXABLE));
  const fixable = report.diagnostics.filter((d) => d.fixes);
  assert.deepEqual(fixable.map((d) => d.rule).sort(), ['prefer-timestamptz', 'require-concurrent-index-creation']);
  for (const d of fixable) {
    assert.equal(d.fixes[0].applicability, 'unsafe');
    assert.ok(d.fixes[0].edits.length > 0);
  }
  // Safe fixes only (the default): both are unsafe, nothing changes.
  const safe = mlw.applyFixes(FIXABLE);
  assert.deepEqual(safe.files, []);
  assert.equal(safe.unselected, 2);
  assert.equal(safe.report, mlw.lint(FIXABLE));
  // With unsafe ones.
  const all = mlw.applyFixes(FIXABLE, null, { unsafe: true });
  assert.deepEqual(all.files, [
    { path: 'db/000001_t.up.sql', text: 'CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);\n', created: false },
    { path: 'db/000002_i.up.sql', text: 'CREATE INDEX CONCURRENTLY t_at_idx ON t (at);\n', created: false },
  ]);
  assert.deepEqual(all.applied.map((a) => [a.rule, a.file, a.applicability]).sort(), [
    ['prefer-timestamptz', 'db/000001_t.up.sql', 'unsafe'],
    ['require-concurrent-index-creation', 'db/000002_i.up.sql', 'unsafe'],
  ]);
  assert.deepEqual(all.skipped, []);
  assert.equal(all.converged, true);
  const after = FIXABLE.map((f) => all.files.find((x) => x.path === f.path) ?? f).map(({ path, text }) => ({ path, text }));
  assert.equal(all.report, mlw.lint(after));
  assert.ok(!JSON.parse(all.report).diagnostics.some((d) => d.fixes));
  // Twice changes nothing.
  assert.deepEqual(mlw.applyFixes(after, null, { unsafe: true }).files, []);
  // The config applies: a rule turned off proposes nothing.
  const off = mlw.applyFixes(FIXABLE, { ignore: ['prefer-timestamptz'] }, { unsafe: true });
  assert.deepEqual(off.files.map((f) => f.path), ['db/000002_i.up.sql']);
});

test('applyFixes of chosen diagnostics (a fix button)', () => {
  const report = JSON.parse(mlw.lint(FIXABLE));
  const k = report.diagnostics.findIndex((d) => d.rule === 'require-concurrent-index-creation');
  const one = mlw.applyFixes(FIXABLE, null, { unsafe: true, diagnostics: [k] });
  assert.deepEqual(one.files, [
    { path: 'db/000002_i.up.sql', text: 'CREATE INDEX CONCURRENTLY t_at_idx ON t (at);\n', created: false },
  ]);
  assert.equal(one.applied.length, 1);
  assert.equal(one.passes, 1);
  // Still there: the other fixable finding.
  assert.ok(JSON.parse(one.report).diagnostics.some((d) => d.rule === 'prefer-timestamptz'));
  // An unsafe fix is not applied unless asked for.
  const notAsked = mlw.applyFixes(FIXABLE, null, { diagnostics: [k] });
  assert.deepEqual(notAsked.files, []);
  assert.equal(notAsked.unselected, 1);
  // A diagnostic without a fix: nothing to do.
  const plain = report.diagnostics.findIndex((d) => !d.fixes);
  assert.deepEqual(mlw.applyFixes(FIXABLE, null, { unsafe: true, diagnostics: [plain] }).files, []);
  throwsError(
    () => mlw.applyFixes(FIXABLE, null, { diagnostics: [report.diagnostics.length] }),
    new RegExp(`^diagnostics\\[0\\]: there is no diagnostic ${report.diagnostics.length} \\(the lint of these files has ${report.diagnostics.length}\\)$`),
  );
  throwsError(() => mlw.applyFixes(FIXABLE, null, { diagnostics: [-1] }), /options\.diagnostics\[0\] must be a diagnostic index/);
  throwsError(() => mlw.applyFixes(FIXABLE, null, { diagnostics: 0 }), /options\.diagnostics must be an array/);
  throwsError(() => mlw.applyFixes(FIXABLE, null, { unsafe: 'yes' }), /options\.unsafe must be a boolean/);
  throwsError(() => mlw.applyFixes(FIXABLE, null, [true]), /`options` must be an object/);
  throwsError(() => mlw.applyFixes(FIXABLE, 'bogus = 1'), /^invalid config: /);
});

test('the five deep shapes of bad_input.rs lint clean at the issue\'s depths (the module keeps working)', () => {
  for (const [name, shape, depth] of DEEP_SHAPES) {
    const report = JSON.parse(mlw.lint([{ path: 'db/000001_deep.up.sql', text: shape(depth) }], { select: ['syntax-error'] }));
    assert.deepEqual(report.diagnostics, [], `${name} at ${depth}`);
  }
  assert.equal(JSON.parse(mlw.lint([{ path: 'db/000001_ok.up.sql', text: 'SELECT 1;' }])).summary.files, 1);
});

test('the deepest trees libpg_query accepts lint clean on a worker thread with a 64 MiB stack (as the Action lints)', async () => {
  // The module's own stack (64 MiB, set at link time) holds them; the
  // engine's stack must hold the wasm frames too, and frames of code not
  // yet optimised are large: Node's main thread (~1 MB) traps, a worker
  // thread's default 4 MB sometimes does. The Action lints on a worker
  // thread with WORKER_STACK_MB (action/src/index.js).
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const mlw = require(workerData.pkg);
    const out = workerData.texts.map((text) => mlw.lint([{ path: 'db/000001_deep.up.sql', text }], { select: ['syntax-error'] }));
    parentPort.postMessage(out);
  `;
  const texts = DEEP_SHAPES.map(([, shape, , limit]) => shape(limit));
  const out = await new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, resourceLimits: { stackSizeMb: 64 }, workerData: { pkg: `${pkgDir}/node/migralint_wasm.js`, texts } });
    w.once('message', resolve);
    w.once('error', reject);
  });
  DEEP_SHAPES.forEach(([name, , , limit], i) => {
    assert.deepEqual(JSON.parse(out[i]).diagnostics, [], `${name} at ${limit}`);
  });
});
