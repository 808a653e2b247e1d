'use strict';
// Unit tests of the small modules (and the core's decisions they ask the
// wasm build for).

const { execFileSync } = require('node:child_process');
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');
const { escapeData, escapeProperty, command, plainLine } = require('../src/commands');
const { readInputs } = require('../src/inputs');
const discover = require('../src/discover');
const { pairCommands, selectAnnotations, describeOmitted } = require('../src/annotations');
const { renderSummary, md, mdText, fileUrl } = require('../src/summary');
const { setOutputs, appendSummary } = require('../src/outputs');
const { baseFromEvent, isChangeEvent } = require('../src/changed');
const { RULES_BASE_URL, ruleUrl } = require('../src/constants');

test('workflow command escaping (data: % CR LF; properties: also : and ,)', () => {
  assert.equal(escapeData('50% done\r\n::error::x'), '50%25 done%0D%0A::error::x');
  assert.equal(escapeProperty('a:b,c%d\ne'), 'a%3Ab%2Cc%25d%0Ae');
  assert.equal(
    command('error', { file: 'db/1,2:3.sql', line: 3, col: '', title: 'migralint x' }, 'bad\nhelp: y'),
    '::error file=db/1%2C2%3A3.sql,line=3,title=migralint x::bad%0Ahelp: y',
  );
  assert.equal(command('notice', {}, 'hi'), '::notice::hi');
  // The runner's unescaping gives the text back, for awkward strings too.
  for (const s of ['%0A', '%250A', '%%', '\r\n', 'a::b', '%3A,%2C', '\n::error::x%0D', '%']) {
    assert.equal(h.unescapeData(escapeData(s)), s, JSON.stringify(s));
    assert.equal(h.unescapeProperty(escapeProperty(s)), s, JSON.stringify(s));
  }
});

test('the escaping matches the core github renderer', () => {
  const files = [
    { path: 'm/000001_a.up.sql', text: 'CREATE TABLE "a%0A\r\n::x,y:z" (id int);\n' },
    { path: 'm/000002_b,c:d%.up.sql', text: 'CREATE INDEX ON "a%0A\r\n::x,y:z" (id);\n' },
  ];
  const report = JSON.parse(h.wasm().lint(files));
  const lines = h.wasm().lintFormat(files, null, null, 'github').split('\n').filter(Boolean);
  const d = report.diagnostics.find((x) => x.rule === 'require-concurrent-index-creation');
  assert.ok(d);
  const mine = command(
    d.severity,
    { file: d.file, line: d.line, col: d.column, endLine: d.end_line, endColumn: d.end_column, title: `migralint ${d.rule}` },
    d.help ? `${d.message}\nhelp: ${d.help}` : d.message,
  );
  assert.ok(lines.includes(mine), `${mine}\nnot in\n${lines.join('\n')}`);
});

test('plain log lines cannot become commands', () => {
  assert.equal(plainLine('::error::x'), '> ::error::x');
  assert.equal(plainLine('   ##[error]x'), '>    ##[error]x');
  assert.equal(plainLine('a\n::error::x\r\n##[warning]y'), 'a\\n::error::x\\r\\n##[warning]y');
  assert.equal(plainLine('Migrations: db'), 'Migrations: db');
  for (const s of ['::a', ' \t::a', '##[a', 'x\n::a']) {
    assert.deepEqual(h.parseCommands(`${plainLine(s)}\n`), [], s);
  }
});

test('inputs: defaults, accepted spellings, errors', () => {
  assert.deepEqual(readInputs({}), {
    path: '',
    config: '',
    pgVersion: null,
    onlyChanged: 'auto',
    failOn: 'error',
    sarifFile: '',
  });
  const env = {
    INPUT_PATH: ' db/migrations ',
    INPUT_CONFIG: 'x.toml',
    'INPUT_PG-VERSION': '13',
    'INPUT_ONLY-CHANGED': 'True',
    'INPUT_FAIL-ON': 'Never',
    'INPUT_SARIF-FILE': 'a.sarif',
  };
  assert.deepEqual(readInputs(env), {
    path: 'db/migrations',
    config: 'x.toml',
    pgVersion: 13,
    onlyChanged: true,
    failOn: 'never',
    sarifFile: 'a.sarif',
  });
  assert.equal(readInputs({ 'INPUT_ONLY-CHANGED': 'FALSE' }).onlyChanged, false);
  assert.equal(readInputs({ 'INPUT_ONLY-CHANGED': 'Auto' }).onlyChanged, 'auto');
  assert.throws(() => readInputs({ 'INPUT_ONLY-CHANGED': 'yes' }), /only-changed must be true, false or auto/);
  assert.throws(() => readInputs({ 'INPUT_PG-VERSION': '15.2' }), /pg-version must be a PostgreSQL major version/);
  assert.throws(() => readInputs({ 'INPUT_FAIL-ON': 'warnings' }), /fail-on must be one of error, warning, never/);
});

test('the config is read by the core, the pg-version input over it', () => {
  const found = { display: 'conf/lint.toml', text: "migrations = 'db/m' # literal\n\"pg-version\" = 15\nignore = [\"syntax-error\"]\n[naming]\ntitle = '^[a-z_]+$'\n" };
  const r = discover.resolveConfig(found, 11);
  assert.equal(r.migrations, 'db/m');
  assert.deepEqual(r.config, { migrations: 'db/m', 'pg-version': 11, ignore: ['syntax-error'], naming: { title: '^[a-z_]+$' } });
  const files = [{ path: 'm/000001_a.up.sql', text: 'SELEC 1;\n' }];
  assert.equal(JSON.parse(h.wasm().lint(files, r.config)).summary.errors, 0, 'ignore kept');
  assert.equal(discover.resolveConfig(found, null).config['pg-version'], 15);
  // Any TOML spelling (multi-line strings too).
  assert.equal(discover.resolveConfig({ display: 'x', text: 'migrations = """\ndb"""\n' }, null).migrations, 'db');
  assert.deepEqual(discover.resolveConfig(null, null), { migrations: null, config: {} });
  assert.deepEqual(discover.resolveConfig(null, 14), { migrations: null, config: { 'pg-version': 14 } });
  // Errors name the file, or the input.
  assert.throws(() => discover.resolveConfig({ display: 'conf/lint.toml', text: 'bogus = 1\n' }, 5), /^ActionError: conf\/lint\.toml: invalid config: .*bogus/s);
  assert.throws(() => discover.resolveConfig(found, 5), /^ActionError: input pg-version: invalid config: pg-version 5 /);
  assert.throws(() => discover.resolveConfig(null, 5), /^ActionError: input pg-version: invalid config: pg-version 5 /);
});

test('files are walked and ordered as the CLI does', () => {
  const dir = h.tmpdir('walk');
  h.writeFiles(dir, {
    'a/x.sql': '',
    'a.b/y.sql': '',
    'B.sql': '',
    'a.sql': '',
    'Z.SQL': '',
    'notes.txt': '',
    '.hidden/h.sql': '',
    'node_modules/n.sql': '',
    'target/t.sql': '',
    'vendor/v.sql': '',
    'é.sql': '',
    'e.sql': '',
  });
  fs.symlinkSync(path.join(dir, 'a'), path.join(dir, 'link'));
  fs.symlinkSync(dir, path.join(dir, 'a', 'loop'));
  fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'zlink'));
  h.writeFiles(dir, { 'elsewhere/w.sql': '' });
  const got = discover.collectSqlFiles(dir).map((p) => discover.relPath(dir, p));
  // Component by component, bytewise: "a" < "a.b" < "a.sql"; uppercase first;
  // é after e. Each real directory once, the first time the walk reaches
  // it (as the CLI does): `link` is `a` again, `zlink` is `elsewhere`.
  assert.deepEqual(got, ['B.sql', 'Z.SQL', 'a/x.sql', 'a.b/y.sql', 'a.sql', 'e.sql', 'elsewhere/w.sql', 'é.sql']);
  // The CLI reads the same files, in the same order.
  const cli = process.env.MIGRALINT_BIN;
  if (cli && fs.existsSync(cli)) {
    const out = execFileSync(cli, ['check', '--format', 'json', '--select', 'syntax-error', '.'], { cwd: dir, encoding: 'utf8' });
    assert.equal(JSON.parse(out).summary.files, got.length);
  }
});

test('annotation selection: errors first, then warnings, each up to its limit', () => {
  const ds = [
    { severity: 'warning', file: 'a', line: 1 },
    { severity: 'error', file: 'a', line: 2 },
    { severity: 'warning', file: 'a', line: 3 },
    { severity: 'error', file: 'b', line: 1 },
    { severity: 'error', file: 'b', line: 2 },
  ];
  const lines = ds.map((d) => `::${d.severity} file=${d.file},line=${d.line}::m`).join('\n') + '\n';
  const paired = pairCommands(ds, lines);
  const sel = selectAnnotations(paired, { error: 2, warning: 1 });
  assert.deepEqual(
    sel.emit.map((p) => p.command),
    ['::error file=a,line=2::m', '::error file=b,line=1::m', '::warning file=a,line=1::m'],
  );
  assert.deepEqual(sel.omittedCounts, { error: 1, warning: 1 });
  assert.equal(describeOmitted(sel.omittedCounts), '1 error and 1 warning');
  assert.equal(describeOmitted({ error: 0, warning: 3 }), '3 warnings');
  assert.equal(describeOmitted({ error: 0, warning: 0 }), '');
  assert.throws(() => pairCommands(ds, '::error::x\n'), /github renderer wrote 1 lines for 5 diagnostics/);
  assert.throws(() => pairCommands(ds.slice(0, 1), '::error::x\n'), /not a warning command/);
});

test('Markdown escaping and links', () => {
  assert.equal(md('a|b<c>&d*e_f`g[h](i)~j\\k\nl'), 'a\\|b&lt;c&gt;&amp;d\\*e\\_f\\`g\\[h\\](i)\\~j\\\\k<br>l');
  assert.equal(mdText('use `CREATE INDEX CONCURRENTLY` on `a|b`'), 'use <code>CREATE INDEX CONCURRENTLY</code> on <code>a\\|b</code>');
  assert.equal(mdText('odd ` tick'), 'odd \\` tick');
  assert.equal(
    fileUrl({ server: 'https://ghe.example', repository: 'o/r', sha: 'abc' }, 'db/a b#1.sql', 3, 5),
    'https://ghe.example/o/r/blob/abc/db/a%20b%231.sql#L3-L5',
  );
  assert.equal(fileUrl(null, 'x', 1, 1), null);
  assert.equal(RULES_BASE_URL, 'https://github.com/migralint/migralint/blob/main/rules/');
  assert.equal(ruleUrl('syntax-error'), `${RULES_BASE_URL}syntax-error.md`);
});

test('the summary stays within its size budget and says what it left out', () => {
  const diagnostics = Array.from({ length: 400 }, (_, i) => ({
    rule: 'syntax-error',
    severity: i % 3 ? 'warning' : 'error',
    file: `db/${String(i % 7).padStart(6, '0')}_x.up.sql`,
    line: i + 1,
    column: 1,
    end_line: i + 1,
    end_column: 2,
    message: 'x'.repeat(200),
    help: null,
  }));
  diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const base = {
    report: { diagnostics, summary: { files: 7, errors: 134, warnings: 266 } },
    version: '0.1.0',
    dir: 'db',
    scope: { kind: 'all' },
    omitted: { error: 124, warning: 256 },
    limits: { error: 10, warning: 10 },
    failOn: 'error',
    failed: true,
    sarifFile: 'm.sarif',
    links: null,
  };
  const full = renderSummary(base);
  assert.equal(full.split('\n').filter((l) => /^\| \d+:1 \|/.test(l)).length, 400);
  assert.ok(full.includes('## ❌ migralint: 134 errors, 266 warnings'));
  assert.ok(full.includes('124 errors and 256 warnings are not annotated'));
  const small = renderSummary({ ...base, budget: 20000 });
  assert.ok(Buffer.byteLength(small) <= 20000 + 1000, String(Buffer.byteLength(small)));
  const shown = small.split('\n').filter((l) => /^\| \d+:1 \|/.test(l)).length;
  assert.ok(shown > 10 && shown < 400, String(shown));
  assert.ok(
    small.includes(`> ${400 - shown} more findings did not fit in the job summary (GitHub keeps 1 MiB per step): the step log lists them all, and so does the SARIF file.`),
  );
  assert.ok(small.trimEnd().endsWith('</sub>'));
});

test('outputs use a delimiter no value contains', () => {
  const dir = h.tmpdir('out');
  const file = path.join(dir, 'out');
  fs.writeFileSync(file, 'earlier=1\n');
  assert.equal(setOutputs({ GITHUB_OUTPUT: file }, { errors: 2, 'sarif-file': 'a\nwarnings<<EOF\n9\nEOF' }), true);
  assert.deepEqual(h.parseOutputs(fs.readFileSync(file, 'utf8')), {
    earlier: '1',
    errors: '2',
    'sarif-file': 'a\nwarnings<<EOF\n9\nEOF',
  });
  assert.equal(setOutputs({}, { errors: 1 }), false);
  const s = path.join(dir, 'summary');
  appendSummary({ GITHUB_STEP_SUMMARY: s }, '# a');
  appendSummary({ GITHUB_STEP_SUMMARY: s }, '# b\n');
  assert.equal(fs.readFileSync(s, 'utf8'), '# a\n# b\n');
});

test('base commits from event payloads', () => {
  const sha = 'a'.repeat(40);
  assert.deepEqual(baseFromEvent('pull_request', { pull_request: { base: { sha }, head: { sha: 'b' } } }), {
    base: sha,
    head: 'b',
    what: 'the pull request base',
  });
  assert.equal(baseFromEvent('merge_group', { merge_group: { base_sha: sha, head_sha: 'c' } }).base, sha);
  assert.equal(baseFromEvent('push', { before: sha, after: 'd' }).base, sha);
  assert.match(baseFromEvent('push', { before: '0'.repeat(40) }).reason, /names no base commit/);
  assert.match(baseFromEvent('pull_request', { pull_request: {} }).reason, /no pull_request\.base\.sha/);
  assert.equal(isChangeEvent('pull_request_target', {}), true);
  assert.equal(isChangeEvent('issue_comment', { pull_request: {} }), true);
  assert.equal(isChangeEvent('push', { before: sha }), false);
  assert.equal(isChangeEvent('schedule', {}), false);
});
