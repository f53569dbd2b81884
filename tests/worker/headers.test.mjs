// Every response header the Worker sends, pinned for a representative set of requests: the
// cache states (MISS, HIT from the Cache API and from KV, STALE, revalidated), format=auto under
// several Accept headers, the quality and client-hint variants, JSON, SVG, HEAD, 304, the
// error statuses and onerror=redirect. Also the event each answer reports (status, cache,
// error, format, quality and its policy), which `main` builds from the same answer. A change to
// the Worker's shape must leave all of it as it is; a deliberate change of a header updates the
// table below (EDGEPIX_HEADERS_RECORD=1 prints the table the running build produces).
//
// Normalised before comparing, because they differ from run to run by design: `date`, the
// durations in `server-timing`, the digest in `etag` (its shape stays), the engine version's
// hash, a stored variant's `age` (its presence stays). Everything else, content-length
// included, is compared literally.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

const RECORD = process.env.EDGEPIX_HEADERS_RECORD === '1';
const WEBP = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';
const LEGACY = 'image/png,image/*;q=0.8,*/*;q=0.5';
const EVENT = 'edgepix_event ';

let origin;
let wr;
let dir;
let config;
let persist;
let vars;

before(async () => {
  dir = tmpDir('edgepix-headers-');
  persist = path.join(dir, 'state');
  config = writeTestConfig(dir);
  origin = await startOrigin();
  vars = {
    ALLOWED_ORIGINS: `${origin.base}/c/** ${origin.base}/ttl1/** ${origin.base}/t/**`,
    CACHE_TTL_FLOOR: '0',
    ORIGIN_TIMEOUT_MS: '1500',
    MAX_INPUT_BYTES: '10000000',
  };
  wr = await startWrangler({ config, persist, vars, logLevel: 'log' });
});

after(async () => {
  await wr?.stop();
  await origin?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (RECORD) console.log(`# recorded:\n${JSON.stringify(recorded, null, 2)}`);
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const src = (p) => `${origin.base}${p}`;
const img = (opts, p) => `${wr.url}/cdn-cgi/image/${opts}/${src(p)}`;

/** The headers every answer carries, whatever it is: compared once per answer, then left out. */
const COMMON = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'server-timing, x-edgepix-cache, x-edgepix-resized, x-edgepix-notes, x-edgepix-arm',
  'timing-allow-origin': '*',
  'x-content-type-options': 'nosniff',
};

function normalise(h, name) {
  const out = {};
  for (const [k, v] of Object.entries(COMMON)) assert.equal(h.get(k), v, `${name}: ${k}`);
  for (let [k, v] of [...h.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (k === 'date' || k in COMMON) continue;
    v = v.replaceAll(origin.base, '<origin>');
    if (k === 'etag') out[k] = v.replace(/^"[0-9a-f]{32}"$/, '"<32 hex>"');
    else if (k === 'server-timing') out[k] = v.replace(/dur=[0-9.]+/g, 'dur=N');
    else if (k === 'x-edgepix-engine') out[k] = v.replace(/-[0-9a-f]{12}$/, '-<hash>');
    else if (k === 'age') out[k] = v.replace(/^[0-9]+$/, 'N');
    else out[k] = v;
  }
  return out;
}

let eventsSeen = 0;
function events() {
  return wr
    .output()
    .split('\n')
    .filter((l) => l.includes(EVENT))
    .map((l) => JSON.parse(l.slice(l.indexOf(EVENT) + EVENT.length)));
}

/** The new event this answer produced, if any: the fields that come from the answer. */
async function nextEvent(expected) {
  const deadline = Date.now() + (expected === null ? 400 : 5000);
  while (events().length <= eventsSeen && Date.now() < deadline) await sleep(50);
  const all = events();
  if (all.length <= eventsSeen) return null;
  const e = all[eventsSeen];
  eventsSeen = all.length;
  const pick = ['status', 'cache', 'error', 'format', 'bytes_in', 'bytes_out', 'width', 'height'];
  const out = Object.fromEntries(pick.map((k) => [k, e[k]]));
  for (const k of ['quality', 'policy', 'predicted_score', 'measured_score']) out[k] = e[k] ?? null;
  return out;
}

const recorded = {};
async function check(name, url, { headers = {}, method = 'GET' } = {}) {
  const r = await fetch(url, { headers, method, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  const body = Buffer.from(await r.arrayBuffer());
  const got = { status: r.status, headers: normalise(r.headers, name) };
  if ((r.headers.get('content-type') || '').startsWith('application/json') && r.status !== 200) {
    got.error = JSON.parse(body.toString('utf8')).error.code;
  }
  got.event = await nextEvent(RECORD ? undefined : EXPECTED[name]?.event);
  recorded[name] = got;
  if (!RECORD) assert.deepEqual(got, EXPECTED[name], name);
  return { r, body };
}

test('cache states: MISS, HIT, HEAD, 304', async () => {
  const { r } = await check('miss', img('width=320', '/c/photos/RainDrops.jpg'));
  await sleep(500); // the write-backs (waitUntil) have run
  await check('hit', img('width=320', '/c/photos/RainDrops.jpg'));
  await check('head', img('width=320', '/c/photos/RainDrops.jpg'), { method: 'HEAD' });
  await check('not-modified', img('width=320', '/c/photos/RainDrops.jpg'), {
    headers: { 'if-none-match': r.headers.get('etag') },
  });
  await check('miss-head', img('width=321', '/c/photos/RainDrops.jpg'), { method: 'HEAD' });
});

test('format=auto under several Accept headers', async () => {
  const p = '/c/photos/kodak/kodim05.png';
  await check('auto-webp', img('width=256,format=auto', p), { headers: { accept: WEBP } });
  await check('auto-legacy', img('width=256,format=auto', p), { headers: { accept: LEGACY } });
  await sleep(500); // '*/*' is the legacy class: its entry is written
  await check('auto-any', img('width=256,format=auto', p), { headers: { accept: '*/*' } });
  await sleep(500);
  await check('auto-webp-hit', img('width=256,format=auto', p), { headers: { accept: 'image/webp,*/*' } });
  await check('avif-as-webp', img('width=64,format=avif', p));
});

test('formats and qualities: png, webp with a quality, quality levels, json, svg', async () => {
  const p = '/c/photos/hato.jpg';
  await check('png', img('width=200,format=png', p));
  await check('webp-q60', img('width=200,format=webp,quality=60', p));
  await check('jpeg-high', img('width=200,format=jpeg,quality=high', p));
  await check('webp-auto', img('width=200,format=webp,quality=auto', p));
  await check('json', img('width=300,format=json', p));
  await check('svg', img('width=50,format=webp', '/t/svg/script.svg'));
  await sleep(500);
  await check('svg-hit', img('width=50,format=webp', '/t/svg/script.svg'));
});

test('client hints: slow-connection-quality and width=auto vary on their headers', async () => {
  const p = '/c/photos/hato.jpg';
  await check('scq-slow', img('width=200,format=jpeg,slow-connection-quality=30', p), { headers: { ect: '3g' } });
  await check('scq-fast', img('width=200,format=jpeg,slow-connection-quality=30', p), { headers: { ect: '4g' } });
  await check('width-auto', img('width=auto,format=webp', p), { headers: { 'sec-ch-width': '300' } });
});

test('errors: 400, 403, 404, 405, 413, 415, 422, 502, 508; onerror=redirect', async () => {
  await check('bad-option', img('width=abc', '/c/photos/hato.jpg'));
  await check('unknown-option', img('widht=100', '/c/photos/hato.jpg'));
  await check('bad-option-redirect', img('width=abc,onerror=redirect', '/c/photos/hato.jpg'));
  await check('forbidden', `${wr.url}/cdn-cgi/image/width=100/https://example.com/x.jpg`);
  await check('not-found', img('width=100', '/c/photos/does-not-exist.jpg'));
  await check('purge-get', `${wr.url}/cdn-cgi/edgepix/purge?source=x`);
  await check('too-many-pixels', img('width=100', '/c/bombs/giant-image.jpg'));
  await check('input-too-large', img('width=100', '/c/photos/elephants-baseline.jpg'));
  await check('unsupported-format', img('width=100', '/t/crafted/make.mjs'));
  await check('corrupt', img('width=100', '/c/malformed/sharp/corrupt-header.jpg'));
  await check('corrupt-redirect', img('width=100,onerror=redirect', '/c/malformed/sharp/corrupt-header.jpg'));
  await check('loop', img('width=100', '/c/photos/hato.jpg'), { headers: { via: '1.1 edgepix' } });
  origin.mode = '500';
  try {
    await check('origin-500', img('width=94', '/c/photos/kodak/kodim07.png'));
  } finally {
    origin.mode = 'ok';
  }
});

test('stale and revalidated variants', async () => {
  await check('ttl1-stale-miss', img('width=128,format=png', '/ttl1/c/photos/kodak/kodim08.png'));
  await check('ttl1-reval-miss', img('width=100,format=png', '/ttl1/c/photos/kodak/kodim09.png'));
  await sleep(2500); // max-age=1 and floor 0: both stale everywhere
  origin.mode = '500';
  try {
    await check('stale', img('width=128,format=png', '/ttl1/c/photos/kodak/kodim08.png'));
  } finally {
    origin.mode = 'ok';
  }
  await check('revalidated', img('width=100,format=png', '/ttl1/c/photos/kodak/kodim09.png'));
});

test('a HIT from KV after the Cache API is emptied', async () => {
  await sleep(500);
  await wr.stop();
  fs.rmSync(path.join(persist, 'v3', 'cache'), { recursive: true, force: true });
  wr = await startWrangler({ config, persist, vars, logLevel: 'log' });
  eventsSeen = 0;
  await check('kv-hit', img('width=320', '/c/photos/RainDrops.jpg'));
  await sleep(500);
  await check('kv-promoted', img('width=320', '/c/photos/RainDrops.jpg'));
});

const EXPECTED = {
  miss: {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="RainDrops.jpg"',
      'content-length': '14356',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 320x200 jpeg from 1920x1200 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'jpeg', bytes_in: 1242241, bytes_out: 14356, width: 320, height: 200, quality: 85, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  hit: {
    status: 200,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="RainDrops.jpg"',
      'content-length': '14356',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="cache-api"',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'cache-api',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 320x200 jpeg from 1920x1200 jpeg',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'jpeg', bytes_in: 0, bytes_out: 14356, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  head: {
    status: 200,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="RainDrops.jpg"',
      'content-length': '14356',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="cache-api"',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'cache-api',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 320x200 jpeg from 1920x1200 jpeg',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'jpeg', bytes_in: 0, bytes_out: 14356, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'not-modified': {
    status: 304,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-encoding': 'gzip',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="cache-api"',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'cache-api',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 320x200 jpeg from 1920x1200 jpeg',
    },
    event: { status: 304, cache: 'HIT', error: '', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'miss-head': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="RainDrops.jpg"',
      'content-length': '14850',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 321x201 jpeg from 1920x1200 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'jpeg', bytes_in: 1242241, bytes_out: 14850, width: 321, height: 201, quality: 85, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'auto-webp': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="kodim05.webp"',
      'content-length': '18334',
      'content-type': 'image/webp',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      vary: 'Accept',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 256x171 webp from 768x512 png',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'webp', bytes_in: 756263, bytes_out: 18334, width: 256, height: 171, quality: 85, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'auto-legacy': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="kodim05.jpg"',
      'content-length': '19362',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      vary: 'Accept',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 256x171 jpeg from 768x512 png',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'jpeg', bytes_in: 756263, bytes_out: 19362, width: 256, height: 171, quality: 85, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'auto-any': {
    status: 200,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="kodim05.jpg"',
      'content-length': '19362',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="cache-api"',
      vary: 'Accept',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'cache-api',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 256x171 jpeg from 768x512 png',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'jpeg', bytes_in: 0, bytes_out: 19362, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'auto-webp-hit': {
    status: 200,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="kodim05.webp"',
      'content-length': '18334',
      'content-type': 'image/webp',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="cache-api"',
      vary: 'Accept',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'cache-api',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 256x171 webp from 768x512 png',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'webp', bytes_in: 0, bytes_out: 18334, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'avif-as-webp': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="kodim05.webp"',
      'content-length': '1644',
      'content-type': 'image/webp',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-notes': 'avif: this build has no AVIF encoder (cargo feature avif), served webp',
      'x-edgepix-resized': 'ok; 64x43 webp from 768x512 png',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'webp', bytes_in: 756263, bytes_out: 1644, width: 64, height: 43, quality: 85, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  png: {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.png"',
      'content-length': '57633',
      'content-type': 'image/png',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 200x133 png from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'png', bytes_in: 848035, bytes_out: 57633, width: 200, height: 133, quality: null, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'webp-q60': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.webp"',
      'content-length': '5268',
      'content-type': 'image/webp',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 200x133 webp from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'webp', bytes_in: 848035, bytes_out: 5268, width: 200, height: 133, quality: 60, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'jpeg-high': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.jpg"',
      'content-length': '11124',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 200x133 jpeg from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'jpeg', bytes_in: 848035, bytes_out: 11124, width: 200, height: 133, quality: 89, policy: 'verify', predicted_score: 80, measured_score: 83.0145544344706 },
  },
  'webp-auto': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.webp"',
      'content-length': '7592',
      'content-type': 'image/webp',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 200x133 webp from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'webp', bytes_in: 848035, bytes_out: 7592, width: 200, height: 133, quality: 80, policy: 'verify', predicted_score: 70, measured_score: 74.92917770603059 },
  },
  json: {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.json"',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'transfer-encoding': 'chunked',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 300x199 json from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'json', bytes_in: 848035, bytes_out: 328, width: 300, height: 199, quality: null, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  svg: {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="script.svg"',
      'content-encoding': 'gzip',
      'content-security-policy': 'default-src \'none\'; style-src \'unsafe-inline\'',
      'content-type': 'image/svg+xml',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'transfer-encoding': 'chunked',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-notes': 'svg: sanitised and served as svg; resize, adjustment and format options are ignored',
      'x-edgepix-resized': 'ok; 100x100 svg from 100x100 svg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'svg+xml', bytes_in: 320, bytes_out: 205, width: 100, height: 100, quality: null, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'svg-hit': {
    status: 200,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="script.svg"',
      'content-encoding': 'gzip',
      'content-security-policy': 'default-src \'none\'; style-src \'unsafe-inline\'',
      'content-type': 'image/svg+xml',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="cache-api"',
      'transfer-encoding': 'chunked',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'cache-api',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-notes': 'svg: sanitised and served as svg; resize, adjustment and format options are ignored',
      'x-edgepix-resized': 'ok; 100x100 svg from 100x100 svg',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'svg+xml', bytes_in: 0, bytes_out: 205, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'scq-slow': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.jpg"',
      'content-length': '3275',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      vary: 'Save-Data, ECT, RTT, Downlink',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 200x133 jpeg from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'jpeg', bytes_in: 848035, bytes_out: 3275, width: 200, height: 133, quality: 30, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'scq-fast': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.jpg"',
      'content-length': '9513',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      vary: 'Save-Data, ECT, RTT, Downlink',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 200x133 jpeg from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'jpeg', bytes_in: 848035, bytes_out: 9513, width: 200, height: 133, quality: 85, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'width-auto': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="hato.webp"',
      'content-length': '27956',
      'content-type': 'image/webp',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      vary: 'Sec-CH-Width, Width, Sec-CH-Viewport-Width, Viewport-Width, Sec-CH-DPR, DPR',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 384x255 webp from 3082x2048 jpeg',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'webp', bytes_in: 848035, bytes_out: 27956, width: 384, height: 255, quality: 85, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'bad-option': {
    status: 400,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=bad_option',
    },
    error: 'bad_option',
    event: null,
  },
  'unknown-option': {
    status: 400,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=unknown_option',
    },
    error: 'unknown_option',
    event: null,
  },
  'bad-option-redirect': {
    status: 400,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=bad_option',
    },
    error: 'bad_option',
    event: null,
  },
  forbidden: {
    status: 403,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=source_forbidden',
    },
    error: 'source_forbidden',
    event: null,
  },
  'not-found': {
    status: 404,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=source_not_found',
    },
    error: 'source_not_found',
    event: { status: 404, cache: 'ERROR', error: 'source_not_found', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'purge-get': {
    status: 405,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=method_not_allowed',
    },
    error: 'method_not_allowed',
    event: null,
  },
  'too-many-pixels': {
    status: 413,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=too_many_pixels',
    },
    error: 'too_many_pixels',
    event: { status: 413, cache: 'ERROR', error: 'too_many_pixels', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'input-too-large': {
    status: 413,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=input_too_large',
    },
    error: 'input_too_large',
    event: { status: 413, cache: 'ERROR', error: 'input_too_large', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'unsupported-format': {
    status: 415,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=unsupported_format',
    },
    error: 'unsupported_format',
    event: { status: 415, cache: 'ERROR', error: 'unsupported_format', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  corrupt: {
    status: 422,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=corrupt_image',
    },
    error: 'corrupt_image',
    event: { status: 422, cache: 'ERROR', error: 'corrupt_image', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'corrupt-redirect': {
    status: 302,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      location: '<origin>/c/malformed/sharp/corrupt-header.jpg',
      'transfer-encoding': 'chunked',
      'x-edgepix-error': 'corrupt_image',
      'x-edgepix-resized': 'err=corrupt_image',
    },
    event: { status: 302, cache: 'ERROR', error: 'corrupt_image', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  loop: {
    status: 508,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=loop_detected',
    },
    error: 'loop_detected',
    event: null,
  },
  'origin-500': {
    status: 502,
    headers: {
      'cache-control': 'no-store',
      'content-encoding': 'gzip',
      'content-type': 'application/json; charset=utf-8',
      'transfer-encoding': 'chunked',
      'x-edgepix-resized': 'err=origin_error',
    },
    error: 'origin_error',
    event: { status: 502, cache: 'ERROR', error: 'origin_error', format: '', bytes_in: 0, bytes_out: 0, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'ttl1-stale-miss': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=1',
      'content-disposition': 'inline; filename="kodim08.png"',
      'content-length': '24779',
      'content-type': 'image/png',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 128x85 png from 768x512 png',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'png', bytes_in: 741753, bytes_out: 24779, width: 128, height: 85, quality: null, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  'ttl1-reval-miss': {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=1',
      'content-disposition': 'inline; filename="kodim09.png"',
      'content-length': '24869',
      'content-type': 'image/png',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, decode;dur=N, resize;dur=N, encode;dur=N, cache;dur=N;desc="miss"',
      'x-edgepix-cache': 'MISS',
      'x-edgepix-cache-layer': 'origin',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 100x150 png from 512x768 png',
    },
    event: { status: 200, cache: 'MISS', error: '', format: 'png', bytes_in: 558418, bytes_out: 24869, width: 100, height: 150, quality: null, policy: 'fixed', predicted_score: null, measured_score: null },
  },
  stale: {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=60',
      'content-disposition': 'inline; filename="kodim08.png"',
      'content-length': '24779',
      'content-type': 'image/png',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, cache;dur=N;desc="kv-stale"',
      'x-edgepix-cache': 'STALE',
      'x-edgepix-cache-layer': 'kv',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 128x85 png from 768x512 png',
    },
    event: { status: 200, cache: 'STALE', error: '', format: 'png', bytes_in: 0, bytes_out: 24779, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  revalidated: {
    status: 200,
    headers: {
      'cache-control': 'public, max-age=1',
      'content-disposition': 'inline; filename="kodim09.png"',
      'content-length': '24869',
      'content-type': 'image/png',
      etag: '"<32 hex>"',
      'server-timing': 'fetch;dur=N, cache;dur=N;desc="kv-revalidated"',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'revalidated',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 100x150 png from 512x768 png',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'png', bytes_in: 0, bytes_out: 24869, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'kv-hit': {
    status: 200,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="RainDrops.jpg"',
      'content-length': '14356',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="kv"',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'kv',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 320x200 jpeg from 1920x1200 jpeg',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'jpeg', bytes_in: 0, bytes_out: 14356, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
  'kv-promoted': {
    status: 200,
    headers: {
      age: 'N',
      'cache-control': 'public, max-age=3600',
      'content-disposition': 'inline; filename="RainDrops.jpg"',
      'content-length': '14356',
      'content-type': 'image/jpeg',
      etag: '"<32 hex>"',
      'server-timing': 'cache;dur=N;desc="cache-api"',
      'x-edgepix-cache': 'HIT',
      'x-edgepix-cache-layer': 'cache-api',
      'x-edgepix-engine': 'edgepix-0.1.0-<hash>',
      'x-edgepix-resized': 'ok; 320x200 jpeg from 1920x1200 jpeg',
    },
    event: { status: 200, cache: 'HIT', error: '', format: 'jpeg', bytes_in: 0, bytes_out: 14356, width: 0, height: 0, quality: null, policy: '', predicted_score: null, measured_score: null },
  },
};
