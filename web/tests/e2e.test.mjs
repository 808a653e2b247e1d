// End-to-end tests of the built playground (dist/) in real headless Chromium
// (Debian's /usr/bin/chromium driven by playwright-core), served on a free
// loopback port. Screenshots and the measured times go to test-artifacts/.
// Times are reported, never asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encodeState } from '../src/share.js';
import { launch, lintSeq, problems, screenshot, waitForLint, writeArtifact } from './browser.mjs';

const UP = '000001_example.up.sql';
const DOWN = '000001_example.down.sql';
const metrics = {};
let b;
let page;

/** Opens the playground on `state` (a fresh document load). */
async function open(state) {
  const fragment = state ? '#' + (await encodeState(state)) : '';
  await page.goto('about:blank');
  await page.goto(b.url + fragment);
  await settled();
}

/** Waits until the problems shown are those of the current text. */
async function settled() {
  await page.waitForFunction(() => window.migralintPlayground?.settled(), null, { timeout: 20000 });
}

/** The load-time breakdown the page shows (ms from navigation start). */
async function loadTimes() {
  return page.evaluate(() => {
    const e = document.querySelector('[data-testid="load-time"]');
    const nav = performance.getEntriesByType('navigation')[0];
    const n = (v) => Math.round(Number(v) * 10) / 10;
    return {
      navigationToFirstDiagnosticsMs: n(e.dataset.readyMs),
      wasmCompileInstantiateMs: n(e.dataset.wasmMs),
      firstLintMs: n(e.dataset.firstLintMs),
      workerScriptStartedAtMs: n(e.dataset.workerScriptStartMs),
      wasmReadyAtMs: n(e.dataset.workerWasmReadyMs),
      domContentLoadedAtMs: n(nav.domContentLoadedEventEnd),
      shown: e.textContent,
    };
  });
}

function oneFile(text, extra = {}) {
  return { files: [{ name: UP, text }], active: 0, pg: null, rules: {}, multiStatement: false, ...extra };
}

async function editorText() {
  return page.evaluate(() => {
    const s = window.migralintPlayground.state();
    return s.files[s.active].text;
  });
}

async function focusEditor() {
  await page.focus('.editor-panel:not([hidden]) .cm-content');
}

async function focusEditorEnd() {
  await focusEditor();
  await page.keyboard.press('Control+End');
}

before(async () => {
  b = await launch();
  page = await b.newPage();
});

after(async () => {
  writeArtifact('metrics.json', JSON.stringify(metrics, null, 2) + '\n');
  console.log(`# playground metrics: ${JSON.stringify(metrics)}`);
  await b?.close();
});

describe('playground', () => {
  test('first load: the wasm linter starts and lints the default migration', async () => {
    const t0 = Date.now();
    await page.goto(b.url);
    await page.waitForSelector('[data-testid="load-time"][data-ready-ms]', { timeout: 20000 });
    const wall = Date.now() - t0;
    metrics.firstLoad = { ...(await loadTimes()), wallClockMs: wall };
    console.log(`# first load: ${metrics.firstLoad.shown} (wall clock ${wall} ms)`);
    await settled();
    const found = await problems(page);
    const index = found.find((p) => p.rule === 'require-concurrent-index-creation' && p.file === UP);
    assert.ok(index, JSON.stringify(found));
    assert.equal(index.line, 11);
    assert.equal(index.severity, 'error');
    // accounts is created in the same file: its index is fine.
    assert.ok(!found.some((p) => p.rule === 'require-concurrent-index-creation' && p.line === 7));
    assert.match(await page.textContent('[data-testid="status-version"]'), /^migralint \d+\.\d+\.\d+/);
    await screenshot(page, '01-default-light');
    // Again, with the files in the browser's caches.
    await page.goto('about:blank');
    await page.goto(b.url);
    await page.waitForSelector('[data-testid="load-time"][data-ready-ms]', { timeout: 20000 });
    metrics.secondLoad = await loadTimes();
    console.log(`# second load: ${metrics.secondLoad.shown}`);
  });

  test('typing a hazardous migration shows its diagnostics at their lines', async () => {
    await open(oneFile(''));
    await focusEditorEnd();
    const lines = [
      'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);',
      'CREATE INDEX accounts_email_idx ON accounts (email);',
      'CREATE INDEX users_email_idx ON users (email);',
    ];
    await page.keyboard.type(lines.join('\n'));
    await settled();
    const text = await editorText();
    assert.equal(text.split('\n').length, 3, text);
    const found = await problems(page);
    const hits = found.filter((p) => p.rule === 'require-concurrent-index-creation');
    assert.deepEqual(
      hits.map((p) => [p.file, p.line, p.column, p.severity]),
      [[UP, 3, 1, 'error']],
      JSON.stringify(found),
    );
    // The underline covers the statement on line 3.
    const marked = await page.$$eval('.cm-lintRange.ml-rule-require-concurrent-index-creation', (els) =>
      els.map((e) => e.textContent).join(''),
    );
    assert.match(marked, /^CREATE INDEX users_email_idx ON users \(email\)/);
    // The summary counts what the report holds.
    const report = await page.evaluate(() => window.migralintPlayground.report());
    assert.equal(report.summary.files, 1);
    assert.equal(report.diagnostics.length, found.length);

    // Hovering the underline shows the message and the help.
    await page.hover('.cm-lintRange.ml-rule-require-concurrent-index-creation');
    const tooltip = await page.waitForSelector('.cm-tooltip-lint', { timeout: 5000 });
    const tip = await tooltip.textContent();
    assert.match(tip, /require-concurrent-index-creation/);
    assert.ok(tip.includes(hits[0].text.match(/CREATE INDEX without CONCURRENTLY/)?.[0] ?? 'CONCURRENTLY'), tip);
    assert.match(tip, /Help:/);
    await screenshot(page, '02-typed-hover');
    await page.mouse.move(5, 5);
  });

  test('clicking a problem jumps to its line and shows its rule page', async () => {
    await open(
      oneFile('-- one\n-- two\n\nCREATE INDEX users_email_idx\n    ON users (email);\n'),
    );
    const row = page.locator('.problem[data-rule="require-concurrent-index-creation"]');
    assert.equal(await row.getAttribute('data-line'), '4');
    await row.click();
    // The cursor is on line 4, in the editor, which has the focus.
    const cursor = await page.evaluate(() => {
      const active = document.activeElement;
      const line = document.querySelector('.editor-panel:not([hidden]) .cm-activeLine');
      return { inEditor: !!active?.closest('.cm-editor'), line: line?.textContent };
    });
    assert.ok(cursor.inEditor, 'the editor has the focus');
    assert.equal(cursor.line, 'CREATE INDEX users_email_idx');
    const gutter = await page.textContent('.editor-panel:not([hidden]) .cm-activeLineGutter');
    assert.equal(gutter.trim(), '4');
    // Its rule page is beside it.
    const pane = page.locator('[data-testid="rule-page"]');
    assert.equal(await pane.getAttribute('data-rule'), 'require-concurrent-index-creation');
    assert.match(await pane.locator('h2').first().textContent(), /require-concurrent-index-creation/);
    assert.ok((await pane.locator('.example-bad').count()) >= 1);
    assert.equal(await page.getAttribute('.problem[data-rule="require-concurrent-index-creation"]', 'aria-current'), 'true');
    await screenshot(page, '03-problem-selected-rule-page');
  });

  test('turning a rule off removes its diagnostics; turning it on brings them back', async () => {
    await open(oneFile('CREATE INDEX users_email_idx ON users (email);\n'));
    assert.ok((await problems(page)).some((p) => p.rule === 'require-concurrent-index-creation'));
    await page.click('[data-testid="rules-button"]');
    await page.waitForSelector('[data-testid="rules-dialog"][open]');
    await page.fill('#rules-filter', 'concurrent-index-creation');
    const box = page.locator('input[data-rule-toggle="require-concurrent-index-creation"]').first();
    assert.equal(await box.isChecked(), true);
    let seq = await lintSeq(page);
    await box.uncheck();
    await waitForLint(page, seq);
    await settled();
    await screenshot(page, '04-rules-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="rules-dialog"]:not([open])', { state: 'attached' });
    assert.ok(!(await problems(page)).some((p) => p.rule === 'require-concurrent-index-creation'));
    assert.equal(await page.locator('.cm-lintRange.ml-rule-require-concurrent-index-creation').count(), 0);
    assert.equal((await page.textContent('#rules-badge')).trim(), '1 off');
    const state = await page.evaluate(() => window.migralintPlayground.state());
    assert.deepEqual(state.rules, { 'require-concurrent-index-creation': 'off' });

    // Back on, from the problem's hover action this time is not possible (no
    // problem): use the dialog again.
    await page.click('[data-testid="rules-button"]');
    seq = await lintSeq(page);
    await page.locator('input[data-rule-toggle="require-concurrent-index-creation"]').first().check();
    await waitForLint(page, seq);
    await page.keyboard.press('Escape');
    await settled();
    assert.ok((await problems(page)).some((p) => p.rule === 'require-concurrent-index-creation'));
    assert.equal(await page.isHidden('#rules-badge'), true);
  });

  test('a syntax error shows at its token', async () => {
    await open(oneFile('CREATE TABLE accounts (id bigint PRIMARY KEY);\n'));
    await focusEditorEnd();
    const line = 'ALTER TABLE users ADD COLUMN x int NOT NUL;';
    await page.keyboard.type(line);
    await settled();
    const found = await problems(page);
    const syntax = found.filter((p) => p.rule === 'syntax-error');
    assert.equal(syntax.length, 1, JSON.stringify(found));
    const column = line.indexOf('NUL;') + 1;
    assert.deepEqual(
      [syntax[0].line, syntax[0].column, syntax[0].endLine, syntax[0].endColumn, syntax[0].severity],
      [2, column, 2, column + 3, 'error'],
    );
    assert.match(syntax[0].text, /syntax error at or near "NUL"/);
    const marked = await page.$$eval('.cm-lintRange.ml-rule-syntax-error', (els) => els.map((e) => e.textContent));
    assert.deepEqual(marked, ['NUL']);
    await page.hover('.cm-lintRange.ml-rule-syntax-error');
    await page.waitForSelector('.cm-tooltip-lint');
    await screenshot(page, '05-syntax-error');
    await page.mouse.move(5, 5);
    // Fixing the token clears it.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('L');
    await settled();
    assert.ok(!(await problems(page)).some((p) => p.rule === 'syntax-error'));
  });

  test('naming and pairing: the file name and the down tab reach the linter', async () => {
    await open(oneFile('CREATE TABLE t (id bigint PRIMARY KEY);\n'));
    // The file-name field renames the file the linter sees.
    await page.fill('[data-testid="file-name"]', '000007_Add Things.up.sql');
    await settled();
    let report = await page.evaluate(() => window.migralintPlayground.report());
    assert.ok(report.diagnostics.every((d) => d.file === '000007_Add Things.up.sql'), JSON.stringify(report));
    await page.fill('[data-testid="file-name"]', '000007_add_things.up.sql');
    // Adding the down file: a second tab named after the up file.
    await page.click('[data-testid="add-down"]');
    await settled();
    const tabs = await page.$$eval('[role="tab"]', (t) => t.map((x) => x.dataset.file));
    assert.deepEqual(tabs, ['000007_add_things.up.sql', '000007_add_things.down.sql']);
    assert.equal(await page.inputValue('[data-testid="file-name"]'), '000007_add_things.down.sql');
    await page.keyboard.type('DROP TABLE t;');
    await settled();
    report = await page.evaluate(() => window.migralintPlayground.report());
    assert.equal(report.summary.files, 2);
    // Renaming the up file renames its down file along with it.
    await page.click('[role="tab"][data-file="000007_add_things.up.sql"]');
    await page.fill('[data-testid="file-name"]', '000008_add_things.up.sql');
    await settled();
    const names = await page.evaluate(() => window.migralintPlayground.state().files.map((f) => f.name));
    assert.deepEqual(names, ['000008_add_things.up.sql', '000008_add_things.down.sql']);
  });

  test('a share link reopens the same state', async () => {
    await open(oneFile('CREATE INDEX users_email_idx ON users (email);\n'));
    await page.selectOption('[data-testid="pg-version"]', '13');
    await settled();
    await page.click('[data-testid="add-down"]');
    await page.keyboard.type('DROP INDEX users_email_idx;');
    await page.click('[data-testid="rules-button"]');
    await page.locator('input[data-rule-toggle="require-lock-timeout"]').first().uncheck();
    await page.keyboard.press('Escape');
    await settled();
    const before = await page.evaluate(() => ({
      state: window.migralintPlayground.state(),
      report: window.migralintPlayground.report(),
    }));
    assert.equal(before.state.pg, 13);
    assert.deepEqual(before.state.rules, { 'require-lock-timeout': 'off' });
    await page.click('[data-testid="share-button"]');
    await page.waitForSelector('[data-testid="share-dialog"][open]');
    const link = await page.inputValue('[data-testid="share-url"]');
    assert.ok(link.startsWith(b.url + '#v1.'), link);
    metrics.shareLinkChars = link.length;
    await screenshot(page, '06-share-dialog');
    await page.keyboard.press('Escape');

    // A new tab with no saved state of its own opens the link.
    const other = await b.newPage();
    await other.goto(b.url);
    await other.waitForFunction(() => window.migralintPlayground?.settled());
    await other.evaluate(() => localStorage.clear());
    await other.goto('about:blank');
    await other.goto(link);
    await other.waitForFunction(() => window.migralintPlayground?.settled(), null, { timeout: 20000 });
    const after = await other.evaluate(() => ({
      state: window.migralintPlayground.state(),
      report: window.migralintPlayground.report(),
    }));
    assert.deepEqual(after.state, before.state);
    assert.deepEqual(after.report, before.report);
    assert.equal(await other.inputValue('[data-testid="pg-version"]'), '13');
    assert.equal(await other.isChecked('input[data-rule-toggle="require-lock-timeout"]'), false);
    assert.equal(await other.inputValue('[data-testid="file-name"]'), DOWN);
    await other.close();
  });

  test('the examples menu loads each rule example, which shows its rule', async () => {
    await open(oneFile('SELECT 1;\n'));
    // The menu is filled from the rule pages once the worker has sent them.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="examples"] option[value]:not([value=""])').length > 0,
      null,
      { timeout: 30000 },
    );
    const options = await page.$$eval('[data-testid="examples"] option', (os) =>
      os.filter((o) => o.value).map((o) => ({ value: o.value, label: o.textContent })),
    );
    assert.ok(options.some((o) => o.value === 'require-concurrent-index-creation#1'), JSON.stringify(options));
    const missed = [];
    for (const o of options) {
      const rule = o.value.split('#')[0];
      const seq = await lintSeq(page);
      await page.selectOption('[data-testid="examples"]', o.value);
      await waitForLint(page, seq);
      await settled();
      const found = await problems(page);
      if (!found.some((p) => p.rule === rule)) missed.push(o.value);
      assert.equal(await page.inputValue('[data-testid="examples"]'), '', 'the menu resets');
      assert.equal(await page.getAttribute('[data-testid="rule-page"]', 'data-rule'), rule);
      if (o.value === 'require-concurrent-index-creation#1') {
        assert.match(await editorText(), /CREATE INDEX users_email_idx ON users \(email\);/);
        await screenshot(page, '07-example-loaded');
      }
    }
    metrics.examplesChecked = options.length;
    assert.deepEqual(missed, [], 'examples whose rule did not show');
  });

  test('the keyboard reaches everything: F8, the problems list, the tabs', async () => {
    await open({
      files: [
        { name: UP, text: 'SELECT 1;\nCREATE INDEX a_idx ON users (a);\nCREATE INDEX b_idx ON users (b);\n' },
        { name: DOWN, text: 'DROP INDEX b_idx;\n' },
      ],
      active: 0,
      pg: null,
      rules: { 'require-lock-timeout': 'off', 'require-concurrent-index-deletion': 'off' },
      multiStatement: false,
    });
    await focusEditor();
    await page.keyboard.press('Control+Home');
    // F8: the next problem; the rule page follows the cursor.
    await page.keyboard.press('F8');
    await page.waitForSelector('[data-testid="rule-page"]');
    assert.equal((await page.textContent('.editor-panel:not([hidden]) .cm-activeLineGutter')).trim(), '2');
    // The rule page shown is that of a problem on that line (several rules
    // may report the same statement).
    const shownRule = await page.getAttribute('[data-testid="rule-page"]', 'data-rule');
    assert.ok(
      (await problems(page)).some((p) => p.file === UP && p.line === 2 && p.rule === shownRule),
      `rule page ${shownRule}`,
    );
    // Esc then Tab leaves the text (CodeMirror's tab-focus escape): to the
    // open hover's buttons first, then out of the editor.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    const inText = await page.evaluate(() => document.activeElement.classList.contains('cm-content'));
    assert.ok(!inText, 'Tab after Escape left the text');
    await focusEditor();
    await page.keyboard.press('Control+Home'); // off the problem: its hover closes
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    const left = await page.evaluate(() => !document.activeElement.closest('.cm-editor'));
    assert.ok(left, 'focus left the editor');
    // The problems list: arrows move, Enter jumps.
    await page.focus('.problem[data-index="0"]');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => ({ ...document.activeElement.dataset }));
    assert.equal(focused.index, '1');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('[role="tab"][aria-selected="true"]', 'data-file'), focused.file);
    assert.equal((await page.textContent('.editor-panel:not([hidden]) .cm-activeLineGutter')).trim(), focused.line);
    assert.ok(await page.evaluate(() => document.activeElement.classList.contains('cm-content')));
    await page.click(`[role="tab"][data-file="${UP}"]`);
    // Tabs: arrows switch files.
    await page.focus('[role="tab"][aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getAttribute('[role="tab"][aria-selected="true"]', 'data-file'), DOWN);
    assert.equal(await page.inputValue('[data-testid="file-name"]'), DOWN);
    // Every control in the toolbar is reachable with Tab from the top.
    await page.reload();
    await settled();
    const reached = new Set();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement.id || document.activeElement.dataset.testid);
      if (id) reached.add(id);
    }
    for (const id of ['examples', 'pg-version', 'rules-button', 'share-button', 'theme-button']) {
      assert.ok(reached.has(id), `${id} reached by Tab (${[...reached]})`);
    }
  });

  test('a 200-line migration: lint time per edit (reported, not asserted)', async () => {
    const text = bigMigration(200);
    await open(oneFile(text));
    assert.equal((await editorText()).split('\n').length, 201);
    await focusEditorEnd();
    await page.keyboard.type('-- edit ');
    await settled();
    const times = [];
    const roundTrips = [];
    for (let i = 0; i < 25; i++) {
      const seq = await lintSeq(page);
      await page.keyboard.type(String(i % 10));
      await waitForLint(page, seq);
      await settled();
      const d = await page.$eval('[data-testid="lint-time"]', (e) => ({ ...e.dataset }));
      times.push(Number(d.ms));
      roundTrips.push(Number(d.roundTripMs));
    }
    const report = await page.evaluate(() => window.migralintPlayground.report());
    assert.ok(report.diagnostics.length > 0);
    const stats = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      const pick = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
      return { edits: s.length, median: pick(0.5), p90: pick(0.9), max: s[s.length - 1], min: s[0] };
    };
    metrics.lint200Lines = {
      lintMs: stats(times),
      roundTripMs: stats(roundTrips),
      diagnostics: report.diagnostics.length,
      shown: await page.textContent('[data-testid="lint-time"]'),
    };
    console.log(
      `# 200-line migration, ${times.length} edits: lint median ${metrics.lint200Lines.lintMs.median} ms, ` +
        `p90 ${metrics.lint200Lines.lintMs.p90} ms, max ${metrics.lint200Lines.lintMs.max} ms ` +
        `(round trip median ${metrics.lint200Lines.roundTripMs.median} ms)`,
    );
    assert.ok(times.every((t) => Number.isFinite(t) && t > 0), JSON.stringify(times));
    await screenshot(page, '08-200-lines');
  });

  test('dark theme and a narrow screen', async () => {
    await open(oneFile('CREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN x int NOT NUL;\n'));
    // auto -> light -> dark
    for (let i = 0; i < 3 && (await page.getAttribute('html', 'data-theme')) !== 'dark'; i++) {
      await page.click('[data-testid="theme-button"]');
    }
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgb(246, 247, 249)');
    await page.click('.problem[data-rule="require-concurrent-index-creation"]');
    await screenshot(page, '09-dark');
    // The theme survives a reload.
    await page.reload();
    await settled();
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(100);
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: window.innerWidth,
      editor: document.querySelector('.editor-panel:not([hidden]) .cm-editor').getBoundingClientRect().width,
      pane: document.querySelector('.rule-pane').getBoundingClientRect().width,
    }));
    assert.ok(layout.scrollWidth <= layout.width, `no sideways scrolling: ${JSON.stringify(layout)}`);
    assert.ok(layout.editor > 300, JSON.stringify(layout));
    await screenshot(page, '10-narrow-dark');
    // Still editable there.
    await focusEditorEnd();
    await page.keyboard.type('SELECT 1;');
    await settled();
    assert.match(await editorText(), /SELECT 1;$/);
    await page.click('[data-testid="theme-button"]'); // dark -> auto
    await page.click('[data-testid="theme-button"]'); // auto -> light
    assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
    await page.click('.problem[data-rule="syntax-error"]');
    await page.screenshot({ path: `${(await import('./browser.mjs')).artifactsDir}/11-narrow-light-full.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('the page shows exactly what migralint check prints (native CLI, when MIGRALINT_BIN is set)', async (t) => {
    const bin = process.env.MIGRALINT_BIN;
    if (!bin || !existsSync(bin)) return t.skip('MIGRALINT_BIN (the native migralint of this checkout) not set');
    const up = "-- é😀 ünïcödé\nCREATE INDEX users_email_idx ON users (email);\nALTER TABLE users ADD COLUMN \"é😀\" int NOT NUL;\n";
    const down = 'DROP INDEX users_email_idx;\n';
    await open({
      files: [
        { name: UP, text: up },
        { name: DOWN, text: down },
      ],
      active: 0,
      pg: 13,
      rules: { 'require-lock-timeout': 'off' },
      multiStatement: false,
    });
    // The syntax error after multi-byte characters is underlined at its token.
    assert.deepEqual(
      await page.$$eval('.cm-lintRange.ml-rule-syntax-error', (els) => els.map((e) => e.textContent)),
      ['NUL'],
    );
    const dir = mkdtempSync(join(tmpdir(), 'migralint-parity-'));
    try {
      writeFileSync(join(dir, UP), up);
      writeFileSync(join(dir, DOWN), down);
      writeFileSync(join(dir, 'migralint.toml'), 'pg-version = 13\n\n[rules]\nrequire-lock-timeout = "off"\n');
      for (const format of ['json', 'compact']) {
        await page.selectOption('[data-testid="output-format"]', format);
        await page.waitForFunction((f) => {
          const out = document.querySelector('[data-testid="cli-output"]');
          return !out.hidden && out.textContent.length > 0 && (f !== 'json' || out.textContent.startsWith('{'));
        }, format);
        const shown = await page.textContent('[data-testid="cli-output"]');
        const cli = spawnSync(bin, ['check', '--format', format, DOWN, UP], { cwd: dir, encoding: 'utf8' });
        assert.ok(cli.status === 0 || cli.status === 1, cli.stderr);
        assert.equal(shown, cli.stdout, `--format ${format}`);
      }
      await screenshot(page, '12-cli-output');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await page.selectOption('[data-testid="output-format"]', 'problems');
    }
  });

  test('a Fix button applies the problem\'s fix to the editor text (unsafe ones say so)', async () => {
    await open(oneFile('CREATE INDEX users_email_idx ON users (email);\n'));
    const row = page.locator('.problem[data-rule="require-concurrent-index-creation"]');
    const index = await row.getAttribute('data-index');
    const button = page.locator(`[data-testid="fix-button"][data-index="${index}"]`);
    assert.equal(await button.getAttribute('data-applicability'), 'unsafe');
    assert.equal((await button.textContent()).trim(), 'Fix (unsafe)');
    assert.match(await button.getAttribute('title'), /add CONCURRENTLY.*unsafe/);
    // Problems without a fix have no button.
    const fixable = await page.$$eval('.problem', (rows) =>
      rows.map((r) => [r.dataset.rule, !!r.parentElement.querySelector('[data-testid="fix-button"]')]),
    );
    const report = await page.evaluate(() => window.migralintPlayground.report());
    assert.deepEqual(
      fixable,
      report.diagnostics.map((d) => [d.rule, !!d.fixes]),
    );
    await screenshot(page, '14-fix-button');
    const seq = await lintSeq(page);
    await button.click();
    await waitForLint(page, seq);
    await settled();
    assert.equal(await editorText(), 'CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n');
    assert.ok(!(await problems(page)).some((p) => p.rule === 'require-concurrent-index-creation'));
    assert.equal((await page.textContent('[data-testid="fix-note"]')).trim(), 'Applied 1 fix.');
    // The editor's undo takes it back.
    await focusEditor();
    await page.keyboard.press('Control+z');
    await settled();
    assert.equal(await editorText(), 'CREATE INDEX users_email_idx ON users (email);\n');
    assert.ok((await problems(page)).some((p) => p.rule === 'require-concurrent-index-creation'));
  });

  test('the hover offers the fix too', async () => {
    await open(oneFile('CREATE TABLE events (id bigint PRIMARY KEY, at timestamp NOT NULL);\n'));
    await page.hover('.cm-lintRange.ml-rule-prefer-timestamptz');
    const action = await page.waitForSelector('.cm-tooltip-lint .cm-diagnosticAction.ml-fix', { timeout: 5000 });
    assert.match(await action.textContent(), /^Fix \(unsafe\): change the type to timestamptz$/);
    assert.ok(await action.evaluate((e) => e.classList.contains('ml-fix-unsafe')));
    assert.match(await page.textContent('.cm-tooltip-lint .hover-fix'), /Fix \(unsafe: review it\):/);
    await screenshot(page, '15-hover-fix');
    const seq = await lintSeq(page);
    await action.click();
    await waitForLint(page, seq);
    await settled();
    assert.equal(await editorText(), 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL);\n');
    assert.ok(!(await problems(page)).some((p) => p.rule === 'prefer-timestamptz'));
    await page.mouse.move(5, 5);
  });

  test('Fix all: every fix of every file, as migralint check --fix --unsafe-fixes writes them', async (t) => {
    const files = [
      { name: '000001_t.up.sql', text: 'CREATE TABLE t (id bigint PRIMARY KEY, at timestamp);\n' },
      { name: '000001_t.down.sql', text: 'DROP TABLE IF EXISTS t;\n' },
      { name: '000002_i.up.sql', text: 'CREATE INDEX t_at_idx ON t (at);\n' },
      { name: '000002_i.down.sql', text: 'DROP INDEX CONCURRENTLY IF EXISTS t_at_idx;\n' },
    ];
    await open({ files, active: 0, pg: null, rules: {}, multiStatement: false });
    // Both fixes are unsafe: no "safe" button; the other one counts them.
    assert.equal(await page.isHidden('[data-testid="fix-all"]'), true);
    assert.equal((await page.textContent('[data-testid="fix-all-unsafe"]')).trim(), 'Fix all, unsafe too (2)');
    await page.click('[data-testid="fix-all-unsafe"]');
    await page.waitForFunction(() => /Applied 2 fixes/.test(document.querySelector('[data-testid="fix-note"]').textContent));
    await settled();
    const after = await page.evaluate(() => window.migralintPlayground.state().files);
    assert.equal(after.find((f) => f.name === '000001_t.up.sql').text, 'CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz);\n');
    assert.equal(after.find((f) => f.name === '000002_i.up.sql').text, 'CREATE INDEX CONCURRENTLY t_at_idx ON t (at);\n');
    assert.equal(await page.isHidden('[data-testid="fix-all-unsafe"]'), true, 'nothing left to fix');
    const bin = process.env.MIGRALINT_BIN;
    if (!bin || !existsSync(bin)) return t.skip('MIGRALINT_BIN not set: not compared with the CLI');
    const dir = mkdtempSync(join(tmpdir(), 'migralint-fix-'));
    try {
      for (const f of files) writeFileSync(join(dir, f.name), f.text);
      const cli = spawnSync(bin, ['check', '--fix', '--unsafe-fixes', '--format', 'json', ...files.map((f) => f.name).sort()], { cwd: dir, encoding: 'utf8' });
      assert.ok(cli.status === 0 || cli.status === 1, cli.stderr);
      for (const f of after) assert.equal(f.text, readFileSync(join(dir, f.name), 'utf8'), f.name);
      const report = await page.evaluate(() => window.migralintPlayground.report());
      assert.deepEqual(report, JSON.parse(cli.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('deeply nested SQL: the five shapes of bad_input.rs lint as the CLI lints them', async () => {
    const cols = (n, f) => Array.from({ length: n }, (_, i) => f(i));
    const shapes = (depth) => [
      `SELECT ${'CASE WHEN x > 0 THEN '.repeat(depth.case)}1${' ELSE 0 END'.repeat(depth.case)} FROM t;`,
      `SELECT ${'(SELECT '.repeat(depth.sub)}1${')'.repeat(depth.sub)};`,
      `SELECT ${cols(depth.concat, (i) => `c${i}`).join(' || ')} FROM t;`,
      `${cols(depth.union, (i) => `SELECT ${i}`).join(' UNION ALL ')};`,
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS docs_search ON docs USING gin (to_tsvector('english', ${cols(depth.tsv, (i) => `coalesce(c${i}, '')`).join(" || ' ' || ")}));`,
    ];
    const issue = shapes({ case: 24, sub: 16, concat: 48, union: 95, tsv: 23 });
    await open(oneFile(issue.join('\n') + '\n', { rules: { 'require-lock-timeout': 'off' } }));
    const found = await problems(page);
    assert.ok(!found.some((p) => p.rule === 'syntax-error'), JSON.stringify(found));
    assert.doesNotMatch(await page.textContent('[data-testid="summary"]'), /crashed|could not/);
    // At the deepest libpg_query accepts, a browser worker's stack may be
    // too small for the wasm frames (the page then says the linter
    // crashed, and starts a new one): measured, not asserted.
    const limit = shapes({ case: 1999, sub: 1665, concat: 4996, union: 8735, tsv: 2497 });
    metrics.deepestShapes = {};
    for (const [i, text] of limit.entries()) {
      await page.goto('about:blank');
      await page.goto(b.url + '#' + (await encodeState(oneFile(text + '\n'))));
      await page.waitForFunction(
        () => window.migralintPlayground?.settled() || /crashed/.test(document.querySelector('[data-testid="summary"]').textContent),
        null,
        { timeout: 20000 },
      );
      const summary = await page.textContent('[data-testid="summary"]');
      const syntax = (await problems(page)).filter((p) => p.rule === 'syntax-error').length;
      metrics.deepestShapes[['case', 'subqueries', 'concat', 'union', 'tsvector'][i]] = /crashed/.test(summary) ? 'crashed' : syntax ? 'syntax-error' : 'linted';
    }
    console.log(`# deepest shapes in Chromium's worker: ${JSON.stringify(metrics.deepestShapes)}`);
    // After a crash the page runs a new worker: the next edit lints.
    await focusEditor();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('SELECT 1;');
    await settled();
    assert.ok(await page.evaluate(() => window.migralintPlayground.report() != null));
  });

  test('a crash of the linter is reported, and the next edit lints again', async () => {
    await open(oneFile('CREATE INDEX users_email_idx ON users (email);\n'));
    await page.evaluate(() => window.migralintPlayground.simulateCrash());
    await page.waitForFunction(() => /crashed/.test(document.querySelector('[data-testid="summary"]').textContent));
    await focusEditorEnd();
    await page.keyboard.type('SELECT 1;');
    await settled();
    assert.ok((await problems(page)).some((p) => p.rule === 'require-concurrent-index-creation'));
    assert.doesNotMatch(await page.textContent('[data-testid="summary"]'), /crashed/);
  });

  test('no errors in the browser console', () => {
    assert.deepEqual(b.consoleErrors, []);
  });

  test('works offline once loaded (service worker)', async () => {
    // A server of its own, so the others are not disturbed when it stops.
    const { startServer } = await import('../scripts/serve.mjs');
    const { distDir } = await import('./browser.mjs');
    const server = await startServer(distDir, { port: 0 });
    const p = await b.newPage();
    try {
      await p.goto(server.url);
      await p.waitForFunction(() => window.migralintPlayground?.settled(), null, { timeout: 20000 });
      await p.waitForSelector('[data-testid="offline"][data-ready="true"]', { timeout: 20000 });
      await p.waitForFunction(() => navigator.serviceWorker.controller != null, null, { timeout: 20000 });
      // Offline (network emulation) and reload.
      await b.context.setOffline(true);
      await p.reload();
      await p.waitForFunction(() => window.migralintPlayground?.settled(), null, { timeout: 20000 });
      assert.ok((await p.$$('.problem')).length > 0, 'linted offline');
      await b.context.setOffline(false);
      // The server gone altogether.
      await server.close();
      await p.reload();
      await p.waitForFunction(() => window.migralintPlayground?.settled(), null, { timeout: 20000 });
      const found = await problems(p);
      assert.ok(found.some((x) => x.rule === 'require-concurrent-index-creation'), JSON.stringify(found));
      await screenshot(p, '13-offline');
    } finally {
      await b.context.setOffline(false);
      await server.close().catch(() => {});
      await p.close();
    }
  });
});

/** A realistic migration of `lines` lines. */
function bigMigration(lines) {
  const out = ["SET lock_timeout = '5s';"];
  let i = 0;
  while (out.length < lines) {
    i++;
    const block = [
      `-- step ${i}`,
      `CREATE TABLE items_${i} (`,
      '    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
      `    owner_id bigint NOT NULL REFERENCES users (id),`,
      '    title text NOT NULL,',
      "    status varchar(20) NOT NULL DEFAULT 'new',",
      '    created_at timestamptz NOT NULL DEFAULT now()',
      ');',
      `CREATE INDEX items_${i}_owner_idx ON items_${i} (owner_id);`,
      `ALTER TABLE users ADD COLUMN flag_${i} boolean;`,
      `CREATE INDEX users_flag_${i}_idx ON users (flag_${i});`,
      `UPDATE users SET flag_${i} = false WHERE id < ${i * 1000};`,
      '',
    ];
    out.push(...block);
  }
  return out.slice(0, lines).join('\n') + '\n';
}
