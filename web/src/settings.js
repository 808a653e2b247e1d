// Settings: the target PostgreSQL version, golang-migrate's
// x-multi-statement, and the rules dialog (each rule on or off, a filter,
// defaults / all on, a badge counting the changes).
import { store } from './app-store.js';
import { el } from './dom.js';
import { escapeHtml, inlineCode } from './markdown.js';
import { showRulePage } from './rule-page.js';
import { DEFAULT_PG_VERSION, PG_VERSIONS } from './state.js';
import { isRuleOn, withRule } from './store.js';

/** Turns a rule on or off (kept as a change from its default). */
export function setRuleOn(name, on) {
  store.dispatch({ type: 'rules/set', rules: withRule(store.getState(), name, on) });
}

function syncToggles(state) {
  for (const box of document.querySelectorAll('input[data-rule-toggle]')) {
    box.checked = isRuleOn(state, box.dataset.ruleToggle);
  }
}

function updateRulesBadge(state) {
  if (!state.info) return;
  // Changes from the defaults.
  const changes = state.info.rules.filter((r) => isRuleOn(state, r.name) !== (state.enabledByDefault[r.name] !== false));
  const off = changes.filter((r) => !isRuleOn(state, r.name)).length;
  const on = changes.length - off;
  el.rulesBadge.hidden = changes.length === 0;
  el.rulesBadge.textContent = [off ? `${off} off` : '', on ? `${on} on` : ''].filter(Boolean).join(', ');
  el.rulesButton.setAttribute('aria-label', `Rules${changes.length ? ` (${el.rulesBadge.textContent} compared with the defaults)` : ''}`);
}

function renderRulesList() {
  const state = store.getState();
  if (!state.info) return;
  el.rulesList.textContent = '';
  const groups = new Map();
  for (const r of state.info.rules) {
    if (!groups.has(r.category)) groups.set(r.category, []);
    groups.get(r.category).push(r);
  }
  for (const [category, rules] of groups) {
    const fs = document.createElement('fieldset');
    fs.className = 'rule-group';
    fs.innerHTML = `<legend>${escapeHtml(category)}</legend>`;
    for (const r of rules) {
      const row = document.createElement('div');
      row.className = 'rule-row';
      row.dataset.search = `${r.name} ${r.summary} ${r.category}`.toLowerCase();
      const id = `rule-toggle-${r.name}`;
      row.innerHTML =
        `<input type="checkbox" id="${id}" data-rule-toggle="${escapeHtml(r.name)}" ${isRuleOn(state, r.name) ? 'checked' : ''}/>` +
        `<label for="${id}"><code>${escapeHtml(r.name)}</code> <span class="sev sev-${r.severity}">${r.severity}</span>` +
        `${state.enabledByDefault[r.name] === false ? ' <span class="pill">off by default</span>' : ''}` +
        `<span class="rule-summary">${inlineCode(r.summary)}</span></label>` +
        `<button type="button" class="small" data-page="${escapeHtml(r.name)}">Page</button>`;
      row.querySelector('input').addEventListener('change', (e) => setRuleOn(r.name, e.target.checked));
      row.querySelector('[data-page]').addEventListener('click', () => {
        el.rulesDialog.close();
        showRulePage(r.name);
      });
      fs.append(row);
    }
    el.rulesList.append(fs);
  }
  filterRules();
}

function filterRules() {
  const q = el.rulesFilter.value.trim().toLowerCase();
  el.rulesList.querySelectorAll('.rule-row').forEach((row) => {
    row.hidden = q !== '' && !q.split(/\s+/).every((w) => row.dataset.search.includes(w));
  });
  el.rulesList.querySelectorAll('.rule-group').forEach((group) => {
    group.hidden = !group.querySelector('.rule-row:not([hidden])');
  });
}

export function initSettings() {
  for (const v of PG_VERSIONS) {
    const o = document.createElement('option');
    o.value = v === DEFAULT_PG_VERSION ? '' : String(v);
    o.textContent = v === DEFAULT_PG_VERSION ? `${v} (default)` : String(v);
    el.pg.append(o);
  }
  el.pg.addEventListener('change', () => {
    store.dispatch({ type: 'settings/pg', pg: el.pg.value === '' ? null : Number(el.pg.value) });
  });
  el.multi.addEventListener('change', () => {
    store.dispatch({ type: 'settings/multi', on: el.multi.checked });
  });
  el.rulesFilter.addEventListener('input', filterRules);
  el.rulesButton.addEventListener('click', () => {
    renderRulesList();
    el.rulesDialog.showModal();
  });
  el.rulesDefaults.addEventListener('click', () => {
    store.dispatch({ type: 'rules/set', rules: {} });
  });
  el.rulesAllOn.addEventListener('click', () => {
    const state = store.getState();
    const rules = {};
    for (const r of state.info.rules) if (state.enabledByDefault[r.name] === false) rules[r.name] = 'on';
    store.dispatch({ type: 'rules/set', rules });
  });
  el.rulesDialog.addEventListener('click', (e) => {
    if (e.target === el.rulesDialog) el.rulesDialog.close(); // a click on the backdrop
  });
  store.subscribe((state, prev, action) => {
    if (action.type === 'ready' || action.type === 'load') renderRulesList();
    if (state.rules !== prev.rules) syncToggles(state);
    if (state.rules !== prev.rules || state.info !== prev.info || state.enabledByDefault !== prev.enabledByDefault) {
      updateRulesBadge(state);
    }
    if (action.type === 'load') {
      el.pg.value = state.pg == null ? '' : String(state.pg);
      el.multi.checked = state.multiStatement;
    }
  });
}
