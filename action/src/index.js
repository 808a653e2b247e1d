'use strict';
// Entry point of the action (bundled into dist/index.js).

const { run } = require('./main');

process.exitCode = run();
