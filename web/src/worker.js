// Runs the wasm build of migralint (crates/migralint-wasm, pkg/web) off the
// main thread. A Rust panic aborts a wasm instance for good, so linting
// lives in a worker the page can throw away and start again.
import init, { lint, lintFormat, rules, explain, version } from 'migralint-wasm/migralint_wasm.js';
import wasmUrl from 'migralint-wasm/migralint_wasm_bg.wasm?url';
import { enabledByDefault } from './examples.js';

const ready = (async () => {
  const t0 = performance.now();
  await init({ module_or_path: wasmUrl });
  const initMs = performance.now() - t0;
  // The engine compiles wasm functions on first use: lint a tiny migration
  // now, while the page is still loading, rather than on the first edit.
  const t1 = performance.now();
  lint([{ path: '000001_warm_up.up.sql', text: 'CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN c int NOT NUL;\n' }], null, null);
  const warmUpMs = performance.now() - t1;
  const list = JSON.parse(rules());
  const docs = {};
  for (const r of list) {
    docs[r.name] = explain(r.name);
    r.enabled = enabledByDefault(r, docs[r.name]);
  }
  return { version: version(), rules: list, docs, initMs, warmUpMs };
})();

self.onmessage = async (event) => {
  const msg = event.data;
  let info;
  try {
    info = await ready;
  } catch (e) {
    self.postMessage({ type: 'fatal', message: String(e && e.message ? e.message : e) });
    return;
  }
  try {
    switch (msg.type) {
      case 'hello':
        self.postMessage({ type: 'ready', ...info });
        break;
      case 'lint': {
        const t0 = performance.now();
        const json = lint(msg.files, msg.config, null);
        const report = JSON.parse(json);
        const ms = performance.now() - t0;
        self.postMessage({ type: 'result', id: msg.id, report, json, ms });
        break;
      }
      case 'format': {
        const text = lintFormat(msg.files, msg.config, null, msg.format);
        self.postMessage({ type: 'formatted', id: msg.id, format: msg.format, text });
        break;
      }
      default:
        break;
    }
  } catch (e) {
    const message = String(e && e.message ? e.message : e);
    // A RuntimeError is a bug in the linter (a panic): the instance is gone.
    const crashed = e instanceof WebAssembly.RuntimeError;
    self.postMessage({ type: 'error', id: msg.id, message, crashed });
  }
};
