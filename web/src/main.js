// The migralint playground: files in CodeMirror editors, linted as you type
// by the wasm build of migralint (in a worker), problems underlined in the
// editor and listed below it, the selected problem's rule page beside it.
import './style.css';
import { createEditor, setDiagnostics } from './editor.js';
import { DEFAULT_FILE, examplesMenu } from './examples.js';
import { escapeHtml, renderRulePage } from './markdown.js';
import { rangeOf } from './positions.js';
import { decodeState, encodeState } from './share.js';
import {
  DEFAULT_PG_VERSION,
  PG_VERSIONS,
  STORAGE_KEY,
  downNameFor,
  filesForLint,
  initialState,
  isUpName,
  nextUpName,
  settingsOf,
} from './state.js';

const LINT_DEBOUNCE_MS = 150;
const PERSIST_DEBOUNCE_MS = 400;
const THEME_KEY = 'migralint-theme';

const $ = (id) => document.getElementById(id);
const el = {
  tabs: $('tabs'),
  addDown: $('add-down'),
  addFile: $('add-file'),
  fileName: $('file-name'),
  fileNameHint: $('file-name-hint'),
  editors: $('editors'),
  problems: $('problems'),
  summary: $('summary'),
  output: $('output-format'),
  cliOutput: $('cli-output'),
  rulePage: $('rule-page'),
  examples: $('examples'),
  pg: $('pg-version'),
  rulesButton: $('rules-button'),
  rulesBadge: $('rules-badge'),
  rulesDialog: $('rules-dialog'),
  rulesList: $('rules-list'),
  rulesFilter: $('rules-filter'),
  rulesDefaults: $('rules-defaults'),
  rulesAllOn: $('rules-all-on'),
  multi: $('multi-statement'),
  shareButton: $('share-button'),
  shareDialog: $('share-dialog'),
  shareUrl: $('share-url'),
  shareCopy: $('share-copy'),
  shareNote: $('share-note'),
  themeButton: $('theme-button'),
  themeIcon: $('theme-icon'),
  themeLabel: $('theme-label'),
  statusVersion: $('status-version'),
  statusLint: $('status-lint'),
  statusLoad: $('status-load'),
  statusOffline: $('status-offline'),
};

const app = {
  worker: null,
  info: null, // {version, rules, docs, initMs}
  ruleByName: new Map(),
  enabledByDefault: {}, // rule name -> bool
  files: [], // {name, view, panel}
  active: 0,
  pg: null, // null: the core's default
  rules: {}, // rule name -> 'on' | 'off' (only changes from the defaults)
  multiStatement: false,
  docVersion: 0,
  appliedVersion: -1,
  lintId: 0,
  inFlight: null, // {id, version}
  lintAgain: false,
  lintTimer: 0,
  persistTimer: 0,
  report: null,
  reportJson: null,
  diagnostics: [], // report diagnostics + {fileIndex, from, to}
  selected: -1,
  shownRule: null,
  selectRuleAfterLint: null,
  firstResultShown: false,
  lintCount: 0,
  formatId: 0,
  menu: [],
  crashed: false,
};

// ---------------------------------------------------------------- theme

function themePref() {
  try {
    return localStorage.getItem(THEME_KEY) || 'auto';
  } catch {
    return 'auto';
  }
}

function applyTheme() {
  const pref = themePref();
  const dark = pref === 'dark' || (pref === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  const label = { auto: 'Auto', light: 'Light', dark: 'Dark' }[pref];
  el.themeLabel.textContent = label;
  el.themeIcon.textContent = { auto: '◐', light: '☀', dark: '☾' }[pref];
  el.themeButton.setAttribute('aria-label', `Theme: ${label}${pref === 'auto' ? ` (${dark ? 'dark' : 'light'})` : ''}`);
}

el.themeButton.addEventListener('click', () => {
  const next = { auto: 'light', light: 'dark', dark: 'auto' }[themePref()];
  try {
    localStorage.setItem(THEME_KEY, next);
  } catch {
    /* private mode: the theme lasts until reload */
  }
  applyTheme();
});
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);
applyTheme();

// ---------------------------------------------------------------- worker

/** The linter worker: boot.js's (still buffering its messages until the
 *  page has loaded its state), or a new one after a crash. */
function startWorker(boot = null) {
  const worker = boot ? boot.worker : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onerror = (e) => {
    showFatal(`could not start migralint: ${e.message || 'the worker failed to load'}`);
  };
  if (!boot) {
    worker.onmessage = (e) => onWorkerMessage(e.data);
    worker.postMessage({ type: 'hello' });
  }
  return worker;
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case 'ready':
      onReady(msg);
      break;
    case 'result':
      onLintResult(msg);
      break;
    case 'formatted':
      if (msg.id === app.formatId) el.cliOutput.textContent = msg.text;
      break;
    case 'error':
      onLintError(msg);
      break;
    case 'fatal':
      showFatal(`could not start migralint: ${msg.message}`);
      break;
    default:
      break;
  }
}

function showFatal(message) {
  el.summary.textContent = message;
  el.summary.className = 'summary summary-error';
}

function onLintError(msg) {
  app.inFlight = null;
  if (msg.crashed) {
    // A panic in the linter: this wasm instance is gone. Start a new one;
    // the next edit lints again.
    app.crashed = true;
    el.summary.textContent =
      'migralint crashed on this input (a bug in migralint: please report it with the share link). Edit to lint again.';
    el.summary.className = 'summary summary-error';
    app.worker.terminate();
    app.worker = startWorker();
    return;
  }
  el.summary.textContent = `migralint could not lint: ${msg.message}`;
  el.summary.className = 'summary summary-error';
  if (app.lintAgain) {
    app.lintAgain = false;
    runLint();
  }
}

// ---------------------------------------------------------------- startup

function onReady(info) {
  if (app.info) {
    // A restarted worker (after a crash).
    app.info = info;
    return;
  }
  app.info = info;
  for (const r of info.rules) {
    app.ruleByName.set(r.name, r);
    app.enabledByDefault[r.name] = r.enabled !== false;
  }
  el.statusVersion.textContent = `migralint ${info.version} (WebAssembly)`;
  buildExamplesMenu();
  renderRulesList();
  updateRulesBadge();
  showRulePage(app.shownRule);
}

window.addEventListener('hashchange', async () => {
  if (!app.files.length || location.hash.length <= 1) return;
  try {
    const state = await decodeState(location.hash);
    if (JSON.stringify(state) !== JSON.stringify(currentState())) loadState(state, { persist: true });
  } catch (e) {
    console.warn('ignoring the URL fragment:', e);
  }
});

// ---------------------------------------------------------------- state

function currentState() {
  return {
    files: app.files.map((f) => ({ name: f.name, text: f.view.state.doc.toString() })),
    active: app.active,
    pg: app.pg,
    rules: { ...app.rules },
    multiStatement: app.multiStatement,
  };
}

/** Shows `state`. `firstLint`: the boot lint of this very state is on its
 *  way (boot.js): wait for it rather than lint again. */
function loadState(state, { persist = true, firstLint = null } = {}) {
  for (const f of app.files) {
    f.view.destroy();
    f.panel.remove();
  }
  app.files = [];
  for (const f of state.files) addFile(f.name, f.text);
  app.pg = state.pg ?? null;
  app.multiStatement = !!state.multiStatement;
  // Rules this build does not know (a link from another version) are
  // left out of the config (worker.js).
  app.rules = { ...(state.rules || {}) };
  el.pg.value = app.pg == null ? '' : String(app.pg);
  el.multi.checked = app.multiStatement;
  app.selected = -1;
  app.diagnostics = [];
  renderProblems();
  renderRulesList();
  updateRulesBadge();
  setActive(Math.min(state.active || 0, app.files.length - 1), { focus: false });
  if (app.shownRule == null) showRulePage(null);
  if (firstLint) {
    app.docVersion++;
    app.inFlight = { id: firstLint.id, version: app.docVersion, posted: firstLint.posted };
  } else {
    changed({ lintNow: true, persist });
  }
}

/** Something the lint depends on changed. */
function changed({ lintNow = false, persist = true } = {}) {
  app.docVersion++;
  clearTimeout(app.lintTimer);
  if (lintNow) runLint();
  else
    app.lintTimer = setTimeout(() => {
      app.lintTimer = 0;
      runLint();
    }, LINT_DEBOUNCE_MS);
  if (persist) {
    clearTimeout(app.persistTimer);
    app.persistTimer = setTimeout(persistState, PERSIST_DEBOUNCE_MS);
  }
}

async function persistState() {
  const fragment = await encodeState(currentState());
  history.replaceState(null, '', `${location.pathname}${location.search}#${fragment}`);
  try {
    localStorage.setItem(STORAGE_KEY, fragment);
  } catch {
    /* storage full or disabled: the URL still holds the state */
  }
  return fragment;
}

// ---------------------------------------------------------------- files and tabs

let panelCounter = 0;

function addFile(name, text) {
  const panel = document.createElement('div');
  panel.className = 'editor-panel';
  panel.id = `editor-panel-${++panelCounter}`;
  panel.setAttribute('role', 'tabpanel');
  panel.hidden = true;
  el.editors.append(panel);
  const file = { name, panel, view: null };
  file.view = createEditor({
    parent: panel,
    doc: text,
    label: `SQL of ${name}`,
    onChange: () => changed(),
    onCursor: (view) => followCursor(file, view),
  });
  app.files.push(file);
  return file;
}

function removeFile(index) {
  if (app.files.length <= 1) return;
  const [f] = app.files.splice(index, 1);
  f.view.destroy();
  f.panel.remove();
  const next = Math.min(app.active > index ? app.active - 1 : app.active, app.files.length - 1);
  app.active = -1;
  setActive(next, { focus: false });
  changed({ lintNow: true });
}

function setActive(index, { focus = true } = {}) {
  const prev = app.active;
  app.active = index;
  app.files.forEach((f, i) => {
    f.panel.hidden = i !== index;
  });
  renderTabs();
  const file = app.files[index];
  el.fileName.value = file.name;
  el.fileName.removeAttribute('aria-invalid');
  el.fileNameHint.textContent = fileKind(file.name);
  if (prev !== index) file.view.requestMeasure();
  if (focus) file.view.focus();
}

function fileKind(name) {
  if (/\.up\.[A-Za-z0-9]+$/.test(name)) return 'up migration';
  if (/\.down\.[A-Za-z0-9]+$/.test(name)) return 'down migration';
  return 'not a migration name ({version}_{title}.up.sql or .down.sql)';
}

function renderTabs() {
  el.tabs.textContent = '';
  const counts = new Map();
  for (const d of app.diagnostics) counts.set(d.fileIndex, (counts.get(d.fileIndex) || 0) + 1);
  app.files.forEach((f, i) => {
    const wrap = document.createElement('div');
    wrap.setAttribute('role', 'presentation');
    wrap.className = 'tab' + (i === app.active ? ' tab-active' : '');
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.className = 'tab-button';
    tab.setAttribute('role', 'tab');
    tab.id = `tab-${f.panel.id}`;
    tab.setAttribute('aria-selected', String(i === app.active));
    tab.setAttribute('aria-controls', f.panel.id);
    tab.tabIndex = i === app.active ? 0 : -1;
    tab.dataset.testid = 'tab';
    tab.dataset.file = f.name;
    const kind = /\.down\.[^.]+$/.test(f.name) ? 'down' : /\.up\.[^.]+$/.test(f.name) ? 'up' : '';
    tab.innerHTML =
      (kind ? `<span class="tab-kind tab-kind-${kind}">${kind}</span>` : '') +
      `<span class="tab-name">${escapeHtml(f.name)}</span>` +
      (counts.get(i) ? `<span class="badge" aria-label="${counts.get(i)} problems">${counts.get(i)}</span>` : '');
    tab.addEventListener('click', () => setActive(i));
    tab.addEventListener('keydown', (e) => {
      let to = null;
      if (e.key === 'ArrowRight') to = (i + 1) % app.files.length;
      else if (e.key === 'ArrowLeft') to = (i - 1 + app.files.length) % app.files.length;
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = app.files.length - 1;
      else if (e.key === 'Delete' && app.files.length > 1) {
        removeFile(i);
        el.tabs.querySelector('[aria-selected="true"]')?.focus();
        e.preventDefault();
        return;
      }
      if (to != null) {
        e.preventDefault();
        setActive(to, { focus: false });
        el.tabs.querySelectorAll('[role="tab"]')[to].focus();
      }
    });
    f.panel.setAttribute('aria-labelledby', tab.id);
    wrap.append(tab);
    if (app.files.length > 1) {
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'tab-close';
      close.textContent = '×';
      close.tabIndex = i === app.active ? 0 : -1;
      close.setAttribute('aria-label', `Remove ${f.name}`);
      close.title = `Remove ${f.name}`;
      close.addEventListener('click', () => removeFile(i));
      wrap.append(close);
    }
    el.tabs.append(wrap);
  });
  const up = app.files.find((f) => isUpName(f.name));
  const missingDown = up && !app.files.some((f) => f.name === downNameFor(up.name));
  el.addDown.hidden = !missingDown;
}

el.addDown.addEventListener('click', () => {
  const up = app.files.find((f) => isUpName(f.name));
  if (!up) return;
  const f = addFile(downNameFor(up.name), '');
  setActive(app.files.indexOf(f));
  changed({ lintNow: true });
});

el.addFile.addEventListener('click', () => {
  const f = addFile(nextUpName(app.files.map((x) => x.name)), '');
  setActive(app.files.indexOf(f));
  changed({ lintNow: true });
});

el.fileName.addEventListener('input', () => {
  const file = app.files[app.active];
  const name = el.fileName.value.trim();
  const clash = app.files.some((f, i) => i !== app.active && f.name === name);
  if (!name || clash || /[\\/]/.test(name)) {
    el.fileName.setAttribute('aria-invalid', 'true');
    el.fileNameHint.textContent = !name
      ? 'a file needs a name'
      : clash
        ? 'another tab has this name'
        : 'a file name, without folders';
    return;
  }
  el.fileName.removeAttribute('aria-invalid');
  if (name === file.name) return;
  // Renaming an up file renames its down file along with it.
  if (isUpName(file.name)) {
    const down = app.files.find((f) => f.name === downNameFor(file.name));
    const newDown = isUpName(name) ? downNameFor(name) : null;
    if (down && newDown && !app.files.some((f) => f.name === newDown)) down.name = newDown;
  }
  file.name = name;
  el.fileNameHint.textContent = fileKind(name);
  renderTabs();
  changed();
});

el.fileName.addEventListener('blur', () => {
  el.fileName.value = app.files[app.active].name;
  el.fileName.removeAttribute('aria-invalid');
  el.fileNameHint.textContent = fileKind(app.files[app.active].name);
});

el.fileName.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    app.files[app.active].view.focus();
  }
});

// ---------------------------------------------------------------- lint

/** The settings the worker turns into a migralint config (rule changes
 *  as on/off: the worker knows each rule's severity). */
function lintSettings() {
  return settingsOf(app);
}

/** The files as the CLI reads them: sorted by path. */
function lintFiles() {
  return filesForLint(app.files.map((f) => ({ name: f.name, text: f.view.state.doc.toString() })));
}

function runLint() {
  clearTimeout(app.lintTimer);
  app.lintTimer = 0;
  // Before the worker is ready too: it lints as soon as the wasm is.
  if (app.inFlight) {
    app.lintAgain = true;
    return;
  }
  const id = ++app.lintId;
  app.inFlight = { id, version: app.docVersion, posted: performance.now() };
  app.worker.postMessage({ type: 'lint', id, files: lintFiles(), settings: lintSettings() });
}

function onLintResult(msg) {
  const request = app.inFlight;
  app.inFlight = null;
  if (!request || request.id !== msg.id) return;
  if (app.lintAgain || request.version !== app.docVersion) {
    // The files changed while it ran: its positions are out of date.
    app.lintAgain = false;
    runLint();
    return;
  }
  app.crashed = false;
  app.appliedVersion = request.version;
  app.reportJson = msg.json;
  applyReport(msg.report, msg.ms, performance.now() - request.posted, msg);
}

function applyReport(report, ms, roundTripMs, load) {
  const previous = app.diagnostics[app.selected];
  app.report = report;
  const byName = new Map(app.files.map((f, i) => [f.name, i]));
  app.diagnostics = report.diagnostics.map((d) => {
    const fileIndex = byName.has(d.file) ? byName.get(d.file) : -1;
    const range = fileIndex >= 0 ? rangeOf(app.files[fileIndex].view.state.doc, d) : { from: 0, to: 0 };
    return { ...d, fileIndex, ...range };
  });
  app.files.forEach((f, i) => {
    const diags = [];
    app.diagnostics.forEach((d, k) => {
      if (d.fileIndex === i) diags.push(toEditorDiagnostic(d, k));
    });
    f.view.dispatch(setDiagnostics(f.view.state, diags));
  });
  // Keep the selection on the same problem when it is still there.
  app.selected = -1;
  if (previous) {
    app.selected = app.diagnostics.findIndex(
      (d) => d.rule === previous.rule && d.file === previous.file && d.line === previous.line,
    );
  }
  renderTabs();
  renderProblems();
  renderSummary(report);
  app.lintCount++;
  // The first run includes the engine compiling the wasm code it uses.
  el.statusLint.textContent =
    `Linted ${report.summary.files} file${report.summary.files === 1 ? '' : 's'} in ${formatMs(ms)}` +
    (app.lintCount === 1 ? ' (first run)' : '');
  el.statusLint.dataset.ms = ms.toFixed(3);
  el.statusLint.dataset.roundTripMs = roundTripMs.toFixed(3);
  el.statusLint.dataset.seq = String(app.lintCount);
  el.summary.dataset.seq = String(app.lintCount);
  if (!app.firstResultShown) {
    app.firstResultShown = true;
    const ready = performance.now();
    const d = el.statusLoad.dataset;
    d.readyMs = ready.toFixed(1);
    d.wasmMs = load.initMs.toFixed(1);
    d.firstLintMs = ms.toFixed(1);
    // When the worker's script started and its wasm was ready, on this
    // page's clock.
    for (const [k, t] of Object.entries(load.times || {})) {
      d[`worker${k[0].toUpperCase()}${k.slice(1)}Ms`] = (t - performance.timeOrigin).toFixed(1);
    }
    el.statusLoad.textContent = `Ready in ${Math.round(ready)} ms (wasm ${Math.round(load.initMs)} ms)`;
  }
  if (app.selectRuleAfterLint) {
    const rule = app.selectRuleAfterLint;
    app.selectRuleAfterLint = null;
    const k = app.diagnostics.findIndex((d) => d.rule === rule);
    if (k >= 0) selectDiagnostic(k, { moveCursor: true, focus: false });
    else showRulePage(rule);
  } else if (app.selected >= 0) {
    markSelected();
  }
  refreshCliOutput();
}

function formatMs(ms) {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

function renderSummary(report) {
  const { errors, warnings } = report.summary;
  const parts = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  el.summary.textContent = parts.length ? parts.join(', ') : 'No problems';
  el.summary.className = `summary ${errors ? 'summary-error' : warnings ? 'summary-warning' : 'summary-ok'}`;
}

function toEditorDiagnostic(d, index) {
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
        (d.help ? `<div class="hover-help"><strong>Help:</strong> ${inlineCode(d.help)}</div>` : '');
      return box;
    },
    actions: [
      {
        name: 'Rule page',
        apply: () => selectDiagnostic(index, { moveCursor: false, focus: false }),
      },
      {
        name: 'Turn rule off',
        apply: () => setRuleOn(d.rule, false),
      },
    ],
  };
}

/** Escapes text and shows `backquoted` parts as code. */
function inlineCode(text) {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

// ---------------------------------------------------------------- problems

function renderProblems() {
  el.problems.textContent = '';
  if (!app.diagnostics.length) {
    const li = document.createElement('li');
    li.className = 'problem-empty';
    li.textContent = app.report ? 'migralint found nothing to report.' : '';
    el.problems.append(li);
    return;
  }
  app.diagnostics.forEach((d, k) => {
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
    b.tabIndex = k === Math.max(0, app.selected) ? 0 : -1;
    b.innerHTML =
      `<span class="sev sev-${d.severity}">${d.severity}</span>` +
      `<span class="problem-loc">${escapeHtml(d.file)}:${d.line}:${d.column}</span>` +
      `<span class="problem-message">${inlineCode(d.message)}</span>` +
      `<code class="rule-name">${escapeHtml(d.rule)}</code>`;
    b.addEventListener('click', () => selectDiagnostic(k, { moveCursor: true, focus: true }));
    b.addEventListener('keydown', (e) => {
      let to = null;
      if (e.key === 'ArrowDown') to = Math.min(k + 1, app.diagnostics.length - 1);
      else if (e.key === 'ArrowUp') to = Math.max(k - 1, 0);
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = app.diagnostics.length - 1;
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
    el.problems.append(li);
  });
  markSelected();
}

function markSelected() {
  el.problems.querySelectorAll('.problem').forEach((b) => {
    const on = Number(b.dataset.index) === app.selected;
    b.classList.toggle('problem-selected', on);
    if (on) b.setAttribute('aria-current', 'true');
    else b.removeAttribute('aria-current');
  });
}

function selectDiagnostic(k, { moveCursor = true, focus = true } = {}) {
  const d = app.diagnostics[k];
  if (!d) return;
  app.selected = k;
  markSelected();
  el.problems.querySelector(`.problem[data-index="${k}"]`)?.scrollIntoView({ block: 'nearest' });
  showRulePage(d.rule);
  if (d.fileIndex < 0) return;
  if (d.fileIndex !== app.active) setActive(d.fileIndex, { focus: false });
  if (moveCursor) {
    const view = app.files[d.fileIndex].view;
    view.dispatch({ selection: { anchor: d.from }, scrollIntoView: true });
  }
  if (focus) app.files[d.fileIndex].view.focus();
}

/** Selecting text in the editor selects the problem under the cursor. */
function followCursor(file, view) {
  const i = app.files.indexOf(file);
  if (i !== app.active || !view.hasFocus) return;
  const pos = view.state.selection.main.head;
  const current = app.diagnostics[app.selected];
  if (current && current.fileIndex === i && current.from <= pos && pos <= current.to) return;
  let best = -1;
  app.diagnostics.forEach((d, k) => {
    if (d.fileIndex === i && d.from <= pos && pos <= d.to) {
      if (best < 0 || d.to - d.from < app.diagnostics[best].to - app.diagnostics[best].from) best = k;
    }
  });
  if (best >= 0 && best !== app.selected) selectDiagnostic(best, { moveCursor: false, focus: false });
}

// ---------------------------------------------------------------- CLI output

el.output.addEventListener('change', () => {
  const cli = el.output.value !== 'problems';
  el.problems.hidden = cli;
  el.cliOutput.hidden = !cli;
  el.cliOutput.textContent = '';
  refreshCliOutput();
});

function refreshCliOutput() {
  const format = el.output.value;
  if (format === 'problems' || !app.info) return;
  if (format === 'json' && app.reportJson != null) {
    // lint() returns exactly what `migralint check --format json` prints.
    el.cliOutput.textContent = app.reportJson;
    return;
  }
  const id = ++app.formatId;
  app.worker.postMessage({ type: 'format', id, format, files: lintFiles(), settings: lintSettings() });
}

// ---------------------------------------------------------------- rule page

function showRulePage(name) {
  app.shownRule = name;
  const pane = el.rulePage;
  if (!name || !app.info || !app.info.docs[name]) {
    pane.innerHTML = overviewHtml();
    pane.querySelectorAll('[data-show-rule]').forEach((b) =>
      b.addEventListener('click', () => showRulePage(b.dataset.showRule)),
    );
    return;
  }
  const { html, examples } = renderRulePage(app.info.docs[name]);
  const on = isRuleOn(name);
  pane.innerHTML =
    `<div class="rule-head"><button type="button" class="small back" data-testid="rule-back">← All rules</button>` +
    `<label class="check"><input type="checkbox" data-rule-toggle="${escapeHtml(name)}" ${on ? 'checked' : ''}/>` +
    `<span>Rule on</span></label></div>` +
    `<article class="markdown" data-testid="rule-page" data-rule="${escapeHtml(name)}">${html}</article>`;
  pane.querySelector('.back').addEventListener('click', () => {
    app.selected = -1;
    markSelected();
    showRulePage(null);
  });
  pane.querySelector('[data-rule-toggle]').addEventListener('change', (e) => setRuleOn(name, e.target.checked));
  pane.querySelectorAll('.open-example').forEach((b) =>
    b.addEventListener('click', () => loadExample(examples[Number(b.dataset.example)].files, name)),
  );
  pane.scrollTop = 0;
}

function overviewHtml() {
  if (!app.info) return '<p>Loading migralint…</p>';
  const groups = new Map();
  for (const r of app.info.rules) {
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

// ---------------------------------------------------------------- settings

for (const v of PG_VERSIONS) {
  const o = document.createElement('option');
  o.value = v === DEFAULT_PG_VERSION ? '' : String(v);
  o.textContent = v === DEFAULT_PG_VERSION ? `${v} (default)` : String(v);
  el.pg.append(o);
}
el.pg.addEventListener('change', () => {
  app.pg = el.pg.value === '' ? null : Number(el.pg.value);
  changed({ lintNow: true });
});

el.multi.addEventListener('change', () => {
  app.multiStatement = el.multi.checked;
  changed({ lintNow: true });
});

function isRuleOn(name) {
  const v = app.rules[name];
  return v ? v === 'on' : app.enabledByDefault[name] !== false;
}

function setRuleOn(name, on) {
  if (on === (app.enabledByDefault[name] !== false)) delete app.rules[name];
  else app.rules[name] = on ? 'on' : 'off';
  for (const box of document.querySelectorAll(`input[data-rule-toggle="${CSS.escape(name)}"]`)) box.checked = on;
  updateRulesBadge();
  changed({ lintNow: true });
}

function updateRulesBadge() {
  if (!app.info) return;
  // Changes from the defaults.
  const changes = app.info.rules.filter((r) => isRuleOn(r.name) !== (app.enabledByDefault[r.name] !== false));
  const off = changes.filter((r) => !isRuleOn(r.name)).length;
  const on = changes.length - off;
  el.rulesBadge.hidden = changes.length === 0;
  el.rulesBadge.textContent = [off ? `${off} off` : '', on ? `${on} on` : ''].filter(Boolean).join(', ');
  el.rulesButton.setAttribute('aria-label', `Rules${changes.length ? ` (${el.rulesBadge.textContent} compared with the defaults)` : ''}`);
}

function renderRulesList() {
  if (!app.info) return;
  el.rulesList.textContent = '';
  const groups = new Map();
  for (const r of app.info.rules) {
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
        `<input type="checkbox" id="${id}" data-rule-toggle="${escapeHtml(r.name)}" ${isRuleOn(r.name) ? 'checked' : ''}/>` +
        `<label for="${id}"><code>${escapeHtml(r.name)}</code> <span class="sev sev-${r.severity}">${r.severity}</span>` +
        `${app.enabledByDefault[r.name] === false ? ' <span class="pill">off by default</span>' : ''}` +
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

el.rulesFilter.addEventListener('input', filterRules);
el.rulesButton.addEventListener('click', () => {
  renderRulesList();
  el.rulesDialog.showModal();
});
el.rulesDefaults.addEventListener('click', () => {
  app.rules = {};
  renderRulesList();
  updateRulesBadge();
  if (app.shownRule) showRulePage(app.shownRule);
  changed({ lintNow: true });
});
el.rulesAllOn.addEventListener('click', () => {
  app.rules = {};
  for (const r of app.info.rules) if (app.enabledByDefault[r.name] === false) app.rules[r.name] = 'on';
  renderRulesList();
  updateRulesBadge();
  if (app.shownRule) showRulePage(app.shownRule);
  changed({ lintNow: true });
});
el.rulesDialog.addEventListener('click', (e) => {
  if (e.target === el.rulesDialog) el.rulesDialog.close(); // a click on the backdrop
});

// ---------------------------------------------------------------- examples

function buildExamplesMenu() {
  app.menu = examplesMenu(app.info.rules, app.info.docs);
  for (const group of app.menu) {
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

el.examples.addEventListener('change', () => {
  const id = el.examples.value;
  const item = app.menu.flatMap((g) => g.items).find((x) => x.id === id);
  el.examples.value = '';
  if (item) loadExample(item.files, item.rule);
});

function loadExample(files, rule) {
  const state = currentState();
  state.files = files.map((f) => ({ name: f.name, text: f.text }));
  state.active = files.length - 1;
  if (!isRuleOn(rule)) {
    if (app.enabledByDefault[rule] === false) state.rules[rule] = 'on';
    else delete state.rules[rule];
  }
  app.selectRuleAfterLint = rule;
  loadState(state);
}

// ---------------------------------------------------------------- share

el.shareButton.addEventListener('click', async () => {
  await persistState();
  const url = location.href;
  el.shareUrl.value = url;
  el.shareNote.textContent = '';
  el.shareDialog.showModal();
  el.shareUrl.focus();
  el.shareUrl.select();
  await copyShareUrl();
});

async function copyShareUrl() {
  try {
    await navigator.clipboard.writeText(el.shareUrl.value);
    el.shareNote.textContent = `Copied to the clipboard (${el.shareUrl.value.length} characters).`;
  } catch {
    el.shareUrl.select();
    el.shareNote.textContent = 'Press Ctrl+C (⌘C) to copy the selected link.';
  }
}
el.shareCopy.addEventListener('click', copyShareUrl);

// ---------------------------------------------------------------- offline

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) {
    el.statusOffline.textContent = '';
    return;
  }
  try {
    await navigator.serviceWorker.register('./sw.js');
    await navigator.serviceWorker.ready;
    el.statusOffline.textContent = 'Works offline';
    el.statusOffline.dataset.ready = 'true';
  } catch (e) {
    el.statusOffline.textContent = '';
    console.warn('no offline support:', e);
  }
}

// ---------------------------------------------------------------- go

const boot = window.__migralintBoot;
window.__migralintBoot = null;
app.worker = startWorker(boot);
showRulePage(null);
// Set up the editors while the worker compiles the wasm (and, started by
// boot.js, lints these very files).
if (boot) {
  boot.state.then((state) => {
    loadState(state, { persist: false, firstLint: boot.firstLint });
    // Now the page can take the worker's messages, those that came already
    // first.
    const early = boot.messages.splice(0);
    boot.worker.onmessage = (e) => onWorkerMessage(e.data);
    early.forEach(onWorkerMessage);
  });
} else {
  initialState().then((state) => loadState(state, { persist: false }));
}
registerServiceWorker();
// For the end-to-end tests and the curious: the last report, as the CLI's
// JSON.
window.migralintPlayground = {
  report: () => app.report,
  state: () => currentState(),
  /** True when the problems shown are those of the files as they are now. */
  settled: () =>
    app.report != null && !app.inFlight && !app.lintTimer && app.appliedVersion === app.docVersion,
  /** Makes the worker fail the way a panic in the linter does (tests). */
  simulateCrash: () => {
    const id = ++app.lintId;
    app.inFlight = { id, version: app.docVersion, posted: performance.now() };
    app.worker.postMessage({ type: 'simulate-crash', id });
  },
};
