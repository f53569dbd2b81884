// End-to-end tests of the Worker in local workerd (`wrangler dev`), against a counting origin.
// Run with scripts/test-worker.sh (it builds the Worker first when needed).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { imageInfo } from './imageinfo.mjs';
import { ROOT, freePort, startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

let origin;
let wr;
let dir;
let config;
let persist;
let vars;

const WEBP = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';
const LEGACY = 'image/png,image/*;q=0.8,*/*;q=0.5';

before(async () => {
  dir = tmpDir();
  persist = path.join(dir, 'state');
  config = writeTestConfig(dir);
  origin = await startOrigin();
  vars = {
    ALLOWED_ORIGINS: `${origin.base}/c/** ${origin.base}/ttl1/** ${origin.base}/t/**`,
    CACHE_TTL_FLOOR: '0',
    ORIGIN_TIMEOUT_MS: '1500',
    MAX_INPUT_BYTES: '10000000',
  };
  wr = await startWrangler({ config, persist, vars });
});

after(async () => {
  await wr?.stop();
  await origin?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const img = (opts, src) => `${wr.url}/cdn-cgi/image/${opts}/${src}`;
const remote = (p) => `${origin.base}${p}`;

async function get(url, headers = {}, method = 'GET') {
  const r = await fetch(url, { headers, method, redirect: 'manual' });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, h: r.headers, body, text: () => body.toString('utf8') };
}

test('bundle: wrangler deploy --dry-run builds; gzip size under 3 MB', async () => {
  const out = path.join(dir, 'dist');
  // asynchronous: a synchronous child blocks the event loop for the whole build, and the
  // next request then reuses a keep-alive socket the Worker closed meanwhile
  await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--outdir', out, '-c', config],
    {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' },
    },
  );
  let raw = 0;
  let gz = 0;
  for (const f of fs.readdirSync(out)) {
    if (!/\.(m?js|wasm)$/.test(f)) continue;
    const b = fs.readFileSync(path.join(out, f));
    raw += b.length;
    gz += zlib.gzipSync(b, { level: 9 }).length;
  }
  console.log(`# worker bundle: ${(raw / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzip`);
  assert.ok(raw > 0, 'dry run produced a bundle');
  assert.ok(gz < 3 * 1024 * 1024, `gzip bundle ${gz} bytes is above 3 MB`);
});

test('landing page and manifest are served from assets', async () => {
  const r = await get(`${wr.url}/`);
  assert.equal(r.status, 200);
  assert.match(r.h.get('content-type'), /text\/html/);
  // the page asks for the hints slow-connection-quality and width=auto read (www/_headers)
  assert.match(r.h.get('accept-ch') || '', /ECT/);
  assert.match(r.h.get('accept-ch') || '', /Sec-CH-Width/);
});

test('transform returns the requested size and format (decoded, not from headers)', async () => {
  const src = remote('/c/photos/hato.jpg'); // 3082x2048
  const r = await get(img('width=300,format=jpeg', src));
  assert.equal(r.status, 200, r.text());
  const info = imageInfo(r.body);
  assert.equal(info.format, 'jpeg');
  assert.equal(info.width, 300);
  assert.equal(info.height, Math.round((2048 * 300) / 3082));
  assert.equal(r.h.get('content-type'), 'image/jpeg');
  assert.equal(Number(r.h.get('content-length')), r.body.length);
  assert.equal(r.h.get('x-content-type-options'), 'nosniff');
  assert.match(r.h.get('content-disposition'), /^inline; filename="hato\.jpg"$/);
  assert.match(r.h.get('etag'), /^"[0-9a-f]{32}"$/);
  assert.match(r.h.get('cache-control'), /max-age=3600/);
  for (const m of ['fetch', 'decode', 'resize', 'encode', 'cache']) {
    assert.match(r.h.get('server-timing'), new RegExp(`\\b${m};dur=`));
  }

  const c = await get(img('width=200,height=200,fit=cover,format=png', src));
  assert.deepEqual(imageInfo(c.body), { format: 'png', width: 200, height: 200 });
});

test('relative source comes from the Worker assets (www/samples)', async (t) => {
  const manifest = path.join(ROOT, 'www/samples/manifest.json');
  if (!fs.existsSync(manifest)) return t.skip('no www/samples (run scripts/prepare-samples.sh)');
  const first = JSON.parse(fs.readFileSync(manifest, 'utf8'))[0];
  const r = await get(img('width=240,format=webp', `samples/${first.file}`));
  assert.equal(r.status, 200, r.text());
  const info = imageInfo(r.body);
  assert.equal(info.format, 'webp');
  assert.equal(info.width, 240);
  const missing = await get(img('width=240', 'samples/does-not-exist.jpg'));
  assert.equal(missing.status, 404);
});

test('MISS then HIT; a HIT does not contact the origin', async () => {
  const p = '/c/photos/RainDrops.jpg';
  const a = await get(img('width=320', remote(p)));
  assert.equal(a.status, 200, a.text());
  assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
  assert.equal(origin.hits(p), 1);
  const b = await get(img('width=320', remote(p)));
  assert.equal(b.status, 200);
  assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
  assert.ok(b.body.equals(a.body), 'HIT serves the same bytes');
  assert.equal(b.h.get('etag'), a.h.get('etag'));
  assert.equal(origin.hits(p), 1, 'no origin request on a HIT');
});

test('the source is cached: several variants of one photo cost one origin fetch', async () => {
  const p = '/c/photos/kodak/kodim01.png';
  for (const w of [100, 150, 200]) {
    const r = await get(img(`width=${w},format=png`, remote(p)));
    assert.equal(r.status, 200, r.text());
    assert.equal(r.h.get('x-edgepix-cache'), 'MISS');
    assert.equal(imageInfo(r.body).width, w);
    // the source is stored after the answer (waitUntil); on a loaded machine the next
    // request could otherwise arrive first and fetch it again
    await new Promise((res) => setTimeout(res, 500));
  }
  assert.equal(origin.hits(p), 1);
});

test('equivalent option strings share one cache entry', async () => {
  const p = '/c/photos/kodak/kodim03.png';
  const a = await get(img('w=300,f=auto', remote(p)), { accept: WEBP });
  assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
  const b = await get(img('format=auto,width=300', remote(p)), { accept: WEBP });
  assert.equal(b.status, 200);
  assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
  assert.ok(a.body.equals(b.body));
  assert.equal(origin.hits(p), 1);
});

test('format=auto follows Accept: WebP or JPEG, both with Vary: Accept', async () => {
  const src = remote('/c/photos/kodak/kodim05.png');
  const w = await get(img('width=256,format=auto', src), { accept: WEBP });
  assert.equal(w.status, 200, w.text());
  assert.equal(imageInfo(w.body).format, 'webp');
  assert.equal(w.h.get('content-type'), 'image/webp');
  assert.match(w.h.get('vary'), /accept/i);
  const j = await get(img('width=256,format=auto', src), { accept: LEGACY });
  assert.equal(j.status, 200, j.text());
  assert.equal(imageInfo(j.body).format, 'jpeg');
  assert.match(j.h.get('vary'), /accept/i);
  assert.equal(j.h.get('x-edgepix-cache'), 'MISS', 'the JPEG class has its own entry');
  // a second WebP client hits the WebP entry
  const w2 = await get(img('width=256,format=auto', src), { accept: 'image/webp,*/*' });
  assert.equal(w2.h.get('x-edgepix-cache'), 'HIT');
  assert.equal(imageInfo(w2.body).format, 'webp');
});

test('format=avif is served as WebP with a note', async () => {
  const r = await get(img('width=64,format=avif', remote('/c/photos/kodak/kodim05.png')));
  assert.equal(r.status, 200, r.text());
  assert.equal(imageInfo(r.body).format, 'webp');
  assert.match(r.h.get('x-edgepix-notes') || '', /avif/);
});

test('If-None-Match answers 304', async () => {
  const u = img('width=320', remote('/c/photos/RainDrops.jpg'));
  const a = await get(u);
  const etag = a.h.get('etag');
  const b = await get(u, { 'if-none-match': etag });
  assert.equal(b.status, 304);
  assert.equal(b.body.length, 0);
  assert.equal(b.h.get('etag'), etag);
  const c = await get(u, { 'if-none-match': '"nope"' });
  assert.equal(c.status, 200);
});

test('HEAD has the headers and no body', async () => {
  const u = img('width=320', remote('/c/photos/RainDrops.jpg'));
  const r = await get(u, {}, 'HEAD');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  assert.equal(r.h.get('content-type'), 'image/jpeg');
  assert.ok(r.h.get('etag'));
});

test('format=json returns metadata', async () => {
  const r = await get(img('width=300,format=json', remote('/c/photos/hato.jpg')));
  assert.equal(r.status, 200, r.text());
  assert.match(r.h.get('content-type'), /application\/json/);
  const j = JSON.parse(r.text());
  assert.equal(j.width, 300);
  assert.equal(j.original.width, 3082);
});

test('adjustments, trims and border through the Worker; unpic Cloudflare-provider URLs succeed', async () => {
  const src = remote('/c/photos/hato.jpg'); // 3082x2048
  const accept = { accept: 'image/webp,image/*;q=0.8,*/*;q=0.5' };
  for (const ops of ['sharpen=1', 'blur=20', 'brightness=1.2,contrast=1.1,gamma=0.9', 'saturation=0']) {
    // unpic 4.2 writes its defaults (f=auto, fit=cover) with the caller's operations
    const r = await get(img(`f=auto,fit=cover,width=400,height=300,${ops}`, src), accept);
    assert.equal(r.status, 200, `${ops}: ${r.text()}`);
    assert.deepEqual(imageInfo(r.body), { format: 'webp', width: 400, height: 300 }, ops);
  }
  const t = await get(img('trim.left=82,trim.top=48,trim.width=3000,trim.height=2000,width=300,format=png', src));
  assert.equal(t.status, 200, t.text());
  assert.deepEqual(imageInfo(t.body), { format: 'png', width: 300, height: 200 });
  const b = await get(img('width=300,border.color=red,border.width=10,format=png', src));
  assert.equal(b.status, 200, b.text());
  assert.deepEqual(imageInfo(b.body), { format: 'png', width: 320, height: Math.round((2048 * 300) / 3082) + 20 });
  for (const [opts, name] of [['blur=300', 'blur'], ['sharpen=NaN', 'sharpen'], ['trim.width=-1', 'trim.width']]) {
    const e = await get(img(opts, src));
    assert.equal(e.status, 400, opts);
    const err = JSON.parse(e.text()).error;
    assert.equal(err.code, 'bad_option', opts);
    assert.ok(err.message.includes(name), `${opts}: ${err.message}`);
  }
});

test('source outside the allowlist: 403 and no outbound request', async () => {
  const before = origin.total();
  for (const src of [
    remote('/secret/photos/hato.jpg'),
    `http://localhost:${origin.port}/c/photos/hato.jpg`,
    `https://127.0.0.1:${origin.port}/c/photos/hato.jpg`,
    'https://example.com/x.jpg',
  ]) {
    const r = await get(img('width=100', src));
    assert.equal(r.status, 403, src);
    assert.equal(JSON.parse(r.text()).error.code, 'source_forbidden');
  }
  assert.equal(origin.total(), before, 'the origin saw nothing');
});

test('bad options: 400 naming the option', async () => {
  const src = remote('/c/photos/hato.jpg');
  const a = await get(img('width=abc', src));
  assert.equal(a.status, 400);
  const e = JSON.parse(a.text()).error;
  assert.equal(e.code, 'bad_option');
  assert.match(e.message, /width/);
  const b = await get(img('widht=100', src));
  assert.equal(b.status, 400);
  assert.match(JSON.parse(b.text()).error.message, /widht/);
});

test('SVG sources: sanitised, not resized, served as image/svg+xml with a CSP', async () => {
  const r = await get(img('width=50,format=webp', remote('/t/svg/script.svg')));
  assert.equal(r.status, 200, r.text());
  assert.match(r.h.get('content-type'), /^image\/svg\+xml/);
  assert.match(r.h.get('content-security-policy') || '', /default-src 'none'/);
  assert.ok(!/<script/i.test(r.text()), 'a script survived');
  assert.match(r.text(), /<svg/);
  const again = await get(img('width=50,format=webp', remote('/t/svg/script.svg')));
  assert.equal(again.h.get('x-edgepix-cache'), 'HIT');
  assert.match(again.h.get('content-security-policy') || '', /default-src 'none'/);
});

test('corrupt images: 422; onerror=redirect: 302 to the source', async () => {
  for (const f of ['corrupt-header.jpg', 'truncated.png']) {
    const src = remote(`/c/malformed/sharp/${f}`);
    const r = await get(img('width=100', src));
    assert.equal(r.status, 422, `${f}: ${r.text()}`);
    assert.equal(JSON.parse(r.text()).error.code, 'corrupt_image');
  }
  // a JPEG cut inside its entropy-coded data decodes best-effort, as browsers show it (the
  // corpus's malformed class allows either): the rows that arrived, the rest filled
  const cut = await get(img('width=100,format=png', remote('/c/malformed/sharp/truncated.jpg')));
  assert.equal(cut.status, 200, cut.text());
  assert.deepEqual(imageInfo(cut.body), { format: 'png', width: 100, height: 82 });
  const src = remote('/c/malformed/sharp/corrupt-header.jpg');
  const r = await get(img('width=100,onerror=redirect', src));
  assert.equal(r.status, 302);
  assert.equal(r.h.get('location'), src);
});

test('oversized images: 413 (declared pixels, and bytes above the fetch limit)', async () => {
  const a = await get(img('width=100', remote('/c/bombs/giant-image.jpg')));
  assert.equal(a.status, 413, a.text());
  assert.equal(JSON.parse(a.text()).error.code, 'too_many_pixels');
  // 17 MB file, MAX_INPUT_BYTES=10 MB in this test config: refused on Content-Length
  const b = await get(img('width=100', remote('/c/photos/elephants-baseline.jpg')));
  assert.equal(b.status, 413, b.text());
  assert.equal(JSON.parse(b.text()).error.code, 'input_too_large');
});

test('a request carrying our Via marker is a loop: 508', async () => {
  const r = await get(img('width=100', remote('/c/photos/hato.jpg')), { via: '1.1 edgepix' });
  assert.equal(r.status, 508);
  assert.equal(JSON.parse(r.text()).error.code, 'loop_detected');
});

test('outbound requests carry the Via marker', () => {
  const seen = origin.log.filter((l) => l.path.startsWith('/c/'));
  assert.ok(seen.length > 0);
  assert.ok(seen.every((l) => /edgepix/.test(l.via)));
});

test('origin failures: 404, 502, 504 without a stale copy', async () => {
  try {
    origin.mode = '404';
    let r = await get(img('width=90', remote('/c/photos/kodak/kodim07.png')));
    assert.equal(r.status, 404, r.text());
    origin.mode = '500';
    r = await get(img('width=91', remote('/c/photos/kodak/kodim07.png')));
    assert.equal(r.status, 502, r.text());
    assert.equal(JSON.parse(r.text()).error.code, 'origin_error');
    origin.mode = 'hang';
    r = await get(img('width=92', remote('/c/photos/kodak/kodim07.png')));
    assert.equal(r.status, 504, r.text());
  } finally {
    origin.mode = 'ok';
  }
  const ok = await get(img('width=93', remote('/c/photos/kodak/kodim07.png')));
  assert.equal(ok.status, 200);
});

test('origin down with a stale copy in KV: served STALE', async () => {
  const p = '/ttl1/c/photos/kodak/kodim08.png';
  const a = await get(img('width=128,format=png', remote(p)));
  assert.equal(a.status, 200, a.text());
  assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
  await new Promise((r) => setTimeout(r, 2500)); // max-age=1 and floor 0: now stale everywhere
  try {
    origin.mode = '500';
    const b = await get(img('width=128,format=png', remote(p)));
    assert.equal(b.status, 200, b.text());
    assert.equal(b.h.get('x-edgepix-cache'), 'STALE');
    assert.ok(b.body.equals(a.body));
    assert.match(b.h.get('cache-control'), /max-age=60/);
    origin.mode = 'hang';
    const c = await get(img('width=128,format=png', remote(p)));
    assert.equal(c.status, 200);
    assert.equal(c.h.get('x-edgepix-cache'), 'STALE');
  } finally {
    origin.mode = 'ok';
  }
});

test('a stale variant whose source is unchanged is revalidated with the source ETag (304)', async () => {
  const p = '/ttl1/c/photos/kodak/kodim09.png';
  const a = await get(img('width=100,format=png', remote(p)));
  assert.equal(a.status, 200, a.text());
  assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
  await new Promise((r) => setTimeout(r, 2500));
  const n304 = origin.notModified;
  const b = await get(img('width=100,format=png', remote(p)));
  assert.equal(b.status, 200, b.text());
  assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
  assert.equal(b.h.get('x-edgepix-cache-layer'), 'revalidated');
  assert.equal(origin.notModified, n304 + 1, 'the origin answered 304');
  assert.ok(b.body.equals(a.body));
});

test('after a restart with the Cache API emptied, the variant comes from KV', async () => {
  const p = '/c/photos/RainDrops.jpg';
  const hits = origin.hits(p);
  await new Promise((r) => setTimeout(r, 500)); // let waitUntil writes finish
  await wr.stop();
  // Local state: <persist>/v3/cache (Cache API) and <persist>/v3/kv (KV) are separate.
  const cacheDir = path.join(persist, 'v3', 'cache');
  assert.ok(fs.existsSync(path.join(persist, 'v3', 'kv')), 'KV state exists');
  fs.rmSync(cacheDir, { recursive: true, force: true });
  wr = await startWrangler({ config, persist, vars });
  const r = await get(img('width=320', remote(p)));
  assert.equal(r.status, 200, r.text());
  assert.equal(r.h.get('x-edgepix-cache'), 'HIT');
  assert.equal(r.h.get('x-edgepix-cache-layer'), 'kv');
  assert.equal(imageInfo(r.body).width, 320);
  assert.equal(origin.hits(p), hits, 'KV hit, no origin request');
  // ... and KV refilled the Cache API
  await new Promise((r) => setTimeout(r, 300));
  const again = await get(img('width=320', remote(p)));
  assert.equal(again.h.get('x-edgepix-cache-layer'), 'cache-api');
});

test('ORIGIN_BASE: relative sources resolve against it, never escape it; self-origin is a loop', async () => {
  const d = tmpDir();
  const port = await freePort();
  const self = `http://127.0.0.1:${port}`;
  let w2;
  let w3;
  try {
    w2 = await startWrangler({
      config,
      persist: path.join(d, 'a'),
      vars: { ORIGIN_BASE: `${origin.base}/c/`, CACHE_TTL_FLOOR: '0' },
    });
    const p = '/c/photos/kodak/kodim10.png';
    const r = await get(`${w2.url}/cdn-cgi/image/width=64,format=png/photos/kodak/kodim10.png`);
    assert.equal(r.status, 200, r.text());
    assert.equal(imageInfo(r.body).width, 64);
    assert.equal(origin.hits(p), 1);
    // `//host/x` must not become a protocol-relative URL to another host
    const before = origin.total();
    const e = await get(`${w2.url}/cdn-cgi/image/width=64//example.com/x.jpg`);
    assert.equal(e.status, 404, e.text());
    assert.equal(origin.total(), before + 1);
    assert.equal(origin.log.at(-1).path, '/c/example.com/x.jpg');
    await w2.stop();
    // A Worker whose origin is itself: its own Via marker stops the loop (508 inside, 502 out).
    w3 = await startWrangler({ config, persist: path.join(d, 'b'), vars: { ORIGIN_BASE: `${self}/` }, port });
    const l = await get(`${w3.url}/cdn-cgi/image/width=64/cdn-cgi/image/width=64/x.jpg`);
    assert.equal(l.status, 502, l.text());
  } finally {
    await w2?.stop();
    await w3?.stop();
    fs.rmSync(d, { recursive: true, force: true });
  }
});

test('the Worker makes the golden bytes, and its engine version is the hash of the golden table', async () => {
  const { createHash } = await import('node:crypto');
  const table = fs.readFileSync(path.join(ROOT, 'tests/golden/engine.tsv'), 'utf8');
  // FNV-1a 64 of the table's rows, as build.rs derives ENGINE_VERSION (computed here again)
  let h = 0xcbf29ce484222325n;
  for (const line of table.split('\n').filter((l) => l.trim() && !l.startsWith('#'))) {
    for (const b of Buffer.from(line.trimEnd() + '\n')) {
      h ^= BigInt(b);
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  }
  const version = (h >> 16n).toString(16).padStart(12, '0');
  const row = table.split('\n').find((l) => l.startsWith('photos/RainDrops.jpg\twidth=800,format=jpeg,quality=80\t'));
  const expected = row.split('\t')[2];
  const r = await get(img('width=800,format=jpeg,quality=80', remote('/c/photos/RainDrops.jpg')), { accept: WEBP });
  assert.equal(r.status, 200);
  assert.equal(createHash('sha256').update(r.body).digest('hex'), expected);
  assert.match(r.h.get('x-edgepix-engine'), new RegExp(`-${version}$`));
});
