// The pane beside the editor: the selected problem's rule page (rendered
// from its Markdown, with a toggle and an "Open in editor" button per
// example), or the overview of every rule.
import { store } from './app-store.js';
import { el } from './dom.js';
import { DEFAULT_FILE } from './examples.js';
import { escapeHtml, inlineCode, renderRulePage } from './markdown.js';
import { isRuleOn } from './store.js';

let actions = { setRuleOn: () => {}, loadExample: () => {} };

/** The page's two commands that belong to other modules (settings,
 *  examples), given by main.js. */
export function setRulePageActions(a) {
  actions = a;
}

/** Shows `name`'s page (null: the overview). */
export function showRulePage(name) {
  store.dispatch({ type: 'rule/show', name });
}

function render() {
  const state = store.getState();
  const name = state.shownRule;
  const pane = el.rulePage;
  if (!name || !state.info || !state.info.docs[name]) {
    pane.innerHTML = overviewHtml(state.info);
    pane.querySelectorAll('[data-show-rule]').forEach((b) =>
      b.addEventListener('click', () => showRulePage(b.dataset.showRule)),
    );
    return;
  }
  const { html, examples } = renderRulePage(state.info.docs[name]);
  const on = isRuleOn(state, name);
  pane.innerHTML =
    `<div class="rule-head"><button type="button" class="small back" data-testid="rule-back">← All rules</button>` +
    `<label class="check"><input type="checkbox" data-rule-toggle="${escapeHtml(name)}" ${on ? 'checked' : ''}/>` +
    `<span>Rule on</span></label></div>` +
    `<article class="markdown" data-testid="rule-page" data-rule="${escapeHtml(name)}">${html}</article>`;
  pane.querySelector('.back').addEventListener('click', () => {
    store.dispatch({ type: 'select', index: -1 });
    showRulePage(null);
  });
  pane.querySelector('[data-rule-toggle]').addEventListener('change', (e) => actions.setRuleOn(name, e.target.checked));
  pane.querySelectorAll('.open-example').forEach((b) =>
    b.addEventListener('click', () => actions.loadExample(examples[Number(b.dataset.example)].files, name)),
  );
  pane.scrollTop = 0;
}

function overviewHtml(info) {
  if (!info) return '<p>Loading migralint…</p>';
  const groups = new Map();
  for (const r of info.rules) {
    if (!groups.has(r.category)) groups.set(r.category, []);
    groups.get(r.category).push(r);
  }
  let html =
    `<article class="markdown overview"><h2>migralint in your browser</h2>` +
    `<p>The linter runs here, compiled to WebAssembly from the same core as the <code>migralint</code> CLI: ` +
    `the problems below are what <code>migralint check</code> reports for these files. Nothing is sent anywhere.</p>` +
    `<p>Name the file like a golang-migrate migration (<code>${DEFAULT_FILE}</code>) so the naming rules apply; ` +
    `add the down file so the pairing rules do. Select a problem to read its rule's page here.</p>` +
    `<h3>Rules</h3>`;
  for (const [category, rules] of groups) {
    html += `<h4>${escapeHtml(category)}</h4><ul class="rule-index">`;
    for (const r of rules) {
      html +=
        `<li><button type="button" class="linklike" data-show-rule="${escapeHtml(r.name)}">${escapeHtml(r.name)}</button>` +
        ` <span class="sev sev-${r.severity}">${r.severity}</span>` +
        `${r.enabled === false ? ' <span class="pill">off by default</span>' : ''} ${inlineCode(r.summary)}</li>`;
    }
    html += '</ul>';
  }
  return html + '</article>';
}

export function initRulePage() {
  store.subscribe((state, prev, action) => {
    if (action.type === 'rule/show' || action.type === 'ready') render();
    else if (action.type === 'load' && state.shownRule == null) render();
  });
  render();
}
