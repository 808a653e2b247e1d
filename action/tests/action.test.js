'use strict';
// End-to-end: the committed bundle (dist/index.js) runs under Node in a
// simulated GitHub Actions step, on fixture repositories built with git.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./helpers');
const { assertValidSarif } = require('./sarif');
const { mdText } = require('../src/summary');
const { RULES_BASE_URL } = require('../src/constants');
const { DIR, BASE, HEAD, CHANGED } = require('./fixtures');

const repo = h.makeRepo({ base: BASE, head: HEAD });

function errorsOf(r) {
  return r.commands.filter((c) => c.name === 'error');
}

/** The table rows of the summary (lines starting with `| [` or `| <digit>`). */
function diagnosticRows(summary) {
  return summary.split('\n').filter((l) => /^\| (\[\d+:\d+\]\([^)\s]*\)|\d+:\d+) \|/.test(l));
}

/** The summary row the action must write for a diagnostic. */
function expectedRow(d, sha) {
  const url = `https://github.com/acme/shop/blob/${sha}/${d.file.split('/').map(encodeURIComponent).join('/')}#L${d.line}${d.end_line > d.line ? `-L${d.end_line}` : ''}`;
  const sev = d.severity === 'error' ? '❌ error' : '⚠️ warning';
  const help = d.help ? `<br>**help:** ${mdText(d.help)}` : '';
  return `| [${d.line}:${d.column}](${url}) | ${sev} | [${d.rule}](${RULES_BASE_URL}${d.rule}.md) | ${mdText(d.message)}${help} |`;
}

test('pull_request (merge commit checkout): annotates only the changed migrations, exactly as the core renders them', () => {
  const ws = h.cloneFull(repo, repo.mergeSha);
  const r = h.runAction({ workspace: ws, event: h.prEvent(repo), inputs: { 'sarif-file': 'reports/migralint.sarif' } });
  const files = h.dirFiles(ws, DIR);
  const exp = h.expected(files, { reportOnly: CHANGED });

  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.equal(r.commands.length, exp.report.diagnostics.length, 'no other command (fewer than 10 of each)');

  // The certain findings, at their exact lines and columns.
  const errors = errorsOf(r);
  const idx = errors.find((c) => c.props.file === `${DIR}/000004_index_orders.up.sql`);
  assert.ok(idx, r.stdout);
  assert.deepEqual(
    [idx.props.line, idx.props.col, idx.props.endLine, idx.props.title],
    ['2', '1', '2', 'migralint require-concurrent-index-creation'],
  );
  assert.match(idx.message, /^CREATE INDEX without CONCURRENTLY .* orders /);
  assert.match(idx.message, /\nhelp: /);
  const syntax = errors.find((c) => c.props.file === `${DIR}/000005_add_status.up.sql`);
  assert.deepEqual([syntax.props.line, syntax.props.col, syntax.props.title], ['1', '30', 'migralint syntax-error']);
  // Nothing on files the pull request did not change (000002 has an error),
  // and nothing on the index of a table created in the same file.
  for (const c of r.commands) assert.ok(CHANGED.includes(c.props.file), c.raw);
  assert.ok(
    !r.commands.some(
      (c) => c.props.file === `${DIR}/000003_create_orders.up.sql` && c.props.title === 'migralint require-concurrent-index-creation',
    ),
  );

  // Outputs.
  assert.ok(exp.report.summary.errors >= 2);
  assert.deepEqual(r.outputs, {
    errors: String(exp.report.summary.errors),
    warnings: String(exp.report.summary.warnings),
    'sarif-file': 'reports/migralint.sarif',
  });

  // SARIF: the whole directory (000002 included), the core's document, valid.
  assert.deepEqual(r.sarif, exp.sarif);
  assertValidSarif(r.sarif);
  const uris = r.sarif.runs[0].results.map((x) => x.locations[0].physicalLocation.artifactLocation.uri);
  assert.ok(uris.includes(`${DIR}/000002_index_users_email.up.sql`));
  assert.ok(uris.includes(`${DIR}/000004_index_orders.up.sql`));

  // Summary: counts, scope, one table per file, rule links, line links.
  const s = r.summary;
  const { errors: ne, warnings: nw } = exp.report.summary;
  assert.ok(
    s.startsWith(`## ❌ migralint: ${ne} errors${nw ? `, ${nw} warning${nw === 1 ? '' : 's'}` : ''}\n\n`),
    s.slice(0, 200),
  );
  assert.ok(
    s.includes(
      `Linted ${files.length} migration files in db/migrations; reported on the ${CHANGED.length} files changed against the pull request base (${repo.baseSha.slice(0, 7)}), the others were read as context.`,
    ),
    s,
  );
  const byFile = new Map();
  for (const d of exp.report.diagnostics) byFile.set(d.file, (byFile.get(d.file) || 0) + 1);
  for (const file of byFile.keys()) assert.ok(s.includes(`\n### ${file.replace(/_/g, '\\_')}\n`), file);
  assert.ok(!s.includes('000002'), 'unchanged files are not in the summary');
  assert.deepEqual(
    diagnosticRows(s),
    exp.report.diagnostics.map((d) => expectedRow(d, repo.headSha)),
  );
  assert.ok(s.includes(`[require-concurrent-index-creation](${RULES_BASE_URL}require-concurrent-index-creation.md)`));
  assert.ok(s.includes('fail-on: error (this step fails)'));
  assert.ok(s.includes('SARIF: reports/migralint.sarif'));

  // Log.
  assert.match(r.stdout, /^migralint \d+\.\d+\.\d+ \(WebAssembly build\)$/m);
  assert.match(r.stdout, new RegExp(`^Migrations: db/migrations \\(${files.length} SQL files; found automatically\\)$`, 'm'));
  assert.match(r.stdout, /^Failing the step: fail-on is error and \d+ errors were found$/m);
});

test('pull_request with a one-commit checkout (actions/checkout default): fetches the base commit', () => {
  const ws = h.cloneShallowMerge(repo);
  assert.equal(h.git(ws, 'rev-parse', '--is-shallow-repository'), 'true');
  assert.throws(() => h.git(ws, 'cat-file', '-e', `${repo.baseSha}^{commit}`));
  const r = h.runAction({ workspace: ws, event: h.prEvent(repo) });
  const exp = h.expected(h.dirFiles(ws, DIR), { reportOnly: CHANGED });
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, new RegExp(`^Fetching the base commit ${repo.baseSha.slice(0, 12)} \\(not in the checkout\\)$`, 'm'));
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.doesNotMatch(r.stdout, /^Note:/m, 'the merge commit gives the exact base: no note');
});

test('pull_request whose base moved on: the merge base decides what changed', () => {
  // main edits 000002 (which has an error) after the branch point; the pull
  // request did not touch it.
  const moved = h.makeRepo({
    base: BASE,
    head: HEAD,
    mainAfter: { [`${DIR}/000002_index_users_email.up.sql`]: '-- reviewed\nCREATE INDEX users_email ON users (email);\n' },
  });
  // Full history, the pull request head checked out.
  let ws = h.cloneFull(moved, moved.headSha);
  let r = h.runAction({ workspace: ws, event: h.prEvent(moved) });
  let exp = h.expected(h.dirFiles(ws, DIR), { reportOnly: CHANGED });
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.ok(!r.stdout.includes('000002'), r.stdout);

  // One commit of the head and the base fetched: no merge base, so the
  // diff is taken against the base itself and the log and summary say so.
  ws = h.tmpdir('shallowhead');
  h.git(ws, 'init', '-q');
  h.git(ws, 'remote', 'add', 'origin', `file://${moved.origin}`);
  h.git(ws, 'fetch', '-q', '--depth=1', 'origin', '+refs/pull/1/head:refs/remotes/pull/1/head');
  h.git(ws, 'checkout', '-q', '--detach', 'refs/remotes/pull/1/head');
  r = h.runAction({ workspace: ws, event: h.prEvent(moved) });
  exp = h.expected(h.dirFiles(ws, DIR), {
    reportOnly: [...CHANGED, `${DIR}/000002_index_users_email.up.sql`],
  });
  assert.match(r.stdout, /^Note: the merge base of the base commit and HEAD is not in the \(shallow\) checkout/m);
  assert.ok(r.summary.includes('> Note: the merge base of the base commit and HEAD is not in the (shallow) checkout'));
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
});

test('only-changed: false reports on every file of a pull request', () => {
  const ws = h.cloneFull(repo, repo.mergeSha);
  const r = h.runAction({ workspace: ws, event: h.prEvent(repo), inputs: { 'only-changed': 'false' } });
  const exp = h.expected(h.dirFiles(ws, DIR));
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.ok(errorsOf(r).some((c) => c.props.file === `${DIR}/000002_index_users_email.up.sql`));
  assert.equal(r.outputs.errors, String(exp.report.summary.errors));
  assert.ok(r.summary.includes(`Linted ${exp.report.summary.files} migration files in db/migrations.\n`));
});

test('push: every file by default; only-changed: true compares with the commit before the push', () => {
  const ws = h.cloneFull(repo, repo.headSha);
  const event = { before: repo.branchPoint, after: repo.headSha };
  let r = h.runAction({ workspace: ws, eventName: 'push', event });
  let exp = h.expected(h.dirFiles(ws, DIR));
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.equal(r.code, 1);

  r = h.runAction({ workspace: ws, eventName: 'push', event, inputs: { 'only-changed': 'true' } });
  exp = h.expected(h.dirFiles(ws, DIR), { reportOnly: CHANGED });
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.ok(r.summary.includes('changed against the commit before the push'));

  // A new branch (before = 0000…): nothing to compare with.
  r = h.runAction({
    workspace: ws,
    eventName: 'push',
    event: { before: '0'.repeat(40), after: repo.headSha },
    inputs: { 'only-changed': 'true' },
  });
  assert.match(r.stdout, /^Changed: unknown \(a push event names no base commit\); reporting on all files$/m);
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(h.expected(h.dirFiles(ws, DIR))));
});

test('changed files unknown: falls back to every file and says why', () => {
  // Not a git checkout at all.
  const ws = h.tmpdir('nogit');
  h.writeFiles(ws, { ...BASE, ...HEAD });
  const r = h.runAction({ workspace: ws, event: h.prEvent(repo) });
  const exp = h.expected(h.dirFiles(ws, DIR));
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.match(r.stdout, /^Changed: unknown \(the migrations are not in a git checkout\); reporting on all files$/m);
  assert.ok(
    r.summary.includes('; reported on all of them, because the changed files are unknown: the migrations are not in a git checkout.'),
    r.summary,
  );
  // No repository, so no line links in the summary.
  assert.ok(diagnosticRows(r.summary).every((row) => /^\| \d+:\d+ \|/.test(row)));

  // A base commit that exists nowhere.
  const ws2 = h.cloneFull(repo, repo.mergeSha);
  const ev = h.prEvent(repo);
  ev.pull_request.base.sha = 'f'.repeat(40);
  const r2 = h.runAction({ workspace: ws2, event: ev });
  assert.match(r2.stdout, /^Changed: unknown \(the base commit ffffffffffff is not in the checkout and could not be fetched/m);
  assert.deepEqual(h.annotationLines(r2), h.expectedAnnotations(h.expected(h.dirFiles(ws2, DIR))));
});

test('a pull request that changes no migration reports nothing, even on old problems', () => {
  const docs = h.makeRepo({ base: { ...BASE, ...HEAD }, head: { 'docs/x.md': 'x\n' } });
  const ws = h.cloneFull(docs, docs.mergeSha);
  const r = h.runAction({ workspace: ws, event: h.prEvent(docs) });
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(r.commands, []);
  assert.deepEqual(r.outputs, { errors: '0', warnings: '0', 'sarif-file': '' });
  const version = h.wasm().version();
  const n = h.dirFiles(ws, DIR).length;
  assert.equal(
    r.summary,
    [
      '## ✅ migralint: no problems',
      '',
      `Linted ${n} migration files in db/migrations; none of them changed against the pull request base (${docs.baseSha.slice(0, 7)}), so there is nothing to report on.`,
      '',
      `<sub>migralint ${version} (WebAssembly build) · fail-on: error · [rules](${RULES_BASE_URL})</sub>`,
      '',
    ].join('\n'),
  );
});

test('annotation limits: 10 errors and 10 warnings, the rest in the log and the summary', () => {
  const ws = h.tmpdir('many');
  const indexes = Array.from({ length: 12 }, (_, i) => `CREATE INDEX t_c_${i} ON t (c);`).join('\n');
  const suppressions = Array.from({ length: 12 }, (_, i) => `-- migralint-ignore no-such-rule-${i}\nSELECT ${i};`).join('\n');
  h.writeFiles(ws, {
    'migrations/000001_create_t.up.sql': 'CREATE TABLE t (c int);\n',
    'migrations/000002_index_t.up.sql': `${indexes}\n`,
    'migrations/000003_notes.up.sql': `${suppressions}\n`,
  });
  const r = h.runAction({ workspace: ws, eventName: 'workflow_dispatch', inputs: { 'sarif-file': 'out.sarif' } });
  const exp = h.expected(h.dirFiles(ws, 'migrations'));
  const { errors, warnings } = exp.report.summary;
  assert.ok(errors >= 12 && warnings >= 12, JSON.stringify(exp.report.summary));
  const annotations = h.annotationLines(r);
  assert.equal(annotations.length, 20);
  assert.deepEqual(annotations, h.expectedAnnotations(exp));
  // Errors first, each group in file and line order.
  assert.deepEqual(
    r.commands.slice(0, 20).map((c) => c.name),
    [...Array(10).fill('error'), ...Array(10).fill('warning')],
  );
  const left = `${errors - 10} errors and ${warnings - 10} warnings`;
  const notices = r.commands.filter((c) => c.name === 'notice');
  assert.deepEqual(
    notices.map((c) => [c.props.title, c.message]),
    [['migralint', `${left} are not annotated: GitHub shows at most 10 error and 10 warning annotations per step. The job summary lists every finding.`]],
  );
  assert.ok(r.stdout.includes(`Not annotated (GitHub's limit of 10 errors and 10 warnings per step): ${left}:\n`));
  const omitted = [
    ...exp.report.diagnostics.filter((d) => d.severity === 'error').slice(10),
    ...exp.report.diagnostics.filter((d) => d.severity === 'warning').slice(10),
  ];
  for (const d of omitted) {
    assert.ok(r.stdout.includes(`  ${d.severity}: ${d.file}:${d.line}:${d.column}: [${d.rule}] ${d.message}`), d.message);
  }
  assert.ok(r.summary.includes(`per step: ${left} are not annotated on the files. Every finding is listed below.`));
  assert.equal(diagnosticRows(r.summary).length, errors + warnings);
  assert.equal(r.sarif.runs[0].results.length, errors + warnings);
  assertValidSarif(r.sarif);
  assert.deepEqual(r.outputs, { errors: String(errors), warnings: String(warnings), 'sarif-file': 'out.sarif' });
});

test('hostile text in SQL and file names cannot inject workflow commands, outputs or Markdown', () => {
  const ws = h.tmpdir('hostile');
  // Identifiers are cut at 63 bytes (as PostgreSQL does): two tables.
  const evil = 'x\n::error file=evil.sql,line=1::pwned\r\n##[error]legacy%0A::w';
  const html = 'y|<script>a</script>[link](http://e.x)*b*_c_`d';
  const q = (name) => `"${name.replace(/"/g, '""')}"`;
  h.writeFiles(ws, {
    'migrations/000001_create.up.sql': `CREATE TABLE ${q(evil)} (id int);\nCREATE TABLE ${q(html)} (id int);\n`,
    'migrations/000002_index.up.sql': `-- ::error::comment\nCREATE INDEX ON ${q(evil)} (id);\nCREATE INDEX ON ${q(html)} (id);\n`,
    'migrations/000003_a,b:c%0Ad::e.up.sql': `CREATE INDEX ON ${q(evil)} (id);\nSELECT '::error::x' FROM;\n`,
  });
  const r = h.runAction({ workspace: ws, eventName: 'push', inputs: { 'sarif-file': 'x.sarif' } });
  const exp = h.expected(h.dirFiles(ws, 'migrations'));
  const messages = exp.report.diagnostics.map((d) => d.message).join('\n');
  for (const bit of ['\n::error file=evil.sql,line=1::pwned\r\n##[error]legacy%0A', '<script>a</script>[link](http://e.x)*b*']) {
    assert.ok(messages.includes(bit), `the fixture reaches a message: ${JSON.stringify(bit)}`);
  }

  // Exactly the expected commands, nothing injected (runner's own parsing).
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
  assert.equal(r.commands.length, exp.report.diagnostics.length, r.stdout);
  assert.ok(!r.commands.some((c) => c.name.startsWith('legacy:')));
  // What the runner reads back is the text as written.
  const byKey = new Map(exp.report.diagnostics.map((d) => [`${d.file}:${d.line}:${d.column}:${d.rule}`, d]));
  for (const c of r.commands) {
    const d = byKey.get(`${c.props.file}:${c.props.line}:${c.props.col}:${c.props.title.replace('migralint ', '')}`);
    assert.ok(d, c.raw);
    assert.equal(c.message, d.help ? `${d.message}\nhelp: ${d.help}` : d.message);
  }
  assert.ok(r.commands.some((c) => c.props.file === 'migrations/000003_a,b:c%0Ad::e.up.sql'));

  // Outputs: only ours.
  assert.deepEqual(Object.keys(r.outputs).sort(), ['errors', 'sarif-file', 'warnings']);

  // Summary: the identifiers show as typed, but add no HTML, links or cells.
  const s = r.summary;
  assert.ok(!s.includes('<script>'));
  assert.ok(s.includes('y\\|&lt;script&gt;a&lt;/script&gt;\\[link\\](http://e.x)\\*b\\*\\_c\\_\\`d'), s);
  assert.ok(!s.includes('[link](http'), 'no Markdown link from the SQL');
  for (const row of diagnosticRows(s)) {
    const cells = row.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length - 2;
    assert.equal(cells, 4, row);
    assert.ok(!/[\r\n]/.test(row));
  }
  assert.ok(s.includes('### migrations/000003\\_a,b:c%0Ad::e.up.sql'));
  assertValidSarif(r.sarif);
  assert.deepEqual(r.sarif, exp.sarif);
});

test('fail-on: error, warning, never', () => {
  const ws = h.tmpdir('failon');
  h.writeFiles(ws, {
    'migrations/000001_a.up.sql': '-- migralint-ignore no-such-rule\nSELECT 1;\n',
    'migralint.toml': 'select = ["invalid-suppression", "syntax-error"]\n',
  });
  const warnOnly = h.expected(h.dirFiles(ws, 'migrations'), { config: fs.readFileSync(path.join(ws, 'migralint.toml'), 'utf8') });
  assert.deepEqual(warnOnly.report.summary, { files: 1, errors: 0, warnings: 1 });
  const run = (failOn) => h.runAction({ workspace: ws, eventName: 'push', inputs: { 'fail-on': failOn } });
  assert.equal(run('error').code, 0);
  const w = run('warning');
  assert.equal(w.code, 1);
  assert.match(w.stdout, /^Failing the step: fail-on is warning and 1 finding was found$/m);
  assert.ok(w.summary.includes('fail-on: warning (this step fails)'));
  assert.equal(run('never').code, 0);
  assert.equal(run('WARNING').code, 1, 'case does not matter');

  h.writeFiles(ws, { 'migrations/000002_b.up.sql': 'SELEC 1;\n' });
  assert.equal(run('never').code, 0);
  assert.equal(run('error').code, 1);
});

test('bad inputs and configs fail with exit code 2 and one error naming the problem', () => {
  const ws = h.tmpdir('bad');
  h.writeFiles(ws, { 'db/migrations/000001_a.up.sql': 'SELECT 1;\n' });
  const cases = [
    [{ 'fail-on': 'sometimes' }, 'input fail-on must be one of error, warning, never, not "sometimes"'],
    [{ 'only-changed': 'maybe' }, 'input only-changed must be true, false or auto, not "maybe"'],
    [{ 'pg-version': 'fifteen' }, 'input pg-version must be a PostgreSQL major version such as 15, not "fifteen"'],
    [{ 'pg-version': '8' }, /^input pg-version: invalid config: pg-version 8 /],
    [{ config: 'nope.toml' }, 'config file nope.toml not found (input config)'],
    [{ path: 'nowhere' }, 'input path: nowhere is not a directory'],
  ];
  for (const [inputs, message] of cases) {
    const r = h.runAction({ workspace: ws, eventName: 'push', inputs });
    assert.equal(r.code, 2, JSON.stringify(inputs));
    assert.equal(r.commands.length, 1, r.stdout);
    const [c] = r.commands;
    assert.equal(c.name, 'error');
    assert.equal(c.props.title, 'migralint');
    if (typeof message === 'string') assert.equal(c.message, message);
    else assert.match(c.message, message);
    assert.equal(r.outputsText, '', 'no outputs when the action could not run');
  }

  h.writeFiles(ws, { 'migralint.toml': 'pg-version = 15\nbogus = 1\n' });
  let r = h.runAction({ workspace: ws, eventName: 'push' });
  assert.equal(r.code, 2);
  assert.match(r.commands[0].message, /^migralint\.toml: invalid config: .*bogus/s);

  h.writeFiles(ws, { 'migralint.toml': 'ignore = ["no-such-rule"]\n' });
  r = h.runAction({ workspace: ws, eventName: 'push' });
  assert.equal(r.code, 2);
  assert.match(r.commands[0].message, /^migralint\.toml: invalid config: .*line 1.*unknown rule `no-such-rule`/s);

  const empty = h.tmpdir('empty');
  h.writeFiles(empty, { 'README.md': 'x\n' });
  r = h.runAction({ workspace: empty, eventName: 'push' });
  assert.equal(r.code, 2);
  assert.match(r.commands[0].message, /^no migrations found: none of migrations, db\/migrations, .* set the path input$/);
});

test('finding the migrations: path input, migralint.toml, usual places, a scan, a checkout in a subdirectory', () => {
  const ws = h.tmpdir('find');
  const sql = 'CREATE TABLE t (c int);\n';
  h.writeFiles(ws, {
    'db/migrations/000001_a.up.sql': sql,
    'sql/schema/000001_b.up.sql': sql,
    'deploy/postgres/changes/000001_c.up.sql': sql,
  });
  const dirOf = (r) => /^Migrations: (.*)$/m.exec(r.stdout)[1];
  assert.equal(dirOf(h.runAction({ workspace: ws, eventName: 'push' })), 'db/migrations (1 SQL file; found automatically)');
  assert.equal(
    dirOf(h.runAction({ workspace: ws, eventName: 'push', inputs: { path: './sql/schema/' } })),
    'sql/schema (1 SQL file; input path)',
  );
  h.writeFiles(ws, { 'migralint.toml': '# where\nmigrations = "sql/schema" # the schema\n\n[naming]\ntitle = "^[a-z_]+$"\n' });
  assert.equal(dirOf(h.runAction({ workspace: ws, eventName: 'push' })), 'sql/schema (1 SQL file; migrations in migralint.toml)');
  h.writeFiles(ws, { 'migralint.toml': null, 'db/migrations/000001_a.up.sql': null, 'sql/schema/000001_b.up.sql': null });
  assert.equal(dirOf(h.runAction({ workspace: ws, eventName: 'push' })), 'deploy/postgres/changes (1 SQL file; found automatically)');
  h.writeFiles(ws, { 'tools/pg/000001_d.up.sql': sql });
  const r = h.runAction({ workspace: ws, eventName: 'push' });
  assert.equal(r.code, 2);
  assert.equal(
    r.commands[0].message,
    'several directories hold migrations (deploy/postgres/changes, tools/pg): set the path input to the one to lint',
  );

  // actions/checkout with `path: shop`: the repository is a subdirectory
  // of the workspace; annotations are relative to the repository root.
  const outer = h.tmpdir('outer');
  h.git(outer, 'clone', '-q', repo.origin, 'shop');
  h.git(path.join(outer, 'shop'), 'checkout', '-q', '--detach', repo.mergeSha);
  const sub = h.runAction({ workspace: outer, event: h.prEvent(repo), inputs: { path: 'shop/db/migrations' } });
  const exp = h.expected(h.dirFiles(path.join(outer, 'shop'), DIR), { reportOnly: CHANGED });
  assert.deepEqual(h.annotationLines(sub), h.expectedAnnotations(exp));
});

test('migralint.toml and the pg-version input reach the linter', () => {
  const ws = h.tmpdir('config');
  h.writeFiles(ws, {
    'migrations/000001_mood.up.sql': "CREATE TYPE mood AS ENUM ('sad');\n",
    'migrations/000002_more_mood.up.sql': "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;\n",
    'migrations/000003_index.up.sql': 'CREATE TABLE t (c int);\n',
    'migrations/000004_index.up.sql': 'CREATE INDEX t_c ON t (c);\n',
    // Before PostgreSQL 11 a column with a default rewrites the table.
    'migrations/000005_column.up.sql': 'ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 0;\n',
  });
  const files = h.dirFiles(ws, 'migrations');
  const run = (inputs = {}) => h.runAction({ workspace: ws, eventName: 'push', inputs });

  const dflt = h.expected(files);
  assert.deepEqual(h.annotationLines(run()), h.expectedAnnotations(dflt));
  const pg10 = h.expected(files, { config: { 'pg-version': 10 } });
  assert.notDeepEqual(pg10.github, dflt.github, 'the fixture depends on the PostgreSQL version');
  assert.deepEqual(h.annotationLines(run({ 'pg-version': '10' })), h.expectedAnnotations(pg10));

  // The input wins over the file; the file's other keys stay.
  const toml = '"pg-version" = 15\nignore = ["require-concurrent-index-creation"]\n';
  h.writeFiles(ws, { 'conf/lint.toml': toml });
  const both = h.expected(files, { config: { 'pg-version': 10, ignore: ['require-concurrent-index-creation'] } });
  assert.notDeepEqual(both.github, h.expected(files, { config: toml }).github);
  const r = run({ 'pg-version': '10', config: 'conf/lint.toml' });
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(both));
  assert.ok(!r.stdout.includes('require-concurrent-index-creation'));
  assert.match(r.stdout, /^Config: conf\/lint\.toml; pg-version 10 from the input$/m);
  assert.deepEqual(h.annotationLines(run({ config: 'conf/lint.toml' })), h.expectedAnnotations(h.expected(files, { config: toml })));
});

test('files that are not UTF-8 are reported as the core reports them', () => {
  const ws = h.tmpdir('latin1');
  h.writeFiles(ws, {
    'migrations/000001_a.up.sql': Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xe9, 0x27, 0x3b, 0x0a]),
  });
  const r = h.runAction({ workspace: ws, eventName: 'push' });
  const exp = h.expected(h.dirFiles(ws, 'migrations'));
  assert.ok(exp.report.diagnostics.some((d) => d.rule === 'syntax-error' && /UTF-8/.test(d.message)));
  assert.deepEqual(h.annotationLines(r), h.expectedAnnotations(exp));
});

test('without GITHUB_STEP_SUMMARY and GITHUB_OUTPUT the action still runs', () => {
  const ws = h.cloneFull(repo, repo.mergeSha);
  const r = h.runAction({
    workspace: ws,
    event: h.prEvent(repo),
    env: { GITHUB_STEP_SUMMARY: undefined, GITHUB_OUTPUT: undefined },
  });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^GITHUB_STEP_SUMMARY is not set: no job summary written$/m);
});

test('action.yml: the inputs and outputs the code reads, node24, the committed bundle', () => {
  const yml = h.actionYml();
  assert.deepEqual(Object.keys(yml.inputs), ['path', 'config', 'pg-version', 'only-changed', 'fail-on', 'sarif-file']);
  assert.deepEqual(
    Object.fromEntries(Object.entries(yml.inputs).map(([k, v]) => [k, v.default])),
    { path: '', config: '', 'pg-version': '', 'only-changed': 'auto', 'fail-on': 'error', 'sarif-file': '' },
  );
  assert.deepEqual(yml.outputs, ['errors', 'warnings', 'sarif-file']);
  assert.deepEqual(yml.runs, { using: 'node24', main: 'dist/index.js' });
  const text = fs.readFileSync(path.join(h.ACTION_DIR, 'action.yml'), 'utf8');
  assert.match(text, /^name: migralint$/m);
  assert.match(text, /^description: /m);
  assert.match(text, /^branding:\n  icon: database\n  color: blue$/m);
  assert.ok(fs.existsSync(path.join(h.ACTION_DIR, 'dist', 'migralint_wasm_bg.wasm')));
  // The bundle needs nothing from node_modules at run time.
  const bundle = fs.readFileSync(path.join(h.ACTION_DIR, 'dist', 'index.js'), 'utf8');
  const requires = [...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(requires)].filter((m) => !m.startsWith('node:') && m !== 'fs'), []);
});
