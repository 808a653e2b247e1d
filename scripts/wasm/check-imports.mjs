// Fails when a .wasm imports anything but wasm-bindgen's own glue.
// migralint's wasm must load in any bundler, browser or Node without a WASI
// shim: leftover wasi_snapshot_preview1 / env imports are defined inside the
// module (crates/migralint-wasm/csrc/wasi_stubs.c, wasi-libc's emulation libs).
//
// Usage: node check-imports.mjs <file.wasm> [--allow-module NAME ...]
import { readFileSync } from 'node:fs';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node check-imports.mjs <file.wasm>');
  process.exit(2);
}
// Before wasm-bindgen runs, the raw module imports wasm-bindgen's
// placeholders; after it, the generated JS module (./migralint_wasm_bg.js or
// "wbg").
const allowed = new Set(['__wbindgen_placeholder__', '__wbindgen_externref_xform__', 'wbg', './migralint_wasm_bg.js']);
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--allow-module') allowed.add(rest[++i]);
}
const module = new WebAssembly.Module(readFileSync(file));
const imports = WebAssembly.Module.imports(module);
const bad = imports.filter((i) => !allowed.has(i.module));
if (bad.length > 0) {
  console.error(`${file}: unexpected imports (define them inside the module):`);
  for (const i of bad) console.error(`  ${i.module}.${i.name} (${i.kind})`);
  process.exit(1);
}
console.error(`${file}: ${imports.length} imports, all from wasm-bindgen`);
