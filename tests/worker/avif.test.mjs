// AVIF answers from the Worker with ENABLE_AVIF=true. A bundle built with the encoder
// (`EDGEPIX_FEATURES=avif scripts/build-worker.sh`, recorded in build/.features) answers real
// AVIF to `format=avif` and to `format=auto` for an AVIF client, with `Vary: Accept` and a cache
// entry of its own; the default bundle has no encoder and answers WebP with a note saying so.
// Either way a 1,201 px output is WebP with the 1,200 px note. Both builds are asserted: the
// features file decides which answer is right, nothing is skipped.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { imageInfo } from './imageinfo.mjs';
import { ROOT, startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

const BUILT_WITH_AVIF = fs.readFileSync(path.join(ROOT, 'build/.features'), 'utf8').split(',').map((f) => f.trim()).includes('avif');
const CHROME = 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8';
const WEBP_ONLY = 'image/webp,*/*';

let origin;
let wr;
before(async () => {
  const dir = tmpDir();
  origin = await startOrigin();
  wr = await startWrangler({
    config: writeTestConfig(dir),
    persist: path.join(dir, 'state'),
    vars: { ALLOWED_ORIGINS: `${origin.base}/c/**`, CACHE_TTL_FLOOR: '0', ENABLE_AVIF: 'true' },
  });
});
after(async () => {
  await wr?.stop();
  await origin?.close();
});

const img = (opts, file) => `${wr.url}/cdn-cgi/image/${opts}/${origin.base}/c/${file}`;
async function get(url, headers = {}) {
  const r = await fetch(url, { headers });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, h: r.headers, body, info: imageInfo(body) };
}

test(`format=avif (bundle ${BUILT_WITH_AVIF ? 'with' : 'without'} the AVIF encoder)`, async () => {
  const r = await get(img('width=640,format=avif', 'photos/RainDrops.jpg'));
  assert.equal(r.status, 200, r.body.toString());
  if (BUILT_WITH_AVIF) {
    assert.equal(r.h.get('content-type'), 'image/avif');
    assert.deepEqual(r.info, { format: 'avif', width: 640, height: 400 });
    assert.equal(r.h.get('x-edgepix-notes'), null);
  } else {
    assert.equal(r.info.format, 'webp');
    assert.match(r.h.get('x-edgepix-notes') || '', /no AVIF encoder/);
  }
});

test('format=auto: AVIF clients get AVIF only from a bundle with the encoder, in their own entry', async () => {
  const u = img('width=320,format=auto', 'photos/hato.jpg');
  const a = await get(u, { accept: CHROME });
  assert.equal(a.status, 200);
  assert.match(a.h.get('vary') || '', /accept/i);
  assert.equal(a.info.format, BUILT_WITH_AVIF ? 'avif' : 'webp');
  assert.equal(a.info.width, 320);
  const w = await get(u, { accept: WEBP_ONLY });
  assert.equal(w.info.format, 'webp');
  // a WebP client never gets the AVIF entry, and a second AVIF client hits it
  assert.equal(w.h.get('x-edgepix-cache'), BUILT_WITH_AVIF ? 'MISS' : 'HIT');
  const a2 = await get(u, { accept: CHROME });
  assert.equal(a2.h.get('x-edgepix-cache'), 'HIT');
  assert.equal(a2.info.format, a.info.format);
});

test('past 1,200 px on the longest side format=avif is WebP with a note', async () => {
  const r = await get(img('width=1201,format=avif', 'photos/RainDrops.jpg'));
  assert.equal(r.status, 200);
  assert.deepEqual(r.info, { format: 'webp', width: 1201, height: 751 });
  assert.match(r.h.get('x-edgepix-notes') || '', BUILT_WITH_AVIF ? /1,200 px/ : /no AVIF encoder/);
});
