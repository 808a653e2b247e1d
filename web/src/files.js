// The files: one CodeMirror editor per file, in tabs; the file-name field;
// adding and removing files. The store holds the list ({id, name}) and the
// active tab; the texts live in the editors (this module owns them).
import { store } from './app-store.js';
import { el } from './dom.js';
import { createEditor } from './editor.js';
import { escapeHtml } from './markdown.js';
import { minimalChange } from './positions.js';
import { downNameFor, isUpName, nextUpName } from './state.js';

/** id -> {view, panel} */
const editors = new Map();
let nextId = 0;
let cursorListener = () => {};

/** `fn(fileIndex, view)` when the selection moves in an editor. */
export function onCursor(fn) {
  cursorListener = fn;
}

function createFile(name, text) {
  const id = ++nextId;
  const panel = document.createElement('div');
  panel.className = 'editor-panel';
  panel.id = `editor-panel-${id}`;
  panel.setAttribute('role', 'tabpanel');
  panel.hidden = true;
  el.editors.append(panel);
  const view = createEditor({
    parent: panel,
    doc: text,
    label: `SQL of ${name}`,
    onChange: () => store.dispatch({ type: 'text/edit', id }),
    onCursor: (v) => cursorListener(indexOf(id), v),
  });
  editors.set(id, { view, panel });
  return { id, name };
}

function indexOf(id) {
  return store.getState().files.findIndex((f) => f.id === id);
}

/** The editor of the file at `index` of the list. */
export function viewAt(index) {
  const f = store.getState().files[index];
  return f ? editors.get(f.id).view : null;
}

/** The files with their texts, in tab order. */
export function fileTexts() {
  return store.getState().files.map((f) => ({ name: f.name, text: editors.get(f.id).view.state.doc.toString() }));
}

/** Replaces every file with `files` ({name, text}); returns the new list
 *  ({id, name}) for the 'load' action. */
export function replaceFiles(files) {
  for (const { view, panel } of editors.values()) {
    view.destroy();
    panel.remove();
  }
  editors.clear();
  return files.map((f) => createFile(f.name, f.text));
}

/** Adds a file after the others; returns its index. */
export function addFile(name, text) {
  const file = createFile(name, text);
  store.dispatch({ type: 'file/add', file });
  return store.getState().files.length - 1;
}

export function removeFile(index) {
  const { files } = store.getState();
  if (files.length <= 1) return;
  const { id } = files[index];
  const { view, panel } = editors.get(id);
  store.dispatch({ type: 'file/remove', index });
  view.destroy();
  panel.remove();
  editors.delete(id);
  setActive(store.getState().active, { focus: false, force: true });
}

/** Sets the text of the file at `index` to `text`, as one edit of the
 *  part that differs (the cursor stays where the text did not change; the
 *  editor's undo takes it back). */
export function setText(index, text) {
  const view = viewAt(index);
  const change = minimalChange(view.state.doc.toString(), text);
  if (change) view.dispatch({ changes: change });
}

function fileKind(name) {
  if (/\.up\.[A-Za-z0-9]+$/.test(name)) return 'up migration';
  if (/\.down\.[A-Za-z0-9]+$/.test(name)) return 'down migration';
  return 'not a migration name ({version}_{title}.up.sql or .down.sql)';
}

/** Shows the file at `index`: its tab selected, its editor visible, its
 *  name in the field. */
export function setActive(index, { focus = true, force = false } = {}) {
  const prev = store.getState().active;
  store.dispatch({ type: 'file/activate', index });
  const { files } = store.getState();
  files.forEach((f, i) => {
    editors.get(f.id).panel.hidden = i !== index;
  });
  renderTabs();
  const file = files[index];
  el.fileName.value = file.name;
  el.fileName.removeAttribute('aria-invalid');
  el.fileNameHint.textContent = fileKind(file.name);
  const view = editors.get(file.id).view;
  if (prev !== index || force) view.requestMeasure();
  if (focus) view.focus();
}

function renderTabs() {
  const { files, active, diagnostics } = store.getState();
  el.tabs.textContent = '';
  const counts = new Map();
  for (const d of diagnostics) counts.set(d.fileIndex, (counts.get(d.fileIndex) || 0) + 1);
  files.forEach((f, i) => {
    const { panel } = editors.get(f.id);
    const wrap = document.createElement('div');
    wrap.setAttribute('role', 'presentation');
    wrap.className = 'tab' + (i === active ? ' tab-active' : '');
    const tab = document.createElement('button');
    tab.type = 'button';
    tab.className = 'tab-button';
    tab.setAttribute('role', 'tab');
    tab.id = `tab-${panel.id}`;
    tab.setAttribute('aria-selected', String(i === active));
    tab.setAttribute('aria-controls', panel.id);
    tab.tabIndex = i === active ? 0 : -1;
    tab.dataset.testid = 'tab';
    tab.dataset.file = f.name;
    const kind = /\.down\.[^.]+$/.test(f.name) ? 'down' : /\.up\.[^.]+$/.test(f.name) ? 'up' : '';
    tab.innerHTML =
      (kind ? `<span class="tab-kind tab-kind-${kind}">${kind}</span>` : '') +
      `<span class="tab-name">${escapeHtml(f.name)}</span>` +
      (counts.get(i) ? `<span class="badge" aria-label="${counts.get(i)} problems">${counts.get(i)}</span>` : '');
    tab.addEventListener('click', () => setActive(i));
    tab.addEventListener('keydown', (e) => {
      const n = store.getState().files.length;
      let to = null;
      if (e.key === 'ArrowRight') to = (i + 1) % n;
      else if (e.key === 'ArrowLeft') to = (i - 1 + n) % n;
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = n - 1;
      else if (e.key === 'Delete' && n > 1) {
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
    panel.setAttribute('aria-labelledby', tab.id);
    wrap.append(tab);
    if (files.length > 1) {
      const close = document.createElement('button');
      close.type = 'button';
      close.className = 'tab-close';
      close.textContent = '×';
      close.tabIndex = i === active ? 0 : -1;
      close.setAttribute('aria-label', `Remove ${f.name}`);
      close.title = `Remove ${f.name}`;
      close.addEventListener('click', () => removeFile(i));
      wrap.append(close);
    }
    el.tabs.append(wrap);
  });
  const up = files.find((f) => isUpName(f.name));
  const missingDown = up && !files.some((f) => f.name === downNameFor(up.name));
  el.addDown.hidden = !missingDown;
}

function onFileNameInput() {
  const { files, active } = store.getState();
  const file = files[active];
  const name = el.fileName.value.trim();
  const clash = files.some((f, i) => i !== active && f.name === name);
  if (!name || clash || /[\\/]/.test(name)) {
    el.fileName.setAttribute('aria-invalid', 'true');
    el.fileNameHint.textContent = !name ? 'a file needs a name' : clash ? 'another tab has this name' : 'a file name, without folders';
    return;
  }
  el.fileName.removeAttribute('aria-invalid');
  if (name === file.name) return;
  const names = { [file.id]: name };
  // Renaming an up file renames its down file along with it.
  if (isUpName(file.name)) {
    const down = files.find((f) => f.name === downNameFor(file.name));
    const newDown = isUpName(name) ? downNameFor(name) : null;
    if (down && newDown && !files.some((f) => f.name === newDown)) names[down.id] = newDown;
  }
  el.fileNameHint.textContent = fileKind(name);
  store.dispatch({ type: 'file/rename', names });
}

export function initFiles() {
  el.addDown.addEventListener('click', () => {
    const up = store.getState().files.find((f) => isUpName(f.name));
    if (!up) return;
    setActive(addFile(downNameFor(up.name), ''));
  });
  el.addFile.addEventListener('click', () => {
    setActive(addFile(nextUpName(store.getState().files.map((x) => x.name)), ''));
  });
  el.fileName.addEventListener('input', onFileNameInput);
  el.fileName.addEventListener('blur', () => {
    const { files, active } = store.getState();
    el.fileName.value = files[active].name;
    el.fileName.removeAttribute('aria-invalid');
    el.fileNameHint.textContent = fileKind(files[active].name);
  });
  el.fileName.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      viewAt(store.getState().active).focus();
    }
  });
  // The tabs show the names and each file's number of problems.
  store.subscribe((state, prev) => {
    if (state.files !== prev.files || state.diagnostics !== prev.diagnostics) {
      if (state.files.every((f) => editors.has(f.id))) renderTabs();
    }
  });
}
