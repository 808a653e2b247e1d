// The examples menu (every rule page's bad examples) and loading an
// example (from the menu or a rule page's "Open in editor").
import { store } from './app-store.js';
import { el } from './dom.js';
import { examplesMenu } from './examples.js';
import { selectRuleAfterLint } from './lint.js';
import { currentState, loadState } from './session.js';
import { isRuleOn } from './store.js';

let menu = [];

/** Replaces the files with an example's, with `rule` turned on, and
 *  selects its first problem once linted. */
export function loadExample(files, rule) {
  const app = store.getState();
  const state = currentState();
  state.files = files.map((f) => ({ name: f.name, text: f.text }));
  state.active = files.length - 1;
  if (!isRuleOn(app, rule)) {
    if (app.enabledByDefault[rule] === false) state.rules[rule] = 'on';
    else delete state.rules[rule];
  }
  selectRuleAfterLint(rule);
  loadState(state);
}

function buildMenu(info) {
  menu = examplesMenu(info.rules, info.docs);
  for (const group of menu) {
    const og = document.createElement('optgroup');
    og.label = group.category;
    for (const item of group.items) {
      const o = document.createElement('option');
      o.value = item.id;
      o.textContent = item.label;
      og.append(o);
    }
    el.examples.append(og);
  }
}

export function initExamplesMenu() {
  el.examples.addEventListener('change', () => {
    const id = el.examples.value;
    const item = menu.flatMap((g) => g.items).find((x) => x.id === id);
    el.examples.value = '';
    if (item) loadExample(item.files, item.rule);
  });
  store.subscribe((state, prev, action) => {
    if (action.type === 'ready') buildMenu(state.info);
  });
}
