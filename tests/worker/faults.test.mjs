// Failure scenarios of docs/DESIGN.md on the test-only bundle (build-trap/, feature
// test-trap): TEST_FAULTS makes KV or the Cache API fail or slow, as in an outage. A cache
// layer failing must only make requests slower (more misses), never fail them.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

let origin;
const dirs = [];
before(async () => {
  origin = await startOrigin();
});
after(async () => {
  await origin?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function worker(faults) {
  const dir = tmpDir();
  dirs.push(dir);
  return startWrangler({
    config: writeTestConfig(dir, path.join(ROOT, 'tests/worker/trap-entry.mjs')),
    persist: path.join(dir, 'state'),
    vars: { ALLOWED_ORIGINS: `${origin.base}/**`, TEST_FAULTS: faults },
  });
}
async function get(url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, h: r.headers, body };
}
const settle = () => new Promise((r) => setTimeout(r, 400)); // write-backs run after answers

function scenario(faults, check) {
  describe(`TEST_FAULTS=${faults}`, () => {
    let wr;
    before(async () => {
      wr = await worker(faults);
    });
    after(() => wr?.stop());
    test('answers stay correct', async () => check((opts, p) => `${wr.url}/cdn-cgi/image/${opts}/${origin.base}${p}`));
  });
}

scenario('kv-down', async (img) => {
  const p = '/c/photos/hato.jpg';
  const a = await get(img('width=200', p));
  assert.equal(a.status, 200);
  assert.equal(a.h.get('x-edgepix-cache'), 'MISS');
  await settle();
  const b = await get(img('width=200', p));
  assert.equal(b.status, 200);
  assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
  assert.equal(b.h.get('x-edgepix-cache-layer'), 'cache-api', 'the Cache API still serves without KV');
  // without KV there is no STALE fallback: an origin outage on a new variant is a 502
  origin.mode = '500';
  try {
    const c = await get(img('width=201', '/c/photos/RainDrops.jpg'));
    assert.equal(c.status, 502);
  } finally {
    origin.mode = 'ok';
  }
});

scenario('cache-down', async (img) => {
  const p = '/c/photos/hato.jpg';
  const a = await get(img('width=210', p));
  assert.equal(a.status, 200);
  await settle();
  const b = await get(img('width=210', p));
  assert.equal(b.status, 200);
  assert.equal(b.h.get('x-edgepix-cache'), 'HIT');
  assert.equal(b.h.get('x-edgepix-cache-layer'), 'kv', 'KV serves when the location cache is lost');
  assert.ok(b.body.equals(a.body));
});

scenario('kv-down,cache-down', async (img) => {
  const p = '/c/photos/RainDrops.jpg';
  const before = origin.hits(p);
  for (let i = 0; i < 3; i++) {
    const r = await get(img('width=220', p));
    assert.equal(r.status, 200);
    assert.equal(r.h.get('x-edgepix-cache'), 'MISS', 'no layer left: every request transforms');
    await settle();
  }
  assert.equal(origin.hits(p) - before, 3, 'and every request goes to the origin');
});

scenario('kv-slow', async (img) => {
  const r = await get(img('width=230', '/c/photos/hato.jpg'));
  assert.equal(r.status, 200);
  const cache = /cache;dur=([0-9.]+)/.exec(r.h.get('server-timing'));
  assert.ok(cache && Number(cache[1]) >= 1400, `Server-Timing shows the slow lookup: ${r.h.get('server-timing')}`);
});
