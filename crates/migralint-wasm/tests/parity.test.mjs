// Parity: the wasm build under Node must print byte for byte what the native
// CLI prints (`migralint check --format <fmt> <path>`) for
//   - every end-to-end fixture dir tests/fixtures/*/ (json, sarif, github, compact),
//   - every ```sql example in rules/*.md (through the CLI's stdin:
//     `--stdin-filename NAME -`),
//   - the shared corpora (../shared/corpus: real migration folders and
//     PostgreSQL's regression SQL), when present.
//
// The CLI binary: $MIGRALINT_BIN, else target/release/migralint, else
// target/debug/migralint. Build both first:
//   cargo build --release -p migralint-cli && scripts/build-wasm.sh --node-only
//   node --test crates/migralint-wasm/tests/
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';

import { Worker } from 'node:worker_threads';

import { DEEP_SHAPES, loadNode, pkgDir, repoRoot } from './helpers.mjs';

const mlw = loadNode();
const FORMATS = ['json', 'sarif', 'github', 'compact'];

function findCli() {
  const candidates = [
    process.env.MIGRALINT_BIN,
    join(repoRoot, 'target', 'release', 'migralint'),
    join(repoRoot, 'target', 'debug', 'migralint'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`no migralint binary (tried ${candidates.join(', ')}): cargo build --release -p migralint-cli`);
  }
  return found;
}
const cli = findCli();

/** Runs the native CLI from the repository root; returns stdout. */
function native(args, input) {
  const r = spawnSync(cli, ['check', ...args], {
    cwd: repoRoot,
    input,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 300_000,
  });
  if (r.error) throw r.error;
  // 0: clean, 1: errors found. Anything else means the tool failed.
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`migralint check ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  return r.stdout;
}

/** The config the CLI picks up by itself: migralint.toml in its working
 *  directory (the repository root) or a parent. */
function discoveredConfig() {
  for (let dir = repoRoot; ; dir = dirname(dir)) {
    const file = join(dir, 'migralint.toml');
    if (existsSync(file)) return readFileSync(file, 'utf8');
    if (dirname(dir) === dir) return null;
  }
}
const defaultConfig = discoveredConfig();

/** The files `migralint check <dir>` reads, as {path, text: bytes}, with
 *  the paths the CLI prints (dir relative to the repository root): the
 *  wasm build's walkEntries (the core's walk decisions, which the CLI's
 *  collect.rs follows too) over the directory, each real directory once. */
function collect(absDir) {
  const rel = relative(repoRoot, absDir).split(sep).join('/');
  const out = [];
  const seen = new Set();
  const walk = (d, shown) => {
    const real = realpathSync(d);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = readdirSync(d, { withFileTypes: true }).map((e) => ({
      name: e.name,
      dir: e.isDirectory() || (e.isSymbolicLink() && statSync(join(d, e.name), { throwIfNoEntry: false })?.isDirectory() === true),
    }));
    for (const e of mlw.walkEntries(entries)) {
      if (e.dir) walk(join(d, e.name), `${shown}/${e.name}`);
      else out.push(`${shown}/${e.name}`);
    }
  };
  walk(absDir, rel);
  return out.map((path) => ({ path, text: readFileSync(join(repoRoot, path)) }));
}

function assertSame(actual, expected, what) {
  if (actual === expected) return;
  // Show the first differing line rather than two huge strings.
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((line, k) => line !== e[k]);
  const at = i === -1 ? Math.min(a.length, e.length) : i;
  assert.fail(
    `${what}: wasm output differs from the native CLI at line ${at + 1}\n` +
      `  native: ${JSON.stringify(e[at])}\n  wasm:   ${JSON.stringify(a[at])}\n` +
      `  (${expected.length} vs ${actual.length} bytes)`,
  );
}

/** Lints a directory both ways and compares every format. */
function checkDir(absDir, formats, config = defaultConfig, cliArgs = []) {
  const rel = relative(repoRoot, absDir).split(sep).join('/');
  const files = collect(absDir);
  assert.ok(files.length > 0, `${rel} holds no .sql file`);
  for (const format of formats) {
    const expected = native(['--format', format, ...cliArgs, rel]);
    const actual = mlw.lintFormat(files, config, null, format);
    assertSame(actual, expected, `${rel} --format ${format}`);
  }
  return files.length;
}

/** Runs another CLI subcommand; returns stdout. */
function nativeCmd(args, status = 0) {
  const r = spawnSync(cli, args, { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, status, `migralint ${args.join(' ')}: ${r.stderr}`);
  return status === 0 ? r.stdout : r.stderr;
}

test('rules() is `migralint rules --format json`; explain(rule) is `migralint explain rule`', () => {
  assertSame(mlw.rules(), nativeCmd(['rules', '--format', 'json']), 'rules');
  for (const { name } of JSON.parse(mlw.rules())) {
    assertSame(mlw.explain(name), nativeCmd(['explain', name]), `explain ${name}`);
  }
  // An unknown rule: the same message (the CLI adds where the list is).
  for (const name of ['syntax-erorr', 'no-such-rule-anywhere']) {
    let message = null;
    try {
      mlw.explain(name);
    } catch (e) {
      message = e.message;
    }
    assert.equal(nativeCmd(['explain', name], 2), `migralint: error: ${message} (\`migralint rules\` lists them)\n`);
  }
});

describe('tests/fixtures/*/ (native CLI vs wasm)', () => {
  const root = join(repoRoot, 'tests', 'fixtures');
  const dirs = existsSync(root)
    ? readdirSync(root)
        .filter((d) => statSync(join(root, d)).isDirectory())
        .sort()
    : [];
  if (dirs.length === 0) {
    test('fixtures', { skip: 'no fixture dirs under tests/fixtures yet' }, () => {});
  }
  for (const name of dirs) {
    test(name, () => {
      const dir = join(root, name);
      // A fixture may carry its own config; the CLI is then given it.
      const toml = join(dir, 'migralint.toml');
      if (existsSync(toml)) {
        checkDir(dir, FORMATS, readFileSync(toml, 'utf8'), ['--config', relative(repoRoot, toml)]);
      } else {
        checkDir(dir, FORMATS);
      }
    });
  }
});

/** ```sql blocks of a Markdown page: {sql, file} where file is the info
 *  string's `file=NAME` when given. */
function sqlBlocks(markdown) {
  const blocks = [];
  const re = /^(`{3,}|~{3,})[ \t]*sql\b([^\n]*)\n([\s\S]*?)^\1[ \t]*$/gm;
  for (let m; (m = re.exec(markdown)); ) {
    const file = /(?:^|\s)file=(\S+)/.exec(m[2]);
    blocks.push({ sql: m[3], file: file ? file[1] : null });
  }
  return blocks;
}

describe('rules/*.md sql examples (native CLI via stdin vs wasm)', () => {
  const dir = join(repoRoot, 'rules');
  const pages = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md')).sort() : [];
  if (pages.length === 0) {
    test('rule pages', { skip: 'no rules/*.md yet' }, () => {});
  }
  for (const page of pages) {
    test(page, () => {
      const blocks = sqlBlocks(readFileSync(join(dir, page), 'utf8'));
      assert.ok(blocks.length > 0, `${page} has no sql example`);
      blocks.forEach(({ sql, file }, i) => {
        const path = file ?? `000001_example_${i + 1}.up.sql`;
        for (const format of ['json', 'compact']) {
          const expected = native(['--format', format, '--stdin-filename', path, '-'], sql);
          const actual = mlw.lintFormat([{ path, text: sql }], defaultConfig, null, format);
          assertSame(actual, expected, `${page} example ${i + 1} --format ${format}`);
        }
      });
    });
  }
});

describe('shared corpora (native CLI vs wasm)', () => {
  const corpus = join(repoRoot, '..', 'shared', 'corpus');
  const present = existsSync(corpus);
  const skip = present ? false : `${corpus} is absent`;
  const realworld = join(corpus, 'realworld');
  const folders = present
    ? readdirSync(realworld)
        .filter((d) => d !== 'LICENSES' && statSync(join(realworld, d)).isDirectory())
        .sort()
    : ['(absent)'];
  for (const name of folders) {
    test(`realworld/${name}`, { skip }, () => {
      checkDir(join(realworld, name), ['json', 'sarif']);
    });
  }
  test('postgres-regress (223 files of PostgreSQL regression SQL, one not UTF-8)', { skip }, () => {
    assert.ok(checkDir(join(corpus, 'postgres-regress'), ['json']) >= 200);
  });
});

/** Writes `files` ({path, text}, paths relative to a new temporary
 *  directory, all in `m/`) there, runs `migralint check --fix
 *  [--unsafe-fixes] --format json m` in it, and compares what the CLI wrote
 *  and printed with applyFixes on the same files. Returns the number of
 *  fixes applied. */
function compareFixes(files, unsafe, what) {
  const dir = mkdtempSync(join(tmpdir(), 'migralint-wasm-fix-'));
  try {
    for (const f of files) {
      const p = join(dir, ...f.path.split('/'));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.text);
    }
    const args = ['check', '--fix', ...(unsafe ? ['--unsafe-fixes'] : []), '--format', 'json', 'm'];
    const r = spawnSync(cli, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw r.error;
    assert.ok(r.status === 0 || r.status === 1, `${what}: migralint ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    const out = mlw.applyFixes(files, null, { unsafe });
    assertSame(out.report, r.stdout, `${what}: the report after fixing`);
    for (const f of files) {
      const fixed = out.files.find((x) => x.path === f.path);
      assertSame(fixed ? fixed.text : String(f.text), readFileSync(join(dir, ...f.path.split('/')), 'utf8'), `${what}: ${f.path}`);
    }
    for (const f of out.files.filter((x) => x.created)) {
      assertSame(f.text, readFileSync(join(dir, ...f.path.split('/')), 'utf8'), `${what}: created ${f.path}`);
    }
    return out.applied.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files of a page's `sql bad` example, as the core's page test reads
 *  them (a block may name its file, or hold several `-- file: NAME`). */
function badExamples(markdown) {
  const out = [];
  const re = /^```sql bad([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m; (m = re.exec(markdown)); ) {
    const named = /(?:^|\s)file=(\S+)/.exec(m[1]);
    let current = named ? named[1] : '000001_example.up.sql';
    const files = [];
    let text = '';
    for (const line of m[2].replace(/\n$/, '').split('\n')) {
      if (line.startsWith('-- file: ')) {
        if (text.trim() !== '' || files.length > 0 || current !== '000001_example.up.sql') files.push({ name: current, text });
        text = '';
        current = line.slice('-- file: '.length).trim();
      } else {
        text += `${line}\n`;
      }
    }
    files.push({ name: current, text });
    out.push(files);
  }
  return out;
}

describe('applyFixes vs `migralint check --fix [--unsafe-fixes]`', () => {
  test('every rule page\'s bad examples', () => {
    let applied = 0;
    let examples = 0;
    for (const page of readdirSync(join(repoRoot, 'rules')).filter((f) => f.endsWith('.md')).sort()) {
      badExamples(readFileSync(join(repoRoot, 'rules', page), 'utf8')).forEach((example, i) => {
        const files = example
          .map((f) => ({ path: `m/${f.name}`, text: f.text }))
          .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
        // The CLI reads the directory: every file must be one it reads.
        const read = mlw.walkEntries(example.map((f) => ({ name: f.name, dir: false })));
        if (read.length !== files.length || new Set(files.map((f) => f.path)).size !== files.length) return;
        examples++;
        for (const unsafe of [false, true]) applied += compareFixes(files, unsafe, `${page} bad example ${i + 1}${unsafe ? ' (unsafe)' : ''}`);
      });
    }
    assert.ok(examples > 40, `${examples} examples`);
    assert.ok(applied > 0, 'some fixes were applied');
  });

  test('tests/fixtures/*/', () => {
    const root = join(repoRoot, 'tests', 'fixtures');
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (!statSync(dir).isDirectory() || existsSync(join(dir, 'migralint.toml'))) continue;
      const files = collect(dir).map((f) => ({ path: `m/${f.path.slice(relative(repoRoot, dir).length + 1)}`, text: f.text }));
      for (const unsafe of [false, true]) compareFixes(files, unsafe, `${name}${unsafe ? ' (unsafe)' : ''}`);
    }
  });
});

describe('deep nesting (the five shapes of crates/migralint-cli/tests/bad_input.rs)', () => {
  test('at the issue\'s depths, in this thread', () => {
    for (const [name, shape, depth] of DEEP_SHAPES) {
      const path = '000001_deep.up.sql';
      const text = shape(depth);
      for (const format of ['json', 'compact']) {
        assertSame(mlw.lintFormat([{ path, text }], null, null, format), native(['--format', format, '--stdin-filename', path, '-'], text), `${name} ${depth}`);
      }
    }
  });

  test('at the deepest libpg_query accepts, on a worker thread with a 64 MiB stack', async () => {
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const mlw = require(workerData.pkg);
      parentPort.postMessage(workerData.texts.map((text) => mlw.lint([{ path: workerData.path, text }])));
    `;
    const path = '000001_deep.up.sql';
    const texts = DEEP_SHAPES.map(([, shape, , limit]) => shape(limit));
    const out = await new Promise((resolve, reject) => {
      const w = new Worker(source, {
        eval: true,
        resourceLimits: { stackSizeMb: 64 },
        workerData: { pkg: join(pkgDir, 'node', 'migralint_wasm.js'), texts, path },
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
    DEEP_SHAPES.forEach(([name, , , limit], i) => {
      assertSame(out[i], native(['--format', 'json', '--stdin-filename', path, '-'], texts[i]), `${name} ${limit}`);
    });
  });
});
