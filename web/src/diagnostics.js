// The problems: underlined in the editors (with a hover and its buttons),
// listed in the problems panel, one of them selected (its rule page shown,
// the cursor on it). Fixable problems get a Fix button in both places.
import { store } from './app-store.js';
import { el } from './dom.js';
import { setDiagnostics } from './editor.js';
import { onCursor, setActive, viewAt } from './files.js';
import { fixApplicability, fixLabel, requestFix } from './fixes.js';
import { escapeHtml, inlineCode } from './markdown.js';
import { showRulePage } from './rule-page.js';
import { setRuleOn } from './settings.js';

/** Selects problem `k`: marked in the list, its rule page shown, its file
 *  shown; `moveCursor` puts the cursor on it, `focus` focuses the editor. */
export function selectDiagnostic(k, { moveCursor = true, focus = true } = {}) {
  const d = store.getState().diagnostics[k];
  if (!d) return;
  store.dispatch({ type: 'select', index: k });
  markSelected();
  el.problems.querySelector(`.problem[data-index="${k}"]`)?.scrollIntoView({ block: 'nearest' });
  showRulePage(d.rule);
  if (d.fileIndex < 0) return;
  if (d.fileIndex !== store.getState().active) setActive(d.fileIndex, { focus: false });
  const view = viewAt(d.fileIndex);
  if (moveCursor) view.dispatch({ selection: { anchor: d.from }, scrollIntoView: true });
  if (focus) view.focus();
}

/** Moving the cursor in the editor selects the problem under it. */
function followCursor(i, view) {
  const { active, diagnostics, selected } = store.getState();
  if (i !== active || !view.hasFocus) return;
  const pos = view.state.selection.main.head;
  const current = diagnostics[selected];
  if (current && current.fileIndex === i && current.from <= pos && pos <= current.to) return;
  let best = -1;
  diagnostics.forEach((d, k) => {
    if (d.fileIndex === i && d.from <= pos && pos <= d.to) {
      if (best < 0 || d.to - d.from < diagnostics[best].to - diagnostics[best].from) best = k;
    }
  });
  if (best >= 0 && best !== selected) selectDiagnostic(best, { moveCursor: false, focus: false });
}

function toEditorDiagnostic(d, index) {
  const actions = [
    {
      name: 'Rule page',
      apply: () => selectDiagnostic(index, { moveCursor: false, focus: false }),
    },
    {
      name: 'Turn rule off',
      apply: () => setRuleOn(d.rule, false),
    },
  ];
  if (d.fixes?.length) {
    actions.unshift({
      name: fixLabel(d),
      markClass: `ml-fix ml-fix-${fixApplicability(d)}`,
      apply: () => requestFix(index),
    });
  }
  return {
    from: d.from,
    to: d.to,
    severity: d.severity === 'error' ? 'error' : 'warning',
    message: d.message,
    markClass: `ml-rule-${d.rule}`,
    renderMessage: () => {
      const box = document.createElement('div');
      box.className = 'hover';
      box.innerHTML =
        `<div class="hover-head"><span class="sev sev-${d.severity}">${d.severity}</span>` +
        `<code class="rule-name">${escapeHtml(d.rule)}</code></div>` +
        `<div class="hover-message">${inlineCode(d.message)}</div>` +
        (d.help ? `<div class="hover-help"><strong>Help:</strong> ${inlineCode(d.help)}</div>` : '') +
        (d.fixes?.length
          ? `<div class="hover-fix"><strong>Fix${fixApplicability(d) === 'unsafe' ? ' (unsafe: review it)' : ''}:</strong> ${inlineCode(d.fixes[0].message)}</div>`
          : '');
      return box;
    },
    actions,
  };
}

function renderEditorDiagnostics() {
  const { files, diagnostics } = store.getState();
  files.forEach((_, i) => {
    const view = viewAt(i);
    const diags = [];
    diagnostics.forEach((d, k) => {
      if (d.fileIndex === i) diags.push(toEditorDiagnostic(d, k));
    });
    view.dispatch(setDiagnostics(view.state, diags));
  });
}

function renderProblems() {
  const { diagnostics, report, selected } = store.getState();
  el.problems.textContent = '';
  if (!diagnostics.length) {
    const li = document.createElement('li');
    li.className = 'problem-empty';
    li.textContent = report ? 'migralint found nothing to report.' : '';
    el.problems.append(li);
    return;
  }
  diagnostics.forEach((d, k) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'problem';
    b.dataset.index = String(k);
    b.dataset.rule = d.rule;
    b.dataset.severity = d.severity;
    b.dataset.file = d.file;
    b.dataset.line = String(d.line);
    b.dataset.column = String(d.column);
    b.dataset.endLine = String(d.end_line);
    b.dataset.endColumn = String(d.end_column);
    b.tabIndex = k === Math.max(0, selected) ? 0 : -1;
    b.innerHTML =
      `<span class="sev sev-${d.severity}">${d.severity}</span>` +
      `<span class="problem-loc">${escapeHtml(d.file)}:${d.line}:${d.column}</span>` +
      `<span class="problem-message">${inlineCode(d.message)}</span>` +
      `<code class="rule-name">${escapeHtml(d.rule)}</code>`;
    b.addEventListener('click', () => selectDiagnostic(k, { moveCursor: true, focus: true }));
    b.addEventListener('keydown', (e) => {
      const n = store.getState().diagnostics.length;
      let to = null;
      if (e.key === 'ArrowDown') to = Math.min(k + 1, n - 1);
      else if (e.key === 'ArrowUp') to = Math.max(k - 1, 0);
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = n - 1;
      if (to != null) {
        e.preventDefault();
        const next = el.problems.querySelectorAll('.problem')[to];
        el.problems.querySelectorAll('.problem').forEach((x) => (x.tabIndex = -1));
        next.tabIndex = 0;
        next.focus();
        selectDiagnostic(to, { moveCursor: false, focus: false });
      }
    });
    li.append(b);
    if (d.fixes?.length) {
      li.className = 'problem-row-fixable';
      const fix = document.createElement('button');
      const kind = fixApplicability(d);
      fix.type = 'button';
      fix.className = `small fix-button fix-${kind}`;
      fix.dataset.testid = 'fix-button';
      fix.dataset.index = String(k);
      fix.dataset.applicability = kind;
      fix.textContent = kind === 'unsafe' ? 'Fix (unsafe)' : 'Fix';
      fix.title = `${d.fixes[0].message.replace(/`/g, '')}${kind === 'unsafe' ? ' (unsafe: it changes behaviour; review it)' : ''}`;
      fix.setAttribute('aria-label', `${fixLabel(d)} (${d.file}:${d.line})`);
      fix.addEventListener('click', () => requestFix(k));
      li.append(fix);
    }
    el.problems.append(li);
  });
  markSelected();
}

function markSelected() {
  const { selected } = store.getState();
  el.problems.querySelectorAll('.problem').forEach((b) => {
    const on = Number(b.dataset.index) === selected;
    b.classList.toggle('problem-selected', on);
    if (on) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  });
}

function renderSummary({ text, kind }) {
  el.summary.textContent = text;
  el.summary.className = kind ? `summary summary-${kind}` : 'summary';
}

export function initDiagnostics() {
  onCursor(followCursor);
  store.subscribe((state, prev, action) => {
    if (action.type === 'lint/result') renderEditorDiagnostics();
    if (state.diagnostics !== prev.diagnostics || (state.report !== prev.report && !state.diagnostics.length)) {
      renderProblems();
    } else if (state.selected !== prev.selected) {
      markSelected();
    }
    if (state.summary !== prev.summary) renderSummary(state.summary);
  });
  renderSummary(store.getState().summary);
}
