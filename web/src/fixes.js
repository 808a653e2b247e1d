// Fixes: a problem's Fix button (in the hover and the problems panel) and
// "Fix all" apply migralint's fixes to the editor texts. The worker runs
// the wasm build's applyFixes on the files as they are, so a fix that
// conflicts with another or would leave a file that does not parse is
// refused there (and said so here). Unsafe fixes change behaviour: their
// buttons say so.
import { store } from './app-store.js';
import { el } from './dom.js';
import { addFile, setActive, setText } from './files.js';
import { lintFiles, lintSettings, settled } from './lint.js';
import { onWorker, post } from './worker-client.js';

let fixId = 0;
let pending = null; // {id, inputs}

/** 'safe' or 'unsafe': the kind of a diagnostic's preferred fix. */
export function fixApplicability(d) {
  return d.fixes[0].applicability === 'safe' ? 'safe' : 'unsafe';
}

/** The label of a diagnostic's Fix button in the hover. */
export function fixLabel(d) {
  const what = d.fixes[0].message.replace(/`/g, '');
  return `Fix${fixApplicability(d) === 'unsafe' ? ' (unsafe)' : ''}: ${what}`;
}

function note(text) {
  el.fixNote.textContent = text;
  el.fixNote.hidden = !text;
}

function send(request) {
  const id = ++fixId;
  pending = { id, inputs: store.getState().inputs };
  note('');
  post({ type: 'fix', id, files: lintFiles(), settings: lintSettings(), ...request });
}

/** Applies the preferred fix of problem `k` (unsafe ones too: the button
 *  says which it is). */
export function requestFix(k) {
  const d = store.getState().diagnostics[k];
  if (!d || !d.fixes?.length) return;
  if (!settled()) {
    note('The problems are being updated: try again in a moment.');
    return;
  }
  const { rule, file, line, column, message } = d;
  send({ unsafe: true, diagnostic: { index: k, rule, file, line, column, message } });
}

/** Applies every fix of the selected kind: safe ones, or all. */
export function requestFixAll({ unsafe }) {
  if (!settled()) {
    note('The problems are being updated: try again in a moment.');
    return;
  }
  send({ unsafe, diagnostic: null });
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function onFixed(msg) {
  if (!pending || pending.id !== msg.id) return;
  const request = pending;
  pending = null;
  if (msg.stale || request.inputs !== store.getState().inputs) {
    // The text changed since: the fix was computed for another text.
    note('The files changed while the fix was prepared: nothing was changed. Try again.');
    return;
  }
  const { outcome } = msg;
  const state = store.getState();
  let firstChanged = -1;
  for (const f of outcome.files) {
    const i = state.files.findIndex((x) => x.name === f.path);
    if (i >= 0 && !f.created) {
      setText(i, f.text);
      if (firstChanged < 0) firstChanged = i;
    } else if (i < 0) {
      const added = addFile(f.path, f.text);
      if (firstChanged < 0) firstChanged = added;
    }
  }
  if (firstChanged >= 0 && firstChanged !== store.getState().active) setActive(firstChanged, { focus: false });
  const parts = [];
  if (outcome.applied.length) parts.push(`Applied ${plural(outcome.applied.length, 'fix', 'fixes')}.`);
  for (const s of outcome.skipped) parts.push(`Not applied (${s.rule} at ${s.file}:${s.line}): ${s.reason}.`);
  if (!outcome.applied.length && !outcome.skipped.length) parts.push('Nothing to fix.');
  note(parts.join(' '));
}

function onFixError(msg) {
  if (!pending || pending.id !== msg.id) return;
  pending = null;
  note(`The fix could not be applied: ${msg.message}`);
}

/** The "Fix all" buttons: shown when there are fixes of their kind. */
function renderFixAll(state) {
  const fixable = state.diagnostics.filter((d) => d.fixes?.length);
  const safe = fixable.filter((d) => d.fixes.some((f) => f.applicability === 'safe')).length;
  el.fixAll.hidden = safe === 0;
  el.fixAll.textContent = `Fix all safe (${safe})`;
  el.fixAllUnsafe.hidden = fixable.length === 0;
  el.fixAllUnsafe.textContent = `Fix all, unsafe too (${fixable.length})`;
}

export function initFixes() {
  onWorker('fixed', onFixed);
  onWorker('fix-error', onFixError);
  el.fixAll.addEventListener('click', () => requestFixAll({ unsafe: false }));
  el.fixAllUnsafe.addEventListener('click', () => requestFixAll({ unsafe: true }));
  store.subscribe((state, prev, action) => {
    if (state.diagnostics !== prev.diagnostics) renderFixAll(state);
    // Another state (a link, an example): the last fix's note is not about it.
    if (action.type === 'load') note('');
  });
  renderFixAll(store.getState());
}
