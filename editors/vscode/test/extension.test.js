'use strict';
// The extension without VS Code (which CI cannot download): the manifest's
// contributions, the server command, and the bundle loading against a stub
// `vscode` module. Run after `node scripts/build.mjs` (npm test does both).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');

const root = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const source = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');

test('the manifest activates on SQL and points at the bundle', () => {
  assert.ok(manifest.activationEvents.includes('onLanguage:sql'));
  assert.equal(manifest.main, './dist/extension.js');
  assert.ok(fs.existsSync(path.join(root, manifest.main)), 'run the build first');
  assert.ok(manifest.publisher && manifest.license && manifest.repository, 'vsce needs them');
});

test('every setting the code reads is contributed, with its default', () => {
  const props = manifest.contributes.configuration.properties;
  assert.equal(props['migralint.path'].default, 'migralint');
  assert.equal(props['migralint.config'].default, '');
  assert.deepEqual(props['migralint.trace.server'].enum, ['off', 'messages', 'verbose']);
  for (const [, key, fallback] of source.matchAll(/c\.get<string>\('([a-z.]+)', '([^']*)'\)/g)) {
    const prop = props[`migralint.${key}`];
    assert.ok(prop, `migralint.${key} is read but not contributed`);
    assert.equal(prop.default, fallback, `migralint.${key}: the code's fallback differs from the default`);
  }
  // The client id: vscode-languageclient reads `<id>.trace.server`.
  assert.match(source, /new LanguageClient\('migralint'/);
});

test('every command is contributed and registered', () => {
  const ids = manifest.contributes.commands.map((c) => c.command);
  assert.deepEqual(ids, ['migralint.restart']);
  for (const id of ids) {
    assert.ok(source.includes(`registerCommand('${id}'`), id);
  }
});

test('the engine covers what vscode-languageclient and @types/vscode need', () => {
  const min = (range) => range.replace(/^[\^~>=]+/, '').split('.').map(Number);
  const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const ours = min(manifest.engines.vscode);
  const lc = require('vscode-languageclient/package.json');
  assert.ok(cmp(ours, min(lc.engines.vscode)) >= 0, `vscode-languageclient needs ${lc.engines.vscode}`);
  const types = require('@types/vscode/package.json');
  assert.ok(cmp(ours, min(types.version)) >= 0, `@types/vscode ${types.version} is newer than the engine`);
});

test('the server command', () => {
  const { serverCommand, resolvePath } = require('../dist/server.js');
  assert.deepEqual(serverCommand({ path: 'migralint', config: '' }, '/ws'), { command: 'migralint', args: ['lsp'] });
  assert.deepEqual(serverCommand({ path: '', config: '' }, undefined), { command: 'migralint', args: ['lsp'] });
  assert.deepEqual(serverCommand({ path: './target/debug/migralint', config: 'db/migralint.toml' }, '/ws'), {
    command: path.resolve('/ws', 'target/debug/migralint'),
    args: ['--config', path.resolve('/ws', 'db/migralint.toml'), 'lsp'],
  });
  assert.equal(resolvePath('~/bin/migralint', '/ws', '/home/me'), path.join('/home/me', 'bin/migralint'));
  assert.equal(resolvePath('/opt/migralint', '/ws'), '/opt/migralint');
});

test('the bundle loads with only `vscode` left outside it', () => {
  const bundle = fs.readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8');
  const external = new Set(
    [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((m) => !Module.isBuiltin(m)),
  );
  assert.deepEqual([...external], ['vscode']);
  // Load it with a stub `vscode`: the module evaluates and exports the
  // entry points (activation itself needs a real editor).
  const stub = new Proxy(function () {}, { get: (t, k) => (k === '__esModule' ? false : stub), apply: () => stub, construct: () => stub });
  const load = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? stub : load.call(this, request, ...rest);
  };
  try {
    const ext = require('../dist/extension.js');
    assert.equal(typeof ext.activate, 'function');
    assert.equal(typeof ext.deactivate, 'function');
  } finally {
    Module._load = load;
  }
});
