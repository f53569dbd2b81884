// What a stranger's traffic costs an isolate (issue #18), on a fresh `wrangler dev` with
// DEBUG_MEMORY_HEADER: a metadata bomb (a tiny WebP with a 30 MiB XMP chunk) is held once, as
// the source's bytes, not copied by the probe; distinct long-path misses leave linear memory where it was (every
// per-isolate map is bounded by bytes, keys hashed: src/edge/memo.rs), and a failing variant
// asked for again, one after another or all at once, costs the origin one fetch, not one per
// request (src/edge/failure.rs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startOrigin, startWrangler, writeTestConfig, tmpDir, CORPUS } from './harness.mjs';
import { chunks, chunk, riff, vp8x } from './riff.mjs';

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
  const r = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, h: r.headers, body };
}

/** `n` requests `url(i)`, `width` at a time; the answers' largest linear memory and memo bytes. */
async function flood(n, width, url) {
  let next = 0;
  let mem = 0;
  let memo = 0;
  const statuses = {};
  async function lane() {
    while (next < n) {
      const r = await get(url(next++));
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      mem = Math.max(mem, Number(r.h.get('x-edgepix-wasm-memory')));
      memo = Math.max(memo, Number(r.h.get('x-edgepix-memo-bytes')));
    }
  }
  await Promise.all(Array.from({ length: width }, lane));
  return { mem, memo, statuses };
}

// On an isolate of its own: linear memory never shrinks, so what it reaches there is this
// request's own (and the flood below still starts from a small heap, where growth shows).
test('metadata bomb: a 31 MB WebP that is a 30 MiB XMP chunk leaves linear memory at most 72 MiB', async () => {
  // a real lossy WebP (31x13) made a VP8X file, its XMP flag set, the XMP chunk after the image
  const small = fs.readFileSync(path.join(CORPUS, 'conformance/webp/libwebp-test-data/small_31x13.webp'));
  const image = chunks(small).filter((c) => c.kind === 'VP8 ');
  assert.equal(image.length, 1);
  const xmp = Buffer.alloc(30 << 20, 0x20);
  xmp.write("<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?><x:xmpmeta xmlns:x='adobe:ns:meta/'>");
  const bomb = riff([vp8x(0x04, 31, 13), image[0].bytes, chunk('XMP ', xmp)]);
  assert.ok(bomb.length > 31_000_000 && bomb.length < 32 << 20, `${bomb.length} B`);
  origin.made.set('xmp-bomb.webp', bomb);
  // its own directory too: two wrangler dev processes must not share a working directory
  const ownDir = tmpDir();
  const own = await startWrangler({
    config: writeTestConfig(ownDir),
    persist: path.join(ownDir, 'state'),
    vars: { ALLOWED_ORIGINS: `${origin.base}/**`, DEBUG_MEMORY_HEADER: 'true' },
  });
  let r;
  try {
    r = await get(`${own.url}/cdn-cgi/image/width=8,format=webp/${origin.base}/m/xmp-bomb.webp`);
  } finally {
    await own.stop();
    fs.rmSync(ownDir, { recursive: true, force: true });
  }
  const mem = Number(r.h.get('x-edgepix-wasm-memory'));
  console.log(`metadata bomb: ${bomb.length} B source, answered ${r.status}, linear memory ${mem} B`);
  assert.ok(mem > bomb.length, `x-edgepix-wasm-memory ${mem}: the source itself is in wasm memory`);
  assert.ok(mem <= 72 * 1024 * 1024, `linear memory ${mem} B`);
  // the budget counts the dropped XMP once, as part of the input: an 8 px WebP without it
  assert.equal(r.status, 200, r.body.toString());
  assert.equal(r.h.get('content-type'), 'image/webp');
  assert.ok(r.body.length < 1024 && !r.body.includes('XMP '), `${r.body.length} B`);
});

test('path flood: 2,000 distinct 12,000-byte paths (404) grow linear memory by at most 512 KiB', async () => {
  const long = 'a'.repeat(12_000);
  const url = (tag) => (i) => img('width=10', `/c/${tag}${i}-${long}.png`);
  // the isolate's steady state first: its allocator has seen requests of this shape
  const warm = await flood(200, 16, url('w'));
  assert.deepEqual(warm.statuses, { 404: 200 });
  const t0 = Date.now();
  const f = await flood(2_000, 16, url('p'));
  assert.deepEqual(f.statuses, { 404: 2_000 });
  const grew = f.mem - warm.mem;
  console.log(
    `path flood: linear memory ${warm.mem} -> ${f.mem} B (+${grew} B), maps ${f.memo} B, ${Date.now() - t0} ms`,
  );
  assert.ok(f.mem > 0, 'no x-edgepix-wasm-memory header');
  assert.ok(grew <= 512 * 1024, `linear memory grew by ${grew} B`);
});

test('failures remembered: 10 identical 413s, sequential and concurrent, cost at most 2 origin fetches', async () => {
  const opts = 'width=12000,height=12000,fit=pad';
  const seq = '/c/photos/RainDrops.jpg'; // 1920x1200, 2.3 MP
  for (let i = 0; i < 10; i++) {
    const r = await get(img(opts, seq));
    assert.equal(r.status, 413, r.body.toString());
    assert.equal(JSON.parse(r.body).error.code, 'output_too_large');
  }
  // the same photo under another path; the origin answers after 500 ms, so all ten arrive
  // while the first one's fetch is under way
  const conc = '/slow500/c/photos/RainDrops.jpg';
  const all = await Promise.all(Array.from({ length: 10 }, () => get(img(opts, conc))));
  for (const r of all) {
    assert.equal(r.status, 413, r.body.toString());
    assert.equal(JSON.parse(r.body).error.code, 'output_too_large');
  }
  console.log(`failures remembered: origin fetches sequential ${origin.hits(seq)}, concurrent ${origin.hits(conc)}`);
  assert.ok(origin.hits(seq) <= 2, `sequential: ${origin.hits(seq)} origin fetches`);
  assert.ok(origin.hits(conc) <= 2, `concurrent: ${origin.hits(conc)} origin fetches`);
  // a variant that fits is not refused by another's remembered failure
  const ok = await get(img('width=100', seq));
  assert.equal(ok.status, 200);
});
