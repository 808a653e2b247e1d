// Shared harness of the end-to-end tests: the built site (dist/) on a free
// loopback port, and Debian's Chromium driven by playwright-core (no browser
// download), with a new empty profile.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(webDir, 'dist');
export const artifactsDir = join(webDir, 'test-artifacts');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Starts the server and the browser. Returns {url, context, close(),
 *  newPage()}. */
export async function launch({ viewport = { width: 1280, height: 800 } } = {}) {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error(`${distDir}/index.html is missing: run npm run build first`);
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  mkdirSync(artifactsDir, { recursive: true });
  const server = await startServer(distDir, { port: 0 });
  const profile = mkdtempSync(join(tmpdir(), 'migralint-chromium-'));
  // playwright-core passes --user-data-dir itself for a persistent context:
  // a new empty directory, as the flags above ask.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
  });
  const consoleErrors = [];
  context.on('page', (p) => watch(p, consoleErrors));
  for (const p of context.pages()) watch(p, consoleErrors);
  return {
    url: server.url,
    server,
    context,
    consoleErrors,
    async newPage() {
      return context.newPage();
    },
    async close() {
      await context.close().catch(() => {});
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
}

export async function screenshot(page, name) {
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

export function writeArtifact(name, text) {
  mkdirSync(artifactsDir, { recursive: true });
  writeFileSync(join(artifactsDir, name), text);
}

/** The number of lint results the page has shown so far. */
export async function lintSeq(page) {
  return Number((await page.getAttribute('[data-testid="lint-time"]', 'data-seq')) || 0);
}

/** Waits until the page shows a lint result newer than `after`. */
export async function waitForLint(page, after) {
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="lint-time"]').dataset.seq || 0) > n,
    after,
    { polling: 'raf', timeout: 15000 },
  );
  return lintSeq(page);
}

/** The problems panel as plain objects. */
export async function problems(page) {
  return page.$$eval('[data-testid="problems"] .problem', (rows) =>
    rows.map((b) => ({
      rule: b.dataset.rule,
      severity: b.dataset.severity,
      file: b.dataset.file,
      line: Number(b.dataset.line),
      column: Number(b.dataset.column),
      endLine: Number(b.dataset.endLine),
      endColumn: Number(b.dataset.endColumn),
      text: b.textContent,
    })),
  );
}

export { rmSync };
