'use strict';
// Entry point of the action (bundled into dist/index.js).
//
// The action runs on a worker thread with a large stack: the wasm linter
// recurses as deep as a migration's SQL is nested, and the JavaScript
// engine's stack holds those frames too. Node's main thread has about 1 MB
// (SQL nested near libpg_query's limit traps there: "Maximum call stack
// size exceeded"); a worker thread gets what it asks for. The worker sends
// its output and exit code; this thread writes them.

const fs = require('node:fs');
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const { command } = require('./commands');

/** The worker's stack, in MiB (address space, touched only as deep as the
 *  SQL is nested). The deepest trees libpg_query accepts needed up to 16
 *  MiB (frames of code not yet optimised are large); four times that. */
const WORKER_STACK_MB = 64;

function writeOut(text) {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; ) at += fs.writeSync(1, bytes, at);
}

if (isMainThread) {
  let code = null;
  const worker = new Worker(__filename, { resourceLimits: { stackSizeMb: WORKER_STACK_MB } });
  worker.on('message', (msg) => {
    if (typeof msg.out === 'string') writeOut(msg.out);
    if (typeof msg.code === 'number') code = msg.code;
  });
  const fail = (message) => {
    writeOut(`${command('error', { title: 'migralint' }, `internal error: ${message}`)}\n`);
    code = 2;
  };
  worker.on('error', (e) => fail(String((e && e.message) || e)));
  worker.on('exit', (status) => {
    if (code === null) fail(`the action's worker thread stopped (exit code ${status}) before it finished`);
    process.exitCode = code;
  });
} else {
  const { run } = require('./main');
  const code = run({ write: (out) => parentPort.postMessage({ out }) });
  parentPort.postMessage({ code });
}
