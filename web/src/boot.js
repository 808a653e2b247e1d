// The entry point: starts the linter worker (which fetches and compiles the
// wasm) first, then loads the page's code, so the two happen in parallel.
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const messages = [];
worker.onmessage = (e) => messages.push(e.data);
worker.postMessage({ type: 'hello' });
window.__migralintBoot = { worker, messages };
import('./main.js');
