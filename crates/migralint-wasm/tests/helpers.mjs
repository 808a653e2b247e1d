// Shared helpers for the Node tests of the wasm build (node --test).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const crateDir = resolve(here, '..');
export const repoRoot = resolve(crateDir, '..', '..');
export const pkgDir = join(crateDir, 'pkg');

function requireBuilt(dir) {
  const js = join(pkgDir, dir, 'migralint_wasm.js');
  if (!existsSync(js)) {
    throw new Error(`${js} is missing: build it first with scripts/build-wasm.sh`);
  }
  return js;
}

/** The nodejs build (pkg/node), as the GitHub Action loads it. */
export function loadNode() {
  return createRequire(import.meta.url)(requireBuilt('node'));
}

/** The web build (pkg/web), initialised synchronously from the .wasm bytes. */
export async function loadWeb() {
  const mod = await import(pathToFileURL(requireBuilt('web')).href);
  mod.initSync({ module: readFileSync(join(pkgDir, 'web', 'migralint_wasm_bg.wasm')) });
  return mod;
}

/** The five deep shapes of crates/migralint-cli/tests/bad_input.rs:
 *  [name, text(depth), the issue's depth, the deepest libpg_query accepts]. */
const cols = (n, f) => Array.from({ length: n }, (_, i) => f(i));
export const DEEP_SHAPES = [
  ['nested CASE', (n) => `SELECT ${'CASE WHEN x > 0 THEN '.repeat(n)}1${' ELSE 0 END'.repeat(n)} FROM t;`, 24, 1999],
  ['nested subqueries', (n) => `SELECT ${'(SELECT '.repeat(n)}1${')'.repeat(n)};`, 16, 1665],
  ['|| chain', (n) => `SELECT ${cols(n, (i) => `c${i}`).join(' || ')} FROM t;`, 48, 4996],
  ['UNION ALL', (n) => `${cols(n, (i) => `SELECT ${i}`).join(' UNION ALL ')};`, 95, 8735],
  [
    'tsvector index',
    (n) =>
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS docs_search ON docs USING gin (to_tsvector('english', ${cols(n, (i) => `coalesce(c${i}, '')`).join(" || ' ' || ")}));`,
    23,
    2497,
  ],
];
