// The problems panel can show the CLI's own output instead of the list:
// `--format compact|json|github|sarif`, rendered by the worker.
import { store } from './app-store.js';
import { el } from './dom.js';
import { lintFiles, lintSettings } from './lint.js';
import { onWorker, post } from './worker-client.js';

let formatId = 0;

/** Shows the CLI output of the current files in the chosen format. */
export function refreshCliOutput() {
  const format = el.output.value;
  const state = store.getState();
  if (format === 'problems' || !state.info) return;
  if (format === 'json' && state.reportJson != null) {
    // lint() returns exactly what `migralint check --format json` prints.
    el.cliOutput.textContent = state.reportJson;
    return;
  }
  const id = ++formatId;
  post({ type: 'format', id, format, files: lintFiles(), settings: lintSettings() });
}

export function initCliOutput() {
  onWorker('formatted', (msg) => {
    if (msg.id === formatId) el.cliOutput.textContent = msg.text;
  });
  el.output.addEventListener('change', () => {
    const cli = el.output.value !== 'problems';
    el.problems.hidden = cli;
    el.cliOutput.hidden = !cli;
    el.cliOutput.textContent = '';
    refreshCliOutput();
  });
}
