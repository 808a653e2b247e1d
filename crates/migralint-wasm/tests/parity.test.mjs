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
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, test } from 'node:test';

import { loadNode, repoRoot } from './helpers.mjs';

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

// Mirrors crates/migralint-cli/src/collect.rs: every file with a .sql
// extension (any case) below the directory, skipping hidden directories and
// node_modules/target/vendor, sorted as Rust sorts paths (component by
// component), displayed as the directory argument joined with the rest.
const SKIP_DIRS = new Set(['node_modules', 'target', 'vendor']);
const isSql = (name) => /\.sql$/i.test(name) && name.length > 4;
function comparePaths(a, b) {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return Buffer.compare(Buffer.from(x[i]), Buffer.from(y[i]));
  }
  return x.length - y.length;
}

/** The files `migralint check <dir>` reads, as {path, text: bytes}, with
 *  the paths the CLI prints (dir relative to the repository root). */
function collect(absDir) {
  const rel = relative(repoRoot, absDir).split(sep).join('/');
  const out = [];
  const walk = (d, shown) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      const s = `${shown}/${entry.name}`;
      if (entry.isDirectory() || (entry.isSymbolicLink() && statSync(p).isDirectory())) {
        if (!entry.name.startsWith('.') && !SKIP_DIRS.has(entry.name)) walk(p, s);
      } else if (isSql(entry.name)) {
        out.push(s);
      }
    }
  };
  walk(absDir, rel);
  return out.sort(comparePaths).map((path) => ({ path, text: readFileSync(join(repoRoot, path)) }));
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
function nativeCmd(args) {
  const r = spawnSync(cli, args, { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `migralint ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('rules() is `migralint rules --format json`; explain(rule) is `migralint explain rule`', () => {
  assertSame(mlw.rules(), nativeCmd(['rules', '--format', 'json']), 'rules');
  for (const { name } of JSON.parse(mlw.rules())) {
    assertSame(mlw.explain(name), nativeCmd(['explain', name]), `explain ${name}`);
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
