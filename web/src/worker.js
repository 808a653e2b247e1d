// Runs the wasm build of migralint (crates/migralint-wasm, pkg/web) off the
// main thread. A Rust panic aborts a wasm instance for good, so linting
// lives in a worker the page can throw away and start again.
//
// Messages in: {type: 'lint', id, files, settings}, {type: 'format', id,
// format, files, settings}, {type: 'fix', id, files, settings, unsafe,
// diagnostic}, {type: 'hello'}. Out: 'result', 'formatted', 'fixed',
// 'ready' (version, rules, their pages), 'error', 'fix-error', 'fatal'.
import init, { applyFixes, lint, lintFormat, rules, explain, version } from 'migralint-wasm/migralint_wasm.js';
import wasmUrl from 'migralint-wasm/migralint_wasm_bg.wasm?url';
import { enabledByDefault } from './examples.js';

// Wall-clock times (ms since the epoch) for the page's load-time breakdown.
const times = { scriptStart: performance.timeOrigin + performance.now() };
let initMs = null;

const wasmReady = (async () => {
  const t0 = performance.now();
  await init({ module_or_path: wasmUrl });
  initMs = performance.now() - t0;
  times.wasmReady = performance.timeOrigin + performance.now();
})();

let ruleList = null;
function ruleInfo() {
  if (!ruleList) ruleList = JSON.parse(rules());
  return ruleList;
}

/** The migralint config (the keys of migralint.toml) for the page's
 *  settings; rules this build does not know are left out. */
function configFor(settings) {
  if (!settings) return null;
  const config = {};
  if (settings.pg != null) config['pg-version'] = settings.pg;
  if (settings.multiStatement) config['multi-statement'] = true;
  const levels = {};
  for (const [name, v] of Object.entries(settings.rules || {})) {
    const rule = ruleInfo().find((r) => r.name === name);
    if (rule) levels[name] = v === 'off' ? 'off' : rule.severity;
  }
  if (Object.keys(levels).length) config.rules = levels;
  return Object.keys(config).length ? config : null;
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    await wasmReady;
  } catch (e) {
    self.postMessage({ type: 'fatal', message: String(e && e.message ? e.message : e) });
    return;
  }
  try {
    switch (msg.type) {
      case 'hello': {
        const docs = {};
        const list = ruleInfo().map((r) => {
          docs[r.name] = explain(r.name);
          return { ...r, enabled: enabledByDefault(r, docs[r.name]) };
        });
        self.postMessage({ type: 'ready', version: version(), rules: list, docs, initMs, times });
        break;
      }
      case 'lint': {
        const t0 = performance.now();
        const json = lint(msg.files, configFor(msg.settings), null);
        const report = JSON.parse(json);
        const ms = performance.now() - t0;
        self.postMessage({ type: 'result', id: msg.id, report, json, ms, initMs, times });
        break;
      }
      case 'format': {
        const text = lintFormat(msg.files, configFor(msg.settings), null, msg.format);
        self.postMessage({ type: 'formatted', id: msg.id, format: msg.format, text });
        break;
      }
      case 'fix': {
        // One diagnostic's fix (the one the page showed: found again in a
        // lint of these files, or the files changed since), or every fix.
        const config = configFor(msg.settings);
        let diagnostics = null;
        if (msg.diagnostic) {
          const found = JSON.parse(lint(msg.files, config, null)).diagnostics;
          const want = msg.diagnostic;
          const same = (d) =>
            d && d.rule === want.rule && d.file === want.file && d.line === want.line && d.column === want.column && d.message === want.message;
          const k = same(found[want.index]) ? want.index : found.findIndex(same);
          if (k < 0) {
            self.postMessage({ type: 'fixed', id: msg.id, stale: true });
            break;
          }
          diagnostics = [k];
        }
        const outcome = applyFixes(msg.files, config, { unsafe: !!msg.unsafe, diagnostics });
        self.postMessage({ type: 'fixed', id: msg.id, outcome });
        break;
      }
      case 'simulate-crash':
        // For the tests of the page's recovery: what a Rust panic looks like.
        throw new WebAssembly.RuntimeError('unreachable executed (simulated)');
      default:
        break;
    }
  } catch (e) {
    const message = String(e && e.message ? e.message : e);
    // The instance is gone after a trap: a panic (a bug in migralint) or
    // the engine's stack overflowing on deeply nested SQL (RangeError).
    // wasm-bindgen's glue reports the trap, then "Module terminated" for it
    // and every later call.
    const crashed =
      e instanceof WebAssembly.RuntimeError || e instanceof RangeError || /^Module terminated/.test(message);
    const type = msg.type === 'fix' && !crashed ? 'fix-error' : 'error';
    self.postMessage({ type, id: msg.id, message, crashed });
  }
};
