// The playground's state in one small store: `dispatch(action)` runs the
// reducer, which returns the next state (the old one when nothing
// changed); subscribers get (state, previous, action) after each change
// and render what they own. No framework: one reducer, plain objects.
//
// What lives here is what several modules read: the file list (names; the
// texts live in the editors, see files.js), the settings, the last report
// and the selection. Each module keeps its own DOM and private machinery
// (timers, the worker, editor views).

/** A store over `reducer`, starting at `initial`. */
export function createStore(reducer, initial) {
  let state = initial;
  const listeners = new Set();
  return {
    getState: () => state,
    dispatch(action) {
      const previous = state;
      state = reducer(state, action);
      if (state === previous) return;
      for (const listener of [...listeners]) listener(state, previous, action);
    },
    /** `listener(state, previous, action)` after each change; returns an
     *  unsubscribe function. */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const initialState = {
  /** From the worker: {version, rules, docs, initMs, times}. */
  info: null,
  /** Rule name -> whether it runs without configuration. */
  enabledByDefault: {},
  /** The tabs, in order: {id, name}. */
  files: [],
  active: 0,
  /** null: the core's default. */
  pg: null,
  /** Rule name -> 'on' | 'off': only changes from the defaults. */
  rules: {},
  multiStatement: false,
  /** Bumped by every change the lint depends on (texts, names, settings). */
  inputs: 0,
  /** The last report shown, as an object and as the CLI's JSON text. */
  report: null,
  reportJson: null,
  /** The report's diagnostics with {index, fileIndex, from, to}. */
  diagnostics: [],
  selected: -1,
  /** The rule whose page is shown (null: the overview). */
  shownRule: null,
  /** The line above the problems: {text, kind} (kind: '', ok, warning, error). */
  summary: { text: 'Loading migralint…', kind: '' },
};

/** Whether `name` runs with the page's settings. */
export function isRuleOn(state, name) {
  const v = state.rules[name];
  return v ? v === 'on' : state.enabledByDefault[name] !== false;
}

/** Rule settings with `name` on or off, kept as changes from the defaults. */
export function withRule(state, name, on) {
  const rules = { ...state.rules };
  if (on === (state.enabledByDefault[name] !== false)) delete rules[name];
  else rules[name] = on ? 'on' : 'off';
  return rules;
}

const bump = (state, changes) => ({ ...state, ...changes, inputs: state.inputs + 1 });

/** The reducer: one case per action type. */
export function reducer(state, action) {
  switch (action.type) {
    case 'ready': {
      const enabledByDefault = {};
      for (const r of action.info.rules) enabledByDefault[r.name] = r.enabled !== false;
      return { ...state, info: action.info, enabledByDefault };
    }
    case 'worker/restarted':
      return { ...state, info: action.info };
    // A whole new state (a share link, an example, the boot state).
    case 'load':
      return bump(state, {
        files: action.files,
        active: action.active,
        pg: action.pg ?? null,
        rules: { ...(action.rules || {}) },
        multiStatement: !!action.multiStatement,
        diagnostics: [],
        selected: -1,
      });
    case 'file/add':
      return bump(state, { files: [...state.files, action.file] });
    case 'file/remove': {
      if (state.files.length <= 1) return state;
      const files = state.files.filter((_, i) => i !== action.index);
      const active = Math.min(state.active > action.index ? state.active - 1 : state.active, files.length - 1);
      return bump(state, { files, active });
    }
    case 'file/rename':
      return bump(state, {
        files: state.files.map((f) => (action.names[f.id] != null ? { ...f, name: action.names[f.id] } : f)),
      });
    case 'file/activate':
      return action.index === state.active ? state : { ...state, active: action.index };
    case 'text/edit':
      return bump(state, {});
    case 'settings/pg':
      return bump(state, { pg: action.pg });
    case 'settings/multi':
      return bump(state, { multiStatement: action.on });
    case 'rules/set':
      return bump(state, { rules: action.rules });
    case 'lint/result':
      return {
        ...state,
        report: action.report,
        reportJson: action.json,
        diagnostics: action.diagnostics,
        selected: action.selected,
      };
    case 'select':
      return action.index === state.selected ? state : { ...state, selected: action.index };
    case 'rule/show':
      // Always a change: showing the same page again re-renders it.
      return { ...state, shownRule: action.name };
    case 'summary':
      return { ...state, summary: { text: action.text, kind: action.kind || '' } };
    default:
      return state;
  }
}
