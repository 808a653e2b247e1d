import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..');
// The wasm build of migralint (scripts/build-wasm.sh --web-only).
const wasmPkg = resolve(repoRoot, 'crates/migralint-wasm/pkg/web');

function listFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

// Writes dist/sw.js: the service worker (src/sw.js) with the list of every
// built file to precache, and a cache name derived from their contents, so a
// new build replaces the old cache and an unchanged one keeps it.
function serviceWorker() {
  let outDir;
  return {
    name: 'migralint-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const files = listFiles(outDir)
        .map((p) => relative(outDir, p).split('\\').join('/'))
        .filter((p) => p !== 'sw.js' && !p.endsWith('.map'))
        .sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const source = readFileSync(resolve(here, 'src/sw.js'), 'utf8')
        .replace('self.__PRECACHE__', JSON.stringify(['./', ...files]))
        .replace('self.__VERSION__', JSON.stringify(hash.digest('hex').slice(0, 16)));
      writeFileSync(join(outDir, 'sw.js'), source);
    },
  };
}

export default defineConfig({
  base: './',
  resolve: {
    alias: { 'migralint-wasm': wasmPkg },
  },
  server: {
    fs: { allow: [here, wasmPkg] },
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
    reportCompressedSize: true,
  },
  plugins: [serviceWorker()],
});
