// Writes the package.json of a wasm-bindgen output dir so it can be consumed
// as a local npm package (`npm install ../crates/migralint-wasm/pkg/node`) or
// imported directly.
//
// Usage: node write-package-json.mjs <out-dir> <nodejs|web> <version>
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, target, version] = process.argv.slice(2);
const pkg = {
  name: target === 'web' ? 'migralint-wasm-web' : 'migralint-wasm',
  version,
  description: 'migralint (PostgreSQL migration linter) compiled to WebAssembly. Built by scripts/build-wasm.sh; API in crates/migralint-wasm/API.md.',
  license: 'MIT',
  private: true,
  files: ['migralint_wasm.js', 'migralint_wasm.d.ts', 'migralint_wasm_bg.wasm', 'migralint_wasm_bg.wasm.d.ts'],
  main: 'migralint_wasm.js',
  types: 'migralint_wasm.d.ts',
};
if (target === 'web') {
  pkg.type = 'module';
  pkg.module = 'migralint_wasm.js';
  pkg.sideEffects = ['./snippets/*'];
} else {
  pkg.type = 'commonjs';
}
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
