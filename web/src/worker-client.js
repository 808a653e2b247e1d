// The linter worker (worker.js) as the page sees it: one worker at a time,
// messages routed by type to the modules that handle them. A panic in the
// linter kills only the worker: `restart()` starts a new one.
import { store } from './app-store.js';

const handlers = new Map();
let worker = null;

/** `fn(message)` for every message of `type` from the worker. */
export function onWorker(type, fn) {
  handlers.set(type, fn);
}

function route(msg) {
  const fn = handlers.get(msg.type);
  if (fn) fn(msg);
}

/** Shows that migralint could not start or run at all. */
export function showFatal(message) {
  store.dispatch({ type: 'summary', text: message, kind: 'error' });
}

function watch(w) {
  w.onerror = (e) => {
    showFatal(`could not start migralint: ${e.message || 'the worker failed to load'}`);
  };
  return w;
}

/** Takes over boot.js's worker (which buffers its messages until
 *  `takeBootMessages`), or starts a new one. */
export function startWorker(boot = null) {
  if (boot) {
    worker = watch(boot.worker);
  } else {
    worker = watch(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
    worker.onmessage = (e) => route(e.data);
    worker.postMessage({ type: 'hello' });
  }
}

/** From now on the page takes boot.js's worker's messages, those that came
 *  already first. */
export function takeBootMessages(boot) {
  const early = boot.messages.splice(0);
  boot.worker.onmessage = (e) => route(e.data);
  early.forEach(route);
}

/** After a crash: a new worker (it says 'ready' again). */
export function restartWorker() {
  worker.terminate();
  startWorker();
}

export function post(msg) {
  worker.postMessage(msg);
}
