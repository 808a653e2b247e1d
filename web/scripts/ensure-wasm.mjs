#!/usr/bin/env node
// Makes sure the wasm build of migralint the playground bundles
// (crates/migralint-wasm/pkg/web, from scripts/build-wasm.sh --web-only) is
// there and not older than the Rust sources, the rule pages or Cargo.lock;
// builds it otherwise, so the page always runs the same linter as the CLI.
//
// MIGRALINT_WASM_NO_BUILD=1: never build; fail when the package is missing,
// warn when it looks stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = join(repoRoot, 'crates/migralint-wasm/pkg/web');
const wasm = join(pkg, 'migralint_wasm_bg.wasm');
const js = join(pkg, 'migralint_wasm.js');

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of readdirSync(path)) {
    if (name === 'target' || name === 'pkg' || name === 'node_modules' || name.startsWith('.')) continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

const sources = [
  'crates/migralint-core',
  'crates/migralint-wasm/src',
  'crates/migralint-wasm/csrc',
  'crates/migralint-wasm/build.rs',
  'crates/migralint-wasm/Cargo.toml',
  'rules',
  'Cargo.lock',
  'Cargo.toml',
].map((p) => join(repoRoot, p));

const have = existsSync(wasm) && existsSync(js);
const built = have ? statSync(wasm).mtimeMs : 0;
const changed = Math.max(...sources.map(newest));
const stale = have && changed > built;

if (have && !stale) {
  console.log(`wasm: using ${wasm.slice(repoRoot.length + 1)} (up to date)`);
  process.exit(0);
}
const why = have ? 'older than the Rust sources or rule pages' : 'missing';
if (process.env.MIGRALINT_WASM_NO_BUILD === '1') {
  if (!have) {
    console.error(`wasm: ${pkg} is missing; build it with scripts/build-wasm.sh --web-only`);
    process.exit(1);
  }
  console.warn(`wasm: warning: ${wasm} is ${why}; using it anyway (MIGRALINT_WASM_NO_BUILD=1)`);
  process.exit(0);
}
console.log(`wasm: the web package is ${why}: running scripts/build-wasm.sh --web-only`);
const run = spawnSync('bash', [join(repoRoot, 'scripts/build-wasm.sh'), '--web-only'], {
  cwd: repoRoot,
  stdio: 'inherit',
});
if (run.status !== 0) {
  console.error(
    'wasm: scripts/build-wasm.sh failed. It needs the wasm toolchain (see the top of the script;\n' +
      'scripts/ci/30-wasm.sh installs it). Set MIGRALINT_WASM_NO_BUILD=1 to use an existing build.',
  );
  process.exit(run.status || 1);
}
