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
  const list = JSON.parse(rules());
  const docs = {};
  for (const r of list) {
    docs[r.name] = explain(r.name);
    r.enabled = enabledByDefault(r, docs[r.name]);
  }
  return { version: version(), rules: list, docs, initMs };
})();

/** The migralint config (the keys of migralint.toml) for the page's
 *  settings; rules this build does not know are left out. */
function configFor(settings, info) {
  if (!settings) return null;
  const config = {};
  if (settings.pg != null) config['pg-version'] = settings.pg;
  if (settings.multiStatement) config['multi-statement'] = true;
  const levels = {};
  for (const [name, v] of Object.entries(settings.rules || {})) {
    const rule = info.rules.find((r) => r.name === name);
    if (rule) levels[name] = v === 'off' ? 'off' : rule.severity;
  }
  if (Object.keys(levels).length) config.rules = levels;
  return Object.keys(config).length ? config : null;
}

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
        const json = lint(msg.files, configFor(msg.settings, info), null);
        const report = JSON.parse(json);
        const ms = performance.now() - t0;
        self.postMessage({ type: 'result', id: msg.id, report, json, ms });
        break;
      }
      case 'format': {
        const text = lintFormat(msg.files, configFor(msg.settings, info), null, msg.format);
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
