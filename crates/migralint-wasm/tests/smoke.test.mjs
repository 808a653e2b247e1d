// Smoke tests of the wasm build: it loads without WASI, libpg_query's error
// handling (setjmp/longjmp as Wasm exceptions) survives thousands of
// alternating good/bad parses, one heap is shared by Rust and C, and the API
// throws JS Errors for bad input.
//
// Run: scripts/build-wasm.sh && node --test crates/migralint-wasm/tests/
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { loadNode, loadWeb, pkgDir, repoRoot } from './helpers.mjs';

const mlw = loadNode();

const GOOD = Array.from(
  { length: 60 },
  (_, i) => `CREATE TABLE t${i} (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', created_at timestamptz);`,
).join('\n');
// 60 statements per parse (the two-allocator bug showed from ~50), cheap for
// the rules so thousands of parses stay fast.
const MANY = Array.from(
  { length: 60 },
  (_, i) => `INSERT INTO events (id, kind, payload) VALUES (${i}, 'k${i}', '{"n": ${i}}') ON CONFLICT (id) DO NOTHING;`,
).join('\n');
const BAD = 'CREATE TABLE broken (id bigint PRIMARY KEY,);\nALTER TABLE users ADD COLUMN;\n';

const lintOne = (path, text, ...rest) => JSON.parse(mlw.lint([{ path, text }], ...rest));

test('the wasm imports nothing but wasm-bindgen glue (no WASI, no env)', () => {
  for (const dir of ['node', 'web']) {
    const module = new WebAssembly.Module(readFileSync(join(pkgDir, dir, 'migralint_wasm_bg.wasm')));
    const modules = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
    assert.deepEqual([...modules].filter((m) => m !== './migralint_wasm_bg.js' && m !== 'wbg'), [], dir);
    const exports = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const name of ['lint', 'lintFormat', 'lintFormats', 'rules', 'explain', 'version', 'resolveConfig', 'walkEntries', 'applyFixes']) {
      assert.ok(exports.includes(name), `${dir} exports ${name}`);
    }
  }
});

test('version() is the workspace version', () => {
  const cargo = readFileSync(join(repoRoot, 'Cargo.toml'), 'utf8');
  const version = /^version = "([^"]+)"/m.exec(cargo)[1];
  assert.equal(mlw.version(), version);
});

test('a good file parses clean and a bad one gives syntax-error diagnostics', () => {
  const good = lintOne('db/000001_tables.up.sql', GOOD);
  assert.deepEqual(good.diagnostics.filter((d) => d.rule === 'syntax-error'), []);
  assert.equal(good.summary.files, 1);
  const bad = lintOne('db/000002_broken.up.sql', BAD);
  const syntax = bad.diagnostics.filter((d) => d.rule === 'syntax-error');
  assert.ok(syntax.length >= 1, JSON.stringify(bad));
  assert.equal(syntax[0].severity, 'error');
  assert.equal(syntax[0].line, 1);
  assert.match(syntax[0].message, /syntax error/);
});

test('3,000 alternating good/bad lints of 60 statements give identical results (no "Module terminated")', () => {
  const goodFiles = [{ path: 'db/000001_tables.up.sql', text: MANY }];
  const badFiles = [{ path: 'db/000002_broken.up.sql', text: BAD }];
  const firstGood = mlw.lint(goodFiles);
  const firstBad = mlw.lint(badFiles);
  assert.notEqual(firstGood, firstBad);
  for (let i = 0; i < 1500; i++) {
    assert.equal(mlw.lint(goodFiles), firstGood, `good run ${i}`);
    assert.equal(mlw.lint(badFiles), firstBad, `bad run ${i}`);
  }
});

test('a mixed set with thousands of statements and errors in many files', () => {
  const files = [];
  for (let v = 1; v <= 200; v++) {
    const n = String(v).padStart(6, '0');
    files.push({ path: `db/${n}_step_${v}.up.sql`, text: v % 3 === 0 ? BAD : GOOD.replaceAll(' t', ` s${v}_t`) });
    files.push({ path: `db/${n}_step_${v}.down.sql`, text: `DROP TABLE IF EXISTS s${v}_t0;` });
  }
  const first = mlw.lint(files);
  const report = JSON.parse(first);
  assert.equal(report.summary.files, 400);
  const broken = new Set(report.diagnostics.filter((d) => d.rule === 'syntax-error').map((d) => d.file));
  assert.equal(broken.size, 66);
  assert.equal(mlw.lint(files), first);
});

test('one file of 20,000 statements', () => {
  const text = Array.from({ length: 20000 }, (_, i) => `INSERT INTO t (id, v) VALUES (${i}, 'row ${i}');`).join('\n');
  const report = lintOne('db/000001_seed.up.sql', text);
  assert.deepEqual(report.diagnostics.filter((d) => d.rule === 'syntax-error'), []);
});

test('deeply nested SQL is a diagnostic or clean, never a crash (on a thread with a 64 MiB stack)', async () => {
  // The engine's own stack holds the wasm frames: Node's main thread has
  // ~1 MB, too little for 600 nested ARRAY[ once the code is optimised
  // (it traps: "Maximum call stack size exceeded"). The Action lints on a
  // worker thread with 64 MiB (action/src/index.js), as here: first warmed
  // up (optimised frames are the larger ones), then the deep inputs.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const mlw = require(workerData.pkg);
    for (let i = 0; i < 1500; i++) {
      mlw.lint([{ path: 'db/000001_t.up.sql', text: workerData.many }]);
      mlw.lint([{ path: 'db/000002_b.up.sql', text: workerData.bad }]);
    }
    const out = [];
    for (const depth of [100, 1000, 10000]) {
      const text = 'SELECT ' + '('.repeat(depth) + '1' + ')'.repeat(depth) + ';\\nSELECT ' + 'ARRAY['.repeat(depth) + '1' + ']'.repeat(depth) + ';';
      out.push(JSON.parse(mlw.lint([{ path: 'db/000001_deep.up.sql', text }])).summary.files);
    }
    out.push(JSON.parse(mlw.lint([{ path: 'db/000001_ok.up.sql', text: 'SELECT 1;' }])).summary.files);
    parentPort.postMessage(out);
  `;
  const out = await new Promise((resolve, reject) => {
    const w = new Worker(source, {
      eval: true,
      resourceLimits: { stackSizeMb: 64 },
      workerData: { pkg: join(pkgDir, 'node', 'migralint_wasm.js'), many: MANY, bad: BAD },
    });
    w.once('message', resolve);
    w.once('error', reject);
  });
  // Each depth linted (a diagnostic or clean), and the module still works.
  assert.deepEqual(out, [1, 1, 1, 1]);
});

test('moderately nested SQL lints on the main thread', () => {
  for (const depth of [100, 200]) {
    const text = `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)};\nSELECT ${'ARRAY['.repeat(depth)}1${']'.repeat(depth)};`;
    const report = lintOne('db/000001_deep.up.sql', text);
    assert.deepEqual(report.diagnostics.filter((d) => d.rule === 'syntax-error'), [], `depth ${depth}`);
  }
  assert.equal(lintOne('db/000001_ok.up.sql', 'SELECT 1;').summary.files, 1);
});

test('text may be bytes; invalid UTF-8 is a syntax-error, not a crash', () => {
  const bytes = Buffer.concat([Buffer.from('SELECT 1;\nSELECT '), Buffer.from([0xff, 0xfe]), Buffer.from(';\n')]);
  const report = lintOne('db/000001_bin.up.sql', bytes);
  const syntax = report.diagnostics.filter((d) => d.rule === 'syntax-error');
  assert.equal(syntax.length, 1, JSON.stringify(report));
  assert.equal(syntax[0].line, 2);
  assert.match(syntax[0].message, /UTF-8/);
  // Bytes that are valid UTF-8 give exactly what the string gives.
  const sql = 'CREATE TABLE "ünïcode" (id int);\nCREATE INDEX i ON "ünïcode" (id);\n';
  assert.equal(mlw.lint([{ path: 'a/000001_u.up.sql', text: Buffer.from(sql) }]), mlw.lint([{ path: 'a/000001_u.up.sql', text: sql }]));
});

test('config: TOML text and an object with the same keys are equivalent', () => {
  const files = [{ path: 'db/000001_idx.up.sql', text: 'CREATE INDEX idx_users_email ON users (email);\n' }];
  const all = JSON.parse(mlw.lint(files));
  assert.ok(all.diagnostics.length > 0, 'the example has diagnostics');
  const rule = all.diagnostics[0].rule;
  const viaToml = mlw.lint(files, `ignore = ["${rule}"]\n`);
  const viaObject = mlw.lint(files, { ignore: [rule] });
  assert.equal(viaToml, viaObject);
  assert.ok(!JSON.parse(viaToml).diagnostics.some((d) => d.rule === rule));
  assert.equal(mlw.lint(files, null, null), mlw.lint(files));
  assert.equal(mlw.lint(files, undefined), mlw.lint(files));
});

test('reportOnly reports on the listed paths and reads the others as context', () => {
  const files = [
    { path: 'db/000001_a.up.sql', text: BAD },
    { path: 'db/000002_b.up.sql', text: BAD },
  ];
  const report = JSON.parse(mlw.lint(files, null, ['db/000002_b.up.sql']));
  assert.ok(report.diagnostics.length > 0);
  assert.deepEqual([...new Set(report.diagnostics.map((d) => d.file))], ['db/000002_b.up.sql']);
});

test('lintFormat renders every format; json equals lint()', () => {
  const files = [{ path: 'db/000002_broken.up.sql', text: BAD }];
  assert.equal(mlw.lintFormat(files, null, null, 'json'), mlw.lint(files));
  assert.equal(mlw.lintFormat(files), mlw.lint(files));
  const sarif = JSON.parse(mlw.lintFormat(files, null, null, 'sarif'));
  assert.equal(sarif.version, '2.1.0');
  assert.match(mlw.lintFormat(files, null, null, 'github'), /^::error /m);
  assert.match(mlw.lintFormat(files, null, null, 'compact'), /^db\/000002_broken\.up\.sql:1:\d+: error \[syntax-error\] /m);
});

test('bad input throws a JS Error with a clear message', () => {
  const files = [{ path: 'db/000001_a.up.sql', text: 'SELECT 1;' }];
  const throwsError = (fn, pattern) =>
    assert.throws(fn, (e) => e instanceof Error && pattern.test(e.message), String(pattern));
  throwsError(() => mlw.lint(files, 'no-such-key = 1\n'), /^invalid config: .*no-such-key/s);
  throwsError(() => mlw.lint(files, { 'no-such-key': 1 }), /^invalid config: .*no-such-key/s);
  throwsError(() => mlw.lint(files, 'pg-version = ['), /^invalid config: /);
  throwsError(() => mlw.lint(files, 42), /^invalid config: /);
  throwsError(() => mlw.lint('not an array'), /`files` must be an array/);
  throwsError(() => mlw.lint([{ path: 'x.sql' }]), /files\[0\]\.text/);
  throwsError(() => mlw.lint([{ text: 'SELECT 1' }]), /files\[0\]\.path/);
  throwsError(() => mlw.lint([42]), /files\[0\] must be an object/);
  throwsError(() => mlw.lint(files, null, 'db/000001_a.up.sql'), /reportOnly/);
  throwsError(() => mlw.lint(files, null, [1]), /reportOnly\[0\]/);
  throwsError(() => mlw.lintFormat(files, null, null, 'xml'), /unknown format `xml`/);
  throwsError(() => mlw.explain('no-such-rule-anywhere'), /^unknown rule `no-such-rule-anywhere`/);
  throwsError(() => mlw.explain('syntax-erorr'), /^unknown rule `syntax-erorr`; did you mean `syntax-error`\?$/);
  // Still usable after errors.
  assert.equal(JSON.parse(mlw.lint(files)).summary.files, 1);
});

test('rules() lists every rule with a docs page reachable through explain()', () => {
  const rules = JSON.parse(mlw.rules());
  assert.ok(rules.length > 0);
  for (const rule of rules) {
    assert.deepEqual(Object.keys(rule).sort(), ['category', 'enabled', 'name', 'severity', 'summary']);
    assert.equal(typeof rule.enabled, 'boolean');
    assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(['error', 'warning'].includes(rule.severity), rule.name);
    const page = mlw.explain(rule.name);
    assert.equal(typeof page, 'string');
    assert.ok(page.length > 0, rule.name);
  }
});

test('the web build (pkg/web) gives the same answers as the node build', async () => {
  const web = await loadWeb();
  const files = [
    { path: 'db/000001_tables.up.sql', text: GOOD },
    { path: 'db/000002_broken.up.sql', text: BAD },
  ];
  assert.equal(web.lint(files), mlw.lint(files));
  assert.equal(web.lintFormat(files, null, null, 'sarif'), mlw.lintFormat(files, null, null, 'sarif'));
  assert.equal(web.rules(), mlw.rules());
  assert.equal(web.version(), mlw.version());
  assert.throws(() => web.lint(files, 'bogus = 1'), Error);
});
