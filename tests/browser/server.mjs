// Tiny static server for the browser tests of the package: www/ at /, the shared corpus at
// /__corpus/, the test-only trap package at /__trap/ and an empty page at /__blank. Correct
// MIME types for .wasm (needed by WebAssembly.instantiateStreaming) and .js.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../www/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
// The test-only package (scripts/build-npm.sh --trap), for the trap test in a Web Worker.
const TRAP_PKG = fileURLToPath(new URL('../../target/npm-trap/pkg/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.ts': 'text/plain',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp',
  '.gif': 'image/gif', '.avif': 'image/avif', '.svg': 'image/svg+xml',
};

export function serve() {
  const server = createServer(async (req, res) => {
    try {
      let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      if (path === '/__blank') {
        // An empty page of this origin for the package tests (the demo page would also run
        // its URL builder, which needs the Worker).
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        return res.end('<!doctype html><title>edgepix package test</title><link rel="icon" href="data:,">');
      }
      let base = ROOT;
      if (path.startsWith('/__corpus/')) {
        base = CORPUS;
        path = path.slice('/__corpus'.length);
      } else if (path.startsWith('/__trap/')) {
        base = TRAP_PKG;
        path = path.slice('/__trap'.length);
      }
      if (path.endsWith('/')) path += 'index.html';
      const file = normalize(join(base, path));
      if (!file.startsWith(base.endsWith(sep) ? base : base + sep)) throw Object.assign(new Error(), { code: 'ENOENT' });
      if (!(await stat(file)).isFile()) throw Object.assign(new Error(), { code: 'ENOENT' });
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file).toLowerCase()] || 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { origin } = await serve();
  console.log(`serving www/ at ${origin}/`);
}
