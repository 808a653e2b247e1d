// The migralint playground: files in CodeMirror editors, linted as you type
// by the wasm build of migralint (in a worker), problems underlined in the
// editor and listed below it, the selected problem's rule page beside it.
//
// One module per concern over one small store (store.js, app-store.js):
//   files.js          the editors, tabs and file names (owns the texts)
//   lint.js           the lint loop and the status bar's times
//   diagnostics.js    underlines, hover, problems panel, selection
//   fixes.js          Fix buttons and "Fix all" (the wasm build's applyFixes)
//   rule-page.js      the rule page / overview beside the editor
//   settings.js       Postgres version, x-multi-statement, the rules dialog
//   examples-menu.js  the examples menu, loading an example
//   share-link.js     the state in the URL and localStorage, the Share dialog
//   cli-output.js     the CLI's own output formats
//   worker-client.js  the worker and its messages; theme.js; offline.js
// This file wires them and boots the page.
import './style.css';
import { store } from './app-store.js';
import { initCliOutput, refreshCliOutput } from './cli-output.js';
import { initDiagnostics, selectDiagnostic } from './diagnostics.js';
import { initExamplesMenu, loadExample } from './examples-menu.js';
import { initFiles } from './files.js';
import { initFixes } from './fixes.js';
import { initLint, onResultShown, settled, simulateCrash } from './lint.js';
import { registerServiceWorker } from './offline.js';
import { initRulePage, setRulePageActions, showRulePage } from './rule-page.js';
import { currentState, loadState } from './session.js';
import { initSettings, setRuleOn } from './settings.js';
import { initShareLink } from './share-link.js';
import { initialState as bootState } from './state.js';
import { initTheme } from './theme.js';
import { el } from './dom.js';
import { onWorker, showFatal, startWorker, takeBootMessages } from './worker-client.js';

initTheme();
initFiles();
initLint();
initDiagnostics();
initFixes();
initRulePage();
initSettings();
initExamplesMenu();
initShareLink();
initCliOutput();
setRulePageActions({ setRuleOn, loadExample });

onWorker('ready', (info) => {
  if (store.getState().info) {
    // A restarted worker (after a crash).
    store.dispatch({ type: 'worker/restarted', info });
    return;
  }
  store.dispatch({ type: 'ready', info });
  el.statusVersion.textContent = `migralint ${info.version} (WebAssembly)`;
});
onWorker('fatal', (msg) => showFatal(`could not start migralint: ${msg.message}`));

onResultShown((rule) => {
  if (rule) {
    const k = store.getState().diagnostics.findIndex((d) => d.rule === rule);
    if (k >= 0) selectDiagnostic(k, { moveCursor: true, focus: false });
    else showRulePage(rule);
  }
  refreshCliOutput();
});

// ---------------------------------------------------------------- go

const boot = window.__migralintBoot;
window.__migralintBoot = null;
startWorker(boot);
// Set up the editors while the worker compiles the wasm (and, started by
// boot.js, lints these very files).
if (boot) {
  boot.state.then((state) => {
    loadState(state, { persist: false, firstLint: boot.firstLint });
    // Now the page can take the worker's messages, those that came already
    // first.
    takeBootMessages(boot);
  });
} else {
  bootState().then((state) => loadState(state, { persist: false }));
}
registerServiceWorker();

// For the end-to-end tests and the curious.
window.migralintPlayground = {
  /** The last report, as the CLI's JSON. */
  report: () => store.getState().report,
  state: () => currentState(),
  /** True when the problems shown are those of the files as they are now. */
  settled,
  /** Makes the worker fail the way a panic in the linter does (tests). */
  simulateCrash,
};
