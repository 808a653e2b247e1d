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
