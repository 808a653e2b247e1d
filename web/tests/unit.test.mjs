// Unit tests of the playground's own logic (no browser): example parsing,
// positions, share links, file names; and the examples menu against the real
// wasm build, in Node.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { Text } from '@codemirror/state';
import { enabledByDefault, examplesMenu, pageExamples, parseBlock } from '../src/examples.js';
import { codePointToUtf16, minimalChange, rangeOf, utf16ToColumn } from '../src/positions.js';
import { createStore, initialState, isRuleOn, reducer, withRule } from '../src/store.js';
import { decodeState, encodeState } from '../src/share.js';
import {
  DEFAULT_PG_VERSION,
  defaultState,
  downNameFor,
  filesForLint,
  isUpName,
  nextUpName,
  settingsOf,
} from '../src/state.js';
import { webDir } from './browser.mjs';

const repoRoot = resolve(webDir, '..');
const wasmPkg = join(repoRoot, 'crates/migralint-wasm/pkg/web');

describe('examples', () => {
  test('a block without file names is one default up file', () => {
    assert.deepEqual(parseBlock('sql bad', 'CREATE INDEX i ON t (c);\n'), {
      good: false,
      files: [{ name: '000001_example.up.sql', text: 'CREATE INDEX i ON t (c);\n' }],
    });
  });
  test('file= names the file', () => {
    const ex = parseBlock('sql good file=000002_x.down.sql', 'DROP TABLE t;\n');
    assert.equal(ex.good, true);
    assert.deepEqual(ex.files, [{ name: '000002_x.down.sql', text: 'DROP TABLE t;\n' }]);
  });
  test('-- file: lines split a block into files', () => {
    const ex = parseBlock(
      'sql bad',
      '-- file: 000001_a.up.sql\nCREATE TABLE t (c int);\n-- file: 000002_b.up.sql\nCREATE INDEX i ON t (c);\n',
    );
    assert.deepEqual(ex.files, [
      { name: '000001_a.up.sql', text: 'CREATE TABLE t (c int);\n' },
      { name: '000002_b.up.sql', text: 'CREATE INDEX i ON t (c);\n' },
    ]);
  });
  test('text before the first -- file: line stays in the default file', () => {
    const ex = parseBlock('sql bad', 'SELECT 1;\n-- file: 000002_b.up.sql\nSELECT 2;\n');
    assert.deepEqual(
      ex.files.map((f) => f.name),
      ['000001_example.up.sql', '000002_b.up.sql'],
    );
  });
  test('other blocks are not examples', () => {
    assert.equal(parseBlock('sql', 'SELECT 1;\n'), null);
    assert.equal(parseBlock('toml', 'a = 1\n'), null);
  });
  test('pageExamples reads every sql good/bad block of a page', () => {
    const md = '# r\n\n```sql bad\nA;\n```\n\ntext\n\n```toml\nx = 1\n```\n\n```sql good\nB;\n```\n';
    const ex = pageExamples(md);
    assert.equal(ex.length, 2);
    assert.equal(ex[0].good, false);
    assert.equal(ex[0].files[0].text, 'A;\n');
    assert.equal(ex[1].good, true);
  });
  test('the menu lists bad examples by category, numbered when a rule has several', () => {
    const rules = [
      { name: 'a', category: 'locking' },
      { name: 'b', category: 'locking' },
      { name: 'c', category: 'style' },
    ];
    const docs = {
      a: '```sql bad\nX;\n```\n```sql bad\nY;\n```\n```sql good\nZ;\n```\n',
      b: '```sql good\nZ;\n```\n',
      c: '```sql bad\nW;\n```\n',
    };
    const menu = examplesMenu(rules, docs);
    assert.deepEqual(
      menu.map((g) => [g.category, g.items.map((i) => i.label)]),
      [
        ['locking', ['a (1)', 'a (2)']],
        ['style', ['c']],
      ],
    );
  });
});

describe('positions', () => {
  test('columns count code points', () => {
    const line = 'SELECT \'😀\', x;';
    assert.equal(codePointToUtf16(line, 0), 0);
    assert.equal(codePointToUtf16(line, 8), 8); // the emoji starts at 8
    assert.equal(codePointToUtf16(line, 9), 10); // past its two UTF-16 units
    assert.equal(utf16ToColumn(line, 10), 10);
    assert.equal(codePointToUtf16(line, 99), line.length);
  });
  test('a diagnostic maps to its range in the document', () => {
    const doc = Text.of(['-- é😀', "ALTER TABLE t ADD COLUMN x int NOT NUL;"]);
    const r = rangeOf(doc, { line: 2, column: 36, end_line: 2, end_column: 39 });
    assert.equal(doc.sliceString(r.from, r.to), 'NUL');
    const r1 = rangeOf(doc, { line: 1, column: 5, end_line: 1, end_column: 6 });
    assert.equal(doc.sliceString(r1.from, r1.to), '😀');
  });
  test('a new text as one change of the part that differs', () => {
    const apply = (old, c) => (c ? old.slice(0, c.from) + c.insert + old.slice(c.to) : old);
    const cases = [
      ['CREATE INDEX i ON t (c);', 'CREATE INDEX CONCURRENTLY i ON t (c);', { from: 13, to: 13, insert: 'CONCURRENTLY ' }],
      ['a timestamp;', 'a timestamptz;', { from: 11, to: 11, insert: 'tz' }],
      ['abc', 'abc', null],
      ['', 'x', { from: 0, to: 0, insert: 'x' }],
      ['x😀y', 'x😁y', { from: 1, to: 3, insert: '😁' }],
      ['aaa', 'aa', { from: 2, to: 3, insert: '' }],
    ];
    for (const [old, text, want] of cases) {
      const c = minimalChange(old, text);
      assert.deepEqual(c, want, `${old} -> ${text}`);
      assert.equal(apply(old, c), text);
    }
  });
  test('positions past the end are clamped', () => {
    const doc = Text.of(['SELECT 1;']);
    const r = rangeOf(doc, { line: 3, column: 1, end_line: 3, end_column: 1 });
    assert.deepEqual(r, { from: 9, to: 9 });
    const r2 = rangeOf(doc, { line: 1, column: 1, end_line: 1, end_column: 50 });
    assert.deepEqual(r2, { from: 0, to: 9 });
  });
});

describe('the store', () => {
  const loaded = () => {
    const store = createStore(reducer, initialState);
    store.dispatch({
      type: 'ready',
      info: { rules: [{ name: 'a' }, { name: 'b', enabled: false }], docs: {}, version: '0' },
    });
    store.dispatch({
      type: 'load',
      files: [
        { id: 1, name: '000001_x.up.sql' },
        { id: 2, name: '000001_x.down.sql' },
      ],
      active: 1,
      pg: 13,
      rules: { a: 'off' },
      multiStatement: true,
    });
    return store;
  };
  test('dispatch runs the reducer and tells subscribers what changed, and why', () => {
    const store = loaded();
    const seen = [];
    const stop = store.subscribe((state, prev, action) => seen.push([action.type, prev.inputs, state.inputs]));
    store.dispatch({ type: 'text/edit', id: 1 });
    store.dispatch({ type: 'file/activate', index: 1 }); // already active: no change, no call
    store.dispatch({ type: 'no-such-action' });
    store.dispatch({ type: 'settings/pg', pg: null });
    stop();
    store.dispatch({ type: 'text/edit', id: 1 });
    const base = seen[0][1];
    assert.deepEqual(seen, [
      ['text/edit', base, base + 1],
      ['settings/pg', base + 1, base + 2],
    ]);
    assert.equal(store.getState().pg, null);
  });
  test('files: add, rename (the down with its up), remove (the active tab follows)', () => {
    const store = loaded();
    const before = store.getState().inputs;
    store.dispatch({ type: 'file/add', file: { id: 3, name: '000002_next.up.sql' } });
    store.dispatch({ type: 'file/activate', index: 2 });
    store.dispatch({ type: 'file/rename', names: { 1: '000007_y.up.sql', 2: '000007_y.down.sql' } });
    assert.deepEqual(
      store.getState().files.map((f) => f.name),
      ['000007_y.up.sql', '000007_y.down.sql', '000002_next.up.sql'],
    );
    store.dispatch({ type: 'file/remove', index: 0 });
    assert.equal(store.getState().active, 1, 'the active file keeps its tab');
    assert.deepEqual(store.getState().files.map((f) => f.id), [2, 3]);
    store.dispatch({ type: 'file/remove', index: 1 });
    const once = store.getState();
    store.dispatch({ type: 'file/remove', index: 0 });
    assert.equal(store.getState(), once, 'the last file stays');
    assert.equal(once.inputs, before + 4, 'each change the lint reads bumps inputs');
    assert.equal(once.active, 0);
  });
  test('rules are kept as changes from the defaults', () => {
    const store = loaded();
    let state = store.getState();
    assert.equal(isRuleOn(state, 'a'), false);
    assert.equal(isRuleOn(state, 'b'), false, 'off by default');
    assert.deepEqual(withRule(state, 'a', true), {});
    assert.deepEqual(withRule(state, 'b', true), { a: 'off', b: 'on' });
    store.dispatch({ type: 'rules/set', rules: withRule(state, 'b', true) });
    state = store.getState();
    assert.equal(isRuleOn(state, 'b'), true);
    assert.deepEqual(withRule(state, 'b', false), { a: 'off' });
  });
  test('a lint result replaces the problems; a load clears them', () => {
    const store = loaded();
    const report = { diagnostics: [{ rule: 'a' }], summary: { files: 2, errors: 1, warnings: 0 } };
    store.dispatch({ type: 'lint/result', report, json: '{}', diagnostics: [{ rule: 'a', index: 0 }], selected: 0 });
    assert.equal(store.getState().selected, 0);
    store.dispatch({ type: 'load', files: [{ id: 9, name: 'a.sql' }], active: 0 });
    const s = store.getState();
    assert.deepEqual([s.diagnostics, s.selected, s.report], [[], -1, report]);
    assert.deepEqual([s.pg, s.rules, s.multiStatement], [null, {}, false]);
  });
});

describe('share links', () => {
  test('a state survives a round trip, compressed', async () => {
    const state = {
      files: [
        { name: '000001_a.up.sql', text: "CREATE TABLE t (c text DEFAULT 'é😀');\n".repeat(50) },
        { name: '000001_a.down.sql', text: 'DROP TABLE t;\n' },
      ],
      active: 1,
      pg: 13,
      rules: { 'require-lock-timeout': 'off', 'x-rule': 'on' },
      multiStatement: true,
    };
    const fragment = await encodeState(state);
    assert.match(fragment, /^v1\.[A-Za-z0-9_-]+$/);
    assert.ok(fragment.length < 400, `compressed: ${fragment.length} characters`);
    assert.deepEqual(await decodeState('#' + fragment), state);
  });
  test('bad links are refused, odd fields dropped', async () => {
    await assert.rejects(decodeState('#nonsense'));
    await assert.rejects(decodeState('#v1.AAAA'));
    const f = await encodeState({ files: [{ name: 'a.sql', text: '' }], pg: 99, rules: { a: 'maybe' } });
    assert.deepEqual(await decodeState(f), {
      files: [{ name: 'a.sql', text: '' }],
      active: 0,
      pg: null,
      rules: {},
      multiStatement: false,
    });
  });
});

describe('file names', () => {
  test('the down file of an up file', () => {
    assert.equal(downNameFor('000001_example.up.sql'), '000001_example.down.sql');
    assert.equal(downNameFor('20240101120000_add_x.up.sql'), '20240101120000_add_x.down.sql');
    assert.ok(isUpName('1_a.up.sql'));
    assert.ok(!isUpName('1_a.down.sql'));
  });
  test('the next migration keeps the version width', () => {
    assert.equal(nextUpName(['000001_example.up.sql', '000001_example.down.sql']), '000002_next.up.sql');
    assert.equal(nextUpName(['20240101120000_a.up.sql']), '20240101120001_next.up.sql');
    assert.equal(nextUpName([]), '000001_next.up.sql');
  });
  test('files go to the linter sorted by path, with the editor\'s line breaks', () => {
    assert.deepEqual(
      filesForLint([
        { name: '000002_b.up.sql', text: 'SELECT 2;\r\n' },
        { name: '000001_a.up.sql', text: 'SELECT 1;\r' },
        { name: '000001_a.down.sql', text: '' },
      ]),
      [
        { path: '000001_a.down.sql', text: '' },
        { path: '000001_a.up.sql', text: 'SELECT 1;\n' },
        { path: '000002_b.up.sql', text: 'SELECT 2;\n' },
      ],
    );
    assert.deepEqual(settingsOf({ pg: 13, multiStatement: true, rules: { a: 'off' }, files: [] }), {
      pg: 13,
      multiStatement: true,
      rules: { a: 'off' },
    });
  });
  test('the default state is an up file and its down file', () => {
    const s = defaultState();
    assert.deepEqual(
      s.files.map((f) => f.name),
      ['000001_example.up.sql', '000001_example.down.sql'],
    );
  });
  test('the default Postgres version is the core default', (t) => {
    // The engine's options define it (config.rs re-exports it).
    const candidates = ['crates/migralint-core/src/engine/options.rs', 'crates/migralint-core/src/config.rs'];
    const sources = candidates.map((p) => join(repoRoot, p)).filter(existsSync);
    if (!sources.length) return t.skip(`none of ${candidates.join(', ')} found`);
    const m = sources.map((p) => /DEFAULT_PG_VERSION: u32 = (\d+);/.exec(readFileSync(p, 'utf8'))).find(Boolean);
    assert.ok(m, `DEFAULT_PG_VERSION in ${candidates.join(' or ')}`);
    assert.equal(DEFAULT_PG_VERSION, Number(m[1]));
  });
});

describe('with the wasm build', () => {
  const have = existsSync(join(wasmPkg, 'migralint_wasm_bg.wasm'));
  // The core's page test (every_page_example_holds) checks the examples
  // themselves; this checks that the playground reads them the same way: a
  // bad example opened from the menu shows its rule.
  test('every bad example of the menu raises its rule', async (t) => {
    if (!have) return t.skip(`${wasmPkg} not built`);
    const mod = await import(join(wasmPkg, 'migralint_wasm.js'));
    mod.initSync({ module: readFileSync(join(wasmPkg, 'migralint_wasm_bg.wasm')) });
    const rules = JSON.parse(mod.rules());
    const docs = Object.fromEntries(rules.map((r) => [r.name, mod.explain(r.name)]));
    let checked = 0;
    for (const rule of rules) {
      for (const ex of pageExamples(docs[rule.name]).filter((e) => !e.good)) {
        const files = ex.files.map((f) => ({ path: f.name, text: f.text }));
        const config = { rules: { [rule.name]: 'error' } };
        const report = JSON.parse(mod.lint(files, config, null));
        const fires = report.diagnostics.some((d) => d.rule === rule.name);
        assert.ok(fires, `rules/${rule.name}.md:${ex.line}: the bad example does not raise ${rule.name}`);
        checked++;
      }
    }
    assert.ok(checked >= 2, `checked ${checked} examples`);
    // Whether a rule runs by default, as the page header says: its bad
    // example raises it under the default configuration exactly then.
    for (const rule of rules) {
      const bad = pageExamples(docs[rule.name]).find((e) => !e.good);
      if (!bad) continue;
      const files = bad.files.map((f) => ({ path: f.name, text: f.text }));
      const fires = JSON.parse(mod.lint(files, null, null)).diagnostics.some((d) => d.rule === rule.name);
      assert.equal(fires, enabledByDefault(rule, docs[rule.name]), `${rule.name}: runs by default?`);
    }
    const menu = examplesMenu(rules, docs);
    assert.ok(menu.flatMap((g) => g.items).some((i) => i.rule === 'require-concurrent-index-creation'));
  });
});
