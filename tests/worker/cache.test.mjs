// The cache guarantees of issue #9, end to end in workerd: private sources stay private,
// no-cache revalidates, purge, signed URLs, named variants and allowed sizes, the source query
// policy, and the headers image users expect (CORS, Timing-Allow-Origin, x-edgepix-resized).
// Signatures are made here with node:crypto, independently of the Worker's Rust code.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';
import { imageInfo } from './imageinfo.mjs';

const KEY_NEW = 'k-new-9f2c';
const KEY_OLD = 'k-old-17aa';
const WEBP = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** HMAC-SHA256 over `options \n source [\n exp]`, as docs/CACHING.md specifies. */
const sign = (key, options, source, exp) =>
  b64url(createHmac('sha256', key).update(exp === undefined ? `${options}\n${source}` : `${options}\n${source}\n${exp}`).digest());

async function get(url, headers = {}, method = 'GET') {
  const r = await fetch(url, { headers, method, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, h: r.headers, body, text: () => body.toString('utf8') };
}

let origin;
const dirs = [];
async function worker(vars) {
  const dir = tmpDir();
  dirs.push(dir);
  return startWrangler({ config: writeTestConfig(dir), persist: path.join(dir, 'state'), vars });
}

before(async () => {
  origin = await startOrigin();
});
after(async () => {
  await origin?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('open Worker (no signature required)', () => {
  let wr;
  before(async () => {
    wr = await worker({
      ALLOWED_ORIGINS: `${origin.base}/**`,
      CACHE_TTL_FLOOR: '60',
      SIGNING_KEYS: `${KEY_NEW},${KEY_OLD}`,
      ORIGIN_TIMEOUT_MS: '1500',
    });
  });
  after(() => wr?.stop());
  const img = (opts, p) => `${wr.url}/cdn-cgi/image/${opts}/${origin.base}${p}`;

  test('no-store and private sources: never stored, answered private, no STALE fallback', async () => {
    for (const cc of ['no-store', 'private%2C%20max-age%3D600']) {
      const p = `/cc/${cc}/c/photos/RainDrops.jpg`;
      const a = await get(img('width=100', p));
      assert.equal(a.status, 200);
      assert.equal(a.h.get('cache-control'), 'private, no-store');
      assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
      await new Promise((r) => setTimeout(r, 300)); // would-be write-backs have run
      const b = await get(img('width=100', p));
      assert.equal(b.h.get('x-edgepix-cache'), 'MISS', 'a private variant was served from a cache');
      // with the origin down, nothing stored can stand in for it
      origin.mode = '500';
      try {
        const c = await get(img('width=100', p));
        assert.equal(c.status, 502, `${cc}: ${c.text()}`);
      } finally {
        origin.mode = 'ok';
      }
    }
  });

  test('hits advertise what is left of their lifetime: Age grows, max-age stays the origin\'s', async () => {
    const p = '/c/photos/kodak/kodim05.png';
    const a = await get(img('width=70', p));
    assert.equal(a.status, 200);
    assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
    assert.equal(a.h.get('age'), null, 'a variant made now has no Age');
    await new Promise((r) => setTimeout(r, 2300));
    const b = await get(img('width=70', p));
    assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
    assert.equal(b.h.get('cache-control'), 'public, max-age=3600');
    const age = Number(b.h.get('age'));
    assert.ok(age >= 2 && age <= 60, `age ${b.h.get('age')}`);
  });

  test('no-cache sources: revalidated with the origin before every reuse, no transform on 304', async () => {
    const p = '/cc/no-cache/c/photos/RainDrops.jpg';
    const a = await get(img('width=90', p));
    assert.equal(a.status, 200);
    assert.equal(a.h.get('cache-control'), 'public, no-cache');
    await new Promise((r) => setTimeout(r, 300));
    const before304 = origin.notModified;
    const b = await get(img('width=90', p));
    assert.equal(b.status, 200);
    assert.equal(b.h.get('x-edgepix-cache-layer'), 'revalidated');
    assert.equal(origin.notModified, before304 + 1, 'the origin was not asked');
    assert.ok(!/decode;dur/.test(b.h.get('server-timing')), 'revalidation transformed again');
    assert.deepEqual(b.body, a.body);
  });

  test('the source query string is dropped by default: ?v=<random> cannot force a transform', async () => {
    const p = '/c/photos/hato.jpg';
    const first = await get(`${img('width=77', p)}?v=${Math.random()}`);
    assert.equal(first.status, 200);
    const hits = origin.hits(p);
    const second = await get(`${img('width=77', p)}?v=${Math.random()}`);
    assert.equal(second.h.get('x-edgepix-cache'), 'HIT');
    assert.equal(origin.hits(p), hits);
  });

  test('purge: a signed POST makes the next request a MISS; unsigned or expired purges are refused', async () => {
    const source = `${origin.base}/c/photos/2569067123_aca715a2ee_o.jpg`;
    const url = img('width=64', '/c/photos/2569067123_aca715a2ee_o.jpg');
    await get(url);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await get(url)).h.get('x-edgepix-cache'), 'HIT');
    const exp = Math.floor(Date.now() / 1000) + 300;
    const purge = (sig, e = exp) =>
      get(`${wr.url}/cdn-cgi/edgepix/purge?source=${encodeURIComponent(source)}&exp=${e}&sig=${sig}`, {}, 'POST');
    assert.equal((await purge('AAAA')).status, 403);
    const past = Math.floor(Date.now() / 1000) - 5;
    assert.equal((await purge(sign(KEY_NEW, 'purge', source, past), past)).status, 403);
    const ok = await purge(sign(KEY_OLD, 'purge', source, exp));
    assert.equal(ok.status, 200, ok.text());
    assert.equal(JSON.parse(ok.text()).generation, 1);
    const fetches = origin.total();
    const after = await get(url);
    assert.equal(after.h.get('x-edgepix-cache'), 'MISS');
    assert.equal(origin.total(), fetches + 1, 'the source was not fetched again after the purge');
  });

  test('concurrent misses for one variant share one origin fetch and one transform', async () => {
    // The origin answers after 0.6 s (ORIGIN_TIMEOUT_MS is 1.5 s here), so the five later
    // requests arrive while the first one's fetch is under way; without the delay, a loaded
    // CI machine once let them find its finished Cache API entry instead (not coalesced).
    const p = '/slow600/cc/public%2C%20max-age%3D4242/c/photos/hato.jpg';
    const rs = await Promise.all(Array.from({ length: 6 }, () => get(img('width=640', p))));
    for (const r of rs) assert.equal(r.status, 200, r.text());
    const layers = rs.map((r) => r.h.get('x-edgepix-cache-layer'));
    assert.equal(origin.hits(p), 1, `origin fetched ${origin.hits(p)} times; layers ${layers}`);
    assert.equal(layers.filter((l) => l === 'origin').length, 1, layers.join());
    assert.equal(layers.filter((l) => l === 'coalesced').length, 5, layers.join());
    for (const r of rs) {
      assert.equal(r.h.get('x-edgepix-cache'), 'MISS');
      assert.ok(r.body.equals(rs[0].body));
    }
  });

  test('slow-connection-quality follows the client hints; compression=fast answers baseline JPEG', async () => {
    const p = '/c/photos/RainDrops.jpg';
    const fast = await get(img('width=500,format=jpeg,scq=25', p), { ECT: '4g', RTT: '50' });
    const slow = await get(img('width=500,format=jpeg,scq=25', p), { ECT: '3g' });
    const saver = await get(img('width=500,format=jpeg,scq=25', p), { 'Save-Data': 'on' });
    for (const r of [fast, slow, saver]) {
      assert.equal(r.status, 200);
      for (const h of ['Save-Data', 'ECT', 'RTT', 'Downlink']) assert.match(r.h.get('vary') || '', new RegExp(h));
    }
    assert.ok(slow.body.length * 10 < fast.body.length * 7, `${slow.body.length} vs ${fast.body.length}`);
    assert.ok(saver.body.equals(slow.body), 'Save-Data and a slow ECT are the same bit, one entry');
    assert.equal(saver.h.get('x-edgepix-cache'), 'HIT');
    // a fast client of a scq URL shares the entry of the URL without scq
    const plain = await get(img('width=500,format=jpeg', p));
    assert.equal(plain.h.get('x-edgepix-cache'), 'HIT');
    assert.ok(plain.body.equals(fast.body));
    const f = await get(img('width=400,format=auto,compression=fast', p), { accept: 'image/avif,image/webp,*/*' });
    assert.equal(f.status, 200);
    assert.equal(f.h.get('content-type'), 'image/jpeg');
    assert.ok(f.body.includes(Buffer.from([0xff, 0xc0])) && !f.body.includes(Buffer.from([0xff, 0xc2])), 'baseline');
  });

  test('width=auto takes the device hints, rounds up the ladder and shares the explicit width entry', async () => {
    const p = '/c/photos/RainDrops.jpg'; // 1920x1200
    const a = await get(img('width=auto,format=jpeg', p), { 'Sec-CH-Width': '500' });
    assert.equal(a.status, 200, a.text());
    assert.deepEqual([imageInfo(a.body).width, imageInfo(a.body).height], [640, 400]);
    for (const h of ['Sec-CH-Width', 'Sec-CH-Viewport-Width', 'Sec-CH-DPR']) assert.match(a.h.get('vary') || '', new RegExp(h));
    await new Promise((r) => setTimeout(r, 300));
    // a 320-px viewport at DPR 2 is the same rung: one entry, shared with width=640
    const b = await get(img('width=auto,format=jpeg', p), { 'Sec-CH-Viewport-Width': '320', 'Sec-CH-DPR': '2' });
    assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
    assert.ok(b.body.equals(a.body));
    const plain = await get(img('width=640,format=jpeg', p));
    assert.equal(plain.h.get('x-edgepix-cache'), 'HIT');
    // no hint: the source's own width
    const none = await get(img('width=auto,format=jpeg', p));
    assert.equal(none.status, 200);
    assert.equal(imageInfo(none.body).width, 1920);
    const bad = await get(img('height=auto', p));
    assert.equal(bad.status, 400);
  });

  test('CORS, Timing-Allow-Origin and x-edgepix-resized on images and errors', async () => {
    const r = await get(img('width=120,format=webp', '/c/photos/RainDrops.jpg'), { accept: WEBP });
    assert.equal(r.h.get('access-control-allow-origin'), '*');
    assert.equal(r.h.get('timing-allow-origin'), '*');
    assert.match(r.h.get('x-edgepix-resized'), /^ok; 120x75 webp from 1920x1200 jpeg$/);
    const e = await get(img('width=0', '/c/photos/RainDrops.jpg'));
    assert.equal(e.status, 400);
    assert.equal(e.h.get('access-control-allow-origin'), '*');
    assert.equal(e.h.get('x-edgepix-resized'), 'err=bad_option');
  });

  test('a sig= that does not verify is refused even when signatures are optional', async () => {
    const r = await get(img('width=50,sig=AAAA', '/c/photos/RainDrops.jpg'));
    assert.equal(r.status, 403);
  });
});

describe('locked-down Worker (signatures required, variants, allowed widths)', () => {
  let wr;
  const fetchesBefore = () => origin.total();
  before(async () => {
    wr = await worker({
      ALLOWED_ORIGINS: `${origin.base}/**`,
      SIGNING_KEYS: `${KEY_NEW} ${KEY_OLD}`,
      REQUIRE_SIGNATURE: 'true',
      VARIANTS: JSON.stringify({ thumb: 'width=200,height=200,fit=cover', hero: { width: 640, format: 'webp' } }),
      ALLOWED_WIDTHS: '200,640,1200',
    });
  });
  after(() => wr?.stop());
  const src = () => `${origin.base}/c/photos/RainDrops.jpg`;

  test('unsigned, wrong and expired URLs are refused with 403 before any fetch', async () => {
    const n = fetchesBefore();
    const exp = Math.floor(Date.now() / 1000) - 10;
    for (const u of [
      `${wr.url}/cdn-cgi/image/width=640/${src()}`,
      `${wr.url}/cdn-cgi/image/width=640,sig=${sign('wrong', 'width=640', src())}/${src()}`,
      `${wr.url}/cdn-cgi/image/width=640,exp=${exp},sig=${sign(KEY_NEW, 'width=640', src(), exp)}/${src()}`,
    ]) {
      const r = await get(u);
      assert.equal(r.status, 403, `${u}: ${r.text()}`);
      assert.equal(JSON.parse(r.text()).error.code, 'bad_signature');
    }
    assert.equal(origin.total(), n, 'a refused URL reached the origin');
  });

  test('a valid signature under either key is served; sig and exp stay out of the cache key', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    // canonical options are signed: w= and width= are one option
    const a = await get(`${wr.url}/cdn-cgi/image/w=640,exp=${exp},sig=${sign(KEY_NEW, 'width=640', src(), exp)}/${src()}`);
    assert.equal(a.status, 200, a.text());
    await new Promise((r) => setTimeout(r, 300));
    const b = await get(`${wr.url}/cdn-cgi/image/width=640,sig=${sign(KEY_OLD, 'width=640', src())}/${src()}`);
    assert.equal(b.status, 200, b.text());
    assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
  });

  test('named variants are signed by name; other sizes are refused', async () => {
    const r = await get(`${wr.url}/cdn-cgi/image/thumb,sig=${sign(KEY_NEW, 'thumb', src())}/${src()}`);
    assert.equal(r.status, 200, r.text());
    assert.match(r.h.get('x-edgepix-resized'), /^ok; 200x200 /);
    const bad = await get(`${wr.url}/cdn-cgi/image/width=641,sig=${sign(KEY_NEW, 'width=641', src())}/${src()}`);
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.text()).error.code, 'size_not_allowed');
  });
});
