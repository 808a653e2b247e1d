// Lints a migrations folder with the wasm build (pkg/node) the way the
// GitHub Action does (read every .sql file, one lint() call) and prints
// timings as JSON on stdout. Optionally checks the output against a file
// holding the native CLI's JSON for the same folder.
//
// Usage: node bench/wasm/lint-dir.mjs <dir> [--runs N] [--expect native.json]
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const t0 = performance.now();
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const args = process.argv.slice(2);
const dir = args[0];
const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 3;
const expectFile = args.includes('--expect') ? args[args.indexOf('--expect') + 1] : null;

const mlw = createRequire(import.meta.url)(join(repoRoot, 'crates/migralint-wasm/pkg/node/migralint_wasm.js'));
const tLoaded = performance.now();

const paths = [];
const walk = (d) => {
  for (const entry of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith('.sql')) paths.push(p);
  }
};
walk(dir);
const files = paths
  .map((p) => relative(process.cwd(), p).split(sep).join('/'))
  .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  .map((path) => ({ path, text: readFileSync(path) }));
const bytes = files.reduce((n, f) => n + f.text.length, 0);
const tRead = performance.now();

let output = '';
const lintMs = [];
for (let i = 0; i < runs; i++) {
  const s = performance.now();
  output = mlw.lint(files);
  lintMs.push(performance.now() - s);
}
const report = JSON.parse(output);
let parity = null;
if (expectFile) parity = readFileSync(expectFile, 'utf8') === output;

const sorted = [...lintMs].sort((a, b) => a - b);
console.log(
  JSON.stringify({
    files: files.length,
    bytes,
    diagnostics: report.diagnostics.length,
    load_ms: +(tLoaded - t0).toFixed(1),
    read_ms: +(tRead - tLoaded).toFixed(1),
    lint_ms_min: +sorted[0].toFixed(1),
    lint_ms_median: +sorted[Math.floor(sorted.length / 2)].toFixed(1),
    first_run_total_ms: +(tRead - t0 + lintMs[0]).toFixed(1),
    parity,
  }),
);
