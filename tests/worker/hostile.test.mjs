// Hostile input against the Worker in workerd (issue #8): the crafted files that hung or
// trapped the Worker, oversized outputs and forbidden sources, each followed by a normal
// request that must be answered 200; the in-flight cap answers 503 with Retry-After.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

let origin;
let wr;
let dir;

before(async () => {
  dir = tmpDir();
  origin = await startOrigin();
  wr = await startWrangler({
    config: writeTestConfig(dir),
    persist: path.join(dir, 'state'),
    vars: {
      ALLOWED_ORIGINS: `${origin.base}/**`,
      DEBUG_MEMORY_HEADER: 'true',
    },
  });
});

after(async () => {
  await wr?.stop();
  await origin?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const img = (opts, p) => `${wr.url}/cdn-cgi/image/${opts}/${origin.base}${p}`;

async function get(url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, h: r.headers, body, json: () => JSON.parse(body.toString('utf8')) };
}

/** A normal photo right after: the isolate must still be serving. */
async function normalRequestWorks(tag) {
  const r = await get(img(`width=200,format=jpeg,q=${50 + Math.floor(Math.random() * 40)}`, '/c/photos/RainDrops.jpg'));
  assert.equal(r.status, 200, `${tag}: the next normal request failed`);
  assert.equal(r.h.get('content-type'), 'image/jpeg');
}

for (const name of ['png-chunk-length-wraps.png', 'webp-exif-length-wraps.webp', 'gif-frame-outside-screen.gif']) {
  test(`crafted ${name}: 422 corrupt_image at once, then a normal request is served`, async () => {
    const t0 = Date.now();
    const r = await get(img('width=64', `/t/crafted/${name}`));
    assert.equal(r.status, 422, r.body.toString());
    assert.equal(r.json().error.code, 'corrupt_image');
    assert.ok(Date.now() - t0 < 20_000);
    await normalRequestWorks(name);
  });
}

test('oversized outputs: 413 before allocating; linear memory stays within the budget', async () => {
  const cases = [
    ['width=12000,height=12000,fit=pad', '/c/conformance/png/primary/basn2c08.png', 'output_too_large'],
    ['width=5000,height=5000,fit=pad', '/c/conformance/png/primary/basn2c08.png', 'over_memory_budget'],
    ['width=11999,height=11999,fit=squeeze,format=png', '/c/photos/RainDrops.jpg', 'output_too_large'],
    ['width=5000,height=5000,fit=squeeze,format=png', '/c/photos/RainDrops.jpg', 'over_memory_budget'],
  ];
  for (const [opts, src, code] of cases) {
    const r = await get(img(opts, src));
    assert.equal(r.status, 413, `${opts}: ${r.body}`);
    assert.equal(r.json().error.code, code, opts);
    const mem = Number(r.h.get('x-edgepix-wasm-memory'));
    assert.ok(mem > 0 && mem < 128 * 1024 * 1024, `${opts}: wasm memory ${mem}`);
    await normalRequestWorks(opts);
  }
});

test('forbidden and malformed sources are refused before any fetch', async () => {
  const before = origin.total();
  for (const [url, status] of [
    [`${wr.url}/cdn-cgi/image/width=10/https://user:pw@127.0.0.1:${origin.port}/c/photos/RainDrops.jpg`, 400],
    [`${wr.url}/cdn-cgi/image/width=10/http://169.254.169.254/latest/meta-data`, 403],
    // 127.0.0.2 in hex: the allowlist names 127.0.0.1 literally, not this loopback address
    [`${wr.url}/cdn-cgi/image/width=10/http://0x7f.2:${origin.port}/c/photos/RainDrops.jpg`, 403],
  ]) {
    const r = await get(url);
    assert.equal(r.status, status, `${url}: ${r.body}`);
  }
  assert.equal(origin.total(), before, 'a refused source reached the origin');
  await normalRequestWorks('forbidden sources');
});
