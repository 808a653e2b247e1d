#!/usr/bin/env node
// A small static file server for the built playground (no dependencies).
//   node scripts/serve.mjs [dir=dist] [--port 8080] [--host 127.0.0.1]
// --port 0 picks a free port. Prints the URL. The tests use startServer().
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Serves `dir` on host:port (0 = a free port). Resolves to
 *  {server, url, close()}. */
export function startServer(dir, { port = 0, host = '127.0.0.1' } = {}) {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) {
    return Promise.reject(new Error(`${root}/index.html not found: run npm run build first`));
  }
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const hashed = /[/\\]assets[/\\]/.test(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] || 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}/`;
      const close = () =>
        new Promise((r) => {
          server.closeAllConnections?.();
          server.close(() => r());
        });
      resolvePromise({ server, url, close });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let dir = 'dist';
  let port = 8080;
  let host = '127.0.0.1';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else if (args[i] === '--host') host = args[++i];
    else dir = args[i];
  }
  const portGiven = args.includes('--port');
  startServer(dir, { port, host })
    .catch((e) => {
      // The default port is taken: any free one will do.
      if (e.code === 'EADDRINUSE' && !portGiven) return startServer(dir, { port: 0, host });
      throw e;
    })
    .then(
      ({ url }) => console.log(`migralint playground: ${url}  (Ctrl+C stops)`),
      (e) => {
        console.error(String(e.message || e));
        process.exit(1);
      },
    );
}
