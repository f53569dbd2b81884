// SSRF and source handling (docs/reliability-ssrf.md), end to end in local workerd.
//
// Two servers on loopback:
//   origin  127.0.0.1 only, allowlisted literally; misbehaves on request: redirects to
//           loopback/private/metadata addresses, loops, chains, and serves one PNG elsewhere.
//   trap    listening on `::` (dual stack), so every loopback spelling (127.0.0.2, [::1],
//           0.0.0.0, 2130706433 ...) and this machine's own addresses reach it; it serves the
//           same PNG, so a fetch that slipped through would answer 200, never 403.
// Every refused source is checked twice: its status and error code, and zero requests at the
// server it names.
// Worker A: no ORIGIN_BASE (relative sources are static assets), ALLOWED_ORIGINS with the
// literal origin, one literal path on the trap, and catch-all wildcards that must not admit
// non-public hosts. Worker B: ORIGIN_BASE on the origin's /base/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { imageInfo } from './imageinfo.mjs';
import { CORPUS, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

const PNG = fs.readFileSync(path.join(CORPUS, 'color/red-blue-gradient.vanilla.png')); // 256x256

let origin;
let trap;
let wa; // no ORIGIN_BASE
let wb; // ORIGIN_BASE = origin /base/
let dir;

function sendPng(res, maxAge = 3600) {
  res.writeHead(200, {
    'content-type': 'image/png',
    'content-length': PNG.length,
    'cache-control': `public, max-age=${maxAge}`,
    etag: '"png-1"',
  });
  res.end(PNG);
}

function redirect(res, location) {
  res.writeHead(302, { location, 'content-type': 'text/plain' });
  res.end('moved');
}

async function listen(handler, host) {
  const log = [];
  const server = http.createServer((req, res) => {
    log.push(req.url); // raw request-target, as the server received it
    handler(req, res);
  });
  await new Promise((r) => server.listen(0, host, r));
  return {
    port: server.address().port,
    log,
    hits: (p) => log.filter((u) => u === p).length,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** The misbehaving origin. `redirects[name]` is where `/r/<name>` and `/base/r/<name>` go. */
async function startMisbehavingOrigin() {
  const redirects = {};
  const state = { flakyLoops: false };
  const o = await listen((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    let m;
    if ((m = p.match(/^(?:\/base)?\/r\/([\w-]+)$/)) && redirects[m[1]]) return redirect(res, redirects[m[1]]);
    if ((m = p.match(/^(\/base)?\/loop\/a$/))) return redirect(res, `${m[1] || ''}/loop/b`);
    if ((m = p.match(/^(\/base)?\/loop\/b$/))) return redirect(res, `${m[1] || ''}/loop/a`);
    if (p === '/self') return redirect(res, '/self#again');
    if ((m = p.match(/^\/chain\/(\d+)$/))) {
      const n = Number(m[1]);
      return n > 0 ? redirect(res, `/chain/${n - 1}`) : sendPng(res);
    }
    if (p.startsWith('/flaky/')) return state.flakyLoops ? redirect(res, p) : sendPng(res, 1);
    if (p.includes('secret')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('the secret'); // reached only if traversal worked
    }
    if (p.startsWith('/c/') || p.startsWith('/base/') || p.startsWith('/outside/')) return sendPng(res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }, '127.0.0.1');
  o.redirects = redirects;
  o.state = state;
  o.base = `http://127.0.0.1:${o.port}`;
  return o;
}

before(async () => {
  dir = tmpDir('edgepix-ssrf-');
  const config = writeTestConfig(dir);
  origin = await startMisbehavingOrigin();
  trap = await listen((req, res) => sendPng(res), '::');
  const wildcards = 'http://**:*/** https://**:*/**';
  wa = await startWrangler({
    config,
    persist: path.join(dir, 'a'),
    vars: {
      ALLOWED_ORIGINS: `${origin.base}/** http://127.0.0.1:${trap.port}/allowed/** ${wildcards}`,
      CACHE_TTL_FLOOR: '0',
      ORIGIN_TIMEOUT_MS: '3000',
    },
  });
  wb = await startWrangler({
    config,
    persist: path.join(dir, 'b'),
    vars: {
      ORIGIN_BASE: `${origin.base}/base/`,
      ALLOWED_ORIGINS: `http://127.0.0.1:${trap.port}/allowed/** ${wildcards}`,
      CACHE_TTL_FLOOR: '0',
      ORIGIN_TIMEOUT_MS: '3000',
    },
  });
});

after(async () => {
  await wa?.stop();
  await wb?.stop();
  await origin?.close();
  await trap?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** GET with the request-target sent byte for byte (fetch() would normalise `%2e%2e`, `\`). */
function rawGet(base, target) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: target, method: 'GET', headers: { accept: 'image/png' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let code = null;
          try {
            code = JSON.parse(text).error?.code ?? null;
          } catch {
            /* an image */
          }
          resolve({ status: res.statusCode, headers: res.headers, body, text, code });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error(`timeout: ${target}`)));
    req.end();
  });
}

const img = (w, src) => rawGet(w.url, `/cdn-cgi/image/width=64,format=png/${src}`);

function assertPng64(r, what) {
  assert.equal(r.status, 200, `${what}: ${r.text.slice(0, 300)}`);
  assert.deepEqual(imageInfo(r.body), { format: 'png', width: 64, height: 64 }, what);
}

function assertRefused(r, status, code, what) {
  assert.equal(r.status, status, `${what}: ${r.text.slice(0, 300)}`);
  assert.equal(r.code, code, `${what}: ${r.text.slice(0, 300)}`);
}

test('the literally allowlisted loopback origin still works (the e2e harness relies on it)', async () => {
  assertPng64(await img(wa, `${origin.base}/c/a.png`), 'origin');
  assert.equal(origin.hits('/c/a.png'), 1);
  // Same address in decimal: still the literally named 127.0.0.1.
  assertPng64(await img(wa, `http://2130706433:${origin.port}/c/b.png`), 'decimal spelling');
  assertPng64(await img(wa, `http://127.0.0.1:${trap.port}/allowed/a.png`), 'trap /allowed/');
  assert.equal(trap.hits('/allowed/a.png'), 1);
});

test('rule 1: userinfo in the source is refused with 400 and no fetch', async () => {
  const before = { o: origin.log.length, t: trap.log.length };
  for (const src of [
    `http://user:pass@127.0.0.1:${origin.port}/c/u1.png`,
    `http://x@127.0.0.1:${origin.port}/c/u2.png`,
    // `host@evil`: the allowlisted origin as userinfo, the trap as the real host
    `http://127.0.0.1:${origin.port}@127.0.0.1:${trap.port}/allowed/u3.png`,
    `http://:pw@127.0.0.1:${origin.port}/c/u4.png`,
  ]) {
    assertRefused(await img(wa, src), 400, 'bad_source', src);
  }
  assert.equal(origin.log.length, before.o, `origin saw: ${origin.log.slice(before.o)}`);
  assert.equal(trap.log.length, before.t, `trap saw: ${trap.log.slice(before.t)}`);
});

test('rule 2: non-public IP literals and local names are refused (403) although a wildcard matches them', async () => {
  const t = trap.port;
  const reachable = [
    `http://127.0.0.2:${t}/f/1.png`,
    `http://2130706433:${t}/f/2.png`,
    `http://0177.0.0.1:${t}/f/3.png`,
    `http://0x7f.1:${t}/f/4.png`,
    `http://[::1]:${t}/f/5.png`,
    `http://[::ffff:127.0.0.1]:${t}/f/6.png`,
    `http://localhost:${t}/f/7.png`,
    `http://0.0.0.0:${t}/f/8.png`,
    `http://0:${t}/f/9.png`,
    `http://[::]:${t}/f/10.png`,
    `http://127.0.0.1:${t}/f/11.png`, // the literal pattern for this port covers /allowed/** only
  ];
  // This machine's own private addresses (RFC 1918, TEST-NET, CGNAT, unique-local), which
  // reach the trap too; a public address some CI machines have is left out.
  const privateAddr = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|192\.0\.2\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|f[cd][0-9a-f]{2}:)/i;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs || []) {
      if (a.internal || !privateAddr.test(a.address)) continue;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      reachable.push(`http://${host}:${t}/f/own-${reachable.length}.png`);
    }
  }
  console.log(`# own addresses tried: ${reachable.filter((u) => u.includes('/f/own-')).join(' ') || 'none'}`);
  const unreachable = [
    'http://10.0.0.1/f/a.png',
    'http://172.16.0.1/f/b.png',
    'http://192.168.0.1/f/c.png',
    'http://169.254.169.254/latest/meta-data/',
    'http://0xA9FEA9FE/latest/meta-data/',
    'http://100.64.0.1/f/d.png',
    'http://[fe80::1]/f/e.png',
    'http://[fc00::1]/f/f.png',
    'http://metadata.google.internal/computeMetadata/v1/',
  ];
  for (const src of [...reachable, ...unreachable]) {
    assertRefused(await img(wa, src), 403, 'source_forbidden', src);
  }
  const fetched = trap.log.filter((u) => u.startsWith('/f/'));
  assert.deepEqual(fetched, [], 'the trap saw none of the forbidden sources');
  // Control: the wildcard still admits an ordinary public name (refused later by the network,
  // not by the allowlist): the rule is about the host, not the pattern.
  const pub = await img(wa, 'http://img.invalid/f/x.png');
  assert.notEqual(pub.code, 'source_forbidden', pub.text);
});

test('rule 2 on redirects: an allowlisted origin cannot bounce the Worker to a private address', async () => {
  const t = trap.port;
  Object.assign(origin.redirects, {
    'to-loopback': `http://127.0.0.1:${t}/f/r1.png`,
    'to-localhost': `http://localhost:${t}/f/r2.png`,
    'to-decimal': `http://2130706433:${t}/f/r3.png`,
    'to-v6': `http://[::1]:${t}/f/r4.png`,
    'to-mapped': `http://[::ffff:7f00:1]:${t}/f/r5.png`,
    'to-meta': 'http://169.254.169.254/latest/meta-data/',
    'to-userinfo': `http://u:p@127.0.0.1:${origin.port}/c/r6.png`,
    'to-file': 'file:///etc/passwd',
    'to-allowed': `http://127.0.0.1:${t}/allowed/r7.png`,
  });
  for (const name of ['to-loopback', 'to-localhost', 'to-decimal', 'to-v6', 'to-mapped', 'to-meta', 'to-userinfo', 'to-file']) {
    assertRefused(await img(wa, `${origin.base}/r/${name}`), 403, 'source_forbidden', name);
    assert.equal(origin.hits(`/r/${name}`), 1, `${name}: one request to the origin`);
  }
  assert.equal(origin.hits('/c/r6.png'), 0);
  assert.deepEqual(trap.log.filter((u) => u.startsWith('/f/')), []);
  // A hop the allowlist admits is followed.
  assertPng64(await img(wa, `${origin.base}/r/to-allowed`), 'to-allowed');
  assert.equal(trap.hits('/allowed/r7.png'), 1);
});

test('rule 3: redirects from ORIGIN_BASE are held to its origin or the allowlist', async () => {
  const t = trap.port;
  Object.assign(origin.redirects, {
    'base-to-loopback': `http://127.0.0.1:${t}/f/b1.png`,
    'base-to-localhost': `http://localhost:${origin.port}/base/b2.png`,
    'base-to-meta': 'http://169.254.169.254/latest/meta-data/',
    'base-to-v6': `http://[::1]:${t}/f/b3.png`,
    'base-same-origin': `${origin.base}/outside/b4.png`,
    'base-to-allowed': `http://127.0.0.1:${t}/allowed/b5.png`,
  });
  assertPng64(await img(wb, 'b0.png'), 'plain relative source');
  assert.equal(origin.hits('/base/b0.png'), 1);
  for (const name of ['base-to-loopback', 'base-to-localhost', 'base-to-meta', 'base-to-v6']) {
    assertRefused(await img(wb, `r/${name}`), 403, 'source_forbidden', name);
    assert.equal(origin.hits(`/base/r/${name}`), 1);
  }
  assert.equal(origin.hits('/base/b2.png'), 0, 'localhost is another origin, refused');
  assert.deepEqual(trap.log.filter((u) => u.startsWith('/f/')), []);
  // Same origin (any path) and allowlisted hops are followed.
  assertPng64(await img(wb, 'r/base-same-origin'), 'same origin');
  assert.equal(origin.hits('/outside/b4.png'), 1);
  assertPng64(await img(wb, 'r/base-to-allowed'), 'allowlisted hop');
  assert.equal(trap.hits('/allowed/b5.png'), 1);
  // An absolute source naming the base's own private origin gets no such trust.
  assertRefused(await img(wb, `${origin.base}/base/b6.png`), 403, 'source_forbidden', 'absolute base');
  assert.equal(origin.hits('/base/b6.png'), 0);
});

test('rule 4: encoded traversal in relative sources is refused (400 bad_source): ORIGIN_BASE', async () => {
  const seen = origin.log.length;
  for (const src of [
    '..%2Fsecret.png',
    '..%2f..%2fsecret.png',
    'a/..%2F..%2Fsecret.png',
    'a%2F..%2F..%2Fsecret.png',
    '..%5Csecret.png',
    'a/..%5C..%5Csecret.png',
    '%252e%252e%252fsecret.png',
    '%25252e%25252e%25252fsecret.png',
    '.%2e%2Fsecret.png',
    '..;/secret.png',
    'secret%00.png',
  ]) {
    assertRefused(await img(wb, src), 400, 'bad_source', src);
  }
  assert.deepEqual(origin.log.slice(seen), [], 'the origin saw none of them');
  // What the request URL parser resolves itself never climbs above the route's own prefix:
  // `%2e%2e` and `\` become `..` and `/` before the Worker sees the path, so climbing two
  // levels leaves no `<options>/<source>` at all, and one level stays under /base/.
  for (const src of ['x/%2e%2e/%2e%2e/secret.png', 'x\\..\\..\\secret.png']) {
    assertRefused(await img(wb, src), 400, 'bad_request', src);
  }
  assertPng64(await img(wb, 'x/%2E%2E/y.png'), 'x/%2E%2E/y.png');
  assert.equal(origin.hits('/base/y.png'), 1);
  const outside = origin.log.slice(seen).filter((u) => !u.startsWith('/base/'));
  assert.deepEqual(outside, [], 'nothing above /base/ was requested');
  assert.equal(origin.log.filter((u) => u.includes('secret')).length, 0);
  // Names that only look suspicious are served, under /base/, unchanged.
  for (const [src, want] of [
    ['a..b.png', '/base/a..b.png'],
    ['..a.png', '/base/..a.png'],
    ['a%2Fb.png', '/base/a%2Fb.png'],
    ['100%25.png', '/base/100%25.png'],
  ]) {
    assertPng64(await img(wb, src), src);
    assert.equal(origin.hits(want), 1, `${src} -> ${want}; saw ${origin.log.slice(-3)}`);
  }
});

test('rule 4: encoded traversal in relative sources is refused (400 bad_source): static assets', async () => {
  for (const src of [
    'samples/..%2F..%2Fwrangler.toml',
    '..%2Findex.html',
    '..%5Cindex.html',
    '%252e%252e%252findex.html',
    '..;/index.html',
  ]) {
    assertRefused(await img(wa, src), 400, 'bad_source', src);
  }
  // A missing asset is still a plain 404, so the 400s above come from the rule.
  const missing = await img(wa, 'samples/does-not-exist.png');
  assert.equal(missing.status, 404, missing.text);
});

test('rule 4 on absolute sources: ..%2F cannot climb out of an allowlisted path', async () => {
  const r = await img(wa, `http://127.0.0.1:${trap.port}/allowed/..%2F..%2Ff%2Fsecret.png`);
  assertRefused(r, 400, 'bad_source', 'absolute ..%2F');
  assert.equal(trap.log.filter((u) => u.includes('secret')).length, 0);
});

test('rule 5: redirect loops get 508 redirect_loop, each URL fetched once', async () => {
  assertRefused(await img(wa, `${origin.base}/loop/a`), 508, 'redirect_loop', 'A -> B -> A');
  assert.equal(origin.hits('/loop/a'), 1);
  assert.equal(origin.hits('/loop/b'), 1);
  assertRefused(await img(wa, `${origin.base}/self`), 508, 'redirect_loop', 'A -> A#frag');
  assert.equal(origin.hits('/self'), 1);
  assertRefused(await img(wb, 'loop/a'), 508, 'redirect_loop', 'ORIGIN_BASE A -> B -> A');
  assert.equal(origin.hits('/base/loop/a'), 1);
});

test('rule 5: five redirects are followed, a sixth is a loop', async () => {
  assertPng64(await img(wa, `${origin.base}/chain/5`), 'five hops');
  for (let i = 0; i <= 5; i++) assert.equal(origin.hits(`/chain/${i}`), 1, `/chain/${i}`);
  const r = await img(wa, `${origin.base}/chain/6`);
  assertRefused(r, 508, 'redirect_loop', 'six hops');
  assert.match(r.text, /more than 5 redirects/);
  assert.equal(origin.hits('/chain/6'), 1);
  assert.equal(origin.hits('/chain/0'), 1, 'the sixth redirect was not followed');
});

test('rule 5: an origin that starts looping is an outage: the stale variant is served', async () => {
  const src = `${origin.base}/flaky/a.png`;
  const a = await img(wa, src);
  assertPng64(a, 'first');
  assert.equal(a.headers['x-edgepix-cache'], 'MISS');
  await new Promise((r) => setTimeout(r, 2500)); // max-age=1, floor 0: stale everywhere
  origin.state.flakyLoops = true;
  try {
    const b = await img(wa, src);
    assertPng64(b, 'stale');
    assert.equal(b.headers['x-edgepix-cache'], 'STALE');
    assert.ok(b.body.equals(a.body));
    assert.ok(origin.hits('/flaky/a.png') >= 2, 'the origin was asked again');
  } finally {
    origin.state.flakyLoops = false;
  }
});
