// The page's whole state as one plain object (files with their texts,
// active tab, settings): what share links and localStorage hold, what an
// example or a link loads.
import { store } from './app-store.js';
import { fileTexts, replaceFiles, setActive } from './files.js';

export function currentState() {
  const { active, pg, rules, multiStatement } = store.getState();
  return { files: fileTexts(), active, pg, rules: { ...rules }, multiStatement };
}

/** Shows `state`. `persist`: save it (URL, localStorage) after the lint;
 *  `firstLint`: the boot lint of this very state is on its way (boot.js):
 *  wait for it rather than lint again. */
export function loadState(state, { persist = true, firstLint = null } = {}) {
  const files = replaceFiles(state.files);
  const active = Math.min(state.active || 0, files.length - 1);
  // Rules this build does not know (a link from another version) are
  // left out of the config (worker.js).
  store.dispatch({
    type: 'load',
    files,
    active,
    pg: state.pg ?? null,
    rules: state.rules || {},
    multiStatement: !!state.multiStatement,
    persist,
    firstLint,
  });
  setActive(active, { focus: false, force: true });
}
