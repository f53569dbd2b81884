// Test harness for the Worker: a counting origin server over the corpus, and `wrangler dev`
// started under `timeout` in its own process group (killed as a group, pass or fail).

import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CORPUS = path.resolve(ROOT, process.env.EDGEPIX_CORPUS || '../shared/corpus');
const WRANGLER = path.join(ROOT, 'node_modules/.bin/wrangler');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Origin on 127.0.0.1 serving corpus files:
 *   /c/<corpus path>          Cache-Control: max-age=3600, ETag
 *   /ttl1/c/<corpus path>     Cache-Control: max-age=1 (to make variants stale quickly)
 *   /cc/<directive>/c/<path>  Cache-Control: <directive> (no-store, private, no-cache ...)
 *   /t/<path under tests/data> the repository's own test files (crafted hostile inputs)
 *   /m/<name>                 bytes a test made (`origin.made.set(name, buffer)`), too large
 *                             or too hostile to commit
 * A matching If-None-Match gets 304 (counted in `origin.notModified`).
 * `origin.mode` = 'ok' | '500' | 'hang' | '404' changes every answer; `origin.hits(path)`
 * counts requests per path (query string ignored).
 */
export async function startOrigin() {
  const log = [];
  const hanging = new Set();
  const origin = {
    mode: 'ok',
    notModified: 0,
    made: new Map(),
    log,
    hits: (p) => log.filter((r) => r.path === p).length,
    total: () => log.length,
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    log.push({ path: u.pathname, via: req.headers.via || '', method: req.method });
    // /slow<ms>/...: answer after that long, so requests that arrive meanwhile find the first
    // one's fetch still under way, however loaded the machine is
    const slow = /^\/slow(\d+)(\/.*)$/.exec(u.pathname);
    if (slow) return void setTimeout(() => serve(req, res, slow[2]), Number(slow[1]));
    serve(req, res, u.pathname);
  });
  function serve(req, res, pathname) {
    if (origin.mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (origin.mode === '500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('origin exploded');
    }
    let p = pathname;
    let cacheControl = 'public, max-age=3600';
    if (p.startsWith('/ttl1/')) {
      cacheControl = 'public, max-age=1';
      p = p.slice('/ttl1'.length);
    }
    const cc = /^\/cc\/([^/]+)(\/.*)$/.exec(p);
    if (cc) {
      cacheControl = decodeURIComponent(cc[1]);
      p = cc[2];
    }
    const made = p.startsWith('/m/') && origin.made.get(p.slice(3));
    if (made && origin.mode === 'ok') {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': made.length,
        'cache-control': cacheControl,
      });
      return res.end(req.method === 'HEAD' ? undefined : made);
    }
    let root = CORPUS;
    if (p.startsWith('/t/')) {
      root = path.join(ROOT, 'tests/data');
      p = '/c/' + p.slice(3);
    }
    if (origin.mode === '404' || !p.startsWith('/c/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    const file = path.join(root, decodeURIComponent(p.slice(3)));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    const st = fs.statSync(file);
    const etag = `"${st.size}-${Math.floor(st.mtimeMs)}"`;
    if (req.headers['if-none-match'] === etag) {
      origin.notModified++;
      res.writeHead(304, { etag, 'cache-control': cacheControl });
      return res.end();
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': st.size,
      'cache-control': cacheControl,
      etag,
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  }
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin.port = server.address().port;
  origin.base = `http://127.0.0.1:${origin.port}`;
  origin.close = () =>
    new Promise((r) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      server.close(() => r());
    });
  return origin;
}

/** wrangler.toml without [build], with absolute paths, in a temp dir. `main` may name another
 * entry (the trap test's, on the test-trap build). */
export function writeTestConfig(dir, main = path.join(ROOT, 'src/edge/entry.mjs')) {
  const src = fs.readFileSync(path.join(ROOT, 'wrangler.toml'), 'utf8');
  const out = [];
  let skip = false;
  for (const line of src.split('\n')) {
    if (/^\[/.test(line)) skip = line.trim() === '[build]';
    if (skip) continue;
    if (/^main\s*=/.test(line)) out.push(`main = ${JSON.stringify(main)}`);
    else if (/^directory\s*=/.test(line)) out.push(`directory = ${JSON.stringify(path.join(ROOT, 'www'))}`);
    else out.push(line);
  }
  const file = path.join(dir, 'wrangler.test.toml');
  fs.writeFileSync(file, out.join('\n'));
  return file;
}

export function tmpDir(prefix = 'edgepix-worker-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const running = new Set();

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

// Last resort if the runner exits without the after() hooks.
process.on('exit', () => {
  for (const c of running) killGroup(c, 'SIGKILL');
});

/**
 * Starts `timeout 900 wrangler dev` (its own process group) and waits until it answers.
 * `config` is one wrangler config or an array of them (the first is the Worker served).
 * Returns { url, stop(), output() }. `logLevel: 'log'` keeps the Worker's console.log lines
 * (the per-response events) in output().
 */
export async function startWrangler({ config, persist, vars = {}, port, logLevel = 'warn' }) {
  port = port || (await freePort());
  const args = [
    '900',
    WRANGLER,
    'dev',
    // several configs run as several Workers in one workerd (the first is served on `port`),
    // connected by their service bindings
    ...[config].flat().flatMap((c) => ['-c', c]),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--show-interactive-dev-session=false',
    '--persist-to',
    persist,
    '--log-level',
    logLevel,
  ];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const child = spawn('timeout', args, {
    cwd: path.dirname([config].flat()[0]),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      NO_COLOR: '1',
    },
  });
  running.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  let exited = false;
  child.on('exit', () => {
    exited = true;
    running.delete(child);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    killGroup(child, 'SIGTERM');
    const t0 = Date.now();
    while (!exited && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 100));
    if (!exited) killGroup(child, 'SIGKILL');
    while (!exited && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 100));
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited early:\n${out}`);
    try {
      const r = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
      await r.arrayBuffer();
      if (r.status < 500) break;
    } catch {
      /* not ready */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, stop, output: () => out, pid: child.pid };
}
