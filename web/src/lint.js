// The lint loop: every change the lint depends on (the store's `inputs`)
// lints the files again in the worker, at once or after a short pause
// while typing; one lint at a time, and a result that is out of date when
// it arrives is dropped for a new lint. Also the status bar's times.
import { store } from './app-store.js';
import { el } from './dom.js';
import { fileTexts, viewAt } from './files.js';
import { rangeOf } from './positions.js';
import { filesForLint, settingsOf } from './state.js';
import { onWorker, post, restartWorker } from './worker-client.js';

const LINT_DEBOUNCE_MS = 150;
/** Changes that come while typing: linted after a pause. */
const DEBOUNCED = new Set(['text/edit', 'file/rename']);

const loop = {
  lintId: 0,
  inFlight: null, // {id, version, posted}
  lintAgain: false,
  timer: 0,
  appliedVersion: -1,
  lintCount: 0,
  firstResultShown: false,
  selectRuleAfterLint: null,
};
let resultListener = () => {};

/** `fn(selectRule)` after each lint result is shown; `selectRule` is the
 *  rule to show (an example was loaded for it) or null. */
export function onResultShown(fn) {
  resultListener = fn;
}

/** After the next result, select the first problem of `rule` (or show its
 *  page). */
export function selectRuleAfterLint(rule) {
  loop.selectRuleAfterLint = rule;
}

/** The files as the CLI reads them: sorted by path. */
export function lintFiles() {
  return filesForLint(fileTexts());
}

/** The settings the worker turns into a migralint config. */
export function lintSettings() {
  return settingsOf(store.getState());
}

/** True when the problems shown are those of the files as they are now. */
export function settled() {
  const state = store.getState();
  return state.report != null && !loop.inFlight && !loop.timer && loop.appliedVersion === state.inputs;
}

function runLint() {
  clearTimeout(loop.timer);
  loop.timer = 0;
  // Before the worker is ready too: it lints as soon as the wasm is.
  if (loop.inFlight) {
    loop.lintAgain = true;
    return;
  }
  const id = ++loop.lintId;
  loop.inFlight = { id, version: store.getState().inputs, posted: performance.now() };
  post({ type: 'lint', id, files: lintFiles(), settings: lintSettings() });
}

function schedule(action) {
  clearTimeout(loop.timer);
  if (action.firstLint) {
    // boot.js already sent the lint of this very state: wait for it.
    loop.timer = 0;
    const { id, posted } = action.firstLint;
    loop.inFlight = { id, version: store.getState().inputs, posted };
  } else if (DEBOUNCED.has(action.type)) {
    loop.timer = setTimeout(() => {
      loop.timer = 0;
      runLint();
    }, LINT_DEBOUNCE_MS);
  } else {
    runLint();
  }
}

function onLintResult(msg) {
  const request = loop.inFlight;
  loop.inFlight = null;
  if (!request || request.id !== msg.id) return;
  if (loop.lintAgain || request.version !== store.getState().inputs) {
    // The files changed while it ran: its positions are out of date.
    loop.lintAgain = false;
    runLint();
    return;
  }
  loop.appliedVersion = request.version;
  showReport(msg, performance.now() - request.posted);
}

function showReport(msg, roundTripMs) {
  const { report, ms } = msg;
  const state = store.getState();
  const previous = state.diagnostics[state.selected];
  const byName = new Map(state.files.map((f, i) => [f.name, i]));
  const diagnostics = report.diagnostics.map((d, index) => {
    const fileIndex = byName.has(d.file) ? byName.get(d.file) : -1;
    const range = fileIndex >= 0 ? rangeOf(viewAt(fileIndex).state.doc, d) : { from: 0, to: 0 };
    return { ...d, index, fileIndex, ...range };
  });
  // Keep the selection on the same problem when it is still there.
  const selected = previous
    ? diagnostics.findIndex((d) => d.rule === previous.rule && d.file === previous.file && d.line === previous.line)
    : -1;
  store.dispatch({ type: 'lint/result', report, json: msg.json, diagnostics, selected });
  const { errors, warnings } = report.summary;
  const parts = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  store.dispatch({
    type: 'summary',
    text: parts.length ? parts.join(', ') : 'No problems',
    kind: errors ? 'error' : warnings ? 'warning' : 'ok',
  });
  loop.lintCount++;
  // The first run includes the engine compiling the wasm code it uses.
  el.statusLint.textContent =
    `Linted ${report.summary.files} file${report.summary.files === 1 ? '' : 's'} in ${formatMs(ms)}` +
    (loop.lintCount === 1 ? ' (first run)' : '');
  el.statusLint.dataset.ms = ms.toFixed(3);
  el.statusLint.dataset.roundTripMs = roundTripMs.toFixed(3);
  el.statusLint.dataset.seq = String(loop.lintCount);
  el.summary.dataset.seq = String(loop.lintCount);
  if (!loop.firstResultShown) {
    loop.firstResultShown = true;
    const ready = performance.now();
    const d = el.statusLoad.dataset;
    d.readyMs = ready.toFixed(1);
    d.wasmMs = msg.initMs.toFixed(1);
    d.firstLintMs = ms.toFixed(1);
    // When the worker's script started and its wasm was ready, on this
    // page's clock.
    for (const [k, t] of Object.entries(msg.times || {})) {
      d[`worker${k[0].toUpperCase()}${k.slice(1)}Ms`] = (t - performance.timeOrigin).toFixed(1);
    }
    el.statusLoad.textContent = `Ready in ${Math.round(ready)} ms (wasm ${Math.round(msg.initMs)} ms)`;
  }
  const rule = loop.selectRuleAfterLint;
  loop.selectRuleAfterLint = null;
  resultListener(rule);
}

function formatMs(ms) {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

function onLintError(msg) {
  loop.inFlight = null;
  if (msg.crashed) {
    // A panic in the linter: this wasm instance is gone. Start a new one;
    // the next edit lints again.
    store.dispatch({
      type: 'summary',
      text:
        'migralint crashed on this input (SQL nested deeper than this browser allows, or a bug in migralint: please report it with the share link). Edit to lint again.',
      kind: 'error',
    });
    restartWorker();
    return;
  }
  store.dispatch({ type: 'summary', text: `migralint could not lint: ${msg.message}`, kind: 'error' });
  if (loop.lintAgain) {
    loop.lintAgain = false;
    runLint();
  }
}

/** Makes the worker fail the way a panic in the linter does (tests). */
export function simulateCrash() {
  const id = ++loop.lintId;
  loop.inFlight = { id, version: store.getState().inputs, posted: performance.now() };
  post({ type: 'simulate-crash', id });
}

export function initLint() {
  onWorker('result', onLintResult);
  onWorker('error', onLintError);
  store.subscribe((state, prev, action) => {
    if (state.inputs !== prev.inputs) schedule(action);
  });
}
