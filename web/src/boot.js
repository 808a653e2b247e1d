// The entry point. Starts the linter worker (wasm download and compile)
// and sends it the first lint at once, then loads the page's code: the wasm
// compiles and the first lint runs while the page builds its editors.
import { filesForLint, initialState, settingsOf } from './state.js';

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const messages = [];
worker.onmessage = (e) => messages.push(e.data);
const state = initialState().then((s) => {
  firstLint.posted = performance.now();
  worker.postMessage({ type: 'lint', id: firstLint.id, files: filesForLint(s.files), settings: settingsOf(s) });
  // The rule list and pages (for the menus) after the first diagnostics.
  worker.postMessage({ type: 'hello' });
  return s;
});
const firstLint = { id: 0, posted: 0 };
window.__migralintBoot = { worker, messages, state, firstLint };
import('./main.js');
