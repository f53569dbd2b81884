// Recovery after a trap (issue #8): on the test-only bundle (build-trap/, feature test-trap,
// the release flags), a route panics after an await, as a decoder would. The trapping request
// must get edgepix's JSON 500 (not workerd's error page, not a hang), and the next request
// must be served by a fresh instance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startOrigin, startWrangler, writeTestConfig, tmpDir } from './harness.mjs';

let origin;
let wr;
let dir;

before(async () => {
  dir = tmpDir();
  origin = await startOrigin();
  wr = await startWrangler({
    config: writeTestConfig(dir, path.join(ROOT, 'tests/worker/trap-entry.mjs')),
    persist: path.join(dir, 'state'),
    vars: { ALLOWED_ORIGINS: `${origin.base}/**` },
  });
});

after(async () => {
  await wr?.stop();
  await origin?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function get(url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return { status: r.status, h: r.headers, text: await r.text() };
}

test('a trap answers JSON 500 and the next requests are served normally', async () => {
  const good = `${wr.url}/cdn-cgi/image/width=120,format=png/${origin.base}/c/photos/RainDrops.jpg`;
  assert.equal((await get(good)).status, 200);
  for (let round = 0; round < 3; round++) {
    const t = await get(`${wr.url}/cdn-cgi/image/width=10/__edgepix-test-trap`);
    assert.equal(t.status, 500, t.text);
    assert.match(t.h.get('content-type'), /application\/json/);
    assert.equal(JSON.parse(t.text).error.code, 'internal');
    const after = await get(good.replace('width=120', `width=${121 + round}`));
    assert.equal(after.status, 200, `round ${round}: ${after.text}`);
  }
});
