'use strict';
// The linter: migralint's core compiled to WebAssembly (crates/migralint-wasm,
// built by scripts/build-wasm.sh --node-only). The bundle inlines the
// wasm-bindgen glue; the glue reads `migralint_wasm_bg.wasm` next to the
// running script (action/dist/ in the bundle).

let wasm = null;

/** Loads the wasm module on first use (so a load failure is reported, not thrown at import). */
function linter() {
  if (!wasm) {
    // eslint-disable-next-line global-require
    wasm = require('../../crates/migralint-wasm/pkg/node/migralint_wasm.js');
  }
  return wasm;
}

module.exports = { linter };
